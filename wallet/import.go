package wallet

import (
	"bytes"
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io"
	"os"
	"sync/atomic"
	"time"

	"healthwallet/wallet/importer"
	"healthwallet/wallet/record"
	"healthwallet/wallet/vault"
)

// ImportProgress is reported while an import runs, from the importing goroutine.
type ImportProgress struct {
	File       string // the file being read now
	FilesDone  int
	FilesTotal int
	BytesDone  int64 // over all files
	BytesTotal int64
	Resources  int // resources read so far
}

// ImportReport is the outcome of an import.
type ImportReport struct {
	Imported   int            `json:"imported"`   // new records
	Duplicates int            `json:"duplicates"` // same type, id and content as a record already held
	Versions   int            `json:"versions"`   // same type and id, new content: kept as a new version
	Rejected   []RejectedFile `json:"rejected"`
	ByType     map[string]int `json:"byType"` // new records and versions, by resource type
	// Files says what each file became, in the order given (rejected ones
	// included), for a result screen.
	Files []FileReport `json:"files"`
	// Cards are the SMART Health Cards read (one per card, a file may hold several).
	Cards []CardReport `json:"cards"`
	// Documents are the C-CDA documents, PDFs, images and text files read.
	Documents []DocumentReport `json:"documents"`
	// OtherPeople are the people other than the owner whose records this
	// import kept apart in their own spaces (counted in Imported too).
	OtherPeople []OtherPerson `json:"otherPeople"`
}

// RejectedFile is a file that was not imported, and why.
type RejectedFile struct {
	File  string `json:"file"`
	Error string `json:"error"`
}

// Kinds of file, as FileReport.Kind says them.
const (
	FileFHIR     = "fhir"     // FHIR R4 JSON or NDJSON
	FileCard     = "card"     // SMART Health Card(s): .smart-health-card, shc:/ text, JWS, QR image
	FileCCDA     = "ccda"     // a C-CDA XML document
	FileDocument = "document" // a PDF, image or text file kept whole
	FileRejected = "rejected" // not imported: Problem says why
)

// FileReport is what one imported file became.
type FileReport struct {
	File       string `json:"file"`
	Kind       string `json:"kind"`
	Records    int    `json:"records"`    // new records and new versions
	Duplicates int    `json:"duplicates"` // already held
	Problem    string `json:"problem,omitempty"`
}

// CardReport is one SMART Health Card read during an import. Verified is
// SignatureValid && Trusted (and not Revoked).
type CardReport struct {
	File           string `json:"file"`
	Issuer         string `json:"issuer"` // iss URL
	Name           string `json:"name"`   // the issuer's name from a trusted directory, else ""
	SignatureValid bool   `json:"signatureValid"`
	Trusted        bool   `json:"trusted"`
	Verified       bool   `json:"verified"`
	Revoked        bool   `json:"revoked"`
	Problem        string `json:"problem,omitempty"`
	Records        int    `json:"records"` // new records and versions from this card
}

// DocumentReport is one document read during an import: a C-CDA document
// (Kind is its type, e.g. "Continuity of Care Document") or a file kept as a
// DocumentReference (Kind "PDF", "Image", "Text").
type DocumentReport struct {
	File         string         `json:"file"`
	Kind         string         `json:"kind"`
	Records      int            `json:"records"`
	ByType       map[string]int `json:"byType"`
	NotConverted []NotConverted `json:"notConverted"`
}

// NotConverted is a part of a C-CDA document that did not become a record.
type NotConverted struct {
	Section string `json:"section"`
	Reason  string `json:"reason"`
}

// progressInterval keeps progress reports from flooding a UI.
const progressInterval = 100 * time.Millisecond

// Import reads FHIR R4 files (Bundles of any type, NDJSON bulk files, single
// resources) into the vault. Each file lands whole or not at all: a file that
// is not FHIR R4, or that fails half-way, is listed in the report's Rejected
// with the reason, and the other files are imported all the same. Cancelling
// ctx stops after the current file is rolled back and returns ctx's error.
//
// Records about someone other than the owner go to that person's own space
// (people_import.go says how); ImportWith can say whose they are.
func (w *Wallet) Import(ctx context.Context, paths []string, progress func(ImportProgress)) (ImportReport, error) {
	return w.importPaths(ctx, paths, progress, false, "")
}

// importPaths is Import; forced says every file is about into ("" the owner).
func (w *Wallet) importPaths(ctx context.Context, paths []string, progress func(ImportProgress), forced bool, into string) (ImportReport, error) {
	report := ImportReport{Rejected: []RejectedFile{}, ByType: map[string]int{},
		Files: []FileReport{}, Cards: []CardReport{}, Documents: []DocumentReport{}, OtherPeople: []OtherPerson{}}
	index, err := w.currentIndex()
	if err != nil {
		return report, err
	}
	session := &importSession{people: peopleSession{forced: forced, into: into, found: map[string]OtherPerson{}}}
	if !forced && len(paths) == 1 && index.Len() == 0 {
		_, ownerKnown, err := w.ownerRecord()
		if err != nil {
			return report, err
		}
		spaces, err := w.personRecords()
		if err != nil {
			return report, err
		}
		session.people.adoptOwner = !ownerKnown && len(spaces) == 0
	}
	p := ImportProgress{FilesTotal: len(paths)}
	for _, path := range paths {
		if st, err := os.Stat(path); err == nil {
			p.BytesTotal += st.Size()
		}
	}
	var lastReport time.Time
	emit := func(force bool) {
		if progress != nil && (force || time.Since(lastReport) >= progressInterval) {
			lastReport = time.Now()
			progress(p)
		}
	}
	for _, path := range paths {
		if err := ctx.Err(); err != nil {
			return report, err
		}
		p.File = path
		emit(true)
		startBytes := p.BytesDone
		var read atomic.Int64
		onBytes := func(n int64) {
			p.BytesDone = startBytes + read.Add(n)
			emit(false)
		}
		session.onResource = func() { p.Resources++ }
		file, err := w.importFile(ctx, session, path, onBytes)
		if err != nil {
			if ctx.Err() != nil {
				return report, ctx.Err()
			}
			report.Rejected = append(report.Rejected, RejectedFile{File: path, Error: err.Error()})
			report.Files = append(report.Files, FileReport{File: path, Kind: FileRejected, Problem: err.Error()})
		} else {
			report.add(file.report)
			report.Files = append(report.Files, FileReport{File: path, Kind: file.kind,
				Records: file.report.Imported + file.report.Versions, Duplicates: file.report.Duplicates})
			for _, rec := range file.added {
				index.Put(rec)
			}
			session.people.noteFile(file)
		}
		p.FilesDone++
		if st, err := os.Stat(path); err == nil {
			p.BytesDone = startBytes + st.Size()
		}
		emit(true)
	}
	report.OtherPeople = session.people.report()
	if err := w.finishImport(ctx, session, &report, index); err != nil {
		return report, err
	}
	return report, nil
}

// add folds one file's counts into r.
func (r *ImportReport) add(file ImportReport) {
	r.Imported += file.Imported
	r.Duplicates += file.Duplicates
	r.Versions += file.Versions
	for t, n := range file.ByType {
		r.ByType[t] += n
	}
	r.Cards = append(r.Cards, file.Cards...)
	r.Documents = append(r.Documents, file.Documents...)
}

// importFHIRFile imports one FHIR file in one vault transaction. The file
// is read whole first: whose each resource is depends on the Patients in it.
func (w *Wallet) importFHIRFile(f *fileImport) error {
	src := &record.Source{Kind: record.SourceFHIR, File: f.name}
	resources, err := readResources(f, f.in, f.path)
	if err != nil {
		return err
	}
	return w.vault.Update(func(tx *vault.Tx) error {
		return f.putAll(w, tx, resources, func(record.Resource) *record.Source { return src })
	})
}

// readResources reads every resource of a FHIR file or bundle.
func readResources(f *fileImport, in io.Reader, name string) ([]record.Resource, error) {
	var out []record.Resource
	err := importer.Read(f.ctx, in, name, func(res record.Resource) error {
		res.Raw = bytes.Clone(res.Raw)
		out = append(out, res)
		return nil
	})
	return out, err
}

type outcome int

const (
	outcomeNew outcome = iota
	outcomeVersion
	outcomeDuplicate
)

// putResource stores res as a new record, a new version of the record with
// the same type and id, or nothing when that record already has this content.
//
// person is whose record it is ("" the owner): part of the record's key, so
// two people's resources with the same type and id never collide.
func (w *Wallet) putResource(tx *vault.Tx, res record.Resource, stamp time.Time, src *record.Source, person string) (record.Record, outcome, error) {
	canon, err := record.Canonical(res.Raw)
	if err != nil {
		return record.Record{}, 0, fmt.Errorf("%s %s: %w", res.Type, res.ID, err)
	}
	hash := sha256.Sum256(canon) // record.ContentHash, without canonicalizing twice
	hashHex := hex.EncodeToString(hash[:])
	id := w.vault.RecordID(personRecordKey(cardRecordKey(res, src), person))
	result := outcomeNew
	latest, exists, err := tx.Latest(id)
	if err != nil {
		return record.Record{}, 0, err
	}
	if exists {
		prev, err := decodeMeta(latest.Meta)
		if err == nil && prev.ContentHash == hashHex && !cardVerdictChanged(prev.Source, src) {
			return record.Record{}, outcomeDuplicate, nil
		}
		result = outcomeVersion
	}
	var salt [32]byte
	if _, err := rand.Read(salt[:]); err != nil {
		return record.Record{}, 0, fmt.Errorf("drawing a salt: %w", err)
	}
	m := versionMeta{
		ResourceType: res.Type,
		ResourceID:   res.ID,
		FullURL:      res.FullURL,
		ContentHash:  hashHex,
		Salt:         hex.EncodeToString(salt[:]),
		Imported:     stamp,
		Summary:      record.Summarize(res),
		Source:       src,
		Person:       person,
	}
	metaBytes, err := jsonMarshal(m)
	if err != nil {
		return record.Record{}, 0, err
	}
	version, err := tx.AddVersion(id, metaBytes, res.Raw)
	if err != nil {
		return record.Record{}, 0, err
	}
	// Queue the version's commitment for anchoring, in the same transaction.
	c := commitment(salt, canon)
	if err := tx.PutState(spacePending, versionKey(id, version), c[:]); err != nil {
		return record.Record{}, 0, err
	}
	return recordFromMeta(id, int(version), m), result, nil
}

// personRecordKey makes a record key someone's ("" the owner's: unchanged).
func personRecordKey(key, person string) string {
	if person == "" {
		return key
	}
	return "person:" + person + "|" + key
}

// countingReader reports how many bytes pass through it.
type countingReader struct {
	r       io.Reader
	onBytes func(int64)
}

func (c *countingReader) Read(p []byte) (int, error) {
	n, err := c.r.Read(p)
	if n > 0 && c.onBytes != nil {
		c.onBytes(int64(n))
	}
	return n, err
}
