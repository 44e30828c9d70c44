package app

import (
	"context"
	"fmt"
	"net"
	"net/url"
	"os"
	"strings"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"healthwallet/wallet"
	"healthwallet/wallet/network"
)

// This file: the network as the person meets it (DESIGN §11) — the choice
// on first start (join one, or try it on this computer), Settings →
// Network in plain words with the details one tap away, the local network
// kept running while the app is open, and "I lost my other device".

// prefLocalLAN remembers whether the local network is open to devices on
// the same Wi-Fi.
const prefLocalLAN = "network.local.lan"

// firstStart is where creating or restoring a wallet lands: the wallet is
// open, and the person chooses how to meet others. A wallet restored from
// its phrase may be replacing a lost device: the choice says where to stop
// what that device shared.
func (u *UI) firstStart(restored bool) {
	u.idle.start()
	u.startBackground() // as after an unlock: copies kept current, the access log watched
	u.showNetworkChoice(u.showRecords, "Skip for now")
	if restored {
		u.confirm("Did you lose your other device?", "Go to Settings",
			"If this wallet was on a device that is lost or stolen, join your network first, then use "+
				"\"I lost my other device\" in Settings: every share and delegation it made stops working.",
			func(ok bool) {
				u.idle.touch()
				if ok {
					u.showSettings()
				}
			})
	}
}

// showNetworkChoice offers to join a network (paste its link, or open a
// photo of its QR code) or to try it on this computer. done is where the
// person goes on, after either or by skipping (skip names that button).
func (u *UI) showNetworkChoice(done func(), skip string) {
	link := u.entry("https://… (the network's link)")
	invite := u.entry("Invitation code")
	inviteBox := container.NewVBox(
		wrapped("This network lets people in by invitation: type the code you were given."), invite)
	inviteBox.Hide()
	joinProblem := newErrorText()
	joinBusy := busyText()

	var join *widget.Button
	join = u.primary("Join", theme.LoginIcon(), func() {
		url := strings.TrimSpace(link.Text)
		if url == "" {
			joinProblem.setText("Paste the network's link, or open a photo of its QR code.")
			return
		}
		joinProblem.clear()
		code := strings.TrimSpace(invite.Text)
		w := u.wallet
		var m network.Membership
		u.runSlow(join, joinBusy, "Joining the network…", func() (err error) {
			m, err = w.JoinNetwork(context.Background(), url, code)
			return err
		}, func(err error) {
			if u.wallet != w || u.screen != "network-choice" {
				return
			}
			if err != nil {
				if asksInvitation(err) {
					inviteBox.Show()
					u.win.Canvas().Focus(invite)
				}
				joinProblem.set(err)
				return
			}
			u.joined(m.Name, done)
		})
	})
	link.OnSubmitted = func(string) { join.OnTapped() }
	invite.OnSubmitted = func(string) { join.OnTapped() }
	image := u.button("Open QR image…", theme.FileImageIcon(), func() {
		u.readQRImage(func(text string, err error) {
			if err != nil {
				joinProblem.set(err)
				return
			}
			link.SetText(text)
			join.OnTapped()
		})
	})
	haveCode := u.button("I have an invitation code", nil, func() {
		inviteBox.Show()
		u.win.Canvas().Focus(invite)
	})
	haveCode.Importance = widget.LowImportance

	lan := widget.NewCheck("Let devices on this Wi-Fi open my shares", func(bool) { u.idle.touch() })
	lan.SetChecked(u.app.Preferences().Bool(prefLocalLAN))
	lanHint := wrapped("Off: only wallets on this computer can open your shares. On: a phone or computer on the same Wi-Fi can too, while this app is open.")
	lanHint.Importance = widget.LowImportance
	lanHint.SizeName = theme.SizeNameCaptionText
	localProblem := newErrorText()
	localBusy := busyText()
	var local *widget.Button
	local = u.button("Try it on this computer", theme.ComputerIcon(), func() {
		localProblem.clear()
		opts := wallet.LocalNetworkOptions{LAN: lan.Checked}
		w := u.wallet
		// A network already running in this app keeps how it serves until
		// the app opens again.
		later := u.localStarted == w && opts.LAN != u.app.Preferences().Bool(prefLocalLAN)
		var name string
		u.runSlow(local, localBusy, "Starting the network on this computer…", func() error {
			_, err := w.StartLocalNetwork(context.Background(), opts)
			if m, ok := w.Network(); ok {
				name = m.Name
			}
			return err
		}, func(err error) {
			if u.wallet != w || u.screen != "network-choice" {
				return
			}
			if err != nil {
				localProblem.set(err)
				return
			}
			u.app.Preferences().SetBool(prefLocalLAN, opts.LAN)
			u.localStarted = w
			if later {
				u.inform("Connected", "You are on the network of this computer. The Wi-Fi setting applies the next time "+
					"Health Wallet opens.", done)
				return
			}
			u.joined(name, done)
		})
	})

	skipBtn := u.button(skip, theme.NavigateNextIcon(), done)
	skipBtn.Importance = widget.LowImportance
	u.show("network-choice", container.NewBorder(
		header(nil, "Connect to a network"), nil, nil, nil,
		page(
			title("Meet your doctor and caregivers"),
			wrapped("Your records stay on this device. A network lets the people you share with check that what you "+
				"share is really yours and unchanged, and tells you when they open it."),
			widget.NewSeparator(),
			section("Join a network"),
			wrapped("Your clinic or your doctor's app gives you its link or QR code."),
			container.New(&linkRow{}, link, join, image),
			haveCode,
			inviteBox,
			joinProblem.Label,
			joinBusy,
			widget.NewSeparator(),
			section("Try it on this computer"),
			wrapped("Runs a small network inside this app, so that another wallet on this computer can receive your shares."),
			lan,
			lanHint,
			localProblem.Label,
			localBusy,
			local,
			widget.NewSeparator(),
			skipBtn,
		)))
}

// asksInvitation says whether a join failed for want of (the right)
// invitation code.
func asksInvitation(err error) bool {
	return strings.Contains(strings.ToLower(err.Error()), "invitation")
}

// joined says that the wallet is on a network now, then goes on.
func (u *UI) joined(name string, then func()) {
	u.chain.checked = false
	msg := "You are on the network now."
	if name != "" {
		msg = fmt.Sprintf("You are on the %s now.", networkName(name))
	}
	u.inform("Connected", msg+" New records are anchored on it, and your shares go through it.", then)
}

// networkName is "Riverside Clinic network" (or "network on Ada's
// computer"), as a sentence names it after "the".
func networkName(name string) string {
	if name == "" {
		return "network"
	}
	if strings.HasSuffix(strings.ToLower(name), "network") {
		return name
	}
	if strings.HasSuffix(name, "'s computer") {
		// The network "Try it on this computer" runs: "the network on
		// Ada's computer", not "the Ada's computer network".
		return "network on " + name
	}
	return name + " network"
}

// readQRImage asks for a photo or screenshot of a QR code and reads its
// text; the copy of the image is not kept.
func (u *UI) readQRImage(done func(text string, err error)) {
	u.files.OpenFile(u.win, []string{".png", ".jpg", ".jpeg"}, func(path string, err error) {
		if err == nil && path == "" {
			return
		}
		var text string
		if err == nil {
			var f *os.File
			if f, err = os.Open(path); err == nil {
				text, err = u.backend.DecodeQRImage(f)
				f.Close()
				u.files.Cleanup() // the image was read: no copy of it is kept
			}
		}
		if err != nil {
			done("", fmt.Errorf("no QR code could be read from that image: %w", err))
			return
		}
		done(text, nil)
	})
}

// keepLocalNetwork starts the network this computer runs, in the
// background, when it is the wallet's network: it serves while the app is
// open. Once per open wallet.
func (u *UI) keepLocalNetwork() {
	w := u.wallet
	if u.localStarted == w {
		return
	}
	m, ok := w.Network()
	if !ok || !m.Local {
		return
	}
	u.localStarted = w
	opts := wallet.LocalNetworkOptions{LAN: u.app.Preferences().Bool(prefLocalLAN)}
	u.background(func() {
		_, err := w.StartLocalNetwork(context.Background(), opts)
		fyne.Do(func() {
			if err != nil && u.wallet == w {
				u.localStarted = nil // tried again at the next unlock
				u.chain.problem = sentence(err.Error())
				if v := u.recordsView; v != nil && u.screen == "records" {
					v.showChainBanner()
				}
			}
		})
	})
}

// networkSection is Settings → Network: one plain sentence with its icon,
// the network's name and its join QR, Join another / Leave; the technical
// details are in Settings → Advanced. The status is asked for in the
// background once refresh is called, after the screen is shown.
func (u *UI) networkSection() (_ fyne.CanvasObject, refresh func()) {
	summary := widget.NewLabelWithStyle("Checking the network…", fyne.TextAlignLeading, fyne.TextStyle{Bold: true})
	summary.Wrapping = fyne.TextWrapWord
	icon := widget.NewIcon(theme.InfoIcon())
	problem := wrapped("")
	problem.Importance = widget.LowImportance
	problem.Hide()
	join := container.NewVBox()

	refresh = func() {
		w := u.wallet
		u.background(func() {
			st, err := w.NetworkStatus(context.Background())
			m, joined := w.Network()
			fyne.Do(func() {
				if u.wallet != w || u.screen != "settings" {
					return
				}
				if err != nil {
					st = wallet.NetworkStatus{Summary: sentence(err.Error())}
				}
				text, why := plainStatus(st)
				summary.SetText(text)
				icon.SetResource(statusIcon(st, err))
				problem.SetText(why)
				problem.Hidden = why == ""
				problem.Refresh()
				join.Objects = u.networkActions(st, m, joined, refresh)
				join.Refresh()
			})
		})
	}

	return container.NewVBox(
		section("Network"),
		container.NewBorder(nil, nil, icon, nil, summary),
		problem,
		join,
	), refresh
}

// plainStatus is the network's status as Settings says it: the wallet's
// sentence, except where it speaks of chains or hw commands, which the app
// says in its own words (the buttons below it are the way out). The
// wallet's problem names nodes and errors: it is in Settings → Advanced.
func plainStatus(st wallet.NetworkStatus) (summary, problem string) {
	switch {
	case st.Kind == "none":
		return "Works on this device only: your records are kept safely here, but the people you share with cannot check them yet.", ""
	case st.Kind == "chain" && (!st.Connected || st.Problem != ""):
		return networkDownText, ""
	case st.Kind == "chain":
		return "Connected to the network set in Advanced settings: records anchored, shares work.", ""
	case st.Account != nil && !st.Account.Enrolled:
		return st.Summary, "The network no longer lists this wallet as a member: join it again."
	case st.Summary == "":
		return networkDownText, ""
	}
	return st.Summary, ""
}

// statusIcon shows at a glance whether the network works.
func statusIcon(st wallet.NetworkStatus, err error) fyne.Resource {
	switch {
	case err != nil:
		return theme.NewErrorThemedResource(theme.ErrorIcon())
	case st.Kind == "none":
		return theme.InfoIcon()
	case st.Connected && st.Problem == "":
		return theme.NewSuccessThemedResource(theme.ConfirmIcon())
	}
	return theme.NewWarningThemedResource(theme.WarningIcon())
}

// networkActions are the network's name and join QR, and what can be done
// about it: join another, leave — or join one when there is none.
func (u *UI) networkActions(st wallet.NetworkStatus, m network.Membership, joined bool, refresh func()) []fyne.CanvasObject {
	choose := func() {
		u.showNetworkChoice(u.showSettings, "Back to Settings")
	}
	if !joined {
		return []fyne.CanvasObject{
			wrapped("Join your clinic's network so that the people you share with can check your records."),
			u.primary("Join a network", theme.LoginIcon(), choose),
		}
	}
	var out []fyne.CanvasObject
	out = append(out, widget.NewForm(widget.NewFormItem("Network", widget.NewLabel(m.Name))))
	if qr, err := u.qrCanvas(m.JoinURL(), 200); err == nil {
		text := fmt.Sprintf("Show this to the doctor's or caregiver's app: it joins the %s, "+
			"and then your shares show there as verified.", networkName(m.Name))
		if onlyThisComputer(m) {
			text = fmt.Sprintf("Another wallet on this computer joins the %s with this code or its link. "+
				"Phones and other computers cannot reach it: it serves this computer only.", networkName(m.Name))
		}
		caption := wrapped(text)
		caption.Alignment = fyne.TextAlignCenter
		var copyLink *widget.Button
		copyLink = u.button("Copy the network's link", theme.ContentCopyIcon(), func() {
			u.app.Clipboard().SetContent(m.JoinURL())
			copyLink.SetText("Copied")
		})
		copyLink.Importance = widget.LowImportance
		out = append(out, container.NewCenter(qr), caption, container.NewCenter(copyLink))
	}
	result := newErrorText()
	leave := u.button("Leave", theme.LogoutIcon(), func() {
		u.confirm(fmt.Sprintf("Leave the %s?", networkName(m.Name)), "Leave",
			"Your records stay on this device. New records are not anchored and new shares cannot go through "+
				"the network until you join one again; what waits to be sent stays here. Shares you already made "+
				"keep working until they expire or you revoke them.",
			func(ok bool) {
				u.idle.touch()
				if !ok {
					return
				}
				if err := u.wallet.LeaveNetwork(); err != nil {
					result.set(err)
					return
				}
				u.chain.checked = false
				refresh()
			})
	})
	leave.Importance = widget.DangerImportance
	if st.Account != nil && !st.Account.Enrolled {
		var again *widget.Button
		busy := busyText()
		again = u.primary("Join again", theme.LoginIcon(), func() {
			w := u.wallet
			u.runSlow(again, busy, "Joining the network…", func() error {
				_, err := w.JoinNetwork(context.Background(), m.JoinURL(), "")
				return err
			}, func(err error) {
				if err != nil {
					result.set(err)
					return
				}
				refresh()
			})
		})
		out = append(out, again, busy)
	}
	out = append(out,
		container.NewGridWithColumns(2, u.button("Join another network", theme.LoginIcon(), choose), leave),
		result.Label)
	return out
}

// onlyThisComputer says whether a network is reachable from this computer
// only (the local network without "Let devices on this Wi-Fi…").
func onlyThisComputer(m network.Membership) bool {
	u, err := url.Parse(m.URL)
	if err != nil {
		return false
	}
	ip := net.ParseIP(u.Hostname())
	return u.Hostname() == "localhost" || (ip != nil && ip.IsLoopback())
}

// networkDetails are the network's technical details, for whoever helps
// the person (or a curious person).
func networkDetails(st wallet.NetworkStatus) fyne.CanvasObject {
	form := widget.NewForm()
	add := func(label, value string) {
		if value == "" {
			return
		}
		l := widget.NewLabel(value)
		l.Wrapping = fyne.TextWrapBreak // URLs and addresses have no spaces
		l.TextStyle.Monospace = true
		form.Append(label, l)
	}
	add("Status", st.Summary)
	add("Problem", st.Problem)
	if m := st.Membership; m != nil {
		add("Name", m.Name)
		add("Joined at", m.JoinURL())
		add("Chain id", fmt.Sprint(m.ChainID))
		add("Registry", m.Registry)
		add("RPC", strings.Join(m.RPC, "\n"))
		add("Relay", m.Relay)
		add("Submission", m.Submit)
		add("Fingerprint", m.Fingerprint)
		add("Enrolment", m.Enrolment)
	}
	if a := st.Account; a != nil {
		enrolled := "no"
		if a.Enrolled {
			enrolled = "yes"
		}
		add("Enrolled", enrolled)
		add("Actions today", fmt.Sprintf("%d of %d", a.UsedToday, a.PerDay))
	}
	add("Waiting to send", fmt.Sprint(st.Waiting))
	if v := st.Viewer; v != nil {
		add("Web viewer", strings.TrimSpace(v.Summary+"\n"+v.Problem))
	}
	return form
}

// lostDeviceSection is "I lost my other device": from the recovery phrase
// on this device, every share and delegation of the other is revoked and
// the old sharing key retired.
func (u *UI) lostDeviceSection() fyne.CanvasObject {
	result := newErrorText()
	busy := busyText()
	var lost *widget.Button
	lost = u.button("I lost my other device", theme.WarningIcon(), func() {
		u.confirm("Revoke everything?", "Revoke everything",
			"Every share and delegation you ever made stops working: their links no longer open, and the network "+
				"records them as withdrawn. Your sharing key is replaced, so give the people who send you records "+
				"your new identity card. Your records on this device stay as they are. This cannot be undone.",
			func(ok bool) {
				u.idle.touch()
				if !ok {
					return
				}
				w := u.wallet
				var rep wallet.RevokeAllReport
				u.runSlow(lost, busy, "Revoking every share and delegation…", func() (err error) {
					rep, err = w.RevokeEverything(context.Background())
					return err
				}, func(err error) {
					if err != nil {
						result.Importance = widget.DangerImportance
						result.set(err)
						return
					}
					result.Importance = widget.SuccessImportance
					result.setText(revokeAllSummary(rep))
				})
			})
	})
	lost.Importance = widget.DangerImportance
	return container.NewVBox(
		section("Lost or stolen device"),
		wrapped("If a device with this wallet is lost or stolen, stop everything it shared: whoever holds it "+
			"cannot share in your name any more."),
		result.Label,
		busy,
		lost,
	)
}

// revokeAllSummary says what RevokeEverything did.
func revokeAllSummary(rep wallet.RevokeAllReport) string {
	s := fmt.Sprintf("Done: %s and %s revoked.", plural(rep.Grants, "share", "shares"),
		plural(rep.Delegations, "delegation", "delegations"))
	if rep.SharingKeyRetired {
		s += " Your sharing key was replaced: links and identity cards from before no longer work."
	}
	return s
}
