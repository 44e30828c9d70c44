package wallet

// Caring for someone, the caregiver's side (issue 9): accept an invitation,
// keep the person's records verified and current in a space of their own,
// share them with a doctor when the delegation allows it.

import (
	"context"
	"errors"
	"fmt"
	"time"

	"healthwallet/wallet/record"
)

// ErrDelegationEnded: the patient revoked the delegation, or it expired.
// The error (a *DelegationEndedError) says which and when.
var ErrDelegationEnded = errors.New("the delegation has ended")

// DelegationEndedError says whose delegation ended, how and when.
type DelegationEndedError struct {
	Name string    // the patient's name
	How  string    // "revoked" or "expired"
	When time.Time // when it ended (zero when unknown)
}

func (e *DelegationEndedError) Error() string {
	when := ""
	if !e.When.IsZero() {
		when = " on " + e.When.Format("2 Jan 2006 15:04")
	}
	return fmt.Sprintf("%s's delegation was %s%s: ask %s for a new invitation; the records already on this device stay here", e.Name, e.How, when, e.Name)
}

func (e *DelegationEndedError) Unwrap() error { return ErrDelegationEnded }

// CaredFor is a person the wallet's owner cares for.
type CaredFor struct {
	ID         string    `json:"id"`      // short id, stable
	Patient    string    `json:"patient"` // the patient's address, 0x…
	Name       string    `json:"name"`
	BirthDate  string    `json:"birthDate,omitempty"`
	Delegate   string    `json:"delegate"` // this wallet's address for the relationship
	Rights     []string  `json:"rights"`
	Types      []string  `json:"types,omitempty"`
	Categories []string  `json:"categories,omitempty"`
	Expires    time.Time `json:"expires"`
	Records    int       `json:"records"`
	Synced     time.Time `json:"synced,omitempty"`
	// State: active, expired, revoked.
	State   string `json:"state"`
	Problem string `json:"problem,omitempty"`
}

// CareSyncReport is one person's copy after CareSync.
type CareSyncReport struct {
	Patient string `json:"patient"`
	Name    string `json:"name"`
	Records int    `json:"records"`
	Added   int    `json:"added"`
	Problem string `json:"problem,omitempty"`
}

// AcceptInvitation opens an invitation sealed to this wallet, verifies the
// delegation on chain and every record of the copy, and keeps them in a
// space for that person.
func (w *Wallet) AcceptInvitation(ctx context.Context, invite string) (CaredFor, error) {
	return CaredFor{}, errNotBuilt
}

// People this wallet cares for.
func (w *Wallet) CaredFor(ctx context.Context) ([]CaredFor, error) {
	return nil, errNotBuilt
}

// CareSync fetches the newest copy of person's records (every person when
// person is empty). person is an id, an address or an unambiguous name.
func (w *Wallet) CareSync(ctx context.Context, person string) ([]CareSyncReport, error) {
	return nil, errNotBuilt
}

// CareRecords lists person's records, as Records does the owner's.
func (w *Wallet) CareRecords(person string, q Query) ([]record.Record, error) {
	return nil, errNotBuilt
}

// CareRecord is one of person's records, as Record.
func (w *Wallet) CareRecord(person, id string) (Detail, error) {
	return Detail{}, errNotBuilt
}

// CareShare shares person's records with a doctor on their behalf (the
// delegation must give SHARE), as Share does the owner's.
func (w *Wallet) CareShare(ctx context.Context, person string, req ShareRequest) (ShareResult, error) {
	return ShareResult{}, errNotBuilt
}

// CareShares lists the shares made on person's behalf by this wallet.
func (w *Wallet) CareShares(ctx context.Context, person string) ([]ShareInfo, error) {
	return nil, errNotBuilt
}

// CareRevoke revokes one of person's shares (one this wallet made, or any
// with MANAGE).
func (w *Wallet) CareRevoke(ctx context.Context, person, shareID string) error {
	return errNotBuilt
}
