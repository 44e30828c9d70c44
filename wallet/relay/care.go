package relay

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"time"

	"github.com/ethereum/go-ethereum/common"
	bolt "go.etcd.io/bbolt"
)

// This file: care copies (issue 9). A care copy is a share the patient
// uploads for one delegate — a caregiver's relationship address — with no
// grant: its consent is the patient's delegation on chain. The relay serves
// it while delegateOf(patient, delegate) is active (any rights), answers 404
// saying the delegation ended once the chain reports it revoked (its last
// event is a DelegateRevoked mined after the copy was made) or expired (by the chain's expiry and the relay's
// clock), and deletes its files then. Any other "not active" (a node that
// does not know the delegation yet, or lags behind) serves nothing (503) and
// keeps the files, as for grants. The patient replaces the copy's files as
// its records change (PUT /api/shares/{id}/files): same id, same link, the
// access log kept.

// ErrDelegationUnknown means the registry has no delegation from the
// patient to the care copy's delegate, and no revoke of one: the wallet's
// outbox may not have set it yet.
var ErrDelegationUnknown = errors.New("relay: the delegation is not on chain (yet)")

// DelegationChecker is what a [GrantChecker] may also do: tell a revoked
// delegation (whose storage the registry deletes) from one it does not
// know. Without it, a care copy whose delegation disappears is kept (503)
// until it expires.
type DelegationChecker interface {
	// DelegationRevoked returns the block time of the registry's last event
	// of patient's delegation to delegate when that is a DelegateRevoked;
	// zero when it is not, or there is none.
	DelegationRevoked(ctx context.Context, patient, delegate common.Address) (time.Time, error)
}

// delegationEndedMessage is a care copy's 404 once its delegation ended:
// the caregiver is told why, since the copy was made for it alone.
const delegationEndedMessage = "the patient's delegation to you has ended (revoked or expired): this copy is gone; ask the patient for a new invitation if this is a mistake"

// delegationConsent asks the chain (through the cache) about the patient's
// delegation to the care copy's delegate at now. A revoke ends the copy
// only if it came after the copy was made (within the clock skew): an
// older one is a node behind the delegation set again since (the copy was
// admitted on it), and ends nothing.
func (s *Server) delegationConsent(ctx context.Context, rec *shareRecord, now time.Time) (consent, error) {
	patient, delegate := rec.Patient, rec.Delegate
	d, err := s.chain.delegateOf(ctx, patient, delegate)
	switch {
	case err != nil:
		return consentUnknown, err
	case d.Active:
		return consentActive, nil
	case d.Rights != 0 && d.Expiry != 0 && now.Unix() >= int64(d.Expiry):
		return consentEnded, nil
	case d.Rights != 0:
		// Not active on chain, yet not expired by the relay's clock: a
		// node ahead of it, or a clock behind. Nothing ends on that.
		return consentUnknown, errors.New("the chain calls the delegation expired before the relay's clock does")
	}
	revokedAt, err := s.chain.delegationRevoked(ctx, patient, delegate)
	switch {
	case err != nil:
		return consentUnknown, err
	case revokedAt.IsZero():
		return consentUnknown, ErrDelegationUnknown
	case revokedAt.Before(time.Unix(rec.Created, 0).Add(-s.lim.ClockSkew)):
		return consentUnknown, errors.New("the chain's last word on the delegation is a revoke older than the copy: a node behind")
	}
	return consentEnded, nil
}

// endedState is the state a share ends in when the chain ends its consent.
func (r *shareRecord) endedState() State {
	if r.Delegate != (common.Address{}) {
		return StateDelegationEnded
	}
	return StateGrantEnded
}

// writeNotFoundFor answers 404 for a share in state st: the same answer for
// every share, but a care copy whose delegation ended, whose caregiver is
// told so.
func writeNotFoundFor(w http.ResponseWriter, rec *shareRecord, st State) {
	if rec.Delegate != (common.Address{}) && st == StateDelegationEnded {
		writeError(w, http.StatusNotFound, delegationEndedMessage)
		return
	}
	writeNotFound(w)
}

// admitCareCopy decides whether a care copy may be stored: the relay checks
// a chain, the patient signed it, and the delegation is active on chain —
// or held pending, never served, for Config.PendingGrace while it arrives.
// On refusal it has answered.
func (s *Server) admitCareCopy(w http.ResponseWriter, r *http.Request, rec *shareRecord, now time.Time) bool {
	if s.chain == nil {
		writeError(w, http.StatusNotImplemented, "this relay checks no chain, so it cannot tell when a delegation ends: it takes no care copies; use a relay that checks the network's chain")
		return false
	}
	if rec.uploader() != rec.Patient {
		writeError(w, http.StatusForbidden, "a care copy must be signed by the patient's own key, for this relay's URL "+s.origin(r))
		return false
	}
	switch verdict, _ := s.consentOf(r.Context(), rec, now); verdict {
	case consentActive:
	case consentEnded:
		writeError(w, http.StatusConflict, "the delegation to this delegate is revoked or expired on chain: set a new delegation first")
		return false
	default:
		rec.State, rec.PendingUntil = StatePending, now.Add(s.cfg.PendingGrace).Unix()
		// The wallet's delegation may land a moment after the upload: the
		// first caregiver's fetch asks the chain afresh.
		s.chain.forgetDelegation(rec.Patient, rec.Delegate)
	}
	return true
}

// settleCareCopies ends the active care copies whose delegation the chain
// reports revoked or expired, deleting their files, so that a copy goes
// when its delegation does even if its caregiver never asks again. It
// returns how many it ended. Without a chain there are no care copies.
func (s *Server) settleCareCopies(now time.Time) (int, error) {
	if s.chain == nil {
		return 0, nil
	}
	recs, err := s.store.liveCareCopies(now)
	if err != nil {
		return 0, err
	}
	ended := 0
	for _, rec := range recs {
		if verdict, _ := s.delegationConsent(context.Background(), rec, now); verdict != consentEnded {
			continue
		}
		s.dropLocations(rec.ID)
		if err := s.store.end(rec.ID, StateDelegationEnded, now); err != nil && !errors.Is(err, errNoShare) {
			return ended, err
		}
		ended++
	}
	return ended, nil
}

// liveCareCopies returns the active, unexpired care copies.
func (s *store) liveCareCopies(now time.Time) ([]*shareRecord, error) {
	var out []*shareRecord
	err := s.db.View(func(tx *bolt.Tx) error {
		return tx.Bucket(bucketShares).ForEach(func(k, v []byte) error {
			r, err := s.decodeRecord(k, v)
			if err == nil && r.Delegate != (common.Address{}) && r.state(now) == StateActive {
				out = append(out, r)
			}
			return nil
		})
	})
	return out, err
}

// replaceRequestJSON is the body of PUT /api/shares/{id}/files.
type replaceRequestJSON struct {
	Files []File `json:"files"`
}

// parseReplaceRequest parses and checks the body of a replace for a share
// with the flag.
func parseReplaceRequest(body []byte, flag string, lim Limits) ([]File, error) {
	var raw replaceRequestJSON
	if err := decodeJSONObject(body, &raw); err != nil {
		return nil, err
	}
	if err := checkFiles(raw.Files, flag, lim); err != nil {
		return nil, err
	}
	return raw.Files, nil
}

// handleReplace answers PUT /api/shares/{id}/files: the patient replaces a
// live care copy's files. The id, the link and the access log stay;
// outstanding location URLs (of the old files) stop serving.
func (s *Server) handleReplace(w http.ResponseWriter, r *http.Request) {
	if !s.allowClient(w, r) {
		return
	}
	body, ok := readBody(w, r, s.lim.MaxCreateBody)
	if !ok {
		return
	}
	signer, ok := s.authenticate(w, r, body, PurposeReplace)
	if !ok {
		return
	}
	rec, ok := s.ownShare(w, r, signer)
	if !ok {
		return
	}
	if rec.Delegate == (common.Address{}) {
		writeError(w, http.StatusConflict, "only a care copy's files are replaced; for another share, make a new share")
		return
	}
	if rec.Patient != signer {
		writeError(w, http.StatusForbidden, "only the patient replaces a care copy's files: sign with the patient's key")
		return
	}
	files, err := parseReplaceRequest(body, rec.Flag, s.lim)
	if err != nil {
		writeError(w, http.StatusBadRequest, err.Error())
		return
	}
	// Under the share's lock, so no passcode check in flight serves a mix.
	mu := s.shareLock(rec.ID)
	mu.Lock()
	s.dropLocations(rec.ID)
	err = s.store.replaceFiles(rec.ID, files, s.quotas(), s.now())
	mu.Unlock()
	var qe *QuotaError
	switch {
	case errors.As(err, &qe):
		writeError(w, qe.Status, qe.Message)
	case errors.Is(err, errShareEnded):
		writeError(w, http.StatusConflict, "this care copy has ended (revoked, expired, or its delegation ended): make a new one")
	case err != nil:
		s.internalError(w, r, "replacing a share's files", err)
	default:
		rec, err = s.store.share(rec.ID)
		if err != nil {
			s.internalError(w, r, "reading a share", err)
			return
		}
		writeJSON(w, http.StatusOK, s.info(r, rec))
	}
}

// errShareEnded: the share is no longer live; its files are not replaced.
var errShareEnded = errors.New("the share has ended")

// replaceFiles swaps a live share's files for files in one transaction,
// within the quotas (counting only the change in bytes).
func (s *store) replaceFiles(id string, files []File, q quotas, now time.Time) error {
	key, ok := idKey(id)
	if !ok {
		return errNoShare
	}
	return s.db.Update(func(tx *bolt.Tx) error {
		r, err := s.getRecord(tx, key)
		if err != nil {
			return err
		}
		if r.state(now) != StateActive && r.state(now) != StatePending || r.Shredded {
			return errShareEnded
		}
		old := r.size()
		r.Files = r.Files[:0]
		for _, f := range files {
			r.Files = append(r.Files, fileMeta{ContentType: f.ContentType, Size: len(f.JWE)})
		}
		grow := int64(r.size()) - int64(old)
		if grow > 0 {
			// Admitted as if one share fewer were kept: this one is
			// already counted.
			if err := q.admitGrowth(tx, s.addrKey(r.uploader()), uint64(grow)); err != nil {
				return err
			}
		}
		if err := addUsage(tx, s.addrKey(r.uploader()), 0, grow); err != nil {
			return err
		}
		fb := tx.Bucket(bucketFiles)
		var stale [][]byte
		c := fb.Cursor()
		for k, _ := c.Seek(key); k != nil && bytes.HasPrefix(k, key); k, _ = c.Next() {
			stale = append(stale, append([]byte(nil), k...))
		}
		for _, k := range stale {
			if err := fb.Delete(k); err != nil {
				return err
			}
		}
		for i, f := range files {
			if err := fb.Put(filesKey(key, i), []byte(f.JWE)); err != nil {
				return err
			}
		}
		return s.putRecord(tx, key, r)
	})
}

// ReplaceFiles replaces the files of the patient's care copy id (its sync):
// the link stays the same, and the access log is kept.
func (c *Client) ReplaceFiles(ctx context.Context, id string, files []File) error {
	if _, ok := idKey(id); !ok {
		return fmt.Errorf("relay: %q is not a share id", id)
	}
	body, err := json.Marshal(replaceRequestJSON{Files: files})
	if err != nil {
		return fmt.Errorf("relay: encoding the files: %w", err)
	}
	return c.do(ctx, PurposeReplace, http.MethodPut, "/api/shares/"+id+"/files", body, http.StatusOK, nil)
}
