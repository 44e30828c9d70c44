package app

import (
	"fmt"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"healthwallet/wallet"
)

// This file: the screen of a share just made — its QR, link, countdown and
// "Revoke now" — and how it outlives the idle lock.
//
// At an appointment the phone lies on the desk while the doctor scans. When
// the wallet locks itself then, the share on screen keeps working: its QR
// and link stay, and a direct share's server keeps serving the files it
// already encrypted, while the wallet's keys are dropped. Nothing else is
// reachable from the locked share screen: revoking, and every other screen,
// need the password first; closing the share goes to the unlock screen.

// shownShare is the share on the share screen, kept across the idle lock.
type shownShare struct {
	res     wallet.ShareResult
	purpose string
	stop    func()           // ends a direct share's serving; nil for a relay's share
	back    func()           // where Done goes, unlocked
	person  *wallet.CaredFor // on whose behalf it was made; nil: the owner's
	wallet  Wallet           // whose share it is

	timer   Timer
	gen     int  // tells the current countdown from one of an earlier drawing
	revoked bool // revoked from its screen
}

// end stops the countdown and, for a direct share, serving it.
func (s *shownShare) end() {
	s.stopCountdown()
	if s.stop != nil {
		s.stop()
		s.stop = nil
	}
}

func (s *shownShare) stopCountdown() {
	s.gen++
	if s.timer != nil {
		s.timer.Stop()
		s.timer = nil
	}
}

// showShareResult shows a share just made, with its QR and link, a
// countdown and "Revoke now". A direct share is served until the screen is
// left (leaving asks first) — or the wallet locked with it on screen is
// unlocked elsewhere.
func (u *UI) showShareResult(s *shownShare) {
	s.wallet = u.wallet
	u.drawShare(s, false)
}

// keepShareOnLock says whether the lock keeps the share on screen: one
// that still works (not revoked from its screen, not expired).
func (u *UI) keepShareOnLock() *shownShare {
	s := u.idle.share
	if s == nil || u.screen != "share-result" || s.revoked || !u.clock.Now().Before(s.res.Expires) {
		return nil
	}
	return s
}

// sharedAgain is where an unlock lands when a share was kept on screen
// across the lock: back on it, serving all along; false when there is none.
func (u *UI) sharedAgain() bool {
	s := u.idle.share
	if s == nil {
		return false
	}
	if s.wallet != u.wallet {
		u.idle.share = nil
		s.end()
		return false
	}
	u.person = s.person
	u.drawShare(s, false)
	return true
}

// drawShare shows the share s: unlocked, all of its screen; locked, its
// QR, link and countdown, and only the ways to the unlock screen.
func (u *UI) drawShare(s *shownShare, locked bool) {
	res := s.res
	qr, err := u.qrCanvas(res.Link, 300)
	var qrObj fyne.CanvasObject = qr
	if err != nil {
		msg := wrapped("The QR code cannot be drawn: " + err.Error() + ". Send the link instead.")
		msg.Importance = widget.DangerImportance
		qrObj = msg
	}
	link := widget.NewLabel(res.Link)
	link.TextStyle.Monospace = true
	link.Wrapping = fyne.TextWrapBreak
	link.Selectable = true
	var copyBtn *widget.Button
	copyBtn = u.button("Copy link", theme.ContentCopyIcon(), func() {
		u.app.Clipboard().SetContent(res.Link)
		copyBtn.SetText("Copied")
	})

	remaining := widget.NewLabelWithStyle("", fyne.TextAlignCenter, fyne.TextStyle{Bold: true})
	s.stopCountdown()
	gen := s.gen
	var tick func()
	tick = func() {
		left := res.Expires.Sub(u.clock.Now())
		remaining.SetText(countdown(left) + " (" + res.Expires.Format(timeLayout) + ")")
		if left > 0 {
			s.timer = u.clock.AfterFunc(time.Second, func() {
				fyne.Do(func() {
					if s.gen == gen {
						tick()
					}
				})
			})
		}
	}
	tick()

	served := wrapped("")
	served.Alignment = fyne.TextAlignCenter
	served.Importance = widget.LowImportance
	if s.stop != nil {
		served.SetText("Served from this device on the local network while this screen is open.")
	} else {
		served.Hide()
	}

	state := newErrorText()
	busy := busyText()
	var revoke *widget.Button
	revoke = u.button("Revoke now", theme.DeleteIcon(), func() {
		u.confirmRevoke(res.ID, revoke, busy, func(err error) {
			if err != nil {
				state.Importance = widget.DangerImportance
				state.set(sharingProblem(err))
				return
			}
			s.revoked = true
			if s.stop != nil {
				s.stop()
				s.stop = nil
				served.Hide()
			}
			state.Importance = widget.SuccessImportance
			state.setText("Revoked: the link no longer opens.")
			qrObj.Hide()
			revoke.Disable()
		})
	})
	revoke.Importance = widget.DangerImportance

	// leave goes on to then, asking first when that stops a direct share.
	leave := func(then func()) {
		if s.stop == nil {
			then()
			return
		}
		u.confirm("Stop sharing from this device?", "Stop sharing",
			"This device serves the link only while this screen is open. Once you leave, the link stops working.",
			func(ok bool) {
				u.idle.touch()
				if ok {
					then()
				}
			})
	}
	caption := wrapped(fmt.Sprintf("%s for %s. Show this code to the receiver, or send the link.",
		plural(res.Records, "record", "records"), purposeLabel(s.purpose)))
	caption.Alignment = fyne.TextAlignCenter

	name := "share-result"
	top := header(u.button("Done", theme.NavigateBackIcon(), func() { leave(s.back) }), "Share ready")
	actions := container.NewGridWithColumns(2, copyBtn, revoke)
	lockNote := wrapped("")
	lockNote.Hide()
	if locked {
		name = "share-locked"
		// Done ends the share and asks for the password; Unlock asks for it
		// and comes back here, the share served all along.
		unlock := u.primary("Unlock", theme.LoginIcon(), func() {
			u.leaving = nil // the share goes on while the password is typed
			s.stopCountdown()
			u.showUnlockWith("Your share is still open to the receiver. Unlock to return to it, revoke it or see your records.")
		})
		top = header(u.button("Done", theme.NavigateBackIcon(), func() { leave(u.showUnlock) }), "Share ready", unlock)
		actions = container.NewGridWithColumns(1, copyBtn)
		lockNote.SetText("The wallet has locked itself: this share still works and its code stays on screen. " +
			"Unlock to revoke it or to open anything else.")
		lockNote.Alignment = fyne.TextAlignCenter
		lockNote.Importance = widget.WarningImportance
		lockNote.Show()
	}
	if s.revoked {
		qrObj.Hide()
		revoke.Disable()
		state.Importance = widget.SuccessImportance
		state.setText("Revoked: the link no longer opens.")
	}
	u.show(name, container.NewBorder(top, nil, nil, nil,
		page(
			lockNote,
			container.NewCenter(qrObj),
			remaining,
			caption,
			served,
			link,
			actions,
			state.Label,
			busy,
		)))
	// However the screen is left, the countdown and a direct share end
	// with it; the lock keeps them (see lock).
	u.idle.share = s
	u.leaving = func() {
		if u.idle.share == s {
			u.idle.share = nil
		}
		s.end()
	}
}
