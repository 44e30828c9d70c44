package chain_test

import (
	"errors"
	"math/big"
	"testing"

	"github.com/ethereum/go-ethereum/common"
	"github.com/ethereum/go-ethereum/crypto"

	"healthwallet/chain"
	"healthwallet/chain/contracts"
)

// FuzzDecodeAction feeds DecodeAction what anyone may send a network's
// submission endpoint: never a panic; anything else than a registry call is
// ErrNotAction; and a signed action that decodes, signed again by another
// key, reads back as the same action (same fields) by that key.
func FuzzDecodeAction(f *testing.F) {
	registry := common.HexToAddress("0x00000000000000000000000000000000000000aa")
	chainID := big.NewInt(1337)
	key, _ := crypto.ToECDSA(crypto.Keccak256([]byte("fuzz signer")))
	other, _ := crypto.ToECDSA(crypto.Keccak256([]byte("fuzz resigner")))
	s := chain.Signer{Key: key, ChainID: chainID, Registry: registry}
	patient := common.HexToAddress("0x00000000000000000000000000000000000000bb")
	h := crypto.Keccak256Hash([]byte("h"))
	add := func(b []byte, err error) {
		if err == nil {
			f.Add(b)
		}
	}
	add(s.Anchor(h, 3, 100))
	add(s.IssueGrant(patient, h, patient, 90, 100))
	add(s.RevokeGrant(patient, h, 100))
	add(s.SetDelegate(patient, 3, 90, h, 4, 100))
	add(s.RevokeDelegate(patient, 5, 100))
	add(s.LogAccess(chain.GrantKey(patient, h), h, 100))
	reg := contracts.NewHealthRegistry()
	f.Add(reg.PackSetDelegate(patient, 1, 90, h))
	f.Add(reg.PackAnchor(h, 1))
	f.Add(reg.PackDelegateOf(patient, patient))
	f.Add([]byte{1, 2, 3})
	f.Fuzz(func(t *testing.T, data []byte) {
		a, err := chain.DecodeAction(data, chainID, registry)
		if err != nil {
			return // ErrNotAction, or a signature that does not recover
		}
		if !a.Signed() {
			return
		}
		again, err := chain.Signer{Key: other, ChainID: chainID, Registry: registry}.Resign(a, a.Deadline+1)
		if errors.Is(err, chain.ErrNoScope) && a.Scope == (common.Hash{}) {
			return // a delegation without a scope is not signed again
		}
		if err != nil {
			t.Fatalf("%s decoded but does not sign again: %v", a.Method, err)
		}
		b, err := chain.DecodeAction(again, chainID, registry)
		if err != nil {
			t.Fatalf("%s signed again does not decode: %v", a.Method, err)
		}
		want := crypto.PubkeyToAddress(other.PublicKey)
		if b.Method != a.Method || b.Signer != want || b.Root != a.Root || b.Digest != a.Digest || b.GrantKey != a.GrantKey ||
			b.Entry != a.Entry || b.Delegate != a.Delegate || b.Rights != a.Rights || b.Expiry != a.Expiry || b.Scope != a.Scope ||
			b.Deadline != a.Deadline+1 {
			t.Fatalf("signed again:\n%+v\nwas\n%+v", b, a)
		}
	})
}
