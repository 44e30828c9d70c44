package ccda

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"time"

	"healthwallet/wallet/record"
)

// Document is one converted C-CDA document.
type Document struct {
	// Kind is the document type in words ("Continuity of Care Document",
	// "Discharge Summary", …), from its template id or LOINC code.
	Kind string
	// Code is the document's LOINC type code (e.g. 34133-9).
	Code  string
	Title string
	Date  time.Time // effectiveTime
	// ID is the document's own id (root^extension), "" when it has none.
	ID string
	// Resources are the FHIR R4 resources made from it, the Patient first,
	// each with a stable id.
	Resources []record.Resource
	// NotConverted lists what did not become a resource, and why.
	NotConverted []Skipped
	// Sections are the human-readable sections, in the document's order.
	Sections []Section
	// ResourceSection names the section each resource was made from, by
	// "Type/id" ("" for the header's Patient): the provenance kept with
	// each record.
	ResourceSection map[string]string
}

// Skipped is a part of the document that was not converted.
type Skipped struct {
	Section string // the section's title (or code)
	Reason  string
}

// Section is one human-readable section of the document: its title and its
// narrative block as plain text (tables as tab-separated lines, lists as
// lines).
type Section struct {
	Code  string
	Title string
	Text  string
}

// sectionConverter converts one section's entries, adding resources and
// skips to c.
type sectionConverter func(c *converter, section *node)

// sectionConverters are the sections Convert knows, by the section's LOINC
// code. Each section file registers its own in an init function.
var sectionConverters = map[string]sectionConverter{}

// sectionTitles name known sections when the document gives no title.
var sectionTitles = map[string]string{}

// register adds a section converter for one or more LOINC section codes.
func register(title string, conv sectionConverter, codes ...string) {
	for _, code := range codes {
		sectionConverters[code] = conv
		sectionTitles[code] = title
	}
}

// converter holds one document's conversion state.
type converter struct {
	doc        *node
	docID      string
	patientRef string // "Patient/<id>"
	out        []record.Resource
	skipped    []Skipped
	seen       map[string][]byte // JSON of the resources emitted, by type/id (an entry referenced twice)
	// narrativeIDs index the narrative elements by their ID attribute, for
	// <reference value="#ID"/>; built at the first use.
	narrativeIDs map[string]*node
	current      string // title of the section being converted
	sectionOf    map[string]string
}

// Convert reads one C-CDA document from r (at most MaxDocumentSize bytes)
// and converts it. Errors wrap ErrNotCCDA or ErrMalformed. Convert never
// panics on its input.
func Convert(r io.Reader) (*Document, error) {
	root, err := parse(r)
	if err != nil {
		return nil, err
	}
	if err := checkCCDA(root); err != nil {
		return nil, err
	}
	c := &converter{doc: root, seen: map[string][]byte{}, sectionOf: map[string]string{}}
	d := &Document{}
	c.header(d)
	body := root.path("component", "structuredBody")
	if body == nil {
		if root.path("component", "nonXMLBody") != nil {
			c.skip("Document body", "the body is not structured (an embedded file): kept as the original document only")
		} else {
			c.skip("Document body", "the document has no body")
		}
	}
	for _, comp := range body.all("component") {
		c.section(d, comp.child("section"))
	}
	d.Resources = c.out
	d.NotConverted = c.skipped
	d.ResourceSection = c.sectionOf
	return d, nil
}

// section converts one section (and the sections nested in it), and keeps
// its narrative.
func (c *converter) section(d *Document, s *node) {
	if s == nil {
		return
	}
	code := s.child("code").attr("code")
	title := sectionTitle(s)
	if text := narrative(s.child("text")); text != "" || title != "" {
		d.Sections = append(d.Sections, Section{Code: code, Title: title, Text: text})
	}
	conv, known := sectionConverters[code]
	switch {
	case known:
		outer := c.current
		c.current = title
		conv(c, s)
		c.current = outer
	case len(s.all("entry")) > 0:
		c.skip(title, fmt.Sprintf("this section (LOINC %s) is not converted: its %d entries are kept in the original document", code, len(s.all("entry"))))
	}
	for _, comp := range s.all("component") {
		c.section(d, comp.child("section"))
	}
}

// sectionTitle names a section as the document does, else by its LOINC
// code's usual title, else by the code.
func sectionTitle(s *node) string {
	code := s.child("code").attr("code")
	if title := s.child("title").innerText(); title != "" {
		return title
	}
	if title := sectionTitles[code]; title != "" {
		return title
	}
	return code
}

// skip records something not converted.
func (c *converter) skip(section, reason string) {
	c.skipped = append(c.skipped, Skipped{Section: section, Reason: reason})
}

// emit adds one resource (a map that becomes its JSON). Its "id" must be
// set (see stableID). The same resource emitted twice (an entry referenced
// from two places) is kept once; a different resource under an id already
// used (documents that give two entries the same id) gets an id made from
// its content instead, so neither is lost.
func (c *converter) emit(res map[string]any) {
	typ, _ := res["resourceType"].(string)
	id, _ := res["id"].(string)
	raw, err := json.Marshal(res)
	if err != nil {
		c.skip(typ, "could not be written as JSON: "+err.Error())
		return
	}
	key := typ + "/" + id
	if prev, ok := c.seen[key]; ok {
		if bytes.Equal(prev, raw) {
			return
		}
		id = stableID(typ, nil, id, string(raw))
		res["id"] = id
		if raw, err = json.Marshal(res); err != nil {
			c.skip(typ, "could not be written as JSON: "+err.Error())
			return
		}
		key = typ + "/" + id
		if _, again := c.seen[key]; again {
			return
		}
	}
	c.seen[key] = raw
	c.sectionOf[key] = c.current
	c.out = append(c.out, record.Resource{Type: typ, ID: id, Raw: raw})
}
