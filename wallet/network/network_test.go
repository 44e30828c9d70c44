package network

import (
	"context"
	"crypto/tls"
	"encoding/json"
	"errors"
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/ethereum/go-ethereum/common"

	"healthwallet/chain"
	"healthwallet/chain/chaintest"
)

func TestParseJoinURL(t *testing.T) {
	fp := strings.Repeat("ab", 32)
	for _, tc := range []struct {
		raw, base, fp, err string
	}{
		{"https://clinic.example", "https://clinic.example", "", ""},
		{"https://Clinic.Example:8443/net/#fp=" + strings.ToUpper(fp), "https://clinic.example:8443/net", fp, ""},
		{"  http://127.0.0.1:8443  ", "http://127.0.0.1:8443", "", ""},
		{"http://localhost:1", "http://localhost:1", "", ""},
		{"http://[::1]:1", "http://[::1]:1", "", ""},
		{"http://clinic.example", "", "", "plain http beyond this computer"},
		{"http://192.168.1.5:8443", "", "", "plain http beyond this computer"},
		{"ftp://clinic.example", "", "", "not https"},
		{"clinic.example", "", "", "not a network's join URL"},
		{"https://user@clinic.example", "", "", "user name or a query"},
		{"https://clinic.example?x=1", "", "", "user name or a query"},
		{"https://clinic.example#fp=abcd", "", "", "not a certificate fingerprint"},
		{"https://clinic.example#fp=" + strings.Repeat("zz", 32), "", "", "not hex"},
		{"https://clinic.example#key=1", "", "", "not a certificate fingerprint"},
	} {
		base, gotFP, err := ParseJoinURL(tc.raw)
		if tc.err != "" {
			if err == nil || !strings.Contains(err.Error(), tc.err) {
				t.Errorf("ParseJoinURL(%q) = %q, %v; want an error saying %q", tc.raw, base, err, tc.err)
			}
			continue
		}
		if err != nil || base != tc.base || gotFP != tc.fp {
			t.Errorf("ParseJoinURL(%q) = %q, %q, %v; want %q, %q", tc.raw, base, gotFP, err, tc.base, tc.fp)
		}
	}
}

// TestMembershipJoinURL: a membership's join URL parses back to it.
func TestMembershipJoinURL(t *testing.T) {
	m := Membership{URL: "https://clinic.example:8443", Fingerprint: strings.Repeat("0f", 32)}
	base, fp, err := ParseJoinURL(m.JoinURL())
	if err != nil || base != m.URL || fp != m.Fingerprint {
		t.Fatalf("%q parses to %q, %q, %v", m.JoinURL(), base, fp, err)
	}
}

func FuzzParseJoinURL(f *testing.F) {
	for _, s := range []string{"https://a.example#fp=" + strings.Repeat("ab", 32), "http://127.0.0.1:1/x/", "http://[::1", "https://%zz", "#fp=", "https://a:b@c"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, raw string) {
		base, fp, err := ParseJoinURL(raw)
		if err != nil {
			return
		}
		// What it accepts is a base URL that parses back to itself.
		again, fp2, err := ParseJoinURL(Membership{URL: base, Fingerprint: fp}.JoinURL())
		if err != nil || again != base || fp2 != fp {
			t.Fatalf("%q → %q, %q; again → %q, %q, %v", raw, base, fp, again, fp2, err)
		}
	})
}

func FuzzParseDocument(f *testing.F) {
	f.Add([]byte(`{"version":1,"name":"n","chainId":1,"registry":"0x0000000000000000000000000000000000000001","rpc":["https://a/rpc"],"relay":"https://a","submit":"https://a/submit","enrolment":"open","blockPeriodSeconds":2,"confirmations":2}`))
	f.Add([]byte(`{"version":2}`))
	f.Add([]byte(`{"version":1,"extra":true}`))
	f.Add([]byte(`{} {}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		doc, err := ParseDocument(data)
		if err != nil {
			return
		}
		if doc.Version != 1 || len(doc.RPC) == 0 || !common.IsHexAddress(doc.Registry) {
			t.Fatalf("accepted %+v", doc)
		}
	})
}

// TestPinnedClient: a client pinned to a node's self-signed certificate
// talks to that node, and refuses another certificate (someone in between).
func TestPinnedClient(t *testing.T) {
	dir := t.TempDir()
	cert, fp, err := selfSignedCertificate(dir, []string{"127.0.0.1"})
	if err != nil {
		t.Fatal(err)
	}
	if st, err := os.Stat(filepath.Join(dir, selfSignedKeyFile)); err != nil {
		t.Fatal(err)
	} else if st.Mode().Perm() != 0o600 {
		t.Fatalf("the certificate's key file has mode %v; want 0600", st.Mode().Perm())
	}
	// Made once: the second start serves the same certificate.
	if _, fp2, err := selfSignedCertificate(dir, []string{"127.0.0.1"}); err != nil || fp2 != fp {
		t.Fatalf("the certificate changed across starts: %s, %s, %v", fp, fp2, err)
	}
	srv := httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) { w.Write([]byte("ok")) }))
	srv.TLS = &tls.Config{Certificates: []tls.Certificate{cert}}
	srv.StartTLS()
	defer srv.Close()

	if resp, err := HTTPClient(fp).Get(srv.URL); err != nil {
		t.Fatalf("the right pin: %v", err)
	} else {
		resp.Body.Close()
	}
	_, other, err := selfSignedCertificate(t.TempDir(), []string{"127.0.0.1"})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := HTTPClient(other).Get(srv.URL); !errors.Is(err, ErrPinMismatch) {
		t.Fatalf("another pin: %v; want ErrPinMismatch", err)
	}
	// Unpinned, the system's roots do not know a self-signed certificate.
	if _, err := HTTPClient("").Get(srv.URL); err == nil {
		t.Fatal("an unpinned client accepted a self-signed certificate")
	}
}

// documentServer serves doc (edited by each case) at WellKnownPath and
// forwards /rpc to a real chain's JSON-RPC, as a node in front of it would.
func documentServer(t *testing.T, rpcURL string, doc *Document) *httptest.Server {
	target, err := url.Parse(rpcURL)
	if err != nil {
		t.Fatal(err)
	}
	proxy := httputil.NewSingleHostReverseProxy(target)
	mux := http.NewServeMux()
	mux.HandleFunc("POST /rpc", func(w http.ResponseWriter, r *http.Request) {
		r.URL.Path = "/"
		proxy.ServeHTTP(w, r)
	})
	mux.HandleFunc("GET "+WellKnownPath, func(w http.ResponseWriter, _ *http.Request) { json.NewEncoder(w).Encode(doc) })
	srv := httptest.NewServer(mux)
	t.Cleanup(srv.Close)
	return srv
}

// TestFetchRefusesForgedDocuments: a document is checked against the chain
// its own RPC serves; one that names another chain id or registry, or that
// sends the wallet's traffic to another origin, is refused at join.
func TestFetchRefusesForgedDocuments(t *testing.T) {
	served := chaintest.StartServe(t)
	var doc Document
	srv := documentServer(t, served.URL, &doc)
	honest := Document{
		Version: 1, Name: "Riverside Clinic", ChainID: served.ChainID.Uint64(), Registry: served.Registry.Hex(),
		RPC: []string{srv.URL + "/rpc"}, Relay: srv.URL, Submit: srv.URL + "/submit", Enrolment: EnrolmentOpen,
		BlockPeriodSeconds: 2, Confirmations: 2,
	}
	ctx := context.Background()
	doc = honest
	m, err := Fetch(ctx, srv.URL)
	if err != nil {
		t.Fatalf("the honest document: %v", err)
	}
	if m.Name != "Riverside Clinic" || m.URL != srv.URL || m.RegistryAddress() != served.Registry || m.Joined.IsZero() {
		t.Fatalf("membership %+v", m)
	}

	for _, tc := range []struct {
		name string
		edit func(d *Document)
		want string
	}{
		{"wrong chain id", func(d *Document) { d.ChainID = 1 }, "serves chain 1337"},
		{"wrong registry", func(d *Document) { d.Registry = common.HexToAddress("0x1234").Hex() }, "does not hold"},
		{"foreign RPC", func(d *Document) { d.RPC = []string{"http://127.0.0.2:1/rpc"} }, "sends the wallet's traffic to http://127.0.0.2:1"},
		{"foreign relay", func(d *Document) { d.Relay = "http://elsewhere.example" }, "elsewhere.example"},
		{"foreign submission", func(d *Document) { d.Submit = "http://evil.example/submit" }, "evil.example"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			doc = honest
			doc.RPC = append([]string(nil), honest.RPC...)
			tc.edit(&doc)
			_, err := Fetch(ctx, srv.URL)
			if !errors.Is(err, ErrForgedDocument) || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("Fetch: %v; want ErrForgedDocument saying %q", err, tc.want)
			}
		})
	}
	t.Run("https elsewhere", func(t *testing.T) {
		// A relay on another host over https, checked against the system's
		// roots, is the operator's choice (a CDN, a second box).
		doc = honest
		doc.Relay = "https://relay.clinic.example"
		if _, err := Fetch(ctx, srv.URL); err != nil {
			t.Fatalf("Fetch: %v", err)
		}
	})
	t.Run("version 2", func(t *testing.T) {
		doc = honest
		doc.Version = 2
		if _, err := Fetch(ctx, srv.URL); err == nil || !strings.Contains(err.Error(), "version 2") {
			t.Fatalf("Fetch: %v", err)
		}
	})
	t.Run("no document", func(t *testing.T) {
		if _, err := Fetch(ctx, served.URL); err == nil || !strings.Contains(err.Error(), "does not describe a network") {
			t.Fatalf("Fetch of a plain JSON-RPC node: %v", err)
		}
	})
}

// TestClientNodeAway: a node that does not answer, or answers 503, is the
// chain being down to the outbox (it waits and tries again), not a refusal.
func TestClientNodeAway(t *testing.T) {
	unavailable := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		writeError(w, "unavailable", "the network's chain cannot take the action now")
	}))
	defer unavailable.Close()
	closed := httptest.NewServer(http.NotFoundHandler())
	closed.Close()
	sign := func([]byte) ([]byte, error) { return make([]byte, 65), nil }
	for _, base := range []string{closed.URL, unavailable.URL} {
		m := Membership{Document: Document{Submit: base + "/submit"}, URL: base}
		_, err := NewClient(m, sign).Submit(context.Background(), []byte{1, 2, 3, 4})
		if !errors.Is(err, chain.ErrChainDown) {
			t.Errorf("%s: %v; want an error wrapping chain.ErrChainDown", base, err)
		}
	}
}
