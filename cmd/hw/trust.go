package main

import (
	"fmt"

	"github.com/spf13/cobra"

	"healthwallet/wallet"
)

// This file: hw trust — the SMART Health Card issuers the patient trusts.

func (c *cli) trustCommand() *cobra.Command {
	cmd := &cobra.Command{
		Use:   "trust",
		Short: "Choose whose SMART Health Cards to believe",
		Long: `A SMART Health Card is verified only when its signature holds with its
issuer's keys AND its issuer is in a directory you trust. A directory is JSON in
the VCI format ({"issuerInfo":[{"issuer":{"iss","name"},"keys":[…]}]} or
{"participating_issuers":[{"iss","name"}]}), added from an https URL or a file.
Issuers' keys are kept in the wallet, so cards verify offline; directories added
from a URL are refreshed when a card is imported and they are a day old.`,
	}
	add := &cobra.Command{
		Use:   "add URL|FILE",
		Short: "Trust the issuers of a directory",
		Long:  `add reads a directory of card issuers. With --json, prints {"source","issuers","added","refreshed","problem"}.`,
		Args:  cobra.ExactArgs(1),
		RunE: c.action(func(cmd *cobra.Command, args []string) error {
			w, err := c.openWallet(cmd.Context())
			if err != nil {
				return err
			}
			defer w.Close()
			d, err := w.TrustAdd(cmd.Context(), args[0])
			if err != nil {
				return userErrorf("%w", err)
			}
			if c.jsonOut {
				return printJSON(c.stdout, d)
			}
			fmt.Fprintf(c.stdout, "Trusting %s listed by %s.\n", plural(d.Issuers, "card issuer"), d.Source)
			if d.Problem != "" {
				fmt.Fprintf(c.stdout, "  Note: %s\n", d.Problem)
			}
			return nil
		}),
	}
	list := &cobra.Command{
		Use:   "list",
		Short: "List the trusted directories and issuers",
		Long:  `list prints the directories and issuers you trust. With --json, prints {"directories":[…],"issuers":[{"iss","name","directory","keysFetched"}]}.`,
		Args:  cobra.NoArgs,
		RunE: c.action(func(cmd *cobra.Command, args []string) error {
			w, err := c.openWallet(cmd.Context())
			if err != nil {
				return err
			}
			defer w.Close()
			dirs, issuers, err := w.TrustList()
			if err != nil {
				return err
			}
			if c.jsonOut {
				return printJSON(c.stdout, struct {
					Directories []wallet.TrustedDirectory `json:"directories"`
					Issuers     []wallet.TrustedIssuer    `json:"issuers"`
				}{dirs, issuers})
			}
			if len(dirs) == 0 {
				fmt.Fprintln(c.stdout, "No card issuer is trusted: cards import unverified. Add a directory: hw trust add URL|FILE")
				return nil
			}
			for _, d := range dirs {
				fmt.Fprintf(c.stdout, "%s (%s, added %s)\n", d.Source, plural(d.Issuers, "issuer"), d.Added.Local().Format("2006-01-02"))
				if d.Problem != "" {
					fmt.Fprintf(c.stdout, "  Note: %s\n", d.Problem)
				}
			}
			for _, is := range issuers {
				keys := "keys not fetched yet"
				if !is.KeysAt.IsZero() {
					keys = "keys of " + is.KeysAt.Local().Format("2006-01-02 15:04")
				}
				fmt.Fprintf(c.stdout, "  %s  %s (%s)\n", is.Iss, oneLine(is.Name), keys)
			}
			return nil
		}),
	}
	remove := &cobra.Command{
		Use:   "remove ISS|SOURCE",
		Short: "Stop trusting an issuer or a directory",
		Args:  cobra.ExactArgs(1),
		RunE: c.action(func(cmd *cobra.Command, args []string) error {
			w, err := c.openWallet(cmd.Context())
			if err != nil {
				return err
			}
			defer w.Close()
			if err := w.TrustRemove(args[0]); err != nil {
				return userErrorf("%w", err)
			}
			fmt.Fprintf(c.stdout, "No longer trusting %s.\n", args[0])
			return nil
		}),
	}
	cmd.AddCommand(add, list, remove)
	return cmd
}
