package share

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"testing"
)

// Finding 5 of issue 7: plain http only where no one else is on the way.
func TestCheckTransport(t *testing.T) {
	for _, c := range []struct {
		url     string
		lan, ok bool
	}{
		{"https://relay.example/shl/x", false, true},
		{"http://localhost:8090/shl/x", false, true},
		{"http://127.0.0.1:1234/m", false, true},
		{"http://127.8.9.10/m", false, true},
		{"http://[::1]:80/m", false, true},
		{"http://relay.example/shl/x", false, false},
		{"http://relay.example/shl/x", true, false}, // a name, not a LAN address
		{"http://127.evil.example/m", false, false}, // a name that starts like loopback
		{"http://localhost.evil.example/m", false, false},
		{"http://192.168.1.20:8080/shl/x", false, false},
		{"http://192.168.1.20:8080/shl/x", true, true},
		{"http://10.0.0.5/shl/x", true, true},
		{"http://172.16.3.4/shl/x", true, true},
		{"http://172.32.3.4/shl/x", true, false}, // not private
		{"http://[fe80::1]:8080/shl/x", true, true},
		{"http://[fd00::1]/shl/x", true, true},
		{"http://8.8.8.8/shl/x", true, false},
		{"ftp://relay.example/x", true, false},
	} {
		err := CheckTransport(c.url, c.lan)
		if (err == nil) != c.ok {
			t.Errorf("CheckTransport(%q, lan %v) = %v; want ok %v", c.url, c.lan, err, c.ok)
		}
		if err != nil && strings.HasPrefix(c.url, "http:") && (!errors.Is(err, ErrPlainHTTP) || !strings.Contains(err.Error(), "ask for a link that starts with https")) {
			t.Errorf("CheckTransport(%q): %v; want ErrPlainHTTP saying what to do", c.url, err)
		}
	}
	if err := (Link{URL: "http://192.168.1.20:8080/shl/x", Key: [32]byte{1}}).Check(); err == nil {
		t.Error("Link.Check accepted a LAN http link: only the wallet's direct share may hand one out")
	}
}

// routed is a transport that answers every request, whatever its host, from
// one handler, and remembers the URLs asked for: the hosts of these tests
// need not exist.
type routed struct {
	mu   sync.Mutex
	h    http.Handler
	seen []string
}

func (r *routed) RoundTrip(req *http.Request) (*http.Response, error) {
	r.mu.Lock()
	r.seen = append(r.seen, req.URL.String())
	r.mu.Unlock()
	rec := httptest.NewRecorder()
	r.h.ServeHTTP(rec, req)
	return rec.Result(), nil
}

func TestFetchRefusesPlainHTTP(t *testing.T) {
	ctx := context.Background()
	key, err := NewKey()
	if err != nil {
		t.Fatal(err)
	}
	jwe, err := EncryptFile([]byte(`{"resourceType":"Patient","id":"p"}`), key[:], ContentTypeFHIR)
	if err != nil {
		t.Fatal(err)
	}
	// A manifest whose file is at ?location=…, or embedded without it;
	// /redirect?to=… redirects; /file answers the JWE.
	handler := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Path {
		case "/redirect":
			http.Redirect(w, r, r.URL.Query().Get("to"), http.StatusFound)
		case "/file":
			w.Write([]byte(jwe))
		default:
			e := ManifestEntry{ContentType: ContentTypeFHIR, Embedded: jwe}
			if loc := r.URL.Query().Get("location"); loc != "" {
				e = ManifestEntry{ContentType: ContentTypeFHIR, Location: loc}
			}
			json.NewEncoder(w).Encode(ManifestDocument{Files: []ManifestEntry{e}})
		}
	})
	fetch := func(link Link, passcode string) (*routed, error) {
		tr := &routed{h: handler}
		link.Key = key
		_, err := Fetch(ctx, link, FetchOptions{Recipient: "Dr. Lee", Passcode: passcode, HTTP: &http.Client{Transport: tr}})
		return tr, err
	}
	refused := func(name string, tr *routed, err error, asked int) {
		t.Helper()
		if !errors.Is(err, ErrPlainHTTP) {
			t.Errorf("%s: %v; want it refused as plain http", name, err)
		}
		if len(tr.seen) != asked {
			t.Errorf("%s: asked %q; want %d request(s) before the refusal", name, tr.seen, asked)
		}
	}

	tr, err := fetch(Link{URL: "http://relay.example/shl/x"}, "")
	refused("an http link", tr, err, 0)
	tr, err = fetch(Link{URL: "http://relay.example/shl/x", Flags: "U"}, "")
	refused("an http U link", tr, err, 0)
	tr, err = fetch(Link{URL: "http://192.168.1.20:8080/shl/x", Flags: "P"}, "1234")
	refused("a passcode over the Wi-Fi", tr, err, 0)
	if !strings.Contains(err.Error(), "passcode would travel unprotected") {
		t.Errorf("the passcode refusal says %q", err)
	}
	tr, err = fetch(Link{URL: "https://relay.example/shl/x?location=" + url.QueryEscape("http://files.example/file")}, "")
	refused("an http file location", tr, err, 1)
	tr, err = fetch(Link{URL: "https://relay.example/redirect?to=" + url.QueryEscape("http://relay.example/shl/x")}, "")
	refused("a redirect from https to http", tr, err, 1)
	tr, err = fetch(Link{URL: "http://192.168.1.20:8080/shl/x?location=" + url.QueryEscape("http://192.168.1.21:8080/file")}, "")
	refused("a direct share's file on another machine", tr, err, 1)

	for name, link := range map[string]Link{
		"https":                               {URL: "https://relay.example/shl/x?location=" + url.QueryEscape("https://files.example/file")},
		"loopback http":                       {URL: "http://127.0.0.1:8090/shl/x?location=" + url.QueryEscape("http://localhost:8090/file")},
		"a direct share on the same Wi-Fi":    {URL: "http://192.168.1.20:8080/shl/x"},
		"a direct share's file, same machine": {URL: "http://192.168.1.20:8080/shl/x?location=" + url.QueryEscape("http://192.168.1.20:8080/file")},
	} {
		if _, err := fetch(link, ""); err != nil {
			t.Errorf("%s: %v", name, err)
		}
	}
}
