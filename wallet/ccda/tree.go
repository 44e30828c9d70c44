package ccda

import (
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"strings"
)

// Limits on what a document may be.
const (
	MaxDocumentSize = 64 << 20 // bytes
	maxDepth        = 256
	maxNodes        = 2_000_000
)

var (
	// ErrNotCCDA is wrapped when the file is XML but not a C-CDA document.
	ErrNotCCDA = errors.New("not a C-CDA document")
	// ErrMalformed is wrapped when the file is broken XML or a C-CDA
	// document too damaged to read.
	ErrMalformed = errors.New("malformed C-CDA document")
)

// node is one XML element: its local name, attributes by local name (the
// xsi:type attribute is kept as "xsi:type"), its child elements and its own
// character data.
type node struct {
	name     string
	attrs    map[string]string
	children []*node
	text     string
}

const xsiNamespace = "http://www.w3.org/2001/XMLSchema-instance"

// parse reads one XML document into a tree, refusing more than
// MaxDocumentSize bytes, maxDepth levels or maxNodes elements.
func parse(r io.Reader) (*node, error) {
	lr := &io.LimitedReader{R: r, N: MaxDocumentSize + 1}
	dec := xml.NewDecoder(lr)
	dec.Strict = true
	dec.CharsetReader = func(charset string, in io.Reader) (io.Reader, error) {
		switch strings.ToLower(charset) {
		case "utf-8", "us-ascii", "ascii", "iso-8859-1", "latin1", "windows-1252":
			return in, nil // close enough for the ASCII that C-CDA markup is; text keeps its bytes
		}
		return nil, fmt.Errorf("character set %q is not supported", charset)
	}
	var root *node
	var stack []*node
	var texts []*strings.Builder // the character data of each open element
	count := 0
	for {
		tok, err := dec.Token()
		if err == io.EOF {
			break
		}
		if err != nil {
			if lr.N <= 0 {
				return nil, fmt.Errorf("%w: over %d MB", ErrMalformed, MaxDocumentSize>>20)
			}
			return nil, fmt.Errorf("%w: broken XML: %v", ErrMalformed, err)
		}
		switch t := tok.(type) {
		case xml.StartElement:
			count++
			if count > maxNodes {
				return nil, fmt.Errorf("%w: over %d elements", ErrMalformed, maxNodes)
			}
			if len(stack) >= maxDepth {
				return nil, fmt.Errorf("%w: elements nested over %d deep", ErrMalformed, maxDepth)
			}
			n := &node{name: t.Name.Local, attrs: make(map[string]string, len(t.Attr))}
			for _, a := range t.Attr {
				key := a.Name.Local
				if a.Name.Space == xsiNamespace || a.Name.Space == "xsi" {
					key = "xsi:" + key
				}
				n.attrs[key] = a.Value
			}
			if len(stack) == 0 {
				if root != nil {
					return nil, fmt.Errorf("%w: more than one root element", ErrMalformed)
				}
				root = n
			} else {
				parent := stack[len(stack)-1]
				parent.children = append(parent.children, n)
			}
			stack = append(stack, n)
			if len(texts) < len(stack) {
				texts = append(texts, &strings.Builder{})
			}
		case xml.EndElement:
			if len(stack) > 0 {
				top := stack[len(stack)-1]
				top.text = texts[len(stack)-1].String()
				texts[len(stack)-1].Reset()
				stack = stack[:len(stack)-1]
			}
		case xml.CharData:
			// Character data comes in many pieces (around comments, CDATA
			// sections): gathered in a builder, not by repeated string
			// concatenation, which is quadratic.
			if len(stack) > 0 {
				texts[len(stack)-1].Write(t)
			}
		}
	}
	if root == nil {
		return nil, fmt.Errorf("%w: the file holds no XML element", ErrMalformed)
	}
	return root, nil
}

// child is the first child element named name, or nil. A nil node has no
// children, so calls chain: n.child("a").child("b").
func (n *node) child(name string) *node {
	if n == nil {
		return nil
	}
	for _, c := range n.children {
		if c.name == name {
			return c
		}
	}
	return nil
}

// all is every child element named name.
func (n *node) all(name string) []*node {
	if n == nil {
		return nil
	}
	var out []*node
	for _, c := range n.children {
		if c.name == name {
			out = append(out, c)
		}
	}
	return out
}

// path follows child elements by name: n.path("a", "b") = n.child("a").child("b").
func (n *node) path(names ...string) *node {
	for _, name := range names {
		n = n.child(name)
	}
	return n
}

// attr is an attribute's value, "" when absent (or n is nil).
func (n *node) attr(name string) string {
	if n == nil {
		return ""
	}
	return n.attrs[name]
}

// nullFlavored reports an element that is absent or carries a nullFlavor
// and no value.
func (n *node) nullFlavored() bool {
	return n == nil || (n.attr("nullFlavor") != "" && n.attr("code") == "" && n.attr("value") == "")
}

// hasTemplate reports whether n has a templateId with this root.
func (n *node) hasTemplate(root string) bool {
	for _, t := range n.all("templateId") {
		if t.attr("root") == root {
			return true
		}
	}
	return false
}

// innerText is the character data of n and its descendants, whitespace
// runs collapsed to one space.
func (n *node) innerText() string {
	if n == nil {
		return ""
	}
	var b strings.Builder
	var walk func(*node)
	walk = func(m *node) {
		b.WriteString(m.text)
		b.WriteByte(' ')
		for _, c := range m.children {
			walk(c)
		}
	}
	walk(n)
	return strings.Join(strings.Fields(b.String()), " ")
}

// find is every descendant element (depth first) named name.
func (n *node) find(name string) []*node {
	if n == nil {
		return nil
	}
	var out []*node
	var walk func(*node)
	walk = func(m *node) {
		for _, c := range m.children {
			if c.name == name {
				out = append(out, c)
			}
			walk(c)
		}
	}
	walk(n)
	return out
}
