package main

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"

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
	who, err := findPerson(w, p.person)
	if err != nil {
		return "", err
	}
	if who.CaredFor {
		p.caredFor = who.ID
	}
	return who.ID, nil
}

// findPerson is wallet.FindPerson, with no one or more than one found as
// the user's mistake.
func findPerson(w *wallet.Wallet, who string) (wallet.Person, error) {
	p, err := w.FindPerson(who)
	if errors.Is(err, wallet.ErrNoSuchPerson) || errors.Is(err, wallet.ErrAmbiguousPerson) {
		return p, userErrorf("%w", err)
	}
	return p, err
}

// peopleHandoverCommand is hw people handover P --out DIR: a person's space
// leaves this wallet as a wallet of their own.
func (c *cli) peopleHandoverCommand() *cobra.Command {
	var out, newPasswordFile string
	var yes bool
	cmd := &cobra.Command{
		Use:   "handover PERSON --out DIR",
		Short: "Move someone kept apart into a new wallet of their own",
		Long: `handover moves everything this wallet holds about PERSON (someone an import
kept apart; an id, name, birth date or address from hw people) into a new
wallet of their own, for them to keep: every record and kept file, with where
each came from, anchored again under the new wallet's own address.

The new wallet gets a new recovery phrase that this wallet cannot derive, and
the password from $HW_NEW_PASSWORD, --new-password-file, or typed twice. It is
saved in --out: a new folder, or inside an existing folder as PERSON-wallet.
It uses this wallet's chain, network and relay.

Then this wallet stops PERSON's active shares (they were made under an address
the new wallet does not hold) and removes their records: it keeps nothing of
theirs. That cannot be undone; on a terminal hw asks first, --yes does not
(without a terminal --yes is required). Nothing changes here unless the new
wallet was written and opened again with its password.

Write the new recovery phrase down and give it to the person with the folder.
With --json, prints {"path","name","address","records","sharesRevoked",
"recoveryPhrase","problem"}.`,
		Args: cobra.ExactArgs(1),
		RunE: c.action(func(cmd *cobra.Command, args []string) error {
			ctx := cmd.Context()
			if strings.TrimSpace(out) == "" {
				return userErrorf("say where the new wallet goes: --out DIR (a new folder, or an existing one to put it in)")
			}
			opts, err := c.walletOptions()
			if err != nil {
				return err
			}
			w, err := c.openChainWallet(ctx)
			if err != nil {
				return err
			}
			defer w.Close()
			p, err := findPerson(w, args[0])
			if err != nil {
				return err
			}
			if p.Owner || p.CaredFor {
				_, err := w.HandOver(ctx, p.ID, wallet.HandOverRequest{})
				return userErrorf("%w", err)
			}
			path := out
			if st, err := os.Stat(out); err == nil && st.IsDir() {
				path = filepath.Join(out, p.ID+"-wallet")
			}
			if wallet.Exists(path) {
				// The wallet's words: likely a handover that did not finish.
				_, err := w.HandOver(ctx, p.ID, wallet.HandOverRequest{Path: path})
				return userErrorf("%w", err)
			}
			if _, err := os.Lstat(path); err == nil {
				return userErrorf("%s already exists: choose a new folder for %s's wallet with --out", path, p.Name)
			}
			active, err := w.ActiveSharesOf(p.ID)
			if err != nil {
				return err
			}
			question := fmt.Sprintf("%s's %s will move to a new wallet of their own in %s; %s will be stopped; this wallet will no longer hold them. Go on? [y/N] ",
				p.Name, plural(p.Records, "record"), path, plural(active, "active share"))
			if err := c.confirmIrreversible(ctx, yes, question, "nothing was handed over", "handing "+p.Name+" over cannot be undone"); err != nil {
				return err
			}
			pw, err := c.newPassword(ctx, secretSource{env: "HW_NEW_PASSWORD", file: newPasswordFile, fileFlag: "--new-password-file", what: "password for " + p.Name + "'s wallet"})
			if err != nil {
				return err
			}
			defer clear(pw)
			lastStep := ""
			res, err := w.HandOver(ctx, p.ID, wallet.HandOverRequest{Path: path, Password: pw, Options: opts,
				Progress: func(pr wallet.HandOverProgress) {
					if pr.Step != lastStep && !c.jsonOut {
						lastStep = pr.Step
						fmt.Fprintf(c.stderr, "%s…\n", pr.Step)
					}
				}})
			if res.RecoveryPhrase == "" {
				if errors.Is(err, wallet.ErrHandOver) {
					return userErrorf("%w", err)
				}
				return err
			}
			if errors.Is(err, wallet.ErrSharesNotStopped) {
				// Their space stays here until the stop is confirmed.
				err = userErrorf("%w (hw shares shows them; then hw people drop %s)", err, p.ID)
			}
			c.warnWeakKDF()
			if c.jsonOut {
				c.warn("the JSON below holds the new wallet's recovery phrase: give it to %s, then delete every other copy", p.Name)
				if perr := printJSON(c.stdout, res); perr != nil {
					return perr
				}
				return err
			}
			fmt.Fprintf(c.stdout, "%s's %s are in a wallet of their own: %s\nIts address: %s\n",
				res.Name, plural(res.Records, "record"), res.Path, res.Address)
			if res.SharesRevoked > 0 {
				fmt.Fprintf(c.stdout, "Stopped %s of theirs made from this wallet.\n", plural(res.SharesRevoked, "share"))
			}
			if err == nil {
				fmt.Fprintf(c.stdout, "This wallet no longer holds %s's records.\n", res.Name)
			}
			if res.Problem != "" {
				c.warn("%s", res.Problem)
			}
			fmt.Fprintf(c.stderr, `
The new wallet's recovery phrase follows. Write it down on paper, in order, and
give it to %s together with the wallet's folder,
  %s
It is shown only this once; with it they open their wallet if they forget its
password. Keep no copy yourself.

`, res.Name, res.Path)
			c.printPhrase(res.RecoveryPhrase)
			return err
		}),
	}
	cmd.Flags().StringVar(&out, "out", "", "the new wallet's folder `DIR` (new, or an existing folder to put it in)")
	cmd.Flags().StringVar(&newPasswordFile, "new-password-file", "", "read the new wallet's password from the first line of `FILE`")
	cmd.Flags().BoolVarP(&yes, "yes", "y", false, "do not ask for confirmation")
	return cmd
}

// peopleDropCommand is hw people drop P: the app's People → Drop.
func (c *cli) peopleDropCommand() *cobra.Command {
	var yes bool
	cmd := &cobra.Command{
		Use:   "drop PERSON",
		Short: "Delete the records of someone kept apart, and their space",
		Long: `drop deletes everything this wallet holds about PERSON (someone an import
kept apart; an id, name, birth date or address from hw people): every record
and kept file, and this wallet's records of their shares. It cannot be
undone; on a terminal hw asks first, --yes does not (without a terminal
--yes is required).

It first stops every share of their records that still stands, as hw revoke
does. It then refuses while the chain or the relay has yet to confirm a stop
(one could not be reached): stopping it needs the key their space holds, so
the records stay until it is confirmed; run it again then. hw shares shows
where each share is.`,
		Args: cobra.ExactArgs(1),
		RunE: c.action(func(cmd *cobra.Command, args []string) error {
			ctx := cmd.Context()
			w, err := c.openChainWallet(ctx)
			if err != nil {
				return err
			}
			defer w.Close()
			p, err := findPerson(w, args[0])
			if err != nil {
				return err
			}
			switch {
			case p.Owner:
				return userErrorf("these are your own records: the wallet's owner cannot be dropped")
			case p.CaredFor:
				return userErrorf("you care for %s through their own wallet: their records here come from it, and are not dropped", p.Name)
			}
			active, err := w.ActiveSharesOf(p.ID)
			if err != nil {
				return err
			}
			stopFirst := ""
			if active > 0 {
				stopFirst = fmt.Sprintf(" Their %s will be stopped first.", plural(active, "active share"))
			}
			question := fmt.Sprintf("%s's %s will be deleted from this wallet.%s Go on? [y/N] ", p.Name, plural(p.Records, "record"), stopFirst)
			if err := c.confirmIrreversible(ctx, yes, question, "nothing was dropped", "dropping "+p.Name+" cannot be undone"); err != nil {
				return err
			}
			if stopped, _, err := w.StopSharesOf(ctx, p.ID); err != nil {
				return sharingError(err)
			} else if stopped > 0 {
				fmt.Fprintf(c.stderr, "Stopped %s's %s.\n", p.Name, plural(stopped, "share"))
			}
			if err := w.DropPerson(p.ID); errors.Is(err, wallet.ErrSharesNotStopped) {
				return userErrorf("%w (hw shares shows them)", err)
			} else if err != nil {
				return err
			}
			fmt.Fprintf(c.stdout, "Dropped %s's %s.\n", p.Name, plural(p.Records, "record"))
			return nil
		}),
	}
	cmd.Flags().BoolVarP(&yes, "yes", "y", false, "do not ask for confirmation")
	return cmd
}
