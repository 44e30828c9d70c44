package main

import (
	"strings"
	"testing"

	"healthwallet/wallet"
)

func TestProgressBar(t *testing.T) {
	var out strings.Builder
	bar := newProgressBar(&out)
	bar.update(wallet.ImportProgress{FilesDone: 1, FilesTotal: 4, BytesDone: 1536, BytesTotal: 3 << 20, Resources: 12})
	want := "\r[                        ] 1/4 files  1.5 KiB/3.0 MiB  12 resources\x1b[K"
	if out.String() != want {
		t.Errorf("first draw = %q, want %q", out.String(), want)
	}
	// Too soon after the last draw: skipped, unless it is the end.
	out.Reset()
	bar.update(wallet.ImportProgress{FilesDone: 2, FilesTotal: 4, BytesDone: 3 << 19, BytesTotal: 3 << 20})
	if out.Len() != 0 {
		t.Errorf("redrawn at once: %q", out.String())
	}
	bar.update(wallet.ImportProgress{FilesDone: 4, FilesTotal: 4, BytesDone: 3 << 20, BytesTotal: 3 << 20, Resources: 40})
	if !strings.Contains(out.String(), "[========================] 4/4 files") {
		t.Errorf("final draw = %q", out.String())
	}
	out.Reset()
	bar.finish()
	if out.String() != "\r\x1b[K" {
		t.Errorf("finish = %q, want the line cleared", out.String())
	}
}
