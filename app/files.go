package app

import (
	"errors"
	"io"
	"os"
	"path/filepath"
	"strings"
	"sync"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/storage"
)

// Files asks the person which files to read or write. The real one shows
// Fyne's file dialogs; tests inject paths and buffers instead.
//
// Each method calls done exactly once, on the UI goroutine. A cancelled
// dialog gives an empty path or a nil writer and a nil error.
type Files interface {
	// OpenFile asks for one existing file, optionally limited to the given
	// extensions (".json"), and returns a local path to it. A file without
	// one (content:// on Android) is copied to a temporary folder first.
	OpenFile(win fyne.Window, extensions []string, done func(path string, err error))
	// OpenFolder asks for a folder and returns its local path.
	OpenFolder(win fyne.Window, done func(path string, err error))
	// CreateFile asks where to save a new file, suggesting a name.
	CreateFile(win fyne.Window, suggested string, done func(w io.WriteCloser, err error))
	// Cleanup removes the copies OpenFile made: they hold health data. The
	// screens call it when their flow ends or they are left, and the UI when
	// the wallet locks. A copy still being made is dropped, its done given
	// an empty path.
	Cleanup()
}

// dialogFiles is the Files of the real app.
type dialogFiles struct {
	mu sync.Mutex
	// temps are folders holding copies of picked files that have no local
	// path (content:// on Android), since the wallet reads from paths.
	temps []string
	// gen counts Cleanups: a copy begun before the last one is dropped.
	gen int
}

// Cleanup removes the temporary copies made by OpenFile, and drops those
// still being made.
func (f *dialogFiles) Cleanup() {
	f.mu.Lock()
	temps := f.temps
	f.temps = nil
	f.gen++
	f.mu.Unlock()
	for _, d := range temps {
		os.RemoveAll(d)
	}
}

func (f *dialogFiles) OpenFile(win fyne.Window, extensions []string, done func(string, error)) {
	d := dialog.NewFileOpen(func(r fyne.URIReadCloser, err error) {
		if err != nil || r == nil {
			done("", err)
			return
		}
		if r.URI().Scheme() == "file" {
			r.Close()
			done(r.URI().Path(), nil)
			return
		}
		f.copyInBackground(r.URI().Name(), r, func(path string, err error) {
			fyne.Do(func() { done(path, err) })
		})
	}, win)
	if len(extensions) > 0 {
		d.SetFilter(storage.NewExtensionFileFilter(extensions))
	}
	d.Resize(dialogSize(win))
	d.Show()
}

func (f *dialogFiles) OpenFolder(win fyne.Window, done func(string, error)) {
	d := dialog.NewFolderOpen(func(u fyne.ListableURI, err error) {
		if err != nil || u == nil {
			done("", err)
			return
		}
		if u.Scheme() != "file" {
			done("", errors.New("this folder is not on this device: pick files one by one instead"))
			return
		}
		done(u.Path(), nil)
	}, win)
	d.Resize(dialogSize(win))
	d.Show()
}

func (f *dialogFiles) CreateFile(win fyne.Window, suggested string, done func(io.WriteCloser, error)) {
	d := dialog.NewFileSave(func(w fyne.URIWriteCloser, err error) {
		if err != nil || w == nil {
			done(nil, err)
			return
		}
		done(w, nil)
	}, win)
	d.SetFileName(suggested)
	d.Resize(dialogSize(win))
	d.Show()
}

// copyInBackground copies r, a picked file called name, on a goroutine and
// closes it, then calls done with the copy's path (from that goroutine). A
// Cleanup while it copies drops the copy: done then gets an empty path.
func (f *dialogFiles) copyInBackground(name string, r io.ReadCloser, done func(string, error)) {
	f.mu.Lock()
	gen := f.gen
	f.mu.Unlock()
	go func() {
		dir, path, err := copyLocal(name, r)
		r.Close()
		if err != nil {
			done("", err)
			return
		}
		f.mu.Lock()
		kept := f.gen == gen
		if kept {
			f.temps = append(f.temps, dir)
		}
		f.mu.Unlock()
		if !kept {
			os.RemoveAll(dir)
			path = ""
		}
		done(path, nil)
	}()
}

// copyLocal copies a picked file that has no local path into a new private
// temporary folder, keeping its name so that import reports stay readable.
// On error nothing is left behind.
func copyLocal(name string, r io.Reader) (dir, path string, err error) {
	tmp, err := os.MkdirTemp("", "healthwallet-import-")
	if err != nil {
		return "", "", err
	}
	name = filepath.Base(strings.ReplaceAll(name, "\\", "/"))
	if name == "." || name == "/" || name == "" {
		name = "picked"
	}
	path = filepath.Join(tmp, name)
	if err := writeFile(path, r); err != nil {
		os.RemoveAll(tmp)
		return "", "", err
	}
	return tmp, path, nil
}

// writeFile writes what r reads to a new file at path, readable only by
// its owner.
func writeFile(path string, r io.Reader) error {
	out, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if err != nil {
		return err
	}
	if _, err := io.Copy(out, r); err != nil {
		out.Close()
		return err
	}
	return out.Close()
}

// dialogSize is a file dialog size that fits the window.
func dialogSize(win fyne.Window) fyne.Size {
	s := win.Canvas().Size()
	return fyne.NewSize(min(s.Width*0.95, 900), min(s.Height*0.9, 640))
}

// savedWhere adds to msg ("Backup saved.") where the file went, when the
// writer knows ("Backup saved to /home/ada/backup.age."): the person must
// be able to find it again.
func savedWhere(msg string, w io.Writer) string {
	uw, ok := w.(interface{ URI() fyne.URI })
	if !ok || uw.URI() == nil {
		return msg
	}
	where := uw.URI().String()
	if uw.URI().Scheme() == "file" {
		where = uw.URI().Path()
	}
	return strings.TrimSuffix(msg, ".") + " to " + where + "."
}
