// Package network is what lets a patient, a doctor and a caregiver meet
// (DESIGN §11): a network is a name, a chain (chain id, JSON-RPC URLs, the
// registry's address), a relay, and a submission endpoint that sends users'
// signed actions and pays their gas. A node describes itself in a Document
// served at /.well-known/healthwallet-network.json; wallets join it by URL or
// QR (a join URL, whose #fp= pins a self-signed TLS certificate), and
// receivers verify shares against the networks they joined.
//
// The server side (Server: one process with the chain node, the relay, the
// read-only JSON-RPC, the network document and the submission endpoint) is
// what hw network serve and the app's "Try it on this computer" run.
package network

import (
	"context"
	"errors"
	"net/http"
	"time"

	"github.com/ethereum/go-ethereum/common"

	"healthwallet/chain"
)

// WellKnownPath is where a node serves its Document.
const WellKnownPath = "/.well-known/healthwallet-network.json"

// Document describes a network, as its node serves it.
type Document struct {
	// Version is 1.
	Version int `json:"version"`
	// Name is what people call the network ("Riverside Clinic").
	Name string `json:"name"`
	// ChainID and Registry name the chain and the HealthRegistry on it;
	// RPC are read-only JSON-RPC URLs serving them.
	ChainID  uint64   `json:"chainId"`
	Registry string   `json:"registry"`
	RPC      []string `json:"rpc"`
	// Relay is the relay's base URL (shares, and the viewer).
	Relay string `json:"relay"`
	// Submit is the submission endpoint's base URL.
	Submit string `json:"submit"`
	// Enrolment is "open" or "invitation".
	Enrolment string `json:"enrolment"`
	// BlockPeriodSeconds and Confirmations say how fast actions become final.
	BlockPeriodSeconds uint64 `json:"blockPeriodSeconds"`
	Confirmations      uint64 `json:"confirmations"`
}

// Membership is a network as a wallet keeps it: its document, the URL it
// was joined at and the pinned certificate fingerprint.
type Membership struct {
	Document
	// URL is the node's base URL (https://…, or http on loopback).
	URL string `json:"url"`
	// Fingerprint is the hex SHA-256 of the node's TLS certificate (DER),
	// pinned at join; empty when the node has a certificate the system
	// trusts, or serves plain http on loopback.
	Fingerprint string `json:"fingerprint,omitempty"`
	// Joined is when the wallet joined.
	Joined time.Time `json:"joined"`
	// Local is true for the network the app runs on this computer.
	Local bool `json:"local,omitempty"`
}

// JoinURL is the URL (and QR) that joins m: its base URL with #fp= when a
// fingerprint is pinned.
func (m Membership) JoinURL() string {
	if m.Fingerprint == "" {
		return m.URL
	}
	return m.URL + "#fp=" + m.Fingerprint
}

// RegistryAddress is the registry as an address.
func (d Document) RegistryAddress() common.Address { return common.HexToAddress(d.Registry) }

// ErrForgedDocument: a network document whose chain (chain id, registry
// code) is not what its RPC serves.
var ErrForgedDocument = errors.New("the network's description does not match its chain")

// ParseJoinURL splits a join URL (https://host[:port][/path][#fp=HEX]) into
// the node's base URL and the pinned fingerprint.
func ParseJoinURL(raw string) (base string, fingerprint string, err error) {
	return "", "", errors.New("network.ParseJoinURL: not built yet")
}

// HTTPClient is an HTTP client for a node: it accepts only the certificate
// whose SHA-256 is fingerprint when one is given, else the system's roots.
func HTTPClient(fingerprint string) *http.Client {
	return &http.Client{Timeout: 30 * time.Second}
}

// Fetch reads the network document at joinURL and checks it against the
// chain its RPC serves (chain id, registry code): a document that lies is
// refused with ErrForgedDocument. It enrols nothing.
func Fetch(ctx context.Context, joinURL string) (Membership, error) {
	return Membership{}, errors.New("network.Fetch: not built yet")
}

// Client talks to a joined network's submission endpoint for one wallet.
type Client struct {
	m   Membership
	key func(digest []byte) ([]byte, error)
}

// NewClient returns a client for m that authenticates as the wallet whose
// chain key signs with sign (crypto.Sign over a 32-byte digest).
func NewClient(m Membership, sign func(digest []byte) ([]byte, error)) *Client {
	return &Client{m: m, key: sign}
}

// Enrol asks the node to pay for this wallet's actions; invite is the
// operator's code for an invitation-only network ("" when open).
func (c *Client) Enrol(ctx context.Context, invite string) error {
	return errors.New("network.Client.Enrol: not built yet")
}

// Submit hands in a signed action (see chain.Submitter).
func (c *Client) Submit(ctx context.Context, data []byte) (chain.SubmitResult, error) {
	return chain.SubmitResult{}, errors.New("network.Client.Submit: not built yet")
}

// Status reports on a transaction the node sent for this wallet.
func (c *Client) Status(ctx context.Context, hash common.Hash) (chain.TxStatus, error) {
	return chain.TxStatus{}, errors.New("network.Client.Status: not built yet")
}

// Account is what the node says of this wallet's enrolment and budget.
type Account struct {
	Enrolled  bool   `json:"enrolled"`
	Balance   string `json:"balance"` // the wallet's own balance in wei: "0" for a patient
	UsedToday int    `json:"usedToday"`
	PerDay    int    `json:"perDay"`
}

// Account reads the wallet's enrolment.
func (c *Client) Account(ctx context.Context) (Account, error) {
	return Account{}, errors.New("network.Client.Account: not built yet")
}

