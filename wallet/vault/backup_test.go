package vault

import (
	"archive/tar"
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"filippo.io/age"
)

func TestBackupRestore(t *testing.T) {
	v, _ := newVault(t)
	ids := put(t, v, map[string]string{"Patient/1": "Ada", "Observation/1": "7.2"})
	if err := v.SetSecret("wallet-seed", []byte("seed")); err != nil {
		t.Fatal(err)
	}
	pdf := pseudoRandom(ChunkSize*2+9, 5)
	attID, _, err := v.PutAttachment(bytes.NewReader(pdf))
	if err != nil {
		t.Fatal(err)
	}
	identity, err := age.GenerateX25519Identity()
	if err != nil {
		t.Fatal(err)
	}
	want := map[string][]byte{
		"records.fhir.json": []byte(`{"resourceType":"Bundle"}`),
		"README.txt":        []byte("how to restore"),
	}
	extra := []BackupFile{
		BackupBytes("records.fhir.json", want["records.fhir.json"]),
		BackupBytes("README.txt", want["README.txt"]),
	}
	var archive bytes.Buffer
	if err := v.Backup(&archive, extra, identity.Recipient()); err != nil {
		t.Fatal(err)
	}

	// The archive is plain age + tar: what the age tool and tar would see.
	plain, err := age.Decrypt(bytes.NewReader(archive.Bytes()), identity)
	if err != nil {
		t.Fatal(err)
	}
	files := map[string][]byte{}
	var order []string
	tr := tar.NewReader(plain)
	for {
		h, err := tr.Next()
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatal(err)
		}
		files[h.Name], _ = io.ReadAll(tr)
		order = append(order, h.Name)
	}
	if len(order) != 3 || order[0] != BackupVaultName {
		t.Fatalf("archive holds %v, want %s then the extras", order, BackupVaultName)
	}
	for name, data := range want {
		if !bytes.Equal(files[name], data) {
			t.Errorf("extra %s = %q, want %q", name, files[name], data)
		}
	}
	snapshot := filepath.Join(t.TempDir(), "snapshot.hwv")
	os.WriteFile(snapshot, files[BackupVaultName], 0o600)
	if body, err := openUnlocked(t, snapshot).Body(ids["Patient/1"], 1); err != nil || string(body) != "Ada" {
		t.Fatalf("the snapshot in the archive: %q, %v", body, err)
	}

	// Restore to a new place.
	dest := filepath.Join(t.TempDir(), "restored.hwv")
	if err := RestoreBackup(bytes.NewReader(archive.Bytes()), dest, identity); err != nil {
		t.Fatal(err)
	}
	r := openUnlocked(t, dest)
	for key, want := range map[string]string{"Patient/1": "Ada", "Observation/1": "7.2"} {
		if body, err := r.Body(r.RecordID(key), 1); err != nil || string(body) != want {
			t.Errorf("restored %s = %q, %v", key, body, err)
		}
	}
	if s, err := r.Secret("wallet-seed"); err != nil || string(s) != "seed" {
		t.Errorf("restored secret = %q, %v", s, err)
	}
	ar, err := r.OpenAttachment(attID)
	if err != nil {
		t.Fatal(err)
	}
	got, err := io.ReadAll(ar)
	ar.Close()
	if err != nil || !bytes.Equal(got, pdf) {
		t.Errorf("restored attachment: %d bytes, %v", len(got), err)
	}

	// Refusals.
	if err := RestoreBackup(bytes.NewReader(archive.Bytes()), dest, identity); !errors.Is(err, ErrExists) {
		t.Errorf("restore over an existing file: %v, want ErrExists", err)
	}
	other, _ := age.GenerateX25519Identity()
	dest2 := filepath.Join(t.TempDir(), "x.hwv")
	var noMatch *age.NoIdentityMatchError
	if err := RestoreBackup(bytes.NewReader(archive.Bytes()), dest2, other); !errors.As(err, &noMatch) {
		t.Errorf("restore with a wrong identity: %v, want *age.NoIdentityMatchError", err)
	}
	cut := archive.Bytes()[:archive.Len()-200]
	if err := RestoreBackup(bytes.NewReader(cut), dest2, identity); !errors.Is(err, ErrNotBackup) {
		t.Errorf("restore of a cut-short backup: %v, want ErrNotBackup", err)
	}
	if err := RestoreBackup(bytes.NewReader([]byte("hello")), dest2, identity); !errors.Is(err, ErrNotBackup) {
		t.Errorf("restore of junk: %v, want ErrNotBackup", err)
	}
	var noVault bytes.Buffer
	aw, _ := age.Encrypt(&noVault, identity.Recipient())
	tw := tar.NewWriter(aw)
	tw.WriteHeader(&tar.Header{Name: BackupVaultName, Size: 5, Mode: 0o600})
	tw.Write([]byte("hello"))
	tw.Close()
	aw.Close()
	if err := RestoreBackup(&noVault, dest2, identity); err == nil {
		t.Error("restored a backup whose vault is not a vault")
	}
	if _, err := os.Stat(dest2); err == nil {
		t.Error("a refused restore left a file behind")
	}
	if entries, _ := os.ReadDir(filepath.Dir(dest2)); len(entries) != 0 {
		t.Errorf("refused restores left %v", entries)
	}

	if err := v.Backup(io.Discard, []BackupFile{BackupBytes("../escape", nil)}, identity.Recipient()); err == nil {
		t.Error("Backup accepted an extra file named ../escape")
	}
	if err := v.Backup(io.Discard, []BackupFile{BackupBytes(BackupVaultName, nil)}, identity.Recipient()); err == nil {
		t.Error("Backup accepted an extra file named like the vault")
	}
	if err := v.Backup(io.Discard, []BackupFile{{Name: "x"}}, identity.Recipient()); err == nil {
		t.Error("Backup accepted an extra file without Write")
	}
	if err := v.Backup(io.Discard, nil); err == nil {
		t.Error("Backup without a recipient")
	}
}

// readArchive decrypts a backup and returns its files by name.
func readArchive(t *testing.T, archive []byte, identity age.Identity) map[string][]byte {
	t.Helper()
	plain, err := age.Decrypt(bytes.NewReader(archive), identity)
	if err != nil {
		t.Fatal(err)
	}
	files := map[string][]byte{}
	tr := tar.NewReader(plain)
	for {
		h, err := tr.Next()
		if err == io.EOF {
			return files
		}
		if err != nil {
			t.Fatal(err)
		}
		if files[h.Name], err = io.ReadAll(tr); err != nil {
			t.Fatal(err)
		}
	}
}

// TestBackupSnapshotExtras has an extra file list the records through the
// backup's Snapshot while other goroutines write: it shows exactly the
// records of the archive's vault, never one written meanwhile.
func TestBackupSnapshotExtras(t *testing.T) {
	v, _ := newVault(t)
	ids := put(t, v, map[string]string{"a": "A1", "b": "B1", "gone": "G1"})
	put(t, v, map[string]string{"a": "A2"})
	if err := v.Shred(ids["gone"]); err != nil {
		t.Fatal(err)
	}
	identity, _ := age.GenerateX25519Identity()

	written := make(chan struct{})
	list := BackupFile{Name: "list.txt", Write: func(w io.Writer, snap *Snapshot) error {
		if written != nil {
			// A write from elsewhere lands between the vault copy and this
			// file (it does not need to grow the file, so it does not wait).
			go func(c chan struct{}) {
				put(t, v, map[string]string{"late": "L1"})
				close(c)
			}(written)
			<-written
			written = nil
		}
		return snap.Records(func(id ID, latest uint32) error {
			body, err := snap.Body(id, latest)
			if err != nil {
				return err
			}
			_, err = fmt.Fprintf(w, "%s %d %s\n", id, latest, body)
			return err
		})
	}}
	var archive bytes.Buffer
	if err := v.Backup(&archive, []BackupFile{list}, identity.Recipient()); err != nil {
		t.Fatal(err)
	}
	files := readArchive(t, archive.Bytes(), identity)
	got := strings.Split(strings.TrimSpace(string(files["list.txt"])), "\n")
	slices.Sort(got)
	want := []string{ids["a"].String() + " 2 A2", ids["b"].String() + " 1 B1"}
	slices.Sort(want)
	if !slices.Equal(got, want) {
		t.Errorf("list.txt = %q, want %q", got, want)
	}
	snapshot := filepath.Join(t.TempDir(), "snapshot.hwv")
	os.WriteFile(snapshot, files[BackupVaultName], 0o600)
	if id := v.RecordID("late"); func() error { _, err := openUnlocked(t, snapshot).Body(id, 1); return err }() == nil {
		t.Error("the archive's vault holds a record written after the snapshot")
	}
	if _, err := v.Body(v.RecordID("late"), 1); err != nil {
		t.Errorf("the write during the backup was lost: %v", err)
	}
}

func TestBackupExtraFailures(t *testing.T) {
	v, _ := newVault(t)
	put(t, v, map[string]string{"a": "A"})
	identity, _ := age.GenerateX25519Identity()
	backup := func(f BackupFile) error {
		return v.Backup(io.Discard, []BackupFile{f}, identity.Recipient())
	}

	boom := errors.New("boom")
	if err := backup(BackupFile{Name: "x", Write: func(io.Writer, *Snapshot) error { return boom }}); !errors.Is(err, boom) {
		t.Errorf("a failing Write: %v, want it returned", err)
	}
	calls := 0
	growing := BackupFile{Name: "x", Write: func(w io.Writer, _ *Snapshot) error {
		calls++
		_, err := w.Write(bytes.Repeat([]byte("x"), calls))
		return err
	}}
	if err := backup(growing); err == nil {
		t.Error("a Write that writes more the second time was accepted")
	}
	calls = 0
	shrinking := BackupFile{Name: "x", Write: func(w io.Writer, _ *Snapshot) error {
		calls++
		_, err := w.Write(bytes.Repeat([]byte("x"), 3-calls))
		return err
	}}
	if err := backup(shrinking); err == nil {
		t.Error("a Write that writes less the second time was accepted")
	}

	var kept *Snapshot
	keep := BackupFile{Name: "x", Write: func(_ io.Writer, snap *Snapshot) error { kept = snap; return nil }}
	if err := backup(keep); err != nil {
		t.Fatal(err)
	}
	if err := kept.Records(func(ID, uint32) error { return nil }); err == nil {
		t.Error("Records on a snapshot after its Write returned")
	}
	if _, err := kept.Body(v.RecordID("a"), 1); err == nil {
		t.Error("Body on a snapshot after its Write returned")
	}

	v.Lock()
	read := BackupFile{Name: "x", Write: func(_ io.Writer, snap *Snapshot) error {
		return snap.Records(func(id ID, latest uint32) error {
			_, err := snap.Body(id, latest)
			return err
		})
	}}
	if err := backup(read); !errors.Is(err, ErrLocked) {
		t.Errorf("reading a locked vault's snapshot: %v, want ErrLocked", err)
	}
	if err := backup(BackupBytes("x", []byte("y"))); err != nil {
		t.Errorf("backup of a locked vault: %v", err)
	}

	defer func() {
		if r := recover(); r != "caller bug" {
			t.Errorf("a panic in Write: recovered %v, want it to surface unchanged", r)
		}
	}()
	backup(BackupFile{Name: "x", Write: func(io.Writer, *Snapshot) error { panic("caller bug") }})
	t.Error("a panic in Write was swallowed")
}
