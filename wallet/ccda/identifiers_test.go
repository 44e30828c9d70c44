package ccda

import (
	"strings"
	"testing"
)

// An id whose root is a UUID (C-CDA allows OID, UUID and RUID roots) is
// written as urn:uuid: in lower case; an OID root stays urn:oid:, with or
// without an extension, and a nullFlavored id makes no Identifier.
func TestIdentifiersUUIDRoot(t *testing.T) {
	doc, err := parse(strings.NewReader(`<entry xmlns="urn:hl7-org:v3">
		<id root="4ADC1020-7B14-11DB-9FE1-0800200C9A66"/>
		<id root="2.16.840.1.113883.19.5.99999.1" extension="MRN-17"/>
		<id root="cdbd33f0-6cde-11db-9fe1-0800200c9a66" extension="A-3"/>
		<id root="2.16.840.1.113883.19.5"/>
		<id nullFlavor="NI"/>
		<id root="4adc1020-7b14-11db-9fe1-0800200c9a6"/>
	</entry>`))
	if err != nil {
		t.Fatal(err)
	}
	got := identifiers(doc.all("id"))
	want := []map[string]string{
		{"system": "urn:ietf:rfc:3986", "value": "urn:uuid:4adc1020-7b14-11db-9fe1-0800200c9a66"},
		{"system": "urn:oid:2.16.840.1.113883.19.5.99999.1", "value": "MRN-17"},
		{"system": "urn:uuid:cdbd33f0-6cde-11db-9fe1-0800200c9a66", "value": "A-3"},
		{"system": "urn:ietf:rfc:3986", "value": "urn:oid:2.16.840.1.113883.19.5"},
		// one hex digit short: not a UUID, so not written as one
		{"system": "urn:ietf:rfc:3986", "value": "urn:oid:4adc1020-7b14-11db-9fe1-0800200c9a6"},
	}
	if len(got) != len(want) {
		t.Fatalf("got %d identifiers, want %d: %v", len(got), len(want), got)
	}
	for i, w := range want {
		g := got[i].(map[string]any)
		if g["system"] != w["system"] || g["value"] != w["value"] {
			t.Errorf("identifier %d = %v, want %v", i, g, w)
		}
	}
}
