package wallet

import (
	"context"
	"errors"
	"time"
)

// TrustedDirectory is a directory of SMART Health Card issuers the patient
// trusts (VCI format: issuerInfo with iss, name and keys), added from a URL
// or a file.
type TrustedDirectory struct {
	Source    string    `json:"source"` // the URL or file it was added from
	Issuers   int       `json:"issuers"`
	Added     time.Time `json:"added"`
	Refreshed time.Time `json:"refreshed,omitzero"` // last successful fetch (URLs)
	Problem   string    `json:"problem,omitempty"`  // why the last refresh failed
}

// TrustedIssuer is one card issuer the patient trusts.
type TrustedIssuer struct {
	Iss       string    `json:"iss"`
	Name      string    `json:"name"`
	Directory string    `json:"directory"`            // Source of the directory that lists it
	KeysAt    time.Time `json:"keysFetched,omitzero"` // when its keys were last fetched
}

// TrustAdd adds a directory of card issuers from a URL (https) or a file,
// and fetches the keys of the issuers it lists when online.
func (w *Wallet) TrustAdd(ctx context.Context, source string) (TrustedDirectory, error) {
	return TrustedDirectory{}, errors.New("trusting card issuers is not built yet")
}

// TrustList lists the directories and the issuers the patient trusts.
func (w *Wallet) TrustList() ([]TrustedDirectory, []TrustedIssuer, error) {
	return nil, nil, errors.New("trusting card issuers is not built yet")
}

// TrustRemove stops trusting an issuer (by iss) or a directory (by source).
func (w *Wallet) TrustRemove(issOrSource string) error {
	return errors.New("trusting card issuers is not built yet")
}

// ImportText imports pasted text: an shc:/ QR text, a card's JWS, or a SMART
// Health Link whose files carry cards or FHIR records.
func (w *Wallet) ImportText(ctx context.Context, text, passcode string) (ImportReport, error) {
	return ImportReport{}, errors.New("importing pasted text is not built yet")
}
