package relay

import (
	"context"
	"errors"
	"sync"
	"time"

	"github.com/ethereum/go-ethereum/common"

	"healthwallet/chain"
	"healthwallet/chain/contracts"
)

// consent is what the chain says about a share's grant, as the relay acts
// on it.
type consent int

const (
	// consentActive: the grant stands (and its delegates hold SHARE): serve.
	consentActive consent = iota
	// consentEnded: the chain reports the grant revoked, or expired by the
	// chain's expiry and the relay's clock: end the share, delete its files.
	consentEnded
	// consentRefused: the grant was issued (or the share uploaded) by a
	// delegate who no longer holds SHARE: serve nothing (404), keep files.
	consentRefused
	// consentUnknown: the chain cannot be asked, has no such grant for the
	// patient (yet), or calls it not active for a reason the relay cannot
	// confirm (a lagging node): serve nothing (503), keep files.
	consentUnknown
)

// consentOf asks the chain (through the cache) about rec's grant at now.
// The error says why the consent is unknown, for the relay's own log.
func (s *Server) consentOf(ctx context.Context, rec *shareRecord, now time.Time) (consent, error) {
	if rec.Delegate != (common.Address{}) {
		return s.delegationConsent(ctx, rec, now)
	}
	g, err := s.chain.grantOf(ctx, rec.Patient, rec.GrantDigest)
	switch {
	case err != nil:
		return consentUnknown, err
	case g.Patient != rec.Patient:
		return consentUnknown, ErrGrantUnknown
	case g.Revoked:
		return consentEnded, nil
	case !g.Active && g.Expiry != 0 && now.Unix() >= int64(g.Expiry):
		return consentEnded, nil
	case !g.Active:
		return consentUnknown, nil
	}
	return s.delegatesHoldShare(ctx, rec.Patient, g.Issuer, rec.uploader())
}

// delegatesHoldShare checks that whoever other than the patient issued the
// grant or uploaded the share still holds SHARE for the patient. A
// caregiver's copy of a share (uploaded by a delegate) is admitted by the
// same check.
func (s *Server) delegatesHoldShare(ctx context.Context, patient common.Address, delegates ...common.Address) (consent, error) {
	seen := map[common.Address]bool{patient: true, {}: true}
	for _, d := range delegates {
		if seen[d] {
			continue
		}
		seen[d] = true
		dl, err := s.chain.delegateOf(ctx, patient, d)
		if err != nil {
			return consentUnknown, err
		}
		if !dl.Active || dl.Rights&contracts.RightShare == 0 {
			return consentRefused, nil
		}
	}
	return consentActive, nil
}

// chainCache keeps the chain's answers briefly, so that a burst of requests
// for one share costs one chain call: an answer that the grant (or
// delegation) is active for Config.ChainCacheTTL, any other answer (unknown,
// not active, the chain down) for Config.ChainCacheUnknownTTL. Concurrent
// askers of one question wait for the one call in flight. A revoke on chain
// is therefore seen at most ChainCacheTTL late.
type chainCache struct {
	chk                   GrantChecker
	activeTTL, unknownTTL time.Duration
	timeout               time.Duration
	now                   func() time.Time

	mu      sync.Mutex
	entries map[cacheKey]*cacheEntry
}

// maxCacheEntries bounds the cache; past it, answers are not kept.
const maxCacheEntries = 100_000

type cacheKey struct {
	delegation bool
	revoked    bool // whether the delegation's last event is a revoke
	patient    common.Address
	subject    [32]byte // the grant's digest, or the delegate's address
}

type cacheEntry struct {
	ready     chan struct{} // closed once the answer is in
	grant     chain.Grant
	deleg     chain.Delegation
	revokedAt time.Time
	err       error
	until     time.Time
}

func newChainCache(chk GrantChecker, activeTTL, unknownTTL, timeout time.Duration, now func() time.Time) *chainCache {
	return &chainCache{chk: chk, activeTTL: activeTTL, unknownTTL: unknownTTL, timeout: timeout, now: now, entries: map[cacheKey]*cacheEntry{}}
}

func (c *chainCache) grantOf(ctx context.Context, patient common.Address, digest [32]byte) (chain.Grant, error) {
	e, err := c.ask(ctx, cacheKey{patient: patient, subject: digest}, func(ctx context.Context, e *cacheEntry) bool {
		e.grant, e.err = c.chk.GrantOf(ctx, patient, digest)
		return e.err == nil && e.grant.Active
	})
	if err != nil {
		return chain.Grant{}, err
	}
	return e.grant, e.err
}

func (c *chainCache) delegateOf(ctx context.Context, patient, delegate common.Address) (chain.Delegation, error) {
	var subject [32]byte
	copy(subject[:], delegate.Bytes())
	e, err := c.ask(ctx, cacheKey{delegation: true, patient: patient, subject: subject}, func(ctx context.Context, e *cacheEntry) bool {
		e.deleg, e.err = c.chk.DelegateOf(ctx, patient, delegate)
		return e.err == nil && e.deleg.Active
	})
	if err != nil {
		return chain.Delegation{}, err
	}
	return e.deleg, e.err
}

// delegationRevoked asks when the patient revoked its delegation to
// delegate (its last event is DelegateRevoked); zero when it did not, or
// when the checker cannot tell (it reads no events).
func (c *chainCache) delegationRevoked(ctx context.Context, patient, delegate common.Address) (time.Time, error) {
	rc, ok := c.chk.(DelegationChecker)
	if !ok {
		return time.Time{}, nil
	}
	var subject [32]byte
	copy(subject[:], delegate.Bytes())
	e, err := c.ask(ctx, cacheKey{revoked: true, patient: patient, subject: subject}, func(ctx context.Context, e *cacheEntry) bool {
		e.revokedAt, e.err = rc.DelegationRevoked(ctx, patient, delegate)
		return false // kept briefly, as answers other than "active" are
	})
	if err != nil {
		return time.Time{}, err
	}
	return e.revokedAt, e.err
}

// forgetGrant drops the answer kept about a grant.
func (c *chainCache) forgetGrant(patient common.Address, digest [32]byte) {
	c.forget(cacheKey{patient: patient, subject: digest})
}

// forgetDelegation drops the answers kept about a delegation.
func (c *chainCache) forgetDelegation(patient, delegate common.Address) {
	var subject [32]byte
	copy(subject[:], delegate.Bytes())
	c.forget(cacheKey{delegation: true, patient: patient, subject: subject})
	c.forget(cacheKey{revoked: true, patient: patient, subject: subject})
}

func (c *chainCache) forget(k cacheKey) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if e := c.entries[k]; e != nil {
		select {
		case <-e.ready:
			delete(c.entries, k)
		default: // in flight: its asker keeps it
		}
	}
}

// ask returns the cached answer for k, or makes the one call (fill, which
// says whether the answer is "active") and keeps its answer. The error is
// the asker's context ending while it waited for another's call.
func (c *chainCache) ask(ctx context.Context, k cacheKey, fill func(context.Context, *cacheEntry) bool) (*cacheEntry, error) {
	c.mu.Lock()
	if e := c.entries[k]; e != nil {
		select {
		case <-e.ready:
			if c.now().Before(e.until) {
				c.mu.Unlock()
				return e, nil
			}
		default: // in flight: wait for it
			c.mu.Unlock()
			select {
			case <-e.ready:
				return e, nil
			case <-ctx.Done():
				return nil, ctx.Err()
			}
		}
	}
	e := &cacheEntry{ready: make(chan struct{})}
	keep := len(c.entries) < maxCacheEntries
	if keep {
		c.entries[k] = e
	}
	c.mu.Unlock()

	// The call is not the asker's alone: others may wait on it, so it runs
	// on its own timeout rather than the asker's context.
	cctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), c.timeout)
	active := fill(cctx, e)
	cancel()
	ttl := c.unknownTTL
	if active {
		ttl = c.activeTTL
	}
	c.mu.Lock()
	e.until = c.now().Add(ttl)
	close(e.ready)
	c.mu.Unlock()
	return e, nil
}

// sweep forgets the answers that are too old to use.
func (c *chainCache) sweep() {
	if c == nil {
		return
	}
	now := c.now()
	c.mu.Lock()
	defer c.mu.Unlock()
	for k, e := range c.entries {
		select {
		case <-e.ready:
			if !now.Before(e.until) {
				delete(c.entries, k)
			}
		default:
		}
	}
}

// settlePending settles the pending shares whose grace ended by now: active
// when the grant has appeared, ended when it was revoked or expired, deleted
// (files, record and log) when the chain says the patient has no such grant
// — an upload by a stranger, or one the wallet never completed. While the
// chain cannot be asked, they stay pending. It returns how many it deleted.
func (s *Server) settlePending(now time.Time) (int, error) {
	recs, err := s.store.pendingPast(now)
	if err != nil {
		return 0, err
	}
	deleted := 0
	for _, rec := range recs {
		verdict, why := consentUnknown, ErrGrantUnknown
		if s.chain != nil {
			verdict, why = s.consentOf(context.Background(), rec, now)
		}
		switch {
		case verdict == consentActive:
			err = s.store.activate(rec.ID)
		case verdict == consentEnded:
			s.dropLocations(rec.ID)
			err = s.store.end(rec.ID, rec.endedState(), now)
		case verdict == consentRefused, errors.Is(why, ErrGrantUnknown), errors.Is(why, ErrDelegationUnknown):
			s.dropLocations(rec.ID)
			err = s.store.delete(rec.ID)
			deleted++
		}
		if err != nil && !errors.Is(err, errNoShare) {
			return deleted, err
		}
	}
	return deleted, nil
}
