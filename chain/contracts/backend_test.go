package contracts_test

import (
	"context"
	"crypto/ecdsa"
	"math/big"
	"testing"
	"time"

	"github.com/ethereum/go-ethereum/common"
	"github.com/ethereum/go-ethereum/core/types"
	"github.com/ethereum/go-ethereum/crypto"
	"github.com/ethereum/go-ethereum/eth/ethconfig"
	"github.com/ethereum/go-ethereum/ethclient/simulated"
	"github.com/ethereum/go-ethereum/node"
	"github.com/ethereum/go-ethereum/params"

	"healthwallet/chain"
	"healthwallet/chain/chaintest"
)

// A backend is a kind of chain the registry's scenarios run on (TestRegistry):
// the in-process simulated chain, a real geth --dev process, or the embedded
// chain served by a second hw process. All three run the Osaka gas schedule.
type backend struct {
	name string
	// starts is what the backend starts outside the test process, for the
	// -short skip message; empty for an in-process backend.
	starts string
	// start readies the backend for one run of the scenarios (starting its
	// process, stopped when t ends) and returns how a scenario gets a chain
	// on which the given accounts have 100 ETH each.
	start func(t *testing.T) func(t *testing.T, fund []common.Address) *testChain
}

// testChain is a scenario's view of its backend: the client, and the three
// things that differ between a simulated chain and a node.
type testChain struct {
	client  chain.Client
	chainID *big.Int
	// commit seals the pending transactions into a block: the simulated
	// chain's Commit. Nil for a node, which mines a block for each
	// transaction on its own; the harness waits for it (chain.WaitMined).
	commit func()
	// passTime moves the chain on until the head block's timestamp is at
	// least until.
	passTime func(t *testing.T, until uint64)
	// shortExpiry is how many seconds ahead of the head the expiry
	// scenarios set the expiries they then pass.
	shortExpiry uint64
}

func backends() []backend {
	return []backend{
		{name: "simulated", start: func(*testing.T) func(*testing.T, []common.Address) *testChain {
			return func(t *testing.T, fund []common.Address) *testChain { return simulatedChain(t, osakaSchedule(), fund) }
		}},
		{name: "geth", starts: "a real geth --dev process (go tool geth at go.mod's go-ethereum version)", start: func(t *testing.T) func(*testing.T, []common.Address) *testChain {
			url, fund := chaintest.StartGeth(t, chaintest.OsakaGas())
			return nodeChain(t, url, fund)
		}},
		{name: "serve", starts: "hw chain serve in a second process", start: func(t *testing.T) func(*testing.T, []common.Address) *testChain {
			served := chaintest.StartServe(t)
			return nodeChain(t, served.URL, served.Fund)
		}},
	}
}

func withChainConfig(cfg *params.ChainConfig) func(*node.Config, *ethconfig.Config) {
	return func(_ *node.Config, ec *ethconfig.Config) { ec.Genesis.Config = cfg }
}

// simulatedChain is a fresh simulated chain on cfg, the fund accounts
// allocated 100 ETH each in its genesis. Time moves with AdjustTime.
func simulatedChain(t *testing.T, cfg *params.ChainConfig, fund []common.Address) *testChain {
	t.Helper()
	alloc := types.GenesisAlloc{}
	for _, a := range fund {
		alloc[a] = types.Account{Balance: new(big.Int).Set(chaintest.FundAmount)}
	}
	sim := simulated.NewBackend(alloc, withChainConfig(cfg))
	t.Cleanup(func() { sim.Close() })
	c := &testChain{
		client:      sim.Client(),
		chainID:     cfg.ChainID,
		commit:      func() { sim.Commit() },
		shortExpiry: 100,
	}
	c.passTime = func(t *testing.T, until uint64) {
		t.Helper()
		if now := headTime(t, c.client); now < until {
			// One empty block, stamped exactly until.
			chaintest.AdjustTime(t, sim, time.Duration(until-now)*time.Second)
		}
	}
	return c
}

// nodeChain connects to the JSON-RPC node at url for a run of the scenarios,
// and returns how each scenario gets it with accounts funded by fund (from
// the node's unlocked development account).
//
// Such a node (--dev.period 0) seals a block only when a transaction
// arrives, stamped with the later of the wall clock and its parent's time
// plus one second. So time is moved by cheap transactions (0 ETH to itself,
// from a clock account of the run's), each a block at least a second later,
// until a block's timestamp reaches the expiry: at most shortExpiry of them,
// and no sleeping. Short expiries keep that quick, yet leave room for the
// few blocks a scenario mines while a grant must still be active, even if
// the wall clock jumps ahead of the chain meanwhile.
func nodeChain(t *testing.T, url string, fund func(common.Address)) func(*testing.T, []common.Address) *testChain {
	t.Helper()
	ctx, cancel := context.WithTimeout(t.Context(), 30*time.Second)
	defer cancel()
	n, err := chain.DialNode(ctx, url, big.NewInt(chain.DevChainID))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { n.Close() })

	clock, err := crypto.GenerateKey()
	if err != nil {
		t.Fatal(err)
	}
	clockAddr := crypto.PubkeyToAddress(clock.PublicKey)
	fund(clockAddr)
	c := &testChain{client: n.Client, chainID: n.ChainID, shortExpiry: 10}
	c.passTime = func(t *testing.T, until uint64) {
		t.Helper()
		from, blocks := headTime(t, c.client), 0
		for now := from; now < until; now = headTime(t, c.client) {
			if blocks > int(c.shortExpiry)+5 {
				t.Fatalf("the chain's time is still %d, short of %d, after %d blocks", now, until, blocks)
			}
			tick(t, c.client, clock, clockAddr)
			blocks++
		}
		t.Logf("moved the chain's time on from %d to %d (wall clock %d) with %d blocks", from, headTime(t, c.client), time.Now().Unix(), blocks)
	}
	return func(t *testing.T, addrs []common.Address) *testChain {
		for _, a := range addrs {
			fund(a)
		}
		return c
	}
}

// tick mines one block: a transfer of nothing from key to itself.
func tick(t *testing.T, client chain.Client, key *ecdsa.PrivateKey, addr common.Address) {
	t.Helper()
	ctx, cancel := context.WithTimeout(t.Context(), 30*time.Second)
	defer cancel()
	if err := chain.Fund(ctx, client, key, addr, new(big.Int)); err != nil {
		t.Fatalf("mining a block to move time on: %v", err)
	}
}

// headTime is the latest block's timestamp.
func headTime(t *testing.T, client chain.Client) uint64 {
	t.Helper()
	h, err := client.HeaderByNumber(t.Context(), nil)
	if err != nil {
		t.Fatal(err)
	}
	return h.Time
}
