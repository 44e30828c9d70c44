package app

import (
	"context"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"healthwallet/wallet"
	"healthwallet/wallet/network"
	"healthwallet/wallet/testcorpus"
)

// TestShareAtTheAppointmentRealWallet, over the real wallet and the network
// this computer runs: a direct share is made on screen, the wallet locks
// itself after five idle minutes with it on screen, and a doctor opens it
// then — verified, against the server the locked wallet still runs. Once
// the patient unlocks, the share screen is back; closed, the share is
// "Stopped" in the shares list with its one opening, and the access log
// shows the doctor as they described themselves, why, and from this device.
func TestShareAtTheAppointmentRealWallet(t *testing.T) {
	file := filepath.Join(testcorpus.Dir(t, "synthea"), "Bibi254_Schowalter414_475d72ca-91c7-7211-97e3-f000af33fc04.json")
	want := testcorpus.CountResources(t, file)
	directListen = "127.0.0.1:0" // this computer's test network is no private LAN
	t.Cleanup(func() { directListen = "0.0.0.0:0" })
	b := NewBackend(t.TempDir(), wallet.Options{KDFTime: 1, KDFMemoryKiB: 8 * 1024, KDFThreads: 1})
	h := newHarness(t, b, desktopSize, true)
	t.Cleanup(func() { closeUI(h) })
	h.createInUI("Bibi254 Schowalter414")
	h.tap("Try it on this computer")
	h.wait()
	h.tap("OK")
	h.screen("records")
	h.importAndAnchor(file, want)
	patient := h.ui.wallet
	home, ok := patient.Network()
	if !ok {
		t.Fatal("no network joined")
	}

	h.tap("Share")
	h.check("Share directly from this device (local network)")
	h.tap("Create share")
	h.tapLast("Share")
	h.wait()
	h.screen("share-result")
	var link string
	for _, s := range h.labels() {
		if strings.Contains(s, "#shlink:/") {
			link = s
		}
	}
	if link == "" {
		t.Fatal("no link on the share screen")
	}

	h.clock.Advance(5 * time.Minute)
	h.wait()
	h.screen("share-locked")
	if !patient.Locked() {
		t.Fatal("the wallet did not lock itself")
	}
	h.qr()

	doctor := "Dr. Grace Hopper, Harbour Clinic"
	got, err := wallet.ReceiveWithNetworks(context.Background(), link,
		wallet.ReceiveOptions{Recipient: doctor, Purpose: "ETREAT"}, []network.Membership{home})
	if err != nil {
		t.Fatalf("the doctor opens the share while the wallet is locked: %v", err)
	}
	if !got.Verified || len(got.Records) == 0 || len(got.Failed()) > 0 {
		t.Fatalf("the doctor's share: verified %v, %d records, failed %+v, problem %q", got.Verified, len(got.Records), got.Failed(), got.Problem)
	}

	h.tap("Unlock")
	h.typeIn(h.entry("Password"), testPassword)
	h.tap("Unlock")
	h.wait()
	h.screen("share-result")
	h.tap("Done")
	h.tapLast("Stop sharing")
	h.wait()
	h.screen("records")

	h.menu("Shares")
	h.wait()
	h.screen("shares")
	h.see("Stopped")
	h.see("opened 1 time")
	h.tap("Access log")
	h.wait()
	h.screen("access-log")
	h.see(doctor)
	var row string
	for _, s := range h.texts() {
		if strings.Contains(s, "via this device") {
			row = s
		}
	}
	if !strings.Contains(row, "for emergency treatment") || strings.Contains(row, "nothing shown") {
		t.Fatalf("the opening's row in the access log: %q", row)
	}
}
