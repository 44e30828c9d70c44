package share

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/ethereum/go-ethereum/common"
	"github.com/ethereum/go-ethereum/crypto"

	"healthwallet/chain/contracts"
	"healthwallet/wallet/record"
)

// medResource is a MedicationStatement: category Medications.
func medResource(i int) []byte {
	return fmt.Appendf(nil, `{"resourceType":"MedicationStatement","id":"med-%d","status":"active",
		"medicationCodeableConcept":{"text":"Drug %d"},"subject":{"reference":"Patient/p"}}`, i, i)
}

// delegated is a fixture's patient delegating to a caregiver: the signed
// scope, on the fake chain with its hash.
func (f *fixture) delegate(caregiver *ecdsaKey, rights []string, types, categories []string) SignedDelegationScope {
	f.t.Helper()
	rights, err := NormalizeRights(rights)
	if err != nil {
		f.t.Fatal(err)
	}
	s := DelegationScope{V: DelegationScopeVersion, Patient: f.patient.addr, Delegate: caregiver.addr, Rights: rights,
		Types: types, Categories: categories, Expiry: uint64(f.now.Add(30 * 24 * time.Hour).Unix()),
		PatientName: "Ada Lovelace", DelegateName: "Byron Lovelace", Issued: uint64(f.now.Add(-time.Hour).Unix()), Salt: mustSalt(f.t)}
	signed, err := SignDelegationScope(s, f.patient.key)
	if err != nil {
		f.t.Fatal(err)
	}
	f.chain.delegates[[2]common.Address{f.patient.addr, caregiver.addr}] = DelegateStatus{Rights: s.RightsMask(), Expiry: s.Expiry, Scope: mustHash(f.t, s)}
	return signed
}

func mustSalt(t testing.TB) common.Hash {
	t.Helper()
	salt, err := NewScopeSalt()
	if err != nil {
		t.Fatal(err)
	}
	return salt
}

func mustHash(t testing.TB, s DelegationScope) common.Hash {
	t.Helper()
	h, err := s.Hash()
	if err != nil {
		t.Fatal(err)
	}
	return h
}

// delegateShare builds a share signed by caregiver with the scope d (no
// checks: BuildShare's own are bypassed by adding d afterwards when raw is
// true) and issues it on the fake chain.
func (f *fixture) delegateShare(caregiver *ecdsaKey, d *SignedDelegationScope, raw bool) []File {
	f.t.Helper()
	req := ShareRequest{
		Records: f.records, Key: f.key, Patient: f.patient.addr, Signer: caregiver.key,
		PurposeCode: "TREAT", NotBefore: f.now.Add(-time.Minute), Expiry: f.now.Add(time.Hour),
		ChainID: testChainID, Registry: testRegistry,
	}
	if !raw {
		req.Delegation = d
	}
	s, err := BuildShare(req)
	if err != nil {
		f.t.Fatal(err)
	}
	f.chain.issue(s.Digest, f.patient.addr, caregiver.addr, s.Grant.Expiry)
	files := f.files(s)
	if raw && d != nil {
		files = replaceProof(f.t.(*testing.T), files, func(p *ProofFile) { p.Delegation = d })
	}
	return files
}

// withMedications makes the fixture's shared records two medications and
// two observations, all anchored by the patient.
func (f *fixture) withMedications() {
	recs := anchorBatch(f.t, f.chain, f.patient.addr, [][]byte{medResource(1), medResource(2), testResource(10), testResource(11)})
	f.records = recs
}

func TestDelegateShareVerifies(t *testing.T) {
	ctx := context.Background()
	f := newFixture(t)
	caregiver := mustKey(t, "caregiver")
	d := f.delegate(caregiver, []string{DelegateRightView, DelegateRightShare}, nil, nil)
	r := Verify(ctx, f.input(f.delegateShare(caregiver, &d, false)))
	assertVerified(t, r)
	if r.Issuer != caregiver.addr || r.Patient != f.patient.addr {
		t.Errorf("issuer %s patient %s", r.Issuer.Hex(), r.Patient.Hex())
	}
	ob := r.OnBehalf
	if ob == nil {
		t.Fatal("the report does not say the share was made on the patient's behalf")
	}
	if ob.Delegate != caregiver.addr || ob.DelegateName != "Byron Lovelace" || ob.PatientName != "Ada Lovelace" ||
		strings.Join(ob.Rights, ",") != "view,share" || !ob.Expires.Equal(d.Scope.Expires()) {
		t.Errorf("on behalf: %+v", ob)
	}
	for _, name := range []string{CheckDelegation, CheckDelegationRecords} {
		if c, ok := r.Find(name); !ok || !c.OK {
			t.Errorf("check %q: %+v", name, c)
		}
	}
	if len(r.Records) != len(f.records) {
		t.Errorf("%d records shown, want %d", len(r.Records), len(f.records))
	}

	// The patient's own share runs no delegation check and names no delegate.
	own := Verify(ctx, f.input(f.files(f.share)))
	assertVerified(t, own)
	if _, ok := own.Find(CheckDelegation); ok || own.OnBehalf != nil {
		t.Errorf("the patient's own share reports a delegation: %+v", own.OnBehalf)
	}
}

func TestDelegateShareMedicationsOnly(t *testing.T) {
	ctx := context.Background()
	f := newFixture(t)
	f.withMedications()
	caregiver := mustKey(t, "caregiver")
	d := f.delegate(caregiver, []string{DelegateRightShare}, nil, []string{record.CategoryMedications})

	// The caregiver's wallet refuses to build it, before signing anything.
	_, err := BuildShare(ShareRequest{Records: f.records, Key: f.key, Patient: f.patient.addr, Signer: caregiver.key,
		PurposeCode: "TREAT", Expiry: f.now.Add(time.Hour), NotBefore: f.now, ChainID: testChainID, Registry: testRegistry, Delegation: &d})
	if !errors.Is(err, ErrOutsideScope) || !strings.Contains(err.Error(), "Observation/obs-10") {
		t.Fatalf("BuildShare of records outside the scope: %v", err)
	}

	// Medications alone verify.
	all := f.records
	f.records = all[:2]
	assertVerified(t, Verify(ctx, f.input(f.delegateShare(caregiver, &d, false))))

	// A forged share (built around BuildShare's check) with observations is
	// refused by the doctor's check, and the observations are shown apart.
	f.records = all
	r := Verify(ctx, f.input(f.delegateShare(caregiver, &d, true)))
	c := assertFailed(t, r, CheckDelegationRecords)
	if !strings.Contains(c.Detail, "2 record(s) outside") || !strings.Contains(c.Detail, "Observation/obs-10") {
		t.Errorf("detail %q", c.Detail)
	}
	if len(r.Records) != 2 || len(r.Uncovered) != 2 || !strings.Contains(r.Uncovered[0].Reason, "outside the delegation's scope") {
		t.Errorf("%d records shown, uncovered %+v", len(r.Records), r.Uncovered)
	}
	if c, _ := r.Find(CheckDelegation); !c.OK {
		t.Errorf("the scope itself is good: %+v", c)
	}
}

func TestDelegateShareRefusals(t *testing.T) {
	ctx := context.Background()
	share := []string{DelegateRightView, DelegateRightShare}

	t.Run("no scope document", func(t *testing.T) {
		f := newFixture(t)
		caregiver := mustKey(t, "caregiver")
		f.delegate(caregiver, share, nil, nil)
		r := Verify(ctx, f.input(f.delegateShare(caregiver, nil, true)))
		c := assertFailed(t, r, CheckDelegation)
		if !strings.Contains(c.Detail, "no scope document") {
			t.Errorf("detail %q", c.Detail)
		}
		assertFailed(t, r, CheckDelegationRecords)
		if len(r.Records) != 0 {
			t.Errorf("%d records shown as covered", len(r.Records))
		}
	})
	t.Run("scope of another delegate", func(t *testing.T) {
		f := newFixture(t)
		caregiver, other := mustKey(t, "caregiver"), mustKey(t, "other caregiver")
		f.delegate(caregiver, []string{DelegateRightView}, nil, nil) // caregiver may not share
		d := f.delegate(other, share, nil, nil)
		c := assertFailed(t, Verify(ctx, f.input(f.delegateShare(caregiver, &d, true))), CheckDelegation)
		if !strings.Contains(c.Detail, "taken from another delegation") {
			t.Errorf("detail %q", c.Detail)
		}
	})
	t.Run("scope edited by the delegate", func(t *testing.T) {
		f := newFixture(t)
		caregiver := mustKey(t, "caregiver")
		d := f.delegate(caregiver, share, nil, []string{record.CategoryMedications})
		d.Scope.Categories = nil // widened to every record
		c := assertFailed(t, Verify(ctx, f.input(f.delegateShare(caregiver, &d, true))), CheckDelegation)
		if !strings.Contains(c.Detail, "not by the patient") {
			t.Errorf("detail %q", c.Detail)
		}
	})
	t.Run("older wider scope, replaced on chain", func(t *testing.T) {
		f := newFixture(t)
		caregiver := mustKey(t, "caregiver")
		wide := f.delegate(caregiver, share, nil, nil)
		f.delegate(caregiver, share, nil, []string{record.CategoryMedications}) // the patient narrowed it
		c := assertFailed(t, Verify(ctx, f.input(f.delegateShare(caregiver, &wide, false))), CheckDelegation)
		if !strings.Contains(c.Detail, "another scope document") {
			t.Errorf("detail %q", c.Detail)
		}
	})
	t.Run("scope signed by the delegate", func(t *testing.T) {
		f := newFixture(t)
		caregiver := mustKey(t, "caregiver")
		d := f.delegate(caregiver, share, nil, nil)
		forged := d.Scope
		sig, err := SignDelegationScope(DelegationScope{}, caregiver.key)
		if err == nil {
			t.Fatal("signed an empty scope")
		}
		forged.Patient = caregiver.addr
		if _, err := SignDelegationScope(forged, caregiver.key); err == nil {
			t.Fatal("a delegate signed a scope naming themselves both patient and delegate")
		}
		h := mustHash(t, d.Scope)
		sig.Scope, sig.Signature = d.Scope, mustSign(t, h, caregiver)
		c := assertFailed(t, Verify(ctx, f.input(f.delegateShare(caregiver, &sig, true))), CheckDelegation)
		if !strings.Contains(c.Detail, "not by the patient") {
			t.Errorf("detail %q", c.Detail)
		}
	})
	t.Run("without SHARE in the scope", func(t *testing.T) {
		f := newFixture(t)
		caregiver := mustKey(t, "caregiver")
		d := f.delegate(caregiver, []string{DelegateRightView}, nil, nil)
		st := f.chain.delegates[[2]common.Address{f.patient.addr, caregiver.addr}]
		st.Rights |= contracts.RightShare // even if the chain said otherwise
		f.chain.delegates[[2]common.Address{f.patient.addr, caregiver.addr}] = st
		c := assertFailed(t, Verify(ctx, f.input(f.delegateShare(caregiver, &d, true))), CheckDelegation)
		if !strings.Contains(c.Detail, "right to share") {
			t.Errorf("detail %q", c.Detail)
		}
	})
	t.Run("revoked delegation", func(t *testing.T) {
		f := newFixture(t)
		caregiver := mustKey(t, "caregiver")
		d := f.delegate(caregiver, share, nil, nil)
		files := f.delegateShare(caregiver, &d, false)
		assertVerified(t, Verify(ctx, f.input(files)))
		delete(f.chain.delegates, [2]common.Address{f.patient.addr, caregiver.addr})
		r := Verify(ctx, f.input(files))
		c := assertFailed(t, r, CheckDelegation)
		if !strings.Contains(c.Detail, "revoked") {
			t.Errorf("detail %q", c.Detail)
		}
		assertFailed(t, r, CheckIssuerAuthorized)
	})
	t.Run("expired delegation", func(t *testing.T) {
		f := newFixture(t)
		caregiver := mustKey(t, "caregiver")
		d := f.delegate(caregiver, share, nil, nil)
		files := f.delegateShare(caregiver, &d, false)
		f.chain.now = d.Scope.Expires().Add(time.Second) // the chain moved past the delegation
		c := assertFailed(t, Verify(ctx, f.input(files)), CheckDelegation)
		if !strings.Contains(c.Detail, "ended on") {
			t.Errorf("detail %q", c.Detail)
		}
	})
	t.Run("chain down", func(t *testing.T) {
		f := newFixture(t)
		caregiver := mustKey(t, "caregiver")
		d := f.delegate(caregiver, share, nil, nil)
		files := f.delegateShare(caregiver, &d, false)
		in := f.input(files)
		in.Chain = nil
		assertFailed(t, Verify(ctx, in), CheckDelegation)
	})
}

func TestBuildShareDelegationRefusals(t *testing.T) {
	f := newFixture(t)
	caregiver, other := mustKey(t, "caregiver"), mustKey(t, "other")
	d := f.delegate(caregiver, []string{DelegateRightView, DelegateRightShare}, nil, nil)
	base := ShareRequest{Records: f.records, Key: f.key, Patient: f.patient.addr, Signer: caregiver.key, PurposeCode: "TREAT",
		NotBefore: f.now, Expiry: f.now.Add(time.Hour), ChainID: testChainID, Registry: testRegistry, Delegation: &d}
	viewOnly := f.delegate(caregiver, []string{DelegateRightView}, nil, nil)
	tampered := d
	tampered.Scope.Rights = []string{DelegateRightManage}
	for name, edit := range map[string]func(*ShareRequest){
		"another signer":      func(r *ShareRequest) { r.Signer = other.key },
		"another patient":     func(r *ShareRequest) { r.Patient = other.addr },
		"without SHARE":       func(r *ShareRequest) { r.Delegation = &viewOnly },
		"tampered scope":      func(r *ShareRequest) { r.Delegation = &tampered },
		"past the delegation": func(r *ShareRequest) { r.Expiry = d.Scope.Expires().Add(time.Hour) },
	} {
		req := base
		edit(&req)
		if _, err := BuildShare(req); err == nil {
			t.Errorf("%s: built", name)
		}
	}
	if _, err := BuildShare(base); err != nil {
		t.Fatal(err)
	}
}

func TestDelegationScopeHashAndCovers(t *testing.T) {
	s := DelegationScope{V: 1, Patient: common.HexToAddress("0x01"), Delegate: common.HexToAddress("0x02"),
		Rights: []string{"view"}, Categories: []string{"Medications"}, Expiry: 2_000_000_000, Issued: 1_900_000_000,
		Salt: common.HexToHash("0x5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a")}
	// A test vector, so the hash on chain can never change silently.
	if got, want := mustHash(t, s).Hex(), scopeVector; got != want {
		t.Errorf("hash %s, want %s", got, want)
	}
	wider := s
	wider.Categories = nil
	if mustHash(t, wider) == mustHash(t, s) {
		t.Error("a wider scope hashes the same")
	}
	if !s.CoversResource(medResource(1)) || s.CoversResource(testResource(1)) || s.CoversResource([]byte(`{}`)) {
		t.Error("Covers medications only")
	}
	if !wider.CoversResource(testResource(1)) {
		t.Error("an empty scope covers everything")
	}
	byType := s
	byType.Categories, byType.Types = nil, []string{"Observation"}
	if !byType.CoversResource(testResource(1)) || byType.CoversResource(medResource(1)) {
		t.Error("Covers by type")
	}
	if s.RightsMask() != contracts.RightView || strings.Join(RightNames(7), ",") != "view,share,manage" {
		t.Error("rights")
	}
}

// The scope's salt keeps its hash on chain from confirming guessed names:
// two scopes the same but for the salt hash differently, an attacker who
// knows every other term finds no name by hashing candidates, and a scope
// without a salt is refused wherever one is read or signed.
func TestDelegationScopeSalt(t *testing.T) {
	patient := mustKey(t, "patient")
	s := DelegationScope{V: 1, Patient: patient.addr, Delegate: common.HexToAddress("0x02"), Rights: []string{"view", "share"},
		Expiry: 2_000_000_000, Issued: 1_900_000_000, PatientName: "Ada Lovelace", DelegateName: "Byron Lovelace", Salt: mustSalt(t)}
	other := s
	other.Salt = mustSalt(t)
	if other.Salt == s.Salt || mustHash(t, other) == mustHash(t, s) {
		t.Fatal("two scopes different only in their salt hash the same")
	}

	// The attacker: the on-chain hash, every term but the names and the
	// salt, and a list of names that holds the right ones.
	onChain := mustHash(t, s)
	for _, p := range []string{"Ada Lovelace", "Ada Byron"} {
		for _, d := range []string{"Byron Lovelace", "Charles Babbage"} {
			guess := s
			guess.PatientName, guess.DelegateName, guess.Salt = p, d, common.Hash{}
			if mustHash(t, guess) == onChain {
				t.Fatalf("the names %q and %q were confirmed from the scope hash without the salt", p, d)
			}
		}
	}

	unsalted := s
	unsalted.Salt = common.Hash{}
	if err := unsalted.Check(); !errors.Is(err, ErrBadScope) || !strings.Contains(err.Error(), "no salt") {
		t.Fatalf("Check of a scope without salt: %v", err)
	}
	if _, err := SignDelegationScope(unsalted, patient.key); !errors.Is(err, ErrBadScope) {
		t.Fatalf("SignDelegationScope of a scope without salt: %v", err)
	}
	// Signed without a salt (as an old or foreign wallet might): refused on
	// verify and on parse, whether the salt is zero or missing.
	h := mustHash(t, unsalted)
	sig, err := crypto.Sign(h[:], patient.key)
	if err != nil {
		t.Fatal(err)
	}
	forged := SignedDelegationScope{Scope: unsalted, Signature: sig}
	if _, err := forged.Verify(); !errors.Is(err, ErrBadScope) {
		t.Fatalf("Verify of a signed scope without salt: %v", err)
	}
	b, err := forged.Marshal()
	if err != nil {
		t.Fatal(err)
	}
	zero := `,"salt":"` + common.Hash{}.Hex() + `"`
	if !strings.Contains(string(b), zero) {
		t.Fatalf("the zero salt is not in %s", b)
	}
	for _, data := range []string{string(b), strings.Replace(string(b), zero, "", 1)} {
		if _, err := ParseSignedDelegationScope([]byte(data)); !errors.Is(err, ErrBadScope) {
			t.Errorf("parsed a scope without salt (%.60s…): %v", data[strings.Index(data, "issued"):], err)
		}
	}

	// The salt is signed: changed after signing, the scope is refused.
	signed, err := SignDelegationScope(s, patient.key)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := ParseSignedDelegationScope(mustMarshal(t, signed)); err != nil {
		t.Fatalf("a salted scope does not round trip: %v", err)
	}
	resalted := signed
	resalted.Scope.Salt = other.Salt
	if _, err := resalted.Verify(); !errors.Is(err, ErrScopeSignature) {
		t.Fatalf("salt changed after signing: %v; want ErrScopeSignature", err)
	}
}

func mustMarshal(t testing.TB, ss SignedDelegationScope) []byte {
	t.Helper()
	b, err := ss.Marshal()
	if err != nil {
		t.Fatal(err)
	}
	return b
}

const scopeVector = "0xc6020f73e49c2ba547e2a395ca7eaebce9beb40d7cc96c2f04ba15618176ca60"

func TestProofFileCarriesDelegation(t *testing.T) {
	f := newFixture(t)
	caregiver := mustKey(t, "caregiver")
	d := f.delegate(caregiver, []string{DelegateRightShare}, []string{"Observation"}, nil)
	files := f.delegateShare(caregiver, &d, false)
	p, ok := ProofOf(files)
	if !ok || p.Delegation == nil {
		t.Fatal("no delegation in the proof file")
	}
	if mustHash(t, p.Delegation.Scope) != mustHash(t, d.Scope) || string(p.Delegation.Signature) != string(d.Signature) {
		t.Errorf("round trip changed the scope")
	}
	if _, err := p.Delegation.Verify(); err != nil {
		t.Error(err)
	}
	b, _ := p.Marshal()
	for _, bad := range []string{
		strings.Replace(string(b), `"delegation":{"scope"`, `"delegation":{"extra":1,"scope"`, 1),
		strings.Replace(string(b), `"rights":["view","share"]`, `"rights":["own"]`, 1),
		strings.Replace(string(b), `"rights":["view","share"]`, `"rights":["view","share"],"Rights":["manage"]`, 1),
	} {
		if bad == string(b) {
			t.Fatal("the edit did not apply")
		}
		if _, err := ParseProof([]byte(bad)); !errors.Is(err, ErrBadProof) {
			t.Errorf("parsed %.80s…: %v", bad[strings.Index(bad, "delegation"):], err)
		}
	}
}

func FuzzParseSignedDelegationScope(f *testing.F) {
	patient := mustKey(f, "patient")
	good, err := SignDelegationScope(DelegationScope{V: 1, Patient: patient.addr, Delegate: common.HexToAddress("0x02"),
		Rights: []string{"view", "share"}, Categories: []string{"Medications"}, Types: []string{"Observation"}, Expiry: 5, Issued: 1,
		PatientName: "Ada", DelegateName: "Byron", Salt: mustSalt(f)}, patient.key)
	if err != nil {
		f.Fatal(err)
	}
	b, _ := good.Marshal()
	f.Add(b)
	f.Add([]byte(`{"scope":{"v":1,"patient":"0x0000000000000000000000000000000000000001","delegate":"0x0000000000000000000000000000000000000002","rights":["view"],"expiry":5,"issued":1,"patientName":"A","delegateName":"B"},"signature":"0x00"}`))
	// The good scope with its salt zeroed, dropped, repeated, too short.
	salt := `"salt":"` + good.Scope.Salt.Hex() + `"`
	for _, bad := range []string{
		`"salt":"0x0000000000000000000000000000000000000000000000000000000000000000"`,
		`"salt":null`,
		salt + `,` + salt,
		`"salt":"0x5a5a"`,
	} {
		f.Add([]byte(strings.Replace(string(b), salt, bad, 1)))
	}
	f.Add([]byte(strings.Replace(string(b), `,`+salt, ``, 1)))
	f.Add([]byte(`{"scope":{},"signature":""}`))
	f.Add([]byte(`[]`))
	f.Fuzz(func(t *testing.T, data []byte) {
		s, err := ParseSignedDelegationScope(data)
		if err != nil {
			if !errors.Is(err, ErrBadScope) && !errors.Is(err, ErrScopeSignature) {
				t.Fatalf("error wraps neither ErrBadScope nor ErrScopeSignature: %v", err)
			}
			return
		}
		// Accepted: well formed and signed by the patient it names.
		if p, err := s.Verify(); err != nil || p != s.Scope.Patient {
			t.Fatalf("accepted a scope that does not verify: %v", err)
		}
	})
}
