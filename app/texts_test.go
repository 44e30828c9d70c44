package app

import (
	"regexp"
	"slices"
	"strings"
	"testing"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/widget"

	"healthwallet/wallet"
	"healthwallet/wallet/network"
)

// visibleTexts are the texts a person can read on c, screen first and then
// its dialogs: labels, rich text, hyperlinks, buttons (an icon button's
// label too), check boxes, selects (the choice, or the placeholder while
// none), entries (their text, or the placeholder while empty), and loose
// canvas texts (form labels, titles). A widget's text is taken whole, not
// as the lines it wraps into; hidden objects and what they hold are
// skipped — a folded accordion's content is not read.
func visibleTexts(c fyne.Canvas) []string {
	var out []string
	add := func(s string) {
		if s = strings.TrimSpace(s); s != "" {
			out = append(out, s)
		}
	}
	addEntry := func(e *widget.Entry) {
		if e.Text != "" {
			add(e.Text)
		} else {
			add(e.PlaceHolder)
		}
	}
	walkVisible(c, func(o fyne.CanvasObject) bool {
		if _, label, ok := asButton(o); ok {
			add(label)
			return false
		}
		switch x := o.(type) {
		case *canvas.Text:
			add(x.Text)
		case *widget.Label:
			add(x.Text)
		case *widget.RichText:
			add(x.String())
		case *widget.Hyperlink:
			add(x.Text)
		case *widget.Check:
			add(x.Text)
		case *widget.Select:
			if x.Selected != "" {
				add(x.Selected)
			} else {
				add(x.PlaceHolder)
			}
		case *widget.Entry:
			addEntry(x)
		case *keyEntry:
			addEntry(&x.Entry)
		case *keySelectEntry:
			addEntry(&x.Entry)
		default:
			return true
		}
		return false
	})
	return out
}

// walkVisible calls visit on every visible object of c, screen first and
// then its dialogs, parents before children; it goes into an object's
// children (a container's, or a widget's renderer's) only when visit says
// so.
func walkVisible(c fyne.Canvas, visit func(fyne.CanvasObject) (descend bool)) {
	var walk func(o fyne.CanvasObject)
	walk = func(o fyne.CanvasObject) {
		if o == nil || !o.Visible() || !visit(o) {
			return
		}
		switch x := o.(type) {
		case *fyne.Container:
			for _, c := range x.Objects {
				walk(c)
			}
		case fyne.Widget:
			for _, c := range test.WidgetRenderer(x).Objects() {
				walk(c)
			}
		}
	}
	walk(c.Content())
	for _, o := range c.Overlays().List() {
		walk(o)
	}
}

// techWords are what the main flows must not say (issue 12, item 4): the
// chain's currency, its id, the contract, the protocol, block numbers and
// command-line flags, addresses and transactions. They live in Settings →
// Advanced. Nor do they name the form of a pasted text ("hwcard:…"): a
// person knows it as a card.
var techWords = regexp.MustCompile(`\bETH\b|(?i:chain id|registry|json-rpc|\bblock \d|\bblock #|in block|hwcard|` +
	`\b0x[0-9a-f]{6}|transaction|blockchain|smart contract|\bgas\b|\bwei\b|\bnonce\b)|(^|\s)--[a-z]`)

// patientJargon is what the patient's own screens do not say either: the
// names of health data formats. A doctor's view may (a doctor exports a
// FHIR Bundle to their records system).
var patientJargon = regexp.MustCompile(`\b(FHIR|NDJSON|SHL|C-CDA|` +
	`DocumentReference|AllergyIntolerance|MedicationRequest|MedicationStatement|DiagnosticReport|ExplanationOfBenefit|` +
	`CarePlan|CareTeam|ImagingStudy)\b`)

// plainWordsProblems are the visible texts of c that use techWords, or
// any of the extra patterns.
func plainWordsProblems(c fyne.Canvas, extra ...*regexp.Regexp) []string {
	var bad []string
	for _, s := range visibleTexts(c) {
		if techWords.MatchString(s) || slices.ContainsFunc(extra, func(re *regexp.Regexp) bool { return re.MatchString(s) }) {
			bad = append(bad, s)
		}
	}
	return bad
}

// The patterns catch what they are meant to and nothing plain.
func TestTechWords(t *testing.T) {
	for _, s := range []string{"Balance: 0.5 ETH", "Chain id 1337", "Chain ID", "Registry 0xabc", "Use a JSON-RPC chain",
		"Anchored in block 42", "block 42", "run hw share --all", "Patient's address: 0x9C3e4b5a1F0d",
		"break-glass, in transaction 0xabc", "Paid with gas",
		"Optional identity card (hwcard:…)"} {
		if !techWords.MatchString(s) {
			t.Errorf("%q is not caught", s)
		}
	}
	for _, s := range []string{"Intact and anchored on 12 Mar 2024", "Emergency treatment (ETREAT)", "Method", "Blocked pop-ups",
		"Can't reach the network right now — your records are safe", "Show the original data",
		recipientCardPlaceholder, caregiverCardPlaceholder} {
		if techWords.MatchString(s) {
			t.Errorf("%q is caught, it is plain", s)
		}
	}
}

// The main screens speak plainly: the records, every record's detail, the
// settings' main part, the share form, the shares and the access log, the
// people and the caregivers, the emergency card, and the doctor's side
// (the receive screen, a received share verified or not, its chart and a
// record in it) show no chain words and no flags; the advanced settings
// do, and only there, and a received share's technical details, folded
// away.
func TestPlainWordsInMainScreens(t *testing.T) {
	h := newHarness(t, newFakeBackend(true), desktopSize, false)
	jargon := []*regexp.Regexp{patientJargon} // until the doctor's side
	check := func(where string) {
		t.Helper()
		h.settle()
		if bad := plainWordsProblems(h.ui.win.Canvas(), jargon...); len(bad) > 0 {
			t.Errorf("%s (screen %q) says:\n%s", where, h.ui.screen, strings.Join(bad, "\n"))
		}
	}
	h.backend.wallet.records = nil
	h.unlock()
	check("the empty wallet")
	h.backend.wallet.records = testRecords()
	h.ui.showRecords()
	check("the records")
	h.tap("Import")
	check("the import screen")
	h.ui.showRecords()
	for _, title := range h.ui.recordsShown() {
		h.ui.showRecords()
		h.list().Select(indexOf(h.ui.recordsShown(), title))
		h.screen("detail")
		check("the detail of " + title)
		h.tap("Check it now")
		check("the detail of " + title + ", checked")
	}
	// The kept documents, cards and C-CDA records too.
	h.backend.wallet.withDocuments()
	for _, id := range []string{docPDF, docCCD, cardRevok, ccdaCond} {
		h.ui.showDetail(id)
		check("the detail of " + id)
	}
	h.ui.showRecords()
	h.menu("Settings")
	check("Settings")
	h.tap(advancedLabel)
	h.screen("settings-advanced")
	if bad := plainWordsProblems(h.ui.win.Canvas()); len(bad) == 0 {
		t.Errorf("Settings → Advanced shows no technical details; it shows:\n%s", strings.Join(visibleTexts(h.ui.win.Canvas()), "\n"))
	}
	h.ui.showRecords()
	h.tap("Share")
	check("the share form")
	h.tap("Create share")
	h.tapLast("Share")
	check("the share on screen")
	h.ui.showRecords()
	h.menu("Shares")
	check("the shares")
	h.ui.showRecords()
	h.menu("Emergency card")
	check("the emergency card")

	// The people kept apart and cared for; caregivers; the access log's
	// visits; a folder with someone else's records.
	h = newHarness(t, newFakeBackend(true), desktopSize, false)
	jane := h.backend.wallet.keepsJane()
	h.backend.wallet.caresForGrace()
	h.backend.wallet.care.delegates = testDelegates()
	h.backend.wallet.chain.shares, h.backend.wallet.chain.access = visitLog()
	h.backend.wallet.report = wallet.ImportReport{Imported: 10, OtherPeople: []wallet.OtherPerson{jane}}
	h.unlock()
	h.menu("People")
	check("the people")
	h.ui.showRecords()
	h.choose("Jane Doe")
	check("the records of someone kept apart")
	h.ui.showRecords()
	h.menu("Caregivers")
	check("the caregivers")
	h.tap("Add a caregiver")
	check("the caregiver form")
	h.ui.showRecords()
	h.menu("Access log")
	check("the access log")
	h.ui.showRecords()
	h.importFile("/home/ada/Downloads/synthea/jane.json")
	check("an import with someone else's records")

	// The doctor's side: a share from a network they trust, its checks
	// folded away.
	jargon = nil
	r := newHarness(t, newFakeBackend(false), desktopSize, false)
	r.ui.sessionTrust = []network.Membership{testMembership()}
	r.tap("Receive a share (for doctors)")
	h = r
	check("the receive screen")
	r.typeIn(r.entry("Paste a link or scan a QR code"), testLink)
	r.pressEnter()
	check("a received share")
	r.openChecks()
	check("a received share, its checks open")
	r.tapRow("Hemoglobin A1c")
	check("a received record")

	// A share from a network the doctor does not trust yet, and one from
	// another issuer: their checks are open, the technical details not.
	for _, link := range []string{testLink, testLinkOther} {
		r = newHarness(t, newFakeBackend(false), desktopSize, false)
		r.tap("Receive a share (for doctors)")
		r.typeIn(r.entry("Paste a link or scan a QR code"), link)
		r.pressEnter()
		h = r
		check("a received share not verified")
	}
	r = newHarness(t, newFakeBackend(false), desktopSize, false)
	r.tap("Receive a share (for doctors)")
	r.typeIn(r.entry("Paste a link or scan a QR code"), testLink)
	r.pressEnter()
	r.openTechnical()
	if bad := plainWordsProblems(r.ui.win.Canvas()); len(bad) == 0 {
		t.Errorf("a received share's technical details do not name its network's insides; it shows:\n%s",
			strings.Join(visibleTexts(r.ui.win.Canvas()), "\n"))
	}
}

func indexOf(list []string, s string) int {
	for i, x := range list {
		if x == s {
			return i
		}
	}
	return -1
}

// A record's type reads as words: no FHIR names run together.
func TestTypeWords(t *testing.T) {
	for typ, want := range map[string]string{
		"MedicationRequest": "Prescription", "DocumentReference": "Document", "CarePlan": "Care plan",
		"DiagnosticReport": "Diagnostic report", "Immunization": "Immunization", "Observation": "Observation or result",
	} {
		if got := typeWords(typ); got != want {
			t.Errorf("typeWords(%q) = %q, want %q", typ, got, want)
		}
	}
}
