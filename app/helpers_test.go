package app

import (
	"image"
	"math/rand/v2"
	"strings"
	"sync"
	"testing"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/widget"
)

var (
	desktopSize = fyne.NewSize(1000, 700)
	phoneSize   = fyne.NewSize(390, 844)
)

// harness is the UI over fakes, with helpers to find what the user sees.
type harness struct {
	t       *testing.T
	ui      *UI
	backend *fakeBackend
	clock   *fakeClock
	files   *fakeFiles
	bg      sync.WaitGroup
}

// newHarness builds the UI over b at the given window size. Slow calls run
// synchronously unless async is set, in which case wait() waits for them.
func newHarness(t *testing.T, b Backend, size fyne.Size, async bool) *harness {
	t.Helper()
	a := test.NewTempApp(t)
	test.ApplyTheme(t, test.Theme())
	h := &harness{t: t, clock: &fakeClock{}, files: &fakeFiles{}}
	switch fb := b.(type) {
	case *fakeBackend:
		h.backend = fb
	case *openFails:
		h.backend = fb.fakeBackend
	case *renaming:
		h.backend = fb.fakeBackend
	case *disagreeing:
		h.backend = fb.fakeBackend
	}
	h.ui = New(a, b, WithFiles(h.files), WithClock(h.clock))
	t.Cleanup(h.ui.win.Close)
	h.ui.rand = rand.New(rand.NewPCG(1, 2))
	if async {
		h.ui.background = func(f func()) {
			h.bg.Add(1)
			go func() { defer h.bg.Done(); f() }()
		}
	} else {
		h.ui.background = func(f func()) { f() }
	}
	h.ui.win.Resize(size)
	return h
}

func (h *harness) wait() { h.bg.Wait() }

// settle lays the window out again until sizes stop changing, as the real
// driver does on the frames after a change (a label shown, a text that wraps
// once it knows its width). The test canvas lays out only once.
func (h *harness) settle() {
	var relayout func(o fyne.CanvasObject)
	relayout = func(o fyne.CanvasObject) {
		if o == nil || !o.Visible() {
			return
		}
		switch x := o.(type) {
		case *fyne.Container:
			if x.Layout != nil {
				x.Layout.Layout(x.Objects, x.Size())
			}
			for _, c := range x.Objects {
				relayout(c)
			}
		case fyne.Widget:
			r := test.WidgetRenderer(x)
			r.Layout(x.Size())
			for _, c := range r.Objects() {
				relayout(c)
			}
		}
	}
	c := h.ui.win.Canvas()
	for range 3 {
		relayout(c.Content())
		for _, o := range c.Overlays().List() {
			relayout(o)
		}
	}
}

// capture is the window as the person sees it.
func (h *harness) capture() image.Image {
	h.settle()
	return h.ui.win.Canvas().Capture()
}

// objects are the visible objects of the window and its dialogs.
func (h *harness) objects() []fyne.CanvasObject {
	var out []fyne.CanvasObject
	walkVisible(h.ui.win.Canvas(), func(o fyne.CanvasObject) bool {
		out = append(out, o)
		return true
	})
	return out
}

func (h *harness) screen(want string) {
	h.t.Helper()
	if h.ui.screen != want {
		h.t.Fatalf("screen %q shown, want %q", h.ui.screen, want)
	}
}

// asButton is o as a button with the text the person reads on it, or
// beside its icon on a narrow window's header.
func asButton(o fyne.CanvasObject) (*widget.Button, string, bool) {
	switch b := o.(type) {
	case *widget.Button:
		return b, b.Text, true
	case *iconButton:
		return &b.Button, b.Label, true
	}
	return nil, "", false
}

// button finds the visible button labelled text.
func (h *harness) button(text string) *widget.Button {
	h.t.Helper()
	for _, o := range h.objects() {
		if b, label, ok := asButton(o); ok && label == text {
			return b
		}
	}
	h.t.Fatalf("no button %q on screen %q", text, h.ui.screen)
	return nil
}

// tapLast taps the last visible button labelled text: a dialog's, when the
// screen under it has one of the same name.
func (h *harness) tapLast(text string) {
	h.t.Helper()
	var last *widget.Button
	for _, o := range h.objects() {
		if b, label, ok := asButton(o); ok && label == text {
			last = b
		}
	}
	if last == nil {
		h.t.Fatalf("no button %q on screen %q", text, h.ui.screen)
	}
	test.Tap(last)
}

func (h *harness) tap(text string) {
	h.t.Helper()
	b := h.button(text)
	if b.Disabled() {
		h.t.Fatalf("button %q is disabled", text)
	}
	test.Tap(b)
}

// entry finds the visible entry with the given placeholder (a dialog's
// keyEntry too: its entry).
func (h *harness) entry(placeholder string) *widget.Entry {
	h.t.Helper()
	for _, o := range h.objects() {
		if e, ok := o.(*widget.Entry); ok && e.PlaceHolder == placeholder {
			return e
		}
		if e, ok := o.(*keyEntry); ok && e.PlaceHolder == placeholder {
			return &e.Entry
		}
	}
	h.t.Fatalf("no entry %q on screen %q", placeholder, h.ui.screen)
	return nil
}

func (h *harness) entries() []*widget.Entry {
	var es []*widget.Entry
	for _, o := range h.objects() {
		if e, ok := o.(*widget.Entry); ok {
			es = append(es, e)
		}
	}
	return es
}

// typeIn focuses an entry, as a tap would, and types text into it.
func (h *harness) typeIn(e *widget.Entry, text string) {
	h.ui.win.Canvas().Focus(e) // and the entry focused before loses focus
	for _, r := range text {
		e.TypedRune(r)
	}
}

// typeInto replaces what an entry holds by typing text.
func (h *harness) typeInto(e *widget.Entry, text string) {
	e.SetText("")
	e.CursorRow, e.CursorColumn = 0, 0
	h.typeIn(e, text)
}

// texts are the texts of the visible labels.
func (h *harness) texts() []string {
	var ts []string
	for _, o := range h.objects() {
		switch x := o.(type) {
		case *widget.Label:
			if x.Text != "" {
				ts = append(ts, x.Text)
			}
		case *canvas.Text: // form labels, button texts
			if x.Text != "" {
				ts = append(ts, x.Text)
			}
		}
	}
	return ts
}

// labels are the texts of the visible widget labels.
func (h *harness) labels() []string {
	var ts []string
	for _, o := range h.objects() {
		if l, ok := o.(*widget.Label); ok && l.Text != "" {
			ts = append(ts, l.Text)
		}
	}
	return ts
}

// see fails unless a visible label contains text.
func (h *harness) see(text string) {
	h.t.Helper()
	for _, s := range h.texts() {
		if strings.Contains(s, text) {
			return
		}
	}
	h.t.Fatalf("screen %q does not show %q; it shows:\n%s", h.ui.screen, text, strings.Join(h.texts(), "\n"))
}

func (h *harness) dontSee(text string) {
	h.t.Helper()
	for _, s := range h.texts() {
		if strings.Contains(s, text) {
			h.t.Fatalf("screen %q shows %q, it should not", h.ui.screen, text)
		}
	}
}

func (h *harness) list() *widget.List {
	h.t.Helper()
	var lists []*widget.List
	for _, o := range h.objects() {
		if l, ok := o.(*widget.List); ok {
			lists = append(lists, l)
		}
	}
	if len(lists) == 0 {
		h.t.Fatal("no list on screen")
	}
	return lists[len(lists)-1] // the record list comes after the categories
}

func (h *harness) pressEnter() {
	h.t.Helper()
	f := h.ui.win.Canvas().Focused()
	if f == nil {
		h.t.Fatal("nothing focused")
	}
	f.TypedKey(&fyne.KeyEvent{Name: fyne.KeyReturn})
}

// unlock goes from the unlock screen to the records.
func (h *harness) unlock() {
	h.t.Helper()
	h.screen("unlock")
	h.typeIn(h.entry("Password"), testPassword)
	h.tap("Unlock")
	h.screen("records")
}

// menu taps "More" in the records screen's header, then the item.
func (h *harness) menu(item string) {
	h.t.Helper()
	h.tap("More")
	h.tap(item)
}

// scrollToBottom scrolls the screen's outermost vertical scroll to its end.
func (h *harness) scrollToBottom() {
	h.t.Helper()
	h.settle()
	for _, o := range h.objects() {
		if s, ok := o.(*container.Scroll); ok {
			s.ScrollToBottom()
			return
		}
	}
	h.t.Fatalf("nothing scrolls on screen %q", h.ui.screen)
}

// scrollTo scrolls the screen's outermost vertical scroll so that the
// visible button labelled text is at its top.
func (h *harness) scrollTo(text string) {
	h.t.Helper()
	h.settle()
	b := h.button(text)
	for _, o := range h.objects() {
		if s, ok := o.(*container.Scroll); ok {
			d := fyne.CurrentApp().Driver()
			s.Offset.Y = d.AbsolutePositionForObject(b).Y - d.AbsolutePositionForObject(s).Y
			s.Refresh()
			return
		}
	}
	h.t.Fatalf("nothing scrolls on screen %q", h.ui.screen)
}
