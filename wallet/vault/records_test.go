package vault

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"strings"
	"testing"
	"time"

	"go.etcd.io/bbolt"
)

func TestVersions(t *testing.T) {
	v, _ := newVault(t)
	id := v.RecordID("Observation/hba1c")
	start := time.Now()
	for i, body := range []string{"7.2 mmol/L", "6.9 mmol/L"} {
		err := v.Update(func(tx *Tx) error {
			ver, err := tx.AddVersion(id, []byte(fmt.Sprintf("meta %d", i+1)), []byte(body))
			if err != nil {
				return err
			}
			if ver != uint32(i+1) {
				t.Errorf("AddVersion = %d, want %d", ver, i+1)
			}
			latest, ok, err := tx.Latest(id)
			if err != nil || !ok || latest.Version != ver || string(latest.Meta) != fmt.Sprintf("meta %d", i+1) {
				t.Errorf("Latest inside the transaction = %+v, %v, %v", latest, ok, err)
			}
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
	}
	for ver, want := range map[uint32]string{1: "7.2 mmol/L", 2: "6.9 mmol/L"} {
		if body, err := v.Body(id, ver); err != nil || string(body) != want {
			t.Errorf("Body(v%d) = %q, %v; want %q", ver, body, err, want)
		}
	}
	if _, err := v.Body(id, 3); !errors.Is(err, ErrNotFound) {
		t.Errorf("Body(v3): %v, want ErrNotFound", err)
	}
	if _, err := v.Body(v.RecordID("nothing"), 1); !errors.Is(err, ErrNotFound) {
		t.Errorf("Body(unknown): %v, want ErrNotFound", err)
	}
	versions, err := v.Versions(id)
	if err != nil || len(versions) != 2 {
		t.Fatalf("Versions = %v, %v", versions, err)
	}
	for i, vm := range versions {
		if vm.ID != id || vm.Version != uint32(i+1) || vm.Created.Before(start.Add(-time.Second)) || vm.Created.After(time.Now()) {
			t.Errorf("version %d: %+v", i+1, vm)
		}
	}
	n := 0
	damaged, err := v.Scan(func(got ID, vs []VersionMeta) error {
		n++
		if got != id || len(vs) != 2 || string(vs[1].Meta) != "meta 2" {
			t.Errorf("Scan gave %s %+v", got, vs)
		}
		return nil
	})
	if err != nil || len(damaged) != 0 || n != 1 {
		t.Fatalf("Scan: %d records, damaged %v, %v", n, damaged, err)
	}
}

func TestUpdateIsAllOrNothing(t *testing.T) {
	v, _ := newVault(t)
	boom := errors.New("the third resource is malformed")
	err := v.Update(func(tx *Tx) error {
		for i := range 3 {
			if _, err := tx.AddVersion(v.RecordID(fmt.Sprint(i)), nil, []byte("x")); err != nil {
				return err
			}
		}
		return boom
	})
	if !errors.Is(err, boom) {
		t.Fatalf("Update: %v, want the function's error", err)
	}
	func() {
		defer func() {
			if recover() == nil {
				t.Error("a panic in the caller's function was swallowed")
			}
		}()
		v.Update(func(tx *Tx) error {
			tx.AddVersion(v.RecordID("p"), nil, []byte("x"))
			panic("caller bug")
		})
	}()
	v = reopen(t, v, testPassword)
	n := 0
	if _, err := v.Scan(func(ID, []VersionMeta) error { n++; return nil }); err != nil || n != 0 {
		t.Fatalf("after failed Updates Scan saw %d records (%v)", n, err)
	}
	v.Update(func(tx *Tx) error {
		if _, ok, err := tx.Latest(v.RecordID("0")); ok || err != nil {
			t.Errorf("Latest of a rolled-back record: %v, %v", ok, err)
		}
		return nil
	})
}

func TestTxRefusesMisuse(t *testing.T) {
	v, _ := newVault(t)
	var kept *Tx
	err := v.Update(func(tx *Tx) error {
		kept = tx
		if _, err := tx.AddVersion(ID{}, nil, nil); err == nil {
			t.Error("AddVersion accepted the zero ID")
		}
		if _, err := tx.AddVersion(ID{1}, nil, make([]byte, MaxBodySize+1)); !errors.Is(err, ErrTooLarge) {
			t.Errorf("AddVersion of a huge body: %v, want ErrTooLarge", err)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := kept.AddVersion(ID{1}, nil, nil); err == nil {
		t.Fatal("a Tx worked after its Update returned")
	}
}

// TestNothingReadableOnDisk writes what a patient's wallet holds and looks
// for any of it in the raw file.
func TestNothingReadableOnDisk(t *testing.T) {
	v, path := newVault(t)
	secrets := []string{
		"Ada Lovelace", "Metformin", "1961-03-14", "MedicationStatement", "Patient/ada-1",
		"wallet-seed", "abandon abandon ability", "HbA1c", "Type 2 diabetes",
	}
	err := v.Update(func(tx *Tx) error {
		for i, key := range []string{"Patient/ada-1", "MedicationStatement/med-1", "Condition/1961-03-14"} {
			meta := fmt.Sprintf(`{"resourceType":"MedicationStatement","title":"Metformin 500 mg","date":"1961-03-14","i":%d}`, i)
			body := `{"resourceType":"Patient","name":[{"text":"Ada Lovelace"}],"birthDate":"1961-03-14",` +
				`"note":"Metformin for Type 2 diabetes, HbA1c 7.2"}`
			if _, err := tx.AddVersion(v.RecordID(key), []byte(meta), []byte(body)); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if err := v.SetSecret("wallet-seed", []byte("abandon abandon ability")); err != nil {
		t.Fatal(err)
	}
	if _, _, err := v.PutAttachment(strings.NewReader(strings.Repeat("Ada Lovelace takes Metformin. ", 5000))); err != nil {
		t.Fatal(err)
	}
	v.Close()
	raw, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	lower := bytes.ToLower(raw)
	for _, s := range secrets {
		if bytes.Contains(lower, bytes.ToLower([]byte(s))) {
			t.Errorf("%q is readable in the vault file", s)
		}
	}
}

// flipInFile finds needle in the file and flips one bit in its middle.
func flipInFile(t *testing.T, path string, needle []byte) {
	t.Helper()
	raw, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	i := bytes.Index(raw, needle)
	if i < 0 || bytes.Contains(raw[i+1:], needle) {
		t.Fatalf("ciphertext found %d times in the file, want once", bytes.Count(raw, needle))
	}
	raw[i+len(needle)/2] ^= 0x10
	if err := os.WriteFile(path, raw, 0o600); err != nil {
		t.Fatal(err)
	}
}

func rawValue(t *testing.T, path string, id ID, key []byte) []byte {
	var out []byte
	rawView(t, path, func(tx *bbolt.Tx) error {
		out = append(out, tx.Bucket(bucketRecords).Bucket(id[:]).Get(key)...)
		return nil
	})
	if out == nil {
		t.Fatalf("no value %x in record %s", key, id)
	}
	return out
}

// rawBody is the sealed body of one version, read from the file.
func rawBody(t *testing.T, path string, id ID, version uint32) []byte {
	var out []byte
	rawView(t, path, func(tx *bbolt.Tx) error {
		out = append(out, tx.Bucket(bucketBodies).Get(bodyKey(id, version))...)
		return nil
	})
	if out == nil {
		t.Fatalf("no body of record %s version %d", id, version)
	}
	return out
}

func TestTamperedBytesAreReportedNotObeyed(t *testing.T) {
	v, path := newVault(t)
	records := map[string]string{}
	for i := range 6 {
		records[fmt.Sprintf("Observation/%d", i)] = fmt.Sprintf("body %d", i)
	}
	ids := put(t, v, records)
	v.Close()

	metaVictim, bodyVictim := ids["Observation/2"], ids["Observation/4"]
	flipInFile(t, path, rawValue(t, path, metaVictim, versionKey(1, kindMeta)))
	flipInFile(t, path, rawBody(t, path, bodyVictim, 1))

	v, err := Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer v.Close()
	if err := v.Unlock(testPassword); err != nil {
		t.Fatal(err)
	}
	seen := map[ID]bool{}
	damaged, err := v.Scan(func(id ID, _ []VersionMeta) error { seen[id] = true; return nil })
	if err != nil {
		t.Fatal(err)
	}
	if len(damaged) != 1 || damaged[0].ID != metaVictim || !strings.Contains(damaged[0].Problem, "meta") {
		t.Fatalf("damaged = %v, want only %s with a meta problem", damaged, metaVictim)
	}
	if len(seen) != 5 || seen[metaVictim] {
		t.Fatalf("Scan passed %d records (victim included: %v), want the 5 others", len(seen), seen[metaVictim])
	}
	_, err = v.Body(bodyVictim, 1)
	if !errors.Is(err, ErrCorrupt) || !strings.Contains(err.Error(), bodyVictim.String()) {
		t.Fatalf("Body of a flipped body: %v, want ErrCorrupt naming %s", err, bodyVictim)
	}
	for key, id := range ids {
		if id == bodyVictim {
			continue
		}
		if body, err := v.Body(id, 1); err != nil || string(body) != records[key] {
			t.Errorf("Body(%s) = %q, %v", key, body, err)
		}
	}
}

func TestSwappedCiphertextsAreDetected(t *testing.T) {
	// A slot is where a ciphertext lives: a meta or the data key in the
	// record's bucket, or a body in the bodies bucket.
	type slot struct {
		rec  string
		kind string // "meta", "body" or "key"
		ver  uint32
	}
	type body struct {
		rec string
		ver uint32
	}
	for name, tc := range map[string]struct {
		a, b        slot
		scanDamaged []string // records Scan must report
		badBodies   []body   // bodies that must fail with ErrCorrupt
	}{
		"metas between records": {
			a: slot{"A", "meta", 1}, b: slot{"B", "meta", 1},
			scanDamaged: []string{"A", "B"},
		},
		"bodies between records": {
			a: slot{"A", "body", 1}, b: slot{"B", "body", 1},
			badBodies: []body{{"A", 1}, {"B", 1}},
		},
		"metas between versions": {
			a: slot{"A", "meta", 1}, b: slot{"A", "meta", 2},
			scanDamaged: []string{"A"},
		},
		"bodies between versions": {
			a: slot{"A", "body", 1}, b: slot{"A", "body", 2},
			badBodies: []body{{"A", 1}, {"A", 2}},
		},
		"meta and body of one version": {
			a: slot{"A", "meta", 1}, b: slot{"A", "body", 1},
			scanDamaged: []string{"A"}, badBodies: []body{{"A", 1}},
		},
		"data keys between records": {
			a: slot{"A", "key", 0}, b: slot{"B", "key", 0},
			scanDamaged: []string{"A", "B"}, badBodies: []body{{"A", 1}, {"B", 1}},
		},
	} {
		t.Run(name, func(t *testing.T) {
			v, path := newVault(t)
			ids := put(t, v, map[string]string{"A": "alpha", "B": "beta", "C": "gamma"})
			put(t, v, map[string]string{"A": "alpha 2"})
			v.Close()
			rawUpdate(t, path, func(tx *bbolt.Tx) error {
				locate := func(s slot) (*bbolt.Bucket, []byte) {
					id := ids[s.rec]
					switch s.kind {
					case "meta":
						return tx.Bucket(bucketRecords).Bucket(id[:]), versionKey(s.ver, kindMeta)
					case "body":
						return tx.Bucket(bucketBodies), bodyKey(id, s.ver)
					}
					return tx.Bucket(bucketRecords).Bucket(id[:]), keyDataKey
				}
				ba, ka := locate(tc.a)
				bb, kb := locate(tc.b)
				va := append([]byte(nil), ba.Get(ka)...)
				vb := append([]byte(nil), bb.Get(kb)...)
				if va == nil || vb == nil {
					t.Fatalf("a slot is empty: %v %v", tc.a, tc.b)
				}
				if err := ba.Put(ka, vb); err != nil {
					return err
				}
				return bb.Put(kb, va)
			})
			v, err := Open(path)
			if err != nil {
				t.Fatal(err)
			}
			defer v.Close()
			if err := v.Unlock(testPassword); err != nil {
				t.Fatal(err)
			}
			damaged, err := v.Scan(func(ID, []VersionMeta) error { return nil })
			if err != nil {
				t.Fatal(err)
			}
			var got []string
			for _, d := range damaged {
				for k, id := range ids {
					if d.ID == id {
						got = append(got, k)
					}
				}
			}
			if fmt.Sprint(sorted(got)) != fmt.Sprint(tc.scanDamaged) {
				t.Errorf("Scan reported %v (%v), want %v", got, damaged, tc.scanDamaged)
			}
			for _, b := range tc.badBodies {
				if _, err := v.Body(ids[b.rec], b.ver); !errors.Is(err, ErrCorrupt) {
					t.Errorf("Body(%s v%d): %v, want ErrCorrupt", b.rec, b.ver, err)
				}
			}
			if body, err := v.Body(ids["C"], 1); err != nil || string(body) != "gamma" {
				t.Errorf("the untouched record: %q, %v", body, err)
			}
		})
	}
}

func sorted(s []string) []string {
	out := append([]string(nil), s...)
	for i := range out {
		for j := i + 1; j < len(out); j++ {
			if out[j] < out[i] {
				out[i], out[j] = out[j], out[i]
			}
		}
	}
	if out == nil {
		return []string{}
	}
	return out
}

func TestShred(t *testing.T) {
	v, path := newVault(t)
	ids := put(t, v, map[string]string{"Patient/1": "Ada", "Patient/2": "Bob"})
	id := ids["Patient/1"]
	put(t, v, map[string]string{"Patient/1": "Ada v2"})
	if err := v.Shred(id); err != nil {
		t.Fatal(err)
	}
	for ver := uint32(1); ver <= 2; ver++ {
		if _, err := v.Body(id, ver); !errors.Is(err, ErrShredded) {
			t.Errorf("Body(v%d) after Shred: %v, want ErrShredded", ver, err)
		}
	}
	if _, err := v.Versions(id); !errors.Is(err, ErrShredded) {
		t.Errorf("Versions after Shred: %v, want ErrShredded", err)
	}
	var seen []ID
	if _, err := v.Scan(func(id ID, _ []VersionMeta) error { seen = append(seen, id); return nil }); err != nil {
		t.Fatal(err)
	}
	if len(seen) != 1 || seen[0] != ids["Patient/2"] {
		t.Errorf("Scan after Shred saw %v, want only Patient/2", seen)
	}
	if err := v.Shred(id); err != nil {
		t.Errorf("Shred twice: %v", err)
	}
	if err := v.Shred(v.RecordID("never")); !errors.Is(err, ErrNotFound) {
		t.Errorf("Shred of an unknown record: %v, want ErrNotFound", err)
	}
	v.Close()
	other := ids["Patient/2"]
	rawView(t, path, func(tx *bbolt.Tx) error {
		rb := tx.Bucket(bucketRecords).Bucket(id[:])
		rb.ForEach(func(k, _ []byte) error {
			if !bytes.Equal(k, keyTombstone) {
				t.Errorf("Shred left %x behind", k)
			}
			return nil
		})
		var left []string
		tx.Bucket(bucketBodies).ForEach(func(k, _ []byte) error {
			left = append(left, fmt.Sprintf("%x", k))
			if bytes.HasPrefix(k, id[:]) {
				t.Errorf("Shred left the body %x behind", k)
			}
			return nil
		})
		if len(left) != 1 || left[0] != fmt.Sprintf("%x", bodyKey(other, 1)) {
			t.Errorf("bodies after Shred: %v, want only Patient/2's", left)
		}
		return nil
	})

	// The same logical record imported again starts afresh, after the shredded versions.
	v, err := Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer v.Close()
	v.Unlock(testPassword)
	var ver uint32
	if err := v.Update(func(tx *Tx) error { ver, err = tx.AddVersion(id, nil, []byte("Ada again")); return err }); err != nil {
		t.Fatal(err)
	}
	if ver != 3 {
		t.Errorf("version after re-import = %d, want 3", ver)
	}
	if _, err := v.Body(id, 1); !errors.Is(err, ErrShredded) {
		t.Errorf("old version after re-import: %v, want ErrShredded", err)
	}
	if body, err := v.Body(id, 3); err != nil || string(body) != "Ada again" {
		t.Errorf("re-imported body: %q, %v", body, err)
	}
}

func TestSecrets(t *testing.T) {
	v, _ := newVault(t)
	if _, err := v.Secret("seed"); !errors.Is(err, ErrNotFound) {
		t.Fatalf("missing secret: %v, want ErrNotFound", err)
	}
	for _, val := range []string{"first", "second"} {
		if err := v.SetSecret("seed", []byte(val)); err != nil {
			t.Fatal(err)
		}
	}
	v = reopen(t, v, testPassword)
	if got, err := v.Secret("seed"); err != nil || string(got) != "second" {
		t.Fatalf("Secret = %q, %v", got, err)
	}
	if err := v.DeleteSecret("seed"); err != nil {
		t.Fatal(err)
	}
	if _, err := v.Secret("seed"); !errors.Is(err, ErrNotFound) {
		t.Fatalf("deleted secret: %v, want ErrNotFound", err)
	}
	v.Lock()
	if err := v.SetSecret("x", nil); !errors.Is(err, ErrLocked) {
		t.Fatalf("SetSecret while locked: %v, want ErrLocked", err)
	}
}

// TestScanManyRecords crosses scan batches, with fn reading bodies (the
// callback may call the vault: no transaction is held while it runs).
func TestScanManyRecords(t *testing.T) {
	v, _ := newVault(t)
	n := 2*scanBatch + 17
	err := v.Update(func(tx *Tx) error {
		for i := range n {
			if _, err := tx.AddVersion(v.RecordID(fmt.Sprint(i)), []byte(fmt.Sprint(i)), []byte(fmt.Sprint("body ", i))); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	seen := map[ID]bool{}
	_, err = v.Scan(func(id ID, vs []VersionMeta) error {
		if seen[id] {
			t.Errorf("Scan gave %s twice", id)
		}
		seen[id] = true
		body, err := v.Body(id, 1)
		if err != nil || string(body) != "body "+string(vs[0].Meta) {
			t.Errorf("Body inside Scan: %q, %v", body, err)
		}
		return nil
	})
	if err != nil || len(seen) != n {
		t.Fatalf("Scan saw %d of %d records: %v", len(seen), n, err)
	}
	stop := errors.New("enough")
	calls := 0
	if _, err := v.Scan(func(ID, []VersionMeta) error { calls++; return stop }); !errors.Is(err, stop) || calls != 1 {
		t.Fatalf("Scan did not stop on fn's error: %v after %d calls", err, calls)
	}
}

// TestMangledPagesNeverPanic overwrites each page of a vault file in turn
// with junk; whatever fails must fail with an error.
func TestMangledPagesNeverPanic(t *testing.T) {
	v, path := newVault(t)
	records := map[string]string{}
	for i := range 40 {
		records[fmt.Sprint("r", i)] = strings.Repeat("x", 300)
	}
	ids := put(t, v, records)
	v.Close()
	pristine, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	pageSize := os.Getpagesize()
	pages := len(pristine) / pageSize
	errorsSeen := 0
	for p := 2; p < pages; p++ { // pages 0 and 1 are bbolt's checksummed metas
		mangled := append([]byte(nil), pristine...)
		for i := p * pageSize; i < (p+1)*pageSize; i++ {
			mangled[i] = byte(i*31 + p)
		}
		// A fresh file each time: a panic inside bbolt.Open leaves the
		// file mapped, and so locked, for the life of the process.
		path := fmt.Sprintf("%s.%d", path, p)
		if err := os.WriteFile(path, mangled, 0o600); err != nil {
			t.Fatal(err)
		}
		func() {
			defer func() {
				if r := recover(); r != nil {
					t.Errorf("page %d: panic %v", p, r)
				}
			}()
			v, err := Open(path)
			if err != nil {
				errorsSeen++
				if errors.Is(err, ErrInUse) {
					t.Errorf("page %d: Open: %v", p, err)
				}
				return
			}
			defer v.Close()
			if err := v.Unlock(testPassword); err != nil {
				errorsSeen++
				return
			}
			if d, err := v.Scan(func(ID, []VersionMeta) error { return nil }); err != nil || len(d) > 0 {
				errorsSeen++
			}
			for _, id := range ids {
				// Bodies have pages of their own, which only Body reads.
				if _, err := v.Body(id, 1); err != nil {
					errorsSeen++
				}
			}
			v.SetSecret("s", []byte("v"))
		}()
	}
	if errorsSeen == 0 {
		t.Fatal("no mangled page was noticed")
	}
}

// TestBodiesLiveApartFromMetas checks the layout Scan's memory use depends
// on: a record's bucket holds its data key and metas only, and each body is
// in the bodies bucket under id ‖ version.
func TestBodiesLiveApartFromMetas(t *testing.T) {
	v, path := newVault(t)
	ids := put(t, v, map[string]string{"A": "alpha", "B": "beta"})
	put(t, v, map[string]string{"A": "alpha 2"})
	v.Close()
	rawView(t, path, func(tx *bbolt.Tx) error {
		want := map[string]bool{
			fmt.Sprintf("%x", bodyKey(ids["A"], 1)): true,
			fmt.Sprintf("%x", bodyKey(ids["A"], 2)): true,
			fmt.Sprintf("%x", bodyKey(ids["B"], 1)): true,
		}
		n := 0
		tx.Bucket(bucketBodies).ForEach(func(k, _ []byte) error {
			n++
			if !want[fmt.Sprintf("%x", k)] {
				t.Errorf("unexpected body key %x", k)
			}
			return nil
		})
		if n != len(want) {
			t.Errorf("%d bodies, want %d", n, len(want))
		}
		return tx.Bucket(bucketRecords).ForEachBucket(func(id []byte) error {
			return tx.Bucket(bucketRecords).Bucket(id).ForEach(func(k, _ []byte) error {
				if !bytes.Equal(k, keyDataKey) && (len(k) != 5 || k[4] != kindMeta) {
					t.Errorf("record %x holds %x, want only its data key and metas", id, k)
				}
				return nil
			})
		})
	})
}

// A body gone from the file does not stop the scan (which reads metas only);
// reading it says so, naming the record.
func TestMissingBodyIsReportedWhenRead(t *testing.T) {
	v, path := newVault(t)
	ids := put(t, v, map[string]string{"A": "alpha", "B": "beta"})
	v.Close()
	rawUpdate(t, path, func(tx *bbolt.Tx) error { return tx.Bucket(bucketBodies).Delete(bodyKey(ids["A"], 1)) })
	v, err := Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer v.Close()
	if err := v.Unlock(testPassword); err != nil {
		t.Fatal(err)
	}
	n := 0
	damaged, err := v.Scan(func(ID, []VersionMeta) error { n++; return nil })
	if err != nil || len(damaged) != 0 || n != 2 {
		t.Fatalf("Scan: %d records, damaged %v, %v", n, damaged, err)
	}
	if _, err := v.Body(ids["A"], 1); !errors.Is(err, ErrNotFound) || !strings.Contains(err.Error(), ids["A"].String()) {
		t.Fatalf("Body of a missing body: %v, want ErrNotFound naming %s", err, ids["A"])
	}
	if body, err := v.Body(ids["B"], 1); err != nil || string(body) != "beta" {
		t.Fatalf("Body(B) = %q, %v", body, err)
	}
}

// A vault without a bodies bucket still opens and scans; its first record
// write creates the bucket.
func TestOpenWithoutBodiesBucket(t *testing.T) {
	v, path := newVault(t)
	ids := put(t, v, map[string]string{"A": "alpha"})
	v.Close()
	rawUpdate(t, path, func(tx *bbolt.Tx) error { return tx.DeleteBucket(bucketBodies) })
	v, err := Open(path)
	if err != nil {
		t.Fatalf("Open of a vault without a bodies bucket: %v", err)
	}
	defer v.Close()
	if err := v.Unlock(testPassword); err != nil {
		t.Fatal(err)
	}
	n := 0
	if damaged, err := v.Scan(func(ID, []VersionMeta) error { n++; return nil }); err != nil || len(damaged) != 0 || n != 1 {
		t.Fatalf("Scan: %d records, damaged %v, %v", n, damaged, err)
	}
	if _, err := v.Body(ids["A"], 1); !errors.Is(err, ErrNotFound) {
		t.Fatalf("Body without a bodies bucket: %v, want ErrNotFound", err)
	}
	if err := v.Shred(ids["A"]); err != nil {
		t.Fatalf("Shred without a bodies bucket: %v", err)
	}
	b := put(t, v, map[string]string{"B": "beta"})["B"]
	if body, err := v.Body(b, 1); err != nil || string(body) != "beta" {
		t.Fatalf("Body after the first write = %q, %v", body, err)
	}
}

// TestScanLatest checks that ScanLatest gives each record's newest live
// version only, across batches, skips shredded records, reports damage in
// what it reads (the newest meta, the data key, a stray entry after the
// versions) and not in older versions it does not read, which Scan and
// Versions still report.
func TestScanLatest(t *testing.T) {
	v, path := newVault(t)
	n := scanBatch + 9
	want := map[ID]uint32{}
	for round := 1; round <= 3; round++ {
		err := v.Update(func(tx *Tx) error {
			for i := range n {
				if round > i%3+1 { // record i gets i%3+1 versions, in rounds 1…
					continue
				}
				id := v.RecordID(fmt.Sprint(i))
				ver, err := tx.AddVersion(id, []byte(fmt.Sprintf("%d v%d", i, round)), []byte("body"))
				if err != nil {
					return err
				}
				want[id] = ver
			}
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
	}
	// Records 0, 3, … have one version; 1, 4, … two; 2, 5, … three.
	shredded := v.RecordID("3")
	if err := v.Shred(shredded); err != nil {
		t.Fatal(err)
	}
	delete(want, shredded)
	got := map[ID]uint32{}
	damaged, err := v.ScanLatest(func(vm VersionMeta) error {
		if _, dup := got[vm.ID]; dup {
			t.Errorf("ScanLatest gave %s twice", vm.ID)
		}
		got[vm.ID] = vm.Version
		if !strings.HasSuffix(string(vm.Meta), fmt.Sprintf(" v%d", vm.Version)) || vm.Created.IsZero() {
			t.Fatalf("ScanLatest gave %s version %d, meta %q", vm.ID, vm.Version, vm.Meta)
		}
		return nil
	})
	if err != nil || len(damaged) != 0 {
		t.Fatalf("ScanLatest: damaged %v, %v", damaged, err)
	}
	if len(got) != len(want) {
		t.Fatalf("ScanLatest gave %d records, want %d", len(got), len(want))
	}
	for id, ver := range want {
		if got[id] != ver {
			t.Errorf("record %s: ScanLatest gave version %d, want %d", id, got[id], ver)
		}
	}
	stop := errors.New("enough")
	calls := 0
	if _, err := v.ScanLatest(func(VersionMeta) error { calls++; return stop }); !errors.Is(err, stop) || calls != 1 {
		t.Fatalf("ScanLatest did not stop on fn's error: %v after %d calls", err, calls)
	}
	oldDamaged := v.RecordID("2") // three versions: damage version 1
	newDamaged := v.RecordID("5") // three versions: damage version 3
	keyDamaged := v.RecordID("7") // two versions: damage the data key
	strayEntry := v.RecordID("8") // three versions: an unexpected key after them
	v.Close()
	rawUpdate(t, path, func(tx *bbolt.Tx) error {
		records := tx.Bucket(bucketRecords)
		for _, victim := range []struct {
			id  ID
			key []byte
		}{{oldDamaged, versionKey(1, kindMeta)}, {newDamaged, versionKey(3, kindMeta)}, {keyDamaged, keyDataKey}} {
			rb := records.Bucket(victim.id[:])
			val := bytes.Clone(rb.Get(victim.key))
			val[len(val)/2] ^= 0x10
			if err := rb.Put(victim.key, val); err != nil {
				return err
			}
		}
		return records.Bucket(strayEntry[:]).Put([]byte("zz"), []byte("x"))
	})
	v = openUnlocked(t, path)

	got = map[ID]uint32{}
	damaged, err = v.ScanLatest(func(vm VersionMeta) error { got[vm.ID] = vm.Version; return nil })
	if err != nil {
		t.Fatal(err)
	}
	problems := map[ID]string{}
	for _, d := range damaged {
		problems[d.ID] = d.Problem
	}
	if len(problems) != 3 || !strings.Contains(problems[newDamaged], "version 3 meta") ||
		!strings.Contains(problems[keyDamaged], "data key") || !strings.Contains(problems[strayEntry], "unexpected entry") {
		t.Fatalf("ScanLatest damaged = %v, want %s (version 3 meta), %s (data key), %s (unexpected entry)", damaged, newDamaged, keyDamaged, strayEntry)
	}
	if got[oldDamaged] != 3 || len(got) != len(want)-3 {
		t.Fatalf("ScanLatest gave %d records (damaged old version's record: v%d), want %d and v3", len(got), got[oldDamaged], len(want)-3)
	}
	// The older version's damage is found by whoever reads it.
	if _, err := v.Versions(oldDamaged); !errors.Is(err, ErrCorrupt) || !strings.Contains(err.Error(), "version 1 meta") {
		t.Errorf("Versions of a record with a damaged old version: %v, want ErrCorrupt", err)
	}
	damaged, err = v.Scan(func(ID, []VersionMeta) error { return nil })
	if err != nil || len(damaged) != 4 {
		t.Errorf("Scan damaged = %v, %v; want 4 records", damaged, err)
	}
}
