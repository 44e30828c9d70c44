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
)

// TestCrashDuringImport kills hw with SIGKILL at random moments of imports,
// again and again, and checks after each kill that the vault still opens and
// that every file an import had finished is there whole — and that the file
// being imported when the kill came is there whole or not at all.
func TestCrashDuringImport(t *testing.T) {
	if testing.Short() {
		t.Skip("kills hw 50+ times: skipped with -short")
	}
	const (
		wantKills    = 55
		maxCycles    = 120
		filesPerRun  = 3
		resPerFile   = 40
		budget       = 4 * time.Minute // a ceiling for a loaded machine; the loop stops at wantKills
		markerPrefix = "DONE "
	)
	tmp := t.TempDir()
	h := newHWRunner(t, filepath.Join(tmp, "vault"))
	h.run("init", "--yes", "--name", "Tester")

	// Every file of every cycle holds resources no other file has, so that
	// each file's records can be told apart.
	type importFile struct {
		path string
		ids  []string // Observation ids inside
	}
	makeFile := func(cycle, n int) importFile {
		f := importFile{path: filepath.Join(tmp, fmt.Sprintf("c%02d-f%d.json", cycle, n))}
		var entries []map[string]any
		for r := range resPerFile {
			id := fmt.Sprintf("crash-c%d-f%d-r%d", cycle, n, r)
			f.ids = append(f.ids, id)
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
		return f
	}

	// One run: a shell loop importing the cycle's files one hw call each,
	// printing a marker once hw has reported a file done. Killing the process
	// group kills whichever hw is running.
	runCycle := func(files []importFile, killAfter time.Duration) (done map[string]bool, killed bool) {
		script := "set -e\n"
		for _, f := range files {
			script += fmt.Sprintf("hw import --json '%s' >/dev/null\necho '%s%s'\n", f.path, markerPrefix, f.path)
		}
		cmd := h.command()
		cmd.Path, cmd.Args = "/bin/sh", []string{"sh", "-c", script}
		cmd.Env = append(cmd.Env, "PATH="+filepath.Dir(h.path)+string(os.PathListSeparator)+os.Getenv("PATH"))
		cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
		var stdout, stderr bytes.Buffer
		cmd.Stdout, cmd.Stderr = &stdout, &stderr
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		waited := make(chan error, 1)
		go func() { waited <- cmd.Wait() }()
		var err error
		select {
		case err = <-waited:
		case <-time.After(killAfter):
			syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL)
			err = <-waited
			killed = true
		}
		if err != nil && !killed {
			t.Fatalf("import run failed without being killed: %v\n%s", err, stderr.Bytes())
		}
		done = map[string]bool{}
		for _, line := range strings.Split(stdout.String(), "\n") {
			if p, ok := strings.CutPrefix(line, markerPrefix); ok {
				done[p] = true
			}
		}
		return done, killed
	}

	// The normal time of a run, measured on a run that is not killed.
	start := time.Now()
	first := []importFile{makeFile(0, 0), makeFile(0, 1), makeFile(0, 2)}
	done, _ := runCycle(first, time.Hour)
	normal := time.Since(start)
	if len(done) != len(first) {
		t.Fatalf("an uninterrupted run finished %d of %d files", len(done), len(first))
	}
	t.Logf("an uninterrupted run of %d files takes %v", len(first), normal)

	allFiles := first
	finished := map[string]bool{}
	for p := range done {
		finished[p] = true
	}
	deadline := time.Now().Add(budget)
	kills := 0
	for cycle := 1; kills < wantKills && cycle <= maxCycles && time.Now().Before(deadline); cycle++ {
		var files []importFile
		for n := range filesPerRun {
			files = append(files, makeFile(cycle, n))
		}
		allFiles = append(allFiles, files...)
		// The vault grows, and with it the time to unlock: every few cycles
		// one uninterrupted run measures the normal time again.
		calibrate := cycle%8 == 0
		delay := time.Duration(rand.Int64N(int64(normal) + 1))
		if calibrate {
			delay = time.Hour
		}
		started := time.Now()
		done, killed := runCycle(files, delay)
		if killed {
			kills++
		}
		if calibrate {
			normal = time.Since(started)
		}
		for p := range done {
			finished[p] = true
		}

		// The vault opens, and holds every finished file whole and every
		// other file whole or not at all.
		have := map[string]bool{}
		for _, r := range h.records("--type", "Observation") {
			have[r.ResourceID] = true
		}
		for _, f := range allFiles {
			n := 0
			for _, id := range f.ids {
				if have[id] {
					n++
				}
			}
			switch {
			case finished[f.path] && n != len(f.ids):
				t.Fatalf("cycle %d (killed after %v): %s was reported done but only %d of its %d records are there", cycle, delay, filepath.Base(f.path), n, len(f.ids))
			case n != 0 && n != len(f.ids):
				t.Fatalf("cycle %d (killed after %v): %s is there in part: %d of %d records", cycle, delay, filepath.Base(f.path), n, len(f.ids))
			}
		}
	}
	if kills < 50 {
		t.Errorf("only %d runs were killed mid-way within the time budget; want 50 or more", kills)
	}
	t.Logf("%d runs killed, %d files finished of %d", kills, len(finished), len(allFiles))
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

	// How long the whole import takes, in a wallet of its own.
	measure := newHWRunner(t, filepath.Join(tmp, "measure"))
	measure.run("init", "--yes", "--name", "Tester")
	start := time.Now()
	measure.run(append([]string{"import"}, paths...)...)
	normal := time.Since(start)

	h := newHWRunner(t, filepath.Join(tmp, "vault"))
	h.run("init", "--yes", "--name", "Tester")
	cmd := h.command(append([]string{"import"}, paths...)...)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	time.Sleep(normal / 2)
	cmd.Process.Signal(os.Interrupt)
	err := cmd.Wait()
	if err == nil {
		t.Skipf("the import (normally %v) finished before the interrupt came", normal)
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
	t.Logf("interrupted after %v of %v: %d of %d files imported whole", normal/2, normal, whole, len(paths))
}
