package wallet

import (
	"context"
	"errors"
	"log/slog"
	"net"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/ethereum/go-ethereum/common"
	"github.com/ethereum/go-ethereum/crypto"

	"healthwallet/chain"
	"healthwallet/chain/outbox"
	"healthwallet/wallet/network"
	"healthwallet/wallet/share"
	"healthwallet/wallet/vault"
)

// riverside is how the tests' shares name their network.
var riverside = &share.NetworkRef{Name: "Riverside Clinic", URL: "https://riverside.example:8443#fp=ab12"}

// A share from a network the receiver does not trust opens: every record
// shown, not verified, with a failing "network trusted" check that names
// the network (name, chain id, registry) and says what trusting means.
// Trusting it (its chain id and registry) makes it the chain checked.
func TestReceiveTrustsNetworksNotLinks(t *testing.T) {
	f := newReceiveFixture(t, 2)
	ctx := context.Background()
	card, err := f.patient.Card()
	if err != nil {
		t.Fatal(err)
	}
	link, _, _ := f.share(t, func(r *share.ShareRequest) { r.Card, r.Network = card, riverside })

	got, err := ReceiveWithNetworks(ctx, link, ReceiveOptions{}, nil)
	if err != nil {
		t.Fatal(err)
	}
	c, ok := got.Find(share.CheckNetworkTrusted)
	registry := f.sim.Registry.Hex()
	switch {
	case got.Verified || !ok || c.OK:
		t.Fatalf("verified %v, network check %+v (found %v)", got.Verified, c, ok)
	case !strings.Contains(c.Detail, "Riverside Clinic") || !strings.Contains(c.Detail, registry) ||
		!strings.Contains(c.Detail, "chain "+f.sim.ChainID.String()) || !strings.Contains(c.Detail, "hw network trust "+riverside.URL):
		t.Fatalf("the check does not name the network: %q", c.Detail)
	case len(got.Records) != 2:
		t.Fatalf("%d records shown, want 2", len(got.Records))
	case got.Network == nil || got.Network.Trusted || got.Network.Registry != registry:
		t.Fatalf("network %+v", got.Network)
	case got.PatientName != "Ada Lovelace":
		t.Fatalf("patient %q", got.PatientName)
	}

	// Trusted by chain id and registry (whatever the link says), the chain
	// is asked: here its RPC is down, so the share is trusted, not verified.
	trusted := network.Membership{Document: network.Document{Name: "Riverside Clinic", ChainID: f.sim.ChainID.Uint64(),
		Registry: registry, RPC: []string{"http://127.0.0.1:1"}}, URL: "https://riverside.example:8443"}
	got, err = ReceiveWithNetworks(ctx, link, ReceiveOptions{}, []network.Membership{trusted})
	if err != nil {
		t.Fatal(err)
	}
	if c, _ := got.Find(share.CheckNetworkTrusted); !c.OK || !got.Network.Trusted || got.Verified || !strings.Contains(got.Problem, "not verified on chain") {
		t.Fatalf("trusted but down: check %+v, network %+v, verified %v, problem %q", c, got.Network, got.Verified, got.Problem)
	}
	other := trusted
	other.Registry = "0x000000000000000000000000000000000000dEaD"
	if got, _ = ReceiveWithNetworks(ctx, link, ReceiveOptions{}, []network.Membership{other}); got.Network.Trusted {
		t.Fatal("a network with another registry was taken for the share's")
	}

	// A wallet on the share's chain trusts it as its own.
	got, err = f.doctor.Receive(ctx, link, ReceiveOptions{})
	if err != nil || !got.Verified || !got.Network.Trusted || got.PatientName != "Ada Lovelace" {
		t.Fatalf("doctor on the same chain: verified %v, %+v, %q, %v, failed %+v", got.Verified, got.Network, got.PatientName, err, got.Failed())
	}
}

// Trusting, leaving and untrusting networks as a receiver keeps them in the
// sealed profile; a joined network cannot be untrusted without leaving.
func TestTrustedNetworksAreKept(t *testing.T) {
	w := newTestWallet(t)
	m := network.Membership{Document: network.Document{Name: "Riverside Clinic", ChainID: 1337, Registry: "0x000000000000000000000000000000000000bEEF"},
		URL: "https://riverside.example"}
	if err := w.updateProfile(func(p *profile) { p.Network = &m }); err != nil {
		t.Fatal(err)
	}
	if err := w.UntrustNetwork(m.URL); err == nil || !strings.Contains(err.Error(), "leave it first") {
		t.Fatalf("untrusting the joined network: %v", err)
	}
	if err := w.LeaveNetwork(); err != nil {
		t.Fatal(err)
	}
	if _, ok := w.Network(); ok {
		t.Fatal("still on the network after leaving")
	}
	w.Lock()
	if err := w.Unlock(testPassword); err != nil {
		t.Fatal(err)
	}
	if tr := w.TrustedNetworks(); len(tr) != 1 || tr[0].Name != "Riverside Clinic" {
		t.Fatalf("after leaving and unlocking again, trusted %+v", tr)
	}
	if err := w.UntrustNetwork(m.URL + "#fp=00"); err != nil {
		t.Fatal(err)
	}
	if tr := w.TrustedNetworks(); len(tr) != 0 {
		t.Fatalf("still trusted: %+v", tr)
	}
	st, err := w.NetworkStatus(context.Background())
	if err != nil || st.Kind != "none" || !strings.Contains(st.Summary, "Not on a network") {
		t.Fatalf("status %+v, %v", st, err)
	}
}

// "Try it on this computer": the node runs over the wallet's own chain, so
// a record anchored before stays verifiable; the wallet joins it, and its
// port is kept for the next start.
func TestStartLocalNetworkKeepsTheWalletsChain(t *testing.T) {
	w := newTestWallet(t)
	ctx := context.Background()
	importObservations(t, w, "local", 1)
	anchorUntilDone(t, w)
	recs, err := w.Records(Query{})
	if err != nil || len(recs) != 1 {
		t.Fatalf("%d records, %v", len(recs), err)
	}
	id := recs[0].ID
	before := w.ChainSettings()

	info, err := w.StartLocalNetwork(ctx, LocalNetworkOptions{})
	if err != nil {
		t.Fatal(err)
	}
	m, ok := w.Network()
	if !ok || !m.Local || m.URL != info.URL || m.Registry != before.Registry || m.ChainID != before.ChainID {
		t.Fatalf("membership %+v (ok %v), info %+v, chain before %+v", m, ok, info, before)
	}
	st, err := w.NetworkStatus(ctx)
	if err != nil || st.Kind != "local" || !st.Connected || !strings.HasPrefix(st.Summary, "Connected to ") {
		t.Fatalf("status %+v, %v", st, err)
	}
	if v, err := w.Verify(ctx, id); err != nil || !v.Valid {
		t.Fatalf("the record anchored before is not verifiable on the local network: %+v, %v", v, err)
	}

	// Closed and opened again (as hw does while the app is closed): the
	// node starts in-process, on the same port.
	dir := w.Dir()
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	w2, err := Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	defer w2.Close()
	if err := w2.Unlock(testPassword); err != nil {
		t.Fatal(err)
	}
	if v, err := w2.Verify(ctx, id); err != nil || !v.Valid {
		t.Fatalf("after reopening: %+v, %v", v, err)
	}
	if m2, _ := w2.Network(); m2.URL != m.URL {
		t.Fatalf("the local network moved from %s to %s", m.URL, m2.URL)
	}

	// Its port taken meanwhile: it starts on another, and the membership
	// follows.
	if err := w2.Close(); err != nil {
		t.Fatal(err)
	}
	ln, err := net.Listen("tcp", strings.TrimPrefix(m.URL, "http://"))
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	w3, err := Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	defer w3.Close()
	if err := w3.Unlock(testPassword); err != nil {
		t.Fatal(err)
	}
	if v, err := w3.Verify(ctx, id); err != nil || !v.Valid {
		t.Fatalf("with the old port taken: %+v, %v", v, err)
	}
	if m3, _ := w3.Network(); m3.URL == m.URL || !m3.Local {
		t.Fatalf("the local network stayed at %s (%+v)", m.URL, m3)
	}
}

// anchorUntilDone anchors until no batch waits, as hw anchor does.
func anchorUntilDone(t *testing.T, w *Wallet) {
	t.Helper()
	deadline := time.Now().Add(time.Minute)
	for {
		rep, err := w.Anchor(context.Background())
		if err != nil {
			t.Fatal(err)
		}
		if !rep.Waiting() {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("still waiting after a minute: %+v", rep)
		}
		time.Sleep(200 * time.Millisecond)
	}
}

// A lost device: from the recovery phrase on a new one, every standing
// grant and delegation is revoked on chain and the sharing key retired (a
// new card, the same address).
func TestRevokeEverythingFromANewDevice(t *testing.T) {
	e := newShareEnv(t)
	ctx := context.Background()
	importObservations(t, e.w, "lost", 2)
	res, err := e.w.Share(ctx, ShareRequest{All: true, TTL: time.Hour, Purpose: "TREAT"})
	if err != nil || res.Problem != "" {
		t.Fatalf("share: %+v, %v", res, err)
	}
	// A caregiver's delegation, set by the old device.
	caregiver := common.HexToAddress("0x00000000000000000000000000000000000CaFe1")
	signer, err := e.w.actionSigner(e.sw.sim.ChainID, e.sw.sim.Registry)
	if err != nil {
		t.Fatal(err)
	}
	set, err := signer.SetDelegate(caregiver, 1, uint64(time.Now().Add(24*time.Hour).Unix()), crypto.Keccak256Hash([]byte("scope")), 0, uint64(time.Now().Add(time.Hour).Unix()))
	if err != nil {
		t.Fatal(err)
	}
	if err := e.w.vault.Update(func(tx *vault.Tx) error {
		_, err := outbox.Enqueue(tx, "setDelegate", caregiver.Bytes(), set)
		return err
	}); err != nil {
		t.Fatal(err)
	}
	if problem, err := e.w.drain(ctx); err != nil || problem != "" {
		t.Fatalf("drain: %q, %v", problem, err)
	}
	view := chain.NewRegistry(e.sw.sim.Client, e.sw.sim.Registry)
	patient := testAddress(t)
	if d, err := view.DelegateOf(ctx, patient, caregiver); err != nil || !d.Active {
		t.Fatalf("delegation before: %+v, %v", d, err)
	}
	oldCard, _ := e.w.Card()

	// The new device: the same phrase, nothing of the old one's shares.
	opts := fastKDF
	opts.OpenChain = e.sw.open
	w2, err := Create(t.TempDir(), testMnemonic, testPassword, "Ada Lovelace", opts)
	if err != nil {
		t.Fatal(err)
	}
	defer w2.Close()
	rep, err := w2.RevokeEverything(ctx)
	if err != nil || rep.Grants != 1 || rep.Delegations != 1 || !rep.SharingKeyRetired {
		t.Fatalf("RevokeEverything: %+v, %v", rep, err)
	}
	deadline := time.Now().Add(30 * time.Second)
	for {
		g, gerr := view.GrantOf(ctx, patient, common.HexToHash(res.Grant))
		d, derr := view.DelegateOf(ctx, patient, caregiver)
		if gerr == nil && derr == nil && !g.Active && g.Revoked && !d.Active {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("after RevokeEverything: grant %+v (%v), delegation %+v (%v)", g, gerr, d, derr)
		}
		if _, err := w2.drain(ctx); err != nil {
			t.Fatal(err)
		}
		time.Sleep(100 * time.Millisecond)
	}
	newCard, _ := w2.Card()
	if newCard == oldCard || w2.Address() != e.w.Address() {
		t.Fatal("the sharing key was not retired, or the address changed")
	}
	// The retired key stays retired after the wallet is opened again.
	w2.Lock()
	if err := w2.Unlock(testPassword); err != nil {
		t.Fatal(err)
	}
	if again, _ := w2.Card(); again != newCard {
		t.Fatal("after unlocking, the wallet went back to the retired sharing key")
	}
	// Nothing is left to revoke.
	if rep, err := w2.RevokeEverything(ctx); err != nil || rep.Grants != 0 || rep.Delegations != 0 {
		t.Fatalf("a second time: %+v, %v", rep, err)
	}
}

// "Let devices on this Wi-Fi open my shares": the local network serves TLS
// on the LAN address with a self-signed certificate, pinned by the join
// URL's fingerprint; the wallet reaches its chain through the pin. A
// machine with no LAN address is told so.
func TestStartLocalNetworkOnTheLAN(t *testing.T) {
	w := newTestWallet(t)
	ctx := context.Background()
	info, err := w.StartLocalNetwork(ctx, LocalNetworkOptions{LAN: true})
	if _, lanErr := lanAddress(); lanErr != nil {
		if err == nil || !strings.Contains(err.Error(), "no local network address") {
			t.Fatalf("without a LAN address: %v", err)
		}
		return
	}
	if err != nil {
		t.Fatal(err)
	}
	m, _ := w.Network()
	if !strings.HasPrefix(info.URL, "https://") || info.Fingerprint == "" || m.Fingerprint != info.Fingerprint || !strings.Contains(info.JoinURL, "#fp=") {
		t.Fatalf("info %+v, membership %+v", info, m)
	}
	if st, err := w.ChainStatus(ctx); err != nil || !st.Connected || st.Balance != "0" {
		t.Fatalf("chain status through the pinned certificate: %+v, %v", st, err)
	}
}

// A network served over TLS with a self-signed certificate, pinned by its
// join URL: the patient anchors and shares through it (its relay reached
// through the pin), and a doctor who joined it opens and verifies the share
// through the pin too, while a receiver who trusts no network cannot even
// fetch from it.
func TestNetworkOverPinnedTLS(t *testing.T) {
	ctx := context.Background()
	srv, err := network.Start(ctx, network.ServerConfig{Listen: "127.0.0.1:0", DataDir: t.TempDir(), Name: "Riverside Clinic",
		ForceTLS: true, BlockPeriod: time.Second, Logger: slog.New(slog.DiscardHandler)})
	if err != nil {
		t.Fatal(err)
	}
	defer srv.Close()
	info := srv.Info()
	if info.Fingerprint == "" {
		t.Fatalf("no pinned certificate: %+v", info)
	}
	patient := newTestWallet(t)
	if _, err := patient.JoinNetwork(ctx, info.JoinURL, ""); err != nil {
		t.Fatal(err)
	}
	importObservations(t, patient, "tls", 2)
	anchorUntilDone(t, patient)
	res, err := patient.Share(ctx, ShareRequest{All: true, TTL: time.Hour, Purpose: "TREAT"})
	if err != nil || res.Problem != "" || !strings.Contains(res.Link, "shlink:/") {
		t.Fatalf("share: %+v, %v", res, err)
	}

	doctor, err := Create(t.TempDir(), doctorMnemonic, testPassword, "Dr. Lee", fastKDF)
	if err != nil {
		t.Fatal(err)
	}
	defer doctor.Close()
	if _, err := doctor.JoinNetwork(ctx, info.JoinURL, ""); err != nil {
		t.Fatal(err)
	}
	got, err := doctor.Receive(ctx, res.Link, ReceiveOptions{HTTP: &http.Client{Timeout: 10 * time.Second}})
	if err != nil || !got.Verified || got.PatientName != "Ada Lovelace" || got.Network.Name != "Riverside Clinic" {
		t.Fatalf("doctor: verified %v, %q, %+v, %v, failed %+v", got.Verified, got.PatientName, got.Network, err, got.Failed())
	}
	if _, err := ReceiveWithNetworks(ctx, res.Link, ReceiveOptions{}, nil); err == nil {
		t.Fatal("a receiver without the pin fetched from a self-signed relay")
	}
}

// A relay that does not answer (the network down) is said in words that
// offer the direct share; nothing is shared.
func TestShareWithTheRelayDown(t *testing.T) {
	e := newShareEnv(t)
	importObservations(t, e.w, "down", 1)
	if err := e.w.SetRelayURL("http://127.0.0.1:1"); err != nil {
		t.Fatal(err)
	}
	_, err := e.w.Share(context.Background(), ShareRequest{All: true, TTL: time.Hour, Purpose: "TREAT"})
	if !errors.Is(err, ErrRelayUnreachable) || !strings.Contains(err.Error(), "share directly on the local network") {
		t.Fatalf("share with the relay down: %v", err)
	}
	if shares, err := e.w.Shares(context.Background()); err != nil || len(shares) != 0 {
		t.Fatalf("shares after the failed share: %+v, %v", shares, err)
	}
}
