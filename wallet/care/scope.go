package care

import (
	"bytes"
	"crypto/ecdsa"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"unicode/utf8"

	"github.com/ethereum/go-ethereum/common"

	"healthwallet/wallet/share"
)

// The scope document is defined once, in wallet/share (the lower package:
// a delegate's share carries it too); these are its names here.

// Rights a scope gives, by name (DESIGN §6: VIEW=1, SHARE=2, MANAGE=4).
const (
	RightView   = share.DelegateRightView
	RightShare  = share.DelegateRightShare
	RightManage = share.DelegateRightManage
)

// MaxScopeSize bounds a signed scope's JSON.
const MaxScopeSize = share.MaxDelegationScopeSize

// Scope is a delegation's terms as the patient signs them: see
// share.DelegationScope. Its Hash is what the registry's delegation commits
// to.
type Scope = share.DelegationScope

// SignedScope is a scope with the patient's signature over its hash.
type SignedScope = share.SignedDelegationScope

// Errors about scopes.
var (
	ErrBadScope       = share.ErrBadScope
	ErrScopeSignature = share.ErrScopeSignature
)

// NormalizeRights returns rights as a scope holds them (view always, then
// share, manage).
func NormalizeRights(rights []string) ([]string, error) { return share.NormalizeRights(rights) }

// NewScopeSalt draws a scope's random salt (every scope the patient's wallet
// makes gets a new one).
func NewScopeSalt() (common.Hash, error) { return share.NewScopeSalt() }

// SignScope checks s and signs its hash with the patient's key.
func SignScope(s Scope, key *ecdsa.PrivateKey) (SignedScope, error) {
	return share.SignDelegationScope(s, key)
}

// ParseSignedScope reads a signed scope strictly and verifies it.
func ParseSignedScope(data []byte) (SignedScope, error) {
	return share.ParseSignedDelegationScope(data)
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
