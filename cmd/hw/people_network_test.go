package main

import (
	"encoding/json"
	"path/filepath"
	"strings"
	"testing"

	"healthwallet/wallet/testcorpus"
)

// On a network (the way patient and doctor meet), someone kept apart in a
// wallet is shared as themselves: their address enrols with the node on its
// first action, their records are anchored and their share granted under it,
// the doctor sees them — not the owner — as the patient, and revoking the
// share ends it.
func TestShareOfSomeoneKeptApartOnANetwork(t *testing.T) {
	files, err := filepath.Glob(filepath.Join(testcorpus.Dir(t, "synthea"), "*_*_*.json"))
	if err != nil || len(files) < 2 {
		t.Fatalf("want several Synthea patients: %d (%v)", len(files), err)
	}
	files = files[:2]
	name := func(f string) string {
		parts := strings.SplitN(filepath.Base(f), "_", 3)
		return strings.TrimRight(parts[0], "0123456789") + " " + strings.TrimRight(parts[1], "0123456789")
	}
	dir := t.TempDir()
	node := startNetworkNode(t, "127.0.0.1:0", filepath.Join(dir, "node"))
	env := func(who string) []string {
		return []string{"HW_VAULT=" + filepath.Join(dir, who), "HW_KDF=fast", "HW_PASSWORD=correct horse battery",
			"HW_CHAIN=", "HW_REGISTRY=", "HW_CHAIN_ID="}
	}
	patient, doctor := env("patient"), env("doctor")
	mustHW := func(env []string, args ...string) string {
		t.Helper()
		out, errOut, code := hwProc(t, env, args...)
		if code != 0 {
			t.Fatalf("hw %s: exit %d\n%s%s", strings.Join(args, " "), code, out, errOut)
		}
		return out
	}
	mustHW(patient, "init", "--name", name(files[0]), "--network", node.ready.JoinURL)
	mustHW(doctor, "init", "--name", "Dr. Lee, City Clinic")
	mustHW(doctor, "network", "join", node.ready.JoinURL)
	mustHW(patient, append([]string{"import"}, files...)...)

	var people []struct{ ID, Name, Address string }
	if err := json.Unmarshal([]byte(mustHW(patient, "people", "--json")), &people); err != nil || len(people) != 2 {
		t.Fatalf("hw people --json: %+v, %v", people, err)
	}
	other := people[1]
	var shared struct{ ID, Link, Problem string }
	if err := json.Unmarshal([]byte(mustHW(patient, "share", "--person", other.ID, "--ttl", "1h", "--purpose", "TREAT", "--json")), &shared); err != nil || shared.Problem != "" {
		t.Fatalf("hw share --person %s: %+v, %v", other.ID, shared, err)
	}
	var got struct {
		Verified    bool
		Patient     string
		PatientName string
	}
	if err := json.Unmarshal([]byte(mustHW(doctor, "receive", shared.Link, "--json")), &got); err != nil {
		t.Fatal(err)
	}
	if !got.Verified || !strings.EqualFold(got.Patient, other.Address) || !strings.Contains(got.PatientName, strings.Fields(name(files[1]))[0]) {
		t.Fatalf("the doctor received %+v; want verified, patient %s (%s)", got, other.Address, other.Name)
	}
	mustHW(patient, "revoke", shared.ID)
	if _, errOut, code := hwProc(t, doctor, "receive", shared.Link); code == 0 || !strings.Contains(errOut, "revoked") {
		t.Fatalf("receiving after revoke: exit %d, %s", code, errOut)
	}
}
