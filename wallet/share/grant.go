package share

import (
	"crypto/ecdsa"
	"crypto/hkdf"
	"crypto/rand"
	"crypto/sha256"
	"encoding/json"
	"errors"
	"fmt"
	"math/big"
	"sort"
	"strings"

	"github.com/ethereum/go-ethereum/common"
	"github.com/ethereum/go-ethereum/common/math"
	"github.com/ethereum/go-ethereum/crypto"
	"github.com/ethereum/go-ethereum/signer/core/apitypes"

	"healthwallet/chain"
	"healthwallet/wallet/record"
)

// EIP-712 names of a grant. The domain is {name, version, chainId,
// verifyingContract}: a grant signed for one chain or registry is not valid on
// another.
const (
	GrantDomainName    = "HealthWallet"
	GrantDomainVersion = "1"
	// GrantType is the EIP-712 encoding of the grant's type.
	GrantType = "Grant(bytes32 grantId,address patient,address issuer,bytes32 recipient,bytes32 scope,bytes32 purpose,uint64 notBefore,uint64 expiry)"
)

// ErrBadGrant is wrapped by the errors of [Grant.Check], [Grant.Digest],
// [SignGrant], [RecoverGrantSigner] and the grant's JSON decoding.
var ErrBadGrant = errors.New("invalid grant")

// Grant is the patient's consent to one share, signed as EIP-712 typed data
// and recorded on chain by its digest. See the package documentation.
type Grant struct {
	// GrantID binds the grant to one link: [GrantID] of the link's key.
	GrantID common.Hash `json:"grantId"`
	// Patient whose records are shared.
	Patient common.Address `json:"patient"`
	// Issuer signed the grant: the patient, or a delegate holding SHARE.
	Issuer common.Address `json:"issuer"`
	// Recipient is the keccak256 of the recipient's X25519 sharing key
	// (identity.Card.SharingKeyHash), or zero for whoever holds the link.
	Recipient common.Hash `json:"recipient"`
	// Scope is the Merkle root of the commitments of exactly the records
	// shared (DESIGN §5).
	Scope common.Hash `json:"scope"`
	// Purpose is [PurposeHash] of an HL7 PurposeOfUse code.
	Purpose common.Hash `json:"purpose"`
	// NotBefore and Expiry are unix seconds; the grant is valid in
	// [NotBefore, Expiry).
	NotBefore uint64 `json:"notBefore"`
	Expiry    uint64 `json:"expiry"`
}

// grantIDDomain starts the preimage of every grant id, so it cannot be
// mistaken for any other hash of a link key.
const grantIDDomain = "HealthWallet grant id v1"

// GrantID is the grant id that binds a grant to the link with this key:
// keccak256("HealthWallet grant id v1" ‖ key). The receiver recomputes it
// from the link it opened, so a grant and proof file copied into another
// link (which has another key) are refused. The key is 32 random bytes drawn
// for each link, so the id is unique on chain and reveals nothing of the key.
func GrantID(linkKey [32]byte) common.Hash {
	return crypto.Keccak256Hash([]byte(grantIDDomain), linkKey[:])
}

// Check reports whether the grant is complete: non-zero id, patient,
// issuer, scope and purpose, and NotBefore before Expiry. Errors wrap
// [ErrBadGrant].
func (g Grant) Check() error {
	switch {
	case g.GrantID == (common.Hash{}):
		return fmt.Errorf("%w: grantId is zero", ErrBadGrant)
	case g.Patient == (common.Address{}):
		return fmt.Errorf("%w: patient is the zero address", ErrBadGrant)
	case g.Issuer == (common.Address{}):
		return fmt.Errorf("%w: issuer is the zero address", ErrBadGrant)
	case g.Scope == (common.Hash{}):
		return fmt.Errorf("%w: scope is zero (no records)", ErrBadGrant)
	case g.Purpose == (common.Hash{}):
		return fmt.Errorf("%w: purpose is zero", ErrBadGrant)
	case g.Expiry == 0 || g.Expiry > 1<<63-1:
		return fmt.Errorf("%w: expiry %d is not a time", ErrBadGrant, g.Expiry)
	case g.NotBefore >= g.Expiry:
		return fmt.Errorf("%w: notBefore %d is not before expiry %d", ErrBadGrant, g.NotBefore, g.Expiry)
	}
	return nil
}

// typedData is the grant as EIP-712 typed data under the registry's domain.
func (g Grant) typedData(chainID *big.Int, registry common.Address) (apitypes.TypedData, error) {
	if chainID == nil || chainID.Sign() <= 0 {
		return apitypes.TypedData{}, fmt.Errorf("%w: chain id must be positive", ErrBadGrant)
	}
	if registry == (common.Address{}) {
		return apitypes.TypedData{}, fmt.Errorf("%w: the registry is the zero address", ErrBadGrant)
	}
	return apitypes.TypedData{
		Types: apitypes.Types{
			"EIP712Domain": {
				{Name: "name", Type: "string"},
				{Name: "version", Type: "string"},
				{Name: "chainId", Type: "uint256"},
				{Name: "verifyingContract", Type: "address"},
			},
			"Grant": {
				{Name: "grantId", Type: "bytes32"},
				{Name: "patient", Type: "address"},
				{Name: "issuer", Type: "address"},
				{Name: "recipient", Type: "bytes32"},
				{Name: "scope", Type: "bytes32"},
				{Name: "purpose", Type: "bytes32"},
				{Name: "notBefore", Type: "uint64"},
				{Name: "expiry", Type: "uint64"},
			},
		},
		PrimaryType: "Grant",
		Domain: apitypes.TypedDataDomain{
			Name:              GrantDomainName,
			Version:           GrantDomainVersion,
			ChainId:           (*math.HexOrDecimal256)(new(big.Int).Set(chainID)),
			VerifyingContract: registry.Hex(),
		},
		Message: apitypes.TypedDataMessage{
			"grantId":   g.GrantID[:],
			"patient":   g.Patient.Hex(),
			"issuer":    g.Issuer.Hex(),
			"recipient": g.Recipient[:],
			"scope":     g.Scope[:],
			"purpose":   g.Purpose[:],
			"notBefore": new(big.Int).SetUint64(g.NotBefore),
			"expiry":    new(big.Int).SetUint64(g.Expiry),
		},
	}, nil
}

// Digest is the grant's EIP-712 hash under the domain of the registry at
// registry on chain chainID: what is signed and what the registry records.
func (g Grant) Digest(chainID *big.Int, registry common.Address) (common.Hash, error) {
	if err := g.Check(); err != nil {
		return common.Hash{}, err
	}
	td, err := g.typedData(chainID, registry)
	if err != nil {
		return common.Hash{}, err
	}
	h, _, err := apitypes.TypedDataAndHash(td)
	if err != nil {
		return common.Hash{}, fmt.Errorf("%w: EIP-712 hashing: %v", ErrBadGrant, err)
	}
	return common.BytesToHash(h), nil
}

// SignGrant signs the grant's digest with key, which must be the grant's
// Issuer. The signature is 65 bytes [R ‖ S ‖ V], V in {0, 1}, low S.
func SignGrant(g Grant, key *ecdsa.PrivateKey, chainID *big.Int, registry common.Address) ([]byte, error) {
	if key == nil {
		return nil, errors.New("share: signing a grant: no key")
	}
	if signer := crypto.PubkeyToAddress(key.PublicKey); signer != g.Issuer {
		return nil, fmt.Errorf("%w: the grant names issuer %s but the key is %s's", ErrBadGrant, g.Issuer.Hex(), signer.Hex())
	}
	d, err := g.Digest(chainID, registry)
	if err != nil {
		return nil, err
	}
	sig, err := crypto.Sign(d[:], key)
	if err != nil {
		return nil, fmt.Errorf("share: signing a grant: %w", err)
	}
	return sig, nil
}

// RecoverGrantSigner returns the address whose key made sig over the grant's
// digest. sig is 65 bytes with V in {0, 1} or {27, 28}; a high-S signature is
// refused, so each grant has one valid signature per signer. The caller
// compares the result with g.Issuer.
func RecoverGrantSigner(g Grant, sig []byte, chainID *big.Int, registry common.Address) (common.Address, error) {
	if len(sig) != crypto.SignatureLength {
		return common.Address{}, fmt.Errorf("%w: the signature is %d bytes, want %d", ErrBadGrant, len(sig), crypto.SignatureLength)
	}
	s := append([]byte(nil), sig...)
	if s[64] == 27 || s[64] == 28 {
		s[64] -= 27
	}
	r, sv := new(big.Int).SetBytes(s[:32]), new(big.Int).SetBytes(s[32:64])
	if !crypto.ValidateSignatureValues(s[64], r, sv, true) {
		return common.Address{}, fmt.Errorf("%w: the signature is malformed", ErrBadGrant)
	}
	d, err := g.Digest(chainID, registry)
	if err != nil {
		return common.Address{}, err
	}
	pub, err := crypto.SigToPub(d[:], s)
	if err != nil {
		return common.Address{}, fmt.Errorf("%w: recovering the signer: %v", ErrBadGrant, err)
	}
	return crypto.PubkeyToAddress(*pub), nil
}

// grantJSON pins the JSON form: every field required, hashes and addresses
// 0x-hex.
type grantJSON struct {
	GrantID   *common.Hash    `json:"grantId"`
	Patient   *common.Address `json:"patient"`
	Issuer    *common.Address `json:"issuer"`
	Recipient *common.Hash    `json:"recipient"`
	Scope     *common.Hash    `json:"scope"`
	Purpose   *common.Hash    `json:"purpose"`
	NotBefore *uint64         `json:"notBefore"`
	Expiry    *uint64         `json:"expiry"`
}

// UnmarshalJSON reads the JSON form strictly: all eight fields, no others,
// hashes 0x and 64 hex digits, addresses 0x and 40.
func (g *Grant) UnmarshalJSON(data []byte) error {
	var raw grantJSON
	if err := strictDecode(data, &raw, "grantId", "patient", "issuer", "recipient", "scope", "purpose", "notBefore", "expiry"); err != nil {
		return fmt.Errorf("%w: %v", ErrBadGrant, err)
	}
	if raw.GrantID == nil || raw.Patient == nil || raw.Issuer == nil || raw.Recipient == nil ||
		raw.Scope == nil || raw.Purpose == nil || raw.NotBefore == nil || raw.Expiry == nil {
		return fmt.Errorf("%w: grantId, patient, issuer, recipient, scope, purpose, notBefore and expiry are all required", ErrBadGrant)
	}
	*g = Grant{
		GrantID: *raw.GrantID, Patient: *raw.Patient, Issuer: *raw.Issuer, Recipient: *raw.Recipient,
		Scope: *raw.Scope, Purpose: *raw.Purpose, NotBefore: *raw.NotBefore, Expiry: *raw.Expiry,
	}
	return nil
}

// PurposeOfUse is an HL7 v3 PurposeOfUse code a share may state.
type PurposeOfUse struct {
	Code    string
	Display string
}

// purposes are the HL7 v3 PurposeOfUse codes (terminology.hl7.org
// v3-PurposeOfUse) that fit a patient sharing their own records.
var purposes = []PurposeOfUse{
	{"TREAT", "treatment"},
	{"ETREAT", "emergency treatment"},
	{"BTG", "break the glass"},
	{"CAREMGT", "care management"},
	{"COC", "coordination of care"},
	{"CLINTRCH", "clinical trial research"},
	{"HRESCH", "healthcare research"},
	{"HPAYMT", "healthcare payment"},
	{"COVERAGE", "coverage under policy or program"},
	{"HOPERAT", "healthcare operations"},
	{"PATRQT", "patient requested"},
	{"FAMRQT", "family requested"},
	{"PWATRNY", "power of attorney"},
	{"SUPNWK", "support network"},
	{"PUBHLTH", "public health"},
	{"HLEGAL", "legal"},
	{"HDIRECT", "directory"},
}

// ErrUnknownPurpose: a code not in [Purposes].
var ErrUnknownPurpose = errors.New("unknown purpose of use")

// Purposes returns the PurposeOfUse codes a grant may carry.
func Purposes() []PurposeOfUse { return append([]PurposeOfUse(nil), purposes...) }

// PurposeHash returns keccak256 of an HL7 PurposeOfUse code, what a grant
// and the registry's access log carry. The code is matched without regard
// to case or surrounding space ("treat" is TREAT); a code not in [Purposes]
// is refused with [ErrUnknownPurpose].
func PurposeHash(code string) (common.Hash, error) {
	c := strings.ToUpper(strings.TrimSpace(code))
	for _, p := range purposes {
		if p.Code == c {
			return crypto.Keccak256Hash([]byte(c)), nil
		}
	}
	known := make([]string, len(purposes))
	for i, p := range purposes {
		known[i] = p.Code
	}
	sort.Strings(known)
	return common.Hash{}, fmt.Errorf("%w %q: use one of %s", ErrUnknownPurpose, code, strings.Join(known, ", "))
}

// PurposeOf returns the known PurposeOfUse whose hash is h.
func PurposeOf(h common.Hash) (PurposeOfUse, bool) {
	for _, p := range purposes {
		if crypto.Keccak256Hash([]byte(p.Code)) == h {
			return p, true
		}
	}
	return PurposeOfUse{}, false
}

// accessKeyInfo is the HKDF info of a grant's access key: its own label, so
// the key is independent of every other use of the link key.
const accessKeyInfo = "HealthWallet access key v1"

// AccessKey is the grant's access key, derived from the link's key: a
// secp256k1 key whose address the patient puts in the grant on chain, so that
// only holders of the link can sign the grant's access-log entries
// (HealthRegistry.logAccess). It is HKDF-SHA256 of the 32-byte link key
// (no salt, info "HealthWallet access key v1"), 32 bytes taken as a scalar;
// the rare output that is not a valid scalar (zero, or not below the curve
// order) is hashed again with a counter until one is.
func AccessKey(linkKey [32]byte) (*ecdsa.PrivateKey, error) {
	for i := byte(0); i < 16; i++ {
		info := accessKeyInfo
		if i > 0 {
			info += string([]byte{'/', '0' + i})
		}
		seed, err := hkdf.Key(sha256.New, linkKey[:], nil, info, 32)
		if err != nil {
			return nil, fmt.Errorf("share: deriving the access key: %w", err)
		}
		if k, err := crypto.ToECDSA(seed); err == nil {
			return k, nil
		}
	}
	return nil, errors.New("share: deriving the access key: no valid scalar (this cannot happen with a random link key)")
}

// AccessStatement is what a receiver says about one access to a share: who
// it says it is, why, and when. It never goes on chain: the chain holds only
// its salted commitment ([AccessStatement.Commitment]), which the patient
// opens with the statement and salt that reach it in the relay's sealed
// access-log entry.
type AccessStatement struct {
	Who     string `json:"who"`     // how the receiver describes itself ("Dr. Lee, City Clinic")
	Purpose string `json:"purpose"` // an HL7 PurposeOfUse code, e.g. TREAT
	Time    int64  `json:"time"`    // unix seconds
}

// accessEntryPrefix starts every access-log entry's preimage, so it cannot
// be mistaken for a record commitment (0x01, DESIGN §5) or any other hash.
const accessEntryPrefix = 0x02

// Commitment is the access-log entry the registry records:
// keccak256(0x02 ‖ salt ‖ keccak256(JCS(statement))). The salt (32 random
// bytes per access) keeps a guessable statement from being found by trying.
func (s AccessStatement) Commitment(salt [32]byte) (common.Hash, error) {
	raw, err := json.Marshal(s)
	if err != nil {
		return common.Hash{}, fmt.Errorf("share: encoding an access statement: %w", err)
	}
	canonical, err := record.Canonical(raw)
	if err != nil {
		return common.Hash{}, fmt.Errorf("share: canonicalizing an access statement: %w", err)
	}
	return crypto.Keccak256Hash([]byte{accessEntryPrefix}, salt[:], crypto.Keccak256(canonical)), nil
}

// SignedAccess is a receiver's access-log entry, ready for the registry's
// logAccess: whoever holds it (the patient's wallet) can submit it, and the
// registry accepts it once, while the grant is active.
type SignedAccess struct {
	Statement AccessStatement
	Salt      [32]byte
	GrantKey  common.Hash // chain.GrantKey(patient, digest)
	Entry     common.Hash // Statement.Commitment(Salt)
	Deadline  uint64      // unix seconds; the grant's expiry
	// Calldata is HealthRegistry.logAccess(GrantKey, Entry, Deadline, sig),
	// signed with the link's access key.
	Calldata []byte
}

// SignAccess makes the receiver's access-log entry for the share whose link
// key is linkKey and whose grant is patient's grant with the digest, valid
// until the grant expires (deadline). A fresh salt is drawn; the signature
// by [AccessKey] proves the receiver holds the link.
func SignAccess(linkKey [32]byte, st AccessStatement, patient common.Address, digest common.Hash, deadline uint64, chainID *big.Int, registry common.Address) (SignedAccess, error) {
	var salt [32]byte
	if _, err := rand.Read(salt[:]); err != nil {
		return SignedAccess{}, fmt.Errorf("share: drawing an access salt: %w", err)
	}
	entry, err := st.Commitment(salt)
	if err != nil {
		return SignedAccess{}, err
	}
	key, err := AccessKey(linkKey)
	if err != nil {
		return SignedAccess{}, err
	}
	grantKey := chain.GrantKey(patient, digest)
	data, err := chain.Signer{Key: key, ChainID: chainID, Registry: registry}.LogAccess(grantKey, entry, deadline)
	if err != nil {
		return SignedAccess{}, fmt.Errorf("share: %w", err)
	}
	return SignedAccess{Statement: st, Salt: salt, GrantKey: grantKey, Entry: entry, Deadline: deadline, Calldata: data}, nil
}
