package app

import (
	"path/filepath"
	"slices"
	"testing"
	"time"

	"fyne.io/fyne/v2/storage"

	"healthwallet/wallet"
)

// The file picker offers every kind the wallet imports, in any letter case.
func TestImportPickerOffersEveryKind(t *testing.T) {
	h := newHarness(t, newFakeBackend(true), desktopSize, false)
	h.unlock()
	h.tap("Import")
	h.files.open = "/home/ada/labs.json"
	h.tap("Add file…")
	if !slices.Equal(h.files.offered, wallet.ImportExtensions) {
		t.Fatalf("the picker offers %q, the wallet imports %q", h.files.offered, wallet.ImportExtensions)
	}
	filter := storage.NewExtensionFileFilter(h.files.offered)
	for _, name := range []string{"a.json", "a.ndjson", "ccd.xml", "v.smart-health-card", "scan.PDF", "p.jpg", "p.JPEG",
		"p.png", "p.heic", "fax.tif", "fax.tiff", "note.txt"} {
		if !filter.Matches(storage.NewFileURI("/home/ada/" + name)) {
			t.Errorf("the picker hides %s", name)
		}
	}
	if filter.Matches(storage.NewFileURI("/home/ada/letter.docx")) {
		t.Error("the picker offers a .docx, which the wallet cannot read")
	}
}

// A folder's files that are not imported are listed, each with why.
func TestImportFolderListsUnsupported(t *testing.T) {
	h := newHarness(t, newFakeBackend(true), desktopSize, false)
	h.unlock()
	h.tap("Import")
	h.files.folder = filepath.Join("testdata", "import-folder")
	h.tap("Add folder…")
	h.see(filepath.Join("testdata", "import-folder", "labs-2024.json"))
	h.see(filepath.Join("testdata", "import-folder", "discharge.pdf"))
	h.see("Not imported (2 files):")
	h.see("letter-from-gp.docx — a word processor document: save it as a PDF, then add the PDF")
	h.see("old-records.zip — an archive: unpack it first, then add the folder it makes")
	h.dontSee(".DS_Store")

	h.tap("Clear")
	h.dontSee("Not imported (2 files):")
}

func TestDurationWords(t *testing.T) {
	for d, want := range map[time.Duration]string{
		55 * time.Minute:              "55 minutes",
		time.Minute + time.Second:     "1 minute 1 second",
		23*time.Hour + 59*time.Minute: "23 hours 59 minutes",
		24 * time.Hour:                "1 day",
		2*24*time.Hour + 3*time.Hour:  "2 days 3 hours",
		182 * 24 * time.Hour:          "6 months",
		366 * 24 * time.Hour:          "1 year",
	} {
		if got := durationWords(d); got != want {
			t.Errorf("%v: %q, want %q", d, got, want)
		}
	}
}

// An error under a field goes once the person edits the field; a field the
// app empties keeps it.
func TestStaleErrorsClear(t *testing.T) {
	h := newHarness(t, newFakeBackend(false), desktopSize, false)
	h.tap("Create a new wallet")
	h.tap("Continue")
	h.see("Enter the name to show on your identity card.")
	h.typeIn(h.entry("e.g. Ada Lovelace"), "A")
	h.dontSee("Enter the name to show on your identity card.")

	pw := h.entry("At least 8 characters")
	h.typeIn(pw, "short")
	h.see("Too short: 5 of at least 8 characters.")
	h.tap("Continue")
	h.see("The password is too short")
	h.typeInto(pw, "")
	h.see("Use at least 8 characters") // the strength hint follows the field
	h.dontSee("Too short: 5")
	h.typeIn(pw, "x")
	h.dontSee("The password is too short")

	// Unlock: a wrong password empties the field; the error stays until typing.
	u := newHarness(t, newFakeBackend(true), desktopSize, false)
	u.typeIn(u.entry("Password"), "not my password")
	u.pressEnter()
	u.see("Wrong password")
	u.typeIn(u.entry("Password"), "a")
	u.dontSee("Wrong password")
}
