package wallet

import (
	"cmp"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"os"

	"healthwallet/wallet/ccda"
	"healthwallet/wallet/record"
	"healthwallet/wallet/vault"
)

// importCCDAFile converts a C-CDA document into FHIR records and keeps the
// original as a DocumentReference with the XML as a sealed attachment. The
// attachment, the DocumentReference and every converted resource land
// together or not at all; each converted record's provenance names the
// DocumentReference and the section it came from.
func (w *Wallet) importCCDAFile(f *fileImport) error {
	converted := sha256.New()
	d, err := ccda.Convert(io.TeeReader(f.in, converted))
	if err != nil {
		if errors.Is(err, ccda.ErrMalformed) {
			return fmt.Errorf("%w (the file may be damaged or cut short: download it again from the portal)", err)
		}
		return err
	}
	// Convert stops at the closing tag: hash what follows it too, so the
	// kept file is checked against every byte read.
	if _, err := io.Copy(converted, f.in); err != nil {
		return fmt.Errorf("cannot read the file: %w", err)
	}
	// The XML is read again to be kept, streaming into the vault.
	file, err := os.Open(f.path)
	if err != nil {
		return fmt.Errorf("cannot open the file again to keep it: %w", errors.Unwrap(err))
	}
	defer file.Close()
	kept, err := w.keepFile(f, file)
	if err != nil {
		return err
	}
	if kept.sha256Hex != hex.EncodeToString(converted.Sum(nil)) {
		return errors.Join(errors.New("the file changed while it was imported: import it again once it is complete"), w.dropKeptFile(kept))
	}
	meta := documentMeta{
		Title:       cmp.Or(d.Title, d.Kind),
		ContentType: "application/xml",
		FileName:    f.name,
		Date:        d.Date,
		Category:    "Clinical document",
		TypeCode:    record.Code{System: ccda.SystemURI("2.16.840.1.113883.6.1"), Code: d.Code, Display: d.Kind},
	}
	var docOut outcome
	err = w.vault.Update(func(tx *vault.Tx) error {
		// The document is the header patient's, as its records are.
		whose, err := w.peopleOf(tx, f, d.Resources)
		if err != nil {
			return err
		}
		if len(whose) > 0 {
			f.docPerson = whose[0]
		}
		doc, out, err := w.putDocumentRecord(tx, f, kept, meta, record.SourceCCDA)
		if err != nil {
			return err
		}
		docOut = out
		return f.putAll(w, tx, d.Resources, func(res record.Resource) *record.Source {
			return &record.Source{Kind: record.SourceCCDA, File: f.name, Document: doc.ID,
				Section: d.ResourceSection[res.Type+"/"+res.ID]}
		})
	})
	if err != nil || docOut == outcomeDuplicate {
		// The same XML is kept already (its records are then duplicates or
		// versions), or nothing was recorded: the new copy is not needed.
		if derr := w.dropKeptFile(kept); derr != nil && err == nil {
			err = derr
		}
	}
	if err != nil {
		if ctxErr := f.ctx.Err(); ctxErr != nil {
			return ctxErr
		}
		return fmt.Errorf("recording the document: %w", err)
	}
	f.report.Documents = append(f.report.Documents, ccdaReport(f, d))
	return nil
}

// ccdaReport says what one C-CDA document became.
func ccdaReport(f *fileImport, d *ccda.Document) DocumentReport {
	r := DocumentReport{File: f.name, Kind: d.Kind, Records: f.report.Imported + f.report.Versions,
		ByType: map[string]int{}, NotConverted: []NotConverted{}}
	for t, n := range f.report.ByType {
		r.ByType[t] = n
	}
	for _, s := range d.NotConverted {
		r.NotConverted = append(r.NotConverted, NotConverted{Section: s.Section, Reason: s.Reason})
	}
	return r
}
