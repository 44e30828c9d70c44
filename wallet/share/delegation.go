package share

import (
	"crypto/ecdsa"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/ethereum/go-ethereum/common"
	"github.com/ethereum/go-ethereum/common/hexutil"
	"github.com/ethereum/go-ethereum/crypto"

	"healthwallet/chain/contracts"
	"healthwallet/wallet/record"
)

// This file: the delegation scope document (issue 9, DESIGN §8). A patient
// who delegates signs a scope document naming the delegate, the rights, the
// records (FHIR types or record categories) and the expiry; the delegation
// on chain commits to its hash. A share a delegate makes carries the signed
// document in its proof file, so a receiver can check that every record of
// the share is one the patient let the delegate see. It lives here, in the
// lowest package that needs it, so that wallet/care (the caregiver's copy
// and the invitation) and the receiver's check use the same one.

// Rights of a delegation by name (DESIGN §6: VIEW=1, SHARE=2, MANAGE=4).
const (
	DelegateRightView   = "view"
	DelegateRightShare  = "share"
	DelegateRightManage = "manage"
)

// DelegationScopeVersion is the version of the scope document this code
// reads and writes.
const DelegationScopeVersion = 1

// scopeHashDomain prefixes the scope document's canonical JSON in its hash.
const scopeHashDomain = "HealthWallet delegation scope v1"

// Bounds of a scope document.
const (
	maxScopeNames  = 64  // types or categories
	maxScopeName   = 80  // one type or category name
	maxScopePerson = 200 // a patient's or delegate's name
)

// ErrBadScope is wrapped by every error of reading or checking a scope
// document.
var ErrBadScope = errors.New("invalid delegation scope")

// DelegationScope is what the patient allows a delegate: rights, which
// records (Types and Categories both empty: every record), until when. Its
// [DelegationScope.Hash] is what the delegation commits to on chain. Salt is
// random, so that the hash on chain reveals nothing of the names in it.
type DelegationScope struct {
	V        int            `json:"v"`
	Patient  common.Address `json:"patient"`
	Delegate common.Address `json:"delegate"`
	// Rights are DelegateRightView, DelegateRightShare, DelegateRightManage.
	Rights []string `json:"rights"`
	// Types are FHIR resource types, Categories record categories
	// (record.Category…): a record is in scope when either names it.
	Types      []string `json:"types,omitempty"`
	Categories []string `json:"categories,omitempty"`
	// Expiry is the delegation's end, Unix seconds; Issued when the patient
	// signed it.
	Expiry       uint64      `json:"expiry"`
	PatientName  string      `json:"patientName,omitempty"`
	DelegateName string      `json:"delegateName,omitempty"`
	Issued       uint64      `json:"issued"`
	Salt         common.Hash `json:"salt"`
}

// Check refuses a scope document no patient could have meant.
func (s DelegationScope) Check() error {
	switch {
	case s.V != DelegationScopeVersion:
		return fmt.Errorf("%w: version %d; this app reads version %d (update it)", ErrBadScope, s.V, DelegationScopeVersion)
	case s.Patient == (common.Address{}) || s.Delegate == (common.Address{}):
		return fmt.Errorf("%w: the patient and the delegate must be named", ErrBadScope)
	case s.Patient == s.Delegate:
		return fmt.Errorf("%w: the patient cannot be their own delegate", ErrBadScope)
	case s.Expiry == 0:
		return fmt.Errorf("%w: no expiry", ErrBadScope)
	case s.Issued > s.Expiry:
		return fmt.Errorf("%w: it expires before it was issued", ErrBadScope)
	case len(s.Types) > maxScopeNames || len(s.Categories) > maxScopeNames:
		return fmt.Errorf("%w: at most %d types and %d categories", ErrBadScope, maxScopeNames, maxScopeNames)
	case len(s.PatientName) > maxScopePerson || len(s.DelegateName) > maxScopePerson:
		return fmt.Errorf("%w: a name is longer than %d bytes", ErrBadScope, maxScopePerson)
	}
	if len(s.Rights) == 0 {
		return fmt.Errorf("%w: no rights", ErrBadScope)
	}
	for _, r := range s.Rights {
		if rightBit(r) == 0 {
			return fmt.Errorf("%w: unknown right %q (view, share or manage)", ErrBadScope, printable([]byte(r), 40))
		}
	}
	for _, n := range slices.Concat(s.Types, s.Categories) {
		if n == "" || len(n) > maxScopeName {
			return fmt.Errorf("%w: a type or category is empty or longer than %d bytes", ErrBadScope, maxScopeName)
		}
	}
	return nil
}

func rightBit(name string) uint8 {
	switch name {
	case DelegateRightView:
		return contracts.RightView
	case DelegateRightShare:
		return contracts.RightShare
	case DelegateRightManage:
		return contracts.RightManage
	}
	return 0
}

// RightsMask is the rights as the registry stores them.
func (s DelegationScope) RightsMask() uint8 {
	var m uint8
	for _, r := range s.Rights {
		m |= rightBit(r)
	}
	return m
}

// RightNames names the rights of a registry mask, in the order view, share,
// manage.
func RightNames(mask uint8) []string {
	var out []string
	for _, r := range []string{DelegateRightView, DelegateRightShare, DelegateRightManage} {
		if mask&rightBit(r) != 0 {
			out = append(out, r)
		}
	}
	return out
}

// Everything says whether the scope covers every record.
func (s DelegationScope) Everything() bool { return len(s.Types) == 0 && len(s.Categories) == 0 }

// Covers says whether a record of that FHIR type and record category is in
// the scope.
func (s DelegationScope) Covers(resourceType, category string) bool {
	if s.Everything() {
		return true
	}
	eq := func(want string) func(string) bool {
		return func(n string) bool { return want != "" && strings.EqualFold(n, want) }
	}
	return slices.ContainsFunc(s.Types, eq(resourceType)) || slices.ContainsFunc(s.Categories, eq(category))
}

// CoversResource says whether a FHIR resource (its JSON) is in the scope,
// judging its type and category as the wallet's record list does.
func (s DelegationScope) CoversResource(raw []byte) bool {
	if s.Everything() {
		return true
	}
	var head struct {
		ResourceType string `json:"resourceType"`
	}
	if json.Unmarshal(raw, &head) != nil || head.ResourceType == "" {
		return false
	}
	sum := record.Summarize(record.Resource{Type: head.ResourceType, Raw: raw})
	return s.Covers(head.ResourceType, sum.Category)
}

// Expires is Expiry as a time.
func (s DelegationScope) Expires() time.Time { return time.Unix(int64(s.Expiry), 0).UTC() }

// Hash is what the delegation commits to on chain and the patient signs:
// keccak256("HealthWallet delegation scope v1" ‖ JCS(scope JSON)).
func (s DelegationScope) Hash() common.Hash {
	b, err := json.Marshal(s)
	if err != nil {
		panic("share: a scope document does not marshal: " + err.Error()) // only plain fields: cannot happen
	}
	c, err := record.Canonical(b)
	if err != nil {
		panic("share: a scope document is not canonical JSON: " + err.Error())
	}
	return crypto.Keccak256Hash([]byte(scopeHashDomain), c)
}

// SignedDelegationScope is a scope document and the patient's signature of
// its Hash (65 bytes, by the patient's chain key).
type SignedDelegationScope struct {
	Scope     DelegationScope `json:"scope"`
	Signature hexutil.Bytes   `json:"signature"`
}

// SignDelegationScope signs s with the patient's chain key, which must be
// s.Patient's.
func SignDelegationScope(s DelegationScope, key *ecdsa.PrivateKey) (SignedDelegationScope, error) {
	if err := s.Check(); err != nil {
		return SignedDelegationScope{}, err
	}
	if crypto.PubkeyToAddress(key.PublicKey) != s.Patient {
		return SignedDelegationScope{}, fmt.Errorf("%w: only the patient %s can sign it", ErrBadScope, s.Patient.Hex())
	}
	h := s.Hash()
	sig, err := crypto.Sign(h[:], key)
	if err != nil {
		return SignedDelegationScope{}, fmt.Errorf("signing the delegation scope: %w", err)
	}
	return SignedDelegationScope{Scope: s, Signature: sig}, nil
}

// Verify checks the document and that the patient it names signed it, and
// returns the patient.
func (s SignedDelegationScope) Verify() (common.Address, error) {
	if err := s.Scope.Check(); err != nil {
		return common.Address{}, err
	}
	if len(s.Signature) != 65 {
		return common.Address{}, fmt.Errorf("%w: the signature is %d bytes, want 65", ErrBadScope, len(s.Signature))
	}
	sig := slices.Clone([]byte(s.Signature))
	if sig[64] >= 27 {
		sig[64] -= 27
	}
	h := s.Scope.Hash()
	pub, err := crypto.SigToPub(h[:], sig)
	if err != nil {
		return common.Address{}, fmt.Errorf("%w: the signature does not recover a key: %v", ErrBadScope, err)
	}
	if signer := crypto.PubkeyToAddress(*pub); signer != s.Scope.Patient {
		return common.Address{}, fmt.Errorf("%w: signed by %s, not by the patient %s it names", ErrBadScope, signer.Hex(), s.Scope.Patient.Hex())
	}
	return s.Scope.Patient, nil
}

// ParseSignedDelegationScope reads a signed scope document strictly: no
// unknown or repeated fields, a well-formed scope. It does not check the
// signature; Verify does.
func ParseSignedDelegationScope(data []byte) (SignedDelegationScope, error) {
	var raw struct {
		Scope     json.RawMessage `json:"scope"`
		Signature hexutil.Bytes   `json:"signature"`
	}
	if err := strictDecode(data, &raw, "scope", "signature"); err != nil {
		return SignedDelegationScope{}, fmt.Errorf("%w: %v", ErrBadScope, err)
	}
	if raw.Scope == nil || raw.Signature == nil {
		return SignedDelegationScope{}, fmt.Errorf("%w: scope and signature are required", ErrBadScope)
	}
	var s SignedDelegationScope
	if err := strictDecode(raw.Scope, &s.Scope, "v", "patient", "delegate", "rights", "types", "categories", "expiry",
		"patientName", "delegateName", "issued", "salt"); err != nil {
		return SignedDelegationScope{}, fmt.Errorf("%w: %v", ErrBadScope, err)
	}
	s.Signature = raw.Signature
	if err := s.Scope.Check(); err != nil {
		return SignedDelegationScope{}, err
	}
	return s, nil
}
