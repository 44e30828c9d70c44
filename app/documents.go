package app

import (
	"encoding/json"
	"errors"
	"fmt"
	"image"
	"io"
	"mime"
	"strings"
	"time"
	"unicode/utf8"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"healthwallet/wallet"
)

// This file: a kept document (a PDF, an image, a text, a C-CDA's XML) on
// its record's detail — its preview fitted to the width, "Save a copy…"
// streamed out of the vault, and "Edit" for its title, date and category.

// attachmentMeta is what a DocumentReference's JSON says of its file.
type attachmentMeta struct {
	ContentType string `json:"contentType"`
	Title       string `json:"title"`
	Size        int64  `json:"size"`
}

// attachmentOf reads the first attachment of a DocumentReference whose
// file the wallet keeps (a FHIR DocumentReference that only points
// elsewhere has none to show).
func attachmentOf(d wallet.Detail) (attachmentMeta, bool) {
	if d.ResourceType != "DocumentReference" || d.Source == nil || d.Source.Attachment == "" {
		return attachmentMeta{}, false
	}
	var doc struct {
		Content []struct {
			Attachment attachmentMeta `json:"attachment"`
		} `json:"content"`
	}
	if err := json.Unmarshal(d.JSON, &doc); err != nil || len(doc.Content) == 0 {
		return attachmentMeta{}, false
	}
	return doc.Content[0].Attachment, true
}

// isXML says whether a content type is XML (a C-CDA's original).
func isXML(contentType string) bool {
	return strings.HasSuffix(strings.TrimSpace(strings.SplitN(contentType, ";", 2)[0]), "xml")
}

// Labels of the document's actions.
const (
	saveCopyLabel = "Save a copy…"
	editDocLabel  = "Edit"
)

// documentBlock is the preview and actions of a kept document, or nil for
// a record that keeps no file.
func (u *UI) documentBlock(d wallet.Detail) fyne.CanvasObject {
	att, ok := attachmentOf(d)
	if !ok {
		return nil
	}
	busy := busyText()
	var save *widget.Button
	save = u.button(saveCopyLabel, theme.DocumentSaveIcon(), func() { u.saveDocument(d, att, save, busy) })
	edit := u.button(editDocLabel, theme.DocumentCreateIcon(), func() { u.editDocument(d) })
	about := widget.NewLabel(fileWords(att))
	actions := container.NewHBox(save, edit)

	if isXML(att.ContentType) {
		return container.NewVBox(
			wrapped("The original clinical document, kept as it came. Its records are in your wallet; "+
				"its human-readable sections are here:"),
			container.NewHBox(u.openOriginal(d)), about, busy, actions)
	}
	preview := container.NewStack(wrapped("Drawing the preview…"))
	u.drawPreview(d.ID, att, preview, func() {
		// Without a preview, saving a copy is how to see it: the
		// button right under the note stands out.
		save.Importance = widget.HighImportance
		save.Refresh()
	})
	return container.NewVBox(preview, about, busy, actions)
}

// previewMax is the largest preview drawn, in device-independent pixels.
const previewMax = 760

// drawPreview draws the document into box, fitted to the window's width, in
// the background; a document without a preview says so and why, once (the
// Save a copy button under it is the way on), and calls none.
func (u *UI) drawPreview(id string, att attachmentMeta, box *fyne.Container, none func()) {
	c := u.win.Canvas()
	width := min(c.Size().Width-6*theme.Padding(), previewMax)
	// At most about half the window high, so that what the document is
	// and its actions stay in sight under it.
	height := min(width*1.5, max(c.Size().Height*0.55, 200))
	scale := max(c.Scale(), 1)
	w := u.wallet
	u.background(func() {
		img, err := w.DocumentPreview(id, int(width*scale), int(height*scale))
		fyne.Do(func() {
			var shown fyne.CanvasObject
			switch {
			case err != nil:
				shown = wrapped(noPreviewText(att, err))
				none()
			case img == nil || img.Bounds().Empty():
				shown = wrapped(noPreviewText(att, nil))
				none()
			default:
				shown = fittedImage(img, width, height, scale)
			}
			box.Objects = []fyne.CanvasObject{shown}
			box.Refresh()
		})
	})
}

// noPreviewText says that a document cannot be shown here, and why when
// err says: "This PDF can't be shown here (it is damaged)." The wallet's
// reasons end with their own advice to save a copy, which the button under
// the note already offers: it is left out.
func noPreviewText(att attachmentMeta, err error) string {
	kind := "document"
	switch ct := strings.ToLower(att.ContentType); {
	case ct == "application/pdf":
		kind = "PDF"
	case strings.HasPrefix(ct, "image/"):
		kind = "image"
	case strings.HasPrefix(ct, "text/"):
		kind = "text"
	}
	if err == nil {
		return "This " + kind + " can't be shown here."
	}
	reason := err.Error()
	for _, advice := range []string{": save a copy", "; save a copy", ", or save a copy", ": the file is kept as it came"} {
		if i := strings.Index(strings.ToLower(reason), advice); i > 0 {
			reason = reason[:i]
		}
	}
	return "This " + kind + " can't be shown here (" + strings.TrimSuffix(reason, ".") + ")."
}

// fittedImage shows img within width × height, keeping its proportions.
func fittedImage(img image.Image, width, height, scale float32) fyne.CanvasObject {
	b := img.Bounds()
	dx, dy := float32(b.Dx()), float32(b.Dy())
	w := min(dx/scale, width)
	h := w * dy / dx
	if h > height {
		h, w = height, height*dx/dy
	}
	ci := canvas.NewImageFromImage(img)
	ci.FillMode = canvas.ImageFillContain
	ci.SetMinSize(fyne.NewSize(w, h))
	return container.NewCenter(ci)
}

// fileWords is "PDF, 182 KB".
func fileWords(att attachmentMeta) string {
	kind := "File"
	switch ct := strings.ToLower(att.ContentType); {
	case ct == "application/pdf":
		kind = "PDF"
	case strings.HasPrefix(ct, "image/"):
		kind = "Image (" + strings.ToUpper(strings.TrimPrefix(ct, "image/")) + ")"
	case strings.HasPrefix(ct, "text/plain"):
		kind = "Text"
	case isXML(ct):
		kind = "XML"
	}
	return kind + ", " + sizeWords(att.Size)
}

// sizeWords is a file size for people: "182 KB", "2.1 MB".
func sizeWords(n int64) string {
	switch {
	case n >= 1_000_000:
		return fmt.Sprintf("%.1f MB", float64(n)/1e6)
	case n >= 1_000:
		return fmt.Sprintf("%d KB", (n+500)/1_000)
	}
	return plural(int(n), "byte", "bytes")
}

// saveDocument writes the kept file where the person chooses, streamed from
// the vault: a big PDF is never whole in memory.
func (u *UI) saveDocument(d wallet.Detail, att attachmentMeta, btn *widget.Button, busy *widget.Label) {
	w := u.wallet
	u.saveTo(copyName(d, att), btn, busy, "Saving a copy…", func(out io.Writer) (string, error) {
		in, _, err := w.OpenAttachment(d.ID)
		if err != nil {
			return "", err
		}
		defer in.Close()
		n, err := io.Copy(out, in)
		if err != nil {
			return "", fmt.Errorf("the copy could not be written (%s written): %w", sizeWords(n), err)
		}
		return fmt.Sprintf("Saved a copy (%s). It is not encrypted: anyone who gets the file can read it.", sizeWords(n)), nil
	})
}

// copyName suggests a file name for a copy: the imported file's own, else
// the title with an ending for its kind.
func copyName(d wallet.Detail, att attachmentMeta) string {
	if d.Source != nil && d.Source.File != "" {
		return d.Source.File
	}
	name := strings.Map(func(r rune) rune {
		if strings.ContainsRune(`/\:*?"<>|`, r) || r < ' ' {
			return '-'
		}
		return r
	}, d.Title)
	if name == "" {
		name = "document"
	}
	if exts, _ := mime.ExtensionsByType(att.ContentType); len(exts) > 0 {
		name += exts[0]
	}
	return name
}

// documentCategories are suggested categories; the person may type another.
var documentCategories = []string{"Lab report", "Letter", "Imaging", "Discharge summary", "Referral",
	"Prescription", "Insurance", "Vaccination", "Clinical document", "Other"}

// editDocument asks for a kept document's title, date and category, checks
// them, and saves them as a new version of its record.
func (u *UI) editDocument(d wallet.Detail) {
	titleE := u.keyEntry("Title")
	titleE.SetText(d.Title)
	dateE := u.keyEntry("YYYY-MM-DD")
	if !d.Date.IsZero() {
		dateE.SetText(d.Date.Format(time.DateOnly))
	}
	categoryE := u.keySelectEntry(documentCategories)
	categoryE.SetPlaceHolder("e.g. Lab report")
	categoryE.SetText(d.Category)
	problem := newErrorText()
	busy := busyText()
	var kd *keyDialog
	var saveBtn *widget.Button
	submit := func() {
		if saveBtn.Disabled() {
			return
		}
		edit, err := checkDocumentEdit(titleE.Text, dateE.Text, categoryE.Text, u.clock.Now())
		if err != nil {
			problem.set(err)
			return
		}
		problem.clear()
		w := u.wallet
		u.runSlow(saveBtn, busy, "Saving…", func() error { return w.EditDocument(d.ID, edit) }, func(err error) {
			if err != nil {
				problem.set(err)
				return
			}
			kd.close()
			u.showDetail(d.ID)
		})
	}
	saveBtn = u.primary("Save", theme.DocumentSaveIcon(), submit)
	cancel := u.button("Cancel", theme.CancelIcon(), func() { kd.cancel() })
	body := container.NewVBox(
		widget.NewForm(
			widget.NewFormItem("Title", titleE),
			widget.NewFormItem("Date", dateE),
			widget.NewFormItem("Category", categoryE),
		),
		wrapped("The file itself does not change; its record gets a new version, the old one is kept."),
		problem.Label, busy,
		container.NewGridWithColumns(2, cancel, saveBtn))
	kd = u.showKeyDialog(dialog.NewCustomWithoutButtons("Edit document", body, u.win), submit, titleE, dateE, categoryE)
}

// checkDocumentEdit reads what the person typed into a document's edit:
// a title, a date (YYYY-MM-DD, not in the future) and a category.
func checkDocumentEdit(title, date, category string, now time.Time) (wallet.DocumentEdit, error) {
	title, date, category = strings.TrimSpace(title), strings.TrimSpace(date), strings.TrimSpace(category)
	switch {
	case title == "":
		return wallet.DocumentEdit{}, errors.New("give the document a title, e.g. \"Blood tests, March 2024\"")
	case utf8.RuneCountInString(title) > 200:
		return wallet.DocumentEdit{}, errors.New("the title is too long: keep it under 200 characters")
	case category == "":
		return wallet.DocumentEdit{}, errors.New("choose a category, or type one")
	case utf8.RuneCountInString(category) > 60:
		return wallet.DocumentEdit{}, errors.New("the category is too long: keep it under 60 characters")
	}
	day, err := time.Parse(time.DateOnly, date)
	if err != nil {
		return wallet.DocumentEdit{}, fmt.Errorf("the date %q is not a date: write it as YYYY-MM-DD, e.g. 2024-03-12", date)
	}
	if day.After(now) {
		return wallet.DocumentEdit{}, fmt.Errorf("the date %s is in the future: give the day the document was written", date)
	}
	return wallet.DocumentEdit{Title: title, Date: day, Category: category}, nil
}
