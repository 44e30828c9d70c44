package app

import (
	"fmt"
	"io"
	"strings"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"
)

// showSettings shows the network in plain words, the name and identity
// card, security, backup and the lost-device settings; what only a helper
// needs (addresses, the chain, the network's node) is under Advanced.
func (u *UI) showSettings() {
	back := u.button("Back", theme.NavigateBackIcon(), u.showRecords)
	network, refreshNetwork := u.networkSection()
	sections := []fyne.CanvasObject{
		network,
		widget.NewSeparator(),
		u.identitySection(),
		widget.NewSeparator(),
		u.securitySection(),
		widget.NewSeparator(),
		u.backupSection(),
		widget.NewSeparator(),
		u.trustSection(),
		widget.NewSeparator(),
		u.lostDeviceSection(),
	}
	if privacy := u.privacySection(); privacy != nil {
		sections = append(sections, widget.NewSeparator(), privacy)
	}
	sections = append(sections, widget.NewSeparator(), section("Advanced"),
		wrapped("For whoever helps you set things up: your wallet's address and the network's technical details."),
		container.NewHBox(u.button(advancedLabel, theme.SettingsIcon(), u.showSettingsAdvanced)))
	u.show("settings", container.NewBorder(header(back, "Settings"), nil, nil, nil, page(sections...)))
	refreshNetwork()
}

// accessChoice is a wallet that lets the patient choose whether accesses
// are recorded on chain. The Wallet interface leaves it out so that fakes
// need not have it; the real wallet has.
type accessChoice interface {
	AccessOnChain() bool
	SetAccessOnChain(on bool) error
}

// accessOnNetworkLabel is the choice to keep each opening on the chain, in
// plain words.
const accessOnNetworkLabel = "Also keep each opening of my shares on the network, sealed for me"

// privacySection is the choice to record each access on chain: a
// tamper-evident log only the patient can open. Nil for a wallet without
// the choice.
func (u *UI) privacySection() fyne.CanvasObject {
	w, ok := u.wallet.(accessChoice)
	if !ok {
		return nil
	}
	result := newErrorText()
	var check *widget.Check
	check = widget.NewCheck(accessOnNetworkLabel, func(on bool) {
		if err := w.SetAccessOnChain(on); err != nil {
			result.Importance = widget.DangerImportance
			result.set(err)
			check.Checked = w.AccessOnChain()
			check.Refresh()
			return
		}
		result.clear()
	})
	check.Checked = w.AccessOnChain()
	explain := widget.NewLabel("On, every opening of your shares is also kept on the network as a sealed entry only you can open, " +
		"so no one can quietly remove it. Off, your access log still shows every opening; what the network already keeps stays there.")
	explain.Wrapping = fyne.TextWrapWord
	return container.NewVBox(section("Privacy"), check, explain, result.Label)
}

// nameSetter is a wallet whose display name can change. The Wallet
// interface leaves it out so that fakes need not have it; the real wallet has.
type nameSetter interface {
	SetDisplayName(name string) error
}

func section(name string) *widget.Label {
	return widget.NewLabelWithStyle(name, fyne.TextAlignLeading, fyne.TextStyle{Bold: true})
}

func (u *UI) identitySection() fyne.CanvasObject {
	var name fyne.CanvasObject = widget.NewLabel(u.wallet.DisplayName())
	if renamer, ok := u.wallet.(nameSetter); ok {
		e := u.entry("Your name")
		e.SetText(u.wallet.DisplayName())
		save := u.button("Save", theme.DocumentSaveIcon(), func() {
			if err := renamer.SetDisplayName(strings.TrimSpace(e.Text)); err != nil {
				u.showError(err)
				return
			}
			u.showSettings() // the identity card carries the name
		})
		name = container.NewBorder(nil, nil, nil, save, e)
	}
	objects := []fyne.CanvasObject{
		section("Your identity"),
		widget.NewForm(widget.NewFormItem("Name", name)),
	}
	card, err := u.wallet.Card()
	if err == nil {
		var qr fyne.CanvasObject
		qr, err = u.qrCanvas(card, 220)
		if err == nil {
			caption := wrapped("Your identity card. A doctor or caregiver scans it to send records to you or to receive your delegation.")
			caption.Alignment = fyne.TextAlignCenter
			objects = append(objects, container.NewCenter(qr), caption)
		}
	}
	if err != nil {
		msg := wrapped("The identity card cannot be shown: " + err.Error())
		msg.Importance = widget.DangerImportance
		objects = append(objects, msg)
	}
	return container.NewVBox(objects...)
}

func (u *UI) securitySection() fyne.CanvasObject {
	options := make([]string, len(autoLockChoices))
	current := u.app.Preferences().IntWithFallback(prefAutoLock, defaultAutoLockMinutes)
	selected := ""
	for i, m := range autoLockChoices {
		options[i] = plural(m, "minute", "minutes")
		if m == current {
			selected = options[i]
		}
	}
	autoLock := widget.NewSelect(options, func(s string) {
		for i, o := range options {
			if o == s {
				u.app.Preferences().SetInt(prefAutoLock, autoLockChoices[i])
			}
		}
		u.idle.touch() // restart the idle time with the new length
	})
	autoLock.SetSelected(selected)

	// A wallet made with weak key derivation (HW_KDF=fast, for tests) says
	// so here until a password change gives it the defaults.
	weak := widget.NewLabel("Weak password protection: this wallet was made with a fast key derivation meant for tests. Change the password to protect it properly.")
	weak.Wrapping = fyne.TextWrapWord
	weak.Importance = widget.DangerImportance
	if kd, err := u.wallet.KeyDerivation(); err != nil || !kd.Weak {
		weak.Hide()
	}
	old := u.passwordEntry("Current password")
	pw, pw2, hint := u.newPasswordPair()
	result := newErrorText()
	busy := busyText()
	var change *widget.Button
	change = u.button("Change password", theme.ConfirmIcon(), func() {
		result.Importance = widget.DangerImportance
		if err := checkNewPassword(pw.Text, pw2.Text); err != nil {
			result.set(err)
			return
		}
		oldPW, newPW := []byte(old.Text), []byte(pw.Text)
		w := u.wallet
		// The whole wallet is rewritten under a new key: say how far.
		u.runSlow(change, busy, "Changing your password…", func() error {
			return w.ChangePasswordWithProgress(oldPW, newPW, func(done, total int64) {
				fyne.Do(func() {
					busy.SetText(fmt.Sprintf("Changing your password: rewriting your wallet under its new key… %d%%", done*100/max(total, 1)))
				})
			})
		}, func(err error) {
			if err != nil {
				result.set(err)
				return
			}
			for _, e := range []*widget.Entry{old, pw, pw2} {
				e.SetText("")
			}
			result.Importance = widget.SuccessImportance
			result.setText("Password changed. The wallet file now has a new key that the old password does not open. " +
				"Backups made before are what they were: they still open with your recovery phrase.")
			weak.Hide()
		})
	})

	lockNow := u.button("Lock now", theme.LogoutIcon(), u.lock)
	return container.NewVBox(
		section("Security"),
		widget.NewForm(widget.NewFormItem("Lock after", autoLock)),
		widget.NewLabel("Change password"),
		weak,
		widget.NewForm(
			widget.NewFormItem("Current", old),
			widget.NewFormItem("New", pw),
			widget.NewFormItem("Repeat", pw2),
		),
		hint,
		result.Label,
		busy,
		container.NewGridWithColumns(2, change, lockNow),
	)
}

func (u *UI) backupSection() fyne.CanvasObject {
	busy := busyText()
	var backup, export *widget.Button
	backup = u.button("Back up to file…", theme.DocumentSaveIcon(), func() {
		u.confirm("Back up your wallet", "Back up",
			"The backup holds all your records, encrypted. Your recovery phrase restores it on any device. "+
				"Keep it somewhere other than this device.",
			func(ok bool) {
				u.idle.touch()
				if !ok {
					return
				}
				wal := u.wallet
				u.saveTo(fmt.Sprintf("healthwallet-backup-%s.age", time.Now().Format("2006-01-02")), backup, busy,
					"Writing the backup…", func(w io.Writer) (string, error) {
						return "Backup saved.", wal.Backup(w)
					})
			})
	})
	export = u.button("Export all records…", theme.UploadIcon(), func() {
		u.confirm("Export all records", "Export",
			"The export is a FHIR Bundle of all your records, NOT encrypted: anyone who gets the file can read them. "+
				"Use it to give your records to another app.",
			func(ok bool) {
				u.idle.touch()
				if !ok {
					return
				}
				wal := u.wallet
				u.saveTo("health-records.json", export, busy, "Exporting…", func(w io.Writer) (string, error) {
					n, err := wal.Export(w, nil)
					return fmt.Sprintf("Exported %s.", plural(n, "record", "records")), err
				})
			})
	})
	return container.NewVBox(
		section("Backup and export"),
		wrapped("A backup restores your wallet, records included, with your recovery phrase. "+
			"An export gives your records to another app."),
		busy,
		container.NewGridWithColumns(2, backup, export),
	)
}

// saveTo asks where to save, writes with write on a goroutine, and says how
// it went.
func (u *UI) saveTo(name string, btn *widget.Button, busy *widget.Label, busyText string, write func(io.Writer) (string, error)) {
	u.files.CreateFile(u.win, name, func(w io.WriteCloser, err error) {
		if err != nil {
			u.showError(err)
			return
		}
		if w == nil {
			return
		}
		var done string
		u.runSlow(btn, busy, busyText, func() error {
			msg, err := write(w)
			if cerr := w.Close(); err == nil {
				err = cerr
			}
			done = msg
			return err
		}, func(err error) {
			if err != nil {
				u.showError(err)
				return
			}
			u.inform("Done", savedWhere(done, w), func() {})
		})
	})
}

// confirm asks before a step that cannot be taken back; the confirm button
// names the step.
func (u *UI) confirm(title, action, message string, done func(bool)) {
	body := widget.NewLabel(message)
	body.Wrapping = fyne.TextWrapWord
	d := dialog.NewCustomConfirm(title, action, "Cancel", body, func(ok bool) {
		u.escape, u.enter = nil, nil // before done, which may open the next dialog
		done(ok)
	}, u.win)
	u.confirmKeys(d, action)
	d.Resize(fyne.NewSize(min(u.win.Canvas().Size().Width*0.9, 480), 0))
	d.Show()
}
