package care

import (
	"errors"
	"testing"

	"github.com/ethereum/go-ethereum/common"
	"github.com/ethereum/go-ethereum/crypto"

	"healthwallet/chain/contracts"
	"healthwallet/wallet/record"
)

// The scope hash is what the chain commits to: pinned, so a later version
// computes the same hash for the same terms (or every delegation on chain
// stops matching its scope).
func TestScopeHashPinned(t *testing.T) {
	s := Scope{V: 1, Patient: common.HexToAddress("0x1111111111111111111111111111111111111111"),
		Delegate: common.HexToAddress("0x2222222222222222222222222222222222222222"), Rights: []string{"view", "share"},
		Categories: []string{record.CategoryMedications}, Expiry: 1_800_000_000, PatientName: "Ada Lovelace",
		DelegateName: "Byron Lovelace", Issued: 1_750_000_000,
		Salt: common.HexToHash("0x3333333333333333333333333333333333333333333333333333333333333333")}
	h, err := s.Hash()
	if err != nil {
		t.Fatal(err)
	}
	// The JCS form, written out: the hashed bytes are the domain and this.
	const canonical = `{"categories":["Medications"],"delegate":"0x2222222222222222222222222222222222222222","delegateName":"Byron Lovelace",` +
		`"expiry":1800000000,"issued":1750000000,"patient":"0x1111111111111111111111111111111111111111","patientName":"Ada Lovelace","rights":["view","share"],` +
		`"salt":"0x3333333333333333333333333333333333333333333333333333333333333333","v":1}`
	if want := crypto.Keccak256Hash([]byte("HealthWallet delegation scope v1" + canonical)); h != want {
		t.Fatalf("scope hash %s is not keccak256(domain ‖ %s) = %s", h.Hex(), canonical, want.Hex())
	}
	const golden = "0xaf9a080ef6e714eadde543b02d6c5af56d79b5968d00968d53696063b950ec1e"
	if h.Hex() != golden {
		t.Fatalf("scope hash %s; want %s", h.Hex(), golden)
	}
	if m := s.RightsMask(); m != contracts.RightView|contracts.RightShare {
		t.Fatalf("rights mask %d", m)
	}
}

func TestNormalizeRights(t *testing.T) {
	for _, tt := range []struct {
		in   []string
		want string
	}{
		{nil, "[view]"}, {[]string{"share"}, "[view share]"}, {[]string{"manage", "view", "share", "share"}, "[view share manage]"},
	} {
		got, err := NormalizeRights(tt.in)
		if err != nil || fmtSlice(got) != tt.want {
			t.Errorf("NormalizeRights(%v) = %v, %v; want %s", tt.in, got, err, tt.want)
		}
	}
	if _, err := NormalizeRights([]string{"admin"}); !errors.Is(err, ErrBadScope) {
		t.Fatalf("unknown right: %v", err)
	}
}

func fmtSlice(s []string) string {
	out := "["
	for i, x := range s {
		if i > 0 {
			out += " "
		}
		out += x
	}
	return out + "]"
}

// A scope altered after signing, or signed by someone other than the
// patient it names, is refused.
func TestSignedScopeForgeries(t *testing.T) {
	f := newFixture(t)
	ss := f.sign(f.scope([]string{"view"}, record.CategoryMedications))
	if p, err := ss.Verify(); err != nil || p != f.patient.Address() {
		t.Fatalf("Verify = %s, %v", p.Hex(), err)
	}
	widened := ss
	widened.Scope.Rights = []string{"view", "share"}
	if _, err := widened.Verify(); !errors.Is(err, ErrScopeSignature) {
		t.Fatalf("rights widened after signing: %v; want ErrScopeSignature", err)
	}
	all := ss
	all.Scope.Categories = nil
	if _, err := all.Verify(); !errors.Is(err, ErrScopeSignature) {
		t.Fatalf("categories removed after signing: %v", err)
	}
	later := ss
	later.Scope.Expiry += 365 * 24 * 3600
	if _, err := later.Verify(); !errors.Is(err, ErrScopeSignature) {
		t.Fatalf("expiry moved after signing: %v", err)
	}
	// The caregiver signs terms naming the patient.
	ck, _ := f.caregiver.PrivateKey()
	if _, err := SignScope(ss.Scope, ck); !errors.Is(err, ErrBadScope) {
		t.Fatalf("SignScope with another's key: %v", err)
	}
	forged := ss
	forged.Signature = append([]byte(nil), ss.Signature...)
	forged.Signature[10] ^= 1
	if _, err := forged.Verify(); !errors.Is(err, ErrScopeSignature) {
		t.Fatalf("damaged signature: %v", err)
	}
	// Round trip through its JSON.
	b, err := ss.Marshal()
	if err != nil {
		t.Fatal(err)
	}
	back, err := ParseSignedScope(b)
	if err != nil {
		t.Fatal(err)
	}
	if h1, _ := back.Scope.Hash(); func() bool { h0, _ := ss.Scope.Hash(); return h0 != h1 }() {
		t.Fatal("the scope's hash changed through JSON")
	}
	if _, err := ParseSignedScope(append(b[:len(b)-1], []byte(`,"extra":1}`)...)); !errors.Is(err, ErrBadScope) {
		t.Fatalf("unknown field: %v", err)
	}
}

func TestScopeCheck(t *testing.T) {
	f := newFixture(t)
	good := f.scope([]string{"share"})
	for name, mut := range map[string]func(*Scope){
		"version":          func(s *Scope) { s.V = 2 },
		"no delegate":      func(s *Scope) { s.Delegate = common.Address{} },
		"self":             func(s *Scope) { s.Delegate = s.Patient },
		"expired at issue": func(s *Scope) { s.Expiry = s.Issued },
		"rights unordered": func(s *Scope) { s.Rights = []string{"share", "view"} },
		"unknown category": func(s *Scope) { s.Categories = []string{"Secrets"} },
		"bad type":         func(s *Scope) { s.Types = []string{"medicationRequest"} },
		"bad name":         func(s *Scope) { s.DelegateName = "Evil\u202e" },
		"no salt":          func(s *Scope) { s.Salt = common.Hash{} },
	} {
		s := good
		mut(&s)
		if err := s.Check(); !errors.Is(err, ErrBadScope) {
			t.Errorf("%s: Check = %v; want ErrBadScope", name, err)
		}
	}
	if err := good.Check(); err != nil {
		t.Fatal(err)
	}
}

// Covers reads the record's type and category from the record itself.
func TestScopeCovers(t *testing.T) {
	f := newFixture(t)
	meds := f.scope(nil, record.CategoryMedications)
	if !meds.CoversResource([]byte(medication)) || meds.CoversResource([]byte(condition)) || meds.CoversResource([]byte(heartRate)) {
		t.Fatal("a medications-only scope covers the wrong records")
	}
	all := f.scope(nil)
	for _, r := range []string{medication, condition, heartRate} {
		if !all.CoversResource([]byte(r)) {
			t.Fatalf("an unrestricted scope does not cover %s", r)
		}
	}
	byType := f.scope(nil)
	byType.Types = []string{"Condition"}
	if !byType.CoversResource([]byte(condition)) || byType.CoversResource([]byte(medication)) {
		t.Fatal("a Condition-only scope covers the wrong records")
	}
	if all.CoversResource([]byte(`not json`)) || all.CoversResource([]byte(`{"id":"x"}`)) {
		t.Fatal("unreadable JSON is in scope")
	}
}
