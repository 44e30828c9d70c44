// Package testcorpus finds the interop corpora (../shared/testdata beside the
// repository: real FHIR, SMART Health Card and C-CDA files written by others)
// for tests, and counts FHIR resources in them independently of the importer.
// Tests skip with a clear message where the corpora are absent.
package testcorpus

import (
	"encoding/json"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"
)

// Dir returns ../shared/testdata/sub relative to the repository root (the
// directory holding go.mod), or skips the test when it is not there.
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
				t.Skipf("interop corpus %s is absent (expected ../shared/testdata beside the repository): skipping", corpus)
			}
			return corpus
		}
		if filepath.Dir(dir) == dir {
			t.Skip("no go.mod above the working directory: cannot locate ../shared/testdata")
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
