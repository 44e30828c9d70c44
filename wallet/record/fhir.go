package record

import (
	"bytes"
	"encoding/json"
	"math"
	"strconv"
	"strings"
	"time"
)

// This file reads FHIR JSON loosely: every accessor accepts any shape and
// answers the zero value when the shape is not what FHIR says. Summaries are
// built from outside data, so a wrong type in one field must cost that field,
// never the record and never a panic.

type object = map[string]any

// decodeObject parses raw into a generic object, keeping numbers as their
// original text (json.Number) so that "40.894" stays "40.894".
func decodeObject(raw []byte) object {
	d := json.NewDecoder(bytes.NewReader(raw))
	d.UseNumber()
	var v any
	if err := d.Decode(&v); err != nil {
		return nil
	}
	m, _ := v.(object)
	return m
}

func obj(v any, key string) object {
	m, _ := v.(object)
	if m == nil {
		return nil
	}
	o, _ := m[key].(object)
	return o
}

func arr(v any, key string) []any {
	m, _ := v.(object)
	if m == nil {
		return nil
	}
	a, _ := m[key].([]any)
	return a
}

// objs returns the objects of an array field; a single object (a common
// mistake, or a 0..1 field) counts as an array of one.
func objs(v any, key string) []object {
	m, _ := v.(object)
	if m == nil {
		return nil
	}
	switch x := m[key].(type) {
	case []any:
		out := make([]object, 0, len(x))
		for _, e := range x {
			if o, ok := e.(object); ok {
				out = append(out, o)
			}
		}
		return out
	case object:
		return []object{x}
	}
	return nil
}

func first(v any, key string) object {
	if os := objs(v, key); len(os) > 0 {
		return os[0]
	}
	return nil
}

func str(v any, key string) string {
	m, _ := v.(object)
	if m == nil {
		return ""
	}
	return scalar(m[key])
}

// scalar renders a JSON scalar as text; objects and arrays give "".
func scalar(v any) string {
	switch x := v.(type) {
	case string:
		return strings.TrimSpace(x)
	case json.Number:
		return x.String()
	case bool:
		if x {
			return "yes"
		}
		return "no"
	case float64:
		return strconv.FormatFloat(x, 'f', -1, 64)
	}
	return ""
}

// codings returns the codings of a CodeableConcept.
func codings(cc object) []Code {
	var out []Code
	for _, c := range objs(cc, "coding") {
		code := Code{System: str(c, "system"), Code: str(c, "code"), Display: str(c, "display")}
		if code != (Code{}) {
			out = append(out, code)
		}
	}
	return out
}

// conceptText is what a person calls a CodeableConcept: its text, else the
// first coding's display, else the first code.
func conceptText(cc object) string {
	if cc == nil {
		return ""
	}
	if t := str(cc, "text"); t != "" {
		return t
	}
	cs := codings(cc)
	for _, c := range cs {
		if c.Display != "" {
			return c.Display
		}
	}
	for _, c := range cs {
		if d := knownDisplay(c); d != "" {
			return d
		}
	}
	for _, c := range cs {
		if c.Code != "" {
			return c.Code
		}
	}
	return ""
}

// conceptsText joins the texts of an array of CodeableConcepts.
func conceptsText(v any, key string) string {
	var parts []string
	for _, cc := range objs(v, key) {
		if t := conceptText(cc); t != "" {
			parts = appendUnique(parts, t)
		}
	}
	return strings.Join(parts, ", ")
}

// codeText gives a readable form of a bare code ("high", "vital-signs").
func codeText(code string) string {
	return strings.ReplaceAll(code, "-", " ")
}

// statusText is the code of a status CodeableConcept (Condition.clinicalStatus).
func statusText(cc object) string {
	for _, c := range codings(cc) {
		if c.Code != "" {
			return c.Code
		}
	}
	return strings.ToLower(conceptText(cc))
}

func referenceDisplay(ref object) string {
	if d := str(ref, "display"); d != "" {
		return d
	}
	return ""
}

// quantity renders a Quantity (or Money, Age, Duration…): "7.2 mmol/L".
func quantity(q object) string {
	if q == nil {
		return ""
	}
	v := str(q, "value")
	if v == "" {
		return ""
	}
	cmp := str(q, "comparator")
	unit := str(q, "unit")
	if unit == "" {
		unit = str(q, "code")
	}
	if u, ok := ucumDisplay[unit]; ok {
		unit = u
	}
	if unit == "" {
		unit = str(q, "currency")
	}
	if unit == "" || strings.HasPrefix(unit, "{") {
		return cmp + v
	}
	if unit == "%" {
		return cmp + v + "%"
	}
	return cmp + v + " " + unit
}

// ucumDisplay spells common UCUM unit codes the way people write them.
var ucumDisplay = map[string]string{
	"Cel": "°C", "[degF]": "°F", "mm[Hg]": "mmHg", "[lb_av]": "lb", "[in_i]": "in",
	"/min": "/min", "{beats}/min": "beats/min", "{breaths}/min": "breaths/min",
	"kg/m2": "kg/m²", "[oz_av]": "oz", "[ft_i]": "ft",
}

func money(m object) string {
	v := str(m, "value")
	if v == "" {
		return ""
	}
	// Amounts come out of floating point sums (112.41600000000001): show cents.
	if f, err := strconv.ParseFloat(v, 64); err == nil && !math.IsInf(f, 0) && !math.IsNaN(f) {
		v = strconv.FormatFloat(f, 'f', 2, 64)
	}
	if c := str(m, "currency"); c != "" {
		return v + " " + c
	}
	return v
}

func rangeText(r object) string {
	lo, hi := quantity(obj(r, "low")), quantity(obj(r, "high"))
	switch {
	case lo != "" && hi != "":
		// "3.1 mmol/L–6.2 mmol/L" reads worse than "3.1–6.2 mmol/L".
		ll, lu, _ := strings.Cut(lo, " ")
		hl, hu, _ := strings.Cut(hi, " ")
		if lu == hu {
			if lu == "" {
				return ll + "–" + hl
			}
			return ll + "–" + hl + " " + lu
		}
		return lo + "–" + hi
	case lo != "":
		return "≥ " + lo
	case hi != "":
		return "≤ " + hi
	}
	return ""
}

func humanName(n object) string {
	if n == nil {
		return ""
	}
	if t := str(n, "text"); t != "" {
		return t
	}
	var parts []string
	for _, p := range arr(n, "prefix") {
		if s := scalar(p); s != "" {
			parts = append(parts, s)
		}
	}
	for _, g := range arr(n, "given") {
		if s := scalar(g); s != "" {
			parts = append(parts, s)
		}
	}
	if f := str(n, "family"); f != "" {
		parts = append(parts, f)
	}
	for _, p := range arr(n, "suffix") {
		if s := scalar(p); s != "" {
			parts = append(parts, s)
		}
	}
	return strings.Join(parts, " ")
}

// bestName picks the official name, else the usual one, else the first.
func bestName(res object) string {
	names := objs(res, "name")
	for _, use := range []string{"official", "usual", ""} {
		for _, n := range names {
			if use != "" && str(n, "use") != use {
				continue
			}
			if s := humanName(n); s != "" {
				return s
			}
		}
	}
	if s := str(res, "name"); s != "" { // Organization, Location: name is a string
		return s
	}
	return ""
}

func addressText(a object) string {
	if a == nil {
		return ""
	}
	if t := str(a, "text"); t != "" {
		return t
	}
	var parts []string
	for _, l := range arr(a, "line") {
		if s := scalar(l); s != "" {
			parts = append(parts, s)
		}
	}
	for _, k := range []string{"city", "state", "postalCode", "country"} {
		if s := str(a, k); s != "" {
			parts = append(parts, s)
		}
	}
	return strings.Join(parts, ", ")
}

// stripTags turns narrative XHTML into plain text, whitespace collapsed.
func stripTags(s string) string {
	var b strings.Builder
	inTag := false
	for _, r := range s {
		switch {
		case r == '<':
			inTag = true
			b.WriteByte(' ')
		case r == '>':
			inTag = false
		case !inTag:
			b.WriteRune(r)
		}
	}
	t := b.String()
	t = strings.NewReplacer("&amp;", "&", "&lt;", "<", "&gt;", ">", "&quot;", `"`, "&#39;", "'", "&nbsp;", " ", "&apos;", "'").Replace(t)
	return strings.Join(strings.Fields(t), " ")
}

func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	cut := 0
	for i := range s {
		if i > n {
			break
		}
		cut = i
	}
	s = s[:cut]
	if sp := strings.LastIndexByte(s, ' '); sp > n/2 {
		s = s[:sp]
	}
	return s + "…"
}

func appendUnique(list []string, s string) []string {
	for _, x := range list {
		if x == s {
			return list
		}
	}
	return append(list, s)
}

// ParseDate parses a FHIR date, dateTime or instant, including the partial
// forms YYYY and YYYY-MM (which mean the start of that year or month) and a
// dateTime without seconds or zone. It reports false for anything else.
func ParseDate(s string) (time.Time, bool) {
	s = strings.TrimSpace(s)
	if len(s) < 4 {
		return time.Time{}, false
	}
	layouts := [...]string{
		time.RFC3339Nano,
		"2006-01-02T15:04:05.999999999",
		"2006-01-02T15:04Z07:00",
		"2006-01-02T15:04",
		"2006-01-02",
		"2006-01",
		"2006",
	}
	for _, l := range layouts {
		if t, err := time.Parse(l, s); err == nil {
			if t.Year() < 1 || t.Year() > 9999 {
				return time.Time{}, false
			}
			return t, true
		}
	}
	return time.Time{}, false
}

// dateOf returns the first parseable date among the given fields. A field
// name with a dot reads a Period (or similar) inside: "effectivePeriod.start".
func dateOf(res object, fields ...string) time.Time {
	for _, f := range fields {
		var s string
		if outer, inner, ok := strings.Cut(f, "."); ok {
			s = str(obj(res, outer), inner)
		} else {
			s = str(res, f)
		}
		if s == "" {
			continue
		}
		if t, ok := ParseDate(s); ok {
			return t
		}
	}
	return time.Time{}
}

// dayText renders a FHIR date for reading, keeping its precision.
func dayText(s string) string {
	t, ok := ParseDate(s)
	if !ok {
		return s
	}
	switch len(strings.TrimSpace(s)) {
	case 4:
		return t.Format("2006")
	case 7:
		return t.Format("Jan 2006")
	}
	return t.Format("2 Jan 2006")
}

func periodText(p object) string {
	start, end := str(p, "start"), str(p, "end")
	switch {
	case start != "" && end != "" && dayText(start) == dayText(end):
		return dayText(start)
	case start != "" && end != "":
		return dayText(start) + " – " + dayText(end)
	case start != "":
		return "from " + dayText(start)
	case end != "":
		return "until " + dayText(end)
	}
	return ""
}
