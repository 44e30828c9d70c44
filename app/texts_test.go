package app

import (
	"regexp"
	"strings"
	"testing"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/widget"

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
// command-line flags. They live in Settings → Advanced. Nor do they name
// the form of a pasted text ("hwcard:…"): a person knows it as a card.
var techWords = regexp.MustCompile(`\bETH\b|(?i:chain id|registry|json-rpc|\bblock \d|\bblock #|in block|hwcard)|(^|\s)--[a-z]`)

// plainWordsProblems are the visible texts of c that use techWords.
func plainWordsProblems(c fyne.Canvas) []string {
	var bad []string
	for _, s := range visibleTexts(c) {
		if techWords.MatchString(s) {
			bad = append(bad, s)
		}
	}
	return bad
}

// The patterns catch what they are meant to and nothing plain.
func TestTechWords(t *testing.T) {
	for _, s := range []string{"Balance: 0.5 ETH", "Chain id 1337", "Chain ID", "Registry 0xabc", "Use a JSON-RPC chain",
		"Anchored in block 42", "block 42", "run hw share --all",
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
// settings' main part, the share form and the receive screen show no
// chain words and no flags; the advanced settings do, and only there.
func TestPlainWordsInMainScreens(t *testing.T) {
	h := newHarness(t, newFakeBackend(true), desktopSize, false)
	check := func(where string) {
		t.Helper()
		h.settle()
		if bad := plainWordsProblems(h.ui.win.Canvas()); len(bad) > 0 {
			t.Errorf("%s (screen %q) says:\n%s", where, h.ui.screen, strings.Join(bad, "\n"))
		}
	}
	h.unlock()
	check("the records")
	for _, title := range h.ui.recordsShown() {
		h.ui.showRecords()
		h.list().Select(indexOf(h.ui.recordsShown(), title))
		h.screen("detail")
		check("the detail of " + title)
		h.tap("Check it now")
		check("the detail of " + title + ", checked")
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

	// The doctor's side: a share from a network they trust, its checks
	// folded away.
	r := newHarness(t, newFakeBackend(false), desktopSize, false)
	r.ui.sessionTrust = []network.Membership{testMembership()}
	r.tap("Receive a share (for doctors)")
	h = r
	check("the receive screen")
	r.typeIn(r.entry("Paste a link or scan a QR code"), testLink)
	r.pressEnter()
	check("a received share")
}

func indexOf(list []string, s string) int {
	for i, x := range list {
		if x == s {
			return i
		}
	}
	return -1
}
