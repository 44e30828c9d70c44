package wallet

import (
	"context"
	"errors"
	"strings"
	"testing"

	"healthwallet/wallet/share"
)

// Finding 5 of issue 7, the patient's side: a relay reached over plain http
// (anyone on the way could read and change the uploads and the management
// calls) is refused when saved and when given for one share; loopback is a
// relay on this computer and stays allowed.
func TestRelayURLRefusesPlainHTTP(t *testing.T) {
	w := newTestWallet(t)
	if err := w.SetRelayURL("http://relay.example"); !errors.Is(err, share.ErrPlainHTTP) {
		t.Errorf("saving an http relay: %v; want it refused as plain http", err)
	}
	if u, _ := w.RelayURL(); u != "" {
		t.Errorf("an http relay was saved: %q", u)
	}
	for _, ok := range []string{"https://relay.example", "http://127.0.0.1:8080"} {
		if err := w.SetRelayURL(ok); err != nil {
			t.Errorf("saving %s: %v", ok, err)
		}
	}
	_, err := w.Share(context.Background(), ShareRequest{All: true, TTL: MinShareTTL, Purpose: "TREAT", Relay: "http://relay.example"})
	if !errors.Is(err, share.ErrPlainHTTP) {
		t.Errorf("sharing through an http relay: %v; want it refused as plain http", err)
	}
}

// A direct share is plain http on the local network: it offers no
// passcode, which would travel in clear (and which receivers refuse).
func TestShareDirectRefusesPasscode(t *testing.T) {
	w := newTestWallet(t)
	_, err := w.ShareDirect(context.Background(), ShareRequest{All: true, TTL: MinShareTTL, Purpose: "TREAT", Passcode: "1234"}, "127.0.0.1:0")
	if err == nil || !strings.Contains(err.Error(), "cannot have a passcode") {
		t.Fatalf("a direct share with a passcode: %v", err)
	}
}

// A direct share from a public address would be plain http across networks
// that receivers refuse to open: it is refused when made, saying why, and
// the wallet can share directly again at once.
func TestShareDirectRefusesAPublicAddress(t *testing.T) {
	w := newTestWallet(t)
	_, err := w.ShareDirect(context.Background(), ShareRequest{All: true, TTL: MinShareTTL, Purpose: "TREAT"}, "203.0.113.7:0")
	if err == nil || !strings.Contains(err.Error(), "not an address of a private local network") {
		t.Fatalf("a direct share from a public address: %v", err)
	}
	if _, busy := directServing.Load(w.dir); busy {
		t.Fatal("the refused direct share still holds the wallet's direct slot")
	}
}
