package chain_test

import (
	"errors"
	"fmt"
	"math/big"
	"net"
	"strings"
	"testing"

	"github.com/ethereum/go-ethereum/common"
	"github.com/ethereum/go-ethereum/crypto"

	"healthwallet/chain"
	"healthwallet/chain/chaintest"
)

// TestGethDev runs the wallet's chain code against a real geth --dev process
// over JSON-RPC: deploy with a funded key, anchor, read back, and the refusals
// a user would meet — the wrong chain, no registry, no funds.
func TestGethDev(t *testing.T) {
	url, fund := chaintest.StartGeth(t)
	ctx := testContext(t)
	devChain := big.NewInt(chain.DevChainID)

	node, err := chain.DialNode(ctx, url, devChain)
	if err != nil {
		t.Fatalf("DialNode: %v", err)
	}
	defer node.Close()

	// A key without funds cannot deploy, and is told what to do.
	_, err = func() (common.Address, error) {
		k, _ := newKey(t)
		a, _, err := chain.Deploy(ctx, node.Client, k, node.ChainID)
		return a, err
	}()
	if !errors.Is(err, chain.ErrInsufficientFunds) || !strings.Contains(err.Error(), "hw chain fund") {
		t.Fatalf("deploying without funds: %v, want ErrInsufficientFunds saying hw chain fund", err)
	}

	patient, patientAddr := newKey(t)
	fund(patientAddr)
	registry, receipt, err := chain.Deploy(ctx, node.Client, patient, node.ChainID)
	if err != nil {
		t.Fatalf("Deploy: %v", err)
	}
	t.Logf("geth --dev (its own genesis, draft forks on): deploying the registry used %d gas", receipt.GasUsed)

	n, err := chain.Dial(ctx, url, registry, devChain)
	if err != nil {
		t.Fatalf("Dial: %v", err)
	}
	defer n.Close()
	if n.Kind != chain.KindRPC || n.URL != url || n.Registry != registry {
		t.Fatalf("network %+v", n)
	}
	root := crypto.Keccak256Hash([]byte("geth batch"))
	r := anchor(t, ctx, n, patient, root, 16)
	t.Logf("geth --dev: anchoring one root used %d gas", r.GasUsed)
	if a := anchorOf(t, ctx, n, patientAddr, root); a.AnchoredAt == 0 || a.Count != 16 {
		t.Fatalf("anchorOf: %+v", a)
	}

	// The wrong chain is refused before anything else, with both ids.
	_, err = chain.Dial(ctx, url, registry, big.NewInt(5))
	if !errors.Is(err, chain.ErrWrongChain) || !strings.Contains(err.Error(), "this node is chain 1337, the wallet expects chain 5") {
		t.Fatalf("wrong chain id: %v", err)
	}
	// No registry: nothing at the address, an account without code, or no
	// address at all (geth does not answer healthwallet_registry).
	for _, addr := range []common.Address{common.HexToAddress("0x000000000000000000000000000000000000dEaD"), patientAddr, {}} {
		_, err = chain.Dial(ctx, url, addr, devChain)
		if !errors.Is(err, chain.ErrNoRegistry) || !strings.Contains(err.Error(), "hw chain deploy") {
			t.Fatalf("registry %s: %v, want ErrNoRegistry saying hw chain deploy", addr, err)
		}
	}

	// The node's developer account deploys too, for setups without a wallet.
	devRegistry, _, err := node.DeployFromDevAccount(ctx)
	if err != nil {
		t.Fatalf("DeployFromDevAccount: %v", err)
	}
	if err := chain.CheckRegistry(ctx, node.Client, devRegistry, devChain); err != nil {
		t.Fatalf("registry from the dev account: %v", err)
	}
}

// TestGethDevOsakaGas: geth --dev started on the embedded chain's genesis
// charges public-chain gas, where stock geth --dev (draft forks on) charges
// far more for new storage.
func TestGethDevOsakaGas(t *testing.T) {
	stockURL, stockFund := chaintest.StartGeth(t)
	osakaURL, osakaFund := chaintest.StartGeth(t, chaintest.OsakaGas())
	ctx := testContext(t)
	gas := map[string]uint64{}
	for name, node := range map[string]struct {
		url  string
		fund func(common.Address)
	}{"stock": {stockURL, stockFund}, "osaka": {osakaURL, osakaFund}} {
		key, addr := newKey(t)
		node.fund(addr)
		base, err := chain.DialNode(ctx, node.url, big.NewInt(chain.DevChainID))
		if err != nil {
			t.Fatal(err)
		}
		registry, _, err := chain.Deploy(ctx, base.Client, key, base.ChainID)
		base.Close()
		if err != nil {
			t.Fatal(err)
		}
		n, err := chain.Dial(ctx, node.url, registry, nil)
		if err != nil {
			t.Fatal(err)
		}
		gas[name] = anchor(t, ctx, n, key, crypto.Keccak256Hash([]byte(name)), 1).GasUsed
		n.Close()
	}
	t.Logf("anchoring one root: %d gas on stock geth --dev, %d under Osaka rules", gas["stock"], gas["osaka"])
	if gas["osaka"] > 50_000 {
		t.Errorf("Osaka anchor %d gas, want ≤ 50,000 (DESIGN §6)", gas["osaka"])
	}
	if gas["stock"] <= gas["osaka"] {
		t.Errorf("stock geth --dev anchor %d gas ≤ Osaka %d: has go-ethereum's dev config changed? update the docs in chain and chaintest", gas["stock"], gas["osaka"])
	}
}

// TestDialNodeDown: nothing listening gives ErrChainDown, saying where and
// what to check.
func TestDialNodeDown(t *testing.T) {
	ctx := testContext(t)
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	url := fmt.Sprintf("http://%s", l.Addr())
	l.Close() // nothing listens there now

	for _, dial := range []func() error{
		func() error { _, err := chain.Dial(ctx, url, common.Address{1}, nil); return err },
		func() error { _, err := chain.DialNode(ctx, url, nil); return err },
		func() error { _, err := chain.DialNode(ctx, strings.Replace(url, "http", "ws", 1), nil); return err },
	} {
		err := dial()
		if !errors.Is(err, chain.ErrChainDown) || !chain.IsUnreachable(err) {
			t.Fatalf("dialing a port nobody listens on: %v, want ErrChainDown", err)
		}
		if !strings.Contains(err.Error(), "is the node running?") {
			t.Fatalf("message %q does not say what to check", err)
		}
	}
}

func TestEther(t *testing.T) {
	for _, tc := range []struct {
		in   string
		want string
	}{{"10", "10"}, {"0.5", "0.5"}, {"0.000021", "0.000021"}, {"1000000", "1000000"}} {
		wei, err := chain.ParseEther(tc.in)
		if err != nil {
			t.Fatalf("ParseEther(%q): %v", tc.in, err)
		}
		if got := chain.FormatEther(wei); got != tc.want {
			t.Errorf("FormatEther(ParseEther(%q)) = %q", tc.in, got)
		}
	}
	for _, bad := range []string{"", "-1", "ten", "0.0000000000000000001"} {
		if _, err := chain.ParseEther(bad); err == nil {
			t.Errorf("ParseEther(%q) accepted", bad)
		}
	}
}
