package app

import (
	"context"
	"errors"
	"fmt"
	"io"
	"slices"
	"strings"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/layout"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"healthwallet/wallet"
	"healthwallet/wallet/record"
)

// This file: the people of this wallet — the owner, the people whose
// records are kept here in their own space (issue 12: one wallet, one
// person), and the people the owner cares for (the caregiver's side):
// the People screen, accepting an invitation, the person switcher of the
// records screen, and where the records, categories and details of the
// person shown come from.

// myRecords is the switcher's choice of the owner's own records.
const myRecords = "My records"

// listRecords, categoryCounts and recordDetail read the records of whoever
// the records screen shows: the owner, a person kept in this wallet
// (filter.person), or a person the owner cares for.
func (u *UI) listRecords(q wallet.Query) ([]record.Record, error) {
	if u.person != nil {
		return u.wallet.CareRecords(u.person.ID, q)
	}
	q.Person = u.filter.person
	return u.wallet.Records(q)
}

// categoryCounts counts the records of the person shown by category: from
// the wallet's index for the owner or a person kept apart, by listing them
// for a person cared for.
func (u *UI) categoryCounts() (map[string]int, error) {
	if u.person == nil {
		return u.wallet.CategoriesOf(u.filter.person)
	}
	recs, err := u.listRecords(wallet.Query{})
	if err != nil {
		return nil, err
	}
	counts := map[string]int{}
	for _, r := range recs {
		counts[r.Category]++
	}
	return counts, nil
}

func (u *UI) recordDetail(id string) (wallet.Detail, error) {
	if u.person != nil {
		return u.wallet.CareRecord(u.person.ID, id)
	}
	return u.wallet.Record(id)
}

// canShare says whether the person's delegation lets the owner share their
// records with a doctor now.
func canShare(p wallet.CaredFor) bool {
	return p.State == "active" && slices.Contains(p.Rights, wallet.RightShare)
}

// ended says whether the person's delegation is over.
func ended(p wallet.CaredFor) bool { return p.State == "revoked" || p.State == "expired" }

// rightsWords says in words what a delegation lets the caregiver do.
func rightsWords(rights []string) string {
	words := []string{"see records"}
	if slices.Contains(rights, wallet.RightShare) {
		words = append(words, "share them with doctors")
	}
	if slices.Contains(rights, wallet.RightManage) {
		words = append(words, "manage shares")
	}
	if len(words) == 1 {
		return words[0]
	}
	return strings.Join(words[:len(words)-1], ", ") + " and " + words[len(words)-1]
}

// scopeWords says which records a delegation covers.
func scopeWords(types, categories []string) string {
	all := append(slices.Clone(categories), types...)
	if len(all) == 0 {
		return "all records"
	}
	return strings.Join(all, ", ")
}

// keptPeople are the people other than the owner whose records are kept
// in this wallet, each in their own space; none when the wallet cannot say
// (the People screen says why).
func (u *UI) keptPeople() []wallet.Person {
	all, err := u.wallet.People()
	if err != nil {
		return nil
	}
	return slices.DeleteFunc(all, func(p wallet.Person) bool { return p.Owner || p.CaredFor })
}

// keptPerson is the person of kept with the given ID, or nil.
func keptPerson(kept []wallet.Person, id string) *wallet.Person {
	for i := range kept {
		if id != "" && kept[i].ID == id {
			return &kept[i]
		}
	}
	return nil
}

// nameLabel names a person among others whose names are names: a birth
// date (or else their ID) tells two of the same name apart.
func nameLabel(name, birthDate, id string, names []string) string {
	same := 0
	for _, n := range names {
		if n == name {
			same++
		}
	}
	switch {
	case same > 1 && birthDate != "":
		return fmt.Sprintf("%s (born %s)", name, formatBirthDate(birthDate))
	case same > 1:
		return fmt.Sprintf("%s (%s)", name, id)
	}
	return name
}

// whoseChoice is one entry of the records screen's switcher: the owner, a
// person kept in this wallet, or a person cared for.
type whoseChoice struct {
	label string
	kept  string           // a kept person's ID
	cared *wallet.CaredFor // a person cared for
}

// whoseChoices are the switcher's entries: "My records", each person
// kept in this wallet, each person cared for.
func (u *UI) whoseChoices(kept []wallet.Person) []whoseChoice {
	var names []string
	for _, p := range kept {
		names = append(names, p.Name)
	}
	for _, p := range u.people {
		names = append(names, p.Name)
	}
	choices := []whoseChoice{{label: myRecords}}
	for _, p := range kept {
		choices = append(choices, whoseChoice{label: nameLabel(p.Name, p.BirthDate, p.ID, names), kept: p.ID})
	}
	for _, p := range u.people {
		choices = append(choices, whoseChoice{label: nameLabel(p.Name, p.BirthDate, p.ID, names), cared: &p})
	}
	return choices
}

// personSwitcher is the records screen's choice of whose records to see.
// It is empty (and takes no room) when the wallet holds only the owner's
// records and they care for no one.
func (u *UI) personSwitcher(kept []wallet.Person) *fyne.Container {
	box := container.NewVBox()
	choices := u.whoseChoices(kept)
	if len(choices) == 1 {
		box.Hide() // and takes no room
		return box
	}
	options := make([]string, len(choices))
	current := myRecords
	for i, c := range choices {
		options[i] = c.label
		if u.person != nil && c.cared != nil && c.cared.ID == u.person.ID ||
			u.person == nil && c.kept != "" && c.kept == u.filter.person {
			current = c.label
		}
	}
	sel := widget.NewSelect(options, nil)
	sel.SetSelected(current)
	sel.OnChanged = func(s string) {
		u.idle.touch()
		for _, c := range choices {
			if c.label != s {
				continue
			}
			if c.cared != nil { // as last synced, which may be after the switcher was made
				if i := slices.IndexFunc(u.people, func(p wallet.CaredFor) bool { return p.ID == c.cared.ID }); i >= 0 {
					p := u.people[i]
					c.cared = &p
				}
			}
			u.chooseWhose(c.kept, c.cared)
			return
		}
	}
	box.Add(container.NewBorder(nil, nil, widget.NewLabel("Whose records"), nil, sel))
	return box
}

// choosePerson shows the records of p, a person cared for (nil: the
// owner's own).
func (u *UI) choosePerson(p *wallet.CaredFor) { u.chooseWhose("", p) }

// chooseWhose shows the records of a person kept in this wallet (kept; ""
// the owner) or of a person cared for (cared). Sharing and exporting from
// the records screen then work on that person's records.
func (u *UI) chooseWhose(kept string, cared *wallet.CaredFor) {
	u.person = cared
	u.filter = filter{person: kept}
	u.showRecords()
}

// keptBanner says whose records these are, and that they are kept apart
// from the owner's.
func keptBanner(p wallet.Person) fyne.CanvasObject {
	who := p.Name
	if p.BirthDate != "" {
		who += " (born " + formatBirthDate(p.BirthDate) + ")"
	}
	l := wrapped(fmt.Sprintf("These records are about %s. They are kept apart from yours, in %s own space, "+
		"and are checked and shared as %s, never as yours.", who, possessive(p.Name), possessive(p.Name)))
	l.SizeName = theme.SizeNameCaptionText
	return container.NewBorder(nil, nil, widget.NewIcon(theme.AccountIcon()), nil, l)
}

// possessive is a person's first name as an owner, for sentences
// ("Jane's space"); "their" for someone unnamed.
func possessive(name string) string {
	if f := strings.Fields(name); len(f) > 0 {
		return f[0] + "'s"
	}
	return "their"
}

// loadPeople reads the people the owner cares for, in the background, and
// shows the switcher on the records screen once there are some.
func (u *UI) loadPeople() {
	w := u.wallet
	u.background(func() {
		people, err := w.CaredFor(context.Background())
		fyne.Do(func() {
			if u.wallet != w || w.Locked() || err != nil {
				return // no switcher, as before; the People screen says why
			}
			u.setPeople(people)
		})
	})
}

// setPeople keeps the people loaded, the person shown up to date with
// them, and the records screen's switcher with them.
func (u *UI) setPeople(people []wallet.CaredFor) {
	// The screen is built again only when the switcher or the person's
	// standing changes, not for a sync's new time: that would take the
	// search being typed away every few minutes.
	changed := !slices.EqualFunc(people, u.people, func(a, b wallet.CaredFor) bool {
		return a.ID == b.ID && a.Name == b.Name && a.State == b.State && slices.Equal(a.Rights, b.Rights) &&
			a.Expires.Equal(b.Expires) && a.Problem == b.Problem && len(a.EmergencyOpenings) == len(b.EmergencyOpenings)
	})
	u.people = people
	if u.person != nil {
		i := slices.IndexFunc(people, func(p wallet.CaredFor) bool { return p.ID == u.person.ID })
		if i < 0 {
			u.person = nil
		} else {
			p := people[i]
			u.person = &p
		}
	}
	if changed && u.screen == "records" {
		u.showRecords()
	}
}

// personHeader is the records screen's top bar for a person cared for:
// sync now, and share on their behalf when the delegation allows it.
func (u *UI) personHeader(p wallet.CaredFor) fyne.CanvasObject {
	actions := []*widget.Button{u.button("Sync now", theme.ViewRefreshIcon(), func() { u.careSyncNow(p) })}
	if canShare(p) {
		actions = append(actions, u.button("Share", theme.MailSendIcon(), u.shareFromRecords))
	}
	actions = append(actions, u.moreButton(), u.button("Lock", theme.LogoutIcon(), u.lock))
	return header(nil, p.Name+"'s records", actions...)
}

// personBanner says whose records these are, what the owner may do with
// them and until when, and when they were last synced; or, once the
// delegation ended, when and that the records stay on this device.
func (u *UI) personBanner(p wallet.CaredFor) fyne.CanvasObject {
	var text string
	var importance widget.Importance
	icon := theme.InfoIcon()
	switch {
	case ended(p):
		text = fmt.Sprintf("%s ended your access to their records.", p.Name)
		if p.State == "expired" {
			text = fmt.Sprintf("Your access to %s's records expired on %s.", p.Name, p.Expires.Format(dateLayout))
		}
		text += fmt.Sprintf(" The %s already on this device stay here, but no longer update, and you cannot share them.",
			plural(p.Records, "record", "records"))
		if p.Problem != "" {
			// The wallet's words say how and when it ended.
			text = sentence(strings.TrimSuffix(p.Problem, ".")) + ". They no longer update, and you cannot share them."
		}
		importance = widget.WarningImportance
		icon = theme.NewWarningThemedResource(theme.WarningIcon())
	default:
		text = fmt.Sprintf("You can %s (%s) until %s.", rightsWords(p.Rights), scopeWords(p.Types, p.Categories), p.Expires.Format(dateLayout))
		if !p.Synced.IsZero() {
			text += " Last synced " + p.Synced.Format(timeLayout) + "."
		}
		if p.Problem != "" {
			text += " " + sentence(p.Problem)
			importance = widget.WarningImportance
		}
	}
	l := wrapped(text)
	l.Importance = importance
	l.SizeName = theme.SizeNameCaptionText
	banner := container.NewBorder(nil, nil, widget.NewIcon(icon), nil, l)
	if line := emergencyLine(p); line != nil {
		return container.NewVBox(line, banner)
	}
	return banner
}

// careSyncNow fetches the newest copy of p's records, then shows them.
func (u *UI) careSyncNow(p wallet.CaredFor) {
	w := u.wallet
	var reps []wallet.CareSyncReport
	var people []wallet.CaredFor
	u.background(func() {
		var err error
		reps, err = w.CareSync(context.Background(), p.ID)
		people, _ = w.CaredFor(context.Background())
		fyne.Do(func() {
			if u.wallet != w || w.Locked() {
				return
			}
			u.alertCareOpenings(reps)
			if people != nil {
				u.setPeople(people)
			}
			if err == nil {
				for _, r := range reps {
					if r.Problem != "" {
						err = errors.New(r.Problem)
					}
				}
			}
			v := u.recordsView
			if v == nil || u.screen != "records" {
				return
			}
			v.reload()
			if err != nil {
				if errors.Is(err, wallet.ErrDelegationEnded) && u.person != nil && ended(*u.person) {
					return // the banner says it ended, and when
				}
				v.syncNote.set(careProblem(err))
				return
			}
			added := 0
			for _, r := range reps {
				added += r.Added
			}
			v.syncNote.Importance = widget.SuccessImportance
			if added == 0 {
				v.syncNote.setText(fmt.Sprintf("Up to date: nothing new from %s.", p.Name))
			} else {
				v.syncNote.setText(fmt.Sprintf("%s new from %s.", plural(added, "record", "records"), p.Name))
			}
		})
	})
}

// careProblem words an error of caring for someone: an ended delegation
// says so, when, and that the records stay.
func careProblem(err error) error {
	var ended *wallet.DelegationEndedError
	if errors.As(err, &ended) {
		return ended
	}
	return err
}

// showPeople is the People screen: the owner, the people whose records
// are kept in this wallet (each in their own space, with their records and
// a way to drop them), and the people the owner cares for, with accepting
// an invitation.
func (u *UI) showPeople() {
	u.person = nil
	back := u.button("Back", theme.NavigateBackIcon(), u.showRecords)
	body := container.NewVBox(widget.NewLabel("Loading the people of this wallet…"))
	u.show("people", container.NewBorder(
		header(back, "People", u.button("Accept an invitation", theme.ContentAddIcon(), u.showAccept)),
		nil, nil, nil, container.NewVScroll(container.NewPadded(body))))
	u.fillInBackground("people", body, func(w Wallet) func() []fyne.CanvasObject {
		here, herr := w.People()
		cared, cerr := w.CaredFor(context.Background())
		return func() []fyne.CanvasObject {
			if cerr == nil {
				u.people = cared
			}
			rows := append([]fyne.CanvasObject{section("In this wallet")}, u.householdRows(here, herr)...)
			rows = append(rows, section("People I care for"))
			return append(rows, u.peopleRows(cared, cerr)...)
		}
	})
}

// householdRows are the People screen's owner and people kept in this
// wallet, each with their records; the people kept here can be dropped.
func (u *UI) householdRows(people []wallet.Person, err error) []fyne.CanvasObject {
	people = slices.DeleteFunc(people, func(p wallet.Person) bool { return p.CaredFor })
	if err != nil {
		msg := wrapped(sentence(err.Error()))
		msg.Importance = widget.DangerImportance
		return []fyne.CanvasObject{msg}
	}
	var rows []fyne.CanvasObject
	for _, p := range people {
		name := p.Name
		if p.Owner {
			name += " (you)"
		}
		t := widget.NewLabelWithStyle(name, fyne.TextAlignLeading, fyne.TextStyle{Bold: true})
		t.Truncation = fyne.TextTruncateEllipsis
		var facts []string
		if p.BirthDate != "" {
			facts = append(facts, "Born "+formatBirthDate(p.BirthDate))
		}
		facts = append(facts, plural(p.Records, "record", "records"))
		if p.Owner {
			facts = append(facts, "your own records")
		} else {
			facts = append(facts, "kept apart from yours, in "+possessive(p.Name)+" own space")
		}
		sub := widget.NewLabel(strings.Join(facts, " · "))
		sub.Importance = widget.LowImportance
		sub.SizeName = theme.SizeNameCaptionText
		sub.Wrapping = fyne.TextWrapWord
		kept := p.ID
		if p.Owner {
			kept = ""
		}
		records := u.button("Records", theme.FolderOpenIcon(), func() { u.chooseWhose(kept, nil) })
		rows = append(rows, container.NewBorder(nil, nil, nil, records, t), sub)
		if !p.Owner {
			// Handing over and dropping on a line of their own (a phone
			// has no room beside the name); Drop destructive, red, and
			// apart from the rest.
			handOver := u.button("Hand over…", theme.MailForwardIcon(), func() { u.showHandOver(p) })
			drop := u.button("Drop…", theme.DeleteIcon(), func() { u.confirmDrop(p.ID, p.Name, p.Records, u.activeShares(p.ID), u.showPeople, func() {}) })
			drop.Importance = widget.DangerImportance
			rows = append(rows, container.NewHBox(handOver, layout.NewSpacer(), drop))
		}
		rows = append(rows, widget.NewSeparator())
	}
	return rows
}

// exportPerson saves the records of p, a person kept in this wallet, as a
// FHIR Bundle where the owner chooses, after saying it is not encrypted.
func (u *UI) exportPerson(p wallet.Person, btn *widget.Button) {
	recs, err := u.wallet.Records(wallet.Query{Person: p.ID})
	if err != nil {
		u.showError(err)
		return
	}
	if len(recs) == 0 {
		u.inform("Nothing to export", fmt.Sprintf("There are no records about %s in this wallet.", p.Name), func() {})
		return
	}
	ids := make([]string, len(recs))
	for i, r := range recs {
		ids[i] = r.ID
	}
	u.confirm("Export the records about "+p.Name, "Export",
		fmt.Sprintf("The export is a FHIR Bundle of the %s about %s, NOT encrypted: anyone who gets the file can read them. "+
			"Use it to give %s records to another app.", plural(len(ids), "record", "records"), p.Name, possessive(p.Name)),
		func(ok bool) {
			u.idle.touch()
			if !ok {
				return
			}
			w := u.wallet
			name := "health-records-" + strings.ToLower(strings.Join(strings.Fields(p.Name), "-")) + ".json"
			u.saveTo(name, btn, nil, "Exporting…", func(out io.Writer) (string, error) {
				n, err := w.Export(out, ids)
				return fmt.Sprintf("Exported %s about %s.", plural(n, "record", "records"), p.Name), err
			})
		})
}

// peopleRows are the People screen's people cared for.
func (u *UI) peopleRows(people []wallet.CaredFor, err error) []fyne.CanvasObject {
	if none := noRows(len(people), err,
		"You care for no one yet. When someone makes you their caregiver, they give you an invitation: "+
			"accept it here and their records appear beside yours."); none != nil {
		return append(none, container.NewCenter(u.button("Accept an invitation", theme.ContentAddIcon(), u.showAccept)))
	}
	var rows []fyne.CanvasObject
	for _, p := range people {
		t := widget.NewLabelWithStyle(p.Name, fyne.TextAlignLeading, fyne.TextStyle{Bold: true})
		t.Truncation = fyne.TextTruncateEllipsis
		st := widget.NewLabel(sentence(p.State))
		st.Importance = stateImportance(p.State)
		line := fmt.Sprintf("You can %s · %s · %s · until %s", rightsWords(p.Rights), scopeWords(p.Types, p.Categories),
			plural(p.Records, "record", "records"), p.Expires.Format(dateLayout))
		if !p.Synced.IsZero() {
			line += " · synced " + p.Synced.Format(timeLayout)
		}
		if ended(p) {
			line += "\nThe records already on this device stay here; they no longer update."
		}
		if p.Problem != "" {
			line += "\n" + sentence(p.Problem)
		}
		sub := widget.NewLabel(line)
		sub.Importance = widget.LowImportance
		sub.SizeName = theme.SizeNameCaptionText
		sub.Wrapping = fyne.TextWrapWord
		open := u.button("Records", theme.FolderOpenIcon(), func() { u.choosePerson(&p) })
		shares := u.button("Shares", theme.MailSendIcon(), func() { u.showCareShares(p) })
		rows = append(rows, container.NewBorder(nil, nil, nil, container.NewHBox(st, shares, open), t), sub, widget.NewSeparator())
	}
	return rows
}

// showAccept takes an invitation (pasted, or read from a QR photo), and
// once accepted shows the person's records.
func (u *UI) showAccept() {
	link := widget.NewMultiLineEntry()
	link.SetPlaceHolder("Paste the invitation (hwinvite:…)")
	link.Wrapping = fyne.TextWrapBreak
	link.SetMinRowsVisible(3)
	u.onChanged(link, nil)
	problem := newErrorText()
	busy := busyText()
	scan := u.button("Read a QR photo…", theme.FileImageIcon(), func() {
		u.readQRImage(func(text string, err error) {
			if err != nil {
				problem.set(err)
				return
			}
			problem.clear()
			link.SetText(text)
		})
	})
	var accept *widget.Button
	accept = u.primary("Accept", theme.ConfirmIcon(), func() {
		text := strings.TrimSpace(link.Text)
		if text == "" {
			problem.setText("Paste the invitation the person gave you, or read it from a photo of its QR code.")
			return
		}
		problem.clear()
		w := u.wallet
		var p wallet.CaredFor
		u.runSlow(accept, busy, "Opening the invitation and checking every record…", func() error {
			var err error
			p, err = w.AcceptInvitation(context.Background(), text)
			return err
		}, func(err error) {
			if err != nil {
				problem.set(careProblem(err))
				return
			}
			u.people = append(slices.DeleteFunc(u.people, func(q wallet.CaredFor) bool { return q.ID == p.ID }), p)
			u.inform("You now care for "+p.Name,
				fmt.Sprintf("%s of %s's are on this device, checked against %s's anchors on the chain. "+
					"They stay current while the app is open. You can %s until %s.",
					plural(p.Records, "record", "records"), p.Name, p.Name, rightsWords(p.Rights), p.Expires.Format(dateLayout)),
				func() { u.choosePerson(&p) })
		})
	})
	u.show("accept", container.NewBorder(
		header(u.button("Back", theme.NavigateBackIcon(), u.showPeople), "Accept an invitation"), nil, nil, nil,
		page(
			wrapped("Someone who makes you their caregiver gives you an invitation, as a link or a QR code. "+
				"It opens only with this wallet."),
			link,
			container.NewHBox(scan),
			problem.Label,
			busy,
			accept,
		)))
}

// showCareShares lists the shares made on p's behalf, each revocable.
func (u *UI) showCareShares(p wallet.CaredFor) {
	u.person = &p
	back := u.button("Back", theme.NavigateBackIcon(), u.showPeople)
	body := container.NewVBox(widget.NewLabel("Loading the shares…"))
	u.show("care-shares", container.NewBorder(header(back, "Shares for "+p.Name), nil, nil, nil,
		container.NewVScroll(container.NewPadded(body))))
	u.fillInBackground("care-shares", body, func(w Wallet) func() []fyne.CanvasObject {
		list, err := w.CareShares(context.Background(), p.ID)
		return func() []fyne.CanvasObject { return u.shareRows(list, err) }
	})
}
