package wallet

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/hex"
	"log/slog"
	"math/big"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/ethereum/go-ethereum/accounts/abi/bind/v2"
	"github.com/ethereum/go-ethereum/common"

	"healthwallet/chain"
	"healthwallet/chain/contracts"
	"healthwallet/wallet/care"
	"healthwallet/wallet/record"
	"healthwallet/wallet/relay"
	"healthwallet/wallet/share"
)

// breakGlassRelay is a real relay that records each opening of an
// emergency card on the chain itself (as hw network serve's relay does),
// sending from the chain's funded dev key. submitted counts its writes.
func breakGlassRelay(t *testing.T, sw *chainSwitch) (*httptest.Server, *atomic.Int64) {
	t.Helper()
	var submitted atomic.Int64
	reg := contracts.NewHealthRegistry()
	srv, err := relay.Open(relay.Config{
		DataDir: t.TempDir(), Checker: relay.NewChainChecker(sw.sim.Client, sw.sim.Registry), DisableRateLimits: true,
		Logger: slog.New(slog.DiscardHandler),
		BreakGlass: &relay.BreakGlass{ChainID: sw.sim.ChainID, Registry: sw.sim.Registry, Submit: func(ctx context.Context, data []byte) (common.Hash, error) {
			tx, err := reg.Instance(sw.sim.Client, sw.sim.Registry).RawTransact(bind.NewKeyedTransactor(sw.sim.DevKey, sw.sim.ChainID), data)
			if err != nil {
				return common.Hash{}, err
			}
			submitted.Add(1)
			return tx.Hash(), nil
		}},
	})
	if err != nil {
		t.Fatal(err)
	}
	hs := httptest.NewServer(srv.Handler())
	t.Cleanup(func() { hs.Close(); srv.Close() })
	return hs, &submitted
}

// A caregiver is alerted to each opening of the patient's emergency card,
// once, from the chain; the care copy names the card's grant, never its
// link key.
func TestCareEmergencyAlerts(t *testing.T) {
	e := newCareEnv(t)
	ctx := context.Background()
	bg, submitted := breakGlassRelay(t, e.sw)

	path := filepath.Join(t.TempDir(), "recs.json")
	if err := os.WriteFile(path, []byte(`{"resourceType":"Bundle","type":"collection","entry":[
		{"resource":{"resourceType":"AllergyIntolerance","id":"a1","clinicalStatus":{"coding":[{"code":"active"}]},"code":{"text":"Penicillin"}}}]}`), 0o600); err != nil {
		t.Fatal(err)
	}
	if _, err := e.w.Import(ctx, []string{path}, nil); err != nil {
		t.Fatal(err)
	}
	importRaw(t, e.w, medicationJSON("m1", "Metformin 500 MG"))
	if err := e.w.SetEmergencyProfile(EmergencyProfile{BloodType: "B+"}); err != nil {
		t.Fatal(err)
	}
	card, err := e.w.MakeEmergencyCard(ctx, EmergencyCardRequest{Relay: bg.URL})
	if err != nil {
		t.Fatal(err)
	}
	cardLink, err := share.ParseLink(card.Link)
	if err != nil {
		t.Fatal(err)
	}
	res := e.invite(t, []string{RightView}, []string{record.CategoryMedications})

	// The copy, decrypted as the caregiver sees it: the card's grant key,
	// not its link key in any encoding.
	sk, err := e.caregiver.sharingKey()
	if err != nil {
		t.Fatal(err)
	}
	inv, err := care.FetchInvitation(ctx, nil, res.Invite, sk)
	if err != nil {
		t.Fatal(err)
	}
	cp, err := care.FetchCopy(ctx, nil, inv.Copy, "test")
	if err != nil {
		t.Fatal(err)
	}
	var digest common.Hash
	shares, _, err := e.w.ownShares()
	if err != nil {
		t.Fatal(err)
	}
	for _, s := range shares {
		if s.ID == card.ID {
			digest = s.Digest
		}
	}
	grantKey := chain.GrantKey(testAddress(t), digest)
	var proof []byte
	for _, f := range cp.Files {
		if f.ContentType == care.ContentTypeCareProof {
			proof = f.Plaintext
		}
		k := cardLink.Key[:]
		for _, enc := range []string{string(k), hex.EncodeToString(k), strings.ToUpper(hex.EncodeToString(k)),
			base64.RawURLEncoding.EncodeToString(k), base64.StdEncoding.EncodeToString(k)[:40]} {
			if bytes.Contains(f.Plaintext, []byte(enc)) {
				t.Fatalf("the care copy's %s holds the emergency card's link key", f.ContentType)
			}
		}
	}
	if digest == (common.Hash{}) || !bytes.Contains(proof, []byte(strings.ToLower(grantKey.Hex()))) {
		t.Fatalf("the care proof does not name the card's grant key %s: %s", grantKey.Hex(), proof)
	}

	p, err := e.caregiver.AcceptInvitation(ctx, res.Invite)
	if err != nil || len(p.EmergencyOpenings) != 0 {
		t.Fatalf("AcceptInvitation: %+v, %v", p, err)
	}
	sync := func() []EmergencyOpening {
		t.Helper()
		reps, err := e.caregiver.CareSync(ctx, "")
		if err != nil || len(reps) != 1 || reps[0].Problem != "" || reps[0].EmergencyProblem != "" {
			t.Fatalf("CareSync: %+v, %v", reps, err)
		}
		return reps[0].NewEmergencyOpenings
	}
	if got := sync(); len(got) != 0 {
		t.Fatalf("before any opening the sync reports %+v", got)
	}

	// A paramedic opens the card; the relay records it on chain.
	opened := func(who string, want int64) {
		t.Helper()
		if _, err := share.Fetch(ctx, cardLink, share.FetchOptions{Recipient: who}); err != nil {
			t.Fatal(err)
		}
		for i := 0; submitted.Load() < want && i < 200; i++ { // the relay records it after answering
			time.Sleep(25 * time.Millisecond)
		}
		if submitted.Load() != want {
			t.Fatalf("the relay recorded %d openings, want %d", submitted.Load(), want)
		}
	}
	opened("Paramedic Lee", 1)
	got := sync()
	if len(got) != 1 || got[0].TxHash == "" {
		t.Fatalf("after one opening the sync reports %+v, want one with its tx", got)
	}
	h, err := e.sw.sim.Client.HeaderByNumber(ctx, new(big.Int).SetUint64(got[0].Block))
	if err != nil || !got[0].Time.Equal(time.Unix(int64(h.Time), 0)) {
		t.Fatalf("the opening's time %v is not its block's (%v)", got[0].Time, err)
	}
	rcpt, err := e.sw.sim.Client.TransactionReceipt(ctx, common.HexToHash(got[0].TxHash))
	if err != nil || rcpt.BlockNumber.Uint64() != got[0].Block {
		t.Fatalf("the opening's tx %s is not on chain in block %d: %v", got[0].TxHash, got[0].Block, err)
	}
	if again := sync(); len(again) != 0 {
		t.Fatalf("a second sync reports %+v again", again)
	}
	opened("ED nurse", 2)
	second := sync()
	if len(second) != 1 || second[0].TxHash == got[0].TxHash {
		t.Fatalf("after a second opening the sync reports %+v", second)
	}
	people, err := e.caregiver.CaredFor(ctx)
	if err != nil || len(people) != 1 || len(people[0].EmergencyOpenings) != 2 ||
		people[0].EmergencyOpenings[0].TxHash != got[0].TxHash || people[0].EmergencyOpenings[1].TxHash != second[0].TxHash {
		t.Fatalf("CaredFor: %+v, %v", people, err)
	}

	// Ada renews her card (a new grant) and syncs her caregivers' copies:
	// an opening of the new card reaches Byron too.
	renewed, err := e.w.MakeEmergencyCard(ctx, EmergencyCardRequest{Relay: bg.URL})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := e.w.Sync(ctx); err != nil {
		t.Fatalf("Ada's sync after renewing the card: %v", err)
	}
	if cardLink, err = share.ParseLink(renewed.Link); err != nil {
		t.Fatal(err)
	}
	if again := sync(); len(again) != 0 {
		t.Fatalf("renewing the card is no opening: %+v", again)
	}
	opened("Paramedic on the renewed card", 3)
	if third := sync(); len(third) != 1 || third[0].TxHash == second[0].TxHash {
		t.Fatalf("an opening of the renewed card: %+v", third)
	}
}

// A proof from a build that carried the card's link key is read without
// it; a malformed one is still refused.
func TestCopyProofLegacyEmergencyKey(t *testing.T) {
	e := newCareEnv(t)
	ctx := context.Background()
	importRaw(t, e.w, medicationJSON("m1", "Metformin 500 MG"))
	res := e.invite(t, []string{RightView}, nil)
	sk, err := e.caregiver.sharingKey()
	if err != nil {
		t.Fatal(err)
	}
	inv, err := care.FetchInvitation(ctx, nil, res.Invite, sk)
	if err != nil {
		t.Fatal(err)
	}
	cp, err := care.FetchCopy(ctx, nil, inv.Copy, "test")
	if err != nil {
		t.Fatal(err)
	}
	var proof []byte
	for _, f := range cp.Files {
		if f.ContentType == care.ContentTypeCareProof {
			proof = f.Plaintext
		}
	}
	if bytes.Contains(proof, []byte("emergency")) {
		t.Fatalf("a patient without a card: the proof names an emergency grant: %s", proof)
	}
	old := bytes.Replace(proof, []byte(`"updated"`), []byte(`"emergencyKey":"0x`+strings.Repeat("ab", 32)+`","updated"`), 1)
	p, err := care.ParseCopyProof(old)
	if err != nil || p.EmergencyGrantKey != (common.Hash{}) {
		t.Fatalf("an older proof: %+v, %v", p, err)
	}
	if again, err := p.Marshal(); err != nil || bytes.Contains(again, []byte("emergencyKey")) || bytes.Contains(again, []byte(strings.Repeat("ab", 32))) {
		t.Fatalf("re-encoded, the old key stays: %s, %v", again, err)
	}
	bad := bytes.Replace(proof, []byte(`"updated"`), []byte(`"emergencyKey":"0xabab","updated"`), 1)
	if _, err := care.ParseCopyProof(bad); err == nil {
		t.Fatal("a 2-byte emergency key was read")
	}
}
