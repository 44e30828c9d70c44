package app

import (
	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"healthwallet/assets"
)

// showUnlock asks for the password of the open, locked wallet.
func (u *UI) showUnlock() { u.showUnlockWith("") }

// showUnlockWith is showUnlock with a note above the password field.
func (u *UI) showUnlockWith(note string) {
	logo := canvas.NewImageFromResource(assets.Icon)
	logo.FillMode = canvas.ImageFillContain
	logo.SetMinSize(fyne.NewSize(72, 72))

	heading := title("Unlock your wallet")
	heading.Alignment = fyne.TextAlignCenter
	hint := wrapped(note)
	if note == "" {
		hint.Hide()
	}

	pw := u.passwordEntry("Password")
	problem := newErrorText()
	clearOnEdit(problem, pw)
	busy := busyText()
	var unlock *widget.Button
	unlock = u.primary("Unlock", theme.LoginIcon(), func() {
		if pw.Text == "" {
			problem.setText("Enter your password.")
			return
		}
		password := []byte(pw.Text)
		w := u.wallet
		u.runSlow(unlock, busy, "Unlocking…", func() error {
			return w.Unlock(password)
		}, func(err error) {
			if u.wallet != w {
				return
			}
			if err != nil {
				problem.set(err)
				pw.SetText("")
				u.win.Canvas().Focus(pw)
				return
			}
			u.unlocked()
		})
	})
	pw.OnSubmitted = func(string) { unlock.OnTapped() }
	forgot := u.button("Forgot password?", nil, u.showResetPassword)
	forgot.Importance = widget.LowImportance

	u.show("unlock", page(
		container.NewCenter(logo),
		heading,
		hint,
		pw,
		problem.Label,
		busy,
		unlock,
		forgot,
	))
	u.win.Canvas().Focus(pw)
}

// showResetPassword sets a new password with the recovery phrase.
func (u *UI) showResetPassword() {
	phrase := u.phraseEntry()
	pw, pw2, hint := u.newPasswordPair()
	problem := newErrorText()
	clearOnEdit(problem, phrase, pw, pw2)
	busy := busyText()

	var reset *widget.Button
	reset = u.primary("Set new password", theme.ConfirmIcon(), func() {
		m := normalPhrase(phrase.Text)
		if err := u.backend.CheckMnemonic(m); err != nil {
			problem.set(err)
			return
		}
		if err := checkNewPassword(pw.Text, pw2.Text); err != nil {
			problem.set(err)
			return
		}
		problem.clear()
		password := []byte(pw.Text)
		w := u.wallet
		u.runSlow(reset, busy, "Setting your new password…", func() error {
			if err := w.ResetPassword(m, password); err != nil {
				return err
			}
			if w.Locked() {
				return w.Unlock(password)
			}
			return nil
		}, func(err error) {
			if u.wallet != w {
				return
			}
			if err != nil {
				problem.set(err)
				return
			}
			u.unlocked()
		})
	})
	pw2.OnSubmitted = func(string) { reset.OnTapped() }

	u.show("reset", container.NewBorder(
		header(u.button("Back", theme.NavigateBackIcon(), u.showUnlock), "Forgot password"), nil, nil, nil,
		page(
			title("Reset your password"),
			wrapped("Your recovery phrase lets you set a new password. Your records stay as they are."),
			widget.NewLabel("Recovery phrase"),
			phrase,
			widget.NewForm(
				widget.NewFormItem("New password", pw),
				widget.NewFormItem("Repeat", pw2),
			),
			hint,
			problem.Label,
			busy,
			reset,
		)))
	u.win.Canvas().Focus(phrase)
}
