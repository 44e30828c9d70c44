package outbox_test

import (
	"bytes"
	"context"
	"crypto/ecdsa"
	"errors"
	"maps"
	"math/big"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/ethereum/go-ethereum"
	"github.com/ethereum/go-ethereum/accounts/abi/bind/v2"
	"github.com/ethereum/go-ethereum/common"
	"github.com/ethereum/go-ethereum/core/types"
	"github.com/ethereum/go-ethereum/crypto"
	"github.com/ethereum/go-ethereum/eth/ethconfig"
	"github.com/ethereum/go-ethereum/ethclient/simulated"
	"github.com/ethereum/go-ethereum/node"
	"github.com/ethereum/go-ethereum/params"

	"healthwallet/chain"
	"healthwallet/chain/chaintest"
	"healthwallet/chain/contracts"
	"healthwallet/chain/outbox"
)

// memStore is an in-memory Store with the transaction semantics of the
// vault: a failed Update leaves nothing behind. It outlives any Outbox, as
// the vault file outlives the process.
type memStore struct {
	mu   sync.Mutex
	data map[string]map[string][]byte
}

func newMemStore() *memStore { return &memStore{data: map[string]map[string][]byte{}} }

type memTx struct{ data map[string]map[string][]byte }

func (t *memTx) State(space string, key []byte) ([]byte, bool, error) {
	v, ok := t.data[space][string(key)]
	return bytes.Clone(v), ok, nil
}

func (t *memTx) ForEachState(space string, fn func(key, value []byte) error) error {
	for k, v := range maps.Clone(t.data[space]) {
		if err := fn([]byte(k), bytes.Clone(v)); err != nil {
			return err
		}
	}
	return nil
}

func (t *memTx) PutState(space string, key, value []byte) error {
	if t.data[space] == nil {
		t.data[space] = map[string][]byte{}
	}
	t.data[space][string(key)] = bytes.Clone(value)
	return nil
}

func (t *memTx) DeleteState(space string, key []byte) error {
	delete(t.data[space], string(key))
	return nil
}

func (s *memStore) Update(fn func(outbox.Tx) error) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	copyOf := map[string]map[string][]byte{}
	for k, v := range s.data {
		copyOf[k] = maps.Clone(v)
	}
	if err := fn(&memTx{copyOf}); err != nil {
		return err
	}
	s.data = copyOf
	return nil
}

func (s *memStore) View(fn func(outbox.Reader) error) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	return fn(&memTx{s.data})
}

// flakyClient is the simulated chain as seen through a network that can go
// down, and whose broadcasts the test can watch or break.
type flakyClient struct {
	chain.Client
	down   atomic.Bool
	mu     sync.Mutex
	sent   [][]byte                          // raw bytes of every broadcast that reached the node
	onSend func(tx *types.Transaction) error // runs before the broadcast; an error stops it
	after  func(tx *types.Transaction) error // runs after a broadcast that reached the node
	// indexing: receipts answer as a node still indexing its transactions does
	indexing atomic.Bool
}

var errDown = errors.New("dial tcp 127.0.0.1:8545: connect: connection refused")

func (c *flakyClient) check() error {
	if c.down.Load() {
		return errDown
	}
	return nil
}

func (c *flakyClient) BlockNumber(ctx context.Context) (uint64, error) {
	if err := c.check(); err != nil {
		return 0, err
	}
	return c.Client.BlockNumber(ctx)
}

func (c *flakyClient) HeaderByNumber(ctx context.Context, n *big.Int) (*types.Header, error) {
	if err := c.check(); err != nil {
		return nil, err
	}
	return c.Client.HeaderByNumber(ctx, n)
}

func (c *flakyClient) HeaderByHash(ctx context.Context, h common.Hash) (*types.Header, error) {
	if err := c.check(); err != nil {
		return nil, err
	}
	return c.Client.HeaderByHash(ctx, h)
}

func (c *flakyClient) TransactionReceipt(ctx context.Context, h common.Hash) (*types.Receipt, error) {
	if err := c.check(); err != nil {
		return nil, err
	}
	if c.indexing.Load() {
		return nil, errors.New("transaction indexing is in progress") // geth's words, over JSON-RPC
	}
	return c.Client.TransactionReceipt(ctx, h)
}

func (c *flakyClient) NonceAt(ctx context.Context, a common.Address, n *big.Int) (uint64, error) {
	if err := c.check(); err != nil {
		return 0, err
	}
	return c.Client.NonceAt(ctx, a, n)
}

func (c *flakyClient) PendingNonceAt(ctx context.Context, a common.Address) (uint64, error) {
	if err := c.check(); err != nil {
		return 0, err
	}
	return c.Client.PendingNonceAt(ctx, a)
}

func (c *flakyClient) CallContract(ctx context.Context, m ethereum.CallMsg, n *big.Int) ([]byte, error) {
	if err := c.check(); err != nil {
		return nil, err
	}
	return c.Client.CallContract(ctx, m, n)
}

func (c *flakyClient) EstimateGas(ctx context.Context, m ethereum.CallMsg) (uint64, error) {
	if err := c.check(); err != nil {
		return 0, err
	}
	return c.Client.EstimateGas(ctx, m)
}

func (c *flakyClient) SuggestGasTipCap(ctx context.Context) (*big.Int, error) {
	if err := c.check(); err != nil {
		return nil, err
	}
	return c.Client.SuggestGasTipCap(ctx)
}

func (c *flakyClient) FilterLogs(ctx context.Context, q ethereum.FilterQuery) ([]types.Log, error) {
	if err := c.check(); err != nil {
		return nil, err
	}
	return c.Client.FilterLogs(ctx, q)
}

func (c *flakyClient) SendTransaction(ctx context.Context, tx *types.Transaction) error {
	if err := c.check(); err != nil {
		return err
	}
	c.mu.Lock()
	onSend, after := c.onSend, c.after
	c.mu.Unlock()
	if onSend != nil {
		if err := onSend(tx); err != nil {
			return err
		}
	}
	raw, _ := tx.MarshalBinary()
	c.mu.Lock()
	c.sent = append(c.sent, raw)
	c.mu.Unlock()
	if err := c.Client.SendTransaction(ctx, tx); err != nil {
		return err
	}
	if after != nil {
		return after(tx)
	}
	return nil
}

func (c *flakyClient) broadcasts() [][]byte {
	c.mu.Lock()
	defer c.mu.Unlock()
	return append([][]byte(nil), c.sent...)
}

// env is a registry on a simulated chain with Osaka rules, a funded
// patient, and a store that survives "restarts" of the outbox.
type env struct {
	t        testing.TB
	sim      *simulated.Backend
	client   *flakyClient
	net      *chain.Network
	reg      *contracts.HealthRegistry
	key      *ecdsa.PrivateKey
	from     common.Address
	other    *ecdsa.PrivateKey
	store    *memStore
	clock    time.Time
	changes  []outbox.Row // every OnChange, in order
	changeMu sync.Mutex
	resigned int // calls of Options.Resign
}

// signer signs the patient's registry actions, as the wallet does.
func (e *env) signer() chain.Signer {
	return chain.Signer{Key: e.key, ChainID: e.net.ChainID, Registry: e.net.Registry}
}

// signedAnchor is the calldata of the patient's signed anchor of root,
// valid for a day.
func (e *env) signedAnchor(root common.Hash, count uint32) []byte {
	e.t.Helper()
	return e.signedAnchorUntil(root, count, e.head().Time+24*3600)
}

func (e *env) signedAnchorUntil(root common.Hash, count uint32, deadline uint64) []byte {
	e.t.Helper()
	data, err := e.signer().Anchor(root, count, deadline)
	if err != nil {
		e.t.Fatal(err)
	}
	return data
}

func newEnv(t testing.TB) *env {
	t.Helper()
	e := &env{t: t, store: newMemStore(), reg: contracts.NewHealthRegistry(), clock: time.Now()}
	var err error
	if e.key, err = crypto.GenerateKey(); err != nil {
		t.Fatal(err)
	}
	if e.other, err = crypto.GenerateKey(); err != nil {
		t.Fatal(err)
	}
	e.from = crypto.PubkeyToAddress(e.key.PublicKey)
	rich := new(big.Int).Lsh(big.NewInt(1), 100)
	alloc := types.GenesisAlloc{
		e.from: {Balance: rich},
		crypto.PubkeyToAddress(e.other.PublicKey): {Balance: rich},
	}
	cfg := *params.AllDevChainProtocolChanges
	cfg.AmsterdamTime, cfg.BogotaTime = nil, nil // Osaka, as chain/contracts' tests
	e.sim = simulated.NewBackend(alloc, func(_ *node.Config, ec *ethconfig.Config) { ec.Genesis.Config = &cfg })
	t.Cleanup(func() { e.sim.Close() })
	// Deploy from the other key, so the patient's nonces start at 0.
	addr, tx, err := bind.DeployContract(bind.NewKeyedTransactor(e.other, big.NewInt(1337)), common.FromHex(contracts.HealthRegistryMetaData.Bin), e.sim.Client(), nil)
	if err != nil {
		t.Fatal(err)
	}
	e.sim.Commit()
	if _, err := bind.WaitDeployed(context.Background(), e.sim.Client(), tx.Hash()); err != nil {
		t.Fatal(err)
	}
	e.client = &flakyClient{Client: e.sim.Client()}
	e.net = &chain.Network{Client: e.client, ChainID: big.NewInt(1337), Registry: addr, Kind: "simulated"}
	return e
}

// outbox is a fresh Outbox over the same store: a restart.
func (e *env) outbox() *outbox.Outbox {
	sign := func(chainID *big.Int, tx *types.Transaction) (*types.Transaction, error) {
		return types.SignTx(tx, types.LatestSignerForChainID(chainID), e.key)
	}
	return outbox.New(e.store, e.net, e.from, sign, outbox.Options{
		BumpAfter: 30 * time.Second,
		Resign: func(a chain.Action) ([]byte, error) {
			e.resigned++
			return e.signer().Resign(a, uint64(e.head().Time)+30*24*3600)
		},
		Now: func() time.Time { return e.clock },
		OnChange: func(_ outbox.Tx, row outbox.Row) error {
			e.changeMu.Lock()
			e.changes = append(e.changes, row)
			e.changeMu.Unlock()
			return nil
		},
	})
}

// enqueue queues the patient's signed anchor of root, as the wallet does.
func (e *env) enqueue(kind string, root common.Hash, count uint32) outbox.Row {
	e.t.Helper()
	return e.enqueueData(kind, root[:], e.signedAnchor(root, count))
}

func (e *env) enqueueData(kind string, payload, data []byte) outbox.Row {
	e.t.Helper()
	var row outbox.Row
	err := e.store.Update(func(tx outbox.Tx) error {
		var err error
		row, err = outbox.Enqueue(tx, kind, payload, data)
		return err
	})
	if err != nil {
		e.t.Fatal(err)
	}
	return row
}

func (e *env) drain(ob *outbox.Outbox) outbox.Report {
	e.t.Helper()
	rep, err := ob.Drain(context.Background())
	if err != nil {
		e.t.Fatalf("Drain: %v", err)
	}
	return rep
}

func (e *env) row(id uint64) outbox.Row {
	e.t.Helper()
	var row outbox.Row
	err := e.store.View(func(r outbox.Reader) error {
		var ok bool
		var err error
		row, ok, err = outbox.Get(r, id)
		if err == nil && !ok {
			err = errors.New("no such row")
		}
		return err
	})
	if err != nil {
		e.t.Fatal(err)
	}
	return row
}

// anchoredEvents counts the registry's Anchored events for root on the
// canonical chain.
func (e *env) anchoredEvents(root common.Hash) int {
	e.t.Helper()
	ev := e.reg.GetABI().Events["Anchored"]
	logs, err := e.sim.Client().FilterLogs(context.Background(), ethereum.FilterQuery{
		FromBlock: new(big.Int), Addresses: []common.Address{e.net.Registry},
		Topics: [][]common.Hash{{ev.ID}, nil, {root}},
	})
	if err != nil {
		e.t.Fatal(err)
	}
	return len(logs)
}

func (e *env) head() *types.Header {
	e.t.Helper()
	h, err := e.sim.Client().HeaderByNumber(context.Background(), nil)
	if err != nil {
		e.t.Fatal(err)
	}
	return h
}

func root(s string) common.Hash { return crypto.Keccak256Hash([]byte(s)) }

func TestHappyPath(t *testing.T) {
	e := newEnv(t)
	ob := e.outbox()
	r := root("batch 1")
	row := e.enqueue("anchor", r, 3)
	if row.State != outbox.Pending || row.Kind != "anchor" || !bytes.Equal(row.Payload, r[:]) {
		t.Fatalf("queued row %+v", row)
	}

	rep := e.drain(ob)
	row = e.row(row.ID)
	if rep.Broadcasts != 1 || rep.Pending != 1 || row.State != outbox.Pending || len(row.Sent) != 1 || row.Attempts != 1 || row.LastError != "" {
		t.Fatalf("after the first drain: report %+v, row %+v", rep, row)
	}
	if !row.HasNonce || row.Nonce != 0 {
		t.Fatalf("nonce %v/%d, want 0", row.HasNonce, row.Nonce)
	}

	e.sim.Commit()
	rep = e.drain(ob)
	row = e.row(row.ID)
	if row.State != outbox.Included || row.Inclusion == nil || row.Inclusion.TxHash != row.Sent[0].Hash || row.Inclusion.Already {
		t.Fatalf("after its block: report %+v, row %+v", rep, row)
	}
	if h := e.head(); row.Inclusion.BlockNumber != h.Number.Uint64() || row.Inclusion.BlockHash != h.Hash() || row.Inclusion.BlockTime.Unix() != int64(h.Time) {
		t.Fatalf("inclusion %+v, head %d %s", row.Inclusion, h.Number, h.Hash())
	}
	if row.Inclusion.GasUsed == 0 || row.Inclusion.GasUsed > 55_000 { // a signed anchor, DESIGN §6
		t.Errorf("gas used %d", row.Inclusion.GasUsed)
	}

	e.sim.Commit() // a second block on top: two confirmations
	rep = e.drain(ob)
	if row = e.row(row.ID); row.State != outbox.Final || rep.Final != 1 || !rep.Done() {
		t.Fatalf("after a confirmation: report %+v, row state %s", rep, row.State)
	}
	if n := e.anchoredEvents(r); n != 1 {
		t.Fatalf("%d Anchored events, want 1", n)
	}
	var states []outbox.State
	for _, c := range e.changes {
		states = append(states, c.State)
	}
	if got := strings.Trim(strings.Join(strings.Fields(stringsOf(states)), " "), " "); got != "included final" {
		t.Fatalf("OnChange saw %q, want included then final", got)
	}
	// Final rows are left alone.
	if rep = e.drain(ob); rep.Broadcasts != 0 {
		t.Fatalf("a final row was broadcast again")
	}
}

func stringsOf(states []outbox.State) string {
	var b strings.Builder
	for _, s := range states {
		b.WriteString(string(s) + " ")
	}
	return b.String()
}

func TestChainDownQueuesThenLandsOnce(t *testing.T) {
	e := newEnv(t)
	e.client.down.Store(true)
	roots := []common.Hash{root("a"), root("b"), root("c")}
	var ids []uint64
	for i, r := range roots {
		ids = append(ids, e.enqueue("anchor", r, uint32(i+1)).ID)
	}
	for range 3 {
		rep := e.drain(e.outbox()) // each a fresh process; none blocks
		if rep.Pending != 3 || !strings.Contains(rep.Problem, "unreachable") {
			t.Fatalf("with the chain down: %+v", rep)
		}
	}
	for _, id := range ids {
		if row := e.row(id); row.State != outbox.Pending || !strings.Contains(row.LastError, "connection refused") || len(row.Sent) != 0 {
			t.Fatalf("row %d with the chain down: %+v", id, row)
		}
	}

	e.client.down.Store(false)
	ob := e.outbox()
	if rep := e.drain(ob); rep.Broadcasts != 3 || rep.Problem != "" {
		t.Fatalf("chain back: %+v", rep)
	}
	e.drain(ob) // drains while the transactions wait in the pool send nothing new
	e.sim.Commit()
	e.drain(ob)
	e.sim.Commit()
	rep := e.drain(ob)
	if rep.Final != 3 {
		t.Fatalf("after the chain came back: %+v", rep)
	}
	nonces := map[uint64]bool{}
	for i, id := range ids {
		row := e.row(id)
		nonces[row.Nonce] = true
		if row.LastError != "" {
			t.Errorf("row %d keeps the error %q", id, row.LastError)
		}
		if n := e.anchoredEvents(roots[i]); n != 1 {
			t.Errorf("root %d anchored %d times", i, n)
		}
	}
	if len(nonces) != 3 || !nonces[0] || !nonces[1] || !nonces[2] {
		t.Fatalf("nonces %v, want 0, 1, 2", nonces)
	}
}

// The process dies between saving the signed transaction and the node
// hearing of it: the next run broadcasts the very same bytes.
func TestRestartBeforeBroadcastResendsSameBytes(t *testing.T) {
	e := newEnv(t)
	r := root("crash")
	row := e.enqueue("anchor", r, 5)
	e.client.onSend = func(*types.Transaction) error { return errors.New("killed before the request left") }
	e.drain(e.outbox())
	saved := e.row(row.ID)
	if len(saved.Sent) != 1 || saved.LastError == "" || len(e.client.broadcasts()) != 0 {
		t.Fatalf("after the failed broadcast: %+v", saved)
	}

	e.client.onSend = nil
	e.clock = e.clock.Add(time.Hour) // long after: still the same bytes, not a fee bump
	e.drain(e.outbox())
	sent := e.client.broadcasts()
	if len(sent) != 1 || !bytes.Equal(sent[0], saved.Sent[0].Raw) {
		t.Fatalf("re-sent %d transactions; byte-identical: %v", len(sent), len(sent) == 1 && bytes.Equal(sent[0], saved.Sent[0].Raw))
	}
	var tx types.Transaction
	if err := tx.UnmarshalBinary(sent[0]); err != nil || tx.Hash() != saved.Sent[0].Hash {
		t.Fatalf("re-sent hash %s, saved %s (%v)", tx.Hash(), saved.Sent[0].Hash, err)
	}
	e.sim.Commit()
	e.drain(e.outbox())
	if got := e.row(row.ID); got.State != outbox.Included || got.Inclusion.TxHash != saved.Sent[0].Hash || len(got.Sent) != 1 {
		t.Fatalf("after the block: %+v", got)
	}
	if n := e.anchoredEvents(r); n != 1 {
		t.Fatalf("%d Anchored events", n)
	}
}

// A node still indexing its transactions cannot say whether it knows one:
// that is "not found yet", not a problem, and the row lands once it can.
func TestReceiptWhileIndexing(t *testing.T) {
	e := newEnv(t)
	r := root("indexing")
	row := e.enqueue("anchor", r, 5)
	e.client.indexing.Store(true)
	for i := range 2 { // the second looks for the receipt of the first's broadcast
		if rep := e.drain(e.outbox()); rep.Problem != "" || rep.Pending != 1 {
			t.Fatalf("drain %d while the node indexes: %+v", i+1, rep)
		}
	}
	e.client.indexing.Store(false)
	e.sim.Commit()
	e.drain(e.outbox())
	if got := e.row(row.ID); got.State != outbox.Included {
		t.Fatalf("after the block: %+v", got)
	}
	if n := e.anchoredEvents(r); n != 1 {
		t.Fatalf("%d Anchored events", n)
	}
}

// The node took the transaction but the answer never came back: the next
// run sends it again, the node says it knows it, and it lands once.
func TestRestartAfterBroadcastLandsOnce(t *testing.T) {
	e := newEnv(t)
	r := root("lost answer")
	row := e.enqueue("anchor", r, 5)
	e.client.after = func(*types.Transaction) error { return errors.New("connection reset by peer") }
	e.drain(e.outbox())
	if got := e.row(row.ID); !strings.Contains(got.LastError, "connection reset") {
		t.Fatalf("row %+v", got)
	}
	e.client.after = nil
	if rep := e.drain(e.outbox()); rep.Problem != "" {
		t.Fatalf("the second broadcast of a known transaction is not a problem: %+v", rep)
	}
	sent := e.client.broadcasts()
	if len(sent) != 2 || !bytes.Equal(sent[0], sent[1]) {
		t.Fatalf("%d broadcasts, identical %v", len(sent), len(sent) == 2 && bytes.Equal(sent[0], sent[1]))
	}
	e.sim.Commit()
	e.drain(e.outbox())
	if got := e.row(row.ID); got.State != outbox.Included {
		t.Fatalf("row %+v", got)
	}
	if n := e.anchoredEvents(r); n != 1 {
		t.Fatalf("%d Anchored events", n)
	}
}

func TestReorgRequeues(t *testing.T) {
	e := newEnv(t)
	ob := e.outbox()
	r := root("reorged")
	row := e.enqueue("anchor", r, 2)
	e.drain(ob)
	parent := e.head()
	e.sim.Commit()
	e.drain(ob)
	first := e.row(row.ID)
	if first.State != outbox.Included {
		t.Fatalf("not included: %+v", first)
	}

	// The block that held it leaves the canonical chain.
	if err := e.sim.Fork(parent.Hash()); err != nil {
		t.Fatal(err)
	}
	e.changes = nil
	e.drain(ob)
	if back := e.row(row.ID); back.State != outbox.Pending || back.Inclusion != nil {
		t.Fatalf("after the reorg: %+v", back)
	}
	if len(e.changes) != 1 || e.changes[0].State != outbox.Pending || !strings.Contains(e.changes[0].LastError, "left the canonical chain") {
		t.Fatalf("OnChange after the reorg: %+v", e.changes)
	}
	if n := e.anchoredEvents(r); n != 0 {
		t.Fatalf("the canonical chain still has %d Anchored events", n)
	}
	// Another block on the new branch, with other traffic so it differs.
	other := bind.NewKeyedTransactor(e.other, big.NewInt(1337))
	to := common.HexToAddress("0x1234")
	nonce, _ := e.sim.Client().PendingNonceAt(context.Background(), other.From)
	tip := big.NewInt(params.GWei)
	tx, err := other.Signer(other.From, types.NewTx(&types.DynamicFeeTx{ChainID: big.NewInt(1337), Nonce: nonce, To: &to, Gas: 21000, GasTipCap: tip, GasFeeCap: new(big.Int).Mul(tip, big.NewInt(10)), Value: big.NewInt(1)}))
	if err != nil {
		t.Fatal(err)
	}
	if err := e.sim.Client().SendTransaction(context.Background(), tx); err != nil {
		t.Fatal(err)
	}
	e.sim.Commit()
	e.drain(ob)
	again := e.row(row.ID)
	if again.State != outbox.Included || again.Inclusion.BlockHash == first.Inclusion.BlockHash || again.Inclusion.TxHash != first.Inclusion.TxHash {
		t.Fatalf("after the new branch: %+v (first in %s)", again.Inclusion, first.Inclusion.BlockHash)
	}
	if len(again.Sent) != 1 {
		t.Fatalf("re-signed after a reorg: %d transactions", len(again.Sent))
	}
	if n := e.anchoredEvents(r); n != 1 {
		t.Fatalf("%d Anchored events", n)
	}
}

func TestStuckTransactionIsBumped(t *testing.T) {
	e := newEnv(t)
	ob := e.outbox()
	r := root("stuck")
	row := e.enqueue("anchor", r, 9)
	e.drain(ob)
	e.clock = e.clock.Add(10 * time.Second)
	e.drain(ob) // too early for a bump
	if got := e.row(row.ID); len(got.Sent) != 1 {
		t.Fatalf("bumped too early: %d transactions", len(got.Sent))
	}
	e.clock = e.clock.Add(time.Minute)
	if rep := e.drain(ob); rep.Problem != "" {
		t.Fatalf("the node refused the replacement: %s", rep.Problem)
	}
	got := e.row(row.ID)
	if len(got.Sent) != 2 {
		t.Fatalf("no fee bump: %+v", got)
	}
	a, b := got.Sent[0], got.Sent[1]
	min := func(x *big.Int) *big.Int { // x · 1.125
		return new(big.Int).Div(new(big.Int).Mul(x, big.NewInt(9)), big.NewInt(8))
	}
	if b.TipCap.Cmp(min(a.TipCap)) < 0 || b.FeeCap.Cmp(min(a.FeeCap)) < 0 {
		t.Fatalf("bumped fees %s/%s from %s/%s: less than 12.5%% more", b.TipCap, b.FeeCap, a.TipCap, a.FeeCap)
	}
	var ta, tb types.Transaction
	ta.UnmarshalBinary(a.Raw)
	tb.UnmarshalBinary(b.Raw)
	if ta.Nonce() != tb.Nonce() || a.Hash == b.Hash {
		t.Fatalf("replacement nonce %d vs %d", tb.Nonce(), ta.Nonce())
	}
	e.sim.Commit()
	e.drain(ob)
	if got = e.row(row.ID); got.State != outbox.Included || got.Inclusion.TxHash != b.Hash {
		t.Fatalf("after the block: %+v", got.Inclusion)
	}
	if n := e.anchoredEvents(r); n != 1 {
		t.Fatalf("%d Anchored events", n)
	}
}

// Anchoring is idempotent: a root this address anchored by another route
// counts as done; a refusal that is not "done by us" fails the row.
func TestIdempotentAndRefused(t *testing.T) {
	e := newEnv(t)
	r := root("done elsewhere")
	inst := e.reg.Instance(e.sim.Client(), e.net.Registry)
	direct, err := bind.Transact(inst, bind.NewKeyedTransactor(e.key, big.NewInt(1337)), e.reg.PackAnchor(r, 4))
	if err != nil {
		t.Fatal(err)
	}
	e.sim.Commit()
	row := e.enqueue("anchor", r, 4)
	// A stranger anchors the patient's next root first, plainly and by
	// submitting the patient's own signed calldata: neither blocks the row.
	theirs := root("raced by a stranger")
	if _, err := bind.Transact(inst, bind.NewKeyedTransactor(e.other, big.NewInt(1337)), e.reg.PackAnchor(theirs, 1)); err != nil {
		t.Fatal(err)
	}
	e.sim.Commit()
	raced := e.enqueue("anchor", theirs, 1)
	submitted := root("submitted by a stranger")
	subRow := e.enqueue("anchor", submitted, 2)
	byStranger, err := bind.Transact(inst, bind.NewKeyedTransactor(e.other, big.NewInt(1337)), subRow.Data)
	if err != nil {
		t.Fatal(err)
	}
	e.sim.Commit()
	bad := e.enqueue("anchor", root("empty"), 0)

	rep := e.drain(e.outbox())
	if rep.Broadcasts != 1 {
		t.Fatalf("sent %d transactions, want 1 (the raced root)", rep.Broadcasts)
	}
	if got := e.row(row.ID); got.State != outbox.Included || !got.Inclusion.Already || got.Inclusion.TxHash != direct.Hash() || len(got.Sent) != 0 {
		t.Fatalf("already anchored by us: %+v", got)
	}
	if got := e.row(subRow.ID); got.State != outbox.Included || !got.Inclusion.Already || got.Inclusion.TxHash != byStranger.Hash() {
		t.Fatalf("our signed anchor submitted by a stranger should count as ours: %+v", got)
	}
	e.sim.Commit()
	e.drain(e.outbox())
	if got := e.row(raced.ID); got.State == outbox.Failed || got.State == outbox.Pending || got.Inclusion.Already {
		t.Fatalf("a stranger's anchor of the same root must not block ours: %+v", got)
	}
	if got := e.row(bad.ID); got.State != outbox.Failed || !strings.Contains(got.LastError, "EmptyBatch") {
		t.Fatalf("refused: %+v", got)
	}
	if n := e.anchoredEvents(r); n != 1 {
		t.Fatalf("%d Anchored events", n)
	}
}

// A signed action that passed its deadline while queued (the wallet was
// offline) is signed again and lands; without Resign it fails as Expired.
func TestExpiredActionIsSignedAgain(t *testing.T) {
	e := newEnv(t)
	deadline := e.head().Time + 60
	row := e.enqueueData("anchor", nil, e.signedAnchorUntil(root("late"), 3, deadline))
	chaintest.AdjustTime(t, e.sim, 2*time.Minute)
	e.sim.Commit()
	e.drain(e.outbox())
	e.sim.Commit()
	e.drain(e.outbox())
	got := e.row(row.ID)
	if got.State != outbox.Included || e.resigned != 1 {
		t.Fatalf("expired anchor: state %s, signed again %d times (%s)", got.State, e.resigned, got.LastError)
	}
	a, err := chain.DecodeAction(got.Data, e.net.ChainID, e.net.Registry)
	if err != nil || a.Deadline <= deadline || a.Signer != e.from {
		t.Fatalf("re-signed action: %+v, %v", a, err)
	}

	// Without Resign the registry's refusal stands.
	stale := e.enqueueData("anchor", nil, e.signedAnchorUntil(root("later"), 1, e.head().Time+1))
	chaintest.AdjustTime(t, e.sim, time.Minute)
	e.sim.Commit()
	sign := func(chainID *big.Int, tx *types.Transaction) (*types.Transaction, error) {
		return types.SignTx(tx, types.LatestSignerForChainID(chainID), e.key)
	}
	if _, err := outbox.New(e.store, e.net, e.from, sign, outbox.Options{}).Drain(context.Background()); err != nil {
		t.Fatal(err)
	}
	if got := e.row(stale.ID); got.State != outbox.Failed || !strings.Contains(got.LastError, "Expired") {
		t.Fatalf("expired without Resign: %+v", got)
	}
}

// Nonces continue across restarts, past rows still in the pool.
func TestNoncesAcrossRestarts(t *testing.T) {
	e := newEnv(t)
	a := e.enqueue("anchor", root("n1"), 1)
	e.drain(e.outbox())
	b := e.enqueue("anchor", root("n2"), 1)
	e.drain(e.outbox()) // a restart, with a still in the pool
	e.sim.Commit()
	c := e.enqueue("anchor", root("n3"), 1)
	e.drain(e.outbox())
	e.sim.Commit()
	e.drain(e.outbox())
	for i, id := range []uint64{a.ID, b.ID, c.ID} {
		row := e.row(id)
		if row.Nonce != uint64(i) || row.State == outbox.Pending {
			t.Errorf("row %d: nonce %d state %s, want nonce %d landed", id, row.Nonce, row.State, i)
		}
	}
}

func TestEnqueueRollsBackWithTheCaller(t *testing.T) {
	s := newMemStore()
	boom := errors.New("domain change failed")
	err := s.Update(func(tx outbox.Tx) error {
		if _, err := outbox.Enqueue(tx, "anchor", nil, contracts.NewHealthRegistry().PackAnchor(root("x"), 1)); err != nil {
			return err
		}
		return boom
	})
	if !errors.Is(err, boom) {
		t.Fatal(err)
	}
	s.View(func(r outbox.Reader) error {
		rows, err := outbox.Rows(r)
		if err != nil || len(rows) != 0 {
			t.Fatalf("rows after a rolled-back change: %v, %v", rows, err)
		}
		return nil
	})
}

// Access-log entries someone else already submitted count as done, each at
// its own transaction: several entries share one grant key, so the entry
// itself (the event's data) tells them apart.
func TestAccessEntriesDoneElsewhere(t *testing.T) {
	e := newEnv(t)
	inst := e.reg.Instance(e.sim.Client(), e.net.Registry)
	accessKey, err := crypto.GenerateKey()
	if err != nil {
		t.Fatal(err)
	}
	digest := root("grant")
	expiry := e.head().Time + 3600
	e.enqueueData("grant", nil, e.signedGrant(digest, crypto.PubkeyToAddress(accessKey.PublicKey), expiry))
	e.drain(e.outbox())
	e.sim.Commit()
	e.drain(e.outbox())
	access := chain.Signer{Key: accessKey, ChainID: e.net.ChainID, Registry: e.net.Registry}
	var rows []outbox.Row
	var hashes []common.Hash
	for _, entry := range []string{"first", "second"} {
		data, err := access.LogAccess(chain.GrantKey(e.from, digest), root(entry), expiry)
		if err != nil {
			t.Fatal(err)
		}
		tx, err := bind.Transact(inst, bind.NewKeyedTransactor(e.other, big.NewInt(1337)), data)
		if err != nil {
			t.Fatal(err)
		}
		e.sim.Commit()
		hashes = append(hashes, tx.Hash())
		rows = append(rows, e.enqueueData("access", nil, data))
	}
	if rep := e.drain(e.outbox()); rep.Broadcasts != 0 {
		t.Fatalf("sent %d transactions for entries already on chain", rep.Broadcasts)
	}
	for i, r := range rows {
		if got := e.row(r.ID); got.State != outbox.Included || !got.Inclusion.Already || got.Inclusion.TxHash != hashes[i] {
			t.Fatalf("entry %d: %+v, want done at %s", i, got.Inclusion, hashes[i])
		}
	}
}

// signedGrant is the calldata of the patient's signed grant of digest.
func (e *env) signedGrant(digest common.Hash, accessKey common.Address, expiry uint64) []byte {
	e.t.Helper()
	data, err := e.signer().IssueGrant(e.from, digest, accessKey, expiry, expiry)
	if err != nil {
		e.t.Fatal(err)
	}
	return data
}
