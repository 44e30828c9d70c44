package wallet

import (
	"context"
	"testing"
	"time"

	"healthwallet/chain/outbox"
	"healthwallet/wallet/share"
	"healthwallet/wallet/vault"
)

// TestAccessOnChainIsThePatientsChoice: with recording turned off, reading
// the access log still shows the relay's entry but queues nothing for the
// chain; turned back on (and kept across a lock), the next read records it.
func TestAccessOnChainIsThePatientsChoice(t *testing.T) {
	e := newShareEnv(t)
	ctx := context.Background()
	importObservations(t, e.w, "choice", 2)
	res, err := e.w.Share(ctx, ShareRequest{All: true, TTL: time.Hour, Purpose: "TREAT"})
	if err != nil || res.Problem != "" {
		t.Fatalf("Share: %+v, %v", res, err)
	}
	l, err := share.ParseLink(res.Link)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := share.Fetch(ctx, l, share.FetchOptions{Recipient: "Dr. Choice"}); err != nil {
		t.Fatal(err)
	}
	accessRows := func() (n int) {
		e.w.vault.View(func(tx *vault.ReadTx) error {
			rows, err := outbox.Rows(tx)
			for _, r := range rows {
				if r.Kind == kindAccess {
					n++
				}
			}
			return err
		})
		return n
	}

	if !e.w.AccessOnChain() {
		t.Fatal("recording accesses on chain is off by default")
	}
	if err := e.w.SetAccessOnChain(false); err != nil {
		t.Fatal(err)
	}
	log, err := e.w.AccessLog(ctx)
	if err != nil {
		t.Fatal(err)
	}
	seen := false
	for _, a := range log {
		seen = seen || (a.Source == "relay" && a.Who == "Dr. Choice")
		if a.Recorded {
			t.Fatalf("an entry recorded on chain with recording off: %+v", a)
		}
	}
	if !seen || accessRows() != 0 {
		t.Fatalf("recording off: relay entry shown %v, %d access rows queued (want 0): %+v", seen, accessRows(), log)
	}

	// The choice is kept in the sealed profile, across a lock.
	e.w.Lock()
	if err := e.w.Unlock([]byte(testPassword)); err != nil {
		t.Fatal(err)
	}
	if e.w.AccessOnChain() {
		t.Fatal("the choice was lost across a lock")
	}
	if err := e.w.SetAccessOnChain(true); err != nil {
		t.Fatal(err)
	}
	if _, err := e.w.AccessLog(ctx); err != nil {
		t.Fatal(err)
	}
	if n := accessRows(); n != 1 {
		t.Fatalf("recording on again: %d access rows queued, want 1", n)
	}
}
