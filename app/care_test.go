package app

import (
	"bytes"
	"errors"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/widget"

	"healthwallet/wallet"
	"healthwallet/wallet/record"
)

// The patient adds a caregiver: their card, what they may do in words,
// which records, until when; the wallet is asked for exactly that, and the
// invitation is shown as a QR code and a link.
func TestAddCaregiver(t *testing.T) {
	h := newHarness(t, newFakeBackend(true), desktopSize, false)
	h.unlock()
	h.menu("Caregivers")
	h.screen("caregivers")
	h.see("You have no caregivers")
	h.tap("Add a caregiver")
	h.screen("caregiver-add")

	// Nothing pasted: said, nothing asked of the wallet.
	h.tap("Invite")
	h.see("Paste your caregiver's identity card")

	h.typeIn(h.entry(caregiverCardPlaceholder), testCaregiverCard)
	h.tick(mayShare)
	h.pick(someRecords)
	h.tap("Invite")
	h.see("Tick the kinds of records your caregiver may see")
	h.tick("Medications (1)")
	h.tick("Allergies (1)")

	// A day gone by is refused.
	h.choose(untilDate)
	h.typeIn(h.entry("Last day, YYYY-MM-DD"), "2024-04-01")
	h.tap("Invite")
	h.see("1 Apr 2024 has passed")
	h.choose("1 month")
	h.tap("Invite")
	h.see("until 10 May 2024")
	h.see("records they already synced stay on their device")
	h.tapLast("Invite")

	w := h.backend.wallet
	if len(w.care.added) != 1 {
		t.Fatalf("AddDelegate called %d times, want 1", len(w.care.added))
	}
	req := w.care.added[0]
	if req.Card != testCaregiverCard {
		t.Errorf("card %q", req.Card)
	}
	if !slices.Equal(req.Rights, []string{"view", "share"}) {
		t.Errorf("rights %v, want view and share", req.Rights)
	}
	if !slices.Equal(req.Categories, []string{"Medications", "Allergies"}) {
		t.Errorf("categories %v", req.Categories)
	}
	if want := testNow.Add(30 * 24 * time.Hour); !req.Expires.Equal(want) {
		t.Errorf("expires %v, want %v", req.Expires, want)
	}
	h.screen("caregiver-invite")
	h.see(testCareInvite)
	if q := h.qr(); q == nil {
		t.Fatal("no QR code of the invitation")
	}
	h.tap("Done")
	h.screen("caregivers")
	h.see("Ben Lovelace")
	h.see("Starting")
	h.see("Can see records and share them with doctors · Medications, Allergies")
}

// A chosen last day counts to its end; a card the wallet refuses says why.
func TestAddCaregiverUntilDateAndBadCard(t *testing.T) {
	h := newHarness(t, newFakeBackend(true), desktopSize, false)
	h.unlock()
	h.menu("Caregivers")
	h.tap("Add a caregiver")
	h.typeIn(h.entry(caregiverCardPlaceholder), "not a card")
	h.choose(untilDate)
	h.typeIn(h.entry("Last day, YYYY-MM-DD"), "2024-12-31")
	h.tap("Invite")
	h.tapLast("Invite")
	h.see("That is not an identity card")
	h.screen("caregiver-add")

	h.typeInto(h.entry(caregiverCardPlaceholder), testCaregiverCard)
	h.tap("Invite")
	h.see("see records (all records) on their own device until 31 Dec 2024")
	h.tapLast("Invite")
	req := h.backend.wallet.care.added[0]
	if want := time.Date(2024, 12, 31, 23, 59, 59, 0, time.UTC); !req.Expires.Equal(want) {
		t.Errorf("expires %v, want the end of 31 Dec 2024", req.Expires)
	}
	if !slices.Equal(req.Rights, []string{"view"}) || req.Categories != nil {
		t.Errorf("rights %v categories %v, want view of everything", req.Rights, req.Categories)
	}
}

// The card can come from a photo of its QR code.
func TestAddCaregiverFromQRPhoto(t *testing.T) {
	h := newHarness(t, newFakeBackend(true), desktopSize, false)
	h.unlock()
	h.menu("Caregivers")
	h.tap("Add a caregiver")
	h.files.open = writeTemp(t, "card.png", testCaregiverCard)
	h.tap("Read a QR photo…")
	if got := h.entry(caregiverCardPlaceholder).Text; got != testCaregiverCard {
		t.Fatalf("card read from the photo: %q", got)
	}
}

func writeTemp(t *testing.T, name, content string) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), name)
	if err := os.WriteFile(p, []byte(content), 0o600); err != nil {
		t.Fatal(err)
	}
	return p
}

// Revoking asks first, says that synced records stay on the caregiver's
// device, and ends the delegation; Renew moves its end.
func TestRevokeAndRenewCaregiver(t *testing.T) {
	h := newHarness(t, newFakeBackend(true), desktopSize, false)
	w := h.backend.wallet
	w.care.delegates = testDelegates()
	h.unlock()
	h.menu("Caregivers")
	h.see("Ben Lovelace")
	h.see("Mary Somerville")
	h.see("Revoked")

	// Cancel changes nothing.
	h.tap("Revoke")
	h.see("The records already synced to their device stay there")
	h.tapLast("Cancel")
	if len(w.care.revoked) != 0 {
		t.Fatal("revoked without confirmation")
	}
	h.tap("Renew")
	h.choose("1 month")
	h.tapLast("Renew")
	ben := w.care.delegates[0].Delegate
	if got, want := w.care.renewed[ben], testNow.Add(30*24*time.Hour); !got.Equal(want) {
		t.Fatalf("renewed to %v, want %v", got, want)
	}
	h.see("until 10 May 2024")

	h.tap("Revoke")
	h.tapLast("Revoke")
	if !slices.Equal(w.care.revoked, []string{ben}) {
		t.Fatalf("revoked %v, want Ben's", w.care.revoked)
	}
	h.screen("caregivers")
	for _, o := range h.objects() {
		if b, label, ok := asButton(o); ok && label == "Revoke" && b.Visible() {
			t.Fatal("a Revoke button is left for an ended delegation")
		}
	}
}

// The caregiver accepts an invitation (a wrong one is refused in words),
// and the person's records are shown, with the switcher to go back to
// their own.
func TestAcceptInvitation(t *testing.T) {
	h := newHarness(t, newFakeBackend(true), desktopSize, false)
	h.unlock()
	h.dontSee("Whose records")
	h.menu("People")
	h.screen("people")
	h.see("You care for no one yet")
	h.tap("Accept an invitation")
	h.tap("Accept")
	h.see("Paste the invitation the person gave you")
	h.typeIn(h.entry("Paste the invitation (hwinvite:…)"), "hwinvite:v1.forged")
	h.tap("Accept")
	h.see("sealed for someone else")
	h.screen("accept")

	h.files.open = writeTemp(t, "invite.png", testCareInvite)
	h.tap("Read a QR photo…")
	h.tap("Accept")
	h.see("You now care for Grace Hopper")
	h.see("3 records of Grace Hopper's are on this device")
	h.tapLast("OK")
	h.screen("records")
	h.see("Grace Hopper's records")
	h.see("Lisinopril 10 mg tablet")
	h.dontSee("Hemoglobin A1c")
	h.see("Whose records")
	if got := h.backend.wallet.care.accepted; !slices.Equal(got, []string{testCareInvite}) {
		t.Fatalf("accepted %v", got)
	}
}

// The switcher moves between my records and the person's; the list,
// categories, search and detail are the person's, and their detail has no
// Delete.
func TestSwitchPerson(t *testing.T) {
	h := newHarness(t, newFakeBackend(true), desktopSize, false)
	h.backend.wallet.caresForGrace()
	h.unlock()
	h.see("Hemoglobin A1c")
	h.choose("Grace Hopper")
	h.see("Grace Hopper's records")
	if got := h.ui.recordsShown(); !slices.Equal(got, []string{"Lisinopril 10 mg tablet", "Essential hypertension", "Sulfonamide allergy"}) {
		t.Fatalf("records shown %v", got)
	}
	h.see("All records (3)")
	h.see("You can see records and share them with doctors (all records) until 10 May 2024")

	h.typeIn(h.entry("Search records"), "allergy")
	h.pressEnter()
	if got := h.ui.recordsShown(); !slices.Equal(got, []string{"Sulfonamide allergy"}) {
		t.Fatalf("search shows %v", got)
	}
	h.list().Select(0)
	h.screen("detail")
	h.see("Sulfonamide allergy")
	h.see("Checked against Grace Hopper's anchor")
	h.dontSeeButton("Delete")
	h.dontSeeButton("Verify now")
	h.tap("Back")
	h.choose(myRecords)
	h.see("Ada Lovelace")
	h.see("Hemoglobin A1c")
	h.dontSee("Lisinopril")
}

func (h *harness) dontSeeButton(text string) {
	h.t.Helper()
	for _, o := range h.objects() {
		if _, label, ok := asButton(o); ok && label == text {
			h.t.Fatalf("button %q shown on screen %q", text, h.ui.screen)
		}
	}
}

// Sync now fetches what the person added and says so.
func TestCareSyncNow(t *testing.T) {
	h := newHarness(t, newFakeBackend(true), desktopSize, false)
	w := h.backend.wallet
	w.caresForGrace()
	h.unlock()
	h.choose("Grace Hopper")
	w.care.newOnSync["p1"] = []record.Record{{ID: "g4a0beef04", ResourceType: "Observation", Version: 1,
		Summary: record.Summary{Title: "Blood glucose", Category: "Lab results", Date: day(2024, 4, 9)}}}
	h.tap("Sync now")
	h.see("1 record new from Grace Hopper")
	h.see("Blood glucose")
	h.see("All records (4)")
	if got := w.care.careSyncs[len(w.care.careSyncs)-1]; got != "p1" {
		t.Fatalf("CareSync for %q, want p1", got)
	}
	h.tap("Sync now")
	h.see("Up to date: nothing new from Grace Hopper")
}

// Sharing on the person's behalf reuses the share form, says it is on
// their behalf, goes through CareShare, and its revocation through
// CareRevoke; without SHARE there is no Share.
func TestShareOnBehalf(t *testing.T) {
	h := newHarness(t, newFakeBackend(true), desktopSize, false)
	w := h.backend.wallet
	w.caresForGrace()
	h.unlock()
	h.choose("Grace Hopper")
	h.tap("Share")
	h.screen("share")
	h.see("Share Grace Hopper's records")
	h.see("You share on Grace Hopper's behalf")
	h.dontSee("Share directly from this device")
	h.tap("Create share")
	h.tapLast("Share")
	if len(w.care.careShares) != 1 || w.care.sharedFor[0] != "p1" || !w.care.careShares[0].Summary {
		t.Fatalf("CareShare calls %v for %v", w.care.careShares, w.care.sharedFor)
	}
	if len(w.chain.requests) != 0 {
		t.Fatal("the owner's Share was called for Grace's records")
	}
	h.screen("share-result")
	h.see("3 records for")
	h.tap("Revoke now")
	h.tapLast("Revoke")
	if !slices.Equal(w.care.careRevoked, []string{"p1/c1"}) || len(w.chain.revoked) != 0 {
		t.Fatalf("care revoked %v, own revoked %v", w.care.careRevoked, w.chain.revoked)
	}

	// View only: no Share, on the list or on a record.
	h2 := newHarness(t, newFakeBackend(true), desktopSize, false)
	h2.backend.wallet.caresForGrace()
	h2.backend.wallet.care.people[0].Rights = []string{"view"}
	h2.unlock()
	h2.choose("Grace Hopper")
	h2.dontSeeButton("Share")
	h2.list().Select(0)
	h2.dontSeeButton("Share")
}

// An ended delegation says when, and that the records stay on this
// device; Sync now and sharing say it ended.
func TestDelegationEnded(t *testing.T) {
	h := newHarness(t, newFakeBackend(true), desktopSize, false)
	w := h.backend.wallet
	w.caresForGrace()
	w.care.people[0].State = "revoked"
	h.unlock()
	h.choose("Grace Hopper")
	h.see("Grace Hopper ended your access to their records")
	h.see("already on this device stay here")
	h.see("Lisinopril 10 mg tablet")
	h.dontSeeButton("Share")
	h.tap("Sync now")
	h.see("Grace Hopper's delegation was revoked on 10 Apr 2024 08:00")
	h.menu("People")
	h.see("Revoked")
	h.see("no longer update")

	// Expired: the day it ended.
	w.care.people[0].State = "expired"
	w.care.people[0].Expires = day(2024, 4, 1)
	w.care.people[0].Problem = ""
	h.tap("Back")
	h.menu("People")
	h.tapLast("Records") // Grace's, after the owner's own
	h.see("Your access to Grace Hopper's records expired on 1 Apr 2024")
}

// While unlocked, the copies are kept current in the background: Sync for
// the patient's caregivers, CareSync for the people cared for, again every
// few minutes and after an import, and not once locked. A failure is said
// calmly on the records screen.
func TestBackgroundSync(t *testing.T) {
	h := newHarness(t, newFakeBackend(true), desktopSize, false)
	w := h.backend.wallet
	h.unlock()
	if w.care.syncs != 0 || len(w.care.careSyncs) != 0 {
		t.Fatalf("synced with no caregivers and no one cared for: Sync %d, CareSync %v", w.care.syncs, w.care.careSyncs)
	}
	h.tap("Lock")

	w.care.delegates = testDelegates()
	w.caresForGrace()
	h.unlock()
	if w.care.syncs != 1 || !slices.Equal(w.care.careSyncs, []string{""}) {
		t.Fatalf("after unlock: Sync %d, CareSync %v; want one each", w.care.syncs, w.care.careSyncs)
	}
	h.clock.Advance(watchEvery)
	if w.care.syncs != 1 {
		t.Fatalf("synced again after a minute: %d", w.care.syncs)
	}
	w.care.syncErr = errors.New("the link server at https://relay.example does not answer")
	for range syncRounds - 1 { // the clock runs the rounds one at a time
		h.ui.idle.touch() // someone is using the app: it does not lock
		h.clock.Advance(watchEvery)
	}
	if w.care.syncs != 2 {
		t.Fatalf("Sync %d times after five minutes, want 2", w.care.syncs)
	}
	h.see("Your caregivers' copies could not be brought up to date: the link server at https://relay.example does not answer")
	h.see("tries again in a few minutes")

	w.care.syncErr = nil
	w.report = testReport()
	h.tap("Import")
	h.files.open = "/tmp/labs.json"
	h.tap("Add file…")
	h.tap("Import")
	h.screen("import-result")
	if w.care.syncs != 3 {
		t.Fatalf("Sync %d times after an import, want 3", w.care.syncs)
	}

	h.ui.lock()
	h.clock.Advance(time.Hour)
	if w.care.syncs != 3 {
		t.Fatalf("synced while locked: %d", w.care.syncs)
	}
}

// A new emergency opening, or a caregiver's action, becomes a notification
// while the app is open, once; what was there at the first unlock does
// not. The access log highlights emergency rows.
func TestAlerts(t *testing.T) {
	h := newHarness(t, newFakeBackend(true), desktopSize, false)
	var mu sync.Mutex
	var sent []*fyne.Notification
	h.ui.notify = func(n *fyne.Notification) { mu.Lock(); sent = append(sent, n); mu.Unlock() }
	w := h.backend.wallet
	w.chain.access = append(w.chain.access, wallet.AccessEntry{Time: testNow.Add(-time.Hour), Share: "e0", Who: "Old opening",
		Emergency: true, Source: "chain"})
	h.unlock()
	if len(sent) != 0 {
		t.Fatalf("alerted about what was there before: %v", sent[0].Content)
	}
	w.chain.access = append(w.chain.access, wallet.AccessEntry{Time: testNow.Add(time.Minute), Share: "e1",
		Who: "Paramedic J. Smith, ambulance 14", What: "emergency card", Purpose: "ETREAT", Source: "chain", Emergency: true,
		Recorded: true, TxHash: "0x9b2e4c6d8f0a1b3c5d7e9f1a2b4c6d8e0f1a3b5c7d9e1f2a4b6c8d0e2f4a6b8c"})
	h.clock.Advance(watchEvery)
	if len(sent) != 1 || sent[0].Title != "Your emergency card was opened" ||
		!strings.Contains(sent[0].Content, "Paramedic J. Smith, ambulance 14 opened it at 10 Apr 2024 09:01") {
		t.Fatalf("notifications %v", titles(sent))
	}
	h.clock.Advance(watchEvery)
	if len(sent) != 1 {
		t.Fatalf("alerted twice: %v", titles(sent))
	}
	w.chain.access = append(w.chain.access,
		wallet.AccessEntry{Time: testNow.Add(2 * time.Minute), Who: "Ben Lovelace", What: "his copy", Source: "relay",
			Delegate: "0x71C7656EC7ab88b098defB751B7401B5f6d8976F", Action: "synced"}, // routine: no alert
		wallet.AccessEntry{Time: testNow.Add(3 * time.Minute), Share: "c1", Who: "Ben Lovelace",
			What: "3 records", Source: "chain", Delegate: "0x71C7656EC7ab88b098defB751B7401B5f6d8976F", Action: "shared"})
	h.clock.Advance(watchEvery)
	if len(sent) != 2 || sent[1].Title != "Your caregiver shared your records" {
		t.Fatalf("notifications %v", titles(sent))
	}

	// A restart does not alert again.
	h.tap("Lock")
	h.unlock()
	if len(sent) != 2 {
		t.Fatalf("alerted again after unlocking: %v", titles(sent))
	}

	h.menu("Access log")
	h.see("Emergency card opened by Paramedic J. Smith, ambulance 14")
	h.see("break-glass, on the chain in transaction 0x9b2e…6b8c")
	h.see("Ben Lovelace, your caregiver, shared your records")
	found := false
	for _, o := range h.objects() {
		if l, ok := o.(*widget.Label); ok && strings.HasPrefix(l.Text, "Emergency card opened by Paramedic") {
			found = l.Importance == widget.DangerImportance
		}
	}
	if !found {
		t.Fatal("the emergency row is not highlighted")
	}
}

func titles(ns []*fyne.Notification) []string {
	var out []string
	for _, n := range ns {
		out = append(out, n.Title+": "+n.Content)
	}
	return out
}

// The emergency profile is filled in, saved with the card, and the card
// shows the QR with the essentials; it saves as PDF and PNG, renews and
// revokes.
func TestEmergencyCard(t *testing.T) {
	h := newHarness(t, newFakeBackend(true), desktopSize, false)
	w := h.backend.wallet
	h.unlock()
	h.menu("Emergency card")
	h.screen("emergency")
	h.see("You have no emergency card yet")
	h.choose("O+")
	h.choose("Yes")
	h.typeIn(h.entry("e.g. Type 2 diabetes; carries glucose tablets"), "Type 2 diabetes")

	// A contact needs a phone.
	h.typeIn(h.entry("Name"), "Ben Lovelace")
	h.tap("Add contact")
	h.see("A contact needs a name and a phone number")
	h.typeIn(h.entry("Relation, e.g. daughter"), "son")
	h.typeIn(h.entry("Phone"), "+44 20 7946 0958")
	h.tap("Add contact")
	h.see("Ben Lovelace (son) · +44 20 7946 0958")
	h.typeIn(h.entry("Name"), "Dr. Okafor")
	h.typeIn(h.entry("Phone"), "+44 20 7946 0000")
	h.tap("Add contact")
	h.tapFirst("Remove") // Ben's, the first

	h.dontSee("Ben Lovelace (son)")
	h.typeIn(h.entry("Name"), "Ben Lovelace")
	h.typeIn(h.entry("Relation, e.g. daughter"), "son")
	h.typeIn(h.entry("Phone"), "+44 20 7946 0958")
	h.tap("Add contact")

	h.tap("Make my emergency card")
	p := w.care.profile
	if p.BloodType != "O+" || p.OrganDonor != "yes" || p.Notes != "Type 2 diabetes" {
		t.Fatalf("profile %+v", p)
	}
	if len(p.Contacts) != 2 || p.Contacts[0].Name != "Dr. Okafor" || p.Contacts[1] != (wallet.EmergencyContact{Name: "Ben Lovelace", Relation: "son", Phone: "+44 20 7946 0958"}) {
		t.Fatalf("contacts %+v", p.Contacts)
	}
	if p.Include != nil {
		t.Fatalf("the default records changed to %v, though none was ticked or unticked", p.Include)
	}
	h.screen("emergency-card")
	h.qr()
	h.see("Ada Lovelace")
	h.see("O+")
	h.see("Penicillin allergy")
	h.see("Metformin 500 mg tablet")
	h.dontSee("COVID-19 vaccine")
	h.see("Ben Lovelace (son) · +44 20 7946 0958")
	h.see("scan the code with a phone camera")

	h.tap("Save as PDF…")
	h.tapLast("OK")
	h.tap("Save as PNG…")
	if got := h.files.saved["emergency-card.pdf"]; got == nil || !bytes.HasPrefix(got.Bytes(), []byte("%PDF-")) {
		t.Fatalf("PDF saved: %q", got)
	}
	if got := h.files.saved["emergency-card.png"]; got == nil || !bytes.HasPrefix(got.Bytes(), []byte("\x89PNG")) {
		t.Fatalf("PNG saved: %q", got)
	}
	h.tapLast("OK")

	h.tap("Renew")
	h.tapLast("Renew")
	if w.care.cardsMade != 2 {
		t.Fatalf("cards made %d, want 2", w.care.cardsMade)
	}
	h.tap("Revoke")
	h.see("stops working at once")
	h.tapLast("Revoke")
	if w.care.cardRevokes != 1 {
		t.Fatal("not revoked")
	}
	h.screen("emergency")
	h.see("Revoked")

	// Back on the profile, it is as saved; unticking a record makes the
	// choice explicit.
	h.tap("OK")
	h.tick("COVID-19 vaccine, mRNA (Comirnaty)")
	h.tick("Penicillin allergy")
	h.tap("Make a new card")
	if got := w.care.profile.Include; !slices.Equal(got, []string{"a1c0ffee01", "c3c0ffee03", "e5c0ffee05"}) {
		t.Fatalf("include %v", got)
	}
	h.screen("emergency-card")
	h.see("COVID-19 vaccine")
	h.dontSee("Penicillin allergy")
}

// tapFirst taps the first visible button labelled text.
func (h *harness) tapFirst(text string) {
	h.t.Helper()
	for _, o := range h.objects() {
		if b, label, ok := asButton(o); ok && label == text {
			test.Tap(b)
			return
		}
	}
	h.t.Fatalf("no button %q", text)
}

// The shares made on a person's behalf are listed under People, and
// revoking one there goes through CareRevoke for that person.
func TestCareShares(t *testing.T) {
	h := newHarness(t, newFakeBackend(true), desktopSize, false)
	w := h.backend.wallet
	w.caresForGrace()
	h.unlock()
	h.menu("People")
	h.tap("Shares")
	h.screen("care-shares")
	h.see("You have not shared Grace Hopper's records yet")
	h.tap("Back")
	h.tapLast("Records") // Grace's, after the owner's own
	h.tap("Share")
	h.tap("Create share")
	h.tapLast("Share")
	h.tap("Done")
	h.menu("People")
	h.tap("Shares")
	h.see("Active")
	h.tap("Revoke")
	h.tapLast("Revoke")
	if !slices.Equal(w.care.careRevoked, []string{"p1/c1"}) || len(w.chain.revoked) != 0 {
		t.Fatalf("care revoked %v, own revoked %v", w.care.careRevoked, w.chain.revoked)
	}
	h.screen("care-shares")
	h.see("Revoked")
}

// The patient's Sync now brings every caregiver's copy up to date and
// says how each went.
func TestCaregiversSyncNow(t *testing.T) {
	h := newHarness(t, newFakeBackend(true), desktopSize, false)
	w := h.backend.wallet
	w.care.delegates = testDelegates()
	h.unlock()
	before := w.care.syncs
	h.menu("Caregivers")
	h.tap("Sync now")
	if w.care.syncs != before+1 {
		t.Fatalf("Sync called %d times, want %d", w.care.syncs, before+1)
	}
	h.see("Ben Lovelace: 7 records.")
	h.tapLast("OK")
	w.care.syncErr = errors.New("the link server does not answer")
	h.tap("Sync now")
	h.see("The link server does not answer")
}

// With a person chosen, the owner's own Shares (from More) are the
// owner's: revoking there is the owner's Revoke, not CareRevoke.
func TestOwnSharesWhilePersonChosen(t *testing.T) {
	h := newHarness(t, newFakeBackend(true), desktopSize, false)
	w := h.backend.wallet
	w.caresForGrace()
	h.unlock()
	h.choose("Grace Hopper")
	h.menu("Shares")
	h.see("For Dr. Okafor")
	h.tap("Revoke")
	h.tapLast("Revoke")
	if len(w.chain.revoked) != 1 || len(w.care.careRevoked) != 0 {
		t.Fatalf("own revoked %v, care revoked %v", w.chain.revoked, w.care.careRevoked)
	}
	h.tap("Back")
	h.see("Hemoglobin A1c") // the owner's records again
}

func TestCounted(t *testing.T) {
	got := counted([]string{"Influenza", "Tdap", "Influenza", "MMR", "Influenza"})
	if want := []string{"Influenza (3×)", "Tdap", "MMR"}; !slices.Equal(got, want) {
		t.Fatalf("counted = %q, want %q", got, want)
	}
}
