package relay

import (
	"crypto/rand"
	"net/http"
	"testing"
	"time"

	"github.com/ethereum/go-ethereum/common"
)

// TestPendingUploadsCannotFillTheRelay: keys a stranger makes up can hold
// uploads pending (no grant on chain) only up to the per-address pending
// budget — then 429 saying to wait — while a patient whose grant is on chain
// is still served; the budget frees itself when the pending window ends.
func TestPendingUploadsCannotFillTheRelay(t *testing.T) {
	s := newSimRegistry(t)
	// Room for two pending uploads of the test's size (about 1.2 KB each),
	// not three.
	var one int64
	{
		probe := newTestRelay(t)
		info := probe.share(CreateRequest{})
		rec, err := probe.srv.store.share(info.ID)
		if err != nil {
			t.Fatal(err)
		}
		one = int64(rec.size())
	}
	tr := newTestRelay(t, func(c *Config) {
		c.Checker = NewChainChecker(s.sim.Client(), s.addr)
		c.PendingGrace = 5 * time.Minute
		c.Limits.MaxPendingBytesPerClient = 2*one + one/2
	})
	tr.p, tr.client = s.p, tr.clientFor(s.p)

	stranger := *tr
	for i := 0; i < 2; i++ {
		stranger.p = newPatient(t)
		stranger.client = tr.clientFor(stranger.p)
		if info := stranger.share(CreateRequest{}); info.State != StatePending {
			t.Fatalf("a stranger's upload: %s, want pending", info.State)
		}
	}
	stranger.p = newPatient(t)
	stranger.client = tr.clientFor(stranger.p)
	_, err := stranger.tryShare(CreateRequest{})
	wantAPIStatus(t, err, http.StatusTooManyRequests)

	// The patient, from the same address, with its grant on chain: stored
	// and served, since active uploads are not pending.
	var granted [32]byte
	rand.Read(granted[:])
	s.send(s.reg.PackIssueGrant(granted, common.Address{}, uint64(time.Now().Add(time.Hour).Unix())))
	info := tr.share(CreateRequest{GrantDigest: granted})
	if info.State != StateActive {
		t.Fatalf("the patient's upload with its grant on chain: %s, want active", info.State)
	}
	wantStatus(t, tr.manifest(info.URL, map[string]any{"recipient": "x"}), http.StatusOK)

	// Once the pending window has passed, the address may upload again.
	tr.clock.Advance(6 * time.Minute)
	if _, err := stranger.tryShare(CreateRequest{}); err != nil {
		t.Fatalf("after the pending window: %v", err)
	}
}

func TestPendingBudget(t *testing.T) {
	now := time.Unix(1_700_000_000, 0)
	p := newPendingBudget(100, 150)
	if ok, _ := p.take("a", 60, now, now.Add(time.Minute)); !ok {
		t.Fatal("first charge refused")
	}
	if ok, clientFull := p.take("a", 60, now, now.Add(time.Minute)); ok || !clientFull {
		t.Fatalf("over the client's budget: ok=%v clientFull=%v", ok, clientFull)
	}
	if ok, _ := p.take("b", 80, now, now.Add(time.Minute)); !ok {
		t.Fatal("another client within the total refused")
	}
	if ok, clientFull := p.take("c", 20, now, now.Add(time.Minute)); ok || clientFull {
		t.Fatalf("over the total: ok=%v clientFull=%v", ok, clientFull)
	}
	if ok, _ := p.take("c", 20, now.Add(time.Minute), now.Add(2*time.Minute)); !ok {
		t.Fatal("charges past their time still count")
	}
}
