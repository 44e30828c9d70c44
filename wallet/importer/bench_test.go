package importer

import (
	"bytes"
	"context"
	"fmt"
	"testing"
	"time"

	"healthwallet/wallet/record"
)

// syntheticBundle builds a Synthea-shaped batch Bundle of n resources:
// encounters, observations, conditions, immunizations and claims.
func syntheticBundle(n int) []byte {
	var b bytes.Buffer
	b.WriteString(`{"resourceType":"Bundle","type":"batch","entry":[`)
	for i := range n {
		if i > 0 {
			b.WriteByte(',')
		}
		id := fmt.Sprintf("%08x-1111-2222-3333-%012x", i, i)
		var res string
		switch i % 5 {
		case 0:
			res = fmt.Sprintf(`{"resourceType":"Encounter","id":"%s","status":"finished","class":{"system":"http://terminology.hl7.org/CodeSystem/v3-ActCode","code":"AMB"},"type":[{"coding":[{"system":"http://snomed.info/sct","code":"410620009","display":"Well child visit (procedure)"}],"text":"Well child visit (procedure)"}],"subject":{"reference":"urn:uuid:475d72ca-91c7-7211-97e3-f000af33fc04","display":"Bibi254 Schowalter414"},"participant":[{"type":[{"coding":[{"system":"http://terminology.hl7.org/CodeSystem/v3-ParticipationType","code":"PPRF","display":"primary performer"}],"text":"primary performer"}],"period":{"start":"2011-04-06T21:20:23-07:00","end":"2011-04-06T21:35:23-07:00"},"individual":{"reference":"urn:uuid:2add1d28-5ee2-3a4c-a6da-f976b9b28081","display":"Dr. Cordell41 Ferry570"}}],"period":{"start":"2011-04-06T21:20:23-07:00","end":"2011-04-06T21:35:23-07:00"},"serviceProvider":{"reference":"urn:uuid:e7e7f193-d9c2-30b6-9e84-f01c3bdc8a71","display":"PCP24285"}}`, id)
		case 1:
			res = fmt.Sprintf(`{"resourceType":"Observation","id":"%s","status":"final","category":[{"coding":[{"system":"http://terminology.hl7.org/CodeSystem/observation-category","code":"vital-signs","display":"vital-signs"}]}],"code":{"coding":[{"system":"http://loinc.org","code":"8310-5","display":"Body temperature"}],"text":"Body temperature"},"subject":{"reference":"urn:uuid:475d72ca-91c7-7211-97e3-f000af33fc04"},"encounter":{"reference":"urn:uuid:f260943e-446f-ee65-f356-90f890a251cf"},"effectiveDateTime":"2020-03-06T20:20:23-08:00","issued":"2020-03-06T20:20:23.175-08:00","valueQuantity":{"value":%d.4,"unit":"Cel","system":"http://unitsofmeasure.org","code":"Cel"}}`, id, 36+i%5)
		case 2:
			res = fmt.Sprintf(`{"resourceType":"Condition","id":"%s","clinicalStatus":{"coding":[{"system":"http://terminology.hl7.org/CodeSystem/condition-clinical","code":"resolved"}]},"verificationStatus":{"coding":[{"system":"http://terminology.hl7.org/CodeSystem/condition-ver-status","code":"confirmed"}]},"code":{"coding":[{"system":"http://snomed.info/sct","code":"49727002","display":"Cough (finding)"}],"text":"Cough (finding)"},"subject":{"reference":"urn:uuid:475d72ca-91c7-7211-97e3-f000af33fc04"},"onsetDateTime":"2020-03-06T20:20:23-08:00","abatementDateTime":"2020-03-20T22:09:23-07:00","recordedDate":"2020-03-06T20:20:23-08:00"}`, id)
		case 3:
			res = fmt.Sprintf(`{"resourceType":"Immunization","id":"%s","status":"completed","vaccineCode":{"coding":[{"system":"http://hl7.org/fhir/sid/cvx","code":"140","display":"Influenza, seasonal, injectable, preservative free"}],"text":"Influenza, seasonal, injectable, preservative free"},"patient":{"reference":"urn:uuid:475d72ca-91c7-7211-97e3-f000af33fc04"},"encounter":{"reference":"urn:uuid:dfc4abce-8135-3deb-edd9-d13635600528"},"occurrenceDateTime":"2011-04-06T21:20:23-07:00","primarySource":true}`, id)
		default:
			res = fmt.Sprintf(`{"resourceType":"Claim","id":"%s","status":"active","type":{"coding":[{"system":"http://terminology.hl7.org/CodeSystem/claim-type","code":"institutional"}]},"use":"claim","patient":{"reference":"urn:uuid:475d72ca-91c7-7211-97e3-f000af33fc04","display":"Bibi254 Schowalter414"},"billablePeriod":{"start":"2011-04-06T21:20:23-07:00","end":"2011-04-06T21:35:23-07:00"},"created":"2011-04-06T21:35:23-07:00","provider":{"reference":"urn:uuid:e7e7f193-d9c2-30b6-9e84-f01c3bdc8a71","display":"PCP24285"},"priority":{"coding":[{"system":"http://terminology.hl7.org/CodeSystem/processpriority","code":"normal"}]},"insurance":[{"sequence":1,"focal":true,"coverage":{"display":"NO_INSURANCE"}}],"item":[{"sequence":1,"productOrService":{"coding":[{"system":"http://snomed.info/sct","code":"410620009","display":"Well child visit (procedure)"}],"text":"Well child visit (procedure)"}}],"total":{"value":129.16,"currency":"USD"}}`, id)
		}
		fmt.Fprintf(&b, "\n  {\"fullUrl\":\"urn:uuid:%s\",\"resource\":%s,\"request\":{\"method\":\"PUT\",\"url\":\"X/%s\"}}", id, res, id)
	}
	b.WriteString("\n]}\n")
	return b.Bytes()
}

func BenchmarkReadBundle7000(b *testing.B) {
	data := syntheticBundle(7000)
	b.SetBytes(int64(len(data)))
	b.ReportAllocs()
	start := time.Now()
	total := 0
	for b.Loop() {
		n := 0
		err := Read(context.Background(), bytes.NewReader(data), "bench.json", func(record.Resource) error {
			n++
			return nil
		})
		if err != nil || n != 7000 {
			b.Fatalf("%d resources, %v", n, err)
		}
		total += n
	}
	b.ReportMetric(float64(total)/time.Since(start).Seconds(), "resources/s")
}
