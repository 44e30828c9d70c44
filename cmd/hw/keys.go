package main

import (
	"context"
	"crypto/rand"
	"fmt"
	"math/big"
	"slices"
	"strings"

	"github.com/skip2/go-qrcode"
	"github.com/spf13/cobra"

	"healthwallet/wallet"
	"healthwallet/wallet/network"
)

// This file: the commands about the wallet itself and its keys — init,
// restore, passwd, card.

func (c *cli) initCommand() *cobra.Command {
	var name, joinURL, invite string
	var yes bool
	cmd := &cobra.Command{
		Use:   "init",
		Short: "Create a new wallet with a new 24-word recovery phrase",
		Long: `init creates a new wallet and shows its 24-word recovery phrase once.

Write the phrase down on paper and keep it safe: it is the only way back in if
you forget your password, and it restores your backups on a new device.
Anyone who has it can open your wallet. At a terminal, init asks for some of
the words back before it creates the wallet; --yes skips that.`,
		Args: cobra.NoArgs,
		RunE: c.action(func(cmd *cobra.Command, _ []string) error {
			return c.runInit(cmd.Context(), name, yes, joinURL, invite)
		}),
	}
	cmd.Flags().StringVar(&name, "name", "", "your name, as shown on your identity card (asked when not given)")
	cmd.Flags().StringVar(&joinURL, "network", "", "join the network at `URL` (or QR image) right after creating the wallet")
	cmd.Flags().StringVar(&invite, "invite", "", "the network's invitation `CODE`, for an invitation-only network")
	cmd.Flags().BoolVarP(&yes, "yes", "y", false, "do not ask for words of the phrase back")
	return cmd
}

// newWallet is what init and restore ask before anything else: the wallet's
// directory (where no wallet may exist yet), its options and the display
// name (--name, else asked).
type newWallet struct {
	dir  string
	opts wallet.Options
	name string
}

func (c *cli) prepareNewWallet(ctx context.Context, name string) (newWallet, error) {
	dir, err := c.vaultDir()
	if err != nil {
		return newWallet{}, err
	}
	if wallet.Exists(dir) {
		return newWallet{}, userErrorf("%w (%s; another one is chosen with --vault)", wallet.ErrWalletExists, dir)
	}
	opts, err := c.walletOptions()
	if err != nil {
		return newWallet{}, err
	}
	if name, err = c.displayName(ctx, name); err != nil {
		return newWallet{}, err
	}
	return newWallet{dir: dir, opts: opts, name: name}, nil
}

func (c *cli) runInit(ctx context.Context, name string, yes bool, joinURL, invite string) error {
	nw, err := c.prepareNewWallet(ctx, name)
	if err != nil {
		return err
	}
	dir := nw.dir
	pw, err := c.newPassword(ctx, c.newWalletPasswordSource())
	if err != nil {
		return err
	}
	defer clear(pw)
	m, err := wallet.NewMnemonic()
	if err != nil {
		return err
	}
	if !c.jsonOut {
		c.showPhrase(m)
		if c.tty != nil && !yes {
			if err := c.confirmPhrase(ctx, m); err != nil {
				return err
			}
		}
	}
	w, err := wallet.Create(dir, m, pw, nw.name, nw.opts)
	if err != nil {
		return err
	}
	defer w.Close()
	c.warnWeakKDF()
	// The wallet exists now: a failed join is reported after it, and the
	// phrase is printed all the same.
	var joined *network.Membership
	var joinErr error
	if strings.TrimSpace(joinURL) != "" {
		m, err := c.joinAfterInit(ctx, w, joinURL, invite)
		if err == nil {
			joined = &m
		}
		joinErr = err
	}
	if c.jsonOut {
		c.warn("the JSON below holds your recovery phrase: store it safely, then delete every other copy")
		if err := printJSON(c.stdout, struct {
			Dir      string              `json:"dir"`
			Address  string              `json:"address"`
			Name     string              `json:"name"`
			Mnemonic string              `json:"mnemonic"`
			Network  *network.Membership `json:"network,omitempty"`
		}{dir, w.Address(), w.DisplayName(), m, joined}); err != nil {
			return err
		}
		return joinErr
	}
	fmt.Fprintf(c.stdout, "Created a wallet in %s\nAddress: %s\n", dir, w.Address())
	if joined != nil {
		fmt.Fprintf(c.stdout, "Joined the %s network\n", joined.Name)
	}
	return joinErr
}

// showPhrase prints the phrase on standard output and the warning that goes
// with it on standard error. At a terminal the words are numbered; otherwise
// the phrase is one line, easy to store.
func (c *cli) showPhrase(m string) {
	fmt.Fprint(c.stderr, `
Your recovery phrase follows. Write it down on paper, in order, and keep it
somewhere safe. It is shown only this once. It opens your wallet if you forget
your password and restores your backups; anyone who has it can read your records.

`)
	c.printPhrase(m)
}

// printPhrase prints a recovery phrase on standard output: at a terminal
// its words numbered in columns, otherwise on one line, easy to store.
func (c *cli) printPhrase(m string) {
	if !isTerminal(c.stdout) {
		fmt.Fprintln(c.stdout, m)
		return
	}
	words := strings.Fields(m)
	rows := (len(words) + 3) / 4
	for r := range rows {
		var line strings.Builder
		for col := range 4 {
			if i := col*rows + r; i < len(words) {
				fmt.Fprintf(&line, "%3d. %-12s", i+1, words[i])
			}
		}
		fmt.Fprintln(c.stdout, strings.TrimRight(line.String(), " "))
	}
	fmt.Fprintln(c.stdout)
}

// confirmPhrase asks for three of the words back, so that a phrase that was
// not written down is found out before it is needed.
func (c *cli) confirmPhrase(ctx context.Context, m string) error {
	words := strings.Fields(m)
	var picks []int
	for len(picks) < 3 {
		n, err := rand.Int(rand.Reader, big.NewInt(int64(len(words))))
		if err != nil {
			return err
		}
		if i := int(n.Int64()); !slices.Contains(picks, i) {
			picks = append(picks, i)
		}
	}
	slices.Sort(picks)
	fmt.Fprintln(c.stderr, "To check your written copy, type the words asked for.")
	for try := 1; ; try++ {
		ok := true
		for _, i := range picks {
			got, err := c.promptLine(ctx, fmt.Sprintf("Word %d: ", i+1))
			if err != nil {
				return err
			}
			if normalizePhrase(got) != words[i] {
				ok = false
			}
		}
		if ok {
			return nil
		}
		if try == 3 {
			return userErrorf("the words did not match the phrase, so no wallet was created: run hw init again and write the new phrase down")
		}
		fmt.Fprintln(c.stderr, "That does not match your phrase. Check your copy and try again.")
	}
}

// displayName is the name for a new wallet's identity card: --name, else
// asked at the terminal. The wallet checks the rest (length, characters).
func (c *cli) displayName(ctx context.Context, flag string) (string, error) {
	if name := strings.TrimSpace(flag); name != "" {
		return name, nil
	}
	if c.tty == nil {
		return "", userErrorf("no name given: pass --name \"Your Name\" (it is shown on your identity card)")
	}
	for try := 1; ; try++ {
		name, err := c.promptLine(ctx, "Your name, as shown on your identity card: ")
		if err != nil {
			return "", err
		}
		if name = strings.TrimSpace(name); name != "" || try == 3 {
			if name == "" {
				return "", userErrorf("no name given: pass --name \"Your Name\" (it is shown on your identity card)")
			}
			return name, nil
		}
	}
}

func (c *cli) restoreCommand() *cobra.Command {
	var name string
	cmd := &cobra.Command{
		Use:   "restore",
		Short: "Recreate your wallet from its 24-word recovery phrase",
		Long: `restore makes a wallet from an existing recovery phrase, read from
$HW_MNEMONIC, else standard input, else asked on the terminal. It brings back
your keys, not your records: to bring those back too, use hw restore-backup
with a backup file instead.`,
		Args: cobra.NoArgs,
		RunE: c.action(func(cmd *cobra.Command, _ []string) error {
			ctx := cmd.Context()
			nw, err := c.prepareNewWallet(ctx, name)
			if err != nil {
				return err
			}
			dir := nw.dir
			m, err := c.mnemonic(ctx)
			if err != nil {
				return err
			}
			pw, err := c.newPassword(ctx, c.newWalletPasswordSource())
			if err != nil {
				return err
			}
			defer clear(pw)
			w, err := wallet.Create(dir, m, pw, nw.name, nw.opts)
			if err != nil {
				return err
			}
			defer w.Close()
			c.warnWeakKDF()
			if c.jsonOut {
				return printJSON(c.stdout, map[string]string{"dir": dir, "address": w.Address(), "name": w.DisplayName()})
			}
			fmt.Fprintf(c.stdout, "Restored the wallet in %s\nAddress: %s\n", dir, w.Address())
			return nil
		}),
	}
	cmd.Flags().StringVar(&name, "name", "", "your name, as shown on your identity card (asked when not given)")
	return cmd
}

// passwordChangedNote is what a person must know after a password change;
// the app says the same.
const passwordChangedNote = `The wallet file now has a new key: the old password opens nothing in it.
Backups made before are what they were: they still open with your recovery
phrase (and any passphrase given then). Make a new backup and delete old copies
if the old password may be known to someone else.`

func (c *cli) statusCommand() *cobra.Command {
	return &cobra.Command{
		Use:   "status",
		Short: "Show the wallet's folder and how its password is protected",
		Long: `status prints the wallet's folder and the Argon2id parameters that protect
its password, marked WEAK when below the defaults (a wallet made with
HW_KDF=fast): hw passwd gives it the defaults. It needs no password.

With --json, prints {"vault","keyDerivation":{"time","memoryKiB","threads","weak"}}.`,
		Args: cobra.NoArgs,
		RunE: c.action(func(cmd *cobra.Command, _ []string) error {
			dir, err := c.vaultDir()
			if err != nil {
				return err
			}
			w, err := wallet.Open(dir)
			if err != nil {
				return err
			}
			defer w.Close()
			kd, err := w.KeyDerivation()
			if err != nil {
				return err
			}
			if c.jsonOut {
				return printJSON(c.stdout, struct {
					Vault         string               `json:"vault"`
					KeyDerivation wallet.KeyDerivation `json:"keyDerivation"`
				}{dir, kd})
			}
			fmt.Fprintf(c.stdout, "Wallet:    %s\n", dir)
			fmt.Fprintf(c.stdout, "Password:  Argon2id, %d passes, %d MiB, %d lanes", kd.Time, kd.MemoryKiB/1024, kd.Threads)
			if kd.Weak {
				fmt.Fprint(c.stdout, " — WEAK (made with HW_KDF=fast, for tests): run hw passwd to protect it properly")
			}
			fmt.Fprintln(c.stdout)
			return nil
		}),
	}
}

func (c *cli) passwdCommand() *cobra.Command {
	var reset bool
	var newFile string
	cmd := &cobra.Command{
		Use:   "passwd",
		Short: "Change the wallet's password, or reset a forgotten one with the recovery phrase",
		Long: `passwd changes the password: the current one comes from $HW_PASSWORD,
--password-file or a prompt, the new one from $HW_NEW_PASSWORD,
--new-password-file or a prompt (asked twice). With --reset, the recovery
phrase ($HW_MNEMONIC, standard input or a prompt) replaces the current password.

A change gives the wallet a new vault key and rewrites its file, so the old
password opens nothing in it, and uses the default Argon2id parameters (a
wallet made with HW_KDF=fast is weak no longer). Backups made before are what
they were: they still open with the recovery phrase.`,
		Args: cobra.NoArgs,
		RunE: c.action(func(cmd *cobra.Command, _ []string) error {
			ctx := cmd.Context()
			dir, err := c.vaultDir()
			if err != nil {
				return err
			}
			w, err := wallet.Open(dir)
			if err != nil {
				return err
			}
			defer w.Close()
			newSrc := secretSource{env: "HW_NEW_PASSWORD", file: newFile, fileFlag: "--new-password-file", what: "new password"}
			if reset {
				m, err := c.mnemonic(ctx)
				if err != nil {
					return err
				}
				pw, err := c.newPassword(ctx, newSrc)
				if err != nil {
					return err
				}
				defer clear(pw)
				if err := w.ResetPassword(m, pw); err != nil {
					return err
				}
			} else {
				old, _, err := c.password(ctx)
				if err != nil {
					return err
				}
				defer clear(old)
				pw, err := c.newPassword(ctx, newSrc)
				if err != nil {
					return err
				}
				defer clear(pw)
				var progress func(done, total int64)
				if c.stderrTTY && !c.jsonOut {
					progress = func(done, total int64) {
						fmt.Fprintf(c.stderr, "\rRewriting the vault under its new key… %d%%\x1b[K", done*100/max(total, 1))
					}
				}
				err = w.ChangePasswordWithProgress(old, pw, progress)
				if progress != nil {
					fmt.Fprint(c.stderr, "\r\x1b[K")
				}
				if err != nil {
					return err
				}
			}
			if c.jsonOut {
				return printJSON(c.stdout, map[string]bool{"changed": true})
			}
			fmt.Fprintln(c.stdout, "Password changed.")
			if !reset {
				fmt.Fprintln(c.stdout, passwordChangedNote)
			}
			return nil
		}),
	}
	cmd.Flags().BoolVar(&reset, "reset", false, "reset a forgotten password with the recovery phrase")
	cmd.Flags().StringVar(&newFile, "new-password-file", "", "read the new password from the first line of `FILE`")
	return cmd
}

func (c *cli) cardCommand() *cobra.Command {
	var qr bool
	cmd := &cobra.Command{
		Use:   "card",
		Short: "Print your identity card, for caregivers and doctors to scan",
		Args:  cobra.NoArgs,
		RunE: c.action(func(cmd *cobra.Command, _ []string) error {
			w, err := c.openWallet(cmd.Context())
			if err != nil {
				return err
			}
			defer w.Close()
			card, err := w.Card()
			if err != nil {
				return err
			}
			if c.jsonOut {
				return printJSON(c.stdout, map[string]string{"card": card, "address": w.Address(), "name": w.DisplayName()})
			}
			if qr {
				q, err := qrcode.New(card, qrcode.Medium)
				if err != nil {
					return fmt.Errorf("drawing the QR code: %w", err)
				}
				fmt.Fprint(c.stdout, q.ToSmallString(false))
			}
			fmt.Fprintln(c.stdout, card)
			return nil
		}),
	}
	cmd.Flags().BoolVar(&qr, "qr", false, "also draw the card as a QR code in the terminal")
	return cmd
}
