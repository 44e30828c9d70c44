package wallet

import (
	"context"
	"encoding/json"
	"errors"
	"math/big"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/ethereum/go-ethereum"
	"github.com/ethereum/go-ethereum/accounts/abi/bind/v2"
	"github.com/ethereum/go-ethereum/common"
	"github.com/ethereum/go-ethereum/core/types"

	"healthwallet/chain"
	"healthwallet/chain/chaintest"
	"healthwallet/chain/contracts"
	"healthwallet/chain/merkle"
	"healthwallet/wallet/share"
	"healthwallet/wallet/vault"
)

// testRelay is a minimal SHL server for one share: POST returns the
// manifest with the files embedded, and 404 once revoked. It remembers what
// each receiver said about itself.
type testRelay struct {
	mu       sync.Mutex
	files    []share.EncryptedFile
	passcode string
	left     int
	revoked  atomic.Bool
	seen     []string // recipient "|" purpose
	srv      *httptest.Server
}

func newTestRelay(t testing.TB, files []share.EncryptedFile, passcode string) *testRelay {
	r := &testRelay{files: files, passcode: passcode, left: 5}
	r.srv = httptest.NewServer(http.HandlerFunc(r.serve))
	t.Cleanup(r.srv.Close)
	return r
}

func (r *testRelay) url() string { return r.srv.URL + "/shl/test" }

func (r *testRelay) serve(w http.ResponseWriter, req *http.Request) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.revoked.Load() || req.Method != http.MethodPost || r.left <= 0 {
		http.NotFound(w, req)
		return
	}
	var body struct{ Recipient, Passcode, Purpose string }
	if err := json.NewDecoder(req.Body).Decode(&body); err != nil {
		http.Error(w, err.Error(), http.StatusBadRequest)
		return
	}
	if r.passcode != "" && body.Passcode != r.passcode {
		r.left--
		w.WriteHeader(http.StatusUnauthorized)
		json.NewEncoder(w).Encode(map[string]int{"remainingAttempts": r.left})
		return
	}
	r.seen = append(r.seen, body.Recipient+"|"+body.Purpose)
	var doc share.ManifestDocument
	for _, f := range r.files {
		doc.Files = append(doc.Files, share.ManifestEntry{ContentType: f.ContentType, Embedded: f.JWE})
	}
	w.Header().Set("Content-Type", "application/json")
	json.NewEncoder(w).Encode(doc)
}

// sharedRecords reads the wallet's records as share.BuildShare wants them:
// the resource, its commitment's salt and its place in an anchored batch.
func sharedRecords(t testing.TB, w *Wallet) []share.SharedRecord {
	t.Helper()
	recs, err := w.Records(Query{})
	if err != nil {
		t.Fatal(err)
	}
	var out []share.SharedRecord
	for _, r := range recs {
		vid, err := parseID(r.ID)
		if err != nil {
			t.Fatal(err)
		}
		ver := uint32(r.Version)
		body, err := w.vault.Body(vid, ver)
		if err != nil {
			t.Fatal(err)
		}
		versions, err := w.vault.Versions(vid)
		if err != nil {
			t.Fatal(err)
		}
		var salt [32]byte
		for _, vm := range versions {
			if vm.Version == ver {
				m, err := decodeMeta(vm.Meta)
				if err != nil {
					t.Fatal(err)
				}
				copy(salt[:], common.FromHex(m.Salt))
			}
		}
		var av anchoredVersion
		err = w.vault.View(func(tx *vault.ReadTx) error {
			raw, ok, err := tx.State(spaceVersion, versionKey(vid, ver))
			if err != nil || !ok {
				return errors.Join(err, errors.New("not anchored"))
			}
			return json.Unmarshal(raw, &av)
		})
		if err != nil {
			t.Fatal(err)
		}
		var proof merkle.Proof
		if err := proof.UnmarshalBinary(av.Proof); err != nil {
			t.Fatal(err)
		}
		out = append(out, share.SharedRecord{Resource: body, Salt: salt, AnchorRoot: av.Root, AnchorProof: proof})
	}
	return out
}

// receiveFixture is a patient wallet with anchored records on a simulated
// chain, and a doctor's wallet on the same chain.
type receiveFixture struct {
	patient, doctor *Wallet
	sim             *chaintest.Sim
	records         []share.SharedRecord
}

const doctorMnemonic = "zoo zoo zoo zoo zoo zoo zoo zoo zoo zoo zoo zoo zoo zoo zoo zoo zoo zoo zoo zoo zoo zoo zoo vote"

func newReceiveFixture(t testing.TB, n int) *receiveFixture {
	t.Helper()
	ctx := context.Background()
	patient, sw := newChainWallet(t)
	importObservations(t, patient, "shared", n)
	if rep, err := patient.Anchor(ctx); err != nil || rep.Waiting() {
		t.Fatalf("anchor: %+v, %v", rep, err)
	}
	opts := fastKDF
	opts.OpenChain = sw.open
	doctor, err := Create(t.TempDir(), doctorMnemonic, testPassword, "Dr. Lee, City Clinic", opts)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { doctor.Close() })
	if err := sw.sim.FundFromDevAccount(ctx, common.HexToAddress(doctor.Address()), chaintest.FundAmount); err != nil {
		t.Fatal(err)
	}
	return &receiveFixture{patient: patient, doctor: doctor, sim: sw.sim, records: sharedRecords(t, patient)}
}

// share builds a share of every record, issues its grant on chain from the
// patient's key (as the outbox would), and serves it from a test relay.
func (f *receiveFixture) share(t testing.TB, edit func(*share.ShareRequest)) (link string, s *share.Share, relay *testRelay) {
	t.Helper()
	key, err := share.NewKey()
	if err != nil {
		t.Fatal(err)
	}
	signer, err := f.patient.ChainKey()
	if err != nil {
		t.Fatal(err)
	}
	req := share.ShareRequest{Records: f.records, Key: key, Patient: common.HexToAddress(f.patient.Address()), Signer: signer,
		PurposeCode: "TREAT", NotBefore: time.Now().Add(-time.Minute), Expiry: time.Now().Add(time.Hour),
		ChainID: f.sim.ChainID, Registry: f.sim.Registry}
	if edit != nil {
		edit(&req)
	}
	s, err = share.BuildShare(req)
	if err != nil {
		t.Fatal(err)
	}
	f.send(t, contracts.NewHealthRegistry().PackIssueGrant(s.Digest, common.Address{}, s.Grant.Expiry))
	relay = newTestRelay(t, s.Files, "")
	l := share.Link{URL: relay.url(), Key: key, Exp: time.Unix(int64(s.Grant.Expiry), 0), Label: "for Dr. Lee"}
	return l.String(), s, relay
}

// send sends a registry call from the patient's key and waits for it.
func (f *receiveFixture) send(t testing.TB, data []byte) {
	t.Helper()
	ctx := context.Background()
	key, err := f.patient.ChainKey()
	if err != nil {
		t.Fatal(err)
	}
	inst := contracts.NewHealthRegistry().Instance(f.sim.Client, f.sim.Registry)
	tx, err := bind.Transact(inst, bind.NewKeyedTransactor(key, f.sim.ChainID), data)
	if err != nil {
		t.Fatal(err)
	}
	if r, err := bind.WaitMined(ctx, f.sim.Client, tx.Hash()); err != nil || r.Status != types.ReceiptStatusSuccessful {
		t.Fatalf("transaction failed: %v", err)
	}
}

// accessLogs are the registry's AccessLogged events.
func accessLogs(t testing.TB, n *chain.Network) []*contracts.HealthRegistryAccessLogged {
	t.Helper()
	reg := contracts.NewHealthRegistry()
	logs, err := n.Client.FilterLogs(context.Background(), ethereum.FilterQuery{
		FromBlock: new(big.Int), Addresses: []common.Address{n.Registry},
		Topics: [][]common.Hash{{reg.GetABI().Events["AccessLogged"].ID}},
	})
	if err != nil {
		t.Fatal(err)
	}
	var out []*contracts.HealthRegistryAccessLogged
	for i := range logs {
		ev, err := reg.UnpackAccessLoggedEvent(&logs[i])
		if err != nil {
			t.Fatal(err)
		}
		ev.Raw = &logs[i]
		out = append(out, ev)
	}
	return out
}

func TestReceiveVerifiedAndLogged(t *testing.T) {
	f := newReceiveFixture(t, 4)
	ctx := context.Background()
	link, s, relay := f.share(t, nil)

	got, err := f.doctor.Receive(ctx, link, ReceiveOptions{Purpose: "careMgt"})
	if err != nil {
		t.Fatal(err)
	}
	if !got.Verified || got.Source != share.SourceHealthWallet || len(got.Failed()) != 0 {
		t.Fatalf("verified %v, source %q, failed %+v", got.Verified, got.Source, got.Failed())
	}
	if len(got.Checks) < 15 {
		t.Errorf("only %d checks ran", len(got.Checks))
	}
	if len(got.RecordsJSON()) != 4 || got.Purpose != "TREAT" || got.Digest != s.Digest || got.Label != "for Dr. Lee" {
		t.Errorf("received %d records, purpose %q, digest %s, label %q", len(got.Records), got.Purpose, got.Digest.Hex(), got.Label)
	}
	if got.Logged != "" || got.Problem != "" {
		t.Fatalf("logged %q, problem %q", got.Logged, got.Problem)
	}
	// The relay heard who opened it and why; the chain heard nothing from the
	// receiver: a transaction from its address would link it to the patient
	// (issue 7, finding 6). The patient's wallet records accesses instead.
	if len(relay.seen) != 1 || relay.seen[0] != "Dr. Lee, City Clinic|CAREMGT" {
		t.Errorf("relay saw %q", relay.seen)
	}
	if logs := accessLogs(t, f.sim.Network); len(logs) != 0 {
		t.Fatalf("the receiver logged %d accesses on chain itself: %+v", len(logs), logs)
	}
	if n, err := f.sim.Client.NonceAt(ctx, common.HexToAddress(f.doctor.Address()), nil); err != nil || n != 0 {
		t.Fatalf("the receiver's address sent %d transactions (%v)", n, err)
	}
	// The JSON a program reads.
	b, _ := json.Marshal(got)
	for _, k := range []string{`"verified":true`, `"checks":[`, `"records":[`} {
		if !strings.Contains(string(b), k) {
			t.Errorf("JSON lacks %s: %.300s", k, b)
		}
	}
}

func TestReceiveRefusals(t *testing.T) {
	f := newReceiveFixture(t, 3)
	ctx := context.Background()
	refused := func(t *testing.T, got Received, err error, check string) share.Check {
		t.Helper()
		if err != nil {
			t.Fatalf("Receive: %v", err)
		}
		if got.Verified || got.Logged != "" {
			t.Fatalf("verified %v, logged %q", got.Verified, got.Logged)
		}
		for _, c := range got.Failed() {
			if c.Name == check {
				return c
			}
		}
		t.Fatalf("%q did not fail; failed: %+v", check, got.Failed())
		return share.Check{}
	}
	before := len(accessLogs(t, f.sim.Network))

	t.Run("tampered JWE", func(t *testing.T) {
		link, s, relay := f.share(t, nil)
		jwe := []byte(s.Files[0].JWE)
		i := strings.LastIndexByte(string(jwe), '.') - 5 // inside the ciphertext
		jwe[i] ^= 'A' ^ 'B'
		if jwe[i] == '.' {
			jwe[i] = 'C'
		}
		relay.files[0].JWE = string(jwe)
		got, err := f.doctor.Receive(ctx, link, ReceiveOptions{})
		refused(t, got, err, share.CheckFilesDecrypted)
	})
	t.Run("another chain id", func(t *testing.T) {
		link, _, _ := f.share(t, func(r *share.ShareRequest) { r.ChainID = big.NewInt(31337) })
		got, err := f.doctor.Receive(ctx, link, ReceiveOptions{})
		refused(t, got, err, share.CheckChainID)
	})
	t.Run("another registry", func(t *testing.T) {
		link, _, _ := f.share(t, func(r *share.ShareRequest) {
			r.Registry = common.HexToAddress("0x00000000000000000000000000000000000000aa")
		})
		got, err := f.doctor.Receive(ctx, link, ReceiveOptions{})
		refused(t, got, err, share.CheckRegistry)
	})
	t.Run("revoked on chain", func(t *testing.T) {
		link, s, _ := f.share(t, nil)
		f.send(t, contracts.NewHealthRegistry().PackRevokeGrant(s.Grant.Patient, s.Digest))
		got, err := f.doctor.Receive(ctx, link, ReceiveOptions{})
		if c := refused(t, got, err, share.CheckGrantActive); !strings.Contains(c.Detail, "revoked") {
			t.Errorf("detail %q", c.Detail)
		}
	})
	t.Run("revoked at the relay", func(t *testing.T) {
		link, _, relay := f.share(t, nil)
		relay.revoked.Store(true)
		_, err := f.doctor.Receive(ctx, link, ReceiveOptions{})
		var oe *OpenError
		if !errors.As(err, &oe) || !errors.Is(err, share.ErrNoLongerAvailable) || !strings.Contains(err.Error(), "ask the patient for a new one") {
			t.Fatalf("err = %v", err)
		}
	})
	t.Run("wrong passcode", func(t *testing.T) {
		link, _, relay := f.share(t, nil)
		relay.passcode = "4321"
		l, _ := share.ParseLink(link)
		l.Flags = "P"
		_, err := f.doctor.Receive(ctx, l.String(), ReceiveOptions{Passcode: "0000"})
		var pe *share.PasscodeError
		if !errors.As(err, &pe) || pe.RemainingAttempts != 4 || !strings.Contains(err.Error(), "4 attempts left") {
			t.Fatalf("err = %v", err)
		}
		got, err := f.doctor.Receive(ctx, l.String(), ReceiveOptions{Passcode: "4321"})
		if err != nil || !got.Verified {
			t.Fatalf("right passcode: %v, %+v", err, got.Failed())
		}
	})
	t.Run("unknown purpose", func(t *testing.T) {
		_, err := f.doctor.Receive(ctx, "shlink:/x", ReceiveOptions{Purpose: "CURIOSITY"})
		if !errors.Is(err, share.ErrUnknownPurpose) || !strings.Contains(err.Error(), "TREAT") {
			t.Fatalf("err = %v", err)
		}
	})
	t.Run("not a link", func(t *testing.T) {
		got, err := f.doctor.Receive(ctx, "hello doctor", ReceiveOptions{})
		if !errors.Is(err, share.ErrBadLink) || len(got.Checks) != 1 || got.Checks[0].Name != share.CheckLinkWellFormed {
			t.Fatalf("%+v, %v", got.Checks, err)
		}
	})
	// No receive logged on chain: the receiver never sends (finding 6).
	if n := len(accessLogs(t, f.sim.Network)); n != before {
		t.Errorf("%d new AccessLogged events; want none", n-before)
	}
}

func TestReceiveAnonymous(t *testing.T) {
	f := newReceiveFixture(t, 2)
	ctx := context.Background()
	link, _, _ := f.share(t, nil)

	got, err := ReceiveAnonymous(ctx, link, ReceiveOptions{Recipient: "Dr. Who"}, f.sim.Network)
	if err != nil || !got.Verified || got.Logged != "" || got.Problem != "" {
		t.Fatalf("with the chain: verified %v, logged %q, problem %q, %v, failed %+v", got.Verified, got.Logged, got.Problem, err, got.Failed())
	}
	got, err = ReceiveAnonymous(ctx, link, ReceiveOptions{}, nil)
	if err != nil || got.Verified || got.Problem != "not verified on chain: no chain given" || len(got.Records) != 2 {
		t.Fatalf("without a chain: verified %v, problem %q, %d records, %v", got.Verified, got.Problem, len(got.Records), err)
	}
}

// An unfunded receiver verifies, and queues no transaction: no receiver
// does (the patient records accesses, see TestReceiveVerifiedAndLogged).
func TestReceiveUnfundedDoesNotLog(t *testing.T) {
	f := newReceiveFixture(t, 1)
	ctx := context.Background()
	opts := fastKDF
	opts.OpenChain = func(context.Context, ChainSettings, string, common.Address) (*chain.Network, error) {
		n := f.sim.Network
		return chain.NewNetwork(n.Client, n.ChainID, n.Registry, n.Kind, n.URL, nil, nil), nil
	}
	poor, err := Create(t.TempDir(), "legal winner thank year wave sausage worth useful legal winner thank year wave sausage worth useful legal winner thank year wave sausage worth title", testPassword, "Nurse Poor", opts)
	if err != nil {
		t.Fatal(err)
	}
	defer poor.Close()
	link, _, _ := f.share(t, nil)
	got, err := poor.Receive(ctx, link, ReceiveOptions{})
	if err != nil || !got.Verified || got.Logged != "" || got.Problem != "" {
		t.Fatalf("verified %v, logged %q, problem %q, %v", got.Verified, got.Logged, got.Problem, err)
	}
	st, err := poor.ChainStatus(ctx)
	if err != nil || len(st.Outbox) != 0 {
		t.Fatalf("outbox %+v, %v", st.Outbox, err)
	}
}

// BenchmarkReceive500 receives and verifies a share of 500 records over
// loopback, as a doctor's wallet does (it sends nothing to the chain).
func BenchmarkReceive500(b *testing.B) {
	f := newReceiveFixture(b, 500)
	ctx := context.Background()
	link, _, _ := f.share(b, nil)
	b.ResetTimer()
	start := time.Now()
	for b.Loop() {
		got, err := f.doctor.Receive(ctx, link, ReceiveOptions{})
		if err != nil || !got.Verified || len(got.Records) != 500 {
			b.Fatalf("%v, verified %v, %d records, %+v", err, got.Verified, len(got.Records), got.Failed())
		}
	}
	b.ReportMetric(float64(time.Since(start).Milliseconds())/float64(b.N), "ms/receive")
}
