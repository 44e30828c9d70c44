// Command benchtable turns `go test -bench` output on stdin into a table a
// person can read: one row per benchmark, its package, and every metric it
// reported (ns/op, MB/s, B/op, allocs/op and custom ones such as
// resources/s or p95-ms). `make bench` pipes the benchmarks through it.
package main

import (
	"bufio"
	"fmt"
	"os"
	"strings"
	"text/tabwriter"
)

func main() {
	in := bufio.NewScanner(os.Stdin)
	in.Buffer(make([]byte, 1<<20), 1<<20)
	out := tabwriter.NewWriter(os.Stdout, 0, 4, 2, ' ', 0)
	fmt.Fprintln(out, "package\tbenchmark\tmetrics")
	pkg, failed := "", false
	for in.Scan() {
		line := in.Text()
		fields := strings.Fields(line)
		switch {
		case strings.HasPrefix(line, "pkg: "):
			pkg = strings.TrimPrefix(line, "pkg: ")
		case strings.HasPrefix(line, "Benchmark") && len(fields) >= 4:
			name := strings.TrimPrefix(fields[0], "Benchmark")
			var metrics []string
			// fields[1] is the iteration count; then value/unit pairs.
			for i := 2; i+1 < len(fields); i += 2 {
				metrics = append(metrics, fields[i]+" "+fields[i+1])
			}
			fmt.Fprintf(out, "%s\t%s\t%s\n", pkg, name, strings.Join(metrics, "   "))
		case strings.HasPrefix(line, "FAIL") || strings.HasPrefix(line, "--- FAIL"):
			failed = true
			fmt.Fprintln(os.Stderr, line)
		}
	}
	out.Flush()
	if failed {
		fmt.Fprintln(os.Stderr, "some benchmarks failed: see bin/bench.txt")
		os.Exit(1)
	}
}
