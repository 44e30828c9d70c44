package ccda

import (
	"fmt"
	"strings"
)

// Medications (LOINC 10160-0, and the discharge, admission and administered
// medication sections 10183-2, 42346-7, 29549-3): each medication activity becomes a
// MedicationStatement (moodCode EVN: taken, being taken) or a
// MedicationRequest (moodCode INT: prescribed, intended), following HL7
// C-CDA on FHIR: the medication from the manufactured material's code
// (RxNorm, with its translations), the status from statusCode (negated:
// not taken), the period from the IVL_TS effectiveTime, the dosage from
// doseQuantity, rateQuantity, routeCode, the PIVL_TS/EIVL_TS timing, the
// precondition (as needed) and the instructions; the indication as the
// reason.

func init() {
	register("Medications", convertMedications, "10160-0")
	register("Hospital discharge medications", convertMedications, "10183-2")
	register("Hospital admission medications", convertMedications, "42346-7")
	register("Medications administered", convertMedications, "29549-3")
}

const (
	tmplInstruction    = "2.16.840.1.113883.10.20.22.4.20"
	tmplInstructionCCD = "2.16.840.1.113883.10.20.1.49"
	tmplIndication     = "2.16.840.1.113883.10.20.22.4.19"
	tmplIndicationCCD  = "2.16.840.1.113883.10.20.1.28"
)

// statementStatuses map a medication activity's statusCode to
// MedicationStatement.status.
var statementStatuses = map[string]string{
	"active":    "active",
	"completed": "completed",
	"aborted":   "stopped",
	"suspended": "on-hold",
	"cancelled": "not-taken",
	"held":      "on-hold",
	"nullified": "entered-in-error",
}

// requestStatuses map it to MedicationRequest.status.
var requestStatuses = map[string]string{
	"active":    "active",
	"completed": "completed",
	"aborted":   "stopped",
	"suspended": "on-hold",
	"cancelled": "cancelled",
	"held":      "on-hold",
	"new":       "draft",
	"nullified": "entered-in-error",
}

// timeUnits map UCUM units of a PIVL_TS period to FHIR's units of time.
var timeUnits = map[string]string{
	"s": "s", "min": "min", "h": "h", "d": "d", "wk": "wk", "mo": "mo", "a": "a",
}

func convertMedications(c *converter, s *node) {
	title := sectionTitle(s)
	for i, e := range entryActs(s) {
		activities := []*node{e}
		if e.name == "act" {
			// Discharge and admission medications wrap the medication
			// activities in an act.
			activities = nil
			for _, r := range related(e, "") {
				if r.name == "substanceAdministration" {
					activities = append(activities, r)
				}
			}
		}
		if len(activities) == 0 || activities[0].name != "substanceAdministration" {
			c.skip(title, fmt.Sprintf("entry %d is a <%s> holding no medication activity: not converted", i+1, e.name))
			continue
		}
		for _, sa := range activities {
			c.medication(title, i, sa)
		}
	}
}

// medication converts one medication activity.
func (c *converter) medication(title string, index int, sa *node) {
	material := sa.path("consumable", "manufacturedProduct", "manufacturedMaterial")
	med := c.entityConcept(material)
	if med == nil {
		c.skip(title, fmt.Sprintf("medication entry %d names no medication (its code is %s and it has no name): not converted", index+1, nullFlavorOr(material.child("code"), "absent")))
		return
	}
	status := sa.child("statusCode").attr("code")
	var period map[string]any
	when := ""
	dosage := map[string]any{}
	repeat := map[string]any{}
	for _, et := range sa.all("effectiveTime") {
		switch typ := et.attr("xsi:type"); {
		case typ == "PIVL_TS":
			if p := et.child("period"); p != nil {
				if unit, ok := timeUnits[p.attr("unit")]; ok {
					if v := jsonNumber(p.attr("value")); v != nil {
						repeat["period"] = v
						repeat["periodUnit"] = unit
					}
				}
			}
		case typ == "EIVL_TS":
			if ev := et.path("event").attr("code"); ev != "" {
				repeat["when"] = []any{ev}
			}
		case when == "" && period == nil:
			point, start, end := effective(et)
			if point != "" {
				when = point
			} else if start != "" || end != "" {
				period = map[string]any{}
				if start != "" {
					period["start"] = start
				}
				if end != "" {
					period["end"] = end
				}
			}
		}
	}
	if len(repeat) > 0 {
		dosage["timing"] = map[string]any{"repeat": repeat}
	}
	if route := c.concept(sa.child("routeCode")); route != nil {
		dosage["route"] = route
	}
	if site := c.concept(sa.child("approachSiteCode")); site != nil {
		dosage["site"] = site
	}
	doseAndRate := map[string]any{}
	if dose := quantity(sa.child("doseQuantity")); dose != nil {
		doseAndRate["doseQuantity"] = dose
	} else if low, high := quantity(sa.path("doseQuantity", "low")), quantity(sa.path("doseQuantity", "high")); low != nil || high != nil {
		rng := map[string]any{}
		if low != nil {
			rng["low"] = low
		}
		if high != nil {
			rng["high"] = high
		}
		doseAndRate["doseRange"] = rng
	}
	if rate := quantity(sa.child("rateQuantity")); rate != nil {
		doseAndRate["rateQuantity"] = rate
	}
	if len(doseAndRate) > 0 {
		dosage["doseAndRate"] = []any{doseAndRate}
	}
	if pre := sa.child("precondition"); pre != nil {
		if need := c.concept(pre.path("criterion", "value")); need != nil {
			dosage["asNeededCodeableConcept"] = need
		} else {
			dosage["asNeededBoolean"] = true
		}
	}
	if sig := c.entryText(sa); sig != "" {
		dosage["text"] = sig
	}
	if instr := relatedWithTemplate(sa, tmplInstruction, tmplInstructionCCD); instr != nil {
		if t := strings.TrimSpace(c.entryText(instr)); t != "" {
			dosage["patientInstruction"] = t
		} else if cc := c.concept(instr.child("code")); cc != nil && cc["text"] != nil {
			dosage["patientInstruction"] = cc["text"]
		}
	}
	var reasons []any
	for _, r := range related(sa, "RSON") {
		if cc := c.concept(r.child("value")); cc != nil && (r.hasTemplate(tmplIndication) || r.hasTemplate(tmplIndicationCCD) || r.name == "observation") {
			reasons = append(reasons, cc)
		}
	}

	res := map[string]any{
		"medicationCodeableConcept": med,
		"subject":                   map[string]any{"reference": c.patientRef},
	}
	if ids := identifiers(sa.all("id")); len(ids) > 0 {
		res["identifier"] = ids
	}
	if len(reasons) > 0 {
		res["reasonCode"] = reasons
	}
	if sa.attr("moodCode") == "INT" || sa.attr("moodCode") == "RQO" {
		res["resourceType"] = "MedicationRequest"
		res["intent"] = "order"
		res["status"] = "unknown"
		if s, ok := requestStatuses[status]; ok {
			res["status"] = s
		}
		if negated(sa) {
			res["doNotPerform"] = true
		}
		if period != nil {
			r, _ := dosage["timing"].(map[string]any)
			if r == nil {
				r = map[string]any{"repeat": map[string]any{}}
				dosage["timing"] = r
			}
			r["repeat"].(map[string]any)["boundsPeriod"] = period
		}
		if authored := pointOrLow(sa.path("author", "time")); authored != "" {
			res["authoredOn"] = authored
		}
		if len(dosage) > 0 {
			res["dosageInstruction"] = []any{dosage}
		}
	} else {
		res["resourceType"] = "MedicationStatement"
		res["status"] = "unknown"
		if s, ok := statementStatuses[status]; ok {
			res["status"] = s
		}
		if negated(sa) {
			res["status"] = "not-taken"
		}
		switch {
		case period != nil:
			res["effectivePeriod"] = period
		case when != "":
			res["effectiveDateTime"] = when
		}
		if asserted := pointOrLow(sa.path("author", "time")); asserted != "" {
			res["dateAsserted"] = asserted
		}
		if len(dosage) > 0 {
			res["dosage"] = []any{dosage}
		}
	}
	typ := res["resourceType"].(string)
	res["id"] = entryID(typ, sa, sa, fmt.Sprint(med), fmt.Sprint(period), when)
	c.emit(res)
}
