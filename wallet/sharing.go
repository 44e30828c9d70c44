package wallet

import (
	"context"
	"encoding/json"
	"errors"
	"time"

	"healthwallet/wallet/share"
)

// errNotYet marks the sharing calls whose implementation is being written.
var errNotYet = errors.New("not implemented yet")

// Expiry presets offered for a share; any other duration may be given.
var SharePresets = []time.Duration{15 * time.Minute, time.Hour, 24 * time.Hour, 7 * 24 * time.Hour}

// ShareRequest says which records to share, for how long, why and with whom.
// Records are chosen by IDs, by ResourceTypes and by a date range (From, To);
// these narrow each other. All shares every record.
type ShareRequest struct {
	IDs           []string
	ResourceTypes []string
	From, To      time.Time
	All           bool

	TTL       time.Duration // how long the link works; see SharePresets
	Purpose   string        // HL7 PurposeOfUse code: TREAT, ETREAT, CAREMGT, PATRQT, …
	Passcode  string        // optional; the receiver must type it
	Recipient string        // optional identity card (hwcard:…); only its holder can verify
	Label     string        // optional, shown to the receiver (≤ 80 characters, kept short so the link fits a QR)

	// Relay is the link server's base URL; empty means the wallet's saved
	// relay. Direct shares ignore it (see ShareDirect).
	Relay string
}

// ShareResult is a share just made.
type ShareResult struct {
	ID      string    `json:"id"`
	Link    string    `json:"link"` // shlink:/… (≤ 300 characters)
	Expires time.Time `json:"expires"`
	Grant   string    `json:"grant"` // the grant's EIP-712 digest, 0x…
	Records int       `json:"records"`
	// QR is the link as a PNG (level M, whole pixels per module).
	QR []byte `json:"-"`
}

// ShareInfo is one share in the patient's list, with its live state.
type ShareInfo struct {
	ID       string    `json:"id"`
	Label    string    `json:"label,omitempty"`
	Purpose  string    `json:"purpose"`
	Created  time.Time `json:"created"`
	Expires  time.Time `json:"expires"`
	State    string    `json:"state"`  // active, expired, revoked, pending (grant not yet on chain)
	Opened   int       `json:"opened"` // times the records were fetched
	Records  int       `json:"records"`
	Relay    string    `json:"relay,omitempty"`
	Link     string    `json:"link,omitempty"`
	Revoking bool      `json:"revoking,omitempty"` // revoked by the patient, chain transaction not yet final
}

// AccessEntry is one access to the patient's records: who, when, what, why.
type AccessEntry struct {
	Time    time.Time `json:"time"`
	Share   string    `json:"share"`
	Who     string    `json:"who"`     // the receiver's description of itself, or its chain address
	What    string    `json:"what"`    // e.g. "12 records (manifest)"
	Purpose string    `json:"purpose"` // PurposeOfUse code
	Source  string    `json:"source"`  // "relay", "chain" or "direct"
	Outcome string    `json:"outcome,omitempty"`
}

// ReceiveOptions are what a receiver adds to a link.
type ReceiveOptions struct {
	Passcode  string
	Purpose   string // PurposeOfUse code, logged on chain and at the relay; default TREAT
	Recipient string // how the receiver describes itself to the patient ("Dr. Smith, City Clinic")
}

// Received is what a receiver got from a link: the records and every check.
type Received struct {
	share.Report
	// Logged is the transaction that logged this access on chain, when the
	// receiver has a funded identity; empty otherwise.
	Logged string `json:"logged,omitempty"`
}

// RecordsJSON are the received FHIR resources.
func (r Received) RecordsJSON() []json.RawMessage { return r.Records }

// Share makes a share: encrypts the chosen records and their proofs, uploads
// them to the relay, issues the grant on chain through the outbox, and
// returns the link and its QR.
func (w *Wallet) Share(ctx context.Context, req ShareRequest) (ShareResult, error) {
	return ShareResult{}, errNotYet
}

// Shares lists the patient's shares, newest first, with their live state.
func (w *Wallet) Shares(ctx context.Context) ([]ShareInfo, error) { return nil, errNotYet }

// Revoke ends a share at once: the relay stops serving it and the grant is
// revoked on chain (through the outbox, so it lands even if the chain is
// down now).
func (w *Wallet) Revoke(ctx context.Context, id string) error { return errNotYet }

// AccessLog merges the relay's logs and the chain's AccessLogged events:
// every access to the patient's shares, newest first.
func (w *Wallet) AccessLog(ctx context.Context) ([]AccessEntry, error) { return nil, errNotYet }

// ShareDirect makes a share served by this wallet itself on the local
// network at listen (e.g. "0.0.0.0:0"), with no third party, until ctx ends.
func (w *Wallet) ShareDirect(ctx context.Context, req ShareRequest, listen string) (ShareResult, error) {
	return ShareResult{}, errNotYet
}

// Receive opens a link (a shlink:/…, a viewer URL with #shlink:/…, or the
// text of a scanned QR), fetches and decrypts it, verifies everything it can,
// and logs the access on chain when this wallet is funded.
func (w *Wallet) Receive(ctx context.Context, link string, opts ReceiveOptions) (Received, error) {
	return Received{}, errNotYet
}
