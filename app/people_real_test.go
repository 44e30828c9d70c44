package app

import (
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"healthwallet/wallet"
	"healthwallet/wallet/record"
	"healthwallet/wallet/testcorpus"
)

// TestRealWalletKeepsPeopleApart drives the UI over the real wallet: Bibi
// makes her wallet, then imports a folder holding her Synthea export and
// two other people's. The app asks about each of the others; one is kept
// (in their own space, shown by the switcher, listed on the People
// screen), the other dropped after a confirmation. Bibi's records are
// hers alone throughout.
func TestRealWalletKeepsPeopleApart(t *testing.T) {
	corpus := testcorpus.Dir(t, "synthea")
	files := []string{
		"Bibi254_Schowalter414_475d72ca-91c7-7211-97e3-f000af33fc04.json",
		"Cris921_Rath779_d4519c92-d241-b2b2-7360-291d60be699e.json",
		"Roland928_Nienow652_13b1a0f2-dceb-37a2-f32b-f0ca6e3b9925.json",
	}
	folder := t.TempDir()
	counts := map[string]int{} // by first name, as the files give it
	for _, f := range files {
		data, err := os.ReadFile(filepath.Join(corpus, f))
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(folder, f), data, 0o600); err != nil {
			t.Fatal(err)
		}
		counts[strings.TrimRight(strings.Split(f, "_")[0], "0123456789")] = testcorpus.CountResources(t, filepath.Join(corpus, f))
	}

	dir := t.TempDir()
	b := NewBackend(dir, wallet.Options{KDFTime: 1, KDFMemoryKiB: 8 * 1024, KDFThreads: 1})
	h := newHarness(t, b, phoneSize, true)
	t.Cleanup(func() { closeUI(h) })
	h.createInUI("Bibi Schowalter")
	h.tap("Skip for now")
	h.screen("records")

	h.tap("Import")
	h.files.folder = folder
	h.tap("Add folder…")
	h.tap("Import")
	h.wait()
	h.screen("import-result")
	h.see("About someone else, kept apart")

	// One question per person, in the order the import reports them.
	asked := func() (first string) {
		t.Helper()
		if !h.dialogOpen() {
			t.Fatal("no question about the records of someone else")
		}
		for _, s := range h.texts() {
			if rest, ok := strings.CutPrefix(s, "These records are about someone else: "); ok {
				return strings.TrimRight(strings.Fields(rest)[0], "0123456789")
			}
		}
		t.Fatalf("the question does not say whose records they are:\n%s", strings.Join(h.texts(), "\n"))
		return ""
	}
	kept := asked()
	if kept != "Cris" && kept != "Roland" {
		t.Fatalf("asked about %q, want Cris or Roland", kept)
	}
	h.see(plural(counts[kept], "record", "records"))
	h.tap("Keep")
	dropped := asked()
	if dropped == kept || dropped != "Cris" && dropped != "Roland" {
		t.Fatalf("asked about %q after %q", dropped, kept)
	}
	h.tap("Drop…")
	h.see("This cannot be undone")
	h.tapLast("Drop")
	h.wait()
	h.see("are gone from this device")
	h.tap("OK")
	if h.dialogOpen() {
		t.Fatal("a question is left after both people were answered")
	}

	// The wallet holds Bibi and the person kept, each with their records.
	people, err := h.ui.wallet.People()
	if err != nil {
		t.Fatal(err)
	}
	if len(people) != 2 || !people[0].Owner || people[0].Records != counts["Bibi"] ||
		!strings.HasPrefix(people[1].Name, kept) || people[1].Records != counts[kept] {
		t.Fatalf("the wallet holds %+v; want Bibi with %d records and %s with %d", people, counts["Bibi"], kept, counts[kept])
	}
	if people[1].Address == "" || people[1].Address == people[0].Address {
		t.Errorf("%s's space has the address %q, Bibi's is %q: want one of their own", kept, people[1].Address, people[0].Address)
	}

	// The records screen: Bibi's own, then the kept person's through the
	// switcher; never each other's.
	h.tap("Show records")
	h.wait()
	if got := len(h.ui.recordsView.records); got != counts["Bibi"] {
		t.Errorf("Bibi's records screen lists %d records, her file holds %d", got, counts["Bibi"])
	}
	label := ""
	for _, c := range h.ui.whoseChoices(h.ui.keptPeople()) {
		if strings.HasPrefix(c.label, kept) {
			label = c.label
		}
	}
	if label == "" {
		t.Fatalf("the switcher does not offer %s", kept)
	}
	h.choose(label)
	h.wait()
	recs := h.ui.recordsView.records
	if len(recs) != counts[kept] || slices.ContainsFunc(recs, func(r record.Record) bool { return r.Person != people[1].ID }) {
		t.Errorf("%s's records screen lists %d records (want %d), all theirs", kept, len(recs), counts[kept])
	}
	h.see("They are kept apart from yours")

	// The People screen lists Bibi and the person kept, not the one dropped.
	h.menu("People")
	h.wait()
	h.see("Bibi Schowalter (you)")
	h.see(kept)
	h.dontSee(dropped)
}
