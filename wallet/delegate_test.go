package wallet

import (
	"bytes"
	"context"
	"crypto/ecdh"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"math/big"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/ethereum/go-ethereum"
	"github.com/ethereum/go-ethereum/accounts/abi/bind/v2"
	"github.com/ethereum/go-ethereum/common"

	"healthwallet/chain"
	"healthwallet/chain/contracts"
	"healthwallet/wallet/care"
	"healthwallet/wallet/identity"
	"healthwallet/wallet/record"
	"healthwallet/wallet/relay"
	"healthwallet/wallet/share"
	"healthwallet/wallet/vault"
)

// fakeCareRelay stands in for the relay's care-copy and blob calls (part A
// of issue 9 adds them to the real relay): it keeps what the wallet uploads
// and serves the invitation blobs over HTTP, so the caregiver's side runs
// for real (FetchInvitation, VerifyCopy against the chain).
type fakeCareRelay struct {
	mu       sync.Mutex
	srv      *httptest.Server
	copies   map[string]*fakeCopy
	blobs    map[string][]byte
	replaced int
	down     bool
}

type fakeCopy struct {
	files    []relay.File
	delegate common.Address
	revoked  bool
	log      []relay.AccessEntry
}

func newFakeCareRelay(t *testing.T) *fakeCareRelay {
	f := &fakeCareRelay{copies: map[string]*fakeCopy{}, blobs: map[string][]byte{}}
	f.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		f.mu.Lock()
		defer f.mu.Unlock()
		b, ok := f.blobs[strings.TrimPrefix(r.URL.Path, "/blob/")]
		if !ok {
			http.NotFound(w, r)
			return
		}
		w.Write(b)
	}))
	t.Cleanup(f.srv.Close)
	old := newCareRelay
	newCareRelay = func(*Wallet, string) (careRelay, error) { return f, nil }
	t.Cleanup(func() { newCareRelay = old })
	return f
}

var errFakeDown = errors.New("dial tcp 127.0.0.1:9: connection refused")

func randomID() string {
	b := make([]byte, 16)
	rand.Read(b)
	return hex.EncodeToString(b)
}

func (f *fakeCareRelay) CreateCopy(_ context.Context, files []relay.File, delegate common.Address, _ time.Time, _ *ecdh.PublicKey) (string, string, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.down {
		return "", "", errFakeDown
	}
	id := randomID()
	f.copies[id] = &fakeCopy{files: files, delegate: delegate}
	return id, f.srv.URL + "/shl/" + id, nil
}

func (f *fakeCareRelay) ReplaceFiles(_ context.Context, id string, files []relay.File) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.down {
		return errFakeDown
	}
	c, ok := f.copies[id]
	if !ok || c.revoked {
		return relay.ErrNotFound
	}
	c.files = files
	f.replaced++
	return nil
}

func (f *fakeCareRelay) PutBlob(_ context.Context, data []byte, _ time.Time) (string, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.down {
		return "", errFakeDown
	}
	id := randomID()
	f.blobs[id] = data
	return f.srv.URL + "/blob/" + id, nil
}

func (f *fakeCareRelay) DeleteBlob(_ context.Context, url string) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.down {
		return errFakeDown
	}
	delete(f.blobs, url[strings.LastIndex(url, "/")+1:])
	return nil
}

func (f *fakeCareRelay) Revoke(_ context.Context, id string) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.down {
		return errFakeDown
	}
	if c, ok := f.copies[id]; ok {
		c.revoked = true
	}
	return nil
}

func (f *fakeCareRelay) List(context.Context) ([]relay.ShareInfo, error) { return nil, nil }

func (f *fakeCareRelay) AccessLog(_ context.Context, id string, _ *ecdh.PrivateKey) ([]relay.AccessEntry, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.down {
		return nil, errFakeDown
	}
	c, ok := f.copies[id]
	if !ok {
		return nil, relay.ErrNotFound
	}
	return append([]relay.AccessEntry(nil), c.log...), nil
}

// copyOf is the copy behind link as the caregiver fetches it: decrypted.
func (f *fakeCareRelay) copyOf(t *testing.T, link string) care.Copy {
	t.Helper()
	l, err := share.ParseLink(link)
	if err != nil {
		t.Fatal(err)
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	id := l.URL[strings.LastIndex(l.URL, "/")+1:]
	c, ok := f.copies[id]
	if !ok {
		t.Fatalf("no copy at %s", l.URL)
	}
	c.log = append(c.log, relay.AccessEntry{Time: time.Now(), Recipient: "Byron's wallet", Purpose: care.PurposeCare,
		Kind: relay.KindManifest, Outcome: relay.OutcomeServed, Share: id})
	out := care.Copy{Link: l}
	for _, file := range c.files {
		pt, ct, err := share.DecryptFile(file.JWE, l.Key[:])
		if err != nil {
			t.Fatal(err)
		}
		out.Files = append(out.Files, share.File{ContentType: ct, Plaintext: pt})
	}
	return out
}

// caregiver is a second person: their identity and card.
type caregiver struct {
	id   *identity.Identity
	card identity.Card
}

func newCaregiver(t *testing.T, name string) caregiver {
	t.Helper()
	seed := make([]byte, 64)
	rand.Read(seed)
	id, err := identity.FromSeed(seed)
	if err != nil {
		t.Fatal(err)
	}
	c, err := id.Card(name)
	if err != nil {
		t.Fatal(err)
	}
	return caregiver{id: id, card: c}
}

// accept opens the invitation as the caregiver's wallet does and checks the
// copy against the chain.
func (c caregiver) accept(t *testing.T, ctx context.Context, f *fakeCareRelay, sim *chain.Network, invite string) (care.Invitation, care.VerifiedCopy, error) {
	t.Helper()
	sk, err := c.id.SharingKey()
	if err != nil {
		t.Fatal(err)
	}
	inv, err := care.FetchInvitation(ctx, nil, invite, sk)
	if err != nil {
		t.Fatalf("FetchInvitation: %v", err)
	}
	if _, err := inv.CheckFor(c.id); err != nil {
		t.Fatalf("the invitation is not for this caregiver: %v", err)
	}
	cp := f.copyOf(t, inv.Copy)
	cp.Expect = inv.Expect()
	v, err := care.VerifyCopy(ctx, cp, share.NewChainReader(sim.Client, sim.Registry))
	return inv, v, err
}

func importRaw(t *testing.T, w *Wallet, raws ...string) {
	t.Helper()
	var files []string
	for i, raw := range raws {
		path := filepath.Join(t.TempDir(), fmt.Sprintf("r%d.json", i))
		if err := os.WriteFile(path, []byte(raw), 0o600); err != nil {
			t.Fatal(err)
		}
		files = append(files, path)
	}
	rep, err := w.Import(context.Background(), files, nil)
	if err != nil || rep.Imported != len(raws) {
		t.Fatalf("import: %+v, %v", rep, err)
	}
}

func medicationJSON(id, text string) string {
	return fmt.Sprintf(`{"resourceType":"MedicationRequest","id":"%s","status":"active","intent":"order","medicationCodeableConcept":{"text":"%s"}}`, id, text)
}

// The whole life of a delegation on a real (simulated) chain: invite with a
// medications-only scope, the caregiver opens the invitation and verifies
// exactly the medications; the patient adds one and syncs, the copy has it;
// a sync with nothing new uploads nothing; revoke ends it on chain and at
// the relay, and the copy no longer verifies.
func TestDelegateLifecycle(t *testing.T) {
	w, sw := newChainWallet(t)
	f := newFakeCareRelay(t)
	ctx := context.Background()
	importObservations(t, w, "obs", 2)
	importRaw(t, w, medicationJSON("m1", "Metformin 500 MG"), medicationJSON("m2", "Lisinopril 10 MG"))
	cg := newCaregiver(t, "Byron Lovelace")

	expires := time.Now().Add(30 * 24 * time.Hour).Truncate(time.Second)
	res, err := w.AddDelegate(ctx, DelegateRequest{Card: cg.card.String(), Rights: []string{RightShare},
		Categories: []string{record.CategoryMedications}, Expires: expires, Relay: "https://relay.example"})
	if err != nil {
		t.Fatal(err)
	}
	if res.Name != "Byron Lovelace" || res.Records != 2 || res.Problem != "" || !res.Expires.Equal(expires.UTC()) ||
		strings.Join(res.Rights, ",") != "view,share" || !strings.HasPrefix(res.Invite, care.InvitePrefix) {
		t.Fatalf("DelegateResult %+v", res)
	}
	if len(res.Invite) > care.MaxInviteLink {
		t.Fatalf("invite link of %d characters", len(res.Invite))
	}
	if text, err := share.DecodeQRImage(bytes.NewReader(res.QR)); err != nil || text != res.Invite {
		t.Fatalf("the QR reads %q, %v", text, err)
	}
	// The chain holds the relationship address, not the caregiver's card's.
	if common.HexToAddress(res.Delegate) == cg.card.Address {
		t.Fatal("the delegation names the caregiver's card address: it links their people")
	}
	st, err := share.NewChainReader(sw.sim.Client, sw.sim.Registry).DelegateOf(ctx, testAddress(t), common.HexToAddress(res.Delegate))
	if err != nil || !st.Active || st.Expiry != uint64(expires.Unix()) || st.Rights != 3 {
		t.Fatalf("delegateOf = %+v, %v", st, err)
	}
	// Nothing on chain names the caregiver: not their card's address, not
	// their sharing key, not a name — in no event and no transaction.
	logs, err := sw.sim.Client.FilterLogs(ctx, ethereum.FilterQuery{FromBlock: new(big.Int), Addresses: []common.Address{sw.sim.Registry}})
	if err != nil {
		t.Fatal(err)
	}
	for _, l := range logs {
		blob := append([]byte(nil), l.Data...)
		for _, tp := range l.Topics {
			blob = append(blob, tp[:]...)
		}
		tx, _, err := sw.sim.Client.TransactionByHash(ctx, l.TxHash)
		if err != nil {
			t.Fatal(err)
		}
		blob = append(blob, tx.Data()...)
		for what, b := range map[string][]byte{"card address": cg.card.Address[:], "sharing key": cg.card.SharingKey[:], "name": []byte("Byron"), "family name": []byte("Lovelace")} {
			if bytes.Contains(blob, b) {
				t.Fatalf("the chain holds the caregiver's %s (block %d)", what, l.BlockNumber)
			}
		}
	}

	// Nothing of the delegation is readable in the patient's vault file:
	// not the caregiver's name, card, address or the invitation.
	raw, err := os.ReadFile(filepath.Join(w.Dir(), VaultFileName))
	if err != nil {
		t.Fatal(err)
	}
	for _, needle := range []string{"Byron", cg.card.String()[len(identity.CardPrefix):][:40], res.Delegate[2:], strings.ToLower(res.Delegate[2:]), res.Invite[len(care.InvitePrefix):][:40]} {
		if bytes.Contains(raw, []byte(needle)) {
			t.Fatalf("the patient's vault file contains %q in clear", needle)
		}
	}
	if bytes.Contains(raw, common.HexToAddress(res.Delegate).Bytes()) {
		t.Fatal("the patient's vault file contains the caregiver's address in binary")
	}

	inv, v, err := cg.accept(t, ctx, f, sw.sim.Network, res.Invite)
	if err != nil {
		t.Fatalf("the caregiver's copy does not verify: %v", err)
	}
	if len(v.Records) != 2 || inv.Scope.Scope.Delegate.Hex() != res.Delegate || v.Scope.PatientName != "Ada Lovelace" {
		t.Fatalf("verified copy: %d records, scope %+v", len(v.Records), v.Scope)
	}
	for _, r := range v.Records {
		if !strings.Contains(string(r.Resource), "MedicationRequest") {
			t.Fatalf("a record outside the medications scope reached the caregiver: %s", r.Resource)
		}
	}
	list, err := w.Delegates(ctx)
	if err != nil || len(list) != 1 || list[0].State != DelegateActive || list[0].Records != 2 || list[0].Name != "Byron Lovelace" {
		t.Fatalf("Delegates = %+v, %v", list, err)
	}

	// Nothing new: no upload.
	rep, err := w.Sync(ctx)
	if err != nil || len(rep.Delegates) != 1 || rep.Delegates[0].Added != 0 || f.replaced != 0 {
		t.Fatalf("Sync with nothing new: %+v, %v, %d uploads", rep, err, f.replaced)
	}
	// One more medication (and an observation, outside the scope).
	importRaw(t, w, medicationJSON("m3", "Atorvastatin 20 MG"))
	importObservations(t, w, "late", 1)
	rep, err = w.Sync(ctx)
	if err != nil || len(rep.Delegates) != 1 || rep.Delegates[0].Added != 1 || rep.Delegates[0].Records != 3 || rep.Delegates[0].Problem != "" || f.replaced != 1 {
		t.Fatalf("Sync: %+v, %v, %d uploads", rep, err, f.replaced)
	}
	_, v, err = cg.accept(t, ctx, f, sw.sim.Network, res.Invite)
	if err != nil || len(v.Records) != 3 {
		t.Fatalf("after sync the copy has %d records, %v", len(v.Records), err)
	}

	info, err := w.RevokeDelegate(ctx, "byron lovelace")
	if err != nil {
		t.Fatal(err)
	}
	if info.State != DelegateRevoked || !strings.Contains(info.Note, "stay") || info.Problem != "" {
		t.Fatalf("RevokeDelegate = %+v", info)
	}
	st, _ = share.NewChainReader(sw.sim.Client, sw.sim.Registry).DelegateOf(ctx, testAddress(t), common.HexToAddress(res.Delegate))
	if st.Active {
		t.Fatal("the delegation is still active on chain after revocation")
	}
	f.mu.Lock()
	revoked, blobs := f.copies[f.firstCopy()].revoked, len(f.blobs)
	f.mu.Unlock()
	if !revoked || blobs != 0 {
		t.Fatalf("the relay still serves the copy (%v) or the invitation (%d)", !revoked, blobs)
	}
	cp := f.copyOf(t, inv.Copy)
	cp.Expect = inv.Expect()
	_, err = care.VerifyCopy(ctx, cp, share.NewChainReader(sw.sim.Client, sw.sim.Registry))
	var ce *care.CopyError
	if !errors.As(err, &ce) || ce.Check != care.CheckDelegationActive {
		t.Fatalf("a revoked delegation's copy: %v", err)
	}
	rep, err = w.Sync(ctx)
	if err != nil || len(rep.Delegates) != 0 || f.replaced != 1 {
		t.Fatalf("Sync after revocation: %+v, %v", rep, err)
	}
	if _, err := w.RenewDelegate(ctx, res.Delegate, expires.Add(time.Hour)); err == nil {
		t.Fatal("renewed a revoked delegation")
	}
}

func (f *fakeCareRelay) firstCopy() string {
	for id := range f.copies {
		return id
	}
	return ""
}

// Renewal moves the expiry on chain and in a new signed scope, and the
// caregiver's copy verifies against it.
func TestDelegateRenew(t *testing.T) {
	w, sw := newChainWallet(t)
	f := newFakeCareRelay(t)
	ctx := context.Background()
	importObservations(t, w, "obs", 2)
	cg := newCaregiver(t, "Byron Lovelace")
	res, err := w.AddDelegate(ctx, DelegateRequest{Card: cg.card.String(), Expires: time.Now().Add(24 * time.Hour), Relay: "https://relay.example"})
	if err != nil {
		t.Fatal(err)
	}
	first, err := w.findDelegate(res.Delegate)
	if err != nil {
		t.Fatal(err)
	}
	later := time.Now().Add(300 * 24 * time.Hour).Truncate(time.Second).UTC()
	info, err := w.RenewDelegate(ctx, cg.card.String(), later)
	if err != nil || info.State != DelegateActive || !info.Expires.Equal(later) || info.Problem != "" {
		t.Fatalf("RenewDelegate = %+v, %v", info, err)
	}
	// Each scope the wallet makes has its own random salt, so its hash on
	// chain confirms no guessed name.
	renewed, err := w.findDelegate(res.Delegate)
	if err != nil {
		t.Fatal(err)
	}
	if s0, s1 := first.Scope.Scope.Salt, renewed.Scope.Scope.Salt; s0 == (common.Hash{}) || s1 == (common.Hash{}) || s0 == s1 {
		t.Fatalf("scope salts %s on adding, %s on renewing: want two different random salts", s0.Hex(), s1.Hex())
	}
	_, v, err := cg.accept(t, ctx, f, sw.sim.Network, res.Invite)
	if err != nil || v.Expires() != later || len(v.Records) != 2 {
		t.Fatalf("after renewal: %v, expires %s", err, v.Expires())
	}

	// Ten months on, a renewal past the year the relay keeps the copy: the
	// copy moves to a new link, with a new invitation to give, and the old
	// one is dropped.
	real := now
	now = func() time.Time { return real().Add(300 * 24 * time.Hour) }
	t.Cleanup(func() { now = real })
	further := real().Add(600 * 24 * time.Hour).Truncate(time.Second).UTC()
	info, err = w.RenewDelegate(ctx, res.Delegate, further)
	if err != nil || info.Problem != "" || info.Invite == "" || info.Invite == res.Invite || !strings.Contains(info.Note, "new invitation") {
		t.Fatalf("renewal past the copy's year: %+v, %v", info, err)
	}
	_, v, err = cg.accept(t, ctx, f, sw.sim.Network, info.Invite)
	if err != nil || v.Expires() != further {
		t.Fatalf("the moved copy: %v, expires %s", err, v.Expires())
	}
	f.mu.Lock()
	revoked := 0
	for _, c := range f.copies {
		if c.revoked {
			revoked++
		}
	}
	blobs := len(f.blobs)
	f.mu.Unlock()
	if revoked != 1 || blobs != 1 {
		t.Fatalf("%d old copies revoked, %d invitations left; want 1 and 1", revoked, blobs)
	}
}

// What cannot make a delegation is refused with a message, and a relay
// that fails after the delegation was queued leaves none standing.
func TestDelegateRefusals(t *testing.T) {
	w, sw := newChainWallet(t)
	f := newFakeCareRelay(t)
	ctx := context.Background()
	importObservations(t, w, "obs", 1)
	cg := newCaregiver(t, "Byron Lovelace")
	month := time.Now().Add(30 * 24 * time.Hour)
	own, err := w.Card()
	if err != nil {
		t.Fatal(err)
	}
	forged := cg.card
	forged.DisplayName = "Dr. Byron"
	for name, req := range map[string]DelegateRequest{
		"own card":     {Card: own, Expires: month},
		"forged card":  {Card: forged.String(), Expires: month},
		"no expiry":    {Card: cg.card.String()},
		"past":         {Card: cg.card.String(), Expires: time.Now().Add(-time.Hour)},
		"too far":      {Card: cg.card.String(), Expires: time.Now().Add(20 * 365 * 24 * time.Hour)},
		"bad right":    {Card: cg.card.String(), Expires: month, Rights: []string{"admin"}},
		"bad category": {Card: cg.card.String(), Expires: month, Categories: []string{"Secrets"}},
		"no relay":     {Card: cg.card.String(), Expires: month},
	} {
		if name != "no relay" {
			req.Relay = "https://relay.example"
		}
		if _, err := w.AddDelegate(ctx, req); err == nil {
			t.Errorf("%s: AddDelegate succeeded", name)
		} else if name == "own card" && !errors.Is(err, ErrOwnCard) || name == "no relay" && !errors.Is(err, ErrNoRelay) {
			t.Errorf("%s: %v", name, err)
		}
	}

	f.down = true
	_, err = w.AddDelegate(ctx, DelegateRequest{Card: cg.card.String(), Expires: month, Relay: "https://relay.example"})
	if err == nil || !strings.Contains(err.Error(), "does not answer") || !strings.Contains(err.Error(), "revoked") {
		t.Fatalf("relay down: %v", err)
	}
	list, err := w.Delegates(ctx)
	if err != nil || len(list) != 0 {
		t.Fatalf("after a failed delegation: %+v, %v", list, err)
	}
	if n, err := chain.NewRegistry(sw.sim.Client, sw.sim.Registry).NonceOf(ctx, testAddress(t)); err != nil || n != 2 {
		t.Fatalf("nonce %d, %v: want the delegation and its revocation on chain", n, err)
	}
	if _, err := w.RevokeDelegate(ctx, "nobody"); !errors.Is(err, ErrNoDelegate) {
		t.Fatalf("revoking no one: %v", err)
	}
}

func TestParseExpiry(t *testing.T) {
	t0 := time.Date(2026, 1, 31, 10, 0, 0, 0, time.UTC)
	for in, want := range map[string]time.Time{
		"30d":         t0.AddDate(0, 0, 30),
		"12h":         t0.Add(12 * time.Hour),
		"2w":          t0.AddDate(0, 0, 14),
		"1m":          t0.AddDate(0, 1, 0),
		"1y":          t0.AddDate(1, 0, 0),
		" 2027-03-01": time.Date(2027, 3, 2, 0, 0, 0, 0, time.UTC),
	} {
		got, err := ParseExpiry(in, t0)
		if err != nil || !got.Equal(want) {
			t.Errorf("ParseExpiry(%q) = %s, %v; want %s", in, got, err, want)
		}
	}
	for _, bad := range []string{"", "d", "0d", "-1d", "1x", "1.5d", "2025-12-31", "2026-02-30", "forever"} {
		if _, err := ParseExpiry(bad, t0); err == nil {
			t.Errorf("ParseExpiry(%q) accepted", bad)
		}
	}
}

// The patient's access log names each of the caregiver's actions: the
// first fetch (accepted), later ones (synced), a share made on the
// patient's behalf and its revocation, read from the chain.
func TestDelegateAccessLog(t *testing.T) {
	w, sw := newChainWallet(t)
	f := newFakeCareRelay(t)
	ctx := context.Background()
	importObservations(t, w, "obs", 2)
	cg := newCaregiver(t, "Byron Lovelace")
	res, err := w.AddDelegate(ctx, DelegateRequest{Card: cg.card.String(), Rights: []string{RightShare},
		Expires: time.Now().Add(30 * 24 * time.Hour), Relay: "https://relay.example"})
	if err != nil {
		t.Fatal(err)
	}
	inv, _, err := cg.accept(t, ctx, f, sw.sim.Network, res.Invite)
	if err != nil {
		t.Fatal(err)
	}
	if _, _, err := cg.accept(t, ctx, f, sw.sim.Network, res.Invite); err != nil {
		t.Fatal(err)
	}

	// The caregiver issues a grant for the patient with the relationship
	// key, then revokes it; anyone submits the signed actions.
	rk, err := cg.id.RelationshipKey(inv.Tweak)
	if err != nil {
		t.Fatal(err)
	}
	signer := chain.Signer{Key: rk, ChainID: sw.sim.ChainID, Registry: sw.sim.Registry}
	digest := common.HexToHash("0x1234")
	exp := uint64(time.Now().Add(time.Hour).Unix())
	issue, err := signer.IssueGrant(testAddress(t), digest, common.HexToAddress("0x77"), exp, exp)
	if err != nil {
		t.Fatal(err)
	}
	revoke, err := signer.RevokeGrant(testAddress(t), digest, exp)
	if err != nil {
		t.Fatal(err)
	}
	opts := bind.NewKeyedTransactor(sw.sim.DevKey, sw.sim.ChainID)
	for _, call := range [][]byte{issue, revoke} {
		if _, err := contracts.NewHealthRegistry().Instance(sw.sim.Client, sw.sim.Registry).RawTransact(opts, call); err != nil {
			t.Fatal(err)
		}
	}

	log, err := w.AccessLog(ctx)
	if err != nil {
		t.Fatal(err)
	}
	actions := map[string]AccessEntry{}
	for _, e := range log {
		if e.Delegate == "" {
			continue
		}
		if e.Delegate != res.Delegate || e.Who != "Byron Lovelace" {
			t.Fatalf("a delegate entry names %s (%q), not the caregiver", e.Delegate, e.Who)
		}
		if _, seen := actions[e.Action]; seen && e.Action != ActionSynced {
			t.Fatalf("action %s listed twice", e.Action)
		}
		actions[e.Action] = e
	}
	if len(actions) != 4 {
		t.Fatalf("delegate actions %v; want accepted, synced, shared, revoked", actions)
	}
	if s := actions[ActionShared]; s.Share != digest.Hex() || s.Source != "chain" || s.TxHash == "" {
		t.Fatalf("shared entry %+v", s)
	}
	if a := actions[ActionAccepted]; a.Source != "relay" || a.Purpose != "CAREMGT" || a.Time.After(actions[ActionSynced].Time) {
		t.Fatalf("accepted entry %+v", a)
	}
}

// The same life with the real relay (HTTP, checking the chain on every
// request): the caregiver fetches the invitation blob and the care copy as
// any client would; after a sync the copy has the new record under the same
// link; the patient's log has the caregiver's fetches; after revocation the
// relay serves neither the copy nor the invitation.
func TestDelegateWithRelay(t *testing.T) {
	e := newShareEnv(t)
	ctx := context.Background()
	importObservations(t, e.w, "obs", 2)
	cg := newCaregiver(t, "Byron Lovelace")
	res, err := e.w.AddDelegate(ctx, DelegateRequest{Card: cg.card.String(), Rights: []string{RightView},
		Expires: time.Now().Add(30 * 24 * time.Hour)})
	if err != nil {
		t.Fatal(err)
	}
	sk, err := cg.id.SharingKey()
	if err != nil {
		t.Fatal(err)
	}
	inv, err := care.FetchInvitation(ctx, nil, res.Invite, sk)
	if err != nil {
		t.Fatal(err)
	}
	reader := share.NewChainReader(e.sw.sim.Client, e.sw.sim.Registry)
	fetch := func() (care.VerifiedCopy, error) {
		t.Helper()
		cp, err := care.FetchCopy(ctx, nil, inv.Copy, "Byron's wallet")
		if err != nil {
			return care.VerifiedCopy{}, err
		}
		cp.Expect = inv.Expect()
		return care.VerifyCopy(ctx, cp, reader)
	}
	v, err := fetch()
	if err != nil || len(v.Records) != 2 {
		t.Fatalf("first fetch: %d records, %v", len(v.Records), err)
	}
	importObservations(t, e.w, "late", 1)
	rep, err := e.w.Sync(ctx)
	if err != nil || len(rep.Delegates) != 1 || rep.Delegates[0].Added != 1 || rep.Delegates[0].Problem != "" {
		t.Fatalf("Sync = %+v, %v", rep, err)
	}
	if v, err = fetch(); err != nil || len(v.Records) != 3 {
		t.Fatalf("after sync: %d records, %v", len(v.Records), err)
	}
	log, err := e.w.AccessLog(ctx)
	if err != nil {
		t.Fatal(err)
	}
	var accepted, synced int
	for _, a := range log {
		switch a.Action {
		case ActionAccepted:
			accepted++
		case ActionSynced:
			synced++
		}
		if a.Action != "" && (a.Delegate != res.Delegate || a.Who != "Byron Lovelace") {
			t.Fatalf("entry %+v", a)
		}
	}
	if accepted != 1 || synced != 1 {
		t.Fatalf("log has %d accepted and %d synced entries: %+v", accepted, synced, log)
	}

	info, err := e.w.RevokeDelegate(ctx, res.Delegate)
	if err != nil || info.State != DelegateRevoked || info.Problem != "" {
		t.Fatalf("RevokeDelegate = %+v, %v", info, err)
	}
	if _, err := fetch(); !errors.Is(err, share.ErrNoLongerAvailable) {
		t.Fatalf("fetching the copy after revocation: %v", err)
	}
	if _, err := care.FetchInvitation(ctx, nil, res.Invite, sk); !errors.Is(err, care.ErrBadInvitation) {
		t.Fatalf("fetching the invitation after revocation: %v", err)
	}
}

// A wallet interrupted between queueing the delegation and uploading the
// copy (a crash, the app closed) finishes on the next sync: the copy and a
// new invitation are published, and the caregiver's copy verifies.
func TestDelegateInterruptedFinishesOnSync(t *testing.T) {
	w, sw := newChainWallet(t)
	f := newFakeCareRelay(t)
	ctx := context.Background()
	importObservations(t, w, "obs", 2)
	cg := newCaregiver(t, "Byron Lovelace")
	res, err := w.AddDelegate(ctx, DelegateRequest{Card: cg.card.String(), Expires: time.Now().Add(24 * time.Hour), Relay: "https://relay.example"})
	if err != nil {
		t.Fatal(err)
	}
	d, err := w.findDelegate(res.Delegate)
	if err != nil {
		t.Fatal(err)
	}
	d.CopyID, d.CopyLink, d.Invite, d.InviteURL = "", "", "", ""
	if err := w.vault.Update(func(tx *vault.Tx) error { return putOwnDelegate(tx, d) }); err != nil {
		t.Fatal(err)
	}
	rep, err := w.Sync(ctx)
	if err != nil || len(rep.Delegates) != 1 || !strings.Contains(rep.Delegates[0].Problem, "give them hwinvite:") {
		t.Fatalf("Sync = %+v, %v", rep, err)
	}
	list, err := w.Delegates(ctx)
	if err != nil || len(list) != 1 || list[0].Invite == "" || list[0].Invite == res.Invite {
		t.Fatalf("Delegates = %+v, %v", list, err)
	}
	if _, v, err := cg.accept(t, ctx, f, sw.sim.Network, list[0].Invite); err != nil || len(v.Records) != 2 {
		t.Fatalf("the copy published on sync: %v", err)
	}
	// The next sync finds nothing to do.
	if rep, err := w.Sync(ctx); err != nil || rep.Delegates[0].Problem != "" {
		t.Fatalf("second Sync = %+v, %v", rep, err)
	}
}
