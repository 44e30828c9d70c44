package identity_test

import (
	"errors"
	"fmt"
	"strings"

	"healthwallet/wallet/identity"
)

func ExampleNewMnemonic() {
	m, err := identity.NewMnemonic()
	if err != nil {
		panic(err)
	}
	// Show m to the patient once; derive the keys and let m go.
	id, err := identity.FromMnemonic(m)
	if err != nil {
		panic(err)
	}
	defer id.Wipe()
	fmt.Println(len(strings.Fields(m)), "words")
	// Output: 24 words
}

func ExampleCheckMnemonic() {
	typed := "letter advice cage absurd amount doctor acoustc avoid letter advice cage absurd amount doctor acoustic avoid letter advice cage absurd amount doctor acoustic bless"
	err := identity.CheckMnemonic(typed)
	fmt.Println(errors.Is(err, identity.ErrBadMnemonic))
	fmt.Println(err)
	// Output:
	// true
	// invalid recovery phrase: word 7 ("acoustc") is not in the word list (did you mean "acoustic"?)
}

func ExampleParseCard() {
	id, err := identity.FromMnemonic("letter advice cage absurd amount doctor acoustic avoid letter advice cage absurd amount doctor acoustic avoid letter advice cage absurd amount doctor acoustic bless")
	if err != nil {
		panic(err)
	}
	card, err := id.Card("Ada Lovelace")
	if err != nil {
		panic(err)
	}
	text := card.String() // what the QR code carries

	// On the other person's device:
	got, err := identity.ParseCard(text)
	if err != nil {
		fmt.Println("refused:", err)
		return
	}
	fmt.Println(got.DisplayName, got.Address)

	got.DisplayName = "Dr. Ada Lovelace"
	fmt.Println(errors.Is(got.Verify(), identity.ErrCardSignature))
	// Output:
	// Ada Lovelace 0xc6e4A4f5A9743fAB9bC8D648499e63E083d2519A
	// true
}
