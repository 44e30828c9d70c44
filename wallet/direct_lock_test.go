package wallet

import (
	"context"
	"net/http"
	"strings"
	"testing"
	"time"

	"healthwallet/wallet/relay"
	"healthwallet/wallet/share"
)

// waitDirectStopped waits until the wallet's direct server has stopped
// and closed its store.
func waitDirectStopped(t *testing.T, w *Wallet) {
	t.Helper()
	for range 100 {
		if _, serving := directServing.Load(w.dir); !serving {
			return
		}
		time.Sleep(50 * time.Millisecond)
	}
	t.Fatal("the direct share server did not stop")
}

// shareByID is the share id in list, or fails.
func shareByID(t *testing.T, list []ShareInfo, id string) ShareInfo {
	t.Helper()
	for _, s := range list {
		if s.ID == id {
			return s
		}
	}
	t.Fatalf("share %s not in the list %+v", id, list)
	return ShareInfo{}
}

// TestDirectShareServesWhileLocked: the wallet locks (its keys dropped)
// while a direct share is on screen; a doctor still opens and verifies the
// share, the web viewer's network document still answers, and once the
// patient unlocks, the opening is in the access log as the doctor declared
// it, from the direct share.
func TestDirectShareServesWhileLocked(t *testing.T) {
	e := newShareEnv(t)
	importObservations(t, e.w, "lock", 2)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	res, err := e.w.ShareDirect(ctx, ShareRequest{All: true, TTL: time.Hour, Purpose: "TREAT"}, "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	e.w.Lock()
	if !e.w.Locked() {
		t.Fatal("the wallet did not lock")
	}

	doctor := "Dr. Grace Hopper, Harbour Clinic"
	mustAllOK(t, share.Open(ctx, res.Link, share.FetchOptions{Recipient: doctor, Purpose: "ETREAT"}, e.receiverInput()), 2)
	l, _ := share.ParseLink(res.Link)
	base := l.URL[:strings.Index(l.URL, "/shl/")]
	resp, err := http.Get(base + relay.NetworkDocumentPath)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("the viewer's network document while locked: %s", resp.Status)
	}
	if _, err := e.w.Records(Query{}); err == nil {
		t.Fatal("the records read while the wallet is locked")
	}

	if err := e.w.Unlock(testPassword); err != nil {
		t.Fatal(err)
	}
	log, err := e.w.AccessLog(ctx)
	if err != nil {
		t.Fatal(err)
	}
	var found bool
	for _, a := range log {
		if a.Share == res.ID && a.Who == doctor && a.Purpose == "ETREAT" && a.Source == "direct" && a.Outcome == relay.OutcomeServed {
			found = true
		}
	}
	if !found {
		t.Fatalf("the opening while locked is not in the access log: %+v", log)
	}
	s := shareByID(t, mustShares(t, e.w), res.ID)
	if s.State != ShareActive || !s.Serving || s.Opened != 1 {
		t.Fatalf("the direct share served now: %+v", s)
	}
}

func mustShares(t *testing.T, w *Wallet) []ShareInfo {
	t.Helper()
	list, err := w.Shares(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	return list
}

// TestDirectShareStoppedIsTold: once its screen closes, a direct share is
// "stopped" in the list, keeps its count of openings, and its openings stay
// in the access log; the next direct share does not serve it again, even
// to someone who points its link at the new server.
func TestDirectShareStoppedIsTold(t *testing.T) {
	e := newShareEnv(t)
	importObservations(t, e.w, "stop", 1)
	ctx, stop := context.WithCancel(context.Background())
	first, err := e.w.ShareDirect(ctx, ShareRequest{All: true, TTL: time.Hour, Purpose: "TREAT"}, "127.0.0.1:0")
	if err != nil {
		stop()
		t.Fatal(err)
	}
	nurse := "Nurse Joy, City Clinic"
	mustAllOK(t, share.Open(ctx, first.Link, share.FetchOptions{Recipient: nurse, Purpose: "TREAT"}, e.receiverInput()), 1)
	stop()
	waitDirectStopped(t, e.w)

	s := shareByID(t, mustShares(t, e.w), first.ID)
	if s.State != ShareStopped || s.Serving || s.Opened != 1 || s.Problem != "" {
		t.Fatalf("a direct share whose screen closed: %+v, want stopped, opened once, no problem", s)
	}
	log, err := e.w.AccessLog(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if len(log) == 0 || log[0].Share != first.ID || log[0].Who != nurse || log[0].Source != "direct" {
		t.Fatalf("the stopped direct share's opening left the access log: %+v", log)
	}

	ctx2, stop2 := context.WithCancel(context.Background())
	defer func() { stop2(); waitDirectStopped(t, e.w) }()
	second, err := e.w.ShareDirect(ctx2, ShareRequest{All: true, TTL: time.Hour, Purpose: "TREAT"}, "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	// The first link, pointed at the second server: refused.
	l1, _ := share.ParseLink(first.Link)
	l2, _ := share.ParseLink(second.Link)
	newBase := l2.URL[:strings.Index(l2.URL, "/shl/")]
	l1.URL = newBase + l1.URL[strings.Index(l1.URL, "/shl/"):]
	if _, err := share.Fetch(ctx2, l1, share.FetchOptions{Recipient: "someone"}); err == nil {
		t.Fatal("the next direct share's server serves the stopped one again")
	}
	list := mustShares(t, e.w)
	if s := shareByID(t, list, first.ID); s.State != ShareStopped {
		t.Fatalf("the first direct share while the second is served: %+v", s)
	}
	if s := shareByID(t, list, second.ID); s.State != ShareActive || !s.Serving {
		t.Fatalf("the direct share served now: %+v", s)
	}
}
