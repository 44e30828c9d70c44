package care

import (
	"context"
	"crypto/ecdsa"
	"crypto/rand"
	"errors"
	"math/big"
	"sync"
	"testing"
	"time"

	"github.com/ethereum/go-ethereum/common"
	"github.com/ethereum/go-ethereum/crypto"

	"healthwallet/chain/merkle"
	"healthwallet/wallet/identity"
	"healthwallet/wallet/share"
)

var (
	testChainID  = uint64(1337)
	testRegistry = common.HexToAddress("0x00000000000000000000000000000000000000aa")
)

// fakeChain is the registry's views with the contract's semantics
// (delegateOf active = rights ≠ 0 ∧ now < expiry), at a time the test sets.
// Unit tests of the formats use it; the wallet's tests run the real chain.
type fakeChain struct {
	mu        sync.Mutex
	now       time.Time
	anchors   map[common.Hash]share.AnchorStatus
	delegates map[[2]common.Address]share.DelegateStatus
	down      error
}

func (c *fakeChain) ChainID(context.Context) (*big.Int, error) {
	if c.down != nil {
		return nil, c.down
	}
	return new(big.Int).SetUint64(testChainID), nil
}

func (c *fakeChain) GrantOf(context.Context, common.Address, common.Hash) (share.GrantStatus, error) {
	return share.GrantStatus{}, errors.New("not used")
}

func (c *fakeChain) AnchorOf(_ context.Context, _ common.Address, root common.Hash) (share.AnchorStatus, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.down != nil {
		return share.AnchorStatus{}, c.down
	}
	return c.anchors[root], nil
}

func (c *fakeChain) DelegateOf(_ context.Context, patient, delegate common.Address) (share.DelegateStatus, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.down != nil {
		return share.DelegateStatus{}, c.down
	}
	d := c.delegates[[2]common.Address{patient, delegate}]
	d.Active = d.Rights != 0 && uint64(c.now.Unix()) < d.Expiry
	return d, nil
}

func newIdentity(t testing.TB) *identity.Identity {
	t.Helper()
	seed := make([]byte, 64)
	if _, err := rand.Read(seed); err != nil {
		t.Fatal(err)
	}
	id, err := identity.FromSeed(seed)
	if err != nil {
		t.Fatal(err)
	}
	return id
}

func newTweak(t testing.TB) [32]byte {
	t.Helper()
	var tw [32]byte
	if _, err := rand.Read(tw[:]); err != nil {
		t.Fatal(err)
	}
	return tw
}

const (
	medication = `{"resourceType":"MedicationRequest","id":"med-1","status":"active","intent":"order","medicationCodeableConcept":{"text":"Metformin 500 MG Oral Tablet"}}`
	condition  = `{"resourceType":"Condition","id":"cond-1","code":{"text":"Diabetes mellitus type 2"}}`
	heartRate  = `{ "resourceType": "Observation", "id": "obs-1", "status": "final", "category":[{"coding":[{"system":"http://terminology.hl7.org/CodeSystem/observation-category","code":"vital-signs"}]}], "code": {"text": "Heart rate"}, "valueQuantity": {"value": 61.5, "unit": "/min"} }`
)

// fixture: a patient, a caregiver, a delegation on the fake chain and
// anchored records.
type fixture struct {
	t         testing.TB
	now       time.Time
	patient   *identity.Identity
	caregiver *identity.Identity
	pcard     identity.Card
	ccard     identity.Card
	tweak     [32]byte
	delegate  common.Address
	chain     *fakeChain
	records   []share.SharedRecord
	key       [32]byte
}

func newFixture(t testing.TB) *fixture {
	t.Helper()
	f := &fixture{t: t, now: time.Now().UTC().Truncate(time.Second), patient: newIdentity(t), caregiver: newIdentity(t), tweak: newTweak(t)}
	var err error
	if f.pcard, err = f.patient.Card("Ada Lovelace"); err != nil {
		t.Fatal(err)
	}
	if f.ccard, err = f.caregiver.Card("Byron Lovelace"); err != nil {
		t.Fatal(err)
	}
	if f.delegate, err = identity.RelationshipAddress(f.ccard, f.tweak); err != nil {
		t.Fatal(err)
	}
	f.chain = &fakeChain{now: f.now, anchors: map[common.Hash]share.AnchorStatus{}, delegates: map[[2]common.Address]share.DelegateStatus{}}
	f.records = f.anchor(medication, condition, heartRate)
	if f.key, err = share.NewKey(); err != nil {
		t.Fatal(err)
	}
	return f
}

// anchor commits resources with fresh salts and anchors them for the patient.
func (f *fixture) anchor(resources ...string) []share.SharedRecord {
	f.t.Helper()
	leaves := make([][32]byte, len(resources))
	recs := make([]share.SharedRecord, len(resources))
	for i, r := range resources {
		salt, err := share.NewKey()
		if err != nil {
			f.t.Fatal(err)
		}
		_, cm, err := share.RecordCommitment([]byte(r), salt)
		if err != nil {
			f.t.Fatal(err)
		}
		leaves[i], recs[i] = cm, share.SharedRecord{Resource: []byte(r), Salt: salt}
	}
	tree, err := merkle.New(leaves)
	if err != nil {
		f.t.Fatal(err)
	}
	for i := range recs {
		recs[i].AnchorRoot, recs[i].AnchorProof = tree.Root(), tree.Prove(i)
	}
	f.chain.anchors[tree.Root()] = share.AnchorStatus{Patient: f.patient.Address(), AnchoredAt: uint64(f.now.Unix()), Count: uint32(len(resources))}
	return recs
}

// scope is a delegation of rights over categories, for 30 days.
func (f *fixture) scope(rights []string, categories ...string) Scope {
	r, err := NormalizeRights(rights)
	if err != nil {
		f.t.Fatal(err)
	}
	return Scope{V: 1, Patient: f.patient.Address(), Delegate: f.delegate, Rights: r, Categories: categories,
		Expiry: uint64(f.now.Add(30 * 24 * time.Hour).Unix()), PatientName: "Ada Lovelace", DelegateName: "Byron Lovelace", Issued: uint64(f.now.Unix()),
		Salt: f.salt()}
}

// salt draws a scope's salt as the patient's wallet does.
func (f *fixture) salt() common.Hash {
	f.t.Helper()
	s, err := NewScopeSalt()
	if err != nil {
		f.t.Fatal(err)
	}
	return s
}

func (f *fixture) sign(s Scope) SignedScope {
	f.t.Helper()
	k, err := f.patient.PrivateKey()
	if err != nil {
		f.t.Fatal(err)
	}
	ss, err := SignScope(s, k)
	if err != nil {
		f.t.Fatal(err)
	}
	return ss
}

// onChain records the delegation as setDelegate would.
func (f *fixture) onChain(s Scope) {
	h, err := s.Hash()
	if err != nil {
		f.t.Fatal(err)
	}
	f.chain.delegates[[2]common.Address{s.Patient, s.Delegate}] = share.DelegateStatus{Rights: s.RightsMask(), Expiry: s.Expiry, Scope: h}
}

// build builds a copy and returns it as FetchCopy would, decrypted.
func (f *fixture) build(ss SignedScope, recs []share.SharedRecord) Copy {
	f.t.Helper()
	b, err := BuildCopy(CopyRequest{Records: recs, Scope: ss, Key: f.key, ChainID: testChainID, Registry: testRegistry, Updated: f.now})
	if err != nil {
		f.t.Fatal(err)
	}
	return f.decrypt(b.Files)
}

func (f *fixture) decrypt(files []share.EncryptedFile) Copy {
	f.t.Helper()
	c := Copy{Link: share.Link{URL: "https://relay.example/shl/x", Key: f.key, Flags: "L"},
		Expect: Expectation{ChainID: testChainID, Registry: testRegistry, Patient: f.patient.Address(), Delegate: f.delegate}}
	for _, ef := range files {
		pt, _, err := share.DecryptFile(ef.JWE, f.key[:])
		if err != nil {
			f.t.Fatal(err)
		}
		c.Files = append(c.Files, share.File{ContentType: ef.ContentType, Plaintext: pt})
	}
	return c
}

// refusedBy asserts that err is a CopyError of check.
func refusedBy(t *testing.T, err error, check string) {
	t.Helper()
	var ce *CopyError
	if !errors.As(err, &ce) {
		t.Fatalf("error %v; want a refusal by %q", err, check)
	}
	if ce.Check != check {
		t.Fatalf("refused by %q (%s); want %q", ce.Check, ce.Detail, check)
	}
	if !errors.Is(err, ErrCopyRefused) {
		t.Fatal("a refusal does not wrap ErrCopyRefused")
	}
}

func mustSignHash(t testing.TB, h common.Hash, k *ecdsa.PrivateKey) []byte {
	t.Helper()
	sig, err := crypto.Sign(h[:], k)
	if err != nil {
		t.Fatal(err)
	}
	return sig
}
