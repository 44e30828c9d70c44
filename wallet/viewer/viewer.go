package viewer

import (
	"crypto/sha256"
	"embed"
	"encoding/hex"
	"fmt"
	"io/fs"
	"net/http"
	"path"
	"sort"
	"strings"
	"sync"
)

// Path is where the viewer page is served; a share's viewer URL is
// <relay>/view#shlink:/….
const Path = "/view"

//go:embed dist/index.html dist/viewer.js dist/viewer.css
var dist embed.FS

// files are the bundle's files by the URL path that serves each one.
var files = map[string]struct {
	name, contentType string
}{
	Path:                 {"index.html", "text/html; charset=utf-8"},
	Path + "/":           {"index.html", "text/html; charset=utf-8"},
	Path + "/viewer.js":  {"viewer.js", "text/javascript; charset=utf-8"},
	Path + "/viewer.css": {"viewer.css", "text/css; charset=utf-8"},
}

// ContentSecurityPolicy is sent with every file of the viewer. Scripts and
// styles come only from the page's own origin (no inline script or style),
// nothing is framed, no form posts anywhere. connect-src allows the page's
// own origin (the relay's manifest and files, the node's read-only RPC and
// issuer-key proxy) and https origins, for the manifests of links made on
// other relays (an SHL from another issuer); the script that makes those
// requests is this bundle alone.
const ContentSecurityPolicy = "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data: blob:; " +
	"connect-src 'self' https:; base-uri 'none'; form-action 'none'; frame-ancestors 'none'"

// Handler serves the viewer's files at /view, /view/viewer.js and
// /view/viewer.css, with the security headers every one of them needs.
// Mount it on a mux at "GET /view" and "GET /view/".
func Handler() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		f, ok := files[r.URL.Path]
		if !ok {
			http.NotFound(w, r)
			return
		}
		body, err := dist.ReadFile("dist/" + f.name)
		if err != nil {
			http.Error(w, "the viewer is missing from this build", http.StatusInternalServerError)
			return
		}
		h := w.Header()
		h.Set("Content-Type", f.contentType)
		h.Set("Content-Security-Policy", ContentSecurityPolicy)
		h.Set("Referrer-Policy", "no-referrer")
		h.Set("X-Content-Type-Options", "nosniff")
		h.Set("Cross-Origin-Opener-Policy", "same-origin")
		h.Set("Cache-Control", "no-cache")
		if r.Method == http.MethodHead {
			return
		}
		_, _ = w.Write(body)
	})
}

// Mount serves the viewer on mux at /view and below.
func Mount(mux *http.ServeMux) {
	h := Handler()
	mux.Handle("GET "+Path, h)
	mux.Handle("GET "+Path+"/", h)
}

// BundleHash is the hex SHA-256 of the bundle's manifest: one line
// "<sha256 hex>  <file name>\n" per file, sorted by name (the output of
// `sha256sum index.html viewer.css viewer.js` in dist/). The network
// document publishes it; an auditor recomputes it from a fresh build.
// The embedded bundle never changes, so it is hashed once per process
// (a direct share's document is made at every request).
func BundleHash() string { return bundleHash() }

var bundleHash = sync.OnceValue(func() string {
	sum, err := hashFS(dist, "dist")
	if err != nil {
		panic(fmt.Sprintf("viewer: the embedded bundle is unreadable: %v", err)) // a broken build, not user input
	}
	return sum
})

// hashFS computes the bundle hash of the files in dir of fsys.
func hashFS(fsys fs.FS, dir string) (string, error) {
	var body [3][]byte
	for i, name := range []string{"index.html", "viewer.js", "viewer.css"} {
		b, err := fs.ReadFile(fsys, path.Join(dir, name))
		if err != nil {
			return "", err
		}
		body[i] = b
	}
	return HashFiles(body[0], body[1], body[2]), nil
}

// HashFiles is the bundle hash (see BundleHash) of the three files as a
// server serves them at /view, /view/viewer.js and /view/viewer.css: what
// anyone can compare with the network document's viewer field and with a
// fresh build's.
func HashFiles(index, js, css []byte) string {
	files := map[string][]byte{"index.html": index, "viewer.js": js, "viewer.css": css}
	names := []string{"index.html", "viewer.css", "viewer.js"}
	sort.Strings(names)
	var manifest strings.Builder
	for _, name := range names {
		s := sha256.Sum256(files[name])
		fmt.Fprintf(&manifest, "%s  %s\n", hex.EncodeToString(s[:]), name)
	}
	s := sha256.Sum256([]byte(manifest.String()))
	return hex.EncodeToString(s[:])
}
