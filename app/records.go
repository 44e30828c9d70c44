package app

import (
	"cmp"
	"fmt"
	"slices"
	"strings"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"healthwallet/wallet"
	"healthwallet/wallet/record"
)

// searchDelay is how long typing must pause before the list is filtered.
const searchDelay = 250 * time.Millisecond

// dateLayout is how record dates are shown. Dates are shown in the zone
// the record gave them, not converted to local time: a lab result of
// 3 March stays 3 March.
const dateLayout = "2 Jan 2006"

// filter is what the records screen shows; it survives a visit to a
// record's detail and back.
type filter struct {
	// person is whose records: a person kept in this wallet (a
	// wallet.Person ID), or "" for the owner's own. Sharing from the
	// records screen works on their records.
	person   string
	category string // "" for all
	text     string
}

// categoryCount is one entry of the category list.
type categoryCount struct {
	name  string // "" for all records
	count int
}

func (c categoryCount) label() string {
	name := c.name
	if name == "" {
		name = "All records"
	}
	return fmt.Sprintf("%s (%d)", name, c.count)
}

// recordsView is the records screen.
type recordsView struct {
	ui         *UI
	categories []categoryCount
	records    []record.Record

	catList   *widget.List
	catSelect *widget.Select
	search    *widget.Entry
	list      *widget.List
	empty     *widget.Label
	emptyBox  *fyne.Container
	problem   errorText
	debounce  Timer

	chainBanner chainBanner
	// switcher chooses between the owner's records, those of each person
	// kept in this wallet and those of each person they care for; hidden
	// when there is no one else.
	switcher *fyne.Container
	// kept is the person kept in this wallet whose records are shown, or
	// nil for the owner (or a person cared for).
	kept *wallet.Person
	// syncNote says, calmly, when keeping copies current failed.
	syncNote errorText
}

// showRecords is the home screen of an unlocked wallet.
func (u *UI) showRecords() {
	v := &recordsView{ui: u}
	u.show("records", v.build())
	u.recordsView = v
	v.reload()
	v.showChainBanner()
	v.showSyncProblem()
	u.checkChain()
}

func (v *recordsView) build() fyne.CanvasObject {
	u := v.ui
	v.problem = newErrorText()

	v.catList = widget.NewList(
		func() int { return len(v.categories) },
		func() fyne.CanvasObject {
			l := widget.NewLabel("Category name (000)")
			l.Truncation = fyne.TextTruncateEllipsis
			return l
		},
		func(i widget.ListItemID, o fyne.CanvasObject) { o.(*widget.Label).SetText(v.categories[i].label()) },
	)
	v.catList.OnSelected = func(i widget.ListItemID) {
		u.idle.touch()
		v.setCategory(v.categories[i].name)
	}

	v.catSelect = widget.NewSelect(nil, func(s string) {
		u.idle.touch()
		for _, c := range v.categories {
			if c.label() == s {
				v.setCategory(c.name)
				return
			}
		}
	})

	v.search = widget.NewEntry()
	v.search.SetPlaceHolder("Search records")
	v.search.ActionItem = widget.NewIcon(theme.SearchIcon())
	v.search.SetText(u.filter.text)
	u.onChanged(v.search, func(string) { v.searchLater() })
	v.search.OnSubmitted = func(string) { v.searchNow() }

	v.list = widget.NewList(
		func() int { return len(v.records) },
		newRecordRow,
		func(i widget.ListItemID, o fyne.CanvasObject) { setRecordRow(o, v.records[i]) },
	)
	v.list.OnSelected = func(i widget.ListItemID) {
		u.idle.touch()
		id := v.records[i].ID
		v.list.UnselectAll()
		u.showDetail(id)
	}

	v.empty = wrapped("")
	v.empty.Alignment = fyne.TextAlignCenter
	v.emptyBox = container.NewVBox(v.empty, container.NewCenter(u.button("Import records", theme.DownloadIcon(), u.showImport)))
	v.emptyBox.Hide()

	v.chainBanner = newChainBanner()
	kept := u.keptPeople()
	if v.kept = keptPerson(kept, u.filter.person); v.kept == nil {
		u.filter.person = "" // dropped, or never here: the owner's
	}
	v.switcher = u.personSwitcher(kept)
	v.syncNote = newErrorText()
	v.syncNote.Importance = widget.WarningImportance
	top := container.NewVBox(v.search, v.problem.Label)
	if u.person != nil {
		top.Add(u.personBanner(*u.person))
	} else {
		if v.kept != nil {
			top.Add(keptBanner(*v.kept))
		}
		top.Add(v.chainBanner.box)
		if banner := u.damageBanner(); banner != nil {
			top.Add(banner)
		}
	}
	top.Add(v.syncNote.Label)
	main := container.NewBorder(top, nil, nil, nil,
		container.NewStack(v.list, container.NewPadded(v.emptyBox)))
	sidebar := container.NewBorder(widget.NewLabelWithStyle("Categories", fyne.TextAlignLeading, fyne.TextStyle{Bold: true}),
		nil, nil, nil, v.catList)

	return container.NewBorder(container.NewVBox(u.mainHeader(v.kept), v.switcher), nil, nil, nil,
		container.New(&sidebarLayout{sideWidth: 240}, sidebar, v.catSelect, main))
}

// mainHeader is the top bar of the unlocked wallet's screens: the
// owner's, or that of kept, a person kept in this wallet (nil: the owner).
func (u *UI) mainHeader(kept *wallet.Person) fyne.CanvasObject {
	if u.person != nil {
		return u.personHeader(*u.person)
	}
	text := "Records"
	if n := u.wallet.DisplayName(); n != "" {
		text = n
	}
	if kept != nil {
		var export *widget.Button
		export = u.button("Export", theme.UploadIcon(), func() { u.exportPerson(*kept, export) })
		return header(nil, kept.Name+"'s records",
			u.button("Import", theme.DownloadIcon(), u.showImport),
			u.button("Share", theme.MailSendIcon(), u.shareFromRecords),
			export,
			u.moreButton(),
			u.button("Lock", theme.LogoutIcon(), u.lock),
		)
	}
	return header(nil, text,
		u.button("Import", importIcon(), u.showImport),
		u.button("Share", theme.MailSendIcon(), u.shareFromRecords),
		u.moreButton(),
		u.button("Lock", theme.LogoutIcon(), u.lock),
	)
}

// moreButton opens a small menu of the screens used less often.
func (u *UI) moreButton() *widget.Button {
	var b *widget.Button
	b = u.button("More", theme.MoreVerticalIcon(), func() {
		var pop *widget.PopUp
		item := func(label string, icon fyne.Resource, f func()) *widget.Button {
			it := u.button(label, icon, func() { pop.Hide(); f() })
			it.Alignment = widget.ButtonAlignLeading
			it.Importance = widget.LowImportance
			return it
		}
		pop = widget.NewPopUp(container.NewVBox(
			item("Shares", theme.MailSendIcon(), u.showShares),
			item("Access log", theme.HistoryIcon(), u.showAccessLog),
			item("Caregivers", theme.AccountIcon(), u.showCaregivers),
			item("People", theme.HomeIcon(), u.showPeople),
			item("Emergency card", theme.NewErrorThemedResource(theme.WarningIcon()), u.showEmergency),
			item("Receive a share", receiveIcon(), u.showReceive),
			item("Settings", theme.SettingsIcon(), u.showSettings),
		), u.win.Canvas())
		// At the window's right edge under the header: the button tapped
		// may be this one or its icon on a narrow window.
		x := u.win.Canvas().Size().Width - pop.MinSize().Width - theme.Padding()
		pop.ShowAtPosition(fyne.NewPos(max(0, x), b.MinSize().Height+theme.Padding()))
	})
	return b
}

// reload fetches categories and records for the current filter.
func (v *recordsView) reload() {
	u := v.ui
	counts, err := u.categoryCounts()
	if err != nil {
		v.problem.set(err)
		return
	}
	total := 0
	v.categories = v.categories[:0]
	for name, n := range counts {
		v.categories = append(v.categories, categoryCount{name: name, count: n})
		total += n
	}
	slices.SortFunc(v.categories, func(a, b categoryCount) int { return strings.Compare(a.name, b.name) })
	v.categories = slices.Insert(v.categories, 0, categoryCount{count: total})
	if _, ok := counts[u.filter.category]; !ok {
		u.filter.category = ""
	}

	options := make([]string, len(v.categories))
	selected := 0
	for i, c := range v.categories {
		options[i] = c.label()
		if c.name == u.filter.category {
			selected = i
		}
	}
	v.catSelect.SetOptions(options)
	v.catSelect.SetSelectedIndex(selected)
	v.catList.Refresh()
	v.catList.Select(selected)

	v.refreshRecords(total)
}

// refreshRecords lists the records matching the filter, newest first.
func (v *recordsView) refreshRecords(total int) {
	u := v.ui
	recs, err := u.listRecords(wallet.Query{Category: u.filter.category, Text: u.filter.text})
	if err != nil {
		v.problem.set(err)
		recs = nil
	} else {
		v.problem.clear()
	}
	slices.SortStableFunc(recs, newestFirst)
	v.records = recs
	v.list.Refresh()
	v.list.ScrollToTop()

	switch {
	case len(recs) > 0:
		v.emptyBox.Hide()
	case total == 0 && u.person != nil:
		v.empty.SetText(fmt.Sprintf("No records from %s yet. They arrive when %s's wallet brings your copy up to date; tap Sync now to fetch them.",
			u.person.Name, u.person.Name))
		v.emptyBox.Objects[1].Hide()
		v.emptyBox.Show()
	case total == 0 && v.kept != nil:
		v.empty.SetText(fmt.Sprintf("No records about %s in this wallet.", v.kept.Name))
		v.emptyBox.Objects[1].Show()
		v.emptyBox.Show()
	case total == 0:
		v.empty.SetText(emptyWalletText)
		v.emptyBox.Objects[1].Show()
		v.emptyBox.Show()
	default:
		if u.filter.text != "" {
			v.empty.SetText(fmt.Sprintf("No records match “%s”.", u.filter.text))
		} else {
			v.empty.SetText("No records in this category.")
		}
		v.emptyBox.Objects[1].Hide()
		v.emptyBox.Show()
	}
}

func (v *recordsView) total() int {
	if len(v.categories) == 0 {
		return 0
	}
	return v.categories[0].count
}

func (v *recordsView) setCategory(name string) {
	if name == v.ui.filter.category {
		return
	}
	v.ui.filter.category = name
	for i, c := range v.categories {
		if c.name == name {
			v.catSelect.SetSelectedIndex(i)
			v.catList.Select(i)
		}
	}
	v.refreshRecords(v.total())
}

// searchLater filters once typing pauses for searchDelay.
func (v *recordsView) searchLater() {
	if v.debounce != nil {
		v.debounce.Stop()
	}
	text := v.search.Text
	v.debounce = v.ui.clock.AfterFunc(searchDelay, func() {
		fyne.Do(func() {
			if v.search.Text == text && v.ui.recordsView == v && v.ui.screen == "records" {
				v.searchNow()
			}
		})
	})
}

func (v *recordsView) searchNow() {
	text := strings.TrimSpace(v.search.Text)
	if text == v.ui.filter.text {
		return
	}
	v.ui.filter.text = text
	v.refreshRecords(v.total())
}

// newestFirst orders records by date, newest first; undated records last.
func newestFirst(a, b record.Record) int {
	switch {
	case a.Date.IsZero() && !b.Date.IsZero():
		return 1
	case !a.Date.IsZero() && b.Date.IsZero():
		return -1
	}
	if c := b.Date.Compare(a.Date); c != 0 {
		return c
	}
	return cmp.Compare(a.Title, b.Title)
}

// formatDate shows a record date, or says there is none.
func formatDate(t time.Time) string {
	if t.IsZero() {
		return "No date"
	}
	return t.Format(dateLayout)
}

// A record row: title and date on the first line, category and key details
// on the second.
func newRecordRow() fyne.CanvasObject {
	t := widget.NewLabelWithStyle("Title", fyne.TextAlignLeading, fyne.TextStyle{Bold: true})
	t.Truncation = fyne.TextTruncateEllipsis
	d := widget.NewLabel("30 Sep 2000")
	sub := widget.NewLabel("Category · details")
	sub.Truncation = fyne.TextTruncateEllipsis
	sub.Importance = widget.LowImportance
	sub.SizeName = theme.SizeNameCaptionText
	anchor := widget.NewLabel("Waiting to anchor")
	anchor.Importance = widget.LowImportance
	anchor.SizeName = theme.SizeNameCaptionText
	state := container.NewHBox(widget.NewIcon(theme.HistoryIcon()), anchor)
	return container.NewVBox(container.NewBorder(nil, nil, nil, d, t), container.NewBorder(nil, nil, nil, state, sub))
}

func setRecordRow(o fyne.CanvasObject, r record.Record) {
	box := o.(*fyne.Container)
	line := box.Objects[0].(*fyne.Container)
	line.Objects[0].(*widget.Label).SetText(r.Title)
	line.Objects[1].(*widget.Label).SetText(formatDate(r.Date))
	parts := []string{r.Category}
	parts = append(parts, r.Details...)
	second := box.Objects[1].(*fyne.Container)
	second.Objects[0].(*widget.Label).SetText(strings.Join(parts, " · "))
	state := second.Objects[1].(*fyne.Container)
	state.Objects[0].(*widget.Icon).SetResource(anchorIcon(r.Anchor))
	state.Objects[1].(*widget.Label).SetText(anchorText(r.Anchor, true))
}

// damageBanner warns about records that failed their integrity check, or
// is nil when there are none.
func (u *UI) damageBanner() fyne.CanvasObject {
	damaged := u.wallet.Damaged()
	if len(damaged) == 0 {
		return nil
	}
	text := "1 record failed its integrity check"
	if len(damaged) > 1 {
		text = fmt.Sprintf("%d records failed their integrity check", len(damaged))
	}
	msg := widget.NewLabel(text + ": it may have been altered or damaged on this device.")
	msg.Wrapping = fyne.TextWrapWord
	msg.Importance = widget.DangerImportance
	details := u.button("Details", theme.InfoIcon(), func() {
		var b strings.Builder
		for _, d := range damaged {
			fmt.Fprintf(&b, "%s: %s\n", d.ID, d.Problem)
		}
		b.WriteString("\nRestore these records from a backup, or import them again from their source.")
		body := widget.NewLabel(b.String())
		body.Wrapping = fyne.TextWrapWord
		u.showClosable(dialog.NewCustom("Integrity check failed", "Close", container.NewVScroll(body), u.win), dialogSize(u.win), nil)
	})
	return container.NewBorder(nil, nil, widget.NewIcon(theme.ErrorIcon()), details, msg)
}

// emptyWalletText is what an empty wallet says: what to import, in the
// words of what people are given (the import screen names the file kinds).
const emptyWalletText = "No records yet. Import the files your hospital, clinic or lab gave you — " +
	"health records, PDFs, photos of documents, vaccination cards."

// sidebarLayout places a sidebar beside the main content on wide windows,
// and a compact selector above it on narrow ones (phones in portrait). Its
// objects are: sidebar, selector, main.
type sidebarLayout struct{ sideWidth float32 }

func (l *sidebarLayout) narrow(size fyne.Size) bool { return size.Width < narrowWidth }

func (l *sidebarLayout) MinSize(objects []fyne.CanvasObject) fyne.Size {
	sel, main := objects[1].MinSize(), objects[2].MinSize()
	return fyne.NewSize(max(sel.Width, main.Width), sel.Height+theme.Padding()+main.Height)
}

func (l *sidebarLayout) Layout(objects []fyne.CanvasObject, size fyne.Size) {
	side, sel, main := objects[0], objects[1], objects[2]
	pad := theme.Padding()
	if l.narrow(size) {
		side.Hide()
		sel.Show()
		h := sel.MinSize().Height
		sel.Move(fyne.NewPos(0, 0))
		sel.Resize(fyne.NewSize(size.Width, h))
		main.Move(fyne.NewPos(0, h+pad))
		main.Resize(fyne.NewSize(size.Width, size.Height-h-pad))
		return
	}
	sel.Hide()
	side.Show()
	side.Move(fyne.NewPos(0, 0))
	side.Resize(fyne.NewSize(l.sideWidth, size.Height))
	x := l.sideWidth + pad
	main.Move(fyne.NewPos(x, 0))
	main.Resize(fyne.NewSize(size.Width-x, size.Height))
}
