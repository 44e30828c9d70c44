package chain_test

import (
	"context"
	"crypto/ecdsa"
	"errors"
	"math/big"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/ethereum/go-ethereum/accounts/abi/bind/v2"
	"github.com/ethereum/go-ethereum/common"
	"github.com/ethereum/go-ethereum/core/types"
	"github.com/ethereum/go-ethereum/crypto"

	"healthwallet/chain"
	"healthwallet/chain/contracts"
)

func testContext(t *testing.T) context.Context {
	t.Helper()
	ctx, cancel := context.WithTimeout(t.Context(), 60*time.Second)
	t.Cleanup(cancel)
	return ctx
}

func newKey(t *testing.T) (*ecdsa.PrivateKey, common.Address) {
	t.Helper()
	k, err := crypto.GenerateKey()
	if err != nil {
		t.Fatal(err)
	}
	return k, crypto.PubkeyToAddress(k.PublicKey)
}

// anchor anchors root with count records from key's account through the
// bindings and returns the receipt.
func anchor(t *testing.T, ctx context.Context, n *chain.Network, key *ecdsa.PrivateKey, root common.Hash, count uint32) *types.Receipt {
	t.Helper()
	reg := contracts.NewHealthRegistry()
	opts := bind.NewKeyedTransactor(key, n.ChainID)
	opts.Context = ctx
	// The node's pool takes in the block that funded key a moment after it
	// is the head (chain.Fund waits the same way): until then it says
	// "insufficient funds".
	var tx *types.Transaction
	var err error
	for try := 0; ; try++ {
		tx, err = bind.Transact(reg.Instance(n.Client, n.Registry), opts, reg.PackAnchor(root, count))
		if err == nil || !strings.Contains(err.Error(), "insufficient funds") || try == 40 {
			break
		}
		time.Sleep(50 * time.Millisecond)
	}
	if err != nil {
		t.Fatalf("anchoring: %v", err)
	}
	receipt, err := chain.WaitMined(ctx, n.Client, tx.Hash())
	if err != nil {
		t.Fatalf("waiting for the anchor: %v", err)
	}
	if receipt.Status != types.ReceiptStatusSuccessful {
		t.Fatalf("anchor failed on chain")
	}
	return receipt
}

func anchorOf(t *testing.T, ctx context.Context, n *chain.Network, patient common.Address, root common.Hash) contracts.AnchorOfOutput {
	t.Helper()
	reg := contracts.NewHealthRegistry()
	out, err := bind.Call(reg.Instance(n.Client, n.Registry), &bind.CallOpts{Context: ctx}, reg.PackAnchorOf(patient, root), reg.UnpackAnchorOf)
	if err != nil {
		t.Fatalf("anchorOf: %v", err)
	}
	return out
}

func balance(t *testing.T, ctx context.Context, n *chain.Network, a common.Address) *big.Int {
	t.Helper()
	b, err := n.Client.BalanceAt(ctx, a, nil)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func blockNumber(t *testing.T, ctx context.Context, n *chain.Network) uint64 {
	t.Helper()
	b, err := n.Client.BlockNumber(ctx)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// TestEmbeddedChainPersists: what a patient's wallet does across restarts.
// The registry is deployed once, the patient funded, an anchor made; after
// closing and reopening, the same registry answers with the same anchor at
// the same height, and a second program is refused while the chain is open.
func TestEmbeddedChainPersists(t *testing.T) {
	ctx := testContext(t)
	dir := filepath.Join(t.TempDir(), "chain")
	patient, patientAddr := newKey(t)

	start := time.Now()
	n, err := chain.OpenEmbedded(ctx, dir, patientAddr)
	if err != nil {
		t.Fatalf("first open: %v", err)
	}
	first := n
	t.Cleanup(func() { first.Close() }) // on a failure too, before its folder goes
	t.Logf("first open (genesis, deploy, fund) took %v", time.Since(start))
	if n.Kind != chain.KindEmbedded || n.ChainID.Cmp(big.NewInt(chain.DevChainID)) != 0 {
		t.Fatalf("kind %q chain %v, want embedded 1337", n.Kind, n.ChainID)
	}
	if got, _ := n.Client.ChainID(ctx); got == nil || got.Int64() != chain.DevChainID {
		t.Fatalf("the node says chain %v", got)
	}
	if err := chain.CheckRegistry(ctx, n.Client, n.Registry, n.ChainID); err != nil {
		t.Fatalf("registry after first open: %v", err)
	}
	if got := balance(t, ctx, n, patientAddr); got.Cmp(chain.FundAmount) != 0 {
		t.Fatalf("patient's balance %s, want %s", got, chain.FundAmount)
	}

	root := crypto.Keccak256Hash([]byte("a batch of commitments"))
	receipt := anchor(t, ctx, n, patient, root, 3)
	// Public-chain gas rules (Osaka), not go-ethereum's draft forks: one
	// anchor stays within DESIGN §6's 50,000.
	if receipt.GasUsed > 50_000 {
		t.Errorf("anchoring used %d gas, want ≤ 50,000 under Osaka rules", receipt.GasUsed)
	}
	// A block per transaction: the anchor is sealed at once, in the head
	// block or the one before it (geth's on-demand sealer may seal one
	// empty block after the last transaction, see below).
	height := blockNumber(t, ctx, n)
	if height < receipt.BlockNumber.Uint64() || height > receipt.BlockNumber.Uint64()+1 {
		t.Errorf("head %d, anchor in block %d: a block per transaction expected", height, receipt.BlockNumber)
	}

	// Another program on the same directory is refused, and says why.
	if second, err := chain.OpenEmbedded(ctx, dir); !errors.Is(err, chain.ErrChainInUse) {
		if second != nil {
			second.Close()
		}
		t.Fatalf("second open: %v, want ErrChainInUse", err)
	}

	registry := n.Registry
	if err := n.Close(); err != nil {
		t.Fatalf("close: %v", err)
	}
	if err := n.Close(); err != nil {
		t.Fatalf("second close: %v", err)
	}

	n, err = chain.OpenEmbedded(ctx, dir, patientAddr)
	if err != nil {
		t.Fatalf("reopen: %v", err)
	}
	defer n.Close()
	if n.Registry != registry {
		t.Fatalf("registry %s after reopening, was %s", n.Registry, registry)
	}
	// geth's on-demand sealer may seal one empty block after the last
	// transaction (a commit request queued while it was sealing), so the
	// head may have moved on; what must not happen is a transaction after
	// the anchor: no redeploy, no refund.
	reopened := blockNumber(t, ctx, n)
	if reopened < height {
		t.Fatalf("head %d after reopening, was %d: blocks were lost", reopened, height)
	}
	for b := height + 1; b <= reopened; b++ {
		block, err := n.Client.BlockByNumber(ctx, new(big.Int).SetUint64(b))
		if err != nil {
			t.Fatal(err)
		}
		if len(block.Transactions()) != 0 {
			t.Fatalf("block %d after reopening holds %d transactions (no redeploy or refund expected)", b, len(block.Transactions()))
		}
	}
	a := anchorOf(t, ctx, n, patientAddr, root)
	if a.AnchoredAt == 0 || a.Count != 3 {
		t.Fatalf("anchor after reopening: %+v, want patient %s count 3", a, patientAddr)
	}

	// The chain keeps growing from there.
	root2 := crypto.Keccak256Hash([]byte("the next batch"))
	if r := anchor(t, ctx, n, patient, root2, 1); r.BlockNumber.Uint64() <= reopened {
		t.Fatalf("next anchor in block %d, want after %d", r.BlockNumber, reopened)
	}

	info, err := os.Stat(filepath.Join(dir, "faucet.key"))
	if err != nil {
		t.Fatal(err)
	}
	if info.Mode().Perm() != 0o600 {
		t.Fatalf("faucet.key mode %v, want 0600", info.Mode().Perm())
	}
}

// TestEmbeddedFunding: a wallet whose balance ran low is topped up when it
// opens the chain; one with enough is left alone; the dev account funds any
// address on request.
func TestEmbeddedFunding(t *testing.T) {
	ctx := testContext(t)
	dir := t.TempDir()
	_, rich := newKey(t)
	poorKey, poor := newKey(t)

	n, err := chain.OpenEmbedded(ctx, dir, rich, poor)
	if err != nil {
		t.Fatal(err)
	}
	first := n
	t.Cleanup(func() { first.Close() }) // on a failure too, before its folder goes
	// poor spends most of its funds.
	_, sink := newKey(t)
	if err := chain.Fund(ctx, n.Client, poorKey, sink, new(big.Int).Sub(chain.FundAmount, chain.FundThreshold)); err != nil {
		t.Fatalf("spending: %v", err)
	}
	if got := balance(t, ctx, n, poor); got.Cmp(chain.FundThreshold) >= 0 {
		t.Fatalf("poor still has %s", got)
	}
	// Spending more than it has says so, with what to do.
	err = chain.Fund(ctx, n.Client, poorKey, sink, chain.FundAmount)
	if !errors.Is(err, chain.ErrInsufficientFunds) {
		t.Fatalf("overspending: %v, want ErrInsufficientFunds", err)
	}
	t.Logf("overspending says: %v", err)

	extra := big.NewInt(12345)
	if err := n.FundFromDevAccount(ctx, sink, extra); err != nil {
		t.Fatalf("FundFromDevAccount: %v", err)
	}
	n.Close()

	n, err = chain.OpenEmbedded(ctx, dir, rich, poor)
	if err != nil {
		t.Fatal(err)
	}
	defer n.Close()
	if got := balance(t, ctx, n, rich); got.Cmp(chain.FundAmount) != 0 {
		t.Errorf("rich has %s, want %s untouched", got, chain.FundAmount)
	}
	if got := balance(t, ctx, n, poor); got.Cmp(chain.FundAmount) <= 0 {
		t.Errorf("poor has %s after reopening, want topped up by %s", got, chain.FundAmount)
	}
	want := new(big.Int).Add(new(big.Int).Sub(chain.FundAmount, chain.FundThreshold), extra)
	if got := balance(t, ctx, n, sink); got.Cmp(want) != 0 {
		t.Errorf("sink has %s, want %s", got, want)
	}
}
