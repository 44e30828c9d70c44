package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/ethereum/go-ethereum/common"

	"healthwallet/chain/chaintest"
	"healthwallet/wallet/qrcode"
)

// TestDelegateEndToEnd runs caregiving as a family would, every party its
// own process on a network node (hw network serve: the chain, the relay and
// the submission endpoint that pays for the patient's signed actions): the
// patient invites a caregiver for medications only, the caregiver accepts
// and has exactly those; the patient adds one and syncs, the caregiver's
// sync brings it; the patient's log names the caregiver's fetches; the
// patient revokes, and the caregiver's sync fails saying so.
func TestDelegateEndToEnd(t *testing.T) {
	dir := t.TempDir()
	node := startNetworkNode(t, "127.0.0.1:0", filepath.Join(dir, "node"))
	patient, byron := networkWalletEnv(dir, "patient"), networkWalletEnv(dir, "byron")
	hwOK(t, patient, "init", "--name", "Ada Lovelace", "--network", node.ready.JoinURL)
	hwOK(t, byron, "init", "--name", "Byron Lovelace", "--network", node.ready.JoinURL)
	delegateFlow(t, dir, patient, byron)
}

// TestDelegateEndToEndChainServe is the same on the other setup: the
// embedded chain served by hw chain serve and a separate hw relay checking
// it; the patient's wallet sends its own transactions.
func TestDelegateEndToEndChainServe(t *testing.T) {
	served := chaintest.StartServe(t)
	rp := startRelay(t, "--chain", served.URL)
	dir := t.TempDir()
	patient, byron := chainWalletEnv(dir, "patient", served.URL), chainWalletEnv(dir, "byron", served.URL)
	hwOK(t, patient, "init", "--name", "Ada Lovelace")
	hwOK(t, byron, "init", "--name", "Byron Lovelace")
	var card struct{ Address string }
	if err := json.Unmarshal([]byte(hwOK(t, patient, "card", "--json")), &card); err != nil {
		t.Fatal(err)
	}
	served.Fund(common.HexToAddress(card.Address))
	hwOK(t, patient, "relay-url", rp.base)
	delegateFlow(t, dir, patient, byron)
}

// delegateFlow is the family's story, once both wallets exist.
func delegateFlow(t *testing.T, dir string, patient, byron []string) {
	mustHW := hwMust(t)
	// The patient scans Byron's card: a picture of its QR code.
	png, err := qrcode.PNG(strings.TrimSpace(mustHW(byron, "card")), 6)
	if err != nil {
		t.Fatal(err)
	}
	cardFile := filepath.Join(dir, "byron-card.png")
	if err := os.WriteFile(cardFile, png, 0o600); err != nil {
		t.Fatal(err)
	}
	records := filepath.Join(dir, "ada.json")
	os.WriteFile(records, []byte(`{"resourceType":"Bundle","type":"collection","entry":[
		{"resource":{"resourceType":"MedicationRequest","id":"m1","status":"active","intent":"order","medicationCodeableConcept":{"text":"Metformin 500 MG"}}},
		{"resource":{"resourceType":"MedicationRequest","id":"m2","status":"active","intent":"order","medicationCodeableConcept":{"text":"Lisinopril 10 MG"}}},
		{"resource":{"resourceType":"Condition","id":"c1","code":{"text":"Diabetes mellitus type 2"}}}]}`), 0o600)
	mustHW(patient, "import", records)

	start := time.Now()
	var added struct {
		Delegate, Name, Invite, Problem string
		Rights                          []string
		Expires                         time.Time
		Records                         int
	}
	out := mustHW(patient, "delegate", "add", cardFile, "--rights", "view,share", "--expires", "30d", "--category", "medications", "--json")
	if err := json.Unmarshal([]byte(out), &added); err != nil || added.Records != 2 || added.Problem != "" || added.Name != "Byron Lovelace" ||
		strings.Join(added.Rights, ",") != "view,share" || !strings.HasPrefix(added.Invite, "hwinvite:") || time.Until(added.Expires) < 29*24*time.Hour {
		t.Fatalf("hw delegate add --json: %s (%v)", out, err)
	}
	t.Logf("hw delegate add %v (anchor, delegation in a block, copy and invitation uploaded), invite link %d characters",
		time.Since(start).Round(time.Millisecond), len(added.Invite))

	var accepted struct {
		Patient, Name string
		Records       int
	}
	out = mustHW(byron, "care", "accept", added.Invite, "--json")
	if err := json.Unmarshal([]byte(out), &accepted); err != nil || accepted.Records != 2 || accepted.Name != "Ada Lovelace" {
		t.Fatalf("hw care accept --json: %s (%v)", out, err)
	}

	more := filepath.Join(dir, "more.json")
	os.WriteFile(more, []byte(`{"resourceType":"MedicationRequest","id":"m3","status":"active","intent":"order","medicationCodeableConcept":{"text":"Atorvastatin 20 MG"}}`), 0o600)
	mustHW(patient, "import", more)
	var synced struct {
		Delegates []struct {
			Delegate       string
			Records, Added int
			Problem        string
		}
	}
	out = mustHW(patient, "sync", "--json")
	if err := json.Unmarshal([]byte(out), &synced); err != nil || len(synced.Delegates) != 1 || synced.Delegates[0].Added != 1 || synced.Delegates[0].Records != 3 {
		t.Fatalf("hw sync --json: %s (%v)", out, err)
	}
	if out := mustHW(byron, "care", "sync", "--json"); !strings.Contains(out, `"records":3`) {
		t.Fatalf("hw care sync --json after the patient's sync: %s", out)
	}

	var list []struct{ Delegate, State string }
	if err := json.Unmarshal([]byte(mustHW(patient, "delegate", "list", "--json")), &list); err != nil || len(list) != 1 || list[0].State != "active" || list[0].Delegate != added.Delegate {
		t.Fatalf("hw delegate list --json: %+v, %v", list, err)
	}
	var log []struct{ Who, Delegate, Action string }
	if err := json.Unmarshal([]byte(mustHW(patient, "access-log", "--json")), &log); err != nil {
		t.Fatal(err)
	}
	actions := map[string]int{}
	for _, e := range log {
		if e.Delegate == added.Delegate && e.Who == "Byron Lovelace" {
			actions[e.Action]++
		}
	}
	if actions["accepted"] != 1 || actions["synced"] < 1 {
		t.Fatalf("the patient's log of Byron's actions: %v (%+v)", actions, log)
	}

	var revoked struct{ State, Note string }
	out = mustHW(patient, "delegate", "revoke", added.Delegate, "--yes", "--json")
	if err := json.Unmarshal([]byte(out), &revoked); err != nil || revoked.State != "revoked" || !strings.Contains(revoked.Note, "stay") {
		t.Fatalf("hw delegate revoke --json: %s (%v)", out, err)
	}
	if _, errOut, code := hwProc(t, byron, "care", "sync"); code != 1 || !strings.Contains(errOut, "delegation") {
		t.Fatalf("hw care sync after revocation: exit %d: %s", code, errOut)
	}
}
