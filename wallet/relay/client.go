package relay

import (
	"bytes"
	"context"
	"crypto/ecdh"
	"crypto/ecdsa"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/ethereum/go-ethereum/common"
	"github.com/ethereum/go-ethereum/crypto"
)

// Client is the patient's side of the management API: it signs each request
// with the patient's chain key.
type Client struct {
	base *url.URL
	key  *ecdsa.PrivateKey
	addr common.Address
	hc   *http.Client
	// Now is the clock for request timestamps. Nil: time.Now.
	Now func() time.Time
}

// maxResponse bounds what the client reads of an answer.
const maxResponse = 64 << 20

// NewClient returns a client of the relay at baseURL (its public URL, e.g.
// https://relay.example.org) that signs with key, the patient's chain key.
// hc nil means http.DefaultClient.
func NewClient(baseURL string, key *ecdsa.PrivateKey, hc *http.Client) (*Client, error) {
	u, err := ParsePublicURL(baseURL)
	if err != nil {
		return nil, err
	}
	if key == nil {
		return nil, errors.New("relay: no key to sign requests with")
	}
	if hc == nil {
		hc = http.DefaultClient
	}
	return &Client{base: u, key: key, addr: crypto.PubkeyToAddress(key.PublicKey), hc: hc}, nil
}

// Errors from the relay, matched with errors.Is on an *APIError.
var (
	ErrNotFound     = errors.New("relay: no such share")
	ErrUnauthorized = errors.New("relay: the relay refused the request's signature")
	ErrForbidden    = errors.New("relay: the share belongs to another patient")
	ErrRateLimited  = errors.New("relay: too many requests")
	ErrTooLarge     = errors.New("relay: the request is over the relay's size limit")
	ErrUnavailable  = errors.New("relay: the relay cannot serve right now")
)

// APIError is an error answer from the relay.
type APIError struct {
	Status     int
	Message    string        // the relay's explanation
	RetryAfter time.Duration // from Retry-After, for 429 and 503
}

func (e *APIError) Error() string {
	msg := fmt.Sprintf("relay answered %d %s", e.Status, http.StatusText(e.Status))
	if e.Message != "" {
		msg += ": " + e.Message
	}
	if e.RetryAfter > 0 {
		msg += fmt.Sprintf(" (retry after %v)", e.RetryAfter)
	}
	return msg
}

// Is matches the sentinel errors by status.
func (e *APIError) Is(target error) bool {
	switch target {
	case ErrNotFound:
		return e.Status == http.StatusNotFound
	case ErrUnauthorized:
		return e.Status == http.StatusUnauthorized
	case ErrForbidden:
		return e.Status == http.StatusForbidden
	case ErrRateLimited:
		return e.Status == http.StatusTooManyRequests
	case ErrTooLarge:
		return e.Status == http.StatusRequestEntityTooLarge
	case ErrUnavailable:
		return e.Status == http.StatusServiceUnavailable
	}
	return false
}

// do signs and sends a management request and decodes a JSON answer into
// out (nil: no body expected).
func (c *Client) do(ctx context.Context, purpose, method, path string, body []byte, want int, out any) error {
	now := time.Now
	if c.Now != nil {
		now = c.Now
	}
	auth, err := signRequest(c.key, Origin(c.base), purpose, method, path, body, now())
	if err != nil {
		return err
	}
	var rd io.Reader
	if body != nil {
		rd = bytes.NewReader(body)
	}
	req, err := http.NewRequestWithContext(ctx, method, c.base.String()+path, rd)
	if err != nil {
		return fmt.Errorf("relay: building the request: %w", err)
	}
	req.Header.Set("Authorization", auth)
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	resp, err := c.hc.Do(req)
	if err != nil {
		return fmt.Errorf("relay: %s %s: %w (is the relay at %s running?)", method, routeOf(path), err, c.base)
	}
	defer resp.Body.Close()
	data, err := io.ReadAll(io.LimitReader(resp.Body, maxResponse))
	if err != nil {
		return fmt.Errorf("relay: reading the answer: %w", err)
	}
	if resp.StatusCode != want {
		ae := &APIError{Status: resp.StatusCode}
		var eb struct {
			Error string `json:"error"`
		}
		if json.Unmarshal(data, &eb) == nil {
			ae.Message = eb.Error
		}
		if s, err := strconv.Atoi(resp.Header.Get("Retry-After")); err == nil && s > 0 {
			ae.RetryAfter = time.Duration(s) * time.Second
		}
		return ae
	}
	if out != nil {
		if err := json.Unmarshal(data, out); err != nil {
			return fmt.Errorf("relay: the answer to %s %s is not what was expected: %w", method, routeOf(path), err)
		}
	}
	return nil
}

// routeOf names a path without the share id, for error messages.
func routeOf(path string) string {
	if _, ok := strings.CutPrefix(path, "/api/blobs/"); ok {
		return "/api/blobs/{id}"
	}
	if rest, ok := strings.CutPrefix(path, "/api/shares/"); ok {
		if strings.HasSuffix(rest, "/log") {
			return "/api/shares/{id}/log"
		}
		if strings.HasSuffix(rest, "/files") {
			return "/api/shares/{id}/files"
		}
		return "/api/shares/{id}"
	}
	return path
}

// CreateShare uploads a share. The returned ShareInfo's URL is the manifest
// URL to put in the SHL payload.
func (c *Client) CreateShare(ctx context.Context, req CreateRequest) (*ShareInfo, error) {
	if req.SharingKey == nil {
		return nil, errors.New("relay: CreateShare needs the patient's X25519 sharing key: the access log is sealed to it")
	}
	if req.SharingKey.Curve() != ecdh.X25519() {
		return nil, errors.New("relay: the sharing key must be an X25519 key")
	}
	patient := req.Patient
	if patient == (common.Address{}) {
		patient = c.addr
	}
	digest := common.Hash(req.GrantDigest).Hex()
	var delegate string
	if req.Delegate != (common.Address{}) {
		if req.GrantDigest != ([32]byte{}) {
			return nil, errors.New("relay: a care copy (Delegate set) has no grant: leave GrantDigest zero")
		}
		digest, delegate = "", req.Delegate.Hex()
	}
	wire := createRequestJSON{
		Patient:     patient.Hex(),
		GrantDigest: digest,
		Delegate:    delegate,
		SharingKey:  base64.RawURLEncoding.EncodeToString(req.SharingKey.Bytes()),
		Flag:        req.Flag,
		Expires:     req.Expires.Unix(),
		Passcode:    req.Passcode,
		MaxFailures: req.MaxFailures,
		Files:       req.Files,
	}
	if req.EmergencyKey != nil {
		wire.EmergencyKey = base64.RawURLEncoding.EncodeToString(crypto.FromECDSA(req.EmergencyKey))
	}
	body, err := json.Marshal(wire)
	if err != nil {
		return nil, fmt.Errorf("relay: encoding the share: %w", err)
	}
	var info ShareInfo
	if err := c.do(ctx, PurposeUpload, http.MethodPost, "/api/shares", body, http.StatusCreated, &info); err != nil {
		return nil, err
	}
	return &info, nil
}

// Revoke ends a share at the relay: from the answer on, its links answer 404
// and its ciphertext is gone. (The grant on chain is revoked separately.)
func (c *Client) Revoke(ctx context.Context, id string) error {
	if _, ok := idKey(id); !ok {
		return fmt.Errorf("relay: %q is not a share id", id)
	}
	return c.do(ctx, PurposeRevoke, http.MethodDelete, "/api/shares/"+id, nil, http.StatusNoContent, nil)
}

// List returns the patient's shares at the relay, newest first.
func (c *Client) List(ctx context.Context) ([]ShareInfo, error) {
	var out struct {
		Shares []ShareInfo `json:"shares"`
	}
	if err := c.do(ctx, PurposeList, http.MethodGet, "/api/shares", nil, http.StatusOK, &out); err != nil {
		return nil, err
	}
	return out.Shares, nil
}

// AccessLog reads a share's access log and opens each entry with
// sharingKey, the patient's X25519 sharing private key. Oldest first.
func (c *Client) AccessLog(ctx context.Context, id string, sharingKey *ecdh.PrivateKey) ([]AccessEntry, error) {
	if _, ok := idKey(id); !ok {
		return nil, fmt.Errorf("relay: %q is not a share id", id)
	}
	var out struct {
		Entries []sealedEntry `json:"entries"`
	}
	if err := c.do(ctx, PurposeAccessLog, http.MethodGet, "/api/shares/"+id+"/log", nil, http.StatusOK, &out); err != nil {
		return nil, err
	}
	entries := make([]AccessEntry, 0, len(out.Entries))
	for i, se := range out.Entries {
		raw, err := base64.RawURLEncoding.DecodeString(se.Sealed)
		if err != nil {
			return nil, fmt.Errorf("relay: access log entry %d is not base64url: %w", i, err)
		}
		e, err := OpenEntry(sharingKey, id, raw)
		if err != nil {
			return nil, fmt.Errorf("relay: access log entry %d: %w", i, err)
		}
		entries = append(entries, e)
	}
	return entries, nil
}
