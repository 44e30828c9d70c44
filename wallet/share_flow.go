package wallet

import (
	"context"
	"crypto/ecdh"
	"crypto/ecdsa"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math/big"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"time"

	"github.com/ethereum/go-ethereum/common"
	"github.com/ethereum/go-ethereum/crypto"

	"healthwallet/chain/merkle"
	"healthwallet/chain/outbox"
	"healthwallet/wallet/identity"
	"healthwallet/wallet/record"
	"healthwallet/wallet/relay"
	"healthwallet/wallet/share"
	"healthwallet/wallet/vault"
)

// This file: making a share (DESIGN §7) and the wallet's own record of its
// shares. A share is, in order:
//
//  1. the chosen records, each anchored (anchored first if need be);
//  2. a fresh link key, and share.BuildShare's grant, proof file and JWEs;
//  3. the files uploaded to the relay (plain manifest, or flag P);
//  4. in ONE vault transaction: the share's sealed state and the outbox row
//     that issues its grant on chain;
//  5. the outbox drained, waiting a little for the grant's block, since the
//     relay refuses to serve a grant the chain does not know.
//
// The sealed state lives in the vault's state area:
//
//	share/own   share id → ownShare (JSON)
//	share/meta  "relay"  → the saved relay URL
//
// Nothing of a share reaches a log, and on chain only the grant's digest
// and expiry (issueGrant) and later revokeGrant(digest).

const (
	spaceShares    = "share/own"
	spaceShareMeta = "share/meta"

	// Outbox kinds of the sharing rows; the payload is the grant digest.
	kindIssueGrant  = "issueGrant"
	kindRevokeGrant = "revokeGrant"
)

var keyRelayURL = []byte("relay")

// Share states, for ShareInfo.State.
const (
	ShareActive  = "active"
	ShareExpired = "expired"
	ShareRevoked = "revoked"
	SharePending = "pending" // the grant is not on chain yet: the relay does not serve it until it is
	ShareLocked  = "locked"  // the passcode's failure limit was reached
	ShareFailed  = "failed"  // the chain refused the grant
	ShareStopped = "stopped" // a direct share no longer served: its screen (or hw share --direct) ended
)

// Errors of sharing a caller can act on.
var (
	ErrNoRelay = errors.New("no relay to share through: give its URL (hw relay-url URL, or Settings → Relay), or share directly on the local network")
	// ErrRelayUnreachable: the relay (the network's, when on one) does not
	// answer; nothing was shared, the records are safe, and a direct share
	// works without it.
	ErrRelayUnreachable = errors.New("the relay does not answer, so nothing was shared; your records are safe here: share directly on the local network instead (hw share --direct ADDR), or try again later")
	// ErrNotAnchored wraps the list of records not yet on chain.
	ErrNotAnchored = errors.New("some records are not anchored on chain yet: a share can only carry anchored records; try again shortly (hw anchor shows why they wait)")
	ErrNoShare     = errors.New("no such share (list them with hw shares)")
	// ErrRevokePending: the share is marked revoked and both the relay and
	// the chain are still to confirm it; the wallet retries on its own.
	ErrRevokePending = errors.New("the revocation is saved but neither the relay nor the chain has confirmed it yet")
	// ErrIncomplete: some sources could not be reached; what could be read
	// is returned along with this error.
	ErrIncomplete = errors.New("not every source could be reached")
)

// Bounds on how long Share waits, replaceable by tests.
var (
	// shareAnchorWait is how long Share waits for records it had to anchor.
	shareAnchorWait = 30 * time.Second
	// shareGrantWait is how long Share waits for the grant's block.
	shareGrantWait = 20 * time.Second
	// relayTimeout bounds one call to a relay.
	relayTimeout = 30 * time.Second
	// sharePoll is the pause between looks at the chain while waiting.
	sharePoll = 250 * time.Millisecond
)

// ownShare is the wallet's sealed record of one of its shares.
type ownShare struct {
	ID      string      `json:"id"`    // the relay's share id
	Relay   string      `json:"relay"` // the relay's base URL (management API)
	Link    string      `json:"link"`  // shlink:/…; holds the link key, so the QR can be shown again
	Label   string      `json:"label,omitempty"`
	Purpose string      `json:"purpose"`
	Flag    string      `json:"flag,omitempty"`
	Created time.Time   `json:"created"`
	Expires time.Time   `json:"expires"`
	Digest  common.Hash `json:"digest"`
	// Records are the shared versions, "record id:version".
	Records   []string `json:"records"`
	Recipient bool     `json:"recipient,omitempty"` // addressed to one recipient's card
	Direct    bool     `json:"direct,omitempty"`    // served by the wallet itself
	Emergency bool     `json:"emergency,omitempty"` // the emergency card: the relay records each opening on chain
	GrantRow  uint64   `json:"grantRow"`
	// Revocation: when the patient revoked, the outbox row of revokeGrant,
	// and whether the relay has yet to be told.
	Revoked      time.Time `json:"revoked,omitzero"`
	RevokeRow    uint64    `json:"revokeRow,omitempty"`
	RelayPending bool      `json:"relayPending,omitempty"`
	// Person is whose records the share holds ("" the owner's): its grant
	// and upload are under their address, and so is its revocation.
	Person string `json:"person,omitempty"`
}

func readOwnShare(r outbox.Reader, id string) (ownShare, bool, error) {
	v, ok, err := r.State(spaceShares, []byte(id))
	if err != nil || !ok {
		return ownShare{}, ok, err
	}
	var s ownShare
	if err := json.Unmarshal(v, &s); err != nil {
		return ownShare{}, false, fmt.Errorf("share %s is unreadable: %w", id, err)
	}
	return s, true, nil
}

func putOwnShare(tx outbox.Tx, s ownShare) error {
	v, err := jsonMarshal(s)
	if err != nil {
		return err
	}
	return tx.PutState(spaceShares, []byte(s.ID), v)
}

// ownShares reads every share of the wallet, newest first, with their
// outbox rows by id.
func (w *Wallet) ownShares() ([]ownShare, map[uint64]outbox.Row, error) {
	var shares []ownShare
	rows := map[uint64]outbox.Row{}
	err := w.vault.View(func(tx *vault.ReadTx) error {
		all, err := outbox.Rows(tx)
		if err != nil {
			return err
		}
		for _, r := range all {
			rows[r.ID] = r
		}
		return tx.ForEachState(spaceShares, func(_, v []byte) error {
			var s ownShare
			if err := json.Unmarshal(v, &s); err != nil {
				return fmt.Errorf("a share is unreadable: %w", err)
			}
			shares = append(shares, s)
			return nil
		})
	})
	if err != nil {
		return nil, nil, fmt.Errorf("reading the shares: %w", mapVaultError(err))
	}
	slices.SortFunc(shares, func(a, b ownShare) int {
		if c := b.Created.Compare(a.Created); c != 0 {
			return c
		}
		return strings.Compare(a.ID, b.ID)
	})
	return shares, rows, nil
}

// findShare returns the share whose id is id or starts with id (at least
// 6 characters), as people type ids from a list.
func (w *Wallet) findShare(id string) (ownShare, error) {
	id = strings.TrimSpace(id)
	if id == "" {
		return ownShare{}, ErrNoShare
	}
	shares, _, err := w.ownShares()
	if err != nil {
		return ownShare{}, err
	}
	var matches []ownShare
	for _, s := range shares {
		if s.ID == id {
			return s, nil
		}
		if len(id) >= 6 && strings.HasPrefix(s.ID, id) {
			matches = append(matches, s)
		}
	}
	switch len(matches) {
	case 0:
		return ownShare{}, fmt.Errorf("%w: %s", ErrNoShare, id)
	case 1:
		return matches[0], nil
	}
	return ownShare{}, fmt.Errorf("%w: %s matches %d shares; give more of the id", ErrNoShare, id, len(matches))
}

// RelayURL is the saved relay's base URL; empty when none is saved.
func (w *Wallet) RelayURL() (string, error) {
	if err := w.unlocked(); err != nil {
		return "", err
	}
	var u string
	err := w.vault.View(func(tx *vault.ReadTx) error {
		v, _, err := tx.State(spaceShareMeta, keyRelayURL)
		u = string(v)
		return err
	})
	if err != nil {
		return "", fmt.Errorf("reading the relay setting: %w", mapVaultError(err))
	}
	return u, nil
}

// SetRelayURL saves the relay shares go through (sealed in the vault); an
// empty url forgets it. The URL is checked, not contacted.
func (w *Wallet) SetRelayURL(url string) error {
	if err := w.unlocked(); err != nil {
		return err
	}
	url = strings.TrimSuffix(strings.TrimSpace(url), "/")
	if url != "" {
		if _, err := relay.ParsePublicURL(url); err != nil {
			return fmt.Errorf("%q is not a relay URL: %w", url, err)
		}
		if err := share.CheckTransport(url, false); err != nil {
			return fmt.Errorf("the relay %s: %w", url, err)
		}
	}
	err := w.vault.Update(func(tx *vault.Tx) error {
		if url == "" {
			return tx.DeleteState(spaceShareMeta, keyRelayURL)
		}
		return tx.PutState(spaceShareMeta, keyRelayURL, []byte(url))
	})
	if err != nil {
		return fmt.Errorf("saving the relay setting: %w", mapVaultError(err))
	}
	return nil
}

// sharingKey is the patient's X25519 sharing key: relay access logs are
// sealed to it.
func (w *Wallet) sharingKey() (*ecdh.PrivateKey, error) {
	w.mu.RLock()
	defer w.mu.RUnlock()
	if w.id == nil {
		return nil, ErrLocked
	}
	return w.id.SharingKey()
}

func (w *Wallet) relayClient(baseURL string) (*relay.Client, error) {
	key, err := w.ChainKey()
	if err != nil {
		return nil, err
	}
	return w.relayClientAs(baseURL, key)
}

// relayClientAs is relayClient authenticated as key's address (a person
// kept apart uploads their shares as themselves).
func (w *Wallet) relayClientAs(baseURL string, key *ecdsa.PrivateKey) (*relay.Client, error) {
	if c, ok, err := directClient(baseURL, key); ok {
		return c, err
	}
	hc := w.relayHTTP(baseURL)
	if hc == nil {
		hc = &http.Client{Timeout: relayTimeout}
	}
	c, err := relay.NewClient(baseURL, key, hc)
	if err != nil {
		return nil, fmt.Errorf("the relay URL %q: %w", baseURL, err)
	}
	return c, nil
}

// Share makes a share: encrypts the chosen records and their proofs, uploads
// them to the relay, issues the grant on chain through the outbox, and
// returns the link and its QR.
//
// Records not yet anchored are anchored first, waiting a bounded time for
// their block; if they still wait, Share fails with ErrNotAnchored naming
// them. The grant is queued in the same vault transaction that saves the
// share; Share then waits a little for its block. If the chain cannot take
// it now, the share is made all the same and ShareResult.Problem says that
// the link works once the grant lands (the wallet sends it on its next
// chain work).
func (w *Wallet) Share(ctx context.Context, req ShareRequest) (ShareResult, error) {
	if err := w.unlocked(); err != nil {
		return ShareResult{}, err
	}
	base, err := w.shareRelay(req.Relay)
	if err != nil {
		return ShareResult{}, err
	}
	return w.share(ctx, req, base, false)
}

// shareRelay is the relay a share goes through: the one given, else the
// saved one, else the joined network's.
func (w *Wallet) shareRelay(given string) (string, error) {
	base := strings.TrimSpace(given)
	if base == "" {
		saved, err := w.RelayURL()
		if err != nil {
			return "", err
		}
		base = saved
	}
	if base == "" {
		// The joined network's relay, unless one was given or saved.
		w.chainMu.Lock()
		m, ok := w.networkInForceLocked()
		w.chainMu.Unlock()
		if ok {
			base = strings.TrimSuffix(m.Relay, "/")
		}
	}
	if base == "" {
		return "", ErrNoRelay
	}
	if err := share.CheckTransport(base, false); err != nil {
		return "", fmt.Errorf("the relay %s: %w", base, err)
	}
	return base, nil
}

// checkShareRequest refuses what cannot make a good share before any work.
func checkShareRequest(req ShareRequest) error {
	if req.TTL <= 0 {
		return fmt.Errorf("choose how long the link works (e.g. %s): the expiry must be in the future", presetList())
	}
	if req.TTL < MinShareTTL {
		return shortTTLError(req.TTL)
	}
	if _, err := share.PurposeHash(req.Purpose); err != nil {
		return fmt.Errorf("the purpose: %w", err)
	}
	if n := len([]rune(req.Label)); n > share.MaxLabelLength {
		return fmt.Errorf("the label is %d characters; at most %d fit in the link", n, share.MaxLabelLength)
	}
	if req.Passcode != "" && strings.TrimSpace(req.Passcode) == "" {
		return errors.New("the passcode is only white space: choose one the receiver can type")
	}
	return nil
}

func presetList() string {
	var s []string
	for _, d := range SharePresets {
		s = append(s, FormatTTL(d))
	}
	return strings.Join(s, ", ")
}

// FormatTTL writes a share duration as people say it: 15m, 1h, 1d, 1w.
func FormatTTL(d time.Duration) string {
	switch {
	case d%(7*24*time.Hour) == 0:
		return fmt.Sprintf("%dw", d/(7*24*time.Hour))
	case d%(24*time.Hour) == 0:
		return fmt.Sprintf("%dd", d/(24*time.Hour))
	case d%time.Hour == 0:
		return fmt.Sprintf("%dh", d/time.Hour)
	case d%time.Minute == 0:
		return fmt.Sprintf("%dm", d/time.Minute)
	}
	return d.String()
}

// MinShareTTL is the shortest a share may last: a link that works for less
// cannot reach anyone. Share and ParseTTL both refuse shorter ones.
const MinShareTTL = time.Minute

func shortTTLError(d time.Duration) error {
	return fmt.Errorf("a link that works for %s cannot reach anyone: choose at least a minute (%s)", d, presetList())
}

// ParseTTL reads a share duration: a preset (15m, 1h, 1d, 1w), a number of
// days or weeks (3d, 2w), or any Go duration (90m, 36h) of at least
// [MinShareTTL]. The app and hw both read durations with it, so they share
// its rules.
func ParseTTL(s string) (time.Duration, error) {
	s = strings.TrimSpace(s)
	for suffix, unit := range map[string]time.Duration{"d": 24 * time.Hour, "w": 7 * 24 * time.Hour} {
		if num, ok := strings.CutSuffix(s, suffix); ok {
			var n int
			if _, err := fmt.Sscanf(num, "%d", &n); err == nil && fmt.Sprint(n) == num && n > 0 && n <= 366 {
				return time.Duration(n) * unit, nil
			}
		}
	}
	d, err := time.ParseDuration(s)
	if err != nil || d <= 0 {
		return 0, fmt.Errorf("%q is not a duration: use %s, or a duration such as 90m or 36h", s, presetList())
	}
	if d < MinShareTTL {
		return 0, shortTTLError(d)
	}
	return d, nil
}

// share is Share with the relay chosen: base is its URL.
func (w *Wallet) share(ctx context.Context, req ShareRequest, base string, direct bool) (ShareResult, error) {
	return w.shareWith(ctx, req, base, direct, shareExtras{})
}

// shareExtras are what the emergency card (emergency.go) adds to a share.
type shareExtras struct {
	// records and versions, when set, are what is shared instead of the
	// request's selection, in order.
	records  []share.SharedRecord
	versions []string
	// document makes the FHIR file a document Bundle (the IPS).
	document *share.DocumentBundle
	// emergency gives the relay the grant's access key, so that it records
	// every opening on chain (break-glass).
	emergency bool
}

// shareWith is share with extras.
func (w *Wallet) shareWith(ctx context.Context, req ShareRequest, base string, direct bool, x shareExtras) (ShareResult, error) {
	if err := checkShareRequest(req); err != nil {
		return ShareResult{}, err
	}
	if err := checkLinkFits(req, base); err != nil {
		return ShareResult{}, err
	}
	var recipient common.Hash
	if strings.TrimSpace(req.Recipient) != "" {
		card, err := identity.ParseCard(req.Recipient)
		if err != nil {
			return ShareResult{}, fmt.Errorf("the recipient's card: %w", err)
		}
		recipient = card.SharingKeyHash()
	}
	client, err := w.relayClient(base)
	if err != nil {
		return ShareResult{}, err
	}
	w.retryRelayRevokes(ctx)

	shared, versions := x.records, x.versions
	var recs []record.Record
	if shared == nil {
		recs, err = w.selectRecords(req)
		if err != nil {
			return ShareResult{}, err
		}
		if shared, versions, err = w.sharedRecords(ctx, recs); err != nil {
			return ShareResult{}, err
		}
	}
	chainID, registry, err := w.chainParams(ctx)
	if err != nil {
		return ShareResult{}, err
	}
	key, err := share.NewKey()
	if err != nil {
		return ShareResult{}, err
	}
	// The share is the person's whose records it holds: granted and signed
	// under their own address (the owner's, or someone's kept apart).
	person := ""
	if x.records == nil && len(recs) > 0 {
		person = recs[0].Person
	}
	signer, err := w.personKey(person)
	if err != nil {
		return ShareResult{}, err
	}
	patient := crypto.PubkeyToAddress(signer.PublicKey)
	if person != "" {
		if client, err = w.relayClientAs(base, signer); err != nil {
			return ShareResult{}, err
		}
	}
	sharingKey, err := w.personSharingKey(person)
	if err != nil {
		return ShareResult{}, err
	}
	card, err := w.personCard(person, signer, sharingKey)
	if err != nil {
		return ShareResult{}, err
	}
	created := now().Truncate(time.Second)
	expires := created.Add(req.TTL)
	built, err := share.BuildShare(share.ShareRequest{
		Records: shared, Key: key, Patient: patient, Signer: signer, Recipient: recipient,
		PurposeCode: req.Purpose, NotBefore: created, Expiry: expires, ChainID: chainID, Registry: registry,
		Card: card, Network: w.shareNetworkRef(), Document: x.document,
	})
	if err != nil {
		return ShareResult{}, err
	}

	// The grant goes on chain first, then the files to the relay: the relay
	// (or anyone watching it) learns the digest only once the patient's
	// grant is issued or on its way, and the grant is the patient's own
	// signed action, keyed by the patient, so no one can take its place.
	access, err := share.AccessKey(key)
	if err != nil {
		return ShareResult{}, err
	}
	signed, err := w.actionSigner(chainID, registry)
	if err != nil {
		return ShareResult{}, err
	}
	signed.Key = signer
	expiry := uint64(expires.Unix())
	issue, err := signed.IssueGrant(patient, built.Digest, crypto.PubkeyToAddress(access.PublicKey), expiry, expiry)
	if err != nil {
		return ShareResult{}, err
	}
	var grantRow outbox.Row
	err = w.vault.Update(func(tx *vault.Tx) error {
		grantRow, err = outbox.Enqueue(tx, kindIssueGrant, built.Digest[:], issue)
		return err
	})
	if err != nil {
		return ShareResult{}, fmt.Errorf("saving the grant: %w", mapVaultError(err))
	}
	problem, err := w.waitRow(ctx, grantRow.ID, shareGrantWait)
	if err != nil {
		return ShareResult{}, err
	}
	if row, err := w.outboxRow(grantRow.ID); err == nil && row.State == outbox.Failed {
		return ShareResult{}, fmt.Errorf("the chain refused the share's grant, so nothing was uploaded: %s", row.LastError)
	}

	flag := ""
	if req.Passcode != "" {
		flag = string(share.FlagPasscode)
	}
	files := make([]relay.File, len(built.Files))
	for i, f := range built.Files {
		files[i] = relay.File{ContentType: f.ContentType, JWE: f.JWE}
	}
	upload := relay.CreateRequest{
		Files: files, Flag: flag, Expires: expires, Passcode: req.Passcode,
		GrantDigest: built.Digest, SharingKey: sharingKey.PublicKey(),
	}
	if x.emergency {
		upload.EmergencyKey = access
	}
	info, err := client.CreateShare(ctx, upload)
	if err != nil {
		if ue := (*url.Error)(nil); errors.As(err, &ue) || errors.Is(err, relay.ErrUnavailable) {
			err = fmt.Errorf("%w (%v)", ErrRelayUnreachable, err)
		}
		return ShareResult{}, w.abandonGrant(ctx, person, built.Digest, expires, fmt.Errorf("uploading the share to the relay at %s: %w", base, err))
	}
	link := share.Link{URL: info.URL, Key: key, Exp: expires, Flags: flag, Label: req.Label, V: 1}
	if err := checkOwnLink(link, direct); err != nil {
		w.abandonAtRelay(client, info.ID)
		return ShareResult{}, w.abandonGrant(ctx, person, built.Digest, expires, fmt.Errorf("the link would not work: %w", err))
	}
	text, err := viewerLink(link, base)
	if err != nil {
		w.abandonAtRelay(client, info.ID)
		return ShareResult{}, w.abandonGrant(ctx, person, built.Digest, expires, fmt.Errorf("the link would not work: %w", err))
	}
	qr, err := share.LinkQRCode(text, 8)
	if err != nil {
		w.abandonAtRelay(client, info.ID)
		return ShareResult{}, w.abandonGrant(ctx, person, built.Digest, expires, err)
	}

	s := ownShare{
		ID: info.ID, Relay: base, Link: text, Label: req.Label, Purpose: strings.ToUpper(strings.TrimSpace(req.Purpose)),
		Flag: flag, Created: created, Expires: expires, Digest: built.Digest, Records: versions,
		Recipient: recipient != (common.Hash{}), Direct: direct, GrantRow: grantRow.ID, Emergency: x.emergency,
		Person: person,
	}
	err = w.vault.Update(func(tx *vault.Tx) error { return putOwnShare(tx, s) })
	if err != nil {
		w.abandonAtRelay(client, info.ID)
		return ShareResult{}, w.abandonGrant(ctx, person, built.Digest, expires, fmt.Errorf("saving the share: %w", mapVaultError(err)))
	}

	res := ShareResult{ID: s.ID, Link: text, Viewer: text, Expires: expires, Grant: built.Digest.Hex(), Records: len(shared), QR: qr}
	if problem != "" {
		res.Problem = "the grant is not on chain yet, so the link works once it is (the wallet sends it on its next chain work): " + problem
	}
	return res, nil
}

// abandonGrant revokes the grant of a share that could not be made after
// its grant was queued (the upload failed), so that no grant stands for
// files no one holds: the revocation is queued in the outbox behind the
// grant, and lands after it even if the chain is down now. It returns cause,
// saying so.
func (w *Wallet) abandonGrant(ctx context.Context, person string, digest common.Hash, expires time.Time, cause error) error {
	revoke, err := w.revokeCall(ctx, person, digest, expires)
	if err == nil {
		err = w.vault.Update(func(tx *vault.Tx) error {
			_, err := outbox.Enqueue(tx, kindRevokeGrant, digest[:], revoke)
			return err
		})
	}
	if err != nil {
		return fmt.Errorf("%w (and revoking the share's unused grant failed: %v)", cause, err)
	}
	if _, err := w.drain(ctx); err != nil {
		return fmt.Errorf("%w (the share's unused grant is revoked with the wallet's next chain work: %v)", cause, err)
	}
	return fmt.Errorf("%w; nothing was shared, and the grant issued for it is revoked", cause)
}

// checkOwnLink checks a link the wallet hands out. A direct share's URL is
// plain http on the local network, which share.Link.Check reserves for
// loopback: the files are encrypted under the link's key all the same, so
// for those only the parse and the length are checked.
func checkOwnLink(l share.Link, direct bool) error {
	err := l.Check()
	if err == nil || !direct {
		return err
	}
	var le *share.LinkError
	if !errors.As(err, &le) || le.Field != "url" || !strings.HasPrefix(l.URL, "http://") {
		return err
	}
	text := l.String()
	if n := len(text); n > share.MaxLinkLength {
		return fmt.Errorf("the link is %d characters, at most %d keep its QR code small: shorten the label", n, share.MaxLinkLength)
	}
	_, err = share.ParseLink(text)
	return err
}

// abandonAtRelay takes back an upload the wallet could not finish.
func (w *Wallet) abandonAtRelay(client *relay.Client, id string) {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	_ = client.Revoke(ctx, id) // best effort: without a grant on chain the relay refuses it anyway
}

// selectRecords applies a request's choice to the index.
func (w *Wallet) selectRecords(req ShareRequest) ([]record.Record, error) {
	index, err := w.currentIndex()
	if err != nil {
		return nil, err
	}
	return selectFromIndex(index, req)
}

// selectFromIndex applies a request's choice to index: the owner's records,
// those of req.Person, or those of a person the wallet cares for. A share is
// about one person: chosen ids of two people are refused, and ids alone
// (req.Person empty) say whose the share is.
func selectFromIndex(index *record.Index, req ShareRequest) ([]record.Record, error) {
	person := req.Person
	if person == OwnerID {
		person = ""
	}
	narrowed := len(req.IDs) > 0 || len(req.ResourceTypes) > 0 || !req.From.IsZero() || !req.To.IsZero()
	if !narrowed && !req.All && !req.Summary {
		return nil, errors.New("nothing is chosen: choose what to share (the patient summary, records by id, by type or by date range, or all of them)")
	}
	if narrowed && req.All {
		return nil, errors.New("choose either all records or a selection (ids, types, dates), not both")
	}
	if req.Summary && (narrowed || req.All) {
		return nil, errors.New("choose either the patient summary or other records (all, ids, types, dates), not both")
	}
	if req.Summary {
		return checkChosen(SummarizeRecords(index.List(personFilter(req.Person)), now()).Records())
	}
	if !req.From.IsZero() && !req.To.IsZero() && req.To.Before(req.From) {
		return nil, fmt.Errorf("the date range ends (%s) before it starts (%s)", req.To.Format(time.DateOnly), req.From.Format(time.DateOnly))
	}
	var candidates []record.Record
	if len(req.IDs) > 0 {
		seen := map[string]bool{}
		for i, id := range req.IDs {
			r, ok := index.Get(id)
			if !ok {
				return nil, fmt.Errorf("%w: %s", ErrNotFound, id)
			}
			if i == 0 && req.Person == "" {
				person = r.Person
			}
			if r.Person != person {
				return nil, fmt.Errorf("record %s is about %s, the others about %s: a share is about one person, so share each person's records apart",
					id, personWords(r.Person), personWords(person))
			}
			if !seen[id] {
				seen[id] = true
				candidates = append(candidates, r)
			}
		}
	} else {
		candidates = index.List(record.Filter{OnePerson: true, Person: person})
	}
	var out []record.Record
	for _, r := range candidates {
		if len(req.ResourceTypes) > 0 && !slices.ContainsFunc(req.ResourceTypes, func(t string) bool { return strings.EqualFold(strings.TrimSpace(t), r.ResourceType) }) {
			continue
		}
		if !req.From.IsZero() || !req.To.IsZero() {
			if r.Date.IsZero() || (!req.From.IsZero() && r.Date.Before(req.From)) || (!req.To.IsZero() && r.Date.After(req.To)) {
				continue
			}
		}
		// Billing goes only where asked for by id or type (or All).
		if len(req.IDs) == 0 && len(req.ResourceTypes) == 0 && !req.All && r.Category == record.CategoryInsurance {
			continue
		}
		out = append(out, r)
	}
	return checkChosen(out)
}

// checkChosen refuses a choice of no records, or of more than a share holds.
func checkChosen(out []record.Record) ([]record.Record, error) {
	if len(out) == 0 {
		return nil, errors.New("no record matches the choice: nothing to share")
	}
	if len(out) > share.MaxProofRecords {
		return nil, fmt.Errorf("%d records chosen, at most %d fit in one share: narrow the choice", len(out), share.MaxProofRecords)
	}
	return out, nil
}

// sharedRecords reads the records' latest versions with their salts and
// anchor proofs. Records not yet anchored are anchored first, waiting up to
// shareAnchorWait for their block.
func (w *Wallet) sharedRecords(ctx context.Context, recs []record.Record) ([]share.SharedRecord, []string, error) {
	// A record anchored on another chain than the share's waits, and is
	// anchored on the share's chain first.
	if err := w.anchorOnCurrentChain(ctx); err != nil {
		return nil, nil, err
	}
	shared, waiting, err := w.readShared(recs)
	if err != nil {
		return nil, nil, err
	}
	if len(waiting) > 0 {
		deadline := time.Now().Add(shareAnchorWait)
		var problem string
		for len(waiting) > 0 && time.Now().Before(deadline) {
			rep, err := w.Anchor(ctx)
			if err != nil {
				return nil, nil, err
			}
			problem = rep.Problem
			if shared, waiting, err = w.readShared(recs); err != nil {
				return nil, nil, err
			}
			if len(waiting) == 0 || problem != "" {
				break
			}
			select {
			case <-ctx.Done():
				return nil, nil, ctx.Err()
			case <-time.After(sharePoll):
			}
		}
		if len(waiting) > 0 {
			if problem != "" {
				problem = " (the chain: " + problem + ")"
			}
			return nil, nil, fmt.Errorf("%w: %d of %d: %s%s", ErrNotAnchored, len(waiting), len(recs), firstFew(waiting, 5), problem)
		}
	}
	versions := make([]string, len(recs))
	for i, r := range recs {
		versions[i] = anchorKey(r.ID, r.Version)
	}
	return shared, versions, nil
}

func firstFew(items []string, n int) string {
	if len(items) <= n {
		return strings.Join(items, ", ")
	}
	return strings.Join(items[:n], ", ") + fmt.Sprintf(" and %d more", len(items)-n)
}

// readShared reads what BuildShare needs of each record, and lists the ids
// of those whose batch is not in a block yet.
func (w *Wallet) readShared(recs []record.Record) ([]share.SharedRecord, []string, error) {
	out := make([]share.SharedRecord, 0, len(recs))
	var waiting []string
	places := make([]anchoredVersion, len(recs))
	ok := make([]bool, len(recs))
	batches := map[common.Hash]bool{}
	err := w.vault.View(func(tx *vault.ReadTx) error {
		for i, r := range recs {
			vid, err := parseID(r.ID)
			if err != nil {
				return err
			}
			raw, found, err := tx.State(spaceVersion, versionKey(vid, uint32(r.Version)))
			if err != nil {
				return err
			}
			if !found {
				continue
			}
			var av anchoredVersion
			if err := json.Unmarshal(raw, &av); err != nil {
				return fmt.Errorf("record %s: its place in its batch is unreadable: %w", r.ID, err)
			}
			anchored, seen := batches[av.Root]
			if !seen {
				b, found, err := readBatch(tx, av.Root)
				if err != nil {
					return err
				}
				anchored = found && b.anchored()
				batches[av.Root] = anchored // a batch holds up to MaxBatch records: read it once
			}
			if anchored {
				places[i], ok[i] = av, true
			}
		}
		return nil
	})
	if err != nil {
		return nil, nil, fmt.Errorf("reading the records' anchoring: %w", mapVaultError(err))
	}
	for i, r := range recs {
		if !ok[i] {
			waiting = append(waiting, r.ID)
		}
	}
	if len(waiting) > 0 {
		return nil, waiting, nil
	}
	for i, r := range recs {
		vid, _ := parseID(r.ID)
		version := uint32(r.Version)
		body, err := w.vault.Body(vid, version)
		if err != nil {
			return nil, nil, fmt.Errorf("reading record %s: %w", r.ID, mapVaultError(err))
		}
		vms, err := w.vault.Versions(vid)
		if err != nil {
			return nil, nil, fmt.Errorf("reading record %s: %w", r.ID, mapVaultError(err))
		}
		var salt [32]byte
		found := false
		for _, vm := range vms {
			if vm.Version != version {
				continue
			}
			m, err := decodeMeta(vm.Meta)
			if err != nil {
				return nil, nil, fmt.Errorf("record %s: %w", r.ID, err)
			}
			b, err := hex.DecodeString(m.Salt)
			if err != nil || len(b) != 32 {
				return nil, nil, fmt.Errorf("record %s: its commitment salt is missing or malformed", r.ID)
			}
			salt, found = [32]byte(b), true
		}
		if !found {
			return nil, nil, fmt.Errorf("record %s: version %d is missing", r.ID, version)
		}
		var proof merkle.Proof
		if err := proof.UnmarshalBinary(places[i].Proof); err != nil {
			return nil, nil, fmt.Errorf("record %s: its Merkle proof is unreadable: %w", r.ID, err)
		}
		sr := share.SharedRecord{Resource: body, Salt: salt, AnchorRoot: places[i].Root, AnchorProof: proof}
		if sr.Attachment, err = w.sharedFile(r); err != nil {
			return nil, nil, err
		}
		out = append(out, sr)
	}
	return out, nil, nil
}

// chainParams are the chain id and registry grants are made for: the open
// network's, else the saved ones (a share can be made offline; its grant
// waits in the outbox).
func (w *Wallet) chainParams(ctx context.Context) (*big.Int, common.Address, error) {
	w.chainMu.Lock()
	defer w.chainMu.Unlock()
	n, err := w.networkLocked(ctx)
	if err == nil {
		return new(big.Int).Set(n.ChainID), n.Registry, nil
	}
	if chainID, registry, ok := w.knownChainLocked(); ok {
		return chainID, registry, nil
	}
	return nil, common.Address{}, fmt.Errorf("the chain the grant is made for is unknown and cannot be asked: %w", err)
}

// knownChainLocked is the chain id and registry of the chain in force as
// last seen, without asking it: the joined network's, else the saved
// settings'. Call with chainMu held.
func (w *Wallet) knownChainLocked() (*big.Int, common.Address, bool) {
	if m, ok := w.networkInForceLocked(); ok {
		return new(big.Int).SetUint64(m.ChainID), m.RegistryAddress(), true
	}
	if s := w.savedChain(); s != nil && s.ChainID != 0 && common.IsHexAddress(s.Registry) {
		return new(big.Int).SetUint64(s.ChainID), common.HexToAddress(s.Registry), true
	}
	return nil, common.Address{}, false
}

// waitRow drains the outbox until row id is in a block, the chain reports
// a problem, or wait passes. It returns why the row still waits ("" once in
// a block).
func (w *Wallet) waitRow(ctx context.Context, id uint64, wait time.Duration) (string, error) {
	deadline := time.Now().Add(wait)
	for {
		problem, err := w.drain(ctx)
		if err != nil {
			return "", err
		}
		row, err := w.outboxRow(id)
		if err != nil {
			return "", err
		}
		switch row.State {
		case outbox.Included, outbox.Final:
			return "", nil
		case outbox.Failed:
			return "the chain refused it: " + row.LastError, nil
		}
		if problem != "" {
			return problem, nil
		}
		if !time.Now().Before(deadline) {
			return fmt.Sprintf("no block within %s", wait), nil
		}
		select {
		case <-ctx.Done():
			return "", ctx.Err()
		case <-time.After(sharePoll):
		}
	}
}

func (w *Wallet) outboxRow(id uint64) (outbox.Row, error) {
	var row outbox.Row
	err := w.vault.View(func(tx *vault.ReadTx) error {
		var err error
		row, _, err = outbox.Get(tx, id)
		return err
	})
	if err != nil {
		return row, fmt.Errorf("reading the outbox: %w", mapVaultError(err))
	}
	return row, nil
}

// sharedFile opens, for a record that keeps a file (Source.Attachment), the
// file as the share sends it with the record (nil for other records). The
// file is read from the vault in its 64 KiB chunks when the share is made.
func (w *Wallet) sharedFile(r record.Record) (func() (io.ReadCloser, error), error) {
	if r.Source == nil || r.Source.Attachment == "" {
		return nil, nil
	}
	id, err := vault.ParseAttachmentID(r.Source.Attachment)
	if err != nil {
		return nil, fmt.Errorf("record %s: its file: %w", r.ID, err)
	}
	return func() (io.ReadCloser, error) {
		f, err := w.vault.OpenAttachment(id)
		if err != nil {
			return nil, fmt.Errorf("record %s: its file: %w", r.ID, mapVaultError(err))
		}
		return f, nil
	}, nil
}
