package app

import (
	"context"
	"encoding/json"
	"fmt"
	"image/png"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"healthwallet/wallet"
	"healthwallet/wallet/network"
	"healthwallet/wallet/record"
	"healthwallet/wallet/share"
	"healthwallet/wallet/testcorpus"
)

// syntheaPatients are the records of each Synthea patient of the shared
// corpus (its files holding a Patient), by file name.
func syntheaPatients(t *testing.T) map[string][]json.RawMessage {
	t.Helper()
	out := map[string][]json.RawMessage{}
	for _, path := range testcorpus.Files(t, testcorpus.Dir(t, "synthea"), ".json") {
		data, err := os.ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		var bundle struct {
			Entry []struct{ Resource json.RawMessage } `json:"entry"`
		}
		if err := json.Unmarshal(data, &bundle); err != nil {
			t.Fatalf("%s: %v", path, err)
		}
		var raws []json.RawMessage
		patient := false
		for _, e := range bundle.Entry {
			raws = append(raws, e.Resource)
			patient = patient || strings.Contains(string(e.Resource[:min(len(e.Resource), 40)]), `"Patient"`)
		}
		if patient {
			out[filepath.Base(path)] = raws
		}
	}
	if len(out) == 0 {
		t.Fatal("no Synthea patient in the corpus")
	}
	return out
}

// syntheaReceiving is the fake backend whose every link brings records,
// from another issuer: nothing names the patient but the Patient resource.
type syntheaReceiving struct {
	*fakeBackend
	records []json.RawMessage
}

func (b *syntheaReceiving) Receive(ctx context.Context, link string, trusted []network.Membership, opts wallet.ReceiveOptions) (wallet.Received, error) {
	return wallet.Received{Report: share.Report{Source: share.SourceOther, Records: b.records,
		Checks: []share.Check{{Name: share.CheckLinkWellFormed, OK: true}}}}, nil
}

// Every Synthea patient of the corpus, received in the app at phone size:
// headed by the Patient resource's name with sex and birth date, the
// sections MakeChart makes in its order with their counts, at most
// sectionPreview records each until "Show all", which shows the rest.
func TestReceivedSyntheaPatients(t *testing.T) {
	expanded := 0
	for file, records := range syntheaPatients(t) {
		t.Run(file, func(t *testing.T) {
			b := &syntheaReceiving{fakeBackend: newFakeBackend(false), records: records}
			h := newHarness(t, b, phoneSize, false)
			h.tap("Receive a share (for doctors)")
			h.typeIn(h.entry("Paste a link or scan a QR code"), testLinkOther)
			h.pressEnter()
			h.see("From another issuer — not verifiable")

			chart := record.MakeChart(resourcesOf(records))
			if len(chart.Patients) == 0 {
				t.Fatal("MakeChart found no Patient")
			}
			name := record.Summarize(resourcesOf([]json.RawMessage{records[chart.Patients[0]]})[0]).Title
			if got := h.heading(); got != name || name == "" {
				t.Errorf("headed %q, want the Patient resource's name %q", got, name)
			}
			h.see(" · born ")

			var want []string
			for _, s := range chart.Sections {
				want = append(want, fmt.Sprintf("%s (%d)", s.Title, len(s.Items)))
				for _, it := range s.Items[:min(len(s.Items), sectionPreview)] {
					want = append(want, it.Summary.Title)
				}
			}
			if got := h.chartShown(); !slices.Equal(got, want) {
				t.Errorf("the chart shows\n%q\nwant\n%q", got, want)
			}
			// The sections' counts against the test's own count of the
			// records by type and category, and their order the chart's.
			shown := sectionCounts(h.chartShown())
			for _, c := range kindCounts(records) {
				if got := shown[c.section]; got != c.n {
					t.Errorf("%s: the chart shows %d, the bundle holds %d (%s)", c.section, got, c.n, c.what)
				}
			}
			var order []string
			for _, line := range h.chartShown() {
				at := strings.LastIndex(line, " (")
				if sectionHeadingRE.MatchString(line) && slices.Contains(chartOrder, line[:max(at, 0)]) {
					order = append(order, line[:at])
				}
			}
			if !isSubsequence(order, chartOrder) {
				t.Errorf("the sections are in the order %q, want a part of %q", order, chartOrder)
			}
			for _, s := range chart.Sections {
				if len(s.Items) > sectionPreview {
					h.tap(fmt.Sprintf("Show all %d", len(s.Items)))
					shown := 0
					for _, o := range h.objects() {
						if _, ok := o.(*tapRow); ok {
							shown++
						}
					}
					if shown < len(s.Items) {
						t.Errorf("after Show all %d, %d rows in all", len(s.Items), shown)
					}
					expanded++
					break
				}
			}
			if os.Getenv("HW_SHOT") != "" {
				saveCapture(t, h, filepath.Join(os.Getenv("HW_SHOT"), file+".png"))
			}
		})
	}
	if expanded == 0 {
		t.Error("no Synthea patient has a section longer than the preview: Show all untested")
	}
}

// A share of 500 records (every Synthea patient's records but one
// patient's, repeated) opens in the app at phone size; the time is logged
// for a person to read, not asserted (no timed tests: a loaded machine
// made a 5 s bound fail on code that had not changed).
func TestReceivedLargeShare(t *testing.T) {
	var records []json.RawMessage
	patients := syntheaPatients(t)
	names := slices.Sorted(func(yield func(string) bool) {
		for k := range patients {
			if !yield(k) {
				return
			}
		}
	})
	records = append(records, patients[names[0]]...)
	for len(records) < 500 {
		for _, name := range names[1:] {
			for _, raw := range patients[name] {
				if len(records) < 500 && !strings.Contains(string(raw[:min(len(raw), 40)]), `"Patient"`) {
					records = append(records, raw)
				}
			}
		}
	}
	b := &syntheaReceiving{fakeBackend: newFakeBackend(false), records: records}
	h := newHarness(t, b, phoneSize, false)
	h.tap("Receive a share (for doctors)")
	h.typeIn(h.entry("Paste a link or scan a QR code"), testLinkOther)
	start := time.Now()
	h.pressEnter()
	h.capture()
	took := time.Since(start)
	t.Logf("a %d-record share opened and drawn in %v", len(records), took)
	h.see("Records (500)")
	if got := len(h.chartShown()); got < 2 {
		t.Errorf("a 500-record share shows %d chart lines", got)
	}
}

// saveCapture writes what the window shows to path, for a person to look
// at (HW_SHOT=dir).
func saveCapture(t *testing.T, h *harness, path string) {
	f, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if err := png.Encode(f, h.capture()); err != nil {
		t.Fatal(err)
	}
}

// chartOrder is the order of a chart's sections, as the web viewer shows
// them (wallet/viewer/web/src/chart.js).
var chartOrder = []string{"Allergies and intolerances", "Problems", "Medications", "Immunizations", "Results",
	"Vital signs", "Procedures", "Encounters", "Documents", "Past problems", "Past medications", "Care plans",
	"Other observations", "Insurance & billing", "People & organizations", "Other"}

// kindCount is how many records of a bundle a chart section (or two,
// joined by "+") must hold, counted from their types and categories.
type kindCount struct {
	section, what string
	n             int
}

// kindCounts counts a bundle's records by what they are, without the
// chart's code: allergies, conditions (current and past problems), vital
// signs, immunizations, procedures, encounters and billing.
func kindCounts(records []json.RawMessage) []kindCount {
	counts := []kindCount{
		{section: "Allergies and intolerances", what: "AllergyIntolerance"},
		{section: "Problems+Past problems", what: "Condition"},
		{section: "Immunizations", what: "Immunization"},
		{section: "Vital signs", what: "Observation of category vital-signs"},
		{section: "Procedures", what: "Procedure"},
		{section: "Encounters", what: "Encounter"},
		{section: "Insurance & billing", what: "Claim, ExplanationOfBenefit, Coverage"},
	}
	for _, raw := range records {
		var r struct {
			ResourceType string `json:"resourceType"`
			Category     []struct {
				Coding []struct{ Code string } `json:"coding"`
			} `json:"category"`
		}
		if json.Unmarshal(raw, &r) != nil {
			continue
		}
		category := ""
		if len(r.Category) > 0 && len(r.Category[0].Coding) > 0 {
			category = r.Category[0].Coding[0].Code
		}
		i := -1
		switch {
		case r.ResourceType == "AllergyIntolerance":
			i = 0
		case r.ResourceType == "Condition":
			i = 1
		case r.ResourceType == "Immunization":
			i = 2
		case r.ResourceType == "Observation" && category == "vital-signs":
			i = 3
		case r.ResourceType == "Procedure":
			i = 4
		case r.ResourceType == "Encounter":
			i = 5
		case r.ResourceType == "Claim" || r.ResourceType == "ExplanationOfBenefit" || r.ResourceType == "Coverage":
			i = 6
		}
		if i >= 0 {
			counts[i].n++
		}
	}
	return counts
}

// sectionCounts reads the sections' headings ("Problems (3)") as counts
// by title; "A+B" keys sum two sections.
func sectionCounts(shown []string) map[string]int {
	out := map[string]int{}
	for _, line := range shown {
		if !sectionHeadingRE.MatchString(line) {
			continue
		}
		at := strings.LastIndex(line, " (")
		var n int
		if _, err := fmt.Sscanf(line[at:], " (%d)", &n); err == nil {
			out[line[:at]] += n
		}
	}
	out["Problems+Past problems"] = out["Problems"] + out["Past problems"]
	return out
}

// isSubsequence says whether every item of part is in whole, in whole's
// order.
func isSubsequence(part, whole []string) bool {
	i := 0
	for _, w := range whole {
		if i < len(part) && part[i] == w {
			i++
		}
	}
	return i == len(part)
}
