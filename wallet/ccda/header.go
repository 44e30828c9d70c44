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
}

func documentKind(root *node) string {
	for _, k := range documentKinds {
		if root.hasTemplate(k.template) {
			return k.kind
		}
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
	id := stableID("Patient", role.all("id"))
	c.patientRef = "Patient/" + id
	p := map[string]any{"resourceType": "Patient", "id": id}
	if ids := identifiers(role.all("id")); len(ids) > 0 {
		p["identifier"] = ids
	}
	pat := role.child("patient")
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
	c.emit(p)
}
