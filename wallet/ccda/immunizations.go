package ccda

import "fmt"

// Immunizations (LOINC 11369-6): each immunization activity given (moodCode
// EVN) becomes an Immunization, following HL7 C-CDA on FHIR: the vaccine
// from the manufactured material's code (CVX, with its translations), the
// date from effectiveTime, the status completed (not-done when negated,
// with the refusal reason), the lot number, manufacturer, route, site and
// dose. Planned immunizations (moodCode INT) are reported as not converted.

func init() {
	register("Immunizations", convertImmunizations, "11369-6")
}

const (
	tmplRefusalReason = "2.16.840.1.113883.10.20.22.4.53"
)

func convertImmunizations(c *converter, s *node) {
	title := sectionTitle(s)
	for i, e := range entryActs(s) {
		if e.name != "substanceAdministration" {
			c.skip(title, fmt.Sprintf("entry %d is a <%s>, not an immunization activity: not converted", i+1, e.name))
			continue
		}
		c.immunization(title, i, e)
	}
}

// immunization converts one immunization activity.
func (c *converter) immunization(title string, index int, sa *node) {
	if mood := sa.attr("moodCode"); mood != "" && mood != "EVN" {
		c.skip(title, fmt.Sprintf("immunization entry %d is planned (moodCode %s), not given: not converted", index+1, mood))
		return
	}
	material := sa.path("consumable", "manufacturedProduct", "manufacturedMaterial")
	vaccine := c.entityConcept(material)
	if vaccine == nil {
		c.skip(title, fmt.Sprintf("immunization entry %d names no vaccine (its code is %s and it has no name): not converted", index+1, nullFlavorOr(material.child("code"), "absent")))
		return
	}
	occurred := pointOrLow(sa.child("effectiveTime"))
	res := map[string]any{
		"resourceType": "Immunization",
		"id":           entryID("Immunization", sa, sa, fmt.Sprint(vaccine), occurred),
		"patient":      map[string]any{"reference": c.patientRef},
		"vaccineCode":  vaccine,
		"status":       "completed",
	}
	if occurred != "" {
		res["occurrenceDateTime"] = occurred
	} else {
		// FHIR requires an occurrence; the document gave no date.
		res["occurrenceString"] = "date not recorded"
	}
	switch {
	case negated(sa):
		res["status"] = "not-done"
		if reason := c.concept(relatedWithTemplate(sa, tmplRefusalReason).child("code")); reason != nil {
			res["statusReason"] = reason
		}
	case sa.child("statusCode").attr("code") == "nullified":
		res["status"] = "entered-in-error"
	}
	if ids := identifiers(sa.all("id")); len(ids) > 0 {
		res["identifier"] = ids
	}
	if lot := material.child("lotNumberText").innerText(); lot != "" {
		res["lotNumber"] = lot
	}
	if maker := sa.path("consumable", "manufacturedProduct", "manufacturerOrganization", "name").innerText(); maker != "" {
		res["manufacturer"] = map[string]any{"display": maker}
	}
	if route := c.concept(sa.child("routeCode")); route != nil {
		res["route"] = route
	}
	if site := c.concept(sa.child("approachSiteCode")); site != nil {
		res["site"] = site
	}
	if dose := quantity(sa.child("doseQuantity")); dose != nil {
		res["doseQuantity"] = dose
	}
	c.emit(res)
}
