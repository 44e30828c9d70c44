package app

import (
	"bytes"
	"path/filepath"
	"strings"
	"testing"

	"healthwallet/wallet"
	"healthwallet/wallet/share"
	"healthwallet/wallet/testcorpus"
)

// The emergency card over the real wallet and the network this computer
// runs: the profile filled in on screen, the card made, its QR on screen;
// saved as PDF and PNG, the PNG's QR read back by the decoder to the card's
// link; revoked.
func TestEmergencyCardRealWallet(t *testing.T) {
	file := filepath.Join(testcorpus.Dir(t, "synthea"), "Bibi254_Schowalter414_475d72ca-91c7-7211-97e3-f000af33fc04.json")
	want := testcorpus.CountResources(t, file)
	b := NewBackend(t.TempDir(), wallet.Options{KDFTime: 1, KDFMemoryKiB: 8 * 1024, KDFThreads: 1})
	h := newHarness(t, b, desktopSize, true)
	t.Cleanup(func() { closeUI(h) })
	h.createInUI("Bibi254 Schowalter414")
	h.tap("Try it on this computer")
	h.wait()
	h.tap("OK")
	h.screen("records")
	h.importAndAnchor(file, want)

	h.menu("Emergency card")
	h.wait()
	h.screen("emergency")
	h.see("You have no emergency card yet")
	h.choose("A-")
	h.typeIn(h.entry("Name"), "Ben Schowalter")
	h.typeIn(h.entry("Relation, e.g. daughter"), "son")
	h.typeIn(h.entry("Phone"), "+1 555 0100")
	h.tap("Add contact")
	h.tap("Make my emergency card")
	h.wait()
	h.screen("emergency-card")
	h.qr()
	h.see("A-")
	h.see("Ben Schowalter (son) · +1 555 0100")
	h.see("Active")

	card, ok, err := h.ui.wallet.CurrentEmergencyCard(t.Context())
	if err != nil || !ok || !strings.HasPrefix(card.Link, "shlink:/") {
		t.Fatalf("current card %+v, %v, %v", card, ok, err)
	}
	h.tap("Save as PDF…")
	h.wait()
	h.tapLast("OK")
	h.tap("Save as PNG…")
	h.wait()
	h.tapLast("OK")
	pdf, png := h.files.saved["emergency-card.pdf"], h.files.saved["emergency-card.png"]
	if pdf == nil || !bytes.HasPrefix(pdf.Bytes(), []byte("%PDF-")) {
		t.Fatal("no PDF saved")
	}
	if png == nil {
		t.Fatal("no PNG saved")
	}
	text, err := share.DecodeQRImage(bytes.NewReader(png.Bytes()))
	if err != nil || text != card.Link {
		t.Fatalf("the saved PNG's QR reads %q, %v; want the card's link %q", text, err, card.Link)
	}

	h.tap("Revoke")
	h.tapLast("Revoke")
	h.wait()
	h.screen("emergency")
	h.see("Revoked")
	if card, _, err := h.ui.wallet.CurrentEmergencyCard(t.Context()); err != nil || card.State != "revoked" {
		t.Fatalf("after revoking: %+v, %v", card, err)
	}
}
