package network

import (
	"crypto/rand"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/ethereum/go-ethereum/accounts"
	"github.com/ethereum/go-ethereum/common"
	"github.com/ethereum/go-ethereum/crypto"

	"healthwallet/wallet/relay"
)

// This file: how a wallet proves its address to a node's submission
// endpoint. Each request carries a timestamp, a nonce and an EIP-191
// signature by the wallet's chain key over relay.CanonicalRequest: the
// node's origin, the request's purpose, method, path (under the submission
// base URL) and the SHA-256 of its body. A signature made for another node,
// another kind of request or another body recovers another address; one
// older than maxClockSkew is refused.

// Purposes of the submission endpoint's signed requests.
const (
	purposeEnrol   = "healthwallet-network-v1 enrol"
	purposeSubmit  = "healthwallet-network-v1 submit"
	purposeStatus  = "healthwallet-network-v1 status"
	purposeAccount = "healthwallet-network-v1 account"
)

// Headers of a signed request.
const (
	headerTime      = "X-HW-Time"
	headerNonce     = "X-HW-Nonce"
	headerSignature = "X-HW-Signature"
)

// maxClockSkew is how far a request's time may be from the node's clock.
const maxClockSkew = 5 * time.Minute

// ErrUnauthenticated: a request whose signature is missing, stale or
// malformed (HTTP 401).
var ErrUnauthenticated = errors.New("the request is not signed by a wallet")

// signRequest sets the headers that prove r (whose body is body) comes
// from the wallet that sign signs for, for the node at origin.
func signRequest(r *http.Request, sign func([]byte) ([]byte, error), origin, purpose, path string, body []byte, now time.Time) error {
	nb := make([]byte, 16)
	if _, err := rand.Read(nb); err != nil {
		return fmt.Errorf("reading randomness: %w", err)
	}
	nonce := base64.RawURLEncoding.EncodeToString(nb)
	ts := now.Unix()
	sig, err := sign(accounts.TextHash([]byte(relay.CanonicalRequest(origin, purpose, r.Method, path, body, ts, nonce))))
	if err != nil {
		return fmt.Errorf("signing the request to the network: %w", err)
	}
	r.Header.Set(headerTime, strconv.FormatInt(ts, 10))
	r.Header.Set(headerNonce, nonce)
	r.Header.Set(headerSignature, "0x"+hex.EncodeToString(sig))
	return nil
}

// requestSigner returns the address that signed r for origin and purpose,
// or an error wrapping ErrUnauthenticated.
func requestSigner(r *http.Request, origin, purpose, path string, body []byte, now time.Time) (common.Address, error) {
	ts, err := strconv.ParseInt(r.Header.Get(headerTime), 10, 64)
	if err != nil {
		return common.Address{}, fmt.Errorf("%w: no %s header", ErrUnauthenticated, headerTime)
	}
	if d := now.Sub(time.Unix(ts, 0)); d > maxClockSkew || d < -maxClockSkew {
		return common.Address{}, fmt.Errorf("%w: its time is more than %v from the node's clock; check this device's clock", ErrUnauthenticated, maxClockSkew)
	}
	nonce := r.Header.Get(headerNonce)
	if len(nonce) < 16 || len(nonce) > 64 {
		return common.Address{}, fmt.Errorf("%w: the nonce must be 16 to 64 characters", ErrUnauthenticated)
	}
	sig, err := hex.DecodeString(strings.TrimPrefix(r.Header.Get(headerSignature), "0x"))
	if err != nil || len(sig) != crypto.SignatureLength {
		return common.Address{}, fmt.Errorf("%w: the signature must be 65 bytes of hex", ErrUnauthenticated)
	}
	if v := sig[crypto.RecoveryIDOffset]; v == 27 || v == 28 {
		sig[crypto.RecoveryIDOffset] -= 27
	}
	pub, err := crypto.SigToPub(accounts.TextHash([]byte(relay.CanonicalRequest(origin, purpose, r.Method, path, body, ts, nonce))), sig)
	if err != nil {
		return common.Address{}, fmt.Errorf("%w: the signature does not recover a signer", ErrUnauthenticated)
	}
	return crypto.PubkeyToAddress(*pub), nil
}
