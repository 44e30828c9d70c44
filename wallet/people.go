package wallet

import (
	"context"
	"crypto/ecdsa"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/ethereum/go-ethereum/crypto"

	"healthwallet/wallet/vault"
)

// This file: one person per wallet (issue 12, item 1). The wallet belongs
// to its owner; records about anyone else — a child, a parent, a stranger
// in a folder of exports — never mix with the owner's. Import compares each
// file's Patient with the owner (name, birth date, identifiers) and puts
// records about someone else in that person's own space, created and named
// from their Patient resource. Each space has its own identity derived from
// the wallet's seed — its own address and sharing key — so a child's records
// are anchored and shared as the child's, never under the owner's address,
// and a space can later be handed over as a wallet of its own.

// OwnerID is the owner's person ID; Query.Person and ShareRequest.Person
// take it or "" for the owner.
const OwnerID = "me"

// Everyone, as Query.Person, reads every person's records.
const Everyone = "*"

// Person is someone whose records this wallet holds.
type Person struct {
	ID        string `json:"id"`   // OwnerID for the owner; stable, short, unique in the wallet
	Name      string `json:"name"` // from their Patient resource (the owner: the wallet's display name)
	BirthDate string `json:"birthDate,omitempty"`
	// Address is the person's own chain address, derived from the wallet's
	// seed: their records are anchored and shared under it.
	Address string `json:"address"`
	Records int    `json:"records"`
	Owner   bool   `json:"owner,omitempty"`
	// CaredFor marks someone whose records this wallet holds as their
	// caregiver (a delegation, wallet/care.go): read and shared on their
	// behalf, never imported into.
	CaredFor bool `json:"caredFor,omitempty"`
}

// OtherPerson is, in an import report, someone other than the owner whose
// records the import kept in their own space.
type OtherPerson struct {
	ID        string `json:"id"`
	Name      string `json:"name"`
	BirthDate string `json:"birthDate"`
	Records   int    `json:"records"` // new records and versions this import put in their space
	New       bool   `json:"new"`     // their space was made by this import
}

// ImportOptions tunes Import.
type ImportOptions struct {
	// Into says the files are about this person (a Person.ID, name, birth
	// date or address, as FindPerson takes) whatever their Patient says —
	// a maiden name, a typo. Empty: each file goes where its Patient says.
	Into     string
	Progress func(ImportProgress)
}

// ErrNoSuchPerson and ErrAmbiguousPerson are FindPerson's failures.
var (
	ErrNoSuchPerson    = errors.New("no such person in this wallet")
	ErrAmbiguousPerson = errors.New("more than one person matches")
)

// People lists the people whose records this wallet holds, the owner first.
func (w *Wallet) People() ([]Person, error) {
	return nil, errors.New("people: not built yet")
}

// FindPerson finds one person by ID, name, birth date or address; the
// answer must be unambiguous.
func (w *Wallet) FindPerson(who string) (Person, error) {
	return Person{}, errors.New("people: not built yet")
}

// DropPerson deletes a person's space and every record in it (the app's
// "Drop" after an import). The owner cannot be dropped.
func (w *Wallet) DropPerson(id string) error {
	return errors.New("people: not built yet")
}

// ImportWith is Import with options.
func (w *Wallet) ImportWith(ctx context.Context, paths []string, opts ImportOptions) (ImportReport, error) {
	return w.Import(ctx, paths, opts.Progress)
}

// spacePeople holds one personRecord per person other than the owner,
// keyed by their ID.
const spacePeople = "people"

// personRecord is a person's space as the vault keeps it (sealed state).
type personRecord struct {
	ID          string    `json:"id"`
	Name        string    `json:"name"`
	BirthDate   string    `json:"birthDate,omitempty"`
	Identifiers []string  `json:"identifiers,omitempty"` // "system|value" from their Patient
	Created     time.Time `json:"created"`
	// Tweak derives the person's key from the wallet's chain key
	// (identity.RelationshipKey): random, kept sealed in the vault, so the
	// phrase and the vault (or a backup) recover the person's identity.
	Tweak [32]byte `json:"tweak"`
}

// personRecordByID reads one person's space record.
func (w *Wallet) personRecordByID(id string) (personRecord, error) {
	var p personRecord
	var found bool
	err := w.vault.View(func(tx *vault.ReadTx) error {
		v, ok, err := tx.State(spacePeople, []byte(id))
		if err != nil || !ok {
			return err
		}
		found = true
		return json.Unmarshal(v, &p)
	})
	if err != nil {
		return p, fmt.Errorf("reading person %s: %w", id, mapVaultError(err))
	}
	if !found {
		return p, fmt.Errorf("%w: %q", ErrNoSuchPerson, id)
	}
	return p, nil
}

// putPersonRecord writes a person's space record.
func putPersonRecord(tx *vault.Tx, p personRecord) error {
	b, err := jsonMarshal(p)
	if err != nil {
		return err
	}
	return tx.PutState(spacePeople, []byte(p.ID), b)
}

// personKey is the signing key of a person's identity: the owner's chain
// key, or for someone else the key derived from it with their tweak. Their
// records are anchored, and their shares granted, under its address.
func (w *Wallet) personKey(id string) (*ecdsa.PrivateKey, error) {
	if id == "" || id == OwnerID {
		return w.ChainKey()
	}
	p, err := w.personRecordByID(id)
	if err != nil {
		return nil, err
	}
	return w.relationshipKey(p.Tweak)
}

// personAddress is personKey's address, as text.
func (w *Wallet) personAddress(id string) (string, error) {
	k, err := w.personKey(id)
	if err != nil {
		return "", err
	}
	return crypto.PubkeyToAddress(k.PublicKey).Hex(), nil
}
