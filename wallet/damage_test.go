package wallet

import (
	"context"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"testing"
)

// TestFlippedByte flips one byte at a time at random places of a real vault
// file and reopens it: the wallet never panics, and either refuses the file
// with an error, or unlocks and reports what is damaged while every record it
// still lists reads back exactly as imported.
func TestFlippedByte(t *testing.T) {
	src := newTestWallet(t)
	var files []string
	want := map[string]string{} // resource id → original JSON
	for i := range 40 {
		raw := fmt.Sprintf(`{"resourceType":"Observation","id":"o%d","code":{"text":"Glucose %d"},"valueQuantity":{"value":%d,"unit":"mg/dL"}}`, i, i, 80+i)
		path := filepath.Join(t.TempDir(), fmt.Sprintf("o%d.json", i))
		os.WriteFile(path, []byte(raw), 0o600)
		files = append(files, path)
		want[fmt.Sprintf("o%d", i)] = raw
	}
	if _, err := src.Import(context.Background(), files, nil); err != nil {
		t.Fatal(err)
	}
	vaultPath := filepath.Join(src.Dir(), VaultFileName)
	src.Close()
	pristine, err := os.ReadFile(vaultPath)
	if err != nil {
		t.Fatal(err)
	}

	rng := rand.New(rand.NewPCG(7, 11))
	var refused, damagedSeen int
	for trial := range 60 {
		damaged := append([]byte(nil), pristine...)
		off := rng.IntN(len(damaged))
		damaged[off] ^= 1 << rng.IntN(8)
		dir := t.TempDir()
		os.WriteFile(filepath.Join(dir, VaultFileName), damaged, 0o600)

		w, err := Open(dir)
		if err == nil {
			err = w.Unlock(testPassword)
		}
		if err != nil {
			refused++
			t.Logf("trial %d, byte %d: refused: %v", trial, off, err)
			if w != nil {
				w.Close()
			}
			continue
		}
		if len(w.Damaged()) > 0 {
			damagedSeen++
		}
		recs, err := w.Records(Query{})
		if err != nil {
			t.Fatalf("trial %d: %v", trial, err)
		}
		if len(recs)+len(w.Damaged()) < len(want) {
			t.Errorf("trial %d, byte %d: %d records + %d damaged, want %d accounted for", trial, off, len(recs), len(w.Damaged()), len(want))
		}
		for _, r := range recs {
			d, err := w.Record(r.ID)
			if err != nil {
				// A body can be damaged while its summary is not: reported on read.
				continue
			}
			if string(d.JSON) != want[r.ResourceID] {
				t.Errorf("trial %d, byte %d: record %s reads back altered", trial, off, r.ResourceID)
			}
		}
		w.Close()
	}
	t.Logf("60 flips: %d refused at open/unlock, %d unlocked with damage reported", refused, damagedSeen)
}
