package wallet

import (
	"fmt"

	"healthwallet/wallet/ccda"
	"healthwallet/wallet/record"
)

// DocumentSections returns the human-readable sections of a kept C-CDA
// document, in the document's order. recordID is the DocumentReference that
// keeps the XML, or any record converted from it.
func (w *Wallet) DocumentSections(recordID string) ([]NarrativeSection, error) {
	doc, err := w.keptDocument(recordID)
	if err != nil {
		return nil, err
	}
	if doc.rec.Source == nil || doc.rec.Source.Kind != record.SourceCCDA {
		return nil, fmt.Errorf("record %s is not a C-CDA document: only those have sections to show", recordID)
	}
	rc, err := w.vault.OpenAttachment(doc.attachment)
	if err != nil {
		return nil, fmt.Errorf("opening the document of record %s: %w", recordID, mapVaultError(err))
	}
	defer rc.Close()
	d, err := ccda.Convert(rc)
	if err != nil {
		return nil, fmt.Errorf("reading the document of record %s: %w", recordID, err)
	}
	sections := make([]NarrativeSection, 0, len(d.Sections))
	for _, s := range d.Sections {
		sections = append(sections, NarrativeSection{Title: s.Title, Text: s.Text})
	}
	return sections, nil
}
