package relay

import (
	"context"
	"crypto/ecdsa"
	"crypto/rand"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"math/big"
	"net/http"
	"strings"
	"time"

	"github.com/ethereum/go-ethereum/common"
	"github.com/ethereum/go-ethereum/crypto"

	"healthwallet/chain"
	"healthwallet/wallet/share"
)

// Break-glass (DESIGN §8): every opening of an emergency card is recorded
// on chain by the relay itself, since whoever opens the card (a paramedic's
// phone camera) may have no wallet at all.
//
// At upload the patient's wallet gives the relay the grant's access key
// (share.AccessKey of the link key: it signs the grant's access-log entries
// and nothing else; it does not reveal the link key, so the relay still
// cannot read the files) and so marks the share an emergency share. On each
// manifest served, the relay writes the access statement (who, as the
// opener describes themselves; purpose ETREAT; the time), draws a salt,
// signs HealthRegistry.logAccess with the access key over the statement's
// salted commitment and submits it through BreakGlass.Submit. The sealed
// access-log entry the patient reads carries the salt, emergency: true and
// the transaction hash, so the patient's wallet recomputes the commitment
// and finds it on chain. A share uploaded without the key is an ordinary
// share: the relay records nothing on chain for it.

// EmergencyPurpose is the purpose of every break-glass opening.
const EmergencyPurpose = "ETREAT"

// AnonymousOpener is who the statement names when the opener said nothing.
const AnonymousOpener = "someone who did not say"

// BreakGlass lets the relay record emergency openings on chain.
type BreakGlass struct {
	// ChainID and Registry are what the logAccess signatures are made for.
	ChainID  *big.Int
	Registry common.Address
	// Submit sends signed registry calldata and returns its transaction's
	// hash: a network node's submitter, or a funded key's (hw relay
	// --submitter-key).
	Submit func(ctx context.Context, calldata []byte) (common.Hash, error)
	// Timeout bounds one submission [10 s]: the opening is served whether
	// or not the chain took it.
	Timeout time.Duration
	// MaxPerHour bounds the openings of one card the relay pays to record
	// in an hour [60], so that whoever holds a card's link cannot spend
	// the payer's ETH at the rate limit; past it an opening is served and
	// sealed for the patient as usual, its chain write left to the
	// patient's wallet.
	MaxPerHour int
}

// breakGlassWindow counts one card's on-chain records in the current hour.
type breakGlassWindow struct {
	start time.Time
	n     int
}

// allowBreakGlass reports whether the relay may pay for one more record of
// share id's openings this hour.
func (s *Server) allowBreakGlass(id string, now time.Time) bool {
	limit := s.cfg.BreakGlass.MaxPerHour
	if limit <= 0 {
		limit = 60
	}
	s.bgMu.Lock()
	defer s.bgMu.Unlock()
	if s.bgWindows == nil {
		s.bgWindows = map[string]*breakGlassWindow{}
	}
	for k, w := range s.bgWindows { // forget past hours (few cards are opened at once)
		if now.Sub(w.start) >= time.Hour {
			delete(s.bgWindows, k)
		}
	}
	w := s.bgWindows[id]
	if w == nil {
		w = &breakGlassWindow{start: now}
		s.bgWindows[id] = w
	}
	if w.n >= limit {
		return false
	}
	w.n++
	return true
}

// ErrNoBreakGlass: an emergency share was uploaded to a relay that cannot
// record its openings on chain.
var errNoBreakGlass = "this relay cannot record emergency openings on chain (it runs without a chain and a submitter): use your network's relay, or run hw relay with --chain and --submitter-key"

// emergency reports whether the share is an emergency share.
func (r *shareRecord) emergency() bool { return len(r.EmergencyKey) > 0 }

// parseEmergencyKey reads the wire form of CreateRequest.EmergencyKey:
// base64url of the 32-byte secp256k1 scalar, or empty.
func parseEmergencyKey(raw string) ([]byte, error) {
	if raw == "" {
		return nil, nil
	}
	b, err := base64.RawURLEncoding.DecodeString(raw)
	if err != nil || len(b) != 32 {
		return nil, badRequest("emergencyKey must be the base64url form of a 32-byte secp256k1 key")
	}
	if _, err := crypto.ToECDSA(b); err != nil {
		return nil, badRequest("emergencyKey is not a valid secp256k1 key")
	}
	return b, nil
}

// admitEmergency checks an emergency upload: the relay must be able to
// record on chain, and the key must be the grant's access key when the
// grant is on chain already (a pending grant is checked at each opening).
// On refusal it has answered.
func (s *Server) admitEmergency(w http.ResponseWriter, r *http.Request, rec *shareRecord) bool {
	if !rec.emergency() {
		return true
	}
	if s.cfg.BreakGlass == nil || s.chain == nil {
		writeError(w, http.StatusNotImplemented, errNoBreakGlass)
		return false
	}
	key, err := crypto.ToECDSA(rec.EmergencyKey)
	if err != nil {
		writeError(w, http.StatusBadRequest, "emergencyKey is not a valid secp256k1 key")
		return false
	}
	g, err := s.chain.grantOf(r.Context(), rec.Patient, rec.GrantDigest)
	if err != nil {
		return true // not on chain yet, or the chain is down: checked at each opening
	}
	if g.AccessKey != crypto.PubkeyToAddress(key.PublicKey) {
		writeError(w, http.StatusBadRequest, "emergencyKey is not the access key of the share's grant on chain: derive it from the link's key (share.AccessKey)")
		return false
	}
	return true
}

// recordBreakGlass records the opening e of an emergency share on chain
// and then appends its entry to the patient's log, in the background: the
// card is served at once, whatever the chain does. Close waits for it.
func (s *Server) recordBreakGlass(ctx context.Context, rec *shareRecord, e AccessEntry) {
	ctx = context.WithoutCancel(ctx) // the request ends before the record is written
	s.background.Add(1)
	go func() {
		defer s.background.Done()
		s.breakGlass(ctx, rec, &e)
		s.appendEntry(ctx, rec, e, true)
	}()
}

// breakGlass completes e, the entry of an emergency share's opening: it
// names it emergency with purpose ETREAT, and records it on chain, saying
// in e how (TxHash) or why not yet (ChainPending).
func (s *Server) breakGlass(ctx context.Context, rec *shareRecord, e *AccessEntry) {
	e.Emergency = true
	e.Purpose = EmergencyPurpose
	if strings.TrimSpace(e.Recipient) == "" {
		e.Recipient = AnonymousOpener
	}
	st := share.AccessStatement{Who: e.Recipient, Purpose: EmergencyPurpose, Time: e.Time.Unix()}
	var salt [32]byte
	if _, err := rand.Read(salt[:]); err != nil {
		e.ChainPending = "the relay could not draw a salt"
		return
	}
	entry, err := st.Commitment(salt)
	if err != nil {
		e.ChainPending = "the relay could not make the statement's commitment"
		return
	}
	e.Salt, e.Entry = hex.EncodeToString(salt[:]), entry.Hex()
	bg := s.cfg.BreakGlass
	if bg == nil || bg.Submit == nil {
		e.ChainPending = "this relay has no chain submitter"
		return
	}
	if !s.allowBreakGlass(rec.ID, s.now()) {
		e.ChainPending = "more openings of this card in the last hour than the relay records on chain; your wallet records it"
		return
	}
	hash, err := s.submitBreakGlass(ctx, rec, entry)
	if err != nil {
		s.log.Warn("relay: a break-glass opening could not be recorded on chain; served all the same", "request_id", requestID(ctx), "err", err.Error())
		e.ChainPending = "the chain write is pending: " + err.Error()
		return
	}
	e.TxHash = hash.Hex()
}

func (s *Server) submitBreakGlass(ctx context.Context, rec *shareRecord, entry common.Hash) (common.Hash, error) {
	bg := s.cfg.BreakGlass
	key, err := crypto.ToECDSA(rec.EmergencyKey)
	if err != nil {
		return common.Hash{}, fmt.Errorf("the emergency key is unusable: %w", err)
	}
	if err := s.checkAccessKey(ctx, rec, key); err != nil {
		return common.Hash{}, err
	}
	data, err := chain.Signer{Key: key, ChainID: bg.ChainID, Registry: bg.Registry}.LogAccess(chain.GrantKey(rec.Patient, rec.GrantDigest), entry, uint64(rec.Expires))
	if err != nil {
		return common.Hash{}, fmt.Errorf("signing the access entry: %w", err)
	}
	timeout := bg.Timeout
	if timeout <= 0 {
		timeout = 10 * time.Second
	}
	cctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	hash, err := bg.Submit(cctx, data)
	if err != nil {
		return common.Hash{}, fmt.Errorf("submitting the access entry: %w", err)
	}
	return hash, nil
}

// checkAccessKey makes sure key is the access key of rec's grant on chain
// before the relay pays for a transaction the registry would refuse.
func (s *Server) checkAccessKey(ctx context.Context, rec *shareRecord, key *ecdsa.PrivateKey) error {
	if s.chain == nil {
		return errors.New("the relay checks no chain")
	}
	g, err := s.chain.grantOf(ctx, rec.Patient, rec.GrantDigest)
	if err != nil {
		return fmt.Errorf("reading the grant: %w", err)
	}
	if g.AccessKey != crypto.PubkeyToAddress(key.PublicKey) {
		return errors.New("the emergency key given at upload is not the grant's access key")
	}
	return nil
}
