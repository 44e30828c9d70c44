package wallet

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"healthwallet/chain/outbox"
	"healthwallet/wallet/record"
	"healthwallet/wallet/share"
	"healthwallet/wallet/vault"
)

// relayOutage lets a test take the share env's relay down (503) and up.
func relayOutage(e *shareEnv) *atomic.Bool {
	var down atomic.Bool
	h := e.http.Config.Handler
	e.http.Config.Handler = http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if down.Load() {
			http.Error(w, "down for maintenance", http.StatusServiceUnavailable)
			return
		}
		h.ServeHTTP(w, r)
	})
	return &down
}

// sharesOf counts this wallet's records of person's shares, and of the
// openings of any share recorded on chain.
func sharesOf(t *testing.T, w *Wallet, person string) (shares, openings int) {
	t.Helper()
	all, _, err := w.ownShares()
	if err != nil {
		t.Fatal(err)
	}
	for _, s := range all {
		if s.Person == person {
			shares++
		}
	}
	w.vault.View(func(tx *vault.ReadTx) error {
		return tx.ForEachState(spaceAccessChain, func(_, _ []byte) error { openings++; return nil })
	})
	return shares, openings
}

// Dropping someone kept apart throws away the only key that can stop their
// shares (granted and uploaded under their own address): so DropPerson
// refuses while one of their shares still stands, and while its stop waits
// for the chain and the relay (the network takes a revocation only from
// the person's address, and the relay retry signs as them). Once the stop
// is confirmed the drop goes through and takes the wallet's records of
// their shares with it, so the shares list and the access log no longer
// trip over a person who is gone.
func TestDropPersonWaitsUntilTheirSharesAreStopped(t *testing.T) {
	files, names, _ := syntheaPeople(t)
	e := newShareEnv(t)
	ctx := context.Background()
	relayDown := relayOutage(e)
	p := keepSomeoneApart(t, e.w, 1, files[1], names[1])
	theirs, err := e.w.Share(ctx, ShareRequest{Person: p.ID, Summary: true, TTL: time.Hour, Purpose: "TREAT"})
	if err != nil {
		t.Fatal(err)
	}

	err = e.w.DropPerson(p.ID)
	if !errors.Is(err, ErrSharesNotStopped) || !strings.Contains(err.Error(), "1 share of "+p.Name+"'s records still open") {
		t.Fatalf("dropping someone with a share that stands: %v", err)
	}

	// The chain and the relay are out when the share is stopped.
	defer func(old time.Duration) { shareGrantWait = old }(shareGrantWait)
	shareGrantWait = time.Second
	e.sw.down.Store(true)
	e.w.closeChain()
	relayDown.Store(true)
	if err := e.w.Revoke(ctx, theirs.ID); !errors.Is(err, ErrRevokePending) {
		t.Fatalf("Revoke with the chain and the relay down: %v", err)
	}
	err = e.w.DropPerson(p.ID)
	if !errors.Is(err, ErrSharesNotStopped) || !strings.Contains(err.Error(), "yet to confirm") {
		t.Fatalf("dropping someone whose share's stop is unconfirmed: %v", err)
	}
	if q, err := e.w.FindPerson(p.ID); err != nil || q.Records != p.Records {
		t.Fatalf("after a refused drop: %+v, %v", q, err)
	}

	// Both back: the wallet's next work confirms the stop; now the drop
	// goes, and with it the wallet's records of their share.
	e.sw.down.Store(false)
	relayDown.Store(false)
	if _, err := e.w.Anchor(ctx); err != nil {
		t.Fatal(err)
	}
	if _, err := e.w.Shares(ctx); err != nil {
		t.Fatal(err)
	}
	e.w.retryRelayRevokes(ctx)
	if err := e.w.DropPerson(p.ID); err != nil {
		t.Fatalf("dropping once the stop is confirmed: %v", err)
	}
	if n, _ := sharesOf(t, e.w, p.ID); n != 0 {
		t.Errorf("the wallet still keeps %d share(s) of a person it dropped", n)
	}
	if shares, err := e.w.Shares(ctx); err != nil || len(shares) != 0 {
		t.Errorf("the shares list after the drop: %+v, %v", shares, err)
	}
	if _, err := e.w.AccessLog(ctx); err != nil {
		t.Errorf("the access log after the drop: %v", err)
	}
}

// A handover whose stop of the person's share the chain and the relay
// cannot confirm yet still gives the new wallet and its phrase, but keeps
// the person's space (and so their key) here until the stop is confirmed,
// and says so; dropping them then finishes it.
func TestHandOverKeepsTheSpaceUntilTheirSharesAreStopped(t *testing.T) {
	files, names, counts := syntheaPeople(t)
	e := newShareEnv(t)
	ctx := context.Background()
	relayDown := relayOutage(e)
	p := keepSomeoneApart(t, e.w, 1, files[1], names[1])
	theirs, err := e.w.Share(ctx, ShareRequest{Person: p.ID, Summary: true, TTL: time.Hour, Purpose: "TREAT"})
	if err != nil {
		t.Fatal(err)
	}
	defer func(old time.Duration) { shareGrantWait = old }(shareGrantWait)
	shareGrantWait = time.Second
	e.sw.down.Store(true)
	e.w.closeChain()
	relayDown.Store(true)

	dest := filepath.Join(t.TempDir(), "theirs")
	res, err := e.w.HandOver(ctx, p.ID, HandOverRequest{Path: dest, Password: []byte("their own password"), Options: fastKDF})
	if !errors.Is(err, ErrSharesNotStopped) || !strings.Contains(err.Error(), "wallet is ready at "+dest) {
		t.Fatalf("a handover with the stop unconfirmed: %v", err)
	}
	if len(strings.Fields(res.RecoveryPhrase)) != 24 || res.Records != counts[1] || res.SharesRevoked != 1 {
		t.Fatalf("the result: %+v", res)
	}
	if q, err := e.w.FindPerson(p.ID); err != nil || q.Records != counts[1] {
		t.Fatalf("the space went before its share's stop was confirmed: %+v, %v", q, err)
	}

	e.sw.down.Store(false)
	relayDown.Store(false)
	if _, err := e.w.Anchor(ctx); err != nil {
		t.Fatal(err)
	}
	e.w.retryRelayRevokes(ctx)
	if err := e.w.DropPerson(p.ID); err != nil {
		t.Fatalf("dropping them once confirmed: %v", err)
	}
	if l, err := share.ParseLink(theirs.Link); err != nil {
		t.Fatal(err)
	} else if _, err := share.Fetch(ctx, l, share.FetchOptions{Recipient: "Dr. Jones"}); err == nil {
		t.Fatal("their share still opens after the handover")
	}
}

// Someone dropped while their records' anchor batch still waits for the
// chain (imported offline, then dropped): their batch is signed with their
// key, which the network takes only from their own address and this
// wallet no longer derives, so it would wait for ever. The drop abandons
// it (it was never sent) and forgets their versions' places in it; the
// owner's batch goes on and lands once the chain is back.
func TestDropPersonAbandonsTheirWaitingBatch(t *testing.T) {
	files, names, _ := syntheaPeople(t)
	w, sw := newChainWallet(t)
	ctx := context.Background()
	importObservations(t, w, "online", 1)
	if rep, err := w.Anchor(ctx); err != nil || rep.Problem != "" {
		t.Fatalf("anchoring online: %+v, %v", rep, err) // the chain is known from now on
	}
	sw.down.Store(true)
	w.closeChain()
	p := keepSomeoneApart(t, w, 1, files[1], names[1])
	rep, err := w.Anchor(ctx)
	if err != nil || len(rep.Batches) < 2 {
		t.Fatalf("anchoring offline: %+v, %v", rep, err)
	}
	theirs, err := w.Records(Query{Person: p.ID})
	if err != nil {
		t.Fatal(err)
	}
	if err := w.DropPerson(p.ID); err != nil {
		t.Fatal(err)
	}
	var left []batch
	versions := 0
	w.vault.View(func(tx *vault.ReadTx) error {
		tx.ForEachState(spaceBatch, func(_, v []byte) error {
			var b batch
			json.Unmarshal(v, &b)
			left = append(left, b)
			return nil
		})
		return tx.ForEachState(spaceVersion, func(_, _ []byte) error { versions++; return nil })
	})
	if len(left) != 2 || len(left[0].Items) != 1 || len(left[1].Items) != 1 || versions != 2 {
		sizes := []int{}
		for _, b := range left {
			sizes = append(sizes, len(b.Items))
		}
		t.Fatalf("after the drop: batches of %v versions, %d versions with a place; want the owner's two batches of 1 (%d of theirs dropped)", sizes, versions, len(theirs))
	}
	var rows []outbox.Row
	if err := w.vault.View(func(tx *vault.ReadTx) error {
		var err error
		rows, err = outbox.Rows(tx)
		return err
	}); err != nil {
		t.Fatal(err)
	}
	failed := 0
	for _, r := range rows {
		if r.Kind == kindAnchor && r.State == outbox.Failed && strings.Contains(r.LastError, "dropped") {
			failed++
		}
	}
	if failed != 1 {
		t.Errorf("%d abandoned anchor rows, want their one", failed)
	}

	sw.down.Store(false)
	w.closeChain()
	deadline := time.Now().Add(time.Minute)
	for {
		rep, err := w.Anchor(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if !rep.Waiting() {
			if rep.Problem != "" {
				t.Errorf("anchoring once back: %s", rep.Problem)
			}
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("still waiting: %+v", rep)
		}
		time.Sleep(100 * time.Millisecond)
	}
	recs, _ := w.Records(Query{})
	for _, r := range recs {
		if r.Anchor.State != record.AnchorAnchored {
			t.Errorf("the owner's record %s: %+v", r.ID, r.Anchor)
		}
	}
}
