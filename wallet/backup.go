package wallet

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"

	"filippo.io/age"

	"healthwallet/wallet/importer"
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
//
// Nothing is held whole in memory: the vault file and the export are
// streamed into the archive, one record at a time. Both come from one read
// transaction of the vault, so the export holds exactly the records of the
// vault in the archive, however the wallet changes meanwhile.
func (w *Wallet) Backup(out io.Writer) error {
	// Take the recipient (public) under the lock: the export below takes
	// long, and the wallet may lock, wiping w.id, meanwhile.
	recipient, err := w.backupRecipient()
	if err != nil {
		return err
	}
	extra := []vault.BackupFile{
		vault.BackupBytes(backupReadmeName, []byte(backupReadme)),
		{Name: backupExportName, Write: writeBackupExport},
	}
	if err := w.vault.Backup(out, extra, recipient); err != nil {
		return fmt.Errorf("backup: %w", mapVaultError(err))
	}
	return nil
}

// writeBackupExport writes the newest version of every record in snap as
// one FHIR R4 Bundle (collection), like [Wallet.Export], reading and
// wiping one body at a time. The records come in storage order: the index
// (timeline order) may be ahead of or behind the snapshot, so it is not
// used. vault.Backup calls this twice, to measure and then to write; the
// snapshot does not change between the calls, and WriteBundle's per-call
// parts (bundle id, timestamps, generated entry UUIDs) have fixed lengths,
// so both calls write the same number of bytes.
func writeBackupExport(out io.Writer, snap *vault.Snapshot) error {
	var readErr error
	_, err := importer.WriteBundle(out, func(yield func(json.RawMessage) bool) {
		readErr = snap.Records(func(id vault.ID, latest uint32) error {
			body, err := snap.Body(id, latest)
			if err != nil {
				return fmt.Errorf("reading record %s: %w", id, err)
			}
			more := yield(body)
			clear(body) // WriteBundle copied it out (to its buffer or through)
			if !more {
				return errStopExport
			}
			return nil
		})
	})
	if readErr != nil && readErr != errStopExport {
		return readErr
	}
	if err != nil {
		return fmt.Errorf("writing the export: %w", err)
	}
	return nil
}

// errStopExport ends the record walk when WriteBundle stops asking for more
// (its own error says why).
var errStopExport = errors.New("export stopped")

// backupRecipient is the age recipient of the wallet's backups.
func (w *Wallet) backupRecipient() (*age.X25519Recipient, error) {
	w.mu.RLock()
	defer w.mu.RUnlock()
	if w.id == nil {
		return nil, ErrLocked
	}
	bi, err := w.id.BackupIdentity()
	if err != nil {
		return nil, ErrLocked // wiped: only Lock wipes it
	}
	return bi.Recipient(), nil
}

// RestoreBackup writes the wallet held in a backup archive into dir, which
// must not hold a wallet yet. The recovery phrase decrypts the archive; the
// wallet then unlocks with the password it had when the backup was made (or
// with the phrase, through ResetPassword).
func RestoreBackup(in io.Reader, dir, mnemonic string) error {
	if Exists(dir) {
		return ErrWalletExists
	}
	id, err := identityFromMnemonic(mnemonic)
	if err != nil {
		return err
	}
	defer id.Wipe()
	bi, err := id.BackupIdentity()
	if err != nil {
		return err
	}
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return fmt.Errorf("creating the wallet directory: %w", err)
	}
	err = vault.RestoreBackup(in, filepath.Join(dir, VaultFileName), bi)
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
	id, err := identityFromMnemonic(mnemonic)
	if err != nil {
		return "", err
	}
	defer id.Wipe()
	bi, err := id.BackupIdentity()
	if err != nil {
		return "", err
	}
	return bi.String(), nil
}
