package network

import (
	"testing"
	"time"

	"github.com/ethereum/go-ethereum/common"
)

// TestLedgerCounts: a transaction is charged once however often its
// calldata is handed in again; counts are per UTC day; old days and old
// transactions are forgotten, enrolments are not.
func TestLedgerCounts(t *testing.T) {
	l, err := openLedger(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	defer l.close()
	alice, bob := common.Address{1}, common.Address{2}
	day1 := time.Date(2026, 12, 4, 23, 59, 0, 0, time.UTC)
	if err := l.enrol(alice, day1); err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		who  common.Address
		hash common.Hash
	}{{alice, common.Hash{1}}, {alice, common.Hash{1}}, {alice, common.Hash{2}}, {bob, common.Hash{3}}} {
		if err := l.charge(c.who, c.hash, day1); err != nil {
			t.Fatal(err)
		}
	}
	if mine, all, err := l.usage(alice, day1); err != nil || mine != 2 || all != 3 {
		t.Fatalf("alice's day: %d of %d, %v; want 2 of 3", mine, all, err)
	}
	day2 := day1.Add(2 * time.Minute)
	if mine, all, _ := l.usage(alice, day2); mine != 0 || all != 0 {
		t.Fatalf("the next UTC day starts at %d of %d", mine, all)
	}
	if owner, ok, _ := l.owner(common.Hash{3}); !ok || owner != bob {
		t.Fatalf("owner of bob's transaction: %v %v", owner, ok)
	}

	if err := l.prune(day1.Add(40 * 24 * time.Hour)); err != nil {
		t.Fatal(err)
	}
	if mine, all, _ := l.usage(alice, day1); mine != 0 || all != 0 {
		t.Fatalf("old counters kept: %d of %d", mine, all)
	}
	if _, ok, _ := l.owner(common.Hash{3}); ok {
		t.Fatal("a transaction older than keepTxs is still remembered")
	}
	if ok, _ := l.enrolled(alice); !ok {
		t.Fatal("pruning forgot an enrolment")
	}
}
