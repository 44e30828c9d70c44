package wallet

import (
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"
)

// ImportExtensions are the file name endings the importer reads: FHIR R4
// JSON (a Bundle or one resource) and NDJSON bulk files, C-CDA XML, SMART
// Health Cards (files, and shc:/ text), and documents kept whole (PDF,
// images, plain text). The importer tells kinds apart by their bytes; the
// endings only choose what a file picker and a folder walk offer.
var ImportExtensions = []string{".json", ".ndjson", ".xml", ".smart-health-card", ".txt",
	".pdf", ".jpg", ".jpeg", ".png", ".heic", ".tif", ".tiff"}

// FilesToImport expands a path chosen by the person into the files to
// import: a file as it is; a folder walked, subfolders included, for files
// with an import extension, hidden files and folders left out, in name
// order. A folder with nothing to import is an error that says so.
func FilesToImport(path string) ([]string, error) {
	info, err := os.Stat(path)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	if !info.IsDir() {
		return []string{path}, nil
	}
	var files []string
	err = filepath.WalkDir(path, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if p != path && strings.HasPrefix(d.Name(), ".") {
			if d.IsDir() {
				return filepath.SkipDir
			}
			return nil
		}
		if d.Type().IsRegular() && slices.Contains(ImportExtensions, strings.ToLower(filepath.Ext(p))) {
			files = append(files, p)
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("reading the folder %s: %w", path, err)
	}
	if len(files) == 0 {
		return nil, fmt.Errorf("the folder %s holds no files to import (%s)", path, strings.Join(ImportExtensions, ", "))
	}
	return files, nil
}
