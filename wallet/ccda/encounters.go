package ccda

import "strings"

// Encounters (LOINC 46240-8): each Encounter Activity becomes an Encounter:
// its class (from an HL7 ActEncounterCode among its codes, else "unknown":
// the wallet does not guess whether a visit was ambulatory), type (its
// code), status, period, the reasons given (indications and encounter
// diagnoses) and the location's name.

func init() {
	register("Encounters", convertEncounters, "46240-8")
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
	c.eachEntry(s, "an encounter", func(title string, nar narrativeIndex, _ int, st *node) bool {
		if st.name != "encounter" {
			return false
		}
		c.encounter(title, nar, st)
		return true
	})
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
	res["status"] = c2Status(e.child("statusCode"), forEncounter, otherwise)
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
