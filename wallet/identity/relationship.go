package identity

import (
	"crypto/ecdsa"
	"errors"
	"fmt"
	"math/big"

	"github.com/ethereum/go-ethereum/common"
	"github.com/ethereum/go-ethereum/crypto"
)

// Relationship keys (issue 9, design point 2). A caregiver acts for each
// person through an address of its own, which nothing on chain links to the
// caregiver's card or to the caregiver's other people: the patient draws a
// random 32-byte tweak t for the delegation, and the delegate's public key is
// P + t·G, where P is the caregiver's chain public key (recovered from the
// signature of their identity card). Only the caregiver, who holds p, can
// compute the private key p + t mod n; the tweak travels only inside the
// sealed invitation. Without t, P + t·G is unrelated to P.

// ErrBadTweak: the tweak is zero or not below the curve order, so it would
// not give a relationship key (drawn at random, this never happens).
var ErrBadTweak = errors.New("identity: the relationship tweak is not a valid scalar")

// tweakScalar reads t and refuses 0 and values ≥ n.
func tweakScalar(tweak [32]byte) (*big.Int, error) {
	t := new(big.Int).SetBytes(tweak[:])
	if t.Sign() == 0 || t.Cmp(crypto.S256().Params().N) >= 0 {
		return nil, ErrBadTweak
	}
	return t, nil
}

// CardPublicKey recovers the caregiver's chain public key from their card's
// signature, after checking the card (the error wraps [ErrBadCard] or
// [ErrCardSignature]).
func CardPublicKey(card Card) (*ecdsa.PublicKey, error) {
	if err := card.Verify(); err != nil {
		return nil, err
	}
	pub, err := crypto.SigToPub(card.signingDigest(), card.Signature)
	if err != nil {
		return nil, fmt.Errorf("%w: %v", ErrCardSignature, err)
	}
	return pub, nil
}

// RelationshipPublicKey is P + t·G for the card's key P.
func RelationshipPublicKey(card Card, tweak [32]byte) (*ecdsa.PublicKey, error) {
	pub, err := CardPublicKey(card)
	if err != nil {
		return nil, err
	}
	t, err := tweakScalar(tweak)
	if err != nil {
		return nil, err
	}
	curve := crypto.S256()
	tx, ty := curve.ScalarBaseMult(t.FillBytes(make([]byte, 32)))
	x, y := curve.Add(pub.X, pub.Y, tx, ty)
	if x.Sign() == 0 && y.Sign() == 0 {
		// P = -t·G: the point at infinity (probability 2^-256 for a random t).
		return nil, ErrBadTweak
	}
	return &ecdsa.PublicKey{Curve: curve, X: x, Y: y}, nil
}

// RelationshipAddress is the address the card's owner acts through in the
// relationship that tweak names: the address of P + t·G.
func RelationshipAddress(card Card, tweak [32]byte) (common.Address, error) {
	pub, err := RelationshipPublicKey(card, tweak)
	if err != nil {
		return common.Address{}, err
	}
	return crypto.PubkeyToAddress(*pub), nil
}

// RelationshipKey is the private key p + t mod n of the relationship that
// tweak names: its address is [RelationshipAddress] of this identity's card.
// The key is a new one, the caller's; Wipe does not reach it.
func (id *Identity) RelationshipKey(tweak [32]byte) (*ecdsa.PrivateKey, error) {
	if id.wiped {
		return nil, ErrWiped
	}
	t, err := tweakScalar(tweak)
	if err != nil {
		return nil, err
	}
	n := crypto.S256().Params().N
	//lint:ignore SA1019 D is the only handle on the scalar go-ethereum signs with
	d := new(big.Int).Add(id.chainKey.D, t)
	d.Mod(d, n)
	if d.Sign() == 0 {
		return nil, ErrBadTweak
	}
	b := d.FillBytes(make([]byte, 32))
	defer clear(b)
	k, err := crypto.ToECDSA(b)
	if err != nil {
		return nil, fmt.Errorf("identity: relationship key: %w", err)
	}
	return k, nil
}
