package vault

import (
	"bytes"
	"errors"
	"io"
	"sync"
	"testing"
	"time"
)

// TestConcurrentUseWithLock runs writers, scanners, attachment readers and a
// goroutine locking and unlocking at once. Everything must finish (no
// deadlock between the store's locks and the key lock), and every error must
// be ErrLocked.
func TestConcurrentUseWithLock(t *testing.T) {
	v, _ := newVault(t)
	attID, _, err := v.PutAttachment(bytes.NewReader(pseudoRandom(4*ChunkSize, 6)))
	if err != nil {
		t.Fatal(err)
	}
	ids := put(t, v, map[string]string{"seed": "x"})
	deadline := time.Now().Add(time.Second)
	var wg sync.WaitGroup
	check := func(what string, err error) {
		if err != nil && !errors.Is(err, ErrLocked) {
			t.Errorf("%s: %v", what, err)
		}
	}
	for w := range 2 {
		wg.Go(func() {
			for i := 0; time.Now().Before(deadline); i++ {
				check("Update", v.Update(func(tx *Tx) error {
					for j := range 20 {
						if _, err := tx.AddVersion(ID{byte(w), byte(i), byte(j), 1}, []byte("m"), bytes.Repeat([]byte("b"), 5000)); err != nil {
							return err
						}
					}
					return nil
				}))
			}
		})
	}
	wg.Go(func() {
		for time.Now().Before(deadline) {
			_, err := v.Scan(func(id ID, _ []VersionMeta) error {
				_, err := v.Body(id, 1)
				check("Body in Scan", err)
				return nil
			})
			check("Scan", err)
		}
	})
	wg.Go(func() {
		for time.Now().Before(deadline) {
			r, err := v.OpenAttachment(attID)
			check("OpenAttachment", err)
			if err == nil {
				_, err = io.Copy(io.Discard, r)
				check("reading an attachment", err)
				r.Close()
			}
		}
	})
	wg.Go(func() {
		for time.Now().Before(deadline) {
			v.Lock()
			time.Sleep(time.Millisecond)
			check("Unlock", v.Unlock(testPassword))
			time.Sleep(5 * time.Millisecond)
		}
	})
	done := make(chan struct{})
	go func() { wg.Wait(); close(done) }()
	select {
	case <-done:
	case <-time.After(30 * time.Second):
		panic("deadlock: goroutines still running 30 s after a 1 s test")
	}
	v.Unlock(testPassword)
	if body, err := v.Body(ids["seed"], 1); err != nil || string(body) != "x" {
		t.Fatalf("after the storm: %q, %v", body, err)
	}
}
