package app

import (
	"context"
	"fmt"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"healthwallet/wallet"
)

// This file: records about someone else (issue 12, item 1). An import
// never mixes them with the owner's: the wallet keeps them in that
// person's own space, and the app asks, one person at a time, whether to
// keep them there (the default) or drop them, which is confirmed and
// cannot be undone.

// whoWords names a person with their birth date when known: "Jane Doe
// (born 3 Feb 2001)".
func whoWords(name, birthDate string) string {
	if name == "" {
		name = "someone unnamed"
	}
	if birthDate == "" {
		return name
	}
	return name + " (born " + formatBirthDate(birthDate) + ")"
}

// othersQuestion is the question about one person an import kept apart.
func othersQuestion(p wallet.OtherPerson) string {
	text := fmt.Sprintf("These records are about someone else: %s, %s. They are kept apart in %s own space, "+
		"not mixed with yours, and are checked and shared as %s, never as yours.",
		whoWords(p.Name, p.BirthDate), plural(p.Records, "record", "records"), possessive(p.Name), possessive(p.Name))
	if !p.New {
		text += fmt.Sprintf(" %s space was already in this wallet: this import added to it.", sentence(possessive(p.Name)))
	}
	return text + "\n\nKeep them, or drop them from this wallet?"
}

// askAboutOthers asks about each person of others in turn: Keep (the
// default, and Escape) leaves their records in their space; Drop, once
// confirmed, destroys their space and its records.
func (u *UI) askAboutOthers(others []wallet.OtherPerson) {
	if len(others) == 0 || u.wallet == nil || u.wallet.Locked() {
		return
	}
	p, rest := others[0], others[1:]
	next := func() { u.askAboutOthers(rest) }
	var kd *keyDialog
	keep := u.primary("Keep", theme.ConfirmIcon(), func() { kd.close(); next() })
	drop := u.button("Drop…", theme.DeleteIcon(), func() {
		kd.close()
		records, shares := p.Records, 0 // a space this import made has no shares yet
		if !p.New {
			records, shares = -1, u.activeShares(p.ID) // their space holds more than this import's
		}
		u.confirmDrop(p.ID, p.Name, records, shares, next, func() { u.askAboutOthers(others) })
	})
	drop.Importance = widget.DangerImportance // and apart from Keep
	body := container.NewVBox(wrapped(othersQuestion(p)), container.NewBorder(nil, nil, drop, keep))
	d := dialog.NewCustomWithoutButtons("Records about someone else", body, u.win)
	kd = u.showKeyDialog(d, func() {})
	kd.cancel = func() { // Escape keeps them, as Keep does
		u.idle.touch()
		kd.close()
		next()
	}
	u.escape = kd.cancel
}

// confirmDrop asks before dropping a person kept in this wallet, then
// stops their shares, drops them and goes on with done; back is where
// Cancel returns. records is how many records go with them, or -1 when it
// is not known; shares how many of their shares still stand.
func (u *UI) confirmDrop(id, name string, records, shares int, done, back func()) {
	what := fmt.Sprintf("Every record about %s in this wallet", whoWords(name, ""))
	if records >= 0 {
		what = fmt.Sprintf("The %s about %s", plural(records, "record", "records"), whoWords(name, ""))
	}
	msg := what + " will be destroyed on this device, with " + possessive(name) + " own space. "
	if shares > 0 {
		msg += fmt.Sprintf("%s %s will be stopped first. ", possessive(name), plural(shares, "active share", "active shares"))
	}
	msg += "This cannot be undone: to have them again, you would import their files again."
	u.confirm(fmt.Sprintf("Drop the records about %s?", whoWords(name, "")), "Drop", msg, func(ok bool) {
		u.idle.touch()
		if !ok {
			back()
			return
		}
		u.dropPerson(id, name, done)
	})
}

// activeShares is how many of a person's shares still stand (0 when that
// cannot be read: DropPerson refuses while one does, and says so).
func (u *UI) activeShares(id string) int {
	n, err := u.wallet.ActiveSharesOf(id)
	if err != nil {
		return 0
	}
	return n
}

// dropPerson stops a person's standing shares, then drops them from this
// wallet, in the background, says it is done, then goes on with done.
func (u *UI) dropPerson(id, name string, done func()) {
	w := u.wallet
	u.background(func() {
		_, _, err := w.StopSharesOf(context.Background(), id)
		if err == nil {
			err = w.DropPerson(id)
		}
		fyne.Do(func() {
			if u.wallet != w || w.Locked() {
				return
			}
			if err != nil {
				u.showError(fmt.Errorf("the records about %s could not be dropped: %w", whoWords(name, ""), err))
				return
			}
			if u.filter.person == id {
				u.filter = filter{} // no longer anyone's to show
			}
			u.inform("Records dropped", fmt.Sprintf("The records about %s are gone from this device.", whoWords(name, "")), done)
		})
	})
}

// otherPeopleLines are an import result's lines about the people whose
// records it kept apart.
func otherPeopleLines(others []wallet.OtherPerson) []fyne.CanvasObject {
	if len(others) == 0 {
		return nil
	}
	out := []fyne.CanvasObject{widget.NewLabelWithStyle("About someone else, kept apart", fyne.TextAlignLeading, fyne.TextStyle{Bold: true})}
	for _, p := range others {
		out = append(out, wrapped(fmt.Sprintf("%s — %s, kept in %s own space",
			whoWords(p.Name, p.BirthDate), plural(p.Records, "record", "records"), possessive(p.Name))))
	}
	return out
}
