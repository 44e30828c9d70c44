package main

import (
	"archive/tar"
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"

	"filippo.io/age"
	"github.com/rogpeppe/go-internal/testscript"
)

// TestMain makes this test binary also the hw command: testscript puts a copy
// named hw on the PATH of the scripts (and of the Go tests below), and runs
// hwMain when it is started under that name.
func TestMain(m *testing.M) {
	testscript.Main(m, map[string]func(){
		"hw":      func() { os.Exit(hwMain()) },
		"hw-test": func() { os.Exit(hwTestMain()) }, // hw with test hooks: receive_hooks_test.go
	})
}

// TestScripts runs the command-line scripts in testdata/script: the command
// line is an interface, tested as one.
func TestScripts(t *testing.T) {
	testscript.Run(t, testscript.Params{
		Dir:                 "testdata/script",
		RequireExplicitExec: true,
		ContinueOnError:     true,
		Cmds: map[string]func(*testscript.TestScript, bool, []string){
			"hwexit":       cmdHWExit,
			"json-import":  cmdJSONImport,
			"json-records": cmdJSONRecords,
			"json-detail":  cmdJSONDetail,
			"same-records": cmdSameRecords,
			"age-untar":    cmdAgeUntar,
		},
	})
}

// hwexit CODE [hw-test HOOKS...] ARGS... runs hw (or hw-test) and wants
// exactly that exit code; stdout and stderr are kept for the next commands,
// as with exec.
func cmdHWExit(ts *testscript.TestScript, neg bool, args []string) {
	if neg || len(args) < 1 {
		ts.Fatalf("usage: hwexit CODE [hw-test HOOKS...] ARGS...")
	}
	want, err := strconv.Atoi(args[0])
	if err != nil {
		ts.Fatalf("hwexit: bad code %q", args[0])
	}
	prog, args := "hw", args[1:]
	if len(args) > 0 && args[0] == "hw-test" {
		prog, args = "hw-test", args[1:]
	}
	err = ts.Exec(prog, args...)
	got := 0
	var ee *exec.ExitError
	switch {
	case errors.As(err, &ee):
		got = ee.ExitCode()
	case err != nil:
		ts.Fatalf("hwexit: %v", err)
	}
	if got != want {
		ts.Fatalf("hw exited with %d, want %d", got, want)
	}
}

// importReport is the exact shape of hw import --json.
type importReport struct {
	Imported   *int `json:"imported"`
	Duplicates *int `json:"duplicates"`
	Versions   *int `json:"versions"`
	Rejected   []struct {
		File  string `json:"file"`
		Error string `json:"error"`
	} `json:"rejected"`
	ByType map[string]int `json:"byType"`
	Files  []struct {
		File       string `json:"file"`
		Kind       string `json:"kind"`
		Records    int    `json:"records"`
		Duplicates int    `json:"duplicates"`
		Problem    string `json:"problem"`
	} `json:"files"`
	Cards []struct {
		File           string `json:"file"`
		Issuer         string `json:"issuer"`
		Name           string `json:"name"`
		SignatureValid bool   `json:"signatureValid"`
		Trusted        bool   `json:"trusted"`
		Verified       bool   `json:"verified"`
		Revoked        bool   `json:"revoked"`
		Problem        string `json:"problem"`
		Records        int    `json:"records"`
	} `json:"cards"`
	Documents []struct {
		File         string         `json:"file"`
		Kind         string         `json:"kind"`
		Records      int            `json:"records"`
		ByType       map[string]int `json:"byType"`
		NotConverted []struct {
			Section string `json:"section"`
			Reason  string `json:"reason"`
		} `json:"notConverted"`
	} `json:"documents"`
	OtherPeople []struct {
		ID        string `json:"id"`
		Name      string `json:"name"`
		BirthDate string `json:"birthDate"`
		Records   int    `json:"records"`
		New       bool   `json:"new"`
	} `json:"otherPeople"`
}

// decodeImportReport decodes hw import --json strictly: every key present,
// no other key, the lists arrays (never null).
func decodeImportReport(data []byte) (importReport, error) {
	var r importReport
	var keys map[string]json.RawMessage
	if err := json.Unmarshal(data, &keys); err != nil {
		return r, fmt.Errorf("import report is not a JSON object: %v\n%s", err, data)
	}
	for _, k := range []string{"imported", "duplicates", "versions", "rejected", "byType", "files", "cards", "documents", "otherPeople"} {
		if _, ok := keys[k]; !ok {
			return r, fmt.Errorf("import report has no %q: %s", k, data)
		}
	}
	if string(keys["rejected"]) == "null" || string(keys["byType"]) == "null" || string(keys["files"]) == "null" ||
		string(keys["cards"]) == "null" || string(keys["documents"]) == "null" || string(keys["otherPeople"]) == "null" {
		return r, fmt.Errorf("import report has null where a list or object belongs: %s", data)
	}
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&r); err != nil {
		return r, fmt.Errorf("import report: %v: %s", err, data)
	}
	return r, nil
}

// json-import FILE [imported=N] [duplicates=N] [versions=N] [rejected=N] [TYPE=N]...
// decodes an import report and checks the counts given.
func cmdJSONImport(ts *testscript.TestScript, neg bool, args []string) {
	if neg || len(args) < 1 {
		ts.Fatalf("usage: json-import FILE [key=N]...")
	}
	r, err := decodeImportReport([]byte(ts.ReadFile(args[0])))
	ts.Check(err)
	for _, kv := range args[1:] {
		k, v, _ := strings.Cut(kv, "=")
		want, err := strconv.Atoi(v)
		ts.Check(err)
		var got int
		switch k {
		case "imported":
			got = *r.Imported
		case "duplicates":
			got = *r.Duplicates
		case "versions":
			got = *r.Versions
		case "rejected":
			got = len(r.Rejected)
		default:
			got = r.ByType[k]
		}
		if got != want {
			ts.Fatalf("import report: %s = %d, want %d", k, got, want)
		}
	}
}

// listedRecord is what every line of records --json and search --json has.
type listedRecord struct {
	ID           string `json:"id"`
	ResourceType string `json:"resourceType"`
	ResourceID   string `json:"resourceId"`
	Title        string `json:"title"`
	Category     string `json:"category"`
	Date         string `json:"date"`
	Version      int    `json:"version"`
}

var recordIDPattern = regexp.MustCompile(`^[0-9a-f]{32}$`)

// decodeRecordLines decodes JSON lines of records and checks each has an id,
// a type, a title and, when present, an RFC 3339 date.
func decodeRecordLines(data []byte) ([]listedRecord, error) {
	var recs []listedRecord
	for i, line := range bytes.Split(bytes.TrimSpace(data), []byte("\n")) {
		if len(line) == 0 {
			continue
		}
		var keys map[string]json.RawMessage
		if err := json.Unmarshal(line, &keys); err != nil {
			return nil, fmt.Errorf("line %d is not a JSON object: %v: %s", i+1, err, line)
		}
		for _, k := range []string{"id", "resourceType", "title"} {
			if _, ok := keys[k]; !ok {
				return nil, fmt.Errorf("line %d has no %q: %s", i+1, k, line)
			}
		}
		var r listedRecord
		if err := json.Unmarshal(line, &r); err != nil {
			return nil, fmt.Errorf("line %d: %v", i+1, err)
		}
		if !recordIDPattern.MatchString(r.ID) || r.ResourceType == "" {
			return nil, fmt.Errorf("line %d: bad id or type: %s", i+1, line)
		}
		recs = append(recs, r)
	}
	return recs, nil
}

// json-records FILE N decodes N records, one JSON object per line.
func cmdJSONRecords(ts *testscript.TestScript, neg bool, args []string) {
	if neg || len(args) != 2 {
		ts.Fatalf("usage: json-records FILE N")
	}
	recs, err := decodeRecordLines([]byte(ts.ReadFile(args[0])))
	ts.Check(err)
	want, err := strconv.Atoi(args[1])
	ts.Check(err)
	if len(recs) != want {
		ts.Fatalf("%d records, want %d", len(recs), want)
	}
}

// json-detail FILE TYPE decodes show --json: the record, its original JSON
// as an object of that type, and at least one version.
func cmdJSONDetail(ts *testscript.TestScript, neg bool, args []string) {
	if neg || len(args) != 2 {
		ts.Fatalf("usage: json-detail FILE TYPE")
	}
	var d struct {
		listedRecord
		JSON     map[string]any `json:"json"`
		Versions []struct {
			Version  int    `json:"version"`
			Imported string `json:"imported"`
		} `json:"versions"`
	}
	ts.Check(json.Unmarshal([]byte(ts.ReadFile(args[0])), &d))
	if !recordIDPattern.MatchString(d.ID) || d.ResourceType != args[1] || d.Title == "" {
		ts.Fatalf("show --json: bad record fields: %+v", d.listedRecord)
	}
	if d.JSON["resourceType"] != args[1] {
		ts.Fatalf("show --json: the original JSON is not a %s: %v", args[1], d.JSON["resourceType"])
	}
	if len(d.Versions) == 0 || d.Versions[len(d.Versions)-1].Version != d.Version {
		ts.Fatalf("show --json: versions %+v do not end with the record's version %d", d.Versions, d.Version)
	}
}

// recordKeys is what must survive an export and a re-import, or a backup and
// a restore: each record's type, resource id, title, category and date.
func recordKeys(recs []listedRecord) []string {
	keys := make([]string, len(recs))
	for i, r := range recs {
		keys[i] = strings.Join([]string{r.ResourceType, r.ResourceID, r.Title, r.Category, r.Date}, "|")
	}
	slices.Sort(keys)
	return keys
}

// same-records [-ids] A B says that two records --json listings hold the same
// records; with -ids, under the same wallet ids too (a restored backup).
func cmdSameRecords(ts *testscript.TestScript, neg bool, args []string) {
	ids := len(args) > 0 && args[0] == "-ids"
	if ids {
		args = args[1:]
	}
	if len(args) != 2 {
		ts.Fatalf("usage: same-records [-ids] A B")
	}
	a, err := decodeRecordLines([]byte(ts.ReadFile(args[0])))
	ts.Check(err)
	b, err := decodeRecordLines([]byte(ts.ReadFile(args[1])))
	ts.Check(err)
	ka, kb := recordKeys(a), recordKeys(b)
	if ids {
		for i := range a {
			ka = append(ka, "id "+a[i].ID)
		}
		for i := range b {
			kb = append(kb, "id "+b[i].ID)
		}
		slices.Sort(ka)
		slices.Sort(kb)
	}
	same := len(a) > 0 && slices.Equal(ka, kb)
	if same == neg {
		ts.Fatalf("records of %s and %s: same=%v\n%s\n%s", args[0], args[1], same, strings.Join(ka, "\n"), strings.Join(kb, "\n"))
	}
}

// age-untar IDENTITY FILE DIR decrypts FILE with filippo.io/age, the library
// of the standard age tool, and unpacks the tar inside into DIR.
func cmdAgeUntar(ts *testscript.TestScript, neg bool, args []string) {
	if neg || len(args) != 3 {
		ts.Fatalf("usage: age-untar IDENTITY FILE DIR")
	}
	ids, err := age.ParseIdentities(strings.NewReader(ts.ReadFile(args[0])))
	ts.Check(err)
	f, err := os.Open(ts.MkAbs(args[1]))
	ts.Check(err)
	defer f.Close()
	r, err := age.Decrypt(f, ids...)
	ts.Check(err)
	dir := ts.MkAbs(args[2])
	ts.Check(os.MkdirAll(dir, 0o755))
	tr := tar.NewReader(r)
	for {
		h, err := tr.Next()
		if err == io.EOF {
			break
		}
		ts.Check(err)
		if h.Typeflag != tar.TypeReg || strings.Contains(h.Name, "..") {
			continue
		}
		data, err := io.ReadAll(tr)
		ts.Check(err)
		ts.Check(os.WriteFile(filepath.Join(dir, filepath.Base(h.Name)), data, 0o600))
	}
}
