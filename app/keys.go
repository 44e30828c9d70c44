package app

import (
	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/widget"
)

// This file: Enter and Escape in the dialogs of issue 11. Fyne's dialogs
// have no keys of their own: Enter in one of their entries submits, Escape
// (in an entry, or with nothing focused) cancels.

// keyEntry is an entry that calls onEscape on Escape.
type keyEntry struct {
	widget.Entry
	onEscape func()
}

func (u *UI) keyEntry(placeholder string) *keyEntry {
	e := &keyEntry{}
	e.ExtendBaseWidget(e)
	e.SetPlaceHolder(placeholder)
	u.onChanged(&e.Entry, nil)
	return e
}

func (e *keyEntry) TypedKey(k *fyne.KeyEvent) {
	if k.Name == fyne.KeyEscape && e.onEscape != nil {
		e.onEscape()
		return
	}
	e.Entry.TypedKey(k)
}

// keySelectEntry is a select entry (free text with suggestions) that calls
// onEscape on Escape.
type keySelectEntry struct {
	widget.SelectEntry
	onEscape func()
}

func (u *UI) keySelectEntry(options []string) *keySelectEntry {
	e := &keySelectEntry{}
	e.ExtendBaseWidget(e)
	e.SetOptions(options)
	u.onChanged(&e.Entry, nil)
	return e
}

func (e *keySelectEntry) TypedKey(k *fyne.KeyEvent) {
	if k.Name == fyne.KeyEscape && e.onEscape != nil {
		e.onEscape()
		return
	}
	e.SelectEntry.TypedKey(k)
}

// keyDialog shows a dialog whose entries submit on Enter and cancel on
// Escape, as does Escape with nothing focused. submit and cancel run on the
// UI goroutine; the dialog is hidden by whoever decides it is done.
type keyDialog struct {
	ui     *UI
	d      dialog.Dialog
	cancel func()
}

// showKeyDialog shows d over the window; entries get Enter → submit and
// Escape → cancel, and the dialog closes on cancel.
func (u *UI) showKeyDialog(d dialog.Dialog, submit func(), entries ...fyne.Focusable) *keyDialog {
	kd := &keyDialog{ui: u, d: d}
	kd.cancel = func() {
		u.idle.touch()
		kd.close()
	}
	for _, e := range entries {
		switch x := e.(type) {
		case *keyEntry:
			x.onEscape = kd.cancel
			x.OnSubmitted = func(string) { submit() }
		case *keySelectEntry:
			x.onEscape = kd.cancel
			x.OnSubmitted = func(string) { submit() }
		}
	}
	u.escape = kd.cancel
	d.SetOnClosed(func() { u.escape = nil })
	d.Resize(fyne.NewSize(min(u.win.Canvas().Size().Width*0.9, 520), 0))
	d.Show()
	if len(entries) > 0 {
		u.win.Canvas().Focus(entries[0])
	}
	return kd
}

func (kd *keyDialog) close() {
	kd.ui.escape = nil
	kd.d.Hide()
}
