package importer

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"healthwallet/wallet/record"

	"healthwallet/wallet/testcorpus"
)

func filesUnder(t testing.TB, root string, keep func(string) bool) []string {
	t.Helper()
	var out []string
	err := filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if !d.IsDir() && keep(p) {
			out = append(out, p)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return out
}

func readAll(t testing.TB, data []byte, name string) ([]record.Resource, error) {
	t.Helper()
	var got []record.Resource
	err := Read(context.Background(), bytes.NewReader(data), name, func(r record.Resource) error {
		got = append(got, r)
		return nil
	})
	return got, err
}

// expectedResources counts what a file holds by decoding it whole, the plain
// way, independently of the streaming reader.
func expectedResources(t *testing.T, data []byte) (want []json.RawMessage, fullURLs []string) {
	t.Helper()
	var top struct {
		ResourceType string `json:"resourceType"`
		Entry        []struct {
			FullURL  string          `json:"fullUrl"`
			Resource json.RawMessage `json:"resource"`
		} `json:"entry"`
	}
	if err := json.Unmarshal(data, &top); err != nil {
		t.Fatalf("corpus file is not JSON: %v", err)
	}
	if top.ResourceType != "Bundle" {
		return []json.RawMessage{bytes.TrimSpace(data)}, []string{""}
	}
	for _, e := range top.Entry {
		if len(e.Resource) > 0 && string(e.Resource) != "null" {
			want = append(want, e.Resource)
			fullURLs = append(fullURLs, e.FullURL)
		}
	}
	return want, fullURLs
}

func TestCorpora(t *testing.T) {
	for _, corpus := range []string{"synthea", "fhir-r4-examples"} {
		root := testcorpus.Dir(t, corpus)
		files := filesUnder(t, root, func(p string) bool { return strings.HasSuffix(p, ".json") })
		if len(files) == 0 {
			t.Fatalf("no files in %s", root)
		}
		for _, f := range files {
			rel, _ := filepath.Rel(root, f)
			t.Run(corpus+"/"+rel, func(t *testing.T) {
				data, err := os.ReadFile(f)
				if err != nil {
					t.Fatal(err)
				}
				want, urls := expectedResources(t, data)
				var got []record.Resource
				err = ReadFile(context.Background(), f, func(r record.Resource) error {
					got = append(got, r)
					return nil
				})
				if err != nil {
					t.Fatalf("ReadFile: %v", err)
				}
				if len(got) != len(want) {
					t.Fatalf("got %d resources, the file holds %d", len(got), len(want))
				}
				for i, r := range got {
					if !bytes.Equal(r.Raw, want[i]) {
						t.Errorf("resource %d: bytes differ from the file's", i)
					}
					if r.FullURL != urls[i] {
						t.Errorf("resource %d: fullUrl %q, want %q", i, r.FullURL, urls[i])
					}
					var head struct{ ResourceType, ID string }
					json.Unmarshal(r.Raw, &head)
					if r.Type != head.ResourceType || r.ID != head.ID {
						t.Errorf("resource %d: Type/ID %s/%s, want %s/%s", i, r.Type, r.ID, head.ResourceType, head.ID)
					}
				}
			})
		}
	}
}

func TestCCDARefused(t *testing.T) {
	root := testcorpus.Dir(t, "ccda")
	files := filesUnder(t, root, func(string) bool { return true })
	xml := 0
	for _, f := range files {
		rel, _ := filepath.Rel(root, f)
		t.Run(rel, func(t *testing.T) {
			err := ReadFile(context.Background(), f, func(record.Resource) error {
				t.Error("a resource was delivered from a non-FHIR file")
				return nil
			})
			var fe *FileError
			if !errors.As(err, &fe) || !errors.Is(err, ErrNotFHIR) {
				t.Fatalf("got %v, want a FileError wrapping ErrNotFHIR", err)
			}
			if fe.File != f {
				t.Errorf("FileError.File = %q, want %q", fe.File, f)
			}
			if strings.HasSuffix(f, ".xml") {
				xml++
				if !strings.Contains(err.Error(), "XML") {
					t.Errorf("error %q does not say the file is XML", err)
				}
			}
		})
	}
	if xml == 0 {
		t.Error("no XML files found in the C-CDA corpus")
	}
}

func TestReadShapes(t *testing.T) {
	patient := `{"resourceType":"Patient","id":"p1","name":[{"family":"Doe"}]}`
	obs := `{"resourceType":"Observation","id":"o1","status":"final","code":{"text":"x"}}`
	bundle := func(typ, entries string) string {
		return `{"resourceType":"Bundle","type":"` + typ + `","entry":[` + entries + `]}`
	}
	twoEntries := `{"fullUrl":"urn:uuid:1","resource":` + patient + `},{"fullUrl":"urn:uuid:2","resource":` + obs + `}`
	tests := []struct {
		name  string
		in    string
		types []string
		ids   []string
	}{
		{"single resource", patient, []string{"Patient"}, []string{"p1"}},
		{"single resource, pretty with BOM", "\ufeff\n  {\n \"resourceType\": \"Patient\",\n \"id\": \"p1\"\n}\n\n", []string{"Patient"}, []string{"p1"}},
		{"single resource, type last", `{"id":"p1","name":[{"family":"Doe"}],"resourceType":"Patient"}`, []string{"Patient"}, []string{"p1"}},
		{"list with entry before resourceType", `{"entry":[{"item":{"reference":"Patient/1"}}],"resourceType":"List","id":"l1"}`, []string{"List"}, []string{"l1"}},
		{"ndjson", patient + "\n" + obs + "\n", []string{"Patient", "Observation"}, []string{"p1", "o1"}},
		{"ndjson with blank lines and CRLF", patient + "\r\n\r\n" + obs + "\r\n\n", []string{"Patient", "Observation"}, []string{"p1", "o1"}},
		{"ndjson without final newline", patient + "\n" + obs, []string{"Patient", "Observation"}, []string{"p1", "o1"}},
		{"empty bundle", `{"resourceType":"Bundle","type":"collection"}`, nil, nil},
		{"bundle with empty entry", bundle("searchset", ""), nil, nil},
		{"entry before resourceType", `{"type":"collection","entry":[` + twoEntries + `],"resourceType":"Bundle"}`, []string{"Patient", "Observation"}, []string{"p1", "o1"}},
		{"batch with a DELETE and no resource", bundle("batch", `{"request":{"method":"DELETE","url":"Patient/9"}},{"resource":`+patient+`,"request":{"method":"PUT","url":"Patient/p1"}}`), []string{"Patient"}, []string{"p1"}},
		{"nested bundle delivered whole", bundle("batch-response", `{"resource":`+bundle("searchset", `{"resource":`+obs+`}`)+`}`), []string{"Bundle"}, []string{""}},
	}
	for _, typ := range []string{"collection", "batch", "transaction", "searchset", "document", "message", "history", "transaction-response", "batch-response"} {
		tests = append(tests, struct {
			name  string
			in    string
			types []string
			ids   []string
		}{"bundle " + typ, bundle(typ, twoEntries), []string{"Patient", "Observation"}, []string{"p1", "o1"}})
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, err := readAll(t, []byte(tc.in), "test.json")
			if err != nil {
				t.Fatal(err)
			}
			var types, ids []string
			for _, r := range got {
				types = append(types, r.Type)
				ids = append(ids, r.ID)
				if !json.Valid(r.Raw) {
					t.Errorf("%s: Raw is not valid JSON: %s", r.Type, r.Raw)
				}
			}
			if !slices.Equal(types, tc.types) || !slices.Equal(ids, tc.ids) {
				t.Errorf("got %v %v, want %v %v", types, ids, tc.types, tc.ids)
			}
		})
	}
}

func TestReadKeepsOriginalBytes(t *testing.T) {
	in := "{\"resourceType\" : \"Observation\",\n  \"valueQuantity\": {\"value\": 1.50, \"unit\": \"\\u00b5g\"}}"
	got, err := readAll(t, []byte(in), "x.json")
	if err != nil || len(got) != 1 {
		t.Fatal(got, err)
	}
	if string(got[0].Raw) != in {
		t.Errorf("Raw = %s, want the file's bytes", got[0].Raw)
	}
	b := `{"resourceType":"Bundle","type":"collection","entry":[{"fullUrl":"urn:uuid:a","resource":` + in + `}]}`
	got, err = readAll(t, []byte(b), "b.json")
	if err != nil || len(got) != 1 {
		t.Fatal(got, err)
	}
	if string(got[0].Raw) != in || got[0].FullURL != "urn:uuid:a" {
		t.Errorf("entry resource = %s (%q), want the file's bytes", got[0].Raw, got[0].FullURL)
	}
}

func TestReadRefuses(t *testing.T) {
	patient := `{"resourceType":"Patient","id":"p1"}`
	tests := []struct {
		name, in, reason string
		tooLarge         bool
	}{
		{"empty file", "", "empty", false},
		{"only whitespace", " \n\t\n", "empty", false},
		{"garbage", "hello world", "not JSON", false},
		{"binary", "\x00\x01\x02\xff", "not JSON", false},
		{"pdf", "%PDF-1.4 ...", "PDF", false},
		{"xml", `<?xml version="1.0"?><ClinicalDocument xmlns="urn:hl7-org:v3"/>`, "XML", false},
		{"fhir xml", `<Patient xmlns="http://hl7.org/fhir"><id value="x"/></Patient>`, "XML", false},
		{"json array", `[` + patient + `]`, "JSON array", false},
		{"no resourceType", `{"name":"x","entry":[]}`, "without a resourceType", false},
		{"health card file", `{"verifiableCredential":["eyJ..."]}`, "SMART Health Card", false},
		{"resourceType not a string", `{"resourceType":{"x":1}}`, "not a string", false},
		{"unknown type", `{"resourceType":"Dragon"}`, `"Dragon" is not a FHIR R4 resource type`, false},
		{"stu3 type", `{"resourceType":"ProcedureRequest","id":"x"}`, "older FHIR version", false},
		{"dstu2 type in bundle", `{"resourceType":"Bundle","type":"collection","entry":[{"resource":{"resourceType":"MedicationOrder"}}]}`, "DSTU2/STU3", false},
		{"r5 type", `{"resourceType":"SubscriptionTopic"}`, "R4B/R5", false},
		{"entry not an array", `{"resourceType":"Bundle","entry":{"resource":` + patient + `}}`, "Bundle.entry is not an array", false},
		{"entry before type, not an array", `{"entry":{"resource":` + patient + `},"resourceType":"Bundle"}`, "Bundle.entry is not an array", false},
		{"entry resource without type", `{"resourceType":"Bundle","entry":[{"fullUrl":"urn:uuid:9","resource":{"id":"x"}}]}`, `Bundle entry 1 ("urn:uuid:9"): the resource has no resourceType`, false},
		{"entry not an object", `{"resourceType":"Bundle","entry":[3]}`, "Bundle entry 1 is not a JSON object", false},
		{"entry resource not an object", `{"resourceType":"Bundle","entry":[{"resource":"Patient/1"}]}`, "not a JSON object", false},
		{"truncated resource", `{"resourceType":"Patient","id":"p1","name":[{"fam`, "truncated", false},
		{"truncated bundle", `{"resourceType":"Bundle","entry":[{"resource":` + patient + `},{"resource":{"resourceType":"Obs`, "truncated", false},
		{"bad json in bundle", `{"resourceType":"Bundle","entry":[{"resource":{"resourceType":"Patient",,}}]}`, "not valid JSON", false},
		{"trailing data", patient + `}`, "after the end", false},
		{"two documents", "{\n" + `"resourceType":"Patient"}` + "\n" + patient, "after the end", false},
		{"ndjson bad line", patient + "\n" + patient + "\n{\"resourceType\":\"Patient\",\n", "line 3", false},
		{"ndjson line without type", patient + "\n" + `{"id":"x"}` + "\n", "line 2: the resource has no resourceType", false},
		{"ndjson line with unknown type", patient + "\n" + `{"resourceType":"Nope"}` + "\n", `line 2: resourceType "Nope"`, false},
		{"deep nesting", `{"resourceType":"Patient","x":` + strings.Repeat("[", 5000) + strings.Repeat("]", 5000) + `}`, "nested deeper", true},
		{"deep nesting in entry", `{"resourceType":"Bundle","entry":[{"resource":{"resourceType":"Patient","x":` + strings.Repeat("[", 500) + strings.Repeat("]", 500) + `}}]}`, "nested deeper", true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, err := readAll(t, []byte(tc.in), "in.json")
			var fe *FileError
			if !errors.As(err, &fe) {
				t.Fatalf("got %v, want a *FileError", err)
			}
			if !strings.Contains(err.Error(), tc.reason) {
				t.Errorf("error %q does not say %q", err, tc.reason)
			}
			if !strings.HasPrefix(err.Error(), "in.json: ") {
				t.Errorf("error %q does not name the file", err)
			}
			if tc.tooLarge != errors.Is(err, ErrTooLarge) || tc.tooLarge == errors.Is(err, ErrNotFHIR) {
				t.Errorf("error %v: ErrTooLarge=%v ErrNotFHIR=%v", err, errors.Is(err, ErrTooLarge), errors.Is(err, ErrNotFHIR))
			}
		})
	}
}

func TestSizeGuard(t *testing.T) {
	defer func(old int) { maxResourceSize = old }(maxResourceSize)
	maxResourceSize = 4 << 10
	big := `{"resourceType":"Patient","text":{"div":"` + strings.Repeat("a", 8<<10) + `"}}`
	small := `{"resourceType":"Patient","id":"s"}`
	cases := map[string]string{
		"single":        big,
		"bundle entry":  `{"resourceType":"Bundle","entry":[{"resource":` + small + `},{"resource":` + big + `}]}`,
		"ndjson line":   small + "\n" + big + "\n",
		"bundle member": `{"resourceType":"Bundle","signature":{"data":"` + strings.Repeat("a", 4<<20) + `"}}`,
	}
	for name, in := range cases {
		t.Run(name, func(t *testing.T) {
			_, err := readAll(t, []byte(in), "big.json")
			if !errors.Is(err, ErrTooLarge) {
				t.Fatalf("got %v, want ErrTooLarge", err)
			}
			if !strings.Contains(err.Error(), "larger than") {
				t.Errorf("error %q does not say what is too large", err)
			}
		})
	}
	// A large Bundle of small entries is fine: the limit is per resource.
	var b strings.Builder
	b.WriteString(`{"resourceType":"Bundle","type":"collection","entry":[`)
	for i := range 2000 {
		if i > 0 {
			b.WriteByte(',')
		}
		fmt.Fprintf(&b, `{"resource":{"resourceType":"Patient","id":"p%d"}}`, i)
	}
	b.WriteString("]}")
	got, err := readAll(t, []byte(b.String()), "many.json")
	if err != nil || len(got) != 2000 {
		t.Fatalf("a %d-byte bundle of small entries: %d resources, %v", b.Len(), len(got), err)
	}
}

func TestReadStopsOnCallbackError(t *testing.T) {
	stop := errors.New("disk full")
	in := `{"resourceType":"Bundle","entry":[{"resource":{"resourceType":"Patient"}},{"resource":{"resourceType":"Patient"}}]}`
	calls := 0
	err := Read(context.Background(), strings.NewReader(in), "x", func(record.Resource) error {
		calls++
		return stop
	})
	if !errors.Is(err, stop) || calls != 1 {
		t.Errorf("got %v after %d calls, want the callback's error after 1", err, calls)
	}
	var fe *FileError
	if errors.As(err, &fe) {
		t.Error("the callback's error came back as a FileError")
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	err = Read(ctx, strings.NewReader(in), "x", func(record.Resource) error { return nil })
	if !errors.Is(err, context.Canceled) {
		t.Errorf("cancelled context: got %v", err)
	}
}

type failingReader struct{ n int }

func (f *failingReader) Read(p []byte) (int, error) {
	if f.n == 0 {
		f.n++
		return copy(p, `{"resourceType":"Bundle","entry":[`), nil
	}
	return 0, io.ErrClosedPipe
}

func TestReadIOError(t *testing.T) {
	err := Read(context.Background(), &failingReader{}, "pipe", func(record.Resource) error { return nil })
	if !errors.Is(err, io.ErrClosedPipe) {
		t.Errorf("got %v, want the reader's error", err)
	}
}

func TestProgress(t *testing.T) {
	in := `{"resourceType":"Patient","id":"p1"}`
	var last int64
	err := Read(context.Background(), WithProgress(strings.NewReader(in), func(n int64) { last = n }), "x",
		func(record.Resource) error { return nil })
	if err != nil || last != int64(len(in)) {
		t.Errorf("progress reported %d of %d bytes (err %v)", last, len(in), err)
	}
}

func TestRoundTrip(t *testing.T) {
	var files []string
	for _, c := range []string{"synthea", "fhir-r4-examples"} {
		root := testcorpus.Dir(t, c)
		files = append(files, filesUnder(t, root, func(p string) bool { return strings.HasSuffix(p, ".json") })...)
	}
	var first []record.Resource
	for _, f := range files {
		err := ReadFile(context.Background(), f, func(r record.Resource) error {
			first = append(first, r)
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
	}
	var out bytes.Buffer
	n, err := WriteBundle(&out, func(yield func(json.RawMessage) bool) {
		for _, r := range first {
			if !yield(r.Raw) {
				return
			}
		}
	})
	if err != nil || n != len(first) {
		t.Fatalf("WriteBundle: %d of %d, %v", n, len(first), err)
	}
	var head struct {
		ResourceType, Type, ID, Timestamp string
		Meta                              struct{ LastUpdated string }
	}
	if err := json.Unmarshal(out.Bytes(), &head); err != nil {
		t.Fatalf("the export is not JSON: %v", err)
	}
	if head.ResourceType != "Bundle" || head.Type != "collection" || head.ID == "" || head.Timestamp == "" || head.Meta.LastUpdated == "" {
		t.Errorf("bundle header %+v", head)
	}
	second, err := readAll(t, out.Bytes(), "export.json")
	if err != nil {
		t.Fatal(err)
	}
	if len(second) != len(first) {
		t.Fatalf("read back %d resources, wrote %d", len(second), len(first))
	}
	for i := range first {
		a, err1 := record.Canonical(first[i].Raw)
		b, err2 := record.Canonical(second[i].Raw)
		if err1 != nil || err2 != nil || !bytes.Equal(a, b) {
			t.Fatalf("resource %d (%s/%s) changed in the round trip", i, first[i].Type, first[i].ID)
		}
		if first[i].Type != second[i].Type || first[i].ID != second[i].ID {
			t.Errorf("resource %d: %s/%s came back as %s/%s", i, first[i].Type, first[i].ID, second[i].Type, second[i].ID)
		}
		switch {
		case uuidPattern.MatchString(first[i].ID):
			if second[i].FullURL != "urn:uuid:"+first[i].ID {
				t.Errorf("resource %d: fullUrl %q for UUID id %s", i, second[i].FullURL, first[i].ID)
			}
		case first[i].ID != "":
			if second[i].FullURL != first[i].Type+"/"+first[i].ID {
				t.Errorf("resource %d: fullUrl %q", i, second[i].FullURL)
			}
		default:
			if !strings.HasPrefix(second[i].FullURL, "urn:uuid:") {
				t.Errorf("resource %d: fullUrl %q", i, second[i].FullURL)
			}
		}
	}
}

func TestWriteBundleRefusesNonResources(t *testing.T) {
	for _, bad := range []string{`{"id":"x"}`, `not json`, `[1]`, `{"resourceType":"Nope"}`} {
		_, err := WriteBundle(io.Discard, func(yield func(json.RawMessage) bool) {
			yield(json.RawMessage(`{"resourceType":"Patient"}`))
			yield(json.RawMessage(bad))
		})
		if err == nil {
			t.Errorf("WriteBundle accepted %s", bad)
		}
	}
	var out bytes.Buffer
	n, err := WriteBundle(&out, func(func(json.RawMessage) bool) {})
	if err != nil || n != 0 || !json.Valid(out.Bytes()) {
		t.Errorf("empty export: %d, %v, %s", n, err, out.Bytes())
	}
}
