package app

import (
	"bytes"
	"context"
	"slices"
	"strings"
	"testing"

	"healthwallet/wallet"
	"healthwallet/wallet/network"
	"healthwallet/wallet/share"
)

// withDocument is the fake backend whose shares carry a kept PDF.
type withDocument struct{ *fakeBackend }

var receivedPDF = append([]byte("%PDF-1.7\n"), bytes.Repeat([]byte("x"), 14_000)...)

func (b withDocument) Receive(ctx context.Context, link string, trusted []network.Membership, opts wallet.ReceiveOptions) (wallet.Received, error) {
	got, err := b.fakeBackend.Receive(ctx, link, trusted, opts)
	got.Attachments = []share.ReceivedAttachment{{Record: "DocumentReference/doc-1", Title: "../Lab report", ContentType: "application/pdf",
		Size: int64(len(receivedPDF)), SHA256: "ab", Data: receivedPDF}}
	return got, err
}

// A received share lists its documents with type and size; Save… writes
// the file, byte-identical, under a plain name made from its title.
func TestReceivedDocumentSaved(t *testing.T) {
	h := newHarness(t, withDocument{newFakeBackend(false)}, phoneSize, false)
	h.ui.sessionTrust = []network.Membership{testMembership()}
	h.tap("Receive a share (for doctors)")
	h.typeIn(h.entry("Paste a link or scan a QR code"), testLink)
	h.pressEnter()
	h.see("Documents (1)")
	h.see("../Lab report")
	h.see("application/pdf · 14.0 kB")
	h.tap("Save…")
	got := h.files.saved["Lab report.pdf"]
	if got == nil || !bytes.Equal(got.Bytes(), receivedPDF) {
		t.Fatalf("saved %v; want the PDF as Lab report.pdf", h.files.saved)
	}
}

// withDocumentRecord is withDocument whose share also holds the PDF's
// DocumentReference.
type withDocumentRecord struct{ withDocument }

func (b withDocumentRecord) Receive(ctx context.Context, link string, trusted []network.Membership, opts wallet.ReceiveOptions) (wallet.Received, error) {
	got, err := b.withDocument.Receive(ctx, link, trusted, opts)
	got.Records = append(got.Records, []byte(`{"resourceType":"DocumentReference","id":"doc-1","status":"current",`+
		`"type":{"text":"Lab report"},"date":"2024-03-14T10:00:00Z","content":[{"attachment":{"contentType":"application/pdf","title":"../Lab report"}}]}`))
	return got, err
}

// A kept file is listed in the chart's Documents section, in the chart's
// order: on its DocumentReference's row when the share holds it, with
// Save…; a search that does not name it hides it.
func TestReceivedDocumentInTheChart(t *testing.T) {
	for _, b := range []Backend{withDocument{newFakeBackend(false)}, withDocumentRecord{withDocument{newFakeBackend(false)}}} {
		h := newHarness(t, b, desktopSize, false)
		h.ui.sessionTrust = []network.Membership{testMembership()}
		h.tap("Receive a share (for doctors)")
		h.typeIn(h.entry("Paste a link or scan a QR code"), testLink)
		h.pressEnter()
		shown := h.chartShown()
		docs := slices.Index(shown, "Documents (1)")
		if docs < 0 || slices.Index(shown, "Vital signs (1)") > docs || strings.Count(strings.Join(shown, "\n"), "Documents (") != 1 {
			t.Errorf("%T: the chart shows %q: want one Documents (1) after the vital signs", b, shown)
		}
		h.tap("Save…")
		if got := h.files.saved["Lab report.pdf"]; got == nil || !bytes.Equal(got.Bytes(), receivedPDF) {
			t.Fatalf("%T: saved %v; want the PDF as Lab report.pdf", b, h.files.saved)
		}
		h.typeIn(h.entry("Search these records"), "hemoglobin")
		h.dontSee("Documents (1)")
		h.typeInto(h.entry("Search these records"), "lab report")
		h.see("Documents (1)")
	}
}
