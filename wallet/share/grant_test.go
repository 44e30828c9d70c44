package share

import (
	"encoding/binary"
	"encoding/json"
	"errors"
	"math/big"
	"strings"
	"testing"

	"github.com/ethereum/go-ethereum/common"
	"github.com/ethereum/go-ethereum/crypto"
)

var (
	testChainID  = big.NewInt(1337)
	testRegistry = common.HexToAddress("0x5FbDB2315678afecb367f032d93F642f64180aa3")
)

func mustKey(t testing.TB, seed string) *ecdsaKey {
	t.Helper()
	k, err := crypto.ToECDSA(crypto.Keccak256([]byte(seed)))
	if err != nil {
		t.Fatal(err)
	}
	return &ecdsaKey{k, crypto.PubkeyToAddress(k.PublicKey)}
}

func sampleGrant(patient common.Address) Grant {
	purpose, _ := PurposeHash("TREAT")
	return Grant{
		GrantID:   GrantID([32]byte{1, 2, 3}),
		Patient:   patient,
		Issuer:    patient,
		Recipient: crypto.Keccak256Hash([]byte("a sharing key")),
		Scope:     crypto.Keccak256Hash([]byte("scope")),
		Purpose:   purpose,
		NotBefore: 1_700_000_000,
		Expiry:    1_700_003_600,
	}
}

// eip712ByHand computes the digest from the EIP-712 text alone, with
// keccak256 and byte concatenation: no apitypes.
func eip712ByHand(g Grant, chainID *big.Int, registry common.Address) common.Hash {
	word := func(b []byte) []byte { return common.LeftPadBytes(b, 32) }
	u64 := func(v uint64) []byte {
		var b [8]byte
		binary.BigEndian.PutUint64(b[:], v)
		return word(b[:])
	}
	domainType := crypto.Keccak256([]byte("EIP712Domain(string name,string version,uint256 chainId,address verifyingContract)"))
	domain := crypto.Keccak256(domainType, crypto.Keccak256([]byte("HealthWallet")), crypto.Keccak256([]byte("1")),
		word(chainID.Bytes()), word(registry[:]))
	grantType := crypto.Keccak256([]byte("Grant(bytes32 grantId,address patient,address issuer,bytes32 recipient,bytes32 scope,bytes32 purpose,uint64 notBefore,uint64 expiry)"))
	msg := crypto.Keccak256(grantType, g.GrantID[:], word(g.Patient[:]), word(g.Issuer[:]), g.Recipient[:], g.Scope[:], g.Purpose[:],
		u64(g.NotBefore), u64(g.Expiry))
	return crypto.Keccak256Hash([]byte{0x19, 0x01}, domain, msg)
}

func TestGrantDigestMatchesEIP712ByHand(t *testing.T) {
	p := mustKey(t, "patient")
	g := sampleGrant(p.addr)
	got, err := g.Digest(testChainID, testRegistry)
	if err != nil {
		t.Fatal(err)
	}
	if want := eip712ByHand(g, testChainID, testRegistry); got != want {
		t.Fatalf("Digest = %s; by hand %s", got.Hex(), want.Hex())
	}
	if GrantType != "Grant(bytes32 grantId,address patient,address issuer,bytes32 recipient,bytes32 scope,bytes32 purpose,uint64 notBefore,uint64 expiry)" {
		t.Error("GrantType drifted from DESIGN §7")
	}
	// Every field, the chain and the registry change the digest.
	variants := map[string]func() (common.Hash, error){
		"chain":    func() (common.Hash, error) { return g.Digest(big.NewInt(1), testRegistry) },
		"registry": func() (common.Hash, error) { return g.Digest(testChainID, common.HexToAddress("0x01")) },
	}
	for name, mutate := range map[string]func(*Grant){
		"grantId": func(g *Grant) { g.GrantID[0] ^= 1 }, "patient": func(g *Grant) { g.Patient[0] ^= 1 },
		"issuer": func(g *Grant) { g.Issuer[0] ^= 1 }, "recipient": func(g *Grant) { g.Recipient[0] ^= 1 },
		"scope": func(g *Grant) { g.Scope[0] ^= 1 }, "purpose": func(g *Grant) { g.Purpose[0] ^= 1 },
		"notBefore": func(g *Grant) { g.NotBefore++ }, "expiry": func(g *Grant) { g.Expiry++ },
	} {
		h := g
		mutate(&h)
		variants[name] = func() (common.Hash, error) { return h.Digest(testChainID, testRegistry) }
	}
	for name, f := range variants {
		d, err := f()
		if err != nil || d == got {
			t.Errorf("changing %s: digest %s, %v", name, d.Hex(), err)
		}
	}
}

func TestSignAndRecoverGrant(t *testing.T) {
	p, stranger := mustKey(t, "patient"), mustKey(t, "stranger")
	g := sampleGrant(p.addr)
	sig, err := SignGrant(g, p.key, testChainID, testRegistry)
	if err != nil {
		t.Fatal(err)
	}
	// The signature is over the hand-made digest.
	pub, err := crypto.SigToPub(eip712ByHand(g, testChainID, testRegistry).Bytes(), sig)
	if err != nil || crypto.PubkeyToAddress(*pub) != p.addr {
		t.Fatalf("the signature does not recover the patient from the hand-made digest: %v", err)
	}
	if got, err := RecoverGrantSigner(g, sig, testChainID, testRegistry); err != nil || got != p.addr {
		t.Fatalf("RecoverGrantSigner = %s, %v", got.Hex(), err)
	}
	// V as 27/28 (what wallets and eth_signTypedData return) also reads.
	sig27 := append([]byte(nil), sig...)
	sig27[64] += 27
	if got, err := RecoverGrantSigner(g, sig27, testChainID, testRegistry); err != nil || got != p.addr {
		t.Errorf("V+27: %s, %v", got.Hex(), err)
	}
	// Another chain: a different signer comes out, never the patient.
	if got, _ := RecoverGrantSigner(g, sig, big.NewInt(1), testRegistry); got == p.addr {
		t.Error("a grant signed for chain 1337 verifies on chain 1")
	}
	// High S (the malleable twin) is refused.
	n := crypto.S256().Params().N
	s := new(big.Int).SetBytes(sig[32:64])
	high := append(append([]byte(nil), sig[:32]...), common.LeftPadBytes(new(big.Int).Sub(n, s).Bytes(), 32)...)
	high = append(high, sig[64]^1)
	if _, err := RecoverGrantSigner(g, high, testChainID, testRegistry); !errors.Is(err, ErrBadGrant) {
		t.Errorf("high-S signature: %v", err)
	}
	if _, err := RecoverGrantSigner(g, sig[:64], testChainID, testRegistry); !errors.Is(err, ErrBadGrant) {
		t.Errorf("64-byte signature: %v", err)
	}
	// Signing a grant that names someone else as issuer is refused.
	if _, err := SignGrant(g, stranger.key, testChainID, testRegistry); !errors.Is(err, ErrBadGrant) {
		t.Errorf("stranger signing: %v", err)
	}
}

func TestGrantCheck(t *testing.T) {
	p := mustKey(t, "patient")
	for name, mutate := range map[string]func(*Grant){
		"zero id": func(g *Grant) { g.GrantID = common.Hash{} }, "zero patient": func(g *Grant) { g.Patient = common.Address{} },
		"zero issuer": func(g *Grant) { g.Issuer = common.Address{} }, "zero scope": func(g *Grant) { g.Scope = common.Hash{} },
		"zero purpose": func(g *Grant) { g.Purpose = common.Hash{} }, "backwards": func(g *Grant) { g.NotBefore = g.Expiry },
	} {
		g := sampleGrant(p.addr)
		mutate(&g)
		if _, err := g.Digest(testChainID, testRegistry); !errors.Is(err, ErrBadGrant) {
			t.Errorf("%s: %v", name, err)
		}
	}
	g := sampleGrant(p.addr)
	if _, err := g.Digest(big.NewInt(0), testRegistry); !errors.Is(err, ErrBadGrant) {
		t.Errorf("chain 0: %v", err)
	}
	if _, err := g.Digest(testChainID, common.Address{}); !errors.Is(err, ErrBadGrant) {
		t.Errorf("zero registry: %v", err)
	}
}

func TestGrantJSON(t *testing.T) {
	g := sampleGrant(mustKey(t, "patient").addr)
	b, err := json.Marshal(g)
	if err != nil {
		t.Fatal(err)
	}
	var back Grant
	if err := json.Unmarshal(b, &back); err != nil || back != g {
		t.Fatalf("round trip: %+v, %v", back, err)
	}
	for name, text := range map[string]string{
		"extra field":   strings.Replace(string(b), `{`, `{"x":1,`, 1),
		"missing field": strings.Replace(string(b), `"grantId"`, `"grantID"`, 1),
		"short hash":    strings.Replace(string(b), `"scope":"0x`, `"scope":"0x00`, 1),
		"no 0x":         strings.Replace(string(b), `"scope":"0x`, `"scope":"`, 1),
		"negative":      strings.Replace(string(b), `"notBefore":1700000000`, `"notBefore":-1`, 1),
		"trailing":      string(b) + "{}",
	} {
		if err := json.Unmarshal([]byte(text), &back); err == nil {
			t.Errorf("%s: accepted %s", name, text)
		}
	}
}

func TestPurposeHash(t *testing.T) {
	h, err := PurposeHash("TREAT")
	if err != nil || h != crypto.Keccak256Hash([]byte("TREAT")) {
		t.Fatalf("PurposeHash(TREAT) = %s, %v", h.Hex(), err)
	}
	if h2, err := PurposeHash(" treat "); err != nil || h2 != h {
		t.Errorf("case and space: %s, %v", h2.Hex(), err)
	}
	for _, code := range []string{"TREAT", "ETREAT", "CAREMGT", "PATRQT", "HPAYMT"} {
		h, err := PurposeHash(code)
		if err != nil {
			t.Errorf("%s: %v", code, err)
		}
		if p, ok := PurposeOf(h); !ok || p.Code != code {
			t.Errorf("PurposeOf(%s) = %v, %v", code, p, ok)
		}
	}
	for _, bad := range []string{"", "MARKETING", "TREAT2", "TRE AT"} {
		if _, err := PurposeHash(bad); !errors.Is(err, ErrUnknownPurpose) {
			t.Errorf("%q: %v", bad, err)
		}
	}
}

func TestGrantIDBindsTheKey(t *testing.T) {
	a, b := GrantID([32]byte{1}), GrantID([32]byte{2})
	if a == b || a == (common.Hash{}) {
		t.Fatal("grant ids of different keys collide")
	}
	if want := crypto.Keccak256Hash(append([]byte("HealthWallet grant id v1"), make([]byte, 32)...)); GrantID([32]byte{}) != want {
		t.Error("GrantID is not keccak256(domain ‖ key)")
	}
}

// The access key is a function of the link key alone, distinct per link,
// and the access-log entry is keccak256(0x02 ‖ salt ‖ keccak256(JCS(st))),
// which changes with the salt and with every field of the statement.
func TestAccessKeyAndEntry(t *testing.T) {
	var k1, k2 [32]byte
	k1[0], k2[0] = 1, 2
	a1, err := AccessKey(k1)
	if err != nil {
		t.Fatal(err)
	}
	again, _ := AccessKey(k1)
	a2, _ := AccessKey(k2)
	if crypto.PubkeyToAddress(a1.PublicKey) != crypto.PubkeyToAddress(again.PublicKey) || crypto.PubkeyToAddress(a1.PublicKey) == crypto.PubkeyToAddress(a2.PublicKey) {
		t.Fatal("the access key is not a function of the link key alone")
	}
	if common.BytesToHash(crypto.FromECDSA(a1)) == common.BytesToHash(k1[:]) || GrantID(k1) == common.BytesToHash(crypto.FromECDSA(a1)) {
		t.Fatal("the access key is the link key or its grant id")
	}

	st := AccessStatement{Who: "Dr. Lee", Purpose: "TREAT", Time: 1700000000}
	var salt [32]byte
	salt[31] = 7
	got, err := st.Commitment(salt)
	if err != nil {
		t.Fatal(err)
	}
	want := crypto.Keccak256Hash([]byte{0x02}, salt[:], crypto.Keccak256([]byte(`{"purpose":"TREAT","time":1700000000,"who":"Dr. Lee"}`)))
	if got != want {
		t.Fatalf("entry %s, want %s", got, want)
	}
	other := salt
	other[0] = 1
	for _, changed := range []func() (common.Hash, error){
		func() (common.Hash, error) { return st.Commitment(other) },
		func() (common.Hash, error) { s := st; s.Who = "Dr. Leo"; return s.Commitment(salt) },
		func() (common.Hash, error) { s := st; s.Purpose = "ETREAT"; return s.Commitment(salt) },
		func() (common.Hash, error) { s := st; s.Time++; return s.Commitment(salt) },
	} {
		if h, err := changed(); err != nil || h == got {
			t.Fatalf("a changed statement or salt gives the same entry (%v)", err)
		}
	}

	signed, err := SignAccess(k1, st, common.HexToAddress("0x01"), common.HexToHash("0x02"), 1800000000, big.NewInt(1337), testRegistry)
	if err != nil || signed.Salt == ([32]byte{}) {
		t.Fatalf("SignAccess: %+v, %v", signed, err)
	}
	if e, _ := st.Commitment(signed.Salt); e != signed.Entry {
		t.Fatalf("the signed entry %s is not the statement's commitment %s", signed.Entry, e)
	}
}
