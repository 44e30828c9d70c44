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
// order. A folder with nothing to import is an error that says so. The
// files it passes over are in ScanImportFolder's answer.
func FilesToImport(path string) ([]string, error) {
	files, _, err := ScanImportFolder(path)
	return files, err
}

// SkippedFile is a file of a folder that the importer does not read, and
// why, in words for the person.
type SkippedFile struct {
	Path string `json:"path"`
	Why  string `json:"why"`
}

// ScanImportFolder is FilesToImport that also lists the files of a folder
// it passes over, each with why, so that nothing is dropped silently.
// Hidden files (.DS_Store) are left out of both.
func ScanImportFolder(path string) (files []string, skipped []SkippedFile, err error) {
	info, err := os.Stat(path)
	if err != nil {
		return nil, nil, fmt.Errorf("%s: %w", path, err)
	}
	if !info.IsDir() {
		return []string{path}, nil, nil
	}
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
		switch {
		case d.IsDir():
		case !d.Type().IsRegular():
			skipped = append(skipped, SkippedFile{p, "not a regular file (a link or a device)"})
		case slices.Contains(ImportExtensions, strings.ToLower(filepath.Ext(p))):
			files = append(files, p)
		default:
			skipped = append(skipped, SkippedFile{p, unsupportedWhy(filepath.Ext(p))})
		}
		return nil
	})
	if err != nil {
		return nil, nil, fmt.Errorf("reading the folder %s: %w", path, err)
	}
	if len(files) == 0 {
		return nil, skipped, fmt.Errorf("the folder %s holds no files to import (%s)", path, strings.Join(ImportExtensions, ", "))
	}
	return files, skipped, nil
}

// unsupportedWhy says why a file with the extension ext is not imported,
// and what to do instead where there is something.
func unsupportedWhy(ext string) string {
	switch strings.ToLower(ext) {
	case ".zip", ".gz", ".tgz", ".tar", ".7z", ".rar":
		return "an archive: unpack it first, then add the folder it makes"
	case ".doc", ".docx", ".odt", ".rtf", ".pages":
		return "a word processor document: save it as a PDF, then add the PDF"
	case ".xls", ".xlsx", ".ods", ".csv":
		return "a spreadsheet: the wallet reads health records, not tables; save it as a PDF to keep it"
	case ".dcm":
		return "a medical image (DICOM): the wallet does not read these yet"
	case ".gif", ".bmp", ".webp":
		return "an image kind the wallet does not read: save it as JPEG or PNG"
	case "":
		return "no file name ending, so its kind is unknown"
	}
	return "a kind of file (" + strings.ToLower(ext) + ") the wallet does not read"
}
