package network

import (
	"bytes"
	"context"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math/big"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/ethereum/go-ethereum/common"

	"healthwallet/chain"
	"healthwallet/wallet/relay"
)

// This file: the submission endpoint's API as a wallet speaks it, and its
// errors. Paths are under Document.Submit:
//
//	POST /v1/enrol      {"invite": "…"}            → Account
//	POST /v1/actions    calldata as 0x-hex          → chain.SubmitResult
//	GET  /v1/tx/{hash}                              → chain.TxStatus
//	GET  /v1/account                                → Account
//
// Every request is signed by the wallet (see auth.go). Errors are JSON
// {"error": message, "code": code} with the HTTP status of errorCodes.

// Errors of the submission endpoint, besides chain.ErrNotSubmittable,
// ErrBadSignature, ErrAlreadyDone and ErrRefused (the action itself).
var (
	// ErrNotEnrolled: the wallet has not joined (enrolled with) the node.
	ErrNotEnrolled = errors.New("this wallet is not enrolled with the network")
	// ErrInviteRefused: an invitation-only network, and not its code.
	ErrInviteRefused = errors.New("the network's invitation code is not right")
	// ErrNotYours: the action is signed by another wallet than the one
	// asking to submit it.
	ErrNotYours = errors.New("the action is signed by another wallet")
	// ErrLimitReached: the wallet's daily limit, or the network's daily
	// budget, is spent; nothing was sent.
	ErrLimitReached = errors.New("the network's daily limit is reached")
	// ErrUnknownTx: the node sent no such transaction for this wallet.
	ErrUnknownTx = errors.New("the network sent no such transaction for this wallet")
)

// errorCodes name the endpoint's errors on the wire, with their status.
var errorCodes = map[string]struct {
	err    error
	status int
}{
	"not-submittable": {chain.ErrNotSubmittable, http.StatusBadRequest},
	"bad-signature":   {chain.ErrBadSignature, http.StatusBadRequest},
	"refused":         {chain.ErrRefused, http.StatusBadRequest},
	"already-done":    {chain.ErrAlreadyDone, http.StatusConflict},
	"unauthenticated": {ErrUnauthenticated, http.StatusUnauthorized},
	"not-enrolled":    {ErrNotEnrolled, http.StatusForbidden},
	"invite-refused":  {ErrInviteRefused, http.StatusForbidden},
	"not-yours":       {ErrNotYours, http.StatusForbidden},
	"limit":           {ErrLimitReached, http.StatusTooManyRequests},
	"unknown-tx":      {ErrUnknownTx, http.StatusNotFound},
	"unavailable":     {chain.ErrChainDown, http.StatusServiceUnavailable},
}

// apiError is an error as the endpoint sends it.
type apiError struct {
	Message string `json:"error"`
	Code    string `json:"code"`
}

// RefusedError is the endpoint's answer to a request it did not carry out:
// Message says why (worded for a person), and it wraps the sentinel of Code.
type RefusedError struct {
	Status  int
	Code    string
	Message string
}

func (e *RefusedError) Error() string {
	if e.Status >= 500 {
		return "the network cannot take it now: " + e.Message
	}
	return "the network refused: " + e.Message
}
func (e *RefusedError) Unwrap() error {
	if c, ok := errorCodes[e.Code]; ok {
		return c.err
	}
	return nil
}

// maxAnswerBytes bounds what the client reads of an answer.
const maxAnswerBytes = 1 << 20

// Client talks to a joined network's submission endpoint for one wallet.
// A node that does not answer is an error wrapping chain.ErrChainDown (the
// outbox waits it out); a refusal is a *RefusedError.
type Client struct {
	m    Membership
	sign func(digest []byte) ([]byte, error)
	hc   *http.Client
	now  func() time.Time
}

// NewClient returns a client for m that authenticates as the wallet whose
// chain key signs with sign (crypto.Sign over a 32-byte digest).
func NewClient(m Membership, sign func(digest []byte) ([]byte, error)) *Client {
	return &Client{m: m, sign: sign, hc: HTTPClient(m.Fingerprint), now: time.Now}
}

// Enrol asks the node to pay for this wallet's actions; invite is the
// operator's code for an invitation-only network ("" when open).
func (c *Client) Enrol(ctx context.Context, invite string) error {
	body, err := json.Marshal(enrolRequest{Invite: invite})
	if err != nil {
		return err
	}
	var a Account
	return c.do(ctx, purposeEnrol, http.MethodPost, "/v1/enrol", body, &a)
}

// Submit hands in a signed action (see chain.Submitter).
func (c *Client) Submit(ctx context.Context, data []byte) (chain.SubmitResult, error) {
	var res chain.SubmitResult
	if err := c.do(ctx, purposeSubmit, http.MethodPost, "/v1/actions", []byte("0x"+hex.EncodeToString(data)), &res); err != nil {
		return chain.SubmitResult{}, err
	}
	a, err := chain.DecodeAction(data, new(big.Int).SetUint64(c.m.ChainID), c.m.RegistryAddress())
	if err != nil {
		return chain.SubmitResult{}, fmt.Errorf("reading the action the network accepted: %w", err)
	}
	res.Action = a
	return res, nil
}

// Status reports on a transaction the node sent for this wallet.
func (c *Client) Status(ctx context.Context, hash common.Hash) (chain.TxStatus, error) {
	var st chain.TxStatus
	err := c.do(ctx, purposeStatus, http.MethodGet, "/v1/tx/"+hash.Hex(), nil, &st)
	return st, err
}

// Account is what the node says of this wallet's enrolment and budget.
type Account struct {
	Enrolled  bool   `json:"enrolled"`
	Balance   string `json:"balance"` // the wallet's own balance in wei: "0" for a patient
	UsedToday int    `json:"usedToday"`
	PerDay    int    `json:"perDay"`
}

// Account reads the wallet's enrolment.
func (c *Client) Account(ctx context.Context) (Account, error) {
	var a Account
	err := c.do(ctx, purposeAccount, http.MethodGet, "/v1/account", nil, &a)
	return a, err
}

// enrolRequest is the body of an enrolment.
type enrolRequest struct {
	Invite string `json:"invite,omitempty"`
}

// do sends one signed request to path under the submission base URL and
// decodes the answer into out.
func (c *Client) do(ctx context.Context, purpose, method, path string, body []byte, out any) error {
	base, err := url.Parse(c.m.Submit)
	if err != nil || base.Host == "" {
		return fmt.Errorf("the network's submission URL %q is not valid: join the network again", c.m.Submit)
	}
	endpoint := strings.TrimSuffix(c.m.Submit, "/") + path
	req, err := http.NewRequestWithContext(ctx, method, endpoint, bytes.NewReader(body))
	if err != nil {
		return fmt.Errorf("asking the network: %w", err)
	}
	if err := signRequest(req, c.sign, relay.Origin(base), purpose, path, body, c.now()); err != nil {
		return err
	}
	resp, err := c.hc.Do(req)
	if err != nil {
		if errors.Is(err, ErrPinMismatch) {
			return fmt.Errorf("asking the network %s: %w", c.m.Name, err)
		}
		return &chain.ChainDownError{URL: c.m.Submit, Err: err}
	}
	defer resp.Body.Close()
	answer, err := io.ReadAll(io.LimitReader(resp.Body, maxAnswerBytes))
	if err != nil {
		return &chain.ChainDownError{URL: c.m.Submit, Err: err}
	}
	if resp.StatusCode != http.StatusOK {
		var ae apiError
		if json.Unmarshal(answer, &ae) != nil || ae.Message == "" {
			if resp.StatusCode >= 500 {
				return &chain.ChainDownError{URL: c.m.Submit, Err: fmt.Errorf("HTTP %d", resp.StatusCode)}
			}
			return fmt.Errorf("the network's submission endpoint answered HTTP %d: is %s a Health Wallet network?", resp.StatusCode, c.m.Submit)
		}
		return &RefusedError{Status: resp.StatusCode, Code: ae.Code, Message: ae.Message}
	}
	if err := json.Unmarshal(answer, out); err != nil {
		return fmt.Errorf("reading the network's answer: %w", err)
	}
	return nil
}
