package wallet

import (
	"errors"
	"image"
	"io"
	"time"
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
// PDF, an image, a C-CDA's XML), streaming it from the vault.
func (w *Wallet) OpenAttachment(recordID string) (io.ReadCloser, AttachmentInfo, error) {
	return nil, AttachmentInfo{}, errors.New("attachments are not built yet")
}

// EditDocument changes a kept document's title, date or category: a new
// version of its DocumentReference.
func (w *Wallet) EditDocument(recordID string, edit DocumentEdit) error {
	return errors.New("editing documents is not built yet")
}

// DocumentPreview draws a document (an image, a PDF's first page) to fit
// within maxW × maxH pixels.
func (w *Wallet) DocumentPreview(recordID string, maxW, maxH int) (image.Image, error) {
	return nil, errors.New("document previews are not built yet")
}

// NarrativeSection is one human-readable section of a C-CDA document.
type NarrativeSection struct {
	Title string `json:"title"`
	Text  string `json:"text"`
}

// DocumentSections returns the human-readable sections of a kept C-CDA
// document, in the document's order.
func (w *Wallet) DocumentSections(recordID string) ([]NarrativeSection, error) {
	return nil, errors.New("C-CDA sections are not built yet")
}
