package app

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/widget"

	"healthwallet/wallet"
)

// This file: the work an unlocked wallet does in the background while the
// app is open — the caregivers' copies brought up to date (Sync), the
// copies of the people cared for fetched (CareSync), and the access log
// watched for emergency openings and caregivers' actions, which become
// notifications. None of it blocks a screen; failures are said calmly on
// the records screen and tried again on the next round.

const (
	// watchEvery is how often the access log is read for alerts.
	watchEvery = time.Minute
	// syncRounds: the copies are synced every syncRounds watches.
	syncRounds = 5
	// backgroundTimeout bounds one round of background work.
	backgroundTimeout = 2 * time.Minute
)

// backgroundState is the background work of the wallet unlocked now.
type backgroundState struct {
	gen     int             // bumped on lock: the rounds of an earlier unlock stop
	syncing bool            // a sync round is running
	problem string          // what the last sync round could not do
	seen    map[string]bool // access entries already alerted (or there before)
}

// startBackground starts the rounds for the wallet just unlocked.
func (u *UI) startBackground() {
	u.bg.gen++
	u.bg.problem = ""
	u.bg.seen = nil
	u.backgroundRound(u.bg.gen, 0)
}

// stopBackground ends the rounds; work under way finishes unseen.
func (u *UI) stopBackground() {
	u.bg.gen++
	u.bg.syncing = false
}

func (u *UI) backgroundRound(gen, round int) {
	if round%syncRounds == 0 {
		u.syncCopies(gen)
	}
	u.watchAccess(gen)
	u.clock.AfterFunc(watchEvery, func() {
		fyne.Do(func() {
			if u.bg.gen == gen {
				u.backgroundRound(gen, round+1)
			}
		})
	})
}

// syncSoon brings the copies up to date now, after an import.
func (u *UI) syncSoon() { u.syncCopies(u.bg.gen) }

// syncCopies runs Sync when the patient has caregivers, and CareSync when
// the owner cares for someone whose delegation is still on.
func (u *UI) syncCopies(gen int) {
	if u.bg.syncing || u.wallet == nil {
		return
	}
	u.bg.syncing = true
	w := u.wallet
	u.background(func() {
		ctx, cancel := context.WithTimeout(context.Background(), backgroundTimeout)
		defer cancel()
		var problems []string
		if ds, err := w.Delegates(ctx); err == nil && slices.ContainsFunc(ds, func(d wallet.DelegateInfo) bool {
			return d.State == "active" || d.State == "pending"
		}) {
			rep, err := w.Sync(ctx)
			if err != nil {
				problems = append(problems, fmt.Sprintf("Your caregivers' copies could not be brought up to date: %v.", err))
			}
			for _, d := range rep.Delegates {
				if d.Problem != "" {
					problems = append(problems, fmt.Sprintf("%s's copy could not be brought up to date: %s.", d.Name, d.Problem))
				}
			}
		}
		people, err := w.CaredFor(ctx)
		var careReps []wallet.CareSyncReport
		if err == nil && slices.ContainsFunc(people, func(p wallet.CaredFor) bool { return p.State == "active" }) {
			reps, err := w.CareSync(ctx, "")
			careReps = reps
			if err != nil {
				problems = append(problems, fmt.Sprintf("The records of the people you care for could not be fetched: %v.", careProblem(err)))
			}
			for _, r := range reps {
				if r.Problem != "" {
					problems = append(problems, fmt.Sprintf("%s's records could not be fetched: %s.", r.Name, r.Problem))
				}
			}
			people, err = w.CaredFor(ctx)
		}
		fyne.Do(func() {
			if u.bg.gen != gen || u.wallet != w || w.Locked() {
				return
			}
			u.bg.syncing = false
			u.alertCareOpenings(careReps)
			u.bg.problem = strings.Join(problems, " ")
			if err == nil {
				u.setPeople(people)
			}
			if v := u.recordsView; v != nil && u.screen == "records" {
				v.showSyncProblem()
				if u.person != nil {
					v.reload()
				}
			}
		})
	})
}

// showSyncProblem says calmly what the last sync round could not do.
func (v *recordsView) showSyncProblem() {
	p := v.ui.bg.problem
	if p == "" {
		if v.syncNote.Importance == widget.WarningImportance {
			v.syncNote.clear()
		}
		return
	}
	v.syncNote.Importance = widget.WarningImportance
	v.syncNote.setText(p + " Health Wallet tries again in a few minutes; nothing is lost.")
}

// prefAlertsSeen keeps, per wallet, the time of the newest access entry
// already looked at, so that a restart does not alert again.
const prefAlertsSeen = "alerts.seen."

// watchAccess reads the access log and sends a notification for every new
// emergency opening and caregiver's action.
func (u *UI) watchAccess(gen int) {
	w := u.wallet
	if w == nil {
		return
	}
	key := prefAlertsSeen + w.Address()
	u.background(func() {
		ctx, cancel := context.WithTimeout(context.Background(), backgroundTimeout)
		defer cancel()
		log, err := w.AccessLog(ctx)
		fyne.Do(func() {
			if err != nil || u.bg.gen != gen || u.wallet != w || w.Locked() {
				return
			}
			prefs := u.app.Preferences()
			seenUntil, perr := time.Parse(time.RFC3339Nano, prefs.String(key))
			first := u.bg.seen == nil
			if first {
				u.bg.seen = map[string]bool{}
			}
			newest := seenUntil
			for _, e := range log {
				k := accessKey(e)
				if u.bg.seen[k] {
					continue
				}
				u.bg.seen[k] = true
				if e.Time.After(newest) {
					newest = e.Time
				}
				// On the first read ever, what is there is old news.
				if perr != nil || !e.Time.After(seenUntil) {
					continue
				}
				if n := alertFor(e); n != nil {
					u.notify(n)
				}
			}
			if newest.After(seenUntil) || perr != nil {
				prefs.SetString(key, newest.Format(time.RFC3339Nano))
			}
		})
	})
}

// accessKey tells access entries apart.
func accessKey(e wallet.AccessEntry) string {
	return strings.Join([]string{e.Time.UTC().Format(time.RFC3339Nano), e.Share, e.Who, e.TxHash, e.Delegate, e.Action, e.Source}, "|")
}

// alertFor is the notification of an access entry worth one: an emergency
// opening or a caregiver's action (accepted, shared, revoked; not the
// routine sync); nil for others.
func alertFor(e wallet.AccessEntry) *fyne.Notification {
	who := e.Who
	if who == "" {
		who = "Someone who did not say who they are"
	}
	switch {
	case e.Emergency:
		return fyne.NewNotification("Your emergency card was opened",
			fmt.Sprintf("%s opened it at %s. It is kept on the network; see the access log.", who, e.Time.Format(timeLayout)))
	case e.Delegate != "" && e.Action != "synced": // a sync every few minutes is no news
		return fyne.NewNotification("Your caregiver "+actionWords(e.Action),
			fmt.Sprintf("%s %s at %s. See the access log.", who, actionWords(e.Action), e.Time.Format(timeLayout)))
	}
	return nil
}

// actionWords says a caregiver's action.
func actionWords(action string) string {
	switch action {
	case "accepted":
		return "accepted your invitation"
	case "synced":
		return "synced your records"
	case "shared":
		return "shared your records"
	case "revoked":
		return "ended a share"
	case "":
		return "acted for you"
	}
	return action
}
