package main

import (
	"fmt"
	"io"
	"os"

	"github.com/spf13/cobra"

	"healthwallet/wallet"
)

// This file: backups — backup, restore-backup, backup-identity.

func (c *cli) backupCommand() *cobra.Command {
	var out string
	cmd := &cobra.Command{
		Use:   "backup --out FILE",
		Short: "Write an encrypted backup of the whole wallet",
		Long: `backup writes the whole wallet into one age-encrypted file. Your recovery
phrase alone restores it on any device (hw restore-backup), and the standard
age tool reads it with the identity that hw backup-identity prints.`,
		Args: cobra.NoArgs,
		RunE: c.action(func(cmd *cobra.Command, _ []string) error {
			ctx := cmd.Context()
			w, err := c.openWallet(ctx)
			if err != nil {
				return err
			}
			defer w.Close()
			if err := writeFileAtomic(ctx, out, w.Backup); err != nil {
				return err
			}
			if c.jsonOut {
				return printJSON(c.stdout, map[string]string{"out": out})
			}
			fmt.Fprintf(c.stdout, `Backup written to %s.
Restore it on any device with your recovery phrase:
  hw restore-backup %s
Or decrypt it with the standard age tool (https://age-encryption.org):
  hw backup-identity > backup-key.txt    # asks for your recovery phrase; keep this key as safe as the phrase
  age -d -i backup-key.txt %s | tar x     # the sealed vault, and your records as one FHIR Bundle
`, out, out, out)
			return nil
		}),
	}
	cmd.Flags().StringVarP(&out, "out", "o", "", "write the backup to `FILE` (required)")
	cmd.MarkFlagRequired("out")
	return cmd
}

func (c *cli) restoreBackupCommand() *cobra.Command {
	return &cobra.Command{
		Use:   "restore-backup FILE",
		Short: "Recreate a wallet, records included, from a backup and the recovery phrase",
		Long: `restore-backup writes the wallet held in a backup file into the wallet
directory, which must not hold a wallet yet. It asks for the recovery phrase
($HW_MNEMONIC, standard input or a prompt). The restored wallet unlocks with
the password it had when the backup was made; hw passwd --reset sets a new one.`,
		Args: cobra.ExactArgs(1),
		RunE: c.action(func(cmd *cobra.Command, args []string) error {
			dir, err := c.vaultDir()
			if err != nil {
				return err
			}
			if wallet.Exists(dir) {
				return userErrorf("%w (%s; another one is chosen with --vault)", wallet.ErrWalletExists, dir)
			}
			f, err := os.Open(args[0])
			if err != nil {
				return userErrorf("cannot read the backup: %w", err)
			}
			defer f.Close()
			m, err := c.mnemonic(cmd.Context())
			if err != nil {
				return err
			}
			if err := wallet.RestoreBackup(f, dir, m); err != nil {
				return err
			}
			if c.jsonOut {
				return printJSON(c.stdout, map[string]string{"dir": dir})
			}
			fmt.Fprintf(c.stdout, "Restored the wallet into %s. It unlocks with the password it had when the backup was made\n(forgotten? hw passwd --reset).\n", dir)
			return nil
		}),
	}
}

func (c *cli) backupIdentityCommand() *cobra.Command {
	return &cobra.Command{
		Use:   "backup-identity",
		Short: "Print the age identity that decrypts your backups with the standard age tool",
		Long: `backup-identity derives, from the recovery phrase, the age identity
(AGE-SECRET-KEY-1…) that decrypts this wallet's backups: age -d -i FILE.
Anyone who has it can read every backup; keep it as safe as the phrase.`,
		Args: cobra.NoArgs,
		RunE: c.action(func(cmd *cobra.Command, _ []string) error {
			m, err := c.mnemonic(cmd.Context())
			if err != nil {
				return err
			}
			id, err := wallet.BackupIdentity(m)
			if err != nil {
				return err
			}
			fmt.Fprintln(c.stderr, "hw: this key decrypts every backup of this wallet: keep it as safe as your recovery phrase")
			if c.jsonOut {
				return printJSON(c.stdout, map[string]string{"identity": id})
			}
			_, err = io.WriteString(c.stdout, id+"\n")
			return err
		}),
	}
}
