package wallet

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"

	"healthwallet/chain"
	"healthwallet/wallet/network"
)

// This file: what the web viewer on a direct share's page (<lan address>/view)
// verifies against. The page trusts the server it came from, here the
// patient's own device: the document names the wallet's chain (its joined
// network's, or the device's own), and /rpc forwards read-only registry
// calls to the wallet's chain connection. A doctor who needs more than the
// patient's device's word opens the link in the Health Wallet app, which
// verifies against the networks the doctor trusts.

// directDocument makes the direct share's network document, for the
// wallet's chain as connected at each request. The network's name is read
// once, as the share starts: a locked wallet no longer knows it.
func (w *Wallet) directDocument(public string) func(context.Context) ([]byte, error) {
	name := "the patient's own device (no shared network)"
	if m, ok := w.Network(); ok && !m.Local {
		name = m.Name + ", through the patient's device"
	}
	return func(ctx context.Context) ([]byte, error) {
		n, err := w.directNetwork(ctx)
		if err != nil {
			return nil, err
		}
		return json.Marshal(network.RelayDocument(name, public, n.ChainID.Uint64(), n.Registry))
	}
}

// directNetwork is the wallet's chain connection, opened if need be.
//
// It does not need the wallet unlocked: a direct share keeps serving while
// the app is locked with the share on screen, and its viewer reads the
// chain as the share is checked, through the connection already open (a
// locked wallet cannot open one: it then answers that the chain does not).
func (w *Wallet) directNetwork(ctx context.Context) (*chain.Network, error) {
	w.chainMu.Lock()
	defer w.chainMu.Unlock()
	n, err := w.networkLocked(ctx)
	if err != nil {
		return nil, fmt.Errorf("the wallet's chain does not answer: %w", err)
	}
	return n, nil
}

// directRPC is the direct share's read-only JSON-RPC: chain.ReadOnlyRPC
// over the wallet's chain connection as it is at each request.
type directRPC struct{ w *Wallet }

func (h directRPC) ServeHTTP(rw http.ResponseWriter, r *http.Request) {
	n, err := h.w.directNetwork(r.Context())
	if err != nil {
		http.Error(rw, err.Error()+"; open the link in the Health Wallet app", http.StatusServiceUnavailable)
		return
	}
	rc := n.RPC()
	if rc == nil {
		http.Error(rw, "the wallet's chain has no JSON-RPC connection to read through; open the link in the Health Wallet app", http.StatusServiceUnavailable)
		return
	}
	chain.ReadOnlyRPC(rc, n.Registry).ServeHTTP(rw, r)
}
