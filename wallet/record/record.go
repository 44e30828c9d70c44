// Package record is what the wallet knows about one health record: the
// original FHIR R4 JSON, a human summary of it, and the in-memory index that
// lists, orders and searches records once the vault is unlocked.
package record

import (
	"encoding/json"
	"time"
)

// Resource is one FHIR resource as it arrived: its type, its logical id (may
// be empty) and its original JSON, byte for byte.
type Resource struct {
	Type string
	ID   string
	// FullURL is the Bundle entry's fullUrl, when the resource came from a Bundle.
	FullURL string
	Raw     json.RawMessage
}

// Code is one coding of a record (a LOINC, SNOMED CT, RxNorm… code).
type Code struct {
	System  string `json:"system,omitempty"`
	Code    string `json:"code,omitempty"`
	Display string `json:"display,omitempty"`
}

// Summary is what a person reads in a list: a title, a date, a category and
// the key values of the record.
type Summary struct {
	Title    string    `json:"title"`
	Category string    `json:"category"`
	Date     time.Time `json:"date,omitzero"`
	// Details are the key values, e.g. "Value: 7.2 mmol/L", "Dosage: 1 tablet daily".
	Details []string `json:"details,omitempty"`
	Status  string   `json:"status,omitempty"`
	Codes   []Code   `json:"codes,omitempty"`
}

// Record is one record in the wallet: the latest version of a resource and
// its summary. ID is the wallet's own opaque id (hex), stable across versions.
type Record struct {
	ID           string    `json:"id"`
	ResourceType string    `json:"resourceType"`
	ResourceID   string    `json:"resourceId,omitempty"`
	Version      int       `json:"version"`
	Imported     time.Time `json:"imported"`
	Summary
	// Anchor is where the version is on its way to the chain; the wallet
	// fills it in when it lists records (the index does not keep it).
	Anchor AnchorState `json:"anchor,omitzero"`
	// Source is where the version came from (nil for records imported
	// before provenance was kept).
	Source *Source `json:"source,omitempty"`
	// Person is whose record it is: "" for the wallet's owner, else the ID
	// of someone else's space in this wallet (wallet.Person).
	Person string `json:"person,omitempty"`
}

// Kinds of Source.
const (
	SourceFHIR     = "fhir"     // a FHIR R4 JSON / NDJSON file
	SourceCard     = "card"     // a SMART Health Card
	SourceCCDA     = "ccda"     // converted from a C-CDA document
	SourceDocument = "document" // a PDF, image or text file kept as a DocumentReference
	SourceShare    = "share"    // received in a share and saved
)

// Source is a record version's provenance: what file it came from and, for
// a SMART Health Card, who signed it and what the wallet found when it
// checked. It is sealed with the version's metadata, never on chain.
type Source struct {
	Kind string `json:"kind"`
	File string `json:"file,omitempty"` // base name of the imported file
	// Card: the issuer's iss URL and name (from a trusted directory),
	// whether the signature held, whether the issuer is trusted, when that
	// was checked, whether the card is revoked, and the problem if any.
	Issuer         string    `json:"issuer,omitempty"`
	IssuerName     string    `json:"issuerName,omitempty"`
	SignatureValid bool      `json:"signatureValid,omitempty"`
	Trusted        bool      `json:"trusted,omitempty"`
	Revoked        bool      `json:"revoked,omitempty"`
	CheckedAt      time.Time `json:"checkedAt,omitzero"`
	Problem        string    `json:"problem,omitempty"`
	// CardID identifies the card (hex SHA-256 of its JWS) so that
	// re-importing it is a duplicate and its records stay apart from
	// another card's "resource:0".
	CardID string `json:"cardId,omitempty"`
	// C-CDA: the wallet record id of the DocumentReference that keeps the
	// original XML, and the section the record was made from.
	Document string `json:"document,omitempty"`
	Section  string `json:"section,omitempty"`
	// Document: the attachment holding the file (vault attachment id, hex).
	Attachment string `json:"attachment,omitempty"`
}

// States of AnchorState.
const (
	AnchorWaiting  = "waiting"  // not yet in a block: queued, or sent and waiting
	AnchorAnchored = "anchored" // in block Block at Time
	AnchorFailed   = "failed"   // the chain refused it, or verification failed: Problem says why
)

// AnchorState is where a record version's commitment is on its way to the
// chain (DESIGN §5): waiting, anchored in block N at time T, or failed with
// why.
type AnchorState struct {
	State   string    `json:"state"`
	Root    string    `json:"root,omitempty"` // 0x… Merkle root of its batch, once batched
	TxHash  string    `json:"txHash,omitempty"`
	Block   uint64    `json:"block,omitempty"`
	Time    time.Time `json:"time,omitzero"`
	Problem string    `json:"problem,omitempty"`
}
