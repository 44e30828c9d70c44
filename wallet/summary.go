package wallet

import (
	"fmt"
	"slices"
	"strings"
	"time"

	"healthwallet/wallet/record"
)

// The patient summary (issue 12, item 2) is what a share holds unless the
// person chooses otherwise: what a doctor needs at a first visit, as the
// International Patient Summary has it, and nothing about money.
//
//   - the person's Patient record (the chart's header);
//   - allergies and intolerances, but not those resolved, refuted or
//     entered in error;
//   - active problems (Conditions not resolved, inactive, in remission,
//     refuted or entered in error);
//   - current medications (MedicationRequest and MedicationStatement not
//     completed, stopped, cancelled…);
//   - immunizations (all given; not those not done or entered in error);
//   - recent results and vital signs: the latest of each test or
//     measurement, and every one from the last SummaryRecentMonths months.
//
// Billing (Claim, ExplanationOfBenefit, Coverage…), visits, procedures,
// documents and care plans are never part of it; they are shared when
// chosen by type or id.

// SummaryRecentMonths is how far back the summary keeps every result and
// vital sign; older ones are kept only when they are the latest of their
// test.
const SummaryRecentMonths = 12

// The parts of a patient summary, in the order a summary lists them.
const (
	SummaryPatient       = "patient"
	SummaryAllergies     = "allergies"
	SummaryProblems      = "active problems"
	SummaryMedications   = "current medications"
	SummaryImmunizations = "immunizations"
	SummaryResults       = "recent results"
	SummaryVitals        = "recent vital signs"
)

var summaryParts = []string{
	SummaryPatient, SummaryAllergies, SummaryProblems, SummaryMedications,
	SummaryImmunizations, SummaryResults, SummaryVitals,
}

// SummaryPart is one part of a patient summary and its records.
type SummaryPart struct {
	Name    string // one of the Summary… constants
	Records []record.Record
}

// PatientSummary is what a share of the patient summary holds.
type PatientSummary struct {
	Parts []SummaryPart // only the parts with records, in summaryParts order
}

// Records are every record of the summary, part after part.
func (s PatientSummary) Records() []record.Record {
	var out []record.Record
	for _, p := range s.Parts {
		out = append(out, p.Records...)
	}
	return out
}

// Describe says what the summary holds in words, without the Patient
// record: "2 allergies, 3 active problems, 1 current medication, 9
// immunizations, 12 recent results".
func (s PatientSummary) Describe() string {
	var words []string
	for _, p := range s.Parts {
		if p.Name == SummaryPatient {
			continue
		}
		words = append(words, countPart(len(p.Records), p.Name))
	}
	if len(words) == 0 {
		return "no allergies, problems, medications, immunizations or results on record"
	}
	return strings.Join(words, ", ")
}

// countPart says "1 allergy", "2 allergies", "1 current medication".
func countPart(n int, name string) string {
	if n != 1 {
		return fmt.Sprintf("%d %s", n, name)
	}
	switch {
	case strings.HasSuffix(name, "ies"):
		name = strings.TrimSuffix(name, "ies") + "y"
	case strings.HasSuffix(name, "s"):
		name = strings.TrimSuffix(name, "s")
	}
	return fmt.Sprintf("1 %s", name)
}

// SummarizeRecords picks the patient summary out of one person's records
// (see the rules at the top of this file), as of now. The records keep the
// order they came in within each part.
func SummarizeRecords(recs []record.Record, now time.Time) PatientSummary {
	byPart := map[string][]record.Record{}
	latest := map[string]int{} // result or vital key → index in recs of its newest
	recent := now.AddDate(0, -SummaryRecentMonths, 0)
	for i, r := range recs {
		part := summaryPartOf(r)
		switch part {
		case "":
			continue
		case SummaryResults, SummaryVitals:
			key := part + "\x00" + testKey(r)
			if j, ok := latest[key]; !ok || r.Date.After(recs[j].Date) {
				latest[key] = i
			}
			if r.Date.IsZero() || r.Date.Before(recent) {
				continue // kept below if it is the latest of its test
			}
		}
		byPart[part] = append(byPart[part], r)
	}
	// The latest of each test, when older than the window, in input order.
	for i, r := range recs {
		part := summaryPartOf(r)
		if part != SummaryResults && part != SummaryVitals {
			continue
		}
		if latest[part+"\x00"+testKey(r)] == i && (r.Date.IsZero() || r.Date.Before(recent)) {
			byPart[part] = append(byPart[part], r)
		}
	}
	var s PatientSummary
	for _, name := range summaryParts {
		if list := byPart[name]; len(list) > 0 {
			s.Parts = append(s.Parts, SummaryPart{Name: name, Records: list})
		}
	}
	return s
}

// summaryPartOf says which part of the summary a record belongs in, or ""
// when it is not part of the summary.
func summaryPartOf(r record.Record) string {
	if refutedOrInError(r) {
		return ""
	}
	switch {
	case r.ResourceType == "Patient":
		return SummaryPatient
	case r.ResourceType == "AllergyIntolerance":
		if record.PastProblem(r.Status) {
			return ""
		}
		return SummaryAllergies
	case r.ResourceType == "Condition":
		if record.PastProblem(r.Status) {
			return ""
		}
		return SummaryProblems
	case r.ResourceType == "MedicationRequest" || r.ResourceType == "MedicationStatement":
		if record.PastMedication(r.Status) {
			return ""
		}
		return SummaryMedications
	case r.ResourceType == "Immunization":
		if r.Status == "not-done" || r.Status == "entered-in-error" || notGiven(r) {
			return ""
		}
		return SummaryImmunizations
	case r.ResourceType == "Observation" && r.Category == record.CategoryVitalSigns:
		return SummaryVitals
	case (r.ResourceType == "Observation" || r.ResourceType == "DiagnosticReport") && r.Category == record.CategoryLabResults:
		return SummaryResults
	}
	return ""
}

// refutedOrInError: a record whose verification status takes it back.
func refutedOrInError(r record.Record) bool {
	return slices.Contains(r.Details, "Verification: refuted") ||
		slices.Contains(r.Details, "Verification: entered-in-error")
}

// notGiven: an Immunization the summary says was not given.
func notGiven(r record.Record) bool {
	return slices.ContainsFunc(r.Details, func(d string) bool { return strings.HasPrefix(d, "Not given") })
}

// testKey names the test or measurement a result is of: its first coding,
// else its title.
func testKey(r record.Record) string {
	for _, c := range r.Codes {
		if c.Code != "" {
			return r.ResourceType + "\x00" + c.System + "|" + c.Code
		}
	}
	return r.ResourceType + "\x00" + strings.ToLower(strings.TrimSpace(r.Title))
}

// PatientSummary is the patient summary of a person in this wallet ("" or
// OwnerID: the owner), as a share of it would hold now.
func (w *Wallet) PatientSummary(person string) (PatientSummary, error) {
	index, err := w.currentIndex()
	if err != nil {
		return PatientSummary{}, err
	}
	return SummarizeRecords(index.List(personFilter(person)), now()), nil
}

// CarePatientSummary is the patient summary of someone the owner cares for
// (person as for [Wallet.CareShare]), from their records synced here, as a
// care share of it would hold now; name is theirs, as they signed it.
func (w *Wallet) CarePatientSummary(person string) (sum PatientSummary, name string, err error) {
	if err := w.unlocked(); err != nil {
		return PatientSummary{}, "", err
	}
	c, err := w.findPerson(person)
	if err != nil {
		return PatientSummary{}, "", err
	}
	index, _, err := w.careIndex(c)
	if err != nil {
		return PatientSummary{}, "", err
	}
	return SummarizeRecords(index.List(record.Filter{}), now()), c.name(), nil
}
