package vault

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/binary"
	"fmt"
	"runtime/debug"

	"go.etcd.io/bbolt"
)

// The state area is a sealed key-value store beside the records, for what
// the wallet keeps about its records and its work that is not a record: the
// anchoring queue, Merkle batches, the chain outbox. Its writes go through
// [Vault.Update], so they land in the same transaction as the records they
// are about; [Vault.View] reads it.
//
// On disk a value lives in the "state" bucket, in a nested bucket named by
// the HMAC of its space, under the HMAC of (space, key). The sealed value
// holds the key itself, so [Tx.ForEachState] can hand it back; its
// associated data binds both HMACs, so a value moved to another key or space
// fails to open. Neither spaces nor keys are readable on disk.

// MaxStateSize is the largest state value, key included.
const MaxStateSize = MaxMetaSize

func stateMAC(k *keyring, space string, key []byte, isSpace bool) [16]byte {
	h := hmac.New(sha256.New, k.stateNames)
	if isSpace {
		h.Write([]byte("space\x00"))
		h.Write([]byte(space))
	} else {
		h.Write([]byte("entry\x00"))
		h.Write(binary.AppendUvarint(nil, uint64(len(space))))
		h.Write([]byte(space))
		h.Write(key)
	}
	var out [16]byte
	copy(out[:], h.Sum(nil))
	return out
}

func adState(spaceMAC, entryMAC [16]byte) []byte {
	return ad("state", spaceMAC[:], entryMAC[:])
}

func sealState(k *keyring, spaceMAC, entryMAC [16]byte, key, value []byte) []byte {
	pt := binary.AppendUvarint(make([]byte, 0, 4+len(key)+len(value)), uint64(len(key)))
	pt = append(pt, key...)
	pt = append(pt, value...)
	return seal(k.stateValues, adState(spaceMAC, entryMAC), pt)
}

// openState opens a sealed state value and splits it into key and value.
func openState(k *keyring, spaceMAC, entryMAC [16]byte, box []byte) (key, value []byte, err error) {
	pt, err := open(k.stateValues, adState(spaceMAC, entryMAC), box)
	if err != nil {
		return nil, nil, fmt.Errorf("%w: a state value %v", ErrCorrupt, err)
	}
	n, m := binary.Uvarint(pt)
	if m <= 0 || n > uint64(len(pt)-m) {
		return nil, nil, fmt.Errorf("%w: a state value is malformed", ErrCorrupt)
	}
	return pt[m : m+int(n)], pt[m+int(n):], nil
}

func stateSpace(btx *bbolt.Tx, k *keyring, space string) (*bbolt.Bucket, [16]byte) {
	sm := stateMAC(k, space, nil, true)
	sb := btx.Bucket(bucketState)
	if sb == nil {
		return nil, sm
	}
	return sb.Bucket(sm[:]), sm
}

func readState(k *keyring, btx *bbolt.Tx, space string, key []byte) ([]byte, bool, error) {
	b, sm := stateSpace(btx, k, space)
	if b == nil {
		return nil, false, nil
	}
	em := stateMAC(k, space, key, false)
	box := b.Get(em[:])
	if box == nil {
		return nil, false, nil
	}
	_, value, err := openState(k, sm, em, box)
	if err != nil {
		return nil, false, fmt.Errorf("vault: reading state of %q: %w", space, err)
	}
	return value, true, nil
}

// eachState decrypts every entry of space and then calls fn for each, so fn
// may change the space while the walk goes on.
func eachState(k *keyring, btx *bbolt.Tx, space string, fn func(key, value []byte) error) error {
	b, sm := stateSpace(btx, k, space)
	if b == nil {
		return nil
	}
	type entry struct{ key, value []byte }
	var entries []entry
	err := b.ForEach(func(ek, box []byte) error {
		if len(ek) != 16 || box == nil {
			return fmt.Errorf("%w: unexpected entry %x in the state of %q", ErrCorrupt, ek, space)
		}
		key, value, err := openState(k, sm, [16]byte(ek), box)
		if err != nil {
			return fmt.Errorf("vault: reading state of %q: %w", space, err)
		}
		entries = append(entries, entry{key, value})
		return nil
	})
	if err != nil {
		return err
	}
	for _, e := range entries {
		if err := fn(e.key, e.value); err != nil {
			return err
		}
	}
	return nil
}

// PutState stores value under key in the state space space, replacing any
// value there. It lands with the rest of the transaction.
func (t *Tx) PutState(space string, key, value []byte) (err error) {
	if t.done {
		return errTxDone
	}
	if len(key)+len(value) > MaxStateSize {
		return fmt.Errorf("%w: state value of %d bytes (at most %d)", ErrTooLarge, len(key)+len(value), MaxStateSize)
	}
	defer recoverCorrupt(&err)
	return t.v.withKeys(func(k *keyring) error {
		root, err := t.btx.CreateBucketIfNotExists(bucketState)
		if err != nil {
			return fmt.Errorf("vault: creating the state area: %w", err)
		}
		sm := stateMAC(k, space, nil, true)
		b, err := root.CreateBucketIfNotExists(sm[:])
		if err != nil {
			return fmt.Errorf("vault: creating a state space: %w", err)
		}
		em := stateMAC(k, space, key, false)
		return b.Put(em[:], sealState(k, sm, em, key, value))
	})
}

// State returns the value stored under key in space, and false if there is
// none. Errors wrap ErrCorrupt when the stored value fails authentication.
func (t *Tx) State(space string, key []byte) (value []byte, ok bool, err error) {
	if t.done {
		return nil, false, errTxDone
	}
	defer recoverCorrupt(&err)
	err = t.v.withKeys(func(k *keyring) error {
		value, ok, err = readState(k, t.btx, space, key)
		return err
	})
	return value, ok, err
}

// DeleteState removes key from space; deleting what is not there does nothing.
func (t *Tx) DeleteState(space string, key []byte) (err error) {
	if t.done {
		return errTxDone
	}
	defer recoverCorrupt(&err)
	return t.v.withKeys(func(k *keyring) error {
		b, _ := stateSpace(t.btx, k, space)
		if b == nil {
			return nil
		}
		em := stateMAC(k, space, key, false)
		return b.Delete(em[:])
	})
}

// ForEachState calls fn with every key and value in space, in no particular
// order (entries are stored under HMACs). fn may put and delete entries of
// the space: the walk is over the entries as they were when it began. An
// error from fn stops the walk and is returned.
func (t *Tx) ForEachState(space string, fn func(key, value []byte) error) (err error) {
	if t.done {
		return errTxDone
	}
	defer recoverCorrupt(&err)
	return t.v.withKeys(func(k *keyring) error {
		return eachState(k, t.btx, space, fn)
	})
}

// ReadTx is a read-only transaction over the state area, handed to the
// function given to [Vault.View]. It sees one consistent snapshot.
type ReadTx struct {
	v    *Vault
	btx  *bbolt.Tx
	done bool
}

// View runs fn in one read transaction: a consistent snapshot of the vault.
// Like [Vault.Update], fn must not call other Vault methods, and tx is valid
// only until fn returns.
func (v *Vault) View(fn func(tx *ReadTx) error) (err error) {
	if err := v.withKeys(func(*keyring) error { return nil }); err != nil {
		return err
	}
	defer debug.SetPanicOnFault(debug.SetPanicOnFault(true))
	return boltErr(v.withDB(func(db *bbolt.DB) error {
		return db.View(func(btx *bbolt.Tx) error {
			tx := &ReadTx{v: v, btx: btx}
			defer func() { tx.done = true }()
			return fn(tx)
		})
	}))
}

// State is [Tx.State] in a read transaction.
func (t *ReadTx) State(space string, key []byte) (value []byte, ok bool, err error) {
	if t.done {
		return nil, false, errTxDone
	}
	defer recoverCorrupt(&err)
	err = t.v.withKeys(func(k *keyring) error {
		value, ok, err = readState(k, t.btx, space, key)
		return err
	})
	return value, ok, err
}

// ForEachState is [Tx.ForEachState] in a read transaction.
func (t *ReadTx) ForEachState(space string, fn func(key, value []byte) error) (err error) {
	if t.done {
		return errTxDone
	}
	defer recoverCorrupt(&err)
	return t.v.withKeys(func(k *keyring) error {
		return eachState(k, t.btx, space, fn)
	})
}
