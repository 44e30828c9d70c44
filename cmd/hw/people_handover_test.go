package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/ethereum/go-ethereum/common"

	"healthwallet/chain/chaintest"
	"healthwallet/wallet/testcorpus"
)

// hw people handover: someone kept apart by an import leaves as a wallet of
// their own. The new wallet opens with its own password and lists as many
// records as they had; the old wallet's hw people no longer lists them and
// their share is stopped; the new wallet shares, and a doctor verifies it
// with them as the patient.
func TestPeopleHandover(t *testing.T) {
	files, err := filepath.Glob(filepath.Join(testcorpus.Dir(t, "synthea"), "*_*_*.json"))
	if err != nil || len(files) < 2 {
		t.Fatalf("want two Synthea patients: %d (%v)", len(files), err)
	}
	parts := strings.SplitN(filepath.Base(files[0]), "_", 3)
	owner := strings.TrimRight(parts[0], "0123456789") + " " + strings.TrimRight(parts[1], "0123456789")
	theirCount := countResources(t, files[1])

	served := chaintest.StartServe(t)
	rp := startRelay(t, "--chain", served.URL)
	dir := t.TempDir()
	old := []string{"HW_VAULT=" + filepath.Join(dir, "family"), "HW_KDF=fast", "HW_PASSWORD=family password", "HW_CHAIN=" + served.URL}
	mustHW := func(env []string, args ...string) string {
		t.Helper()
		out, errOut, code := hwProc(t, env, args...)
		if code != 0 {
			t.Fatalf("hw %s: exit %d\n%s%s", strings.Join(args, " "), code, out, errOut)
		}
		return out
	}
	address := func(env []string) common.Address {
		var card struct{ Address string }
		if err := json.Unmarshal([]byte(mustHW(env, "card", "--json")), &card); err != nil {
			t.Fatal(err)
		}
		return common.HexToAddress(card.Address)
	}
	mustHW(old, "init", "--name", owner)
	served.Fund(address(old))
	mustHW(old, "relay-url", rp.base)
	report, err := decodeImportReport([]byte(mustHW(old, append([]string{"import", "--json"}, files[:2]...)...)))
	if err != nil || len(report.OtherPeople) != 1 {
		t.Fatalf("import: %+v, %v", report, err)
	}
	them := report.OtherPeople[0]
	var shared struct{ Link string }
	if err := json.Unmarshal([]byte(mustHW(old, "share", "--person", them.ID, "--all", "--ttl", "1h", "--purpose", "TREAT", "--json")), &shared); err != nil {
		t.Fatal(err)
	}

	// Refused: the owner, and without --yes when nobody can be asked.
	if _, errOut, code := hwProc(t, old, "people", "handover", "me", "--out", filepath.Join(dir, "x"), "--yes"); code != 1 || !strings.Contains(errOut, "yours") {
		t.Errorf("handing over the owner: exit %d: %s", code, errOut)
	}
	if _, errOut, code := hwProc(t, old, "people", "handover", them.ID, "--out", dir); code != 1 || !strings.Contains(errOut, "--yes") {
		t.Errorf("handover without --yes: exit %d: %s", code, errOut)
	}

	env := append(old, "HW_NEW_PASSWORD=their own password")
	// Refused with a plain reason: nobody of that name, --out an existing
	// file, --out this wallet's own folder; and dropping the owner, or
	// nobody. Nothing changed.
	file := filepath.Join(dir, "notes.txt")
	os.WriteFile(file, []byte("x"), 0o600)
	for _, c := range []struct {
		args []string
		want string
	}{
		{[]string{"people", "handover", "nobody-here", "--out", dir, "--yes"}, "nobody here"},
		{[]string{"people", "handover", them.ID, "--out", file, "--yes"}, "already exists"},
		{[]string{"people", "handover", them.ID, "--out", filepath.Join(dir, "family"), "--yes"}, "inside this wallet's own folder"},
		{[]string{"people", "drop", "me", "--yes"}, "owner cannot be dropped"},
		{[]string{"people", "drop", "nobody-here", "--yes"}, "nobody here"},
	} {
		if out, errOut, code := hwProc(t, env, c.args...); code != 1 || !strings.Contains(errOut, c.want) || strings.Contains(errOut, "panic") {
			t.Errorf("hw %s: exit %d, want 1 saying %q\n%s%s", strings.Join(c.args, " "), code, c.want, out, errOut)
		}
	}
	if _, err := os.Stat(filepath.Join(dir, "family", them.ID+"-wallet")); err == nil {
		t.Error("a refused handover left a wallet in the old wallet's folder")
	}

	// --out an existing folder: the wallet goes inside it, named after them.
	var res struct {
		Path, Address, RecoveryPhrase, Problem string
		Records, SharesRevoked                 int
	}
	out := mustHW(env, "people", "handover", them.Name, "--out", dir, "--yes", "--json")
	if err := json.Unmarshal([]byte(out), &res); err != nil {
		t.Fatalf("hw people handover --json: %s (%v)", out, err)
	}
	if res.Path != filepath.Join(dir, them.ID+"-wallet") || res.Records != theirCount || res.SharesRevoked != 1 || len(strings.Fields(res.RecoveryPhrase)) != 24 {
		t.Fatalf("hw people handover: %+v; want %d records, 1 share stopped", res, theirCount)
	}

	var people []struct{ ID, Name string }
	if err := json.Unmarshal([]byte(mustHW(old, "people", "--json")), &people); err != nil {
		t.Fatal(err)
	}
	if len(people) != 1 || people[0].Name != owner {
		t.Errorf("the old wallet's people after the handover: %+v", people)
	}
	doctor := []string{"HW_VAULT=" + filepath.Join(dir, "doctor"), "HW_CHAIN=" + served.URL, "HW_REGISTRY=" + served.Registry.Hex()}
	if out, _, _ := hwProc(t, doctor, "receive", shared.Link, "--json"); strings.Contains(out, `"verified":true`) {
		t.Errorf("their old share still verifies after the handover: %s", out)
	}

	// Their wallet: their own password, every record, and it shares.
	theirs := []string{"HW_VAULT=" + res.Path, "HW_PASSWORD=their own password", "HW_CHAIN=" + served.URL}
	if got := address(theirs); got != common.HexToAddress(res.Address) {
		t.Fatalf("the new wallet's address %s, the handover said %s", got.Hex(), res.Address)
	}
	recs, err := decodeRecordLines([]byte(mustHW(theirs, "records", "--json")))
	if err != nil {
		t.Fatal(err)
	}
	if len(recs) != theirCount {
		t.Errorf("the new wallet lists %d records, want %d", len(recs), theirCount)
	}
	served.Fund(common.HexToAddress(res.Address))
	mustHW(theirs, "anchor")
	if err := json.Unmarshal([]byte(mustHW(theirs, "share", "--all", "--ttl", "1h", "--purpose", "TREAT", "--json")), &shared); err != nil {
		t.Fatal(err)
	}
	var got struct {
		Verified    bool
		Patient     string
		PatientName string
	}
	out = mustHW(doctor, "receive", shared.Link, "--json")
	if err := json.Unmarshal([]byte(out), &got); err != nil || !got.Verified || !strings.EqualFold(got.Patient, res.Address) || got.PatientName != them.Name {
		t.Fatalf("the doctor receives the new wallet's share: %+v (%v)\n%s", got, err, out)
	}
	if _, err := os.Stat(filepath.Join(dir, them.ID+"-wallet", "vault.hwv")); err != nil {
		t.Errorf("the new wallet's vault file: %v", err)
	}

	// Their records come back (imported again), and a handover into the
	// same folder meets the wallet already there, as after a handover that
	// did not finish: hw says what it likely is and what to do.
	report, err = decodeImportReport([]byte(mustHW(old, "import", "--json", files[1])))
	if err != nil || len(report.OtherPeople) != 1 || report.OtherPeople[0].ID != them.ID {
		t.Fatalf("importing them again: %+v, %v", report, err)
	}
	if _, errOut, code := hwProc(t, env, "people", "handover", them.ID, "--out", dir, "--yes"); code != 1 || !strings.Contains(errOut, "already holds a wallet") || !strings.Contains(errOut, "never shown") {
		t.Errorf("a handover into a folder holding a wallet: exit %d: %s", code, errOut)
	}

	// Dropping them while a share of theirs stands stops it first (only
	// their space's key can), then drops them: the doctor's link no longer
	// verifies, and hw people no longer lists them.
	if err := json.Unmarshal([]byte(mustHW(old, "share", "--person", them.ID, "--all", "--ttl", "1h", "--purpose", "TREAT", "--json")), &shared); err != nil {
		t.Fatal(err)
	}
	if out, _, _ := hwProc(t, doctor, "receive", shared.Link, "--json"); !strings.Contains(out, `"verified":true`) {
		t.Fatalf("their new share does not verify before the drop: %s", out)
	}
	_, errOut, code := hwProc(t, old, "people", "drop", them.ID, "--yes")
	if code != 0 || !strings.Contains(errOut, "Stopped "+them.Name+"'s 1 share") {
		t.Fatalf("hw people drop with a standing share: exit %d: %s", code, errOut)
	}
	if out, _, _ := hwProc(t, doctor, "receive", shared.Link, "--json"); strings.Contains(out, `"verified":true`) {
		t.Errorf("their share still verifies after the drop: %s", out)
	}
	if err := json.Unmarshal([]byte(mustHW(old, "people", "--json")), &people); err != nil || len(people) != 1 {
		t.Errorf("the people after the drop: %+v (%v)", people, err)
	}
}

// hw import --into applies to pasted texts: a FHIR bundle about Jane read
// from standard input (-) with --into an existing person lands in that
// person's space, as does one given as an argument.
func TestImportPastedTextInto(t *testing.T) {
	files, err := filepath.Glob(filepath.Join(testcorpus.Dir(t, "synthea"), "*_*_*.json"))
	if err != nil || len(files) < 2 {
		t.Fatalf("want two Synthea patients: %d (%v)", len(files), err)
	}
	parts := strings.SplitN(filepath.Base(files[0]), "_", 3)
	owner := strings.TrimRight(parts[0], "0123456789") + " " + strings.TrimRight(parts[1], "0123456789")
	h := newHWRunner(t, filepath.Join(t.TempDir(), "w"))
	h.run("init", "--yes", "--name", owner)
	report, err := decodeImportReport(h.run(append([]string{"import", "--json"}, files[:2]...)...))
	if err != nil || len(report.OtherPeople) != 1 {
		t.Fatalf("import: %+v, %v", report, err)
	}
	them := report.OtherPeople[0]
	before := len(h.records("--person", them.ID))
	mine := len(h.records())

	jane := `{"resourceType":"Bundle","type":"collection","entry":[
 {"resource":{"resourceType":"Patient","id":"jane","name":[{"family":"Doe","given":["Jane"]}],"birthDate":"1990-01-02"}},
 {"resource":{"resourceType":"Observation","id":"j1","status":"final","code":{"text":"Glucose"},"subject":{"reference":"Patient/jane"},"valueQuantity":{"value":99,"unit":"mg/dL"}}}]}`
	cmd := h.command("import", "--into", them.ID, "--json", "-")
	cmd.Stdin = strings.NewReader(jane)
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("hw import --into %s -: %v\n%s", them.ID, err, out)
	}
	if rep, err := decodeImportReport(out); err != nil || *rep.Imported != 2 {
		t.Fatalf("hw import -: %s (%v)", out, err)
	}
	if got := len(h.records("--person", them.ID)); got != before+2 {
		t.Errorf("%s has %d records after the paste, want %d", them.Name, got, before+2)
	}
	// The same text as an argument, about Jane again: a new version of
	// nothing, the same records (duplicates), still theirs.
	h.run("import", "--into", them.ID, jane)
	if got := len(h.records("--person", them.ID)); got != before+2 {
		t.Errorf("%s has %d records after pasting again, want %d", them.Name, got, before+2)
	}
	var people []struct{ Name string }
	if err := json.Unmarshal(h.run("people", "--json"), &people); err != nil || len(people) != 2 {
		t.Errorf("hw people after the pastes: %+v, %v (Jane must not get a space)", people, err)
	}
	if got := len(h.records()); got != mine {
		t.Errorf("the owner has %d records, want %d", got, mine)
	}
}
