package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"syscall"
	"testing"

	"github.com/ethereum/go-ethereum/common"

	"healthwallet/chain/chaintest"
)

// TestSharesTellTheTruth: hw shares lists each share in the state it is
// really in — a relay share opened by a doctor "active" with its openings,
// a revoked one "revoked", a direct share whose hw share --direct was
// interrupted "stopped" with the opening it served — in the JSON fields it
// always had; and hw access-log lists the direct share's opening, who and
// why as the doctor declared them, from this device, after it stopped.
func TestSharesTellTheTruth(t *testing.T) {
	served := chaintest.StartServe(t)
	rp := startRelay(t, "--chain", served.URL)
	dir := t.TempDir()
	patient := chainWalletEnv(dir, "patient", served.URL)
	doctor := []string{"HW_VAULT=" + filepath.Join(dir, "doctor"), "HW_CHAIN=" + served.URL, "HW_REGISTRY=" + served.Registry.Hex()}
	mustHW := hwMust(t)
	mustHW(patient, "init", "--name", "Ada Lovelace")
	var card struct{ Address string }
	if err := json.Unmarshal([]byte(mustHW(patient, "card", "--json")), &card); err != nil {
		t.Fatal(err)
	}
	served.Fund(common.HexToAddress(card.Address))
	obs := filepath.Join(dir, "obs.json")
	os.WriteFile(obs, []byte(`{"resourceType":"Observation","id":"g1","status":"final","code":{"text":"Glucose"},"valueQuantity":{"value":99,"unit":"mg/dL"},"effectiveDateTime":"2024-03-01"}`), 0o600)
	mustHW(patient, "import", obs)
	mustHW(patient, "relay-url", rp.base)

	var made struct{ ID, Link string }
	shareOf := func(out string) (id, link string) {
		t.Helper()
		if err := json.Unmarshal([]byte(out), &made); err != nil || made.ID == "" {
			t.Fatalf("hw share --json: %q, %v", out, err)
		}
		return made.ID, made.Link
	}
	opened, openedLink := shareOf(mustHW(patient, "share", "--all", "--ttl", "1h", "--purpose", "TREAT", "--json"))
	mustHW(doctor, "receive", openedLink, "--as", "Dr. Smith, City Clinic", "--json")
	revoked, _ := shareOf(mustHW(patient, "share", "--all", "--ttl", "1h", "--purpose", "TREAT", "--json"))
	mustHW(patient, "revoke", revoked, "--yes")

	direct := startHWProcess(t, patient, "share", "--all", "--ttl", "1h", "--purpose", "TREAT", "--direct", "127.0.0.1:0", "--json")
	directID, directLink := shareOf(direct.firstLine(t))
	nurse := "Nurse Joy, Harbour Clinic"
	if out := mustHW(doctor, "receive", directLink, "--as", nurse, "--purpose", "ETREAT", "--json"); !strings.Contains(out, `"verified":true`) {
		t.Fatalf("hw receive of the direct share: %s", out)
	}
	direct.signal(t, syscall.SIGINT)

	out := mustHW(patient, "shares", "--json")
	var shares []map[string]any
	if err := json.Unmarshal([]byte(out), &shares); err != nil || len(shares) != 3 {
		t.Fatalf("hw shares --json: %s, %v", out, err)
	}
	byID := map[string]map[string]any{}
	for _, s := range shares {
		for _, field := range []string{"id", "purpose", "created", "expires", "state", "opened", "records", "link", "grant"} {
			if _, ok := s[field]; !ok {
				t.Errorf("hw shares --json lost the field %q: %v", field, s)
			}
		}
		byID[s["id"].(string)] = s
	}
	check := func(id, state string, openings float64, direct bool) {
		t.Helper()
		s := byID[id]
		if s["state"] != state || s["opened"] != openings || (s["direct"] == true) != direct || s["serving"] == true {
			t.Errorf("share %s: %v; want %s, opened %v times, direct %v, not serving", id, s, state, openings, direct)
		}
	}
	check(opened, "active", 1, false)
	check(revoked, "revoked", 0, false)
	check(directID, "stopped", 1, true)
	if p, _ := byID[directID]["problem"].(string); p != "" {
		t.Errorf("the stopped direct share has a problem: %q", p)
	}
	table := mustHW(patient, "shares")
	if !strings.Contains(table, "stopped") || !strings.Contains(table, "revoked") || !strings.Contains(table, "active") {
		t.Errorf("hw shares:\n%s", table)
	}

	var log []struct{ Share, Who, Purpose, Source, Outcome string }
	if err := json.Unmarshal([]byte(mustHW(patient, "access-log", "--json")), &log); err != nil {
		t.Fatal(err)
	}
	if !slices.ContainsFunc(log, func(e struct{ Share, Who, Purpose, Source, Outcome string }) bool {
		return e.Share == directID && e.Who == nurse && e.Purpose == "ETREAT" && e.Source == "direct" && e.Outcome == "served"
	}) {
		t.Fatalf("the direct share's opening is not in hw access-log: %+v", log)
	}
}
