package share

import (
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"healthwallet/wallet/record"
	"healthwallet/wallet/testcorpus"
)

// Finding 1 of issue 7: whoever holds a link can serve its files again with
// more files encrypted under the same key. Every record received is either
// covered by the patient's consent (its commitment in the signed grant's
// scope, once) and shown as the share's content, or listed apart as not
// covered, and the share is then not Verified.

// forgedRecord is what an attacker adds: a lone resource, not a Bundle.
var forgedRecord = json.RawMessage(`{"resourceType":"Condition","id":"forged","code":{"text":"Forged diagnosis"}}`)

func fhirFile(b []byte) File { return File{ContentType: ContentTypeFHIR, Plaintext: b} }

func bundleOf(resources ...json.RawMessage) []byte {
	var entries []map[string]json.RawMessage
	for _, r := range resources {
		entries = append(entries, map[string]json.RawMessage{"resource": r})
	}
	return mustJSON(map[string]any{"resourceType": "Bundle", "type": "collection", "entry": entries})
}

// canonicalSet is the records as sorted canonical JSON, to compare sets.
func canonicalSet(t *testing.T, recs []json.RawMessage) []string {
	t.Helper()
	var out []string
	for _, r := range recs {
		c, err := record.Canonical(r)
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, string(c))
	}
	slices.Sort(out)
	return out
}

// assertSplit wants the report not verified, its coverage check failed, the
// genuine records (exactly covered) as Records and exactly uncovered apart.
func assertSplit(t *testing.T, r Report, covered, uncovered []json.RawMessage) {
	t.Helper()
	assertFailed(t, r, CheckCovered)
	if got, want := canonicalSet(t, r.Records), canonicalSet(t, covered); !slices.Equal(got, want) {
		t.Errorf("records shown as covered:\n%q\nwant\n%q", got, want)
	}
	if got, want := canonicalSet(t, r.UncoveredResources()), canonicalSet(t, uncovered); !slices.Equal(got, want) {
		t.Errorf("records shown apart:\n%q\nwant\n%q", got, want)
	}
	for _, u := range r.Uncovered {
		if u.Reason == "" || u.Source == "" {
			t.Errorf("an uncovered record without its reason or source: %+v", u)
		}
	}
}

func (f *fixture) genuine() []json.RawMessage {
	var out []json.RawMessage
	for _, r := range f.records {
		out = append(out, r.Resource)
	}
	return out
}

func TestVerifyCoverage(t *testing.T) {
	ctx := context.Background()

	t.Run("a lone resource added", func(t *testing.T) {
		f := newFixture(t)
		r := Verify(ctx, f.input(append(f.files(f.share), fhirFile(forgedRecord))))
		assertSplit(t, r, f.genuine(), raws(forgedRecord))
		if !strings.Contains(r.Uncovered[0].Reason, "not among the records the patient consented") {
			t.Errorf("reason %q", r.Uncovered[0].Reason)
		}
		// Nothing else failed: the genuine records stay checked.
		if failed := r.Failed(); len(failed) != 1 {
			t.Errorf("failed %+v; want only %q", failed, CheckCovered)
		}
	})
	t.Run("a second Bundle added, with a copy of a genuine record", func(t *testing.T) {
		f := newFixture(t)
		r := Verify(ctx, f.input(append(f.files(f.share), fhirFile(bundleOf(forgedRecord, f.records[1].Resource)))))
		assertSplit(t, r, f.genuine(), raws(forgedRecord, f.records[1].Resource))
	})
	t.Run("the forged Bundle first", func(t *testing.T) {
		f := newFixture(t)
		files := append([]File{fhirFile(bundleOf(forgedRecord))}, f.files(f.share)...)
		assertSplit(t, Verify(ctx, f.input(files)), f.genuine(), raws(forgedRecord))
	})
	t.Run("a second proof file", func(t *testing.T) {
		// The patient's own proof twice, or a proof of anyone's: with two,
		// neither is the consent, and no record is covered.
		f := newFixture(t)
		files := f.files(f.share)
		for _, fl := range files {
			if fl.ContentType == ContentTypeProof {
				files = append(files, fl)
				break
			}
		}
		files = append(files, fhirFile(forgedRecord))
		r := Verify(ctx, f.input(files))
		assertFailed(t, r, CheckProofPresent)
		assertSplit(t, r, nil, append(f.genuine(), forgedRecord))
	})
	t.Run("a second proof of another share of the patient", func(t *testing.T) {
		// A second genuine share's proof and Bundle: each proof would cover
		// its own Bundle, but a share has one consent.
		f := newFixture(t)
		other := anchorBatch(t, f.chain, f.patient.addr, [][]byte{forgedRecord})
		f2 := *f
		f2.records = other
		s2 := f2.build(f.patient, [32]byte{})
		files := append(f.files(f.share), f.files(s2)...)
		r := Verify(ctx, f.input(files))
		assertFailed(t, r, CheckProofPresent)
		assertSplit(t, r, nil, append(f.genuine(), forgedRecord))
	})
	t.Run("files reordered", func(t *testing.T) {
		f := newFixture(t)
		files := f.files(f.share)
		slices.Reverse(files)
		r := Verify(ctx, f.input(files))
		assertVerified(t, r)
		if len(r.Records) != len(f.records) || len(r.Uncovered) != 0 {
			t.Errorf("%d records, %d uncovered", len(r.Records), len(r.Uncovered))
		}
	})
	t.Run("the Bundle file twice", func(t *testing.T) {
		// Not counted twice, nothing hidden: one copy covered, the other
		// apart.
		f := newFixture(t)
		files := f.files(f.share)
		files = append(files, files[0])
		if files[0].ContentType != ContentTypeFHIR {
			t.Fatalf("the share's first file is %s", files[0].ContentType)
		}
		r := Verify(ctx, f.input(files))
		assertSplit(t, r, f.genuine(), f.genuine())
		for _, u := range r.Uncovered {
			if !strings.Contains(u.Reason, "second copy") {
				t.Errorf("reason %q", u.Reason)
			}
		}
	})
	t.Run("a record twice in the Bundle", func(t *testing.T) {
		// Two entries match one commitment: one is covered.
		f := newFixture(t)
		files := replaceBundle(f.files(f.share), func(e []json.RawMessage) []json.RawMessage { return append(e, e[0]) })
		assertSplit(t, Verify(ctx, f.input(files)), f.genuine(), raws(f.records[0].Resource))
	})
	t.Run("a genuine record again as a lone resource", func(t *testing.T) {
		f := newFixture(t)
		r := Verify(ctx, f.input(append(f.files(f.share), fhirFile(f.records[3].Resource))))
		assertSplit(t, r, f.genuine(), raws(f.records[3].Resource))
	})
	t.Run("entries reordered in the Bundle", func(t *testing.T) {
		// The same records in another order: each still matches its own
		// commitment, nothing is added.
		f := newFixture(t)
		files := replaceBundle(f.files(f.share), func(e []json.RawMessage) []json.RawMessage {
			slices.Reverse(e)
			return e
		})
		assertVerified(t, Verify(ctx, f.input(files)))
	})
	t.Run("a proof covering a subset of what was received", func(t *testing.T) {
		f := newFixture(t)
		files := replaceBundle(f.files(f.share), func(e []json.RawMessage) []json.RawMessage { return append(e, forgedRecord) })
		assertSplit(t, Verify(ctx, f.input(files)), f.genuine(), raws(forgedRecord))
	})
	t.Run("a record removed", func(t *testing.T) {
		f := newFixture(t)
		files := replaceBundle(f.files(f.share), func(e []json.RawMessage) []json.RawMessage { return e[1:] })
		r := Verify(ctx, f.input(files))
		c := assertFailed(t, r, CheckCommitments)
		if !strings.Contains(c.Detail, "altered or removed") {
			t.Errorf("detail %q", c.Detail)
		}
		if len(r.Records) != len(f.records)-1 || len(r.Uncovered) != 0 {
			t.Errorf("%d records, %d uncovered", len(r.Records), len(r.Uncovered))
		}
	})
	t.Run("a signature not the issuer's", func(t *testing.T) {
		// The proof is not the patient's consent: nothing is covered.
		f := newFixture(t)
		files := replaceProof(t, f.files(f.share), func(p *ProofFile) { p.Signature = mustSign(t, f.share.Digest, mustKey(t, "stranger")) })
		r := Verify(ctx, f.input(files))
		assertFailed(t, r, CheckSignature)
		assertSplit(t, r, nil, f.genuine())
	})
	for _, ct := range []string{ContentTypeAPIAccess, "application/pdf", "text/plain", ""} {
		t.Run("a file of type "+ct, func(t *testing.T) {
			f := newFixture(t)
			r := Verify(ctx, f.input(append(f.files(f.share), File{ContentType: ct, Plaintext: forgedRecord})))
			c := assertFailed(t, r, CheckRecordsReadable)
			if !strings.Contains(c.Detail, "is not shown") {
				t.Errorf("detail %q", c.Detail)
			}
			for _, rec := range append(r.Records, r.UncoveredResources()...) {
				if strings.Contains(string(rec), "forged") {
					t.Errorf("the %q file's content is shown: %s", ct, rec)
				}
			}
		})
	}
	t.Run("a SMART Health Card mixed in", func(t *testing.T) {
		// A card its issuer signed: checked, and its own kind of evidence,
		// but not the patient's consent.
		f := newFixture(t)
		dir := testcorpus.Dir(t, "shc")
		jws, err := os.ReadFile(filepath.Join(dir, "example-00-d-jws.txt"))
		if err != nil {
			t.Fatal(err)
		}
		in := f.input(append(f.files(f.share), File{ContentType: ContentTypeSHC,
			Plaintext: mustJSON(map[string]any{"verifiableCredential": []string{strings.TrimSpace(string(jws))}})}))
		in.CardKeys = DirResolver{"https://spec.smarthealth.cards/examples/issuer": filepath.Join(dir, "issuer")}
		r := Verify(ctx, in)
		if c, ok := r.Find(CheckSHC); !ok || !c.OK || len(r.Cards) != 1 {
			t.Fatalf("the card was not verified: %+v", r.Checks)
		}
		entries, _, err := bundleEntries(r.Cards[0].Bundle)
		if err != nil || len(entries) == 0 {
			t.Fatalf("the card's bundle: %v", err)
		}
		assertSplit(t, r, f.genuine(), entries)
		for _, u := range r.Uncovered {
			if !strings.Contains(u.Reason, "SMART Health Card") || !strings.Contains(u.Source, "spec.smarthealth.cards") {
				t.Errorf("uncovered %s: %q", u.Source, u.Reason)
			}
		}
	})
}

func raws(rs ...json.RawMessage) []json.RawMessage { return rs }
