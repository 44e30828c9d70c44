//go:build unix

package main

// This file: golden screenshots of the verified viewer at phone and desktop
// width. Run with -update to write them again; set HW_SHOTS=DIR to also get
// the viewport and full-page shots in DIR to look at.

import (
	"bytes"
	"flag"
	"fmt"
	"image"
	"image/png"
	"os"
	"path/filepath"
	"testing"

	"github.com/chromedp/chromedp"
)

var updateGoldens = flag.Bool("update", false, "write the viewer's golden screenshots again")

// Golden comparison: a pixel differs when a colour channel is off by more
// than goldenPixelThreshold (of 255); the shot matches when at most
// goldenMaxDiffering of its pixels differ. Fonts come from the machine
// (Debian's), so anti-aliasing may move a little; layout, colours and text
// may not.
const (
	goldenPixelThreshold = 48
	goldenMaxDiffering   = 0.01
)

// normalizeJS replaces what differs from run to run (addresses and keys, the
// relay's port, clock times, today's and tomorrow's dates, durations) by
// fixed text in the page's text nodes, so a screenshot shows the same page
// every run. It only changes text, never layout or classes.
const normalizeJS = `(() => {
  const days = [0, 1, -1].map((d) => new Date(Date.now() + d * 86400000));
  const dateForms = [];
  for (const d of days) {
    dateForms.push(d.toISOString().slice(0, 10));
    for (const o of [{dateStyle: 'medium'}, {dateStyle: 'long'}, {dateStyle: 'short'}, {dateStyle: 'full'},
                     {day: 'numeric', month: 'short', year: 'numeric'}, {day: 'numeric', month: 'long', year: 'numeric'}]) {
      for (const loc of [undefined, 'en-US', 'en-GB']) {
        try { dateForms.push(d.toLocaleDateString(loc, o)); } catch (e) { /* unsupported form */ }
      }
    }
  }
  const fixedDate = '1 Jan 2030';
  const rules = [
    [/0x[0-9a-fA-F]{8,}/g, (m) => '0x' + '0'.repeat(m.length - 2)],
    [/0x[0-9a-fA-F]{2,6}…[0-9a-fA-F]{2,6}/g, (m) => m.replace(/[0-9a-fA-F]/g, '0').replace(/^00/, '0x')],
    [/\b[0-9a-f]{16,}\b/g, (m) => '0'.repeat(m.length)],
    [/127\.0\.0\.1:\d+/g, () => '127.0.0.1:40000'],
    [/\b\d{1,2}:\d{2}(:\d{2})?(\s?[AP]M)?/g, () => '12:00'],
    [/\b\d+ (second|minute|hour)s?\b/g, () => '59 minutes'],
  ];
  const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  for (let n = walker.nextNode(); n; n = walker.nextNode()) {
    let s = n.nodeValue;
    for (const f of dateForms) { if (f && s.includes(f)) s = s.split(f).join(fixedDate); }
    for (const [re, fn] of rules) s = s.replace(re, fn);
    if (s !== n.nodeValue) n.nodeValue = s;
  }
  return true;
})()`

// screenshotVerified opens the verified share at a device's size, fixes the
// text that varies, and compares a screenshot of the first screen with its
// golden; with HW_SHOTS set it also saves that and a full-page shot there.
func screenshotVerified(t *testing.T, b *browser, viewerURL, name string, d *viewport) {
	t.Helper()
	v := b.open(t, viewerURL, openOptions{Device: d, KeepTab: true})
	if v.State != "verified" {
		t.Fatalf("%s: data-state %q, want verified:\n%s", name, v.State, v.Text)
	}
	if _, err := chromedp.Run(v.tab, chromedp.Evaluate[bool](normalizeJS)); err != nil {
		t.Fatalf("normalizing the page's text: %v", err)
	}
	// Scroll to the top, blur the form and let layout settle.
	if _, err := chromedp.Run(v.tab, chromedp.Evaluate[bool](`(window.scrollTo(0, 0), document.activeElement && document.activeElement.blur(), true)`)); err != nil {
		t.Fatal(err)
	}
	shot, err := chromedp.Run(v.tab, chromedp.CaptureScreenshot())
	if err != nil {
		t.Fatalf("%s: screenshot: %v", name, err)
	}
	if dir := os.Getenv("HW_SHOTS"); dir != "" {
		full, err := chromedp.Run(v.tab, chromedp.FullScreenshot(100))
		if err != nil {
			t.Fatalf("%s: full-page screenshot: %v", name, err)
		}
		for file, data := range map[string][]byte{name + ".png": shot, name + "-full.png": full} {
			if err := os.WriteFile(filepath.Join(dir, file), data, 0o644); err != nil {
				t.Errorf("HW_SHOTS: %v", err)
			}
		}
	}
	compareGolden(t, filepath.Join("testdata", "viewer", name+".png"), shot)
}

// compareGolden compares a PNG with the golden file, or writes it under
// -update. On a mismatch the shot taken is written to the system's
// temporary directory, and the failure names it.
func compareGolden(t *testing.T, golden string, got []byte) {
	t.Helper()
	if *updateGoldens {
		if err := os.MkdirAll(filepath.Dir(golden), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(golden, got, 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(golden)
	if err != nil {
		t.Fatalf("the golden %s is missing (run the test with -update to write it): %v", golden, err)
	}
	differing, err := diffPNG(want, got)
	if err != nil || differing > goldenMaxDiffering {
		actual := filepath.Join(os.TempDir(), "viewer-actual-"+filepath.Base(golden))
		_ = os.WriteFile(actual, got, 0o644)
		if err != nil {
			t.Fatalf("%s: %v; the shot taken is %s (run with -update if the change is intended)", golden, err, actual)
		}
		t.Fatalf("%s: %.2f%% of the pixels differ (at most %.2f%% may); the shot taken is %s (run with -update if the change is intended)",
			golden, 100*differing, 100*goldenMaxDiffering, actual)
	}
}

// diffPNG returns the fraction of pixels that differ by more than the
// threshold in some channel; images of different sizes are an error.
func diffPNG(a, b []byte) (float64, error) {
	ia, err := png.Decode(bytes.NewReader(a))
	if err != nil {
		return 0, fmt.Errorf("the golden is not a PNG: %w", err)
	}
	ib, err := png.Decode(bytes.NewReader(b))
	if err != nil {
		return 0, fmt.Errorf("the shot is not a PNG: %w", err)
	}
	if ia.Bounds().Size() != ib.Bounds().Size() {
		return 1, fmt.Errorf("the shot is %v, the golden %v", ib.Bounds().Size(), ia.Bounds().Size())
	}
	differing := 0
	ra, rb := ia.Bounds(), ib.Bounds()
	for y := 0; y < ra.Dy(); y++ {
		for x := 0; x < ra.Dx(); x++ {
			if pixelDiffers(ia, ib, image.Pt(ra.Min.X+x, ra.Min.Y+y), image.Pt(rb.Min.X+x, rb.Min.Y+y)) {
				differing++
			}
		}
	}
	return float64(differing) / float64(ra.Dx()*ra.Dy()), nil
}

func pixelDiffers(a, b image.Image, pa, pb image.Point) bool {
	r1, g1, b1, a1 := a.At(pa.X, pa.Y).RGBA()
	r2, g2, b2, a2 := b.At(pb.X, pb.Y).RGBA()
	for _, d := range [][2]uint32{{r1, r2}, {g1, g2}, {b1, b2}, {a1, a2}} {
		x, y := int(d[0]>>8), int(d[1]>>8)
		if x-y > goldenPixelThreshold || y-x > goldenPixelThreshold {
			return true
		}
	}
	return false
}

// TestDiffPNG: the golden comparison passes an identical shot and one with
// a few pixels of anti-aliasing moved, and fails a shot whose block of text
// changed, or whose size did.
func TestDiffPNG(t *testing.T) {
	img := func(w, h int, paint func(*image.RGBA)) []byte {
		m := image.NewRGBA(image.Rect(0, 0, w, h))
		for i := range m.Pix {
			m.Pix[i] = 255
		}
		paint(m)
		var buf bytes.Buffer
		if err := png.Encode(&buf, m); err != nil {
			t.Fatal(err)
		}
		return buf.Bytes()
	}
	none := func(*image.RGBA) {}
	block := func(x0, y0, x1, y1 int, c uint8) func(*image.RGBA) {
		return func(m *image.RGBA) {
			for y := y0; y < y1; y++ {
				for x := x0; x < x1; x++ {
					i := m.PixOffset(x, y)
					m.Pix[i], m.Pix[i+1], m.Pix[i+2] = c, c, c
				}
			}
		}
	}
	base := img(100, 100, block(10, 10, 40, 20, 0))
	if d, err := diffPNG(base, img(100, 100, block(10, 10, 40, 20, 0))); err != nil || d != 0 {
		t.Errorf("identical: %v, %v", d, err)
	}
	if d, err := diffPNG(base, img(100, 100, block(10, 10, 40, 20, 30))); err != nil || d != 0 {
		t.Errorf("a slightly lighter block (anti-aliasing): %v differing, %v", d, err)
	}
	if d, err := diffPNG(base, img(100, 100, func(m *image.RGBA) { block(10, 10, 40, 20, 0)(m); block(50, 50, 52, 52, 0)(m) })); err != nil || d > goldenMaxDiffering {
		t.Errorf("four pixels moved: %v differing, %v", d, err)
	}
	if d, err := diffPNG(base, img(100, 100, none)); err != nil || d <= goldenMaxDiffering {
		t.Errorf("the block gone: %v differing (want more than %v), %v", d, goldenMaxDiffering, err)
	}
	if _, err := diffPNG(base, img(100, 90, none)); err == nil {
		t.Error("a shot of another size compared")
	}
}
