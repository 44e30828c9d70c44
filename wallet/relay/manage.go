package relay

import (
	"crypto/rand"
	"encoding/base64"
	"errors"
	"fmt"
	"net/http"
	"slices"
	"time"

	"github.com/ethereum/go-ethereum/common"
)

// The management API: the patient's wallet creates, lists and revokes its
// shares and reads their access logs, signing each request.

// ShareInfo is what the relay tells the patient about a share.
type ShareInfo struct {
	ID string `json:"id"`
	// URL is the share's manifest URL: the `url` of the SHL payload.
	URL         string         `json:"url"`
	Flag        string         `json:"flag,omitempty"`
	Patient     common.Address `json:"patient"`
	GrantDigest common.Hash    `json:"grantDigest"`
	// Delegate is a care copy's delegate (zero for other shares).
	Delegate common.Address `json:"delegate,omitzero"`
	Created  time.Time      `json:"created"`
	Expires  time.Time      `json:"expires"`
	State    State          `json:"state"`
	// Ended is when the share stopped being served, if it did before
	// expiry.
	Ended       *time.Time `json:"ended,omitempty"`
	Files       int        `json:"files"`
	Failures    int        `json:"failures"`            // wrong passcodes so far
	MaxFailures int        `json:"maxFailures"`         // the lifetime limit
	Accesses    int        `json:"accesses"`            // access log entries (kept and dropped)
	Opened      int        `json:"opened"`              // times a manifest (or a U-flag file) was served
	Shredded    bool       `json:"shredded"`            // its files were deleted (see Storage in the package doc)
	Emergency   bool       `json:"emergency,omitempty"` // openings are recorded on chain (break-glass)
}

func (s *Server) info(r *http.Request, rec *shareRecord) ShareInfo {
	si := ShareInfo{
		ID:          rec.ID,
		URL:         s.baseURL(r) + "/shl/" + rec.ID,
		Flag:        rec.Flag,
		Patient:     rec.Patient,
		GrantDigest: rec.GrantDigest,
		Delegate:    rec.Delegate,
		Created:     time.Unix(rec.Created, 0).UTC(),
		Expires:     time.Unix(rec.Expires, 0).UTC(),
		State:       rec.state(s.now()),
		Files:       len(rec.Files),
		Failures:    rec.Failures,
		MaxFailures: rec.MaxFailures,
		Accesses:    rec.LogCount + rec.LogDropped,
		Opened:      rec.Opened,
		Shredded:    rec.Shredded,
		Emergency:   rec.emergency(),
	}
	if rec.Ended != 0 {
		t := time.Unix(rec.Ended, 0).UTC()
		si.Ended = &t
	}
	return si
}

// authenticate checks a management request's signature over body, made for
// this relay's origin and for purpose, and records its nonce; it returns the
// signer. On failure it has answered 401.
func (s *Server) authenticate(w http.ResponseWriter, r *http.Request, body []byte, purpose string) (common.Address, bool) {
	addr, a, err := recoverSigner(r.Header.Get("Authorization"), s.origin(r), purpose, r.Method, r.URL.RequestURI(), body, s.now(), s.lim.ClockSkew)
	if err != nil {
		w.Header().Set("WWW-Authenticate", authScheme)
		writeError(w, http.StatusUnauthorized, err.Error())
		return common.Address{}, false
	}
	fresh, err := s.store.useNonce(addr, []byte(a.nonce), time.Unix(a.ts, 0).Add(2*s.lim.ClockSkew))
	if err != nil {
		s.internalError(w, r, "recording a nonce", err)
		return common.Address{}, false
	}
	if !fresh {
		w.Header().Set("WWW-Authenticate", authScheme)
		writeError(w, http.StatusUnauthorized, "unauthenticated: this nonce was used before (a replayed request): sign a new request")
		return common.Address{}, false
	}
	return addr, true
}

// ownShare reads share id for signer; 404 when unknown, 403 when it is
// another patient's. On failure it has answered.
func (s *Server) ownShare(w http.ResponseWriter, r *http.Request, signer common.Address) (*shareRecord, bool) {
	rec, err := s.store.share(r.PathValue("id"))
	if errors.Is(err, errNoShare) {
		writeError(w, http.StatusNotFound, "no such share")
		return nil, false
	}
	if err != nil {
		s.internalError(w, r, "reading a share", err)
		return nil, false
	}
	if rec.Patient != signer && rec.uploader() != signer {
		writeError(w, http.StatusForbidden, "this share belongs to another patient: sign with the key that created it, for this relay's URL "+s.origin(r))
		return nil, false
	}
	return rec, true
}

func (s *Server) handleCreate(w http.ResponseWriter, r *http.Request) {
	if !s.allowClient(w, r) {
		return
	}
	body, ok := readBody(w, r, s.lim.MaxCreateBody)
	if !ok {
		return
	}
	signer, ok := s.authenticate(w, r, body, PurposeUpload)
	if !ok {
		return
	}
	now := s.now()
	req, err := parseCreateRequest(body, now, s.lim)
	if err != nil {
		writeError(w, http.StatusBadRequest, err.Error())
		return
	}
	rec := &shareRecord{
		Patient:     req.Patient,
		Uploader:    signer,
		Delegate:    req.Delegate,
		GrantDigest: req.GrantDigest,
		SharingKey:  req.SharingKey,
		Flag:        req.Flag,
		Created:     now.Unix(),
		Expires:     req.Expires.Unix(),
		MaxFailures: req.MaxFailures,
		State:       StateActive,

		EmergencyKey: req.EmergencyKey,
	}
	if signer == req.Patient {
		rec.Uploader = common.Address{}
	}
	if !s.admitUpload(w, r, rec, now) || !s.admitEmergency(w, r, rec) {
		return
	}
	for _, f := range req.Files {
		rec.Files = append(rec.Files, fileMeta{ContentType: f.ContentType, Size: len(f.JWE)})
	}
	if rec.State == StatePending && !s.admitPending(w, r, rec, now) {
		return
	}
	if req.Passcode != "" {
		s.hashing <- struct{}{}
		rec.Passcode, err = hashPasscode(req.Passcode)
		<-s.hashing
		if err != nil {
			s.internalError(w, r, "hashing a passcode", err)
			return
		}
	}
	if rec.ID, err = newShareID(); err != nil {
		s.internalError(w, r, "making a share id", err)
		return
	}
	var qe *QuotaError
	if err := s.store.create(rec, req.Files, s.quotas()); errors.As(err, &qe) {
		writeError(w, qe.Status, qe.Message)
		return
	} else if err != nil {
		s.internalError(w, r, "storing a share", err)
		return
	}
	writeJSON(w, http.StatusCreated, s.info(r, rec))
}

// admitUpload decides whether an upload may be stored, and how: signed by
// the patient (or, with a chain, by a delegate holding SHARE for the
// patient: a caregiver's copy), and, with a chain, naming a grant of the
// patient's that is on chain — or held pending, never served, for
// Config.PendingGrace while it arrives. On refusal it has answered.
func (s *Server) admitUpload(w http.ResponseWriter, r *http.Request, rec *shareRecord, now time.Time) bool {
	if rec.Delegate != (common.Address{}) {
		return s.admitCareCopy(w, r, rec, now)
	}
	if s.chain == nil {
		if rec.uploader() != rec.Patient {
			writeError(w, http.StatusForbidden, "the request is not signed by the patient's key for this relay: sign with the patient's key, for this relay's URL "+s.origin(r))
			return false
		}
		return true
	}
	if rec.uploader() != rec.Patient {
		switch verdict, _ := s.delegatesHoldShare(r.Context(), rec.Patient, rec.uploader()); verdict {
		case consentActive:
		case consentUnknown:
			writeConsentUnknown(w)
			return false
		default:
			writeError(w, http.StatusForbidden, "the request is not signed by the patient's key for this relay, nor by a delegate holding SHARE on chain: sign with the patient's key, for this relay's URL "+s.origin(r))
			return false
		}
	}
	switch verdict, _ := s.consentOf(r.Context(), rec, now); verdict {
	case consentActive:
	case consentEnded:
		writeError(w, http.StatusConflict, "the share's grant is revoked or expired on chain: make a new share")
		return false
	case consentRefused:
		writeError(w, http.StatusForbidden, "the share's grant was issued by a delegate who no longer holds SHARE on chain: make a new share")
		return false
	default:
		rec.State, rec.PendingUntil = StatePending, now.Add(s.cfg.PendingGrace).Unix()
		// The wallet's grant may land a moment after the upload: the
		// first receiver asks the chain afresh.
		s.chain.forgetGrant(rec.Patient, rec.GrantDigest)
	}
	return true
}

func (s *Server) quotas() quotas {
	return quotas{sharesPerKey: s.lim.MaxSharesPerKey, bytesPerKey: s.lim.MaxBytesPerKey, totalBytes: s.lim.MaxTotalBytes}
}

// newShareID is 32 random bytes, base64url: 256 bits, as the SHL spec asks
// of a manifest URL. It never starts with '-' or '_': people type its first
// few characters (hw revoke 8cdO97), and a leading '-' reads as a flag.
// Drawing again costs under 0.05 bits of the 256.
func newShareID() (string, error) {
	b := make([]byte, idSize)
	for {
		if _, err := rand.Read(b); err != nil {
			return "", fmt.Errorf("reading randomness: %w", err)
		}
		if id := base64.RawURLEncoding.EncodeToString(b); id[0] != '-' && id[0] != '_' {
			return id, nil
		}
	}
}

func (s *Server) handleList(w http.ResponseWriter, r *http.Request) {
	if !s.allowClient(w, r) {
		return
	}
	body, ok := readBody(w, r, s.lim.MaxManifestBody)
	if !ok {
		return
	}
	signer, ok := s.authenticate(w, r, body, PurposeList)
	if !ok {
		return
	}
	recs, err := s.store.byPatient(signer)
	if err != nil {
		s.internalError(w, r, "listing shares", err)
		return
	}
	slices.SortFunc(recs, func(a, b *shareRecord) int { return int(b.Created - a.Created) })
	out := struct {
		Shares []ShareInfo `json:"shares"`
	}{Shares: []ShareInfo{}}
	for _, rec := range recs {
		out.Shares = append(out.Shares, s.info(r, rec))
	}
	writeJSON(w, http.StatusOK, out)
}

// patientsShare admits a management request on one share: within the rate
// limit, signed, and signed by the share's own patient. On refusal it has
// answered and returns false.
func (s *Server) patientsShare(w http.ResponseWriter, r *http.Request, purpose string) (*shareRecord, bool) {
	if !s.allowClient(w, r) {
		return nil, false
	}
	body, ok := readBody(w, r, s.lim.MaxManifestBody)
	if !ok {
		return nil, false
	}
	signer, ok := s.authenticate(w, r, body, purpose)
	if !ok {
		return nil, false
	}
	return s.ownShare(w, r, signer)
}

func (s *Server) handleRevoke(w http.ResponseWriter, r *http.Request) {
	rec, ok := s.patientsShare(w, r, PurposeRevoke)
	if !ok {
		return
	}
	// Under the share's lock, so no passcode check in flight serves it after
	// the answer.
	mu := s.shareLock(rec.ID)
	mu.Lock()
	s.dropLocations(rec.ID)
	err := s.store.end(rec.ID, StateRevoked, s.now())
	mu.Unlock()
	if err != nil {
		s.internalError(w, r, "revoking a share", err)
		return
	}
	w.WriteHeader(http.StatusNoContent)
}

// sealedEntry is one access log entry on the wire: HPKE-sealed to the
// patient, base64url.
type sealedEntry struct {
	Sealed string `json:"sealed"`
}

func (s *Server) handleLog(w http.ResponseWriter, r *http.Request) {
	rec, ok := s.patientsShare(w, r, PurposeAccessLog)
	if !ok {
		return
	}
	entries, err := s.store.logs(rec.ID)
	if err != nil {
		s.internalError(w, r, "reading an access log", err)
		return
	}
	out := struct {
		Entries []sealedEntry `json:"entries"`
		Dropped int           `json:"dropped,omitempty"`
	}{Entries: make([]sealedEntry, 0, len(entries)), Dropped: rec.LogDropped}
	for _, e := range entries {
		out.Entries = append(out.Entries, sealedEntry{Sealed: base64.RawURLEncoding.EncodeToString(e)})
	}
	writeJSON(w, http.StatusOK, out)
}
