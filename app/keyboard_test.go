package app

import (
	"errors"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/widget"

	"healthwallet/wallet"
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

// An error dialog closes on Escape, and on Enter: it has one button, OK.
// The screen under it stays.
func TestErrorDialogKeys(t *testing.T) {
	h, w := unlocked(t)
	for _, key := range []fyne.KeyName{fyne.KeyEscape, fyne.KeyReturn} {
		h.ui.showRecords()
		h.list().Select(0)
		h.screen("detail")
		w.records = nil // gone underneath: deleting it fails
		h.tap("Delete")
		h.tapLast("Delete")
		h.see("No such record")
		h.pressOnCanvas(key)
		if h.dialogOpen() {
			t.Fatalf("%s left the error dialog open", key)
		}
		h.screen("detail")
		w.records = testRecords()
	}
}

// A message that opens over a dialog with keys (an error over a question)
// closes on Escape, and gives the dialog under it its keys back: Enter
// then answers the question.
func TestMessageOverDialogKeys(t *testing.T) {
	h, _ := unlocked(t)
	h.menu("Settings")
	h.tap("Export all records…")
	h.see("NOT encrypted")
	h.ui.showError(errors.New("something went wrong; try again"))
	h.pressOnCanvas(fyne.KeyEscape)
	h.dontSee("Something went wrong")
	h.see("NOT encrypted") // the error closed, the question stays
	h.pressOnCanvas(fyne.KeyReturn)
	h.see("Exported 7 records to /home/ada/Documents/health-records.json.")
	if len(h.files.saved) != 1 {
		t.Fatalf("Enter did not answer the question under the error: saved %v", h.files.saved)
	}
}

// Dialogs the app shows in its own ways: the integrity check's details (a
// custom dialog with Close) closes on Escape and on Enter; a dialog shown
// without the helpers, and a pop-up, still close on Escape.
func TestCustomDialogKeys(t *testing.T) {
	b := newFakeBackend(true)
	b.wallet.damaged = []wallet.Damage{{ID: "0badc0de01", Problem: "authentication failed"}}
	h := newHarness(t, b, desktopSize, false)
	h.unlock()
	for _, key := range []fyne.KeyName{fyne.KeyEscape, fyne.KeyReturn} {
		h.tap("Details")
		h.see("0badc0de01: authentication failed")
		h.pressOnCanvas(key)
		if h.dialogOpen() {
			t.Fatalf("%s left the integrity details open", key)
		}
	}

	dialog.ShowError(errors.New("shown by hand"), h.ui.win)
	h.pressOnCanvas(fyne.KeyEscape)
	if h.dialogOpen() {
		t.Fatal("Escape left a dialog shown without the helpers open")
	}
	widget.ShowPopUp(widget.NewLabel("a menu"), h.ui.win.Canvas())
	h.pressOnCanvas(fyne.KeyEscape)
	if h.dialogOpen() {
		t.Fatal("Escape left a pop-up open")
	}
}

// Every dialog goes through the helpers that give it its keys
// (dialog_keys.go, keys.go): Fyne's own ShowError, ShowInformation and the
// like, which know no keys, are not called in the app.
func TestDialogsThroughHelpers(t *testing.T) {
	allowed := map[string]int{}
	direct := regexp.MustCompile(`dialog\.(Show\w*|NewError|NewInformation)\(`)
	files, err := filepath.Glob("*.go")
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range files {
		if strings.HasSuffix(f, "_test.go") || f == "dialog_keys.go" {
			continue
		}
		src, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		if n := len(direct.FindAll(src, -1)); n > allowed[f] {
			t.Errorf("%s calls Fyne's dialogs directly (%d times): use u.showError, u.inform or u.showClosable, "+
				"which close on Escape and Enter", f, n)
		}
	}
}
