package wallet

import (
	"context"
	"errors"

	"healthwallet/wallet/network"
)

// This file: the wallet on a network (DESIGN §11) — joining, leaving, the
// networks a receiver trusts, the network the app runs on this computer,
// and revoking everything from a new device.

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
	return network.Membership{}, errors.New("wallet.JoinNetwork: not built yet")
}

// Network is the wallet's joined network; ok is false when none.
func (w *Wallet) Network() (m network.Membership, ok bool) { return network.Membership{}, false }

// LeaveNetwork forgets the joined network (it stays trusted for receiving
// until UntrustNetwork). Signed actions waiting for it stay in the outbox.
func (w *Wallet) LeaveNetwork() error { return errors.New("wallet.LeaveNetwork: not built yet") }

// NetworkStatus reports the network in plain words.
func (w *Wallet) NetworkStatus(ctx context.Context) (NetworkStatus, error) {
	return NetworkStatus{}, errors.New("wallet.NetworkStatus: not built yet")
}

// TrustedNetworks are the networks this wallet verifies shares against:
// the joined one and any trusted for receiving.
func (w *Wallet) TrustedNetworks() []network.Membership { return nil }

// TrustNetwork trusts the network at joinURL for verifying received shares
// (without joining it).
func (w *Wallet) TrustNetwork(ctx context.Context, joinURL string) (network.Membership, error) {
	return network.Membership{}, errors.New("wallet.TrustNetwork: not built yet")
}

// UntrustNetwork stops trusting the network at url.
func (w *Wallet) UntrustNetwork(url string) error {
	return errors.New("wallet.UntrustNetwork: not built yet")
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
