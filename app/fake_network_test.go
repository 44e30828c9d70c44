package app

import (
	"context"
	"errors"
	"fmt"
	"slices"

	"healthwallet/wallet"
	"healthwallet/wallet/network"
	"healthwallet/wallet/share"
)

// The fake wallet's network: joined to the Riverside Clinic network and
// connected, unless a test says otherwise.

const (
	testNetworkURL  = "https://riverside.example:8443"
	testFingerprint = "3f1c0a9e3b7d2c4e6f8a1b3c5d7e9f0a2b4c6d8e0f1a3b5c7d9e1f2a4b6c8d0e"
	testJoinURL     = testNetworkURL + "#fp=" + testFingerprint
	testInvite      = "RIVER-4711"
)

func testMembership() network.Membership {
	return network.Membership{
		Document: network.Document{
			Version: 1, Name: "Riverside Clinic", ChainID: 31337,
			Registry: "0x5FbDB2315678afecb367f032d93F642f64180aa3",
			RPC:      []string{testNetworkURL + "/rpc"},
			Relay:    testNetworkURL, Submit: testNetworkURL + "/submit",
			Enrolment: "open", BlockPeriodSeconds: 2, Confirmations: 2,
		},
		URL: testNetworkURL, Fingerprint: testFingerprint, Joined: anchoredAt,
	}
}

// localMembership is the network "Try it on this computer" runs.
func localMembership() network.Membership {
	m := testMembership()
	m.Name, m.URL, m.Fingerprint, m.Local = "Ada's computer", "http://127.0.0.1:47110", "", true
	m.RPC, m.Relay, m.Submit = []string{m.URL + "/rpc"}, m.URL, m.URL+"/submit"
	return m
}

type fakeNet struct {
	joined  *network.Membership
	status  wallet.NetworkStatus
	invite  string // when set, JoinNetwork wants it
	joins   []string
	local   []wallet.LocalNetworkOptions
	left    int
	trusted []string // TrustNetwork's join URLs
	revokes int      // RevokeEverything calls
}

func newFakeNet() fakeNet {
	n := fakeNet{}
	n.join(testMembership())
	return n
}

func (n *fakeNet) join(m network.Membership) {
	n.joined = &m
	n.status = wallet.NetworkStatus{Kind: "network", Name: m.Name, Connected: true,
		Summary:    fmt.Sprintf("Connected to %s network — records anchored, shares work", m.Name),
		Membership: &m, Account: &network.Account{Enrolled: true, Balance: "0", UsedToday: 3, PerDay: 500}}
	if m.Local {
		n.status.Kind = "local"
	}
}

// down makes the joined network stop answering.
func (n *fakeNet) down() {
	n.status.Connected = false
	n.status.Account = nil
	n.status.Waiting = 3
	n.status.Summary = n.joined.Name + " network is not answering — your records are safe here; 3 actions wait and will be sent when it is back"
	n.status.Problem = "the network's node at " + n.joined.URL + " does not answer (dial tcp: connection refused): check the connection, or ask the network's operator"
}

// none leaves the wallet on no network.
func (n *fakeNet) none() {
	n.joined = nil
	n.status = wallet.NetworkStatus{Kind: "none",
		Summary: "Not on a network — your records are kept safely here, but anchored only on this computer's own chain, which others cannot check"}
}

func (w *fakeWallet) JoinNetwork(ctx context.Context, joinURL, invite string) (network.Membership, error) {
	w.net.joins = append(w.net.joins, joinURL)
	if joinURL != testJoinURL {
		return network.Membership{}, fmt.Errorf("joining the network at %s: no network answers there: check the link", joinURL)
	}
	if w.net.invite != "" && invite != w.net.invite {
		return network.Membership{}, errors.New("joining the network: the Riverside Clinic network takes members by invitation only: type the invitation code its operator gave you")
	}
	w.net.join(testMembership())
	return *w.net.joined, nil
}

func (w *fakeWallet) Network() (network.Membership, bool) {
	if w.net.joined == nil {
		return network.Membership{}, false
	}
	return *w.net.joined, true
}

func (w *fakeWallet) LeaveNetwork() error {
	w.net.left++
	w.net.none()
	return nil
}

func (w *fakeWallet) NetworkStatus(ctx context.Context) (wallet.NetworkStatus, error) {
	return w.net.status, nil
}

func (w *fakeWallet) TrustNetwork(ctx context.Context, joinURL string) (network.Membership, error) {
	w.net.trusted = append(w.net.trusted, joinURL)
	return testMembership(), nil
}

func (w *fakeWallet) StartLocalNetwork(ctx context.Context, opts wallet.LocalNetworkOptions) (network.Info, error) {
	w.net.local = append(w.net.local, opts)
	m := localMembership()
	w.net.join(m)
	return network.Info{URL: m.URL, JoinURL: m.JoinURL(), Document: m.Document}, nil
}

func (w *fakeWallet) RevokeEverything(ctx context.Context) (wallet.RevokeAllReport, error) {
	w.net.revokes++
	return wallet.RevokeAllReport{Grants: 2, Delegations: 1, SharingKeyRetired: true}, nil
}

// untrusted makes got a share made on a network its receiver does not
// trust: the network trusted check fails, and with it the checks that need
// the network's chain.
func untrusted(got *wallet.Received) {
	got.Verified = false
	got.Network.Trusted = false
	got.Problem = "not verified: made on " + got.Network.String() + ", a network this receiver does not trust"
	for i, c := range got.Checks {
		switch c.Name {
		case share.CheckNetworkTrusted:
			got.Checks[i] = share.Check{Name: c.Name, OK: false, Detail: "the share was made on " + got.Network.String() +
				", which this receiver does not trust (hw network trust " + testJoinURL + ")"}
		case share.CheckGrantActive, share.CheckAnchored:
			got.Checks[i] = share.Check{Name: c.Name, OK: false, Detail: "not checked: the network is not trusted"}
		}
	}
}

// trusts says whether the fake wallet trusts the test network.
func (n *fakeNet) trusts() bool {
	return (n.joined != nil && n.joined.JoinURL() == testJoinURL) || slices.Contains(n.trusted, testJoinURL)
}
