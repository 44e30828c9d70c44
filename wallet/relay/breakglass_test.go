package relay

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"math/big"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/ethereum/go-ethereum/accounts/abi/bind/v2"
	"github.com/ethereum/go-ethereum/common"
	"github.com/ethereum/go-ethereum/crypto"

	"healthwallet/chain"
	"healthwallet/wallet/share"
)

// breakGlassRig is a relay over a simulated chain with a registry, whose
// break-glass submitter pays from a funded key of its own and counts what
// it is asked to send.
type breakGlassRig struct {
	s      *simRegistry
	tr     *testRelay
	mu     sync.Mutex
	sent   int
	failed error // when set, Submit fails with it (the chain down)
	hang   bool  // when set, Submit hangs until its deadline (a node that does not answer)
}

func newBreakGlassRig(t *testing.T) *breakGlassRig {
	s := newSimRegistry(t)
	g := &breakGlassRig{s: s}
	payer := s.caregiver // any funded key; the access key itself holds no ETH
	g.tr = newTestRelay(t, func(c *Config) {
		c.Checker = NewChainChecker(s.sim.Client(), s.addr)
		c.BreakGlass = &BreakGlass{ChainID: big.NewInt(1337), Registry: s.addr, Timeout: 2 * time.Second, Submit: func(ctx context.Context, data []byte) (common.Hash, error) {
			g.mu.Lock()
			defer g.mu.Unlock()
			if g.hang {
				<-ctx.Done()
				return common.Hash{}, ctx.Err()
			}
			if g.failed != nil {
				return common.Hash{}, g.failed
			}
			g.sent++
			tx, err := bind.Transact(s.inst, bind.NewKeyedTransactor(payer.key, big.NewInt(1337)), data)
			if err != nil {
				return common.Hash{}, err
			}
			s.sim.Commit()
			return tx.Hash(), nil
		}}
	})
	g.tr.p, g.tr.client = s.p, g.tr.clientFor(s.p)
	return g
}

func (g *breakGlassRig) submissions() int {
	g.tr.srv.background.Wait() // the records written after the answers
	g.mu.Lock()
	defer g.mu.Unlock()
	return g.sent
}

// grant issues a grant of the patient's whose access key derives from a
// fresh link key, and returns its digest and access key.
func (g *breakGlassRig) grant(t *testing.T) (digest, linkKey [32]byte) {
	rand.Read(digest[:])
	rand.Read(linkKey[:])
	access, err := share.AccessKey(linkKey)
	if err != nil {
		t.Fatal(err)
	}
	g.s.send(g.s.reg.PackIssueGrant(digest, crypto.PubkeyToAddress(access.PublicKey), uint64(time.Now().Add(2*time.Hour).Unix())))
	return digest, linkKey
}

// TestBreakGlassOnRegistry: an emergency share's opening is recorded on
// chain by the relay, as a salted commitment the patient's sealed entry
// opens; an ordinary share's is not; the chain down still serves the card.
func TestBreakGlassOnRegistry(t *testing.T) {
	g := newBreakGlassRig(t)
	ctx := context.Background()
	digest, linkKey := g.grant(t)
	access, _ := share.AccessKey(linkKey)
	info := g.tr.share(CreateRequest{GrantDigest: digest, EmergencyKey: access})
	if info.State != StateActive || !info.Emergency {
		t.Fatalf("emergency upload: %s, emergency %v", info.State, info.Emergency)
	}
	wantStatus(t, g.tr.manifest(info.URL, map[string]any{"recipient": "Paramedic Lee, Ambulance 12"}), http.StatusOK)
	if g.submissions() != 1 {
		t.Fatalf("one opening, %d submissions", g.submissions())
	}
	g.tr.srv.background.Wait()
	log, err := g.tr.client.AccessLog(ctx, info.ID, g.tr.p.sharing)
	if err != nil || len(log) != 1 {
		t.Fatalf("access log: %v, %d entries", err, len(log))
	}
	e := log[0]
	if !e.Emergency || e.Purpose != EmergencyPurpose || e.TxHash == "" || e.ChainPending != "" || e.Recipient != "Paramedic Lee, Ambulance 12" {
		t.Fatalf("the sealed entry of a break-glass opening: %+v", e)
	}
	// The patient opens the chain entry from the sealed one: the statement
	// and salt make the commitment the registry holds for the grant.
	salt, err := hex.DecodeString(e.Salt)
	if err != nil || len(salt) != 32 {
		t.Fatalf("salt %q", e.Salt)
	}
	entry, err := share.AccessStatement{Who: e.Recipient, Purpose: e.Purpose, Time: e.Time.Unix()}.Commitment([32]byte(salt))
	if err != nil || entry.Hex() != e.Entry {
		t.Fatalf("the commitment %s, the entry says %s (%v)", entry.Hex(), e.Entry, err)
	}
	reg := chain.NewRegistry(g.s.sim.Client(), g.s.addr)
	grantKey := chain.GrantKey(g.s.owner(), digest)
	if ok, err := reg.AccessLogged(ctx, grantKey, entry); err != nil || !ok {
		t.Fatalf("the opening is not on chain: %v, %v", ok, err)
	}
	rc, err := g.s.sim.Client().TransactionReceipt(ctx, common.HexToHash(e.TxHash))
	if err != nil || rc.Status != 1 {
		t.Fatalf("the break-glass transaction %s: %v", e.TxHash, err)
	}

	// An ordinary share of the same patient, with an access key in its
	// grant too: its opening is logged for the patient, never on chain by
	// the relay.
	plainDigest, _ := g.grant(t)
	plain := g.tr.share(CreateRequest{GrantDigest: plainDigest})
	wantStatus(t, g.tr.manifest(plain.URL, map[string]any{"recipient": "Dr. Smith"}), http.StatusOK)
	if g.submissions() != 1 {
		t.Fatalf("an ordinary share's opening made the relay submit (%d)", g.submissions())
	}
	plog, _ := g.tr.client.AccessLog(ctx, plain.ID, g.tr.p.sharing)
	if len(plog) != 1 || plog[0].Emergency || plog[0].TxHash != "" || plog[0].Salt != "" {
		t.Fatalf("an ordinary share's entry: %+v", plog)
	}

	// The chain's submitter down: the card is served all the same, and the
	// entry says the chain write is pending.
	g.mu.Lock()
	g.failed = errors.New("connection refused")
	g.mu.Unlock()
	wantStatus(t, g.tr.manifest(info.URL, map[string]any{"recipient": "ED nurse"}), http.StatusOK)
	g.tr.srv.background.Wait()
	log, _ = g.tr.client.AccessLog(ctx, info.ID, g.tr.p.sharing)
	last := log[len(log)-1]
	if !last.Emergency || last.TxHash != "" || last.ChainPending == "" || last.Recipient != "ED nurse" || last.Salt == "" {
		t.Fatalf("an opening with the chain down: %+v", last)
	}

	// A node that does not answer at all: the card is served at once all
	// the same; the record gives up at its deadline, saying so.
	g.mu.Lock()
	g.failed, g.hang = nil, true
	g.mu.Unlock()
	start := time.Now()
	wantStatus(t, g.tr.manifest(info.URL, map[string]any{"recipient": "Flight medic"}), http.StatusOK)
	if d := time.Since(start); d > time.Second {
		t.Fatalf("the card took %v to open while the chain hung", d)
	}
	g.tr.srv.background.Wait()
	log, _ = g.tr.client.AccessLog(ctx, info.ID, g.tr.p.sharing)
	if last := log[len(log)-1]; last.Recipient != "Flight medic" || !strings.Contains(last.ChainPending, "deadline") {
		t.Fatalf("an opening with the chain hanging: %+v", last)
	}
}

// TestBreakGlassCap: whoever holds a card's link cannot make the relay pay
// for more than MaxPerHour records of its openings an hour; past it the
// card is served and the opening sealed for the patient, marked pending;
// the next hour the relay records again.
func TestBreakGlassCap(t *testing.T) {
	g := newBreakGlassRig(t)
	g.tr.srv.cfg.BreakGlass.MaxPerHour = 2
	digest, linkKey := g.grant(t)
	access, _ := share.AccessKey(linkKey)
	info := g.tr.share(CreateRequest{GrantDigest: digest, EmergencyKey: access, Expires: g.tr.clock.Now().Add(90 * time.Minute)})
	for range 4 {
		wantStatus(t, g.tr.manifest(info.URL, map[string]any{"recipient": "x"}), http.StatusOK)
		g.tr.srv.background.Wait()
	}
	if g.submissions() != 2 {
		t.Fatalf("%d records paid for, want the cap of 2", g.submissions())
	}
	log, _ := g.tr.client.AccessLog(context.Background(), info.ID, g.tr.p.sharing)
	if len(log) != 4 || !log[3].Emergency || log[3].TxHash != "" || !strings.Contains(log[3].ChainPending, "last hour") {
		t.Fatalf("the openings past the cap: %+v", log)
	}
	g.tr.clock.Advance(time.Hour)
	wantStatus(t, g.tr.manifest(info.URL, map[string]any{"recipient": "x"}), http.StatusOK)
	if g.submissions() != 3 {
		t.Fatalf("the next hour: %d records paid for, want 3", g.submissions())
	}
}

// TestBreakGlassForgeries: a key that is not the grant's, a stranger
// naming the patient or the patient's grant, and a relay without a chain
// submitter: none makes the relay write on chain.
func TestBreakGlassForgeries(t *testing.T) {
	g := newBreakGlassRig(t)
	digest, linkKey := g.grant(t)
	access, _ := share.AccessKey(linkKey)

	// Not the grant's access key: refused at upload.
	wrong, _ := crypto.GenerateKey()
	_, err := g.tr.tryShare(CreateRequest{GrantDigest: digest, EmergencyKey: wrong})
	wantAPIStatus(t, err, http.StatusBadRequest)

	// A stranger signing for the patient: 403.
	stranger := *g.tr
	stranger.p = newPatient(t)
	stranger.client = g.tr.clientFor(stranger.p)
	_, err = stranger.tryShare(CreateRequest{GrantDigest: digest, Patient: g.s.owner(), EmergencyKey: access})
	wantAPIStatus(t, err, http.StatusForbidden)

	// A stranger uploading the patient's grant (and even its access key)
	// as their own: the grant is not theirs on chain, so the upload is
	// held pending, never served, and nothing is submitted.
	theirs := stranger.share(CreateRequest{GrantDigest: digest, EmergencyKey: access})
	if theirs.State != StatePending {
		t.Fatalf("a stranger's emergency upload of another's grant: %s", theirs.State)
	}
	r := g.tr.manifest(theirs.URL, map[string]any{"recipient": "x"})
	if r.status == http.StatusOK {
		t.Fatal("a stranger's upload of another patient's grant was served")
	}
	if g.submissions() != 0 {
		t.Fatalf("the relay submitted %d entries for a stranger", g.submissions())
	}

	// A relay that cannot write on chain refuses emergency uploads, saying so.
	plain := newTestRelay(t)
	_, err = plain.tryShare(CreateRequest{EmergencyKey: access})
	wantAPIStatus(t, err, http.StatusNotImplemented)
	// A malformed key on the wire is a 400.
	if _, err := parseEmergencyKey("AAAA"); err == nil {
		t.Fatal("a 3-byte emergency key was accepted")
	}
}
