//go:build unix

package main

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/ethereum/go-ethereum/common"
	"github.com/ethereum/go-ethereum/ethclient"

	"healthwallet/chain/chaintest"
	"healthwallet/wallet/network"
	"healthwallet/wallet/share"
	"healthwallet/wallet/viewer"
)

// TestRelayServesViewerAndChain, every party its own process (hw chain
// serve, hw relay --chain --name, the patient's hw share, a doctor's hw
// receive): the relay serves the viewer's page with its CSP, a network
// document naming its chain, registry, own /rpc, name and the viewer's
// hash, and a read-only /rpc that answers chain reads and refuses
// transactions; hw share --json gives the viewer URL as link and viewer;
// hw receive verifies both the viewer form and the bare shlink:/; a
// receiver reading the chain only through the relay's /rpc verifies too.
func TestRelayServesViewerAndChain(t *testing.T) {
	served := chaintest.StartServe(t)
	rp := startRelay(t, "--chain", served.URL, "--name", "Riverside relay")
	ctx := context.Background()

	get := func(path string) (*http.Response, []byte) {
		t.Helper()
		resp, err := http.Get(rp.base + path)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return resp, b
	}
	resp, page := get("/view")
	if resp.StatusCode != http.StatusOK || resp.Header.Get("Content-Security-Policy") != viewer.ContentSecurityPolicy || !strings.Contains(string(page), "viewer.js") {
		t.Fatalf("GET /view: %d %q %.100s", resp.StatusCode, resp.Header.Get("Content-Security-Policy"), page)
	}
	resp, raw := get(network.WellKnownPath)
	doc, err := network.ParseDocument(raw)
	if resp.StatusCode != http.StatusOK || err != nil {
		t.Fatalf("the relay's document: %d %s (%v)", resp.StatusCode, raw, err)
	}
	if doc.Name != "Riverside relay" || doc.ChainID != served.ChainID.Uint64() || common.HexToAddress(doc.Registry) != served.Registry ||
		len(doc.RPC) != 1 || doc.RPC[0] != rp.base+"/rpc" || doc.Relay != rp.base || doc.Submit != "" || doc.Enrolment != network.EnrolmentNone ||
		doc.Viewer != "sha256:"+viewer.BundleHash() {
		t.Fatalf("the relay's document %+v", doc)
	}
	ec, err := ethclient.DialContext(ctx, doc.RPC[0])
	if err != nil {
		t.Fatal(err)
	}
	defer ec.Close()
	if id, err := ec.ChainID(ctx); err != nil || id.Cmp(served.ChainID) != 0 {
		t.Fatalf("eth_chainId through /rpc: %v, %v", id, err)
	}
	if code, err := ec.CodeAt(ctx, served.Registry, nil); err != nil || len(code) == 0 {
		t.Fatalf("the registry's code through /rpc: %d bytes, %v", len(code), err)
	}
	r, err := http.Post(doc.RPC[0], "application/json", strings.NewReader(`{"jsonrpc":"2.0","id":1,"method":"eth_sendRawTransaction","params":["0x00"]}`))
	if err != nil {
		t.Fatal(err)
	}
	b, _ := io.ReadAll(r.Body)
	r.Body.Close()
	if !strings.Contains(string(b), "not allowed") {
		t.Fatalf("/rpc took eth_sendRawTransaction: %s", b)
	}
	if resp, b := get("/issuer-keys"); resp.StatusCode != http.StatusBadRequest || !strings.Contains(string(b), "iss=") {
		t.Fatalf("/issuer-keys without iss: %d %s", resp.StatusCode, b)
	}

	// A share made on it: the link is the relay's viewer URL.
	dir := t.TempDir()
	patient := chainWalletEnv(dir, "patient", served.URL)
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
	var res struct{ Link, Viewer string }
	out := mustHW(patient, "share", "--all", "--ttl", "1h", "--purpose", "TREAT", "--label", "For Dr. Smith", "--json")
	if err := json.Unmarshal([]byte(out), &res); err != nil || !strings.HasPrefix(res.Viewer, rp.base+"/view#shlink:/") || res.Link != res.Viewer || len(res.Link) > share.MaxLinkLength {
		t.Fatalf("hw share --json: %s (%v)", out, err)
	}
	l, err := share.ParseLink(res.Link)
	if err != nil {
		t.Fatal(err)
	}
	doctor := []string{"HW_VAULT=" + filepath.Join(dir, "doctor"), "HW_CHAIN=" + served.URL, "HW_REGISTRY=" + served.Registry.Hex()}
	for _, form := range []string{res.Viewer, l.String()} {
		if out, errOut, code := hwProc(t, doctor, "receive", form, "--json"); code != 0 || !strings.Contains(out, `"verified":true`) {
			t.Fatalf("hw receive %.50s…: exit %d\n%s%s", form, code, out, errOut)
		}
	}
	// A wallet cannot join a relay (it sends no actions), and can trust it
	// for verifying shares made on its chain.
	clinician := []string{"HW_VAULT=" + filepath.Join(dir, "clinician"), "HW_KDF=fast", "HW_PASSWORD=correct horse battery", "HW_CHAIN=", "HW_REGISTRY="}
	mustHW(clinician, "init", "--name", "Dr. Smith")
	if out, errOut, code := hwProc(t, clinician, "network", "join", rp.base); code != 1 || !strings.Contains(errOut, "cannot be joined") || !strings.Contains(errOut, "hw network trust") {
		t.Fatalf("hw network join of a relay: exit %d\n%s%s", code, out, errOut)
	}
	if out := mustHW(clinician, "network", "trust", rp.base, "--json"); !strings.Contains(out, `"enrolment":"none"`) || !strings.Contains(out, `"name":"Riverside relay"`) {
		t.Fatalf("hw network trust of a relay: %s", out)
	}
	// The chain read only through the relay's /rpc, as the viewer reads it.
	in := share.VerifyInput{Chain: share.NewChainReader(ec, common.HexToAddress(doc.Registry)), ExpectRegistry: common.HexToAddress(doc.Registry)}
	if rep := share.Open(ctx, res.Viewer, share.FetchOptions{Recipient: "Dr. Smith"}, in); !rep.Verified || len(rep.Records) != 1 {
		t.Fatalf("verified through the relay's /rpc: %v, failed %+v", rep.Verified, rep.Failed())
	}
}
