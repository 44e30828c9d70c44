// Package importer reads FHIR R4 files from outside the wallet and writes
// them back out.
//
// The common case is [ReadFile] (or [Read] for any io.Reader): it detects
// what the file is and calls a function once per resource, in file order,
// with the resource's original JSON bytes untouched:
//
//   - a FHIR R4 Bundle of any type (collection, batch, transaction,
//     searchset, document, message, history, …): each entry's resource.
//     Entries without a resource (a batch DELETE, a bare response) are
//     skipped; a Bundle inside an entry is one resource, not opened.
//   - an NDJSON bulk-data file: one resource per line, blank lines allowed.
//   - a single FHIR R4 resource.
//
// [WriteBundle] exports resources as one FHIR Bundle of type "collection".
//
// # Streaming and transactions
//
// Files are read as a stream: a Bundle's entries are decoded one at a time,
// so memory stays near the size of the largest entry, not of the file. The
// price is that a problem late in a file is found after earlier resources
// were delivered. The contract is therefore: the caller collects a file's
// resources into one store transaction and discards it when Read returns an
// error; a file lands whole or not at all (DESIGN §4).
//
// # What is refused
//
// Anything that is not FHIR R4 JSON gives a [*FileError] whose Reason says
// what the file is and what to do: an XML document (a C-CDA, say), JSON
// without a resourceType, a resourceType that is not an R4 type (DSTU2, STU3
// and R5-only types are named as such), a Bundle whose entry is not an array,
// an entry resource without a resourceType, broken or truncated JSON, and
// trailing data after the document. Such errors wrap [ErrNotFHIR]. A single
// resource (or NDJSON line) over [MaxResourceSize], or JSON nested deeper
// than [MaxDepth], wraps [ErrTooLarge]. Errors returned by the caller's
// function, by the context and by the reader itself are returned wrapped
// (errors.Is sees them), never as a FileError. Read never panics on its input.
//
// # Progress
//
// To report progress, wrap the reader with [WithProgress] before calling
// [Read]; it reports the bytes consumed so far.
package importer

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"

	"healthwallet/wallet/record"
)

// Limits on what one resource may be. A file may be any size.
const (
	MaxResourceSize = 64 << 20 // bytes of one resource, Bundle entry or NDJSON line
	MaxDepth        = 128      // nesting of JSON objects and arrays
)

// Tests lower these to exercise the guards without 64 MiB inputs.
var (
	maxResourceSize = MaxResourceSize
	maxDepth        = MaxDepth
)

var (
	// ErrNotFHIR is wrapped by every [*FileError] about a file's content.
	ErrNotFHIR = errors.New("not a FHIR R4 JSON file")
	// ErrTooLarge is wrapped by a [*FileError] when a resource exceeds
	// [MaxResourceSize] or [MaxDepth].
	ErrTooLarge = errors.New("resource too large")
)

// FileError says why a file cannot be imported. Its error text is meant for
// the user: "labs.xml: this is an XML document (C-CDA?), not FHIR JSON".
type FileError struct {
	File   string // the name the caller gave
	Reason string
	Err    error // ErrNotFHIR or ErrTooLarge; nil means ErrNotFHIR
}

func (e *FileError) Error() string {
	if e.File == "" {
		return e.Reason
	}
	return e.File + ": " + e.Reason
}

func (e *FileError) Unwrap() error {
	if e.Err == nil {
		return ErrNotFHIR
	}
	return e.Err
}

// Progress is told the number of bytes read so far.
type Progress func(bytesRead int64)

// WithProgress returns a reader that reads from r and calls p with the
// running total after each read. Wrap the reader given to [Read] with it.
func WithProgress(r io.Reader, p Progress) io.Reader {
	if p == nil {
		return r
	}
	return &progressReader{r: r, p: p}
}

type progressReader struct {
	r io.Reader
	n int64
	p Progress
}

func (pr *progressReader) Read(b []byte) (int, error) {
	n, err := pr.r.Read(b)
	if n > 0 {
		pr.n += int64(n)
		pr.p(pr.n)
	}
	return n, err
}

// ReadFile reads the file at path like [Read], naming it by path in errors.
func ReadFile(ctx context.Context, path string, fn func(record.Resource) error) error {
	f, err := os.Open(path)
	if err != nil {
		return err
	}
	defer f.Close()
	if st, err := f.Stat(); err == nil && st.IsDir() {
		return &FileError{File: path, Reason: "this is a folder, not a file"}
	}
	return Read(ctx, f, path, fn)
}

// detectSize is how much of a file is looked at to tell NDJSON from a
// single JSON document: the first line must end within it.
const detectSize = 1 << 20

// Read reads one file's worth of FHIR from r and calls fn with each resource
// in file order. name is used in error messages only. Read stops at the first
// error, including one returned by fn; see the package documentation for the
// transaction contract this implies.
func Read(ctx context.Context, r io.Reader, name string, fn func(record.Resource) error) error {
	rd := &reader{ctx: ctx, name: name, fn: fn}
	br := bufio.NewReaderSize(r, detectSize)
	if err := skipBOMAndSpace(br); err != nil {
		if err == io.EOF {
			return rd.fail("the file is empty")
		}
		return rd.ioErr(err)
	}
	head, err := br.Peek(detectSize)
	if err != nil && err != io.EOF && err != bufio.ErrBufferFull {
		return rd.ioErr(err)
	}
	switch {
	case head[0] == '<':
		return rd.fail("%s", xmlReason(head))
	case head[0] == '[':
		return rd.fail("this is a JSON array, not a FHIR resource or Bundle")
	case head[0] != '{':
		return rd.fail("%s", notJSONReason(head))
	case isNDJSON(head):
		return rd.ndjson(br)
	}
	return rd.document(br)
}

type reader struct {
	ctx   context.Context
	name  string
	fn    func(record.Resource) error
	count int
}

func (rd *reader) fail(format string, args ...any) error {
	return &FileError{File: rd.name, Reason: fmt.Sprintf(format, args...)}
}

func (rd *reader) tooLarge(what string) error {
	return &FileError{File: rd.name, Err: ErrTooLarge,
		Reason: fmt.Sprintf("%s is larger than the %d MiB a single resource may be, or nested deeper than %d levels", what, maxResourceSize>>20, maxDepth)}
}

func (rd *reader) ioErr(err error) error {
	if errors.Is(err, errCeiling) {
		return rd.tooLarge("a resource")
	}
	return fmt.Errorf("reading %s: %w", rd.name, err)
}

// jsonErr turns a decoding error into a FileError (or passes I/O errors on).
func (rd *reader) jsonErr(where string, err error) error {
	var syn *json.SyntaxError
	switch {
	case errors.Is(err, errCeiling):
		return rd.tooLarge(where)
	case errors.Is(err, io.ErrUnexpectedEOF) || errors.Is(err, io.EOF):
		return rd.fail("the JSON ends too early in %s: the file is truncated or incomplete", where)
	case errors.As(err, &syn):
		return rd.fail("not valid JSON in %s at byte %d: %v", where, syn.Offset, err)
	case errors.Is(err, errDepth):
		return rd.tooLarge(where)
	}
	var ute *json.UnmarshalTypeError
	if errors.As(err, &ute) {
		return rd.fail("%s: unexpected JSON %s for %q", where, ute.Value, ute.Field)
	}
	if rd.ctx.Err() != nil {
		return rd.ctx.Err()
	}
	return rd.ioErr(err)
}

func (rd *reader) deliver(res record.Resource) error {
	if err := rd.ctx.Err(); err != nil {
		return err
	}
	rd.count++
	return rd.fn(res)
}

func skipBOMAndSpace(br *bufio.Reader) error {
	if b, err := br.Peek(3); err == nil && bytes.Equal(b, []byte{0xEF, 0xBB, 0xBF}) {
		br.Discard(3)
	}
	for {
		c, err := br.ReadByte()
		if err != nil {
			return err
		}
		if !isSpace(c) {
			return br.UnreadByte()
		}
	}
}

func isSpace(c byte) bool { return c == ' ' || c == '\t' || c == '\n' || c == '\r' }

func xmlReason(head []byte) string {
	h := string(head[:min(len(head), 8192)])
	switch {
	case strings.Contains(h, "ClinicalDocument"):
		return "this is an XML document (a C-CDA ClinicalDocument), not FHIR JSON: ask the provider for a FHIR R4 JSON export"
	case strings.Contains(h, "http://hl7.org/fhir"):
		return "this is FHIR in XML, not FHIR JSON: only the JSON format is read; convert it or ask for JSON"
	}
	return "this is an XML document (C-CDA?), not FHIR JSON"
}

func notJSONReason(head []byte) string {
	h := head[:min(len(head), 64)]
	switch {
	case bytes.HasPrefix(h, []byte("%PDF")):
		return "this is a PDF document, not FHIR JSON"
	case bytes.HasPrefix(h, []byte("shc:/")):
		return "this is a SMART Health Card QR text, not FHIR JSON"
	case bytes.HasPrefix(h, []byte("eyJ")):
		return "this looks like a JWS or JWE (a SMART Health Card?), not FHIR JSON"
	}
	line, _, _ := bytes.Cut(h, []byte("\n"))
	return fmt.Sprintf("not JSON: a FHIR file starts with '{', this one with %q", truncateBytes(line, 24))
}

func truncateBytes(b []byte, n int) string {
	s := strings.ToValidUTF8(string(b), "?")
	if len(s) > n {
		return s[:n] + "…"
	}
	return s
}

// isNDJSON reports whether head starts with a complete one-line JSON value
// followed by another line: a bulk-data file rather than one document.
func isNDJSON(head []byte) bool {
	nl := bytes.IndexByte(head, '\n')
	if nl < 0 {
		return false
	}
	first := bytes.TrimSpace(head[:nl])
	if !json.Valid(first) {
		return false
	}
	return len(bytes.TrimSpace(head[nl:])) > 0
}

// ndjson reads one resource per line.
func (rd *reader) ndjson(br *bufio.Reader) error {
	var acc []byte
	for lineNo := 1; ; lineNo++ {
		line, err := br.ReadSlice('\n')
		if err == bufio.ErrBufferFull {
			acc = append(acc[:0], line...)
			for err == bufio.ErrBufferFull {
				if len(acc) > maxResourceSize {
					return rd.tooLarge(fmt.Sprintf("line %d", lineNo))
				}
				line, err = br.ReadSlice('\n')
				acc = append(acc, line...)
			}
			line = acc
		}
		if err != nil && err != io.EOF {
			return rd.ioErr(err)
		}
		if t := bytes.TrimSpace(line); len(t) > 0 {
			where := fmt.Sprintf("line %d", lineNo)
			if len(t) > maxResourceSize || tooDeep(t, maxDepth) {
				return rd.tooLarge(where)
			}
			if !json.Valid(t) {
				var v any
				return rd.jsonErr(where, json.Unmarshal(t, &v))
			}
			res, problem := parseResource(t)
			if problem != "" {
				return rd.fail("%s: %s", where, problem)
			}
			res.Raw = bytes.Clone(t)
			if err := rd.deliver(res); err != nil {
				return err
			}
		}
		if err == io.EOF {
			return nil
		}
	}
}

// parseResource checks that raw is a JSON object with an R4 resourceType
// and reads its type and id. raw must be valid JSON. The returned Raw
// aliases raw.
func parseResource(raw []byte) (record.Resource, string) {
	if len(raw) == 0 || raw[0] != '{' {
		return record.Resource{}, "the resource is not a JSON object"
	}
	var head struct {
		ResourceType json.RawMessage `json:"resourceType"`
		ID           json.RawMessage `json:"id"`
	}
	if err := json.Unmarshal(raw, &head); err != nil {
		return record.Resource{}, "the resource is not valid JSON: " + err.Error()
	}
	if len(head.ResourceType) == 0 {
		return record.Resource{}, "the resource has no resourceType: not a FHIR resource"
	}
	var typ, id string
	if err := json.Unmarshal(head.ResourceType, &typ); err != nil {
		return record.Resource{}, "resourceType is not a string"
	}
	if p := typeProblem(typ); p != "" {
		return record.Resource{}, p
	}
	if len(head.ID) > 0 && string(head.ID) != "null" {
		if err := json.Unmarshal(head.ID, &id); err != nil {
			return record.Resource{}, "the resource id is not a string"
		}
	}
	return record.Resource{Type: typ, ID: id, Raw: raw}, ""
}

// tooDeep reports whether raw (valid JSON) nests deeper than max.
func tooDeep(raw []byte, max int) bool {
	depth, inStr, esc := 0, false, false
	for _, c := range raw {
		if inStr {
			switch {
			case esc:
				esc = false
			case c == '\\':
				esc = true
			case c == '"':
				inStr = false
			}
			continue
		}
		switch c {
		case '"':
			inStr = true
		case '{', '[':
			depth++
			if depth > max {
				return true
			}
		case '}', ']':
			depth--
		}
	}
	return false
}
