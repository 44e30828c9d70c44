package app

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"strings"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"healthwallet/wallet"
	"healthwallet/wallet/record"
)

// codeSystems names the code systems people meet most, by their FHIR URI.
var codeSystems = map[string]string{
	"http://loinc.org":                            "LOINC",
	"http://snomed.info/sct":                      "SNOMED CT",
	"http://www.nlm.nih.gov/research/umls/rxnorm": "RxNorm",
	"http://hl7.org/fhir/sid/cvx":                 "CVX",
	"http://hl7.org/fhir/sid/icd-10":              "ICD-10",
	"http://hl7.org/fhir/sid/icd-10-cm":           "ICD-10-CM",
	"http://unitsofmeasure.org":                   "UCUM",
}

// showDetail shows one record: its summary, versions and original JSON.
func (u *UI) showDetail(id string) {
	d, err := u.recordDetail(id)
	back := u.button("Back", theme.NavigateBackIcon(), u.showRecords)
	if err != nil {
		msg := wrapped(sentence(err.Error()))
		msg.Importance = widget.DangerImportance
		u.show("detail", container.NewBorder(header(back, "Record"), nil, nil, nil, page(msg)))
		return
	}

	del := u.button("Delete", theme.DeleteIcon(), func() { u.confirmDelete(d) })
	del.Importance = widget.DangerImportance

	heading := title(d.Title)
	summary := summaryForm(d.Summary, d.ResourceType)
	summary.Append("Versions", wrapped(formatVersions(d)))

	chainText := wrapped(anchorText(d.Anchor, false))
	if d.Anchor.State == record.AnchorFailed {
		chainText.Importance = widget.DangerImportance
	}
	chainBusy := busyText()
	var verify *widget.Button
	verify = u.button("Verify now", theme.SearchIcon(), func() {
		var v wallet.Verification
		w := u.wallet
		u.runSlow(verify, chainBusy, "Asking the chain…", func() error {
			var err error
			v, err = w.Verify(context.Background(), d.ID)
			return err
		}, func(err error) {
			chainText.Importance = widget.MediumImportance
			switch {
			case err != nil:
				chainText.Importance = widget.DangerImportance
				chainText.SetText(sentence(err.Error()))
			case v.Valid:
				chainText.Importance = widget.SuccessImportance
				chainText.SetText(verificationText(v))
			case v.Problem == wallet.ProblemWaiting:
				chainText.SetText(verificationText(v))
			default:
				chainText.Importance = widget.DangerImportance
				chainText.SetText(verificationText(v))
			}
			chainText.Refresh()
		})
	})
	summary.Append("Chain", container.NewVBox(
		container.NewBorder(nil, nil, widget.NewIcon(anchorIcon(d.Anchor)), nil, chainText),
		chainBusy,
		container.NewHBox(verify)))

	rawHeader, rawScroll := u.originalJSON(d.JSON)
	parts := []fyne.CanvasObject{heading}
	if u.person == nil { // the documents of someone cared for stay theirs
		if doc := u.documentBlock(d); doc != nil {
			parts = append(parts, doc) // a kept file: its preview first
		}
	}
	parts = append(parts, summary)
	if src := u.provenanceBlock(d); src != nil {
		parts = append(parts, widget.NewSeparator(), src)
	}
	parts = append(parts, widget.NewSeparator(), rawHeader, rawScroll)
	body := container.New(fillLast{}, parts...)
	shareBtn := u.button("Share", theme.MailSendIcon(), func() {
		u.showShare(shareScope{label: "This record: " + d.Title, req: wallet.ShareRequest{IDs: []string{d.ID}}, count: 1},
			func() { u.showDetail(d.ID) })
	})
	actions := []*widget.Button{shareBtn, del}
	if p := u.person; p != nil {
		// A record of someone cared for: theirs to delete, and checked
		// against their anchors when it was synced.
		actions = nil
		if canShare(*p) {
			actions = append(actions, shareBtn)
		}
		verify.Hide()
		chainText.SetText(fmt.Sprintf("Checked against %s's anchor on the chain when it was synced.", p.Name))
	}
	u.show("detail", container.NewBorder(header(back, d.Title, actions...), nil, nil, nil,
		container.NewVScroll(container.NewPadded(body))))
}

// summaryForm is what a record's summary says, as a form: date, category,
// type, status, details and codes. The detail screens of the wallet's own
// records and of received ones both start with it.
func summaryForm(s record.Summary, resourceType string) *widget.Form {
	form := widget.NewForm()
	add := func(label, value string) { form.Append(label, wrapped(value)) }
	add("Date", formatDate(s.Date))
	add("Category", s.Category)
	add("Type", resourceType)
	if s.Status != "" {
		add("Status", s.Status)
	}
	if len(s.Details) > 0 {
		add("Details", strings.Join(s.Details, "\n"))
	}
	if len(s.Codes) > 0 {
		add("Codes", formatCodes(s.Codes))
	}
	return form
}

// originalJSON shows a record's FHIR JSON, indented, under a heading with
// a Copy button that copies it as it is.
func (u *UI) originalJSON(raw []byte) (heading, body fyne.CanvasObject) {
	l := widget.NewLabel(prettyJSON(raw))
	l.TextStyle.Monospace = true
	l.Selectable = true
	scroll := container.NewScroll(l)
	scroll.SetMinSize(fyne.NewSize(0, 280))
	var copyBtn *widget.Button
	copyBtn = u.button("Copy JSON", theme.ContentCopyIcon(), func() {
		u.app.Clipboard().SetContent(string(raw))
		copyBtn.SetText("Copied")
	})
	return container.NewBorder(nil, nil,
		widget.NewLabelWithStyle("Original FHIR JSON", fyne.TextAlignLeading, fyne.TextStyle{Bold: true}), copyBtn), scroll
}

// confirmDelete asks before crypto-shredding a record: there is no undo.
func (u *UI) confirmDelete(d wallet.Detail) {
	u.confirm("Delete this record?", "Delete",
		fmt.Sprintf("“%s” and all its versions will be destroyed on this device. This cannot be undone.", d.Title),
		func(ok bool) {
			u.idle.touch()
			if !ok {
				return
			}
			if err := u.wallet.Delete(d.ID); err != nil {
				dialog.ShowError(err, u.win)
				return
			}
			u.showRecords()
		})
}

func formatCodes(codes []record.Code) string {
	lines := make([]string, len(codes))
	for i, c := range codes {
		system := codeSystems[c.System]
		if system == "" {
			system = c.System
		}
		line := strings.TrimSpace(system + " " + c.Code)
		if c.Display != "" {
			line += " — " + c.Display
		}
		lines[i] = line
	}
	return strings.Join(lines, "\n")
}

func formatVersions(d wallet.Detail) string {
	if len(d.Versions) == 0 {
		return fmt.Sprintf("Version %d", d.Version)
	}
	lines := make([]string, len(d.Versions))
	for i, v := range d.Versions {
		lines[i] = fmt.Sprintf("Version %d, imported %s", v.Version, v.Imported.Format("2 Jan 2006 15:04"))
	}
	return strings.Join(lines, "\n")
}

// prettyJSON indents JSON for reading; what is copied stays the original.
func prettyJSON(raw []byte) string {
	var b bytes.Buffer
	if err := json.Indent(&b, raw, "", "  "); err != nil {
		return string(raw)
	}
	return b.String()
}

// fillLast stacks objects like a VBox, but the last one takes whatever
// height is left: in a scroll, the JSON fills the screen below the summary.
type fillLast struct{}

func (fillLast) MinSize(objects []fyne.CanvasObject) fyne.Size {
	var s fyne.Size
	for i, o := range objects {
		m := o.MinSize()
		s.Width = max(s.Width, m.Width)
		s.Height += m.Height
		if i > 0 {
			s.Height += theme.Padding()
		}
	}
	return s
}

func (fillLast) Layout(objects []fyne.CanvasObject, size fyne.Size) {
	var y float32
	for i, o := range objects {
		h := o.MinSize().Height
		if i == len(objects)-1 {
			h = max(h, size.Height-y)
		}
		o.Move(fyne.NewPos(0, y))
		o.Resize(fyne.NewSize(size.Width, h))
		y += h + theme.Padding()
	}
}
