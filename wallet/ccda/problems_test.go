package ccda

import (
	"fmt"
	"strings"
	"testing"
)

// The problems of the Blue Button CCD_1 sample: pneumonia resolved (status
// observation 413322009) with its end as abatement; asthma active (55561003)
// whose observation has an end date anyway, which FHIR forbids on an active
// condition (con-4), so it is left out.
func TestProblemsCCD1(t *testing.T) {
	d := corpusDocument(t, "blue-button/parser-ccda/CCD_1.xml")
	conditions := wantResources(t, d, "Condition", 2)
	patient := "Patient/" + d.Resources[0].ID
	checkFields(t, resourceWithCode(t, conditions, "code", "233604007"), map[string]any{
		"code.coding.0.system":             "http://snomed.info/sct",
		"code.coding.0.display":            "Pneumonia",
		"subject.reference":                patient,
		"category.0.coding.0.code":         "problem-list-item",
		"clinicalStatus.coding.0.code":     "resolved",
		"verificationStatus.coding.0.code": "confirmed",
		"onsetDateTime":                    "2008-01-03",
		"abatementDateTime":                "2008-01-03",
	})
	checkFields(t, resourceWithCode(t, conditions, "code", "195967001"), map[string]any{
		"clinicalStatus.coding.0.code": "active",
		"onsetDateTime":                "2007-01-03",
		"abatementDateTime":            nil,
	})
}

// Synthea's problems have no status observation: the end date makes them
// resolved. Ken316 has seven; COVID-19 is checked field by field.
func TestProblemsSynthea(t *testing.T) {
	d := corpusDocument(t, "synthea/Ken316_Beier427_75489eb8-6b2e-ced8-bee8-ce8565816432.xml")
	conditions := decodedResources(t, d, "Condition")
	if len(conditions) != 7 {
		t.Fatalf("%d Condition, want the 7 problems of the document", len(conditions))
	}
	checkFields(t, resourceWithCode(t, conditions, "code", "840539006"), map[string]any{
		"code.text":                    "COVID-19",
		"onsetDateTime":                "2020-03-13",
		"abatementDateTime":            "2020-04-16",
		"clinicalStatus.coding.0.code": "resolved",
		"identifier.0.value":           "urn:uuid:d173923c-8304-9e6d-ef03-5076f2fdcf76", // the observation's id in the XML
	})
}

// A problem whose value is masked (nullFlavor MSK) and whose narrative
// reference leads nowhere is reported with the reason, not invented.
func TestProblemsMaskedValueReported(t *testing.T) {
	d := corpusDocument(t, "blue-button/parser-ccda/CCDA_NullFlavorSample_v1.xml")
	skips := notConvertedIn(d, "PROBLEMS")
	if len(skips) != 1 || !strings.Contains(skips[0], "nullFlavor MSK") {
		t.Errorf("PROBLEMS skips = %q, want one naming nullFlavor MSK", skips)
	}
}

const problemEntry = `<entry><act classCode="ACT" moodCode="EVN">
  <templateId root="2.16.840.1.113883.10.20.22.4.3"/><id root="pa-%[1]s"/>
  <code code="CONC" codeSystem="2.16.840.1.113883.5.6"/><statusCode code="%[2]s"/>
  <entryRelationship typeCode="SUBJ"><observation classCode="OBS" moodCode="EVN" negationInd="%[3]s">
    <templateId root="2.16.840.1.113883.10.20.22.4.4"/><id root="po-%[1]s"/>
    <code code="55607006" codeSystem="2.16.840.1.113883.6.96"/><statusCode code="completed"/>
    %[4]s
    <value xsi:type="CD" code="%[5]s" codeSystem="2.16.840.1.113883.6.90"/>
    <entryRelationship typeCode="SUBJ" inversionInd="true"><observation classCode="OBS" moodCode="EVN">
      <templateId root="2.16.840.1.113883.10.20.22.4.31"/><code code="445518008" codeSystem="2.16.840.1.113883.6.96"/>
      <value xsi:type="PQ" value="57" unit="a"/></observation></entryRelationship>
  </observation></entryRelationship></act></entry>`

// ICD-10-CM codes keep their FHIR system; without a status observation or
// end date the concern act's status decides; without an onset date the age
// at onset is used; a negated problem is refuted.
func TestProblemsStatusFromConcernAgeAtOnsetNegation(t *testing.T) {
	d := sectionDocument(t, `<section><code code="11450-4" codeSystem="2.16.840.1.113883.6.1"/><title>Problems</title>`+
		fmt.Sprintf(problemEntry, "1", "active", "false", `<effectiveTime><low nullFlavor="UNK"/></effectiveTime>`, "E11.9")+
		fmt.Sprintf(problemEntry, "2", "completed", "true", `<effectiveTime><low value="20190101"/></effectiveTime>`, "J45.909")+
		`</section>`)
	conditions := wantResources(t, d, "Condition", 2)
	checkFields(t, resourceWithCode(t, conditions, "code", "E11.9"), map[string]any{
		"code.coding.0.system":         "http://hl7.org/fhir/sid/icd-10-cm",
		"clinicalStatus.coding.0.code": "active",
		"onsetDateTime":                nil,
		"onsetAge.value":               57.0,
		"onsetAge.code":                "a",
	})
	checkFields(t, resourceWithCode(t, conditions, "code", "J45.909"), map[string]any{
		"verificationStatus.coding.0.code": "refuted",
		"clinicalStatus.coding.0.code":     "inactive",
		"onsetDateTime":                    "2019-01-01",
	})
}
