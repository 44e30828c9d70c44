package wallet

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"log/slog"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/ethereum/go-ethereum/accounts/abi/bind/v2"
	"github.com/ethereum/go-ethereum/common"

	"healthwallet/chain/contracts"
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

// TestEmergencyCardFlow: the card through the wallet's API on a simulated
// chain and a real relay that records openings through a submitter: the
// link (no passcode, ETREAT, a year, labelled), a receiver's Verified IPS
// document; an opening recorded by the relay shows Emergency, Recorded,
// with its TxHash; an opening while the relay cannot reach the chain is
// still served, and the patient's wallet records it on chain itself; a new
// card revokes the old; revoking ends the card.
func TestEmergencyCardFlow(t *testing.T) {
	w, sw := newChainWallet(t)
	ctx := context.Background()
	var down atomic.Bool
	var submitted atomic.Int64
	reg := contracts.NewHealthRegistry()
	srv, err := relay.Open(relay.Config{
		DataDir: t.TempDir(), Checker: relay.NewChainChecker(sw.sim.Client, sw.sim.Registry), DisableRateLimits: true,
		Logger: slog.New(slog.DiscardHandler),
		BreakGlass: &relay.BreakGlass{ChainID: sw.sim.ChainID, Registry: sw.sim.Registry, Submit: func(ctx context.Context, data []byte) (common.Hash, error) {
			if down.Load() {
				return common.Hash{}, errors.New("dial tcp: connection refused")
			}
			submitted.Add(1)
			tx, err := reg.Instance(sw.sim.Client, sw.sim.Registry).RawTransact(bind.NewKeyedTransactor(sw.sim.DevKey, sw.sim.ChainID), data)
			if err != nil {
				return common.Hash{}, err
			}
			return tx.Hash(), nil
		}},
	})
	if err != nil {
		t.Fatal(err)
	}
	hs := httptest.NewServer(srv.Handler())
	t.Cleanup(func() { hs.Close(); srv.Close() })

	path := filepath.Join(t.TempDir(), "recs.json")
	os.WriteFile(path, []byte(`{"resourceType":"Bundle","type":"collection","entry":[
		{"resource":{"resourceType":"AllergyIntolerance","id":"a1","clinicalStatus":{"coding":[{"code":"active"}]},"code":{"text":"Penicillin"}}},
		{"resource":{"resourceType":"Condition","id":"c1","clinicalStatus":{"coding":[{"code":"resolved"}]},"code":{"text":"Sprained ankle"}}}]}`), 0o600)
	if _, err := w.Import(ctx, []string{path}, nil); err != nil {
		t.Fatal(err)
	}
	if err := w.SetEmergencyProfile(EmergencyProfile{BloodType: "B+", Contacts: []EmergencyContact{{Name: "Ana Diaz", Relation: "daughter", Phone: "+1 555 0100"}}}); err != nil {
		t.Fatal(err)
	}
	card, err := w.MakeEmergencyCard(ctx, EmergencyCardRequest{Relay: hs.URL})
	if err != nil {
		t.Fatal(err)
	}
	l, err := share.ParseLink(card.Link)
	if err != nil || l.Has(share.FlagPasscode) || l.Label != EmergencyLabel || card.Records != 1 || card.State != ShareActive ||
		time.Until(card.Expires) < DefaultEmergencyTTL-time.Hour || card.Problem != "" {
		t.Fatalf("the card %+v, link %+v, %v", card, l, err)
	}
	if text, err := share.DecodeQRImage(bytes.NewReader(card.QR)); err != nil || text != card.Link {
		t.Fatalf("the card's QR: %q, %v", text, err)
	}
	if !strings.HasPrefix(card.Link, hs.URL+"/view#shlink:/") {
		t.Fatalf("the card's QR does not open the relay's viewer: %q", card.Link)
	}

	open := func(who string) share.Report {
		t.Helper()
		m, err := share.Fetch(ctx, l, share.FetchOptions{Recipient: who})
		if err != nil {
			t.Fatal(err)
		}
		in := share.VerifyInput{Chain: share.NewChainReader(sw.sim.Client, sw.sim.Registry), ExpectRegistry: sw.sim.Registry, Link: l, Files: m.Files}
		return share.Verify(ctx, in)
	}
	rep := open("Paramedic Lee")
	// Composition, Patient, the allergy, "no information" on medications
	// and on problems, the blood type.
	if !rep.Verified || rep.Purpose != "ETREAT" || len(rep.Records) != 6 || !strings.Contains(string(rep.Records[0]), `"60591-5"`) {
		t.Fatalf("the receiver: verified %v, purpose %q, %d records, failed %+v", rep.Verified, rep.Purpose, len(rep.Records), rep.Failed())
	}
	for i := 0; submitted.Load() == 0 && i < 100; i++ { // the relay records it after answering
		time.Sleep(50 * time.Millisecond)
	}
	if submitted.Load() != 1 {
		t.Fatalf("the relay submitted %d entries for one opening", submitted.Load())
	}
	down.Store(true)
	if rep := open("ED nurse"); !rep.Verified {
		t.Fatalf("with the relay's chain writes failing the card did not open: %+v", rep.Failed())
	}

	var log []AccessEntry
	for range 20 {
		if log, err = w.AccessLog(ctx); err != nil {
			t.Fatal(err)
		}
		recorded := 0
		for _, e := range log {
			if e.Emergency && e.Recorded {
				recorded++
			}
		}
		if recorded == 2 {
			break
		}
		time.Sleep(100 * time.Millisecond)
	}
	byWho := map[string]AccessEntry{}
	for _, e := range log {
		if e.Source != "chain" && e.Emergency {
			byWho[e.Who] = e
		}
	}
	if e := byWho["Paramedic Lee"]; !e.Emergency || !e.Recorded || e.TxHash == "" || e.Purpose != "ETREAT" || e.Share != card.ID {
		t.Fatalf("the opening the relay recorded: %+v", e)
	}
	if e := byWho["ED nurse"]; !e.Emergency || !e.Recorded || e.TxHash == "" {
		t.Fatalf("the opening the relay could not record, recorded by the wallet: %+v", e)
	}
	if submitted.Load() != 1 {
		t.Fatalf("the relay submitted %d entries", submitted.Load())
	}

	renewed, err := w.MakeEmergencyCard(ctx, EmergencyCardRequest{Relay: hs.URL})
	if err != nil || renewed.ID == card.ID || renewed.Problem != "" {
		t.Fatalf("renewing: %+v, %v", renewed, err)
	}
	shares, err := w.Shares(ctx)
	if err != nil {
		t.Fatal(err)
	}
	for _, s := range shares {
		if s.ID == card.ID && s.State != ShareRevoked {
			t.Fatalf("the replaced card is %s, want revoked", s.State)
		}
	}
	if err := w.RevokeEmergencyCard(ctx); err != nil {
		t.Fatal(err)
	}
	if cur, ok, err := w.CurrentEmergencyCard(ctx); err != nil || !ok || cur.ID != renewed.ID || cur.State != ShareRevoked {
		t.Fatalf("the current card after revoking: %+v, %v, %v", cur, ok, err)
	}
	pdf, err := w.EmergencyCardPDF(ctx)
	if err != nil || !bytes.HasPrefix(pdf, []byte("%PDF-")) {
		t.Fatalf("the PDF: %v", err)
	}
}
