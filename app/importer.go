package app

import (
	"context"
	"errors"
	"fmt"
	"path/filepath"
	"slices"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"healthwallet/wallet"
)

// showImport lets the person pick files and folders, then imports them.
func (u *UI) showImport() {
	u.person = nil // the import screen is the owner's; "These files are about…" says whose
	var paths []string
	var passed []wallet.SkippedFile // files of added folders that are not imported
	chosen := container.NewVBox()
	notImported := container.NewVBox()
	problem := newErrorText()
	var start *widget.Button

	refresh := func() {
		setSkipped(notImported, passed)
		chosen.RemoveAll()
		for _, p := range paths {
			l := widget.NewLabel(p)
			l.Truncation = fyne.TextTruncateEllipsis
			chosen.Add(container.NewBorder(nil, nil, widget.NewIcon(theme.FileIcon()), nil, l))
		}
		if len(paths) == 0 {
			chosen.Add(widget.NewLabel("Nothing chosen yet."))
			start.Disable()
		} else {
			start.Enable()
		}
	}
	add := func(ps ...string) {
		problem.clear()
		for _, p := range ps {
			if !slices.Contains(paths, p) {
				paths = append(paths, p)
			}
		}
		refresh()
	}
	pickedFile := func(p string, err error) {
		if err != nil {
			problem.set(err)
		} else if p != "" {
			add(p)
		}
	}
	pickedFolder := func(dir string, err error) {
		if err == nil && dir != "" {
			var files []string
			var skipped []wallet.SkippedFile
			files, skipped, err = wallet.ScanImportFolder(dir)
			passed = append(passed, skipped...)
			add(files...)
		}
		if err != nil {
			problem.set(err)
		}
	}
	// The copies of picked files (see Files.Cleanup) go when the import
	// ends, or with this screen when it is left without one.
	importing := false
	about, into, _ := u.intoChoice("These files are about")
	start = u.primary("Import", theme.DownloadIcon(), func() {
		importing = true
		u.runImport(paths, into())
	})
	addFile := u.button("Add file…", theme.FileIcon(), func() { u.files.OpenFile(u.win, wallet.ImportExtensions, pickedFile) })
	addFolder := u.button("Add folder…", theme.FolderOpenIcon(), func() { u.files.OpenFolder(u.win, pickedFolder) })
	clear := u.button("Clear", theme.ContentClearIcon(), func() { paths, passed = nil, nil; refresh() })
	refresh()

	u.show("import", container.NewBorder(
		header(u.button("Back", theme.NavigateBackIcon(), u.showRecords), "Import records"), nil, nil, nil,
		page(
			title("Import records"),
			wrapped("Add what your hospitals, clinics and labs gave you, one by one or a whole folder at once: "+
				"health record files (.json, .ndjson), the \"Download my record\" file of a patient portal (.xml), "+
				"vaccination and test cards (.smart-health-card, or a photo or screenshot of their QR code), "+
				"and PDFs, photos, scans and text files, which are kept as documents. "+
				"Records you already have are recognised and skipped; changed ones are kept as new versions."),
			container.NewGridWithColumns(3, addFile, addFolder, clear),
			u.button(pasteLabel, theme.ContentPasteIcon(), u.pasteCardOrLink),
			chosen,
			notImported,
			about,
			problem.Label,
			start,
		)))
	u.leaving = func() {
		if !importing {
			u.files.Cleanup()
		}
	}
}

// Choices of intoChoice besides the people kept in this wallet.
const (
	intoWhoever = "Me — files about anyone else are kept apart"
	intoMe      = "Me, whatever name the files give"
)

// intoChoice is the import screen's "These files are about…": the owner
// by default, each file going where its Patient says (records about
// anyone else kept apart in their own space); or the owner, or a person
// kept in this wallet, whatever the files say (a maiden name, a typo).
// into is the choice as ImportOptions.Into; keepsAnyone says whether the
// wallet keeps anyone apart (else only the owner can be chosen).
func (u *UI) intoChoice(heading string) (box fyne.CanvasObject, into func() string, keepsAnyone bool) {
	options := []string{intoWhoever, intoMe}
	ids := map[string]string{intoWhoever: "", intoMe: wallet.OwnerID}
	kept := u.keptPeople()
	var names []string
	for _, p := range kept {
		names = append(names, p.Name)
	}
	for _, p := range kept {
		label := nameLabel(p.Name, p.BirthDate, p.ID, names)
		options = append(options, label)
		ids[label] = p.ID
	}
	sel := widget.NewSelect(options, func(string) { u.idle.touch() })
	sel.SetSelected(intoWhoever)
	hint := wrapped("Choose a person when their files give their name differently: a maiden name, a typo.")
	hint.Importance = widget.LowImportance
	hint.SizeName = theme.SizeNameCaptionText
	box = container.NewVBox(widget.NewLabelWithStyle(heading, fyne.TextAlignLeading, fyne.TextStyle{Bold: true}), sel, hint)
	return box, func() string { return ids[sel.Selected] }, len(kept) > 0
}

// runImport imports paths on a goroutine, showing progress, then the
// result. into is ImportOptions.Into: "" where each file's Patient says.
// Leaving the progress screen, for the result or because the wallet
// locked, cancels the import and removes the copies of picked files.
func (u *UI) runImport(paths []string, into string) {
	paths = slices.Clone(paths)
	ctx, cancel := context.WithCancel(context.Background())

	bar := widget.NewProgressBar()
	status := widget.NewLabel("Starting…")
	status.Truncation = fyne.TextTruncateEllipsis
	counts := widget.NewLabel("")
	var stop *widget.Button
	stop = u.button("Cancel", theme.CancelIcon(), func() {
		cancel()
		stop.Disable()
		status.SetText("Cancelling…")
	})
	u.show("import-progress", container.NewBorder(
		header(nil, "Import records"), nil, nil, nil,
		page(title("Importing…"), bar, status, counts, stop)))
	left := false
	u.leaving = func() {
		left = true
		cancel()
		u.files.Cleanup()
	}

	progress := func(p wallet.ImportProgress) {
		fyne.Do(func() {
			u.idle.touch() // a long import is activity
			switch {
			case p.BytesTotal > 0:
				bar.SetValue(float64(p.BytesDone) / float64(p.BytesTotal))
			case p.FilesTotal > 0:
				bar.SetValue(float64(p.FilesDone) / float64(p.FilesTotal))
			}
			if p.File != "" {
				status.SetText(fmt.Sprintf("Reading %s (file %d of %d)", filepath.Base(p.File), min(p.FilesDone+1, p.FilesTotal), p.FilesTotal))
			}
			counts.SetText(plural(p.Resources, "resource", "resources") + " read so far")
		})
	}

	w := u.wallet
	u.background(func() {
		report, err := w.ImportWith(ctx, paths, wallet.ImportOptions{Into: into, Progress: progress})
		cancel()
		fyne.Do(func() {
			if left || u.wallet != w {
				return // the screen was left: its import is abandoned
			}
			u.showImportResult(report, err)
			u.importedNew(report)
		})
	})
}

// importedNew starts what follows an import that added records, and asks
// about the people other than the owner whose records it kept apart.
func (u *UI) importedNew(report wallet.ImportReport) {
	if report.Imported > 0 || report.Versions > 0 {
		u.anchorSoon() // new versions get their commitments on chain
		u.syncSoon()   // and reach the caregivers' copies
	}
	u.askAboutOthers(report.OtherPeople)
}

// showImportResult says what an import did: new records, duplicates, new
// versions, what each file became (a card and its checks, a C-CDA document
// and what was not converted, a kept document, or why it was refused), and
// counts by type behind "Details".
func (u *UI) showImportResult(r wallet.ImportReport, err error) {
	heading := title("Import finished")
	objects := []fyne.CanvasObject{heading}
	if err != nil {
		heading.SetText("Import stopped")
		text := sentence(err.Error())
		if errors.Is(err, context.Canceled) {
			text = "You cancelled the import. The files read before it stopped are in your wallet."
		}
		msg := wrapped(text)
		msg.Importance = widget.DangerImportance
		objects = append(objects, msg)
	}

	numbers := widget.NewForm(
		widget.NewFormItem("Imported", wrapped(plural(r.Imported, "new record", "new records"))),
		widget.NewFormItem("Duplicates", wrapped(plural(r.Duplicates, "record", "records")+" already in your wallet, skipped")),
		widget.NewFormItem("New versions", wrapped(plural(r.Versions, "record", "records")+" updated, old versions kept")),
	)
	objects = append(objects, numbers)
	objects = append(objects, otherPeopleLines(r.OtherPeople)...)

	if len(r.Files) > 0 {
		objects = append(objects, widget.NewLabelWithStyle("What each file became", fyne.TextAlignLeading, fyne.TextStyle{Bold: true}))
		objects = append(objects, fileOutcomes(r)...)
	} else if len(r.Rejected) > 0 {
		objects = append(objects, widget.NewLabelWithStyle(
			fmt.Sprintf("Not imported (%s)", plural(len(r.Rejected), "file", "files")),
			fyne.TextAlignLeading, fyne.TextStyle{Bold: true}))
		for _, f := range r.Rejected {
			l := wrapped(fmt.Sprintf("%s: %s", filepath.Base(f.File), f.Error))
			l.Importance = widget.DangerImportance
			objects = append(objects, l)
		}
	}
	if len(r.ByType) > 0 {
		objects = append(objects, widget.NewAccordion(widget.NewAccordionItem("Details: new records by type",
			widget.NewLabel(byTypeLines(r.ByType)))))
	}

	objects = append(objects,
		widget.NewSeparator(),
		u.primary("Show records", theme.ListIcon(), u.showRecords),
		u.button("Import more", theme.DownloadIcon(), u.showImport),
	)
	u.show("import-result", container.NewBorder(
		header(u.button("Back", theme.NavigateBackIcon(), u.showRecords), "Import records"), nil, nil, nil,
		page(objects...)))
}

// plural is "1 record", "2 records".
func plural(n int, one, many string) string {
	if n == 1 {
		return "1 " + one
	}
	return fmt.Sprintf("%d %s", n, many)
}
