package wallet

import (
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"time"

	"healthwallet/wallet/importer"
	"healthwallet/wallet/record"
	"healthwallet/wallet/vault"
)

// versionMeta is what the wallet seals beside each record version: enough to
// list, search and de-duplicate without opening the body.
type versionMeta struct {
	ResourceType string         `json:"t"`
	ResourceID   string         `json:"i,omitempty"`
	FullURL      string         `json:"u,omitempty"`
	ContentHash  string         `json:"h"` // hex SHA-256 of the resource's JCS form
	Salt         string         `json:"s"` // hex, 32 random bytes: the commitment's salt (DESIGN §5)
	Imported     time.Time      `json:"at"`
	Summary      record.Summary `json:"sum"`
	Source       *record.Source `json:"src,omitempty"`
	Person       string         `json:"p,omitempty"` // whose: "" the owner, else their space's ID
}

func decodeMeta(b []byte) (versionMeta, error) {
	var m versionMeta
	if err := json.Unmarshal(b, &m); err != nil {
		return m, fmt.Errorf("record metadata unreadable: %w", err)
	}
	return m, nil
}

// Query selects records for a list or timeline. Zero fields select everything.
type Query struct {
	Category     string
	ResourceType string
	From, To     time.Time
	Text         string // full-text search over summaries and codes
	Limit        int
	// Person is whose records: "" or OwnerID the owner, a Person.ID
	// someone else in this wallet, Everyone all of them.
	Person string
}

// Detail is one record with its original JSON and its version history.
type Detail struct {
	record.Record
	JSON     json.RawMessage `json:"json"`
	Versions []VersionInfo   `json:"versions"`
}

// VersionInfo describes one stored version of a record.
type VersionInfo struct {
	Version  int       `json:"version"`
	Imported time.Time `json:"imported"`
}

// latestVersion names a record's newest version as the index holds it.
type latestVersion struct {
	id      vault.ID
	version uint32
}

// buildIndex reads every record's latest summary out of the vault, decrypting
// the newest version's meta of each record and no other, and returns the
// versions it indexed (for readAnchorStates).
func (w *Wallet) buildIndex() (*record.Index, []latestVersion, []Damage, error) {
	index := record.NewIndex()
	var latest []latestVersion
	var damaged []Damage
	vd, err := w.vault.ScanLatest(func(vm vault.VersionMeta) error {
		m, err := decodeMeta(vm.Meta)
		if err != nil {
			damaged = append(damaged, Damage{ID: vm.ID.String(), Problem: err.Error()})
			return nil
		}
		index.Put(recordFromMeta(vm.ID, int(vm.Version), m))
		latest = append(latest, latestVersion{vm.ID, vm.Version})
		return nil
	})
	if err != nil {
		return nil, nil, nil, fmt.Errorf("reading the records: %w", mapVaultError(err))
	}
	for _, d := range vd {
		damaged = append(damaged, Damage{ID: d.ID.String(), Problem: d.Problem})
	}
	return index, latest, damaged, nil
}

func recordFromMeta(id vault.ID, version int, m versionMeta) record.Record {
	return record.Record{
		ID:           id.String(),
		ResourceType: m.ResourceType,
		ResourceID:   m.ResourceID,
		Version:      version,
		Imported:     m.Imported,
		Summary:      m.Summary,
		Source:       m.Source,
		Person:       m.Person,
	}
}

func (w *Wallet) currentIndex() (*record.Index, error) {
	w.mu.RLock()
	defer w.mu.RUnlock()
	if w.index == nil {
		return nil, ErrLocked
	}
	return w.index, nil
}

// Records lists records matching q, newest first (undated records last):
// the owner's unless q.Person says whose.
func (w *Wallet) Records(q Query) ([]record.Record, error) {
	index, err := w.currentIndex()
	if err != nil {
		return nil, err
	}
	f := personFilter(q.Person)
	f.Category, f.ResourceType, f.From, f.To, f.Text, f.Limit = q.Category, q.ResourceType, q.From, q.To, q.Text, q.Limit
	return w.withAnchors(index.List(f)), nil
}

// personFilter selects a Query.Person's records.
func personFilter(person string) record.Filter {
	switch person {
	case Everyone:
		return record.Filter{}
	case OwnerID:
		return record.Filter{OnePerson: true}
	}
	return record.Filter{OnePerson: true, Person: person}
}

// Search finds the owner's records whose summary or codes match every word
// of text (as word prefixes, case-insensitive), best matches first.
func (w *Wallet) Search(text string, limit int) ([]record.Record, error) {
	return w.SearchQuery(Query{Text: text, Limit: limit})
}

// SearchQuery is Search over q.Person's records (the owner's when empty),
// of q.Category and q.ResourceType when set, ranked.
func (w *Wallet) SearchQuery(q Query) ([]record.Record, error) {
	index, err := w.currentIndex()
	if err != nil {
		return nil, err
	}
	f := personFilter(q.Person)
	f.Category, f.ResourceType = q.Category, q.ResourceType
	return w.withAnchors(index.SearchIn(f, q.Text, q.Limit)), nil
}

// Categories counts the owner's records in each category.
func (w *Wallet) Categories() (map[string]int, error) {
	return w.CategoriesOf(OwnerID)
}

// CategoriesOf counts a person's records (as Query.Person) in each category.
func (w *Wallet) CategoriesOf(person string) (map[string]int, error) {
	index, err := w.currentIndex()
	if err != nil {
		return nil, err
	}
	return index.CategoriesIn(personFilter(person)), nil
}

func parseID(s string) (vault.ID, error) {
	var id vault.ID
	b, err := hex.DecodeString(s)
	if err != nil || len(b) != len(id) {
		return id, fmt.Errorf("%w: %q is not a record id (ids are 32 hex characters, see `hw records`)", ErrNotFound, s)
	}
	copy(id[:], b)
	return id, nil
}

// Record returns one record with its original JSON and its versions.
func (w *Wallet) Record(id string) (Detail, error) {
	index, err := w.currentIndex()
	if err != nil {
		return Detail{}, err
	}
	vid, err := parseID(id)
	if err != nil {
		return Detail{}, err
	}
	rec, ok := index.Get(id)
	if !ok {
		return Detail{}, fmt.Errorf("%w: %s", ErrNotFound, id)
	}
	body, err := w.vault.Body(vid, uint32(rec.Version))
	if err != nil {
		return Detail{}, fmt.Errorf("reading record %s: %w", id, mapVaultError(err))
	}
	rec.Anchor = w.anchorState(rec.ID, rec.Version)
	d := Detail{Record: rec, JSON: body}
	versions, err := w.vault.Versions(vid)
	if err != nil {
		return Detail{}, fmt.Errorf("reading the versions of record %s: %w", id, mapVaultError(err))
	}
	for _, v := range versions {
		d.Versions = append(d.Versions, VersionInfo{Version: int(v.Version), Imported: v.Created})
	}
	return d, nil
}

// Delete removes a record for good by destroying its key (crypto-shredding).
// It cannot be undone.
func (w *Wallet) Delete(id string) error {
	index, err := w.currentIndex()
	if err != nil {
		return err
	}
	vid, err := parseID(id)
	if err != nil {
		return err
	}
	if _, ok := index.Get(id); !ok {
		return fmt.Errorf("%w: %s", ErrNotFound, id)
	}
	if err := w.vault.Shred(vid); err != nil {
		return fmt.Errorf("deleting record %s: %w", id, mapVaultError(err))
	}
	index.Remove(id)
	return nil
}

// Export writes the chosen records (all the owner's when ids is empty; see
// Records with Query.Person for someone else's) as one FHIR R4
// Bundle of type collection, each resource's original JSON unchanged. It
// returns how many resources it wrote.
func (w *Wallet) Export(out io.Writer, ids []string) (int, error) {
	index, err := w.currentIndex()
	if err != nil {
		return 0, err
	}
	var recs []record.Record
	if len(ids) == 0 {
		recs = index.List(record.Filter{OnePerson: true})
	} else {
		for _, id := range ids {
			rec, ok := index.Get(id)
			if !ok {
				return 0, fmt.Errorf("%w: %s", ErrNotFound, id)
			}
			recs = append(recs, rec)
		}
	}
	var readErr error
	n, err := importer.WriteBundle(out, func(yield func(json.RawMessage) bool) {
		for _, rec := range recs {
			vid, err := parseID(rec.ID)
			if err != nil {
				readErr = err
				return
			}
			body, err := w.vault.Body(vid, uint32(rec.Version))
			if err != nil {
				readErr = fmt.Errorf("reading record %s: %w", rec.ID, mapVaultError(err))
				return
			}
			if !yield(body) {
				return
			}
		}
	})
	if readErr != nil {
		return n, readErr
	}
	if err != nil {
		return n, fmt.Errorf("writing the export: %w", err)
	}
	return n, nil
}
