package importer

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"

	"healthwallet/wallet/record"
)

var (
	errCeiling = errors.New("read ceiling reached")
	errDepth   = errors.New("nested too deep")
)

// source feeds the JSON decoder. It can keep a copy of what the decoder
// read (capture), so that a single resource's original bytes can be cut out
// by offset, and it refuses to read past a ceiling, so that one oversized
// value cannot fill memory: the decoder buffers a whole value before it
// hands it over.
type source struct {
	r         io.Reader
	n         int64 // bytes read so far
	ceiling   int64 // 0: none
	capturing bool
	capture   []byte
}

func (s *source) Read(p []byte) (int, error) {
	if s.ceiling > 0 {
		if s.n >= s.ceiling {
			return 0, errCeiling
		}
		if left := s.ceiling - s.n; int64(len(p)) > left {
			p = p[:left]
		}
	}
	n, err := s.r.Read(p)
	s.n += int64(n)
	if s.capturing {
		s.capture = append(s.capture, p[:n]...)
	}
	return n, err
}

// slack is how far beyond a value's limit the decoder may read ahead.
const slack = 1 << 20

// span is a byte range of the captured input.
type span struct{ start, end int64 }

// document reads one JSON object: a Bundle, whose entries are streamed, or
// a single resource, which is captured whole.
//
// The object is walked token by token. Until its resourceType is known,
// everything read is captured: if it is not a Bundle, the resource is the
// captured bytes; if an "entry" array comes before the resourceType, its
// span is remembered and, once "Bundle" is read, streamed from the capture.
// Such a Bundle must fit in MaxResourceSize, like any resource that has to be
// held whole; a Bundle with resourceType first (as everyone writes them) can
// be of any size.
func (rd *reader) document(r io.Reader) error {
	src := &source{r: r, capturing: true, ceiling: int64(maxResourceSize) + slack}
	dec := json.NewDecoder(src)
	if _, err := dec.Token(); err != nil { // '{', checked by the caller
		return rd.jsonErr("the document", err)
	}
	var (
		typ, id      string
		seenType     bool
		bundle       bool
		pending      []span // entry arrays seen before resourceType
		entryIndex   int
		sawSHCMarker bool
	)
	for dec.More() {
		if !src.capturing {
			// In a Bundle, bound each top-level member as one resource.
			src.ceiling = src.n + int64(maxResourceSize) + slack
		}
		kt, err := dec.Token()
		if err != nil {
			return rd.jsonErr("the document", err)
		}
		key, _ := kt.(string)
		switch key {
		case "resourceType":
			v, err := dec.Token()
			if err != nil {
				return rd.jsonErr("the document", err)
			}
			s, ok := v.(string)
			if !ok {
				return rd.fail("resourceType is not a string: not a FHIR resource")
			}
			if p := typeProblem(s); p != "" {
				return rd.fail("%s", p)
			}
			typ, seenType = s, true
			if s == "Bundle" {
				bundle = true
				for _, sp := range pending {
					raw := bytes.TrimLeft(src.capture[sp.start:sp.end], " \t\r\n:")
					sub := json.NewDecoder(bytes.NewReader(raw))
					if err := rd.entries(sub, nil, &entryIndex); err != nil {
						return err
					}
				}
				pending = nil
				src.capturing, src.capture, src.ceiling = false, nil, 0
			}
		case "entry":
			switch {
			case bundle:
				if err := rd.entries(dec, src, &entryIndex); err != nil {
					return err
				}
			case !seenType:
				start := dec.InputOffset()
				if err := skipValue(dec); err != nil {
					return rd.jsonErr("the document", err)
				}
				pending = append(pending, span{start, dec.InputOffset()})
			default:
				if err := skipValue(dec); err != nil {
					return rd.jsonErr("the document", err)
				}
			}
		case "id":
			v, err := dec.Token()
			if err != nil {
				return rd.jsonErr("the document", err)
			}
			switch v := v.(type) {
			case string:
				id = v
			case json.Delim:
				return rd.fail("the resource id is not a string")
			}
		default:
			if key == "verifiableCredential" {
				sawSHCMarker = true
			}
			if err := skipValue(dec); err != nil {
				return rd.jsonErr("the document", err)
			}
		}
	}
	if _, err := dec.Token(); err != nil { // '}'
		return rd.jsonErr("the document", err)
	}
	end := dec.InputOffset()
	if !seenType {
		if sawSHCMarker {
			return rd.fail("this is a SMART Health Card file (JSON without a resourceType), not a FHIR resource: import it as a health card")
		}
		return rd.fail("JSON without a resourceType: not a FHIR resource")
	}
	// Nothing but whitespace may follow the document.
	src.ceiling = src.n + slack
	if _, err := dec.Token(); err != io.EOF {
		if err != nil && !isSyntax(err) {
			return rd.jsonErr("the document", err)
		}
		return rd.fail("unexpected data after the end of the JSON document (byte %d): the file holds more than one JSON value", end)
	}
	if bundle {
		return nil
	}
	if end > int64(maxResourceSize) {
		return rd.tooLarge("the resource")
	}
	raw := bytes.Clone(src.capture[:end])
	src.capture = nil
	return rd.deliver(record.Resource{Type: typ, ID: id, Raw: raw})
}

func isSyntax(err error) bool {
	var syn *json.SyntaxError
	return errors.As(err, &syn)
}

// entries streams one Bundle.entry array from dec, delivering each entry's
// resource. When src is given, a ceiling bounds each entry.
func (rd *reader) entries(dec *json.Decoder, src *source, index *int) error {
	tok, err := dec.Token()
	if err != nil {
		return rd.jsonErr("Bundle.entry", err)
	}
	if d, ok := tok.(json.Delim); !ok || d != '[' {
		return rd.fail("Bundle.entry is not an array: not a valid FHIR Bundle")
	}
	for dec.More() {
		if err := rd.ctx.Err(); err != nil {
			return err
		}
		*index++
		where := fmt.Sprintf("Bundle entry %d", *index)
		if src != nil {
			src.ceiling = src.n + int64(maxResourceSize) + slack
		}
		var raw json.RawMessage
		err := dec.Decode(&raw)
		if err != nil {
			return rd.jsonErr(where, err)
		}
		if len(raw) > maxResourceSize+512 || tooDeep(raw, maxDepth+2) {
			return rd.tooLarge(where)
		}
		if err := rd.entry(where, raw); err != nil {
			return err
		}
	}
	if _, err := dec.Token(); err != nil { // ']'
		return rd.jsonErr("Bundle.entry", err)
	}
	return nil
}

func (rd *reader) entry(where string, raw []byte) error {
	if len(raw) == 0 || raw[0] != '{' {
		return rd.fail("%s is not a JSON object", where)
	}
	var e struct {
		FullURL  json.RawMessage `json:"fullUrl"`
		Resource json.RawMessage `json:"resource"`
	}
	if err := json.Unmarshal(raw, &e); err != nil {
		return rd.fail("%s: %v", where, err)
	}
	var fullURL string
	if len(e.FullURL) > 0 && string(e.FullURL) != "null" {
		if err := json.Unmarshal(e.FullURL, &fullURL); err != nil {
			return rd.fail("%s: fullUrl is not a string", where)
		}
		where += " (" + quote(fullURL) + ")"
	}
	if len(e.Resource) == 0 || string(e.Resource) == "null" {
		return nil // a request or response without a resource: nothing to keep
	}
	if len(e.Resource) > maxResourceSize {
		return rd.tooLarge(where)
	}
	res, problem := parseResource(e.Resource)
	if problem != "" {
		return rd.fail("%s: %s", where, problem)
	}
	res.FullURL = fullURL
	return rd.deliver(res)
}

// skipValue reads past one JSON value token by token, so that memory does
// not grow with the value, and refuses nesting beyond maxDepth.
func skipValue(dec *json.Decoder) error {
	depth := 0
	for {
		tok, err := dec.Token()
		if err != nil {
			if err == io.EOF {
				return io.ErrUnexpectedEOF
			}
			return err
		}
		if d, ok := tok.(json.Delim); ok {
			switch d {
			case '{', '[':
				depth++
				if depth > maxDepth {
					return errDepth
				}
			default:
				depth--
			}
		}
		if depth == 0 {
			return nil
		}
	}
}
