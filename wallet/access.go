package wallet

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"math/big"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/ethereum/go-ethereum"
	"github.com/ethereum/go-ethereum/common"
	"github.com/ethereum/go-ethereum/crypto"

	"healthwallet/chain"
	"healthwallet/chain/contracts"
	"healthwallet/chain/outbox"
	"healthwallet/wallet/relay"
	"healthwallet/wallet/share"
	"healthwallet/wallet/vault"
)

// This file: the patient's view of their shares — the list with live state,
// revocation, and the access log — each built from the wallet's own record
// of its shares and enriched from the relays and the chain when they answer.

// Shares lists the patient's shares, newest first, with their live state:
// the wallet's own record, the relay's (state, accesses) and the chain's
// (grant active, revoked, expired). A relay or chain that cannot be reached
// is not an error: the share's Problem says what could not be checked, and
// State is what the wallet knows.
func (w *Wallet) Shares(ctx context.Context) ([]ShareInfo, error) {
	if err := w.unlocked(); err != nil {
		return nil, err
	}
	w.retryRelayRevokes(ctx)
	if _, err := w.drain(ctx); err != nil {
		return nil, err
	}
	shares, rows, err := w.ownShares()
	if err != nil {
		return nil, err
	}
	out := make([]ShareInfo, 0, len(shares))
	if len(shares) == 0 {
		return out, nil
	}

	// The relays' view, one List per relay; the direct shares' from the
	// wallet's own store.
	type relayView struct {
		infos   map[string]relay.ShareInfo
		problem string
		served  string // a direct share's URL served now by this process
	}
	views := map[string]*relayView{}
	keys := w.keyring()
	for _, s := range shares {
		if views[viewOf(s)] != nil {
			continue
		}
		v := &relayView{infos: map[string]relay.ShareInfo{}}
		views[viewOf(s)] = v
		// A person kept apart uploaded their shares as themselves: only
		// their address lists them.
		key, err := keys.signer(s.Person)
		if err != nil {
			v.problem = err.Error()
			continue
		}
		if s.Direct {
			err := w.withDirectStoreAs(key, func(c *relay.Client, served string) error {
				v.served = served
				if c == nil {
					return nil
				}
				list, err := c.List(ctx)
				for _, si := range list {
					v.infos[si.ID] = si
				}
				return err
			})
			if err != nil {
				v.problem = err.Error()
			}
			continue
		}
		client, err := w.relayClientAs(s.Relay, key)
		if err != nil {
			v.problem = err.Error()
			continue
		}
		cctx, cancel := context.WithTimeout(ctx, relayTimeout)
		list, err := client.List(cctx)
		cancel()
		if err != nil {
			v.problem = "the relay could not be asked: " + err.Error()
			continue
		}
		for _, si := range list {
			v.infos[si.ID] = si
		}
	}

	// The chain's view.
	grants, chainProblem := w.grantStatuses(ctx, shares)

	t := now()
	for _, s := range shares {
		info := ShareInfo{
			ID: s.ID, Label: s.Label, Purpose: s.Purpose, Created: s.Created, Expires: s.Expires,
			Records: len(s.Records), Relay: s.Relay, Link: s.Link, Direct: s.Direct, Grant: s.Digest.Hex(),
		}
		var problems []string
		v := views[viewOf(s)]
		ri, atRelay := v.infos[s.ID]
		info.Serving = s.Direct && v.served == s.Relay
		if v.problem != "" {
			problems = append(problems, v.problem)
		}
		if atRelay {
			info.Opened = ri.Opened
		}
		g, onChain := grants[s.Digest]
		if chainProblem != "" {
			problems = append(problems, "the chain could not be asked: "+chainProblem)
		}
		grantRow := rows[s.GrantRow]
		switch {
		case !s.Revoked.IsZero():
			info.State = ShareRevoked
			revokeRow := rows[s.RevokeRow]
			inBlock := revokeRow.State == outbox.Included || revokeRow.State == outbox.Final
			info.Revoking = s.RelayPending || !inBlock
			if revokeRow.State == outbox.Failed {
				problems = append(problems, "the chain refused the revocation: "+revokeRow.LastError)
			}
		case onChain && g.Revoked:
			info.State = ShareRevoked // revoked elsewhere: another device with the same keys
		case !t.Before(s.Expires):
			info.State = ShareExpired
		case s.Direct && v.problem == "" && !info.Serving:
			// Served only while its screen (or hw share --direct) ran; the
			// grant may stand on chain, but nothing serves the link.
			info.State = ShareStopped
		case atRelay && ri.State == relay.StateRevoked:
			info.State = ShareRevoked
		case atRelay && ri.State == relay.StateLocked:
			info.State = ShareLocked
		case atRelay && ri.State == relay.StateExpired:
			info.State = ShareExpired
		case grantRow.State == outbox.Failed:
			info.State = ShareFailed
			problems = append(problems, "the chain refused the grant: "+grantRow.LastError)
		case grantRow.State != outbox.Included && grantRow.State != outbox.Final:
			info.State = SharePending
			if grantRow.LastError != "" {
				problems = append(problems, "the grant waits for the chain: "+grantRow.LastError)
			}
		case onChain && !g.Active:
			info.State = ShareExpired
		default:
			info.State = ShareActive
		}
		info.Problem = strings.Join(problems, "; ")
		out = append(out, info)
	}
	return out, nil
}

// directView is the key of the direct shares' view in Shares: they all
// live in the wallet's own store, whatever address they were served at.
const directView = "direct"

// viewOf is the key of the view a share's state is read from: its relay's,
// or the direct store's, as its person (whose address lists it) sees it.
func viewOf(s ownShare) string {
	if s.Direct {
		return directView + "\x00" + s.Person
	}
	return s.Relay + "\x00" + s.Person
}

// grantStatuses asks the registry about each share's grant; the problem is
// why it could not (the chain unreachable), and then the map is partial.
func (w *Wallet) grantStatuses(ctx context.Context, shares []ownShare) (map[common.Hash]share.GrantStatus, string) {
	out := map[common.Hash]share.GrantStatus{}
	w.chainMu.Lock()
	defer w.chainMu.Unlock()
	n, err := w.networkLocked(ctx)
	if err != nil {
		return out, err.Error()
	}
	// Each grant is under its person's address (people.go).
	keys := w.keyring()
	reader := share.NewChainReader(n.Client, n.Registry)
	for _, s := range shares {
		patient, err := keys.address(s.Person)
		if err != nil {
			return out, err.Error()
		}
		cctx, cancel := context.WithTimeout(ctx, 15*time.Second)
		g, err := reader.GrantOf(cctx, patient, s.Digest)
		cancel()
		if err != nil {
			if chain.IsUnreachable(err) {
				w.dropNetworkLocked()
			}
			return out, err.Error()
		}
		out[s.Digest] = g
	}
	return out, ""
}

// Revoke ends a share at once: the relay stops serving it (404 from now on)
// and the grant is revoked on chain, queued in the outbox in the same vault
// transaction that marks the share revoked, so it lands even if the chain is
// down now. The relay also refuses a share whose grant the chain says is
// revoked, so either one suffices to stop the link.
//
// If the relay cannot be reached, the wallet keeps a pending relay
// revocation and retries it on its next sharing call. Revoke returns an
// error wrapping ErrRevokePending only when neither the relay nor the chain
// confirmed: the link may then still work until one of them does.
func (w *Wallet) Revoke(ctx context.Context, id string) error {
	if err := w.unlocked(); err != nil {
		return err
	}
	s, err := w.findShare(id)
	if err != nil {
		return err
	}
	if s.Revoked.IsZero() {
		revoke, err := w.revokeCall(ctx, s.Person, s.Digest, s.Expires)
		if err != nil {
			return err
		}
		err = w.vault.Update(func(tx *vault.Tx) error {
			cur, ok, err := readOwnShare(tx, s.ID)
			if err != nil {
				return err
			}
			if !ok {
				return fmt.Errorf("%w: %s", ErrNoShare, s.ID)
			}
			if !cur.Revoked.IsZero() {
				s = cur
				return nil
			}
			row, err := outbox.Enqueue(tx, kindRevokeGrant, cur.Digest[:], revoke)
			if err != nil {
				return err
			}
			cur.Revoked, cur.RevokeRow, cur.RelayPending = now().UTC(), row.ID, true
			s = cur
			return putOwnShare(tx, cur)
		})
		if err != nil {
			return fmt.Errorf("saving the revocation: %w", mapVaultError(err))
		}
	}
	relayErr := w.revokeAtRelay(ctx, s)
	problem, err := w.waitRow(ctx, s.RevokeRow, shareGrantWait)
	if err != nil {
		return err
	}
	if relayErr == nil || problem == "" {
		return nil
	}
	return fmt.Errorf("%w: the relay: %v; the chain: %s. The wallet retries both on its next sharing call (hw shares); until one of them confirms, the link may still open", ErrRevokePending, relayErr, problem)
}

// revokeCall is the calldata that revokes the grant with digest, which
// expires at expires, issued under person's address ("" the owner's): their
// signed revocation, valid until the grant expires (at least a day, so that
// a revocation queued offline near the end still lands), for the chain in
// use or last used; the plain call when the wallet never reached a chain.
func (w *Wallet) revokeCall(ctx context.Context, person string, digest common.Hash, expires time.Time) ([]byte, error) {
	key, err := w.personKey(person)
	if err != nil {
		return nil, err
	}
	patient := crypto.PubkeyToAddress(key.PublicKey)
	chainID, registry, err := w.chainParams(ctx)
	if err != nil {
		return contracts.NewHealthRegistry().PackRevokeGrant(patient, digest), nil
	}
	signer, err := w.actionSigner(chainID, registry)
	if err != nil {
		return nil, err
	}
	signer.Key = key
	deadline := expires
	if least := now().Add(24 * time.Hour); deadline.Before(least) {
		deadline = least
	}
	return signer.RevokeGrant(patient, digest, uint64(deadline.Unix()))
}

// revokeAtRelay tells the share's relay, if it still has to, and clears the
// pending mark once the relay confirmed (or no longer has the share).
func (w *Wallet) revokeAtRelay(ctx context.Context, s ownShare) error {
	if !s.RelayPending {
		return nil
	}
	revoke := func(client *relay.Client) error {
		if client == nil {
			return nil // no direct store: nothing serves it
		}
		cctx, cancel := context.WithTimeout(ctx, relayTimeout)
		defer cancel()
		return client.Revoke(cctx, s.ID)
	}
	key, err := w.personKey(s.Person) // whose address uploaded it
	if err != nil {
		return err
	}
	if s.Direct {
		// In the wallet's own store, whether a server runs now or not:
		// the next direct share must not serve it again.
		err = w.withDirectStoreAs(key, func(c *relay.Client, _ string) error { return revoke(c) })
	} else {
		client, cerr := w.relayClientAs(s.Relay, key)
		if cerr != nil {
			return cerr
		}
		err = revoke(client)
	}
	if err != nil && !errors.Is(err, relay.ErrNotFound) {
		return err
	}
	err = w.vault.Update(func(tx *vault.Tx) error {
		cur, ok, err := readOwnShare(tx, s.ID)
		if err != nil || !ok {
			return err
		}
		cur.RelayPending = false
		return putOwnShare(tx, cur)
	})
	if err != nil {
		return fmt.Errorf("saving the relay's revocation: %w", mapVaultError(err))
	}
	return nil
}

// retryRelayRevokes tells the relays of revoked shares that could not be
// reached before. Failures wait for the next call.
func (w *Wallet) retryRelayRevokes(ctx context.Context) {
	shares, _, err := w.ownShares()
	if err != nil {
		return
	}
	for _, s := range shares {
		if s.RelayPending {
			cctx, cancel := context.WithTimeout(ctx, 5*time.Second)
			_ = w.revokeAtRelay(cctx, s) // still pending: Shares says so
			cancel()
		}
	}
}

// AccessLog merges the relays' logs (opened with the patient's sharing key)
// and the chain's AccessLogged events for the wallet's grants: every access
// to the patient's shares, newest first. When a relay or the chain cannot
// be reached, it returns what it could read and an error wrapping
// ErrIncomplete that says what is missing.
func (w *Wallet) AccessLog(ctx context.Context) ([]AccessEntry, error) {
	if err := w.unlocked(); err != nil {
		return nil, err
	}
	w.retryRelayRevokes(ctx)
	shares, _, err := w.ownShares()
	if err != nil {
		return nil, err
	}
	// Each share's log is sealed to the sharing key of the person whose
	// records it holds (people.go), and asked for under their address.
	keys := w.keyring()
	if _, err := keys.sharingKey(""); err != nil {
		return nil, err
	}
	out := []AccessEntry{}
	var missing []string
	down := map[string]bool{}
	queued := false
	// The chain the accesses are recorded for, asked once: chainParams may
	// try to connect, which a down chain would make slow for every entry.
	target := sync.OnceValues(func() (chainTarget, error) {
		id, registry, err := w.chainParams(ctx)
		return chainTarget{id, registry}, err
	})
	direct, err := w.directAccessLogs(ctx, shares, keys)
	if err != nil {
		missing = append(missing, "the direct shares' log on this device: "+err.Error())
	}
	byDigest := map[common.Hash]ownShare{}
	for _, s := range shares {
		byDigest[s.Digest] = s
		entries, err := direct[s.ID], error(nil)
		if !s.Direct {
			entries, err = w.relayAccessLog(ctx, s, keys, down)
		}
		if err != nil {
			missing = append(missing, err.Error())
			continue
		}
		source := "relay"
		if s.Direct {
			source = "direct"
		}
		for _, e := range entries {
			a := AccessEntry{
				Time: e.Time, Share: s.ID, Who: e.Recipient, What: describeAccess(e, len(s.Records)),
				Purpose: e.Purpose, Source: source, Outcome: e.Outcome,
			}
			q, err := w.accessOnChain(target, s, e, &a)
			if err != nil {
				return nil, err
			}
			queued = queued || q
			out = append(out, a)
		}
	}
	if queued {
		if _, err := w.drain(ctx); err != nil {
			return nil, err
		}
	}
	// The caregivers' actions (delegate_log.go), and the accesses to the
	// shares they made for the patient.
	delegated, grants, delegateMissing, err := w.delegateLog(ctx)
	if err != nil {
		return nil, err
	}
	out, missing = append(out, delegated...), append(missing, delegateMissing...)
	for d, s := range grants {
		if _, ok := byDigest[d]; !ok {
			byDigest[d] = s
		}
	}
	chainEntries, err := w.chainAccesses(ctx, byDigest, keys)
	if err != nil {
		missing = append(missing, "the chain: "+err.Error())
	}
	// A chain entry the wallet recorded marks its relay entry; others (an
	// entry recorded by another device of the patient) are listed alone.
	recorded := map[common.Hash]int{} // commitment → index in out
	for i, a := range out {
		if a.entry != (common.Hash{}) {
			recorded[a.entry] = i
		}
	}
	for _, c := range chainEntries {
		if i, ok := recorded[c.entry]; ok {
			out[i].Recorded, out[i].Block, out[i].TxHash = true, c.Block, c.TxHash
			continue
		}
		out = append(out, c)
	}
	byID := map[string]ownShare{}
	for _, s := range byDigest {
		byID[s.ID] = s
	}
	for i, a := range out {
		if s, ok := byID[a.Share]; ok {
			out[i].ShareLabel, out[i].Shared, out[i].Records = s.Label, s.Created, len(s.Records)
		}
	}
	slices.SortStableFunc(out, func(a, b AccessEntry) int { return b.Time.Compare(a.Time) })
	if len(missing) > 0 {
		return out, fmt.Errorf("%w: %s; the log shows the rest", ErrIncomplete, strings.Join(missing, "; "))
	}
	return out, nil
}

// OpenedRecords is how many records the share held, for a receiver's
// opening of one of the patient's shares; 0 for a caregiver's action, an
// opening of the emergency card and an entry read from the chain, whose
// What says what they were.
func (a AccessEntry) OpenedRecords() int {
	if a.Delegate != "" || a.Emergency || a.Source == "chain" {
		return 0
	}
	return a.Records
}

// SelfDeclared says whether Who is the opener's own description of
// itself, which nothing checked: so is every name a receiver types, at a
// relay, at this device's direct share or at the emergency card. A
// caregiver's name comes from their signed card.
func (a AccessEntry) SelfDeclared() bool {
	return a.Delegate == "" && (a.Emergency || a.Source == "relay" || a.Source == "direct")
}

// visitGap is the longest pause between two fetches of one visit: a
// receiver opening a share fetches its manifest, then its files, within
// seconds; the same receiver coming back later is another visit.
const visitGap = 15 * time.Minute

// Visits folds an access log (AccessLog's, newest first) into one entry per
// visit: the fetches of one share by the same receiver, for the same
// purpose, from the same place, each within visitGap of the one before.
// A visit keeps its first fetch's time and what it asked for; it is
// Recorded, or an Emergency, when any of its fetches is, and its Outcome is that of its last
// fetch (a wrong passcode, then the right one, is a visit that was served).
// Caregivers' actions and chain entries stay one a row. Newest first.
func Visits(log []AccessEntry) []AccessEntry {
	in := slices.Clone(log)
	slices.SortStableFunc(in, func(a, b AccessEntry) int { return a.Time.Compare(b.Time) })
	var out []AccessEntry
	last := map[string]int{} // visit key → index in out of its open visit
	lastTime := map[string]time.Time{}
	for _, a := range in {
		if a.Delegate != "" || a.Source == "chain" || a.Share == "" {
			out = append(out, a)
			continue
		}
		key := strings.Join([]string{a.Share, a.Who, a.Purpose, a.Source}, "\x00")
		i, open := last[key]
		if open && a.Time.Sub(lastTime[key]) <= visitGap {
			v := &out[i]
			if a.Emergency && !v.Emergency {
				v.Emergency, v.What = true, a.What // a break-glass opening, whichever fetch says so
			}
			v.Recorded = v.Recorded || a.Recorded
			if v.TxHash == "" {
				v.Block, v.TxHash = a.Block, a.TxHash
			}
			if a.Outcome != "" {
				v.Outcome = a.Outcome
			}
			lastTime[key] = a.Time
			continue
		}
		last[key], lastTime[key] = len(out), a.Time
		out = append(out, a)
	}
	slices.Reverse(out)
	return out
}

// relayAccessLog reads the relay's log of the share s, asked for as the
// share's person (whose address uploaded it) and opened with their sharing
// key; a share purged at the relay has none. A relay found unreachable is
// noted in down, and its other shares are skipped: the error says what is
// missing.
func (w *Wallet) relayAccessLog(ctx context.Context, s ownShare, keys *personKeyring, down map[string]bool) ([]relay.AccessEntry, error) {
	if down[s.Relay] {
		return nil, nil // said once already
	}
	key, err := keys.sharingKey(s.Person)
	if err != nil {
		return nil, err
	}
	signer, err := keys.signer(s.Person)
	if err != nil {
		return nil, err
	}
	client, err := w.relayClientAs(s.Relay, signer)
	if err != nil {
		return nil, err
	}
	cctx, cancel := context.WithTimeout(ctx, relayTimeout)
	entries, err := client.AccessLog(cctx, s.ID, key)
	cancel()
	switch {
	case errors.Is(err, relay.ErrNotFound):
		return nil, nil // purged at the relay after its retention
	case err != nil:
		var ae *relay.APIError
		if !errors.As(err, &ae) {
			down[s.Relay] = true // unreachable: skip its other shares
		}
		return nil, fmt.Errorf("the relay %s: %v", s.Relay, err)
	}
	return entries, nil
}

// directAccessLogs reads the logs of the wallet's direct shares, by share
// id, from its own store: the openings of a direct share stay in the log
// after its screen closed, as a relay's do. None when it never shared
// directly. Each share's log opens with its person's sharing key.
func (w *Wallet) directAccessLogs(ctx context.Context, shares []ownShare, keys *personKeyring) (map[string][]relay.AccessEntry, error) {
	out := map[string][]relay.AccessEntry{}
	byPerson := map[string][]ownShare{}
	for _, s := range shares {
		if s.Direct {
			byPerson[s.Person] = append(byPerson[s.Person], s)
		}
	}
	for person, theirs := range byPerson {
		signer, err := keys.signer(person)
		if err != nil {
			return out, err
		}
		key, err := keys.sharingKey(person)
		if err != nil {
			return out, err
		}
		err = w.withDirectStoreAs(signer, func(c *relay.Client, _ string) error {
			if c == nil {
				return nil
			}
			for _, s := range theirs {
				entries, err := c.AccessLog(ctx, s.ID, key)
				if errors.Is(err, relay.ErrNotFound) {
					continue // purged after its retention
				}
				if err != nil {
					return err
				}
				out[s.ID] = entries
			}
			return nil
		})
		if err != nil {
			return out, err
		}
	}
	return out, nil
}

// AccessOnChain reports the patient's choice to record, on chain, each
// access the relays report: a salted commitment per access (see
// share.AccessStatement), tamper-evident and readable by no one else. On
// unless turned off with SetAccessOnChain.
func (w *Wallet) AccessOnChain() bool {
	w.mu.RLock()
	defer w.mu.RUnlock()
	return !w.profile.NoAccessOnChain
}

// SetAccessOnChain turns recording accesses on chain on or off. Off, the
// relays' sealed logs still show every access; entries already on chain
// stay there.
func (w *Wallet) SetAccessOnChain(on bool) error {
	if err := w.unlocked(); err != nil {
		return err
	}
	return w.updateProfile(func(p *profile) { p.NoAccessOnChain = !on })
}

// spaceAccessChain holds, per relay access the wallet recorded on chain, the
// statement, salt and entry (accessRecord), keyed by relayAccessID: the
// patient opens its chain entries with them.
const spaceAccessChain = "share/access-chain"

// kindAccess is the outbox kind of a logAccess transaction.
const kindAccess = "access"

// accessRecord is one access the wallet committed to on chain.
type accessRecord struct {
	Statement share.AccessStatement `json:"statement"`
	Salt      common.Hash           `json:"salt"`
	Entry     common.Hash           `json:"entry"`
	Row       uint64                `json:"row"`
	// Share is the share opened, so that a handover forgets the records
	// of the shares of the person it moves (empty in older records).
	Share string `json:"share,omitempty"`
}

// relayAccessID identifies a relay's access entry across reads of the log.
func relayAccessID(shareID string, e relay.AccessEntry) []byte {
	return crypto.Keccak256([]byte(shareID), []byte(e.Time.UTC().Format(time.RFC3339Nano)), []byte(e.Recipient), []byte(e.Purpose), []byte(e.Kind))
}

// chainTarget is the chain id and registry actions are signed for.
type chainTarget struct {
	id       *big.Int
	registry common.Address
}

// recordAccess notes in a whether the relay's access e to the share s is
// recorded on chain, and queues its logAccess if not yet (a manifest served
// while the grant stands, the patient's setting on): the statement the relay
// sealed for the patient, committed with a fresh salt and signed with the
// link's access key, which the patient holds too, for the chain target
// names. It reports whether it queued a row.
func (w *Wallet) recordAccess(target func() (chainTarget, error), s ownShare, e relay.AccessEntry, a *AccessEntry) (bool, error) {
	if e.Outcome != relay.OutcomeServed || e.Kind != relay.KindManifest && e.Kind != relay.KindDirect {
		return false, nil
	}
	key := relayAccessID(s.ID, e)
	var rec accessRecord
	var found bool
	err := w.vault.View(func(tx *vault.ReadTx) error {
		v, ok, err := tx.State(spaceAccessChain, key)
		if err != nil || !ok {
			return err
		}
		found = true
		return json.Unmarshal(v, &rec)
	})
	if err != nil {
		return false, fmt.Errorf("reading the access records: %w", mapVaultError(err))
	}
	if found {
		a.entry = rec.Entry
		return false, nil
	}
	if !w.AccessOnChain() || !s.Revoked.IsZero() || !now().Before(s.Expires) {
		return false, nil
	}
	link, err := share.ParseLink(s.Link)
	if err != nil {
		return false, fmt.Errorf("share %s: its saved link: %w", s.ID, err)
	}
	addr, err := w.personAddress(s.Person) // the grant's patient: the share's person
	if err != nil {
		return false, err
	}
	patient := common.HexToAddress(addr)
	on, err := target()
	if err != nil {
		return false, nil // no chain known yet: the next read records it
	}
	st := share.AccessStatement{Who: e.Recipient, Purpose: e.Purpose, Time: e.Time.Unix()}
	signed, err := share.SignAccess(link.Key, st, patient, s.Digest, uint64(s.Expires.Unix()), on.id, on.registry)
	if err != nil {
		return false, err
	}
	rec = accessRecord{Statement: st, Salt: signed.Salt, Entry: signed.Entry, Share: s.ID}
	err = w.vault.Update(func(tx *vault.Tx) error {
		row, err := outbox.Enqueue(tx, kindAccess, signed.Entry[:], signed.Calldata)
		if err != nil {
			return err
		}
		rec.Row = row.ID
		b, err := json.Marshal(rec)
		if err != nil {
			return err
		}
		return tx.PutState(spaceAccessChain, key, b)
	})
	if err != nil {
		return false, fmt.Errorf("queueing the access record: %w", mapVaultError(err))
	}
	a.entry = signed.Entry
	return true, nil
}

// describeAccess says what a relay access handed out, without health data.
func describeAccess(e relay.AccessEntry, records int) string {
	what := fmt.Sprintf("%d records", records)
	if records == 1 {
		what = "1 record"
	}
	switch {
	case e.Kind == relay.KindManifest:
		return what + " (manifest)"
	case e.ContentType == share.ContentTypeProof:
		return "the proofs of " + what
	case e.ContentType == share.ContentTypeFHIR:
		return what + " (FHIR bundle)"
	}
	return what + " (" + e.Kind + ")"
}

// chainAccesses reads the registry's AccessLogged events of the wallet's
// own grants, found by grant key (the events name no address). An entry on
// chain is a salted commitment to what the receiver said: the statement
// itself reaches the patient only through the relay's sealed log.
func (w *Wallet) chainAccesses(ctx context.Context, byDigest map[common.Hash]ownShare, keys *personKeyring) ([]AccessEntry, error) {
	if len(byDigest) == 0 {
		return nil, nil
	}
	// A grant is keyed by its patient: the owner, or the person kept apart
	// whose share it is.
	byKey := map[common.Hash]ownShare{}
	var grantKeys []common.Hash
	for d, s := range byDigest {
		addr, err := keys.address(s.Person)
		if err != nil {
			return nil, err
		}
		k := chain.GrantKey(addr, d)
		byKey[k] = s
		grantKeys = append(grantKeys, k)
	}
	w.chainMu.Lock()
	defer w.chainMu.Unlock()
	n, err := w.networkLocked(ctx)
	if err != nil {
		return nil, err
	}
	reg := contracts.NewHealthRegistry()
	cctx, cancel := context.WithTimeout(ctx, 30*time.Second)
	defer cancel()
	logs, err := n.Client.FilterLogs(cctx, ethereum.FilterQuery{
		FromBlock: new(big.Int), Addresses: []common.Address{n.Registry},
		Topics: [][]common.Hash{{reg.GetABI().Events["AccessLogged"].ID}, grantKeys},
	})
	if err != nil {
		if chain.IsUnreachable(err) {
			w.dropNetworkLocked()
		}
		return nil, fmt.Errorf("reading the access events: %w", err)
	}
	times := map[uint64]time.Time{}
	var out []AccessEntry
	for i := range logs {
		l := &logs[i]
		if l.Removed {
			continue
		}
		ev, err := reg.UnpackAccessLoggedEvent(l)
		if err != nil {
			continue // not ours to read
		}
		s, ok := byKey[common.Hash(ev.GrantKey)]
		if !ok {
			continue
		}
		t, ok := times[l.BlockNumber]
		if !ok && l.BlockTimestamp != 0 {
			// eth_getLogs gives each log its block's time: all a network's
			// read-only JSON-RPC offers (it serves no headers).
			t, ok = time.Unix(int64(l.BlockTimestamp), 0).UTC(), true
			times[l.BlockNumber] = t
		}
		if !ok {
			h, err := n.Client.HeaderByNumber(cctx, new(big.Int).SetUint64(l.BlockNumber))
			if err != nil {
				return out, fmt.Errorf("reading block %d: %w", l.BlockNumber, err)
			}
			t = time.Unix(int64(h.Time), 0).UTC()
			times[l.BlockNumber] = t
		}
		out = append(out, AccessEntry{
			Time: t, Share: s.ID, Who: "a holder of the link",
			What:   fmt.Sprintf("access recorded on chain (entry %s)", common.Hash(ev.Entry).Hex()),
			Source: "chain", Block: l.BlockNumber, TxHash: l.TxHash.Hex(), Recorded: true,
			entry: ev.Entry,
		})
	}
	return out, nil
}
