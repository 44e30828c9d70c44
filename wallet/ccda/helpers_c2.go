package ccda

import (
	"fmt"
	"strconv"
	"strings"
)

// This file holds what the results, vital signs, social history, procedures,
// encounters and plan of care converters share: reading an entry's clinical
// statement, its id, its text (following references into the section's
// narrative), its value, times, statuses, and the one Observation mapping
// that results, vital signs and social history all use.

// c2SectionTitle is the section's title as the document gives it, else the
// name it is known by, else its code.
func c2SectionTitle(s *node) string {
	code := s.child("code").attr("code")
	if t := s.child("title").innerText(); t != "" {
		return t
	}
	if t := sectionTitles[code]; t != "" {
		return t
	}
	return code
}

// eachEntry hands the clinical statement of each entry of section s to
// handle, with the section's title (for what is not converted), its
// narrative (for references) and the entry's number (from 1). An empty
// entry, or one whose kind handle does not take (it returns false), is
// recorded as not converted, saying what the section was expected to hold.
func (c *converter) eachEntry(s *node, expected string, handle func(title string, nar narrativeIndex, n int, st *node) bool) {
	title := c2SectionTitle(s)
	nar := indexNarrative(s)
	for i, entry := range s.all("entry") {
		st := c2Statement(entry)
		switch {
		case st == nil:
			c.skip(title, fmt.Sprintf("entry %d is empty", i+1))
		case !handle(title, nar, i+1, st):
			c.skip(title, fmt.Sprintf("entry %d is a <%s>, not %s: not converted", i+1, st.name, expected))
		}
	}
}

// c2Statement is the clinical statement an entry (or component or
// entryRelationship) holds: its first child element that is not a
// templateId or sequence number.
func c2Statement(holder *node) *node {
	if holder == nil {
		return nil
	}
	for _, ch := range holder.children {
		switch ch.name {
		case "templateId", "sequenceNumber", "seperatableInd", "separatableInd":
			continue
		}
		return ch
	}
	return nil
}

// c2ID is the stable id of the resource made from the statement n: from its
// ids, its code and when it starts. The code and start are part of the key
// because real documents (the Blue Button samples among them) give one id to
// sibling entries, e.g. every result of a panel; the same entry in a newer
// document still keeps its id, so it becomes a new version. Without a usable
// id, the entry's content makes the id.
func c2ID(kind string, n *node) string {
	code := n.child("code")
	point, start, _ := effective(n.child("effectiveTime"))
	key := kind + "|" + code.attr("codeSystem") + "|" + code.attr("code") + "|" + point + start
	return stableID(key, n.all("id"), c2Fingerprint(n)...)
}

// c2Fingerprint is what identifies an entry that has no id: its code, text,
// times and value.
func c2Fingerprint(n *node) []string {
	var out []string
	for _, part := range []*node{n.child("code"), n.child("effectiveTime"), n.child("value"), n.child("text")} {
		if part == nil {
			continue
		}
		out = append(out, part.name, part.attr("code"), part.attr("value"), part.attr("unit"), part.innerText())
		for _, sub := range []string{"low", "high", "center"} {
			out = append(out, part.child(sub).attr("value"))
		}
	}
	return out
}

// narrativeIndex finds the elements of a section's narrative block by
// their ID attribute, which entries point at (<reference value="#id"/>),
// and keeps each one's text once read: many entries may point at one large
// element, and reading it again for each would make a crafted document
// quadratic to convert.
type narrativeIndex struct {
	byID  map[string]*node
	texts map[string]string
}

// indexNarrative indexes the narrative block of section s.
func indexNarrative(s *node) narrativeIndex {
	idx := narrativeIndex{byID: map[string]*node{}, texts: map[string]string{}}
	var walk func(*node)
	walk = func(m *node) {
		for _, ch := range m.children {
			if id := ch.attr("ID"); id != "" {
				if _, dup := idx.byID[id]; !dup {
					idx.byID[id] = ch
				}
			}
			walk(ch)
		}
	}
	if text := s.child("text"); text != nil {
		walk(text)
	}
	return idx
}

// text is the text of the narrative element whose ID is id, "" when there
// is none.
func (x narrativeIndex) text(id string) string {
	if t, ok := x.texts[id]; ok {
		return t
	}
	n, ok := x.byID[id]
	if !ok {
		return ""
	}
	t := n.innerText()
	x.texts[id] = t
	return t
}

// c2Text is the text of n: its own, or, when it only points into the
// section's narrative (<reference value="#id"/>), the narrative's text.
func c2Text(nar narrativeIndex, n *node) string {
	if n == nil {
		return ""
	}
	if t := n.innerText(); t != "" {
		return t
	}
	ref := n.child("reference").attr("value")
	if !strings.HasPrefix(ref, "#") {
		return ""
	}
	return nar.text(ref[1:])
}

// c2Concept is a CodeableConcept from a CD (see codeableConcept), with its
// text taken from the narrative when the code only points there; nil when
// there is neither a code nor a text.
func c2Concept(nar narrativeIndex, cd *node) map[string]any {
	cc := codeableConcept(cd)
	if cc != nil && cc["text"] != nil {
		return cc
	}
	if t := c2Text(nar, cd.child("originalText")); t != "" {
		if cc == nil {
			cc = map[string]any{}
		}
		cc["text"] = t
	}
	return cc
}

// c2Reference is a FHIR Reference to a resource of this converter.
func c2Reference(typ, id string) map[string]any {
	return map[string]any{"reference": typ + "/" + id}
}

// c2Subject points res at the document's patient, under field.
func (c *converter) c2Subject(res map[string]any, field string) {
	if c.patientRef != "" {
		res[field] = map[string]any{"reference": c.patientRef}
	}
}

// c2SetTime puts an effectiveTime into res as <field>DateTime (a point, or
// an interval that starts and ends at once) or <field>Period.
func c2SetTime(res map[string]any, field string, et *node) {
	point, start, end := effective(et)
	if point == "" {
		point = dateTime(et.child("center").attr("value"))
	}
	switch {
	case point != "":
		res[field+"DateTime"] = point
	case start != "" && start == end:
		res[field+"DateTime"] = start
	case start != "" || end != "":
		res[field+"Period"] = c2Period(start, end)
	}
}

// c2Period is a FHIR Period with what is known of it.
func c2Period(start, end string) map[string]any {
	p := map[string]any{}
	if start != "" {
		p["start"] = start
	}
	if end != "" {
		p["end"] = end
	}
	return p
}

// statusTarget is the FHIR status element a C-CDA statusCode becomes.
type statusTarget int

const (
	forObservation statusTarget = iota // Observation.status
	forReport                          // DiagnosticReport.status
	forProcedure                       // Procedure.status
	forRequest                         // ServiceRequest.status
	forEncounter                       // Encounter.status
	forActivity                        // CarePlan.activity.detail.status
	forGoal                            // Goal.lifecycleStatus
	statusTargets                      // how many there are
)

// actStatuses map each C-CDA ActStatus to the FHIR status of each target,
// after HL7 C-CDA on FHIR's concept maps (CF-ResultStatus,
// CF-ProcedureStatus, CF-EncounterStatus) where they exist; an "active"
// result is a preliminary one.
var actStatuses = map[string][statusTargets]string{
	// in the order of statusTarget: Observation, DiagnosticReport, Procedure,
	// ServiceRequest, Encounter, CarePlan activity, Goal
	"completed": {"final", "final", "completed", "completed", "finished", "completed", "completed"},
	"active":    {"preliminary", "partial", "in-progress", "active", "in-progress", "in-progress", "active"},
	"aborted":   {"cancelled", "cancelled", "stopped", "revoked", "unknown", "stopped", "cancelled"},
	"cancelled": {"cancelled", "cancelled", "not-done", "revoked", "cancelled", "cancelled", "cancelled"},
	"held":      {"registered", "registered", "on-hold", "on-hold", "planned", "on-hold", "on-hold"},
	"suspended": {"registered", "registered", "on-hold", "on-hold", "onleave", "on-hold", "on-hold"},
	"new":       {"registered", "registered", "preparation", "active", "unknown", "not-started", "proposed"},
	"nullified": {"entered-in-error", "entered-in-error", "entered-in-error", "entered-in-error", "entered-in-error", "entered-in-error", "entered-in-error"},
}

// c2Status maps a C-CDA statusCode to the FHIR status of target; a code the
// table does not hold (or none) gives otherwise.
func c2Status(statusCode *node, target statusTarget, otherwise string) string {
	if s, ok := actStatuses[strings.ToLower(statusCode.attr("code"))]; ok {
		return s[target]
	}
	return otherwise
}

// xsiType is an element's xsi:type without a namespace prefix ("PQ").
func xsiType(n *node) string {
	t := n.attr("xsi:type")
	if i := strings.LastIndexByte(t, ':'); i >= 0 {
		t = t[i+1:]
	}
	return strings.ToUpper(t)
}

// dataAbsentReasons map HL7 nullFlavors to FHIR data-absent-reason codes.
var dataAbsentReasons = map[string]string{
	"NI":   "unknown",
	"UNK":  "unknown",
	"ASKU": "asked-unknown",
	"NAV":  "temp-unknown",
	"NASK": "not-asked",
	"MSK":  "masked",
	"NA":   "not-applicable",
	"NINF": "negative-infinity",
	"PINF": "positive-infinity",
	"OTH":  "unsupported",
	"NP":   "not-performed",
}

// c2SetValue puts an observation's <value> into res as value[x] (or
// dataAbsentReason when the value is null-flavored). It reports whether it
// put anything.
func c2SetValue(nar narrativeIndex, res map[string]any, v *node) bool {
	if v == nil {
		return false
	}
	if nf := strings.ToUpper(v.attr("nullFlavor")); nf != "" && v.attr("value") == "" && v.attr("code") == "" {
		if nf == "TRC" {
			res["valueString"] = "trace"
			return true
		}
		reason := dataAbsentReasons[nf]
		if reason == "" {
			reason = "unknown"
		}
		res["dataAbsentReason"] = map[string]any{"coding": []any{map[string]any{
			"system": "http://terminology.hl7.org/CodeSystem/data-absent-reason", "code": reason}}}
		return true
	}
	typ := xsiType(v)
	if typ == "" { // guess from what is there
		switch {
		case v.attr("code") != "":
			typ = "CD"
		case v.attr("value") != "" && v.attr("unit") != "":
			typ = "PQ"
		case v.child("low") != nil || v.child("high") != nil:
			typ = "IVL_PQ"
		default:
			typ = "ST"
		}
	}
	switch typ {
	case "PQ":
		if q := quantity(v); q != nil {
			res["valueQuantity"] = q
			return true
		}
		if q := c2Comparator(v); q != nil {
			res["valueQuantity"] = q
			return true
		}
	case "REAL":
		if n := jsonNumber(v.attr("value")); n != nil {
			res["valueQuantity"] = map[string]any{"value": n}
			return true
		}
	case "INT":
		if i, err := strconv.ParseInt(strings.TrimSpace(v.attr("value")), 10, 32); err == nil {
			res["valueInteger"] = i
			return true
		}
	case "IVL_PQ":
		r := map[string]any{}
		if q := quantity(v.child("low")); q != nil {
			r["low"] = q
		}
		if q := quantity(v.child("high")); q != nil {
			r["high"] = q
		}
		if len(r) > 0 {
			res["valueRange"] = r
			return true
		}
	case "RTO", "RTO_PQ_PQ", "RTO_INT_INT":
		num, den := quantity(v.child("numerator")), quantity(v.child("denominator"))
		if num != nil && den != nil {
			res["valueRatio"] = map[string]any{"numerator": num, "denominator": den}
			return true
		}
	case "CD", "CE", "CV", "CO", "CS":
		if cc := c2Concept(nar, v); cc != nil {
			res["valueCodeableConcept"] = cc
			return true
		}
	case "BL":
		if b, err := strconv.ParseBool(v.attr("value")); err == nil {
			res["valueBoolean"] = b
			return true
		}
	case "TS":
		if t := dateTime(v.attr("value")); t != "" {
			res["valueDateTime"] = t
			return true
		}
	case "IVL_TS":
		_, start, end := effective(v)
		if start != "" || end != "" {
			res["valuePeriod"] = c2Period(start, end)
			return true
		}
	default: // ST, ED and anything else read as text
		if t := c2Text(nar, v); t != "" && !c2Placeholder(t) {
			res["valueString"] = t
			return true
		}
	}
	// A value the types above could not read is still shown as written
	// ("see note", "1:64"), rather than dropped.
	if raw := strings.TrimSpace(v.attr("value") + " " + v.attr("unit")); raw != "" && v.attr("unit") != raw {
		res["valueString"] = raw
		return true
	}
	return false
}

// c2Comparator reads a PQ whose value starts with a comparator ("<5",
// ">=100"), which some systems write, as a FHIR Quantity with comparator.
func c2Comparator(pq *node) map[string]any {
	v := strings.TrimSpace(pq.attr("value"))
	for _, op := range []string{"<=", ">=", "<", ">"} {
		if rest, ok := strings.CutPrefix(v, op); ok {
			q := quantity(&node{attrs: map[string]string{"value": rest, "unit": pq.attr("unit")}})
			if q == nil {
				return nil
			}
			q["comparator"] = op
			return q
		}
	}
	return nil
}

// c2Placeholder reports a text that is an unfilled template field, such as
// the "{entry.value}" some generators (Synthea among them) leave in results:
// it says nothing, so it is not shown as the result's value.
func c2Placeholder(t string) bool {
	return strings.HasPrefix(t, "{") && strings.HasSuffix(t, "}") && !strings.ContainsAny(t, " \t")
}

// interpretationDisplays are the readable forms of the v3
// ObservationInterpretation codes results use.
var interpretationDisplays = map[string]string{
	"H":   "High",
	"L":   "Low",
	"HH":  "Critical high",
	"LL":  "Critical low",
	"A":   "Abnormal",
	"AA":  "Critical abnormal",
	"N":   "Normal",
	"HU":  "Significantly high",
	"LU":  "Significantly low",
	"POS": "Positive",
	"NEG": "Negative",
	"IND": "Indeterminate",
	"R":   "Resistant",
	"S":   "Susceptible",
	"I":   "Intermediate",
}

const interpretationSystem = "http://terminology.hl7.org/CodeSystem/v3-ObservationInterpretation"

// c2Interpretations are an observation's interpretationCodes as FHIR
// CodeableConcepts (a code without a code system is taken as HL7's
// ObservationInterpretation, which is what C-CDA requires).
func c2Interpretations(obs *node) []any {
	var out []any
	for _, ic := range obs.all("interpretationCode") {
		code := ic.attr("code")
		if code == "" {
			continue
		}
		system := SystemURI(ic.attr("codeSystem"))
		if system == "" {
			system = interpretationSystem
		}
		coding := map[string]any{"system": system, "code": code}
		display := ic.attr("displayName")
		if known := interpretationDisplays[strings.ToUpper(code)]; known != "" && system == interpretationSystem {
			if display == "" {
				display = known
			}
		}
		cc := map[string]any{"coding": []any{coding}}
		if display != "" {
			coding["display"] = display
			cc["text"] = display
		}
		out = append(out, cc)
	}
	return out
}

// c2ReferenceRanges are an observation's reference ranges: low and high from
// an IVL_PQ, or the range as text.
func c2ReferenceRanges(nar narrativeIndex, obs *node) []any {
	var out []any
	for _, rr := range obs.all("referenceRange") {
		r := rr.child("observationRange")
		rng := map[string]any{}
		if v := r.child("value"); v != nil {
			if q := quantity(v.child("low")); q != nil {
				rng["low"] = q
			}
			if q := quantity(v.child("high")); q != nil {
				rng["high"] = q
			}
		}
		if t := c2Text(nar, r.child("text")); t != "" {
			rng["text"] = t
		}
		if len(rng) > 0 {
			out = append(out, rng)
		}
	}
	return out
}

// c2Category is an Observation category from HL7's observation-category
// code system.
func c2Category(code, display string) []any {
	return []any{map[string]any{
		"coding": []any{map[string]any{
			"system":  "http://terminology.hl7.org/CodeSystem/observation-category",
			"code":    code,
			"display": display,
		}},
		"text": display,
	}}
}

// c2Observation makes the FHIR Observation of one C-CDA observation (a
// result, a vital sign, a social history observation): code, status, time,
// value, interpretation and reference range, in the given category. It
// returns nil and the reason when the observation cannot become one.
func (c *converter) c2Observation(nar narrativeIndex, obs *node, category, categoryDisplay string) (map[string]any, string) {
	if obs.name != "observation" {
		return nil, "a <" + obs.name + "> where an observation was expected"
	}
	if obs.attr("negationInd") == "true" {
		return nil, "an observation stated as not made (negationInd): FHIR has no such Observation"
	}
	code := c2Concept(nar, obs.child("code"))
	if code == nil {
		// Without a code, the observation's own text (often a reference
		// into the narrative table) names what was observed.
		if t := c2Text(nar, obs.child("text")); t != "" {
			code = map[string]any{"text": t}
		}
	}
	if code == nil {
		return nil, "an observation that does not say what was observed (no code or text)"
	}
	res := map[string]any{
		"resourceType": "Observation",
		"id":           c2ID("Observation", obs),
		"status":       c2Status(obs.child("statusCode"), forObservation, "unknown"),
		"category":     c2Category(category, categoryDisplay),
		"code":         code,
	}
	if ids := identifiers(obs.all("id")); len(ids) > 0 {
		res["identifier"] = ids
	}
	c.c2Subject(res, "subject")
	c2SetTime(res, "effective", obs.child("effectiveTime"))
	for _, v := range obs.all("value") {
		if c2SetValue(nar, res, v) {
			break
		}
	}
	if in := c2Interpretations(obs); len(in) > 0 {
		res["interpretation"] = in
	}
	if rr := c2ReferenceRanges(nar, obs); len(rr) > 0 {
		res["referenceRange"] = rr
	}
	if site := codeableConcept(obs.child("targetSiteCode")); site != nil {
		res["bodySite"] = site
	}
	if m := codeableConcept(obs.child("methodCode")); m != nil {
		res["method"] = m
	}
	if notes := c2Comments(nar, obs); len(notes) > 0 {
		res["note"] = notes
	}
	return res, ""
}

// c2Comments are the Comment Activities (template
// 2.16.840.1.113883.10.20.22.4.64) of a statement, as FHIR Annotations.
func c2Comments(nar narrativeIndex, st *node) []any {
	var out []any
	for _, er := range st.all("entryRelationship") {
		act := c2Statement(er)
		if act == nil || act.name != "act" || !act.hasTemplate("2.16.840.1.113883.10.20.22.4.64") {
			continue
		}
		if t := c2Text(nar, act.child("text")); t != "" {
			out = append(out, map[string]any{"text": t})
		}
	}
	return out
}

// c2Location is a Reference (by name only) to where an act took place: the
// name of its service delivery location participant.
func c2Location(act *node) map[string]any {
	for _, p := range act.all("participant") {
		if p.attr("typeCode") != "LOC" {
			continue
		}
		role := p.child("participantRole")
		name := role.path("playingEntity", "name").innerText()
		if name == "" {
			if cc := codeableConcept(role.child("code")); cc != nil {
				name, _ = cc["text"].(string)
			}
		}
		if name != "" {
			return map[string]any{"display": name}
		}
	}
	return nil
}

// c2Reasons are the reasons given for an act: the values of its indication
// (RSON) observations, and the problems of its encounter diagnoses.
func c2Reasons(nar narrativeIndex, act *node) []any {
	var out []any
	for _, er := range act.all("entryRelationship") {
		st := c2Statement(er)
		switch {
		case st == nil:
		case er.attr("typeCode") == "RSON" && st.name == "observation":
			// The indication's code only says "finding" or "problem": the
			// reason is its value.
			if cc := c2Concept(nar, st.child("value")); cc != nil {
				out = append(out, cc)
			}
		case st.name == "act" && st.hasTemplate("2.16.840.1.113883.10.20.22.4.80"): // encounter diagnosis
			for _, inner := range st.all("entryRelationship") {
				if p := c2Statement(inner); p != nil && p.name == "observation" {
					if cc := c2Concept(nar, p.child("value")); cc != nil {
						out = append(out, cc)
					}
				}
			}
		}
	}
	return out
}
