package wallet

import (
	"bytes"
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/ethereum/go-ethereum/common"

	"healthwallet/chain/chaintest"
	"healthwallet/wallet/care"
	"healthwallet/wallet/identity"
	"healthwallet/wallet/record"
	"healthwallet/wallet/share"
)

// The caregiver's side (issue 9) with three real wallets — Ada the patient,
// Byron her caregiver, Dr. Lee — on one chain (simulated, the embedded
// chain's rules) and a real relay server that checks the chain.

const caregiverMnemonic = "legal winner thank year wave sausage worth useful legal winner thank year wave sausage worth useful legal winner thank year wave sausage worth title"

type careEnv struct {
	*shareEnv
	caregiver, doctor *Wallet
}

func newCareEnv(t *testing.T) *careEnv {
	t.Helper()
	ctx := context.Background()
	e := &careEnv{shareEnv: newShareEnv(t)}
	opts := fastKDF
	opts.OpenChain = e.sw.open
	for _, p := range []struct {
		w              **Wallet
		mnemonic, name string
	}{{&e.caregiver, caregiverMnemonic, "Byron Lovelace"}, {&e.doctor, doctorMnemonic, "Dr. Lee, City Clinic"}} {
		w, err := Create(t.TempDir(), p.mnemonic, testPassword, p.name, opts)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { w.Close() })
		// The caregiver's own address sends its signed actions and pays
		// their gas, as the embedded chain funds a wallet's address.
		if err := e.sw.sim.FundFromDevAccount(ctx, common.HexToAddress(w.Address()), chaintest.FundAmount); err != nil {
			t.Fatal(err)
		}
		*p.w = w
	}
	return e
}

// invite has Ada delegate to Byron with rights and categories, and returns
// the result.
func (e *careEnv) invite(t *testing.T, rights, categories []string) DelegateResult {
	t.Helper()
	card, err := e.caregiver.Card()
	if err != nil {
		t.Fatal(err)
	}
	res, err := e.w.AddDelegate(context.Background(), DelegateRequest{Card: card, Rights: rights, Categories: categories,
		Expires: time.Now().Add(30 * 24 * time.Hour), Relay: e.http.URL})
	if err != nil {
		t.Fatalf("AddDelegate: %v", err)
	}
	return res
}

// open is Dr. Lee opening a link with his wallet.
func (e *careEnv) open(t *testing.T, link string) Received {
	t.Helper()
	got, err := e.doctor.Receive(context.Background(), link, ReceiveOptions{Purpose: "TREAT"})
	var oe *OpenError
	if errors.As(err, &oe) {
		return Received{Report: share.Report{Checks: []share.Check{{Name: share.CheckManifestFetched, Detail: err.Error()}}}}
	}
	if err != nil {
		t.Fatal(err)
	}
	return got
}

func TestCareAcceptSyncShareRevoke(t *testing.T) {
	e := newCareEnv(t)
	ctx := context.Background()
	importObservations(t, e.w, "obs", 2)
	importRaw(t, e.w, medicationJSON("m1", "Metformin 500 MG"), medicationJSON("m2", "Lisinopril 10 MG"))
	res := e.invite(t, []string{RightShare}, []string{record.CategoryMedications})

	// Byron accepts: exactly Ada's medications, in a space of her own.
	start := time.Now()
	p, err := e.caregiver.AcceptInvitation(ctx, res.Invite)
	if err != nil {
		t.Fatalf("AcceptInvitation: %v", err)
	}
	t.Logf("accept (fetch, open, verify, store 2 records): %v", time.Since(start).Round(time.Millisecond))
	if p.Name != "Ada Lovelace" || p.Records != 2 || p.State != CareActive || p.Patient != testAddress(t).Hex() ||
		strings.Join(p.Rights, ",") != "view,share" || p.Delegate != res.Delegate || p.Problem != "" {
		t.Fatalf("CaredFor %+v", p)
	}
	recs, err := e.caregiver.CareRecords("ada", Query{})
	if err != nil || len(recs) != 2 {
		t.Fatalf("CareRecords = %d, %v", len(recs), err)
	}
	for _, r := range recs {
		if r.ResourceType != "MedicationRequest" || r.Category != record.CategoryMedications {
			t.Fatalf("a record outside the scope reached the caregiver: %+v", r)
		}
		d, err := e.caregiver.CareRecord(p.ID, r.ID)
		if err != nil || !strings.Contains(string(d.JSON), "MedicationRequest") {
			t.Fatalf("CareRecord: %v", err)
		}
	}
	// Byron's own records are not Ada's.
	if own, _ := e.caregiver.Records(Query{}); len(own) != 0 {
		t.Fatalf("Ada's records landed among the caregiver's own: %d", len(own))
	}
	list, err := e.caregiver.CaredFor(ctx)
	if err != nil || len(list) != 1 || list[0].ID != p.ID {
		t.Fatalf("CaredFor = %+v, %v", list, err)
	}

	// Ada adds a medication (and an observation outside the scope) and
	// syncs; Byron's sync brings exactly the new medication.
	importRaw(t, e.w, medicationJSON("m3", "Atorvastatin 20 MG"))
	importObservations(t, e.w, "late", 1)
	if _, err := e.w.Sync(ctx); err != nil {
		t.Fatal(err)
	}
	reps, err := e.caregiver.CareSync(ctx, "")
	if err != nil || len(reps) != 1 || reps[0].Added != 1 || reps[0].Records != 3 || reps[0].Problem != "" {
		t.Fatalf("CareSync = %+v, %v", reps, err)
	}

	// Nothing of Ada is readable in Byron's vault file: not her records,
	// her name, her address, nor that he cares for anyone.
	raw, err := os.ReadFile(filepath.Join(e.caregiver.Dir(), VaultFileName))
	if err != nil {
		t.Fatal(err)
	}
	ada := testAddress(t)
	for _, needle := range [][]byte{[]byte("Metformin"), []byte("Atorvastatin"), []byte("MedicationRequest"), []byte("Ada Lovelace"),
		[]byte(ada.Hex()), []byte(strings.ToLower(ada.Hex()[2:])), ada[:], []byte("care/records"), []byte("care/people")} {
		if bytes.Contains(raw, needle) {
			t.Errorf("the caregiver's vault file contains %q in clear", needle)
		}
	}

	// Byron shares for Ada; Dr. Lee's check names both and verifies.
	start = time.Now()
	shared, err := e.caregiver.CareShare(ctx, p.Patient, ShareRequest{All: true, TTL: time.Hour, Purpose: "TREAT"})
	if err != nil {
		t.Fatalf("CareShare: %v", err)
	}
	t.Logf("share on behalf (3 records, grant in a block, upload): %v; link %d characters", time.Since(start).Round(time.Millisecond), len(shared.Link))
	if shared.Records != 3 || shared.Problem != "" {
		t.Fatalf("ShareResult: %d records, problem %q", shared.Records, shared.Problem)
	}
	got := e.open(t, shared.Link)
	if !got.Verified {
		t.Fatalf("the doctor's check failed: %+v", got.Failed())
	}
	byronCard, _ := e.caregiver.Card()
	card, _ := identity.ParseCard(byronCard)
	ob := got.OnBehalf
	switch {
	case got.Patient != testAddress(t) || got.PatientName != "Ada Lovelace":
		t.Fatalf("the doctor reads the patient as %s %q", got.Patient.Hex(), got.PatientName)
	case ob == nil || got.Issuer.Hex() != res.Delegate || ob.Delegate != got.Issuer || ob.DelegateName != "Byron Lovelace":
		t.Fatalf("the doctor reads the issuer as %s, on behalf %+v", got.Issuer.Hex(), ob)
	case got.Issuer == card.Address:
		t.Fatal("the grant names the caregiver's card address: the chain links their people")
	case strings.Join(ob.Rights, ",") != "view,share" || len(got.Records) != 3:
		t.Fatalf("on behalf %+v, %d records", ob, len(got.Records))
	}
	if c, ok := got.Find(share.CheckDelegationRecords); !ok || !c.OK {
		t.Fatalf("check %q: %+v", share.CheckDelegationRecords, c)
	}
	if infos, err := e.caregiver.CareShares(ctx, "Ada Lovelace"); err != nil || len(infos) != 1 || infos[0].State != ShareActive {
		t.Fatalf("CareShares = %+v, %v", infos, err)
	}
	// Ada's log names Byron's share and Dr. Lee's opening of it: the
	// relay's entry, sealed to her.
	log, err := e.w.AccessLog(ctx)
	if err != nil {
		t.Fatalf("Ada's AccessLog: %v", err)
	}
	var sharedSeen, openedSeen bool
	for _, a := range log {
		sharedSeen = sharedSeen || (a.Action == ActionShared && a.Delegate == res.Delegate && a.Share == shared.Grant)
		openedSeen = openedSeen || (a.Source == "relay" && a.Share == shared.ID && a.Delegate == "" &&
			strings.Contains(a.Who, "Dr. Lee") && strings.Contains(a.What, "Byron Lovelace"))
	}
	if !sharedSeen || !openedSeen {
		t.Fatalf("Ada's log: Byron's share %v, Dr. Lee's opening of it %v: %+v", sharedSeen, openedSeen, log)
	}
	// Nothing outside the scope can be chosen.
	if _, err := e.caregiver.CareShare(ctx, p.ID, ShareRequest{ResourceTypes: []string{"Observation"}, TTL: time.Hour, Purpose: "TREAT"}); !errors.Is(err, share.ErrOutsideScope) {
		t.Fatalf("shared observations under a medications-only scope: %v", err)
	}
	// A share cannot outlive the delegation.
	if _, err := e.caregiver.CareShare(ctx, p.ID, ShareRequest{All: true, TTL: 40 * 24 * time.Hour, Purpose: "TREAT"}); err == nil ||
		!strings.Contains(err.Error(), "outlive") {
		t.Fatalf("a share past the delegation: %v", err)
	}

	// Ada renews the delegation (new terms on chain); Byron shares before
	// any sync: his wallet takes the new terms first, and the doctor's
	// check holds them.
	later := time.Now().Add(60 * 24 * time.Hour).Truncate(time.Second)
	if _, err := e.w.RenewDelegate(ctx, res.Delegate, later); err != nil {
		t.Fatal(err)
	}
	renewed, err := e.caregiver.CareShare(ctx, p.ID, ShareRequest{All: true, TTL: time.Hour, Purpose: "TREAT"})
	if err != nil {
		t.Fatalf("CareShare after a renewal: %v", err)
	}
	if got := e.open(t, renewed.Link); !got.Verified || got.OnBehalf == nil || !got.OnBehalf.Expires.Equal(later) {
		t.Fatalf("after a renewal: verified %v, on behalf %+v, failed %+v", got.Verified, got.OnBehalf, got.Failed())
	}

	// Ada revokes: Byron's sync and shares fail saying so and when; his
	// earlier share no longer verifies; the synced records stay.
	if _, err := e.w.RevokeDelegate(ctx, res.Delegate); err != nil {
		t.Fatal(err)
	}
	_, err = e.caregiver.CareSync(ctx, p.ID)
	var ended *DelegationEndedError
	if !errors.As(err, &ended) || ended.How != CareRevoked || ended.When.IsZero() || ended.Name != "Ada Lovelace" {
		t.Fatalf("CareSync after revocation: %v", err)
	}
	if !strings.Contains(err.Error(), "revoked on ") || !errors.Is(err, ErrDelegationEnded) {
		t.Fatalf("the message does not say when: %v", err)
	}
	_, err = e.caregiver.CareShare(ctx, p.ID, ShareRequest{All: true, TTL: time.Hour, Purpose: "TREAT"})
	if !errors.As(err, &ended) {
		t.Fatalf("CareShare after revocation: %v", err)
	}
	if got := e.open(t, shared.Link); got.Verified {
		t.Fatal("the caregiver's share still verifies after the delegation was revoked")
	}
	list, _ = e.caregiver.CaredFor(ctx)
	if len(list) != 1 || list[0].State != CareRevoked || list[0].Records != 3 {
		t.Fatalf("after revocation: %+v", list)
	}
	if recs, _ := e.caregiver.CareRecords(p.ID, Query{}); len(recs) != 3 {
		t.Fatalf("the synced records did not stay: %d", len(recs))
	}
}

// An invitation sealed to someone else does not open; a caregiver without
// SHARE cannot share; the caregiver revokes their own share.
func TestCareRefusalsAndRevoke(t *testing.T) {
	e := newCareEnv(t)
	ctx := context.Background()
	importRaw(t, e.w, medicationJSON("m1", "Metformin 500 MG"))
	res := e.invite(t, []string{RightView}, nil)
	if _, err := e.doctor.AcceptInvitation(ctx, res.Invite); !errors.Is(err, care.ErrNotYourInvitation) {
		t.Fatalf("the doctor opened Byron's invitation: %v", err)
	}
	p, err := e.caregiver.AcceptInvitation(ctx, res.Invite)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := e.caregiver.CareShare(ctx, p.ID, ShareRequest{All: true, TTL: time.Hour, Purpose: "TREAT"}); !errors.Is(err, ErrNoRight) {
		t.Fatalf("shared without SHARE: %v", err)
	}
	if _, err := e.caregiver.CareRecords("nobody", Query{}); !errors.Is(err, ErrNoPerson) {
		t.Fatalf("an unknown person: %v", err)
	}

	// With SHARE (a second delegation, renewed terms), a share and its
	// revocation by the caregiver.
	res = e.invite(t, []string{RightShare}, nil)
	p, err = e.caregiver.AcceptInvitation(ctx, res.Invite)
	if err != nil {
		t.Fatal(err)
	}
	shared, err := e.caregiver.CareShare(ctx, p.ID, ShareRequest{All: true, TTL: time.Hour, Purpose: "TREAT"})
	if err != nil {
		t.Fatal(err)
	}
	if got := e.open(t, shared.Link); !got.Verified {
		t.Fatalf("not verified: %+v", got.Failed())
	}
	if err := e.caregiver.CareRevoke(ctx, p.ID, shared.ID); err != nil {
		t.Fatal(err)
	}
	if got := e.open(t, shared.Link); got.Verified {
		t.Fatal("a revoked share still verifies")
	}
	if infos, _ := e.caregiver.CareShares(ctx, p.ID); len(infos) != 1 || infos[0].State != ShareRevoked {
		t.Fatalf("CareShares after revoke: %+v", infos)
	}

	// Ada's own share: without MANAGE Byron cannot revoke it; with MANAGE
	// he can, and Dr. Lee's check then refuses it.
	own, err := e.w.Share(ctx, ShareRequest{All: true, TTL: time.Hour, Purpose: "TREAT"})
	if err != nil {
		t.Fatal(err)
	}
	if err := e.caregiver.CareRevoke(ctx, p.ID, own.Grant); !errors.Is(err, ErrNoRight) {
		t.Fatalf("revoked the patient's share without MANAGE: %v", err)
	}
	res = e.invite(t, []string{RightManage}, nil)
	if p, err = e.caregiver.AcceptInvitation(ctx, res.Invite); err != nil {
		t.Fatal(err)
	}
	if got := e.open(t, own.Link); !got.Verified {
		t.Fatalf("Ada's share does not verify: %+v", got.Failed())
	}
	if err := e.caregiver.CareRevoke(ctx, p.ID, own.Grant); err != nil {
		t.Fatalf("CareRevoke with MANAGE: %v", err)
	}
	if got := e.open(t, own.Link); got.Verified {
		t.Fatal("the patient's share still verifies after a MANAGE caregiver revoked it")
	}
}

// On a network (the one on Ada's computer, over the embedded chain): Byron
// joins it holding no ETH; accepting enrols his address for Ada with the
// network, which then submits the grant his relationship key signs, and
// Dr. Lee's check verifies the share.
func TestCareOnANetwork(t *testing.T) {
	if testing.Short() {
		t.Skip("embedded chain")
	}
	ctx := context.Background()
	ada := newTestWallet(t)
	importRaw(t, ada, medicationJSON("m1", "Metformin 500 MG"))
	info, err := ada.StartLocalNetwork(ctx, LocalNetworkOptions{})
	if err != nil {
		t.Fatal(err)
	}
	byron, err := Create(t.TempDir(), caregiverMnemonic, testPassword, "Byron Lovelace", fastKDF)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { byron.Close() })
	card, err := byron.Card()
	if err != nil {
		t.Fatal(err)
	}
	res, err := ada.AddDelegate(ctx, DelegateRequest{Card: card, Rights: []string{RightShare}, Expires: time.Now().Add(24 * time.Hour)})
	if err != nil {
		t.Fatalf("AddDelegate on the network: %v", err)
	}
	// Byron, a new wallet on no network, accepts: the copy is checked
	// against Ada's network, which the invitation names, and his wallet
	// joins it — where the delegation is, and where his shares for her
	// must land.
	p, err := byron.AcceptInvitation(ctx, res.Invite)
	if err != nil || p.Records != 1 || p.Problem != "" {
		t.Fatalf("AcceptInvitation from a new wallet: %+v, %v", p, err)
	}
	if m, ok := byron.Network(); !ok || m.ChainID != info.Document.ChainID {
		t.Fatalf("after accepting, Byron's network is %+v (%v), want Ada's", m, ok)
	}
	shared, err := byron.CareShare(ctx, p.ID, ShareRequest{All: true, TTL: time.Hour, Purpose: "TREAT"})
	if err != nil || shared.Problem != "" {
		t.Fatalf("CareShare on the network: problem %q, %v", shared.Problem, err)
	}
	doctor, err := Create(t.TempDir(), doctorMnemonic, testPassword, "Dr. Lee", fastKDF)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { doctor.Close() })
	if _, err := doctor.JoinNetwork(ctx, info.JoinURL, ""); err != nil {
		t.Fatal(err)
	}
	got, err := doctor.Receive(ctx, shared.Link, ReceiveOptions{})
	if err != nil || !got.Verified || got.OnBehalf == nil || got.OnBehalf.DelegateName != "Byron Lovelace" {
		t.Fatalf("the doctor's check on the network: verified %v, %+v, %v, failed %+v", got.Verified, got.OnBehalf, err, got.Failed())
	}
}

// The delegation expires (the chain's clock passes it): Byron's sync and
// shares fail saying it expired, and when.
func TestCareDelegationExpires(t *testing.T) {
	e := newCareEnv(t)
	ctx := context.Background()
	importRaw(t, e.w, medicationJSON("m1", "Metformin 500 MG"))
	res := e.invite(t, []string{RightShare}, nil)
	p, err := e.caregiver.AcceptInvitation(ctx, res.Invite)
	if err != nil {
		t.Fatal(err)
	}
	chaintest.AdjustTime(t, e.sw.sim.Backend, 31*24*time.Hour)
	e.sw.sim.Backend.Commit()
	_, err = e.caregiver.CareSync(ctx, p.ID)
	var ended *DelegationEndedError
	if !errors.As(err, &ended) || ended.How != CareExpired || !ended.When.Equal(res.Expires) {
		t.Fatalf("CareSync after expiry: %v (want expired on %s)", err, res.Expires)
	}
	if !strings.Contains(err.Error(), "expired on "+res.Expires.UTC().Format("2 Jan 2006")) {
		t.Fatalf("the message does not say when: %v", err)
	}
	if _, err := e.caregiver.CareShare(ctx, p.ID, ShareRequest{All: true, TTL: time.Hour, Purpose: "TREAT"}); !errors.As(err, &ended) {
		t.Fatalf("CareShare after expiry: %v", err)
	}
	if list, _ := e.caregiver.CaredFor(ctx); len(list) != 1 || list[0].State != CareExpired {
		t.Fatalf("CaredFor after expiry: %+v", list)
	}
}

// Byron cares for two people (Ada, and Dr. Lee as a patient): each in a
// space of their own, through addresses unlinkable to each other and to
// his card; a name part both share is ambiguous and refused.
func TestCareForSeveralPeople(t *testing.T) {
	e := newCareEnv(t)
	ctx := context.Background()
	importRaw(t, e.w, medicationJSON("m1", "Metformin 500 MG"))
	importObservations(t, e.doctor, "lee", 2)
	card, err := e.caregiver.Card()
	if err != nil {
		t.Fatal(err)
	}
	resAda := e.invite(t, []string{RightShare}, nil)
	resLee, err := e.doctor.AddDelegate(ctx, DelegateRequest{Card: card, Rights: []string{RightView},
		Expires: time.Now().Add(24 * time.Hour), Relay: e.http.URL})
	if err != nil {
		t.Fatal(err)
	}
	for _, inv := range []string{resAda.Invite, resLee.Invite} {
		if _, err := e.caregiver.AcceptInvitation(ctx, inv); err != nil {
			t.Fatal(err)
		}
	}
	people, err := e.caregiver.CaredFor(ctx)
	if err != nil || len(people) != 2 {
		t.Fatalf("CaredFor = %+v, %v", people, err)
	}
	c, _ := identity.ParseCard(card)
	if resAda.Delegate == resLee.Delegate || common.HexToAddress(resAda.Delegate) == c.Address || common.HexToAddress(resLee.Delegate) == c.Address {
		t.Fatalf("the relationship addresses link Byron's people: %s, %s, card %s", resAda.Delegate, resLee.Delegate, c.Address.Hex())
	}
	if recs, err := e.caregiver.CareRecords("Ada Lovelace", Query{}); err != nil || len(recs) != 1 || recs[0].ResourceType != "MedicationRequest" {
		t.Fatalf("Ada's records: %+v, %v", recs, err)
	}
	if recs, err := e.caregiver.CareRecords("Dr. Lee, City Clinic", Query{}); err != nil || len(recs) != 2 || recs[0].ResourceType != "Observation" {
		t.Fatalf("Dr. Lee's records: %+v, %v", recs, err)
	}
	if _, err := e.caregiver.CareRecords("l", Query{}); !errors.Is(err, ErrNoPerson) || !strings.Contains(err.Error(), "2 people") {
		t.Fatalf("an ambiguous name: %v", err)
	}
	if reps, err := e.caregiver.CareSync(ctx, ""); err != nil || len(reps) != 2 {
		t.Fatalf("CareSync of everyone: %+v, %v", reps, err)
	}
}
