package relay

import (
	"context"
	"crypto/rand"
	"errors"
	"math/big"
	"net/http"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/ethereum/go-ethereum/accounts/abi/bind/v2"
	"github.com/ethereum/go-ethereum/common"
	"github.com/ethereum/go-ethereum/core/types"
	"github.com/ethereum/go-ethereum/crypto"
	"github.com/ethereum/go-ethereum/ethclient/simulated"

	"healthwallet/chain"
	"healthwallet/chain/contracts"
)

// simRegistry is a HealthRegistry deployed on a simulated chain, a funded
// patient and a funded caregiver.
type simRegistry struct {
	t         *testing.T
	sim       *simulated.Backend
	inst      *bind.BoundContract
	reg       *contracts.HealthRegistry
	addr      common.Address
	p         patient
	caregiver patient
}

func newSimRegistry(t *testing.T) *simRegistry {
	t.Helper()
	p, c := newPatient(t), newPatient(t)
	funds := new(big.Int).Lsh(big.NewInt(1), 100)
	sim := simulated.NewBackend(types.GenesisAlloc{
		crypto.PubkeyToAddress(p.key.PublicKey): {Balance: funds},
		crypto.PubkeyToAddress(c.key.PublicKey): {Balance: funds},
	})
	t.Cleanup(func() { sim.Close() })
	opts := bind.NewKeyedTransactor(p.key, big.NewInt(1337))
	addr, tx, err := bind.DeployContract(opts, common.FromHex(contracts.HealthRegistryMetaData.Bin), sim.Client(), nil)
	if err != nil {
		t.Fatalf("deploying the registry: %v", err)
	}
	sim.Commit()
	if _, err := bind.WaitDeployed(context.Background(), sim.Client(), tx.Hash()); err != nil {
		t.Fatal(err)
	}
	reg := contracts.NewHealthRegistry()
	return &simRegistry{t: t, sim: sim, reg: reg, inst: reg.Instance(sim.Client(), addr), addr: addr, p: p, caregiver: c}
}

func (s *simRegistry) owner() common.Address { return crypto.PubkeyToAddress(s.p.key.PublicKey) }

// send sends a transaction from the patient.
func (s *simRegistry) send(data []byte) { s.sendFrom(s.p, data) }

func (s *simRegistry) sendFrom(from patient, data []byte) {
	s.t.Helper()
	if _, err := bind.Transact(s.inst, bind.NewKeyedTransactor(from.key, big.NewInt(1337)), data); err != nil {
		s.t.Fatalf("transaction: %v", err)
	}
	s.sim.Commit()
}

// countingChecker counts the calls that reach the real chain.
type countingChecker struct {
	GrantChecker
	grants, delegations atomic.Int64
}

func (c *countingChecker) GrantOf(ctx context.Context, p common.Address, d [32]byte) (chain.Grant, error) {
	c.grants.Add(1)
	return c.GrantChecker.GrantOf(ctx, p, d)
}

func (c *countingChecker) DelegateOf(ctx context.Context, p, d common.Address) (chain.Delegation, error) {
	c.delegations.Add(1)
	return c.GrantChecker.DelegateOf(ctx, p, d)
}

func TestChainCheckerOnRegistry(t *testing.T) {
	s := newSimRegistry(t)
	chk := NewChainChecker(s.sim.Client(), s.addr)
	ctx := context.Background()
	owner := s.owner()
	var digest [32]byte
	rand.Read(digest[:])

	if _, err := chk.GrantOf(ctx, owner, digest); !errors.Is(err, ErrGrantUnknown) {
		t.Fatalf("a grant not issued: %v, want ErrGrantUnknown", err)
	}
	s.send(s.reg.PackIssueGrant(digest, common.Address{}, uint64(time.Now().Add(time.Hour).Unix())))
	if g, err := chk.GrantOf(ctx, owner, digest); err != nil || !g.Active || g.Patient != owner {
		t.Fatalf("an issued grant: %+v, %v; want %s's, active", g, err, owner)
	}
	// Asked for another patient, the patient's grant is unknown.
	if _, err := chk.GrantOf(ctx, crypto.PubkeyToAddress(s.caregiver.key.PublicKey), digest); !errors.Is(err, ErrGrantUnknown) {
		t.Fatalf("another patient's grant: %v, want ErrGrantUnknown", err)
	}

	// The relay over the real checker: served while active, 404 and
	// shredded once the patient revokes the grant on chain.
	tr := newTestRelay(t, func(c *Config) { c.Checker = chk })
	tr.p = s.p
	tr.client = tr.clientFor(s.p)
	info := tr.share(CreateRequest{GrantDigest: digest})
	if info.State != StateActive {
		t.Fatalf("uploaded after its grant: %s", info.State)
	}
	wantStatus(t, tr.manifest(info.URL, map[string]any{"recipient": "Dr. Smith"}), http.StatusOK)
	s.send(s.reg.PackRevokeGrant(s.owner(), digest))
	if g, err := chk.GrantOf(ctx, owner, digest); err != nil || g.Active || !g.Revoked {
		t.Fatalf("a revoked grant: %+v, %v", g, err)
	}
	tr.clock.Advance(6 * time.Second) // past the cached "active"
	wantStatus(t, tr.manifest(info.URL, map[string]any{"recipient": "Dr. Smith"}), http.StatusNotFound)
	if _, err := tr.srv.store.file(info.ID, 0); !errors.Is(err, errNoShare) {
		t.Fatal("revoked on chain, but the ciphertext is still stored")
	}
	// An upload naming a revoked grant is refused outright.
	_, err := tr.tryShare(CreateRequest{GrantDigest: digest})
	wantAPIStatus(t, err, http.StatusConflict)

	// A wrong registry address is an error (fail closed), not "revoked".
	if _, err := NewChainChecker(s.sim.Client(), common.HexToAddress("0x1234")).GrantOf(ctx, owner, digest); err == nil || errors.Is(err, ErrGrantUnknown) {
		t.Fatalf("no registry at the address: %v", err)
	}
	// The chain gone: an error, and the relay answers 503.
	down := newSimRegistry(t)
	downChk := NewChainChecker(down.sim.Client(), down.addr)
	down.sim.Close()
	if _, err := downChk.GrantOf(ctx, down.owner(), digest); err == nil {
		t.Fatal("a closed chain answered")
	}
	tr2 := newTestRelay(t, func(c *Config) { c.Checker = downChk })
	info = tr2.share(CreateRequest{GrantDigest: digest})
	wantStatus(t, tr2.manifest(info.URL, map[string]any{"recipient": "Dr. Smith"}), http.StatusServiceUnavailable)
}

// TestStrangerUploadOnRegistry: on a relay with a chain, an upload whose
// grant is not the uploader's on chain is held pending, never served, and
// purged after the grace; one whose grant arrives within it is served
// (issue 7, finding 3).
func TestStrangerUploadOnRegistry(t *testing.T) {
	s := newSimRegistry(t)
	tr := newTestRelay(t, func(c *Config) {
		c.Checker = NewChainChecker(s.sim.Client(), s.addr)
		c.PendingGrace = 5 * time.Minute
	})
	tr.p, tr.client = s.p, tr.clientFor(s.p)
	var granted, late, never [32]byte
	rand.Read(granted[:])
	rand.Read(late[:])
	rand.Read(never[:])
	expiry := uint64(time.Now().Add(time.Hour).Unix())
	s.send(s.reg.PackIssueGrant(granted, common.Address{}, expiry))

	// A stranger names the patient's grant, and a digest never granted.
	stranger := *tr
	stranger.p = newPatient(t)
	stranger.client = tr.clientFor(stranger.p)
	theirs := stranger.share(CreateRequest{GrantDigest: granted})
	nothing := stranger.share(CreateRequest{GrantDigest: never})
	// The patient uploads before its grant lands (the grant follows).
	lateShare := tr.share(CreateRequest{GrantDigest: late})
	for _, info := range []*ShareInfo{theirs, nothing, lateShare} {
		if info.State != StatePending {
			t.Fatalf("upload without its grant on chain: %s, want pending", info.State)
		}
		wantStatus(t, tr.manifest(info.URL, map[string]any{"recipient": "x"}), http.StatusServiceUnavailable)
	}
	s.send(s.reg.PackIssueGrant(late, common.Address{}, expiry))
	tr.clock.Advance(2 * time.Minute)
	wantStatus(t, tr.manifest(lateShare.URL, map[string]any{"recipient": "x"}), http.StatusOK)

	tr.clock.Advance(4 * time.Minute)
	if _, err := tr.srv.Purge(); err != nil {
		t.Fatal(err)
	}
	for _, info := range []*ShareInfo{theirs, nothing} {
		if _, err := tr.srv.store.share(info.ID); !errors.Is(err, errNoShare) {
			t.Fatalf("a stranger's upload outlived its grace: %v", err)
		}
		wantStatus(t, tr.manifest(info.URL, map[string]any{"recipient": "x"}), http.StatusNotFound)
	}
	wantStatus(t, tr.manifest(lateShare.URL, map[string]any{"recipient": "x"}), http.StatusOK)
	// A stranger signing an upload for the patient (not a delegate): 403.
	_, err := stranger.tryShare(CreateRequest{GrantDigest: granted, Patient: s.owner()})
	wantAPIStatus(t, err, http.StatusForbidden)
}

// TestDelegateLosesShareOnRegistry: a share whose grant a caregiver issued
// is served while the caregiver holds SHARE, and not (404, files kept) once
// the patient takes the delegation back.
func TestDelegateLosesShareOnRegistry(t *testing.T) {
	s := newSimRegistry(t)
	tr := newTestRelay(t, func(c *Config) { c.Checker = NewChainChecker(s.sim.Client(), s.addr) })
	tr.p, tr.client = s.p, tr.clientFor(s.p)
	caregiver := crypto.PubkeyToAddress(s.caregiver.key.PublicKey)
	expiry := uint64(time.Now().Add(time.Hour).Unix())
	s.send(s.reg.PackSetDelegate(caregiver, contracts.RightView|contracts.RightShare, expiry, testScope))
	var digest [32]byte
	rand.Read(digest[:])
	s.sendFrom(s.caregiver, s.reg.PackIssueGrantFor(s.owner(), digest, common.Address{}, expiry))

	info := tr.share(CreateRequest{GrantDigest: digest})
	wantStatus(t, tr.manifest(info.URL, map[string]any{"recipient": "x"}), http.StatusOK)
	s.send(s.reg.PackRevokeDelegate(caregiver))
	tr.clock.Advance(6 * time.Second)
	wantStatus(t, tr.manifest(info.URL, map[string]any{"recipient": "x"}), http.StatusNotFound)
	if _, err := tr.srv.store.file(info.ID, 0); err != nil {
		t.Fatalf("the delegation's end deleted the files: %v", err)
	}

	// A caregiver's copy: uploaded by the delegate for the patient, while
	// it holds SHARE; refused once it does not.
	s.send(s.reg.PackSetDelegate(caregiver, contracts.RightShare, expiry, testScope))
	var own [32]byte
	rand.Read(own[:])
	s.send(s.reg.PackIssueGrant(own, common.Address{}, expiry))
	tr.clock.Advance(2 * time.Second) // past the cached "no delegation"
	cg := *tr
	cg.p = s.caregiver
	cg.client = tr.clientFor(s.caregiver)
	cg.p.sharing = s.p.sharing
	copyInfo := cg.share(CreateRequest{GrantDigest: own, Patient: s.owner()})
	wantStatus(t, tr.manifest(copyInfo.URL, map[string]any{"recipient": "x"}), http.StatusOK)
	s.send(s.reg.PackRevokeDelegate(caregiver))
	tr.clock.Advance(6 * time.Second)
	wantStatus(t, tr.manifest(copyInfo.URL, map[string]any{"recipient": "x"}), http.StatusNotFound)
	_, err := cg.tryShare(CreateRequest{GrantDigest: own, Patient: s.owner()})
	wantAPIStatus(t, err, http.StatusForbidden)
}

// TestChainAnswersCached: a burst of manifest requests costs one chain
// call; after the cache period the relay asks again, so a revoke is seen
// within it.
func TestChainAnswersCached(t *testing.T) {
	s := newSimRegistry(t)
	chk := &countingChecker{GrantChecker: NewChainChecker(s.sim.Client(), s.addr)}
	tr := newTestRelay(t, func(c *Config) { c.Checker = chk })
	tr.p, tr.client = s.p, tr.clientFor(s.p)
	var digest [32]byte
	rand.Read(digest[:])
	s.send(s.reg.PackIssueGrant(digest, common.Address{}, uint64(time.Now().Add(time.Hour).Unix())))
	info := tr.share(CreateRequest{GrantDigest: digest})
	tr.clock.Advance(6 * time.Second)
	before := chk.grants.Load()
	var wg sync.WaitGroup
	for range 20 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			wantStatus(t, tr.manifest(info.URL, map[string]any{"recipient": "x"}), http.StatusOK)
		}()
	}
	wg.Wait()
	if n := chk.grants.Load() - before; n != 1 {
		t.Fatalf("20 manifest requests made %d chain calls, want 1", n)
	}
	s.send(s.reg.PackRevokeGrant(s.owner(), digest))
	wantStatus(t, tr.manifest(info.URL, map[string]any{"recipient": "x"}), http.StatusOK) // within the cache period
	tr.clock.Advance(5 * time.Second)
	wantStatus(t, tr.manifest(info.URL, map[string]any{"recipient": "x"}), http.StatusNotFound)
	if n := chk.grants.Load() - before; n != 2 {
		t.Fatalf("%d chain calls, want 2", n)
	}
}

// testScope stands for the hash of a delegation's scope document.
var testScope = crypto.Keccak256Hash([]byte("delegation scope"))
