package app

import (
	"errors"

	"healthwallet/chain"
	"healthwallet/wallet"
)

// This file: what the app says when something goes wrong underneath, in
// plain words (issue 12, item 4). The main flows never show a node's
// error, a chain id or a command's flags; Settings → Advanced shows what
// the wallet said, for whoever helps.

// networkDownText is what the app says wherever the network cannot be
// reached, instead of the error underneath.
const networkDownText = "Can't reach the network right now: your records are safe; anchoring and sharing will resume when it is back."

// networkMisconfiguredText is what the app says when the network answers
// but cannot take this wallet's actions (another chain than expected, no
// contract, nothing to pay with).
const networkMisconfiguredText = "The network is not set up the way this wallet expects, so nothing was sent: your records are safe here. " +
	"Whoever runs the network can see why in Settings → Advanced."

// plainError is err as a sentence for a person: a network that cannot be
// reached or is not set up reads the same calm sentence whatever failed
// underneath; anything else is the wallet's own message, which already
// says what happened and what to do.
func plainError(err error) string {
	switch {
	case chain.IsUnreachable(err), errors.Is(err, wallet.ErrRelayUnreachable):
		return networkDownText
	case errors.Is(err, chain.ErrWrongChain), errors.Is(err, chain.ErrNoRegistry),
		errors.Is(err, chain.ErrInsufficientFunds), errors.Is(err, chain.ErrNoDevAccount):
		return networkMisconfiguredText
	}
	return sentence(err.Error())
}
