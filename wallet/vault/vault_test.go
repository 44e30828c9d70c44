package vault

import (
	"bytes"
	"crypto/sha256"
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"testing"
	"time"

	"go.etcd.io/bbolt"
)

// testParams keep Argon2id cheap; TestDefaultParams uses the real ones.
var testParams = Params{Time: 1, MemoryKiB: MinMemoryKiB, Threads: 1}

var (
	testPassword = []byte("correct horse battery staple")
	testRecovery = bytes.Repeat([]byte{0x42}, 32)
)

func newVault(t testing.TB) (*Vault, string) {
	t.Helper()
	path := filepath.Join(t.TempDir(), "vault.hwv")
	v, err := Create(path, testPassword, testRecovery, testParams)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { v.Close() })
	return v, path
}

func reopen(t testing.TB, v *Vault, password []byte) *Vault {
	t.Helper()
	path := v.Path()
	if err := v.Close(); err != nil {
		t.Fatal(err)
	}
	v2, err := Open(path)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { v2.Close() })
	if password != nil {
		if err := v2.Unlock(password); err != nil {
			t.Fatal(err)
		}
	}
	return v2
}

func openUnlocked(t testing.TB, path string) *Vault {
	t.Helper()
	v, err := Open(path)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { v.Close() })
	if err := v.Unlock(testPassword); err != nil {
		t.Fatal(err)
	}
	return v
}

// put adds one version per logical key in one Update.
func put(t testing.TB, v *Vault, records map[string]string) map[string]ID {
	t.Helper()
	ids := map[string]ID{}
	err := v.Update(func(tx *Tx) error {
		for key, body := range records {
			id := v.RecordID(key)
			if _, err := tx.AddVersion(id, []byte("meta of "+key), []byte(body)); err != nil {
				return err
			}
			ids[key] = id
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return ids
}

// rawUpdate edits the closed vault file with bbolt directly, as an attacker
// or a failing disk would.
func rawUpdate(t testing.TB, path string, fn func(tx *bbolt.Tx) error) {
	t.Helper()
	db, err := bbolt.Open(path, 0o600, &bbolt.Options{Timeout: time.Second})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if err := db.Update(fn); err != nil {
		t.Fatal(err)
	}
}

func rawView(t testing.TB, path string, fn func(tx *bbolt.Tx) error) {
	t.Helper()
	db, err := bbolt.Open(path, 0o600, &bbolt.Options{ReadOnly: true, Timeout: time.Second})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if err := db.View(fn); err != nil {
		t.Fatal(err)
	}
}

func fileHash(t testing.TB, path string) [32]byte {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return sha256.Sum256(b)
}

func TestCreateUnlockLock(t *testing.T) {
	v, path := newVault(t)
	if v.Locked() {
		t.Fatal("Create returned a locked vault")
	}
	ids := put(t, v, map[string]string{"Patient/1": "Ada"})
	id := ids["Patient/1"]

	v.Lock()
	if !v.Locked() {
		t.Fatal("Lock left the vault unlocked")
	}
	if _, err := v.Body(id, 1); !errors.Is(err, ErrLocked) {
		t.Fatalf("Body while locked: %v, want ErrLocked", err)
	}
	if got := v.RecordID("Patient/1"); !got.IsZero() {
		t.Fatalf("RecordID while locked = %s, want the zero ID", got)
	}
	if err := v.Update(func(*Tx) error { return nil }); !errors.Is(err, ErrLocked) {
		t.Fatalf("Update while locked: %v, want ErrLocked", err)
	}

	v = reopen(t, v, nil)
	before := fileHash(t, path)
	if err := v.Unlock([]byte("wrong password")); !errors.Is(err, ErrWrongPassword) {
		t.Fatalf("Unlock with a wrong password: %v, want ErrWrongPassword", err)
	}
	if !v.Locked() {
		t.Fatal("a wrong password unlocked the vault")
	}
	if fileHash(t, path) != before {
		t.Fatal("a wrong password changed the file")
	}
	if err := v.Unlock(testPassword); err != nil {
		t.Fatal(err)
	}
	if v.RecordID("Patient/1") != id {
		t.Fatal("RecordID is not stable across unlocks")
	}
	if body, err := v.Body(id, 1); err != nil || string(body) != "Ada" {
		t.Fatalf("Body after unlock = %q, %v", body, err)
	}
	if err := v.Close(); err != nil {
		t.Fatal(err)
	}
	if _, err := v.Body(id, 1); !errors.Is(err, ErrClosed) {
		t.Fatalf("Body after Close: %v, want ErrClosed", err)
	}
}

func TestCreateRefusesBadInput(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "vault.hwv")
	if err := os.WriteFile(path, []byte("precious"), 0o600); err != nil {
		t.Fatal(err)
	}
	if _, err := Create(path, testPassword, testRecovery, testParams); !errors.Is(err, ErrExists) {
		t.Fatalf("Create over a file: %v, want ErrExists", err)
	}
	if b, _ := os.ReadFile(path); string(b) != "precious" {
		t.Fatal("Create touched an existing file")
	}
	other := filepath.Join(dir, "other.hwv")
	for name, tc := range map[string]struct {
		password, recovery []byte
		p                  Params
		want               error
	}{
		"empty password": {nil, testRecovery, testParams, ErrEmptyPassword},
		"memory too low": {testPassword, testRecovery, Params{1, 1024, 1}, ErrBadParams},
		"time too high":  {testPassword, testRecovery, Params{100, MinMemoryKiB, 1}, ErrBadParams},
		"no threads":     {testPassword, testRecovery, Params{1, MinMemoryKiB, 0}, ErrBadParams},
		"short recovery": {testPassword, testRecovery[:16], testParams, nil},
	} {
		_, err := Create(other, tc.password, tc.recovery, tc.p)
		if err == nil || (tc.want != nil && !errors.Is(err, tc.want)) {
			t.Errorf("%s: Create: %v, want %v", name, err, tc.want)
		}
	}
	entries, _ := os.ReadDir(dir)
	if len(entries) != 1 {
		t.Fatalf("refused Creates left files behind: %v", entries)
	}
}

func TestOpenRefusesOtherFiles(t *testing.T) {
	dir := t.TempDir()
	write := func(name string, data []byte) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, data, 0o600); err != nil {
			t.Fatal(err)
		}
		return p
	}
	garbage := make([]byte, 64<<10)
	for i := range garbage {
		garbage[i] = byte(i * 7)
	}
	empty := write("empty", nil)
	for name, path := range map[string]string{
		"empty":   empty,
		"text":    write("text", []byte("this is a shopping list\n")),
		"garbage": write("garbage", garbage),
	} {
		if _, err := Open(path); !errors.Is(err, ErrNotVault) {
			t.Errorf("Open(%s): %v, want ErrNotVault", name, err)
		}
	}
	if fi, _ := os.Stat(empty); fi.Size() != 0 {
		t.Error("Open turned an empty file into a database")
	}

	// A bbolt database of some other program.
	other := filepath.Join(dir, "other.db")
	db, err := bbolt.Open(other, 0o600, nil)
	if err != nil {
		t.Fatal(err)
	}
	db.Update(func(tx *bbolt.Tx) error { _, err := tx.CreateBucket([]byte("stuff")); return err })
	db.Close()
	if _, err := Open(other); !errors.Is(err, ErrNotVault) {
		t.Errorf("Open(other bbolt file): %v, want ErrNotVault", err)
	}

	missing := filepath.Join(dir, "missing.hwv")
	if _, err := Open(missing); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("Open(missing): %v, want fs.ErrNotExist", err)
	}
	if _, err := os.Stat(missing); err == nil {
		t.Error("Open created a missing file")
	}
}

// setHeaderField rewrites part of the header of a closed vault file.
func setHeaderField(t *testing.T, path string, off int, val []byte) {
	rawUpdate(t, path, func(tx *bbolt.Tx) error {
		b := tx.Bucket(bucketHeader)
		h := append([]byte(nil), b.Get(keyHeader)...)
		copy(h[off:], val)
		return b.Put(keyHeader, h)
	})
}

func TestOpenRefusesDoctoredHeaders(t *testing.T) {
	for name, tc := range map[string]struct {
		off  int
		val  []byte
		want error
	}{
		"newer format":    {offFormat, []byte{0, formatVersion + 1}, ErrNewerFormat},
		"time 1000":       {offParams, []byte{0, 0, 0x03, 0xe8}, ErrBadParams},
		"memory 4 TiB":    {offParams + 4, []byte{0xff, 0xff, 0xff, 0xff}, ErrBadParams},
		"memory 1 KiB":    {offParams + 4, []byte{0, 0, 4, 0}, ErrBadParams},
		"threads 255":     {offParams + 8, []byte{0xff}, ErrBadParams},
		"threads 0":       {offParams + 8, []byte{0}, ErrBadParams},
		"signature wiped": {0, []byte("XXXX"), ErrNotVault},
	} {
		t.Run(name, func(t *testing.T) {
			v, path := newVault(t)
			v.Close()
			setHeaderField(t, path, tc.off, tc.val)
			start := time.Now()
			_, err := Open(path)
			if !errors.Is(err, tc.want) {
				t.Fatalf("Open: %v, want %v", err, tc.want)
			}
			if time.Since(start) > 5*time.Second {
				t.Fatal("Open took too long on a doctored header")
			}
		})
	}
}

func TestSecondOpenIsInUse(t *testing.T) {
	v, path := newVault(t)
	_, err := Open(path)
	if !errors.Is(err, ErrInUse) {
		t.Fatalf("second Open: %v, want ErrInUse", err)
	}
	v.Close()
	v2, err := Open(path)
	if err != nil {
		t.Fatalf("Open after Close: %v", err)
	}
	v2.Close()
}

func TestRecoveryKeyResetsPassword(t *testing.T) {
	v, _ := newVault(t)
	ids := put(t, v, map[string]string{"Condition/1": "asthma"})
	v = reopen(t, v, nil)

	wrongKey := bytes.Repeat([]byte{7}, 32)
	if err := v.UnlockWithRecoveryKey(wrongKey, []byte("new")); !errors.Is(err, ErrWrongRecoveryKey) {
		t.Fatalf("wrong recovery key: %v, want ErrWrongRecoveryKey", err)
	}
	if !v.Locked() {
		t.Fatal("a wrong recovery key unlocked the vault")
	}
	newPassword := []byte("a brand new password")
	if err := v.UnlockWithRecoveryKey(testRecovery, newPassword); err != nil {
		t.Fatal(err)
	}
	if body, err := v.Body(ids["Condition/1"], 1); err != nil || string(body) != "asthma" {
		t.Fatalf("Body after recovery = %q, %v", body, err)
	}

	v = reopen(t, v, nil)
	if err := v.Unlock(testPassword); !errors.Is(err, ErrWrongPassword) {
		t.Fatalf("the forgotten password still works: %v", err)
	}
	if err := v.Unlock(newPassword); err != nil {
		t.Fatalf("the new password: %v", err)
	}
	// The recovery key keeps working after a reset.
	v.Lock()
	if err := v.UnlockWithRecoveryKey(testRecovery, []byte("third")); err != nil {
		t.Fatal(err)
	}
}

func TestDefaultParams(t *testing.T) {
	if testing.Short() {
		t.Skip("Argon2id with the real parameters")
	}
	path := filepath.Join(t.TempDir(), "vault.hwv")
	v, err := Create(path, testPassword, testRecovery, DefaultParams)
	if err != nil {
		t.Fatal(err)
	}
	defer v.Close()
	v = reopen(t, v, nil)
	if v.hdr.params != DefaultParams {
		t.Fatalf("stored params %+v, want %+v", v.hdr.params, DefaultParams)
	}
	start := time.Now()
	if err := v.Unlock(testPassword); err != nil {
		t.Fatal(err)
	}
	t.Logf("Unlock with the default Argon2id parameters took %v", time.Since(start))
}
