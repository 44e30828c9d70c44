package app

import (
	"encoding/json"
	"fmt"
	"io"
	"regexp"
	"slices"
	"strings"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/driver/desktop"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"healthwallet/wallet"
	"healthwallet/wallet/importer"
	"healthwallet/wallet/record"
	"healthwallet/wallet/share"
)

// This file: a received share shown as a clinician reads it. The patient
// comes first (name, sex, birth date and age, identifiers — never an
// address); then a one-line verdict, with every check in a panel that is
// collapsed when the share verified and open when it did not; then the
// records in the sections of the chart, in the order the web viewer shows
// them (record.MakeChart), searchable, each opening its detail. Records
// the patient's consent does not cover are listed apart, with a warning.

// sectionPreview is how many records a chart section shows before a "Show
// all" button: a Synthea patient has hundreds of results.
const sectionPreview = 12

// receivedView is the outcome of a receive: who the patient is, the
// verdict, the checks, and the records with an export. trust trusts the
// network of a share made on one the receiver does not trust, and opens
// it again; back shows the receive screen again after a record's detail.
func (u *UI) receivedView(got wallet.Received, err error, trust, back func()) []fyne.CanvasObject {
	if err != nil {
		headline := title(sentence(err.Error()))
		headline.Importance = widget.DangerImportance
		if unknownServer(err) {
			headline.SetText("The link's server is on a network this app does not know yet: ask the patient to show " +
				"their network's QR code (in their Settings → Network), trust it with \"Trust a network…\", and open the link again")
			headline.Importance = widget.WarningImportance
		}
		return []fyne.CanvasObject{headline}
	}
	// The records of a Health Wallet share that failed are not shown, nor
	// is what they say about the patient.
	hidden := !got.Verified && got.Source == share.SourceHealthWallet && !onlyUncoveredFailed(got) && !onlyUntrusted(got)
	var chart record.Chart
	if !hidden {
		chart = record.MakeChart(resourcesOf(got.Records))
	}
	var out []fyne.CanvasObject
	if !hidden {
		out = append(out, receiveWarnings(got)...)
	}
	out = append(out, u.patientHeader(got, chart)...)

	text, importance := verdict(got)
	line := title(text)
	line.Importance = importance
	out = append(out, container.NewBorder(nil, nil, widget.NewIcon(verdictIcon(importance)), nil, line))
	if about := shareFacts(got); about != "" {
		out = append(out, wrapped(about))
	}
	untrusted := onlyUntrusted(got)
	if untrusted {
		out = append(out, wrapped(trustExplanation),
			container.NewHBox(u.primary("Trust this network", theme.ConfirmIcon(), trust)))
	}
	if got.Problem != "" && !untrusted && len(got.Checks) == 0 {
		// Else the checks panel says it, with the checks it explains.
		note := wrapped(sentence(got.Problem))
		note.Importance = widget.LowImportance
		out = append(out, note)
	}
	if len(got.Checks) > 0 {
		out = append(out, checksPanel(got))
	}

	records := container.NewVBox()
	switch {
	case len(got.Records) == 0 && len(got.Uncovered) == 0:
	case hidden:
		records.Add(wrapped("The records are not shown: the share failed verification. Ask the patient to share again."))
	case onlyUncoveredFailed(got):
		u.chartRecords(records, got, chart, back)
		u.uncoveredRecords(records, got)
	case untrusted:
		note := wrapped("Not verified: check these with the patient before relying on them.")
		note.Importance = widget.WarningImportance
		records.Add(note)
		u.chartRecords(records, got, chart, back)
	default:
		u.chartRecords(records, got, chart, back)
	}
	if len(records.Objects) > 0 {
		out = append(out, widget.NewSeparator(), records)
	}
	return out
}

// verdict is the one line that heads a received share, and how much it
// should stand out.
func verdict(got wallet.Received) (string, widget.Importance) {
	return got.Sentence(), verdictImportance(got)
}

// verdictImportance is how the verdict is coloured: green when verified,
// amber when the doubt is the receiver's to settle (a network not trusted
// yet, another issuer's share), red when the records must not be relied on.
func verdictImportance(got wallet.Received) widget.Importance {
	switch {
	case onlyUncoveredFailed(got):
		return widget.DangerImportance
	case onlyUntrusted(got):
		return widget.WarningImportance
	case got.Verified:
		return widget.SuccessImportance
	case got.Source != share.SourceHealthWallet:
		return widget.WarningImportance
	}
	return widget.DangerImportance
}

// receiveWarnings are the warnings that head a received share (records
// about more than one person: a share is about one), loud and first.
func receiveWarnings(got wallet.Received) []fyne.CanvasObject {
	var out []fyne.CanvasObject
	for _, text := range got.Warnings {
		w := wrapped(sentence(text) + ".")
		w.Importance = widget.DangerImportance
		w.TextStyle.Bold = true
		out = append(out, container.NewBorder(nil, nil,
			widget.NewIcon(theme.NewErrorThemedResource(theme.WarningIcon())), nil, w))
	}
	return out
}

// verdictIcon marks the verdict: a tick, a warning sign or a cross.
func verdictIcon(importance widget.Importance) fyne.Resource {
	switch importance {
	case widget.SuccessImportance:
		return theme.NewSuccessThemedResource(theme.ConfirmIcon())
	case widget.WarningImportance:
		return theme.NewWarningThemedResource(theme.WarningIcon())
	}
	return theme.NewErrorThemedResource(theme.CancelIcon())
}

// shareFacts says who shared, for what, until when, under which label.
func shareFacts(got wallet.Received) string {
	var parts []string
	if got.Source == share.SourceHealthWallet && got.OnBehalf == nil { // else the header says who
		parts = append(parts, "Shared by "+sharedBy(got))
	}
	if got.Purpose != "" {
		parts = append(parts, "for "+purposeLabel(got.Purpose))
	}
	switch {
	case got.Expires.IsZero():
	case got.Source == share.SourceHealthWallet:
		parts = append(parts, "consent active until "+got.Expires.Format(timeLayout))
	default: // no consent to speak of: the link's own expiry
		parts = append(parts, "link valid until "+got.Expires.Format(timeLayout))
	}
	if got.Label != "" {
		parts = append(parts, "label “"+got.Label+"”")
	}
	if len(parts) == 0 {
		return ""
	}
	return sentence(strings.Join(parts, " · "))
}

// sharedBy names who shared: the patient by name, or their caregiver.
func sharedBy(got wallet.Received) string {
	if got.Issuer == got.Patient {
		if got.PatientName != "" {
			return got.PatientName
		}
		return "the patient"
	}
	if got.OnBehalf != nil && got.OnBehalf.DelegateName != "" {
		return got.OnBehalf.DelegateName + ", caregiver"
	}
	return "a caregiver"
}

// checksPanel lists every check under a one-line count: folded away when
// the share verified, open when it did not. What only whoever helps reads —
// the network's chain and registry, addresses, block numbers — is under
// "Technical details" in it, folded away always (issue 12, item 4).
func checksPanel(got wallet.Received) fyne.CanvasObject {
	list := container.NewVBox()
	var technical []string
	failed := 0
	for _, c := range got.Checks {
		var icon fyne.Resource = theme.NewSuccessThemedResource(theme.ConfirmIcon())
		name := sentence(c.Name)
		if plain, ok := plainCheckNames[c.Name]; ok {
			name = plain
		}
		text := name
		switch {
		case c.Name == share.CheckNetworkTrusted && !c.OK && got.Network != nil:
			// The wallet's detail speaks to hw users; here the action
			// is the "Trust this network" button, and the network's
			// insides are the technical details' "Network:".
			text += ": made on the " + networkName(got.Network.Name) + ", which you do not trust"
		case c.Detail == "":
		case technicalText.MatchString(c.Detail) || name != sentence(c.Name):
			technical = append(technical, sentence(c.Name)+": "+c.Detail)
			if strings.HasPrefix(c.Detail, "not checked") {
				text += ": not checked"
			}
		default:
			text += ": " + c.Detail
		}
		l := wrapped(text)
		if !c.OK {
			failed++
			icon = theme.NewErrorThemedResource(theme.CancelIcon())
			l.Importance = widget.DangerImportance
			l.TextStyle.Bold = true
		}
		list.Add(container.NewBorder(nil, nil, widget.NewIcon(icon), nil, l))
	}
	var facts []string
	if got.Problem != "" && !onlyUntrusted(got) {
		facts = append(facts, sentence(got.Problem))
	}
	for _, c := range got.Cards {
		facts = append(facts, "SMART Health Card signed by "+c.Issuer)
	}
	if len(facts) > 0 {
		list.Add(smallPrint(facts))
	}
	if got.Source == share.SourceHealthWallet {
		technical = append(technical, "Patient's address: "+got.Patient.Hex())
		if got.Issuer != got.Patient {
			technical = append(technical, "Shared by (caregiver's address): "+got.Issuer.Hex())
		}
	}
	if got.Network != nil {
		technical = append(technical, "Network: "+got.Network.String())
	}
	if len(technical) > 0 {
		list.Add(widget.NewAccordion(widget.NewAccordionItem(technicalDetailsLabel, smallPrint(technical))))
	}

	// Short: an accordion's heading does not wrap, and must fit a phone.
	passed := fmt.Sprintf("all %d checks passed", len(got.Checks))
	if len(got.Checks) == 1 {
		passed = "1 check passed"
	}
	heading := "Verification: " + passed
	if failed > 0 {
		heading = fmt.Sprintf("Verification: %d of %d checks failed", failed, len(got.Checks))
	}
	if got.Source != share.SourceHealthWallet {
		// No consent on chain to check: only the link and its files.
		heading = "Link checks: " + passed
		if failed > 0 {
			heading = fmt.Sprintf("Link checks: %d of %d failed", failed, len(got.Checks))
		}
	}
	panel := widget.NewAccordion(widget.NewAccordionItem(heading, list))
	if !got.Verified {
		panel.Open(0)
	}
	return panel
}

// technicalDetailsLabel heads what a received share's checks say for
// whoever helps (folded away).
const technicalDetailsLabel = "Technical details"

// technicalText matches what a check's detail says for whoever helps
// rather than for the doctor: the network's chain and registry, an
// address, a block number.
var technicalText = regexp.MustCompile(`(?i)\b0x[0-9a-f]{6}|chain id|registry|\bchain \d|\bblock \d`)

// plainCheckNames are the names of the checks that speak of the network's
// insides, in the doctor's words; their own names are under Technical
// details.
var plainCheckNames = map[string]string{
	share.CheckChainID:  "Signed for this network",
	share.CheckRegistry: "Signed for this network's consent records",
}

// smallPrint is lines in the small, quiet print of details.
func smallPrint(lines []string) *widget.Label {
	l := wrapped(strings.Join(lines, "\n"))
	l.SizeName = theme.SizeNameCaptionText
	l.Importance = widget.LowImportance
	return l
}

// madeOn is the network a received share was made on: its name and join
// URL, empty when the share names none.
func madeOn(got wallet.Received) (name, joinURL string) {
	if got.Network == nil {
		return "", ""
	}
	return got.Network.Name, got.Network.URL
}

// onlyUncoveredFailed says whether a Health Wallet share failed only
// because records not covered by the patient's consent came with it: the
// covered records are verified, and are shown with the others apart.
func onlyUncoveredFailed(got wallet.Received) bool {
	failed := got.Failed()
	return got.Source == share.SourceHealthWallet && len(got.Uncovered) > 0 && len(failed) == 1 && failed[0].Name == share.CheckCovered
}

// resourcesOf reads the type and id of each received resource, for the
// chart; what cannot be read is summarized as best it can be.
func resourcesOf(raws []json.RawMessage) []record.Resource {
	out := make([]record.Resource, len(raws))
	for i, raw := range raws {
		var head struct {
			Type string `json:"resourceType"`
			ID   string `json:"id"`
		}
		_ = json.Unmarshal(raw, &head) // Summarize copes with what it cannot read
		out[i] = record.Resource{Type: head.Type, ID: head.ID, Raw: raw}
	}
	return out
}

// patientFacts is what the header says about the patient, from the
// share's report and its first Patient resource.
type patientFacts struct {
	Name, BirthDate, Gender string
	Identifiers             []string // "MRN 12345"
}

// receivedPatient gathers the patient's facts: the name and birth date
// the report gives (the identity card's, else the Patient resource's),
// the rest from the Patient resource.
func receivedPatient(got wallet.Received, chart record.Chart) patientFacts {
	p := patientFacts{Name: got.PatientName, BirthDate: got.PatientBirthDate}
	if p.Name == "" && got.OnBehalf != nil {
		p.Name = got.OnBehalf.PatientName
	}
	if len(chart.Patients) == 0 {
		return p
	}
	raw := got.Records[chart.Patients[0]]
	var res struct {
		BirthDate  string `json:"birthDate"`
		Gender     string `json:"gender"`
		Identifier []struct {
			System string `json:"system"`
			Value  string `json:"value"`
			Type   struct {
				Text   string `json:"text"`
				Coding []struct {
					Code    string `json:"code"`
					Display string `json:"display"`
				} `json:"coding"`
			} `json:"type"`
		} `json:"identifier"`
	}
	if json.Unmarshal(raw, &res) != nil {
		return p
	}
	if p.Name == "" {
		p.Name = record.Summarize(record.Resource{Type: "Patient", Raw: raw}).Title
	}
	if p.BirthDate == "" {
		p.BirthDate = res.BirthDate
	}
	p.Gender = sentence(res.Gender)
	for _, id := range res.Identifier {
		// The short name clinicians use (MRN) before the long text.
		var kind string
		for _, c := range id.Type.Coding {
			if kind == "" {
				kind = identifierKinds[c.Code]
			}
		}
		if kind == "" {
			kind = id.Type.Text
		}
		for _, c := range id.Type.Coding {
			if kind == "" {
				kind = c.Display
			}
		}
		// An identifier without a kind is a system's internal id (a
		// Synthea UUID): nothing a clinician would look up.
		if kind != "" && id.Value != "" && len(p.Identifiers) < 3 {
			p.Identifiers = append(p.Identifiers, kind+" "+id.Value)
		}
	}
	return p
}

// identifierKinds are short names of the identifier types of FHIR's
// v2-0203 table that clinicians meet most.
var identifierKinds = map[string]string{
	"MR": "MRN", "SS": "SSN", "DL": "Driver's license", "PPN": "Passport", "NH": "NHS number", "NI": "National ID",
}

// patientHeader names the patient at the top of a received share — name,
// sex, birth date and age, identifiers —, who shared on the patient's
// behalf when a caregiver did, and a warning when the patient's card and
// records disagree.
func (u *UI) patientHeader(got wallet.Received, chart record.Chart) []fyne.CanvasObject {
	p := receivedPatient(got, chart)
	name := p.Name
	if name == "" {
		name = "Patient not named in this share"
	}
	who := title(name)
	who.SizeName = theme.SizeNameHeadingText
	out := []fyne.CanvasObject{who}
	var facts []string
	if p.Gender != "" {
		facts = append(facts, p.Gender)
	}
	if p.BirthDate != "" {
		born := "born " + formatBirthDate(p.BirthDate)
		if a := age(p.BirthDate, u.clock.Now()); a != "" {
			born += ", " + a
		}
		facts = append(facts, born)
	}
	facts = append(facts, p.Identifiers...)
	if len(facts) > 0 {
		out = append(out, wrapped(strings.Join(facts, " · ")))
	}
	if b := got.OnBehalf; b != nil {
		delegate, patient := b.DelegateName, b.PatientName
		if delegate == "" {
			delegate = "a caregiver"
		}
		if patient == "" {
			patient = "the patient"
		}
		text := fmt.Sprintf("Shared by %s, caregiver, on %s's behalf: may %s; %s", delegate, patient,
			rightsWords(b.Rights), scopeWords(b.Types, b.Categories))
		if !b.Expires.IsZero() {
			text += "; until " + b.Expires.Format(dateLayout)
		}
		l := wrapped(text)
		l.TextStyle.Bold = true
		out = append(out, l)
	}
	if got.PatientWarning != "" {
		w := wrapped(sentence(got.PatientWarning))
		w.Importance = widget.WarningImportance
		out = append(out, container.NewBorder(nil, nil, widget.NewIcon(theme.NewWarningThemedResource(theme.WarningIcon())), nil, w))
	}
	return out
}

// age is how old someone born on birth (YYYY-MM-DD) is at now: in years,
// or months, or days for the youngest; empty for a date it cannot read.
func age(birth string, now time.Time) string {
	b, err := time.Parse(time.DateOnly, birth)
	if err != nil || b.After(now) {
		return ""
	}
	months := (now.Year()-b.Year())*12 + int(now.Month()-b.Month())
	if now.Day() < b.Day() {
		months--
	}
	switch {
	case months >= 24:
		return plural(months/12, "year", "years")
	case months >= 1:
		return plural(months, "month", "months")
	}
	return plural(int(now.Sub(b).Hours()/24), "day", "days")
}

// formatBirthDate writes a FHIR date (YYYY-MM-DD) as the app writes days;
// anything else as it is.
func formatBirthDate(d string) string {
	if t, err := time.Parse(time.DateOnly, d); err == nil {
		return t.Format(dateLayout)
	}
	return d
}

// chartRecords lists what a share holds in the chart's sections, with a
// search over them and an export; a tap on a record opens its detail.
func (u *UI) chartRecords(out *fyne.Container, got wallet.Received, chart record.Chart, back func()) {
	heading := fmt.Sprintf("Records (%d)", len(got.Records))
	if len(got.Uncovered) > 0 {
		heading = fmt.Sprintf("Covered by the patient's consent (%d)", len(got.Records))
	}
	u.exportHeading(out, heading, "Export as FHIR Bundle…", "received-records.json", got.Records)
	if len(got.Attachments) > 0 {
		chart = withDocumentsSection(chart)
	}
	sections := container.NewVBox()
	search := u.entry("Search these records")
	show := func(query string) {
		sections.Objects = u.chartSections(got, chart, query, back)
		sections.Refresh()
	}
	u.onChanged(search, show)
	show("")
	out.Add(search)
	out.Add(sections)
}

// chartSections are the chart's sections holding the records that match
// query (every word of it, in any order, ignoring case), each under its
// title and count.
func (u *UI) chartSections(got wallet.Received, chart record.Chart, query string, back func()) []fyne.CanvasObject {
	words := strings.Fields(strings.ToLower(query))
	var out []fyne.CanvasObject
	for _, s := range chart.Sections {
		var items []record.ChartItem
		for _, it := range s.Items {
			if matches(it.Summary, words) {
				items = append(items, it)
			}
		}
		var files []share.ReceivedAttachment // the kept files no record here names
		if s.ID == "documents" {
			files = filesMatching(unlisted(got, chart), words)
		}
		if len(items)+len(files) == 0 {
			continue
		}
		out = append(out, section(fmt.Sprintf("%s (%d)", s.Title, len(items)+len(files))))
		list := container.NewVBox()
		add := func(items []record.ChartItem) {
			for _, it := range items {
				raw := got.Records[it.Index]
				var row fyne.CanvasObject = newTapRow(chartRow(s.ID, it, raw), func() {
					u.idle.touch()
					u.showReceivedRecord(raw, it, receivedPatient(got, chart).Name, back)
				})
				if a, ok := keptFileOf(got.Attachments, raw); ok {
					row = u.savableRow(row, a)
				}
				list.Add(row)
			}
		}
		add(items[:min(len(items), sectionPreview)])
		for _, a := range files {
			list.Add(u.savableRow(fileRow(a), a))
		}
		out = append(out, list)
		if rest := items[min(len(items), sectionPreview):]; len(rest) > 0 {
			var more *widget.Button
			more = u.button(fmt.Sprintf("Show all %d", len(items)), theme.MoreVerticalIcon(), func() {
				more.Hide()
				add(rest)
			})
			more.Importance = widget.LowImportance
			out = append(out, container.NewHBox(more))
		}
	}
	if len(out) == 0 {
		msg := wrapped(fmt.Sprintf("No record matches “%s”.", strings.TrimSpace(query)))
		msg.Importance = widget.LowImportance
		out = append(out, msg)
	}
	return out
}

// matches says whether a summary holds every word.
func matches(s record.Summary, words []string) bool {
	if len(words) == 0 {
		return true
	}
	text := []string{s.Title, s.Category, s.Status}
	text = append(text, s.Details...)
	for _, c := range s.Codes {
		text = append(text, c.Code, c.Display)
	}
	all := strings.ToLower(strings.Join(text, " "))
	for _, w := range words {
		if !strings.Contains(all, w) {
			return false
		}
	}
	return true
}

// chartRow is one record in a chart section: its title with a badge (an
// allergy's criticality, a result's flag) and date, and its key details
// under it.
func chartRow(sectionID string, it record.ChartItem, raw json.RawMessage) fyne.CanvasObject {
	t := widget.NewLabelWithStyle(it.Summary.Title, fyne.TextAlignLeading, fyne.TextStyle{Bold: true})
	t.Truncation = fyne.TextTruncateEllipsis
	var mark fyne.CanvasObject
	switch {
	case it.Flag != "":
		mark = badge(it.Flag, flagImportance(it.Flag))
	case sectionID == "allergies":
		var a struct {
			Criticality string `json:"criticality"`
		}
		_ = json.Unmarshal(raw, &a)
		if text, imp := criticalityBadge(a.Criticality); text != "" {
			mark = badge(text, imp)
		}
	}
	top := container.NewBorder(nil, nil, mark, widget.NewLabel(formatDate(it.Summary.Date)), t)
	details := it.Summary.Details
	if it.Summary.Status != "" && !slices.ContainsFunc(details, func(d string) bool { return strings.HasPrefix(d, "Status:") }) {
		details = append([]string{sentence(it.Summary.Status)}, details...)
	}
	if len(details) == 0 {
		return top
	}
	sub := wrapped(strings.Join(details, " · "))
	sub.SizeName = theme.SizeNameCaptionText
	sub.Importance = widget.LowImportance
	return container.NewVBox(top, sub)
}

// flagImportance is how loud a result's flag is: critical values (HH, LL)
// louder than high, low or abnormal.
func flagImportance(flag string) widget.Importance {
	if flag == "HH" || flag == "LL" {
		return widget.DangerImportance
	}
	return widget.WarningImportance
}

// criticalityBadge names an allergy's criticality for its badge.
func criticalityBadge(c string) (string, widget.Importance) {
	switch c {
	case "high":
		return "High risk", widget.DangerImportance
	case "unable-to-assess":
		return "Risk unknown", widget.WarningImportance
	case "low":
		return "Low risk", widget.MediumImportance
	}
	return "", widget.MediumImportance
}

// badge is a short bold text on a tinted, rounded background.
func badge(text string, importance widget.Importance) fyne.CanvasObject {
	l := widget.NewLabelWithStyle(text, fyne.TextAlignCenter, fyne.TextStyle{Bold: true})
	l.Importance = importance
	tint := theme.Color(theme.ColorNameDisabled)
	switch importance {
	case widget.DangerImportance:
		tint = theme.Color(theme.ColorNameError)
	case widget.WarningImportance:
		tint = theme.Color(theme.ColorNameWarning)
	}
	bg := canvas.NewRectangle(withAlpha(tint, 0x30))
	bg.CornerRadius = theme.InputRadiusSize()
	return container.NewStack(bg, l)
}

// tapRow is a row that opens something when tapped, with a pointer cursor.
type tapRow struct {
	widget.BaseWidget
	content fyne.CanvasObject
	tapped  func()
}

var (
	_ fyne.Tappable      = (*tapRow)(nil)
	_ desktop.Cursorable = (*tapRow)(nil)
)

func newTapRow(content fyne.CanvasObject, tapped func()) *tapRow {
	r := &tapRow{content: content, tapped: tapped}
	r.ExtendBaseWidget(r)
	return r
}

func (r *tapRow) CreateRenderer() fyne.WidgetRenderer { return widget.NewSimpleRenderer(r.content) }
func (r *tapRow) Tapped(*fyne.PointEvent)             { r.tapped() }
func (r *tapRow) Cursor() desktop.Cursor              { return desktop.PointerCursor }

// showReceivedRecord shows one received record: its summary, whose it
// is, and its original JSON folded away, as the detail of the wallet's own
// records does. Back returns to the share, as it was.
func (u *UI) showReceivedRecord(raw json.RawMessage, it record.ChartItem, whose string, back func()) {
	res := resourcesOf([]json.RawMessage{raw})[0]
	sum := it.Summary
	note := wrapped("From the share you opened: not kept on this device. Export the share to keep it.")
	note.Importance = widget.LowImportance
	form := summaryForm(sum, res.Type)
	if whose != "" {
		form.Append("Patient", wrapped(whose))
	}
	if it.Flag != "" {
		flag := wrapped(flagWords[it.Flag])
		flag.Importance = flagImportance(it.Flag)
		flag.TextStyle.Bold = true
		form.Append("Flag", flag)
	}
	heading, body := u.originalJSON(raw)
	original := widget.NewAccordion(widget.NewAccordionItem("Show the original (FHIR JSON)", container.NewBorder(heading, nil, nil, nil, body)))
	u.show("received-record", container.NewBorder(
		header(u.button("Back", theme.NavigateBackIcon(), back), sum.Title), nil, nil, nil,
		container.NewVScroll(container.NewPadded(container.NewVBox(
			title(sum.Title), note, form, widget.NewSeparator(), original)))))
}

// flagWords say what a result's flag means.
var flagWords = map[string]string{
	"H":  "H — above the reference range",
	"L":  "L — below the reference range",
	"HH": "HH — critically high",
	"LL": "LL — critically low",
	"A":  "A — abnormal",
}

// uncoveredRecords lists, apart, the records a Health Wallet share brought
// that the patient's consent does not cover, each with why, and their own
// export: never mixed with the covered ones.
func (u *UI) uncoveredRecords(out *fyne.Container, got wallet.Received) {
	out.Add(widget.NewSeparator())
	warn := wrapped("Not covered by the patient's consent: added by whoever served the link, or copies. Do not rely on them.")
	warn.Importance = widget.DangerImportance
	out.Add(warn)
	resources := got.UncoveredResources()
	u.exportHeading(out, fmt.Sprintf("Not covered by the patient's consent (%d)", len(resources)),
		"Export these apart…", "received-not-covered.json", resources)
	for i, res := range resourcesOf(resources) {
		x := got.Uncovered[i]
		sum := record.Summarize(res)
		row := chartRow("", record.ChartItem{Index: i, Summary: sum}, res.Raw)
		why := wrapped(sentence(x.Source) + ": " + x.Reason)
		why.Importance = widget.DangerImportance
		out.Add(row)
		out.Add(why)
	}
}

// exportHeading adds a heading with a button exporting resources to file,
// as a FHIR Bundle.
func (u *UI) exportHeading(out *fyne.Container, heading, exportText, file string, resources []json.RawMessage) {
	busy := busyText()
	var export *widget.Button
	export = u.button(exportText, theme.DocumentSaveIcon(), func() {
		u.saveTo(file, export, busy, "Exporting…", func(w io.Writer) (string, error) {
			n, err := importer.WriteBundle(w, slices.Values(resources))
			return fmt.Sprintf("Exported %s.", plural(n, "record", "records")), err
		})
	})
	out.Add(container.NewBorder(nil, nil, section(heading), export))
	out.Add(busy)
}

// withDocumentsSection is chart with a Documents section, empty when it
// had none, in its place among the others: the files kept with the
// records are listed there.
func withDocumentsSection(chart record.Chart) record.Chart {
	if slices.ContainsFunc(chart.Sections, func(s record.ChartSection) bool { return s.ID == "documents" }) {
		return chart
	}
	rank := func(id string) int {
		return slices.IndexFunc(record.ChartSections(), func(s record.ChartSection) bool { return s.ID == id })
	}
	at := 0
	for at < len(chart.Sections) && rank(chart.Sections[at].ID) < rank("documents") {
		at++
	}
	chart.Sections = slices.Insert(slices.Clone(chart.Sections), at, record.ChartSection{ID: "documents", Title: "Documents"})
	return chart
}

// keptFileOf is the file kept with a received DocumentReference.
func keptFileOf(files []share.ReceivedAttachment, raw json.RawMessage) (share.ReceivedAttachment, bool) {
	if len(files) == 0 {
		return share.ReceivedAttachment{}, false
	}
	var head struct {
		Type string `json:"resourceType"`
		ID   string `json:"id"`
	}
	if json.Unmarshal(raw, &head) != nil || head.Type != "DocumentReference" || head.ID == "" {
		return share.ReceivedAttachment{}, false
	}
	i := slices.IndexFunc(files, func(a share.ReceivedAttachment) bool { return a.Record == "DocumentReference/"+head.ID })
	if i < 0 {
		return share.ReceivedAttachment{}, false
	}
	return files[i], true
}

// unlisted are the kept files whose DocumentReference is not in the
// chart's Documents section: listed there on their own.
func unlisted(got wallet.Received, chart record.Chart) []share.ReceivedAttachment {
	var out []share.ReceivedAttachment
	var docs []record.ChartItem
	for _, sec := range chart.Sections {
		if sec.ID == "documents" {
			docs = sec.Items
		}
	}
	for _, a := range got.Attachments {
		if !slices.ContainsFunc(docs, func(it record.ChartItem) bool {
			_, ok := keptFileOf([]share.ReceivedAttachment{a}, got.Records[it.Index])
			return ok
		}) {
			out = append(out, a)
		}
	}
	return out
}

// filesMatching are the files whose title, name or type holds every word.
func filesMatching(files []share.ReceivedAttachment, words []string) []share.ReceivedAttachment {
	var out []share.ReceivedAttachment
	for _, a := range files {
		text := strings.ToLower(a.Title + " " + a.FileName() + " " + a.ContentType)
		if !slices.ContainsFunc(words, func(w string) bool { return !strings.Contains(text, w) }) {
			out = append(out, a)
		}
	}
	return out
}

// fileRow is a kept file without a record of its own: its title, type
// and size.
func fileRow(a share.ReceivedAttachment) fyne.CanvasObject {
	name := a.Title
	if name == "" {
		name = a.FileName()
	}
	info := widget.NewLabel(fmt.Sprintf("%s · %s", a.ContentType, a.SizeText()))
	info.Importance = widget.LowImportance
	return container.NewVBox(widget.NewLabel(name), info)
}

// savableRow is a row with a Save… button that writes the kept file a
// where the receiver chooses (it was checked against the size and SHA-256
// the patient committed to).
func (u *UI) savableRow(row fyne.CanvasObject, a share.ReceivedAttachment) fyne.CanvasObject {
	busy := busyText()
	var save *widget.Button
	save = u.button("Save…", theme.DocumentSaveIcon(), func() {
		u.saveTo(a.FileName(), save, busy, "Saving…", func(w io.Writer) (string, error) {
			_, err := w.Write(a.Data)
			return fmt.Sprintf("Saved %s.", a.FileName()), err
		})
	})
	return container.NewVBox(container.NewBorder(nil, nil, nil, container.NewCenter(save), row), busy)
}
