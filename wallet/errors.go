package wallet

import (
	"errors"

	"healthwallet/wallet/identity"
	"healthwallet/wallet/vault"
)

// Errors a caller can act on. Wrapped errors keep these in their chain, so
// test with errors.Is. Where a lower package already has the right error, the
// wallet hands it on under the same name here, so callers import only wallet.
var (
	ErrNoWallet       = errors.New("no wallet here: create one (hw init) or restore one (hw restore)")
	ErrWalletExists   = errors.New("a wallet already exists here: choose another directory")
	ErrNotFound       = errors.New("no such record")
	ErrBadDisplayName = errors.New("choose another display name: 1 to 64 characters, no control characters")
	ErrBadMnemonic    = identity.ErrBadMnemonic // wrapped with what is wrong: a word, the count, the checksum

	ErrWrongPassword = vault.ErrWrongPassword
	ErrLocked        = vault.ErrLocked
	ErrInUse         = vault.ErrInUse       // another program has the wallet open
	ErrNotVault      = vault.ErrNotVault    // the wallet file is not a vault (or its header is destroyed)
	ErrNewerFormat   = vault.ErrNewerFormat // written by a newer Health Wallet
	ErrCorrupt       = vault.ErrCorrupt     // failed its integrity check
	ErrNotBackup     = vault.ErrNotBackup   // not a Health Wallet backup, or a damaged one
)
