// Interop with files written by others: the SHL spec's worked example, the
// SMART Health Cards dev tools' SHL examples, and the spec's SMART Health
// Cards with their issuer keys. None of it is edited to make a test pass;
// there is no internet, so a local server plays each link's host, reached
// through an http.Client whose transport sends every request there.

package share

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"healthwallet/wallet/testcorpus"
)

// redirectAll is a transport that sends every request, whatever its host,
// to one test server, keeping path and query.
type redirectAll struct{ to *url.URL }

func (r redirectAll) RoundTrip(req *http.Request) (*http.Response, error) {
	req = req.Clone(req.Context())
	req.URL.Scheme, req.URL.Host = r.to.Scheme, r.to.Host
	return http.DefaultTransport.RoundTrip(req)
}

// specServer plays an SHL host over files from the corpora, per the spec:
// direct files answer GET with a recipient; manifests answer POST with a
// JSON body, checking the passcode with a lifetime limit.
type specServer struct {
	mu        sync.Mutex
	direct    map[string][]byte // path → JWE
	manifests map[string]*specManifest
	files     map[string][]byte // path → JWE, for manifest locations
	srv       *httptest.Server
}

type specManifest struct {
	passcode  string
	attempts  int
	locations []ManifestEntry
}

func newSpecServer(t *testing.T) (*specServer, *http.Client) {
	s := &specServer{direct: map[string][]byte{}, manifests: map[string]*specManifest{}, files: map[string][]byte{}}
	s.srv = httptest.NewServer(http.HandlerFunc(s.serve))
	t.Cleanup(s.srv.Close)
	u, _ := url.Parse(s.srv.URL)
	return s, &http.Client{Transport: redirectAll{u}, Timeout: 10 * time.Second}
}

func (s *specServer) serve(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if jwe, ok := s.direct[r.URL.Path]; ok && r.Method == http.MethodGet {
		if r.URL.Query().Get("recipient") == "" {
			http.Error(w, "recipient required", http.StatusBadRequest)
			return
		}
		w.Header().Set("Content-Type", "application/jose")
		w.Write(jwe)
		return
	}
	if jwe, ok := s.files[r.URL.Path]; ok && r.Method == http.MethodGet {
		w.Header().Set("Content-Type", "application/jose")
		w.Write(jwe)
		return
	}
	m, ok := s.manifests[r.URL.Path]
	if !ok || m.attempts <= 0 {
		http.NotFound(w, r)
		return
	}
	if r.Method != http.MethodPost || r.Header.Get("Content-Type") != "application/json" {
		http.Error(w, "POST application/json", http.StatusMethodNotAllowed)
		return
	}
	var body struct{ Recipient, Passcode string }
	if err := json.NewDecoder(r.Body).Decode(&body); err != nil || body.Recipient == "" {
		http.Error(w, "bad request", http.StatusBadRequest)
		return
	}
	if m.passcode != "" && body.Passcode != m.passcode {
		m.attempts--
		w.WriteHeader(http.StatusUnauthorized)
		fmt.Fprintf(w, `{"remainingAttempts":%d}`, m.attempts)
		return
	}
	w.Header().Set("Content-Type", "application/json")
	json.NewEncoder(w).Encode(ManifestDocument{Files: m.locations})
}

// The SHL spec's worked example: a viewer-prefixed LU link whose url is the
// encrypted IPS bundle itself.
func TestInteropSpecWorkedExample(t *testing.T) {
	dir := testcorpus.Dir(t, "shl-spec")
	text, err := os.ReadFile(filepath.Join(dir, "IPS_IG-bundle-01-shl.txt"))
	if err != nil {
		t.Fatal(err)
	}
	link, err := ParseLink(string(text))
	if err != nil {
		t.Fatal(err)
	}
	if link.Flags != "LU" || link.Label != "Demo SHL for IPS_IG-bundle-01" {
		t.Errorf("link %+v", link)
	}
	// The details file (whose shlink/shlinkBare keys are swapped, per the
	// corpus README) agrees on the payload.
	var details struct {
		Payload map[string]string `json:"shlinkJsonPayload"`
	}
	if b, err := os.ReadFile(filepath.Join(dir, "IPS_IG-bundle-01-shl-details.json")); err == nil && json.Unmarshal(b, &details) == nil {
		if details.Payload["url"] != link.URL || details.Payload["key"] != base64.RawURLEncoding.EncodeToString(link.Key[:]) {
			t.Errorf("details url %q; link %q", details.Payload["url"], link.URL)
		}
	}
	enc, err := os.ReadFile(filepath.Join(dir, "IPS_IG-bundle-01-enc.txt"))
	if err != nil {
		t.Fatal(err)
	}
	want, err := os.ReadFile(filepath.Join(dir, "IPS_IG-bundle-01.json"))
	if err != nil {
		t.Fatal(err)
	}
	srv, client := newSpecServer(t)
	u, _ := url.Parse(link.URL)
	srv.direct[u.Path] = enc

	m, err := Fetch(context.Background(), link, FetchOptions{Recipient: "Health Wallet interop test", HTTP: client})
	if err != nil {
		t.Fatal(err)
	}
	if len(m.Files) != 1 || m.Files[0].ContentType != ContentTypeFHIR {
		t.Fatalf("files %+v", m.Files)
	}
	if got := m.Files[0].Plaintext; len(got) != 60973 || !bytes.Equal(got, want) {
		t.Fatalf("decrypted %d bytes, want the 60,973-byte IPS bundle (equal: %v)", len(got), bytes.Equal(got, want))
	}

	// Opened as a receiver would: shown, labelled as another issuer's.
	r := Open(context.Background(), string(text), FetchOptions{Recipient: "Health Wallet interop test", HTTP: client}, VerifyInput{})
	if r.Verified || r.Source != SourceOther || len(r.Records) == 0 {
		t.Fatalf("report: verified %v, source %q, %d records, failed %+v", r.Verified, r.Source, len(r.Records), r.Failed())
	}
	if c, _ := r.Find(CheckFilesDecrypted); !c.OK {
		t.Errorf("files decrypted: %+v", c)
	}
}

// The dev tools' SHL examples: flag P (passcode 1234, a manifest of files)
// and flag U, each decrypting to SMART Health Cards of the spec's issuer.
func TestInteropDevToolsLinks(t *testing.T) {
	dir := testcorpus.Dir(t, "shc-devtools/shl-examples")
	issuerDir := testcorpus.Dir(t, "shc/issuer")
	keys := DirResolver{"https://spec.smarthealth.cards/examples/issuer": issuerDir}
	// Their exp is 2024-01-01: open them as of a day before.
	now := time.Date(2023, 12, 31, 0, 0, 0, 0, time.UTC)
	examples := testcorpus.Files(t, dir, ".json")
	if len(examples) == 0 {
		t.Fatal("no SHL examples")
	}
	for _, path := range examples {
		t.Run(filepath.Base(path), func(t *testing.T) {
			var ex struct {
				Link      string   `json:"link"`
				Passcode  string   `json:"passcode"`
				Attempts  int      `json:"attempts"`
				Segment   string   `json:"randomUrlSegment"`
				FilePaths []string `json:"filePaths"`
				JWEFiles  []string `json:"jweFiles"`
				Payload   struct {
					URL, Flag, Key, Label string
					Exp                   int64
				} `json:"payload"`
			}
			b, err := os.ReadFile(path)
			if err != nil {
				t.Fatal(err)
			}
			if err := json.Unmarshal(b, &ex); err != nil {
				t.Fatal(err)
			}
			link, err := ParseLink(ex.Link)
			if err != nil {
				t.Fatal(err)
			}
			if link.URL != ex.Payload.URL || link.Flags != ex.Payload.Flag || link.Label != ex.Payload.Label || link.Exp.Unix() != ex.Payload.Exp {
				t.Fatalf("link %+v; payload %+v", link, ex.Payload)
			}
			if _, err := Fetch(context.Background(), link, FetchOptions{Recipient: "r"}); !errors.Is(err, ErrLinkExpired) {
				t.Errorf("fetched today, after its exp: %v", err)
			}

			srv, client := newSpecServer(t)
			u, _ := url.Parse(link.URL)
			if link.Has(FlagDirect) {
				srv.direct[u.Path] = []byte(ex.JWEFiles[0])
			} else {
				m := &specManifest{passcode: ex.Passcode, attempts: ex.Attempts}
				for i, fp := range ex.FilePaths {
					srv.files["/shl/"+fp] = []byte(ex.JWEFiles[i])
					m.locations = append(m.locations, ManifestEntry{ContentType: ContentTypeSHC, Location: "http://localhost:8090/shl/" + fp})
				}
				srv.manifests[u.Path] = m

				_, err := Fetch(context.Background(), link, FetchOptions{Recipient: "r", Passcode: "0000", HTTP: client, Now: now})
				var pe *PasscodeError
				if !errors.As(err, &pe) || pe.RemainingAttempts != ex.Attempts-1 {
					t.Fatalf("wrong passcode: %v", err)
				}
			}
			fetch := FetchOptions{Recipient: "Health Wallet interop test", Passcode: ex.Passcode, HTTP: client}
			if !link.Has(FlagPasscode) {
				fetch.Passcode = ""
			}
			fetch.Now = now
			m, err := Fetch(context.Background(), link, fetch)
			if err != nil {
				t.Fatal(err)
			}
			if len(m.Files) != len(ex.JWEFiles) {
				t.Fatalf("%d files; want %d", len(m.Files), len(ex.JWEFiles))
			}
			for i, f := range m.Files {
				if f.ContentType != ContentTypeSHC {
					t.Errorf("file %d: content type %q", i, f.ContentType)
				}
				if _, err := ParseCardFile(f.Plaintext); err != nil {
					t.Errorf("file %d: %v", i, err)
				}
			}
			// The receiver's view: not ours, so not verifiable on chain;
			// each card is checked against the issuer's keys.
			r := Open(context.Background(), ex.Link, fetch, VerifyInput{Now: now, CardKeys: keys})
			if r.Verified || r.Source != SourceOther {
				t.Errorf("verified %v, source %q", r.Verified, r.Source)
			}
			for _, c := range r.Checks {
				if c.Name == CheckSHC {
					t.Logf("%s: ok=%v %s", c.Name, c.OK, c.Detail)
				}
			}
			if len(r.Cards) == 0 {
				t.Errorf("no card verified: %+v", r.Failed())
			}
		})
	}
}

// The Cards spec's examples 00–03 against the issuer's published keys.
func TestInteropSHCExamples(t *testing.T) {
	dir := testcorpus.Dir(t, "shc")
	keys := DirResolver{"https://spec.smarthealth.cards/examples/issuer": filepath.Join(dir, "issuer")}
	now := time.Now()
	for _, ex := range []struct {
		n       string
		want    error  // nil: verifies
		note    string // a finding that does not refuse
		revoked bool
	}{
		{n: "00"},
		{n: "01", note: "certificate expired on 2022-06-01"},
		{n: "02"},
		{n: "03", want: ErrCardRevoked},
	} {
		t.Run(ex.n, func(t *testing.T) {
			jws, err := os.ReadFile(filepath.Join(dir, "example-"+ex.n+"-d-jws.txt"))
			if err != nil {
				t.Fatal(err)
			}
			card, err := VerifyCard(context.Background(), string(jws), keys, now)
			if ex.want != nil {
				if !errors.Is(err, ex.want) {
					t.Fatalf("VerifyCard = %v; want %v", err, ex.want)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if card.Issuer != "https://spec.smarthealth.cards/examples/issuer" || card.Issued.Year() != 2023 {
				t.Errorf("card %+v", card)
			}
			if ex.note != "" && !strings.Contains(strings.Join(card.Notes, "; "), ex.note) {
				t.Errorf("notes %q; want %q", card.Notes, ex.note)
			}
			// The bundle is the one in the spec's minified payload.
			var payload struct {
				VC struct {
					CredentialSubject struct {
						FHIRBundle json.RawMessage `json:"fhirBundle"`
					} `json:"credentialSubject"`
				} `json:"vc"`
			}
			pb, _ := os.ReadFile(filepath.Join(dir, "example-"+ex.n+"-c-jws-payload-minified.json"))
			if err := json.Unmarshal(pb, &payload); err != nil {
				t.Fatal(err)
			}
			if !bytes.Equal(compactJSON(t, card.Bundle), compactJSON(t, payload.VC.CredentialSubject.FHIRBundle)) {
				t.Error("the card's bundle differs from the spec's payload")
			}
			// The same card as a .smart-health-card file, inside a share.
			file, _ := os.ReadFile(filepath.Join(dir, "example-"+ex.n+"-e-file.smart-health-card"))
			r := Verify(context.Background(), VerifyInput{Link: Link{URL: "https://x.example/m"}, Files: []File{{ContentType: ContentTypeSHC, Plaintext: file}}, Now: now, CardKeys: keys})
			c, ok := r.Find(CheckSHC)
			if !ok || !c.OK || !strings.Contains(c.Detail, "issuer https://spec.smarthealth.cards/examples/issuer") || len(r.Records) == 0 {
				t.Errorf("in a share: %+v, %d records", c, len(r.Records))
			}
		})
	}
	// 03 refused inside a share too, and its records are not shown.
	file, _ := os.ReadFile(filepath.Join(dir, "example-03-e-file.smart-health-card"))
	r := Verify(context.Background(), VerifyInput{Link: Link{URL: "https://x.example/m"}, Files: []File{{ContentType: ContentTypeSHC, Plaintext: file}}, Now: now, CardKeys: keys})
	if c := assertFailed(t, r, CheckSHC); !strings.Contains(c.Detail, "revoked") || len(r.Records) != 0 {
		t.Errorf("revoked card: %+v, %d records", c, len(r.Records))
	}
}

func compactJSON(t *testing.T, b []byte) []byte {
	var v any
	if err := json.Unmarshal(b, &v); err != nil {
		t.Fatal(err)
	}
	out, _ := json.Marshal(v)
	return out
}

// The dev tools' card test files, walked one by one. Where the name says a
// file is bad, it must be refused for that reason; files whose flaw is not
// a verification matter (a long JWS, stray white space, FHIR profile
// details) are accepted, as the dev tools only warn about them.
func TestInteropDevToolsCards(t *testing.T) {
	dir := testcorpus.Dir(t, "shc-devtools")
	issuer := testcorpus.Dir(t, "shc/issuer")
	const raw = "https://raw.githubusercontent.com/smart-on-fhir/health-cards-dev-tools/main/testdata/"
	keys := DirResolver{
		"https://spec.smarthealth.cards/examples/issuer":                                                issuer,
		"https://raw.githubusercontent.com/microsoft/health-cards-validation-SDK/main/testdata/badjwks": filepath.Join(dir, "badjwks"),
	}
	for _, sub := range []string{"duplicate-rid", "invalid-method", "non-base64url-rid", "too-long-rid", "version-mismatch"} {
		keys[raw+"badcrl/"+sub] = filepath.Join(dir, "badcrl", sub)
	}
	// Validation time of the dev tools' own tests (before 01's certificate
	// expired), so that time is not why a card is refused.
	now := time.Unix(1653955200, 0)
	expect := map[string]error{ // nil: accepted
		"test-example-00-d-jws-bad-fhir-metadata.txt":                             nil, // FHIR meta content: a profile matter, signature valid
		"test-example-00-d-jws-der-signature-r-neg.txt":                           ErrCardSignature,
		"test-example-00-d-jws-der-signature-rs-neg.txt":                          ErrCardSignature,
		"test-example-00-d-jws-der-signature-s-neg.txt":                           ErrCardSignature,
		"test-example-00-d-jws-der-signature.txt":                                 ErrCardSignature,
		"test-example-00-d-jws-invalid-signature.txt":                             ErrCardSignature,
		"test-example-00-d-jws-issuer-kid-mismatch.txt":                           ErrCardSignature, // no key with that kid
		"test-example-00-d-jws-issuer-not-valid-with-smart-key.txt":               ErrIssuerKeys,    // an issuer we do not know
		"test-example-00-d-jws-jws_too_long.txt":                                  ErrBadCard,       // an old-format card: iat and no nbf, wrong type
		"test-example-00-d-jws-no_deflate.txt":                                    ErrBadCard,
		"test-example-00-d-jws-no_jws_header_alg.txt":                             ErrBadCard,
		"test-example-00-d-jws-no_jws_header_kid.txt":                             ErrBadCard,
		"test-example-00-d-jws-no_jws_header_zip.txt":                             ErrBadCard,
		"test-example-00-d-jws-trailing_chars.txt":                                nil, // white space around the JWS
		"test-example-00-d-jws-utf8_bom_prefix.txt":                               ErrBadCard,
		"test-example-00-d-jws-wrong_jws_header_kid.txt":                          ErrCardSignature,
		"test-example-00-e-file-bad_jwks.smart-health-card":                       ErrIssuerKeys,
		"test-example-00-e-file-invalid_deflate.smart-health-card":                ErrBadCard,
		"test-example-00-e-file-invalid_issuer_url.smart-health-card":             ErrIssuerKeys,
		"test-example-00-e-file-invalid_issuer_url_http.smart-health-card":        ErrBadCard,
		"test-example-00-e-file-issuer_url_with_trailing_slash.smart-health-card": ErrBadCard,
		"test-example-00-e-file-jws_too_long.smart-health-card":                   ErrBadCard, // the same card
		"test-example-00-e-file-multi-jws-issues.smart-health-card":               ErrBadCard, // its first card has no alg
		"test-example-00-e-file-multi-jws.smart-health-card":                      nil,
		"test-example-00-e-file-no_deflate.smart-health-card":                     ErrBadCard,
		"test-example-00-e-file-trailing_chars.smart-health-card":                 nil,
		"test-example-00-e-file.wrong-extension":                                  nil,
		"badcrl/duplicate-rid/jws-crl-duplicate-rid.txt":                          ErrIssuerKeys,
		"badcrl/invalid-method/jws-crl-invalid-method.txt":                        ErrIssuerKeys,
		"badcrl/non-base64url-rid/jws-crl-non-base64url-rid.txt":                  ErrIssuerKeys,
		"badcrl/too-long-rid/jws-crl-too-long-rid.txt":                            ErrIssuerKeys,
		"badcrl/version-mismatch/jws-crl-version-mismatch.txt":                    ErrIssuerKeys,
	}
	// Every card file in the folder is in the table: a new one fails here
	// until someone decides what it should do.
	for _, p := range testcorpus.Files(t, dir, "-d-jws.txt", ".smart-health-card", ".wrong-extension", ".txt") {
		rel, _ := filepath.Rel(dir, p)
		base := filepath.Base(p)
		isCard := strings.Contains(base, "-d-jws") || strings.HasSuffix(base, ".smart-health-card") || strings.HasSuffix(base, ".wrong-extension") || strings.HasPrefix(base, "jws-crl-")
		if _, listed := expect[rel]; isCard && !listed {
			t.Errorf("%s is not in the table", rel)
		}
	}
	for rel, want := range expect {
		t.Run(rel, func(t *testing.T) {
			data, err := os.ReadFile(filepath.Join(dir, rel))
			if err != nil {
				t.Fatal(err)
			}
			jwss := []string{string(data)}
			if strings.HasPrefix(strings.TrimSpace(string(data)), "{") {
				if jwss, err = ParseCardFile(data); err != nil {
					t.Fatal(err)
				}
			}
			var errs []error
			for _, jws := range jwss {
				if _, err := VerifyCard(context.Background(), jws, keys, now); err != nil {
					errs = append(errs, err)
				}
			}
			err = errors.Join(errs...)
			switch {
			case want == nil && err != nil:
				t.Fatalf("refused: %v", err)
			case want != nil && !errors.Is(err, want):
				t.Fatalf("VerifyCard = %v; want %v", err, want)
			case want != nil:
				t.Logf("refused as expected: %v", err)
			}
		})
	}
}
