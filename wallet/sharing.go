package wallet

import (
	"time"

	"github.com/ethereum/go-ethereum/common"
)

// Expiry presets offered for a share; any other duration may be given.
var SharePresets = []time.Duration{15 * time.Minute, time.Hour, 24 * time.Hour, 7 * 24 * time.Hour}

// ShareRequest says which records to share, for how long, why and with whom.
// Records are chosen by IDs, by ResourceTypes and by a date range (From, To);
// these narrow each other. All shares every record, billing included;
// Summary shares the patient summary (see summary.go). Billing records
// (Claim, ExplanationOfBenefit, Coverage…) go only when chosen by id, by
// type or with All, never with a date range alone. A request that chooses
// nothing is refused: it is never "everything".
type ShareRequest struct {
	IDs           []string
	ResourceTypes []string
	From, To      time.Time
	All           bool
	// Summary shares the patient summary (SummarizeRecords): allergies,
	// active problems, current medications, immunizations, recent results
	// and vital signs; never billing. It is the default of the app and of
	// hw share, and goes with no other choice.
	Summary bool
	// Person is whose records: "" or OwnerID the owner, else a Person.ID
	// in this wallet; a share is always about one person, anchored and
	// granted under that person's address.
	Person string

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
	ID string `json:"id"`
	// Link is what the QR holds: the relay's web viewer with the link
	// after the '#', <relay>/view#shlink:/… (≤ 300 characters), which a
	// phone camera opens in a browser and every SHL receiver reads.
	Link string `json:"link"`
	// Viewer is the same viewer URL, named for what it is.
	Viewer  string    `json:"viewer"`
	Expires time.Time `json:"expires"`
	Grant   string    `json:"grant"` // the grant's EIP-712 digest, 0x…
	Records int       `json:"records"`
	// Problem is set when the grant is not on chain yet: the relay serves
	// the link once it is (the wallet sends it on its next chain work).
	Problem string `json:"problem,omitempty"`
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
	State    string    `json:"state"`  // active, expired, revoked, pending (grant not yet on chain), locked (passcode limit reached), failed (chain refused the grant), stopped (a direct share no longer served)
	Opened   int       `json:"opened"` // times the records were fetched (manifests served; refused attempts not counted)
	Records  int       `json:"records"`
	Relay    string    `json:"relay,omitempty"`
	Link     string    `json:"link,omitempty"`
	Revoking bool      `json:"revoking,omitempty"` // revoked by the patient; the relay or the chain (not yet in a block) still to confirm
	Direct   bool      `json:"direct,omitempty"`   // served by the wallet itself on the local network
	Serving  bool      `json:"serving,omitempty"`  // a direct share this program serves now
	Grant    string    `json:"grant"`              // the grant's EIP-712 digest, 0x…
	// Problem says what could not be checked live (relay or chain
	// unreachable): State is then what the wallet last knew.
	Problem string `json:"problem,omitempty"`
}

// AccessEntry is one access to the patient's records: who, when, what, why.
type AccessEntry struct {
	Time    time.Time `json:"time"`
	Share   string    `json:"share"`
	Who     string    `json:"who"`     // the receiver's description of itself ("a holder of the link" for a chain entry not this wallet's)
	What    string    `json:"what"`    // e.g. "12 records (manifest)"
	Purpose string    `json:"purpose"` // PurposeOfUse code
	Source  string    `json:"source"`  // "relay", "chain" or "direct"
	// Block and TxHash locate a chain entry.
	Block   uint64 `json:"block,omitempty"`
	TxHash  string `json:"txHash,omitempty"`
	Outcome string `json:"outcome,omitempty"`
	// Recorded: the access is on chain, as a salted commitment the wallet
	// made (a relay entry) or found (a chain entry); Block and TxHash say where.
	Recorded bool `json:"recorded,omitempty"`
	// Emergency marks an opening of the emergency card (break-glass).
	Emergency bool `json:"emergency,omitempty"`
	// Delegate is the caregiver's address when the entry is a delegate's
	// action; Action then says which: accepted, synced, shared, revoked.
	Delegate string `json:"delegate,omitempty"`
	Action   string `json:"action,omitempty"`
	// ShareLabel, Shared and Records describe the share opened, as the
	// patient made it: its label, when, and how many records it holds; they
	// tell apart two shares with the same purpose.
	ShareLabel string    `json:"shareLabel,omitempty"`
	Shared     time.Time `json:"shared,omitzero"`
	Records    int       `json:"records,omitempty"`

	entry common.Hash // the access's commitment on chain, when known
}

// Share, Shares, Revoke, AccessLog and ShareDirect are in share_flow.go,
// access.go and direct.go; Receive in receive.go.
