package ccda

// Social history (LOINC 29762-2): every observation becomes an Observation
// in the "social-history" category. Smoking status (template
// 2.16.840.1.113883.10.20.22.4.78, or the older form coded ASSERTION) is
// coded as LOINC 72166-2 with its SNOMED CT value ("Former smoker");
// pregnancy (2.16.840.1.113883.10.20.15.3.8) as LOINC 82810-3. Other
// observations (tobacco use, alcohol, occupation, …) keep their own code
// and value.

func init() {
	register("Social History", convertSocial, "29762-2")
}

const (
	templateSmokingStatus = "2.16.840.1.113883.10.20.22.4.78"
	templatePregnancy     = "2.16.840.1.113883.10.20.15.3.8"
)

func convertSocial(c *converter, s *node) {
	c.eachEntry(s, "a social history observation", func(title string, nar narrativeIndex, _ int, st *node) bool {
		if st.name != "observation" {
			return false
		}
		c.socialObservation(title, nar, st)
		return true
	})
}

func (c *converter) socialObservation(title string, nar narrativeIndex, obs *node) {
	res, why := c.c2Observation(nar, obs, "social-history", "Social History")
	if res == nil {
		c.skip(title, "a social history observation was not converted: "+why)
		return
	}
	code := obs.child("code").attr("code")
	switch {
	case obs.hasTemplate(templatePregnancy):
		res["code"] = loincConcept("82810-3", "Pregnancy status")
	case obs.hasTemplate(templateSmokingStatus) || code == "ASSERTION" ||
		// a sample in the wild misspells the template root
		obs.hasTemplate("2.16.840.1.113883.10.22.4.78"):
		res["code"] = loincConcept("72166-2", "Tobacco smoking status")
	}
	c.emit(res)
}

// loincConcept is a CodeableConcept of one LOINC code.
func loincConcept(code, display string) map[string]any {
	return map[string]any{
		"coding": []any{map[string]any{"system": "http://loinc.org", "code": code, "display": display}},
		"text":   display,
	}
}
