package wallet

// The emergency card (issue 9, DESIGN §8): an International Patient Summary
// behind a long-lived link, printable, every opening logged as break-glass.
//
// The profile and the current card live sealed in the vault's state area:
//
//	emergency  "profile" → emergency.Profile (JSON)
//	emergency  "card"    → emergencyCard (JSON)
//
// Making a card: the IPS is built (package emergency) from the profile and
// the chosen records; what it makes itself (the Composition, the Patient
// with the contacts, the blood type, "no information" entries) is committed
// with fresh salts and anchored on chain as one batch, so that every entry
// verifies like a record; then it is shared through the same path as Share
// (grant, relay), purpose ETREAT, no passcode, for a year, and the relay is
// given the grant's access key so it records every opening on chain. A new
// card replaces and revokes the old one.

import (
	"context"
	"crypto/rand"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/ethereum/go-ethereum/common"

	"healthwallet/chain/merkle"
	"healthwallet/chain/outbox"
	"healthwallet/wallet/emergency"
	"healthwallet/wallet/identity"
	"healthwallet/wallet/record"
	"healthwallet/wallet/relay"
	"healthwallet/wallet/share"
	"healthwallet/wallet/vault"
)

// EmergencyContact is someone to call.
type EmergencyContact = emergency.Contact

// EmergencyProfile is what the patient puts on the card (checked by
// emergency.Profile.Check).
type EmergencyProfile = emergency.Profile

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

// DefaultEmergencyTTL is how long a card works unless told otherwise.
const DefaultEmergencyTTL = 365 * 24 * time.Hour

// EmergencyLabel is the label of the card's link.
const EmergencyLabel = "Emergency card"

const (
	spaceEmergency = "emergency"
	// kindEmergencyAnchor is the outbox kind of the anchoring of what the
	// card's IPS makes itself; the payload is the batch's root.
	kindEmergencyAnchor = "emergency-anchor"
)

var (
	keyEmergencyProfile = []byte("profile")
	keyEmergencyCard    = []byte("card")
)

// ErrNoEmergencyCard: there is no card to show, print or revoke.
var ErrNoEmergencyCard = errors.New("there is no emergency card yet: make one (hw emergency card --relay URL)")

// emergencyCard is the wallet's sealed record of its current card.
type emergencyCard struct {
	Share   string         `json:"share"` // the share's id (share/own)
	Link    string         `json:"link"`
	Created time.Time      `json:"created"`
	Expires time.Time      `json:"expires"`
	Records int            `json:"records"`
	Face    emergency.Face `json:"face"`
	Root    common.Hash    `json:"root"` // the anchored batch of what the IPS made
}

// EmergencyProfile returns the saved profile (zero when none).
func (w *Wallet) EmergencyProfile() (EmergencyProfile, error) {
	if err := w.unlocked(); err != nil {
		return EmergencyProfile{}, err
	}
	var p EmergencyProfile
	_, err := w.readEmergency(keyEmergencyProfile, &p)
	return p, err
}

// SetEmergencyProfile checks and saves the profile; records it includes
// must be ones the card can carry.
func (w *Wallet) SetEmergencyProfile(p EmergencyProfile) error {
	if err := w.unlocked(); err != nil {
		return err
	}
	p, err := p.Check()
	if err != nil {
		return err
	}
	if p.Include != nil {
		index, err := w.currentIndex()
		if err != nil {
			return err
		}
		seen := map[string]bool{}
		var ids []string
		for _, id := range p.Include {
			id = strings.TrimSpace(id)
			r, ok := index.Get(id)
			if !ok {
				return fmt.Errorf("%w: %s (list the records with hw records)", ErrNotFound, id)
			}
			if _, ok := emergency.SectionOf(r.ResourceType); !ok {
				return fmt.Errorf("record %s is a %s: an emergency card carries allergies, medications, problems, immunizations and devices", id, r.ResourceType)
			}
			if !seen[id] {
				seen[id] = true
				ids = append(ids, id)
			}
		}
		p.Include = ids
		if p.Include == nil {
			p.Include = []string{} // chosen: none
		}
	}
	p.Updated = now().UTC().Truncate(time.Second)
	return w.writeEmergency(keyEmergencyProfile, p)
}

func (w *Wallet) readEmergency(key []byte, v any) (bool, error) {
	var raw []byte
	err := w.vault.View(func(tx *vault.ReadTx) error {
		b, ok, err := tx.State(spaceEmergency, key)
		if ok {
			raw = b
		}
		return err
	})
	if err != nil {
		return false, fmt.Errorf("reading the emergency card: %w", mapVaultError(err))
	}
	if raw == nil {
		return false, nil
	}
	if err := json.Unmarshal(raw, v); err != nil {
		return false, fmt.Errorf("the saved emergency %s is unreadable: %w", key, err)
	}
	return true, nil
}

func (w *Wallet) writeEmergency(key []byte, v any) error {
	b, err := jsonMarshal(v)
	if err != nil {
		return err
	}
	err = w.vault.Update(func(tx *vault.Tx) error { return tx.PutState(spaceEmergency, key, b) })
	if err != nil {
		return fmt.Errorf("saving the emergency %s: %w", key, mapVaultError(err))
	}
	return nil
}

// EmergencyCandidates are the records the profile may include, and which of
// them are included now (the default: active ones).
func (w *Wallet) EmergencyCandidates() (records []record.Record, included map[string]bool, err error) {
	if err := w.unlocked(); err != nil {
		return nil, nil, err
	}
	p, err := w.EmergencyProfile()
	if err != nil {
		return nil, nil, err
	}
	index, err := w.currentIndex()
	if err != nil {
		return nil, nil, err
	}
	chosen := map[string]bool{}
	for _, id := range p.Include {
		chosen[id] = true
	}
	included = map[string]bool{}
	// The owner's records only: the card is theirs (people kept apart
	// have their records shared under their own identity, people.go).
	for _, r := range index.List(record.Filter{OnePerson: true}) {
		if _, ok := emergency.SectionOf(r.ResourceType); !ok {
			continue
		}
		records = append(records, r)
		if p.Include != nil {
			included[r.ID] = chosen[r.ID]
			continue
		}
		body, err := w.recordBody(r)
		if err != nil {
			return nil, nil, err
		}
		included[r.ID] = emergency.Active(body)
	}
	return records, included, nil
}

func (w *Wallet) recordBody(r record.Record) (json.RawMessage, error) {
	vid, err := parseID(r.ID)
	if err != nil {
		return nil, err
	}
	body, err := w.vault.Body(vid, uint32(r.Version))
	if err != nil {
		return nil, fmt.Errorf("reading record %s: %w", r.ID, mapVaultError(err))
	}
	return body, nil
}

// MakeEmergencyCard builds the IPS from the profile and records and shares it
// behind a long-lived link (purpose ETREAT, no passcode), replacing (and
// revoking) an earlier card.
func (w *Wallet) MakeEmergencyCard(ctx context.Context, req EmergencyCardRequest) (EmergencyCard, error) {
	if err := w.unlocked(); err != nil {
		return EmergencyCard{}, err
	}
	ttl := req.TTL
	if ttl == 0 {
		ttl = DefaultEmergencyTTL
	}
	base, err := w.shareRelay(req.Relay)
	if err != nil {
		return EmergencyCard{}, err
	}
	profile, err := w.EmergencyProfile()
	if err != nil {
		return EmergencyCard{}, err
	}
	candidates, included, err := w.EmergencyCandidates()
	if err != nil {
		return EmergencyCard{}, err
	}
	var recs []record.Record
	var bodies []json.RawMessage
	for _, r := range candidates {
		if !included[r.ID] {
			continue
		}
		body, err := w.recordBody(r)
		if err != nil {
			return EmergencyCard{}, err
		}
		recs, bodies = append(recs, r), append(bodies, body)
	}
	if len(recs)+4 > share.MaxProofRecords {
		return EmergencyCard{}, fmt.Errorf("%d records chosen, at most %d fit on a card: choose fewer (hw emergency set --include …)", len(recs), share.MaxProofRecords-4)
	}
	in := emergency.Input{Records: bodies, Profile: profile, Now: now()}
	if err := w.emergencyPatient(&in); err != nil {
		return EmergencyCard{}, err
	}
	doc, err := emergency.Build(in)
	if err != nil {
		return EmergencyCard{}, err
	}

	// The patient's records, anchored (first, if need be) like any share's.
	var shared []share.SharedRecord
	var versions []string
	if len(recs) > 0 {
		if shared, versions, err = w.sharedRecords(ctx, recs); err != nil {
			return EmergencyCard{}, err
		}
	}
	// What the IPS made: committed with fresh salts and anchored as one batch.
	made, root, err := w.anchorMade(ctx, doc)
	if err != nil {
		return EmergencyCard{}, err
	}
	ordered := make([]share.SharedRecord, len(doc.Entries))
	for i, e := range doc.Entries {
		if e.Made {
			ordered[i] = made[i]
		} else {
			ordered[i] = shared[e.Record]
		}
	}

	old, hadOld, err := w.currentCard()
	if err != nil {
		return EmergencyCard{}, err
	}
	// The card's QR holds the relay's viewer URL, which a phone camera
	// opens; on a relay whose URL is long, the label gives way so that the
	// link still fits the QR.
	label := EmergencyLabel
	if checkLinkFits(ShareRequest{TTL: ttl, Label: label}, base) != nil {
		label = ""
	}
	res, err := w.shareWith(ctx, ShareRequest{Purpose: relay.EmergencyPurpose, TTL: ttl, Label: label}, base, false,
		shareExtras{records: ordered, versions: versions, document: doc.ShareDocument(), emergency: true})
	if err != nil {
		return EmergencyCard{}, err
	}
	card := emergencyCard{Share: res.ID, Link: res.Link, Created: now().UTC().Truncate(time.Second), Expires: res.Expires,
		Records: len(recs), Face: doc.Face, Root: root}
	if err := w.writeEmergency(keyEmergencyCard, card); err != nil {
		return EmergencyCard{}, err
	}
	out := EmergencyCard{ID: res.ID, Link: res.Link, Expires: res.Expires, Created: card.Created, Records: len(recs), State: ShareActive, QR: res.QR, Problem: res.Problem}
	if res.Problem != "" {
		out.State = SharePending
	}
	if hadOld && old.Share != res.ID {
		if err := w.Revoke(ctx, old.Share); err != nil && !errors.Is(err, ErrNoShare) {
			out.Problem = strings.TrimPrefix(out.Problem+"; ", "; ") + "the old card is not revoked yet: " + err.Error()
		}
	}
	return out, nil
}

// emergencyPatient fills in who the card is for: the patient's own Patient
// record if the wallet holds one, and the name on the identity card.
func (w *Wallet) emergencyPatient(in *emergency.Input) error {
	index, err := w.currentIndex()
	if err != nil {
		return err
	}
	for _, r := range index.List(record.Filter{OnePerson: true, ResourceType: "Patient"}) { // the owner's, not someone kept apart
		body, err := w.recordBody(r)
		if err != nil {
			return err
		}
		in.Patient = body
		return nil
	}
	text, err := w.Card()
	if err != nil {
		return err
	}
	card, err := identity.ParseCard(text)
	if err != nil {
		return fmt.Errorf("reading the wallet's own card: %w", err)
	}
	in.Name = card.DisplayName
	return nil
}

// anchorMade commits what the IPS made with fresh salts, anchors them as
// one batch (through the outbox, signed by the patient) and waits for its
// block: a card carries only what verifies. It returns the shared form of
// each made entry, by index in doc.Entries, and the batch's root.
func (w *Wallet) anchorMade(ctx context.Context, doc *emergency.Document) (map[int]share.SharedRecord, common.Hash, error) {
	made := map[int]share.SharedRecord{}
	var idx []int
	var leaves [][32]byte
	for i, e := range doc.Entries {
		if !e.Made {
			continue
		}
		var salt [32]byte
		if _, err := rand.Read(salt[:]); err != nil {
			return nil, common.Hash{}, fmt.Errorf("drawing a salt: %w", err)
		}
		_, commitment, err := share.RecordCommitment(e.Resource, salt)
		if err != nil {
			return nil, common.Hash{}, fmt.Errorf("the card's summary: %w", err)
		}
		made[i] = share.SharedRecord{Resource: e.Resource, Salt: salt}
		idx = append(idx, i)
		leaves = append(leaves, commitment)
	}
	tree, err := merkle.New(leaves)
	if err != nil {
		return nil, common.Hash{}, fmt.Errorf("the card's summary: %w", err)
	}
	root := common.Hash(tree.Root())
	for j, i := range idx {
		r := made[i]
		r.AnchorRoot, r.AnchorProof = root, tree.Prove(j)
		made[i] = r
	}
	chainID, registry, err := w.chainParams(ctx)
	if err != nil {
		return nil, common.Hash{}, err
	}
	signer, err := w.actionSigner(chainID, registry)
	if err != nil {
		return nil, common.Hash{}, err
	}
	data, err := signer.Anchor(root, uint32(len(leaves)), uint64(now().Add(anchorValidity).Unix()))
	if err != nil {
		return nil, common.Hash{}, err
	}
	var row outbox.Row
	err = w.vault.Update(func(tx *vault.Tx) error {
		row, err = outbox.Enqueue(tx, kindEmergencyAnchor, root[:], data)
		return err
	})
	if err != nil {
		return nil, common.Hash{}, fmt.Errorf("saving the card's anchoring: %w", mapVaultError(err))
	}
	problem, err := w.waitRow(ctx, row.ID, shareAnchorWait)
	if err != nil {
		return nil, common.Hash{}, err
	}
	if problem != "" {
		return nil, common.Hash{}, fmt.Errorf("%w: the card's summary (the chain: %s); nothing was shared", ErrNotAnchored, problem)
	}
	return made, root, nil
}

func (w *Wallet) currentCard() (emergencyCard, bool, error) {
	var c emergencyCard
	ok, err := w.readEmergency(keyEmergencyCard, &c)
	return c, ok, err
}

// CurrentEmergencyCard is the card made last, with its live state; false
// when there is none.
func (w *Wallet) CurrentEmergencyCard(ctx context.Context) (EmergencyCard, bool, error) {
	if err := w.unlocked(); err != nil {
		return EmergencyCard{}, false, err
	}
	c, ok, err := w.currentCard()
	if err != nil || !ok {
		return EmergencyCard{}, false, err
	}
	out := EmergencyCard{ID: c.Share, Link: c.Link, Expires: c.Expires, Created: c.Created, Records: c.Records, State: ShareActive}
	shares, err := w.Shares(ctx)
	if err != nil {
		return EmergencyCard{}, false, err
	}
	for _, s := range shares {
		if s.ID == c.Share {
			out.State, out.Problem = s.State, s.Problem
		}
	}
	if qr, err := share.LinkQRCode(c.Link, 8); err == nil {
		out.QR = qr
	}
	return out, true, nil
}

// RevokeEmergencyCard revokes the current card.
func (w *Wallet) RevokeEmergencyCard(ctx context.Context) error {
	if err := w.unlocked(); err != nil {
		return err
	}
	c, ok, err := w.currentCard()
	if err != nil {
		return err
	}
	if !ok {
		return ErrNoEmergencyCard
	}
	return w.Revoke(ctx, c.Share)
}

// EmergencyCardPDF and EmergencyCardPNG render the current card for print:
// a wallet-size card and a page (name, the QR, the essentials in large type,
// how to open it). The PDF is an A4 page; EmergencyCardPDFOn chooses the
// paper (emergency.PaperA4 or emergency.PaperLetter).
func (w *Wallet) EmergencyCardPDF(ctx context.Context) ([]byte, error) {
	return w.EmergencyCardPDFOn(ctx, emergency.PaperA4)
}

// EmergencyCardPDFOn is EmergencyCardPDF on the paper given.
func (w *Wallet) EmergencyCardPDFOn(ctx context.Context, paper string) ([]byte, error) {
	p, err := w.printedCard()
	if err != nil {
		return nil, err
	}
	return emergency.RenderPDF(p, paper)
}

// EmergencyCardPNG renders the wallet-size card.
func (w *Wallet) EmergencyCardPNG(ctx context.Context) ([]byte, error) {
	p, err := w.printedCard()
	if err != nil {
		return nil, err
	}
	return emergency.RenderPNG(p)
}

func (w *Wallet) printedCard() (emergency.Printed, error) {
	if err := w.unlocked(); err != nil {
		return emergency.Printed{}, err
	}
	c, ok, err := w.currentCard()
	if err != nil {
		return emergency.Printed{}, err
	}
	if !ok {
		return emergency.Printed{}, ErrNoEmergencyCard
	}
	return emergency.Printed{Face: c.Face, Link: c.Link, Expires: c.Expires}, nil
}

// accessOnChain is recordAccess for every relay entry, break-glass
// openings first: the relay recorded those on chain itself, and its sealed
// entry says with what salt; the wallet recomputes the commitment from the
// statement and salt, and the chain's event then marks the entry Recorded.
// An opening the relay could not record (the chain was down), or whose
// salt does not make the commitment it claims, the wallet records itself.
func (w *Wallet) accessOnChain(target func() (chainTarget, error), s ownShare, e relay.AccessEntry, a *AccessEntry) (bool, error) {
	if e.Emergency {
		a.Emergency = true
		a.What = "the emergency card (break-glass)"
		if e.TxHash != "" {
			if entry, ok := breakGlassEntry(e); ok {
				a.entry, a.TxHash = entry, e.TxHash
				return false, nil
			}
		}
	}
	return w.recordAccess(target, s, e, a)
}

// breakGlassEntry is the chain entry of a break-glass opening, when the
// relay's salt makes the commitment it names.
func breakGlassEntry(e relay.AccessEntry) (common.Hash, bool) {
	salt := common.FromHex(e.Salt)
	if len(salt) != 32 {
		return common.Hash{}, false
	}
	st := share.AccessStatement{Who: e.Recipient, Purpose: e.Purpose, Time: e.Time.Unix()}
	entry, err := st.Commitment([32]byte(salt))
	if err != nil || entry != common.HexToHash(e.Entry) {
		return common.Hash{}, false
	}
	return entry, true
}
