package app

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"
	"github.com/ethereum/go-ethereum/common"

	"healthwallet/chain/chaintest"
	"healthwallet/wallet"
	"healthwallet/wallet/qrcode"
	"healthwallet/wallet/record"
	"healthwallet/wallet/share"
)

// chartBundle is a patient's records as a clinic exports them: the
// Patient resource, and one or more of each kind a clinician reads, each on
// its own day so that the chart's order within a section is the dates'.
const chartBundle = `{"resourceType":"Bundle","type":"collection","entry":[
{"resource":{"resourceType":"Observation","id":"hba1c","status":"final",
 "category":[{"coding":[{"system":"http://terminology.hl7.org/CodeSystem/observation-category","code":"laboratory"}]}],
 "code":{"coding":[{"system":"http://loinc.org","code":"4548-4"}],"text":"Hemoglobin A1c"},"effectiveDateTime":"2024-03-12",
 "valueQuantity":{"value":7.2,"unit":"%"},"referenceRange":[{"low":{"value":4.0,"unit":"%"},"high":{"value":5.6,"unit":"%"}}]}},
{"resource":{"resourceType":"Observation","id":"k","status":"final",
 "category":[{"coding":[{"system":"http://terminology.hl7.org/CodeSystem/observation-category","code":"laboratory"}]}],
 "code":{"text":"Potassium"},"effectiveDateTime":"2024-02-01",
 "valueQuantity":{"value":4.1,"unit":"mmol/L"},"referenceRange":[{"low":{"value":3.5,"unit":"mmol/L"},"high":{"value":5.1,"unit":"mmol/L"}}]}},
{"resource":{"resourceType":"AllergyIntolerance","id":"latex","code":{"text":"Latex allergy"},"criticality":"low","recordedDate":"2020-01-05"}},
{"resource":{"resourceType":"Patient","id":"ada","name":[{"given":["Ada"],"family":"Lovelace"}],"gender":"female","birthDate":"1985-12-10",
 "identifier":[{"type":{"coding":[{"system":"http://terminology.hl7.org/CodeSystem/v2-0203","code":"MR"}]},"value":"004711"}]}},
{"resource":{"resourceType":"AllergyIntolerance","id":"pen","code":{"text":"Penicillin allergy"},"criticality":"high","recordedDate":"2015-04-20"}},
{"resource":{"resourceType":"Condition","id":"htn","clinicalStatus":{"coding":[{"code":"active"}]},"code":{"text":"Essential hypertension"},"onsetDateTime":"2019-06-01"}},
{"resource":{"resourceType":"Condition","id":"flu","clinicalStatus":{"coding":[{"code":"resolved"}]},"code":{"text":"Influenza"},"onsetDateTime":"2023-01-10"}},
{"resource":{"resourceType":"MedicationRequest","id":"lis","status":"active","intent":"order","medicationCodeableConcept":{"text":"Lisinopril 10 mg oral tablet"},
 "authoredOn":"2019-06-02","dosageInstruction":[{"text":"1 tablet daily"}]}},
{"resource":{"resourceType":"Immunization","id":"fluvax","status":"completed","vaccineCode":{"text":"Influenza, seasonal"},"occurrenceDateTime":"2023-10-05"}},
{"resource":{"resourceType":"Observation","id":"bp","status":"final",
 "category":[{"coding":[{"system":"http://terminology.hl7.org/CodeSystem/observation-category","code":"vital-signs"}]}],
 "code":{"text":"Body weight"},"effectiveDateTime":"2024-03-13","valueQuantity":{"value":61,"unit":"kg"}}},
{"resource":{"resourceType":"Procedure","id":"app","status":"completed","code":{"text":"Appendectomy"},"performedDateTime":"2001-07-04"}},
{"resource":{"resourceType":"Encounter","id":"enc","status":"finished","class":{"code":"AMB"},"type":[{"text":"General check-up"}],
 "period":{"start":"2024-03-12T09:00:00Z"}}}
]}`

// Issue 10, the in-app receiver, over a real wallet, a real chain (hw
// chain serve) and the patient's own direct share: the doctor scans a
// photo of the patient's QR code; the app names the patient — not an
// address —, says in one line that the share verified, folds the checks
// away, and shows the records in the chart's sections in MakeChart's
// order, searchable, each opening its detail. A photo without a QR code
// says so.
func TestReceivedChartInTheApp(t *testing.T) {
	served, patient, link := realShare(t)

	doctor := newHarness(t, NewBackend(t.TempDir(), wallet.Options{Chain: served.URL}), phoneSize, false)
	doctor.tap("Receive a share (for doctors)")

	blank := filepath.Join(t.TempDir(), "blank.png")
	if err := os.WriteFile(blank, onePixelPNG, 0o600); err != nil {
		t.Fatal(err)
	}
	doctor.files.open = blank
	doctor.tap(scanLabel)
	doctor.see("No QR code could be read from that image")

	// The patient's QR holds the viewer form of the link, which a phone's
	// camera opens in a browser; the app reads it too.
	parsed, err := share.ParseLink(link)
	if err != nil {
		t.Fatal(err)
	}
	viewerLink := parsed.WithViewer("https://relay.example/view")
	photo := filepath.Join(t.TempDir(), "qr.png")
	png, err := qrcode.PNG(viewerLink, 4)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(photo, png, 0o600); err != nil {
		t.Fatal(err)
	}
	doctor.files.open = photo
	doctor.tap(scanLabel)
	if got := doctor.entry("Paste a link or scan a QR code").Text; got != viewerLink {
		t.Fatalf("the link read from the photo: %q, want %q", got, viewerLink)
	}
	doctor.dontSee("No QR code could be read")

	// The patient first, by name; the address nowhere in sight.
	if got := doctor.heading(); got != "Ada Lovelace" {
		t.Errorf("the share is headed %q, want the patient's name", got)
	}
	doctor.see("Female · born 10 Dec 1985, 38 years · MRN 004711")
	doctor.dontSee(patient.Address())
	doctor.dontSee(shortAddress(patient.Address()))

	doctor.see(verifiedLine)
	if doctor.checksPanel().Items[0].Open {
		t.Error("the checks are unfolded for a share that verified")
	}
	doctor.see("Verification: all ")
	doctor.openChecks()
	doctor.see(sentence(share.CheckAnchored))
	doctor.dontSee(patient.Address())
	doctor.openTechnical()
	doctor.see("Patient's address: " + patient.Address()) // in the technical details only

	// The sections and the records in each, in MakeChart's order.
	var bundle struct {
		Entry []struct{ Resource json.RawMessage } `json:"entry"`
	}
	if err := json.Unmarshal([]byte(chartBundle), &bundle); err != nil {
		t.Fatal(err)
	}
	var raws []json.RawMessage
	for _, e := range bundle.Entry {
		raws = append(raws, e.Resource)
	}
	var want []string
	for _, s := range record.MakeChart(resourcesOf(raws)).Sections {
		want = append(want, fmt.Sprintf("%s (%d)", s.Title, len(s.Items)))
		for _, it := range s.Items {
			want = append(want, it.Summary.Title)
		}
	}
	if got := doctor.chartShown(); !slices.Equal(got, want) {
		t.Errorf("the chart shows\n%q\nwant MakeChart's\n%q", got, want)
	}
	doctor.see("High risk") // the penicillin allergy's badge
	// A result's row: its value and unit, its reference range, its flag.
	if got := doctor.rowText("Hemoglobin A1c"); !strings.Contains(got, "Value: 7.2%") || !strings.Contains(got, "4.0%–5.6%") ||
		!strings.Contains(got, "| H |") {
		t.Errorf("the HbA1c row reads %q, want its value and unit, range and flag H", got)
	}
	if got := doctor.rowText("Potassium"); !strings.Contains(got, "4.1 mmol/L") || strings.Contains(got, "| H |") || strings.Contains(got, "| L |") {
		t.Errorf("the potassium row reads %q, want its value and no flag", got)
	}

	// Search.
	doctor.typeIn(doctor.entry("Search these records"), "lisinopril")
	if got := doctor.chartShown(); len(got) != 2 || got[1] != "Lisinopril 10 mg oral tablet" {
		t.Errorf("searching lisinopril shows %q", got)
	}
	doctor.typeInto(doctor.entry("Search these records"), "no such thing")
	doctor.see("No record matches “no such thing”.")
	doctor.typeInto(doctor.entry("Search these records"), "")

	// A record's detail, and back to the share as it was.
	doctor.tapRow("Hemoglobin A1c")
	doctor.screen("received-record")
	doctor.see("Reference range: 4.0%–5.6%")
	doctor.see("H — above the reference range")
	doctor.see("Ada Lovelace")                      // whose record it is
	doctor.dontSee(`"resourceType": "Observation"`) // the JSON folded away
	doctor.openAccordion("Show the original (FHIR JSON)")
	doctor.see("Original FHIR JSON")
	doctor.see(`"resourceType": "Observation"`)
	doctor.tap("Back")
	doctor.screen("receive")
	doctor.see(verifiedLine)
	doctor.see("Essential hypertension")
}

// Issue 10: a share whose file someone altered (a record's dose changed,
// re-encrypted under the link's key) is not verified, names the failing
// check in its one line, opens the checks and shows no record; a share from
// another SHL issuer (its own manifest and key, no consent on chain) opens,
// marked not verifiable, its records shown.
func TestReceivedTamperedAndOtherIssuerInTheApp(t *testing.T) {
	served, _, raw := realShare(t)
	ctx := context.Background()
	link, err := share.ParseLink(raw)
	if err != nil {
		t.Fatal(err)
	}
	m, err := share.Fetch(ctx, link, share.FetchOptions{Recipient: "someone with the link"})
	if err != nil {
		t.Fatal(err)
	}
	altered := false
	var doc share.ManifestDocument
	for _, f := range m.Files {
		plain := f.Plaintext
		if f.ContentType == share.ContentTypeFHIR && strings.Contains(string(plain), "1 tablet daily") {
			plain = []byte(strings.Replace(string(plain), "1 tablet daily", "4 tablets daily", 1))
			altered = true
		}
		jwe, err := share.EncryptFile(plain, link.Key[:], f.ContentType)
		if err != nil {
			t.Fatal(err)
		}
		doc.Files = append(doc.Files, share.ManifestEntry{ContentType: f.ContentType, Embedded: jwe})
	}
	if !altered {
		t.Fatal("no file holds the medication's dosage")
	}
	tampered := link
	tampered.URL = serveManifest(t, doc) + "/m"

	// Another issuer: a plain FHIR bundle under a key of its own.
	other := otherIssuerLinkOf(t, chartBundle, "Discharge summary")

	h := newHarness(t, NewBackend(t.TempDir(), wallet.Options{Chain: served.URL}), desktopSize, false)
	h.tap("Receive a share (for doctors)")
	h.typeInto(h.entry("Paste a link or scan a QR code"), tampered.String())
	h.tap("Open")
	h.see("Changed since it was shared: do not rely on it")
	h.see("not received as committed: it was altered or removed")
	h.dontSee(verifiedLine)
	if !h.checksPanel().Items[0].Open {
		t.Error("the checks are folded away for a share that failed")
	}
	h.see("The records are not shown: the share failed verification")
	h.dontSee("Lisinopril")

	h.typeInto(h.entry("Paste a link or scan a QR code"), other)
	h.tap("Open")
	h.see("From another issuer — not verifiable")
	h.dontSee(verifiedLine)
	if got := h.heading(); got != "Ada Lovelace" {
		t.Errorf("another issuer's share is headed %q, want the Patient resource's name", got)
	}
	if !h.checksPanel().Items[0].Open {
		t.Error("the checks are folded away for a share that is not verifiable")
	}
	h.see("Lisinopril 10 mg oral tablet")
	h.see("Label “Discharge summary”")
}

// realShare is a patient's wallet on a real chain with chartBundle
// imported, shared directly (the wallet serves it): the chain, the wallet
// and the share's link.
func realShare(t *testing.T) (*chaintest.Served, *wallet.Wallet, string) {
	t.Helper()
	served := chaintest.StartServe(t)
	ctx, stop := context.WithCancel(context.Background())
	t.Cleanup(stop)
	mnemonic, err := wallet.NewMnemonic()
	if err != nil {
		t.Fatal(err)
	}
	opts := wallet.Options{KDFTime: 1, KDFMemoryKiB: 8 << 10, KDFThreads: 1, Chain: served.URL}
	patient, err := wallet.Create(t.TempDir(), mnemonic, []byte("correct horse battery"), "Ada Lovelace", opts)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { patient.Close() })
	served.Fund(common.HexToAddress(patient.Address()))
	file := filepath.Join(t.TempDir(), "chart.json")
	if err := os.WriteFile(file, []byte(chartBundle), 0o600); err != nil {
		t.Fatal(err)
	}
	if _, err := patient.Import(ctx, []string{file}, nil); err != nil {
		t.Fatal(err)
	}
	res, err := patient.ShareDirect(ctx, wallet.ShareRequest{All: true, TTL: time.Hour, Purpose: "TREAT"}, "127.0.0.1:0")
	if err != nil || res.Problem != "" {
		t.Fatalf("the patient's direct share: %+v, %v", res, err)
	}
	return served, patient, res.Link
}

// serveManifest serves doc to every request, as a link's server would, and
// returns its URL.
func serveManifest(t *testing.T, doc share.ManifestDocument) string {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		json.NewEncoder(w).Encode(doc)
	}))
	t.Cleanup(srv.Close)
	return srv.URL
}

// onePixelPNG is a white pixel: an image without a QR code.
var onePixelPNG = []byte{
	0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0x00, 0x00, 0x00, 0x0d, 0x49, 0x48, 0x44, 0x52,
	0x00, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00, 0x01, 0x08, 0x00, 0x00, 0x00, 0x00, 0x3a, 0x7e, 0x9b,
	0x55, 0x00, 0x00, 0x00, 0x0a, 0x49, 0x44, 0x41, 0x54, 0x78, 0x9c, 0x63, 0xf8, 0x0f, 0x00, 0x01,
	0x01, 0x01, 0x00, 0x18, 0xdd, 0x8d, 0xb0, 0x00, 0x00, 0x00, 0x00, 0x49, 0x45, 0x4e, 0x44, 0xae,
	0x42, 0x60, 0x82,
}

// heading is the text of the received share's heading: the patient.
func (h *harness) heading() string {
	for _, o := range h.objects() {
		if l, ok := o.(*widget.Label); ok && l.SizeName == theme.SizeNameHeadingText {
			return l.Text
		}
	}
	return ""
}

// chartShown is what the chart shows, in order: each section's heading,
// then the titles of its records.
func (h *harness) chartShown() []string {
	var out []string
	for _, o := range h.objects() {
		switch x := o.(type) {
		case *widget.Label:
			if x.TextStyle.Bold && x.Truncation == fyne.TextTruncateOff && sectionHeadingRE.MatchString(x.Text) &&
				!strings.HasPrefix(x.Text, "Records (") {
				out = append(out, x.Text)
			}
		case *tapRow:
			out = append(out, rowTitle(x))
		}
	}
	return out
}

// sectionHeadingRE matches a chart section's heading: its title and count.
var sectionHeadingRE = regexp.MustCompile(`^\S.* \(\d+\)$`)

// rowTitle is the title of a record's row.
func rowTitle(r *tapRow) string {
	var title string
	var walk func(o fyne.CanvasObject)
	walk = func(o fyne.CanvasObject) {
		switch x := o.(type) {
		case *widget.Label:
			if title == "" && x.Truncation == fyne.TextTruncateEllipsis {
				title = x.Text
			}
		case *fyne.Container:
			for _, c := range x.Objects {
				walk(c)
			}
		}
	}
	walk(r.content)
	return title
}

// rowText is every text of the record row titled title, in order, each
// between bars: "| Hemoglobin A1c | H | 12 Mar 2024 | … |".
func (h *harness) rowText(title string) string {
	h.t.Helper()
	for _, o := range h.objects() {
		r, ok := o.(*tapRow)
		if !ok || rowTitle(r) != title {
			continue
		}
		var texts []string
		var walk func(o fyne.CanvasObject)
		walk = func(o fyne.CanvasObject) {
			switch x := o.(type) {
			case *widget.Label:
				texts = append(texts, x.Text)
			case *fyne.Container:
				for _, c := range x.Objects {
					walk(c)
				}
			}
		}
		walk(r.content)
		return "| " + strings.Join(texts, " | ") + " |"
	}
	h.t.Fatalf("no record %q on screen %q", title, h.ui.screen)
	return ""
}

// openAccordion opens the accordion item titled title.
func (h *harness) openAccordion(title string) {
	h.t.Helper()
	for _, o := range h.objects() {
		if a, ok := o.(*widget.Accordion); ok {
			for i, it := range a.Items {
				if it.Title == title {
					a.Open(i)
					h.settle()
					return
				}
			}
		}
	}
	h.t.Fatalf("no %q to unfold on screen %q", title, h.ui.screen)
}

// tapRow taps the record row titled title.
func (h *harness) tapRow(title string) {
	h.t.Helper()
	for _, o := range h.objects() {
		if r, ok := o.(*tapRow); ok && rowTitle(r) == title {
			test.Tap(r)
			return
		}
	}
	h.t.Fatalf("no record %q on screen %q", title, h.ui.screen)
}
