package app

import (
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/widget"

	"healthwallet/wallet"
	"healthwallet/wallet/network"
	"healthwallet/wallet/record"
)

// choose picks option in the visible select that offers it, as a tap on
// the option would.
func (h *harness) choose(option string) {
	h.t.Helper()
	for _, o := range h.objects() {
		if s, ok := o.(*widget.Select); ok && slices.Contains(s.Options, option) {
			s.SetSelected(option)
			return
		}
	}
	h.t.Fatalf("no select offers %q on screen %q", option, h.ui.screen)
}

// check ticks the visible check box labelled text.
func (h *harness) check(text string) {
	h.t.Helper()
	h.setCheck(text, true)
}

// setCheck ticks (on) or unticks the visible check box labelled text.
func (h *harness) setCheck(text string, on bool) {
	h.t.Helper()
	for _, o := range h.objects() {
		if c, ok := o.(*widget.Check); ok && c.Text == text {
			if c.Disabled() {
				h.t.Fatalf("check %q is disabled", text)
			}
			c.SetChecked(on)
			return
		}
	}
	h.t.Fatalf("no check %q on screen %q", text, h.ui.screen)
}

// qr is the visible QR code image.
func (h *harness) qr() *canvas.Image {
	h.t.Helper()
	for _, o := range h.objects() {
		if img, ok := o.(*canvas.Image); ok && img.ScaleMode == canvas.ImageScalePixels {
			return img
		}
	}
	h.t.Fatalf("no QR code on screen %q", h.ui.screen)
	return nil
}

// seeBefore fails unless a label containing first comes before one
// containing second.
func (h *harness) seeBefore(first, second string) {
	h.t.Helper()
	ts := h.texts()
	i := slices.IndexFunc(ts, func(s string) bool { return strings.Contains(s, first) })
	j := slices.IndexFunc(ts, func(s string) bool { return strings.Contains(s, second) })
	if i < 0 || j < 0 || i > j {
		h.t.Fatalf("want %q shown before %q; the screen shows:\n%s", first, second, strings.Join(ts, "\n"))
	}
}

func unlocked(t *testing.T, size ...float32) (*harness, *fakeWallet) {
	t.Helper()
	b := newFakeBackend(true)
	sz := desktopSize
	if len(size) > 0 {
		sz = phoneSize
	}
	h := newHarness(t, b, sz, false)
	h.unlock()
	return h, b.wallet
}

func TestShareFlow(t *testing.T) {
	h, w := unlocked(t)
	h.tap("Share")
	h.screen("share")
	h.see("Patient summary (5 records)") // the allergy, the problem, the medication, the immunization, the vital sign
	h.see("All records, insurance and billing included (7)")
	h.choose("1 day")
	h.choose("Emergency")
	h.typeIn(h.entry("Optional passcode"), "4711")
	h.tap("Create share")
	h.see("Share these records?")
	h.see("Anyone who scans the QR code and knows the passcode can read your patient summary (5 records) for 1 day, for Emergency treatment.")
	h.tapLast("Share")

	h.screen("share-result")
	if len(w.chain.requests) != 1 {
		t.Fatalf("%d shares made, want 1", len(w.chain.requests))
	}
	req := w.chain.requests[0]
	if !req.Summary || req.All || req.TTL != 24*time.Hour || req.Purpose != "ETREAT" || req.Passcode != "4711" {
		t.Errorf("share request %+v", req)
	}
	qr := h.qr()
	if n := qr.Image.Bounds().Dx(); int(qr.MinSize().Width)%n != 0 {
		t.Errorf("QR of %d modules drawn %v wide: not whole pixels per module", n, qr.MinSize().Width)
	}
	var link string
	for _, s := range h.labels() {
		if strings.HasPrefix(s, "shlink:/") {
			link = s
		}
	}
	if link != testLink || len(link) > 300 {
		t.Errorf("link label %q (%d characters), want the share's link, ≤ 300", link, len(link))
	}
	h.tap("Copy link")
	if got := h.ui.app.Clipboard().Content(); got != testLink {
		t.Errorf("clipboard %q", got)
	}
	h.see("Expires in 1 day (11 Apr 2024 09:00)")
	h.clock.Advance(time.Minute)
	h.see("Expires in 23 hours 59 minutes")

	h.tap("Revoke now")
	h.see("Revoke this share?")
	h.tap("Cancel")
	if len(w.chain.revoked) != 0 {
		t.Fatal("revoked without confirming")
	}
	h.tap("Revoke now")
	h.tapLast("Revoke")
	if !slices.Equal(w.chain.revoked, []string{"s4"}) {
		t.Fatalf("revoked %q, want s4", w.chain.revoked)
	}
	h.see("Revoked: the link no longer opens.")
	h.tap("Done")
	h.screen("records")
}

func TestShareCustomExpiryAndCategory(t *testing.T) {
	h, w := unlocked(t)
	h.ui.recordsView.setCategory("Laboratory")
	h.tap("Share")
	h.pick("Shown now: Laboratory (2)")
	h.choose("Custom")
	h.typeIn(h.entry("e.g. 90m, 3h, 2d"), "soon")
	h.tap("Create share")
	h.see(`"soon" is not a duration: use 15m, 1h, 1d, 1w, or a duration such as 90m or 36h`)
	// As hw share --expires: less than a minute reaches no one.
	h.typeInto(h.entry("e.g. 90m, 3h, 2d"), "30s")
	h.tap("Create share")
	h.see("a minute")
	h.dontSee("Share these records?")
	h.typeInto(h.entry("e.g. 90m, 3h, 2d"), "2d")
	h.tap("Create share")
	h.tapLast("Share")
	h.screen("share-result")
	req := w.chain.requests[0]
	if req.All || len(req.IDs) != 2 || req.TTL != 48*time.Hour || req.Purpose != "TREAT" {
		t.Errorf("share request %+v", req)
	}
}

// A direct share from a record's detail is served while its screen is
// shown; leaving asks, then stops it.
func TestDirectShareFromDetail(t *testing.T) {
	h, w := unlocked(t)
	h.list().Select(slices.Index(h.ui.recordsShown(), "Hemoglobin A1c"))
	h.tap("Share")
	h.see("This record: Hemoglobin A1c")
	h.check("Share directly from this device (local network)")
	h.tap("Create share")
	h.see("can read 1 record for 1 hour")
	h.tapLast("Share")
	h.screen("share-result")
	if w.chain.directs != 1 || !slices.Equal(w.chain.requests[0].IDs, []string{"b2c0ffee02"}) {
		t.Fatalf("direct shares %d, request %+v", w.chain.directs, w.chain.requests)
	}
	h.see("Served from this device on the local network while this screen is open.")
	h.tap("Done")
	h.see("Stop sharing from this device?")
	h.tap("Cancel")
	h.screen("share-result")
	if w.chain.directCtx.Err() != nil {
		t.Fatal("direct share stopped though the person stayed")
	}
	h.tap("Done")
	h.tapLast("Stop sharing")
	h.screen("detail")
	if w.chain.directCtx.Err() == nil {
		t.Fatal("direct share still served after leaving its screen")
	}
}

// A direct share travels over plain http on the local network: the form
// takes away the passcode a person typed, rather than send it in clear.
func TestDirectShareOffersNoPasscode(t *testing.T) {
	h, w := unlocked(t)
	h.tap("Share")
	code := h.entry("Optional passcode")
	h.typeIn(code, "2468")
	h.check("Share directly from this device (local network)")
	if code.Text != "" || !code.Disabled() {
		t.Fatalf("passcode %q, disabled %v, on a direct share", code.Text, code.Disabled())
	}
	h.tap("Create share")
	h.dontSee("knows the passcode")
	h.tapLast("Share")
	if w.chain.directs != 1 || w.chain.requests[0].Passcode != "" {
		t.Fatalf("direct shares %d, request %+v", w.chain.directs, w.chain.requests)
	}
}

func TestSharesList(t *testing.T) {
	h, w := unlocked(t)
	h.menu("Shares")
	h.screen("shares")
	for _, s := range []string{"Pending", "Active", "Expired", "Revoked", "For Dr. Okafor",
		"opened 2 times", "expires 11 Apr 2024 07:00", "expired 8 Apr 2024 09:00", "7 records for Emergency treatment",
		"Stopped", "opened 1 time · expires 11 Apr 2024 05:00 · created 9 Apr 2024 06:00 · served from this device until its screen closed",
		"opened 1 time · expires 10 Apr 2024 09:40 · created 10 Apr 2024 08:40 · served from this device now"} {
		h.see(s)
	}
	h.tap("Revoke") // the first: the pending share
	h.see("Revoke this share?")
	h.tapLast("Revoke")
	if !slices.Equal(w.chain.revoked, []string{"s3"}) {
		t.Fatalf("revoked %q, want s3", w.chain.revoked)
	}
	h.screen("shares")
	h.tap("Back")
	h.screen("records")
}

func TestSharesEmpty(t *testing.T) {
	h, w := unlocked(t)
	w.chain.shares = nil
	h.menu("Shares")
	h.see("No shares yet.")
}

// A doctor without a wallet scans a QR: the scanner types into the focused
// field and presses Enter.
func TestReceiveFlow(t *testing.T) {
	b := newFakeBackend(false)
	h := newHarness(t, b, desktopSize, false)
	h.tap("Receive a share (for doctors)")
	h.screen("receive")
	focused, ok := h.ui.win.Canvas().Focused().(*widget.Entry)
	if !ok || focused.PlaceHolder != "Paste a link or scan a QR code" {
		t.Fatalf("focused %T, want the link field", h.ui.win.Canvas().Focused())
	}
	for _, r := range testLink {
		focused.TypedRune(r)
	}
	h.pressEnter()
	// Without a wallet, no network is trusted yet: the records show, not
	// verified, the network named, and the doctor is offered to trust it.
	h.see("Female · born 10 Dec 1815, 208 years · MRN 004711")
	h.see("Not checked: made on the network “Riverside Clinic”, which is not trusted here; confirm the records with the patient")
	h.see("Network trusted: made on the Riverside Clinic network, which you do not trust")
	// The network's insides only under Technical details, folded away.
	h.dontSee("registry 0x5FbDB2315678afecb367f032d93F642f64180aa3")
	h.openTechnical()
	h.see("Network: Riverside Clinic (chain 31337, registry 0x5FbDB2315678afecb367f032d93F642f64180aa3)")
	h.see("Only trust a network you know, like your clinic's: shares made on it will then show as verified.")
	h.see("Not verified: check these with the patient before relying on them.")
	h.see("Hemoglobin A1c")
	h.dontSee(verifiedLine)
	h.dontSee("hw network trust")
	h.dontSee("Ask the patient to share again")
	h.tap("Trust this network")
	h.see("Trust the Riverside Clinic network?")
	h.tap("Cancel")
	if len(b.fetched) != 0 || len(h.ui.sessionTrust) != 0 {
		t.Fatal("trusted without confirming")
	}
	// Trusting it, for this session, opens the share again: verified.
	h.tap("Trust this network")
	h.tapLast("Trust this network")
	if !slices.Equal(b.fetched, []string{testJoinURL}) {
		t.Fatalf("fetched %q, want the share's network", b.fetched)
	}
	h.see(verifiedLine)
	h.see("Shared by Ada Lovelace · for Treatment · consent active until 10 Apr 2024 10:00")
	h.dontSee("Trust this network")

	h.typeInto(h.entry("Paste a link or scan a QR code"), testLinkRevoked)
	h.tap("Open")
	h.see("Withdrawn by the patient: do not rely on it")
	h.see("Grant active on chain: revoked on chain by the patient")
	h.see("The records are not shown")
	h.dontSee("Export as FHIR Bundle…")

	h.typeInto(h.entry("Paste a link or scan a QR code"), testLink)
	h.typeIn(h.entry("e.g. Dr. Smith, City Clinic"), "Dr. Okafor")
	h.choose("Emergency treatment (ETREAT)")
	h.tap("Open")
	h.see(verifiedLine)
	h.see("Shared by Ada Lovelace · for Treatment · consent active until 10 Apr 2024 10:00")
	h.dontSee("Records anchored on chain") // the checks are folded away
	h.openChecks()
	h.see("Records anchored on chain")
	h.see("Hemoglobin A1c")
	h.see("Penicillin allergy")
	opts := b.wallet.chain.receipts[len(b.wallet.chain.receipts)-1]
	if opts.Purpose != "ETREAT" || opts.Recipient != "Dr. Okafor" {
		t.Errorf("receive options %+v", opts)
	}
	if n := len(b.trusted); n != 4 || len(b.trusted[0]) != 0 || len(b.trusted[3]) != 1 {
		t.Errorf("networks given to the backend %v", b.trusted)
	}

	h.tap("Export as FHIR Bundle…")
	saved := h.files.saved["received-records.json"]
	if saved == nil || !strings.Contains(saved.String(), `"resourceType":"Bundle"`) || !strings.Contains(saved.String(), "4548-4") {
		t.Fatalf("export %v", saved)
	}
	h.tap("OK")

	h.tap("Back")
	h.screen("welcome")
}

// With an unlocked wallet, the wallet verifies against the networks it
// trusts: the backend is not asked.
func TestReceiveWithWallet(t *testing.T) {
	h, w := unlocked(t)
	h.menu("Receive a share")
	h.typeIn(h.entry("Paste a link or scan a QR code"), testLink)
	h.pressEnter()
	h.see(verifiedLine)
	if len(h.backend.trusted) != 0 || len(w.chain.receipts) != 1 {
		t.Errorf("backend asked %v, wallet %d times", h.backend.trusted, len(w.chain.receipts))
	}
}

func TestReceivePasscode(t *testing.T) {
	b := newFakeBackend(false)
	b.wallet.chain.passcode = "1234"
	h := newHarness(t, b, desktopSize, false)
	h.ui.sessionTrust = []network.Membership{testMembership()}
	h.tap("Receive a share (for doctors)")
	h.typeIn(h.entry("Paste a link or scan a QR code"), testLink)
	h.pressEnter()
	h.see("This link needs a passcode")
	pass := h.entry("Passcode")
	if h.ui.win.Canvas().Focused() != pass {
		t.Error("the passcode field is not focused")
	}
	h.typeIn(pass, "0000")
	h.pressEnter()
	h.see("wrong passcode: 2 attempts left")
	h.typeInto(pass, "1234")
	h.pressEnter()
	h.see(verifiedLine)
}

func TestReceiveImage(t *testing.T) {
	h, _ := unlocked(t)
	h.menu("Receive a share")
	h.screen("receive")
	path := filepath.Join(t.TempDir(), "qr.png")
	if err := os.WriteFile(path, []byte(testLinkOther), 0o600); err != nil {
		t.Fatal(err)
	}
	h.files.open = path
	h.tap(scanLabel)
	h.see("From another issuer — not verifiable")
	h.see("Hemoglobin A1c")
	h.tap("Back")
	h.screen("records")
}

func TestAccessLog(t *testing.T) {
	h, w := unlocked(t)
	h.menu("Access log")
	h.screen("access-log")
	h.seeBefore("a holder of the link", "Dr. Okafor, St Mary's")
	h.seeBefore("Dr. Okafor, St Mary's", "City Clinic front desk")
	h.see(`"For Dr. Okafor", shared 10 Apr 2024 · 3 records · for treatment · via the link server · recorded on the chain`)
	h.see("your share of 7 Apr 2024 09:00 · 1 record · for care management · via the link server")
	h.dontSee("1 record · for care management · via the link server · recorded on the chain")
	h.see("10 Apr 2024 07:30")

	w.chain.access = nil
	h.tap("Shares")
	h.tap("Access log")
	h.see("No one has opened your shares yet.")
}

func TestAnchorStates(t *testing.T) {
	h, w := unlocked(t)
	h.see("Anchored")
	h.see("Waiting to anchor")
	h.see("Verification failed")

	h.list().Select(slices.Index(h.ui.recordsShown(), "Penicillin allergy"))
	h.see("Changed since it was anchored: do not rely on it")
	h.dontSee("it was altered on this device") // the details, folded
	h.tap("Details")
	h.see("it was altered on this device")
	h.tap("Back")
	h.list().Select(slices.Index(h.ui.recordsShown(), "Hemoglobin A1c"))
	h.see("Anchored on 2 Apr 2024")
	h.dontSee("block 42")
	h.tap("Details")
	h.see("In block 42 at 2 Apr 2024 09:31 UTC")
	w.chain.verify = wallet.Verification{Anchored: true, Problem: "the Merkle proof does not lead to the anchored root"}
	h.tap("Check it now")
	h.see("Changed since it was anchored: do not rely on it.")
	h.see("Problem: the Merkle proof does not lead to the anchored root")
	w.chain.verify = wallet.Verification{Anchored: true, Valid: true, Block: 42, Time: anchoredAt}
	h.tap("Check it now")
	h.see("Intact and anchored on 2 Apr 2024.")
	h.see("Every check passed.")
}

// With the chain down, the records screen says so calmly: a banner, no
// dialog, nothing disabled.
func TestChainBanner(t *testing.T) {
	b := newFakeBackend(true)
	b.wallet.chain.offline()
	h := newHarness(t, b, desktopSize, false)
	h.unlock()
	h.see(networkDownText)
	h.see("1 record waits to be anchored; it will be once the network is back.")
	h.dontSee("The network cannot be reached") // the wallet's own words are in Settings → Advanced
	if top := h.ui.win.Canvas().Overlays().Top(); top != nil {
		t.Fatalf("a dialog is shown: %T", top)
	}
	h.tap("Import") // still usable
	h.screen("import")
}

func TestAnchorAfterImport(t *testing.T) {
	h, w := unlocked(t)
	w.report = testReport()
	w.chain.offline()
	w.records = append(w.records, record.Record{ID: "0a0a0a0a0a", ResourceType: "Observation",
		Summary: record.Summary{Title: "Glucose", Category: "Laboratory"}, Anchor: record.AnchorState{State: record.AnchorWaiting}})
	h.tap("Import")
	h.files.open = "/home/ada/labs.json"
	h.tap("Add file…")
	h.tap("Import")
	h.screen("import-result")
	if w.chain.anchorCalls != 1 {
		t.Fatalf("Anchor called %d times after the import, want 1", w.chain.anchorCalls)
	}
	h.tap("Show records")
	h.see("2 records wait to be anchored; they will be once the network is back.")

	// Anchoring is tried again while the wallet stays unlocked; once the
	// network is back, the banner goes.
	w.chain.online()
	h.clock.Advance(anchorRetry)
	if w.chain.anchorCalls != 2 {
		t.Fatalf("Anchor called %d times a minute later, want 2", w.chain.anchorCalls)
	}
	h.dontSee("Offline")
	h.clock.Advance(anchorRetry)
	if w.chain.anchorCalls != 2 {
		t.Fatalf("Anchor called %d times with nothing waiting, want 2", w.chain.anchorCalls)
	}
}

// pick selects option in the visible radio group that offers it.
func (h *harness) pick(option string) {
	h.t.Helper()
	for _, o := range h.objects() {
		if r, ok := o.(*widget.RadioGroup); ok && slices.Contains(r.Options, option) {
			r.SetSelected(option)
			return
		}
	}
	h.t.Fatalf("no radio group offers %q on screen %q", option, h.ui.screen)
}

// tick ticks option in the visible check group that offers it, or unticks
// it when it is ticked.
func (h *harness) tick(option string) {
	h.t.Helper()
	for _, o := range h.objects() {
		if g, ok := o.(*widget.CheckGroup); ok && slices.Contains(g.Options, option) {
			if slices.Contains(g.Selected, option) {
				g.SetSelected(slices.DeleteFunc(slices.Clone(g.Selected), func(s string) bool { return s == option }))
			} else {
				g.SetSelected(append(slices.Clone(g.Selected), option))
			}
			return
		}
	}
	h.t.Fatalf("no check group offers %q on screen %q", option, h.ui.screen)
}

// Records chosen by kind and by a date range: nothing ticked is no choice
// (never everything), the form counts them before sharing, refuses bad
// dates, and asks the wallet for exactly those records.
func TestShareByKindAndDate(t *testing.T) {
	h, w := unlocked(t)
	h.tap("Share")
	h.see("5 records will be shared.") // the summary
	h.dontSee("First day")
	h.pick(chooseLabel)
	h.see("Tick the kinds of record to share")
	if !h.button("Create share").Disabled() {
		t.Error("a share can be created with nothing chosen")
	}
	h.tick("Laboratory (2)")
	h.see("2 records will be shared.")
	h.tick("Vital signs (1)")
	h.see("3 records will be shared.")
	h.tick("Immunizations (1)")
	h.see("4 records will be shared.")
	h.tick("Immunizations (1)")

	from, to := h.entry("First day, YYYY-MM-DD"), h.entry("Last day, YYYY-MM-DD")
	h.typeIn(from, "12/03/2024")
	h.see("The first day: “12/03/2024” is not a day: write it as YYYY-MM-DD")
	if !h.button("Create share").Disabled() {
		t.Error("a share can be created with a bad date")
	}
	h.typeInto(from, "2024-01-01")
	h.see("2 records will be shared.")
	h.typeIn(to, "2023-12-31")
	h.see("The last day (2023-12-31) is before the first (2024-01-01): swap them")
	h.typeInto(to, "2024-02-01")
	h.see("This choice holds no records: choose others to share.")
	if !h.button("Create share").Disabled() {
		t.Error("a share of no records can be created")
	}

	// The calendar writes the day it is given.
	h.tap("") // the first calendar button: the first day's
	var cal *widget.Calendar
	for _, o := range h.objects() {
		if c, ok := o.(*widget.Calendar); ok {
			cal = c
		}
	}
	if cal == nil {
		t.Fatal("no calendar shown")
	}
	cal.OnChanged(day(2024, 3, 12))
	if from.Text != "2024-03-12" {
		t.Fatalf("first day %q after picking 12 Mar 2024", from.Text)
	}
	h.typeInto(to, "2024-03-12")
	h.see("2 records will be shared.") // the whole last day counts

	h.tap("Create share")
	h.see("can read 2 records for 1 hour")
	h.tapLast("Share")
	h.screen("share-result")
	req := w.chain.requests[0]
	if ids := slices.Sorted(slices.Values(req.IDs)); req.All || req.Summary || len(req.ResourceTypes) != 0 ||
		!slices.Equal(ids, []string{"b2c0ffee02", "d4c0ffee04"}) {
		t.Errorf("share request %+v, want the HbA1c and the blood pressure by id", req)
	}
	h.see("2 records for Treatment")
}

// Insurance and billing is offered in words, never ticked for the person,
// and not in the summary; the purposes are the common ones in words, the
// rest under More…; a hint about what was typed clears once it changes.
func TestShareFormWordsAndBilling(t *testing.T) {
	b := newFakeBackend(true)
	b.wallet.records = append(b.wallet.records, record.Record{ID: "b8c0ffee08", ResourceType: "ExplanationOfBenefit", Version: 1,
		Summary: record.Summary{Title: "Claim for a visit", Category: record.CategoryInsurance, Date: day(2024, 3, 12)}})
	h := newHarness(t, b, desktopSize, false)
	h.unlock()
	h.tap("Share")
	h.see("Patient summary (5 records)")
	h.see("No insurance or billing")
	h.see("All records, insurance and billing included (8)")
	h.pick(chooseLabel)
	h.see("Insurance and billing (1)")
	for _, o := range h.objects() {
		if g, ok := o.(*widget.CheckGroup); ok && len(g.Selected) > 0 {
			t.Errorf("ticked for the person: %v", g.Selected)
		}
	}
	for _, s := range h.texts() {
		if strings.Contains(s, "ExplanationOfBenefit") || strings.Contains(s, "TREAT") {
			t.Errorf("the form says %q", s)
		}
	}
	h.pick("Patient summary (5 records)")

	if slices.ContainsFunc(h.texts(), func(s string) bool { return s == "Public health" }) {
		t.Error("a rare purpose is offered before More…")
	}
	h.choose("More…")
	h.choose("Public health")
	h.choose("Custom")
	h.typeIn(h.entry("e.g. 90m, 3h, 2d"), "soon")
	h.tap("Create share")
	h.see(`"soon" is not a duration`)
	h.typeInto(h.entry("e.g. 90m, 3h, 2d"), "2w")
	h.dontSee(`"soon" is not a duration`)
	h.tap("Create share")
	h.see("can read your patient summary (5 records) for 2 weeks, for Public health")
	h.tapLast("Share")
	if req := b.wallet.chain.requests[0]; !req.Summary || req.Purpose != "PUBHLTH" || req.TTL != 14*24*time.Hour {
		t.Errorf("share request %+v", req)
	}
}

// An empty wallet has nothing to share, and says so before the person
// fills in the form.
func TestShareNothing(t *testing.T) {
	b := newFakeBackend(true)
	b.wallet.records = nil
	h := newHarness(t, b, desktopSize, false)
	h.unlock()
	h.tap("Share")
	h.see("This choice holds no records")
	if !h.button("Create share").Disabled() {
		t.Error("an empty share can be created")
	}
}

// On a phone the header's buttons are icons, so the name shows in full;
// they do what their labels say.
func TestPhoneHeaderShowsName(t *testing.T) {
	h, _ := unlocked(t, 0)
	h.settle()
	var shown []string
	for _, o := range h.objects() {
		if x, ok := o.(*canvas.Text); ok {
			shown = append(shown, x.Text)
		}
		if b, ok := o.(*widget.Button); ok && slices.Contains([]string{"Import", "Share", "More", "Lock"}, b.Text) {
			t.Errorf("button %q shows its text on a phone", b.Text)
		}
	}
	if !slices.Contains(shown, testName) {
		t.Fatalf("the header does not show %q in full; the screen shows %q", testName, shown)
	}
	h.tap("Import")
	h.screen("import")
	h.tap("Back")
	h.menu("Settings")
	h.screen("settings")
	h.ui.win.Resize(desktopSize)
	h.settle()
	h.button("Back") // with its text again
	for _, o := range h.objects() {
		if _, ok := o.(*iconButton); ok {
			t.Fatal("icon-only buttons on a wide window")
		}
	}
}

// The expiry presets are the wallet's, as people say them, then custom.
func TestExpiryChoicesFollowWalletPresets(t *testing.T) {
	got := expiryChoices()
	want := []string{"15 minutes", "1 hour", "1 day", "1 week", "Custom"}
	if !slices.Equal(got, want) {
		t.Errorf("expiry choices %q, want %q", got, want)
	}
	if len(got) != len(wallet.SharePresets)+1 {
		t.Errorf("%d choices for %d presets", len(got), len(wallet.SharePresets))
	}
}

// Durations read as people say them, months and years included.
func TestFormatTTLInWords(t *testing.T) {
	const day = 24 * time.Hour
	for d, want := range map[time.Duration]string{
		15 * time.Minute: "15 minutes", time.Hour: "1 hour", day: "1 day", 14 * day: "2 weeks",
		30 * day: "1 month", 180 * day: "6 months", 365 * day: "1 year", 45 * day: "45 days",
	} {
		if got := formatTTL(d); got != want {
			t.Errorf("formatTTL(%v) = %q, want %q", d, got, want)
		}
	}
}
