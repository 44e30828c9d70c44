package ccda

import (
	"fmt"
	"strings"
)

// Helpers the section converters share: entries and their relationships,
// narrative references, status codings.

// entryActs is the clinical statement of each entry of a section (the act,
// observation, substanceAdministration, … it holds), in order.
func entryActs(section *node) []*node {
	var out []*node
	for _, e := range section.all("entry") {
		for _, ch := range e.children {
			if isStatement(ch.name) {
				out = append(out, ch)
				break
			}
		}
	}
	return out
}

// isStatement reports the CDA clinical statement element names.
func isStatement(name string) bool {
	switch name {
	case "act", "observation", "substanceAdministration", "supply", "procedure", "encounter", "organizer":
		return true
	}
	return false
}

// convertConcerns converts a section of concern acts (allergies,
// problems): the observations of each entry's act that match (or the entry
// itself when it is an observation) go to convert; an entry holding none is
// reported, naming what it should have held.
func (c *converter) convertConcerns(s *node, what string, matches func(*node) bool, convert func(title string, index int, act, o *node)) {
	title := sectionTitle(s)
	for i, e := range entryActs(s) {
		var observations []*node
		switch e.name {
		case "observation":
			observations = []*node{e}
		case "act":
			for _, o := range related(e, "") {
				if o.name == "observation" && matches(o) {
					observations = append(observations, o)
				}
			}
		}
		if len(observations) == 0 {
			c.skip(title, fmt.Sprintf("entry %d (<%s>) holds no %s observation: not converted", i+1, e.name, what))
			continue
		}
		for _, o := range observations {
			convert(title, i, e, o)
		}
	}
}

// related is the clinical statements under n's entryRelationships, those
// with typeCode typ when typ is not "".
func related(n *node, typ string) []*node {
	var out []*node
	for _, er := range n.all("entryRelationship") {
		if typ != "" && er.attr("typeCode") != typ {
			continue
		}
		for _, ch := range er.children {
			if isStatement(ch.name) {
				out = append(out, ch)
			}
		}
	}
	return out
}

// relatedWithTemplate is the first statement under n's entryRelationships
// that has one of the template ids, or nil.
func relatedWithTemplate(n *node, templates ...string) *node {
	for _, r := range related(n, "") {
		for _, t := range templates {
			if r.hasTemplate(t) {
				return r
			}
		}
	}
	return nil
}

// negated reports negationInd="true".
func negated(n *node) bool {
	return strings.EqualFold(n.attr("negationInd"), "true")
}

// referencedText is the narrative text an element points at with
// <reference value="#ID"/> (directly or as its only content), or "".
func (c *converter) referencedText(n *node) string {
	ref := n.child("reference")
	if n != nil && n.name == "reference" {
		ref = n
	}
	target := strings.TrimPrefix(ref.attr("value"), "#")
	if target == "" {
		return ""
	}
	if c.narrativeIDs == nil {
		c.narrativeIDs = map[string]*node{}
		var walk func(*node)
		walk = func(m *node) {
			if id := m.attr("ID"); id != "" {
				if _, dup := c.narrativeIDs[id]; !dup {
					c.narrativeIDs[id] = m
				}
			}
			for _, ch := range m.children {
				walk(ch)
			}
		}
		walk(c.doc)
	}
	return c.narrativeIDs[target].innerText()
}

// concept is codeableConcept(cd) with, when the code carries neither an
// original text nor a display name, the narrative text its originalText
// references as the text. Display names win over references because
// documents in the wild point their references at the wrong cell.
func (c *converter) concept(cd *node) map[string]any {
	cc := codeableConcept(cd)
	if cc != nil && cc["text"] != nil {
		return cc
	}
	text := c.referencedText(cd.child("originalText"))
	if text == "" {
		return cc
	}
	if cc == nil {
		cc = map[string]any{}
	}
	cc["text"] = text
	return cc
}

// entityConcept names a material or entity (a medication, vaccine,
// allergen): its code, else its name as text; nil when it has neither.
func (c *converter) entityConcept(entity *node) map[string]any {
	if cc := c.concept(entity.child("code")); cc != nil {
		return cc
	}
	if name := entity.child("name").innerText(); name != "" {
		return map[string]any{"text": name}
	}
	return nil
}

// entryText is an entry's own text: inline, or the narrative it references.
func (c *converter) entryText(n *node) string {
	t := n.child("text")
	if s := c.referencedText(t); s != "" {
		return s
	}
	return t.innerText()
}

// codingConcept is a CodeableConcept of one coding.
func codingConcept(system, code, display string) map[string]any {
	coding := map[string]any{"system": system, "code": code}
	if display != "" {
		coding["display"] = display
	}
	return map[string]any{"coding": []any{coding}}
}

// hasCode reports a CodeableConcept that carries at least one coding.
func hasCode(cc map[string]any) bool {
	codings, _ := cc["coding"].([]any)
	return len(codings) > 0
}

// entryID is the stable id of a resource made from statement n: from n's
// own ids, else from those of the statement holding it (a concern act),
// else from the content given.
func entryID(kind string, n, holder *node, content ...string) string {
	ids := n.all("id")
	if !hasUsableID(ids) {
		ids = holder.all("id")
	}
	return stableID(kind, ids, content...)
}

// hasUsableID reports whether one of ids has a root and no nullFlavor.
func hasUsableID(ids []*node) bool {
	for _, id := range ids {
		if id.attr("root") != "" && id.attr("nullFlavor") == "" {
			return true
		}
	}
	return false
}

// statusValue is the SNOMED code of a status observation's value (active
// 55561003, inactive 73425007, resolved 413322009, …) found under n with
// one of the templates, "" when there is none.
func statusValue(n *node, templates ...string) string {
	return relatedWithTemplate(n, templates...).child("value").attr("code")
}

// clinicalStatus is the FHIR clinical status of a concern's observation o
// (an allergy, a problem): from its status observation (by the templates,
// its value mapped by statuses), else resolved when it has an end date,
// else from the concern act's statusCode; "" when nothing says.
func clinicalStatus(act, o *node, statuses map[string]string, templates ...string) string {
	if status, ok := statuses[statusValue(o, templates...)]; ok {
		return status
	}
	if _, _, end := effective(o.child("effectiveTime")); end != "" {
		return "resolved"
	}
	if act == o {
		return ""
	}
	switch act.child("statusCode").attr("code") {
	case "active":
		return "active"
	case "completed", "aborted", "suspended":
		return "inactive"
	}
	return ""
}

// pointOrLow is the FHIR date or dateTime of a TS or IVL_TS: its value, else
// its low bound.
func pointOrLow(et *node) string {
	point, low, _ := effective(et)
	if point != "" {
		return point
	}
	return low
}
