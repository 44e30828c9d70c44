package app

import (
	"strings"
	"testing"
	"time"

	"fyne.io/fyne/v2/widget"

	"healthwallet/wallet"
)

// The caregiver screens over the real wallet: a new wallet has no
// caregivers and cares for no one; its own card is refused as a caregiver,
// and a forged invitation is refused, each with the wallet's own words on
// screen, and nothing changes.
func TestCaregiverScreensRealWallet(t *testing.T) {
	dir := t.TempDir()
	b := NewBackend(dir, wallet.Options{KDFTime: 1, KDFMemoryKiB: 8 * 1024, KDFThreads: 1})
	h := newHarness(t, b, desktopSize, true)
	t.Cleanup(func() { closeUI(h) })
	h.createInUI(testName)
	h.tap("Skip for now")
	h.wait()
	h.screen("records")
	h.dontSee("Whose records")

	h.menu("Caregivers")
	h.wait()
	h.see("You have no caregivers")
	h.tap("Add a caregiver")
	own, err := h.ui.wallet.Card()
	if err != nil {
		t.Fatal(err)
	}
	h.typeIn(h.entry(caregiverCardPlaceholder), own)
	// The harness's clock stands in 2024; the wallet checks expiry against
	// the real time: a day six months from now.
	h.choose(untilDate)
	h.typeIn(h.entry("Last day, YYYY-MM-DD"), time.Now().AddDate(0, 6, 0).Format(time.DateOnly))
	h.tap("Invite")
	h.tapLast("Invite")
	h.wait()
	h.screen("caregiver-add")
	problem := ""
	for _, s := range h.labels() {
		if strings.Contains(strings.ToLower(s), "card") && s != "Your caregiver finds their identity card in their Health Wallet, under Settings." {
			problem = s
		}
	}
	if problem == "" {
		t.Fatalf("no refusal of the wallet's own card; the screen shows %q", h.labels())
	}
	if ds, err := h.ui.wallet.Delegates(t.Context()); err != nil || len(ds) != 0 {
		t.Fatalf("delegations after a refusal: %v, %v", ds, err)
	}

	h.tap("Back")
	h.wait()
	h.tap("Back")
	h.menu("People")
	h.wait()
	h.see("You care for no one yet")
	h.tap("Accept an invitation")
	h.typeIn(h.entry("Paste the invitation (hwinvite:…)"), "hwinvite:AAAAforged")
	h.tap("Accept")
	h.wait()
	h.screen("accept")
	if people, err := h.ui.wallet.CaredFor(t.Context()); err != nil || len(people) != 0 {
		t.Fatalf("people after a forged invitation: %v, %v", people, err)
	}
	refused := ""
	for _, o := range h.objects() {
		if l, ok := o.(*widget.Label); ok && l.Importance == widget.DangerImportance && l.Text != "" {
			refused = l.Text
		}
	}
	if refused == "" || strings.Contains(refused, "not built yet") {
		t.Fatalf("the forged invitation's refusal reads %q; the screen shows %q", refused, h.labels())
	}
	t.Logf("own card refused: %s", problem)
	t.Logf("forged invitation refused: %s", refused)
}
