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
// open or save, and [Clock] drives the idle lock, the search debounce and
// share countdowns. [NewBackend] is the real Backend over package wallet; it
// also receives shares for someone without a wallet, against the networks
// they trusted in this session.
//
// # Networks
//
// A new wallet lands on a choice: join a network (its link, or a photo of
// its QR code) or try it on this computer, which runs a network inside the
// app for as long as it is open. The plain view never speaks of chains or
// gas; Settings → Network says in one sentence whether the network works
// ("Works on this device only" when there is none). Addresses, the chain,
// its id and registry, the balance, the outbox and the node's details are
// in Settings → Advanced (advanced.go), the one screen that speaks of
// them. An error from a network that is down or not set up reads as one
// calm sentence (plainwords.go), never as the node's error or a command.
//
// # Screens
//
// One file per flow: welcome and create (onboarding), restore, unlock and
// password reset, records (list, categories, search), detail (the
// record's summary and whose it is first, then "Proof it is unchanged" in
// one sentence with its checks folded under Details, where it came from,
// its versions in words, and the original data behind a toggle), import,
// settings, network (the first start's choice — join a network or try it
// on this computer —, Settings → Network, the lost-device revocation),
// chain (anchor states in words, the offline banner, the chain in
// Settings → Advanced), share (making a share, its QR, the shares list, the
// direct share offered when no network answers) and receive (the doctor's
// screen, with the "Trust this network" action, and the patient's access
// log). [New] builds the window and picks
// the first screen: unlock when a wallet exists, welcome otherwise. Below
// 600 px wide (a phone) the headers' buttons show only their icons, so that
// the title keeps its room.
//
// # Receiving a share
//
// The receive screen (receive.go) takes a link from a keyboard-wedge
// scanner or a paste, or reads the QR code in a photo or screenshot
// ("Scan QR image…"): Fyne has no camera API, so on a phone the system's
// picker offers the camera roll. What it opened reads like a chart
// (received.go): the patient first — name, sex, birth date and age,
// identifiers, never an address —, a caregiver's share saying on whose
// behalf; one line of verdict (verified, not verified and why, or from
// another issuer); every check in a panel folded away when the share
// verified and open when not; then the records in the sections and order
// of record.MakeChart, the web viewer's too, with a search, each opening
// its detail. Records the patient's consent does not cover are listed
// apart, under a warning; the records of a share that failed are not shown.
//
// # Caregivers, people I care for, the emergency card
//
// Issue 9's screens speak of caregivers, people I care for and the
// emergency card, never of delegates or addresses. caregivers.go is the
// patient's side: the list of caregivers with what each may do, which
// records, until when, their state and last sync; adding one (their card,
// pasted or read from a QR photo; rights as check boxes in words; all
// records or chosen categories; one month, one year or a day), the
// invitation's QR and link, Renew, and Revoke, whose confirmation says that
// records already synced stay on the caregiver's device. people.go is the
// caregiver's side: accepting an invitation, the list of people with their
// shares, and the switcher under the records screen's header ("My
// records" and each person) through which the records list, categories,
// search, detail and share form show that person's records (CareRecords,
// CareRecord, CareShare); an ended delegation says when, and that the
// records stay on this device. emergency.go is the emergency profile
// (blood type, contacts, organ donor, notes, the records on the card with
// the active ones ticked) and the card: its QR large with the essentials,
// Save as PDF and PNG, Renew and Revoke.
//
// # Background work and alerts
//
// While a wallet is unlocked (background.go), the caregivers' copies
// (Sync) and the copies of the people cared for (CareSync) are brought up
// to date every few minutes and after an import, only when there is a
// caregiver or a person to sync; a failure is a calm note on the records
// screen and the next round tries again. Every minute the access log is
// read: a new emergency opening or caregiver's action becomes a
// notification (once; what was there at the first unlock is old news, and
// the newest time seen is kept in preferences across restarts), and the
// access log highlights emergency rows. A care sync that saw a new opening
// of a cared-for person's emergency card (care_alerts.go) sends the same
// kind of notification and highlights the last opening on that person's
// page: when, not who — that is sealed to the patient.
//
// # The chain
//
// The chain never blocks a screen. After an import, anchoring runs in the
// background and is followed up until the batches are in a block; while the
// network is down, the records screen says so in a calm banner and anchoring
// is retried every minute the wallet stays unlocked.
//
// # Threads
//
// Slow wallet calls (key derivation, import, backup, anchoring, sharing,
// receiving) run on a goroutine and
// come back to the UI through fyne.Do; widgets are never touched from a
// goroutine directly.
//
// # Locking
//
// Once unlocked, the wallet locks itself after the chosen idle time (5
// minutes unless changed in Settings). Every tap or key press handled by the
// UI resets the idle timer; on expiry the wallet is locked, any open dialog is
// closed and the unlock screen is shown — but for a share on screen at an
// appointment: it stays, locked (share_screen.go). Its QR, link and countdown
// remain and a direct share is still served, while the wallet's keys are
// dropped; from there only the unlock screen is reachable, and unlocking
// returns to the share.
package app
