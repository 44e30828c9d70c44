package vault

import (
	"archive/tar"
	"errors"
	"fmt"
	"io"
	"os"
	"path"
	"path/filepath"
	"time"

	"filippo.io/age"
	"go.etcd.io/bbolt"
)

// BackupVaultName is the vault file's name inside a backup archive.
const BackupVaultName = "vault.hwv"

// BackupFile is an extra file to put in a backup archive beside the vault,
// e.g. a plain FHIR export or a README.
type BackupFile struct {
	Name string // a plain relative name with forward slashes, e.g. "records.fhir.json"
	Data []byte
}

// ErrNotBackup is returned by RestoreBackup for input that is not a vault
// backup (or is damaged).
var ErrNotBackup = errors.New("this is not a Health Wallet backup, or it is damaged")

// Backup writes an age-encrypted tar archive to w, encrypted to every
// recipient: a consistent snapshot of the vault file (named BackupVaultName)
// followed by the extra files. The standard age tool decrypts it, e.g.
// `age -d -i key.txt backup.age | tar x`. The vault inside stays sealed under
// its password and recovery key, so Backup works on a locked vault too.
//
// The snapshot is one read transaction held while the archive is written:
// writes that must grow the file wait for it.
func (v *Vault) Backup(w io.Writer, extra []BackupFile, recipients ...age.Recipient) error {
	if len(recipients) == 0 {
		return errors.New("vault: backup: no recipient to encrypt to")
	}
	seen := map[string]bool{BackupVaultName: true}
	for _, f := range extra {
		if !filepath.IsLocal(filepath.FromSlash(f.Name)) || path.Clean(f.Name) != f.Name || seen[f.Name] {
			return fmt.Errorf("vault: backup: %q cannot be a file name in the archive", f.Name)
		}
		seen[f.Name] = true
	}
	aw, err := age.Encrypt(w, recipients...)
	if err != nil {
		return fmt.Errorf("vault: backup: %w", err)
	}
	tw := tar.NewWriter(aw)
	now := time.Now().Truncate(time.Second)
	err = v.view(func(btx *bbolt.Tx) error {
		err := tw.WriteHeader(&tar.Header{
			Name: BackupVaultName, Mode: 0o600, Size: btx.Size(), ModTime: now, Typeflag: tar.TypeReg,
		})
		if err != nil {
			return err
		}
		_, err = btx.WriteTo(tw)
		return err
	})
	if err != nil {
		return fmt.Errorf("vault: backup: %w", err)
	}
	for _, f := range extra {
		err := tw.WriteHeader(&tar.Header{
			Name: f.Name, Mode: 0o600, Size: int64(len(f.Data)), ModTime: now, Typeflag: tar.TypeReg,
		})
		if err == nil {
			_, err = tw.Write(f.Data)
		}
		if err != nil {
			return fmt.Errorf("vault: backup: %s: %w", f.Name, err)
		}
	}
	if err := tw.Close(); err != nil {
		return fmt.Errorf("vault: backup: %w", err)
	}
	if err := aw.Close(); err != nil {
		return fmt.Errorf("vault: backup: %w", err)
	}
	return nil
}

// RestoreBackup decrypts a backup made by [Vault.Backup] with one of the
// identities and writes its vault to path, which must not exist
// (ErrExists). The file is built under a temporary name, fsynced, checked to
// open as a vault with a consistent store, and only then renamed into place,
// so path holds a complete vault or nothing. An identity that does not match
// gives an error wrapping *age.NoIdentityMatchError; anything else that is
// not a backup, ErrNotBackup. The restored vault opens with the password it
// had when the backup was made, or with the recovery key.
func RestoreBackup(r io.Reader, path string, identities ...age.Identity) error {
	if _, err := os.Lstat(path); err == nil {
		return fmt.Errorf("vault: restore: %w: %s", ErrExists, path)
	}
	ar, err := age.Decrypt(r, identities...)
	if err != nil {
		var noMatch *age.NoIdentityMatchError
		if errors.As(err, &noMatch) {
			return fmt.Errorf("vault: restore: the backup is encrypted to a different key: %w", err)
		}
		return fmt.Errorf("vault: restore: %w: %v", ErrNotBackup, err)
	}
	tmp := tempName(path, "restoring")
	f, err := os.OpenFile(tmp, os.O_RDWR|os.O_CREATE|os.O_EXCL, 0o600)
	if err != nil {
		return fmt.Errorf("vault: restore: %w", err)
	}
	defer func() {
		f.Close()
		os.Remove(tmp)
	}()

	tr := tar.NewReader(ar)
	found := false
	for {
		h, err := tr.Next()
		if err == io.EOF {
			break
		}
		if err != nil {
			return fmt.Errorf("vault: restore: %w: %v", ErrNotBackup, err)
		}
		if h.Name != BackupVaultName || h.Typeflag != tar.TypeReg || found {
			// Read through the other files so the whole archive is
			// authenticated: a cut-short backup is refused.
			if _, err := io.Copy(io.Discard, tr); err != nil {
				return fmt.Errorf("vault: restore: %w: %v", ErrNotBackup, err)
			}
			continue
		}
		found = true
		if _, err := io.Copy(f, tr); err != nil {
			return fmt.Errorf("vault: restore: %w: %v", ErrNotBackup, err)
		}
	}
	if !found {
		return fmt.Errorf("vault: restore: %w: it holds no %s", ErrNotBackup, BackupVaultName)
	}
	if err := f.Sync(); err != nil {
		return fmt.Errorf("vault: restore: %w", err)
	}
	if err := f.Close(); err != nil {
		return fmt.Errorf("vault: restore: %w", err)
	}
	if err := checkVaultFile(tmp); err != nil {
		return fmt.Errorf("vault: restore: the backup's vault is unusable: %w", err)
	}
	if err := publish(tmp, path); err != nil {
		return fmt.Errorf("vault: restore: %w", err)
	}
	return nil
}

// checkVaultFile opens the file as a vault and has bbolt check every page.
func checkVaultFile(path string) error {
	v, err := Open(path)
	if err != nil {
		return err
	}
	defer v.Close()
	return v.view(func(btx *bbolt.Tx) error {
		var first error
		for err := range btx.Check() { // drain: Check's goroutine must finish
			if first == nil {
				first = fmt.Errorf("%w: %v", ErrCorrupt, err)
			}
		}
		return first
	})
}
