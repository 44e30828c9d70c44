package ccda

import (
	"bytes"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"healthwallet/wallet/testcorpus"
)

// The expected values in these tests were read by hand from the corpus
// documents named (../shared/testdata/ccda); the comments quote the XML.

// c2Convert converts one corpus document.
func c2Convert(t *testing.T, rel string) *Document {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(testcorpus.Dir(t, "ccda"), rel))
	if err != nil {
		t.Fatal(err)
	}
	return c2ConvertBytes(t, b)
}

func c2ConvertBytes(t *testing.T, b []byte) *Document {
	t.Helper()
	d, err := Convert(bytes.NewReader(b))
	if err != nil {
		t.Fatalf("Convert: %v", err)
	}
	return d
}

// c2Resources are the document's resources of one type, decoded.
func c2Resources(t *testing.T, d *Document, typ string) []map[string]any {
	t.Helper()
	var out []map[string]any
	for _, r := range d.Resources {
		if r.Type != typ {
			continue
		}
		var m map[string]any
		if err := json.Unmarshal(r.Raw, &m); err != nil {
			t.Fatalf("%s/%s is not JSON: %v", r.Type, r.ID, err)
		}
		if m["id"] != r.ID || m["resourceType"] != r.Type {
			t.Fatalf("%s/%s: the JSON says %v/%v", r.Type, r.ID, m["resourceType"], m["id"])
		}
		out = append(out, m)
	}
	return out
}

// c2Get follows a path of keys and array indexes ("code.coding.0.code").
func c2Get(v any, path string) any {
	for _, k := range strings.Split(path, ".") {
		switch x := v.(type) {
		case map[string]any:
			v = x[k]
		case []any:
			i := 0
			for _, r := range k {
				i = i*10 + int(r-'0')
			}
			if i >= len(x) {
				return nil
			}
			v = x[i]
		default:
			return nil
		}
	}
	return v
}

func c2Str(v any, path string) string {
	switch x := c2Get(v, path).(type) {
	case string:
		return x
	case float64:
		b, _ := json.Marshal(x)
		return string(b)
	case bool:
		if x {
			return "true"
		}
		return "false"
	}
	return ""
}

// c2WithCode are the resources whose code (or, for Encounters, type)
// carries this code.
func c2WithCode(rs []map[string]any, field, code string) []map[string]any {
	var out []map[string]any
	for _, r := range rs {
		cc := c2Get(r, field)
		if arr, ok := cc.([]any); ok && len(arr) > 0 {
			cc = arr[0]
		}
		codings, _ := c2Get(cc, "coding").([]any)
		for _, c := range codings {
			if c2Str(c, "code") == code {
				out = append(out, r)
				break
			}
		}
	}
	return out
}

func c2One(t *testing.T, rs []map[string]any, what string) map[string]any {
	t.Helper()
	if len(rs) != 1 {
		t.Fatalf("%s: want exactly 1, got %d", what, len(rs))
	}
	return rs[0]
}

func c2Want(t *testing.T, r map[string]any, path, want string) {
	t.Helper()
	if got := c2Str(r, path); got != want {
		t.Errorf("%s %s: %s = %q, want %q", c2Str(r, "resourceType"), c2Str(r, "code.text"), path, got, want)
	}
}

// CCD_1.xml, Results: a "CBC WO DIFFERENTIAL" panel (SNOMED 43789009) of
// HGB 13.2 g/dl (N, range as text "M 13-18 g/dl; F 12-16 g/dl"), WBC 6.7
// 10+3/ul (N, 4.3–10.8) and PLT 123 10+3/ul (L, 150–350), all on
// 200003231430 — and all three share one id root, which must not merge them.
func TestResultsPanelAndValues(t *testing.T) {
	d := c2Convert(t, "blue-button/parser-ccda/CCD_1.xml")
	obs := c2Resources(t, d, "Observation")
	labs := 0
	for _, o := range obs {
		if c2Str(o, "category.0.coding.0.code") == "laboratory" {
			labs++
		}
	}
	if labs != 3 {
		t.Errorf("laboratory Observations: got %d, want 3 (HGB, WBC, PLT)", labs)
	}
	hgb := c2One(t, c2WithCode(obs, "code", "30313-1"), "HGB")
	c2Want(t, hgb, "valueQuantity.value", "13.2")
	c2Want(t, hgb, "valueQuantity.unit", "g/dl")
	c2Want(t, hgb, "valueQuantity.system", "http://unitsofmeasure.org")
	c2Want(t, hgb, "referenceRange.0.text", "M 13-18 g/dl; F 12-16 g/dl")
	c2Want(t, hgb, "interpretation.0.coding.0.code", "N")
	c2Want(t, hgb, "effectiveDateTime", "2000-03-23")
	c2Want(t, hgb, "status", "final")
	c2Want(t, hgb, "code.coding.0.system", "http://loinc.org")

	wbc := c2One(t, c2WithCode(obs, "code", "33765-9"), "WBC")
	c2Want(t, wbc, "valueQuantity.value", "6.7")
	c2Want(t, wbc, "valueQuantity.code", "10+3/ul")
	c2Want(t, wbc, "referenceRange.0.low.value", "4.3")
	c2Want(t, wbc, "referenceRange.0.high.value", "10.8")
	c2Want(t, wbc, "referenceRange.0.high.unit", "10+3/ul")

	plt := c2One(t, c2WithCode(obs, "code", "26515-7"), "PLT")
	c2Want(t, plt, "valueQuantity.value", "123")
	c2Want(t, plt, "interpretation.0.coding.0.code", "L")
	c2Want(t, plt, "interpretation.0.coding.0.system", "http://terminology.hl7.org/CodeSystem/v3-ObservationInterpretation")
	c2Want(t, plt, "interpretation.0.text", "Low")
	c2Want(t, plt, "referenceRange.0.low.value", "150")
	c2Want(t, plt, "referenceRange.0.high.value", "350")

	rep := c2One(t, c2Resources(t, d, "DiagnosticReport"), "DiagnosticReport")
	c2Want(t, rep, "code.coding.0.code", "43789009")
	c2Want(t, rep, "code.coding.0.system", "http://snomed.info/sct")
	c2Want(t, rep, "status", "final")
	c2Want(t, rep, "category.0.coding.0.code", "LAB")
	c2Want(t, rep, "effectiveDateTime", "2000-03-23") // the panel has no time: its results' time
	want := []string{"Observation/" + c2Str(hgb, "id"), "Observation/" + c2Str(wbc, "id"), "Observation/" + c2Str(plt, "id")}
	for i, w := range want {
		c2Want(t, rep, "result."+string(rune('0'+i))+".reference", w)
	}
	patient := "Patient/" + d.Resources[0].ID
	for _, r := range append(obs, rep) {
		if got := c2Str(r, "subject.reference"); got != patient {
			t.Errorf("%s %s: subject %q, want %q", c2Str(r, "resourceType"), c2Str(r, "id"), got, patient)
		}
	}
}

// Synthea, Angelina101: the vital signs group of 20200312164528 holds
// Systolic 120 mm[Hg] and Diastolic 81 mm[Hg] (one panel), heart rate
// 186.89947587754392 /min, and, as Synthea writes them, lab tests such as
// Influenza virus A RNA (92142-9) "Negative" (260385009). Its Results
// section holds the same tests with the unfilled value "{entry.value}".
func TestVitalSignsBloodPressurePanel(t *testing.T) {
	d := c2Convert(t, "synthea/Angelina101_Barton704_f19307b9-86f8-b922-6327-d459dba22815.xml")
	obs := c2Resources(t, d, "Observation")
	bp := c2One(t, c2WithCode(obs, "code", "85354-9"), "blood pressure panel")
	c2Want(t, bp, "category.0.coding.0.code", "vital-signs")
	c2Want(t, bp, "component.0.code.coding.0.code", "8480-6")
	c2Want(t, bp, "component.0.valueQuantity.value", "120")
	c2Want(t, bp, "component.0.valueQuantity.unit", "mm[Hg]")
	c2Want(t, bp, "component.1.code.coding.0.code", "8462-4")
	c2Want(t, bp, "component.1.valueQuantity.value", "81")
	c2Want(t, bp, "effectiveDateTime", "2020-03-12")
	if n := len(c2WithCode(obs, "code", "8480-6")) + len(c2WithCode(obs, "code", "8462-4")); n != 0 {
		t.Errorf("systolic/diastolic also as %d Observations of their own: they belong in the panel only", n)
	}
	hr := c2One(t, c2WithCode(obs, "code", "8867-4"), "heart rate")
	c2Want(t, hr, "valueQuantity.value", "186.89947587754392")
	c2Want(t, hr, "valueQuantity.code", "/min")
	c2Want(t, hr, "category.0.coding.0.code", "vital-signs")

	flu := c2WithCode(obs, "code", "92142-9")
	if len(flu) != 2 {
		t.Fatalf("Influenza A RNA: want 2 Observations (Results and Vital Signs sections), got %d", len(flu))
	}
	values := 0
	for _, o := range flu {
		c2Want(t, o, "category.0.coding.0.code", "laboratory")
		if v := c2Str(o, "valueString"); v != "" {
			t.Errorf("Influenza A RNA has value %q: an unfilled template field is no value", v)
		}
		if c2Str(o, "valueCodeableConcept.coding.0.code") == "260385009" {
			values++
		}
	}
	if values != 1 {
		t.Errorf("Influenza A RNA: %d Observations say Negative (260385009), want 1", values)
	}
}

// CCD_1.xml, Vital Signs: two groups (19991114, 20000407) whose measurements
// all reuse one id root; a lone systolic (132, then 145 mm[Hg]) stays its own
// Observation; both heights (177 cm) are kept.
func TestVitalSignsSharedIDsAndLoneSystolic(t *testing.T) {
	d := c2Convert(t, "blue-button/parser-ccda/CCD_1.xml")
	obs := c2Resources(t, d, "Observation")
	sys := c2WithCode(obs, "code", "8480-6")
	if len(sys) != 2 {
		t.Fatalf("systolic: got %d Observations, want 2", len(sys))
	}
	c2Want(t, sys[0], "valueQuantity.value", "132")
	c2Want(t, sys[0], "effectiveDateTime", "1999-11-14")
	c2Want(t, sys[1], "valueQuantity.value", "145")
	c2Want(t, sys[1], "effectiveDateTime", "2000-04-07")
	if h := c2WithCode(obs, "code", "8302-2"); len(h) != 2 || c2Str(h[0], "id") == c2Str(h[1], "id") {
		t.Errorf("heights: got %d with distinct ids?, want 2 distinct", len(h))
	}
	if n := len(c2WithCode(obs, "code", "85354-9")); n != 0 {
		t.Errorf("a blood pressure panel made of a systolic alone (%d)", n)
	}
	if w := c2WithCode(obs, "code", "3141-9"); len(w) != 2 {
		t.Errorf("weights: got %d, want 2", len(w))
	} else {
		c2Want(t, w[0], "valueQuantity.value", "86")
		c2Want(t, w[1], "valueQuantity.value", "88")
	}
}

// CCD_1.xml, Social History: smoking status coded ASSERTION with value
// 8517006 "Former smoker"; "Tobacco use and exposure" "1 pack per day".
// CCDA_NullFlavorSample_v1.xml: the smoking status value is nullFlavor UNK
// (under a misspelled template root), alcohol intake nullFlavor MSK.
func TestSocialHistory(t *testing.T) {
	d := c2Convert(t, "blue-button/parser-ccda/CCD_1.xml")
	obs := c2Resources(t, d, "Observation")
	smoke := c2One(t, c2WithCode(obs, "code", "72166-2"), "smoking status")
	c2Want(t, smoke, "code.coding.0.system", "http://loinc.org")
	c2Want(t, smoke, "category.0.coding.0.code", "social-history")
	c2Want(t, smoke, "valueCodeableConcept.coding.0.code", "8517006")
	c2Want(t, smoke, "valueCodeableConcept.coding.0.system", "http://snomed.info/sct")
	c2Want(t, smoke, "valueCodeableConcept.text", "Former smoker")
	c2Want(t, smoke, "effectivePeriod.start", "2005-05-01")
	c2Want(t, smoke, "effectivePeriod.end", "2009-02-27T13:00:00+05:00")
	tob := c2WithCode(obs, "code", "229819007")
	if len(tob) != 2 {
		t.Fatalf("tobacco use: got %d, want 2", len(tob))
	}
	c2Want(t, tob[0], "valueString", "1 pack per day")
	c2Want(t, tob[1], "valueString", "None")

	nf := c2Convert(t, "blue-button/parser-ccda/CCDA_NullFlavorSample_v1.xml")
	obs = c2Resources(t, nf, "Observation")
	smoke = c2One(t, c2WithCode(obs, "code", "72166-2"), "smoking status (null flavor)")
	c2Want(t, smoke, "dataAbsentReason.coding.0.code", "unknown")
	alcohol := c2One(t, c2WithCode(obs, "code", "229819007"), "alcohol (null flavor)")
	c2Want(t, alcohol, "dataAbsentReason.coding.0.code", "masked")
	// and a lab value null-flavored TRC (trace) reads "trace"
	hgb := c2One(t, c2WithCode(obs, "code", "30313-1"), "HGB (null flavor)")
	c2Want(t, hgb, "valueString", "trace")
}

// CCD_1.xml, Procedures: a Colonoscopy (73761001) completed 20120512 on the
// colon; a Colonic polypectomy observation (274025005) aborted 20110203 on
// "Abdomen and pelvis" at Community Gastroenterology Clinic; the same
// polypectomy as an act in moodCode INT (intended): a plan, not a Procedure.
func TestProcedures(t *testing.T) {
	d := c2Convert(t, "blue-button/parser-ccda/CCD_1.xml")
	procs := c2Resources(t, d, "Procedure")
	if len(procs) != 2 {
		t.Fatalf("Procedures: got %d, want 2", len(procs))
	}
	colo := c2One(t, c2WithCode(procs, "code", "73761001"), "colonoscopy")
	c2Want(t, colo, "status", "completed")
	c2Want(t, colo, "performedDateTime", "2012-05-12")
	c2Want(t, colo, "bodySite.0.text", "colon")
	poly := c2One(t, c2WithCode(procs, "code", "274025005"), "polypectomy")
	c2Want(t, poly, "status", "stopped")
	c2Want(t, poly, "performedDateTime", "2011-02-03")
	c2Want(t, poly, "bodySite.0.coding.0.code", "416949008")
	c2Want(t, poly, "location.display", "Community Gastroenterology Clinic")
	req := c2One(t, c2WithCode(c2Resources(t, d, "ServiceRequest"), "code", "274025005"), "planned polypectomy")
	c2Want(t, req, "intent", "plan")
	c2Want(t, req, "occurrenceDateTime", "2011-02-03")
}

// CCD_1.xml, Encounters: an office visit (CPT 99213, translation AMB) on
// 20090227130000+0500, "Checkup Examination", at Community Urgent Care
// Center, for Pneumonia (233604007). Synthea Angelina101: 15 encounters.
func TestEncounters(t *testing.T) {
	d := c2Convert(t, "blue-button/parser-ccda/CCD_1.xml")
	enc := c2One(t, c2Resources(t, d, "Encounter"), "encounter")
	c2Want(t, enc, "class.code", "AMB")
	c2Want(t, enc, "class.system", "http://terminology.hl7.org/CodeSystem/v3-ActCode")
	c2Want(t, enc, "type.0.coding.0.code", "99213")
	c2Want(t, enc, "type.0.coding.0.system", "http://www.ama-assn.org/go/cpt")
	c2Want(t, enc, "type.0.text", "Checkup Examination")
	c2Want(t, enc, "period.start", "2009-02-27T13:00:00+05:00")
	c2Want(t, enc, "status", "finished")
	c2Want(t, enc, "reasonCode.0.coding.0.code", "233604007")
	c2Want(t, enc, "location.0.location.display", "Community Urgent Care Center")

	syn := c2Convert(t, "synthea/Angelina101_Barton704_f19307b9-86f8-b922-6327-d459dba22815.xml")
	encs := c2Resources(t, syn, "Encounter")
	if len(encs) != 15 {
		t.Errorf("Synthea encounters: got %d, want 15", len(encs))
	}
	visits := c2WithCode(encs, "type", "410620009")
	if len(visits) == 0 {
		t.Fatal("no well child visit (410620009) among the Synthea encounters")
	}
	first := visits[0]
	c2Want(t, first, "period.start", "2014-12-25") // 20141225153128, no zone: the day
	c2Want(t, first, "class.code", "UNK")          // a SNOMED visit type does not say the class
}

// CCD_1_newsections.xml, Plan of Care: a Colonoscopy planned as an
// observation, an act, an encounter (INT) and a procedure, all "new" around
// 20120512, and an instruction "Possible flu-like symptoms for three days."
func TestPlanOfCare(t *testing.T) {
	d := c2Convert(t, "blue-button/parser-ccda/CCD_1_newsections.xml")
	plan := c2One(t, c2Resources(t, d, "CarePlan"), "care plan")
	c2Want(t, plan, "intent", "plan")
	c2Want(t, plan, "title", "PLAN OF CARE")
	acts, _ := plan["activity"].([]any)
	if len(acts) != 5 {
		t.Fatalf("activities: got %d, want 5", len(acts))
	}
	kinds := []string{"ServiceRequest", "ServiceRequest", "Appointment", "ServiceRequest", ""}
	for i, a := range acts {
		if got := c2Str(a, "detail.kind"); got != kinds[i] {
			t.Errorf("activity %d kind %q, want %q", i, got, kinds[i])
		}
	}
	c2Want(t, plan, "activity.0.detail.code.coding.0.code", "73761001")
	c2Want(t, plan, "activity.0.detail.status", "not-started")
	c2Want(t, plan, "activity.0.detail.scheduledString", "2012-05-12")
	c2Want(t, plan, "activity.4.detail.description", "Possible flu-like symptoms for three days.")
	c2Want(t, plan, "activity.4.detail.code.coding.0.code", "171044003")
}

// c2Doc wraps sections in a minimal C-CDA document.
func c2Doc(sections string) []byte {
	return []byte(`<?xml version="1.0"?>
<ClinicalDocument xmlns="urn:hl7-org:v3" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">
 <templateId root="2.16.840.1.113883.10.20.22.1.1"/><templateId root="2.16.840.1.113883.10.20.22.1.2"/>
 <id root="1.2.3" extension="doc"/><code code="34133-9" codeSystem="2.16.840.1.113883.6.1"/>
 <effectiveTime value="20240301120000+0000"/>
 <recordTarget><patientRole><id root="1.2.3.4" extension="p1"/><patient><name><given>A</given><family>B</family></name></patient></patientRole></recordTarget>
 <component><structuredBody>` + sections + `</structuredBody></component>
</ClinicalDocument>`)
}

const c2GoalsSection = `<component><section>
 <templateId root="2.16.840.1.113883.10.20.22.2.60"/>
 <code code="61146-7" codeSystem="2.16.840.1.113883.6.1"/><title>Goals</title>
 <text><paragraph ID="g2">Walk to the shops without stopping</paragraph></text>
 <entry><observation classCode="OBS" moodCode="GOL">
  <templateId root="2.16.840.1.113883.10.20.22.4.121"/><id root="goal-1"/>
  <code code="29463-7" codeSystem="2.16.840.1.113883.6.1" displayName="Body weight"/>
  <statusCode code="active"/>
  <effectiveTime><low value="20240101"/><high value="20241231"/></effectiveTime>
  <value xsi:type="PQ" value="80" unit="kg"/>
 </observation></entry>
 <entry><observation classCode="OBS" moodCode="GOL">
  <templateId root="2.16.840.1.113883.10.20.22.4.121"/><id root="goal-2"/>
  <code nullFlavor="UNK"/><text><reference value="#g2"/></text>
  <statusCode code="completed"/>
 </observation></entry>
 <entry><act classCode="ACT" moodCode="EVN"><code code="x"/></act></entry>
</section></component>`

// Goals: no corpus document has a Goals section, so this one is written here
// after the C-CDA R2.1 Goal Observation template.
func TestGoals(t *testing.T) {
	d := c2ConvertBytes(t, c2Doc(c2GoalsSection))
	goals := c2Resources(t, d, "Goal")
	if len(goals) != 2 {
		t.Fatalf("Goals: got %d, want 2", len(goals))
	}
	w := goals[0]
	c2Want(t, w, "lifecycleStatus", "active")
	c2Want(t, w, "description.coding.0.code", "29463-7")
	c2Want(t, w, "target.0.measure.coding.0.code", "29463-7")
	c2Want(t, w, "target.0.detailQuantity.value", "80")
	c2Want(t, w, "target.0.detailQuantity.unit", "kg")
	c2Want(t, w, "target.0.dueDate", "2024-12-31")
	c2Want(t, w, "startDate", "2024-01-01")
	c2Want(t, w, "subject.reference", "Patient/"+d.Resources[0].ID)
	walk := goals[1]
	c2Want(t, walk, "description.text", "Walk to the shops without stopping")
	c2Want(t, walk, "lifecycleStatus", "completed")
	if len(d.NotConverted) != 1 || d.NotConverted[0].Section != "Goals" || !strings.Contains(d.NotConverted[0].Reason, "<act>") {
		t.Errorf("the act in Goals: want one skip naming it, got %+v", d.NotConverted)
	}
}

const c2ValuesSection = `<component><section>
 <code code="30954-2" codeSystem="2.16.840.1.113883.6.1"/><title>Results</title>
 <entry><observation classCode="OBS" moodCode="EVN"><id root="r1"/>
  <code code="5811-5" codeSystem="2.16.840.1.113883.6.1" displayName="Specific gravity"/>
  <statusCode code="active"/><effectiveTime value="20240301"/>
  <value xsi:type="REAL" value="1.020"/>
  <interpretationCode code="H"/>
 </observation></entry>
 <entry><observation classCode="OBS" moodCode="EVN"><id root="r2"/>
  <code code="20454-5" codeSystem="2.16.840.1.113883.6.1" displayName="Protein"/>
  <statusCode code="completed"/><effectiveTime value="20240301"/>
  <value xsi:type="IVL_PQ"><low value="30" unit="mg/dL"/><high value="100" unit="mg/dL"/></value>
 </observation></entry>
 <entry><observation classCode="OBS" moodCode="EVN"><id root="r3"/>
  <code code="11111-1" codeSystem="2.16.840.1.113883.6.1" displayName="Count"/>
  <statusCode code="completed"/><value xsi:type="INT" value="7"/>
 </observation></entry>
 <entry><observation classCode="OBS" moodCode="EVN"><id root="r5"/>
  <code code="2345-7" codeSystem="2.16.840.1.113883.6.1" displayName="Glucose"/>
  <statusCode code="completed"/><value xsi:type="PQ" value="&lt;5" unit="mg/dL"/>
 </observation></entry>
 <entry><observation classCode="OBS" moodCode="EVN"><id root="r6"/>
  <code code="5334-8" codeSystem="2.16.840.1.113883.6.1" displayName="Titer"/>
  <statusCode code="completed"/><value xsi:type="PQ" value="1:64"/>
 </observation></entry>
 <entry><observation classCode="OBS" moodCode="EVN"><id root="r4"/><code nullFlavor="UNK"/></observation></entry>
 <entry><supply classCode="SPLY" moodCode="EVN"/></entry>
</section></component>`

// Value types and the reasons for what is not converted.
func TestResultValueTypesAndSkips(t *testing.T) {
	d := c2ConvertBytes(t, c2Doc(c2ValuesSection))
	obs := c2Resources(t, d, "Observation")
	if len(obs) != 5 {
		t.Fatalf("Observations: got %d, want 5", len(obs))
	}
	c2Want(t, obs[0], "valueQuantity.value", "1.02")
	c2Want(t, obs[0], "status", "preliminary")
	c2Want(t, obs[0], "interpretation.0.coding.0.system", interpretationSystem)
	c2Want(t, obs[0], "interpretation.0.text", "High")
	c2Want(t, obs[1], "valueRange.low.value", "30")
	c2Want(t, obs[1], "valueRange.high.unit", "mg/dL")
	c2Want(t, obs[2], "valueInteger", "7")
	c2Want(t, obs[3], "valueQuantity.comparator", "<")
	c2Want(t, obs[3], "valueQuantity.value", "5")
	c2Want(t, obs[3], "valueQuantity.unit", "mg/dL")
	c2Want(t, obs[4], "valueString", "1:64") // not a number, still shown
	if len(d.NotConverted) != 2 {
		t.Fatalf("skips: got %+v, want 2 (the observation without a code, the supply)", d.NotConverted)
	}
	if !strings.Contains(d.NotConverted[0].Reason, "does not say what was observed") ||
		!strings.Contains(d.NotConverted[1].Reason, "<supply>") {
		t.Errorf("skip reasons: %+v", d.NotConverted)
	}
}

// The same document twice gives the same resources; a newer document with a
// corrected value gives the same ids (a new version), not new resources.
func TestStableIDsAcrossDocuments(t *testing.T) {
	b, err := os.ReadFile(filepath.Join(testcorpus.Dir(t, "ccda"), "blue-button/parser-ccda/CCD_1.xml"))
	if err != nil {
		t.Fatal(err)
	}
	first, again := c2ConvertBytes(t, b), c2ConvertBytes(t, b)
	if len(first.Resources) != len(again.Resources) {
		t.Fatalf("resources: %d then %d", len(first.Resources), len(again.Resources))
	}
	for i := range first.Resources {
		if first.Resources[i].ID != again.Resources[i].ID || !bytes.Equal(first.Resources[i].Raw, again.Resources[i].Raw) {
			t.Fatalf("resource %d differs between two conversions of one document", i)
		}
	}
	newer := bytes.Replace(b, []byte(`value="6.7" unit="10+3/ul"`), []byte(`value="7.1" unit="10+3/ul"`), 1)
	if bytes.Equal(newer, b) {
		t.Fatal("the WBC value to correct is not in CCD_1.xml")
	}
	second := c2ConvertBytes(t, newer)
	before := c2One(t, c2WithCode(c2Resources(t, first, "Observation"), "code", "33765-9"), "WBC")
	after := c2One(t, c2WithCode(c2Resources(t, second, "Observation"), "code", "33765-9"), "WBC")
	if before["id"] != after["id"] {
		t.Errorf("the corrected WBC got a new id %v (was %v): it should be a new version", after["id"], before["id"])
	}
	c2Want(t, after, "valueQuantity.value", "7.1")
}

// Every document of the corpus converts without a panic (or is refused
// with ErrNotCCDA/ErrMalformed); every resource of these sections names the
// patient, and every DiagnosticReport's results are among the resources.
func TestC2SectionsOnCorpus(t *testing.T) {
	dir := testcorpus.Dir(t, "ccda")
	files := testcorpus.Files(t, dir, ".xml")
	if len(files) == 0 {
		t.Fatal("no XML in the C-CDA corpus")
	}
	mine := map[string]bool{"Observation": true, "DiagnosticReport": true, "Procedure": true, "ServiceRequest": true,
		"Encounter": true, "CarePlan": true, "Goal": true}
	for _, f := range files {
		rel, _ := filepath.Rel(dir, f)
		t.Run(rel, func(t *testing.T) {
			b, err := os.ReadFile(f)
			if err != nil {
				t.Fatal(err)
			}
			d, err := Convert(bytes.NewReader(b))
			if err != nil {
				if !errors.Is(err, ErrNotCCDA) && !errors.Is(err, ErrMalformed) {
					t.Fatalf("error wraps neither ErrNotCCDA nor ErrMalformed: %v", err)
				}
				return
			}
			ids := map[string]bool{}
			for _, r := range d.Resources {
				ids[r.Type+"/"+r.ID] = true
			}
			for typ := range mine {
				for _, r := range c2Resources(t, d, typ) {
					if c2Str(r, "subject.reference") == "" || !ids[c2Str(r, "subject.reference")] {
						t.Errorf("%s/%s does not reference the document's Patient", typ, c2Str(r, "id"))
					}
					if strings.Contains(c2Str(r, "valueString"), "{entry.") {
						t.Errorf("%s/%s shows an unfilled template field", typ, c2Str(r, "id"))
					}
				}
			}
			for _, rep := range c2Resources(t, d, "DiagnosticReport") {
				results, _ := rep["result"].([]any)
				for _, ref := range results {
					if !ids[c2Str(ref, "reference")] {
						t.Errorf("DiagnosticReport %s points at %s, which is not among the resources", c2Str(rep, "id"), c2Str(ref, "reference"))
					}
				}
			}
			for _, s := range d.NotConverted {
				if s.Section == "" || s.Reason == "" {
					t.Errorf("a skip without section or reason: %+v", s)
				}
			}
		})
	}
}

const c2SocialSection = `<component><section>
 <code code="29762-2" codeSystem="2.16.840.1.113883.6.1"/><title>Social History</title>
 <text><content ID="c1">Quit attempts discussed</content></text>
 <entry><observation classCode="OBS" moodCode="EVN">
  <templateId root="2.16.840.1.113883.10.20.22.4.78" extension="2014-06-09"/><id root="s1"/>
  <code code="72166-2" codeSystem="2.16.840.1.113883.6.1" displayName="Tobacco smoking status NHIS"/>
  <statusCode code="completed"/><effectiveTime value="20240215"/>
  <value xsi:type="CD" code="449868002" codeSystem="2.16.840.1.113883.6.96" displayName="Current every day smoker"/>
  <entryRelationship typeCode="SUBJ" inversionInd="true"><act classCode="ACT" moodCode="EVN">
   <templateId root="2.16.840.1.113883.10.20.22.4.64"/><code code="48767-8" codeSystem="2.16.840.1.113883.6.1"/>
   <text><reference value="#c1"/></text></act></entryRelationship>
 </observation></entry>
 <entry><observation classCode="OBS" moodCode="EVN">
  <templateId root="2.16.840.1.113883.10.20.15.3.8"/><id root="s2"/>
  <code code="ASSERTION" codeSystem="2.16.840.1.113883.5.4"/>
  <statusCode code="completed"/><effectiveTime value="20240110"/>
  <value xsi:type="CD" code="77386006" codeSystem="2.16.840.1.113883.6.96" displayName="Pregnant"/>
 </observation></entry>
</section></component>
<component><section>
 <code code="46240-8" codeSystem="2.16.840.1.113883.6.1"/><title>Encounters</title>
 <entry><encounter classCode="ENC" moodCode="INT"><id root="e1"/>
  <code code="185349003" codeSystem="2.16.840.1.113883.6.96" displayName="Check-up"/></encounter></entry>
</section></component>`

// C-CDA R2.1 smoking status (coded 72166-2 already) with a comment, a
// pregnancy observation, and an encounter that is only planned.
func TestSocialHistoryR21AndPregnancy(t *testing.T) {
	d := c2ConvertBytes(t, c2Doc(c2SocialSection))
	obs := c2Resources(t, d, "Observation")
	smoke := c2One(t, c2WithCode(obs, "code", "72166-2"), "smoking status")
	c2Want(t, smoke, "valueCodeableConcept.coding.0.code", "449868002")
	c2Want(t, smoke, "effectiveDateTime", "2024-02-15")
	c2Want(t, smoke, "note.0.text", "Quit attempts discussed")
	preg := c2One(t, c2WithCode(obs, "code", "82810-3"), "pregnancy status")
	c2Want(t, preg, "valueCodeableConcept.coding.0.code", "77386006")
	c2Want(t, preg, "category.0.coding.0.code", "social-history")
	if n := len(c2Resources(t, d, "Encounter")); n != 0 {
		t.Errorf("a planned encounter became %d Encounter(s): it has not taken place", n)
	}
	if len(d.NotConverted) != 1 || d.NotConverted[0].Section != "Encounters" || !strings.Contains(d.NotConverted[0].Reason, "planned") {
		t.Errorf("want the planned encounter reported as not converted, got %+v", d.NotConverted)
	}
}

// A Care Plan document's Interventions section: an intervention done
// (EVN, completed) is a completed activity of the plan, and a planned
// medication is named by its drug.
func TestInterventionsAreCarePlanActivities(t *testing.T) {
	d := c2ConvertBytes(t, c2Doc(`<component><section>
 <code code="62387-6" codeSystem="2.16.840.1.113883.6.1"/><title>Interventions</title>
 <entry><act classCode="ACT" moodCode="EVN"><templateId root="2.16.840.1.113883.10.20.22.4.131"/><id root="i1"/>
  <code code="362956003" codeSystem="2.16.840.1.113883.6.96" displayName="Procedure / intervention"/>
  <text>Taught to check blood sugar</text><statusCode code="completed"/><effectiveTime value="20240201"/></act></entry>
 <entry><substanceAdministration classCode="SBADM" moodCode="INT"><id root="i2"/><statusCode code="active"/>
  <consumable><manufacturedProduct><manufacturedMaterial>
   <code code="860975" codeSystem="2.16.840.1.113883.6.88" displayName="metformin 500 MG"/>
  </manufacturedMaterial></manufacturedProduct></consumable></substanceAdministration></entry>
</section></component>`))
	plan := c2One(t, c2Resources(t, d, "CarePlan"), "care plan")
	c2Want(t, plan, "title", "Interventions")
	c2Want(t, plan, "activity.0.detail.status", "completed")
	c2Want(t, plan, "activity.0.detail.description", "Taught to check blood sugar")
	c2Want(t, plan, "activity.0.detail.scheduledString", "2024-02-01")
	c2Want(t, plan, "activity.1.detail.kind", "MedicationRequest")
	c2Want(t, plan, "activity.1.detail.code.coding.0.system", "http://www.nlm.nih.gov/research/umls/rxnorm")
	c2Want(t, plan, "activity.1.detail.code.coding.0.code", "860975")
	c2Want(t, plan, "activity.1.detail.status", "in-progress")
}

// BenchmarkConvertSynthea converts the largest Synthea document of the
// corpus (126 KB, all sections).
func BenchmarkConvertSynthea(b *testing.B) {
	data, err := os.ReadFile(filepath.Join(testcorpus.Dir(b, "ccda"), "synthea/Lisandra920_Schroeder447_5391757e-f451-f2fe-d2f0-90a839d4d9c4.xml"))
	if err != nil {
		b.Fatal(err)
	}
	b.SetBytes(int64(len(data)))
	b.ReportAllocs()
	for b.Loop() {
		if _, err := Convert(bytes.NewReader(data)); err != nil {
			b.Fatal(err)
		}
	}
}
