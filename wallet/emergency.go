package wallet

// The emergency card (issue 9): an International Patient Summary behind a
// long-lived link, printable, every opening logged as break-glass.

import (
	"context"
	"time"

	"healthwallet/wallet/record"
)

// EmergencyContact is someone to call.
type EmergencyContact struct {
	Name     string `json:"name"`
	Relation string `json:"relation"`
	Phone    string `json:"phone"`
}

// EmergencyProfile is what the patient puts on the card.
type EmergencyProfile struct {
	BloodType  string             `json:"bloodType,omitempty"` // A+, O-, … or empty
	Contacts   []EmergencyContact `json:"contacts,omitempty"`
	OrganDonor string             `json:"organDonor,omitempty"` // "yes", "no" or empty (not said)
	Notes      string             `json:"notes,omitempty"`
	// Include are the record ids on the card; nil means the default: the
	// active allergies, medications, problems, immunizations and devices.
	Include []string  `json:"include,omitempty"`
	Updated time.Time `json:"updated,omitempty"`
}

// EmergencyCardRequest says where and for how long.
type EmergencyCardRequest struct {
	Relay string        // empty: the wallet's relay
	TTL   time.Duration // 0: the default (a year)
}

// EmergencyCard is the patient's emergency card.
type EmergencyCard struct {
	ID      string    `json:"id"`
	Link    string    `json:"link"`
	Expires time.Time `json:"expires"`
	Created time.Time `json:"created"`
	Records int       `json:"records"`
	State   string    `json:"state"` // active, pending, expired, revoked
	Problem string    `json:"problem,omitempty"`
	QR      []byte    `json:"-"`
}

// EmergencyProfile returns the saved profile (zero when none).
func (w *Wallet) EmergencyProfile() (EmergencyProfile, error) {
	return EmergencyProfile{}, errNotBuilt
}

// SetEmergencyProfile saves the profile.
func (w *Wallet) SetEmergencyProfile(p EmergencyProfile) error {
	return errNotBuilt
}

// EmergencyCandidates are the records the profile may include, and which of
// them are included now (the default: active ones).
func (w *Wallet) EmergencyCandidates() (records []record.Record, included map[string]bool, err error) {
	return nil, nil, errNotBuilt
}

// MakeEmergencyCard builds the IPS from the profile and records and shares it
// behind a long-lived link (purpose ETREAT, no passcode), replacing (and
// revoking) an earlier card.
func (w *Wallet) MakeEmergencyCard(ctx context.Context, req EmergencyCardRequest) (EmergencyCard, error) {
	return EmergencyCard{}, errNotBuilt
}

// CurrentEmergencyCard is the card made last, with its live state; false
// when there is none.
func (w *Wallet) CurrentEmergencyCard(ctx context.Context) (EmergencyCard, bool, error) {
	return EmergencyCard{}, false, errNotBuilt
}

// RevokeEmergencyCard revokes the current card.
func (w *Wallet) RevokeEmergencyCard(ctx context.Context) error {
	return errNotBuilt
}

// EmergencyCardPDF and EmergencyCardPNG render the current card for print:
// a wallet-size card and a page (name, the QR, the essentials in large type,
// how to open it).
func (w *Wallet) EmergencyCardPDF(ctx context.Context) ([]byte, error) { return nil, errNotBuilt }
func (w *Wallet) EmergencyCardPNG(ctx context.Context) ([]byte, error) { return nil, errNotBuilt }
