package care

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/ethereum/go-ethereum/common"

	"healthwallet/wallet/record"
	"healthwallet/wallet/share"
)

func TestVerifyCopy(t *testing.T) {
	f := newFixture(t)
	s := f.scope([]string{"share"})
	f.onChain(s)
	c := f.build(f.sign(s), f.records)
	v, err := VerifyCopy(context.Background(), c, f.chain)
	if err != nil {
		t.Fatal(err)
	}
	if len(v.Records) != 3 || v.Patient != f.patient.Address() || !v.Scope.Has(RightShare) || v.Expires().Unix() != int64(s.Expiry) {
		t.Fatalf("verified %+v", v)
	}
	for _, ch := range v.Checks {
		if !ch.OK {
			t.Fatalf("a failed check in a verified copy: %+v", ch)
		}
	}
}

// Medications only: the copy holds the medication and nothing else, and
// BuildCopy refuses to put anything else in it.
func TestBuildCopyScope(t *testing.T) {
	f := newFixture(t)
	s := f.scope(nil, record.CategoryMedications)
	f.onChain(s)
	if _, err := BuildCopy(CopyRequest{Records: f.records, Scope: f.sign(s), Key: f.key, ChainID: testChainID, Registry: testRegistry}); err == nil {
		t.Fatal("BuildCopy put records outside the scope in the copy")
	}
	v, err := VerifyCopy(context.Background(), f.build(f.sign(s), f.records[:1]), f.chain)
	if err != nil || len(v.Records) != 1 {
		t.Fatalf("medications-only copy: %v", err)
	}
}

// Each forgery is refused by the check named for it.
func TestVerifyCopyRefusals(t *testing.T) {
	ctx := context.Background()
	t.Run("forged scope signature", func(t *testing.T) {
		f := newFixture(t)
		s := f.scope([]string{"view"})
		f.onChain(s)
		ss := f.sign(s)
		// The caregiver (or the relay) signs a wider scope itself.
		ck, _ := f.caregiver.PrivateKey()
		wide := s
		wide.Rights = []string{"view", "share", "manage"}
		h, _ := wide.Hash()
		ss.Scope = wide
		ss.Signature = mustSignHash(t, h, ck)
		c := f.rebuild(ss, f.records)
		_, err := VerifyCopy(ctx, c, f.chain)
		refusedBy(t, err, CheckScopeSigned)
	})
	t.Run("scope hash not the chain's", func(t *testing.T) {
		f := newFixture(t)
		s := f.scope([]string{"view"}, record.CategoryMedications)
		f.onChain(s)
		// The patient signed a wider scope too, but the chain commits to the
		// narrow one: the wider one is not the delegation.
		wide := s
		wide.Categories = nil
		_, err := VerifyCopy(ctx, f.build(f.sign(wide), f.records), f.chain)
		refusedBy(t, err, CheckScopeOnChain)
	})
	t.Run("delegation revoked", func(t *testing.T) {
		f := newFixture(t)
		s := f.scope([]string{"view"})
		c := f.build(f.sign(s), f.records) // never on chain, or revoked (delegateOf all zero)
		_, err := VerifyCopy(ctx, c, f.chain)
		refusedBy(t, err, CheckDelegationActive)
	})
	t.Run("delegation expired", func(t *testing.T) {
		f := newFixture(t)
		s := f.scope([]string{"view"})
		f.onChain(s)
		c := f.build(f.sign(s), f.records)
		f.chain.now = time.Unix(int64(s.Expiry)+1, 0)
		_, err := VerifyCopy(ctx, c, f.chain)
		refusedBy(t, err, CheckDelegationActive)
	})
	t.Run("record outside the scope", func(t *testing.T) {
		f := newFixture(t)
		s := f.scope([]string{"view"}, record.CategoryMedications)
		f.onChain(s)
		c := f.rebuild(f.sign(s), f.records) // all three records, anchored, but two are not medications
		_, err := VerifyCopy(ctx, c, f.chain)
		refusedBy(t, err, CheckInScope)
	})
	t.Run("record not anchored", func(t *testing.T) {
		f := newFixture(t)
		s := f.scope([]string{"view"})
		f.onChain(s)
		c := f.build(f.sign(s), f.records)
		clear(f.chain.anchors)
		_, err := VerifyCopy(ctx, c, f.chain)
		refusedBy(t, err, CheckAnchored)
	})
	t.Run("record anchored by someone else", func(t *testing.T) {
		f := newFixture(t)
		s := f.scope([]string{"view"})
		f.onChain(s)
		c := f.build(f.sign(s), f.records)
		for root, a := range f.chain.anchors {
			a.Patient = f.delegate
			f.chain.anchors[root] = a
		}
		_, err := VerifyCopy(ctx, c, f.chain)
		refusedBy(t, err, CheckAnchored)
	})
	t.Run("record altered", func(t *testing.T) {
		f := newFixture(t)
		s := f.scope([]string{"view"})
		f.onChain(s)
		c := f.build(f.sign(s), f.records)
		c.Files[0].Plaintext = []byte(`{"resourceType":"Bundle","type":"collection","entry":[{"resource":` +
			`{"resourceType":"MedicationRequest","id":"med-1","status":"active","intent":"order","medicationCodeableConcept":{"text":"Fentanyl"}}},` +
			`{"resource":` + condition + `},{"resource":` + heartRate + `}]}`)
		_, err := VerifyCopy(ctx, c, f.chain)
		refusedBy(t, err, CheckCommitments)
	})
	t.Run("record added", func(t *testing.T) {
		f := newFixture(t)
		s := f.scope([]string{"view"})
		f.onChain(s)
		c := f.build(f.sign(s), f.records[:2])
		c.Files[0].Plaintext = []byte(`{"resourceType":"Bundle","type":"collection","entry":[{"resource":` + medication + `},{"resource":` + condition + `},{"resource":` + heartRate + `}]}`)
		_, err := VerifyCopy(ctx, c, f.chain)
		refusedBy(t, err, CheckRecordsCommitted)
	})
	t.Run("extra file", func(t *testing.T) {
		f := newFixture(t)
		s := f.scope([]string{"view"})
		f.onChain(s)
		c := f.build(f.sign(s), f.records)
		c.Files = append(c.Files, share.File{ContentType: share.ContentTypeFHIR, Plaintext: []byte(`{"resourceType":"Bundle","type":"collection","entry":[]}`)})
		_, err := VerifyCopy(ctx, c, f.chain)
		refusedBy(t, err, CheckCopyFiles)
		c.Files[2].ContentType = "text/html"
		_, err = VerifyCopy(ctx, c, f.chain)
		refusedBy(t, err, CheckCopyFiles)
	})
	t.Run("another delegate's copy", func(t *testing.T) {
		f := newFixture(t)
		s := f.scope([]string{"view"})
		f.onChain(s)
		c := f.build(f.sign(s), f.records)
		c.Expect.Delegate = common.HexToAddress("0x99")
		_, err := VerifyCopy(ctx, c, f.chain)
		refusedBy(t, err, CheckScopeSigned)
	})
	t.Run("another chain", func(t *testing.T) {
		f := newFixture(t)
		s := f.scope([]string{"view"})
		f.onChain(s)
		c := f.build(f.sign(s), f.records)
		c.Expect.Registry = common.HexToAddress("0xbb")
		_, err := VerifyCopy(ctx, c, f.chain)
		refusedBy(t, err, CheckCopyChain)
		c.Expect = Expectation{}
		_, err = VerifyCopy(ctx, c, f.chain)
		refusedBy(t, err, CheckCopyChain)
	})
	t.Run("chain down", func(t *testing.T) {
		f := newFixture(t)
		s := f.scope([]string{"view"})
		f.onChain(s)
		c := f.build(f.sign(s), f.records)
		f.chain.down = errors.New("connection refused")
		_, err := VerifyCopy(ctx, c, f.chain)
		refusedBy(t, err, CheckCopyChain)
	})
}

// rebuild makes a copy of recs under ss bypassing BuildCopy's own checks, as
// a forger (or a buggy patient wallet) would.
func (f *fixture) rebuild(ss SignedScope, recs []share.SharedRecord) Copy {
	f.t.Helper()
	open := ss
	open.Scope.Categories, open.Scope.Types = nil, nil
	open = f.sign(open.Scope)
	b, err := BuildCopy(CopyRequest{Records: recs, Scope: open, Key: f.key, ChainID: testChainID, Registry: testRegistry, Updated: f.now})
	if err != nil {
		f.t.Fatal(err)
	}
	p, err := ParseCopyProof(b.Proof)
	if err != nil {
		f.t.Fatal(err)
	}
	p.Scope = ss
	proof, err := p.Marshal()
	if err != nil {
		f.t.Fatal(err)
	}
	c := f.decrypt(b.Files)
	c.Files[1].Plaintext = proof
	return c
}
