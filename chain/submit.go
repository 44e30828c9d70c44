package chain

import (
	"bytes"
	"context"
	"crypto/ecdsa"
	"errors"
	"fmt"
	"math/big"
	"strings"
	"sync"
	"time"

	"github.com/ethereum/go-ethereum"
	"github.com/ethereum/go-ethereum/common"
	"github.com/ethereum/go-ethereum/core/types"
	"github.com/ethereum/go-ethereum/crypto"

	"healthwallet/chain/contracts"
)

// This file: submitting users' signed registry actions and paying their gas
// (DESIGN §11): a network's submission endpoint checks each action (a
// registry call with a valid signature, not expired, not already done, and
// one the registry would accept now) before any transaction, then sends it
// from the node's key. It also holds what the submitter and the wallet's
// outbox share: whether an action is already done (FindDone) and the fees
// to offer (SuggestFees).

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

// RefusedError is an action the registry would refuse now: it wraps
// [ErrRefused] and the registry's reason (*contracts.Revert) when it gave one.
type RefusedError struct {
	Method string
	Revert *contracts.Revert // nil when the refusal carried no registry error
	Err    error             // the node's answer
}

func (e *RefusedError) Error() string {
	reason := e.Err.Error()
	if e.Revert != nil {
		reason = e.Revert.Error()
	}
	return fmt.Sprintf("%s: %s: %s", ErrRefused, e.Method, reason)
}
func (e *RefusedError) Is(target error) bool { return target == ErrRefused }
func (e *RefusedError) Unwrap() error {
	if e.Revert != nil {
		return e.Revert
	}
	return e.Err
}

// Submitter sends signed actions to one network's registry from its key.
// It is safe for concurrent use: submissions are checked and sent one at a
// time, so the key's nonces never collide.
type Submitter struct {
	net  *Network
	key  *ecdsa.PrivateKey
	from common.Address

	mu        sync.Mutex
	nextNonce uint64                 // one past the last nonce sent
	lastSent  common.Hash            // the transaction with nonce nextNonce-1
	sent      map[common.Hash]sentTx // keccak256(calldata) → its transaction
}

// sentTx is a transaction the submitter sent, remembered so that the same
// calldata submitted again gets it rather than a second one.
type sentTx struct {
	hash common.Hash
	at   time.Time
}

// Remembering sent transactions: past submitterMemory entries, those older
// than submitterForget are forgotten (a resubmission then finds the effect
// on chain, or is checked and sent again).
const (
	submitterMemory = 4096
	submitterForget = time.Hour
)

// NewSubmitter returns a Submitter for n's registry paying from key.
func NewSubmitter(n *Network, key *ecdsa.PrivateKey) *Submitter {
	return &Submitter{net: n, key: key, from: crypto.PubkeyToAddress(key.PublicKey), sent: map[common.Hash]sentTx{}}
}

// Check decodes data and says whether it may be submitted: a signed action
// whose signature recovers, not already done, and one the registry would
// accept now (simulated). It sends nothing.
func (s *Submitter) Check(ctx context.Context, data []byte) (Action, error) {
	a, err := s.decode(data)
	if err != nil {
		return a, err
	}
	done, err := FindDone(ctx, s.net.Client, s.net.Registry, s.net.ChainID, data, s.from)
	if done != nil {
		return a, fmt.Errorf("%s: %w", a.Method, ErrAlreadyDone)
	}
	if err != nil {
		return a, err
	}
	return a, s.simulate(ctx, a, data)
}

// decode reads data as a signed action of this network's registry, with a
// signature that recovers to a signer (low s, as the registry wants).
func (s *Submitter) decode(data []byte) (Action, error) {
	a, err := DecodeAction(data, s.net.ChainID, s.net.Registry)
	switch {
	case errors.Is(err, ErrNotAction):
		return a, fmt.Errorf("%w: %v", ErrNotSubmittable, err)
	case err != nil:
		return a, fmt.Errorf("%w: %v", ErrBadSignature, err)
	case !a.Signed():
		return a, fmt.Errorf("%w: %s acts for whoever sends it; sign the action instead", ErrNotSubmittable, a.Method)
	case a.Signer == (common.Address{}):
		return a, fmt.Errorf("%w: it recovers to no signer", ErrBadSignature)
	case a.Method == "setDelegateSigned" && a.Scope == (common.Hash{}):
		// The registry refuses it (BadScope); no need to ask the node.
		return a, &RefusedError{Method: a.Method, Revert: &contracts.Revert{Name: "BadScope"}, Err: ErrNoScope}
	}
	return a, nil
}

// simulate runs the call from the submitter's address at the head: a revert
// is the registry's refusal.
func (s *Submitter) simulate(ctx context.Context, a Action, data []byte) error {
	to := s.net.Registry
	_, err := s.net.Client.CallContract(ctx, ethereum.CallMsg{From: s.from, To: &to, Data: data}, nil)
	if err == nil {
		return nil
	}
	if rev, ok := contracts.AsRevert(err); ok {
		return &RefusedError{Method: a.Method, Revert: rev, Err: err}
	}
	if IsUnreachable(err) || !strings.Contains(err.Error(), "revert") {
		return nodeError("simulating "+a.Method, err)
	}
	return &RefusedError{Method: a.Method, Err: err}
}

// Submit checks data and sends it; the same calldata submitted again while
// its transaction is pending returns the same hash. An action whose effect
// is on chain already is no error: the result says Already, with the
// transaction that did it when found.
func (s *Submitter) Submit(ctx context.Context, data []byte) (SubmitResult, error) {
	a, err := s.decode(data)
	if err != nil {
		return SubmitResult{}, err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	key := crypto.Keccak256Hash(data)
	if prev, ok := s.sent[key]; ok {
		hash := prev.hash
		st, err := s.status(ctx, hash)
		if err != nil {
			return SubmitResult{}, err
		}
		switch st.State {
		case TxPending:
			return SubmitResult{Action: a, TxHash: hash}, nil
		case TxIncluded:
			delete(s.sent, key) // the chain remembers it now
			return SubmitResult{Action: a, TxHash: hash, Already: true}, nil
		}
		delete(s.sent, key) // failed or dropped: check it again from the start
	}
	s.forget()
	done, err := FindDone(ctx, s.net.Client, s.net.Registry, s.net.ChainID, data, s.from)
	if done != nil {
		return SubmitResult{Action: a, TxHash: done.TxHash, Already: true}, nil
	}
	if err != nil {
		return SubmitResult{}, err
	}
	if err := s.simulate(ctx, a, data); err != nil {
		return SubmitResult{}, err
	}
	hash, err := s.send(ctx, a, data)
	if err != nil {
		return SubmitResult{}, err
	}
	s.sent[key] = sentTx{hash: hash, at: time.Now()}
	return SubmitResult{Action: a, TxHash: hash}, nil
}

// forget drops old remembered transactions once there are many. The caller
// holds s.mu.
func (s *Submitter) forget() {
	if len(s.sent) < submitterMemory {
		return
	}
	for key, tx := range s.sent {
		if time.Since(tx.at) > submitterForget {
			delete(s.sent, key)
		}
	}
}

// send signs and sends data to the registry from the key, with the next
// nonce. The caller holds s.mu.
func (s *Submitter) send(ctx context.Context, a Action, data []byte) (common.Hash, error) {
	to := s.net.Registry
	gas, err := s.net.Client.EstimateGas(ctx, ethereum.CallMsg{From: s.from, To: &to, Data: data})
	if err != nil {
		if rev, ok := contracts.AsRevert(err); ok {
			return common.Hash{}, &RefusedError{Method: a.Method, Revert: rev, Err: err}
		}
		return common.Hash{}, nodeError("estimating the gas of "+a.Method, err)
	}
	tip, feeCap, err := SuggestFees(ctx, s.net.Client)
	if err != nil {
		return common.Hash{}, err
	}
	pending, err := s.net.Client.PendingNonceAt(ctx, s.from)
	if err != nil {
		return common.Hash{}, nodeError("reading the submitter's nonce", err)
	}
	// The pool's pending nonce may lag a transaction just sent; the
	// submitter's own count does not, unless the pool dropped its last
	// transaction (then counting on would leave a gap forever).
	if pending < s.nextNonce {
		if _, _, err := s.net.Client.TransactionByHash(ctx, s.lastSent); errors.Is(err, ethereum.NotFound) {
			s.nextNonce = pending
		}
	}
	nonce := max(pending, s.nextNonce)
	tx, err := types.SignNewTx(s.key, types.LatestSignerForChainID(s.net.ChainID), &types.DynamicFeeTx{
		ChainID: s.net.ChainID, Nonce: nonce, GasTipCap: tip, GasFeeCap: feeCap,
		Gas: gas + gas/4, To: &to, Data: data,
	})
	if err != nil {
		return common.Hash{}, fmt.Errorf("signing the transaction of %s: %w", a.Method, err)
	}
	if err := s.net.Client.SendTransaction(ctx, tx); err != nil {
		return common.Hash{}, sendError(ctx, s.net.Client, s.from, "sending "+a.Method, err)
	}
	s.nextNonce, s.lastSent = nonce+1, tx.Hash()
	return tx.Hash(), nil
}

// Status reports on a transaction this submitter sent.
func (s *Submitter) Status(ctx context.Context, hash common.Hash) (TxStatus, error) {
	return s.status(ctx, hash)
}

func (s *Submitter) status(ctx context.Context, hash common.Hash) (TxStatus, error) {
	st := TxStatus{Hash: hash, State: TxUnknown}
	rc, err := s.net.Client.TransactionReceipt(ctx, hash)
	if err != nil && !NotFoundYet(err) {
		return st, nodeError("reading transaction "+hash.Hex(), err)
	}
	// The head is read after the receipt, and is never behind the block
	// the receipt names (a node may answer the two from different views).
	head, err := s.net.Client.BlockNumber(ctx)
	if err != nil {
		return st, nodeError("reading the chain's head", err)
	}
	st.Head = head
	if rc == nil {
		tx, pending, err := s.net.Client.TransactionByHash(ctx, hash)
		switch {
		case NotFoundYet(err):
		case err != nil:
			return st, nodeError("reading transaction "+hash.Hex(), err)
		case pending || tx != nil:
			st.State = TxPending
		}
		return st, nil
	}
	header, err := s.net.Client.HeaderByHash(ctx, rc.BlockHash)
	if err != nil {
		return st, nodeError(fmt.Sprintf("reading block %d", rc.BlockNumber), err)
	}
	st.State, st.BlockNumber, st.BlockHash, st.GasUsed = TxIncluded, rc.BlockNumber.Uint64(), rc.BlockHash, rc.GasUsed
	st.Head = max(st.Head, st.BlockNumber)
	st.BlockTime = time.Unix(int64(header.Time), 0).UTC()
	if rc.Status != types.ReceiptStatusSuccessful {
		st.State, st.Reason = TxFailed, s.failure(ctx, hash, rc)
	}
	return st, nil
}

// failure replays a failed transaction to tell why it reverted: on the
// state before its block, then (when the cause came within the block, as
// another transaction with the same effect) on the state after it.
func (s *Submitter) failure(ctx context.Context, hash common.Hash, rc *types.Receipt) string {
	tx, _, err := s.net.Client.TransactionByHash(ctx, hash)
	if err != nil {
		return "reverted"
	}
	msg := ethereum.CallMsg{From: s.from, To: tx.To(), Data: tx.Data(), Gas: tx.Gas()}
	for _, block := range []*big.Int{new(big.Int).Sub(rc.BlockNumber, big.NewInt(1)), rc.BlockNumber} {
		_, err = s.net.Client.CallContract(ctx, msg, block)
		if rev, ok := contracts.AsRevert(err); ok {
			return rev.Error()
		}
		if err != nil {
			return err.Error()
		}
	}
	return "reverted (the reason is no longer reproducible)"
}

// SuggestFees returns the tip and fee cap to offer now: the node's
// suggested tip, and twice the latest base fee on top.
func SuggestFees(ctx context.Context, client Client) (tip, feeCap *big.Int, err error) {
	tip, err = client.SuggestGasTipCap(ctx)
	if err != nil {
		return nil, nil, nodeError("asking the fee", err)
	}
	h, err := client.HeaderByNumber(ctx, nil)
	if err != nil {
		return nil, nil, nodeError("reading the latest block", err)
	}
	base := h.BaseFee
	if base == nil {
		base = new(big.Int)
	}
	feeCap = new(big.Int).Add(new(big.Int).Mul(base, big.NewInt(2)), tip)
	return tip, feeCap, nil
}

// Done is where a registry action's effect is on chain: the event that
// recorded it.
type Done struct {
	TxHash      common.Hash
	BlockNumber uint64
	BlockHash   common.Hash
	// BlockTime is the block's time as the node gave it with the event;
	// zero when the node did not.
	BlockTime time.Time
}

// ErrEffectWithoutEvent: the registry holds an action's effect but its event
// is not found yet (a node still indexing); asking again later finds it.
var ErrEffectWithoutEvent = errors.New("the registry holds the effect but its event is not found yet")

// DoneReader is what FindDone reads: the registry's views and its events
// (the read-only JSON-RPC a network serves is enough).
type DoneReader interface {
	ethereum.ContractCaller
	ethereum.LogFilterer
}

// FindDone asks the registry whether the action in data (for the registry
// at registry on chain chainID) already took effect for the patient it acts
// for, and if so where: the event of that effect. A signed action acts for
// its signer whoever sends it; a plain call for its sender. nil means not
// done, or an action the registry cannot tell about (delegation changes,
// kept from landing twice by their nonce).
//
// When the effect is there but its event is not found yet, FindDone returns
// a Done without a transaction and an error wrapping
// [ErrEffectWithoutEvent]. Other errors are failures to ask (wrapping
// [ErrChainDown] or [ErrNoRegistry] as [Registry]'s do).
func FindDone(ctx context.Context, client DoneReader, registry common.Address, chainID *big.Int, data []byte, sender common.Address) (*Done, error) {
	a, err := DecodeAction(data, chainID, registry)
	if err != nil {
		return nil, nil
	}
	patient := a.Patient
	if patient == (common.Address{}) {
		patient = sender
	}
	topic := common.BytesToHash(patient.Bytes())
	reg := NewRegistry(client, registry)
	var done bool
	var event string
	var topics [][]common.Hash
	var logData []byte
	switch a.Method {
	case "anchor", "anchorSigned":
		an, err := reg.AnchorOf(ctx, patient, a.Root)
		if err != nil {
			return nil, err
		}
		done, event, topics = an.Anchored(), "Anchored", [][]common.Hash{{topic}, {a.Root}}
	case "issueGrant", "issueGrantFor", "issueGrantSigned":
		g, err := reg.GrantOf(ctx, patient, a.Digest)
		if err != nil {
			return nil, err
		}
		done, event, topics = g.Issued(), "GrantIssued", [][]common.Hash{{topic}, {a.Digest}}
	case "revokeGrant", "revokeGrantSigned":
		g, err := reg.GrantOf(ctx, patient, a.Digest)
		if err != nil {
			return nil, err
		}
		done, event, topics = g.Revoked, "GrantRevoked", [][]common.Hash{{topic}, {a.Digest}}
	case "logAccess":
		logged, err := reg.AccessLogged(ctx, a.GrantKey, a.Entry)
		if err != nil {
			return nil, err
		}
		done, event, topics, logData = logged, "AccessLogged", [][]common.Hash{{a.GrantKey}}, a.Entry[:]
	}
	if !done {
		return nil, nil
	}
	return findEvent(ctx, client, registry, event, topics, logData)
}

// findEvent finds the registry's latest event with the given indexed topics
// (after the event id), and data when given (AccessLogged's entry is not
// indexed).
func findEvent(ctx context.Context, client ethereum.LogFilterer, registry common.Address, event string, topics [][]common.Hash, data []byte) (*Done, error) {
	ev, ok := registryABI.GetABI().Events[event]
	if !ok {
		return nil, fmt.Errorf("no event %s in the registry's ABI", event)
	}
	logs, err := client.FilterLogs(ctx, ethereum.FilterQuery{
		FromBlock: new(big.Int),
		Addresses: []common.Address{registry},
		Topics:    append([][]common.Hash{{ev.ID}}, topics...),
	})
	if err != nil {
		return nil, nodeError("searching the registry's "+event+" events", err)
	}
	for i := len(logs) - 1; i >= 0; i-- {
		if l := logs[i]; !l.Removed && (len(data) == 0 || bytes.Equal(l.Data, data)) {
			d := &Done{TxHash: l.TxHash, BlockNumber: l.BlockNumber, BlockHash: l.BlockHash}
			if l.BlockTimestamp != 0 {
				d.BlockTime = time.Unix(int64(l.BlockTimestamp), 0).UTC()
			}
			return d, nil
		}
	}
	return &Done{}, fmt.Errorf("%w (%s)", ErrEffectWithoutEvent, event)
}

// NotFoundYet reports whether a node's answer about a transaction means it
// does not know it (yet): not found, or — as geth answers for a while after
// a start — its transaction index is still being built.
func NotFoundYet(err error) bool {
	if err == nil {
		return false
	}
	return errors.Is(err, ethereum.NotFound) || strings.Contains(err.Error(), "not found") || strings.Contains(err.Error(), "indexing is in progress")
}
