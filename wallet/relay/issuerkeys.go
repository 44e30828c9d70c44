package relay

import (
	"bytes"
	"context"
	"crypto/tls"
	"crypto/x509"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/netip"
	"net/url"
	"strings"
	"sync"
	"syscall"
	"time"
)

// This file: GET /issuer-keys?iss=<url> — the public keys (JWKS) of a SMART
// Health Card's issuer, fetched by the relay for the viewer page, whose CSP
// lets it talk only to its own origin. The relay fetches
// <iss>/.well-known/jwks.json over https from public addresses only (never
// this machine or its private network: the endpoint must not let anyone
// probe what the relay can reach), keeps good answers an hour and failures
// five minutes, and hands back only the keys' public members.

// Limits of the issuer-key fetcher.
const (
	issuerKeysTimeout = 10 * time.Second
	issuerKeysMaxBody = 64 << 10
	issuerKeysTTL     = time.Hour
	issuerKeysFailTTL = 5 * time.Minute
	// issuerCRLTTL is how long a key's revocation list is kept: a revoked
	// card should stop verifying within minutes.
	issuerCRLTTL          = 5 * time.Minute
	issuerKeysMaxEntries  = 1000
	issuerKeysMaxIssLen   = 256
	issuerKeysMaxParallel = 8
	issuerKeysMaxKeys     = 50
)

// IssuerKeysConfig configures the issuer-key fetcher. The zero value is
// what a relay in production uses.
type IssuerKeysConfig struct {
	// RootCAs are the certificates issuers' TLS is checked against. Nil:
	// the system's (tests give their own TLS server's).
	RootCAs *x509.CertPool
}

// errPrivateTarget: an issuer URL that leads to this machine or a private
// network.
var errPrivateTarget = errors.New("the issuer's address is not a public internet address")

// issuerKeyCache fetches and keeps issuers' key sets.
type issuerKeyCache struct {
	client   *http.Client
	loopback bool // the relay is on loopback: issuers on loopback too are allowed (tests)
	now      func() time.Time
	slots    chan struct{} // bounds concurrent fetches

	mu      sync.Mutex
	entries map[string]*issuerKeyEntry
}

// issuerKeyEntry is one issuer's answer: its keys, or why there are none.
type issuerKeyEntry struct {
	keys    []byte // the filtered JWKS
	problem string // set when the fetch failed
	refused bool   // the fetch was refused, not failed: the issuer's address is not public
	expires time.Time
	ready   chan struct{} // closed once keys or problem are set
}

func newIssuerKeyCache(cfg IssuerKeysConfig, loopback bool, now func() time.Time) *issuerKeyCache {
	c := &issuerKeyCache{loopback: loopback, now: now, slots: make(chan struct{}, issuerKeysMaxParallel), entries: make(map[string]*issuerKeyEntry)}
	dialer := &net.Dialer{Timeout: issuerKeysTimeout, Control: c.checkDial}
	tr := &http.Transport{
		Proxy:                 nil, // the guard must see the issuer's own address
		DialContext:           dialer.DialContext,
		TLSClientConfig:       &tls.Config{RootCAs: cfg.RootCAs, MinVersion: tls.VersionTLS12},
		TLSHandshakeTimeout:   issuerKeysTimeout,
		ResponseHeaderTimeout: issuerKeysTimeout,
		MaxIdleConns:          16,
		IdleConnTimeout:       time.Minute,
	}
	c.client = &http.Client{
		Transport: tr,
		Timeout:   issuerKeysTimeout,
		CheckRedirect: func(req *http.Request, via []*http.Request) error {
			if len(via) >= 3 {
				return errors.New("too many redirects")
			}
			if req.URL.Scheme != via[0].URL.Scheme || !strings.EqualFold(req.URL.Host, via[0].URL.Host) {
				return fmt.Errorf("it redirects to another host (%s)", req.URL.Host)
			}
			return nil
		},
	}
	return c
}

// checkDial refuses connections to addresses that are not public: the
// check runs on the address actually dialed, after name resolution, so a
// name that resolves to a private address is refused too.
func (c *issuerKeyCache) checkDial(_, address string, _ syscall.RawConn) error {
	ap, err := netip.ParseAddrPort(address)
	if err != nil {
		return fmt.Errorf("%w (%s)", errPrivateTarget, address)
	}
	ip := ap.Addr().Unmap()
	if c.loopback && ip.IsLoopback() {
		return nil
	}
	if !publicAddr(ip) {
		return fmt.Errorf("%w (%s)", errPrivateTarget, ip)
	}
	return nil
}

// sharedAddressSpace is 100.64.0.0/10 (carrier-grade NAT), private in all
// but name.
var sharedAddressSpace = netip.MustParsePrefix("100.64.0.0/10")

// publicAddr reports whether ip is a global unicast address outside the
// private, shared, loopback and link-local ranges.
func publicAddr(ip netip.Addr) bool {
	return ip.IsValid() && ip.IsGlobalUnicast() && !ip.IsPrivate() && !ip.IsLoopback() &&
		!ip.IsLinkLocalUnicast() && !sharedAddressSpace.Contains(ip)
}

// onLoopback reports whether the relay's public URL is on this computer.
func (s *Server) onLoopback() bool {
	if s.public == nil {
		return false // built from each request's Host, which the client chooses
	}
	h := s.public.Hostname()
	if strings.EqualFold(h, "localhost") {
		return true
	}
	ip, err := netip.ParseAddr(h)
	return err == nil && ip.IsLoopback()
}

// issuerURL checks iss: an https URL (http too for a loopback host when the
// relay is on loopback) with a host, no query, fragment or user, no
// trailing slash. It returns the JWKS URL.
func (c *issuerKeyCache) issuerURL(iss string) (string, error) {
	if iss == "" {
		return "", errors.New("give the issuer: /issuer-keys?iss=<the card's iss URL>")
	}
	if len(iss) > issuerKeysMaxIssLen {
		return "", fmt.Errorf("the issuer URL is longer than %d characters", issuerKeysMaxIssLen)
	}
	u, err := url.Parse(iss)
	if err != nil || u.Host == "" || u.User != nil || u.RawQuery != "" || u.Fragment != "" || u.Opaque != "" {
		return "", fmt.Errorf("the issuer %q is not an https URL", iss)
	}
	if strings.HasSuffix(iss, "/") {
		return "", fmt.Errorf("the issuer %q ends with '/': a card's iss has none", iss)
	}
	switch {
	case u.Scheme == "https":
	case u.Scheme == "http" && c.loopback && isLoopbackName(u.Hostname()):
	default:
		return "", fmt.Errorf("the issuer %q is not an https URL: issuers publish their keys over https", iss)
	}
	return iss + "/.well-known/jwks.json", nil
}

func isLoopbackName(h string) bool {
	if strings.EqualFold(h, "localhost") {
		return true
	}
	ip, err := netip.ParseAddr(h)
	return err == nil && ip.IsLoopback()
}

// get returns iss's keys, from the cache or fetched now; a fetch that
// fails is remembered for issuerKeysFailTTL. Concurrent requests for one
// issuer share one fetch.
func (c *issuerKeyCache) get(ctx context.Context, key, docURL string, parse func([]byte) ([]byte, error), ttl time.Duration) ([]byte, error) {
	now := c.now()
	c.mu.Lock()
	e := c.entries[key]
	if e != nil {
		select {
		case <-e.ready:
			if !now.Before(e.expires) {
				e = nil // stale: fetch again
			}
		default: // a fetch is running: wait for it below
		}
	}
	owner := false
	if e == nil {
		if len(c.entries) >= issuerKeysMaxEntries {
			c.sweepLocked(now)
		}
		if len(c.entries) >= issuerKeysMaxEntries {
			c.mu.Unlock()
			return nil, errors.New("the relay is fetching too many issuers' keys now; try again in a minute")
		}
		e = &issuerKeyEntry{ready: make(chan struct{})}
		c.entries[key] = e
		owner = true
	}
	c.mu.Unlock()

	if owner {
		keys, err := c.fetch(docURL, parse)
		c.mu.Lock()
		if err != nil {
			e.problem, e.refused = err.Error(), errors.Is(err, errPrivateTarget)
			e.expires = c.now().Add(issuerKeysFailTTL)
		} else {
			e.keys = keys
			e.expires = c.now().Add(ttl)
		}
		close(e.ready)
		c.mu.Unlock()
	}
	select {
	case <-e.ready:
	case <-ctx.Done():
		return nil, ctx.Err()
	}
	if e.problem != "" {
		return nil, &issuerKeyError{msg: e.problem, refused: e.refused}
	}
	return e.keys, nil
}

// fetch reads and filters the JWKS at jwksURL. It runs detached from the
// request that asked (other requests may wait for it), bounded by the
// client's timeout.
func (c *issuerKeyCache) fetch(jwksURL string, parse func([]byte) ([]byte, error)) ([]byte, error) {
	c.slots <- struct{}{}
	defer func() { <-c.slots }()
	req, err := http.NewRequest(http.MethodGet, jwksURL, nil)
	if err != nil {
		return nil, fmt.Errorf("the issuer's key URL %s: %w", jwksURL, err)
	}
	req.Header.Set("Accept", "application/json")
	resp, err := c.client.Do(req)
	if err != nil {
		if errors.Is(err, errPrivateTarget) {
			return nil, fmt.Errorf("%w: %s is not fetched", errPrivateTarget, jwksURL)
		}
		return nil, fmt.Errorf("the issuer's keys at %s cannot be fetched: %v", jwksURL, unwrapURLError(err))
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return nil, fmt.Errorf("the issuer's keys at %s cannot be fetched: HTTP %d", jwksURL, resp.StatusCode)
	}
	body, err := io.ReadAll(io.LimitReader(resp.Body, issuerKeysMaxBody+1))
	if err != nil {
		return nil, fmt.Errorf("reading the issuer's keys at %s: %v", jwksURL, err)
	}
	if len(body) > issuerKeysMaxBody {
		return nil, fmt.Errorf("the issuer's keys at %s are larger than %d bytes: not a key set", jwksURL, issuerKeysMaxBody)
	}
	keys, err := parse(body)
	if err != nil {
		return nil, fmt.Errorf("the issuer's document at %s: %w", jwksURL, err)
	}
	return keys, nil
}

// unwrapURLError drops the *url.Error wrapper, whose text repeats the URL.
func unwrapURLError(err error) error {
	var ue *url.Error
	if errors.As(err, &ue) {
		return ue.Err
	}
	return err
}

// privateJWKMembers are the members of a JWK that hold private or secret
// key material (RFC 7518 §6): never passed on.
var privateJWKMembers = []string{"d", "p", "q", "dp", "dq", "qi", "oth", "k"}

// publicJWKS parses body as a JWK Set ({"keys": [...]}, each key with a
// kty) and returns it with only the keys' public members; symmetric keys
// (kty "oct") are dropped.
func publicJWKS(body []byte) ([]byte, error) {
	var set struct {
		Keys []map[string]json.RawMessage `json:"keys"`
	}
	dec := json.NewDecoder(bytes.NewReader(body))
	if err := dec.Decode(&set); err != nil {
		return nil, fmt.Errorf("not a JSON key set (JWKS): %v", err)
	}
	if set.Keys == nil {
		return nil, errors.New("not a JSON key set (JWKS): no \"keys\"")
	}
	if len(set.Keys) > issuerKeysMaxKeys {
		return nil, fmt.Errorf("the key set holds %d keys, more than %d", len(set.Keys), issuerKeysMaxKeys)
	}
	out := make([]map[string]json.RawMessage, 0, len(set.Keys))
	for i, k := range set.Keys {
		var kty string
		if err := json.Unmarshal(k["kty"], &kty); err != nil || kty == "" {
			return nil, fmt.Errorf("not a JSON key set (JWKS): key %d has no \"kty\"", i)
		}
		if kty == "oct" {
			continue
		}
		for _, m := range privateJWKMembers {
			delete(k, m)
		}
		out = append(out, k)
	}
	return json.Marshal(map[string]any{"keys": out})
}

// issuerKeyError is a remembered failure; refused ones wrap errPrivateTarget.
type issuerKeyError struct {
	msg     string
	refused bool
}

func (e *issuerKeyError) Error() string { return e.msg }
func (e *issuerKeyError) Is(target error) bool {
	return e.refused && target == errPrivateTarget
}

// sweep drops expired entries.
func (c *issuerKeyCache) sweep() {
	if c == nil {
		return
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	c.sweepLocked(c.now())
}

func (c *issuerKeyCache) sweepLocked(now time.Time) {
	for iss, e := range c.entries {
		select {
		case <-e.ready:
			if !now.Before(e.expires) {
				delete(c.entries, iss)
			}
		default:
		}
	}
}

// handleIssuerKeys answers GET /issuer-keys?iss=<url>: the issuer's public
// keys (200), a bad or refused iss (400), or 502 with what went wrong when
// the issuer's keys cannot be had.
func (s *Server) handleIssuerKeys(w http.ResponseWriter, r *http.Request) {
	if !s.allowClient(w, r) {
		return
	}
	iss := r.URL.Query().Get("iss")
	jwksURL, err := s.issuers.issuerURL(iss)
	if err != nil {
		writeError(w, http.StatusBadRequest, err.Error())
		return
	}
	var keys []byte
	if kid := r.URL.Query().Get("crl"); kid != "" {
		// A key's revocation list (SMART Health Cards §revocation):
		// <iss>/.well-known/crl/<kid>.json, kept a shorter time than keys.
		if !validKid(kid) {
			writeError(w, http.StatusBadRequest, "crl: not a key id (base64url, at most 100 characters)")
			return
		}
		crlURL := strings.TrimSuffix(jwksURL, "jwks.json") + "crl/" + kid + ".json"
		keys, err = s.issuers.get(r.Context(), iss+" crl "+kid, crlURL, publicCRL, issuerCRLTTL)
	} else {
		keys, err = s.issuers.get(r.Context(), iss, jwksURL, publicJWKS, issuerKeysTTL)
	}
	if err != nil {
		if errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded) {
			return // the client left
		}
		status := http.StatusBadGateway
		if errors.Is(err, errPrivateTarget) {
			status = http.StatusBadRequest
		}
		s.log.Info("issuer keys unavailable", "request_id", requestID(r.Context()), "iss", iss, "status", status)
		writeError(w, status, err.Error()+"; the card's issuer cannot be checked now")
		return
	}
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Cache-Control", "no-store")
	_, _ = w.Write(keys)
}

// validKid: a JWK thumbprint key id, base64url, as a card's header gives it.
func validKid(kid string) bool {
	if len(kid) == 0 || len(kid) > 100 {
		return false
	}
	for _, r := range kid {
		if !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == '-' || r == '_') {
			return false
		}
	}
	return true
}

// publicCRL parses body as a SMART Health Cards revocation list ({"kid",
// "method", "ctr", "rids"}) and returns only those members.
func publicCRL(body []byte) ([]byte, error) {
	var crl struct {
		Kid    string   `json:"kid"`
		Method string   `json:"method"`
		Ctr    *int64   `json:"ctr"`
		Rids   []string `json:"rids"`
	}
	if err := json.Unmarshal(body, &crl); err != nil || crl.Kid == "" || crl.Method == "" || crl.Ctr == nil {
		return nil, errors.New("not a revocation list (kid, method, ctr, rids)")
	}
	if crl.Rids == nil {
		crl.Rids = []string{}
	}
	return json.Marshal(crl)
}
