package wallet

import (
	"cmp"
	"context"
	"crypto/ecdh"
	"crypto/ecdsa"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/ethereum/go-ethereum/common"
	"github.com/ethereum/go-ethereum/crypto"

	"healthwallet/chain/outbox"
	"healthwallet/wallet/identity"
	"healthwallet/wallet/record"
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

// People lists the people whose records this wallet holds: the owner
// first, then the people kept apart by imports (by name), then the people
// cared for (CaredFor, wallet/care.go), each with their record count.
func (w *Wallet) People() ([]Person, error) {
	index, err := w.currentIndex()
	if err != nil {
		return nil, err
	}
	counts := index.PersonCounts()
	ownerAddr, err := w.personAddress(OwnerID)
	if err != nil {
		return nil, err
	}
	owner, _, err := w.ownerRecord()
	if err != nil {
		return nil, err
	}
	out := []Person{{ID: OwnerID, Name: w.DisplayName(), BirthDate: owner.BirthDate,
		Address: ownerAddr, Records: counts[""], Owner: true}}
	spaces, err := w.personRecords()
	if err != nil {
		return nil, err
	}
	for _, p := range spaces {
		k, err := w.relationshipKey(p.Tweak)
		if err != nil {
			return nil, err
		}
		out = append(out, Person{ID: p.ID, Name: p.Name, BirthDate: p.BirthDate,
			Address: crypto.PubkeyToAddress(k.PublicKey).Hex(), Records: counts[p.ID]})
	}
	cared, err := w.caredPeople()
	if err != nil {
		return nil, err
	}
	for _, c := range cared {
		out = append(out, Person{ID: c.id(), Name: c.name(), BirthDate: c.BirthDate,
			Address: c.Patient.Hex(), Records: c.Records, CaredFor: true})
	}
	return out, nil
}

// FindPerson finds one person by ID, address, birth date, or an
// unambiguous case-insensitive name or part of one ("jane", "Doe").
func (w *Wallet) FindPerson(who string) (Person, error) {
	who = strings.TrimSpace(who)
	people, err := w.People()
	if err != nil {
		return Person{}, err
	}
	if who == "" || who == OwnerID {
		return people[0], nil
	}
	// Exact identifiers first: an ID, an address or a birth date names one
	// person even when a name part would name several.
	for _, pass := range []func(Person) bool{
		func(p Person) bool { return p.ID == who || strings.EqualFold(p.Address, who) },
		func(p Person) bool { return p.BirthDate != "" && p.BirthDate == who },
		func(p Person) bool { return sameName(p.Name, who) },
		func(p Person) bool { return nameContains(p.Name, who) },
	} {
		var hits []Person
		for _, p := range people {
			if pass(p) {
				hits = append(hits, p)
			}
		}
		switch {
		case len(hits) == 1:
			return hits[0], nil
		case len(hits) > 1:
			names := make([]string, len(hits))
			for i, h := range hits {
				names[i] = fmt.Sprintf("%s (%s, born %s)", h.Name, h.ID, cmp.Or(h.BirthDate, "?"))
			}
			return Person{}, fmt.Errorf("%w: %q could be %s: say which by their id", ErrAmbiguousPerson, who, strings.Join(names, ", "))
		}
	}
	return Person{}, fmt.Errorf("%w: nobody here is %q (see the list of people: hw people)", ErrNoSuchPerson, who)
}

// ErrSharesNotStopped: a person's space cannot be dropped while a share of
// their records may still open, or while its stop waits to be confirmed:
// their shares are granted and uploaded under their own key, which only
// their space derives, so this wallet could never stop them afterwards.
var ErrSharesNotStopped = errors.New("their shares are not all stopped")

// DropPerson deletes a person's space and every record in it (the app's
// "Drop" after an import), every version's kept file, their records'
// pending anchors, and this wallet's records of their shares and of who
// opened them, in one vault transaction. The owner cannot be dropped; nor
// can someone with a share that still stands or whose stop the chain and
// their relay have yet to confirm (ErrSharesNotStopped): dropping them
// would throw away the only key that can stop it.
func (w *Wallet) DropPerson(id string) error {
	if id == "" || id == OwnerID {
		return errors.New("the wallet's owner cannot be dropped: delete records one by one instead")
	}
	index, err := w.currentIndex()
	if err != nil {
		return err
	}
	space, err := w.personRecordByID(id)
	if err != nil {
		return err
	}
	theirShares, err := w.sharesToForget(space)
	if err != nil {
		return err
	}
	recs := index.List(record.Filter{Person: id, OnePerson: true})
	type drop struct {
		id       vault.ID
		versions []uint32
		att      []vault.AttachmentID
	}
	drops := make([]drop, 0, len(recs))
	for _, rec := range recs {
		vid, err := parseID(rec.ID)
		if err != nil {
			return err
		}
		d := drop{id: vid}
		vs, err := w.vault.Versions(vid)
		if err != nil {
			return fmt.Errorf("reading record %s: %w", rec.ID, mapVaultError(err))
		}
		// Every version's kept file, not only the current one's: an
		// older version may keep a file of its own.
		for _, v := range vs {
			d.versions = append(d.versions, v.Version)
			m, err := decodeMeta(v.Meta)
			if err != nil || m.Source == nil || m.Source.Attachment == "" {
				continue
			}
			if a, err := vault.ParseAttachmentID(m.Source.Attachment); err == nil && !slices.Contains(d.att, a) {
				d.att = append(d.att, a)
			}
		}
		drops = append(drops, d)
	}
	err = w.vault.Update(func(tx *vault.Tx) error {
		for _, d := range drops {
			for _, v := range d.versions {
				if err := tx.DeleteState(spacePending, versionKey(d.id, v)); err != nil {
					return err
				}
			}
			for _, a := range d.att {
				if err := tx.DeleteAttachment(a); err != nil && !errors.Is(err, vault.ErrNotFound) {
					return err
				}
			}
			if err := tx.Shred(d.id); err != nil {
				return err
			}
		}
		if err := forgetShares(tx, theirShares); err != nil {
			return err
		}
		if err := forgetBatches(tx, recs); err != nil {
			return err
		}
		return tx.DeleteState(spacePeople, []byte(id))
	})
	if err != nil {
		return fmt.Errorf("dropping %s's records: %w", id, mapVaultError(err))
	}
	for _, rec := range recs {
		index.Remove(rec.ID)
	}
	return nil
}

// ImportWith is Import with options.
func (w *Wallet) ImportWith(ctx context.Context, paths []string, opts ImportOptions) (ImportReport, error) {
	forced, into, err := w.importInto(opts.Into)
	if err != nil {
		return ImportReport{}, err
	}
	return w.importPaths(ctx, paths, opts.Progress, forced, into)
}

// importInto resolves ImportOptions.Into: forced when given, into the
// person's ID ("" the owner).
func (w *Wallet) importInto(who string) (forced bool, into string, err error) {
	if strings.TrimSpace(who) == "" {
		return false, "", nil
	}
	p, err := w.FindPerson(who)
	if err != nil {
		return false, "", fmt.Errorf("importing into %q: %w", who, err)
	}
	if p.CaredFor {
		return false, "", fmt.Errorf("%s's records come from their own wallet (you care for them): import into yourself or someone kept apart here", p.Name)
	}
	if !p.Owner {
		into = p.ID
	}
	return true, into, nil
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
	err := w.vault.View(func(tx *vault.ReadTx) error {
		var err error
		p, err = readPersonIn(tx, id)
		return err
	})
	if errors.Is(err, ErrNoSuchPerson) {
		return p, err
	}
	if err != nil {
		return p, fmt.Errorf("reading person %s: %w", id, mapVaultError(err))
	}
	return p, nil
}

// readPersonIn reads one person's space record in a transaction.
func readPersonIn(tx outbox.Reader, id string) (personRecord, error) {
	var p personRecord
	v, ok, err := tx.State(spacePeople, []byte(id))
	if err != nil {
		return p, err
	}
	if !ok {
		return p, fmt.Errorf("%w: %q", ErrNoSuchPerson, id)
	}
	return p, json.Unmarshal(v, &p)
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

// spaceOwner keeps what the owner's own Patient resources say (name, birth
// date, identifiers) under OwnerID, once an import has told.
const spaceOwner = "people/owner"

// ownerRecord reads the owner's Patient facts; ok is false until known.
func (w *Wallet) ownerRecord() (personRecord, bool, error) {
	var p personRecord
	var found bool
	err := w.vault.View(func(tx *vault.ReadTx) error {
		v, ok, err := tx.State(spaceOwner, []byte(OwnerID))
		if err != nil || !ok {
			return err
		}
		found = true
		return json.Unmarshal(v, &p)
	})
	if err != nil {
		return p, false, fmt.Errorf("reading who owns this wallet: %w", mapVaultError(err))
	}
	return p, found, nil
}

// personRecords reads every person's space, by name.
func (w *Wallet) personRecords() ([]personRecord, error) {
	var out []personRecord
	err := w.vault.View(func(tx *vault.ReadTx) error {
		return tx.ForEachState(spacePeople, func(_, v []byte) error {
			var p personRecord
			if err := json.Unmarshal(v, &p); err != nil {
				return fmt.Errorf("a person's space is unreadable: %w", err)
			}
			out = append(out, p)
			return nil
		})
	})
	if err != nil {
		return nil, fmt.Errorf("reading the people in this wallet: %w", mapVaultError(err))
	}
	slices.SortFunc(out, func(a, b personRecord) int { return cmp.Compare(a.Name+a.ID, b.Name+b.ID) })
	return out, nil
}

// personKeys are the keys of the people kept apart, by person ID.
func (w *Wallet) personKeys() (map[string]*ecdsa.PrivateKey, error) {
	spaces, err := w.personRecords()
	if err != nil {
		return nil, err
	}
	out := make(map[string]*ecdsa.PrivateKey, len(spaces))
	for _, p := range spaces {
		k, err := w.relationshipKey(p.Tweak)
		if err != nil {
			return nil, err
		}
		out[p.ID] = k
	}
	return out, nil
}

// peopleKeys are personKeys by address, for the outbox to sign again and
// the network to submit with (see relationshipKeys).
func (w *Wallet) peopleKeys() map[common.Address]*ecdsa.PrivateKey {
	keys, err := w.personKeys()
	if err != nil {
		return nil
	}
	out := make(map[common.Address]*ecdsa.PrivateKey, len(keys))
	for _, k := range keys {
		out[crypto.PubkeyToAddress(k.PublicKey)] = k
	}
	return out
}

// personWords names a person's records in a message: "you" for the owner.
func personWords(id string) string {
	if id == "" || id == OwnerID {
		return "you"
	}
	return id
}

// personSharingKey is the X25519 sharing key of person's shares: the
// owner's, or the person's own, derived from the wallet's seed and their
// tweak (identity.PersonSharingKey), so their shares' access logs are
// sealed to a key of theirs that goes with their space when it is handed
// over, and nothing links their shares to the owner's card.
func (w *Wallet) personSharingKey(person string) (*ecdh.PrivateKey, error) {
	if person == "" || person == OwnerID {
		return w.sharingKey()
	}
	p, err := w.personRecordByID(person)
	if err != nil {
		return nil, err
	}
	w.mu.RLock()
	defer w.mu.RUnlock()
	if w.id == nil {
		return nil, ErrLocked
	}
	return w.id.PersonSharingKey(p.Tweak)
}

// personKeyring derives each person's keys once for one operation that
// walks many shares (the shares list, the access log): their signing key,
// its address and their sharing key, by person ID ("" the owner).
type personKeyring struct {
	w       *Wallet
	signers map[string]*ecdsa.PrivateKey
	sharing map[string]*ecdh.PrivateKey
}

func (w *Wallet) keyring() *personKeyring {
	return &personKeyring{w: w, signers: map[string]*ecdsa.PrivateKey{}, sharing: map[string]*ecdh.PrivateKey{}}
}

// signer is personKey(person), derived once.
func (k *personKeyring) signer(person string) (*ecdsa.PrivateKey, error) {
	if key, ok := k.signers[person]; ok {
		return key, nil
	}
	key, err := k.w.personKey(person)
	if err != nil {
		return nil, err
	}
	k.signers[person] = key
	return key, nil
}

// address is the person's address: their grants and anchors are under it.
func (k *personKeyring) address(person string) (common.Address, error) {
	key, err := k.signer(person)
	if err != nil {
		return common.Address{}, err
	}
	return crypto.PubkeyToAddress(key.PublicKey), nil
}

// sharingKey is personSharingKey(person), derived once.
func (k *personKeyring) sharingKey(person string) (*ecdh.PrivateKey, error) {
	if key, ok := k.sharing[person]; ok {
		return key, nil
	}
	key, err := k.w.personSharingKey(person)
	if err != nil {
		return nil, err
	}
	k.sharing[person] = key
	return key, nil
}

// personCard is the identity card a share of person's records carries: the
// owner's, or the person's own (their name and address, signed by their
// key, with their own sharing key, personSharingKey, so access logs come
// back here).
func (w *Wallet) personCard(person string, key *ecdsa.PrivateKey, sharing *ecdh.PrivateKey) (string, error) {
	if person == "" || person == OwnerID {
		return w.Card()
	}
	p, err := w.personRecordByID(person)
	if err != nil {
		return "", err
	}
	var pub [32]byte
	copy(pub[:], sharing.PublicKey().Bytes())
	card, err := identity.CardFor(key, pub, p.Name)
	if err != nil {
		return "", fmt.Errorf("making %s's identity card: %w", p.Name, err)
	}
	return card.String(), nil
}
