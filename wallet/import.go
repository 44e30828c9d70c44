package wallet

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"errors"
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
}

// RejectedFile is a file that was not imported, and why.
type RejectedFile struct {
	File  string `json:"file"`
	Error string `json:"error"`
}

// progressInterval keeps progress reports from flooding a UI.
const progressInterval = 100 * time.Millisecond

// Import reads FHIR R4 files (Bundles of any type, NDJSON bulk files, single
// resources) into the vault. Each file lands whole or not at all: a file that
// is not FHIR R4, or that fails half-way, is listed in the report's Rejected
// with the reason, and the other files are imported all the same. Cancelling
// ctx stops after the current file is rolled back and returns ctx's error.
func (w *Wallet) Import(ctx context.Context, paths []string, progress func(ImportProgress)) (ImportReport, error) {
	report := ImportReport{Rejected: []RejectedFile{}, ByType: map[string]int{}}
	index, err := w.currentIndex()
	if err != nil {
		return report, err
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
		file, added, err := w.importFile(ctx, path, onBytes, func() { p.Resources++ })
		if err != nil {
			if ctx.Err() != nil {
				return report, ctx.Err()
			}
			report.Rejected = append(report.Rejected, RejectedFile{File: path, Error: err.Error()})
		} else {
			report.Imported += file.Imported
			report.Duplicates += file.Duplicates
			report.Versions += file.Versions
			for t, n := range file.ByType {
				report.ByType[t] += n
			}
			for _, rec := range added {
				index.Put(rec)
			}
		}
		p.FilesDone++
		if st, err := os.Stat(path); err == nil {
			p.BytesDone = startBytes + st.Size()
		}
		emit(true)
	}
	return report, nil
}

// importFile imports one file in one vault transaction and returns the
// records it added or changed, to be put in the index once committed.
func (w *Wallet) importFile(ctx context.Context, path string, onBytes func(int64), onResource func()) (ImportReport, []record.Record, error) {
	file := ImportReport{ByType: map[string]int{}}
	f, err := os.Open(path)
	if err != nil {
		return file, nil, fmt.Errorf("cannot open the file: %w", errors.Unwrap(err))
	}
	defer f.Close()
	in := &countingReader{r: f, onBytes: onBytes}
	var added []record.Record
	stamp := now().UTC().Truncate(time.Second)
	err = w.vault.Update(func(tx *vault.Tx) error {
		return importer.Read(ctx, in, path, func(res record.Resource) error {
			onResource()
			rec, outcome, err := w.putResource(tx, res, stamp)
			if err != nil {
				return err
			}
			switch outcome {
			case outcomeNew:
				file.Imported++
			case outcomeVersion:
				file.Versions++
			case outcomeDuplicate:
				file.Duplicates++
				return nil
			}
			file.ByType[res.Type]++
			added = append(added, rec)
			return nil
		})
	})
	if err != nil {
		return file, nil, mapVaultError(err)
	}
	return file, added, nil
}

type outcome int

const (
	outcomeNew outcome = iota
	outcomeVersion
	outcomeDuplicate
)

// putResource stores res as a new record, a new version of the record with
// the same type and id, or nothing when that record already has this content.
func (w *Wallet) putResource(tx *vault.Tx, res record.Resource, stamp time.Time) (record.Record, outcome, error) {
	canon, err := record.Canonical(res.Raw)
	if err != nil {
		return record.Record{}, 0, fmt.Errorf("%s %s: %w", res.Type, res.ID, err)
	}
	hash := sha256.Sum256(canon) // record.ContentHash, without canonicalizing twice
	hashHex := hex.EncodeToString(hash[:])
	id := w.vault.RecordID(record.Key(res))
	result := outcomeNew
	latest, exists, err := tx.Latest(id)
	if err != nil {
		return record.Record{}, 0, err
	}
	if exists {
		prev, err := decodeMeta(latest.Meta)
		if err == nil && prev.ContentHash == hashHex {
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
