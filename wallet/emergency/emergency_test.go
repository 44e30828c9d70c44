package emergency

import (
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"healthwallet/wallet/testcorpus"
)

func TestBloodTypes(t *testing.T) {
	for in, want := range map[string]string{"a+": "A+", " O neg ": "O-", "AB positive": "AB+", "b-": "B-", "unknown": "", "": ""} {
		got, err := NormalizeBloodType(in)
		if err != nil || got != want {
			t.Errorf("NormalizeBloodType(%q) = %q, %v; want %q", in, got, err, want)
		}
	}
	for _, bad := range []string{"C+", "A", "O+-", "AB++", "type A"} {
		if _, err := NormalizeBloodType(bad); err == nil || !strings.Contains(err.Error(), "not one of") {
			t.Errorf("NormalizeBloodType(%q) accepted (%v)", bad, err)
		}
	}
}

func TestContacts(t *testing.T) {
	c, err := ParseContact(" Ana Diaz , daughter , +1 (555) 010-0100 ")
	if err != nil || c != (Contact{"Ana Diaz", "daughter", "+1 (555) 010-0100"}) {
		t.Fatalf("ParseContact: %+v, %v", c, err)
	}
	for in, want := range map[string]string{
		"Ana Diaz, daughter":              "Name, relation, phone",
		"Ana, daughter, 555, 0100":        "Name, relation, phone",
		", daughter, 5550100":             "needs a name",
		"Ana,, 5550100":                   "who they are to you",
		"Ana, daughter, ":                 "phone number is missing",
		"Ana, daughter, call me":          "holds",
		"Ana, daughter, 12":               "3 to 15",
		"Ana, daughter, 1234567890123456": "3 to 15",
		"Ana, daughter, 555+0100":         "holds",
	} {
		if _, err := ParseContact(in); err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("ParseContact(%q): %v, want an error saying %q", in, err, want)
		}
	}
	p, err := Profile{BloodType: "o neg", OrganDonor: " Yes ", Contacts: []Contact{{" Bo ", "son", "555 0101"}}}.Check()
	if err != nil || p.BloodType != "O-" || p.OrganDonor != "yes" || p.Contacts[0].Name != "Bo" {
		t.Fatalf("Check: %+v, %v", p, err)
	}
	if _, err := (Profile{OrganDonor: "maybe"}).Check(); err == nil {
		t.Fatal("organ donor 'maybe' accepted")
	}
	if _, err := (Profile{Notes: strings.Repeat("x", MaxNotesLength+1)}).Check(); err == nil {
		t.Fatal("over-long notes accepted")
	}
	many := make([]Contact, MaxContacts+1)
	for i := range many {
		many[i] = Contact{"A", "b", "5550100"}
	}
	if _, err := (Profile{Contacts: many}).Check(); err == nil {
		t.Fatal("too many contacts accepted")
	}
}

// synthea reads a real Synthea patient's Patient and the records that go
// on a card by default (the active ones).
func synthea(t *testing.T) (patient json.RawMessage, active []json.RawMessage, counts map[string]int) {
	dir := testcorpus.Dir(t, "synthea")
	raw, err := os.ReadFile(filepath.Join(dir, "Bibi254_Schowalter414_475d72ca-91c7-7211-97e3-f000af33fc04.json"))
	if err != nil {
		testcorpus.Missing(t, "the Synthea patient Bibi254_Schowalter414", "restore ../shared/testdata/synthea (see its README)")
	}
	var b struct {
		Entry []struct {
			Resource json.RawMessage `json:"resource"`
		} `json:"entry"`
	}
	if err := json.Unmarshal(raw, &b); err != nil {
		t.Fatal(err)
	}
	counts = map[string]int{}
	for _, e := range b.Entry {
		var h head
		json.Unmarshal(e.Resource, &h)
		if h.ResourceType == "Patient" {
			patient = e.Resource
			continue
		}
		if s, ok := SectionOf(h.ResourceType); ok && Active(e.Resource) {
			active = append(active, e.Resource)
			counts[s.Key]++
		}
	}
	if patient == nil {
		t.Fatal("no Patient in the Synthea bundle")
	}
	return patient, active, counts
}

// TestIPSStructure builds the IPS of a real Synthea patient and checks it
// as an IPS consumer would: a document Bundle whose first entry is a
// Composition (LOINC 60591-5) about the Patient in the Bundle; the required
// sections present (with a "no information" entry when empty); every
// section entry resolving to an entry of the Bundle by fullUrl; every
// fullUrl an absolute URI, unique; the blood type an Observation (LOINC
// 882-1) and the contacts on the Patient.
func TestIPSStructure(t *testing.T) {
	patient, records, counts := synthea(t)
	if counts["immunizations"] == 0 {
		t.Fatalf("the corpus patient has no immunization: %v", counts)
	}
	doc, err := Build(Input{
		Patient: patient, Records: records, Now: time.Date(2026, 12, 5, 8, 0, 0, 0, time.UTC),
		Profile: Profile{BloodType: "AB-", OrganDonor: "yes", Notes: "Asthma inhaler in bag",
			Contacts: []Contact{{"Ana Diaz", "mother", "+1 555 0100"}, {"Bo Diaz", "father", "555-0101"}}},
	})
	if err != nil {
		t.Fatal(err)
	}
	raw, err := doc.Bundle()
	if err != nil {
		t.Fatal(err)
	}
	var bundle struct {
		ResourceType string `json:"resourceType"`
		Type         string `json:"type"`
		Identifier   struct{ System, Value string }
		Timestamp    string `json:"timestamp"`
		Entry        []struct {
			FullURL  string          `json:"fullUrl"`
			Resource json.RawMessage `json:"resource"`
		} `json:"entry"`
	}
	if err := json.Unmarshal(raw, &bundle); err != nil {
		t.Fatal(err)
	}
	if bundle.ResourceType != "Bundle" || bundle.Type != "document" || !strings.HasPrefix(bundle.Identifier.Value, "urn:uuid:") || bundle.Timestamp != "2026-12-05T08:00:00Z" {
		t.Fatalf("not a document Bundle: %s %s %+v %s", bundle.ResourceType, bundle.Type, bundle.Identifier, bundle.Timestamp)
	}
	byURL := map[string]json.RawMessage{}
	for i, e := range bundle.Entry {
		if !strings.HasPrefix(e.FullURL, "urn:uuid:") || !uuidPattern.MatchString(strings.TrimPrefix(e.FullURL, "urn:uuid:")) {
			t.Fatalf("entry %d: fullUrl %q is not a urn:uuid", i, e.FullURL)
		}
		if byURL[e.FullURL] != nil {
			t.Fatalf("fullUrl %s twice", e.FullURL)
		}
		byURL[e.FullURL] = e.Resource
	}
	want := len(records) + 3 // Composition, Patient, records, blood type
	for _, k := range []string{"allergies", "medications", "problems"} {
		if counts[k] == 0 {
			want++ // its "no information" entry
		}
	}
	if len(bundle.Entry) != want {
		t.Fatalf("%d entries, want %d", len(bundle.Entry), want)
	}
	var comp struct {
		ResourceType string `json:"resourceType"`
		Type         struct {
			Coding []struct{ System, Code string }
		}
		Subject struct{ Reference string }
		Author  []struct{ Reference string }
		Section []struct {
			Title string
			Code  struct {
				Coding []struct{ System, Code string }
			}
			Text  struct{ Status, Div string }
			Entry []struct{ Reference string }
		}
	}
	json.Unmarshal(bundle.Entry[0].Resource, &comp)
	if comp.ResourceType != "Composition" || len(comp.Type.Coding) == 0 || comp.Type.Coding[0].Code != "60591-5" || comp.Type.Coding[0].System != "http://loinc.org" {
		t.Fatalf("the first entry is not an IPS Composition: %s", bundle.Entry[0].Resource)
	}
	var subj struct {
		ResourceType string
		Contact      []struct {
			Name         struct{ Text string }
			Relationship []struct{ Text string }
			Telecom      []struct{ System, Value string }
		}
	}
	json.Unmarshal(byURL[comp.Subject.Reference], &subj)
	if subj.ResourceType != "Patient" || len(comp.Author) == 0 || byURL[comp.Author[0].Reference] == nil {
		t.Fatalf("the subject %q (author %v) does not resolve to the Patient in the Bundle", comp.Subject.Reference, comp.Author)
	}
	if len(subj.Contact) != 2 || subj.Contact[0].Name.Text != "Ana Diaz" || subj.Contact[0].Relationship[0].Text != "mother" || subj.Contact[1].Telecom[0].Value != "555-0101" {
		t.Fatalf("the contacts on the Patient: %+v", subj.Contact)
	}
	sections := map[string]int{}
	referenced := map[string]bool{}
	for _, s := range comp.Section {
		if s.Text.Status != "generated" || !strings.HasPrefix(s.Text.Div, `<div xmlns="http://www.w3.org/1999/xhtml">`) {
			t.Fatalf("section %q has no narrative", s.Title)
		}
		code := ""
		if len(s.Code.Coding) > 0 {
			code = s.Code.Coding[0].Code
		}
		sections[code] = len(s.Entry)
		for _, e := range s.Entry {
			if byURL[e.Reference] == nil {
				t.Fatalf("section %q: entry %q does not resolve inside the Bundle", s.Title, e.Reference)
			}
			referenced[e.Reference] = true
		}
	}
	for code, want := range map[string]int{"48765-2": counts["allergies"], "10160-0": counts["medications"], "11450-4": counts["problems"], "11369-6": counts["immunizations"], "30954-2": 1} {
		got, ok := sections[code]
		if !ok {
			t.Errorf("section %s missing (sections: %v)", code, sections)
		}
		if want == 0 {
			want = 1 // the "no information" entry
		}
		if got != want {
			t.Errorf("section %s: %d entries, want %d", code, got, want)
		}
	}
	if _, ok := sections["42348-3"]; !ok {
		t.Error("the organ donor choice (advance directives) is missing")
	}
	for _, e := range bundle.Entry[2:] {
		if !referenced[e.FullURL] {
			t.Errorf("entry %s is in the Bundle but no section names it", e.FullURL)
		}
	}
	// The blood type.
	var bt struct {
		ResourceType string
		Code         struct {
			Coding []struct{ System, Code string }
		}
		Subject struct{ Reference string }
		Value   struct {
			Coding []struct{ System, Code string }
			Text   string
		} `json:"valueCodeableConcept"`
	}
	for _, e := range bundle.Entry {
		json.Unmarshal(e.Resource, &bt)
		if bt.ResourceType == "Observation" && len(bt.Code.Coding) > 0 && bt.Code.Coding[0].Code == "882-1" {
			break
		}
		bt.ResourceType = ""
	}
	if bt.ResourceType == "" || bt.Value.Text != "AB-" || bt.Value.Coding[0].Code != "278154007" || bt.Subject.Reference != comp.Subject.Reference {
		t.Fatalf("the blood type Observation: %+v", bt)
	}
	if doc.Face.Name != "Bibi254 Schowalter414" || doc.Face.BirthDate != "2009-04-29" || doc.Face.BloodType != "AB-" {
		t.Fatalf("the card's face: %+v", doc.Face)
	}
	// The patient's own records are carried byte for byte (their
	// commitments must still verify); only Made entries are new.
	for i, e := range doc.Entries {
		if !e.Made && string(e.Resource) != string(records[e.Record]) {
			t.Fatalf("entry %d: the record was altered", i)
		}
	}
}

// TestIPSEmpty: a patient with no record on the card still gets the three
// required sections, each with a "no information" entry, and no blood type
// entry when it is unknown.
func TestIPSEmpty(t *testing.T) {
	doc, err := Build(Input{Name: "Dee Lee", BirthDate: "1970-01-02"})
	if err != nil {
		t.Fatal(err)
	}
	codes := map[string]bool{}
	for _, e := range doc.Entries {
		for _, c := range []string{"no-allergy-info", "no-medication-info", "no-problem-info", "882-1"} {
			if strings.Contains(string(e.Resource), `"`+c+`"`) {
				codes[c] = true
			}
		}
	}
	if !codes["no-allergy-info"] || !codes["no-medication-info"] || !codes["no-problem-info"] || codes["882-1"] {
		t.Fatalf("entries of an empty card: %v", codes)
	}
	if doc.Face.BloodType != "unknown" || doc.Face.Name != "Dee Lee" {
		t.Fatalf("face %+v", doc.Face)
	}
	if _, err := Build(Input{Records: []json.RawMessage{json.RawMessage(`{"resourceType":"Claim","id":"x"}`)}}); err == nil {
		t.Fatal("a Claim went on the card")
	}
}

// zbar decodes every QR code in an image file with zbarimg, an independent
// decoder (zbar-tools), and returns their texts.
func zbar(t *testing.T, file string) []string {
	t.Helper()
	tool := testcorpus.Tool(t, "zbarimg", "apt-get install zbar-tools (make deps installs it)")
	out, err := exec.Command(tool, "--quiet", "--raw", "-Sdisable", "-Sqrcode.enable", file).Output()
	if err != nil {
		t.Fatalf("zbarimg %s found no QR code: %v", filepath.Base(file), err)
	}
	return strings.Split(strings.TrimRight(string(out), "\n"), "\n")
}

// printed is a card of realistic size: a relay link of the length Health
// Wallet makes (the link the QR must give back).
func printed() Printed {
	link := "shlink:/eyJ1cmwiOiJodHRwczovL3JlbGF5LmV4YW1wbGUub3JnL3NobC9hYmNkZWZnaGlqa2xtbm9wcXJzdHV2d3h5ei0wMTIzNDU2Nzg5QUJDREUiLCJrZXkiOiJyeGFYWUE0Q2xSOHk5eFBWZkRNcU9TMnlFUUdYZkdtbVVQSWhfQTlsSXNVIiwiZXhwIjoxODE2MDAwMDAwLCJsYWJlbCI6IkVtZXJnZW5jeSBjYXJkIiwidiI6MX0"
	return Printed{Link: link, Expires: time.Date(2027, 12, 5, 0, 0, 0, 0, time.UTC), Face: Face{
		Name: "Zoë Ångström-Núñez", BirthDate: "1950-02-03", BloodType: "O-",
		Allergies: []string{"Penicillin", "Peanuts", "Latex", "Bee venom"}, Medications: []string{"Warfarin 5 mg"},
		Problems: []string{"Atrial fibrillation"}, Contacts: []Contact{{"Ana Diaz", "daughter", "+1 555 0100"}},
		OrganDonor: "yes", Notes: "Pacemaker fitted 2019",
	}}
}

// TestCardPNGQRDecodes: the QR on the PNG card, read back by zbarimg,
// gives back the link; the card is ID-1 size at 300 dpi.
func TestCardPNGQRDecodes(t *testing.T) {
	p := printed()
	img, err := RenderPNG(p)
	if err != nil {
		t.Fatal(err)
	}
	file := filepath.Join(t.TempDir(), "card.png")
	os.WriteFile(file, img, 0o600)
	got := zbar(t, file)
	if len(got) != 1 || got[0] != p.Link {
		t.Fatalf("zbarimg read %q, want the link", got)
	}
	if _, err := RenderPNG(Printed{}); err == nil {
		t.Fatal("a card without a link was drawn")
	}
}

// TestCardPDFQRDecodes: the PDF's QR images, extracted with pdfimages, and
// the whole page rendered with pdftoppm (both poppler-utils), read back by
// zbarimg, give back the link; pdftotext finds the essentials.
func TestCardPDFQRDecodes(t *testing.T) {
	p := printed()
	for _, paper := range []string{PaperA4, PaperLetter} {
		doc, err := RenderPDF(p, paper)
		if err != nil {
			t.Fatal(err)
		}
		dir := t.TempDir()
		file := filepath.Join(dir, "card.pdf")
		os.WriteFile(file, doc, 0o600)
		pdfimages := testcorpus.Tool(t, "pdfimages", "apt-get install poppler-utils (make deps installs it)")
		if out, err := exec.Command(pdfimages, "-png", file, filepath.Join(dir, "img")).CombinedOutput(); err != nil {
			t.Fatalf("pdfimages: %v: %s", err, out)
		}
		images, _ := filepath.Glob(filepath.Join(dir, "img-*.png"))
		if len(images) == 0 {
			t.Fatal("pdfimages found no image in the PDF")
		}
		for _, img := range images {
			if got := zbar(t, img); len(got) != 1 || got[0] != p.Link {
				t.Fatalf("%s: the embedded QR reads %q", paper, got)
			}
		}
		pdftoppm := testcorpus.Tool(t, "pdftoppm", "apt-get install poppler-utils (make deps installs it)")
		if out, err := exec.Command(pdftoppm, "-png", "-r", "200", file, filepath.Join(dir, "page")).CombinedOutput(); err != nil {
			t.Fatalf("pdftoppm: %v: %s", err, out)
		}
		pages, _ := filepath.Glob(filepath.Join(dir, "page*.png"))
		if len(pages) != 1 {
			t.Fatalf("%d pages, want 1", len(pages))
		}
		got := zbar(t, pages[0])
		if len(got) != 2 || got[0] != p.Link || got[1] != p.Link { // the card's and the page's
			t.Fatalf("%s: the printed page's QR codes read %q", paper, got)
		}
		pdftotext := testcorpus.Tool(t, "pdftotext", "apt-get install poppler-utils (make deps installs it)")
		text, err := exec.Command(pdftotext, "-layout", file, "-").Output()
		if err != nil {
			t.Fatal(err)
		}
		for _, want := range []string{"Zoë Ångström-Núñez", "Blood type: O-", "Penicillin", "Warfarin 5 mg", "Ana Diaz", "+1 555 0100", HowToOpen} {
			if !strings.Contains(string(text), want) {
				t.Errorf("%s: the PDF does not say %q", paper, want)
			}
		}
	}
	if _, err := RenderPDF(printed(), "A3"); err == nil {
		t.Fatal("paper A3 accepted")
	}
}
