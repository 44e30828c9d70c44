package app

import (
	"bytes"
	"context"
	"crypto/x509"
	"fmt"
	"io"
	"net/url"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/storage"

	"github.com/ethereum/go-ethereum/common"

	"healthwallet/wallet"
	"healthwallet/wallet/network"
	"healthwallet/wallet/record"
	"healthwallet/wallet/share"
)

// The fakes hold fixed content so that what the screens render never
// changes from run to run: fixed phrase, fixed records, fixed dates.

const (
	testPhrase = "tongue cotton ridge hover museum enable rescue pilot fossil arrow " +
		"wagon spice glance lunar ticket basket merit oyster canal jungle dwarf " +
		"humble sketch orbit"
	testPassword = "correct horse battery"
	testName     = "Ada Lovelace"
	testAddress  = "0x9C3e4B5a1f0D2E7c8B6A4d3F2e1C0b9A8d7E6f5A"
	testCard     = "hwcard:v1.0x9C3e4B5a1f0D2E7c8B6A4d3F2e1C0b9A8d7E6f5A.k7Yx2Qm9Lr4Tn8Wp1Zs6Vb3Hc5Jd0Fg2Ke7Mu4Na9Pq." +
		"QWRhIExvdmVsYWNl.MEUCIQDx3vN8a2Lk9QpT7wR5yZ1sB4cF6hJ0mP2nV8xE3dG7uAIgK5tY9rW2qL4zH8jN1bM6vC3xF0aS7dE9gT2pR5wU1yI"
)

func day(y int, m time.Month, d int) time.Time { return time.Date(y, m, d, 0, 0, 0, 0, time.UTC) }

// testRecords are a few realistic summaries, in no particular order: the
// UI must put them newest first.
func testRecords() []record.Record {
	mk := func(id, typ, cat, title string, date time.Time, details []string, codes ...record.Code) record.Record {
		return record.Record{ID: id, ResourceType: typ, ResourceID: id[:6], Version: 1, Imported: day(2024, 4, 2),
			Summary: record.Summary{Title: title, Category: cat, Date: date, Details: details, Status: "final", Codes: codes}}
	}
	return []record.Record{
		mk("a1c0ffee01", "Condition", "Conditions", "Type 2 diabetes mellitus", day(2021, 6, 15),
			[]string{"Clinical status: active", "Onset: 15 Jun 2021"},
			record.Code{System: "http://snomed.info/sct", Code: "44054006", Display: "Diabetes mellitus type 2"}),
		mk("b2c0ffee02", "Observation", "Laboratory", "Hemoglobin A1c", day(2024, 3, 12),
			[]string{"Value: 7.2 %", "Reference range: 4.0–5.6 %"},
			record.Code{System: "http://loinc.org", Code: "4548-4", Display: "Hemoglobin A1c/Hemoglobin.total in Blood"}),
		mk("c3c0ffee03", "MedicationStatement", "Medications", "Metformin 500 mg tablet", day(2023, 11, 2),
			[]string{"Dosage: 1 tablet twice daily with meals"},
			record.Code{System: "http://www.nlm.nih.gov/research/umls/rxnorm", Code: "861007", Display: "metformin hydrochloride 500 MG Oral Tablet"}),
		mk("d4c0ffee04", "Observation", "Vital signs", "Blood pressure", day(2024, 3, 12),
			[]string{"Systolic: 128 mmHg", "Diastolic: 82 mmHg"},
			record.Code{System: "http://loinc.org", Code: "85354-9", Display: "Blood pressure panel"}),
		mk("e5c0ffee05", "Immunization", "Immunizations", "COVID-19 vaccine, mRNA (Comirnaty)", day(2022, 10, 5),
			[]string{"Dose 3", "Lot: FN9601"},
			record.Code{System: "http://hl7.org/fhir/sid/cvx", Code: "208"}),
		mk("f6c0ffee06", "AllergyIntolerance", "Allergies", "Penicillin allergy", day(2015, 4, 20),
			[]string{"Reaction: hives", "Criticality: high"}),
		mk("a7c0ffee07", "Observation", "Laboratory", "LDL cholesterol", day(2023, 11, 2),
			[]string{"Value: 2.9 mmol/L"},
			record.Code{System: "http://loinc.org", Code: "13457-7"}),
	}
}

const hba1cJSON = `{"resourceType":"Observation","id":"b2c0ff","status":"final",` +
	`"category":[{"coding":[{"system":"http://terminology.hl7.org/CodeSystem/observation-category","code":"laboratory"}]}],` +
	`"code":{"coding":[{"system":"http://loinc.org","code":"4548-4","display":"Hemoglobin A1c/Hemoglobin.total in Blood"}],"text":"Hemoglobin A1c"},` +
	`"subject":{"reference":"Patient/ada"},"effectiveDateTime":"2024-03-12",` +
	`"valueQuantity":{"value":7.2,"unit":"%","system":"http://unitsofmeasure.org","code":"%"},` +
	`"referenceRange":[{"low":{"value":4.0,"unit":"%"},"high":{"value":5.6,"unit":"%"}}]}`

// fakeBackend is a Backend in memory.
type fakeBackend struct {
	exists  bool
	wallet  *fakeWallet
	created struct {
		mnemonic, password, name string
	}
	restored struct {
		backup, mnemonic string
	}
	trusted [][]network.Membership // the networks Receive was given, per call
	fetched []string               // join URLs FetchNetwork read
}

func newFakeBackend(exists bool) *fakeBackend {
	return &fakeBackend{exists: exists, wallet: newFakeWallet()}
}

func (b *fakeBackend) Exists() bool                 { return b.exists }
func (b *fakeBackend) NewMnemonic() (string, error) { return testPhrase, nil }

func (b *fakeBackend) CheckMnemonic(m string) error {
	if n := len(strings.Fields(m)); n != 24 {
		return fmt.Errorf("%w: it has %d words, not 24", wallet.ErrBadMnemonic, n)
	}
	return nil
}

func (b *fakeBackend) Create(m string, pw []byte, name string) (Wallet, error) {
	b.created.mnemonic, b.created.password, b.created.name = m, string(pw), name
	b.exists = true
	b.wallet.locked = false
	b.wallet.name = name
	b.wallet.records = nil // a new wallet is empty
	return b.wallet, nil
}

func (b *fakeBackend) Open() (Wallet, error) {
	if !b.exists {
		return nil, wallet.ErrNoWallet
	}
	return b.wallet, nil
}

func (b *fakeBackend) RestoreBackup(r io.Reader, m string) error {
	data, err := io.ReadAll(r)
	if err != nil {
		return err
	}
	b.restored.backup, b.restored.mnemonic = string(data), m
	b.exists = true
	return nil
}

// fakeWallet is a Wallet in memory, locked until the test password.
type fakeWallet struct {
	mu       sync.Mutex
	locked   bool
	password string
	name     string
	records  []record.Record
	damaged  []wallet.Damage
	deleted  []string

	// importStarted, when set, receives the paths of an import after the
	// first progress report; the import then waits for importRelease.
	importStarted chan []string
	importRelease chan struct{}
	report        wallet.ImportReport

	chain fakeChain
	net   fakeNet
	care  fakeCare
	docs  fakeDocs // cards, documents and trust (fake_docs_test.go)
	// household: the people kept in the wallet besides the owner
	// (fake_people_test.go)
	household fakeHousehold
	weak      bool // made with weak key derivation, until ChangePassword
	// progressed: ChangePasswordWithProgress reported progress
	progressed bool
}

func newFakeWallet() *fakeWallet {
	return &fakeWallet{locked: true, password: testPassword, name: testName, records: withAnchors(testRecords()),
		chain: fakeChain{status: testChainStatus(), shares: testShares(), access: testAccess(),
			verify: wallet.Verification{Anchored: true, Valid: true, Block: 42, Time: anchoredAt}},
		net: newFakeNet(), care: newFakeCare()}
}

func (w *fakeWallet) Unlock(pw []byte) error {
	if string(pw) != w.password {
		return wallet.ErrWrongPassword
	}
	w.locked = false
	return nil
}

func (w *fakeWallet) ResetPassword(m string, pw []byte) error {
	if m != testPhrase {
		return fmt.Errorf("%w: it is not this wallet's phrase", wallet.ErrBadMnemonic)
	}
	w.password = string(pw)
	return nil
}

func (w *fakeWallet) ChangePasswordWithProgress(old, pw []byte, progress func(done, total int64)) error {
	if string(old) != w.password {
		return wallet.ErrWrongPassword
	}
	progress(1, 2)
	w.progressed = true
	progress(2, 2)
	w.password = string(pw)
	w.weak = false
	return nil
}

func (w *fakeWallet) KeyDerivation() (wallet.KeyDerivation, error) {
	return wallet.KeyDerivation{Time: 3, MemoryKiB: 64 * 1024, Threads: 4, Weak: w.weak}, nil
}

func (w *fakeWallet) Lock()                    { w.locked = true }
func (w *fakeWallet) Locked() bool             { return w.locked }
func (w *fakeWallet) Close() error             { return nil }
func (w *fakeWallet) Address() string          { return testAddress }
func (w *fakeWallet) Card() (string, error)    { return testCard, nil }
func (w *fakeWallet) Damaged() []wallet.Damage { return w.damaged }

func (w *fakeWallet) DisplayName() string {
	if w.locked {
		return "" // as the real wallet: nothing readable while locked
	}
	return w.name
}

func (w *fakeWallet) check() error {
	if w.locked {
		return wallet.ErrLocked
	}
	return nil
}

func (w *fakeWallet) Records(q wallet.Query) ([]record.Record, error) {
	if err := w.check(); err != nil {
		return nil, err
	}
	var out []record.Record
	text := strings.ToLower(q.Text)
	for _, r := range w.records {
		if !isPersons(r, q.Person) {
			continue
		}
		if q.Category != "" && r.Category != q.Category {
			continue
		}
		if q.ResourceType != "" && r.ResourceType != q.ResourceType {
			continue
		}
		if (!q.From.IsZero() || !q.To.IsZero()) && (r.Date.IsZero() || r.Date.Before(q.From) || (!q.To.IsZero() && r.Date.After(q.To))) {
			continue // as the wallet's index: both ends count, undated records are out
		}
		hay := strings.ToLower(r.Title + " " + r.Category + " " + strings.Join(r.Details, " "))
		if text != "" && !strings.Contains(hay, text) {
			continue
		}
		out = append(out, r)
	}
	return out, nil
}

func (w *fakeWallet) Record(id string) (wallet.Detail, error) {
	if err := w.check(); err != nil {
		return wallet.Detail{}, err
	}
	for _, r := range w.records {
		if r.ID == id {
			raw := fmt.Sprintf(`{"resourceType":%q,"id":%q}`, r.ResourceType, r.ResourceID)
			if r.ID == "b2c0ffee02" {
				raw = hba1cJSON
			}
			if j, ok := w.docs.json[r.ID]; ok {
				raw = j
			}
			return wallet.Detail{Record: r, JSON: []byte(raw), Versions: []wallet.VersionInfo{
				{Version: 1, Imported: time.Date(2024, 4, 2, 9, 30, 0, 0, time.UTC)},
			}}, nil
		}
	}
	return wallet.Detail{}, wallet.ErrNotFound
}

func (w *fakeWallet) CategoriesOf(person string) (map[string]int, error) {
	if err := w.check(); err != nil {
		return nil, err
	}
	m := map[string]int{}
	for _, r := range w.records {
		if isPersons(r, person) {
			m[r.Category]++
		}
	}
	return m, nil
}

func (w *fakeWallet) Delete(id string) error {
	i := slices.IndexFunc(w.records, func(r record.Record) bool { return r.ID == id })
	if i < 0 {
		return wallet.ErrNotFound
	}
	w.records = slices.Delete(w.records, i, i+1)
	w.deleted = append(w.deleted, id)
	return nil
}

func (w *fakeWallet) Import(ctx context.Context, paths []string, progress func(wallet.ImportProgress)) (wallet.ImportReport, error) {
	if err := w.check(); err != nil {
		return wallet.ImportReport{}, err
	}
	progress(wallet.ImportProgress{File: paths[0], FilesDone: 0, FilesTotal: len(paths), BytesDone: 4000, BytesTotal: 10000, Resources: 12})
	if w.importStarted != nil {
		w.importStarted <- paths
		select {
		case <-w.importRelease:
		case <-ctx.Done():
			return wallet.ImportReport{}, ctx.Err()
		}
	}
	progress(wallet.ImportProgress{File: paths[len(paths)-1], FilesDone: len(paths), FilesTotal: len(paths), BytesDone: 10000, BytesTotal: 10000, Resources: 17})
	return w.report, nil
}

func (w *fakeWallet) Export(out io.Writer, ids []string) (int, error) {
	w.household.exported = append(w.household.exported, ids)
	_, err := io.WriteString(out, `{"resourceType":"Bundle","type":"collection"}`)
	return len(w.records), err
}

func (w *fakeWallet) Backup(out io.Writer) error {
	_, err := io.WriteString(out, "age-encryption.org/v1\n")
	return err
}

// testReport is the outcome of the test import.
func testReport() wallet.ImportReport {
	return wallet.ImportReport{
		Imported: 12, Duplicates: 3, Versions: 2,
		ByType: map[string]int{"Observation": 9, "Condition": 2, "MedicationStatement": 3},
		Rejected: []wallet.RejectedFile{
			{File: "/home/ada/Downloads/notes.txt", Error: "not FHIR R4 JSON: expected a resource, a Bundle or NDJSON"},
		},
	}
}

// fakeFiles answers file dialogs with what the test put in it.
type fakeFiles struct {
	open, folder string
	saved        map[string]*bytes.Buffer
	cleanups     int      // calls of Cleanup
	offered      []string // the extensions the last OpenFile offered
}

func (f *fakeFiles) Cleanup() { f.cleanups++ }

func (f *fakeFiles) OpenFile(_ fyne.Window, exts []string, done func(string, error)) {
	f.offered = exts
	done(f.open, nil)
}
func (f *fakeFiles) OpenFolder(_ fyne.Window, done func(string, error)) { done(f.folder, nil) }

func (f *fakeFiles) CreateFile(_ fyne.Window, name string, done func(io.WriteCloser, error)) {
	if f.saved == nil {
		f.saved = map[string]*bytes.Buffer{}
	}
	b := &bytes.Buffer{}
	f.saved[name] = b
	done(savedFile{nopCloser{b}, storage.NewFileURI(filepath.Join("/home/ada/Documents", name))}, nil)
}

type nopCloser struct{ io.Writer }

func (nopCloser) Close() error { return nil }

// savedFile is a picked file to write, with where it is, as Fyne's is.
type savedFile struct {
	nopCloser
	uri fyne.URI
}

func (f savedFile) URI() fyne.URI { return f.uri }

// fakeClock fires its timers when the test advances it.
type fakeClock struct {
	mu     sync.Mutex
	now    time.Duration
	timers []*fakeTimer
}

type fakeTimer struct {
	at      time.Duration
	f       func()
	stopped bool
}

func (t *fakeTimer) Stop() bool {
	was := !t.stopped
	t.stopped = true
	return was
}

func (c *fakeClock) AfterFunc(d time.Duration, f func()) Timer {
	c.mu.Lock()
	defer c.mu.Unlock()
	t := &fakeTimer{at: c.now + d, f: f}
	c.timers = append(c.timers, t)
	return t
}

// Advance moves time on and runs the timers that fall due, in order.
func (c *fakeClock) Advance(d time.Duration) {
	c.mu.Lock()
	c.now += d
	var due []*fakeTimer
	keep := c.timers[:0]
	for _, t := range c.timers {
		switch {
		case t.stopped:
		case t.at <= c.now:
			due = append(due, t)
		default:
			keep = append(keep, t)
		}
	}
	c.timers = keep
	c.mu.Unlock()
	slices.SortStableFunc(due, func(a, b *fakeTimer) int { return int(a.at - b.at) })
	for _, t := range due {
		if !t.stopped {
			t.stopped = true
			t.f()
		}
	}
}

// testNow is the fake clock's start: every countdown and expiry on screen
// counts from it.
var testNow = time.Date(2024, 4, 10, 9, 0, 0, 0, time.UTC)

func (c *fakeClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return testNow.Add(c.now)
}

// testLink is a share link of realistic length (under the 300 characters a
// QR code at level M holds comfortably).
const testLink = "shlink:/eyJ1cmwiOiJodHRwczovL3JlbGF5LmhlYWx0aHdhbGxldC5leGFtcGxlL20vOHFYcjJWbDBzVGh5YjRKd05jNnpRZDlLZVBtMUFvN2ciLCJmbGFnIjoiVSIsImtleSI6ImFMNXpHcjl2UXh0TTNiWTBuSjdLcEU4c1djMkRoVjZmUjF1STRvTmtUd0EiLCJleHAiOjE3MTI3NDIwMDAsImxhYmVsIjoiSGVhbHRoIFdhbGxldCJ9"

// testLinkRevoked opens, but its grant was revoked on chain.
const testLinkRevoked = "shlink:/eyJ1cmwiOiJodHRwczovL3JlbGF5LmhlYWx0aHdhbGxldC5leGFtcGxlL20vcmV2b2tlZCIsImtleSI6InJldm9rZWRrZXkifQ"

// testLinkSelfSigned is served by a node with its own certificate: it
// cannot be reached before its network is trusted.
const testLinkSelfSigned = "shlink:/eyJ1cmwiOiJodHRwczovL3JpdmVyc2lkZS5leGFtcGxlOjg0NDMvc2hsL3giLCJrZXkiOiJzZWxmc2lnbmVkIn0"

// testLinkOther is a plain SHL from another issuer.
const testLinkOther = "shlink:/eyJ1cmwiOiJodHRwczovL3NobC5leGFtcGxlLm9yZy9tIiwia2V5Ijoib3RoZXJrZXkifQ"

// anchoredAt is when the fake chain anchored the anchored test records.
var anchoredAt = time.Date(2024, 4, 2, 9, 31, 12, 0, time.UTC)

// withAnchors gives the test records their anchor states: most anchored,
// one waiting, one failed.
func withAnchors(recs []record.Record) []record.Record {
	for i := range recs {
		switch recs[i].ID {
		case "a7c0ffee07":
			recs[i].Anchor = record.AnchorState{State: record.AnchorWaiting}
		case "f6c0ffee06":
			recs[i].Anchor = record.AnchorState{State: record.AnchorFailed, Problem: "verification failed: the record no longer matches its commitment: it was altered on this device"}
		default:
			recs[i].Anchor = record.AnchorState{State: record.AnchorAnchored, Block: 42, Time: anchoredAt,
				Root: "0x5f1c0a9e3b7d2c4e6f8a1b3c5d7e9f0a2b4c6d8e0f1a3b5c7d9e1f2a4b6c8d0e"}
		}
	}
	return recs
}

// fakeChain is the fake wallet's chain and sharing state.
type fakeChain struct {
	status      wallet.ChainStatus
	anchorRep   wallet.AnchorReport
	anchorCalls int
	settings    wallet.ChainSettings
	verify      wallet.Verification

	shares    []wallet.ShareInfo
	requests  []wallet.ShareRequest
	directs   int
	directCtx context.Context
	revoked   []string
	access    []wallet.AccessEntry
	receipts  []wallet.ReceiveOptions
	passcode  string // when set, Receive wants it
	shareErr  error  // when set, Share fails with it (not ShareDirect)
}

func testChainStatus() wallet.ChainStatus {
	return wallet.ChainStatus{
		Kind: "embedded", ChainID: 1337, Connected: true,
		Registry: "0x5FbDB2315678afecb367f032d93F642f64180aa3", Address: testAddress,
		Balance: "9998765432100000000000", BalanceETH: "9998.7654321",
		Outbox: []wallet.OutboxItem{
			{ID: 1, Kind: "anchor", State: "final", TxHash: "0x8a3f6c1d2e4b5a697887c6d5e4f3a2b1c0d9e8f7a6b5c4d3e2f1a0b9c8d7e6f5", Block: 42, Attempts: 1, Created: anchoredAt},
			{ID: 2, Kind: "anchor", State: "pending", Attempts: 3, LastError: "dial tcp 127.0.0.1:8545: connection refused", Created: anchoredAt.Add(time.Hour)},
		},
	}
}

// offline makes the fake chain unreachable.
func (c *fakeChain) offline() {
	c.status.Connected = false
	c.status.Problem = "the network cannot be reached (dial tcp 127.0.0.1:8545: connection refused)"
	c.anchorRep = wallet.AnchorReport{Queued: 1, Problem: c.status.Problem}
}

// online brings the fake chain back: the next Anchor sends everything.
func (c *fakeChain) online() {
	c.status = testChainStatus()
	c.anchorRep = wallet.AnchorReport{}
}

func testShares() []wallet.ShareInfo {
	return []wallet.ShareInfo{
		{ID: "s3", Purpose: "ETREAT", Created: testNow.Add(-10 * time.Minute), Expires: testNow.Add(50 * time.Minute), State: "pending", Records: 7},
		{ID: "s6", Label: "At the clinic today", Purpose: "TREAT", Created: testNow.Add(-20 * time.Minute), Expires: testNow.Add(40 * time.Minute), State: "active", Opened: 1, Records: 7, Direct: true, Serving: true},
		{ID: "s5", Purpose: "TREAT", Created: testNow.Add(-26 * time.Hour), Expires: testNow.Add(-25 * time.Hour), State: "expired", Opened: 3, Records: 7, Direct: true},
		{ID: "s7", Purpose: "TREAT", Created: testNow.Add(-27 * time.Hour), Expires: testNow.Add(20 * time.Hour), State: "stopped", Opened: 1, Records: 2, Direct: true},
		{ID: "s2", Label: "For Dr. Okafor", Purpose: "TREAT", Created: testNow.Add(-2 * time.Hour), Expires: testNow.Add(22 * time.Hour), State: "active", Opened: 2, Records: 3},
		{ID: "s1", Purpose: "CAREMGT", Created: testNow.Add(-72 * time.Hour), Expires: testNow.Add(-48 * time.Hour), State: "expired", Opened: 1, Records: 1},
		{ID: "s0", Purpose: "PATRQT", Created: testNow.Add(-96 * time.Hour), Expires: testNow.Add(72 * time.Hour), State: "revoked", Records: 2},
	}
}

func testAccess() []wallet.AccessEntry {
	return []wallet.AccessEntry{
		{Time: testNow.Add(-70 * time.Hour), Share: "s1", Who: "City Clinic front desk", What: "1 record (manifest)", Purpose: "CAREMGT", Source: "relay"},
		{Time: testNow.Add(-90 * time.Minute), Share: "s2", Who: "Dr. Okafor, St Mary's", What: "3 records (manifest)", Purpose: "TREAT", Source: "relay", Recorded: true},
		{Time: testNow.Add(-80 * time.Minute), Share: "s2", Who: "a holder of the link", What: "grant s2", Source: "chain", Recorded: true},
	}
}

// testReceived is a verified share as the receive screen gets it.
func testReceived() wallet.Received {
	patient := common.HexToAddress(testAddress)
	checks := []share.Check{
		{Name: share.CheckLinkWellFormed, OK: true},
		{Name: share.CheckNotExpired, OK: true, Detail: "until 10 Apr 2024 10:00 UTC"},
		{Name: share.CheckManifestFetched, OK: true, Detail: "2 files"},
		{Name: share.CheckFilesDecrypted, OK: true},
		{Name: share.CheckNetworkTrusted, OK: true, Detail: "the Riverside Clinic network, which this receiver trusts"},
		{Name: share.CheckPatientCard, OK: true, Detail: "Ada Lovelace"},
		{Name: share.CheckSignature, OK: true, Detail: "issuer " + patient.Hex()},
		{Name: share.CheckGrantActive, OK: true, Detail: "issued by the patient, active until 10 Apr 2024 10:00 UTC"},
		{Name: share.CheckCommitments, OK: true, Detail: "2 of 2"},
		{Name: share.CheckScope, OK: true},
		{Name: share.CheckAnchored, OK: true, Detail: "block 42"},
	}
	return wallet.Received{Report: share.Report{
		Verified: true, Source: share.SourceHealthWallet, Checks: checks,
		Records: receivedRecords(),
		Patient: patient, Issuer: patient, Expires: testNow.Add(time.Hour), Purpose: "TREAT",
		PatientName: "Ada Lovelace", PatientBirthDate: "1815-12-10",
		AnchoredAt: time.Date(2024, 3, 12, 9, 30, 0, 0, time.UTC),
	}, Network: &wallet.ReceivedNetwork{Name: "Riverside Clinic", URL: testJoinURL, ChainID: 31337,
		Registry: "0x5FbDB2315678afecb367f032d93F642f64180aa3", Trusted: true}}
}

func (w *fakeWallet) Anchor(ctx context.Context) (wallet.AnchorReport, error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	w.chain.anchorCalls++
	return w.chain.anchorRep, nil
}

func (w *fakeWallet) Verify(ctx context.Context, id string) (wallet.Verification, error) {
	if err := w.check(); err != nil {
		return wallet.Verification{}, err
	}
	return w.chain.verify, nil
}

func (w *fakeWallet) ChainStatus(ctx context.Context) (wallet.ChainStatus, error) {
	return w.chain.status, nil
}

func (w *fakeWallet) ChainSettings() wallet.ChainSettings { return w.chain.settings }

func (w *fakeWallet) SetChainSettings(s wallet.ChainSettings) error {
	w.chain.settings = s
	w.chain.status.URL = s.URL
	w.chain.status.Kind = "rpc"
	return nil
}

func (w *fakeWallet) Share(ctx context.Context, req wallet.ShareRequest) (wallet.ShareResult, error) {
	if w.chain.shareErr != nil {
		return wallet.ShareResult{}, w.chain.shareErr
	}
	return w.share(req)
}

func (w *fakeWallet) share(req wallet.ShareRequest) (wallet.ShareResult, error) {
	if err := w.check(); err != nil {
		return wallet.ShareResult{}, err
	}
	w.chain.requests = append(w.chain.requests, req)
	n := len(req.IDs)
	switch {
	case req.All:
		n = len(w.records)
	case req.Summary:
		n = len(wallet.SummarizeRecords(w.records, testNow).Records())
	case n == 0:
		for _, t := range append(slices.Clone(req.ResourceTypes), "")[:max(1, len(req.ResourceTypes))] {
			recs, _ := w.Records(wallet.Query{ResourceType: t, From: req.From, To: req.To})
			n += len(recs)
		}
	}
	return wallet.ShareResult{ID: "s4", Link: testLink, Expires: testNow.Add(req.TTL), Records: n,
		Grant: "0x3c1e9d2f8b7a6c5d4e3f2a1b0c9d8e7f6a5b4c3d2e1f0a9b8c7d6e5f4a3b2c1d"}, nil
}

func (w *fakeWallet) ShareDirect(ctx context.Context, req wallet.ShareRequest, listen string) (wallet.ShareResult, error) {
	w.chain.directs++
	w.chain.directCtx = ctx
	return w.share(req)
}

func (w *fakeWallet) Shares(ctx context.Context) ([]wallet.ShareInfo, error) {
	if err := w.check(); err != nil {
		return nil, err
	}
	return w.chain.shares, nil
}

func (w *fakeWallet) Revoke(ctx context.Context, id string) error {
	w.chain.revoked = append(w.chain.revoked, id)
	for i := range w.chain.shares {
		if w.chain.shares[i].ID == id {
			w.chain.shares[i].State = "revoked"
		}
	}
	return nil
}

// AccessLog describes each entry's share from the shares, as the wallet's
// does.
func (w *fakeWallet) AccessLog(ctx context.Context) ([]wallet.AccessEntry, error) {
	out := slices.Clone(w.chain.access)
	for i, a := range out {
		for _, s := range w.chain.shares {
			if s.ID == a.Share && out[i].Shared.IsZero() {
				out[i].ShareLabel, out[i].Shared, out[i].Records = s.Label, s.Created, s.Records
			}
		}
	}
	return out, nil
}

// Receive answers by link: testLink verifies, testLinkRevoked is refused,
// testLinkOther is another issuer's.
func (w *fakeWallet) Receive(ctx context.Context, link string, opts wallet.ReceiveOptions) (wallet.Received, error) {
	w.chain.receipts = append(w.chain.receipts, opts)
	if w.chain.passcode != "" && opts.Passcode != w.chain.passcode {
		if opts.Passcode == "" {
			return wallet.Received{}, &wallet.OpenError{Err: share.ErrPasscodeRequired}
		}
		return wallet.Received{}, &wallet.OpenError{Err: &share.PasscodeError{RemainingAttempts: 2}}
	}
	got := testReceived()
	switch link {
	case testLinkSelfSigned:
		if !w.net.trusts() {
			return wallet.Received{}, &wallet.OpenError{Err: fmt.Errorf("share: could not reach the link's server: %w",
				&url.Error{Op: "Post", URL: testNetworkURL + "/shl/x", Err: x509.UnknownAuthorityError{}})}
		}
	case testLink:
	case testLinkRevoked:
		got.Verified = false
		for i, c := range got.Checks {
			if c.Name == share.CheckGrantActive {
				got.Checks[i] = share.Check{Name: c.Name, OK: false, Detail: "revoked on chain by the patient"}
			}
		}
	case testLinkOther:
		got.Verified = false
		got.Source = share.SourceOther
		got.Checks = got.Checks[:4]
		got.Patient, got.Issuer = common.Address{}, common.Address{}
		got.Purpose = ""
		got.PatientName, got.PatientBirthDate, got.Network = "", "", nil
	default:
		return wallet.Received{}, &wallet.OpenError{Err: share.ErrBadLink}
	}
	if got.Source == share.SourceHealthWallet && !w.net.trusts() {
		untrusted(&got)
	}
	return got, nil
}

// Receive is the fake wallet's, without a wallet: the networks given are
// kept, and unless the share's network is among them it is not trusted.
func (b *fakeBackend) Receive(ctx context.Context, link string, trusted []network.Membership, opts wallet.ReceiveOptions) (wallet.Received, error) {
	b.trusted = append(b.trusted, slices.Clone(trusted))
	trusts := slices.ContainsFunc(trusted, func(m network.Membership) bool { return m.JoinURL() == testJoinURL })
	if link == testLinkSelfSigned && !trusts {
		return wallet.Received{}, &wallet.OpenError{Err: fmt.Errorf("share: could not reach the link's server: %w",
			&url.Error{Op: "Post", URL: testNetworkURL + "/shl/x", Err: x509.UnknownAuthorityError{}})}
	}
	got, err := b.wallet.Receive(ctx, link, opts)
	if err == nil && got.Source == share.SourceHealthWallet && !trusts {
		untrusted(&got)
	}
	return got, err
}

// FetchNetwork knows the test network only.
func (b *fakeBackend) FetchNetwork(ctx context.Context, joinURL string) (network.Membership, error) {
	b.fetched = append(b.fetched, joinURL)
	if joinURL != testJoinURL {
		return network.Membership{}, fmt.Errorf("no network answers at %s: check the link", joinURL)
	}
	return testMembership(), nil
}

// DecodeQRImage reads the "image" as the link it holds.
func (b *fakeBackend) DecodeQRImage(r io.Reader) (string, error) {
	data, err := io.ReadAll(r)
	if err != nil {
		return "", err
	}
	return strings.TrimSpace(string(data)), nil
}
