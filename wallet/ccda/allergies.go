package ccda

import "fmt"

// Allergies, adverse reactions and alerts (LOINC 48765-2) become
// AllergyIntolerance resources, following HL7 C-CDA on FHIR: the substance
// from the allergy observation's consumable participant, the reactions
// (manifestation, severity) from its MFST relationships, the criticality
// from the criticality observation, the clinical status from the allergy
// status observation or else the concern act. A negated observation without
// a substance is "no known allergy" (SNOMED 716186003, or the drug / food /
// environmental variant); a negated one with a substance is a refuted
// allergy.

func init() {
	register("Allergies", convertAllergies, "48765-2")
}

// Template ids (C-CDA R2.1, with the CCD 1.0 ones where they differ).
const (
	tmplAllergyObservation    = "2.16.840.1.113883.10.20.22.4.7"
	tmplAllergyObservationCCD = "2.16.840.1.113883.10.20.1.18"
	tmplAllergyStatus         = "2.16.840.1.113883.10.20.22.4.28"
	tmplAllergyStatusCCD      = "2.16.840.1.113883.10.20.1.39"
	tmplReaction              = "2.16.840.1.113883.10.20.22.4.9"
	tmplReactionCCD           = "2.16.840.1.113883.10.20.1.54"
	tmplSeverity              = "2.16.840.1.113883.10.20.22.4.8"
	tmplSeverityCCD           = "2.16.840.1.113883.10.20.1.55"
	tmplCriticality           = "2.16.840.1.113883.10.20.22.4.145"
)

const (
	snomed               = "http://snomed.info/sct"
	allergyClinicalURI   = "http://terminology.hl7.org/CodeSystem/allergyintolerance-clinical"
	allergyVerification  = "http://terminology.hl7.org/CodeSystem/allergyintolerance-verification"
	snomedNoKnownAllergy = "716186003"
)

// allergyKinds maps the allergy observation's value (the kind of
// propensity) to AllergyIntolerance type and category.
var allergyKinds = map[string]struct{ typ, category string }{
	"419199007": {"allergy", ""},               // allergy to substance
	"416098002": {"allergy", "medication"},     // drug allergy
	"414285001": {"allergy", "food"},           // food allergy
	"426232007": {"allergy", "environment"},    // environmental allergy
	"232347008": {"allergy", "environment"},    // dander (animal) allergy
	"59037007":  {"intolerance", "medication"}, // drug intolerance
	"235719002": {"intolerance", "food"},       // food intolerance
	"420134006": {"", ""},                      // propensity to adverse reactions
	"418038007": {"", ""},                      // propensity to adverse reactions to substance
	"419511003": {"", "medication"},            // propensity to adverse reactions to drug
	"418471000": {"", "food"},                  // propensity to adverse reactions to food
}

// noKnown is the "no known …" code for a negated allergy observation
// without a substance, by the kind of allergy it denies.
var noKnown = map[string][2]string{
	"medication":  {"409137002", "No known drug allergy"},
	"food":        {"429625007", "No known food allergy"},
	"environment": {"428607008", "No known environmental allergy"},
	"":            {snomedNoKnownAllergy, "No known allergy"},
}

// allergyStatuses map the allergy status observation's value to the FHIR
// clinical status (C-CDA on FHIR ConceptMap CF-AllergyStatus).
var allergyStatuses = map[string]string{
	"55561003":  "active",
	"73425007":  "inactive",
	"413322009": "resolved",
}

// severities map the severity observation's value to FHIR's three
// severities (C-CDA on FHIR ConceptMap CF-Severity).
var severities = map[string]string{
	"255604002": "mild",
	"6736007":   "moderate",
	"24484000":  "severe",
}

func convertAllergies(c *converter, s *node) {
	c.convertConcerns(s, "allergy", func(o *node) bool {
		return o.hasTemplate(tmplAllergyObservation) || o.hasTemplate(tmplAllergyObservationCCD) || o.child("participant") != nil
	}, c.allergy)
}

// allergy converts one allergy observation o (held by the concern act act,
// or o itself).
func (c *converter) allergy(title string, index int, act, o *node) {
	material := o.path("participant", "participantRole", "playingEntity")
	for _, p := range o.all("participant") {
		if p.attr("typeCode") == "CSM" {
			material = p.path("participantRole", "playingEntity")
			break
		}
	}
	substance := c.entityConcept(material)
	kindCode := o.child("value").attr("code")
	kind := allergyKinds[kindCode]

	res := map[string]any{"resourceType": "AllergyIntolerance"}
	switch {
	case negated(o) && substance == nil || kindCode == snomedNoKnownAllergy:
		nk := noKnown[kind.category]
		if kindCode == snomedNoKnownAllergy {
			nk = noKnown[""]
		}
		res["code"] = codingConcept(snomed, nk[0], nk[1])
		res["clinicalStatus"] = codingConcept(allergyClinicalURI, "active", "")
		res["verificationStatus"] = codingConcept(allergyVerification, "confirmed", "")
		res["id"] = entryID("AllergyIntolerance", o, act, nk[0])
		c.allergyCommon(res, o)
		c.emit(res)
		return
	case substance == nil:
		c.skip(title, fmt.Sprintf("allergy entry %d names no substance (no code and no name): not converted", index+1))
		return
	case negated(o):
		res["code"] = substance
		res["verificationStatus"] = codingConcept(allergyVerification, "refuted", "")
	default:
		res["code"] = substance
		res["verificationStatus"] = codingConcept(allergyVerification, "confirmed", "")
		if status := clinicalStatus(act, o, allergyStatuses, tmplAllergyStatus, tmplAllergyStatusCCD); status != "" {
			res["clinicalStatus"] = codingConcept(allergyClinicalURI, status, "")
		}
	}
	if kind.typ != "" {
		res["type"] = kind.typ
	}
	if kind.category != "" {
		res["category"] = []any{kind.category}
	}
	res["id"] = entryID("AllergyIntolerance", o, act, fmt.Sprint(substance), pointOrLow(o.child("effectiveTime")))
	c.allergyCommon(res, o)

	// Reactions, with the allergy-level severity (deprecated in R2.1 but
	// common) for those that state none.
	overall := relatedWithTemplate(o, tmplSeverity, tmplSeverityCCD).child("value")
	var reactions []any
	for i, r := range reactionObservations(o) {
		manifestation := c.concept(r.child("value"))
		if manifestation == nil {
			if t := c.entryText(r); t != "" {
				manifestation = map[string]any{"text": t}
			}
		}
		if manifestation == nil {
			c.skip(title, fmt.Sprintf("reaction %d of allergy entry %d names no manifestation: not converted", i+1, index+1))
			continue
		}
		reaction := map[string]any{"manifestation": []any{manifestation}}
		if onset := pointOrLow(r.child("effectiveTime")); onset != "" {
			reaction["onset"] = onset
		}
		sev := relatedWithTemplate(r, tmplSeverity, tmplSeverityCCD).child("value")
		if sev == nil {
			sev = overall
		}
		if fhir, ok := severities[sev.attr("code")]; ok {
			reaction["severity"] = fhir
		} else if d := sev.attr("displayName"); d != "" {
			// "Mild to moderate" and the like have no FHIR severity.
			reaction["description"] = "Severity: " + d
		}
		reactions = append(reactions, reaction)
	}
	if len(reactions) > 0 {
		res["reaction"] = reactions
	}
	c.emit(res)
}

// allergyCommon adds what every AllergyIntolerance carries: the patient,
// identifiers, onset and criticality.
func (c *converter) allergyCommon(res map[string]any, o *node) {
	res["patient"] = map[string]any{"reference": c.patientRef}
	if ids := identifiers(o.all("id")); len(ids) > 0 {
		res["identifier"] = ids
	}
	if onset := pointOrLow(o.child("effectiveTime")); onset != "" {
		res["onsetDateTime"] = onset
	}
	switch relatedWithTemplate(o, tmplCriticality).child("value").attr("code") {
	case "CRITH":
		res["criticality"] = "high"
	case "CRITL":
		res["criticality"] = "low"
	case "CRITU":
		res["criticality"] = "unable-to-assess"
	}
}

// reactions are the allergy's reaction observations (MFST relationships
// or the reaction template).
func reactionObservations(o *node) []*node {
	var out []*node
	for _, er := range o.all("entryRelationship") {
		r := er.child("observation")
		if r != nil && (er.attr("typeCode") == "MFST" || r.hasTemplate(tmplReaction) || r.hasTemplate(tmplReactionCCD)) {
			out = append(out, r)
		}
	}
	return out
}
