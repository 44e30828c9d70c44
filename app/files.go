package app

import (
	"errors"
	"io"
	"os"
	"path/filepath"
	"strings"

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
	// extensions (".json"), and returns a local path to it.
	OpenFile(win fyne.Window, extensions []string, done func(path string, err error))
	// OpenFolder asks for a folder and returns its local path.
	OpenFolder(win fyne.Window, done func(path string, err error))
	// CreateFile asks where to save a new file, suggesting a name.
	CreateFile(win fyne.Window, suggested string, done func(w io.WriteCloser, err error))
}

// dialogFiles is the Files of the real app.
type dialogFiles struct {
	// temps are folders holding copies of picked files that have no local
	// path (content:// on Android), since the wallet imports from paths.
	// Cleanup removes them once the import is over: they hold health data.
	temps []string
}

// Cleanup removes the temporary copies made by OpenFile.
func (f *dialogFiles) Cleanup() {
	for _, d := range f.temps {
		os.RemoveAll(d)
	}
	f.temps = nil
}

func (f *dialogFiles) OpenFile(win fyne.Window, extensions []string, done func(string, error)) {
	d := dialog.NewFileOpen(func(r fyne.URIReadCloser, err error) {
		if err != nil || r == nil {
			done("", err)
			return
		}
		defer r.Close()
		if r.URI().Scheme() == "file" {
			done(r.URI().Path(), nil)
			return
		}
		path, err := f.copyLocal(r)
		done(path, err)
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

// copyLocal copies a picked file that has no local path into a private
// temporary folder, keeping its name so that import reports stay readable.
func (f *dialogFiles) copyLocal(r fyne.URIReadCloser) (string, error) {
	dir, err := os.MkdirTemp("", "healthwallet-import-")
	if err != nil {
		return "", err
	}
	f.temps = append(f.temps, dir)
	name := filepath.Base(strings.ReplaceAll(r.URI().Name(), "\\", "/"))
	if name == "." || name == "/" || name == "" {
		name = "picked"
	}
	out, err := os.Create(filepath.Join(dir, name))
	if err != nil {
		return "", err
	}
	if _, err := io.Copy(out, r); err != nil {
		out.Close()
		return "", err
	}
	return out.Name(), out.Close()
}

// dialogSize is a file dialog size that fits the window.
func dialogSize(win fyne.Window) fyne.Size {
	s := win.Canvas().Size()
	return fyne.NewSize(min(s.Width*0.95, 900), min(s.Height*0.9, 640))
}
