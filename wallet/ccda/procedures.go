package ccda

// Procedures (LOINC 47519-4): Procedure Activity Procedure, Observation and
// Act entries that record something done (moodCode EVN) become Procedures:
// code, status, when (a date or a period), body site, where, and why. An
// entry that records a procedure only intended or requested (moodCode INT,
// RQO, …) becomes a ServiceRequest with intent "plan", so that nothing
// planned reads as done.

func init() {
	register("Procedures", convertProcedures, "47519-4")
}

func convertProcedures(c *converter, s *node) {
	c.eachEntry(s, "a procedure", func(title string, nar narrativeIndex, _ int, st *node) bool {
		switch st.name {
		case "procedure", "observation", "act":
			c.procedure(title, nar, st)
			return true
		}
		return false
	})
}

// procedure converts one procedure activity (procedure, observation or act).
func (c *converter) procedure(title string, nar narrativeIndex, p *node) {
	code := c2Concept(nar, p.child("code"))
	if code == nil {
		c.skip(title, "a procedure that does not say what was done (no code or text): not converted")
		return
	}
	mood := p.attr("moodCode")
	if mood != "" && mood != "EVN" {
		c.emit(c.plannedRequest(nar, p, code))
		return
	}
	res := map[string]any{
		"resourceType": "Procedure",
		"id":           c2ID("Procedure", p),
		"status":       c2Status(p.child("statusCode"), forProcedure, "unknown"),
		"code":         code,
	}
	if p.attr("negationInd") == "true" {
		res["status"] = "not-done"
	}
	if ids := identifiers(p.all("id")); len(ids) > 0 {
		res["identifier"] = ids
	}
	c.c2Subject(res, "subject")
	c2SetTime(res, "performed", p.child("effectiveTime"))
	var sites []any
	for _, t := range p.all("targetSiteCode") {
		if cc := codeableConcept(t); cc != nil {
			sites = append(sites, cc)
		}
	}
	if len(sites) > 0 {
		res["bodySite"] = sites
	}
	if loc := c2Location(p); loc != nil {
		res["location"] = loc
	}
	if reasons := c2Reasons(nar, p); len(reasons) > 0 {
		res["reasonCode"] = reasons
	}
	c.emit(res)
}

// plannedRequest is the ServiceRequest of a procedure that is planned,
// intended or requested rather than done (any mood but EVN).
func (c *converter) plannedRequest(nar narrativeIndex, p *node, code map[string]any) map[string]any {
	res := map[string]any{
		"resourceType": "ServiceRequest",
		"id":           c2ID("ServiceRequest", p),
		"status":       c2Status(p.child("statusCode"), forRequest, "unknown"),
		"intent":       "plan",
		"code":         code,
	}
	if ids := identifiers(p.all("id")); len(ids) > 0 {
		res["identifier"] = ids
	}
	c.c2Subject(res, "subject")
	c2SetTime(res, "occurrence", p.child("effectiveTime"))
	if reasons := c2Reasons(nar, p); len(reasons) > 0 {
		res["reasonCode"] = reasons
	}
	return res
}
