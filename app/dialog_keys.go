package app

import (
	"slices"

	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/widget"
)

// This file: the keys and colours of confirmation dialogs. Escape cancels
// every one; Enter confirms those whose step can be undone or is harmless.
// A step that destroys or ends something has a red button and no Enter: a
// stray key press must not delete a record or revoke a share (as macOS and
// GNOME do, the destructive button is never the default).

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
