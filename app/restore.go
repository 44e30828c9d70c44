package app

import (
	"os"
	"path/filepath"
	"strings"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"
)

// normalPhrase is a typed or pasted recovery phrase in its canonical form:
// lower case, single spaces, whatever line breaks the paste had.
func normalPhrase(s string) string {
	return strings.Join(strings.Fields(strings.ToLower(s)), " ")
}

// showRestorePhrase makes a wallet from an existing recovery phrase: the
// same keys on this device, records to be imported or restored later.
func (u *UI) showRestorePhrase() {
	phrase := u.phraseEntry()
	problem := newErrorText()
	clearOnEdit(problem, phrase)
	next := u.primary("Continue", theme.NavigateNextIcon(), func() {
		m := normalPhrase(phrase.Text)
		if err := u.backend.CheckMnemonic(m); err != nil {
			problem.set(err)
			return
		}
		u.showCreate(&createFlow{mnemonic: m, restored: true})
	})

	u.show("restore-phrase", container.NewBorder(
		header(u.button("Back", theme.NavigateBackIcon(), u.showWelcome), "Restore from recovery phrase"), nil, nil, nil,
		page(
			title("Enter your recovery phrase"),
			wrapped("Type or paste the 24 words you wrote down when you created your wallet, in order, separated by spaces."),
			phrase,
			problem.Label,
			next,
		)))
	u.win.Canvas().Focus(phrase)
}

// showRestoreBackup restores a wallet, records included, from a backup
// archive (.age) and its recovery phrase.
func (u *UI) showRestoreBackup() {
	var path string
	chosen := widget.NewLabel("No file chosen yet.")
	chosen.Truncation = fyne.TextTruncateEllipsis
	phrase := u.phraseEntry()
	problem := newErrorText()
	clearOnEdit(problem, phrase)
	busy := busyText()

	choose := u.button("Choose backup file…", theme.FolderOpenIcon(), func() {
		u.files.OpenFile(u.win, []string{".age"}, func(p string, err error) {
			if err != nil {
				problem.set(err)
				return
			}
			if p != "" {
				path = p
				chosen.SetText(filepath.Base(p))
				problem.clear()
			}
		})
	})

	var restore *widget.Button
	restore = u.primary("Restore wallet", theme.ConfirmIcon(), func() {
		if path == "" {
			problem.setText("Choose the backup file first.")
			return
		}
		m := normalPhrase(phrase.Text)
		if err := u.backend.CheckMnemonic(m); err != nil {
			problem.set(err)
			return
		}
		problem.clear()
		var w Wallet
		u.runSlow(restore, busy, "Restoring your wallet…", func() error {
			f, err := os.Open(path)
			if err != nil {
				return err
			}
			defer f.Close()
			if err := u.backend.RestoreBackup(f, m); err != nil {
				return err
			}
			w, err = u.backend.Open()
			return err
		}, func(err error) {
			if err != nil {
				problem.set(err)
				return
			}
			u.wallet = w
			u.showUnlockWith("Restored. Unlock with the password the wallet had when the backup was made.")
		})
	})

	u.show("restore-backup", container.NewBorder(
		header(u.button("Back", theme.NavigateBackIcon(), u.showWelcome), "Restore from backup file"), nil, nil, nil,
		page(
			title("Restore from a backup file"),
			wrapped("A backup is a .age file made in Settings. Your recovery phrase decrypts it; "+
				"afterwards the wallet unlocks with the password it had when the backup was made."),
			container.NewBorder(nil, nil, choose, nil, chosen),
			widget.NewLabel("Recovery phrase"),
			phrase,
			problem.Label,
			busy,
			restore,
		)))
	// The copy of a backup picked without a local path stays for another
	// try until the screen is left, restored or not.
	u.leaving = u.files.Cleanup
}
