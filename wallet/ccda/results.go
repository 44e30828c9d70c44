package ccda

import "fmt"

// Results (LOINC 30954-2): each Result Organizer becomes a DiagnosticReport
// (its code, status, time and the results it holds) and each of its Result
// Observations an Observation in the "laboratory" category, with its value
// (a quantity in UCUM units, a code or a text), reference range,
// interpretation (H, L, HH, LL, A, N, …) and time. A Result Observation
// standing alone in the section becomes an Observation only.

func init() {
	register("Results", convertResults, "30954-2")
}

func convertResults(c *converter, s *node) {
	c.eachEntry(s, "a result organizer or observation", func(title string, nar narrativeIndex, _ int, st *node) bool {
		switch st.name {
		case "organizer":
			c.resultOrganizer(title, nar, st)
		case "observation":
			c.labObservation(title, nar, st)
		default:
			return false
		}
		return true
	})
}

// labObservation converts one Result Observation, returning its id ("" when
// it was not converted, with the reason recorded).
func (c *converter) labObservation(title string, nar narrativeIndex, obs *node) string {
	res, why := c.c2Observation(nar, obs, "laboratory", "Laboratory")
	if res == nil {
		c.skip(title, "a result was not converted: "+why)
		return ""
	}
	c.emit(res)
	return res["id"].(string)
}

// resultOrganizer converts a Result Organizer: its results, then the
// DiagnosticReport that gathers them.
func (c *converter) resultOrganizer(title string, nar narrativeIndex, org *node) {
	var refs []any
	firstTime := ""
	for _, comp := range org.all("component") {
		st := c2Statement(comp)
		if st == nil {
			continue
		}
		if st.name != "observation" {
			c.skip(title, fmt.Sprintf("a <%s> inside a result panel is not a result: not converted", st.name))
			continue
		}
		id := c.labObservation(title, nar, st)
		if id == "" {
			continue
		}
		refs = append(refs, c2Reference("Observation", id))
		if firstTime == "" {
			point, start, _ := effective(st.child("effectiveTime"))
			firstTime = point + start // one of them at most
		}
	}
	if len(refs) == 0 {
		c.skip(title, "a result panel holds no result that could be converted")
		return
	}
	code := c2Concept(nar, org.child("code"))
	if code == nil {
		// The panel does not name itself (Synthea writes nullFlavor="NA"):
		// a lone result names it, else it is called what it is.
		if len(refs) == 1 {
			code = c2Concept(nar, c2Statement(org.child("component")).child("code"))
		}
		if code == nil {
			code = map[string]any{"text": "Laboratory results"}
		}
	}
	rep := map[string]any{
		"resourceType": "DiagnosticReport",
		"id":           c2ID("DiagnosticReport", org),
		"status":       c2Status(org.child("statusCode"), forReport, "unknown"),
		"category": []any{map[string]any{
			"coding": []any{map[string]any{
				"system":  "http://terminology.hl7.org/CodeSystem/v2-0074",
				"code":    "LAB",
				"display": "Laboratory",
			}},
		}},
		"code":   code,
		"result": refs,
	}
	if ids := identifiers(org.all("id")); len(ids) > 0 {
		rep["identifier"] = ids
	}
	c.c2Subject(rep, "subject")
	c2SetTime(rep, "effective", org.child("effectiveTime"))
	if rep["effectiveDateTime"] == nil && rep["effectivePeriod"] == nil {
		if firstTime != "" {
			rep["effectiveDateTime"] = firstTime
		}
	}
	c.emit(rep)
}
