package wallet

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"math/big"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/ethereum/go-ethereum"
	"github.com/ethereum/go-ethereum/accounts/abi/bind/v2"
	"github.com/ethereum/go-ethereum/common"
	"github.com/ethereum/go-ethereum/core/types"
	"github.com/ethereum/go-ethereum/crypto"
	"go.etcd.io/bbolt"

	"healthwallet/chain"
	"healthwallet/chain/chaintest"
	"healthwallet/chain/contracts"
	"healthwallet/chain/outbox"
	"healthwallet/wallet/identity"
	"healthwallet/wallet/record"
	"healthwallet/wallet/share"
	"healthwallet/wallet/vault"
)

// testAddress is the chain address of testMnemonic.
func testAddress(t testing.TB) common.Address {
	t.Helper()
	id, err := identity.FromMnemonic(testMnemonic)
	if err != nil {
		t.Fatal(err)
	}
	defer id.Wipe()
	return id.Address()
}

// chainSwitch opens a simulated chain for the wallet, or refuses as an
// unreachable node would while down is set.
type chainSwitch struct {
	sim   *chaintest.Sim
	down  atomic.Bool
	opens atomic.Int32
}

func (c *chainSwitch) open(ctx context.Context, s ChainSettings, dir string, fund common.Address) (*chain.Network, error) {
	c.opens.Add(1)
	if c.down.Load() {
		return nil, &chain.ChainDownError{URL: "http://127.0.0.1:8545", Err: errors.New("connection refused")}
	}
	// The wallet closes what it opens; the simulated chain lives on.
	n := c.sim.Network
	return chain.NewNetwork(n.Client, n.ChainID, n.Registry, n.Kind, n.URL, nil, nil), nil
}

func newChainWallet(t testing.TB) (*Wallet, *chainSwitch) {
	t.Helper()
	sw := &chainSwitch{sim: chaintest.Simulated(t, testAddress(t))}
	opts := fastKDF
	opts.OpenChain = sw.open
	w, err := Create(t.TempDir(), testMnemonic, testPassword, "Ada Lovelace", opts)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { w.Close() })
	return w, sw
}

// importObservations imports n Observations whose ids and texts start with
// prefix, and returns the files' contents.
func importObservations(t testing.TB, w *Wallet, prefix string, n int) []string {
	t.Helper()
	var files, raws []string
	for i := range n {
		raw := fmt.Sprintf(`{"resourceType":"Observation","id":"%s-%d","status":"final","code":{"text":"%s glucose reading %d"},"valueQuantity":{"value":%d,"unit":"mg/dL"}}`, prefix, i, prefix, i, 80+i)
		path := filepath.Join(t.TempDir(), fmt.Sprintf("%s-%d.json", prefix, i))
		if err := os.WriteFile(path, []byte(raw), 0o600); err != nil {
			t.Fatal(err)
		}
		files, raws = append(files, path), append(raws, raw)
	}
	rep, err := w.Import(context.Background(), files, nil)
	if err != nil || rep.Imported != n {
		t.Fatalf("import: %+v, %v", rep, err)
	}
	return raws
}

// anchoredRoots lists every Anchored event's root on the chain.
func anchoredRoots(t *testing.T, n *chain.Network) []common.Hash {
	t.Helper()
	reg := contracts.NewHealthRegistry()
	logs, err := n.Client.FilterLogs(context.Background(), ethereum.FilterQuery{
		FromBlock: new(big.Int), Addresses: []common.Address{n.Registry},
		Topics: [][]common.Hash{{reg.GetABI().Events["Anchored"].ID}},
	})
	if err != nil {
		t.Fatal(err)
	}
	var roots []common.Hash
	for _, l := range logs {
		roots = append(roots, l.Topics[2])
	}
	return roots
}

func TestAnchorAndVerify(t *testing.T) {
	w, sw := newChainWallet(t)
	ctx := context.Background()
	importObservations(t, w, "happy", 5)

	recs, _ := w.Records(Query{})
	for _, r := range recs {
		if r.Anchor.State != record.AnchorWaiting {
			t.Fatalf("before anchoring: %+v", r.Anchor)
		}
		v, err := w.Verify(ctx, r.ID)
		if err != nil || v.Anchored || v.Valid || v.Problem != ProblemWaiting {
			t.Fatalf("Verify before anchoring = %+v, %v", v, err)
		}
	}

	rep, err := w.Anchor(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if len(rep.Batches) != 1 || rep.Batches[0].Count != 5 || !rep.Batches[0].New || rep.Batches[0].State != "included" || rep.Queued != 0 || rep.Problem != "" {
		t.Fatalf("Anchor report %+v", rep)
	}
	b := rep.Batches[0]
	if b.Block == 0 || b.Time.IsZero() || b.TxHash == "" || rep.Waiting() {
		t.Fatalf("batch %+v", b)
	}

	recs, _ = w.Records(Query{})
	for _, r := range recs {
		if r.Anchor.State != record.AnchorAnchored || r.Anchor.Block != b.Block || r.Anchor.Root != b.Root {
			t.Fatalf("record %s after anchoring: %+v", r.ID, r.Anchor)
		}
		v, err := w.Verify(ctx, r.ID)
		if err != nil || !v.Anchored || !v.Valid || v.Problem != "" || v.Root.Hex() != b.Root || v.Block != b.Block || !v.Time.Equal(b.Time) {
			t.Fatalf("Verify = %+v, %v; batch %+v", v, err, b)
		}
		js, _ := json.Marshal(v)
		var shape map[string]any
		json.Unmarshal(js, &shape)
		for _, k := range []string{"anchored", "root", "block", "time", "valid", "problem", "sentence"} {
			if _, ok := shape[k]; !ok || len(shape) != 7 {
				t.Fatalf("Verify JSON %s: want exactly anchored, root, block, time, valid, problem, sentence", js)
			}
		}
		if want := "Intact and anchored on " + b.Time.UTC().Format("2 Jan 2006"); shape["sentence"] != want {
			t.Fatalf("Verify JSON %s: sentence, want %q", js, want)
		}
	}
	if d, err := w.Record(recs[0].ID); err != nil || d.Anchor.State != record.AnchorAnchored {
		t.Fatalf("Record detail anchor: %+v, %v", d.Anchor, err)
	}
	if _, err := w.Verify(ctx, "00000000000000000000000000000000"); !errors.Is(err, ErrNotFound) {
		t.Fatalf("Verify of an unknown id: %v", err)
	}

	// Nothing left: a second Anchor makes no batch and sends nothing.
	rep, err = w.Anchor(ctx)
	if err != nil || len(anchoredRoots(t, sw.sim.Network)) != 1 {
		t.Fatalf("second Anchor: %+v, %v", rep, err)
	}
	for _, b := range rep.Batches {
		if b.New {
			t.Fatalf("second Anchor made a batch: %+v", rep)
		}
	}

	st, err := w.ChainStatus(ctx)
	if err != nil || !st.Connected || st.ChainID != 1337 || st.Registry != sw.sim.Registry.Hex() || st.Address != testAddress(t).Hex() || st.Balance == "" || st.Balance == "0" {
		t.Fatalf("ChainStatus = %+v, %v", st, err)
	}
	if len(st.Outbox) != 1 || st.Outbox[0].Kind != "anchor" || st.Outbox[0].TxHash != b.TxHash || st.Outbox[0].Attempts != 1 {
		t.Fatalf("outbox %+v", st.Outbox)
	}
	// The settings were saved in the sealed profile.
	if s := w.ChainSettings(); s.ChainID != 1337 || s.Registry != sw.sim.Registry.Hex() {
		t.Fatalf("saved settings %+v", s)
	}

	// The anchoring state survives a restart.
	dir := w.Dir()
	w.Close()
	w2, err := Open(dir, Options{OpenChain: sw.open})
	if err != nil {
		t.Fatal(err)
	}
	defer w2.Close()
	if err := w2.Unlock(testPassword); err != nil {
		t.Fatal(err)
	}
	recs, _ = w2.Records(Query{})
	if recs[0].Anchor.State != record.AnchorAnchored {
		t.Fatalf("after reopening: %+v", recs[0].Anchor)
	}
	if v, err := w2.Verify(ctx, recs[0].ID); err != nil || !v.Valid {
		t.Fatalf("Verify after reopening: %+v, %v", v, err)
	}
}

// A record altered in the vault after it was anchored fails verification,
// with the reason, and its listing says so.
func TestVerifyDetectsAlteration(t *testing.T) {
	w, sw := newChainWallet(t)
	ctx := context.Background()
	importObservations(t, w, "tamper", 4)
	if _, err := w.Anchor(ctx); err != nil {
		t.Fatal(err)
	}
	recs, _ := w.Records(Query{})
	a, b := recs[0], recs[1]

	// 1. A version's anchoring data swapped with another's (what a
	// record whose content changed looks like to the commitment check).
	va, _ := parseID(a.ID)
	vb, _ := parseID(b.ID)
	err := w.vault.Update(func(tx *vault.Tx) error {
		pa, _, err := tx.State(spaceVersion, versionKey(va, 1))
		if err != nil {
			return err
		}
		pb, _, err := tx.State(spaceVersion, versionKey(vb, 1))
		if err != nil {
			return err
		}
		if err := tx.PutState(spaceVersion, versionKey(va, 1), pb); err != nil {
			return err
		}
		return tx.PutState(spaceVersion, versionKey(vb, 1), pa)
	})
	if err != nil {
		t.Fatal(err)
	}
	v, err := w.Verify(ctx, a.ID)
	if err != nil || v.Valid || !v.Anchored || !strings.Contains(v.Problem, "no longer matches what was anchored") {
		t.Fatalf("Verify of a mismatched record = %+v, %v", v, err)
	}
	if r, _ := w.Record(a.ID); r.Anchor.State != record.AnchorFailed || !strings.Contains(r.Anchor.Problem, "verification failed") {
		t.Fatalf("listing after a failed verification: %+v", r.Anchor)
	}

	// 2. The body replaced by a raw write to the vault file.
	c := recs[2]
	dir := w.Dir()
	w.Close()
	db, err := bbolt.Open(filepath.Join(dir, VaultFileName), 0o600, nil)
	if err != nil {
		t.Fatal(err)
	}
	vc, _ := parseID(c.ID)
	vd, _ := parseID(recs[3].ID)
	err = db.Update(func(btx *bbolt.Tx) error {
		// Bodies live in the "bodies" bucket under record id ‖ version.
		bodies := btx.Bucket([]byte("bodies"))
		other := bodies.Get(append(vd[:], 0, 0, 0, 1))
		if other == nil {
			return errors.New("no body of version 1 of the other record")
		}
		return bodies.Put(append(vc[:], 0, 0, 0, 1), bytes.Clone(other))
	})
	db.Close()
	if err != nil {
		t.Fatal(err)
	}
	w2, err := Open(dir, Options{OpenChain: sw.open})
	if err != nil {
		t.Fatal(err)
	}
	defer w2.Close()
	if err := w2.Unlock(testPassword); err != nil {
		t.Fatal(err)
	}
	v, err = w2.Verify(ctx, c.ID)
	if err != nil || v.Valid || !v.Anchored || !strings.Contains(v.Problem, "cannot be read back intact") {
		t.Fatalf("Verify of a replaced body = %+v, %v", v, err)
	}
	if v, err := w2.Verify(ctx, recs[3].ID); err != nil || !v.Valid {
		t.Fatalf("an untouched record of the same batch: %+v, %v", v, err)
	}
}

// With the chain down, imports and anchor requests queue; once it is back,
// every batch lands exactly once.
func TestAnchorOfflineThenOnce(t *testing.T) {
	w, sw := newChainWallet(t)
	ctx := context.Background()
	sw.down.Store(true)

	importObservations(t, w, "first", 3)
	rep, err := w.Anchor(ctx)
	if err != nil {
		t.Fatalf("Anchor with the chain down returned an error: %v", err)
	}
	if len(rep.Batches) != 1 || rep.Batches[0].State != "pending" || !strings.Contains(rep.Problem, "cannot reach the chain") || !rep.Waiting() {
		t.Fatalf("offline Anchor = %+v", rep)
	}
	importObservations(t, w, "second", 2)
	rep, err = w.Anchor(ctx)
	if err != nil || len(rep.Batches) != 2 {
		t.Fatalf("second offline Anchor = %+v, %v", rep, err)
	}
	recs, _ := w.Records(Query{})
	for _, r := range recs {
		if r.Anchor.State != record.AnchorWaiting || !strings.Contains(r.Anchor.Problem, "cannot reach the chain") {
			t.Fatalf("offline record state %+v", r.Anchor)
		}
	}
	if v, _ := w.Verify(ctx, recs[0].ID); v.Anchored || v.Valid || !strings.HasPrefix(v.Problem, ProblemWaiting) {
		t.Fatalf("offline Verify = %+v", v)
	}
	st, err := w.ChainStatus(ctx)
	if err != nil || st.Connected || st.Problem == "" || len(st.Outbox) != 2 || st.Outbox[0].LastError == "" {
		t.Fatalf("offline ChainStatus = %+v, %v", st, err)
	}

	sw.down.Store(false)
	rep, err = w.Anchor(ctx)
	if err != nil || rep.Problem != "" || rep.Waiting() {
		t.Fatalf("Anchor with the chain back = %+v, %v", rep, err)
	}
	roots := anchoredRoots(t, sw.sim.Network)
	seen := map[common.Hash]int{}
	for _, r := range roots {
		seen[r]++
	}
	if len(roots) != 2 {
		t.Fatalf("%d Anchored events, want 2 (one per batch)", len(roots))
	}
	for _, b := range rep.Batches {
		if seen[common.HexToHash(b.Root)] != 1 {
			t.Fatalf("batch %s anchored %d times", b.Root, seen[common.HexToHash(b.Root)])
		}
	}
	recs, _ = w.Records(Query{})
	for _, r := range recs {
		if v, err := w.Verify(ctx, r.ID); err != nil || !v.Valid {
			t.Fatalf("record %s after the chain came back: %+v, %v", r.ResourceID, v, err)
		}
	}
}

// A new version of a record is anchored on its own; a deleted record's
// queued commitment is dropped, not anchored.
func TestAnchorVersionsAndDeletes(t *testing.T) {
	w, _ := newChainWallet(t)
	ctx := context.Background()
	importObservations(t, w, "v", 2)
	if _, err := w.Anchor(ctx); err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(t.TempDir(), "v0.json")
	os.WriteFile(path, []byte(`{"resourceType":"Observation","id":"v-0","status":"amended","code":{"text":"v glucose reading 0"},"valueQuantity":{"value":99,"unit":"mg/dL"}}`), 0o600)
	if rep, err := w.Import(ctx, []string{path}, nil); err != nil || rep.Versions != 1 {
		t.Fatalf("new version: %+v, %v", rep, err)
	}
	importObservations(t, w, "gone", 1)
	gone, _ := w.Search("gone", 1)
	if err := w.Delete(gone[0].ID); err != nil {
		t.Fatal(err)
	}
	recs, _ := w.Search("v glucose reading 0", 1)
	if recs[0].Version != 2 || recs[0].Anchor.State != record.AnchorWaiting {
		t.Fatalf("new version: %+v", recs[0])
	}
	rep, err := w.Anchor(ctx)
	if err != nil {
		t.Fatal(err)
	}
	var made *AnchorBatch
	for i := range rep.Batches {
		if rep.Batches[i].New {
			made = &rep.Batches[i]
		}
	}
	if made == nil || made.Count != 1 {
		t.Fatalf("batch of the new version: %+v", rep)
	}
	if v, err := w.Verify(ctx, recs[0].ID); err != nil || !v.Valid || v.Root.Hex() != made.Root {
		t.Fatalf("Verify of version 2 = %+v, %v", v, err)
	}
}

// TestNothingPrivateOnChain scans every transaction's calldata and every log
// on the chain after the wallet anchored, shared (with a passcode, a label
// and a recipient), revoked, delegated and had accesses recorded: every
// kind of transaction the registry takes. None may carry the records' text,
// resource ids, salts, content hashes or commitments, nor any private key or
// seed (the mnemonic and its seed, the chain key, the sharing key, each
// link's key and access key), nor what a share or an access says (label,
// passcode, recipient, the receiver's statement and its salt).
func TestNothingPrivateOnChain(t *testing.T) {
	e := newShareEnv(t)
	w, sw := e.w, e.sw
	ctx := context.Background()
	raws := importObservations(t, w, "private-marker", 6)
	raws = append(raws, importObservations(t, w, "second-batch", 3)...)
	if _, err := w.Anchor(ctx); err != nil {
		t.Fatal(err)
	}
	raws = append(raws, importObservations(t, w, "third", 2)...)
	if _, err := w.Anchor(ctx); err != nil {
		t.Fatal(err)
	}

	var needles [][]byte
	add := func(b []byte) {
		if len(b) > 0 {
			needles = append(needles, b, []byte(fmt.Sprintf("%x", b)))
		}
	}

	// Grants and revocations: two shares, one revoked.
	doctor, err := identity.FromMnemonic("legal winner thank year wave sausage worth useful legal winner thank year wave sausage worth useful legal winner thank year wave sausage worth title")
	if err != nil {
		t.Fatal(err)
	}
	card, err := doctor.Card("Dr. Private-Recipient")
	if err != nil {
		t.Fatal(err)
	}
	first, err := w.Share(ctx, ShareRequest{All: true, TTL: time.Hour, Purpose: "TREAT", Passcode: "private-passcode-4711", Label: "private-label"})
	if err != nil || first.Problem != "" {
		t.Fatalf("Share: %+v, %v", first, err)
	}
	second, err := w.Share(ctx, ShareRequest{All: true, TTL: time.Hour, Purpose: "CAREMGT", Recipient: card.String()})
	if err != nil || second.Problem != "" {
		t.Fatalf("Share to a recipient: %+v, %v", second, err)
	}
	if err := w.Revoke(ctx, first.ID); err != nil {
		t.Fatal(err)
	}
	add([]byte("private-passcode-4711"))
	add([]byte("private-label"))
	add([]byte("Dr. Private-Recipient"))
	add([]byte(card.String()))
	for _, res := range []ShareResult{first, second} {
		l, err := share.ParseLink(res.Link)
		if err != nil {
			t.Fatal(err)
		}
		add(l.Key[:])
		access, err := share.AccessKey(l.Key)
		if err != nil {
			t.Fatal(err)
		}
		add(crypto.FromECDSA(access))
	}

	// An access recorded on chain, signed with the second link's access key.
	l, _ := share.ParseLink(second.Link)
	statement := share.AccessStatement{Who: "Dr. Private-Receiver, Private Clinic", Purpose: "CAREMGT", Time: time.Now().Unix()}
	signed, err := share.SignAccess(l.Key, statement, testAddress(t), common.HexToHash(second.Grant), uint64(second.Expires.Unix()), sw.sim.ChainID, sw.sim.Registry)
	if err != nil {
		t.Fatal(err)
	}
	submit := func(data []byte) {
		t.Helper()
		opts := bind.NewKeyedTransactor(sw.sim.DevKey, sw.sim.ChainID)
		tx, err := contracts.NewHealthRegistry().Instance(sw.sim.Client, sw.sim.Registry).RawTransact(opts, data)
		if err != nil {
			t.Fatal(err)
		}
		if r, err := chain.WaitMined(ctx, sw.sim.Client, tx.Hash()); err != nil || r.Status != types.ReceiptStatusSuccessful {
			t.Fatalf("transaction failed: %v", err)
		}
	}
	submit(signed.Calldata)
	add(signed.Salt[:])
	add([]byte(statement.Who))
	stJSON, _ := json.Marshal(statement)
	add(stJSON)

	// An access the relay reports, recorded on chain by the patient's wallet
	// as it reads its log.
	if _, err := share.Fetch(ctx, l, share.FetchOptions{Recipient: "Dr. Private-Fetcher, Private Ward", Purpose: "CAREMGT"}); err != nil {
		t.Fatal(err)
	}
	log, err := w.AccessLog(ctx)
	if err != nil {
		t.Fatal(err)
	}
	recorded := 0
	for _, a := range log {
		if a.Source == "relay" && a.Recorded {
			recorded++
		}
	}
	if recorded == 0 {
		t.Fatalf("the wallet recorded no relay access on chain: %+v", log)
	}
	add([]byte("Dr. Private-Fetcher, Private Ward"))
	w.vault.View(func(tx *vault.ReadTx) error {
		return tx.ForEachState(spaceAccessChain, func(_, v []byte) error {
			var rec accessRecord
			json.Unmarshal(v, &rec)
			add(rec.Salt[:])
			st, _ := json.Marshal(rec.Statement)
			add(st)
			return nil
		})
	})

	// A delegation, set and ended with the patient's signature.
	signer, err := w.actionSigner(sw.sim.ChainID, sw.sim.Registry)
	if err != nil {
		t.Fatal(err)
	}
	caregiver := common.HexToAddress("0x00000000000000000000000000000000c0ffee00")
	until := uint64(time.Now().Add(24 * time.Hour).Unix())
	set, err := signer.SetDelegate(caregiver, contracts.RightView, until, crypto.Keccak256Hash([]byte("scope")), 0, until)
	if err != nil {
		t.Fatal(err)
	}
	submit(set)
	end, err := signer.RevokeDelegate(caregiver, 1, until)
	if err != nil {
		t.Fatal(err)
	}
	submit(end)

	// The records, and every key and seed.
	for _, raw := range raws {
		var m map[string]any
		json.Unmarshal([]byte(raw), &m)
		add([]byte(m["id"].(string)))
		add([]byte(m["code"].(map[string]any)["text"].(string)))
		canon, _ := record.Canonical([]byte(raw))
		add(crypto.Keccak256(canon))
	}
	add([]byte("private-marker"))
	recs, _ := w.Records(Query{})
	for _, r := range recs {
		vid, _ := parseID(r.ID)
		add(vid[:])
		versions, _ := w.vault.Versions(vid)
		for _, vm := range versions {
			m, _ := decodeMeta(vm.Meta)
			add([]byte(m.Salt))
			h, _ := hexDecode(m.ContentHash)
			add(h)
		}
	}
	w.vault.View(func(tx *vault.ReadTx) error {
		return tx.ForEachState(spaceBatch, func(_, v []byte) error {
			var b batch
			json.Unmarshal(v, &b)
			if len(b.Leaves) > 1 { // a one-leaf batch's root is its leaf
				for _, l := range b.Leaves {
					add(l[:])
				}
			}
			return nil
		})
	})
	sharing, err := w.sharingKey()
	if err != nil {
		t.Fatal(err)
	}
	add(sharing.PublicKey().Bytes())
	add(sharing.Bytes())
	chainKey, err := w.ChainKey()
	if err != nil {
		t.Fatal(err)
	}
	add(crypto.FromECDSA(chainKey))
	add([]byte(testMnemonic))
	seed, err := identity.SeedFromMnemonic(testMnemonic)
	if err != nil {
		t.Fatal(err)
	}
	add(seed)

	kinds := chaintest.ScanForPrivateData(t, sw.sim.Client, needles)
	for _, want := range []string{"anchorSigned", "issueGrantSigned", "revokeGrantSigned", "setDelegateSigned", "revokeDelegateSigned", "logAccess"} {
		if kinds[want] == 0 {
			t.Errorf("the scan saw no %s transaction: it does not cover every kind", want)
		}
	}
	t.Logf("scanned %v for %d private strings", kinds, len(needles))
}

func hexDecode(s string) ([]byte, error) {
	var b []byte
	_, err := fmt.Sscanf(s, "%x", &b)
	return b, err
}

// checkAnchorStatesFresh compares the anchoring state the wallet shows for
// each record with one read afresh from the vault, as an unlock reads it.
func checkAnchorStatesFresh(t *testing.T, w *Wallet) {
	t.Helper()
	_, latest, _, err := w.buildIndex()
	if err != nil {
		t.Fatal(err)
	}
	fresh, _, err := w.readAnchorStates(latest)
	if err != nil {
		t.Fatal(err)
	}
	recs, err := w.Records(Query{})
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range recs {
		want, ok := fresh[anchorKey(r.ID, r.Version)]
		if !ok {
			want = record.AnchorState{State: record.AnchorWaiting}
		}
		if !sameAnchorState(r.Anchor, want) {
			t.Errorf("record %s v%d shows %+v, the vault says %+v", r.ResourceID, r.Version, r.Anchor, want)
		}
	}
}

// The anchoring state shown is that of each record's latest version; Anchor
// updates it for the batches it made or moved, matching a fresh read.
func TestAnchorStatesFollowLatestVersions(t *testing.T) {
	w, sw := newChainWallet(t)
	ctx := context.Background()
	importObservations(t, w, "s", 3)

	// Offline: a pending batch, its records waiting with the chain's problem.
	sw.down.Store(true)
	rep, err := w.Anchor(ctx)
	if err != nil || rep.Problem == "" || len(rep.Batches) != 1 {
		t.Fatalf("offline Anchor = %+v, %v", rep, err)
	}
	checkAnchorStatesFresh(t, w)
	recs, _ := w.Records(Query{})
	for _, r := range recs {
		if r.Anchor.State != record.AnchorWaiting || r.Anchor.Root != rep.Batches[0].Root || !strings.Contains(r.Anchor.Problem, "cannot reach the chain") {
			t.Fatalf("offline, record %s: %+v", r.ResourceID, r.Anchor)
		}
	}
	// Back online: the same batch lands (made by an earlier call), and its
	// records show it.
	sw.down.Store(false)
	first, err := w.Anchor(ctx)
	if err != nil || first.Problem != "" || first.Waiting() || len(first.Batches) != 1 || first.Batches[0].New {
		t.Fatalf("Anchor with the chain back = %+v, %v", first, err)
	}
	checkAnchorStatesFresh(t, w)
	recs, _ = w.Records(Query{})
	for _, r := range recs {
		if r.Anchor.State != record.AnchorAnchored || r.Anchor.Root != first.Batches[0].Root || r.Anchor.Block == 0 {
			t.Fatalf("online, record %s: %+v", r.ResourceID, r.Anchor)
		}
	}

	path := filepath.Join(t.TempDir(), "s0.json")
	os.WriteFile(path, []byte(`{"resourceType":"Observation","id":"s-0","status":"amended","code":{"text":"s glucose reading 0"},"valueQuantity":{"value":99,"unit":"mg/dL"}}`), 0o600)
	if rep, err := w.Import(ctx, []string{path}, nil); err != nil || rep.Versions != 1 {
		t.Fatalf("new version: %+v, %v", rep, err)
	}
	amended, _ := w.Search("s glucose reading 0", 1)
	if amended[0].Version != 2 || amended[0].Anchor.State != record.AnchorWaiting {
		t.Fatalf("new version before anchoring: %+v", amended[0])
	}
	// After a restart, too: version 1's batch is not version 2's.
	w.Lock()
	if err := w.Unlock(testPassword); err != nil {
		t.Fatal(err)
	}
	checkAnchorStatesFresh(t, w)
	recs, _ = w.Records(Query{})
	for _, r := range recs {
		want := record.AnchorAnchored
		if r.ID == amended[0].ID {
			want = record.AnchorWaiting
		}
		if r.Anchor.State != want || (want == record.AnchorAnchored && r.Anchor.Root != first.Batches[0].Root) {
			t.Fatalf("after unlocking, record %s v%d: %+v", r.ResourceID, r.Version, r.Anchor)
		}
	}
	if d, err := w.Record(amended[0].ID); err != nil || len(d.Versions) != 2 || d.Anchor.State != record.AnchorWaiting {
		t.Fatalf("Record = %+v, %v", d, err)
	}

	second, err := w.Anchor(ctx)
	if err != nil || second.Problem != "" || second.Waiting() {
		t.Fatalf("Anchor of the new version = %+v, %v", second, err)
	}
	checkAnchorStatesFresh(t, w)
	r, _ := w.Record(amended[0].ID)
	if r.Anchor.State != record.AnchorAnchored || r.Anchor.Root == first.Batches[0].Root || r.Anchor.Block == 0 {
		t.Fatalf("the new version after anchoring: %+v", r.Anchor)
	}
}

func TestBatchHeadMatchesBatch(t *testing.T) {
	b := batch{Root: common.Hash{1}, Row: 7, Created: time.Unix(1, 0).UTC(), State: "included", TxHash: common.Hash{2},
		Block: 9, BlockHash: common.Hash{3}, Time: time.Unix(2, 0).UTC(), Problem: "p"}
	for i := range 5 {
		b.Leaves = append(b.Leaves, common.Hash{byte(i)})
		b.Items = append(b.Items, fmt.Sprintf("%032x:%d", i, i+1))
	}
	for _, leaves := range [][]common.Hash{nil, b.Leaves} {
		b.Leaves = leaves
		v, err := json.Marshal(b)
		if err != nil {
			t.Fatal(err)
		}
		h, err := decodeBatchHead(v)
		if err != nil {
			t.Fatal(err)
		}
		if h.Root != b.Root || int(h.LeafCount) != len(b.Leaves) || h.Row != b.Row || h.State != b.State || h.TxHash != b.TxHash ||
			h.Block != b.Block || !h.Time.Equal(b.Time) || h.Problem != b.Problem {
			t.Fatalf("head %+v of batch %s", h, v)
		}
	}
	if _, err := decodeBatchHead([]byte(`{"leaves":{}}`)); err == nil {
		t.Fatal("leaves that are not a list decoded")
	}
}

// A signed anchor that waited offline past its deadline (30 days) is
// refused by the registry as Expired; the wallet signs it again with a new
// deadline and it lands — the same root, once, as the patient's.
func TestAnchorExpiredOfflineIsSignedAgain(t *testing.T) {
	w, sw := newChainWallet(t)
	ctx := context.Background()
	importObservations(t, w, "online", 1)
	if rep, err := w.Anchor(ctx); err != nil || rep.Waiting() {
		t.Fatalf("first Anchor = %+v, %v", rep, err) // the chain is known from now on
	}

	sw.down.Store(true)
	w.closeChain() // the connection is gone; the next use finds the chain down
	importObservations(t, w, "offline", 2)
	rep, err := w.Anchor(ctx)
	if err != nil || len(rep.Batches) != 2 || rep.Batches[1].State != "pending" {
		t.Fatalf("offline Anchor = %+v, %v", rep, err)
	}
	root := common.HexToHash(rep.Batches[1].Root)
	var queued outbox.Row
	w.vault.View(func(tx *vault.ReadTx) error {
		rows, _ := outbox.Rows(tx)
		queued = rows[len(rows)-1]
		return nil
	})
	signed, err := chain.DecodeAction(queued.Data, sw.sim.ChainID, sw.sim.Registry)
	if err != nil || signed.Method != "anchorSigned" || signed.Signer != testAddress(t) || signed.Root != root {
		t.Fatalf("the queued anchor: %+v, %v", signed, err)
	}

	// Forty days pass, on the chain and in the wallet, before it is back.
	later := 40 * 24 * time.Hour
	chaintest.AdjustTime(t, sw.sim.Backend, later)
	sw.sim.Backend.Commit()
	defer func(old func() time.Time) { now = old }(now)
	now = func() time.Time { return time.Now().Add(later) }
	sw.down.Store(false)
	rep, err = w.Anchor(ctx)
	if err != nil || rep.Waiting() || rep.Problem != "" {
		t.Fatalf("Anchor after the deadline = %+v, %v", rep, err)
	}
	var landed outbox.Row
	w.vault.View(func(tx *vault.ReadTx) error {
		landed, _, _ = outbox.Get(tx, queued.ID)
		return nil
	})
	again, err := chain.DecodeAction(landed.Data, sw.sim.ChainID, sw.sim.Registry)
	if err != nil || again.Deadline <= signed.Deadline || again.Root != root || again.Signer != testAddress(t) {
		t.Fatalf("the anchor signed again: %+v, %v (first deadline %d)", again, err, signed.Deadline)
	}
	a, err := chain.NewRegistry(sw.sim.Client, sw.sim.Registry).AnchorOf(ctx, testAddress(t), root)
	if err != nil || !a.Anchored() || a.Count != 2 {
		t.Fatalf("the root on chain: %+v, %v", a, err)
	}
}
