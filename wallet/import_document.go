package wallet

import (
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"time"
	"unicode"

	"healthwallet/wallet/record"
)

// importDocumentFile keeps a PDF, image or text file whole as a sealed
// attachment under a DocumentReference record, with a title, date and
// category suggested from the file's name and (for a PDF) its metadata.
func (w *Wallet) importDocumentFile(f *fileImport) error {
	ff := documentFormatOf(f.head)
	meta := suggestDocumentMeta(f.name, ff)
	if ff.name == "PDF" {
		if info, err := readPDFInfoFile(f.path); err == nil {
			meta.applyPDFInfo(info)
		}
	}
	if meta.Date.IsZero() {
		if st, err := os.Stat(f.path); err == nil {
			meta.Date = st.ModTime().UTC().Truncate(time.Second)
		}
	}
	rec, _, err := w.putDocument(f, f.in, meta, record.SourceDocument)
	if err != nil {
		return err
	}
	report := DocumentReport{File: f.name, Kind: ff.name, ByType: map[string]int{}, NotConverted: []NotConverted{}}
	if f.report.Duplicates == 0 {
		report.Records = 1
		report.ByType[rec.ResourceType] = 1
	}
	f.report.Documents = append(f.report.Documents, report)
	return nil
}

// documentFormat is what kind of file a kept document is.
type documentFormat struct {
	name        string // for DocumentReport.Kind: PDF, Image, Text
	contentType string
	typeText    string // the DocumentReference type's text when no better one is known
}

// documentFormatOf tells a document's format from its first bytes.
func documentFormatOf(head []byte) documentFormat {
	h := string(head)
	switch {
	case strings.HasPrefix(h, "%PDF-"):
		return documentFormat{"PDF", "application/pdf", "PDF document"}
	case strings.HasPrefix(h, "\x89PNG\r\n\x1a\n"):
		return documentFormat{"Image", "image/png", "Image"}
	case strings.HasPrefix(h, "\xff\xd8\xff"):
		return documentFormat{"Image", "image/jpeg", "Image"}
	case strings.HasPrefix(h, "II*\x00"), strings.HasPrefix(h, "MM\x00*"):
		return documentFormat{"Image", "image/tiff", "Image"}
	case isHEIF(head) && string(head[8:12]) == "avif":
		return documentFormat{"Image", "image/avif", "Image"}
	case isHEIF(head):
		return documentFormat{"Image", "image/heic", "Image"}
	}
	return documentFormat{"Text", "text/plain; charset=utf-8", "Text document"}
}

// documentCategories suggest a category from words in a file's name, first
// match wins. The LOINC document type goes with it where one fits.
var documentCategories = []struct {
	words    []string
	category string
	loinc    record.Code
}{
	{[]string{"discharge"}, "Discharge summary", loincDoc("18842-5", "Discharge summary")},
	{[]string{"referral"}, "Referral", loincDoc("57133-1", "Referral note")},
	{[]string{"lab", "labs", "laboratory", "blood", "results", "pathology"}, "Lab report", loincDoc("11502-2", "Laboratory report")},
	{[]string{"xray", "x-ray", "radiology", "mri", "ct", "ultrasound", "imaging", "mammogram"}, "Imaging", loincDoc("18748-4", "Diagnostic imaging study")},
	{[]string{"prescription", "rx"}, "Prescription", record.Code{}},
	{[]string{"insurance", "eob", "claim"}, "Insurance", record.Code{}},
	{[]string{"vaccination", "vaccine", "immunization", "immunisation"}, "Immunization", record.Code{}},
	{[]string{"letter"}, "Letter", record.Code{}},
}

func loincDoc(code, display string) record.Code {
	return record.Code{System: "http://loinc.org", Code: code, Display: display}
}

// fileNameDate finds a date written 2024-03-12, 2024_03_12, 2024.03.12 or
// 20240312 in a file's name.
var fileNameDate = regexp.MustCompile(`(?:^|[^0-9])((?:19|20)[0-9]{2})[-_.]?(0[1-9]|1[0-2])[-_.]?(0[1-9]|[12][0-9]|3[01])(?:[^0-9]|$)`)

// suggestDocumentMeta suggests a title, date and category from a file's name.
func suggestDocumentMeta(fileName string, ff documentFormat) documentMeta {
	meta := documentMeta{ContentType: ff.contentType, FileName: fileName, TypeCode: record.Code{Display: ff.typeText}}
	stem := strings.TrimSuffix(fileName, filepath.Ext(fileName))
	if m := fileNameDate.FindStringSubmatchIndex(stem); m != nil {
		s := stem[m[2]:m[3]] + "-" + stem[m[4]:m[5]] + "-" + stem[m[6]:m[7]]
		if d, err := time.Parse(time.DateOnly, s); err == nil {
			meta.Date = d
			stem = stem[:m[2]] + " " + stem[m[7]:]
		}
	}
	words := strings.FieldsFunc(stem, func(r rune) bool { return r == '_' || r == '-' || r == '.' || unicode.IsSpace(r) })
	meta.Title = capitalize(strings.Join(words, " "))
	if meta.Title == "" {
		meta.Title = fileName
	}
	lower := strings.ToLower(stem)
	tokens := strings.FieldsFunc(lower, func(r rune) bool { return !unicode.IsLetter(r) && r != '-' })
	has := func(word string) bool {
		for _, t := range tokens {
			if t == word || slices.Contains(strings.Split(t, "-"), word) {
				return true
			}
		}
		return false
	}
	for _, c := range documentCategories {
		for _, word := range c.words {
			if has(word) {
				meta.Category = c.category
				if c.loinc.Code != "" {
					meta.TypeCode = c.loinc
				}
				return meta
			}
		}
	}
	meta.Category = "Document"
	return meta
}

// capitalize upper-cases the first letter of s.
func capitalize(s string) string {
	for i, r := range s {
		return string(unicode.ToUpper(r)) + s[i+len(string(r)):]
	}
	return s
}

// applyPDFInfo takes a PDF's own title and creation date where the file's
// name gave none better.
func (m *documentMeta) applyPDFInfo(info pdfInfo) {
	if info.Title != "" {
		m.Title = info.Title
	}
	if m.Date.IsZero() && !info.Created.IsZero() {
		m.Date = info.Created.UTC()
	}
}
