//go:build unix

package main

import (
	"context"
	"encoding/hex"
	"encoding/json"
	"math/big"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/ethereum/go-ethereum"
	"github.com/ethereum/go-ethereum/common"
	"github.com/ethereum/go-ethereum/crypto"
	"github.com/ethereum/go-ethereum/ethclient"

	"healthwallet/chain"
	"healthwallet/chain/chaintest"
	"healthwallet/chain/contracts"
)

// TestNetworkServeOnExistingChain: hw network serve --chain runs a network
// on a chain it does not run — a real geth --dev on the gas rules of public
// chains, with a registry deployed there and a submitter key funded from
// the dev account. Startup refuses a key file others may read, a key with
// no ETH, an address with no registry and a chain that is down, each saying
// what to do. Then a patient who is never funded joins, imports, anchors,
// shares and revokes; a doctor who joined receives the share verified,
// naming the patient, and the access entry lands on chain. The patient's balance stays
// 0; the submitter paid. The gas of each patient action on that chain is
// logged from the receipts.
func TestNetworkServeOnExistingChain(t *testing.T) {
	url, fund := chaintest.StartGeth(t, chaintest.OsakaGas())
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Minute)
	defer cancel()
	dev, err := chain.DialNode(ctx, url, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer dev.Close()
	registry, deployed, err := dev.DeployFromDevAccount(ctx)
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("gas of deploying the registry on geth --dev (Osaka rules): %d", deployed.GasUsed)
	// geth --dev seals a block per transaction; a public chain seals one
	// every few seconds whatever happens. So does this chain, with a
	// transfer a second, so that actions become final.
	tick, stopTicking := context.WithCancel(ctx)
	ticking := make(chan struct{})
	go func() {
		defer close(ticking)
		for tick.Err() == nil {
			dev.FundFromDevAccount(tick, common.Address{0x01}, big.NewInt(1))
			select {
			case <-tick.Done():
			case <-time.After(time.Second):
			}
		}
	}()
	defer func() { stopTicking(); <-ticking }()

	dir := t.TempDir()
	submitterKey, err := crypto.GenerateKey()
	if err != nil {
		t.Fatal(err)
	}
	submitter := crypto.PubkeyToAddress(submitterKey.PublicKey)
	keyHex := hex.EncodeToString(crypto.FromECDSA(submitterKey))
	keyFile := filepath.Join(dir, "submitter.key")
	if err := os.WriteFile(keyFile, []byte(keyHex+"\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	serve := func(chainURL string, registry common.Address) (string, int) {
		t.Helper()
		out, errOut, code := hwProc(t, []string{"HW_CHAIN="}, "--chain", chainURL, "network", "serve", "--listen", "127.0.0.1:0",
			"--data", filepath.Join(dir, "refused"), "--registry", registry.Hex(), "--submitter-key", keyFile, "--no-qr")
		if strings.Contains(out+errOut, keyHex) {
			t.Fatalf("hw network serve printed the submitter key:\n%s%s", out, errOut)
		}
		return errOut, code
	}
	for _, c := range []struct {
		name, chainURL string
		registry       common.Address
		fix            func()
		want           string
	}{
		{"a key file others may read", url, registry, func() { os.Chmod(keyFile, 0o600) }, "chmod 600 " + keyFile},
		{"a submitter with no ETH", url, registry, func() { fund(submitter) }, "fund " + submitter.Hex() + " with ETH"},
		{"no registry at the address", url, common.Address{0x42}, nil, "no contract code there"},
		{"the chain down", "http://127.0.0.1:1", registry, nil, "127.0.0.1:1"},
	} {
		errOut, code := serve(c.chainURL, c.registry)
		if code == 0 || !strings.Contains(errOut, c.want) {
			t.Fatalf("%s: exit %d, want a refusal saying %q:\n%s", c.name, code, c.want, errOut)
		}
		if c.fix != nil {
			c.fix()
		}
	}
	funded, err := dev.Client.BalanceAt(ctx, submitter, nil)
	if err != nil {
		t.Fatal(err)
	}

	node := startNetworkServe(t, []string{"--json", "--chain", url}, "--name", "Riverside Clinic",
		"--registry", registry.Hex(), "--submitter-key", keyFile, "--confirmations", "1")
	var ready networkReady
	if line := node.line(t); json.Unmarshal([]byte(line), &ready) != nil || ready.Registry != registry.Hex() ||
		ready.ChainID != dev.ChainID.Uint64() || ready.Submitter != submitter.Hex() {
		t.Fatalf("hw network serve --chain printed %q; want registry %s, chain %s, submitter %s", line, registry.Hex(), dev.ChainID, submitter.Hex())
	}

	patient, doctor := networkWalletEnv(dir, "patient"), networkWalletEnv(dir, "doctor")
	var created struct{ Address string }
	if err := json.Unmarshal([]byte(hwOK(t, patient, "init", "--name", "Ada Lovelace", "--network", ready.JoinURL, "--json")), &created); err != nil {
		t.Fatal(err)
	}
	patientAddr := common.HexToAddress(created.Address)
	hwOK(t, doctor, "init", "--name", "Dr. Lee, City Clinic")
	hwOK(t, doctor, "network", "join", ready.JoinURL)

	records := filepath.Join(dir, "ada.json")
	os.WriteFile(records, []byte(`{"resourceType":"Bundle","type":"collection","entry":[
		{"resource":{"resourceType":"Patient","id":"ada","name":[{"given":["Ada"],"family":"Lovelace"}],"birthDate":"1815-12-10"}},
		{"resource":{"resourceType":"Observation","id":"g1","status":"final","code":{"text":"Glucose"},"valueQuantity":{"value":99,"unit":"mg/dL"},"effectiveDateTime":"2024-03-01"}}]}`), 0o600)
	hwOK(t, patient, "import", records)
	hwOK(t, patient, "anchor", "--json")
	var shared struct{ ID, Link string }
	if err := json.Unmarshal([]byte(hwOK(t, patient, "share", "--all", "--ttl", "1h", "--purpose", "TREAT", "--json")), &shared); err != nil || shared.Link == "" {
		t.Fatalf("hw share --json: %+v, %v", shared, err)
	}
	var got networkReceived
	if err := json.Unmarshal([]byte(hwOK(t, doctor, "receive", shared.Link, "--json")), &got); err != nil {
		t.Fatal(err)
	}
	if !got.Verified || got.PatientName != "Ada Lovelace" || len(got.Records) != 2 {
		t.Fatalf("the doctor's hw receive on the network on geth: %+v", got)
	}
	// The patient's access log hands the doctor's signed access entries to
	// the network.
	hwOK(t, patient, "access-log", "--json")
	hwOK(t, patient, "revoke", shared.ID, "--yes")

	// Every patient action lands on geth, paid by the submitter.
	gas := map[string]uint64{}
	deadline := time.Now().Add(2 * time.Minute)
	for {
		gas = registryGas(t, ctx, url, registry)
		if gas["GrantRevoked"] > 0 && gas["AccessLogged"] > 0 || time.Now().After(deadline) {
			break
		}
		hwProc(t, patient, "anchor", "--json") // drains the outbox
		time.Sleep(time.Second)
	}
	for _, event := range []string{"Anchored", "GrantIssued", "AccessLogged", "GrantRevoked"} {
		if gas[event] == 0 {
			t.Fatalf("no %s on the chain: %v", event, gas)
		}
		t.Logf("gas of a patient action on geth --dev (Osaka rules): %-12s %d", event, gas[event])
	}
	// With the entry on chain, the patient's access log reads it back through
	// the network's read-only JSON-RPC, which serves no block headers: the
	// entry's time comes from its log.
	var entries []struct {
		Source   string
		Recorded bool
		Time     time.Time
	}
	if err := json.Unmarshal([]byte(hwOK(t, patient, "access-log", "--json")), &entries); err != nil {
		t.Fatal(err)
	}
	onChain := 0
	for _, e := range entries {
		if e.Recorded && !e.Time.IsZero() {
			onChain++
		}
	}
	if onChain == 0 {
		t.Fatalf("the patient's access log shows no access recorded on chain: %+v", entries)
	}
	var status struct{ Balance string }
	if err := json.Unmarshal([]byte(hwOK(t, patient, "chain", "status", "--json")), &status); err != nil || status.Balance != "0" {
		t.Fatalf("the patient's hw chain status: %+v, %v; want balance 0", status, err)
	}
	if b, err := dev.Client.BalanceAt(ctx, patientAddr, nil); err != nil || b.Sign() != 0 {
		t.Fatalf("the patient's balance on geth: %v, %v; want 0", b, err)
	}
	if after, err := dev.Client.BalanceAt(ctx, submitter, nil); err != nil || after.Cmp(funded) >= 0 {
		t.Fatalf("the submitter's balance went from %s to %v (%v); want it spent on gas", funded, after, err)
	}
	node.stop(t)
	if strings.Contains(node.stderr.String(), keyHex) {
		t.Fatal("the node logged the submitter key")
	}
}

// registryGas reads the registry's events on the chain at url, and the gas
// used by the transaction of each, by event name (the last one seen).
func registryGas(t *testing.T, ctx context.Context, url string, registry common.Address) map[string]uint64 {
	t.Helper()
	ec, err := ethclient.DialContext(ctx, url)
	if err != nil {
		t.Fatal(err)
	}
	defer ec.Close()
	logs, err := ec.FilterLogs(ctx, ethereum.FilterQuery{Addresses: []common.Address{registry}})
	if err != nil {
		t.Fatal(err)
	}
	abi := contracts.NewHealthRegistry().GetABI()
	gas := map[string]uint64{}
	for _, l := range logs {
		ev, err := abi.EventByID(l.Topics[0])
		if err != nil {
			continue
		}
		rc, err := ec.TransactionReceipt(ctx, l.TxHash)
		if err != nil {
			t.Fatal(err)
		}
		gas[ev.Name] = rc.GasUsed
	}
	return gas
}
