package share

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/ethereum/go-ethereum/common"

	"healthwallet/wallet/testcorpus"
)

// SyntheaResources returns the first n resources (compact JSON) of the
// Synthea patients in ../shared/testdata/synthea, files in name order: real
// records of realistic size, as many as a large share holds. Exported for
// the jose interop test (package share_test).
func SyntheaResources(t testing.TB, n int) [][]byte {
	t.Helper()
	dir := testcorpus.Dir(t, "synthea")
	files, err := filepath.Glob(filepath.Join(dir, "*.json"))
	if err != nil {
		t.Fatal(err)
	}
	slices.Sort(files)
	var out [][]byte
	for _, name := range files {
		raw, err := os.ReadFile(name)
		if err != nil {
			t.Fatal(err)
		}
		var b struct {
			Entry []struct {
				Resource json.RawMessage `json:"resource"`
			} `json:"entry"`
		}
		if err := json.Unmarshal(raw, &b); err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		for _, e := range b.Entry {
			var c bytes.Buffer
			if err := json.Compact(&c, e.Resource); err != nil {
				t.Fatal(err)
			}
			if out = append(out, c.Bytes()); len(out) == n {
				return out
			}
		}
	}
	testcorpus.Missing(t, fmt.Sprintf("%d Synthea resources (found %d)", n, len(out)), "restore ../shared/testdata/synthea (see its README)")
	return nil
}

// jweHeaderOf decodes a compact JWE's protected header.
func jweHeaderOf(t testing.TB, jwe string) map[string]string {
	t.Helper()
	hb, err := base64.RawURLEncoding.DecodeString(strings.SplitN(jwe, ".", 2)[0])
	if err != nil {
		t.Fatal(err)
	}
	var h map[string]string
	if err := json.Unmarshal(hb, &h); err != nil {
		t.Fatal(err)
	}
	return h
}

// bigResource is a DocumentReference carrying an attachment of n bytes of
// base64: one record larger than a file may inflate to.
func bigResource(id string, n int) []byte {
	return fmt.Appendf(nil, `{"resourceType":"DocumentReference","id":%q,"status":"current","content":[{"attachment":{"contentType":"application/pdf","data":%q}}]}`,
		id, strings.Repeat("JVBERi0xLjQK", n/12))
}

// entriesOf returns a collection Bundle's resources, failing on anything else.
func entriesOf(t testing.TB, bundle []byte) []json.RawMessage {
	t.Helper()
	entries, isBundle, err := bundleEntries(bundle)
	if err != nil || !isBundle {
		t.Fatalf("not a Bundle (%v): %.80s", err, bundle)
	}
	return entries
}

// SplitBundles keeps records whole and in order, fills each file up to
// MaxInflatedFile and never beyond (unless a single record is larger, alone
// in its file), respects the file count, and never cuts a document.
func TestSplitBundles(t *testing.T) {
	var resources [][]byte
	for i := range 3000 {
		resources = append(resources, testResource(i))
	}
	// A record larger than a file's limit, in the middle.
	huge := bigResource("scan", MaxInflatedFile+10_000)
	resources = slices.Insert(resources, 1500, huge)

	bundles, err := SplitBundles(nil, resources, 31)
	if err != nil {
		t.Fatal(err)
	}
	if len(bundles) < 3 {
		t.Fatalf("%d files; want the records split", len(bundles))
	}
	var got [][]byte
	for i, b := range bundles {
		entries := entriesOf(t, b)
		if len(b) > MaxInflatedFile && !(len(entries) == 1 && bytes.Equal(entries[0], huge)) {
			t.Errorf("file %d: %d bytes holding %d records; at most %d unless one record alone", i, len(b), len(entries), MaxInflatedFile)
		}
		if bytes.Contains(b, huge) && len(entries) != 1 {
			t.Errorf("file %d: the record larger than the limit shares its file with %d others", i, len(entries)-1)
		}
		// Filled up: the next file's first record would not have fitted.
		if i+1 < len(bundles) && len(b) <= MaxInflatedFile {
			next := entriesOf(t, bundles[i+1])[0]
			if len(b)+len(`,{"resource":}`)+len(next) <= MaxInflatedFile {
				t.Errorf("file %d (%d bytes) had room for the next record (%d bytes)", i, len(b), len(next))
			}
		}
		for _, e := range entries {
			got = append(got, e)
		}
	}
	if !slices.EqualFunc(got, resources, bytes.Equal) {
		t.Fatalf("the files' records (%d) are not the records in order (%d)", len(got), len(resources))
	}

	// Fewer files allowed than the limit needs: fuller files, still whole
	// records in order.
	few, err := SplitBundles(nil, resources, 2)
	if err != nil || len(few) > 2 {
		t.Fatalf("at most 2 files: %d, %v", len(few), err)
	}
	var joined [][]byte
	for _, b := range few {
		for _, e := range entriesOf(t, b) {
			joined = append(joined, e)
		}
	}
	if !slices.EqualFunc(joined, resources, bytes.Equal) {
		t.Fatal("with 2 files, the records are not the records in order")
	}

	// A document is one Bundle, whatever its size.
	urls := make([]string, len(resources))
	for i := range urls {
		urls[i] = fmt.Sprintf("urn:uuid:00000000-0000-4000-8000-%012d", i)
	}
	doc, err := SplitBundles(&DocumentBundle{Identifier: "urn:uuid:1", Timestamp: time.Unix(0, 0), FullURLs: urls}, resources, 31)
	if err != nil || len(doc) != 1 {
		t.Fatalf("a document became %d files (%v)", len(doc), err)
	}
}

// EncryptFile compresses what inflates within MaxInflatedFile and sends
// anything larger uncompressed; both open with DecryptFile.
func TestEncryptFileCompressesOnlyWithinJoseLimit(t *testing.T) {
	key := testKey(3)
	for _, n := range []int{100, MaxInflatedFile, MaxInflatedFile + 1, 3 * JoseMaxInflated} {
		pt := bytes.Repeat([]byte("a"), n)
		jwe, err := EncryptFile(pt, key, ContentTypeFHIR)
		if err != nil {
			t.Fatal(err)
		}
		zip, compressed := jweHeaderOf(t, jwe)["zip"]
		if want := n <= MaxInflatedFile; compressed != want || (compressed && zip != "DEF") {
			t.Errorf("%d bytes: zip %q (present %v); want compressed %v", n, zip, compressed, want)
		}
		got, _, err := DecryptFile(jwe, key)
		if err != nil || !bytes.Equal(got, pt) {
			t.Errorf("%d bytes: round trip: %d bytes, %v", n, len(got), err)
		}
	}
}

// syntheaFixture is a patient who anchored n real Synthea records in two
// batches and shares them all.
func syntheaFixture(t testing.TB, n int) *fixture {
	t.Helper()
	f := &fixture{t: t, now: time.Unix(1_750_000_000, 0).UTC(), patient: mustKey(t, "patient")}
	f.chain = newFakeChain(f.now)
	res := SyntheaResources(t, n)
	f.records = append(anchorBatch(t, f.chain, f.patient.addr, res[:n/3]), anchorBatch(t, f.chain, f.patient.addr, res[n/3:])...)
	var err error
	if f.key, err = NewKey(); err != nil {
		t.Fatal(err)
	}
	start := time.Now()
	f.share = f.build(f.patient, common.Hash{})
	t.Logf("built a share of %d records in %v", n, time.Since(start).Round(time.Millisecond))
	f.chain.issue(f.share.Digest, f.patient.addr, f.patient.addr, f.share.Grant.Expiry)
	f.link = Link{URL: "https://relay.example/shl/abc", Key: f.key, Exp: f.now.Add(time.Hour), Label: "500 records"}
	return f
}

// A 500-record share of real Synthea records: several FHIR files, each
// within jose's limit, one proof file; the receiver verifies it with every
// record, in order. It logs the figures reported for the issue.
func TestSplitShareVerified(t *testing.T) {
	f := syntheaFixture(t, 500)
	s := f.share
	if len(s.Files) != len(s.Bundles)+1 || len(s.Bundles) < 2 {
		t.Fatalf("%d files for %d Bundles; want several Bundles and one proof", len(s.Files), len(s.Bundles))
	}
	var sizes []string
	for i, ef := range s.Files {
		pt, cty, err := DecryptFile(ef.JWE, f.key[:])
		if err != nil {
			t.Fatal(err)
		}
		_, compressed := jweHeaderOf(t, ef.JWE)["zip"]
		if compressed && len(pt) > MaxInflatedFile {
			t.Errorf("file %d (%s) inflates to %d bytes, beyond %d", i, cty, len(pt), MaxInflatedFile)
		}
		if want := ContentTypeFHIR; i == len(s.Files)-1 {
			if cty != ContentTypeProof {
				t.Errorf("the last file is %s; want the proof", cty)
			}
		} else if cty != want {
			t.Errorf("file %d is %s; want %s", i, cty, want)
		}
		sizes = append(sizes, fmt.Sprintf("%s %d B plaintext, %d B JWE, compressed %v", cty, len(pt), len(ef.JWE), compressed))
	}
	t.Logf("500 records (%d bytes as one Bundle) → %d files:\n  %s", len(s.Bundle), len(s.Files), strings.Join(sizes, "\n  "))

	r := Verify(context.Background(), f.input(f.files(s)))
	assertVerified(t, r)
	if len(r.Records) != 500 || len(r.Uncovered) != 0 {
		t.Fatalf("%d records, %d uncovered; want 500 and 0", len(r.Records), len(r.Uncovered))
	}
	for i, rec := range f.records {
		if !bytes.Equal(r.Records[i], rec.Resource) {
			t.Fatalf("record %d is not the shared record %d: the order was lost", i, i)
		}
	}
	if !bytes.Equal(s.Bundle, mustBundle(t, f.records)) {
		t.Error("Share.Bundle is not the one Bundle of all the records")
	}
}

func mustBundle(t testing.TB, records []SharedRecord) []byte {
	t.Helper()
	res := make([][]byte, len(records))
	for i, r := range records {
		res[i] = r.Resource
	}
	b, err := BundleJSON(nil, res)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// What a relay can do to a split share's files (it cannot read or alter
// them, they are encrypted) gets what verify.go says of any share: a file
// served twice shows its records as second copies and the share is not
// Verified; a file dropped is records not received; a second proof file is
// files added, nothing covered; reordered files change only the order.
func TestSplitShareRelayAttacks(t *testing.T) {
	f := syntheaFixture(t, 500)
	files := f.files(f.share)
	proof := files[len(files)-1]
	bundles := files[:len(files)-1]
	ctx := context.Background()

	t.Run("a file served twice", func(t *testing.T) {
		dup := slices.Concat(bundles, []File{bundles[1], proof})
		r := Verify(ctx, f.input(dup))
		c := assertFailed(t, r, CheckCovered)
		if !strings.Contains(c.Detail, "a second copy") || len(r.Records) != 500 || len(r.Uncovered) != len(entriesOf(t, bundles[1].Plaintext)) {
			t.Fatalf("%d records, %d uncovered: %s", len(r.Records), len(r.Uncovered), c.Detail)
		}
	})
	t.Run("a file dropped", func(t *testing.T) {
		dropped := slices.Concat(bundles[:1], bundles[2:], []File{proof})
		r := Verify(ctx, f.input(dropped))
		assertFailed(t, r, CheckCommitments)
		if want := 500 - len(entriesOf(t, bundles[1].Plaintext)); len(r.Records) != want {
			t.Fatalf("%d records; want the %d received", len(r.Records), want)
		}
	})
	t.Run("a second proof file", func(t *testing.T) {
		r := Verify(ctx, f.input(slices.Concat(bundles, []File{proof, proof})))
		assertFailed(t, r, CheckProofPresent)
		if len(r.Records) != 0 || len(r.Uncovered) != 500 {
			t.Fatalf("%d records covered, %d uncovered; want none covered", len(r.Records), len(r.Uncovered))
		}
	})
	t.Run("the proof moved to the front, files reversed", func(t *testing.T) {
		reordered := []File{proof}
		for i := len(bundles) - 1; i >= 0; i-- {
			reordered = append(reordered, bundles[i])
		}
		r := Verify(ctx, f.input(reordered))
		assertVerified(t, r)
		want := make([]json.RawMessage, len(f.records))
		for i, rec := range f.records {
			want[i] = rec.Resource
		}
		if !slices.Equal(canonicalSet(t, r.Records), canonicalSet(t, want)) {
			t.Fatal("reordered files: not the shared records")
		}
	})
}

// BenchmarkBuildShare500 builds a share of 500 Synthea records: commitments,
// anchor proof checks, the grant's signature, the Bundles cut to jose's
// limit, compression and encryption. It reports the files and their bytes.
func BenchmarkBuildShare500(b *testing.B) {
	f := &fixture{t: b, now: time.Now(), patient: mustKey(b, "patient")}
	f.chain = newFakeChain(f.now)
	f.records = anchorBatch(b, f.chain, f.patient.addr, SyntheaResources(b, 500))
	var err error
	if f.key, err = NewKey(); err != nil {
		b.Fatal(err)
	}
	var s *Share
	for b.Loop() {
		s = f.build(f.patient, common.Hash{})
	}
	total := 0
	for _, ef := range s.Files {
		total += len(ef.JWE)
	}
	b.ReportMetric(float64(len(s.Files)), "files")
	b.ReportMetric(float64(total), "JWE-bytes")
}
