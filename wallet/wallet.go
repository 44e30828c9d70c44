// Package wallet is the patient's health wallet: the one API that both the
// Fyne app (package app) and the hw command line call.
//
// A Wallet lives in one directory. It holds the patient's keys (derived from a
// 24-word recovery phrase), an encrypted vault of their records, and the
// in-memory index that lists and searches those records once the vault is
// unlocked. Nothing about the records is readable on disk; see package vault.
//
// The common case:
//
//	m, _ := wallet.NewMnemonic()
//	w, _ := wallet.Create(dir, m, password, "Ada", wallet.Options{})
//	report, _ := w.Import(ctx, []string{"patient.json"}, nil)
//	recs, _ := w.Search("amoxicillin", 20)
//	w.Lock()
//
// Every record version is committed to the chain (DESIGN §5–§6): [Wallet.Anchor]
// batches the new versions' salted commitments into Merkle roots and sends them
// through the chain outbox, which works offline and lands each batch exactly
// once; [Wallet.Verify] checks a record against the chain; [Wallet.ChainStatus]
// shows the network and the outbox. The chain is opened lazily: the embedded
// chain under <dir>/chain unless [Options].Chain or the saved settings name a
// JSON-RPC URL.
//
// A wallet meets others on a network (DESIGN §11): [Wallet.JoinNetwork]
// (or [Wallet.StartLocalNetwork], "Try it on this computer") makes the
// network's chain the wallet's, its submission endpoint the sender of the
// wallet's signed actions (the patient holds no ETH) and its relay the
// default for shares; [Wallet.Receive] and [ReceiveWithNetworks] verify a
// share against the network it was made on when the receiver trusts it, and
// otherwise show it unverified with a failing "network trusted" check.
//
// Errors a person can act on are sentinels ([ErrWrongPassword], [ErrNoWallet],
// [ErrLocked], …) or wrap them; their text says what happened and what to do.
package wallet

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"time"

	"github.com/ethereum/go-ethereum/common"

	"healthwallet/wallet/identity"
	"healthwallet/wallet/network"
	"healthwallet/wallet/record"
	"healthwallet/wallet/vault"
)

// VaultFileName is the one file in a wallet directory that holds everything.
const VaultFileName = "vault.hwv"

// Names of the secrets the wallet keeps in its vault.
const (
	secretSeed    = "identity/seed"
	secretProfile = "profile"
)

// Options tune a new or opened wallet. The zero value is what a patient gets.
type Options struct {
	// KDFTime, KDFMemoryKiB and KDFThreads override the Argon2id parameters
	// of a new wallet; zero means the defaults (t=3, 64 MiB, p=4). Only tests
	// and scripted demos lower them.
	KDFTime      uint32
	KDFMemoryKiB uint32
	KDFThreads   uint8

	// Chain is the JSON-RPC URL of the chain to anchor on. Empty means the
	// wallet's saved setting, else the embedded chain under <dir>/chain.
	Chain string
	// OpenChain replaces how the wallet connects (tests point it at a
	// simulated chain); nil means [OpenChain].
	OpenChain ChainOpener
	// Confirmations is how many blocks make an anchor final (0: 2) and
	// FeeBumpAfter how long a transaction may wait before its fees are
	// raised (0: one minute). See package chain/outbox.
	Confirmations uint64
	FeeBumpAfter  time.Duration
}

func (o Options) kdfParams() vault.Params {
	p := vault.DefaultParams
	if o.KDFTime != 0 {
		p.Time = o.KDFTime
	}
	if o.KDFMemoryKiB != 0 {
		p.MemoryKiB = o.KDFMemoryKiB
	}
	if o.KDFThreads != 0 {
		p.Threads = o.KDFThreads
	}
	return p
}

// Wallet is an open wallet directory. It is safe for use by several goroutines.
type Wallet struct {
	dir   string
	vault *vault.Vault

	chainMu sync.Mutex // guards chain; taken before mu, never while holding it
	chain   chainState

	profileMu sync.Mutex // serializes updateProfile; taken after chainMu, before mu

	mu      sync.RWMutex // guards everything below
	id      *identity.Identity
	profile profile
	index   *record.Index
	damaged []Damage
	anchors map[string]record.AnchorState // by anchorKey of each record's latest version: its anchoring
	// batchStates is the state each batch's records were last given in
	// anchors, by root, so Anchor updates only the records of the batches
	// whose state changed. A batch not in it has not been looked at.
	batchStates map[common.Hash]record.AnchorState
}

// profile is the patient's own settings, sealed in the vault.
type profile struct {
	DisplayName string         `json:"displayName"`
	Chain       *ChainSettings `json:"chain,omitempty"`
	// Network is the joined network (nil: none); Trusted the networks
	// trusted for receiving only.
	Network *network.Membership  `json:"network,omitempty"`
	Trusted []network.Membership `json:"trusted,omitempty"`
	// NetworkInvite is the invitation code the wallet joined Network with
	// ("" for an open network): the addresses of the people kept apart and
	// cared for enrol with it on their first action. It stays sealed here,
	// never in a share, a card or an invitation.
	NetworkInvite string `json:"networkInvite,omitempty"`
	// LocalPort is the loopback port of the network this computer runs
	// (StartLocalNetwork), kept so its join URL stays the same.
	LocalPort int `json:"localPort,omitempty"`
	// SharingKeyIndex is which sharing key the wallet uses: 0 until
	// RevokeEverything retires one (identity.FromSeedAt).
	SharingKeyIndex uint32 `json:"sharingKeyIndex,omitempty"`
	// NoAccessOnChain is the patient's choice not to record accesses on
	// chain (SetAccessOnChain); the zero value records them.
	NoAccessOnChain bool `json:"noAccessOnChain,omitempty"`
}

func newWallet(dir string, v *vault.Vault, opts Options) *Wallet {
	w := &Wallet{dir: dir, vault: v}
	w.chain.url = strings.TrimSpace(opts.Chain)
	w.chain.open = opts.OpenChain
	w.chain.opts.Confirmations = opts.Confirmations
	w.chain.opts.BumpAfter = opts.FeeBumpAfter
	return w
}

// Damage is a record that failed its integrity check when the vault was read.
type Damage struct {
	ID      string `json:"id"`
	Problem string `json:"problem"`
}

// NewMnemonic returns a fresh 24-word BIP-39 recovery phrase.
func NewMnemonic() (string, error) { return identity.NewMnemonic() }

// CheckMnemonic says whether m is a valid 24-word recovery phrase, and if not,
// why (which word is unknown, or that the checksum shows a typo).
func CheckMnemonic(m string) error {
	return identity.CheckMnemonic(m)
}

// DefaultDir is where the app and hw keep the wallet unless told otherwise:
// a folder under the user's configuration directory.
func DefaultDir() (string, error) {
	base, err := os.UserConfigDir()
	if err != nil {
		return "", fmt.Errorf("finding the configuration directory: %w", err)
	}
	return filepath.Join(base, "healthwallet"), nil
}

// Exists reports whether dir holds a wallet.
func Exists(dir string) bool {
	_, err := os.Stat(filepath.Join(dir, VaultFileName))
	return err == nil
}

// Create makes a new wallet in dir from a recovery phrase (new or restored) and
// a password, and returns it unlocked.
func Create(dir, mnemonic string, password []byte, displayName string, opts Options) (*Wallet, error) {
	if Exists(dir) {
		return nil, ErrWalletExists
	}
	// SeedFromMnemonic is the one check of the phrase: its error says which
	// word is wrong, or that the checksum is.
	seed, err := identity.SeedFromMnemonic(mnemonic)
	if err != nil {
		return nil, mnemonicError(err)
	}
	defer clear(seed)
	displayName = strings.TrimSpace(displayName)
	if err := identity.CheckDisplayName(displayName); err != nil {
		return nil, fmt.Errorf("%w (%v)", ErrBadDisplayName, err)
	}
	id, err := identity.FromSeed(seed)
	if err != nil {
		return nil, fmt.Errorf("deriving keys from the recovery phrase: %w", err)
	}
	defer id.Wipe()
	recoveryKey, err := id.VaultRecoveryKey()
	if err != nil {
		return nil, err
	}
	defer clear(recoveryKey)
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return nil, fmt.Errorf("creating the wallet directory: %w", err)
	}
	path := filepath.Join(dir, VaultFileName)
	v, err := vault.Create(path, password, recoveryKey, opts.kdfParams())
	if err != nil {
		return nil, fmt.Errorf("creating the vault: %w", mapVaultError(err))
	}
	w := newWallet(dir, v, opts)
	prof := profile{DisplayName: displayName}
	if err := v.SetSecret(secretSeed, seed); err != nil {
		v.Close()
		os.Remove(path)
		return nil, fmt.Errorf("storing the keys: %w", err)
	}
	if err := w.saveProfile(prof); err != nil {
		v.Close()
		os.Remove(path)
		return nil, err
	}
	// loadUnlocked derives the wallet's own identity from the stored seed,
	// as Unlock does; id above is wiped on return.
	if err := w.loadUnlocked(); err != nil {
		v.Close()
		return nil, err
	}
	return w, nil
}

// identityFromMnemonic derives the identity of a recovery phrase, checking
// the phrase once: a bad phrase's error is returned as CheckMnemonic words
// it. The caller wipes the identity.
func identityFromMnemonic(m string) (*identity.Identity, error) {
	id, err := identity.FromMnemonic(m)
	if err != nil {
		return nil, mnemonicError(err)
	}
	return id, nil
}

// mnemonicError passes an invalid phrase's error through unchanged (it says
// which word, or that the checksum, is wrong) and wraps any other failure of
// deriving keys.
func mnemonicError(err error) error {
	if errors.Is(err, ErrBadMnemonic) {
		return err
	}
	return fmt.Errorf("deriving keys from the recovery phrase: %w", err)
}

// Open opens the wallet in dir, locked. Of opts (at most one), only the chain
// settings apply: the Argon2id parameters are the vault's own.
func Open(dir string, opts ...Options) (*Wallet, error) {
	if !Exists(dir) {
		return nil, fmt.Errorf("%w (looked in %s)", ErrNoWallet, dir)
	}
	v, err := vault.Open(filepath.Join(dir, VaultFileName))
	if err != nil {
		return nil, fmt.Errorf("opening the vault: %w", mapVaultError(err))
	}
	var o Options
	if len(opts) > 0 {
		o = opts[0]
	}
	return newWallet(dir, v, o), nil
}

// Unlock opens the vault with the password and builds the record index.
func (w *Wallet) Unlock(password []byte) error {
	if err := w.vault.Unlock(password); err != nil {
		return mapVaultError(err)
	}
	return w.loadUnlocked()
}

// ResetPassword unlocks the wallet with its recovery phrase and sets a new
// password, for a patient who forgot theirs. Like [Wallet.ChangePassword],
// it gives the vault a new key and the default Argon2id parameters.
func (w *Wallet) ResetPassword(mnemonic string, newPassword []byte) error {
	id, err := identityFromMnemonic(mnemonic)
	if err != nil {
		return err
	}
	defer id.Wipe()
	recoveryKey, err := id.VaultRecoveryKey()
	if err != nil {
		return err
	}
	defer clear(recoveryKey)
	if err := w.vault.UnlockWithRecoveryKey(recoveryKey, newPassword); err != nil {
		if errors.Is(err, vault.ErrWrongRecoveryKey) {
			return fmt.Errorf("%w: this recovery phrase does not belong to this wallet", ErrBadMnemonic)
		}
		return mapVaultError(err)
	}
	// Then a new vault key, as for a change: a password forgotten may be a
	// password someone else knows.
	if err := w.vault.ChangePassword(newPassword, newPassword, recoveryKey, vault.DefaultParams, nil); err != nil {
		// The new password already opens the vault: the wallet stays usable
		// with it, and a later change gives it the new key.
		if lerr := w.loadUnlocked(); lerr != nil {
			return lerr
		}
		return fmt.Errorf("the password is reset, but giving the wallet a new key failed (change the password again to retry): %w", mapVaultError(err))
	}
	return w.loadUnlocked()
}

// ChangePassword replaces the password and, with it, the vault key: every
// key, secret, record and attachment in the vault file is sealed again under
// new keys and the file is rewritten whole, so that nothing in it opens with
// the old password or old keys any more (see vault.Vault.ChangePassword). The new password
// gets the default Argon2id parameters, so a wallet made with weak ones
// ([Wallet.KeyDerivation]) is weak no longer. Backups made before are what they
// were: they still open with the recovery phrase (and a passphrase given
// then). The lock state is unchanged.
func (w *Wallet) ChangePassword(oldPassword, newPassword []byte) error {
	return w.ChangePasswordWithProgress(oldPassword, newPassword, nil)
}

// ChangePasswordWithProgress is ChangePassword telling progress the bytes
// of the vault rewritten so far and their total.
func (w *Wallet) ChangePasswordWithProgress(oldPassword, newPassword []byte, progress func(done, total int64)) error {
	// The recovery copy of the new vault key is wrapped under the recovery
	// key, which comes from the seed inside the vault. w.mu is not held
	// while the vault is rewritten: writers inside the vault may need it.
	w.mu.RLock()
	var recoveryKey []byte
	var err error
	if w.id != nil {
		recoveryKey, err = w.id.VaultRecoveryKey()
	}
	w.mu.RUnlock()
	if err != nil {
		return err
	}
	if recoveryKey == nil {
		if err := w.vault.Unlock(oldPassword); err != nil {
			return mapVaultError(err)
		}
		defer w.vault.Lock()
		id, err := w.storedIdentity()
		if err != nil {
			return err
		}
		recoveryKey, err = id.VaultRecoveryKey()
		id.Wipe()
		if err != nil {
			return err
		}
	}
	defer clear(recoveryKey)
	if err := w.vault.ChangePassword(oldPassword, newPassword, recoveryKey, vault.DefaultParams, progress); err != nil {
		return fmt.Errorf("changing the password: %w", mapVaultError(err))
	}
	return nil
}

// KeyDerivation is how the password becomes the key that opens the vault:
// Argon2id with these parameters. Weak means below the defaults (a wallet
// made with HW_KDF=fast, for scripts and tests): a stolen vault file would
// give way to password guessing far sooner. A password change gives the
// wallet the defaults.
type KeyDerivation struct {
	Time      uint32 `json:"time"`
	MemoryKiB uint32 `json:"memoryKiB"`
	Threads   uint8  `json:"threads"`
	Weak      bool   `json:"weak"`
}

// KeyDerivation reports the vault's Argon2id parameters; the wallet may be
// locked.
func (w *Wallet) KeyDerivation() (KeyDerivation, error) {
	p, err := w.vault.Params()
	if err != nil {
		return KeyDerivation{}, mapVaultError(err)
	}
	d := vault.DefaultParams
	return KeyDerivation{
		Time: p.Time, MemoryKiB: p.MemoryKiB, Threads: p.Threads,
		Weak: p.Time < d.Time || p.MemoryKiB < d.MemoryKiB || p.Threads < d.Threads,
	}, nil
}

// storedIdentity derives the wallet's identity from the seed in the
// unlocked vault. The caller wipes it.
func (w *Wallet) storedIdentity() (*identity.Identity, error) {
	return w.storedIdentityAt(0)
}

// storedIdentityAt is storedIdentity with the sharing key of index (see
// RevokeEverything).
func (w *Wallet) storedIdentityAt(sharingIndex uint32) (*identity.Identity, error) {
	seed, err := w.vault.Secret(secretSeed)
	if err != nil {
		return nil, fmt.Errorf("reading the wallet's keys: %w", mapVaultError(err))
	}
	defer clear(seed)
	id, err := identity.FromSeedAt(seed, sharingIndex)
	if err != nil {
		return nil, fmt.Errorf("deriving the wallet's keys: %w", err)
	}
	return id, nil
}

// loadUnlocked reads the keys, the profile and every record's summary out of
// the freshly unlocked vault.
func (w *Wallet) loadUnlocked() error {
	prof, err := w.readProfile()
	if err != nil {
		return err
	}
	id, err := w.storedIdentityAt(prof.SharingKeyIndex)
	if err != nil {
		return err
	}
	index, latest, damaged, err := w.buildIndex()
	if err != nil {
		id.Wipe()
		return err
	}
	anchors, batches, err := w.readAnchorStates(latest)
	if err != nil {
		// Records stay readable; only their anchoring state is unknown.
		anchors, batches = map[string]record.AnchorState{}, nil
		damaged = append(damaged, Damage{ID: "anchoring", Problem: err.Error()})
	}
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.id != nil {
		w.id.Wipe()
	}
	w.id, w.profile, w.index, w.damaged, w.anchors, w.batchStates = id, prof, index, damaged, anchors, batches
	return nil
}

// Lock forgets every key and the record index; Unlock brings them back.
func (w *Wallet) Lock() {
	w.mu.Lock()
	defer w.mu.Unlock()
	w.vault.Lock()
	if w.id != nil {
		w.id.Wipe()
	}
	w.id, w.index, w.damaged, w.profile, w.anchors, w.batchStates = nil, nil, nil, profile{}, nil, nil
}

// Locked reports whether the wallet needs its password.
func (w *Wallet) Locked() bool {
	w.mu.RLock()
	defer w.mu.RUnlock()
	return w.id == nil
}

// Close locks the wallet and closes its vault file.
func (w *Wallet) Close() error {
	w.closeChain()
	w.Lock()
	return w.vault.Close()
}

// Dir is the wallet's directory.
func (w *Wallet) Dir() string { return w.dir }

// DisplayName is the name the patient chose; empty while locked.
func (w *Wallet) DisplayName() string {
	w.mu.RLock()
	defer w.mu.RUnlock()
	return w.profile.DisplayName
}

// SetDisplayName changes the name shown on the patient's identity card.
func (w *Wallet) SetDisplayName(name string) error {
	if err := w.unlocked(); err != nil {
		return err
	}
	name = strings.TrimSpace(name)
	if err := identity.CheckDisplayName(name); err != nil {
		return fmt.Errorf("%w (%v)", ErrBadDisplayName, err)
	}
	return w.updateProfile(func(p *profile) { p.DisplayName = name })
}

// Address is the patient's chain address (0x…); empty while locked.
func (w *Wallet) Address() string {
	w.mu.RLock()
	defer w.mu.RUnlock()
	if w.id == nil {
		return ""
	}
	return w.id.Address().Hex()
}

// Card is the patient's signed identity card in its text form (hwcard:…),
// which caregivers and doctors scan to know whom they deal with.
func (w *Wallet) Card() (string, error) {
	w.mu.RLock()
	defer w.mu.RUnlock()
	if w.id == nil {
		return "", ErrLocked
	}
	card, err := w.id.Card(w.profile.DisplayName)
	if err != nil {
		return "", fmt.Errorf("making the identity card: %w", err)
	}
	return card.String(), nil
}

// Damaged lists the records that failed their integrity check at unlock.
func (w *Wallet) Damaged() []Damage {
	w.mu.RLock()
	defer w.mu.RUnlock()
	return append([]Damage(nil), w.damaged...)
}

func (w *Wallet) unlocked() error {
	if w.Locked() {
		return ErrLocked
	}
	return nil
}

// mapVaultError turns the vault's errors that mean something else at the
// wallet's level into the wallet's own; the rest pass unchanged (see errors.go).
func mapVaultError(err error) error {
	switch {
	case errors.Is(err, vault.ErrExists):
		return ErrWalletExists
	case errors.Is(err, vault.ErrNotFound):
		return fmt.Errorf("%w: %v", ErrNotFound, err)
	}
	return err
}

// now is the wallet's clock; tests may replace it.
var now = time.Now
