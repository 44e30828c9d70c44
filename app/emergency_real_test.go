package app

import (
	"bytes"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"fyne.io/fyne/v2"

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
	if err != nil || !ok || !strings.Contains(card.Link, "/view#shlink:/") {
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

	// Someone opens the card, as a paramedic's phone does with no wallet:
	// the relay logs the opening as break-glass, and the patient's app,
	// watching the access log, says so in a notification.
	var mu sync.Mutex
	var sent []*fyne.Notification
	h.ui.notify = func(n *fyne.Notification) { mu.Lock(); sent = append(sent, n); mu.Unlock() }
	got, err := b.Receive(t.Context(), card.Link, nil, wallet.ReceiveOptions{Purpose: "ETREAT", Recipient: "Paramedic J. Smith, ambulance 14"})
	if err != nil || len(got.Records) == 0 {
		t.Fatalf("opening the card: %d records, %v", len(got.Records), err)
	}
	var alert *fyne.Notification
	for range 20 {
		h.ui.idle.touch()
		h.clock.Advance(watchEvery)
		h.wait()
		mu.Lock()
		if len(sent) > 0 {
			alert = sent[0]
		}
		mu.Unlock()
		if alert != nil {
			break
		}
		time.Sleep(500 * time.Millisecond) // the relay's log, the chain's block
	}
	if alert == nil || alert.Title != "Your emergency card was opened" || !strings.Contains(alert.Content, "Paramedic J. Smith, ambulance 14") {
		t.Fatalf("no notification of the opening: %v", alert)
	}
	h.tap("Back")
	h.tap("Back")
	h.menu("Access log")
	h.wait()
	h.see("Emergency card opened by Paramedic J. Smith, ambulance 14")
	h.tap("Back")
	h.menu("Emergency card")
	h.wait()
	h.tap("Show my card")

	h.tap("Revoke")
	h.tapLast("Revoke")
	h.wait()
	h.screen("emergency")
	h.see("Revoked")
	if card, _, err := h.ui.wallet.CurrentEmergencyCard(t.Context()); err != nil || card.State != "revoked" {
		t.Fatalf("after revoking: %+v, %v", card, err)
	}
}
