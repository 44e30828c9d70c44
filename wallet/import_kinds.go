package wallet

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"time"
	"unicode/utf8"

	"healthwallet/wallet/record"
	"healthwallet/wallet/vault"
)

// What Import reads, by kind (the first bytes decide; the extension only
// where the bytes cannot):
//
//   - FHIR R4 JSON or NDJSON: importFHIRFile.
//   - SMART Health Cards — a .smart-health-card file, a text holding shc:/
//     or a compact JWS, a QR image holding shc:/: import_cards.go.
//   - XML: a C-CDA document, converted to FHIR; other XML (C32, NCPDP…) is
//     refused with the reason: import_ccda.go.
//   - PDF, JPEG, PNG, HEIC, TIFF, plain text: kept whole as a sealed
//     attachment under a DocumentReference: import_document.go. An image
//     whose QR code holds a card is a card instead.

// sniffSize is how much of a file decides its kind.
const sniffSize = 8 << 10

// fileImport is one file being imported: where it is, its first bytes, and
// what it has added so far.
type fileImport struct {
	ctx     context.Context
	session *importSession
	path    string
	name    string        // base name, kept in provenance
	in      *bufio.Reader // the whole file from its first byte; reads count towards progress
	head    []byte        // up to sniffSize first bytes (peeked, still unread in `in`)
	size    int64
	stamp   time.Time
	kind    string // File* constant, set by the handler
	report  ImportReport
	added   []record.Record
	// people are the people other than the owner this file has records
	// for (their new records counted), in the order met.
	people      map[string]OtherPerson
	peopleOrder []string
	// docPerson is whose a document kept whole is ("" the owner).
	docPerson string
}

// importSession is what lasts across the files of one Import call (e.g. the
// chunks of a multi-part shc:/ QR code given as several files).
type importSession struct {
	onResource func()
	cards      cardSession
	people     peopleSession
}

// putAll stores resources in tx, each as the person peopleOf says, under
// the source srcOf gives it.
func (f *fileImport) putAll(w *Wallet, tx *vault.Tx, resources []record.Resource, srcOf func(record.Resource) *record.Source) error {
	whose, err := w.peopleOf(tx, f, resources)
	if err != nil {
		return err
	}
	for i, res := range resources {
		if err := f.ctx.Err(); err != nil {
			return err
		}
		if _, err := f.put(w, tx, res, srcOf(res), whose[i]); err != nil {
			return err
		}
	}
	return nil
}

// put stores one resource of person in tx under src and counts it in f's
// report.
func (f *fileImport) put(w *Wallet, tx *vault.Tx, res record.Resource, src *record.Source, person string) (outcome, error) {
	if f.session.onResource != nil {
		f.session.onResource()
	}
	rec, out, err := w.putResource(tx, res, f.stamp, src, person)
	if err != nil {
		return out, err
	}
	switch out {
	case outcomeNew:
		f.report.Imported++
	case outcomeVersion:
		f.report.Versions++
	case outcomeDuplicate:
		f.report.Duplicates++
		return out, nil
	}
	f.report.ByType[res.Type]++
	f.added = append(f.added, rec)
	if person != "" {
		if _, ok := f.people[person]; !ok {
			p, err := readPersonIn(tx, person)
			if err != nil {
				return out, err
			}
			f.notePerson(p, false)
		}
		o := f.people[person]
		o.Records++
		f.people[person] = o
	}
	return out, nil
}

// importFile imports one file: it decides what the file is and hands it to
// that kind's importer. A file lands whole or not at all.
func (w *Wallet) importFile(ctx context.Context, session *importSession, path string, onBytes func(int64)) (*fileImport, error) {
	file, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("cannot open the file: %w", errors.Unwrap(err))
	}
	defer file.Close()
	st, err := file.Stat()
	if err != nil {
		return nil, fmt.Errorf("cannot read the file: %w", err)
	}
	if st.IsDir() {
		return nil, errors.New("this is a folder: choose the files in it")
	}
	in := bufio.NewReaderSize(&countingReader{r: file, onBytes: onBytes}, 64<<10)
	head, err := in.Peek(sniffSize)
	if err != nil && !errors.Is(err, io.EOF) && !errors.Is(err, bufio.ErrBufferFull) {
		return nil, fmt.Errorf("cannot read the file: %w", err)
	}
	f := &fileImport{docPerson: session.people.into,
		ctx: ctx, session: session, path: path, name: filepath.Base(path),
		in: in, head: head, size: st.Size(),
		stamp:  now().UTC().Truncate(time.Second),
		report: ImportReport{ByType: map[string]int{}},
	}
	kind := sniff(f.name, head)
	f.kind = kind
	switch kind {
	case sniffCard:
		f.kind = FileCard
		err = w.importCardFile(f)
	case sniffXML:
		f.kind = FileCCDA
		err = w.importCCDAFile(f)
	case sniffImage:
		// A photo or screenshot of a card's QR code is a card; any other
		// image is a document.
		var isCard bool
		isCard, err = w.importCardImage(f)
		if err == nil && !isCard {
			f.kind = FileDocument
			err = w.importDocumentFile(f)
		} else {
			f.kind = FileCard
		}
	case sniffPDF, sniffText:
		f.kind = FileDocument
		err = w.importDocumentFile(f)
	case sniffFHIR:
		f.kind = FileFHIR
		err = w.importFHIRFile(f)
	default:
		err = fmt.Errorf("not a kind of file the wallet imports (%s): it reads FHIR JSON, SMART Health Cards, C-CDA XML, PDF, images (JPEG, PNG, HEIC, TIFF) and plain text", describeBytes(head))
	}
	if err != nil {
		return nil, mapVaultError(err)
	}
	return f, nil
}

// Kinds sniff tells apart.
const (
	sniffUnknown = "unknown"
	sniffFHIR    = "fhir"
	sniffCard    = "card"
	sniffXML     = "xml"
	sniffPDF     = "pdf"
	sniffImage   = "image"
	sniffText    = "text"
)

// sniff says what a file is from its name and first bytes.
func sniff(name string, head []byte) string {
	h := bytes.TrimPrefix(head, []byte("\xef\xbb\xbf"))
	trimmed := bytes.TrimLeft(h, " \t\r\n")
	ext := strings.ToLower(filepath.Ext(name))
	switch {
	case bytes.HasPrefix(h, []byte("%PDF-")):
		return sniffPDF
	case bytes.HasPrefix(h, []byte("\x89PNG\r\n\x1a\n")),
		bytes.HasPrefix(h, []byte("\xff\xd8\xff")),
		bytes.HasPrefix(h, []byte("II*\x00")), bytes.HasPrefix(h, []byte("MM\x00*")),
		isHEIF(h):
		return sniffImage
	case ext == ".smart-health-card":
		return sniffCard
	case len(trimmed) >= 4 && bytes.EqualFold(trimmed[:4], []byte("shc:")):
		return sniffCard // the card importer says if the rest of the header is wrong
	case bytes.HasPrefix(trimmed, []byte("<")):
		return sniffXML
	case bytes.HasPrefix(trimmed, []byte("{")):
		if isCardJSON(trimmed) {
			return sniffCard
		}
		return sniffFHIR
	case bytes.HasPrefix(trimmed, []byte("eyJ")):
		return sniffCard // a compact JWS; the card importer says if it is not one
	case len(trimmed) > 0 && utf8.Valid(trimmed[:utf8Prefix(trimmed)]) && !bytes.ContainsRune(trimmed, 0):
		return sniffText
	}
	return sniffUnknown
}

// isCardJSON reports whether a JSON document's first member is
// "verifiableCredential" (a .smart-health-card file under another name).
func isCardJSON(h []byte) bool {
	rest := bytes.TrimLeft(h[1:], " \t\r\n")
	return bytes.HasPrefix(rest, []byte(`"verifiableCredential"`))
}

// isHEIF reports an ISO-BMFF file whose brand is HEIC/HEIF.
func isHEIF(h []byte) bool {
	if len(h) < 12 || string(h[4:8]) != "ftyp" {
		return false
	}
	switch string(h[8:12]) {
	case "heic", "heix", "hevc", "heim", "heis", "mif1", "msf1", "avif":
		return true
	}
	return false
}

// utf8Prefix is the length of h without a rune cut off at its end.
func utf8Prefix(h []byte) int {
	n := len(h)
	for i := 0; i < utf8.UTFMax && n > 0; i++ {
		if utf8.Valid(h[:n]) {
			return n
		}
		n--
	}
	return n
}

// describeBytes names unknown content for an error message.
func describeBytes(head []byte) string {
	if len(head) == 0 {
		return "the file is empty"
	}
	return "binary content"
}
