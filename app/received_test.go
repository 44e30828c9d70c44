package app

import (
	"context"
	"encoding/json"
	"slices"
	"strings"
	"testing"
	"time"

	"fyne.io/fyne/v2/widget"
	"github.com/ethereum/go-ethereum/common"

	"healthwallet/wallet"
	"healthwallet/wallet/network"
	"healthwallet/wallet/share"
)

// The one line that heads a received share, for each way a share can
// turn out: what the clinician reads first.
func TestVerdictLines(t *testing.T) {
	tampered := testReceived()
	tampered.Verified = false
	tampered.Checks[8] = share.Check{Name: share.CheckCommitments, Detail: "entry 2 (Observation/b2c0ff): not received as committed: it was altered or removed"}
	other := testReceived()
	other.Verified, other.Source, other.Network = false, share.SourceOther, nil
	untrustedShare := testReceived()
	untrusted(&untrustedShare)
	unnamedNetwork := testReceived()
	unnamedNetwork.Network = nil

	cases := []struct {
		name string
		got  wallet.Received
		want string
		imp  widget.Importance
	}{
		{"verified", testReceived(), "Intact and anchored on 12 Mar 2024, shared with the patient's consent", widget.SuccessImportance},
		{"verified without a named network", unnamedNetwork, "Intact and anchored on 12 Mar 2024, shared with the patient's consent", widget.SuccessImportance},
		{"tampered", tampered, "Changed since it was shared: do not rely on it", widget.DangerImportance},
		{"other issuer", other, "From another issuer — not verifiable", widget.WarningImportance},
		{"untrusted network", untrustedShare, "Not checked: made on the network “Riverside Clinic”, which is not trusted here; confirm the records with the patient", widget.WarningImportance},
		{"records added", forgedReceived(), "Intact, but 1 record was added after it was shared: shown apart, do not rely on it", widget.DangerImportance},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			text, imp := verdict(c.got)
			if text != c.want || imp != c.imp {
				t.Errorf("verdict %q (%v), want %q (%v)", text, imp, c.want, c.imp)
			}
		})
	}
}

// A verified share shows its patient from the Patient resource and the
// verdict in one line, the checks folded; a refused one opens the checks,
// and says nothing about the patient that only its unverified records say.
func TestReceivedPatientAndChecks(t *testing.T) {
	h := newHarness(t, newFakeBackend(false), phoneSize, false)
	h.ui.sessionTrust = []network.Membership{testMembership()}
	h.tap("Receive a share (for doctors)")
	h.typeIn(h.entry("Paste a link or scan a QR code"), testLink)
	h.pressEnter()
	if got := h.heading(); got != "Ada Lovelace" {
		t.Errorf("heading %q", got)
	}
	h.see("Female · born 10 Dec 1815, 208 years · MRN 004711")
	h.dontSee(testAddress)
	h.dontSee("7f3a1c2e") // a Synthea id is no identifier a clinician looks up
	h.see("Verification: all 11 checks passed")
	if h.checksPanel().Items[0].Open {
		t.Error("the checks of a verified share are unfolded")
	}
	h.dontSee("Signature recovers the issuer")
	h.see("Allergies and intolerances (1)")
	h.see("High risk")

	h.typeInto(h.entry("Paste a link or scan a QR code"), testLinkRevoked)
	h.tap("Open")
	h.see("Withdrawn by the patient: do not rely on it")
	if !h.checksPanel().Items[0].Open {
		t.Error("the checks of a refused share are folded away")
	}
	h.see("Verification: 1 of 11 checks failed")
	h.see("Grant active on chain: revoked on chain by the patient")
	if got := h.heading(); got != "Ada Lovelace" {
		t.Errorf("heading %q", got)
	}
	h.dontSee("MRN 004711")
	h.dontSee("Hemoglobin A1c")
}

// onBehalf is the fake backend whose shares a caregiver made for the
// patient.
type onBehalf struct{ *fakeBackend }

func (b onBehalf) Receive(ctx context.Context, link string, trusted []network.Membership, opts wallet.ReceiveOptions) (wallet.Received, error) {
	got, err := b.fakeBackend.Receive(ctx, link, trusted, opts)
	got.Issuer = common.HexToAddress("0x00000000000000000000000000000000000000b7")
	got.OnBehalf = &share.OnBehalf{Delegate: got.Issuer, DelegateName: "Byron Lovelace", PatientName: "Ada Lovelace",
		Rights: []string{wallet.RightView, wallet.RightShare}, Categories: []string{"Allergies", "Lab results"},
		Expires: time.Date(2025, 4, 10, 0, 0, 0, 0, time.UTC)}
	return got, err
}

// A share a caregiver made says so under the patient's name: who, on
// whose behalf, what they may do, which records, until when.
func TestReceivedOnBehalf(t *testing.T) {
	h := newHarness(t, onBehalf{newFakeBackend(false)}, desktopSize, false)
	h.ui.sessionTrust = []network.Membership{testMembership()}
	h.tap("Receive a share (for doctors)")
	h.typeIn(h.entry("Paste a link or scan a QR code"), testLink)
	h.pressEnter()
	h.see("Shared by Byron Lovelace, caregiver, on Ada Lovelace's behalf: may see records and share them with doctors; " +
		"Allergies, Lab results; until 10 Apr 2025")
	h.see("For Treatment · consent active until 10 Apr 2024 10:00")
	h.dontSee("0x00000000000000000000000000000000000000b7")
}

func TestAge(t *testing.T) {
	now := time.Date(2024, 4, 10, 9, 0, 0, 0, time.UTC)
	for birth, want := range map[string]string{
		"1815-12-10": "208 years",
		"2022-04-10": "2 years",
		"2022-04-11": "23 months",
		"2024-03-10": "1 month",
		"2024-04-03": "7 days",
		"1815":       "",
		"2030-01-01": "",
	} {
		if got := age(birth, now); got != want {
			t.Errorf("age(%s) = %q, want %q", birth, got, want)
		}
	}
}

// A doctor with a keyboard-wedge scanner scans one patient's code, then
// the next one's: the second link replaces the first in the field, and
// opens.
func TestReceiveScansOneAfterAnother(t *testing.T) {
	h := newHarness(t, newFakeBackend(false), desktopSize, false)
	h.ui.sessionTrust = []network.Membership{testMembership()}
	h.tap("Receive a share (for doctors)")
	scan := func(link string) {
		f, ok := h.ui.win.Canvas().Focused().(*widget.Entry)
		if !ok || f.PlaceHolder != "Paste a link or scan a QR code" {
			t.Fatalf("focused %T, want the link field", h.ui.win.Canvas().Focused())
		}
		for _, r := range link {
			f.TypedRune(r)
		}
		h.pressEnter()
	}
	scan(testLink)
	h.see(verifiedLine)
	scan(testLinkRevoked)
	if got := h.entry("Paste a link or scan a QR code").Text; got != testLinkRevoked {
		t.Fatalf("the link field holds %q after the second scan", got)
	}
	h.see("Withdrawn by the patient: do not rely on it")
}

// forgingPatient is the fake backend whose shares' holder added a Patient
// resource of their own, naming someone else; the patient's card names
// no one and the patient's records hold no Patient.
type forgingPatient struct{ *fakeBackend }

func (forgingPatient) Receive(context.Context, string, []network.Membership, wallet.ReceiveOptions) (wallet.Received, error) {
	got := forgedReceived()
	got.PatientName, got.PatientBirthDate = "", ""
	got.Records = slices.DeleteFunc(slices.Clone(got.Records), func(r json.RawMessage) bool {
		return strings.Contains(string(r), `"resourceType":"Patient"`)
	})
	got.Uncovered = append(got.Uncovered, share.UncoveredRecord{
		Resource: json.RawMessage(`{"resourceType":"Patient","id":"m","name":[{"text":"Mallory Forger"}],"gender":"male","birthDate":"1970-01-01"}`),
		Source:   "file 2", Reason: "not among the records the patient consented to share"})
	return got, nil
}

// Someone holding the link adds a Patient resource naming someone else:
// the header never takes its name, which shows only among the records
// listed apart.
func TestReceivedHeaderIgnoresAddedPatient(t *testing.T) {
	h := newHarness(t, forgingPatient{newFakeBackend(false)}, desktopSize, false)
	h.tap("Receive a share (for doctors)")
	h.typeIn(h.entry("Paste a link or scan a QR code"), testLink)
	h.pressEnter()
	if got := h.heading(); got != "Patient not named in this share" {
		t.Errorf("headed %q", got)
	}
	h.dontSee("born 1 Jan 1970")
	h.see("Not covered by the patient's consent (2)")
	h.see("Mallory Forger") // apart, under the warning
}
