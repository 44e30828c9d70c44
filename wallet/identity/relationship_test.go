package identity

import (
	"crypto/rand"
	"errors"
	"math/big"
	"testing"

	"github.com/ethereum/go-ethereum/common"
	"github.com/ethereum/go-ethereum/crypto"
)

func randomTweak(t *testing.T) [32]byte {
	t.Helper()
	var tw [32]byte
	if _, err := rand.Read(tw[:]); err != nil {
		t.Fatal(err)
	}
	return tw
}

// The patient computes the address from the card; the caregiver the key from
// the seed: they must meet, or the caregiver could never act.
func TestRelationshipAddressMatchesKey(t *testing.T) {
	id := mustIdentity(t, phrase24)
	card := mustCard(t, id, "Ada Lovelace")
	for range 20 {
		tw := randomTweak(t)
		addr, err := RelationshipAddress(card, tw)
		if err != nil {
			t.Fatal(err)
		}
		k, err := id.RelationshipKey(tw)
		if err != nil {
			t.Fatal(err)
		}
		if got := crypto.PubkeyToAddress(k.PublicKey); got != addr {
			t.Fatalf("the key's address %s ≠ the card's relationship address %s", got.Hex(), addr.Hex())
		}
		if addr == card.Address {
			t.Fatal("the relationship address is the card's own address")
		}
		// The key signs as the address (what the chain recovers).
		digest := crypto.Keccak256([]byte("x"))
		sig, err := crypto.Sign(digest, k)
		if err != nil {
			t.Fatal(err)
		}
		pub, err := crypto.SigToPub(digest, sig)
		if err != nil || crypto.PubkeyToAddress(*pub) != addr {
			t.Fatalf("a signature by the relationship key recovers %v, %v", pub, err)
		}
	}
}

// Different tweaks give unrelated addresses; the same tweak for another
// person's card gives another address.
func TestRelationshipAddressesUnrelated(t *testing.T) {
	id := mustIdentity(t, phrase24)
	card := mustCard(t, id, "Ada Lovelace")
	other := mustCard(t, mustIdentity(t, strangerPhrase), "Stranger")
	seen := map[common.Address]bool{card.Address: true, other.Address: true}
	for range 50 {
		tw := randomTweak(t)
		a, err := RelationshipAddress(card, tw)
		if err != nil {
			t.Fatal(err)
		}
		b, err := RelationshipAddress(other, tw)
		if err != nil {
			t.Fatal(err)
		}
		if seen[a] || seen[b] || a == b {
			t.Fatalf("address seen twice: %s %s", a.Hex(), b.Hex())
		}
		seen[a], seen[b] = true, true
	}
}

// A card altered or signed by someone else is refused: otherwise the patient
// would delegate to a key the forger controls.
func TestRelationshipForgedCardRefused(t *testing.T) {
	id := mustIdentity(t, phrase24)
	card := mustCard(t, id, "Ada Lovelace")
	tw := randomTweak(t)

	renamed := card
	renamed.DisplayName = "Ada Lovelace Jr"
	if _, err := RelationshipAddress(renamed, tw); !errors.Is(err, ErrCardSignature) {
		t.Fatalf("renamed card: %v; want ErrCardSignature", err)
	}
	// The stranger signs a card naming Ada's address: the recovered key is the
	// stranger's, which does not match the address.
	stranger := mustIdentity(t, strangerPhrase)
	forged := signAnyway(t, stranger, Card{Address: card.Address, SharingKey: card.SharingKey, DisplayName: "Ada Lovelace"})
	if _, err := RelationshipAddress(forged, tw); !errors.Is(err, ErrCardSignature) {
		t.Fatalf("card signed by a stranger: %v; want ErrCardSignature", err)
	}
	noSig := card
	noSig.Signature = nil
	if _, err := RelationshipAddress(noSig, tw); !errors.Is(err, ErrCardSignature) {
		t.Fatalf("unsigned card: %v", err)
	}
}

func TestRelationshipBadTweak(t *testing.T) {
	id := mustIdentity(t, phrase24)
	card := mustCard(t, id, "Ada Lovelace")
	var zero [32]byte
	var n [32]byte
	crypto.S256().Params().N.FillBytes(n[:])
	for _, tw := range [][32]byte{zero, n} {
		if _, err := RelationshipAddress(card, tw); !errors.Is(err, ErrBadTweak) {
			t.Fatalf("tweak %x: %v; want ErrBadTweak", tw, err)
		}
		if _, err := id.RelationshipKey(tw); !errors.Is(err, ErrBadTweak) {
			t.Fatalf("key with tweak %x: %v; want ErrBadTweak", tw, err)
		}
	}
	id.Wipe()
	if _, err := id.RelationshipKey(randomTweak(t)); !errors.Is(err, ErrWiped) {
		t.Fatalf("after Wipe: %v", err)
	}
}

// The derivation is part of the wallet format: a caregiver restoring their
// wallet must reach the same relationship addresses. Pinned: phrase24 with
// tweak 0x01…20 (bytes 1 to 32). The key is also checked as p + t mod n
// computed here independently with big integers.
func TestRelationshipVector(t *testing.T) {
	id := mustIdentity(t, phrase24)
	var tw [32]byte
	for i := range tw {
		tw[i] = byte(i + 1)
	}
	k, err := id.RelationshipKey(tw)
	if err != nil {
		t.Fatal(err)
	}
	p := mustPrivateKey(t, id)
	//lint:ignore SA1019 the scalar, to check the sum independently
	sum := new(big.Int).Add(p.D, new(big.Int).SetBytes(tw[:]))
	sum.Mod(sum, crypto.S256().Params().N)
	//lint:ignore SA1019 idem
	if k.D.Cmp(sum) != 0 {
		t.Fatal("the relationship key is not p + t mod n")
	}
	addr, err := RelationshipAddress(mustCard(t, id, "Ada Lovelace"), tw)
	if err != nil {
		t.Fatal(err)
	}
	const golden = "0x3F6e34eEC0da7b1ab1DCA8DfcbAdecb963C4cb00"
	if addr.Hex() != golden {
		t.Fatalf("relationship address of phrase24 and tweak 01…20 = %s; want %s", addr.Hex(), golden)
	}
}
