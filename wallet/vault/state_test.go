package vault

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"slices"
	"testing"

	"go.etcd.io/bbolt"
)

func TestStateRoundTrip(t *testing.T) {
	v, _ := newVault(t)
	id := v.RecordID("Observation/1")
	// A record and the state about it land together.
	err := v.Update(func(tx *Tx) error {
		if _, err := tx.AddVersion(id, []byte("meta"), []byte("body")); err != nil {
			return err
		}
		for i := range 5 {
			if err := tx.PutState("outbox", fmt.Appendf(nil, "row-%d", i), fmt.Appendf(nil, "value %d", i)); err != nil {
				return err
			}
		}
		if err := tx.PutState("other", []byte("row-1"), []byte("elsewhere")); err != nil {
			return err
		}
		// Read back inside the transaction; replace one value.
		got, ok, err := tx.State("outbox", []byte("row-3"))
		if err != nil || !ok || string(got) != "value 3" {
			t.Errorf("State in the transaction = %q, %v, %v", got, ok, err)
		}
		return tx.PutState("outbox", []byte("row-3"), []byte("replaced"))
	})
	if err != nil {
		t.Fatal(err)
	}
	v = reopen(t, v, testPassword)

	read := func(space string) map[string]string {
		t.Helper()
		out := map[string]string{}
		err := v.View(func(tx *ReadTx) error {
			return tx.ForEachState(space, func(k, val []byte) error {
				out[string(k)] = string(val)
				return nil
			})
		})
		if err != nil {
			t.Fatal(err)
		}
		return out
	}
	got := read("outbox")
	want := map[string]string{"row-0": "value 0", "row-1": "value 1", "row-2": "value 2", "row-3": "replaced", "row-4": "value 4"}
	if fmt.Sprint(got) != fmt.Sprint(want) {
		t.Fatalf("outbox after reopening = %v, want %v", got, want)
	}
	if got := read("other"); len(got) != 1 || got["row-1"] != "elsewhere" {
		t.Fatalf("spaces are not apart: %v", got)
	}
	if got := read("never written"); len(got) != 0 {
		t.Fatalf("empty space = %v", got)
	}

	// Deleting while walking sees the walk through; a missing key is not an error.
	err = v.Update(func(tx *Tx) error {
		if err := tx.DeleteState("outbox", []byte("absent")); err != nil {
			return err
		}
		return tx.ForEachState("outbox", func(k, _ []byte) error {
			if bytes.HasSuffix(k, []byte("1")) || bytes.HasSuffix(k, []byte("3")) {
				return tx.DeleteState("outbox", k)
			}
			return nil
		})
	})
	if err != nil {
		t.Fatal(err)
	}
	keys := []string{}
	for k := range read("outbox") {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	if fmt.Sprint(keys) != "[row-0 row-2 row-4]" {
		t.Fatalf("after deletes: %v", keys)
	}
	err = v.View(func(tx *ReadTx) error {
		_, ok, err := tx.State("outbox", []byte("row-1"))
		if ok || err != nil {
			t.Errorf("deleted key: ok %v, err %v", ok, err)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}

// A failed transaction leaves no state behind, as it leaves no record.
func TestStateRollsBackWithTheTransaction(t *testing.T) {
	v, _ := newVault(t)
	boom := errors.New("boom")
	err := v.Update(func(tx *Tx) error {
		if _, err := tx.AddVersion(v.RecordID("a"), []byte("m"), []byte("b")); err != nil {
			return err
		}
		if err := tx.PutState("anchor", []byte("k"), []byte("v")); err != nil {
			return err
		}
		return boom
	})
	if !errors.Is(err, boom) {
		t.Fatalf("Update = %v", err)
	}
	err = v.View(func(tx *ReadTx) error {
		if _, ok, err := tx.State("anchor", []byte("k")); ok || err != nil {
			t.Errorf("state survived a rolled-back transaction (ok %v, err %v)", ok, err)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}

// Neither spaces, keys nor values are readable in the file, and a value
// moved to another key fails to open instead of being obeyed.
func TestStateOpaqueAndBound(t *testing.T) {
	v, path := newVault(t)
	err := v.Update(func(tx *Tx) error {
		if err := tx.PutState("outbox-space-name", []byte("key-AAAA"), []byte("secret-value-1")); err != nil {
			return err
		}
		return tx.PutState("outbox-space-name", []byte("key-BBBB"), []byte("secret-value-2"))
	})
	if err != nil {
		t.Fatal(err)
	}
	if err := v.Close(); err != nil {
		t.Fatal(err)
	}
	raw, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	for _, s := range []string{"outbox-space-name", "key-AAAA", "secret-value"} {
		if bytes.Contains(raw, []byte(s)) {
			t.Errorf("%q is readable in the vault file", s)
		}
	}

	// Swap the two sealed values on disk.
	db, err := bbolt.Open(path, 0o600, nil)
	if err != nil {
		t.Fatal(err)
	}
	err = db.Update(func(btx *bbolt.Tx) error {
		var space *bbolt.Bucket
		btx.Bucket(bucketState).ForEachBucket(func(k []byte) error {
			space = btx.Bucket(bucketState).Bucket(k)
			return nil
		})
		var keys, vals [][]byte
		space.ForEach(func(k, val []byte) error {
			keys, vals = append(keys, slices.Clone(k)), append(vals, slices.Clone(val))
			return nil
		})
		if len(keys) != 2 {
			return fmt.Errorf("%d entries", len(keys))
		}
		space.Put(keys[0], vals[1])
		return space.Put(keys[1], vals[0])
	})
	db.Close()
	if err != nil {
		t.Fatal(err)
	}
	v2, err := Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer v2.Close()
	if err := v2.Unlock(testPassword); err != nil {
		t.Fatal(err)
	}
	err = v2.View(func(tx *ReadTx) error {
		_, _, err := tx.State("outbox-space-name", []byte("key-AAAA"))
		return err
	})
	if !errors.Is(err, ErrCorrupt) {
		t.Fatalf("a value moved to another key: %v, want ErrCorrupt", err)
	}
}

func TestStateNeedsUnlockedVault(t *testing.T) {
	v, _ := newVault(t)
	v.Lock()
	if err := v.View(func(*ReadTx) error { return nil }); !errors.Is(err, ErrLocked) {
		t.Fatalf("View on a locked vault: %v", err)
	}
	if err := v.Update(func(*Tx) error { return nil }); !errors.Is(err, ErrLocked) {
		t.Fatalf("Update on a locked vault: %v", err)
	}
}

// A vault written before the state area existed opens, reads an empty state
// and gets the area on its first state write.
func TestStateInOlderVault(t *testing.T) {
	v, path := newVault(t)
	v.Close()
	db, err := bbolt.Open(path, 0o600, nil)
	if err != nil {
		t.Fatal(err)
	}
	err = db.Update(func(btx *bbolt.Tx) error { return btx.DeleteBucket(bucketState) })
	db.Close()
	if err != nil {
		t.Fatal(err)
	}
	v, err = Open(path)
	if err != nil {
		t.Fatalf("a vault without a state area: %v", err)
	}
	defer v.Close()
	if err := v.Unlock(testPassword); err != nil {
		t.Fatal(err)
	}
	err = v.View(func(tx *ReadTx) error {
		_, ok, err := tx.State("s", []byte("k"))
		if ok || err != nil {
			t.Errorf("State in an older vault: %v, %v", ok, err)
		}
		return tx.ForEachState("s", func(_, _ []byte) error { t.Error("an entry in an empty area"); return nil })
	})
	if err != nil {
		t.Fatal(err)
	}
	if err := v.Update(func(tx *Tx) error { return tx.PutState("s", []byte("k"), []byte("v")) }); err != nil {
		t.Fatal(err)
	}
	err = v.View(func(tx *ReadTx) error {
		got, ok, err := tx.State("s", []byte("k"))
		if !ok || err != nil || string(got) != "v" {
			t.Errorf("after the first write: %q %v %v", got, ok, err)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}
