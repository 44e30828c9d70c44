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
		t.Skip("run by TestKilledMidWrite")
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

// TestKilledMidWrite kills a process writing to a vault with SIGKILL and
// checks the file reopens with whole batches only: every record has the
// same number of versions, and all of them read back.
func TestKilledMidWrite(t *testing.T) {
	if testing.Short() {
		t.Skip("spawns a process")
	}
	v, path := newVault(t)
	v.Close()
	cmd := exec.Command(os.Args[0], "-test.run=^TestCrashWriter$")
	cmd.Env = append(os.Environ(), "VAULT_CRASH_PATH="+path)
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	ready := make(chan bool)
	go func() {
		s := bufio.NewScanner(out)
		for s.Scan() {
			if s.Text() == "ready" {
				ready <- true
			}
		}
		close(ready)
	}()
	select {
	case ok := <-ready:
		if !ok {
			t.Fatal("the writer exited before its first commit")
		}
	case <-time.After(20 * time.Second):
		cmd.Process.Kill()
		t.Fatal("the writer never committed")
	}
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
