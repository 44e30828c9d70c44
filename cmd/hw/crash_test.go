//go:build unix

package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"healthwallet/wallet"
	"healthwallet/wallet/record"
)

// vaultState is what a kill's timing is judged by: the vault file's size and
// modification time, which change when hw starts writing to it.
type vaultState struct {
	size int64
	mod  time.Time
}

func statVault(t *testing.T, h *hwRunner) vaultState {
	t.Helper()
	fi, err := os.Stat(filepath.Join(h.vault, wallet.VaultFileName))
	if err != nil {
		t.Fatal(err)
	}
	return vaultState{fi.Size(), fi.ModTime()}
}

// waitForWriting polls the vault file until hw has started writing to it
// (it differs from before). If hw exits first, it fails the test with how
// hw ended.
func waitForWriting(t *testing.T, h *hwRunner, before vaultState, exited <-chan error, stderr *bytes.Buffer) {
	t.Helper()
	for statVault(t, h) == before {
		select {
		case err := <-exited:
			t.Fatalf("hw exited (%v) before writing to the vault\n%s", err, stderr.Bytes())
		case <-time.After(200 * time.Microsecond):
		}
	}
}

// bundleResources are the resources of a FHIR Bundle (an export, or a file
// made for the test), canonical (RFC 8785) JSON by resource id.
func bundleResources(t *testing.T, data []byte) map[string]string {
	t.Helper()
	var b struct {
		Entry []struct {
			Resource json.RawMessage `json:"resource"`
		} `json:"entry"`
	}
	if err := json.Unmarshal(data, &b); err != nil {
		t.Fatalf("reading a Bundle: %v", err)
	}
	out := map[string]string{}
	for _, e := range b.Entry {
		var r struct {
			ID string `json:"id"`
		}
		if err := json.Unmarshal(e.Resource, &r); err != nil {
			t.Fatal(err)
		}
		canon, err := record.Canonical(e.Resource)
		if err != nil {
			t.Fatalf("resource %s: %v", r.ID, err)
		}
		out[r.ID] = string(canon)
	}
	return out
}

// TestCrashDuringImport kills hw import with SIGKILL again and again, each
// time while it is writing: after it started writing to the vault file and
// before it exited by itself (kills that come earlier or later are not
// counted). After each kill it exports the whole vault and checks that every
// file an import finished is there whole, that any other file is there whole
// or not at all, and that every record's body equals the source resource
// (canonical JSON).
func TestCrashDuringImport(t *testing.T) {
	if testing.Short() {
		t.Skip("kills hw 50+ times: skipped with -short")
	}
	const (
		wantKills   = 55
		maxCycles   = 150
		filesPerRun = 3
		resPerFile  = 40
		budget      = 5 * time.Minute // a ceiling for a loaded machine; the loop stops at wantKills
	)
	tmp := t.TempDir()
	h := newHWRunner(t, filepath.Join(tmp, "vault"))
	h.run("init", "--yes", "--name", "Tester")

	// Every file of every cycle holds resources no other file has, so that
	// each file's records can be told apart.
	type importFile struct {
		path      string
		resources map[string]string // canonical JSON by id
	}
	makeFile := func(cycle, n int) importFile {
		f := importFile{path: filepath.Join(tmp, fmt.Sprintf("c%02d-f%d.json", cycle, n))}
		var entries []map[string]any
		for r := range resPerFile {
			id := fmt.Sprintf("crash-c%d-f%d-r%d", cycle, n, r)
			entries = append(entries, map[string]any{"resource": map[string]any{
				"resourceType":      "Observation",
				"id":                id,
				"status":            "final",
				"code":              map[string]any{"text": "Heart rate " + id},
				"effectiveDateTime": "2024-01-01T10:00:00Z",
				"valueQuantity":     map[string]any{"value": 60 + r, "unit": "/min"},
				"note":              []map[string]any{{"text": strings.Repeat("padding so the import takes a moment. ", 10)}},
			}})
		}
		data, err := json.Marshal(map[string]any{"resourceType": "Bundle", "type": "collection", "entry": entries})
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(f.path, data, 0o600); err != nil {
			t.Fatal(err)
		}
		f.resources = bundleResources(t, data)
		return f
	}

	// One run: one hw import of the cycle's files. With kill, it is killed
	// after delay once it has started writing. It reports whether the kill
	// landed (hw died of it rather than exiting by itself) and, if not,
	// how long hw wrote (from its first write to its exit).
	runCycle := func(files []importFile, kill bool, delay time.Duration) (killed bool, writing time.Duration) {
		args := []string{"import", "--json"}
		for _, f := range files {
			args = append(args, f.path)
		}
		cmd := h.command(args...)
		var stderr bytes.Buffer
		cmd.Stderr = &stderr
		before := statVault(t, h)
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		exited := make(chan error, 1)
		go func() { exited <- cmd.Wait() }()
		waitForWriting(t, h, before, exited, &stderr)
		var err error
		started := time.Now()
		if kill {
			select {
			case err = <-exited:
			case <-time.After(delay):
				cmd.Process.Signal(syscall.SIGKILL)
				err = <-exited
			}
		} else {
			err = <-exited
		}
		writing = time.Since(started)
		if ws, ok := cmd.ProcessState.Sys().(syscall.WaitStatus); ok && ws.Signaled() && ws.Signal() == syscall.SIGKILL {
			return true, writing
		}
		if err != nil {
			t.Fatalf("hw import failed without being killed: %v\n%s", err, stderr.Bytes())
		}
		return false, writing
	}

	// How long a run writes, measured on a run that is not killed.
	first := []importFile{makeFile(0, 0), makeFile(0, 1), makeFile(0, 2)}
	_, writing := runCycle(first, false, 0)
	t.Logf("an uninterrupted run of %d files writes for %v", len(first), writing)

	allFiles := first
	finished := map[string]bool{}
	for _, f := range first {
		finished[f.path] = true
	}
	deadline := time.Now().Add(budget)
	kills, late := 0, 0
	for cycle := 1; kills < wantKills && cycle <= maxCycles && time.Now().Before(deadline); cycle++ {
		var files []importFile
		for n := range filesPerRun {
			files = append(files, makeFile(cycle, n))
		}
		allFiles = append(allFiles, files...)
		// The vault grows, and with it the time an import writes: every
		// few cycles one uninterrupted run measures it again.
		calibrate := cycle%10 == 0
		delay := time.Duration(rand.Int64N(int64(writing) + 1))
		killed, wrote := runCycle(files, !calibrate, delay)
		switch {
		case killed:
			kills++
		case calibrate:
			writing = wrote
		default:
			late++ // hw finished before the kill came: not counted
		}
		if !killed {
			for _, f := range files {
				finished[f.path] = true
			}
		}

		// The vault opens; every record's body reads back equal to its
		// source; every finished file is whole, every other file whole or
		// absent.
		have := bundleResources(t, h.run("export"))
		present := 0
		for _, f := range allFiles {
			n := 0
			for id, want := range f.resources {
				got, ok := have[id]
				if !ok {
					continue
				}
				n++
				if got != want {
					t.Fatalf("cycle %d (killed %v after %v): record %s reads back different from its source:\n got %s\nwant %s", cycle, killed, delay, id, got, want)
				}
			}
			present += n
			switch {
			case finished[f.path] && n != len(f.resources):
				t.Fatalf("cycle %d (killed %v after %v): %s was imported but only %d of its %d records are there", cycle, killed, delay, filepath.Base(f.path), n, len(f.resources))
			case n != 0 && n != len(f.resources):
				t.Fatalf("cycle %d (killed %v after %v): %s is there in part: %d of %d records", cycle, killed, delay, filepath.Base(f.path), n, len(f.resources))
			case n == len(f.resources):
				finished[f.path] = true // once whole, it must stay whole
			}
		}
		if present != len(have) {
			t.Fatalf("cycle %d: the vault holds %d records, %d of them from no source file", cycle, len(have), len(have)-present)
		}
	}
	if kills < 50 {
		t.Errorf("only %d runs were killed while writing within the time budget (%d finished before the kill); want 50 or more", kills, late)
	}
	t.Logf("%d runs killed while writing, %d finished before the kill came, %d files whole of %d", kills, late, len(finished), len(allFiles))
}

// TestInterruptedImport sends SIGINT to hw in the middle of a long import: hw
// stops, says so in one line, exits 1, and every file is in the vault whole
// or not at all.
func TestInterruptedImport(t *testing.T) {
	if testing.Short() {
		t.Skip("imports twice: skipped with -short")
	}
	tmp := t.TempDir()
	var paths []string
	ids := map[string][]string{}
	for n := range 30 {
		path := filepath.Join(tmp, fmt.Sprintf("f%02d.json", n))
		var entries []map[string]any
		for r := range 60 {
			id := fmt.Sprintf("int-f%d-r%d", n, r)
			ids[path] = append(ids[path], id)
			entries = append(entries, map[string]any{"resource": map[string]any{
				"resourceType": "Observation", "id": id, "status": "final",
				"code":          map[string]any{"text": "Body weight " + id},
				"valueQuantity": map[string]any{"value": r, "unit": "kg"},
			}})
		}
		data, err := json.Marshal(map[string]any{"resourceType": "Bundle", "type": "collection", "entry": entries})
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, data, 0o600); err != nil {
			t.Fatal(err)
		}
		paths = append(paths, path)
	}

	// The interrupt comes once hw has started writing the 30 files.
	h := newHWRunner(t, filepath.Join(tmp, "vault"))
	h.run("init", "--yes", "--name", "Tester")
	cmd := h.command(append([]string{"import"}, paths...)...)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	before := statVault(t, h)
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	exited := make(chan error, 1)
	go func() { exited <- cmd.Wait() }()
	waitForWriting(t, h, before, exited, &stderr)
	cmd.Process.Signal(os.Interrupt)
	err := <-exited
	if err == nil {
		t.Fatalf("the import of %d files finished before the interrupt, sent once it started writing, came", len(paths))
	}
	if code := cmd.ProcessState.ExitCode(); code != 1 {
		t.Fatalf("interrupted hw import: exit code %d (%v), want 1\n%s", code, err, stderr.Bytes())
	}
	if got := stderr.String(); !strings.HasPrefix(got, "hw: interrupted") || strings.Count(got, "\n") != 1 {
		t.Errorf("stderr = %q, want one line saying it was interrupted", got)
	}
	have := map[string]bool{}
	for _, r := range h.records() {
		have[r.ResourceID] = true
	}
	whole := 0
	for _, p := range paths {
		n := 0
		for _, id := range ids[p] {
			if have[id] {
				n++
			}
		}
		if n != 0 && n != len(ids[p]) {
			t.Errorf("%s is in the vault in part: %d of %d records", filepath.Base(p), n, len(ids[p]))
		}
		if n != 0 {
			whole++
		}
	}
	t.Logf("interrupted: %d of %d files imported whole", whole, len(paths))
}
