package network

import (
	"context"
	"crypto/ecdsa"
	"encoding/hex"
	"errors"
	"log/slog"
	"math/big"
	"net/http"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/ethereum/go-ethereum/common"
	"github.com/ethereum/go-ethereum/crypto"

	"healthwallet/chain"
	"healthwallet/wallet/relay"
)

// startServer starts a real node (chain, relay, endpoints) on a free
// loopback port with cfg's other settings; it is closed when the test ends.
func startServer(t testing.TB, cfg ServerConfig) *Server {
	t.Helper()
	if testing.Short() {
		t.Skip("skipped under -short: runs a network node's chain")
	}
	if cfg.DataDir == "" {
		cfg.DataDir = t.TempDir()
	}
	if cfg.Listen == "" {
		cfg.Listen = "127.0.0.1:0"
	}
	if cfg.BlockPeriod == 0 {
		cfg.BlockPeriod = time.Second
	}
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	s, err := Start(ctx, cfg)
	if err != nil {
		t.Fatalf("Start: %v", err)
	}
	t.Cleanup(func() {
		if err := s.Close(); err != nil {
			t.Errorf("Close: %v", err)
		}
	})
	return s
}

// testWallet is a wallet's chain key, its action signer on a network and
// its submission client.
type testWallet struct {
	key    *ecdsa.PrivateKey
	addr   common.Address
	signer chain.Signer
	client *Client
}

func newTestWallet(t testing.TB, m Membership) *testWallet {
	t.Helper()
	key, err := crypto.GenerateKey()
	if err != nil {
		t.Fatal(err)
	}
	sign := func(digest []byte) ([]byte, error) { return crypto.Sign(digest, key) }
	return &testWallet{
		key:    key,
		addr:   crypto.PubkeyToAddress(key.PublicKey),
		signer: chain.Signer{Key: key, ChainID: bigChainID(m), Registry: m.RegistryAddress()},
		client: NewClient(m, sign),
	}
}

// anchor is a fresh signed anchor of w's.
func (w *testWallet) anchor(t testing.TB) []byte {
	t.Helper()
	root := crypto.Keccak256Hash([]byte(time.Now().String()), w.addr[:])
	data, err := w.signer.Anchor(root, 1, uint64(time.Now().Add(time.Hour).Unix()))
	if err != nil {
		t.Fatal(err)
	}
	return data
}

// nodeNonce is the node key's next nonce: unchanged means nothing was sent.
func nodeNonce(t testing.TB, s *Server) uint64 {
	t.Helper()
	n, err := s.node.Network.Client.PendingNonceAt(context.Background(), crypto.PubkeyToAddress(s.node.Key.PublicKey))
	if err != nil {
		t.Fatal(err)
	}
	return n
}

// waitIncluded polls the status of hash until the chain includes it.
func waitIncluded(t testing.TB, w *testWallet, hash common.Hash) chain.TxStatus {
	t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for {
		st, err := w.client.Status(context.Background(), hash)
		if err != nil {
			t.Fatalf("Status: %v", err)
		}
		if st.State == chain.TxIncluded {
			return st
		}
		if st.State == chain.TxFailed || time.Now().After(deadline) {
			t.Fatalf("transaction %s: %+v", hash, st)
		}
		time.Sleep(200 * time.Millisecond)
	}
}

func refusal(err error) int {
	var re *RefusedError
	if errors.As(err, &re) {
		return re.Status
	}
	return 0
}

// TestServerSubmission: on an open network a wallet enrols and the node
// sends its signed actions, paying the gas (the wallet holds nothing); a
// stranger, a forged request signature, and an action signed by another
// wallet are refused before any transaction.
func TestServerSubmission(t *testing.T) {
	logPath := filepath.Join(t.TempDir(), "node.log")
	logFile, err := os.Create(logPath)
	if err != nil {
		t.Fatal(err)
	}
	defer logFile.Close()
	s := startServer(t, ServerConfig{Name: "Loopback Clinic", Logger: slog.New(slog.NewJSONHandler(logFile, nil))})
	ctx := context.Background()
	info := s.Info()
	if info.Fingerprint != "" || !strings.HasPrefix(info.JoinURL, "http://127.0.0.1:") {
		t.Fatalf("a loopback node serves plain http: %+v", info)
	}
	m, err := Fetch(ctx, info.JoinURL)
	if err != nil {
		t.Fatalf("Fetch: %v", err)
	}
	if m.Name != "Loopback Clinic" || m.Submit != info.URL+"/submit" || m.RPC[0] != info.URL+"/rpc" || m.Relay != info.URL || m.Enrolment != EnrolmentOpen {
		t.Fatalf("document %+v", m.Document)
	}
	patient, stranger := newTestWallet(t, m), newTestWallet(t, m)
	before := nodeNonce(t, s)

	// A stranger that never enrolled sends nothing.
	if _, err := stranger.client.Submit(ctx, stranger.anchor(t)); !errors.Is(err, ErrNotEnrolled) || refusal(err) != http.StatusForbidden {
		t.Fatalf("a stranger's submission: %v; want 403 ErrNotEnrolled", err)
	}
	if err := patient.client.Enrol(ctx, ""); err != nil {
		t.Fatalf("Enrol: %v", err)
	}
	acct, err := patient.client.Account(ctx)
	if err != nil || !acct.Enrolled || acct.Balance != "0" || acct.UsedToday != 0 || acct.PerDay != defaultPerWalletPerDay {
		t.Fatalf("Account %+v, %v", acct, err)
	}

	// A request whose signature is not the wallet's own: a forged header
	// recovers to some other address (not enrolled), garbage is 401.
	forged := NewClient(m, func(digest []byte) ([]byte, error) {
		sig, err := crypto.Sign(digest, patient.key)
		sig[5] ^= 1
		return sig, err
	})
	if _, err := forged.Submit(ctx, patient.anchor(t)); refusal(err) != http.StatusForbidden && refusal(err) != http.StatusUnauthorized {
		t.Fatalf("a tampered request signature: %v; want 401 or 403", err)
	}
	garbage := NewClient(m, func([]byte) ([]byte, error) { return make([]byte, 65), nil })
	if _, err := garbage.Submit(ctx, patient.anchor(t)); !errors.Is(err, ErrUnauthenticated) {
		t.Fatalf("a signature that recovers nothing: %v; want ErrUnauthenticated", err)
	}
	// The patient hands in the stranger's signed anchor: not its own.
	if _, err := patient.client.Submit(ctx, stranger.anchor(t)); !errors.Is(err, ErrNotYours) {
		t.Fatalf("another wallet's action: %v; want ErrNotYours", err)
	}
	// An action whose own signature is broken.
	bad := patient.anchor(t)
	clear(bad[len(bad)-32:]) // the signature's vs word: s = 0 recovers no one
	if _, err := patient.client.Submit(ctx, bad); !errors.Is(err, chain.ErrBadSignature) || refusal(err) != http.StatusBadRequest {
		t.Fatalf("an action with a broken signature: %v; want 400 ErrBadSignature", err)
	}
	// Not a registry action at all.
	if _, err := patient.client.Submit(ctx, []byte{1, 2, 3, 4, 5}); !errors.Is(err, chain.ErrNotSubmittable) {
		t.Fatalf("junk calldata: %v; want ErrNotSubmittable", err)
	}
	if after := nodeNonce(t, s); after != before {
		t.Fatalf("the node sent %d transactions for refused submissions", after-before)
	}

	// The patient's own anchor is sent and lands.
	anchor := patient.anchor(t)
	res, err := patient.client.Submit(ctx, anchor)
	if err != nil {
		t.Fatalf("Submit: %v", err)
	}
	if res.Action.Method != "anchorSigned" || res.Action.Signer != patient.addr {
		t.Fatalf("result %+v", res)
	}
	st := waitIncluded(t, patient, res.TxHash)
	if st.BlockNumber == 0 {
		t.Fatalf("status %+v", st)
	}
	// Replayed once it landed, it is refused before any transaction and
	// not charged again.
	before = nodeNonce(t, s)
	if _, err := patient.client.Submit(ctx, anchor); !errors.Is(err, chain.ErrAlreadyDone) || refusal(err) != http.StatusConflict {
		t.Fatalf("a replayed anchor: %v; want 409 ErrAlreadyDone", err)
	}
	if after := nodeNonce(t, s); after != before {
		t.Fatalf("the node sent a transaction for a replay")
	}
	// Only the wallet it was sent for may ask about it.
	if err := stranger.client.Enrol(ctx, ""); err != nil {
		t.Fatal(err)
	}
	if _, err := stranger.client.Status(ctx, res.TxHash); !errors.Is(err, ErrUnknownTx) {
		t.Fatalf("another wallet's status: %v; want ErrUnknownTx", err)
	}
	acct, err = patient.client.Account(ctx)
	if err != nil || acct.UsedToday != 1 || acct.Balance != "0" {
		t.Fatalf("after one action: %+v, %v", acct, err)
	}

	// The node's log names no wallet and holds no calldata.
	logged, err := os.ReadFile(logPath)
	if err != nil {
		t.Fatal(err)
	}
	text := strings.ToLower(string(logged))
	if !strings.Contains(text, "action submitted") {
		t.Fatalf("the log does not record the submission:\n%s", text)
	}
	for _, w := range []*testWallet{patient, stranger} {
		if strings.Contains(text, strings.ToLower(w.addr.Hex()[2:])) {
			t.Fatalf("the log names a wallet:\n%s", text)
		}
	}
	if strings.Contains(text, hex.EncodeToString(res.Action.Root[:])) {
		t.Fatalf("the log holds an anchored root:\n%s", text)
	}
}

// TestServerAccessLogCharged: an access-log entry is signed by the grant's
// access key (the doctor's), not by the wallet that hands it in; the node
// sends it and charges the wallet that submitted it.
func TestServerAccessLogCharged(t *testing.T) {
	s := startServer(t, ServerConfig{})
	ctx := context.Background()
	m, err := Fetch(ctx, s.Info().JoinURL)
	if err != nil {
		t.Fatal(err)
	}
	patient, doctor := newTestWallet(t, m), newTestWallet(t, m)
	if err := patient.client.Enrol(ctx, ""); err != nil {
		t.Fatal(err)
	}
	deadline := uint64(time.Now().Add(time.Hour).Unix())
	digest := crypto.Keccak256Hash([]byte("a share"))
	grant, err := patient.signer.IssueGrant(patient.addr, digest, doctor.addr, uint64(time.Now().Add(24*time.Hour).Unix()), deadline)
	if err != nil {
		t.Fatal(err)
	}
	res, err := patient.client.Submit(ctx, grant)
	if err != nil {
		t.Fatalf("the grant: %v", err)
	}
	waitIncluded(t, patient, res.TxHash)
	entry, err := doctor.signer.LogAccess(chain.GrantKey(patient.addr, digest), crypto.Keccak256Hash([]byte("opened")), deadline)
	if err != nil {
		t.Fatal(err)
	}
	res, err = patient.client.Submit(ctx, entry)
	if err != nil {
		t.Fatalf("the access log: %v", err)
	}
	if res.Action.Method != "logAccess" || res.Action.Signer != doctor.addr {
		t.Fatalf("result %+v", res)
	}
	waitIncluded(t, patient, res.TxHash)
	if acct, err := patient.client.Account(ctx); err != nil || acct.UsedToday != 2 {
		t.Fatalf("account %+v, %v: want both actions charged to the patient", acct, err)
	}
}

// TestServerTLSInvitationLimits: a node serving its self-signed certificate
// (TLS forced on loopback) is joined with its pin and refused with another;
// an invitation-only network refuses a wrong code; the per-wallet limit and
// the network's budget answer 429 and send nothing; enrolments, counters
// and the certificate survive a restart.
func TestServerTLSInvitationLimits(t *testing.T) {
	dir := t.TempDir()
	cfg := ServerConfig{DataDir: dir, ForceTLS: true, Enrolment: EnrolmentInvitation, InviteCode: "riverside-2026", PerWalletPerDay: 1, BudgetPerDay: 2}
	s := startServer(t, cfg)
	ctx := context.Background()
	info := s.Info()
	if len(info.Fingerprint) != 64 || info.JoinURL != info.URL+"#fp="+info.Fingerprint || !strings.HasPrefix(info.URL, "https://127.0.0.1:") {
		t.Fatalf("a self-signed node: %+v", info)
	}
	wrongPin := info.URL + "#fp=" + strings.Repeat("00", 32)
	if _, err := Fetch(ctx, wrongPin); !errors.Is(err, ErrPinMismatch) {
		t.Fatalf("Fetch with another pin: %v; want ErrPinMismatch", err)
	}
	if _, err := Fetch(ctx, info.URL); err == nil {
		t.Fatal("Fetch without the pin trusted a self-signed certificate")
	}
	m, err := Fetch(ctx, info.JoinURL)
	if err != nil {
		t.Fatalf("Fetch with the pin: %v", err)
	}
	if m.Fingerprint != info.Fingerprint || m.Enrolment != EnrolmentInvitation {
		t.Fatalf("membership %+v", m)
	}

	a, b, c := newTestWallet(t, m), newTestWallet(t, m), newTestWallet(t, m)
	if err := a.client.Enrol(ctx, "riverside-2025"); !errors.Is(err, ErrInviteRefused) {
		t.Fatalf("a wrong invitation code: %v; want ErrInviteRefused", err)
	}
	if acct, err := a.client.Account(ctx); err != nil || acct.Enrolled {
		t.Fatalf("after a wrong code: %+v, %v", acct, err)
	}
	for _, w := range []*testWallet{a, b, c} {
		if err := w.client.Enrol(ctx, "riverside-2026"); err != nil {
			t.Fatalf("Enrol with the code: %v", err)
		}
	}
	if _, err := a.client.Submit(ctx, a.anchor(t)); err != nil {
		t.Fatalf("a's first action: %v", err)
	}
	before := nodeNonce(t, s)
	if _, err := a.client.Submit(ctx, a.anchor(t)); !errors.Is(err, ErrLimitReached) || refusal(err) != http.StatusTooManyRequests {
		t.Fatalf("a's second action: %v; want 429 ErrLimitReached", err)
	}
	if _, err := b.client.Submit(ctx, b.anchor(t)); err != nil {
		t.Fatalf("b's first action: %v", err)
	}
	before++
	if _, err := c.client.Submit(ctx, c.anchor(t)); !errors.Is(err, ErrLimitReached) || !strings.Contains(err.Error(), "budget") {
		t.Fatalf("c's action past the budget: %v; want 429 saying budget", err)
	}
	if after := nodeNonce(t, s); after != before {
		t.Fatalf("the node sent %d transactions past its limits", after-before)
	}

	// A restart keeps the certificate, the enrolments and today's counts.
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	s2 := startServer(t, cfg)
	if s2.Info().Fingerprint != info.Fingerprint {
		t.Fatalf("the certificate changed across a restart")
	}
	m2, err := Fetch(ctx, s2.Info().JoinURL)
	if err != nil {
		t.Fatal(err)
	}
	a2 := newTestWallet(t, m2)
	a2.key, a2.addr = a.key, a.addr
	a2.client = NewClient(m2, func(d []byte) ([]byte, error) { return crypto.Sign(d, a.key) })
	if acct, err := a2.client.Account(ctx); err != nil || !acct.Enrolled || acct.UsedToday != 1 || acct.PerDay != 1 {
		t.Fatalf("after a restart: %+v, %v", acct, err)
	}
}

func bigChainID(m Membership) *big.Int { return new(big.Int).SetUint64(m.ChainID) }

// TestServerGivenCertificate: a node given a certificate serves it (https
// on loopback too) and puts no pin in its join URL: wallets check it
// against the system's roots. Pinned by hand, it is the same certificate.
func TestServerGivenCertificate(t *testing.T) {
	certDir := t.TempDir()
	_, fp, err := selfSignedCertificate(certDir, []string{"127.0.0.1"})
	if err != nil {
		t.Fatal(err)
	}
	s := startServer(t, ServerConfig{TLSCert: filepath.Join(certDir, selfSignedCertFile), TLSKey: filepath.Join(certDir, selfSignedKeyFile)})
	info := s.Info()
	if !strings.HasPrefix(info.URL, "https://127.0.0.1:") || info.Fingerprint != "" || info.JoinURL != info.URL {
		t.Fatalf("a node with a given certificate: %+v", info)
	}
	ctx := context.Background()
	if _, err := Fetch(ctx, info.JoinURL); err == nil {
		t.Fatal("a certificate the system does not trust was accepted without a pin")
	}
	if _, err := Fetch(ctx, info.URL+"#fp="+fp); err != nil {
		t.Fatalf("Fetch pinned to the given certificate: %v", err)
	}
}

// TestServerRateLimitsClients: one client address enrolling many wallets
// gets 429 (with Retry-After) past the enrolment rate, before its request is
// even read, and those wallets are not enrolled; past the submission rate an
// enrolled wallet's action is refused with 429 and the node sends nothing.
func TestServerRateLimitsClients(t *testing.T) {
	const enrolBurst, submitBurst = 3, 7
	s := startServer(t, ServerConfig{
		EnrolRate:  relay.Rate{PerSecond: 1.0 / 3600, Burst: enrolBurst},
		SubmitRate: relay.Rate{PerSecond: 1.0 / 3600, Burst: submitBurst},
	})
	ctx := context.Background()
	m, err := Fetch(ctx, s.Info().JoinURL)
	if err != nil {
		t.Fatal(err)
	}
	var wallets []*testWallet
	for i := range enrolBurst + 1 {
		w := newTestWallet(t, m)
		wallets = append(wallets, w)
		err := w.client.Enrol(ctx, "")
		if i < enrolBurst && err != nil {
			t.Fatalf("enrolment %d of %d allowed: %v", i+1, enrolBurst, err)
		}
		if i == enrolBurst && (!errors.Is(err, ErrLimitReached) || refusal(err) != http.StatusTooManyRequests) {
			t.Fatalf("enrolment %d, past the rate: %v; want 429 ErrLimitReached", i+1, err)
		}
	}
	// An unsigned enrolment is refused for its rate before it is read.
	resp, err := http.Post(s.Info().URL+"/submit/v1/enrol", "application/json", strings.NewReader("{}"))
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusTooManyRequests || resp.Header.Get("Retry-After") == "" {
		t.Fatalf("a further enrolment: %s, Retry-After %q; want 429 with Retry-After", resp.Status, resp.Header.Get("Retry-After"))
	}
	// (Five requests so far count against the submission rate too.)
	if acct, err := wallets[enrolBurst].client.Account(ctx); err != nil || acct.Enrolled {
		t.Fatalf("the wallet refused for the rate: %+v, %v; want not enrolled", acct, err)
	}
	a := wallets[0]
	if _, err := a.client.Submit(ctx, a.anchor(t)); err != nil {
		t.Fatalf("an action within the rate: %v", err)
	}
	before := nodeNonce(t, s)
	if _, err := a.client.Submit(ctx, a.anchor(t)); !errors.Is(err, ErrLimitReached) || refusal(err) != http.StatusTooManyRequests {
		t.Fatalf("an action past the rate: %v; want 429 ErrLimitReached", err)
	}
	if after := nodeNonce(t, s); after != before {
		t.Fatalf("the node sent %d transactions past the rate", after-before)
	}
}

// Behind a proxy (TrustProxy), the rate limits go by each client's address
// as the proxy reports it in X-Forwarded-For, so one client past its limit
// does not lock out the others; without TrustProxy the header is the
// client's to forge and changes nothing.
func TestServerRateLimitsBehindAProxy(t *testing.T) {
	enrol := func(t *testing.T, s *Server, forwardedFor string) int {
		t.Helper()
		req, err := http.NewRequest(http.MethodPost, s.Info().URL+"/submit/v1/enrol", strings.NewReader("{}"))
		if err != nil {
			t.Fatal(err)
		}
		req.Header.Set("X-Forwarded-For", forwardedFor)
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		return resp.StatusCode
	}
	limits := ServerConfig{EnrolRate: relay.Rate{PerSecond: 1.0 / 3600, Burst: 2}}

	proxied := limits
	proxied.TrustProxy = true
	s := startServer(t, proxied)
	for range 2 {
		if code := enrol(t, s, "203.0.113.7"); code == http.StatusTooManyRequests {
			t.Fatalf("a client within its rate: %d", code)
		}
	}
	if code := enrol(t, s, "203.0.113.7"); code != http.StatusTooManyRequests {
		t.Fatalf("a client past its rate: %d, want 429", code)
	}
	if code := enrol(t, s, "198.51.100.9"); code == http.StatusTooManyRequests {
		t.Fatal("another client behind the same proxy was refused for the first one's rate")
	}
	// The proxy's entry is the last: a client cannot pick its bucket by
	// sending its own header before it.
	if code := enrol(t, s, "192.0.2.1, 203.0.113.7"); code != http.StatusTooManyRequests {
		t.Fatalf("a forged first X-Forwarded-For entry escaped the limit: %d", code)
	}

	direct := startServer(t, limits)
	for i := range 2 {
		enrol(t, direct, "203.0.113."+strconv.Itoa(i))
	}
	if code := enrol(t, direct, "198.51.100.9"); code != http.StatusTooManyRequests {
		t.Fatalf("without TrustProxy a forged X-Forwarded-For escaped the limit: %d", code)
	}
}
