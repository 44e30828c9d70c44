package app

import (
	"fmt"
	"strings"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"healthwallet/wallet"
	"healthwallet/wallet/record"
)

// This file: "Where this came from" on a record's detail, in words — what
// it came as, the file, when it was imported and how it is checked: for a
// SMART Health Card, who signed it and what the two checks found; for a
// record made from a C-CDA document, the document and its section, with
// the original's text a tap away; otherwise, sealed at import and anchored.

// provenanceBlock is the record's provenance, or nil for a record imported
// before provenance was kept.
func (u *UI) provenanceBlock(d wallet.Detail) fyne.CanvasObject {
	src := d.Source
	if src == nil {
		return nil
	}
	form := widget.NewForm()
	add := func(label string, value fyne.CanvasObject) { form.Append(label, value) }
	switch src.Kind {
	case record.SourceCard:
		add("From", wrapped(cardOrigin(src)))
		add("Signature", checkLine(src.SignatureValid && !src.Revoked, "Signature valid", "Signature not verified"))
		add("Issuer", checkLine(src.Trusted, "Issuer trusted", "Issuer not trusted"))
		if src.Revoked {
			l := wrapped("REVOKED: the issuer has withdrawn this card.")
			l.Importance = widget.DangerImportance
			l.TextStyle.Bold = true
			add("Revoked", l)
		}
		if !src.CheckedAt.IsZero() {
			add("Checked on", wrapped(src.CheckedAt.Format(timeLayout)))
		}
		if src.Problem != "" {
			l := wrapped(sentence(src.Problem))
			l.Importance = widget.WarningImportance
			if src.Revoked || !src.SignatureValid {
				l.Importance = widget.DangerImportance
			}
			add("Problem", l)
		}
	case record.SourceCCDA:
		if src.Document != "" { // a record converted from the document
			add("From", container.NewVBox(
				wrapped(fmt.Sprintf("%s, section %s", u.documentTitle(src.Document), orNone(src.Section))),
				container.NewHBox(u.openOriginal(d))))
		} else {
			add("From", wrapped("A clinical document, kept as it came."))
		}
	case record.SourceDocument:
		add("Kept as", wrapped("A document: the file itself is sealed in your wallet."))
	case record.SourceShare:
		add("From", wrapped("A share you received, saved to your wallet."))
	case record.SourceFHIR:
		add("From", wrapped("A health record file"))
	}
	if src.File != "" {
		add("File", wrapped(src.File))
	}
	add("Imported on", wrapped(d.Imported.Format(timeLayout)))
	if src.Kind != record.SourceCard {
		add("Checked by", wrapped("Sealed in your wallet when it was imported; its anchor shows it has not changed since."))
	}
	return container.NewVBox(section("Where this came from"), form)
}

// cardOrigin is "SMART Health Card from <name> (<host>)".
func cardOrigin(src *record.Source) string {
	host := issuerWords("", src.Issuer)
	if src.IssuerName == "" {
		return "SMART Health Card from " + host
	}
	return fmt.Sprintf("SMART Health Card from %s (%s)", src.IssuerName, host)
}

// checkLine is a check's result with a green tick or a red cross: the
// words say it too.
func checkLine(ok bool, yes, no string) fyne.CanvasObject {
	var icon fyne.Resource = theme.NewErrorThemedResource(theme.CancelIcon())
	l := widget.NewLabel(no)
	l.Importance = widget.DangerImportance
	if ok {
		icon = theme.NewSuccessThemedResource(theme.ConfirmIcon())
		l.SetText(yes)
		l.Importance = widget.MediumImportance
	}
	return container.NewBorder(nil, nil, widget.NewIcon(icon), nil, l)
}

func orNone(s string) string {
	if strings.TrimSpace(s) == "" {
		return "(none named)"
	}
	return s
}

// documentTitle is the title of the C-CDA document a record was made
// from, or a plain name when it cannot be read.
func (u *UI) documentTitle(id string) string {
	if doc, err := u.recordDetail(id); err == nil && doc.Title != "" {
		return doc.Title
	}
	return "a clinical document"
}

// openOriginal is the button that shows the human-readable sections of
// the C-CDA document d was made from (or is).
func (u *UI) openOriginal(d wallet.Detail) *widget.Button {
	return u.button(openOriginalLabel, theme.DocumentIcon(), func() {
		u.showSections(d.ID, func() { u.showDetail(d.ID) })
	})
}

const openOriginalLabel = "Open the original document"
