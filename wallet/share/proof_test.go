package share

import (
	"bytes"
	"encoding/json"
	"errors"
	"strings"
	"testing"
)

func TestProofRoundTrip(t *testing.T) {
	f := newFixture(t)
	p, err := ParseProof(f.share.Proof)
	if err != nil {
		t.Fatal(err)
	}
	if p.ChainID != 1337 || p.Registry != testRegistry || p.Grant != f.share.Grant || !bytes.Equal(p.Signature, f.share.Signature) ||
		len(p.Records) != len(f.records) || p.ScopeRoot() != f.share.Grant.Scope {
		t.Fatalf("parsed %+v", p)
	}
	if p.Records[0].ResourceRef != "Observation/obs-0" || p.Records[1].Index != 1 {
		t.Errorf("records %+v", p.Records[:2])
	}
	b, err := p.Marshal()
	if err != nil || !bytes.Equal(b, f.share.Proof) {
		t.Errorf("re-encoding differs: %v", err)
	}
	// The proof carries no health data: no resource text appears in it.
	if bytes.Contains(f.share.Proof, []byte("Heart rate")) || bytes.Contains(f.share.Proof, []byte("final")) {
		t.Error("health data in the proof file")
	}
}

func TestParseProofRefusals(t *testing.T) {
	f := newFixture(t)
	good := string(f.share.Proof)
	var m map[string]json.RawMessage
	json.Unmarshal(f.share.Proof, &m)
	rec0 := func() string {
		var recs []json.RawMessage
		json.Unmarshal(m["records"], &recs)
		return string(recs[0])
	}()
	cases := map[string]string{
		"not json":           "{",
		"trailing data":      good + "{}",
		"version 2":          strings.Replace(good, `"v":1`, `"v":2`, 1),
		"unknown field":      strings.Replace(good, `"v":1`, `"v":1,"x":1`, 1),
		"case-folded field":  strings.Replace(good, `"chainId"`, `"chainID"`, 1),
		"duplicate field":    strings.Replace(good, `"v":1`, `"v":1,"v":1`, 1),
		"chain zero":         strings.Replace(good, `"chainId":1337`, `"chainId":0`, 1),
		"short signature":    strings.Replace(good, `"signature":"0x`, `"signature":"0x00`, 1),
		"no records":         strings.Replace(good, string(m["records"]), `[]`, 1),
		"null grant":         strings.Replace(good, string(m["grant"]), `null`, 1),
		"duplicate index":    strings.Replace(good, `"index":1,`, `"index":0,`, 1),
		"negative index":     strings.Replace(good, `"index":1,`, `"index":-1,`, 1),
		"inconsistent salt":  strings.Replace(good, rec0, flipSalt(rec0), 1),
		"missing anchorRoot": strings.Replace(good, rec0, strings.Replace(rec0, `"anchorRoot"`, `"anchorRooted"`, 1), 1),
		"bad anchor proof":   strings.Replace(good, rec0, strings.Replace(rec0, `"count":4`, `"count":0`, 1), 1),
		"huge":               `{"v":1,"records":[` + strings.Repeat(`{},`, MaxProofSize/3) + `{}]}`,
	}
	for name, text := range cases {
		if text == good {
			t.Errorf("%s: the edit did not apply", name)
			continue
		}
		_, err := ParseProof([]byte(text))
		t.Logf("%s: %.150v", name, err)
		if !errors.Is(err, ErrBadProof) {
			t.Errorf("%s: %v", name, err)
		}
	}
}

// flipSalt changes the last hex digit of a record's salt, leaving its
// commitment as it was.
func flipSalt(rec string) string {
	i := strings.Index(rec, `"salt":"0x`) + len(`"salt":"0x`) + 63
	d := byte('0')
	if rec[i] == '0' {
		d = '1'
	}
	return rec[:i] + string(d) + rec[i+1:]
}
