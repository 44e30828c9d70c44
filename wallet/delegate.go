package wallet

// Delegation, the patient's side (issue 9): a caregiver gets scoped,
// expiring, revocable access recorded on chain, and a copy of the records in
// scope kept current on the relay. The caregiver's side is in care.go; the
// formats (scope document, invitation, care copy) in wallet/care.

import (
	"context"
	"errors"
	"time"
)

// errNotBuilt marks the parts of issue 9 still being built.
var errNotBuilt = errors.New("not built yet")

// Rights a delegation can give (DESIGN §6: VIEW=1, SHARE=2, MANAGE=4), by name.
const (
	RightView   = "view"
	RightShare  = "share"
	RightManage = "manage"
)

// DelegatePresets are the expiry presets a delegation offers: one month and
// one year. Every delegation expires; it can be renewed.
var DelegatePresets = []time.Duration{30 * 24 * time.Hour, 365 * 24 * time.Hour}

// DelegateRequest says whom the patient delegates to, what they may do,
// which records they see, and until when.
type DelegateRequest struct {
	Card       string    // the caregiver's identity card (hwcard:…)
	Rights     []string  // RightView, RightShare, RightManage (view is implied by the others)
	Types      []string  // FHIR resource types in scope; with Categories empty: every record
	Categories []string  // record categories in scope (record.Category…)
	Expires    time.Time // required
	Relay      string    // the relay that carries the invitation and the copy; empty: the wallet's
}

// DelegateResult is a delegation just made.
type DelegateResult struct {
	Delegate string    `json:"delegate"` // the caregiver's address for this relationship, 0x…
	Name     string    `json:"name"`     // the caregiver's name, from their card
	Rights   []string  `json:"rights"`
	Expires  time.Time `json:"expires"`
	Invite   string    `json:"invite"` // the invitation link the caregiver accepts
	Records  int       `json:"records"`
	// Problem is set when the delegation is not on chain yet (it is sent on
	// the wallet's next chain work).
	Problem string `json:"problem,omitempty"`
	QR      []byte `json:"-"` // the invitation as a PNG QR code
}

// DelegateInfo is one delegation in the patient's list, with its state.
type DelegateInfo struct {
	Delegate   string    `json:"delegate"`
	Name       string    `json:"name"`
	Rights     []string  `json:"rights"`
	Types      []string  `json:"types,omitempty"`
	Categories []string  `json:"categories,omitempty"`
	Created    time.Time `json:"created"`
	Expires    time.Time `json:"expires"`
	// State: pending (not on chain yet), active, expired, revoking, revoked.
	State   string    `json:"state"`
	Records int       `json:"records"`          // records in the caregiver's copy
	Synced  time.Time `json:"synced,omitempty"` // when the copy was last brought up to date
	Invite  string    `json:"invite,omitempty"`
	Problem string    `json:"problem,omitempty"`
}

// SyncReport is what Sync did.
type SyncReport struct {
	Anchor    AnchorReport   `json:"anchor"`
	Delegates []DelegateSync `json:"delegates"`
}

// DelegateSync is one caregiver's copy after Sync.
type DelegateSync struct {
	Delegate string `json:"delegate"`
	Name     string `json:"name"`
	Records  int    `json:"records"`
	Added    int    `json:"added"`
	Problem  string `json:"problem,omitempty"`
}

// AddDelegate delegates to the caregiver whose card req names: the
// delegation (committing to its scope) goes through the outbox, the copy of
// the records in scope and the sealed invitation go to the relay.
func (w *Wallet) AddDelegate(ctx context.Context, req DelegateRequest) (DelegateResult, error) {
	return DelegateResult{}, errNotBuilt
}

// Delegates lists the patient's delegations with their live state.
func (w *Wallet) Delegates(ctx context.Context) ([]DelegateInfo, error) {
	return nil, errNotBuilt
}

// RevokeDelegate ends the delegation to who (the caregiver's relationship
// address, card, or an unambiguous name) at once: on chain and at the relay.
func (w *Wallet) RevokeDelegate(ctx context.Context, who string) (DelegateInfo, error) {
	return DelegateInfo{}, errNotBuilt
}

// RenewDelegate moves the delegation's expiry to expires (same rights and
// scope).
func (w *Wallet) RenewDelegate(ctx context.Context, who string, expires time.Time) (DelegateInfo, error) {
	return DelegateInfo{}, errNotBuilt
}

// Sync anchors what waits and brings every active delegate's copy up to date.
func (w *Wallet) Sync(ctx context.Context) (SyncReport, error) {
	return SyncReport{}, errNotBuilt
}

// ParseExpiry reads an expiry as hw takes it: a duration such as 30d, 12h,
// 1m (a month), 1y, or a date YYYY-MM-DD, counted from now.
func ParseExpiry(s string, now time.Time) (time.Time, error) {
	return time.Time{}, errNotBuilt
}
