package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"math/big"
	"os/exec"
	"strings"
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

const testPhrase = "abandon abandon abandon abandon abandon abandon abandon abandon abandon abandon abandon abandon abandon abandon abandon abandon abandon abandon abandon abandon abandon abandon abandon art"

// TestChainServe runs hw chain serve as its own process and uses it the way
// another wallet or tool would: over HTTP and WebSocket, finding the registry
// from the URL alone, sending a transaction, and through hw's own chain
// commands. The chain's directory is refused to anyone else meanwhile.
func TestChainServe(t *testing.T) {
	s := chaintest.StartServe(t)
	ctx, cancel := context.WithTimeout(t.Context(), 90*time.Second)
	defer cancel()
	devChain := big.NewInt(chain.DevChainID)

	if s.ChainID.Cmp(devChain) != 0 || s.Registry == (common.Address{}) || s.Faucet == (common.Address{}) {
		t.Fatalf("served %+v", s)
	}
	n, err := chain.Dial(ctx, s.URL, common.Address{}, devChain)
	if err != nil {
		t.Fatalf("Dial with the URL only: %v", err)
	}
	defer n.Close()
	if n.Registry != s.Registry {
		t.Fatalf("the node says registry %s, hw printed %s", n.Registry, s.Registry)
	}
	ws, err := chain.Dial(ctx, s.WS, s.Registry, devChain)
	if err != nil {
		t.Fatalf("Dial over WebSocket: %v", err)
	}
	defer ws.Close()

	// Another wallet: funded from the dev account, anchors over HTTP, reads
	// it back over WebSocket.
	key, _ := crypto.GenerateKey()
	addr := crypto.PubkeyToAddress(key.PublicKey)
	s.Fund(addr)
	reg := contracts.NewHealthRegistry()
	opts := bind.NewKeyedTransactor(key, devChain)
	opts.Context = ctx
	root := crypto.Keccak256Hash([]byte("served batch"))
	tx, err := bind.Transact(reg.Instance(n.Client, n.Registry), opts, reg.PackAnchor(root, 2))
	if err != nil {
		t.Fatalf("anchoring: %v", err)
	}
	if r, err := chain.WaitMined(ctx, n.Client, tx.Hash()); err != nil || r.Status != types.ReceiptStatusSuccessful {
		t.Fatalf("anchor: %v %+v", err, r)
	}
	got, err := bind.Call(reg.Instance(ws.Client, ws.Registry), &bind.CallOpts{Context: ctx}, reg.PackAnchorOf(addr, root), reg.UnpackAnchorOf)
	if err != nil || got.AnchoredAt == 0 || got.Count != 2 {
		t.Fatalf("anchorOf over WebSocket: %+v, %v", got, err)
	}

	// The chain's directory is taken while it is served.
	if other, err := chain.OpenEmbedded(ctx, s.DataDir); !errors.Is(err, chain.ErrChainInUse) {
		if other != nil {
			other.Close()
		}
		t.Fatalf("opening the served chain's directory: %v, want ErrChainInUse", err)
	}

	// hw itself, pointed at the served chain.
	h := newHWRunner(t, t.TempDir())
	h.env = append(h.env, "HW_CHAIN="+s.URL, "HW_MNEMONIC="+testPhrase)
	h.run("restore", "--name", "Ada")

	var fund fundResult
	decodeJSON(t, h.run("chain", "fund", "--json", "--amount", "2.5"), &fund)
	if fund.Amount != "2500000000000000000" || fund.Balance != fund.Amount || !common.IsHexAddress(fund.Address) {
		t.Fatalf("hw chain fund: %+v", fund)
	}

	var st chainStatus
	decodeJSON(t, h.run("chain", "status", "--json"), &st)
	if st.Kind != "rpc" || st.URL != s.URL || st.ChainID.Cmp(devChain) != 0 || !st.RegistryOK ||
		st.Registry == nil || *st.Registry != s.Registry || st.Block == 0 ||
		st.Address != fund.Address || st.Balance != fund.Balance {
		t.Fatalf("hw chain status: %+v", st)
	}

	var dep deployResult
	decodeJSON(t, h.run("chain", "deploy", "--dev-account", "--json"), &dep)
	if dep.Registry == (common.Address{}) || dep.Registry == s.Registry || dep.ChainID.Cmp(devChain) != 0 || dep.GasUsed == 0 {
		t.Fatalf("hw chain deploy: %+v", dep)
	}
	decodeJSON(t, h.run("chain", "status", "--json", "--registry", dep.Registry.Hex()), &st)
	if !st.RegistryOK || *st.Registry != dep.Registry {
		t.Fatalf("status of the new registry: %+v", st)
	}

	// hw chain serve stops cleanly on SIGTERM, and the chain it leaves opens
	// in-process with everything in it.
	if err := s.Stop(); err != nil {
		t.Fatalf("hw chain serve on SIGTERM: %v, want a clean exit", err)
	}
	reopened, err := chain.OpenEmbedded(ctx, s.DataDir)
	if err != nil {
		t.Fatalf("reopening the served chain: %v", err)
	}
	defer reopened.Close()
	if reopened.Registry != s.Registry {
		t.Fatalf("registry %s after serving, was %s", reopened.Registry, s.Registry)
	}
	got, err = bind.Call(reg.Instance(reopened.Client, reopened.Registry), &bind.CallOpts{Context: ctx}, reg.PackAnchorOf(addr, root), reg.UnpackAnchorOf)
	if err != nil || got.AnchoredAt == 0 || got.Count != 2 {
		t.Fatalf("anchorOf after serving: %+v, %v", got, err)
	}
}

// TestChainServeSurvivesKill: a chain whose process is killed (SIGKILL)
// after a transaction reopens with that transaction's block: the embedded
// chain has no peer to recover lost blocks from, so it flushes its database
// each time a block becomes the head. That flush runs just after the block
// is visible, so a kill within that instant can still lose the newest block;
// the wallet's outbox covers it by re-sending its saved raw transaction.
func TestChainServeSurvivesKill(t *testing.T) {
	s := chaintest.StartServe(t)
	ctx, cancel := context.WithTimeout(t.Context(), 60*time.Second)
	defer cancel()
	to := common.HexToAddress("0x000000000000000000000000000000000000bEEF")
	const funds = 3
	for range funds {
		s.Fund(to)
	}
	time.Sleep(500 * time.Millisecond) // the flush after the last block
	s.Kill()
	height := uint64(1 + funds) // the registry's deployment, then a block per transfer

	reopened, err := chain.OpenEmbedded(ctx, s.DataDir)
	if err != nil {
		t.Fatalf("reopening after SIGKILL: %v", err)
	}
	defer reopened.Close()
	got, err := reopened.Client.BlockNumber(ctx)
	if err != nil {
		t.Fatal(err)
	}
	bal, err := reopened.Client.BalanceAt(ctx, to, nil)
	if err != nil {
		t.Fatal(err)
	}
	want := new(big.Int).Mul(chaintest.FundAmount, big.NewInt(funds))
	if got != height || bal.Cmp(want) != 0 {
		t.Fatalf("after SIGKILL: block %d, balance %s; want block %d, balance %s", got, bal, height, want)
	}
}

// TestChainWrongChainID: a chain id the wallet does not expect is refused
// with exit code 1 and one line saying both.
func TestChainWrongChainID(t *testing.T) {
	url, _ := chaintest.StartGeth(t)
	h := newHWRunner(t, t.TempDir())
	h.env = append(h.env, "HW_CHAIN="+url)
	// The wrong chain id is refused with exit code 1 and one line.
	cmd := h.command("chain", "status")
	cmd.Env = append(cmd.Env, "HW_CHAIN_ID=5")
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	var ee *exec.ExitError
	if err := cmd.Run(); !errors.As(err, &ee) || ee.ExitCode() != exitUser || !strings.Contains(stderr.String(), "this node is chain 1337, the wallet expects chain 5") {
		t.Fatalf("HW_CHAIN_ID=5: %v, %q", err, stderr.String())
	}
	if lines := strings.Count(strings.TrimSpace(stderr.String()), "\n"); lines != 0 {
		t.Fatalf("want one line, got %q", stderr.String())
	}
}

// TestChainDeployOnGeth: hw chain deploy against a real geth --dev, paid by
// geth's developer account.
func TestChainDeployOnGeth(t *testing.T) {
	url, _ := chaintest.StartGeth(t)
	h := newHWRunner(t, t.TempDir())
	var dep deployResult
	decodeJSON(t, h.run("--chain", url, "chain", "deploy", "--dev-account", "--json"), &dep)
	var st chainStatus
	decodeJSON(t, h.run("--chain", url, "chain", "status", "--json", "--registry", dep.Registry.Hex()), &st)
	if !st.RegistryOK || st.Kind != "rpc" || st.Block != dep.Block {
		t.Fatalf("status after deploying on geth: %+v (deploy %+v)", st, dep)
	}
	// Without a registry address, geth cannot say one: status says what to do.
	decodeJSON(t, h.run("--chain", url, "chain", "status", "--json"), &st)
	if st.RegistryOK || !strings.Contains(st.Problem, "hw chain deploy") {
		t.Fatalf("status without a registry: %+v", st)
	}
}

func decodeJSON(t *testing.T, data []byte, v any) {
	t.Helper()
	if err := json.Unmarshal(data, v); err != nil {
		t.Fatalf("decoding %s: %v", data, err)
	}
}
