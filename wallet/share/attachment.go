package share

import (
	"bytes"
	"crypto/sha1"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"mime"
	"path/filepath"
	"strings"
	"unicode/utf8"
)

// Files kept by the wallet (a PDF, a photo, a C-CDA document's XML) travel
// in a share inside their DocumentReference, the way FHIR carries a file:
// content[i].attachment.data is the file in base64. The record's commitment
// is over the DocumentReference without data; what binds the file to it is
// the attachment's SHA-256 extension and size, which the commitment covers.
// So the sharer adds data to that one attachment ([SharedRecord.Attachment])
// and the receiver checks the data against the extension and size, then
// strips it before matching the record to its commitment
// ([ReceivedAttachment]).
//
// What a receiver refuses, naming the attachment: data whose decoded length
// is not the size, or whose SHA-256 is not the extension (swapped or cut).
// Data anywhere else (an attachment without the extension, another
// resource) is left in the record, whose commitment, made without it, then
// does not match. Either way the record is not covered by the patient's
// consent, so the share is not verified.

// AttachmentSHA256Extension is the URL of the Attachment extension that
// holds the hex SHA-256 of the file.
const AttachmentSHA256Extension = "urn:healthwallet:fhir:attachment-sha256"

// MaxAttachmentSize is the largest file a share carries: base64 twice (in
// the record, then in the JWE) makes it about 1.8 times larger at the
// relay, whose default limit on one file is 32 MiB (wallet/relay Limits).
const MaxAttachmentSize = 16 << 20

// ReceivedAttachment is a file received with a covered record: its data
// matched the size and SHA-256 the patient's commitment covers.
type ReceivedAttachment struct {
	// Record is the DocumentReference it came with, "DocumentReference/id".
	Record      string `json:"record"`
	Title       string `json:"title,omitempty"`
	ContentType string `json:"contentType,omitempty"`
	Size        int64  `json:"size"`
	SHA256      string `json:"sha256"`
	// Data is the file; not in JSON (a report's JSON stays small).
	Data []byte `json:"-"`
}

// fhirAttachment is the part of a FHIR Attachment this file reads.
type fhirAttachment struct {
	ContentType string `json:"contentType"`
	Title       string `json:"title"`
	Data        string `json:"data"`
	Hash        string `json:"hash"`
	Size        *int64 `json:"size"`
	Extension   []struct {
		URL         string `json:"url"`
		ValueString string `json:"valueString"`
	} `json:"extension"`
}

// sha256Extension returns the attachment's SHA-256 extension value.
func (a fhirAttachment) sha256Extension() (string, bool) {
	for _, e := range a.Extension {
		if e.URL == AttachmentSHA256Extension {
			return e.ValueString, true
		}
	}
	return "", false
}

// name is how a message names the attachment: its title, quoted, or its
// place.
func (a fhirAttachment) name(i int) string {
	if a.Title != "" {
		return fmt.Sprintf("attachment %q", printable([]byte(a.Title), 80))
	}
	return fmt.Sprintf("attachment %d", i)
}

// decodeObject reads a JSON object keeping numbers as written.
func decodeObject(raw []byte) (map[string]any, error) {
	d := json.NewDecoder(bytes.NewReader(raw))
	d.UseNumber()
	var m map[string]any
	if err := d.Decode(&m); err != nil {
		return nil, err
	}
	return m, nil
}

// contentAttachments returns a DocumentReference's content[i].attachment
// objects (nil entries where one is not an object).
func contentAttachments(m map[string]any) []map[string]any {
	content, _ := m["content"].([]any)
	out := make([]map[string]any, len(content))
	for i, c := range content {
		if cm, ok := c.(map[string]any); ok {
			out[i], _ = cm["attachment"].(map[string]any)
		}
	}
	return out
}

// receiveAttachments checks the files a received DocumentReference
// carries on its attachments that have the SHA-256 extension, and returns
// the resource without them (what its commitment is over) and the files. A
// resource that carries no such file is returned as it is: data anywhere
// else (on an attachment without the extension, on another resource) stays
// in the resource, so its commitment, made without it, does not match.
// problem is set, naming the attachment, when a file does not match what the
// record says of it, or is missing (a kept file always travels with its
// record); the resource is then returned as received.
func receiveAttachments(raw json.RawMessage) (stripped json.RawMessage, files []ReceivedAttachment, problem string) {
	if !bytes.Contains(raw, []byte(AttachmentSHA256Extension)) {
		return raw, nil, ""
	}
	m, err := decodeObject(raw)
	if err != nil {
		return raw, nil, "" // not an object: coverage says so
	}
	if rt, _ := m["resourceType"].(string); rt != "DocumentReference" {
		return raw, nil, ""
	}
	ref := resourceRef(raw)
	for i, am := range contentAttachments(m) {
		if am == nil {
			continue
		}
		var a fhirAttachment
		b, _ := json.Marshal(am) // decoded from JSON: it encodes
		if json.Unmarshal(b, &a) != nil {
			return raw, nil, fmt.Sprintf("attachment %d is malformed", i)
		}
		sum, ok := a.sha256Extension()
		if !ok {
			continue // not a kept file's: the commitment decides
		}
		if _, ok := am["data"]; !ok {
			return raw, nil, fmt.Sprintf("%s: its file was not received: the share carries each kept file with its record, so it was taken out", a.name(i))
		}
		data, err := checkAttachmentData(a)
		if err != nil {
			return raw, nil, fmt.Sprintf("%s: %v", a.name(i), err)
		}
		files = append(files, ReceivedAttachment{Record: ref, Title: a.Title, ContentType: a.ContentType,
			Size: int64(len(data)), SHA256: strings.ToLower(sum), Data: data})
		delete(am, "data")
	}
	if len(files) == 0 {
		return raw, nil, ""
	}
	out, err := json.Marshal(m)
	if err != nil {
		return raw, nil, fmt.Sprintf("the DocumentReference cannot be re-encoded: %v", err)
	}
	return out, files, ""
}

// checkAttachmentData decodes an attachment's data and checks it against
// its size and SHA-256 extension (and FHIR's SHA-1 hash when given).
func checkAttachmentData(a fhirAttachment) ([]byte, error) {
	want, ok := a.sha256Extension()
	if !ok {
		return nil, errors.New("its data has no SHA-256 extension to be checked against, so the patient's commitment does not cover it")
	}
	wantSum, err := hex.DecodeString(want)
	if err != nil || len(wantSum) != sha256.Size {
		return nil, errors.New("its SHA-256 extension is not 64 hex digits")
	}
	if a.Size == nil {
		return nil, errors.New("its data has no size to be checked against")
	}
	if base64.StdEncoding.DecodedLen(len(a.Data)) > MaxAttachmentSize+3 {
		return nil, fmt.Errorf("its data is over %d bytes", MaxAttachmentSize)
	}
	data, err := base64.StdEncoding.DecodeString(a.Data)
	if err != nil {
		return nil, errors.New("its data is not base64")
	}
	if int64(len(data)) != *a.Size {
		return nil, fmt.Errorf("its data is %d bytes, the record says %d: the file was cut or swapped", len(data), *a.Size)
	}
	if sum := sha256.Sum256(data); !bytes.Equal(sum[:], wantSum) {
		return nil, errors.New("its data's SHA-256 is not the one the record states: the file was swapped or altered")
	}
	if a.Hash != "" {
		sum := sha1.Sum(data)
		if base64.StdEncoding.EncodeToString(sum[:]) != a.Hash {
			return nil, errors.New("its data's SHA-1 is not the record's hash: the file was swapped or altered")
		}
	}
	return data, nil
}

// withAttachmentData writes resource (compact JSON) to out with the file
// that r reads added as the data of its attachment that has the SHA-256
// extension, base64 streamed from r so the file is never whole in memory
// beside its base64. It checks what r gives against the attachment's size
// and SHA-256, so a share never carries a file its receiver would refuse.
func withAttachmentData(out *bytes.Buffer, resource []byte, r io.Reader) error {
	m, err := decodeObject(resource)
	if err != nil {
		return fmt.Errorf("the record is not a JSON object: %w", err)
	}
	var (
		target fhirAttachment
		at     map[string]any
	)
	for _, am := range contentAttachments(m) {
		if am == nil {
			continue
		}
		b, _ := json.Marshal(am)
		var a fhirAttachment
		if json.Unmarshal(b, &a) != nil {
			continue
		}
		if _, ok := a.sha256Extension(); ok && a.Size != nil {
			target, at = a, am
			break
		}
	}
	if at == nil {
		return errors.New("the record has no attachment with a size and SHA-256 to send its file with")
	}
	if *target.Size < 0 || *target.Size > MaxAttachmentSize {
		return fmt.Errorf("its file is %d bytes; a share carries files up to %d MiB", *target.Size, MaxAttachmentSize>>20)
	}
	const mark = "\x00healthwallet attachment data\x00"
	at["data"] = mark
	b, err := json.Marshal(m)
	if err != nil {
		return err
	}
	quoted, _ := json.Marshal(mark)
	i := bytes.Index(b, quoted)
	if i < 0 {
		return errors.New("placing the file in its record failed")
	}
	out.Grow(len(b) + base64.StdEncoding.EncodedLen(int(*target.Size)))
	out.Write(b[:i+1]) // up to and with the opening quote
	sum256, sum1 := sha256.New(), sha1.New()
	enc := base64.NewEncoder(base64.StdEncoding, out)
	n, err := io.Copy(io.MultiWriter(enc, sum256, sum1), io.LimitReader(r, *target.Size+1))
	if err != nil {
		return fmt.Errorf("reading its file: %w", err)
	}
	if err := enc.Close(); err != nil {
		return err
	}
	if n != *target.Size {
		return fmt.Errorf("its file is %d bytes, the record says %d", n, *target.Size)
	}
	want, _ := target.sha256Extension()
	if !strings.EqualFold(hex.EncodeToString(sum256.Sum(nil)), want) ||
		(target.Hash != "" && base64.StdEncoding.EncodeToString(sum1.Sum(nil)) != target.Hash) {
		return errors.New("its file's hash is not the one the record states: the file changed since it was kept")
	}
	out.Write(b[i+len(quoted)-1:]) // the closing quote and the rest
	return nil
}

// FileName is a safe name to save the file under: its title reduced to one
// plain name (no directory, no path separators, no leading dot, no control
// characters, at most 100 bytes), or "document-<first 12 hex of its
// SHA-256>" when nothing of the title is left, with an extension from its
// content type when it has none.
func (a ReceivedAttachment) FileName() string {
	name := a.Title
	if i := strings.LastIndexAny(name, `/\`); i >= 0 {
		name = name[i+1:]
	}
	name = strings.Map(func(r rune) rune {
		switch {
		case r < 0x20, r == 0x7f, strings.ContainsRune(`<>:"|?*`, r), r == '\uFFFD':
			return '_'
		}
		return r
	}, name)
	name = strings.TrimLeft(strings.TrimSpace(name), ".")
	for len(name) > 100 {
		_, size := utf8.DecodeLastRuneInString(name)
		name = name[:len(name)-size]
	}
	name = strings.TrimSpace(name)
	if name == "" {
		name = "document-" + a.SHA256[:min(12, len(a.SHA256))]
	}
	if filepath.Ext(name) == "" {
		if exts, _ := mime.ExtensionsByType(a.ContentType); len(exts) > 0 {
			name += exts[0]
		}
	}
	return name
}

// SizeText is the file's size for people: 532 B, 14.2 kB, 10.5 MB.
func (a ReceivedAttachment) SizeText() string {
	switch n := a.Size; {
	case n < 1000:
		return fmt.Sprintf("%d B", n)
	case n < 1000*1000:
		return fmt.Sprintf("%.1f kB", float64(n)/1000)
	default:
		return fmt.Sprintf("%.1f MB", float64(n)/1e6)
	}
}
