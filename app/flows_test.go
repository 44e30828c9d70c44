package app

import (
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/widget"

	"healthwallet/wallet"
)

func TestCreateWallet(t *testing.T) {
	b := newFakeBackend(false)
	h := newHarness(t, b, desktopSize, false)
	h.screen("welcome")
	h.tap("Create a new wallet")
	h.screen("create")

	h.typeIn(h.entry("e.g. Ada Lovelace"), testName)
	h.typeIn(h.entry("At least 8 characters"), "short")
	h.see("Too short: 5 of at least 8 characters.")
	h.typeIn(h.entry("Type it again"), "short")
	h.tap("Continue")
	h.see("The password is too short")
	h.screen("create")

	h.typeInto(h.entry("At least 8 characters"), testPassword)
	h.typeInto(h.entry("Type it again"), testPassword+"!")
	h.tap("Continue")
	h.see("The two passwords differ")

	h.typeInto(h.entry("Type it again"), testPassword)
	h.tap("Continue")
	h.screen("mnemonic")
	h.see("They are the only way to recover your wallet")
	words := strings.Fields(testPhrase)
	for i, w := range words {
		h.see(fmt.Sprintf("%2d.", i+1))
		h.see(w)
	}

	h.tap("I have written them down")
	h.screen("confirm")
	asked := h.ui.confirmPositions()
	if len(asked) != 3 {
		t.Fatalf("asked for %d words, want 3", len(asked))
	}
	for _, p := range asked {
		h.see(fmt.Sprintf("Word #%d", p))
	}
	es := h.entries()
	if len(es) != 3 {
		t.Fatalf("%d entries on the confirm screen, want 3", len(es))
	}
	if h.ui.win.Canvas().Focused() != es[0] {
		t.Error("the first word's entry is not focused")
	}
	h.typeIn(es[0], words[asked[0]-1])
	h.typeIn(es[1], "wrong")
	h.typeIn(es[2], strings.ToUpper(words[asked[2]-1])) // case does not matter
	h.tap("Create wallet")
	h.see(fmt.Sprintf("Word #%d is not right", asked[1]))
	h.screen("confirm")
	if b.created.mnemonic != "" {
		t.Fatal("wallet created despite a wrong word")
	}

	h.typeInto(es[1], words[asked[1]-1])
	h.ui.win.Canvas().Focus(es[2])
	h.pressEnter() // Enter in the last word creates the wallet
	h.screen("network-choice")
	h.dontSee("Did you lose your other device?") // a new wallet replaces none
	h.tap("Skip for now")
	h.screen("records")
	if b.created.mnemonic != testPhrase || b.created.password != testPassword || b.created.name != testName {
		t.Errorf("created with %+v", b.created)
	}
	h.see("No records yet")
	h.see(testName)
}

// confirmPositions reads the positions the confirm screen asks for.
func (u *UI) confirmPositions() []int {
	var ps []int
	walkForm(u.win.Canvas().Content(), func(f *widget.Form) {
		for _, it := range f.Items {
			var p int
			if _, err := fmt.Sscanf(it.Text, "Word #%d", &p); err == nil {
				ps = append(ps, p)
			}
		}
	})
	return ps
}

func walkForm(o fyne.CanvasObject, f func(*widget.Form)) {
	switch x := o.(type) {
	case *widget.Form:
		f(x)
	case *fyne.Container:
		for _, c := range x.Objects {
			walkForm(c, f)
		}
	case fyne.Widget:
		for _, c := range test.WidgetRenderer(x).Objects() {
			walkForm(c, f)
		}
	}
}

func TestRestoreFromPhrase(t *testing.T) {
	b := newFakeBackend(false)
	h := newHarness(t, b, phoneSize, false)
	h.tap("Restore from recovery phrase")
	h.screen("restore-phrase")
	phrase := h.entry("word1 word2 word3 … word24")
	h.typeIn(phrase, "tongue cotton ridge")
	h.tap("Continue")
	h.see("Invalid recovery phrase: it has 3 words, not 24")
	h.screen("restore-phrase")

	// Pasted with line breaks and capitals: still the phrase.
	phrase.SetText(strings.ToUpper(strings.ReplaceAll(testPhrase, " museum ", "\nmuseum\n")))
	h.tap("Continue")
	h.screen("create")
	h.typeIn(h.entry("e.g. Ada Lovelace"), testName)
	h.typeIn(h.entry("At least 8 characters"), testPassword)
	h.typeIn(h.entry("Type it again"), testPassword)
	h.tap("Restore wallet")
	h.screen("network-choice")
	// A restored wallet may replace a lost device: where to stop it.
	h.see("Did you lose your other device?")
	h.tap("Go to Settings")
	h.screen("settings")
	h.button("I lost my other device")
	if b.created.mnemonic != testPhrase {
		t.Errorf("restored phrase %q", b.created.mnemonic)
	}
}

func TestRestoreFromBackup(t *testing.T) {
	b := newFakeBackend(false)
	h := newHarness(t, b, desktopSize, false)
	backup := filepath.Join(t.TempDir(), "healthwallet-backup-2024-04-02.age")
	if err := os.WriteFile(backup, []byte("age-encryption.org/v1 test"), 0o600); err != nil {
		t.Fatal(err)
	}
	h.tap("Restore from backup file")
	h.screen("restore-backup")
	h.tap("Restore wallet")
	h.see("Choose the backup file first.")

	h.files.open = backup
	h.tap("Choose backup file…")
	h.see("healthwallet-backup-2024-04-02.age")
	h.typeIn(h.entry("word1 word2 word3 … word24"), testPhrase)
	h.tap("Restore wallet")
	h.screen("unlock")
	h.see("Unlock with the password the wallet had when the backup was made.")
	if b.restored.backup != "age-encryption.org/v1 test" || b.restored.mnemonic != testPhrase {
		t.Errorf("restored %+v", b.restored)
	}
	h.unlock()
}

func TestUnlock(t *testing.T) {
	b := newFakeBackend(true)
	h := newHarness(t, b, desktopSize, false)
	h.screen("unlock")
	pw := h.entry("Password")
	if h.ui.win.Canvas().Focused() != pw {
		t.Fatal("the password field is not focused")
	}
	h.typeIn(pw, "not my password")
	h.pressEnter()
	h.screen("unlock")
	h.see(sentence(wallet.ErrWrongPassword.Error()))
	if pw.Text != "" {
		t.Error("the wrong password stays in the field")
	}

	h.typeIn(pw, testPassword)
	h.pressEnter()
	h.screen("records")
	if b.wallet.Locked() {
		t.Error("wallet still locked")
	}
}

// TestForgotPassword types the phrase at phone width: with word wrapping,
// Fyne 2.7.1's entry moved the space typed at a wrap point to the end of
// the text ("pilotfossil … orbit "), so the phrase entry breaks anywhere.
func TestForgotPassword(t *testing.T) {
	b := newFakeBackend(true)
	h := newHarness(t, b, phoneSize, false)
	h.tap("Forgot password?")
	h.screen("reset")
	h.typeIn(h.entry("word1 word2 word3 … word24"), strings.Replace(testPhrase, "tongue", "zoo", 1))
	h.typeIn(h.entry("At least 8 characters"), "new password 2")
	h.typeIn(h.entry("Type it again"), "new password 2")
	h.tap("Set new password")
	h.see("Invalid recovery phrase: it is not this wallet's phrase")

	h.typeInto(h.entry("word1 word2 word3 … word24"), testPhrase)
	h.tap("Set new password")
	h.screen("records")
	if b.wallet.password != "new password 2" {
		t.Errorf("password is %q", b.wallet.password)
	}
}

func TestRecordsNewestFirstAndFilters(t *testing.T) {
	b := newFakeBackend(true)
	h := newHarness(t, b, desktopSize, false)
	h.unlock()
	h.see("All records (7)")
	h.see("Laboratory (2)")

	titles := h.ui.recordsShown
	want := []string{"Blood pressure", "Hemoglobin A1c", "LDL cholesterol", "Metformin 500 mg tablet",
		"COVID-19 vaccine, mRNA (Comirnaty)", "Type 2 diabetes mellitus", "Penicillin allergy"}
	if got := titles(); !slices.Equal(got, want) {
		t.Fatalf("records %q, want newest first %q", got, want)
	}
	h.see("12 Mar 2024")
	h.see("Vital signs · Systolic: 128 mmHg · Diastolic: 82 mmHg")

	// Category from the sidebar.
	h.list() // laid out
	h.ui.recordsView.catList.Select(slices.IndexFunc(h.ui.recordsView.categories, func(c categoryCount) bool { return c.name == "Laboratory" }))
	if got := titles(); !slices.Equal(got, []string{"Hemoglobin A1c", "LDL cholesterol"}) {
		t.Fatalf("Laboratory shows %q", got)
	}

	// Search waits for typing to pause.
	h.ui.recordsView.catList.Select(0)
	search := h.entry("Search records")
	h.typeIn(search, "metf")
	if len(titles()) != 7 {
		t.Fatal("filtered before typing paused")
	}
	h.clock.Advance(searchDelay)
	if got := titles(); !slices.Equal(got, []string{"Metformin 500 mg tablet"}) {
		t.Fatalf("search metf shows %q", got)
	}
	h.typeIn(search, "xx")
	h.clock.Advance(searchDelay)
	h.see("No records match “metfxx”.")
	h.dontSee("No records yet")
}

// recordsShown are the titles the records list shows, in order.
func (u *UI) recordsShown() []string {
	var ts []string
	for _, r := range u.recordsView.records {
		ts = append(ts, r.Title)
	}
	return ts
}

func TestRecordsPhoneUsesCategorySelect(t *testing.T) {
	b := newFakeBackend(true)
	h := newHarness(t, b, phoneSize, false)
	h.unlock()
	var sel *widget.Select
	for _, o := range h.objects() {
		if s, ok := o.(*widget.Select); ok {
			sel = s
		}
	}
	if sel == nil {
		t.Fatal("no category select on a phone")
	}
	h.dontSee("Categories")
	sel.SetSelected("Medications (1)")
	if got := h.ui.recordsShown(); !slices.Equal(got, []string{"Metformin 500 mg tablet"}) {
		t.Fatalf("Medications shows %q", got)
	}
}

func TestDamagedBanner(t *testing.T) {
	b := newFakeBackend(true)
	b.wallet.damaged = []wallet.Damage{
		{ID: "0badc0de01", Problem: "authentication failed: the record was altered"},
		{ID: "0badc0de02", Problem: "missing data key"},
	}
	h := newHarness(t, b, desktopSize, false)
	h.unlock()
	h.see("2 records failed their integrity check")
	h.tap("Details")
	h.see("0badc0de01: authentication failed: the record was altered")
	h.see("0badc0de02: missing data key")
}

func TestEmptyWallet(t *testing.T) {
	b := newFakeBackend(true)
	b.wallet.records = nil
	h := newHarness(t, b, desktopSize, false)
	h.unlock()
	// What to import, in plain words: no format names.
	h.see("No records yet. Import the files your hospital, clinic or lab gave you — health records, PDFs, " +
		"photos of documents, vaccination cards.")
	h.dontSee("FHIR")
	h.tap("Import records")
	h.screen("import")
}

func TestRecordDetail(t *testing.T) {
	b := newFakeBackend(true)
	h := newHarness(t, b, desktopSize, false)
	h.unlock()
	h.list().Select(slices.Index(h.ui.recordsShown(), "Hemoglobin A1c"))
	h.screen("detail")
	h.see("Hemoglobin A1c")
	h.see("Value: 7.2 %")
	h.see("LOINC 4548-4 — Hemoglobin A1c/Hemoglobin.total in Blood")
	h.see("One version, imported on 2 Apr 2024 09:30")
	h.dontSee(`"resourceType": "Observation"`)
	h.tap(showOriginalLabel)
	h.see(`"resourceType": "Observation"`)
	h.tap("Copy JSON")
	if got := h.ui.app.Clipboard().Content(); got != hba1cJSON {
		t.Errorf("clipboard holds %q, want the original JSON", got)
	}
	h.see("Copied")
	h.tap("Back")
	h.screen("records")
}

func TestDeleteAsksFirst(t *testing.T) {
	b := newFakeBackend(true)
	h := newHarness(t, b, desktopSize, false)
	h.unlock()
	h.list().Select(slices.Index(h.ui.recordsShown(), "Penicillin allergy"))
	h.tap("Delete")
	h.see("“Penicillin allergy” and all its versions will be destroyed")
	h.tap("Cancel")
	if len(b.wallet.deleted) != 0 {
		t.Fatal("deleted without confirmation")
	}
	h.screen("detail")
	h.tap("Delete")
	h.tapLast("Delete") // the dialog's button, over the screen's
	h.screen("records")
	if !slices.Equal(b.wallet.deleted, []string{"f6c0ffee06"}) {
		t.Errorf("deleted %q", b.wallet.deleted)
	}
	h.dontSee("Penicillin allergy")
	h.see("All records (6)")
}

func TestImport(t *testing.T) {
	b := newFakeBackend(true)
	b.wallet.report = testReport()
	b.wallet.importStarted = make(chan []string)
	b.wallet.importRelease = make(chan struct{})
	h := newHarness(t, b, desktopSize, true)
	h.screen("unlock")
	h.typeIn(h.entry("Password"), testPassword)
	h.tap("Unlock")
	h.wait()
	h.screen("records")

	h.tap("Import")
	h.screen("import")
	if !h.button("Import").Disabled() {
		t.Error("Import enabled with nothing chosen")
	}
	dir := t.TempDir()
	labs := filepath.Join(dir, "labs.json")
	notes := filepath.Join(dir, "notes.txt")
	h.files.open = labs
	h.tap("Add file…")
	h.files.open = notes
	h.tap("Add file…")
	h.see(labs)
	h.see(notes)
	h.tap("Import")

	var paths []string
	select {
	case paths = <-b.wallet.importStarted:
	case <-time.After(10 * time.Second):
		t.Fatal("import did not start")
	}
	// The import is running on its goroutine; the window shows progress.
	h.screen("import-progress")
	h.see("Reading labs.json (file 1 of 2)")
	h.see("12 resources read so far")
	if !slices.Equal(paths, []string{labs, notes}) {
		t.Errorf("imported %q", paths)
	}
	close(b.wallet.importRelease)
	h.wait()

	h.screen("import-result")
	h.see("Import finished")
	h.see("12 new records")
	h.see("3 records already in your wallet, skipped")
	h.see("2 records updated, old versions kept")
	h.dontSee("MedicationStatement") // type names only behind Details
	h.tap("Details: new records by type")
	h.see("Condition: 2\nMedicationStatement: 3\nObservation: 9")
	h.see("Not imported (1 file)")
	h.see("notes.txt: not FHIR R4 JSON: expected a resource, a Bundle or NDJSON")
	h.tap("Show records")
	h.screen("records")
}

func TestImportCancel(t *testing.T) {
	b := newFakeBackend(true)
	b.wallet.importStarted = make(chan []string)
	b.wallet.importRelease = make(chan struct{})
	h := newHarness(t, b, desktopSize, true)
	h.typeIn(h.entry("Password"), testPassword)
	h.tap("Unlock")
	h.wait()
	h.tap("Import")
	h.files.open = "/tmp/labs.json"
	h.tap("Add file…")
	h.tap("Import")
	<-b.wallet.importStarted
	h.tap("Cancel")
	h.wait()
	h.screen("import-result")
	h.see("Import stopped")
	h.see("You cancelled the import.")
}

func TestImportFolder(t *testing.T) {
	b := newFakeBackend(true)
	b.wallet.report = wallet.ImportReport{Imported: 2, ByType: map[string]int{"Observation": 2}}
	h := newHarness(t, b, desktopSize, false)
	h.unlock()
	dir := t.TempDir()
	for _, f := range []string{"b.json", "a.ndjson", "readme.txt", ".hidden.json", "sub/c.JSON", ".git/x.json",
		"ccd.xml", "scan.PDF", "vaccine.smart-health-card", "photo.heic", "notes.bin", "movie.mp4"} {
		p := filepath.Join(dir, f)
		os.MkdirAll(filepath.Dir(p), 0o755)
		if err := os.WriteFile(p, []byte("{}"), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	h.tap("Import")
	h.files.folder = dir
	h.tap("Add folder…")
	var shown []string
	for _, s := range h.labels() {
		if strings.HasPrefix(s, dir) {
			shown = append(shown, strings.TrimPrefix(s, dir+string(filepath.Separator)))
		}
	}
	// Every kind the wallet imports, and nothing else.
	want := []string{"a.ndjson", "b.json", "ccd.xml", "photo.heic", "readme.txt", "scan.PDF", filepath.Join("sub", "c.JSON"), "vaccine.smart-health-card"}
	if !slices.Equal(shown, want) {
		t.Fatalf("folder gives %q, want %q", shown, want)
	}

	h.files.folder = t.TempDir() // empty
	h.tap("Add folder…")
	h.see("holds no files to import")
}

func TestIdleLock(t *testing.T) {
	b := newFakeBackend(true)
	h := newHarness(t, b, desktopSize, false)
	h.unlock()

	h.clock.Advance(4 * time.Minute)
	h.screen("records")
	h.menu("Settings") // activity: the five minutes start again
	h.clock.Advance(4 * time.Minute)
	h.screen("settings")
	if b.wallet.Locked() {
		t.Fatal("locked despite activity")
	}
	h.clock.Advance(time.Minute)
	h.screen("unlock")
	if !b.wallet.Locked() {
		t.Fatal("wallet not locked after 5 idle minutes")
	}

	// A shorter auto-lock from Settings.
	h.unlock()
	h.menu("Settings")
	for _, o := range h.objects() {
		if s, ok := o.(*widget.Select); ok {
			s.SetSelected("1 minute")
		}
	}
	if got := h.ui.app.Preferences().Int(prefAutoLock); got != 1 {
		t.Fatalf("auto-lock preference %d", got)
	}
	h.clock.Advance(59 * time.Second)
	h.screen("settings")
	h.clock.Advance(time.Second)
	h.screen("unlock")
}

func TestLockClosesDialogs(t *testing.T) {
	b := newFakeBackend(true)
	b.wallet.damaged = []wallet.Damage{{ID: "0badc0de01", Problem: "altered"}}
	h := newHarness(t, b, desktopSize, false)
	h.unlock()
	h.tap("Details")
	h.clock.Advance(5 * time.Minute)
	h.screen("unlock")
	if h.ui.win.Canvas().Overlays().Top() != nil {
		t.Error("a dialog with record data stays open over the unlock screen")
	}
	h.dontSee("0badc0de01")
}

// TestSettingsMarksWeakKeyDerivation: a wallet made with weak key
// derivation says so in Settings until its password is changed.
func TestSettingsMarksWeakKeyDerivation(t *testing.T) {
	b := newFakeBackend(true)
	b.wallet.weak = true
	h := newHarness(t, b, desktopSize, false)
	h.unlock()
	h.menu("Settings")
	h.see("Weak password protection")
	h.typeIn(h.entry("Current password"), testPassword)
	h.typeIn(h.entry("At least 8 characters"), "a new password")
	h.typeIn(h.entry("Type it again"), "a new password")
	h.tap("Change password")
	h.see("Password changed.")
	h.dontSee("Weak password protection")
	if !b.wallet.progressed {
		t.Error("the password change was not asked for its progress")
	}
}

func TestSettings(t *testing.T) {
	b := newFakeBackend(true)
	h := newHarness(t, b, desktopSize, false)
	h.unlock()
	h.menu("Settings")
	h.screen("settings")
	h.see(testName)
	h.dontSee(testAddress) // in Settings → Advanced
	var qr *canvas.Image
	for _, o := range h.objects() {
		if img, ok := o.(*canvas.Image); ok && img.ScaleMode == canvas.ImageScalePixels {
			qr = img
		}
	}
	if qr == nil {
		t.Fatal("no identity card QR")
	}

	// Change password: wrong current password, then right.
	h.typeIn(h.entry("Current password"), "nope nope")
	h.typeIn(h.entry("At least 8 characters"), "a new password")
	h.typeIn(h.entry("Type it again"), "a new password")
	h.tap("Change password")
	h.see(sentence(wallet.ErrWrongPassword.Error()))
	h.typeInto(h.entry("Current password"), testPassword)
	h.tap("Change password")
	h.see("Password changed.")
	h.see("Backups made before are what they were")
	if b.wallet.password != "a new password" {
		t.Errorf("password %q", b.wallet.password)
	}
	h.dontSee("Weak password protection")

	// Backup asks first, then saves.
	h.tap("Back up to file…")
	h.tap("Cancel")
	if len(h.files.saved) != 0 {
		t.Fatal("backup written without confirmation")
	}
	h.tap("Back up to file…")
	h.tap("Back up")
	h.see("Backup saved to /home/ada/Documents/healthwallet-backup-") // where, in full
	found := false
	for name, buf := range h.files.saved {
		found = strings.HasSuffix(name, ".age") && buf.String() == "age-encryption.org/v1\n"
	}
	if !found {
		t.Errorf("backup not saved: %v", h.files.saved)
	}
	h.tap("OK")

	h.tap("Export all records…")
	h.see("NOT encrypted")
	h.tap("Export")
	h.see("Exported 7 records to /home/ada/Documents/health-records.json.")
	if got := h.files.saved["health-records.json"].String(); !strings.Contains(got, `"Bundle"`) {
		t.Errorf("export wrote %q", got)
	}
	h.tap("OK")

	h.tap("Lock now")
	h.screen("unlock")
	if !b.wallet.Locked() {
		t.Error("Lock now did not lock")
	}
}
