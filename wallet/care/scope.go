package care

import (
	"bytes"
	"crypto/ecdsa"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math/big"
	"slices"
	"unicode/utf8"

	"github.com/ethereum/go-ethereum/common"
	"github.com/ethereum/go-ethereum/common/hexutil"
	"github.com/ethereum/go-ethereum/crypto"

	"healthwallet/chain/contracts"
	"healthwallet/wallet/identity"
	"healthwallet/wallet/record"
)

// Rights a scope gives, by name (DESIGN §6: VIEW=1, SHARE=2, MANAGE=4).
const (
	RightView   = "view"
	RightShare  = "share"
	RightManage = "manage"
)

// Limits of a scope document.
const (
	scopeVersion = 1
	// MaxScopeSize bounds a signed scope's JSON.
	MaxScopeSize = 16 << 10
	// maxTypes bounds the FHIR types a scope lists.
	maxTypes = 64
	// maxTypeLen bounds one FHIR type name.
	maxTypeLen = 64
)

// scopeDomain starts the hashed bytes of every scope, so that a scope hash
// can never be another message's digest.
const scopeDomain = "HealthWallet delegation scope v1"

// ErrBadScope is wrapped by every error about a scope document's form.
var ErrBadScope = errors.New("invalid delegation scope")

// ErrScopeSignature: the scope is well formed but not signed by the patient
// it names — altered or forged.
var ErrScopeSignature = errors.New("the delegation scope is not signed by its patient")

// Scope is a delegation's terms, as the patient signs them: who delegates to
// whom, which rights, which records and until when. Types and Categories
// (record.Category… names) select records; a record is in scope when its
// FHIR type is in Types or its category in Categories; both empty mean every
// record. Times are Unix seconds.
type Scope struct {
	V            int            `json:"v"`
	Patient      common.Address `json:"patient"`
	Delegate     common.Address `json:"delegate"`
	Rights       []string       `json:"rights"`
	Types        []string       `json:"types,omitempty"`
	Categories   []string       `json:"categories,omitempty"`
	Expiry       uint64         `json:"expiry"`
	PatientName  string         `json:"patientName"`
	DelegateName string         `json:"delegateName"`
	Issued       uint64         `json:"issued"`
}

// NormalizeRights returns rights as a scope holds them: known names only,
// each once, in the order view, share, manage, view always included (the
// other rights imply it).
func NormalizeRights(rights []string) ([]string, error) {
	out := []string{RightView}
	for _, r := range rights {
		switch r {
		case RightView, RightShare, RightManage:
		default:
			return nil, fmt.Errorf("%w: unknown right %q (known: view, share, manage)", ErrBadScope, r)
		}
	}
	for _, r := range []string{RightShare, RightManage} {
		if slices.Contains(rights, r) {
			out = append(out, r)
		}
	}
	return out, nil
}

// Check reports what makes the scope malformed: wrong version, zero
// addresses, unknown or repeated rights, bad types or categories, expiry not
// after issue, names a card would refuse. It does not check the signature.
func (s Scope) Check() error {
	switch {
	case s.V != scopeVersion:
		return fmt.Errorf("%w: version %d; this app reads version %d (update it for newer scopes)", ErrBadScope, s.V, scopeVersion)
	case s.Patient == (common.Address{}):
		return fmt.Errorf("%w: no patient", ErrBadScope)
	case s.Delegate == (common.Address{}):
		return fmt.Errorf("%w: no delegate", ErrBadScope)
	case s.Delegate == s.Patient:
		return fmt.Errorf("%w: the patient cannot be their own delegate", ErrBadScope)
	case s.Expiry <= s.Issued:
		return fmt.Errorf("%w: the expiry is not after the issue time", ErrBadScope)
	case len(s.Rights) == 0:
		return fmt.Errorf("%w: no rights", ErrBadScope)
	}
	norm, err := NormalizeRights(s.Rights)
	if err != nil {
		return err
	}
	if !slices.Equal(norm, s.Rights) {
		return fmt.Errorf("%w: rights %v are not in their normal form %v", ErrBadScope, s.Rights, norm)
	}
	if len(s.Types) > maxTypes {
		return fmt.Errorf("%w: %d types, at most %d", ErrBadScope, len(s.Types), maxTypes)
	}
	for i, t := range s.Types {
		if !validType(t) || slices.Contains(s.Types[:i], t) {
			return fmt.Errorf("%w: type %q is not a FHIR resource type name, or is listed twice", ErrBadScope, printable(t))
		}
	}
	if len(s.Categories) > len(record.AllCategories) {
		return fmt.Errorf("%w: %d categories, there are %d", ErrBadScope, len(s.Categories), len(record.AllCategories))
	}
	for i, c := range s.Categories {
		if !slices.Contains(record.AllCategories, c) || slices.Contains(s.Categories[:i], c) {
			return fmt.Errorf("%w: category %q is unknown or listed twice (known: %v)", ErrBadScope, printable(c), record.AllCategories)
		}
	}
	for _, n := range []string{s.PatientName, s.DelegateName} {
		if err := identity.CheckDisplayName(n); err != nil {
			return fmt.Errorf("%w: %w", ErrBadScope, err)
		}
	}
	return nil
}

// validType: a FHIR resource type name, [A-Z][A-Za-z]*.
func validType(t string) bool {
	if t == "" || len(t) > maxTypeLen || t[0] < 'A' || t[0] > 'Z' {
		return false
	}
	for _, c := range []byte(t) {
		if !(c >= 'A' && c <= 'Z' || c >= 'a' && c <= 'z') {
			return false
		}
	}
	return true
}

func printable(s string) string {
	if len(s) > 40 {
		s = s[:40] + "…"
	}
	if !utf8.ValidString(s) {
		return fmt.Sprintf("%x", s)
	}
	return s
}

// canonical is the scope's JSON in JCS form.
func (s Scope) canonical() ([]byte, error) {
	raw, err := json.Marshal(s)
	if err != nil {
		return nil, fmt.Errorf("%w: %v", ErrBadScope, err)
	}
	c, err := record.Canonical(raw)
	if err != nil {
		return nil, fmt.Errorf("%w: %v", ErrBadScope, err)
	}
	return c, nil
}

// Hash is keccak256("HealthWallet delegation scope v1" ‖ JCS(scope JSON)):
// what the registry's delegation commits to and what the patient signs.
func (s Scope) Hash() (common.Hash, error) {
	c, err := s.canonical()
	if err != nil {
		return common.Hash{}, err
	}
	return crypto.Keccak256Hash([]byte(scopeDomain), c), nil
}

// RightsMask is the rights as the registry holds them (VIEW=1, SHARE=2,
// MANAGE=4).
func (s Scope) RightsMask() uint8 {
	var m uint8
	for _, r := range s.Rights {
		switch r {
		case RightView:
			m |= contracts.RightView
		case RightShare:
			m |= contracts.RightShare
		case RightManage:
			m |= contracts.RightManage
		}
	}
	return m
}

// Has reports whether the scope gives right.
func (s Scope) Has(right string) bool { return slices.Contains(s.Rights, right) }

// Covers reports whether a record of resourceType in category is in scope.
func (s Scope) Covers(resourceType, category string) bool {
	if len(s.Types) == 0 && len(s.Categories) == 0 {
		return true
	}
	return slices.Contains(s.Types, resourceType) || slices.Contains(s.Categories, category)
}

// CoversResource reports whether the FHIR resource (its JSON) is in scope:
// its type and its category are read from the resource itself
// (record.Summarize), never taken from a label beside it. Unreadable JSON is
// not in scope.
func (s Scope) CoversResource(raw json.RawMessage) bool {
	var head struct {
		ResourceType string `json:"resourceType"`
	}
	if json.Unmarshal(raw, &head) != nil || head.ResourceType == "" {
		return false
	}
	sum := record.Summarize(record.Resource{Type: head.ResourceType, Raw: raw})
	return s.Covers(head.ResourceType, sum.Category)
}

// SignedScope is a scope with the patient's signature over its Hash (65
// bytes [R ‖ S ‖ V], V in {0, 1}, as crypto.Sign makes it).
type SignedScope struct {
	Scope     Scope         `json:"scope"`
	Signature hexutil.Bytes `json:"signature"`
}

// SignScope checks s and signs its hash with the patient's key, which must be
// the key of s.Patient.
func SignScope(s Scope, key *ecdsa.PrivateKey) (SignedScope, error) {
	if err := s.Check(); err != nil {
		return SignedScope{}, err
	}
	if crypto.PubkeyToAddress(key.PublicKey) != s.Patient {
		return SignedScope{}, fmt.Errorf("%w: the signing key is not the patient's", ErrBadScope)
	}
	h, err := s.Hash()
	if err != nil {
		return SignedScope{}, err
	}
	sig, err := crypto.Sign(h[:], key)
	if err != nil {
		return SignedScope{}, fmt.Errorf("care: signing the scope: %w", err)
	}
	return SignedScope{Scope: s, Signature: sig}, nil
}

// Verify checks the scope's form and that its signature recovers the patient
// it names, and returns the patient. Errors wrap [ErrBadScope] or
// [ErrScopeSignature].
func (ss SignedScope) Verify() (patient common.Address, err error) {
	if err := ss.Scope.Check(); err != nil {
		return common.Address{}, err
	}
	sig := ss.Signature
	if len(sig) != crypto.SignatureLength {
		return common.Address{}, fmt.Errorf("%w: the signature is %d bytes, not %d", ErrScopeSignature, len(sig), crypto.SignatureLength)
	}
	r, s := new(big.Int).SetBytes(sig[:32]), new(big.Int).SetBytes(sig[32:64])
	if !crypto.ValidateSignatureValues(sig[64], r, s, true) {
		return common.Address{}, fmt.Errorf("%w: the signature is malformed", ErrScopeSignature)
	}
	h, err := ss.Scope.Hash()
	if err != nil {
		return common.Address{}, err
	}
	pub, err := crypto.SigToPub(h[:], sig)
	if err != nil {
		return common.Address{}, fmt.Errorf("%w: %v", ErrScopeSignature, err)
	}
	if signer := crypto.PubkeyToAddress(*pub); signer != ss.Scope.Patient {
		return common.Address{}, fmt.Errorf("%w: signed by %s, not by the patient %s: it was altered or forged", ErrScopeSignature, signer.Hex(), ss.Scope.Patient.Hex())
	}
	return ss.Scope.Patient, nil
}

// Marshal encodes the signed scope as JSON.
func (ss SignedScope) Marshal() ([]byte, error) {
	b, err := json.Marshal(ss)
	if err != nil {
		return nil, fmt.Errorf("%w: %v", ErrBadScope, err)
	}
	return b, nil
}

// ParseSignedScope reads a signed scope strictly (at most [MaxScopeSize]
// bytes, no unknown fields, nothing after it) and verifies it. Errors wrap
// [ErrBadScope] or [ErrScopeSignature].
func ParseSignedScope(data []byte) (SignedScope, error) {
	if len(data) > MaxScopeSize {
		return SignedScope{}, fmt.Errorf("%w: %d bytes, at most %d", ErrBadScope, len(data), MaxScopeSize)
	}
	var ss SignedScope
	if err := strictDecode(data, &ss); err != nil {
		return SignedScope{}, fmt.Errorf("%w: %v", ErrBadScope, err)
	}
	if _, err := ss.Verify(); err != nil {
		return SignedScope{}, err
	}
	return ss, nil
}

// strictDecode decodes one JSON value into v, refusing unknown fields and
// anything after the value.
func strictDecode(data []byte, v any) error {
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		return err
	}
	if _, err := dec.Token(); err != io.EOF {
		return errors.New("data after the JSON value")
	}
	return nil
}
