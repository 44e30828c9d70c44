package app

import (
	"errors"
	"strings"
	"testing"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/widget"

	"healthwallet/wallet"
	"healthwallet/wallet/record"
)

// Issue 11 in the app, over the fake wallet: pasting a card or link, what
// each imported file became, provenance, kept documents, C-CDA sections,
// trusted card issuers.

// dialogEntry finds the visible entry of a dialog (keys.go) with the
// given placeholder.
func (h *harness) dialogEntry(placeholder string) fyne.Focusable {
	h.t.Helper()
	for _, o := range h.objects() {
		switch e := o.(type) {
		case *keyEntry:
			if e.PlaceHolder == placeholder {
				return e
			}
		case *keySelectEntry:
			if e.PlaceHolder == placeholder {
				return e
			}
		}
	}
	h.t.Fatalf("no dialog entry %q on screen %q", placeholder, h.ui.screen)
	return nil
}

// typeKeys focuses a dialog entry and replaces its text by typing.
func (h *harness) typeKeys(e fyne.Focusable, text string) {
	switch x := e.(type) {
	case *keyEntry:
		x.SetText("")
	case *keySelectEntry:
		x.SetText("")
	}
	h.ui.win.Canvas().Focus(e)
	for _, r := range text {
		e.TypedRune(r)
	}
}

func (h *harness) pressKey(k fyne.KeyName) {
	h.t.Helper()
	if f := h.ui.win.Canvas().Focused(); f != nil {
		f.TypedKey(&fyne.KeyEvent{Name: k})
		return
	}
	h.ui.win.Canvas().OnTypedKey()(&fyne.KeyEvent{Name: k})
}

// scrollToText scrolls the screen's outermost vertical scroll so that the
// visible label reading text is at its top.
func (h *harness) scrollToText(text string) {
	h.t.Helper()
	h.settle()
	var target fyne.CanvasObject
	for _, o := range h.objects() {
		if l, ok := o.(*widget.Label); ok && l.Text == text {
			target = l
			break
		}
	}
	if target == nil {
		h.t.Fatalf("no label %q on screen %q", text, h.ui.screen)
	}
	for _, o := range h.objects() {
		if s, ok := o.(*container.Scroll); ok {
			d := fyne.CurrentApp().Driver()
			s.Offset.Y = min(d.AbsolutePositionForObject(target).Y-d.AbsolutePositionForObject(s).Y,
				s.Content.MinSize().Height-s.Size().Height)
			s.Refresh()
			return
		}
	}
	h.t.Fatalf("nothing scrolls on screen %q", h.ui.screen)
}

func (h *harness) dialogOpen() bool { return h.ui.win.Canvas().Overlays().Top() != nil }

// documentsHarness is the UI, unlocked, over a fake wallet holding the
// issue-11 records (withDocuments).
func documentsHarness(t *testing.T, size fyne.Size) (*harness, *fakeBackend) {
	b := newFakeBackend(true)
	b.wallet.withDocuments()
	h := newHarness(t, b, size, false)
	h.unlock()
	return h, b
}

const pastePlaceholder = "shc:/…, a card's JWS, or shlink:/…"

func TestPasteCard(t *testing.T) {
	b := newFakeBackend(true)
	h := newHarness(t, b, phoneSize, false)
	h.unlock()
	h.tap("Import")

	h.tap(pasteLabel)
	h.pressKey(fyne.KeyReturn)
	h.see("Paste a card (shc:/…), a card's JWS or a SMART Health Link first.")
	h.pressKey(fyne.KeyEscape)
	if h.dialogOpen() {
		t.Fatal("Escape left the paste dialog open")
	}

	h.tap(pasteLabel)
	h.typeKeys(h.dialogEntry(pastePlaceholder), testCardShc)
	h.pressKey(fyne.KeyReturn)
	h.screen("import-result")
	if got := b.wallet.docs.texts; len(got) != 1 || got[0] != testCardShc {
		t.Fatalf("ImportText got %q, want the pasted card", got)
	}
	h.see("pasted card — card from SMART Health Cards example issuer: verified; 2 records")
	h.see("2 new records")
}

func TestPasteLinkWithPasscode(t *testing.T) {
	b := newFakeBackend(true)
	b.wallet.docs.passcode = "4711"
	h := newHarness(t, b, desktopSize, false)
	h.unlock()
	h.tap("Import")
	h.tap(pasteLabel)
	h.dontSee("This link is protected by a passcode")
	h.typeKeys(h.dialogEntry(pastePlaceholder), testLinkPasscode)
	h.see("This link is protected by a passcode") // flag P
	h.pressKey(fyne.KeyReturn)
	h.see("This link needs its passcode.")
	if len(b.wallet.docs.texts) != 0 {
		t.Fatal("a link with flag P was sent without its passcode")
	}
	h.typeKeys(h.dialogEntry("Passcode"), "0000")
	h.pressKey(fyne.KeyReturn)
	h.see("Wrong passcode: 4 attempts left")
	h.screen("import")
	h.typeKeys(h.dialogEntry("Passcode"), "4711")
	h.pressKey(fyne.KeyReturn)
	h.screen("import-result")
	h.see("link: Vaccines — card from cards.pharmacy.example: signature valid, issuer not trusted: the issuer is not in a directory you trust; 1 record")
}

func TestImportResultMixed(t *testing.T) {
	h := newHarness(t, newFakeBackend(true), desktopSize, false)
	h.unlock()
	r := testImportMixed()
	r.Cards[1].File = "flu.smart-health-card" // a report that keeps the base name only
	h.ui.showImportResult(r, nil)
	for _, want := range []string{
		"labs.pdf — kept as a PDF document",
		"vaccine.smart-health-card — card from SMART Health Cards example issuer: verified; 2 records",
		"flu.smart-health-card — card from cards.pharmacy.example: signature valid, issuer not trusted: the issuer is not in a directory you trust; 1 record",
		"old-card.smart-health-card — card from SMART Health Cards example issuer: REVOKED: the issuer revoked this card (rid 3B5mqA); already in your wallet",
		"ccd.xml — Continuity of Care Document: 85 records, 1 already in your wallet; 3 parts not converted",
		"knee.jpg — kept as an image",
		"labs-2024.json — 1 record",
		"notes.bin — not imported: not a file the wallet reads",
	} {
		h.see(want)
	}
	h.dontSee("Functional Status — ") // behind "Not converted"
	h.dontSee("MedicationStatement")  // behind "Details"
	h.tap("Not converted")
	h.see("Functional Status — no converter for this section yet")
	h.see("Plan of Treatment — 2 entries without a code or text")
}

func TestCardProvenance(t *testing.T) {
	h, _ := documentsHarness(t, desktopSize)

	h.ui.showDetail(cardImmun)
	h.see("Where this came from")
	h.see("SMART Health Card from spec.smarthealth.cards")
	h.see("Signature valid")
	h.see("Issuer not trusted")
	h.see("The issuer is not in a directory you trust")
	h.see("vaccine.smart-health-card")
	h.see("2 Apr 2024 09:30") // checked
	h.dontSee("REVOKED")

	h.ui.showDetail(cardRevok)
	h.see("SMART Health Card from SMART Health Cards example issuer (spec.smarthealth.cards)")
	h.see("Signature not verified") // a revoked card fails the signature check
	h.see("Issuer trusted")
	h.see("REVOKED")
}

func TestCCDASections(t *testing.T) {
	h, _ := documentsHarness(t, phoneSize)
	h.ui.showDetail(ccdaCond)
	h.see("Continuity of Care Document, section Problems")
	h.tap(openOriginalLabel)
	h.screen("sections")
	h.see("Allergies and Intolerances")
	h.see("Lisinopril 10 mg oral tablet")
	h.typeIn(h.entry("Search the document"), "hives")
	h.see("Penicillin — hives")
	h.dontSee("Lisinopril")
	h.typeInto(h.entry("Search the document"), "dialysis")
	h.see("No section mentions “dialysis”.")
	h.tap("Back")
	h.screen("detail")

	// The document itself offers its sections, and no preview.
	h.ui.showDetail(docCCD)
	h.see("The original clinical document, kept as it came.")
	h.tap(openOriginalLabel)
	h.screen("sections")
}

func TestDocumentPreviewAndCopy(t *testing.T) {
	h, b := documentsHarness(t, desktopSize)
	h.ui.showDetail(docPDF)
	h.see("PDF, 186 KB")
	h.dontSee("No preview")
	h.tap(saveCopyLabel)
	got := h.files.saved["labs-2024-03-12.pdf"]
	if got == nil || got.String() != string(b.wallet.docs.files[docPDF]) {
		t.Fatalf("saved copy %q, want the kept file", got)
	}
	h.see("Saved a copy")

	// A document the wallet cannot draw says so.
	b.wallet.docs.json["e7c0ffee17"] = docJSON("e7c0ffee17", "text/plain", "Notes", 120)
	b.wallet.records = append(b.wallet.records, docRecord("e7c0ffee17", "DocumentReference", "Letter", "Notes", day(2024, 1, 1),
		&record.Source{Kind: record.SourceDocument, File: "notes.txt", Attachment: "a4"}))
	h.ui.showDetail("e7c0ffee17")
	// Once, plainly, with the way on right under it: Save a copy, in
	// the colour of the main action.
	h.see("This text can't be shown here (this kind of document has no preview).")
	h.dontSee("No preview")
	for _, s := range h.texts() {
		if strings.Contains(strings.ToLower(s), "save a copy to") {
			t.Errorf("the note repeats the button: %q", s)
		}
	}
	if b := h.button(saveCopyLabel); b.Importance != widget.HighImportance {
		t.Error("Save a copy does not stand out under a document without a preview")
	}

	// A FHIR DocumentReference that only points elsewhere keeps no file:
	// nothing to preview or save.
	b.wallet.docs.json["e8c0ffee18"] = docJSON("e8c0ffee18", "application/pdf", "Elsewhere", 1000)
	b.wallet.records = append(b.wallet.records, docRecord("e8c0ffee18", "DocumentReference", "Letter", "Elsewhere", day(2024, 1, 1),
		&record.Source{Kind: record.SourceFHIR, File: "bundle.json"}))
	h.ui.showDetail("e8c0ffee18")
	h.screen("detail")
	h.dontSee(saveCopyLabel)
	h.dontSee("No preview")
}

func TestEditDocument(t *testing.T) {
	h, b := documentsHarness(t, phoneSize)
	h.ui.showDetail(docPDF)

	h.tap(editDocLabel)
	h.pressKey(fyne.KeyEscape) // the title has the focus
	if h.dialogOpen() {
		t.Fatal("Escape left the edit dialog open")
	}

	h.tap(editDocLabel)
	titleE, dateE, catE := h.dialogEntry("Title"), h.dialogEntry("YYYY-MM-DD"), h.dialogEntry("e.g. Lab report")
	h.typeKeys(titleE, "  ")
	h.pressKey(fyne.KeyReturn)
	h.see("Give the document a title")
	h.typeKeys(titleE, "Cholesterol and HbA1c")
	h.typeKeys(dateE, "2024-13-40")
	h.pressKey(fyne.KeyReturn)
	h.see(`The date "2024-13-40" is not a date: write it as YYYY-MM-DD`)
	h.typeKeys(dateE, "2031-01-01")
	h.pressKey(fyne.KeyReturn)
	h.see("is in the future")
	if len(b.wallet.docs.edits) != 0 {
		t.Fatal("an invalid edit reached the wallet")
	}
	h.typeKeys(dateE, "2024-03-14")
	h.typeKeys(catE, "Letter")
	h.pressKey(fyne.KeyReturn)
	want := wallet.DocumentEdit{Title: "Cholesterol and HbA1c", Date: day(2024, 3, 14), Category: "Letter"}
	if got := b.wallet.docs.edits; len(got) != 1 || got[0] != want {
		t.Fatalf("edits %+v, want %+v", got, want)
	}
	h.screen("detail")
	h.see("Cholesterol and HbA1c")
	h.see("14 Mar 2024")
	if h.dialogOpen() {
		t.Fatal("the edit dialog stayed open after saving")
	}
}

func TestTrustAddRemove(t *testing.T) {
	h, b := documentsHarness(t, desktopSize)
	h.menu("Settings")
	h.tap(trustedIssuersLabel + "…")
	h.screen("trust")
	h.see("vci-issuers.json")
	h.see("State of California")
	h.see("keys fetched 2 Apr 2024 09:30")
	h.see("Riverside Clinic")
	h.see("keys not fetched yet")
	h.see("The file could not be read again")

	// Add from a link, with Enter; a bad one keeps the dialog with why.
	h.tap(addDirectoryLabel)
	src := h.dialogEntry("https://… or a file")
	h.typeKeys(src, "ftp://nope")
	h.pressKey(fyne.KeyReturn)
	h.see(`"ftp://nope" is neither an https URL nor a directory file`)
	h.typeKeys(src, "https://issuers.example/vci-issuers.json")
	h.pressKey(fyne.KeyReturn)
	h.screen("trust")
	h.see("https://issuers.example/vci-issuers.json")
	h.see("Added Issuer")

	// Add from a file.
	h.tap(addDirectoryLabel)
	h.files.open = "/home/ada/clinic.json"
	h.tap("Choose a file…")
	h.tapLast("Add")
	h.see("/home/ada/clinic.json")

	// Escape cancels.
	h.tap(addDirectoryLabel)
	h.pressKey(fyne.KeyEscape)
	if h.dialogOpen() {
		t.Fatal("Escape left the add dialog open")
	}

	// Remove asks first, in red; Cancel keeps it.
	n := len(b.wallet.docs.dirs)
	stop := h.button(stopTrustingLabel)
	if stop.Importance != widget.DangerImportance {
		t.Errorf("Stop trusting is not red")
	}
	h.tap(stopTrustingLabel)
	h.see("Cards from the 2 issuers it lists will import as not verified")
	h.tapLast("Cancel")
	if len(b.wallet.docs.dirs) != n {
		t.Fatal("Cancel removed the directory")
	}
	h.tap(stopTrustingLabel)
	h.tapLast(stopTrustingLabel)
	if got := b.wallet.docs.removed; len(got) != 1 || !strings.HasSuffix(got[0], "vci-issuers.json") || len(b.wallet.docs.dirs) != n-1 {
		t.Fatalf("removed %q, dirs %d, want the first directory gone", got, len(b.wallet.docs.dirs))
	}
	h.screen("trust")
	h.dontSee("State of California")
}

// The wallet's reasons for no preview read once, without their advice to
// save a copy (the button is under the note).
func TestNoPreviewText(t *testing.T) {
	for _, c := range []struct {
		contentType, err, want string
	}{
		{"application/pdf", "cannot preview this PDF: its file cannot be read out of order",
			"This PDF can't be shown here (cannot preview this PDF: its file cannot be read out of order)."},
		{"image/heic", "HEIC/AVIF photos are kept but the wallet cannot draw them (no decoder that builds everywhere the app runs): save a copy to open it in your photo viewer",
			"This image can't be shown here (HEIC/AVIF photos are kept but the wallet cannot draw them (no decoder that builds everywhere the app runs))."},
		{"text/plain", "a text document has no picture preview: read it as text, or save a copy",
			"This text can't be shown here (a text document has no picture preview: read it as text)."},
		{"application/zip", `no preview for files of type "application/zip": save a copy to open it`,
			`This document can't be shown here (no preview for files of type "application/zip").`},
		{"application/pdf", "", "This PDF can't be shown here."},
	} {
		var err error
		if c.err != "" {
			err = errors.New(c.err)
		}
		if got := noPreviewText(attachmentMeta{ContentType: c.contentType}, err); got != c.want {
			t.Errorf("%s, %q:\n got %q\nwant %q", c.contentType, c.err, got, c.want)
		}
	}
}
