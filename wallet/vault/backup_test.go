package vault

import (
	"archive/tar"
	"bytes"
	"errors"
	"io"
	"os"
	"path/filepath"
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
	extra := []BackupFile{
		{Name: "records.fhir.json", Data: []byte(`{"resourceType":"Bundle"}`)},
		{Name: "README.txt", Data: []byte("how to restore")},
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
	for _, f := range extra {
		if !bytes.Equal(files[f.Name], f.Data) {
			t.Errorf("extra %s = %q, want %q", f.Name, files[f.Name], f.Data)
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

	if err := v.Backup(io.Discard, []BackupFile{{Name: "../escape"}}, identity.Recipient()); err == nil {
		t.Error("Backup accepted an extra file named ../escape")
	}
	if err := v.Backup(io.Discard, []BackupFile{{Name: BackupVaultName}}, identity.Recipient()); err == nil {
		t.Error("Backup accepted an extra file named like the vault")
	}
	if err := v.Backup(io.Discard, nil); err == nil {
		t.Error("Backup without a recipient")
	}
}
