package app

import (
	"bytes"
	"context"
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
