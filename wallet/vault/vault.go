package vault

import (
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"runtime/debug"
	"sync"
	"time"

	"go.etcd.io/bbolt"
	bolterrors "go.etcd.io/bbolt/errors"
)

// Errors a caller can act on. Returned errors wrap them: test with errors.Is.
var (
	ErrExists           = errors.New("a file already exists at this path: choose another, or open it")
	ErrNotVault         = errors.New("this file is not a Health Wallet vault")
	ErrNewerFormat      = errors.New("this vault was written by a newer version of Health Wallet: update the app to open it")
	ErrInUse            = errors.New("the vault is in use by another program: close it there and try again")
	ErrWrongPassword    = errors.New("wrong password: try again, or reset it with your 24-word recovery phrase")
	ErrWrongRecoveryKey = errors.New("the recovery phrase does not match this vault")
	ErrLocked           = errors.New("the vault is locked: unlock it with your password")
	ErrClosed           = errors.New("the vault is closed")
	ErrNotFound         = errors.New("not found in the vault")
	ErrShredded         = errors.New("this record was deleted (its key was destroyed)")
	ErrCorrupt          = errors.New("the vault's data failed its integrity check: restore from a backup")
	ErrBadParams        = errors.New("Argon2id parameters out of range")
	ErrTooLarge         = errors.New("too large for a record: store it as an attachment")
	ErrEmptyPassword    = errors.New("the password is empty: choose one")
)

// Bucket names say what kind of thing is inside, never what it is about.
var (
	bucketHeader      = []byte("header")
	bucketRecords     = []byte("records")
	bucketSecrets     = []byte("secrets")
	bucketAttachments = []byte("attachments")
	bucketState       = []byte("state")
	bucketBodies      = []byte("bodies")
	keyHeader         = []byte("header")
)

// lockTimeout is how long Open waits for another program to let go of the
// file before giving up with ErrInUse.
const lockTimeout = 500 * time.Millisecond

// Vault is an open vault file. It is safe for use by several goroutines.
//
// Lock order: a bbolt transaction is always begun before mu is taken, never
// while holding it, so that Lock, a writer and readers cannot deadlock.
type Vault struct {
	db   *bbolt.DB // replaced by ChangePassword: use it through withDB
	gate dbGate
	path string

	hdrMu sync.Mutex // serialises header rewrites

	mu      sync.RWMutex
	hdr     header
	keys    *keyring // nil while locked
	closed  bool
	readers map[*attachmentReader]struct{}
}

// Create makes a new vault file at path and returns it unlocked. The
// password (through Argon2id with p) and the 32-byte recovery key each wrap
// a copy of a fresh random vault key. It returns ErrExists if anything is at
// path already. The file appears complete or not at all.
func Create(path string, password, recoveryKey []byte, p Params) (*Vault, error) {
	if err := p.validate(); err != nil {
		return nil, err
	}
	if len(password) == 0 {
		return nil, ErrEmptyPassword
	}
	if len(recoveryKey) != keySize {
		return nil, fmt.Errorf("vault: the recovery key is %d bytes, want %d", len(recoveryKey), keySize)
	}
	if _, err := os.Lstat(path); err == nil {
		return nil, fmt.Errorf("%w: %s", ErrExists, path)
	}

	vaultKey := randomKey()
	defer clear(vaultKey)
	h := header{params: p}
	rand.Read(h.salt[:])
	kek := passwordKey(password, h.salt[:], p)
	defer clear(kek)
	copy(h.passwordWrap[:], seal(kek, h.passwordAD(), vaultKey))
	rk := recoveryWrapKey(recoveryKey)
	defer clear(rk)
	copy(h.recoveryWrap[:], seal(rk, h.recoveryAD(), vaultKey))

	// Build the file under a temporary name, then publish it whole.
	tmp := tempName(path, "creating")
	defer os.Remove(tmp)
	db, err := openDB(tmp, true)
	if err != nil {
		return nil, fmt.Errorf("vault: creating %s: %w", path, err)
	}
	err = db.Update(func(tx *bbolt.Tx) error {
		for _, name := range [][]byte{bucketHeader, bucketRecords, bucketSecrets, bucketAttachments, bucketState, bucketBodies} {
			if _, err := tx.CreateBucket(name); err != nil {
				return err
			}
		}
		return tx.Bucket(bucketHeader).Put(keyHeader, h.marshal())
	})
	if cerr := db.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return nil, fmt.Errorf("vault: creating %s: %w", path, err)
	}
	if err := publish(tmp, path); err != nil {
		return nil, err
	}
	v, err := Open(path)
	if err != nil {
		return nil, err
	}
	v.setKeys(newKeyring(vaultKey, vaultKey))
	return v, nil
}

// Open opens the vault file at path, locked. It returns ErrInUse if another
// program has it open, ErrNotVault for any other kind of file and
// ErrNewerFormat for a vault this program is too old to read.
func Open(path string) (*Vault, error) {
	db, err := openDB(path, false)
	if err != nil {
		return nil, err
	}
	removeRekeyLeftovers(path)
	v := &Vault{db: db, path: path, readers: map[*attachmentReader]struct{}{}}
	err = v.view(func(tx *bbolt.Tx) error {
		hb := tx.Bucket(bucketHeader)
		if hb == nil {
			return fmt.Errorf("%w: %s has no vault header", ErrNotVault, path)
		}
		// No "state" or "bodies" here: vaults made before they existed get
		// them on their first write of a state value or a record.
		for _, name := range [][]byte{bucketRecords, bucketSecrets, bucketAttachments} {
			if tx.Bucket(name) == nil {
				return fmt.Errorf("%w: %s is missing its %q bucket", ErrCorrupt, path, name)
			}
		}
		h, err := parseHeader(hb.Get(keyHeader))
		v.hdr = h
		return err
	})
	if err == nil {
		err = v.dropIncompleteAttachments()
	}
	if err != nil {
		db.Close()
		return nil, fmt.Errorf("vault: opening %s: %w", path, err)
	}
	return v, nil
}

var errEmptyFile = errors.New("the file is empty")

// openDB opens the bbolt file. create means "make a new file, failing if one
// exists"; otherwise the file must exist and be non-empty (bbolt would
// otherwise initialise it, turning any empty file into a database).
func openDB(path string, create bool) (*bbolt.DB, error) {
	opts := &bbolt.Options{
		Timeout: lockTimeout,
		// Reserve address space up front: each time bbolt grows its map it
		// must copy every node a write transaction holds, which dominated
		// the cost of a large import. This is address space, not memory.
		InitialMmapSize: 256 << 20,
		OpenFile: func(name string, flag int, perm os.FileMode) (*os.File, error) {
			flag &^= os.O_CREATE
			if create {
				flag |= os.O_CREATE | os.O_EXCL
			}
			f, err := os.OpenFile(name, flag, perm)
			if err != nil || create {
				return f, err
			}
			if fi, err := f.Stat(); err != nil || fi.Size() == 0 {
				f.Close()
				if err == nil {
					err = errEmptyFile
				}
				return nil, err
			}
			return f, nil
		},
	}
	db, err := openBolt(path, opts)
	switch {
	case err == nil:
		// With the map reserved up front, bbolt would otherwise grow the
		// file in 16 MiB steps: a vault of three records would weigh 16 MiB.
		db.AllocSize = 1 << 20
		return db, nil
	case errors.Is(err, bolterrors.ErrTimeout):
		return nil, fmt.Errorf("%w (%s)", ErrInUse, path)
	case errors.Is(err, fs.ErrExist):
		return nil, fmt.Errorf("%w: %s", ErrExists, path)
	case errors.Is(err, fs.ErrNotExist), errors.Is(err, fs.ErrPermission):
		return nil, fmt.Errorf("vault: %w", err)
	case errors.Is(err, ErrCorrupt):
		return nil, fmt.Errorf("vault: %s: %w", path, err)
	}
	return nil, fmt.Errorf("%w: %s: %v", ErrNotVault, path, err)
}

// openBolt is bbolt.Open, with a panic on a mangled file turned into an
// error wrapping ErrCorrupt. bbolt does not clean up when it panics: we close
// the file, but its memory map stays, and with it the file lock, until the
// program exits.
func openBolt(path string, opts *bbolt.Options) (db *bbolt.DB, err error) {
	var file *os.File
	openFile := opts.OpenFile
	opts.OpenFile = func(name string, flag int, perm os.FileMode) (*os.File, error) {
		f, err := openFile(name, flag, perm)
		if file == nil {
			file = f
		}
		return f, err
	}
	defer debug.SetPanicOnFault(debug.SetPanicOnFault(true))
	defer func() {
		if r := recover(); r != nil {
			if file != nil {
				file.Close()
			}
			db, err = nil, fmt.Errorf("%w: the store could not read it (%v); restart the app before opening it again", ErrCorrupt, r)
		}
	}()
	return bbolt.Open(path, 0o600, opts)
}

// tempName is a fresh name next to path, for building a file to publish.
func tempName(path, what string) string {
	var r [6]byte
	rand.Read(r[:])
	dir, base := filepath.Split(path)
	return filepath.Join(dir, "."+base+"."+what+"-"+hex.EncodeToString(r[:]))
}

// publish moves the complete, synced file tmp to path, refusing to replace
// anything there, and syncs the directory so the name survives a crash.
func publish(tmp, path string) error {
	err := os.Link(tmp, path)
	switch {
	case err == nil:
		os.Remove(tmp)
	case errors.Is(err, fs.ErrExist):
		return fmt.Errorf("%w: %s", ErrExists, path)
	default:
		// No hard links on this file system: check, then rename.
		if _, serr := os.Lstat(path); serr == nil {
			return fmt.Errorf("%w: %s", ErrExists, path)
		}
		if err := os.Rename(tmp, path); err != nil {
			return fmt.Errorf("vault: %w", err)
		}
	}
	syncDir(filepath.Dir(path))
	return nil
}

func syncDir(dir string) {
	if d, err := os.Open(dir); err == nil {
		d.Sync() // not supported everywhere (Windows); best effort
		d.Close()
	}
}

// view runs fn in a read transaction, turning a panic from a corrupt page
// (or a fault on the mapped file) into ErrCorrupt.
func (v *Vault) view(fn func(*bbolt.Tx) error) (err error) {
	defer debug.SetPanicOnFault(debug.SetPanicOnFault(true))
	defer recoverCorrupt(&err)
	return boltErr(v.withDB(func(db *bbolt.DB) error { return db.View(fn) }))
}

// update is view for internal writes (no caller code inside fn).
func (v *Vault) update(fn func(*bbolt.Tx) error) (err error) {
	defer debug.SetPanicOnFault(debug.SetPanicOnFault(true))
	defer recoverCorrupt(&err)
	return boltErr(v.withDB(func(db *bbolt.DB) error { return db.Update(fn) }))
}

func recoverCorrupt(err *error) {
	if r := recover(); r != nil {
		*err = fmt.Errorf("%w: the store failed reading it: %v", ErrCorrupt, r)
	}
}

func boltErr(err error) error {
	if errors.Is(err, bolterrors.ErrDatabaseNotOpen) {
		return ErrClosed
	}
	return err
}

// withKeys runs fn with the unlocked keys. Call it only inside a bbolt
// transaction or outside any (see the lock order on Vault).
func (v *Vault) withKeys(fn func(k *keyring) error) error {
	v.mu.RLock()
	defer v.mu.RUnlock()
	switch {
	case v.closed:
		return ErrClosed
	case v.keys == nil:
		return ErrLocked
	}
	return fn(v.keys)
}

func (v *Vault) setKeys(k *keyring) {
	v.mu.Lock()
	defer v.mu.Unlock()
	if v.closed {
		k.zero()
		return
	}
	if v.keys != nil {
		v.keys.zero()
	}
	v.keys = k
}

func (v *Vault) header() (header, error) {
	v.mu.RLock()
	defer v.mu.RUnlock()
	if v.closed {
		return header{}, ErrClosed
	}
	return v.hdr, nil
}

// Unlock derives the key from password and unlocks the vault. A wrong
// password returns ErrWrongPassword and changes nothing.
func (v *Vault) Unlock(password []byte) error {
	h, err := v.header()
	if err != nil {
		return err
	}
	vaultKey, err := h.openWithPassword(password)
	if err != nil {
		return err
	}
	defer clear(vaultKey)
	k, err := h.keyringFor(vaultKey)
	if err != nil {
		return err
	}
	v.setKeys(k)
	return nil
}

func (h *header) openWithPassword(password []byte) ([]byte, error) {
	kek := passwordKey(password, h.salt[:], h.params)
	defer clear(kek)
	vaultKey, err := open(kek, h.passwordAD(), h.passwordWrap[:])
	if err != nil {
		return nil, ErrWrongPassword
	}
	return vaultKey, nil
}

// UnlockWithRecoveryKey is for a forgotten password: it unlocks with the
// recovery key (derived from the mnemonic) and wraps the vault key under
// newPassword, which from then on is the password. Records are untouched.
func (v *Vault) UnlockWithRecoveryKey(key []byte, newPassword []byte) error {
	if len(newPassword) == 0 {
		return ErrEmptyPassword
	}
	v.hdrMu.Lock()
	defer v.hdrMu.Unlock()
	h, err := v.header()
	if err != nil {
		return err
	}
	rk := recoveryWrapKey(key)
	defer clear(rk)
	vaultKey, err := open(rk, h.recoveryAD(), h.recoveryWrap[:])
	if err != nil {
		return ErrWrongRecoveryKey
	}
	defer clear(vaultKey)
	k, err := h.keyringFor(vaultKey)
	if err != nil {
		return err
	}
	if err := v.rewrapPassword(h, vaultKey, newPassword); err != nil {
		k.zero()
		return err
	}
	v.setKeys(k)
	return nil
}

// rewrapPassword writes a header whose password wrap is under password with
// a fresh salt. Call with hdrMu held.
func (v *Vault) rewrapPassword(h header, vaultKey, password []byte) error {
	rand.Read(h.salt[:])
	kek := passwordKey(password, h.salt[:], h.params)
	defer clear(kek)
	copy(h.passwordWrap[:], seal(kek, h.passwordAD(), vaultKey))
	err := v.update(func(tx *bbolt.Tx) error {
		hb := tx.Bucket(bucketHeader)
		if hb == nil {
			return fmt.Errorf("%w: no header bucket", ErrCorrupt)
		}
		return hb.Put(keyHeader, h.marshal())
	})
	if err != nil {
		return fmt.Errorf("vault: saving the new password: %w", err)
	}
	v.mu.Lock()
	v.hdr = h
	v.mu.Unlock()
	return nil
}

// Params are the Argon2id parameters the password is derived with.
func (v *Vault) Params() (Params, error) {
	h, err := v.header()
	return h.params, err
}

// Lock forgets the keys: they are zeroed, and every method that needs them
// returns ErrLocked until the next Unlock. Open attachment readers stop too.
func (v *Vault) Lock() {
	v.mu.Lock()
	defer v.mu.Unlock()
	v.lockHeld()
}

func (v *Vault) lockHeld() {
	if v.keys != nil {
		v.keys.zero()
		v.keys = nil
	}
	for r := range v.readers {
		r.wipe()
		delete(v.readers, r)
	}
}

// Locked reports whether the keys are absent (locked or closed).
func (v *Vault) Locked() bool {
	v.mu.RLock()
	defer v.mu.RUnlock()
	return v.keys == nil
}

// Close locks the vault and closes the file, waiting for transactions in
// progress. Further calls return ErrClosed.
func (v *Vault) Close() error {
	v.mu.Lock()
	if v.closed {
		v.mu.Unlock()
		return nil
	}
	v.lockHeld()
	v.closed = true
	v.mu.Unlock()
	v.gate.shut()
	return v.db.Close()
}

// Path is the file the vault lives in.
func (v *Vault) Path() string { return v.path }
