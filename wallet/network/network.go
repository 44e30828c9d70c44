// Package network is what lets a patient, a doctor and a caregiver meet
// (DESIGN §11): a network is a name, a chain (chain id, JSON-RPC URLs, the
// registry's address), a relay, and a submission endpoint that sends users'
// signed actions and pays their gas. A node describes itself in a Document
// served at /.well-known/healthwallet-network.json; wallets join it by URL or
// QR (a join URL, whose #fp= pins a self-signed TLS certificate), and
// receivers verify shares against the networks they joined.
//
// # Joining
//
// [ParseJoinURL] reads a join URL (https, or plain http only on loopback);
// [Fetch] reads the node's [Document] over [HTTPClient] (pinned when the URL
// carries a fingerprint) and checks it against the chain its own JSON-RPC
// serves: a document whose chain id or registry is not that chain's, or
// that sends the wallet's traffic to another origin, is refused with
// [ErrForgedDocument]. A [Client] then enrols the wallet and submits its
// signed actions; each request is signed by the wallet's chain key for
// that node, that purpose, that body and that minute.
//
// # Running a node
//
// [Start] runs one process with the chain node, the relay, the read-only
// JSON-RPC (/rpc), the document and the submission endpoint (/submit/v1/…);
// hw network serve and the app's "Try it on this computer" run it. Beyond
// loopback it serves TLS: a given certificate, or a self-signed one made
// once in its data directory.
//
// With [ServerConfig.ChainURL] the node runs no chain: it uses an existing
// JSON-RPC chain (a public EVM chain, a testnet) where the registry is
// deployed already, and pays gas from [ServerConfig.SubmitterKey]; startup
// refuses a chain that does not answer, an address with no registry and a
// submitter account with no ETH. Wallets still read that chain only through
// the node's /rpc.
//
// # What a node refuses
//
// Before any transaction: requests not signed by a wallet (401), wallets
// not enrolled, a wrong invitation code, and actions signed by another
// wallet than the one handing them in (403; an access-log entry, signed by
// a grant's access key, is the exception); actions that are not signed
// registry calls, whose signature is invalid, or that the registry would
// refuse (400), or that are already on chain (409); and anything past the
// wallet's daily limit or the network's daily budget (429). Before even
// reading a request: a client address past its rate of requests, or of
// enrolments ([ServerConfig.SubmitRate], [ServerConfig.EnrolRate]; 429 with
// Retry-After), so that one client cannot enrol many throwaway wallets.
package network

import (
	"bytes"
	"context"
	"crypto/sha256"
	"crypto/tls"
	"crypto/x509"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math/big"
	"net"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/ethereum/go-ethereum/common"

	"healthwallet/chain"
	"healthwallet/wallet/relay"
	"healthwallet/wallet/viewer"
)

// WellKnownPath is where a node serves its Document (and a relay with a
// chain, and a wallet's direct share: the web viewer reads it from its own
// origin).
const WellKnownPath = relay.NetworkDocumentPath

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
	// Submit is the submission endpoint's base URL; empty exactly when
	// Enrolment is "none".
	Submit string `json:"submit"`
	// Enrolment is "open", "invitation", or "none": a relay that reads its
	// chain (hw relay --chain) but sends no one's actions, which wallets
	// can trust for verifying shares but not join.
	Enrolment string `json:"enrolment"`
	// BlockPeriodSeconds and Confirmations say how fast actions become final.
	BlockPeriodSeconds uint64 `json:"blockPeriodSeconds"`
	Confirmations      uint64 `json:"confirmations"`
	// Viewer is the web viewer the node serves at <relay>/view:
	// "sha256:" and its viewer.BundleHash, which anyone can recompute
	// from a fresh build of the same source (hw network show does, from
	// the files served).
	Viewer string `json:"viewer,omitempty"`
}

// ViewerHash is the Document.Viewer value of a bundle hash.
func ViewerHash(bundleHash string) string { return "sha256:" + bundleHash }

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

// maxDocumentBytes bounds a network document: a few URLs and names.
const maxDocumentBytes = 64 << 10

// ParseJoinURL splits a join URL (https://host[:port][/path][#fp=HEX]) into
// the node's base URL (no trailing slash) and the pinned fingerprint (64
// lower-case hex digits, or empty). Plain http is accepted only for a
// loopback host (a network on this computer); anything else is refused.
func ParseJoinURL(raw string) (base string, fingerprint string, err error) {
	raw = strings.TrimSpace(raw)
	u, err := url.Parse(raw)
	if err != nil || u.Host == "" || u.Opaque != "" {
		return "", "", fmt.Errorf("%q is not a network's join URL: expected https://host[:port][#fp=…]", raw)
	}
	if u.User != nil || u.RawQuery != "" || u.ForceQuery {
		return "", "", fmt.Errorf("the join URL %q has a user name or a query: a network's join URL has neither", raw)
	}
	switch strings.ToLower(u.Scheme) {
	case "https":
	case "http":
		if !isLoopbackHost(u.Hostname()) {
			return "", "", fmt.Errorf("the join URL %q is plain http beyond this computer: a network must be joined over https", raw)
		}
	default:
		return "", "", fmt.Errorf("the join URL %q is not https: a network is joined at https://host[:port]", raw)
	}
	if u.Fragment != "" {
		fp, ok := strings.CutPrefix(u.Fragment, "fp=")
		if !ok || len(fp) != 2*sha256.Size {
			return "", "", fmt.Errorf("the join URL's #%s is not a certificate fingerprint (#fp= and 64 hex digits): copy the whole join URL again", u.Fragment)
		}
		if _, err := hex.DecodeString(fp); err != nil {
			return "", "", fmt.Errorf("the join URL's fingerprint is not hex: copy the whole join URL again")
		}
		fingerprint = strings.ToLower(fp)
	}
	b := url.URL{Scheme: strings.ToLower(u.Scheme), Host: strings.ToLower(u.Host), Path: strings.TrimSuffix(u.Path, "/")}
	return b.String(), fingerprint, nil
}

// isLoopbackHost reports whether host (a name or an IP, without port) is
// this computer.
func isLoopbackHost(host string) bool {
	if strings.EqualFold(host, "localhost") {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

// HTTPClient is an HTTP client for a node: it accepts only the certificate
// whose SHA-256 is fingerprint when one is given, else the system's roots.
// A pinned client trusts that one certificate whatever host names it holds:
// the pin, carried in the join URL the operator handed out, is the trust.
func HTTPClient(fingerprint string) *http.Client {
	tr := http.DefaultTransport.(*http.Transport).Clone()
	tr.TLSHandshakeTimeout = 10 * time.Second
	tr.ResponseHeaderTimeout = 30 * time.Second
	if fingerprint != "" {
		want := strings.ToLower(fingerprint)
		tr.TLSClientConfig = &tls.Config{
			MinVersion: tls.VersionTLS12,
			// The usual chain and host-name checks are replaced by the pin
			// check below, and only when a pin is given.
			InsecureSkipVerify: true,
			VerifyPeerCertificate: func(rawCerts [][]byte, _ [][]*x509.Certificate) error {
				if len(rawCerts) == 0 {
					return errors.New("the network node sent no certificate")
				}
				if got := Fingerprint(rawCerts[0]); got != want {
					return &PinMismatchError{Want: want, Got: got}
				}
				return nil
			},
		}
	}
	return &http.Client{Transport: tr, Timeout: 60 * time.Second}
}

// Fingerprint is the pin of a certificate: the hex SHA-256 of its DER.
func Fingerprint(der []byte) string {
	sum := sha256.Sum256(der)
	return hex.EncodeToString(sum[:])
}

// ErrPinMismatch: the node's certificate is not the one the join URL pins.
var ErrPinMismatch = errors.New("the network node's certificate is not the one its join URL names")

// PinMismatchError says which certificate was pinned and which was served.
type PinMismatchError struct{ Want, Got string }

func (e *PinMismatchError) Error() string {
	return fmt.Sprintf("%v (pinned %s…, served %s…): someone may be in between, or the node's certificate changed; ask its operator for the current join URL", ErrPinMismatch, e.Want[:12], e.Got[:12])
}
func (e *PinMismatchError) Is(target error) bool { return target == ErrPinMismatch }

// Fetch reads the network document at joinURL and checks it against the
// chain its RPC serves (chain id, registry code): a document that lies is
// refused with ErrForgedDocument. So is one that sends a wallet's traffic
// (RPC, relay, submission) to another origin than the join URL's, unless
// over https to a host the system trusts. It enrols nothing.
func Fetch(ctx context.Context, joinURL string) (Membership, error) {
	base, fp, err := ParseJoinURL(joinURL)
	if err != nil {
		return Membership{}, err
	}
	hc := HTTPClient(fp)
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, base+WellKnownPath, nil)
	if err != nil {
		return Membership{}, fmt.Errorf("reading the network at %s: %w", base, err)
	}
	resp, err := hc.Do(req)
	if err != nil {
		if errors.Is(err, ErrPinMismatch) {
			return Membership{}, fmt.Errorf("joining %s: %w", base, err)
		}
		return Membership{}, &chain.ChainDownError{URL: base, Err: err}
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return Membership{}, fmt.Errorf("%s does not describe a network (HTTP %d at %s): check the join URL", base, resp.StatusCode, WellKnownPath)
	}
	body, err := io.ReadAll(io.LimitReader(resp.Body, maxDocumentBytes+1))
	if err != nil {
		return Membership{}, &chain.ChainDownError{URL: base, Err: err}
	}
	if len(body) > maxDocumentBytes {
		return Membership{}, fmt.Errorf("%s's network description is larger than %d bytes: not a network document", base, maxDocumentBytes)
	}
	doc, err := ParseDocument(body)
	if err != nil {
		return Membership{}, fmt.Errorf("%s: %w", base, err)
	}
	if err := doc.checkOrigins(base, fp); err != nil {
		return Membership{}, err
	}
	if err := doc.checkChain(ctx, hc); err != nil {
		return Membership{}, err
	}
	return Membership{Document: doc, URL: base, Fingerprint: fp, Joined: time.Now().UTC()}, nil
}

// ParseDocument reads a network document strictly: known fields only,
// version 1, a name, a registry address, at least one RPC URL, and URLs
// for the relay and the submission endpoint.
func ParseDocument(data []byte) (Document, error) {
	var doc Document
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&doc); err != nil {
		return Document{}, fmt.Errorf("the network's description is not valid: %v", err)
	}
	if dec.More() {
		return Document{}, errors.New("the network's description has data after its JSON object")
	}
	switch {
	case doc.Version != 1:
		return Document{}, fmt.Errorf("the network's description is version %d; this wallet reads version 1: update the wallet", doc.Version)
	case strings.TrimSpace(doc.Name) == "":
		return Document{}, errors.New("the network's description has no name")
	case !common.IsHexAddress(doc.Registry):
		return Document{}, fmt.Errorf("the network's registry %q is not an address", doc.Registry)
	case len(doc.RPC) == 0:
		return Document{}, errors.New("the network's description names no JSON-RPC URL")
	case doc.Relay == "":
		return Document{}, errors.New("the network's description names no relay URL")
	case doc.ChainID == 0:
		return Document{}, errors.New("the network's description has no chain id")
	case doc.Enrolment != EnrolmentOpen && doc.Enrolment != EnrolmentInvitation && doc.Enrolment != EnrolmentNone:
		return Document{}, fmt.Errorf("the network's enrolment %q is none of %q, %q and %q", doc.Enrolment, EnrolmentOpen, EnrolmentInvitation, EnrolmentNone)
	case doc.Enrolment == EnrolmentNone && doc.Submit != "":
		return Document{}, errors.New("the network's description names a submission URL but takes no enrolments")
	case doc.Enrolment != EnrolmentNone && doc.Submit == "":
		return Document{}, errors.New("the network's description names no submission URL")
	case doc.Viewer != "" && !validViewerHash(doc.Viewer):
		return Document{}, fmt.Errorf("the network's viewer %q is not \"sha256:\" and 64 hex digits", doc.Viewer)
	}
	return doc, nil
}

// validViewerHash reports whether v is "sha256:" and 64 lower-case hex digits.
func validViewerHash(v string) bool {
	h, ok := strings.CutPrefix(v, "sha256:")
	if !ok || len(h) != 2*sha256.Size || strings.ToLower(h) != h {
		return false
	}
	_, err := hex.DecodeString(h)
	return err == nil
}

// Enrolment kinds of a network.
const (
	EnrolmentOpen       = "open"
	EnrolmentInvitation = "invitation"
	// EnrolmentNone: a relay with a chain (hw relay --chain), which sends
	// no actions; wallets trust it for verifying, and cannot join it.
	EnrolmentNone = "none"
)

// Joinable reports whether wallets can join the network (enrol, and send
// their actions through it).
func (d Document) Joinable() bool { return d.Enrolment != EnrolmentNone }

// checkOrigins refuses a document that points a wallet's traffic away from
// the node it was joined at: each URL is on base's origin, or https to
// another host whose certificate the system trusts (only when nothing is
// pinned: a pin names one certificate, the node's).
func (d Document) checkOrigins(base, fingerprint string) error {
	bu, err := url.Parse(base)
	if err != nil {
		return fmt.Errorf("reading %s: %w", base, err)
	}
	home := relay.Origin(bu)
	urls := append([]string{d.Relay, d.Submit}, d.RPC...)
	for _, raw := range urls {
		if raw == d.Submit && raw == "" {
			continue // a relay that submits nothing (EnrolmentNone)
		}
		u, err := url.Parse(raw)
		if err != nil || u.Host == "" || (u.Scheme != "http" && u.Scheme != "https") || u.User != nil {
			return fmt.Errorf("%w: %q is not an http(s) URL", ErrForgedDocument, raw)
		}
		if relay.Origin(u) == home {
			continue
		}
		if strings.ToLower(u.Scheme) != "https" || fingerprint != "" {
			return fmt.Errorf("%w: it sends the wallet's traffic to %s, not to %s where it was joined", ErrForgedDocument, relay.Origin(u), home)
		}
	}
	return nil
}

// checkChain dials the document's first RPC URL over hc and checks that it
// serves the chain id and the registry the document names.
func (d Document) checkChain(ctx context.Context, hc *http.Client) error {
	rpcURL := d.RPC[0]
	n, err := chain.DialWith(ctx, rpcURL, hc, d.RegistryAddress(), new(big.Int).SetUint64(d.ChainID))
	if err != nil {
		var wrong *chain.WrongChainError
		switch {
		case errors.As(err, &wrong):
			return fmt.Errorf("%w: it says chain %d, its JSON-RPC (%s) serves chain %s; do not join it", ErrForgedDocument, d.ChainID, rpcURL, wrong.Got)
		case errors.Is(err, chain.ErrNoRegistry):
			return fmt.Errorf("%w: it names registry %s, which its chain (%s) does not hold (%v); do not join it", ErrForgedDocument, d.RegistryAddress().Hex(), rpcURL, err)
		}
		return fmt.Errorf("checking the network's chain at %s: %w", rpcURL, err)
	}
	return n.Close()
}

// RelayDocument is the document a relay that reads a chain but runs no
// submission endpoint serves (hw relay --chain, a wallet's direct share):
// its chain, its own read-only JSON-RPC at <public>/rpc, itself as the
// relay, no enrolment, and the viewer it serves. The web viewer on its
// page reads it to verify shares against that chain.
func RelayDocument(name, public string, chainID uint64, registry common.Address) Document {
	return Document{
		Version:   1,
		Name:      name,
		ChainID:   chainID,
		Registry:  registry.Hex(),
		RPC:       []string{public + relay.RPCPath},
		Relay:     public,
		Enrolment: EnrolmentNone,
		Viewer:    ViewerHash(viewer.BundleHash()),
	}
}
