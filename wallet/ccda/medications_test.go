package ccda

import (
	"fmt"
	"strings"
	"testing"
)

// The one medication of the Blue Button CCD_1 sample (Proventil HFA),
// field by field as read in its XML.
func TestMedicationsCCD1(t *testing.T) {
	d := corpusDocument(t, "blue-button/parser-ccda/CCD_1.xml")
	meds := decodedResources(t, d, "MedicationStatement")
	if len(meds) != 1 || len(decodedResources(t, d, "MedicationRequest")) != 0 {
		t.Fatalf("%d MedicationStatement, want 1 and no MedicationRequest (moodCode EVN)", len(meds))
	}
	checkFields(t, meds[0], map[string]any{
		"medicationCodeableConcept.coding.0.system":      "http://www.nlm.nih.gov/research/umls/rxnorm",
		"medicationCodeableConcept.coding.0.code":        "219483",
		"medicationCodeableConcept.coding.1.code":        "573621", // the translation
		"medicationCodeableConcept.text":                 "Proventil HFA",
		"subject.reference":                              "Patient/" + d.Resources[0].ID,
		"status":                                         "completed",
		"effectivePeriod.start":                          "2007-01-03",
		"effectivePeriod.end":                            "2012-05-15",
		"dosage.0.timing.repeat.period":                  6.0,
		"dosage.0.timing.repeat.periodUnit":              "h",
		"dosage.0.route.coding.0.code":                   "C38216",
		"dosage.0.doseAndRate.0.doseQuantity.value":      1.0,
		"dosage.0.doseAndRate.0.doseQuantity.unit":       "mg/actuat",
		"dosage.0.doseAndRate.0.rateQuantity.value":      90.0,
		"dosage.0.asNeededCodeableConcept.coding.0.code": "56018004",  // precondition: wheezing
		"reasonCode.0.coding.0.code":                     "233604007", // indication: pneumonia
		"identifier.0.value":                             "urn:uuid:cdbd33f0-6cde-11db-9fe1-0800200c9a66",
	})
}

// The CCD 1.0 sample's five medications (template 2.16.840.1.113883.10.20.1.24)
// convert by the same structure.
func TestMedicationsCCD10(t *testing.T) {
	d := corpusDocument(t, "blue-button/parser-ccd/SampleCCDDocument.xml")
	meds := wantResources(t, d, "MedicationStatement", 5)
	checkFields(t, resourceWithCode(t, meds, "medicationCodeableConcept", "197454"), map[string]any{
		"medicationCodeableConcept.text": "Cephalexin",
		"status":                         "completed",
		"effectivePeriod.start":          "2000-03-28",
		"effectivePeriod.end":            "2000-04-04",
		"dosage.0.timing.repeat.period":  6.0,
		"dosage.0.route.coding.0.system": "http://terminology.hl7.org/CodeSystem/v3-RouteOfAdministration",
		"dosage.0.route.coding.0.code":   "PO",
		"reasonCode.0.coding.0.code":     "32398004", // bronchitis
	})
}

const medicationEntry = `<entry><substanceAdministration classCode="SBADM" moodCode="%[1]s" negationInd="%[2]s">
  <templateId root="2.16.840.1.113883.10.20.22.4.16"/><id root="med-%[3]s"/>
  <statusCode code="%[4]s"/>
  <effectiveTime xsi:type="IVL_TS"><low value="20230105"/></effectiveTime>
  <effectiveTime xsi:type="EIVL_TS" operator="A"><event code="HS"/></effectiveTime>
  <doseQuantity><low value="1"/><high value="2"/></doseQuantity>
  <consumable><manufacturedProduct><manufacturedMaterial>%[5]s</manufacturedMaterial></manufacturedProduct></consumable>
  <author><time value="20230104"/><assignedAuthor><id root="1.2"/></assignedAuthor></author>
  <entryRelationship typeCode="SUBJ" inversionInd="true"><act classCode="ACT" moodCode="INT">
    <templateId root="2.16.840.1.113883.10.20.22.4.20"/><code code="409073007" codeSystem="2.16.840.1.113883.6.96"/>
    <text>Take with water</text></act></entryRelationship>
</substanceAdministration></entry>`

// moodCode INT is a MedicationRequest (order, with bounds, bedtime timing and
// a dose range); a negated EVN one was not taken; a medication without code
// or name is reported; an entry that is no medication activity is reported.
func TestMedicationsRequestNotTakenAndSkips(t *testing.T) {
	zolpidem := `<code code="854873" codeSystem="2.16.840.1.113883.6.88" displayName="zolpidem 10 MG"/>`
	d := sectionDocument(t, `<section><code code="10160-0" codeSystem="2.16.840.1.113883.6.1"/><title>Medications</title>`+
		fmt.Sprintf(medicationEntry, "INT", "false", "1", "active", zolpidem)+
		fmt.Sprintf(medicationEntry, "EVN", "true", "2", "completed", `<code code="1191" codeSystem="2.16.840.1.113883.6.88" displayName="Aspirin"/>`)+
		fmt.Sprintf(medicationEntry, "EVN", "false", "3", "active", `<code nullFlavor="UNK"/>`)+
		`<entry><observation classCode="OBS" moodCode="EVN"><code code="x"/></observation></entry>`+
		`</section>`)
	requests := wantResources(t, d, "MedicationRequest", 1)
	checkFields(t, requests[0], map[string]any{
		"intent":     "order",
		"status":     "active",
		"authoredOn": "2023-01-04",
		"medicationCodeableConcept.coding.0.code":                "854873",
		"dosageInstruction.0.timing.repeat.when.0":               "HS",
		"dosageInstruction.0.timing.repeat.boundsPeriod.start":   "2023-01-05",
		"dosageInstruction.0.doseAndRate.0.doseRange.low.value":  1.0,
		"dosageInstruction.0.doseAndRate.0.doseRange.high.value": 2.0,
		"dosageInstruction.0.patientInstruction":                 "Take with water",
	})
	statements := wantResources(t, d, "MedicationStatement", 1) // the third names no medication
	checkFields(t, statements[0], map[string]any{
		"status":                "not-taken",
		"effectiveDateTime":     nil,
		"effectivePeriod.start": "2023-01-05",
	})
	skips := notConvertedIn(d, "Medications")
	if len(skips) != 2 || !strings.Contains(skips[0], "entry 3") || !strings.Contains(skips[0], "nullFlavor UNK") ||
		!strings.Contains(skips[1], "entry 4") || !strings.Contains(skips[1], "<observation>") {
		t.Errorf("skips = %q, want entry 3 (no medication, nullFlavor UNK) and entry 4 (an observation)", skips)
	}
}
