package app

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"slices"
	"strings"
	"sync"
	"time"

	"fyne.io/fyne/v2"

	"healthwallet/wallet"
	"healthwallet/wallet/record"
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
}

func newFakeWallet() *fakeWallet {
	return &fakeWallet{locked: true, password: testPassword, name: testName, records: testRecords()}
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

func (w *fakeWallet) ChangePassword(old, pw []byte) error {
	if string(old) != w.password {
		return wallet.ErrWrongPassword
	}
	w.password = string(pw)
	return nil
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
		if q.Category != "" && r.Category != q.Category {
			continue
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
			return wallet.Detail{Record: r, JSON: []byte(raw), Versions: []wallet.VersionInfo{
				{Version: 1, Imported: time.Date(2024, 4, 2, 9, 30, 0, 0, time.UTC)},
			}}, nil
		}
	}
	return wallet.Detail{}, wallet.ErrNotFound
}

func (w *fakeWallet) Categories() (map[string]int, error) {
	if err := w.check(); err != nil {
		return nil, err
	}
	m := map[string]int{}
	for _, r := range w.records {
		m[r.Category]++
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
}

func (f *fakeFiles) OpenFile(_ fyne.Window, _ []string, done func(string, error)) { done(f.open, nil) }
func (f *fakeFiles) OpenFolder(_ fyne.Window, done func(string, error))           { done(f.folder, nil) }

func (f *fakeFiles) CreateFile(_ fyne.Window, name string, done func(io.WriteCloser, error)) {
	if f.saved == nil {
		f.saved = map[string]*bytes.Buffer{}
	}
	b := &bytes.Buffer{}
	f.saved[name] = b
	done(nopCloser{b}, nil)
}

type nopCloser struct{ io.Writer }

func (nopCloser) Close() error { return nil }

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
