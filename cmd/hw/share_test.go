package main

import (
	"context"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/ethereum/go-ethereum/common"
	"github.com/ethereum/go-ethereum/ethclient"

	"healthwallet/chain/chaintest"
	"healthwallet/wallet/share"
)

// hwProc runs the hw binary with env added to the test's environment and
// returns its output and exit code.
func hwProc(t *testing.T, env []string, args ...string) (stdout, stderr string, code int) {
	t.Helper()
	return runHW(t, "hw", env, args...)
}

// TestShareEndToEnd runs every party as its own process: the embedded chain
// served by hw chain serve, a hw relay checking it, the patient's hw share,
// revoke, shares and access-log, and a doctor's hw receive.
func TestShareEndToEnd(t *testing.T) {
	served := chaintest.StartServe(t)
	rp := startRelay(t, "--chain", served.URL)
	ctx := context.Background()
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
	os.WriteFile(obs, []byte(`{"resourceType":"Bundle","type":"collection","entry":[
		{"resource":{"resourceType":"Observation","id":"g1","status":"final","code":{"text":"Glucose"},"valueQuantity":{"value":99,"unit":"mg/dL"},"effectiveDateTime":"2024-03-01"}},
		{"resource":{"resourceType":"Observation","id":"g2","status":"final","code":{"text":"Glucose"},"valueQuantity":{"value":104,"unit":"mg/dL"},"effectiveDateTime":"2024-04-01"}}]}`), 0o600)
	mustHW(patient, "import", obs)

	// Without a relay, hw share says what to do.
	if _, errOut, code := hwProc(t, patient, "share", "--all", "--ttl", "1h", "--purpose", "TREAT"); code != 1 || !strings.Contains(errOut, "relay-url") {
		t.Fatalf("share without a relay: exit %d: %s", code, errOut)
	}
	mustHW(patient, "relay-url", rp.base)

	qr := filepath.Join(dir, "share.png")
	var res struct {
		ID, Link, Expires, Grant, Problem string
		Records                           int
	}
	out := mustHW(patient, "share", "--all", "--ttl", "1h", "--purpose", "TREAT", "--label", "Glucose for Dr. Smith", "--qr", qr, "--json")
	if err := json.Unmarshal([]byte(out), &res); err != nil || res.ID == "" || res.Records != 2 || res.Problem != "" || !strings.HasPrefix(res.Grant, "0x") || res.Expires == "" {
		t.Fatalf("hw share --json: %s (%v)", out, err)
	}
	if len(res.Link) > share.MaxLinkLength {
		t.Fatalf("link of %d characters", len(res.Link))
	}
	f, err := os.Open(qr)
	if err != nil {
		t.Fatal(err)
	}
	text, err := share.DecodeQRImage(f)
	f.Close()
	if err != nil || text != res.Link {
		t.Fatalf("the QR PNG decodes to %q, %v", text, err)
	}

	// The doctor, another process with no wallet.
	doctor := []string{"HW_VAULT=" + filepath.Join(dir, "doctor"), "HW_CHAIN=" + served.URL, "HW_REGISTRY=" + served.Registry.Hex()}
	out, errOut, code := hwProc(t, doctor, "receive", res.Link, "--json")
	if code != 0 || !strings.Contains(out, `"verified":true`) {
		t.Fatalf("hw receive: exit %d\n%s%s", code, out, errOut)
	}
	// And the library a viewer would use, checked here too.
	ec, err := ethclient.DialContext(ctx, served.URL)
	if err != nil {
		t.Fatal(err)
	}
	defer ec.Close()
	in := share.VerifyInput{Chain: share.NewChainReader(ec, served.Registry), ExpectRegistry: served.Registry}
	if rep := share.Open(ctx, res.Link, share.FetchOptions{Recipient: "Dr. Smith, City Clinic"}, in); !rep.Verified || len(rep.Records) != 2 {
		t.Fatalf("share.Open: %+v", rep.Failed())
	}

	var shares []struct {
		ID, State string
		Opened    int
	}
	if err := json.Unmarshal([]byte(mustHW(patient, "shares", "--json")), &shares); err != nil || len(shares) != 1 || shares[0].State != "active" || shares[0].Opened < 2 {
		t.Fatalf("hw shares: %+v, %v", shares, err)
	}
	// The doctor's one visit (the manifest and the files it fetched) is
	// one row of the access log, its name marked as self-described; every
	// fetch is there with --fetches.
	var log, fetches []struct{ Who, Purpose, Source string }
	if err := json.Unmarshal([]byte(mustHW(patient, "access-log", "--json")), &log); err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal([]byte(mustHW(patient, "access-log", "--json", "--fetches")), &fetches); err != nil {
		t.Fatal(err)
	}
	visits := 0
	for _, e := range log {
		if e.Who == "Dr. Smith, City Clinic" && e.Source == "relay" {
			visits++
		}
	}
	if visits != 1 || len(fetches) < 2 || len(fetches) <= len(log) {
		t.Fatalf("access log: %d visits by Dr. Smith in %+v; every fetch: %+v", visits, log, fetches)
	}
	if text := mustHW(patient, "access-log"); !strings.Contains(text, "Dr. Smith, City Clinic *") || !strings.Contains(text, "* as they describe themselves") {
		t.Fatalf("hw access-log does not mark the self-described name:\n%s", text)
	}

	// Revoke: the relay 404s, the chain says revoked, the doctor is refused.
	mustHW(patient, "revoke", res.ID[:10], "--yes")
	if err := json.Unmarshal([]byte(mustHW(patient, "shares", "--json")), &shares); err != nil || shares[0].State != "revoked" {
		t.Fatalf("hw shares after revoke: %+v, %v", shares, err)
	}
	out, _, _ = hwProc(t, doctor, "receive", res.Link, "--json")
	if strings.Contains(out, `"verified":true`) {
		t.Fatalf("hw receive after revoke verified: %s", out)
	}
	if _, err := share.Fetch(ctx, mustParseLink(t, res.Link), share.FetchOptions{Recipient: "Dr. Smith"}); !errors.Is(err, share.ErrNoLongerAvailable) {
		t.Fatalf("relay after revoke: %v, want 404", err)
	}
	if g, err := share.NewChainReader(ec, served.Registry).GrantOf(ctx, common.HexToAddress(card.Address), common.HexToHash(res.Grant)); err != nil || !g.Revoked {
		t.Fatalf("chain after revoke: %+v, %v", g, err)
	}
}

func mustParseLink(t *testing.T, s string) share.Link {
	t.Helper()
	l, err := share.ParseLink(s)
	if err != nil {
		t.Fatal(err)
	}
	return l
}
