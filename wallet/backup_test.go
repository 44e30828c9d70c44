package wallet

import (
	"archive/tar"
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"sync"
	"testing"

	"filippo.io/age"
)

// heapMeter tracks the live heap while a backup or restore streams through
// it: every few MB it collects garbage and notes the heap still in use.
type heapMeter struct {
	base, peak uint64
	since      int
}

func newHeapMeter() *heapMeter {
	m := &heapMeter{}
	m.base = liveHeap()
	return m
}

func liveHeap() uint64 {
	runtime.GC()
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	return ms.HeapAlloc
}

func (m *heapMeter) note(n int) {
	if m.since += n; m.since < 2<<20 {
		return
	}
	m.since = 0
	if h := liveHeap(); h > m.peak {
		m.peak = h
	}
}

// growth is the most live heap seen above the baseline.
func (m *heapMeter) growth() int64 { return int64(m.peak) - int64(m.base) }

type meteredWriter struct {
	w io.Writer
	m *heapMeter
}

func (mw meteredWriter) Write(p []byte) (int, error) {
	mw.m.note(len(p))
	return mw.w.Write(p)
}

type meteredReader struct {
	r io.Reader
	m *heapMeter
}

func (mr meteredReader) Read(p []byte) (int, error) {
	n, err := mr.r.Read(p)
	mr.m.note(n)
	return n, err
}

// archiveFiles decrypts a backup file with the recovery phrase's identity
// and calls fn with each file in it.
func archiveFiles(t *testing.T, path string, fn func(name string, r io.Reader)) {
	t.Helper()
	key, err := BackupIdentity(testMnemonic)
	if err != nil {
		t.Fatal(err)
	}
	id, err := age.ParseX25519Identity(key)
	if err != nil {
		t.Fatal(err)
	}
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	plain, err := age.Decrypt(bufio.NewReader(f), id)
	if err != nil {
		t.Fatal(err)
	}
	tr := tar.NewReader(plain)
	for {
		h, err := tr.Next()
		if err == io.EOF {
			return
		}
		if err != nil {
			t.Fatal(err)
		}
		fn(h.Name, tr)
		if _, err := io.Copy(io.Discard, tr); err != nil {
			t.Fatal(err)
		}
	}
}

// exportIDs reads a FHIR Bundle and returns its resources' ids, sorted.
func exportIDs(t *testing.T, r io.Reader) []string {
	t.Helper()
	var bundle struct {
		Type  string
		Entry []struct {
			Resource struct{ ID string }
		}
	}
	if err := json.NewDecoder(r).Decode(&bundle); err != nil || bundle.Type != "collection" {
		t.Fatalf("the export is not a collection Bundle: %v", err)
	}
	var ids []string
	for _, e := range bundle.Entry {
		ids = append(ids, e.Resource.ID)
	}
	slices.Sort(ids)
	return ids
}

// TestBackupStreamsLargeWallet backs up ~50 MB of records and checks that
// neither Backup nor RestoreBackup holds the export (or the vault) whole in
// memory: the live heap, measured while the archive streams, stays far
// below the export's size.
func TestBackupStreamsLargeWallet(t *testing.T) {
	if testing.Short() {
		t.Skip("imports 50 MB: skipped in -short")
	}
	const records, noteSize = 50, 1 << 20
	w := newTestWallet(t)
	dir := t.TempDir()
	note := strings.Repeat("lorem ipsum dolor sit amet ", noteSize/27)
	var srcs, wantIDs []string
	for i := range records {
		id := fmt.Sprintf("big-%02d", i)
		wantIDs = append(wantIDs, id)
		src := filepath.Join(dir, id+".json")
		srcs = append(srcs, src)
		body := fmt.Sprintf(`{"resourceType":"Observation","id":%q,"status":"final","code":{"text":"Note %d"},"valueString":"%d %s"}`, id, i, i, note)
		if err := os.WriteFile(src, []byte(body), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	note = ""
	if r, err := w.Import(context.Background(), srcs, nil); err != nil || r.Imported != records {
		t.Fatalf("Import: %+v, %v", r, err)
	}
	for _, src := range srcs {
		os.Remove(src)
	}

	archive := filepath.Join(dir, "wallet.age")
	out, err := os.Create(archive)
	if err != nil {
		t.Fatal(err)
	}
	var before, after runtime.MemStats
	m := newHeapMeter()
	runtime.ReadMemStats(&before)
	if err := w.Backup(meteredWriter{out, m}); err != nil {
		t.Fatal(err)
	}
	runtime.ReadMemStats(&after)
	if err := out.Close(); err != nil {
		t.Fatal(err)
	}

	var exportSize int64
	archiveFiles(t, archive, func(name string, r io.Reader) {
		if name != backupExportName {
			return
		}
		cr := &countingReader{r: r, onBytes: func(n int64) { exportSize += n }}
		if got := exportIDs(t, cr); !slices.Equal(got, wantIDs) {
			t.Errorf("the export holds %d records, want %d", len(got), len(wantIDs))
		}
		io.Copy(io.Discard, cr)
	})
	if exportSize < records*noteSize {
		t.Fatalf("the export is %d bytes, want at least %d", exportSize, records*noteSize)
	}
	// The bodies are decrypted one at a time, twice (a pass to measure the
	// export, one to write it), so the total allocated is about twice the
	// export: only the live heap says whether it was ever held whole.
	t.Logf("backup: export %d MB, live heap growth at most %.1f MB, %.0f MB allocated in all",
		exportSize>>20, float64(m.growth())/(1<<20), float64(after.TotalAlloc-before.TotalAlloc)/(1<<20))
	if limit := exportSize / 5; m.growth() > limit {
		t.Errorf("Backup held %d bytes live at once, want under %d (a fifth of the export)", m.growth(), limit)
	}

	in, err := os.Open(archive)
	if err != nil {
		t.Fatal(err)
	}
	defer in.Close()
	restored := filepath.Join(dir, "restored")
	m = newHeapMeter()
	if err := RestoreBackup(meteredReader{in, m}, restored, testMnemonic); err != nil {
		t.Fatal(err)
	}
	t.Logf("restore: live heap growth at most %.1f MB", float64(m.growth())/(1<<20))
	if limit := exportSize / 5; m.growth() > limit {
		t.Errorf("RestoreBackup held %d bytes live at once, want under %d", m.growth(), limit)
	}
	w2, err := Open(restored)
	if err != nil {
		t.Fatal(err)
	}
	defer w2.Close()
	if err := w2.Unlock(testPassword); err != nil {
		t.Fatal(err)
	}
	if recs, err := w2.Records(Query{}); err != nil || len(recs) != records {
		t.Fatalf("the restored wallet holds %d records, %v; want %d", len(recs), err, records)
	}
}

// TestBackupConsistentWithWrites backs up while records are imported and
// deleted: the export in the archive lists exactly the records of the
// archive's vault.
func TestBackupConsistentWithWrites(t *testing.T) {
	w := newTestWallet(t)
	dir := t.TempDir()
	importOne := func(i int) {
		src := filepath.Join(dir, fmt.Sprintf("r%d.json", i))
		os.WriteFile(src, []byte(fmt.Sprintf(`{"resourceType":"Condition","id":"c%d","code":{"text":"Condition %d"}}`, i, i)), 0o600)
		if _, err := w.Import(context.Background(), []string{src}, nil); err != nil {
			t.Error(err)
		}
	}
	for i := range 20 {
		importOne(i)
	}
	stop := make(chan struct{})
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		for i := 20; ; i++ {
			select {
			case <-stop:
				return
			default:
			}
			importOne(i)
			if recs, err := w.Records(Query{Limit: 1}); err == nil && len(recs) == 1 && i%3 == 0 {
				w.Delete(recs[0].ID)
			}
		}
	}()
	for round := range 5 {
		archive := filepath.Join(dir, fmt.Sprintf("b%d.age", round))
		out, _ := os.Create(archive)
		if err := w.Backup(out); err != nil {
			t.Fatal(err)
		}
		out.Close()
		var exported []string
		archiveFiles(t, archive, func(name string, r io.Reader) {
			if name == backupExportName {
				exported = exportIDs(t, r)
			}
		})
		restored := filepath.Join(dir, fmt.Sprintf("restored%d", round))
		in, _ := os.Open(archive)
		err := RestoreBackup(in, restored, testMnemonic)
		in.Close()
		if err != nil {
			t.Fatal(err)
		}
		w2, err := Open(restored)
		if err != nil {
			t.Fatal(err)
		}
		if err := w2.Unlock(testPassword); err != nil {
			t.Fatal(err)
		}
		recs, err := w2.Records(Query{})
		w2.Close()
		if err != nil {
			t.Fatal(err)
		}
		var inVault []string
		for _, r := range recs {
			inVault = append(inVault, r.ResourceID)
		}
		slices.Sort(inVault)
		if !slices.Equal(exported, inVault) {
			t.Fatalf("round %d: the export holds %d records, the archive's vault %d:\n%v\n%v",
				round, len(exported), len(inVault), exported, inVault)
		}
	}
	close(stop)
	wg.Wait()
}
