package care

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"testing"

	"healthwallet/wallet/share"
)

// largeCopy is a care copy of 900 records (about 1 MB of FHIR JSON), built
// and decrypted, with the records in the order the patient sent them.
func largeCopy(t *testing.T) (*fixture, Copy) {
	t.Helper()
	f := newFixture(t)
	var resources []string
	for i := range 900 {
		resources = append(resources, fmt.Sprintf(`{"resourceType":"Observation","id":"obs-%d","status":"final","code":{"text":"Heart rate"},"valueQuantity":{"value":%d,"unit":"/min"},"note":[{"text":%q}]}`,
			i, 60+i%40, strings.Repeat("measured at rest ", 60)))
	}
	f.records = f.anchor(resources...)
	s := f.scope([]string{"view"})
	f.onChain(s)
	b, err := BuildCopy(CopyRequest{Records: f.records, Scope: f.sign(s), Key: f.key, ChainID: testChainID, Registry: testRegistry, Updated: f.now})
	if err != nil {
		t.Fatal(err)
	}
	if len(b.Bundles) < 2 || len(b.Files) != len(b.Bundles)+1 {
		t.Fatalf("%d Bundles in %d files; want the records split", len(b.Bundles), len(b.Files))
	}
	for i, ef := range b.Files {
		pt, _, err := share.DecryptFile(ef.JWE, f.key[:])
		if err != nil {
			t.Fatal(err)
		}
		if len(pt) > share.MaxInflatedFile && compressed(t, ef.JWE) {
			t.Errorf("file %d inflates to %d bytes, beyond jose's limit", i, len(pt))
		}
	}
	return f, f.decrypt(b.Files)
}

// compressed reports whether a compact JWE's protected header has zip.
func compressed(t *testing.T, jwe string) bool {
	t.Helper()
	hb, err := base64.RawURLEncoding.DecodeString(jwe[:strings.IndexByte(jwe, '.')])
	var h struct{ Zip string }
	if err != nil || json.Unmarshal(hb, &h) != nil {
		t.Fatalf("a JWE header that does not decode: %v", err)
	}
	return h.Zip != ""
}

// A copy too large for one file comes in several Bundles and verifies, every
// record paired with its own proof.
func TestVerifySplitCopy(t *testing.T) {
	f, c := largeCopy(t)
	v, err := VerifyCopy(context.Background(), c, f.chain)
	if err != nil {
		t.Fatal(err)
	}
	if len(v.Records) != len(f.records) {
		t.Fatalf("%d records; want %d", len(v.Records), len(f.records))
	}
	for i, r := range v.Records {
		if !bytes.Equal(r.Resource, compact(t, f.records[i].Resource)) || r.Proof.Salt != f.records[i].Salt {
			t.Fatalf("record %d is not the patient's record %d with its proof", i, i)
		}
	}
}

func compact(t *testing.T, raw []byte) []byte {
	t.Helper()
	var b bytes.Buffer
	if err := json.Compact(&b, raw); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

// What a relay can do to a split copy's files: serve one twice, drop one or
// add an empty Bundle — refused; reorder them — verified, each record still
// with its own proof.
func TestVerifySplitCopyRelayAttacks(t *testing.T) {
	ctx := context.Background()
	f, c := largeCopy(t)
	bundles, proof := c.Files[:len(c.Files)-1], c.Files[len(c.Files)-1]
	with := func(files ...share.File) Copy {
		d := c
		d.Files = files
		return d
	}
	_, err := VerifyCopy(ctx, with(slices.Concat(bundles, []share.File{bundles[0], proof})...), f.chain)
	refusedBy(t, err, CheckRecordsCommitted)
	_, err = VerifyCopy(ctx, with(slices.Concat(bundles[1:], []share.File{proof})...), f.chain)
	refusedBy(t, err, CheckRecordsCommitted)
	empty := share.File{ContentType: share.ContentTypeFHIR, Plaintext: []byte(`{"resourceType":"Bundle","type":"collection","entry":[]}`)}
	_, err = VerifyCopy(ctx, with(slices.Concat(bundles, []share.File{empty, proof})...), f.chain)
	refusedBy(t, err, CheckCopyFiles)

	reversed := []share.File{proof}
	for i := len(bundles) - 1; i >= 0; i-- {
		reversed = append(reversed, bundles[i])
	}
	v, err := VerifyCopy(ctx, with(reversed...), f.chain)
	if err != nil {
		t.Fatalf("reordered files: %v", err)
	}
	if len(v.Records) != len(f.records) {
		t.Fatalf("%d records; want %d", len(v.Records), len(f.records))
	}
	bySalt := map[[32]byte][]byte{}
	for _, r := range f.records {
		bySalt[r.Salt] = compact(t, r.Resource)
	}
	for i, r := range v.Records {
		if !bytes.Equal(bySalt[r.Proof.Salt], r.Resource) {
			t.Fatalf("reordered files: record %d is paired with another record's proof", i)
		}
	}
}
