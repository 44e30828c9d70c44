package vault

import (
	"fmt"

	"go.etcd.io/bbolt"
)

// A secret is stored under the HMAC of its name (so names such as
// "wallet-seed" are not on disk either), its value sealed with that HMAC as
// associated data.

// SetSecret stores value under name, replacing any previous value.
func (v *Vault) SetSecret(name string, value []byte) error {
	err := v.update(func(btx *bbolt.Tx) error {
		return v.withKeys(func(k *keyring) error {
			b := btx.Bucket(bucketSecrets)
			if b == nil {
				return fmt.Errorf("%w: no secrets bucket", ErrCorrupt)
			}
			key := mac16(k.secretNames, name)
			return b.Put(key[:], seal(k.secrets, ad("secret", key[:]), value))
		})
	})
	if err != nil {
		return fmt.Errorf("vault: storing a secret: %w", err)
	}
	return nil
}

// Secret returns the value stored under name: ErrNotFound if there is none,
// ErrCorrupt if it fails authentication.
func (v *Vault) Secret(name string) (value []byte, err error) {
	err = v.view(func(btx *bbolt.Tx) error {
		return v.withKeys(func(k *keyring) error {
			b := btx.Bucket(bucketSecrets)
			if b == nil {
				return fmt.Errorf("%w: no secrets bucket", ErrCorrupt)
			}
			key := mac16(k.secretNames, name)
			box := b.Get(key[:])
			if box == nil {
				return ErrNotFound
			}
			if value, err = open(k.secrets, ad("secret", key[:]), box); err != nil {
				return fmt.Errorf("%w: a secret %v", ErrCorrupt, err)
			}
			return nil
		})
	})
	if err != nil {
		return nil, fmt.Errorf("vault: reading a secret: %w", err)
	}
	return value, nil
}

// DeleteSecret removes the secret stored under name, if any.
func (v *Vault) DeleteSecret(name string) error {
	err := v.update(func(btx *bbolt.Tx) error {
		return v.withKeys(func(k *keyring) error {
			b := btx.Bucket(bucketSecrets)
			if b == nil {
				return fmt.Errorf("%w: no secrets bucket", ErrCorrupt)
			}
			key := mac16(k.secretNames, name)
			return b.Delete(key[:])
		})
	})
	if err != nil {
		return fmt.Errorf("vault: deleting a secret: %w", err)
	}
	return nil
}
