package app

import (
	"testing"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/widget"
)

// pressOnCanvas presses a key with nothing focused, as a person does in a
// dialog without entries.
func (h *harness) pressOnCanvas(k fyne.KeyName) {
	h.t.Helper()
	h.ui.win.Canvas().Unfocus()
	h.ui.win.Canvas().OnTypedKey()(&fyne.KeyEvent{Name: k})
}

// Escape cancels a confirmation and Enter confirms it; a destructive one
// (red) is not confirmed by Enter, only by its button.
func TestDialogKeys(t *testing.T) {
	h, w := unlocked(t)
	h.menu("Settings")

	// Escape cancels: nothing exported.
	h.tap("Export all records…")
	h.see("NOT encrypted")
	h.pressOnCanvas(fyne.KeyEscape)
	if h.dialogOpen() || len(h.files.saved) != 0 {
		t.Fatalf("Escape: dialog open %v, files saved %v", h.dialogOpen(), h.files.saved)
	}
	// Enter confirms: exported, and the "Done" dialog closes on Enter too.
	h.tap("Export all records…")
	h.pressOnCanvas(fyne.KeyReturn)
	h.see("Exported 7 records to /home/ada/Documents/health-records.json.")
	h.pressOnCanvas(fyne.KeyReturn)
	if h.dialogOpen() {
		t.Fatal("Enter left the Done dialog open")
	}

	// Deleting a record: the button is red, Enter does nothing, Escape cancels.
	h.tap("Back")
	h.list().Select(0)
	h.screen("detail")
	if b := h.button("Delete"); b.Importance != widget.DangerImportance {
		t.Fatal("Delete is not red")
	}
	h.tap("Delete")
	h.see("Delete this record?")
	var confirm *widget.Button
	for _, o := range h.objects() {
		if b, ok := o.(*widget.Button); ok && b.Text == "Delete" && b.Importance == widget.DangerImportance {
			confirm = b
		}
	}
	if confirm == nil {
		t.Fatal("the dialog's Delete is not red")
	}
	h.pressOnCanvas(fyne.KeyReturn)
	if len(w.deleted) != 0 || !h.dialogOpen() {
		t.Fatalf("Enter in a destructive dialog: deleted %v, open %v", w.deleted, h.dialogOpen())
	}
	h.pressOnCanvas(fyne.KeyEscape)
	if len(w.deleted) != 0 || h.dialogOpen() {
		t.Fatalf("Escape: deleted %v, open %v", w.deleted, h.dialogOpen())
	}
	h.screen("detail")
}

// Tab goes through the create form in reading order, and Enter in the last
// field continues.
func TestCreateTabOrder(t *testing.T) {
	h := newHarness(t, newFakeBackend(false), desktopSize, false)
	h.tap("Create a new wallet")
	c := h.ui.win.Canvas()
	name, pw, pw2 := h.entry("e.g. Ada Lovelace"), h.entry("At least 8 characters"), h.entry("Type it again")
	c.Focus(name)
	for _, want := range []*widget.Entry{pw, pw2} {
		c.FocusNext()
		if c.Focused() != want {
			t.Fatalf("Tab went to %v, want the %q field", c.Focused(), want.PlaceHolder)
		}
	}
	h.typeIn(name, testName)
	h.typeIn(pw, testPassword)
	h.typeIn(pw2, testPassword)
	c.Focus(pw2)
	h.pressEnter()
	h.screen("mnemonic")
}
