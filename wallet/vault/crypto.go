package vault

import (
	"crypto/hkdf"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/binary"
	"errors"
	"fmt"

	"golang.org/x/crypto/argon2"
	"golang.org/x/crypto/chacha20poly1305"
)

const (
	keySize        = chacha20poly1305.KeySize    // 32
	nonceSize      = chacha20poly1305.NonceSizeX // 24
	tagSize        = chacha20poly1305.Overhead   // 16
	wrappedKeySize = nonceSize + keySize + tagSize
)

// errAuth is what a ciphertext that fails to open becomes; callers wrap it
// with [ErrCorrupt] and say which record.
var errAuth = errors.New("failed authentication")

// adLabel prefixes every associated data, so a ciphertext made for one
// purpose never opens as another.
const adLabel = "healthwallet/vault/v1 "

// ad builds associated data: label ‖ purpose ‖ 0 ‖ fixed-length parts.
func ad(purpose string, parts ...[]byte) []byte {
	n := len(adLabel) + len(purpose) + 1
	for _, p := range parts {
		n += len(p)
	}
	b := make([]byte, 0, n)
	b = append(b, adLabel...)
	b = append(b, purpose...)
	b = append(b, 0)
	for _, p := range parts {
		b = append(b, p...)
	}
	return b
}

func be32(v uint32) []byte { return binary.BigEndian.AppendUint32(nil, v) }

// seal returns nonce ‖ XChaCha20-Poly1305(key, nonce, plaintext, ad) with a
// random nonce.
func seal(key, ad, plaintext []byte) []byte {
	aead, err := chacha20poly1305.NewX(key)
	if err != nil {
		panic("vault: seal with a key of the wrong size") // our own bug, never input
	}
	out := make([]byte, nonceSize, nonceSize+len(plaintext)+tagSize)
	rand.Read(out)
	return aead.Seal(out, out, plaintext, ad)
}

// open reverses seal. box comes from disk: any length is handled.
func open(key, ad, box []byte) ([]byte, error) {
	if len(box) < nonceSize+tagSize {
		return nil, errAuth
	}
	aead, err := chacha20poly1305.NewX(key)
	if err != nil {
		return nil, err
	}
	pt, err := aead.Open(nil, box[:nonceSize], box[nonceSize:], ad)
	if err != nil {
		return nil, errAuth
	}
	return pt, nil
}

func randomKey() []byte {
	k := make([]byte, keySize)
	rand.Read(k)
	return k
}

func passwordKey(password, salt []byte, p Params) []byte {
	return argon2.IDKey(password, salt, p.Time, p.MemoryKiB, p.Threads, keySize)
}

// recoveryWrapKey turns the caller's recovery key into the key that wraps
// the vault key, so the same recovery key used elsewhere never touches our
// ciphertexts directly.
func recoveryWrapKey(recoveryKey []byte) []byte {
	return derive(recoveryKey, "recovery-key wrap")
}

func derive(secret []byte, label string) []byte {
	k, err := hkdf.Key(sha256.New, secret, nil, adLabel+label, keySize)
	if err != nil {
		panic("vault: hkdf: " + err.Error()) // only for lengths we never ask
	}
	return k
}

// keyring is the unlocked vault key and the keys derived from it. The
// HMAC keys that name things (record ids, secret and state names) come from
// the names key, which is the first vault key of the vault and stays when a
// password change replaces the vault key; every key that seals or wraps comes
// from the current vault key.
type keyring struct {
	vault       []byte
	names       []byte
	ids         []byte // HMAC key for RecordID
	dataWrap    []byte // wraps per-record data keys
	secretNames []byte // HMAC key for secret names
	secrets     []byte // seals secret values
	attachWrap  []byte // wraps per-attachment file keys
	stateNames  []byte // HMAC key for state spaces and keys
	stateValues []byte // seals state values
}

func newKeyring(vaultKey, namesKey []byte) *keyring {
	k := &keyring{vault: append([]byte(nil), vaultKey...), names: append([]byte(nil), namesKey...)}
	k.ids = derive(namesKey, "record id")
	k.dataWrap = derive(vaultKey, "data-key wrap")
	k.secretNames = derive(namesKey, "secret name")
	k.secrets = derive(vaultKey, "secret value")
	k.attachWrap = derive(vaultKey, "attachment-key wrap")
	k.stateNames = derive(namesKey, "state name")
	k.stateValues = derive(vaultKey, "state value")
	return k
}

// namesWrapKey wraps the names key under a vault key (header format 2).
func namesWrapKey(vaultKey []byte) []byte { return derive(vaultKey, "names-key wrap") }

// adNames binds the wrapped names key to its purpose.
var adNames = ad("names key")

// keyringFor builds the keyring of vaultKey under header h: the names key is
// vaultKey itself for a vault never re-keyed, else unwrapped from h.
func (h *header) keyringFor(vaultKey []byte) (*keyring, error) {
	if !h.hasNames {
		return newKeyring(vaultKey, vaultKey), nil
	}
	wk := namesWrapKey(vaultKey)
	defer clear(wk)
	names, err := open(wk, adNames, h.namesWrap[:])
	if err != nil || len(names) != keySize {
		return nil, fmt.Errorf("%w: the names key does not open under the vault key", ErrCorrupt)
	}
	defer clear(names)
	return newKeyring(vaultKey, names), nil
}

func (k *keyring) zero() {
	for _, b := range [][]byte{k.vault, k.names, k.ids, k.dataWrap, k.secretNames, k.secrets, k.attachWrap, k.stateNames, k.stateValues} {
		clear(b)
	}
}

func mac16(key []byte, msg string) [16]byte {
	h := hmac.New(sha256.New, key)
	h.Write([]byte(msg))
	var out [16]byte
	copy(out[:], h.Sum(nil))
	return out
}
