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

	"github.com/ethereum/go-ethereum/accounts/abi/bind/v2"
	"github.com/ethereum/go-ethereum/common"
	"github.com/ethereum/go-ethereum/core/types"
	"github.com/ethereum/go-ethereum/crypto"
	"github.com/ethereum/go-ethereum/ethclient"

	"healthwallet/chain"
	"healthwallet/chain/chaintest"
	"healthwallet/chain/contracts"
	"healthwallet/wallet/share"
)

// TestStrangerRacesTheGrant is finding 2 of issue 7 with real processes: hw
// chain serve, hw relay, the patient's hw and a doctor's hw receive. A
// stranger watching the mempool sees the patient's grant before it reaches
// the node (the proxy swallows the broadcast and hands it over), and races
// it: it issues the same digest first under its own key, tries to issue and
// revoke it for the patient, and submits the patient's own signed grant from
// its own address. The share still works, the grant on chain is the
// patient's, and the patient revokes it.
func TestStrangerRacesTheGrant(t *testing.T) {
	served := chaintest.StartServe(t) // skips under -short
	proxy := newRPCProxy(t, served.URL)
	rp := startRelay(t, "--chain", served.URL)
	ctx := context.Background()
	dir := t.TempDir()
	patientEnv := chainWalletEnv(dir, "patient", proxy.srv.URL)
	mustHW := hwMust(t)
	mustHW(patientEnv, "init", "--name", "Ada Lovelace")
	patient := walletAddress(t, patientEnv)
	served.Fund(patient)
	obs := filepath.Join(dir, "obs.json")
	if err := os.WriteFile(obs, []byte(`{"resourceType":"Observation","id":"private-race-g1","status":"final","code":{"text":"private-race glucose"},"valueQuantity":{"value":99,"unit":"mg/dL"}}`), 0o600); err != nil {
		t.Fatal(err)
	}
	mustHW(patientEnv, "import", obs)
	mustHW(patientEnv, "relay-url", rp.base)
	mustHW(patientEnv, "anchor", "--timeout", "60s") // a share carries anchored records only

	// The patient shares; its grant's broadcast is seen, not delivered.
	proxy.capture.Store(true)
	var res struct{ ID, Link, Grant, Problem string }
	if err := json.Unmarshal([]byte(mustHW(patientEnv, "share", "--all", "--ttl", "1h", "--purpose", "TREAT", "--json")), &res); err != nil {
		t.Fatal(err)
	}
	var seen types.Transaction
	select {
	case raw := <-proxy.captured:
		b, err := hex.DecodeString(strings.TrimPrefix(raw, "0x"))
		if err != nil || seen.UnmarshalBinary(b) != nil {
			t.Fatalf("the captured broadcast %q: %v", raw, err)
		}
	case <-time.After(time.Minute):
		t.Fatal("the patient's grant was never broadcast")
	}
	proxy.capture.Store(false)
	action, err := chain.DecodeAction(seen.Data(), big.NewInt(chain.DevChainID), served.Registry)
	if err != nil || action.Method != "issueGrantSigned" || action.Patient != patient || action.Signer != patient || action.Digest != common.HexToHash(res.Grant) {
		t.Fatalf("the patient's grant as the mempool shows it: %+v, %v", action, err)
	}

	// The stranger races it.
	ec, err := ethclient.DialContext(ctx, served.URL)
	if err != nil {
		t.Fatal(err)
	}
	defer ec.Close()
	stranger, err := crypto.GenerateKey()
	if err != nil {
		t.Fatal(err)
	}
	strangerAddr := crypto.PubkeyToAddress(stranger.PublicKey)
	served.Fund(strangerAddr)
	reg := contracts.NewHealthRegistry()
	inst := reg.Instance(ec, served.Registry)
	send := func(data []byte) error {
		t.Helper()
		opts := bind.NewKeyedTransactor(stranger, big.NewInt(chain.DevChainID))
		opts.Context = ctx
		tx, err := bind.Transact(inst, opts, data)
		if err != nil {
			return err
		}
		if r, err := chain.WaitMined(ctx, ec, tx.Hash()); err != nil || r.Status != types.ReceiptStatusSuccessful {
			t.Fatalf("the stranger's transaction did not land: %v", err)
		}
		return nil
	}
	refused := func(data []byte, name string) {
		t.Helper()
		rev, ok := contracts.AsRevert(send(data))
		if !ok || rev.Name != name {
			t.Fatalf("want the registry to refuse the stranger with %s, got %v", name, rev)
		}
	}
	expiry := uint64(time.Now().Add(time.Hour).Unix())
	if err := send(reg.PackIssueGrant(action.Digest, strangerAddr, expiry)); err != nil {
		t.Fatalf("the stranger issuing the digest as its own: %v", err)
	}
	refused(reg.PackIssueGrantFor(patient, action.Digest, strangerAddr, expiry), "NotAuthorized")
	if err := send(seen.Data()); err != nil { // the patient's own signed grant, from the stranger's address
		t.Fatalf("the stranger submitting the patient's signed grant: %v", err)
	}
	refused(reg.PackRevokeGrant(patient, action.Digest), "NotAuthorized")
	grant := func() chain.Grant {
		t.Helper()
		g, err := chain.NewRegistry(ec, served.Registry).GrantOf(ctx, patient, action.Digest)
		if err != nil {
			t.Fatal(err)
		}
		return g
	}
	if g := grant(); !g.Active || g.Issuer != patient {
		t.Fatalf("the patient's grant after the race: %+v", g)
	}

	// The patient's wallet catches up: its own broadcast finds the grant
	// already there, counts it as its own, and the share works.
	mustHW(patientEnv, "anchor", "--timeout", "60s")
	var shares []struct{ ID, State string }
	if err := json.Unmarshal([]byte(mustHW(patientEnv, "shares", "--json")), &shares); err != nil || len(shares) != 1 || shares[0].State != "active" {
		t.Fatalf("hw shares after the race: %+v, %v", shares, err)
	}
	doctor := []string{"HW_VAULT=" + filepath.Join(dir, "doctor"), "HW_CHAIN=" + served.URL, "HW_REGISTRY=" + served.Registry.Hex()}
	if out, errOut, code := hwProc(t, doctor, "receive", res.Link, "--json"); code != 0 || !strings.Contains(out, `"verified":true`) {
		t.Fatalf("hw receive after the race: exit %d\n%s%s", code, out, errOut)
	}

	// And revokes it: the stranger's copy does not stand in the way.
	mustHW(patientEnv, "revoke", res.ID[:10], "--yes")
	if g := grant(); !g.Revoked || g.Active {
		t.Fatalf("the patient's grant after hw revoke: %+v", g)
	}
	if out, _, _ := hwProc(t, doctor, "receive", res.Link, "--json"); strings.Contains(out, `"verified":true`) {
		t.Fatalf("hw receive after the revoke verified: %s", out)
	}

	// Nothing private reached this chain either, whoever sent what.
	link, err := share.ParseLink(res.Link)
	if err != nil {
		t.Fatal(err)
	}
	access, err := share.AccessKey(link.Key)
	if err != nil {
		t.Fatal(err)
	}
	var needles [][]byte
	for _, b := range [][]byte{[]byte("private-race"), []byte("Ada Lovelace"), link.Key[:], crypto.FromECDSA(access), crypto.FromECDSA(stranger)} {
		needles = append(needles, b, []byte(hex.EncodeToString(b)))
	}
	kinds := chaintest.ScanForPrivateData(t, ec, needles)
	for _, want := range []string{"anchorSigned", "issueGrantSigned", "issueGrant", "revokeGrantSigned"} {
		if kinds[want] == 0 {
			t.Errorf("the scan saw no %s transaction: %v", want, kinds)
		}
	}
}
