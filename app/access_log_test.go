package app

import (
	"testing"
	"time"

	"fyne.io/fyne/v2/widget"

	"healthwallet/wallet"
)

// visitLog is two shares with the same purpose, opened by a doctor who
// fetched the manifest, the records and the proofs (one visit) and came
// back the next day (another), a caregiver's action and an emergency
// opening.
func visitLog() ([]wallet.ShareInfo, []wallet.AccessEntry) {
	shares := []wallet.ShareInfo{
		{ID: "k1", Label: "Knee appointment", Purpose: "TREAT", Created: testNow.Add(-50 * time.Hour), Expires: testNow.Add(time.Hour), State: "active", Records: 5},
		{ID: "k2", Label: "Physio", Purpose: "TREAT", Created: testNow.Add(-26 * time.Hour), Expires: testNow.Add(time.Hour), State: "active", Records: 2},
	}
	visit := testNow.Add(-48 * time.Hour)
	doctor := "Dr. Rao, Knee Clinic"
	log := []wallet.AccessEntry{
		{Time: visit, Share: "k1", Who: doctor, What: "5 records (manifest)", Purpose: "TREAT", Source: "relay", Outcome: "served"},
		{Time: visit.Add(2 * time.Second), Share: "k1", Who: doctor, What: "5 records (FHIR bundle)", Purpose: "TREAT", Source: "relay", Outcome: "served", Recorded: true},
		{Time: visit.Add(3 * time.Second), Share: "k1", Who: doctor, What: "the proofs of 5 records", Purpose: "TREAT", Source: "relay", Outcome: "served"},
		{Time: visit.Add(24 * time.Hour), Share: "k1", Who: doctor, What: "5 records (manifest)", Purpose: "TREAT", Source: "relay", Outcome: "served"},
		{Time: testNow.Add(-25 * time.Hour), Share: "k2", Who: "Sam, physiotherapist", What: "2 records (manifest)", Purpose: "TREAT", Source: "direct", Outcome: "served"},
		{Time: testNow.Add(-20 * time.Minute), Share: "c1", Who: "Ben Lovelace", What: "3 records", Purpose: "TREAT",
			Source: "chain", Delegate: "0x71C7656EC7ab88b098defB751B7401B5f6d8976F", Action: "shared", Recorded: true},
		{Time: testNow.Add(-10 * time.Minute), Share: "e1", Who: "Paramedic J. Smith", What: "emergency card",
			Purpose: "ETREAT", Source: "relay", Emergency: true, Outcome: "served"},
	}
	return shares, log
}

func TestAccessLogOneRowPerVisit(t *testing.T) {
	h, w := unlocked(t)
	w.chain.shares, w.chain.access = visitLog()
	h.menu("Access log")
	h.screen("access-log")

	// The doctor's three fetches are one visit; the next day is another.
	doctor := "Dr. Rao, Knee Clinic (as they describe themselves)"
	if n := countText(h, doctor); n != 2 {
		t.Fatalf("the doctor's rows: %d, want 2 (one per visit)", n)
	}
	h.see(`"Knee appointment", shared 8 Apr 2024 · 5 records · for treatment · via the link server · recorded on the chain`)
	h.see(`"Knee appointment", shared 8 Apr 2024 · 5 records · for treatment · via the link server`)
	h.see("8 Apr 2024 09:00")
	// Two shares with the same purpose are told apart by label and date.
	h.see(`"Physio", shared 9 Apr 2024 · 2 records · for treatment · via this device`)
	h.see("Sam, physiotherapist (as they describe themselves)")
	// A caregiver is known by their signed card: not marked.
	h.see("Ben Lovelace, your caregiver, shared your records")
	h.dontSee("Ben Lovelace (as they describe themselves)")
	// The emergency opening stays red, and first (newest).
	h.seeBefore("Emergency card opened by Paramedic J. Smith (as they describe themselves)", "Ben Lovelace")
	for _, o := range h.objects() {
		if l, ok := o.(*widget.Label); ok && l.Text == "Emergency card opened by Paramedic J. Smith (as they describe themselves)" && l.Importance != widget.DangerImportance {
			t.Fatal("the emergency opening is not red")
		}
	}
	// No technical words for what was fetched.
	h.dontSee("manifest")
	h.dontSee("FHIR bundle")
}

// countText counts the distinct labels shown whose text is s.
func countText(h *harness, s string) int {
	seen := map[*widget.Label]bool{}
	for _, o := range h.objects() {
		if l, ok := o.(*widget.Label); ok && l.Text == s {
			seen[l] = true
		}
	}
	return len(seen)
}
