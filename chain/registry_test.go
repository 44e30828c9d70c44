package chain_test

import (
	"crypto/ecdsa"
	"errors"
	"testing"
	"time"

	"github.com/ethereum/go-ethereum/accounts/abi/bind/v2"
	"github.com/ethereum/go-ethereum/common"
	"github.com/ethereum/go-ethereum/core/types"
	"github.com/ethereum/go-ethereum/crypto"

	"healthwallet/chain"
	"healthwallet/chain/chaintest"
	"healthwallet/chain/contracts"
)

// Registry reads what the registry holds: zero values before, the patient's
// grant, anchor and delegation after, revocation; and the errors for an
// address that is no registry and a chain that is gone.
func TestRegistryViews(t *testing.T) {
	ctx := testContext(t)
	patientKey, patient := newKey(t)
	_, caregiver := newKey(t)
	sim := chaintest.Simulated(t, patient, caregiver)
	reg := chain.NewRegistry(sim.Client, sim.Registry)
	if reg.Address() != sim.Registry {
		t.Fatalf("Address %s, want %s", reg.Address(), sim.Registry)
	}
	abi := contracts.NewHealthRegistry()
	send := func(key *ecdsa.PrivateKey, data []byte) {
		t.Helper()
		opts := bind.NewKeyedTransactor(key, sim.ChainID)
		opts.Context = ctx
		tx, err := bind.Transact(abi.Instance(sim.Client, sim.Registry), opts, data)
		if err != nil {
			t.Fatal(err)
		}
		if r, err := chain.WaitMined(ctx, sim.Client, tx.Hash()); err != nil || r.Status != types.ReceiptStatusSuccessful {
			t.Fatalf("transaction failed: %v", err)
		}
	}
	digest := crypto.Keccak256Hash([]byte("grant"))
	root := crypto.Keccak256Hash([]byte("root"))

	// Nothing yet: zero values, no error.
	if g, err := reg.GrantOf(ctx, patient, digest); err != nil || g != (chain.Grant{Patient: patient}) || g.Issued() {
		t.Fatalf("GrantOf before issue: %+v, %v", g, err)
	}
	if a, err := reg.AnchorOf(ctx, patient, root); err != nil || a != (chain.Anchor{Patient: patient}) || a.Anchored() {
		t.Fatalf("AnchorOf before anchoring: %+v, %v", a, err)
	}
	if d, err := reg.DelegateOf(ctx, patient, caregiver); err != nil || d != (chain.Delegation{}) {
		t.Fatalf("DelegateOf before setDelegate: %+v, %v", d, err)
	}
	if active, err := reg.IsGrantActive(ctx, patient, digest); err != nil || active {
		t.Fatalf("IsGrantActive before issue: %v, %v", active, err)
	}

	head, err := sim.Client.HeaderByNumber(ctx, nil)
	if err != nil {
		t.Fatal(err)
	}
	expiry := head.Time + uint64(time.Hour/time.Second)
	_, accessKey := newKey(t)
	send(patientKey, abi.PackIssueGrant(digest, accessKey, expiry))
	send(patientKey, abi.PackAnchor(root, 7))
	scope := crypto.Keccak256Hash([]byte("scope document"))
	send(patientKey, abi.PackSetDelegate(caregiver, 1, expiry, scope))

	g, err := reg.GrantOf(ctx, patient, digest)
	if want := (chain.Grant{Issuer: patient, Patient: patient, AccessKey: accessKey, Expiry: expiry, Active: true}); err != nil || g != want || !g.Issued() {
		t.Fatalf("GrantOf: %+v, %v; want %+v", g, err, want)
	}
	if active, err := reg.IsGrantActive(ctx, patient, digest); err != nil || !active {
		t.Fatalf("IsGrantActive: %v, %v", active, err)
	}
	a, err := reg.AnchorOf(ctx, patient, root)
	if err != nil || a.Patient != patient || a.Count != 7 || a.AnchoredAt == 0 || !a.Anchored() {
		t.Fatalf("AnchorOf: %+v, %v", a, err)
	}
	if d, err := reg.DelegateOf(ctx, patient, caregiver); err != nil || d != (chain.Delegation{Rights: 1, Expiry: expiry, Scope: scope, Active: true}) {
		t.Fatalf("DelegateOf: %+v, %v", d, err)
	}

	// Someone else's views of the same digest and root are theirs: empty.
	if g, err := reg.GrantOf(ctx, caregiver, digest); err != nil || g.Issued() {
		t.Fatalf("GrantOf for another patient: %+v, %v", g, err)
	}
	if a, err := reg.AnchorOf(ctx, caregiver, root); err != nil || a.Anchored() {
		t.Fatalf("AnchorOf for another patient: %+v, %v", a, err)
	}

	send(patientKey, abi.PackRevokeGrant(patient, digest))
	if g, err := reg.GrantOf(ctx, patient, digest); err != nil || !g.Revoked || g.Active || g.Patient != patient {
		t.Fatalf("GrantOf after revoke: %+v, %v", g, err)
	}

	// No contract at the address: ErrNoRegistry, not a zero grant.
	_, err = chain.NewRegistry(sim.Client, common.HexToAddress("0x1234")).GrantOf(ctx, patient, digest)
	if !errors.Is(err, chain.ErrNoRegistry) {
		t.Fatalf("GrantOf at an empty address: %v, want ErrNoRegistry", err)
	}

	// The chain gone: an error, and not ErrNoRegistry.
	gone := chaintest.Simulated(t)
	goneReg := chain.NewRegistry(gone.Client, gone.Registry)
	gone.Close()
	if _, err := goneReg.AnchorOf(ctx, patient, root); err == nil || errors.Is(err, chain.ErrNoRegistry) {
		t.Fatalf("AnchorOf on a closed chain: %v", err)
	}
}

// DelegationRevoked tells a delegation the patient revoked (whose storage
// is gone) from one never set, and follows it being set again; another
// patient's revoke of the same delegate is not this patient's.
func TestDelegationRevoked(t *testing.T) {
	ctx := testContext(t)
	patientKey, patient := newKey(t)
	otherKey, other := newKey(t)
	_, caregiver := newKey(t)
	sim := chaintest.Simulated(t, patient, other)
	abi := contracts.NewHealthRegistry()
	send := func(key *ecdsa.PrivateKey, data []byte) {
		t.Helper()
		opts := bind.NewKeyedTransactor(key, sim.ChainID)
		opts.Context = ctx
		tx, err := bind.Transact(abi.Instance(sim.Client, sim.Registry), opts, data)
		if err != nil {
			t.Fatal(err)
		}
		if r, err := chain.WaitMined(ctx, sim.Client, tx.Hash()); err != nil || r.Status != types.ReceiptStatusSuccessful {
			t.Fatalf("transaction failed: %v", err)
		}
	}
	revoked := func(p common.Address) bool {
		t.Helper()
		at, err := chain.DelegationRevoked(ctx, sim.Client, sim.Registry, p, caregiver)
		if err != nil {
			t.Fatal(err)
		}
		if !at.IsZero() {
			// The revoke's block time: the chain's latest block here.
			head, err := sim.Client.HeaderByNumber(ctx, nil)
			if err != nil {
				t.Fatal(err)
			}
			if at.Unix() > int64(head.Time) || at.Unix() < int64(head.Time)-60 {
				t.Fatalf("revoked at %v, the head's time is %d", at, head.Time)
			}
		}
		return !at.IsZero()
	}
	expiry := uint64(time.Now().Add(time.Hour).Unix())
	scope := crypto.Keccak256Hash([]byte("scope"))
	if revoked(patient) {
		t.Fatal("a delegation never set reads as revoked")
	}
	send(patientKey, abi.PackSetDelegate(caregiver, contracts.RightView, expiry, scope))
	send(otherKey, abi.PackSetDelegate(caregiver, contracts.RightView, expiry, scope))
	send(otherKey, abi.PackRevokeDelegate(caregiver))
	if revoked(patient) || !revoked(other) {
		t.Fatalf("after another patient's revoke: patient %v, other %v", revoked(patient), revoked(other))
	}
	send(patientKey, abi.PackRevokeDelegate(caregiver))
	if !revoked(patient) {
		t.Fatal("a revoked delegation does not read as revoked")
	}
	send(patientKey, abi.PackSetDelegate(caregiver, contracts.RightView, expiry, scope))
	if revoked(patient) {
		t.Fatal("a delegation set again after its revoke reads as revoked")
	}
}
