package ccda

import (
	"encoding/json"
	"fmt"
	"strconv"
	"strings"
	"time"
)

// checkCCDA refuses XML that is not a C-CDA document, saying what it is.
func checkCCDA(root *node) error {
	switch {
	case root.name == "Message" && (root.child("Header") != nil || root.child("Body") != nil):
		return fmt.Errorf("%w: this is an NCPDP SCRIPT message (an e-prescription), not a health record document", ErrNotCCDA)
	case root.name != "ClinicalDocument":
		return fmt.Errorf("%w: this XML's root element is <%s>, not <ClinicalDocument>", ErrNotCCDA, root.name)
	case root.hasTemplate("2.16.840.1.113883.3.88.11.32.1") && !root.hasTemplate("2.16.840.1.113883.10.20.22.1.1"):
		return fmt.Errorf("%w: this is a C32 document (HITSP, the format before C-CDA), which the wallet does not convert: ask the provider for a C-CDA or FHIR export", ErrNotCCDA)
	case !root.hasTemplate("2.16.840.1.113883.10.20.22.1.1") && !root.hasTemplate("2.16.840.1.113883.10.20.1"):
		return fmt.Errorf("%w: this CDA document does not say it follows C-CDA (no US Realm Header template)", ErrNotCCDA)
	}
	return nil
}

// header reads the document's kind, title, date and id, and its patient.
func (c *converter) header(d *Document) {
	root := c.doc
	d.Code = root.child("code").attr("code")
	d.Kind = documentKind(root)
	d.Title = root.child("title").innerText()
	if t, err := parseTS(root.child("effectiveTime").attr("value")); err == nil {
		d.Date = t
	}
	if id := root.child("id"); id != nil && id.attr("root") != "" {
		d.ID = id.attr("root")
		if ext := id.attr("extension"); ext != "" {
			d.ID += "^" + ext
		}
	}
	c.docID = d.ID
	c.patient(root.path("recordTarget", "patientRole"))
}

// documentKinds name C-CDA R2.1 document templates.
var documentKinds = []struct{ template, kind string }{
	{"2.16.840.1.113883.10.20.22.1.2", "Continuity of Care Document"},
	{"2.16.840.1.113883.10.20.22.1.14", "Referral Note"},
	{"2.16.840.1.113883.10.20.22.1.8", "Discharge Summary"},
	{"2.16.840.1.113883.10.20.22.1.9", "Progress Note"},
	{"2.16.840.1.113883.10.20.22.1.4", "Consultation Note"},
	{"2.16.840.1.113883.10.20.22.1.3", "History and Physical"},
	{"2.16.840.1.113883.10.20.22.1.13", "Transfer Summary"},
	{"2.16.840.1.113883.10.20.22.1.15", "Care Plan"},
	{"2.16.840.1.113883.10.20.22.1.5", "Diagnostic Imaging Report"},
	{"2.16.840.1.113883.10.20.22.1.6", "Procedure Note"},
	{"2.16.840.1.113883.10.20.22.1.7", "Operative Note"},
	{"2.16.840.1.113883.10.20.22.1.10", "Unstructured Document"},
	{"2.16.840.1.113883.10.20.1", "Continuity of Care Document"}, // CCD 1.0
}

// documentCodes name document types by their LOINC code, for documents
// that give no known template.
var documentCodes = map[string]string{
	"34133-9": "Continuity of Care Document",
	"57133-1": "Referral Note",
	"18842-5": "Discharge Summary",
	"11506-3": "Progress Note",
	"11488-4": "Consultation Note",
	"34117-2": "History and Physical",
	"18761-7": "Transfer Summary",
	"52521-2": "Care Plan",
	"28570-0": "Procedure Note",
	"11504-8": "Operative Note",
	"18748-4": "Diagnostic Imaging Report",
}

func documentKind(root *node) string {
	for _, k := range documentKinds {
		if root.hasTemplate(k.template) {
			return k.kind
		}
	}
	if k := documentCodes[root.child("code").attr("code")]; k != "" {
		return k
	}
	if d := root.child("code").attr("displayName"); d != "" {
		return d
	}
	return "Clinical document"
}

// parseTS parses an HL7 TS into a time (UTC when it has no zone).
func parseTS(ts string) (time.Time, error) {
	s := dateTime(ts)
	for _, layout := range []string{time.RFC3339Nano, "2006-01-02", "2006-01", "2006"} {
		if t, err := time.Parse(layout, s); err == nil {
			return t, nil
		}
	}
	return time.Time{}, fmt.Errorf("not a time: %q", ts)
}

// jsonNumber is v as a JSON number when it is a valid one, else nil.
func jsonNumber(v string) any {
	v = strings.TrimSpace(v)
	if _, err := strconv.ParseFloat(v, 64); err != nil {
		return nil
	}
	if strings.HasPrefix(v, ".") {
		v = "0" + v
	} else if strings.HasPrefix(v, "-.") {
		v = "-0" + v[1:]
	}
	if strings.HasPrefix(v, "+") {
		v = v[1:]
	}
	var n json.Number = json.Number(v)
	if !json.Valid([]byte(v)) {
		return nil
	}
	return n
}

// patient turns the recordTarget's patientRole into the Patient resource.
func (c *converter) patient(role *node) {
	if role == nil {
		c.skip("Patient", "the document names no patient (no recordTarget)")
		return
	}
	// The patient's ids, without a Social Security Number: the wallet
	// shares records with providers, and an SSN is not theirs to receive.
	var roleIDs []*node
	for _, id := range role.all("id") {
		if id.attr("root") != oidSSN {
			roleIDs = append(roleIDs, id)
		}
	}
	// Without ids, the patient is told apart by name and birth time.
	pat := role.child("patient")
	id := stableID("Patient", roleIDs, pat.child("name").innerText(), pat.child("birthTime").attr("value"))
	c.patientRef = "Patient/" + id
	p := map[string]any{"resourceType": "Patient", "id": id}
	if ids := identifiers(roleIDs); len(ids) > 0 {
		p["identifier"] = ids
	}
	if telecom := telecoms(role.all("telecom")); len(telecom) > 0 {
		p["telecom"] = telecom
	}
	var names []any
	for _, n := range pat.all("name") {
		name := map[string]any{}
		var given []any
		for _, g := range n.all("given") {
			if t := g.innerText(); t != "" {
				given = append(given, t)
			}
		}
		if len(given) > 0 {
			name["given"] = given
		}
		if f := n.child("family").innerText(); f != "" {
			name["family"] = f
		}
		if len(name) == 0 {
			if t := n.innerText(); t != "" {
				name["text"] = t
			}
		}
		if len(name) > 0 {
			names = append(names, name)
		}
	}
	if len(names) > 0 {
		p["name"] = names
	}
	switch pat.child("administrativeGenderCode").attr("code") {
	case "M":
		p["gender"] = "male"
	case "F":
		p["gender"] = "female"
	case "UN":
		p["gender"] = "other"
	}
	if b := dateTime(pat.child("birthTime").attr("value")); len(b) >= 4 {
		if len(b) > 10 {
			b = b[:10]
		}
		p["birthDate"] = b
	}
	var ext []any
	if race := usCoreCategory("us-core-race", pat.all("raceCode")); race != nil {
		ext = append(ext, race)
	}
	if ethnicity := usCoreCategory("us-core-ethnicity", pat.all("ethnicGroupCode")); ethnicity != nil {
		ext = append(ext, ethnicity)
	}
	if len(ext) > 0 {
		p["extension"] = ext
	}
	if lang := pat.path("languageCommunication", "languageCode").attr("code"); lang != "" {
		p["communication"] = []any{map[string]any{"language": map[string]any{
			"coding": []any{map[string]any{"system": "urn:ietf:bcp:47", "code": lang}},
		}}}
	}
	c.emit(p)
}

const oidSSN = "2.16.840.1.113883.4.1"

// telecomUses map HL7 v3 telecom uses to FHIR ContactPoint uses.
var telecomUses = map[string]string{"H": "home", "HP": "home", "HV": "home", "WP": "work", "MC": "mobile", "PG": "mobile", "TMP": "temp", "BAD": "old"}

// telecoms turns telecom elements (tel:, mailto:, fax:, http(s): URLs) into
// FHIR ContactPoints.
func telecoms(ts []*node) []any {
	var out []any
	for _, t := range ts {
		v := strings.TrimSpace(t.attr("value"))
		if v == "" || t.attr("nullFlavor") != "" {
			continue
		}
		cp := map[string]any{}
		lower := strings.ToLower(v)
		switch {
		case strings.HasPrefix(lower, "tel:"):
			cp["system"], cp["value"] = "phone", strings.TrimSpace(v[4:])
		case strings.HasPrefix(lower, "mailto:"):
			cp["system"], cp["value"] = "email", strings.TrimSpace(v[7:])
		case strings.HasPrefix(lower, "fax:"):
			cp["system"], cp["value"] = "fax", strings.TrimSpace(v[4:])
		case strings.HasPrefix(lower, "http:"), strings.HasPrefix(lower, "https:"):
			cp["system"], cp["value"] = "url", v
		default:
			cp["system"], cp["value"] = "other", v
		}
		// use may list several codes ("HP WP"): the first known one.
		for _, u := range strings.Fields(t.attr("use")) {
			if use := telecomUses[u]; use != "" {
				cp["use"] = use
				break
			}
		}
		out = append(out, cp)
	}
	return out
}

// ombCategories are the OMB race and ethnicity categories of the CDC code
// system; other codes of it are "detailed" in US Core.
var ombCategories = map[string]bool{
	"1002-5": true, "2028-9": true, "2054-5": true, "2076-8": true, "2106-3": true, // race
	"2135-2": true, "2186-5": true, // ethnicity
}

// usCoreCategory makes the US Core race or ethnicity extension from the
// raceCode / ethnicGroupCode elements, nil when none is coded.
func usCoreCategory(name string, codes []*node) map[string]any {
	var parts, texts []any
	for _, code := range codes {
		c := code.attr("code")
		if c == "" || code.attr("nullFlavor") != "" {
			continue
		}
		coding := map[string]any{"system": "urn:oid:2.16.840.1.113883.6.238", "code": c}
		if d := code.attr("displayName"); d != "" {
			coding["display"] = d
			texts = append(texts, d)
		}
		kind := "detailed"
		if ombCategories[c] {
			kind = "ombCategory"
		}
		parts = append(parts, map[string]any{"url": kind, "valueCoding": coding})
	}
	if len(parts) == 0 {
		return nil
	}
	text := ""
	for i, t := range texts {
		if i > 0 {
			text += ", "
		}
		text += t.(string)
	}
	if text == "" {
		text = "coded"
	}
	parts = append(parts, map[string]any{"url": "text", "valueString": text})
	return map[string]any{"url": "http://hl7.org/fhir/us/core/StructureDefinition/" + name, "extension": parts}
}
