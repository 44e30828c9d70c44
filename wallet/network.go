package wallet

import (
	"context"
	"errors"
	"fmt"
	"math/big"
	"net/http"
	"slices"
	"strings"
	"time"

	"github.com/ethereum/go-ethereum/crypto"

	"healthwallet/chain"
	"healthwallet/chain/outbox"
	"healthwallet/wallet/network"
	"healthwallet/wallet/share"
	"healthwallet/wallet/vault"
)

// This file: the wallet on a network (DESIGN §11) — joining, leaving, the
// networks a receiver trusts, the network the app runs on this computer,
// and revoking everything from a new device.
//
// Which chain a wallet talks to, first match wins: a JSON-RPC URL given for
// the session (--chain, HW_CHAIN: scripts send their own transactions); the
// joined network (signed actions go through its submission endpoint, which
// pays their gas); a saved JSON-RPC URL; the embedded chain.

// NetworkStatus is what Settings → Network shows: plain words first, the
// details one tap away.
type NetworkStatus struct {
	// Kind is "network" (a joined network), "local" (the network this
	// computer runs), "chain" (a JSON-RPC chain given with --chain) or
	// "none" (not joined: records are kept but not anchored anywhere others
	// can check).
	Kind string `json:"kind"`
	// Name is the network's name ("Riverside Clinic").
	Name string `json:"name,omitempty"`
	// Connected says the node answers now.
	Connected bool `json:"connected"`
	// Summary is one sentence for people: "Connected to Riverside Clinic
	// network — records anchored, shares work".
	Summary string `json:"summary"`
	// Problem says what is wrong and what to do, calmly; empty when fine.
	Problem string `json:"problem,omitempty"`
	// Membership is the joined network's details (nil when none).
	Membership *network.Membership `json:"network,omitempty"`
	// Account is the node's view of this wallet (enrolled, actions used).
	Account *network.Account `json:"account,omitempty"`
	// Waiting is how many signed actions wait to be submitted.
	Waiting int `json:"waiting"`
}

// JoinNetwork fetches the network at joinURL (checking its document
// against its chain), enrols the wallet (invite for an invitation-only
// network), and makes it the wallet's network: anchors, grants and revokes
// go through its submission endpoint, shares through its relay, and
// receivers' verification trusts it.
func (w *Wallet) JoinNetwork(ctx context.Context, joinURL, invite string) (network.Membership, error) {
	if err := w.unlocked(); err != nil {
		return network.Membership{}, err
	}
	m, err := network.Fetch(ctx, strings.TrimSpace(joinURL))
	if err != nil {
		return network.Membership{}, fmt.Errorf("joining the network at %s: %w", joinURL, err)
	}
	return w.enrolAndSave(ctx, m, invite)
}

// enrolAndSave enrols the wallet at m's node and makes m the wallet's
// network.
func (w *Wallet) enrolAndSave(ctx context.Context, m network.Membership, invite string) (network.Membership, error) {
	if err := w.networkClient(m).Enrol(ctx, strings.TrimSpace(invite)); err != nil {
		return network.Membership{}, fmt.Errorf("joining the %s network: %w", m.Name, err)
	}
	m.Joined = now().UTC().Truncate(time.Second)
	w.chainMu.Lock()
	defer w.chainMu.Unlock()
	w.closeNetworkLocked()
	err := w.updateProfile(func(p *profile) {
		p.Network = &m
		p.Trusted = slices.DeleteFunc(p.Trusted, func(t network.Membership) bool { return t.URL == m.URL })
	})
	if err != nil {
		return network.Membership{}, err
	}
	return m, nil
}

// networkClient is m's submission client, authenticated by the wallet's
// chain key.
func (w *Wallet) networkClient(m network.Membership) *network.Client {
	return network.NewClient(m, w.signDigest)
}

// signDigest signs a 32-byte digest with the wallet's chain key.
func (w *Wallet) signDigest(digest []byte) ([]byte, error) {
	key, err := w.ChainKey()
	if err != nil {
		return nil, err
	}
	return crypto.Sign(digest, key)
}

// Network is the wallet's joined network; ok is false when none.
func (w *Wallet) Network() (m network.Membership, ok bool) {
	w.mu.RLock()
	defer w.mu.RUnlock()
	if w.profile.Network == nil {
		return network.Membership{}, false
	}
	return *w.profile.Network, true
}

// networkInForceLocked is the joined network when the wallet talks to it:
// not when the session was given its own chain URL (--chain). Call with
// chainMu held.
func (w *Wallet) networkInForceLocked() (network.Membership, bool) {
	if w.chain.url != "" {
		return network.Membership{}, false
	}
	return w.Network()
}

// LeaveNetwork forgets the joined network (it stays trusted for receiving
// until UntrustNetwork). Signed actions waiting for it stay in the outbox.
func (w *Wallet) LeaveNetwork() error {
	if err := w.unlocked(); err != nil {
		return err
	}
	m, ok := w.Network()
	if !ok {
		return errors.New("this wallet has not joined a network: there is nothing to leave")
	}
	w.chainMu.Lock()
	defer w.chainMu.Unlock()
	w.closeNetworkLocked()
	return w.updateProfile(func(p *profile) {
		p.Network = nil
		if !slices.ContainsFunc(p.Trusted, func(t network.Membership) bool { return t.URL == m.URL }) {
			p.Trusted = append(p.Trusted, m)
		}
	})
}

// NetworkStatus reports the network in plain words.
func (w *Wallet) NetworkStatus(ctx context.Context) (NetworkStatus, error) {
	if err := w.unlocked(); err != nil {
		return NetworkStatus{}, err
	}
	waiting, err := w.waitingActions()
	if err != nil {
		return NetworkStatus{}, err
	}
	st := NetworkStatus{Waiting: waiting}
	w.chainMu.Lock()
	m, onNetwork := w.networkInForceLocked()
	s := w.settingsLocked()
	w.chainMu.Unlock()
	if !onNetwork {
		if s.URL == "" {
			st.Kind = "none"
			st.Summary = "Not on a network — your records are kept safely here, but anchored only on this computer's own chain, which others cannot check"
			st.Problem = "Join a network (hw network join URL), or try one on this computer, so that doctors can verify what you share"
			return st, nil
		}
		st.Kind, st.Name = "chain", s.URL
		cs, err := w.ChainStatus(ctx)
		if err != nil {
			return st, err
		}
		st.Connected, st.Problem = cs.Connected, cs.Problem
		st.Summary = "Using the chain at " + s.URL + " — this wallet sends its own transactions"
		return st, nil
	}
	st.Kind, st.Name, st.Membership = "network", m.Name, &m
	if m.Local {
		st.Kind = "local"
	}
	cctx, cancel := context.WithTimeout(ctx, 15*time.Second)
	defer cancel()
	acc, err := w.networkClient(m).Account(cctx)
	if err != nil {
		st.Summary = fmt.Sprintf("%s network is not answering — your records are safe here; %s", m.Name, waitingWords(waiting))
		st.Problem = fmt.Sprintf("the network's node at %s does not answer (%v): check the connection, or ask the network's operator", m.URL, err)
		return st, nil
	}
	st.Connected, st.Account = true, &acc
	st.Summary = fmt.Sprintf("Connected to %s network — records anchored, shares work", m.Name)
	if !acc.Enrolled {
		st.Summary = fmt.Sprintf("Connected to %s network, but it does not send this wallet's actions", m.Name)
		st.Problem = "the network no longer lists this wallet as enrolled: join it again (hw network join " + m.JoinURL() + ")"
	} else if waiting > 0 {
		st.Summary += "; " + waitingWords(waiting)
	}
	return st, nil
}

// waitingWords says how many actions wait, for a person.
func waitingWords(n int) string {
	switch n {
	case 0:
		return "nothing waits to be sent"
	case 1:
		return "1 action waits and will be sent when it is back"
	}
	return fmt.Sprintf("%d actions wait and will be sent when it is back", n)
}

// waitingActions counts the outbox's rows not yet in a block.
func (w *Wallet) waitingActions() (int, error) {
	n := 0
	err := w.vault.View(func(tx *vault.ReadTx) error {
		rows, err := outbox.Rows(tx)
		for _, r := range rows {
			if r.State == outbox.Pending {
				n++
			}
		}
		return err
	})
	if err != nil {
		return 0, fmt.Errorf("reading the outbox: %w", mapVaultError(err))
	}
	return n, nil
}

// TrustedNetworks are the networks this wallet verifies shares against:
// the joined one and any trusted for receiving.
func (w *Wallet) TrustedNetworks() []network.Membership {
	w.mu.RLock()
	defer w.mu.RUnlock()
	var out []network.Membership
	if w.profile.Network != nil {
		out = append(out, *w.profile.Network)
	}
	return append(out, w.profile.Trusted...)
}

// TrustNetwork trusts the network at joinURL for verifying received shares
// (without joining it).
func (w *Wallet) TrustNetwork(ctx context.Context, joinURL string) (network.Membership, error) {
	if err := w.unlocked(); err != nil {
		return network.Membership{}, err
	}
	m, err := network.Fetch(ctx, strings.TrimSpace(joinURL))
	if err != nil {
		return network.Membership{}, fmt.Errorf("trusting the network at %s: %w", joinURL, err)
	}
	m.Joined = now().UTC().Truncate(time.Second)
	err = w.updateProfile(func(p *profile) {
		if p.Network != nil && p.Network.URL == m.URL {
			return // the joined network is trusted already
		}
		p.Trusted = slices.DeleteFunc(p.Trusted, func(t network.Membership) bool { return t.URL == m.URL })
		p.Trusted = append(p.Trusted, m)
	})
	return m, err
}

// UntrustNetwork stops trusting the network at url.
func (w *Wallet) UntrustNetwork(url string) error {
	if err := w.unlocked(); err != nil {
		return err
	}
	base, _, err := network.ParseJoinURL(strings.TrimSpace(url))
	if err != nil {
		base = strings.TrimSpace(url)
	}
	if m, ok := w.Network(); ok && m.URL == base {
		return fmt.Errorf("this wallet is a member of the %s network, which it always trusts: leave it first (hw network leave)", m.Name)
	}
	found := false
	err = w.updateProfile(func(p *profile) {
		n := len(p.Trusted)
		p.Trusted = slices.DeleteFunc(p.Trusted, func(t network.Membership) bool { return t.URL == base })
		found = len(p.Trusted) < n
	})
	if err == nil && !found {
		return fmt.Errorf("this wallet does not trust a network at %s", base)
	}
	return err
}

// openNetwork dials the chain of m through its read-only RPC, over the
// client that pins its certificate.
func openNetwork(ctx context.Context, m network.Membership) (*chain.Network, error) {
	if len(m.RPC) == 0 {
		return nil, fmt.Errorf("the %s network names no chain RPC: join it again", m.Name)
	}
	var errs []error
	for _, rpc := range m.RPC {
		n, err := chain.DialWith(ctx, rpc, network.HTTPClient(m.Fingerprint), m.RegistryAddress(), new(big.Int).SetUint64(m.ChainID))
		if err == nil {
			n.URL = rpc
			return n, nil
		}
		errs = append(errs, err)
	}
	return nil, fmt.Errorf("the %s network does not answer: %w", m.Name, errors.Join(errs...))
}

// relayHTTP is the HTTP client for a relay at base: the pinning client of
// the trusted network whose relay it is, else nil (the default).
func (w *Wallet) relayHTTP(base string) *http.Client {
	return pinnedRelayHTTP(w.TrustedNetworks(), base)
}

// pinnedRelayHTTP is the pinning client of the one of networks whose relay
// serves base, else nil.
func pinnedRelayHTTP(networks []network.Membership, base string) *http.Client {
	for _, m := range networks {
		if m.Fingerprint != "" && m.Relay != "" && strings.HasPrefix(base, strings.TrimSuffix(m.Relay, "/")) {
			return network.HTTPClient(m.Fingerprint)
		}
	}
	return nil
}

// shareNetworkRef names the network a share is made on, for its proof.
func (w *Wallet) shareNetworkRef() *share.NetworkRef {
	w.chainMu.Lock()
	m, ok := w.networkInForceLocked()
	w.chainMu.Unlock()
	if !ok {
		return nil
	}
	return &share.NetworkRef{Name: m.Name, URL: m.JoinURL()}
}

// LocalNetworkOptions tune the network the app runs on this computer.
type LocalNetworkOptions struct {
	// LAN serves it on the local network ("let devices on this Wi-Fi open
	// my shares"), with a self-signed certificate; false: loopback only.
	LAN bool
}

// StartLocalNetwork runs a network node in this process over the wallet's
// own chain (<dir>/chain, so records already anchored stay verifiable) and
// joins it: "Try it on this computer". The node stops when the wallet is
// closed.
func (w *Wallet) StartLocalNetwork(ctx context.Context, opts LocalNetworkOptions) (network.Info, error) {
	return network.Info{}, errors.New("wallet.StartLocalNetwork: not built yet")
}

// RevokeAllReport says what RevokeEverything did.
type RevokeAllReport struct {
	Grants      int `json:"grants"`      // grants whose revoke was signed and queued
	Delegations int `json:"delegations"` // delegations revoked
	// SharingKeyRetired is true when the old sharing key was retired: new
	// shares and cards use the next one.
	SharingKeyRetired bool `json:"sharingKeyRetired"`
}

// RevokeEverything is for a lost or stolen device, from the recovery phrase
// on a new one: it revokes on chain every grant and delegation the patient's
// address ever issued and that still stands, and retires the old sharing
// key.
func (w *Wallet) RevokeEverything(ctx context.Context) (RevokeAllReport, error) {
	return RevokeAllReport{}, errors.New("wallet.RevokeEverything: not built yet")
}
