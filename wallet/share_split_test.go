package wallet

import (
	"context"
	"path/filepath"
	"slices"
	"testing"
	"time"

	"healthwallet/wallet/share"
	"healthwallet/wallet/testcorpus"
)

// A share of 500+ real Synthea records goes through the wallet API and a
// real relay as several FHIR files (each within what jose opens) and one
// proof file, and a doctor's wallet — what hw receive and the app call —
// receives it Verified with every record.
func TestShareSplitFilesVerified(t *testing.T) {
	e := newShareEnv(t)
	ctx := context.Background()
	files, err := filepath.Glob(filepath.Join(testcorpus.Dir(t, "synthea"), "*_*_*.json")) // patients, not the hospital lists
	if err != nil {
		t.Fatal(err)
	}
	slices.Sort(files)
	imported := 0
	for _, f := range files {
		rep, err := e.w.ImportWith(ctx, []string{f}, ImportOptions{Into: OwnerID}) // one person: this test is about the size
		if err != nil {
			t.Fatal(err)
		}
		if imported += rep.Imported; imported >= 500 {
			break
		}
	}
	if imported < 500 {
		t.Fatalf("imported %d Synthea records; want at least 500", imported)
	}

	start := time.Now()
	res, err := e.w.Share(ctx, ShareRequest{All: true, TTL: time.Hour, Purpose: "TREAT"})
	if err != nil || res.Problem != "" {
		t.Fatalf("Share = %+v, %v", res, err)
	}
	t.Logf("shared %d records in %v (anchoring, building, the grant's block and the upload)", res.Records, time.Since(start).Round(time.Millisecond))

	l, err := share.ParseLink(res.Link)
	if err != nil {
		t.Fatal(err)
	}
	m, err := share.Fetch(ctx, l, share.FetchOptions{Recipient: "Dr. Smith"})
	if err != nil {
		t.Fatal(err)
	}
	fhir, proofs := 0, 0
	for i, f := range m.Files {
		switch f.ContentType {
		case share.ContentTypeFHIR:
			fhir++
			if len(f.Plaintext) > share.MaxInflatedFile {
				t.Errorf("FHIR file %d is %d bytes, beyond %d", i, len(f.Plaintext), share.MaxInflatedFile)
			}
		case share.ContentTypeProof:
			proofs++
		}
	}
	if fhir < 2 || proofs != 1 {
		t.Fatalf("the relay serves %d FHIR files and %d proofs; want several and one", fhir, proofs)
	}

	got := e.doctorReceives(t, res.Link)
	mustAllOK(t, got.Report, res.Records)
}
