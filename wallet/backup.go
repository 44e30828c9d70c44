package wallet

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"

	"filippo.io/age"

	"healthwallet/wallet/identity"
	"healthwallet/wallet/vault"
)

// Names inside a backup archive besides the vault itself.
const (
	backupExportName = "records.fhir.json"
	backupReadmeName = "README.txt"
)

const backupReadme = `Health Wallet backup

vault.hwv          the wallet's vault, still sealed under the wallet's password.
                   Restore it with: hw restore-backup FILE
records.fhir.json  every record as one FHIR R4 Bundle (collection), readable by
                   any FHIR tool.

This archive is encrypted with age to a key derived from your 24-word recovery
phrase. To open it without Health Wallet:  hw backup-identity > key.txt
then:  age -d -i key.txt backup.age | tar x
`

// Backup writes the whole wallet as one age-encrypted archive, decryptable
// with the recovery phrase alone (see [BackupIdentity]): the sealed vault and
// a plain FHIR export of every record inside it.
func (w *Wallet) Backup(out io.Writer) error {
	w.mu.RLock()
	id := w.id
	w.mu.RUnlock()
	if id == nil {
		return ErrLocked
	}
	var export bytes.Buffer
	if _, err := w.Export(&export, nil); err != nil {
		return fmt.Errorf("backup: %w", err)
	}
	extra := []vault.BackupFile{
		{Name: backupReadmeName, Data: []byte(backupReadme)},
		{Name: backupExportName, Data: export.Bytes()},
	}
	if err := w.vault.Backup(out, extra, id.BackupIdentity().Recipient()); err != nil {
		return fmt.Errorf("backup: %w", mapVaultError(err))
	}
	return nil
}

// RestoreBackup writes the wallet held in a backup archive into dir, which
// must not hold a wallet yet. The recovery phrase decrypts the archive; the
// wallet then unlocks with the password it had when the backup was made (or
// with the phrase, through ResetPassword).
func RestoreBackup(in io.Reader, dir, mnemonic string) error {
	if Exists(dir) {
		return ErrWalletExists
	}
	if err := CheckMnemonic(mnemonic); err != nil {
		return err
	}
	id, err := identity.FromMnemonic(mnemonic)
	if err != nil {
		return fmt.Errorf("deriving keys from the recovery phrase: %w", err)
	}
	defer id.Wipe()
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return fmt.Errorf("creating the wallet directory: %w", err)
	}
	err = vault.RestoreBackup(in, filepath.Join(dir, VaultFileName), id.BackupIdentity())
	var noMatch *age.NoIdentityMatchError
	if errors.As(err, &noMatch) {
		return fmt.Errorf("%w: this backup was not made by the wallet of this recovery phrase", ErrBadMnemonic)
	}
	if err != nil {
		return fmt.Errorf("restoring the backup: %w", mapVaultError(err))
	}
	return nil
}

// BackupIdentity is the age identity (AGE-SECRET-KEY-1…) that decrypts this
// recovery phrase's backups with the standard age tool.
func BackupIdentity(mnemonic string) (string, error) {
	if err := CheckMnemonic(mnemonic); err != nil {
		return "", err
	}
	id, err := identity.FromMnemonic(mnemonic)
	if err != nil {
		return "", fmt.Errorf("deriving keys from the recovery phrase: %w", err)
	}
	defer id.Wipe()
	return id.BackupIdentity().String(), nil
}
