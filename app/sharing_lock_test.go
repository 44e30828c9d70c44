package app

import (
	"slices"
	"testing"
	"time"
)

// directShareOnScreen makes a direct share of every record from the
// records screen and ends on its screen.
func (h *harness) directShareOnScreen() {
	h.t.Helper()
	h.tap("Share")
	h.check("Share directly from this device (local network)")
	h.tap("Create share")
	h.tapLast("Share")
	h.screen("share-result")
}

// TestShareSurvivesIdleLock: at the appointment, the wallet locks itself
// with a direct share on screen. The share goes on (still served, its QR
// and countdown on screen), the wallet's keys are dropped, and the locked
// screen leads nowhere but the unlock screen: no revoking, no records.
// Unlocking from it comes back to the share, served all along; closing it
// while locked asks, stops serving and goes to the unlock screen.
func TestShareSurvivesIdleLock(t *testing.T) {
	h, w := unlocked(t)
	h.directShareOnScreen()

	h.clock.Advance(5 * time.Minute) // idle: the wallet locks
	h.screen("share-locked")
	if !w.Locked() {
		t.Fatal("the wallet did not lock with a share on screen")
	}
	if w.chain.directCtx.Err() != nil {
		t.Fatal("the idle lock stopped the direct share on screen")
	}
	h.qr()
	h.see("The wallet has locked itself: this share still works and its code stays on screen. Unlock to revoke it or to open anything else.")
	h.see("Served from this device on the local network while this screen is open.")
	h.see("Expires in 55 minutes")
	h.clock.Advance(time.Minute)
	h.see("Expires in 54 minutes") // the countdown goes on, once a second
	for _, hidden := range []string{"Revoke now", "Hemoglobin A1c", "Shares", "Settings", "More", "Lock"} {
		h.dontSee(hidden)
	}
	var buttons []string
	for _, o := range h.objects() {
		if _, text, ok := asButton(o); ok {
			buttons = append(buttons, text)
		}
	}
	slices.Sort(buttons)
	if !slices.Equal(buttons, []string{"Copy link", "Done", "Unlock"}) {
		t.Fatalf("the locked share screen offers %q, want only Copy link, Done and Unlock", buttons)
	}

	// Unlock, and back to the share: served all along.
	h.tap("Unlock")
	h.screen("unlock")
	h.see("Your share is still open to the receiver. Unlock to return to it, revoke it or see your records.")
	if w.chain.directCtx.Err() != nil {
		t.Fatal("the direct share stopped while the password was typed")
	}
	h.typeIn(h.entry("Password"), testPassword)
	h.tap("Unlock")
	h.screen("share-result")
	h.button("Revoke now")
	h.see("Expires in 54 minutes")
	if w.chain.directCtx.Err() != nil || w.chain.directs != 1 {
		t.Fatalf("after unlocking: stopped %v, %d direct shares made", w.chain.directCtx.Err(), w.chain.directs)
	}

	// Locked again; Done asks, stops serving, and asks for the password.
	h.clock.Advance(5 * time.Minute)
	h.screen("share-locked")
	h.tap("Done")
	h.see("Stop sharing from this device?")
	h.tap("Cancel")
	h.screen("share-locked")
	if w.chain.directCtx.Err() != nil {
		t.Fatal("the direct share stopped though the person stayed")
	}
	h.tap("Done")
	h.tapLast("Stop sharing")
	h.screen("unlock")
	if w.chain.directCtx.Err() == nil {
		t.Fatal("the direct share still served after its locked screen was closed")
	}
	h.unlock() // not back to a share that ended
}

// TestRelayShareSurvivesIdleLock: a share through the relay stays on screen
// when the wallet locks; Done goes straight to the unlock screen (the relay
// serves it whatever the screen), and the unlock lands on the records.
func TestRelayShareSurvivesIdleLock(t *testing.T) {
	h, w := unlocked(t, 0)
	h.tap("Share")
	h.tap("Create share")
	h.tapLast("Share")
	h.screen("share-result")
	h.clock.Advance(5 * time.Minute)
	h.screen("share-locked")
	if !w.Locked() {
		t.Fatal("the wallet did not lock")
	}
	h.qr()
	h.dontSee("Served from this device")
	h.tap("Done")
	h.screen("unlock")
	h.dontSee("Your share is still open")
	h.unlock()
}

// TestRevokedShareLocksAsUsual: a share revoked from its screen has nothing
// left to show: the idle lock goes to the unlock screen.
func TestRevokedShareLocksAsUsual(t *testing.T) {
	h, _ := unlocked(t)
	h.directShareOnScreen()
	h.tap("Revoke now")
	h.tapLast("Revoke")
	h.see("Revoked: the link no longer opens.")
	h.clock.Advance(5 * time.Minute)
	h.screen("unlock")
	h.unlock()
}
