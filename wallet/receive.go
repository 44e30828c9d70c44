package wallet

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"math/big"
	"net/http"
	"strings"
	"time"

	"github.com/ethereum/go-ethereum/common"

	"healthwallet/chain"
	"healthwallet/wallet/network"
	"healthwallet/wallet/share"
)

// This file: receiving a share (DESIGN §7, "Receiver verification"). A
// receiver opens any SMART Health Link; a Health Wallet share is checked
// against the chain the receiver trusts. The receiver sends nothing to the
// chain: an access is recorded there by the patient's wallet (see
// share.AccessStatement), never from the receiver's address.

// DefaultPurpose is the PurposeOfUse a receiver states when it gives none.
const DefaultPurpose = "TREAT"

// ReceiveOptions are what a receiver adds to a link.
type ReceiveOptions struct {
	Passcode  string
	Purpose   string // PurposeOfUse code, logged on chain and at the relay; default TREAT
	Recipient string // how the receiver describes itself to the patient ("Dr. Smith, City Clinic")

	// CardKeys resolves SMART Health Card issuers' keys; nil means
	// share.HTTPSResolver with HTTP (the issuers' published keys). Tests and
	// offline trust lists hand in a share.DirResolver.
	CardKeys share.IssuerKeyResolver
	// HTTP is the client that fetches the link; nil means one with a 60 s
	// timeout. A link served by the relay of a trusted network whose
	// certificate is pinned is fetched with that network's pinning client
	// instead.
	HTTP *http.Client
	// Now is the time to judge expiries by; zero means time.Now().
	Now time.Time
}

// Received is what a receiver got from a link: the records and every check.
type Received struct {
	share.Report
	// Logged is always empty: the receiver sends nothing to the chain (see
	// [Wallet.Receive]).
	Logged string `json:"logged,omitempty"`
	// Problem says, calmly, why the share could not be checked on chain (no
	// chain given, chain down, a network not trusted); empty when there was
	// nothing to say.
	Problem string `json:"problem,omitempty"`
	// Network is the network the share was made on, for a Health Wallet
	// share: its name and join URL as the share gives them, and the chain
	// id and registry its grant was signed for.
	Network *ReceivedNetwork `json:"network,omitempty"`
	// Patients are the different people the records (those shown as the
	// share's content) are about, one per distinct Patient resource; a
	// share is about one person, so more than one is a warning.
	Patients []ReceivedPatient `json:"patients,omitempty"`
	// Warnings say, in words, what to check with the patient before
	// relying on the records: records about more than one person.
	Warnings []string `json:"warnings,omitempty"`
}

// ReceivedNetwork is the network a received share was made on.
type ReceivedNetwork struct {
	Name     string `json:"name,omitempty"`
	URL      string `json:"url,omitempty"`
	ChainID  uint64 `json:"chainId"`
	Registry string `json:"registry"`
	// Trusted: the receiver verified the share against it.
	Trusted bool `json:"trusted"`
}

// String names the network for people: "Riverside Clinic (chain 1337,
// registry 0x…)".
func (n ReceivedNetwork) String() string {
	name := n.Name
	if name == "" {
		name = "a network that gives no name"
	}
	return fmt.Sprintf("%s (chain %d, registry %s)", name, n.ChainID, n.Registry)
}

// RecordsJSON are the FHIR resources shown as the share's content: for a
// Health Wallet share, only those the patient's consent covers; the others
// are in Uncovered, to be shown and exported apart, never with these.
func (r Received) RecordsJSON() []json.RawMessage { return r.Records }

// OpenError is a link that could not be opened at all: malformed, expired,
// revoked, a wrong passcode, its server unreachable. Err is the cause
// (share.ErrBadLink, share.ErrLinkExpired, share.ErrNoLongerAvailable,
// *share.PasscodeError, *share.RateLimitedError, …); its text says what
// happened and what to do. A link that opened but did not verify is not an
// OpenError: the Received's checks say what failed.
type OpenError struct{ Err error }

func (e *OpenError) Error() string {
	var pe *share.PasscodeError
	switch {
	case errors.As(e.Err, &pe) && pe.RemainingAttempts > 0:
		return "the link could not be opened: " + e.Err.Error() + "; check the passcode with the patient and try again"
	case errors.Is(e.Err, share.ErrPasscodeRequired):
		return "the link could not be opened: " + e.Err.Error() + "; ask the patient for it and pass it with the passcode option"
	case errors.Is(e.Err, share.ErrNoLongerAvailable), errors.Is(e.Err, share.ErrLinkExpired):
		return "the link could not be opened: " + e.Err.Error() + "; ask the patient for a new one"
	}
	return "the link could not be opened: " + e.Err.Error()
}

func (e *OpenError) Unwrap() error { return e.Err }

// Receive opens a link (a shlink:/…, a viewer URL with #shlink:/…, or the
// text of a scanned QR), fetches and decrypts it, verifies everything it can
// against the wallet's chain and registry. It sends nothing to the chain.
//
// The error is an *OpenError when the link could not be opened; a share that
// opened but failed a check is returned without error, not Verified, with the
// failed check named in its Checks. A chain that cannot be reached is not an
// error either: the chain checks fail with the reason and Problem says it.
func (w *Wallet) Receive(ctx context.Context, link string, opts ReceiveOptions) (Received, error) {
	// The lock check and the card under one read lock: the wallet may lock
	// (wiping w.id) at any moment.
	w.mu.RLock()
	if w.id == nil {
		w.mu.RUnlock()
		return Received{}, ErrLocked
	}
	name := w.profile.DisplayName
	card, cardErr := w.id.Card(name)
	w.mu.RUnlock()
	if err := receivePurpose(&opts); err != nil {
		return Received{}, err
	}
	if opts.Recipient == "" {
		opts.Recipient = name
	}
	in := share.VerifyInput{}
	if st, err := w.readTrust(); err == nil {
		in.CardTrust = st.Trusted // the receiver's own list of card issuers
	}
	if cardErr == nil {
		in.RecipientKeyHash = card.SharingKeyHash()
	}
	if l, err := share.ParseLink(link); err == nil {
		if hc := w.relayHTTP(l.URL); hc != nil {
			opts.HTTP = hc
		}
	}
	// The receiver never logs on chain itself: a transaction from its
	// address would link it to the patient's grant for every chain observer.
	// The patient's wallet records accesses on chain (HealthRegistry.logAccess,
	// signed with the link's access key), as the patient chooses.
	return openLink(ctx, link, opts, in, w.pickChain)
}

// pickChain is the wallet's verifier: the share is checked against the
// wallet's own chain (the joined network, a --chain URL, the embedded chain)
// when the grant was made for it, else against a trusted network's.
func (w *Wallet) pickChain(ctx context.Context, proof share.ProofFile, in *share.VerifyInput) chainChoice {
	w.chainMu.Lock()
	n, err := w.networkLocked(ctx)
	m, onNetwork := w.networkInForceLocked()
	chainID, registry, known := w.knownChainLocked()
	w.chainMu.Unlock()
	about := receivedNetwork(proof)
	ours := func() chainChoice {
		about.Trusted = true
		in.Trust = &share.Check{OK: true, Detail: "this wallet's own chain"}
		if onNetwork {
			in.Trust.Detail = "the " + m.Name + " network, which this wallet joined"
			about.Name, about.URL = m.Name, m.JoinURL()
		}
		return chainChoice{network: about}
	}
	switch {
	case err == nil && n.ChainID.IsUint64() && n.ChainID.Uint64() == proof.ChainID && n.Registry == proof.Registry:
		in.Chain = share.NewChainReader(n.Client, n.Registry)
		in.ExpectChainID, in.ExpectRegistry = n.ChainID, n.Registry
		return ours()
	case err != nil && ctx.Err() == nil && known && chainID.Uint64() == proof.ChainID && registry == proof.Registry:
		// The wallet's own chain, down: the records are shown, the chain
		// checks fail with the reason.
		in.Chain = unreachableChain{err}
		in.ExpectChainID, in.ExpectRegistry = chainID, registry
		c := ours()
		c.problem = "not verified on chain: " + err.Error()
		return c
	}
	var others []network.Membership
	for _, t := range w.TrustedNetworks() {
		if !onNetwork || t.URL != m.URL {
			others = append(others, t)
		}
	}
	return pickTrusted(ctx, proof, in, others)
}

// chainChoice is the chain a share is verified against, as a verifier
// chose it.
type chainChoice struct {
	problem string
	network *ReceivedNetwork
	close   func()
}

// verifier chooses, from a share's proof, the chain to verify it against:
// it sets in's Chain, ExpectChainID, ExpectRegistry and Trust.
type verifier func(ctx context.Context, proof share.ProofFile, in *share.VerifyInput) chainChoice

// receivedNetwork is the network a proof names.
func receivedNetwork(proof share.ProofFile) *ReceivedNetwork {
	n := &ReceivedNetwork{ChainID: proof.ChainID, Registry: proof.Registry.Hex()}
	if proof.Network != nil {
		n.Name, n.URL = proof.Network.Name, proof.Network.URL
	}
	return n
}

// pickTrusted verifies against the trusted network whose chain id and
// registry are the grant's (dialing it through its pinned client); with
// none, the share is not verified and the "network trusted" check says
// which network it was made on and what trusting it means.
func pickTrusted(ctx context.Context, proof share.ProofFile, in *share.VerifyInput, trusted []network.Membership) chainChoice {
	about := receivedNetwork(proof)
	for _, m := range trusted {
		if m.ChainID != proof.ChainID || m.RegistryAddress() != proof.Registry {
			continue
		}
		about.Trusted = true
		about.Name, about.URL = m.Name, m.JoinURL()
		in.Trust = &share.Check{OK: true, Detail: fmt.Sprintf("the %s network, which this receiver trusts", m.Name)}
		in.ExpectChainID, in.ExpectRegistry = new(big.Int).SetUint64(m.ChainID), m.RegistryAddress()
		n, err := openNetwork(ctx, m)
		if err != nil {
			in.Chain = unreachableChain{err}
			return chainChoice{network: about, problem: "not verified on chain: " + err.Error()}
		}
		in.Chain = share.NewChainReader(n.Client, n.Registry)
		return chainChoice{network: about, close: func() { n.Close() }}
	}
	join := "hw network trust URL"
	if about.URL != "" {
		join = "hw network trust " + about.URL
	}
	in.Trust = &share.Check{OK: false, Detail: fmt.Sprintf(
		"the share was made on %s, which this receiver does not trust, so nothing in it could be checked; "+
			"the records are shown as sent. Trusting the network means believing its chain about this patient's "+
			"consent and records: do so only if you know who runs it (%s)", about, join)}
	return chainChoice{network: about, problem: "not verified: made on " + about.String() + ", a network this receiver does not trust"}
}

// ReceiveWithNetworks opens a link as Receive does, for a receiver without
// a wallet (a doctor at a scanner): it verifies against the one of networks
// the share was made on; a share from any other network opens, not
// verified, with a failing "network trusted" check naming it. It logs
// nothing.
func ReceiveWithNetworks(ctx context.Context, link string, opts ReceiveOptions, networks []network.Membership) (Received, error) {
	if err := receivePurpose(&opts); err != nil {
		return Received{}, err
	}
	if opts.Recipient == "" {
		opts.Recipient = "a Health Wallet receiver without an identity"
	}
	if l, err := share.ParseLink(link); err == nil {
		if hc := pinnedRelayHTTP(networks, l.URL); hc != nil {
			opts.HTTP = hc
		}
	}
	return openLink(ctx, link, opts, share.VerifyInput{},
		func(ctx context.Context, proof share.ProofFile, in *share.VerifyInput) chainChoice {
			return pickTrusted(ctx, proof, in, networks)
		})
}

// ReceiveAnonymous opens a link as Receive does, for a receiver without a
// wallet (a doctor at a scanner): it verifies against net's chain and
// registry when net is given, and logs nothing. Without net, a Health Wallet
// share's chain checks fail and Problem says "not verified on chain: no
// chain given".
//
// It is for scripts that name a chain (hw receive --chain URL without a
// wallet); a receiver of networks uses ReceiveWithNetworks, which names the
// network a share was made on.
func ReceiveAnonymous(ctx context.Context, link string, opts ReceiveOptions, net *chain.Network) (Received, error) {
	if err := receivePurpose(&opts); err != nil {
		return Received{}, err
	}
	if opts.Recipient == "" {
		opts.Recipient = "a Health Wallet receiver without an identity"
	}
	var in share.VerifyInput
	if net != nil {
		in.Chain = share.NewChainReader(net.Client, net.Registry)
		in.ExpectChainID, in.ExpectRegistry = net.ChainID, net.Registry
	}
	got, err := openLink(ctx, link, opts, in, nil)
	if net == nil && got.Source == share.SourceHealthWallet {
		got.Problem = "not verified on chain: no chain given"
	}
	return got, err
}

// receivePurpose defaults and checks the receiver's purpose.
func receivePurpose(opts *ReceiveOptions) error {
	opts.Purpose = strings.ToUpper(strings.TrimSpace(opts.Purpose))
	if opts.Purpose == "" {
		opts.Purpose = DefaultPurpose
	}
	if _, err := share.PurposeHash(opts.Purpose); err != nil {
		codes := make([]string, 0, len(share.Purposes()))
		for _, p := range share.Purposes() {
			codes = append(codes, p.Code)
		}
		return fmt.Errorf("purpose %q: %w; use one of %s", opts.Purpose, share.ErrUnknownPurpose, strings.Join(codes, ", "))
	}
	return nil
}

// openLink parses, fetches and verifies a link. It is share.Open, except
// that a link that cannot be opened at all is also an *OpenError, whose
// cause a caller can test (a wrong passcode and the attempts left).
//
// pick, when set, chooses the chain to verify a Health Wallet share
// against once its proof is read.
func openLink(ctx context.Context, text string, opts ReceiveOptions, in share.VerifyInput, pick verifier) (Received, error) {
	rep, choice, err := openAndVerify(ctx, text, opts, in, pick)
	got := Received{Report: rep, Problem: choice.problem, Network: choice.network}
	got.Patients = receivedPatients(got.Records)
	if w := morePeopleWarning(got.Patients); w != "" {
		got.Warnings = append(got.Warnings, w)
	}
	return got, err
}

func openAndVerify(ctx context.Context, text string, opts ReceiveOptions, in share.VerifyInput, pick verifier) (share.Report, chainChoice, error) {
	var choice chainChoice
	now := opts.Now
	if now.IsZero() {
		now = time.Now()
	}
	in.Now = now
	if in.CardKeys = opts.CardKeys; in.CardKeys == nil {
		in.CardKeys = share.HTTPSResolver{Client: opts.HTTP}
	}
	link, err := share.ParseLink(text)
	if err != nil {
		r := share.Report{Source: share.SourceOther, Checks: []share.Check{{Name: share.CheckLinkWellFormed, Detail: err.Error()}}}
		return r, choice, &OpenError{err}
	}
	in.Link = link
	m, err := share.Fetch(ctx, link, share.FetchOptions{
		Recipient: opts.Recipient, Passcode: opts.Passcode, Purpose: opts.Purpose, HTTP: opts.HTTP, Now: now,
	})
	if err == nil {
		in.Files = m.Files
		if proof, ok := share.ProofOf(m.Files); ok && pick != nil {
			choice = pick(ctx, proof, &in)
			if choice.close != nil {
				defer choice.close()
			}
		}
		return share.Verify(ctx, in), choice, nil
	}
	if ctx.Err() != nil {
		return share.Report{Source: share.SourceOther}, choice, ctx.Err()
	}
	// Verify with no files runs the link's own checks and ends with
	// "manifest fetched" failed; say instead what went wrong.
	r := share.Verify(ctx, in)
	if n := len(r.Checks); n > 0 && r.Checks[n-1].Name == share.CheckManifestFetched {
		r.Checks = r.Checks[:n-1]
	}
	if len(r.Failed()) > 0 {
		return r, choice, &OpenError{err} // the link itself is malformed or expired
	}
	if errors.Is(err, share.ErrDecrypt) || errors.Is(err, share.ErrBadJWE) || errors.Is(err, share.ErrUnsupportedJWE) {
		// The server answered: the link opened, and what it holds is not
		// what its key encrypted. A failed check, not an error.
		r.Checks = append(r.Checks,
			share.Check{Name: share.CheckManifestFetched, OK: true},
			share.Check{Name: share.CheckFilesDecrypted, Detail: err.Error()})
		return r, choice, nil
	}
	r.Checks = append(r.Checks, share.Check{Name: share.CheckManifestFetched, Detail: err.Error()})
	return r, choice, &OpenError{err}
}

// unreachableChain is the chain reader of a wallet whose chain could not be
// opened: every question fails with why.
type unreachableChain struct{ err error }

var _ share.ChainReader = unreachableChain{}

func (c unreachableChain) ChainID(context.Context) (*big.Int, error) { return nil, c.err }
func (c unreachableChain) GrantOf(context.Context, common.Address, common.Hash) (share.GrantStatus, error) {
	return share.GrantStatus{}, c.err
}
func (c unreachableChain) AnchorOf(context.Context, common.Address, common.Hash) (share.AnchorStatus, error) {
	return share.AnchorStatus{}, c.err
}
func (c unreachableChain) DelegateOf(context.Context, common.Address, common.Address) (share.DelegateStatus, error) {
	return share.DelegateStatus{}, c.err
}
