package wallet

import (
	"image"
	"image/color"
	"image/jpeg"
	"image/png"
	"io"
	"strings"
	"testing"
	"time"

	"golang.org/x/image/tiff"
)

// solidImage is a w×h image of one colour.
func solidImage(w, h int, c color.RGBA) *image.RGBA {
	img := image.NewRGBA(image.Rect(0, 0, w, h))
	for i := 0; i < len(img.Pix); i += 4 {
		img.Pix[i], img.Pix[i+1], img.Pix[i+2], img.Pix[i+3] = c.R, c.G, c.B, c.A
	}
	return img
}

func near(a, b uint8) bool { return a-b < 8 || b-a < 8 }

// assertColour checks the preview's centre pixel.
func assertColour(t *testing.T, img image.Image, want color.RGBA, maxW, maxH int) {
	t.Helper()
	b := img.Bounds()
	if b.Dx() > maxW || b.Dy() > maxH || b.Dx() == 0 {
		t.Errorf("preview is %v, want within %d×%d", b, maxW, maxH)
	}
	r, g, bl, _ := img.At(b.Min.X+b.Dx()/2, b.Min.Y+b.Dy()/2).RGBA()
	if !near(uint8(r>>8), want.R) || !near(uint8(g>>8), want.G) || !near(uint8(bl>>8), want.B) {
		t.Errorf("centre pixel = %d,%d,%d; want %v", r>>8, g>>8, bl>>8, want)
	}
}

func TestDocumentPreview(t *testing.T) {
	w := newTestWallet(t)
	dir := t.TempDir()
	red := color.RGBA{200, 30, 40, 255}
	cases := []struct {
		name  string
		write func(io.Writer) error
		want  color.RGBA
	}{
		{"photo.png", func(o io.Writer) error { return png.Encode(o, solidImage(640, 480, red)) }, red},
		{"photo.jpg", func(o io.Writer) error { return jpeg.Encode(o, solidImage(640, 480, red), nil) }, red},
		{"scan.tiff", func(o io.Writer) error { return tiff.Encode(o, solidImage(640, 480, red), nil) }, red},
		{"letter.pdf", testPDF{title: "Letter", rgb: [3]float64{0, 0.5, 1}}.write, color.RGBA{0, 128, 255, 255}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			path, sum := writeTestFile(t, dir, c.name, c.write)
			importOne(t, w, path)
			img, err := w.DocumentPreview(documentRecordID(t, w, sum), 160, 160)
			if err != nil {
				t.Fatalf("DocumentPreview: %v", err)
			}
			assertColour(t, img, c.want, 160, 160)
		})
	}
}

func TestCorruptDocumentsImportButDoNotPreview(t *testing.T) {
	w := newTestWallet(t)
	dir := t.TempDir()
	for _, c := range []struct{ name, body, why string }{
		{"broken.pdf", "%PDF-1.7\nthis is not a PDF at all\n", "cannot show this PDF"},
		{"broken.jpg", "\xff\xd8\xff\xe0 truncated", "cannot show this image"},
	} {
		t.Run(c.name, func(t *testing.T) {
			path, sum := writeTestFile(t, dir, c.name, func(o io.Writer) error { _, err := io.WriteString(o, c.body); return err })
			report := importOne(t, w, path)
			if report.Imported != 1 {
				t.Fatalf("a damaged %s was not kept: %+v", c.name, report)
			}
			_, err := w.DocumentPreview(documentRecordID(t, w, sum), 100, 100)
			if err == nil || !strings.Contains(err.Error(), c.why) {
				t.Errorf("preview error = %v, want one saying %q", err, c.why)
			}
		})
	}
}

func TestEditDocumentMakesAVersion(t *testing.T) {
	w := newTestWallet(t)
	path, sum := writeTestFile(t, t.TempDir(), "notes.txt", func(o io.Writer) error { _, err := io.WriteString(o, "Dr. visit notes\n"); return err })
	importOne(t, w, path)
	id := documentRecordID(t, w, sum)
	date := time.Date(2023, 11, 2, 0, 0, 0, 0, time.UTC)
	if err := w.EditDocument(id, DocumentEdit{Title: "Visit notes", Date: date, Category: "Letter"}); err != nil {
		t.Fatal(err)
	}
	d, err := w.Record(id)
	if err != nil {
		t.Fatal(err)
	}
	if d.Version != 2 || d.Title != "Visit notes" || !d.Date.Equal(date) || d.Category == "" {
		t.Errorf("after the edit: version %d, title %q, date %v; want version 2, the new title and date", d.Version, d.Title, d.Date)
	}
	if !strings.Contains(string(d.JSON), `"category":[{"text":"Letter"}]`) {
		t.Errorf("category not in the new version: %s", d.JSON)
	}
	rc, info, err := w.OpenAttachment(id)
	if err != nil {
		t.Fatalf("the edited document lost its file: %v", err)
	}
	got, _ := sumOf(t, rc)
	rc.Close()
	if got != sum || info.Title != "Visit notes" {
		t.Errorf("after the edit the file reads back as %s titled %q", got, info.Title)
	}
	// Importing the same file again keeps the patient's edit.
	report := importOne(t, w, path)
	if report.Duplicates != 1 {
		t.Errorf("re-import after an edit: %+v, want a duplicate", report)
	}
	if d, _ := w.Record(id); d.Title != "Visit notes" {
		t.Errorf("re-import replaced the edited title with %q", d.Title)
	}
}
