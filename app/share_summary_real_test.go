package app

import (
	"context"
	"encoding/json"
	"fmt"
	"path/filepath"
	"strings"
	"testing"

	"healthwallet/wallet"
	"healthwallet/wallet/network"
	"healthwallet/wallet/testcorpus"
)

// TestDefaultShareIsTheSummaryRealWallet, over the real wallet and the
// network this computer runs: a patient imports a whole Synthea record
// (claims and explanations of benefit included), opens the share form and
// shares what it starts from. A doctor opening the link receives exactly
// the patient summary the form announced — the patient, immunizations,
// recent results and vital signs — and not one billing record.
func TestDefaultShareIsTheSummaryRealWallet(t *testing.T) {
	h, want, home := patientOnThisComputer(t, "Pablo44 Sporer811", "Pablo44_Sporer811_ea2dd5fa-0e9e-4d5b-6384-13f67dc0c142.json")
	patient := h.ui.wallet
	sum, err := patient.(*wallet.Wallet).PatientSummary("")
	if err != nil {
		t.Fatal(err)
	}
	n := len(sum.Records())
	if n == 0 || n >= want {
		t.Fatalf("the summary holds %d of %d records", n, want)
	}

	h.tap("Share")
	h.screen("share")
	h.see(fmt.Sprintf("Patient summary (%d records)", n))
	h.see(fmt.Sprintf("%d records will be shared.", n))
	link := h.shareDirectly()

	got, err := wallet.ReceiveWithNetworks(context.Background(), link,
		wallet.ReceiveOptions{Recipient: "Dr. Grace Hopper, Harbour Clinic", Purpose: "TREAT"}, []network.Membership{home})
	if err != nil {
		t.Fatal(err)
	}
	if !got.Verified || len(got.Failed()) > 0 {
		t.Fatalf("the doctor's share: verified %v, failed %+v, problem %q", got.Verified, got.Failed(), got.Problem)
	}
	if len(got.Records) != n {
		t.Errorf("the doctor receives %d records; the form announced the summary's %d", len(got.Records), n)
	}
	types := map[string]int{}
	for _, raw := range got.Records {
		var r struct{ ResourceType string }
		if err := json.Unmarshal(raw, &r); err != nil {
			t.Fatal(err)
		}
		types[r.ResourceType]++
	}
	for _, billing := range []string{"Claim", "ExplanationOfBenefit", "Coverage"} {
		if types[billing] > 0 {
			t.Errorf("the default share carries %d %s records", types[billing], billing)
		}
	}
	if types["Patient"] != 1 || types["Immunization"] == 0 || types["Observation"] == 0 || types["Encounter"] > 0 {
		t.Errorf("the default share carries %v: want the patient, immunizations and results, no visits", types)
	}
	h.tap("Done")
	h.tapLast("Stop sharing")
	h.wait()
}

// patientOnThisComputer is a patient's app over a real wallet on the
// network this computer runs, with one Synthea file imported and anchored:
// the harness, how many records the file holds, and the network.
func patientOnThisComputer(t *testing.T, name, synthea string) (*harness, int, network.Membership) {
	t.Helper()
	file := filepath.Join(testcorpus.Dir(t, "synthea"), synthea)
	want := testcorpus.CountResources(t, file)
	directListen = "127.0.0.1:0" // this computer's test network is no private LAN
	t.Cleanup(func() { directListen = "0.0.0.0:0" })
	b := NewBackend(t.TempDir(), wallet.Options{KDFTime: 1, KDFMemoryKiB: 8 * 1024, KDFThreads: 1})
	h := newHarness(t, b, desktopSize, true)
	t.Cleanup(func() { closeUI(h) })
	h.createInUI(name)
	h.tap("Try it on this computer")
	h.wait()
	h.tap("OK")
	h.screen("records")
	h.importAndAnchor(file, want)
	home, ok := h.ui.wallet.Network()
	if !ok {
		t.Fatal("no network joined")
	}
	return h, want, home
}

// shareDirectly makes the share chosen on the share form a direct one and
// returns its link, as shown on the share screen.
func (h *harness) shareDirectly() string {
	h.t.Helper()
	h.check("Share directly from this device (local network)")
	h.tap("Create share")
	h.tapLast("Share")
	h.wait()
	h.screen("share-result")
	for _, s := range h.labels() {
		if strings.Contains(s, "#shlink:/") {
			return s
		}
	}
	h.t.Fatal("no link on the share screen")
	return ""
}
