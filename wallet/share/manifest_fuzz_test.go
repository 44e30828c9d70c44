package share

import (
	"context"
	"errors"
	"net/http"
	"strings"
	"testing"
)

// fuzzServer answers the manifest request with status, Retry-After and
// body, and every file request with file: a link's server as a stranger
// runs it.
type fuzzServer struct {
	status     int
	retryAfter string
	body, file []byte
}

func (s fuzzServer) RoundTrip(req *http.Request) (*http.Response, error) {
	resp := &http.Response{StatusCode: http.StatusOK, Header: http.Header{}, Request: req}
	body := s.file
	if req.Method == http.MethodPost {
		resp.StatusCode, body = s.status, s.body
		resp.Header.Set("Retry-After", s.retryAfter)
	}
	resp.Body = readCloser{strings.NewReader(string(body))}
	return resp, nil
}

type readCloser struct{ *strings.Reader }

func (readCloser) Close() error { return nil }

// FuzzManifestResponse runs Fetch against a server that answers anything:
// never a panic, an error of the documented kinds for a status other than
// 200, and on success one decrypted file per manifest entry.
func FuzzManifestResponse(f *testing.F) {
	key := testKey(7)
	good, err := EncryptFile([]byte(`{"resourceType":"Patient"}`), key, ContentTypeFHIR)
	if err != nil {
		f.Fatal(err)
	}
	embedded := `{"files":[{"contentType":"application/fhir+json","embedded":"` + good + `"}]}`
	located := `{"files":[{"contentType":"application/fhir+json","location":"https://files.example/f"}]}`
	f.Add(200, "", []byte(embedded), []byte(nil))
	f.Add(200, "30", []byte(located), []byte(good))
	f.Add(401, "", []byte(`{"remainingAttempts":3}`), []byte(nil))
	f.Add(401, "", []byte(`{"remainingAttempts":1e300}`), []byte(nil))
	f.Add(429, "Wed, 21 Oct 2015 07:28:00 GMT", []byte(nil), []byte(nil))
	f.Add(404, "", []byte("gone"), []byte(nil))
	f.Add(200, "", []byte(`{"files":[{"contentType":"application/fhir+json","location":"http://files.example/f"}]}`), []byte(good))
	var k32 [32]byte
	copy(k32[:], key)
	link := Link{URL: "https://relay.example/shl/x", Key: k32}
	f.Fuzz(func(t *testing.T, status int, retryAfter string, body, file []byte) {
		if status < 100 || status > 999 {
			return // not an HTTP status line net/http would deliver
		}
		srv := fuzzServer{status: status, retryAfter: retryAfter, body: body, file: file}
		m, err := Fetch(context.Background(), link, FetchOptions{Recipient: "Dr. Lee", HTTP: &http.Client{Transport: srv}})
		if err != nil {
			var pe *PasscodeError
			var re *RateLimitedError
			var he *HTTPError
			if status != http.StatusOK && !errors.As(err, &pe) && !errors.As(err, &re) && !errors.As(err, &he) && !errors.Is(err, ErrNoLongerAvailable) {
				t.Fatalf("status %d: an error of no documented kind: %v", status, err)
			}
			return
		}
		doc, perr := ParseManifest(body)
		if status != http.StatusOK || perr != nil || len(m.Files) != len(doc.Files) {
			t.Fatalf("status %d accepted with %d files (manifest: %v)", status, len(m.Files), perr)
		}
	})
}
