package ccda

import (
	"fmt"
	"strings"
)

// Encounters (LOINC 46240-8): each Encounter Activity becomes an Encounter:
// its class (from an HL7 ActEncounterCode among its codes, else "unknown":
// the wallet does not guess whether a visit was ambulatory), type (its
// code), status, period, the reasons given (indications and encounter
// diagnoses) and the location's name.

func init() {
	register("Encounters", convertEncounters, "46240-8")
}

// encounterStatuses map C-CDA statuses to FHIR Encounter.status (HL7 C-CDA
// on FHIR, CF-EncounterStatus).
var encounterStatuses = map[string]string{
	"completed": "finished",
	"active":    "in-progress",
	"aborted":   "unknown",
	"cancelled": "cancelled",
	"held":      "planned",
	"new":       "unknown",
	"suspended": "onleave",
	"nullified": "entered-in-error",
}

// encounterClasses are the HL7 ActEncounterCode codes, with their display.
var encounterClasses = map[string]string{
	"AMB":    "ambulatory",
	"EMER":   "emergency",
	"FLD":    "field",
	"HH":     "home health",
	"IMP":    "inpatient encounter",
	"ACUTE":  "inpatient acute",
	"NONAC":  "inpatient non-acute",
	"OBSENC": "observation encounter",
	"PRENC":  "pre-admission",
	"SS":     "short stay",
	"VR":     "virtual",
}

const actCodeSystem = "http://terminology.hl7.org/CodeSystem/v3-ActCode"

func convertEncounters(c *converter, s *node) {
	title := c2SectionTitle(s)
	nar := indexNarrative(s)
	for i, entry := range s.all("entry") {
		st := c2Statement(entry)
		switch {
		case st == nil:
			c.skip(title, fmt.Sprintf("entry %d is empty", i+1))
		case st.name == "encounter":
			c.encounter(title, nar, st)
		default:
			c.skip(title, fmt.Sprintf("entry %d is a <%s>, not an encounter: not converted", i+1, st.name))
		}
	}
}

func (c *converter) encounter(title string, nar narrativeIndex, e *node) {
	if m := e.attr("moodCode"); m != "" && m != "EVN" {
		c.skip(title, "an encounter that is planned ("+m+"), not one that took place: kept in the original document")
		return
	}
	res := map[string]any{
		"resourceType": "Encounter",
		"id":           c2ID("Encounter", e),
		"class":        encounterClass(e.child("code")),
	}
	point, start, end := effective(e.child("effectiveTime"))
	// An encounter in the event mood without a status (the template does
	// not require one) is one that took place.
	otherwise := "unknown"
	if e.child("statusCode").attr("code") == "" {
		otherwise = "finished"
	}
	res["status"] = c2Status(e.child("statusCode"), encounterStatuses, otherwise)
	if ids := identifiers(e.all("id")); len(ids) > 0 {
		res["identifier"] = ids
	}
	if cc := c2Concept(nar, e.child("code")); cc != nil {
		res["type"] = []any{cc}
	}
	c.c2Subject(res, "subject")
	if point != "" {
		start = point
	}
	if start != "" || end != "" {
		res["period"] = c2Period(start, end)
	}
	if reasons := c2Reasons(nar, e); len(reasons) > 0 {
		res["reasonCode"] = reasons
	}
	if loc := c2Location(e); loc != nil {
		res["location"] = []any{map[string]any{"location": loc}}
	}
	if res["type"] == nil && res["period"] == nil {
		c.skip(title, "an encounter with neither a kind nor a date: not converted")
		return
	}
	c.emit(res)
}

// encounterClass is the Encounter.class Coding: an ActEncounterCode found in
// the code or its translations, else "unknown".
func encounterClass(code *node) map[string]any {
	cands := append([]*node{code}, code.all("translation")...)
	for _, n := range cands {
		k := strings.ToUpper(n.attr("code"))
		sys := n.attr("codeSystem")
		if d, ok := encounterClasses[k]; ok && (sys == "" || sys == "2.16.840.1.113883.5.4") {
			return map[string]any{"system": actCodeSystem, "code": k, "display": d}
		}
	}
	return map[string]any{
		"system":  "http://terminology.hl7.org/CodeSystem/v3-NullFlavor",
		"code":    "UNK",
		"display": "unknown",
	}
}
