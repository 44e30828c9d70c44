package app

import (
	"errors"
	"fmt"
	"syscall"
	"testing"

	"healthwallet/chain"
	"healthwallet/wallet"
)

// Errors from a network that is down or not set up read as one calm
// sentence, never as the node's error or a command to type; other errors
// keep the wallet's words.
func TestPlainError(t *testing.T) {
	cases := []struct {
		err  error
		want string
	}{
		{fmt.Errorf("anchoring: %w", chain.ErrChainDown), networkDownText},
		{fmt.Errorf("sending: %w", &netDown{fmt.Errorf("dial tcp 10.0.0.2:8545: %w", syscall.ECONNREFUSED)}), networkDownText},
		{fmt.Errorf("sharing: %w", wallet.ErrRelayUnreachable), networkDownText},
		{fmt.Errorf("chain id 5 where 31337 was expected: %w", chain.ErrWrongChain), networkMisconfiguredText},
		{fmt.Errorf("anchoring: %w", chain.ErrInsufficientFunds), networkMisconfiguredText},
		{wallet.ErrWrongPassword, sentence(wallet.ErrWrongPassword.Error())},
		{errors.New("the passcode is wrong: ask the patient for it"), "The passcode is wrong: ask the patient for it"},
	}
	for _, c := range cases {
		if got := plainError(c.err); got != c.want {
			t.Errorf("plainError(%q) = %q, want %q", c.err, got, c.want)
		}
	}
	for _, s := range []string{networkDownText, networkMisconfiguredText} {
		if techWords.MatchString(s) {
			t.Errorf("%q uses technical words", s)
		}
	}
}
