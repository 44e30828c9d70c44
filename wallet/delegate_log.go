package wallet

import (
	"context"
	"crypto/ecdh"
	"errors"
	"fmt"
	"math/big"
	"time"

	"github.com/ethereum/go-ethereum"
	"github.com/ethereum/go-ethereum/common"

	"healthwallet/chain"
	"healthwallet/chain/contracts"
	"healthwallet/wallet/care"
	"healthwallet/wallet/relay"
)

// Delegate actions in the patient's access log (issue 9): each caregiver's
// fetches of their copy (the first "accepted", later ones "synced"), from
// the relay's log sealed to the patient, and the shares they made for the
// patient and the shares they revoked, from the registry's GrantIssued and
// GrantRevoked events naming them. The shares' digests are returned too, so
// that the accesses recorded on chain under those grants (a doctor opening a
// caregiver's share) join the log.

// Actions of a delegate, for AccessEntry.Action.
const (
	ActionAccepted = "accepted"
	ActionSynced   = "synced"
	ActionShared   = "shared"
	ActionRevoked  = "revoked"
)

// delegateLog reads the delegates' actions. missing says what could not be
// read; the entries are the rest.
func (w *Wallet) delegateLog(ctx context.Context) (entries []AccessEntry, grants map[common.Hash]ownShare, missing []string, err error) {
	all, _, err := w.ownDelegates()
	if err != nil || len(all) == 0 {
		return nil, nil, nil, err
	}
	key, err := w.sharingKey()
	if err != nil {
		return nil, nil, nil, err
	}
	byAddr := map[common.Address]ownDelegate{}
	down := map[string]bool{}
	for _, d := range all {
		byAddr[d.Delegate] = d
		if d.CopyID == "" || down[d.Relay] {
			continue
		}
		rc, err := newCareRelay(w, d.Relay)
		if err != nil {
			return nil, nil, nil, err
		}
		cctx, cancel := context.WithTimeout(ctx, relayTimeout)
		log, err := rc.AccessLog(cctx, d.CopyID, key)
		cancel()
		switch {
		case errors.Is(err, relay.ErrNotFound):
			continue // purged at the relay after the delegation ended
		case err != nil:
			var ae *relay.APIError
			if !errors.As(err, &ae) {
				down[d.Relay] = true
			}
			missing = append(missing, fmt.Sprintf("the relay %s (%s's copy): %v", d.Relay, d.Name, err))
			continue
		}
		first := true
		for _, e := range log {
			if e.Kind != relay.KindManifest || e.Outcome != relay.OutcomeServed {
				continue
			}
			action := ActionSynced
			if first {
				action, first = ActionAccepted, false
			}
			entries = append(entries, AccessEntry{Time: e.Time, Who: d.Name, What: fmt.Sprintf("%s's copy of your records (%d in scope)", d.Name, len(d.Versions)),
				Purpose: care.PurposeCare, Source: "relay", Outcome: e.Outcome, Delegate: d.Delegate.Hex(), Action: action})
		}
	}
	chainEntries, grants, err := w.delegateGrants(ctx, byAddr)
	if err != nil {
		missing = append(missing, "the chain (caregivers' shares): "+err.Error())
	}
	opened, openedMissing := w.delegateShareOpenings(ctx, all, chainEntries, key, down)
	entries = append(entries, opened...)
	missing = append(missing, openedMissing...)
	return append(entries, chainEntries...), grants, missing, nil
}

// delegateShareOpenings reads, at each relay the delegations use, the
// openings of the shares caregivers made for the patient — a receiver's
// action, not the caregiver's, so the entry names the caregiver in What
// and leaves Delegate empty. The relay seals those shares' access logs to
// the patient (the caregiver cannot read them), and lists the shares to
// the patient beside the patient's own. A share counts when its
// grant is one a delegate issued for the patient on chain (chainEntries'
// "shared" entries), so a relay cannot slip in another.
func (w *Wallet) delegateShareOpenings(ctx context.Context, all []ownDelegate, chainEntries []AccessEntry, key *ecdh.PrivateKey, down map[string]bool) (entries []AccessEntry, missing []string) {
	sharedBy := map[common.Hash]ownDelegate{}
	byHex := map[string]ownDelegate{}
	for _, d := range all {
		byHex[d.Delegate.Hex()] = d
	}
	for _, e := range chainEntries {
		if e.Action == ActionShared {
			sharedBy[common.HexToHash(e.Share)] = byHex[e.Delegate]
		}
	}
	if len(sharedBy) == 0 {
		return nil, nil
	}
	seen := map[string]bool{}
	for _, d := range all {
		if d.Relay == "" || seen[d.Relay] || down[d.Relay] {
			continue
		}
		seen[d.Relay] = true
		rc, err := newCareRelay(w, d.Relay)
		if err != nil {
			missing = append(missing, fmt.Sprintf("the relay %s (caregivers' shares): %v", d.Relay, err))
			continue
		}
		cctx, cancel := context.WithTimeout(ctx, relayTimeout)
		shares, err := rc.List(cctx)
		cancel()
		if err != nil {
			missing = append(missing, fmt.Sprintf("the relay %s (caregivers' shares): %v", d.Relay, err))
			continue
		}
		for _, s := range shares {
			by, ok := sharedBy[s.GrantDigest]
			if !ok || s.Delegate != (common.Address{}) {
				continue
			}
			cctx, cancel := context.WithTimeout(ctx, relayTimeout)
			log, err := rc.AccessLog(cctx, s.ID, key)
			cancel()
			if err != nil {
				if !errors.Is(err, relay.ErrNotFound) {
					missing = append(missing, fmt.Sprintf("the relay %s (%s's share %s): %v", d.Relay, by.Name, shortShareID(s.ID), err))
				}
				continue
			}
			for _, e := range log {
				if e.Outcome != relay.OutcomeServed || e.Kind != relay.KindManifest {
					continue
				}
				entries = append(entries, AccessEntry{Time: e.Time, Share: s.ID, Who: e.Recipient,
					What:    fmt.Sprintf("a share %s made for you (grant %s)", by.Name, s.GrantDigest.Hex()),
					Purpose: e.Purpose, Source: "relay", Outcome: e.Outcome})
			}
		}
	}
	return entries, missing
}

// shortShareID is the first characters of a share id, as people read it.
func shortShareID(id string) string {
	if len(id) > 8 {
		return id[:8]
	}
	return id
}

// delegateGrants reads the GrantIssued and GrantRevoked events of the
// patient that name one of the delegates as issuer or revoker.
func (w *Wallet) delegateGrants(ctx context.Context, byAddr map[common.Address]ownDelegate) ([]AccessEntry, map[common.Hash]ownShare, error) {
	patient, err := w.address()
	if err != nil {
		return nil, nil, err
	}
	w.chainMu.Lock()
	defer w.chainMu.Unlock()
	n, err := w.networkLocked(ctx)
	if err != nil {
		return nil, nil, err
	}
	reg := contracts.NewHealthRegistry()
	issued, revoked := reg.GetABI().Events["GrantIssued"].ID, reg.GetABI().Events["GrantRevoked"].ID
	var who []common.Hash
	for a, d := range byAddr {
		if d.ChainID == n.ChainID.Uint64() && d.Registry == n.Registry {
			who = append(who, common.BytesToHash(a.Bytes()))
		}
	}
	if len(who) == 0 {
		return nil, nil, nil
	}
	cctx, cancel := context.WithTimeout(ctx, 30*time.Second)
	defer cancel()
	logs, err := n.Client.FilterLogs(cctx, ethereum.FilterQuery{
		FromBlock: new(big.Int), Addresses: []common.Address{n.Registry},
		Topics: [][]common.Hash{{issued, revoked}, {common.BytesToHash(patient.Bytes())}, nil, who},
	})
	if err != nil {
		if chain.IsUnreachable(err) {
			w.dropNetworkLocked()
		}
		return nil, nil, fmt.Errorf("reading the registry's events: %w", err)
	}
	var out []AccessEntry
	grants := map[common.Hash]ownShare{}
	for _, l := range logs {
		if l.Removed || len(l.Topics) < 4 {
			continue
		}
		d, ok := byAddr[common.BytesToAddress(l.Topics[3].Bytes())]
		if !ok {
			continue
		}
		digest := l.Topics[2]
		t := time.Unix(int64(l.BlockTimestamp), 0).UTC()
		if l.BlockTimestamp == 0 {
			h, err := n.Client.HeaderByNumber(cctx, new(big.Int).SetUint64(l.BlockNumber))
			if err != nil {
				return out, grants, fmt.Errorf("reading block %d: %w", l.BlockNumber, err)
			}
			t = time.Unix(int64(h.Time), 0).UTC()
		}
		e := AccessEntry{Time: t, Share: digest.Hex(), Who: d.Name, Source: "chain", Block: l.BlockNumber, TxHash: l.TxHash.Hex(),
			Recorded: true, Delegate: d.Delegate.Hex()}
		if l.Topics[0] == issued {
			e.Action, e.What = ActionShared, fmt.Sprintf("%s shared your records on your behalf (grant %s)", d.Name, digest.Hex())
			grants[digest] = ownShare{ID: digest.Hex(), Digest: digest}
		} else {
			e.Action, e.What = ActionRevoked, fmt.Sprintf("%s revoked a share (grant %s)", d.Name, digest.Hex())
		}
		out = append(out, e)
	}
	return out, grants, nil
}
