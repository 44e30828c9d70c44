package importer

import (
	"bufio"
	"crypto/rand"
	"encoding/json"
	"fmt"
	"io"
	"iter"
	"regexp"
	"time"
)

// WriteBundle writes resources to w as one FHIR R4 Bundle of type
// "collection", with a fresh id, a timestamp and meta.lastUpdated, streaming:
// one resource at a time, never the whole Bundle in memory. Each resource's
// JSON goes into its entry unchanged. The entry's fullUrl is
// "urn:uuid:<id>" when the resource id is a UUID (as Synthea's are, so that
// their urn:uuid references still resolve), "Type/id" for any other id (so
// that relative references like Patient/example still point to it), and a
// fresh urn:uuid when there is no id. It returns the number of entries
// written. A resource that is not a JSON object with a resourceType stops the
// export with an error; what was written by then is not a valid Bundle.
func WriteBundle(w io.Writer, resources iter.Seq[json.RawMessage]) (int, error) {
	bw := bufio.NewWriterSize(w, 64<<10)
	now := time.Now().UTC().Format(time.RFC3339)
	fmt.Fprintf(bw, `{"resourceType":"Bundle","id":%q,"meta":{"lastUpdated":%q},"type":"collection","timestamp":%q,"entry":[`,
		newUUID(), now, now)
	n := 0
	var err error
	for raw := range resources {
		if !json.Valid(raw) {
			err = fmt.Errorf("export: resource %d is not valid JSON", n+1)
			break
		}
		res, problem := parseResource(trimSpace(raw))
		if problem != "" {
			err = fmt.Errorf("export: resource %d: %s", n+1, problem)
			break
		}
		fullURL := "urn:uuid:" + newUUID()
		switch {
		case uuidPattern.MatchString(res.ID):
			fullURL = "urn:uuid:" + res.ID
		case res.ID != "":
			fullURL = res.Type + "/" + res.ID
		}
		if n > 0 {
			bw.WriteByte(',')
		}
		u, _ := json.Marshal(fullURL)
		bw.WriteString("\n{\"fullUrl\":")
		bw.Write(u)
		bw.WriteString(`,"resource":`)
		bw.Write(res.Raw)
		bw.WriteByte('}')
		n++
	}
	if err != nil {
		bw.Flush()
		return n, err
	}
	bw.WriteString("\n]}\n")
	if err := bw.Flush(); err != nil {
		return n, fmt.Errorf("export: %w", err)
	}
	return n, nil
}

func trimSpace(b []byte) []byte {
	for len(b) > 0 && isSpace(b[0]) {
		b = b[1:]
	}
	for len(b) > 0 && isSpace(b[len(b)-1]) {
		b = b[:len(b)-1]
	}
	return b
}

var uuidPattern = regexp.MustCompile(`^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$`)

// newUUID returns a random (version 4) UUID.
func newUUID() string {
	var b [16]byte
	rand.Read(b[:])
	b[6] = b[6]&0x0f | 0x40
	b[8] = b[8]&0x3f | 0x80
	return fmt.Sprintf("%x-%x-%x-%x-%x", b[0:4], b[4:6], b[6:8], b[8:10], b[10:])
}
