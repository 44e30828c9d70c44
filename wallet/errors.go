package wallet

import "errors"

// Errors a caller can act on. Wrapped errors keep these in their chain, so
// test with errors.Is.
var (
	ErrNoWallet      = errors.New("no wallet here: create one (hw init) or restore one (hw restore)")
	ErrWalletExists  = errors.New("a wallet already exists here: choose another directory")
	ErrWrongPassword = errors.New("wrong password: try again, or reset it with your 24-word recovery phrase")
	ErrLocked        = errors.New("the wallet is locked: unlock it with your password")
	ErrNotFound      = errors.New("no such record")
	ErrBadMnemonic   = errors.New("invalid recovery phrase")
)
