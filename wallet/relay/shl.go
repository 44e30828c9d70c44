package relay

import (
	"context"
	"errors"
	"hash/maphash"
	"net/http"
	"strconv"
	"sync"
	"time"
)

// The SHL side of the relay: manifest, direct file and location URLs.

// manifestFile is one entry of a manifest's files.
type manifestFile struct {
	ContentType string `json:"contentType"`
	Embedded    string `json:"embedded,omitempty"`
	Location    string `json:"location,omitempty"`
}

type manifestJSON struct {
	Files []manifestFile `json:"files"`
}

// cors lets browser-based SHL viewers call the SHL endpoints.
func cors(w http.ResponseWriter) {
	h := w.Header()
	h.Set("Access-Control-Allow-Origin", "*")
	h.Set("Access-Control-Allow-Methods", "GET, POST, OPTIONS")
	h.Set("Access-Control-Allow-Headers", "Content-Type")
	h.Set("Access-Control-Expose-Headers", "Retry-After")
}

func (s *Server) handlePreflight(w http.ResponseWriter, r *http.Request) {
	cors(w)
	w.Header().Set("Access-Control-Max-Age", "600")
	w.WriteHeader(http.StatusNoContent)
}

// handleManifest answers POST /shl/{id}.
func (s *Server) handleManifest(w http.ResponseWriter, r *http.Request) {
	cors(w)
	if !s.allowClient(w, r) {
		return
	}
	body, ok := readBody(w, r, s.lim.MaxManifestBody)
	if !ok {
		return
	}
	req, err := parseManifestRequest(body)
	if err != nil {
		writeError(w, http.StatusBadRequest, err.Error())
		return
	}
	rec, ok := s.admit(w, r, r.PathValue("id"), req, KindManifest)
	if !ok {
		return
	}
	m := manifestJSON{Files: make([]manifestFile, 0, len(rec.Files))}
	base := s.baseURL(r)
	var byLocation []int
	for i, f := range rec.Files {
		if req.EmbeddedLengthMax == nil || int64(f.Size) > *req.EmbeddedLengthMax {
			byLocation = append(byLocation, i)
		}
	}
	tokens, err := s.newLocations(rec.ID, byLocation, req)
	if err != nil {
		s.locationRefused(w, r, err)
		return
	}
	for i, f := range rec.Files {
		mf := manifestFile{ContentType: f.ContentType}
		if tok, ok := tokens[i]; ok {
			mf.Location = base + "/file/" + tok
		} else {
			jwe, err := s.store.file(rec.ID, i)
			if errors.Is(err, errNoShare) { // shredded a moment ago
				writeNotFound(w)
				return
			}
			if err != nil {
				s.internalError(w, r, "reading a file", err)
				return
			}
			mf.Embedded = string(jwe)
		}
		m.Files = append(m.Files, mf)
	}
	writeJSON(w, http.StatusOK, m)
}

// handleDirect answers GET /shl/{id}?recipient=…: a U-flag share's file.
func (s *Server) handleDirect(w http.ResponseWriter, r *http.Request) {
	cors(w)
	if !s.allowClient(w, r) {
		return
	}
	q := r.URL.Query()
	recipient, err := checkRecipient(q.Get("recipient"))
	if err != nil {
		writeError(w, http.StatusBadRequest, err.Error())
		return
	}
	purpose, err := checkPurpose(q.Get("purpose"))
	if err != nil {
		writeError(w, http.StatusBadRequest, err.Error())
		return
	}
	id := r.PathValue("id")
	rec, err := s.store.share(id)
	if err != nil && !errors.Is(err, errNoShare) {
		s.internalError(w, r, "reading a share", err)
		return
	}
	if err != nil || !rec.has(FlagDirect) {
		writeNotFound(w)
		return
	}
	req := manifestRequest{Recipient: recipient, Purpose: purpose}
	rec, ok := s.admit(w, r, id, req, KindDirect)
	if !ok {
		return
	}
	s.serveFile(w, r, rec, 0, req, KindDirect)
}

// handleFile answers GET /file/{token}: a location URL from a manifest. A
// token serves once, within Limits.LocationTTL, and only while its share is
// still active.
func (s *Server) handleFile(w http.ResponseWriter, r *http.Request) {
	cors(w)
	if !s.allowClient(w, r) {
		return
	}
	tok := r.PathValue("token")
	loc, req, ok := s.location(tok, s.now())
	if !ok {
		writeNotFound(w)
		return
	}
	rec, ok := s.check(w, r, loc.share, req, KindFile)
	if !ok {
		return
	}
	// Consume the token only now, so a 503 or 429 leaves it usable; of two
	// racing requests, one wins.
	if !s.useLocation(tok) {
		writeNotFound(w)
		return
	}
	s.serveFile(w, r, rec, loc.file, req, KindFile)
}

// serveFile writes file i of rec as application/jose and logs the access.
func (s *Server) serveFile(w http.ResponseWriter, r *http.Request, rec *shareRecord, i int, req manifestRequest, kind string) {
	if i < 0 || i >= len(rec.Files) {
		writeNotFound(w)
		return
	}
	jwe, err := s.store.file(rec.ID, i)
	if errors.Is(err, errNoShare) {
		writeNotFound(w)
		return
	}
	if err != nil {
		s.internalError(w, r, "reading a file", err)
		return
	}
	if kind == KindFile { // manifest and direct accesses were logged by admit
		s.record(r.Context(), rec, req, kind, OutcomeServed, rec.Files[i].ContentType)
	}
	w.Header().Set("Content-Type", "application/jose")
	w.Header().Set("Cache-Control", "no-store")
	w.Header().Set("Content-Length", strconv.Itoa(len(jwe)))
	w.Write(jwe)
}

// check decides whether share id may be served now: it exists and is
// active (or pending, and its grant has appeared on chain), it is within its
// rate limit, and the chain says its grant stands. On refusal it has
// answered (404, 429 or 503) and returns false.
func (s *Server) check(w http.ResponseWriter, r *http.Request, id string, req manifestRequest, kind string) (*shareRecord, bool) {
	rec, err := s.store.share(id)
	if errors.Is(err, errNoShare) {
		writeNotFound(w)
		return nil, false
	}
	if err != nil {
		s.internalError(w, r, "reading a share", err)
		return nil, false
	}
	// The share's bucket comes first so that hammering a dead share costs
	// the store nothing either.
	now := s.now()
	if ok, wait := s.shareLimit.Allow(rec.ID, now); !ok {
		writeRateLimited(w, wait)
		return nil, false
	}
	st := rec.state(now)
	if st != StateActive && st != StatePending {
		if st == StateExpired && !rec.Shredded {
			s.end(r, rec.ID, StateExpired)
		}
		s.record(r.Context(), rec, req, kind, OutcomeRefused, "")
		writeNotFoundFor(w, rec, st)
		return nil, false
	}
	if s.chain == nil {
		if st == StatePending { // pending from a run with a chain: only the chain can settle it
			writeConsentUnknown(w)
			return nil, false
		}
		return rec, true
	}
	verdict, why := s.consentOf(r.Context(), rec, now)
	switch {
	case verdict == consentActive:
		if st == StatePending {
			if err := s.store.activate(rec.ID); err != nil {
				s.internalError(w, r, "activating a share", err)
				return nil, false
			}
			rec.State = StateActive
		}
		return rec, true
	case verdict == consentEnded:
		s.end(r, rec.ID, rec.endedState())
		s.record(r.Context(), rec, req, kind, OutcomeRefused, "")
		writeNotFoundFor(w, rec, rec.endedState())
		return nil, false
	case verdict == consentRefused:
		// A delegate who issued the grant (or uploaded the share) lost
		// SHARE: nothing is served, but the files stay, since the patient
		// may give the right back before the share expires.
		s.record(r.Context(), rec, req, kind, OutcomeRefused, "")
		writeNotFound(w)
		return nil, false
	case st == StateActive && rec.emergency() && verdict == consentUnknown:
		// An emergency card opens even when the chain cannot confirm now.
		s.log.Warn("relay: consent not confirmed on chain; serving an emergency card (break-glass)", "request_id", requestID(r.Context()), "err", errText(why))
		return rec, true
	case st == StateActive && s.cfg.ChainFailOpen:
		s.log.Warn("relay: consent not confirmed on chain; serving (fail open)", "request_id", requestID(r.Context()), "err", errText(why))
		return rec, true
	}
	s.log.Warn("relay: consent not confirmed on chain; refusing (fail closed)", "request_id", requestID(r.Context()), "err", errText(why))
	writeConsentUnknown(w)
	return nil, false
}

// writeConsentUnknown answers 503: the chain cannot confirm the consent now
// (unreachable, the grant not there yet, a node behind), and the share is
// kept for when it can.
func writeConsentUnknown(w http.ResponseWriter) {
	w.Header().Set("Retry-After", "30")
	writeError(w, http.StatusServiceUnavailable, "cannot check consent right now; try again later")
}

func errText(err error) string {
	if err == nil {
		return "the chain says the grant is not active, for no reason the relay can confirm"
	}
	return err.Error()
}

// admit is check plus the passcode, for the manifest and direct accesses,
// and logs the access. On refusal it has answered and returns false.
func (s *Server) admit(w http.ResponseWriter, r *http.Request, id string, req manifestRequest, kind string) (*shareRecord, bool) {
	rec, ok := s.check(w, r, id, req, kind)
	if !ok {
		return nil, false
	}
	if !rec.has(FlagPasscode) {
		s.record(r.Context(), rec, req, kind, OutcomeServed, s.directType(rec, kind))
		return rec, true
	}
	if req.Passcode == nil || *req.Passcode == "" {
		s.record(r.Context(), rec, req, kind, OutcomePasscodeMissing, "")
		writeJSON(w, http.StatusUnauthorized, map[string]any{
			"error":             "this link needs its passcode: ask the person who shared it",
			"remainingAttempts": max(0, rec.MaxFailures-rec.Failures),
		})
		return nil, false
	}
	return s.checkPasscode(w, r, id, req, kind)
}

func (s *Server) directType(rec *shareRecord, kind string) string {
	if kind == KindDirect && len(rec.Files) > 0 {
		return rec.Files[0].ContentType
	}
	return ""
}

// errLocked aborts a failure count on a share that is already dead.
var errLocked = errors.New("share locked")

// checkPasscode compares the passcode under the share's lock, so that the
// wrong attempts of parallel requests are counted one after another and the
// limit holds exactly: the attempt that reaches it gets 401 with 0 remaining,
// every later one 404, even with the right passcode.
func (s *Server) checkPasscode(w http.ResponseWriter, r *http.Request, id string, req manifestRequest, kind string) (*shareRecord, bool) {
	mu := s.shareLock(id)
	mu.Lock()
	defer mu.Unlock()
	// Read again under the lock: an attempt before ours may have locked it.
	rec, err := s.store.share(id)
	if err != nil && !errors.Is(err, errNoShare) {
		s.internalError(w, r, "reading a share", err)
		return nil, false
	}
	if err != nil || rec.state(s.now()) != StateActive {
		writeNotFound(w)
		return nil, false
	}
	select {
	case s.hashing <- struct{}{}:
	case <-r.Context().Done():
		return nil, false
	}
	good := rec.Passcode.matches(*req.Passcode)
	<-s.hashing
	if good {
		s.record(r.Context(), rec, req, kind, OutcomeServed, s.directType(rec, kind))
		return rec, true
	}
	remaining := 0
	locked := false
	entry, err := sealEntry(rec.SharingKey, s.entry(rec, req, kind, OutcomeWrongPasscode, ""))
	if err != nil {
		s.internalError(w, r, "sealing an access log entry", err)
		return nil, false
	}
	err = s.store.update(id, func(cur *shareRecord) error {
		if cur.State != StateActive {
			return errLocked
		}
		cur.Failures++
		remaining = cur.MaxFailures - cur.Failures
		if remaining <= 0 {
			remaining, locked = 0, true
			cur.State, cur.Ended = StateLocked, s.now().Unix()
		}
		return nil
	})
	if errors.Is(err, errLocked) || errors.Is(err, errNoShare) {
		writeNotFound(w)
		return nil, false
	}
	if err != nil {
		s.internalError(w, r, "counting a wrong passcode", err)
		return nil, false
	}
	if err := s.store.appendLog(id, entry, s.lim.MaxLogEntries, false); err != nil {
		s.log.Error("relay: writing the access log", "request_id", requestID(r.Context()), "err", err.Error())
	}
	if locked {
		s.end(r, id, StateLocked)
	}
	writeJSON(w, http.StatusUnauthorized, map[string]any{
		"error":             "wrong passcode",
		"remainingAttempts": remaining,
	})
	return nil, false
}

func (s *Server) shareLock(id string) *sync.Mutex {
	return &s.locks[maphash.String(s.lockSeed, id)%uint64(len(s.locks))]
}

// end ends a share (unless it already ended), shreds its files and forgets
// its location URLs. Failure is logged: the purge retries the shredding.
func (s *Server) end(r *http.Request, id string, st State) {
	s.dropLocations(id)
	if err := s.store.end(id, st, s.now()); err != nil && !errors.Is(err, errNoShare) {
		s.log.Error("relay: ending a share", "request_id", requestID(r.Context()), "err", err.Error())
	}
}

func (s *Server) entry(rec *shareRecord, req manifestRequest, kind, outcome, contentType string) AccessEntry {
	return AccessEntry{
		Time:        s.now().UTC().Truncate(time.Second),
		Recipient:   req.Recipient,
		Purpose:     req.Purpose,
		Kind:        kind,
		Outcome:     outcome,
		ContentType: contentType,
		Share:       rec.ID,
	}
}

// record seals an access log entry to the patient and appends it. A failure
// is logged, not fatal to the request: the access itself was decided.
func (s *Server) record(ctx context.Context, rec *shareRecord, req manifestRequest, kind, outcome, contentType string) {
	e := s.entry(rec, req, kind, outcome, contentType)
	opened := outcome == OutcomeServed && kind != KindFile
	if opened && rec.emergency() {
		s.recordBreakGlass(ctx, rec, e) // in the background: the card is served at once
		return
	}
	s.appendEntry(ctx, rec, e, opened)
}

// appendEntry seals e to the patient and appends it to the share's log.
func (s *Server) appendEntry(ctx context.Context, rec *shareRecord, e AccessEntry, opened bool) {
	sealed, err := sealEntry(rec.SharingKey, e)
	if err == nil {
		err = s.store.appendLog(rec.ID, sealed, s.lim.MaxLogEntries, opened)
	}
	if err != nil && !errors.Is(err, errNoShare) {
		s.log.Error("relay: writing the access log", "request_id", requestID(ctx), "err", err.Error())
	}
}
