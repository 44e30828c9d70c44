package care

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"healthwallet/wallet/record"
	"healthwallet/wallet/share"
)

func (f *fixture) invitation(ss SignedScope) Invitation {
	l := share.Link{URL: "https://relay.example/shl/0123456789abcdef0123456789abcdef", Key: f.key, Flags: "L", Label: "care"}
	return Invitation{Card: f.pcard.String(), Scope: ss, Tweak: f.tweak, Copy: l.String(), Relay: "https://relay.example",
		ChainID: testChainID, Registry: testRegistry}
}

// The caregiver opens what the patient sealed, and finds their own
// relationship key in it; anyone else's key does not open it.
func TestInvitationSealOpen(t *testing.T) {
	f := newFixture(t)
	inv := f.invitation(f.sign(f.scope([]string{"share"}, record.CategoryMedications)))
	sealed, err := Seal(inv, f.ccard.SharingKey)
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("a sealed invitation is %d bytes (the relay holds at most %d)", len(sealed), MaxInvitationSize)
	if strings.Contains(string(sealed), "Ada") || strings.Contains(string(sealed), "hwcard") {
		t.Fatal("the sealed invitation shows its content")
	}
	sk, _ := f.caregiver.SharingKey()
	got, err := Open(sealed, sk)
	if err != nil {
		t.Fatal(err)
	}
	if got.Tweak != f.tweak || got.Copy != inv.Copy || got.Scope.Scope.Delegate != f.delegate {
		t.Fatalf("opened %+v", got)
	}
	addr, err := got.CheckFor(f.caregiver)
	if err != nil || addr != f.delegate {
		t.Fatalf("CheckFor(caregiver) = %s, %v", addr.Hex(), err)
	}
	// Sealed to another key: the patient (or a stranger) cannot open it.
	other, _ := f.patient.SharingKey()
	if _, err := Open(sealed, other); !errors.Is(err, ErrNotYourInvitation) {
		t.Fatalf("opened with another key: %v; want ErrNotYourInvitation", err)
	}
	// A stranger holding a copy of the invitation is not its delegate.
	if _, err := got.CheckFor(newIdentity(t)); !errors.Is(err, ErrBadInvitation) {
		t.Fatalf("CheckFor(stranger): %v", err)
	}
	// One bit flipped on the way.
	sealed[len(sealed)-3] ^= 1
	if _, err := Open(sealed, sk); !errors.Is(err, ErrNotYourInvitation) {
		t.Fatalf("altered: %v", err)
	}
}

// An invitation whose card is not the scope's signer, or whose scope was
// widened, is refused even when sealed correctly to the caregiver.
func TestInvitationForgeries(t *testing.T) {
	f := newFixture(t)
	ss := f.sign(f.scope([]string{"view"}, record.CategoryMedications))
	sk, _ := f.caregiver.SharingKey()

	stranger, _ := newIdentity(t).Card("Ada Lovelace")
	swapped := f.invitation(ss)
	swapped.Card = stranger.String()
	if _, err := swapped.Marshal(); !errors.Is(err, ErrBadInvitation) {
		t.Fatalf("card of someone else: %v", err)
	}
	widened := f.invitation(ss)
	widened.Scope.Scope.Rights = []string{"view", "share", "manage"}
	if _, err := Seal(widened, f.ccard.SharingKey); !errors.Is(err, ErrScopeSignature) {
		t.Fatalf("widened scope: %v", err)
	}
	// Sealed by hand around Marshal's checks: Open refuses it the same way.
	good := f.invitation(ss)
	b, err := good.Marshal()
	if err != nil {
		t.Fatal(err)
	}
	bad := strings.Replace(string(b), `"rights":["view"]`, `"rights":["view","share"]`, 1)
	if bad == string(b) {
		t.Fatal("test did not alter the rights")
	}
	if _, err := ParseInvitation([]byte(bad)); !errors.Is(err, ErrScopeSignature) {
		t.Fatalf("ParseInvitation(widened) = %v", err)
	}
	_ = sk
}

func TestInviteLink(t *testing.T) {
	exp := time.Now().Add(30 * 24 * time.Hour).Truncate(time.Second).UTC()
	l := InviteLink{URL: "https://relay.health-wallet.example.org/blob/AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA", Exp: exp}
	if err := l.Check(); err != nil {
		t.Fatal(err)
	}
	s := l.String()
	if len(s) > MaxInviteLink {
		t.Fatalf("link of %d characters", len(s))
	}
	got, err := ParseInviteLink("  https://viewer.example/#" + s + "\n")
	if err != nil || got != l {
		t.Fatalf("ParseInviteLink = %+v, %v; want %+v", got, err, l)
	}
	for _, bad := range []string{"", "hwinvite:", "hwinvite:!!", "shlink:/abc",
		InviteLink{URL: "http://relay.example/blob/x", Exp: exp}.String(),        // plain http elsewhere than this computer
		InviteLink{URL: "https://relay.example/blob/x"}.String(),                 // no expiry
		InvitePrefix + "eyJ1cmwiOiJodHRwczovL3guZXhhbXBsZSIsImV4cCI6MSwieCI6MX0", // unknown field
	} {
		if _, err := ParseInviteLink(bad); !errors.Is(err, ErrBadInvitation) {
			t.Errorf("ParseInviteLink(%q) = %v; want ErrBadInvitation", bad, err)
		}
	}
}

// FetchInvitation over HTTP: the relay's 404 and an expired link each give
// a message saying what to do.
func TestFetchInvitation(t *testing.T) {
	f := newFixture(t)
	inv := f.invitation(f.sign(f.scope([]string{"view"})))
	sealed, err := Seal(inv, f.ccard.SharingKey)
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path != "/blob/here" {
			http.NotFound(w, r)
			return
		}
		w.Write(sealed)
	}))
	defer srv.Close()
	sk, _ := f.caregiver.SharingKey()
	ctx := context.Background()
	link := InviteLink{URL: srv.URL + "/blob/here", Exp: time.Now().Add(time.Hour)}.String()
	got, err := FetchInvitation(ctx, nil, link, sk)
	if err != nil || got.Tweak != f.tweak {
		t.Fatalf("FetchInvitation = %v", err)
	}
	gone := InviteLink{URL: srv.URL + "/blob/gone", Exp: time.Now().Add(time.Hour)}.String()
	if _, err := FetchInvitation(ctx, nil, gone, sk); !errors.Is(err, ErrBadInvitation) || !strings.Contains(err.Error(), "new invitation") {
		t.Fatalf("404: %v", err)
	}
	old := InviteLink{URL: srv.URL + "/blob/here", Exp: time.Now().Add(-time.Hour)}.String()
	if _, err := FetchInvitation(ctx, nil, old, sk); !errors.Is(err, ErrInvitationExpired) {
		t.Fatalf("expired: %v", err)
	}
	ps, _ := f.patient.SharingKey()
	if _, err := FetchInvitation(ctx, nil, link, ps); !errors.Is(err, ErrNotYourInvitation) {
		t.Fatalf("another wallet: %v", err)
	}
	srv.Close()
	if _, err := FetchInvitation(ctx, nil, link, sk); err == nil || !strings.Contains(err.Error(), "could not reach") {
		t.Fatalf("relay down: %v", err)
	}
}
