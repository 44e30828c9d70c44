package wallet

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"time"

	"healthwallet/wallet/cards"
	"healthwallet/wallet/record"
	"healthwallet/wallet/share"
	"healthwallet/wallet/vault"
)

// Trust in SMART Health Card issuers is the patient's: directories they add
// (package cards), sealed in the vault with the issuers' keys seen so far.

// spaceCards holds the trust store (cards.State) under keyCardTrust.
const spaceCards = "cards/trust"

var keyCardTrust = []byte("state")

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

func (w *Wallet) readTrust() (*cards.State, error) {
	var data []byte
	err := w.vault.View(func(tx *vault.ReadTx) error {
		v, _, err := tx.State(spaceCards, keyCardTrust)
		data = v
		return err
	})
	if err != nil {
		return nil, mapVaultError(err)
	}
	return cards.ParseState(data)
}

func writeTrust(tx *vault.Tx, st *cards.State) error {
	b, err := st.Marshal()
	if err != nil {
		return err
	}
	return tx.PutState(spaceCards, keyCardTrust, b)
}

func (w *Wallet) saveTrust(st *cards.State) error {
	return mapVaultError(w.vault.Update(func(tx *vault.Tx) error { return writeTrust(tx, st) }))
}

// readDirectory reads a directory from an https URL or a file.
func readDirectory(ctx context.Context, source string) (cards.Directory, error) {
	var data []byte
	var err error
	if strings.Contains(source, "://") {
		data, err = cardsFetcher.Fetch(ctx, source, cards.MaxDirectory)
	} else {
		data, err = readFileBounded(source, cards.MaxDirectory)
	}
	if err != nil {
		return cards.Directory{}, err
	}
	return cards.ParseDirectory(data)
}

func readFileBounded(path string, limit int64) ([]byte, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("cannot open the directory file: %w", err)
	}
	defer f.Close()
	st, err := f.Stat()
	if err != nil {
		return nil, err
	}
	if st.Size() > limit {
		return nil, fmt.Errorf("%s is %d bytes, more than a directory may be (%d)", path, st.Size(), limit)
	}
	return os.ReadFile(path)
}

func directoryOf(d cards.DirectoryState) TrustedDirectory {
	return TrustedDirectory{Source: d.Source, Issuers: len(d.Issuers), Added: d.Added, Refreshed: d.Refreshed, Problem: d.Problem}
}

// TrustAdd adds a directory of card issuers from a URL (https) or a file,
// and fetches the keys of the issuers it lists when online.
func (w *Wallet) TrustAdd(ctx context.Context, source string) (TrustedDirectory, error) {
	source = strings.TrimSpace(source)
	if !strings.Contains(source, "://") {
		abs, err := filepath.Abs(source)
		if err == nil {
			source = abs
		}
	}
	dir, err := readDirectory(ctx, source)
	if err != nil {
		return TrustedDirectory{}, fmt.Errorf("cannot trust %s: %w", source, err)
	}
	st, err := w.readTrust()
	if err != nil {
		return TrustedDirectory{}, err
	}
	at := now().UTC().Truncate(time.Second)
	ds := st.Put(source, dir, at)
	if len(dir.Refused) > 0 {
		ds.Problem = fmt.Sprintf("%d entries refused: %s", len(dir.Refused), strings.Join(dir.Refused, "; "))
	}
	// Keys of the issuers it lists, where the directory did not carry them
	// (best effort: offline, cards fetch them when imported).
	r := &cards.Resolver{State: st, Fetch: cardsFetcher, Now: at}
	for _, is := range dir.Issuers {
		if is.JWKS == nil && len(dir.Issuers) <= 50 {
			_, _ = r.JWKS(ctx, is.Iss)
		}
	}
	if err := w.saveTrust(st); err != nil {
		return TrustedDirectory{}, err
	}
	return directoryOf(ds), nil
}

// refreshDirectories fetches again the directories added from a URL that
// are older than cards.KeysFresh; a failure is kept as the directory's
// Problem and the directory stays as it was.
func refreshDirectories(ctx context.Context, st *cards.State, at time.Time) bool {
	changed := false
	for i := range st.Directories {
		d := st.Directories[i]
		if !strings.HasPrefix(d.Source, "https://") || at.Sub(d.Refreshed) < cards.KeysFresh {
			continue
		}
		dir, err := readDirectory(ctx, d.Source)
		if err != nil {
			st.Directories[i].Problem = "refresh failed: " + err.Error()
			changed = true
			continue
		}
		st.Put(d.Source, dir, at)
		changed = true
	}
	return changed
}

// TrustList lists the directories and the issuers the patient trusts.
func (w *Wallet) TrustList() ([]TrustedDirectory, []TrustedIssuer, error) {
	st, err := w.readTrust()
	if err != nil {
		return nil, nil, err
	}
	dirs := []TrustedDirectory{}
	for _, d := range st.Directories {
		dirs = append(dirs, directoryOf(d))
	}
	issuers := []TrustedIssuer{}
	for _, is := range st.IssuerList() {
		issuers = append(issuers, TrustedIssuer{Iss: is.Iss, Name: is.Name, Directory: is.Directory, KeysAt: is.KeysFetched})
	}
	return dirs, issuers, nil
}

// TrustRemove stops trusting an issuer (by iss) or a directory (by source).
func (w *Wallet) TrustRemove(issOrSource string) error {
	st, err := w.readTrust()
	if err != nil {
		return err
	}
	key := strings.TrimSpace(issOrSource)
	if !st.Remove(key) {
		if abs, err := filepath.Abs(key); err != nil || !st.Remove(abs) {
			return fmt.Errorf("%q is neither a trusted issuer nor a trusted directory: see hw trust list", key)
		}
	}
	return w.saveTrust(st)
}

// shlHTTP is the client that opens SMART Health Links given to ImportText;
// nil means share.Fetch's own. Tests replace it.
var shlHTTP *http.Client

// ImportText imports pasted text: an shc:/ QR text, a card's JWS, or a SMART
// Health Link whose files carry cards or FHIR records.
func (w *Wallet) ImportText(ctx context.Context, text, passcode string) (ImportReport, error) {
	return w.ImportTextWith(ctx, text, passcode, ImportOptions{})
}

// ImportTextWith is ImportText with options: opts.Into says the text is
// about that person, as for files (ImportWith); without it each record goes
// where its Patient says, and the report lists the people kept apart. Pasted
// FHIR JSON (a resource, a Bundle or NDJSON) is imported too. Progress is
// not used: a pasted text is imported at once.
func (w *Wallet) ImportTextWith(ctx context.Context, text, passcode string, opts ImportOptions) (ImportReport, error) {
	report := ImportReport{Rejected: []RejectedFile{}, ByType: map[string]int{},
		Files: []FileReport{}, Cards: []CardReport{}, Documents: []DocumentReport{}, OtherPeople: []OtherPerson{}}
	forced, into, err := w.importInto(opts.Into)
	if err != nil {
		return report, err
	}
	index, err := w.currentIndex()
	if err != nil {
		return report, err
	}
	session := &importSession{people: peopleSession{forced: forced, into: into, found: map[string]OtherPerson{}}}
	text = strings.TrimSpace(text)
	if text == "" {
		return report, errors.New("nothing to import: paste an shc:/ QR text, a card's JWS, a SMART Health Link or FHIR JSON")
	}
	var files []textFile
	if strings.Contains(text, "shlink:/") {
		link, err := share.ParseLink(text)
		if err != nil {
			return report, fmt.Errorf("the SMART Health Link: %w", err)
		}
		m, err := share.Fetch(ctx, link, share.FetchOptions{Recipient: "the patient's own wallet", Passcode: passcode, HTTP: shlHTTP})
		if err != nil {
			return report, fmt.Errorf("opening the SMART Health Link: %w", err)
		}
		for i, f := range m.Files {
			files = append(files, textFile{name: fmt.Sprintf("link file %d", i+1), contentType: f.ContentType, data: f.Plaintext})
		}
	} else if strings.HasPrefix(text, "{") && !strings.Contains(text, `"verifiableCredential"`) {
		files = []textFile{{name: "pasted text", contentType: share.ContentTypeFHIR, data: []byte(text)}}
	} else {
		files = []textFile{{name: "pasted text", contentType: share.ContentTypeSHC, data: []byte(text)}}
	}
	for _, tf := range files {
		if err := ctx.Err(); err != nil {
			return report, err
		}
		f := &fileImport{ctx: ctx, session: session, path: tf.name, name: tf.name, docPerson: into,
			in: bufio.NewReader(bytes.NewReader(tf.data)), size: int64(len(tf.data)),
			stamp: now().UTC().Truncate(time.Second), report: ImportReport{ByType: map[string]int{}}}
		switch tf.contentType {
		case share.ContentTypeSHC:
			f.kind = FileCard
			err = w.importCardText(f, tf.data)
		case share.ContentTypeFHIR:
			f.kind = FileFHIR
			err = w.importFHIRFile(f)
		default:
			continue // a proof file, an API access: not records
		}
		report.addFile(f, mapVaultError(err), index)
		if err == nil {
			session.people.noteFile(f)
		}
	}
	report.OtherPeople = session.people.report()
	if err := w.finishImport(ctx, session, &report, index); err != nil {
		return report, err
	}
	return report, nil
}

// textFile is one thing ImportText imports: the pasted text or a link's file.
type textFile struct {
	name, contentType string
	data              []byte
}

// addFile records what one file became and indexes its records.
func (r *ImportReport) addFile(f *fileImport, err error, index *record.Index) {
	if err != nil {
		r.Rejected = append(r.Rejected, RejectedFile{File: f.path, Error: err.Error()})
		r.Files = append(r.Files, FileReport{File: f.path, Kind: FileRejected, Problem: err.Error()})
		return
	}
	r.add(f.report)
	r.Files = append(r.Files, FileReport{File: f.path, Kind: f.kind,
		Records: f.report.Imported + f.report.Versions, Duplicates: f.report.Duplicates})
	for _, rec := range f.added {
		index.Put(rec)
	}
}
