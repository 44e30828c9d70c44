package wallet

import (
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

// A folder's files the importer does not read are listed, each with why;
// hidden files are not.
func TestScanImportFolderListsWhatItPassesOver(t *testing.T) {
	dir := t.TempDir()
	for _, f := range []string{"labs.json", "letter.docx", "records.zip", "README", ".DS_Store", "sub/scan.JPG"} {
		p := filepath.Join(dir, f)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte("x"), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	files, skipped, err := ScanImportFolder(dir)
	if err != nil {
		t.Fatal(err)
	}
	if want := []string{filepath.Join(dir, "labs.json"), filepath.Join(dir, "sub", "scan.JPG")}; !slices.Equal(files, want) {
		t.Fatalf("files %q, want %q", files, want)
	}
	why := map[string]string{}
	for _, s := range skipped {
		why[filepath.Base(s.Path)] = s.Why
	}
	if len(why) != 3 || !strings.Contains(why["letter.docx"], "save it as a PDF") ||
		!strings.Contains(why["records.zip"], "unpack it first") || !strings.Contains(why["README"], "kind is unknown") {
		t.Fatalf("passed over: %q", why)
	}

	// Nothing to import: the error, and still the list of why.
	only := t.TempDir()
	if err := os.WriteFile(filepath.Join(only, "x.docx"), nil, 0o600); err != nil {
		t.Fatal(err)
	}
	_, skipped, err = ScanImportFolder(only)
	if err == nil || len(skipped) != 1 {
		t.Fatalf("a folder of a .docx only: %v, skipped %v", err, skipped)
	}
}
