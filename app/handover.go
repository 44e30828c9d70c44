package app

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"healthwallet/wallet"
)

// This file: handing someone kept apart over as a wallet of their own
// (wallet.HandOver). A form says where the new wallet goes and its
// password, a confirmation says plainly what will happen, then the new
// wallet's recovery phrase is shown once, to be written down for the person.

// newWalletPlace is what a Backend may tell about where its wallet lives
// and how it makes new ones: the folder beside which a handed-over wallet
// is suggested, and the options (key derivation) it is made with.
type newWalletPlace interface {
	newWalletPlace() (dir string, opts wallet.Options)
}

func (b *walletBackend) newWalletPlace() (string, wallet.Options) { return b.dir, b.opts }

// handOverPlace is the suggested folder of p's new wallet (next to this
// wallet's folder) and the options the new wallet is made with.
func (u *UI) handOverPlace(p wallet.Person) (string, wallet.Options) {
	dir, opts := "", wallet.Options{}
	if b, ok := u.backend.(newWalletPlace); ok {
		d, o := b.newWalletPlace()
		dir, opts = filepath.Dir(d), o
	}
	if dir == "" || dir == "." {
		if home, err := os.UserHomeDir(); err == nil {
			dir = home
		}
	}
	return filepath.Join(dir, p.ID+"-wallet"), wallet.Options{KDFTime: opts.KDFTime, KDFMemoryKiB: opts.KDFMemoryKiB, KDFThreads: opts.KDFThreads}
}

// showHandOver is the form that hands p, a person kept apart, over as a
// wallet of their own.
func (u *UI) showHandOver(p wallet.Person) {
	suggested, opts := u.handOverPlace(p)
	where := u.entry("Folder for the new wallet")
	where.SetText(suggested)
	choose := u.button("Choose folder…", theme.FolderOpenIcon(), func() {
		u.files.OpenFolder(u.win, func(path string, err error) {
			if err == nil && path != "" {
				where.SetText(filepath.Join(path, p.ID+"-wallet"))
			}
		})
	})
	pw, pw2, hint := u.newPasswordPair()
	problem := newErrorText()
	clearOnEdit(problem, where, pw, pw2)
	busy := busyText()
	bar := widget.NewProgressBar()
	bar.Hide()

	var start *widget.Button
	start = u.primary("Hand over…", theme.MailForwardIcon(), func() {
		path := strings.TrimSpace(where.Text)
		if path == "" {
			problem.setText("Say where to save " + possessive(p.Name) + " new wallet: a new folder.")
			return
		}
		if wallet.Exists(path) {
			// Most likely a handover that did not finish (wallet.HandOver).
			problem.setText(path + " already holds a wallet. If it is from a handover of " + p.Name +
				" that did not finish, its recovery phrase was never shown and " + possessive(p.Name) +
				" records are still here: delete that folder and hand over again, or choose another folder.")
			return
		}
		if _, err := os.Lstat(path); err == nil {
			problem.setText(path + " already exists: choose a new folder for " + possessive(p.Name) + " wallet.")
			return
		}
		if err := checkNewPassword(pw.Text, pw2.Text); err != nil {
			problem.set(err)
			return
		}
		shares, err := u.wallet.ActiveSharesOf(p.ID)
		if err != nil {
			problem.set(err)
			return
		}
		u.confirm("Hand over "+p.Name+"'s records?", "Hand over", handOverWords(p, shares), func(ok bool) {
			u.idle.touch()
			if !ok {
				return
			}
			u.handOver(p, wallet.HandOverRequest{Path: path, Password: []byte(pw.Text), Options: opts}, start, busy, bar, problem)
		})
	})
	pw2.OnSubmitted = func(string) { start.OnTapped() }

	u.show("handover", container.NewBorder(
		header(u.button("Back", theme.NavigateBackIcon(), u.showPeople), "Hand over"), nil, nil, nil,
		page(
			title("A wallet of "+possessive(p.Name)+" own"),
			wrapped(fmt.Sprintf("%s's %s move to a new wallet, for %s to keep, with its own password and recovery phrase. "+
				"This wallet keeps nothing of theirs afterwards.", p.Name, plural(p.Records, "record", "records"), p.Name)),
			widget.NewForm(
				widget.NewFormItem("Save in", container.NewVBox(where, container.NewHBox(choose))),
				widget.NewFormItem("Password", pw),
				widget.NewFormItem("Repeat", pw2),
			),
			hint,
			problem.Label,
			busy,
			bar,
			start,
		)))
}

// handOverWords says plainly what handing p over does.
func handOverWords(p wallet.Person, activeShares int) string {
	stopped := "They have no active shares."
	if activeShares > 0 {
		stopped = fmt.Sprintf("Their %s will be stopped.", plural(activeShares, "active share", "active shares"))
	}
	return fmt.Sprintf("%s's %s will move to a new wallet of their own. %s This wallet will no longer hold them. "+
		"This cannot be undone.", p.Name, plural(p.Records, "record", "records"), stopped)
}

// handOver runs the handover, showing how far it is, then the new
// wallet's recovery phrase.
func (u *UI) handOver(p wallet.Person, req wallet.HandOverRequest, btn *widget.Button, busy *widget.Label, bar *widget.ProgressBar, problem errorText) {
	w := u.wallet
	req.Progress = func(pr wallet.HandOverProgress) {
		fyne.Do(func() {
			busy.SetText(pr.Step + "…")
			if pr.Total > 0 {
				bar.SetValue(float64(pr.Done) / float64(pr.Total))
			}
		})
	}
	bar.SetValue(0)
	bar.Show()
	var res wallet.HandOverResult
	u.runSlow(btn, busy, "Moving "+possessive(p.Name)+" records to their new wallet…", func() error {
		var err error
		res, err = w.HandOver(context.Background(), p.ID, req)
		return err
	}, func(err error) {
		clear(req.Password)
		bar.Hide()
		if u.wallet != w {
			return
		}
		if res.RecoveryPhrase == "" {
			problem.set(err)
			return
		}
		u.filter = filter{} // their records are gone from this wallet
		u.showHandedOver(res, err)
	})
}

// showHandedOver shows the new wallet's recovery phrase once, like
// onboarding's, to be written down and given to the person; err, if the
// handover could not finish here, says what is left to do.
func (u *UI) showHandedOver(res wallet.HandOverResult, err error) {
	warning := wrapped(fmt.Sprintf("Write these 24 words down on paper, in this order, and give them to %s with the "+
		"new wallet's folder. They are the only way into that wallet if its password is forgotten. "+
		"Keep no copy yourself: the wallet is %s.", res.Name, possessive(res.Name)))
	warning.Importance = widget.WarningImportance
	done := fmt.Sprintf("%s are in %s new wallet, saved in %s.", plural(res.Records, "record", "records"), possessive(res.Name), res.Path)
	if res.SharesRevoked > 0 {
		done += fmt.Sprintf(" %s of theirs made from this wallet %s stopped.", plural(res.SharesRevoked, "share", "shares"), map[bool]string{true: "was", false: "were"}[res.SharesRevoked == 1])
	}
	if err == nil {
		done += " This wallet no longer holds them."
	}
	objects := []fyne.CanvasObject{
		title(possessive(res.Name) + " recovery phrase"),
		container.NewHBox(widget.NewIcon(theme.WarningIcon()), widget.NewLabelWithStyle("Only shown now", fyne.TextAlignLeading, fyne.TextStyle{Bold: true})),
		warning,
		wordGrid(strings.Fields(res.RecoveryPhrase)),
		wrapped(done),
	}
	if res.Problem != "" {
		note := wrapped(sentence(res.Problem))
		note.Importance = widget.LowImportance
		objects = append(objects, note)
	}
	if err != nil {
		problem := newErrorText()
		problem.set(err)
		objects = append(objects, problem.Label)
	}
	objects = append(objects, u.primary("I have written them down", theme.ConfirmIcon(), u.showPeople))
	u.show("handover-phrase", container.NewBorder(header(nil, "Handed over"), nil, nil, nil, page(objects...)))
}
