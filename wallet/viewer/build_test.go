package viewer

import (
	"bytes"
	"compress/gzip"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"healthwallet/wallet/testcorpus"
)

// TestBundleMatchesFreshBuild rebuilds the viewer from web/ with the pinned
// npm packages and esbuild, and requires the result to equal the committed
// dist/ byte for byte: what a node serves (and what its network document's
// hash names) is what the sources say.
func TestBundleMatchesFreshBuild(t *testing.T) {
	for _, tool := range []string{"node", "npm"} {
		testcorpus.Tool(t, tool, "the viewer cannot be rebuilt to check the committed bundle; run `make deps` (apt-get install nodejs npm)")
	}
	// Read every input here too, so a cached pass is invalidated when one changes.
	err := filepath.WalkDir("web", func(path string, d os.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() && d.Name() == "node_modules" {
			return filepath.SkipDir
		}
		if !d.IsDir() {
			_, err = os.ReadFile(path)
		}
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	out := t.TempDir()
	if output, err := exec.Command("bash", "generate.sh", out).CombinedOutput(); err != nil {
		t.Fatalf("generate.sh: %v\n%s", err, output)
	}
	for _, name := range []string{"index.html", "viewer.js", "viewer.css"} {
		committed, err := os.ReadFile(filepath.Join("dist", name))
		if err != nil {
			t.Fatal(err)
		}
		fresh, err := os.ReadFile(filepath.Join(out, name))
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(committed, fresh) {
			t.Errorf("dist/%s differs from a fresh build (%d bytes committed, %d fresh); run `make viewer` and commit the result", name, len(committed), len(fresh))
		}
	}
	fresh, err := hashFS(os.DirFS(out), ".")
	if err != nil {
		t.Fatal(err)
	}
	if fresh != BundleHash() {
		t.Errorf("BundleHash %s, a fresh build hashes to %s", BundleHash(), fresh)
	}
}

// TestBundleBudget: the page's script and style, compressed as a server
// would send them, stay within 250 KB.
func TestBundleBudget(t *testing.T) {
	const budget = 250 * 1000
	total := 0
	for _, name := range []string{"viewer.js", "viewer.css", "index.html"} {
		b, err := dist.ReadFile("dist/" + name)
		if err != nil {
			t.Fatal(err)
		}
		var z bytes.Buffer
		w, _ := gzip.NewWriterLevel(&z, gzip.BestCompression)
		w.Write(b)
		w.Close()
		t.Logf("%s: %d bytes, %d gzipped", name, len(b), z.Len())
		total += z.Len()
	}
	if total > budget {
		t.Errorf("the viewer is %d bytes gzipped, over its budget of %d", total, budget)
	}
}

// TestHandlerServesWithStrictHeaders: every file of the viewer comes with
// the CSP and no-referrer; anything else under /view is 404.
func TestHandlerServesWithStrictHeaders(t *testing.T) {
	mux := http.NewServeMux()
	Mount(mux)
	srv := httptest.NewServer(mux)
	defer srv.Close()
	for _, path := range []string{"/view", "/view/viewer.js", "/view/viewer.css"} {
		resp, err := http.Get(srv.URL + path)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != 200 {
			t.Errorf("GET %s: %s", path, resp.Status)
		}
		if csp := resp.Header.Get("Content-Security-Policy"); !strings.Contains(csp, "script-src 'self'") || strings.Contains(csp, "unsafe") {
			t.Errorf("GET %s: CSP %q", path, csp)
		}
		if resp.Header.Get("Referrer-Policy") != "no-referrer" {
			t.Errorf("GET %s: no Referrer-Policy: no-referrer", path)
		}
	}
	resp, err := http.Get(srv.URL + "/view/../go.mod")
	if err == nil {
		resp.Body.Close()
		if resp.StatusCode == 200 {
			t.Errorf("GET /view/../go.mod: 200")
		}
	}
	resp, err = http.Get(srv.URL + "/view/other.js")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != 404 {
		t.Errorf("GET /view/other.js: %s, want 404", resp.Status)
	}
}
