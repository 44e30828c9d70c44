package vault

import (
	"bytes"
	"crypto/rand"
	"encoding/binary"
	"fmt"
	"os"
	"path/filepath"
	"sync"

	"go.etcd.io/bbolt"
)

// A password change replaces the vault key, not only its wrapping: after it,
// nothing in the current file opens with the old password or the old vault
// key. Every wrapped or sealed value (data keys, attachment keys, secrets,
// state, and under fresh data and file keys the records and attachments) is
// opened with the old keys and sealed again with the new ones into a fresh
// file, which then replaces the vault file in one rename. The fresh
// file holds no free pages, so no old ciphertext of a key lingers in it.
//
// What stays: the names key (record ids and the HMAC names of secrets and
// state), so that ids stay stable. Every record gets a new data key and every
// attachment a new file key, so its metas, bodies and chunks are sealed anew
// too. Copies made before the change (backups, old copies of the
// file) are what they were: they still open with the password that made
// them, and the old password opens nothing in the current file.

// rekeyTxBytes is how much goes into one transaction of the fresh file, so
// that a large vault never sits whole in memory.
const rekeyTxBytes = 1 << 20

// ChangePassword checks old and recoveryKey (the vault's own, derived from
// the recovery phrase), then replaces the vault key with a fresh random one:
// it wraps it under new (Argon2id with p and a fresh salt) and under the
// recovery key, re-wraps every key and secret under it, and writes all of it
// into a fresh compacted file that replaces the old one atomically. A crash
// leaves the old vault or the new one, whole. progress, if not nil, is told
// the bytes copied so far and the total. The lock state is unchanged.
//
// It returns ErrWrongPassword or ErrWrongRecoveryKey having changed nothing.
func (v *Vault) ChangePassword(old, new, recoveryKey []byte, p Params, progress func(done, total int64)) error {
	if len(new) == 0 {
		return ErrEmptyPassword
	}
	if err := p.validate(); err != nil {
		return err
	}
	v.hdrMu.Lock()
	defer v.hdrMu.Unlock()
	h, err := v.header()
	if err != nil {
		return err
	}
	oldVK, err := h.openWithPassword(old)
	if err != nil {
		return err
	}
	defer clear(oldVK)
	rk := recoveryWrapKey(recoveryKey)
	defer clear(rk)
	if rvk, err := open(rk, h.recoveryAD(), h.recoveryWrap[:]); err != nil || !bytes.Equal(rvk, oldVK) {
		return ErrWrongRecoveryKey
	}
	oldKeys, err := h.keyringFor(oldVK)
	if err != nil {
		return err
	}
	defer oldKeys.zero()

	newVK := randomKey()
	defer clear(newVK)
	nh := header{params: p, hasNames: true}
	rand.Read(nh.salt[:])
	kek := passwordKey(new, nh.salt[:], p)
	defer clear(kek)
	copy(nh.passwordWrap[:], seal(kek, nh.passwordAD(), newVK))
	copy(nh.recoveryWrap[:], seal(rk, nh.recoveryAD(), newVK))
	nwk := namesWrapKey(newVK)
	defer clear(nwk)
	copy(nh.namesWrap[:], seal(nwk, adNames, oldKeys.names))
	newKeys := newKeyring(newVK, oldKeys.names)
	// Zeroed on the way out, unless the vault took it (see the end), in
	// which case this zeroes the keys it replaced.
	defer func() { newKeys.zero() }()

	if err := v.gate.exclusive(); err != nil {
		return err // Close came while the keys were derived
	}
	defer v.gate.release()

	tmp := tempName(v.path, "rekeying")
	defer os.Remove(tmp)
	if err := v.rekeyInto(tmp, nh, oldKeys, newKeys, progress); err != nil {
		return fmt.Errorf("vault: changing the password (nothing was changed): %w", err)
	}
	// The rename is the one moment the change takes effect. The old file is
	// closed first: some systems (Windows) do not replace a mapped file.
	v.db.Close()
	renameErr := os.Rename(tmp, v.path)
	if renameErr == nil {
		syncDir(filepath.Dir(v.path))
	}
	db, err := openDB(v.path, false)
	switch {
	case err != nil:
		v.Lock()
		if renameErr != nil {
			return fmt.Errorf("vault: changing the password failed (%v), and reopening the vault failed: close the app and open it again with the old password: %w", renameErr, err)
		}
		return fmt.Errorf("vault: the password was changed, but reopening the vault failed: close the app and open it again with the new password: %w", err)
	case renameErr != nil:
		v.db = db
		return fmt.Errorf("vault: changing the password (nothing was changed): %w", renameErr)
	}
	v.db = db
	v.mu.Lock()
	v.hdr = nh
	for r := range v.readers { // they hold file keys that are gone
		r.wipe()
		delete(v.readers, r)
	}
	if v.keys != nil {
		v.keys, newKeys = newKeys, v.keys
	}
	v.mu.Unlock()
	return nil
}

// rekeyInto writes the whole vault into a new file at path, under header nh,
// with every value sealed under oldKeys opened and sealed again under
// newKeys, in transactions of about rekeyTxBytes. Call with the gate held.
func (v *Vault) rekeyInto(path string, nh header, oldKeys, newKeys *keyring, progress func(done, total int64)) (err error) {
	dst, err := openDB(path, true)
	if err != nil {
		return err
	}
	defer func() {
		if cerr := dst.Close(); err == nil {
			err = cerr
		}
	}()
	src, err := v.db.Begin(false)
	if err != nil {
		return boltErr(err)
	}
	defer src.Rollback()
	defer recoverCorrupt(&err)

	r, err := newRekeyer(src, nh, oldKeys, newKeys)
	if err != nil {
		return err
	}
	defer r.zero()
	total := src.Size()
	var done, pending int64
	tx, err := dst.Begin(true)
	if err != nil {
		return err
	}
	defer func() { tx.Rollback() }()
	// put writes k=v (or creates bucket k when v is nil) under the bucket
	// path in the fresh file, committing when the transaction is full.
	put := func(path [][]byte, k, val []byte) error {
		n := int64(len(k) + len(val))
		if pending+n > rekeyTxBytes {
			if err := tx.Commit(); err != nil {
				return err
			}
			if tx, err = dst.Begin(true); err != nil {
				return err
			}
			pending = 0
			if progress != nil {
				progress(done, total)
			}
		}
		pending += n
		done += n
		var b *bbolt.Bucket
		for i, name := range path {
			if i == 0 {
				b = tx.Bucket(name)
			} else {
				b = b.Bucket(name)
			}
		}
		switch {
		case b == nil && val == nil:
			_, err := tx.CreateBucket(k)
			return err
		case val == nil:
			_, err := b.CreateBucket(k)
			return err
		}
		b.FillPercent = 1.0 // written in key order: fill each page
		return b.Put(k, val)
	}
	err = src.ForEach(func(name []byte, b *bbolt.Bucket) error {
		if err := put(nil, name, nil); err != nil {
			return err
		}
		return copyBucket(b, [][]byte{name}, func(path [][]byte, k, val []byte) error {
			if val != nil {
				var err error
				if val, err = r.value(path, k, val); err != nil {
					return err
				}
			}
			return put(path, k, val)
		})
	})
	if err != nil {
		return err
	}
	if err := tx.Commit(); err != nil {
		return err
	}
	if progress != nil {
		progress(total, total)
	}
	return nil
}

// copyBucket calls fn for every key of b, depth first: with a nil value for
// a nested bucket, before the keys inside it.
func copyBucket(b *bbolt.Bucket, path [][]byte, fn func(path [][]byte, k, v []byte) error) error {
	return b.ForEach(func(k, val []byte) error {
		if err := fn(path, k, val); err != nil {
			return err
		}
		if val != nil {
			return nil
		}
		return copyBucket(b.Bucket(k), append(path[:len(path):len(path)], k), fn)
	})
}

// rekeyer turns each value of the old file into what the fresh file holds.
// Every record gets a new data key and every attachment a new file key, so
// that not even someone who kept the old data keys (an old copy of the file
// and the old password) opens a record of the current file.
type rekeyer struct {
	nh       header
	old, new *keyring
	dataKeys map[ID][2][]byte // old, new
	attach   map[AttachmentID]rekeyedAttachment
}

// rekeyedAttachment is what re-sealing one attachment's chunks takes.
type rekeyedAttachment struct {
	old, new  *chunkSealer
	newInfo   []byte // the new file key, prefix, count, size
	lastChunk uint64
}

// newRekeyer opens every data key and attachment key of the file in src
// with the old keys and draws new ones.
func newRekeyer(src *bbolt.Tx, nh header, old, new *keyring) (*rekeyer, error) {
	r := &rekeyer{nh: nh, old: old, new: new, dataKeys: map[ID][2][]byte{}, attach: map[AttachmentID]rekeyedAttachment{}}
	if records := src.Bucket(bucketRecords); records != nil {
		err := records.ForEachBucket(func(k []byte) error {
			if len(k) != len(ID{}) || records.Bucket(k).Get(keyDataKey) == nil {
				return nil // a shredded record: nothing of it opens
			}
			id := ID(k)
			dk, err := openDataKey(old, records.Bucket(k), id)
			if err != nil {
				return fmt.Errorf("%w: record %s: %v", ErrCorrupt, id, err)
			}
			r.dataKeys[id] = [2][]byte{dk, randomKey()}
			return nil
		})
		if err != nil {
			return nil, err
		}
	}
	if att := src.Bucket(bucketAttachments); att != nil {
		err := att.ForEachBucket(func(k []byte) error {
			box := att.Bucket(k).Get(keyAttachmentInfo)
			if len(k) != len(AttachmentID{}) || box == nil {
				return nil // incomplete: Open drops it
			}
			id := AttachmentID(k)
			info, err := open(old.attachWrap, adAttachment(id), box)
			if err != nil || len(info) != attachmentInfoSize {
				return fmt.Errorf("%w: attachment %s key %v", ErrCorrupt, id, errAuth)
			}
			defer clear(info)
			count := binary.BigEndian.Uint64(info[keySize+streamPrefixSize:])
			if count == 0 || count > maxChunks {
				return fmt.Errorf("%w: attachment %s: bad chunk count", ErrCorrupt, id)
			}
			oldS, err := newChunkSealer(info[:keySize], info[keySize:keySize+streamPrefixSize])
			if err != nil {
				return err
			}
			ni := make([]byte, attachmentInfoSize)
			rand.Read(ni[:keySize+streamPrefixSize])
			copy(ni[keySize+streamPrefixSize:], info[keySize+streamPrefixSize:])
			newS, err := newChunkSealer(ni[:keySize], ni[keySize:keySize+streamPrefixSize])
			if err != nil {
				return err
			}
			r.attach[id] = rekeyedAttachment{old: oldS, new: newS, newInfo: ni, lastChunk: count - 1}
			return nil
		})
		if err != nil {
			return nil, err
		}
	}
	return r, nil
}

func (r *rekeyer) zero() {
	for _, k := range r.dataKeys {
		clear(k[0])
		clear(k[1])
	}
	for _, a := range r.attach {
		clear(a.newInfo)
	}
}

// value is what the fresh file holds for the value val at key k in the
// bucket path: the new header, or the value opened with the old keys and
// sealed again with the new ones. A value that nothing opens (a shredded
// record's tombstone, the chunks of an incomplete attachment) is copied as
// it is. A bucket this code does not know is refused rather than copied.
func (r *rekeyer) value(path [][]byte, k, val []byte) ([]byte, error) {
	reseal := func(oldKey, newKey, ad []byte) ([]byte, error) {
		pt, err := open(oldKey, ad, val)
		if err != nil {
			return nil, fmt.Errorf("%w: a value in %q does not open under the vault key", ErrCorrupt, path[0])
		}
		defer clear(pt)
		return seal(newKey, ad, pt), nil
	}
	top := string(path[0])
	switch {
	case top == string(bucketHeader) && len(path) == 1 && bytes.Equal(k, keyHeader):
		return r.nh.marshal(), nil
	case top == string(bucketRecords) && len(path) == 2 && len(path[1]) == len(ID{}):
		dk, ok := r.dataKeys[ID(path[1])]
		switch {
		case !ok:
			return val, nil
		case bytes.Equal(k, keyDataKey):
			return seal(r.new.dataWrap, adDataKey(ID(path[1])), dk[1]), nil
		case len(k) == 5 && k[4] == kindMeta:
			return reseal(dk[0], dk[1], adVersion("meta", ID(path[1]), binary.BigEndian.Uint32(k)))
		}
		return val, nil // the tombstone
	case top == string(bucketBodies) && len(path) == 1 && len(k) == len(ID{})+4:
		id := ID(k[:len(ID{})])
		dk, ok := r.dataKeys[id]
		if !ok {
			return nil, fmt.Errorf("%w: a body of record %s, which has no data key", ErrCorrupt, id)
		}
		return reseal(dk[0], dk[1], adVersion("body", id, binary.BigEndian.Uint32(k[len(ID{}):])))
	case top == string(bucketSecrets) && len(path) == 1:
		return reseal(r.old.secrets, r.new.secrets, ad("secret", k))
	case top == string(bucketAttachments) && len(path) == 2 && len(path[1]) == len(AttachmentID{}):
		id := AttachmentID(path[1])
		a, ok := r.attach[id]
		switch {
		case !ok:
			return val, nil // incomplete: Open drops it
		case bytes.Equal(k, keyAttachmentInfo):
			return seal(r.new.attachWrap, adAttachment(id), a.newInfo), nil
		case len(k) == 8:
			counter := binary.BigEndian.Uint64(k)
			last := counter == a.lastChunk
			pt, err := a.old.open(nil, val, counter, last)
			if err != nil {
				return nil, fmt.Errorf("%w: attachment %s: %v", ErrCorrupt, id, err)
			}
			defer clear(pt)
			return a.new.seal(nil, pt, counter, last), nil
		}
	case top == string(bucketState) && len(path) == 2 && len(path[1]) == 16 && len(k) == 16:
		return reseal(r.old.stateValues, r.new.stateValues, adState([16]byte(path[1]), [16]byte(k)))
	}
	return nil, fmt.Errorf("%w: unexpected entry %x in %q", ErrCorrupt, k, bytes.Join(path, []byte("/")))
}

// dbGate lets transactions use the bbolt handle together and lets
// ChangePassword and Close have it alone. It prefers those already waiting to
// enter (a transaction may start another inside it), so it never deadlocks
// on nesting.
type dbGate struct {
	once   sync.Once
	mu     sync.Mutex
	cond   *sync.Cond
	active int
	alone  bool // ChangePassword or Close holds it
	closed bool
}

func (g *dbGate) lock() {
	g.once.Do(func() { g.cond = sync.NewCond(&g.mu) })
	g.mu.Lock()
}

func (g *dbGate) enter() error {
	g.lock()
	defer g.mu.Unlock()
	for g.alone && !g.closed {
		g.cond.Wait()
	}
	if g.closed {
		return ErrClosed
	}
	g.active++
	return nil
}

func (g *dbGate) leave() {
	g.lock()
	defer g.mu.Unlock()
	g.active--
	g.cond.Broadcast()
}

// exclusive waits for the gate alone; a closed vault returns ErrClosed.
func (g *dbGate) exclusive() error {
	g.lock()
	defer g.mu.Unlock()
	for (g.alone || g.active > 0) && !g.closed {
		g.cond.Wait()
	}
	if g.closed {
		return ErrClosed
	}
	g.alone = true
	return nil
}

func (g *dbGate) release() {
	g.lock()
	defer g.mu.Unlock()
	g.alone = false
	g.cond.Broadcast()
}

// shut waits for every transaction to end and refuses new ones.
func (g *dbGate) shut() {
	g.lock()
	defer g.mu.Unlock()
	for g.alone || g.active > 0 {
		g.cond.Wait()
	}
	g.alone, g.closed = true, true
	g.cond.Broadcast()
}

// withDB runs fn with the bbolt handle, which ChangePassword cannot replace
// meanwhile. A closed vault returns ErrClosed.
func (v *Vault) withDB(fn func(db *bbolt.DB) error) error {
	if err := v.gate.enter(); err != nil {
		return err
	}
	defer v.gate.leave()
	return fn(v.db)
}

// removeRekeyLeftovers deletes the fresh file a ChangePassword cut short by
// a crash left beside the vault (it never replaced the vault). Call it only
// while holding the vault's file lock.
func removeRekeyLeftovers(path string) {
	dir, base := filepath.Split(path)
	left, _ := filepath.Glob(filepath.Join(dir, "."+base+".rekeying-*"))
	for _, f := range left {
		os.Remove(f) // best effort: the next Open tries again
	}
}
