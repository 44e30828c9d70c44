package share

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// stubRelay is a minimal SHL server for the client's tests: one manifest
// at /m, files at /f/N, a passcode with a lifetime limit, revocation.
type stubRelay struct {
	t        *testing.T
	srv      *httptest.Server
	mu       sync.Mutex
	files    []EncryptedFile
	passcode string
	attempts int
	revoked  bool
	embed    bool
	requests atomic.Int32
	last     struct {
		method, recipient, contentType string
		body                           map[string]any
	}
}

func newStubRelay(t *testing.T, files []EncryptedFile) *stubRelay {
	r := &stubRelay{t: t, files: files, attempts: 3}
	r.srv = httptest.NewServer(http.HandlerFunc(r.serve))
	t.Cleanup(r.srv.Close)
	return r
}

func (r *stubRelay) serve(w http.ResponseWriter, req *http.Request) {
	r.requests.Add(1)
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.revoked {
		http.NotFound(w, req)
		return
	}
	switch {
	case req.URL.Path == "/m" && req.Method == http.MethodPost:
		r.last.method, r.last.contentType = req.Method, req.Header.Get("Content-Type")
		r.last.body = nil
		json.NewDecoder(req.Body).Decode(&r.last.body)
		if r.passcode != "" && r.last.body["passcode"] != r.passcode {
			if r.attempts > 0 {
				r.attempts--
			}
			if r.attempts == 0 {
				r.revoked = true
			}
			w.WriteHeader(http.StatusUnauthorized)
			fmt.Fprintf(w, `{"remainingAttempts":%d}`, r.attempts)
			return
		}
		var m ManifestDocument
		for i, f := range r.files {
			e := ManifestEntry{ContentType: f.ContentType}
			if r.embed {
				e.Embedded = f.JWE
			} else {
				e.Location = fmt.Sprintf("%s/f/%d", r.srv.URL, i)
			}
			m.Files = append(m.Files, e)
		}
		w.Header().Set("Content-Type", "application/json")
		w.Header().Set("Retry-After", "30")
		json.NewEncoder(w).Encode(m)
	case strings.HasPrefix(req.URL.Path, "/f/") && req.Method == http.MethodGet:
		var i int
		if _, err := fmt.Sscanf(req.URL.Path, "/f/%d", &i); err != nil || i >= len(r.files) {
			http.NotFound(w, req)
			return
		}
		w.Header().Set("Content-Type", "application/jose")
		io.WriteString(w, r.files[i].JWE)
	case req.URL.Path == "/direct" && req.Method == http.MethodGet:
		r.last.method, r.last.recipient = req.Method, req.URL.Query().Get("recipient")
		io.WriteString(w, r.files[0].JWE)
	default:
		http.Error(w, "no", http.StatusMethodNotAllowed)
	}
}

func (r *stubRelay) link(f *fixture, path, flags string) Link {
	l := f.link
	l.URL, l.Flags = r.srv.URL+path, flags
	return l
}

func TestFetchManifestLocationAndEmbedded(t *testing.T) {
	f := newFixture(t)
	relay := newStubRelay(t, f.share.Files)
	for _, embed := range []bool{false, true} {
		relay.embed = embed
		m, err := Fetch(context.Background(), relay.link(f, "/m", ""), FetchOptions{Recipient: "Dr Lee", EmbeddedLengthMax: 4096, Now: f.now})
		if err != nil {
			t.Fatalf("embed=%v: %v", embed, err)
		}
		if len(m.Files) != 2 || m.Files[0].ContentType != ContentTypeFHIR || m.Files[1].ContentType != ContentTypeProof ||
			string(m.Files[0].Plaintext) != string(f.share.Bundle) || m.PollAfter != 30*time.Second {
			t.Errorf("embed=%v: manifest %+v", embed, m)
		}
		b := relay.last.body
		if relay.last.contentType != "application/json" || b["recipient"] != "Dr Lee" || b["embeddedLengthMax"] != 4096.0 {
			t.Errorf("request %+v", relay.last)
		}
		if _, has := b["passcode"]; has {
			t.Error("a passcode was sent for a link without P")
		}
	}
}

func TestFetchDirect(t *testing.T) {
	f := newFixture(t)
	relay := newStubRelay(t, f.share.Files)
	m, err := Fetch(context.Background(), relay.link(f, "/direct", "U"), FetchOptions{Recipient: "Dr Lee & Co", Now: f.now})
	if err != nil {
		t.Fatal(err)
	}
	if relay.last.method != http.MethodGet || relay.last.recipient != "Dr Lee & Co" {
		t.Errorf("request %+v", relay.last)
	}
	if len(m.Files) != 1 || m.Files[0].ContentType != ContentTypeFHIR {
		t.Errorf("files %+v", m.Files)
	}
}

func TestFetchPasscode(t *testing.T) {
	f := newFixture(t)
	relay := newStubRelay(t, f.share.Files)
	relay.passcode = "1234"
	link := relay.link(f, "/m", "P")
	ctx := context.Background()

	if _, err := Fetch(ctx, link, FetchOptions{Recipient: "r", Now: f.now}); !errors.Is(err, ErrPasscodeRequired) {
		t.Fatalf("no passcode: %v", err)
	}
	if relay.requests.Load() != 0 {
		t.Fatal("a request was sent without the passcode the link needs")
	}
	_, err := Fetch(ctx, link, FetchOptions{Recipient: "r", Passcode: "0000", Now: f.now})
	var pe *PasscodeError
	if !errors.As(err, &pe) || pe.RemainingAttempts != 2 || err.Error() != "wrong passcode: 2 attempts left" {
		t.Fatalf("wrong passcode: %v", err)
	}
	if _, err := Fetch(ctx, link, FetchOptions{Recipient: "r", Passcode: "1234", Now: f.now}); err != nil {
		t.Fatalf("right passcode: %v", err)
	}
	if relay.last.body["passcode"] != "1234" {
		t.Error("passcode not sent")
	}
	Fetch(ctx, link, FetchOptions{Recipient: "r", Passcode: "1", Now: f.now})
	_, err = Fetch(ctx, link, FetchOptions{Recipient: "r", Passcode: "2", Now: f.now})
	if !errors.As(err, &pe) || pe.RemainingAttempts != 0 || !strings.Contains(err.Error(), "disabled") {
		t.Fatalf("last attempt: %v", err)
	}
	if _, err := Fetch(ctx, link, FetchOptions{Recipient: "r", Passcode: "1234", Now: f.now}); !errors.Is(err, ErrNoLongerAvailable) {
		t.Fatalf("after the limit: %v", err)
	}
}

func TestFetchRefusesExpiredLinkBeforeAsking(t *testing.T) {
	f := newFixture(t)
	relay := newStubRelay(t, f.share.Files)
	_, err := Fetch(context.Background(), relay.link(f, "/m", ""), FetchOptions{Recipient: "r", Now: f.link.Exp})
	if !errors.Is(err, ErrLinkExpired) || relay.requests.Load() != 0 {
		t.Fatalf("Fetch = %v after %d requests", err, relay.requests.Load())
	}
	l := relay.link(f, "/m", "")
	l.V = 2
	if _, err := Fetch(context.Background(), l, FetchOptions{Recipient: "r", Now: f.now}); !errors.Is(err, ErrUnsupportedVersion) {
		t.Errorf("v2: %v", err)
	}
	if _, err := Fetch(context.Background(), relay.link(f, "/m", ""), FetchOptions{Now: f.now}); err == nil {
		t.Error("no recipient: accepted")
	}
}

// statusServer answers every request with one status, header and body.
func statusServer(t *testing.T, status int, header, value, body string) *httptest.Server {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		if header != "" {
			w.Header().Set(header, value)
		}
		w.WriteHeader(status)
		io.WriteString(w, body)
	}))
	t.Cleanup(srv.Close)
	return srv
}

func TestFetchErrors(t *testing.T) {
	f := newFixture(t)
	fetch := func(srv *httptest.Server, flags string) error {
		l := f.link
		l.URL, l.Flags = srv.URL+"/m?x=secret", flags
		_, err := Fetch(context.Background(), l, FetchOptions{Recipient: "r", Now: f.now})
		return err
	}
	if err := fetch(statusServer(t, 404, "", "", ""), ""); !errors.Is(err, ErrNoLongerAvailable) || err.Error() != "this link has expired or was revoked" {
		t.Errorf("404: %v", err)
	}
	if err := fetch(statusServer(t, 404, "", "", ""), "U"); !errors.Is(err, ErrNoLongerAvailable) {
		t.Errorf("404 direct: %v", err)
	}
	var rl *RateLimitedError
	if err := fetch(statusServer(t, 429, "Retry-After", "120", ""), ""); !errors.As(err, &rl) || rl.RetryAfter != 2*time.Minute {
		t.Errorf("429: %v", err)
	}
	date := time.Now().Add(90 * time.Second).UTC().Format(http.TimeFormat)
	if err := fetch(statusServer(t, 429, "Retry-After", date, ""), ""); !errors.As(err, &rl) || rl.RetryAfter < 60*time.Second || rl.RetryAfter > 91*time.Second {
		t.Errorf("429 with a date: %v", err)
	}
	var pe *PasscodeError
	if err := fetch(statusServer(t, 401, "", "", "not json"), ""); !errors.As(err, &pe) || pe.RemainingAttempts != -1 {
		t.Errorf("401 without a count: %v", err)
	}
	var he *HTTPError
	err := fetch(statusServer(t, 500, "", "", "boom\x00\x1b[31m"), "")
	if !errors.As(err, &he) || he.StatusCode != 500 || strings.Contains(err.Error(), "secret") || strings.ContainsAny(err.Error(), "\x00\x1b") {
		t.Errorf("500: %v", err)
	}
	for name, body := range map[string]string{
		"not json":       "<html>",
		"no contentType": `{"files":[{"embedded":"x"}]}`,
		"neither":        `{"files":[{"contentType":"application/fhir+json"}]}`,
		"bad location":   `{"files":[{"contentType":"application/fhir+json","location":"file:///etc/passwd"}]}`,
		"files string":   `{"files":"x"}`,
	} {
		if err := fetch(statusServer(t, 200, "", "", body), ""); !errors.Is(err, ErrBadManifest) {
			t.Errorf("%s: %v", name, err)
		}
	}
	// A manifest whose file does not open with the link's key.
	other, _ := EncryptFile([]byte("{}"), testKey(9), ContentTypeFHIR)
	body, _ := json.Marshal(ManifestDocument{Files: []ManifestEntry{{ContentType: ContentTypeFHIR, Embedded: other}}})
	if err := fetch(statusServer(t, 200, "", "", string(body)), ""); !errors.Is(err, ErrDecrypt) {
		t.Errorf("wrong key: %v", err)
	}
	// Nobody listening.
	dead := httptest.NewServer(http.NotFoundHandler())
	dead.Close()
	if err := fetch(dead, ""); err == nil || !strings.Contains(err.Error(), "could not reach") {
		t.Errorf("dead server: %v", err)
	}
}

func TestDoBoundsTheBody(t *testing.T) {
	srv := statusServer(t, 200, "", "", strings.Repeat("x", 2000))
	req, _ := http.NewRequest(http.MethodGet, srv.URL, nil)
	if _, _, err := do(http.DefaultClient, req, 1000); !errors.Is(err, ErrFileTooLarge) {
		t.Errorf("do over the limit: %v", err)
	}
}

func TestParseManifestIgnoresUnknown(t *testing.T) {
	doc, err := ParseManifest([]byte(`{"list":{"resourceType":"List"},"files":[{"contentType":"application/fhir+json","location":"https://x/y","lastUpdated":"2025-03-09T15:29:46Z","status":"finalized","fhirVersion":"4.0.1","new":1}],"extra":true}`))
	if err != nil || len(doc.Files) != 1 || doc.Files[0].Status != "finalized" || doc.List == nil {
		t.Fatalf("ParseManifest = %+v, %v", doc, err)
	}
}

// Open end to end against the stub relay.
func TestOpenOverHTTP(t *testing.T) {
	ctx := context.Background()
	f := newFixture(t)
	relay := newStubRelay(t, f.share.Files)
	relay.passcode = "1234"
	link := relay.link(f, "/m", "P")
	in := f.input(nil)
	opts := FetchOptions{Recipient: "Dr Lee", Passcode: "1234"}

	r := Open(ctx, link.WithViewer("https://viewer.example/"), opts, in)
	assertVerified(t, r)

	c := assertFailed(t, Open(ctx, link.String(), FetchOptions{Recipient: "Dr Lee", Passcode: "9"}, in), CheckManifestFetched)
	if c.Detail != "wrong passcode: 2 attempts left" {
		t.Errorf("detail %q", c.Detail)
	}

	tampered := append([]EncryptedFile(nil), f.share.Files...)
	p := strings.Split(tampered[0].JWE, ".")
	p[3] = "A" + p[3][1:]
	if p[3] == strings.Split(f.share.Files[0].JWE, ".")[3] {
		p[3] = "B" + p[3][1:]
	}
	tampered[0].JWE = strings.Join(p, ".")
	relay.files = tampered
	assertFailed(t, Open(ctx, link.String(), opts, in), CheckFilesDecrypted)

	relay.revoked = true
	c = assertFailed(t, Open(ctx, link.String(), opts, in), CheckManifestFetched)
	if !strings.Contains(c.Detail, "expired or was revoked") {
		t.Errorf("detail %q", c.Detail)
	}
	assertFailed(t, Open(ctx, "shlink:/not-a-link", opts, in), CheckLinkWellFormed)
}
