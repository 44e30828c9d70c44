package wallet

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"healthwallet/wallet/testcorpus"
)

func TestReadPDFInfo(t *testing.T) {
	for _, c := range []struct {
		name    string
		pdf     string
		title   string
		created time.Time
	}{
		{"literal", "%PDF-1.4\n1 0 obj\n<< /Title (Blood \\(CBC\\) results) /CreationDate (D:20240312093000+01'00') >>\nendobj\ntrailer\n<< /Info 1 0 R >>\n%%EOF",
			"Blood (CBC) results", time.Date(2024, 3, 12, 8, 30, 0, 0, time.UTC)},
		{"utf-16 hex", "%PDF-1.7\n7 0 obj <</Title <FEFF00C900630068006F> /CreationDate (D:2023)>> endobj\ntrailer <</Info 7 0 R>>",
			"Écho", time.Date(2023, 1, 1, 0, 0, 0, 0, time.UTC)},
		{"xmp only", "%PDF-1.7\n<x:xmpmeta><dc:title><rdf:Alt><rdf:li xml:lang=\"x-default\">X-ray &amp; report</rdf:li></rdf:Alt></dc:title><xmp:CreateDate>2022-05-06T07:08:09Z</xmp:CreateDate></x:xmpmeta>",
			"X-ray & report", time.Date(2022, 5, 6, 7, 8, 9, 0, time.UTC)},
		{"placeholder title", "%PDF-1.4\n1 0 obj << /Title (Untitled) /CreationDate (D:20200101) >> endobj trailer << /Info 1 0 R >>",
			"", time.Date(2020, 1, 1, 0, 0, 0, 0, time.UTC)},
	} {
		t.Run(c.name, func(t *testing.T) {
			info, err := readPDFInfo(strings.NewReader(c.pdf), int64(len(c.pdf)))
			if err != nil || info.Title != c.title || !info.Created.Equal(c.created) {
				t.Errorf("readPDFInfo = %+v, %v; want %q, %v", info, err, c.title, c.created)
			}
		})
	}
}

func TestSuggestDocumentMeta(t *testing.T) {
	pdf := documentFormatOf([]byte("%PDF-1.7"))
	for _, c := range []struct{ file, title, date, category string }{
		{"2024-03-12_lab_results.pdf", "Lab results", "2024-03-12", "Lab report"},
		{"chest x-ray 20230105.pdf", "Chest x ray", "2023-01-05", "Imaging"},
		{"Referral to cardiology.pdf", "Referral to cardiology", "", "Referral"},
		{"insurance card.pdf", "Insurance card", "", "Insurance"},
		{"scan0001.pdf", "Scan0001", "", "Document"},
	} {
		m := suggestDocumentMeta(c.file, pdf)
		if m.Title != c.title || fhirDate(m.Date) != c.date || m.Category != c.category {
			t.Errorf("%s: title %q, date %q, category %q; want %q, %q, %q", c.file, m.Title, fhirDate(m.Date), m.Category, c.title, c.date, c.category)
		}
	}
}

// The plain-text Blue Button reports import as Text documents titled after
// their file names.
func TestImportBlueButtonText(t *testing.T) {
	files, err := filepath.Glob(filepath.Join(testcorpus.Dir(t, "ccda"), "blue-button", "sense", "*.txt"))
	if err != nil || len(files) == 0 {
		t.Fatalf("no Blue Button text reports: %v", err)
	}
	w := newTestWallet(t)
	report, err := w.Import(t.Context(), files, nil)
	if err != nil {
		t.Fatal(err)
	}
	if len(report.Rejected) != 0 || len(report.Documents) != len(files) {
		t.Fatalf("report: %d documents, rejected %+v; want %d", len(report.Documents), report.Rejected, len(files))
	}
	for i, d := range report.Documents {
		if d.Kind != "Text" || d.File != filepath.Base(files[i]) {
			t.Errorf("document %d = %+v, want a Text document from %s", i, d, filepath.Base(files[i]))
		}
	}
	recs, _ := w.Records(Query{ResourceType: "DocumentReference"})
	titles := map[string]bool{}
	for _, r := range recs {
		titles[strings.ToLower(r.Title)] = true
	}
	for _, f := range files {
		stem := strings.TrimSuffix(filepath.Base(f), ".txt")
		if want := strings.ToLower(strings.NewReplacer("_", " ", "-", " ").Replace(stem)); !titles[want] {
			t.Errorf("no document titled %q (from %s) among %v", want, filepath.Base(f), titles)
		}
	}
}

func FuzzReadPDFInfo(f *testing.F) {
	var b bytes.Buffer
	testPDF{title: "T", created: "D:20240102"}.write(&b)
	f.Add(b.Bytes())
	f.Add([]byte("%PDF-1.4 trailer << /Info 1 0 R >> startxref 5 xref\n0 1\n"))
	if pdfs, _ := filepath.Glob(filepath.Join("..", "..", "shared", "testdata", "ccda", "blue-button", "sense", "*.pdf")); len(pdfs) > 0 {
		if data, err := os.ReadFile(pdfs[0]); err == nil {
			f.Add(data)
		}
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		info, _ := readPDFInfo(bytes.NewReader(data), int64(len(data)))
		if len([]rune(info.Title)) > pdfMaxTitle {
			t.Errorf("title of %d runes", len([]rune(info.Title)))
		}
	})
}
