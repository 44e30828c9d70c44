package share

import (
	"strings"
	"testing"
	"time"

	"github.com/ethereum/go-ethereum/common"

	"healthwallet/wallet/identity"
)

const patientMnemonic = "abandon abandon abandon abandon abandon abandon abandon abandon abandon abandon abandon abandon " +
	"abandon abandon abandon abandon abandon abandon abandon abandon abandon abandon abandon art"

// patientShare is a verified share of a patient with an identity card
// (name cardName) and a Patient resource named patientName.
func patientShare(t *testing.T, cardName, patientName string, card func(id *identity.Identity) string) (*fixture, Report) {
	t.Helper()
	id, err := identity.FromMnemonic(patientMnemonic)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(id.Wipe)
	key, err := id.PrivateKey()
	if err != nil {
		t.Fatal(err)
	}
	f := &fixture{t: t, now: time.Unix(1_750_000_000, 0).UTC(), patient: &ecdsaKey{key: key, addr: id.Address()}}
	f.chain = newFakeChain(f.now)
	given, family, _ := strings.Cut(patientName, " ")
	patient := []byte(`{"resourceType":"Patient","id":"p1","birthDate":"1815-12-10","name":[{"given":["` + given + `"],"family":"` + family + `"}]}`)
	f.records = anchorBatch(t, f.chain, f.patient.addr, [][]byte{patient, testResource(1)})
	if f.key, err = NewKey(); err != nil {
		t.Fatal(err)
	}
	text := ""
	if card != nil {
		text = card(id)
	} else {
		c, err := id.Card(cardName)
		if err != nil {
			t.Fatal(err)
		}
		text = c.String()
	}
	s, err := BuildShare(ShareRequest{
		Records: f.records, Key: f.key, Patient: f.patient.addr, Signer: key, PurposeCode: "TREAT",
		NotBefore: f.now.Add(-time.Minute), Expiry: f.now.Add(time.Hour), ChainID: testChainID, Registry: testRegistry,
		Card: text, Network: &NetworkRef{Name: "Riverside Clinic", URL: "https://riverside.example#fp=ab12"},
	})
	if err != nil {
		t.Fatal(err)
	}
	f.share = s
	f.chain.issue(s.Digest, f.patient.addr, f.patient.addr, s.Grant.Expiry)
	f.link = Link{URL: "https://relay.example/shl/abc", Key: f.key, Exp: f.now.Add(time.Hour)}
	return f, Verify(t.Context(), f.input(f.files(s)))
}

// A receiver learns the patient's name (from the signed card) and birth
// date (from the Patient resource), and the network the share names.
func TestVerifyNamesThePatient(t *testing.T) {
	f, r := patientShare(t, "Ada Lovelace", "Ada Lovelace", nil)
	assertVerified(t, r)
	if r.PatientName != "Ada Lovelace" || r.PatientBirthDate != "1815-12-10" || r.PatientWarning != "" {
		t.Fatalf("patient %q born %q, warning %q", r.PatientName, r.PatientBirthDate, r.PatientWarning)
	}
	if c, ok := r.Find(CheckPatientCard); !ok || !c.OK {
		t.Fatalf("card check %+v, %v", c, ok)
	}
	if r.Network == nil || r.Network.Name != "Riverside Clinic" {
		t.Fatalf("network %+v", r.Network)
	}
	p, ok := ProofOf(f.files(f.share))
	if !ok || p.Card == "" || p.Network.URL != "https://riverside.example#fp=ab12" {
		t.Fatalf("ProofOf: %v %+v", ok, p)
	}
	if link := f.link.String(); len(link) > 300 {
		t.Fatalf("the link grew to %d characters: the card must ride in the proof, not the link", len(link))
	}
}

// A card whose name is not the records' Patient's is shown with a warning;
// the share still verifies (the patient chose the name on the card).
func TestVerifyWarnsWhenCardAndPatientDisagree(t *testing.T) {
	_, r := patientShare(t, "Ada", "Augusta King", nil)
	assertVerified(t, r)
	if r.PatientName != "Ada" || !strings.Contains(r.PatientWarning, `"Augusta King"`) {
		t.Fatalf("patient %q, warning %q", r.PatientName, r.PatientWarning)
	}
}

// Someone else's card in the proof is refused: the name shown must be the
// grant's patient's.
func TestVerifyRefusesAnotherPatientsCard(t *testing.T) {
	_, r := patientShare(t, "", "Ada Lovelace", func(*identity.Identity) string {
		other, err := identity.FromMnemonic("zoo zoo zoo zoo zoo zoo zoo zoo zoo zoo zoo zoo zoo zoo zoo zoo zoo zoo zoo zoo zoo zoo zoo vote")
		if err != nil {
			t.Fatal(err)
		}
		defer other.Wipe()
		c, err := other.Card("Mallory")
		if err != nil {
			t.Fatal(err)
		}
		return c.String()
	})
	c := assertFailed(t, r, CheckPatientCard)
	if !strings.Contains(c.Detail, "someone else") || r.PatientName == "Mallory" {
		t.Fatalf("detail %q, name %q", c.Detail, r.PatientName)
	}
	// The records' Patient still names them, unverified by a card.
	if r.PatientName != "Ada Lovelace" {
		t.Fatalf("name %q", r.PatientName)
	}
}

// A receiver's verdict on the network is the "network trusted" check.
func TestVerifyNetworkTrustCheck(t *testing.T) {
	f := newFixture(t)
	in := f.input(f.files(f.share))
	in.Trust = &Check{OK: false, Detail: "made on Riverside Clinic"}
	in.Chain, in.ExpectRegistry, in.ExpectChainID = nil, common.Address{}, nil
	r := Verify(t.Context(), in)
	if c := assertFailed(t, r, CheckNetworkTrusted); c.Detail != "made on Riverside Clinic" {
		t.Fatalf("detail %q", c.Detail)
	}
	if len(r.Records) != 5 {
		t.Fatalf("%d records shown, want all 5", len(r.Records))
	}
}

// A card and a Patient name the same person when their words agree, as
// people and record systems write names: case, punctuation, the digits
// Synthea appends, a middle name. A lone given name does not agree with a
// full name, and another family name never does.
func TestSameName(t *testing.T) {
	for _, c := range []struct {
		card, record string
		same         bool
	}{
		{"Ada Lovelace", "Ada Lovelace", true},
		{"ada  LOVELACE", "Ada Lovelace", true},
		{"Bibi Schowalter", "Bibi254 Schowalter414", true},
		{"Ada Lovelace", "Ada King Lovelace", true},
		{"Ada King Lovelace", "Ada Lovelace", true},
		{"Jean-Luc Picard", "Jean Luc Picard", true},
		{"Ada", "Ada", true},
		{"Ada", "Ada Lovelace", false},
		{"Ada Lovelace", "Ada Byron", false},
		{"Ada", "Augusta King", false},
		{"", "Ada Lovelace", false},
		{"123", "Ada Lovelace", false},
	} {
		if got := sameName(c.card, []string{c.record}); got != c.same {
			t.Errorf("sameName(%q, %q) = %v, want %v", c.card, c.record, got, c.same)
		}
	}
}
