package app

import (
	"image/color"
	"math/rand/v2"
	"time"
	"unicode"
	"unicode/utf8"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/driver/desktop"
	"fyne.io/fyne/v2/layout"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"healthwallet/assets"
	"healthwallet/wallet"
	"healthwallet/wallet/network"
)

// Window sizes the app is laid out for; below narrowWidth the screens take
// their phone layout.
const (
	narrowWidth = 600
	appTitle    = "Health Wallet"
)

// UI is the app's one window and the state behind it.
type UI struct {
	app     fyne.App
	win     fyne.Window
	backend Backend
	files   Files
	clock   Clock
	rand    *rand.Rand

	// background runs slow wallet calls off the UI goroutine; their
	// results come back through fyne.Do. Tests make it synchronous or
	// countable.
	background func(func())

	wallet Wallet
	idle   idleLock
	filter filter // of the records screen

	recordsView *recordsView // while the records screen is shown
	chain       chainState   // what the UI last learned about the chain
	// sessionTrust are the networks trusted, without a wallet, for this
	// run of the app: a doctor's "Trust this network".
	sessionTrust []network.Membership
	// localStarted is the wallet whose local network ("Try it on this
	// computer") the app started: it serves while the app is open.
	localStarted Wallet

	// person is whose records the records screen, its detail and the share
	// form show: nil for the owner's own, else a person the owner cares
	// for. people are those persons, as last loaded.
	person *wallet.CaredFor
	people []wallet.CaredFor
	// bg is the background work of an unlocked wallet: caregivers' copies
	// kept current, the people cared for synced, the access log watched.
	bg backgroundState
	// notify sends a notification; tests catch them.
	notify func(*fyne.Notification)

	// leaving, when set, is called as the screen it belongs to is left:
	// the share screen stops serving a direct share.
	leaving func()

	// escape, when set, cancels the dialog open now: Escape with nothing
	// focused (keys.go).
	escape func()
	// enter, when set, confirms the dialog open now: Enter with nothing
	// focused.
	enter func()

	// screen names the screen shown, for tests and debugging.
	screen string
}

// Option changes how New builds the UI; tests use it to inject services.
type Option func(*UI)

// WithFiles replaces the file dialogs.
func WithFiles(f Files) Option { return func(u *UI) { u.files = f } }

// WithClock replaces the system clock.
func WithClock(c Clock) Option { return func(u *UI) { u.clock = c } }

// New builds the main window over backend and shows the first screen:
// unlock when a wallet exists, welcome otherwise. The window is not shown.
func New(a fyne.App, backend Backend, opts ...Option) *UI {
	u := &UI{
		app:        a,
		backend:    backend,
		files:      &dialogFiles{},
		clock:      systemClock{},
		rand:       rand.New(rand.NewPCG(rand.Uint64(), rand.Uint64())),
		background: func(f func()) { go f() },
	}
	u.notify = a.SendNotification
	for _, o := range opts {
		o(u)
	}
	u.idle.ui = u
	a.SetIcon(assets.Icon)
	u.win = a.NewWindow(appTitle)
	u.win.SetIcon(assets.Icon)
	u.win.Resize(fyne.NewSize(1000, 700))
	u.watchKeys()
	u.start()
	return u
}

// Window is the main window.
func (u *UI) Window() fyne.Window { return u.win }

// Run builds the UI, shows it and runs the app until it quits.
// The theme is set here, not in New, so that tests keep Fyne's test theme
// and their golden images stay comparable; theme_test.go checks appTheme.
func Run(a fyne.App, backend Backend) {
	a.Settings().SetTheme(newAppTheme())
	u := New(a, backend)
	u.win.SetMaster()
	u.win.ShowAndRun()
	u.idle.stop()
	u.files.Cleanup()
	if u.wallet != nil {
		u.wallet.Lock()
		u.wallet.Close()
	}
}

// start shows the first screen.
func (u *UI) start() {
	if !u.backend.Exists() {
		u.showWelcome()
		return
	}
	w, err := u.backend.Open()
	if err != nil {
		u.showProblem(err)
		return
	}
	u.wallet = w
	u.showUnlock()
}

// show replaces the window's content with a screen. Open dialogs belong to
// the screen they came from, so they go too.
func (u *UI) show(name string, content fyne.CanvasObject) {
	if u.leaving != nil {
		stop := u.leaving
		u.leaving = nil
		stop()
	}
	u.screen = name
	u.escape, u.enter = nil, nil
	u.closeDialogs()
	u.win.SetContent(container.NewStack(&activitySurface{ui: u}, content))
}

func (u *UI) closeDialogs() {
	ov := u.win.Canvas().Overlays()
	for ov.Top() != nil {
		ov.Remove(ov.Top())
	}
}

// showProblem is the screen for a wallet that cannot be opened at all.
func (u *UI) showProblem(err error) {
	msg := wrapped(sentence(err.Error()))
	msg.Importance = widget.DangerImportance
	u.show("problem", page(
		title("Health Wallet cannot open your wallet"),
		msg,
		u.button("Quit", nil, u.app.Quit),
	))
}

// runSlow runs work in the background with the button disabled and a busy
// text in place, then calls done on the UI goroutine with the work's error.
func (u *UI) runSlow(btn *widget.Button, busy *widget.Label, busyText string, work func() error, done func(error)) {
	if btn != nil {
		btn.Disable()
	}
	if busy != nil {
		busy.SetText(busyText)
		busy.Importance = widget.MediumImportance
		busy.Refresh()
		busy.Show()
	}
	u.background(func() {
		err := work()
		fyne.Do(func() {
			if btn != nil {
				btn.Enable()
			}
			if busy != nil {
				busy.Hide()
			}
			done(err)
		})
	})
}

// button is a button whose tap also counts as activity for the idle lock.
func (u *UI) button(label string, icon fyne.Resource, tapped func()) *widget.Button {
	b := widget.NewButtonWithIcon(label, icon, func() {
		u.idle.touch()
		tapped()
	})
	return b
}

// importIcon and receiveIcon tell apart the two ways records come in:
// files of one's own (a download) and a share from someone (the incoming
// mate of the Shares' send icon).
func importIcon() fyne.Resource  { return theme.DownloadIcon() }
func receiveIcon() fyne.Resource { return theme.MailReplyIcon() }

// danger is u.button in red, for a step that destroys or ends something
// (delete, revoke, stop sharing): it stands apart from the others.
func (u *UI) danger(label string, icon fyne.Resource, tapped func()) *widget.Button {
	b := u.button(label, icon, tapped)
	b.Importance = widget.DangerImportance
	return b
}

// primary is u.button with high importance.
func (u *UI) primary(label string, icon fyne.Resource, tapped func()) *widget.Button {
	b := u.button(label, icon, tapped)
	b.Importance = widget.HighImportance
	return b
}

// onChanged sets an entry's OnChanged; typing counts as activity.
func (u *UI) onChanged(e *widget.Entry, f func(string)) {
	e.OnChanged = func(s string) {
		u.idle.touch()
		if f != nil {
			f(s)
		}
	}
}

// entry, passwordEntry and phraseEntry make entries that count typing as
// activity.
func (u *UI) entry(placeholder string) *widget.Entry {
	e := widget.NewEntry()
	e.SetPlaceHolder(placeholder)
	u.onChanged(e, nil)
	return e
}

func (u *UI) passwordEntry(placeholder string) *widget.Entry {
	e := widget.NewPasswordEntry()
	e.SetPlaceHolder(placeholder)
	u.onChanged(e, nil)
	return e
}

func (u *UI) phraseEntry() *widget.Entry {
	e := widget.NewMultiLineEntry()
	e.SetPlaceHolder("word1 word2 word3 … word24")
	e.Wrapping = fyne.TextWrapBreak
	e.SetMinRowsVisible(4)
	u.onChanged(e, nil)
	return e
}

// watchKeys counts key presses that reach the window (not an entry) as
// activity.
func (u *UI) watchKeys() {
	c := u.win.Canvas()
	c.SetOnTypedKey(func(k *fyne.KeyEvent) {
		u.idle.touch()
		switch {
		case k.Name == fyne.KeyEscape && u.escape != nil:
			u.escape() // the open dialog's Cancel (keys.go)
		case k.Name == fyne.KeyEscape:
			u.escapeUnkeyed() // a menu, a calendar (dialog_keys.go)
		case (k.Name == fyne.KeyReturn || k.Name == fyne.KeyEnter) && u.enter != nil:
			u.enter() // the open dialog's default button
		}
	})
	c.SetOnTypedRune(func(rune) { u.idle.touch() })
	if dc, ok := c.(desktop.Canvas); ok {
		dc.SetOnKeyDown(func(*fyne.KeyEvent) { u.idle.touch() })
	}
}

// activitySurface lies under every screen: a tap on empty space is activity
// too. Taps on buttons, lists and entries are counted by their handlers.
type activitySurface struct {
	widget.BaseWidget
	ui *UI
}

func (a *activitySurface) CreateRenderer() fyne.WidgetRenderer {
	a.ExtendBaseWidget(a)
	return widget.NewSimpleRenderer(layout.NewSpacer())
}

func (a *activitySurface) Tapped(*fyne.PointEvent) { a.ui.idle.touch() }

// header is a screen's top bar: an optional back button, a title and
// actions on the right. On narrow windows the buttons show only their icons,
// so that the title keeps its room; the buttons must not change once made.
func header(back *widget.Button, text string, actions ...*widget.Button) fyne.CanvasObject {
	bar := func(compact bool) fyne.CanvasObject {
		t := widget.NewLabelWithStyle(text, fyne.TextAlignLeading, fyne.TextStyle{Bold: true})
		t.Truncation = fyne.TextTruncateEllipsis
		var left fyne.CanvasObject
		if back != nil {
			left = back
			if compact {
				left = newIconButton(back)
			}
		}
		right := container.NewHBox()
		for i, b := range actions {
			if i > 0 && b.Importance == widget.DangerImportance {
				// A destructive action stands apart from the others.
				gap := canvas.NewRectangle(color.Transparent)
				gap.SetMinSize(fyne.NewSquareSize(theme.Padding() * 4))
				right.Add(gap)
			}
			if compact {
				right.Add(newIconButton(b))
			} else {
				right.Add(b)
			}
		}
		return container.NewBorder(nil, nil, left, right, t)
	}
	return container.NewVBox(
		container.New(narrowSwitch{}, bar(false), bar(true)),
		widget.NewSeparator(),
	)
}

// iconButton is a button that shows only the icon of the button it stands
// for, on narrow windows. Label keeps that button's text: Fyne has no
// tooltips, and tests find the button by it.
type iconButton struct {
	widget.Button
	Label string
}

func newIconButton(of *widget.Button) *iconButton {
	b := &iconButton{Label: of.Text}
	b.Icon = of.Icon
	b.Importance = of.Importance
	b.OnTapped = of.OnTapped
	b.ExtendBaseWidget(b)
	return b
}

// narrowSwitch shows its first object on wide windows and its second below
// narrowWidth; it asks only for the narrow one's size.
type narrowSwitch struct{}

func (narrowSwitch) MinSize(objects []fyne.CanvasObject) fyne.Size { return objects[1].MinSize() }

func (narrowSwitch) Layout(objects []fyne.CanvasObject, size fyne.Size) {
	wide, narrow := objects[0], objects[1]
	if size.Width < narrowWidth {
		wide.Hide()
		narrow.Show()
	} else {
		narrow.Hide()
		wide.Show()
	}
	for _, o := range objects {
		o.Move(fyne.NewPos(0, 0))
		o.Resize(size)
	}
}

// title is a screen's large heading.
func title(text string) *widget.Label {
	l := widget.NewLabel(text)
	l.SizeName = theme.SizeNameSubHeadingText
	l.TextStyle.Bold = true
	l.Wrapping = fyne.TextWrapWord
	return l
}

// wrapped is a label that wraps words, for sentences.
func wrapped(text string) *widget.Label {
	l := widget.NewLabel(text)
	l.Wrapping = fyne.TextWrapWord
	return l
}

// errorText is an inline error, hidden until set.
type errorText struct{ *widget.Label }

func newErrorText() errorText {
	l := widget.NewLabel("")
	l.Wrapping = fyne.TextWrapWord
	l.Importance = widget.DangerImportance
	l.Hide()
	return errorText{l}
}

func (e errorText) set(err error) {
	if err == nil {
		e.clear()
		return
	}
	e.SetText(plainError(err))
	e.Show()
}

// clearOnEdit hides problem once the person types into any of entries: an
// error about what they typed goes stale as they change it. A field emptied
// (as the app empties it after a wrong password) keeps the error shown.
func clearOnEdit(problem errorText, entries ...*widget.Entry) {
	for _, e := range entries {
		prev := e.OnChanged
		e.OnChanged = func(s string) {
			if prev != nil {
				prev(s)
			}
			if s != "" {
				problem.clear()
			}
		}
	}
}

// sentence starts an error's text with a capital, as a sentence on screen.
func sentence(s string) string {
	r, n := utf8.DecodeRuneInString(s)
	return string(unicode.ToUpper(r)) + s[n:]
}

func (e errorText) setText(s string) {
	e.SetText(s)
	e.Show()
}

func (e errorText) clear() {
	e.SetText("")
	e.Hide()
}

// busyText is a "Working…" label, hidden until runSlow shows it.
func busyText() *widget.Label {
	l := widget.NewLabel("")
	l.Hide()
	return l
}

// page lays a form-like screen out in a scrollable column that stays
// readable on wide windows.
func page(objects ...fyne.CanvasObject) fyne.CanvasObject {
	col := container.NewVBox(objects...)
	return container.NewVScroll(container.New(&maxWidth{width: 560}, col))
}

// maxWidth centres its content and keeps it at most width wide.
type maxWidth struct{ width float32 }

func (m *maxWidth) MinSize(objects []fyne.CanvasObject) fyne.Size {
	var s fyne.Size
	for _, o := range objects {
		s = s.Max(o.MinSize())
	}
	return s
}

func (m *maxWidth) Layout(objects []fyne.CanvasObject, size fyne.Size) {
	w := min(size.Width, m.width)
	x := (size.Width - w) / 2
	for _, o := range objects {
		o.Move(fyne.NewPos(x, 0))
		o.Resize(fyne.NewSize(w, size.Height))
	}
}

// autoLock is the idle time before the wallet locks, from preferences.
func (u *UI) autoLock() time.Duration {
	m := u.app.Preferences().IntWithFallback(prefAutoLock, defaultAutoLockMinutes)
	return time.Duration(m) * time.Minute
}
