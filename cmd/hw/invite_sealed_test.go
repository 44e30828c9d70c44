package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"healthwallet/wallet/testcorpus"
)

// The invitation code of an invitation-only network is a secret of its
// members: the wallet keeps it sealed in its vault for the addresses of the
// people it keeps apart. It is never printed: not by any hw --json (or
// plain) output of a wallet that joined with it and kept someone apart,
// shared for them and for itself, invited a caregiver, backed up and handed
// the person over; not by the doctor's receive; not in the backup file, the
// new wallet's outputs, nor the network node's log.
func TestInvitationCodeIsNeverPrinted(t *testing.T) {
	const code = "sealed-river-7731"
	files, err := filepath.Glob(filepath.Join(testcorpus.Dir(t, "synthea"), "*_*_*.json"))
	if err != nil || len(files) < 2 {
		t.Fatalf("want several Synthea patients: %d (%v)", len(files), err)
	}
	files = files[:2]
	parts := strings.SplitN(filepath.Base(files[0]), "_", 3)
	owner := strings.TrimRight(parts[0], "0123456789") + " " + strings.TrimRight(parts[1], "0123456789")

	dir := t.TempDir()
	node := startNetworkNode(t, "127.0.0.1:0", filepath.Join(dir, "node"), "--enrolment", "invitation", "--invite-code", code)
	patient, doctor := networkWalletEnv(dir, "patient"), networkWalletEnv(dir, "doctor")
	printed := map[string]string{} // what each command printed, stdout and stderr
	run := func(env []string, args ...string) string {
		t.Helper()
		out, errOut, exit := hwProc(t, env, args...)
		if exit != 0 {
			t.Fatalf("hw %s: exit %d\n%s%s", strings.Join(args, " "), exit, out, errOut)
		}
		printed[strings.Join(args, " ")] = out + errOut
		return out
	}
	run(patient, "init", "--name", owner)
	run(patient, "network", "join", node.ready.JoinURL, "--invite", code)
	run(doctor, "init", "--name", "Dr. Lee, City Clinic")
	run(doctor, "network", "join", node.ready.JoinURL, "--invite", code)
	run(patient, append([]string{"import", "--json"}, files...)...)

	var people []struct{ ID, Name string }
	if err := json.Unmarshal([]byte(run(patient, "people", "--json")), &people); err != nil || len(people) != 2 {
		t.Fatalf("hw people --json: %+v, %v", people, err)
	}
	other := people[1]
	var theirs, mine struct{ Link string }
	json.Unmarshal([]byte(run(patient, "share", "--person", other.ID, "--ttl", "1h", "--purpose", "TREAT", "--json")), &theirs)
	json.Unmarshal([]byte(run(patient, "share", "--ttl", "1h", "--purpose", "TREAT", "--json")), &mine)
	run(doctor, "receive", theirs.Link, "--json")
	run(doctor, "receive", mine.Link, "--json")
	var card struct{ Card string }
	json.Unmarshal([]byte(run(doctor, "card", "--json")), &card)
	run(patient, "delegate", "add", card.Card, "--rights", "view", "--expires", "30d", "--json")
	for _, args := range [][]string{
		{"people", "--json"}, {"shares", "--json"}, {"access-log", "--json"}, {"network", "show", "--json"},
		{"network", "show"}, {"status", "--json"}, {"settings", "--json"}, {"card", "--json"},
		{"records", "--everyone", "--json"}, {"delegate", "list", "--json"}, {"trust", "list", "--json"},
		{"chain", "status", "--json"},
	} {
		run(patient, args...)
	}
	backup := filepath.Join(dir, "patient.age")
	run(patient, "backup", "--out", backup)
	newWallet := filepath.Join(dir, "theirs")
	run(append(patient, "HW_NEW_PASSWORD=their own password"), "people", "handover", other.ID, "--out", newWallet, "--yes", "--json")
	handed := []string{"HW_VAULT=" + newWallet, "HW_KDF=fast", "HW_PASSWORD=their own password", "HW_CHAIN=", "HW_REGISTRY=", "HW_CHAIN_ID="}
	run(handed, "network", "show", "--json")
	run(handed, "status", "--json")
	run(handed, "settings", "--json")
	node.kill()

	for what, text := range printed {
		if strings.Contains(text, code) {
			t.Errorf("hw %s printed the network's invitation code:\n%s", what, text)
		}
	}
	if strings.Contains(node.stderr.String(), code) {
		t.Errorf("the network node's log holds the invitation code:\n%s", node.stderr)
	}
	for _, f := range []string{backup, filepath.Join(dir, "patient", "vault.hwv"), filepath.Join(newWallet, "vault.hwv")} {
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		if strings.Contains(string(b), code) {
			t.Errorf("%s holds the invitation code in the clear", f)
		}
	}
}
