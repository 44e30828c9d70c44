package wallet

import (
	"strings"
	"testing"

	"healthwallet/wallet/care"
	"healthwallet/wallet/emergency"
)

// Records kept apart stay out of what the wallet makes of the owner's
// records: the emergency card's candidates (a child's penicillin allergy is
// not the parent's), the Patient the card is about (the owner's, never the
// first Patient in the wallet), and a caregiver's copy under a delegation
// of the owner's records.
func TestRecordsKeptApartStayOutOfTheOwnersCardAndDelegations(t *testing.T) {
	files, names, _ := syntheaPeople(t)
	w := newTestWallet(t)
	p := keepSomeoneApart(t, w, 2, files[1], names[1])
	theirs, err := w.Records(Query{Person: p.ID})
	if err != nil {
		t.Fatal(err)
	}
	emergencyKinds := 0
	for _, r := range theirs {
		if _, ok := emergency.SectionOf(r.ResourceType); ok {
			emergencyKinds++
		}
	}
	if emergencyKinds == 0 {
		t.Fatalf("%s has no records an emergency card could hold: the test proves nothing", p.Name)
	}

	recs, _, err := w.EmergencyCandidates()
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range recs {
		if r.Person != "" {
			t.Errorf("the owner's emergency card may hold %s's %s (%s)", p.Name, r.ResourceType, r.ID)
			break
		}
	}
	var in emergency.Input
	if err := w.emergencyPatient(&in); err != nil {
		t.Fatal(err)
	}
	if first := strings.Fields(p.Name)[0]; strings.Contains(string(in.Patient), first) || in.Name != w.DisplayName() {
		t.Errorf("the owner's emergency card is about %q / %.80s, not the owner %q", in.Name, in.Patient, w.DisplayName())
	}

	scoped, err := w.inScope(care.Scope{})
	if err != nil {
		t.Fatalf("a delegation of everything of the owner's: %v", err)
	}
	if len(scoped) != 2 {
		t.Errorf("a delegation of everything of the owner's covers %d records, want the owner's 2", len(scoped))
	}
	for _, r := range scoped {
		if r.Person != "" {
			t.Errorf("a caregiver's copy of the owner's records holds %s's %s", p.Name, r.ResourceType)
			break
		}
	}
}
