package app

import (
	"context"
	"errors"
	"fmt"
	"net/url"
	"path/filepath"
	"slices"
	"strings"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"healthwallet/wallet"
	"healthwallet/wallet/share"
)

// This file: what each imported file became (cards, C-CDA documents, kept
// documents), and importing a card or link pasted as text.

// fileOutcomes says, one entry per file of the import, what it became, in
// plain words: no FHIR type names in the headlines (they are behind
// "Details").
func fileOutcomes(r wallet.ImportReport) []fyne.CanvasObject {
	var out []fyne.CanvasObject
	line := func(text string, imp widget.Importance) {
		l := wrapped(text)
		l.Importance = imp
		out = append(out, l)
	}
	for _, f := range r.Files {
		name := filepath.Base(f.File)
		switch f.Kind {
		case wallet.FileRejected:
			line(name+" — not imported: "+f.Problem, widget.DangerImportance)
		case wallet.FileCard:
			cards := slices.DeleteFunc(slices.Clone(r.Cards), func(c wallet.CardReport) bool { return !sameFile(c.File, f.File) })
			if len(cards) == 0 {
				line(name+" — card: "+recordsWords(f.Records, f.Duplicates), widget.MediumImportance)
			}
			for _, c := range cards {
				text, imp := cardWords(c)
				line(fmt.Sprintf("%s — %s; %s", name, text, recordsWords(c.Records, f.Duplicates)), imp)
			}
		case wallet.FileCCDA, wallet.FileDocument:
			i := slices.IndexFunc(r.Documents, func(d wallet.DocumentReport) bool { return sameFile(d.File, f.File) })
			if i < 0 {
				line(name+" — "+recordsWords(f.Records, f.Duplicates), widget.MediumImportance)
				continue
			}
			out = append(out, documentOutcome(name, f, r.Documents[i])...)
		default:
			line(name+" — "+recordsWords(f.Records, f.Duplicates), widget.MediumImportance)
		}
	}
	return out
}

// sameFile says whether a card's or document's report is about the file a
// FileReport names: by path, or by base name where one of them keeps only
// that.
func sameFile(a, b string) bool {
	return a == b || filepath.Base(a) == filepath.Base(b) && (filepath.Base(a) == a || filepath.Base(b) == b)
}

// recordsWords is "12 records", "12 records, 3 already in your wallet",
// or "already in your wallet".
func recordsWords(records, duplicates int) string {
	switch {
	case records == 0 && duplicates > 0:
		return "already in your wallet"
	case duplicates > 0:
		return fmt.Sprintf("%s, %d already in your wallet", plural(records, "record", "records"), duplicates)
	}
	return plural(records, "record", "records")
}

// cardWords says whose card it is and what its two checks found: verified,
// signature valid but issuer not trusted, signature not verified (forged,
// or its issuer's keys could not be had: the problem says which), or
// revoked.
func cardWords(c wallet.CardReport) (string, widget.Importance) {
	from := "card from " + issuerWords(c.Name, c.Issuer)
	problem := ""
	if c.Problem != "" {
		problem = ": " + c.Problem
	}
	switch {
	case c.Revoked:
		return from + ": REVOKED" + problem, widget.DangerImportance
	case c.Verified:
		return from + ": verified", widget.SuccessImportance
	case c.SignatureValid:
		return from + ": signature valid, issuer not trusted" + problem, widget.WarningImportance
	}
	return from + ": signature not verified" + problem, widget.DangerImportance
}

// issuerWords names a card issuer: its name from a trusted directory, else
// the host of its URL.
func issuerWords(name, iss string) string {
	if name != "" {
		return name
	}
	if u, err := url.Parse(iss); err == nil && u.Host != "" {
		return u.Host
	}
	if iss == "" {
		return "an unnamed issuer"
	}
	return iss
}

// documentOutcome is a kept document's line ("labs.pdf — kept as a PDF
// document") or a C-CDA document's ("ccd.xml — Continuity of Care
// Document: 84 records; 3 parts not converted") with the parts not
// converted and the records by type to expand.
func documentOutcome(name string, f wallet.FileReport, d wallet.DocumentReport) []fyne.CanvasObject {
	if f.Kind == wallet.FileDocument {
		text := name + " — kept as " + keptWords(d.Kind)
		if f.Records == 0 && f.Duplicates > 0 {
			text = name + " — already in your wallet"
		}
		return []fyne.CanvasObject{wrapped(text)}
	}
	text := fmt.Sprintf("%s — %s: %s", name, d.Kind, recordsWords(d.Records, f.Duplicates))
	if n := len(d.NotConverted); n > 0 {
		text += "; " + plural(n, "part not converted", "parts not converted")
	}
	headline := wrapped(text)
	var items []*widget.AccordionItem
	if len(d.NotConverted) > 0 {
		lines := make([]string, len(d.NotConverted))
		for i, nc := range d.NotConverted {
			lines[i] = nc.Section + " — " + nc.Reason
		}
		items = append(items, widget.NewAccordionItem("Not converted", wrapped(strings.Join(lines, "\n"))))
	}
	if len(d.ByType) > 0 {
		items = append(items, widget.NewAccordionItem("Details", widget.NewLabel(byTypeLines(d.ByType))))
	}
	if len(items) == 0 {
		return []fyne.CanvasObject{headline}
	}
	return []fyne.CanvasObject{headline, widget.NewAccordion(items...)}
}

// keptWords names a kept document's kind as the importer reports it.
func keptWords(kind string) string {
	switch strings.ToLower(kind) {
	case "pdf":
		return "a PDF document"
	case "image":
		return "an image"
	case "text":
		return "a text document"
	case "":
		return "a document"
	}
	return "a document (" + kind + ")"
}

// byTypeLines lists counts by resource type, one "Type: n" a line, by type.
func byTypeLines(byType map[string]int) string {
	types := make([]string, 0, len(byType))
	for t := range byType {
		types = append(types, t)
	}
	slices.Sort(types)
	lines := make([]string, len(types))
	for i, t := range types {
		lines[i] = fmt.Sprintf("%s: %d", t, byType[t])
	}
	return strings.Join(lines, "\n")
}

// pasteLabel is the import screen's button for a card or link as text.
const pasteLabel = "Paste a card or link…"

// pasteCardOrLink imports a card or link the person pastes: shc:/ text, a
// card's JWS, or a SMART Health Link (with its passcode when its flag says
// it has one), then shows what it became.
func (u *UI) pasteCardOrLink() {
	text := u.keyEntry("shc:/…, a card's JWS, or shlink:/…")
	passcode := u.keyEntry("Passcode")
	passcode.Password = true
	passBox := container.NewVBox(wrapped("This link is protected by a passcode: ask whoever gave it to you."), passcode)
	passBox.Hide()
	u.onChanged(&text.Entry, func(s string) {
		if l, err := share.ParseLink(s); err == nil && l.Has(share.FlagPasscode) {
			passBox.Show()
		} else {
			passBox.Hide()
		}
	})
	problem := newErrorText()
	busy := busyText()
	// Whom the text is about, as for files, once the wallet keeps anyone
	// apart: a card or link giving a name differently (a maiden name).
	about, into, keepsAnyone := u.intoChoice("This text is about")
	if !keepsAnyone {
		about.Hide()
	}
	var kd *keyDialog
	var importBtn *widget.Button
	submit := func() {
		t := strings.TrimSpace(text.Text)
		switch {
		case importBtn.Disabled():
			return // already importing
		case t == "":
			problem.setText("Paste a card (shc:/…), a card's JWS or a SMART Health Link first.")
			return
		case passBox.Visible() && passcode.Text == "":
			problem.setText("This link needs its passcode.")
			u.win.Canvas().Focus(passcode)
			return
		}
		problem.clear()
		pc := passcode.Text
		if !passBox.Visible() {
			pc = ""
		}
		opts := wallet.ImportOptions{Into: into()}
		w := u.wallet
		var report wallet.ImportReport
		u.runSlow(importBtn, busy, "Reading and checking…", func() error {
			var err error
			report, err = w.ImportTextWith(context.Background(), t, pc, opts)
			return err
		}, func(err error) {
			if u.wallet != w || u.screen != "import" {
				return // the screen was left, or the wallet locked
			}
			if err != nil {
				var pe *share.PasscodeError
				if errors.As(err, &pe) || errors.Is(err, share.ErrPasscodeRequired) {
					passBox.Show()
					u.win.Canvas().Focus(passcode)
				}
				problem.set(err)
				return
			}
			kd.close()
			u.showImportResult(report, nil)
			u.importedNew(report)
		})
	}
	importBtn = u.primary("Import", theme.DownloadIcon(), submit)
	cancel := u.button("Cancel", theme.CancelIcon(), func() { kd.cancel() })
	body := container.NewVBox(
		wrapped("Paste the text of a SMART Health Card (shc:/…, or its JWS) or a SMART Health Link (shlink:/…) "+
			"that carries cards or records."),
		text, passBox, about, problem.Label, busy,
		container.NewGridWithColumns(2, cancel, importBtn))
	d := dialog.NewCustomWithoutButtons("Paste a card or link", body, u.win)
	kd = u.showKeyDialog(d, submit, text, passcode)
}
