package chain_test

import (
	"math/big"
	"testing"

	"github.com/ethereum/go-ethereum/common"
	"github.com/ethereum/go-ethereum/crypto"

	"healthwallet/chain"
)

// Every signed action reads back with its signer, patient and deadline, and
// Resign gives the same action with a new deadline; a signature for another
// registry recovers someone else.
func TestSignedActionsReadBack(t *testing.T) {
	key, err := crypto.GenerateKey()
	if err != nil {
		t.Fatal(err)
	}
	me := crypto.PubkeyToAddress(key.PublicKey)
	registry := common.HexToAddress("0x00000000000000000000000000000000000000aa")
	s := chain.Signer{Key: key, ChainID: big.NewInt(1337), Registry: registry}
	patient := common.HexToAddress("0x00000000000000000000000000000000000000bb")
	root, digest := crypto.Keccak256Hash([]byte("root")), crypto.Keccak256Hash([]byte("digest"))
	must := func(b []byte, err error) []byte {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
		return b
	}
	cases := []struct {
		data    []byte
		method  string
		patient common.Address
	}{
		{must(s.Anchor(root, 3, 100)), "anchorSigned", me},
		{must(s.IssueGrant(patient, digest, me, 90, 100)), "issueGrantSigned", patient},
		{must(s.RevokeGrant(patient, digest, 100)), "revokeGrantSigned", patient},
		{must(s.SetDelegate(patient, 3, 90, root, 4, 100)), "setDelegateSigned", me},
		{must(s.RevokeDelegate(patient, 5, 100)), "revokeDelegateSigned", me},
		{must(s.LogAccess(chain.GrantKey(patient, digest), root, 100)), "logAccess", common.Address{}},
	}
	for _, c := range cases {
		a, err := chain.DecodeAction(c.data, s.ChainID, registry)
		if err != nil || a.Method != c.method || a.Signer != me || a.Patient != c.patient || a.Deadline != 100 || !a.Signed() {
			t.Fatalf("%s read back as %+v, %v", c.method, a, err)
		}
		again, err := s.Resign(a, 200)
		if err != nil {
			t.Fatal(err)
		}
		b, err := chain.DecodeAction(again, s.ChainID, registry)
		if err != nil || b.Method != a.Method || b.Signer != me || b.Patient != a.Patient || b.Root != a.Root || b.Digest != a.Digest || b.Entry != a.Entry || b.Delegate != a.Delegate || b.Rights != a.Rights || b.Expiry != a.Expiry || b.Scope != a.Scope || b.Deadline != 200 {
			t.Fatalf("%s signed again: %+v, %v", c.method, b, err)
		}
		if other, err := chain.DecodeAction(c.data, s.ChainID, common.HexToAddress("0x01")); err == nil && other.Signer == me {
			t.Fatalf("%s: a signature for one registry recovers the same signer on another", c.method)
		}
	}
	plain, err := chain.DecodeAction(append([]byte(nil), cases[0].data[:4]...), s.ChainID, registry)
	if err == nil {
		t.Fatalf("truncated calldata read as %+v", plain)
	}
}
