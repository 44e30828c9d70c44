package relay

import (
	"bytes"
	"context"
	"crypto/aes"
	"crypto/cipher"
	"crypto/ecdh"
	"crypto/ecdsa"
	"crypto/rand"
	"encoding/base64"
	"encoding/json"
	"errors"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/ethereum/go-ethereum/common"
	"github.com/ethereum/go-ethereum/crypto"

	"healthwallet/chain"
)

// clock is an adjustable clock shared by the relay and its clients.
type clock struct {
	mu sync.Mutex
	t  time.Time
}

func newClock() *clock { return &clock{t: time.Now().Truncate(time.Second)} }

func (c *clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *clock) Advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(d)
}

// syncBuffer is a bytes.Buffer safe for the concurrent writes of a logger.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// patient is a wallet's keys: the chain key that signs, the X25519 sharing
// key the access log is sealed to.
type patient struct {
	key     *ecdsa.PrivateKey
	sharing *ecdh.PrivateKey
}

func newPatient(t testing.TB) patient {
	t.Helper()
	k, err := crypto.GenerateKey()
	if err != nil {
		t.Fatal(err)
	}
	x, err := ecdh.X25519().GenerateKey(rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	return patient{key: k, sharing: x}
}

// testRelay is a relay on an httptest server with a fake clock and captured
// logs.
type testRelay struct {
	t      testing.TB
	srv    *Server
	ts     *httptest.Server
	clock  *clock
	logs   *syncBuffer
	dir    string
	p      patient
	client *Client
}

func newTestRelay(t testing.TB, configure ...func(*Config)) *testRelay {
	t.Helper()
	tr := &testRelay{t: t, clock: newClock(), logs: &syncBuffer{}, dir: t.TempDir()}
	cfg := Config{
		DataDir:           tr.dir,
		Logger:            slog.New(slog.NewJSONHandler(tr.logs, &slog.HandlerOptions{Level: slog.LevelDebug})),
		Now:               tr.clock.Now,
		DisableRateLimits: true,
	}
	for _, f := range configure {
		f(&cfg)
	}
	srv, err := Open(cfg)
	if err != nil {
		t.Fatal(err)
	}
	tr.srv = srv
	tr.ts = httptest.NewServer(srv.Handler())
	t.Cleanup(func() {
		tr.ts.Close()
		srv.Close()
	})
	tr.p = newPatient(t)
	tr.client = tr.clientFor(tr.p)
	return tr
}

func (tr *testRelay) clientFor(p patient) *Client {
	tr.t.Helper()
	c, err := NewClient(tr.ts.URL, p.key, tr.ts.Client())
	if err != nil {
		tr.t.Fatal(err)
	}
	c.Now = tr.clock.Now
	return c
}

// linkKey is the SHL key of the test shares: the relay never sees it.
var linkKey = func() []byte {
	k := make([]byte, 32)
	rand.Read(k)
	return k
}()

// sealJWE encrypts plaintext as the SHL spec has it: compact JWE, alg dir,
// enc A256GCM.
func sealJWE(t testing.TB, contentType string, plaintext []byte) string {
	t.Helper()
	hdr, _ := json.Marshal(map[string]string{"alg": "dir", "enc": "A256GCM", "cty": contentType})
	h := base64.RawURLEncoding.EncodeToString(hdr)
	block, _ := aes.NewCipher(linkKey)
	gcm, _ := cipher.NewGCM(block)
	iv := make([]byte, gcm.NonceSize())
	rand.Read(iv)
	ct := gcm.Seal(nil, iv, plaintext, []byte(h))
	tag := ct[len(ct)-gcm.Overhead():]
	ct = ct[:len(ct)-gcm.Overhead()]
	b := base64.RawURLEncoding.EncodeToString
	return h + ".." + b(iv) + "." + b(ct) + "." + b(tag)
}

// openJWE decrypts what sealJWE made.
func openJWE(t testing.TB, jwe string) []byte {
	t.Helper()
	p := strings.Split(jwe, ".")
	if len(p) != 5 {
		t.Fatalf("not a compact JWE: %.40q", jwe)
	}
	d := func(s string) []byte {
		v, err := base64.RawURLEncoding.DecodeString(s)
		if err != nil {
			t.Fatal(err)
		}
		return v
	}
	block, _ := aes.NewCipher(linkKey)
	gcm, _ := cipher.NewGCM(block)
	pt, err := gcm.Open(nil, d(p[2]), append(d(p[3]), d(p[4])...), []byte(p[0]))
	if err != nil {
		t.Fatalf("the JWE does not decrypt: %v", err)
	}
	return pt
}

const (
	bundleText = `{"resourceType":"Bundle","type":"collection","entry":[{"resource":{"resourceType":"Condition","code":{"text":"Type 2 diabetes mellitus"}}}]}`
	proofText  = `{"chainId":1337,"grant":"…","records":[{"salt":"0x01"}]}`
	proofType  = "application/vnd.healthwallet.proof+json"
)

// share creates a share through the signed client.
func (tr *testRelay) share(req CreateRequest) *ShareInfo {
	tr.t.Helper()
	info, err := tr.tryShare(req)
	if err != nil {
		tr.t.Fatalf("CreateShare: %v", err)
	}
	return info
}

func (tr *testRelay) tryShare(req CreateRequest) (*ShareInfo, error) {
	if req.Files == nil {
		req.Files = []File{
			{ContentType: "application/fhir+json", JWE: sealJWE(tr.t, "application/fhir+json", []byte(bundleText))},
			{ContentType: proofType, JWE: sealJWE(tr.t, proofType, []byte(proofText))},
		}
	}
	if req.Expires.IsZero() {
		req.Expires = tr.clock.Now().Add(time.Hour)
	}
	if req.GrantDigest == ([32]byte{}) {
		rand.Read(req.GrantDigest[:])
	}
	if req.SharingKey == nil {
		req.SharingKey = tr.p.sharing.PublicKey()
	}
	return tr.client.CreateShare(context.Background(), req)
}

// response is an HTTP answer, read whole.
type response struct {
	status int
	header http.Header
	body   []byte
}

func (r response) json(t testing.TB) map[string]any {
	t.Helper()
	var m map[string]any
	if err := json.Unmarshal(r.body, &m); err != nil {
		t.Fatalf("answer %d is not JSON: %v: %.200s", r.status, err, r.body)
	}
	return m
}

func do(t testing.TB, hc *http.Client, method, url, contentType string, body []byte) response {
	t.Helper()
	req, err := http.NewRequest(method, url, bytes.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	if contentType != "" {
		req.Header.Set("Content-Type", contentType)
	}
	resp, err := hc.Do(req)
	if err != nil {
		t.Fatalf("%s: %v", method, err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return response{status: resp.StatusCode, header: resp.Header, body: b}
}

// manifest POSTs a manifest request to a manifest URL.
func (tr *testRelay) manifest(url string, req map[string]any) response {
	tr.t.Helper()
	body, _ := json.Marshal(req)
	return do(tr.t, tr.ts.Client(), http.MethodPost, url, "application/json", body)
}

func (tr *testRelay) get(url string) response {
	tr.t.Helper()
	return do(tr.t, tr.ts.Client(), http.MethodGet, url, "", nil)
}

// manifestFiles decodes a manifest answer.
func manifestFiles(t testing.TB, r response) []manifestFile {
	t.Helper()
	if r.status != http.StatusOK {
		t.Fatalf("manifest: %d %s", r.status, r.body)
	}
	if ct := r.header.Get("Content-Type"); ct != "application/json" {
		t.Fatalf("manifest content type %q", ct)
	}
	var m manifestJSON
	if err := json.Unmarshal(r.body, &m); err != nil {
		t.Fatal(err)
	}
	return m.Files
}

func wantStatus(t testing.TB, r response, want int) {
	t.Helper()
	if r.status != want {
		t.Fatalf("status %d, want %d: %.300s", r.status, want, r.body)
	}
}

func wantAPIError(t testing.TB, err error, target error) {
	t.Helper()
	if !errors.Is(err, target) {
		t.Fatalf("error %v, want %v", err, target)
	}
}

// fakeChecker is a GrantChecker under the test's control. A grant's patient
// is the one given to setFor, else owner.
type fakeChecker struct {
	mu       sync.Mutex
	owner    common.Address
	active   map[[32]byte]bool
	patients map[[32]byte]common.Address
	err      error
	calls    int
}

func (f *fakeChecker) GrantOf(_ context.Context, _ common.Address, d [32]byte) (chain.Grant, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.calls++
	if f.err != nil {
		return chain.Grant{}, f.err
	}
	a, ok := f.active[d]
	if !ok {
		return chain.Grant{}, ErrGrantUnknown
	}
	p := f.owner
	if q, ok := f.patients[d]; ok {
		p = q
	}
	return chain.Grant{Patient: p, Issuer: p, Active: a}, nil
}

func (f *fakeChecker) set(d [32]byte, active bool, err error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.active == nil {
		f.active = map[[32]byte]bool{}
	}
	f.active[d] = active
	f.err = err
}

// setFor records the grant d as patient's.
func (f *fakeChecker) setFor(d [32]byte, patient common.Address, active bool) {
	f.set(d, active, nil)
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.patients == nil {
		f.patients = map[[32]byte]common.Address{}
	}
	f.patients[d] = patient
}

func wantAPIStatus(t testing.TB, err error, status int) {
	t.Helper()
	var ae *APIError
	if !errors.As(err, &ae) || ae.Status != status {
		t.Fatalf("error %v, want an answer %d", err, status)
	}
}

func b64(b []byte) string { return base64.RawURLEncoding.EncodeToString(b) }
