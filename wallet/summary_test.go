package wallet

import (
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"healthwallet/wallet/record"
	"healthwallet/wallet/testcorpus"
)

// fileSummary is the test's own reading of a FHIR Bundle: how many records
// of each part the patient summary should hold, and the latest date in it.
type fileSummary struct {
	counts map[string]int
	latest time.Time
}

// readFileSummary reads the Bundle at path the way a clinician would pick
// the summary by hand, from the raw FHIR fields, as of now.
func readFileSummary(t *testing.T, path string, now time.Time) fileSummary {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	type coding struct{ System, Code string }
	type concept struct{ Coding []coding }
	var bundle struct {
		Entry []struct {
			Resource struct {
				ResourceType       string
				Status             string
				ClinicalStatus     *concept
				VerificationStatus *concept
				Category           json.RawMessage
				Code               concept
				EffectiveDateTime  string
				Issued             string
			}
		}
	}
	if err := json.Unmarshal(b, &bundle); err != nil {
		t.Fatal(err)
	}
	code := func(c *concept) string {
		if c == nil || len(c.Coding) == 0 {
			return ""
		}
		return c.Coding[0].Code
	}
	fs := fileSummary{counts: map[string]int{}}
	type result struct {
		when time.Time
		part string
	}
	newest := map[string]time.Time{} // test code → its latest date
	var results []struct {
		key string
		result
	}
	for _, e := range bundle.Entry {
		r := e.Resource
		if v := code(r.VerificationStatus); v == "refuted" || v == "entered-in-error" {
			continue
		}
		switch r.ResourceType {
		case "Patient":
			fs.counts[SummaryPatient]++
		case "AllergyIntolerance":
			if s := code(r.ClinicalStatus); s != "inactive" && s != "resolved" {
				fs.counts[SummaryAllergies]++
			}
		case "Condition":
			if s := code(r.ClinicalStatus); s == "active" || s == "recurrence" || s == "relapse" || s == "" {
				fs.counts[SummaryProblems]++
			}
		case "MedicationRequest", "MedicationStatement":
			if r.Status == "active" || r.Status == "intended" || r.Status == "on-hold" || r.Status == "draft" || r.Status == "unknown" {
				fs.counts[SummaryMedications]++
			}
		case "Immunization":
			if r.Status == "completed" {
				fs.counts[SummaryImmunizations]++
			}
		case "Observation", "DiagnosticReport":
			part := ""
			cat := string(r.Category)
			switch {
			case strings.Contains(cat, `"vital-signs"`):
				part = SummaryVitals
			case strings.Contains(cat, `"laboratory"`) || r.ResourceType == "DiagnosticReport":
				part = SummaryResults
			default:
				continue
			}
			when, _ := time.Parse(time.RFC3339, r.EffectiveDateTime)
			if when.After(fs.latest) {
				fs.latest = when
			}
			key := r.ResourceType + part
			if len(r.Code.Coding) > 0 {
				key += r.Code.Coding[0].System + r.Code.Coding[0].Code
			}
			if when.After(newest[key]) || newest[key].IsZero() {
				newest[key] = when
			}
			results = append(results, struct {
				key string
				result
			}{key, result{when, part}})
		}
	}
	recent := now.AddDate(0, -SummaryRecentMonths, 0)
	latestTaken := map[string]bool{}
	for _, r := range results {
		switch {
		case !r.when.Before(recent):
			fs.counts[r.part]++
		case r.when.Equal(newest[r.key]) && !latestTaken[r.key]:
			latestTaken[r.key] = true
			fs.counts[r.part]++
		}
	}
	return fs
}

// The patient summary of real patients (Synthea, and the IPS example of
// the SMART Health Links spec) holds what a doctor reads first — the
// patient, allergies, active problems, current medications, immunizations,
// recent results and vital signs — counted as the test reads each file
// itself, and never a Claim, ExplanationOfBenefit or Coverage.
func TestPatientSummaryOfRealPatients(t *testing.T) {
	files := testcorpus.Files(t, testcorpus.Dir(t, "synthea"), ".json")
	files = slices.DeleteFunc(files, func(f string) bool { return strings.Count(filepath.Base(f), "_") < 2 }) // the hospital lists
	files = append(files, filepath.Join(testcorpus.Dir(t, "shl-spec"), "IPS_IG-bundle-01.json"))
	for _, f := range files {
		t.Run(filepath.Base(f), func(t *testing.T) {
			// The summary's window is the 12 months before "now": put now
			// a month after the file's last result, so the window holds
			// some results and leaves older ones to "latest of each".
			probe := readFileSummary(t, f, time.Now())
			when := probe.latest.AddDate(0, 1, 0)
			if probe.latest.IsZero() {
				when = time.Now()
			}
			defer func(old func() time.Time) { now = old }(now)
			now = func() time.Time { return when }
			want := readFileSummary(t, f, when)

			w := newTestWallet(t)
			if _, err := w.Import(context.Background(), []string{f}, nil); err != nil {
				t.Fatal(err)
			}
			sum, err := w.PatientSummary("")
			if err != nil {
				t.Fatal(err)
			}
			got := map[string]int{}
			for _, p := range sum.Parts {
				got[p.Name] = len(p.Records)
			}
			for _, part := range summaryParts {
				if got[part] != want.counts[part] {
					t.Errorf("%s: the summary holds %d, the file has %d", part, got[part], want.counts[part])
				}
			}
			// Years later, the window is empty: only the latest of each test.
			later := when.AddDate(3, 0, 0)
			wantLater := readFileSummary(t, f, later)
			for _, p := range SummarizeRecords(allRecords(t, w), later).Parts {
				if len(p.Records) != wantLater.counts[p.Name] {
					t.Errorf("three years on, %s: the summary holds %d, the file has %d", p.Name, len(p.Records), wantLater.counts[p.Name])
				}
			}
			if want.counts[SummaryPatient] != 1 || want.counts[SummaryProblems]+want.counts[SummaryImmunizations]+want.counts[SummaryResults] == 0 {
				t.Fatalf("the file is not a patient with a history: %v", want.counts)
			}

			recs, err := w.selectRecords(ShareRequest{Summary: true})
			if err != nil {
				t.Fatal(err)
			}
			if len(recs) != len(sum.Records()) {
				t.Errorf("a summary share holds %d records, the summary %d", len(recs), len(sum.Records()))
			}
			for _, r := range recs {
				if isBilling(r.ResourceType) {
					t.Errorf("the summary holds a %s (%s)", r.ResourceType, r.Title)
				}
			}
			all, err := w.Records(Query{})
			if err != nil {
				t.Fatal(err)
			}
			t.Logf("summary: %d of %d records: %s", len(recs), len(all), sum.Describe())
			if len(recs) >= len(all) {
				t.Errorf("the summary holds %d of %d records: not a summary", len(recs), len(all))
			}
		})
	}
}

func isBilling(resourceType string) bool {
	return resourceType == "Claim" || resourceType == "ExplanationOfBenefit" || resourceType == "Coverage"
}

// What a share holds: nothing chosen is refused (never "everything"); All
// is every record, billing included; billing comes with a choice by type
// or id, never with a date range alone; the summary is not mixed with
// another choice.
func TestShareSelectionAndBilling(t *testing.T) {
	dir := testcorpus.Dir(t, "synthea")
	w := newTestWallet(t)
	if _, err := w.Import(context.Background(), []string{filepath.Join(dir, "Pablo44_Sporer811_ea2dd5fa-0e9e-4d5b-6384-13f67dc0c142.json")}, nil); err != nil {
		t.Fatal(err)
	}
	everything, err := w.Records(Query{})
	if err != nil {
		t.Fatal(err)
	}
	billing := 0
	for _, r := range everything {
		if isBilling(r.ResourceType) {
			billing++
		}
	}
	if billing == 0 {
		t.Fatal("the patient has no billing records: the test proves nothing")
	}
	countBilling := func(recs []record.Record) int {
		n := 0
		for _, r := range recs {
			if isBilling(r.ResourceType) {
				n++
			}
		}
		return n
	}

	if _, err := w.selectRecords(ShareRequest{}); err == nil || !strings.Contains(err.Error(), "choose what to share") {
		t.Errorf("an empty choice: %v, want it refused with what to choose", err)
	}
	if _, err := w.selectRecords(ShareRequest{Summary: true, All: true}); err == nil {
		t.Error("the summary and all records at once were accepted")
	}
	all, err := w.selectRecords(ShareRequest{All: true})
	if err != nil {
		t.Fatal(err)
	}
	if len(all) != len(everything) || countBilling(all) != billing {
		t.Errorf("All holds %d records (%d billing), want every one of %d (%d billing)", len(all), countBilling(all), len(everything), billing)
	}
	dated, err := w.selectRecords(ShareRequest{From: time.Date(1900, 1, 1, 0, 0, 0, 0, time.UTC)})
	if err != nil {
		t.Fatal(err)
	}
	if n := countBilling(dated); n != 0 {
		t.Errorf("a date range alone holds %d billing records, want none", n)
	}
	claims, err := w.selectRecords(ShareRequest{ResourceTypes: []string{"Claim"}})
	if err != nil || len(claims) == 0 || countBilling(claims) != len(claims) {
		t.Errorf("billing chosen by type: %d records, %v", len(claims), err)
	}
}

func allRecords(t *testing.T, w *Wallet) []record.Record {
	t.Helper()
	recs, err := w.Records(Query{})
	if err != nil {
		t.Fatal(err)
	}
	return recs
}
