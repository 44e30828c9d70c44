package wallet

// Delegation, the patient's side (issue 9): a caregiver gets scoped,
// expiring, revocable access recorded on chain, and a copy of the records in
// scope kept current on the relay. The caregiver's side is in care.go; the
// formats (scope document, invitation, care copy) in wallet/care.
//
// A delegation is, in order:
//
//  1. the caregiver's card checked; a random tweak drawn; the caregiver's
//     relationship address computed from card and tweak (identity);
//  2. the scope document signed by the patient; the records in scope,
//     anchored first if need be;
//  3. in ONE vault transaction: the delegation's sealed state and the outbox
//     row of setDelegateSigned committing to the scope's hash;
//  4. the care copy (care.BuildCopy) uploaded to the relay for that
//     delegate, the invitation sealed to the caregiver's sharing key and
//     uploaded as a blob; its hwinvite: link returned.
//
// The sealed state lives in the vault's state area:
//
//	delegate/own   relationship address (20 bytes) → ownDelegate (JSON)
//	delegate/meta  "nonce" → the last delegation nonce signed (decimal)
//
// On chain: the relationship address, the rights, the expiry and the scope's
// hash — no name, no card, nothing that links the caregiver's people.

import (
	"context"
	"crypto/rand"
	"encoding/json"
	"errors"
	"fmt"
	"math/big"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/ethereum/go-ethereum/common"

	"healthwallet/chain"
	"healthwallet/chain/outbox"
	"healthwallet/wallet/care"
	"healthwallet/wallet/identity"
	"healthwallet/wallet/record"
	"healthwallet/wallet/relay"
	"healthwallet/wallet/share"
	"healthwallet/wallet/vault"
)

// Rights a delegation can give (DESIGN §6: VIEW=1, SHARE=2, MANAGE=4), by name.
const (
	RightView   = care.RightView
	RightShare  = care.RightShare
	RightManage = care.RightManage
)

// DelegatePresets are the expiry presets a delegation offers: one month and
// one year. Every delegation expires; it can be renewed.
var DelegatePresets = []time.Duration{30 * 24 * time.Hour, 365 * 24 * time.Hour}

// MaxDelegation is the longest a delegation may run before renewal.
const MaxDelegation = 366 * 24 * time.Hour

// Delegation states, for DelegateInfo.State.
const (
	DelegatePending  = "pending" // not on chain yet
	DelegateActive   = "active"
	DelegateExpired  = "expired"
	DelegateRevoking = "revoking" // revoked by the patient; the chain (or the relay) still to confirm
	DelegateRevoked  = "revoked"
)

// Errors of delegation a caller can act on.
var (
	ErrNoDelegate = errors.New("no such caregiver (list them with hw delegate list)")
	ErrOwnCard    = errors.New("this is your own identity card: a caregiver is someone else")
)

// DelegateRequest says whom the patient delegates to, what they may do,
// which records they see, and until when.
type DelegateRequest struct {
	Card       string    // the caregiver's identity card (hwcard:…)
	Rights     []string  // RightView, RightShare, RightManage (view is implied by the others)
	Types      []string  // FHIR resource types in scope; with Categories empty: every record
	Categories []string  // record categories in scope (record.Category…)
	Expires    time.Time // required
	Relay      string    // the relay that carries the invitation and the copy; empty: the wallet's
}

// DelegateResult is a delegation just made.
type DelegateResult struct {
	Delegate string    `json:"delegate"` // the caregiver's address for this relationship, 0x…
	Name     string    `json:"name"`     // the caregiver's name, from their card
	Rights   []string  `json:"rights"`
	Expires  time.Time `json:"expires"`
	Invite   string    `json:"invite"` // the invitation link the caregiver accepts
	Records  int       `json:"records"`
	// Problem is set when the delegation is not on chain yet (it is sent on
	// the wallet's next chain work).
	Problem string `json:"problem,omitempty"`
	QR      []byte `json:"-"` // the invitation as a PNG QR code
}

// DelegateInfo is one delegation in the patient's list, with its state.
type DelegateInfo struct {
	Delegate   string    `json:"delegate"`
	Name       string    `json:"name"`
	Rights     []string  `json:"rights"`
	Types      []string  `json:"types,omitempty"`
	Categories []string  `json:"categories,omitempty"`
	Created    time.Time `json:"created"`
	Expires    time.Time `json:"expires"`
	// State: pending (not on chain yet), active, expired, revoking, revoked.
	State   string    `json:"state"`
	Records int       `json:"records"`          // records in the caregiver's copy
	Synced  time.Time `json:"synced,omitzero"`  // when the copy was last brought up to date
	Invite  string    `json:"invite,omitempty"` // while the invitation is on the relay
	Problem string    `json:"problem,omitempty"`
	// Note says what the patient should know, e.g. after a revocation that
	// records already synced stay on the caregiver's device.
	Note string `json:"note,omitempty"`
}

// SyncReport is what Sync did.
type SyncReport struct {
	Anchor    AnchorReport   `json:"anchor"`
	Delegates []DelegateSync `json:"delegates"`
}

// DelegateSync is one caregiver's copy after Sync.
type DelegateSync struct {
	Delegate string `json:"delegate"`
	Name     string `json:"name"`
	Records  int    `json:"records"`
	Added    int    `json:"added"`
	Problem  string `json:"problem,omitempty"`
}

const (
	spaceDelegates    = "delegate/own"
	spaceDelegateMeta = "delegate/meta"
	// kindSetDelegate is the outbox kind of a delegation (and of its
	// renewal); the payload is the relationship address.
	kindSetDelegate = "setDelegate"
)

var keyDelegateNonce = []byte("nonce")

// ownDelegate is the wallet's sealed record of one delegation.
type ownDelegate struct {
	Delegate common.Address    `json:"delegate"`
	Name     string            `json:"name"`
	Card     string            `json:"card"`  // the caregiver's card (hwcard:…)
	Tweak    common.Hash       `json:"tweak"` // the relationship key's tweak
	Scope    care.SignedScope  `json:"scope"`
	Created  time.Time         `json:"created"`
	ChainID  uint64            `json:"chainId"`
	Registry common.Address    `json:"registry"`
	Network  *share.NetworkRef `json:"network,omitempty"`
	Relay    string            `json:"relay"`
	// The care copy: the relay's id, the link (holding its key), its content
	// digest and the record versions in it ("id:version"), when last synced.
	CopyID      string      `json:"copyId,omitempty"`
	CopyLink    string      `json:"copyLink"`
	CopyExpires time.Time   `json:"copyExpires"` // when the relay drops the copy
	Digest      common.Hash `json:"digest"`
	Versions    []string    `json:"versions,omitempty"`
	Synced      time.Time   `json:"synced,omitzero"`
	// The invitation: its blob URL at the relay and its link.
	InviteURL string `json:"inviteUrl,omitempty"`
	Invite    string `json:"invite,omitempty"`
	SetRow    uint64 `json:"setRow"`
	// Revocation: when, its outbox row, and whether the relay has yet to
	// be told.
	Revoked      time.Time `json:"revoked,omitzero"`
	RevokeRow    uint64    `json:"revokeRow,omitempty"`
	RelayPending bool      `json:"relayPending,omitempty"`
}

func (d ownDelegate) expires() time.Time { return time.Unix(int64(d.Scope.Scope.Expiry), 0).UTC() }

func putOwnDelegate(tx outbox.Tx, d ownDelegate) error {
	v, err := jsonMarshal(d)
	if err != nil {
		return err
	}
	return tx.PutState(spaceDelegates, d.Delegate.Bytes(), v)
}

// ownDelegates reads every delegation, newest first.
func (w *Wallet) ownDelegates() ([]ownDelegate, map[uint64]outbox.Row, error) {
	var out []ownDelegate
	rows := map[uint64]outbox.Row{}
	err := w.vault.View(func(tx *vault.ReadTx) error {
		all, err := outbox.Rows(tx)
		if err != nil {
			return err
		}
		for _, r := range all {
			rows[r.ID] = r
		}
		return tx.ForEachState(spaceDelegates, func(_, v []byte) error {
			var d ownDelegate
			if err := json.Unmarshal(v, &d); err != nil {
				return fmt.Errorf("a delegation is unreadable: %w", err)
			}
			out = append(out, d)
			return nil
		})
	})
	if err != nil {
		return nil, nil, fmt.Errorf("reading the delegations: %w", mapVaultError(err))
	}
	slices.SortFunc(out, func(a, b ownDelegate) int { return b.Created.Compare(a.Created) })
	return out, rows, nil
}

// findDelegate finds a delegation by the caregiver's relationship address,
// their card (hwcard:…), or their name (case-insensitive, unambiguous).
func (w *Wallet) findDelegate(who string) (ownDelegate, error) {
	who = strings.TrimSpace(who)
	if who == "" {
		return ownDelegate{}, ErrNoDelegate
	}
	all, _, err := w.ownDelegates()
	if err != nil {
		return ownDelegate{}, err
	}
	var matches []ownDelegate
	switch {
	case common.IsHexAddress(who):
		a := common.HexToAddress(who)
		for _, d := range all {
			if d.Delegate == a {
				return d, nil
			}
		}
	case strings.HasPrefix(who, identity.CardPrefix):
		card, err := identity.ParseCard(who)
		if err != nil {
			return ownDelegate{}, fmt.Errorf("the caregiver's card: %w", err)
		}
		for _, d := range all {
			if c, err := identity.ParseCard(d.Card); err == nil && c.Address == card.Address {
				matches = append(matches, d)
			}
		}
	default:
		for _, d := range all {
			if strings.EqualFold(d.Name, who) {
				matches = append(matches, d)
			}
		}
	}
	// Of several delegations to one person (an ended one renewed by a new
	// invitation), the one still standing.
	if len(matches) > 1 {
		var live []ownDelegate
		for _, d := range matches {
			if d.Revoked.IsZero() && now().Before(d.expires()) {
				live = append(live, d)
			}
		}
		if len(live) == 1 {
			return live[0], nil
		}
	}
	switch len(matches) {
	case 0:
		return ownDelegate{}, fmt.Errorf("%w: %s", ErrNoDelegate, who)
	case 1:
		return matches[0], nil
	}
	return ownDelegate{}, fmt.Errorf("%w: %q matches %d delegations; give the caregiver's address (hw delegate list)", ErrNoDelegate, who, len(matches))
}

// delegateRelay is the relay a delegation goes through: the request's, the
// saved one, or the joined network's.
func (w *Wallet) delegateRelay(given string) (string, error) {
	base := strings.TrimSuffix(strings.TrimSpace(given), "/")
	if base == "" {
		saved, err := w.RelayURL()
		if err != nil {
			return "", err
		}
		base = saved
	}
	if base == "" {
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

// inScope lists the wallet's records the scope covers.
func (w *Wallet) inScope(s care.Scope) ([]record.Record, error) {
	index, err := w.currentIndex()
	if err != nil {
		return nil, err
	}
	var out []record.Record
	// A delegation is of the owner's records: never those of the people
	// kept apart, who have identities of their own (people.go).
	for _, r := range index.List(record.Filter{OnePerson: true}) {
		if s.Covers(r.ResourceType, r.Category) {
			out = append(out, r)
		}
	}
	if len(out) > share.MaxProofRecords {
		return nil, fmt.Errorf("%d records in the delegation's scope, at most %d fit in a caregiver's copy: narrow it by category or type", len(out), share.MaxProofRecords)
	}
	return out, nil
}

// checkDelegateRequest refuses what cannot make a delegation before any work.
func checkDelegateRequest(req DelegateRequest, t time.Time) ([]string, error) {
	rights, err := care.NormalizeRights(req.Rights)
	if err != nil {
		return nil, err
	}
	if err := checkExpiry(req.Expires, t); err != nil {
		return nil, err
	}
	for _, c := range req.Categories {
		if !slices.Contains(record.AllCategories, c) {
			return nil, fmt.Errorf("%q is not a record category (categories: %s)", c, strings.Join(record.AllCategories, ", "))
		}
	}
	return rights, nil
}

func checkExpiry(exp, t time.Time) error {
	switch {
	case exp.IsZero():
		return errors.New("a delegation needs an expiry (1 month, 1 year, or a date): it can be renewed")
	case !exp.After(t.Add(time.Minute)):
		return fmt.Errorf("the expiry %s is not in the future", exp.Format(time.DateOnly))
	case exp.After(t.Add(MaxDelegation)):
		return fmt.Errorf("the expiry %s is more than a year away: choose one within a year (1y) and renew it when it comes", exp.Format(time.DateOnly))
	}
	return nil
}

// AddDelegate delegates to the caregiver whose card req names: the
// delegation (committing to its scope) goes through the outbox, the copy of
// the records in scope and the sealed invitation go to the relay.
func (w *Wallet) AddDelegate(ctx context.Context, req DelegateRequest) (DelegateResult, error) {
	if err := w.unlocked(); err != nil {
		return DelegateResult{}, err
	}
	created := now().UTC().Truncate(time.Second)
	rights, err := checkDelegateRequest(req, created)
	if err != nil {
		return DelegateResult{}, err
	}
	card, err := identity.ParseCard(req.Card)
	if err != nil {
		return DelegateResult{}, fmt.Errorf("the caregiver's card: %w", err)
	}
	patient, err := w.address()
	if err != nil {
		return DelegateResult{}, err
	}
	if card.Address == patient {
		return DelegateResult{}, ErrOwnCard
	}
	base, err := w.delegateRelay(req.Relay)
	if err != nil {
		return DelegateResult{}, err
	}
	rc, err := newCareRelay(w, base)
	if err != nil {
		return DelegateResult{}, err
	}
	chainID, registry, err := w.chainParams(ctx)
	if err != nil {
		return DelegateResult{}, err
	}
	ownCardText, err := w.Card()
	if err != nil {
		return DelegateResult{}, err
	}
	ownCard, err := identity.ParseCard(ownCardText)
	if err != nil {
		return DelegateResult{}, err
	}

	var tweak [32]byte
	if _, err := rand.Read(tweak[:]); err != nil {
		return DelegateResult{}, fmt.Errorf("drawing the relationship key: %w", err)
	}
	delegate, err := identity.RelationshipAddress(card, tweak)
	if err != nil {
		return DelegateResult{}, fmt.Errorf("the caregiver's card: %w", err)
	}
	salt, err := care.NewScopeSalt()
	if err != nil {
		return DelegateResult{}, err
	}
	scope := care.Scope{V: 1, Patient: patient, Delegate: delegate, Rights: rights, Types: slices.Clone(req.Types),
		Categories: slices.Clone(req.Categories), Expiry: uint64(req.Expires.Unix()), PatientName: ownCard.DisplayName,
		DelegateName: card.DisplayName, Issued: uint64(created.Unix()), Salt: salt}
	signed, err := w.signScope(scope)
	if err != nil {
		return DelegateResult{}, err
	}

	// The records in scope, anchored: a copy carries anchored records only.
	recs, err := w.inScope(scope)
	if err != nil {
		return DelegateResult{}, err
	}
	var shared []share.SharedRecord
	var versions []string
	if len(recs) > 0 {
		if shared, versions, err = w.sharedRecords(ctx, recs); err != nil {
			return DelegateResult{}, err
		}
	}
	key, err := share.NewKey()
	if err != nil {
		return DelegateResult{}, err
	}
	built, err := care.BuildCopy(care.CopyRequest{Records: shared, Scope: signed, Key: key, ChainID: chainID.Uint64(),
		Registry: registry, EmergencyGrantKey: w.emergencyGrantKey(ctx), Updated: created})
	if err != nil {
		return DelegateResult{}, err
	}

	// The delegation goes on chain first: the relay takes a care copy only
	// for a delegation the chain knows (or that lands shortly).
	d := ownDelegate{Delegate: delegate, Name: card.DisplayName, Card: card.String(), Tweak: tweak, Scope: signed,
		Created: created, ChainID: chainID.Uint64(), Registry: registry, Network: w.shareNetworkRef(), Relay: base,
		Digest: built.Digest, Versions: versions, Synced: created}
	row, err := w.queueDelegation(ctx, d, func(tx *vault.Tx, r outbox.Row) error {
		d.SetRow = r.ID
		return putOwnDelegate(tx, d)
	})
	if err != nil {
		return DelegateResult{}, err
	}
	problem, err := w.waitRow(ctx, row.ID, shareGrantWait)
	if err != nil {
		return DelegateResult{}, err
	}
	if r, err := w.outboxRow(row.ID); err == nil && r.State == outbox.Failed {
		_ = w.vault.Update(func(tx *vault.Tx) error { return tx.DeleteState(spaceDelegates, delegate.Bytes()) })
		return DelegateResult{}, fmt.Errorf("the chain refused the delegation, so nothing was sent to %s: %s", card.DisplayName, r.LastError)
	}

	// The copy and the invitation, at the relay.
	qr, err := w.publishCopy(ctx, rc, &d, built, key, card)
	if err != nil {
		return DelegateResult{}, w.abandonDelegation(ctx, d, err)
	}
	if err := w.vault.Update(func(tx *vault.Tx) error { return putOwnDelegate(tx, d) }); err != nil {
		w.abandonCopy(rc, d.CopyID)
		return DelegateResult{}, w.abandonDelegation(ctx, d, fmt.Errorf("saving the delegation: %w", mapVaultError(err)))
	}
	res := DelegateResult{Delegate: delegate.Hex(), Name: d.Name, Rights: rights, Expires: d.expires(), Invite: d.Invite,
		Records: len(shared), QR: qr}
	if problem != "" {
		res.Problem = "the delegation is not on chain yet, so the caregiver can open the invitation once it is (the wallet sends it on its next chain work): " + problem
	}
	return res, nil
}

// copyLifetime is how long the relay keeps a care copy: a year, the most a
// relay keeps anything (relay.Limits.MaxTTL is 366 days). The relay serves
// it only while the delegation is active on chain, and deletes it once the
// delegation ends, so a copy may outlive its delegation's first expiry: a
// renewal within the year keeps the caregiver's link.
const copyLifetime = 365 * 24 * time.Hour

// publishCopy uploads the built copy for d's delegate (a new link under
// key), seals the invitation to the caregiver's card and uploads it, and
// records both in d (not saved). It returns the invitation's QR code. On
// error nothing stays at the relay.
func (w *Wallet) publishCopy(ctx context.Context, rc careRelay, d *ownDelegate, built *care.BuiltCopy, key [32]byte, card identity.Card) ([]byte, error) {
	sharingKey, err := w.sharingKey()
	if err != nil {
		return nil, err
	}
	ownCard, err := w.Card()
	if err != nil {
		return nil, err
	}
	t := now().UTC().Truncate(time.Second)
	copyExp := t.Add(copyLifetime)
	if copyExp.Before(d.expires()) {
		copyExp = d.expires() // a 1y delegation in a leap year: 366 days
	}
	cctx, cancel := context.WithTimeout(ctx, relayTimeout)
	copyID, copyURL, err := rc.CreateCopy(cctx, relayFiles(built.Files), d.Delegate, copyExp, sharingKey.PublicKey())
	cancel()
	if err != nil {
		return nil, fmt.Errorf("uploading the caregiver's copy to the relay at %s: %w", d.Relay, relayProblem(err))
	}
	copyLink := share.Link{URL: copyURL, Key: key, Exp: copyExp, Flags: string(share.FlagLongTerm), V: 1}
	if err := copyLink.Check(); err != nil {
		w.abandonCopy(rc, copyID)
		return nil, fmt.Errorf("the copy's link would not work: %w", err)
	}
	inv := care.Invitation{Card: ownCard, Scope: d.Scope, Tweak: d.Tweak, Copy: copyLink.String(), Relay: d.Relay,
		Network: d.Network, ChainID: d.ChainID, Registry: d.Registry}
	sealed, err := care.Seal(inv, card.SharingKey)
	if err != nil {
		w.abandonCopy(rc, copyID)
		return nil, err
	}
	inviteExp := t.Add(30 * 24 * time.Hour)
	if d.expires().Before(inviteExp) {
		inviteExp = d.expires()
	}
	cctx, cancel = context.WithTimeout(ctx, relayTimeout)
	blobURL, err := rc.PutBlob(cctx, sealed, inviteExp)
	cancel()
	if err != nil {
		w.abandonCopy(rc, copyID)
		return nil, fmt.Errorf("uploading the invitation to the relay at %s: %w", d.Relay, relayProblem(err))
	}
	link := care.InviteLink{URL: blobURL, Exp: inviteExp}
	qr, err := share.LinkQRCode(link.String(), 8)
	if err == nil {
		err = link.Check()
	}
	if err != nil {
		w.abandonCopy(rc, copyID)
		return nil, err
	}
	d.CopyID, d.CopyLink, d.CopyExpires, d.InviteURL, d.Invite = copyID, copyLink.String(), copyExp, blobURL, link.String()
	return qr, nil
}

// signScope signs the scope with the patient's key.
func (w *Wallet) signScope(s care.Scope) (care.SignedScope, error) {
	key, err := w.ChainKey()
	if err != nil {
		return care.SignedScope{}, err
	}
	return care.SignScope(s, key)
}

func relayFiles(files []share.EncryptedFile) []relay.File {
	out := make([]relay.File, len(files))
	for i, f := range files {
		out[i] = relay.File{ContentType: f.ContentType, JWE: f.JWE}
	}
	return out
}

// relayProblem says an unreachable relay in the wallet's words.
func relayProblem(err error) error {
	var ae *relay.APIError
	if errors.Is(err, relay.ErrUnavailable) || !errors.As(err, &ae) {
		return fmt.Errorf("the relay does not answer (%v): nothing was sent; try again later", err)
	}
	return err
}

// delegationNonce is the nonce the next signed delegation change carries:
// the registry's nonceOf plus the changes queued and not yet in a block;
// offline, one past the last the wallet signed.
func (w *Wallet) delegationNonce(ctx context.Context) (uint64, error) {
	var last uint64
	var haveLast bool
	var pending uint64
	err := w.vault.View(func(tx *vault.ReadTx) error {
		v, ok, err := tx.State(spaceDelegateMeta, keyDelegateNonce)
		if err != nil {
			return err
		}
		if ok {
			if last, err = strconv.ParseUint(string(v), 10, 64); err != nil {
				return fmt.Errorf("the delegation nonce is unreadable: %w", err)
			}
			haveLast = true
		}
		rows, err := outbox.Rows(tx)
		if err != nil {
			return err
		}
		for _, r := range rows {
			if (r.Kind == kindSetDelegate || r.Kind == kindRevokeDelegate) && r.State == outbox.Pending {
				pending++
			}
		}
		return nil
	})
	if err != nil {
		return 0, fmt.Errorf("reading the delegation nonce: %w", mapVaultError(err))
	}
	patient, err := w.address()
	if err != nil {
		return 0, err
	}
	w.chainMu.Lock()
	n, nerr := w.networkLocked(ctx)
	var onChain uint64
	if nerr == nil {
		cctx, cancel := context.WithTimeout(ctx, 15*time.Second)
		onChain, nerr = chain.NewRegistry(n.Client, n.Registry).NonceOf(cctx, patient)
		cancel()
		if nerr != nil && chain.IsUnreachable(nerr) {
			w.dropNetworkLocked()
		}
	}
	w.chainMu.Unlock()
	if nerr == nil {
		return onChain + pending, nil
	}
	if haveLast {
		return last + 1, nil
	}
	return 0, nil
}

// queueDelegation signs setDelegateSigned for d's scope and queues it with
// save (which records the delegation's state) in one vault transaction.
func (w *Wallet) queueDelegation(ctx context.Context, d ownDelegate, save func(*vault.Tx, outbox.Row) error) (outbox.Row, error) {
	nonce, err := w.delegationNonce(ctx)
	if err != nil {
		return outbox.Row{}, err
	}
	h, err := d.Scope.Scope.Hash()
	if err != nil {
		return outbox.Row{}, err
	}
	signer, err := w.actionSigner(bigChainID(d.ChainID), d.Registry)
	if err != nil {
		return outbox.Row{}, err
	}
	call, err := signSetDelegate(signer, d.Delegate, d.Scope.Scope.RightsMask(), d.Scope.Scope.Expiry, h, nonce, uint64(now().Add(anchorValidity).Unix()))
	if err != nil {
		return outbox.Row{}, err
	}
	var row outbox.Row
	err = w.vault.Update(func(tx *vault.Tx) error {
		var err error
		if row, err = outbox.Enqueue(tx, kindSetDelegate, d.Delegate.Bytes(), call); err != nil {
			return err
		}
		if err := tx.PutState(spaceDelegateMeta, keyDelegateNonce, []byte(strconv.FormatUint(nonce, 10))); err != nil {
			return err
		}
		return save(tx, row)
	})
	if err != nil {
		return outbox.Row{}, fmt.Errorf("saving the delegation: %w", mapVaultError(err))
	}
	return row, nil
}

func bigChainID(id uint64) *big.Int { return new(big.Int).SetUint64(id) }

// signSetDelegate is the one place the wallet signs setDelegateSigned.
func signSetDelegate(s chain.Signer, delegate common.Address, rights uint8, expiry uint64, scope common.Hash, nonce, deadline uint64) ([]byte, error) {
	return s.SetDelegate(delegate, rights, expiry, scope, nonce, deadline)
}

// queueDelegateRevoke signs revokeDelegateSigned for delegate and queues it
// with save in one vault transaction.
func (w *Wallet) queueDelegateRevoke(ctx context.Context, d ownDelegate, save func(*vault.Tx, outbox.Row) error) (outbox.Row, error) {
	nonce, err := w.delegationNonce(ctx)
	if err != nil {
		return outbox.Row{}, err
	}
	signer, err := w.actionSigner(bigChainID(d.ChainID), d.Registry)
	if err != nil {
		return outbox.Row{}, err
	}
	call, err := signer.RevokeDelegate(d.Delegate, nonce, uint64(now().Add(anchorValidity).Unix()))
	if err != nil {
		return outbox.Row{}, err
	}
	var row outbox.Row
	err = w.vault.Update(func(tx *vault.Tx) error {
		var err error
		if row, err = outbox.Enqueue(tx, kindRevokeDelegate, d.Delegate.Bytes(), call); err != nil {
			return err
		}
		if err := tx.PutState(spaceDelegateMeta, keyDelegateNonce, []byte(strconv.FormatUint(nonce, 10))); err != nil {
			return err
		}
		return save(tx, row)
	})
	if err != nil {
		return outbox.Row{}, fmt.Errorf("saving the end of the delegation: %w", mapVaultError(err))
	}
	return row, nil
}

// abandonDelegation revokes a delegation that could not be completed (the
// relay failed after it was queued), so that no delegation stands without
// its copy and invitation, and returns cause saying so.
func (w *Wallet) abandonDelegation(ctx context.Context, d ownDelegate, cause error) error {
	_, err := w.queueDelegateRevoke(ctx, d, func(tx *vault.Tx, _ outbox.Row) error {
		return tx.DeleteState(spaceDelegates, d.Delegate.Bytes())
	})
	if err != nil {
		return fmt.Errorf("%w (and ending the unused delegation failed: %v)", cause, err)
	}
	if _, err := w.drain(ctx); err != nil {
		return fmt.Errorf("%w (the unused delegation is ended with the wallet's next chain work: %v)", cause, err)
	}
	return fmt.Errorf("%w; nothing was sent to the caregiver, and the delegation made for it is revoked", cause)
}

// abandonCopy takes back a copy the wallet could not finish.
func (w *Wallet) abandonCopy(rc careRelay, id string) {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	_ = rc.Revoke(ctx, id) // best effort: once the delegation is revoked the relay drops it anyway
}

// Delegates lists the patient's delegations with their live state: the
// wallet's record, and the chain's delegateOf when it answers (Problem says
// when it does not).
func (w *Wallet) Delegates(ctx context.Context) ([]DelegateInfo, error) {
	if err := w.unlocked(); err != nil {
		return nil, err
	}
	w.retryDelegateRelay(ctx)
	if _, err := w.drain(ctx); err != nil {
		return nil, err
	}
	all, rows, err := w.ownDelegates()
	if err != nil {
		return nil, err
	}
	statuses, chainProblem := w.delegateStatuses(ctx, all)
	out := make([]DelegateInfo, 0, len(all))
	for _, d := range all {
		st, onChain := statuses[d.Delegate]
		out = append(out, describeDelegate(d, rows, st, onChain, chainProblem))
	}
	return out, nil
}

// describeDelegate is one delegation's DelegateInfo.
func describeDelegate(d ownDelegate, rows map[uint64]outbox.Row, st share.DelegateStatus, onChain bool, chainProblem string) DelegateInfo {
	s := d.Scope.Scope
	info := DelegateInfo{Delegate: d.Delegate.Hex(), Name: d.Name, Rights: s.Rights, Types: s.Types, Categories: s.Categories,
		Created: d.Created, Expires: d.expires(), Records: len(d.Versions), Synced: d.Synced}
	var problems []string
	if chainProblem != "" {
		problems = append(problems, "the chain could not be asked: "+chainProblem)
	}
	setRow := rows[d.SetRow]
	inBlock := func(r outbox.Row) bool { return r.State == outbox.Included || r.State == outbox.Final }
	t := now()
	switch {
	case !d.Revoked.IsZero():
		info.State = DelegateRevoked
		revokeRow := rows[d.RevokeRow]
		if d.RelayPending || !inBlock(revokeRow) {
			info.State = DelegateRevoking
		}
		if revokeRow.State == outbox.Failed {
			problems = append(problems, "the chain refused the revocation: "+revokeRow.LastError)
		}
		info.Note = syncedStayNote(d.Name)
	case !t.Before(d.expires()):
		info.State = DelegateExpired
		info.Note = syncedStayNote(d.Name)
	case setRow.State == outbox.Failed:
		info.State = DelegatePending
		problems = append(problems, "the chain refused the delegation: "+setRow.LastError)
	case !inBlock(setRow):
		info.State = DelegatePending
		if setRow.LastError != "" {
			problems = append(problems, "the delegation waits for the chain: "+setRow.LastError)
		}
	case onChain && st.Rights == 0:
		info.State = DelegateRevoked // revoked from another device with the same keys
		info.Note = syncedStayNote(d.Name)
	case onChain && !st.Active:
		info.State = DelegateExpired
	default:
		info.State = DelegateActive
		if t.Before(d.Created.Add(30 * 24 * time.Hour)) {
			info.Invite = d.Invite
		}
	}
	info.Problem = strings.Join(problems, "; ")
	return info
}

func syncedStayNote(name string) string {
	return fmt.Sprintf("%s can no longer fetch your records or share them; the records already synced to %s's device stay there", name, name)
}

// delegateStatuses asks the registry about each delegation.
func (w *Wallet) delegateStatuses(ctx context.Context, all []ownDelegate) (map[common.Address]share.DelegateStatus, string) {
	out := map[common.Address]share.DelegateStatus{}
	if len(all) == 0 {
		return out, ""
	}
	patient, err := w.address()
	if err != nil {
		return out, err.Error()
	}
	w.chainMu.Lock()
	defer w.chainMu.Unlock()
	n, err := w.networkLocked(ctx)
	if err != nil {
		return out, err.Error()
	}
	reader := share.NewChainReader(n.Client, n.Registry)
	for _, d := range all {
		if d.ChainID != n.ChainID.Uint64() || d.Registry != n.Registry {
			continue // made on another chain: what this one says is not about it
		}
		cctx, cancel := context.WithTimeout(ctx, 15*time.Second)
		st, err := reader.DelegateOf(cctx, patient, d.Delegate)
		cancel()
		if err != nil {
			if chain.IsUnreachable(err) {
				w.dropNetworkLocked()
			}
			return out, err.Error()
		}
		out[d.Delegate] = st
	}
	return out, ""
}

// RevokeDelegate ends the delegation to who (the caregiver's relationship
// address, card, or an unambiguous name) at once: on chain (queued in the
// outbox in the same vault transaction that marks it revoked) and at the
// relay, which stops serving the caregiver's copy and drops the invitation.
// Records the caregiver already synced stay on their device: the result's
// Note says so.
func (w *Wallet) RevokeDelegate(ctx context.Context, who string) (DelegateInfo, error) {
	if err := w.unlocked(); err != nil {
		return DelegateInfo{}, err
	}
	d, err := w.findDelegate(who)
	if err != nil {
		return DelegateInfo{}, err
	}
	if d.Revoked.IsZero() {
		_, err := w.queueDelegateRevoke(ctx, d, func(tx *vault.Tx, row outbox.Row) error {
			d.Revoked, d.RevokeRow, d.RelayPending = now().UTC(), row.ID, true
			return putOwnDelegate(tx, d)
		})
		if err != nil {
			return DelegateInfo{}, err
		}
	}
	relayErr := w.revokeDelegateAtRelay(ctx, d)
	problem, err := w.waitRow(ctx, d.RevokeRow, shareGrantWait)
	if err != nil {
		return DelegateInfo{}, err
	}
	all, rows, err := w.ownDelegates()
	if err != nil {
		return DelegateInfo{}, err
	}
	for _, cur := range all {
		if cur.Delegate == d.Delegate {
			d = cur
		}
	}
	info := describeDelegate(d, rows, share.DelegateStatus{}, false, "")
	var problems []string
	if relayErr != nil {
		problems = append(problems, "the relay: "+relayErr.Error()+" (the wallet retries; the relay also stops serving the copy once the chain has the revocation)")
	}
	if problem != "" {
		problems = append(problems, "the chain: "+problem+" (the wallet sends it on its next chain work)")
	}
	info.Problem = strings.Join(problems, "; ")
	return info, nil
}

// revokeDelegateAtRelay tells the relay, if it still has to: the copy
// revoked, the invitation deleted; then clears the pending mark.
func (w *Wallet) revokeDelegateAtRelay(ctx context.Context, d ownDelegate) error {
	if !d.RelayPending {
		return nil
	}
	rc, err := newCareRelay(w, d.Relay)
	if err != nil {
		return err
	}
	cctx, cancel := context.WithTimeout(ctx, relayTimeout)
	defer cancel()
	if d.CopyID != "" {
		if err := rc.Revoke(cctx, d.CopyID); err != nil && !errors.Is(err, relay.ErrNotFound) {
			return err
		}
	}
	if d.InviteURL != "" {
		if err := rc.DeleteBlob(cctx, d.InviteURL); err != nil && !errors.Is(err, relay.ErrNotFound) {
			return err
		}
	}
	err = w.vault.Update(func(tx *vault.Tx) error {
		v, ok, err := tx.State(spaceDelegates, d.Delegate.Bytes())
		if err != nil || !ok {
			return err
		}
		var cur ownDelegate
		if err := json.Unmarshal(v, &cur); err != nil {
			return err
		}
		cur.RelayPending = false
		return putOwnDelegate(tx, cur)
	})
	if err != nil {
		return fmt.Errorf("saving the relay's confirmation: %w", mapVaultError(err))
	}
	return nil
}

// retryDelegateRelay retries the relay's part of revocations still pending.
func (w *Wallet) retryDelegateRelay(ctx context.Context) {
	all, _, err := w.ownDelegates()
	if err != nil {
		return
	}
	for _, d := range all {
		if d.RelayPending {
			cctx, cancel := context.WithTimeout(ctx, 5*time.Second)
			_ = w.revokeDelegateAtRelay(cctx, d)
			cancel()
		}
	}
}

// RenewDelegate moves the delegation's expiry to expires (same rights and
// scope): a new scope document, signed and committed on chain by
// setDelegateSigned, and the caregiver's copy rebuilt around it.
func (w *Wallet) RenewDelegate(ctx context.Context, who string, expires time.Time) (DelegateInfo, error) {
	if err := w.unlocked(); err != nil {
		return DelegateInfo{}, err
	}
	d, err := w.findDelegate(who)
	if err != nil {
		return DelegateInfo{}, err
	}
	if !d.Revoked.IsZero() {
		return DelegateInfo{}, fmt.Errorf("the delegation to %s was revoked on %s: invite them again (hw delegate add)", d.Name, d.Revoked.Format(time.DateOnly))
	}
	t := now().UTC().Truncate(time.Second)
	if err := checkExpiry(expires, t); err != nil {
		return DelegateInfo{}, err
	}
	// A new salt too: every scope the wallet makes draws its own.
	salt, err := care.NewScopeSalt()
	if err != nil {
		return DelegateInfo{}, err
	}
	s := d.Scope.Scope
	s.Expiry, s.Issued, s.Salt = uint64(expires.Unix()), uint64(t.Unix()), salt
	signed, err := w.signScope(s)
	if err != nil {
		return DelegateInfo{}, err
	}
	d.Scope = signed
	row, err := w.queueDelegation(ctx, d, func(tx *vault.Tx, r outbox.Row) error {
		d.SetRow = r.ID
		return putOwnDelegate(tx, d)
	})
	if err != nil {
		return DelegateInfo{}, err
	}
	problem, err := w.waitRow(ctx, row.ID, shareGrantWait)
	if err != nil {
		return DelegateInfo{}, err
	}
	var problems []string
	if problem != "" {
		problems = append(problems, "the renewal is not on chain yet (the wallet sends it on its next chain work): "+problem)
	}
	// The copy carries the scope: rebuild it so the caregiver's check of the
	// scope against the chain passes with the new one. A copy the relay
	// drops before the new expiry is replaced by a new one, with a new
	// invitation.
	var note string
	if expires.After(d.CopyExpires) {
		if err := w.moveCopy(ctx, &d); err != nil {
			problems = append(problems, "the caregiver's copy: "+err.Error())
		} else {
			note = fmt.Sprintf("%s's copy moved to a new link: give them the new invitation (%s) to accept", d.Name, d.Invite)
		}
	} else if _, err := w.syncDelegate(ctx, &d, true); err != nil {
		problems = append(problems, "the caregiver's copy: "+err.Error()+" (hw sync retries)")
	}
	_, rows, err := w.ownDelegates()
	if err != nil {
		return DelegateInfo{}, err
	}
	info := describeDelegate(d, rows, share.DelegateStatus{}, false, "")
	if note != "" {
		info.Note, info.Invite = note, d.Invite
	}
	info.Problem = strings.Join(append(problems, info.Problem), "; ")
	info.Problem = strings.TrimSuffix(info.Problem, "; ")
	return info, nil
}

// moveCopy publishes d's copy anew (a new link and invitation, for a
// renewal past what the relay keeps), drops the old one, and saves d.
func (w *Wallet) moveCopy(ctx context.Context, d *ownDelegate) error {
	card, err := identity.ParseCard(d.Card)
	if err != nil {
		return fmt.Errorf("the caregiver's saved card: %w", err)
	}
	recs, err := w.inScope(d.Scope.Scope)
	if err != nil {
		return err
	}
	shared, waiting, err := w.readShared(recs)
	if err != nil {
		return err
	}
	if len(waiting) > 0 {
		return fmt.Errorf("%d record(s) wait for their anchor: hw sync, then renew again", len(waiting))
	}
	key, err := share.NewKey()
	if err != nil {
		return err
	}
	built, err := care.BuildCopy(care.CopyRequest{Records: shared, Scope: d.Scope, Key: key, ChainID: d.ChainID,
		Registry: d.Registry, EmergencyGrantKey: w.emergencyGrantKey(ctx), Updated: now().UTC()})
	if err != nil {
		return err
	}
	rc, err := newCareRelay(w, d.Relay)
	if err != nil {
		return err
	}
	old := *d
	if _, err := w.publishCopy(ctx, rc, d, built, key, card); err != nil {
		return err
	}
	d.Digest, d.Synced = built.Digest, now().UTC()
	if err := w.vault.Update(func(tx *vault.Tx) error { return putOwnDelegate(tx, *d) }); err != nil {
		w.abandonCopy(rc, d.CopyID)
		*d = old
		return fmt.Errorf("saving the delegation: %w", mapVaultError(err))
	}
	if old.CopyID != "" {
		w.abandonCopy(rc, old.CopyID)
	}
	if old.InviteURL != "" {
		cctx, cancel := context.WithTimeout(ctx, 5*time.Second)
		_ = rc.DeleteBlob(cctx, old.InviteURL) // best effort: it expires within 30 days anyway
		cancel()
	}
	return nil
}

// Sync anchors what waits and brings every active delegate's copy up to
// date: a copy whose records (or scope, or emergency card) changed is
// rebuilt and its files replaced at the relay under the same link.
func (w *Wallet) Sync(ctx context.Context) (SyncReport, error) {
	if err := w.unlocked(); err != nil {
		return SyncReport{}, err
	}
	var rep SyncReport
	a, err := w.Anchor(ctx)
	if err != nil {
		return rep, err
	}
	rep.Anchor = a
	w.retryDelegateRelay(ctx)
	all, rows, err := w.ownDelegates()
	if err != nil {
		return rep, err
	}
	rep.Delegates = []DelegateSync{}
	for i := range all {
		d := &all[i]
		if !d.Revoked.IsZero() || !now().Before(d.expires()) {
			continue
		}
		if r := rows[d.SetRow]; r.State == outbox.Failed {
			rep.Delegates = append(rep.Delegates, DelegateSync{Delegate: d.Delegate.Hex(), Name: d.Name, Records: len(d.Versions),
				Problem: "the chain refused the delegation: " + r.LastError})
			continue
		}
		if d.CopyID == "" {
			// Interrupted between the delegation and the upload: publish
			// the copy and the invitation now.
			ds := DelegateSync{Delegate: d.Delegate.Hex(), Name: d.Name, Records: len(d.Versions)}
			if err := w.moveCopy(ctx, d); err != nil {
				ds.Problem = err.Error()
			} else {
				ds.Problem = fmt.Sprintf("the invitation for %s was only made now: give them %s", d.Name, d.Invite)
			}
			rep.Delegates = append(rep.Delegates, ds)
			continue
		}
		ds, err := w.syncDelegate(ctx, d, false)
		if err != nil {
			ds.Problem = err.Error()
		}
		rep.Delegates = append(rep.Delegates, ds)
	}
	return rep, nil
}

// syncDelegate rebuilds d's copy from the anchored records in scope and
// replaces it at the relay when it changed (or always, with force). Records
// still waiting for their anchor are left for the next sync, and said so.
func (w *Wallet) syncDelegate(ctx context.Context, d *ownDelegate, force bool) (DelegateSync, error) {
	ds := DelegateSync{Delegate: d.Delegate.Hex(), Name: d.Name, Records: len(d.Versions)}
	recs, err := w.inScope(d.Scope.Scope)
	if err != nil {
		return ds, err
	}
	// Wait a little for records still on their way to the chain (as a
	// share does); those still waiting after that go in the next sync.
	var shared []share.SharedRecord
	var waiting []string
	if len(recs) > 0 {
		shared, _, err = w.sharedRecords(ctx, recs)
		if errors.Is(err, ErrNotAnchored) {
			shared, waiting, err = w.readShared(recs)
		}
		if err != nil {
			return ds, err
		}
	}
	var problem string
	if len(waiting) > 0 {
		// Leave the waiting ones out this time: the rest are anchored.
		var ready []record.Record
		for _, r := range recs {
			if !slices.Contains(waiting, r.ID) {
				ready = append(ready, r)
			}
		}
		recs = ready
		if shared, _, err = w.readShared(recs); err != nil {
			return ds, err
		}
		problem = fmt.Sprintf("%d record(s) wait for their anchor and go in the next sync", len(waiting))
	}
	versions := make([]string, len(recs))
	for i, r := range recs {
		versions[i] = anchorKey(r.ID, r.Version)
	}
	link, err := share.ParseLink(d.CopyLink)
	if err != nil {
		return ds, fmt.Errorf("the copy's saved link: %w", err)
	}
	built, err := care.BuildCopy(care.CopyRequest{Records: shared, Scope: d.Scope, Key: link.Key, ChainID: d.ChainID,
		Registry: d.Registry, EmergencyGrantKey: w.emergencyGrantKey(ctx), Updated: now().UTC()})
	if err != nil {
		return ds, err
	}
	added := 0
	for _, v := range versions {
		if !slices.Contains(d.Versions, v) {
			added++
		}
	}
	if built.Digest != d.Digest || force {
		rc, err := newCareRelay(w, d.Relay)
		if err != nil {
			return ds, err
		}
		cctx, cancel := context.WithTimeout(ctx, relayTimeout)
		err = rc.ReplaceFiles(cctx, d.CopyID, relayFiles(built.Files))
		cancel()
		if err != nil {
			return ds, fmt.Errorf("updating the copy at the relay %s: %w", d.Relay, relayProblem(err))
		}
	}
	d.Digest, d.Versions, d.Synced = built.Digest, versions, now().UTC()
	err = w.vault.Update(func(tx *vault.Tx) error {
		v, ok, err := tx.State(spaceDelegates, d.Delegate.Bytes())
		if err != nil || !ok {
			return err
		}
		var cur ownDelegate
		if err := json.Unmarshal(v, &cur); err != nil {
			return err
		}
		if !cur.Revoked.IsZero() {
			return nil // revoked meanwhile
		}
		cur.Digest, cur.Versions, cur.Synced, cur.Scope, cur.SetRow = d.Digest, d.Versions, d.Synced, d.Scope, d.SetRow
		return putOwnDelegate(tx, cur)
	})
	if err != nil {
		return ds, fmt.Errorf("saving the sync: %w", mapVaultError(err))
	}
	ds.Records, ds.Added = len(versions), added
	if problem != "" {
		return ds, errors.New(problem)
	}
	return ds, nil
}

// emergencyGrantKey is the chain grant key of the current emergency card,
// which the copy carries so caregivers can watch the chain for break-glass
// openings (the grant key is public on chain; the card's link key, which
// would open the card, never goes in a copy). Zero when the wallet has no
// active card (or cannot say).
func (w *Wallet) emergencyGrantKey(ctx context.Context) common.Hash {
	c, ok, err := w.CurrentEmergencyCard(ctx)
	if err != nil || !ok || c.State != ShareActive {
		return common.Hash{}
	}
	patient, err := w.address()
	if err != nil {
		return common.Hash{}
	}
	shares, _, err := w.ownShares()
	if err != nil {
		return common.Hash{}
	}
	for _, s := range shares {
		if s.ID == c.ID && s.Digest != (common.Hash{}) {
			return chain.GrantKey(patient, s.Digest)
		}
	}
	return common.Hash{}
}

// ParseExpiry reads an expiry as hw takes it: a duration such as 30d, 12h,
// 2w, 1m (a month), 1y, or a date YYYY-MM-DD (the delegation then runs
// through that day, UTC), counted from now.
func ParseExpiry(s string, t time.Time) (time.Time, error) {
	s = strings.TrimSpace(s)
	if d, err := time.Parse(time.DateOnly, s); err == nil {
		end := d.AddDate(0, 0, 1)
		if !end.After(t) {
			return time.Time{}, fmt.Errorf("%s is in the past: choose a later date", s)
		}
		return end, nil
	}
	bad := fmt.Errorf("%q is not an expiry: use 30d, 1m (a month), 1y, 12h, 2w, or a date such as %s", s, t.AddDate(1, 0, 0).Format(time.DateOnly))
	if len(s) < 2 {
		return time.Time{}, bad
	}
	num, unit := s[:len(s)-1], s[len(s)-1]
	n, err := strconv.Atoi(num)
	if err != nil || n <= 0 || n > 100_000 || strconv.Itoa(n) != num {
		return time.Time{}, bad
	}
	switch unit {
	case 'h':
		return t.Add(time.Duration(n) * time.Hour), nil
	case 'd':
		return t.AddDate(0, 0, n), nil
	case 'w':
		return t.AddDate(0, 0, 7*n), nil
	case 'm':
		return t.AddDate(0, n, 0), nil
	case 'y':
		return t.AddDate(n, 0, 0), nil
	}
	return time.Time{}, bad
}
