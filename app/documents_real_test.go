package app

import (
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"healthwallet/wallet"
	"healthwallet/wallet/record"
	"healthwallet/wallet/testcorpus"
)

// TestRealWalletDocuments drives the import screen over the real wallet
// with a PDF, a SMART Health Card and a C-CDA document in one go: the
// result says what each became, the card is never verified (its issuer is
// not trusted), the PDF's detail says where it came from, and its copy is
// the file byte for byte.
func TestRealWalletDocuments(t *testing.T) {
	card := filepath.Join(testcorpus.Dir(t, "shc"), "example-00-e-file.smart-health-card")
	ccd := filepath.Join(testcorpus.Dir(t, "ccda"), "synthea", "Angelina101_Barton704_f19307b9-86f8-b922-6327-d459dba22815.xml")
	pdf := filepath.Join(t.TempDir(), "labs-2024-03-12.pdf")
	pdfBytes := []byte("%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n" +
		"2 0 obj<</Type/Pages/Kids[3 0 R]/Count 1>>endobj\n" +
		"3 0 obj<</Type/Page/Parent 2 0 R/MediaBox[0 0 200 200]>>endobj\n" +
		"trailer<</Root 1 0 R>>\n%%EOF\n")
	if err := os.WriteFile(pdf, pdfBytes, 0o600); err != nil {
		t.Fatal(err)
	}

	dir := t.TempDir()
	b := NewBackend(dir, wallet.Options{KDFTime: 1, KDFMemoryKiB: 8 * 1024, KDFThreads: 1})
	h := newHarness(t, b, desktopSize, true)
	t.Cleanup(func() { closeUI(h) })
	h.createInUI(testName)
	h.tap("Skip for now")
	h.screen("records")

	h.tap("Import")
	for _, p := range []string{pdf, card, ccd} {
		h.files.open = p
		h.tap("Add file…")
	}
	h.tap("Import")
	h.wait()
	h.screen("import-result")
	h.see("labs-2024-03-12.pdf — kept as a PDF document")
	h.see("example-00-e-file.smart-health-card — card from ")
	h.dontSee(": verified")
	h.see(filepath.Base(ccd) + " — ")
	h.dontSee("not imported")

	recs, err := h.ui.wallet.Records(wallet.Query{ResourceType: "DocumentReference"})
	if err != nil {
		t.Fatal(err)
	}
	i := slices.IndexFunc(recs, func(r record.Record) bool {
		return r.Source != nil && r.Source.File == filepath.Base(pdf)
	})
	if i < 0 {
		t.Fatalf("no DocumentReference kept for the PDF among %d", len(recs))
	}
	h.ui.showDetail(recs[i].ID)
	h.wait()
	h.see("Where this came from")
	h.see(filepath.Base(pdf))
	h.tap(saveCopyLabel)
	h.wait()
	got := h.files.saved[filepath.Base(pdf)]
	if got == nil || got.String() != string(pdfBytes) {
		t.Fatal("the saved copy is not the imported PDF byte for byte")
	}

	// The card's records say who issued it and that it is not verified.
	imms, err := h.ui.wallet.Records(wallet.Query{ResourceType: "Immunization", Person: wallet.Everyone}) // the card is about someone else: kept apart
	if err != nil || len(imms) == 0 {
		t.Fatalf("no immunizations from the card: %v", err)
	}
	j := slices.IndexFunc(imms, func(r record.Record) bool { return r.Source != nil && r.Source.Kind == record.SourceCard })
	if j < 0 {
		t.Fatal("no record from the card keeps its provenance")
	}
	h.ui.showDetail(imms[j].ID)
	h.wait()
	h.see("SMART Health Card from ")
	h.see("Issuer not trusted")
	if strings.Contains(strings.Join(h.texts(), "\n"), "Issuer trusted") {
		t.Fatal("an issuer no one trusted shows as trusted")
	}
}
