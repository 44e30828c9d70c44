package vault

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"go.etcd.io/bbolt"
)

// testBody is the body of a record's version in fillVault: big enough that
// a vault of a few thousand records takes several transactions to copy.
func testBody(key string, version int) string {
	return fmt.Sprintf("body %s v%d %s", key, version, strings.Repeat("padding ", 64))
}

// fillVault puts something of every kind into v: records with two versions,
// secrets, state values and an attachment of several chunks. It returns the
// attachment's id and content.
func fillVault(t testing.TB, v *Vault, records int) (AttachmentID, []byte) {
	t.Helper()
	for version := range 2 {
		err := v.Update(func(tx *Tx) error {
			for i := range records {
				key := fmt.Sprintf("Observation/%d", i)
				if _, err := tx.AddVersion(v.RecordID(key), []byte("meta "+key), []byte(testBody(key, version+1))); err != nil {
					return err
				}
			}
			return tx.PutState("outbox", []byte(fmt.Sprint("entry ", version)), []byte("state value"))
		})
		if err != nil {
			t.Fatal(err)
		}
	}
	if err := v.SetSecret("identity/seed", []byte("the seed, secret")); err != nil {
		t.Fatal(err)
	}
	content := bytes.Repeat([]byte("attachment bytes "), 3*ChunkSize/17)
	att, _, err := v.PutAttachment(bytes.NewReader(content))
	if err != nil {
		t.Fatal(err)
	}
	return att, content
}

// sealedValues is every value of the file at path that is sealed (any
// value longer than a tag: wraps, metas, bodies, secrets, attachment keys and
// chunks, state), as raw bytes.
func sealedValues(t testing.TB, path string) [][]byte {
	t.Helper()
	var out [][]byte
	rawView(t, path, func(tx *bbolt.Tx) error {
		h, err := parseHeader(tx.Bucket(bucketHeader).Get(keyHeader))
		if err != nil {
			return err
		}
		out = append(out, bytes.Clone(h.passwordWrap[:]), bytes.Clone(h.recoveryWrap[:]))
		for _, name := range [][]byte{bucketRecords, bucketBodies, bucketSecrets, bucketAttachments, bucketState} {
			err := copyBucket(tx.Bucket(name), [][]byte{name}, func(p [][]byte, k, val []byte) error {
				if len(val) > tagSize {
					out = append(out, bytes.Clone(val))
				}
				return nil
			})
			if err != nil {
				return err
			}
		}
		return nil
	})
	return out
}

// dataKeys opens every record's data key in the file at path with the keys
// of vaultKey.
func dataKeys(t testing.TB, path string, vaultKey []byte) map[ID][]byte {
	t.Helper()
	k := newKeyring(vaultKey, vaultKey)
	out := map[ID][]byte{}
	rawView(t, path, func(tx *bbolt.Tx) error {
		return tx.Bucket(bucketRecords).ForEachBucket(func(id []byte) error {
			if dk, err := openDataKey(k, tx.Bucket(bucketRecords).Bucket(id), ID(id)); err == nil {
				out[ID(id)] = dk
			}
			return nil
		})
	})
	return out
}

// opensUnder lists the values of the file at path that open, at their
// place in the file, under the keys of vaultKey or under the records' data
// keys given.
func opensUnder(t testing.TB, path string, vaultKey []byte, recordKeys map[ID][]byte) []string {
	t.Helper()
	k := newKeyring(vaultKey, vaultKey)
	var opened []string
	rawView(t, path, func(tx *bbolt.Tx) error {
		for _, name := range [][]byte{bucketRecords, bucketBodies, bucketSecrets, bucketAttachments, bucketState} {
			err := copyBucket(tx.Bucket(name), [][]byte{name}, func(p [][]byte, key, val []byte) error {
				if val == nil {
					return nil
				}
				var err error
				switch top := string(p[0]); {
				case top == string(bucketRecords) && bytes.Equal(key, keyDataKey):
					_, err = open(k.dataWrap, adDataKey(ID(p[1])), val)
				case top == string(bucketRecords) && len(key) == 5:
					_, err = open(recordKeys[ID(p[1])], adVersion("meta", ID(p[1]), binary.BigEndian.Uint32(key)), val)
				case top == string(bucketBodies):
					_, err = open(recordKeys[ID(key[:16])], adVersion("body", ID(key[:16]), binary.BigEndian.Uint32(key[16:])), val)
				case top == string(bucketSecrets):
					_, err = open(k.secrets, ad("secret", key), val)
				case top == string(bucketAttachments) && bytes.Equal(key, keyAttachmentInfo):
					_, err = open(k.attachWrap, adAttachment(AttachmentID(p[1])), val)
				case top == string(bucketState) && len(p) == 2:
					_, err = open(k.stateValues, adState([16]byte(p[1]), [16]byte(key)), val)
				default:
					return nil
				}
				if err == nil {
					opened = append(opened, fmt.Sprintf("%s/%x", bytes.Join(p, []byte("/")), key))
				}
				return nil
			})
			if err != nil {
				return err
			}
		}
		return nil
	})
	return opened
}

// readAll reads every record version, the secret, the state and the
// attachment back, failing the test on any difference.
func readAll(t testing.TB, v *Vault, records int, att AttachmentID, content []byte) {
	t.Helper()
	for i := range records {
		key := fmt.Sprintf("Observation/%d", i)
		for version := uint32(1); version <= 2; version++ {
			body, err := v.Body(v.RecordID(key), version)
			if want := testBody(key, int(version)); err != nil || string(body) != want {
				t.Fatalf("record %s version %d = %q, %v; want %q", key, version, body, err, want)
			}
		}
	}
	if s, err := v.Secret("identity/seed"); err != nil || string(s) != "the seed, secret" {
		t.Fatalf("secret = %q, %v", s, err)
	}
	var states int
	err := v.View(func(tx *ReadTx) error {
		return tx.ForEachState("outbox", func(key, value []byte) error {
			states++
			if string(value) != "state value" {
				return fmt.Errorf("state %q = %q", key, value)
			}
			return nil
		})
	})
	if err != nil || states != 2 {
		t.Fatalf("state: %d values, %v", states, err)
	}
	r, err := v.OpenAttachment(att)
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	got, err := io.ReadAll(r)
	if err != nil || !bytes.Equal(got, content) {
		t.Fatalf("attachment: %d bytes, %v; want %d bytes", len(got), err, len(content))
	}
}

// TestChangePasswordReplacesTheVaultKey keeps the old password and the old
// wrapped vault key (the header of before), changes the password, and checks
// that nothing in the current file opens with them: neither the header nor
// any value where it lies, and no old ciphertext is left anywhere in the
// file's bytes (free pages included). Every record still reads with the new
// password and with the recovery key.
func TestChangePasswordReplacesTheVaultKey(t *testing.T) {
	const records = 300
	v, path := newVault(t)
	att, content := fillVault(t, v, records)
	oldHeader, err := v.header()
	if err != nil {
		t.Fatal(err)
	}
	oldVK, err := oldHeader.openWithPassword(testPassword)
	if err != nil {
		t.Fatal(err)
	}
	v.Close()
	oldSealed := sealedValues(t, path)
	oldDataKeys := dataKeys(t, path, oldVK)
	// The checks below find what they look for in the file of before.
	if n := len(opensUnder(t, path, oldVK, oldDataKeys)); n < 4*records {
		t.Fatalf("only %d values open under the old vault key before the change; the check is blind", n)
	}
	v = openUnlocked(t, path)

	if err := v.ChangePassword([]byte("not it"), []byte("x"), testRecovery, testParams, nil); !errors.Is(err, ErrWrongPassword) {
		t.Fatalf("ChangePassword with a wrong old password: %v", err)
	}
	if err := v.ChangePassword(testPassword, []byte("x"), bytes.Repeat([]byte{7}, 32), testParams, nil); !errors.Is(err, ErrWrongRecoveryKey) {
		t.Fatalf("ChangePassword with a wrong recovery key: %v", err)
	}
	newPassword := []byte("new password")
	var calls int
	var last [2]int64
	err = v.ChangePassword(testPassword, newPassword, testRecovery, testParams, func(done, total int64) {
		calls++
		last = [2]int64{done, total}
	})
	if err != nil {
		t.Fatal(err)
	}
	if calls == 0 || last[0] != last[1] {
		t.Errorf("progress: %d calls, last %v; want the end reported", calls, last)
	}
	if v.Locked() {
		t.Fatal("ChangePassword locked an unlocked vault")
	}
	readAll(t, v, records, att, content) // through the same, still open, Vault
	v.Close()

	if opened := opensUnder(t, path, oldVK, oldDataKeys); len(opened) > 0 {
		t.Errorf("%d values of the current file open under the old vault key or the old data keys, e.g. %s", len(opened), opened[0])
	}
	raw, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	for _, old := range oldSealed {
		if bytes.Contains(raw, old) {
			t.Fatalf("the current file still holds a value sealed under the keys of before (%d bytes)", len(old))
		}
	}
	leftovers, _ := filepath.Glob(filepath.Join(filepath.Dir(path), ".*"))
	if len(leftovers) > 0 {
		t.Errorf("files left beside the vault: %v", leftovers)
	}

	v, err = Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer v.Close()
	if h, _ := v.header(); h.passwordWrap == oldHeader.passwordWrap || h.recoveryWrap == oldHeader.recoveryWrap {
		t.Fatal("the header keeps a wrap of before")
	}
	if _, err := (&oldHeader).openWithPassword(testPassword); err != nil {
		t.Fatal(err) // the old header still opens: the key it gives must be useless, as checked above
	}
	if err := v.Unlock(testPassword); !errors.Is(err, ErrWrongPassword) {
		t.Fatalf("old password after the change: %v", err)
	}
	if err := v.Unlock(newPassword); err != nil {
		t.Fatal(err)
	}
	readAll(t, v, records, att, content)
	v.Lock()
	if err := v.UnlockWithRecoveryKey(testRecovery, []byte("third")); err != nil {
		t.Fatal(err)
	}
	readAll(t, v, records, att, content)

	// A second change goes from format 2 to format 2: ids stay, all reads.
	if err := v.ChangePassword([]byte("third"), []byte("fourth"), testRecovery, testParams, nil); err != nil {
		t.Fatal(err)
	}
	v = reopen(t, v, []byte("fourth"))
	readAll(t, v, records, att, content)
}

// TestChangePasswordCrashWriter is the child of
// TestKilledMidPasswordChange: it changes the password of the vault named in
// its environment back and forth until it is killed.
func TestChangePasswordCrashWriter(t *testing.T) {
	path := os.Getenv("VAULT_REKEY_PATH")
	if path == "" {
		return // a child process of TestKilledMidPasswordChange only; nothing to do on its own
	}
	v, err := Open(path)
	if err != nil {
		t.Fatal(err)
	}
	passwords := [][]byte{testPassword, []byte("second password")}
	first := 0
	if err := v.Unlock(testPassword); errors.Is(err, ErrWrongPassword) {
		first = 1 // an earlier round's change was complete
	}
	v.Lock()
	for i := first; ; i++ {
		old, new := passwords[i%2], passwords[(i+1)%2]
		err := v.ChangePassword(old, new, testRecovery, testParams, func(done, total int64) {
			if done < total {
				fmt.Println("copying")
			}
		})
		if err != nil {
			t.Fatal(err)
		}
	}
}

// TestKilledMidPasswordChange kills a process changing the password with
// SIGKILL, at moments spread over the copy: the vault then opens with one of
// the two passwords, whole, and nothing is left beside it after an Open.
func TestKilledMidPasswordChange(t *testing.T) {
	if testing.Short() {
		t.Skip("spawns processes")
	}
	const records = 4000
	v, path := newVault(t)
	att, content := fillVault(t, v, records)
	// How long one change takes here, to spread the kills over it.
	start := time.Now()
	if err := v.ChangePassword(testPassword, testPassword, testRecovery, testParams, nil); err != nil {
		t.Fatal(err)
	}
	took := time.Since(start)
	v.Close()
	const rounds = 8
	midCopy, withOld := 0, 0
	for round := range rounds {
		cmd := startChild(t, "TestChangePasswordCrashWriter", "VAULT_REKEY_PATH="+path, "copying")
		time.Sleep(took * time.Duration(round) / 4) // from the first progress report to 1.75 changes later
		cmd.Process.Kill()
		cmd.Wait()

		// A fresh file beside the vault: the kill came mid-copy.
		left, _ := filepath.Glob(filepath.Join(filepath.Dir(path), ".*rekeying*"))
		if len(left) > 0 {
			midCopy++
		}
		v, err := Open(path)
		if err != nil {
			t.Fatalf("round %d: after SIGKILL mid-change: %v", round, err)
		}
		err = v.Unlock(testPassword)
		if errors.Is(err, ErrWrongPassword) {
			err = v.Unlock([]byte("second password"))
		} else {
			withOld++
		}
		if err != nil {
			t.Fatalf("round %d: neither password opens the vault: %v", round, err)
		}
		readAll(t, v, records, att, content)
		v.Close()
		if left, _ := filepath.Glob(filepath.Join(filepath.Dir(path), ".*rekeying*")); len(left) > 0 {
			t.Fatalf("round %d: Open left %v", round, left)
		}
	}
	if midCopy == 0 {
		t.Fatalf("no kill of %d came while the fresh file was being written", rounds)
	}
	t.Logf("a change takes %v; %d of %d kills came mid-copy; the vault then opened %d times with the first password, %d with the second", took, midCopy, rounds, withOld, rounds-withOld)
}

// TestGateClosedWhileWaitingForIt: Close can end while a ChangePassword is
// still deriving its keys, before it takes the gate; the change must then
// return ErrClosed, not wait for the gate forever.
func TestGateClosedWhileWaitingForIt(t *testing.T) {
	var g dbGate
	g.shut()
	got := make(chan error, 1)
	go func() { got <- g.exclusive() }()
	select {
	case err := <-got:
		if !errors.Is(err, ErrClosed) {
			t.Fatalf("exclusive on a shut gate: %v, want ErrClosed", err)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("exclusive on a shut gate waits forever")
	}
}
