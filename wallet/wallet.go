// Package wallet is the patient's health wallet: the one API that both the
// Fyne app (package app) and the hw command line call.
//
// A Wallet lives in one directory. It holds the patient's keys (derived from a
// 24-word mnemonic), an encrypted vault of their records, and the in-memory
// index that lists and searches those records once the vault is unlocked.
//
// The common case:
//
//	m, _ := wallet.NewMnemonic()
//	w, _ := wallet.Create(dir, m, password, "Ada", wallet.Options{})
//	report, _ := w.Import(ctx, []string{"patient.json"}, nil)
//	recs, _ := w.Search("metformin", 20)
//	w.Lock()
//
// Errors a person can act on are sentinels ([ErrWrongPassword], [ErrNoWallet],
// [ErrLocked], …) or wrap them; their text says what happened and what to do.
package wallet

import (
	"context"
	"errors"
	"io"
	"time"

	"healthwallet/wallet/record"
)

var errNotYet = errors.New("not implemented yet")

// Options tune a new wallet. The zero value is what a patient gets.
type Options struct {
	// KDFTime, KDFMemoryKiB and KDFThreads override the Argon2id parameters;
	// zero means the defaults (t=3, 64 MiB, p=4). Tests lower them.
	KDFTime      uint32
	KDFMemoryKiB uint32
	KDFThreads   uint8
}

// Wallet is an open wallet directory. It is safe for use by several goroutines.
type Wallet struct{}

// Query selects records for a list or timeline. Zero fields select everything.
type Query struct {
	Category     string
	ResourceType string
	From, To     time.Time
	Text         string // full-text search over summaries and codes
	Limit        int
}

// Detail is one record with its original JSON and its version history.
type Detail struct {
	record.Record
	JSON     []byte        `json:"json"`
	Versions []VersionInfo `json:"versions"`
}

// VersionInfo describes one stored version of a record.
type VersionInfo struct {
	Version  int       `json:"version"`
	Imported time.Time `json:"imported"`
}

// ImportProgress is reported while an import runs.
type ImportProgress struct {
	File       string // the file being read now
	FilesDone  int
	FilesTotal int
	BytesDone  int64 // over all files
	BytesTotal int64
	Resources  int // resources read so far
}

// ImportReport is the outcome of an import.
type ImportReport struct {
	Imported   int            `json:"imported"`
	Duplicates int            `json:"duplicates"`
	Versions   int            `json:"versions"`
	Rejected   []RejectedFile `json:"rejected"`
	ByType     map[string]int `json:"byType"`
}

// RejectedFile is a file that was not imported, and why.
type RejectedFile struct {
	File  string `json:"file"`
	Error string `json:"error"`
}

// Damage is a record that failed its integrity check when the vault was read.
type Damage struct {
	ID      string `json:"id"`
	Problem string `json:"problem"`
}

// NewMnemonic returns a fresh 24-word BIP-39 mnemonic.
func NewMnemonic() (string, error) { return "", errNotYet }

// CheckMnemonic says whether m is a valid 24-word mnemonic, and if not, why.
func CheckMnemonic(m string) error { return errNotYet }

// DefaultDir is where the app and hw keep the wallet unless told otherwise.
func DefaultDir() (string, error) { return "", errNotYet }

// Exists reports whether dir holds a wallet.
func Exists(dir string) bool { return false }

// Create makes a new wallet in dir from a mnemonic (new or restored) and a
// password, and returns it unlocked.
func Create(dir, mnemonic string, password []byte, displayName string, opts Options) (*Wallet, error) {
	return nil, errNotYet
}

// Open opens the wallet in dir, locked.
func Open(dir string) (*Wallet, error) { return nil, errNotYet }

// RestoreBackup writes the wallet held in a backup archive into dir, which
// must not hold a wallet yet. The mnemonic decrypts the archive; the wallet
// then unlocks with the password it had when the backup was made.
func RestoreBackup(in io.Reader, dir, mnemonic string) error { return errNotYet }

// BackupIdentity is the age identity (AGE-SECRET-KEY-1…) that decrypts this
// mnemonic's backups with the standard age tool.
func BackupIdentity(mnemonic string) (string, error) { return "", errNotYet }

func (w *Wallet) Unlock(password []byte) error                            { return errNotYet }
func (w *Wallet) ResetPassword(mnemonic string, newPassword []byte) error { return errNotYet }
func (w *Wallet) ChangePassword(oldPassword, newPassword []byte) error    { return errNotYet }
func (w *Wallet) Lock()                                                   {}
func (w *Wallet) Locked() bool                                            { return true }
func (w *Wallet) Close() error                                            { return nil }
func (w *Wallet) Dir() string                                             { return "" }
func (w *Wallet) DisplayName() string                                     { return "" }
func (w *Wallet) Address() string                                         { return "" }

// Card is the patient's identity card in its text form (hwcard:…).
func (w *Wallet) Card() (string, error) { return "", errNotYet }

func (w *Wallet) Import(ctx context.Context, paths []string, progress func(ImportProgress)) (ImportReport, error) {
	return ImportReport{}, errNotYet
}
func (w *Wallet) Records(q Query) ([]record.Record, error)        { return nil, errNotYet }
func (w *Wallet) Record(id string) (Detail, error)                { return Detail{}, errNotYet }
func (w *Wallet) Categories() (map[string]int, error)             { return nil, errNotYet }
func (w *Wallet) Damaged() []Damage                               { return nil }
func (w *Wallet) Delete(id string) error                          { return errNotYet }
func (w *Wallet) Export(out io.Writer, ids []string) (int, error) { return 0, errNotYet }
func (w *Wallet) Backup(out io.Writer) error                      { return errNotYet }
