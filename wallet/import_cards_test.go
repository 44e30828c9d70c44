package wallet

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/klauspost/compress/flate"

	"healthwallet/wallet/cards"
	"healthwallet/wallet/record"
	"healthwallet/wallet/testcorpus"
)

const exampleIss = "https://spec.smarthealth.cards/examples/issuer"

// issuerSite serves the example issuer's published documents (shc/issuer)
// as cardsFetcher; failAfter > 0 makes it fail once that many fetches were
// served, as when the wallet goes offline.
type issuerSite struct {
	mu        sync.Mutex
	dir       string // shc/issuer
	extra     map[string][]byte
	fetched   int
	failAfter int
}

func (s *issuerSite) Fetch(_ context.Context, u string, limit int64) ([]byte, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.failAfter > 0 && s.fetched >= s.failAfter {
		return nil, errors.New("network unreachable")
	}
	s.fetched++
	if b, ok := s.extra[u]; ok {
		return b, nil
	}
	rel, ok := strings.CutPrefix(u, exampleIss+"/")
	if !ok || s.dir == "" {
		return nil, fmt.Errorf("%s: no such host", u)
	}
	return os.ReadFile(filepath.Join(s.dir, filepath.FromSlash(rel)))
}

// useFetcher replaces how the wallet reaches issuers for one test.
func useFetcher(t *testing.T, f cards.Fetcher) {
	old := cardsFetcher
	cardsFetcher = f
	t.Cleanup(func() { cardsFetcher = old })
}

// vciDirectory writes a directory in the VCI snapshot form listing the
// example issuer with its published keys and revocation list.
func vciDirectory(t *testing.T) string {
	issuer := testcorpus.Dir(t, "shc/issuer")
	jwks, err := os.ReadFile(filepath.Join(issuer, ".well-known", "jwks.json"))
	if err != nil {
		t.Fatal(err)
	}
	var set struct {
		Keys []json.RawMessage `json:"keys"`
	}
	if err := json.Unmarshal(jwks, &set); err != nil {
		t.Fatal(err)
	}
	var crls []json.RawMessage
	for _, p := range testcorpus.Files(t, filepath.Join(issuer, ".well-known", "crl"), ".json") {
		b, err := os.ReadFile(p)
		if err != nil {
			t.Fatal(err)
		}
		crls = append(crls, b)
	}
	doc := map[string]any{"issuerInfo": []any{map[string]any{
		"issuer": map[string]string{"iss": exampleIss, "name": "SMART example issuer"},
		"keys":   set.Keys, "crls": crls,
	}}}
	b, _ := json.Marshal(doc)
	p := filepath.Join(t.TempDir(), "vci-issuers.json")
	if err := os.WriteFile(p, b, 0o600); err != nil {
		t.Fatal(err)
	}
	return p
}

// trustingWallet is a new wallet that trusts the spec's example issuer
// (vciDirectory) and reaches its published keys (issuerSite).
func trustingWallet(t *testing.T) *Wallet {
	t.Helper()
	useFetcher(t, &issuerSite{dir: testcorpus.Dir(t, "shc/issuer")})
	w := newTestWallet(t)
	if _, err := w.TrustAdd(context.Background(), vciDirectory(t)); err != nil {
		t.Fatal(err)
	}
	return w
}

func cardByFile(t *testing.T, r ImportReport, file string) CardReport {
	t.Helper()
	for _, c := range r.Cards {
		if c.File == file {
			return c
		}
	}
	t.Fatalf("no card from %s in %+v", file, r.Cards)
	return CardReport{}
}

// Every card of the spec's examples imports, in each of its forms (JWS,
// .smart-health-card, numeric QR text — example 02's in three files), with
// as many records as its FHIR bundle has entries; the other forms of the
// same card are duplicates. With the issuer trusted (the dev tools' list of
// participating issuers) and its keys fetched, 00–02 are verified and 03 is
// caught as revoked.
func TestImportSpecCards(t *testing.T) {
	dir := testcorpus.Dir(t, "shc")
	useFetcher(t, &issuerSite{dir: testcorpus.Dir(t, "shc/issuer")})
	w := newTestWallet(t)
	ctx := context.Background()
	if _, err := w.TrustAdd(ctx, filepath.Join(testcorpus.Dir(t, "shc-devtools"), "test-issuers.json")); err != nil {
		t.Fatal(err)
	}
	var paths []string
	for _, n := range []string{"00", "01", "02", "03"} {
		paths = append(paths, filepath.Join(dir, "example-"+n+"-d-jws.txt"), filepath.Join(dir, "example-"+n+"-e-file.smart-health-card"))
		qr, _ := filepath.Glob(filepath.Join(dir, "example-"+n+"-f-qr-code-numeric-value-*.txt"))
		paths = append(paths, qr...)
	}
	r, err := w.Import(ctx, paths, nil)
	if err != nil {
		t.Fatal(err)
	}
	if len(r.Rejected) != 0 {
		t.Fatalf("rejected: %+v", r.Rejected)
	}
	total := 0
	for _, n := range []string{"00", "01", "02", "03"} {
		want := testcorpus.CountResources(t, filepath.Join(dir, "example-"+n+"-a-fhirBundle.json"))
		total += want
		c := cardByFile(t, r, "example-"+n+"-d-jws.txt")
		if c.Records != want {
			t.Errorf("example %s: %d records, its bundle has %d entries", n, c.Records, want)
		}
		if c.Issuer != exampleIss || !c.Trusted || c.Name != "SMART Health Card specification example issuer" {
			t.Errorf("example %s: issuer %q %q trusted=%v", n, c.Issuer, c.Name, c.Trusted)
		}
		if n == "03" {
			if c.SignatureValid || !c.Revoked || c.Verified || !strings.Contains(c.Problem, "revoked") {
				t.Errorf("revoked example 03: %+v", c)
			}
		} else if !c.SignatureValid || !c.Verified || c.Revoked || c.Problem != "" {
			t.Errorf("example %s not verified: %+v", n, c)
		}
		if again := cardByFile(t, r, "example-"+n+"-e-file.smart-health-card"); again.Records != 0 {
			t.Errorf("example %s imported twice: %+v", n, again)
		}
	}
	if qr := cardByFile(t, r, "example-02-f-qr-code-numeric-value-0.txt + example-02-f-qr-code-numeric-value-1.txt + example-02-f-qr-code-numeric-value-2.txt"); qr.Records != 0 || !qr.Verified {
		t.Errorf("example 02's three QR parts: %+v", qr)
	}
	if r.Imported != total || r.Duplicates != 2*total {
		t.Errorf("imported %d, duplicates %d; want %d and %d", r.Imported, r.Duplicates, total, 2*total)
	}
	// Provenance travels with each record.
	recs, err := w.Records(Query{Person: Everyone})
	if err != nil {
		t.Fatal(err)
	}
	if len(recs) != total {
		t.Fatalf("%d records listed, want %d", len(recs), total)
	}
	revoked := 0
	for _, rec := range recs {
		s := rec.Source
		if s == nil || s.Kind != record.SourceCard || s.Issuer != exampleIss || s.CardID == "" || s.CheckedAt.IsZero() {
			t.Fatalf("record %s: source %+v", rec.ID, s)
		}
		if s.Revoked {
			revoked++
		}
	}
	if want := testcorpus.CountResources(t, filepath.Join(dir, "example-03-a-fhirBundle.json")); revoked != want {
		t.Errorf("%d records marked revoked, want %d", revoked, want)
	}
	// Re-importing is a duplicate, card by card.
	again, err := w.Import(ctx, paths[:2], nil)
	if err != nil || again.Imported != 0 || again.Duplicates != 2*testcorpus.CountResources(t, filepath.Join(dir, "example-00-a-fhirBundle.json")) {
		t.Errorf("re-import: %+v, %v", again, err)
	}
}

// The issuer's keys and revocation list carried by a VCI directory verify
// cards with no network at all; the revoked one is still caught.
func TestImportCardsFromDirectoryOffline(t *testing.T) {
	dir := testcorpus.Dir(t, "shc")
	site := &issuerSite{}
	useFetcher(t, site) // knows no host
	w := newTestWallet(t)
	ctx := context.Background()
	d, err := w.TrustAdd(ctx, vciDirectory(t))
	if err != nil || d.Issuers != 1 {
		t.Fatalf("TrustAdd = %+v, %v", d, err)
	}
	r, err := w.Import(ctx, []string{filepath.Join(dir, "example-00-e-file.smart-health-card"), filepath.Join(dir, "example-03-e-file.smart-health-card")}, nil)
	if err != nil {
		t.Fatal(err)
	}
	if c := r.Cards[0]; !c.Verified || c.Name != "SMART example issuer" {
		t.Errorf("00: %+v", c)
	}
	if c := r.Cards[1]; c.Verified || !c.Revoked {
		t.Errorf("03: %+v", c)
	}
	if site.fetched != 0 {
		t.Errorf("%d fetches; the directory carried everything", site.fetched)
	}
}

// An issuer nobody trusts is never verified, even when its signature holds;
// when its keys cannot be had either, both reasons are given. The records
// are imported, unverified.
func TestImportCardUnknownIssuer(t *testing.T) {
	dir := testcorpus.Dir(t, "shc")
	file := filepath.Join(dir, "example-00-d-jws.txt")
	for _, tc := range []struct {
		name     string
		site     *issuerSite
		sigValid bool
		problem  string
	}{
		{"keys fetched", &issuerSite{dir: testcorpus.Dir(t, "shc/issuer")}, true, "not in a directory of issuers you trust"},
		{"keys unreachable", &issuerSite{}, false, "could not be fetched"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			useFetcher(t, tc.site)
			w := newTestWallet(t)
			r, err := w.Import(context.Background(), []string{file}, nil)
			if err != nil || len(r.Cards) != 1 {
				t.Fatalf("%+v, %v", r, err)
			}
			c := r.Cards[0]
			if c.Verified || c.Trusted || c.SignatureValid != tc.sigValid || !strings.Contains(c.Problem, tc.problem) ||
				!strings.Contains(c.Problem, "not in a directory of issuers you trust") || c.Records == 0 {
				t.Errorf("%+v", c)
			}
			// The app shows this text too: it names no command of hw.
			if strings.Contains(c.Problem, "hw ") || !strings.Contains(c.Problem, "add the issuer's directory to your trusted issuers") {
				t.Errorf("problem text is not tool-neutral: %q", c.Problem)
			}
		})
	}
}

// signCard makes a card as an issuer would: payload deflated, ES256 over
// the compact JWS with kid the key's thumbprint.
func signCard(t *testing.T, key *ecdsa.PrivateKey, kid string, payload []byte) string {
	t.Helper()
	var z strings.Builder
	fw, _ := flate.NewWriter(&z, flate.BestCompression)
	fw.Write(payload)
	fw.Close()
	enc := base64.RawURLEncoding
	signing := enc.EncodeToString([]byte(`{"alg":"ES256","zip":"DEF","kid":"`+kid+`"}`)) + "." + enc.EncodeToString([]byte(z.String()))
	h := sha256.Sum256([]byte(signing))
	r, s, err := ecdsa.Sign(rand.Reader, key, h[:])
	if err != nil {
		t.Fatal(err)
	}
	sig := make([]byte, 64)
	r.FillBytes(sig[:32])
	s.FillBytes(sig[32:])
	return signing + "." + enc.EncodeToString(sig)
}

func thumbprint(pub *ecdsa.PublicKey) (kid, x, y string) {
	b, _ := pub.Bytes()
	enc := base64.RawURLEncoding
	x, y = enc.EncodeToString(b[1:33]), enc.EncodeToString(b[33:])
	tp := sha256.Sum256([]byte(`{"crv":"P-256","kty":"EC","x":"` + x + `","y":"` + y + `"}`))
	return enc.EncodeToString(tp[:]), x, y
}

// Forged cards claiming the trusted example issuer are never verified: a
// flipped signature byte, a kid the issuer does not publish, a stranger's
// key signing the example's payload.
func TestImportForgedCards(t *testing.T) {
	dir := testcorpus.Dir(t, "shc")
	useFetcher(t, &issuerSite{dir: testcorpus.Dir(t, "shc/issuer")})
	jwsBytes, err := os.ReadFile(filepath.Join(dir, "example-00-d-jws.txt"))
	if err != nil {
		t.Fatal(err)
	}
	jws := strings.TrimSpace(string(jwsBytes))
	payload, err := os.ReadFile(filepath.Join(dir, "example-00-c-jws-payload-minified.json"))
	if err != nil {
		t.Fatal(err)
	}
	stranger, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	strangerKid, _, _ := thumbprint(&stranger.PublicKey)
	flipped := []byte(jws)
	last := len(flipped) - 5
	flipped[last] = map[bool]byte{true: 'B', false: 'A'}[flipped[last] == 'A']
	exampleKid := "3Kfdg-XwP-7gXyywtUfUADwBumDOPKMQx-iELL11W9s"
	_ = exampleKid
	forged := map[string]string{
		"flipped.txt":  string(flipped),
		"stranger.txt": signCard(t, stranger, strangerKid, payload),
		"wrongkid.txt": signCard(t, stranger, "EBKOr72QQDcTBUuVzAzkfBTGew0ZA16GuWty64nS-sw", payload),
	}
	tmp := t.TempDir()
	var paths []string
	for name, text := range forged {
		p := filepath.Join(tmp, name)
		os.WriteFile(p, []byte(text), 0o600)
		paths = append(paths, p)
	}
	w := newTestWallet(t)
	if _, err := w.TrustAdd(context.Background(), vciDirectory(t)); err != nil {
		t.Fatal(err)
	}
	r, err := w.Import(context.Background(), paths, nil)
	if err != nil {
		t.Fatal(err)
	}
	if len(r.Cards) != len(forged) {
		t.Fatalf("cards %+v, rejected %+v", r.Cards, r.Rejected)
	}
	for _, c := range r.Cards {
		if c.Verified || c.SignatureValid || !c.Trusted || c.Problem == "" {
			t.Errorf("%s: %+v", c.File, c)
		}
	}
}

// Keys fetched once verify later cards offline: the issuer is unreachable
// after the first fetch, a day has passed (the keys are stale), and the card
// still verifies from the kept keys.
func TestCardsVerifyOfflineFromCache(t *testing.T) {
	dir := testcorpus.Dir(t, "shc")
	site := &issuerSite{dir: testcorpus.Dir(t, "shc/issuer"), failAfter: 2} // the JWKS and 00's key has no CRL; 03's CRL
	useFetcher(t, site)
	w := newTestWallet(t)
	ctx := context.Background()
	if _, err := w.TrustAdd(ctx, filepath.Join(testcorpus.Dir(t, "shc-devtools"), "test-issuers.json")); err != nil {
		t.Fatal(err)
	}
	r, err := w.Import(ctx, []string{filepath.Join(dir, "example-03-d-jws.txt")}, nil)
	if err != nil || len(r.Cards) != 1 || !r.Cards[0].Revoked {
		t.Fatalf("online: %+v, %v", r.Cards, err)
	}
	if site.fetched != 2 {
		t.Fatalf("%d fetches, want the JWKS and the CRL", site.fetched)
	}
	defer func(old func() time.Time) { now = old }(now)
	now = func() time.Time { return time.Now().Add(48 * time.Hour) }
	r, err = w.Import(ctx, []string{filepath.Join(dir, "example-00-d-jws.txt"), filepath.Join(dir, "example-03-d-jws.txt")}, nil)
	if err != nil || len(r.Cards) != 2 {
		t.Fatalf("offline: %+v, %v", r, err)
	}
	if !r.Cards[0].Verified {
		t.Errorf("offline, 00 not verified from the kept keys: %+v", r.Cards[0])
	}
	if r.Cards[1].Verified || !r.Cards[1].Revoked {
		t.Errorf("offline, 03 not caught from the kept revocation list: %+v", r.Cards[1])
	}
}

// Removing the issuer from trust makes its next card unverified.
func TestTrustRemove(t *testing.T) {
	useFetcher(t, &issuerSite{dir: testcorpus.Dir(t, "shc/issuer")})
	w := newTestWallet(t)
	ctx := context.Background()
	dirFile := vciDirectory(t)
	if _, err := w.TrustAdd(ctx, dirFile); err != nil {
		t.Fatal(err)
	}
	dirs, issuers, err := w.TrustList()
	if err != nil || len(dirs) != 1 || dirs[0].Source != dirFile || len(issuers) != 1 || issuers[0].Iss != exampleIss || issuers[0].KeysAt.IsZero() {
		t.Fatalf("TrustList = %+v %+v %v", dirs, issuers, err)
	}
	if err := w.TrustRemove(exampleIss); err != nil {
		t.Fatal(err)
	}
	if err := w.TrustRemove(exampleIss); err == nil {
		t.Error("removing it twice succeeded")
	}
	r, err := w.Import(ctx, []string{filepath.Join(testcorpus.Dir(t, "shc"), "example-00-d-jws.txt")}, nil)
	if err != nil || len(r.Cards) != 1 || r.Cards[0].Trusted || r.Cards[0].Verified || !r.Cards[0].SignatureValid {
		t.Fatalf("%+v, %v", r.Cards, err)
	}
}

// Pasted text: a card's numeric QR text and its JWS; the same card pasted
// twice is a duplicate.
func TestImportTextCard(t *testing.T) {
	dir := testcorpus.Dir(t, "shc")
	w := trustingWallet(t)
	ctx := context.Background()
	qr, _ := os.ReadFile(filepath.Join(dir, "example-01-f-qr-code-numeric-value-0.txt"))
	r, err := w.ImportText(ctx, string(qr), "")
	want := testcorpus.CountResources(t, filepath.Join(dir, "example-01-a-fhirBundle.json"))
	if err != nil || len(r.Cards) != 1 || !r.Cards[0].Verified || r.Imported != want || len(r.Files) != 1 || r.Files[0].Kind != FileCard {
		t.Fatalf("%+v, %v", r, err)
	}
	jws, _ := os.ReadFile(filepath.Join(dir, "example-01-d-jws.txt"))
	if r, err := w.ImportText(ctx, string(jws), ""); err != nil || r.Duplicates != want || r.Imported != 0 {
		t.Fatalf("again: %+v, %v", r, err)
	}
	if r, _ := w.ImportText(ctx, "hello", ""); len(r.Rejected) != 1 {
		t.Errorf("plain text: %+v", r)
	}
}

// The dev tools' card files, all in one import: each is imported or refused
// with its reason, and the rest goes on; none is verified but the spec's
// example card they carry (and none at all whose issuer is not trusted).
func TestImportDevToolsCards(t *testing.T) {
	dir := testcorpus.Dir(t, "shc-devtools")
	useFetcher(t, &issuerSite{dir: testcorpus.Dir(t, "shc/issuer")})
	w := newTestWallet(t)
	ctx := context.Background()
	if _, err := w.TrustAdd(ctx, vciDirectory(t)); err != nil {
		t.Fatal(err)
	}
	var paths []string
	for _, p := range testcorpus.Files(t, dir, ".txt", ".smart-health-card", ".wrong-extension", ".png", ".jpg") {
		base := filepath.Base(p)
		if strings.HasPrefix(base, "test-example-") || strings.HasPrefix(base, "jws-crl-") {
			paths = append(paths, p)
		}
	}
	// Refused outright: nothing of a card can be read.
	refused := map[string]string{
		"test-example-00-d-jws-der-signature.txt":                                 "64-byte",
		"test-example-00-d-jws-no_deflate.txt":                                    "payload",
		"test-example-00-d-jws-no_jws_header_alg.txt":                             "alg",
		"test-example-00-d-jws-no_jws_header_kid.txt":                             "kid",
		"test-example-00-d-jws-no_jws_header_zip.txt":                             "zip",
		"test-example-00-e-file-invalid_deflate.smart-health-card":                "payload",
		"test-example-00-e-file-invalid_issuer_url_http.smart-health-card":        "is not https",
		"test-example-00-e-file-issuer_url_with_trailing_slash.smart-health-card": "ends with '/'",
		"test-example-00-f-qr-code-numeric-value-0-odd-count.txt":                 "odd number of digits",
		"test-example-00-f-qr-code-numeric-value-0-number-too-big.txt":            "over the largest allowed",
		"test-example-00-f-qr-code-numeric-value-0-wrong_qr_header.txt":           "starts with shc:/",
	}
	r, err := w.Import(ctx, paths, nil)
	if err != nil {
		t.Fatal(err)
	}
	if len(r.Files) != len(paths) {
		t.Fatalf("%d files reported for %d given", len(r.Files), len(paths))
	}
	for _, f := range r.Files {
		base := filepath.Base(f.File)
		want, mustRefuse := refused[base]
		switch {
		case mustRefuse && (f.Kind != FileRejected || !strings.Contains(f.Problem, want)):
			t.Errorf("%s: %s %q; want refused for %q", base, f.Kind, f.Problem, want)
		case f.Kind == FileRejected && f.Problem == "":
			t.Errorf("%s refused with no reason", base)
		}
		t.Logf("%-75s %-9s %d %s", base, f.Kind, f.Records, f.Problem)
	}
	for _, c := range r.Cards {
		if c.Verified && (c.Issuer != exampleIss || !c.SignatureValid) {
			t.Errorf("%s verified: %+v", c.File, c)
		}
		if strings.Contains(c.File, "invalid-signature") || strings.Contains(c.File, "kid-mismatch") || strings.Contains(c.File, "wrong_jws_header_kid") || strings.Contains(c.File, "bad_jwks") {
			if c.Verified || c.SignatureValid {
				t.Errorf("%s: forged card verified: %+v", c.File, c)
			}
		}
	}
}

// A card imported while its issuer was unknown, then again once the patient
// trusts the issuer, is not a silent duplicate that keeps "not trusted": its
// records get a new version whose provenance says verified, and no record is
// doubled. A third import, nothing having changed, is a duplicate.
func TestReimportCardAfterTrust(t *testing.T) {
	dir := testcorpus.Dir(t, "shc")
	useFetcher(t, &issuerSite{dir: testcorpus.Dir(t, "shc/issuer")})
	w := newTestWallet(t)
	ctx := context.Background()
	file := []string{filepath.Join(dir, "example-00-e-file.smart-health-card")}
	want := testcorpus.CountResources(t, filepath.Join(dir, "example-00-a-fhirBundle.json"))

	first, err := w.Import(ctx, file, nil)
	if err != nil || len(first.Cards) != 1 || first.Cards[0].Verified || first.Cards[0].Trusted || first.Imported != want {
		t.Fatalf("first import: %+v, %v", first, err)
	}
	if _, err := w.TrustAdd(ctx, vciDirectory(t)); err != nil {
		t.Fatal(err)
	}
	second, err := w.Import(ctx, file, nil)
	if err != nil || len(second.Cards) != 1 {
		t.Fatalf("second import: %+v, %v", second, err)
	}
	if c := second.Cards[0]; !c.Verified || c.Records != want || c.Problem != "" {
		t.Errorf("second import's card: %+v", c)
	}
	if second.Imported != 0 || second.Versions != want || second.Duplicates != 0 {
		t.Errorf("second import: imported %d, versions %d, duplicates %d; want 0, %d, 0", second.Imported, second.Versions, second.Duplicates, want)
	}
	recs, err := w.Records(Query{})
	if err != nil {
		t.Fatal(err)
	}
	if len(recs) != want {
		t.Fatalf("%d records listed, want %d (no duplicates)", len(recs), want)
	}
	for _, rec := range recs {
		s := rec.Source
		if s == nil || !s.Trusted || !s.SignatureValid || s.Revoked || s.IssuerName != "SMART example issuer" || s.Problem != "" || rec.Version != 2 {
			t.Errorf("record %s version %d: source %+v, want version 2 verified", rec.ID, rec.Version, s)
		}
	}
	third, err := w.Import(ctx, file, nil)
	if err != nil || third.Imported != 0 || third.Versions != 0 || third.Duplicates != want {
		t.Errorf("third import: %+v, %v", third, err)
	}
}
