package app

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"image/color"
	"slices"
	"strings"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"healthwallet/wallet"
	"healthwallet/wallet/network"
	"healthwallet/wallet/share"
)

// This file: the Receive screen, for a doctor with a scanner or a pasted
// link, with or without a wallet of their own.

// showReceive shows the Receive screen. The link field has the focus, so a
// keyboard-wedge scanner types straight into it and its Enter submits.
// With an unlocked wallet the share is checked against the networks the
// wallet trusts; without, against those trusted in this session.
func (u *UI) showReceive() {
	back := u.showWelcome
	withWallet := u.wallet != nil && !u.wallet.Locked()
	if withWallet {
		back = u.showRecords
	}
	link := u.entry("Paste a link or scan a QR code")
	// opened is the link of the share shown, until the field changes: the
	// next patient's code, typed after it by a keyboard-wedge scanner (or
	// pasted after it), replaces it instead of adding to it.
	var opened string
	u.onChanged(link, func(s string) {
		was := opened
		opened = ""
		if was != "" && len(s) > len(was) && strings.HasPrefix(s, was) {
			link.SetText(s[len(was):])
		}
	})
	passcode := u.passwordEntry("Passcode")
	passBox := container.NewVBox(widget.NewLabel("This link needs a passcode: ask the patient for it."), passcode)
	passBox.Hide()
	who := u.entry("e.g. Dr. Smith, City Clinic")
	codes := share.Purposes()
	purposes := make([]string, len(codes))
	for i, p := range codes {
		purposes[i] = fmt.Sprintf("%s (%s)", sentence(p.Display), p.Code)
	}
	purpose := widget.NewSelect(purposes, func(string) { u.idle.touch() })
	purpose.SetSelected(purposes[0])

	problem := newErrorText()
	busy := busyText()
	result := container.NewVBox()
	var open *widget.Button
	var submit, backHere func()
	var scroll *container.Scroll
	submit = func() {
		text := strings.TrimSpace(link.Text)
		if text == "" {
			problem.setText("Paste a link, scan a QR code, or open an image of one.")
			return
		}
		problem.clear()
		opts := wallet.ReceiveOptions{
			Passcode:  passcode.Text,
			Purpose:   codes[max(0, purpose.SelectedIndex())].Code,
			Recipient: strings.TrimSpace(who.Text),
		}
		var got wallet.Received
		w := u.wallet
		trusted := slices.Clone(u.sessionTrust)
		u.runSlow(open, busy, "Opening and verifying…", func() error {
			var err error
			if withWallet {
				got, err = w.Receive(context.Background(), text, opts)
			} else {
				got, err = u.backend.Receive(context.Background(), text, trusted, opts)
			}
			return err
		}, func(err error) {
			if u.screen != "receive" {
				return
			}
			var pe *share.PasscodeError
			if errors.As(err, &pe) || errors.Is(err, share.ErrPasscodeRequired) {
				passBox.Show()
				u.win.Canvas().Focus(passcode)
			}
			result.Objects = u.receivedView(got, err, func() { u.trustAndReopen(got, withWallet, submit) }, backHere)
			result.Refresh()
			if err == nil {
				// The patient at the top of the screen: on a phone the
				// form above would otherwise push the chart out of sight.
				scroll.Refresh()
				scroll.ScrollToOffset(fyne.NewPos(0, result.Position().Y))
				opened = link.Text
			}
		})
	}
	link.OnSubmitted = func(string) { submit() }
	passcode.OnSubmitted = func(string) { submit() }
	open = u.primary("Open", theme.ConfirmIcon(), submit)
	// Fyne has no camera: on a phone, the system's picker offers the
	// camera roll, where a photo or screenshot of the QR code is.
	image := u.button(scanLabel, theme.MediaPhotoIcon(), func() {
		u.readQRImage(func(text string, err error) {
			if err != nil {
				problem.set(err)
				return
			}
			link.SetText(text)
			submit()
		})
	})

	trustOther := u.button("Trust a network…", theme.LoginIcon(), func() {
		u.askTrustNetwork(withWallet, func() {
			if strings.TrimSpace(link.Text) != "" {
				submit()
			}
		})
	})
	trustOther.Importance = widget.LowImportance

	scroll = container.NewVScroll(container.NewPadded(container.NewVBox(
		wrapped("Scan the patient's QR code with a scanner, paste the link, or open a photo or screenshot of the code."),
		container.New(&linkRow{}, link, open, image),
		passBox,
		widget.NewForm(
			widget.NewFormItem("Purpose", purpose),
			widget.NewFormItem("You are", who),
		),
		container.NewHBox(trustOther),
		problem.Label,
		busy,
		result,
	)))
	screen := container.NewBorder(
		header(u.button("Back", theme.NavigateBackIcon(), back), "Receive a share"), nil, nil, nil, scroll)
	// From a received record's detail, back to the share as it was.
	backHere = func() {
		u.show("receive", screen)
		u.leaving = u.files.Cleanup
	}
	u.show("receive", screen)
	u.leaving = u.files.Cleanup // an image still being copied
	u.win.Canvas().Focus(link)
}

// scanLabel is the receive screen's button that reads the QR code in a
// photo or screenshot the person picks.
const scanLabel = "Scan QR image…"

// trustAndReopen asks before trusting the network a share was made on,
// trusts it (in the wallet, or for this session without one) and opens
// the share again.
func (u *UI) trustAndReopen(got wallet.Received, withWallet bool, reopen func()) {
	name, url := madeOn(got)
	if url == "" {
		u.showError(errors.New("the share does not say where its network is: ask the patient to show their network's " +
			"QR code (in their Settings → Network) and trust it with \"Trust a network…\""))
		return
	}
	u.confirm(fmt.Sprintf("Trust the %s?", networkName(name)), "Trust this network",
		trustExplanation+" Its address is "+url+".",
		func(ok bool) {
			u.idle.touch()
			if ok {
				u.trustNetwork(url, withWallet, reopen)
			}
		})
}

// trustExplanation says what trusting a network means.
const trustExplanation = "Only trust a network you know, like your clinic's: shares made on it will then show as verified."

// askTrustNetwork trusts a network the person names by its link or the
// photo of its QR code (the patient's Settings → Network shows it), then
// calls then: for a share whose server this app cannot even reach before
// its network is trusted (a clinic's own certificate).
func (u *UI) askTrustNetwork(withWallet bool, then func()) {
	link := u.keyEntry("https://… (the network's link)")
	image := u.button("Open QR image…", theme.FileImageIcon(), func() {
		u.readQRImage(func(text string, err error) {
			if err != nil {
				u.showError(err)
				return
			}
			link.SetText(text)
		})
	})
	body := container.NewVBox(wrapped(trustExplanation+" Ask the patient to show their network's QR code "+
		"(in their Settings → Network), or type its link."), link, image)
	d := dialog.NewCustomConfirm("Trust a network", "Trust this network", "Cancel", body, func(ok bool) {
		u.escape, u.enter = nil, nil // before what may open the next dialog
		u.idle.touch()
		if url := strings.TrimSpace(link.Text); ok && url != "" {
			u.trustNetwork(url, withWallet, then)
		}
	}, u.win)
	u.confirmKeys(d, "Trust this network")
	link.onEscape = d.Hide // the link has the focus: its keys first
	link.OnSubmitted = func(string) { d.Confirm() }
	d.Resize(fyne.NewSize(min(u.win.Canvas().Size().Width*0.9, 480), 0))
	d.Show()
	u.win.Canvas().Focus(link)
}

// trustNetwork trusts the network at url — in the wallet, or for this
// session without one — then calls then.
func (u *UI) trustNetwork(url string, withWallet bool, then func()) {
	w := u.wallet
	var m network.Membership
	u.runSlow(nil, nil, "", func() (err error) {
		if withWallet {
			_, err = w.TrustNetwork(context.Background(), url)
			return err
		}
		m, err = u.backend.FetchNetwork(context.Background(), url)
		return err
	}, func(err error) {
		if u.screen != "receive" {
			return
		}
		if err != nil {
			u.showError(fmt.Errorf("the network could not be trusted: %w", err))
			return
		}
		if !withWallet {
			u.sessionTrust = append(u.sessionTrust, m)
		}
		then()
	})
}

// unknownServer says whether a link could not be opened because its
// server's certificate is not one this app knows: the server of a network
// not trusted yet, whose certificate only its join link pins.
func unknownServer(err error) bool {
	var cv *tls.CertificateVerificationError
	var ua x509.UnknownAuthorityError
	return errors.As(err, &cv) || errors.As(err, &ua)
}

// chainChecks are the checks that need a trusted network's chain to pass.
var chainChecks = []string{share.CheckChainID, share.CheckRegistry, share.CheckGrantActive,
	share.CheckIssuerAuthorized, share.CheckAnchored}

// onlyUntrusted says whether a Health Wallet share failed only because it
// was made on a network the receiver does not trust (and so the checks
// that need its chain): nothing is wrong with it that trusting the
// network would not settle.
func onlyUntrusted(got wallet.Received) bool {
	failed := got.Failed()
	return got.Source == share.SourceHealthWallet && !got.Verified &&
		slices.ContainsFunc(failed, func(c share.Check) bool { return c.Name == share.CheckNetworkTrusted }) &&
		!slices.ContainsFunc(failed, func(c share.Check) bool {
			return c.Name != share.CheckNetworkTrusted && !slices.Contains(chainChecks, c.Name)
		})
}

// linkRow lays out the link field and its buttons: in one row on wide
// windows, and on narrow ones the field in a row of its own (a link is long)
// with the buttons sharing the row under it. Its objects are: field, buttons.
// Its size follows the width it was last laid out at.
type linkRow struct{ narrow bool }

func (l *linkRow) MinSize(objects []fyne.CanvasObject) fyne.Size {
	pad := theme.Padding()
	field := objects[0].MinSize()
	var widest, row, height float32
	for _, b := range objects[1:] {
		s := b.MinSize()
		widest, row, height = max(widest, s.Width), row+pad+s.Width, max(height, s.Height)
	}
	if !l.narrow {
		return fyne.NewSize(field.Width+row, max(field.Height, height))
	}
	n := float32(len(objects) - 1)
	return fyne.NewSize(max(field.Width, n*widest+(n-1)*pad), field.Height+pad+height)
}

func (l *linkRow) Layout(objects []fyne.CanvasObject, size fyne.Size) {
	pad := theme.Padding()
	field, buttons := objects[0], objects[1:]
	l.narrow = size.Width < narrowWidth
	h := field.MinSize().Height
	if l.narrow {
		field.Move(fyne.NewPos(0, 0))
		field.Resize(fyne.NewSize(size.Width, h))
		w := (size.Width - float32(len(buttons)-1)*pad) / float32(len(buttons))
		for i, b := range buttons {
			b.Move(fyne.NewPos(float32(i)*(w+pad), h+pad))
			b.Resize(fyne.NewSize(w, b.MinSize().Height))
		}
		return
	}
	x := size.Width
	for i := len(buttons) - 1; i >= 0; i-- {
		b := buttons[i]
		x -= b.MinSize().Width
		b.Move(fyne.NewPos(x, 0))
		b.Resize(fyne.NewSize(b.MinSize().Width, h))
		x -= pad
	}
	field.Move(fyne.NewPos(0, 0))
	field.Resize(fyne.NewSize(max(0, x), h))
}

// shortAddress is 0xAb12…cdef.
func shortAddress(a string) string {
	if len(a) < 12 {
		return a
	}
	return a[:6] + "…" + a[len(a)-4:]
}

// showAccessLog lists who opened the patient's shares, newest first.
func (u *UI) showAccessLog() {
	body := container.NewVBox(widget.NewLabel("Loading the access log…"))
	u.show("access-log", container.NewBorder(
		header(u.button("Back", theme.NavigateBackIcon(), u.showRecords), "Access log",
			u.button("Shares", theme.MailSendIcon(), u.showShares)),
		nil, nil, nil, container.NewVScroll(container.NewPadded(body))))
	u.fillInBackground("access-log", body, func(w Wallet) func() []fyne.CanvasObject {
		log, err := w.AccessLog(context.Background())
		return func() []fyne.CanvasObject { return accessRows(log, err) }
	})
}

// noRows is the whole of a list that cannot show rows: the error that
// stopped it, else (n == 0) the empty text, centred. It is nil when there
// are rows to show.
func noRows(n int, err error, empty string) []fyne.CanvasObject {
	if err != nil {
		msg := wrapped(sentence(err.Error()))
		msg.Importance = widget.DangerImportance
		return []fyne.CanvasObject{msg}
	}
	if n == 0 {
		msg := wrapped(empty)
		msg.Alignment = fyne.TextAlignCenter
		return []fyne.CanvasObject{msg}
	}
	return nil
}

// accessRows are the access log's rows, one per visit (wallet.Visits),
// newest first: who — marked when they named themselves — and when; then
// which share they opened (its label and date), what it held, why, how.
// Emergency openings stand out in red.
func accessRows(log []wallet.AccessEntry, err error) []fyne.CanvasObject {
	if none := noRows(len(log), err,
		"No one has opened your shares yet. Each time a share is opened, it is listed here: who, when, what and why."); none != nil {
		return none
	}
	var rows []fyne.CanvasObject
	for _, e := range wallet.Visits(log) {
		who := e.Who
		if who == "" {
			who = "Someone unnamed"
		}
		if e.SelfDeclared() && e.Who != "" {
			who += " (as they describe themselves)"
		}
		switch {
		case e.Emergency:
			who = "Emergency card opened by " + who
		case e.Delegate != "":
			who = fmt.Sprintf("%s, your caregiver, %s", who, actionWords(e.Action))
		}
		t := widget.NewLabelWithStyle(who, fyne.TextAlignLeading, fyne.TextStyle{Bold: true})
		t.Wrapping = fyne.TextWrapWord
		when := widget.NewLabel(e.Time.Format(timeLayout))
		sub := widget.NewLabel(strings.Join(visitWords(e), " · "))
		sub.Wrapping = fyne.TextWrapWord
		sub.SizeName = theme.SizeNameCaptionText
		sub.Importance = widget.LowImportance
		var row fyne.CanvasObject = container.NewVBox(container.NewBorder(nil, nil, nil, when, t), sub)
		if e.Emergency {
			// Break-glass stands out: a warning sign and a tinted band.
			t.Importance = widget.DangerImportance
			band := canvas.NewRectangle(theme.Color(theme.ColorNameError))
			band.FillColor = withAlpha(theme.Color(theme.ColorNameError), 0x30)
			band.CornerRadius = theme.InputRadiusSize()
			row = container.NewStack(band, container.NewBorder(nil, nil,
				widget.NewIcon(theme.NewErrorThemedResource(theme.WarningIcon())), nil, row))
		}
		rows = append(rows, row, widget.NewSeparator())
	}
	return rows
}

// visitWords are the parts of a visit's second line: the share opened
// ("Knee appointment, shared 3 Dec 2026"), what it held, why, where it was
// logged, and an outcome other than served.
func visitWords(e wallet.AccessEntry) []string {
	var parts []string
	switch {
	case e.ShareLabel != "":
		parts = append(parts, fmt.Sprintf("%q, shared %s", e.ShareLabel, e.Shared.Format(dateLayout)))
	case !e.Shared.IsZero():
		parts = append(parts, "your share of "+e.Shared.Format(timeLayout))
	}
	switch {
	case e.Source == "chain" && e.Delegate == "" && !e.Emergency:
		// What the chain holds is a commitment: nothing more to say.
	case e.OpenedRecords() > 0:
		parts = append(parts, plural(e.OpenedRecords(), "record", "records"))
	case e.What != "":
		parts = append(parts, e.What)
	}
	if e.Purpose != "" {
		parts = append(parts, "for "+strings.ToLower(purposeLabel(e.Purpose)))
	}
	parts = append(parts, "via "+sourceLabel(e.Source))
	if o := outcomeWords(e.Outcome); o != "" {
		parts = append(parts, o)
	}
	if e.Recorded && e.Source != "chain" {
		parts = append(parts, "recorded on the chain")
	}
	if e.Emergency && e.TxHash != "" {
		parts = append(parts, "break-glass, on the chain in transaction "+shortAddress(e.TxHash))
	}
	return parts
}

// outcomeWords says what a visit came to, when not simply served.
func outcomeWords(o string) string {
	switch o {
	case "", "served":
		return ""
	case "wrong-passcode":
		return "wrong passcode: nothing shown"
	case "passcode-missing":
		return "no passcode given: nothing shown"
	case "refused":
		return "refused: nothing shown"
	}
	return o
}

// withAlpha is c with alpha a.
func withAlpha(c color.Color, a uint8) color.Color {
	r, g, b, _ := c.RGBA()
	return color.NRGBA{R: uint8(r >> 8), G: uint8(g >> 8), B: uint8(b >> 8), A: a}
}

// sourceLabel names where an access was recorded.
func sourceLabel(s string) string {
	switch s {
	case "relay":
		return "the link server"
	case "chain":
		return "the chain"
	case "direct":
		return "this device"
	}
	return s
}
