package main

import (
	"context"
	"encoding/hex"
	"encoding/json"
	"errors"
	"math/big"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/ethereum/go-ethereum"
	"github.com/ethereum/go-ethereum/common"
	"github.com/ethereum/go-ethereum/core/types"
	"github.com/ethereum/go-ethereum/crypto"
	"github.com/ethereum/go-ethereum/ethclient"

	"healthwallet/chain/chaintest"
	"healthwallet/chain/contracts"

	"healthwallet/wallet/testcorpus"
)

// zbarRead decodes the QR codes of an image with zbarimg (zbar-tools), a
// decoder independent of the wallet's.
func zbarRead(t *testing.T, file string) []string {
	t.Helper()
	tool := testcorpus.Tool(t, "zbarimg", "apt-get install zbar-tools (make deps installs it)")
	out, err := exec.Command(tool, "--quiet", "--raw", "-Sdisable", "-Sqrcode.enable", file).Output()
	if err != nil {
		t.Fatalf("zbarimg %s found no QR code: %v", filepath.Base(file), err)
	}
	return strings.Split(strings.TrimRight(string(out), "\n"), "\n")
}

// pdfQR extracts the PDF's images with pdfimages (poppler-utils) and
// decodes each with zbarimg.
func pdfQR(t *testing.T, pdf string) []string {
	t.Helper()
	tool := testcorpus.Tool(t, "pdfimages", "apt-get install poppler-utils (make deps installs it)")
	dir := t.TempDir()
	if out, err := exec.Command(tool, "-png", pdf, filepath.Join(dir, "img")).CombinedOutput(); err != nil {
		t.Fatalf("pdfimages: %v: %s", err, out)
	}
	images, _ := filepath.Glob(filepath.Join(dir, "img-*.png"))
	var texts []string
	for _, img := range images {
		texts = append(texts, zbarRead(t, img)...)
	}
	return texts
}

// TestEmergencyCardEndToEnd is issue 9's acceptance point for the
// emergency card, every party its own process on one hw network serve: the
// patient fills the profile (bad input refused with what to fix) and makes
// the card; its QR, read back from the PNG and from the PDF by zbarimg,
// opens in a doctor's hw receive as a Verified IPS document with the blood
// type and the contacts; the opening shows in the patient's access log as
// EMERGENCY, with the relay's transaction, its AccessLogged event found on
// chain (the patient, holding no ETH, paid nothing); renewing revokes the old card, and
// revoking stops the new one.
func TestEmergencyCardEndToEnd(t *testing.T) {
	dir := t.TempDir()
	node := startNetworkNode(t, "127.0.0.1:0", filepath.Join(dir, "node"))
	joinURL := node.ready.JoinURL
	patient, doctor := networkWalletEnv(dir, "patient"), networkWalletEnv(dir, "doctor")
	mustHW := hwMust(t)
	failsHW := func(env []string, want string, args ...string) {
		t.Helper()
		out, errOut, code := hwProc(t, env, args...)
		if code != 1 || !strings.Contains(errOut, want) {
			t.Fatalf("hw %s: exit %d, want 1 saying %q\n%s%s", strings.Join(args, " "), code, want, out, errOut)
		}
	}
	mustHW(patient, "init", "--name", "Ada Lovelace", "--network", joinURL)
	mustHW(doctor, "init", "--name", "Dr. Lee, City Clinic")
	mustHW(doctor, "network", "join", joinURL)

	records := filepath.Join(dir, "ada.json")
	os.WriteFile(records, []byte(`{"resourceType":"Bundle","type":"collection","entry":[
		{"resource":{"resourceType":"Patient","id":"6f1a6c1e-8a3b-4d2e-9c55-2b7d0c1e4f01","name":[{"given":["Ada"],"family":"Lovelace"}],"birthDate":"1815-12-10"}},
		{"resource":{"resourceType":"AllergyIntolerance","id":"a1","clinicalStatus":{"coding":[{"code":"active"}]},"code":{"text":"Penicillin"},"patient":{"reference":"Patient/6f1a6c1e-8a3b-4d2e-9c55-2b7d0c1e4f01"}}},
		{"resource":{"resourceType":"MedicationRequest","id":"m1","status":"active","intent":"order","medicationCodeableConcept":{"text":"Warfarin 5 mg"},"subject":{"reference":"Patient/6f1a6c1e-8a3b-4d2e-9c55-2b7d0c1e4f01"}}},
		{"resource":{"resourceType":"Condition","id":"c1","clinicalStatus":{"coding":[{"code":"active"}]},"code":{"text":"Atrial fibrillation"},"subject":{"reference":"Patient/6f1a6c1e-8a3b-4d2e-9c55-2b7d0c1e4f01"}}},
		{"resource":{"resourceType":"Condition","id":"c2","clinicalStatus":{"coding":[{"code":"resolved"}]},"code":{"text":"Sprained ankle"},"subject":{"reference":"Patient/6f1a6c1e-8a3b-4d2e-9c55-2b7d0c1e4f01"}}},
		{"resource":{"resourceType":"Observation","id":"g1","status":"final","code":{"text":"Glucose"},"valueQuantity":{"value":99,"unit":"mg/dL"},"effectiveDateTime":"2024-03-01"}}]}`), 0o600)
	mustHW(patient, "import", records)

	// The profile: bad input is refused saying what to fix.
	failsHW(patient, "not one of", "emergency", "set", "--blood-type", "C+")
	failsHW(patient, "Name, relation, phone", "emergency", "set", "--contact", "Ana Diaz")
	failsHW(patient, "phone number", "emergency", "set", "--contact", "Ana Diaz, daughter, call her")
	var profile struct {
		BloodType string
		Contacts  []struct{ Name, Relation, Phone string }
	}
	if err := json.Unmarshal([]byte(mustHW(patient, "emergency", "set", "--blood-type", "o neg", "--contact", "Ana Diaz, daughter, +1 555 0100",
		"--contact", "Bo Diaz, son, 555-0101", "--organ-donor", "yes", "--notes", "Pacemaker fitted 2019", "--json")), &profile); err != nil ||
		profile.BloodType != "O-" || len(profile.Contacts) != 2 {
		t.Fatalf("hw emergency set --json: %+v, %v", profile, err)
	}
	var show struct {
		Records []struct {
			Title    string
			Included bool
		}
	}
	if err := json.Unmarshal([]byte(mustHW(patient, "emergency", "show", "--json")), &show); err != nil {
		t.Fatal(err)
	}
	included := map[string]bool{}
	for _, r := range show.Records {
		included[r.Title] = r.Included
	}
	if len(show.Records) != 4 || !included["Penicillin"] || !included["Warfarin 5 mg"] || !included["Atrial fibrillation"] || included["Sprained ankle"] {
		t.Fatalf("the card's candidates (the active ones included): %+v", show.Records)
	}

	// The card.
	pdf, png := filepath.Join(dir, "card.pdf"), filepath.Join(dir, "card.png")
	start := time.Now()
	var card struct {
		ID, Link, Problem string
		Expires           time.Time
		Records           int
	}
	if err := json.Unmarshal([]byte(mustHW(patient, "emergency", "card", "--pdf", pdf, "--png", png, "--json")), &card); err != nil ||
		!strings.Contains(card.Link, "/view#shlink:/") || card.Problem != "" || card.Records != 3 {
		t.Fatalf("hw emergency card --json: %+v, %v", card, err)
	}
	t.Logf("hw emergency card (anchoring its summary, the grant, the upload; 1 s blocks): %v, link %d characters", time.Since(start).Round(time.Millisecond), len(card.Link))
	if d := time.Until(card.Expires); d < 364*24*time.Hour || d > 366*24*time.Hour {
		t.Fatalf("the card expires %s, want in a year", card.Expires)
	}
	if got := zbarRead(t, png); len(got) != 1 || got[0] != card.Link {
		t.Fatalf("the PNG card's QR reads %q, want the link", got)
	}
	fromPDF := pdfQR(t, pdf)
	if len(fromPDF) != 2 || fromPDF[0] != card.Link || fromPDF[1] != card.Link {
		t.Fatalf("the PDF's QR codes read %q, want the link twice (card and page)", fromPDF)
	}

	// A doctor opens the link read back from the printed card.
	var got struct {
		Verified    bool
		PatientName string
		Purpose     string
		Records     []json.RawMessage
	}
	if err := json.Unmarshal([]byte(mustHW(doctor, "receive", fromPDF[0], "--json")), &got); err != nil {
		t.Fatal(err)
	}
	if !got.Verified || got.PatientName != "Ada Lovelace" || got.Purpose != "ETREAT" || len(got.Records) != 6 {
		t.Fatalf("the doctor's hw receive of the card: verified %v, %q, %q, %d records", got.Verified, got.PatientName, got.Purpose, len(got.Records))
	}
	var first struct {
		ResourceType string
		Type         struct{ Coding []struct{ Code string } }
	}
	json.Unmarshal(got.Records[0], &first)
	all := string(json.RawMessage(strings.Join(func() []string {
		s := make([]string, len(got.Records))
		for i, r := range got.Records {
			s[i] = string(r)
		}
		return s
	}(), "\n")))
	if first.ResourceType != "Composition" || first.Type.Coding[0].Code != "60591-5" ||
		!strings.Contains(all, `"code":"882-1"`) || !strings.Contains(all, `"text":"O-"`) ||
		!strings.Contains(all, `"text":"Ana Diaz"`) || !strings.Contains(all, `"value":"+1 555 0100"`) || strings.Contains(all, "Sprained ankle") {
		t.Fatalf("the card is not the IPS with blood type and contacts:\n%s", all)
	}

	// The opening, in the patient's log: EMERGENCY, recorded on chain by
	// the relay through the node's submitter.
	type logEntry struct {
		Who, Purpose, TxHash, Share string
		Emergency, Recorded         bool
	}
	var entry logEntry
	deadline := time.Now().Add(time.Minute)
	for {
		var log []logEntry
		if err := json.Unmarshal([]byte(mustHW(patient, "access-log", "--json")), &log); err != nil {
			t.Fatal(err)
		}
		for _, e := range log {
			if e.Emergency && e.Share == card.ID && e.Who == "Dr. Lee, City Clinic" {
				entry = e
			}
		}
		if entry.Recorded || time.Now().After(deadline) {
			break
		}
		time.Sleep(time.Second)
	}
	if !entry.Emergency || !entry.Recorded || entry.TxHash == "" || entry.Purpose != "ETREAT" {
		t.Fatalf("the break-glass opening in the patient's access log: %+v", entry)
	}
	if out := mustHW(patient, "access-log"); !strings.Contains(out, "EMERGENCY") {
		t.Fatalf("hw access-log does not mark the opening:\n%s", out)
	}
	// On chain (through the network's read-only RPC): the registry's
	// AccessLogged event in that transaction; the patient paid nothing.
	ec, err := ethclient.Dial(node.ready.URL + "/rpc")
	if err != nil {
		t.Fatal(err)
	}
	defer ec.Close()
	ctx := context.Background()
	reg := contracts.NewHealthRegistry()
	logs, err := ec.FilterLogs(ctx, ethereum.FilterQuery{FromBlock: new(big.Int), Addresses: []common.Address{common.HexToAddress(node.ready.Registry)},
		Topics: [][]common.Hash{{reg.GetABI().Events["AccessLogged"].ID}}})
	if err != nil {
		t.Fatal(err)
	}
	found := false
	for _, l := range logs {
		found = found || l.TxHash.Hex() == entry.TxHash
	}
	if !found {
		t.Fatalf("no AccessLogged event in the break-glass transaction %s (%d events)", entry.TxHash, len(logs))
	}
	var status struct{ Balance string }
	if err := json.Unmarshal([]byte(mustHW(patient, "chain", "status", "--json")), &status); err != nil || status.Balance != "0" {
		t.Fatalf("the patient's balance: %+v, %v; want 0 (the node pays)", status, err)
	}

	// Renewing revokes the old card; revoking stops the new one.
	var renewed struct{ ID, Link string }
	if err := json.Unmarshal([]byte(mustHW(patient, "emergency", "card", "--json")), &renewed); err != nil || renewed.Link == card.Link {
		t.Fatalf("renewing: %+v, %v", renewed, err)
	}
	if out, _, _ := hwProc(t, doctor, "receive", card.Link, "--json"); strings.Contains(out, `"verified":true`) {
		t.Fatal("the replaced card still opens as verified")
	}
	mustHW(patient, "emergency", "revoke")
	if out, _, _ := hwProc(t, doctor, "receive", renewed.Link, "--json"); strings.Contains(out, `"verified":true`) {
		t.Fatal("the revoked card still opens as verified")
	}
}

// TestEmergencyCardOnRelayWithGeth: the other deployment, a plain hw relay
// on geth --dev that records openings from its own funded key
// (--submitter-key, mode 0600). The card opens for a receiver with no
// wallet at all (the paramedic's phone); the opening is on chain, sent by
// the relay's key, and in the patient's log as EMERGENCY. A relay without
// a submitter key refuses the card saying so; --submitter-key without
// --chain, and a key file others may read, are refused.
func TestEmergencyCardOnRelayWithGeth(t *testing.T) {
	url, fund := chaintest.StartGeth(t, chaintest.OsakaGas())
	dir := t.TempDir()
	var dep deployResult
	decodeJSON(t, []byte(hwOK(t, []string{"HW_VAULT=" + filepath.Join(dir, "deployer")}, "--chain", url, "chain", "deploy", "--dev-account", "--json")), &dep)
	payer, _ := crypto.GenerateKey()
	payerAddr := crypto.PubkeyToAddress(payer.PublicKey)
	fund(payerAddr)
	keyFile := filepath.Join(dir, "submitter.key")
	os.WriteFile(keyFile, []byte(hex.EncodeToString(crypto.FromECDSA(payer))), 0o644)

	hw, err := exec.LookPath("hw")
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"relay", "--data", t.TempDir(), "--submitter-key", keyFile}, "--submitter-key needs --chain"},
		{[]string{"relay", "--data", t.TempDir(), "--chain", url, "--registry", dep.Registry.Hex(), "--submitter-key", keyFile}, "chmod 600"},
	} {
		out, err := exec.Command(hw, tc.args...).CombinedOutput()
		var ee *exec.ExitError
		if !errors.As(err, &ee) || ee.ExitCode() != exitUser || !strings.Contains(string(out), tc.want) {
			t.Fatalf("hw %s: %v\n%s\nwant exit 1 mentioning %q", strings.Join(tc.args, " "), err, out, tc.want)
		}
	}
	os.Chmod(keyFile, 0o600)
	rp := startRelay(t, "--chain", url, "--registry", dep.Registry.Hex(), "--submitter-key", keyFile, "--rate-ip", "100")
	plain := startRelay(t, "--chain", url, "--registry", dep.Registry.Hex(), "--rate-ip", "100")

	chainEnv := []string{"HW_CHAIN=" + url, "HW_REGISTRY=" + dep.Registry.Hex()}
	patient := append([]string{"HW_VAULT=" + filepath.Join(dir, "patient"), "HW_KDF=fast", "HW_PASSWORD=" + matrixPassword}, chainEnv...)
	nobody := append([]string{"HW_VAULT=" + filepath.Join(dir, "no-wallet")}, chainEnv...)
	hwOK(t, patient, "init", "--name", "Ada Lovelace")
	fund(walletAddress(t, patient))
	allergy := filepath.Join(dir, "allergy.json")
	os.WriteFile(allergy, []byte(`{"resourceType":"AllergyIntolerance","id":"a1","clinicalStatus":{"coding":[{"code":"active"}]},"code":{"text":"Penicillin"}}`), 0o600)
	hwOK(t, patient, "import", allergy)
	hwOK(t, patient, "emergency", "set", "--blood-type", "A+", "--contact", "Ana Diaz, daughter, +1 555 0100")

	// A relay that cannot write on chain refuses the card, saying so.
	out, errOut, code := hwProc(t, patient, "emergency", "card", "--relay", plain.base, "--json")
	if code != 1 || !strings.Contains(errOut, "cannot record emergency openings on chain") {
		t.Fatalf("hw emergency card on a relay without a submitter: exit %d\n%s%s", code, out, errOut)
	}

	png := filepath.Join(dir, "card.png")
	var card struct{ ID, Link string }
	decodeJSON(t, []byte(hwOK(t, patient, "emergency", "card", "--relay", rp.base, "--png", png, "--json")), &card)
	link := zbarRead(t, png)
	if len(link) != 1 || link[0] != card.Link {
		t.Fatalf("the card's QR reads %q", link)
	}
	r, errOut, code := hwReceive(t, nobody, link[0])
	if code != 0 || !*r.Verified || r.Purpose != "ETREAT" || len(r.Records) != 6 { // Composition, Patient, allergy, "no information" on medications and problems, blood type
		t.Fatalf("a receiver with no wallet: exit %d, verified %v, %q, %d records, failed %+v\n%s", code, r.Verified != nil && *r.Verified, r.Purpose, len(r.Records), failedChecks(r), errOut)
	}

	var entry struct {
		Who, TxHash         string
		Emergency, Recorded bool
	}
	deadline := time.Now().Add(time.Minute)
	for !entry.Recorded && time.Now().Before(deadline) {
		var log []struct {
			Who, TxHash, Share  string
			Emergency, Recorded bool
		}
		decodeJSON(t, []byte(hwOK(t, patient, "access-log", "--json")), &log)
		for _, e := range log {
			if e.Emergency && e.Share == card.ID {
				entry.Who, entry.TxHash, entry.Emergency, entry.Recorded = e.Who, e.TxHash, e.Emergency, e.Recorded
			}
		}
		if !entry.Recorded {
			time.Sleep(time.Second)
		}
	}
	if !entry.Emergency || !entry.Recorded || entry.TxHash == "" || entry.Who != "a doctor using hw receive (no wallet)" {
		t.Fatalf("the opening in the patient's log: %+v", entry)
	}
	ec, err := ethclient.Dial(url)
	if err != nil {
		t.Fatal(err)
	}
	defer ec.Close()
	tx, _, err := ec.TransactionByHash(t.Context(), common.HexToHash(entry.TxHash))
	if err != nil {
		t.Fatal(err)
	}
	if from, err := types.Sender(types.LatestSignerForChainID(tx.ChainId()), tx); err != nil || from != payerAddr {
		t.Fatalf("the break-glass transaction came from %s (%v), want the relay's submitter %s", from.Hex(), err, payerAddr.Hex())
	}
}
