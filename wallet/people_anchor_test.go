package wallet

import (
	"context"
	"testing"

	"github.com/ethereum/go-ethereum/common"

	"healthwallet/chain"
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
