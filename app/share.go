package app

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"net"
	"net/url"
	"slices"
	"strings"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"healthwallet/wallet"
	"healthwallet/wallet/record"
	"healthwallet/wallet/share"
)

// This file: making a share (choose, expiry, purpose, passcode, recipient,
// direct), the QR and link it gives, and the list of shares.

// shareScope is one choice of what to share.
type shareScope struct {
	label string
	req   wallet.ShareRequest // the summary, IDs or All
	count int
	about string // what the choice holds, in words, shown under it when chosen
	last  bool   // listed after the choice by kind and date
}

// purposeLabel names a PurposeOfUse code for people: "Treatment".
func purposeLabel(code string) string {
	for _, p := range share.Purposes() {
		if p.Code == code {
			return sentence(p.Display)
		}
	}
	return code
}

// customExpiry is the expiry choice after wallet.SharePresets: a duration
// typed in.
const customExpiry = "Custom"

// expiryChoices are the presets of wallet.SharePresets as people say them
// ("1 hour"), then custom.
func expiryChoices() []string {
	choices := make([]string, 0, len(wallet.SharePresets)+1)
	for _, d := range wallet.SharePresets {
		choices = append(choices, formatTTL(d))
	}
	return append(choices, customExpiry)
}

// shareFromRecords starts the share form from the patient summary; it also
// offers the records shown now (category and search), a choice by kind and
// date, and every record, billing included.
func (u *UI) shareFromRecords() {
	recs, err := u.listRecords(wallet.Query{})
	if err != nil {
		u.showError(err)
		return
	}
	sum := wallet.SummarizeRecords(recs, u.clock.Now())
	n := len(sum.Records())
	summary := shareScope{label: fmt.Sprintf("Patient summary (%s)", plural(n, "record", "records")),
		req: wallet.ShareRequest{Summary: true}, count: n,
		about: "Allergies, active problems, current medications, immunizations, and results and vital signs " +
			"(the latest of each, and all from the last 12 months). No insurance or billing. It holds " + sum.Describe() + "."}
	var scopes []shareScope
	if v := u.recordsView; v != nil && (u.filter.category != "" || u.filter.text != "") && len(v.records) > 0 {
		ids := make([]string, len(v.records))
		for i, r := range v.records {
			ids[i] = r.ID
		}
		name := "Records shown now"
		if u.filter.category != "" && u.filter.text == "" {
			name = "Shown now: " + categoryWords(u.filter.category)
		}
		scopes = append(scopes, shareScope{label: fmt.Sprintf("%s (%d)", name, len(ids)), req: wallet.ShareRequest{IDs: ids}, count: len(ids)})
	}
	scopes = append(scopes, shareScope{label: fmt.Sprintf("All records, insurance and billing included (%d)", len(recs)),
		req: wallet.ShareRequest{All: true}, count: len(recs), last: true})
	u.showShare(summary, u.showRecords, scopes...)
}

// chooseLabel is the share form's choice of records by kind and dates.
const chooseLabel = "Choose by kind or date"

// recipientCardPlaceholder is the share form's field for whom the share is
// meant: what they paste is their identity card (an hwcard: text), which
// the form does not name — a person knows it as the doctor's card.
const recipientCardPlaceholder = "Optional: paste the doctor's identity card"

// showShare is the form of a new share. back returns to where it came from.
// Besides the scopes given, the records can be chosen by type and by a date
// range; the form says how many records the choice holds before sharing.
func (u *UI) showShare(scope shareScope, back func(), more ...shareScope) {
	scopes := append([]shareScope{scope}, more...)
	var labels []string
	for _, s := range scopes {
		if !s.last {
			labels = append(labels, s.label)
		}
	}
	labels = append(labels, chooseLabel)
	for _, s := range scopes {
		if s.last {
			labels = append(labels, s.label)
		}
	}
	about := wrappedLow("")
	about.Hide()

	chosen := widget.NewLabel("")
	chosen.TextStyle.Bold = true
	chosen.Wrapping = fyne.TextWrapWord
	var create *widget.Button
	var update func()
	filter := u.shareFilter(func() { update() })
	filter.box.Hide()
	what := widget.NewRadioGroup(labels, nil)
	what.Required = true
	// current is the request and count of the choice made now; err says
	// why the choice cannot be shared.
	current := func() (wallet.ShareRequest, int, error) {
		for _, s := range scopes {
			if s.label == what.Selected {
				return s.req, s.count, nil
			}
		}
		return filter.choice()
	}
	// update says how many records the choice holds, or why it cannot be
	// shared, and lets the share be created only when it can.
	update = func() {
		_, n, err := current()
		switch {
		case err != nil:
			chosen.Importance = widget.DangerImportance
			chosen.SetText(sentence(err.Error()))
		case n == 0:
			chosen.Importance = widget.WarningImportance
			chosen.SetText("This choice holds no records: choose others to share.")
		default:
			chosen.Importance = widget.MediumImportance
			chosen.SetText(plural(n, "record", "records") + " will be shared.")
		}
		if create == nil {
			return
		}
		if err != nil || n == 0 {
			create.Disable()
		} else {
			create.Enable()
		}
	}
	what.OnChanged = func(s string) {
		u.idle.touch()
		if s == chooseLabel {
			filter.box.Show()
		} else {
			filter.box.Hide()
		}
		about.Hide()
		for _, sc := range scopes {
			if sc.label == s && sc.about != "" {
				about.SetText(sc.about)
				about.Show()
			}
		}
		update()
	}

	problem := newErrorText()
	custom := u.entry("e.g. 90m, 3h, 2d")
	u.onChanged(custom, func(string) { problem.clear() })
	custom.Hide()
	expiry := widget.NewSelect(expiryChoices(), func(s string) {
		u.idle.touch()
		if s == customExpiry {
			custom.Show()
		} else {
			custom.Hide()
		}
	})
	expiry.SetSelected(formatTTL(time.Hour))

	purpose := u.purposeChoice()

	// A hint about the passcode (or anything else) is about what was typed:
	// it goes as soon as the field changes.
	passcode := u.entry("Optional passcode")
	u.onChanged(passcode, func(string) { problem.clear() })
	recipient := u.entry(recipientCardPlaceholder)
	u.onChanged(recipient, func(string) { problem.clear() })
	// A direct share travels over plain http on the local network, so a
	// passcode would travel in clear: the wallet refuses one there, and the
	// form does not offer it.
	direct := widget.NewCheck("Share directly from this device (local network)", func(on bool) {
		u.idle.touch()
		if on {
			passcode.SetText("")
			passcode.Disable()
		} else {
			passcode.Enable()
		}
	})
	busy := busyText()
	offline := container.NewVBox() // the direct share offered when no network answers
	offline.Hide()

	create = u.primary("Create share", theme.ConfirmIcon(), func() {
		problem.clear()
		offline.Hide()
		req, count, err := current()
		if err != nil {
			problem.set(err)
			return
		}
		i := expiry.SelectedIndex()
		if i < len(wallet.SharePresets) && i >= 0 {
			req.TTL = wallet.SharePresets[i]
		} else {
			d, err := wallet.ParseTTL(custom.Text) // as hw share --expires
			if err != nil {
				problem.set(err)
				return
			}
			req.TTL = d
		}
		req.Purpose = purpose.code()
		if !direct.Checked {
			req.Passcode = passcode.Text
		}
		req.Recipient = strings.TrimSpace(recipient.Text)
		how := "Anyone who scans the QR code"
		if req.Recipient != "" {
			how = "Only the holder of that identity card"
		}
		if req.Passcode != "" {
			how += " and knows the passcode"
		}
		what := plural(count, "record", "records")
		if req.Summary {
			what = "your patient summary (" + what + ")"
		}
		msg := fmt.Sprintf("%s can read %s for %s, for %s. You can revoke the share at any time.",
			how, what, formatTTL(req.TTL), purposeLabel(req.Purpose))
		u.confirm("Share these records?", "Share", msg, func(ok bool) {
			u.idle.touch()
			if !ok {
				return
			}
			u.makeShare(req, direct.Checked, shareOutcome{create, busy, problem, offline}, back)
		})
	})
	what.SetSelected(labels[0])

	heading := "Share records"
	onBehalf := widget.NewLabel("")
	onBehalf.Hide()
	if p := u.person; p != nil {
		heading = "Share " + p.Name + "'s records"
		direct.Hide()
		onBehalf.Wrapping = fyne.TextWrapWord
		onBehalf.SetText(fmt.Sprintf("You share on %s's behalf: the doctor sees that you shared them, for %s, "+
			"and that %s allowed you to until %s.", p.Name, p.Name, p.Name, p.Expires.Format(dateLayout)))
		onBehalf.Show()
	}
	u.show("share", container.NewBorder(
		header(u.button("Back", theme.NavigateBackIcon(), back), heading), nil, nil, nil,
		page(
			onBehalf,
			section("What to share"), what,
			about,
			filter.box,
			chosen,
			widget.NewForm(
				widget.NewFormItem("Expires in", container.NewVBox(expiry, custom)),
				widget.NewFormItem("Purpose", purpose.box),
				widget.NewFormItem("Passcode", passcode),
				widget.NewFormItem("Recipient", recipient),
			),
			direct,
			problem.Label,
			offline,
			busy,
			create,
		)))
}

// shareFilter is the share form's choice by kind of record and date range.
type shareFilter struct {
	u        *UI
	box      *fyne.Container
	kinds    *widget.CheckGroup
	category map[string]string // check label → record category
	from, to *widget.Entry
}

// shareFilter offers the kinds of record the wallet holds, in words, none
// ticked (insurance and billing go only when ticked), and a date range;
// changed is called on every change.
func (u *UI) shareFilter(changed func()) *shareFilter {
	f := &shareFilter{u: u, category: map[string]string{}}
	recs, err := u.listRecords(wallet.Query{})
	count := map[string]int{}
	for _, r := range recs {
		count[r.Category]++
	}
	// The wallet's categories in their order, then any other, A to Z.
	order := slices.Clone(record.AllCategories)
	for _, c := range slices.Sorted(maps.Keys(count)) {
		if !slices.Contains(order, c) {
			order = append(order, c)
		}
	}
	var options []string
	for _, c := range order {
		if count[c] == 0 {
			continue
		}
		l := fmt.Sprintf("%s (%d)", categoryWords(c), count[c])
		f.category[l] = c
		options = append(options, l)
	}
	f.kinds = widget.NewCheckGroup(options, func([]string) { u.idle.touch(); changed() })
	f.from = u.dateEntry("First day, YYYY-MM-DD")
	f.to = u.dateEntry("Last day, YYYY-MM-DD")
	u.onChanged(f.from, func(string) { changed() })
	u.onChanged(f.to, func(string) { changed() })

	hint := wrapped("Tick what to share. Both days count; records without a date are left out when a day is given.")
	hint.Importance = widget.LowImportance
	hint.SizeName = theme.SizeNameCaptionText
	var kinds fyne.CanvasObject = f.kinds
	if err != nil {
		msg := wrapped(sentence(err.Error()))
		msg.Importance = widget.DangerImportance
		kinds = msg
	}
	f.box = container.NewVBox(
		kinds,
		widget.NewForm(
			widget.NewFormItem("From", f.from),
			widget.NewFormItem("To", f.to),
		),
		hint,
	)
	return f
}

// categoryNames are the record categories as a person says them, where
// the wallet's name is not already plain.
var categoryNames = map[string]string{
	record.CategoryConditions:   "Health problems",
	record.CategoryObservations: "Other observations",
	record.CategoryEncounters:   "Visits",
	record.CategoryInsurance:    "Insurance and billing",
	record.CategoryPeople:       "People and organizations",
}

// categoryWords names a record category for people: "Visits", not
// "Encounters".
func categoryWords(category string) string {
	if w, ok := categoryNames[category]; ok {
		return w
	}
	return category
}

// choice is the request the filter makes and how many records it holds:
// the records of the kinds ticked, within the dates. Nothing ticked is no
// choice, never everything.
func (f *shareFilter) choice() (wallet.ShareRequest, int, error) {
	var req wallet.ShareRequest
	if len(f.kinds.Selected) == 0 {
		return req, 0, errors.New("tick the kinds of record to share")
	}
	from, err := parseDate(f.from.Text)
	if err != nil {
		return req, 0, fmt.Errorf("the first day: %w", err)
	}
	to, err := parseDate(f.to.Text)
	if err != nil {
		return req, 0, fmt.Errorf("the last day: %w", err)
	}
	if !from.IsZero() && !to.IsZero() && to.Before(from) {
		return req, 0, fmt.Errorf("the last day (%s) is before the first (%s): swap them", to.Format(time.DateOnly), from.Format(time.DateOnly))
	}
	if !to.IsZero() {
		to = to.Add(24*time.Hour - time.Nanosecond) // the whole last day
	}
	ticked := map[string]bool{}
	for _, l := range f.kinds.Selected {
		ticked[f.category[l]] = true
	}
	recs, err := f.u.listRecords(wallet.Query{From: from, To: to})
	if err != nil {
		return req, 0, err
	}
	for _, r := range recs {
		if ticked[r.Category] {
			req.IDs = append(req.IDs, r.ID)
		}
	}
	return req, len(req.IDs), nil
}

// purposeChoice is the share form's purpose: the common ones in plain
// words, the rest under "More…".
type purposeChoice struct {
	box          *fyne.Container
	common, more *widget.Select
	moreCodes    []string
}

// commonPurposes are the reasons people share for most, in their words.
var commonPurposes = []struct{ label, code string }{
	{"Treatment", "TREAT"},
	{"Emergency", "ETREAT"},
	{"Care coordination", "COC"},
	{"My own request", "PATRQT"},
}

// morePurposes is the last choice of commonPurposes' select.
const morePurposes = "More…"

func (u *UI) purposeChoice() *purposeChoice {
	p := &purposeChoice{}
	var labels, more []string
	for _, c := range commonPurposes {
		labels = append(labels, c.label)
	}
	for _, pu := range share.Purposes() {
		if !slices.ContainsFunc(commonPurposes, func(c struct{ label, code string }) bool { return c.code == pu.Code }) {
			more = append(more, sentence(pu.Display))
			p.moreCodes = append(p.moreCodes, pu.Code)
		}
	}
	p.more = widget.NewSelect(more, func(string) { u.idle.touch() })
	p.more.SetSelectedIndex(0)
	p.more.Hide()
	p.common = widget.NewSelect(append(labels, morePurposes), func(s string) {
		u.idle.touch()
		if s == morePurposes {
			p.more.Show()
		} else {
			p.more.Hide()
		}
	})
	p.common.SetSelectedIndex(0)
	p.box = container.NewVBox(p.common, p.more)
	return p
}

// code is the HL7 PurposeOfUse code chosen.
func (p *purposeChoice) code() string {
	if i := p.common.SelectedIndex(); i >= 0 && i < len(commonPurposes) {
		return commonPurposes[i].code
	}
	return p.moreCodes[max(0, p.more.SelectedIndex())]
}

// parseDate reads a day written YYYY-MM-DD; empty is the zero time.
func parseDate(s string) (time.Time, error) {
	s = strings.TrimSpace(s)
	if s == "" {
		return time.Time{}, nil
	}
	t, err := time.Parse(time.DateOnly, s)
	if err != nil {
		return time.Time{}, fmt.Errorf("“%s” is not a day: write it as YYYY-MM-DD, e.g. 2024-03-12, or pick it from the calendar", s)
	}
	return t, nil
}

// dateEntry is an entry for a day, YYYY-MM-DD, with a calendar to pick it
// from. Fyne's DateEntry writes dates in the locale's order, which reads
// both ways (03/04); this one stays unambiguous. The share form says what
// is wrong with a day, in words that wrap (a validator's do not).
func (u *UI) dateEntry(placeholder string) *widget.Entry {
	e := u.entry(placeholder)
	pick := widget.NewButtonWithIcon("", theme.CalendarIcon(), nil)
	pick.Importance = widget.LowImportance
	pick.OnTapped = func() {
		u.idle.touch()
		start := u.clock.Now()
		if t, err := parseDate(e.Text); err == nil && !t.IsZero() {
			start = t
		}
		var pop *widget.PopUp
		cal := widget.NewCalendar(start, func(t time.Time) {
			u.idle.touch()
			e.SetText(t.Format(time.DateOnly))
			pop.Hide()
		})
		pop = widget.NewPopUp(cal, u.win.Canvas())
		pos := fyne.CurrentApp().Driver().AbsolutePositionForObject(e)
		pop.ShowAtPosition(pos.Add(fyne.NewPos(0, e.Size().Height)))
	}
	e.ActionItem = pick
	return e
}

// shareOutcome is where the share form shows how making a share goes: the
// button, the busy text, the problem, and the direct share offered when no
// network answers.
type shareOutcome struct {
	btn     *widget.Button
	busy    *widget.Label
	problem errorText
	offline *fyne.Container
}

// directListen is where a direct share listens: every interface, a free
// port (the link names this device's local network address). Tests serve
// on this computer alone.
var directListen = "0.0.0.0:0"

// makeShare asks the wallet for the share, then shows its QR. A direct
// share is served until the result screen is left. When the share cannot
// go through a network (none joined, or it does not answer), it says so in
// words and offers the direct share.
func (u *UI) makeShare(req wallet.ShareRequest, direct bool, out shareOutcome, back func()) {
	w := u.wallet
	person := u.person
	req.Person = u.filter.person // the person shown: "" the owner (issue 12)
	ctx, cancel := context.WithCancel(context.Background())
	var res wallet.ShareResult
	text := "Encrypting and uploading…"
	if direct {
		text = "Encrypting and starting to serve on this network…"
	}
	u.runSlow(out.btn, out.busy, text, func() error {
		var err error
		switch {
		case person != nil: // on their behalf, through the network only
			res, err = w.CareShare(ctx, person.ID, req)
		case direct:
			res, err = w.ShareDirect(ctx, req, directListen)
		default:
			res, err = w.Share(ctx, req)
		}
		return err
	}, func(err error) {
		if err != nil || u.wallet != w {
			cancel()
			if err != nil && !direct && person == nil && noNetworkAnswers(err) {
				u.offerDirect(req, err, out, back)
				return
			}
			out.problem.set(sharingProblem(err))
			return
		}
		if !direct {
			cancel()
			cancel = nil
		}
		u.showShareResult(&shownShare{res: res, purpose: req.Purpose, stop: cancel, back: back, person: person})
	})
}

// noNetworkAnswers says whether a share failed for want of a network to
// go through: none joined, or its relay not answering.
func noNetworkAnswers(err error) bool {
	var ue *url.Error
	var ne net.Error
	return errors.Is(err, wallet.ErrNoRelay) || errors.As(err, &ue) || errors.As(err, &ne) ||
		errors.Is(err, context.DeadlineExceeded)
}

// sharingProblem words the wallet's sharing errors that name hw commands
// for the app, where there is no terminal.
func sharingProblem(err error) error {
	switch {
	case errors.Is(err, wallet.ErrNotAnchored):
		return errors.New("some of these records are not anchored yet, so they cannot be shared: " +
			"they will be in a moment. Try again shortly")
	case errors.Is(err, wallet.ErrRevokePending):
		return errors.New("the revocation is saved, but neither the link server nor the network has confirmed it yet, " +
			"so the link may still open for a little while; the wallet keeps trying on its own")
	}
	return err
}

// offerDirect says, in words, why a share cannot go through the network,
// and offers in one tap to share directly from this device on the same
// Wi-Fi instead.
func (u *UI) offerDirect(req wallet.ShareRequest, err error, out shareOutcome, back func()) {
	var why string
	m, joined := u.wallet.Network()
	switch {
	case errors.Is(err, wallet.ErrNoRelay) || !joined:
		why = "This wallet is not on a network yet, so this share cannot go through one (join one in Settings → Network)."
	default:
		why = fmt.Sprintf("The %s is not answering, so this share cannot go through it right now.", networkName(m.Name))
	}
	why += " You can share directly from this device with someone on the same Wi-Fi: the link works while the share stays on screen."
	if req.Passcode != "" {
		why += " A direct share has no passcode."
	}
	text := wrapped(why)
	text.Importance = widget.WarningImportance
	var direct *widget.Button
	direct = u.primary("Share directly on this Wi-Fi", theme.ComputerIcon(), func() {
		req.Passcode = "" // a direct share travels in clear on the local network: the wallet refuses one
		u.makeShare(req, true, shareOutcome{direct, out.busy, out.problem, out.offline}, back)
	})
	out.offline.Objects = []fyne.CanvasObject{
		container.NewBorder(nil, nil, widget.NewIcon(theme.NewWarningThemedResource(theme.WarningIcon())), nil, text),
		direct,
	}
	out.offline.Show()
	out.offline.Refresh()
}

// formatTTL says a duration the way people do: "1 hour", "2 days",
// "6 months".
func formatTTL(d time.Duration) string {
	const day = 24 * time.Hour
	switch {
	case d >= 365*day && d%(365*day) == 0:
		return plural(int(d/(365*day)), "year", "years")
	case d >= 30*day && d%(30*day) == 0:
		return plural(int(d/(30*day)), "month", "months")
	case d >= 7*24*time.Hour && d%(7*24*time.Hour) == 0:
		return plural(int(d/(7*24*time.Hour)), "week", "weeks")
	case d >= 24*time.Hour && d%(24*time.Hour) == 0:
		return plural(int(d/(24*time.Hour)), "day", "days")
	case d >= time.Hour && d%time.Hour == 0:
		return plural(int(d/time.Hour), "hour", "hours")
	}
	return plural(int(d.Round(time.Minute)/time.Minute), "minute", "minutes")
}

// countdown says how long until t: "Expires in 59 minutes 30 seconds".
func countdown(left time.Duration) string {
	if left <= 0 {
		return "Expired"
	}
	return "Expires in " + durationWords(left)
}

// confirmRevoke asks, then revokes a share in the background.
func (u *UI) confirmRevoke(id string, btn *widget.Button, busy *widget.Label, done func(error)) {
	u.confirm("Revoke this share?", "Revoke",
		"The link stops working at once, and the consent is withdrawn on the chain. Whoever already opened it keeps what they saw.",
		func(ok bool) {
			u.idle.touch()
			if !ok {
				return
			}
			w := u.wallet
			person := u.person
			u.runSlow(btn, busy, "Revoking…", func() error {
				if person != nil {
					return w.CareRevoke(context.Background(), person.ID, id)
				}
				return w.Revoke(context.Background(), id)
			}, done)
		})
}

// showShares lists the shares with their live state.
func (u *UI) showShares() {
	u.person = nil // the owner's shares; a person's are under People
	back := u.button("Back", theme.NavigateBackIcon(), u.showRecords)
	body := container.NewVBox(widget.NewLabel("Loading your shares…"))
	u.show("shares", container.NewBorder(
		header(back, "Shares",
			u.button("Access log", theme.HistoryIcon(), u.showAccessLog),
			u.button("New share", theme.MailSendIcon(), u.shareFromRecords)),
		nil, nil, nil, container.NewVScroll(container.NewPadded(body))))
	u.fillInBackground("shares", body, func(w Wallet) func() []fyne.CanvasObject {
		list, err := w.Shares(context.Background())
		return func() []fyne.CanvasObject { return u.shareRows(list, err) }
	})
}

// fillInBackground loads a list off the UI goroutine (load) and then, on
// the UI goroutine, builds its rows (the function load returns) into body,
// unless the person has left screen, or the wallet changed, by then.
func (u *UI) fillInBackground(screen string, body *fyne.Container, load func(Wallet) (rows func() []fyne.CanvasObject)) {
	w := u.wallet
	u.background(func() {
		rows := load(w)
		fyne.Do(func() {
			if u.screen != screen || u.wallet != w {
				return
			}
			body.Objects = rows()
			body.Refresh()
		})
	})
}

// stateImportance colours a share's state.
func stateImportance(state string) widget.Importance {
	switch state {
	case "active":
		return widget.SuccessImportance
	case "revoked":
		return widget.DangerImportance
	case "pending":
		return widget.WarningImportance
	}
	return widget.LowImportance
}

func (u *UI) shareRows(list []wallet.ShareInfo, err error) []fyne.CanvasObject {
	empty := "No shares yet. Share records from the records screen or from a record; each share appears here with its state."
	if p := u.person; p != nil {
		empty = fmt.Sprintf("You have not shared %s's records yet. Choose %s in the records screen, then Share.", p.Name, p.Name)
	}
	if none := noRows(len(list), err, empty); none != nil {
		return none
	}
	now := u.clock.Now()
	var rows []fyne.CanvasObject
	for _, s := range list {
		name := s.Label
		if name == "" {
			name = fmt.Sprintf("%s for %s", plural(s.Records, "record", "records"), purposeLabel(s.Purpose))
		}
		t := widget.NewLabelWithStyle(name, fyne.TextAlignLeading, fyne.TextStyle{Bold: true})
		t.Truncation = fyne.TextTruncateEllipsis
		state := s.State
		if s.Revoking {
			state = "revoked"
		}
		st := widget.NewLabel(sentence(state))
		st.Importance = stateImportance(state)
		expires := "expires " + s.Expires.Format(timeLayout)
		if !s.Expires.After(now) {
			expires = "expired " + s.Expires.Format(timeLayout)
		}
		opened := "not opened"
		if s.Opened > 0 {
			opened = "opened " + plural(s.Opened, "time", "times")
		}
		line := fmt.Sprintf("%s · %s · created %s", opened, expires, s.Created.Format(timeLayout))
		switch {
		case s.Serving:
			line += " · served from this device now"
		case s.Direct:
			line += " · served from this device until its screen closed"
		}
		if s.Problem != "" {
			line += "\n" + sentence(s.Problem)
		}
		sub := widget.NewLabel(line)
		sub.Importance = widget.LowImportance
		sub.SizeName = theme.SizeNameCaptionText
		sub.Wrapping = fyne.TextWrapWord
		var right fyne.CanvasObject = st
		// A stopped direct share's link no longer opens, but its grant
		// stands on chain until revoked or expired.
		if state == wallet.ShareActive || state == wallet.SharePending || state == wallet.ShareStopped {
			busy := busyText()
			revoke := u.danger("Revoke", theme.DeleteIcon(), nil)
			revoke.OnTapped = func() {
				u.idle.touch()
				u.confirmRevoke(s.ID, revoke, busy, func(err error) {
					if err != nil {
						u.showError(careProblem(sharingProblem(err)))
						return
					}
					if p := u.person; p != nil {
						u.showCareShares(*p)
						return
					}
					u.showShares()
				})
			}
			right = container.NewHBox(st, revoke)
		}
		rows = append(rows, container.NewBorder(nil, nil, nil, right, t), sub, widget.NewSeparator())
	}
	return rows
}
