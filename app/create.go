package app

import (
	"fmt"
	"slices"
	"strings"
	"unicode"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"
)

// minPasswordLength is the shortest password the app accepts.
const minPasswordLength = 8

// confirmWords is how many words of the recovery phrase the person types
// back before the wallet is created.
const confirmWords = 3

// createFlow carries what the create screens have gathered so far.
type createFlow struct {
	name      string
	password  string
	mnemonic  string
	positions []int // 1-based positions asked back on the confirm screen
	// restored is set when the phrase came from the person (restore from
	// recovery phrase): it is not shown back, the wallet is made at once.
	restored bool
}

// showCreate asks for a display name and a password.
func (u *UI) showCreate(f *createFlow) {
	name := u.entry("e.g. Ada Lovelace")
	name.SetText(f.name)
	pw, pw2, hint := u.newPasswordPair()
	pw.SetText(f.password)
	pw2.SetText(f.password)
	problem := newErrorText()
	clearOnEdit(problem, name, pw, pw2)
	busy := busyText()

	var next *widget.Button
	next = u.primary("Continue", theme.NavigateNextIcon(), func() {
		if strings.TrimSpace(name.Text) == "" {
			problem.setText("Enter the name to show on your identity card.")
			return
		}
		if err := checkNewPassword(pw.Text, pw2.Text); err != nil {
			problem.set(err)
			return
		}
		if f.mnemonic == "" {
			m, err := u.backend.NewMnemonic()
			if err != nil {
				problem.set(err)
				return
			}
			f.mnemonic = m
		}
		f.name = strings.TrimSpace(name.Text)
		f.password = pw.Text
		if f.restored {
			u.createWallet(f, next, busy, problem)
			return
		}
		u.showMnemonic(f)
	})
	pw2.OnSubmitted = func(string) { next.OnTapped() }

	back, heading := u.showWelcome, "Create a new wallet"
	if f.restored {
		back, heading = u.showRestorePhrase, "Restore from recovery phrase"
		next.SetText("Restore wallet")
	}
	u.show("create", container.NewBorder(
		header(u.button("Back", theme.NavigateBackIcon(), back), heading), nil, nil, nil,
		page(
			title("Your name and password"),
			wrapped("Your name appears on the identity card you show to doctors and caregivers. "+
				"The password unlocks the wallet on this device."),
			widget.NewForm(
				widget.NewFormItem("Name", name),
				widget.NewFormItem("Password", pw),
				widget.NewFormItem("Repeat", pw2),
			),
			hint,
			problem.Label,
			busy,
			next,
		)))
}

// newPasswordPair is a password entry, its repeat and a live strength hint.
func (u *UI) newPasswordPair() (pw, pw2 *widget.Entry, hint *widget.Label) {
	pw = u.passwordEntry(fmt.Sprintf("At least %d characters", minPasswordLength))
	pw2 = u.passwordEntry("Type it again")
	hint = widget.NewLabel(strengthHint(""))
	hint.Wrapping = fyne.TextWrapWord
	u.onChanged(pw, func(s string) { hint.SetText(strengthHint(s)) })
	return pw, pw2, hint
}

// checkNewPassword says what is wrong with a new password and its repeat.
func checkNewPassword(pw, repeat string) error {
	if len([]rune(pw)) < minPasswordLength {
		return fmt.Errorf("the password is too short: use at least %d characters", minPasswordLength)
	}
	if pw != repeat {
		return fmt.Errorf("the two passwords differ: type the same password twice")
	}
	return nil
}

// strengthHint rates a password roughly, to nudge towards longer ones. It
// is advice, not a rule: only the minimum length is enforced.
func strengthHint(pw string) string {
	n := len([]rune(pw))
	if n == 0 {
		return fmt.Sprintf("Use at least %d characters; a few unrelated words make a strong password.", minPasswordLength)
	}
	if n < minPasswordLength {
		return fmt.Sprintf("Too short: %d of at least %d characters.", n, minPasswordLength)
	}
	var lower, upper, digit, other bool
	for _, r := range pw {
		switch {
		case unicode.IsLower(r):
			lower = true
		case unicode.IsUpper(r):
			upper = true
		case unicode.IsDigit(r):
			digit = true
		default:
			other = true
		}
	}
	score := 0
	for _, b := range []bool{lower, upper, digit, other} {
		if b {
			score++
		}
	}
	if n >= 12 {
		score++
	}
	if n >= 16 {
		score += 2
	}
	switch {
	case score >= 5:
		return "Strength: strong."
	case score >= 3:
		return "Strength: fair. A longer password would be stronger."
	default:
		return "Strength: weak. Make it longer, or mix in digits and symbols."
	}
}

// showMnemonic shows the 24 words once, with the warning that they are the
// only way back into the wallet.
func (u *UI) showMnemonic(f *createFlow) {
	warning := widget.NewLabel("Write these 24 words down on paper, in this order, and keep them somewhere safe. " +
		"They are the only way to recover your wallet if you forget your password or lose this device. " +
		"Anyone who has them can open your wallet: never type them into a website or share them.")
	warning.Wrapping = fyne.TextWrapWord
	warning.Importance = widget.WarningImportance

	u.show("mnemonic", container.NewBorder(
		header(u.button("Back", theme.NavigateBackIcon(), func() { u.showCreate(f) }), "Create a new wallet"), nil, nil, nil,
		page(
			title("Your recovery phrase"),
			container.NewHBox(widget.NewIcon(theme.WarningIcon()), widget.NewLabelWithStyle("Only shown now", fyne.TextAlignLeading, fyne.TextStyle{Bold: true})),
			warning,
			wordGrid(strings.Fields(f.mnemonic)),
			u.primary("I have written them down", theme.ConfirmIcon(), func() {
				f.positions = u.pickPositions(len(strings.Fields(f.mnemonic)))
				u.showConfirm(f)
			}),
		)))
}

// wordGrid shows words numbered from 1, in as many columns as fit.
func wordGrid(words []string) fyne.CanvasObject {
	cells := make([]fyne.CanvasObject, len(words))
	for i, w := range words {
		n := widget.NewLabel(fmt.Sprintf("%2d.", i+1))
		n.Importance = widget.LowImportance
		n.TextStyle.Monospace = true
		word := widget.NewLabel(w)
		word.TextStyle.Bold = true
		cells[i] = container.NewHBox(n, word)
	}
	return container.NewGridWrap(fyne.NewSize(150, 36), cells...)
}

// pickPositions chooses confirmWords distinct 1-based positions, in order.
func (u *UI) pickPositions(n int) []int {
	p := u.rand.Perm(n)[:min(confirmWords, n)]
	for i := range p {
		p[i]++
	}
	slices.Sort(p)
	return p
}

// showConfirm asks for some words of the phrase back; right words create
// the wallet.
func (u *UI) showConfirm(f *createFlow) {
	words := strings.Fields(f.mnemonic)
	form := widget.NewForm()
	entries := make([]*widget.Entry, len(f.positions))
	for i, p := range f.positions {
		entries[i] = u.entry("")
		form.Append(fmt.Sprintf("Word #%d", p), entries[i])
	}
	problem := newErrorText()
	clearOnEdit(problem, entries...)
	busy := busyText()

	var create *widget.Button
	create = u.primary("Create wallet", theme.ConfirmIcon(), func() {
		var wrong []string
		for i, p := range f.positions {
			if strings.ToLower(strings.TrimSpace(entries[i].Text)) != words[p-1] {
				wrong = append(wrong, fmt.Sprintf("#%d", p))
			}
		}
		if len(wrong) > 0 {
			msg := fmt.Sprintf("Word %s is not right.", wrong[0])
			if len(wrong) > 1 {
				msg = fmt.Sprintf("Words %s and %s are not right.", strings.Join(wrong[:len(wrong)-1], ", "), wrong[len(wrong)-1])
			}
			problem.setText(msg + " Check the words you wrote down, or go back to see them again.")
			return
		}
		problem.clear()
		u.createWallet(f, create, busy, problem)
	})
	if len(entries) > 0 {
		entries[len(entries)-1].OnSubmitted = func(string) { create.OnTapped() }
	}

	u.show("confirm", container.NewBorder(
		header(u.button("Back", theme.NavigateBackIcon(), func() { u.showMnemonic(f) }), "Create a new wallet"), nil, nil, nil,
		page(
			title("Confirm your recovery phrase"),
			wrapped("Type these words from the phrase you wrote down, to be sure you have it right."),
			form,
			problem.Label,
			busy,
			create,
		)))
	if len(entries) > 0 {
		u.win.Canvas().Focus(entries[0])
	}
}

// createWallet makes the wallet from what the flow gathered and offers to
// join a network.
func (u *UI) createWallet(f *createFlow, btn *widget.Button, busy *widget.Label, problem errorText) {
	var w Wallet
	u.runSlow(btn, busy, "Creating your wallet…", func() (err error) {
		w, err = u.backend.Create(f.mnemonic, []byte(f.password), f.name)
		return err
	}, func(err error) {
		if err != nil {
			problem.set(err)
			return
		}
		restored := f.restored
		*f = createFlow{} // forget the phrase and password
		u.wallet = w
		u.firstStart(restored)
	})
}
