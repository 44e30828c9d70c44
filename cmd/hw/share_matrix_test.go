//go:build unix

package main

import (
	"context"
	"crypto/ecdh"
	"crypto/ecdsa"
	"crypto/rand"
	"encoding/json"
	"fmt"
	"math/big"
	"net/http"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/ethereum/go-ethereum/accounts/abi/bind/v2"
	"github.com/ethereum/go-ethereum/common"
	"github.com/ethereum/go-ethereum/core/types"
	"github.com/ethereum/go-ethereum/crypto"
	"github.com/ethereum/go-ethereum/ethclient"

	"healthwallet/chain"
	"healthwallet/chain/chaintest"
	"healthwallet/chain/contracts"
	"healthwallet/chain/merkle"
	"healthwallet/wallet"
	"healthwallet/wallet/relay"
	"healthwallet/wallet/share"
)

// This file: the acceptance of sharing (issue 4) with every party a real
// process on a real geth --dev — a patient's hw wallet, a hw relay checking
// the chain, doctors' hw receive — plus shares forged in the test with the
// wallet/share primitives, each of which a real hw receive must refuse by
// naming the check that caught it.

// TestShareOnGeth runs the whole acceptance against one geth --dev (Osaka
// gas rules) with the registry deployed by hw chain deploy --dev-account and
// one hw relay checking grants on it:
//
//   - end to end: hw share → hw receive verified, the access logged on chain
//     by the doctor's funded wallet → hw revoke → the relay answers 404, the
//     chain says revoked, hw receive refuses;
//   - the refusal matrix: forged shares, served by the real relay, each
//     refused by hw receive --json with its own check named;
//   - short expiry: a share with the shortest TTL the wallet allows (1m),
//     made first so that its minute passes while the rest runs, then refused
//     by the relay (404), the chain (grant inactive, logAccess reverts) and
//     the receiver (its own check of the link's expiry, before any request).
func TestShareOnGeth(t *testing.T) {
	if testing.Short() {
		t.Skip("skipped under -short: runs geth --dev, hw relay and hw processes, and waits a minute for a share to expire")
	}
	e := startGethShareEnv(t)

	// The shortest share the wallet makes, first: its minute runs meanwhile.
	short := e.share(t, "--all", "--ttl", "1m", "--purpose", "TREAT", "--label", "One minute")
	if d := time.Until(short.Expires); d <= 0 || d > time.Minute+2*time.Second {
		t.Fatalf("a 1m share expires in %v", d)
	}
	if r, errOut, code := hwReceive(t, e.anon, short.Link); code != 0 || !*r.Verified {
		t.Fatalf("the 1m share while it lasts: exit %d, failed %+v\n%s", code, failedChecks(r), errOut)
	}

	t.Run("end to end", func(t *testing.T) { testGethEndToEnd(t, e) })
	t.Run("refusals", func(t *testing.T) { testGethRefusals(t, e) })
	t.Run("short expiry", func(t *testing.T) { testGethShortExpiry(t, e, short) })
	t.Run("nothing private on chain", func(t *testing.T) { testGethNothingPrivate(t, e) })
}

// testGethNothingPrivate scans every transaction and log the test sent to
// geth — the patient's anchors, grants and revokes through hw, the forgers'
// and strangers' — for the patient's keys, every share's link and access
// key, the records' text, labels, names and the password.
func testGethNothingPrivate(t *testing.T, e *gethShareEnv) {
	var shares []struct{ Link, Label string }
	decodeJSON(t, []byte(hwOK(t, e.patient, "shares", "--json")), &shares)
	if len(shares) < 2 {
		t.Fatalf("hw shares lists %d shares, want the test's two at least", len(shares))
	}
	w, err := wallet.Open(filepath.Join(e.dir, "patient"))
	if err != nil {
		t.Fatal(err)
	}
	defer w.Close()
	if err := w.Unlock([]byte(matrixPassword)); err != nil {
		t.Fatal(err)
	}
	chainKey, err := w.ChainKey()
	if err != nil {
		t.Fatal(err)
	}
	secrets := [][]byte{crypto.FromECDSA(chainKey)}
	for _, s := range shares {
		l, err := share.ParseLink(s.Link)
		if err != nil {
			t.Fatal(err)
		}
		access, err := share.AccessKey(l.Key)
		if err != nil {
			t.Fatal(err)
		}
		secrets = append(secrets, l.Key[:], crypto.FromECDSA(access), []byte(s.Label))
	}
	var needles [][]byte
	for _, b := range secrets {
		needles = append(needles, b, []byte(fmt.Sprintf("%x", b)))
	}
	for _, text := range []string{"Ada Lovelace", "Glucose", "mg/dL", "2024-03-01", "2024-04-01", "Dr. Grace Hopper", matrixPassword} {
		needles = append(needles, []byte(text))
	}
	kinds := chaintest.ScanForPrivateData(t, e.ec, needles)
	for _, want := range []string{"anchorSigned", "issueGrantSigned", "revokeGrantSigned"} {
		if kinds[want] == 0 {
			t.Errorf("the scan saw no %s transaction from hw: %v", want, kinds)
		}
	}
}

// gethShareEnv is geth --dev, its registry, a hw relay checking it, and a
// patient's hw wallet with two records, funded, its relay saved.
type gethShareEnv struct {
	url      string
	fund     func(common.Address)
	ec       *ethclient.Client
	chainID  *big.Int
	registry common.Address
	relay    *relayProcess
	dir      string
	patient  []string // the patient's hw environment
	// patientAddr is the patient's wallet address, read once: each read
	// starts hw and unlocks the wallet.
	patientAddr common.Address
	anon        []string // a receiver without a wallet, trusting this chain and registry
}

func startGethShareEnv(t *testing.T) *gethShareEnv {
	t.Helper()
	url, fund := chaintest.StartGeth(t, chaintest.OsakaGas())
	e := &gethShareEnv{url: url, fund: fund, dir: t.TempDir()}
	var dep deployResult
	decodeJSON(t, []byte(hwOK(t, []string{"HW_VAULT=" + filepath.Join(e.dir, "deployer")},
		"--chain", url, "chain", "deploy", "--dev-account", "--json")), &dep)
	e.registry, e.chainID = dep.Registry, dep.ChainID
	if e.registry == (common.Address{}) || e.chainID == nil || e.chainID.Int64() != chain.DevChainID {
		t.Fatalf("hw chain deploy: %+v", dep)
	}
	var err error
	if e.ec, err = ethclient.DialContext(t.Context(), url); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(e.ec.Close)
	// Generous per-address rate: every request of this test comes from
	// 127.0.0.1, and rate limits are not what it tests.
	e.relay = startRelay(t, "--chain", url, "--registry", e.registry.Hex(), "--rate-ip", "100")

	chainEnv := []string{"HW_CHAIN=" + url, "HW_REGISTRY=" + e.registry.Hex()}
	e.patient = append([]string{"HW_VAULT=" + filepath.Join(e.dir, "patient"), "HW_KDF=fast", "HW_PASSWORD=" + matrixPassword}, chainEnv...)
	e.anon = append([]string{"HW_VAULT=" + filepath.Join(e.dir, "no-wallet")}, chainEnv...)
	hwOK(t, e.patient, "init", "--name", "Ada Lovelace")
	e.patientAddr = walletAddress(t, e.patient)
	e.fund(e.patientAddr)
	obs := filepath.Join(e.dir, "obs.json")
	if err := os.WriteFile(obs, []byte(`{"resourceType":"Bundle","type":"collection","entry":[
		{"resource":{"resourceType":"Observation","id":"g1","status":"final","code":{"text":"Glucose"},"valueQuantity":{"value":99,"unit":"mg/dL"},"effectiveDateTime":"2024-03-01"}},
		{"resource":{"resourceType":"Observation","id":"g2","status":"final","code":{"text":"Glucose"},"valueQuantity":{"value":104,"unit":"mg/dL"},"effectiveDateTime":"2024-04-01"}}]}`), 0o600); err != nil {
		t.Fatal(err)
	}
	hwOK(t, e.patient, "import", obs)
	hwOK(t, e.patient, "relay-url", e.relay.base)
	return e
}

const matrixPassword = "correct horse battery"

// shareJSON is hw share --json.
type shareJSON struct {
	ID, Link, Grant, Problem string
	Expires                  time.Time
	Records                  int
}

func (e *gethShareEnv) share(t *testing.T, args ...string) shareJSON {
	t.Helper()
	var s shareJSON
	out := hwOK(t, e.patient, append([]string{"share", "--json"}, args...)...)
	if err := json.Unmarshal([]byte(out), &s); err != nil || s.ID == "" || s.Problem != "" || s.Records != 2 || !strings.HasPrefix(s.Grant, "0x") {
		t.Fatalf("hw share --json: %s (%v)", out, err)
	}
	return s
}

// shareState is the patient's hw shares --json entry for share id.
func (e *gethShareEnv) shareState(t *testing.T, id string) (state string, opened int) {
	t.Helper()
	var shares []struct {
		ID, State string
		Opened    int
	}
	decodeJSON(t, []byte(hwOK(t, e.patient, "shares", "--json")), &shares)
	for _, s := range shares {
		if s.ID == id {
			return s.State, s.Opened
		}
	}
	t.Fatalf("hw shares has no share %s: %+v", id, shares)
	return "", 0
}

func (e *gethShareEnv) grantOf(t *testing.T, patient common.Address, digest common.Hash) share.GrantStatus {
	t.Helper()
	g, err := share.NewChainReader(e.ec, e.registry).GrantOf(t.Context(), patient, digest)
	if err != nil {
		t.Fatal(err)
	}
	return g
}

// transact sends calldata to the registry at to from key and waits for it
// to be mined; a revert is returned as the error (see contracts.AsRevert).
func (e *gethShareEnv) transact(key *ecdsa.PrivateKey, to common.Address, calldata []byte) (*types.Receipt, error) {
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	opts := bind.NewKeyedTransactor(key, e.chainID)
	opts.Context = ctx
	tx, err := bind.Transact(contracts.NewHealthRegistry().Instance(e.ec, to), opts, calldata)
	if err != nil {
		return nil, err
	}
	r, err := chain.WaitMined(ctx, e.ec, tx.Hash())
	if err != nil {
		return nil, err
	}
	if r.Status != types.ReceiptStatusSuccessful {
		return r, fmt.Errorf("transaction %s failed on chain", tx.Hash())
	}
	return r, nil
}

func (e *gethShareEnv) send(t *testing.T, key *ecdsa.PrivateKey, to common.Address, calldata []byte) {
	t.Helper()
	if _, err := e.transact(key, to, calldata); err != nil {
		if rev, ok := contracts.AsRevert(err); ok {
			t.Fatalf("the registry reverted: %v", rev)
		}
		t.Fatal(err)
	}
}

// refuseTx asserts that the registry reverts calldata from key with the
// custom error name.
func (e *gethShareEnv) refuseTx(t *testing.T, key *ecdsa.PrivateKey, calldata []byte, name string) {
	t.Helper()
	_, err := e.transact(key, e.registry, calldata)
	if rev, ok := contracts.AsRevert(err); !ok || rev.Name != name {
		t.Fatalf("want the registry to revert with %s, got %v", name, err)
	}
}

// mineBlock seals a new block (a transfer from the development account), so
// that calls at the latest block see the chain's clock move on: geth --dev
// --dev.period 0 seals blocks only for transactions.
func (e *gethShareEnv) mineBlock(t *testing.T) {
	t.Helper()
	e.fund(common.HexToAddress("0x000000000000000000000000000000000000dEaD"))
}

func testGethEndToEnd(t *testing.T, e *gethShareEnv) {
	res := e.share(t, "--all", "--ttl", "1h", "--purpose", "TREAT", "--label", "Glucose for Dr. Hopper")
	if g := e.grantOf(t, e.patientAddr, common.HexToHash(res.Grant)); !g.Active || g.Expiry != uint64(res.Expires.Unix()) {
		t.Fatalf("the grant on geth: %+v", g)
	}

	// The doctor: a funded wallet of its own on the same chain.
	doctor := []string{"HW_VAULT=" + filepath.Join(e.dir, "doctor"), "HW_KDF=fast", "HW_PASSWORD=doctor's password",
		"HW_CHAIN=" + e.url, "HW_REGISTRY=" + e.registry.Hex()}
	hwOK(t, doctor, "init", "--name", "Dr. Grace Hopper")
	doctorAddr := walletAddress(t, doctor)
	e.fund(doctorAddr)

	r, errOut, code := hwReceive(t, doctor, res.Link, "--purpose", "CAREMGT")
	if code != 0 || !*r.Verified || len(r.Records) != 2 || r.Purpose != "TREAT" {
		t.Fatalf("hw receive: exit %d, verified %v, %d records, failed %+v\n%s", code, r.Verified != nil && *r.Verified, len(r.Records), failedChecks(r), errOut)
	}
	// The receiver, funded or not, sends nothing to the chain: a transaction
	// from its address would link the doctor to the patient's grant for every
	// chain observer (issue 7, finding 6).
	if r.Logged != "" {
		t.Fatalf("the receiver logged the access on chain itself: %q", r.Logged)
	}
	if n, err := e.ec.NonceAt(t.Context(), doctorAddr, nil); err != nil || n != 0 {
		t.Fatalf("the receiver's address sent %d transactions (%v)", n, err)
	}
	// The patient sees the relay's log (who the doctor said it was).
	var log []struct{ Who, Purpose, Source string }
	decodeJSON(t, []byte(hwOK(t, e.patient, "access-log", "--json")), &log)
	var fromRelay bool
	for _, x := range log {
		fromRelay = fromRelay || (x.Source == "relay" && x.Who == "Dr. Grace Hopper")
	}
	if !fromRelay {
		t.Fatalf("hw access-log without the doctor's access: %+v", log)
	}

	// Revoke: chain and relay at once.
	hwOK(t, e.patient, "revoke", res.ID[:10], "--yes")
	if g := e.grantOf(t, e.patientAddr, common.HexToHash(res.Grant)); !g.Revoked || g.Active {
		t.Fatalf("the grant on geth after revoke: %+v", g)
	}
	if code := postManifest(t, res.Link); code != http.StatusNotFound {
		t.Fatalf("the relay after revoke: %d, want 404", code)
	}
	_, errOut, code = hwReceive(t, doctor, res.Link)
	if code != exitUser || !strings.Contains(errOut, share.ErrNoLongerAvailable.Error()) {
		t.Fatalf("hw receive after revoke: exit %d, %q; want exit 1 saying %q", code, errOut, share.ErrNoLongerAvailable)
	}
	if st, _ := e.shareState(t, res.ID); st != "revoked" {
		t.Fatalf("hw shares after revoke: %s", st)
	}
	// (That the receiver's own chain check names a revoked grant, should a
	// relay still serve it, is the refusal matrix's "revoked on chain".)
}

// testGethShortExpiry waits out the 1m share made first, then asks each of
// the three enforcers.
func testGethShortExpiry(t *testing.T, e *gethShareEnv, s shareJSON) {
	digest := common.HexToHash(s.Grant)
	link := mustParseLink(t, s.Link)
	if !link.Exp.Equal(s.Expires) {
		t.Fatalf("the link's exp %v is not the share's expiry %v", link.Exp, s.Expires)
	}

	// Before it expires, a receiver whose clock is already past the link's
	// expiry refuses it by itself, without asking the relay.
	_, opened := e.shareState(t, s.ID)
	if _, errOut, code := hwReceiveAt(t, e.anon, s.Expires.Add(time.Second), s.Link); code != exitUser || !strings.Contains(errOut, share.ErrLinkExpired.Error()+" (on") {
		t.Fatalf("a receiver whose clock is past the expiry: exit %d, %q", code, errOut)
	}
	if _, after := e.shareState(t, s.ID); after != opened {
		t.Fatalf("the receiver asked the relay for a link it knew expired: opened %d → %d", opened, after)
	}

	wait := time.Until(s.Expires.Add(1500 * time.Millisecond))
	t.Logf("waiting %v for the 1m share to expire", wait.Round(time.Second))
	time.Sleep(wait)

	// The relay, by its own clock (the chain may not have sealed a block
	// since the expiry): 404, to a plain request and to hw receive whose
	// clock is behind (so that it does ask).
	if code := postManifest(t, s.Link); code != http.StatusNotFound {
		t.Fatalf("the relay after expiry: %d, want 404", code)
	}
	if _, errOut, code := hwReceiveAt(t, e.anon, s.Expires.Add(-10*time.Second), s.Link); code != exitUser || !strings.Contains(errOut, share.ErrNoLongerAvailable.Error()) {
		t.Fatalf("hw receive, its clock behind, after the relay's expiry: exit %d, %q", code, errOut)
	}

	// The chain, once a block is sealed after the expiry: inactive, not
	// revoked, and logAccess reverts.
	e.mineBlock(t)
	if g := e.grantOf(t, e.patientAddr, digest); g.Active || g.Revoked || g.Expiry != uint64(s.Expires.Unix()) {
		t.Fatalf("the grant on geth after expiry: %+v", g)
	}
	someone, _ := crypto.GenerateKey()
	e.fund(crypto.PubkeyToAddress(someone.PublicKey))
	l, err := share.ParseLink(s.Link)
	if err != nil {
		t.Fatal(err)
	}
	late, err := share.SignAccess(l.Key, share.AccessStatement{Who: "late", Purpose: "TREAT", Time: time.Now().Unix()},
		e.patientAddr, digest, uint64(time.Now().Add(time.Hour).Unix()), big.NewInt(chain.DevChainID), e.registry)
	if err != nil {
		t.Fatal(err)
	}
	e.refuseTx(t, someone, late.Calldata, "GrantExpired")

	// The receiver, by its own clock: the link's expiry, before any request.
	if _, errOut, code := hwReceive(t, e.anon, s.Link); code != exitUser ||
		!strings.Contains(errOut, share.ErrLinkExpired.Error()+" (on") || strings.Contains(errOut, "revoked") {
		t.Fatalf("hw receive after expiry: exit %d, %q; want the link's own expiry", code, errOut)
	}
	if st, _ := e.shareState(t, s.ID); st != "expired" {
		t.Fatalf("hw shares after expiry: %s", st)
	}
	// (The receiver's grant-period check, named, is the refusal matrix's
	// "expired by the receiver's clock".)
}

// postManifest asks a link's manifest URL as a receiver would, and returns
// the status.
func postManifest(t *testing.T, link string) int {
	t.Helper()
	resp, err := http.Post(mustParseLink(t, link).URL, "application/json",
		strings.NewReader(`{"recipient":"a test","embeddedLengthMax":100000}`))
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	return resp.StatusCode
}

// forger makes shares in the test with the wallet/share primitives: a
// patient whose key the test holds, its records anchored on geth.
type forger struct {
	e        *gethShareEnv
	patient  *ecdsa.PrivateKey
	records  []share.SharedRecord // anchored by the patient, one batch
	stranger *ecdsa.PrivateKey    // funded; no relation to the patient
}

func newForger(t *testing.T, e *gethShareEnv) *forger {
	t.Helper()
	f := &forger{e: e, patient: mustGenKey(t), stranger: mustGenKey(t)}
	e.fund(crypto.PubkeyToAddress(f.patient.PublicKey))
	e.fund(crypto.PubkeyToAddress(f.stranger.PublicKey))
	var leaves [][32]byte
	for i := range 4 {
		res := fmt.Appendf(nil, `{"resourceType":"Observation","id":"hr-%d","status":"final","code":{"text":"Heart rate"},"valueQuantity":{"value":%d,"unit":"/min"}}`, i, 60+i)
		salt, err := share.NewKey()
		if err != nil {
			t.Fatal(err)
		}
		_, cm, err := share.RecordCommitment(res, salt)
		if err != nil {
			t.Fatal(err)
		}
		leaves = append(leaves, cm)
		f.records = append(f.records, share.SharedRecord{Resource: res, Salt: salt})
	}
	tree, err := merkle.New(leaves)
	if err != nil {
		t.Fatal(err)
	}
	for i := range f.records {
		f.records[i].AnchorRoot, f.records[i].AnchorProof = tree.Root(), tree.Prove(i)
	}
	e.send(t, f.patient, e.registry, contracts.NewHealthRegistry().PackAnchor(tree.Root(), uint32(len(leaves))))
	return f
}

func mustGenKey(t *testing.T) *ecdsa.PrivateKey {
	t.Helper()
	k, err := crypto.GenerateKey()
	if err != nil {
		t.Fatal(err)
	}
	return k
}

// forged is a share made in the test, with its link key.
type forged struct {
	*share.Share
	key [32]byte
}

// build makes a share of the first three records, signed by signer, for the
// chain and registry given (nil, zero: geth's), valid from a minute ago for
// an hour.
func (f *forger) build(t *testing.T, signer *ecdsa.PrivateKey, chainID *big.Int, registry common.Address) forged {
	t.Helper()
	if chainID == nil {
		chainID = f.e.chainID
	}
	if registry == (common.Address{}) {
		registry = f.e.registry
	}
	key, err := share.NewKey()
	if err != nil {
		t.Fatal(err)
	}
	now := time.Now()
	s, err := share.BuildShare(share.ShareRequest{
		Records: f.records[:3], Key: key, Patient: crypto.PubkeyToAddress(f.patient.PublicKey), Signer: signer,
		PurposeCode: "TREAT", NotBefore: now.Add(-time.Minute), Expiry: now.Add(time.Hour), ChainID: chainID, Registry: registry,
	})
	if err != nil {
		t.Fatal(err)
	}
	return forged{Share: s, key: key}
}

// issue issues the share's grant on geth as the patient.
func (f *forger) issue(t *testing.T, s forged) {
	t.Helper()
	f.e.send(t, f.patient, f.e.registry, contracts.NewHealthRegistry().PackIssueGrant(s.Digest, common.Address{}, s.Grant.Expiry))
}

// encrypt encrypts a Bundle and a proof file under key, as BuildShare does.
func encrypt(t *testing.T, key [32]byte, bundle, proof []byte) []share.EncryptedFile {
	t.Helper()
	var out []share.EncryptedFile
	for _, f := range []struct {
		ct string
		pt []byte
	}{{share.ContentTypeFHIR, bundle}, {share.ContentTypeProof, proof}} {
		jwe, err := share.EncryptFile(f.pt, key[:], f.ct)
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, share.EncryptedFile{ContentType: f.ct, JWE: jwe})
	}
	return out
}

// editProof re-encodes a proof file after edit.
func editProof(t *testing.T, proof []byte, edit func(*share.ProofFile)) []byte {
	t.Helper()
	p, err := share.ParseProof(proof)
	if err != nil {
		t.Fatal(err)
	}
	edit(&p)
	b, err := p.Marshal()
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// publish uploads files to the real relay, signed by uploader, to be served
// while the grant with digest is active on chain, and returns the link: a
// link under key, with exp (zero: none stated).
func (f *forger) publish(t *testing.T, uploader *ecdsa.PrivateKey, key [32]byte, files []share.EncryptedFile, digest common.Hash, exp time.Time) string {
	t.Helper()
	client, err := relay.NewClient(f.e.relay.base, uploader, nil)
	if err != nil {
		t.Fatal(err)
	}
	sharing, err := ecdh.X25519().GenerateKey(rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	rf := make([]relay.File, len(files))
	for i, x := range files {
		rf[i] = relay.File{ContentType: x.ContentType, JWE: x.JWE}
	}
	expires := exp
	if expires.IsZero() {
		expires = time.Now().Add(time.Hour)
	}
	info, err := client.CreateShare(t.Context(), relay.CreateRequest{Files: rf, Expires: expires, GrantDigest: digest, SharingKey: sharing.PublicKey()})
	if err != nil {
		t.Fatalf("uploading to the relay: %v", err)
	}
	return share.Link{URL: info.URL, Key: key, Exp: exp, Label: "Heart rate", V: 1}.String()
}

// publishShare uploads a share as built, under its own grant.
func (f *forger) publishShare(t *testing.T, uploader *ecdsa.PrivateKey, s forged) string {
	t.Helper()
	return f.publish(t, uploader, s.key, s.Files, s.Digest, time.Unix(int64(s.Grant.Expiry), 0))
}

// testGethRefusals: each forged share is served by the real relay (its
// upload names a grant active on chain and is signed by that grant's patient
// or issuer, as the relay requires — the forger stands for anyone who got
// hold of the upload, or a relay that serves what it likes) and opened by
// a real hw receive --json, which must refuse it with exactly the named
// checks failed: the one that catches the forgery, and those that cannot
// run without it.
func testGethRefusals(t *testing.T, e *gethShareEnv) {
	f := newForger(t, e)
	patient := crypto.PubkeyToAddress(f.patient.PublicKey)
	reg := contracts.NewHealthRegistry()

	// A genuine share first: it verifies, so what the cases below change is
	// what they are refused for. Its grant, active on chain, is also what a
	// forger names to the relay to have a share served.
	genuine := f.build(t, f.patient, nil, common.Address{})
	f.issue(t, genuine)
	if r, errOut, code := hwReceive(t, e.anon, f.publishShare(t, f.patient, genuine)); code != 0 || !*r.Verified || len(r.Records) != 3 {
		t.Fatalf("a genuine share made in the test: exit %d, failed %+v\n%s", code, failedChecks(r), errOut)
	}
	decoy := genuine.Digest

	type refusal struct {
		name string
		// link forges a share and returns its link, and the receiver's
		// clock (zero: the real one).
		link   func(t *testing.T) (link string, now time.Time)
		failed []string // exactly the checks that fail, the first the one that catches it
		detail string   // in the first check's detail
	}
	cases := []refusal{{
		name: "tampered JWE",
		link: func(t *testing.T) (string, time.Time) {
			s := f.build(t, f.patient, nil, common.Address{})
			f.issue(t, s)
			files := slices.Clone(s.Files)
			parts := strings.Split(files[0].JWE, ".") // header.key.iv.ciphertext.tag
			ct, i := []byte(parts[3]), len(parts[3])/2
			if ct[i] == 'A' {
				ct[i] = 'B'
			} else {
				ct[i] = 'A'
			}
			parts[3] = string(ct)
			files[0].JWE = strings.Join(parts, ".")
			return f.publish(t, f.patient, s.key, files, s.Digest, time.Unix(int64(s.Grant.Expiry), 0)), time.Time{}
		},
		failed: []string{share.CheckFilesDecrypted},
	}, {
		name: "tampered proof: a record's salt",
		link: func(t *testing.T) (string, time.Time) {
			s := f.build(t, f.patient, nil, common.Address{})
			f.issue(t, s)
			proof := editProof(t, s.Proof, func(p *share.ProofFile) {
				r := &p.Records[1]
				r.Salt[0] ^= 1
				_, r.Commitment, _ = share.RecordCommitment(f.records[1].Resource, r.Salt)
			})
			return f.publish(t, f.patient, s.key, encrypt(t, s.key, s.Bundle, proof), s.Digest, time.Unix(int64(s.Grant.Expiry), 0)), time.Time{}
		},
		failed: []string{share.CheckScope, share.CheckAnchored, share.CheckCovered},
	}, {
		name: "tampered proof: the grant's expiry extended",
		link: func(t *testing.T) (string, time.Time) {
			s := f.build(t, f.patient, nil, common.Address{})
			f.issue(t, s)
			proof := editProof(t, s.Proof, func(p *share.ProofFile) { p.Grant.Expiry += 7 * 24 * 3600 })
			return f.publish(t, f.patient, s.key, encrypt(t, s.key, s.Bundle, proof), s.Digest, time.Unix(int64(s.Grant.Expiry), 0)), time.Time{}
		},
		failed: []string{share.CheckSignature, share.CheckGrantActive, share.CheckIssuerAuthorized, share.CheckCovered},
		detail: "not by the issuer",
	}, {
		name: "another chain id",
		link: func(t *testing.T) (string, time.Time) {
			s := f.build(t, f.patient, big.NewInt(31337), common.Address{})
			return f.publish(t, f.patient, s.key, s.Files, decoy, time.Unix(int64(s.Grant.Expiry), 0)), time.Time{}
		},
		failed: []string{share.CheckChainID, share.CheckGrantActive, share.CheckIssuerAuthorized, share.CheckAnchored},
		detail: "the share is for chain 31337, this receiver trusts chain 1337",
	}, {
		name: "another registry",
		link: func(t *testing.T) (string, time.Time) {
			// A second registry on the same chain, where the grant is
			// genuinely issued and active.
			var dep deployResult
			decodeJSON(t, []byte(hwOK(t, []string{"HW_VAULT=" + filepath.Join(e.dir, "deployer")},
				"--chain", e.url, "chain", "deploy", "--dev-account", "--json")), &dep)
			if dep.Registry == e.registry {
				t.Fatalf("the second deploy gave the same registry %s", dep.Registry)
			}
			s := f.build(t, f.patient, nil, dep.Registry)
			e.send(t, f.patient, dep.Registry, reg.PackIssueGrant(s.Digest, common.Address{}, s.Grant.Expiry))
			if g, err := share.NewChainReader(e.ec, dep.Registry).GrantOf(t.Context(), patient, s.Digest); err != nil || !g.Active {
				t.Fatalf("the grant on the other registry: %+v, %v", g, err)
			}
			return f.publish(t, f.patient, s.key, s.Files, decoy, time.Unix(int64(s.Grant.Expiry), 0)), time.Time{}
		},
		failed: []string{share.CheckRegistry, share.CheckGrantActive, share.CheckIssuerAuthorized, share.CheckAnchored},
		detail: "this receiver trusts " + e.registry.Hex(),
	}, {
		name: "grant replayed from another link",
		link: func(t *testing.T) (string, time.Time) {
			// The genuine share's files, re-encrypted under a new link's key.
			key, err := share.NewKey()
			if err != nil {
				t.Fatal(err)
			}
			return f.publish(t, f.patient, key, encrypt(t, key, genuine.Bundle, genuine.Proof), genuine.Digest, time.Unix(int64(genuine.Grant.Expiry), 0)), time.Time{}
		},
		failed: []string{share.CheckGrantBinding},
		detail: "another link",
	}, {
		name: "grant signed by a stranger",
		link: func(t *testing.T) (string, time.Time) {
			// The patient's grant, issued on chain, with a stranger's
			// signature in place of the patient's.
			s := f.build(t, f.patient, nil, common.Address{})
			f.issue(t, s)
			sig, err := crypto.Sign(s.Digest[:], f.stranger)
			if err != nil {
				t.Fatal(err)
			}
			proof := editProof(t, s.Proof, func(p *share.ProofFile) { p.Signature = sig })
			return f.publish(t, f.patient, s.key, encrypt(t, s.key, s.Bundle, proof), s.Digest, time.Unix(int64(s.Grant.Expiry), 0)), time.Time{}
		},
		failed: []string{share.CheckSignature, share.CheckCovered},
		detail: crypto.PubkeyToAddress(f.stranger.PublicKey).Hex(),
	}, {
		name: "a stranger's own grant for the patient",
		link: func(t *testing.T) (string, time.Time) {
			// Signed by the stranger as issuer: the chain will not let it
			// issue for the patient, so it issues the digest as its own.
			s := f.build(t, f.stranger, nil, common.Address{})
			e.refuseTx(t, f.stranger, reg.PackIssueGrantFor(patient, s.Digest, common.Address{}, s.Grant.Expiry), "NotAuthorized")
			// Under the stranger's own key: never the patient's grant.
			e.send(t, f.stranger, e.registry, reg.PackIssueGrant(s.Digest, common.Address{}, s.Grant.Expiry))
			return f.publishShare(t, f.stranger, s), time.Time{}
		},
		// Issued by someone other than the patient, with no scope document the
		// patient signed: the delegation checks fail too, and so nothing is
		// covered.
		failed: []string{share.CheckGrantActive, share.CheckIssuerAuthorized, share.CheckDelegation, share.CheckDelegationRecords, share.CheckCovered},
		detail: "never issued",
	}, {
		name: "a record outside the scope",
		link: func(t *testing.T) (string, time.Time) {
			// The patient's fourth record, anchored in the same batch but
			// not granted, added to the Bundle and the proof.
			s := f.build(t, f.patient, nil, common.Address{})
			f.issue(t, s)
			extra := f.records[3]
			var b struct {
				ResourceType string            `json:"resourceType"`
				Type         string            `json:"type"`
				Entry        []json.RawMessage `json:"entry"`
			}
			if err := json.Unmarshal(s.Bundle, &b); err != nil {
				t.Fatal(err)
			}
			b.Entry = append(b.Entry, json.RawMessage(`{"resource":`+string(extra.Resource)+`}`))
			bundle, err := json.Marshal(b)
			if err != nil {
				t.Fatal(err)
			}
			proof := editProof(t, s.Proof, func(p *share.ProofFile) {
				ch, cm, _ := share.RecordCommitment(extra.Resource, extra.Salt)
				p.Records = append(p.Records, share.RecordProof{Index: len(p.Records), ResourceRef: "Observation/hr-3", Salt: extra.Salt,
					ContentHash: ch, Commitment: cm, AnchorRoot: extra.AnchorRoot, AnchorProof: extra.AnchorProof})
			})
			return f.publish(t, f.patient, s.key, encrypt(t, s.key, bundle, proof), s.Digest, time.Unix(int64(s.Grant.Expiry), 0)), time.Time{}
		},
		failed: []string{share.CheckScope, share.CheckCovered},
	}, {
		name: "a delegate without SHARE",
		link: func(t *testing.T) (string, time.Time) {
			caregiver := mustGenKey(t)
			cg := crypto.PubkeyToAddress(caregiver.PublicKey)
			e.fund(cg)
			until := uint64(time.Now().Add(24 * time.Hour).Unix())
			s := f.build(t, caregiver, nil, common.Address{})
			// With VIEW only, the chain refuses the caregiver's grant…
			e.send(t, f.patient, e.registry, reg.PackSetDelegate(cg, contracts.RightView, until, crypto.Keccak256Hash([]byte("scope"))))
			e.refuseTx(t, caregiver, reg.PackIssueGrantFor(patient, s.Digest, common.Address{}, s.Grant.Expiry), "NotAuthorized")
			// …so it issued while it held SHARE, which the patient then
			// took back: the chain still holds the grant, active.
			e.send(t, f.patient, e.registry, reg.PackSetDelegate(cg, contracts.RightView|contracts.RightShare, until, crypto.Keccak256Hash([]byte("scope"))))
			e.send(t, caregiver, e.registry, reg.PackIssueGrantFor(patient, s.Digest, common.Address{}, s.Grant.Expiry))
			e.send(t, f.patient, e.registry, reg.PackSetDelegate(cg, contracts.RightView, until, crypto.Keccak256Hash([]byte("scope"))))
			if g := e.grantOf(t, patient, s.Digest); !g.Active || g.Issuer != cg || g.Patient != patient {
				t.Fatalf("the caregiver's grant on chain: %+v", g)
			}
			// The real relay checks the delegate's SHARE too and serves
			// nothing: served by one that does not know (its upload names
			// the decoy grant), the receiver must refuse it itself.
			return f.publish(t, f.patient, s.key, s.Files, decoy, time.Unix(int64(s.Grant.Expiry), 0)), time.Time{}
		},
		failed: []string{share.CheckIssuerAuthorized, share.CheckDelegation, share.CheckDelegationRecords, share.CheckCovered},
		detail: "without the SHARE right",
	}, {
		name: "revoked on chain, served by a relay that does not know",
		link: func(t *testing.T) (string, time.Time) {
			s := f.build(t, f.patient, nil, common.Address{})
			f.issue(t, s)
			e.send(t, f.patient, e.registry, reg.PackRevokeGrant(patient, s.Digest))
			return f.publish(t, f.patient, s.key, s.Files, decoy, time.Unix(int64(s.Grant.Expiry), 0)), time.Time{}
		},
		failed: []string{share.CheckGrantActive},
		detail: "revoked",
	}, {
		name: "expired by the receiver's clock",
		link: func(t *testing.T) (string, time.Time) {
			// Active on chain and at the relay, its link stating no expiry:
			// only the receiver's own clock, two hours on, refuses it.
			s := f.build(t, f.patient, nil, common.Address{})
			f.issue(t, s)
			return f.publish(t, f.patient, s.key, s.Files, s.Digest, time.Time{}), time.Now().Add(2 * time.Hour)
		},
		failed: []string{share.CheckGrantPeriod},
		detail: "expired on",
	}}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			link, now := c.link(t)
			r, errOut, code := hwReceiveAt(t, e.anon, now, link)
			if code != 0 {
				t.Fatalf("hw receive: exit %d\n%s", code, errOut)
			}
			assertRefusedBy(t, r, c.failed...)
			if d := checkDetail(r, c.failed[0]); !strings.Contains(d, c.detail) {
				t.Errorf("%q: detail %q, want it to say %q", c.failed[0], d, c.detail)
			}
		})
	}
}

// receivedJSON is hw receive --json with what a receiving wallet adds.
type receivedJSON struct {
	received
	Purpose string `json:"purpose"`
	Logged  string `json:"logged"`
}

// hwReceive runs hw receive --json [extra…] LINK as its own process. When it
// exits 0 its output is decoded, and must have verified, checks and records.
func hwReceive(t *testing.T, env []string, link string, extra ...string) (r receivedJSON, stderr string, code int) {
	t.Helper()
	return hwReceiveAt(t, env, time.Time{}, link, extra...)
}

// hwReceiveAt is hwReceive with the receiver's clock at now (zero: the real
// one), set through hw-test's hook, never the environment.
func hwReceiveAt(t *testing.T, env []string, now time.Time, link string, extra ...string) (r receivedJSON, stderr string, code int) {
	t.Helper()
	prog, args := "hw", append(append([]string{"receive", "--json"}, extra...), link)
	if !now.IsZero() {
		prog, args = "hw-test", append([]string{"--now=" + now.UTC().Format(time.RFC3339)}, args...)
	}
	out, stderr, code := runHW(t, prog, env, args...)
	if code != 0 {
		return r, stderr, code
	}
	if err := json.Unmarshal([]byte(out), &r); err != nil || r.Verified == nil || r.Checks == nil || r.Records == nil {
		t.Fatalf("hw receive --json printed %s (%v)", out, err)
	}
	return r, stderr, code
}

func failedChecks(r receivedJSON) []string {
	var out []string
	for _, c := range r.Checks {
		if c.OK == nil || !*c.OK {
			out = append(out, c.Name+": "+c.Detail)
		}
	}
	return out
}

// checkDetail is the detail of the check named name.
func checkDetail(r receivedJSON, name string) string {
	for _, c := range r.Checks {
		if c.Name == name {
			return c.Detail
		}
	}
	return ""
}

// assertRefusedBy wants a report not verified whose failed checks are
// exactly want.
func assertRefusedBy(t *testing.T, r receivedJSON, want ...string) {
	t.Helper()
	var failed []string
	for _, c := range r.Checks {
		if c.OK == nil || !*c.OK {
			failed = append(failed, c.Name)
		}
	}
	if *r.Verified || !slices.Equal(slices.Sorted(slices.Values(failed)), slices.Sorted(slices.Values(want))) {
		t.Fatalf("verified %v, failed %q; want refused by exactly %q\nfailed checks: %q", *r.Verified, failed, want, failedChecks(r))
	}
}

// hwOK runs hw with env added and fails the test unless it exits 0; it
// returns standard output.
func hwOK(t *testing.T, env []string, args ...string) string {
	t.Helper()
	out, errOut, code := hwProc(t, env, args...)
	if code != 0 {
		t.Fatalf("hw %s: exit %d\n%s%s", strings.Join(args, " "), code, out, errOut)
	}
	return out
}

// hwMust is hwOK for t, for a test that runs hw many times:
// mustHW := hwMust(t); mustHW(env, "share", …).
func hwMust(t *testing.T) func(env []string, args ...string) string {
	return func(env []string, args ...string) string {
		t.Helper()
		return hwOK(t, env, args...)
	}
}

// walletAddress is the chain address of the wallet in env (hw card).
func walletAddress(t *testing.T, env []string) common.Address {
	t.Helper()
	var card struct{ Address string }
	decodeJSON(t, []byte(hwOK(t, env, "card", "--json")), &card)
	if !common.IsHexAddress(card.Address) {
		t.Fatalf("hw card --json: address %q", card.Address)
	}
	return common.HexToAddress(card.Address)
}
