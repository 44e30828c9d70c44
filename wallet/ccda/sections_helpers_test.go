package ccda

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"healthwallet/wallet/testcorpus"
)

// corpusDocument converts one document of ../shared/testdata/ccda.
func corpusDocument(t *testing.T, rel string) *Document {
	t.Helper()
	f, err := os.Open(filepath.Join(testcorpus.Dir(t, "ccda"), rel))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	d, err := Convert(f)
	if err != nil {
		t.Fatalf("%s: %v", rel, err)
	}
	return d
}

// sectionDocument converts a minimal C-CDA document holding one section.
func sectionDocument(t *testing.T, section string) *Document {
	t.Helper()
	doc := `<?xml version="1.0"?>
<ClinicalDocument xmlns="urn:hl7-org:v3" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">
  <templateId root="2.16.840.1.113883.10.20.22.1.1"/>
  <templateId root="2.16.840.1.113883.10.20.22.1.2"/>
  <id root="1.2.3" extension="doc"/>
  <code code="34133-9" codeSystem="2.16.840.1.113883.6.1"/>
  <effectiveTime value="20240102"/>
  <recordTarget><patientRole><id root="1.2.3.4" extension="p1"/>
    <patient><name><given>Test</given><family>Patient</family></name></patient>
  </patientRole></recordTarget>
  <component><structuredBody><component>` + section + `</component></structuredBody></component>
</ClinicalDocument>`
	d, err := Convert(strings.NewReader(doc))
	if err != nil {
		t.Fatal(err)
	}
	return d
}

// decodedResources decodes the document's resources of one type, in order.
func decodedResources(t *testing.T, d *Document, typ string) []map[string]any {
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
		out = append(out, m)
	}
	return out
}

// wantResources decodes the document's resources of one type and fails
// the test unless there are n.
func wantResources(t *testing.T, d *Document, typ string, n int) []map[string]any {
	t.Helper()
	rs := decodedResources(t, d, typ)
	if len(rs) != n {
		t.Fatalf("%d %s, want %d", len(rs), typ, n)
	}
	return rs
}

// resourceWithCode is the resource among rs whose element (e.g. "code") has a
// coding with this code; it fails the test when there is none.
func resourceWithCode(t *testing.T, rs []map[string]any, element, code string) map[string]any {
	t.Helper()
	for _, r := range rs {
		codings, _ := jsonField(r, element+".coding").([]any)
		for _, c := range codings {
			if m, _ := c.(map[string]any); m["code"] == code {
				return r
			}
		}
	}
	t.Fatalf("no resource with %s code %s among %d", element, code, len(rs))
	return nil
}

// jsonField follows a dotted path ("reaction.0.severity") through decoded JSON.
func jsonField(v any, path string) any {
	for _, p := range strings.Split(path, ".") {
		switch x := v.(type) {
		case map[string]any:
			v = x[p]
		case []any:
			i, err := strconv.Atoi(p)
			if err != nil || i < 0 || i >= len(x) {
				return nil
			}
			v = x[i]
		default:
			return nil
		}
	}
	return v
}

// checkFields checks dotted paths of a resource against expected values
// (numbers as float64, as JSON decodes them).
func checkFields(t *testing.T, r map[string]any, want map[string]any) {
	t.Helper()
	for path, w := range want {
		if got := jsonField(r, path); got != w {
			t.Errorf("%s %v: %s = %v, want %v", r["resourceType"], r["id"], path, got, w)
		}
	}
}

// notConvertedIn is the NotConverted reasons of one section.
func notConvertedIn(d *Document, section string) []string {
	var out []string
	for _, s := range d.NotConverted {
		if s.Section == section {
			out = append(out, s.Reason)
		}
	}
	return out
}
