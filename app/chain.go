package app

import (
	"context"
	"fmt"
	"strings"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"healthwallet/wallet"
	"healthwallet/wallet/record"
)

// This file: the chain as the person meets it — each record's anchor state,
// background anchoring after an import, the calm "offline" banner of the
// records screen, and the chain in Settings → Network's technical details.

// timeLayout is how chain and share times are shown.
const timeLayout = "2 Jan 2006 15:04"

// chainState is what the UI last learned about the chain.
type chainState struct {
	checked bool   // ChainStatus was asked since the wallet was unlocked
	problem string // why the chain cannot be used now; "" when fine
	// generation counts locks: background anchoring started before the
	// last lock stops.
	generation int
}

// anchorText says where a record is on its way to being anchored, in a
// word for the list (short) or in a sentence for the detail. The block,
// batch and transaction are in anchorDetails, a tap away.
func anchorText(a record.AnchorState, short bool) string {
	switch a.State {
	case record.AnchorAnchored:
		if short {
			return "Anchored"
		}
		if a.Time.IsZero() {
			return "Anchored"
		}
		return "Anchored on " + a.Time.Format(dateLayout)
	case record.AnchorFailed:
		if short {
			return "Verification failed"
		}
		if strings.HasPrefix(a.Problem, "verification failed") {
			return "Changed since it was anchored: do not rely on it"
		}
		return "Could not be anchored: the details say why"
	}
	if short {
		return "Waiting to anchor"
	}
	return "Waiting to be anchored"
}

// anchorIcon is the small icon beside anchorText.
func anchorIcon(a record.AnchorState) fyne.Resource {
	switch a.State {
	case record.AnchorAnchored:
		return theme.NewSuccessThemedResource(theme.ConfirmIcon())
	case record.AnchorFailed:
		return theme.NewErrorThemedResource(theme.ErrorIcon())
	}
	return theme.HistoryIcon()
}

// anchorDetails are the technical facts behind anchorText: what "Details"
// unfolds on a record.
func anchorDetails(a record.AnchorState) string {
	var lines []string
	if a.Problem != "" {
		lines = append(lines, "Problem: "+a.Problem)
	}
	if a.Block != 0 {
		line := fmt.Sprintf("In block %d", a.Block)
		if !a.Time.IsZero() {
			line += " at " + a.Time.UTC().Format(timeLayout) + " UTC"
		}
		lines = append(lines, line)
	}
	if a.Root != "" {
		lines = append(lines, "Batch root: "+a.Root)
	}
	if a.TxHash != "" {
		lines = append(lines, "Transaction: "+a.TxHash)
	}
	if len(lines) == 0 {
		return "Not sent to the chain yet: it is sent with the next batch."
	}
	return strings.Join(lines, "\n")
}

// verificationDetails are the checks behind a Verification's sentence.
func verificationDetails(v wallet.Verification) string {
	lines := []string{"Checks: the stored record recomputes to its commitment, its Merkle proof leads to its batch's root, " +
		"and the chain says this wallet anchored that root."}
	switch {
	case v.Valid:
		lines = append(lines, "Every check passed.")
	case v.Problem != "":
		lines = append(lines, "Problem: "+v.Problem)
	}
	if v.Root.Big().Sign() != 0 { // batched
		lines = append(lines, "Batch root: "+v.Root.Hex())
	}
	if v.Block != 0 {
		line := fmt.Sprintf("In block %d", v.Block)
		if !v.Time.IsZero() {
			line += " at " + v.Time.UTC().Format(timeLayout) + " UTC"
		}
		lines = append(lines, line)
	}
	return strings.Join(lines, "\n")
}

// How often anchoring is followed up: Anchor sends and returns, so it is
// called again to see the batches into their blocks, and, while the chain is
// down, to send them once it is back.
const (
	anchorFollowUp   = 3 * time.Second
	anchorRetry      = time.Minute
	anchorMaxFollows = 20
)

// anchorSoon anchors new records in the background and refreshes the
// records screen with the outcome. A chain that is down is not an error
// here: the banner says the records wait, and anchoring is tried again
// while the wallet stays unlocked.
func (u *UI) anchorSoon() { u.anchorRound(u.chain.generation, 0) }

func (u *UI) anchorRound(generation, round int) {
	w := u.wallet
	u.background(func() {
		rep, err := w.Anchor(context.Background())
		fyne.Do(func() {
			if u.wallet != w || u.chain.generation != generation || w.Locked() {
				return
			}
			u.noteAnchor(rep, err)
			if v := u.recordsView; v != nil && u.screen == "records" {
				v.reload()
				v.showChainBanner()
			}
			if err != nil || round >= anchorMaxFollows || !rep.Waiting() {
				return
			}
			wait := anchorFollowUp
			if rep.Problem != "" {
				wait = anchorRetry
			}
			u.clock.AfterFunc(wait, func() {
				fyne.Do(func() {
					if u.chain.generation == generation {
						u.anchorRound(generation, round+1)
					}
				})
			})
		})
	})
}

// noteAnchor keeps what an anchoring run said about the chain.
func (u *UI) noteAnchor(rep wallet.AnchorReport, err error) {
	u.chain.checked = true
	switch {
	case err != nil:
		u.chain.problem = sentence(err.Error())
	default:
		u.chain.problem = rep.Problem
	}
}

// checkChain asks the chain's status once per unlock, in the background,
// and shows a banner on the records screen when it has a problem.
func (u *UI) checkChain() {
	if u.chain.checked {
		return
	}
	u.chain.checked = true
	w := u.wallet
	u.background(func() {
		st, err := w.ChainStatus(context.Background())
		fyne.Do(func() {
			if u.wallet != w {
				return
			}
			if err != nil {
				u.chain.problem = sentence(err.Error())
			} else {
				u.chain.problem = st.Problem
			}
			if v := u.recordsView; v != nil && u.screen == "records" {
				v.showChainBanner()
			}
		})
	})
}

// chainBanner is the calm note shown while the chain cannot be reached:
// the records are safe and will be anchored later, so nothing blocks.
type chainBanner struct {
	box    *fyne.Container
	text   *widget.Label
	detail *widget.Label
}

func newChainBanner() chainBanner {
	b := chainBanner{text: wrapped(""), detail: wrapped("")}
	b.detail.Importance = widget.LowImportance
	b.detail.SizeName = theme.SizeNameCaptionText
	b.box = container.NewBorder(nil, nil, widget.NewIcon(theme.InfoIcon()), nil,
		container.NewVBox(b.text, b.detail))
	b.box.Hide()
	return b
}

// showChainBanner shows or hides the banner for the last known problem.
func (v *recordsView) showChainBanner() {
	u := v.ui
	if u.chain.problem == "" {
		v.chainBanner.box.Hide()
		return
	}
	waiting := 0
	if all, err := u.wallet.Records(wallet.Query{}); err == nil {
		for _, r := range all {
			if r.Anchor.State != record.AnchorAnchored && r.Anchor.State != record.AnchorFailed {
				waiting++
			}
		}
	}
	v.chainBanner.text.SetText(networkDownText)
	// What the wallet said is technical (an address, an RPC error): it is
	// in Settings → Advanced; here, only how many records wait.
	v.chainBanner.detail.SetText("")
	switch {
	case waiting == 1:
		v.chainBanner.detail.SetText("1 record waits to be anchored; it will be once the network is back.")
	case waiting > 1:
		v.chainBanner.detail.SetText(fmt.Sprintf("%s wait to be anchored; they will be once the network is back.",
			plural(waiting, "record", "records")))
	}
	v.chainBanner.box.Show()
}

// chainSection is the chain in Settings → Advanced:
// the chain, the wallet's address and balance, the outbox, "Anchor now",
// and a JSON-RPC URL to use instead of a network (for scripts and
// developers). The status is asked for in the background once refresh is
// called, after the screen is shown.
func (u *UI) chainSection() (_ fyne.CanvasObject, refresh func()) {
	body := container.NewVBox(widget.NewLabel("Checking the network…"))
	result := newErrorText()
	busy := busyText()
	var anchor *widget.Button
	anchor = u.button("Anchor now", theme.UploadIcon(), func() {
		result.clear()
		var rep wallet.AnchorReport
		w := u.wallet
		u.runSlow(anchor, busy, "Anchoring…", func() error {
			var err error
			rep, err = w.Anchor(context.Background())
			return err
		}, func(err error) {
			if u.wallet != w {
				return
			}
			u.noteAnchor(rep, err)
			switch {
			case err != nil:
				result.Importance = widget.DangerImportance
				result.set(err)
			case rep.Problem != "":
				result.Importance = widget.MediumImportance
				result.setText("The records wait in the outbox: " + rep.Problem)
			default:
				result.Importance = widget.SuccessImportance
				result.setText(anchorSummary(rep))
			}
			refresh()
		})
	})

	url := u.entry("http://host:8545")
	url.SetText(u.wallet.ChainSettings().URL)
	use := u.button("Use this network", theme.ConfirmIcon(), func() {
		next := strings.TrimSpace(url.Text)
		where := "the development chain on this device"
		if next != "" {
			where = next
		}
		u.confirm("Change network?", "Change network",
			"Records will be anchored and shares issued on "+where+" from now on. "+
				"What is already anchored stays on the network it was anchored on.",
			func(ok bool) {
				u.idle.touch()
				if !ok {
					return
				}
				s := u.wallet.ChainSettings()
				if s.URL != next {
					s = wallet.ChainSettings{URL: next} // a new network: its own chain id and registry
				}
				if err := u.wallet.SetChainSettings(s); err != nil {
					result.Importance = widget.DangerImportance
					result.set(err)
					return
				}
				u.chain.checked = false
				result.Importance = widget.SuccessImportance
				result.setText("Network changed.")
				refresh()
			})
	})

	refresh = func() {
		w := u.wallet
		u.background(func() {
			st, err := w.ChainStatus(context.Background())
			fyne.Do(func() {
				if u.wallet != w || u.screen != "settings-advanced" {
					return
				}
				body.Objects = []fyne.CanvasObject{networkStatus(st, err)}
				body.Refresh()
			})
		})
	}

	return container.NewVBox(
		section("Chain"),
		body,
		result.Label,
		busy,
		anchor,
		wrapped("Use a JSON-RPC chain instead of a network: its URL, or nothing for the development chain on this device."),
		container.NewBorder(nil, nil, nil, use, url),
	), refresh
}

// networkStatus lays out a ChainStatus.
func networkStatus(st wallet.ChainStatus, err error) fyne.CanvasObject {
	if err != nil {
		msg := wrapped(sentence(err.Error()))
		msg.Importance = widget.DangerImportance
		return msg
	}
	form := widget.NewForm()
	add := func(label, value string, mono bool) {
		l := widget.NewLabel(value)
		l.Wrapping = fyne.TextWrapWord
		if mono {
			l.Wrapping = fyne.TextWrapBreak // addresses and URLs have no spaces
			l.TextStyle.Monospace = true
		}
		form.Append(label, l)
	}
	kind := "Not connected"
	switch st.Kind {
	case "embedded":
		kind = "Development chain on this device"
	case "rpc":
		kind = "JSON-RPC"
	case "":
	default:
		kind = st.Kind
	}
	add("Chain", kind, false)
	if st.URL != "" {
		add("URL", st.URL, true)
	}
	if st.ChainID != 0 {
		add("Chain id", fmt.Sprint(st.ChainID), false)
	}
	if st.Registry != "" {
		add("Registry", st.Registry, true)
	}
	add("Address", st.Address, true)
	if st.BalanceETH != "" {
		add("Balance", st.BalanceETH+" ETH", false)
	}
	status := "Connected"
	if st.Problem != "" {
		status = sentence(st.Problem)
	} else if !st.Connected {
		status = "Not connected"
	}
	add("Status", status, false)

	rows := container.NewVBox(widget.NewLabelWithStyle("Outbox", fyne.TextAlignLeading, fyne.TextStyle{Bold: true}))
	if len(st.Outbox) == 0 {
		rows.Add(widget.NewLabel("Nothing waiting."))
	}
	for _, it := range st.Outbox {
		line := fmt.Sprintf("#%d %s · %s · %s", it.ID, it.Kind, it.State, plural(it.Attempts, "attempt", "attempts"))
		if it.Block != 0 {
			line += fmt.Sprintf(" · block %d", it.Block)
		}
		if it.TxHash != "" {
			line += "\ntx " + it.TxHash
		}
		if it.LastError != "" {
			line += "\nlast error: " + it.LastError
		}
		l := widget.NewLabel(line)
		l.Wrapping = fyne.TextWrapBreak
		l.SizeName = theme.SizeNameCaptionText
		rows.Add(l)
	}
	return container.NewVBox(form, rows)
}

// anchorSummary says what Anchor did, for people.
func anchorSummary(rep wallet.AnchorReport) string {
	if len(rep.Batches) == 0 && rep.Queued == 0 {
		return "Every record is already anchored."
	}
	n := 0
	for _, b := range rep.Batches {
		n += b.Count
	}
	s := fmt.Sprintf("%s in %s sent to the chain.", plural(n, "record", "records"), plural(len(rep.Batches), "batch", "batches"))
	if rep.Waiting() {
		s += " They are anchored once the next block includes them."
	}
	return s
}
