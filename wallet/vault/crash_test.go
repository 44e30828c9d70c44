package vault

import (
	"bufio"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

const crashBatch = 50

// TestCrashWriter is the child of TestKilledMidWrite: it writes batches of
// records to the vault named in its environment until it is killed.
func TestCrashWriter(t *testing.T) {
	path := os.Getenv("VAULT_CRASH_PATH")
	if path == "" {
		return // a child process of TestKilledMidWrite only; nothing to do on its own
	}
	v := openUnlocked(t, path)
	body := []byte(strings.Repeat("b", 3000))
	for batch := 0; ; batch++ {
		err := v.Update(func(tx *Tx) error {
			for i := range crashBatch {
				id := v.RecordID(fmt.Sprint(i))
				if _, err := tx.AddVersion(id, []byte(fmt.Sprint(batch)), body); err != nil {
					return err
				}
			}
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
		if batch == 0 {
			fmt.Println("ready")
		}
	}
}

// startChild runs the test named run of this test binary as a separate
// process with env added, and returns once it has printed a line holding
// marker. The caller kills it.
func startChild(t *testing.T, run, env, marker string) *exec.Cmd {
	t.Helper()
	cmd := exec.Command(os.Args[0], "-test.run=^"+run+"$")
	cmd.Env = append(os.Environ(), env)
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	seen := make(chan bool, 1)
	go func() {
		s := bufio.NewScanner(out)
		for s.Scan() {
			if strings.Contains(s.Text(), marker) {
				select {
				case seen <- true:
				default:
				}
			}
		}
		close(seen)
	}()
	select {
	case ok := <-seen:
		if !ok {
			cmd.Wait()
			t.Fatalf("%s exited before printing %q", run, marker)
		}
	case <-time.After(60 * time.Second):
		cmd.Process.Kill()
		cmd.Wait()
		t.Fatalf("%s never printed %q", run, marker)
	}
	return cmd
}

// TestKilledMidWrite kills a process writing to a vault with SIGKILL and
// checks the file reopens with whole batches only: every record has the
// same number of versions, and all of them read back.
func TestKilledMidWrite(t *testing.T) {
	if testing.Short() {
		t.Skip("spawns a process")
	}
	v, path := newVault(t)
	v.Close()
	cmd := startChild(t, "TestCrashWriter", "VAULT_CRASH_PATH="+path, "ready")
	time.Sleep(300 * time.Millisecond) // let it get some way into later batches
	cmd.Process.Kill()
	cmd.Wait()

	v = openUnlocked(t, filepath.Clean(path))
	counts := map[int]int{}
	records := 0
	damaged, err := v.Scan(func(id ID, versions []VersionMeta) error {
		records++
		counts[len(versions)]++
		for _, vm := range versions {
			if _, err := v.Body(id, vm.Version); err != nil {
				t.Errorf("record %s version %d: %v", id, vm.Version, err)
			}
		}
		return nil
	})
	if err != nil || len(damaged) > 0 {
		t.Fatalf("after SIGKILL: %v, damaged %v", err, damaged)
	}
	if records != crashBatch || len(counts) != 1 {
		t.Fatalf("after SIGKILL: %d records, version counts %v; want %d records all alike", records, counts, crashBatch)
	}
	t.Logf("reopened after SIGKILL with %v", counts)
}
