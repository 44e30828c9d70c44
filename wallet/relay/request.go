package relay

import (
	"bytes"
	"crypto/ecdh"
	"crypto/ecdsa"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/ethereum/go-ethereum/common"

	"healthwallet/wallet/identity"
)

// Limits on what strangers may send in a manifest request.
const (
	maxRecipientChars = 500
	maxPurposeChars   = 100
	maxPasscodeBytes  = 256
	maxContentType    = 100
	sharingKeySize    = 32
)

// Flags of a share, as in the SHL payload's `flag`.
const (
	// FlagLongTerm (L): the link is meant for long-term use.
	FlagLongTerm = "L"
	// FlagPasscode (P): the manifest request needs the passcode.
	FlagPasscode = "P"
	// FlagDirect (U): the manifest URL answers GET with the share's single file.
	FlagDirect = "U"
)

// File is one encrypted file of a share: a compact JWE (alg dir, enc A256GCM,
// as the SHL spec has it) and the content type of what it encrypts.
type File struct {
	ContentType string `json:"contentType"`
	JWE         string `json:"jwe"`
}

// errBadRequest marks a request the client must fix: answered with 400.
var errBadRequest = errors.New("bad request")

func badRequest(format string, args ...any) error {
	return fmt.Errorf("%w: %s", errBadRequest, fmt.Sprintf(format, args...))
}

// manifestRequest is a parsed SHL manifest request (or the query of a U-flag
// GET).
type manifestRequest struct {
	Recipient         string
	Passcode          *string // nil when absent
	EmbeddedLengthMax *int64  // nil when absent
	Purpose           string  // our extension; empty when absent
}

type manifestRequestJSON struct {
	Recipient         *string `json:"recipient"`
	Passcode          *string `json:"passcode"`
	EmbeddedLengthMax *int64  `json:"embeddedLengthMax"`
	Purpose           *string `json:"purpose"`
}

// parseManifestRequest parses the body of a manifest POST. Unknown fields are
// ignored, as the spec asks.
func parseManifestRequest(body []byte) (manifestRequest, error) {
	var raw manifestRequestJSON
	if err := decodeJSONObject(body, &raw); err != nil {
		return manifestRequest{}, err
	}
	if raw.Recipient == nil {
		return manifestRequest{}, badRequest("recipient is required: a description of who is asking, shown to the patient")
	}
	req := manifestRequest{Passcode: raw.Passcode, EmbeddedLengthMax: raw.EmbeddedLengthMax}
	var err error
	if req.Recipient, err = checkRecipient(*raw.Recipient); err != nil {
		return manifestRequest{}, err
	}
	if raw.Purpose != nil {
		if req.Purpose, err = checkPurpose(*raw.Purpose); err != nil {
			return manifestRequest{}, err
		}
	}
	if req.EmbeddedLengthMax != nil && *req.EmbeddedLengthMax < 0 {
		return manifestRequest{}, badRequest("embeddedLengthMax must not be negative")
	}
	if req.Passcode != nil && len(*req.Passcode) > maxPasscodeBytes {
		return manifestRequest{}, badRequest("passcode is longer than %d bytes", maxPasscodeBytes)
	}
	return req, nil
}

// decodeJSONObject decodes exactly one JSON object into v.
func decodeJSONObject(body []byte, v any) error {
	dec := json.NewDecoder(bytes.NewReader(body))
	if err := dec.Decode(v); err != nil {
		return badRequest("the body is not the JSON object expected: %v", err)
	}
	if dec.More() {
		return badRequest("the body holds more than one JSON value")
	}
	if t := bytes.TrimSpace(body); len(t) == 0 || t[0] != '{' {
		return badRequest("the body must be a JSON object")
	}
	return nil
}

func checkRecipient(s string) (string, error) {
	s = strings.TrimSpace(s)
	if s == "" {
		return "", badRequest("recipient is empty: describe who is asking")
	}
	if err := checkText(s, maxRecipientChars); err != nil {
		return "", badRequest("recipient: %v", err)
	}
	return s, nil
}

func checkPurpose(s string) (string, error) {
	s = strings.TrimSpace(s)
	if err := checkText(s, maxPurposeChars); err != nil {
		return "", badRequest("purpose: %v", err)
	}
	return s, nil
}

// checkText refuses invalid UTF-8, control characters and overlong text: what
// the patient's screen will show must be text.
func checkText(s string, maxChars int) error {
	if !utf8.ValidString(s) {
		return errors.New("not valid UTF-8")
	}
	if n := utf8.RuneCountInString(s); n > maxChars {
		return fmt.Errorf("%d characters, at most %d", n, maxChars)
	}
	for _, r := range s {
		if unicode.IsControl(r) {
			return errors.New("holds control characters")
		}
	}
	return nil
}

// CreateRequest is what a wallet uploads to make a share.
type CreateRequest struct {
	// Files are the encrypted files, in manifest order. A U-flag share has
	// exactly one.
	Files []File
	// Flag is the SHL flag string: letters from L, P, U in alphabetical order
	// ("", "L", "LP", "U", …). P needs Passcode; U excludes P.
	Flag string
	// Expires is when the relay stops serving and shreds the files.
	Expires time.Time
	// Passcode is required with flag P and refused without it. The relay
	// keeps only an Argon2id hash.
	Passcode string
	// MaxFailures is the lifetime limit of wrong passcodes; 0 means the
	// relay's default (10).
	MaxFailures int
	// GrantDigest is the EIP-712 digest of the share's grant, checked on chain
	// on every request. Zero for a care copy (Delegate set).
	GrantDigest [32]byte
	// SharingKey is the patient's X25519 sharing public key: the access log
	// is sealed to it.
	SharingKey *ecdh.PublicKey
	// Patient is whose share it is. Zero: the signer's own. Another address
	// makes a caregiver's copy: the signer must hold SHARE for the patient
	// on chain, and the relay must check a chain.
	Patient common.Address
	// Delegate makes the share the patient's care copy for that delegate
	// (a caregiver's relationship address): it has no grant (GrantDigest
	// zero), the patient must sign it, and the relay serves it only while
	// the chain holds the patient's delegation to Delegate active, and
	// deletes its files once the delegation is revoked or expired. Only a
	// relay that checks a chain takes care copies.
	Delegate common.Address
	// EmergencyKey, when set, makes an emergency share: the grant's access
	// key (share.AccessKey of the link key), with which the relay records
	// every opening on chain (breakglass.go). The relay must have a chain
	// and a submitter.
	EmergencyKey *ecdsa.PrivateKey
}

// createRequestJSON is the wire form of POST /api/shares.
type createRequestJSON struct {
	Patient     string `json:"patient"`               // 0x address; must be the signer
	GrantDigest string `json:"grantDigest,omitempty"` // 0x + 64 hex; absent for a care copy
	Delegate    string `json:"delegate,omitempty"`    // 0x address: a care copy for this delegate
	SharingKey  string `json:"sharingKey"`            // base64url (no padding) of 32 bytes
	Flag        string `json:"flag,omitempty"`
	Expires     int64  `json:"expires"` // Unix seconds
	Passcode    string `json:"passcode,omitempty"`
	MaxFailures int    `json:"maxFailures,omitempty"`
	Files       []File `json:"files"`
	// EmergencyKey: base64url of the 32-byte access key; emergency shares only.
	EmergencyKey string `json:"emergencyKey,omitempty"`
}

// createRequest is a parsed, checked create request.
type createRequest struct {
	Patient     common.Address
	Delegate    common.Address // zero unless a care copy
	GrantDigest [32]byte
	SharingKey  []byte
	Flag        string
	Expires     time.Time
	Passcode    string
	MaxFailures int
	Files       []File
	// EmergencyKey is the grant's access key of an emergency share.
	EmergencyKey []byte
}

// parseCreateRequest parses and checks the body of POST /api/shares against
// the limits, at time now.
func parseCreateRequest(body []byte, now time.Time, lim Limits) (createRequest, error) {
	var raw createRequestJSON
	if err := decodeJSONObject(body, &raw); err != nil {
		return createRequest{}, err
	}
	var req createRequest
	if !common.IsHexAddress(raw.Patient) {
		return createRequest{}, badRequest("patient must be a 0x-prefixed 20-byte hex address")
	}
	req.Patient = common.HexToAddress(raw.Patient)
	var err error
	if raw.Delegate != "" {
		// A care copy: the delegation on chain is its consent, not a grant.
		if req.Delegate, err = parseDelegate(raw.Delegate, req.Patient); err != nil {
			return createRequest{}, err
		}
		if raw.GrantDigest != "" {
			return createRequest{}, badRequest("a care copy (delegate given) has no grant: leave grantDigest out")
		}
	} else {
		digest, err := parseHash(raw.GrantDigest)
		if err != nil {
			return createRequest{}, badRequest("grantDigest: %v", err)
		}
		if digest == ([32]byte{}) {
			return createRequest{}, badRequest("grantDigest is zero: give the digest of the share's grant")
		}
		req.GrantDigest = digest
	}
	key, err := base64.RawURLEncoding.DecodeString(raw.SharingKey)
	if err != nil || len(key) != sharingKeySize {
		return createRequest{}, badRequest("sharingKey must be the base64url form of a 32-byte X25519 public key")
	}
	// The same check as an identity card's key: a low-order point would make
	// every sealed access log entry unopenable.
	if err := identity.CheckSharingKey(key); err != nil {
		return createRequest{}, badRequest("sharingKey: %v", err)
	}
	req.SharingKey = key
	if req.Flag, err = checkFlag(raw.Flag); err != nil {
		return createRequest{}, err
	}
	if raw.Expires <= 0 {
		return createRequest{}, badRequest("expires is required: Unix seconds")
	}
	req.Expires = time.Unix(raw.Expires, 0)
	if !req.Expires.After(now) {
		return createRequest{}, badRequest("expires is in the past")
	}
	if req.Expires.Sub(now) > lim.MaxTTL {
		return createRequest{}, badRequest("expires is more than %v away; this relay keeps shares at most that long", lim.MaxTTL)
	}
	hasP := strings.Contains(req.Flag, FlagPasscode)
	switch {
	case hasP && raw.Passcode == "":
		return createRequest{}, badRequest("flag P needs a passcode")
	case !hasP && raw.Passcode != "":
		return createRequest{}, badRequest("a passcode was given without flag P; add P to the flag or drop the passcode")
	case len(raw.Passcode) > maxPasscodeBytes:
		return createRequest{}, badRequest("passcode is longer than %d bytes", maxPasscodeBytes)
	}
	req.Passcode = raw.Passcode
	switch {
	case raw.MaxFailures < 0:
		return createRequest{}, badRequest("maxFailures must not be negative")
	case raw.MaxFailures == 0:
		req.MaxFailures = lim.DefaultMaxFailures
	case raw.MaxFailures > lim.MaxMaxFailures:
		return createRequest{}, badRequest("maxFailures is above this relay's limit of %d", lim.MaxMaxFailures)
	default:
		req.MaxFailures = raw.MaxFailures
	}
	if err := checkFiles(raw.Files, req.Flag, lim); err != nil {
		return createRequest{}, err
	}
	req.Files = raw.Files
	if req.EmergencyKey, err = parseEmergencyKey(raw.EmergencyKey); err != nil {
		return createRequest{}, err
	}
	if req.EmergencyKey != nil && req.Delegate != (common.Address{}) {
		return createRequest{}, badRequest("a care copy (delegate given) is not an emergency share: leave emergencyKey out")
	}
	return req, nil
}

// checkFiles checks a share's files against the limits and its flag.
func checkFiles(files []File, flag string, lim Limits) error {
	if len(files) == 0 {
		return badRequest("a share needs at least one file")
	}
	if len(files) > lim.MaxFiles {
		return badRequest("%d files, at most %d", len(files), lim.MaxFiles)
	}
	if strings.Contains(flag, FlagDirect) && len(files) != 1 {
		return badRequest("flag U serves a single file; this share has %d", len(files))
	}
	for i, f := range files {
		if err := checkContentType(f.ContentType); err != nil {
			return badRequest("file %d: %v", i, err)
		}
		if int64(len(f.JWE)) > lim.MaxFileSize {
			return badRequest("file %d: %d bytes, at most %d", i, len(f.JWE), lim.MaxFileSize)
		}
		if err := checkCompactJWE(f.JWE); err != nil {
			return badRequest("file %d: %v", i, err)
		}
	}
	return nil
}

// parseDelegate reads a care copy's delegate: an address, neither zero nor
// the patient's own.
func parseDelegate(s string, patient common.Address) (common.Address, error) {
	if !common.IsHexAddress(s) || !strings.HasPrefix(s, "0x") {
		return common.Address{}, badRequest("delegate must be a 0x-prefixed 20-byte hex address")
	}
	d := common.HexToAddress(s)
	switch d {
	case common.Address{}:
		return d, badRequest("delegate is the zero address: name the caregiver's address for this patient")
	case patient:
		return d, badRequest("delegate is the patient itself: a care copy is for a caregiver")
	}
	return d, nil
}

func parseHash(s string) ([32]byte, error) {
	var h [32]byte
	if !strings.HasPrefix(s, "0x") || len(s) != 66 {
		return h, errors.New("want 0x and 64 hex digits")
	}
	for _, c := range s[2:] {
		if !isHexDigit(c) {
			return h, errors.New("want 0x and 64 hex digits")
		}
	}
	copy(h[:], common.FromHex(s))
	return h, nil
}

func isHexDigit(c rune) bool {
	return ('0' <= c && c <= '9') || ('a' <= c && c <= 'f') || ('A' <= c && c <= 'F')
}

// checkFlag accepts the flag letters this relay knows, in the spec's
// alphabetical order, without repeats, and refuses P with U (the spec forbids
// it).
func checkFlag(f string) (string, error) {
	prev := rune(0)
	for _, r := range f {
		if r != 'L' && r != 'P' && r != 'U' {
			return "", badRequest("flag %q: only L, P and U are known", f)
		}
		if r <= prev {
			return "", badRequest("flag %q: letters must be in alphabetical order, each once", f)
		}
		prev = r
	}
	if strings.Contains(f, FlagPasscode) && strings.Contains(f, FlagDirect) {
		return "", badRequest("flag %q: U cannot be combined with P", f)
	}
	return f, nil
}

// checkContentType wants a media type of the form type/subtype[+suffix].
func checkContentType(ct string) error {
	if ct == "" || len(ct) > maxContentType {
		return fmt.Errorf("contentType must be a media type of at most %d characters", maxContentType)
	}
	slash := 0
	for _, c := range ct {
		switch {
		case c == '/':
			slash++
		case 'a' <= c && c <= 'z', 'A' <= c && c <= 'Z', '0' <= c && c <= '9', strings.ContainsRune("+-.", c):
		default:
			return fmt.Errorf("contentType %q is not a media type", ct)
		}
	}
	if slash != 1 || strings.HasPrefix(ct, "/") || strings.HasSuffix(ct, "/") {
		return fmt.Errorf("contentType %q is not a media type", ct)
	}
	return nil
}

// checkCompactJWE checks the shape of a compact JWE: five base64url parts, a
// protected header that is a JSON object. It cannot check more: the key is not
// the relay's to have.
func checkCompactJWE(s string) error {
	parts := strings.Split(s, ".")
	if len(parts) != 5 {
		return errors.New("jwe is not a compact JWE (five dot-separated parts)")
	}
	for _, p := range parts {
		for _, c := range p {
			if !('a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' || c == '-' || c == '_') {
				return errors.New("jwe holds characters outside base64url")
			}
		}
	}
	hdr, err := base64.RawURLEncoding.DecodeString(parts[0])
	if err != nil {
		return errors.New("jwe header is not base64url")
	}
	var m map[string]any
	if err := json.Unmarshal(hdr, &m); err != nil {
		return errors.New("jwe header is not a JSON object")
	}
	if parts[3] == "" {
		return errors.New("jwe has no ciphertext")
	}
	return nil
}
