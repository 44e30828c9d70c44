package ccda

import (
	"fmt"
	"sort"
	"strings"
)

// Plan of care (LOINC 18776-5, "Plan of Treatment" in C-CDA R2.1) becomes
// one CarePlan per section, one activity per planned act, observation,
// procedure, encounter, medication (substanceAdministration), supply or
// instruction: what (its code or text), its status, when it is planned and
// whether it is not to be done. Goals (LOINC 61146-7, and Goal Observations
// in a plan) become Goals: what the goal is, its target (a quantity, range,
// code or text, measured by the goal's code), its dates and lifecycle
// status; the CarePlan of the same section points at its goals. A Care Plan
// document's Interventions section (LOINC 62387-6) is read the same way.

func init() {
	register("Plan of Treatment", convertPlanOfCare, "18776-5")
	// A Care Plan document's Interventions: acts planned or done under the
	// plan, which are its activities.
	register("Interventions", convertPlanOfCare, "62387-6")
	register("Goals", convertGoals, "61146-7")
}

const templateGoal = "2.16.840.1.113883.10.20.22.4.121"

// activityKinds are the FHIR resource a planned statement would be, by
// element name.
var activityKinds = map[string]string{
	"encounter":               "Appointment",
	"act":                     "ServiceRequest",
	"observation":             "ServiceRequest",
	"procedure":               "ServiceRequest",
	"substanceAdministration": "MedicationRequest",
	"supply":                  "DeviceRequest",
}

func convertPlanOfCare(c *converter, s *node) {
	var activities, goals []any
	var idParts []string
	c.eachEntry(s, "a planned activity or goal", func(title string, nar narrativeIndex, n int, st *node) bool {
		switch {
		case st.name == "observation" && (st.attr("moodCode") == "GOL" || st.hasTemplate(templateGoal)):
			if id := c.goal(title, nar, st); id != "" {
				goals = append(goals, c2Reference("Goal", id))
			}
		case activityKinds[st.name] != "":
			detail := planActivity(nar, st)
			if detail == nil {
				c.skip(title, fmt.Sprintf("entry %d: a planned %s that does not say what is planned (no code or text): not converted", n, st.name))
				break
			}
			activities = append(activities, map[string]any{"detail": detail})
			idParts = append(idParts, c2ID("CarePlan activity", st))
		default:
			return false
		}
		return true
	})
	if len(activities) == 0 && len(goals) == 0 {
		return
	}
	// The plan is identified by what it plans, so the same plan in a newer
	// document becomes a new version of it.
	sort.Strings(idParts)
	for _, g := range goals {
		idParts = append(idParts, g.(map[string]any)["reference"].(string))
	}
	plan := map[string]any{
		"resourceType": "CarePlan",
		"id":           stableID("CarePlan", nil, idParts...),
		"status":       "active",
		"intent":       "plan",
		"title":        c2SectionTitle(s),
		"category": []any{map[string]any{"coding": []any{map[string]any{
			"system": "http://hl7.org/fhir/us/core/CodeSystem/careplan-category", "code": "assess-plan",
			"display": "Assessment and Plan of Treatment"}}}},
	}
	c.c2Subject(plan, "subject")
	if created := dateTime(c.doc.child("effectiveTime").attr("value")); created != "" {
		plan["created"] = created
	}
	if len(activities) > 0 {
		plan["activity"] = activities
	}
	if len(goals) > 0 {
		plan["goal"] = goals
	}
	c.emit(plan)
}

// planActivity is the CarePlan.activity.detail of one planned statement,
// nil when it does not say what is planned.
func planActivity(nar narrativeIndex, st *node) map[string]any {
	code := c2Concept(nar, st.child("code"))
	if st.name == "substanceAdministration" {
		if drug := c2Concept(nar, st.path("consumable", "manufacturedProduct", "manufacturedMaterial", "code")); drug != nil {
			code = drug
		}
	}
	description := c2Text(nar, st.child("text"))
	if code == nil && description == "" {
		return nil
	}
	detail := map[string]any{
		"kind":   activityKinds[st.name],
		"status": c2Status(st.child("statusCode"), forActivity, "unknown"),
	}
	if st.hasTemplate("2.16.840.1.113883.10.20.22.4.20") { // an instruction: no request behind it
		delete(detail, "kind")
	}
	if code != nil {
		detail["code"] = code
	}
	if description != "" {
		detail["description"] = description
	}
	if st.attr("negationInd") == "true" {
		detail["doNotPerform"] = true
	}
	when := map[string]any{}
	c2SetTime(when, "t", st.child("effectiveTime"))
	if t, ok := when["tDateTime"]; ok {
		detail["scheduledString"] = t
	} else if p, ok := when["tPeriod"]; ok {
		detail["scheduledPeriod"] = p
	}
	return detail
}

func convertGoals(c *converter, s *node) {
	c.eachEntry(s, "a goal", func(title string, nar narrativeIndex, _ int, st *node) bool {
		if st.name != "observation" {
			return false
		}
		c.goal(title, nar, st)
		return true
	})
}

// goal converts a Goal Observation into a Goal, returning its id ("" when
// it was not converted, with the reason recorded).
func (c *converter) goal(title string, nar narrativeIndex, g *node) string {
	code := c2Concept(nar, g.child("code"))
	target := map[string]any{}
	hasTarget := false
	for _, v := range g.all("value") {
		if c2SetValue(nar, target, v) {
			hasTarget = true
			break
		}
	}
	description := code
	if description == nil {
		if t := c2Text(nar, g.child("text")); t != "" {
			description = map[string]any{"text": t}
		}
	}
	if description == nil {
		if cc, ok := target["valueCodeableConcept"].(map[string]any); ok {
			description = cc
		} else if s, ok := target["valueString"].(string); ok {
			description = map[string]any{"text": s}
		}
	}
	if description == nil {
		c.skip(title, "a goal that does not say what it is (no code, text or value): not converted")
		return ""
	}
	res := map[string]any{
		"resourceType":    "Goal",
		"id":              c2ID("Goal", g),
		"lifecycleStatus": c2Status(g.child("statusCode"), forGoal, "active"),
		"description":     description,
	}
	if ids := identifiers(g.all("id")); len(ids) > 0 {
		res["identifier"] = ids
	}
	c.c2Subject(res, "subject")
	point, start, end := effective(g.child("effectiveTime"))
	if point != "" {
		start = point
	}
	if len(start) >= 10 {
		res["startDate"] = start[:10]
	} else if start != "" {
		res["startDate"] = start
	}
	t := map[string]any{}
	if hasTarget && code != nil {
		t["measure"] = code
		for k, v := range target {
			// Goal.target.detail[x] has every value type but the times.
			if k != "valueDateTime" && k != "valuePeriod" && strings.HasPrefix(k, "value") {
				t["detail"+strings.TrimPrefix(k, "value")] = v
			}
		}
	}
	if end != "" {
		if len(end) > 10 {
			end = end[:10]
		}
		t["dueDate"] = end
	}
	if len(t) > 0 {
		res["target"] = []any{t}
	}
	c.emit(res)
	return res["id"].(string)
}
