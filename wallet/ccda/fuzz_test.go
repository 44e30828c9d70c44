package ccda

import (
	"bytes"
	"encoding/json"
	"errors"
	"os"
	"testing"
)

// FuzzConvert feeds Convert bytes from strangers: it must never panic, its
// errors must wrap ErrNotCCDA or ErrMalformed, and what it converts must be
// resources with valid JSON, their type and id. Seeds are the corpus's XML
// files (C-CDA, C32, NCPDP, broken, empty) and a few small documents.
// Time stays bounded by the parser's limits on size, depth and elements.
//
//	go test ./wallet/ccda/ -run '^$' -fuzz FuzzConvert -fuzztime 60s
func FuzzConvert(f *testing.F) {
	for _, file := range ccdaCorpus(f) {
		data, err := os.ReadFile(file.path)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(data)
	}
	f.Add([]byte(``))
	f.Add([]byte(`<ClinicalDocument xmlns="urn:hl7-org:v3"><templateId root="2.16.840.1.113883.10.20.22.1.1"/></ClinicalDocument>`))
	f.Add([]byte(`<ClinicalDocument xmlns="urn:hl7-org:v3"><templateId root="2.16.840.1.113883.10.20.22.1.1"/>` +
		`<recordTarget><patientRole><id root="1" extension="2"/><patient><name><given>A</given></name><birthTime value="2001"/></patient></patientRole></recordTarget>` +
		`<component><structuredBody><component><section><code code="48765-2"/><title>Allergies</title><text>none</text>` +
		`<entry><act><entryRelationship><observation><value xsi:type="CD" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" code="1"/></observation></entryRelationship></act></entry>` +
		`</section></component></structuredBody></component></ClinicalDocument>`))
	f.Add([]byte(`<Message><Header/></Message>`))
	f.Fuzz(func(t *testing.T, data []byte) {
		d, err := Convert(bytes.NewReader(data))
		if err != nil {
			if !errors.Is(err, ErrNotCCDA) && !errors.Is(err, ErrMalformed) {
				t.Fatalf("error %q wraps neither ErrNotCCDA nor ErrMalformed", err)
			}
			return
		}
		for _, res := range d.Resources {
			var head struct {
				ResourceType string `json:"resourceType"`
				ID           string `json:"id"`
			}
			if err := json.Unmarshal(res.Raw, &head); err != nil {
				t.Fatalf("%s/%s is not valid JSON: %v", res.Type, res.ID, err)
			}
			if head.ResourceType != res.Type || head.ID != res.ID || res.ID == "" {
				t.Fatalf("resource says %s/%s, listed as %s/%s", head.ResourceType, head.ID, res.Type, res.ID)
			}
		}
	})
}
