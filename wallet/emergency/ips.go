package emergency

import (
	"crypto/rand"
	"crypto/sha256"
	"encoding/json"
	"fmt"
	"html"
	"regexp"
	"slices"
	"strings"
	"time"

	"healthwallet/wallet/share"
)

// The International Patient Summary (HL7 IPS, FHIR R4): a document Bundle
// whose first entry is a Composition (LOINC 60591-5) with the IPS sections,
// then the Patient, then what the sections name. Everything here that is
// not one of the patient's records (the Composition, the Patient with the
// emergency contacts, the blood type, "no information" entries) is made
// fresh by Build and flagged Made, so the wallet anchors it before sharing
// it: every entry of the card verifies like a record.

// Section is one IPS section of the card.
type Section struct {
	Key      string
	Title    string
	LOINC    string
	Display  string
	Types    []string // the FHIR resource types it holds
	Required bool     // IPS requires it: when empty, a "no information" entry
}

// Sections are the card's sections, in order.
var Sections = []Section{
	{"allergies", "Allergies and intolerances", "48765-2", "Allergies and adverse reactions Document", []string{"AllergyIntolerance"}, true},
	{"medications", "Medication summary", "10160-0", "History of Medication use Narrative", []string{"MedicationStatement", "MedicationRequest"}, true},
	{"problems", "Problem list", "11450-4", "Problem list - Reported", []string{"Condition"}, true},
	{"immunizations", "Immunizations", "11369-6", "History of Immunization Narrative", []string{"Immunization"}, false},
	{"devices", "Medical devices", "46264-8", "History of medical device use", []string{"Device", "DeviceUseStatement"}, false},
}

// Extra sections the profile fills.
var (
	resultsSection    = Section{"results", "Results", "30954-2", "Relevant diagnostic tests/laboratory data Narrative", []string{"Observation"}, false}
	directivesSection = Section{"directives", "Advance directives", "42348-3", "Advance directives", nil, false}
)

// Codes of the document.
const (
	LOINCPatientSummary = "60591-5"
	LOINCBloodType      = "882-1"
	loincSystem         = "http://loinc.org"
	snomedSystem        = "http://snomed.info/sct"
	absentSystem        = "http://hl7.org/fhir/uv/ips/CodeSystem/absent-unknown-uv-ips"
)

// bloodTypeSNOMED are the SNOMED CT codes of the ABO/Rh groups.
var bloodTypeSNOMED = map[string][2]string{
	"A+":  {"278149003", "Blood group A Rh(D) positive"},
	"A-":  {"278152006", "Blood group A Rh(D) negative"},
	"B+":  {"278150003", "Blood group B Rh(D) positive"},
	"B-":  {"278153001", "Blood group B Rh(D) negative"},
	"AB+": {"278151004", "Blood group AB Rh(D) positive"},
	"AB-": {"278154007", "Blood group AB Rh(D) negative"},
	"O+":  {"278147001", "Blood group O Rh(D) positive"},
	"O-":  {"278148006", "Blood group O Rh(D) negative"},
}

// SectionOf is the card section of a resource type.
func SectionOf(resourceType string) (Section, bool) {
	for _, s := range Sections {
		if slices.Contains(s.Types, resourceType) {
			return s, true
		}
	}
	return Section{}, false
}

// Active reports whether a record is current and so on the card by default:
// clinicalStatus active (allergies; problems also recurrence, relapse),
// status active (medications, devices), completed (immunizations).
func Active(resource json.RawMessage) bool {
	var r struct {
		ResourceType   string `json:"resourceType"`
		Status         string `json:"status"`
		ClinicalStatus *struct {
			Coding []struct {
				Code string `json:"code"`
			} `json:"coding"`
		} `json:"clinicalStatus"`
	}
	if json.Unmarshal(resource, &r) != nil {
		return false
	}
	clinical := ""
	if r.ClinicalStatus != nil && len(r.ClinicalStatus.Coding) > 0 {
		clinical = r.ClinicalStatus.Coding[0].Code
	}
	switch r.ResourceType {
	case "AllergyIntolerance":
		return clinical == "" || clinical == "active"
	case "Condition":
		return clinical == "active" || clinical == "recurrence" || clinical == "relapse"
	case "MedicationRequest", "MedicationStatement":
		return r.Status == "active" || r.Status == "intended" || r.Status == "on-hold"
	case "Immunization":
		return r.Status == "completed"
	case "Device":
		return r.Status == "" || r.Status == "active"
	case "DeviceUseStatement":
		return r.Status == "active"
	}
	return false
}

// Input is what the IPS is made of.
type Input struct {
	// Patient is the patient's own FHIR Patient record, nil when the wallet
	// has none: then one is made from Name and BirthDate.
	Patient   json.RawMessage
	Name      string
	BirthDate string // YYYY-MM-DD, or empty
	// Records are the records on the card, each of a type of [Sections].
	Records []json.RawMessage
	Profile Profile
	Now     time.Time
}

// Entry is one entry of the document, in order.
type Entry struct {
	FullURL  string
	Resource json.RawMessage
	// Made: made by Build (anchor it); otherwise Record is the index of
	// the patient's record in Input.Records.
	Made   bool
	Record int
}

// Document is the IPS: its entries (the Composition first) and what the
// printed card shows.
type Document struct {
	Identifier string
	Timestamp  time.Time
	Entries    []Entry
	Face       Face
}

// Face is what the printed card shows.
type Face struct {
	Name, BirthDate, BloodType       string
	Allergies, Medications, Problems []string
	Contacts                         []Contact
	OrganDonor                       string
	Notes                            string
}

// Bundle is the document as a FHIR document Bundle, the form the share
// carries (share.BundleJSON).
func (d *Document) Bundle() ([]byte, error) {
	resources := make([][]byte, len(d.Entries))
	for i, e := range d.Entries {
		resources[i] = e.Resource
	}
	return share.BundleJSON(d.ShareDocument(), resources)
}

// ShareDocument is the document's head for share.ShareRequest.Document.
func (d *Document) ShareDocument() *share.DocumentBundle {
	urls := make([]string, len(d.Entries))
	for i, e := range d.Entries {
		urls[i] = e.FullURL
	}
	return &share.DocumentBundle{Identifier: d.Identifier, Timestamp: d.Timestamp, FullURLs: urls}
}

var uuidPattern = regexp.MustCompile(`^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$`)

func newUUID() (string, error) {
	var b [16]byte
	if _, err := rand.Read(b[:]); err != nil {
		return "", fmt.Errorf("emergency: drawing an id: %w", err)
	}
	b[6] = b[6]&0x0f | 0x40
	b[8] = b[8]&0x3f | 0x80
	return fmt.Sprintf("%x-%x-%x-%x-%x", b[0:4], b[4:6], b[6:8], b[8:10], b[10:16]), nil
}

// fullURL is where an entry is found in the document: urn:uuid:ID when the
// resource's id is a UUID (as Synthea's are, so their own references
// resolve), else a name-based UUID of its type and id.
func fullURL(resourceType, id string) string {
	if uuidPattern.MatchString(id) {
		return "urn:uuid:" + strings.ToLower(id)
	}
	h := sha256.Sum256([]byte("HealthWallet IPS entry\x00" + resourceType + "/" + id))
	h[6] = h[6]&0x0f | 0x50
	h[8] = h[8]&0x3f | 0x80
	return fmt.Sprintf("urn:uuid:%x-%x-%x-%x-%x", h[0:4], h[4:6], h[6:8], h[8:10], h[10:16])
}

type head struct {
	ResourceType string `json:"resourceType"`
	ID           string `json:"id"`
}

// Build makes the IPS document of in.
func Build(in Input) (*Document, error) {
	profile, err := in.Profile.Check()
	if err != nil {
		return nil, err
	}
	now := in.Now.UTC().Truncate(time.Second)
	if in.Now.IsZero() {
		now = time.Now().UTC().Truncate(time.Second)
	}
	docID, err := newUUID()
	if err != nil {
		return nil, err
	}
	d := &Document{Identifier: "urn:uuid:" + docID, Timestamp: now}

	patient, face, err := makePatient(in, profile)
	if err != nil {
		return nil, err
	}
	var ph head
	if err := json.Unmarshal(patient, &ph); err != nil {
		return nil, err
	}
	patientURL := fullURL("Patient", ph.ID)
	subject := map[string]string{"reference": patientURL}
	d.Face = face

	// The records, by section.
	bySection := map[string][]Entry{}
	for i, raw := range in.Records {
		var h head
		if err := json.Unmarshal(raw, &h); err != nil || h.ResourceType == "" {
			return nil, fmt.Errorf("emergency: record %d is not a FHIR resource", i)
		}
		s, ok := SectionOf(h.ResourceType)
		if !ok {
			return nil, fmt.Errorf("emergency: a %s does not go on an emergency card (allergies, medications, problems, immunizations and devices do)", h.ResourceType)
		}
		id := h.ID
		if id == "" {
			id = fmt.Sprintf("record-%d", i)
		}
		bySection[s.Key] = append(bySection[s.Key], Entry{FullURL: fullURL(h.ResourceType, id), Resource: raw, Record: i})
		title := Title(raw)
		switch s.Key {
		case "allergies":
			d.Face.Allergies = append(d.Face.Allergies, title)
		case "medications":
			d.Face.Medications = append(d.Face.Medications, title)
		case "problems":
			d.Face.Problems = append(d.Face.Problems, title)
		}
	}

	made := func(resource map[string]any) (Entry, error) {
		id, err := newUUID()
		if err != nil {
			return Entry{}, err
		}
		resource["id"] = id
		raw, err := json.Marshal(resource)
		if err != nil {
			return Entry{}, err
		}
		return Entry{FullURL: "urn:uuid:" + id, Resource: raw, Made: true, Record: -1}, nil
	}

	var sections []map[string]any
	var body []Entry
	addSection := func(s Section, entries []Entry, text []string) {
		sec := map[string]any{
			"title": s.Title,
			"code":  codeable(loincSystem, s.LOINC, s.Display, ""),
			"text":  narrative(text),
		}
		if len(entries) > 0 {
			refs := make([]map[string]string, len(entries))
			for i, e := range entries {
				refs[i] = map[string]string{"reference": e.FullURL}
			}
			sec["entry"] = refs
		}
		sections = append(sections, sec)
		body = append(body, entries...)
	}
	noInfo := map[string]map[string]any{
		"allergies": {"resourceType": "AllergyIntolerance", "patient": subject,
			"code": codeable(absentSystem, "no-allergy-info", "No information about allergies", "")},
		"medications": {"resourceType": "MedicationStatement", "status": "unknown", "subject": subject,
			"medicationCodeableConcept": codeable(absentSystem, "no-medication-info", "No information about medications", "")},
		"problems": {"resourceType": "Condition", "subject": subject,
			"code": codeable(absentSystem, "no-problem-info", "No information about problems", "")},
	}
	for _, s := range Sections {
		entries := bySection[s.Key]
		var text []string
		for _, e := range entries {
			text = append(text, Title(e.Resource))
		}
		if len(entries) == 0 {
			if !s.Required {
				continue
			}
			e, err := made(noInfo[s.Key])
			if err != nil {
				return nil, err
			}
			entries, text = []Entry{e}, []string{"No information"}
		}
		addSection(s, entries, text)
	}
	if profile.BloodType != "" {
		sn := bloodTypeSNOMED[profile.BloodType]
		e, err := made(map[string]any{
			"resourceType": "Observation", "status": "final",
			"category":             []any{codeable("http://terminology.hl7.org/CodeSystem/observation-category", "laboratory", "Laboratory", "")},
			"code":                 codeable(loincSystem, LOINCBloodType, "ABO and Rh group [Type] in Blood", "Blood type"),
			"subject":              subject,
			"effectiveDateTime":    now.Format(time.RFC3339),
			"performer":            []any{subject},
			"valueCodeableConcept": codeable(snomedSystem, sn[0], sn[1], profile.BloodType),
			"note":                 []any{map[string]string{"text": "As the patient reports it on their emergency card"}},
		})
		if err != nil {
			return nil, err
		}
		addSection(resultsSection, []Entry{e}, []string{"Blood type: " + profile.BloodType})
	}
	if profile.OrganDonor != "" {
		addSection(directivesSection, nil, []string{"Organ donor: " + profile.OrganDonor})
	}
	if profile.Notes != "" {
		sections = append(sections, map[string]any{"title": "Notes from the patient", "text": narrative([]string{profile.Notes})})
	}

	comp, err := made(map[string]any{
		"resourceType": "Composition", "status": "final",
		"type":            codeable(loincSystem, LOINCPatientSummary, "Patient summary Document", ""),
		"subject":         subject,
		"date":            now.Format(time.RFC3339),
		"author":          []any{subject},
		"title":           "Emergency card: patient summary of " + face.Name,
		"confidentiality": "N",
		"section":         sections,
	})
	if err != nil {
		return nil, err
	}
	d.Entries = append([]Entry{comp, {FullURL: patientURL, Resource: patient, Made: true, Record: -1}}, body...)
	return d, nil
}

// makePatient is the Patient of the card: the patient's own record with
// the emergency contacts as Patient.contact, or one made from the name.
func makePatient(in Input, p Profile) (json.RawMessage, Face, error) {
	res := map[string]any{}
	if len(in.Patient) > 0 {
		if err := json.Unmarshal(in.Patient, &res); err != nil || res["resourceType"] != "Patient" {
			return nil, Face{}, fmt.Errorf("emergency: the patient record is not a FHIR Patient")
		}
	} else {
		res["resourceType"] = "Patient"
		if in.Name != "" {
			res["name"] = []any{map[string]string{"text": in.Name}}
		}
		if in.BirthDate != "" {
			res["birthDate"] = in.BirthDate
		}
	}
	if id, _ := res["id"].(string); id == "" {
		id, err := newUUID()
		if err != nil {
			return nil, Face{}, err
		}
		res["id"] = id
	}
	if len(p.Contacts) > 0 {
		var contacts []any
		for _, c := range p.Contacts {
			contacts = append(contacts, map[string]any{
				"relationship": []any{map[string]string{"text": c.Relation}},
				"name":         map[string]string{"text": c.Name},
				"telecom":      []any{map[string]string{"system": "phone", "value": c.Phone, "use": "mobile"}},
			})
		}
		res["contact"] = contacts
	}
	raw, err := json.Marshal(res)
	if err != nil {
		return nil, Face{}, err
	}
	face := Face{Name: in.Name, BirthDate: in.BirthDate, BloodType: p.BloodType, Contacts: p.Contacts, OrganDonor: p.OrganDonor, Notes: p.Notes}
	if face.Name == "" {
		face.Name = patientName(res)
	}
	if face.BirthDate == "" {
		face.BirthDate, _ = res["birthDate"].(string)
	}
	if face.BloodType == "" {
		face.BloodType = "unknown"
	}
	return raw, face, nil
}

// patientName reads a Patient's first name as people write it.
func patientName(res map[string]any) string {
	names, _ := res["name"].([]any)
	if len(names) == 0 {
		return ""
	}
	n, _ := names[0].(map[string]any)
	if t, _ := n["text"].(string); t != "" {
		return t
	}
	var parts []string
	if given, ok := n["given"].([]any); ok {
		for _, g := range given {
			if s, ok := g.(string); ok {
				parts = append(parts, s)
			}
		}
	}
	if f, _ := n["family"].(string); f != "" {
		parts = append(parts, f)
	}
	return strings.Join(parts, " ")
}

// Title is what a record is called on the card: its code's text or first
// display (the medication's, the vaccine's, the device's type).
func Title(resource json.RawMessage) string {
	var r struct {
		ResourceType string                  `json:"resourceType"`
		Code         *concept                `json:"code"`
		Medication   *concept                `json:"medicationCodeableConcept"`
		Vaccine      *concept                `json:"vaccineCode"`
		Type         *concept                `json:"type"`
		DeviceName   []struct{ Name string } `json:"deviceName"`
	}
	if json.Unmarshal(resource, &r) != nil {
		return "a record"
	}
	for _, c := range []*concept{r.Medication, r.Vaccine, r.Code, r.Type} {
		if t := c.text(); t != "" {
			return t
		}
	}
	if len(r.DeviceName) > 0 && r.DeviceName[0].Name != "" {
		return r.DeviceName[0].Name
	}
	return r.ResourceType
}

type concept struct {
	Text   string `json:"text"`
	Coding []struct {
		Display string `json:"display"`
		Code    string `json:"code"`
	} `json:"coding"`
}

func (c *concept) text() string {
	if c == nil {
		return ""
	}
	if c.Text != "" {
		return c.Text
	}
	for _, cd := range c.Coding {
		if cd.Display != "" {
			return cd.Display
		}
	}
	return ""
}

func codeable(system, code, display, text string) map[string]any {
	c := map[string]any{"coding": []any{map[string]string{"system": system, "code": code, "display": display}}}
	if text != "" {
		c["text"] = text
	}
	return c
}

// narrative is a section's human-readable text: one line per item, escaped.
func narrative(lines []string) map[string]string {
	var b strings.Builder
	b.WriteString(`<div xmlns="http://www.w3.org/1999/xhtml"><ul>`)
	for _, l := range lines {
		b.WriteString("<li>")
		b.WriteString(html.EscapeString(l))
		b.WriteString("</li>")
	}
	b.WriteString("</ul></div>")
	return map[string]string{"status": "generated", "div": b.String()}
}
