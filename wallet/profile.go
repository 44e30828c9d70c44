package wallet

import (
	"encoding/json"
	"errors"
	"fmt"

	"healthwallet/wallet/vault"
)

func jsonMarshal(v any) ([]byte, error) {
	b, err := json.Marshal(v)
	if err != nil {
		return nil, fmt.Errorf("encoding: %w", err)
	}
	return b, nil
}

func (w *Wallet) saveProfile(p profile) error {
	b, err := jsonMarshal(p)
	if err != nil {
		return err
	}
	if err := w.vault.SetSecret(secretProfile, b); err != nil {
		return fmt.Errorf("saving the profile: %w", mapVaultError(err))
	}
	return nil
}

func (w *Wallet) readProfile() (profile, error) {
	var p profile
	b, err := w.vault.Secret(secretProfile)
	if errors.Is(err, vault.ErrNotFound) {
		return p, nil
	}
	if err != nil {
		return p, fmt.Errorf("reading the profile: %w", mapVaultError(err))
	}
	if err := json.Unmarshal(b, &p); err != nil {
		return p, fmt.Errorf("reading the profile: %w", err)
	}
	return p, nil
}
