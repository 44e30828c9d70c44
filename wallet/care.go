package wallet

// Caring for someone, the caregiver's side (issue 9): accept an invitation,
// keep the person's records verified and current in a space of their own,
// share them with a doctor when the delegation allows it.
//
// The caregiver acts for each person through a relationship key (the
// wallet's chain key tweaked by the invitation's secret tweak), so that the
// chain links neither the people cared for to one another nor to the
// caregiver's card. Everything lives sealed in the vault's state area:
//
//	care/people            patient address → caredRecord (JSON)
//	care/records/<patient> record id → careRecord: the resource and its proof
//	care/shares            share id → careShare: the shares made for a patient
//
// State space names and keys are MACed by the vault, values sealed: the
// file shows no patient, name or record.

import (
	"context"
	"crypto/ecdh"
	"crypto/ecdsa"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"math/big"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"time"

	"github.com/ethereum/go-ethereum"
	"github.com/ethereum/go-ethereum/common"
	"github.com/ethereum/go-ethereum/crypto"

	"healthwallet/chain"
	"healthwallet/chain/outbox"
	"healthwallet/wallet/care"
	"healthwallet/wallet/identity"
	"healthwallet/wallet/network"
	"healthwallet/wallet/record"
	"healthwallet/wallet/relay"
	"healthwallet/wallet/share"
	"healthwallet/wallet/vault"
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
		when = " on " + e.When.UTC().Format("2 Jan 2006 15:04 MST")
	}
	return fmt.Sprintf("%s's delegation was %s%s: ask %s for a new invitation; the records already on this device stay here", e.Name, e.How, when, e.Name)
}

func (e *DelegationEndedError) Unwrap() error { return ErrDelegationEnded }

// Errors of caring a caller can act on.
var (
	// ErrNoPerson: no person cared for matches what was given.
	ErrNoPerson = errors.New("no such person: list the people you care for with hw care list")
	// ErrNoRight: the delegation does not give the right the action needs.
	ErrNoRight = errors.New("the delegation does not allow it")
)

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
	// EmergencyOpenings are the openings of the person's emergency card
	// seen on chain, oldest first (see [EmergencyOpening]: when, not who).
	EmergencyOpenings []EmergencyOpening `json:"emergencyOpenings,omitempty"`
}

// States of a CaredFor.
const (
	CareActive  = "active"
	CareExpired = "expired"
	CareRevoked = "revoked"
)

// CareSyncReport is one person's copy after CareSync.
type CareSyncReport struct {
	Patient string `json:"patient"`
	Name    string `json:"name"`
	Records int    `json:"records"`
	Added   int    `json:"added"`
	Problem string `json:"problem,omitempty"`
	// NewEmergencyOpenings are the openings of the person's emergency card
	// this sync saw on chain for the first time: each is reported once.
	NewEmergencyOpenings []EmergencyOpening `json:"newEmergencyOpenings,omitempty"`
	// EmergencyProblem says why the chain could not be read for openings
	// (the records synced regardless); the next sync reports what this one
	// missed.
	EmergencyProblem string `json:"emergencyProblem,omitempty"`
}

const (
	spaceCarePeople  = "care/people"
	spaceCareRecords = "care/records/" // + the patient's address, lower-case hex
	spaceCareShares  = "care/shares"
)

// caredRecord is the wallet's sealed record of one person it cares for.
type caredRecord struct {
	Patient    common.Address  `json:"patient"`
	Delegate   common.Address  `json:"delegate"`
	Invitation json.RawMessage `json:"invitation"` // care.Invitation, as opened (holds the tweak)
	// Scope is the latest signed scope, from the latest verified copy.
	Scope     care.SignedScope `json:"scope"`
	BirthDate string           `json:"birthDate,omitempty"`
	Records   int              `json:"records"`
	Accepted  time.Time        `json:"accepted"`
	Synced    time.Time        `json:"synced"`
	// Ended is "revoked" or "expired" once the wallet saw the delegation
	// end, at EndedAt (zero when unknown).
	Ended   string    `json:"ended,omitempty"`
	EndedAt time.Time `json:"endedAt,omitzero"`
	Problem string    `json:"problem,omitempty"`
}

// careRecord is one of the person's records, with what shares it.
type careRecord struct {
	Resource json.RawMessage   `json:"resource"`
	Proof    share.RecordProof `json:"proof"`
	Version  int               `json:"version"`
	Added    time.Time         `json:"added"`
}

// careShare is a share made on a person's behalf.
type careShare struct {
	ownShare
	Patient  common.Address `json:"patient"`
	Delegate common.Address `json:"delegate"`
}

func (c caredRecord) invitation() (care.Invitation, error) {
	inv, err := care.ParseInvitation(c.Invitation)
	if err != nil {
		return care.Invitation{}, fmt.Errorf("the saved invitation of %s is unreadable: %w", c.Patient.Hex(), err)
	}
	return inv, nil
}

func (c caredRecord) name() string { return c.Scope.Scope.PatientName }

// id is the person's short id: stable, and linked to nothing outside the
// wallet (a hash of the delegate address, which only this wallet and the
// patient know belongs to it).
func (c caredRecord) id() string {
	return hex.EncodeToString(crypto.Keccak256([]byte("care id"), c.Delegate[:])[:4])
}

func (c caredRecord) state(at time.Time) string {
	switch {
	case c.Ended != "":
		return c.Ended
	case !at.Before(c.Scope.Scope.Expires()):
		return CareExpired
	}
	return CareActive
}

func (c caredRecord) info(at time.Time) CaredFor {
	s := c.Scope.Scope
	return CaredFor{
		ID: c.id(), Patient: c.Patient.Hex(), Name: s.PatientName, BirthDate: c.BirthDate, Delegate: c.Delegate.Hex(),
		Rights: s.Rights, Types: s.Types, Categories: s.Categories, Expires: s.Expires(), Records: c.Records,
		Synced: c.Synced, State: c.state(at), Problem: c.Problem,
	}
}

// ended is the DelegationEndedError of a person whose delegation ended.
func (c caredRecord) ended(at time.Time) *DelegationEndedError {
	switch c.state(at) {
	case CareRevoked:
		return &DelegationEndedError{Name: c.name(), How: CareRevoked, When: c.EndedAt}
	case CareExpired:
		return &DelegationEndedError{Name: c.name(), How: CareExpired, When: c.Scope.Scope.Expires()}
	}
	return nil
}

func careRecordsSpace(patient common.Address) string {
	return spaceCareRecords + strings.ToLower(patient.Hex())
}

// careRecordID is a record's id in the person's space: stable across the
// patient's syncs for the same resource ("Type/id"), else its content.
func careRecordID(patient common.Address, p share.RecordProof) string {
	key := p.ResourceRef
	if key == "" {
		key = p.ContentHash.Hex()
	}
	return hex.EncodeToString(crypto.Keccak256([]byte("care record"), patient[:], []byte(key))[:16])
}

// caredPeople reads every person the wallet cares for.
func (w *Wallet) caredPeople() ([]caredRecord, error) {
	var out []caredRecord
	err := w.vault.View(func(tx *vault.ReadTx) error {
		return tx.ForEachState(spaceCarePeople, func(_, v []byte) error {
			var c caredRecord
			if err := json.Unmarshal(v, &c); err != nil {
				return fmt.Errorf("a person cared for is unreadable: %w", err)
			}
			out = append(out, c)
			return nil
		})
	})
	if err != nil {
		return nil, fmt.Errorf("reading the people you care for: %w", mapVaultError(err))
	}
	slices.SortFunc(out, func(a, b caredRecord) int { return strings.Compare(a.name()+a.id(), b.name()+b.id()) })
	return out, nil
}

// findPerson returns the person named by who: their id, their address, or
// an unambiguous (case-insensitive) name or part of one.
func (w *Wallet) findPerson(who string) (caredRecord, error) {
	who = strings.TrimSpace(who)
	if who == "" {
		return caredRecord{}, fmt.Errorf("%w: say whom (an id, address or name from hw care list)", ErrNoPerson)
	}
	people, err := w.caredPeople()
	if err != nil {
		return caredRecord{}, err
	}
	for _, c := range people {
		if strings.EqualFold(c.id(), who) || strings.EqualFold(c.Patient.Hex(), who) {
			return c, nil
		}
	}
	var byName []caredRecord
	for _, c := range people {
		if strings.EqualFold(c.name(), who) {
			byName = append(byName, c)
		}
	}
	if len(byName) == 0 {
		for _, c := range people {
			if strings.Contains(strings.ToLower(c.name()), strings.ToLower(who)) {
				byName = append(byName, c)
			}
		}
	}
	switch len(byName) {
	case 0:
		return caredRecord{}, fmt.Errorf("%w: %q", ErrNoPerson, who)
	case 1:
		return byName[0], nil
	}
	var ids []string
	for _, c := range byName {
		ids = append(ids, c.id()+" ("+c.name()+")")
	}
	return caredRecord{}, fmt.Errorf("%w: %q names %d people (%s): give the id", ErrNoPerson, who, len(byName), strings.Join(ids, ", "))
}

// relationshipKey is this wallet's key for the relationship with the tweak.
func (w *Wallet) relationshipKey(tweak [32]byte) (*ecdsa.PrivateKey, error) {
	w.mu.RLock()
	defer w.mu.RUnlock()
	if w.id == nil {
		return nil, ErrLocked
	}
	return w.id.RelationshipKey(tweak)
}

// relationshipKeys are this wallet's relationship keys by address, one per
// person cared for: the outbox signs again and the network submits with them.
func (w *Wallet) relationshipKeys() map[common.Address]*ecdsa.PrivateKey {
	people, err := w.caredPeople()
	if err != nil {
		return nil
	}
	out := map[common.Address]*ecdsa.PrivateKey{}
	for _, c := range people {
		inv, err := c.invitation()
		if err != nil {
			continue
		}
		if k, err := w.relationshipKey(inv.Tweak); err == nil {
			out[crypto.PubkeyToAddress(k.PublicKey)] = k
		}
	}
	maps.Copy(out, w.peopleKeys()) // the people kept apart, who sign their own anchors and grants (people.go)
	return out
}

// careChain is a reader of the chain the invitation's delegation is on: the
// wallet's own chain when it is that one, else the patient's network named
// in the invitation. close releases it.
func (w *Wallet) careChain(ctx context.Context, inv care.Invitation) (reader share.ChainReader, n *chain.Network, close func(), err error) {
	w.chainMu.Lock()
	own, ownErr := w.networkLocked(ctx)
	w.chainMu.Unlock()
	if ownErr == nil && own.ChainID.IsUint64() && own.ChainID.Uint64() == inv.ChainID && own.Registry == inv.Registry {
		return share.NewChainReader(own.Client, own.Registry), own, func() {}, nil
	}
	if inv.Network != nil && inv.Network.URL != "" {
		m, err := network.Fetch(ctx, inv.Network.URL)
		if err != nil {
			return nil, nil, nil, fmt.Errorf("reaching %s's network %q to check the delegation: %w", inv.Scope.Scope.PatientName, inv.Network.Name, err)
		}
		if m.ChainID != inv.ChainID || m.RegistryAddress() != inv.Registry {
			return nil, nil, nil, fmt.Errorf("the network at %s is on chain %d registry %s, but the delegation is on chain %d registry %s: the invitation does not match its network",
				inv.Network.URL, m.ChainID, m.RegistryAddress().Hex(), inv.ChainID, inv.Registry.Hex())
		}
		net, err := openNetwork(ctx, m)
		if err != nil {
			return nil, nil, nil, fmt.Errorf("connecting to %s's network %q: %w", inv.Scope.Scope.PatientName, inv.Network.Name, err)
		}
		return share.NewChainReader(net.Client, net.Registry), net, func() { net.Close() }, nil
	}
	if ownErr != nil {
		return nil, nil, nil, fmt.Errorf("the chain, to check the delegation: %w", ownErr)
	}
	return nil, nil, nil, fmt.Errorf("the delegation is on chain %d (registry %s), but this wallet uses chain %s (registry %s): use the patient's chain (hw --chain URL, or join their network) and try again",
		inv.ChainID, inv.Registry.Hex(), own.ChainID, own.Registry.Hex())
}

// actsOnChain refuses an action for the person unless this wallet sends to
// the chain their delegation is on: the outbox sends to the wallet's chain,
// and a grant signed for another chain would never land.
func (w *Wallet) actsOnChain(ctx context.Context, c caredRecord, inv care.Invitation) error {
	chainID, registry, err := w.chainParams(ctx)
	if err != nil {
		return err
	}
	if chainID.IsUint64() && chainID.Uint64() == inv.ChainID && registry == inv.Registry {
		return nil
	}
	where := fmt.Sprintf("chain %d (registry %s)", inv.ChainID, inv.Registry.Hex())
	how := "use that chain (hw --chain URL)"
	if inv.Network != nil {
		where = fmt.Sprintf("%s's network %q, %s", c.name(), inv.Network.Name, where)
		how = "join it (hw network join " + inv.Network.URL + ")"
	}
	return fmt.Errorf("%s's delegation is on %s, but this wallet sends to chain %s (registry %s): %s to act for %s",
		c.name(), where, chainID, registry.Hex(), how, c.name())
}

// careHTTP is the client for fetches from the relay at u.
func (w *Wallet) careHTTP(u string) *http.Client {
	if hc := w.relayHTTP(u); hc != nil {
		return hc
	}
	return &http.Client{Timeout: relayTimeout}
}

// AcceptInvitation opens an invitation sealed to this wallet, verifies the
// delegation on chain and every record of the copy, and keeps them in a
// space for that person.
func (w *Wallet) AcceptInvitation(ctx context.Context, invite string) (CaredFor, error) {
	if err := w.unlocked(); err != nil {
		return CaredFor{}, err
	}
	sharingKey, err := w.sharingKey()
	if err != nil {
		return CaredFor{}, err
	}
	invite = strings.TrimSpace(invite)
	var hc *http.Client
	if l, err := care.ParseInviteLink(invite); err == nil {
		hc = w.careHTTP(l.URL)
	}
	inv, err := care.FetchInvitation(ctx, hc, invite, sharingKey)
	if err != nil {
		return CaredFor{}, fmt.Errorf("opening the invitation: %w", err)
	}
	w.mu.RLock()
	id := w.id
	var delegate common.Address
	if id == nil {
		err = ErrLocked
	} else {
		delegate, err = inv.CheckFor(id)
	}
	w.mu.RUnlock()
	if err != nil {
		return CaredFor{}, err
	}
	if own, _ := w.address(); own == inv.Scope.Scope.Patient {
		return CaredFor{}, errors.New("this invitation is from this wallet's own owner: a patient cannot care for themselves")
	}
	raw, err := inv.Marshal()
	if err != nil {
		return CaredFor{}, err
	}
	c := caredRecord{Patient: inv.Scope.Scope.Patient, Delegate: delegate, Invitation: raw, Scope: inv.Scope, Accepted: now().UTC()}
	if prev, err := w.findPerson(c.Patient.Hex()); err == nil {
		c.Accepted = prev.Accepted // accepted again (a renewal): the same space
	}
	v, _, err := w.fetchCopy(ctx, &c, inv)
	if err != nil {
		return CaredFor{}, err
	}
	// The openings before accepting are listed, not alerted: the next
	// sync reports only new ones.
	_, watchErr := w.watchEmergency(ctx, c, inv, v.EmergencyGrantKey)
	if err := w.joinPatientsNetwork(ctx, inv); err != nil {
		c.Problem = err.Error()
		_ = w.vault.Update(func(tx *vault.Tx) error { return putCared(tx, c) })
		info := c.info(now())
		info.EmergencyOpenings = w.emergencyOpenings(c.Patient)
		return info, nil
	}
	if err := w.enrolRelationship(ctx, inv); err != nil {
		c.Problem = err.Error()
		_ = w.vault.Update(func(tx *vault.Tx) error { return putCared(tx, c) })
	}
	info := c.info(now())
	info.EmergencyOpenings = w.emergencyOpenings(c.Patient)
	if watchErr != nil && info.Problem == "" {
		info.Problem = watchErr.Error()
	}
	return info, nil
}

// joinPatientsNetwork makes the patient's network this wallet's own when
// the wallet is on none and on no chain its owner chose (the embedded chain
// a new wallet starts on): the delegation is on that network, and a share
// for the patient can only land there. A wallet already on a network, or
// given a chain, is left as it is; sharing for the patient then says how to
// join theirs.
func (w *Wallet) joinPatientsNetwork(ctx context.Context, inv care.Invitation) error {
	if inv.Network == nil || inv.Network.URL == "" {
		return nil
	}
	w.chainMu.Lock()
	_, onNetwork := w.networkInForceLocked()
	chosen := w.settingsLocked().URL != ""
	w.chainMu.Unlock()
	if onNetwork || chosen {
		return nil
	}
	if _, err := w.JoinNetwork(ctx, inv.Network.URL, ""); err != nil {
		return fmt.Errorf("joining %s's network %q, to share for them: %w", inv.Scope.Scope.PatientName, inv.Network.Name, err)
	}
	return nil
}

func putCared(tx *vault.Tx, c caredRecord) error {
	b, err := jsonMarshal(c)
	if err != nil {
		return err
	}
	return tx.PutState(spaceCarePeople, []byte(strings.ToLower(c.Patient.Hex())), b)
}

// fetchCopy fetches the person's care copy, verifies it against the chain,
// and replaces their space with it in one vault transaction. It returns the
// copy and how many records are new. When the delegation has ended, the
// space is kept, the person marked, and the error is a
// *DelegationEndedError.
func (w *Wallet) fetchCopy(ctx context.Context, c *caredRecord, inv care.Invitation) (care.VerifiedCopy, int, error) {
	reader, _, closeChain, err := w.careChain(ctx, inv)
	if err != nil {
		return care.VerifiedCopy{}, 0, err
	}
	defer closeChain()
	who := w.DisplayName()
	if who == "" {
		who = "a caregiver"
	}
	cp, fetchErr := care.FetchCopy(ctx, w.careHTTP(inv.Copy), inv.Copy, who)
	var v care.VerifiedCopy
	if fetchErr == nil {
		cp.Expect = inv.Expect()
		v, err = care.VerifyCopy(ctx, cp, reader)
	}
	if fetchErr != nil || err != nil {
		// Ended? The chain says so; the relay's 404 alone does not.
		if ended := w.delegationEnded(ctx, reader, *c); ended != nil {
			c.Ended, c.EndedAt = ended.How, ended.When
			c.Problem = ended.Error()
			if _, err := w.findPerson(c.Patient.Hex()); err == nil { // a person already here, not a first accept
				if uerr := w.vault.Update(func(tx *vault.Tx) error { return putCared(tx, *c) }); uerr != nil {
					return care.VerifiedCopy{}, 0, fmt.Errorf("saving that the delegation ended: %w", mapVaultError(uerr))
				}
			}
			return care.VerifiedCopy{}, 0, ended
		}
		if fetchErr != nil {
			if errors.Is(fetchErr, share.ErrNoLongerAvailable) {
				return care.VerifiedCopy{}, 0, fmt.Errorf("%s's copy is not at the relay (%v), though the delegation is active on chain: ask %s to sync (hw sync), then try again", c.name(), fetchErr, c.name())
			}
			return care.VerifiedCopy{}, 0, fmt.Errorf("fetching %s's records: %w", c.name(), fetchErr)
		}
		return care.VerifiedCopy{}, 0, fmt.Errorf("%s's records did not verify, so none were kept: %w", c.name(), err)
	}

	c.Scope, c.Synced, c.Records, c.Ended, c.EndedAt, c.Problem = v.Signed, now().UTC(), len(v.Records), "", time.Time{}, ""
	added := 0
	err = w.vault.Update(func(tx *vault.Tx) error {
		space := careRecordsSpace(c.Patient)
		old := map[string]careRecord{}
		if err := tx.ForEachState(space, func(k, val []byte) error {
			var r careRecord
			if err := json.Unmarshal(val, &r); err != nil {
				return fmt.Errorf("a record of %s is unreadable: %w", c.name(), err)
			}
			old[string(k)] = r
			return nil
		}); err != nil {
			return err
		}
		keep := map[string]bool{}
		for _, r := range v.Records {
			id := careRecordID(c.Patient, r.Proof)
			rec := careRecord{Resource: r.Resource, Proof: r.Proof, Version: 1, Added: c.Synced}
			if prev, ok := old[id]; ok {
				rec.Added, rec.Version = prev.Added, prev.Version
				if prev.Proof.Commitment != r.Proof.Commitment {
					rec.Version++
				}
			} else if !keep[id] {
				added++
			}
			keep[id] = true
			b, err := jsonMarshal(rec)
			if err != nil {
				return err
			}
			if err := tx.PutState(space, []byte(id), b); err != nil {
				return err
			}
		}
		for id := range old {
			if !keep[id] {
				if err := tx.DeleteState(space, []byte(id)); err != nil {
					return err
				}
			}
		}
		for _, r := range v.Records {
			if c.BirthDate == "" {
				c.BirthDate = birthDateOf(r.Resource)
			}
		}
		return putCared(tx, *c)
	})
	if err != nil {
		return care.VerifiedCopy{}, 0, fmt.Errorf("saving %s's records: %w", c.name(), mapVaultError(err))
	}
	return v, added, nil
}

// birthDateOf is a Patient resource's birth date, or "".
func birthDateOf(raw json.RawMessage) string {
	var p struct {
		ResourceType string `json:"resourceType"`
		BirthDate    string `json:"birthDate"`
	}
	if json.Unmarshal(raw, &p) != nil || p.ResourceType != "Patient" || len(p.BirthDate) > 10 {
		return ""
	}
	return p.BirthDate
}

// delegationEnded reads the chain: nil while the delegation is active (or
// the chain cannot say), else how and when it ended.
func (w *Wallet) delegationEnded(ctx context.Context, reader share.ChainReader, c caredRecord) *DelegationEndedError {
	d, err := reader.DelegateOf(ctx, c.Patient, c.Delegate)
	if err != nil {
		return nil
	}
	switch {
	case d.Rights == 0:
		return &DelegationEndedError{Name: c.name(), How: CareRevoked, When: w.revokedAt(ctx, c)}
	case !d.Active:
		return &DelegationEndedError{Name: c.name(), How: CareExpired, When: time.Unix(int64(d.Expiry), 0).UTC()}
	}
	return nil
}

// delegateRevokedTopic is the registry's DelegateRevoked(address indexed
// patient, address indexed delegate) event.
var delegateRevokedTopic = crypto.Keccak256Hash([]byte("DelegateRevoked(address,address)"))

// revokedAt is when the chain recorded the delegation's revocation (the
// block time of its DelegateRevoked event), zero when it cannot tell.
func (w *Wallet) revokedAt(ctx context.Context, c caredRecord) time.Time {
	inv, err := c.invitation()
	if err != nil {
		return time.Time{}
	}
	_, n, closeChain, err := w.careChain(ctx, inv)
	if err != nil {
		return time.Time{}
	}
	defer closeChain()
	logs, err := n.Client.FilterLogs(ctx, ethereum.FilterQuery{
		Addresses: []common.Address{n.Registry},
		Topics:    [][]common.Hash{{delegateRevokedTopic}, {common.BytesToHash(c.Patient[:])}, {common.BytesToHash(c.Delegate[:])}},
	})
	if err != nil || len(logs) == 0 {
		return time.Time{}
	}
	last := logs[len(logs)-1]
	if last.BlockTimestamp != 0 {
		return time.Unix(int64(last.BlockTimestamp), 0).UTC()
	}
	if h, err := n.Client.HeaderByHash(ctx, last.BlockHash); err == nil {
		return time.Unix(int64(h.Time), 0).UTC()
	}
	return time.Time{}
}

// enrolRelationship enrols the relationship address with the network the
// wallet submits through, so that the network submits the actions it signs
// (a share's grant): on a network, each address is a member of its own. On
// a plain chain there is nothing to do: the wallet's own address sends the
// signed actions and pays their gas.
func (w *Wallet) enrolRelationship(ctx context.Context, inv care.Invitation) error {
	w.chainMu.Lock()
	m, ok := w.networkInForceLocked()
	w.chainMu.Unlock()
	if !ok {
		return nil
	}
	key, err := w.relationshipKey(inv.Tweak)
	if err != nil {
		return err
	}
	if err := relationshipClient(m, key).Enrol(ctx, w.networkInvite()); err != nil {
		return fmt.Errorf("enrolling this wallet's address for %s with the %s network (needed to share for them): %w", inv.Scope.Scope.PatientName, m.Name, err)
	}
	return nil
}

// networkInvite is the invitation code the wallet joined its network with
// ("" for an open network, or when the profile cannot be read).
func (w *Wallet) networkInvite() string {
	w.mu.RLock()
	defer w.mu.RUnlock()
	return w.profile.NetworkInvite
}

// relationshipClient is m's submission client authenticated by key.
func relationshipClient(m network.Membership, key *ecdsa.PrivateKey) *network.Client {
	return network.NewClient(m, func(d []byte) ([]byte, error) { return crypto.Sign(d, key) })
}

// careSubmission sends each signed action through the network as the
// wallet that signed it: the owner's actions as the owner, a relationship
// address's as that address (the network submits only a wallet's own
// actions, and reports a transaction only to the wallet that sent it).
type careSubmission struct {
	m       network.Membership
	invite  string // the code the wallet joined with, for an invitation-only network
	owner   *network.Client
	clients map[common.Address]*network.Client
	// grants are the grant keys of the shares of the people kept apart,
	// to their address: the opening of such a share (logAccess, signed by
	// the doctor's access key) is handed in as that person, so that the
	// node never sees the owner's address act on their grant.
	grants map[common.Hash]common.Address
}

// submission is the outbox's network submission for m: the owner's client
// alone when the wallet cares for no one.
func (w *Wallet) submission(m network.Membership) outbox.Submission {
	keys := w.relationshipKeys()
	if len(keys) == 0 {
		return w.networkClient(m)
	}
	s := &careSubmission{m: m, invite: w.networkInvite(), owner: w.networkClient(m), clients: map[common.Address]*network.Client{},
		grants: map[common.Hash]common.Address{}}
	for addr, k := range keys {
		s.clients[addr] = relationshipClient(m, k)
	}
	if shares, _, err := w.ownShares(); err == nil {
		people := w.keyring()
		for _, sh := range shares {
			if sh.Person == "" {
				continue
			}
			if addr, err := people.address(sh.Person); err == nil {
				s.grants[chain.GrantKey(addr, sh.Digest)] = addr
			}
		}
	}
	return s
}

// sender is the address a kept-apart person's or relationship's action is
// handed in as: its signer, or for the opening of a person's share the
// person; ok is false for the owner's own.
func (s *careSubmission) sender(a chain.Action) (common.Address, bool) {
	addr := a.Signer
	if a.Method == "logAccess" {
		addr = s.grants[a.GrantKey]
	}
	_, ok := s.clients[addr]
	return addr, ok
}

func (s *careSubmission) Submit(ctx context.Context, data []byte) (chain.SubmitResult, error) {
	a, err := chain.DecodeAction(data, new(big.Int).SetUint64(s.m.ChainID), s.m.RegistryAddress())
	if err == nil {
		if addr, ok := s.sender(a); ok {
			c := s.clients[addr]
			res, err := c.Submit(ctx, data)
			if errors.Is(err, network.ErrNotEnrolled) {
				// A relationship or person address signs its first action
				// on this network (a space an import made before or after
				// joining): enrol it as a member of its own, then hand the
				// action in again.
				if eerr := c.Enrol(ctx, s.invite); eerr != nil {
					return res, fmt.Errorf("enrolling the address %s with the %s network: %w", addr.Hex(), s.m.Name, eerr)
				}
				return c.Submit(ctx, data)
			}
			return res, err
		}
	}
	return s.owner.Submit(ctx, data)
}

func (s *careSubmission) Status(ctx context.Context, hash common.Hash) (chain.TxStatus, error) {
	st, err := s.owner.Status(ctx, hash)
	if !errors.Is(err, network.ErrUnknownTx) {
		return st, err
	}
	for _, c := range s.clients {
		if st, cerr := c.Status(ctx, hash); cerr == nil || !errors.Is(cerr, network.ErrUnknownTx) {
			return st, cerr
		}
	}
	return st, err
}

// People this wallet cares for.
func (w *Wallet) CaredFor(ctx context.Context) ([]CaredFor, error) {
	if err := w.unlocked(); err != nil {
		return nil, err
	}
	people, err := w.caredPeople()
	if err != nil {
		return nil, err
	}
	out := make([]CaredFor, 0, len(people))
	for _, c := range people {
		info := c.info(now())
		info.EmergencyOpenings = w.emergencyOpenings(c.Patient)
		out = append(out, info)
	}
	return out, nil
}

// CareSync fetches the newest copy of person's records (every person when
// person is empty). person is an id, an address or an unambiguous name.
// When a delegation has ended, its report says so and the error is that
// person's *DelegationEndedError (the first, when syncing everyone); the
// records already here stay. After a verified copy it reads the chain for
// openings of the person's emergency card (the grant the copy names) and
// reports each one once, in NewEmergencyOpenings: when and in which
// transaction, never who — that is sealed to the patient.
func (w *Wallet) CareSync(ctx context.Context, person string) ([]CareSyncReport, error) {
	if err := w.unlocked(); err != nil {
		return nil, err
	}
	var people []caredRecord
	if strings.TrimSpace(person) == "" {
		all, err := w.caredPeople()
		if err != nil {
			return nil, err
		}
		people = all
	} else {
		c, err := w.findPerson(person)
		if err != nil {
			return nil, err
		}
		people = []caredRecord{c}
	}
	reports := []CareSyncReport{}
	var firstErr error
	for _, c := range people {
		rep := CareSyncReport{Patient: c.Patient.Hex(), Name: c.name(), Records: c.Records}
		inv, err := c.invitation()
		var v care.VerifiedCopy
		if err == nil {
			v, rep.Added, err = w.fetchCopy(ctx, &c, inv)
		}
		if err != nil {
			rep.Problem = err.Error()
			if firstErr == nil {
				firstErr = err
			}
		} else {
			rep.Records = c.Records
			if rep.NewEmergencyOpenings, err = w.watchEmergency(ctx, c, inv, v.EmergencyGrantKey); err != nil {
				rep.EmergencyProblem = err.Error()
			}
		}
		reports = append(reports, rep)
	}
	return reports, firstErr
}

// careIndex builds the record index of a person's space.
func (w *Wallet) careIndex(c caredRecord) (*record.Index, map[string]careRecord, error) {
	index := record.NewIndex()
	recs := map[string]careRecord{}
	err := w.vault.View(func(tx *vault.ReadTx) error {
		return tx.ForEachState(careRecordsSpace(c.Patient), func(k, v []byte) error {
			var r careRecord
			if err := json.Unmarshal(v, &r); err != nil {
				return fmt.Errorf("a record of %s is unreadable: %w", c.name(), err)
			}
			recs[string(k)] = r
			return nil
		})
	})
	if err != nil {
		return nil, nil, fmt.Errorf("reading %s's records: %w", c.name(), mapVaultError(err))
	}
	for id, r := range recs {
		var head struct {
			ResourceType string `json:"resourceType"`
			ID           string `json:"id"`
		}
		_ = json.Unmarshal(r.Resource, &head)
		index.Put(record.Record{
			ID: id, ResourceType: head.ResourceType, ResourceID: head.ID, Version: r.Version, Imported: r.Added,
			Summary: record.Summarize(record.Resource{Type: head.ResourceType, ID: head.ID, Raw: r.Resource}),
			Anchor:  record.AnchorState{State: record.AnchorAnchored, Root: r.Proof.AnchorRoot.Hex()},
		})
	}
	return index, recs, nil
}

// CareRecords lists person's records, as Records does the owner's.
func (w *Wallet) CareRecords(person string, q Query) ([]record.Record, error) {
	if err := w.unlocked(); err != nil {
		return nil, err
	}
	c, err := w.findPerson(person)
	if err != nil {
		return nil, err
	}
	index, _, err := w.careIndex(c)
	if err != nil {
		return nil, err
	}
	return index.List(record.Filter{Category: q.Category, ResourceType: q.ResourceType, From: q.From, To: q.To, Text: q.Text, Limit: q.Limit}), nil
}

// CareRecord is one of person's records, as Record.
func (w *Wallet) CareRecord(person, id string) (Detail, error) {
	if err := w.unlocked(); err != nil {
		return Detail{}, err
	}
	c, err := w.findPerson(person)
	if err != nil {
		return Detail{}, err
	}
	index, recs, err := w.careIndex(c)
	if err != nil {
		return Detail{}, err
	}
	rec, ok := index.Get(id)
	if !ok {
		return Detail{}, fmt.Errorf("%w: %s has no record %s", ErrNotFound, c.name(), id)
	}
	return Detail{Record: rec, JSON: recs[id].Resource, Versions: []VersionInfo{{Version: rec.Version, Imported: rec.Imported}}}, nil
}

// liveDelegation checks on chain that the person's delegation is active
// and, unless right is empty, gives right. It marks the person when the
// delegation ended; when the patient changed its terms (a renewal: another
// scope on chain), it takes the new ones with the copy first, so that c is
// what the chain holds.
func (w *Wallet) liveDelegation(ctx context.Context, c *caredRecord, inv care.Invitation, right string) error {
	reader, _, closeChain, err := w.careChain(ctx, inv)
	if err != nil {
		if ended := c.ended(now()); ended != nil {
			return ended
		}
		return err
	}
	defer closeChain()
	if ended := w.delegationEnded(ctx, reader, *c); ended != nil {
		c.Ended, c.EndedAt, c.Problem = ended.How, ended.When, ended.Error()
		if err := w.vault.Update(func(tx *vault.Tx) error { return putCared(tx, *c) }); err != nil {
			return fmt.Errorf("saving that the delegation ended: %w", mapVaultError(err))
		}
		return ended
	}
	d, err := reader.DelegateOf(ctx, c.Patient, c.Delegate)
	if err != nil {
		return fmt.Errorf("reading %s's delegation on chain: %w", c.name(), err)
	}
	if h, err := c.Scope.Scope.Hash(); err != nil || d.Scope != h {
		if _, _, err := w.fetchCopy(ctx, c, inv); err != nil {
			return fmt.Errorf("%s changed the delegation's terms; taking the new ones: %w", c.name(), err)
		}
	}
	if right != "" && !c.Scope.Scope.Has(right) {
		return fmt.Errorf("%w: %s let you %s, not %s", ErrNoRight, c.name(), strings.Join(c.Scope.Scope.Rights, ", "), right)
	}
	return nil
}

// CareShare shares person's records with a doctor on their behalf (the
// delegation must give SHARE), as Share does the owner's: the grant's
// issuer is this wallet's address for the relationship, and the share
// carries the patient's signed scope, so the doctor sees who shared for
// whom and checks every record against it. Records outside the scope are
// refused before anything is signed.
func (w *Wallet) CareShare(ctx context.Context, person string, req ShareRequest) (ShareResult, error) {
	if err := w.unlocked(); err != nil {
		return ShareResult{}, err
	}
	c, err := w.findPerson(person)
	if err != nil {
		return ShareResult{}, err
	}
	inv, err := c.invitation()
	if err != nil {
		return ShareResult{}, err
	}
	if err := checkShareRequest(req); err != nil {
		return ShareResult{}, err
	}
	if err := w.liveDelegation(ctx, &c, inv, share.DelegateRightShare); err != nil {
		return ShareResult{}, err
	}
	if err := w.actsOnChain(ctx, c, inv); err != nil {
		return ShareResult{}, err
	}
	if err := w.enrolRelationship(ctx, inv); err != nil { // joined after accepting: enrol now
		return ShareResult{}, err
	}
	scope := c.Scope.Scope
	created := now().Truncate(time.Second)
	expires := created.Add(req.TTL)
	if expires.After(scope.Expires()) {
		return ShareResult{}, fmt.Errorf("the share would outlive %s's delegation, which ends on %s: choose a shorter time", c.name(), scope.Expires().Format("2 Jan 2006 15:04 MST"))
	}
	base := strings.TrimSuffix(strings.TrimSpace(req.Relay), "/")
	if base == "" {
		base = strings.TrimSuffix(inv.Relay, "/")
	}
	if err := share.CheckTransport(base, false); err != nil {
		return ShareResult{}, fmt.Errorf("the relay %s: %w", base, err)
	}
	if err := checkLinkFits(req, base); err != nil {
		return ShareResult{}, err
	}
	var recipient common.Hash
	if strings.TrimSpace(req.Recipient) != "" {
		card, err := identity.ParseCard(req.Recipient)
		if err != nil {
			return ShareResult{}, fmt.Errorf("the recipient's card: %w", err)
		}
		recipient = card.SharingKeyHash()
	}
	for _, t := range req.ResourceTypes {
		t = strings.TrimSpace(t)
		if cat := record.Summarize(record.Resource{Type: t}).Category; !scope.Covers(t, cat) {
			return ShareResult{}, fmt.Errorf("%w: %s records are not in what %s lets you see (%s); nothing was shared",
				share.ErrOutsideScope, t, c.name(), strings.Join(append(slices.Clone(scope.Categories), scope.Types...), ", "))
		}
	}
	index, recs, err := w.careIndex(c)
	if err != nil {
		return ShareResult{}, err
	}
	chosen, err := selectFromIndex(index, req)
	if err != nil {
		return ShareResult{}, err
	}
	var outside []string
	shared := make([]share.SharedRecord, 0, len(chosen))
	versions := make([]string, 0, len(chosen))
	for _, r := range chosen {
		cr := recs[r.ID]
		if !scope.CoversResource(cr.Resource) {
			outside = append(outside, r.ID+" ("+r.ResourceType+")")
			continue
		}
		shared = append(shared, share.SharedRecord{Resource: cr.Resource, Salt: cr.Proof.Salt, AnchorRoot: cr.Proof.AnchorRoot, AnchorProof: cr.Proof.AnchorProof})
		versions = append(versions, anchorKey(r.ID, r.Version))
	}
	if len(outside) > 0 {
		return ShareResult{}, fmt.Errorf("%w: %s; nothing was shared", share.ErrOutsideScope, firstFew(outside, 5))
	}
	key, err := w.relationshipKey(inv.Tweak)
	if err != nil {
		return ShareResult{}, err
	}
	patientCard, err := inv.PatientCard()
	if err != nil {
		return ShareResult{}, err
	}
	patientSharing, err := ecdh.X25519().NewPublicKey(patientCard.SharingKey[:])
	if err != nil {
		return ShareResult{}, fmt.Errorf("%s's sharing key: %w", c.name(), err)
	}
	linkKey, err := share.NewKey()
	if err != nil {
		return ShareResult{}, err
	}
	chainID := new(big.Int).SetUint64(inv.ChainID)
	delegation := c.Scope
	built, err := share.BuildShare(share.ShareRequest{
		Records: shared, Key: linkKey, Patient: c.Patient, Signer: key, Recipient: recipient,
		PurposeCode: req.Purpose, NotBefore: created, Expiry: expires, ChainID: chainID, Registry: inv.Registry,
		Card: inv.Card, Network: inv.Network, Delegation: &delegation,
	})
	if err != nil {
		return ShareResult{}, err
	}
	access, err := share.AccessKey(linkKey)
	if err != nil {
		return ShareResult{}, err
	}
	signer := chain.Signer{Key: key, ChainID: chainID, Registry: inv.Registry}
	expiry := uint64(expires.Unix())
	issue, err := signer.IssueGrant(c.Patient, built.Digest, crypto.PubkeyToAddress(access.PublicKey), expiry, expiry)
	if err != nil {
		return ShareResult{}, err
	}
	var grantRow outbox.Row
	err = w.vault.Update(func(tx *vault.Tx) error {
		grantRow, err = outbox.Enqueue(tx, kindIssueGrant, built.Digest[:], issue)
		return err
	})
	if err != nil {
		return ShareResult{}, fmt.Errorf("saving the grant: %w", mapVaultError(err))
	}
	problem, err := w.waitRow(ctx, grantRow.ID, shareGrantWait)
	if err != nil {
		return ShareResult{}, err
	}
	if row, err := w.outboxRow(grantRow.ID); err == nil && row.State == outbox.Failed {
		return ShareResult{}, fmt.Errorf("the chain refused the share's grant, so nothing was uploaded: %s", row.LastError)
	}
	revokeGrant := func(cause error) error {
		return w.abandonCareGrant(ctx, signer, c.Patient, built.Digest, expires, cause)
	}

	flag := ""
	if req.Passcode != "" {
		flag = string(share.FlagPasscode)
	}
	files := make([]relay.File, len(built.Files))
	for i, f := range built.Files {
		files[i] = relay.File{ContentType: f.ContentType, JWE: f.JWE}
	}
	client, err := relay.NewClient(base, key, w.careHTTP(base))
	if err != nil {
		return ShareResult{}, revokeGrant(fmt.Errorf("the relay URL %q: %w", base, err))
	}
	info, err := client.CreateShare(ctx, relay.CreateRequest{
		Files: files, Flag: flag, Expires: expires, Passcode: req.Passcode,
		GrantDigest: built.Digest, SharingKey: patientSharing, Patient: c.Patient,
	})
	if err != nil {
		if ue := (*url.Error)(nil); errors.As(err, &ue) || errors.Is(err, relay.ErrUnavailable) {
			err = fmt.Errorf("%w (%v)", ErrRelayUnreachable, err)
		}
		return ShareResult{}, revokeGrant(fmt.Errorf("uploading the share to the relay at %s: %w", base, err))
	}
	link := share.Link{URL: info.URL, Key: linkKey, Exp: expires, Flags: flag, Label: req.Label, V: 1}
	if err := checkOwnLink(link, false); err != nil {
		w.abandonAtRelay(client, info.ID)
		return ShareResult{}, revokeGrant(fmt.Errorf("the link would not work: %w", err))
	}
	text, err := viewerLink(link, base)
	if err != nil {
		w.abandonAtRelay(client, info.ID)
		return ShareResult{}, revokeGrant(fmt.Errorf("the link would not work: %w", err))
	}
	qr, err := share.LinkQRCode(text, 8)
	if err != nil {
		w.abandonAtRelay(client, info.ID)
		return ShareResult{}, revokeGrant(err)
	}
	s := careShare{
		ownShare: ownShare{
			ID: info.ID, Relay: base, Link: text, Label: req.Label, Purpose: strings.ToUpper(strings.TrimSpace(req.Purpose)),
			Flag: flag, Created: created, Expires: expires, Digest: built.Digest, Records: versions,
			Recipient: recipient != (common.Hash{}), GrantRow: grantRow.ID,
		},
		Patient: c.Patient, Delegate: c.Delegate,
	}
	if err := w.vault.Update(func(tx *vault.Tx) error { return putCareShare(tx, s) }); err != nil {
		w.abandonAtRelay(client, info.ID)
		return ShareResult{}, revokeGrant(fmt.Errorf("saving the share: %w", mapVaultError(err)))
	}
	res := ShareResult{ID: s.ID, Link: text, Viewer: text, Expires: expires, Grant: built.Digest.Hex(), Records: len(shared), QR: qr}
	if problem != "" {
		res.Problem = "the grant is not on chain yet, so the link works once it is (the wallet sends it on its next chain work): " + problem
	}
	return res, nil
}

// abandonCareGrant revokes, signed by the relationship key, the grant of a
// share that could not be made; it returns cause, saying so.
func (w *Wallet) abandonCareGrant(ctx context.Context, signer chain.Signer, patient common.Address, digest common.Hash, expires time.Time, cause error) error {
	deadline := max(expires.Unix(), now().Add(24*time.Hour).Unix())
	revoke, err := signer.RevokeGrant(patient, digest, uint64(deadline))
	if err == nil {
		err = w.vault.Update(func(tx *vault.Tx) error {
			_, err := outbox.Enqueue(tx, kindRevokeGrant, digest[:], revoke)
			return err
		})
	}
	if err != nil {
		return fmt.Errorf("%w (and revoking the share's unused grant failed: %v)", cause, err)
	}
	if _, err := w.drain(ctx); err != nil {
		return fmt.Errorf("%w (the share's unused grant is revoked with the wallet's next chain work: %v)", cause, err)
	}
	return fmt.Errorf("%w; nothing was shared, and the grant issued for it is revoked", cause)
}

func putCareShare(tx *vault.Tx, s careShare) error {
	b, err := jsonMarshal(s)
	if err != nil {
		return err
	}
	return tx.PutState(spaceCareShares, []byte(s.ID), b)
}

func (w *Wallet) careShares(patient common.Address) ([]careShare, error) {
	var out []careShare
	err := w.vault.View(func(tx *vault.ReadTx) error {
		return tx.ForEachState(spaceCareShares, func(_, v []byte) error {
			var s careShare
			if err := json.Unmarshal(v, &s); err != nil {
				return fmt.Errorf("a share is unreadable: %w", err)
			}
			if s.Patient == patient {
				out = append(out, s)
			}
			return nil
		})
	})
	if err != nil {
		return nil, fmt.Errorf("reading the shares: %w", mapVaultError(err))
	}
	slices.SortFunc(out, func(a, b careShare) int { return b.Created.Compare(a.Created) })
	return out, nil
}

// CareShares lists the shares made on person's behalf by this wallet, with
// their state on chain when it can be read.
func (w *Wallet) CareShares(ctx context.Context, person string) ([]ShareInfo, error) {
	if err := w.unlocked(); err != nil {
		return nil, err
	}
	c, err := w.findPerson(person)
	if err != nil {
		return nil, err
	}
	shares, err := w.careShares(c.Patient)
	if err != nil {
		return nil, err
	}
	var reader share.ChainReader
	problem := ""
	if inv, err := c.invitation(); err == nil {
		r, _, closeChain, err := w.careChain(ctx, inv)
		if err == nil {
			defer closeChain()
			reader = r
		} else {
			problem = err.Error()
		}
	}
	at := now()
	out := make([]ShareInfo, 0, len(shares))
	for _, s := range shares {
		info := ShareInfo{ID: s.ID, Label: s.Label, Purpose: s.Purpose, Created: s.Created, Expires: s.Expires,
			Records: len(s.Records), Relay: s.Relay, Link: s.Link, Grant: s.Digest.Hex(), State: ShareActive, Problem: problem}
		switch {
		case !s.Revoked.IsZero():
			info.State, info.Revoking = ShareRevoked, s.RelayPending
		case !at.Before(s.Expires):
			info.State = ShareExpired
		case reader != nil:
			st, err := reader.GrantOf(ctx, c.Patient, s.Digest)
			switch {
			case err != nil:
				info.Problem = err.Error()
			case st.Patient == (common.Address{}):
				info.State = SharePending
			case st.Revoked:
				info.State = ShareRevoked
			case !st.Active:
				info.State = ShareExpired
			}
		}
		out = append(out, info)
	}
	return out, nil
}

// CareRevoke revokes one of person's shares: one this wallet made (its
// id), or, with MANAGE, any grant of the patient's (its digest, 0x…). The
// revocation is signed by this wallet's key for the relationship.
func (w *Wallet) CareRevoke(ctx context.Context, person, shareID string) error {
	if err := w.unlocked(); err != nil {
		return err
	}
	c, err := w.findPerson(person)
	if err != nil {
		return err
	}
	inv, err := c.invitation()
	if err != nil {
		return err
	}
	shareID = strings.TrimSpace(shareID)
	shares, err := w.careShares(c.Patient)
	if err != nil {
		return err
	}
	var mine *careShare
	for i, s := range shares {
		if s.ID == shareID || (len(shareID) >= 6 && strings.HasPrefix(s.ID, shareID)) || strings.EqualFold(s.Digest.Hex(), shareID) {
			mine = &shares[i]
			break
		}
	}
	if err := w.liveDelegation(ctx, &c, inv, ""); err != nil {
		return err
	}
	if err := w.actsOnChain(ctx, c, inv); err != nil {
		return err
	}
	var digest common.Hash
	expires := now().Add(24 * time.Hour)
	switch {
	case mine != nil:
		digest, expires = mine.Digest, mine.Expires
	case len(shareID) == 66 && strings.HasPrefix(shareID, "0x"):
		if !c.Scope.Scope.Has(share.DelegateRightManage) {
			return fmt.Errorf("%w: only shares this wallet made can be revoked without the MANAGE right", ErrNoRight)
		}
		b, err := hex.DecodeString(shareID[2:])
		if err != nil {
			return fmt.Errorf("%w: %q is not a grant digest", ErrNoShare, shareID)
		}
		digest = common.BytesToHash(b)
	default:
		return fmt.Errorf("%w: %s (hw care shares lists those made for %s; with MANAGE, give a grant's digest 0x…)", ErrNoShare, shareID, c.name())
	}
	key, err := w.relationshipKey(inv.Tweak)
	if err != nil {
		return err
	}
	signer := chain.Signer{Key: key, ChainID: new(big.Int).SetUint64(inv.ChainID), Registry: inv.Registry}
	deadline := max(expires.Unix(), now().Add(24*time.Hour).Unix())
	revoke, err := signer.RevokeGrant(c.Patient, digest, uint64(deadline))
	if err != nil {
		return err
	}
	var row outbox.Row
	err = w.vault.Update(func(tx *vault.Tx) error {
		row, err = outbox.Enqueue(tx, kindRevokeGrant, digest[:], revoke)
		if err != nil || mine == nil {
			return err
		}
		mine.Revoked, mine.RevokeRow, mine.RelayPending = now().UTC(), row.ID, true
		return putCareShare(tx, *mine)
	})
	if err != nil {
		return fmt.Errorf("saving the revocation: %w", mapVaultError(err))
	}
	var relayErr error
	if mine != nil {
		client, err := relay.NewClient(mine.Relay, key, w.careHTTP(mine.Relay))
		if err == nil {
			cctx, cancel := context.WithTimeout(ctx, relayTimeout)
			err = client.Revoke(cctx, mine.ID)
			cancel()
		}
		if err == nil || errors.Is(err, relay.ErrNotFound) {
			mine.RelayPending = false
			_ = w.vault.Update(func(tx *vault.Tx) error { return putCareShare(tx, *mine) })
		} else {
			relayErr = err
		}
	}
	problem, err := w.waitRow(ctx, row.ID, shareGrantWait)
	if err != nil {
		return err
	}
	if r, err := w.outboxRow(row.ID); err == nil && r.State == outbox.Failed {
		return fmt.Errorf("the chain refused the revocation: %s", r.LastError)
	}
	if relayErr != nil && problem != "" {
		return fmt.Errorf("%w: the relay: %v; the chain: %s", ErrRevokePending, relayErr, problem)
	}
	return nil
}
