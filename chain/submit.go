package chain

import (
	"context"
	"crypto/ecdsa"
	"errors"
	"time"

	"github.com/ethereum/go-ethereum/common"
)

// This file: submitting users' signed registry actions and paying their gas
// (DESIGN §11): a network's submission endpoint checks each action (a
// registry call with a valid signature, not expired, not already done, and
// one the registry would accept now) before any transaction, then sends it
// from the node's key.

// Submission errors: the action is refused before any transaction.
var (
	// ErrNotSubmittable: not a signed registry action (plain calls and
	// unknown calldata are refused).
	ErrNotSubmittable = errors.New("not a signed registry action")
	// ErrBadSignature: the signature does not recover, or is malleable.
	ErrBadSignature = errors.New("the action's signature is not valid")
	// ErrAlreadyDone: the registry already holds the action's effect (a
	// replay, or a resubmission of one that landed); Submit reports it with
	// the transaction that did it when known.
	ErrAlreadyDone = errors.New("the action is already on chain")
	// ErrRefused: the registry would refuse the action now (expired, bad
	// nonce, not allowed); the wrapped *contracts.Revert says why.
	ErrRefused = errors.New("the registry refuses the action")
)

// TxState is where a submitted transaction is.
type TxState string

const (
	TxPending  TxState = "pending"
	TxIncluded TxState = "included"
	TxFailed   TxState = "failed"
	TxUnknown  TxState = "unknown"
)

// TxStatus is what a submitter knows of one of its transactions.
type TxStatus struct {
	Hash        common.Hash `json:"hash"`
	State       TxState     `json:"state"`
	BlockNumber uint64      `json:"blockNumber,omitempty"`
	BlockHash   common.Hash `json:"blockHash,omitzero"`
	BlockTime   time.Time   `json:"blockTime,omitzero"`
	GasUsed     uint64      `json:"gasUsed,omitempty"`
	// Head is the chain's head block when the status was read.
	Head uint64 `json:"head"`
	// Reason says why a failed transaction failed.
	Reason string `json:"reason,omitempty"`
}

// SubmitResult is an accepted submission.
type SubmitResult struct {
	Action Action      `json:"-"`
	TxHash common.Hash `json:"txHash"`
	// Already is true when the effect was on chain already (TxHash is the
	// transaction that did it, when known).
	Already bool `json:"already,omitempty"`
}

// Submitter sends signed actions to one network's registry from its key.
type Submitter struct {
	net *Network
	key *ecdsa.PrivateKey
}

// NewSubmitter returns a Submitter for n's registry paying from key.
func NewSubmitter(n *Network, key *ecdsa.PrivateKey) *Submitter {
	return &Submitter{net: n, key: key}
}

// Check decodes data and says whether it may be submitted: a signed action
// whose signature recovers, not already done, and one the registry would
// accept now (simulated). It sends nothing.
func (s *Submitter) Check(ctx context.Context, data []byte) (Action, error) {
	return Action{}, errors.New("chain.Submitter: not built yet")
}

// Submit checks data and sends it; the same calldata submitted again while
// its transaction is pending returns the same hash.
func (s *Submitter) Submit(ctx context.Context, data []byte) (SubmitResult, error) {
	return SubmitResult{}, errors.New("chain.Submitter: not built yet")
}

// Status reports on a transaction this submitter sent.
func (s *Submitter) Status(ctx context.Context, hash common.Hash) (TxStatus, error) {
	return TxStatus{}, errors.New("chain.Submitter: not built yet")
}
