package app

import (
	"fmt"
	"path/filepath"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"healthwallet/wallet"
)

// This file: the import screen's picker — which files it offers, and the
// files of a chosen folder it passes over, each listed with why.

// setSkipped fills box with the files of the added folders that will not
// be imported, each with why; empty, the box is hidden.
func setSkipped(box *fyne.Container, skipped []wallet.SkippedFile) {
	box.RemoveAll()
	if len(skipped) == 0 {
		box.Hide()
		return
	}
	box.Show()
	seen := map[string]bool{}
	var lines []fyne.CanvasObject
	for _, s := range skipped {
		if seen[s.Path] {
			continue // the same folder added twice
		}
		seen[s.Path] = true
		l := wrapped(filepath.Base(s.Path) + " — " + s.Why)
		l.Importance = widget.WarningImportance
		lines = append(lines, l)
	}
	head := widget.NewLabelWithStyle(fmt.Sprintf("Not imported (%s):", plural(len(lines), "file", "files")),
		fyne.TextAlignLeading, fyne.TextStyle{Bold: true})
	box.Add(container.NewBorder(nil, nil, widget.NewIcon(theme.WarningIcon()), nil, head))
	for _, l := range lines {
		box.Add(l)
	}
}
