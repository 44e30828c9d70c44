// Package testcorpus finds what tests need from outside the module: the
// interop corpora (../shared/testdata beside the repository: real FHIR, SMART
// Health Card and C-CDA files written by others) and outside tools (node,
// npm, go). It also counts FHIR resources in a corpus file independently of
// the importer.
//
// # Missing prerequisites
//
// [Missing] is the one place that decides what happens when something a test
// needs is absent: under CI=true the test fails and says what to install, so
// a CI run never passes by skipping; run by hand it skips with the same
// message. The package imports only the standard library, so the tests of
// every layer (chain included) may use it.
package testcorpus

import (
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"testing"
)

// Missing reports that what the test needs is absent, with how to install
// it: under CI=true (as .ci/run sets it) the test fails, otherwise it skips.
// It does not return.
func Missing(t testing.TB, what, install string) {
	t.Helper()
	msg := what + " is missing: " + install
	if InCI() {
		t.Fatal(msg + " (CI=true: a missing prerequisite fails the test)")
	}
	t.Skip(msg + " (skipping; under CI=true this fails)")
}

// InCI reports whether the tests run under CI (CI=true), where nothing may
// be skipped for want of a tool or corpus.
func InCI() bool {
	ci, err := strconv.ParseBool(os.Getenv("CI"))
	return err == nil && ci
}

// Tool returns the path of an outside command on the PATH, or reports it
// [Missing] with how to install it.
func Tool(t testing.TB, name, install string) string {
	t.Helper()
	path, err := exec.LookPath(name)
	if err != nil {
		Missing(t, "the "+name+" command", install)
	}
	return path
}

// Dir returns ../shared/testdata/sub relative to the repository root (the
// directory holding go.mod), or reports it [Missing] when it is not there.
func Dir(t testing.TB, sub string) string {
	t.Helper()
	wd, err := os.Getwd()
	if err != nil {
		t.Fatal(err)
	}
	for dir := wd; ; dir = filepath.Dir(dir) {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			corpus := filepath.Join(dir, "..", "shared", "testdata", sub)
			if _, err := os.Stat(corpus); err != nil {
				Missing(t, "the interop corpus "+corpus, "clone the repository with the shared folder beside it (../shared/testdata, see its README)")
			}
			return corpus
		}
		if filepath.Dir(dir) == dir {
			Missing(t, "go.mod above the working directory", "run the tests from inside the repository, with ../shared/testdata beside it")
		}
	}
}

// Files lists the regular files under dir whose names end in one of exts
// (e.g. ".json"), sorted.
func Files(t testing.TB, dir string, exts ...string) []string {
	t.Helper()
	var files []string
	err := filepath.WalkDir(dir, func(path string, d os.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.Type().IsRegular() {
			for _, ext := range exts {
				if strings.HasSuffix(path, ext) {
					files = append(files, path)
					break
				}
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	sort.Strings(files)
	return files
}

// CountResources counts the FHIR resources in a JSON file the plain way: a
// Bundle counts its entries that carry a resource, anything else counts one.
// It is deliberately independent of the streaming importer.
func CountResources(t testing.TB, path string) int {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var doc struct {
		ResourceType string `json:"resourceType"`
		Entry        []struct {
			Resource json.RawMessage `json:"resource"`
		} `json:"entry"`
	}
	if err := json.Unmarshal(b, &doc); err != nil {
		t.Fatalf("%s: %v", path, err)
	}
	if doc.ResourceType != "Bundle" {
		return 1
	}
	n := 0
	for _, e := range doc.Entry {
		if len(e.Resource) > 0 && string(e.Resource) != "null" {
			n++
		}
	}
	return n
}
