package main

import (
	"fmt"
	"io"
	"strings"
	"sync"
	"time"

	"healthwallet/wallet"
)

// progressBar draws an import's progress on one terminal line of standard
// error: files, bytes and resources so far. hw uses it only when standard
// error is a terminal.
type progressBar struct {
	w io.Writer

	mu    sync.Mutex
	last  time.Time
	drawn bool
}

func newProgressBar(w io.Writer) *progressBar { return &progressBar{w: w} }

// redrawEvery keeps a fast import from spending its time on the terminal.
const redrawEvery = 100 * time.Millisecond

func (p *progressBar) update(pr wallet.ImportProgress) {
	p.mu.Lock()
	defer p.mu.Unlock()
	now := time.Now()
	if p.drawn && now.Sub(p.last) < redrawEvery && pr.FilesDone < pr.FilesTotal {
		return
	}
	p.last = now
	p.drawn = true
	const width = 24
	filled := 0
	switch {
	case pr.BytesTotal > 0:
		filled = int(int64(width) * pr.BytesDone / pr.BytesTotal)
	case pr.FilesTotal > 0:
		filled = width * pr.FilesDone / pr.FilesTotal
	}
	filled = min(max(filled, 0), width)
	bar := strings.Repeat("=", filled) + strings.Repeat(" ", width-filled)
	// \r back to the line's start, \x1b[K clears what a longer line left.
	fmt.Fprintf(p.w, "\r[%s] %d/%d files  %s/%s  %d resources\x1b[K",
		bar, pr.FilesDone, pr.FilesTotal, formatBytes(pr.BytesDone), formatBytes(pr.BytesTotal), pr.Resources)
}

// finish clears the bar so that the report starts on a clean line.
func (p *progressBar) finish() {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.drawn {
		fmt.Fprint(p.w, "\r\x1b[K")
		p.drawn = false
	}
}

func formatBytes(n int64) string {
	switch {
	case n >= 1<<30:
		return fmt.Sprintf("%.1f GiB", float64(n)/(1<<30))
	case n >= 1<<20:
		return fmt.Sprintf("%.1f MiB", float64(n)/(1<<20))
	case n >= 1<<10:
		return fmt.Sprintf("%.1f KiB", float64(n)/(1<<10))
	}
	return fmt.Sprintf("%d B", n)
}
