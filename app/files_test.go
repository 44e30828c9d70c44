package app

import (
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// blockingReader reads its text only once release is closed.
type blockingReader struct {
	r       io.Reader
	release chan struct{}
}

func (b *blockingReader) Read(p []byte) (int, error) {
	<-b.release
	return b.r.Read(p)
}

func (b *blockingReader) Close() error { return nil }

type copied struct {
	path string
	err  error
}

func copyFor(f *dialogFiles, name string, r io.ReadCloser) chan copied {
	got := make(chan copied, 1)
	f.copyInBackground(name, r, func(p string, err error) { got <- copied{p, err} })
	return got
}

func waitCopy(t *testing.T, got chan copied) copied {
	t.Helper()
	select {
	case c := <-got:
		return c
	case <-time.After(10 * time.Second):
		t.Fatal("the copy did not finish")
	}
	return copied{}
}

// Picked files without a local path are copied off the UI goroutine into
// a private folder that Cleanup removes; a copy still being made when
// Cleanup runs is dropped.
func TestDialogFilesCopiesAndCleansUp(t *testing.T) {
	t.Setenv("TMPDIR", t.TempDir())
	f := &dialogFiles{}
	c := waitCopy(t, copyFor(f, `Download\labs.json`, io.NopCloser(strings.NewReader(`{"resourceType":"Patient"}`))))
	if c.err != nil {
		t.Fatal(c.err)
	}
	if filepath.Base(c.path) != "labs.json" {
		t.Errorf("copy at %s, want its name kept", c.path)
	}
	if b, err := os.ReadFile(c.path); err != nil || string(b) != `{"resourceType":"Patient"}` {
		t.Fatalf("copy holds %q, %v", b, err)
	}
	dir := filepath.Dir(c.path)
	if fi, err := os.Stat(dir); err != nil || fi.Mode().Perm() != 0o700 {
		t.Fatalf("copy's folder: %v, %v", fi, err)
	}

	slow := &blockingReader{r: strings.NewReader("{}"), release: make(chan struct{})}
	late := copyFor(f, "late.json", slow)
	f.Cleanup()
	if _, err := os.Stat(dir); !os.IsNotExist(err) {
		t.Errorf("the copy's folder is still there after Cleanup: %v", err)
	}
	close(slow.release)
	if c := waitCopy(t, late); c.path != "" || c.err != nil {
		t.Errorf("a copy begun before Cleanup came back as %q, %v; want dropped", c.path, c.err)
	}
	if left, _ := filepath.Glob(filepath.Join(os.Getenv("TMPDIR"), "healthwallet-import-*")); len(left) != 0 {
		t.Errorf("copies left behind: %q", left)
	}
}

func TestImportLeftWithoutImportingCleansUp(t *testing.T) {
	h, _ := unlocked(t)
	h.tap("Import")
	h.files.open = "/tmp/labs.json"
	h.tap("Add file…")
	before := h.files.cleanups
	h.tap("Back")
	h.screen("records")
	if h.files.cleanups != before+1 {
		t.Errorf("%d cleanups on leaving the import screen, want 1", h.files.cleanups-before)
	}

	h.tap("Import")
	h.tap("Add file…")
	before = h.files.cleanups
	h.tap("Import")
	h.screen("import-result")
	if h.files.cleanups != before+1 {
		t.Errorf("%d cleanups after an import, want 1", h.files.cleanups-before)
	}
}

// A wallet that locks during an import cancels it; its result does not
// replace the unlock screen when it comes.
func TestImportAbandonedOnLock(t *testing.T) {
	b := newFakeBackend(true)
	b.wallet.importStarted = make(chan []string)
	b.wallet.importRelease = make(chan struct{})
	h := newHarness(t, b, desktopSize, true)
	h.typeIn(h.entry("Password"), testPassword)
	h.tap("Unlock")
	h.wait()
	h.tap("Import")
	h.files.open = "/tmp/labs.json"
	h.tap("Add file…")
	h.tap("Import")
	<-b.wallet.importStarted
	before := h.files.cleanups
	h.ui.lock()
	h.wait()
	h.screen("unlock")
	if h.files.cleanups == before {
		t.Error("the copies of picked files were kept after the wallet locked")
	}
}

func TestRestoreAndReceiveCleanUp(t *testing.T) {
	b := newFakeBackend(false)
	h := newHarness(t, b, desktopSize, false)
	h.tap("Restore from backup file")
	h.files.open = "/tmp/backup.age"
	h.tap("Choose backup file…")
	if h.files.cleanups != 0 {
		t.Fatal("the picked backup was removed before it was restored")
	}
	h.tap("Back")
	h.screen("welcome")
	if h.files.cleanups != 1 {
		t.Errorf("%d cleanups on leaving the restore screen, want 1", h.files.cleanups)
	}

	h.tap("Receive a share (for doctors)")
	h.screen("receive")
	path := filepath.Join(t.TempDir(), "qr.png")
	if err := os.WriteFile(path, []byte(testLinkOther), 0o600); err != nil {
		t.Fatal(err)
	}
	h.files.open = path
	h.tap(scanLabel)
	if h.files.cleanups != 2 {
		t.Errorf("%d cleanups after the image was read, want 2", h.files.cleanups)
	}
}
