package main

import (
	"encoding/json"
	"path/filepath"
	"strings"
	"testing"

	"healthwallet/wallet/testcorpus"
)

// hw keeps people apart: a folder of several Synthea patients imported into
// a wallet whose name is one of them lists the others in "otherPeople";
// hw records is the owner's unless --person or --everyone; hw people lists
// everyone; hw export --person exports that person's records; --into forces.
func TestPeopleCommands(t *testing.T) {
	files, err := filepath.Glob(filepath.Join(testcorpus.Dir(t, "synthea"), "*_*_*.json"))
	if err != nil || len(files) < 3 {
		t.Fatalf("want several Synthea patients: %d (%v)", len(files), err)
	}
	files = files[:3]
	counts := make([]int, len(files))
	for i, f := range files {
		counts[i] = countResources(t, f)
	}
	// Bibi254_Schowalter414_… is "Bibi Schowalter" to her wallet.
	parts := strings.SplitN(filepath.Base(files[0]), "_", 3)
	owner := strings.TrimRight(parts[0], "0123456789") + " " + strings.TrimRight(parts[1], "0123456789")

	tmp := t.TempDir()
	h := newHWRunner(t, filepath.Join(tmp, "w"))
	h.run("init", "--yes", "--name", owner)
	report, err := decodeImportReport(h.run(append([]string{"import", "--json"}, files...)...))
	if err != nil {
		t.Fatal(err)
	}
	if *report.Imported != counts[0]+counts[1]+counts[2] {
		t.Fatalf("imported %d, the files hold %d", *report.Imported, counts[0]+counts[1]+counts[2])
	}
	if len(report.OtherPeople) != 2 || report.OtherPeople[0].Records != counts[1] || report.OtherPeople[1].Records != counts[2] ||
		report.OtherPeople[0].BirthDate == "" || !report.OtherPeople[0].New {
		t.Fatalf("otherPeople %+v, want the two others with %d and %d records", report.OtherPeople, counts[1], counts[2])
	}
	if got := len(h.records()); got != counts[0] {
		t.Errorf("hw records lists %d, the owner's file holds %d", got, counts[0])
	}
	if got := len(h.records("--everyone")); got != *report.Imported {
		t.Errorf("hw records --everyone lists %d, want %d", got, *report.Imported)
	}
	other := report.OtherPeople[1]
	for _, who := range []string{other.ID, other.BirthDate, strings.ToLower(other.Name)} {
		if got := len(h.records("--person", who)); got != counts[2] {
			t.Errorf("hw records --person %q lists %d, want %d", who, got, counts[2])
		}
	}

	var people []struct {
		ID, Name, BirthDate, Address string
		Records                      int
		Owner, CaredFor              bool
	}
	if err := json.Unmarshal(h.run("people", "--json"), &people); err != nil {
		t.Fatal(err)
	}
	if len(people) != 3 || !people[0].Owner || people[0].Records != counts[0] || people[0].Name != owner {
		t.Fatalf("hw people --json: %+v", people)
	}
	for _, p := range people[1:] {
		if p.Owner || p.CaredFor || !strings.HasPrefix(p.Address, "0x") || p.Address == people[0].Address {
			t.Errorf("person %+v", p)
		}
	}

	// The human report says it plainly.
	h2 := newHWRunner(t, filepath.Join(tmp, "w2"))
	h2.run("init", "--yes", "--name", owner)
	out := string(h2.run(append([]string{"import"}, files...)...))
	if !strings.Contains(out, "records are about "+other.Name+" (born "+other.BirthDate+"), not you: kept apart in their own space") {
		t.Errorf("hw import says:\n%s", out)
	}

	// Export --person: exactly their records.
	export := filepath.Join(tmp, "their.json")
	h.run("export", "--person", other.ID, "--out", export)
	if got := countResources(t, export); got != counts[2] {
		t.Errorf("export --person holds %d resources, want %d", got, counts[2])
	}

	// --into: the owner's file said to be another person's.
	h3 := newHWRunner(t, filepath.Join(tmp, "w3"))
	h3.run("init", "--yes", "--name", "Someone Else")
	report, err = decodeImportReport(h3.run("import", "--json", "--into", "me", files[1]))
	if err != nil {
		t.Fatal(err)
	}
	if len(report.OtherPeople) != 0 || len(h3.records()) != counts[1] {
		t.Errorf("--into me: others %+v, %d records mine", report.OtherPeople, len(h3.records()))
	}
	if _, stderr, code := hwProc(t, h3.env, "records", "--person", "Nobody"); code != 1 || !strings.Contains(stderr, "no such person") {
		t.Errorf("--person Nobody: exit %d, %s", code, stderr)
	}
}
