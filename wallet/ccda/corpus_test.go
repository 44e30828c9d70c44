package ccda

import (
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/antchfx/xmlquery"

	"healthwallet/wallet/testcorpus"
)

// The corpus test reads every XML file of ../shared/testdata/ccda twice: once
// with Convert, once with another XML parser and XPath (antchfx/xmlquery),
// and checks that what the converter made — resources, plus what it reported
// as not converted — accounts for every entry the document holds. The
// expectations come from the XML alone, never from the converter.

// corpusDocuments are the corpus files that are C-CDA (or CCD) documents and
// must convert.
var corpusDocuments = []string{
	"blue-button/parser-ccd/SampleCCDDocument.xml",
	"blue-button/parser-ccda/CCDA_Functional_Status_v1.xml",
	"blue-button/parser-ccda/CCDA_NullFlavorSample_v1.xml",
	"blue-button/parser-ccda/CCDA_ReferencedValuesSample_v1.xml",
	"blue-button/parser-ccda/CCD_1.xml",
	"blue-button/parser-ccda/CCD_1_newsections.xml",
	"blue-button/parser-ccda/CCD_1_withNF.xml",
	"blue-button/sense/CCD.example.xml",
}

// corpusRefusals are the corpus files that are not C-CDA documents, with the
// error they must give and a word the reason must hold.
var corpusRefusals = map[string]struct {
	err  error
	says string
}{
	"blue-button/parser-c32/VA_CCD_Sample_File_Version_12_5_1.xml": {ErrNotCCDA, "C32"},
	"blue-button/sense/VA_CCD_Sample_File_Version_12_5_1.xml":      {ErrNotCCDA, "C32"},
	"blue-button/sense/c32_sample.xml":                             {ErrNotCCDA, "C32"},
	"blue-button/parser-ncpdp/newrx.xml":                           {ErrNotCCDA, "NCPDP"},
	"blue-button/sense/newrx.xml":                                  {ErrNotCCDA, "NCPDP"},
	"blue-button/sense/broken.xml":                                 {ErrMalformed, "broken XML"},
	"blue-button/sense/empty.xml":                                  {ErrNotCCDA, "<empty>"},
	"blue-button/sense/empty_no_declaration.xml":                   {ErrNotCCDA, "<empty>"},
	"blue-button/unit/telecom.xml":                                 {ErrNotCCDA, "<TelecomTestCases>"},
	// A section cut out of a document, without the document's header.
	"blue-button/file-snippets/generated/CCD_1_Encounters.xml": {ErrNotCCDA, "US Realm Header"},
}

// corpusFile is one XML file of the corpus, by its path under ccda/.
type corpusFile struct{ rel, path string }

func ccdaCorpus(t testing.TB) []corpusFile {
	t.Helper()
	dir := testcorpus.Dir(t, "ccda")
	var files []corpusFile
	for _, path := range testcorpus.Files(t, dir, ".xml") {
		rel, err := filepath.Rel(dir, path)
		if err != nil {
			t.Fatal(err)
		}
		files = append(files, corpusFile{filepath.ToSlash(rel), path})
	}
	return files
}

// TestCorpusEveryFile walks every XML file of the corpus: each C-CDA
// document converts, each other file is refused with the reason.
func TestCorpusEveryFile(t *testing.T) {
	files := ccdaCorpus(t)
	synthea := 0
	for _, f := range files {
		t.Run(f.rel, func(t *testing.T) {
			want, refused := corpusRefusals[f.rel]
			isDoc := strings.HasPrefix(f.rel, "synthea/") || slices.Contains(corpusDocuments, f.rel)
			if !refused && !isDoc {
				t.Fatalf("%s is new in the corpus: list it in corpusDocuments or corpusRefusals", f.rel)
			}
			d, err := convertFile(t, f.path)
			if refused {
				switch {
				case err == nil:
					t.Fatalf("converted into %d resources; want it refused (%v)", len(d.Resources), want.err)
				case !errors.Is(err, want.err):
					t.Fatalf("error %q does not wrap %v", err, want.err)
				case !strings.Contains(err.Error(), want.says):
					t.Fatalf("error %q does not say %q", err, want.says)
				}
				return
			}
			if err != nil {
				t.Fatalf("a C-CDA document of the corpus does not convert: %v", err)
			}
			if len(d.Resources) == 0 || d.Resources[0].Type != "Patient" {
				t.Errorf("the first resource is not the Patient (%d resources)", len(d.Resources))
			}
			if d.Kind == "" || d.Code == "" || d.Date.IsZero() {
				t.Errorf("kind %q, code %q, date %v: the header gives all three", d.Kind, d.Code, d.Date)
			}
		})
		if strings.HasPrefix(f.rel, "synthea/") {
			synthea++
		}
	}
	if synthea != 10 {
		t.Errorf("%d Synthea documents in the corpus, want 10", synthea)
	}
	for _, rel := range corpusDocuments {
		if !containsFile(files, rel) {
			t.Errorf("%s is missing from the corpus", rel)
		}
	}
	for rel := range corpusRefusals {
		if !containsFile(files, rel) {
			t.Errorf("%s is missing from the corpus", rel)
		}
	}
}

// TestCorpusEntriesAccounted checks, section by section, that every entry of
// every C-CDA document of the corpus became a resource or is reported as not
// converted. Entries are counted by XPath over the XML; the resource types
// expected of the C-CDA R2.1 entry templates are counted too.
func TestCorpusEntriesAccounted(t *testing.T) {
	for _, f := range ccdaCorpus(t) {
		if _, refused := corpusRefusals[f.rel]; refused {
			continue
		}
		t.Run(f.rel, func(t *testing.T) {
			sections := readSections(t, f.path)
			d, err := convertFile(t, f.path)
			if err != nil {
				t.Fatalf("does not convert: %v", err)
			}
			if len(d.Sections) != len(sections) {
				t.Fatalf("the converter kept %d sections, the XML has %d", len(d.Sections), len(sections))
			}
			// Sections are matched in document order; the converter's
			// title (its provenance) groups them.
			byTitle := map[string]*expectedSection{}
			var order []string
			for i, s := range sections {
				if got := d.Sections[i].Code; got != s.code {
					t.Fatalf("section %d: the converter read code %q, the XML says %q", i+1, got, s.code)
				}
				title := d.Sections[i].Title
				e, ok := byTitle[title]
				if !ok {
					e = &expectedSection{types: map[string]int{}}
					byTitle[title] = e
					order = append(order, title)
				}
				e.code = s.code
				e.entries += s.entries
				for typ, n := range s.types {
					e.types[typ] += n
				}
			}
			made := map[string]map[string]int{} // section title → resource type → count
			for _, res := range d.Resources {
				section := d.ResourceSection[res.Type+"/"+res.ID]
				if made[section] == nil {
					made[section] = map[string]int{}
				}
				made[section][res.Type] += accounts(t, res.Type, res.Raw)
			}
			skips := map[string]int{}
			whole := map[string]bool{} // sections not converted at all, their entries kept in the original
			for _, s := range d.NotConverted {
				if wholeSection.MatchString(s.Reason) {
					whole[s.Section] = true
				}
				skips[s.Section]++
			}
			for _, title := range order {
				e := byTitle[title]
				if whole[title] {
					if convertedSections[e.code] != "" {
						t.Errorf("section %q (LOINC %s, %s): not converted at all, its %d entries left in the original only",
							title, e.code, convertedSections[e.code], e.entries)
					}
					continue
				}
				total := skips[title]
				for _, n := range made[title] {
					total += n
				}
				if total < e.entries {
					t.Errorf("section %q (LOINC %s): %d entries in the XML; %d resources and skips account for them (made %v, skipped %d)",
						title, e.code, e.entries, total, made[title], skips[title])
				}
				for typ, want := range e.types {
					got := skips[title]
					for _, alt := range strings.Split(typ, "|") {
						got += made[title][alt]
					}
					if got < want {
						t.Errorf("section %q (LOINC %s): %d entries call for %s; %d made and %d skips reported (made %v)",
							title, e.code, want, typ, got-skips[title], skips[title], made[title])
					}
				}
			}
		})
	}
}

// convertedSections are the sections issue 11 asks to convert into
// resources (LOINC section code → what they hold); other sections may be
// reported whole as not converted.
var convertedSections = map[string]string{
	"48765-2": "allergies",
	"10160-0": "medications",
	"11450-4": "problems",
	"11369-6": "immunizations",
	"30954-2": "results",
	"8716-3":  "vital signs",
	"29762-2": "social history",
	"47519-4": "procedures",
	"46240-8": "encounters",
	"18776-5": "plan of care",
	"61146-7": "goals",
}

// expectedSection is what the XML of one section calls for.
type expectedSection struct {
	code    string
	entries int            // distinct clinical statements directly under its entries
	types   map[string]int // FHIR type ("A|B" for either) → statements of templates that map to it
}

// statementTemplates are the C-CDA R2.1 entry templates that map one
// statement to one resource (HL7 C-CDA on FHIR), with the XPath of those
// statements below a section. Statements are counted once per id.
var statementTemplates = []struct {
	xpath string
	typ   string
}{
	{"entry/act/entryRelationship/observation[templateId/@root='2.16.840.1.113883.10.20.22.4.7']", "AllergyIntolerance"},
	{"entry/act[templateId/@root='2.16.840.1.113883.10.20.22.4.3']/entryRelationship/observation[templateId/@root='2.16.840.1.113883.10.20.22.4.4']", "Condition"},
	{"entry/substanceAdministration[templateId/@root='2.16.840.1.113883.10.20.22.4.16']", "MedicationStatement|MedicationRequest"},
	{"entry/substanceAdministration[templateId/@root='2.16.840.1.113883.10.20.22.4.52']", "Immunization"},
	{"entry/organizer[templateId/@root='2.16.840.1.113883.10.20.22.4.1']", "DiagnosticReport"},
	{"entry/organizer[templateId/@root='2.16.840.1.113883.10.20.22.4.1']/component/observation[templateId/@root='2.16.840.1.113883.10.20.22.4.2']", "Observation"},
	{"entry/observation[templateId/@root='2.16.840.1.113883.10.20.22.4.78' or templateId/@root='2.16.840.1.113883.10.20.22.4.38']", "Observation"},
	// A procedure done (moodCode EVN) is a Procedure; one intended or
	// requested is a ServiceRequest.
	{"entry/*[" + procedureTemplates + " and @moodCode='EVN']", "Procedure"},
	{"entry/*[" + procedureTemplates + " and @moodCode!='EVN']", "ServiceRequest"},
	{"entry/encounter[templateId/@root='2.16.840.1.113883.10.20.22.4.49']", "Encounter"},
	{"entry/observation[templateId/@root='2.16.840.1.113883.10.20.22.4.121']", "Goal"},
}

// procedureTemplates are the Procedure Activity act, observation and
// procedure templates, as an XPath predicate.
const procedureTemplates = "(templateId/@root='2.16.840.1.113883.10.20.22.4.12' or templateId/@root='2.16.840.1.113883.10.20.22.4.13' or templateId/@root='2.16.840.1.113883.10.20.22.4.14')"

// Vital signs: one Observation per vital sign observation, except that a
// blood pressure may be one panel Observation for systolic and diastolic.
const (
	vitalsOrganizer = "entry/organizer[templateId/@root='2.16.840.1.113883.10.20.22.4.26']"
	vitalSign       = "component/observation[templateId/@root='2.16.840.1.113883.10.20.22.4.27']"
)

// readSections reads a document's sections, in document order, with
// xmlquery: per section, its code, its distinct entries and the resources
// its entry templates call for.
func readSections(t *testing.T, path string) []expectedSection {
	t.Helper()
	file, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer file.Close()
	doc, err := xmlquery.Parse(file)
	if err != nil {
		t.Fatalf("xmlquery cannot read it: %v", err)
	}
	var out []expectedSection
	for _, s := range xmlquery.Find(doc, "//section") {
		e := expectedSection{types: map[string]int{}}
		if code := xmlquery.FindOne(s, "code"); code != nil {
			e.code = code.SelectAttr("code")
		}
		e.entries = distinct(xmlquery.Find(s, "entry/*"))
		for _, st := range statementTemplates {
			e.types[st.typ] += distinct(xmlquery.Find(s, st.xpath))
		}
		vitals := 0
		for _, org := range xmlquery.Find(s, vitalsOrganizer) {
			vitals += distinct(xmlquery.Find(org, vitalSign))
			if xmlquery.FindOne(org, vitalSign+"/code[@code='8480-6']") != nil &&
				xmlquery.FindOne(org, vitalSign+"/code[@code='8462-4']") != nil {
				vitals-- // systolic and diastolic may be one panel
			}
		}
		e.types["Observation"] += vitals
		for typ, n := range e.types {
			if n == 0 {
				delete(e.types, typ)
			}
		}
		out = append(out, e)
	}
	return out
}

// distinct counts statements, those with the same id (root and extension)
// once: a document may repeat an entry, and its resource is the same.
func distinct(statements []*xmlquery.Node) int {
	seen := map[string]bool{}
	n := 0
	for _, st := range statements {
		if id := xmlquery.FindOne(st, "id[@root]"); id != nil {
			key := id.SelectAttr("root") + "^" + id.SelectAttr("extension")
			if seen[key] {
				continue
			}
			seen[key] = true
		}
		n++
	}
	return n
}

// accounts is how many entries one resource accounts for: one, or for a
// CarePlan the planned activities it lists.
func accounts(t *testing.T, typ string, raw []byte) int {
	var res struct {
		ResourceType string            `json:"resourceType"`
		ID           string            `json:"id"`
		Activity     []json.RawMessage `json:"activity"`
	}
	if err := json.Unmarshal(raw, &res); err != nil || res.ResourceType != typ || res.ID == "" {
		t.Errorf("%s resource is not valid JSON with its resourceType and id: %v %s", typ, err, raw)
		return 0
	}
	if typ == "CarePlan" && len(res.Activity) > 1 {
		return len(res.Activity)
	}
	return 1
}

// wholeSection matches the reason given when a whole section is not
// converted (its entries are kept in the original document only).
var wholeSection = regexp.MustCompile(`its \d+ entries`)

func convertFile(t testing.TB, path string) (*Document, error) {
	t.Helper()
	file, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer file.Close()
	return Convert(file)
}

func containsFile(files []corpusFile, rel string) bool {
	for _, f := range files {
		if f.rel == rel {
			return true
		}
	}
	return false
}
