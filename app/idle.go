package app

import (
	"sync"

	"fyne.io/fyne/v2"
)

// Auto-lock preference: minutes of idle time before the wallet locks.
const (
	prefAutoLock           = "autolock.minutes"
	defaultAutoLockMinutes = 5
)

// autoLockChoices are the idle times offered in Settings, in minutes.
var autoLockChoices = []int{1, 5, 15, 60}

// idleLock locks the wallet after a stretch without activity. It runs only
// while a wallet is unlocked. touch and stop are called on the UI goroutine;
// the clock's callback comes back to it through fyne.Do.
type idleLock struct {
	ui *UI

	mu      sync.Mutex
	running bool
	timer   Timer
	gen     int // tells a stale callback from the current one

	// share is the share on the share screen (share_screen.go): the lock
	// keeps it working and on screen, and the next unlock returns to it.
	share *shownShare
}

// start begins watching for idle time.
func (l *idleLock) start() {
	l.mu.Lock()
	l.running = true
	l.mu.Unlock()
	l.touch()
}

// stop ends watching, e.g. when the wallet is locked.
func (l *idleLock) stop() {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.running = false
	l.gen++
	if l.timer != nil {
		l.timer.Stop()
		l.timer = nil
	}
}

// touch records activity: the idle time starts again.
func (l *idleLock) touch() {
	if l.ui == nil {
		return
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	if !l.running {
		return
	}
	if l.timer != nil {
		l.timer.Stop()
	}
	l.gen++
	gen := l.gen
	l.timer = l.ui.clock.AfterFunc(l.ui.autoLock(), func() {
		fyne.Do(func() { l.expire(gen) })
	})
}

func (l *idleLock) expire(gen int) {
	l.mu.Lock()
	current := l.running && gen == l.gen
	l.mu.Unlock()
	if current {
		l.ui.lock()
	}
}

// lock locks the wallet now and shows the unlock screen — or, when a
// share that still works is on screen, keeps it there, locked: its QR stays
// and a direct share is still served, while the wallet's keys are dropped
// and every other screen needs the password (share_screen.go).
func (u *UI) lock() {
	keep := u.keepShareOnLock()
	if keep != nil {
		u.leaving = nil // leaving the screen would stop the share
	}
	u.idle.stop()
	if u.wallet != nil {
		u.wallet.Lock()
	}
	u.filter = filter{}
	u.chain = chainState{generation: u.chain.generation + 1}
	u.person, u.people = nil, nil
	u.stopBackground()
	if keep != nil {
		u.drawShare(keep, true)
	} else {
		u.showUnlock()
	}
	u.files.Cleanup() // copies of picked files hold health data
}

// unlocked is where every successful unlock or creation lands.
func (u *UI) unlocked() {
	u.idle.start()
	u.keepLocalNetwork()
	u.loadPeople()
	if !u.sharedAgain() {
		u.showRecords()
	}
	u.startBackground()
}
