package relay

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/json"
	"errors"
	"net/http"
	"net/http/httptest"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	bolt "go.etcd.io/bbolt"
)

func TestManifestEmbeddedAndLocation(t *testing.T) {
	tr := newTestRelay(t)
	info := tr.share(CreateRequest{Flag: "L"})
	if !strings.HasPrefix(info.URL, tr.ts.URL+"/shl/") || len(info.URL) > 128 {
		t.Fatalf("manifest URL %q", info.URL)
	}
	if info.State != StateActive || info.Files != 2 || info.MaxFailures != 10 {
		t.Fatalf("share info %+v", info)
	}

	// Embedded, when the client allows it.
	files := manifestFiles(t, tr.manifest(info.URL, map[string]any{"recipient": "Dr. Smith, City Clinic", "embeddedLengthMax": 1 << 20}))
	if len(files) != 2 || files[0].ContentType != "application/fhir+json" || files[1].ContentType != proofType {
		t.Fatalf("files %+v", files)
	}
	if got := string(openJWE(t, files[0].Embedded)); got != bundleText {
		t.Fatalf("embedded bundle decrypts to %q", got)
	}
	if files[0].Location != "" {
		t.Fatal("a file both embedded and located")
	}

	// Too long to embed, or no embeddedLengthMax: location URLs.
	for _, req := range []map[string]any{
		{"recipient": "Dr. Smith", "embeddedLengthMax": 10},
		{"recipient": "Dr. Smith", "unknownField": true},
	} {
		files = manifestFiles(t, tr.manifest(info.URL, req))
		if files[0].Embedded != "" || !strings.HasPrefix(files[0].Location, tr.ts.URL+"/file/") {
			t.Fatalf("want a location, got %+v", files[0])
		}
		r := tr.get(files[0].Location)
		wantStatus(t, r, http.StatusOK)
		if ct := r.header.Get("Content-Type"); ct != "application/jose" {
			t.Fatalf("file content type %q", ct)
		}
		if got := string(openJWE(t, string(r.body))); got != bundleText {
			t.Fatalf("located bundle decrypts to %q", got)
		}
		// Single use.
		wantStatus(t, tr.get(files[0].Location), http.StatusNotFound)
	}

	// A location URL dies after its lifetime (60 s by default).
	files = manifestFiles(t, tr.manifest(info.URL, map[string]any{"recipient": "Dr. Smith"}))
	tr.clock.Advance(61 * time.Second)
	wantStatus(t, tr.get(files[1].Location), http.StatusNotFound)
	// …and one used within it works.
	files = manifestFiles(t, tr.manifest(info.URL, map[string]any{"recipient": "Dr. Smith"}))
	tr.clock.Advance(59 * time.Second)
	wantStatus(t, tr.get(files[1].Location), http.StatusOK)

	// Malformed requests are 400, not a crash; a missing recipient too.
	for _, body := range []string{``, `[]`, `{"recipient":""}`, `{}`, `{"recipient":5}`, `{"recipient":"x","embeddedLengthMax":-1}`, `{"recipient":"x"} {}`} {
		r := do(t, tr.ts.Client(), http.MethodPost, info.URL, "application/json", []byte(body))
		wantStatus(t, r, http.StatusBadRequest)
	}
}

func TestPublicURL(t *testing.T) {
	tr := newTestRelay(t, func(c *Config) { c.PublicURL = "https://relay.example.org/hw" })
	info := tr.share(CreateRequest{})
	if !strings.HasPrefix(info.URL, "https://relay.example.org/hw/shl/") || len(info.URL) > 128 {
		t.Fatalf("manifest URL %q", info.URL)
	}
	id := info.ID
	files := manifestFiles(t, tr.manifest(tr.ts.URL+"/shl/"+id, map[string]any{"recipient": "x"}))
	if !strings.HasPrefix(files[0].Location, "https://relay.example.org/hw/file/") {
		t.Fatalf("location %q", files[0].Location)
	}
	if _, err := ParsePublicURL("https://" + strings.Repeat("a", 80) + ".example.org"); err == nil {
		t.Fatal("a public URL that makes manifest URLs over 128 characters was accepted")
	}
	for _, bad := range []string{"ftp://x", "https://", "https://x/?q=1", "relay.example.org"} {
		if _, err := ParsePublicURL(bad); err == nil {
			t.Fatalf("public URL %q accepted", bad)
		}
	}
}

func TestDirectFlagU(t *testing.T) {
	tr := newTestRelay(t)
	jwe := sealJWE(t, "application/smart-health-card", []byte(`{"verifiableCredential":["x.y.z"]}`))
	info := tr.share(CreateRequest{Flag: "U", Files: []File{{ContentType: "application/smart-health-card", JWE: jwe}}})

	r := tr.get(info.URL + "?recipient=" + url.QueryEscape("Dr. Who, Gallifrey General") + "&purpose=TREAT")
	wantStatus(t, r, http.StatusOK)
	if r.header.Get("Content-Type") != "application/jose" || string(r.body) != jwe {
		t.Fatalf("direct GET: %s %.60q", r.header.Get("Content-Type"), r.body)
	}
	wantStatus(t, tr.get(info.URL), http.StatusBadRequest) // recipient is required

	// GET on a share without U: 404, like an unknown one.
	other := tr.share(CreateRequest{})
	wantStatus(t, tr.get(other.URL+"?recipient=x"), http.StatusNotFound)

	// U with P, or U with two files, is refused at creation.
	_, err := tr.tryShare(CreateRequest{Flag: "PU", Passcode: "1234"})
	wantAPIStatus(t, err, 400)
	_, err = tr.tryShare(CreateRequest{Flag: "U"})
	wantAPIStatus(t, err, 400)

	log, err := tr.client.AccessLog(context.Background(), info.ID, tr.p.sharing)
	if err != nil {
		t.Fatal(err)
	}
	if len(log) != 1 || log[0].Kind != KindDirect || log[0].Recipient != "Dr. Who, Gallifrey General" || log[0].Purpose != "TREAT" ||
		log[0].ContentType != "application/smart-health-card" || log[0].Outcome != OutcomeServed {
		t.Fatalf("access log %+v", log)
	}
}

func TestPasscode(t *testing.T) {
	tr := newTestRelay(t)
	info := tr.share(CreateRequest{Flag: "P", Passcode: "1234", MaxFailures: 5})
	if info.MaxFailures != 5 {
		t.Fatalf("max failures %d", info.MaxFailures)
	}

	r := tr.manifest(info.URL, map[string]any{"recipient": "Dr. Smith"})
	wantStatus(t, r, http.StatusUnauthorized)
	if got := r.json(t)["remainingAttempts"]; got != float64(5) {
		t.Fatalf("no passcode: remainingAttempts %v, want 5 (a missing passcode is not counted)", got)
	}
	for want := 4; want >= 3; want-- {
		r = tr.manifest(info.URL, map[string]any{"recipient": "Dr. Smith", "passcode": "0000"})
		wantStatus(t, r, http.StatusUnauthorized)
		if got := r.json(t)["remainingAttempts"]; got != float64(want) {
			t.Fatalf("remainingAttempts %v, want %d", got, want)
		}
	}
	files := manifestFiles(t, tr.manifest(info.URL, map[string]any{"recipient": "Dr. Smith", "passcode": "1234", "embeddedLengthMax": 100000}))
	if string(openJWE(t, files[0].Embedded)) != bundleText {
		t.Fatal("the right passcode does not give the bundle")
	}
	// The right passcode does not reset the lifetime count.
	r = tr.manifest(info.URL, map[string]any{"recipient": "Dr. Smith", "passcode": "9999"})
	if got := r.json(t)["remainingAttempts"]; got != float64(2) {
		t.Fatalf("remainingAttempts %v after a success, want 2", got)
	}
	// A passcode without flag P, and P without a passcode, are refused.
	_, err := tr.tryShare(CreateRequest{Passcode: "1234"})
	wantAPIStatus(t, err, 400)
	_, err = tr.tryShare(CreateRequest{Flag: "P"})
	wantAPIStatus(t, err, 400)
}

// TestPasscodeLimitUnderParallelAttempts is the acceptance test:
// 100 parallel wrong attempts count exactly to the lifetime limit, then the
// link is dead, even for the right passcode.
func TestPasscodeLimitUnderParallelAttempts(t *testing.T) {
	tr := newTestRelay(t)
	info := tr.share(CreateRequest{Flag: "P", Passcode: "correct horse"})
	const attempts = 100
	var (
		wg        sync.WaitGroup
		mu        sync.Mutex
		statuses  = map[int]int{}
		remaining []int
	)
	start := make(chan struct{})
	for i := range attempts {
		wg.Add(1)
		go func() {
			defer wg.Done()
			<-start
			body, _ := json.Marshal(map[string]any{"recipient": "attacker", "passcode": strconv.Itoa(i)})
			resp, err := tr.ts.Client().Post(info.URL, "application/json", strings.NewReader(string(body)))
			if err != nil {
				t.Error(err)
				return
			}
			defer resp.Body.Close()
			var m struct {
				Remaining *int `json:"remainingAttempts"`
			}
			json.NewDecoder(resp.Body).Decode(&m)
			mu.Lock()
			defer mu.Unlock()
			statuses[resp.StatusCode]++
			if resp.StatusCode == http.StatusUnauthorized && m.Remaining != nil {
				remaining = append(remaining, *m.Remaining)
			}
		}()
	}
	close(start)
	wg.Wait()
	if statuses[http.StatusUnauthorized] != 10 || statuses[http.StatusNotFound] != attempts-10 || len(statuses) != 2 {
		t.Fatalf("statuses %v: want exactly 10 × 401 and %d × 404", statuses, attempts-10)
	}
	slices.Sort(remaining)
	if !slices.Equal(remaining, []int{0, 1, 2, 3, 4, 5, 6, 7, 8, 9}) {
		t.Fatalf("remainingAttempts seen %v, want each of 9…0 once", remaining)
	}
	r := tr.manifest(info.URL, map[string]any{"recipient": "Dr. Smith", "passcode": "correct horse"})
	wantStatus(t, r, http.StatusNotFound)

	shares, err := tr.client.List(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if len(shares) != 1 || shares[0].State != StateLocked || shares[0].Failures != 10 || !shares[0].Shredded {
		t.Fatalf("after the limit: %+v", shares)
	}
	if _, err := tr.srv.store.file(info.ID, 0); !errors.Is(err, errNoShare) {
		t.Fatalf("the locked share's ciphertext is still stored (err %v)", err)
	}
}

func TestRevoke(t *testing.T) {
	tr := newTestRelay(t)
	info := tr.share(CreateRequest{})
	files := manifestFiles(t, tr.manifest(info.URL, map[string]any{"recipient": "Dr. Smith"}))

	// Someone else cannot revoke it.
	stranger := tr.clientFor(newPatient(t))
	wantAPIError(t, stranger.Revoke(context.Background(), info.ID), ErrForbidden)
	wantStatus(t, tr.manifest(info.URL, map[string]any{"recipient": "Dr. Smith"}), http.StatusOK)

	if err := tr.client.Revoke(context.Background(), info.ID); err != nil {
		t.Fatal(err)
	}
	// At once: the manifest, and a location URL handed out before.
	wantStatus(t, tr.manifest(info.URL, map[string]any{"recipient": "Dr. Smith"}), http.StatusNotFound)
	wantStatus(t, tr.get(files[0].Location), http.StatusNotFound)
	if _, err := tr.srv.store.file(info.ID, 0); !errors.Is(err, errNoShare) {
		t.Fatal("revoked ciphertext is still stored")
	}
	shares, _ := tr.client.List(context.Background())
	if shares[0].State != StateRevoked || !shares[0].Shredded || shares[0].Ended == nil {
		t.Fatalf("after revoke: %+v", shares[0])
	}
	// Revoking twice is fine; an unknown share is ErrNotFound.
	if err := tr.client.Revoke(context.Background(), info.ID); err != nil {
		t.Fatal(err)
	}
	unknown, _ := newShareID()
	wantAPIError(t, tr.client.Revoke(context.Background(), unknown), ErrNotFound)
	// The 404 is the same for revoked, unknown and malformed ids.
	a := tr.manifest(info.URL, map[string]any{"recipient": "x"})
	b := tr.manifest(tr.ts.URL+"/shl/"+unknown, map[string]any{"recipient": "x"})
	c := tr.manifest(tr.ts.URL+"/shl/nope", map[string]any{"recipient": "x"})
	if a.status != 404 || string(a.body) != string(b.body) || string(b.body) != string(c.body) {
		t.Fatalf("404s differ: %q %q %q", a.body, b.body, c.body)
	}
}

func TestExpiryAndPurge(t *testing.T) {
	tr := newTestRelay(t)
	asked := tr.share(CreateRequest{Expires: tr.clock.Now().Add(15 * time.Minute)})
	quiet := tr.share(CreateRequest{Expires: tr.clock.Now().Add(15 * time.Minute)})
	kept := tr.share(CreateRequest{Expires: tr.clock.Now().Add(time.Hour)})
	wantStatus(t, tr.manifest(asked.URL, map[string]any{"recipient": "x"}), http.StatusOK)

	tr.clock.Advance(15 * time.Minute)
	// At expiry the relay stops serving, and shreds what was asked for.
	wantStatus(t, tr.manifest(asked.URL, map[string]any{"recipient": "x"}), http.StatusNotFound)
	if _, err := tr.srv.store.file(asked.ID, 0); !errors.Is(err, errNoShare) {
		t.Fatal("an expired share asked for still holds its ciphertext")
	}
	// The purge shreds the ones nobody asked for.
	if _, err := tr.srv.store.file(quiet.ID, 0); err != nil {
		t.Fatalf("before the purge: %v", err)
	}
	n, err := tr.srv.Purge()
	if err != nil || n != 1 {
		t.Fatalf("Purge = %d, %v; want 1 share shredded", n, err)
	}
	if _, err := tr.srv.store.file(quiet.ID, 1); !errors.Is(err, errNoShare) {
		t.Fatal("the purge left an expired share's ciphertext")
	}
	wantStatus(t, tr.manifest(kept.URL, map[string]any{"recipient": "x"}), http.StatusOK)

	shares, _ := tr.client.List(context.Background())
	for _, s := range shares {
		want := StateExpired
		if s.ID == kept.ID {
			want = StateActive
		}
		if s.State != want || s.Shredded != (want == StateExpired) {
			t.Fatalf("share %+v, want %s", s, want)
		}
	}
	// The access log survives expiry for the patient…
	log, err := tr.client.AccessLog(context.Background(), asked.ID, tr.p.sharing)
	if err != nil || len(log) != 2 || log[1].Outcome != OutcomeRefused {
		t.Fatalf("log after expiry: %+v, %v", log, err)
	}
	// …until the retention time (90 days) has passed.
	tr.clock.Advance(91 * 24 * time.Hour)
	if _, err := tr.srv.Purge(); err != nil {
		t.Fatal(err)
	}
	shares, _ = tr.client.List(context.Background())
	if len(shares) != 0 {
		t.Fatalf("%d shares left after retention", len(shares))
	}

	// A share cannot be made already expired, or beyond the relay's MaxTTL.
	_, err = tr.tryShare(CreateRequest{Expires: tr.clock.Now().Add(-time.Second)})
	wantAPIStatus(t, err, 400)
	_, err = tr.tryShare(CreateRequest{Expires: tr.clock.Now().Add(400 * 24 * time.Hour)})
	wantAPIStatus(t, err, 400)
}

func TestChainCheck(t *testing.T) {
	chk := &fakeChecker{}
	tr := newTestRelay(t, func(c *Config) { c.Checker = chk })
	chk.owner = tr.client.addr
	var digest [32]byte
	rand.Read(digest[:])
	info := tr.share(CreateRequest{GrantDigest: digest})
	if info.State != StatePending {
		t.Fatalf("uploaded before its grant: state %s, want %s", info.State, StatePending)
	}
	// Past the cache of each answer, the relay asks again.
	anew := func() { tr.clock.Advance(6 * time.Second) }

	// Not on chain yet: pending, never served, kept.
	r := tr.manifest(info.URL, map[string]any{"recipient": "x"})
	wantStatus(t, r, http.StatusServiceUnavailable)
	if r.header.Get("Retry-After") == "" || !strings.Contains(string(r.body), "cannot check consent right now") {
		t.Fatalf("503 without Retry-After or reason: %v %s", r.header, r.body)
	}
	chk.set(digest, true, nil)
	anew()
	files := manifestFiles(t, tr.manifest(info.URL, map[string]any{"recipient": "x"}))
	if shares, _ := tr.client.List(context.Background()); shares[0].State != StateActive {
		t.Fatalf("its grant on chain, the share is %s", shares[0].State)
	}

	// The chain is down: 503, and the location URL still works afterwards.
	chk.set(digest, true, errors.New("dial tcp: connection refused"))
	anew()
	wantStatus(t, tr.manifest(info.URL, map[string]any{"recipient": "x"}), http.StatusServiceUnavailable)
	wantStatus(t, tr.get(files[0].Location), http.StatusServiceUnavailable)
	chk.set(digest, true, nil)
	anew()
	wantStatus(t, tr.get(files[0].Location), http.StatusOK)

	// A node that says "not active" without the grant being revoked or
	// expired (one lagging behind): 503, and the files stay.
	chk.lagging = true
	chk.set(digest, false, nil)
	anew()
	wantStatus(t, tr.get(files[1].Location), http.StatusServiceUnavailable)
	if _, err := tr.srv.store.file(info.ID, 0); err != nil {
		t.Fatalf("a node's unconfirmed \"not active\" deleted the files: %v", err)
	}
	chk.lagging = false
	chk.set(digest, true, nil)
	anew()
	wantStatus(t, tr.manifest(info.URL, map[string]any{"recipient": "x"}), http.StatusOK)

	// Expired by the chain's expiry, but not by the relay's clock (a node
	// whose clock runs ahead): kept, 503. Once the relay's clock agrees:
	// ended.
	chk.lagging = true
	chk.expiry = tr.clock.Now().Add(time.Minute)
	chk.set(digest, false, nil)
	anew()
	wantStatus(t, tr.get(files[1].Location), http.StatusServiceUnavailable)
	if _, err := tr.srv.store.file(info.ID, 0); err != nil {
		t.Fatalf("an expiry the relay's clock does not confirm deleted the files: %v", err)
	}
	chk.lagging, chk.expiry = false, time.Time{}
	expired := newTestRelay(t, func(c *Config) { c.Checker = chk })
	chk.owner = expired.client.addr
	var soon [32]byte
	rand.Read(soon[:])
	chk.set(soon, true, nil)
	gone := expired.share(CreateRequest{GrantDigest: soon})
	chk.lagging, chk.expiry = true, expired.clock.Now().Add(-time.Second)
	chk.set(soon, false, nil)
	expired.clock.Advance(6 * time.Second)
	wantStatus(t, expired.manifest(gone.URL, map[string]any{"recipient": "x"}), http.StatusNotFound)
	if _, err := expired.srv.store.file(gone.ID, 0); !errors.Is(err, errNoShare) {
		t.Fatal("expired on chain and by the relay's clock, the files stay")
	}
	chk.lagging, chk.expiry, chk.owner = false, time.Time{}, tr.client.addr

	// Revoked on chain: 404 and shredded, for good.
	chk.set(digest, false, nil)
	anew()
	wantStatus(t, tr.get(files[1].Location), http.StatusNotFound)
	if _, err := tr.srv.store.file(info.ID, 0); !errors.Is(err, errNoShare) {
		t.Fatal("a share whose grant ended still holds its ciphertext")
	}
	chk.set(digest, true, nil)
	anew()
	wantStatus(t, tr.manifest(info.URL, map[string]any{"recipient": "x"}), http.StatusNotFound)
	shares, _ := tr.client.List(context.Background())
	if shares[0].State != StateGrantEnded {
		t.Fatalf("state %s, want %s", shares[0].State, StateGrantEnded)
	}

	// Fail open, when configured: an active share is served while the chain
	// is down; a pending one never is.
	open := newTestRelay(t, func(c *Config) { c.Checker = chk; c.ChainFailOpen = true })
	chk.owner = open.client.addr
	var other [32]byte
	rand.Read(other[:])
	chk.set(other, true, nil)
	info = open.share(CreateRequest{GrantDigest: other})
	pending := open.share(CreateRequest{})
	chk.set(other, true, errors.New("chain down"))
	open.clock.Advance(6 * time.Second)
	wantStatus(t, open.manifest(info.URL, map[string]any{"recipient": "x"}), http.StatusOK)
	wantStatus(t, open.manifest(pending.URL, map[string]any{"recipient": "x"}), http.StatusServiceUnavailable)
}

// A stranger's upload naming a patient's grant is held pending, never
// served, and purged once the grace is over; the patient's own share of the
// same grant is served (issue 7, finding 3).
func TestChainCheckGrantOfAnotherPatient(t *testing.T) {
	chk := &fakeChecker{}
	tr := newTestRelay(t, func(c *Config) { c.Checker = chk; c.PendingGrace = time.Minute })
	var digest [32]byte
	rand.Read(digest[:])
	chk.setFor(digest, tr.client.addr, true) // the patient's active grant

	stranger := newPatient(t)
	tr2 := *tr
	tr2.p, tr2.client = stranger, tr.clientFor(stranger)
	info := tr2.share(CreateRequest{GrantDigest: digest})
	if info.State != StatePending {
		t.Fatalf("a stranger's upload: state %s, want pending", info.State)
	}
	wantStatus(t, tr.manifest(info.URL, map[string]any{"recipient": "x"}), http.StatusServiceUnavailable)

	own := tr.share(CreateRequest{GrantDigest: digest})
	wantStatus(t, tr.manifest(own.URL, map[string]any{"recipient": "x"}), http.StatusOK)

	tr.clock.Advance(time.Minute)
	if _, err := tr.srv.Purge(); err != nil {
		t.Fatal(err)
	}
	if _, err := tr.srv.store.share(info.ID); !errors.Is(err, errNoShare) {
		t.Fatalf("the stranger's upload outlived its grace: %v", err)
	}
	if shares, err := tr2.client.List(context.Background()); err != nil || len(shares) != 0 {
		t.Fatalf("the stranger still has %+v, %v", shares, err)
	}
	wantStatus(t, tr.manifest(own.URL, map[string]any{"recipient": "x"}), http.StatusOK)
}

func TestAuth(t *testing.T) {
	tr := newTestRelay(t)
	ctx := context.Background()
	info := tr.share(CreateRequest{})
	stranger := tr.clientFor(newPatient(t))

	t.Run("wrong signer", func(t *testing.T) {
		_, err := stranger.AccessLog(ctx, info.ID, tr.p.sharing)
		wantAPIError(t, err, ErrForbidden)
		wantAPIError(t, stranger.Revoke(ctx, info.ID), ErrForbidden)
		list, err := stranger.List(ctx)
		if err != nil || len(list) != 0 {
			t.Fatalf("a stranger lists %d shares (%v)", len(list), err)
		}
	})
	t.Run("stale timestamp", func(t *testing.T) {
		for _, skew := range []time.Duration{-6 * time.Minute, 6 * time.Minute} {
			c := tr.clientFor(tr.p)
			c.Now = func() time.Time { return tr.clock.Now().Add(skew) }
			_, err := c.List(ctx)
			wantAPIError(t, err, ErrUnauthorized)
		}
		c := tr.clientFor(tr.p)
		c.Now = func() time.Time { return tr.clock.Now().Add(4 * time.Minute) }
		if _, err := c.List(ctx); err != nil {
			t.Fatalf("4 minutes of skew refused: %v", err)
		}
	})
	t.Run("missing or malformed", func(t *testing.T) {
		for _, h := range []string{"", "Bearer x", "HW-Sig ts=1", "HW-Sig ts=1,nonce=aaaaaaaaaaaaaaaaaaaa,sig=0x00", "HW-Sig ts=x,nonce=y,sig=z,ts=2"} {
			req, _ := http.NewRequest(http.MethodGet, tr.ts.URL+"/api/shares", nil)
			if h != "" {
				req.Header.Set("Authorization", h)
			}
			resp, err := tr.ts.Client().Do(req)
			if err != nil {
				t.Fatal(err)
			}
			resp.Body.Close()
			if resp.StatusCode != http.StatusUnauthorized {
				t.Fatalf("Authorization %q: %d, want 401", h, resp.StatusCode)
			}
		}
	})

	// A signed request, sent by hand so it can be replayed and tampered with.
	body, _ := json.Marshal(createRequestJSON{
		Patient:     tr.client.addr.Hex(),
		GrantDigest: "0x" + strings.Repeat("ab", 32),
		SharingKey:  b64(tr.p.sharing.PublicKey().Bytes()),
		Expires:     tr.clock.Now().Add(time.Hour).Unix(),
		Files:       []File{{ContentType: "application/fhir+json", JWE: sealJWE(t, "application/fhir+json", []byte(bundleText))}},
	})
	send := func(body []byte, auth string) int {
		req, _ := http.NewRequest(http.MethodPost, tr.ts.URL+"/api/shares", strings.NewReader(string(body)))
		req.Header.Set("Authorization", auth)
		resp, err := tr.ts.Client().Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		return resp.StatusCode
	}
	t.Run("tampered body", func(t *testing.T) {
		auth, err := signRequest(tr.p.key, tr.origin(), PurposeUpload, http.MethodPost, "/api/shares", body, tr.clock.Now())
		if err != nil {
			t.Fatal(err)
		}
		tampered := []byte(strings.Replace(string(body), "abab", "cdcd", 1))
		if got := send(tampered, auth); got != http.StatusUnauthorized && got != http.StatusForbidden {
			t.Fatalf("tampered body: %d, want 401 or 403", got)
		}
	})
	t.Run("replayed nonce", func(t *testing.T) {
		auth, _ := signRequest(tr.p.key, tr.origin(), PurposeUpload, http.MethodPost, "/api/shares", body, tr.clock.Now())
		if got := send(body, auth); got != http.StatusCreated {
			t.Fatalf("first send: %d", got)
		}
		if got := send(body, auth); got != http.StatusUnauthorized {
			t.Fatalf("replay: %d, want 401", got)
		}
	})
	t.Run("create for another patient", func(t *testing.T) {
		auth, _ := signRequest(stranger.key, tr.origin(), PurposeUpload, http.MethodPost, "/api/shares", body, tr.clock.Now())
		if got := send(body, auth); got != http.StatusForbidden {
			t.Fatalf("signed by a stranger: %d, want 403", got)
		}
	})
}

func TestNonceSurvivesRestart(t *testing.T) {
	tr := newTestRelay(t)
	auth, _ := signRequest(tr.p.key, tr.origin(), PurposeList, http.MethodGet, "/api/shares", nil, tr.clock.Now())
	get := func(h http.Handler) int {
		req := httptest.NewRequest(http.MethodGet, "/api/shares", nil)
		req.Header.Set("Authorization", auth)
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, req)
		return rec.Code
	}
	if got := get(tr.srv.Handler()); got != 200 {
		t.Fatalf("first: %d", got)
	}
	tr.ts.Close()
	tr.srv.Close()
	srv, err := Open(Config{DataDir: tr.dir, PublicURL: tr.ts.URL, Now: tr.clock.Now, Logger: tr.srv.log})
	if err != nil {
		t.Fatal(err)
	}
	defer srv.Close()
	if got := get(srv.Handler()); got != http.StatusUnauthorized {
		t.Fatalf("replay after a restart: %d, want 401", got)
	}
}

func TestRateLimits(t *testing.T) {
	tr := newTestRelay(t, func(c *Config) {
		c.DisableRateLimits = false
		c.Limits.PerIP = Rate{PerSecond: 1, Burst: 3}
		c.Limits.PerShare = Rate{PerSecond: 100, Burst: 100}
	})
	info := tr.share(CreateRequest{}) // one token
	for range 2 {
		wantStatus(t, tr.manifest(info.URL, map[string]any{"recipient": "x"}), http.StatusOK)
	}
	r := tr.manifest(info.URL, map[string]any{"recipient": "x"})
	wantStatus(t, r, http.StatusTooManyRequests)
	if ra, err := strconv.Atoi(r.header.Get("Retry-After")); err != nil || ra < 1 {
		t.Fatalf("Retry-After %q", r.header.Get("Retry-After"))
	}
	tr.clock.Advance(time.Second)
	wantStatus(t, tr.manifest(info.URL, map[string]any{"recipient": "x"}), http.StatusOK)

	// Per share: many clients (addresses) on one share.
	ts := newTestRelay(t, func(c *Config) {
		c.DisableRateLimits = false
		c.TrustProxy = true
		c.Limits.PerShare = Rate{PerSecond: 0.5, Burst: 2}
	})
	info = ts.share(CreateRequest{})
	statuses := []int{}
	for i := range 4 {
		body, _ := json.Marshal(map[string]any{"recipient": "x"})
		req, _ := http.NewRequest(http.MethodPost, info.URL, strings.NewReader(string(body)))
		req.Header.Set("X-Forwarded-For", "10.0.0."+strconv.Itoa(i))
		resp, err := ts.ts.Client().Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		statuses = append(statuses, resp.StatusCode)
		if resp.StatusCode == 429 && resp.Header.Get("Retry-After") != "2" {
			t.Fatalf("per-share Retry-After %q, want 2", resp.Header.Get("Retry-After"))
		}
	}
	if !slices.Equal(statuses, []int{200, 200, 429, 429}) {
		t.Fatalf("per-share statuses %v", statuses)
	}
	var apiErr *APIError
	c := ts.clientFor(ts.p)
	for range 50 {
		if _, err := c.List(context.Background()); errors.As(err, &apiErr) {
			break
		}
	}
	if apiErr == nil || !errors.Is(apiErr, ErrRateLimited) || apiErr.RetryAfter < time.Second {
		t.Fatalf("management API not rate limited: %v", apiErr)
	}
}

func TestBodyLimits(t *testing.T) {
	tr := newTestRelay(t, func(c *Config) { c.Limits.MaxCreateBody = 64 << 10 })
	info := tr.share(CreateRequest{})
	big := `{"recipient":"x","pad":"` + strings.Repeat("a", 17<<10) + `"}`
	wantStatus(t, do(t, tr.ts.Client(), http.MethodPost, info.URL, "application/json", []byte(big)), http.StatusRequestEntityTooLarge)

	huge := sealJWE(t, "application/fhir+json", make([]byte, 80<<10))
	_, err := tr.tryShare(CreateRequest{Files: []File{{ContentType: "application/fhir+json", JWE: huge}}})
	wantAPIError(t, err, ErrTooLarge)
}

func TestAccessLog(t *testing.T) {
	tr := newTestRelay(t)
	info := tr.share(CreateRequest{Flag: "P", Passcode: "2468"})
	tr.manifest(info.URL, map[string]any{"recipient": "Dr. Smith, City Clinic", "passcode": "1111", "purpose": "TREAT"})
	files := manifestFiles(t, tr.manifest(info.URL, map[string]any{"recipient": "Dr. Smith, City Clinic", "passcode": "2468", "purpose": "TREAT"}))
	wantStatus(t, tr.get(files[1].Location), http.StatusOK)
	tr.manifest(info.URL, map[string]any{"recipient": "Émergence Clinic — Dr. Ünal"})

	log, err := tr.client.AccessLog(context.Background(), info.ID, tr.p.sharing)
	if err != nil {
		t.Fatal(err)
	}
	type row struct{ recipient, purpose, kind, outcome, ct string }
	var got []row
	for _, e := range log {
		if e.Time != tr.clock.Now().UTC() {
			t.Fatalf("entry time %v, want %v", e.Time, tr.clock.Now().UTC())
		}
		got = append(got, row{e.Recipient, e.Purpose, e.Kind, e.Outcome, e.ContentType})
	}
	want := []row{
		{"Dr. Smith, City Clinic", "TREAT", KindManifest, OutcomeWrongPasscode, ""},
		{"Dr. Smith, City Clinic", "TREAT", KindManifest, OutcomeServed, ""},
		{"Dr. Smith, City Clinic", "TREAT", KindFile, OutcomeServed, proofType},
		{"Émergence Clinic — Dr. Ünal", "", KindManifest, OutcomePasscodeMissing, ""},
	}
	if !slices.Equal(got, want) {
		t.Fatalf("access log\n got %v\nwant %v", got, want)
	}
	// Opened once: the wrong and the missing passcode and the file fetch
	// are in the log but are not openings.
	list, err := tr.client.List(context.Background())
	if err != nil || len(list) != 1 || list[0].Opened != 1 || list[0].Accesses != 4 {
		t.Fatalf("list %+v, %v: want opened 1 of 4 accesses", list, err)
	}

	// Only the patient's sharing key opens it — not another key, and the
	// relay's store holds no recipient in clear.
	other := newPatient(t)
	if _, err := tr.client.AccessLog(context.Background(), info.ID, other.sharing); !errors.Is(err, ErrNotYourLog) {
		t.Fatalf("another key: %v, want ErrNotYourLog", err)
	}
	sealed, _ := tr.srv.store.logs(info.ID)
	for _, s := range sealed {
		if strings.Contains(string(s), "Smith") {
			t.Fatal("a log entry holds the recipient in clear")
		}
	}
	// An entry moved from another share is caught.
	other2 := tr.share(CreateRequest{})
	if _, err := OpenEntry(tr.p.sharing, other2.ID, sealed[0]); err == nil {
		t.Fatal("an entry of another share opened without complaint")
	}
}

func TestListAndHealth(t *testing.T) {
	tr := newTestRelay(t)
	a := tr.share(CreateRequest{})
	tr.clock.Advance(time.Second)
	b := tr.share(CreateRequest{Flag: "LP", Passcode: "1"})
	list, err := tr.client.List(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if len(list) != 2 || list[0].ID != b.ID || list[1].ID != a.ID || list[0].Flag != "LP" || list[0].Patient != tr.client.addr {
		t.Fatalf("list %+v", list)
	}
	r := tr.get(tr.ts.URL + "/healthz")
	if r.status != 200 || string(r.body) != "ok\n" {
		t.Fatalf("healthz %d %q", r.status, r.body)
	}
}

// TestLogsCarryNoSecrets runs the relay through creation, passcodes, files,
// revocation and errors, and checks its own logs for anything of the
// patient's or the receiver's.
func TestLogsCarryNoSecrets(t *testing.T) {
	chk := &fakeChecker{err: errors.New("boom")}
	tr := newTestRelay(t)
	const (
		recipient = "Dr. Zebediah Quux, Nowhere Clinic"
		passcode  = "pass-7391-secret"
		purpose   = "PURPOSE-SENTINEL"
	)
	info := tr.share(CreateRequest{Flag: "P", Passcode: passcode})
	tr.manifest(info.URL, map[string]any{"recipient": recipient, "passcode": "wrong-" + passcode, "purpose": purpose})
	files := manifestFiles(t, tr.manifest(info.URL, map[string]any{"recipient": recipient, "passcode": passcode, "purpose": purpose}))
	r := tr.get(files[0].Location)
	u := tr.share(CreateRequest{Flag: "U", Files: []File{{ContentType: "application/fhir+json", JWE: sealJWE(t, "application/fhir+json", []byte(bundleText))}}})
	tr.get(u.URL + "?recipient=" + url.QueryEscape(recipient) + "&purpose=" + purpose)
	tr.manifest(info.URL, map[string]any{"recipient": strings.Repeat("x", 600)})
	tr.client.AccessLog(context.Background(), info.ID, tr.p.sharing)
	tr.client.Revoke(context.Background(), info.ID)
	tr.srv.cfg.Checker = chk // chain errors are logged: they must not carry anything either
	tr.manifest(u.URL, map[string]any{"recipient": recipient})

	logs := tr.logs.String()
	if !strings.Contains(logs, `"route":"POST /shl/{id}"`) || !strings.Contains(logs, `"status":401`) || !strings.Contains(logs, "latency_ms") {
		t.Fatalf("the logs do not say what happened:\n%s", logs)
	}
	for name, secret := range map[string]string{
		"recipient":     "Zebediah",
		"passcode":      passcode,
		"purpose":       purpose,
		"file content":  "diabetes",
		"ciphertext":    string(r.body[len(r.body)-40:]),
		"share id":      info.ID,
		"location":      files[0].Location[len(files[0].Location)-43:],
		"patient":       tr.client.addr.Hex()[2:],
		"sharing key":   b64(tr.p.sharing.PublicKey().Bytes()),
		"direct share":  u.ID,
		"grant digest?": info.GrantDigest.Hex()[2:],
	} {
		if strings.Contains(strings.ToLower(logs), strings.ToLower(secret)) {
			t.Errorf("the relay's logs hold the %s (%q)", name, secret)
		}
	}
}

func TestCreateValidation(t *testing.T) {
	tr := newTestRelay(t)
	fhir := sealJWE(t, "application/fhir+json", []byte(bundleText))
	for name, req := range map[string]CreateRequest{
		"no files":       {Files: []File{}},
		"bad JWE":        {Files: []File{{ContentType: "application/fhir+json", JWE: "not.a.jwe"}}},
		"bad type":       {Files: []File{{ContentType: "fhir", JWE: fhir}}},
		"flag order":     {Flag: "UL"},
		"unknown flag":   {Flag: "X"},
		"limit too high": {Flag: "P", Passcode: "1", MaxFailures: 1000},
	} {
		var ae *APIError
		if _, err := tr.tryShare(req); !errors.As(err, &ae) || ae.Status != 400 {
			t.Errorf("%s: %v, want 400", name, err)
		}
	}
	var low [32]byte // a low-order X25519 point: nothing sealed to it could be opened
	body, _ := json.Marshal(createRequestJSON{Patient: tr.client.addr.Hex(), GrantDigest: "0x" + strings.Repeat("11", 32),
		SharingKey: b64(low[:]), Expires: tr.clock.Now().Add(time.Hour).Unix(), Files: []File{{ContentType: "application/fhir+json", JWE: fhir}}})
	if _, err := parseCreateRequest(body, tr.clock.Now(), tr.srv.lim); err == nil {
		t.Fatal("a low-order sharing key was accepted")
	}
}

func TestOpenRefusesBusyStore(t *testing.T) {
	tr := newTestRelay(t)
	_, err := Open(Config{DataDir: tr.dir})
	if err == nil || !strings.Contains(err.Error(), "in use") {
		t.Fatalf("a second relay on the same data directory: %v", err)
	}
}

// TestSignatureBoundToRelayAndPurpose: a management signature made for one
// relay is refused by another, and one made for one kind of request is
// refused by every other kind (issue 7, finding 4).
func TestSignatureBoundToRelayAndPurpose(t *testing.T) {
	a, b := newTestRelay(t), newTestRelay(t)
	b.p = a.p
	b.client = b.clientFor(a.p)
	info := b.share(CreateRequest{})
	send := func(method, path, auth string) int {
		req, _ := http.NewRequest(method, b.ts.URL+path, nil)
		req.Header.Set("Authorization", auth)
		resp, err := b.ts.Client().Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		return resp.StatusCode
	}
	revoke := "/api/shares/" + info.ID
	// Signed by the patient for relay A, replayed to relay B: refused.
	forA, _ := signRequest(a.p.key, a.origin(), PurposeRevoke, http.MethodDelete, revoke, nil, a.clock.Now())
	if got := send(http.MethodDelete, revoke, forA); got == http.StatusNoContent {
		t.Fatal("relay B took a revoke signed for relay A")
	}
	// Signed for B but for another purpose: refused.
	logPath := revoke + "/log"
	wrongPurpose, _ := signRequest(a.p.key, b.origin(), PurposeRevoke, http.MethodGet, logPath, nil, b.clock.Now())
	if got := send(http.MethodGet, logPath, wrongPurpose); got == http.StatusOK {
		t.Fatal("relay B served the access log on a signature made for a revoke")
	}
	wantStatus(t, b.manifest(info.URL, map[string]any{"recipient": "Dr. Smith"}), http.StatusOK)
	// The same requests, signed for B and their purpose, pass: the refusals
	// above were the binding, not something else.
	right, _ := signRequest(a.p.key, b.origin(), PurposeAccessLog, http.MethodGet, logPath, nil, b.clock.Now())
	if got := send(http.MethodGet, logPath, right); got != http.StatusOK {
		t.Fatalf("the access log, signed for B: %d", got)
	}
	right, _ = signRequest(a.p.key, b.origin(), PurposeRevoke, http.MethodDelete, revoke, nil, b.clock.Now())
	if got := send(http.MethodDelete, revoke, right); got != http.StatusNoContent {
		t.Fatalf("the revoke, signed for B: %d", got)
	}
}

func TestOrigin(t *testing.T) {
	for in, want := range map[string]string{
		"https://Relay.Example.org:443/hw": "https://relay.example.org",
		"http://127.0.0.1:80":              "http://127.0.0.1",
		"http://127.0.0.1:8787":            "http://127.0.0.1:8787",
		"https://[::1]:443":                "https://[::1]",
		"https://[::1]:8443":               "https://[::1]:8443",
	} {
		u, err := url.Parse(in)
		if err != nil {
			t.Fatal(err)
		}
		if got := Origin(u); got != want {
			t.Errorf("Origin(%s) = %s, want %s", in, got, want)
		}
	}
}

// TestRateLimitByIPv6Prefix: a client rotating addresses inside its IPv6 /64
// shares one bucket; another /64, or another IPv4 address, has its own.
func TestRateLimitByIPv6Prefix(t *testing.T) {
	tr := newTestRelay(t, func(c *Config) {
		c.DisableRateLimits = false
		c.TrustProxy = true
		c.Limits.PerIP = Rate{PerSecond: 0.001, Burst: 2}
		c.Limits.PerShare = Rate{PerSecond: 100, Burst: 100}
	})
	info := tr.share(CreateRequest{})
	from := func(ip string) int {
		body, _ := json.Marshal(map[string]any{"recipient": "x"})
		req, _ := http.NewRequest(http.MethodPost, info.URL, strings.NewReader(string(body)))
		req.Header.Set("X-Forwarded-For", ip)
		resp, err := tr.ts.Client().Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		return resp.StatusCode
	}
	for i, ip := range []string{"2001:db8:1:2::1", "2001:db8:1:2:ffff::9"} {
		if got := from(ip); got != http.StatusOK {
			t.Fatalf("request %d from the /64: %d", i, got)
		}
	}
	if got := from("2001:db8:1:2:abcd:1:2:3"); got != http.StatusTooManyRequests {
		t.Fatalf("a third address in the same /64: %d, want 429", got)
	}
	for _, ip := range []string{"2001:db8:1:3::1", "192.0.2.1", "192.0.2.2"} {
		if got := from(ip); got != http.StatusOK {
			t.Fatalf("%s, another client: %d", ip, got)
		}
	}
	if got := from("::ffff:192.0.2.1"); got != http.StatusOK { // the same IPv4 client, mapped: its second token
		t.Fatalf("an IPv4-mapped address: %d", got)
	}
	if got := from("192.0.2.1"); got != http.StatusTooManyRequests {
		t.Fatalf("IPv4 and its mapped form are one client: %d, want 429", got)
	}
}

// TestLocationURLsCappedPerShare: a link holder cannot mint unlimited
// location URLs; used or expired ones make room again.
func TestLocationURLsCappedPerShare(t *testing.T) {
	tr := newTestRelay(t, func(c *Config) { c.Limits.MaxShareLocations = 4 })
	info := tr.share(CreateRequest{}) // two files: two URLs per manifest
	var files []manifestFile
	for range 2 {
		files = manifestFiles(t, tr.manifest(info.URL, map[string]any{"recipient": "x"}))
	}
	r := tr.manifest(info.URL, map[string]any{"recipient": "x"})
	wantStatus(t, r, http.StatusTooManyRequests)
	if r.header.Get("Retry-After") == "" {
		t.Fatal("429 without Retry-After")
	}
	// Embedded files need no URL.
	manifestFiles(t, tr.manifest(info.URL, map[string]any{"recipient": "x", "embeddedLengthMax": 1 << 20}))
	// Another share is not affected.
	other := tr.share(CreateRequest{})
	manifestFiles(t, tr.manifest(other.URL, map[string]any{"recipient": "x"}))
	// Using URLs frees their room.
	wantStatus(t, tr.get(files[0].Location), http.StatusOK)
	wantStatus(t, tr.get(files[1].Location), http.StatusOK)
	manifestFiles(t, tr.manifest(info.URL, map[string]any{"recipient": "x"}))
	// So does their expiry.
	tr.clock.Advance(2 * time.Minute)
	manifestFiles(t, tr.manifest(info.URL, map[string]any{"recipient": "x"}))
}

// TestQuotas: per uploader key, the number of shares (429) and the bytes
// (413) are bounded, and so are the relay's bytes in all (413); an ended
// share frees its room (issue 7, finding 3).
func TestQuotas(t *testing.T) {
	jwe := sealJWE(t, "application/fhir+json", []byte(bundleText))
	one := []File{{ContentType: "application/fhir+json", JWE: jwe}}
	size := int64(len(jwe))
	tr := newTestRelay(t, func(c *Config) {
		c.Limits.MaxSharesPerKey = 2
		c.Limits.MaxBytesPerKey = 3 * size
		c.Limits.MaxTotalBytes = 5 * size
	})
	a := tr.share(CreateRequest{Files: one})
	tr.share(CreateRequest{Files: one})
	_, err := tr.tryShare(CreateRequest{Files: one})
	wantAPIStatus(t, err, http.StatusTooManyRequests)
	if !strings.Contains(err.Error(), "revoke shares you no longer need") {
		t.Fatalf("the quota error does not say what to do: %v", err)
	}
	if err := tr.client.Revoke(context.Background(), a.ID); err != nil {
		t.Fatal(err)
	}
	_, err = tr.tryShare(CreateRequest{Files: []File{one[0], one[0], one[0]}}) // 1 + 3 files > 3
	wantAPIStatus(t, err, http.StatusRequestEntityTooLarge)
	wantAPIError(t, err, ErrTooLarge)
	tr.share(CreateRequest{Files: one})

	// Other keys fill the relay: 2 of this key's + 3 more = 5, then full.
	b := *tr
	b.p = newPatient(t)
	b.client = tr.clientFor(b.p)
	b.share(CreateRequest{Files: one})
	b.share(CreateRequest{Files: one})
	c := *tr
	c.p = newPatient(t)
	c.client = tr.clientFor(c.p)
	c.share(CreateRequest{Files: one})
	_, err = c.tryShare(CreateRequest{Files: one})
	wantAPIStatus(t, err, http.StatusRequestEntityTooLarge)
	if !strings.Contains(err.Error(), "storage is full") {
		t.Fatalf("a full relay: %v", err)
	}
	// The counts survive a restart.
	tr.ts.Close()
	tr.srv.Close()
	srv, err := Open(Config{DataDir: tr.dir, Now: tr.clock.Now, Limits: Limits{MaxTotalBytes: 5 * size}})
	if err != nil {
		t.Fatal(err)
	}
	defer srv.Close()
	err = srv.store.db.View(func(tx *bolt.Tx) error {
		if got := totalBytes(tx); got != uint64(5*size) {
			t.Fatalf("after a restart the relay counts %d bytes, want %d", got, 5*size)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}

// TestLocationsKeepNoRecipientInClear: the in-memory table of location
// URLs holds neither the tokens nor the receiver's words in clear; the
// access by URL still logs them.
func TestLocationsKeepNoRecipientInClear(t *testing.T) {
	tr := newTestRelay(t)
	info := tr.share(CreateRequest{})
	recipient := "Dr. Grace Hopper, Harbour Clinic"
	files := manifestFiles(t, tr.manifest(info.URL, map[string]any{"recipient": recipient, "purpose": "ETREAT"}))
	tr.srv.tokensMu.Lock()
	for id, l := range tr.srv.tokens {
		for _, f := range files {
			if strings.Contains(f.Location, id) {
				t.Error("a location is kept under its token")
			}
		}
		if bytes.Contains(l.sealed, []byte("Grace")) || bytes.Contains(l.sealed, []byte("ETREAT")) {
			t.Error("a location keeps its receiver in clear")
		}
	}
	tr.srv.tokensMu.Unlock()
	wantStatus(t, tr.get(files[0].Location), http.StatusOK)
	entries, err := tr.client.AccessLog(context.Background(), info.ID, tr.p.sharing)
	if err != nil {
		t.Fatal(err)
	}
	last := entries[len(entries)-1]
	if last.Kind != KindFile || last.Recipient != recipient || last.Purpose != "ETREAT" {
		t.Fatalf("the file access logged %+v", last)
	}
}

// TestShareIDsStartWithALetterOrDigit: people type a share id's first few
// characters (hw revoke 8cdO97); one starting with '-' would read as a flag.
// With 2 of 64 first characters refused, 2,000 draws miss a bad one with
// odds of about 1 in 10^27.
func TestShareIDsStartWithALetterOrDigit(t *testing.T) {
	for range 2000 {
		id, err := newShareID()
		if err != nil {
			t.Fatal(err)
		}
		if len(id) != 43 || id[0] == '-' || id[0] == '_' {
			t.Fatalf("share id %q", id)
		}
	}
}

// TestStoreKeyMismatch: a relay's store with shares in clear, from before
// stores were marked clear or sealed, opens without a store key, and is
// refused with one; a sealed store is refused without its key.
func TestStoreKeyMismatch(t *testing.T) {
	clearDir := t.TempDir()
	st, err := openStore(clearDir, nil)
	if err != nil {
		t.Fatal(err)
	}
	key, _ := idKey(strings.Repeat("A", 43))
	err = st.db.Update(func(tx *bolt.Tx) error {
		if err := st.putRecord(tx, key, &shareRecord{ID: strings.Repeat("A", 43), State: StateActive}); err != nil {
			return err
		}
		return tx.Bucket(bucketMeta).Delete([]byte("records")) // as before the mark
	})
	st.close()
	if err != nil {
		t.Fatal(err)
	}
	storeKey := bytes.Repeat([]byte{7}, 32)
	for i := range 2 { // the first open marks the store, the second reads the mark
		st, err := openStore(clearDir, nil)
		if err != nil {
			t.Fatalf("open %d of a clear store without a key: %v", i+1, err)
		}
		st.close()
	}
	if _, err := openStore(clearDir, storeKey); !errors.Is(err, ErrStoreKeyMismatch) {
		t.Fatalf("a clear store opened with a key: %v", err)
	}

	sealedDir := t.TempDir()
	st, err = openStore(sealedDir, storeKey)
	if err != nil {
		t.Fatal(err)
	}
	st.close()
	if _, err := openStore(sealedDir, nil); !errors.Is(err, ErrStoreKeyMismatch) {
		t.Fatalf("a sealed store opened without its key: %v", err)
	}
	if st, err := openStore(sealedDir, storeKey); err != nil {
		t.Fatalf("a sealed store opened with its key: %v", err)
	} else {
		st.close()
	}
}
