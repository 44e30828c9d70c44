package main

import (
	"bufio"
	"bytes"
	"crypto/sha256"
	"encoding/json"
	"fmt"
	"image"
	"image/jpeg"
	"io"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// writePaddedPDF writes a valid one-page PDF padded with an unused stream
// of n pseudo-random bytes.
func writePaddedPDF(t *testing.T, path string, n int64) {
	t.Helper()
	f, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	bw := bufio.NewWriter(f)
	var offs []int
	pos := 0
	put := func(s string) { bw.WriteString(s); pos += len(s) }
	obj := func(body string) {
		offs = append(offs, pos)
		put(fmt.Sprintf("%d 0 obj\n%s\nendobj\n", len(offs), body))
	}
	put("%PDF-1.4\n")
	obj("<< /Type /Catalog /Pages 2 0 R >>")
	obj("<< /Type /Pages /Kids [3 0 R] /Count 1 >>")
	obj("<< /Type /Page /Parent 2 0 R /MediaBox [0 0 200 100] >>")
	offs = append(offs, pos)
	put(fmt.Sprintf("4 0 obj\n<< /Length %d >>\nstream\n", n))
	rng := rand.New(rand.NewPCG(4, 4))
	buf := make([]byte, 1<<16)
	for left := n; left > 0; left -= int64(len(buf)) {
		for i := range buf {
			buf[i] = byte(rng.Uint32())
		}
		bw.Write(buf[:min(left, int64(len(buf)))])
	}
	pos += int(n)
	put("\nendstream\nendobj\n")
	xref := pos
	put(fmt.Sprintf("xref\n0 %d\n0000000000 65535 f \n", len(offs)+1))
	for _, o := range offs {
		put(fmt.Sprintf("%010d 00000 n \n", o))
	}
	put(fmt.Sprintf("trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n", len(offs)+1, xref))
	if err := bw.Flush(); err != nil {
		t.Fatal(err)
	}
	if err := f.Close(); err != nil {
		t.Fatal(err)
	}
}

// writeNoisePhoto writes a JPEG of coloured noise at least minBytes long.
func writeNoisePhoto(t *testing.T, path string, minBytes int) {
	t.Helper()
	rng := rand.New(rand.NewPCG(7, 7))
	for side := 1500; ; side += 500 {
		img := image.NewRGBA(image.Rect(0, 0, side, side))
		for i := range img.Pix {
			img.Pix[i] = byte(rng.Uint32())
		}
		var b bytes.Buffer
		if err := jpeg.Encode(&b, img, &jpeg.Options{Quality: 100}); err != nil {
			t.Fatal(err)
		}
		if b.Len() >= minBytes {
			if err := os.WriteFile(path, b.Bytes(), 0o600); err != nil {
				t.Fatal(err)
			}
			return
		}
	}
}

func fileSum(t *testing.T, path string) [32]byte {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	h := sha256.New()
	if _, err := io.Copy(h, f); err != nil {
		t.Fatal(err)
	}
	return [32]byte(h.Sum(nil))
}

// A 20 MB PDF and a 10 MB photo go in with hw import, show as documents, and
// come back byte for byte with hw show --attachment --out; hw edit changes
// a document's title and date as a new version.
func TestDocumentsRoundTripCLI(t *testing.T) {
	dir := t.TempDir()
	env := []string{"HW_VAULT=" + filepath.Join(dir, "vault"), "HW_KDF=fast", "HW_PASSWORD=correct horse battery"}
	hwOK(t, env, "init", "--name", "Ada Lovelace")
	pdf := filepath.Join(dir, "2024-03-12 discharge letter.pdf")
	writePaddedPDF(t, pdf, 20<<20)
	photo := filepath.Join(dir, "rash photo.jpg")
	writeNoisePhoto(t, photo, 10<<20)

	var report struct {
		Imported  int `json:"imported"`
		Documents []struct {
			File, Kind string
			Records    int
		} `json:"documents"`
	}
	if err := json.Unmarshal([]byte(hwOK(t, env, "import", "--json", pdf, photo)), &report); err != nil {
		t.Fatal(err)
	}
	if report.Imported != 2 || len(report.Documents) != 2 || report.Documents[0].Kind != "PDF" || report.Documents[1].Kind != "Image" {
		t.Fatalf("import report = %+v, want a PDF and an image", report)
	}
	var recs []struct {
		ID       string `json:"id"`
		Title    string `json:"title"`
		Category string `json:"category"`
	}
	for _, line := range strings.Split(strings.TrimSpace(hwOK(t, env, "records", "--type", "DocumentReference", "--json")), "\n") {
		var r struct {
			ID       string `json:"id"`
			Title    string `json:"title"`
			Category string `json:"category"`
		}
		if err := json.Unmarshal([]byte(line), &r); err != nil {
			t.Fatalf("records --json line %q: %v", line, err)
		}
		recs = append(recs, r)
	}
	if len(recs) != 2 {
		t.Fatalf("records: %+v, want two documents", recs)
	}
	for _, r := range recs {
		src := photo
		if strings.Contains(r.Title, "Discharge") || strings.Contains(r.Title, "discharge") {
			src = pdf
		}
		out := filepath.Join(dir, "back-"+filepath.Base(src))
		hwOK(t, env, "show", "--attachment", r.ID, "--out", out)
		if fileSum(t, out) != fileSum(t, src) {
			t.Errorf("%s came back different from what was imported", filepath.Base(src))
		}
		if _, errOut, code := hwProc(t, env, "show", "--attachment", r.ID, "--out", out); code == 0 || !strings.Contains(errOut, "--force") {
			t.Errorf("show --out over an existing file: exit %d, %q; want a refusal naming --force", code, errOut)
		}
		hwOK(t, env, "show", "--attachment", r.ID, "--out", out, "--force")
		if shown := hwOK(t, env, "show", r.ID); !strings.Contains(shown, "File:") || !strings.Contains(shown, "MiB") {
			t.Errorf("hw show of a document does not say what file it keeps:\n%s", shown)
		}
	}

	id := recs[0].ID
	shown := hwOK(t, env, "edit", id, "--title", "Hospital letter", "--date", "2024-04-01", "--category", "Letter")
	if !strings.Contains(shown, "Hospital letter") || !strings.Contains(shown, "2024-04-01") || !strings.Contains(shown, "Version:   2") {
		t.Errorf("hw edit shows:\n%s\nwant the new title, date and a second version", shown)
	}
}
