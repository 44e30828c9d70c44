package record

import "testing"

// FuzzSummarize: any bytes give a summary with a title and a known category,
// and never a panic.
func FuzzSummarize(f *testing.F) {
	for _, s := range []string{
		`{"resourceType":"Observation","code":{"text":"x"},"valueQuantity":{"value":1,"unit":"mg"}}`,
		`{"resourceType":"Observation","component":[{"code":{"coding":[{"code":"8480-6"}]},"valueQuantity":{"value":"a"}},{"code":{"coding":[{"code":"8462-4"}]},"valueQuantity":{}}]}`,
		`{"resourceType":"MedicationRequest","contained":[{"id":"m","code":{"text":"Aspirin"}}],"medicationReference":{"reference":"#m"},"dosageInstruction":[{"timing":{"repeat":{"period":0,"periodUnit":"zz"}}}]}`,
		`{"resourceType":"Patient","name":[{"given":[1,null,"A"],"family":{}}],"birthDate":"99999"}`,
		`{"resourceType":"QuestionnaireResponse","item":[{"text":"q","answer":[{"valueCoding":{"code":"y"},"item":[{"answer":[{}]}]}]}]}`,
		`{"resourceType":"Condition","onsetDateTime":"2020-02-30"}`,
		`{"resourceType":"Flag","text":{"div":"<div><<>>&amp;"}}`,
		`{"resourceType":"Claim","total":[{"amount":{"value":1e400}}]}`,
		`[]`, `null`, ``, `{"resourceType":7}`,
	} {
		f.Add("Observation", []byte(s))
	}
	f.Fuzz(func(t *testing.T, typ string, raw []byte) {
		s := Summarize(Resource{Type: typ, Raw: raw})
		if s.Title == "" {
			t.Fatal("empty title")
		}
		known := false
		for _, c := range AllCategories {
			known = known || c == s.Category
		}
		if !known {
			t.Fatalf("category %q not in AllCategories", s.Category)
		}
	})
}
