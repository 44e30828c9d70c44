package share

import (
	"encoding/json"
	"fmt"
	"strings"
	"unicode"

	"github.com/ethereum/go-ethereum/common"

	"healthwallet/wallet/identity"
)

// This file: who the patient is, for the receiver — the identity card in
// the proof (signed by the patient's address) and the Patient resource
// among the covered records — and which network a share was made on.

// ProofOf returns the one proof file among a share's decrypted files, so a
// receiver can pick the network to verify against before [Verify]; ok is
// false when there is none, more than one, or it cannot be read (Verify
// then says why).
func ProofOf(files []File) (p ProofFile, ok bool) {
	var found []byte
	for _, f := range files {
		if f.ContentType == ContentTypeProof {
			if found != nil {
				return ProofFile{}, false
			}
			found = f.Plaintext
		}
	}
	if found == nil {
		return ProofFile{}, false
	}
	p, err := ParseProof(found)
	return p, err == nil
}

// patientCard checks the proof's identity card: it must verify and be the
// grant's patient's. A share without one (made before cards rode in
// proofs) has no such check.
func (p *reporter) patientCard(text string, patient common.Address) {
	if text == "" {
		return
	}
	card, err := identity.ParseCard(text)
	switch {
	case err != nil:
		p.add(CheckPatientCard, false, "%v", err)
	case card.Address != patient:
		p.add(CheckPatientCard, false, "the card is %s's, but the grant is %s's: it was taken from someone else", card.Address.Hex(), patient.Hex())
	default:
		p.r.PatientName = card.DisplayName
		p.add(CheckPatientCard, true, "%s", card.DisplayName)
	}
}

// patientResource is what a receiver reads of a FHIR Patient.
type patientResource struct {
	ResourceType string `json:"resourceType"`
	BirthDate    string `json:"birthDate"`
	Name         []struct {
		Text   string   `json:"text"`
		Given  []string `json:"given"`
		Family string   `json:"family"`
	} `json:"name"`
}

// names are the Patient's names as people write them ("Ada Lovelace").
func (r patientResource) names() []string {
	var out []string
	for _, n := range r.Name {
		if t := strings.TrimSpace(n.Text); t != "" {
			out = append(out, t)
		}
		if full := strings.TrimSpace(strings.Join(append(append([]string(nil), n.Given...), n.Family), " ")); full != "" {
			out = append(out, full)
		}
	}
	return out
}

// patientRecord takes the birth date (and the name, when no card gave one)
// from the first covered Patient resource, and warns when the card's name
// is none of the Patient's names.
func (p *reporter) patientRecord() {
	for _, raw := range p.r.Records {
		var pr patientResource
		if json.Unmarshal(raw, &pr) != nil || pr.ResourceType != "Patient" {
			continue
		}
		p.r.PatientBirthDate = printable([]byte(pr.BirthDate), 40)
		names := pr.names()
		switch {
		case len(names) == 0:
		case p.r.PatientName == "":
			p.r.PatientName = printable([]byte(names[0]), identity.MaxDisplayName)
		case !sameName(p.r.PatientName, names):
			p.r.PatientWarning = fmt.Sprintf("the patient's identity card says %q, but the records' Patient is %q: ask the patient which is right",
				p.r.PatientName, printable([]byte(names[0]), identity.MaxDisplayName))
		}
		return
	}
}

// sameName reports whether name names the same person as one of names:
// the same words, ignoring case, punctuation and digits (Synthea appends
// digits to every name: "Bibi254 Schowalter414"), or one name's words all
// among the other's when both give at least two ("Ada Lovelace" and "Ada
// King Lovelace"). A lone given name is not enough to agree.
func sameName(name string, names []string) bool {
	a := nameWords(name)
	for _, n := range names {
		b := nameWords(n)
		if len(a) == 0 || len(b) == 0 {
			continue
		}
		small, large := a, b
		if len(small) > len(large) {
			small, large = large, small
		}
		if len(small) < 2 && len(large) != len(small) {
			continue
		}
		all := true
		for w := range small {
			if !large[w] {
				all = false
				break
			}
		}
		if all {
			return true
		}
	}
	return false
}

// nameWords are the words of a name in lower case, letters only.
func nameWords(name string) map[string]bool {
	words := map[string]bool{}
	for _, f := range strings.FieldsFunc(strings.ToLower(name), func(r rune) bool { return !unicode.IsLetter(r) }) {
		words[f] = true
	}
	return words
}
