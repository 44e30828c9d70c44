package app

import (
	"context"
	"fmt"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"healthwallet/wallet"
	"healthwallet/wallet/network"
	"healthwallet/wallet/testcorpus"
)

// Issue 8's acceptance in the app, over real wallets and one real network
// node: the patient's app goes through "Try it on this computer", imports
// a Synthea patient and shares; the doctor's app (another wallet directory,
// same process) joins the patient's network by its join URL and receives
// the share: the patient's name, verified, and the records; the patient's
// access log shows the doctor's access.
func TestTwoWalletsOnOneNetwork(t *testing.T) {
	patient := twoWallets(t, func(patient *harness) {
		patient.tap("Try it on this computer")
	})
	if m, ok := patient.ui.wallet.Network(); !ok || !m.Local || !strings.HasPrefix(m.URL, "http://127.0.0.1:") {
		t.Errorf("the patient's network %+v (joined %v), want the local one, on loopback", m, ok)
	}
}

// The same with a network node that a clinic runs (network.Start, as hw
// network serve does, with its self-signed certificate pinned by the join
// URL): both apps join it by its link.
func TestTwoWalletsJoinANode(t *testing.T) {
	node, err := network.Start(context.Background(), network.ServerConfig{
		Listen: "127.0.0.1:0", DataDir: t.TempDir(), Name: "Riverside Clinic", ForceTLS: true,
		BlockPeriod: time.Second,
	})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { node.Close() })
	twoWallets(t, func(patient *harness) {
		patient.typeIn(patient.entry("https://… (the network's link)"), node.Info().JoinURL)
		patient.tap("Join")
	})
}

// twoWallets is the acceptance flow: the patient's app is created and
// joins a network with join (from the network choice), imports a Synthea
// patient and shares; the doctor's app joins the patient's network by its
// join URL and receives the share: the patient's name, verified, the
// records; the patient's access log shows the doctor.
func twoWallets(t *testing.T, join func(patient *harness)) *harness {
	file := filepath.Join(testcorpus.Dir(t, "synthea"), "Bibi254_Schowalter414_475d72ca-91c7-7211-97e3-f000af33fc04.json")
	want := testcorpus.CountResources(t, file)
	const patientName = "Bibi254 Schowalter414" // as the Patient resource names her: card and record agree
	opts := wallet.Options{KDFTime: 1, KDFMemoryKiB: 8 * 1024, KDFThreads: 1}

	patient := newHarness(t, NewBackend(t.TempDir(), opts), desktopSize, true)
	t.Cleanup(func() { closeUI(patient) }) // after the doctor's: the node serves until then
	patient.createInUI(patientName)
	join(patient)
	patient.wait()
	patient.see("You are on the")
	patient.tap("OK")
	patient.screen("records")
	patient.importAndAnchor(file, want)

	patient.tap("Share")
	patient.pick(fmt.Sprintf("All records, insurance and billing included (%d)", want)) // the summary is the default
	patient.tap("Create share")
	patient.tapLast("Share")
	patient.wait()
	patient.screen("share-result")
	link := ""
	for _, s := range patient.labels() {
		if strings.Contains(s, "shlink:/") {
			link = s
		}
	}
	if link == "" {
		t.Fatalf("no link on the share screen: %q", patient.labels())
	}
	m, ok := patient.ui.wallet.Network()
	if !ok {
		t.Fatal("the patient's wallet is on no network")
	}

	doctor := newHarness(t, NewBackend(t.TempDir(), opts), desktopSize, true)
	t.Cleanup(func() { closeUI(doctor) })
	doctor.createInUI("Dr. Okafor")
	doctor.typeIn(doctor.entry("https://… (the network's link)"), m.JoinURL())
	doctor.tap("Join")
	doctor.wait()
	doctor.see("You are on the " + networkName(m.Name) + " now.")
	doctor.tap("OK")
	doctor.screen("records")

	doctor.menu("Receive a share")
	doctor.typeIn(doctor.entry("Paste a link or scan a QR code"), link)
	doctor.typeIn(doctor.entry("e.g. Dr. Smith, City Clinic"), "Dr. Okafor, St Mary's")
	doctor.tap("Open")
	doctor.wait()
	doctor.see("born ")
	doctor.see(verifiedLine)
	doctor.see("Shared by " + patientName)
	doctor.dontSee("Not verified")
	doctor.see("COVID-19")

	// A doctor without a wallet, who never joined.
	front := newHarness(t, NewBackend(t.TempDir(), opts), desktopSize, true)
	t.Cleanup(func() { closeUI(front) })
	front.tap("Receive a share (for doctors)")
	front.typeIn(front.entry("Paste a link or scan a QR code"), link)
	front.tap("Open")
	front.wait()
	if m.Fingerprint != "" {
		// The node's own certificate: its server cannot even be reached
		// until its network, whose join link pins it, is trusted.
		front.see("The link's server is on a network this app does not know yet")
		front.tap("Trust a network…")
		front.typeIn(front.entry("https://… (the network's link)"), m.JoinURL())
		front.tapLast("Trust this network")
		front.wait()
	} else {
		// Every record shown, not verified, the network named; trusting
		// it for the session verifies.
		front.see("born ")
		front.see("Not checked: made on the network “" + m.Name + "”, which is not trusted here")
		front.see("Network trusted: made on the " + networkName(m.Name))
		front.see("COVID-19")
		front.tap("Trust this network")
		front.tapLast("Trust this network")
		front.wait()
	}
	front.see(verifiedLine)
	front.see("Shared by " + patientName)
	front.see("COVID-19")

	patient.tap("Done")
	patient.menu("Access log")
	patient.wait()
	patient.see("Dr. Okafor, St Mary's")
	return patient
}

// closeUI lets a harness's background work end and closes its wallet,
// stopping what it runs, before its directory is removed.
func closeUI(h *harness) {
	h.wait()
	if h.ui.wallet != nil {
		h.ui.wallet.Close()
	}
}
