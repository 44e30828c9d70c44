package vault

import (
	"bytes"
	"encoding/binary"
	"encoding/hex"
	"errors"
	"fmt"
	"math"
	"runtime/debug"
	"time"

	"go.etcd.io/bbolt"
)

// ID names a record in the vault: opaque, 16 bytes, deterministic for a
// logical key (see [Vault.RecordID]).
type ID [16]byte

// String is the lowercase hex form, 32 characters.
func (id ID) String() string { return hex.EncodeToString(id[:]) }

// IsZero reports whether id is the zero ID, which names no record.
func (id ID) IsZero() bool { return id == ID{} }

// ParseID parses the String form of an ID.
func ParseID(s string) (ID, error) {
	var id ID
	b, err := hex.DecodeString(s)
	if err != nil || len(b) != len(id) {
		return ID{}, fmt.Errorf("vault: %q is not a record id (32 hex characters)", s)
	}
	copy(id[:], b)
	return id, nil
}

// RecordID maps the caller's logical key for a record (e.g. "Patient/123")
// to its ID: HMAC-SHA256 under a key derived from the vault key, truncated to
// 16 bytes. The same key gives the same ID in the same vault; nobody without
// the vault key can tell which logical key an ID stands for. A locked vault
// returns the zero ID, which every method refuses.
func (v *Vault) RecordID(logicalKey string) ID {
	v.mu.RLock()
	defer v.mu.RUnlock()
	if v.keys == nil {
		return ID{}
	}
	return ID(mac16(v.keys.ids, logicalKey))
}

// VersionMeta is one version of a record as a list needs it: the caller's
// meta bytes and when the version was written.
type VersionMeta struct {
	ID      ID
	Version uint32 // 1, 2, …
	Created time.Time
	Meta    []byte
}

// Damage is a record that failed its integrity check: Problem says what
// failed (e.g. "version 2 meta failed authentication").
type Damage struct {
	ID      ID
	Problem string
}

func (d Damage) String() string { return d.ID.String() + ": " + d.Problem }

// Limits on one version. Bodies bigger than a record belong in attachments.
const (
	MaxMetaSize = 1 << 20
	MaxBodySize = 64 << 20
)

// Keys inside a record's bucket: the wrapped data key, the tombstone left by
// Shred (the highest version shredded), and per version a 5-byte key,
// big-endian version ‖ kind. Only metas live there: bodies are in the
// "bodies" bucket (see [bodyKey]), so that reading metas, as Scan and
// ScanLatest do, never brings a body's page into memory.
var (
	keyDataKey   = []byte("k")
	keyTombstone = []byte("t")
)

const kindMeta byte = 0

func versionKey(version uint32, kind byte) []byte {
	return append(be32(version), kind)
}

// bodyKey is where a version's sealed body lives in the "bodies" bucket:
// record id ‖ big-endian version, so a record's bodies are adjacent and in
// version order.
func bodyKey(id ID, version uint32) []byte {
	return append(id[:len(id):len(id)], be32(version)...)
}

func adDataKey(id ID) []byte { return ad("data key", id[:]) }

func adVersion(kind string, id ID, version uint32) []byte {
	return ad(kind, id[:], be32(version))
}

// lastVersion is the highest version stored in rb, 0 if none.
func lastVersion(rb *bbolt.Bucket) uint32 {
	c := rb.Cursor()
	for k, _ := c.Last(); k != nil; k, _ = c.Prev() {
		if len(k) == 5 {
			return binary.BigEndian.Uint32(k)
		}
	}
	return 0
}

// shreddedUpTo is the highest version Shred destroyed, 0 if none.
func shreddedUpTo(rb *bbolt.Bucket) uint32 {
	if t := rb.Get(keyTombstone); len(t) == 4 {
		return binary.BigEndian.Uint32(t)
	}
	return 0
}

func openDataKey(k *keyring, rb *bbolt.Bucket, id ID) ([]byte, error) {
	wrapped := rb.Get(keyDataKey)
	if wrapped == nil {
		return nil, errors.New("data key missing")
	}
	dk, err := open(k.dataWrap, adDataKey(id), wrapped)
	if err != nil || len(dk) != keySize {
		return nil, errors.New("data key " + errAuth.Error())
	}
	return dk, nil
}

func openMeta(dataKey []byte, id ID, version uint32, box []byte) (VersionMeta, error) {
	pt, err := open(dataKey, adVersion("meta", id, version), box)
	if err != nil || len(pt) < 8 {
		return VersionMeta{}, fmt.Errorf("version %d meta %w", version, errAuth)
	}
	return VersionMeta{
		ID:      id,
		Version: version,
		Created: time.Unix(0, int64(binary.BigEndian.Uint64(pt))),
		Meta:    pt[8:],
	}, nil
}

// readRecord decrypts the metas of every live version of a record, oldest
// first. It does not look at the bodies (that would read every body's page):
// a missing or altered body is reported when it is read. It never panics: a
// panic from the store walking a bad page becomes an error.
func readRecord(k *keyring, rb *bbolt.Bucket, id ID) (versions []VersionMeta, err error) {
	defer debug.SetPanicOnFault(debug.SetPanicOnFault(true))
	defer func() {
		if r := recover(); r != nil {
			versions, err = nil, fmt.Errorf("the store failed reading it: %v", r)
		}
	}()
	var dataKey []byte
	defer func() { clear(dataKey) }()
	c := rb.Cursor()
	for key, val := c.First(); key != nil; key, val = c.Next() {
		if bytes.Equal(key, keyDataKey) || bytes.Equal(key, keyTombstone) {
			continue
		}
		if len(key) != 5 || val == nil || key[4] != kindMeta || binary.BigEndian.Uint32(key) == 0 {
			return nil, fmt.Errorf("unexpected entry %x", key)
		}
		version := binary.BigEndian.Uint32(key)
		if dataKey == nil {
			if dataKey, err = openDataKey(k, rb, id); err != nil {
				return nil, err
			}
		}
		vm, err := openMeta(dataKey, id, version, val)
		if err != nil {
			return nil, err
		}
		versions = append(versions, vm)
	}
	return versions, nil
}

// readLatest decrypts the meta of the newest live version of a record, and
// reports false if it has none (shredded). It steps back from the record's
// last key to the first version key, checking what it passes (the data key,
// the tombstone) and that version's entry as readRecord would; older
// versions are not looked at. Like readRecord it never panics.
func readLatest(k *keyring, rb *bbolt.Bucket, id ID) (vm VersionMeta, live bool, err error) {
	defer debug.SetPanicOnFault(debug.SetPanicOnFault(true))
	defer func() {
		if r := recover(); r != nil {
			vm, live, err = VersionMeta{}, false, fmt.Errorf("the store failed reading it: %v", r)
		}
	}()
	c := rb.Cursor()
	key, val := c.Last()
	for ; key != nil && len(key) != 5; key, val = c.Prev() {
		if !bytes.Equal(key, keyDataKey) && !bytes.Equal(key, keyTombstone) {
			return VersionMeta{}, false, fmt.Errorf("unexpected entry %x", key)
		}
	}
	if key == nil {
		return VersionMeta{}, false, nil
	}
	if val == nil || key[4] != kindMeta || binary.BigEndian.Uint32(key) == 0 {
		return VersionMeta{}, false, fmt.Errorf("unexpected entry %x", key)
	}
	version := binary.BigEndian.Uint32(key)
	dataKey, err := openDataKey(k, rb, id)
	if err != nil {
		return VersionMeta{}, false, err
	}
	defer clear(dataKey)
	if vm, err = openMeta(dataKey, id, version, val); err != nil {
		return VersionMeta{}, false, err
	}
	return vm, true, nil
}

func readBody(k *keyring, btx *bbolt.Tx, id ID, version uint32) ([]byte, error) {
	rb := recordBucket(btx, id)
	if rb == nil {
		return nil, fmt.Errorf("record %s: %w", id, ErrNotFound)
	}
	var box []byte
	if bodies := btx.Bucket(bucketBodies); bodies != nil {
		box = bodies.Get(bodyKey(id, version))
	}
	if box == nil {
		if version > 0 && version <= shreddedUpTo(rb) {
			return nil, fmt.Errorf("record %s version %d: %w", id, version, ErrShredded)
		}
		return nil, fmt.Errorf("record %s version %d: %w", id, version, ErrNotFound)
	}
	dataKey, err := openDataKey(k, rb, id)
	if err != nil {
		return nil, fmt.Errorf("%w: record %s: %v", ErrCorrupt, id, err)
	}
	defer clear(dataKey)
	body, err := open(dataKey, adVersion("body", id, version), box)
	if err != nil {
		return nil, fmt.Errorf("%w: record %s version %d body %v", ErrCorrupt, id, version, err)
	}
	return body, nil
}

func recordBucket(btx *bbolt.Tx, id ID) *bbolt.Bucket {
	records := btx.Bucket(bucketRecords)
	if records == nil {
		return nil
	}
	return records.Bucket(id[:])
}

// Update runs fn in one write transaction: everything fn adds lands
// together, fsynced, or (if fn returns an error, panics, or the program
// dies) nothing does. fn must not call other Vault methods except RecordID,
// and tx is valid only until fn returns.
func (v *Vault) Update(fn func(tx *Tx) error) (err error) {
	if err := v.withKeys(func(*keyring) error { return nil }); err != nil {
		return err
	}
	callerPanicked := false
	defer debug.SetPanicOnFault(debug.SetPanicOnFault(true))
	defer func() {
		if r := recover(); r != nil {
			if callerPanicked {
				panic(r) // the caller's bug, not our data: let it surface
			}
			err = fmt.Errorf("%w: the store failed writing: %v", ErrCorrupt, r)
		}
	}()
	return boltErr(v.withDB(func(db *bbolt.DB) error {
		return db.Update(func(btx *bbolt.Tx) error {
			tx := &Tx{v: v, btx: btx}
			defer func() { tx.done = true }()
			return callCaller(fn, tx, &callerPanicked)
		})
	}))
}

// callCaller runs fn, noting whether it panicked (a deferred function sees
// a panic without stopping it).
func callCaller(fn func(*Tx) error, tx *Tx, panicked *bool) error {
	ok := false
	defer func() { *panicked = !ok }()
	err := fn(tx)
	ok = true
	return err
}

// Tx is a write transaction, handed to the function given to [Vault.Update].
type Tx struct {
	v    *Vault
	btx  *bbolt.Tx
	done bool
}

var errTxDone = errors.New("vault: transaction used after its Update returned")

// Latest returns the newest version's meta of the record, and false if the
// record has no readable version (never written, or shredded).
func (t *Tx) Latest(id ID) (vm VersionMeta, ok bool, err error) {
	if t.done {
		return VersionMeta{}, false, errTxDone
	}
	defer recoverCorrupt(&err)
	err = t.v.withKeys(func(k *keyring) error {
		rb := recordBucket(t.btx, id)
		if rb == nil {
			return nil
		}
		last := lastVersion(rb)
		if last == 0 {
			return nil
		}
		dataKey, err := openDataKey(k, rb, id)
		if err != nil {
			return fmt.Errorf("%w: record %s: %v", ErrCorrupt, id, err)
		}
		defer clear(dataKey)
		box := rb.Get(versionKey(last, kindMeta))
		if box == nil {
			return fmt.Errorf("%w: record %s: version %d meta missing", ErrCorrupt, id, last)
		}
		if vm, err = openMeta(dataKey, id, last, box); err != nil {
			return fmt.Errorf("%w: record %s: %v", ErrCorrupt, id, err)
		}
		ok = true
		return nil
	})
	return vm, ok, err
}

// Body returns one version's body, as [Vault.Body] does, inside the
// transaction (so it sees what the transaction added).
func (t *Tx) Body(id ID, version uint32) (body []byte, err error) {
	if t.done {
		return nil, errTxDone
	}
	defer recoverCorrupt(&err)
	err = t.v.withKeys(func(k *keyring) error {
		body, err = readBody(k, t.btx, id, version)
		return err
	})
	return body, err
}

// AddVersion stores a new version of the record (version 1 for a new
// record) and returns its number. A new record gets a fresh random data key,
// wrapped by the vault key; existing versions are never touched. A record
// that was shredded starts again with a new key, numbering on after the
// shredded versions.
func (t *Tx) AddVersion(id ID, meta, body []byte) (version uint32, err error) {
	switch {
	case t.done:
		return 0, errTxDone
	case id.IsZero():
		return 0, errors.New("vault: the zero ID names no record (was the vault locked when RecordID was called?)")
	case len(meta) > MaxMetaSize:
		return 0, fmt.Errorf("%w: meta of %d bytes (at most %d)", ErrTooLarge, len(meta), MaxMetaSize)
	case len(body) > MaxBodySize:
		return 0, fmt.Errorf("%w: body of %d bytes (at most %d)", ErrTooLarge, len(body), MaxBodySize)
	}
	defer recoverCorrupt(&err)
	err = t.v.withKeys(func(k *keyring) error {
		records := t.btx.Bucket(bucketRecords)
		if records == nil {
			return fmt.Errorf("%w: no records bucket", ErrCorrupt)
		}
		rb := records.Bucket(id[:])
		var dataKey []byte
		if rb == nil {
			if rb, err = records.CreateBucket(id[:]); err != nil {
				return fmt.Errorf("%w: record %s: %v", ErrCorrupt, id, err)
			}
		} else if rb.Get(keyDataKey) != nil {
			if dataKey, err = openDataKey(k, rb, id); err != nil {
				return fmt.Errorf("%w: record %s: %v", ErrCorrupt, id, err)
			}
		}
		if dataKey == nil {
			dataKey = randomKey()
			if err := rb.Put(keyDataKey, seal(k.dataWrap, adDataKey(id), dataKey)); err != nil {
				return err
			}
		}
		defer clear(dataKey)
		last := max(lastVersion(rb), shreddedUpTo(rb))
		if last == math.MaxUint32 {
			return fmt.Errorf("vault: record %s has no version numbers left", id)
		}
		version = last + 1
		created := binary.BigEndian.AppendUint64(make([]byte, 0, 8+len(meta)), uint64(time.Now().UnixNano()))
		if err := rb.Put(versionKey(version, kindMeta), seal(dataKey, adVersion("meta", id, version), append(created, meta...))); err != nil {
			return err
		}
		// Vaults made before bodies had their own bucket get it here.
		bodies, err := t.btx.CreateBucketIfNotExists(bucketBodies)
		if err != nil {
			return fmt.Errorf("vault: creating the bodies bucket: %w", err)
		}
		return bodies.Put(bodyKey(id, version), seal(dataKey, adVersion("body", id, version), body))
	})
	if err != nil {
		return 0, err
	}
	return version, nil
}

// Body returns the body of one version of a record. Errors wrap ErrNotFound
// (no such record or version), ErrShredded, or ErrCorrupt (the bytes failed
// authentication), and name the record.
func (v *Vault) Body(id ID, version uint32) (body []byte, err error) {
	err = v.view(func(btx *bbolt.Tx) error {
		return v.withKeys(func(k *keyring) error {
			body, err = readBody(k, btx, id, version)
			return err
		})
	})
	return body, err
}

// Versions returns the metas of every live version of a record, oldest
// first. Errors wrap ErrNotFound, ErrShredded or ErrCorrupt.
func (v *Vault) Versions(id ID) (versions []VersionMeta, err error) {
	err = v.view(func(btx *bbolt.Tx) error {
		return v.withKeys(func(k *keyring) error {
			rb := recordBucket(btx, id)
			if rb == nil {
				return fmt.Errorf("record %s: %w", id, ErrNotFound)
			}
			if versions, err = readRecord(k, rb, id); err != nil {
				return fmt.Errorf("%w: record %s: %v", ErrCorrupt, id, err)
			}
			if len(versions) == 0 {
				return fmt.Errorf("record %s: %w", id, ErrShredded)
			}
			return nil
		})
	})
	return versions, err
}

// scanBatch is how many records Scan and ScanLatest decrypt per read
// transaction; fn is called between transactions, so it may call other Vault
// methods.
const scanBatch = 256

// Scan calls fn for every record with its live versions' metas, oldest
// first, decrypting metas only. A record that fails authentication is not
// passed to fn but reported in damaged, and the scan goes on. Shredded
// records are skipped. An error from fn stops the scan and is returned.
//
// Records are read in batches, each from a consistent snapshot; a write
// between batches may or may not be seen. A caller that needs only each
// record's newest version should use [Vault.ScanLatest], which decrypts one
// meta per record.
func (v *Vault) Scan(fn func(id ID, versions []VersionMeta) error) (damaged []Damage, err error) {
	return scanRecords(v, func(k *keyring, rb *bbolt.Bucket, id ID) ([]VersionMeta, bool, error) {
		versions, err := readRecord(k, rb, id)
		return versions, len(versions) > 0, err
	}, fn)
}

// ScanLatest is [Vault.Scan] for the newest live version of each record
// only: it finds it with one cursor step from the end of the record and
// decrypts its meta and nothing else, so a record's older versions cost
// nothing. Damage is reported as Scan does, for what it reads (the data key,
// the newest version's meta, and any unexpected entry after it); a damaged
// older version shows when it is read, by [Vault.Versions] or [Vault.Body].
func (v *Vault) ScanLatest(fn func(VersionMeta) error) (damaged []Damage, err error) {
	return scanRecords(v, readLatest, func(_ ID, vm VersionMeta) error { return fn(vm) })
}

// scanRecords walks the records bucket in batches of scanBatch, each in its
// own read transaction, reading each record with read (which reports false
// for a record with nothing live, e.g. shredded) and then handing what it
// read to fn outside the transaction.
func scanRecords[T any](v *Vault, read func(k *keyring, rb *bbolt.Bucket, id ID) (T, bool, error), fn func(ID, T) error) (damaged []Damage, err error) {
	type found struct {
		id ID
		r  T
	}
	var after []byte
	for {
		var batch []found
		more := false
		err := v.view(func(btx *bbolt.Tx) error {
			return v.withKeys(func(k *keyring) error {
				records := btx.Bucket(bucketRecords)
				if records == nil {
					return fmt.Errorf("%w: no records bucket", ErrCorrupt)
				}
				c := records.Cursor()
				key, val := c.First()
				if after != nil {
					if key, val = c.Seek(after); bytes.Equal(key, after) {
						key, val = c.Next()
					}
				}
				for n := 0; key != nil; key, val = c.Next() {
					if n == scanBatch {
						more = true
						return nil
					}
					n++
					after = append(after[:0], key...)
					var id ID
					copy(id[:], key)
					rb := records.Bucket(key)
					if len(key) != len(id) || val != nil || rb == nil {
						damaged = append(damaged, Damage{ID: id, Problem: fmt.Sprintf("unexpected entry %x in the records", key)})
						continue
					}
					r, live, err := read(k, rb, id)
					switch {
					case err != nil:
						damaged = append(damaged, Damage{ID: id, Problem: err.Error()})
					case live:
						batch = append(batch, found{id, r})
					}
				}
				return nil
			})
		})
		if err != nil {
			return damaged, err
		}
		for _, r := range batch {
			if err := fn(r.id, r.r); err != nil {
				return damaged, err
			}
		}
		if !more {
			return damaged, nil
		}
	}
}

// Shred deletes a record by crypto-shredding: its data key and every
// version's ciphertexts are deleted, and later reads of those versions
// return ErrShredded. Shredding a shredded record does nothing.
func (v *Vault) Shred(id ID) error {
	err := v.update(func(btx *bbolt.Tx) error {
		if err := v.withKeys(func(*keyring) error { return nil }); err != nil {
			return err
		}
		return shredIn(btx, id)
	})
	if err != nil {
		return fmt.Errorf("vault: shredding: %w", err)
	}
	return nil
}

// Shred is [Vault.Shred] inside this transaction.
func (t *Tx) Shred(id ID) error {
	if t.done {
		return errTxDone
	}
	if err := shredIn(t.btx, id); err != nil {
		return fmt.Errorf("vault: shredding: %w", err)
	}
	return nil
}

// shredIn shreds record id in btx.
func shredIn(btx *bbolt.Tx, id ID) error {
	{
		records := btx.Bucket(bucketRecords)
		if records == nil {
			return fmt.Errorf("%w: no records bucket", ErrCorrupt)
		}
		rb := records.Bucket(id[:])
		if rb == nil {
			return fmt.Errorf("record %s: %w", id, ErrNotFound)
		}
		live := lastVersion(rb)
		if live == 0 && rb.Get(keyDataKey) == nil {
			return nil
		}
		upTo := max(live, shreddedUpTo(rb))
		if err := deleteBodies(btx, id); err != nil {
			return err
		}
		if err := records.DeleteBucket(id[:]); err != nil {
			return err
		}
		tomb, err := records.CreateBucket(id[:])
		if err != nil {
			return err
		}
		return tomb.Put(keyTombstone, be32(upTo))
	}
}

// deleteBodies deletes every body of the record from the "bodies" bucket.
func deleteBodies(btx *bbolt.Tx, id ID) error {
	bodies := btx.Bucket(bucketBodies)
	if bodies == nil {
		return nil
	}
	var keys [][]byte
	c := bodies.Cursor()
	for k, _ := c.Seek(id[:]); k != nil && bytes.HasPrefix(k, id[:]); k, _ = c.Next() {
		keys = append(keys, bytes.Clone(k))
	}
	for _, k := range keys {
		if err := bodies.Delete(k); err != nil {
			return err
		}
	}
	return nil
}
