package app

import (
	"context"
	"fmt"
	"maps"
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

// This file: the patient's caregivers — the list with each one's state,
// adding one (their card, what they may do, which records, until when),
// the invitation to give them, revoking and renewing.

// What a caregiver may do, in words, and the right each gives.
const (
	mayView   = "See my records"
	mayShare  = "Share my records with doctors"
	mayManage = "Manage my shares (end them)"
)

// Until when, in words: wallet.DelegatePresets, then a date.
const untilDate = "Until a date"

// caregiverCardPlaceholder is the caregiver form's field for their
// identity card (an hwcard: text, pasted or read from its QR photo).
const caregiverCardPlaceholder = "Paste their identity card, or read its QR photo below"

func untilChoices() []string {
	return []string{"1 month", "1 year", untilDate}
}

// Which records, in words.
const (
	allMyRecords = "All my records, including those I add later"
	someRecords  = "Only some kinds of records"
)

// showCaregivers lists the patient's caregivers with their state.
func (u *UI) showCaregivers() {
	u.person = nil
	back := u.button("Back", theme.NavigateBackIcon(), u.showRecords)
	body := container.NewVBox(widget.NewLabel("Loading your caregivers…"))
	var sync *widget.Button
	sync = u.button("Sync now", theme.ViewRefreshIcon(), func() { u.syncCaregiversNow(sync) })
	u.show("caregivers", container.NewBorder(
		header(back, "Caregivers", sync, u.button("Add a caregiver", theme.ContentAddIcon(), u.showAddCaregiver)),
		nil, nil, nil, container.NewVScroll(container.NewPadded(body))))
	u.fillInBackground("caregivers", body, func(w Wallet) func() []fyne.CanvasObject {
		list, err := w.Delegates(context.Background())
		return func() []fyne.CanvasObject { return u.caregiverRows(list, err) }
	})
}

func (u *UI) caregiverRows(list []wallet.DelegateInfo, err error) []fyne.CanvasObject {
	intro := wrapped("A caregiver — a family member, a partner — sees the records you choose, on their own device, " +
		"until the date you set. Everything they do shows in your access log. You can end it at any time.")
	intro.Importance = widget.LowImportance
	if none := noRows(len(list), err, "You have no caregivers. Add one with their identity card: they get an invitation to accept."); none != nil {
		return append([]fyne.CanvasObject{intro}, append(none,
			container.NewCenter(u.button("Add a caregiver", theme.ContentAddIcon(), u.showAddCaregiver)))...)
	}
	rows := []fyne.CanvasObject{intro, widget.NewSeparator()}
	now := u.clock.Now()
	for _, d := range list {
		name := d.Name
		if name == "" {
			name = "A caregiver"
		}
		t := widget.NewLabelWithStyle(name, fyne.TextAlignLeading, fyne.TextStyle{Bold: true})
		t.Truncation = fyne.TextTruncateEllipsis
		st := widget.NewLabel(caregiverState(d.State))
		st.Importance = stateImportance(d.State)
		until := "until " + d.Expires.Format(dateLayout)
		if !d.Expires.After(now) {
			until = "ended " + d.Expires.Format(dateLayout)
		}
		synced := "not synced yet"
		if !d.Synced.IsZero() {
			synced = fmt.Sprintf("%s synced %s", plural(d.Records, "record", "records"), d.Synced.Format(timeLayout))
		}
		line := fmt.Sprintf("Can %s · %s · %s · %s", rightsWords(d.Rights), scopeWords(d.Types, d.Categories), until, synced)
		if d.Problem != "" {
			line += "\n" + sentence(d.Problem)
		}
		sub := widget.NewLabel(line)
		sub.Importance = widget.LowImportance
		sub.SizeName = theme.SizeNameCaptionText
		sub.Wrapping = fyne.TextWrapWord
		right := container.NewHBox(st)
		if d.State == "active" || d.State == "pending" || d.State == "expired" {
			right.Add(u.button("Renew", theme.ViewRefreshIcon(), func() { u.renewCaregiver(d) }))
		}
		if d.State == "active" || d.State == "pending" {
			revoke := u.button("Revoke", theme.DeleteIcon(), func() { u.revokeCaregiver(d) })
			revoke.Importance = widget.DangerImportance
			right.Add(revoke)
		}
		rows = append(rows, container.NewBorder(nil, nil, nil, right, t), sub)
		if d.Invite != "" && d.State != "revoked" && d.State != "expired" {
			invite := d
			rows = append(rows, container.NewHBox(u.button("Show invitation", theme.VisibilityIcon(), func() {
				u.showInvitation(wallet.DelegateResult{Delegate: invite.Delegate, Name: invite.Name, Rights: invite.Rights,
					Expires: invite.Expires, Invite: invite.Invite, Records: invite.Records, Problem: invite.Problem})
			})))
		}
		rows = append(rows, widget.NewSeparator())
	}
	return rows
}

// caregiverState says a delegation's state in words.
func caregiverState(state string) string {
	switch state {
	case "pending":
		return "Starting"
	case "revoking":
		return "Ending"
	}
	return sentence(state)
}

// showAddCaregiver is the form of a new caregiver: their card, what they
// may do, which records, until when.
func (u *UI) showAddCaregiver() {
	card := widget.NewMultiLineEntry()
	card.SetPlaceHolder(caregiverCardPlaceholder)
	card.Wrapping = fyne.TextWrapBreak
	card.SetMinRowsVisible(3)
	u.onChanged(card, nil)
	problem := newErrorText()
	scan := u.button("Read a QR photo…", theme.FileImageIcon(), func() {
		u.readQRImage(func(text string, err error) {
			if err != nil {
				problem.set(err)
				return
			}
			problem.clear()
			card.SetText(text)
		})
	})

	may := widget.NewCheckGroup([]string{mayView, mayShare, mayManage}, func(s []string) {
		u.idle.touch()
	})
	may.SetSelected([]string{mayView})
	// Seeing is implied by the others: it stays ticked.
	may.OnChanged = func(s []string) {
		u.idle.touch()
		if !slices.Contains(s, mayView) {
			may.SetSelected(append([]string{mayView}, s...))
		}
	}

	counts, _ := u.wallet.CategoriesOf(wallet.OwnerID)
	var catLabels []string
	catOf := map[string]string{}
	// The common categories, then every other the wallet holds.
	offered := slices.Clone(record.AllCategories[:6])
	for _, c := range append(slices.Clone(record.AllCategories[6:]), slices.Sorted(maps.Keys(counts))...) {
		if counts[c] > 0 && c != "" && !slices.Contains(offered, c) {
			offered = append(offered, c)
		}
	}
	for _, c := range offered {
		l := fmt.Sprintf("%s (%d)", c, counts[c])
		catOf[l] = c
		catLabels = append(catLabels, l)
	}
	cats := widget.NewCheckGroup(catLabels, func([]string) { u.idle.touch() })
	cats.Hide()
	which := widget.NewRadioGroup([]string{allMyRecords, someRecords}, func(s string) {
		u.idle.touch()
		if s == someRecords {
			cats.Show()
		} else {
			cats.Hide()
		}
	})
	which.Required = true
	which.SetSelected(allMyRecords)

	date := u.dateEntry("Last day, YYYY-MM-DD")
	date.Hide()
	until := widget.NewSelect(untilChoices(), func(s string) {
		u.idle.touch()
		if s == untilDate {
			date.Show()
		} else {
			date.Hide()
		}
	})
	until.SetSelected("1 year")

	busy := busyText()
	var invite *widget.Button
	invite = u.primary("Invite", theme.MailSendIcon(), func() {
		problem.clear()
		req := wallet.DelegateRequest{Card: strings.TrimSpace(card.Text)}
		if req.Card == "" {
			problem.setText("Paste your caregiver's identity card, or read it from a photo of its QR code: " +
				"they find it in their Health Wallet under Settings.")
			return
		}
		if slices.Contains(may.Selected, mayShare) {
			req.Rights = append(req.Rights, wallet.RightShare)
		}
		if slices.Contains(may.Selected, mayManage) {
			req.Rights = append(req.Rights, wallet.RightManage)
		}
		req.Rights = append([]string{wallet.RightView}, req.Rights...)
		if which.Selected == someRecords {
			for _, l := range cats.Selected {
				req.Categories = append(req.Categories, catOf[l])
			}
			if len(req.Categories) == 0 {
				problem.setText("Tick the kinds of records your caregiver may see, or choose all your records.")
				return
			}
		}
		expires, err := u.untilTime(until.SelectedIndex(), date.Text)
		if err != nil {
			problem.set(err)
			return
		}
		req.Expires = expires
		msg := fmt.Sprintf("The holder of this card will be able to %s (%s) on their own device until %s. "+
			"They get a copy that stays current while you use Health Wallet; everything they do shows in your access log. "+
			"You can end it at any time, but records they already synced stay on their device.",
			rightsWords(req.Rights), strings.ToLower(scopeWords(nil, req.Categories)), expires.Format(dateLayout))
		u.confirm("Make this person your caregiver?", "Invite", msg, func(ok bool) {
			u.idle.touch()
			if !ok {
				return
			}
			w := u.wallet
			var res wallet.DelegateResult
			u.runSlow(invite, busy, "Recording your consent and sealing the invitation…", func() error {
				var err error
				res, err = w.AddDelegate(context.Background(), req)
				return err
			}, func(err error) {
				if err != nil {
					problem.set(err)
					return
				}
				u.showInvitation(res)
			})
		})
	})

	u.show("caregiver-add", container.NewBorder(
		header(u.button("Back", theme.NavigateBackIcon(), u.showCaregivers), "Add a caregiver"), nil, nil, nil,
		page(
			section("Who"),
			wrapped("Your caregiver finds their identity card in their Health Wallet, under Settings."),
			card,
			container.NewHBox(scan),
			section("What they may do"), may,
			section("Which records"), which, cats,
			section("Until"), until, date,
			problem.Label,
			busy,
			invite,
		)))
}

// untilTime is the end of a delegation: a preset from now, or the end of
// the day typed.
func (u *UI) untilTime(choice int, day string) (time.Time, error) {
	if choice >= 0 && choice < len(wallet.DelegatePresets) {
		return u.clock.Now().Add(wallet.DelegatePresets[choice]), nil
	}
	t, err := parseDate(day)
	if err != nil {
		return time.Time{}, err
	}
	if t.IsZero() {
		return time.Time{}, fmt.Errorf("choose the last day your caregiver has access: every delegation ends, and you can renew it")
	}
	end := t.Add(24*time.Hour - time.Second)
	if !end.After(u.clock.Now()) {
		return time.Time{}, fmt.Errorf("%s has passed: choose a day to come", t.Format(dateLayout))
	}
	return end, nil
}

// showInvitation shows the invitation to give the caregiver: a QR code
// and the link.
func (u *UI) showInvitation(res wallet.DelegateResult) {
	qr, err := u.qrCanvas(res.Invite, 300)
	var qrObj fyne.CanvasObject = qr
	if err != nil {
		msg := wrapped("The QR code cannot be drawn: " + err.Error() + ". Send the link instead.")
		msg.Importance = widget.DangerImportance
		qrObj = msg
	}
	link := widget.NewLabel(res.Invite)
	link.TextStyle.Monospace = true
	link.Wrapping = fyne.TextWrapBreak
	link.Selectable = true
	var copyBtn *widget.Button
	copyBtn = u.button("Copy invitation", theme.ContentCopyIcon(), func() {
		u.app.Clipboard().SetContent(res.Invite)
		copyBtn.SetText("Copied")
	})
	name := res.Name
	if name == "" {
		name = "Your caregiver"
	}
	caption := wrapped(fmt.Sprintf("%s scans this code in Health Wallet (People I care for → Accept an invitation), "+
		"or you send them the link. It opens only with their wallet. They can %s until %s.",
		name, rightsWords(res.Rights), res.Expires.Format(dateLayout)))
	caption.Alignment = fyne.TextAlignCenter
	note := wrapped("")
	note.Hide()
	if res.Problem != "" {
		note.SetText("Not on the network yet: " + res.Problem + ". Health Wallet keeps trying; the invitation works once it is.")
		note.Importance = widget.WarningImportance
		note.Show()
	}
	u.show("caregiver-invite", container.NewBorder(
		header(u.button("Done", theme.NavigateBackIcon(), u.showCaregivers), "Invitation for "+name), nil, nil, nil,
		page(
			container.NewCenter(qrObj),
			caption,
			note,
			link,
			copyBtn,
		)))
}

// revokeCaregiver asks, then ends a delegation at once.
func (u *UI) revokeCaregiver(d wallet.DelegateInfo) {
	name := d.Name
	if name == "" {
		name = "this caregiver"
	}
	u.confirm("End "+name+"'s access?", "Revoke",
		fmt.Sprintf("From now on %s gets none of your new records, and the shares they made for you stop opening. "+
			"The records already synced to their device stay there: Health Wallet cannot take them back.", name),
		func(ok bool) {
			u.idle.touch()
			if !ok {
				return
			}
			w := u.wallet
			u.background(func() {
				_, err := w.RevokeDelegate(context.Background(), d.Delegate)
				fyne.Do(func() {
					if u.wallet != w {
						return
					}
					if err != nil {
						u.showError(err)
						return
					}
					if u.screen == "caregivers" {
						u.showCaregivers()
					}
				})
			})
		})
}

// renewCaregiver asks for a new end and moves the delegation's expiry
// there, with the same rights and records.
func (u *UI) renewCaregiver(d wallet.DelegateInfo) {
	until := widget.NewSelect(untilChoices()[:len(wallet.DelegatePresets)], nil)
	until.SetSelected("1 year")
	body := container.NewVBox(
		wrapped(fmt.Sprintf("%s keeps the same rights and records, until:", d.Name)),
		until)
	dlg := dialog.NewCustomConfirm("Renew "+d.Name+"'s access", "Renew", "Cancel", body, func(ok bool) {
		u.escape, u.enter = nil, nil // before what may open the next dialog
		u.idle.touch()
		if !ok {
			return
		}
		expires, err := u.untilTime(until.SelectedIndex(), "")
		if err != nil {
			u.showError(err)
			return
		}
		w := u.wallet
		u.background(func() {
			_, err := w.RenewDelegate(context.Background(), d.Delegate, expires)
			fyne.Do(func() {
				if u.wallet != w {
					return
				}
				if err != nil {
					u.showError(err)
					return
				}
				if u.screen == "caregivers" {
					u.showCaregivers()
				}
			})
		})
	}, u.win)
	u.confirmKeys(dlg, "Renew")
	dlg.Resize(fyne.NewSize(min(u.win.Canvas().Size().Width*0.9, 420), 0))
	dlg.Show()
}

// syncCaregiversNow anchors what waits and brings every caregiver's copy up
// to date now, then says how each went.
func (u *UI) syncCaregiversNow(btn *widget.Button) {
	w := u.wallet
	var rep wallet.SyncReport
	u.runSlow(btn, nil, "", func() error {
		var err error
		rep, err = w.Sync(context.Background())
		return err
	}, func(err error) {
		if u.wallet != w || u.screen != "caregivers" {
			return
		}
		if err != nil {
			u.showError(err)
			return
		}
		u.showCaregivers()
		u.inform("Copies brought up to date", syncSummary(rep), func() {})
	})
}

// syncSummary says what Sync did for each caregiver.
func syncSummary(rep wallet.SyncReport) string {
	if len(rep.Delegates) == 0 {
		return "You have no active caregivers: there was no copy to bring up to date."
	}
	var lines []string
	for _, d := range rep.Delegates {
		line := fmt.Sprintf("%s: %s", d.Name, plural(d.Records, "record", "records"))
		if d.Added > 0 {
			line += fmt.Sprintf(", %d new", d.Added)
		}
		if d.Problem != "" {
			line += " — not updated: " + d.Problem
		}
		lines = append(lines, line+".")
	}
	if rep.Anchor.Problem != "" {
		lines = append(lines, "New records wait to be anchored: "+rep.Anchor.Problem)
	}
	return strings.Join(lines, "\n")
}
