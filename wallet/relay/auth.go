package relay

import (
	"crypto/ecdsa"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"net"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/ethereum/go-ethereum/accounts"
	"github.com/ethereum/go-ethereum/common"
	"github.com/ethereum/go-ethereum/crypto"
)

const (
	authScheme  = "HW-Sig"
	authVersion = "healthwallet-relay-auth/v2"
	nonceSize   = 16
	// maxNonceLen bounds the nonce a client may send (base64url text).
	maxNonceLen = 64
)

// Purposes of signed requests: each management route checks its own, so a
// signature made for one kind of request is refused by every other.
const (
	PurposeUpload    = "healthwallet-relay-v1 upload"
	PurposeList      = "healthwallet-relay-v1 list"
	PurposeRevoke    = "healthwallet-relay-v1 revoke"
	PurposeAccessLog = "healthwallet-relay-v1 access-log"
	// PurposeReplace replaces a care copy's files (the patient's sync).
	PurposeReplace = "healthwallet-relay-v1 replace-files"
	// PurposeBlobUpload and PurposeBlobDelete store and delete an opaque
	// blob (a sealed invitation).
	PurposeBlobUpload = "healthwallet-relay-v1 blob-upload"
	PurposeBlobDelete = "healthwallet-relay-v1 blob-delete"
)

// CanonicalRequest is the text a management request's signature covers: a
// version line, then the relay's public origin (see [Origin]), the request's
// purpose (one of the Purpose constants), the method, the path with its
// query (as sent: the path under the relay's root), the hex SHA-256 of the
// body, the Unix timestamp and the nonce, each on its own line. The origin
// binds the signature to one relay: replayed to another, it is refused.
func CanonicalRequest(origin, purpose, method, pathAndQuery string, body []byte, ts int64, nonce string) string {
	sum := sha256.Sum256(body)
	return strings.Join([]string{authVersion, origin, purpose, method, pathAndQuery, hex.EncodeToString(sum[:]), strconv.FormatInt(ts, 10), nonce}, "\n")
}

// Origin is the canonical origin of a relay's URL: lower-case
// scheme://host[:port], the port left out when it is the scheme's default.
func Origin(u *url.URL) string {
	scheme, host := strings.ToLower(u.Scheme), strings.ToLower(u.Host)
	if h, port, err := net.SplitHostPort(host); err == nil && (scheme == "https" && port == "443" || scheme == "http" && port == "80") {
		host = h
		if strings.Contains(h, ":") {
			host = "[" + h + "]"
		}
	}
	return scheme + "://" + host
}

// signRequest builds the Authorization header value for a request to the
// relay at origin: an EIP-191 personal_sign by key over CanonicalRequest.
func signRequest(key *ecdsa.PrivateKey, origin, purpose, method, pathAndQuery string, body []byte, now time.Time) (string, error) {
	nb := make([]byte, nonceSize)
	if _, err := rand.Read(nb); err != nil {
		return "", fmt.Errorf("relay: reading randomness: %w", err)
	}
	nonce := base64.RawURLEncoding.EncodeToString(nb)
	ts := now.Unix()
	sig, err := crypto.Sign(accounts.TextHash([]byte(CanonicalRequest(origin, purpose, method, pathAndQuery, body, ts, nonce))), key)
	if err != nil {
		return "", fmt.Errorf("relay: signing the request: %w", err)
	}
	sig[crypto.RecoveryIDOffset] += 27 // personal_sign's v, as wallets produce it
	return fmt.Sprintf("%s ts=%d,nonce=%s,sig=0x%s", authScheme, ts, nonce, hex.EncodeToString(sig)), nil
}

// errUnauthenticated is a management request whose signature is missing,
// malformed, stale, replayed or does not recover: answered 401.
var errUnauthenticated = errors.New("unauthenticated")

func unauthenticated(msg string) error { return fmt.Errorf("%w: %s", errUnauthenticated, msg) }

// authHeader is a parsed Authorization header.
type authHeader struct {
	ts    int64
	nonce string
	sig   []byte
}

func parseAuthHeader(h string) (authHeader, error) {
	var a authHeader
	rest, ok := strings.CutPrefix(h, authScheme+" ")
	if !ok {
		return a, unauthenticated("sign the request: Authorization: " + authScheme + " ts=…,nonce=…,sig=…")
	}
	seen := map[string]bool{}
	for _, kv := range strings.Split(rest, ",") {
		k, v, ok := strings.Cut(strings.TrimSpace(kv), "=")
		if !ok || seen[k] {
			return a, unauthenticated("malformed Authorization header")
		}
		seen[k] = true
		switch k {
		case "ts":
			ts, err := strconv.ParseInt(v, 10, 64)
			if err != nil {
				return a, unauthenticated("malformed timestamp")
			}
			a.ts = ts
		case "nonce":
			if len(v) < 16 || len(v) > maxNonceLen {
				return a, unauthenticated("the nonce must be 16 to 64 characters")
			}
			a.nonce = v
		case "sig":
			sig, err := hex.DecodeString(strings.TrimPrefix(v, "0x"))
			if err != nil || len(sig) != crypto.SignatureLength {
				return a, unauthenticated("the signature must be 65 bytes of hex")
			}
			a.sig = sig
		}
	}
	if !seen["ts"] || !seen["nonce"] || !seen["sig"] {
		return a, unauthenticated("the Authorization header needs ts, nonce and sig")
	}
	return a, nil
}

// recoverSigner checks the header's timestamp against now (±skew) and
// returns the address that signed the request for origin and purpose (a
// signature made for another relay or another purpose recovers another
// address, which then owns nothing here). It does not check the nonce;
// the caller records it (after the signature is known good, so strangers
// cannot fill the nonce store).
func recoverSigner(h, origin, purpose, method, pathAndQuery string, body []byte, now time.Time, skew time.Duration) (common.Address, authHeader, error) {
	a, err := parseAuthHeader(h)
	if err != nil {
		return common.Address{}, a, err
	}
	if d := now.Sub(time.Unix(a.ts, 0)); d > skew || d < -skew {
		return common.Address{}, a, unauthenticated("the request's timestamp is more than " + skew.String() + " from the relay's clock: check the clock and sign again")
	}
	sig := append([]byte(nil), a.sig...)
	if v := sig[crypto.RecoveryIDOffset]; v == 27 || v == 28 {
		sig[crypto.RecoveryIDOffset] -= 27
	}
	hash := accounts.TextHash([]byte(CanonicalRequest(origin, purpose, method, pathAndQuery, body, a.ts, a.nonce)))
	pub, err := crypto.SigToPub(hash, sig)
	if err != nil {
		return common.Address{}, a, unauthenticated("the signature does not recover a signer")
	}
	return crypto.PubkeyToAddress(*pub), a, nil
}
