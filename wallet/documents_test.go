package wallet

import (
	"bufio"
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"math/rand/v2"
	"os"
	"path/filepath"
	"testing"

	"go.etcd.io/bbolt"
)

// testPDF describes a PDF the tests write: one page filled with one colour,
// an Info dictionary, and optional padding in an unused stream so that the
// file is as large as a scan.
type testPDF struct {
	title   string // Info /Title, "" for none
	created string // Info /CreationDate, "" for none
	rgb     [3]float64
	padding int64 // bytes of pseudo-random stream data
}

// write writes the PDF to w, streaming the padding.
func (p testPDF) write(w io.Writer) error {
	bw := bufio.NewWriter(w)
	var offsets []int64
	var pos int64
	put := func(format string, args ...any) {
		n, _ := fmt.Fprintf(bw, format, args...)
		pos += int64(n)
	}
	obj := func(body string) {
		offsets = append(offsets, pos)
		put("%d 0 obj\n%s\nendobj\n", len(offsets), body)
	}
	put("%%PDF-1.4\n%%\xe2\xe3\xcf\xd3\n")
	obj("<< /Type /Catalog /Pages 2 0 R >>")
	obj("<< /Type /Pages /Kids [3 0 R] /Count 1 >>")
	obj("<< /Type /Page /Parent 2 0 R /MediaBox [0 0 200 100] /Contents 4 0 R >>")
	content := fmt.Sprintf("%.3f %.3f %.3f rg 0 0 200 100 re f", p.rgb[0], p.rgb[1], p.rgb[2])
	obj(fmt.Sprintf("<< /Length %d >>\nstream\n%s\nendstream", len(content), content))
	info := "<< /Producer (healthwallet test)"
	if p.title != "" {
		info += " /Title (" + p.title + ")"
	}
	if p.created != "" {
		info += " /CreationDate (" + p.created + ")"
	}
	obj(info + " >>")
	if p.padding > 0 {
		offsets = append(offsets, pos)
		put("%d 0 obj\n<< /Length %d >>\nstream\n", len(offsets), p.padding)
		n, err := io.Copy(bw, io.LimitReader(noise(1), p.padding))
		if err != nil {
			return err
		}
		pos += n
		put("\nendstream\nendobj\n")
	}
	xref := pos
	put("xref\n0 %d\n0000000000 65535 f \n", len(offsets)+1)
	for _, off := range offsets {
		put("%010d 00000 n \n", off)
	}
	put("trailer\n<< /Size %d /Root 1 0 R /Info 5 0 R >>\nstartxref\n%d\n%%%%EOF\n", len(offsets)+1, xref)
	return bw.Flush()
}

// noise is a fast deterministic stream of pseudo-random bytes.
func noise(seed uint64) io.Reader { return &noiseReader{rand.NewPCG(seed, seed)} }

type noiseReader struct{ src *rand.PCG }

func (n *noiseReader) Read(p []byte) (int, error) {
	for i := 0; i < len(p); i += 8 {
		v := n.src.Uint64()
		for j := 0; j < 8 && i+j < len(p); j++ {
			p[i+j] = byte(v >> (8 * j))
		}
	}
	return len(p), nil
}

// writeTestFile writes a file in dir with write and returns its path and
// hex SHA-256.
func writeTestFile(t testing.TB, dir, name string, write func(io.Writer) error) (string, string) {
	t.Helper()
	path := filepath.Join(dir, name)
	f, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	h := sha256.New()
	if err := write(io.MultiWriter(f, h)); err != nil {
		t.Fatal(err)
	}
	if err := f.Close(); err != nil {
		t.Fatal(err)
	}
	return path, hex.EncodeToString(h.Sum(nil))
}

// importOne imports one file and returns the report.
func importOne(t testing.TB, w *Wallet, path string) ImportReport {
	t.Helper()
	report, err := w.Import(context.Background(), []string{path}, nil)
	if err != nil {
		t.Fatalf("Import: %v", err)
	}
	if len(report.Rejected) > 0 {
		t.Fatalf("Import rejected %s: %s", path, report.Rejected[0].Error)
	}
	return report
}

// documentRecordID finds the record of the DocumentReference kept for the
// file with hex SHA-256 sum.
func documentRecordID(t *testing.T, w *Wallet, sum string) string {
	t.Helper()
	recs, err := w.Records(Query{ResourceType: "DocumentReference"})
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range recs {
		if r.ResourceID == documentID(sum) {
			return r.ID
		}
	}
	t.Fatalf("no DocumentReference %s among %d documents", documentID(sum), len(recs))
	return ""
}

// sumOf reads r to its end and returns its hex SHA-256 and length.
func sumOf(t *testing.T, r io.Reader) (string, int64) {
	t.Helper()
	h := sha256.New()
	n, err := io.Copy(h, r)
	if err != nil {
		t.Fatalf("reading back: %v", err)
	}
	return hex.EncodeToString(h.Sum(nil)), n
}

func TestImportPDFKeepsTheFile(t *testing.T) {
	w := newTestWallet(t)
	dir := t.TempDir()
	pdf := testPDF{title: "Blood count", created: "D:20240312093000+01'00'", rgb: [3]float64{1, 0, 0}, padding: 20 << 20}
	path, sum := writeTestFile(t, dir, "scan_lab_2024-03-12.pdf", pdf.write)

	report := importOne(t, w, path)
	if report.Imported != 1 || report.ByType["DocumentReference"] != 1 {
		t.Fatalf("report = %+v, want one new DocumentReference", report)
	}
	if len(report.Documents) != 1 || report.Documents[0].Kind != "PDF" || report.Documents[0].Records != 1 {
		t.Fatalf("documents = %+v, want one PDF with one record", report.Documents)
	}
	if len(report.Files) != 1 || report.Files[0].Kind != FileDocument {
		t.Fatalf("files = %+v, want one document", report.Files)
	}

	id := documentRecordID(t, w, sum)
	d, err := w.Record(id)
	if err != nil {
		t.Fatal(err)
	}
	var doc struct {
		Date        string `json:"date"`
		Description string `json:"description"`
		Category    []struct {
			Text string `json:"text"`
		} `json:"category"`
		Content []struct {
			Attachment struct {
				ContentType string `json:"contentType"`
				Size        int64  `json:"size"`
				Hash        string `json:"hash"`
				Extension   []struct {
					URL         string `json:"url"`
					ValueString string `json:"valueString"`
				} `json:"extension"`
			} `json:"attachment"`
		} `json:"content"`
	}
	if err := json.Unmarshal(d.JSON, &doc); err != nil {
		t.Fatal(err)
	}
	a := doc.Content[0].Attachment
	st, _ := os.Stat(path)
	if a.ContentType != "application/pdf" || a.Size != st.Size() || a.Hash == "" ||
		len(a.Extension) != 1 || a.Extension[0].URL != attachmentSHA256URL || a.Extension[0].ValueString != sum {
		t.Errorf("attachment = %+v, want the PDF's type, size %d and SHA-256 %s", a, st.Size(), sum)
	}
	if doc.Description != "Blood count" || doc.Date != "2024-03-12" || len(doc.Category) != 1 || doc.Category[0].Text != "Lab report" {
		t.Errorf("title %q, date %q, category %+v: want the PDF's title, the file name's date, Lab report", doc.Description, doc.Date, doc.Category)
	}
	if bytes.Contains(d.JSON, []byte(d.Source.Attachment)) {
		t.Errorf("the vault attachment id is in the record's JSON: it must stay out of what is anchored")
	}

	rc, info, err := w.OpenAttachment(id)
	if err != nil {
		t.Fatal(err)
	}
	got, n := sumOf(t, rc)
	rc.Close()
	if got != sum || n != st.Size() || info.SHA256 != sum || info.Size != st.Size() || info.FileName != "scan_lab_2024-03-12.pdf" {
		t.Errorf("read back %d bytes with SHA-256 %s (info %+v), want the file's %d bytes, %s", n, got, info, st.Size(), sum)
	}

	// The same file again, under another name: a duplicate, and no second
	// copy stays in the vault.
	again := filepath.Join(dir, "copy.pdf")
	copyFile(t, path, again)
	before := attachmentCount(t, w)
	report = importOne(t, w, again)
	if report.Imported != 0 || report.Duplicates != 1 || report.Files[0].Duplicates != 1 {
		t.Errorf("re-import: %+v, want one duplicate", report)
	}
	if after := attachmentCount(t, w); after != before {
		t.Errorf("attachments: %d before the duplicate, %d after", before, after)
	}
}

func copyFile(t *testing.T, from, to string) {
	t.Helper()
	in, err := os.Open(from)
	if err != nil {
		t.Fatal(err)
	}
	defer in.Close()
	out, err := os.Create(to)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := io.Copy(out, in); err != nil {
		t.Fatal(err)
	}
	if err := out.Close(); err != nil {
		t.Fatal(err)
	}
}

// attachmentCount counts the attachments in w's vault file, read from a
// copy (the open vault holds the file's lock).
func attachmentCount(t *testing.T, w *Wallet) int {
	t.Helper()
	cp := filepath.Join(t.TempDir(), "vault-copy")
	copyFile(t, w.vault.Path(), cp)
	db, err := bbolt.Open(cp, 0o600, &bbolt.Options{ReadOnly: true})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	n := 0
	err = db.View(func(tx *bbolt.Tx) error {
		return tx.Bucket([]byte("attachments")).ForEachBucket(func([]byte) error { n++; return nil })
	})
	if err != nil {
		t.Fatal(err)
	}
	return n
}
