package share

import (
	"context"
	"math/big"
	"strings"
	"testing"
	"time"

	"github.com/ethereum/go-ethereum/accounts/abi/bind/v2"
	"github.com/ethereum/go-ethereum/common"
	"github.com/ethereum/go-ethereum/core/types"
	"github.com/ethereum/go-ethereum/crypto"
	"github.com/ethereum/go-ethereum/ethclient/simulated"

	"healthwallet/chain/contracts"
)

// The real ChainReader over the HealthRegistry bindings, on a simulated
// chain: a share verifies, then is refused once revoked; a caregiver with
// SHARE shares for the patient, one with VIEW only cannot; with the
// patient's signed scope committed on chain the share verifies and names
// the caregiver, and no longer once the scope is replaced or revoked.
func TestChainReaderOnSimulatedChain(t *testing.T) {
	if testing.Short() {
		t.Skip("simulated chain")
	}
	ctx := context.Background()
	patient, caregiver := mustKey(t, "patient"), mustKey(t, "caregiver")
	alloc := types.GenesisAlloc{}
	for _, k := range []*ecdsaKey{patient, caregiver} {
		alloc[k.addr] = types.Account{Balance: new(big.Int).Lsh(big.NewInt(1), 100)}
	}
	sim := simulated.NewBackend(alloc)
	t.Cleanup(func() { sim.Close() })
	client := sim.Client()
	chainID, err := client.ChainID(ctx)
	if err != nil {
		t.Fatal(err)
	}
	opts := func(k *ecdsaKey) *bind.TransactOpts { return bind.NewKeyedTransactor(k.key, chainID) }
	registry, tx, err := bind.DeployContract(opts(patient), common.FromHex(contracts.HealthRegistryMetaData.Bin), client, nil)
	if err != nil {
		t.Fatal(err)
	}
	sim.Commit()
	if _, err := bind.WaitDeployed(ctx, client, tx.Hash()); err != nil {
		t.Fatal(err)
	}
	reg := contracts.NewHealthRegistry()
	inst := reg.Instance(client, registry)
	send := func(from *ecdsaKey, data []byte) {
		t.Helper()
		tx, err := bind.Transact(inst, opts(from), data)
		if err != nil {
			if rev, ok := contracts.AsRevert(err); ok {
				t.Fatalf("reverted: %v", rev)
			}
			t.Fatal(err)
		}
		sim.Commit()
		if r, err := bind.WaitMined(ctx, client, tx.Hash()); err != nil || r.Status != types.ReceiptStatusSuccessful {
			t.Fatalf("transaction failed: %v", err)
		}
	}

	// Anchor a batch of the patient's records.
	var res [][]byte
	for i := range 5 {
		res = append(res, testResource(i))
	}
	bookkeeping := newFakeChain(time.Now()) // only to collect salts and proofs
	recs := anchorBatch(t, bookkeeping, patient.addr, res)
	send(patient, reg.PackAnchor(recs[0].AnchorRoot, uint32(len(recs))))

	head, err := client.HeaderByNumber(ctx, nil)
	if err != nil {
		t.Fatal(err)
	}
	now := time.Unix(int64(head.Time), 0)
	reader := NewChainReader(client, registry)
	share := func(signer *ecdsaKey) (Link, []File, *Share) {
		key, _ := NewKey()
		s, err := BuildShare(ShareRequest{Records: recs[1:4], Key: key, Patient: patient.addr, Signer: signer.key,
			PurposeCode: "CAREMGT", NotBefore: now.Add(-time.Minute), Expiry: now.Add(time.Hour), ChainID: chainID, Registry: registry})
		if err != nil {
			t.Fatal(err)
		}
		var files []File
		for _, ef := range s.Files {
			pt, _, err := DecryptFile(ef.JWE, key[:])
			if err != nil {
				t.Fatal(err)
			}
			files = append(files, File{ContentType: ef.ContentType, Plaintext: pt})
		}
		return Link{URL: "https://relay.example/shl/x", Key: key}, files, s
	}
	verify := func(l Link, files []File) Report {
		return Verify(ctx, VerifyInput{Link: l, Files: files, Now: now, Chain: reader, ExpectRegistry: registry})
	}

	link, files, s := share(patient)
	assertFailed(t, verify(link, files), CheckGrantActive) // not issued yet
	send(patient, reg.PackIssueGrant(s.Digest, common.Address{}, s.Grant.Expiry))
	r := verify(link, files)
	assertVerified(t, r)
	if c, _ := r.Find(CheckAnchored); !c.OK {
		t.Errorf("anchored: %+v", c)
	}
	send(patient, reg.PackRevokeGrant(patient.addr, s.Digest))
	if c := assertFailed(t, verify(link, files), CheckGrantActive); c.Detail != "the patient revoked this grant" {
		t.Errorf("detail %q", c.Detail)
	}

	// A caregiver with SHARE issues for the patient.
	send(patient, reg.PackSetDelegate(caregiver.addr, contracts.RightView|contracts.RightShare, uint64(now.Add(24*time.Hour).Unix()), crypto.Keccak256Hash([]byte("scope"))))
	link, files, s = share(caregiver)
	send(caregiver, reg.PackIssueGrantFor(patient.addr, s.Digest, common.Address{}, s.Grant.Expiry))
	r = verify(link, files)
	if c, _ := r.Find(CheckIssuerAuthorized); !c.OK {
		t.Errorf("issuer authorized: %+v", c)
	}
	// Without the patient's signed scope document, the doctor cannot tell
	// which records the caregiver may share: refused.
	assertFailed(t, r, CheckDelegation)
	if r.Issuer != caregiver.addr || r.Patient != patient.addr {
		t.Errorf("issuer %s patient %s", r.Issuer.Hex(), r.Patient.Hex())
	}
	// The patient narrows the caregiver to VIEW: its grants no longer pass.
	send(patient, reg.PackSetDelegate(caregiver.addr, contracts.RightView, uint64(now.Add(24*time.Hour).Unix()), crypto.Keccak256Hash([]byte("scope"))))
	assertFailed(t, verify(link, files), CheckIssuerAuthorized)

	// The patient delegates with a signed scope committed on chain: the
	// caregiver's share carrying it verifies and names them.
	expiry := uint64(now.Add(24 * time.Hour).Unix())
	scope := DelegationScope{V: 1, Patient: patient.addr, Delegate: caregiver.addr, Rights: []string{DelegateRightView, DelegateRightShare},
		Types: []string{"Observation"}, Expiry: expiry, Issued: uint64(now.Unix()), PatientName: "Ada Lovelace", DelegateName: "Byron", Salt: mustSalt(t)}
	signed, err := SignDelegationScope(scope, patient.key)
	if err != nil {
		t.Fatal(err)
	}
	send(patient, reg.PackSetDelegate(caregiver.addr, scope.RightsMask(), expiry, mustHash(t, scope)))
	link, files, s = delegateShareOn(t, recs[1:4], patient.addr, caregiver, &signed, now, chainID, registry)
	send(caregiver, reg.PackIssueGrantFor(patient.addr, s.Digest, common.Address{}, s.Grant.Expiry))
	r = verify(link, files)
	assertVerified(t, r)
	if r.OnBehalf == nil || r.OnBehalf.Delegate != caregiver.addr || r.OnBehalf.DelegateName != "Byron" {
		t.Errorf("on behalf: %+v", r.OnBehalf)
	}
	// The patient replaces the scope (another hash on chain): the share no
	// longer verifies; revoked: neither.
	send(patient, reg.PackSetDelegate(caregiver.addr, scope.RightsMask(), expiry, crypto.Keccak256Hash([]byte("narrower"))))
	if c := assertFailed(t, verify(link, files), CheckDelegation); !strings.Contains(c.Detail, "another scope document") {
		t.Errorf("detail %q", c.Detail)
	}
	send(patient, reg.PackRevokeDelegate(caregiver.addr))
	if c := assertFailed(t, verify(link, files), CheckDelegation); !strings.Contains(c.Detail, "revoked") {
		t.Errorf("detail %q", c.Detail)
	}
}

// delegateShareOn builds a caregiver's share of recs carrying the patient's
// signed scope, decrypted as a receiver gets it.
func delegateShareOn(t *testing.T, recs []SharedRecord, patient common.Address, caregiver *ecdsaKey, d *SignedDelegationScope,
	now time.Time, chainID *big.Int, registry common.Address) (Link, []File, *Share) {
	t.Helper()
	key, _ := NewKey()
	s, err := BuildShare(ShareRequest{Records: recs, Key: key, Patient: patient, Signer: caregiver.key, Delegation: d,
		PurposeCode: "TREAT", NotBefore: now.Add(-time.Minute), Expiry: now.Add(time.Hour), ChainID: chainID, Registry: registry})
	if err != nil {
		t.Fatal(err)
	}
	var files []File
	for _, ef := range s.Files {
		pt, _, err := DecryptFile(ef.JWE, key[:])
		if err != nil {
			t.Fatal(err)
		}
		files = append(files, File{ContentType: ef.ContentType, Plaintext: pt})
	}
	return Link{URL: "https://relay.example/shl/y", Key: key}, files, s
}
