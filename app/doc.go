// Package app is the Health Wallet desktop and phone user interface, built
// with Fyne. It is a thin shell over package wallet: every screen calls the
// wallet API and shows what comes back; no crypto and no chain code live here.
//
// The common case, from a tiny main:
//
//	a := fyneapp.NewWithID("org.healthwallet.app")
//	app.Run(a, app.NewBackend(dir, wallet.Options{}))
//
// # Services
//
// The UI takes its services through small interfaces so that tests can hand
// it fakes: [Backend] makes, opens and restores wallets, [Wallet] is one open
// wallet (*wallet.Wallet satisfies it), [Files] asks the person for files to
// open or save, and [Clock] drives the idle lock and the search debounce.
// [NewBackend] is the real Backend over package wallet.
//
// # Screens
//
// One file per flow: welcome and create (onboarding), restore, unlock and
// password reset, records (list, categories, search), detail, import and
// settings. [New] builds the window and picks the first screen: unlock when
// a wallet exists, welcome otherwise.
//
// # Threads
//
// Slow wallet calls (key derivation, import, backup) run on a goroutine and
// come back to the UI through fyne.Do; widgets are never touched from a
// goroutine directly.
//
// # Locking
//
// Once unlocked, the wallet locks itself after the chosen idle time (5
// minutes unless changed in Settings). Every tap or key press handled by the
// UI resets the idle timer; on expiry the wallet is locked, any open dialog is
// closed and the unlock screen is shown.
package app
