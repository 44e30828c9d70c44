package record

import (
	"fmt"
	"regexp"
	"strconv"
	"strings"
	"unicode"
)

// The categories a record falls in, in the order a list shows them.
const (
	CategoryConditions    = "Conditions"
	CategoryMedications   = "Medications"
	CategoryAllergies     = "Allergies"
	CategoryImmunizations = "Immunizations"
	CategoryLabResults    = "Lab results"
	CategoryVitalSigns    = "Vital signs"
	CategoryObservations  = "Observations" // social history, surveys, exams…
	CategoryProcedures    = "Procedures"
	CategoryEncounters    = "Encounters"
	CategoryDocuments     = "Documents"
	CategoryCarePlans     = "Care plans"
	CategoryInsurance     = "Insurance & billing"
	CategoryPeople        = "People & organizations"
	CategoryOther         = "Other"
)

// AllCategories lists every category [Summarize] can give, in display order.
var AllCategories = []string{
	CategoryConditions, CategoryMedications, CategoryAllergies, CategoryImmunizations,
	CategoryLabResults, CategoryVitalSigns, CategoryObservations, CategoryProcedures,
	CategoryEncounters, CategoryDocuments, CategoryCarePlans, CategoryInsurance,
	CategoryPeople, CategoryOther,
}

var categoryByType = map[string]string{
	"Condition":                   CategoryConditions,
	"FamilyMemberHistory":         CategoryConditions,
	"ClinicalImpression":          CategoryConditions,
	"Medication":                  CategoryMedications,
	"MedicationStatement":         CategoryMedications,
	"MedicationRequest":           CategoryMedications,
	"MedicationAdministration":    CategoryMedications,
	"MedicationDispense":          CategoryMedications,
	"MedicationKnowledge":         CategoryMedications,
	"AllergyIntolerance":          CategoryAllergies,
	"Immunization":                CategoryImmunizations,
	"ImmunizationRecommendation":  CategoryImmunizations,
	"ImmunizationEvaluation":      CategoryImmunizations,
	"DiagnosticReport":            CategoryLabResults,
	"Specimen":                    CategoryLabResults,
	"MolecularSequence":           CategoryLabResults,
	"Procedure":                   CategoryProcedures,
	"ImagingStudy":                CategoryProcedures,
	"Encounter":                   CategoryEncounters,
	"Appointment":                 CategoryEncounters,
	"EpisodeOfCare":               CategoryEncounters,
	"DocumentReference":           CategoryDocuments,
	"DocumentManifest":            CategoryDocuments,
	"Composition":                 CategoryDocuments,
	"Binary":                      CategoryDocuments,
	"Media":                       CategoryDocuments,
	"QuestionnaireResponse":       CategoryDocuments,
	"Questionnaire":               CategoryDocuments,
	"Consent":                     CategoryDocuments,
	"CarePlan":                    CategoryCarePlans,
	"CareTeam":                    CategoryCarePlans,
	"Goal":                        CategoryCarePlans,
	"ServiceRequest":              CategoryCarePlans,
	"NutritionOrder":              CategoryCarePlans,
	"RiskAssessment":              CategoryCarePlans,
	"Claim":                       CategoryInsurance,
	"ClaimResponse":               CategoryInsurance,
	"ExplanationOfBenefit":        CategoryInsurance,
	"Coverage":                    CategoryInsurance,
	"CoverageEligibilityRequest":  CategoryInsurance,
	"CoverageEligibilityResponse": CategoryInsurance,
	"Account":                     CategoryInsurance,
	"Invoice":                     CategoryInsurance,
	"PaymentNotice":               CategoryInsurance,
	"PaymentReconciliation":       CategoryInsurance,
	"InsurancePlan":               CategoryInsurance,
	"Patient":                     CategoryPeople,
	"Practitioner":                CategoryPeople,
	"PractitionerRole":            CategoryPeople,
	"RelatedPerson":               CategoryPeople,
	"Person":                      CategoryPeople,
	"Organization":                CategoryPeople,
	"Location":                    CategoryPeople,
	"HealthcareService":           CategoryPeople,
}

// summarizers build the type-specific part of a summary; the common part
// (category, status, fallbacks) is done by Summarize.
var summarizers = map[string]func(*builder){
	"Patient":                  sumPatient,
	"Practitioner":             sumPerson,
	"RelatedPerson":            sumPerson,
	"Person":                   sumPerson,
	"PractitionerRole":         sumPractitionerRole,
	"Organization":             sumOrganization,
	"Location":                 sumOrganization,
	"Observation":              sumObservation,
	"Condition":                sumCondition,
	"MedicationStatement":      sumMedicationUse,
	"MedicationRequest":        sumMedicationUse,
	"MedicationAdministration": sumMedicationUse,
	"MedicationDispense":       sumMedicationUse,
	"Medication":               sumMedication,
	"MedicationKnowledge":      sumMedication,
	"AllergyIntolerance":       sumAllergy,
	"Immunization":             sumImmunization,
	"Procedure":                sumProcedure,
	"Encounter":                sumEncounter,
	"DiagnosticReport":         sumDiagnosticReport,
	"DocumentReference":        sumDocumentReference,
	"Composition":              sumComposition,
	"CarePlan":                 sumCarePlan,
	"CareTeam":                 sumCareTeam,
	"Goal":                     sumGoal,
	"Claim":                    sumClaim,
	"ExplanationOfBenefit":     sumClaim,
	"ClaimResponse":            sumClaim,
	"Coverage":                 sumCoverage,
	"Device":                   sumDevice,
	"QuestionnaireResponse":    sumQuestionnaireResponse,
	"Appointment":              sumAppointment,
	"Bundle":                   sumBundle,
}

// genericDateFields are tried, in order, for types without their own rule.
var genericDateFields = []string{
	"effectiveDateTime", "effectivePeriod.start", "effectiveInstant", "occurrenceDateTime",
	"occurrencePeriod.start", "performedDateTime", "performedPeriod.start", "onsetDateTime",
	"onsetPeriod.start", "authoredOn", "authored", "recordedDate", "recorded", "period.start",
	"start", "issued", "date", "created", "dateTime", "sent", "asserted",
}

type builder struct {
	typ string
	res object
	s   Summary
}

func (b *builder) add(label, value string) {
	value = strings.TrimSpace(value)
	if value == "" {
		return
	}
	if label == "" {
		b.s.Details = append(b.s.Details, value)
		return
	}
	b.s.Details = append(b.s.Details, label+": "+value)
}

func (b *builder) title(candidates ...string) {
	if b.s.Title != "" {
		return
	}
	for _, c := range candidates {
		if c = strings.TrimSpace(c); c != "" {
			b.s.Title = c
			return
		}
	}
}

func (b *builder) date(fields ...string) {
	if b.s.Date.IsZero() {
		b.s.Date = dateOf(b.res, fields...)
	}
}

func (b *builder) codes(cc object) {
	for _, c := range codings(cc) {
		b.s.Codes = appendCode(b.s.Codes, c)
	}
}

func appendCode(list []Code, c Code) []Code {
	for _, x := range list {
		if x == c {
			return list
		}
	}
	return append(list, c)
}

// Summarize reads a resource's JSON and returns what a person should see in
// a list: a title, the clinically relevant date, a category from
// [AllCategories], the key values as details, the status and the codings of
// the main code. It never fails: JSON it cannot read gives a summary titled
// with the resource type (or "Unreadable record").
func Summarize(res Resource) (sum Summary) {
	defer func() {
		// The accessors are written not to panic; this is the last line of
		// defence so that one odd record cannot take down a listing.
		if r := recover(); r != nil {
			sum = Summary{Title: fallbackTitle(res.Type), Category: categoryFor(res.Type, nil)}
		}
	}()
	o := decodeObject(res.Raw)
	typ := res.Type
	if t := str(o, "resourceType"); t != "" {
		typ = t
	}
	b := &builder{typ: typ, res: o}
	if o == nil {
		b.s.Title = fallbackTitle(typ)
		if typ == "" {
			b.s.Title = "Unreadable record"
		}
		b.s.Category = categoryFor(typ, nil)
		return b.s
	}
	if f := summarizers[typ]; f != nil {
		f(b)
	}
	generic(b)
	b.s.Category = categoryFor(typ, o)
	if b.s.Status == "" {
		b.s.Status = str(o, "status")
	}
	if len(b.s.Details) > maxDetails {
		b.s.Details = b.s.Details[:maxDetails]
	}
	for i, d := range b.s.Details {
		b.s.Details[i] = truncate(d, 300)
	}
	b.s.Title = truncate(b.s.Title, 200)
	return b.s
}

const maxDetails = 12

// generic fills what the type-specific rule left empty.
func generic(b *builder) {
	o := b.res
	if len(b.s.Codes) == 0 {
		b.codes(obj(o, "code"))
	}
	b.title(conceptText(obj(o, "code")), str(o, "title"), str(o, "name"), bestName(o))
	if b.s.Title == "" {
		// The first CodeableConcept-looking field, in document order is lost
		// in a map, so try the usual suspects.
		for _, k := range []string{"type", "category", "vaccineCode", "medicationCodeableConcept", "serviceType", "description"} {
			if t := conceptText(obj(o, k)); t != "" {
				b.title(t)
				break
			}
			if t := conceptsText(o, k); t != "" {
				b.title(t)
				break
			}
		}
	}
	if b.s.Title == "" {
		if d := stripTags(str(obj(o, "text"), "div")); d != "" {
			b.title(truncate(d, 120))
		} else {
			b.title(str(o, "description"))
		}
	}
	b.title(fallbackTitle(b.typ))
	b.date(genericDateFields...)
	if len(b.s.Details) == 0 {
		if d := stripTags(str(obj(o, "text"), "div")); d != "" && d != b.s.Title {
			b.add("", truncate(d, 300))
		}
	}
}

var camelSplit = regexp.MustCompile(`([a-z])([A-Z])`)

// fallbackTitle makes "AllergyIntolerance" read "Allergy intolerance".
func fallbackTitle(typ string) string {
	if typ == "" {
		return "Record"
	}
	s := camelSplit.ReplaceAllString(typ, "$1 $2")
	if len(s) > 1 {
		s = s[:1] + strings.ToLower(s[1:])
	}
	return s
}

func categoryFor(typ string, o object) string {
	switch typ {
	case "Observation":
		for _, cc := range objs(o, "category") {
			for _, c := range codings(cc) {
				switch strings.ToLower(c.Code) {
				case "vital-signs":
					return CategoryVitalSigns
				case "laboratory":
					return CategoryLabResults
				}
			}
		}
		// Without a category, a LOINC vital sign code still says so.
		for _, c := range codings(obj(o, "code")) {
			if vitalLOINC[c.Code] {
				return CategoryVitalSigns
			}
		}
		return CategoryObservations
	case "DiagnosticReport":
		for _, cc := range objs(o, "category") {
			for _, c := range codings(cc) {
				switch strings.ToUpper(c.Code) {
				case "LAB", "HM", "CH", "MB", "SP", "SR", "CP", "HLA", "IMM", "BLB", "VR", "MYC", "PAT", "TX", "CUS", "SURG", "LABORATORY":
					return CategoryLabResults
				}
				if c.Code != "" {
					return CategoryDocuments // imaging, cardiology… reports
				}
			}
		}
		return CategoryLabResults
	}
	if c, ok := categoryByType[typ]; ok {
		return c
	}
	return CategoryOther
}

// vitalLOINC are the LOINC codes of the FHIR vital signs profile.
var vitalLOINC = map[string]bool{
	"85353-1": true, "9279-1": true, "8867-4": true, "2708-6": true, "59408-5": true,
	"8310-5": true, "8302-2": true, "9843-4": true, "29463-7": true, "39156-5": true,
	"85354-9": true, "8480-6": true, "8462-4": true, "8478-0": true,
}

func sumPatient(b *builder) {
	o := b.res
	b.title(bestName(o))
	if bd := str(o, "birthDate"); bd != "" {
		b.add("Born", dayText(bd))
	}
	b.add("Gender", str(o, "gender"))
	if dd := str(o, "deceasedDateTime"); dd != "" {
		b.add("Died", dayText(dd))
	}
	if a := first(o, "address"); a != nil {
		b.add("Address", addressText(a))
	}
}

func sumPerson(b *builder) {
	o := b.res
	b.title(bestName(o))
	for _, q := range objs(o, "qualification") {
		b.add("Qualification", conceptText(obj(q, "code")))
	}
	b.add("Gender", str(o, "gender"))
	b.add("Relationship", conceptsText(o, "relationship"))
	if a := first(o, "address"); a != nil {
		b.add("Address", addressText(a))
	}
	b.add("Contact", telecom(o))
}

func sumPractitionerRole(b *builder) {
	o := b.res
	b.title(referenceDisplay(obj(o, "practitioner")), conceptsText(o, "code"))
	b.add("Role", conceptsText(o, "code"))
	b.add("Specialty", conceptsText(o, "specialty"))
	b.add("Organization", referenceDisplay(obj(o, "organization")))
	b.codes(first(o, "code"))
}

func sumOrganization(b *builder) {
	o := b.res
	b.title(str(o, "name"))
	b.add("Type", conceptsText(o, "type"))
	if a := first(o, "address"); a != nil {
		b.add("Address", addressText(a))
	} else if a := obj(o, "address"); a != nil {
		b.add("Address", addressText(a))
	}
	b.add("Contact", telecom(o))
}

func telecom(o object) string {
	for _, t := range objs(o, "telecom") {
		if v := str(t, "value"); v != "" {
			return v
		}
	}
	return ""
}

// value renders an Observation's (or component's) value[x].
func value(o object) string {
	if q := quantity(obj(o, "valueQuantity")); q != "" {
		return q
	}
	if t := conceptText(obj(o, "valueCodeableConcept")); t != "" {
		return t
	}
	for _, k := range []string{"valueString", "valueInteger", "valueBoolean", "valueTime"} {
		if s := str(o, k); s != "" {
			return s
		}
	}
	if s := str(o, "valueDateTime"); s != "" {
		return dayText(s)
	}
	if r := rangeText(obj(o, "valueRange")); r != "" {
		return r
	}
	if r := obj(o, "valueRatio"); r != nil {
		n, d := quantity(obj(r, "numerator")), quantity(obj(r, "denominator"))
		if n != "" && d != "" {
			return n + " / " + d
		}
	}
	if p := periodText(obj(o, "valuePeriod")); p != "" {
		return p
	}
	if obj(o, "valueSampledData") != nil {
		return "sampled data"
	}
	return ""
}

func hasCode(cc object, code string) bool {
	for _, c := range codings(cc) {
		if c.Code == code {
			return true
		}
	}
	return false
}

func sumObservation(b *builder) {
	o := b.res
	b.title(conceptText(obj(o, "code")))
	b.codes(obj(o, "code"))
	b.date("effectiveDateTime", "effectivePeriod.start", "effectiveInstant", "issued")
	v := value(o)
	comps := objs(o, "component")
	// Blood pressure: systolic and diastolic read as one value, "120/80 mmHg".
	sys, dia := -1, -1
	for i, c := range comps {
		switch {
		case hasCode(obj(c, "code"), "8480-6"):
			sys = i
		case hasCode(obj(c, "code"), "8462-4"):
			dia = i
		}
	}
	if v == "" && sys >= 0 && dia >= 0 {
		sq, dq := obj(comps[sys], "valueQuantity"), obj(comps[dia], "valueQuantity")
		if s, d := str(sq, "value"), str(dq, "value"); s != "" && d != "" {
			v = s + "/" + d
			unit := str(sq, "unit")
			if unit == "" {
				unit = str(sq, "code")
			}
			if unit == "mm[Hg]" {
				unit = "mmHg"
			}
			if unit != "" {
				v += " " + unit
			}
			rest := comps[:0:0]
			for i, c := range comps {
				if i != sys && i != dia {
					rest = append(rest, c)
				}
			}
			comps = rest
		}
	}
	if v == "" {
		if dar := obj(o, "dataAbsentReason"); dar != nil {
			b.add("Value", "not available ("+conceptText(dar)+")")
		}
	}
	b.add("Value", v)
	for _, c := range comps {
		name := conceptText(obj(c, "code"))
		cv := value(c)
		if name == "" || cv == "" {
			continue
		}
		b.add(name, cv)
	}
	if interp := conceptsText(o, "interpretation"); interp != "" {
		b.add("Interpretation", interp)
	}
	if rrs := objs(o, "referenceRange"); len(rrs) > 0 { // the first range only
		if t := rangeText(rrs[0]); t != "" {
			b.add("Reference range", t)
		} else {
			b.add("Reference range", str(rrs[0], "text"))
		}
	}
	b.add("Body site", conceptText(obj(o, "bodySite")))
	b.add("Method", conceptText(obj(o, "method")))
	for _, n := range objs(o, "note") {
		b.add("Note", str(n, "text"))
	}
}

func sumCondition(b *builder) {
	o := b.res
	b.title(conceptText(obj(o, "code")))
	b.codes(obj(o, "code"))
	b.date("onsetDateTime", "onsetPeriod.start", "recordedDate", "assertedDate")
	b.s.Status = statusText(obj(o, "clinicalStatus"))
	b.add("Status", b.s.Status)
	if v := statusText(obj(o, "verificationStatus")); v != "" && v != "confirmed" {
		b.add("Verification", v)
	}
	b.add("Severity", conceptText(obj(o, "severity")))
	if on := str(o, "onsetDateTime"); on != "" {
		b.add("Onset", dayText(on))
	} else if p := periodText(obj(o, "onsetPeriod")); p != "" {
		b.add("Onset", p)
	} else if a := obj(o, "onsetAge"); a != nil {
		b.add("Onset", "age "+quantity(a))
	} else {
		b.add("Onset", str(o, "onsetString"))
	}
	if ab := str(o, "abatementDateTime"); ab != "" {
		b.add("Resolved", dayText(ab))
	} else {
		b.add("Resolved", str(o, "abatementString"))
	}
	b.add("Body site", conceptsText(o, "bodySite"))
	b.add("Category", conceptsText(o, "category"))
	for _, n := range objs(o, "note") {
		b.add("Note", str(n, "text"))
	}
}

// medication finds the name and coding of the medication a resource is
// about: medicationCodeableConcept, else a contained Medication the
// reference points to, else the reference's display.
func medication(o object) (string, object) {
	if cc := obj(o, "medicationCodeableConcept"); cc != nil {
		if t := conceptText(cc); t != "" {
			return t, cc
		}
	}
	ref := obj(o, "medicationReference")
	if r := str(ref, "reference"); strings.HasPrefix(r, "#") {
		for _, c := range objs(o, "contained") {
			if str(c, "id") == r[1:] {
				if cc := obj(c, "code"); conceptText(cc) != "" {
					return conceptText(cc), cc
				}
			}
		}
	}
	if d := referenceDisplay(ref); d != "" {
		return d, nil
	}
	return "", nil
}

func sumMedicationUse(b *builder) {
	o := b.res
	name, cc := medication(o)
	b.title(name, "Medication")
	b.codes(cc)
	switch b.typ {
	case "MedicationRequest":
		b.date("authoredOn")
	case "MedicationStatement":
		b.date("effectiveDateTime", "effectivePeriod.start", "dateAsserted")
	case "MedicationAdministration":
		b.date("effectiveDateTime", "effectivePeriod.start")
	case "MedicationDispense":
		b.date("whenHandedOver", "whenPrepared")
	}
	dosages := objs(o, "dosageInstruction")
	if len(dosages) == 0 {
		dosages = objs(o, "dosage")
	}
	for _, d := range dosages {
		b.add("Dosage", dosageText(d))
	}
	if q := quantity(obj(o, "quantity")); q != "" {
		b.add("Quantity", q)
	}
	if ds := quantity(obj(o, "daysSupply")); ds != "" {
		b.add("Supply", ds)
	}
	reasons := conceptsText(o, "reasonCode")
	if reasons == "" {
		var parts []string
		for _, r := range objs(o, "reasonReference") {
			if d := referenceDisplay(r); d != "" {
				parts = appendUnique(parts, d)
			}
		}
		reasons = strings.Join(parts, ", ")
	}
	b.add("Reason", reasons)
	if r := obj(o, "requester"); r != nil {
		b.add("Prescriber", referenceDisplay(r))
	}
	b.add("Intent", str(o, "intent"))
	for _, n := range objs(o, "note") {
		b.add("Note", str(n, "text"))
	}
}

// dosageText renders a Dosage: its text when given, else the dose, timing
// and route it describes: "6 mg, once a day, oral route".
func dosageText(d object) string {
	if t := str(d, "text"); t != "" {
		return t
	}
	var parts []string
	if dose := obj(d, "dose"); dose != nil { // MedicationAdministration.dosage
		parts = append(parts, quantity(dose))
	}
	if drs := objs(d, "doseAndRate"); len(drs) > 0 { // the first dose only
		if q := quantity(obj(drs[0], "doseQuantity")); q != "" {
			parts = append(parts, q)
		} else if r := rangeText(obj(drs[0], "doseRange")); r != "" {
			parts = append(parts, r)
		}
	}
	if t := timingText(obj(d, "timing")); t != "" {
		parts = append(parts, t)
	}
	if str(d, "asNeededBoolean") == "yes" {
		parts = append(parts, "as needed")
	} else if a := conceptText(obj(d, "asNeededCodeableConcept")); a != "" {
		parts = append(parts, "as needed for "+a)
	}
	if r := conceptText(obj(d, "route")); r != "" {
		r = strings.ToLower(r)
		if !strings.Contains(r, "route") {
			r += " route"
		}
		parts = append(parts, r)
	}
	var out []string
	for _, p := range parts {
		if p != "" {
			out = append(out, p)
		}
	}
	return strings.Join(out, ", ")
}

var periodUnits = map[string][2]string{
	"s": {"second", "seconds"}, "min": {"minute", "minutes"}, "h": {"hour", "hours"},
	"d": {"day", "days"}, "wk": {"week", "weeks"}, "mo": {"month", "months"}, "a": {"year", "years"},
}

func timingText(t object) string {
	if t == nil {
		return ""
	}
	if c := conceptText(obj(t, "code")); c != "" {
		return c
	}
	r := obj(t, "repeat")
	freq, period, unit := str(r, "frequency"), str(r, "period"), str(r, "periodUnit")
	if period == "" || unit == "" {
		return ""
	}
	if freq == "" {
		freq = "1"
	}
	names, ok := periodUnits[unit]
	if !ok {
		names = [2]string{unit, unit}
	}
	times := freq + " times"
	switch freq {
	case "1":
		times = "once"
	case "2":
		times = "twice"
	}
	if period == "1" {
		return times + " a " + names[0]
	}
	return times + " every " + period + " " + names[1]
}

func sumMedication(b *builder) {
	o := b.res
	b.title(conceptText(obj(o, "code")))
	b.codes(obj(o, "code"))
	b.add("Form", conceptText(obj(o, "form")))
	b.add("Form", conceptText(obj(o, "doseForm")))
	var ings []string
	for _, in := range objs(o, "ingredient") {
		name := conceptText(obj(in, "itemCodeableConcept"))
		if name == "" {
			name = referenceDisplay(obj(in, "itemReference"))
		}
		if name != "" {
			ings = append(ings, name)
		}
	}
	b.add("Ingredients", strings.Join(ings, ", "))
	b.add("Manufacturer", referenceDisplay(obj(o, "manufacturer")))
}

func sumAllergy(b *builder) {
	o := b.res
	b.title(conceptText(obj(o, "code")), "Allergy")
	b.codes(obj(o, "code"))
	b.date("onsetDateTime", "onsetPeriod.start", "recordedDate", "lastOccurrence")
	b.s.Status = statusText(obj(o, "clinicalStatus"))
	b.add("Criticality", codeText(str(o, "criticality")))
	b.add("Type", str(o, "type"))
	var cats []string
	for _, c := range arr(o, "category") {
		if s := scalar(c); s != "" {
			cats = append(cats, s)
		}
	}
	b.add("Category", strings.Join(cats, ", "))
	for _, r := range objs(o, "reaction") {
		m := conceptsText(r, "manifestation")
		if m == "" {
			m = str(r, "description")
		}
		if sev := str(r, "severity"); sev != "" && m != "" {
			m += " (" + sev + ")"
		}
		b.add("Reaction", m)
	}
	b.add("Status", b.s.Status)
	if v := statusText(obj(o, "verificationStatus")); v != "" && v != "confirmed" {
		b.add("Verification", v)
	}
	if on := str(o, "onsetDateTime"); on != "" {
		b.add("Onset", dayText(on))
	}
}

func sumImmunization(b *builder) {
	o := b.res
	b.title(conceptText(obj(o, "vaccineCode")), "Vaccination")
	b.codes(obj(o, "vaccineCode"))
	b.date("occurrenceDateTime", "recorded")
	if d := str(o, "occurrenceDateTime"); d != "" {
		b.add("Given", dayText(d))
	} else {
		b.add("Given", str(o, "occurrenceString"))
	}
	if q := quantity(obj(o, "doseQuantity")); q != "" {
		b.add("Dose", q)
	}
	for _, p := range objs(o, "protocolApplied") {
		if n := str(p, "doseNumberPositiveInt"); n != "" {
			b.add("Dose number", n)
		}
	}
	b.add("Lot", str(o, "lotNumber"))
	b.add("Site", conceptText(obj(o, "site")))
	b.add("Route", conceptText(obj(o, "route")))
	b.add("Manufacturer", referenceDisplay(obj(o, "manufacturer")))
	b.add("Location", referenceDisplay(obj(o, "location")))
	if str(o, "status") == "not-done" {
		b.add("Not given", conceptText(obj(o, "statusReason")))
	}
}

func sumProcedure(b *builder) {
	o := b.res
	b.title(conceptText(obj(o, "code")), "Procedure")
	b.codes(obj(o, "code"))
	b.date("performedDateTime", "performedPeriod.start")
	if p := periodText(obj(o, "performedPeriod")); p != "" {
		b.add("Performed", p)
	} else if d := str(o, "performedDateTime"); d != "" {
		b.add("Performed", dayText(d))
	}
	reasons := conceptsText(o, "reasonCode")
	if reasons == "" {
		var parts []string
		for _, r := range objs(o, "reasonReference") {
			parts = appendUnique(parts, referenceDisplay(r))
		}
		reasons = strings.TrimSpace(strings.Join(parts, ", "))
	}
	b.add("Reason", reasons)
	b.add("Body site", conceptsText(o, "bodySite"))
	b.add("Outcome", conceptText(obj(o, "outcome")))
	for _, p := range objs(o, "performer") {
		b.add("Performer", referenceDisplay(obj(p, "actor")))
	}
}

var encounterClass = map[string]string{
	"AMB": "ambulatory", "EMER": "emergency", "IMP": "inpatient", "ACUTE": "inpatient acute",
	"NONAC": "inpatient non-acute", "OBSENC": "observation", "PRENC": "pre-admission",
	"SS": "short stay", "VR": "virtual", "HH": "home health", "FLD": "field",
}

func sumEncounter(b *builder) {
	o := b.res
	types := objs(o, "type")
	t := conceptsText(o, "type")
	class := obj(o, "class")
	classText := str(class, "display")
	if classText == "" {
		if c, ok := encounterClass[str(class, "code")]; ok {
			classText = c
		} else {
			classText = str(class, "code")
		}
	}
	b.title(t, conceptText(obj(o, "serviceType")), titleCase(classText)+" encounter", "Encounter")
	for _, tt := range types {
		b.codes(tt)
	}
	b.date("period.start")
	b.add("Class", classText)
	b.add("When", periodText(obj(o, "period")))
	reasons := conceptsText(o, "reasonCode")
	b.add("Reason", reasons)
	b.add("Provider", referenceDisplay(obj(o, "serviceProvider")))
	for _, p := range objs(o, "participant") {
		b.add("With", referenceDisplay(obj(p, "individual")))
	}
	for _, l := range objs(o, "location") {
		b.add("Location", referenceDisplay(obj(l, "location")))
	}
}

func titleCase(s string) string {
	if s == "" {
		return ""
	}
	r := []rune(s)
	r[0] = unicode.ToUpper(r[0])
	return string(r)
}

func sumDiagnosticReport(b *builder) {
	o := b.res
	b.title(conceptText(obj(o, "code")), "Report")
	b.codes(obj(o, "code"))
	b.date("effectiveDateTime", "effectivePeriod.start", "issued")
	var results []string
	for _, r := range objs(o, "result") {
		if d := referenceDisplay(r); d != "" {
			results = append(results, d)
		}
	}
	if len(results) > 0 {
		b.add("Results", fmt.Sprintf("%d: %s", len(results), strings.Join(results, "; ")))
	}
	b.add("Conclusion", str(o, "conclusion"))
	b.add("Conclusion", conceptsText(o, "conclusionCode"))
	for _, p := range objs(o, "performer") {
		b.add("Performer", referenceDisplay(p))
	}
	for _, f := range objs(o, "presentedForm") {
		b.add("Attachment", attachmentText(f))
	}
}

func attachmentText(a object) string {
	parts := []string{}
	if t := str(a, "title"); t != "" {
		parts = append(parts, t)
	}
	if ct := str(a, "contentType"); ct != "" {
		parts = append(parts, "("+ct+")")
	}
	return strings.Join(parts, " ")
}

func sumDocumentReference(b *builder) {
	o := b.res
	b.title(str(o, "description"), conceptText(obj(o, "type")), conceptsText(o, "category"), "Document")
	b.codes(obj(o, "type"))
	b.date("date", "created", "indexed")
	if b.s.Date.IsZero() {
		b.s.Date = dateOf(obj(o, "context"), "period.start")
	}
	b.add("Type", conceptText(obj(o, "type")))
	var authors []string
	for _, a := range objs(o, "author") {
		if d := referenceDisplay(a); d != "" {
			authors = append(authors, d)
		}
	}
	b.add("Author", strings.Join(authors, ", "))
	for _, c := range objs(o, "content") {
		b.add("Attachment", attachmentText(obj(c, "attachment")))
	}
	b.s.Status = str(o, "docStatus")
	if b.s.Status == "" {
		b.s.Status = str(o, "status")
	}
}

func sumComposition(b *builder) {
	o := b.res
	b.title(str(o, "title"), conceptText(obj(o, "type")), "Document")
	b.codes(obj(o, "type"))
	b.date("date")
	b.add("Type", conceptText(obj(o, "type")))
	var authors []string
	for _, a := range objs(o, "author") {
		if d := referenceDisplay(a); d != "" {
			authors = append(authors, d)
		}
	}
	b.add("Author", strings.Join(authors, ", "))
	var sections []string
	for _, s := range objs(o, "section") {
		if t := str(s, "title"); t != "" {
			sections = append(sections, t)
		}
	}
	b.add("Sections", strings.Join(sections, ", "))
}

func sumCarePlan(b *builder) {
	o := b.res
	b.title(str(o, "title"), conceptsText(o, "category"), str(o, "description"), "Care plan")
	for _, c := range objs(o, "category") {
		b.codes(c)
	}
	b.date("period.start", "created")
	b.add("Period", periodText(obj(o, "period")))
	b.add("Description", str(o, "description"))
	var acts []string
	for _, a := range objs(o, "activity") {
		d := obj(a, "detail")
		t := conceptText(obj(d, "code"))
		if t == "" {
			t = str(d, "description")
		}
		if t != "" {
			acts = appendUnique(acts, t)
		}
	}
	b.add("Activities", strings.Join(acts, "; "))
	var addr []string
	for _, a := range objs(o, "addresses") {
		if d := referenceDisplay(a); d != "" {
			addr = append(addr, d)
		}
	}
	b.add("Addresses", strings.Join(addr, ", "))
}

func sumCareTeam(b *builder) {
	o := b.res
	b.title(str(o, "name"), conceptsText(o, "category"), "Care team")
	for _, c := range objs(o, "category") {
		b.codes(c)
	}
	b.date("period.start")
	b.add("Period", periodText(obj(o, "period")))
	for _, p := range objs(o, "participant") {
		who := referenceDisplay(obj(p, "member"))
		if role := conceptsText(p, "role"); role != "" && who != "" {
			who += " (" + role + ")"
		}
		b.add("Member", who)
	}
	var reasons []string
	for _, r := range objs(o, "reasonCode") {
		reasons = appendUnique(reasons, conceptText(r))
	}
	b.add("Reason", strings.Join(reasons, ", "))
	b.add("Organization", referenceDisplay(first(o, "managingOrganization")))
}

func sumGoal(b *builder) {
	o := b.res
	b.title(conceptText(obj(o, "description")), "Goal")
	b.codes(obj(o, "description"))
	b.date("startDate", "statusDate")
	b.s.Status = str(o, "lifecycleStatus")
	b.add("Status", b.s.Status)
	b.add("Achievement", conceptText(obj(o, "achievementStatus")))
	for _, t := range objs(o, "target") {
		measure := conceptText(obj(t, "measure"))
		det := quantity(obj(t, "detailQuantity"))
		if det == "" {
			det = rangeText(obj(t, "detailRange"))
		}
		if det == "" {
			det = conceptText(obj(t, "detailCodeableConcept"))
		}
		if det == "" {
			det = str(t, "detailString")
		}
		txt := strings.TrimSpace(strings.TrimSuffix(measure+": "+det, ": "))
		txt = strings.TrimPrefix(txt, ": ")
		if due := str(t, "dueDate"); due != "" {
			txt = strings.TrimSpace(txt + " by " + dayText(due))
		}
		b.add("Target", txt)
	}
}

func sumClaim(b *builder) {
	o := b.res
	kind := conceptText(obj(o, "type"))
	label := map[string]string{"Claim": "Claim", "ExplanationOfBenefit": "Explanation of benefit", "ClaimResponse": "Claim response"}[b.typ]
	if kind != "" {
		b.title(label + " – " + kind)
	}
	b.title(label)
	b.codes(obj(o, "type"))
	b.date("billablePeriod.start", "created")
	if t := money(obj(o, "total")); t != "" { // Claim.total is Money
		b.add("Total", t)
	}
	for _, t := range objs(o, "total") { // EOB, ClaimResponse: total is an array
		cat := conceptText(obj(t, "category"))
		amt := money(obj(t, "amount"))
		if amt == "" {
			continue
		}
		if cat != "" {
			b.add("Total "+strings.ToLower(cat), amt)
		} else {
			b.add("Total", amt)
		}
	}
	if p := money(obj(obj(o, "payment"), "amount")); p != "" {
		b.add("Paid", p)
	}
	b.add("Provider", referenceDisplay(obj(o, "provider")))
	b.add("Insurer", referenceDisplay(obj(o, "insurer")))
	for _, in := range objs(o, "insurance") {
		b.add("Coverage", referenceDisplay(obj(in, "coverage")))
	}
	var items []string
	for _, it := range objs(o, "item") {
		if t := conceptText(obj(it, "productOrService")); t != "" {
			items = appendUnique(items, t)
		}
	}
	if len(items) > 0 {
		b.add("Items", strings.Join(items, "; "))
	}
	b.add("Outcome", str(o, "outcome"))
	b.add("Period", periodText(obj(o, "billablePeriod")))
}

func sumCoverage(b *builder) {
	o := b.res
	var payors []string
	for _, p := range objs(o, "payor") {
		if d := referenceDisplay(p); d != "" {
			payors = append(payors, d)
		}
	}
	b.title(conceptText(obj(o, "type")), strings.Join(payors, ", "), "Insurance coverage")
	b.codes(obj(o, "type"))
	b.date("period.start")
	b.add("Payor", strings.Join(payors, ", "))
	b.add("Period", periodText(obj(o, "period")))
	b.add("Subscriber ID", str(o, "subscriberId"))
	b.add("Relationship", conceptText(obj(o, "relationship")))
	for _, c := range objs(o, "class") {
		name := conceptText(obj(c, "type"))
		v := str(c, "value")
		if n := str(c, "name"); n != "" {
			v += " (" + n + ")"
		}
		if name != "" {
			b.add(titleCase(name), v)
		}
	}
}

func sumDevice(b *builder) {
	o := b.res
	var names []string
	for _, n := range objs(o, "deviceName") {
		if s := str(n, "name"); s != "" {
			names = append(names, s)
		}
	}
	var udi string
	for _, u := range objs(o, "udiCarrier") {
		if s := str(u, "deviceIdentifier"); s != "" {
			udi = s
			break
		}
	}
	b.title(strings.Join(names, ", "), conceptText(obj(o, "type")), str(o, "modelNumber"), "Device")
	b.codes(obj(o, "type"))
	b.add("Type", conceptText(obj(o, "type")))
	b.add("Manufacturer", str(o, "manufacturer"))
	b.add("Model", str(o, "modelNumber"))
	b.add("UDI", udi)
	if d := str(o, "expirationDate"); d != "" {
		b.add("Expires", dayText(d))
	}
}

func sumQuestionnaireResponse(b *builder) {
	o := b.res
	q := str(o, "questionnaire")
	if i := strings.LastIndexAny(q, "/#"); i >= 0 && i < len(q)-1 {
		q = q[i+1:]
	}
	title := "Questionnaire response"
	if q != "" {
		title += ": " + q
	}
	b.title(title)
	b.date("authored")
	var walk func(items []object, depth int)
	walk = func(items []object, depth int) {
		if depth > 5 {
			return
		}
		for _, it := range items {
			var answers []string
			for _, a := range objs(it, "answer") {
				if v := answerText(a); v != "" {
					answers = append(answers, v)
				}
				walk(objs(a, "item"), depth+1)
			}
			if t := str(it, "text"); t != "" && len(answers) > 0 {
				b.add(strings.TrimSuffix(t, ":"), strings.Join(answers, ", "))
			}
			walk(objs(it, "item"), depth+1)
		}
	}
	walk(objs(o, "item"), 0)
}

func answerText(a object) string {
	for k := range a {
		if !strings.HasPrefix(k, "value") {
			continue
		}
		switch k {
		case "valueCoding":
			c := obj(a, k)
			if d := str(c, "display"); d != "" {
				return d
			}
			return str(c, "code")
		case "valueQuantity":
			return quantity(obj(a, k))
		case "valueDate", "valueDateTime":
			return dayText(str(a, k))
		case "valueReference":
			return referenceDisplay(obj(a, k))
		case "valueAttachment":
			return attachmentText(obj(a, k))
		}
		return str(a, k)
	}
	return ""
}

func sumAppointment(b *builder) {
	o := b.res
	b.title(str(o, "description"), conceptsText(o, "serviceType"), conceptText(obj(o, "appointmentType")), "Appointment")
	b.date("start", "created")
	if s := str(o, "start"); s != "" {
		if t, ok := ParseDate(s); ok {
			b.add("When", t.Format("2 Jan 2006 15:04"))
		}
	}
	b.add("Reason", conceptsText(o, "reasonCode"))
	for _, p := range objs(o, "participant") {
		b.add("With", referenceDisplay(obj(p, "actor")))
	}
}

func sumBundle(b *builder) {
	o := b.res
	if t := str(o, "type"); t != "" {
		b.title("Bundle (" + codeText(t) + ")")
	}
	b.date("timestamp", "meta.lastUpdated")
	b.add("Entries", strconv.Itoa(len(arr(o, "entry"))))
}
