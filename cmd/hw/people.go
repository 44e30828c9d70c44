package main

import (
	"errors"

	"github.com/spf13/cobra"

	"healthwallet/wallet"
)

// personFlags are --person P (and --everyone) of the commands that work on
// one person's records: the owner's unless told.
type personFlags struct {
	person   string
	everyone bool
	caredFor string // set by resolve when P is someone this wallet cares for
}

func (p *personFlags) add(cmd *cobra.Command, everyone bool) {
	cmd.Flags().StringVar(&p.person, "person", "", "the records of `P`: an id, name, birth date or address from hw people (default: yours)")
	if everyone {
		cmd.Flags().BoolVar(&p.everyone, "everyone", false, "the records of everyone in this wallet")
	}
}

// resolve turns the flags into a wallet.Query.Person.
func (p *personFlags) resolve(w *wallet.Wallet) (string, error) {
	if p.everyone {
		if p.person != "" {
			return "", userErrorf("give --person or --everyone, not both")
		}
		return wallet.Everyone, nil
	}
	if p.person == "" {
		return wallet.OwnerID, nil
	}
	who, err := w.FindPerson(p.person)
	if errors.Is(err, wallet.ErrNoSuchPerson) || errors.Is(err, wallet.ErrAmbiguousPerson) {
		return "", userErrorf("%w", err)
	}
	if err != nil {
		return "", err
	}
	if who.CaredFor {
		p.caredFor = who.ID
	}
	return who.ID, nil
}
