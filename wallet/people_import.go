package wallet

import (
	"crypto/rand"
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"unicode"

	"golang.org/x/text/unicode/norm"

	"healthwallet/wallet/record"
	"healthwallet/wallet/vault"
)

// Whose records an import holds (issue 12, item 1).
//
// How the owner is known, in this order:
//
//  1. Once an import has matched the owner, their Patient facts (name, birth
//     date, identifiers) are kept sealed (spaceOwner); a Patient is the
//     owner's when it shares an identifier with them, or has the same name
//     (loosely: case, accents, order, digits aside) and birth date (or one
//     of the two birth dates is unknown).
//  2. Before that, a Patient is the owner's when its name holds every word
//     of the wallet's display name, loosely as above ("Jane Doe" matches
//     "DOE, Jane Marie" and "Jäne Doe"; a display name of one word must be
//     the whole name).
//  3. Failing both, an import of ONE file holding ONE Patient into an empty
//     wallet (no records, nobody kept apart) is the owner's: a first import
//     of a person's own export. A folder, or a file of several people, never
//     makes anyone the owner silently: they all get their own spaces, and
//     the app asks whether to keep or drop them.
//
// Every other Patient gets a space of its own (personRecord), named from
// its Patient; the same person in a later file — a shared identifier, or
// the same name and birth date — reuses it. Within a file with one Patient
// every resource is theirs; with several, each resource belongs to the
// Patient it references (subject, patient, beneficiary), and a resource
// that references none goes with the file's first Patient. Files without
// a Patient (a PDF, a hospital's directory) are the owner's.
// ImportOptions.Into overrides all of it.

// patientFacts is what a Patient resource says about who it is.
type patientFacts struct {
	name        string
	birthDate   string
	identifiers []string // "system|value"
	refs        []string // how other resources of the file reference it
}

// readPatient reads a Patient resource's facts.
func readPatient(res record.Resource) patientFacts {
	var p struct {
		ID   string `json:"id"`
		Name []struct {
			Use    string   `json:"use"`
			Text   string   `json:"text"`
			Family string   `json:"family"`
			Given  []string `json:"given"`
		} `json:"name"`
		BirthDate  string `json:"birthDate"`
		Identifier []struct {
			System string `json:"system"`
			Value  string `json:"value"`
		} `json:"identifier"`
	}
	_ = json.Unmarshal(res.Raw, &p) // a Patient without readable facts is a person with none
	f := patientFacts{birthDate: p.BirthDate}
	for i, n := range p.Name {
		if i > 0 && n.Use != "official" {
			continue
		}
		name := strings.TrimSpace(strings.Join(append(slices.Clone(n.Given), n.Family), " "))
		if name == "" {
			name = strings.TrimSpace(n.Text)
		}
		if name != "" {
			f.name = name
		}
		if n.Use == "official" {
			break
		}
	}
	for _, id := range p.Identifier {
		if id.System != "" && id.Value != "" {
			f.identifiers = append(f.identifiers, id.System+"|"+id.Value)
		}
	}
	if p.ID != "" {
		f.refs = append(f.refs, "Patient/"+p.ID)
	}
	if res.FullURL != "" {
		f.refs = append(f.refs, res.FullURL)
	}
	return f
}

// referencedPatient is the reference a resource makes to its patient, "" if none.
func referencedPatient(res record.Resource) string {
	var r struct {
		Subject     *struct{ Reference string } `json:"subject"`
		Patient     *struct{ Reference string } `json:"patient"`
		Beneficiary *struct{ Reference string } `json:"beneficiary"`
	}
	if json.Unmarshal(res.Raw, &r) != nil {
		return ""
	}
	for _, ref := range []*struct{ Reference string }{r.Subject, r.Patient, r.Beneficiary} {
		if ref != nil && ref.Reference != "" {
			return ref.Reference
		}
	}
	return ""
}

// nameWords are a name's words, lower case, without accents or digits,
// sorted: "Jäne254 DOE" and "doe jane" give the same words.
func nameWords(name string) []string {
	var words []string
	var b strings.Builder
	flush := func() {
		if b.Len() > 0 {
			words = append(words, b.String())
			b.Reset()
		}
	}
	for _, r := range norm.NFD.String(name) {
		switch {
		case unicode.Is(unicode.Mn, r):
		case unicode.IsLetter(r):
			b.WriteRune(unicode.ToLower(r))
		default:
			flush()
		}
	}
	flush()
	slices.Sort(words)
	return slices.Compact(words)
}

// sameName reports whether two names have the same words.
func sameName(a, b string) bool {
	wa := nameWords(a)
	return len(wa) > 0 && slices.Equal(wa, nameWords(b))
}

// nameContains reports whether every word of part starts a word of name.
func nameContains(name, part string) bool {
	wn, wp := nameWords(name), nameWords(part)
	if len(wp) == 0 {
		return false
	}
	for _, p := range wp {
		if !slices.ContainsFunc(wn, func(n string) bool { return strings.HasPrefix(n, p) }) {
			return false
		}
	}
	return true
}

// displayNameMatches reports whether a Patient's name is the owner's as the
// wallet's display name says it: every word of it, or (one word) the same.
func displayNameMatches(display, patient string) bool {
	wd, wp := nameWords(display), nameWords(patient)
	if len(wd) == 0 {
		return false
	}
	if len(wd) == 1 {
		return slices.Equal(wd, wp)
	}
	for _, d := range wd {
		if !slices.Contains(wp, d) {
			return false
		}
	}
	return true
}

// isPerson reports whether a Patient's facts are this person's.
func (p personRecord) isPerson(f patientFacts) bool {
	for _, id := range f.identifiers {
		if slices.Contains(p.Identifiers, id) {
			return true
		}
	}
	// The same name, and the same birth date unless one is unknown.
	return sameName(p.Name, f.name) && (p.BirthDate == f.birthDate || p.BirthDate == "" || f.birthDate == "")
}

// peopleSession is what one import knows about whose records it reads.
type peopleSession struct {
	forced     bool   // ImportOptions.Into was given
	into       string // then, whose ("" the owner)
	adoptOwner bool   // rule 3 above may still make a Patient the owner
	found      map[string]OtherPerson
	order      []string
}

// noteFile folds a successful file's people into the session.
func (s *peopleSession) noteFile(f *fileImport) {
	for _, id := range f.peopleOrder {
		o, ok := s.found[id]
		if !ok {
			s.order = append(s.order, id)
			o = f.people[id]
			o.Records = 0
		}
		o.Records += f.people[id].Records
		o.New = o.New || f.people[id].New
		s.found[id] = o
	}
}

// report lists the people other than the owner the import put new records
// for (a file of theirs already held is not news).
func (s *peopleSession) report() []OtherPerson {
	out := []OtherPerson{}
	for _, id := range s.order {
		if o := s.found[id]; o.Records > 0 || o.New {
			out = append(out, o)
		}
	}
	return out
}

// peopleOf says whose each resource of a file is ("" the owner), making a
// space in tx for each new person.
func (w *Wallet) peopleOf(tx *vault.Tx, f *fileImport, res []record.Resource) ([]string, error) {
	out := make([]string, len(res))
	s := &f.session.people
	var patients []int
	for i, r := range res {
		if r.Type == "Patient" {
			patients = append(patients, i)
		}
	}
	if s.forced || len(patients) == 0 {
		for i := range out {
			out[i] = s.into
		}
		return out, nil
	}
	byRef := map[string]string{}
	var distinct []string
	for _, i := range patients {
		facts := readPatient(res[i])
		id, err := w.personFor(tx, f, facts, len(patients))
		if err != nil {
			return nil, err
		}
		out[i] = id
		for _, ref := range facts.refs {
			byRef[ref] = id
		}
		if !slices.Contains(distinct, id) {
			distinct = append(distinct, id)
		}
	}
	for i, r := range res {
		if r.Type == "Patient" {
			continue
		}
		out[i] = distinct[0]
		if len(distinct) > 1 {
			if id, ok := byRef[referencedPatient(r)]; ok {
				out[i] = id
			}
		}
	}
	return out, nil
}

// personFor finds or makes the space of the person a Patient is about.
func (w *Wallet) personFor(tx *vault.Tx, f *fileImport, facts patientFacts, patientsInFile int) (string, error) {
	s := &f.session.people
	var owner personRecord
	v, ownerKnown, err := tx.State(spaceOwner, []byte(OwnerID))
	if err != nil {
		return "", err
	}
	if ownerKnown {
		if err := json.Unmarshal(v, &owner); err != nil {
			return "", fmt.Errorf("who owns this wallet is unreadable: %w", err)
		}
		if owner.isPerson(facts) {
			return "", nil
		}
	}
	var spaces []personRecord
	err = tx.ForEachState(spacePeople, func(_, v []byte) error {
		var p personRecord
		if err := json.Unmarshal(v, &p); err != nil {
			return fmt.Errorf("a person's space is unreadable: %w", err)
		}
		spaces = append(spaces, p)
		return nil
	})
	if err != nil {
		return "", err
	}
	for _, p := range spaces {
		if p.isPerson(facts) {
			f.notePerson(p, false)
			return p.ID, nil
		}
	}
	if !ownerKnown && (displayNameMatches(w.DisplayName(), facts.name) || (s.adoptOwner && patientsInFile == 1)) {
		s.adoptOwner = false
		b, err := jsonMarshal(personRecord{ID: OwnerID, Name: facts.name, BirthDate: facts.birthDate,
			Identifiers: facts.identifiers, Created: f.stamp})
		if err != nil {
			return "", err
		}
		return "", tx.PutState(spaceOwner, []byte(OwnerID), b)
	}
	p := personRecord{ID: newPersonID(facts.name, spaces), Name: facts.name, BirthDate: facts.birthDate,
		Identifiers: facts.identifiers, Created: f.stamp}
	if p.Name == "" {
		p.Name = "Someone unnamed"
	}
	if _, err := rand.Read(p.Tweak[:]); err != nil {
		return "", fmt.Errorf("drawing a new person's key: %w", err)
	}
	if err := putPersonRecord(tx, p); err != nil {
		return "", err
	}
	f.notePerson(p, true)
	return p.ID, nil
}

// notePerson counts a person in a file's report of people.
func (f *fileImport) notePerson(p personRecord, isNew bool) {
	if f.people == nil {
		f.people = map[string]OtherPerson{}
	}
	o, ok := f.people[p.ID]
	if !ok {
		f.peopleOrder = append(f.peopleOrder, p.ID)
		o = OtherPerson{ID: p.ID, Name: p.Name, BirthDate: p.BirthDate}
	}
	o.New = o.New || isNew
	f.people[p.ID] = o
}

// newPersonID is a short ID from a name, unique among spaces: "jane-doe",
// "jane-doe-2".
func newPersonID(name string, spaces []personRecord) string {
	var words []string
	for _, w := range strings.Fields(name) {
		if ws := nameWords(w); len(ws) > 0 {
			words = append(words, strings.Join(ws, ""))
		}
	}
	base := strings.Join(words, "-")
	if base == "" || base == OwnerID {
		base = "person"
	}
	taken := func(id string) bool {
		return slices.ContainsFunc(spaces, func(p personRecord) bool { return p.ID == id })
	}
	id := base
	for n := 2; taken(id); n++ {
		id = fmt.Sprintf("%s-%d", base, n)
	}
	return id
}
