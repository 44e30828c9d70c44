package chain_test

import (
	"math/big"
	"path/filepath"
	"testing"
	"time"

	"github.com/ethereum/go-ethereum/common"
	"github.com/ethereum/go-ethereum/core/types"
	"github.com/ethereum/go-ethereum/crypto"

	"healthwallet/chain"
)

// openNode opens a network node on dir with a one-second block period,
// closed when the test ends.
func openNode(t *testing.T, dir string) *chain.Node {
	t.Helper()
	node, err := chain.OpenNode(testContext(t), dir, chain.NodeOptions{Period: time.Second})
	if err != nil {
		t.Fatalf("OpenNode: %v", err)
	}
	t.Cleanup(func() { node.Close() })
	return node
}

// TestNodeServesTheWalletsChain: "Try it on this computer" serves the
// wallet's own chain. A chain made by OpenEmbedded (registry deployed, an
// anchor made) opens as a node with the same registry and anchor, exposes no
// account, and grows from there; opened again as the wallet's chain, it
// keeps the node's anchor too.
func TestNodeServesTheWalletsChain(t *testing.T) {
	ctx := testContext(t)
	dir := filepath.Join(t.TempDir(), "chain")
	patient, patientAddr := newKey(t)

	n, err := chain.OpenEmbedded(ctx, dir, patientAddr)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { n.Close() })
	root := crypto.Keccak256Hash([]byte("anchored on the wallet's own chain"))
	anchor(t, ctx, n, patient, root, 2)
	registry := n.Registry
	if err := n.Close(); err != nil {
		t.Fatal(err)
	}

	node := openNode(t, dir)
	if node.Network.Registry != registry {
		t.Fatalf("the node's registry is %s, the wallet's chain had %s", node.Network.Registry, registry)
	}
	if crypto.PubkeyToAddress(node.Key.PublicKey) != node.Network.Faucet {
		t.Fatalf("the node's key is not its chain's funded account")
	}
	if a := anchorOf(t, ctx, node.Network, patientAddr, root); a.Count != 2 {
		t.Fatalf("the wallet's anchor on the node: %+v", a)
	}
	var accounts []common.Address
	if err := node.RPC.CallContext(ctx, &accounts, "eth_accounts"); err != nil || len(accounts) != 0 {
		t.Fatalf("eth_accounts on the node: %v %v, want none unlocked", accounts, err)
	}
	root2 := crypto.Keccak256Hash([]byte("anchored through the node"))
	anchor(t, ctx, node.Network, patient, root2, 1)
	if err := node.Close(); err != nil {
		t.Fatal(err)
	}

	n, err = chain.OpenEmbedded(ctx, dir)
	if err != nil {
		t.Fatalf("reopening the node's chain as the wallet's: %v", err)
	}
	t.Cleanup(func() { n.Close() })
	if n.Registry != registry {
		t.Fatalf("registry %s after the node, was %s", n.Registry, registry)
	}
	for _, r := range []common.Hash{root, root2} {
		if a := anchorOf(t, ctx, n, patientAddr, r); a.AnchoredAt == 0 {
			t.Fatalf("anchor %s lost after the node", r)
		}
	}
}

// TestNodeSealsEveryPeriod: a node seals blocks on its period, with or
// without transactions, and transactions sent together share a block
// rather than each getting its own; a new node deploys its registry once.
func TestNodeSealsEveryPeriod(t *testing.T) {
	ctx := testContext(t)
	dir := t.TempDir()
	node := openNode(t, dir)
	n := node.Network
	if err := chain.CheckRegistry(ctx, n.Client, n.Registry, n.ChainID); err != nil {
		t.Fatalf("a new node's registry: %v", err)
	}

	start := blockNumber(t, ctx, n)
	time.Sleep(3500 * time.Millisecond)
	idle := blockNumber(t, ctx, n)
	if idle < start+2 || idle > start+5 {
		t.Fatalf("an idle node with a 1 s period went from block %d to %d in 3.5 s, want 2 to 5 blocks", start, idle)
	}

	// Three transfers from the node's key, signed with consecutive nonces
	// and sent at once.
	from := crypto.PubkeyToAddress(node.Key.PublicKey)
	nonce, err := n.Client.PendingNonceAt(ctx, from)
	if err != nil {
		t.Fatal(err)
	}
	signer := types.LatestSignerForChainID(n.ChainID)
	var hashes []common.Hash
	for i := range 3 {
		_, to := newKey(t)
		tx := types.MustSignNewTx(node.Key, signer, &types.DynamicFeeTx{
			ChainID: n.ChainID, Nonce: nonce + uint64(i), GasTipCap: big.NewInt(1e9), GasFeeCap: big.NewInt(10e9),
			Gas: 21_000, To: &to, Value: big.NewInt(1),
		})
		if err := n.Client.SendTransaction(ctx, tx); err != nil {
			t.Fatal(err)
		}
		hashes = append(hashes, tx.Hash())
	}
	blocks := map[uint64]bool{}
	for _, h := range hashes {
		r, err := chain.WaitMined(ctx, n.Client, h)
		if err != nil {
			t.Fatal(err)
		}
		blocks[r.BlockNumber.Uint64()] = true
	}
	if len(blocks) > 2 {
		t.Fatalf("three transactions sent together landed in %d blocks: a block per transaction, not per period", len(blocks))
	}
	registry := n.Registry
	node.Close()

	node = openNode(t, dir)
	if node.Network.Registry != registry {
		t.Fatalf("registry %s after reopening, was %s", node.Network.Registry, registry)
	}
}
