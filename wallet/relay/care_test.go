package relay

import (
	"context"
	"errors"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/ethereum/go-ethereum/common"
	"github.com/ethereum/go-ethereum/crypto"

	"healthwallet/chain"
	"healthwallet/chain/contracts"
)

// careFiles are a care copy's files: a bundle and a care proof, sealed.
func careFiles(t testing.TB, bundle string) []File {
	const careProof = "application/vnd.healthwallet.care-proof+json"
	return []File{
		{ContentType: "application/fhir+json", JWE: sealJWE(t, "application/fhir+json", []byte(bundle))},
		{ContentType: careProof, JWE: sealJWE(t, careProof, []byte(`{"updated":1}`))},
	}
}

// careCopy uploads the patient's care copy for delegate.
func (tr *testRelay) careCopy(delegate common.Address, files []File) (*ShareInfo, error) {
	return tr.client.CreateShare(context.Background(), CreateRequest{
		Files:      files,
		Flag:       FlagLongTerm,
		Expires:    tr.clock.Now().Add(30 * 24 * time.Hour),
		SharingKey: tr.p.sharing.PublicKey(),
		Delegate:   delegate,
	})
}

// embedded fetches a manifest with every file embedded and opens the first.
func (tr *testRelay) embeddedBundle(url, recipient string) string {
	tr.t.Helper()
	files := manifestFiles(tr.t, tr.manifest(url, map[string]any{"recipient": recipient, "embeddedLengthMax": 1 << 20}))
	if len(files) == 0 || files[0].Embedded == "" {
		tr.t.Fatalf("manifest without an embedded bundle: %+v", files)
	}
	return string(openJWE(tr.t, files[0].Embedded))
}

// TestCareCopyOnRegistry: the patient's care copy for a caregiver, on a real
// registry: held pending until the delegation is on chain, served while it
// is active, its files replaced under the same link with the access log
// kept, and gone — 404 saying the delegation ended, files deleted — once
// the patient revokes the delegation.
func TestCareCopyOnRegistry(t *testing.T) {
	s := newSimRegistry(t)
	tr := newTestRelay(t, func(c *Config) { c.Checker = NewChainChecker(s.sim.Client(), s.addr) })
	tr.p, tr.client = s.p, tr.clientFor(s.p)
	caregiver := crypto.PubkeyToAddress(s.caregiver.key.PublicKey)
	ctx := context.Background()

	// Uploaded before the delegation lands: pending, never served.
	info, err := tr.careCopy(caregiver, careFiles(t, "bundle v1"))
	if err != nil {
		t.Fatal(err)
	}
	if info.State != StatePending || info.Delegate != caregiver || info.GrantDigest != (common.Hash{}) {
		t.Fatalf("care copy before its delegation: %+v", info)
	}
	wantStatus(t, tr.manifest(info.URL, map[string]any{"recipient": "Bob"}), http.StatusServiceUnavailable)

	expiry := uint64(time.Now().Add(24 * time.Hour).Unix())
	s.send(s.reg.PackSetDelegate(caregiver, contracts.RightView, expiry, testScope))
	tr.clock.Advance(2 * time.Second) // past the cached "unknown"
	if got := tr.embeddedBundle(info.URL, "Bob"); got != "bundle v1" {
		t.Fatalf("care copy served %q", got)
	}

	// The patient's sync: new files, same id and link.
	if err := tr.client.ReplaceFiles(ctx, info.ID, careFiles(t, "bundle v2")); err != nil {
		t.Fatal(err)
	}
	if got := tr.embeddedBundle(info.URL, "Bob again"); got != "bundle v2" {
		t.Fatalf("after the replace the copy served %q", got)
	}
	log, err := tr.client.AccessLog(ctx, info.ID, tr.p.sharing)
	if err != nil {
		t.Fatal(err)
	}
	var who []string
	for _, e := range log {
		if e.Outcome == OutcomeServed {
			who = append(who, e.Recipient)
		}
	}
	if strings.Join(who, ",") != "Bob,Bob again" {
		t.Fatalf("access log after the replace: %+v", log)
	}
	// Only the patient replaces; a stranger's key gets 403.
	stranger := *tr
	stranger.p = newPatient(t)
	stranger.client = tr.clientFor(stranger.p)
	wantAPIError(t, stranger.client.ReplaceFiles(ctx, info.ID, careFiles(t, "forged")), ErrForbidden)
	if got := tr.embeddedBundle(info.URL, "Bob"); got != "bundle v2" {
		t.Fatalf("a stranger's replace changed the copy: %q", got)
	}

	// The patient ends the delegation: the next purge deletes the copy's
	// files though nobody asked for it, and the caregiver is told why.
	s.send(s.reg.PackRevokeDelegate(caregiver))
	tr.clock.Advance(6 * time.Second)
	if _, err := tr.srv.Purge(); err != nil {
		t.Fatal(err)
	}
	if _, err := tr.srv.store.file(info.ID, 0); !errors.Is(err, errNoShare) {
		t.Fatalf("the purge kept the files of a copy whose delegation was revoked: %v", err)
	}
	r := tr.manifest(info.URL, map[string]any{"recipient": "Bob"})
	wantStatus(t, r, http.StatusNotFound)
	if msg, _ := r.json(t)["error"].(string); !strings.Contains(msg, "delegation to you has ended") {
		t.Fatalf("404 after the revoke says %q", msg)
	}
	if _, err := tr.srv.store.file(info.ID, 0); !errors.Is(err, errNoShare) {
		t.Fatalf("the revoked delegation's copy kept its files: %v", err)
	}
	// Even if the patient set the delegation again, the ended copy stays ended.
	s.send(s.reg.PackSetDelegate(caregiver, contracts.RightView, expiry, testScope))
	tr.clock.Advance(6 * time.Second)
	wantStatus(t, tr.manifest(info.URL, map[string]any{"recipient": "Bob"}), http.StatusNotFound)
	if err := tr.client.ReplaceFiles(ctx, info.ID, careFiles(t, "bundle v3")); err == nil {
		t.Fatal("the files of an ended care copy were replaced")
	} else {
		wantAPIStatus(t, err, http.StatusConflict)
	}
}

// TestCareCopyUploadsRefused: who may not upload a care copy, and what it
// is told.
func TestCareCopyUploadsRefused(t *testing.T) {
	s := newSimRegistry(t)
	tr := newTestRelay(t, func(c *Config) { c.Checker = NewChainChecker(s.sim.Client(), s.addr) })
	tr.p, tr.client = s.p, tr.clientFor(s.p)
	caregiver := crypto.PubkeyToAddress(s.caregiver.key.PublicKey)
	ctx := context.Background()
	s.send(s.reg.PackSetDelegate(caregiver, contracts.RightView|contracts.RightShare, uint64(time.Now().Add(time.Hour).Unix()), testScope))

	// A stranger naming the patient and its delegate: 403, nothing stored.
	stranger := *tr
	stranger.p = newPatient(t)
	stranger.client = tr.clientFor(stranger.p)
	_, err := stranger.client.CreateShare(ctx, CreateRequest{Files: careFiles(t, "x"), Expires: tr.clock.Now().Add(time.Hour),
		SharingKey: stranger.p.sharing.PublicKey(), Patient: s.owner(), Delegate: caregiver})
	wantAPIError(t, err, ErrForbidden)
	// Nor may the delegate itself, though it holds SHARE: a care copy is the patient's.
	cg := *tr
	cg.p = s.caregiver
	cg.client = tr.clientFor(s.caregiver)
	_, err = cg.client.CreateShare(ctx, CreateRequest{Files: careFiles(t, "x"), Expires: tr.clock.Now().Add(time.Hour),
		SharingKey: cg.p.sharing.PublicKey(), Patient: s.owner(), Delegate: caregiver})
	wantAPIError(t, err, ErrForbidden)
	if shares, err := tr.client.List(ctx); err != nil || len(shares) != 0 {
		t.Fatalf("refused uploads left shares: %+v, %v", shares, err)
	}
	// The patient as its own delegate: 400.
	_, err = tr.careCopy(s.owner(), careFiles(t, "x"))
	wantAPIStatus(t, err, http.StatusBadRequest)
	// A care copy with a grant digest is refused before it is sent.
	if _, err := tr.client.CreateShare(ctx, CreateRequest{Files: careFiles(t, "x"), Expires: tr.clock.Now().Add(time.Hour),
		SharingKey: tr.p.sharing.PublicKey(), Delegate: caregiver, GrantDigest: [32]byte{1}}); err == nil {
		t.Fatal("a care copy with a grant digest was accepted")
	}

	// A relay that checks no chain takes no care copies.
	plain := newTestRelay(t)
	_, err = plain.careCopy(caregiver, careFiles(t, "x"))
	wantAPIStatus(t, err, http.StatusNotImplemented)
	// And a regular share's files are not replaced.
	info := plain.share(CreateRequest{})
	wantAPIStatus(t, plain.client.ReplaceFiles(ctx, info.ID, careFiles(t, "y")), http.StatusConflict)
}

// delegationChecker is a chain under the test's control for delegations:
// what a node answers of delegateOf, and whether the delegation's last
// event is a revoke.
type delegationChecker struct {
	fakeChecker
	mu      sync.Mutex
	d       chain.Delegation
	revoked time.Time
	err     error
}

func (c *delegationChecker) DelegateOf(context.Context, common.Address, common.Address) (chain.Delegation, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.d, c.err
}

func (c *delegationChecker) DelegationRevoked(context.Context, common.Address, common.Address) (time.Time, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.revoked, c.err
}

func (c *delegationChecker) set(d chain.Delegation, revoked time.Time, err error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.d, c.revoked, c.err = d, revoked, err
}

// TestCareCopyKeptUnlessTheChainEndsIt: only a revoke event or an expiry
// (by the chain and the relay's clock) ends a care copy; a node that does
// not know the delegation, calls it expired early, or is down gets 503 and
// the files stay. A copy whose delegation never appears is deleted after
// the grace.
func TestCareCopyKeptUnlessTheChainEndsIt(t *testing.T) {
	chk := &delegationChecker{}
	tr := newTestRelay(t, func(c *Config) { c.Checker = chk; c.ChainCacheTTL = time.Nanosecond })
	delegate := common.HexToAddress("0x00000000000000000000000000000000000Ca4e1")
	until := uint64(tr.clock.Now().Add(time.Hour).Unix())
	chk.set(chain.Delegation{Rights: contracts.RightView, Expiry: until, Scope: testScope, Active: true}, time.Time{}, nil)
	info, err := tr.careCopy(delegate, careFiles(t, "b"))
	if err != nil || info.State != StateActive {
		t.Fatalf("care copy with its delegation on chain: %+v, %v", info, err)
	}
	wantStatus(t, tr.manifest(info.URL, map[string]any{"recipient": "Bob"}), http.StatusOK)

	for _, c := range []struct {
		name    string
		d       chain.Delegation
		revoked time.Time
		err     error
	}{
		{"a node that does not know the delegation", chain.Delegation{}, time.Time{}, nil},
		{"a node calling it expired before the relay's clock does", chain.Delegation{Rights: 1, Expiry: until}, time.Time{}, nil},
		{"the chain down", chain.Delegation{}, time.Time{}, chain.ErrChainDown},
		// The patient revoked an earlier delegation to the same address and
		// set it again before the copy was made; a node behind that set
		// still has the revoke as its last word.
		{"a node behind, its last word an older revoke", chain.Delegation{}, tr.clock.Now().Add(-time.Hour), nil},
	} {
		chk.set(c.d, c.revoked, c.err)
		tr.clock.Advance(2 * time.Second)
		wantStatus(t, tr.manifest(info.URL, map[string]any{"recipient": "Bob"}), http.StatusServiceUnavailable)
		if _, err := tr.srv.Purge(); err != nil {
			t.Fatal(err)
		}
		if _, err := tr.srv.store.file(info.ID, 0); err != nil {
			t.Fatalf("%s: the copy's files are gone: %v", c.name, err)
		}
	}
	chk.set(chain.Delegation{Rights: contracts.RightView, Expiry: until, Scope: testScope, Active: true}, time.Time{}, nil)
	tr.clock.Advance(2 * time.Second)
	wantStatus(t, tr.manifest(info.URL, map[string]any{"recipient": "Bob"}), http.StatusOK)

	// Expired by the chain and by the relay's clock: ended.
	tr.clock.Advance(time.Hour)
	chk.set(chain.Delegation{Rights: contracts.RightView, Expiry: until, Scope: testScope}, time.Time{}, nil)
	wantStatus(t, tr.manifest(info.URL, map[string]any{"recipient": "Bob"}), http.StatusNotFound)
	if _, err := tr.srv.store.file(info.ID, 0); !errors.Is(err, errNoShare) {
		t.Fatalf("the expired delegation's copy kept its files: %v", err)
	}

	// A copy whose delegation never appears: pending, then deleted.
	chk.set(chain.Delegation{}, time.Time{}, nil)
	never, err := tr.careCopy(common.HexToAddress("0x00000000000000000000000000000000000Ca4e2"), careFiles(t, "b"))
	if err != nil || never.State != StatePending {
		t.Fatalf("care copy without its delegation: %+v, %v", never, err)
	}
	tr.clock.Advance(6 * time.Minute)
	if _, err := tr.srv.Purge(); err != nil {
		t.Fatal(err)
	}
	if _, err := tr.srv.store.share(never.ID); !errors.Is(err, errNoShare) {
		t.Fatalf("a care copy whose delegation never appeared outlived its grace: %v", err)
	}
}

// TestBlobs: a sealed invitation's round trip through the relay: stored by
// the patient, fetched by anyone with its URL, deleted by the patient only,
// gone at expiry; quotas hold.
func TestBlobs(t *testing.T) {
	tr := newTestRelay(t, func(c *Config) { c.Limits.MaxSharesPerKey = 2 })
	ctx := context.Background()
	data := []byte("sealed invitation \x00\x01\x02")
	url, err := tr.client.PutBlob(ctx, data, tr.clock.Now().Add(7*24*time.Hour))
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(url, tr.srv.public.String()+"/blob/") || len(url) > len(tr.srv.public.String())+len("/blob/")+24 {
		t.Fatalf("blob URL %q", url)
	}
	got, err := FetchBlob(ctx, nil, url)
	if err != nil || string(got) != string(data) {
		t.Fatalf("FetchBlob: %q, %v", got, err)
	}
	// Another id, well formed, is nothing.
	if _, err := FetchBlob(ctx, nil, tr.srv.public.String()+"/blob/AAAAAAAAAAAAAAAAAAAAAAAA"); !errors.Is(err, ErrBlobGone) {
		t.Fatalf("an id never given: %v", err)
	}

	// A stranger cannot delete it.
	stranger := *tr
	stranger.p = newPatient(t)
	stranger.client = tr.clientFor(stranger.p)
	wantAPIError(t, stranger.client.DeleteBlob(ctx, url), ErrForbidden)
	if _, err := FetchBlob(ctx, nil, url); err != nil {
		t.Fatalf("after a stranger's delete: %v", err)
	}

	// Quotas: a blob counts as a share of its uploader's.
	second, err := tr.client.PutBlob(ctx, []byte("second"), tr.clock.Now().Add(time.Hour))
	if err != nil {
		t.Fatal(err)
	}
	_, err = tr.client.PutBlob(ctx, []byte("third"), tr.clock.Now().Add(time.Hour))
	wantAPIError(t, err, ErrRateLimited)

	// The patient deletes it: gone, and its room is free again.
	if err := tr.client.DeleteBlob(ctx, url); err != nil {
		t.Fatal(err)
	}
	if _, err := FetchBlob(ctx, nil, url); !errors.Is(err, ErrBlobGone) {
		t.Fatalf("a deleted blob: %v", err)
	}
	wantAPIError(t, tr.client.DeleteBlob(ctx, url), ErrNotFound)
	if _, err := tr.client.PutBlob(ctx, []byte("third"), tr.clock.Now().Add(time.Hour)); err != nil {
		t.Fatalf("after a delete freed room: %v", err)
	}

	// Expiry: not served past it, deleted by the purge, room freed.
	tr.clock.Advance(time.Hour)
	if _, err := FetchBlob(ctx, nil, second); !errors.Is(err, ErrBlobGone) {
		t.Fatalf("an expired blob: %v", err)
	}
	if _, err := tr.srv.Purge(); err != nil {
		t.Fatal(err)
	}
	if _, err := tr.srv.store.blob(strings.TrimPrefix(second, tr.srv.public.String()+"/blob/")); !errors.Is(err, errNoShare) {
		t.Fatalf("the purge kept an expired blob: %v", err)
	}
	if _, err := tr.client.PutBlob(ctx, []byte("fourth"), tr.clock.Now().Add(time.Hour)); err != nil {
		t.Fatalf("after the purge freed room: %v", err)
	}

	// Bounds: size and lifetime.
	if _, err := tr.client.PutBlob(ctx, make([]byte, MaxBlobSize+1), tr.clock.Now().Add(time.Hour)); err == nil {
		t.Fatal("an oversized blob was sent")
	}
	_, err = tr.client.PutBlob(ctx, []byte("x"), tr.clock.Now().Add(31*24*time.Hour))
	wantAPIStatus(t, err, http.StatusBadRequest)
	// Not over plain http to another machine.
	if _, err := FetchBlob(ctx, nil, "http://relay.example.org/blob/AAAAAAAAAAAAAAAAAAAAAAAA"); err == nil || !strings.Contains(err.Error(), "plain http") {
		t.Fatalf("FetchBlob over plain http: %v", err)
	}
	// The relay down: a clear error.
	down := newTestRelay(t)
	downURL, err := down.client.PutBlob(ctx, []byte("x"), down.clock.Now().Add(time.Hour))
	if err != nil {
		t.Fatal(err)
	}
	down.ts.Close()
	if _, err := FetchBlob(ctx, nil, downURL); err == nil || !strings.Contains(err.Error(), "could not reach the relay") {
		t.Fatalf("FetchBlob with the relay down: %v", err)
	}
}

// TestCareCopyReplaceWithinQuota: replacing a care copy's files counts the
// change in bytes against the patient's quota; over it the relay answers
// 413 and keeps serving the files it had.
func TestCareCopyReplaceWithinQuota(t *testing.T) {
	chk := &delegationChecker{}
	tr := newTestRelay(t, func(c *Config) { c.Checker = chk; c.Limits.MaxBytesPerKey = 8 << 10 })
	ctx := context.Background()
	delegate := common.HexToAddress("0x00000000000000000000000000000000000Ca4e1")
	chk.set(chain.Delegation{Rights: contracts.RightView, Expiry: uint64(tr.clock.Now().Add(time.Hour).Unix()), Scope: testScope, Active: true}, time.Time{}, nil)
	info, err := tr.careCopy(delegate, careFiles(t, "small"))
	if err != nil {
		t.Fatal(err)
	}
	// Smaller or a little larger: fine, as often as the patient syncs.
	for _, b := range []string{"x", strings.Repeat("y", 2<<10), "small again"} {
		if err := tr.client.ReplaceFiles(ctx, info.ID, careFiles(t, b)); err != nil {
			t.Fatalf("replace with %d bytes: %v", len(b), err)
		}
	}
	err = tr.client.ReplaceFiles(ctx, info.ID, careFiles(t, strings.Repeat("z", 8<<10)))
	wantAPIError(t, err, ErrTooLarge)
	if got := tr.embeddedBundle(info.URL, "Bob"); got != "small again" {
		t.Fatalf("after a refused replace the copy serves %q", got)
	}
	// A malformed replace changes nothing either.
	wantAPIStatus(t, tr.client.ReplaceFiles(ctx, info.ID, nil), http.StatusBadRequest)
	if got := tr.embeddedBundle(info.URL, "Bob"); got != "small again" {
		t.Fatalf("after a malformed replace the copy serves %q", got)
	}
}
