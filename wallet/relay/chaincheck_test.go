package relay

import (
	"context"
	"crypto/rand"
	"errors"
	"math/big"
	"net/http"
	"testing"
	"time"

	"github.com/ethereum/go-ethereum/accounts/abi/bind/v2"
	"github.com/ethereum/go-ethereum/common"
	"github.com/ethereum/go-ethereum/core/types"
	"github.com/ethereum/go-ethereum/crypto"
	"github.com/ethereum/go-ethereum/ethclient/simulated"

	"healthwallet/chain/contracts"
)

// simRegistry is a HealthRegistry deployed on a simulated chain, and a
// funded patient.
type simRegistry struct {
	t    *testing.T
	sim  *simulated.Backend
	inst *bind.BoundContract
	reg  *contracts.HealthRegistry
	addr common.Address
	p    patient
}

func newSimRegistry(t *testing.T) *simRegistry {
	t.Helper()
	p := newPatient(t)
	sim := simulated.NewBackend(types.GenesisAlloc{
		crypto.PubkeyToAddress(p.key.PublicKey): {Balance: new(big.Int).Lsh(big.NewInt(1), 100)},
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
	return &simRegistry{t: t, sim: sim, reg: reg, inst: reg.Instance(sim.Client(), addr), addr: addr, p: p}
}

func (s *simRegistry) send(data []byte) {
	s.t.Helper()
	if _, err := bind.Transact(s.inst, bind.NewKeyedTransactor(s.p.key, big.NewInt(1337)), data); err != nil {
		s.t.Fatalf("transaction: %v", err)
	}
	s.sim.Commit()
}

func TestChainCheckerOnRegistry(t *testing.T) {
	s := newSimRegistry(t)
	chk := NewChainChecker(s.sim.Client(), s.addr)
	ctx := context.Background()
	var digest [32]byte
	rand.Read(digest[:])

	if _, err := chk.GrantOf(ctx, crypto.PubkeyToAddress(s.p.key.PublicKey), digest); !errors.Is(err, ErrGrantUnknown) {
		t.Fatalf("a grant not issued: %v, want ErrGrantUnknown", err)
	}
	s.send(s.reg.PackIssueGrant(digest, common.Address{}, uint64(time.Now().Add(time.Hour).Unix())))
	owner := crypto.PubkeyToAddress(s.p.key.PublicKey)
	if g, err := chk.GrantOf(ctx, crypto.PubkeyToAddress(s.p.key.PublicKey), digest); err != nil || !g.Active || g.Patient != owner {
		t.Fatalf("an issued grant: %+v, %v; want %s's, active", g, err, owner)
	}

	// The relay over the real checker: served while active, 404 and
	// shredded once the patient revokes the grant on chain.
	tr := newTestRelay(t, func(c *Config) { c.Checker = chk })
	tr.p = s.p
	tr.client = tr.clientFor(s.p)
	info := tr.share(CreateRequest{GrantDigest: digest})
	wantStatus(t, tr.manifest(info.URL, map[string]any{"recipient": "Dr. Smith"}), http.StatusOK)
	// A stranger's upload naming the patient's active grant is never served:
	// the registry keys grants by patient, so the stranger has no grant with
	// this digest (the relay's policy for grants that never appear ends it).
	stranger := *tr
	stranger.p = newPatient(t)
	stranger.client = tr.clientFor(stranger.p)
	theirs := stranger.share(CreateRequest{GrantDigest: digest})
	if _, err := chk.GrantOf(ctx, crypto.PubkeyToAddress(stranger.p.key.PublicKey), digest); !errors.Is(err, ErrGrantUnknown) {
		t.Fatalf("the stranger's grant: %v, want ErrGrantUnknown", err)
	}
	if r := tr.manifest(theirs.URL, map[string]any{"recipient": "Dr. Smith"}); r.status == http.StatusOK {
		t.Fatal("a share naming another patient's grant was served")
	}
	wantStatus(t, tr.manifest(info.URL, map[string]any{"recipient": "Dr. Smith"}), http.StatusOK)
	s.send(s.reg.PackRevokeGrant(crypto.PubkeyToAddress(s.p.key.PublicKey), digest))
	if g, err := chk.GrantOf(ctx, crypto.PubkeyToAddress(s.p.key.PublicKey), digest); err != nil || g.Active {
		t.Fatalf("a revoked grant: %+v, %v", g, err)
	}
	wantStatus(t, tr.manifest(info.URL, map[string]any{"recipient": "Dr. Smith"}), http.StatusNotFound)
	if _, err := tr.srv.store.file(info.ID, 0); !errors.Is(err, errNoShare) {
		t.Fatal("revoked on chain, but the ciphertext is still stored")
	}

	// A wrong registry address is an error (fail closed), not "revoked".
	if _, err := NewChainChecker(s.sim.Client(), common.HexToAddress("0x1234")).GrantOf(ctx, common.Address{}, digest); err == nil || errors.Is(err, ErrGrantUnknown) {
		t.Fatalf("no registry at the address: %v", err)
	}
	// The chain gone: an error, and the relay answers 503.
	down := newSimRegistry(t)
	downChk := NewChainChecker(down.sim.Client(), down.addr)
	down.sim.Close()
	if _, err := downChk.GrantOf(ctx, common.Address{}, digest); err == nil {
		t.Fatal("a closed chain answered")
	}
	tr2 := newTestRelay(t, func(c *Config) { c.Checker = downChk })
	info = tr2.share(CreateRequest{GrantDigest: digest})
	wantStatus(t, tr2.manifest(info.URL, map[string]any{"recipient": "Dr. Smith"}), http.StatusServiceUnavailable)
}
