package app

import (
	"context"
	"strings"
	"testing"
	"time"

	"healthwallet/wallet"
	"healthwallet/wallet/network"
)

// TestShareAtTheAppointmentRealWallet, over the real wallet and the network
// this computer runs: a direct share is made on screen, the wallet locks
// itself after five idle minutes with it on screen, and a doctor opens it
// then — verified, against the server the locked wallet still runs. Once
// the patient unlocks, the share screen is back; closed, the share is
// "Stopped" in the shares list with its one opening, and the access log
// shows the doctor as they described themselves, why, and from this device.
func TestShareAtTheAppointmentRealWallet(t *testing.T) {
	h, _, home := patientOnThisComputer(t, "Bibi254 Schowalter414", "Bibi254_Schowalter414_475d72ca-91c7-7211-97e3-f000af33fc04.json")
	patient := h.ui.wallet

	h.tap("Share")
	link := h.shareDirectly()

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
