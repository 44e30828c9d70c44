package wallet

import (
	"archive/tar"
	"bytes"
	"context"
	"encoding/json"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"testing"

	"healthwallet/wallet/testcorpus"
	"healthwallet/wallet/vault"
)

// TestBackupOpensWithTheAgeTool decrypts a backup with the standard age
// command (pinned in go.mod as a tool) and the identity printed from the
// recovery phrase, as a patient without Health Wallet would.
func TestBackupOpensWithTheAgeTool(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the age command: skipped in -short")
	}
	goBin := testcorpus.Tool(t, "go", "put the Go toolchain on the PATH (the backup is opened with `go tool age`)")
	w := newTestWallet(t)
	src := filepath.Join(t.TempDir(), "a.json")
	os.WriteFile(src, []byte(`{"resourceType":"AllergyIntolerance","id":"a1","criticality":"high","code":{"text":"Peanut"}}`), 0o600)
	if _, err := w.Import(context.Background(), []string{src}, nil); err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	archive := filepath.Join(dir, "wallet.age")
	f, _ := os.Create(archive)
	if err := w.Backup(f); err != nil {
		t.Fatal(err)
	}
	f.Close()
	key, err := BackupIdentity(testMnemonic)
	if err != nil {
		t.Fatal(err)
	}
	keyFile := filepath.Join(dir, "key.txt")
	os.WriteFile(keyFile, []byte(key+"\n"), 0o600)

	cmd := exec.Command(goBin, "tool", "age", "-d", "-i", keyFile, archive)
	var out, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &stderr
	if err := cmd.Run(); err != nil {
		t.Fatalf("age -d: %v\n%s", err, stderr.String())
	}
	files := map[string][]byte{}
	tr := tar.NewReader(&out)
	for {
		h, err := tr.Next()
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatalf("the decrypted backup is not a tar archive: %v", err)
		}
		files[h.Name], _ = io.ReadAll(tr)
	}
	if len(files[vault.BackupVaultName]) == 0 {
		t.Fatalf("no %s in the archive (has %d files)", vault.BackupVaultName, len(files))
	}
	var bundle struct {
		Entry []struct{ Resource json.RawMessage } `json:"entry"`
	}
	if err := json.Unmarshal(files[backupExportName], &bundle); err != nil || len(bundle.Entry) != 1 ||
		!bytes.Contains(bundle.Entry[0].Resource, []byte("Peanut")) {
		t.Fatalf("%s: want the one record readable, got %d entries, %v", backupExportName, len(bundle.Entry), err)
	}
}
