package relay

import (
	"crypto/cipher"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"errors"
	"fmt"

	"github.com/ethereum/go-ethereum/common"
	"golang.org/x/crypto/chacha20poly1305"
)

// recordSeal keeps a store's metadata unreadable without its key
// (Config.StoreKey): share records (patient, uploader, sharing key, grant
// digest, flag, content types, times) are sealed with XChaCha20-Poly1305,
// bound to their key, and the addresses that key the patients, usage and
// nonces buckets are HMAC-SHA256 of the address. Files are JWEs and access
// logs are sealed to the patient already; the store then holds nothing
// about the patient in clear. A wallet's direct share store uses it.
type recordSeal struct {
	aead cipher.AEAD
	mac  []byte
}

func newRecordSeal(key []byte) (*recordSeal, error) {
	if len(key) != 32 {
		return nil, errors.New("relay: the store key must be 32 bytes")
	}
	derive := func(label string) []byte {
		m := hmac.New(sha256.New, key)
		m.Write([]byte(label))
		return m.Sum(nil)
	}
	aead, err := chacha20poly1305.NewX(derive("healthwallet-relay/store-records/v1"))
	if err != nil {
		return nil, err
	}
	return &recordSeal{aead: aead, mac: derive("healthwallet-relay/store-addresses/v1")}, nil
}

// addrKey is how an address keys the store's buckets.
func (s *store) addrKey(a common.Address) []byte {
	if s.seal == nil {
		return a.Bytes()
	}
	m := hmac.New(sha256.New, s.seal.mac)
	m.Write(a.Bytes())
	return m.Sum(nil)[:common.AddressLength]
}

// seal seals a record's bytes stored under key; nil seals nothing.
func (rs *recordSeal) seal(key, plain []byte) ([]byte, error) {
	if rs == nil {
		return plain, nil
	}
	nonce := make([]byte, rs.aead.NonceSize(), rs.aead.NonceSize()+len(plain)+rs.aead.Overhead())
	if _, err := rand.Read(nonce); err != nil {
		return nil, fmt.Errorf("relay: reading randomness: %w", err)
	}
	return rs.aead.Seal(nonce, nonce, plain, key), nil
}

// open opens what seal made.
func (rs *recordSeal) open(key, sealed []byte) ([]byte, error) {
	if rs == nil {
		return sealed, nil
	}
	n := rs.aead.NonceSize()
	if len(sealed) < n {
		return nil, errors.New("relay: a share record is damaged or sealed with another key")
	}
	plain, err := rs.aead.Open(nil, sealed[:n], sealed[n:], key)
	if err != nil {
		return nil, errors.New("relay: a share record is damaged or sealed with another key")
	}
	return plain, nil
}
