package wallet

import (
	"testing"
	"time"
)

// Fetches of one share by the same receiver within a few minutes are one
// visit; the same receiver later, another receiver, or another share are
// others. A wrong passcode then the right one is a visit that was served.
func TestVisits(t *testing.T) {
	t0 := time.Date(2026, 12, 3, 10, 0, 0, 0, time.UTC)
	log := []AccessEntry{
		{Time: t0, Share: "a", Who: "Dr. Rao", Purpose: "TREAT", Source: "relay", Outcome: "wrong-passcode"},
		{Time: t0.Add(time.Minute), Share: "a", Who: "Dr. Rao", Purpose: "TREAT", Source: "relay", Outcome: "served"},
		{Time: t0.Add(time.Minute + time.Second), Share: "a", Who: "Dr. Rao", Purpose: "TREAT", Source: "relay", Outcome: "served", Recorded: true, TxHash: "0x1", Emergency: true},
		{Time: t0.Add(2 * time.Minute), Share: "a", Who: "Nurse Kim", Purpose: "TREAT", Source: "relay", Outcome: "served"},
		{Time: t0.Add(3 * time.Minute), Share: "b", Who: "Dr. Rao", Purpose: "TREAT", Source: "relay", Outcome: "served"},
		{Time: t0.Add(3 * time.Hour), Share: "a", Who: "Dr. Rao", Purpose: "TREAT", Source: "relay", Outcome: "served"},
		{Time: t0.Add(4 * time.Hour), Share: "a", Who: "a holder of the link", Source: "chain"},
		{Time: t0.Add(4 * time.Hour), Share: "a", Who: "a holder of the link", Source: "chain"},
	}
	v := Visits(log)
	if len(v) != 6 {
		t.Fatalf("%d visits, want 6: %+v", len(v), v)
	}
	first := v[len(v)-1]
	if !first.Time.Equal(t0) || first.Outcome != "served" || !first.Recorded || first.TxHash != "0x1" || !first.Emergency {
		t.Fatalf("the first visit: %+v", first)
	}
	if !v[0].Time.After(v[len(v)-1].Time) {
		t.Fatal("visits are not newest first")
	}
	if (AccessEntry{Source: "relay", Who: "x"}).SelfDeclared() != true ||
		(AccessEntry{Source: "chain", Who: "Ben", Delegate: "0x1"}).SelfDeclared() != false {
		t.Fatal("SelfDeclared: a receiver's own words are self-declared, a caregiver's card is not")
	}
}
