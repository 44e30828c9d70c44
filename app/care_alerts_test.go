package app

import (
	"strings"
	"sync"
	"testing"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/widget"

	"healthwallet/wallet"
)

// A caregiver's sync that sees a new opening of the person's emergency card
// sends a notification, once, like the patient's own; the person's page
// shows it highlighted. The background round alerts too.
func TestCareEmergencyAlerts(t *testing.T) {
	h := newHarness(t, newFakeBackend(true), desktopSize, false)
	var mu sync.Mutex
	var sent []*fyne.Notification
	h.ui.notify = func(n *fyne.Notification) { mu.Lock(); sent = append(sent, n); mu.Unlock() }
	w := h.backend.wallet
	w.caresForGrace()
	h.unlock()
	h.choose("Grace Hopper")
	h.dontSee("emergency card was opened")
	if len(sent) != 0 {
		t.Fatalf("alerted with no opening: %v", titles(sent))
	}

	w.care.newOpenings["p1"] = []wallet.EmergencyOpening{{Time: testNow.Add(time.Minute), TxHash: "0x9b2e", Block: 7}}
	h.tap("Sync now")
	if len(sent) != 1 || sent[0].Title != "Grace Hopper's emergency card was opened" ||
		!strings.Contains(sent[0].Content, "at 10 Apr 2024 09:01") || !strings.Contains(sent[0].Content, "known only to Grace Hopper") {
		t.Fatalf("notifications %v", titles(sent))
	}
	h.see("Grace Hopper's emergency card was opened on 10 Apr 2024 09:01")
	found := false
	for _, o := range h.objects() {
		if l, ok := o.(*widget.Label); ok && strings.HasPrefix(l.Text, "Grace Hopper's emergency card was opened") {
			found = l.Importance == widget.DangerImportance
		}
	}
	if !found {
		t.Fatal("the opening is not highlighted on Grace's page")
	}
	h.tap("Sync now")
	if len(sent) != 1 {
		t.Fatalf("alerted twice for one opening: %v", titles(sent))
	}

	// The background round: two more, one notification saying so.
	w.care.newOpenings["p1"] = []wallet.EmergencyOpening{{Time: testNow.Add(2 * time.Minute), TxHash: "0xa1"}, {Time: testNow.Add(3 * time.Minute), TxHash: "0xa2"}}
	for range syncRounds {
		h.ui.idle.touch()
		h.clock.Advance(watchEvery)
	}
	if len(sent) != 2 || !strings.Contains(sent[1].Content, "2 times, last at 10 Apr 2024 09:03") {
		t.Fatalf("notifications %v", titles(sent))
	}
	h.see("3 openings seen")
}
