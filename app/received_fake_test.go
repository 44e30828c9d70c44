package app

import (
	"encoding/json"

	"fyne.io/fyne/v2/widget"
)

// receivedRecords are the records of testReceived: a patient's chart in
// short, one or two of each kind a clinician reads first, in no order.
func receivedRecords() []json.RawMessage {
	return []json.RawMessage{
		json.RawMessage(hba1cJSON),
		json.RawMessage(`{"resourceType":"AllergyIntolerance","id":"f6c0ff","code":{"text":"Penicillin allergy"},"criticality":"high",` +
			`"clinicalStatus":{"coding":[{"code":"active"}]},"reaction":[{"manifestation":[{"text":"Hives"}],"severity":"moderate"}],"recordedDate":"2015-04-20"}`),
		json.RawMessage(`{"resourceType":"Patient","id":"ada","name":[{"given":["Ada"],"family":"Lovelace"}],"gender":"female","birthDate":"1815-12-10",` +
			`"identifier":[{"system":"https://github.com/synthetichealth/synthea","value":"7f3a1c2e-0b9d-4f6a-9c1e-2d8b5a7e4c10"},` +
			`{"type":{"coding":[{"system":"http://terminology.hl7.org/CodeSystem/v2-0203","code":"MR"}]},"system":"http://hospital.example/mrn","value":"004711"}],` +
			`"address":[{"line":["12 St James's Square"],"city":"London"}]}`),
		json.RawMessage(`{"resourceType":"Condition","id":"htn","clinicalStatus":{"coding":[{"code":"active"}]},` +
			`"category":[{"coding":[{"code":"problem-list-item"}]}],"code":{"text":"Essential hypertension"},"onsetDateTime":"2019-06-01"}`),
		json.RawMessage(`{"resourceType":"Condition","id":"flu","clinicalStatus":{"coding":[{"code":"resolved"}]},` +
			`"code":{"text":"Influenza"},"onsetDateTime":"2023-01-10","abatementDateTime":"2023-01-20"}`),
		json.RawMessage(`{"resourceType":"MedicationRequest","id":"lis","status":"active","intent":"order",` +
			`"medicationCodeableConcept":{"text":"Lisinopril 10 mg oral tablet"},"authoredOn":"2019-06-01",` +
			`"dosageInstruction":[{"text":"1 tablet daily"}]}`),
		json.RawMessage(`{"resourceType":"Immunization","id":"flu23","status":"completed","vaccineCode":{"text":"Influenza, seasonal, injectable"},` +
			`"occurrenceDateTime":"2023-10-05"}`),
		json.RawMessage(`{"resourceType":"Observation","id":"bp","status":"final",` +
			`"category":[{"coding":[{"system":"http://terminology.hl7.org/CodeSystem/observation-category","code":"vital-signs"}]}],` +
			`"code":{"coding":[{"system":"http://loinc.org","code":"85354-9"}],"text":"Blood pressure"},"effectiveDateTime":"2024-03-12",` +
			`"component":[{"code":{"text":"Systolic"},"valueQuantity":{"value":142,"unit":"mmHg"}},{"code":{"text":"Diastolic"},"valueQuantity":{"value":91,"unit":"mmHg"}}]}`),
	}
}

// verifiedLine starts the verdict of a share that verified; the network
// it was anchored on follows.
const verifiedLine = "Intact and anchored"

// checksPanel is the received share's verification panel.
func (h *harness) checksPanel() *widget.Accordion {
	h.t.Helper()
	for _, o := range h.objects() {
		if a, ok := o.(*widget.Accordion); ok {
			return a
		}
	}
	h.t.Fatalf("no verification panel on screen %q", h.ui.screen)
	return nil
}

// openChecks unfolds the verification panel, as a tap on its heading does.
func (h *harness) openChecks() { h.checksPanel().Open(0) }

// openTechnical unfolds the verification panel and the technical details
// in it.
func (h *harness) openTechnical() {
	h.t.Helper()
	h.openChecks()
	for _, o := range h.objects() {
		if a, ok := o.(*widget.Accordion); ok && len(a.Items) == 1 && a.Items[0].Title == technicalDetailsLabel {
			a.Open(0)
			return
		}
	}
	h.t.Fatalf("no %q in the verification panel on screen %q", technicalDetailsLabel, h.ui.screen)
}
