package wallet

import (
	"errors"

	"healthwallet/wallet/identity"
)

// Errors a caller can act on. Wrapped errors keep these in their chain, so
// test with errors.Is.
var (
	ErrNoWallet       = errors.New("no wallet here: create one (hw init) or restore one (hw restore)")
	ErrWalletExists   = errors.New("a wallet already exists here: choose another directory")
	ErrWrongPassword  = errors.New("wrong password: try again, or reset it with your 24-word recovery phrase")
	ErrLocked         = errors.New("the wallet is locked: unlock it with your password")
	ErrNotFound       = errors.New("no such record")
	ErrBadDisplayName = errors.New("choose another display name: 1 to 64 characters, no control characters")
	ErrBadMnemonic    = identity.ErrBadMnemonic // wrapped with what is wrong: a word, the count, the checksum
)

// ErrInUse means another program (the app, or another hw) has the wallet open.
var ErrInUse = errors.New("the wallet is open in another program: close it there and try again")
