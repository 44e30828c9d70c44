//go:build unix

package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math/big"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/ethereum/go-ethereum"
	"github.com/ethereum/go-ethereum/common"
	"github.com/ethereum/go-ethereum/ethclient"

	"healthwallet/chain/chaintest"
	"healthwallet/chain/contracts"
)

// rpcProxy stands between hw and the chain: it can play dead (every request
// answered 503, as a gateway in front of a stopped node), hold the next
// eth_sendRawTransaction, so that the test can kill hw while its broadcast
// is in flight, pass a broadcast on and lose the node's answer (the
// connection dropped on the way back), or swallow broadcasts as a mempool
// watcher would see them before they reach the node. It remembers every raw
// transaction that reached the chain.
type rpcProxy struct {
	t      *testing.T
	target string
	srv    *httptest.Server

	down atomic.Bool
	hold atomic.Bool
	held chan string // the raw transaction of a held broadcast
	// lose: broadcasts reach the node, the answers are lost.
	lose atomic.Bool
	// capture: broadcasts are swallowed (not forwarded, no answer) and
	// handed to captured.
	capture  atomic.Bool
	captured chan string

	mu        sync.Mutex
	forwarded []string // raw transactions passed on to the chain, in order
}

func newRPCProxy(t *testing.T, target string) *rpcProxy {
	p := &rpcProxy{t: t, target: target, held: make(chan string, 1), captured: make(chan string, 16)}
	p.srv = httptest.NewServer(http.HandlerFunc(p.serve))
	t.Cleanup(p.srv.Close)
	return p
}

func (p *rpcProxy) serve(w http.ResponseWriter, r *http.Request) {
	body, _ := io.ReadAll(r.Body)
	if p.down.Load() {
		http.Error(w, "bad gateway: the node is down", http.StatusBadGateway)
		return
	}
	var req struct {
		Method string            `json:"method"`
		Params []json.RawMessage `json:"params"`
	}
	if json.Unmarshal(body, &req) == nil && req.Method == "eth_sendRawTransaction" && len(req.Params) == 1 {
		var raw string
		json.Unmarshal(req.Params[0], &raw)
		if p.hold.CompareAndSwap(true, false) {
			p.held <- raw
			<-r.Context().Done() // until hw dies and the connection drops
			return
		}
		if p.capture.Load() {
			p.captured <- raw
			dropConnection(w)
			return
		}
		p.mu.Lock()
		p.forwarded = append(p.forwarded, raw)
		p.mu.Unlock()
		if p.lose.Load() {
			resp, err := http.Post(p.target, "application/json", bytes.NewReader(body))
			if err == nil {
				io.Copy(io.Discard, resp.Body)
				resp.Body.Close()
			}
			dropConnection(w)
			return
		}
	}
	resp, err := http.Post(p.target, "application/json", bytes.NewReader(body))
	if err != nil {
		http.Error(w, err.Error(), http.StatusBadGateway)
		return
	}
	defer resp.Body.Close()
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(resp.StatusCode)
	io.Copy(w, resp.Body)
}

// dropConnection closes the client's connection without an answer.
func dropConnection(w http.ResponseWriter) {
	if conn, _, err := http.NewResponseController(w).Hijack(); err == nil {
		conn.Close()
	}
}

func (p *rpcProxy) sent() []string {
	p.mu.Lock()
	defer p.mu.Unlock()
	return append([]string(nil), p.forwarded...)
}

type anchorJSON struct {
	Batches []struct {
		Root    string `json:"root"`
		Count   int    `json:"count"`
		State   string `json:"state"`
		TxHash  string `json:"txHash"`
		Block   uint64 `json:"block"`
		Problem string `json:"problem"`
	} `json:"batches"`
	Queued  int    `json:"queued"`
	Problem string `json:"problem"`
}

// TestAnchorOfflineKilledThenOnce is the acceptance test of issue 3: with the
// chain down, imports and anchor requests queue; hw is killed with SIGKILL
// while its broadcast is in flight; once the chain is back, every batch lands
// exactly once — no root twice, none lost — counted from the chain's
// Anchored events, and the re-sent transaction is byte for byte the one
// saved before the kill. The chain is a real `hw chain serve` process.
func TestAnchorOfflineKilledThenOnce(t *testing.T) {
	served := chaintest.StartServe(t) // skips under -short
	proxy := newRPCProxy(t, served.URL)
	tmp := t.TempDir()
	h := newHWRunner(t, filepath.Join(tmp, "vault"))
	h.env = append(h.env, "HW_CHAIN="+proxy.srv.URL)

	var created struct {
		Address string `json:"address"`
	}
	if err := json.Unmarshal(h.run("--json", "init", "--yes", "--name", "Tester"), &created); err != nil {
		t.Fatal(err)
	}
	served.Fund(common.HexToAddress(created.Address))

	importN := func(prefix string, n int) {
		for i := range n {
			path := filepath.Join(tmp, fmt.Sprintf("%s-%d.json", prefix, i))
			raw := fmt.Sprintf(`{"resourceType":"Observation","id":"%s-%d","status":"final","code":{"text":"%s reading %d"},"valueQuantity":{"value":%d,"unit":"mg/dL"}}`, prefix, i, prefix, i, 90+i)
			if err := os.WriteFile(path, []byte(raw), 0o600); err != nil {
				t.Fatal(err)
			}
			h.run("import", path)
		}
	}
	anchor := func(wantExit int, args ...string) anchorJSON {
		t.Helper()
		cmd := h.command(append([]string{"--json", "anchor"}, args...)...)
		var stdout, stderr bytes.Buffer
		cmd.Stdout, cmd.Stderr = &stdout, &stderr
		err := cmd.Run()
		code := 0
		var ee *exec.ExitError
		if errors.As(err, &ee) {
			code = ee.ExitCode()
		} else if err != nil {
			t.Fatal(err)
		}
		if code != wantExit {
			t.Fatalf("hw anchor exited %d, want %d\n%s%s", code, wantExit, stdout.Bytes(), stderr.Bytes())
		}
		var rep anchorJSON
		if err := json.Unmarshal(stdout.Bytes(), &rep); err != nil {
			t.Fatalf("hw anchor --json printed %q: %v", stdout.Bytes(), err)
		}
		return rep
	}

	// 1. The chain is down: imports and anchoring queue.
	proxy.down.Store(true)
	importN("offline", 3)
	rep := anchor(1, "--timeout", "5s")
	if len(rep.Batches) != 1 || rep.Batches[0].State != "pending" || rep.Problem == "" {
		t.Fatalf("offline hw anchor: %+v", rep)
	}
	importN("later", 2)

	// 2. The chain is back, but hw dies while broadcasting.
	proxy.down.Store(false)
	proxy.hold.Store(true)
	cmd := h.command("--json", "anchor", "--timeout", "60s")
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	var heldRaw string
	select {
	case heldRaw = <-proxy.held:
	case <-time.After(60 * time.Second):
		cmd.Process.Kill()
		t.Fatal("hw anchor never broadcast")
	}
	cmd.Process.Signal(syscall.SIGKILL)
	cmd.Wait()
	if len(proxy.sent()) != 0 {
		t.Fatalf("something reached the chain before the kill: %v", proxy.sent())
	}

	// 3. The next run sends the saved transaction again, unchanged, and
	// everything lands.
	rep = anchor(0, "--timeout", "60s")
	sent := proxy.sent()
	if len(sent) == 0 || sent[0] != heldRaw {
		t.Fatalf("the first broadcast after the kill differs from the one in flight at the kill:\n held %.80s…\n sent %v", heldRaw, sent)
	}
	total := 0
	reported := map[common.Hash]int{}
	for _, b := range rep.Batches {
		if b.State != "included" && b.State != "final" {
			t.Fatalf("batch not anchored: %+v", b)
		}
		total += b.Count
		reported[common.HexToHash(b.Root)] = b.Count
	}
	if len(rep.Batches) != 2 || total != 5 {
		t.Fatalf("after the chain came back: %+v", rep)
	}

	// Count the chain's Anchored events against the records.
	client, err := ethclient.Dial(served.URL)
	if err != nil {
		t.Fatal(err)
	}
	defer client.Close()
	reg := contracts.NewHealthRegistry()
	logs, err := client.FilterLogs(context.Background(), ethereum.FilterQuery{
		FromBlock: new(big.Int), Addresses: []common.Address{served.Registry},
		Topics: [][]common.Hash{{reg.GetABI().Events["Anchored"].ID}, {common.BytesToHash(common.HexToAddress(created.Address).Bytes())}},
	})
	if err != nil {
		t.Fatal(err)
	}
	onChain := map[common.Hash]int{}
	for _, l := range logs {
		ev, err := reg.UnpackAnchoredEvent(&l)
		if err != nil {
			t.Fatal(err)
		}
		onChain[ev.Root]++
		if int(ev.Count) != reported[ev.Root] {
			t.Errorf("root %s anchored over %d leaves, the wallet made %d", common.Hash(ev.Root), ev.Count, reported[ev.Root])
		}
	}
	if len(logs) != len(reported) {
		t.Errorf("%d Anchored events for %d batches", len(logs), len(reported))
	}
	for root := range reported {
		if onChain[root] != 1 {
			t.Errorf("root %s anchored %d times", root, onChain[root])
		}
	}

	// Every record verifies; an unknown one is an error.
	for _, r := range h.records() {
		var v struct {
			Anchored bool   `json:"anchored"`
			Valid    bool   `json:"valid"`
			Root     string `json:"root"`
			Block    uint64 `json:"block"`
			Time     string `json:"time"`
			Problem  string `json:"problem"`
		}
		out := h.run("--json", "verify", r.ID)
		if err := json.Unmarshal(out, &v); err != nil || !v.Anchored || !v.Valid || v.Block == 0 || v.Time == "" || reported[common.HexToHash(v.Root)] == 0 {
			t.Fatalf("hw verify %s: %s (%v)", r.ID, out, err)
		}
	}
	if err := h.command("verify", "ffffffffffff").Run(); err == nil || !strings.Contains(err.Error(), "exit status 1") {
		t.Fatalf("hw verify of an unknown id: %v, want exit status 1", err)
	}
}

// TestAnchorReplyLostLandsOnce: the broadcast reaches a real node (hw chain
// serve) but its answer is lost on the way back, as when the connection
// drops. hw must not take the silence for a refusal and send a different
// transaction: the batch lands exactly once, from the transaction that
// reached the node, and the wallet's address spends one nonce on it.
func TestAnchorReplyLostLandsOnce(t *testing.T) {
	served := chaintest.StartServe(t) // skips under -short
	proxy := newRPCProxy(t, served.URL)
	tmp := t.TempDir()
	h := newHWRunner(t, filepath.Join(tmp, "vault"))
	h.env = append(h.env, "HW_CHAIN="+proxy.srv.URL)
	var created struct {
		Address string `json:"address"`
	}
	if err := json.Unmarshal(h.run("--json", "init", "--yes", "--name", "Tester"), &created); err != nil {
		t.Fatal(err)
	}
	patient := common.HexToAddress(created.Address)
	served.Fund(patient)
	for i := range 2 {
		path := filepath.Join(tmp, fmt.Sprintf("r%d.json", i))
		raw := fmt.Sprintf(`{"resourceType":"Observation","id":"lost-%d","status":"final","code":{"text":"reading %d"},"valueQuantity":{"value":%d,"unit":"mg/dL"}}`, i, i, 90+i)
		if err := os.WriteFile(path, []byte(raw), 0o600); err != nil {
			t.Fatal(err)
		}
		h.run("import", path)
	}

	// Every answer to a broadcast is lost; the transactions reach the node.
	proxy.lose.Store(true)
	var out, errOut bytes.Buffer
	cmd := h.command("--json", "anchor", "--timeout", "10s")
	cmd.Stdout, cmd.Stderr = &out, &errOut
	_ = cmd.Run() // pending or anchored, both honest: the answer was lost
	lost := proxy.sent()
	if len(lost) == 0 {
		t.Fatalf("nothing was broadcast while the answers were lost\n%s%s", out.Bytes(), errOut.Bytes())
	}
	proxy.lose.Store(false)

	// The next run finds the transaction that reached the node.
	var rep anchorJSON
	if err := json.Unmarshal(h.run("--json", "anchor", "--timeout", "60s"), &rep); err != nil {
		t.Fatal(err)
	}
	if len(rep.Batches) != 1 || (rep.Batches[0].State != "included" && rep.Batches[0].State != "final") {
		t.Fatalf("after the lost answer: %+v", rep)
	}
	for _, raw := range proxy.sent() {
		if raw != lost[0] {
			t.Fatalf("hw sent a different transaction after the lost answer:\n first %.80s…\n later %.80s…", lost[0], raw)
		}
	}
	client, err := ethclient.Dial(served.URL)
	if err != nil {
		t.Fatal(err)
	}
	defer client.Close()
	if n, err := client.NonceAt(context.Background(), patient, nil); err != nil || n != 1 {
		t.Fatalf("the wallet's address sent %d transactions (%v), want 1", n, err)
	}
	reg := contracts.NewHealthRegistry()
	logs, err := client.FilterLogs(context.Background(), ethereum.FilterQuery{
		FromBlock: new(big.Int), Addresses: []common.Address{served.Registry},
		Topics: [][]common.Hash{{reg.GetABI().Events["Anchored"].ID}, {common.BytesToHash(patient.Bytes())}},
	})
	if err != nil || len(logs) != 1 || logs[0].Topics[2] != common.HexToHash(rep.Batches[0].Root) {
		t.Fatalf("Anchored events: %d (%v), want one for %s", len(logs), err, rep.Batches[0].Root)
	}
}
