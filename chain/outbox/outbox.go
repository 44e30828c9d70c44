// Package outbox sends the wallet's transactions to the HealthRegistry so that
// none is lost and none lands twice, whatever happens to the chain, the network
// or the wallet's process in between.
//
// The common case: in the same store transaction as the domain change that
// calls for a chain write (a Merkle batch to anchor, a grant to issue), queue a
// row with [Enqueue]; later, and whenever the chain may be reachable again, call
// [Outbox.Drain]. Drain does what it can and returns: it never waits for a
// block and never fails because the chain is down — the problem is written on
// the rows ([Row.LastError]) and the next Drain tries again.
//
//	err := store.Update(func(tx outbox.Tx) error {
//		// … write the batch …
//		data, err := signer.Anchor(root, n, deadline) // a chain.Signer
//		…
//		_, err = outbox.Enqueue(tx, "anchor", root[:], data)
//		return err
//	})
//	ob := outbox.New(store, network, address, sign, outbox.Options{OnChange: …})
//	report, err := ob.Drain(ctx)
//
// # What it promises
//
//   - A row is written with the change that needs it, or not at all (the
//     caller's store transaction).
//   - A transaction is signed and saved in the store before it is broadcast;
//     after a crash, the saved bytes are broadcast again unchanged (same hash).
//   - Each row moves pending → included (block number and hash recorded) →
//     final (Options.Confirmations blocks deep). An included row whose block is
//     no longer canonical (a reorg) goes back to pending and is included again.
//   - A transaction not included after Options.BumpAfter is replaced by one with
//     the same nonce and fees at least 12.5% higher, itself saved before it is
//     broadcast. All signed versions of a row share one nonce, so at most one
//     of them is ever included.
//   - Nonces are assigned in row order, from the larger of the chain's pending
//     nonce and the highest the store has seen, so they survive restarts.
//   - Registry calls are idempotent: before signing, the outbox asks the
//     registry whether the call's effect is already there for the patient it
//     acts for (anchorOf(patient, root), grantOf(patient, digest), an access
//     entry already logged), and a transaction that reverted because of that
//     effect counts as done. A signed action (chain.Signer) acts for its signer
//     whoever submits it, so one a stranger submitted first counts as ours.
//   - A signed action refused as Expired (it waited past its deadline, e.g.
//     offline), or signed for another registry, is signed again through
//     Options.Resign and stays pending.
//
// # On a network
//
// With Options.Submit, signed actions go to the network's submission
// endpoint, which sends them and pays their gas; the row records the
// transaction it answers with (Sent.Via "network") and follows it through
// Submit.Status. The outbox then reads the chain only as a network's
// read-only JSON-RPC allows (eth_blockNumber, eth_call, eth_getLogs): no
// receipts, headers, nonces, balances or fees. An endpoint that cannot be
// reached leaves the row pending with the problem written, and the next
// Drain submits again; the registry's one-shot state makes that exactly
// once (an action already on chain counts as included). A revoke the network
// does not include within Options.FallbackAfterBlocks blocks is sent as the
// wallet's own transaction when its address can pay, and Row.Fallback says
// so; otherwise it says there is no other route, and the row keeps being
// submitted. Plain calls are always the wallet's own transactions.
//
// # What it refuses
//
// A row the registry refuses (a revert other than the idempotent cases above)
// is marked failed, with the decoded reason; it is not retried.
//
// # Storage
//
// Rows are JSON values in the store's state space [SpaceRows], keyed by their
// 8-byte big-endian id; the next id is in [SpaceMeta]. The store is an interface
// that the wallet's vault transaction satisfies, so the rows are sealed like
// everything else in the vault, and package chain knows nothing of wallets.
package outbox

import (
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"math/big"
	"slices"
	"time"

	"github.com/ethereum/go-ethereum/common"
)

// Reader reads the key-value state the outbox keeps its rows in.
// *vault.ReadTx and *vault.Tx satisfy it.
type Reader interface {
	// State returns the value under key in space, and false if there is none.
	State(space string, key []byte) ([]byte, bool, error)
	// ForEachState calls fn for every entry of space, in any order.
	ForEachState(space string, fn func(key, value []byte) error) error
}

// Tx is a write transaction over that state. *vault.Tx satisfies it. Writes
// must land all together when the transaction commits, or not at all.
type Tx interface {
	Reader
	PutState(space string, key, value []byte) error
	DeleteState(space string, key []byte) error
}

// Store runs transactions over the state.
type Store interface {
	// Update runs fn in one write transaction, committed when fn returns nil.
	Update(fn func(Tx) error) error
	// View runs fn in a read transaction.
	View(fn func(Reader) error) error
}

// State spaces the outbox writes in.
const (
	SpaceRows = "chain/outbox"
	SpaceMeta = "chain/outbox-meta"
)

var keyNextID = []byte("next-id")

// State is where a row is on its way to the chain.
type State string

const (
	// Pending: not (or no longer) in a canonical block.
	Pending State = "pending"
	// Included: in a canonical block, fewer than Confirmations deep.
	Included State = "included"
	// Final: Confirmations blocks deep; the outbox stops watching it.
	Final State = "final"
	// Failed: the registry refused it; it will not be retried.
	Failed State = "failed"
)

// Row is one chain write on its way.
type Row struct {
	ID uint64 `json:"id"`
	// Kind and Payload are the caller's: what the row is for ("anchor") and
	// whatever the caller needs to find its domain object again (a root).
	Kind    string `json:"kind"`
	Payload []byte `json:"payload,omitempty"`
	// Data is the calldata of the registry call.
	Data    []byte    `json:"data"`
	State   State     `json:"state"`
	Created time.Time `json:"created"`
	Updated time.Time `json:"updated"`
	// Attempts counts broadcasts, over all the row's transactions.
	Attempts int `json:"attempts"`
	// LastError is the last problem met (chain unreachable, underfunded…),
	// or why the row failed; empty once included.
	LastError string `json:"lastError,omitempty"`

	// Nonce, ChainID and Registry are fixed when the first transaction is
	// signed; HasNonce says whether that happened.
	HasNonce bool           `json:"hasNonce,omitempty"`
	Nonce    uint64         `json:"nonce,omitempty"`
	ChainID  uint64         `json:"chainId,omitempty"`
	Registry common.Address `json:"registry,omitzero"`
	// Sent are the signed transactions, oldest first: the first, then each
	// fee bump. All share Nonce.
	Sent []Sent `json:"sent,omitempty"`
	// Inclusion is where the row landed, while Included or Final.
	Inclusion *Inclusion `json:"inclusion,omitempty"`
	// Fallback says the row went another way than the network's submission
	// endpoint, and why (a revoke the network did not include in time), or
	// that there was no other way; empty otherwise.
	Fallback string `json:"fallback,omitempty"`
}

// ViaNetwork is Sent.Via of an action handed to a network's submission
// endpoint, which sent it and pays its gas.
const ViaNetwork = "network"

// Sent is one signed transaction of a row: the outbox's own (Raw holds
// it), or one a network's submission endpoint sent for it (Via is
// ViaNetwork; no Raw, no fees).
type Sent struct {
	Raw  []byte      `json:"raw,omitempty"` // the signed transaction, as broadcast
	Hash common.Hash `json:"hash"`
	// Via is ViaNetwork for a transaction the network sent; empty for the
	// outbox's own.
	Via string `json:"via,omitempty"`
	// SubmittedAt is the chain's head when the network took the action.
	SubmittedAt uint64    `json:"submittedAt,omitempty"`
	TipCap      *big.Int  `json:"tipCap"`
	FeeCap      *big.Int  `json:"feeCap"`
	Signed      time.Time `json:"signed"`
	// Accepted is when a node first took it into its pool; a fee bump is
	// due BumpAfter later. Zero while no node has: then the same bytes are
	// sent again, never new ones.
	Accepted time.Time `json:"accepted,omitzero"`
}

// Inclusion is the block a row's effect is in.
type Inclusion struct {
	TxHash      common.Hash `json:"txHash"`
	BlockNumber uint64      `json:"blockNumber"`
	BlockHash   common.Hash `json:"blockHash"`
	BlockTime   time.Time   `json:"blockTime"`
	GasUsed     uint64      `json:"gasUsed,omitempty"`
	// Already is true when the registry already held the effect, done by the
	// same address through another transaction (a retry by an earlier run,
	// another device with the same keys): TxHash is that transaction.
	Already bool `json:"already,omitempty"`
}

// TxHash is the hash of the row's included transaction, else of its latest
// signed one, else zero.
func (r Row) TxHash() common.Hash {
	if r.Inclusion != nil {
		return r.Inclusion.TxHash
	}
	if len(r.Sent) > 0 {
		return r.Sent[len(r.Sent)-1].Hash
	}
	return common.Hash{}
}

// Open reports whether the outbox still works on the row.
func (r Row) Open() bool { return r.State == Pending || r.State == Included }

func rowKey(id uint64) []byte { return binary.BigEndian.AppendUint64(nil, id) }

// Enqueue adds a row for a registry call with calldata data, in the caller's
// transaction: it lands with the caller's change or not at all.
func Enqueue(tx Tx, kind string, payload, data []byte) (Row, error) {
	if kind == "" || len(data) < 4 {
		return Row{}, errors.New("outbox: a row needs a kind and calldata")
	}
	next := uint64(1)
	b, ok, err := tx.State(SpaceMeta, keyNextID)
	if err != nil {
		return Row{}, fmt.Errorf("outbox: reading the next row id: %w", err)
	}
	if ok {
		if len(b) != 8 {
			return Row{}, errors.New("outbox: the next row id is malformed")
		}
		next = binary.BigEndian.Uint64(b)
	}
	if err := tx.PutState(SpaceMeta, keyNextID, rowKey(next+1)); err != nil {
		return Row{}, fmt.Errorf("outbox: saving the next row id: %w", err)
	}
	t := time.Now().UTC()
	row := Row{ID: next, Kind: kind, Payload: slices.Clone(payload), Data: slices.Clone(data), State: Pending, Created: t, Updated: t}
	if err := putRow(tx, row); err != nil {
		return Row{}, err
	}
	return row, nil
}

func putRow(tx Tx, row Row) error {
	b, err := json.Marshal(row)
	if err != nil {
		return fmt.Errorf("outbox: encoding row %d: %w", row.ID, err)
	}
	if err := tx.PutState(SpaceRows, rowKey(row.ID), b); err != nil {
		return fmt.Errorf("outbox: saving row %d: %w", row.ID, err)
	}
	return nil
}

// Get returns one row, and false if there is none with that id.
func Get(r Reader, id uint64) (Row, bool, error) {
	b, ok, err := r.State(SpaceRows, rowKey(id))
	if err != nil || !ok {
		return Row{}, false, err
	}
	var row Row
	if err := json.Unmarshal(b, &row); err != nil {
		return Row{}, false, fmt.Errorf("outbox: row %d is unreadable: %w", id, err)
	}
	return row, true, nil
}

// Rows returns every row, oldest first.
func Rows(r Reader) ([]Row, error) {
	var rows []Row
	err := r.ForEachState(SpaceRows, func(_, value []byte) error {
		var row Row
		if err := json.Unmarshal(value, &row); err != nil {
			return fmt.Errorf("outbox: a row is unreadable: %w", err)
		}
		rows = append(rows, row)
		return nil
	})
	if err != nil {
		return nil, err
	}
	slices.SortFunc(rows, func(a, b Row) int {
		switch {
		case a.ID < b.ID:
			return -1
		case a.ID > b.ID:
			return 1
		}
		return 0
	})
	return rows, nil
}

// Abandon fails row id for good, with why, if it was never handed to the
// chain (no nonce taken, nothing sent): its effect is no longer wanted and
// nothing of it is in flight. It reports whether it did; a row sent
// already, or no longer open, is left as it is.
func Abandon(tx Tx, id uint64, why string) (bool, error) {
	row, ok, err := Get(tx, id)
	if err != nil || !ok {
		return false, err
	}
	if row.State != Pending || row.HasNonce || len(row.Sent) > 0 {
		return false, nil
	}
	row.State, row.LastError, row.Updated = Failed, why, time.Now().UTC()
	return true, putRow(tx, row)
}
