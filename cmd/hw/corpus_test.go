package main

import (
	"bytes"
	"encoding/json"
	"errors"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"healthwallet/wallet"

	"healthwallet/wallet/testcorpus"
)

// hwRunner runs the hw command (this test binary under that name, on the
// PATH that TestMain set up) against one wallet directory.
type hwRunner struct {
	t     testing.TB
	path  string
	vault string
	env   []string
}

func newHWRunner(t testing.TB, vault string) *hwRunner {
	t.Helper()
	path, err := exec.LookPath("hw")
	if err != nil {
		t.Fatalf("hw is not on the PATH (TestMain puts it there): %v", err)
	}
	var env []string
	for _, kv := range os.Environ() {
		if !strings.HasPrefix(kv, "HW_") {
			env = append(env, kv)
		}
	}
	env = append(env, "HW_KDF=fast", "HW_PASSWORD=corpus password", "HW_VAULT="+vault)
	return &hwRunner{t: t, path: path, vault: vault, env: env}
}

func (h *hwRunner) command(args ...string) *exec.Cmd {
	cmd := exec.Command(h.path, args...)
	cmd.Env = h.env
	return cmd
}

// run runs hw and fails the test unless it exits 0; it returns stdout.
func (h *hwRunner) run(args ...string) []byte {
	h.t.Helper()
	cmd := h.command(args...)
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Run(); err != nil {
		h.t.Fatalf("hw %s: %v\n%s", strings.Join(args, " "), err, stderr.Bytes())
	}
	return stdout.Bytes()
}

func (h *hwRunner) records(args ...string) []listedRecord {
	h.t.Helper()
	recs, err := decodeRecordLines(h.run(append([]string{"records", "--json"}, args...)...))
	if err != nil {
		h.t.Fatal(err)
	}
	return recs
}

// countResources counts the FHIR resources in a file the way a reader of the
// spec would: a Bundle holds its entries that have a resource, any other
// resource is one.
func countResources(t *testing.T, path string) int {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var res struct {
		ResourceType string `json:"resourceType"`
		Entry        []struct {
			Resource json.RawMessage `json:"resource"`
		} `json:"entry"`
	}
	if err := json.Unmarshal(data, &res); err != nil {
		t.Fatalf("%s: %v", path, err)
	}
	if res.ResourceType != "Bundle" {
		return 1
	}
	n := 0
	for _, e := range res.Entry {
		if len(e.Resource) > 0 && string(e.Resource) != "null" {
			n++
		}
	}
	return n
}

// TestCorpus imports the Synthea patients and the HL7 FHIR R4 examples through
// hw, and checks that every resource is accounted for, that an export brings
// back the same records in another wallet, and that search finds by name.
func TestCorpus(t *testing.T) {
	if testing.Short() {
		t.Skip("imports the whole corpus: skipped with -short")
	}
	td := testcorpus.Dir(t, "")
	inputs := []string{filepath.Join(td, "synthea"), filepath.Join(td, "fhir-r4-examples")}
	want := 0
	for _, in := range inputs {
		err := filepath.WalkDir(in, func(path string, d fs.DirEntry, err error) error {
			if err != nil {
				return err
			}
			if !d.IsDir() && strings.HasSuffix(path, ".json") {
				want += countResources(t, path)
			}
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
	}

	tmp := t.TempDir()
	a := newHWRunner(t, filepath.Join(tmp, "a"))
	a.run("init", "--yes", "--name", "Corpus")
	report, err := decodeImportReport(a.run(append([]string{"import", "--json", "--into", "me"}, inputs...)...))
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range report.Rejected {
		t.Errorf("rejected %s: %s", r.File, r.Error)
	}
	got := *report.Imported + *report.Duplicates + *report.Versions
	if got != want {
		t.Errorf("imported %d + duplicates %d + versions %d = %d, want the %d resources in the inputs",
			*report.Imported, *report.Duplicates, *report.Versions, got, want)
	}
	t.Logf("%d resources in the inputs: %d imported, %d duplicates, %d versions", want, *report.Imported, *report.Duplicates, *report.Versions)
	byType := 0
	for _, n := range report.ByType {
		byType += n
	}
	if byType != *report.Imported+*report.Versions {
		t.Errorf("byType adds up to %d, want imported+versions = %d", byType, *report.Imported+*report.Versions)
	}
	recsA := a.records()
	if len(recsA) != *report.Imported {
		t.Errorf("records lists %d records, the import reported %d new", len(recsA), *report.Imported)
	}

	// Export, import into a fresh wallet: the same records.
	export := filepath.Join(tmp, "export.json")
	a.run("export", "--out", export)
	b := newHWRunner(t, filepath.Join(tmp, "b"))
	b.run("init", "--yes", "--name", "Tester")
	reportB, err := decodeImportReport(b.run("import", "--json", "--into", "me", export))
	if err != nil {
		t.Fatal(err)
	}
	if len(reportB.Rejected) != 0 || *reportB.Imported != len(recsA) {
		t.Errorf("re-import of the export: %d imported, %d rejected; want %d, 0", *reportB.Imported, len(reportB.Rejected), len(recsA))
	}
	recsB := b.records()
	if ka, kb := recordKeys(recsA), recordKeys(recsB); !slices.Equal(ka, kb) {
		t.Errorf("the re-imported export differs: %d records before, %d after; first difference: %s",
			len(ka), len(kb), firstDifference(ka, kb))
	}

	// Search by name: a condition in the Synthea patients, a medication in
	// the HL7 examples (the Synthea patients here have none).
	for _, c := range []struct{ text, typePrefix string }{
		{"COVID-19", "Condition"},
		{"amoxicillin", "Medication"},
		{"capecitabine", "Medication"},
	} {
		recs, err := decodeRecordLines(a.run("search", "--json", c.text))
		if err != nil {
			t.Fatal(err)
		}
		found := false
		for _, r := range recs {
			if strings.HasPrefix(r.ResourceType, c.typePrefix) && strings.Contains(strings.ToLower(r.Title), strings.ToLower(c.text)) {
				found = true
			}
		}
		if !found {
			t.Errorf("hw search %s: no %s titled with it among %d results", c.text, c.typePrefix, len(recs))
		}
	}
}

func firstDifference(a, b []string) string {
	for i := range min(len(a), len(b)) {
		if a[i] != b[i] {
			return a[i] + " ≠ " + b[i]
		}
	}
	if len(a) > len(b) {
		return "missing " + a[len(b)]
	}
	if len(b) > len(a) {
		return "extra " + b[len(a)]
	}
	return "none"
}

// TestWalletInUse: while another program has the wallet open, hw says so and
// exits 1 instead of waiting or failing obscurely.
func TestWalletInUse(t *testing.T) {
	vault := filepath.Join(t.TempDir(), "vault")
	h := newHWRunner(t, vault)
	h.run("init", "--yes", "--name", "Tester")
	w, err := wallet.Open(vault)
	if err != nil {
		t.Fatal(err)
	}
	defer w.Close()
	cmd := h.command("records")
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	err = cmd.Run()
	var ee *exec.ExitError
	if !errors.As(err, &ee) || ee.ExitCode() != 1 {
		t.Fatalf("hw records on a wallet open elsewhere: %v, want exit code 1\n%s", err, stderr.Bytes())
	}
	if got := stderr.String(); !strings.HasPrefix(got, "hw: ") || !strings.Contains(got, wallet.ErrInUse.Error()) || strings.Count(got, "\n") != 1 {
		t.Errorf("stderr = %q, want one line that says %q", got, wallet.ErrInUse)
	}
}
