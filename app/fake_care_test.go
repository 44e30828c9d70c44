package app

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"healthwallet/wallet"
	"healthwallet/wallet/record"
)

// The fake wallet's caregivers, people cared for and emergency card: fixed
// content, as the rest of the fakes.

// testCareInvite is an invitation of realistic length (under 300 characters).
const testCareInvite = "hwinvite:v1.eyJyIjoiaHR0cHM6Ly9yZWxheS5oZWFsdGh3YWxsZXQuZXhhbXBsZSIsImlkIjoiN3FYcjJWbDBzVGh5YjRKd05jNnpRZDlLIiwiayI6ImFMNXpHcjl2UXh0TTNiWTBuSjdLcEU4c1djMkRoVjZmUjF1STRvTmtUd0EifQ"

// testCaregiverCard is the identity card of Ben, Ada's son.
const testCaregiverCard = "hwcard:v1.0x4B0897b0513fdC7C541B6d9D7E929C4e5364D2dB.Zm9vYmFyYmF6cXV4.QmVuIExvdmVsYWNl.MEUCIQD"

// testEmergencyLink is the emergency card's link.
const testEmergencyLink = "shlink:/eyJ1cmwiOiJodHRwczovL3JlbGF5LmhlYWx0aHdhbGxldC5leGFtcGxlL20vZW1lcmdlbmN5LTFhMmIzYzRkNWU2ZiIsImZsYWciOiJMVSIsImtleSI6ImVNM3pHcjl2UXh0TTNiWTBuSjdLcEU4c1djMkRoVjZmUjF1STRvTmtUd0EiLCJsYWJlbCI6IkVtZXJnZW5jeSJ9"

// fakeCare is the fake wallet's delegation, caring and emergency state.
type fakeCare struct {
	// The patient's side.
	delegates []wallet.DelegateInfo
	added     []wallet.DelegateRequest
	revoked   []string
	renewed   map[string]time.Time
	syncs     int
	syncErr   error

	// The caregiver's side.
	people      []wallet.CaredFor
	records     map[string][]record.Record // by person id
	accepted    []string
	careSyncs   []string
	careShares  []wallet.ShareRequest
	sharedFor   []string
	careRevoked []string
	shareInfos  []wallet.ShareInfo // the shares made on Grace's behalf
	// newOnSync are records that arrive, per person, on the next CareSync.
	newOnSync map[string][]record.Record
	// newOpenings are emergency card openings the next CareSync sees, per
	// person: reported new once, then listed on the person.
	newOpenings map[string][]wallet.EmergencyOpening

	// The emergency card.
	profile      wallet.EmergencyProfile
	profileSaves int
	card         *wallet.EmergencyCard
	cardsMade    int
	cardRevokes  int
}

func newFakeCare() fakeCare {
	return fakeCare{renewed: map[string]time.Time{}, records: map[string][]record.Record{}, newOnSync: map[string][]record.Record{},
		newOpenings: map[string][]wallet.EmergencyOpening{}}
}

// testDelegates are Ada's caregivers: Ben, active, who may share; and an
// earlier one, revoked.
func testDelegates() []wallet.DelegateInfo {
	return []wallet.DelegateInfo{
		{Delegate: "0x71C7656EC7ab88b098defB751B7401B5f6d8976F", Name: "Ben Lovelace", Rights: []string{"view", "share"},
			Created: testNow.Add(-48 * time.Hour), Expires: testNow.Add(365 * 24 * time.Hour), State: "active",
			Records: 7, Synced: testNow.Add(-20 * time.Minute), Invite: testCareInvite},
		{Delegate: "0x2546BcD3c84621e976D8185a91A922aE77ECEc30", Name: "Mary Somerville", Rights: []string{"view"},
			Categories: []string{"Medications", "Allergies"}, Created: testNow.Add(-60 * 24 * time.Hour),
			Expires: testNow.Add(-30 * 24 * time.Hour), State: "revoked", Records: 2, Synced: testNow.Add(-31 * 24 * time.Hour)},
	}
}

// gracePerson is whom the owner cares for once testCareInvite is accepted.
func gracePerson() wallet.CaredFor {
	return wallet.CaredFor{ID: "p1", Patient: "0x8626f6940E2eb28930eFb4CeF49B2d1F2C9C1199", Name: "Grace Hopper",
		BirthDate: "1906-12-09", Delegate: "0x90F79bf6EB2c4f870365E785982E1f101E93b906", Rights: []string{"view", "share"},
		Expires: testNow.Add(30 * 24 * time.Hour), Records: 3, Synced: testNow.Add(-5 * time.Minute), State: "active"}
}

func graceRecords() []record.Record {
	mk := func(id, typ, cat, title string, date time.Time, details ...string) record.Record {
		return record.Record{ID: id, ResourceType: typ, ResourceID: id[:6], Version: 1, Imported: day(2024, 4, 9),
			Summary: record.Summary{Title: title, Category: cat, Date: date, Details: details, Status: "active"},
			Anchor:  record.AnchorState{State: record.AnchorAnchored, Block: 40, Time: anchoredAt}}
	}
	return []record.Record{
		mk("g1a0beef01", "MedicationStatement", "Medications", "Lisinopril 10 mg tablet", day(2023, 8, 1), "Dosage: 1 tablet daily"),
		mk("g2a0beef02", "Condition", "Conditions", "Essential hypertension", day(2019, 2, 11), "Clinical status: active"),
		mk("g3a0beef03", "AllergyIntolerance", "Allergies", "Sulfonamide allergy", day(2010, 5, 3), "Reaction: rash"),
	}
}

// caresForGrace makes the fake wallet already care for Grace.
func (w *fakeWallet) caresForGrace() {
	w.care.people = []wallet.CaredFor{gracePerson()}
	w.care.records["p1"] = graceRecords()
}

func (w *fakeWallet) AddDelegate(ctx context.Context, req wallet.DelegateRequest) (wallet.DelegateResult, error) {
	if err := w.check(); err != nil {
		return wallet.DelegateResult{}, err
	}
	if !strings.HasPrefix(req.Card, "hwcard:") {
		return wallet.DelegateResult{}, errors.New("that is not an identity card: it should start with hwcard:")
	}
	w.care.added = append(w.care.added, req)
	res := wallet.DelegateResult{Delegate: "0x71C7656EC7ab88b098defB751B7401B5f6d8976F", Name: "Ben Lovelace",
		Rights: req.Rights, Expires: req.Expires, Invite: testCareInvite, Records: len(w.records)}
	w.care.delegates = append(w.care.delegates, wallet.DelegateInfo{Delegate: res.Delegate, Name: res.Name, Rights: req.Rights,
		Categories: req.Categories, Types: req.Types, Created: testNow, Expires: req.Expires, State: "pending", Invite: testCareInvite})
	return res, nil
}

func (w *fakeWallet) Delegates(ctx context.Context) ([]wallet.DelegateInfo, error) {
	if err := w.check(); err != nil {
		return nil, err
	}
	return slices.Clone(w.care.delegates), nil
}

func (w *fakeWallet) findDelegate(who string) (int, error) {
	i := slices.IndexFunc(w.care.delegates, func(d wallet.DelegateInfo) bool { return d.Delegate == who })
	if i < 0 {
		return 0, fmt.Errorf("no caregiver %s", who)
	}
	return i, nil
}

func (w *fakeWallet) RevokeDelegate(ctx context.Context, who string) (wallet.DelegateInfo, error) {
	i, err := w.findDelegate(who)
	if err != nil {
		return wallet.DelegateInfo{}, err
	}
	w.care.revoked = append(w.care.revoked, who)
	w.care.delegates[i].State = "revoked"
	return w.care.delegates[i], nil
}

func (w *fakeWallet) RenewDelegate(ctx context.Context, who string, expires time.Time) (wallet.DelegateInfo, error) {
	i, err := w.findDelegate(who)
	if err != nil {
		return wallet.DelegateInfo{}, err
	}
	w.care.renewed[who] = expires
	w.care.delegates[i].Expires = expires
	w.care.delegates[i].State = "active"
	return w.care.delegates[i], nil
}

func (w *fakeWallet) Sync(ctx context.Context) (wallet.SyncReport, error) {
	w.mu.Lock()
	w.care.syncs++
	w.mu.Unlock()
	if w.care.syncErr != nil {
		return wallet.SyncReport{}, w.care.syncErr
	}
	var rep wallet.SyncReport
	for _, d := range w.care.delegates {
		if d.State == "active" {
			rep.Delegates = append(rep.Delegates, wallet.DelegateSync{Delegate: d.Delegate, Name: d.Name, Records: d.Records})
		}
	}
	return rep, nil
}

func (w *fakeWallet) AcceptInvitation(ctx context.Context, invite string) (wallet.CaredFor, error) {
	if err := w.check(); err != nil {
		return wallet.CaredFor{}, err
	}
	if invite != testCareInvite {
		return wallet.CaredFor{}, errors.New("this invitation cannot be opened with this wallet: it was sealed for someone else, or it is damaged. Ask for a new one")
	}
	w.care.accepted = append(w.care.accepted, invite)
	w.caresForGrace()
	return gracePerson(), nil
}

func (w *fakeWallet) CaredFor(ctx context.Context) ([]wallet.CaredFor, error) {
	if err := w.check(); err != nil {
		return nil, err
	}
	return slices.Clone(w.care.people), nil
}

func (w *fakeWallet) person(id string) (int, error) {
	i := slices.IndexFunc(w.care.people, func(p wallet.CaredFor) bool { return p.ID == id })
	if i < 0 {
		return 0, fmt.Errorf("you do not care for %q", id)
	}
	return i, nil
}

// endedError is the error of an ended delegation, as the wallet gives it.
func endedError(p wallet.CaredFor) error {
	return &wallet.DelegationEndedError{Name: p.Name, How: p.State, When: testNow.Add(-time.Hour)}
}

func (w *fakeWallet) CareSync(ctx context.Context, person string) ([]wallet.CareSyncReport, error) {
	w.mu.Lock()
	w.care.careSyncs = append(w.care.careSyncs, person)
	w.mu.Unlock()
	var reps []wallet.CareSyncReport
	for i, p := range w.care.people {
		if person != "" && p.ID != person {
			continue
		}
		if ended(p) {
			w.care.people[i].Problem = endedError(p).Error() // as the wallet keeps it
			if person != "" {
				return nil, endedError(p)
			}
			reps = append(reps, wallet.CareSyncReport{Patient: p.Patient, Name: p.Name, Records: p.Records, Problem: endedError(p).Error()})
			continue
		}
		added := w.care.newOnSync[p.ID]
		delete(w.care.newOnSync, p.ID)
		w.care.records[p.ID] = append(w.care.records[p.ID], added...)
		w.care.people[i].Records = len(w.care.records[p.ID])
		w.care.people[i].Synced = testNow
		opened := w.care.newOpenings[p.ID]
		delete(w.care.newOpenings, p.ID)
		w.care.people[i].EmergencyOpenings = append(w.care.people[i].EmergencyOpenings, opened...)
		reps = append(reps, wallet.CareSyncReport{Patient: p.Patient, Name: p.Name, Records: w.care.people[i].Records, Added: len(added),
			NewEmergencyOpenings: opened})
	}
	return reps, nil
}

func (w *fakeWallet) CareRecords(person string, q wallet.Query) ([]record.Record, error) {
	if err := w.check(); err != nil {
		return nil, err
	}
	if _, err := w.person(person); err != nil {
		return nil, err
	}
	var out []record.Record
	for _, r := range w.care.records[person] {
		if (q.Category != "" && r.Category != q.Category) || (q.ResourceType != "" && r.ResourceType != q.ResourceType) {
			continue
		}
		if q.Text != "" && !strings.Contains(strings.ToLower(r.Title), strings.ToLower(q.Text)) {
			continue
		}
		out = append(out, r)
	}
	return out, nil
}

func (w *fakeWallet) CareRecord(person, id string) (wallet.Detail, error) {
	recs, err := w.CareRecords(person, wallet.Query{})
	if err != nil {
		return wallet.Detail{}, err
	}
	for _, r := range recs {
		if r.ID == id {
			return wallet.Detail{Record: r, JSON: []byte(fmt.Sprintf(`{"resourceType":%q,"id":%q}`, r.ResourceType, r.ResourceID)),
				Versions: []wallet.VersionInfo{{Version: 1, Imported: r.Imported}}}, nil
		}
	}
	return wallet.Detail{}, wallet.ErrNotFound
}

func (w *fakeWallet) CareShare(ctx context.Context, person string, req wallet.ShareRequest) (wallet.ShareResult, error) {
	i, err := w.person(person)
	if err != nil {
		return wallet.ShareResult{}, err
	}
	if p := w.care.people[i]; ended(p) {
		return wallet.ShareResult{}, endedError(p)
	}
	w.care.careShares = append(w.care.careShares, req)
	w.care.sharedFor = append(w.care.sharedFor, person)
	n := len(req.IDs)
	if req.All {
		n = len(w.care.records[person])
	}
	if req.Summary {
		n = len(wallet.SummarizeRecords(w.care.records[person], testNow).Records())
	}
	id := fmt.Sprintf("c%d", len(w.care.careShares))
	w.care.shareInfos = append(w.care.shareInfos, wallet.ShareInfo{ID: id, Purpose: req.Purpose, Created: testNow,
		Expires: testNow.Add(req.TTL), State: "active", Records: n})
	return wallet.ShareResult{ID: id, Link: testLink, Expires: testNow.Add(req.TTL), Records: n}, nil
}

func (w *fakeWallet) CareShares(ctx context.Context, person string) ([]wallet.ShareInfo, error) {
	if _, err := w.person(person); err != nil {
		return nil, err
	}
	return slices.Clone(w.care.shareInfos), nil
}

func (w *fakeWallet) CareRevoke(ctx context.Context, person, shareID string) error {
	w.care.careRevoked = append(w.care.careRevoked, person+"/"+shareID)
	for i := range w.care.shareInfos {
		if w.care.shareInfos[i].ID == shareID {
			w.care.shareInfos[i].State = "revoked"
		}
	}
	return nil
}

func (w *fakeWallet) EmergencyProfile() (wallet.EmergencyProfile, error) {
	if err := w.check(); err != nil {
		return wallet.EmergencyProfile{}, err
	}
	return w.care.profile, nil
}

func (w *fakeWallet) SetEmergencyProfile(p wallet.EmergencyProfile) error {
	if err := w.check(); err != nil {
		return err
	}
	w.care.profileSaves++
	w.care.profile = p
	return nil
}

// EmergencyCandidates are the allergy, medication, condition and
// immunization of the test records; the immunization is not active, so not
// in the default.
func (w *fakeWallet) EmergencyCandidates() ([]record.Record, map[string]bool, error) {
	if err := w.check(); err != nil {
		return nil, nil, err
	}
	var recs []record.Record
	included := map[string]bool{}
	for _, r := range w.records {
		switch r.Category {
		case "Allergies", "Medications", "Conditions":
			included[r.ID] = true
		case "Immunizations":
		default:
			continue
		}
		recs = append(recs, r)
	}
	return recs, included, nil
}

func (w *fakeWallet) MakeEmergencyCard(ctx context.Context, req wallet.EmergencyCardRequest) (wallet.EmergencyCard, error) {
	if err := w.check(); err != nil {
		return wallet.EmergencyCard{}, err
	}
	w.care.cardsMade++
	n := 3
	if w.care.profile.Include != nil {
		n = len(w.care.profile.Include)
	}
	c := wallet.EmergencyCard{ID: fmt.Sprintf("e%d", w.care.cardsMade), Link: testEmergencyLink, Created: testNow,
		Expires: testNow.Add(365 * 24 * time.Hour), Records: n, State: "active"}
	w.care.card = &c
	return c, nil
}

func (w *fakeWallet) CurrentEmergencyCard(ctx context.Context) (wallet.EmergencyCard, bool, error) {
	if w.care.card == nil {
		return wallet.EmergencyCard{}, false, nil
	}
	return *w.care.card, true, nil
}

func (w *fakeWallet) RevokeEmergencyCard(ctx context.Context) error {
	if w.care.card == nil {
		return errors.New("there is no emergency card to revoke")
	}
	w.care.cardRevokes++
	w.care.card.State = "revoked"
	return nil
}

// The card's PDF and PNG: their first bytes, as the real ones begin.
func (w *fakeWallet) EmergencyCardPDF(ctx context.Context) ([]byte, error) {
	if w.care.card == nil {
		return nil, errors.New("make your emergency card first")
	}
	return []byte("%PDF-1.4 emergency card " + w.care.card.ID), nil
}

func (w *fakeWallet) EmergencyCardPNG(ctx context.Context) ([]byte, error) {
	if w.care.card == nil {
		return nil, errors.New("make your emergency card first")
	}
	return []byte("\x89PNG\r\n\x1a\n emergency card " + w.care.card.ID), nil
}

// testProfile is Ada's emergency profile.
func testProfile() wallet.EmergencyProfile {
	return wallet.EmergencyProfile{BloodType: "O+", OrganDonor: "yes", Notes: "Type 2 diabetes; carries glucose tablets",
		Contacts: []wallet.EmergencyContact{{Name: "Ben Lovelace", Relation: "son", Phone: "+44 20 7946 0958"}}}
}

// testAlertEntries are an emergency opening and a caregiver's share.
func testAlertEntries() []wallet.AccessEntry {
	return []wallet.AccessEntry{
		{Time: testNow.Add(-30 * time.Minute), Share: "e1", Who: "Paramedic J. Smith, ambulance 14", What: "emergency card",
			Purpose: "ETREAT", Source: "chain", Emergency: true, Recorded: true,
			TxHash: "0x9b2e4c6d8f0a1b3c5d7e9f1a2b4c6d8e0f1a3b5c7d9e1f2a4b6c8d0e2f4a6b8c"},
		{Time: testNow.Add(-20 * time.Minute), Share: "c1", Who: "Ben Lovelace", What: "3 records", Purpose: "TREAT",
			Source: "chain", Delegate: "0x71C7656EC7ab88b098defB751B7401B5f6d8976F", Action: "shared", Recorded: true},
	}
}
