package wallet

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"healthwallet/wallet/relay"
	"healthwallet/wallet/share"
)

// TestEmergencyProfile: the profile is checked (clear errors, nothing
// half-saved), kept sealed in the vault (none of it readable in the file),
// read back after reopening, and its choice of records limited to what a
// card carries; by default the active ones are on it.
func TestEmergencyProfile(t *testing.T) {
	w := newTestWallet(t)
	if p, err := w.EmergencyProfile(); err != nil || p.BloodType != "" || p.Contacts != nil {
		t.Fatalf("a new wallet's profile: %+v, %v", p, err)
	}
	if err := w.SetEmergencyProfile(EmergencyProfile{BloodType: "Q+"}); err == nil || !strings.Contains(err.Error(), "not one of") {
		t.Fatalf("blood type Q+: %v", err)
	}
	if err := w.SetEmergencyProfile(EmergencyProfile{Contacts: []EmergencyContact{{Name: "Ana", Relation: "daughter", Phone: "call"}}}); err == nil {
		t.Fatal("a phone number without digits was saved")
	}
	if p, _ := w.EmergencyProfile(); p.BloodType != "" || p.Contacts != nil {
		t.Fatalf("a refused profile was saved: %+v", p)
	}

	dir := filepath.Join(t.TempDir(), "records.json")
	os.WriteFile(dir, []byte(`{"resourceType":"Bundle","type":"collection","entry":[
		{"resource":{"resourceType":"AllergyIntolerance","id":"a1","clinicalStatus":{"coding":[{"code":"active"}]},"code":{"text":"Penicillin"}}},
		{"resource":{"resourceType":"Condition","id":"c1","clinicalStatus":{"coding":[{"code":"resolved"}]},"code":{"text":"Sprained ankle"}}},
		{"resource":{"resourceType":"Observation","id":"o1","status":"final","code":{"text":"Glucose"}}}]}`), 0o600)
	if _, err := w.Import(context.Background(), []string{dir}, nil); err != nil {
		t.Fatal(err)
	}
	recs, included, err := w.EmergencyCandidates()
	if err != nil || len(recs) != 2 {
		t.Fatalf("candidates: %d, %v", len(recs), err)
	}
	ids := map[string]string{}
	for _, r := range recs {
		ids[r.Title] = r.ID
	}
	if !included[ids["Penicillin"]] || included[ids["Sprained ankle"]] {
		t.Fatalf("by default the active records: %v", included)
	}
	all, _ := w.Records(Query{})
	var obs string
	for _, r := range all {
		if r.ResourceType == "Observation" {
			obs = r.ID
		}
	}
	if err := w.SetEmergencyProfile(EmergencyProfile{Include: []string{obs}}); err == nil || !strings.Contains(err.Error(), "Observation") {
		t.Fatalf("an Observation chosen for the card: %v", err)
	}
	if err := w.SetEmergencyProfile(EmergencyProfile{Include: []string{"00112233445566778899aabbccddeeff"}}); !errors.Is(err, ErrNotFound) {
		t.Fatalf("an unknown record chosen: %v", err)
	}
	want := EmergencyProfile{BloodType: "ab neg", OrganDonor: "yes", Notes: "Pacemaker fitted in 2019",
		Contacts: []EmergencyContact{{Name: "Annabelle Diaz", Relation: "daughter", Phone: "+1 555 0100"}},
		Include:  []string{ids["Sprained ankle"]}}
	if err := w.SetEmergencyProfile(want); err != nil {
		t.Fatal(err)
	}
	_, included, _ = w.EmergencyCandidates()
	if included[ids["Penicillin"]] || !included[ids["Sprained ankle"]] {
		t.Fatalf("the chosen records: %v", included)
	}
	raw, err := os.ReadFile(filepath.Join(w.Dir(), VaultFileName))
	if err != nil {
		t.Fatal(err)
	}
	for _, s := range []string{"Annabelle", "daughter", "555 0100", "Pacemaker", "bloodType", "emergency"} {
		if bytes.Contains(raw, []byte(s)) {
			t.Errorf("the vault file holds %q in clear", s)
		}
	}
	dirW := w.Dir()
	w.Close()
	w2, err := Open(dirW, fastKDF)
	if err != nil {
		t.Fatal(err)
	}
	defer w2.Close()
	if err := w2.Unlock(testPassword); err != nil {
		t.Fatal(err)
	}
	got, err := w2.EmergencyProfile()
	if err != nil || got.BloodType != "AB-" || len(got.Contacts) != 1 || got.Contacts[0].Name != "Annabelle Diaz" || got.OrganDonor != "yes" || len(got.Include) != 1 || got.Updated.IsZero() {
		t.Fatalf("the profile after reopening: %+v, %v", got, err)
	}
	// None chosen is not the default.
	got.Include = []string{}
	if err := w2.SetEmergencyProfile(got); err != nil {
		t.Fatal(err)
	}
	if p, _ := w2.EmergencyProfile(); p.Include == nil || len(p.Include) != 0 {
		t.Fatalf("no record chosen read back as %#v", p.Include)
	}
	if _, included, _ := w2.EmergencyCandidates(); included[ids["Penicillin"]] || included[ids["Sprained ankle"]] {
		t.Fatalf("no record chosen, yet %v", included)
	}
	if _, err := w2.EmergencyCardPDF(context.Background()); !errors.Is(err, ErrNoEmergencyCard) {
		t.Fatalf("printing with no card: %v", err)
	}
}

// TestBreakGlassEntryForged: the wallet takes the relay's word that an
// opening is on chain only when the salt it sealed makes the commitment it
// names for the statement it sealed: a relay that alters who opened the
// card, the time, or the salt gets no credit (the wallet records the
// opening itself).
func TestBreakGlassEntryForged(t *testing.T) {
	e := relay.AccessEntry{Time: time.Unix(1_800_000_000, 0).UTC(), Recipient: "Paramedic Lee", Purpose: relay.EmergencyPurpose,
		Emergency: true, Salt: strings.Repeat("ab", 32), TxHash: "0x01"}
	var salt [32]byte
	for i := range salt {
		salt[i] = 0xab
	}
	entry, err := share.AccessStatement{Who: e.Recipient, Purpose: e.Purpose, Time: e.Time.Unix()}.Commitment(salt)
	if err != nil {
		t.Fatal(err)
	}
	e.Entry = entry.Hex()
	if got, ok := breakGlassEntry(e); !ok || got != entry {
		t.Fatalf("the honest entry: %v, %v", got, ok)
	}
	for name, forge := range map[string]func(*relay.AccessEntry){
		"who":   func(f *relay.AccessEntry) { f.Recipient = "someone else" },
		"time":  func(f *relay.AccessEntry) { f.Time = f.Time.Add(time.Second) },
		"salt":  func(f *relay.AccessEntry) { f.Salt = strings.Repeat("cd", 32) },
		"short": func(f *relay.AccessEntry) { f.Salt = "abab" },
		"entry": func(f *relay.AccessEntry) { f.Entry = "0x" + strings.Repeat("00", 32) },
	} {
		f := e
		forge(&f)
		if _, ok := breakGlassEntry(f); ok {
			t.Errorf("a relay entry with a forged %s was taken as on chain", name)
		}
	}
	b, _ := json.Marshal(e)
	if !strings.Contains(string(b), `"emergency":true`) {
		t.Fatalf("the wire form: %s", b)
	}
}
