package app

import (
	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"healthwallet/assets"
)

// showWelcome is the first screen when there is no wallet yet.
func (u *UI) showWelcome() {
	logo := canvas.NewImageFromResource(assets.Icon)
	logo.FillMode = canvas.ImageFillContain
	logo.SetMinSize(fyne.NewSize(96, 96))

	heading := title("Welcome to Health Wallet")
	heading.Alignment = fyne.TextAlignCenter
	intro := wrapped("Your medical records, kept on this device and encrypted with keys only you hold. " +
		"Share exactly what you choose, for as long as you choose.")
	intro.Alignment = fyne.TextAlignCenter

	u.show("welcome", page(
		container.NewCenter(logo),
		heading,
		intro,
		widget.NewSeparator(),
		u.primary("Create a new wallet", theme.ContentAddIcon(), func() { u.showCreate(&createFlow{}) }),
		u.button("Restore from recovery phrase", theme.DocumentIcon(), u.showRestorePhrase),
		u.button("Restore from backup file", theme.FolderOpenIcon(), u.showRestoreBackup),
		widget.NewSeparator(),
		u.button("Receive a share (for doctors)", receiveIcon(), u.showReceive),
	))
}
