package chain_test

import (
	"context"
	"errors"
	"math/big"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/ethereum/go-ethereum/common"
	"github.com/ethereum/go-ethereum/crypto"

	"healthwallet/chain"
	"healthwallet/chain/contracts"
)

// submitEnv is a network node with its submitter, and a patient with no ETH.
type submitEnv struct {
	t       *testing.T
	ctx     context.Context
	node    *chain.Node
	sub     *chain.Submitter
	patient chain.Signer
}

func newSubmitEnv(t *testing.T) *submitEnv {
	node := openNode(t, t.TempDir())
	key, _ := newKey(t)
	n := node.Network
	return &submitEnv{t: t, ctx: testContext(t), node: node, sub: chain.NewSubmitter(n, node.Key),
		patient: chain.Signer{Key: key, ChainID: n.ChainID, Registry: n.Registry}}
}

// deadline is a day after the chain's head.
func (e *submitEnv) deadline() uint64 {
	e.t.Helper()
	h, err := e.node.Network.Client.HeaderByNumber(e.ctx, nil)
	if err != nil {
		e.t.Fatal(err)
	}
	return h.Time + 24*3600
}

func (e *submitEnv) must(data []byte, err error) []byte {
	e.t.Helper()
	if err != nil {
		e.t.Fatal(err)
	}
	return data
}

// land submits data and waits until its transaction is in a block.
func (e *submitEnv) land(what string, data []byte) chain.TxStatus {
	e.t.Helper()
	res, err := e.sub.Submit(e.ctx, data)
	if err != nil || res.Already {
		e.t.Fatalf("submitting %s: %+v %v", what, res, err)
	}
	st := e.wait(what, res.TxHash)
	e.t.Logf("%s through the submitter: %d gas", what, st.GasUsed)
	return st
}

func (e *submitEnv) wait(what string, hash common.Hash) chain.TxStatus {
	e.t.Helper()
	for {
		st, err := e.sub.Status(e.ctx, hash)
		if err != nil {
			e.t.Fatalf("status of %s: %v", what, err)
		}
		if st.State != chain.TxPending {
			return st
		}
		select {
		case <-e.ctx.Done():
			e.t.Fatalf("%s still pending", what)
		case <-time.After(100 * time.Millisecond):
		}
	}
}

// nonce is the node key's nonce, pending transactions counted.
func (e *submitEnv) nonce() uint64 {
	e.t.Helper()
	n, err := e.node.Network.Client.PendingNonceAt(e.ctx, crypto.PubkeyToAddress(e.node.Key.PublicKey))
	if err != nil {
		e.t.Fatal(err)
	}
	return n
}

// TestSubmitterLandsSignedActions: a patient without ETH anchors, shares,
// has an access logged and revokes, each through the node's submitter;
// the same calldata submitted again while pending gets the same
// transaction, and once landed is reported as already done with that
// transaction; concurrent submissions all land, one nonce each.
func TestSubmitterLandsSignedActions(t *testing.T) {
	e := newSubmitEnv(t)
	ctx, n := e.ctx, e.node.Network
	reg := chain.NewRegistry(n.Client, n.Registry)
	patient := e.patient.Address()
	accessKey, accessAddr := newKey(t)
	root := crypto.Keccak256Hash([]byte("a batch"))
	digest := crypto.Keccak256Hash([]byte("a share"))

	anchorData := e.must(e.patient.Anchor(root, 3, e.deadline()))
	first, err := e.sub.Submit(ctx, anchorData)
	if err != nil {
		t.Fatalf("submitting an anchor: %v", err)
	}
	again, err := e.sub.Submit(ctx, anchorData)
	if err != nil || again.TxHash != first.TxHash || again.Already {
		t.Fatalf("the same anchor again while pending: %+v %v, want the same transaction %s", again, err, first.TxHash)
	}
	st := e.wait("anchor", first.TxHash)
	t.Logf("anchor through the submitter: %d gas", st.GasUsed)
	if st.State != chain.TxIncluded || st.BlockNumber == 0 || st.BlockHash == (common.Hash{}) || st.BlockTime.IsZero() || st.GasUsed == 0 || st.Head < st.BlockNumber {
		t.Fatalf("status of the landed anchor: %+v", st)
	}
	if a, err := reg.AnchorOf(ctx, patient, root); err != nil || a.Count != 3 {
		t.Fatalf("the patient's anchor: %+v %v", a, err)
	}
	replay, err := e.sub.Submit(ctx, anchorData)
	if err != nil || !replay.Already || replay.TxHash != first.TxHash {
		t.Fatalf("the landed anchor again: %+v %v, want already done by %s", replay, err, first.TxHash)
	}

	expiry := uint64(time.Now().Add(30 * 24 * time.Hour).Unix())
	e.land("grant", e.must(e.patient.IssueGrant(patient, digest, accessAddr, expiry, e.deadline())))
	entry := crypto.Keccak256Hash([]byte("read on Tuesday"))
	access := chain.Signer{Key: accessKey, ChainID: n.ChainID, Registry: n.Registry}
	e.land("access entry", e.must(access.LogAccess(chain.GrantKey(patient, digest), entry, e.deadline())))
	if ok, err := reg.AccessLogged(ctx, chain.GrantKey(patient, digest), entry); err != nil || !ok {
		t.Fatalf("the access entry: %v %v", ok, err)
	}
	e.land("revoke", e.must(e.patient.RevokeGrant(patient, digest, e.deadline())))
	if g, err := reg.GrantOf(ctx, patient, digest); err != nil || !g.Revoked {
		t.Fatalf("the grant after the revoke: %+v %v", g, err)
	}
	if bal, err := n.Client.BalanceAt(ctx, patient, nil); err != nil || bal.Sign() != 0 {
		t.Fatalf("the patient's balance %v %v, want 0: the network pays", bal, err)
	}

	// Submitted at once from many goroutines: each lands, one nonce each.
	before := e.nonce()
	const many = 6
	hashes := make([]common.Hash, many)
	var wg sync.WaitGroup
	errs := make(chan error, many)
	for i := range many {
		data := e.must(e.patient.Anchor(crypto.Keccak256Hash([]byte{byte(i)}), 1, e.deadline()))
		wg.Add(1)
		go func() {
			defer wg.Done()
			res, err := e.sub.Submit(ctx, data)
			hashes[i] = res.TxHash
			errs <- err
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		if err != nil {
			t.Fatalf("a concurrent submission: %v", err)
		}
	}
	for i, h := range hashes {
		if st := e.wait("a concurrent anchor", h); st.State != chain.TxIncluded {
			t.Fatalf("concurrent anchor %d: %+v", i, st)
		}
	}
	if got := e.nonce(); got != before+many {
		t.Fatalf("nonce %d after %d submissions from %d", got, many, before)
	}

	// Two signatures of one anchor (different deadlines) both pass the
	// checks while neither has landed; the second reverts on chain, and
	// Status says why.
	dup := crypto.Keccak256Hash([]byte("signed twice"))
	d := e.deadline()
	r1, err := e.sub.Submit(ctx, e.must(e.patient.Anchor(dup, 1, d)))
	if err != nil {
		t.Fatal(err)
	}
	r2, err := e.sub.Submit(ctx, e.must(e.patient.Anchor(dup, 1, d+1)))
	if err != nil {
		t.Fatal(err)
	}
	e.wait("first signature", r1.TxHash)
	if st := e.wait("second signature", r2.TxHash); st.State != chain.TxFailed || !strings.Contains(st.Reason, "AlreadyAnchored") || !strings.Contains(st.Reason, patient.Hex()) {
		t.Fatalf("the second signature's transaction: %+v, want failed as AlreadyAnchored", st)
	}
	if st, err := e.sub.Status(ctx, common.Hash{9}); err != nil || st.State != chain.TxUnknown {
		t.Fatalf("status of a transaction never sent: %+v %v", st, err)
	}
}

// TestSubmitterRefusesBeforeAnyTransaction: what the network must not pay
// for is refused by Check and Submit alike, with the error that says why,
// and the node's key sends nothing.
func TestSubmitterRefusesBeforeAnyTransaction(t *testing.T) {
	e := newSubmitEnv(t)
	ctx, n := e.ctx, e.node.Network
	patient := e.patient.Address()
	_, accessAddr := newKey(t)
	digest := crypto.Keccak256Hash([]byte("a share"))
	expiry := uint64(time.Now().Add(30 * 24 * time.Hour).Unix())
	landed := e.must(e.patient.Anchor(crypto.Keccak256Hash([]byte("landed")), 1, e.deadline()))
	e.land("anchor", landed)
	e.land("grant", e.must(e.patient.IssueGrant(patient, digest, accessAddr, expiry, e.deadline())))
	start := e.nonce()

	revoke := e.must(e.patient.RevokeGrant(patient, digest, e.deadline()))
	otherChain := chain.Signer{Key: e.patient.Key, ChainID: big.NewInt(1), Registry: n.Registry}
	_, otherAddr := newKey(t)
	otherRegistry := chain.Signer{Key: e.patient.Key, ChainID: n.ChainID, Registry: otherAddr}
	grant2 := crypto.Keccak256Hash([]byte("another share"))
	// A delegation whose scope hash was zeroed after signing (chain.Signer
	// signs none without one).
	noScope := slices.Clone(e.must(e.patient.SetDelegate(accessAddr, 1, expiry, grant2, 0, e.deadline())))
	clear(noScope[4+3*32 : 4+4*32])
	cases := []struct {
		name string
		data []byte
		want error
		// revert is the registry's error when want is ErrRefused.
		revert string
	}{
		{"high-s signature", highS(revoke), chain.ErrBadSignature, ""},
		{"zero r", zeroR(revoke), chain.ErrBadSignature, ""},
		// A changed r either names no point (the signature does not
		// recover) or recovers to a stranger, whom the patient never
		// authorised: refused either way.
		{"tampered signature", tamper(revoke), errTampered, "NotAuthorized"},
		{"another chain's signature", e.must(otherChain.RevokeGrant(patient, digest, e.deadline())), chain.ErrRefused, "NotAuthorized"},
		{"another registry's signature", e.must(otherRegistry.IssueGrant(patient, grant2, accessAddr, expiry, e.deadline())), chain.ErrRefused, "NotAuthorized"},
		{"expired deadline", e.must(e.patient.Anchor(crypto.Keccak256Hash([]byte("late")), 1, 1)), chain.ErrRefused, "Expired"},
		{"delegation with a stale nonce", e.must(e.patient.SetDelegate(accessAddr, 1, expiry, grant2, 7, e.deadline())), chain.ErrRefused, "BadNonce"},
		{"plain call", contracts.NewHealthRegistry().PackAnchor(crypto.Keccak256Hash([]byte("plain")), 1), chain.ErrNotSubmittable, ""},
		{"garbage", []byte{1, 2, 3, 4, 5, 6, 7, 8}, chain.ErrNotSubmittable, ""},
		{"truncated", revoke[:len(revoke)-40], chain.ErrNotSubmittable, ""},
		{"replay of a landed action", landed, chain.ErrAlreadyDone, ""},
		{"delegation without a scope", noScope, chain.ErrRefused, "BadScope"},
	}
	for _, c := range cases {
		_, err := e.sub.Check(ctx, c.data)
		if c.want == errTampered && errors.Is(err, chain.ErrBadSignature) {
			c.want, c.revert = chain.ErrBadSignature, ""
		} else if c.want == errTampered {
			c.want = chain.ErrRefused
		}
		if !errors.Is(err, c.want) {
			t.Errorf("%s: Check says %v, want %v", c.name, err, c.want)
			continue
		}
		if c.revert != "" {
			var rev *contracts.Revert
			if !errors.As(err, &rev) || rev.Name != c.revert {
				t.Errorf("%s: %v, want the registry's %s", c.name, err, c.revert)
			}
		}
		res, err := e.sub.Submit(ctx, c.data)
		if c.want == chain.ErrAlreadyDone {
			if err != nil || !res.Already {
				t.Errorf("%s: Submit says %+v %v, want already done", c.name, res, err)
			}
			continue
		}
		if !errors.Is(err, c.want) {
			t.Errorf("%s: Submit says %v, want %v", c.name, err, c.want)
		}
		t.Logf("%s: %v", c.name, err)
	}
	time.Sleep(1500 * time.Millisecond) // a block period
	if got := e.nonce(); got != start {
		t.Fatalf("the node's nonce went from %d to %d: a refused action was sent", start, got)
	}
	if g, err := chain.NewRegistry(n.Client, n.Registry).GrantOf(ctx, patient, digest); err != nil || g.Revoked {
		t.Fatalf("the grant: %+v %v, want not revoked", g, err)
	}
}

// sigOffset is where a signed action's compact signature (r, vs) starts:
// the last two words of its calldata.
func sigOffset(data []byte) int { return len(data) - 64 }

// errTampered stands for "ErrBadSignature or ErrRefused", as a tampered
// signature may give either.
var errTampered = errors.New("tampered")

// highS sets the signature's s to n/2 + 1, the smallest high s (it fits
// the 255 bits of a compact signature), which ecrecover would accept and
// the registry must not.
func highS(data []byte) []byte {
	out := append([]byte(nil), data...)
	vs := out[sigOffset(out)+32:]
	parity := vs[0] >> 7
	high := new(big.Int).Rsh(crypto.S256().Params().N, 1)
	high.Add(high, big.NewInt(1))
	copy(vs, common.LeftPadBytes(high.Bytes(), 32))
	vs[0] |= parity << 7
	return out
}

func zeroR(data []byte) []byte {
	out := append([]byte(nil), data...)
	clear(out[sigOffset(out) : sigOffset(out)+32])
	return out
}

// tamper changes one bit of r: the signature recovers to a stranger.
func tamper(data []byte) []byte {
	out := append([]byte(nil), data...)
	out[sigOffset(out)+5] ^= 1
	return out
}
