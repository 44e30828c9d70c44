package vault

import (
	"archive/tar"
	"errors"
	"fmt"
	"io"
	"os"
	"path"
	"path/filepath"
	"runtime/debug"
	"time"

	"filippo.io/age"
	"go.etcd.io/bbolt"
)

// BackupVaultName is the vault file's name inside a backup archive.
const BackupVaultName = "vault.hwv"

// BackupFile is an extra file to put in a backup archive beside the vault,
// e.g. a plain FHIR export or a README. Its content is streamed into the
// archive, never held whole in memory by Backup.
type BackupFile struct {
	Name string // a plain relative name with forward slashes, e.g. "records.fhir.json"

	// Write writes the file's content to w. A tar entry's size goes before
	// its content, so Backup calls Write twice, both times inside the
	// backup's read transaction: first to a writer that only counts, to
	// learn the size, then into the archive. Both calls must write the same
	// number of bytes (a mismatch fails the backup); reading the vault only
	// through snap, which does not change between the calls, makes that so.
	// Write must not call other Vault methods (they would open another
	// transaction inside the backup's), and snap is valid only until it
	// returns.
	Write func(w io.Writer, snap *Snapshot) error
}

// BackupBytes is a BackupFile whose content is data.
func BackupBytes(name string, data []byte) BackupFile {
	return BackupFile{Name: name, Write: func(w io.Writer, _ *Snapshot) error {
		_, err := w.Write(data)
		return err
	}}
}

// Snapshot reads records from a backup's read transaction: the vault as the
// archive's copy of it holds it, whatever is written meanwhile.
type Snapshot struct {
	v    *Vault
	btx  *bbolt.Tx
	done bool
}

var errSnapshotDone = errors.New("vault: backup snapshot used after its Write returned")

// Records calls fn with the ID and newest version of every record that has
// a live version, in storage order (which says nothing about the records).
// Entries that are not well-formed records are skipped (the vault copy in
// the archive holds them as they are; [Vault.Scan] reports them). An error
// from fn stops the walk and is returned.
func (s *Snapshot) Records(fn func(id ID, latest uint32) error) error {
	if s.done {
		return errSnapshotDone
	}
	records := s.btx.Bucket(bucketRecords)
	if records == nil {
		return fmt.Errorf("%w: no records bucket", ErrCorrupt)
	}
	c := records.Cursor()
	for started := false; ; started = true {
		id, latest, err := nextLiveRecord(records, c, started)
		if err != nil || latest == 0 {
			return err
		}
		if err := fn(id, latest); err != nil {
			return err
		}
	}
}

// nextLiveRecord moves c on to the next live record (to the first unless
// started) and returns it, or a zero latest at the end. Records' fn is
// called outside it, so a panic here is the store's: it becomes ErrCorrupt.
func nextLiveRecord(records *bbolt.Bucket, c *bbolt.Cursor, started bool) (id ID, latest uint32, err error) {
	defer recoverCorrupt(&err)
	var key, val []byte
	if started {
		key, val = c.Next()
	} else {
		key, val = c.First()
	}
	for ; key != nil; key, val = c.Next() {
		rb := records.Bucket(key)
		if len(key) != len(id) || val != nil || rb == nil {
			continue // not a record: Scan reports it
		}
		latest = lastVersion(rb)
		if latest == 0 || latest <= shreddedUpTo(rb) {
			continue // shredded
		}
		copy(id[:], key)
		return id, latest, nil
	}
	return ID{}, 0, nil
}

// Body returns one version's body as the snapshot holds it, as
// [Vault.Body] does. The caller may wipe it.
func (s *Snapshot) Body(id ID, version uint32) (body []byte, err error) {
	if s.done {
		return nil, errSnapshotDone
	}
	defer recoverCorrupt(&err)
	err = s.v.withKeys(func(k *keyring) error {
		body, err = readBody(k, s.btx, id, version)
		return err
	})
	return body, err
}

// ErrNotBackup is returned by RestoreBackup for input that is not a vault
// backup (or is damaged).
var ErrNotBackup = errors.New("this is not a Health Wallet backup, or it is damaged")

// Backup writes an age-encrypted tar archive to w, encrypted to every
// recipient: a consistent snapshot of the vault file (named BackupVaultName)
// followed by the extra files. The standard age tool decrypts it, e.g.
// `age -d -i key.txt backup.age | tar x`. The vault inside stays sealed under
// its password and recovery key, so Backup works on a locked vault too (an
// extra file's Write that reads records needs it unlocked).
//
// Everything is streamed: the store copies the vault file through in
// pieces, and the extra files are written by their Write straight into the tar
// inside the age stream, so memory use does not grow with the vault.
//
// The snapshot is one read transaction held while the whole archive is
// written, extra files included: they read the vault through the same
// [Snapshot], so they show exactly what the archive's vault holds. Writes
// that must grow the file wait for it.
func (v *Vault) Backup(w io.Writer, extra []BackupFile, recipients ...age.Recipient) error {
	if len(recipients) == 0 {
		return errors.New("vault: backup: no recipient to encrypt to")
	}
	seen := map[string]bool{BackupVaultName: true}
	for _, f := range extra {
		if !filepath.IsLocal(filepath.FromSlash(f.Name)) || path.Clean(f.Name) != f.Name || seen[f.Name] {
			return fmt.Errorf("vault: backup: %q cannot be a file name in the archive", f.Name)
		}
		if f.Write == nil {
			return fmt.Errorf("vault: backup: %s: no Write", f.Name)
		}
		seen[f.Name] = true
	}
	aw, err := age.Encrypt(w, recipients...)
	if err != nil {
		return fmt.Errorf("vault: backup: %w", err)
	}
	tw := tar.NewWriter(aw)
	now := time.Now().Truncate(time.Second)
	if err := v.snapshot(tw, extra, now); err != nil {
		return fmt.Errorf("vault: backup: %w", err)
	}
	if err := tw.Close(); err != nil {
		return fmt.Errorf("vault: backup: %w", err)
	}
	if err := aw.Close(); err != nil {
		return fmt.Errorf("vault: backup: %w", err)
	}
	return nil
}

// snapshot writes the vault file and the extra files into tw from one read
// transaction. Like view, it turns a panic from a corrupt page into
// ErrCorrupt, but one from an extra file's Write (the caller's bug, not our
// data) surfaces.
func (v *Vault) snapshot(tw *tar.Writer, extra []BackupFile, now time.Time) (err error) {
	callerPanicked := false
	defer debug.SetPanicOnFault(debug.SetPanicOnFault(true))
	defer func() {
		if r := recover(); r != nil {
			if callerPanicked {
				panic(r)
			}
			err = fmt.Errorf("%w: the store failed reading it: %v", ErrCorrupt, r)
		}
	}()
	return boltErr(v.withDB(func(db *bbolt.DB) error {
		return db.View(func(btx *bbolt.Tx) error {
			err := tw.WriteHeader(&tar.Header{
				Name: BackupVaultName, Mode: 0o600, Size: btx.Size(), ModTime: now, Typeflag: tar.TypeReg,
			})
			if err != nil {
				return err
			}
			if _, err := btx.WriteTo(tw); err != nil {
				return err
			}
			for _, f := range extra {
				if err := writeBackupFile(tw, f, &Snapshot{v: v, btx: btx}, now, &callerPanicked); err != nil {
					return fmt.Errorf("%s: %w", f.Name, err)
				}
			}
			return nil
		})
	}))
}

// writeBackupFile writes one extra file into the archive: a counting pass
// for its size, then the header and the content.
func writeBackupFile(tw *tar.Writer, f BackupFile, snap *Snapshot, modTime time.Time, panicked *bool) error {
	defer func() { snap.done = true }()
	var size countingWriter
	if err := callWrite(f.Write, &size, snap, panicked); err != nil {
		return err
	}
	err := tw.WriteHeader(&tar.Header{
		Name: f.Name, Mode: 0o600, Size: size.n, ModTime: modTime, Typeflag: tar.TypeReg,
	})
	if err != nil {
		return err
	}
	written := &countingWriter{w: tw}
	if err := callWrite(f.Write, written, snap, panicked); err != nil {
		return err
	}
	if written.n != size.n {
		return fmt.Errorf("wrote %d bytes after measuring %d", written.n, size.n)
	}
	return nil
}

// callWrite runs write, noting whether it panicked.
func callWrite(write func(io.Writer, *Snapshot) error, w io.Writer, snap *Snapshot, panicked *bool) error {
	ok := false
	defer func() { *panicked = !ok }()
	err := write(w, snap)
	ok = true
	return err
}

// countingWriter counts the bytes written through it, to w if not nil.
type countingWriter struct {
	w io.Writer
	n int64
}

func (c *countingWriter) Write(p []byte) (int, error) {
	if c.w == nil {
		c.n += int64(len(p))
		return len(p), nil
	}
	n, err := c.w.Write(p)
	c.n += int64(n)
	return n, err
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
