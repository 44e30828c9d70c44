package share

import (
	"context"
	"crypto/ecdsa"
	"errors"
	"fmt"
	"math/big"
	"sync"
	"testing"
	"time"

	"github.com/ethereum/go-ethereum/common"
	"github.com/ethereum/go-ethereum/crypto"

	"healthwallet/chain/merkle"
)

type ecdsaKey struct {
	key  *ecdsa.PrivateKey
	addr common.Address
}

// fakeChain is an in-memory HealthRegistry with the contract's semantics
// (grantOf's issuer, active = issued ∧ ¬revoked ∧ now < expiry), at a block
// time the test sets.
type fakeChain struct {
	mu        sync.Mutex
	id        *big.Int
	now       time.Time
	grants    map[common.Hash]GrantStatus
	anchors   map[common.Hash]AnchorStatus
	delegates map[[2]common.Address]DelegateStatus
	down      error // every call fails with it when set
}

var _ ChainReader = (*fakeChain)(nil)

func newFakeChain(now time.Time) *fakeChain {
	return &fakeChain{id: new(big.Int).Set(testChainID), now: now, grants: map[common.Hash]GrantStatus{},
		anchors: map[common.Hash]AnchorStatus{}, delegates: map[[2]common.Address]DelegateStatus{}}
}

func (c *fakeChain) ChainID(context.Context) (*big.Int, error) {
	if c.down != nil {
		return nil, c.down
	}
	return c.id, nil
}

func (c *fakeChain) GrantOf(_ context.Context, _ common.Address, d common.Hash) (GrantStatus, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.down != nil {
		return GrantStatus{}, c.down
	}
	g := c.grants[d]
	g.Active = g.Patient != (common.Address{}) && !g.Revoked && uint64(c.now.Unix()) < g.Expiry
	return g, nil
}

func (c *fakeChain) AnchorOf(_ context.Context, _ common.Address, root common.Hash) (AnchorStatus, error) {
	if c.down != nil {
		return AnchorStatus{}, c.down
	}
	return c.anchors[root], nil
}

func (c *fakeChain) DelegateOf(_ context.Context, patient, delegate common.Address) (DelegateStatus, error) {
	if c.down != nil {
		return DelegateStatus{}, c.down
	}
	d := c.delegates[[2]common.Address{patient, delegate}]
	d.Active = d.Rights != 0 && uint64(c.now.Unix()) < d.Expiry
	return d, nil
}

func (c *fakeChain) issue(digest common.Hash, patient, issuer common.Address, expiry uint64) {
	c.grants[digest] = GrantStatus{Patient: patient, Issuer: issuer, Expiry: expiry}
}

// fixture is a patient with anchored records and a share of some of them.
type fixture struct {
	t       testing.TB
	now     time.Time
	patient *ecdsaKey
	chain   *fakeChain
	records []SharedRecord
	key     [32]byte
	link    Link
	share   *Share
}

func testResource(i int) []byte {
	// Spaced and ordered oddly on purpose: commitments hash the JCS form.
	return fmt.Appendf(nil, `{ "resourceType": "Observation", "id": "obs-%d", "status": "final",
		"code": {"text": "Heart rate"}, "valueQuantity": {"value": %d.50, "unit": "/min"} }`, i, 60+i)
}

// anchorBatch commits resources with fresh salts, anchors the batch for
// patient on the fake chain, and returns them with their proofs.
func anchorBatch(t testing.TB, c *fakeChain, patient common.Address, resources [][]byte) []SharedRecord {
	t.Helper()
	leaves := make([][32]byte, len(resources))
	recs := make([]SharedRecord, len(resources))
	for i, r := range resources {
		salt, err := NewKey()
		if err != nil {
			t.Fatal(err)
		}
		_, cm, err := RecordCommitment(r, salt)
		if err != nil {
			t.Fatal(err)
		}
		leaves[i] = cm
		recs[i] = SharedRecord{Resource: r, Salt: salt}
	}
	tree, err := merkle.New(leaves)
	if err != nil {
		t.Fatal(err)
	}
	for i := range recs {
		recs[i].AnchorRoot, recs[i].AnchorProof = tree.Root(), tree.Prove(i)
	}
	c.anchors[tree.Root()] = AnchorStatus{Patient: patient, AnchoredAt: uint64(c.now.Add(-24 * time.Hour).Unix()), Count: uint32(len(resources))}
	return recs
}

// newFixture anchors 7 records in two batches and shares 5 of them,
// issued on chain by the patient, valid for an hour.
func newFixture(t testing.TB) *fixture {
	t.Helper()
	f := &fixture{t: t, now: time.Unix(1_750_000_000, 0).UTC(), patient: mustKey(t, "patient")}
	f.chain = newFakeChain(f.now)
	var res [][]byte
	for i := range 7 {
		res = append(res, testResource(i))
	}
	batch1 := anchorBatch(t, f.chain, f.patient.addr, res[:4])
	batch2 := anchorBatch(t, f.chain, f.patient.addr, res[4:])
	f.records = []SharedRecord{batch1[0], batch1[2], batch1[3], batch2[0], batch2[2]}
	var err error
	if f.key, err = NewKey(); err != nil {
		t.Fatal(err)
	}
	f.share = f.build(f.patient, common.Hash{})
	f.chain.issue(f.share.Digest, f.patient.addr, f.patient.addr, f.share.Grant.Expiry)
	f.link = Link{URL: "https://relay.example/shl/abc", Key: f.key, Exp: f.now.Add(time.Hour), Label: "test share"}
	return f
}

func (f *fixture) build(signer *ecdsaKey, recipient common.Hash) *Share {
	f.t.Helper()
	s, err := BuildShare(ShareRequest{
		Records: f.records, Key: f.key, Patient: f.patient.addr, Signer: signer.key, Recipient: recipient,
		PurposeCode: "TREAT", NotBefore: f.now.Add(-time.Minute), Expiry: f.now.Add(time.Hour),
		ChainID: testChainID, Registry: testRegistry,
	})
	if err != nil {
		f.t.Fatal(err)
	}
	return s
}

// files returns the share's files decrypted, as Fetch would.
func (f *fixture) files(s *Share) []File {
	f.t.Helper()
	var out []File
	for _, ef := range s.Files {
		pt, _, err := DecryptFile(ef.JWE, f.key[:])
		if err != nil {
			f.t.Fatal(err)
		}
		out = append(out, File{ContentType: ef.ContentType, Plaintext: pt})
	}
	return out
}

func (f *fixture) input(files []File) VerifyInput {
	return VerifyInput{Link: f.link, Files: files, Now: f.now, Chain: f.chain, ExpectChainID: testChainID, ExpectRegistry: testRegistry}
}

// assertFailed checks that the report is not verified and that check name
// failed, and returns it.
func assertFailed(t *testing.T, r Report, name string) Check {
	t.Helper()
	if r.Verified {
		t.Errorf("report verified; want %q to fail", name)
	}
	c, ok := r.Find(name)
	if !ok {
		t.Fatalf("no check %q in %+v", name, r.Checks)
	}
	if c.OK {
		t.Fatalf("check %q passed; failed checks: %+v", name, r.Failed())
	}
	return c
}

func assertVerified(t *testing.T, r Report) {
	t.Helper()
	if !r.Verified {
		t.Fatalf("not verified; failed: %+v", r.Failed())
	}
}

var errDown = errors.New("connection refused")

// mustSign signs a digest with a raw key, bypassing SignGrant's checks.
func mustSign(t testing.TB, d common.Hash, k *ecdsaKey) []byte {
	t.Helper()
	sig, err := crypto.Sign(d[:], k.key)
	if err != nil {
		t.Fatal(err)
	}
	return sig
}
