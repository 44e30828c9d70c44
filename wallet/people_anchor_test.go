package wallet

import (
	"bytes"
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/ethereum/go-ethereum/common"

	"healthwallet/chain"
	"healthwallet/wallet/identity"
	"healthwallet/wallet/share"
)

// A person kept apart is anchored under their own address: their versions
// are batched apart from the owner's, the chain's registry holds the batch
// under the person's address (not the owner's), and Verify of their record
// checks it there.
func TestPersonAnchoredUnderTheirAddress(t *testing.T) {
	files, names, counts := syntheaPeople(t)
	w, sw := newChainWallet(t)
	ctx := context.Background()
	importObservations(t, w, "mine", 2)
	rep, err := w.Import(ctx, files[1:2], nil)
	if err != nil || len(rep.OtherPeople) != 1 {
		t.Fatalf("import: %+v, %v", rep.OtherPeople, err)
	}
	p := personByName(t, w, names[1])
	owner, err := w.FindPerson(OwnerID)
	if err != nil {
		t.Fatal(err)
	}
	if p.Address == owner.Address {
		t.Fatal("the person has the owner's address")
	}

	arep, err := w.Anchor(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if arep.Queued != 0 || len(arep.Batches) != 2 {
		t.Fatalf("anchor report %+v: want one batch each", arep)
	}
	reg := chain.NewRegistry(sw.sim.Network.Client, sw.sim.Registry)
	var theirs, mine common.Hash
	for _, b := range arep.Batches {
		switch b.Count {
		case counts[1]:
			theirs = common.HexToHash(b.Root)
		case 2:
			mine = common.HexToHash(b.Root)
		default:
			t.Fatalf("a batch of %d mixes people: %+v", b.Count, arep.Batches)
		}
	}
	for _, c := range []struct {
		who    string
		root   common.Hash
		anchor bool
	}{
		{p.Address, theirs, true}, {owner.Address, theirs, false},
		{owner.Address, mine, true}, {p.Address, mine, false},
	} {
		a, err := reg.AnchorOf(ctx, common.HexToAddress(c.who), c.root)
		if err != nil {
			t.Fatal(err)
		}
		if a.Anchored() != c.anchor {
			t.Errorf("root %s under %s: anchored %v, want %v", c.root.Hex(), c.who, a.Anchored(), c.anchor)
		}
	}
	recs, err := w.Records(Query{Person: p.ID, Limit: 3})
	if err != nil || len(recs) == 0 {
		t.Fatal(err)
	}
	for _, r := range recs {
		v, err := w.Verify(ctx, r.ID)
		if err != nil || !v.Valid || v.Root != theirs {
			t.Fatalf("Verify of %s's record: %+v, %v", p.Name, v, err)
		}
	}
}

// A share of a person's records holds theirs only, is granted under their
// address, and verifies for the receiver with that address as the patient;
// chosen ids of two people are refused.
func TestShareOfAPersonIsTheirs(t *testing.T) {
	files, names, counts := syntheaPeople(t)
	e := newShareEnv(t)
	ctx := context.Background()
	p := keepSomeoneApart(t, e.w, 2, files[1], names[1])
	res, err := e.w.Share(ctx, ShareRequest{Person: p.ID, All: true, TTL: time.Hour, Purpose: "TREAT"})
	if err != nil || res.Problem != "" || res.Records != counts[1] {
		t.Fatalf("Share = %+v, %v; want %d records", res, err, counts[1])
	}
	got := e.doctorReceives(t, res.Link)
	mustAllOK(t, got.Report, counts[1])
	if got.Patient != common.HexToAddress(p.Address) {
		t.Fatalf("the receiver sees patient %s, want %s's %s", got.Patient.Hex(), p.Name, p.Address)
	}
	// Revoking it works under their address too: at the relay (the link no
	// longer opens) and on chain (the grant is no longer active).
	if err := e.w.Revoke(ctx, res.ID); err != nil {
		t.Fatalf("revoking %s's share: %v", p.Name, err)
	}
	shares, err := e.w.Shares(ctx)
	if err != nil {
		t.Fatal(err)
	}
	for _, s := range shares {
		if s.ID == res.ID && (s.State != ShareRevoked || s.Revoking) {
			t.Fatalf("%s's share after revoking: %+v", p.Name, s)
		}
	}
	g, err := share.NewChainReader(e.sw.sim.Client, e.sw.sim.Registry).GrantOf(ctx, common.HexToAddress(p.Address), got.Digest)
	if err != nil || !g.Revoked || g.Active {
		t.Fatalf("%s's grant on chain after revoking: %+v, %v", p.Name, g, err)
	}
	l, err := share.ParseLink(res.Link)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := share.Fetch(ctx, l, share.FetchOptions{Recipient: "Dr. Smith"}); !errors.Is(err, share.ErrNoLongerAvailable) {
		t.Fatalf("fetching %s's share after revoking: %v, want the relay's 404", p.Name, err)
	}

	mine, _ := e.w.Records(Query{Limit: 1})
	theirs, _ := e.w.Records(Query{Person: p.ID, Limit: 1})
	_, err = e.w.Share(ctx, ShareRequest{IDs: []string{mine[0].ID, theirs[0].ID}, TTL: time.Hour, Purpose: "TREAT"})
	if err == nil || !strings.Contains(err.Error(), "one person") {
		t.Fatalf("a share mixing two people: %v", err)
	}
}

// A share of someone kept apart carries their own identity card — their
// name, their address and their own sharing key, not the owner's — and the
// owner's wallet still reads its access log after a doctor opened it (the
// relay's entries are sealed to the person's key, and asked for under the
// person's address).
func TestShareOfAPersonCarriesTheirSharingKey(t *testing.T) {
	files, names, _ := syntheaPeople(t)
	e := newShareEnv(t)
	ctx := context.Background()
	p := keepSomeoneApart(t, e.w, 1, files[1], names[1])
	res, err := e.w.Share(ctx, ShareRequest{Person: p.ID, All: true, TTL: time.Hour, Purpose: "TREAT"})
	if err != nil {
		t.Fatal(err)
	}
	l, err := share.ParseLink(res.Link)
	if err != nil {
		t.Fatal(err)
	}
	m, err := share.Fetch(ctx, l, share.FetchOptions{Recipient: "Dr. Jones, Children's Clinic"})
	if err != nil {
		t.Fatal(err)
	}
	var card identity.Card
	for _, f := range m.Files {
		if f.ContentType != share.ContentTypeProof {
			continue
		}
		proof, err := share.ParseProof(f.Plaintext)
		if err != nil {
			t.Fatal(err)
		}
		if card, err = identity.ParseCard(proof.Card); err != nil {
			t.Fatalf("the share's card: %v", err)
		}
	}
	ownerText, err := e.w.Card()
	if err != nil {
		t.Fatal(err)
	}
	owner, err := identity.ParseCard(ownerText)
	if err != nil {
		t.Fatal(err)
	}
	if card.Address != common.HexToAddress(p.Address) || card.DisplayName != p.Name {
		t.Fatalf("the share's card is %s's (%s), want %s's (%s)", card.DisplayName, card.Address.Hex(), p.Name, p.Address)
	}
	if card.SharingKey == owner.SharingKey {
		t.Fatal("the share of someone kept apart carries the owner's sharing key")
	}
	theirs, err := e.w.personSharingKey(p.ID)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(card.SharingKey[:], theirs.PublicKey().Bytes()) {
		t.Fatal("the share's card does not carry the person's own sharing key")
	}

	log, err := e.w.AccessLog(ctx)
	if err != nil {
		t.Fatalf("the access log after the doctor opened %s's share: %v", p.Name, err)
	}
	opened := false
	for _, a := range log {
		// Recorded on chain, under the person's grant.
		opened = opened || (a.Share == res.ID && a.Source == "relay" && a.Who == "Dr. Jones, Children's Clinic" && a.Recorded && a.Block > 0)
	}
	if !opened {
		t.Fatalf("the access log lacks the doctor's opening of %s's share, recorded on chain: %+v", p.Name, log)
	}
	// The shares list tells the truth about it: active (its grant is
	// under the person's address) and opened (their address lists it at
	// the relay).
	shares, err := e.w.Shares(ctx)
	if err != nil {
		t.Fatal(err)
	}
	for _, s := range shares {
		if s.ID == res.ID && (s.State != ShareActive || s.Opened < 1 || s.Problem != "") {
			t.Errorf("%s's share in the list: %+v; want active, opened", p.Name, s)
		}
	}
}

// Revoke everything covers everyone: a share of the owner's and a share of
// someone kept apart are both refused at the relay afterwards, and both
// grants are revoked on chain, each under its own address.
func TestRevokeEverythingCoversPeopleKeptApart(t *testing.T) {
	files, names, _ := syntheaPeople(t)
	e := newShareEnv(t)
	ctx := context.Background()
	p := keepSomeoneApart(t, e.w, 1, files[1], names[1])
	owner, err := e.w.FindPerson(OwnerID)
	if err != nil {
		t.Fatal(err)
	}
	mine, err := e.w.Share(ctx, ShareRequest{All: true, TTL: time.Hour, Purpose: "TREAT"})
	if err != nil || mine.Problem != "" {
		t.Fatalf("the owner's share: %+v, %v", mine, err)
	}
	theirs, err := e.w.Share(ctx, ShareRequest{Person: p.ID, All: true, TTL: time.Hour, Purpose: "TREAT"})
	if err != nil || theirs.Problem != "" {
		t.Fatalf("%s's share: %+v, %v", p.Name, theirs, err)
	}
	rep, err := e.w.RevokeEverything(ctx)
	if err != nil || rep.Grants != 2 {
		t.Fatalf("RevokeEverything: %+v, %v; want both grants", rep, err)
	}
	reader := share.NewChainReader(e.sw.sim.Client, e.sw.sim.Registry)
	for _, c := range []struct {
		who     string
		res     ShareResult
		address string
	}{{"the owner", mine, owner.Address}, {p.Name, theirs, p.Address}} {
		g, err := reader.GrantOf(ctx, common.HexToAddress(c.address), common.HexToHash(c.res.Grant))
		if err != nil || !g.Revoked || g.Active {
			t.Errorf("%s's grant after revoking everything: %+v, %v", c.who, g, err)
		}
		l, err := share.ParseLink(c.res.Link)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := share.Fetch(ctx, l, share.FetchOptions{Recipient: "Dr. Smith"}); !errors.Is(err, share.ErrNoLongerAvailable) {
			t.Errorf("fetching %s's share after revoking everything: %v, want it refused", c.who, err)
		}
	}
}

// doctorReceives is a doctor's wallet on the same chain receiving link.
func (e *shareEnv) doctorReceives(t *testing.T, link string) Received {
	t.Helper()
	opts := fastKDF
	opts.OpenChain = e.sw.open
	doctor, err := Create(t.TempDir(), doctorMnemonic, testPassword, "Dr. Smith, City Clinic", opts)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { doctor.Close() })
	got, err := doctor.Receive(context.Background(), link, ReceiveOptions{})
	if err != nil {
		t.Fatal(err)
	}
	return got
}
