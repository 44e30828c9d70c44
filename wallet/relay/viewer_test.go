package relay

import (
	"context"
	"crypto/x509"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"healthwallet/wallet/viewer"
)

// TestRelayServesViewer: the relay serves the viewer's page, script and
// style with the viewer's CSP, through its own middleware and with its rate
// limits on, and a share's manifest still answers next to it.
func TestRelayServesViewer(t *testing.T) {
	tr := newTestRelay(t, func(c *Config) { c.DisableRateLimits = false })
	for _, p := range []string{"/view", "/view/", "/view/viewer.js", "/view/viewer.css"} {
		r := tr.get(tr.ts.URL + p)
		wantStatus(t, r, http.StatusOK)
		if got := r.header.Get("Content-Security-Policy"); got != viewer.ContentSecurityPolicy {
			t.Errorf("%s: CSP %q", p, got)
		}
		if r.header.Get("X-Request-Id") == "" {
			t.Errorf("%s: not through the relay's middleware (no X-Request-Id)", p)
		}
		if len(r.body) == 0 {
			t.Errorf("%s: empty", p)
		}
	}
	if r := tr.get(tr.ts.URL + "/view"); !strings.Contains(string(r.body), "viewer.js") || !strings.Contains(r.header.Get("Content-Type"), "text/html") {
		t.Errorf("/view is not the viewer's page: %s %.200s", r.header.Get("Content-Type"), r.body)
	}
	wantStatus(t, tr.get(tr.ts.URL+"/view/other.js"), http.StatusNotFound)
	// The page's logs name the route, like every other request.
	if !strings.Contains(tr.logs.String(), `"route":"GET /view/"`) {
		t.Errorf("the viewer's requests are not logged by route: %s", tr.logs.String())
	}
	// A plain relay without a chain describes no network and serves no RPC.
	wantStatus(t, tr.get(tr.ts.URL+NetworkDocumentPath), http.StatusNotFound)
	wantStatus(t, do(t, tr.ts.Client(), http.MethodPost, tr.ts.URL+RPCPath, "application/json", []byte(`{}`)), http.StatusNotFound)
}

// TestRelayNetworkDocumentAndRPC: given a document and an RPC handler, the
// relay serves them at NetworkDocumentPath and RPCPath, the RPC within its
// own per-client rate (429 with Retry-After past it).
func TestRelayNetworkDocumentAndRPC(t *testing.T) {
	doc := []byte(`{"version":1,"name":"Test"}`)
	var calls atomic.Int32
	tr := newTestRelay(t, func(c *Config) {
		c.DisableRateLimits = false
		c.Limits.PerIPRPC = Rate{PerSecond: 0.001, Burst: 3}
		c.NetworkDocument = StaticDocument(doc)
		c.RPC = http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			calls.Add(1)
			w.Header().Set("Content-Type", "application/json")
			io.WriteString(w, `{"jsonrpc":"2.0","id":1,"result":"0x1"}`)
		})
	})
	r := tr.get(tr.ts.URL + NetworkDocumentPath)
	wantStatus(t, r, http.StatusOK)
	if string(r.body) != string(doc) || r.header.Get("Content-Type") != "application/json" {
		t.Fatalf("document: %s %s", r.header.Get("Content-Type"), r.body)
	}
	for i := range 3 {
		r := do(t, tr.ts.Client(), http.MethodPost, tr.ts.URL+RPCPath, "application/json", []byte(`{"jsonrpc":"2.0","id":1,"method":"eth_chainId"}`))
		wantStatus(t, r, http.StatusOK)
		if i == 0 && !strings.Contains(string(r.body), `"0x1"`) {
			t.Fatalf("rpc answer %s", r.body)
		}
	}
	r = do(t, tr.ts.Client(), http.MethodPost, tr.ts.URL+RPCPath, "application/json", []byte(`{}`))
	wantStatus(t, r, http.StatusTooManyRequests)
	if r.header.Get("Retry-After") == "" || calls.Load() != 3 {
		t.Fatalf("past the RPC rate: Retry-After %q, %d calls reached the chain", r.header.Get("Retry-After"), calls.Load())
	}

	// A document that cannot be made answers 503 saying why.
	tr2 := newTestRelay(t, func(c *Config) {
		c.NetworkDocument = func(context.Context) ([]byte, error) { return nil, errors.New("the wallet is locked") }
	})
	r = tr2.get(tr2.ts.URL + NetworkDocumentPath)
	wantStatus(t, r, http.StatusServiceUnavailable)
	if msg, _ := r.json(t)["error"].(string); !strings.Contains(msg, "the wallet is locked") {
		t.Fatalf("error %q", msg)
	}
}

// issuerServer is an issuer publishing its JWKS over TLS, counting fetches.
type issuerServer struct {
	ts      *httptest.Server
	fetches atomic.Int32
	body    atomic.Value // string
	status  atomic.Int32
}

func newIssuerServer(t *testing.T, body string) *issuerServer {
	is := &issuerServer{}
	is.body.Store(body)
	is.status.Store(http.StatusOK)
	mux := http.NewServeMux()
	mux.HandleFunc("GET /issuer/.well-known/jwks.json", func(w http.ResponseWriter, r *http.Request) {
		is.fetches.Add(1)
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(int(is.status.Load()))
		io.WriteString(w, is.body.Load().(string))
	})
	mux.HandleFunc("GET /elsewhere/.well-known/jwks.json", func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, "https://example.org/.well-known/jwks.json", http.StatusFound)
	})
	is.ts = httptest.NewTLSServer(mux)
	t.Cleanup(is.ts.Close)
	return is
}

func (is *issuerServer) pool() *x509.CertPool {
	p := x509.NewCertPool()
	p.AddCert(is.ts.Certificate())
	return p
}

const testJWKS = `{"keys":[{"kty":"EC","kid":"k1","use":"sig","alg":"ES256","crv":"P-256",` +
	`"x":"3Uj3UCKEsRyhzYIa0mxoYc4L4kVlGWi2FtyhAHf_Pdo","y":"kMeHzoHJsBjWoVZRbyE5GnUxVNE1fKcozDyXNxM0wrg","d":"SECRET-PRIVATE"},` +
	`{"kty":"oct","k":"SECRET-SYMMETRIC"}]}`

// issuerKeys asks the relay for iss's keys.
func (tr *testRelay) issuerKeys(iss string) response {
	tr.t.Helper()
	return tr.get(tr.ts.URL + "/issuer-keys?iss=" + strings.ReplaceAll(iss, ":", "%3A"))
}

// TestIssuerKeys: the relay on loopback fetches an issuer's JWKS over TLS,
// hands back only public key members, keeps it an hour (one fetch for many
// asks), and says 502 with what happened when the issuer fails, keeping
// that answer five minutes; bad iss values are 400.
func TestIssuerKeys(t *testing.T) {
	is := newIssuerServer(t, testJWKS)
	tr := newTestRelay(t, func(c *Config) { c.IssuerKeys.RootCAs = is.pool() })
	iss := is.ts.URL + "/issuer"

	r := tr.issuerKeys(iss)
	wantStatus(t, r, http.StatusOK)
	if strings.Contains(string(r.body), "SECRET") {
		t.Fatalf("private key material passed on: %s", r.body)
	}
	var set struct {
		Keys []map[string]string `json:"keys"`
	}
	if err := json.Unmarshal(r.body, &set); err != nil || len(set.Keys) != 1 || set.Keys[0]["kid"] != "k1" || set.Keys[0]["x"] == "" {
		t.Fatalf("keys %s (%v)", r.body, err)
	}
	for range 5 {
		wantStatus(t, tr.issuerKeys(iss), http.StatusOK)
	}
	if n := is.fetches.Load(); n != 1 {
		t.Fatalf("%d fetches for 6 asks within the hour", n)
	}
	tr.clock.Advance(issuerKeysTTL + time.Second)
	wantStatus(t, tr.issuerKeys(iss), http.StatusOK)
	if n := is.fetches.Load(); n != 2 {
		t.Fatalf("%d fetches after the hour, want 2", n)
	}

	// The issuer fails: 502 with a message, remembered five minutes.
	is.status.Store(http.StatusInternalServerError)
	tr.clock.Advance(issuerKeysTTL + time.Second)
	r = tr.issuerKeys(iss)
	wantStatus(t, r, http.StatusBadGateway)
	if msg, _ := r.json(t)["error"].(string); !strings.Contains(msg, "HTTP 500") {
		t.Fatalf("502 says %q", msg)
	}
	is.status.Store(http.StatusOK)
	wantStatus(t, tr.issuerKeys(iss), http.StatusBadGateway)
	if n := is.fetches.Load(); n != 3 {
		t.Fatalf("%d fetches: the failure was not remembered", n)
	}
	tr.clock.Advance(issuerKeysFailTTL + time.Second)
	wantStatus(t, tr.issuerKeys(iss), http.StatusOK)

	// Not a key set, too large, a redirect to another host, nobody there.
	for _, c := range []struct{ body, want string }{
		{`<html>hello</html>`, "not a JSON key set"},
		{`{"keys":[{"kid":"x"}]}`, "no \"kty\""},
		{`{"keys":[` + strings.Repeat(`{"kty":"EC","x":"`+strings.Repeat("A", 1000)+`"},`, 70) + `{"kty":"EC"}]}`, "larger than"},
	} {
		is.body.Store(c.body)
		tr.clock.Advance(issuerKeysTTL + time.Second)
		r := tr.issuerKeys(iss)
		wantStatus(t, r, http.StatusBadGateway)
		if msg, _ := r.json(t)["error"].(string); !strings.Contains(msg, c.want) {
			t.Errorf("body %.40s: error %q, want %q", c.body, msg, c.want)
		}
	}
	r = tr.issuerKeys(is.ts.URL + "/elsewhere")
	wantStatus(t, r, http.StatusBadGateway)
	if msg, _ := r.json(t)["error"].(string); !strings.Contains(msg, "redirects to another host") {
		t.Errorf("redirect: %q", msg)
	}
	dead := httptest.NewTLSServer(http.NotFoundHandler())
	deadURL := dead.URL
	dead.Close()
	wantStatus(t, tr.issuerKeys(deadURL+"/issuer"), http.StatusBadGateway)

	for _, bad := range []string{"", "ftp://issuer.example", "https://issuer.example/", "https://issuer.example?x=1", "http://issuer.example", "https://user@issuer.example", "https://" + strings.Repeat("a", 300) + ".example"} {
		r := tr.get(tr.ts.URL + "/issuer-keys?iss=" + bad)
		if bad != "" {
			r = tr.issuerKeys(bad)
		}
		wantStatus(t, r, http.StatusBadRequest)
	}
}

// TestIssuerKeysRefusesPrivateTargets: a relay whose public URL is not on
// loopback (production) refuses issuers on loopback or private addresses,
// named or literal, before sending anything to them (SSRF); and it answers
// within its per-client rate.
func TestIssuerKeysRefusesPrivateTargets(t *testing.T) {
	is := newIssuerServer(t, testJWKS)
	dir := t.TempDir()
	srv, err := Open(Config{DataDir: dir, PublicURL: "https://relay.example.org", IssuerKeys: IssuerKeysConfig{RootCAs: is.pool()},
		Limits: Limits{PerIP: Rate{PerSecond: 0.001, Burst: 5}}})
	if err != nil {
		t.Fatal(err)
	}
	defer srv.Close()
	ts := httptest.NewServer(srv.Handler())
	defer ts.Close()
	port := is.ts.Listener.Addr().String()[strings.LastIndexByte(is.ts.Listener.Addr().String(), ':'):]
	for _, iss := range []string{
		is.ts.URL + "/issuer",                  // 127.0.0.1
		"https://localhost" + port + "/issuer", // a name for it
		"https://[::1]" + port + "/issuer",
		"https://10.0.0.1/issuer",
		"https://169.254.169.254/issuer", // cloud metadata
	} {
		r := do(t, ts.Client(), http.MethodGet, ts.URL+"/issuer-keys?iss="+strings.ReplaceAll(iss, ":", "%3A"), "", nil)
		wantStatus(t, r, http.StatusBadRequest)
		if msg, _ := r.json(t)["error"].(string); !strings.Contains(msg, "not a public internet address") {
			t.Errorf("%s: %q", iss, msg)
		}
	}
	if n := is.fetches.Load(); n != 0 {
		t.Fatalf("the relay reached a loopback issuer %d times", n)
	}
	r := do(t, ts.Client(), http.MethodGet, ts.URL+"/issuer-keys?iss=https%3A%2F%2F10.0.0.2", "", nil)
	wantStatus(t, r, http.StatusTooManyRequests)
}

// TestIssuerKeysOneFetchForConcurrentAsks: many viewers asking at once for
// one issuer's keys cause one fetch, and all get the keys.
func TestIssuerKeysOneFetchForConcurrentAsks(t *testing.T) {
	var fetches atomic.Int32
	ts := httptest.NewTLSServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		fetches.Add(1)
		time.Sleep(200 * time.Millisecond)
		io.WriteString(w, testJWKS)
	}))
	defer ts.Close()
	pool := x509.NewCertPool()
	pool.AddCert(ts.Certificate())
	tr := newTestRelay(t, func(c *Config) { c.IssuerKeys.RootCAs = pool })
	done := make(chan int, 10)
	for range 10 {
		go func() {
			resp, err := http.Get(tr.ts.URL + "/issuer-keys?iss=" + strings.ReplaceAll(ts.URL, ":", "%3A"))
			if err != nil {
				done <- 0
				return
			}
			resp.Body.Close()
			done <- resp.StatusCode
		}()
	}
	for range 10 {
		if code := <-done; code != http.StatusOK {
			t.Errorf("an ask answered %d", code)
		}
	}
	if n := fetches.Load(); n != 1 {
		t.Fatalf("%d fetches for 10 concurrent asks", n)
	}
}

// TestIssuerKeysServesRevocationList: /issuer-keys?iss=…&crl=<kid> hands
// back the key's revocation list (<iss>/.well-known/crl/<kid>.json) with
// only its SMART Health Cards members, so the viewer checks a card's rid as
// `hw receive` does; a kid that is not base64url is 400, a document that
// is not a revocation list (the JWKS, say) is 502.
func TestIssuerKeysServesRevocationList(t *testing.T) {
	mux := http.NewServeMux()
	mux.HandleFunc("GET /issuer/.well-known/crl/k1.json", func(w http.ResponseWriter, r *http.Request) {
		io.WriteString(w, `{"kid":"k1","method":"rid","ctr":1,"rids":["MKSmA7Wu.1636675200"],"extra":"dropped"}`)
	})
	mux.HandleFunc("GET /issuer/.well-known/crl/k2.json", func(w http.ResponseWriter, r *http.Request) {
		io.WriteString(w, testJWKS)
	})
	ts := httptest.NewTLSServer(mux)
	t.Cleanup(ts.Close)
	pool := x509.NewCertPool()
	pool.AddCert(ts.Certificate())
	tr := newTestRelay(t, func(c *Config) { c.IssuerKeys.RootCAs = pool })
	iss := strings.ReplaceAll(ts.URL+"/issuer", ":", "%3A")

	r := tr.get(tr.ts.URL + "/issuer-keys?iss=" + iss + "&crl=k1")
	wantStatus(t, r, http.StatusOK)
	var crl struct {
		Kid, Method string
		Ctr         int
		Rids        []string
	}
	if err := json.Unmarshal(r.body, &crl); err != nil || crl.Kid != "k1" || crl.Method != "rid" || crl.Ctr != 1 || len(crl.Rids) != 1 || crl.Rids[0] != "MKSmA7Wu.1636675200" {
		t.Fatalf("revocation list %s (%v)", r.body, err)
	}
	if strings.Contains(string(r.body), "extra") {
		t.Fatalf("members beyond the revocation list's passed on: %s", r.body)
	}
	wantStatus(t, tr.get(tr.ts.URL+"/issuer-keys?iss="+iss+"&crl=k1%2F..%2Fjwks"), http.StatusBadRequest)
	r = tr.get(tr.ts.URL + "/issuer-keys?iss=" + iss + "&crl=k2")
	wantStatus(t, r, http.StatusBadGateway)
	if msg, _ := r.json(t)["error"].(string); !strings.Contains(msg, "not a revocation list") {
		t.Fatalf("a JWKS served as a CRL: %q", msg)
	}
}
