package wallet

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"io"
	"log/slog"
	"math/big"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/ethereum/go-ethereum"
	"github.com/ethereum/go-ethereum/accounts/abi/bind/v2"
	"github.com/ethereum/go-ethereum/common"

	"healthwallet/chain/chaintest"
	"healthwallet/chain/contracts"
	"healthwallet/chain/outbox"
	"healthwallet/wallet/relay"
	"healthwallet/wallet/share"
	"healthwallet/wallet/vault"
)

// shareEnv is a wallet on a simulated chain with a real relay (httptest)
// that checks the chain on every request, as hw relay --chain does.
type shareEnv struct {
	w      *Wallet
	sw     *chainSwitch
	relay  *relay.Server
	http   *httptest.Server
	offset atomic.Int64 // the relay's clock runs this far ahead (ns)
}

func newShareEnv(t *testing.T) *shareEnv {
	t.Helper()
	w, sw := newChainWallet(t)
	e := &shareEnv{w: w, sw: sw}
	srv, err := relay.Open(relay.Config{
		DataDir:           t.TempDir(),
		Checker:           relay.NewChainChecker(sw.sim.Client, sw.sim.Registry),
		DisableRateLimits: true,
		Logger:            slog.New(slog.DiscardHandler),
		Now:               func() time.Time { return time.Now().Add(time.Duration(e.offset.Load())) },
	})
	if err != nil {
		t.Fatal(err)
	}
	e.relay, e.http = srv, httptest.NewServer(srv.Handler())
	t.Cleanup(func() { e.http.Close(); srv.Close() })
	if err := w.SetRelayURL(e.http.URL); err != nil {
		t.Fatal(err)
	}
	return e
}

// receiverInput is what a doctor's verifier trusts: this chain and registry.
func (e *shareEnv) receiverInput() share.VerifyInput {
	return share.VerifyInput{Chain: share.NewChainReader(e.sw.sim.Client, e.sw.sim.Registry), ExpectRegistry: e.sw.sim.Registry}
}

func mustAllOK(t *testing.T, rep share.Report, records int) {
	t.Helper()
	if !rep.Verified || len(rep.Failed()) > 0 || len(rep.Records) != records {
		t.Fatalf("receiver: verified=%v, %d records (want %d), failed checks %+v", rep.Verified, len(rep.Records), records, rep.Failed())
	}
}

// The whole life of a share: made from records not yet anchored, opened
// and verified by a receiver, logged, listed, revoked.
func TestShareOpenLogRevoke(t *testing.T) {
	e := newShareEnv(t)
	ctx := context.Background()
	importObservations(t, e.w, "shr", 3)

	res, err := e.w.Share(ctx, ShareRequest{All: true, TTL: time.Hour, Purpose: "TREAT", Label: "For Dr. Smith"})
	if err != nil {
		t.Fatal(err)
	}
	if res.Records != 3 || res.Problem != "" || res.ID == "" || !strings.HasPrefix(res.Grant, "0x") {
		t.Fatalf("ShareResult %+v", res)
	}
	if n := len(res.Link); n > share.MaxLinkLength {
		t.Fatalf("link is %d characters", n)
	}
	l, err := share.ParseLink(res.Link)
	if err != nil || l.Label != "For Dr. Smith" || !strings.HasPrefix(l.URL, e.http.URL) || l.Has(share.FlagPasscode) || !l.Exp.Equal(res.Expires) {
		t.Fatalf("link %+v, %v", l, err)
	}
	text, err := share.DecodeQRImage(bytes.NewReader(res.QR))
	if err != nil || text != res.Link {
		t.Fatalf("QR decodes to %q, %v", text, err)
	}

	// The receiver: fetch, decrypt, verify everything.
	m, err := share.Fetch(ctx, l, share.FetchOptions{Recipient: "Dr. Smith, City Clinic"})
	if err != nil {
		t.Fatal(err)
	}
	in := e.receiverInput()
	in.Link, in.Files = l, m.Files
	rep := share.Verify(ctx, in)
	mustAllOK(t, rep, 3)
	if rep.PatientName != "Ada Lovelace" { // the card rides in the proof, the link stays short
		t.Fatalf("the receiver reads the patient as %q", rep.PatientName)
	}
	if rep.Purpose != "TREAT" || rep.Patient != testAddress(t) || rep.Digest.Hex() != res.Grant {
		t.Fatalf("report purpose %q patient %s digest %s", rep.Purpose, rep.Patient.Hex(), rep.Digest.Hex())
	}
	// The receiver signs its access-log entry with the link's access key;
	// anyone may submit it (here the dev account, standing in for the
	// patient's wallet) and the chain records only the salted commitment.
	signed, err := share.SignAccess(l.Key, share.AccessStatement{Who: "Dr. Smith, City Clinic", Purpose: "TREAT", Time: time.Now().Unix()},
		rep.Patient, rep.Digest, uint64(res.Expires.Unix()), e.sw.sim.ChainID, e.sw.sim.Registry)
	if err != nil {
		t.Fatal(err)
	}
	reg := contracts.NewHealthRegistry()
	opts := bind.NewKeyedTransactor(e.sw.sim.DevKey, e.sw.sim.ChainID)
	if _, err := reg.Instance(e.sw.sim.Client, e.sw.sim.Registry).RawTransact(opts, signed.Calldata); err != nil {
		t.Fatal(err)
	}

	shares, err := e.w.Shares(ctx)
	if err != nil || len(shares) != 1 {
		t.Fatalf("Shares = %+v, %v", shares, err)
	}
	if s := shares[0]; s.ID != res.ID || s.State != ShareActive || s.Opened < 1 || s.Records != 3 || s.Purpose != "TREAT" || s.Link != res.Link || s.Problem != "" {
		t.Fatalf("share %+v", s)
	}

	log, err := e.w.AccessLog(ctx)
	if err != nil {
		t.Fatal(err)
	}
	// The relay's entry of the manifest served is recorded on chain by the
	// patient's wallet as it reads the log (a salted commitment, see
	// TestNothingPrivateOnChain); the receiver's own signed entry is listed
	// from the chain.
	var fromRelay, fromChain bool
	for _, a := range log {
		if a.Share != res.ID {
			t.Fatalf("entry of another share: %+v", a)
		}
		switch a.Source {
		case "relay":
			fromRelay = fromRelay || (a.Who == "Dr. Smith, City Clinic" && a.Outcome == relay.OutcomeServed && a.Recorded && a.Block > 0)
		case "chain":
			fromChain = a.Who == "a holder of the link" && strings.Contains(a.What, signed.Entry.Hex()) && a.Block > 0
		}
	}
	if !fromRelay || !fromChain {
		t.Fatalf("access log lacks the relay's recorded entry or the chain's entry: %+v", log)
	}
	// Reading the log again records nothing twice.
	countAccessRows := func() (n int) {
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
	before := countAccessRows()
	if _, err := e.w.AccessLog(ctx); err != nil {
		t.Fatal(err)
	}
	if after := countAccessRows(); before == 0 || after != before {
		t.Fatalf("access rows %d, then %d after reading the log again", before, after)
	}
	for i := 1; i < len(log); i++ {
		if log[i].Time.After(log[i-1].Time) {
			t.Fatalf("access log not newest first: %+v", log)
		}
	}

	// Revoke, by an id prefix as people type it.
	if err := e.w.Revoke(ctx, res.ID[:10]); err != nil {
		t.Fatal(err)
	}
	if _, err := share.Fetch(ctx, l, share.FetchOptions{Recipient: "Dr. Smith"}); !errors.Is(err, share.ErrNoLongerAvailable) {
		t.Fatalf("fetch after revoke: %v, want the relay's 404 (ErrNoLongerAvailable)", err)
	}
	g, err := share.NewChainReader(e.sw.sim.Client, e.sw.sim.Registry).GrantOf(ctx, testAddress(t), rep.Digest)
	if err != nil || !g.Revoked || g.Active {
		t.Fatalf("grant on chain after revoke: %+v, %v", g, err)
	}
	// The files a receiver kept no longer verify: the revocation check says why.
	rep = share.Verify(ctx, in)
	if c, _ := rep.Find(share.CheckGrantActive); rep.Verified || c.OK {
		t.Fatalf("after revoke: verified=%v, %s: %+v", rep.Verified, share.CheckGrantActive, c)
	}
	shares, _ = e.w.Shares(ctx)
	if shares[0].State != ShareRevoked || shares[0].Revoking {
		t.Fatalf("after revoke: %+v", shares[0])
	}
	// Revoking again is harmless.
	if err := e.w.Revoke(ctx, res.ID); err != nil {
		t.Fatal(err)
	}
	if err := e.w.Revoke(ctx, "nosuchshare"); !errors.Is(err, ErrNoShare) {
		t.Fatalf("revoke of an unknown share: %v", err)
	}
}

// A short link expires at the relay, on chain and at the receiver.
func TestShareExpires(t *testing.T) {
	e := newShareEnv(t)
	ctx := context.Background()
	importObservations(t, e.w, "exp", 2)
	res, err := e.w.Share(ctx, ShareRequest{All: true, TTL: time.Minute, Purpose: "CAREMGT", Passcode: "4711"})
	if err != nil {
		t.Fatal(err)
	}
	l, _ := share.ParseLink(res.Link)
	if !l.Has(share.FlagPasscode) {
		t.Fatalf("a passcode share without flag P: %q", l.Flags)
	}
	in := e.receiverInput()
	mustAllOK(t, share.Open(ctx, res.Link, share.FetchOptions{Recipient: "ER", Passcode: "4711"}, in), 2)

	// Two minutes on, everywhere.
	later := 2 * time.Minute
	e.offset.Store(int64(later))
	chaintest.AdjustTime(t, e.sw.sim.Backend, later)
	e.sw.sim.Backend.Commit()
	defer func(old func() time.Time) { now = old }(now)
	now = func() time.Time { return time.Now().Add(later) }

	if _, err := share.Fetch(ctx, l, share.FetchOptions{Recipient: "ER", Passcode: "4711", Now: time.Now()}); !errors.Is(err, share.ErrNoLongerAvailable) {
		t.Fatalf("relay after expiry: %v, want 404", err)
	}
	g, err := share.NewChainReader(e.sw.sim.Client, e.sw.sim.Registry).GrantOf(ctx, testAddress(t), common.HexToHash(res.Grant))
	if err != nil || g.Active || g.Revoked {
		t.Fatalf("chain after expiry: %+v, %v", g, err)
	}
	in.Now = time.Now().Add(later)
	rep := share.Open(ctx, res.Link, share.FetchOptions{Recipient: "ER", Passcode: "4711"}, in)
	if c, _ := rep.Find(share.CheckNotExpired); rep.Verified || c.OK {
		t.Fatalf("receiver after expiry: %+v", rep.Checks)
	}
	shares, err := e.w.Shares(ctx)
	if err != nil || shares[0].State != ShareExpired {
		t.Fatalf("Shares after expiry: %+v, %v", shares, err)
	}
}

// What a patient meets when things are missing, each said plainly.
func TestShareRefusals(t *testing.T) {
	e := newShareEnv(t)
	ctx := context.Background()
	importObservations(t, e.w, "ref", 2)
	for _, c := range []struct {
		req  ShareRequest
		want string
	}{
		{ShareRequest{TTL: time.Hour, Purpose: "TREAT"}, "choose what to share"},
		{ShareRequest{All: true, Purpose: "TREAT"}, "choose how long"},
		{ShareRequest{All: true, TTL: time.Hour, Purpose: "LUNCH"}, "purpose"},
		{ShareRequest{All: true, TTL: time.Hour, Purpose: "TREAT", Recipient: "hwcard:nonsense"}, "recipient"},
		{ShareRequest{ResourceTypes: []string{"Immunization"}, TTL: time.Hour, Purpose: "TREAT"}, "no record matches"},
		{ShareRequest{All: true, TTL: time.Hour, Purpose: "TREAT", Label: strings.Repeat("x", 81)}, "label"},
	} {
		if _, err := e.w.Share(ctx, c.req); err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("Share(%+v) = %v, want %q", c.req, err, c.want)
		}
	}
	// The chain down: the records cannot be anchored, and Share says which.
	defer func(old time.Duration) { shareAnchorWait = old }(shareAnchorWait)
	shareAnchorWait = time.Second
	e.sw.down.Store(true)
	_, err := e.w.Share(ctx, ShareRequest{All: true, TTL: time.Hour, Purpose: "TREAT"})
	if !errors.Is(err, ErrNotAnchored) || !strings.Contains(err.Error(), "2 of 2") {
		t.Fatalf("Share with the chain down: %v", err)
	}
	e.sw.down.Store(false)

	// No relay saved.
	if err := e.w.SetRelayURL(""); err != nil {
		t.Fatal(err)
	}
	if _, err := e.w.Share(ctx, ShareRequest{All: true, TTL: time.Hour, Purpose: "TREAT"}); !errors.Is(err, ErrNoRelay) {
		t.Fatalf("Share without a relay: %v", err)
	}
	if err := e.w.SetRelayURL("ftp://relay"); err == nil {
		t.Fatal("SetRelayURL took an ftp URL")
	}
}

// A share to one recipient's card, with the relay gone when revoking: the
// chain's revocation ends it, the relay is told on the next call.
func TestShareRecipientAndOfflineRevoke(t *testing.T) {
	e := newShareEnv(t)
	ctx := context.Background()
	importObservations(t, e.w, "rcp", 3)
	list, _ := e.w.Records(Query{})
	card, err := e.w.Card() // the patient's own card stands in for a doctor's
	if err != nil {
		t.Fatal(err)
	}
	res, err := e.w.Share(ctx, ShareRequest{IDs: []string{list[0].ID, list[1].ID}, TTL: time.Hour, Purpose: "TREAT", Recipient: card})
	if err != nil || res.Records != 2 {
		t.Fatalf("Share = %+v, %v", res, err)
	}
	e.http.Close() // the relay is gone
	if err := e.w.Revoke(ctx, res.ID); err != nil {
		t.Fatalf("Revoke with the relay down but the chain up: %v", err)
	}
	shares, err := e.w.Shares(ctx)
	if err != nil || shares[0].State != ShareRevoked || !shares[0].Revoking || !strings.Contains(shares[0].Problem, "relay") {
		t.Fatalf("Shares with the relay down: %+v, %v", shares, err)
	}
	if _, err := e.w.AccessLog(ctx); !errors.Is(err, ErrIncomplete) {
		t.Fatalf("AccessLog with the relay down: %v", err)
	}
	g, _ := share.NewChainReader(e.sw.sim.Client, e.sw.sim.Registry).GrantOf(ctx, testAddress(t), common.HexToHash(res.Grant))
	if !g.Revoked {
		t.Fatalf("grant not revoked on chain: %+v", g)
	}
}

// The wallet serves a share itself; the receiver opens it over the network.
func TestShareDirect(t *testing.T) {
	e := newShareEnv(t)
	importObservations(t, e.w, "dir", 2)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	res, err := e.w.ShareDirect(ctx, ShareRequest{All: true, TTL: time.Hour, Purpose: "TREAT"}, "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	l, _ := share.ParseLink(res.Link)
	if !strings.HasPrefix(l.URL, "http://127.0.0.1:") || strings.HasPrefix(l.URL, e.http.URL) {
		t.Fatalf("direct link URL %q", l.URL)
	}
	mustAllOK(t, share.Open(ctx, res.Link, share.FetchOptions{Recipient: "Nurse"}, e.receiverInput()), 2)
	if _, err := e.w.ShareDirect(ctx, ShareRequest{All: true, TTL: time.Hour, Purpose: "TREAT"}, "127.0.0.1:0"); err == nil {
		t.Fatal("a second direct share while one is served")
	}
	log, err := e.w.AccessLog(ctx)
	if err != nil || len(log) == 0 || log[0].Source != "direct" {
		t.Fatalf("AccessLog of a direct share: %+v, %v", log, err)
	}
	cancel()
	time.Sleep(200 * time.Millisecond)
	rep := share.Open(context.Background(), res.Link, share.FetchOptions{Recipient: "Nurse"}, e.receiverInput())
	if c, _ := rep.Find(share.CheckManifestFetched); c.OK {
		t.Fatal("the direct share is still served after its context ended")
	}
}

func TestParseTTL(t *testing.T) {
	for in, want := range map[string]time.Duration{"15m": 15 * time.Minute, "1h": time.Hour, "1d": 24 * time.Hour, "1w": 7 * 24 * time.Hour, "3d": 72 * time.Hour, "90m": 90 * time.Minute} {
		if got, err := ParseTTL(in); err != nil || got != want {
			t.Errorf("ParseTTL(%q) = %v, %v", in, got, err)
		}
	}
	if got, err := ParseTTL("1m"); err != nil || got != MinShareTTL {
		t.Errorf("ParseTTL(1m) = %v, %v", got, err)
	}
	for _, in := range []string{"", "0", "-1h", "1x", "d", "0d", "30s", "59s", "59999ms"} {
		if _, err := ParseTTL(in); err == nil {
			t.Errorf("ParseTTL(%q) took it", in)
		}
	}
}

// BenchmarkShare500 shares 500 anchored records end to end: read and
// check them, build and sign, encrypt, upload to a relay over loopback HTTP,
// save the share with its outbox row, and wait for the grant's block.
func BenchmarkShare500(b *testing.B) {
	sw := &chainSwitch{sim: chaintest.Simulated(b, testAddress(b))}
	opts := fastKDF
	opts.OpenChain = sw.open
	w, err := Create(b.TempDir(), testMnemonic, testPassword, "Bench", opts)
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { w.Close() })
	srv, err := relay.Open(relay.Config{
		DataDir: b.TempDir(), Checker: relay.NewChainChecker(sw.sim.Client, sw.sim.Registry),
		DisableRateLimits: true, Logger: slog.New(slog.DiscardHandler),
	})
	if err != nil {
		b.Fatal(err)
	}
	hs := httptest.NewServer(srv.Handler())
	b.Cleanup(func() { hs.Close(); srv.Close() })
	path := filepath.Join(b.TempDir(), "bundle.json")
	writeSyntheticBundle(b, path, 0, 500)
	ctx := context.Background()
	if rep, err := w.Import(ctx, []string{path}, nil); err != nil || rep.Imported != 500 {
		b.Fatalf("import: %+v, %v", rep, err)
	}
	if _, err := w.Anchor(ctx); err != nil {
		b.Fatal(err)
	}
	b.ResetTimer()
	start := time.Now()
	for b.Loop() {
		res, err := w.Share(ctx, ShareRequest{All: true, TTL: time.Hour, Purpose: "TREAT", Relay: hs.URL})
		if err != nil || res.Records != 500 || res.Problem != "" {
			b.Fatalf("Share = %+v, %v", res, err)
		}
	}
	b.ReportMetric(float64(time.Since(start).Milliseconds())/float64(b.N), "ms/share")
}

// The grant is on chain before the relay sees the upload (issue 7, finding
// 2: the relay learns the digest at upload, and must not be able to take the
// grant's place first); an upload that fails leaves no grant standing — the
// wallet revokes the grant it issued for it.
func TestShareGrantBeforeUpload(t *testing.T) {
	e := newShareEnv(t)
	ctx := context.Background()
	importObservations(t, e.w, "order", 2)
	reader := share.NewChainReader(e.sw.sim.Client, e.sw.sim.Registry)
	var atUpload []share.GrantStatus
	var fail atomic.Bool
	front := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method == http.MethodPost && r.URL.Path == "/api/shares" {
			body, _ := io.ReadAll(r.Body)
			r.Body = io.NopCloser(bytes.NewReader(body))
			var req struct{ GrantDigest string }
			json.Unmarshal(body, &req)
			g, err := reader.GrantOf(r.Context(), testAddress(t), common.HexToHash(req.GrantDigest))
			if err != nil {
				t.Errorf("asking the chain at upload: %v", err)
			}
			atUpload = append(atUpload, g)
			if fail.Load() {
				http.Error(w, "the relay's disk is full", http.StatusInternalServerError)
				return
			}
		}
		e.relay.Handler().ServeHTTP(w, r)
	}))
	defer front.Close()
	if err := e.w.SetRelayURL(front.URL); err != nil {
		t.Fatal(err)
	}

	res, err := e.w.Share(ctx, ShareRequest{All: true, TTL: time.Hour, Purpose: "TREAT"})
	if err != nil || res.Problem != "" {
		t.Fatalf("Share: %+v, %v", res, err)
	}
	if len(atUpload) != 1 || !atUpload[0].Active || atUpload[0].Patient != testAddress(t) {
		t.Fatalf("the grant when the relay saw the upload: %+v; want it active on chain already", atUpload)
	}

	fail.Store(true)
	_, err = e.w.Share(ctx, ShareRequest{All: true, TTL: time.Hour, Purpose: "CAREMGT"})
	if err == nil || !strings.Contains(err.Error(), "500") || !strings.Contains(err.Error(), "revoked") {
		t.Fatalf("Share with a failing upload: %v", err)
	}
	if len(atUpload) != 2 || !atUpload[1].Active {
		t.Fatalf("the second grant at upload: %+v", atUpload)
	}
	shares, err := e.w.Shares(ctx)
	if err != nil || len(shares) != 1 || shares[0].ID != res.ID {
		t.Fatalf("Shares after the failed upload: %+v, %v", shares, err)
	}
	// The second grant: issued, then revoked by the wallet.
	var revoked int
	logs, err := e.sw.sim.Client.FilterLogs(ctx, ethereum.FilterQuery{
		FromBlock: new(big.Int), Addresses: []common.Address{e.sw.sim.Registry},
		Topics: [][]common.Hash{{contracts.NewHealthRegistry().GetABI().Events["GrantRevoked"].ID}, {common.BytesToHash(testAddress(t).Bytes())}},
	})
	if err != nil {
		t.Fatal(err)
	}
	for _, l := range logs {
		if g, err := reader.GrantOf(ctx, testAddress(t), l.Topics[2]); err == nil && g.Revoked && l.Topics[2] != common.HexToHash(res.Grant) {
			revoked++
		}
	}
	if revoked != 1 {
		t.Fatalf("%d unused grants revoked, want the failed share's one", revoked)
	}
}
