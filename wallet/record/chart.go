package record

import (
	"cmp"
	"regexp"
	"slices"
	"strconv"
	"strings"
)

// A chart is the clinician's view of a set of records (issue 10): the
// patient at the top, then the records grouped in sections in the order a
// clinician reads them — allergies first, then problems, medications and so
// on. The web viewer's src/chart.js is a port of this file and a parity test
// holds the two equal: change one, change the other.

// ChartItem is one record in a chart section.
type ChartItem struct {
	Index   int // position in the input slice
	Summary Summary
	// Flag marks an Observation's out-of-range value: "H", "L", "HH", "LL",
	// "A" (abnormal), from its interpretation code when it has one, else from
	// its valueQuantity against its first reference range; "" when normal or
	// unknown.
	Flag string
}

// ChartSection is one heading of a chart and its records, in reading order.
type ChartSection struct {
	ID    string
	Title string
	Items []ChartItem
}

// Chart is a set of records laid out for reading.
type Chart struct {
	Patients []int // indexes of Patient resources (the header)
	Sections []ChartSection
}

// The chart sections, in the order a chart shows them.
var chartSections = []struct{ ID, Title string }{
	{"allergies", "Allergies and intolerances"},
	{"problems", "Problems"},
	{"medications", "Medications"},
	{"immunizations", "Immunizations"},
	{"results", "Results"},
	{"vitals", "Vital signs"},
	{"procedures", "Procedures"},
	{"encounters", "Encounters"},
	{"documents", "Documents"},
	{"pastProblems", "Past problems"},
	{"pastMedications", "Past medications"},
	{"careplans", "Care plans"},
	{"observations", "Other observations"},
	{"billing", "Insurance & billing"},
	{"people", "People & organizations"},
	{"other", "Other"},
}

// ChartSections are every section a chart may have, without records, in
// the order a chart shows them.
func ChartSections() []ChartSection {
	out := make([]ChartSection, len(chartSections))
	for i, s := range chartSections {
		out[i] = ChartSection{ID: s.ID, Title: s.Title}
	}
	return out
}

// sectionByCategory places the records whose section is their category.
var sectionByCategory = map[string]string{
	CategoryAllergies:     "allergies",
	CategoryMedications:   "medications",
	CategoryImmunizations: "immunizations",
	CategoryLabResults:    "results",
	CategoryVitalSigns:    "vitals",
	CategoryObservations:  "observations",
	CategoryProcedures:    "procedures",
	CategoryEncounters:    "encounters",
	CategoryDocuments:     "documents",
	CategoryCarePlans:     "careplans",
	CategoryInsurance:     "billing",
	CategoryPeople:        "people",
	CategoryOther:         "other",
}

// pastProblem are the Condition clinical and verification statuses of a
// problem that is no longer current (or never was).
var pastProblem = map[string]bool{
	"inactive": true, "remission": true, "resolved": true, "refuted": true, "entered-in-error": true,
}

// pastMedication are the statuses of a medication record that is no longer
// being taken (MedicationRequest, Statement, Administration, Dispense;
// Medication's own inactive).
var pastMedication = map[string]bool{
	"completed": true, "stopped": true, "cancelled": true, "entered-in-error": true,
	"not-taken": true, "not-done": true, "declined": true, "inactive": true,
}

// allergyCriticality ranks AllergyIntolerance.criticality; anything else
// (none given) comes last.
var allergyCriticality = map[string]int{"high": 0, "unable-to-assess": 1, "low": 2}

// MakeChart summarizes resources and lays them out as a chart: Patient
// resources in the header; every other resource in exactly one section;
// empty sections omitted. Allergies are ordered by criticality, then active
// first, then newest; everything else newest first (undated last); ties keep
// input order.
func MakeChart(resources []Resource) Chart {
	var chart Chart
	items := map[string][]ChartItem{}
	allergyRank := map[int][2]int{} // input index → {criticality, inactive}
	for i, res := range resources {
		sum := Summarize(res)
		o := decodeObject(res.Raw)
		typ := res.Type
		if t := str(o, "resourceType"); t != "" {
			typ = t
		}
		if typ == "Patient" {
			chart.Patients = append(chart.Patients, i)
			continue
		}
		item := ChartItem{Index: i, Summary: sum}
		if typ == "Observation" {
			item.Flag = observationFlag(o)
		}
		id := chartSectionOf(typ, o, sum)
		if id == "allergies" {
			rank := [2]int{3, 0}
			if r, ok := allergyCriticality[str(o, "criticality")]; ok {
				rank[0] = r
			}
			if sum.Status != "" && sum.Status != "active" {
				rank[1] = 1
			}
			allergyRank[i] = rank
		}
		items[id] = append(items[id], item)
	}
	for _, s := range chartSections {
		list := items[s.ID]
		if len(list) == 0 {
			continue
		}
		slices.SortStableFunc(list, func(a, b ChartItem) int {
			if s.ID == "allergies" {
				ra, rb := allergyRank[a.Index], allergyRank[b.Index]
				if c := cmp.Compare(ra[0], rb[0]); c != 0 {
					return c
				}
				if c := cmp.Compare(ra[1], rb[1]); c != 0 {
					return c
				}
			}
			return newestFirst(a, b)
		})
		chart.Sections = append(chart.Sections, ChartSection{ID: s.ID, Title: s.Title, Items: list})
	}
	return chart
}

// newestFirst orders items by date, newest first, undated last; equal dates
// compare equal so that a stable sort keeps input order.
func newestFirst(a, b ChartItem) int {
	da, db := a.Summary.Date, b.Summary.Date
	switch {
	case da.IsZero() && db.IsZero():
		return 0
	case da.IsZero():
		return 1
	case db.IsZero():
		return -1
	}
	return db.Compare(da)
}

// chartSectionOf is the section ID of a (non-Patient) resource.
func chartSectionOf(typ string, o object, sum Summary) string {
	switch {
	case typ == "Condition":
		status := sum.Status
		if status == "" && (str(o, "abatementDateTime") != "" || str(o, "abatementString") != "" ||
			obj(o, "abatementPeriod") != nil || obj(o, "abatementAge") != nil) {
			status = "resolved"
		}
		if pastProblem[status] || pastProblem[statusText(obj(o, "verificationStatus"))] {
			return "pastProblems"
		}
		return "problems"
	case typ == "FamilyMemberHistory" || typ == "ClinicalImpression":
		// Conditions by category, but not the patient's problem list.
		return "observations"
	case sum.Category == CategoryMedications:
		if pastMedication[sum.Status] {
			return "pastMedications"
		}
		return "medications"
	}
	if id, ok := sectionByCategory[sum.Category]; ok {
		return id
	}
	return "other"
}

// interpretationFlags maps HL7 v3 ObservationInterpretation codes to flags,
// most severe first: the first code an Observation carries in this order
// wins. "N" (normal) gives no flag.
var interpretationFlags = []struct{ code, flag string }{
	{"HH", "HH"}, {"LL", "LL"}, {"AA", "A"}, {"HU", "H"}, {"LU", "L"},
	{"H", "H"}, {"L", "L"}, {"A", "A"}, {"N", ""},
}

// observationFlag is an Observation's out-of-range flag: its interpretation
// code when it has a known one, else its valueQuantity against the first
// reference range (when both are numbers in the same unit), else "".
func observationFlag(o object) string {
	var codes []string
	for _, cc := range objs(o, "interpretation") {
		for _, c := range codings(cc) {
			codes = append(codes, strings.ToUpper(c.Code))
		}
	}
	for _, f := range interpretationFlags {
		if slices.Contains(codes, f.code) {
			return f.flag
		}
	}
	v := obj(o, "valueQuantity")
	rrs := objs(o, "referenceRange")
	if v == nil || len(rrs) == 0 {
		return ""
	}
	x, ok := number(str(v, "value"))
	if !ok {
		return ""
	}
	cmpr := str(v, "comparator")
	if lo := obj(rrs[0], "low"); lo != nil && sameUnit(v, lo) {
		// "<5" is below 10 for sure; ">5" may not be.
		if l, ok := number(str(lo, "value")); ok && x < l && (cmpr == "" || cmpr == "<" || cmpr == "<=") {
			return "L"
		}
	}
	if hi := obj(rrs[0], "high"); hi != nil && sameUnit(v, hi) {
		if h, ok := number(str(hi, "value")); ok && x > h && (cmpr == "" || cmpr == ">" || cmpr == ">=") {
			return "H"
		}
	}
	return ""
}

// sameUnit reports whether two Quantities can be compared: same code (or
// unit) when both give one; a bound without a unit takes the value's.
func sameUnit(a, b object) bool {
	ua, ub := str(a, "code"), str(b, "code")
	if ua == "" || ub == "" {
		ua, ub = str(a, "unit"), str(b, "unit")
	}
	return ua == "" || ub == "" || ua == ub
}

// fhirDecimal is the lexical form of a FHIR decimal.
var fhirDecimal = regexp.MustCompile(`^-?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?$`)

// number parses a decimal as FHIR writes it (no hex, NaN or infinities).
func number(s string) (float64, bool) {
	if !fhirDecimal.MatchString(s) {
		return 0, false
	}
	f, err := strconv.ParseFloat(s, 64)
	if err != nil {
		return 0, false
	}
	return f, true
}
