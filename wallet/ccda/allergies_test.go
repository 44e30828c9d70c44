package ccda

import (
	"fmt"
	"strings"
	"testing"
)

// The three allergies of the Blue Button CCD_1 sample, field by field as
// read in its XML (allergy observations 4.7 under concern acts 4.30).
func TestAllergiesCCD1(t *testing.T) {
	d := corpusDocument(t, "blue-button/parser-ccda/CCD_1.xml")
	all := wantResources(t, d, "AllergyIntolerance", 3) // penicillin, codeine, aspirin
	patient := "Patient/" + d.Resources[0].ID
	penicillin := resourceWithCode(t, all, "code", "314422")
	checkFields(t, penicillin, map[string]any{
		"code.coding.0.system":                        "http://www.nlm.nih.gov/research/umls/rxnorm",
		"code.text":                                   "ALLERGENIC EXTRACT, PENICILLIN",
		"patient.reference":                           patient,
		"clinicalStatus.coding.0.code":                "inactive", // status observation 73425007
		"verificationStatus.coding.0.code":            "confirmed",
		"category.0":                                  "medication", // 419511003 propensity to adverse reactions to drug
		"onsetDateTime":                               "2007-05-01",
		"reaction.0.manifestation.0.coding.0.code":    "422587007", // nausea
		"reaction.0.manifestation.0.coding.0.display": "Nausea",
		"reaction.0.severity":                         "mild", // the reaction's own severity 255604002
		"identifier.0.value":                          "urn:uuid:4adc1020-7b14-11db-9fe1-0800200c9a66",
	})
	codeine := resourceWithCode(t, all, "code", "2670")
	checkFields(t, codeine, map[string]any{
		"clinicalStatus.coding.0.code":             "active", // 55561003
		"reaction.0.manifestation.0.coding.0.code": "56018004",
		"reaction.0.severity":                      "mild",
		"onsetDateTime":                            "2006-05-01",
	})
	aspirin := resourceWithCode(t, all, "code", "1191")
	checkFields(t, aspirin, map[string]any{
		"type": "intolerance", // 59037007 drug intolerance
		"reaction.0.manifestation.0.coding.0.code": "247472004", // hives
		"reaction.0.severity":                      nil,         // "mild to moderate" has no FHIR severity…
		"reaction.0.description":                   "Severity: Mild to moderate",
	})
	// The three observations share one id in this sample: all three are
	// kept, under distinct resource ids.
	if penicillin["id"] == codeine["id"] || codeine["id"] == aspirin["id"] {
		t.Errorf("allergies sharing a C-CDA id got one resource id: %v %v %v", penicillin["id"], codeine["id"], aspirin["id"])
	}
}

// Synthea's "no information" allergy section (nullFlavor NI, no entries)
// yields no AllergyIntolerance — not even "no known allergy", which the
// document does not say — and nothing reported as dropped.
func TestAllergiesSectionWithoutInformation(t *testing.T) {
	d := corpusDocument(t, "synthea/Ken316_Beier427_75489eb8-6b2e-ced8-bee8-ce8565816432.xml")
	if got := decodedResources(t, d, "AllergyIntolerance"); len(got) != 0 {
		t.Errorf("%d AllergyIntolerance from a section without entries", len(got))
	}
	if s := notConvertedIn(d, "Allergies"); len(s) != 0 {
		t.Errorf("skips reported for an empty section: %q", s)
	}
}

const allergyEntry = `<entry><act classCode="ACT" moodCode="EVN">
  <templateId root="2.16.840.1.113883.10.20.22.4.30"/><id root="aa-%[1]s"/>
  <code code="CONC" codeSystem="2.16.840.1.113883.5.6"/><statusCode code="%[2]s"/>
  <entryRelationship typeCode="SUBJ"><observation classCode="OBS" moodCode="EVN" negationInd="%[3]s">
    <templateId root="2.16.840.1.113883.10.20.22.4.7"/><id root="ao-%[1]s"/>
    <code code="ASSERTION" codeSystem="2.16.840.1.113883.5.4"/><statusCode code="completed"/>
    <effectiveTime><low value="20200301"/></effectiveTime>
    <value xsi:type="CD" code="%[4]s" codeSystem="2.16.840.1.113883.6.96"/>
    <participant typeCode="CSM"><participantRole classCode="MANU"><playingEntity classCode="MMAT">%[5]s</playingEntity></participantRole></participant>
    %[6]s
  </observation></entryRelationship></act></entry>`

func allergySection(entries ...string) string {
	return `<section><templateId root="2.16.840.1.113883.10.20.22.2.6.1"/>
  <code code="48765-2" codeSystem="2.16.840.1.113883.6.1"/><title>Allergies</title>
  <text><content ID="peanut">Peanut (from the narrative)</content></text>` + strings.Join(entries, "") + `</section>`
}

func allergy(id, concernStatus, negated, kind, material, more string) string {
	return fmt.Sprintf(allergyEntry, id, concernStatus, negated, kind, material, more)
}

// "No known allergies" (negated, no substance) becomes the SNOMED "no
// known …" code of its kind; a negated allergy to a named substance is
// refuted; the criticality observation and the concern act's status are
// read; an allergy naming no substance is reported, not invented.
func TestAllergiesNegationCriticalityAndSkips(t *testing.T) {
	noSubstance := `<code nullFlavor="NA"/>`
	d := sectionDocument(t, allergySection(
		allergy("1", "active", "true", "419199007", noSubstance, ""),
		allergy("2", "active", "true", "416098002", noSubstance, ""),
		allergy("3", "active", "true", "416098002", `<code code="7980" codeSystem="2.16.840.1.113883.6.88" displayName="Penicillin G"/>`, ""),
		allergy("4", "completed", "false", "414285001", `<code nullFlavor="OTH"><originalText><reference value="#peanut"/></originalText></code>`,
			`<entryRelationship typeCode="SUBJ" inversionInd="true"><observation classCode="OBS" moodCode="EVN">
			  <templateId root="2.16.840.1.113883.10.20.22.4.145"/><code code="82606-5" codeSystem="2.16.840.1.113883.6.1"/>
			  <value xsi:type="CD" code="CRITH" codeSystem="2.16.840.1.113883.5.1063"/></observation></entryRelationship>`),
		allergy("5", "active", "false", "419199007", noSubstance, ""),
	))
	all := wantResources(t, d, "AllergyIntolerance", 4) // entry 5 names no substance
	checkFields(t, resourceWithCode(t, all, "code", "716186003"), map[string]any{
		"code.coding.0.system":             "http://snomed.info/sct",
		"clinicalStatus.coding.0.code":     "active",
		"verificationStatus.coding.0.code": "confirmed",
	})
	resourceWithCode(t, all, "code", "409137002") // no known drug allergy
	checkFields(t, resourceWithCode(t, all, "code", "7980"), map[string]any{
		"verificationStatus.coding.0.code": "refuted",
		"clinicalStatus":                   nil,
	})
	var peanut map[string]any
	for _, a := range all {
		if jsonField(a, "code.text") == "Peanut (from the narrative)" {
			peanut = a
		}
	}
	if peanut == nil {
		t.Fatal("the allergy whose substance is only in the narrative lost its text")
	}
	checkFields(t, peanut, map[string]any{
		"criticality":                  "high",
		"category.0":                   "food",
		"type":                         "allergy",
		"clinicalStatus.coding.0.code": "inactive", // concern completed, no end date
	})
	skips := notConvertedIn(d, "Allergies")
	if len(skips) != 1 || !strings.Contains(skips[0], "entry 5") || !strings.Contains(skips[0], "no substance") {
		t.Errorf("skips = %q, want one naming entry 5 and the missing substance", skips)
	}
}
