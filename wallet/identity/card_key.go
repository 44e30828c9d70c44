package identity

import (
	"crypto/ecdsa"
	"fmt"
	"strings"

	"github.com/ethereum/go-ethereum/crypto"
)

// CardFor makes the identity card of an identity derived from a wallet's
// (a person kept apart in it, issue 12): their own address, signed by their
// own key, with the sharing key given.
func CardFor(key *ecdsa.PrivateKey, sharingKey [32]byte, displayName string) (Card, error) {
	displayName = strings.TrimSpace(displayName)
	if err := CheckDisplayName(displayName); err != nil {
		return Card{}, err
	}
	c := Card{Address: crypto.PubkeyToAddress(key.PublicKey), DisplayName: displayName, SharingKey: sharingKey}
	sig, err := crypto.Sign(c.signingDigest(), key)
	if err != nil {
		return Card{}, fmt.Errorf("identity: signing card: %w", err)
	}
	c.Signature = sig
	return c, nil
}
