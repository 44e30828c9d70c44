package wallet

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/gowebpki/jcs"

	"healthwallet/wallet/testcorpus"
	"healthwallet/wallet/vault"
)

// testMnemonic is the all-zero-entropy 24-word phrase: valid, and public.
const testMnemonic = "abandon abandon abandon abandon abandon abandon abandon abandon abandon abandon abandon abandon " +
	"abandon abandon abandon abandon abandon abandon abandon abandon abandon abandon abandon art"

// fastKDF keeps tests quick; real wallets use the defaults.
var fastKDF = Options{KDFTime: 1, KDFMemoryKiB: 8 * 1024, KDFThreads: 1}

var testPassword = []byte("correct horse battery")

func newTestWallet(t *testing.T) *Wallet {
	t.Helper()
	w, err := Create(t.TempDir(), testMnemonic, testPassword, "Ada Lovelace", fastKDF)
	if err != nil {
		t.Fatalf("Create: %v", err)
	}
	t.Cleanup(func() { w.Close() })
	return w
}

func corpusFiles(t *testing.T) []string {
	var files []string
	for _, sub := range []string{"synthea", "fhir-r4-examples"} {
		files = append(files, testcorpus.Files(t, testcorpus.Dir(t, sub), ".json")...)
	}
	return files
}

func TestCreateLockUnlock(t *testing.T) {
	w := newTestWallet(t)
	if w.Locked() || w.DisplayName() != "Ada Lovelace" || !strings.HasPrefix(w.Address(), "0x") {
		t.Fatalf("new wallet: locked=%v name=%q address=%q", w.Locked(), w.DisplayName(), w.Address())
	}
	addr := w.Address()
	w.Lock()
	if !w.Locked() || w.Address() != "" {
		t.Fatal("Lock left the keys in memory")
	}
	if _, err := w.Records(Query{Person: Everyone}); !errors.Is(err, ErrLocked) {
		t.Fatalf("Records while locked: %v, want ErrLocked", err)
	}
	if err := w.Unlock([]byte("wrong password")); !errors.Is(err, ErrWrongPassword) {
		t.Fatalf("wrong password: %v, want ErrWrongPassword", err)
	}
	if err := w.Unlock(testPassword); err != nil {
		t.Fatalf("Unlock: %v", err)
	}
	if w.Address() != addr {
		t.Fatalf("address changed across unlock: %s → %s", addr, w.Address())
	}
}

func TestCreateRefusesExistingWalletAndBadPhrase(t *testing.T) {
	w := newTestWallet(t)
	if _, err := Create(w.Dir(), testMnemonic, testPassword, "", fastKDF); !errors.Is(err, ErrWalletExists) {
		t.Fatalf("Create over a wallet: %v, want ErrWalletExists", err)
	}
	bad := strings.Replace(testMnemonic, "art", "zebra", 1)
	if _, err := Create(t.TempDir(), bad, testPassword, "", fastKDF); !errors.Is(err, ErrBadMnemonic) {
		t.Fatalf("Create with a bad phrase: %v, want ErrBadMnemonic", err)
	}
	// The phrase is checked once, and its error reaches the caller as
	// CheckMnemonic words it, whichever call it went to.
	want := CheckMnemonic(bad).Error()
	_, errCreate := Create(t.TempDir(), bad, testPassword, "", fastKDF)
	_, errIdentity := BackupIdentity(bad)
	for name, err := range map[string]error{
		"Create":         errCreate,
		"ResetPassword":  w.ResetPassword(bad, []byte("new password 1")),
		"RestoreBackup":  RestoreBackup(strings.NewReader(""), t.TempDir(), bad),
		"BackupIdentity": errIdentity,
	} {
		if err == nil || err.Error() != want {
			t.Errorf("%s with a bad phrase: %v, want %q", name, err, want)
		}
	}
	if _, err := Open(t.TempDir()); !errors.Is(err, ErrNoWallet) {
		t.Fatalf("Open of an empty directory: %v, want ErrNoWallet", err)
	}
}

// Profile changes made at the same time (the display name, the chain
// settings) must not undo each other: each saves the whole profile.
func TestProfileUpdatesKeepEachOther(t *testing.T) {
	w := newTestWallet(t)
	var wg sync.WaitGroup
	for i := range 8 {
		wg.Add(2)
		go func() {
			defer wg.Done()
			if err := w.SetDisplayName(fmt.Sprintf("Ada %d", i)); err != nil {
				t.Error(err)
			}
		}()
		go func() {
			defer wg.Done()
			if err := w.SetChainSettings(ChainSettings{URL: fmt.Sprintf("http://127.0.0.1:%d", 8545+i)}); err != nil {
				t.Error(err)
			}
		}()
	}
	wg.Wait()
	name, chain := w.DisplayName(), w.ChainSettings()
	if !strings.HasPrefix(name, "Ada ") || chain.URL == "" {
		t.Fatalf("after the updates: name %q, chain %+v", name, chain)
	}
	w.Lock()
	if err := w.Unlock(testPassword); err != nil {
		t.Fatal(err)
	}
	if w.DisplayName() != name || w.ChainSettings() != chain {
		t.Fatalf("saved profile: name %q, chain %+v; in memory it was %q, %+v", w.DisplayName(), w.ChainSettings(), name, chain)
	}
	w.Lock()
	if err := w.SetDisplayName("Ada"); !errors.Is(err, ErrLocked) {
		t.Fatalf("SetDisplayName while locked: %v, want ErrLocked", err)
	}
}

// The wallet may lock (wiping its keys) while a backup or a receive runs:
// they fail with ErrLocked or succeed, and never panic.
func TestLockDuringBackupAndReceive(t *testing.T) {
	w := newTestWallet(t)
	for range 5 {
		done := make(chan error, 1)
		go func() { done <- w.Backup(io.Discard) }()
		w.Lock()
		if err := <-done; err != nil && !errors.Is(err, ErrLocked) {
			t.Fatalf("Backup while locking: %v", err)
		}
		if _, err := w.Receive(context.Background(), "shlink:/x", ReceiveOptions{}); !errors.Is(err, ErrLocked) {
			t.Fatalf("Receive while locked: %v, want ErrLocked", err)
		}
		if err := w.Backup(io.Discard); !errors.Is(err, ErrLocked) {
			t.Fatalf("Backup while locked: %v, want ErrLocked", err)
		}
		if err := w.Unlock(testPassword); err != nil {
			t.Fatal(err)
		}
	}
}

func TestResetAndChangePassword(t *testing.T) {
	w := newTestWallet(t)
	dir := w.Dir()
	w.Close()

	w, err := Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	defer w.Close()
	other, _ := NewMnemonic()
	if err := w.ResetPassword(other, []byte("new password 1")); !errors.Is(err, ErrBadMnemonic) {
		t.Fatalf("reset with another wallet's phrase: %v, want ErrBadMnemonic", err)
	}
	if err := w.ResetPassword(testMnemonic, []byte("new password 1")); err != nil {
		t.Fatalf("ResetPassword: %v", err)
	}
	if kd, err := w.KeyDerivation(); err != nil || kd.Weak {
		t.Fatalf("after a reset: %+v, %v; want the default key derivation", kd, err)
	}
	w.Lock()
	if err := w.Unlock(testPassword); !errors.Is(err, ErrWrongPassword) {
		t.Fatalf("old password after reset: %v, want ErrWrongPassword", err)
	}
	if err := w.ChangePassword([]byte("new password 1"), []byte("new password 2")); err != nil {
		t.Fatalf("ChangePassword: %v", err)
	}
	if err := w.Unlock([]byte("new password 2")); err != nil {
		t.Fatalf("Unlock with the changed password: %v", err)
	}
}

// TestChangePasswordGivesTheDefaultKeyDerivation: a wallet made with weak
// Argon2id parameters says so until a password change, which gives it the
// defaults; its records and identity stay, whether it was locked or not.
func TestChangePasswordGivesTheDefaultKeyDerivation(t *testing.T) {
	w := newTestWallet(t)
	src := filepath.Join(t.TempDir(), "a.json")
	os.WriteFile(src, []byte(`{"resourceType":"AllergyIntolerance","id":"a1","code":{"text":"Peanut"}}`), 0o600)
	if _, err := w.Import(context.Background(), []string{src}, nil); err != nil {
		t.Fatal(err)
	}
	addr := w.Address()
	if kd, err := w.KeyDerivation(); err != nil || !kd.Weak {
		t.Fatalf("a wallet made with fast parameters: %+v, %v; want it marked weak", kd, err)
	}
	w.Lock()
	if err := w.ChangePassword(testPassword, []byte("a new password")); err != nil {
		t.Fatal(err)
	}
	if !w.Locked() {
		t.Fatal("ChangePassword unlocked a locked wallet")
	}
	kd, err := w.KeyDerivation()
	want := vault.DefaultParams
	if err != nil || kd.Weak || kd.Time != want.Time || kd.MemoryKiB != want.MemoryKiB || kd.Threads != want.Threads {
		t.Fatalf("after the change: %+v, %v; want the defaults %+v, not weak", kd, err, want)
	}
	if err := w.Unlock([]byte("a new password")); err != nil {
		t.Fatal(err)
	}
	if w.Address() != addr {
		t.Errorf("address %s after the change, want %s", w.Address(), addr)
	}
	recs, err := w.Records(Query{Person: Everyone})
	if err != nil || len(recs) != 1 {
		t.Fatalf("records after the change: %d, %v", len(recs), err)
	}
	if d, err := w.Record(recs[0].ID); err != nil || !strings.Contains(string(d.JSON), "Peanut") {
		t.Fatalf("record after the change: %v", err)
	}
	// Unlocked, the second change works too.
	if err := w.ChangePassword([]byte("a new password"), []byte("a third password")); err != nil {
		t.Fatal(err)
	}
	if _, err := w.Record(recs[0].ID); err != nil {
		t.Fatalf("record after a change while unlocked: %v", err)
	}
}

// TestImportCorpus imports every Synthea and HL7 example file and checks the
// resource counts against an independent count of the inputs, search, export
// round trip, and that nothing of the records is readable in the vault file.
func TestImportCorpus(t *testing.T) {
	files := corpusFiles(t)
	want := 0
	for _, f := range files {
		want += testcorpus.CountResources(t, f)
	}
	w := newTestWallet(t)
	var progressCalls int
	// The corpus is many people: this test is about the importer, so every
	// file is said to be the owner's (people_test.go keeps them apart).
	report, err := w.ImportWith(context.Background(), files, ImportOptions{Into: OwnerID, Progress: func(ImportProgress) { progressCalls++ }})
	if err != nil {
		t.Fatalf("Import: %v", err)
	}
	if len(report.Rejected) != 0 {
		t.Fatalf("rejected files: %+v", report.Rejected)
	}
	if got := report.Imported + report.Duplicates + report.Versions; got != want {
		t.Fatalf("imported %d + duplicates %d + versions %d = %d, want the %d resources of the inputs",
			report.Imported, report.Duplicates, report.Versions, got, want)
	}
	if progressCalls < len(files) {
		t.Errorf("progress reported %d times for %d files", progressCalls, len(files))
	}
	recs, err := w.Records(Query{Person: Everyone})
	if err != nil {
		t.Fatal(err)
	}
	if len(recs) != report.Imported {
		t.Fatalf("%d records listed, %d imported", len(recs), report.Imported)
	}

	// Importing the same files again adds no record. (Some example files
	// share ids with different content, e.g. several Patient/example: those
	// become versions of each other each time.)
	again, err := w.ImportWith(context.Background(), files, ImportOptions{Into: OwnerID})
	if err != nil {
		t.Fatal(err)
	}
	if again.Imported != 0 || again.Duplicates+again.Versions != want {
		t.Fatalf("second import: %+v, want no new record", again)
	}

	t.Run("search", func(t *testing.T) {
		for _, q := range []struct{ text, typ string }{
			{"amoxicillin", "Medication"},
			{"myleran", "MedicationRequest"},
			{"covid", "Condition"},
		} {
			found, err := w.Search(q.text, 50)
			if err != nil {
				t.Fatal(err)
			}
			ok := false
			for _, r := range found {
				if r.ResourceType == q.typ && strings.Contains(strings.ToLower(r.Title), q.text) {
					ok = true
				}
			}
			if !ok {
				t.Errorf("search %q found no %s whose title names it (got %d results)", q.text, q.typ, len(found))
			}
		}
	})

	t.Run("export round trip", func(t *testing.T) {
		var bundle bytes.Buffer
		n, err := w.Export(&bundle, nil)
		if err != nil || n != len(recs) {
			t.Fatalf("Export: %d resources, %v; want %d", n, err, len(recs))
		}
		path := filepath.Join(t.TempDir(), "export.json")
		if err := os.WriteFile(path, bundle.Bytes(), 0o600); err != nil {
			t.Fatal(err)
		}
		w2 := newTestWallet(t)
		r2, err := w2.ImportWith(context.Background(), []string{path}, ImportOptions{Into: OwnerID})
		if err != nil || r2.Imported != len(recs) || len(r2.Rejected) != 0 {
			t.Fatalf("re-import: %+v, %v", r2, err)
		}
		if canonicalSet(t, w) != canonicalSet(t, w2) {
			t.Fatal("records differ under JCS after export → import")
		}
	})

	t.Run("nothing readable on disk", func(t *testing.T) {
		raw, err := os.ReadFile(filepath.Join(w.Dir(), VaultFileName))
		if err != nil {
			t.Fatal(err)
		}
		needles := []string{"Metformin", "metformin", "Hypertension", "Schowalter", "Bibi254", "MedicationRequest",
			"Observation", "Patient", "resourceType", "Lovelace", "identity/seed", "profile"}
		for _, r := range recs[:20] {
			needles = append(needles, r.Title, r.ResourceID)
		}
		// Strings shorter than 6 bytes turn up by chance in megabytes of
		// ciphertext, so only longer ones are evidence.
		for _, s := range needles {
			if len(s) >= 6 && bytes.Contains(raw, []byte(s)) {
				t.Errorf("the vault file contains %q in clear", s)
			}
		}
	})

	t.Run("survives reopen", func(t *testing.T) {
		dir := w.Dir()
		w.Close()
		w3, err := Open(dir)
		if err != nil {
			t.Fatal(err)
		}
		defer w3.Close()
		if err := w3.Unlock(testPassword); err != nil {
			t.Fatal(err)
		}
		got, _ := w3.Records(Query{Person: Everyone})
		if len(got) != len(recs) || len(w3.Damaged()) != 0 {
			t.Fatalf("after reopen: %d records (want %d), damaged %v", len(got), len(recs), w3.Damaged())
		}
	})
}

// canonicalSet is every record's JCS form, sorted and joined: two wallets
// with equal sets hold the same records.
func canonicalSet(t *testing.T, w *Wallet) string {
	t.Helper()
	recs, err := w.Records(Query{Person: Everyone})
	if err != nil {
		t.Fatal(err)
	}
	var all []string
	for _, r := range recs {
		d, err := w.Record(r.ID)
		if err != nil {
			t.Fatal(err)
		}
		c, err := jcs.Transform(d.JSON)
		if err != nil {
			t.Fatal(err)
		}
		all = append(all, string(c))
	}
	slices.Sort(all)
	return strings.Join(all, "\n")
}

func TestImportRejectsNonFHIRAndKeepsGoing(t *testing.T) {
	dir := t.TempDir()
	good := filepath.Join(dir, "good.json")
	os.WriteFile(good, []byte(`{"resourceType":"Condition","id":"c1","code":{"text":"Asthma"}}`), 0o600)
	xml := filepath.Join(dir, "ccd.xml")
	os.WriteFile(xml, []byte(`<?xml version="1.0"?><ClinicalDocument/>`), 0o600)
	half := filepath.Join(dir, "half.json")
	os.WriteFile(half, []byte(`{"resourceType":"Bundle","type":"collection","entry":[{"resource":{"resourceType":"Condition","id":"c2"}},{"resource":`), 0o600)
	missing := filepath.Join(dir, "missing.json")

	w := newTestWallet(t)
	report, err := w.Import(context.Background(), []string{xml, half, good, missing}, nil)
	if err != nil {
		t.Fatal(err)
	}
	if report.Imported != 1 || report.ByType["Condition"] != 1 {
		t.Fatalf("report %+v: want the one good Condition imported", report)
	}
	if len(report.Rejected) != 3 {
		t.Fatalf("rejected %+v: want the XML, the truncated and the missing file", report.Rejected)
	}
	// The truncated Bundle's first entry must not have landed: files are whole or nothing.
	recs, _ := w.Records(Query{Person: Everyone})
	if len(recs) != 1 {
		t.Fatalf("%d records after import, want 1 (a half file must land not at all)", len(recs))
	}
}

func TestNewVersionAndDelete(t *testing.T) {
	dir := t.TempDir()
	v1 := filepath.Join(dir, "v1.json")
	v2 := filepath.Join(dir, "v2.json")
	os.WriteFile(v1, []byte(`{"resourceType":"Observation","id":"o1","status":"preliminary","code":{"text":"Glucose"},"valueQuantity":{"value":5.1,"unit":"mmol/L"}}`), 0o600)
	os.WriteFile(v2, []byte(`{"resourceType":"Observation","id":"o1","status":"final","code":{"text":"Glucose"},"valueQuantity":{"value":5.3,"unit":"mmol/L"}}`), 0o600)
	w := newTestWallet(t)
	if _, err := w.Import(context.Background(), []string{v1}, nil); err != nil {
		t.Fatal(err)
	}
	r, err := w.Import(context.Background(), []string{v2}, nil)
	if err != nil || r.Versions != 1 || r.Imported != 0 {
		t.Fatalf("second version: %+v %v", r, err)
	}
	recs, _ := w.Records(Query{Person: Everyone})
	if len(recs) != 1 {
		t.Fatalf("%d records, want 1 with two versions", len(recs))
	}
	d, err := w.Record(recs[0].ID)
	if err != nil {
		t.Fatal(err)
	}
	if len(d.Versions) != 2 || d.Version != 2 || !bytes.Contains(d.JSON, []byte("5.3")) {
		t.Fatalf("detail: version %d, %d versions, json %s", d.Version, len(d.Versions), d.JSON)
	}
	if err := w.Delete(recs[0].ID); err != nil {
		t.Fatal(err)
	}
	if _, err := w.Record(recs[0].ID); !errors.Is(err, ErrNotFound) {
		t.Fatalf("deleted record: %v, want ErrNotFound", err)
	}
}

func TestBackupRestore(t *testing.T) {
	w := newTestWallet(t)
	src := filepath.Join(t.TempDir(), "c.json")
	os.WriteFile(src, []byte(`{"resourceType":"AllergyIntolerance","id":"a1","criticality":"high","code":{"text":"Peanut"}}`), 0o600)
	if _, err := w.Import(context.Background(), []string{src}, nil); err != nil {
		t.Fatal(err)
	}
	var archive bytes.Buffer
	if err := w.Backup(&archive); err != nil {
		t.Fatalf("Backup: %v", err)
	}
	if bytes.Contains(archive.Bytes(), []byte("Peanut")) {
		t.Fatal("backup archive holds record text in clear")
	}
	other, _ := NewMnemonic()
	if err := RestoreBackup(bytes.NewReader(archive.Bytes()), t.TempDir(), other); !errors.Is(err, ErrBadMnemonic) {
		t.Fatalf("restore with another phrase: %v, want ErrBadMnemonic", err)
	}
	dir := filepath.Join(t.TempDir(), "restored")
	if err := RestoreBackup(bytes.NewReader(archive.Bytes()), dir, testMnemonic); err != nil {
		t.Fatalf("RestoreBackup: %v", err)
	}
	w2, err := Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	defer w2.Close()
	if err := w2.Unlock(testPassword); err != nil {
		t.Fatal(err)
	}
	if canonicalSet(t, w) != canonicalSet(t, w2) {
		t.Fatal("restored wallet holds other records")
	}
	if id, err := BackupIdentity(testMnemonic); err != nil || !strings.HasPrefix(id, "AGE-SECRET-KEY-1") {
		t.Fatalf("BackupIdentity: %q, %v", id, err)
	}
}

func TestRecordsJSONShape(t *testing.T) {
	w := newTestWallet(t)
	src := filepath.Join(t.TempDir(), "c.json")
	os.WriteFile(src, []byte(`{"resourceType":"Condition","id":"c1","onsetDateTime":"2020-03-04","code":{"text":"Asthma"}}`), 0o600)
	w.Import(context.Background(), []string{src}, nil)
	recs, _ := w.Records(Query{Person: Everyone})
	b, _ := json.Marshal(recs[0])
	var m map[string]any
	json.Unmarshal(b, &m)
	for _, k := range []string{"id", "resourceType", "date", "title"} {
		if _, ok := m[k]; !ok {
			t.Errorf("record JSON %s lacks %q", b, k)
		}
	}
}
