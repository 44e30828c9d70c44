package app

import (
	"slices"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/widget"
)

// This file: the keys and colours of the app's dialogs. Escape closes
// every one; Enter confirms those whose step can be undone or is harmless,
// and closes a message (an error, a piece of information). A step that
// destroys or ends something has a red button and no Enter: a stray key
// press must not delete a record or revoke a share (as macOS and GNOME do,
// the destructive button is never the default).
//
// Every dialog goes through a helper here (or keys.go's showKeyDialog):
// showError, inform, confirm, showClosable, confirmKeys. Fyne's own
// dialog.ShowError and dialog.ShowInformation know no keys; a test keeps
// them out of the app.

// destructiveActions are the confirm buttons of such steps.
var destructiveActions = []string{"Delete", "Revoke", "Revoke everything", "Stop sharing", "Remove", "Drop", "Stop trusting", "Hand over"}

// confirmKeys sets d's colour and keys by its confirm button, action. The
// dialog's callback must clear u.escape and u.enter.
func (u *UI) confirmKeys(d *dialog.ConfirmDialog, action string) {
	u.escape, u.enter = d.Hide, d.Confirm
	if slices.Contains(destructiveActions, action) {
		d.SetConfirmImportance(widget.DangerImportance)
		u.enter = nil
	}
}

// showError says what went wrong (the error's own words, which say what to
// do); Escape and Enter close it.
func (u *UI) showError(err error) {
	u.showClosable(dialog.NewError(err, u.win), fyne.Size{}, nil)
}

// inform tells the person something, then goes on with then (if any) once
// they close the dialog, by its button, Escape or Enter.
func (u *UI) inform(title, message string, then func()) {
	u.showClosable(dialog.NewInformation(title, message, u.win), fyne.Size{}, then)
}

// showClosable shows d, a dialog whose only button closes it, at size (the
// zero size: a message's); Escape and Enter close it, and then runs after.
// Opened over another dialog (an error over a form), it gives that one its
// keys back as it closes.
func (u *UI) showClosable(d dialog.Dialog, size fyne.Size, then func()) {
	under, underEnter := u.escape, u.enter
	u.escape, u.enter = d.Hide, d.Hide
	d.SetOnClosed(func() {
		u.escape, u.enter = under, underEnter
		u.idle.touch()
		if then != nil {
			then()
		}
	})
	if size.IsZero() {
		size = fyne.NewSize(min(u.win.Canvas().Size().Width*0.9, 480), 0)
	}
	d.Resize(size)
	d.Show()
}

// escapeUnkeyed closes what lies on top of the window when Escape comes and
// no dialog has set its keys: a menu, a calendar, or a dialog that was
// shown without this file's helpers. It says whether there was one.
func (u *UI) escapeUnkeyed() bool {
	top := u.win.Canvas().Overlays().Top()
	if top == nil {
		return false
	}
	top.Hide()
	if u.win.Canvas().Overlays().Top() == top { // not a pop-up: take it off
		u.win.Canvas().Overlays().Remove(top)
	}
	return true
}
