package wallet

import (
	"bytes"
	"cmp"
	"context"
	"encoding/binary"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/ethereum/go-ethereum/common"

	"healthwallet/chain"
	"healthwallet/chain/contracts"
	"healthwallet/chain/merkle"
	"healthwallet/chain/outbox"
	"healthwallet/wallet/record"
	"healthwallet/wallet/share"
	"healthwallet/wallet/vault"
)

// This file: anchoring (DESIGN §5). Every record version gets a commitment
// c = keccak256(0x00 ‖ salt ‖ keccak256(JCS(resource))) when it is imported,
// queued in the same vault transaction. Anchor puts the queued commitments
// into Merkle batches — one root per transaction — and, in one vault
// transaction, writes each batch, each version's place and proof in it, and
// the batch's outbox row; then it drains the outbox. Everything is in the
// vault's sealed state area:
//
//	anchor/pending  version key → commitment, until batched
//	anchor/version  version key → root, proof (the version's place in its batch)
//	anchor/batch    root → the batch: leaves, versions, outbox row, where it landed
//
// A version key is the record's vault ID ‖ big-endian version.
//
// A batch knows the chain (chain id and registry) it landed on. When the
// wallet moves to another chain — it joins a network, or its chain changes —
// the latest version of each record in a batch anchored elsewhere is queued
// again (the same commitment) and anchored on the chain in force by the next
// Anchor; a share anchors them first, so its proofs lead to its own chain
// (anchorOnCurrentChain).

const (
	spacePending = "anchor/pending"
	spaceVersion = "anchor/version"
	spaceBatch   = "anchor/batch"

	// kindAnchor is the outbox kind of an anchoring transaction.
	kindAnchor = "anchor"
)

// MaxBatch is the most record versions one anchoring transaction commits to.
// Gas grows with the proof depth only off chain: the transaction costs the
// same for 1 or 1,024 leaves.
const MaxBatch = 1024

func versionKey(id vault.ID, version uint32) []byte {
	return binary.BigEndian.AppendUint32(append([]byte(nil), id[:]...), version)
}

func parseVersionKey(k []byte) (vault.ID, uint32, bool) {
	var id vault.ID
	if len(k) != len(id)+4 {
		return id, 0, false
	}
	copy(id[:], k)
	return id, binary.BigEndian.Uint32(k[len(id):]), true
}

// commitment is the record version's leaf: merkle.Commit(salt,
// keccak256(canonical JSON)), computed where a receiver checks it,
// share.CanonicalCommitment. (The SHA-256 of the same canonical form is
// the import's duplicate check, record.ContentHash.)
func commitment(salt [32]byte, canonical []byte) [32]byte {
	_, c := share.CanonicalCommitment(canonical, salt)
	return c
}

// commitmentOf recomputes a version's commitment from its stored plaintext.
func commitmentOf(saltHex string, raw []byte) ([32]byte, error) {
	salt, err := hex.DecodeString(saltHex)
	if err != nil || len(salt) != 32 {
		return [32]byte{}, errors.New("its commitment salt is missing or malformed")
	}
	canon, err := record.Canonical(raw)
	if err != nil {
		return [32]byte{}, fmt.Errorf("its JSON cannot be canonicalized: %w", err)
	}
	return commitment([32]byte(salt), canon), nil
}

// anchoredVersion is one version's place in its batch.
type anchoredVersion struct {
	Root  common.Hash `json:"r"`
	Proof []byte      `json:"p"` // merkle.Proof, binary form
}

// batch is one Merkle batch, anchored by one transaction.
type batch struct {
	Root    common.Hash   `json:"root"`
	Leaves  []common.Hash `json:"leaves"`
	Items   []string      `json:"items"` // record id (hex) ":" version, in leaf order
	Row     uint64        `json:"row"`   // its outbox row
	Created time.Time     `json:"created"`
	// Where it landed, from the outbox.
	State     string      `json:"state"` // outbox state: pending, included, final, failed
	TxHash    common.Hash `json:"txHash,omitzero"`
	Block     uint64      `json:"block,omitempty"`
	BlockHash common.Hash `json:"blockHash,omitzero"`
	Time      time.Time   `json:"time,omitzero"`
	Problem   string      `json:"problem,omitempty"`
	// The chain it landed on; zero until it is in a block (and in batches
	// made before batches knew it).
	ChainID  uint64         `json:"chainId,omitempty"`
	Registry common.Address `json:"registry,omitzero"`
	// Moved says its records' latest versions were queued again for the
	// chain the wallet moved to: they have their place in a newer batch.
	Moved bool `json:"moved,omitempty"`
}

func (b batch) anchored() bool {
	return b.State == string(outbox.Included) || b.State == string(outbox.Final)
}

func readBatch(r outbox.Reader, root common.Hash) (batch, bool, error) {
	v, ok, err := r.State(spaceBatch, root[:])
	if err != nil || !ok {
		return batch{}, ok, err
	}
	var b batch
	if err := json.Unmarshal(v, &b); err != nil {
		return batch{}, false, fmt.Errorf("batch %s is unreadable: %w", root.Hex(), err)
	}
	return b, true, nil
}

// batchHead is a batch without its leaves and items: what a record's
// anchoring state and the Anchor report need. Decoding one skips the leaves
// (up to MaxBatch hashes) and only counts them.
type batchHead struct {
	Root      common.Hash    `json:"root"`
	LeafCount leafCount      `json:"leaves"`
	Row       uint64         `json:"row"`
	State     string         `json:"state"`
	TxHash    common.Hash    `json:"txHash,omitzero"`
	Block     uint64         `json:"block,omitempty"`
	Time      time.Time      `json:"time,omitzero"`
	Problem   string         `json:"problem,omitempty"`
	ChainID   uint64         `json:"chainId,omitempty"`
	Registry  common.Address `json:"registry,omitzero"`
	Moved     bool           `json:"moved,omitempty"`
}

func (b batchHead) anchored() bool {
	return b.State == string(outbox.Included) || b.State == string(outbox.Final)
}

// leafCount decodes a batch's leaves, a JSON array of 0x-hex hashes, into
// how many there are, without decoding them.
type leafCount int

func (n *leafCount) UnmarshalJSON(b []byte) error {
	switch {
	case bytes.Equal(b, []byte("null")):
		*n = 0
	case len(b) >= 2 && b[0] == '[' && b[len(b)-1] == ']':
		// Hex strings hold no quotes or escapes: two quotes per leaf.
		*n = leafCount(bytes.Count(b, []byte{'"'}) / 2)
	default:
		return errors.New("the leaves are not a list")
	}
	return nil
}

func decodeBatchHead(v []byte) (batchHead, error) {
	var b batchHead
	if err := json.Unmarshal(v, &b); err != nil {
		return batchHead{}, fmt.Errorf("a batch is unreadable: %w", err)
	}
	return b, nil
}

func readBatchHead(r outbox.Reader, root common.Hash) (batchHead, bool, error) {
	v, ok, err := r.State(spaceBatch, root[:])
	if err != nil || !ok {
		return batchHead{}, ok, err
	}
	b, err := decodeBatchHead(v)
	if err != nil {
		return batchHead{}, false, fmt.Errorf("batch %s is unreadable: %w", root.Hex(), err)
	}
	return b, true, nil
}

func putBatch(tx outbox.Tx, b batch) error {
	v, err := jsonMarshal(b)
	if err != nil {
		return err
	}
	return tx.PutState(spaceBatch, b.Root[:], v)
}

// AnchorReport is what Anchor did and where the wallet's batches are.
type AnchorReport struct {
	// Batches are the batches made by this call and every earlier one not
	// yet final, oldest first.
	Batches []AnchorBatch `json:"batches"`
	// Queued counts record versions waiting for a batch (none after a
	// successful Anchor, unless more than fit in the batches it may make).
	Queued int `json:"queued"`
	// Problem is why the chain could not take the batches now (unreachable,
	// underfunded…); they wait in the outbox and the next Anchor retries.
	Problem string `json:"problem,omitempty"`
}

// Waiting reports whether some batch is not yet in a block.
func (r AnchorReport) Waiting() bool {
	for _, b := range r.Batches {
		if b.State == string(outbox.Pending) {
			return true
		}
	}
	return r.Queued > 0
}

// AnchorBatch is one batch as a person reads it.
type AnchorBatch struct {
	Root    string    `json:"root"`
	Count   int       `json:"count"`
	State   string    `json:"state"` // pending, included, final, failed
	TxHash  string    `json:"txHash,omitempty"`
	Block   uint64    `json:"block,omitempty"`
	Time    time.Time `json:"time,omitzero"`
	Problem string    `json:"problem,omitempty"`
	New     bool      `json:"new,omitempty"` // made by this call
}

// Anchor commits every record version not yet anchored: it makes Merkle
// batches of up to MaxBatch versions, queues one anchoring transaction per
// batch, and sends what the chain takes now. It never waits for a block and
// never fails because the chain is down: the report's Problem says why the
// batches wait, and the next Anchor (or a later call, after the chain is
// back) sends them. Call it again to follow the batches to their blocks.
func (w *Wallet) Anchor(ctx context.Context) (AnchorReport, error) {
	rep := AnchorReport{Batches: []AnchorBatch{}}
	if err := w.unlocked(); err != nil {
		return rep, err
	}
	// Anchors are signed for the chain in use (or last used); a wallet that
	// never reached a chain queues plain anchors, which its own address sends.
	var signer *chain.Signer
	if chainID, registry, err := w.chainParams(ctx); err == nil {
		s, err := w.actionSigner(chainID, registry)
		if err != nil {
			return rep, err
		}
		signer = &s
		if err := w.queueAnchoredElsewhere(chainID.Uint64(), registry); err != nil {
			return rep, err
		}
	}
	made, err := w.makeBatches(signer)
	if err != nil {
		return rep, err
	}
	rep.Problem, err = w.drain(ctx)
	if err != nil {
		return rep, err
	}
	// One pass over the batches: the report, and the anchoring state of the
	// records of each batch this call made or whose state changed.
	index, err := w.currentIndex()
	if err != nil {
		return rep, err
	}
	w.mu.RLock()
	known := maps.Clone(w.batchStates)
	w.mu.RUnlock()
	changed := map[string]record.AnchorState{}
	seen := map[common.Hash]record.AnchorState{}
	err = w.vault.View(func(tx *vault.ReadTx) error {
		rows := map[uint64]outbox.Row{}
		all, err := outbox.Rows(tx)
		if err != nil {
			return err
		}
		for _, r := range all {
			rows[r.ID] = r
		}
		var batches []batchHead
		err = tx.ForEachState(spaceBatch, func(_, v []byte) error {
			b, err := decodeBatchHead(v)
			if err != nil {
				return err
			}
			isNew := slices.Contains(made, b.Root)
			st := batchState(b, rows[b.Row])
			if old, ok := known[b.Root]; !b.Moved && (isNew || !ok || !sameAnchorState(old, st)) {
				if err := batchRecordStates(v, st, index, changed); err != nil {
					return fmt.Errorf("batch %s: %w", b.Root.Hex(), err)
				}
			}
			seen[b.Root] = st
			if b.State != string(outbox.Final) || isNew {
				batches = append(batches, b)
			}
			return nil
		})
		if err != nil {
			return err
		}
		slices.SortFunc(batches, func(a, b batchHead) int { return cmp.Compare(a.Row, b.Row) })
		for _, b := range batches {
			ab := AnchorBatch{Root: b.Root.Hex(), Count: int(b.LeafCount), State: b.State, Block: b.Block, Time: b.Time, Problem: b.Problem, New: slices.Contains(made, b.Root)}
			if r, ok := rows[b.Row]; ok {
				if h := r.TxHash(); h != (common.Hash{}) {
					ab.TxHash = h.Hex()
				}
				if ab.Problem == "" {
					ab.Problem = r.LastError
				}
			}
			rep.Batches = append(rep.Batches, ab)
		}
		return tx.ForEachState(spacePending, func(_, _ []byte) error { rep.Queued++; return nil })
	})
	if err != nil {
		return rep, fmt.Errorf("reading the anchoring state: %w", mapVaultError(err))
	}
	w.mu.Lock()
	if w.id != nil && w.index == index {
		if w.anchors == nil {
			w.anchors = map[string]record.AnchorState{}
		}
		if w.batchStates == nil {
			w.batchStates = map[common.Hash]record.AnchorState{}
		}
		maps.Copy(w.anchors, changed)
		maps.Copy(w.batchStates, seen)
	}
	w.mu.Unlock()
	return rep, nil
}

// batchRecordStates gives st to each record whose latest version (in index)
// is an item of the batch v, a batch's stored JSON, putting it in states.
func batchRecordStates(v []byte, st record.AnchorState, index *record.Index, states map[string]record.AnchorState) error {
	var b struct {
		Items []string `json:"items"`
	}
	if err := json.Unmarshal(v, &b); err != nil {
		return fmt.Errorf("its items are unreadable: %w", err)
	}
	for _, item := range b.Items {
		id, ver, ok := strings.Cut(item, ":")
		if !ok {
			continue
		}
		version, err := strconv.Atoi(ver)
		if err != nil {
			continue
		}
		if rec, ok := index.Get(id); ok && rec.Version == version {
			states[anchorKey(id, version)] = st
		}
	}
	return nil
}

// sameAnchorState reports whether a and b show the same.
func sameAnchorState(a, b record.AnchorState) bool {
	return a.State == b.State && a.Root == b.Root && a.TxHash == b.TxHash && a.Block == b.Block &&
		a.Time.Equal(b.Time) && a.Problem == b.Problem
}

// makeBatches turns the queued commitments into batches and their outbox
// rows, in one vault transaction, and returns the new roots.
//
// A batch holds one person's versions only, and is signed by that person's
// key (personKey), so that it is anchored under their own address. Someone
// else's versions wait while the wallet has never reached a chain (plain
// anchors are sent by the owner's address, as the owner's).
func (w *Wallet) makeBatches(signer *chain.Signer) ([]common.Hash, error) {
	var made []common.Hash
	keys, err := w.personKeys()
	if err != nil {
		return nil, err
	}
	reg := contracts.NewHealthRegistry()
	stamp := now().UTC()
	err = w.vault.Update(func(tx *vault.Tx) error {
		made = nil
		type queued struct {
			key    []byte
			c      [32]byte
			person string
		}
		var all []queued
		err := tx.ForEachState(spacePending, func(k, v []byte) error {
			if len(v) == 32 {
				all = append(all, queued{key: k, c: [32]byte(v)})
			}
			return nil
		})
		if err != nil {
			return err
		}
		slices.SortFunc(all, func(a, b queued) int { return bytes.Compare(a.key, b.key) })
		var live []queued
		for _, q := range all {
			id, ver, ok := parseVersionKey(q.key)
			latest, exists, err := tx.Latest(id)
			if err != nil {
				return err
			}
			if !ok || !exists || ver > latest.Version {
				// Its record was deleted: nothing to anchor.
				if err := tx.DeleteState(spacePending, q.key); err != nil {
					return err
				}
				continue
			}
			if m, err := decodeMeta(latest.Meta); err == nil {
				q.person = m.Person
			}
			live = append(live, q)
		}
		// One person's versions per batch, the owner's first.
		slices.SortStableFunc(live, func(a, b queued) int { return strings.Compare(a.person, b.person) })
		var chunks [][]queued
		for start := 0; start < len(live); {
			end := start
			for end < len(live) && live[end].person == live[start].person {
				end++
			}
			chunks = append(chunks, slices.Collect(slices.Chunk(live[start:end], MaxBatch))...)
			start = end
		}
		for _, chunk := range chunks {
			person := chunk[0].person
			batchSigner := signer
			if person != "" {
				key, ok := keys[person]
				if signer == nil || !ok {
					continue // waits for a chain to sign for (or for its space, dropped meanwhile)
				}
				s := *signer
				s.Key = key
				batchSigner = &s
			}
			leaves := make([][32]byte, len(chunk))
			for i, q := range chunk {
				leaves[i] = q.c
			}
			tree, err := merkle.New(leaves)
			if err != nil {
				return err
			}
			root := common.Hash(tree.Root())
			if old, exists, err := readBatch(tx, root); err != nil || exists && !old.Moved {
				if err != nil {
					return err
				}
				// The same commitments again cannot happen (salts are
				// random); refuse rather than anchor a root twice.
				return fmt.Errorf("batch %s exists already", root.Hex())
			}
			b := batch{Root: root, Created: stamp, State: string(outbox.Pending)}
			for i, q := range chunk {
				proof, err := tree.Prove(i).MarshalBinary()
				if err != nil {
					return err
				}
				av, err := jsonMarshal(anchoredVersion{Root: root, Proof: proof})
				if err != nil {
					return err
				}
				if err := tx.PutState(spaceVersion, q.key, av); err != nil {
					return err
				}
				if err := tx.DeleteState(spacePending, q.key); err != nil {
					return err
				}
				id, ver, _ := parseVersionKey(q.key)
				b.Leaves = append(b.Leaves, common.Hash(q.c))
				b.Items = append(b.Items, id.String()+":"+strconv.FormatUint(uint64(ver), 10))
			}
			data := reg.PackAnchor(root, uint32(len(chunk)))
			if batchSigner != nil {
				if data, err = batchSigner.Anchor(root, uint32(len(chunk)), uint64(stamp.Add(anchorValidity).Unix())); err != nil {
					return err
				}
			}
			row, err := outbox.Enqueue(tx, kindAnchor, root[:], data)
			if err != nil {
				return err
			}
			b.Row = row.ID
			if err := putBatch(tx, b); err != nil {
				return err
			}
			made = append(made, root)
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("making anchoring batches: %w", mapVaultError(err))
	}
	return made, nil
}

// drain sends what the outbox holds. It returns the chain problem, if any,
// as text: the chain being down is not the wallet's error.
func (w *Wallet) drain(ctx context.Context) (string, error) {
	addr, err := w.address()
	if err != nil {
		return "", err
	}
	w.chainMu.Lock()
	defer w.chainMu.Unlock()
	n, err := w.networkLocked(ctx)
	if err != nil {
		if ctx.Err() != nil {
			return "", ctx.Err()
		}
		problem := err.Error()
		if err := w.noteOnOpenRows(problem); err != nil {
			return "", err
		}
		return problem, nil
	}
	opts := w.chain.opts
	opts.OnChange = batchFollower(n.ChainID.Uint64(), n.Registry)
	opts.Resign = w.resigner(n)
	if m, ok := w.networkInForceLocked(); ok {
		// The network sends the wallet's signed actions and pays their gas:
		// the patient holds no ETH.
		opts.Submit = w.submission(m) // as the signer: the owner, or a relationship address (care.go)
	}
	rep, err := outbox.New(vaultStore{w.vault}, n, addr, w.sign, opts).Drain(ctx)
	if err != nil {
		return "", fmt.Errorf("sending to the chain: %w", mapVaultError(err))
	}
	if rep.Problem != "" && chain.IsUnreachable(errors.New(rep.Problem)) {
		w.dropNetworkLocked()
	}
	return rep.Problem, nil
}

// noteOnOpenRows writes why the chain could not be opened on every pending
// row, so Settings and the records can say why they wait.
func (w *Wallet) noteOnOpenRows(problem string) error {
	err := w.vault.Update(func(tx *vault.Tx) error {
		rows, err := outbox.Rows(tx)
		if err != nil {
			return err
		}
		for _, r := range rows {
			if r.State != outbox.Pending || r.LastError == problem {
				continue
			}
			r.LastError = problem
			if err := saveRow(tx, r); err != nil {
				return err
			}
		}
		return nil
	})
	return mapVaultError(err)
}

// saveRow writes an outbox row the wallet changed itself, where the outbox
// keeps it.
func saveRow(tx *vault.Tx, r outbox.Row) error {
	b, err := json.Marshal(r)
	if err != nil {
		return err
	}
	return tx.PutState(outbox.SpaceRows, binary.BigEndian.AppendUint64(nil, r.ID), b)
}

// batchFollower keeps a batch in step with its outbox row, in the row's
// transaction, while the outbox drains to the chain chainID, registry: a
// batch in a block is on that chain.
func batchFollower(chainID uint64, registry common.Address) func(outbox.Tx, outbox.Row) error {
	return func(tx outbox.Tx, row outbox.Row) error {
		return followRow(tx, row, chainID, registry)
	}
}

func followRow(tx outbox.Tx, row outbox.Row, chainID uint64, registry common.Address) error {
	if row.Kind != kindAnchor || len(row.Payload) != 32 {
		return nil
	}
	root := common.Hash(row.Payload)
	b, ok, err := readBatch(tx, root)
	if err != nil || !ok {
		return err
	}
	b.State, b.Problem = string(row.State), ""
	b.TxHash, b.Block, b.BlockHash, b.Time = common.Hash{}, 0, common.Hash{}, time.Time{}
	b.ChainID, b.Registry = 0, common.Address{}
	if inc := row.Inclusion; inc != nil {
		b.TxHash, b.Block, b.BlockHash, b.Time = inc.TxHash, inc.BlockNumber, inc.BlockHash, inc.BlockTime
		b.ChainID, b.Registry = chainID, registry
	}
	if row.State == outbox.Failed {
		b.Problem = row.LastError
	}
	return putBatch(tx, b)
}

// anchorKey names a record version in the wallet's anchor-state map.
func anchorKey(id string, version int) string { return id + ":" + strconv.Itoa(version) }

// readAnchorStates works out the anchoring state of each of latest, the
// records' latest versions: it looks up each version's place (a point read,
// nothing for a version never batched) and decodes the head of each batch
// they are in, once, never its leaves. Older versions and batches holding
// none of latest are not read. It also returns the state of each batch it
// read, by root.
func (w *Wallet) readAnchorStates(latest []latestVersion) (map[string]record.AnchorState, map[common.Hash]record.AnchorState, error) {
	states := map[string]record.AnchorState{}
	batches := map[common.Hash]record.AnchorState{}
	err := w.vault.View(func(tx *vault.ReadTx) error {
		all, err := outbox.Rows(tx)
		if err != nil {
			return err
		}
		rows := map[uint64]outbox.Row{}
		for _, r := range all {
			if r.Kind == kindAnchor {
				rows[r.ID] = r
			}
		}
		if len(rows) == 0 {
			// A batch is made with its outbox row, in one transaction: with
			// no anchoring row there is no batch, and no version has a place.
			return nil
		}
		missing := map[common.Hash]bool{}
		for _, lv := range latest {
			raw, ok, err := tx.State(spaceVersion, versionKey(lv.id, lv.version))
			if err != nil {
				return err
			}
			if !ok {
				continue
			}
			var av struct {
				Root common.Hash `json:"r"` // anchoredVersion's, without the proof
			}
			if err := json.Unmarshal(raw, &av); err != nil || missing[av.Root] {
				continue
			}
			st, ok := batches[av.Root]
			if !ok {
				b, found, err := readBatchHead(tx, av.Root)
				if err != nil {
					return err
				}
				if !found {
					missing[av.Root] = true
					continue
				}
				st = batchState(b, rows[b.Row])
				batches[av.Root] = st
			}
			states[anchorKey(lv.id.String(), int(lv.version))] = st
		}
		return nil
	})
	if err != nil {
		return nil, nil, fmt.Errorf("reading the anchoring state: %w", mapVaultError(err))
	}
	return states, batches, nil
}

func batchState(b batchHead, row outbox.Row) record.AnchorState {
	st := record.AnchorState{State: record.AnchorWaiting, Root: b.Root.Hex()}
	switch {
	case b.anchored():
		st.State, st.TxHash, st.Block, st.Time = record.AnchorAnchored, b.TxHash.Hex(), b.Block, b.Time
	case b.State == string(outbox.Failed):
		st.State, st.Problem = record.AnchorFailed, b.Problem
	default:
		st.Problem = row.LastError
	}
	return st
}

// anchorState is the anchoring state of one record version.
func (w *Wallet) anchorState(id string, version int) record.AnchorState {
	w.mu.RLock()
	defer w.mu.RUnlock()
	if st, ok := w.anchors[anchorKey(id, version)]; ok {
		return st
	}
	return record.AnchorState{State: record.AnchorWaiting}
}

// withAnchors fills in the anchoring state of each record.
func (w *Wallet) withAnchors(recs []record.Record) []record.Record {
	for i := range recs {
		recs[i].Anchor = w.anchorState(recs[i].ID, recs[i].Version)
	}
	return recs
}

// markVerified records the outcome of a verification that failed, so the
// record shows "verification failed, with why" until it passes again.
func (w *Wallet) markVerified(id string, version int, v Verification) {
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.anchors == nil {
		return
	}
	key := anchorKey(id, version)
	st := w.anchors[key]
	switch {
	case v.Anchored && !v.Valid && v.Problem != "":
		st.State, st.Problem = record.AnchorFailed, "verification failed: "+v.Problem
	case v.Valid:
		st.State, st.Problem = record.AnchorAnchored, ""
	default:
		return
	}
	w.anchors[key] = st
}

// anchorOnCurrentChain queues again, for the chain in force, the records
// whose latest version is anchored on another chain (see
// queueAnchoredElsewhere). A wallet that cannot tell its chain changes
// nothing.
func (w *Wallet) anchorOnCurrentChain(ctx context.Context) error {
	chainID, registry, err := w.chainParams(ctx)
	if err != nil {
		return nil
	}
	return w.queueAnchoredElsewhere(chainID.Uint64(), registry)
}

// queueAnchoredElsewhere moves the wallet's anchors to the chain chainID,
// registry, the one in force. A row in a block of another chain is final
// for the wallet: it no longer follows that chain. The latest version of
// each record in a batch anchored on another chain — or on an unknown one,
// a batch from before batches knew their chain — is queued again with the
// same commitment, for the next Anchor; the old batch is marked moved.
func (w *Wallet) queueAnchoredElsewhere(chainID uint64, registry common.Address) error {
	// Read first: on the chain they were anchored on, nothing is written.
	var found bool
	err := w.vault.View(func(tx *vault.ReadTx) error {
		rows, moved, err := anchoredElsewhere(tx, chainID, registry)
		found = len(rows) > 0 || len(moved) > 0
		return err
	})
	if err == nil && found {
		err = w.vault.Update(func(tx *vault.Tx) error {
			rows, _, err := anchoredElsewhere(tx, chainID, registry)
			if err != nil {
				return err
			}
			for _, r := range rows {
				r.State, r.LastError = outbox.Final, ""
				if err := saveRow(tx, r); err != nil {
					return err
				}
				if err := followRow(tx, r, r.ChainID, r.Registry); err != nil {
					return err
				}
			}
			// Again, with those rows final: the batches as they are now.
			_, moved, err := anchoredElsewhere(tx, chainID, registry)
			if err != nil {
				return err
			}
			for _, b := range moved {
				if err := queueBatchAgain(tx, b); err != nil {
					return fmt.Errorf("batch %s: %w", b.Root.Hex(), err)
				}
			}
			return nil
		})
	}
	if err != nil {
		return fmt.Errorf("queueing the records anchored on another chain for this one: %w", mapVaultError(err))
	}
	return nil
}

// anchoredElsewhere lists the rows in a block of another chain than
// chainID, registry, and the batches anchored on another chain (or an
// unknown one) not moved yet.
func anchoredElsewhere(r outbox.Reader, chainID uint64, registry common.Address) ([]outbox.Row, []batch, error) {
	elsewhere := func(id uint64, reg common.Address) bool { return id != chainID || reg != registry }
	all, err := outbox.Rows(r)
	if err != nil {
		return nil, nil, err
	}
	var left []outbox.Row
	rows := map[uint64]outbox.Row{}
	for _, row := range all {
		rows[row.ID] = row
		if row.State == outbox.Included && row.ChainID != 0 && elsewhere(row.ChainID, row.Registry) {
			left = append(left, row)
		}
	}
	var moved []batch
	err = r.ForEachState(spaceBatch, func(_, v []byte) error {
		h, err := decodeBatchHead(v)
		if err != nil {
			return err
		}
		if h.Moved || !h.anchored() {
			return nil
		}
		if h.ChainID == 0 {
			h.ChainID, h.Registry = rows[h.Row].ChainID, rows[h.Row].Registry
		}
		if !elsewhere(h.ChainID, h.Registry) {
			return nil
		}
		var b batch // its leaves and items, only now
		if err := json.Unmarshal(v, &b); err != nil {
			return fmt.Errorf("batch %s is unreadable: %w", h.Root.Hex(), err)
		}
		moved = append(moved, b)
		return nil
	})
	return left, moved, err
}

// queueBatchAgain queues the commitment of each item of b that is its
// record's latest version and still has its place in b, and marks b moved.
func queueBatchAgain(tx *vault.Tx, b batch) error {
	for i, item := range b.Items {
		id, version, ok := parseItem(item)
		if !ok || i >= len(b.Leaves) {
			continue
		}
		latest, exists, err := tx.Latest(id)
		if err != nil {
			return err
		}
		if !exists || latest.Version != version {
			continue
		}
		key := versionKey(id, version)
		raw, placed, err := tx.State(spaceVersion, key)
		if err != nil {
			return err
		}
		var av anchoredVersion
		if !placed || json.Unmarshal(raw, &av) != nil || av.Root != b.Root {
			continue
		}
		if err := tx.PutState(spacePending, key, b.Leaves[i][:]); err != nil {
			return err
		}
		if err := tx.DeleteState(spaceVersion, key); err != nil {
			return err
		}
	}
	b.Moved = true
	return putBatch(tx, b)
}

// parseItem reads a batch item, record id (hex) ":" version.
func parseItem(item string) (vault.ID, uint32, bool) {
	idHex, ver, ok := strings.Cut(item, ":")
	if !ok {
		return vault.ID{}, 0, false
	}
	version, err := strconv.ParseUint(ver, 10, 32)
	if err != nil {
		return vault.ID{}, 0, false
	}
	id, err := parseID(idHex)
	if err != nil {
		return vault.ID{}, 0, false
	}
	return id, uint32(version), true
}
