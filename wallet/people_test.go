package wallet

import (
	"context"
	"errors"
	"path/filepath"
	"strings"
	"testing"
	"unicode"

	"healthwallet/wallet/record"
	"healthwallet/wallet/testcorpus"
)

// syntheaPeople are the Synthea patients' files (not the hospital lists),
// with each file's Patient name and resource count read the plain way.
func syntheaPeople(t *testing.T) (files []string, names []string, counts []int) {
	t.Helper()
	files, err := filepath.Glob(filepath.Join(testcorpus.Dir(t, "synthea"), "*_*_*.json"))
	if err != nil || len(files) < 3 {
		t.Fatalf("want several Synthea patients, got %d (%v)", len(files), err)
	}
	for _, f := range files {
		// Bibi254_Schowalter414_….json is about "Bibi254 Schowalter414".
		parts := strings.SplitN(filepath.Base(f), "_", 3)
		names = append(names, parts[0]+" "+parts[1])
		counts = append(counts, testcorpus.CountResources(t, f))
	}
	return files, names, counts
}

// keepSomeoneApart gives the owner mine records of their own, then imports
// file, about someone else, whom the import keeps apart: it returns them,
// found by name.
func keepSomeoneApart(t *testing.T, w *Wallet, mine int, file, name string) Person {
	t.Helper()
	importObservations(t, w, "mine", mine)
	if _, err := w.Import(context.Background(), []string{file}, nil); err != nil {
		t.Fatal(err)
	}
	return personByName(t, w, name)
}

func personByName(t *testing.T, w *Wallet, name string) Person {
	t.Helper()
	people, err := w.People()
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range people {
		if p.Name == name {
			return p
		}
	}
	t.Fatalf("nobody named %q among %+v", name, people)
	return Person{}
}

// A wallet owned by one Synthea patient, given a folder of six: each other
// person gets their own space, named from their Patient, holding exactly
// their file's records; the owner's records hold none of theirs.
func TestImportKeepsPeopleApart(t *testing.T) {
	files, names, counts := syntheaPeople(t)
	w, err := Create(t.TempDir(), testMnemonic, testPassword, strings.TrimRight(strings.Fields(names[0])[0], "0123456789")+" "+strings.TrimRight(strings.Fields(names[0])[1], "0123456789"), fastKDF)
	if err != nil {
		t.Fatal(err)
	}
	defer w.Close()
	ctx := context.Background()
	rep, err := w.ImportWith(ctx, files, ImportOptions{})
	if err != nil {
		t.Fatal(err)
	}
	total := 0
	for _, n := range counts {
		total += n
	}
	if rep.Imported+rep.Duplicates != total {
		t.Fatalf("imported %d + %d duplicates, the files hold %d", rep.Imported, rep.Duplicates, total)
	}
	if len(rep.OtherPeople) != len(files)-1 {
		t.Fatalf("other people %+v, want %d", rep.OtherPeople, len(files)-1)
	}
	mine, err := w.Records(Query{})
	if err != nil {
		t.Fatal(err)
	}
	if len(mine) != counts[0] {
		t.Errorf("the owner has %d records, their file holds %d", len(mine), counts[0])
	}
	for _, r := range mine {
		if r.Person != "" {
			t.Fatalf("owner's list holds %s's record %s", r.Person, r.ID)
		}
	}
	seen := map[string]bool{}
	for i := 1; i < len(files); i++ {
		p := personByName(t, w, names[i])
		if p.Owner || p.ID == "" || p.BirthDate == "" || p.Address == "" {
			t.Fatalf("person %+v", p)
		}
		if seen[p.Address] {
			t.Fatalf("two people share the address %s", p.Address)
		}
		seen[p.Address] = true
		if p.Records != counts[i] {
			t.Errorf("%s: %d records, the file holds %d", p.Name, p.Records, counts[i])
		}
		recs, err := w.Records(Query{Person: p.ID})
		if err != nil || len(recs) != counts[i] {
			t.Errorf("%s: Records gives %d (%v), want %d", p.Name, len(recs), err, counts[i])
		}
		found := false
		for _, o := range rep.OtherPeople {
			if o.ID == p.ID {
				found = o.Records == counts[i] && o.New && o.BirthDate == p.BirthDate
			}
		}
		if !found {
			t.Errorf("%s not reported as a new person with %d records: %+v", p.Name, counts[i], rep.OtherPeople)
		}
		if got, err := w.FindPerson(p.BirthDate); err == nil && got.ID != p.ID {
			t.Errorf("FindPerson(%s) = %s, want %s", p.BirthDate, got.ID, p.ID)
		}
		if got, err := w.FindPerson(strings.ToUpper(p.Name)); err != nil || got.ID != p.ID {
			t.Errorf("FindPerson(%q) = %+v, %v", strings.ToUpper(p.Name), got, err)
		}
	}
	all, err := w.Records(Query{Person: Everyone})
	if err != nil || len(all) != total {
		t.Fatalf("everyone's records: %d (%v), want %d", len(all), err, total)
	}
	// The owner's search finds none of the others' records.
	hits, err := w.Search("encounter", 0)
	if err != nil {
		t.Fatal(err)
	}
	for _, h := range hits {
		if h.Person != "" {
			t.Fatalf("the owner's search found %s's record", h.Person)
		}
	}

	// A second import of the same files: all duplicates, nobody new.
	again, err := w.ImportWith(ctx, files, ImportOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if again.Imported != 0 || again.Versions != 0 || again.Duplicates != total || len(again.OtherPeople) != 0 {
		t.Fatalf("re-import: %d new, %d versions, %d duplicates, others %+v", again.Imported, again.Versions, again.Duplicates, again.OtherPeople)
	}
	people, err := w.People()
	if err != nil || len(people) != len(files) {
		t.Fatalf("people after re-import: %d (%v), want %d", len(people), err, len(files))
	}

	// Dropping a person removes exactly their records.
	victim := personByName(t, w, names[1])
	if err := w.DropPerson(victim.ID); err != nil {
		t.Fatal(err)
	}
	after, err := w.Records(Query{Person: Everyone})
	if err != nil || len(after) != total-counts[1] {
		t.Fatalf("after dropping %s: %d records (%v), want %d", victim.Name, len(after), err, total-counts[1])
	}
	if _, err := w.FindPerson(victim.ID); !errors.Is(err, ErrNoSuchPerson) {
		t.Fatalf("dropped person still found: %v", err)
	}
	if err := w.DropPerson(OwnerID); err == nil {
		t.Fatal("the owner was dropped")
	}
	// What is left survives a lock and unlock (the index is rebuilt from the vault).
	w.Lock()
	if err := w.Unlock(testPassword); err != nil {
		t.Fatal(err)
	}
	reread, err := w.Records(Query{Person: Everyone})
	if err != nil || len(reread) != len(after) {
		t.Fatalf("after unlocking: %d records (%v), want %d", len(reread), err, len(after))
	}
	byPerson := map[string]int{}
	for _, r := range reread {
		byPerson[r.Person]++
	}
	if byPerson[victim.ID] != 0 || byPerson[""] != counts[0] {
		t.Fatalf("after unlocking, by person: %v", byPerson)
	}
}

// Into forces whose the records are; the same resource ids imported for two
// people do not collide.
func TestImportIntoForcesThePerson(t *testing.T) {
	files, names, counts := syntheaPeople(t)
	w := newTestWallet(t) // "Ada Lovelace": none of them
	ctx := context.Background()
	rep, err := w.ImportWith(ctx, files[1:3], ImportOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if len(rep.OtherPeople) != 2 {
		t.Fatalf("a folder of two people into a new wallet: others %+v, want both apart", rep.OtherPeople)
	}
	if mine, _ := w.Records(Query{}); len(mine) != 0 {
		t.Fatalf("a folder of two strangers made %d records the owner's", len(mine))
	}
	p := personByName(t, w, names[1])
	// files[0] is about someone else, but the user says it is p's.
	rep, err = w.ImportWith(ctx, files[:1], ImportOptions{Into: p.ID})
	if err != nil {
		t.Fatal(err)
	}
	if rep.Imported != counts[0] || len(rep.OtherPeople) != 1 || rep.OtherPeople[0].ID != p.ID || rep.OtherPeople[0].New {
		t.Fatalf("into %s: %d imported, others %+v", p.ID, rep.Imported, rep.OtherPeople)
	}
	recs, err := w.Records(Query{Person: p.ID})
	if err != nil || len(recs) != counts[0]+counts[1] {
		t.Fatalf("%s has %d records (%v), want %d", p.ID, len(recs), err, counts[0]+counts[1])
	}
	// The same file into the owner: new records, not duplicates of p's.
	rep, err = w.ImportWith(ctx, files[:1], ImportOptions{Into: OwnerID})
	if err != nil {
		t.Fatal(err)
	}
	if rep.Imported != counts[0] || rep.Duplicates != 0 || len(rep.OtherPeople) != 0 {
		t.Fatalf("into the owner: %d imported, %d duplicates, others %+v", rep.Imported, rep.Duplicates, rep.OtherPeople)
	}
	if _, err := w.ImportWith(ctx, files[:1], ImportOptions{Into: "nobody-like-this"}); !errors.Is(err, ErrNoSuchPerson) {
		t.Fatalf("into an unknown person: %v", err)
	}
}

// A first import of one file about one person into an empty wallet is the
// owner's, whatever the display name; a later stranger is kept apart.
func TestFirstSinglePatientFileIsTheOwners(t *testing.T) {
	files, _, counts := syntheaPeople(t)
	w := newTestWallet(t)
	ctx := context.Background()
	rep, err := w.Import(ctx, files[:1], nil)
	if err != nil {
		t.Fatal(err)
	}
	if len(rep.OtherPeople) != 0 || rep.Imported != counts[0] {
		t.Fatalf("first file: %d imported, others %+v", rep.Imported, rep.OtherPeople)
	}
	rep, err = w.Import(ctx, files[1:2], nil)
	if err != nil {
		t.Fatal(err)
	}
	if len(rep.OtherPeople) != 1 || rep.OtherPeople[0].Records != counts[1] {
		t.Fatalf("second person's file: others %+v", rep.OtherPeople)
	}
	mine, _ := w.Records(Query{})
	if len(mine) != counts[0] {
		t.Fatalf("owner has %d records, want %d", len(mine), counts[0])
	}
	var cats map[string]int
	if cats, err = w.CategoriesOf(rep.OtherPeople[0].ID); err != nil || len(cats) == 0 {
		t.Fatalf("their categories: %v %v", cats, err)
	}
}

func TestNameMatching(t *testing.T) {
	for _, c := range []struct {
		display, patient string
		want             bool
	}{
		{"Jane Doe", "DOE Jane Marie", true},
		{"Jane Doe", "Jäne254 Doe", true},
		{"jane doe", "Jane Smith", false},
		{"Jane", "Jane Doe", false},
		{"Jane", "jane", true},
		{"", "Jane", false},
	} {
		if got := displayNameMatches(c.display, c.patient); got != c.want {
			t.Errorf("displayNameMatches(%q, %q) = %v", c.display, c.patient, got)
		}
	}
}

// readPatient, referencedPatient and nameWords read outside bytes: never a
// panic, and a name's words never hold digits or upper case.
func FuzzPatientFacts(f *testing.F) {
	f.Add([]byte(`{"resourceType":"Patient","id":"p","name":[{"given":["Jäne254"],"family":"Doe"}],"birthDate":"2001-02-03","identifier":[{"system":"s","value":"v"}]}`))
	f.Add([]byte(`{"subject":{"reference":"urn:uuid:1"},"patient":{"reference":7}}`))
	f.Add([]byte(`{"name":null}`))
	f.Fuzz(func(t *testing.T, raw []byte) {
		facts := readPatient(record.Resource{Type: "Patient", Raw: raw})
		_ = referencedPatient(record.Resource{Raw: raw})
		for _, w := range nameWords(facts.name + string(raw)) {
			if w == "" || strings.ContainsFunc(w, func(r rune) bool { return !unicode.IsLetter(r) || unicode.ToLower(r) != r }) {
				t.Fatalf("name word %q", w)
			}
		}
	})
}
