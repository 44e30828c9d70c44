package chaintest_test

import (
	"context"
	"math/big"
	"testing"
	"time"

	"github.com/ethereum/go-ethereum/accounts/abi/bind/v2"
	"github.com/ethereum/go-ethereum/crypto"

	"healthwallet/chain"
	"healthwallet/chain/chaintest"
	"healthwallet/chain/contracts"
)

// TestSimulated: the simulated chain has the registry, mines each
// transaction at once, funds on request, and charges public-chain gas.
func TestSimulated(t *testing.T) {
	key, _ := crypto.GenerateKey()
	addr := crypto.PubkeyToAddress(key.PublicKey)
	sim := chaintest.Simulated(t, addr)
	ctx, cancel := context.WithTimeout(t.Context(), 30*time.Second)
	defer cancel()

	if sim.Kind != chain.KindSimulated || sim.ChainID.Int64() != chain.DevChainID {
		t.Fatalf("network %+v", sim.Network)
	}
	if err := chain.CheckRegistry(ctx, sim.Client, sim.Registry, sim.ChainID); err != nil {
		t.Fatal(err)
	}
	reg := contracts.NewHealthRegistry()
	opts := bind.NewKeyedTransactor(key, sim.ChainID)
	root := crypto.Keccak256Hash([]byte("simulated"))
	tx, err := bind.Transact(reg.Instance(sim.Client, sim.Registry), opts, reg.PackAnchor(root, 1))
	if err != nil {
		t.Fatal(err)
	}
	receipt, err := chain.WaitMined(ctx, sim.Client, tx.Hash())
	if err != nil {
		t.Fatal(err)
	}
	if receipt.GasUsed > 50_000 {
		t.Errorf("anchor used %d gas, want Osaka rules (≤ 50,000)", receipt.GasUsed)
	}
	out, err := bind.Call(reg.Instance(sim.Client, sim.Registry), nil, reg.PackAnchorOf(addr, root), reg.UnpackAnchorOf)
	if err != nil || out.AnchoredAt == 0 || out.Count != 1 {
		t.Fatalf("anchorOf: %+v %v", out, err)
	}

	before, err := sim.Client.BalanceAt(ctx, addr, nil)
	if err != nil {
		t.Fatal(err)
	}
	if err := sim.FundFromDevAccount(ctx, addr, big.NewInt(7)); err != nil {
		t.Fatal(err)
	}
	after, err := sim.Client.BalanceAt(ctx, addr, nil)
	if err != nil {
		t.Fatal(err)
	}
	if want := new(big.Int).Add(before, big.NewInt(7)); after.Cmp(want) != 0 {
		t.Fatalf("balance %s after funding 7 wei, want %s", after, want)
	}
}
