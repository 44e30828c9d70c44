package wallet

import (
	"encoding/json"
	"fmt"
	"strings"
	"time"
	"unicode/utf8"

	"healthwallet/wallet/record"
)

// This file: a share is about one person (issue 12). A bundle that holds
// the records of several people (a folder of exports shared as one) is
// named as such, so that a doctor never reads one patient's "No known
// allergies" beside another's penicillin allergy as one chart.

// ReceivedPatient is one person a received share's records are about, as
// their Patient resource names them.
type ReceivedPatient struct {
	Name      string `json:"name,omitempty"`
	BirthDate string `json:"birthDate,omitempty"`
}

// String is the person as a warning names them: "Ada Lovelace (born 10
// Dec 1985)", or "a patient without a name".
func (p ReceivedPatient) String() string {
	name := p.Name
	if name == "" {
		name = "a patient without a name"
	}
	switch born, err := time.Parse(time.DateOnly, p.BirthDate); {
	case err == nil:
		name += " (born " + born.Format("2 Jan 2006") + ")"
	case p.BirthDate != "":
		name += " (born " + p.BirthDate + ")"
	}
	return name
}

// maxNamedPatients is how many people a warning names; the rest are
// counted.
const maxNamedPatients = 5

// receivedPatients lists the distinct people the records' Patient
// resources describe, in the records' order. Two Patient resources are
// the same person when they give the same name (ignoring case and spacing)
// and birth date, or the same id when they give neither.
func receivedPatients(records []json.RawMessage) []ReceivedPatient {
	var out []ReceivedPatient
	seen := map[string]bool{}
	for _, raw := range records {
		var head struct {
			Type      string `json:"resourceType"`
			ID        string `json:"id"`
			BirthDate string `json:"birthDate"`
		}
		if json.Unmarshal(raw, &head) != nil || head.Type != "Patient" {
			continue
		}
		p := ReceivedPatient{BirthDate: printableText(head.BirthDate, 40)}
		sum := record.Summarize(record.Resource{Type: "Patient", ID: head.ID, Raw: raw})
		if sum.Title != "" && sum.Title != "Patient" {
			p.Name = printableText(sum.Title, 200)
		}
		key := strings.ToLower(strings.Join(strings.Fields(p.Name), " ")) + "|" + p.BirthDate
		if p.Name == "" && p.BirthDate == "" {
			key = "id|" + head.ID
		}
		if seen[key] {
			continue
		}
		seen[key] = true
		out = append(out, p)
	}
	return out
}

// morePeopleWarning is the warning of a share whose records are about more
// than one person; "" when they are about one at most.
func morePeopleWarning(people []ReceivedPatient) string {
	if len(people) < 2 {
		return ""
	}
	var names []string
	for _, p := range people[:min(len(people), maxNamedPatients)] {
		names = append(names, p.String())
	}
	list := strings.Join(names, ", ")
	if rest := len(people) - len(names); rest > 0 {
		list += fmt.Sprintf(" and %d more", rest)
	}
	return fmt.Sprintf("this share holds records about %d different people: %s. Check with the patient which records "+
		"are theirs before relying on any of them", len(people), list)
}

// printableText is s without control characters, at most max bytes: the
// names in a share are the sender's words, shown on the receiver's screen.
func printableText(s string, max int) string {
	s = strings.Map(func(r rune) rune {
		if r < 0x20 || r == 0x7f || (r >= 0x80 && r < 0xa0) {
			return ' '
		}
		return r
	}, s)
	s = strings.Join(strings.Fields(s), " ")
	if len(s) > max {
		cut := max
		for cut > 0 && !utf8.RuneStart(s[cut]) {
			cut--
		}
		s = s[:cut] + "…"
	}
	return s
}
