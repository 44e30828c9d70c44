package app

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"healthwallet/wallet"
	"healthwallet/wallet/network"
)

// A new wallet lands on the network choice; a wrong link says so, an
// invitation-only network asks for its code, and the right code joins.
func TestFirstStartJoinsANetwork(t *testing.T) {
	b := newFakeBackend(true)
	b.wallet.net.none()
	b.wallet.net.invite = testInvite
	h := newHarness(t, b, phoneSize, false)
	h.unlock()
	h.ui.firstStart(false)
	h.screen("network-choice")
	for _, word := range []string{"Ethereum", "ETH", "gas", "chain"} {
		for _, s := range h.texts() {
			if strings.Contains(s, word) {
				t.Errorf("the first start says %q: %q", word, s)
			}
		}
	}
	h.tap("Join")
	h.see("Paste the network's link, or open a photo of its QR code.")

	h.typeIn(h.entry("https://… (the network's link)"), "https://elsewhere.example")
	h.tap("Join")
	h.see("no network answers there: check the link")
	h.screen("network-choice")

	// A photo of the network's QR code fills in the link and joins.
	img := filepath.Join(t.TempDir(), "network-qr.png")
	if err := os.WriteFile(img, []byte(testJoinURL), 0o600); err != nil {
		t.Fatal(err)
	}
	h.files.open = img
	h.tap("Open QR image…")
	h.see("takes members by invitation only")
	invite := h.entry("Invitation code")
	if h.ui.win.Canvas().Focused() != invite {
		t.Error("the invitation code field is not focused")
	}
	h.typeIn(invite, testInvite)
	h.pressEnter()
	h.see("You are on the Riverside Clinic network now.")
	h.tap("OK")
	h.screen("records")
	if want := []string{"https://elsewhere.example", testJoinURL, testJoinURL}; !slices.Equal(b.wallet.net.joins, want) {
		t.Errorf("joined %q, want %q", b.wallet.net.joins, want)
	}
}

// "Try it on this computer" starts the local network, on this computer
// only unless the Wi-Fi switch is on; the app starts it again after the
// next unlock, with the same choice.
func TestTryItOnThisComputer(t *testing.T) {
	b := newFakeBackend(true)
	b.wallet.net.none()
	h := newHarness(t, b, desktopSize, false)
	h.unlock()
	h.ui.firstStart(false)
	h.check("Let devices on this Wi-Fi open my shares")
	h.tap("Try it on this computer")
	h.see("You are on the network on Ada's computer now.")
	h.tap("OK")
	h.screen("records")
	if len(b.wallet.net.local) != 1 || !b.wallet.net.local[0].LAN {
		t.Fatalf("local network started with %+v, want once, on the Wi-Fi", b.wallet.net.local)
	}

	h.ui.lock()
	h.unlock()
	if len(b.wallet.net.local) != 1 {
		t.Fatalf("started %d times while the app stayed open, want once", len(b.wallet.net.local))
	}

	// Changing the Wi-Fi choice while it runs applies at the next start.
	h.menu("Settings")
	h.see("Another wallet on this computer joins the network on Ada's computer with this code or its link.")
	h.dontSee("Show this to the doctor's or caregiver's app")
	h.tap("Join another network")
	h.setCheck("Let devices on this Wi-Fi open my shares", false)
	h.tap("Try it on this computer")
	h.see("The Wi-Fi setting applies the next time Health Wallet opens.")
	h.tap("OK")
	h.screen("settings")
	if h.ui.app.Preferences().Bool(prefLocalLAN) {
		t.Error("the Wi-Fi choice is not kept for the next start")
	}

	// The app opened again: it serves the local network again.
	h2 := newHarness(t, b, desktopSize, false)
	h2.ui.app.Preferences().SetBool(prefLocalLAN, true)
	b.wallet.locked = true
	h2.unlock()
	if len(b.wallet.net.local) != 3 || !b.wallet.net.local[2].LAN {
		t.Fatalf("local network on reopening: %+v", b.wallet.net.local)
	}
}

// Skipping the choice leaves the wallet on no network; Settings says so in
// plain words and offers to join.
func TestSkipNetworkThenJoinFromSettings(t *testing.T) {
	b := newFakeBackend(true)
	b.wallet.net.none()
	h := newHarness(t, b, desktopSize, false)
	h.unlock()
	h.ui.firstStart(false)
	h.tap("Skip for now")
	h.screen("records")
	h.menu("Settings")
	h.see("Works on this device only")
	h.tap("Join a network")
	h.screen("network-choice")
	h.typeIn(h.entry("https://… (the network's link)"), testJoinURL)
	h.tap("Join")
	h.tap("OK")
	h.screen("settings")
	h.see("Connected to Riverside Clinic network — records anchored, shares work")
}

// Settings → Network: the plain sentence, the name, the join QR for the
// doctor's app, and the technical details one tap away; Leave asks first
// and says what leaving means.
func TestSettingsNetwork(t *testing.T) {
	h, w := unlocked(t)
	h.menu("Settings")
	h.screen("settings")
	h.see("Connected to Riverside Clinic network — records anchored, shares work")
	h.see("Riverside Clinic")
	h.see("Show this to the doctor's or caregiver's app")
	for _, word := range []string{"ETH", "Ethereum", "gas", "31337", testFingerprint} {
		for _, s := range h.texts() {
			if strings.Contains(s, word) {
				t.Errorf("the plain view of Settings says %q: %q", word, s)
			}
		}
	}

	h.tap(advancedLabel)
	h.screen("settings-advanced")
	h.see(testAddress)
	for _, s := range []string{"31337", "0x5FbDB2315678afecb367f032d93F642f64180aa3", testNetworkURL + "/rpc",
		testNetworkURL + "/submit", testFingerprint, "open", "3 of 500",
		"9998.7654321 ETH", "#2 anchor · pending · 3 attempts", "#1 anchor · final · 1 attempt · block 42"} {
		h.see(s)
	}
	h.tap("Anchor now")
	if w.chain.anchorCalls != 1 {
		t.Fatalf("Anchor called %d times", w.chain.anchorCalls)
	}
	h.see("Every record is already anchored.")

	h.tap("Back")
	h.screen("settings")
	h.tap("Leave")
	h.see("Leave the Riverside Clinic network?")
	h.see("Your records stay on this device.")
	h.tap("Cancel")
	if w.net.left != 0 {
		t.Fatal("left without confirming")
	}
	h.tap("Leave")
	h.tapLast("Leave")
	if w.net.left != 1 {
		t.Fatalf("left %d times", w.net.left)
	}
	h.see("Works on this device only")
	h.button("Join a network")
}

// A network that does not answer: said calmly, with what waits.
func TestSettingsNetworkDown(t *testing.T) {
	h, w := unlocked(t)
	w.net.down()
	h.menu("Settings")
	h.see("Riverside Clinic network is not answering — your records are safe here; 3 actions wait and will be sent when it is back")
}

// The shares screen never sends the patient to a terminal: with no network
// answering, it says so in words and shares directly in one tap.
func TestShareOffersDirectWhenNoNetworkAnswers(t *testing.T) {
	for _, tc := range []struct {
		name string
		err  error
		none bool
		want string
	}{
		{"down", fmt.Errorf("uploading the share to the relay at %s: %w", testNetworkURL,
			&os.SyscallError{Syscall: "connect", Err: errors.New("connection refused")}), false,
			"The Riverside Clinic network is not answering, so this share cannot go through it right now."},
		{"none", wallet.ErrNoRelay, true, "This wallet is not on a network yet"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			h, w := unlocked(t)
			if tc.none {
				w.net.none()
			}
			w.chain.shareErr = tc.err
			if !tc.none {
				w.chain.shareErr = &netDown{tc.err}
			}
			h.tap("Share")
			h.typeIn(h.entry("Optional passcode"), "4711")
			h.tap("Create share")
			h.tapLast("Share")
			h.screen("share")
			h.see(tc.want)
			h.see("A direct share has no passcode.")
			h.dontSee("hw ")
			h.dontSee("relay-url")
			h.tap("Share directly on this Wi-Fi")
			h.screen("share-result")
			if w.chain.directs != 1 || w.chain.requests[0].Passcode != "" {
				t.Fatalf("direct shares %d, request %+v", w.chain.directs, w.chain.requests)
			}
			h.see("Served from this device on the local network")
		})
	}
}

// netDown is a network error, as a relay that does not answer gives.
type netDown struct{ err error }

func (e *netDown) Error() string   { return e.err.Error() }
func (e *netDown) Unwrap() error   { return e.err }
func (e *netDown) Timeout() bool   { return false }
func (e *netDown) Temporary() bool { return false }

// "I lost my other device" says what happens, then revokes everything.
func TestLostDevice(t *testing.T) {
	h, w := unlocked(t)
	h.menu("Settings")
	h.tap("I lost my other device")
	h.see("Every share and delegation you ever made stops working")
	h.tap("Cancel")
	if w.net.revokes != 0 {
		t.Fatal("revoked without confirming")
	}
	h.tap("I lost my other device")
	h.tap("Revoke everything")
	if w.net.revokes != 1 {
		t.Fatalf("RevokeEverything called %d times", w.net.revokes)
	}
	h.see("Done: 2 shares and 1 delegation revoked. Your sharing key was replaced")
}

// The wallet's sharing errors that name hw commands are worded for the
// app: no terminal in sight.
func TestShareProblemsNameNoCommand(t *testing.T) {
	h, w := unlocked(t)
	w.chain.shareErr = fmt.Errorf("%w: 0b1e…, 0b1f…", wallet.ErrNotAnchored)
	h.tap("Share")
	h.tap("Create share")
	h.tapLast("Share")
	h.see("Some of these records are not anchored yet, so they cannot be shared")
	h.dontSee("hw ")
	h.dontSee("Share directly on this Wi-Fi")
}

// A wallet on another network receives a share made on the Riverside
// Clinic network: not verified, the network named; trusting it keeps it
// in the wallet and opens the share again, verified.
func TestReceiveTrustsNetworkInWallet(t *testing.T) {
	h, w := unlocked(t)
	w.net.join(localMembership())
	h.menu("Receive a share")
	h.typeIn(h.entry("Paste a link or scan a QR code"), testLink)
	h.pressEnter()
	h.see("Female · born 10 Dec 1815, 208 years · MRN 004711")
	h.see("Not checked: made on the network “Riverside Clinic”, which is not trusted here; confirm the records with the patient")
	h.tap("Trust this network")
	h.tapLast("Trust this network")
	if !slices.Equal(w.net.trusted, []string{testJoinURL}) {
		t.Fatalf("trusted %q", w.net.trusted)
	}
	h.see(verifiedLine)
	h.see("Shared by Ada Lovelace")
	if len(w.chain.receipts) != 2 {
		t.Errorf("the share opened %d times, want twice", len(w.chain.receipts))
	}
}

// The patient's name heads a received share; when the identity card and
// the records disagree, a warning says so.
func TestReceiveWarnsWhenCardAndRecordsDisagree(t *testing.T) {
	b := newFakeBackend(false)
	h := newHarness(t, &disagreeing{b}, desktopSize, false)
	h.tap("Receive a share (for doctors)")
	h.typeIn(h.entry("Paste a link or scan a QR code"), testLink)
	h.pressEnter()
	h.see("Female · born 10 Dec 1815, 208 years · MRN 004711")
	h.see("The identity card names Ada Lovelace, the Patient record Augusta Ada King")
}

// disagreeing is the fake backend whose shares' card and records name the
// patient differently.
type disagreeing struct{ *fakeBackend }

func (d *disagreeing) Receive(ctx context.Context, link string, trusted []network.Membership, opts wallet.ReceiveOptions) (wallet.Received, error) {
	got, err := d.fakeBackend.Receive(ctx, link, trusted, opts)
	got.PatientWarning = "the identity card names Ada Lovelace, the Patient record Augusta Ada King"
	return got, err
}

// A wallet the network no longer lists as a member is told so, in words,
// and joins again in one tap.
func TestSettingsNetworkJoinAgain(t *testing.T) {
	h, w := unlocked(t)
	w.net.status.Account.Enrolled = false
	w.net.status.Problem = "the network no longer lists this wallet as enrolled: join it again (hw network join " + testJoinURL + ")"
	h.menu("Settings")
	h.see("The network no longer lists this wallet as a member: join it again.")
	h.dontSee("hw network")
	h.tap("Join again")
	if !slices.Equal(w.net.joins, []string{testJoinURL}) {
		t.Fatalf("joined %q", w.net.joins)
	}
	h.dontSee("no longer lists")
}

// A link served by a node with its own certificate cannot be opened until
// its network is trusted: the doctor is told so in words, trusts the
// network by its link (the patient's Settings shows its QR code), and the
// link opens, verified.
func TestReceiveFromAnUnknownServer(t *testing.T) {
	b := newFakeBackend(false)
	h := newHarness(t, b, desktopSize, false)
	h.tap("Receive a share (for doctors)")
	h.typeIn(h.entry("Paste a link or scan a QR code"), testLinkSelfSigned)
	h.pressEnter()
	h.see("The link's server is on a network this app does not know yet")
	h.dontSee("x509")
	h.tap("Trust a network…")
	h.see("Ask the patient to show their network's QR code")
	h.typeIn(h.entry("https://… (the network's link)"), testJoinURL)
	h.tapLast("Trust this network")
	if !slices.Equal(b.fetched, []string{testJoinURL}) {
		t.Fatalf("fetched %q", b.fetched)
	}
	h.see(verifiedLine)
	h.see("Shared by Ada Lovelace")
}

// The network's link is copied for another wallet on this computer, which
// cannot scan this screen.
func TestSettingsCopiesTheNetworksLink(t *testing.T) {
	h, _ := unlocked(t)
	h.menu("Settings")
	h.tap("Copy the network's link")
	if got := h.ui.app.Clipboard().Content(); got != testJoinURL {
		t.Fatalf("clipboard %q, want the join URL", got)
	}
	h.see("Copied")
}
