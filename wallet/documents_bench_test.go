package wallet

import (
	"bufio"
	"os"
	"runtime/debug"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// rssMB reads the process's resident set size from /proc (Linux).
func rssMB() (float64, bool) {
	f, err := os.Open("/proc/self/status")
	if err != nil {
		return 0, false
	}
	defer f.Close()
	s := bufio.NewScanner(f)
	for s.Scan() {
		if rest, ok := strings.CutPrefix(s.Text(), "VmRSS:"); ok {
			kb, err := strconv.ParseFloat(strings.TrimSuffix(strings.TrimSpace(rest), " kB"), 64)
			return kb / 1024, err == nil
		}
	}
	return 0, false
}

// BenchmarkImportPDF200MB imports a 200 MB PDF and reports the peak RSS
// above the RSS before the import (sampled every 5 ms): the file streams
// into the vault and must never sit whole in memory (target < 100 MB).
func BenchmarkImportPDF200MB(b *testing.B) {
	dir := b.TempDir()
	path, _ := writeTestFile(b, dir, "scan.pdf", testPDF{title: "Scan", padding: 200 << 20}.write)
	var worst float64
	for i := 0; i < b.N; i++ {
		b.StopTimer()
		w, err := Create(b.TempDir(), testMnemonic, testPassword, "Ada Lovelace", fastKDF)
		if err != nil {
			b.Fatal(err)
		}
		debug.FreeOSMemory()
		base, ok := rssMB()
		if !ok {
			b.Skip("no /proc/self/status: peak RSS cannot be measured here")
		}
		var peak atomic.Uint64
		stop := make(chan struct{})
		var wg sync.WaitGroup
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				if r, ok := rssMB(); ok && uint64(r) > peak.Load() {
					peak.Store(uint64(r))
				}
				select {
				case <-stop:
					return
				case <-time.After(5 * time.Millisecond):
				}
			}
		}()
		b.StartTimer()
		importOne(b, w, path)
		b.StopTimer()
		close(stop)
		wg.Wait()
		w.Close()
		worst = max(worst, float64(peak.Load())-base)
	}
	b.SetBytes(200 << 20)
	b.ReportMetric(worst, "MB-above-baseline")
}
