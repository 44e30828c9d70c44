package app

import (
	"slices"
	"testing"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/widget"

	"healthwallet/wallet"
)

// One wallet, one person (issue 12, item 1), over the fake wallet: an
// import that kept someone else's records apart asks about them; the
// records screen shows one person's records at a time.

// importWithOthers unlocks a wallet whose next import keeps Jane Doe's
// records apart (and others), and imports a file.
func importWithOthers(t *testing.T, size fyne.Size, others ...wallet.OtherPerson) *harness {
	t.Helper()
	b := newFakeBackend(true)
	jane := b.wallet.keepsJane()
	b.wallet.report = wallet.ImportReport{Imported: 10, OtherPeople: append([]wallet.OtherPerson{jane}, others...)}
	h := newHarness(t, b, size, false)
	h.unlock()
	h.importFile("/home/ada/Downloads/synthea/jane.json")
	return h
}

// importFile imports one file from the records screen, with the import
// screen's choices as they are.
func (h *harness) importFile(path string) {
	h.t.Helper()
	h.tap("Import")
	h.files.open = path
	h.tap("Add file…")
	h.tap("Import")
	h.screen("import-result")
}

// shownTitles are the titles of the records the records screen lists.
func (h *harness) shownTitles() []string {
	h.t.Helper()
	h.screen("records")
	var titles []string
	for _, r := range h.ui.recordsView.records {
		titles = append(titles, r.Title)
	}
	return titles
}

func TestImportAsksAboutSomeoneElseKeep(t *testing.T) {
	h := importWithOthers(t, desktopSize)
	w := h.backend.wallet
	h.see("About someone else, kept apart")
	h.see("Jane Doe (born 3 Feb 2001) — 3 records, kept in Jane's own space")
	if !h.dialogOpen() {
		t.Fatal("no question about the records of someone else")
	}
	h.see("These records are about someone else: Jane Doe (born 3 Feb 2001), 3 records. They are kept apart in Jane's own space")
	h.tap("Keep")
	if h.dialogOpen() {
		t.Error("the question stays open after Keep")
	}
	if len(w.household.dropped) != 0 {
		t.Errorf("Keep dropped %v", w.household.dropped)
	}
	if p, _ := w.People(); len(p) != 2 {
		t.Errorf("after Keep the wallet holds %d people, want the owner and Jane", len(p))
	}
	// Kept apart: the owner's records are the owner's alone.
	h.tap("Show records")
	if got := h.shownTitles(); slices.Contains(got, "Penicillin G – high") || len(got) != 7 {
		t.Errorf("the owner's records show %q", got)
	}
}

func TestImportAsksAboutSomeoneElseEscapeKeeps(t *testing.T) {
	h := importWithOthers(t, desktopSize)
	h.pressKey(fyne.KeyEscape)
	if h.dialogOpen() {
		t.Error("Escape left the question open")
	}
	if d := h.backend.wallet.household.dropped; len(d) != 0 {
		t.Errorf("Escape dropped %v", d)
	}
}

func TestImportDropSomeoneElseIsConfirmed(t *testing.T) {
	h := importWithOthers(t, phoneSize)
	w := h.backend.wallet
	if imp := h.button("Drop…").Importance; imp != widget.DangerImportance {
		t.Errorf("Drop… is of importance %v, want red (danger)", imp)
	}
	h.tap("Drop…")
	h.see("Drop the records about Jane Doe?")
	h.see("The 3 records about Jane Doe will be destroyed on this device, with Jane's own space. This cannot be undone")
	h.tapLast("Cancel")
	if len(w.household.dropped) != 0 {
		t.Fatalf("Cancel dropped %v", w.household.dropped)
	}
	h.see("These records are about someone else: Jane Doe") // asked again
	h.tap("Drop…")
	var drop *widget.Button
	for _, o := range h.objects() {
		if b, label, ok := asButton(o); ok && label == "Drop" {
			drop = b
		}
	}
	if drop == nil || drop.Importance != widget.DangerImportance {
		t.Errorf("the confirmation's Drop is not red: %v", drop)
	}
	h.tapLast("Drop")
	if !slices.Equal(w.household.dropped, []string{janeID}) {
		t.Fatalf("DropPerson given %v, want Jane's ID", w.household.dropped)
	}
	h.see("The records about Jane Doe are gone from this device.")
	if recs, _ := w.Records(wallet.Query{Person: wallet.Everyone}); len(recs) != 7 {
		t.Errorf("after Drop the wallet holds %d records, want the owner's 7", len(recs))
	}
}

func TestImportAsksAboutEachPerson(t *testing.T) {
	bob := wallet.OtherPerson{ID: "bob", Name: "Bob Roe", Records: 5}
	h := importWithOthers(t, desktopSize, bob)
	h.see("Jane Doe (born 3 Feb 2001), 3 records")
	h.tap("Keep")
	h.see("These records are about someone else: Bob Roe, 5 records")
	h.see("Bob's space was already in this wallet: this import added to it.")
	h.tap("Drop…")
	h.see("Every record about Bob Roe in this wallet will be destroyed") // not only this import's
	h.tapLast("Cancel")
	h.tap("Keep")
	if h.dialogOpen() {
		t.Error("a question is left open after both answers")
	}
}

func TestImportWithoutOthersAsksNothing(t *testing.T) {
	b := newFakeBackend(true)
	b.wallet.report = testReport()
	h := newHarness(t, b, desktopSize, false)
	h.unlock()
	h.importFile("/tmp/labs.json")
	if h.dialogOpen() {
		t.Error("a question after an import of the owner's records only")
	}
	h.dontSee("About someone else")
	if got := b.wallet.household.into; !slices.Equal(got, []string{""}) {
		t.Errorf("ImportWith given Into %q, want each file where its Patient says", got)
	}
}

func TestImportIntoAPerson(t *testing.T) {
	b := newFakeBackend(true)
	b.wallet.keepsJane()
	h := newHarness(t, b, desktopSize, false)
	h.unlock()
	h.tap("Import")
	h.see("These files are about")
	h.choose("Jane Doe")
	h.files.open = "/tmp/jane-maiden-name.json"
	h.tap("Add file…")
	h.tap("Import")
	h.tap("Import more")
	h.choose(intoMe)
	h.tap("Add file…")
	h.tap("Import")
	if got := b.wallet.household.into; !slices.Equal(got, []string{janeID, wallet.OwnerID}) {
		t.Errorf("ImportWith given Into %q, want Jane's ID then the owner's", got)
	}
}

func TestSwitcherShowsOnePersonsRecords(t *testing.T) {
	for _, size := range []fyne.Size{desktopSize, phoneSize} {
		b := newFakeBackend(true)
		b.wallet.keepsJane()
		h := newHarness(t, b, size, false)
		h.unlock()
		if got := h.shownTitles(); len(got) != 7 || slices.Contains(got, "Penicillin G – high") {
			t.Errorf("%v: the owner's records screen lists %q", size, got)
		}
		h.choose("Jane Doe")
		got := h.shownTitles()
		slices.Sort(got)
		want := []string{"Childhood asthma", "Measles, mumps and rubella vaccine", "Penicillin G – high"}
		if !slices.Equal(got, want) {
			t.Errorf("%v: Jane's records screen lists %q, want %q", size, got, want)
		}
		h.see("Jane Doe's records")
		h.see("These records are about Jane Doe (born 3 Feb 2001). They are kept apart from yours")
		h.see("All records (3)")
		// The choice carries to the share: Jane's records, as Jane's.
		h.tap("Share")
		h.tap("Create share")
		h.tapLast("Share")
		reqs := b.wallet.chain.requests
		if len(reqs) != 1 || reqs[0].Person != janeID {
			t.Errorf("%v: shared %+v, want one share of Jane's records", size, reqs)
		}
		// And to the export: Jane's records only.
		h.tap("Done")
		h.screen("records")
		h.tap("Export")
		h.see("The export is a FHIR Bundle of the 3 records about Jane Doe, NOT encrypted")
		h.tapLast("Export")
		got = b.wallet.household.exported[0]
		slices.Sort(got)
		if want := []string{"j1d0e00001", "j2d0e00002", "j3d0e00003"}; len(b.wallet.household.exported) != 1 || !slices.Equal(got, want) {
			t.Errorf("%v: exported %q, want Jane's records %q", size, b.wallet.household.exported, want)
		}
		if h.files.saved["health-records-jane-doe.json"] == nil {
			t.Errorf("%v: no export saved, saved %v", size, h.files.saved)
		}
	}
}

func TestPeopleScreenListsEveryone(t *testing.T) {
	b := newFakeBackend(true)
	b.wallet.keepsJane()
	b.wallet.caresForGrace()
	h := newHarness(t, b, desktopSize, false)
	h.unlock()
	h.menu("People")
	h.screen("people")
	h.see("Ada Lovelace (you)")
	h.see("7 records · your own records")
	h.see("Jane Doe")
	h.see("Born 3 Feb 2001 · 3 records · kept apart from yours, in Jane's own space")
	h.see("Grace Hopper") // cared for
	// Drop, confirmed.
	// Her standing shares are said, and stopped before she is dropped.
	h.tap("Drop…")
	h.see("The 3 records about Jane Doe will be destroyed on this device")
	h.see("Jane's 2 active shares will be stopped first.")
	h.tapLast("Drop")
	if !slices.Equal(b.wallet.household.dropped, []string{janeID}) || !slices.Equal(b.wallet.household.stopped, []string{janeID}) {
		t.Fatalf("DropPerson given %v, StopSharesOf %v", b.wallet.household.dropped, b.wallet.household.stopped)
	}
	h.tap("OK")
	h.screen("people")
	h.dontSee("Jane Doe")
	h.see("Grace Hopper") // caring is not dropped with her
}

// A pasted card or link takes the same "about this person" choice as
// files, once the wallet keeps someone apart; without anyone kept apart
// the paste dialog does not ask.
func TestPasteTextAboutSomeone(t *testing.T) {
	b := newFakeBackend(true)
	h := newHarness(t, b, phoneSize, false)
	h.unlock()
	h.tap("Import")
	h.tap(pasteLabel)
	h.dontSee("This text is about")
	h.pressKey(fyne.KeyEscape)

	b.wallet.keepsJane()
	h.tap(pasteLabel)
	h.see("This text is about")
	h.choose("Jane Doe")
	h.typeKeys(h.dialogEntry(pastePlaceholder), testCardShc)
	h.pressKey(fyne.KeyReturn)
	h.screen("import-result")
	if got := b.wallet.household.into; len(got) != 1 || got[0] != janeID {
		t.Fatalf("the pasted card was imported into %q, want Jane's space", got)
	}
}
