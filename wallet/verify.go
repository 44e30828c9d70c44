package wallet

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"math/big"
	"strings"
	"time"

	"github.com/ethereum/go-ethereum"
	"github.com/ethereum/go-ethereum/common"
	"github.com/ethereum/go-ethereum/crypto"

	"healthwallet/chain"
	"healthwallet/chain/contracts"
	"healthwallet/chain/merkle"
	"healthwallet/wallet/vault"
)

// Verification is what Verify found about a record's latest version.
type Verification struct {
	// Anchored: the chain holds the version's batch, anchored by this wallet.
	Anchored bool
	// Root is the Merkle root of its batch (zero while not batched).
	Root common.Hash
	// Block and Time are where and when the batch was anchored.
	Block uint64
	Time  time.Time
	// Valid: the stored record recomputes to the commitment, the proof leads
	// to Root, and the chain says Root was anchored by this wallet.
	Valid bool
	// Problem says why not Valid (or "waiting to anchor"); empty when Valid.
	Problem string
}

// ProblemWaiting is the Problem of a record whose batch is not yet anchored.
const ProblemWaiting = "waiting to anchor"

// problemUnreachable begins the Problem of a record whose local checks
// passed but whose anchor the chain could not be asked about.
const problemUnreachable = "cannot check with the chain now"

// Sentence is the verification as one sentence for a person, without
// chain words: "Intact and anchored on 12 Mar 2024", "Intact; waiting to
// be anchored", "Changed since it was anchored: do not rely on it". The
// checks behind it are in the other fields.
func (v Verification) Sentence() string {
	switch {
	case v.Valid && !v.Time.IsZero():
		return "Intact and anchored on " + v.Time.Format("2 Jan 2006")
	case v.Valid:
		return "Intact and anchored"
	case strings.HasPrefix(v.Problem, ProblemWaiting):
		return "Intact; waiting to be anchored"
	case strings.HasPrefix(v.Problem, problemUnreachable):
		return "Intact here, but the network can't be reached to confirm its anchor: try again when it is back"
	case v.Anchored:
		return "Changed since it was anchored: do not rely on it"
	}
	return "Could not be checked: do not rely on it until it can be"
}

// MarshalJSON writes {"anchored","root","block","time","valid","problem",
// "sentence"}, root as 0x-hex (empty while not batched), time as RFC 3339
// (empty while not anchored) and sentence as [Verification.Sentence] says it.
func (v Verification) MarshalJSON() ([]byte, error) {
	out := struct {
		Anchored bool   `json:"anchored"`
		Root     string `json:"root"`
		Block    uint64 `json:"block"`
		Time     string `json:"time"`
		Valid    bool   `json:"valid"`
		Problem  string `json:"problem"`
		Sentence string `json:"sentence"`
	}{Anchored: v.Anchored, Block: v.Block, Valid: v.Valid, Problem: v.Problem, Sentence: v.Sentence()}
	if v.Root != (common.Hash{}) {
		out.Root = v.Root.Hex()
	}
	if !v.Time.IsZero() {
		out.Time = v.Time.UTC().Format(time.RFC3339)
	}
	return json.Marshal(out)
}

// Verify checks a record's latest version the way a stranger would: it
// recomputes the commitment from the plaintext in the vault, checks the
// Merkle proof up to the batch's root, and asks the chain who anchored that
// root and when (it must be this wallet's address). A failed check is not an
// error: Valid is false and Problem says why. Errors are for an unknown id
// (ErrNotFound) or a locked wallet.
func (w *Wallet) Verify(ctx context.Context, id string) (v Verification, err error) {
	index, err := w.currentIndex()
	if err != nil {
		return v, err
	}
	vid, err := parseID(id)
	if err != nil {
		return v, err
	}
	rec, ok := index.Get(id)
	if !ok {
		return v, fmt.Errorf("%w: %s", ErrNotFound, id)
	}
	// Someone kept apart in this wallet is anchored under their own address.
	key, err := w.personKey(rec.Person)
	if err != nil {
		return v, err
	}
	addr := crypto.PubkeyToAddress(key.PublicKey)
	defer func() {
		if err == nil {
			w.markVerified(id, rec.Version, v)
		}
	}()
	version := uint32(rec.Version)

	// Where the version stands locally.
	var av anchoredVersion
	var b batch
	var batched, queued bool
	err = w.vault.View(func(tx *vault.ReadTx) error {
		key := versionKey(vid, version)
		raw, ok, err := tx.State(spaceVersion, key)
		if err != nil {
			return err
		}
		if !ok {
			_, queued, err = tx.State(spacePending, key)
			return err
		}
		if err := json.Unmarshal(raw, &av); err != nil {
			return fmt.Errorf("its place in its batch is unreadable: %w", err)
		}
		b, batched, err = readBatch(tx, av.Root)
		return err
	})
	if err != nil {
		if errors.Is(err, vault.ErrCorrupt) {
			v.Problem = fmt.Sprintf("its anchoring data failed the vault's integrity check (%v): restore from a backup", err)
			return v, nil
		}
		return v, fmt.Errorf("reading the anchoring state of %s: %w", id, mapVaultError(err))
	}
	if !batched {
		v.Problem = ProblemWaiting
		if !queued {
			// Every import queues its version in the same transaction, so
			// this is lost anchoring state; Anchor does not queue it again.
			v.Problem += " (but it is not queued for anchoring: its anchoring state is missing from the vault)"
		}
		return v, nil
	}
	v.Root = av.Root
	if b.anchored() {
		v.Block, v.Time = b.Block, b.Time
	}

	// The plaintext, recomputed to its commitment.
	body, err := w.vault.Body(vid, version)
	if err != nil {
		v.Problem = fmt.Sprintf("the stored record cannot be read back intact: %v", err)
		return w.verifyOnChain(ctx, v, addr, nil)
	}
	versions, err := w.vault.Versions(vid)
	if err != nil {
		v.Problem = fmt.Sprintf("the stored record's metadata cannot be read back intact: %v", err)
		return w.verifyOnChain(ctx, v, addr, nil)
	}
	var saltHex string
	for _, vm := range versions {
		if vm.Version == version {
			if m, err := decodeMeta(vm.Meta); err == nil {
				saltHex = m.Salt
			}
		}
	}
	c, err := commitmentOf(saltHex, body)
	if err != nil {
		v.Problem = "the stored record cannot be committed: " + err.Error()
		return w.verifyOnChain(ctx, v, addr, nil)
	}
	var proof merkle.Proof
	if err := proof.UnmarshalBinary(av.Proof); err != nil {
		v.Problem = "its Merkle proof is unreadable: " + err.Error()
		return w.verifyOnChain(ctx, v, addr, nil)
	}
	if !merkle.Verify(av.Root, c, proof) {
		v.Problem = fmt.Sprintf("the record no longer matches what was anchored: its commitment is not in batch %s (the record was altered after it was anchored)", av.Root.Hex())
		return w.verifyOnChain(ctx, v, addr, nil)
	}
	return w.verifyOnChain(ctx, v, addr, &proof)
}

// verifyOnChain asks the registry about v.Root. With proof nil, the local
// checks already failed (v.Problem says how): the chain is asked only to
// report Anchored, Block and Time truthfully.
func (w *Wallet) verifyOnChain(ctx context.Context, v Verification, addr common.Address, proof *merkle.Proof) (Verification, error) {
	w.chainMu.Lock()
	defer w.chainMu.Unlock()
	unchecked := func(err error) (Verification, error) {
		switch {
		case proof == nil:
		case v.Block == 0: // not in a block as far as the wallet knows
			v.Problem = ProblemWaiting
		default:
			v.Problem = problemUnreachable + ": " + err.Error()
		}
		return v, nil
	}
	n, err := w.networkLocked(ctx)
	if err != nil {
		return unchecked(err)
	}
	cctx, cancel := context.WithTimeout(ctx, 15*time.Second)
	defer cancel()
	a, err := chain.NewRegistry(n.Client, n.Registry).AnchorOf(cctx, addr, v.Root)
	if err != nil {
		return unchecked(err)
	}
	switch {
	case !a.Anchored():
		v.Block, v.Time = 0, time.Time{}
		if proof != nil {
			v.Problem = ProblemWaiting
		}
		return v, nil
	}
	// The registry keys anchors by patient: anchorOf(addr, root) is this
	// wallet's own anchor, never another's of the same root.
	v.Anchored = true
	v.Time = time.Unix(int64(a.AnchoredAt), 0).UTC()
	if v.Block == 0 {
		v.Block = w.anchoredBlock(ctx, n.Client, n.Registry, addr, v.Root)
	}
	if proof == nil {
		return v, nil
	}
	if a.Count != proof.Count {
		v.Problem = fmt.Sprintf("the chain says batch %s holds %d records, the proof says %d", v.Root.Hex(), a.Count, proof.Count)
		return v, nil
	}
	v.Valid, v.Problem = true, ""
	return v, nil
}

// anchoredBlock finds the block of root's Anchored event, 0 if it cannot.
func (w *Wallet) anchoredBlock(ctx context.Context, client ethereum.LogFilterer, registry, patient common.Address, root common.Hash) uint64 {
	ev := contracts.NewHealthRegistry().GetABI().Events["Anchored"]
	cctx, cancel := context.WithTimeout(ctx, 15*time.Second)
	defer cancel()
	logs, err := client.FilterLogs(cctx, ethereum.FilterQuery{
		FromBlock: new(big.Int), Addresses: []common.Address{registry},
		Topics: [][]common.Hash{{ev.ID}, {common.BytesToHash(patient.Bytes())}, {root}},
	})
	if err != nil || len(logs) == 0 {
		return 0
	}
	return logs[len(logs)-1].BlockNumber
}
