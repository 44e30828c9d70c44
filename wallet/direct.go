package wallet

import (
	"context"
	"crypto/ecdsa"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"os"
	"path/filepath"
	"sync"
	"time"

	"github.com/ethereum/go-ethereum/common"

	"healthwallet/chain"
	"healthwallet/wallet/relay"
	"healthwallet/wallet/share"
)

// This file: direct shares (DESIGN §7) — the wallet serves a share itself on
// the local network, a relay.Server in this process, with no third party.

// directServing marks the wallet directories whose direct relay runs: its
// bbolt store admits one process and one opener at a time.
var directServing sync.Map // wallet dir → struct{}

// directRelays are the direct relays this process serves, by public URL.
// Their management API is not on the network at all: the wallet reaches it
// in process (relay.Server.LocalClient), so nothing from the network can
// upload to a patient's own machine.
var directRelays sync.Map // public URL → *relay.Server

// directServers are the direct relays this process runs, by wallet
// directory: the one open store of that wallet's direct shares.
var directServers sync.Map // wallet dir → directServer

// directServer is a direct relay running, and the public URL it serves at.
type directServer struct {
	srv    *relay.Server
	public string
}

// directClient is the in-process client of the direct relay at baseURL,
// signing with key; false when this process serves none there.
func directClient(baseURL string, key *ecdsa.PrivateKey) (*relay.Client, bool, error) {
	srv, ok := directRelays.Load(baseURL)
	if !ok {
		return nil, false, nil
	}
	c, err := srv.(*relay.Server).LocalClient(key)
	return c, true, err
}

// walletGrantChecker asks the wallet's chain, as it is connected at each
// request, whether a grant stands: the direct relay refuses revoked and
// expired grants on every request, like hw relay --chain.
type walletGrantChecker struct{ w *Wallet }

var (
	_ relay.GrantChecker      = walletGrantChecker{}
	_ relay.DelegationChecker = walletGrantChecker{}
)

// ask runs fn with the relay's checker over the wallet's chain as connected
// now, holding the chain while it asks.
func (c walletGrantChecker) ask(ctx context.Context, fn func(*relay.ChainChecker) error) error {
	c.w.chainMu.Lock()
	defer c.w.chainMu.Unlock()
	n, err := c.w.networkLocked(ctx)
	if err != nil {
		return err
	}
	return fn(relay.NewChainChecker(n.Client, n.Registry))
}

func (c walletGrantChecker) GrantOf(ctx context.Context, patient common.Address, digest [32]byte) (g chain.Grant, err error) {
	err = c.ask(ctx, func(chk *relay.ChainChecker) error {
		g, err = chk.GrantOf(ctx, patient, digest)
		return err
	})
	return g, err
}

func (c walletGrantChecker) DelegateOf(ctx context.Context, patient, delegate common.Address) (d chain.Delegation, err error) {
	err = c.ask(ctx, func(chk *relay.ChainChecker) error {
		d, err = chk.DelegateOf(ctx, patient, delegate)
		return err
	})
	return d, err
}

// ShareDirect makes a share served by this wallet itself on the local
// network at listen (e.g. "0.0.0.0:0"), with no third party, until ctx ends.
//
// It runs a relay in this process on listen, with its store under
// <wallet dir>/direct, creates the share on it as Share does on a relay, and
// returns a link whose URL is this machine's local network address (the
// listen host when one is given, else the first private IPv4 address). The
// link is plain http: the files are encrypted under the link's key, and the
// grant is checked on chain at every request. The server stops when ctx
// ends; the share stays in the list, and is served again by nothing.
func (w *Wallet) ShareDirect(ctx context.Context, req ShareRequest, listen string) (ShareResult, error) {
	if err := w.unlocked(); err != nil {
		return ShareResult{}, err
	}
	if err := checkShareRequest(req); err != nil {
		return ShareResult{}, err
	}
	if req.Passcode != "" {
		// The link is plain http on the local network: a passcode would
		// travel in clear over the Wi-Fi, and receivers refuse such links.
		return ShareResult{}, errors.New("a share served directly on the local network cannot have a passcode: it would travel unprotected over the Wi-Fi; share through a relay to use one")
	}
	host, _, err := net.SplitHostPort(listen)
	if err != nil {
		return ShareResult{}, fmt.Errorf("listen address %q: want host:port, e.g. 0.0.0.0:0: %w", listen, err)
	}
	if _, busy := directServing.LoadOrStore(w.dir, struct{}{}); busy {
		return ShareResult{}, errors.New("this wallet already serves a direct share: stop it first (close its screen, or Ctrl-C hw share --direct)")
	}
	release := func() { directServing.Delete(w.dir) }

	publicHost := host
	if ip := net.ParseIP(host); host == "" || (ip != nil && ip.IsUnspecified()) {
		publicHost, err = lanAddress()
		if err != nil {
			release()
			return ShareResult{}, err
		}
	}
	// Receivers open a plain-http link only on this computer or the local
	// network: a share they would refuse (a public address, given or found)
	// is refused here, before anything.
	if err := share.CheckTransport("http://"+net.JoinHostPort(publicHost, "80"), true); err != nil {
		release()
		return ShareResult{}, fmt.Errorf("%s is not an address of a private local network, so a receiver would refuse to open a direct share from it over plain http: "+
			"connect to a home or clinic Wi-Fi, or share through a relay instead", publicHost)
	}
	ln, err := net.Listen("tcp", listen)
	if err != nil {
		release()
		return ShareResult{}, fmt.Errorf("serving the share on %s: %w", listen, err)
	}
	port := ln.Addr().(*net.TCPAddr).Port
	public := "http://" + net.JoinHostPort(publicHost, fmt.Sprint(port))
	srv, err := w.openDirectRelay(public)
	if err != nil {
		ln.Close()
		release()
		return ShareResult{}, fmt.Errorf("opening the direct share's store: %w", err)
	}
	// A direct share is served only while its screen (or hw share --direct)
	// runs: the earlier ones in the store, stopped, are ended there before
	// this server serves the store again, so that "stopped" stays true.
	if err := w.endStoppedDirectShares(ctx, srv); err != nil {
		srv.Close()
		ln.Close()
		release()
		return ShareResult{}, err
	}
	directRelays.Store(public, srv)
	directServers.Store(w.dir, directServer{srv, public})
	sctx, stop := context.WithCancel(ctx)
	done := make(chan struct{})
	go func() {
		defer close(done)
		defer release()
		defer directServers.Delete(w.dir)
		defer directRelays.Delete(public)
		_ = srv.Run(sctx, ln, 5*time.Second) // closes the store
	}()

	res, err := w.share(ctx, req, public, true)
	if err != nil {
		stop()
		<-done
		return ShareResult{}, err
	}
	go func() {
		<-done
		stop()
	}()
	return res, nil
}

// endStoppedDirectShares ends, in the direct store srv serves, the shares
// still active there: no server ran them since theirs stopped, and none
// may serve them again.
func (w *Wallet) endStoppedDirectShares(ctx context.Context, srv *relay.Server) error {
	key, err := w.ChainKey()
	if err != nil {
		return err
	}
	c, err := srv.LocalClient(key)
	if err != nil {
		return err
	}
	list, err := c.List(ctx)
	if err != nil {
		return fmt.Errorf("reading the earlier direct shares: %w", err)
	}
	for _, s := range list {
		if s.State != relay.StateActive && s.State != relay.StatePending {
			continue
		}
		if err := c.Revoke(ctx, s.ID); err != nil && !errors.Is(err, relay.ErrNotFound) {
			return fmt.Errorf("ending the earlier direct share %s: %w", s.ID, err)
		}
	}
	return nil
}

// errDirectBusy: the direct share store is held by another program using
// this wallet (the app, or hw share --direct), which serves a share from it.
var errDirectBusy = errors.New("another program using this wallet (the app, or hw share --direct) serves a direct share now, so its shares' state and openings cannot be read until it stops")

// withDirectStore runs fn with an in-process client of the wallet's direct
// share store, signing with the wallet's chain key: the serving relay's
// while this process serves a direct share, else the store opened for the
// call alone (its shares then served by nothing). served is the public URL
// of the direct share served now, if any. It needs the wallet unlocked.
func (w *Wallet) withDirectStore(fn func(c *relay.Client, served string) error) error {
	key, err := w.ChainKey()
	if err != nil {
		return err
	}
	return w.withDirectStoreAs(key, fn)
}

// withDirectStoreAs is withDirectStore with a client signing with key: a
// person kept apart puts their direct shares in the store as themselves,
// and only they may read their logs or revoke them.
func (w *Wallet) withDirectStoreAs(key *ecdsa.PrivateKey, fn func(c *relay.Client, served string) error) error {
	if v, ok := directServers.Load(w.dir); ok {
		d := v.(directServer)
		c, err := d.srv.LocalClient(key)
		if err != nil {
			return err
		}
		return fn(c, d.public)
	}
	if _, busy := directServing.LoadOrStore(w.dir, struct{}{}); busy {
		return errDirectBusy // being started or stopped in this process
	}
	defer directServing.Delete(w.dir)
	if _, err := os.Stat(filepath.Join(w.dir, "direct")); errors.Is(err, os.ErrNotExist) {
		return fn(nil, "") // never shared directly
	}
	// Its links' address does not matter here: nothing is served.
	srv, err := w.openDirectRelay("http://127.0.0.1")
	if err != nil {
		if errors.Is(err, relay.ErrStoreInUse) {
			return errDirectBusy
		}
		return fmt.Errorf("opening the direct share store: %w", err)
	}
	defer srv.Close()
	c, err := srv.LocalClient(key)
	if err != nil {
		return err
	}
	return fn(c, "")
}

// directStoreKey is the identity's key for the direct relay's store.
func (w *Wallet) directStoreKey() ([]byte, error) {
	w.mu.RLock()
	defer w.mu.RUnlock()
	if w.id == nil {
		return nil, ErrLocked
	}
	return w.id.DirectStoreKey()
}

// openDirectRelay opens the direct relay's store, under <wallet dir>/direct:
// its records sealed under a key derived from the recovery phrase, so
// that it holds nothing about the patient in clear (the files are JWEs and
// the access log is sealed to the patient already). A store from before,
// kept in clear, is removed: it held only direct shares' metadata.
func (w *Wallet) openDirectRelay(public string) (*relay.Server, error) {
	storeKey, err := w.directStoreKey()
	if err != nil {
		return nil, err
	}
	defer clear(storeKey)
	cfg := relay.Config{
		DataDir:         filepath.Join(w.dir, "direct"),
		StoreKey:        storeKey,
		PublicURL:       public,
		Checker:         walletGrantChecker{w},
		LocalManagement: true,
		// The viewer on the direct share's page verifies against the
		// wallet's chain, read through this process (direct_viewer.go).
		NetworkDocument: w.directDocument(public),
		RPC:             directRPC{w},
		Logger:          slog.New(slog.DiscardHandler),
	}
	srv, err := relay.Open(cfg)
	if errors.Is(err, relay.ErrStoreKeyMismatch) {
		if err := os.RemoveAll(cfg.DataDir); err != nil {
			return nil, fmt.Errorf("removing the direct share store kept in clear: %w", err)
		}
		srv, err = relay.Open(cfg)
	}
	return srv, err
}

// lanAddress is this machine's address on the local network: its first
// private IPv4 address, else its first global one (which ShareDirect then
// refuses, saying why: receivers open plain http only on a private network).
func lanAddress() (string, error) {
	ifaces, err := net.Interfaces()
	if err != nil {
		return "", fmt.Errorf("listing the network interfaces: %w", err)
	}
	var global string
	for _, ifc := range ifaces {
		if ifc.Flags&net.FlagUp == 0 || ifc.Flags&net.FlagLoopback != 0 {
			continue
		}
		addrs, err := ifc.Addrs()
		if err != nil {
			continue
		}
		for _, a := range addrs {
			ipn, ok := a.(*net.IPNet)
			if !ok || ipn.IP.To4() == nil || !ipn.IP.IsGlobalUnicast() {
				continue
			}
			if ipn.IP.IsPrivate() {
				return ipn.IP.String(), nil
			}
			if global == "" {
				global = ipn.IP.String()
			}
		}
	}
	if global != "" {
		return global, nil
	}
	return "", errors.New("this machine has no local network address: join a network, or give the address to listen on (e.g. 192.168.1.20:8080)")
}

// DelegationRevoked implements relay.DelegationChecker, so that a care copy
// on the wallet's own relay ends when its delegation is revoked.
func (c walletGrantChecker) DelegationRevoked(ctx context.Context, patient, delegate common.Address) (at time.Time, err error) {
	err = c.ask(ctx, func(chk *relay.ChainChecker) error {
		at, err = chk.DelegationRevoked(ctx, patient, delegate)
		return err
	})
	return at, err
}
