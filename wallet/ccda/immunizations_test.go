package ccda

import (
	"fmt"
	"strings"
	"testing"
)

// The four immunizations of the Blue Button CCD_1 sample: two given, two
// not (negationInd), one of them with the patient's objection as reason.
func TestImmunizationsCCD1(t *testing.T) {
	d := corpusDocument(t, "blue-button/parser-ccda/CCD_1.xml")
	imms := wantResources(t, d, "Immunization", 4)
	notDone := 0
	for _, im := range imms {
		if im["status"] == "not-done" {
			notDone++
		}
	}
	if notDone != 2 {
		t.Errorf("%d not-done, want the 2 negated entries", notDone)
	}
	checkFields(t, imms[0], map[string]any{
		"vaccineCode.coding.0.system": "http://hl7.org/fhir/sid/cvx",
		"vaccineCode.coding.0.code":   "88",
		"vaccineCode.coding.1.code":   "141", // the translation
		"status":                      "completed",
		"occurrenceDateTime":          "1999-11",
		"lotNumber":                   "1",
		"manufacturer.display":        "Health LS - Immuno Inc.",
		"route.coding.0.code":         "C28161",
		"doseQuantity.value":          50.0,
		"doseQuantity.unit":           "mcg",
		"patient.reference":           "Patient/" + d.Resources[0].ID,
	})
	checkFields(t, resourceWithCode(t, imms, "statusReason", "PATOBJ"), map[string]any{
		"status":                    "not-done",
		"vaccineCode.coding.0.code": "103",
	})
}

// Synthea: Ken316's 27 immunizations; the first is hepatitis B (CVX 08)
// on 2015-12-09, as the XML and its narrative table say.
func TestImmunizationsSynthea(t *testing.T) {
	d := corpusDocument(t, "synthea/Ken316_Beier427_75489eb8-6b2e-ced8-bee8-ce8565816432.xml")
	imms := wantResources(t, d, "Immunization", 27)
	checkFields(t, imms[0], map[string]any{
		"vaccineCode.coding.0.code": "08",
		"vaccineCode.text":          "Hep B, adolescent or pediatric",
		"occurrenceDateTime":        "2015-12-09",
		"status":                    "completed",
		"identifier.0.value":        "urn:uuid:6be617dc-01eb-6896-40ab-a427e71f9114",
	})
}

// CCD 1.0 documents give CVX by its older OID and dates as an interval's
// center: both are read.
func TestImmunizationsCCD10(t *testing.T) {
	d := corpusDocument(t, "blue-button/parser-ccd/SampleCCDDocument.xml")
	imms := wantResources(t, d, "Immunization", 4)
	checkFields(t, resourceWithCode(t, imms, "vaccineCode", "33"), map[string]any{
		"vaccineCode.coding.0.system": "http://hl7.org/fhir/sid/cvx",
		"occurrenceDateTime":          "1998-12",
	})
}

// A planned immunization (moodCode INT) and one naming no vaccine are
// reported, not converted; one without a date keeps FHIR's required
// occurrence as a text.
func TestImmunizationsPlannedAndUncodedReported(t *testing.T) {
	entry := `<entry><substanceAdministration classCode="SBADM" moodCode="%s" negationInd="false">
	  <templateId root="2.16.840.1.113883.10.20.22.4.52"/><id root="imm-%s"/><statusCode code="completed"/>%s
	  <consumable><manufacturedProduct><manufacturedMaterial>%s</manufacturedMaterial></manufacturedProduct></consumable>
	</substanceAdministration></entry>`
	flu := `<code code="140" codeSystem="2.16.840.1.113883.12.292" displayName="Influenza, seasonal"/>`
	d := sectionDocument(t, `<section><code code="11369-6" codeSystem="2.16.840.1.113883.6.1"/><title>Immunizations</title>`+
		fmt.Sprintf(entry, "INT", "1", `<effectiveTime value="20250101"/>`, flu)+
		fmt.Sprintf(entry, "EVN", "2", ``, flu)+
		fmt.Sprintf(entry, "EVN", "3", `<effectiveTime value="20240101"/>`, `<code nullFlavor="NI"/>`)+
		`</section>`)
	imms := wantResources(t, d, "Immunization", 1)
	checkFields(t, imms[0], map[string]any{"occurrenceDateTime": nil, "occurrenceString": "date not recorded"})
	skips := notConvertedIn(d, "Immunizations")
	if len(skips) != 2 || !strings.Contains(skips[0], "planned (moodCode INT)") || !strings.Contains(skips[1], "names no vaccine") {
		t.Errorf("skips = %q, want the planned one and the one without a vaccine", skips)
	}
}
