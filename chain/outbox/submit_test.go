package outbox_test

import (
	"context"
	"errors"
	"math/big"
	"net/http/httptest"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/ethereum/go-ethereum"
	"github.com/ethereum/go-ethereum/common"
	"github.com/ethereum/go-ethereum/core/types"
	"github.com/ethereum/go-ethereum/crypto"

	"healthwallet/chain"
	"healthwallet/chain/contracts"
	"healthwallet/chain/outbox"
)

// netEnv is a wallet on a network: a real node (a block a second) with its
// submitter, and the patient's key, which holds no ETH.
type netEnv struct {
	t       *testing.T
	ctx     context.Context
	node    *chain.Node
	sub     *chain.Submitter
	patient chain.Signer
	store   *memStore
}

func newNetEnv(t *testing.T) *netEnv {
	t.Helper()
	ctx, cancel := context.WithTimeout(t.Context(), 90*time.Second)
	t.Cleanup(cancel)
	node, err := chain.OpenNode(ctx, t.TempDir(), chain.NodeOptions{Period: time.Second})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { node.Close() })
	key, err := crypto.GenerateKey()
	if err != nil {
		t.Fatal(err)
	}
	n := node.Network
	return &netEnv{t: t, ctx: ctx, node: node, sub: chain.NewSubmitter(n, node.Key), store: newMemStore(),
		patient: chain.Signer{Key: key, ChainID: n.ChainID, Registry: n.Registry}}
}

// readOnly is the network as a wallet on it sees the chain: through the
// network's read-only JSON-RPC only.
func (e *netEnv) readOnly() *chain.Network {
	e.t.Helper()
	srv := httptest.NewServer(chain.ReadOnlyRPC(e.node.RPC, e.node.Network.Registry))
	e.t.Cleanup(srv.Close)
	n, err := chain.DialWith(e.ctx, srv.URL, srv.Client(), e.node.Network.Registry, e.node.Network.ChainID)
	if err != nil {
		e.t.Fatal(err)
	}
	e.t.Cleanup(func() { n.Close() })
	return n
}

func (e *netEnv) deadline() uint64 {
	e.t.Helper()
	h, err := e.node.Network.Client.HeaderByNumber(e.ctx, nil)
	if err != nil {
		e.t.Fatal(err)
	}
	return h.Time + 24*3600
}

// enqueue queues data, signed by the caller (err is the signing's).
func (e *netEnv) enqueue(kind string, signed func() ([]byte, error)) outbox.Row {
	e.t.Helper()
	data, err := signed()
	if err != nil {
		e.t.Fatal(err)
	}
	var row outbox.Row
	if err := e.store.Update(func(tx outbox.Tx) error {
		var err error
		row, err = outbox.Enqueue(tx, kind, nil, data)
		return err
	}); err != nil {
		e.t.Fatal(err)
	}
	return row
}

func (e *netEnv) rows() []outbox.Row {
	e.t.Helper()
	var rows []outbox.Row
	if err := e.store.View(func(r outbox.Reader) error {
		var err error
		rows, err = outbox.Rows(r)
		return err
	}); err != nil {
		e.t.Fatal(err)
	}
	return rows
}

// events counts the registry's events of the kind with the given first
// indexed topic.
func (e *netEnv) events(event string, topics ...[]common.Hash) int {
	e.t.Helper()
	ev := contracts.NewHealthRegistry().GetABI().Events[event]
	logs, err := e.node.Network.Client.FilterLogs(e.ctx, ethereum.FilterQuery{
		FromBlock: new(big.Int), Addresses: []common.Address{e.node.Network.Registry},
		Topics: append([][]common.Hash{{ev.ID}}, topics...),
	})
	if err != nil {
		e.t.Fatal(err)
	}
	return len(logs)
}

// flakySubmission is the network's submission endpoint as a wallet reaches
// it: the real submitter, behind a link that can be down, or that loses the
// answer after the submitter acted.
type flakySubmission struct {
	sub        *chain.Submitter
	down       atomic.Bool
	loseAnswer atomic.Bool
	calls      atomic.Int64
}

var errOffline = errors.New("dial tcp 127.0.0.1:8443: connect: connection refused")

func (f *flakySubmission) Submit(ctx context.Context, data []byte) (chain.SubmitResult, error) {
	f.calls.Add(1)
	if f.down.Load() {
		return chain.SubmitResult{}, errOffline
	}
	res, err := f.sub.Submit(ctx, data)
	if f.loseAnswer.Load() {
		return chain.SubmitResult{}, errOffline
	}
	return res, err
}

func (f *flakySubmission) Status(ctx context.Context, hash common.Hash) (chain.TxStatus, error) {
	if f.down.Load() {
		return chain.TxStatus{}, errOffline
	}
	return f.sub.Status(ctx, hash)
}

// TestSubmittedExactlyOnce: a wallet on a network, holding no ETH, reading
// the chain through the read-only JSON-RPC only. Its signed actions wait
// while the network is down, are handed in while answers get lost, then
// land exactly once each across restarts of the outbox (a fresh Outbox on
// the same store for every Drain); one that waited past its deadline is
// signed again. The wallet never signs a transaction of its own.
func TestSubmittedExactlyOnce(t *testing.T) {
	e := newNetEnv(t)
	net := e.readOnly()
	endpoint := &flakySubmission{sub: e.sub}
	var resigned atomic.Int64
	newOutbox := func() *outbox.Outbox {
		return outbox.New(e.store, net, e.patient.Address(), func(*big.Int, *types.Transaction) (*types.Transaction, error) {
			t.Error("the outbox signed a transaction of the wallet's own on a network")
			return nil, errors.New("no")
		}, outbox.Options{
			Submit: endpoint,
			Resign: func(a chain.Action) ([]byte, error) {
				resigned.Add(1)
				return e.patient.Resign(a, e.deadline())
			},
		})
	}
	patient := e.patient.Address()
	roots := []common.Hash{crypto.Keccak256Hash([]byte("batch 1")), crypto.Keccak256Hash([]byte("batch 2")), crypto.Keccak256Hash([]byte("late batch"))}
	digest := crypto.Keccak256Hash([]byte("a share"))
	accessKey := newAddr(t)
	e.enqueue("anchor", func() ([]byte, error) { return e.patient.Anchor(roots[0], 2, e.deadline()) })
	e.enqueue("anchor", func() ([]byte, error) { return e.patient.Anchor(roots[1], 1, e.deadline()) })
	e.enqueue("grant", func() ([]byte, error) {
		return e.patient.IssueGrant(patient, digest, accessKey, uint64(time.Now().Add(time.Hour*24*30).Unix()), e.deadline())
	})
	e.enqueue("anchor", func() ([]byte, error) { return e.patient.Anchor(roots[2], 1, 1) }) // its deadline passed long ago

	// The network is down: everything waits, saying why.
	endpoint.down.Store(true)
	rep, err := newOutbox().Drain(e.ctx)
	if err != nil {
		t.Fatal(err)
	}
	if rep.Pending != 4 || !strings.Contains(rep.Problem, "connection refused") {
		t.Fatalf("with the network down: %+v", rep)
	}
	for _, r := range e.rows() {
		if r.State != outbox.Pending || len(r.Sent) != 0 || !strings.Contains(r.LastError, "submitting through the network") {
			t.Fatalf("row %d with the network down: %+v", r.ID, r)
		}
	}

	// Back, but every answer is lost after the submitter acted.
	endpoint.down.Store(false)
	endpoint.loseAnswer.Store(true)
	if _, err := newOutbox().Drain(e.ctx); err != nil {
		t.Fatal(err)
	}
	endpoint.loseAnswer.Store(false)

	// Then drained to the end, a fresh outbox each time.
	for {
		rep, err := newOutbox().Drain(e.ctx)
		if err != nil {
			t.Fatal(err)
		}
		if rep.Final == 4 {
			break
		}
		if rep.Failed > 0 {
			t.Fatalf("a row failed: %+v %+v", rep, e.rows())
		}
		select {
		case <-e.ctx.Done():
			t.Fatalf("not final in time: %+v %+v", rep, e.rows())
		case <-time.After(300 * time.Millisecond):
		}
	}
	for i, root := range roots {
		if n := e.events("Anchored", []common.Hash{common.BytesToHash(patient.Bytes())}, []common.Hash{root}); n != 1 {
			t.Errorf("anchor %d: %d Anchored events, want exactly 1", i, n)
		}
	}
	if n := e.events("GrantIssued", []common.Hash{common.BytesToHash(patient.Bytes())}, []common.Hash{digest}); n != 1 {
		t.Errorf("%d GrantIssued events, want exactly 1", n)
	}
	if resigned.Load() != 1 {
		t.Errorf("signed again %d times, want once (the late anchor)", resigned.Load())
	}
	for _, r := range e.rows() {
		if r.Inclusion == nil || r.Inclusion.BlockTime.IsZero() || r.Inclusion.BlockHash == (common.Hash{}) || r.HasNonce {
			t.Errorf("row %d: %+v, want included through the network with its block's time", r.ID, r)
		}
		for _, s := range r.Sent {
			if s.Via != outbox.ViaNetwork || len(s.Raw) != 0 {
				t.Errorf("row %d sent %+v, want only through the network", r.ID, s)
			}
		}
	}
	if bal, err := e.node.Network.Client.BalanceAt(e.ctx, patient, nil); err != nil || bal.Sign() != 0 {
		t.Errorf("the patient's balance: %v %v, want 0", bal, err)
	}
}

// blackHole is a test double of a misbehaving network node: its
// submission endpoint accepts every action and never sends any, and says
// the transaction is pending forever. (A real node cannot be made to
// misbehave this way; what is tested is the wallet's answer to one.)
type blackHole struct {
	node  *chain.Node
	mu    sync.Mutex
	calls int
}

func (b *blackHole) Submit(ctx context.Context, data []byte) (chain.SubmitResult, error) {
	b.mu.Lock()
	b.calls++
	b.mu.Unlock()
	return chain.SubmitResult{TxHash: crypto.Keccak256Hash([]byte("never sent"), data)}, nil
}

func (b *blackHole) Status(ctx context.Context, hash common.Hash) (chain.TxStatus, error) {
	head, err := b.node.Network.Client.BlockNumber(ctx)
	return chain.TxStatus{Hash: hash, State: chain.TxPending, Head: head}, err
}

func (b *blackHole) submissions() int {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.calls
}

// TestRevokeFallsBackToTheWallet: a network that swallows a revoke does
// not keep the grant alive. While the wallet has no funds it says there is
// no other route and keeps submitting; once funded, the revoke that waited
// FallbackAfterBlocks blocks is sent from the wallet's own address, and the
// row says so.
func TestRevokeFallsBackToTheWallet(t *testing.T) {
	e := newNetEnv(t)
	patient := e.patient.Address()
	digest := crypto.Keccak256Hash([]byte("a share to end"))
	accessKey := newAddr(t)
	grant, err := e.patient.IssueGrant(patient, digest, accessKey, uint64(time.Now().Add(time.Hour*24*30).Unix()), e.deadline())
	if err != nil {
		t.Fatal(err)
	}
	res, err := e.sub.Submit(e.ctx, grant)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := chain.WaitMined(e.ctx, e.node.Network.Client, res.TxHash); err != nil {
		t.Fatal(err)
	}

	hole := &blackHole{node: e.node}
	const after = 2
	ob := outbox.New(e.store, e.node.Network, patient, func(chainID *big.Int, tx *types.Transaction) (*types.Transaction, error) {
		return types.SignTx(tx, types.LatestSignerForChainID(chainID), e.patient.Key)
	}, outbox.Options{Submit: hole, FallbackAfterBlocks: after})
	row := e.enqueue("revoke", func() ([]byte, error) { return e.patient.RevokeGrant(patient, digest, e.deadline()) })

	drainUntil := func(what string, done func(outbox.Row) bool) outbox.Row {
		t.Helper()
		for {
			if _, err := ob.Drain(e.ctx); err != nil {
				t.Fatal(err)
			}
			r := e.rows()[row.ID-1]
			if done(r) {
				return r
			}
			select {
			case <-e.ctx.Done():
				t.Fatalf("%s: not in time: %+v", what, r)
			case <-time.After(300 * time.Millisecond):
			}
		}
	}
	waiting := drainUntil("no other route", func(r outbox.Row) bool { return strings.Contains(r.LastError, "no other route") })
	want := "the network did not include the revoke within 2 blocks"
	if !strings.Contains(waiting.LastError, want) || !strings.Contains(waiting.Fallback, "still waiting: no other route") || waiting.State != outbox.Pending {
		t.Fatalf("an unfunded wallet's revoke: %+v", waiting)
	}
	calls := hole.submissions()
	drainUntil("submitted again", func(outbox.Row) bool { return hole.submissions() > calls })

	if err := chain.Fund(e.ctx, e.node.Network.Client, e.node.Key, patient, chain.FundAmount); err != nil {
		t.Fatal(err)
	}
	done := drainUntil("sent by the wallet", func(r outbox.Row) bool { return r.State == outbox.Included || r.State == outbox.Final })
	if done.Fallback != want+"; sent it from this wallet's own address" {
		t.Fatalf("the row says %q", done.Fallback)
	}
	g, err := chain.NewRegistry(e.node.Network.Client, e.node.Network.Registry).GrantOf(e.ctx, patient, digest)
	if err != nil || !g.Revoked {
		t.Fatalf("the grant after the fallback: %+v %v", g, err)
	}
	tx, _, err := e.node.Network.Client.TransactionByHash(e.ctx, done.Inclusion.TxHash)
	if err != nil {
		t.Fatal(err)
	}
	if from, err := types.Sender(types.LatestSignerForChainID(e.node.Network.ChainID), tx); err != nil || from != patient {
		t.Fatalf("the revoke was sent by %s (%v), want the wallet %s", from, err, patient)
	}
}

func newAddr(t *testing.T) common.Address {
	t.Helper()
	k, err := crypto.GenerateKey()
	if err != nil {
		t.Fatal(err)
	}
	return crypto.PubkeyToAddress(k.PublicKey)
}

// TestOwnTransactionHandedToTheNetwork: a row the wallet signed as its own
// transaction before it joined the network (that transaction never reached
// a node) is handed to the network's submission endpoint once the wallet is
// on it, and lands once, paid by the network.
func TestOwnTransactionHandedToTheNetwork(t *testing.T) {
	e := newNetEnv(t)
	patient := e.patient.Address()
	if err := chain.Fund(e.ctx, e.node.Network.Client, e.node.Key, patient, chain.FundAmount); err != nil {
		t.Fatal(err)
	}
	root := crypto.Keccak256Hash([]byte("signed before joining"))
	row := e.enqueue("anchor", func() ([]byte, error) { return e.patient.Anchor(root, 1, e.deadline()) })
	lost := &flakyClient{Client: e.node.Network.Client, onSend: func(*types.Transaction) error { return errOffline }}
	plain := &chain.Network{Client: lost, ChainID: e.node.Network.ChainID, Registry: e.node.Network.Registry, Kind: chain.KindRPC}
	sign := func(chainID *big.Int, tx *types.Transaction) (*types.Transaction, error) {
		return types.SignTx(tx, types.LatestSignerForChainID(chainID), e.patient.Key)
	}
	if _, err := outbox.New(e.store, plain, patient, sign, outbox.Options{}).Drain(e.ctx); err != nil {
		t.Fatal(err)
	}
	if r := e.rows()[row.ID-1]; !r.HasNonce || len(r.Sent) != 1 || len(r.Sent[0].Raw) == 0 {
		t.Fatalf("the row as the plain chain left it: %+v", r)
	}

	ob := outbox.New(e.store, e.readOnly(), patient, sign, outbox.Options{Submit: &flakySubmission{sub: e.sub}})
	for {
		if _, err := ob.Drain(e.ctx); err != nil {
			t.Fatal(err)
		}
		r := e.rows()[row.ID-1]
		if r.State == outbox.Included || r.State == outbox.Final {
			if r.HasNonce || len(r.Sent) != 1 || r.Sent[0].Via != outbox.ViaNetwork {
				t.Fatalf("included as %+v, want through the network", r)
			}
			break
		}
		select {
		case <-e.ctx.Done():
			t.Fatalf("not included in time: %+v", r)
		case <-time.After(300 * time.Millisecond):
		}
	}
	if n := e.events("Anchored", []common.Hash{common.BytesToHash(patient.Bytes())}, []common.Hash{root}); n != 1 {
		t.Fatalf("%d Anchored events, want 1", n)
	}
	if bal, err := e.node.Network.Client.BalanceAt(e.ctx, patient, nil); err != nil || bal.Cmp(chain.FundAmount) != 0 {
		t.Fatalf("the wallet's balance %v (%v), want untouched %s", bal, err, chain.FundAmount)
	}
}
