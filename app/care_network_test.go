package app

import (
	"path/filepath"
	"strings"
	"testing"
	"time"

	"healthwallet/wallet"
	"healthwallet/wallet/testcorpus"
)

// Issue 9's acceptance in the app, over real wallets on one network (the
// one the patient's computer runs): the patient adds a caregiver from their
// card; the caregiver's app accepts the invitation and shows the patient's
// records; it shares them on the patient's behalf, and a doctor's receive
// verifies, naming both; the patient revokes, and the caregiver's Sync now
// says the delegation ended while the records stay.
func TestCaregiverOnOneNetwork(t *testing.T) {
	file := filepath.Join(testcorpus.Dir(t, "synthea"), "Bibi254_Schowalter414_475d72ca-91c7-7211-97e3-f000af33fc04.json")
	want := testcorpus.CountResources(t, file)
	const patientName = "Bibi254 Schowalter414"
	opts := wallet.Options{KDFTime: 1, KDFMemoryKiB: 8 * 1024, KDFThreads: 1}

	patient := newHarness(t, NewBackend(t.TempDir(), opts), desktopSize, true)
	t.Cleanup(func() { closeUI(patient) }) // last: its network serves the others
	patient.createInUI(patientName)
	patient.tap("Try it on this computer")
	patient.wait()
	patient.tap("OK")
	patient.importAndAnchor(file, want)
	m, ok := patient.ui.wallet.Network()
	if !ok {
		t.Fatal("the patient's wallet is on no network")
	}

	cgBackend := NewBackend(t.TempDir(), opts)
	caregiver := newHarness(t, cgBackend, desktopSize, true)
	t.Cleanup(func() { closeUI(caregiver) })
	caregiver.createInUI("Ben Schowalter")
	caregiver.typeIn(caregiver.entry("https://… (the network's link)"), m.JoinURL())
	caregiver.tap("Join")
	caregiver.wait()
	caregiver.tap("OK")
	caregiver.screen("records")
	card, err := caregiver.ui.wallet.Card()
	if err != nil {
		t.Fatal(err)
	}

	// The patient invites Ben: see and share, every record, six months.
	patient.menu("Caregivers")
	patient.wait()
	patient.tap("Add a caregiver")
	patient.typeIn(patient.entry(caregiverCardPlaceholder), card)
	patient.tick(mayShare)
	patient.choose(untilDate)
	patient.typeIn(patient.entry("Last day, YYYY-MM-DD"), time.Now().AddDate(0, 6, 0).Format(time.DateOnly))
	patient.tap("Invite")
	patient.tapLast("Invite")
	patient.wait()
	patient.screen("caregiver-invite")
	patient.qr()
	invite := ""
	for _, s := range patient.labels() {
		if strings.HasPrefix(s, "hwinvite:") {
			invite = s
		}
	}
	if invite == "" {
		t.Fatalf("no invitation on screen: %q", patient.labels())
	}

	caregiver.menu("People")
	caregiver.wait()
	caregiver.tap("Accept an invitation")
	caregiver.typeIn(caregiver.entry("Paste the invitation (hwinvite:…)"), invite)
	caregiver.tap("Accept")
	caregiver.wait()
	caregiver.see("You now care for " + patientName)
	caregiver.tapLast("OK")
	caregiver.wait()
	caregiver.screen("records")
	caregiver.see(patientName + "'s records")
	caregiver.see("COVID-19")
	caregiver.see("Whose records")

	// On her behalf, to a doctor, who sees both names.
	caregiver.tap("Share")
	caregiver.tap("Create share")
	caregiver.tapLast("Share")
	caregiver.wait()
	caregiver.screen("share-result")
	link := ""
	for _, s := range caregiver.labels() {
		if strings.Contains(s, "/view#shlink:/") {
			link = s
		}
	}
	if link == "" {
		t.Fatalf("no link on the share screen: %q", caregiver.labels())
	}
	doctor := newHarness(t, NewBackend(t.TempDir(), opts), desktopSize, true)
	t.Cleanup(func() { closeUI(doctor) })
	doctor.createInUI("Dr. Okafor")
	doctor.typeIn(doctor.entry("https://… (the network's link)"), m.JoinURL())
	doctor.tap("Join")
	doctor.wait()
	doctor.tap("OK")
	got, err := doctor.ui.wallet.Receive(t.Context(), link, wallet.ReceiveOptions{Recipient: "Dr. Okafor, St Mary's"})
	if err != nil || !got.Verified || got.Issuer == got.Patient || got.PatientName != patientName {
		t.Fatalf("the doctor's receive: verified %v, patient %s (%q), issuer %s, problem %q, %v",
			got.Verified, got.Patient, got.PatientName, got.Issuer, got.Problem, err)
	}
	caregiver.tap("Done")
	caregiver.wait()

	// The patient's access log shows what the caregiver did.
	patient.tap("Done")
	patient.wait()
	patient.tap("Back")
	patient.menu("Access log")
	patient.wait()
	patient.see("Ben Schowalter, your caregiver, accepted your invitation")
	patient.see("Ben Schowalter, your caregiver, shared your records")
	// Not yet: the doctor's access to a share made on the patient's behalf
	// does not reach the patient's log (the wallet lists it for the
	// caregiver, whose share it is).

	// The patient ends it; the caregiver's sync says so, the records stay.
	patient.tap("Back")
	patient.menu("Caregivers")
	patient.wait()
	patient.tap("Revoke")
	patient.see("stay there")
	patient.tapLast("Revoke")
	patient.wait()
	patient.see("Revoked")

	caregiver.tap("Sync now")
	caregiver.wait()
	caregiver.see("delegation was revoked")
	caregiver.see("COVID-19")
}
