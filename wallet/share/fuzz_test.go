package share

import (
	"bytes"
	"context"
	"encoding/json"
	"math/big"
	"os"
	"testing"
	"time"
	"unicode/utf8"
)

// Bytes from strangers: links, manifests, encrypted files, proof files and
// grants must be refused with an error, never crash, and anything accepted
// must be self-consistent.

func FuzzParseLink(f *testing.F) {
	f.Add(specBare)
	f.Add(specViewer)
	f.Add("https://demo.vaxx.link/viewer#shlink:/eyJ1cmwiOiJodHRwOi8vbG9jYWxob3N0OjgwOTAvRVJuMThsNGxMM181eVBYTVN6eDNaZWp5TU1fWEllV2VzZVhhM0RYc0pEMCIsImZsYWciOiJQIiwia2V5IjoidjdTakVmMm9DNG5iYmtyaEpKMVZBc25wNFFhQW1yendJVlF0eEdNN0FJYyIsImxhYmVsIjoiU2FtcGxlIFNldCAxIiwiZXhwIjoxNzA0MDk2MDAwfQ")
	f.Add(payloadLink(`{"url":"https://r.example/m","key":"` + specKey + `","flag":"LPU","exp":1e300,"v":2}`))
	f.Add("shlink:/")
	f.Add("#shlink:/e30")
	f.Fuzz(func(t *testing.T, s string) {
		l, err := ParseLink(s)
		if err != nil {
			return
		}
		if utf8.RuneCountInString(l.URL) > MaxURLLength || utf8.RuneCountInString(l.Label) > MaxLabelLength ||
			(l.Has(FlagPasscode) && l.Has(FlagDirect)) {
			t.Fatalf("accepted a link beyond the limits: %+v", l)
		}
		// What we print parses back to the same link.
		back, err := ParseLink(l.String())
		if err != nil {
			t.Fatalf("String() of an accepted link does not parse: %v", err)
		}
		if back.URL != l.URL || back.Key != l.Key || back.Flags != l.Flags || back.Label != l.Label || back.V != l.V || back.Exp.Unix() != l.Exp.Unix() {
			t.Fatalf("round trip: %+v → %+v", l, back)
		}
	})
}

func FuzzManifestJSON(f *testing.F) {
	f.Add([]byte(`{"files":[{"contentType":"application/smart-health-card","location":"http://localhost:8090/shl/05pHiEfsMU1kLb9-oTVknO4VUB9oP6Ot4ET46cjJFzU"},{"contentType":"application/fhir+json","embedded":"a.b.c.d.e","lastUpdated":"2025-03-09T15:29:46Z","status":"finalized","fhirVersion":"4.0.1"}]}`))
	f.Add([]byte(`{"list":{"resourceType":"List"},"files":[]}`))
	f.Add([]byte(`{"files":null}`))
	f.Add([]byte(`[]`))
	f.Fuzz(func(t *testing.T, data []byte) {
		doc, err := ParseManifest(data)
		if err != nil {
			return
		}
		for _, e := range doc.Files {
			if e.ContentType == "" || (e.Embedded == "" && e.Location == "") {
				t.Fatalf("accepted an entry without content type or content: %+v", e)
			}
		}
	})
}

func FuzzDecryptFile(f *testing.F) {
	key := testKey(5)
	good, _ := EncryptFile([]byte(`{"resourceType":"Patient"}`), key, ContentTypeFHIR)
	f.Add(good)
	if spec, err := os.ReadFile("testdata/spec-example.jwe"); err == nil {
		f.Add(string(spec))
	}
	f.Add(sealJWE(f, `{"alg":"dir","enc":"A256GCM","zip":"DEF"}`, []byte{0x01, 0x00, 0x00, 0xff, 0xff}, key))
	f.Add("....")
	f.Fuzz(func(t *testing.T, jwe string) {
		pt, _, err := DecryptFile(jwe, key)
		if err == nil && len(pt) > MaxFileSize {
			t.Fatalf("%d bytes returned", len(pt))
		}
	})
}

func FuzzParseProof(f *testing.F) {
	fx := newFixture(f)
	f.Add(fx.share.Proof)
	f.Add([]byte(`{"v":1}`))
	withCard := bytes.Clone(fx.share.Proof[:len(fx.share.Proof)-1])
	f.Add(append(withCard, []byte(`,"card":"hwcard:x","network":{"name":"Riverside","url":"https://r.example#fp=00"}}`)...))
	f.Add([]byte(`{"v":1,"chainId":1,"registry":"0x0000000000000000000000000000000000000001","grant":{},"signature":"0x","records":[]}`))
	// A delegate's share: the proof carries the patient's signed scope.
	d := fx.delegate(mustKey(f, "caregiver"), []string{DelegateRightShare}, []string{"Observation"}, nil)
	if pf, err := ParseProof(fx.share.Proof); err == nil {
		pf.Delegation = &d
		if b, err := pf.Marshal(); err == nil {
			f.Add(b)
		}
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		p, err := ParseProof(data)
		if err != nil {
			return
		}
		// An accepted proof file re-encodes and parses to the same.
		b, err := p.Marshal()
		if err != nil {
			t.Fatalf("accepted proof does not marshal: %v", err)
		}
		q, err := ParseProof(b)
		if err != nil || q.Grant != p.Grant || len(q.Records) != len(p.Records) || q.Card != p.Card || (q.Network == nil) != (p.Network == nil) ||
			(q.Delegation == nil) != (p.Delegation == nil) {
			t.Fatalf("round trip: %v", err)
		}
	})
}

// FuzzGrant decodes a grant and a signature from stranger bytes and
// verifies them; recovery never panics, and a signature made for a grant
// verifies only for that grant.
func FuzzGrant(f *testing.F) {
	p := mustKey(f, "patient")
	g := sampleGrant(p.addr)
	gj, _ := json.Marshal(g)
	sig, _ := SignGrant(g, p.key, testChainID, testRegistry)
	f.Add(gj, sig, uint64(1337))
	f.Add([]byte(`{}`), []byte{}, uint64(0))
	f.Fuzz(func(t *testing.T, grantJSON, sigBytes []byte, chain uint64) {
		var fg Grant
		if err := json.Unmarshal(grantJSON, &fg); err != nil {
			return
		}
		signer, err := RecoverGrantSigner(fg, sigBytes, new(big.Int).SetUint64(chain), testRegistry)
		if err != nil {
			return
		}
		if signer == p.addr && (fg != g || chain != 1337) {
			t.Fatalf("the patient's signature verifies for another grant or chain: %+v on %d", fg, chain)
		}
	})
}

// FuzzVerify runs the whole receiver over a stranger's files: never a
// panic, never Verified.
func FuzzVerify(f *testing.F) {
	fx := newFixture(f)
	f.Add(fx.share.Bundle, fx.share.Proof)
	f.Add([]byte(`{"resourceType":"Bundle","entry":[{"resource":{}}]}`), []byte(`{}`))
	// A caregiver's share, carrying the patient's signed scope.
	caregiver := mustKey(f, "caregiver")
	d := fx.delegate(caregiver, []string{DelegateRightShare}, []string{"Observation"}, nil)
	if s, err := BuildShare(ShareRequest{Records: fx.records, Key: fx.key, Patient: fx.patient.addr, Signer: caregiver.key, Delegation: &d,
		PurposeCode: "TREAT", NotBefore: fx.now.Add(-time.Minute), Expiry: fx.now.Add(time.Hour), ChainID: testChainID, Registry: testRegistry}); err == nil {
		f.Add(s.Bundle, s.Proof)
	}
	chain := newFakeChain(time.Unix(1_750_000_000, 0))
	f.Fuzz(func(t *testing.T, bundle, proof []byte) {
		r := Verify(context.Background(), VerifyInput{
			Link:  Link{URL: "https://relay.example/x", Key: [32]byte{9}},
			Files: []File{{ContentType: ContentTypeFHIR, Plaintext: bundle}, {ContentType: ContentTypeProof, Plaintext: proof}},
			Now:   time.Unix(1_750_000_000, 0), Chain: chain, ExpectChainID: testChainID, ExpectRegistry: testRegistry,
		})
		if r.Verified {
			t.Fatal("a stranger's files verified against an empty chain")
		}
	})
}
