package wallet

import (
	"context"
	"log/slog"
	"strings"
	"testing"
	"time"

	"healthwallet/wallet/care"
	"healthwallet/wallet/emergency"
	"healthwallet/wallet/network"
	"healthwallet/wallet/share"
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

// On a network, the opening of a kept-apart person's share (the doctor's
// signed access entry, which the patient's wallet hands in) is handed in
// as that person, like everything else of theirs: the node never sees the
// owner's address act on the person's grant (the grant key names the
// patient), which would tie the two together.
func TestOpeningOfAPersonsShareHandedInAsThem(t *testing.T) {
	files, names, _ := syntheaPeople(t)
	ctx := context.Background()
	srv, err := network.Start(ctx, network.ServerConfig{Listen: "127.0.0.1:0", DataDir: t.TempDir(), Name: "Riverside Clinic",
		BlockPeriod: time.Second, Logger: slog.New(slog.DiscardHandler)})
	if err != nil {
		t.Fatal(err)
	}
	defer srv.Close()
	w := newTestWallet(t)
	m, err := w.JoinNetwork(ctx, srv.Info().JoinURL, "")
	if err != nil {
		t.Fatal(err)
	}
	p := keepSomeoneApart(t, w, 1, files[1], names[1])
	anchorUntilDone(t, w)
	res, err := w.Share(ctx, ShareRequest{Person: p.ID, Summary: true, TTL: time.Hour, Purpose: "TREAT"})
	if err != nil || res.Problem != "" {
		t.Fatalf("share: %+v, %v", res, err)
	}
	anchorUntilDone(t, w)
	key, err := w.personKey(p.ID)
	if err != nil {
		t.Fatal(err)
	}
	used := func() (owner, person int) {
		a, err := w.networkClient(m).Account(ctx)
		if err != nil {
			t.Fatal(err)
		}
		b, err := relationshipClient(m, key).Account(ctx)
		if err != nil {
			t.Fatal(err)
		}
		return a.UsedToday, b.UsedToday
	}
	owner0, person0 := used()

	l, err := share.ParseLink(res.Link)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := share.Fetch(ctx, l, share.FetchOptions{Recipient: "Dr. Jones"}); err != nil {
		t.Fatal(err)
	}
	if _, err := w.AccessLog(ctx); err != nil {
		t.Fatal(err)
	}
	anchorUntilDone(t, w)
	owner1, person1 := used()
	if owner1 != owner0 || person1 != person0+1 {
		t.Errorf("the opening was handed in by the owner (%d → %d actions today) and the person (%d → %d): want the person's alone", owner0, owner1, person0, person1)
	}
}
