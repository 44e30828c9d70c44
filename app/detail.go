package app

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"unicode"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
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

// showDetail shows one record as a person reads it: its summary first
// (whose it is, the date and key values in words), how it is verified in
// one sentence, where it came from, and its versions; the original data
// is behind a toggle.
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

	summary := widget.NewForm(widget.NewFormItem("Whose", wrapped(u.whose(d.Person))))
	for _, it := range summaryForm(d.Summary, d.ResourceType).Items {
		summary.AppendItem(it)
	}
	summary.Append("Versions", wrapped(formatVersions(d)))

	verified, verify := u.verificationBlock(d)
	parts := []fyne.CanvasObject{title(d.Title)}
	if u.person == nil { // the documents of someone cared for stay theirs
		if doc := u.documentBlock(d); doc != nil {
			parts = append(parts, doc) // a kept file: its preview first
		}
	}
	parts = append(parts, summary, widget.NewSeparator(), verified)
	if src := u.provenanceBlock(d); src != nil {
		parts = append(parts, widget.NewSeparator(), src)
	}
	parts = append(parts, widget.NewSeparator(), u.originalData(d.JSON))
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
	}
	u.show("detail", container.NewBorder(header(back, d.Title, actions...), nil, nil, nil,
		container.NewVScroll(container.NewPadded(body))))
}

// whose is whose a record is, in words: "Yours", or the person's name.
func (u *UI) whose(person string) string {
	if p := u.person; p != nil {
		return p.Name // a record of someone cared for
	}
	if person == "" || person == wallet.OwnerID {
		return "Yours"
	}
	if p := keptPerson(u.keptPeople(), person); p != nil {
		return p.Name
	}
	return "Someone else's, kept apart from yours"
}

// verificationBlock is "Proof it is unchanged": one sentence with its icon, a button to
// check again, and the checks and the transaction folded under "Details".
// The button is returned so that a record checked elsewhere can hide it.
func (u *UI) verificationBlock(d wallet.Detail) (fyne.CanvasObject, *widget.Button) {
	text := wrapped(anchorText(d.Anchor, false))
	if d.Anchor.State == record.AnchorFailed {
		text.Importance = widget.DangerImportance
	}
	icon := widget.NewIcon(anchorIcon(d.Anchor))
	details := wrapped(anchorDetails(d.Anchor))
	details.SizeName = theme.SizeNameCaptionText
	details.Wrapping = fyne.TextWrapBreak // roots and hashes have no spaces
	folded := widget.NewAccordion(widget.NewAccordionItem("Details", details))
	busy := busyText()
	var verify *widget.Button
	verify = u.button("Check it now", theme.SearchIcon(), func() {
		var v wallet.Verification
		w := u.wallet
		u.runSlow(verify, busy, "Checking…", func() error {
			var err error
			v, err = w.Verify(context.Background(), d.ID)
			return err
		}, func(err error) {
			text.Importance = widget.MediumImportance
			switch {
			case err != nil:
				text.Importance = widget.DangerImportance
				text.SetText("Could not be checked: " + plainError(err))
				return
			case v.Valid:
				text.Importance = widget.SuccessImportance
				icon.SetResource(theme.NewSuccessThemedResource(theme.ConfirmIcon()))
			case v.Problem == wallet.ProblemWaiting:
				icon.SetResource(theme.HistoryIcon())
			default:
				text.Importance = widget.DangerImportance
				icon.SetResource(theme.NewErrorThemedResource(theme.ErrorIcon()))
			}
			text.SetText(v.Sentence() + ".")
			details.SetText(verificationDetails(v))
		})
	})
	if p := u.person; p != nil {
		text.SetText(fmt.Sprintf("Checked against %s's anchor when it was last brought up to date.", p.Name))
	}
	return container.NewVBox(
		section("Proof it is unchanged"),
		container.NewBorder(nil, nil, icon, nil, text),
		busy,
		container.NewHBox(verify),
		folded), verify
}

// summaryForm is what a record's summary says, as a form: date, category,
// type, status, details and codes. The detail screens of the wallet's own
// records and of received ones both start with it.
func summaryForm(s record.Summary, resourceType string) *widget.Form {
	form := widget.NewForm()
	add := func(label, value string) { form.Append(label, wrapped(value)) }
	add("Date", formatDate(s.Date))
	add("Category", s.Category)
	add("Type", typeWords(resourceType))
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

// typeNames are record types as a person says them, where spelling the
// FHIR name out in words would not do.
var typeNames = map[string]string{
	"AllergyIntolerance":   "Allergy or intolerance",
	"Condition":            "Health problem",
	"DocumentReference":    "Document",
	"Encounter":            "Visit",
	"ExplanationOfBenefit": "Insurance claim summary",
	"MedicationRequest":    "Prescription",
	"MedicationStatement":  "Medication taken",
	"Observation":          "Observation or result",
}

// typeWords names a record's FHIR type in words: "Prescription" for a
// MedicationRequest, "Care plan" for a CarePlan.
func typeWords(resourceType string) string {
	if w, ok := typeNames[resourceType]; ok {
		return w
	}
	var b strings.Builder
	for i, r := range resourceType {
		if i > 0 && unicode.IsUpper(r) {
			b.WriteByte(' ')
			r = unicode.ToLower(r)
		}
		b.WriteRune(r)
	}
	return b.String()
}

// Labels of the toggle over a record's original data.
const (
	showOriginalLabel = "Show the original data"
	hideOriginalLabel = "Hide the original data"
)

// originalData is the record's original FHIR JSON behind a toggle, hidden
// until asked for: what most people read is the summary above it.
func (u *UI) originalData(raw []byte) fyne.CanvasObject {
	heading, body := u.originalJSON(raw)
	data := container.NewBorder(heading, nil, nil, nil, body)
	data.Hide()
	var toggle *widget.Button
	toggle = u.button(showOriginalLabel, theme.VisibilityIcon(), func() {
		if data.Visible() {
			data.Hide()
			toggle.SetText(showOriginalLabel)
			toggle.SetIcon(theme.VisibilityIcon())
			return
		}
		data.Show()
		toggle.SetText(hideOriginalLabel)
		toggle.SetIcon(theme.VisibilityOffIcon())
	})
	toggle.Importance = widget.LowImportance
	return container.NewBorder(container.NewHBox(toggle), nil, nil, nil, data)
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
				u.showError(err)
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

// formatVersions is a record's history in words, newest first: "Updated
// on 3 Mar 2024 15:04 (this version)", "First imported on 1 Jan 2024 10:00".
func formatVersions(d wallet.Detail) string {
	if len(d.Versions) <= 1 {
		when := d.Imported
		if len(d.Versions) == 1 {
			when = d.Versions[0].Imported
		}
		if when.IsZero() {
			return "One version"
		}
		return "One version, imported on " + when.Format(timeLayout)
	}
	lines := make([]string, 0, len(d.Versions))
	for i := len(d.Versions) - 1; i >= 0; i-- {
		v := d.Versions[i]
		line := "Updated on " + v.Imported.Format(timeLayout)
		if i == 0 {
			line = "First imported on " + v.Imported.Format(timeLayout)
		}
		if v.Version == d.Version {
			line += " (this version)"
		}
		lines = append(lines, line)
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
