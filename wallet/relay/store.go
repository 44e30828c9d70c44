package relay

import (
	"bytes"
	"encoding/base64"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"time"

	"github.com/ethereum/go-ethereum/common"
	bolt "go.etcd.io/bbolt"
	bolterrors "go.etcd.io/bbolt/errors"
)

// Buckets of relay.db; see the package documentation's Storage section.
var (
	bucketShares   = []byte("shares")   // id(32) → shareRecord JSON
	bucketFiles    = []byte("files")    // id(32) ‖ index(u32 BE) → JWE bytes
	bucketPatients = []byte("patients") // address(20) ‖ id(32) → empty; the patient's and, if another, the uploader's
	bucketUsage    = []byte("usage")    // uploader address(20) → shares(u32 BE) ‖ bytes(u64 BE) of its unshredded shares
	bucketLogs     = []byte("logs")     // id(32) ‖ seq(u64 BE) → sealed AccessEntry
	bucketNonces   = []byte("nonces")   // address(20) ‖ nonce → expiry (u64 BE Unix seconds)
	bucketMeta     = []byte("meta")     // "format" → version; "bytes" → bytes of all unshredded files (u64 BE)
	bucketBlobs    = []byte("blobs")    // blob id(18) → blobRecord JSON (sealed with a store key): sealed invitations
)

const (
	dbFileName  = "relay.db"
	storeFormat = "healthwallet-relay/1"
	idSize      = 32 // bytes of randomness in a share id (256 bits, as the SHL spec asks)
)

// State is where a share is in its life.
type State string

// States of a share. Everything but StateActive answers 404.
const (
	StateActive     State = "active"
	StatePending    State = "pending"     // uploaded before its grant was seen on chain: never served; purged if the grant does not appear
	StateExpired    State = "expired"     // past its expiry
	StateRevoked    State = "revoked"     // revoked by the patient at the relay
	StateGrantEnded State = "grant-ended" // the chain said the grant is revoked or expired
	StateLocked     State = "locked"      // the passcode's failure limit was reached
	// StateDelegationEnded: a care copy whose delegation the chain reports
	// revoked, or expired by the chain's expiry and the relay's clock.
	StateDelegationEnded State = "delegation-ended"
)

// passcodeHash is an Argon2id hash of a share's passcode with its parameters.
type passcodeHash struct {
	Salt    []byte `json:"salt"`
	Hash    []byte `json:"hash"`
	Time    uint32 `json:"t"`
	MemKiB  uint32 `json:"m"`
	Threads uint8  `json:"p"`
}

// fileMeta describes a stored file without its ciphertext.
type fileMeta struct {
	ContentType string `json:"contentType"`
	Size        int    `json:"size"`
}

// shareRecord is a share's metadata as stored.
type shareRecord struct {
	ID          string         `json:"id"`
	Patient     common.Address `json:"patient"`
	Uploader    common.Address `json:"uploader,omitempty"` // who signed the upload, when not the patient (a delegate)
	Delegate    common.Address `json:"delegate,omitempty"` // a care copy's delegate: served while the delegation is active
	GrantDigest common.Hash    `json:"grantDigest"`
	SharingKey  []byte         `json:"sharingKey"`
	Flag        string         `json:"flag"`
	Created     int64          `json:"created"`
	Expires     int64          `json:"expires"`
	Passcode    *passcodeHash  `json:"passcode,omitempty"`
	MaxFailures int            `json:"maxFailures"`
	Failures    int            `json:"failures"`
	State       State          `json:"state"` // StatePending or StateActive until something ends it; expiry is computed
	// PendingUntil is when a pending share is purged if its grant has not
	// appeared on chain (Unix seconds).
	PendingUntil int64      `json:"pendingUntil,omitempty"`
	Ended        int64      `json:"ended,omitempty"`
	Shredded     bool       `json:"shredded"`
	Files        []fileMeta `json:"files"`
	LogCount     int        `json:"logCount"`
	LogDropped   int        `json:"logDropped,omitempty"` // entries not kept past Limits.MaxLogEntries
	Opened       int        `json:"opened,omitempty"`     // manifests (or U-flag files) served
	// EmergencyKey is the grant's access key of an emergency share (its
	// openings are recorded on chain: breakglass.go); nil for any other.
	EmergencyKey []byte `json:"emergencyKey,omitempty"`
}

// state is the share's state at time now.
func (r *shareRecord) state(now time.Time) State {
	if !r.live() {
		return r.State
	}
	if now.Unix() >= r.Expires {
		return StateExpired
	}
	return r.State
}

// live reports whether nothing has ended the share yet (it may have expired).
func (r *shareRecord) live() bool { return r.State == StateActive || r.State == StatePending }

// uploader is who signed the share's upload.
func (r *shareRecord) uploader() common.Address {
	if r.Uploader != (common.Address{}) {
		return r.Uploader
	}
	return r.Patient
}

// size is the bytes of the share's files as stored.
func (r *shareRecord) size() uint64 {
	var n uint64
	for _, f := range r.Files {
		n += uint64(f.Size)
	}
	return n
}

// indexKeys are the share's keys in the patients bucket: under the patient,
// and under the uploader when that is someone else.
func (s *store) indexKeys(r *shareRecord, key []byte) [][]byte {
	keys := [][]byte{append(s.addrKey(r.Patient), key...)}
	if up := r.uploader(); up != r.Patient {
		keys = append(keys, append(s.addrKey(up), key...))
	}
	return keys
}

func (r *shareRecord) has(flag string) bool { return bytes.Contains([]byte(r.Flag), []byte(flag)) }

var errNoShare = errors.New("no such share")

// ErrStoreInUse: another process holds the store open (a relay, or a
// wallet serving its direct shares, runs on this data directory).
var ErrStoreInUse = errors.New("relay: the store is in use by another process")

// ErrStoreKeyMismatch: the store was made with a store key and opened
// without, or the other way round.
var ErrStoreKeyMismatch = errors.New("relay: the store's records are sealed differently than this relay is configured (Config.StoreKey)")

// store is the relay's bbolt file.
type store struct {
	db   *bolt.DB
	seal *recordSeal // nil: records and addresses in clear
}

// openStore opens (creating) dir/relay.db. bbolt's fsync stays on. With a
// sealKey (Config.StoreKey), records are sealed and addresses in keys are
// keyed hashes: see recordSeal.
func openStore(dir string, sealKey []byte) (*store, error) {
	if dir == "" {
		return nil, errors.New("relay: no data directory: give one (hw relay --data DIR)")
	}
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return nil, fmt.Errorf("relay: creating the data directory: %w", err)
	}
	st := &store{}
	if sealKey != nil {
		var err error
		if st.seal, err = newRecordSeal(sealKey); err != nil {
			return nil, err
		}
	}
	path := filepath.Join(dir, dbFileName)
	db, err := bolt.Open(path, 0o600, &bolt.Options{Timeout: time.Second})
	if errors.Is(err, bolterrors.ErrTimeout) {
		return nil, fmt.Errorf("%w: %s (is another relay running on this data directory?)", ErrStoreInUse, path)
	}
	if err != nil {
		return nil, fmt.Errorf("relay: opening %s: %w", path, err)
	}
	err = db.Update(func(tx *bolt.Tx) error {
		countUsage := tx.Bucket(bucketUsage) == nil // a store from before quotas
		for _, b := range [][]byte{bucketShares, bucketFiles, bucketPatients, bucketLogs, bucketNonces, bucketMeta, bucketUsage, bucketBlobs} {
			if _, err := tx.CreateBucketIfNotExists(b); err != nil {
				return err
			}
		}
		if countUsage {
			if err := st.recountUsage(tx); err != nil {
				return err
			}
		}
		meta := tx.Bucket(bucketMeta)
		switch v := meta.Get([]byte("format")); {
		case v == nil:
			if err := meta.Put([]byte("format"), []byte(storeFormat)); err != nil {
				return err
			}
		case string(v) != storeFormat:
			return fmt.Errorf("%s has format %q, this relay reads %q: use a newer hw or another data directory", path, v, storeFormat)
		}
		sealed := []byte("clear")
		if st.seal != nil {
			sealed = []byte("sealed")
		}
		switch v := meta.Get([]byte("records")); {
		case bytes.Equal(v, sealed):
			return nil
		case v == nil && (st.seal == nil || tx.Bucket(bucketShares).Stats().KeyN == 0):
			// Unmarked: a store from before the mark holds clear records,
			// or none yet. Marked now, so that no later open counts them.
			return meta.Put([]byte("records"), sealed)
		}
		return fmt.Errorf("%w: %s", ErrStoreKeyMismatch, path)
	})
	if err != nil {
		db.Close()
		return nil, fmt.Errorf("relay: preparing %s: %w", path, err)
	}
	st.db = db
	return st, nil
}

func (s *store) close() error { return s.db.Close() }

// idKey decodes a share id (base64url of 32 bytes) to its key; false for
// anything else, which then is simply not found.
func idKey(id string) ([]byte, bool) {
	if len(id) != base64.RawURLEncoding.EncodedLen(idSize) {
		return nil, false
	}
	k, err := base64.RawURLEncoding.DecodeString(id)
	if err != nil || len(k) != idSize || base64.RawURLEncoding.EncodeToString(k) != id {
		return nil, false
	}
	return k, true
}

func (s *store) getRecord(tx *bolt.Tx, key []byte) (*shareRecord, error) {
	v := tx.Bucket(bucketShares).Get(key)
	if v == nil {
		return nil, errNoShare
	}
	return s.decodeRecord(key, v)
}

// decodeRecord reads a stored record, opening its seal if the store seals.
func (s *store) decodeRecord(key, v []byte) (*shareRecord, error) {
	v, err := s.seal.open(key, v)
	if err != nil {
		return nil, err
	}
	var r shareRecord
	if err := json.Unmarshal(v, &r); err != nil {
		return nil, fmt.Errorf("relay: a share record is damaged: %w", err)
	}
	return &r, nil
}

func (s *store) putRecord(tx *bolt.Tx, key []byte, r *shareRecord) error {
	v, err := json.Marshal(r)
	if err != nil {
		return fmt.Errorf("relay: encoding a share record: %w", err)
	}
	if v, err = s.seal.seal(key, v); err != nil {
		return err
	}
	return tx.Bucket(bucketShares).Put(key, v)
}

// create stores a new share and its files in one transaction, within the
// quotas: the uploader's shares and bytes, and the relay's total bytes. Over
// a quota it stores nothing and returns a *QuotaError.
func (s *store) create(r *shareRecord, files []File, q quotas) error {
	key, ok := idKey(r.ID)
	if !ok {
		return fmt.Errorf("relay: internal: bad share id")
	}
	return s.db.Update(func(tx *bolt.Tx) error {
		if tx.Bucket(bucketShares).Get(key) != nil {
			return fmt.Errorf("relay: internal: share id collision")
		}
		if err := q.admit(tx, s.addrKey(r.uploader()), r.size()); err != nil {
			return err
		}
		if err := addUsage(tx, s.addrKey(r.uploader()), 1, int64(r.size())); err != nil {
			return err
		}
		if err := s.putRecord(tx, key, r); err != nil {
			return err
		}
		fb := tx.Bucket(bucketFiles)
		for i, f := range files {
			if err := fb.Put(filesKey(key, i), []byte(f.JWE)); err != nil {
				return err
			}
		}
		for _, k := range s.indexKeys(r, key) {
			if err := tx.Bucket(bucketPatients).Put(k, nil); err != nil {
				return err
			}
		}
		return nil
	})
}

func filesKey(id []byte, i int) []byte {
	k := make([]byte, 0, len(id)+4)
	k = append(k, id...)
	return binary.BigEndian.AppendUint32(k, uint32(i))
}

// share reads a share's metadata.
func (s *store) share(id string) (*shareRecord, error) {
	key, ok := idKey(id)
	if !ok {
		return nil, errNoShare
	}
	var r *shareRecord
	err := s.db.View(func(tx *bolt.Tx) error {
		var err error
		r, err = s.getRecord(tx, key)
		return err
	})
	return r, err
}

// update changes a share's metadata in one write transaction: fn sees the
// current record and changes it; an error from fn aborts the change.
func (s *store) update(id string, fn func(r *shareRecord) error) error {
	key, ok := idKey(id)
	if !ok {
		return errNoShare
	}
	return s.db.Update(func(tx *bolt.Tx) error {
		r, err := s.getRecord(tx, key)
		if err != nil {
			return err
		}
		if err := fn(r); err != nil {
			return err
		}
		return s.putRecord(tx, key, r)
	})
}

// file reads file i of an unshredded share.
func (s *store) file(id string, i int) ([]byte, error) {
	key, ok := idKey(id)
	if !ok {
		return nil, errNoShare
	}
	var out []byte
	err := s.db.View(func(tx *bolt.Tx) error {
		v := tx.Bucket(bucketFiles).Get(filesKey(key, i))
		if v == nil {
			return errNoShare
		}
		out = bytes.Clone(v)
		return nil
	})
	return out, err
}

// activate makes a pending share active: its grant appeared on chain.
func (s *store) activate(id string) error {
	return s.update(id, func(r *shareRecord) error {
		if r.State == StatePending {
			r.State, r.PendingUntil = StateActive, 0
		}
		return nil
	})
}

// end marks a share ended with state st (unless it already ended) and
// deletes its files (shred).
func (s *store) end(id string, st State, now time.Time) error {
	err := s.update(id, func(r *shareRecord) error {
		if r.live() {
			r.State = st
			r.Ended = now.Unix()
		}
		return nil
	})
	if err != nil {
		return err
	}
	return s.shred(id)
}

// shred deletes a share's files and marks the share shredded, in one
// transaction. The bytes are not erased: bbolt is copy-on-write, so the
// deleted JWEs stay in freed pages until those are reused (overwriting them
// with zeros first would only write the zeros to other pages). That is
// acceptable because they are ciphertext whose key, in the link, the relay
// never had; see the package documentation's Storage section.
func (s *store) shred(id string) error {
	key, ok := idKey(id)
	if !ok {
		return errNoShare
	}
	err := s.db.Update(func(tx *bolt.Tx) error {
		b := tx.Bucket(bucketFiles)
		var keys [][]byte
		c := b.Cursor()
		for k, _ := c.Seek(key); k != nil && bytes.HasPrefix(k, key); k, _ = c.Next() {
			keys = append(keys, bytes.Clone(k))
		}
		for _, k := range keys {
			if err := b.Delete(k); err != nil {
				return err
			}
		}
		r, err := s.getRecord(tx, key)
		if err != nil {
			return err
		}
		if !r.Shredded {
			if err := addUsage(tx, s.addrKey(r.uploader()), -1, -int64(r.size())); err != nil {
				return err
			}
		}
		r.Shredded = true
		return s.putRecord(tx, key, r)
	})
	if err != nil {
		return fmt.Errorf("relay: deleting a share's files: %w", err)
	}
	return nil
}

// appendLog adds a sealed entry to a share's access log, in a batched write
// transaction (concurrent accesses share one fsync). Past maxEntries the
// entry is counted as dropped instead of kept. opened counts the access as
// one more time the share was opened (a manifest or U-flag file served).
func (s *store) appendLog(id string, sealed []byte, maxEntries int, opened bool) error {
	key, ok := idKey(id)
	if !ok {
		return errNoShare
	}
	return s.db.Batch(func(tx *bolt.Tx) error {
		return s.appendLogTx(tx, key, sealed, maxEntries, opened)
	})
}

func (s *store) appendLogTx(tx *bolt.Tx, key, sealed []byte, maxEntries int, opened bool) error {
	r, err := s.getRecord(tx, key)
	if err != nil {
		return err
	}
	if opened {
		r.Opened++
	}
	if r.LogCount >= maxEntries {
		r.LogDropped++
		return s.putRecord(tx, key, r)
	}
	lb := tx.Bucket(bucketLogs)
	seq, err := lb.NextSequence()
	if err != nil {
		return err
	}
	if err := lb.Put(binary.BigEndian.AppendUint64(bytes.Clone(key), seq), sealed); err != nil {
		return err
	}
	r.LogCount++
	return s.putRecord(tx, key, r)
}

// logs returns a share's sealed access log, oldest first.
func (s *store) logs(id string) ([][]byte, error) {
	key, ok := idKey(id)
	if !ok {
		return nil, errNoShare
	}
	var out [][]byte
	err := s.db.View(func(tx *bolt.Tx) error {
		c := tx.Bucket(bucketLogs).Cursor()
		for k, v := c.Seek(key); k != nil && bytes.HasPrefix(k, key); k, v = c.Next() {
			out = append(out, bytes.Clone(v))
		}
		return nil
	})
	return out, err
}

// byPatient returns the records of a patient's shares.
func (s *store) byPatient(addr common.Address) ([]*shareRecord, error) {
	prefix := s.addrKey(addr)
	var out []*shareRecord
	err := s.db.View(func(tx *bolt.Tx) error {
		c := tx.Bucket(bucketPatients).Cursor()
		for k, _ := c.Seek(prefix); k != nil && bytes.HasPrefix(k, prefix); k, _ = c.Next() {
			r, err := s.getRecord(tx, k[len(prefix):])
			if errors.Is(err, errNoShare) {
				continue
			}
			if err != nil {
				return err
			}
			out = append(out, r)
		}
		return nil
	})
	return out, err
}

// useNonce records that addr used nonce, kept until expiry; false when it
// was used before (a replay).
func (s *store) useNonce(addr common.Address, nonce []byte, expiry time.Time) (bool, error) {
	k := append(s.addrKey(addr), nonce...)
	fresh := false
	err := s.db.Update(func(tx *bolt.Tx) error {
		b := tx.Bucket(bucketNonces)
		if b.Get(k) != nil {
			return nil
		}
		fresh = true
		return b.Put(k, binary.BigEndian.AppendUint64(nil, uint64(expiry.Unix())))
	})
	return fresh, err
}

// pendingPast returns the pending, unexpired shares whose grace ended by now.
func (s *store) pendingPast(now time.Time) ([]*shareRecord, error) {
	var out []*shareRecord
	err := s.db.View(func(tx *bolt.Tx) error {
		return tx.Bucket(bucketShares).ForEach(func(k, v []byte) error {
			r, err := s.decodeRecord(k, v)
			if err != nil {
				return nil
			}
			if r.state(now) == StatePending && now.Unix() >= r.PendingUntil {
				out = append(out, r)
			}
			return nil
		})
	})
	return out, err
}

// purgeReport says what a purge did.
type purgeReport struct {
	Shredded int // shares whose files were shredded
	Deleted  int // shares removed with their logs, past retention
	Nonces   int // nonces forgotten
}

// purge shreds the files of every share no longer active at now, deletes
// shares (record, log, index) whose expiry is more than retention ago, and
// forgets expired nonces.
func (s *store) purge(now time.Time, retention time.Duration) (purgeReport, error) {
	var rep purgeReport
	var toShred, toDelete []string
	err := s.db.View(func(tx *bolt.Tx) error {
		return tx.Bucket(bucketShares).ForEach(func(k, v []byte) error {
			r, err := s.decodeRecord(k, v)
			if err != nil {
				return nil // a damaged record is left for an operator; it is never served
			}
			if st := r.state(now); st == StateActive || st == StatePending {
				return nil // pending shares are the server's to settle, with the chain
			}
			if !r.Shredded {
				toShred = append(toShred, r.ID)
			}
			if now.Sub(time.Unix(r.Expires, 0)) > retention {
				toDelete = append(toDelete, r.ID)
			}
			return nil
		})
	})
	if err != nil {
		return rep, err
	}
	for _, id := range toShred {
		err := s.update(id, func(r *shareRecord) error {
			if r.live() {
				r.State = StateExpired
				r.Ended = r.Expires
			}
			return nil
		})
		if err == nil {
			err = s.shred(id)
		}
		if err != nil {
			return rep, err
		}
		rep.Shredded++
	}
	for _, id := range toDelete {
		if err := s.delete(id); err != nil {
			return rep, err
		}
		rep.Deleted++
	}
	err = s.db.Update(func(tx *bolt.Tx) error {
		b := tx.Bucket(bucketNonces)
		var old [][]byte
		err := b.ForEach(func(k, v []byte) error {
			if len(v) == 8 && int64(binary.BigEndian.Uint64(v)) < now.Unix() {
				old = append(old, bytes.Clone(k))
			}
			return nil
		})
		if err != nil {
			return err
		}
		for _, k := range old {
			if err := b.Delete(k); err != nil {
				return err
			}
		}
		rep.Nonces = len(old)
		return nil
	})
	return rep, err
}

// delete removes a (shredded) share entirely: record, log and index entry.
func (s *store) delete(id string) error {
	if err := s.shred(id); err != nil && !errors.Is(err, errNoShare) {
		return err
	}
	key, ok := idKey(id)
	if !ok {
		return errNoShare
	}
	return s.db.Update(func(tx *bolt.Tx) error {
		r, err := s.getRecord(tx, key)
		if err != nil {
			return err
		}
		lb := tx.Bucket(bucketLogs)
		var keys [][]byte
		c := lb.Cursor()
		for k, _ := c.Seek(key); k != nil && bytes.HasPrefix(k, key); k, _ = c.Next() {
			keys = append(keys, bytes.Clone(k))
		}
		for _, k := range keys {
			if err := lb.Delete(k); err != nil {
				return err
			}
		}
		for _, k := range s.indexKeys(r, key) {
			if err := tx.Bucket(bucketPatients).Delete(k); err != nil {
				return err
			}
		}
		return tx.Bucket(bucketShares).Delete(key)
	})
}
