package app

import (
	"context"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"healthwallet/wallet"
)

// This file: Settings → Advanced, the one place the app speaks of
// addresses, chains and nodes — for whoever helps the person, or a curious
// person. The main flows say the same in plain words.

// advancedLabel opens Settings → Advanced.
const advancedLabel = "Advanced settings…"

// showSettingsAdvanced shows the wallet's address, the network's
// technical details and the chain: its status, balance, outbox, "Anchor
// now", and a chain URL to use instead of a network.
func (u *UI) showSettingsAdvanced() {
	back := u.button("Back", theme.NavigateBackIcon(), u.showSettings)
	addr := widget.NewLabel(u.wallet.Address())
	addr.TextStyle.Monospace = true
	addr.Wrapping = fyne.TextWrapBreak
	copyAddr := u.button("", theme.ContentCopyIcon(), func() {
		u.app.Clipboard().SetContent(u.wallet.Address())
	})
	details := container.NewVBox(widget.NewLabel("Checking the network…"))
	chain, refreshChain := u.chainSection()
	u.show("settings-advanced", container.NewBorder(header(back, "Advanced"), nil, nil, nil, page(
		wrapped("The technical side of your wallet, for whoever helps you set it up. Nothing here is needed day to day."),
		section("Address"),
		wrapped("Your wallet's address on the chain: your records are anchored under it."),
		container.NewBorder(nil, nil, nil, copyAddr, addr),
		widget.NewSeparator(),
		section("Network details"),
		details,
		widget.NewSeparator(),
		chain,
	)))

	w := u.wallet
	refreshChain()
	u.background(func() {
		st, err := w.NetworkStatus(context.Background())
		fyne.Do(func() {
			if u.wallet != w || u.screen != "settings-advanced" {
				return
			}
			if err != nil {
				st = wallet.NetworkStatus{Problem: err.Error()}
			}
			details.Objects = []fyne.CanvasObject{networkDetails(st)}
			details.Refresh()
		})
	})
}
