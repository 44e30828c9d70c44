//go:build unix

package main

import (
	"bytes"
	"encoding/base64"
	"image"
	"image/png"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strings"
	"testing"

	cdpbrowser "github.com/chromedp/cdproto/browser"
	"github.com/chromedp/chromedp"
)

// keepBlobsJS makes the page remember every Blob it hands to a blob: URL,
// so the test can read what a Download button saves.
const keepBlobsJS = `(() => {
  window.__blobs = [];
  const make = URL.createObjectURL.bind(URL);
  URL.createObjectURL = (b) => { window.__blobs.push(b); return make(b); };
  return true;
})()`

// lastBlobJS reads the last Blob the page made, as base64.
const lastBlobJS = `(async () => {
  const b = window.__blobs[window.__blobs.length - 1];
  if (!b) return '';
  const bytes = new Uint8Array(await b.arrayBuffer());
  let s = '';
  for (let i = 0; i < bytes.length; i += 0x8000) s += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  return btoa(s);
})()`

// keptFilesJS counts the page's kept files: verified with a Download
// button, and not verified (with none).
const keptFilesJS = `(() => ({
  verified: document.querySelectorAll('.kept-file[data-verified=true]').length,
  buttons: document.querySelectorAll('.kept-file button.download-file').length,
  notVerified: document.querySelectorAll('.kept-file[data-verified=false]').length,
}))()`

type keptFilesSeen struct {
	Verified    int `json:"verified"`
	Buttons     int `json:"buttons"`
	NotVerified int `json:"notVerified"`
}

// A PDF the patient kept, shared and opened by a clinician in the web
// viewer: its record offers a Download button, and what it saves is the
// PDF, byte for byte. When whoever serves the share flips one byte of the
// file (re-encrypted with the link's key), the page is not verified, the
// file is marked not verified, and there is nothing to download.
func TestViewerBrowserKeptFile(t *testing.T) {
	f := newViewerFixture(t)
	base := f.relay.base
	pdf := make([]byte, 300_000)
	r := rand.New(rand.NewPCG(12, 12))
	for i := range pdf {
		pdf[i] = byte(r.Uint32()) // every byte value: a text round trip would show
	}
	copy(pdf, "%PDF-1.7\n")
	copy(pdf[len(pdf)-6:], "%%EOF\n")
	path := filepath.Join(f.dir, "Lab report.pdf")
	if err := os.WriteFile(path, pdf, 0o600); err != nil {
		t.Fatal(err)
	}
	f.hw(t, "import", path)
	s := f.share(t, "--all", "--ttl", "1h", "--purpose", "TREAT", "--label", "Lab report")
	if s.Records != 1 {
		t.Fatalf("the share holds %d records, want the PDF's one", s.Records)
	}

	t.Run("download", func(t *testing.T) {
		v := f.browser.open(t, s.viewerURL(base), openOptions{KeepTab: true})
		checkPrivacy(t, v, s.shlink(), base)
		if v.State != "verified" {
			t.Fatalf("data-state %q, want verified:\n%s", v.State, v.Text)
		}
		if !strings.Contains(v.Text, "Lab report") || !strings.Contains(v.Text, "size and SHA-256 checked") {
			t.Errorf("the page does not show the kept file as checked:\n%s", v.Text)
		}
		seen, err := chromedp.Run(v.tab, chromedp.Evaluate[keptFilesSeen](keptFilesJS))
		if err != nil || seen.Verified != 1 || seen.Buttons != 1 || seen.NotVerified != 0 {
			t.Fatalf("kept files on the page: %+v (%v); want one verified with its Download button", seen, err)
		}
		// Saving is the browser's business; the test reads the Blob the
		// button hands it.
		if _, err := chromedp.Call(v.tab, cdpbrowser.SetDownloadBehavior, cdpbrowser.SetDownloadBehaviorParams{Behavior: cdpbrowser.SetDownloadBehaviorBehaviorDeny}); err != nil {
			t.Fatal(err)
		}
		if _, err := chromedp.Run(v.tab, chromedp.Evaluate[bool](keepBlobsJS)); err != nil {
			t.Fatal(err)
		}
		if err := chromedp.Do(v.tab, chromedp.Click(chromedp.CSS(".kept-file button.download-file"))); err != nil {
			t.Fatalf("clicking Download: %v", err)
		}
		got64, err := chromedp.Run(v.tab, chromedp.Evaluate[string](lastBlobJS, chromedp.EvalAwaitPromise))
		if err != nil {
			t.Fatal(err)
		}
		got, err := base64.StdEncoding.DecodeString(got64)
		if err != nil || !bytes.Equal(got, pdf) {
			t.Fatalf("Download saved %d bytes (%v), not the %d bytes of the PDF shared", len(got), err, len(pdf))
		}
		name, err := chromedp.Run(v.tab, chromedp.Evaluate[string](`document.querySelector('.kept-file button.download-file').getAttribute('aria-label')`))
		if err != nil || name != "Download Lab report.pdf" {
			t.Errorf("the button is labelled %q (%v); want the file's name, Lab report.pdf", name, err)
		}
	})

	t.Run("image-preview", func(t *testing.T) {
		img := image.NewRGBA(image.Rect(0, 0, 64, 48))
		for i := range img.Pix {
			img.Pix[i] = byte(i * 7)
		}
		var buf bytes.Buffer
		if err := png.Encode(&buf, img); err != nil {
			t.Fatal(err)
		}
		photo := filepath.Join(f.dir, "Rash photo.png")
		if err := os.WriteFile(photo, buf.Bytes(), 0o600); err != nil {
			t.Fatal(err)
		}
		f.hw(t, "import", photo)
		both := f.share(t, "--all", "--ttl", "1h", "--purpose", "TREAT")
		v := f.browser.open(t, both.viewerURL(base), openOptions{KeepTab: true})
		if v.State != "verified" || both.Records != 2 {
			t.Fatalf("data-state %q with %d records, want verified with the PDF and the photo:\n%s", v.State, both.Records, v.Text)
		}
		// The photo is shown, decoded from the bytes checked (a blob: URL);
		// the PDF has no preview, only its Download.
		size, err := chromedp.Run(v.tab, chromedp.Evaluate[[]int](`(async () => {
  const imgs = [...document.querySelectorAll('.kept-file[data-verified=true] img.kept-file-preview')];
  return Promise.all(imgs.map((i) => i.decode().then(() => (i.src.startsWith('blob:') ? i.naturalWidth * 1000 + i.naturalHeight : -1), () => -2)));
})()`, chromedp.EvalAwaitPromise))
		if err != nil || len(size) != 1 || size[0] != 64_048 {
			t.Fatalf("previews on the page: %v (%v); want one, the 64×48 photo, from a blob: URL", size, err)
		}
	})

	t.Run("tampered", func(t *testing.T) {
		p := startTamperProxy(t, base, s.shlink(), tamperFileData)
		forged := p.rewriteLink(t, s.shlink())
		v := f.browser.open(t, p.base+"/view#"+forged, openOptions{KeepTab: true})
		checkPrivacy(t, v, forged, p.base)
		if v.State == "verified" {
			t.Fatalf("a share whose file was altered shows Verified:\n%s", v.Text)
		}
		seen, err := chromedp.Run(v.tab, chromedp.Evaluate[keptFilesSeen](keptFilesJS))
		if err != nil {
			t.Fatal(err)
		}
		if seen.Buttons != 0 || seen.Verified != 0 || seen.NotVerified != 1 {
			t.Fatalf("kept files on the page: %+v; want the altered file marked not verified, with no Download", seen)
		}
		if !strings.Contains(v.Text, "Not verified: this file could not be checked") {
			t.Errorf("the page does not say the file is not verified:\n%s", v.Text)
		}
	})
}
