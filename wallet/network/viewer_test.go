package network

import (
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"healthwallet/chain/chaintest"
	"healthwallet/wallet/viewer"
)

// TestNodeServesViewer: a node, over plain loopback http and over its
// pinned self-signed TLS, serves the viewer (page with the CSP, script,
// style) once, through its relay, next to its document, which names the
// viewer's hash; and CheckViewer, hashing the files served, finds this
// build's viewer.
func TestNodeServesViewer(t *testing.T) {
	for _, tlsOn := range []bool{false, true} {
		s := startServer(t, ServerConfig{Name: "Riverside Clinic", ForceTLS: tlsOn})
		info := s.Info()
		if tlsOn != strings.HasPrefix(info.URL, "https://") {
			t.Fatalf("TLS %v, URL %s", tlsOn, info.URL)
		}
		hc := HTTPClient(info.Fingerprint)
		for _, p := range []string{"/view", "/view/viewer.js", "/view/viewer.css"} {
			resp, err := hc.Get(info.URL + p)
			if err != nil {
				t.Fatal(err)
			}
			io.Copy(io.Discard, resp.Body)
			resp.Body.Close()
			if resp.StatusCode != http.StatusOK || resp.Header.Get("Content-Security-Policy") != viewer.ContentSecurityPolicy {
				t.Fatalf("TLS %v: GET %s: %d, CSP %q", tlsOn, p, resp.StatusCode, resp.Header.Get("Content-Security-Policy"))
			}
		}
		m, err := Fetch(context.Background(), info.JoinURL)
		if err != nil {
			t.Fatal(err)
		}
		if m.Viewer != ViewerHash(viewer.BundleHash()) || !m.Joinable() {
			t.Fatalf("document viewer %q, joinable %v", m.Viewer, m.Joinable())
		}
		vc := CheckViewer(context.Background(), hc, m.Relay, m.Document)
		if !vc.Same || vc.Summary != ViewerSameSummary || vc.Problem != "" || vc.Served != vc.Build {
			t.Fatalf("TLS %v: %+v", tlsOn, vc)
		}
	}
}

// TestCheckViewerFindsAnotherViewer: a server whose viewer differs from
// this build's by one byte is reported as differing, whatever its document
// claims (the files are hashed, not the claim trusted); one serving no
// viewer cannot be checked, and says so.
func TestCheckViewerFindsAnotherViewer(t *testing.T) {
	real := httptest.NewServer(viewer.Handler())
	defer real.Close()
	get := func(p string) []byte {
		resp, err := http.Get(real.URL + p)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return b
	}
	index, js, css := get("/view"), get("/view/viewer.js"), get("/view/viewer.css")
	if got := viewer.HashFiles(index, js, css); got != viewer.BundleHash() {
		t.Fatalf("HashFiles of the served files %s, BundleHash %s", got, viewer.BundleHash())
	}
	tampered := append([]byte("/* evil */"), js...)
	mux := http.NewServeMux()
	mux.HandleFunc("GET /view", func(w http.ResponseWriter, _ *http.Request) { w.Write(index) })
	mux.HandleFunc("GET /view/viewer.js", func(w http.ResponseWriter, _ *http.Request) { w.Write(tampered) })
	mux.HandleFunc("GET /view/viewer.css", func(w http.ResponseWriter, _ *http.Request) { w.Write(css) })
	liar := httptest.NewServer(mux)
	defer liar.Close()
	claim := Document{Viewer: ViewerHash(viewer.BundleHash())}
	vc := CheckViewer(context.Background(), http.DefaultClient, liar.URL, claim)
	if vc.Same || vc.Summary != ViewerDiffersSummary || vc.Served == vc.Build || !strings.Contains(vc.Problem, "names viewer "+claim.Viewer+" but it serves") {
		t.Fatalf("a tampered viewer: %+v", vc)
	}
	none := httptest.NewServer(http.NotFoundHandler())
	defer none.Close()
	if vc := CheckViewer(context.Background(), http.DefaultClient, none.URL, Document{}); vc.Same || vc.Summary != ViewerUnknownSummary || !strings.Contains(vc.Problem, "HTTP 404") {
		t.Fatalf("no viewer: %+v", vc)
	}
}

// TestRelayDocument: the document of a relay with a chain parses, names no
// submission URL, cannot be joined, and can be trusted: Fetch checks it
// against its chain like a node's. ParseDocument keeps "none" coherent
// (no submission URL with it, one without it) and the viewer field's form.
func TestRelayDocument(t *testing.T) {
	served := chaintest.StartServe(t)
	var doc Document
	srv := documentServer(t, served.URL, &doc)
	doc = RelayDocument("Riverside relay", srv.URL, served.ChainID.Uint64(), served.Registry)
	m, err := Fetch(context.Background(), srv.URL)
	if err != nil {
		t.Fatalf("Fetch of a relay's document: %v", err)
	}
	if m.Joinable() || m.Submit != "" || m.Enrolment != EnrolmentNone || m.RPC[0] != srv.URL+"/rpc" || m.Viewer != ViewerHash(viewer.BundleHash()) {
		t.Fatalf("membership %+v", m)
	}
	base := `{"version":1,"name":"n","chainId":1,"registry":"0x0000000000000000000000000000000000000001","rpc":["https://a/rpc"],"relay":"https://a",`
	for _, c := range []struct {
		tail string
		ok   bool
	}{
		{`"submit":"","enrolment":"none"}`, true},
		{`"submit":"https://a/submit","enrolment":"none"}`, false},
		{`"submit":"","enrolment":"open"}`, false},
		{`"submit":"https://a/submit","enrolment":"open","viewer":"sha256:` + strings.Repeat("ab", 32) + `"}`, true},
		{`"submit":"https://a/submit","enrolment":"open","viewer":"sha256:abc"}`, false},
		{`"submit":"https://a/submit","enrolment":"open","viewer":"md5:` + strings.Repeat("ab", 32) + `"}`, false},
		{`"submit":"https://a/submit","enrolment":"closed"}`, false},
	} {
		if _, err := ParseDocument([]byte(base + c.tail)); (err == nil) != c.ok {
			t.Errorf("%s: %v, want ok=%v", c.tail, err, c.ok)
		}
	}
}
