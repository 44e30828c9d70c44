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

// updateProfile changes the profile with fn and saves it. Updates are
// serialized by profileMu, so that each starts from the one before and none
// loses another's change (the display name and the chain settings are saved
// by different callers, and each saves the whole profile).
func (w *Wallet) updateProfile(fn func(*profile)) error {
	w.profileMu.Lock()
	defer w.profileMu.Unlock()
	w.mu.RLock()
	locked := w.id == nil
	prof := w.profile
	w.mu.RUnlock()
	if locked {
		return ErrLocked
	}
	fn(&prof)
	if err := w.saveProfile(prof); err != nil {
		return err
	}
	w.mu.Lock()
	if w.id != nil { // not locked meanwhile: Lock forgets the profile
		w.profile = prof
	}
	w.mu.Unlock()
	return nil
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
