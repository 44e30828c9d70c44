package ccda

import (
	"strings"
	"testing"
)

// The Patient of the Blue Button CCD_1 sample: name, gender, birth date,
// phone, US Core race and ethnicity, language — and not its Social Security
// Number, which a shared record must not carry.
func TestPatientFromHeader(t *testing.T) {
	d := corpusDocument(t, "blue-button/parser-ccda/CCD_1.xml")
	patients := wantResources(t, d, "Patient", 1)
	p := patients[0]
	checkFields(t, p, map[string]any{
		"name.0.family":               "Jones",
		"name.0.given.0":              "Isabella",
		"gender":                      "female",
		"birthDate":                   "1975-05-01",
		"identifier.0.value":          "998991",
		"identifier.1":                nil,
		"telecom.0.system":            "phone",
		"telecom.0.value":             "(816)276-6909",
		"telecom.0.use":               "home",
		"extension.0.url":             "http://hl7.org/fhir/us/core/StructureDefinition/us-core-race",
		"extension.0.extension.0.url": "ombCategory",
		"extension.0.extension.0.valueCoding.code": "2106-3",
		"extension.1.url":                          "http://hl7.org/fhir/us/core/StructureDefinition/us-core-ethnicity",
		"extension.1.extension.0.valueCoding.code": "2186-5",
		"extension.1.extension.1.valueString":      "Not Hispanic or Latino",
		"communication.0.language.coding.0.code":   "en",
	})
	for _, r := range d.Resources {
		if strings.Contains(string(r.Raw), "111-00-2330") {
			t.Errorf("%s/%s carries the patient's SSN", r.Type, r.ID)
		}
	}
}

// A race and an ethnicity given as nullFlavor (CCD_1_withNF) make no
// extension; a telecom given as nullFlavor (Synthea) makes no ContactPoint.
func TestPatientNullFlavoredDemographics(t *testing.T) {
	p := decodedResources(t, corpusDocument(t, "blue-button/parser-ccda/CCD_1_withNF.xml"), "Patient")[0]
	if p["extension"] != nil {
		t.Errorf("nullFlavored race/ethnicity became extensions: %v", p["extension"])
	}
	s := decodedResources(t, corpusDocument(t, "synthea/Ken316_Beier427_75489eb8-6b2e-ced8-bee8-ce8565816432.xml"), "Patient")[0]
	checkFields(t, s, map[string]any{"telecom": nil, "name.0.family": "Beier427", "gender": "male"})
}

// The document's kind comes from its template, for CCD 1.0 too, and its
// date and id from the header.
func TestDocumentKind(t *testing.T) {
	for file, kind := range map[string]string{
		"blue-button/parser-ccda/CCD_1.xml":                                "Continuity of Care Document",
		"blue-button/parser-ccd/SampleCCDDocument.xml":                     "Continuity of Care Document",
		"synthea/Ken316_Beier427_75489eb8-6b2e-ced8-bee8-ce8565816432.xml": "Continuity of Care Document",
	} {
		d := corpusDocument(t, file)
		if d.Kind != kind {
			t.Errorf("%s: kind %q, want %q", file, d.Kind, kind)
		}
		if d.Date.IsZero() || d.ID == "" {
			t.Errorf("%s: date %v id %q: the header is not read", file, d.Date, d.ID)
		}
	}
}
