package record

import (
	"encoding/json"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"healthwallet/wallet/testcorpus"
)

// corpusResource loads one resource of a corpus file: the file itself, or
// the first Bundle entry of the given type.
func corpusResource(t *testing.T, file, typ string) Resource {
	t.Helper()
	data, err := os.ReadFile(filepath.Join(testcorpus.Dir(t, ""), file))
	if err != nil {
		t.Fatal(err)
	}
	var top struct {
		ResourceType, ID string
		Entry            []struct{ Resource json.RawMessage }
	}
	if err := json.Unmarshal(data, &top); err != nil {
		t.Fatal(err)
	}
	if top.ResourceType == typ {
		return Resource{Type: typ, ID: top.ID, Raw: data}
	}
	for _, e := range top.Entry {
		var h struct{ ResourceType, ID string }
		json.Unmarshal(e.Resource, &h)
		if h.ResourceType == typ {
			return Resource{Type: typ, ID: h.ID, Raw: e.Resource}
		}
	}
	t.Fatalf("no %s in %s", typ, file)
	return Resource{}
}

func TestSummarizeCorpus(t *testing.T) {
	const bibi = "synthea/Bibi254_Schowalter414_475d72ca-91c7-7211-97e3-f000af33fc04.json"
	tests := []struct {
		file, typ string
		title     string
		category  string
		date      string // YYYY-MM-DD of Summary.Date, "" for undated
		details   []string
		code      string // one of the codes
	}{
		{bibi, "Patient", "Bibi254 Schowalter414", CategoryPeople, "", []string{"Born: 29 Apr 2009", "Gender: female"}, ""},
		{bibi, "Observation", "Body temperature", CategoryVitalSigns, "2020-03-06", []string{"Value: 40.894 °C"}, "8310-5"},
		{bibi, "Condition", "Cough (finding)", CategoryConditions, "2020-03-06", []string{"Status: resolved", "Onset: 6 Mar 2020", "Resolved: 20 Mar 2020"}, "49727002"},
		{bibi, "Encounter", "Well child visit (procedure)", CategoryEncounters, "2011-04-06", []string{"Class: ambulatory", "Provider: PCP24285"}, "410620009"},
		{bibi, "Immunization", "Influenza, seasonal, injectable, preservative free", CategoryImmunizations, "2011-04-06", []string{"Given: 6 Apr 2011"}, "140"},
		{bibi, "Claim", "Claim – institutional", CategoryInsurance, "2011-04-06", []string{"Total: 129.16 USD"}, "institutional"},
		{bibi, "ExplanationOfBenefit", "Explanation of benefit – institutional", CategoryInsurance, "2011-04-06", []string{"Paid: 112.42 USD"}, ""},
		{bibi, "Procedure", "Face mask (physical object)", CategoryProcedures, "2020-03-06", []string{"Reason: Suspected COVID-19"}, "261352009"},
		{bibi, "DiagnosticReport", "Respiratory pathogens DNA and RNA panel - Respiratory specimen by NAA with probe detection", CategoryLabResults, "2020-03-06", nil, "92143-7"},
		{bibi, "CarePlan", "Infectious disease care plan (record artifact)", CategoryCarePlans, "2020-03-06", []string{"Activities: Airborne precautions (procedure); Personal protective equipment (physical object)"}, "736376001"},
		{bibi, "Organization", "PCP24285", CategoryPeople, "", []string{"Contact: 508-740-7477"}, ""},
		{"fhir-r4-examples/resources/observation/example2.json", "Observation", "Glucose [Moles/volume] in Blood", CategoryObservations, "2013-04-02",
			[]string{"Value: 6.3 mmol/l", "Interpretation: High", "Reference range: 3.1–6.2 mmol/l"}, "15074-8"},
		{"fhir-r4-examples/resources/observation/example1.json", "Observation", "Body Weight", CategoryVitalSigns, "2016-03-28", []string{"Value: 185 lbs"}, "29463-7"},
		{"fhir-r4-examples/resources/observation/example3.json", "Observation", "Second hand smoke exposure", CategoryObservations, "2016-05-18", []string{"Value: YES", "Note: Was exposed to second-hand smoke."}, "39243-1"},
		{"fhir-r4-examples/resources/medicationRequest/example2.json", "MedicationRequest", "Prednisone 5mg tablet (Product)", CategoryMedications, "2015-01-15",
			[]string{"Dosage: Take 4 tablets daily for 7 days starting January 16, 2015", "Prescriber: Patrick Pump"}, "373994007"},
		{"fhir-r4-examples/resources/medicationRequest/example1.json", "MedicationRequest", "prescribed medication", CategoryMedications, "2015-03-01", []string{"Reason: Essential hypertension (disorder)"}, ""},
		{"fhir-r4-examples/resources/medicationDispense/example1.json", "MedicationDispense", "Capecitabine 500mg oral tablet (Xeloda)", CategoryMedications, "",
			[]string{"Dosage: 500 mg, twice every 21 days, oral administration of treatment route"}, "213293"},
		{"fhir-r4-examples/resources/medicationStatement/example1.json", "MedicationStatement", "Tylenol PM", CategoryMedications, "2015-01-23", []string{"Reason: Restless Legs"}, "50580-506-02"},
		{"fhir-r4-examples/resources/allergyIntolerance/example1.json", "AllergyIntolerance", "Cashew nuts", CategoryAllergies, "2004-01-01",
			[]string{"Criticality: high", "Reaction: Anaphylactic reaction (severe)", "Category: food"}, "227493005"},
		{"fhir-r4-examples/resources/allergyIntolerance/example2.json", "AllergyIntolerance", "Penicillin G", CategoryAllergies, "2010-03-01", []string{"Criticality: high", "Reaction: Hives", "Verification: unconfirmed"}, "7980"},
		{"fhir-r4-examples/resources/goal/example1.json", "Goal", "Target weight is 160 to 180 lbs.", CategoryCarePlans, "2015-04-05", []string{"Target: Weight Measured: 160–180 lbs by 5 Apr 2016"}, ""},
		{"fhir-r4-examples/resources/coverage/example1.json", "Coverage", "extended healthcare", CategoryInsurance, "2011-05-23", []string{"Relationship: self"}, "EHCPOL"},
		{"fhir-r4-examples/resources/documentReference/example1.json", "DocumentReference", "Physical", CategoryDocuments, "2005-12-24", []string{"Type: Outpatient Note"}, "34108-1"},
		{"fhir-r4-examples/resources/questionnaireResponse/example1.json", "QuestionnaireResponse", "Questionnaire response", CategoryDocuments, "2013-06-18", []string{"Do you smoke?: No"}, ""},
		{"fhir-r4-examples/resources/relatedPerson/example1.json", "RelatedPerson", "Eve Everywoman", CategoryPeople, "", []string{"Relationship: Natural Mother"}, ""},
	}
	for _, tc := range tests {
		t.Run(tc.typ+"/"+tc.title, func(t *testing.T) {
			s := Summarize(corpusResource(t, tc.file, tc.typ))
			if s.Title != tc.title {
				t.Errorf("title %q, want %q", s.Title, tc.title)
			}
			if s.Category != tc.category {
				t.Errorf("category %q, want %q", s.Category, tc.category)
			}
			got := ""
			if !s.Date.IsZero() {
				got = s.Date.Format(time.DateOnly)
			}
			if got != tc.date {
				t.Errorf("date %q, want %q", got, tc.date)
			}
			for _, d := range tc.details {
				if !slices.Contains(s.Details, d) {
					t.Errorf("details %q lack %q", s.Details, d)
				}
			}
			if tc.code != "" && !slices.ContainsFunc(s.Codes, func(c Code) bool { return c.Code == tc.code }) {
				t.Errorf("codes %v lack %s", s.Codes, tc.code)
			}
		})
	}
}

func TestSummarizeShapes(t *testing.T) {
	tests := []struct {
		name, json, title, category, date string
		details                           []string
	}{
		{"blood pressure components",
			`{"resourceType":"Observation","category":[{"coding":[{"code":"vital-signs"}]}],"code":{"coding":[{"system":"http://loinc.org","code":"85354-9","display":"Blood pressure panel"}]},"effectiveDateTime":"2021-06","component":[{"code":{"coding":[{"code":"8480-6"}]},"valueQuantity":{"value":120,"unit":"mmHg"}},{"code":{"coding":[{"code":"8462-4"}]},"valueQuantity":{"value":80,"unit":"mmHg"}}]}`,
			"Blood pressure panel", CategoryVitalSigns, "2021-06-01", []string{"Value: 120/80 mmHg"}},
		{"lab with comparator", `{"resourceType":"Observation","category":[{"coding":[{"code":"laboratory"}]}],"code":{"text":"HbA1c"},"valueQuantity":{"value":7.2,"comparator":"<","unit":"%"},"effectivePeriod":{"start":"2019"}}`,
			"HbA1c", CategoryLabResults, "2019-01-01", []string{"Value: <7.2%"}},
		{"medication codeable concept", `{"resourceType":"MedicationStatement","medicationCodeableConcept":{"coding":[{"system":"http://www.nlm.nih.gov/research/umls/rxnorm","code":"860975","display":"Metformin 500 MG Oral Tablet"}]},"dosage":[{"doseAndRate":[{"doseQuantity":{"value":1,"unit":"tablet"}}],"timing":{"repeat":{"frequency":2,"period":1,"periodUnit":"d"}}}],"effectiveDateTime":"2020-02-03T10:00:00Z"}`,
			"Metformin 500 MG Oral Tablet", CategoryMedications, "2020-02-03", []string{"Dosage: 1 tablet, twice a day"}},
		{"condition with clinical status", `{"resourceType":"Condition","clinicalStatus":{"coding":[{"code":"active"}]},"code":{"coding":[{"system":"http://snomed.info/sct","code":"44054006","display":"Diabetes mellitus type 2"}]},"onsetDateTime":"2015-03"}`,
			"Diabetes mellitus type 2", CategoryConditions, "2015-03-01", []string{"Status: active", "Onset: Mar 2015"}},
		{"unknown type falls back to narrative", `{"resourceType":"Flag","text":{"div":"<div xmlns=\"http://www.w3.org/1999/xhtml\">Patient has a <b>big dog</b> &amp; a cat</div>"}}`,
			"Patient has a big dog & a cat", CategoryOther, "", nil},
		{"card immunization with a bare CVX code is named", `{"resourceType":"Immunization","status":"completed","vaccineCode":{"coding":[{"system":"http://hl7.org/fhir/sid/cvx","code":"207"}]},"occurrenceDateTime":"2021-01-01"}`,
			"COVID-19 vaccine, Moderna", CategoryImmunizations, "2021-01-01", nil},
		{"an unknown CVX code stays a code", `{"resourceType":"Immunization","status":"completed","vaccineCode":{"coding":[{"system":"http://hl7.org/fhir/sid/cvx","code":"999"}]},"occurrenceDateTime":"2021-01-01"}`,
			"999", CategoryImmunizations, "2021-01-01", nil},
		{"nothing at all", `{"resourceType":"Basic"}`, "Basic", CategoryOther, "", nil},
		{"wrong shapes everywhere", `{"resourceType":"Observation","code":"glucose","valueQuantity":[1,2],"effectiveDateTime":17,"category":"lab","component":{"code":null}}`,
			"Observation", CategoryObservations, "", nil},
		{"not JSON", `{{{`, "Observation", CategoryObservations, "", nil},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			s := Summarize(Resource{Type: "Observation", Raw: json.RawMessage(tc.json)})
			if s.Title != tc.title || s.Category != tc.category {
				t.Errorf("got %q in %q, want %q in %q", s.Title, s.Category, tc.title, tc.category)
			}
			got := ""
			if !s.Date.IsZero() {
				got = s.Date.Format(time.DateOnly)
			}
			if got != tc.date {
				t.Errorf("date %q, want %q", got, tc.date)
			}
			for _, d := range tc.details {
				if !slices.Contains(s.Details, d) {
					t.Errorf("details %q lack %q", s.Details, d)
				}
			}
		})
	}
}

func TestParseDate(t *testing.T) {
	for in, want := range map[string]string{
		"2004":                          "2004-01-01T00:00:00Z",
		"2012-06":                       "2012-06-01T00:00:00Z",
		"2014-10-09":                    "2014-10-09T00:00:00Z",
		"2014-10-09T14:58:00+11:00":     "2014-10-09T14:58:00+11:00",
		"2020-03-06T20:20:23.175-08:00": "2020-03-06T20:20:23.175-08:00",
	} {
		got, ok := ParseDate(in)
		if !ok || got.Format(time.RFC3339Nano) != want {
			t.Errorf("ParseDate(%q) = %v, %v; want %s", in, got, ok, want)
		}
	}
	for _, bad := range []string{"", "yesterday", "20", "2014-13", "0000"} {
		if _, ok := ParseDate(bad); ok {
			t.Errorf("ParseDate(%q) accepted", bad)
		}
	}
}

func TestCanonicalAndKey(t *testing.T) {
	a := []byte(`{"resourceType":"Patient", "id":"p1", "name":[{"family":"Doe"}], "x":1.0}`)
	b := []byte("{\n  \"x\": 1,\n  \"name\": [ { \"family\": \"Doe\" } ],\n  \"id\": \"p1\",\n  \"resourceType\": \"Patient\"\n}")
	ca, err := Canonical(a)
	if err != nil {
		t.Fatal(err)
	}
	if string(ca) != `{"id":"p1","name":[{"family":"Doe"}],"resourceType":"Patient","x":1}` {
		t.Errorf("Canonical = %s", ca)
	}
	ha, _ := ContentHash(a)
	hb, _ := ContentHash(b)
	if ha != hb {
		t.Error("same content, different spacing and order: hashes differ")
	}
	hc, _ := ContentHash([]byte(`{"resourceType":"Patient","id":"p2"}`))
	if hc == ha {
		t.Error("different content, same hash")
	}
	if _, err := Canonical([]byte(`{"a":`)); err == nil {
		t.Error("Canonical accepted broken JSON")
	}

	if k := Key(Resource{Type: "Patient", ID: "p1", FullURL: "urn:uuid:x", Raw: a}); k != "Patient/p1" {
		t.Errorf("Key with id = %q", k)
	}
	if k := Key(Resource{Type: "Patient", FullURL: "urn:uuid:x", Raw: a}); k != "Patient|urn:uuid:x" {
		t.Errorf("Key with fullUrl = %q", k)
	}
	ka, kb := Key(Resource{Type: "Patient", Raw: a}), Key(Resource{Type: "Patient", Raw: b})
	if !strings.HasPrefix(ka, "Patient#") || len(ka) != len("Patient#")+64 || ka != kb {
		t.Errorf("content keys %q, %q", ka, kb)
	}
}
