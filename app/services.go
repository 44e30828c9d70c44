package app

import (
	"context"
	"io"
	"time"

	"healthwallet/wallet"
	"healthwallet/wallet/record"
)

// Backend makes, opens and restores the wallet in one directory.
type Backend interface {
	// Exists reports whether the directory holds a wallet.
	Exists() bool
	// NewMnemonic returns a fresh 24-word recovery phrase.
	NewMnemonic() (string, error)
	// CheckMnemonic returns nil for a valid recovery phrase, or an error
	// whose text says what is wrong with it.
	CheckMnemonic(mnemonic string) error
	// Create makes a wallet from a recovery phrase and a password and
	// returns it unlocked.
	Create(mnemonic string, password []byte, name string) (Wallet, error)
	// Open returns the existing wallet, locked.
	Open() (Wallet, error)
	// RestoreBackup writes the wallet held in a backup archive into the
	// directory; it then opens with Open and unlocks with the password it
	// had when the backup was made.
	RestoreBackup(r io.Reader, mnemonic string) error
}

// Wallet is one open wallet. Its method set is that of *wallet.Wallet, and
// its errors are the wallet's: their text is shown to the person as is.
type Wallet interface {
	Unlock(password []byte) error
	Lock()
	Locked() bool
	ResetPassword(mnemonic string, newPassword []byte) error
	ChangePassword(oldPassword, newPassword []byte) error
	DisplayName() string
	Address() string
	Card() (string, error)
	Import(ctx context.Context, paths []string, progress func(wallet.ImportProgress)) (wallet.ImportReport, error)
	Records(q wallet.Query) ([]record.Record, error)
	Record(id string) (wallet.Detail, error)
	Categories() (map[string]int, error)
	Damaged() []wallet.Damage
	Delete(id string) error
	Export(out io.Writer, ids []string) (int, error)
	Backup(out io.Writer) error
	Close() error
}

var _ Wallet = (*wallet.Wallet)(nil)

// Clock is the time source of the idle lock and the search debounce.
// Functions given to AfterFunc may run on any goroutine.
type Clock interface {
	AfterFunc(d time.Duration, f func()) Timer
}

// Timer is a pending call from a Clock.
type Timer interface {
	// Stop prevents the call if it has not happened yet.
	Stop() bool
}

// systemClock is the Clock of the real app.
type systemClock struct{}

func (systemClock) AfterFunc(d time.Duration, f func()) Timer { return time.AfterFunc(d, f) }

// NewBackend returns the Backend over package wallet for the wallet
// directory dir.
func NewBackend(dir string, opts wallet.Options) Backend {
	return &walletBackend{dir: dir, opts: opts}
}

type walletBackend struct {
	dir  string
	opts wallet.Options
}

func (b *walletBackend) Exists() bool                 { return wallet.Exists(b.dir) }
func (b *walletBackend) NewMnemonic() (string, error) { return wallet.NewMnemonic() }
func (b *walletBackend) CheckMnemonic(m string) error { return wallet.CheckMnemonic(m) }
func (b *walletBackend) RestoreBackup(r io.Reader, m string) error {
	return wallet.RestoreBackup(r, b.dir, m)
}

func (b *walletBackend) Create(mnemonic string, password []byte, name string) (Wallet, error) {
	w, err := wallet.Create(b.dir, mnemonic, password, name, b.opts)
	if err != nil {
		return nil, err // not a typed nil inside the interface
	}
	return w, nil
}

func (b *walletBackend) Open() (Wallet, error) {
	w, err := wallet.Open(b.dir)
	if err != nil {
		return nil, err
	}
	return w, nil
}
