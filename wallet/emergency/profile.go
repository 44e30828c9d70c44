// Package emergency is the emergency card's domain (issue 9, DESIGN §8):
// the patient's emergency profile and its checks, the International Patient
// Summary (a FHIR R4 document Bundle) built from it and the chosen records,
// and the printable card (PNG and PDF) with the QR of its link.
//
// The wallet (wallet/emergency.go) keeps the profile sealed in the vault,
// anchors what this package makes, shares the IPS behind a long-lived link
// whose every opening the relay records on chain (break-glass), and renders
// the card with [RenderPNG] and [RenderPDF].
package emergency

import (
	"errors"
	"fmt"
	"strings"
	"time"
	"unicode"
)

// Contact is someone to call.
type Contact struct {
	Name     string `json:"name"`
	Relation string `json:"relation"`
	Phone    string `json:"phone"`
}

// Profile is what the patient puts on the card.
type Profile struct {
	BloodType  string    `json:"bloodType,omitempty"` // A+, O-, … or empty (unknown)
	Contacts   []Contact `json:"contacts,omitempty"`
	OrganDonor string    `json:"organDonor,omitempty"` // "yes", "no" or empty (not said)
	Notes      string    `json:"notes,omitempty"`
	// Include are the record ids on the card; nil (JSON null) means the
	// default: the active allergies, medications, problems, immunizations
	// and devices; empty (JSON []) means none.
	Include []string  `json:"include"`
	Updated time.Time `json:"updated,omitzero"`
}

// Limits of a profile: a card is read in seconds.
const (
	MaxContacts    = 5
	MaxNameLength  = 80
	MaxNotesLength = 500
	MaxInclude     = 200
)

// BloodTypes are the ABO/Rh groups a profile accepts.
var BloodTypes = []string{"A+", "A-", "B+", "B-", "AB+", "AB-", "O+", "O-"}

// NormalizeBloodType reads a blood type as people type it ("a+", "O neg",
// "AB positive", "unknown") and returns its canonical form, "" for unknown.
func NormalizeBloodType(s string) (string, error) {
	t := strings.ToUpper(strings.Join(strings.Fields(s), ""))
	switch t {
	case "", "UNKNOWN", "?":
		return "", nil
	}
	for suffix, sign := range map[string]string{"POSITIVE": "+", "POS": "+", "NEGATIVE": "-", "NEG": "-", "−": "-"} {
		if base, ok := strings.CutSuffix(t, suffix); ok {
			t = base + sign
			break
		}
	}
	for _, b := range BloodTypes {
		if t == b {
			return b, nil
		}
	}
	return "", fmt.Errorf("blood type %q is not one of %s (or unknown)", s, strings.Join(BloodTypes, ", "))
}

// ParseContact reads "Name, relation, phone".
func ParseContact(s string) (Contact, error) {
	parts := strings.Split(s, ",")
	if len(parts) != 3 {
		return Contact{}, fmt.Errorf("contact %q: write it as \"Name, relation, phone\" (for example \"Ana Diaz, daughter, +1 555 0100\")", s)
	}
	c := Contact{Name: strings.TrimSpace(parts[0]), Relation: strings.TrimSpace(parts[1]), Phone: strings.TrimSpace(parts[2])}
	return c, c.Check()
}

// Check says what is wrong with a contact, if anything.
func (c Contact) Check() error {
	switch {
	case strings.TrimSpace(c.Name) == "":
		return errors.New("a contact needs a name")
	case len([]rune(c.Name)) > MaxNameLength:
		return fmt.Errorf("contact %q: the name is longer than %d characters", c.Name, MaxNameLength)
	case strings.TrimSpace(c.Relation) == "":
		return fmt.Errorf("contact %q: say who they are to you (spouse, daughter, neighbour…)", c.Name)
	case len([]rune(c.Relation)) > MaxNameLength:
		return fmt.Errorf("contact %q: the relation is longer than %d characters", c.Name, MaxNameLength)
	}
	if err := checkPhone(c.Phone); err != nil {
		return fmt.Errorf("contact %q: %w", c.Name, err)
	}
	for _, s := range []string{c.Name, c.Relation, c.Phone} {
		if strings.ContainsFunc(s, unicode.IsControl) {
			return fmt.Errorf("contact %q holds control characters", c.Name)
		}
	}
	return nil
}

// checkPhone accepts a phone number as written: digits with spaces, dots,
// dashes, parentheses and a leading +; 3 to 15 digits (E.164 allows 15).
func checkPhone(p string) error {
	p = strings.TrimSpace(p)
	if p == "" {
		return errors.New("the phone number is missing")
	}
	digits := 0
	for i, r := range p {
		switch {
		case r >= '0' && r <= '9':
			digits++
		case r == '+' && i == 0:
		case r == ' ' || r == '-' || r == '.' || r == '(' || r == ')':
		default:
			return fmt.Errorf("the phone number %q holds %q: use digits, spaces, dashes and a leading +", p, r)
		}
	}
	if digits < 3 || digits > 15 {
		return fmt.Errorf("the phone number %q has %d digits; a phone number has 3 to 15", p, digits)
	}
	return nil
}

// Check returns the profile in its canonical form (blood type, trimmed
// fields), or says what is wrong.
func (p Profile) Check() (Profile, error) {
	bt, err := NormalizeBloodType(p.BloodType)
	if err != nil {
		return Profile{}, err
	}
	p.BloodType = bt
	if len(p.Contacts) > MaxContacts {
		return Profile{}, fmt.Errorf("%d contacts; a card holds at most %d", len(p.Contacts), MaxContacts)
	}
	contacts := make([]Contact, 0, len(p.Contacts))
	for _, c := range p.Contacts {
		c = Contact{Name: strings.TrimSpace(c.Name), Relation: strings.TrimSpace(c.Relation), Phone: strings.TrimSpace(c.Phone)}
		if err := c.Check(); err != nil {
			return Profile{}, err
		}
		contacts = append(contacts, c)
	}
	p.Contacts = contacts
	if len(p.Contacts) == 0 {
		p.Contacts = nil
	}
	switch d := strings.ToLower(strings.TrimSpace(p.OrganDonor)); d {
	case "", "yes", "no":
		p.OrganDonor = d
	default:
		return Profile{}, fmt.Errorf("organ donor %q: answer yes or no (or leave it unsaid)", p.OrganDonor)
	}
	p.Notes = strings.TrimSpace(p.Notes)
	if n := len([]rune(p.Notes)); n > MaxNotesLength {
		return Profile{}, fmt.Errorf("the notes are %d characters; at most %d fit on a card", n, MaxNotesLength)
	}
	if strings.ContainsFunc(strings.ReplaceAll(p.Notes, "\n", " "), unicode.IsControl) {
		return Profile{}, errors.New("the notes hold control characters")
	}
	if len(p.Include) > MaxInclude {
		return Profile{}, fmt.Errorf("%d records chosen; at most %d fit on a card", len(p.Include), MaxInclude)
	}
	return p, nil
}
