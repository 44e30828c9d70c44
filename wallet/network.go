package wallet

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"math/big"
	"net"
	"net/http"
	"net/url"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/ethereum/go-ethereum"
	"github.com/ethereum/go-ethereum/common"
	"github.com/ethereum/go-ethereum/core/types"
	"github.com/ethereum/go-ethereum/crypto"

	"healthwallet/chain"
	"healthwallet/chain/contracts"
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
	// Viewer is the web viewer the network's relay serves, hashed from
	// the files it serves and compared with this build's (nil when the
	// node does not answer).
	Viewer *network.ViewerCheck `json:"viewer,omitempty"`
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
	if !m.Joinable() {
		return network.Membership{}, fmt.Errorf("%s at %s is a relay that reads its chain but sends no one's actions: it cannot be joined; trust it to verify shares made on it (hw network trust %s), or join a network node", m.Name, m.URL, m.JoinURL())
	}
	w.chainMu.Lock()
	defer w.chainMu.Unlock()
	return w.enrolAndSaveLocked(ctx, m, invite)
}

// enrolAndSaveLocked enrols the wallet at m's node and makes m the
// wallet's network. Call with chainMu held.
func (w *Wallet) enrolAndSaveLocked(ctx context.Context, m network.Membership, invite string) (network.Membership, error) {
	if err := w.networkClient(m).Enrol(ctx, strings.TrimSpace(invite)); err != nil {
		return network.Membership{}, fmt.Errorf("joining the %s network: %w", m.Name, err)
	}
	m.Joined = now().UTC().Truncate(time.Second)
	w.closeNetworkLocked()
	err := w.updateProfile(func(p *profile) {
		p.Network = &m
		p.NetworkInvite = strings.TrimSpace(invite)
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
		p.NetworkInvite = ""
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
	if onNetwork && w.ensureLocalNetworkLocked(ctx, m) {
		m, _ = w.Network() // started here, perhaps on another port
	}
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
	vc := network.CheckViewer(cctx, network.HTTPClient(m.Fingerprint), m.Relay, m.Document)
	st.Viewer = &vc
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
		base, _, _ = strings.Cut(strings.TrimSpace(url), "#")
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
	if err := w.unlocked(); err != nil {
		return network.Info{}, err
	}
	w.chainMu.Lock()
	defer w.chainMu.Unlock()
	if w.chain.local != nil {
		return w.chain.local.Info(), nil
	}
	// The node takes over the wallet's own chain: the wallet's connection
	// to it closes first (one process holds a chain directory).
	w.closeNetworkLocked()
	srv, err := w.startLocalNodeLocked(ctx, opts)
	if err != nil {
		return network.Info{}, err
	}
	info := srv.Info()
	m, err := network.Fetch(ctx, info.JoinURL)
	if err == nil {
		m.Local = true
		_, err = w.enrolAndSaveLocked(ctx, m, "")
	}
	if err != nil {
		srv.Close()
		return network.Info{}, fmt.Errorf("joining the network on this computer: %w", err)
	}
	w.chain.local = srv
	return info, nil
}

// startLocalNodeLocked starts the node of the network on this computer on
// the port it had before, else (the port taken, or the first time) on a
// free one, which the profile then keeps. Call with chainMu held.
func (w *Wallet) startLocalNodeLocked(ctx context.Context, opts LocalNetworkOptions) (*network.Server, error) {
	host := "127.0.0.1"
	if opts.LAN {
		lan, err := lanAddress()
		if err != nil {
			return nil, err
		}
		host = lan
	}
	w.mu.RLock()
	port, name := w.profile.LocalPort, w.profile.DisplayName
	w.mu.RUnlock()
	cfg := network.ServerConfig{
		DataDir: filepath.Join(w.dir, "network"), ChainDir: filepath.Join(w.dir, "chain"),
		Name:   strings.TrimSpace(name + "'s computer"),
		Logger: slog.New(slog.DiscardHandler),
	}
	var srv *network.Server
	if port != 0 {
		// The port it had; whatever fails there (most likely the port is
		// taken), a free one is tried next, and its error is the one said.
		cfg.Listen = net.JoinHostPort(host, strconv.Itoa(port))
		srv, _ = network.Start(ctx, cfg)
	}
	if srv == nil {
		cfg.Listen = net.JoinHostPort(host, "0")
		var err error
		if srv, err = network.Start(ctx, cfg); err != nil {
			return nil, fmt.Errorf("starting the network on this computer: %w", err)
		}
	}
	u, err := url.Parse(srv.Info().URL)
	if err != nil {
		srv.Close()
		return nil, err
	}
	if p, _ := strconv.Atoi(u.Port()); p != port {
		if err := w.updateProfile(func(pr *profile) { pr.LocalPort = p }); err != nil {
			srv.Close()
			return nil, err
		}
	}
	return srv, nil
}

// ensureLocalNetworkLocked starts the network on this computer in this
// process when the wallet's network is that one and nothing answers at its
// URL (the app, which usually runs it, is closed): hw works on its own.
// Call with chainMu held.
func (w *Wallet) ensureLocalNetworkLocked(ctx context.Context, m network.Membership) bool {
	if !m.Local || w.chain.local != nil {
		return false
	}
	cctx, cancel := context.WithTimeout(ctx, 3*time.Second)
	defer cancel()
	if _, err := network.Fetch(cctx, m.JoinURL()); err == nil {
		return false // it answers: someone runs it
	}
	u, err := url.Parse(m.URL)
	if err != nil {
		return false
	}
	srv, err := w.startLocalNodeLocked(ctx, LocalNetworkOptions{LAN: !isLoopbackName(u.Hostname())})
	if err != nil {
		return false
	}
	w.chain.local = srv
	if info := srv.Info(); info.URL != m.URL {
		// Another port (the old one was taken): the membership follows.
		if nm, err := network.Fetch(ctx, info.JoinURL); err == nil {
			nm.Local, nm.Joined = true, m.Joined
			w.updateProfile(func(p *profile) { p.Network = &nm })
		}
	}
	return true
}

// isLoopbackName reports whether host is this computer.
func isLoopbackName(host string) bool {
	if host == "localhost" {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

// stopLocalNetwork stops the node of the network on this computer, if this
// process runs it.
func (w *Wallet) stopLocalNetworkLocked() {
	if w.chain.local != nil {
		w.chain.local.Close()
		w.chain.local = nil
	}
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
// address ever issued and that still stands — and every grant of each
// person kept apart, issued under their own address — and retires the old
// sharing key (the people's sharing keys with it).
//
// It reads the patient's GrantIssued and DelegateSet events (eth_getLogs,
// through the network's read-only RPC) and queues a signed revocation in
// the outbox for each grant and delegation the registry still calls active:
// like any action, they land when the chain is reachable, exactly once.
// Shares this wallet knows are revoked as [Wallet.Revoke] does (the relay
// too). Then the sharing key is retired: the identity card and the keys
// data is sealed to are the next ones (identity.FromSeedAt), so what was
// sealed to the old key — relay access logs of old shares, caregiver links,
// shares addressed to the old card — no longer opens here, and people need
// the new card.
func (w *Wallet) RevokeEverything(ctx context.Context) (RevokeAllReport, error) {
	var rep RevokeAllReport
	patient, err := w.address()
	if err != nil {
		return rep, err
	}
	w.chainMu.Lock()
	n, err := w.networkLocked(ctx)
	w.chainMu.Unlock()
	if err != nil {
		return rep, fmt.Errorf("the chain cannot be read to find what to revoke (%w): try again once connected", err)
	}
	reg := contracts.NewHealthRegistry().GetABI()
	issued, set := reg.Events["GrantIssued"].ID, reg.Events["DelegateSet"].ID
	cctx, cancel := context.WithTimeout(ctx, time.Minute)
	defer cancel()
	logs, err := n.Client.FilterLogs(cctx, ethereum.FilterQuery{
		FromBlock: new(big.Int), Addresses: []common.Address{n.Registry},
		Topics: [][]common.Hash{{issued, set}, {common.BytesToHash(patient.Bytes())}},
	})
	if err != nil {
		return rep, fmt.Errorf("reading the registry's history of your shares: %w; try again once connected", err)
	}
	shares, _, err := w.ownShares()
	if err != nil {
		return rep, err
	}
	view := chain.NewRegistry(n.Client, n.Registry)
	delegates := map[common.Address]bool{}
	for _, l := range logs {
		if len(l.Topics) >= 3 && l.Topics[0] == set {
			delegates[common.BytesToAddress(l.Topics[2].Bytes())] = true
		}
	}
	if rep.Grants, err = w.revokeGrantsOf(cctx, view, "", patient, logs, shares); err != nil {
		return rep, err
	}
	// The people kept apart grant their shares under their own addresses
	// (people.go): theirs are revoked too, each under its own address.
	spaces, err := w.personRecords()
	if err != nil {
		return rep, err
	}
	for _, p := range spaces {
		key, err := w.relationshipKey(p.Tweak) // personKey, from the record read above
		if err != nil {
			return rep, err
		}
		addr := crypto.PubkeyToAddress(key.PublicKey)
		theirs, err := n.Client.FilterLogs(cctx, ethereum.FilterQuery{
			FromBlock: new(big.Int), Addresses: []common.Address{n.Registry},
			Topics: [][]common.Hash{{issued}, {common.BytesToHash(addr.Bytes())}},
		})
		if err != nil {
			return rep, fmt.Errorf("reading the registry's history of shares: %w; try again once connected", err)
		}
		k, err := w.revokeGrantsOf(cctx, view, p.ID, addr, theirs, shares)
		rep.Grants += k
		if err != nil {
			return rep, err
		}
	}
	nonce, err := view.NonceOf(cctx, patient)
	if err != nil && len(delegates) > 0 {
		return rep, fmt.Errorf("asking the registry for the patient's nonce: %w", err)
	}
	signer, err := w.actionSigner(n.ChainID, n.Registry)
	if err != nil {
		return rep, err
	}
	for delegate := range delegates {
		d, err := view.DelegateOf(cctx, patient, delegate)
		if err != nil {
			return rep, fmt.Errorf("asking the registry about a delegation: %w", err)
		}
		if !d.Active {
			continue
		}
		call, err := signer.RevokeDelegate(delegate, nonce, uint64(now().Add(anchorValidity).Unix()))
		if err != nil {
			return rep, err
		}
		nonce++
		err = w.vault.Update(func(tx *vault.Tx) error {
			_, err := outbox.Enqueue(tx, kindRevokeDelegate, delegate.Bytes(), call)
			return err
		})
		if err != nil {
			return rep, fmt.Errorf("saving the end of a delegation: %w", mapVaultError(err))
		}
		rep.Delegations++
	}
	if _, err := w.drain(ctx); err != nil {
		return rep, err
	}
	if err := w.retireSharingKey(); err != nil {
		return rep, err
	}
	rep.SharingKeyRetired = true
	return rep, nil
}

// revokeGrantsOf revokes each grant that patient (person's address: ""
// the owner) issued, as its GrantIssued logs say, and the registry still
// calls active: the shares this wallet knows as Revoke does (the relay
// too), the others by a signed revocation queued in the outbox. It returns
// how many it revoked.
func (w *Wallet) revokeGrantsOf(ctx context.Context, view *chain.Registry, person string, patient common.Address, logs []types.Log, shares []ownShare) (int, error) {
	issued := contracts.NewHealthRegistry().GetABI().Events["GrantIssued"].ID
	grants := map[common.Hash]bool{}
	for _, l := range logs {
		if len(l.Topics) >= 3 && l.Topics[0] == issued {
			grants[l.Topics[2]] = true
		}
	}
	revoked := 0
	for digest := range grants {
		g, err := view.GrantOf(ctx, patient, digest)
		if err != nil {
			return revoked, fmt.Errorf("asking the registry about a share: %w; try again once connected", err)
		}
		if !g.Active {
			continue
		}
		known := false
		for _, s := range shares {
			if s.Digest == digest && s.Person == person {
				known = true
				if err := w.Revoke(ctx, s.ID); err != nil && !errors.Is(err, ErrRevokePending) {
					return revoked, err
				}
			}
		}
		if !known {
			if err := w.queueRevoke(ctx, person, digest, time.Unix(int64(g.Expiry), 0)); err != nil {
				return revoked, err
			}
		}
		revoked++
	}
	return revoked, nil
}

// kindRevokeDelegate is the outbox kind of a delegation's end.
const kindRevokeDelegate = "revokeDelegate"

// queueRevoke queues the signed revocation of person's grant digest ("" the
// owner's), which expires at expires.
func (w *Wallet) queueRevoke(ctx context.Context, person string, digest common.Hash, expires time.Time) error {
	call, err := w.revokeCall(ctx, person, digest, expires)
	if err != nil {
		return err
	}
	err = w.vault.Update(func(tx *vault.Tx) error {
		_, err := outbox.Enqueue(tx, kindRevokeGrant, digest[:], call)
		return err
	})
	if err != nil {
		return fmt.Errorf("saving a revocation: %w", mapVaultError(err))
	}
	return nil
}

// retireSharingKey moves the wallet to its next sharing key.
func (w *Wallet) retireSharingKey() error {
	w.mu.RLock()
	next := w.profile.SharingKeyIndex + 1
	w.mu.RUnlock()
	id, err := w.storedIdentityAt(next)
	if err != nil {
		return err
	}
	if err := w.updateProfile(func(p *profile) { p.SharingKeyIndex = next }); err != nil {
		id.Wipe()
		return err
	}
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.id == nil { // locked meanwhile
		id.Wipe()
		return nil
	}
	w.id.Wipe()
	w.id = id
	return nil
}
