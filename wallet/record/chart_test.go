package record

import (
	"encoding/json"
	"os"
	"path/filepath"
	"slices"
	"testing"

	"healthwallet/wallet/testcorpus"
)

// raw makes a Resource from hand-written JSON.
func raw(t *testing.T, s string) Resource {
	t.Helper()
	var h struct{ ResourceType, ID string }
	if err := json.Unmarshal([]byte(s), &h); err != nil {
		t.Fatalf("bad test JSON %s: %v", s, err)
	}
	return Resource{Type: h.ResourceType, ID: h.ID, Raw: json.RawMessage(s)}
}

// sectionIDs lists a chart's section IDs; titles lists one section's item titles.
func sectionIDs(c Chart) []string {
	var ids []string
	for _, s := range c.Sections {
		ids = append(ids, s.ID)
	}
	return ids
}

func section(c Chart, id string) *ChartSection {
	for i := range c.Sections {
		if c.Sections[i].ID == id {
			return &c.Sections[i]
		}
	}
	return nil
}

func titles(c Chart, id string) []string {
	s := section(c, id)
	if s == nil {
		return nil
	}
	var out []string
	for _, it := range s.Items {
		out = append(out, it.Summary.Title)
	}
	return out
}

// bundleResources reads a corpus Bundle's entries as Resources.
func bundleResources(t *testing.T, file string) []Resource {
	t.Helper()
	data, err := os.ReadFile(filepath.Join(testcorpus.Dir(t, ""), file))
	if err != nil {
		t.Fatal(err)
	}
	var b struct {
		Entry []struct {
			FullURL  string
			Resource json.RawMessage
		}
	}
	if err := json.Unmarshal(data, &b); err != nil {
		t.Fatal(err)
	}
	var out []Resource
	for _, e := range b.Entry {
		var h struct{ ResourceType, ID string }
		json.Unmarshal(e.Resource, &h)
		out = append(out, Resource{Type: h.ResourceType, ID: h.ID, FullURL: e.FullURL, Raw: e.Resource})
	}
	return out
}

// checkChartShape holds for every chart: sections in the documented order
// with their titles, none empty, every non-Patient resource in exactly one
// section, Patients exactly the Patient resources, and each section but
// allergies newest first with undated items last.
func checkChartShape(t *testing.T, rs []Resource, c Chart) {
	t.Helper()
	pos := -1
	seen := map[int]bool{}
	for _, s := range c.Sections {
		k := slices.IndexFunc(chartSections, func(x struct{ ID, Title string }) bool { return x.ID == s.ID })
		if k < 0 || k <= pos {
			t.Errorf("section %q out of order or unknown: %v", s.ID, sectionIDs(c))
		}
		pos = k
		if k >= 0 && s.Title != chartSections[k].Title {
			t.Errorf("section %q titled %q, want %q", s.ID, s.Title, chartSections[k].Title)
		}
		if len(s.Items) == 0 {
			t.Errorf("section %q is empty", s.ID)
		}
		for j, it := range s.Items {
			if seen[it.Index] {
				t.Errorf("resource %d in two places", it.Index)
			}
			seen[it.Index] = true
			if rs[it.Index].Type == "Patient" {
				t.Errorf("Patient %d in section %q", it.Index, s.ID)
			}
			if it.Summary.Title != Summarize(rs[it.Index]).Title {
				t.Errorf("item %d summary is not its resource's", it.Index)
			}
			if j == 0 || s.ID == "allergies" {
				continue
			}
			prev := s.Items[j-1].Summary.Date
			cur := it.Summary.Date
			if !cur.IsZero() && (prev.IsZero() || cur.After(prev)) {
				t.Errorf("section %q: item %d (%v) after item %d (%v): not newest first", s.ID, it.Index, cur, s.Items[j-1].Index, prev)
			}
			if cur.Equal(prev) && it.Index < s.Items[j-1].Index {
				t.Errorf("section %q: equal dates not in input order", s.ID)
			}
		}
	}
	var patients []int
	for i, r := range rs {
		if r.Type == "Patient" {
			patients = append(patients, i)
		} else if !seen[i] {
			t.Errorf("resource %d (%s) in no section", i, r.Type)
		}
	}
	if !slices.Equal(patients, c.Patients) {
		t.Errorf("Patients = %v, want %v", c.Patients, patients)
	}
}

func TestMakeChartSynthea(t *testing.T) {
	const leta = "synthea/Leta870_Kihn564_5a67c244-3dae-770c-1a41-85790f73b1b1.json"
	rs := bundleResources(t, leta)
	c := MakeChart(rs)
	checkChartShape(t, rs, c)
	if len(c.Patients) != 1 || Summarize(rs[c.Patients[0]]).Title != "Leta870 Kihn564" {
		t.Fatalf("header patients %v, want Leta870 Kihn564", c.Patients)
	}
	want := []string{"problems", "immunizations", "results", "vitals", "procedures", "encounters", "pastProblems", "careplans", "billing", "people"}
	if got := sectionIDs(c); !slices.Equal(got, want) {
		t.Errorf("sections %v, want %v", got, want)
	}
	// Leta's cough and fever are active; her other conditions resolved.
	if got := titles(c, "problems"); !slices.Equal(got, []string{"Cough (finding)", "Fever (finding)"}) {
		t.Errorf("problems %v, want the active cough and fever", got)
	}
	for _, it := range section(c, "pastProblems").Items {
		if it.Summary.Status != "resolved" {
			t.Errorf("past problem %q has status %q", it.Summary.Title, it.Summary.Status)
		}
	}

	// Every Synthea patient: the shape holds.
	for _, f := range testcorpus.Files(t, filepath.Join(testcorpus.Dir(t, ""), "synthea"), ".json") {
		rs := bundleResources(t, filepath.Join("synthea", filepath.Base(f)))
		checkChartShape(t, rs, MakeChart(rs))
	}
}

func TestMakeChartAllergyOrder(t *testing.T) {
	rs := []Resource{
		raw(t, `{"resourceType":"AllergyIntolerance","code":{"text":"Dust"},"recordedDate":"2020-01-01"}`),
		raw(t, `{"resourceType":"AllergyIntolerance","code":{"text":"Cats"},"criticality":"low","recordedDate":"2021-01-01"}`),
		raw(t, `{"resourceType":"AllergyIntolerance","code":{"text":"Old penicillin"},"criticality":"high","clinicalStatus":{"coding":[{"code":"resolved"}]},"recordedDate":"2023-01-01"}`),
		raw(t, `{"resourceType":"AllergyIntolerance","code":{"text":"Latex"},"criticality":"unable-to-assess","recordedDate":"2022-01-01"}`),
		raw(t, `{"resourceType":"AllergyIntolerance","code":{"text":"Peanut"},"criticality":"high","clinicalStatus":{"coding":[{"code":"active"}]},"recordedDate":"2010-01-01"}`),
		raw(t, `{"resourceType":"AllergyIntolerance","code":{"text":"Bee venom"},"criticality":"high","clinicalStatus":{"coding":[{"code":"active"}]},"recordedDate":"2015-01-01"}`),
		raw(t, `{"resourceType":"AllergyIntolerance","code":{"text":"Pollen"},"criticality":"low"}`),
		raw(t, `{"resourceType":"AllergyIntolerance","code":{"text":"Mould"},"criticality":"low","recordedDate":"2021-01-01"}`),
	}
	c := MakeChart(rs)
	checkChartShape(t, rs, c)
	want := []string{
		"Bee venom", "Peanut", // high, active, newest first
		"Old penicillin",          // high but resolved
		"Latex",                   // unable to assess
		"Cats", "Mould", "Pollen", // low: same date in input order, undated last
		"Dust", // no criticality
	}
	if got := titles(c, "allergies"); !slices.Equal(got, want) {
		t.Errorf("allergies\n got %v\nwant %v", got, want)
	}
}

func TestMakeChartActiveAndPast(t *testing.T) {
	rs := []Resource{
		raw(t, `{"resourceType":"Patient","name":[{"given":["Ada"],"family":"Lovelace"}]}`),
		raw(t, `{"resourceType":"Condition","code":{"text":"Asthma"},"clinicalStatus":{"coding":[{"code":"active"}]},"onsetDateTime":"2001-05-01"}`),
		raw(t, `{"resourceType":"Condition","code":{"text":"Flu"},"clinicalStatus":{"coding":[{"code":"resolved"}]},"onsetDateTime":"2022-02-01"}`),
		raw(t, `{"resourceType":"Condition","code":{"text":"Diabetes"},"clinicalStatus":{"coding":[{"code":"recurrence"}]},"onsetDateTime":"2010-05-01"}`),
		raw(t, `{"resourceType":"Condition","code":{"text":"Eczema"},"clinicalStatus":{"coding":[{"code":"remission"}]},"onsetDateTime":"2000-05-01"}`),
		raw(t, `{"resourceType":"Condition","code":{"text":"Broken arm"},"abatementDateTime":"2019-01-01","onsetDateTime":"2018-12-01"}`),
		raw(t, `{"resourceType":"Condition","code":{"text":"Not TB"},"clinicalStatus":{"coding":[{"code":"active"}]},"verificationStatus":{"coding":[{"code":"refuted"}]}}`),
		raw(t, `{"resourceType":"Condition","code":{"text":"Back pain"}}`),
		raw(t, `{"resourceType":"MedicationRequest","status":"active","medicationCodeableConcept":{"text":"Salbutamol"},"authoredOn":"2020-01-01","dosageInstruction":[{"text":"2 puffs as needed"}]}`),
		raw(t, `{"resourceType":"MedicationRequest","status":"stopped","medicationCodeableConcept":{"text":"Amoxicillin"},"authoredOn":"2022-02-01"}`),
		raw(t, `{"resourceType":"MedicationStatement","status":"completed","medicationCodeableConcept":{"text":"Ibuprofen"},"effectiveDateTime":"2018-12-01"}`),
		raw(t, `{"resourceType":"MedicationStatement","status":"on-hold","medicationCodeableConcept":{"text":"Metformin"},"effectiveDateTime":"2010-06-01"}`),
		raw(t, `{"resourceType":"MedicationRequest","status":"entered-in-error","medicationCodeableConcept":{"text":"Wrong drug"}}`),
		raw(t, `{"resourceType":"FamilyMemberHistory","relationship":{"text":"mother"},"condition":[{"code":{"text":"Stroke"}}]}`),
		raw(t, `{"resourceType":"Patient","name":[{"text":"Ada L."}]}`),
	}
	c := MakeChart(rs)
	checkChartShape(t, rs, c)
	if !slices.Equal(c.Patients, []int{0, 14}) {
		t.Errorf("Patients %v, want [0 14]", c.Patients)
	}
	for _, tc := range []struct {
		id   string
		want []string
	}{
		{"problems", []string{"Diabetes", "Asthma", "Back pain"}},
		{"pastProblems", []string{"Flu", "Broken arm", "Eczema", "Not TB"}},
		{"medications", []string{"Salbutamol", "Metformin"}},
		{"pastMedications", []string{"Amoxicillin", "Ibuprofen", "Wrong drug"}},
	} {
		if got := titles(c, tc.id); !slices.Equal(got, tc.want) {
			t.Errorf("%s: got %v, want %v", tc.id, got, tc.want)
		}
	}
	if section(c, "problems") == nil || section(c, "observations") == nil || len(section(c, "observations").Items) != 1 {
		t.Errorf("family history should be an other observation, not a problem: %v", sectionIDs(c))
	}
	if med := section(c, "medications").Items[0].Summary; !slices.Contains(med.Details, "Dosage: 2 puffs as needed") {
		t.Errorf("medication details %v lack the dosage", med.Details)
	}
	if section(c, "people") != nil {
		t.Errorf("Patients belong in the header, not in people")
	}
}

func TestMakeChartResultFlags(t *testing.T) {
	lab := func(value, rest string) string {
		return `{"resourceType":"Observation","category":[{"coding":[{"code":"laboratory"}]}],"code":{"text":"Potassium"},` +
			`"valueQuantity":{"value":` + value + `,"unit":"mmol/L","code":"mmol/L"}` + rest + `}`
	}
	rng := `,"referenceRange":[{"low":{"value":3.5,"unit":"mmol/L","code":"mmol/L"},"high":{"value":5.1,"unit":"mmol/L","code":"mmol/L"}}]`
	interp := func(code string) string {
		return `,"interpretation":[{"coding":[{"system":"http://terminology.hl7.org/CodeSystem/v3-ObservationInterpretation","code":"` + code + `"}]}]`
	}
	tests := []struct {
		name, json, flag string
	}{
		{"in range", lab("4.2", rng), ""},
		{"below low", lab("3.1", rng), "L"},
		{"above high", lab("6.0", rng), "H"},
		{"at the bounds", lab("5.1", rng), ""},
		{"no range", lab("9", ""), ""},
		{"only a high bound", lab("9", `,"referenceRange":[{"high":{"value":5.1,"unit":"mmol/L"}}]`), "H"},
		{"another unit", lab("9", `,"referenceRange":[{"high":{"value":5.1,"unit":"mg/dL","code":"mg/dL"}}]`), ""},
		{"text range", lab("9", `,"referenceRange":[{"text":"3.5 to 5.1"}]`), ""},
		{"less than, below", `{"resourceType":"Observation","code":{"text":"CRP"},"valueQuantity":{"value":2,"comparator":"<","unit":"mg/L"},"referenceRange":[{"low":{"value":3,"unit":"mg/L"}}]}`, "L"},
		{"greater than, maybe below", `{"resourceType":"Observation","code":{"text":"CRP"},"valueQuantity":{"value":2,"comparator":">","unit":"mg/L"},"referenceRange":[{"low":{"value":3,"unit":"mg/L"}}]}`, ""},
		{"string value", lab(`"high"`, rng), ""},
		{"H code", lab("4.2", interp("H")), "H"},
		{"L code", lab("4.2", interp("L")), "L"},
		{"HH code", lab("4.2", interp("HH")), "HH"},
		{"LL code", lab("4.2", interp("LL")), "LL"},
		{"A code", lab("4.2", interp("A")), "A"},
		{"AA code", lab("4.2", interp("AA")), "A"},
		{"HU code", lab("4.2", interp("HU")), "H"},
		{"LU code", lab("4.2", interp("LU")), "L"},
		{"code wins over range: N", lab("6.0", rng+interp("N")), ""},
		{"code wins over range: LL", lab("6.0", rng+interp("LL")), "LL"},
		{"unknown code falls back to range", lab("6.0", rng+interp("XYZ")), "H"},
		{"most severe code wins", lab("4.2", `,"interpretation":[{"coding":[{"code":"H"}]},{"coding":[{"code":"HH"}]}]`), "HH"},
		{"lower-case code", lab("4.2", interp("h")), "H"},
		{"coded value", `{"resourceType":"Observation","code":{"text":"Culture"},"valueCodeableConcept":{"text":"E. coli"}` + interp("A") + `}`, "A"},
	}
	var rs []Resource
	for _, tc := range tests {
		rs = append(rs, raw(t, tc.json))
	}
	c := MakeChart(rs)
	got := map[int]string{}
	for _, s := range c.Sections {
		for _, it := range s.Items {
			got[it.Index] = it.Flag
		}
	}
	for i, tc := range tests {
		if got[i] != tc.flag {
			t.Errorf("%s: flag %q, want %q", tc.name, got[i], tc.flag)
		}
	}
	// Only Observations are flagged.
	c = MakeChart([]Resource{raw(t, `{"resourceType":"DiagnosticReport","code":{"text":"Panel"}`+interp("H")+`}`)})
	if f := c.Sections[0].Items[0].Flag; f != "" {
		t.Errorf("a report got flag %q", f)
	}
}

func TestMakeChartEmpty(t *testing.T) {
	c := MakeChart(nil)
	if len(c.Sections) != 0 || len(c.Patients) != 0 {
		t.Errorf("empty input gave %+v", c)
	}
	// Unreadable JSON still lands somewhere, never panics.
	rs := []Resource{{Type: "Observation", Raw: json.RawMessage(`{not json`)}, {Raw: json.RawMessage(`[]`)}}
	checkChartShape(t, rs, MakeChart(rs))
}

// ChartSections lists every section once, in the order MakeChart lays
// them out: the app places the kept files' Documents section by it.
func TestChartSectionsOrder(t *testing.T) {
	all := ChartSections()
	var ids []string
	for _, s := range all {
		if len(s.Items) != 0 || s.Title == "" {
			t.Errorf("section %+v: want a title and no records", s)
		}
		ids = append(ids, s.ID)
	}
	want := []string{"allergies", "problems", "medications", "immunizations", "results", "vitals", "procedures",
		"encounters", "documents", "pastProblems", "pastMedications", "careplans", "observations", "billing", "people", "other"}
	if !slices.Equal(ids, want) {
		t.Errorf("ChartSections %q, want %q", ids, want)
	}
}
