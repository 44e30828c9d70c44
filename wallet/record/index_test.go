package record

import (
	"fmt"
	"math/rand/v2"
	"slices"
	"sort"
	"sync"
	"testing"
	"time"
)

func rec(id, typ, title, category string, date string, codes ...Code) Record {
	r := Record{ID: id, ResourceType: typ, Summary: Summary{Title: title, Category: category, Codes: codes}}
	if date != "" {
		r.Date, _ = ParseDate(date)
	}
	return r
}

func ids(rs []Record) []string {
	var out []string
	for _, r := range rs {
		out = append(out, r.ID)
	}
	return out
}

func smallIndex() *Index {
	ix := NewIndex()
	ix.Put(rec("met", "MedicationRequest", "Metformin 500 MG Oral Tablet", CategoryMedications, "2021-05-01",
		Code{System: "http://www.nlm.nih.gov/research/umls/rxnorm", Code: "860975", Display: "Metformin 500 MG Oral Tablet"}))
	ix.Put(rec("dm", "Condition", "Diabetes mellitus type 2", CategoryConditions, "2015-03",
		Code{System: "http://snomed.info/sct", Code: "44054006", Display: "Diabetes mellitus type 2 (disorder)"}))
	ix.Put(rec("bp", "Observation", "Blood pressure panel", CategoryVitalSigns, "2022-01-10"))
	ix.Put(rec("glu", "Observation", "Glucose [Moles/volume] in Blood", CategoryLabResults, "2013-04-02"))
	ix.Put(rec("pat", "Patient", "Ada Lovelace", CategoryPeople, ""))
	r := rec("flu", "Immunization", "Influenza, seasonal", CategoryImmunizations, "2019-10-01")
	r.Details = []string{"Note: given for diabetes risk"}
	ix.Put(r)
	return ix
}

func TestIndexSearch(t *testing.T) {
	ix := smallIndex()
	tests := []struct {
		q    string
		want []string
	}{
		{"metf", []string{"met"}},
		{"METFORMIN", []string{"met"}},
		{"44054006", []string{"dm"}},
		{"860975", []string{"met"}},
		{"diab", []string{"dm", "flu"}}, // title match ranks above a detail match
		{"blood", []string{"bp", "glu"}},
		{"blood press", []string{"bp"}},
		{"press blood", []string{"bp"}},
		{"lab results", []string{"glu"}},
		{"immunization", []string{"flu"}},
		{"vital", []string{"bp"}},
		{"etformin", nil}, // prefixes of words, not substrings
		{"metformin aspirin", nil},
		{"moles/volume", []string{"glu"}},
	}
	for _, tc := range tests {
		if got := ids(ix.Search(tc.q, 10)); !slices.Equal(got, tc.want) {
			t.Errorf("Search(%q) = %v, want %v", tc.q, got, tc.want)
		}
	}
	if got := ix.Search("o", 2); len(got) != 2 {
		t.Errorf("limit 2 gave %d", len(got))
	}
	if got := ids(ix.Search("", 3)); !slices.Equal(got, []string{"bp", "met", "flu"}) {
		t.Errorf("empty query gave %v, want the timeline", got)
	}
}

func TestIndexTimelineAndFilters(t *testing.T) {
	ix := smallIndex()
	if got := ids(ix.List(Filter{})); !slices.Equal(got, []string{"bp", "met", "flu", "dm", "glu", "pat"}) {
		t.Errorf("timeline %v", got)
	}
	if got := ids(ix.List(Filter{Category: CategoryVitalSigns})); !slices.Equal(got, []string{"bp"}) {
		t.Errorf("category filter %v", got)
	}
	if got := ids(ix.List(Filter{ResourceType: "Observation"})); !slices.Equal(got, []string{"bp", "glu"}) {
		t.Errorf("type filter %v", got)
	}
	from, _ := ParseDate("2015-01-01")
	to, _ := ParseDate("2021-05-01")
	if got := ids(ix.List(Filter{From: from, To: to})); !slices.Equal(got, []string{"met", "flu", "dm"}) {
		t.Errorf("date filter %v", got)
	}
	if got := ids(ix.List(Filter{Text: "diab"})); !slices.Equal(got, []string{"flu", "dm"}) {
		t.Errorf("text filter in timeline order %v", got)
	}
	if got := ids(ix.List(Filter{Limit: 2})); len(got) != 2 {
		t.Errorf("limit %v", got)
	}
	if c := ix.Categories(); c[CategoryVitalSigns] != 1 || c[CategoryMedications] != 1 || len(c) != 6 {
		t.Errorf("categories %v", c)
	}
}

func TestIndexReplaceRemove(t *testing.T) {
	ix := smallIndex()
	ix.Put(rec("met", "MedicationRequest", "Aspirin 81 MG", CategoryMedications, "2023-01-01"))
	if ix.Len() != 6 {
		t.Errorf("Len after replace = %d", ix.Len())
	}
	if got := ix.Search("metformin", 0); len(got) != 0 {
		t.Errorf("the replaced version is still found: %v", ids(got))
	}
	if got := ids(ix.Search("aspirin", 0)); !slices.Equal(got, []string{"met"}) {
		t.Errorf("new version not found: %v", got)
	}
	if r, ok := ix.Get("met"); !ok || r.Title != "Aspirin 81 MG" {
		t.Errorf("Get = %v, %v", r, ok)
	}
	if !ix.Remove("dm") || ix.Remove("dm") {
		t.Error("Remove should report true once")
	}
	if _, ok := ix.Get("dm"); ok || len(ix.Search("44054006", 0)) != 0 || ix.Len() != 5 {
		t.Error("removed record still there")
	}
	if got := ids(ix.List(Filter{})); slices.Contains(got, "dm") || got[0] != "met" {
		t.Errorf("timeline after changes %v", got)
	}
	// Enough churn to compact: the survivors must still be found.
	for i := range 5000 {
		ix.Put(rec(fmt.Sprintf("tmp%d", i%100), "Observation", fmt.Sprintf("Churn %d", i), CategoryLabResults, ""))
	}
	if ix.Len() != 105 || len(ix.Search("churn", 0)) != 100 || len(ix.Search("aspirin", 0)) != 1 {
		t.Errorf("after churn: len %d, churn %d", ix.Len(), len(ix.Search("churn", 0)))
	}
	if len(ix.recs) > 2*ix.Len()+1100 {
		t.Errorf("no compaction: %d slots for %d records", len(ix.recs), ix.Len())
	}
}

func TestIndexConcurrent(t *testing.T) {
	ix := smallIndex()
	var wg sync.WaitGroup
	for g := range 4 {
		wg.Go(func() {
			for i := range 500 {
				id := fmt.Sprintf("g%d-%d", g, i%50)
				ix.Put(rec(id, "Condition", fmt.Sprintf("Asthma %d", i), CategoryConditions, "2020-01-01"))
				ix.Search("asth", 5)
				ix.List(Filter{Limit: 3})
				if i%7 == 0 {
					ix.Remove(id)
				}
			}
		})
	}
	wg.Wait()
	if n := len(ix.Search("asthma", 0)); n != ix.Len()-6 {
		t.Errorf("%d asthma records found, %d in index", n, ix.Len()-6)
	}
}

// synthetic builds n realistic record summaries: the mix of a Synthea
// history (encounters, claims, observations, conditions, medications,
// immunizations) over 20 years.
func synthetic(n int) []Record {
	r := rand.New(rand.NewPCG(1, 2))
	type item struct{ typ, cat, title, code, system, unit string }
	items := []item{
		{"Condition", CategoryConditions, "Diabetes mellitus type 2 (disorder)", "44054006", "http://snomed.info/sct", ""},
		{"Condition", CategoryConditions, "Essential hypertension (disorder)", "59621000", "http://snomed.info/sct", ""},
		{"Condition", CategoryConditions, "Acute bronchitis (disorder)", "10509002", "http://snomed.info/sct", ""},
		{"Condition", CategoryConditions, "Viral sinusitis (disorder)", "444814009", "http://snomed.info/sct", ""},
		{"Condition", CategoryConditions, "Prediabetes", "15777000", "http://snomed.info/sct", ""},
		{"Condition", CategoryConditions, "Childhood asthma", "233678006", "http://snomed.info/sct", ""},
		{"MedicationRequest", CategoryMedications, "24 HR Metformin hydrochloride 500 MG Extended Release Oral Tablet", "860975", "http://www.nlm.nih.gov/research/umls/rxnorm", ""},
		{"MedicationRequest", CategoryMedications, "Hydrochlorothiazide 25 MG Oral Tablet", "310798", "http://www.nlm.nih.gov/research/umls/rxnorm", ""},
		{"MedicationRequest", CategoryMedications, "Amoxicillin 250 MG / Clavulanate 125 MG Oral Tablet", "562251", "http://www.nlm.nih.gov/research/umls/rxnorm", ""},
		{"MedicationRequest", CategoryMedications, "Acetaminophen 325 MG Oral Tablet", "313782", "http://www.nlm.nih.gov/research/umls/rxnorm", ""},
		{"Observation", CategoryVitalSigns, "Body Height", "8302-2", "http://loinc.org", "cm"},
		{"Observation", CategoryVitalSigns, "Body Weight", "29463-7", "http://loinc.org", "kg"},
		{"Observation", CategoryVitalSigns, "Heart rate", "8867-4", "http://loinc.org", "/min"},
		{"Observation", CategoryVitalSigns, "Blood Pressure", "85354-9", "http://loinc.org", "mmHg"},
		{"Observation", CategoryVitalSigns, "Body mass index (BMI) [Ratio]", "39156-5", "http://loinc.org", "kg/m²"},
		{"Observation", CategoryLabResults, "Hemoglobin A1c/Hemoglobin.total in Blood", "4548-4", "http://loinc.org", "%"},
		{"Observation", CategoryLabResults, "Glucose [Mass/volume] in Blood", "2339-0", "http://loinc.org", "mg/dL"},
		{"Observation", CategoryLabResults, "Cholesterol [Mass/volume] in Serum or Plasma", "2093-3", "http://loinc.org", "mg/dL"},
		{"Observation", CategoryLabResults, "Creatinine [Mass/volume] in Blood", "38483-4", "http://loinc.org", "mg/dL"},
		{"Observation", CategoryObservations, "Tobacco smoking status NHIS", "72166-2", "http://loinc.org", ""},
		{"Immunization", CategoryImmunizations, "Influenza, seasonal, injectable, preservative free", "140", "http://hl7.org/fhir/sid/cvx", ""},
		{"Immunization", CategoryImmunizations, "Td (adult) preservative free", "113", "http://hl7.org/fhir/sid/cvx", ""},
		{"Encounter", CategoryEncounters, "General examination of patient (procedure)", "162673000", "http://snomed.info/sct", ""},
		{"Encounter", CategoryEncounters, "Encounter for symptom", "185345009", "http://snomed.info/sct", ""},
		{"Encounter", CategoryEncounters, "Well child visit (procedure)", "410620009", "http://snomed.info/sct", ""},
		{"Claim", CategoryInsurance, "Claim – institutional", "institutional", "http://terminology.hl7.org/CodeSystem/claim-type", ""},
		{"ExplanationOfBenefit", CategoryInsurance, "Explanation of benefit – professional", "professional", "http://terminology.hl7.org/CodeSystem/claim-type", ""},
		{"Procedure", CategoryProcedures, "Medication Reconciliation (procedure)", "430193006", "http://snomed.info/sct", ""},
		{"DiagnosticReport", CategoryLabResults, "Lipid Panel", "57698-3", "http://loinc.org", ""},
		{"CarePlan", CategoryCarePlans, "Diabetes self management plan", "698360004", "http://snomed.info/sct", ""},
	}
	providers := []string{"PCP24285", "MARLBOROUGH HOSPITAL", "MOUNT AUBURN HOSPITAL", "STURDY MEMORIAL HOSPITAL", "Dr. Cordell41 Ferry570", "Dr. Janette321 Fisher429"}
	base := time.Date(2005, 1, 1, 0, 0, 0, 0, time.UTC)
	out := make([]Record, n)
	for i := range out {
		it := items[r.IntN(len(items))]
		rec := Record{
			ID:           fmt.Sprintf("%016x", r.Uint64()),
			ResourceType: it.typ,
			ResourceID:   fmt.Sprintf("%08x-%04x-%04x", r.Uint32(), i&0xffff, r.IntN(1<<16)),
			Version:      1,
			Summary: Summary{
				Title:    it.title,
				Category: it.cat,
				Status:   "final",
				Codes:    []Code{{System: it.system, Code: it.code, Display: it.title}},
			},
		}
		if r.IntN(50) > 0 {
			rec.Date = base.Add(time.Duration(r.Int64N(int64(20 * 365 * 24 * time.Hour))))
		}
		switch it.typ {
		case "Observation":
			rec.Details = []string{fmt.Sprintf("Value: %d.%d %s", 40+r.IntN(120), r.IntN(10), it.unit)}
		case "MedicationRequest":
			rec.Details = []string{"Dosage: 1 tablet, twice a day, oral route", "Prescriber: " + providers[r.IntN(len(providers))]}
		case "Claim", "ExplanationOfBenefit":
			rec.Details = []string{fmt.Sprintf("Total: %d.%02d USD", r.IntN(2000), r.IntN(100)), "Provider: " + providers[r.IntN(len(providers))]}
		case "Encounter":
			rec.Details = []string{"Class: ambulatory", "Provider: " + providers[r.IntN(len(providers))]}
		}
		out[i] = rec
	}
	return out
}

func BenchmarkIndexBuild100k(b *testing.B) {
	recs := synthetic(100_000)
	b.ReportAllocs()
	for b.Loop() {
		ix := NewIndex()
		ix.PutAll(recs)
		ix.Search("metformin", 1) // includes the lazy sort of the token list
	}
}

var benchQueries = []string{
	"metf", "metformin", "diabetes", "44054006", "blood pressure", "a", "hyp", "glucose blood",
	"claim", "influenza", "dr", "lab results", "hemoglobin a1c", "mount auburn", "4548", "body",
	"tablet oral", "vital", "encounter symptom", "zzz",
}

func BenchmarkIndexSearch100k(b *testing.B) {
	ix := NewIndex()
	ix.PutAll(synthetic(100_000))
	ix.Search("warm up", 1)
	var lat []time.Duration
	i := 0
	for b.Loop() {
		q := benchQueries[i%len(benchQueries)]
		i++
		start := time.Now()
		ix.Search(q, 50)
		lat = append(lat, time.Since(start))
	}
	sort.Slice(lat, func(a, c int) bool { return lat[a] < lat[c] })
	b.ReportMetric(float64(lat[len(lat)*95/100].Microseconds())/1000, "p95-ms")
	b.ReportMetric(float64(lat[len(lat)-1].Microseconds())/1000, "max-ms")
}

// TestIndexSearchLatency keeps the 25 ms p95 budget honest in plain test
// runs (shortened with -short).
// TestIndexSearch100k checks that search finds the right record among
// 100,000. Its speed is a benchmark's business (BenchmarkVault100k reports
// the p95 the README quotes), not a timed test's.
func TestIndexSearch100k(t *testing.T) {
	if testing.Short() {
		t.Skip("builds a 100,000-record index")
	}
	ix := NewIndex()
	ix.PutAll(synthetic(100_000))
	for _, q := range benchQueries {
		res := ix.Search(q, 50)
		if q == "44054006" && (len(res) == 0 || res[0].Title != "Diabetes mellitus type 2 (disorder)") {
			t.Errorf("code search found %v", ids(res))
		}
	}
}
