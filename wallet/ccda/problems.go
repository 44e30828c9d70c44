package ccda

import "fmt"

// Problems (LOINC 11450-4) become Condition resources of category
// problem-list-item, following HL7 C-CDA on FHIR: the code from the problem
// observation's value (SNOMED CT, ICD-10-CM, … with its translations), onset
// and abatement from its effectiveTime (or the age at onset), the clinical
// status from the problem status observation, else from the dates and the
// concern act's statusCode. A negated observation is a refuted condition.

func init() {
	register("Problems", convertProblems, "11450-4")
}

const (
	tmplProblemObservation    = "2.16.840.1.113883.10.20.22.4.4"
	tmplProblemObservationCCD = "2.16.840.1.113883.10.20.1.28"
	tmplProblemStatus         = "2.16.840.1.113883.10.20.22.4.6"
	tmplProblemStatusCCD      = "2.16.840.1.113883.10.20.1.50"
	tmplAgeObservation        = "2.16.840.1.113883.10.20.22.4.31"
	tmplAgeObservationCCD     = "2.16.840.1.113883.10.20.1.38"

	conditionClinicalURI     = "http://terminology.hl7.org/CodeSystem/condition-clinical"
	conditionVerificationURI = "http://terminology.hl7.org/CodeSystem/condition-ver-status"
	conditionCategoryURI     = "http://terminology.hl7.org/CodeSystem/condition-category"
)

// problemStatuses map the problem status observation's value to the FHIR
// clinical status.
var problemStatuses = map[string]string{
	"55561003":  "active",
	"73425007":  "inactive",
	"413322009": "resolved",
	"277022003": "remission",
	"246455001": "recurrence",
}

func convertProblems(c *converter, s *node) {
	c.convertConcerns(s, "problem", func(o *node) bool {
		// Documents that leave the template out: observations without
		// any template that hold a value.
		return o.hasTemplate(tmplProblemObservation) || o.hasTemplate(tmplProblemObservationCCD) ||
			len(o.all("templateId")) == 0 && o.child("value") != nil
	}, c.problem)
}

// problem converts one problem observation o held by the concern act act
// (or o itself).
func (c *converter) problem(title string, index int, act, o *node) {
	code := c.concept(o.child("value"))
	if code == nil {
		if t := c.entryText(o); t != "" {
			code = map[string]any{"text": t}
		}
	}
	if code == nil {
		c.skip(title, fmt.Sprintf("problem entry %d has no code and no text (its value is %s): not converted", index+1, nullFlavorOr(o.child("value"), "absent")))
		return
	}
	onset, abatement := "", ""
	if point, low, high := effective(o.child("effectiveTime")); point != "" {
		onset = point
	} else {
		onset, abatement = low, high
	}
	status := clinicalStatus(act, o, problemStatuses, tmplProblemStatus, tmplProblemStatusCCD)
	res := map[string]any{
		"resourceType": "Condition",
		"id":           entryID("Condition", o, act, fmt.Sprint(code), onset),
		"subject":      map[string]any{"reference": c.patientRef},
		"code":         code,
		"category":     []any{codingConcept(conditionCategoryURI, "problem-list-item", "Problem List Item")},
	}
	if ids := identifiers(o.all("id")); len(ids) > 0 {
		res["identifier"] = ids
	}
	if negated(o) {
		res["verificationStatus"] = codingConcept(conditionVerificationURI, "refuted", "")
	} else {
		res["verificationStatus"] = codingConcept(conditionVerificationURI, "confirmed", "")
	}
	if status != "" {
		res["clinicalStatus"] = codingConcept(conditionClinicalURI, status, "")
	}
	switch {
	case onset != "":
		res["onsetDateTime"] = onset
	default:
		age := relatedWithTemplate(o, tmplAgeObservation, tmplAgeObservationCCD).child("value")
		if q := quantity(age); q != nil {
			res["onsetAge"] = q
		}
	}
	// FHIR (con-4) allows an abatement only on a condition no longer active.
	if abatement != "" && status != "active" && status != "recurrence" {
		res["abatementDateTime"] = abatement
	}
	if recorded := pointOrLow(o.path("author", "time")); recorded != "" {
		res["recordedDate"] = recorded
	}
	c.emit(res)
}

// nullFlavorOr names an element's nullFlavor ("nullFlavor UNK"), or
// otherwise when it has none.
func nullFlavorOr(n *node, otherwise string) string {
	if nf := n.attr("nullFlavor"); nf != "" {
		return "nullFlavor " + nf
	}
	return otherwise
}
