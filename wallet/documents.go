package wallet

import (
	"context"
	"crypto/sha1"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"image"
	"io"
	"time"

	"healthwallet/wallet/record"
	"healthwallet/wallet/vault"
)

// AttachmentInfo describes the file kept under a DocumentReference record.
type AttachmentInfo struct {
	ContentType string `json:"contentType"`
	Title       string `json:"title"`
	FileName    string `json:"fileName,omitempty"`
	Size        int64  `json:"size"`
	SHA256      string `json:"sha256"` // hex
}

// DocumentEdit is what the patient may change about a kept document.
type DocumentEdit struct {
	Title    string
	Date     time.Time
	Category string
}

// OpenAttachment opens the file kept under a DocumentReference record (a
// PDF, an image, a C-CDA's XML), streaming it from the vault. On a record
// converted from a C-CDA document it opens that document's XML.
func (w *Wallet) OpenAttachment(recordID string) (io.ReadCloser, AttachmentInfo, error) {
	doc, err := w.keptDocument(recordID)
	if err != nil {
		return nil, AttachmentInfo{}, err
	}
	rc, err := w.vault.OpenAttachment(doc.attachment)
	if err != nil {
		return nil, AttachmentInfo{}, fmt.Errorf("opening the file of record %s: %w", recordID, mapVaultError(err))
	}
	return rc, doc.info, nil
}

// keptDocument is a DocumentReference record that keeps a file.
type keptDocument struct {
	rec        record.Record
	json       docRefJSON
	attachment vault.AttachmentID
	info       AttachmentInfo
}

// keptDocument reads the DocumentReference behind recordID: the record
// itself, or the document a C-CDA record was converted from.
func (w *Wallet) keptDocument(recordID string) (keptDocument, error) {
	d, err := w.Record(recordID)
	if err != nil {
		return keptDocument{}, err
	}
	if d.Source != nil && d.Source.Attachment == "" && d.Source.Document != "" && d.Source.Document != recordID {
		if d, err = w.Record(d.Source.Document); err != nil {
			return keptDocument{}, fmt.Errorf("the document this record was converted from: %w", err)
		}
	}
	if d.Source == nil || d.Source.Attachment == "" {
		return keptDocument{}, fmt.Errorf("record %s (%s) keeps no file: only documents imported from a PDF, image, text or C-CDA file do", recordID, d.ResourceType)
	}
	id, err := vault.ParseAttachmentID(d.Source.Attachment)
	if err != nil {
		return keptDocument{}, fmt.Errorf("record %s: %w", recordID, err)
	}
	k := keptDocument{rec: d.Record, attachment: id}
	if err := json.Unmarshal(d.JSON, &k.json); err != nil || len(k.json.Content) == 0 {
		return keptDocument{}, fmt.Errorf("record %s is not a DocumentReference of a kept file", recordID)
	}
	a := k.json.Content[0].Attachment
	k.info = AttachmentInfo{ContentType: a.ContentType, Title: a.Title, FileName: d.Source.File, Size: a.Size}
	for _, e := range a.Extension {
		if e.URL == attachmentSHA256URL {
			k.info.SHA256 = e.ValueString
		}
	}
	return k, nil
}

// EditDocument changes a kept document's title, date or category: a new
// version of its DocumentReference, still keeping the same file. Zero fields
// of edit leave what they name unchanged.
func (w *Wallet) EditDocument(recordID string, edit DocumentEdit) error {
	index, err := w.currentIndex()
	if err != nil {
		return err
	}
	k, err := w.keptDocument(recordID)
	if err != nil {
		return err
	}
	if k.rec.ID != recordID {
		return fmt.Errorf("record %s was converted from a document: edit the document itself (%s)", recordID, k.rec.ID)
	}
	doc := k.json
	if edit.Title != "" {
		doc.Description = edit.Title
		for i := range doc.Content {
			doc.Content[i].Attachment.Title = edit.Title
		}
	}
	if !edit.Date.IsZero() {
		doc.Date = fhirDate(edit.Date)
	}
	if edit.Category != "" {
		doc.Category = []docConcept{{Text: edit.Category}}
	}
	raw, err := jsonMarshal(doc)
	if err != nil {
		return err
	}
	res := record.Resource{Type: doc.ResourceType, ID: doc.ID, Raw: raw}
	src := *k.rec.Source // the same file: Source.Attachment carried over
	var rec record.Record
	err = w.vault.Update(func(tx *vault.Tx) error {
		rec, _, err = w.putResource(tx, res, now().UTC().Truncate(time.Second), &src, k.rec.Person)
		return err
	})
	if err != nil {
		return fmt.Errorf("saving the document's new details: %w", mapVaultError(err))
	}
	if rec.ID != "" {
		index.Put(rec)
	}
	return nil
}

// DocumentPreview draws a document (an image, a PDF's first page) to fit
// within maxW × maxH pixels.
func (w *Wallet) DocumentPreview(recordID string, maxW, maxH int) (image.Image, error) {
	if maxW <= 0 || maxH <= 0 {
		return nil, fmt.Errorf("a preview needs a size, not %d×%d pixels", maxW, maxH)
	}
	k, err := w.keptDocument(recordID)
	if err != nil {
		return nil, err
	}
	rc, err := w.vault.OpenAttachment(k.attachment)
	if err != nil {
		return nil, fmt.Errorf("opening the file of record %s: %w", recordID, mapVaultError(err))
	}
	defer rc.Close()
	return previewFile(rc, k.info, maxW, maxH)
}

// NarrativeSection is one human-readable section of a C-CDA document.
type NarrativeSection struct {
	Title string `json:"title"`
	Text  string `json:"text"`
}

// documentMeta is what a kept file's DocumentReference says about it.
type documentMeta struct {
	Title       string
	ContentType string // MIME type, e.g. application/pdf
	FileName    string
	Date        time.Time // zero when unknown; a date alone is midnight UTC
	Category    string    // in plain words, e.g. "Lab report"
	TypeCode    record.Code
}

// attachmentSHA256URL names the extension that carries the kept file's hex
// SHA-256 in its DocumentReference, so the anchored commitment covers the file.
const attachmentSHA256URL = "urn:healthwallet:fhir:attachment-sha256"

// documentIDPrefix starts a kept file's DocumentReference id; the first 32
// hex digits of the file's SHA-256 follow, so the same file is the same
// record.
const documentIDPrefix = "doc-"

// putDocument keeps r's bytes as a sealed vault attachment and records a
// DocumentReference for it. It reads r once, hashing as it stores, so the
// file is never whole in memory. The same file kept before is a duplicate:
// the new attachment is dropped and the existing record returned (edits the
// patient made to it stay). kind is the Source kind (document, ccda).
//
// A caller that must write other records in the same transaction (a C-CDA's
// converted resources) uses keepFile, putDocumentRecord inside its own
// vault.Update, and dropKeptFile when that fails or finds a duplicate.
func (w *Wallet) putDocument(f *fileImport, r io.Reader, meta documentMeta, kind string) (record.Record, outcome, error) {
	k, err := w.keepFile(f, r)
	if err != nil {
		return record.Record{}, 0, err
	}
	var rec record.Record
	var out outcome
	err = w.vault.Update(func(tx *vault.Tx) error {
		rec, out, err = w.putDocumentRecord(tx, f, k, meta, kind)
		return err
	})
	if err != nil || out == outcomeDuplicate {
		if derr := w.dropKeptFile(k); derr != nil && err == nil {
			err = derr
		}
	}
	if err != nil {
		return record.Record{}, 0, fmt.Errorf("recording the document: %w", err)
	}
	return rec, out, nil
}

// keptFile is a file stored as a sealed attachment, not yet recorded.
type keptFile struct {
	attachment vault.AttachmentID
	size       int64
	sha256Hex  string
	sha1Base64 string // as FHIR's Attachment.hash wants it
}

// keepFile reads r to its end into a new sealed attachment (64 KiB chunks,
// a few megabytes per transaction), hashing it on the way.
func (w *Wallet) keepFile(f *fileImport, r io.Reader) (keptFile, error) {
	sum256, sum1 := sha256.New(), sha1.New()
	tee := io.TeeReader(&ctxReader{ctx: f.ctx, r: r}, io.MultiWriter(sum256, sum1))
	id, size, err := w.vault.PutAttachment(tee)
	if err != nil {
		if ctxErr := f.ctx.Err(); ctxErr != nil {
			return keptFile{}, ctxErr
		}
		return keptFile{}, fmt.Errorf("storing the file in the vault: %w", err)
	}
	return keptFile{attachment: id, size: size,
		sha256Hex: hex.EncodeToString(sum256.Sum(nil)), sha1Base64: base64.StdEncoding.EncodeToString(sum1.Sum(nil))}, nil
}

// dropKeptFile deletes a kept file's attachment when no record will refer to
// it (the record's transaction failed, or the file was kept before).
func (w *Wallet) dropKeptFile(k keptFile) error {
	if err := w.vault.DeleteAttachment(k.attachment); err != nil {
		return fmt.Errorf("removing a file the vault no longer needs: %w", err)
	}
	return nil
}

// putDocumentRecord records k's DocumentReference in tx and counts it in f's
// report. When a DocumentReference of the same file exists it returns that
// record and outcomeDuplicate, and the caller drops k once tx is done.
func (w *Wallet) putDocumentRecord(tx *vault.Tx, f *fileImport, k keptFile, meta documentMeta, kind string) (record.Record, outcome, error) {
	res, err := documentResource(meta, k)
	if err != nil {
		return record.Record{}, 0, err
	}
	id := w.vault.RecordID(personRecordKey(record.Key(res), f.docPerson))
	latest, exists, err := tx.Latest(id)
	if err != nil {
		return record.Record{}, 0, err
	}
	if exists {
		m, err := decodeMeta(latest.Meta)
		if err != nil {
			return record.Record{}, 0, err
		}
		if f.session.onResource != nil {
			f.session.onResource()
		}
		f.report.Duplicates++
		return recordFromMeta(id, int(latest.Version), m), outcomeDuplicate, nil
	}
	src := &record.Source{Kind: kind, File: f.name, Attachment: k.attachment.String()}
	out, err := f.put(w, tx, res, src, f.docPerson)
	if err != nil {
		return record.Record{}, 0, err
	}
	return f.added[len(f.added)-1], out, nil
}

// documentID is a kept file's DocumentReference id from its hex SHA-256.
func documentID(sha256Hex string) string { return documentIDPrefix + sha256Hex[:32] }

// The DocumentReference of a kept file, in the shape the shared decisions of
// issue 11 fix (field order is the JSON's).
type docRefJSON struct {
	ResourceType string          `json:"resourceType"`
	ID           string          `json:"id"`
	Status       string          `json:"status"`
	Type         *docConcept     `json:"type,omitempty"`
	Category     []docConcept    `json:"category,omitempty"`
	Date         string          `json:"date,omitempty"`
	Description  string          `json:"description,omitempty"`
	Content      []docRefContent `json:"content"`
}

type docConcept struct {
	Coding []record.Code `json:"coding,omitempty"`
	Text   string        `json:"text,omitempty"`
}

type docRefContent struct {
	Attachment docAttachment `json:"attachment"`
}

type docAttachment struct {
	ContentType string         `json:"contentType,omitempty"`
	Data        string         `json:"data,omitempty"` // only in a share
	Title       string         `json:"title,omitempty"`
	Size        int64          `json:"size"`
	Hash        string         `json:"hash"` // base64 SHA-1, as FHIR defines
	Creation    string         `json:"creation,omitempty"`
	Extension   []docExtension `json:"extension,omitempty"`
}

type docExtension struct {
	URL         string `json:"url"`
	ValueString string `json:"valueString"`
}

// documentResource builds the DocumentReference of a kept file.
func documentResource(meta documentMeta, k keptFile) (record.Resource, error) {
	doc := docRefJSON{
		ResourceType: "DocumentReference",
		ID:           documentID(k.sha256Hex),
		Status:       "current",
		Content: []docRefContent{{Attachment: docAttachment{
			ContentType: meta.ContentType,
			Title:       meta.Title,
			Size:        k.size,
			Hash:        k.sha1Base64,
			Extension:   []docExtension{{URL: attachmentSHA256URL, ValueString: k.sha256Hex}},
		}}},
	}
	applyDocumentMeta(&doc, meta)
	raw, err := jsonMarshal(doc)
	if err != nil {
		return record.Resource{}, fmt.Errorf("writing the document's record: %w", err)
	}
	return record.Resource{Type: doc.ResourceType, ID: doc.ID, Raw: raw}, nil
}

// applyDocumentMeta sets what the patient sees and may edit: type, category,
// date and title.
func applyDocumentMeta(doc *docRefJSON, meta documentMeta) {
	doc.Type = nil
	if meta.TypeCode.Code != "" || meta.TypeCode.Display != "" {
		t := &docConcept{Text: meta.TypeCode.Display}
		if meta.TypeCode.Code != "" {
			t.Coding = []record.Code{meta.TypeCode}
		}
		doc.Type = t
	}
	doc.Category = nil
	if meta.Category != "" {
		doc.Category = []docConcept{{Text: meta.Category}}
	}
	doc.Date = fhirDate(meta.Date)
	doc.Description = meta.Title
	for i := range doc.Content {
		doc.Content[i].Attachment.Title = meta.Title
		doc.Content[i].Attachment.Creation = doc.Date
	}
}

// fhirDate writes t as a FHIR date when it is a date alone (midnight UTC),
// else as RFC 3339; "" when t is zero.
func fhirDate(t time.Time) string {
	switch {
	case t.IsZero():
		return ""
	case t.Location() == time.UTC && t.Equal(t.Truncate(24*time.Hour)):
		return t.Format(time.DateOnly)
	}
	return t.Format(time.RFC3339)
}

// ctxReader stops a long read when its context is cancelled.
type ctxReader struct {
	ctx context.Context
	r   io.Reader
}

func (c *ctxReader) Read(p []byte) (int, error) {
	if err := c.ctx.Err(); err != nil {
		return 0, err
	}
	return c.r.Read(p)
}
