package wallet

import (
	"context"
	"errors"
	"fmt"
	ethcommon "github.com/ethereum/go-ethereum/common"
	"log/slog"
	"net"
	"path/filepath"
	"sync"
	"time"

	"healthwallet/wallet/relay"

	"healthwallet/chain"
)

// This file: direct shares (DESIGN §7) — the wallet serves a share itself on
// the local network, a relay.Server in this process, with no third party.

// directServing marks the wallet directories whose direct relay runs: its
// bbolt store admits one process and one opener at a time.
var directServing sync.Map // wallet dir → struct{}

// walletGrantChecker asks the wallet's chain, as it is connected at each
// request, whether a grant stands: the direct relay refuses revoked and
// expired grants on every request, like hw relay --chain.
type walletGrantChecker struct{ w *Wallet }

var _ relay.GrantChecker = walletGrantChecker{}

func (c walletGrantChecker) GrantOf(ctx context.Context, patient ethcommon.Address, digest [32]byte) (chain.Grant, error) {
	c.w.chainMu.Lock()
	defer c.w.chainMu.Unlock()
	n, err := c.w.networkLocked(ctx)
	if err != nil {
		return chain.Grant{}, err
	}
	return relay.NewChainChecker(n.Client, n.Registry).GrantOf(ctx, patient, digest)
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
	ln, err := net.Listen("tcp", listen)
	if err != nil {
		release()
		return ShareResult{}, fmt.Errorf("serving the share on %s: %w", listen, err)
	}
	port := ln.Addr().(*net.TCPAddr).Port
	public := "http://" + net.JoinHostPort(publicHost, fmt.Sprint(port))
	srv, err := relay.Open(relay.Config{
		DataDir:   filepath.Join(w.dir, "direct"),
		PublicURL: public,
		Checker:   walletGrantChecker{w},
		Logger:    slog.New(slog.DiscardHandler),
	})
	if err != nil {
		ln.Close()
		release()
		return ShareResult{}, fmt.Errorf("opening the direct share's store: %w", err)
	}
	sctx, stop := context.WithCancel(ctx)
	done := make(chan struct{})
	go func() {
		defer close(done)
		defer release()
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

// lanAddress is this machine's address on the local network: its first
// private IPv4 address, else its first global one.
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
