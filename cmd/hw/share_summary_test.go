package main

import (
	"context"
	"encoding/json"
	"path/filepath"
	"strings"
	"testing"

	"github.com/ethereum/go-ethereum/common"
	"github.com/ethereum/go-ethereum/ethclient"

	"healthwallet/chain/chaintest"
	"healthwallet/wallet/share"
	"healthwallet/wallet/testcorpus"
)

// hw share with no choice shares the patient summary, says so and what it
// holds, and carries no billing; --all carries every record, billing
// included. What each share carries is read back as a doctor would.
func TestShareDefaultSummaryAndAll(t *testing.T) {
	patientFile := filepath.Join(testcorpus.Dir(t, "synthea"), "Pablo44_Sporer811_ea2dd5fa-0e9e-4d5b-6384-13f67dc0c142.json")
	served := chaintest.StartServe(t)
	rp := startRelay(t, "--chain", served.URL)
	ctx := context.Background()
	dir := t.TempDir()
	patient := chainWalletEnv(dir, "patient", served.URL)
	mustHW := func(args ...string) (string, string) {
		t.Helper()
		out, errOut, code := hwProc(t, patient, args...)
		if code != 0 {
			t.Fatalf("hw %s: exit %d\n%s%s", strings.Join(args, " "), code, out, errOut)
		}
		return out, errOut
	}
	mustHW("init", "--name", "Pablo Sporer")
	var card struct{ Address string }
	out, _ := mustHW("card", "--json")
	if err := json.Unmarshal([]byte(out), &card); err != nil {
		t.Fatal(err)
	}
	served.Fund(common.HexToAddress(card.Address))
	mustHW("import", patientFile)
	mustHW("relay-url", rp.base)
	var all []struct{ ResourceType string }
	out, _ = mustHW("records", "--json") // one record a line
	for dec := json.NewDecoder(strings.NewReader(out)); dec.More(); {
		var r struct{ ResourceType string }
		if err := dec.Decode(&r); err != nil {
			t.Fatal(err)
		}
		all = append(all, r)
	}

	ec, err := ethclient.DialContext(ctx, served.URL)
	if err != nil {
		t.Fatal(err)
	}
	defer ec.Close()
	in := share.VerifyInput{Chain: share.NewChainReader(ec, served.Registry), ExpectRegistry: served.Registry}
	// carried shares with the given choice and returns the resource types
	// a doctor opening the link receives, and what hw said on stderr.
	carried := func(choice ...string) ([]string, string) {
		t.Helper()
		out, errOut := mustHW(append([]string{"share", "--ttl", "1h", "--purpose", "TREAT", "--json"}, choice...)...)
		var res struct {
			Link    string
			Records int
		}
		if err := json.Unmarshal([]byte(out), &res); err != nil {
			t.Fatalf("hw share --json: %s (%v)", out, err)
		}
		rep := share.Open(ctx, res.Link, share.FetchOptions{Recipient: "Dr. Smith"}, in)
		if !rep.Verified || len(rep.Records) != res.Records {
			t.Fatalf("share.Open: %d records of %d, failed %+v", len(rep.Records), res.Records, rep.Failed())
		}
		var types []string
		for _, raw := range rep.Records {
			var r struct{ ResourceType string }
			if err := json.Unmarshal(raw, &r); err != nil {
				t.Fatal(err)
			}
			types = append(types, r.ResourceType)
		}
		return types, errOut
	}
	billing := func(types []string) int {
		n := 0
		for _, t := range types {
			if t == "Claim" || t == "ExplanationOfBenefit" || t == "Coverage" {
				n++
			}
		}
		return n
	}

	summary, said := carried()
	if !strings.Contains(said, "Sharing your patient summary: ") || !strings.Contains(said, "immunizations") {
		t.Errorf("hw share without a choice says %q; want what the summary holds", said)
	}
	if n := billing(summary); n != 0 || len(summary) == 0 || len(summary) >= len(all) {
		t.Errorf("the default share carries %d of %d records, %d of them billing: want the summary, no billing", len(summary), len(all), n)
	}
	everything, _ := carried("--all")
	if len(everything) != len(all) || billing(everything) == 0 {
		t.Errorf("hw share --all carries %d records (%d billing); want all %d, billing included", len(everything), billing(everything), len(all))
	}
}
