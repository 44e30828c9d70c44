package identity

import (
	"crypto/ecdh"
	"crypto/ecdsa"
	"crypto/hkdf"
	"crypto/sha256"
	"errors"
	"fmt"
	"strings"

	"filippo.io/age"
	"github.com/btcsuite/btcd/btcutil/bech32"
	"github.com/btcsuite/btcd/btcutil/hdkeychain"
	"github.com/btcsuite/btcd/chaincfg"
	"github.com/ethereum/go-ethereum/common"
	"github.com/ethereum/go-ethereum/crypto"
)

// BIP-32 comes from btcutil's hdkeychain rather than a hand derivation over
// go-ethereum's crypto: it is the reference Go implementation the BIP itself
// lists, it passes BIP-32 test vectors 1–4 (TestBIP32Vectors; vector 4 fails
// if leading zero bytes of a private key are dropped), and go-ethereum has no
// HD derivation of private keys of its own. We call ExtendedKey.Derive, the standard one —
// not the deprecated Child/DeriveNonStandard, which mis-derive hardened keys
// whose parent key has leading zero bytes (btcutil issue 172). Everything
// after derivation (address, signing) is go-ethereum's crypto.

// Labels for the keys derived from the seed with HKDF-SHA256. Each is part of
// the wallet format: changing one orphans every existing wallet.
const (
	labelSharingKey = "healthwallet/sharing-key/x25519/v1"
	labelRecovery   = "healthwallet/vault-recovery/v1"
	labelBackup     = "healthwallet/backup/age-x25519/v1"
	labelDirect     = "healthwallet/direct-store/v1"
	// labelPersonSharing derives the root of the sharing keys of the people
	// a wallet keeps apart ([Identity.PersonSharingKey]).
	labelPersonSharing = "healthwallet/person-sharing-key/x25519/v1"
)

// chainKeyPath is m/44'/60'/0'/0/0: BIP-44, coin type 60 (Ethereum), first
// account, external chain, first address — what other Ethereum wallets derive
// for the same phrase.
var chainKeyPath = []uint32{
	hdkeychain.HardenedKeyStart + 44,
	hdkeychain.HardenedKeyStart + 60,
	hdkeychain.HardenedKeyStart + 0,
	0,
	0,
}

// ErrWiped is returned by methods of an [Identity] after [Identity.Wipe].
var ErrWiped = errors.New("identity: keys were wiped; derive them again from the recovery phrase")

// Identity holds the keys derived from one recovery phrase. Its methods are
// safe for concurrent use, except Wipe, which must not run while other methods
// do. The zero Identity is not usable: get one from [FromMnemonic] or
// [FromSeed].
type Identity struct {
	chainKey *ecdsa.PrivateKey
	address  common.Address
	sharing  [32]byte // X25519 scalar
	recovery [32]byte
	backup   [32]byte // X25519 scalar of the age identity
	direct   [32]byte // seals the store of the wallet's direct shares
	// personSharing is the root the sharing keys of the people kept apart
	// are derived from, one per person's tweak.
	personSharing [32]byte
	wiped         bool
}

// FromMnemonic checks m like [CheckMnemonic] and derives its identity.
func FromMnemonic(m string) (*Identity, error) {
	seed, err := SeedFromMnemonic(m)
	if err != nil {
		return nil, err
	}
	defer clear(seed)
	return FromSeed(seed)
}

// FromSeed derives the identity of a BIP-39 seed (64 bytes; BIP-32 allows 16
// to 64). See the package documentation for what is derived and how.
func FromSeed(seed []byte) (*Identity, error) { return FromSeedAt(seed, 0) }

// SharingKeyLabel is the HKDF label of the sharing key with index: the
// first (0) is "healthwallet/sharing-key/x25519/v1"; a key retired after a
// lost device is replaced by the next, whose label ends in "/1", "/2", ….
func SharingKeyLabel(index uint32) string {
	if index == 0 {
		return labelSharingKey
	}
	return fmt.Sprintf("%s/%d", labelSharingKey, index)
}

// PersonSharingLabel is the HKDF label of the root of the people's sharing
// keys with index, retired together with the wallet's own sharing key:
// "healthwallet/person-sharing-key/x25519/v1", then "…/v1/1", "…/v1/2", ….
func PersonSharingLabel(index uint32) string {
	if index == 0 {
		return labelPersonSharing
	}
	return fmt.Sprintf("%s/%d", labelPersonSharing, index)
}

// FromSeedAt is FromSeed with the sharing key of index (see
// [SharingKeyLabel]) and the people's sharing keys of the same index (see
// [PersonSharingLabel]): the wallet's chain key and every other key are the
// same for every index.
func FromSeedAt(seed []byte, sharingIndex uint32) (*Identity, error) {
	if len(seed) < hdkeychain.MinSeedBytes || len(seed) > hdkeychain.MaxSeedBytes {
		return nil, fmt.Errorf("identity: seed is %d bytes; it must be %d to %d", len(seed), hdkeychain.MinSeedBytes, hdkeychain.MaxSeedBytes)
	}
	k, err := deriveExtendedKey(seed, chainKeyPath)
	if err != nil {
		return nil, err
	}
	defer k.Zero()
	bk, err := k.ECPrivKey()
	if err != nil {
		return nil, fmt.Errorf("identity: chain key: %w", err)
	}
	raw := bk.Serialize()
	defer clear(raw)
	bk.Zero()
	chainKey, err := crypto.ToECDSA(raw)
	if err != nil {
		return nil, fmt.Errorf("identity: chain key: %w", err)
	}

	id := &Identity{chainKey: chainKey, address: crypto.PubkeyToAddress(chainKey.PublicKey)}
	for _, d := range []struct {
		label string
		out   *[32]byte
	}{
		{SharingKeyLabel(sharingIndex), &id.sharing},
		{labelRecovery, &id.recovery},
		{labelBackup, &id.backup},
		{labelDirect, &id.direct},
		{PersonSharingLabel(sharingIndex), &id.personSharing},
	} {
		// The standard library's crypto/hkdf (Go 1.24+) rather than
		// x/crypto/hkdf: the same construction, one dependency fewer.
		// No salt: the seed is already uniformly random.
		key, err := hkdf.Key(sha256.New, seed, nil, d.label, 32)
		if err != nil {
			return nil, fmt.Errorf("identity: deriving %s: %w", d.label, err)
		}
		copy(d.out[:], key)
		clear(key)
	}
	return id, nil
}

// deriveExtendedKey walks path from the BIP-32 master key of seed. The
// mainnet parameters only choose the xprv/xpub version bytes, which matter
// for the test vectors and nowhere else.
func deriveExtendedKey(seed []byte, path []uint32) (*hdkeychain.ExtendedKey, error) {
	k, err := hdkeychain.NewMaster(seed, &chaincfg.MainNetParams)
	if err != nil {
		// ErrUnusableSeed: probability below 2^-127.
		return nil, fmt.Errorf("identity: BIP-32 master key: %w", err)
	}
	for _, i := range path {
		child, err := k.Derive(i)
		k.Zero()
		if err != nil {
			// ErrInvalidChild: probability below 2^-127. BIP-32 says to
			// skip to the next index, but a fixed path has no next index
			// that other wallets would agree on, so refuse.
			return nil, fmt.Errorf("identity: BIP-32 derivation at index %d: %w", i, err)
		}
		k = child
	}
	return k, nil
}

// Address is the chain identity: the Ethereum address of the key at
// m/44'/60'/0'/0/0. It is the zero address after Wipe.
func (id *Identity) Address() common.Address {
	return id.address
}

// PrivateKey is the secp256k1 key behind [Identity.Address], for signing
// transactions and grants. It is the Identity's own key, not a copy: Wipe
// zeroes it. After Wipe it returns [ErrWiped].
func (id *Identity) PrivateKey() (*ecdsa.PrivateKey, error) {
	if id.wiped {
		return nil, ErrWiped
	}
	return id.chainKey, nil
}

// SharingKey is the X25519 key others seal data to (HPKE), published in the
// identity card. Each call returns a new copy, which Wipe cannot reach. After
// Wipe it returns [ErrWiped].
func (id *Identity) SharingKey() (*ecdh.PrivateKey, error) {
	if id.wiped {
		return nil, ErrWiped
	}
	return id.sharingKey(), nil
}

// sharingKey is SharingKey without the check for Wipe.
func (id *Identity) sharingKey() *ecdh.PrivateKey {
	k, err := ecdh.X25519().NewPrivateKey(id.sharing[:])
	if err != nil {
		// NewPrivateKey accepts every 32-byte X25519 scalar.
		panic("identity: X25519 private key: " + err.Error())
	}
	return k
}

// PersonSharingKey is the X25519 sharing key of a person the wallet keeps
// apart, named by the random tweak their space holds (the tweak that also
// gives their chain key, [Identity.RelationshipKey]): HKDF-SHA256 with the
// people's sharing root as secret, no salt, and the 32 tweak bytes as info.
// Shares of that person's records are logged to it and their identity card
// carries it, so nothing ties their shares to the owner's sharing key. The
// key differs per tweak and from [Identity.SharingKey]; each call returns a
// new copy, which Wipe cannot reach. After Wipe it returns [ErrWiped].
func (id *Identity) PersonSharingKey(tweak [32]byte) (*ecdh.PrivateKey, error) {
	if id.wiped {
		return nil, ErrWiped
	}
	if tweak == ([32]byte{}) {
		return nil, ErrBadTweak
	}
	b, err := hkdf.Key(sha256.New, id.personSharing[:], nil, string(tweak[:]), 32)
	if err != nil {
		return nil, fmt.Errorf("identity: deriving a person's sharing key: %w", err)
	}
	defer clear(b)
	k, err := ecdh.X25519().NewPrivateKey(b)
	if err != nil {
		return nil, fmt.Errorf("identity: a person's sharing key: %w", err)
	}
	return k, nil
}

// VaultRecoveryKey is a 32-byte key the vault wraps a second copy of its key
// with, so that the recovery phrase alone can reset a forgotten password. It
// returns a copy, the caller's to clear. After Wipe it returns [ErrWiped].
func (id *Identity) VaultRecoveryKey() ([]byte, error) {
	if id.wiped {
		return nil, ErrWiped
	}
	return append([]byte(nil), id.recovery[:]...), nil
}

// DirectStoreKey is the 32-byte key that seals the store of the shares this
// wallet serves itself on the local network. It returns a copy, the caller's
// to clear. After Wipe it returns [ErrWiped].
func (id *Identity) DirectStoreKey() ([]byte, error) {
	if id.wiped {
		return nil, ErrWiped
	}
	return append([]byte(nil), id.direct[:]...), nil
}

// BackupIdentity is the age identity backups are encrypted to (its
// Recipient). Its String form, AGE-SECRET-KEY-1…, saved to a file, decrypts a
// backup with the standard tool: age -d -i key.txt backup.age. Each call
// returns a new copy, which Wipe cannot reach. After Wipe it returns
// [ErrWiped].
func (id *Identity) BackupIdentity() (*age.X25519Identity, error) {
	if id.wiped {
		return nil, ErrWiped
	}
	// age has no constructor from a raw scalar, only from its Bech32 text,
	// so build that text: the same bytes GenerateX25519Identity would hold.
	s, err := bech32.EncodeFromBase256("age-secret-key-", id.backup[:])
	if err != nil {
		panic("identity: encoding age identity: " + err.Error())
	}
	a, err := age.ParseX25519Identity(strings.ToUpper(s))
	if err != nil {
		panic("identity: age identity: " + err.Error())
	}
	return a, nil
}

// Wipe overwrites the key material the Identity holds, including the key
// [Identity.PrivateKey] returned. Copies returned by the other methods are the
// caller's to drop. After Wipe the Identity is unusable: its key methods and
// [Identity.Card] return [ErrWiped], and Address is the zero address.
func (id *Identity) Wipe() {
	if id.chainKey != nil {
		// The scalar is only reachable through the deprecated D field: the
		// key must stay an *ecdsa.PrivateKey with D set, because
		// go-ethereum's signing (crypto.Sign, types.SignTx) reads D and has
		// no API over raw scalar bytes. Holding the 32 bytes here instead
		// would mean a fresh *ecdsa.PrivateKey, and an unwipeable big.Int,
		// for every signature. So the one key's D is zeroed in place.
		//lint:ignore SA1019 see above: D is the only handle on the scalar go-ethereum signs with
		d := id.chainKey.D
		clear(d.Bits())
		d.SetInt64(0)
	}
	clear(id.sharing[:])
	clear(id.recovery[:])
	clear(id.backup[:])
	clear(id.direct[:])
	clear(id.personSharing[:])
	id.address = common.Address{}
	id.wiped = true
}
