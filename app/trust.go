package app

import (
	"context"
	"fmt"
	"strings"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"healthwallet/wallet"
)

// This file: Settings → Trusted card issuers. The patient decides whom to
// trust: directories of SMART Health Card issuers (VCI format), added from
// a link or a file, and the issuers they list.

// trustCardsExplanation says in one sentence what trusting an issuer means.
const trustCardsExplanation = "A SMART Health Card shows as verified only when its signature holds and its issuer " +
	"is in a directory you trust here; cards from anyone else are still imported, marked not verified."

// Labels of the trust screen.
const (
	trustedIssuersLabel = "Trusted card issuers"
	addDirectoryLabel   = "Add a directory…"
	stopTrustingLabel   = "Stop trusting"
)

// trustSection is the Settings entry to the trusted card issuers.
func (u *UI) trustSection() fyne.CanvasObject {
	return container.NewVBox(section(trustedIssuersLabel), wrapped(trustCardsExplanation),
		container.NewHBox(u.button(trustedIssuersLabel+"…", theme.ListIcon(), u.showTrust)))
}

// showTrust lists the trusted directories and issuers, with Add and Remove.
func (u *UI) showTrust() {
	back := u.button("Back", theme.NavigateBackIcon(), u.showSettings)
	add := u.primary(addDirectoryLabel, theme.ContentAddIcon(), u.addDirectory)
	problem := newErrorText()
	objects := []fyne.CanvasObject{title(trustedIssuersLabel), wrapped(trustCardsExplanation), container.NewHBox(add), problem.Label}

	dirs, issuers, err := u.wallet.TrustList()
	if err != nil {
		problem.set(err)
	}
	objects = append(objects, section("Directories"))
	if len(dirs) == 0 && err == nil {
		objects = append(objects, wrapped("None yet. Add the directory your country or health system publishes "+
			"(for example the VCI directory, vci-issuers.json), or one your clinic gives you."))
	}
	for _, d := range dirs {
		objects = append(objects, u.directoryRow(d), widget.NewSeparator())
	}
	if len(issuers) > 0 {
		objects = append(objects, section("Issuers you trust"))
	}
	for _, is := range issuers {
		objects = append(objects, u.issuerRow(is), widget.NewSeparator())
	}
	u.show("trust", container.NewBorder(header(back, trustedIssuersLabel), nil, nil, nil, page(objects...)))
}

func (u *UI) directoryRow(d wallet.TrustedDirectory) fyne.CanvasObject {
	src := widget.NewLabelWithStyle(d.Source, fyne.TextAlignLeading, fyne.TextStyle{Bold: true})
	src.Wrapping = fyne.TextWrapBreak
	facts := []string{plural(d.Issuers, "issuer", "issuers"), "added " + d.Added.Format(dateLayout)}
	if !d.Refreshed.IsZero() {
		facts = append(facts, "refreshed "+d.Refreshed.Format(timeLayout))
	}
	row := container.NewVBox(src, wrapped(strings.Join(facts, " · ")))
	if d.Problem != "" {
		l := wrapped(sentence(d.Problem))
		l.Importance = widget.WarningImportance
		row.Add(l)
	}
	row.Add(container.NewHBox(u.removeButton("this directory", d.Source,
		fmt.Sprintf("Cards from the %s it lists will import as not verified, unless another directory you trust lists them.",
			plural(d.Issuers, "issuer", "issuers")))))
	return row
}

func (u *UI) issuerRow(is wallet.TrustedIssuer) fyne.CanvasObject {
	name := widget.NewLabelWithStyle(issuerWords(is.Name, is.Iss), fyne.TextAlignLeading, fyne.TextStyle{Bold: true})
	name.Wrapping = fyne.TextWrapWord
	keys := "keys not fetched yet: they are fetched when you are online"
	if !is.KeysAt.IsZero() {
		keys = "keys fetched " + is.KeysAt.Format(timeLayout)
	}
	iss := wrapped(issuerWords("", is.Iss) + " · " + keys)
	return container.NewVBox(name, iss, container.NewHBox(u.removeButton(issuerWords(is.Name, is.Iss), is.Iss,
		"Its cards will import as not verified. Cards already in your wallet keep what was checked when they were imported.")))
}

// removeButton is a red "Stop trusting" that asks first.
func (u *UI) removeButton(what, key, consequence string) *widget.Button {
	b := u.button(stopTrustingLabel, theme.DeleteIcon(), func() {
		u.confirm("Stop trusting "+what+"?", stopTrustingLabel, consequence, func(ok bool) {
			u.idle.touch()
			if !ok {
				return
			}
			if err := u.wallet.TrustRemove(key); err != nil {
				u.showError(err)
				return
			}
			u.showTrust()
		})
	})
	b.Importance = widget.DangerImportance
	return b
}

// addDirectory asks for a directory's link or file and trusts it.
func (u *UI) addDirectory() {
	source := u.keyEntry("https://… or a file")
	problem := newErrorText()
	busy := busyText()
	choose := u.button("Choose a file…", theme.FileIcon(), func() {
		u.files.OpenFile(u.win, []string{".json"}, func(path string, err error) {
			if err != nil {
				problem.set(err)
				return
			}
			if path != "" {
				source.SetText(path)
			}
		})
	})
	var kd *keyDialog
	var addBtn *widget.Button
	submit := func() {
		s := strings.TrimSpace(source.Text)
		if addBtn.Disabled() {
			return
		}
		if s == "" {
			problem.setText("Type the directory's link (https://…) or choose its file.")
			return
		}
		problem.clear()
		w := u.wallet
		u.runSlow(addBtn, busy, "Reading the directory and fetching its issuers' keys…", func() error {
			_, err := w.TrustAdd(context.Background(), s)
			return err
		}, func(err error) {
			if u.screen != "trust" || u.wallet != w {
				return
			}
			if err != nil {
				problem.set(err)
				return
			}
			kd.close()
			u.files.Cleanup() // a copy of a picked file is no longer needed
			u.showTrust()
		})
	}
	addBtn = u.primary("Add", theme.ContentAddIcon(), submit)
	cancel := u.button("Cancel", theme.CancelIcon(), func() { kd.cancel() })
	body := container.NewVBox(
		wrapped("A directory lists card issuers and their keys (the VCI format). Only add one you have reason to trust: "+
			"the cards of every issuer it lists will show as verified."),
		source, container.NewHBox(choose), problem.Label, busy,
		container.NewGridWithColumns(2, cancel, addBtn))
	kd = u.showKeyDialog(dialog.NewCustomWithoutButtons(addDirectoryLabel, body, u.win), submit, source)
}
