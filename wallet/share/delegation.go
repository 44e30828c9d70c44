package share

import (
	"crypto/ecdsa"
	"crypto/rand"
	"encoding/json"
	"errors"
	"fmt"
	"math/big"
	"slices"
	"time"

	"github.com/ethereum/go-ethereum/common"
	"github.com/ethereum/go-ethereum/common/hexutil"
	"github.com/ethereum/go-ethereum/crypto"

	"healthwallet/chain/contracts"
	"healthwallet/wallet/identity"
	"healthwallet/wallet/record"
)

// This file: the delegation scope document (issue 9, DESIGN §8; written
// with wallet/care, which names these Scope and SignedScope). A patient who
// delegates signs a scope document naming the delegate, the rights, the
// records (FHIR types or record categories) and the expiry; the delegation
// on chain commits to its hash. The caregiver's copy carries it, and so does
// the proof file of a share a delegate makes, so that a doctor can check
// every record of the share against it. It lives here, in the lower of the
// two packages, so that both use this one definition.

// Rights a scope gives, by name (DESIGN §6: VIEW=1, SHARE=2, MANAGE=4).
const (
	DelegateRightView   = "view"
	DelegateRightShare  = "share"
	DelegateRightManage = "manage"
)

// Limits of a scope document.
const (
	DelegationScopeVersion = 1
	// MaxDelegationScopeSize bounds a signed scope's JSON.
	MaxDelegationScopeSize = 16 << 10
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
// record. Times are Unix seconds. Salt is 32 random bytes the patient's
// wallet draws for every scope it makes ([NewScopeSalt]): every other field
// is on chain or easy to guess, so without it anyone could confirm a guessed
// caregiver or patient name by hashing candidates against the on-chain
// scope hash. A scope without a salt is refused.
type DelegationScope struct {
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
	Salt         common.Hash    `json:"salt"`
}

// NewScopeSalt draws a scope's salt: 32 bytes from the system's random
// source, never zero.
func NewScopeSalt() (common.Hash, error) {
	var h common.Hash
	for h == (common.Hash{}) {
		if _, err := rand.Read(h[:]); err != nil {
			return common.Hash{}, fmt.Errorf("drawing the delegation scope's salt: %w", err)
		}
	}
	return h, nil
}

// NormalizeRights returns rights as a scope holds them: known names only,
// each once, in the order view, share, manage, view always included (the
// other rights imply it).
func NormalizeRights(rights []string) ([]string, error) {
	out := []string{DelegateRightView}
	for _, r := range rights {
		switch r {
		case DelegateRightView, DelegateRightShare, DelegateRightManage:
		default:
			return nil, fmt.Errorf("%w: unknown right %q (known: view, share, manage)", ErrBadScope, r)
		}
	}
	for _, r := range []string{DelegateRightShare, DelegateRightManage} {
		if slices.Contains(rights, r) {
			out = append(out, r)
		}
	}
	return out, nil
}

// Check reports what makes the scope malformed: wrong version, zero
// addresses, no salt, unknown or repeated rights, bad types or categories,
// expiry not after issue, names a card would refuse. It does not check the
// signature.
func (s DelegationScope) Check() error {
	switch {
	case s.V != DelegationScopeVersion:
		return fmt.Errorf("%w: version %d; this app reads version %d (update it for newer scopes)", ErrBadScope, s.V, DelegationScopeVersion)
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
	case s.Salt == (common.Hash{}):
		return fmt.Errorf("%w: no salt (without one, its hash on chain would confirm guessed names): it was not made by a current Health Wallet; ask the patient to delegate again", ErrBadScope)
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
			return fmt.Errorf("%w: type %q is not a FHIR resource type name, or is listed twice", ErrBadScope, printable([]byte(t), 40))
		}
	}
	if len(s.Categories) > len(record.AllCategories) {
		return fmt.Errorf("%w: %d categories, there are %d", ErrBadScope, len(s.Categories), len(record.AllCategories))
	}
	for i, c := range s.Categories {
		if !slices.Contains(record.AllCategories, c) || slices.Contains(s.Categories[:i], c) {
			return fmt.Errorf("%w: category %q is unknown or listed twice (known: %v)", ErrBadScope, printable([]byte(c), 40), record.AllCategories)
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

// canonical is the scope's JSON in JCS form.
func (s DelegationScope) canonical() ([]byte, error) {
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
// what the registry's delegation commits to and what the patient signs. The
// salt is among the hashed members, so the hash confirms no guessed name.
func (s DelegationScope) Hash() (common.Hash, error) {
	c, err := s.canonical()
	if err != nil {
		return common.Hash{}, err
	}
	return crypto.Keccak256Hash([]byte(scopeDomain), c), nil
}

// RightsMask is the rights as the registry holds them (VIEW=1, SHARE=2,
// MANAGE=4).
func (s DelegationScope) RightsMask() uint8 {
	var m uint8
	for _, r := range s.Rights {
		switch r {
		case DelegateRightView:
			m |= contracts.RightView
		case DelegateRightShare:
			m |= contracts.RightShare
		case DelegateRightManage:
			m |= contracts.RightManage
		}
	}
	return m
}

// Has reports whether the scope gives right.
func (s DelegationScope) Has(right string) bool { return slices.Contains(s.Rights, right) }

// Covers reports whether a record of resourceType in category is in scope.
func (s DelegationScope) Covers(resourceType, category string) bool {
	if len(s.Types) == 0 && len(s.Categories) == 0 {
		return true
	}
	return slices.Contains(s.Types, resourceType) || slices.Contains(s.Categories, category)
}

// CoversResource reports whether the FHIR resource (its JSON) is in scope:
// its type and its category are read from the resource itself
// (record.Summarize), never taken from a label beside it. Unreadable JSON is
// not in scope.
func (s DelegationScope) CoversResource(raw json.RawMessage) bool {
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
type SignedDelegationScope struct {
	Scope     DelegationScope `json:"scope"`
	Signature hexutil.Bytes   `json:"signature"`
}

// SignScope checks s and signs its hash with the patient's key, which must be
// the key of s.Patient.
func SignDelegationScope(s DelegationScope, key *ecdsa.PrivateKey) (SignedDelegationScope, error) {
	if err := s.Check(); err != nil {
		return SignedDelegationScope{}, err
	}
	if crypto.PubkeyToAddress(key.PublicKey) != s.Patient {
		return SignedDelegationScope{}, fmt.Errorf("%w: the signing key is not the patient's", ErrBadScope)
	}
	h, err := s.Hash()
	if err != nil {
		return SignedDelegationScope{}, err
	}
	sig, err := crypto.Sign(h[:], key)
	if err != nil {
		return SignedDelegationScope{}, fmt.Errorf("share: signing the delegation scope: %w", err)
	}
	return SignedDelegationScope{Scope: s, Signature: sig}, nil
}

// Verify checks the scope's form and that its signature recovers the patient
// it names, and returns the patient. Errors wrap [ErrBadScope] or
// [ErrScopeSignature].
func (ss SignedDelegationScope) Verify() (patient common.Address, err error) {
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
func (ss SignedDelegationScope) Marshal() ([]byte, error) {
	b, err := json.Marshal(ss)
	if err != nil {
		return nil, fmt.Errorf("%w: %v", ErrBadScope, err)
	}
	return b, nil
}

// ParseSignedDelegationScope reads a signed scope strictly (at most [MaxDelegationScopeSize]
// bytes, no unknown fields, nothing after it) and verifies it. Errors wrap
// [ErrBadScope] or [ErrScopeSignature].
func ParseSignedDelegationScope(data []byte) (SignedDelegationScope, error) {
	if len(data) > MaxDelegationScopeSize {
		return SignedDelegationScope{}, fmt.Errorf("%w: %d bytes, at most %d", ErrBadScope, len(data), MaxDelegationScopeSize)
	}
	var ss SignedDelegationScope
	if err := decodeSignedScope(data, &ss); err != nil {
		return SignedDelegationScope{}, fmt.Errorf("%w: %v", ErrBadScope, err)
	}
	if _, err := ss.Verify(); err != nil {
		return SignedDelegationScope{}, err
	}
	return ss, nil
}

// Expires is Expiry as a time.
func (s DelegationScope) Expires() time.Time { return time.Unix(int64(s.Expiry), 0).UTC() }

// Everything reports whether the scope covers every record.
func (s DelegationScope) Everything() bool { return len(s.Types) == 0 && len(s.Categories) == 0 }

// RightNames names the rights of a registry mask, in the order view,
// share, manage.
func RightNames(mask uint8) []string {
	var out []string
	for _, r := range []struct {
		name string
		bit  uint8
	}{{DelegateRightView, contracts.RightView}, {DelegateRightShare, contracts.RightShare}, {DelegateRightManage, contracts.RightManage}} {
		if mask&r.bit != 0 {
			out = append(out, r.name)
		}
	}
	return out
}

// decodeSignedScope decodes a signed scope strictly: exactly its members,
// each once, in the scope as in the envelope.
func decodeSignedScope(data []byte, ss *SignedDelegationScope) error {
	var raw struct {
		Scope     json.RawMessage `json:"scope"`
		Signature hexutil.Bytes   `json:"signature"`
	}
	if err := strictDecode(data, &raw, "scope", "signature"); err != nil {
		return err
	}
	if raw.Scope == nil || raw.Signature == nil {
		return errors.New("scope and signature are required")
	}
	if err := strictDecode(raw.Scope, &ss.Scope, "v", "patient", "delegate", "rights", "types", "categories", "expiry",
		"patientName", "delegateName", "issued", "salt"); err != nil {
		return fmt.Errorf("scope: %w", err)
	}
	ss.Signature = raw.Signature
	return nil
}
