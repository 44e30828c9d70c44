package app

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"image"
	"image/color"
	"io"
	"slices"
	"strings"
	"time"

	"healthwallet/wallet"
	"healthwallet/wallet/record"
	"healthwallet/wallet/share"
)

// The fake wallet's cards, documents and trust (issue 11): fixed content,
// so that what the screens render never changes from run to run. Tests
// that need them call withDocuments; the other screens keep their records.

// Record ids of the issue-11 test records.
const (
	docPDF    = "d1c0ffee11" // a PDF kept as a document
	docCCD    = "d2c0ffee12" // the DocumentReference keeping a C-CDA's XML
	ccdaCond  = "d3c0ffee13" // a Condition converted from that C-CDA
	cardImmun = "d4c0ffee14" // an Immunization from a card whose issuer is not trusted
	cardRevok = "d5c0ffee15" // an Immunization from a revoked card
	docPhoto  = "d6c0ffee16" // a photo kept as a document
)

const (
	exampleIss  = "https://spec.smarthealth.cards/examples/issuer"
	exampleName = "SMART Health Cards example issuer"
	checkedAt   = "2024-04-02T09:30:00Z"
)

// fakeDocs is the fake wallet's documents, cards and trust state.
type fakeDocs struct {
	json     map[string]string // record id → FHIR JSON
	files    map[string][]byte // record id → attachment bytes
	edits    []wallet.DocumentEdit
	texts    []string // text given to ImportText
	passcode string   // what a link with flag P wants
	dirs     []wallet.TrustedDirectory
	issuers  []wallet.TrustedIssuer
	removed  []string
}

func docRecord(id, typ, cat, title string, date time.Time, src *record.Source, details ...string) record.Record {
	return record.Record{ID: id, ResourceType: typ, ResourceID: id[:6], Version: 1,
		Imported: time.Date(2024, 4, 2, 9, 30, 0, 0, time.UTC),
		Summary:  record.Summary{Title: title, Category: cat, Date: date, Details: details, Status: "current"},
		Anchor:   record.AnchorState{State: record.AnchorAnchored, Block: 42, Time: anchoredAt}, Source: src}
}

func docJSON(id, contentType, title string, size int) string {
	return fmt.Sprintf(`{"resourceType":"DocumentReference","id":"doc-%s","status":"current",`+
		`"category":[{"text":"Lab report"}],"date":"2024-03-12","description":%q,`+
		`"content":[{"attachment":{"contentType":%q,"title":%q,"size":%d}}]}`, id, title, contentType, title, size)
}

// withDocuments gives the fake wallet a PDF, a photo, a C-CDA document and
// a record made from it, two card records, and a trusted directory.
func (w *fakeWallet) withDocuments() {
	checked, _ := time.Parse(time.RFC3339, checkedAt)
	w.records = append(w.records,
		docRecord(docPDF, "DocumentReference", "Lab report", "Blood tests, March 2024", day(2024, 3, 12),
			&record.Source{Kind: record.SourceDocument, File: "labs-2024-03-12.pdf", Attachment: "a1"}, "PDF, 182 KB"),
		docRecord(docPhoto, "DocumentReference", "Imaging", "Knee X-ray", day(2023, 9, 1),
			&record.Source{Kind: record.SourceDocument, File: "knee-xray.jpg", Attachment: "a3"}, "Image, 2.1 MB"),
		docRecord(docCCD, "DocumentReference", "Clinical document", "Continuity of Care Document", day(2024, 1, 20),
			&record.Source{Kind: record.SourceCCDA, File: "ccd.xml", Attachment: "a2"}),
		docRecord(ccdaCond, "Condition", "Conditions", "Essential hypertension", day(2019, 5, 3),
			&record.Source{Kind: record.SourceCCDA, File: "ccd.xml", Document: docCCD, Section: "Problems"},
			"Clinical status: active"),
		docRecord(cardImmun, "Immunization", "Immunizations", "COVID-19 vaccine, mRNA (Moderna)", day(2021, 1, 1),
			&record.Source{Kind: record.SourceCard, File: "vaccine.smart-health-card", Issuer: exampleIss,
				SignatureValid: true, CheckedAt: checked, CardID: "9f2c",
				Problem: "the issuer is not in a directory you trust"}, "Lot: 0000001"),
		docRecord(cardRevok, "Immunization", "Immunizations", "COVID-19 vaccine, mRNA (Pfizer)", day(2021, 2, 1),
			&record.Source{Kind: record.SourceCard, File: "revoked.smart-health-card", Issuer: exampleIss,
				IssuerName: exampleName, Trusted: true, Revoked: true, CheckedAt: checked, CardID: "7a1d",
				Problem: "the issuer revoked this card (rid 3B5mqA)"}),
	)
	w.docs.json = map[string]string{
		docPDF:   docJSON(docPDF, "application/pdf", "Blood tests, March 2024", 186_000),
		docPhoto: docJSON(docPhoto, "image/jpeg", "Knee X-ray", 2_200_000),
		docCCD:   docJSON(docCCD, "application/xml", "Continuity of Care Document", 48_000),
	}
	w.docs.files = map[string][]byte{
		docPDF:   []byte("%PDF-1.7\n% the fake's PDF\n%%EOF\n"),
		docPhoto: []byte("\xff\xd8\xff\xe0 the fake's JPEG"),
		docCCD:   []byte(`<ClinicalDocument xmlns="urn:hl7-org:v3"/>`),
	}
	added, _ := time.Parse(time.RFC3339, "2024-03-01T10:00:00Z")
	w.docs.dirs = []wallet.TrustedDirectory{
		{Source: "https://raw.githubusercontent.com/the-commons-project/vci-directory/main/vci-issuers.json",
			Issuers: 2, Added: added, Refreshed: checked},
		{Source: "/home/ada/Downloads/clinic-issuers.json", Issuers: 1, Added: added,
			Problem: "the file could not be read again: open /home/ada/Downloads/clinic-issuers.json: no such file or directory"},
	}
	w.docs.issuers = []wallet.TrustedIssuer{
		{Iss: "https://myvaccinerecord.cdph.ca.gov/creds", Name: "State of California", Directory: w.docs.dirs[0].Source, KeysAt: checked},
		{Iss: exampleIss, Name: exampleName, Directory: w.docs.dirs[0].Source, KeysAt: checked},
		{Iss: "https://cards.riverside-clinic.example", Name: "Riverside Clinic", Directory: w.docs.dirs[1].Source},
	}
}

// testImportMixed is an import of every kind of file, as the wallet
// reports it.
func testImportMixed() wallet.ImportReport {
	return wallet.ImportReport{
		Imported: 91, Duplicates: 2, Versions: 1,
		ByType: map[string]int{"Observation": 52, "Condition": 12, "MedicationStatement": 9, "Immunization": 6,
			"DocumentReference": 3, "AllergyIntolerance": 4, "Procedure": 5},
		Rejected: []wallet.RejectedFile{{File: "/home/ada/Downloads/notes.bin", Error: "not a file the wallet reads: not FHIR, a card, C-CDA, a PDF, an image or text"}},
		Files: []wallet.FileReport{
			{File: "/home/ada/Downloads/labs.pdf", Kind: wallet.FileDocument, Records: 1},
			{File: "/home/ada/Downloads/vaccine.smart-health-card", Kind: wallet.FileCard, Records: 2},
			{File: "/home/ada/Downloads/flu.smart-health-card", Kind: wallet.FileCard, Records: 1},
			{File: "/home/ada/Downloads/old-card.smart-health-card", Kind: wallet.FileCard, Duplicates: 1},
			{File: "/home/ada/Downloads/ccd.xml", Kind: wallet.FileCCDA, Records: 85, Duplicates: 1},
			{File: "/home/ada/Downloads/knee.jpg", Kind: wallet.FileDocument, Records: 1},
			{File: "/home/ada/Downloads/labs-2024.json", Kind: wallet.FileFHIR, Records: 1},
			{File: "/home/ada/Downloads/notes.bin", Kind: wallet.FileRejected, Problem: "not a file the wallet reads: not FHIR, a card, C-CDA, a PDF, an image or text"},
		},
		Cards: []wallet.CardReport{
			{File: "/home/ada/Downloads/vaccine.smart-health-card", Issuer: exampleIss, Name: exampleName,
				SignatureValid: true, Trusted: true, Verified: true, Records: 2},
			{File: "/home/ada/Downloads/flu.smart-health-card", Issuer: "https://cards.pharmacy.example/issuer",
				SignatureValid: true, Problem: "the issuer is not in a directory you trust", Records: 1},
			{File: "/home/ada/Downloads/old-card.smart-health-card", Issuer: exampleIss, Name: exampleName,
				Trusted: true, Revoked: true, Problem: "the issuer revoked this card (rid 3B5mqA)"},
		},
		Documents: []wallet.DocumentReport{
			{File: "/home/ada/Downloads/labs.pdf", Kind: "PDF", Records: 1, ByType: map[string]int{"DocumentReference": 1}},
			{File: "/home/ada/Downloads/ccd.xml", Kind: "Continuity of Care Document", Records: 85,
				ByType: map[string]int{"Observation": 52, "Condition": 12, "MedicationStatement": 9, "Immunization": 3,
					"AllergyIntolerance": 4, "Procedure": 4, "DocumentReference": 1},
				NotConverted: []wallet.NotConverted{
					{Section: "Functional Status", Reason: "no converter for this section yet; its text is kept in the document"},
					{Section: "Plan of Treatment", Reason: "2 entries without a code or text"},
					{Section: "Results", Reason: "1 result without a value"},
				}},
			{File: "/home/ada/Downloads/knee.jpg", Kind: "Image", Records: 1, ByType: map[string]int{"DocumentReference": 1}},
		},
	}
}

// testCardShc is a card as pasted: shc:/ numeric text (shortened; the
// fake only looks at the prefix).
const testCardShc = "shc:/567629095243206034602924374044603122295953265460346029254077280433602870286471674522280928613331456437653141590640220306450459085643550341424541364037063665417137241236380304375622046737407532323347"

// testLinkPasscode is a SMART Health Link with flag P.
var testLinkPasscode = share.Link{URL: "https://shl.example.org/m/abc", Key: [32]byte{1, 2, 3}, Flags: "P", Label: "Vaccines"}.String()

func (w *fakeWallet) ImportText(ctx context.Context, text, passcode string) (wallet.ImportReport, error) {
	if err := w.check(); err != nil {
		return wallet.ImportReport{}, err
	}
	w.docs.texts = append(w.docs.texts, text)
	switch {
	case strings.HasPrefix(text, "shc:/"):
		return wallet.ImportReport{Imported: 2, ByType: map[string]int{"Immunization": 2},
			Files: []wallet.FileReport{{File: "pasted card", Kind: wallet.FileCard, Records: 2}},
			Cards: []wallet.CardReport{{File: "pasted card", Issuer: exampleIss, Name: exampleName,
				SignatureValid: true, Trusted: true, Verified: true, Records: 2}}}, nil
	case strings.HasPrefix(text, "shlink:/"):
		if w.docs.passcode != "" && passcode != w.docs.passcode {
			return wallet.ImportReport{}, &share.PasscodeError{RemainingAttempts: 4}
		}
		return wallet.ImportReport{Imported: 1, ByType: map[string]int{"Immunization": 1},
			Files: []wallet.FileReport{{File: "link: Vaccines", Kind: wallet.FileCard, Records: 1}},
			Cards: []wallet.CardReport{{File: "link: Vaccines", Issuer: "https://cards.pharmacy.example/issuer",
				SignatureValid: true, Problem: "the issuer is not in a directory you trust", Records: 1}}}, nil
	}
	return wallet.ImportReport{}, errors.New("the text is not a card (shc:/…), a card's JWS or a SMART Health Link")
}

func (w *fakeWallet) TrustAdd(ctx context.Context, source string) (wallet.TrustedDirectory, error) {
	if !strings.HasPrefix(source, "https://") && !strings.HasSuffix(source, ".json") {
		return wallet.TrustedDirectory{}, fmt.Errorf("%q is neither an https URL nor a directory file", source)
	}
	d := wallet.TrustedDirectory{Source: source, Issuers: 1, Added: testNow, Refreshed: testNow}
	w.docs.dirs = append(w.docs.dirs, d)
	w.docs.issuers = append(w.docs.issuers, wallet.TrustedIssuer{Iss: "https://issuer.added.example", Name: "Added Issuer", Directory: source, KeysAt: testNow})
	return d, nil
}

func (w *fakeWallet) TrustList() ([]wallet.TrustedDirectory, []wallet.TrustedIssuer, error) {
	return slices.Clone(w.docs.dirs), slices.Clone(w.docs.issuers), nil
}

func (w *fakeWallet) TrustRemove(issOrSource string) error {
	n := len(w.docs.dirs) + len(w.docs.issuers)
	w.docs.dirs = slices.DeleteFunc(w.docs.dirs, func(d wallet.TrustedDirectory) bool { return d.Source == issOrSource })
	w.docs.issuers = slices.DeleteFunc(w.docs.issuers, func(i wallet.TrustedIssuer) bool {
		return i.Iss == issOrSource || i.Directory == issOrSource
	})
	if len(w.docs.dirs)+len(w.docs.issuers) == n {
		return fmt.Errorf("%s is not trusted", issOrSource)
	}
	w.docs.removed = append(w.docs.removed, issOrSource)
	return nil
}

func (w *fakeWallet) OpenAttachment(id string) (io.ReadCloser, wallet.AttachmentInfo, error) {
	data, ok := w.docs.files[id]
	if !ok {
		return nil, wallet.AttachmentInfo{}, wallet.ErrNotFound
	}
	return io.NopCloser(bytes.NewReader(data)), wallet.AttachmentInfo{Size: int64(len(data))}, nil
}

func (w *fakeWallet) EditDocument(id string, e wallet.DocumentEdit) error {
	i := slices.IndexFunc(w.records, func(r record.Record) bool { return r.ID == id })
	if i < 0 {
		return wallet.ErrNotFound
	}
	w.docs.edits = append(w.docs.edits, e)
	r := &w.records[i]
	r.Title, r.Date, r.Category = e.Title, e.Date, e.Category
	r.Version++
	return nil
}

// DocumentPreview draws a page for a PDF (a heading bar and lines of
// "text") and a grey gradient for a photo; an XML document has none.
func (w *fakeWallet) DocumentPreview(id string, maxW, maxH int) (image.Image, error) {
	pw, ph := 0, 0
	switch id {
	case docPDF:
		pw, ph = 595, 842 // A4 in points
	case docPhoto:
		pw, ph = 1200, 900
	default:
		return nil, errors.New("this kind of document has no preview")
	}
	scale := min(float64(maxW)/float64(pw), float64(maxH)/float64(ph))
	iw, ih := int(float64(pw)*scale), int(float64(ph)*scale)
	img := image.NewRGBA(image.Rect(0, 0, iw, ih))
	for y := range ih {
		for x := range iw {
			c := color.RGBA{255, 255, 255, 255}
			if id == docPhoto {
				v := uint8(40 + 180*x/iw)
				c = color.RGBA{v, v, v, 255}
			} else if y > ih/12 && y < ih/12+ih/30 && x > iw/10 && x < iw*6/10 {
				c = color.RGBA{30, 60, 120, 255}
			} else if y > ih/6 && y%(ih/30+1) < 3 && x > iw/10 && x < iw*9/10 {
				c = color.RGBA{150, 150, 150, 255}
			}
			img.Set(x, y, c)
		}
	}
	return img, nil
}

func (w *fakeWallet) DocumentSections(id string) ([]wallet.NarrativeSection, error) {
	if id != docCCD && id != ccdaCond {
		return nil, errors.New("this record was not made from a C-CDA document")
	}
	return []wallet.NarrativeSection{
		{Title: "Allergies and Intolerances", Text: "Penicillin — hives — high criticality — active since 2015"},
		{Title: "Problems", Text: "Essential hypertension — active — onset 3 May 2019\nType 2 diabetes mellitus — active — onset 15 Jun 2021"},
		{Title: "Medications", Text: "Lisinopril 10 mg oral tablet — once daily — active\nMetformin 500 mg oral tablet — twice daily with meals — active"},
		{Title: "Functional Status", Text: "Independent in all activities of daily living."},
	}, nil
}
