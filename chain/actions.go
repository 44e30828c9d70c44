package chain

import (
	"crypto/ecdsa"
	"encoding/binary"
	"errors"
	"fmt"
	"math/big"
	"strings"

	"github.com/ethereum/go-ethereum/common"
	"github.com/ethereum/go-ethereum/crypto"
)

// This file: the registry's signed actions. A patient (or delegate) signs an
// action as EIP-712 typed data under the registry's domain {name
// "HealthWallet", version "1", chainId, verifyingContract}; anyone may submit
// the resulting calldata, and the registry recovers the signer and acts for it.
// Signatures travel compact (EIP-2098: r and vs, the parity in vs's top bit).

// EIP-712 type strings of the signed actions, as HealthRegistry.sol hashes them.
const (
	anchorType         = "Anchor(bytes32 root,uint32 count,uint64 deadline)"
	issueGrantType     = "IssueGrant(address patient,bytes32 digest,address accessKey,uint64 expiry,uint64 deadline)"
	revokeGrantType    = "RevokeGrant(address patient,bytes32 digest,uint64 deadline)"
	setDelegateType    = "SetDelegate(address delegate,uint8 rights,uint64 expiry,bytes32 scope,uint64 nonce,uint64 deadline)"
	revokeDelegateType = "RevokeDelegate(address delegate,uint64 nonce,uint64 deadline)"
	logAccessType      = "LogAccess(bytes32 grantKey,bytes32 entry,uint64 deadline)"
	domainType         = "EIP712Domain(string name,string version,uint256 chainId,address verifyingContract)"
)

// GrantKey is the registry's storage key of patient's grant with the EIP-712
// digest: keccak256(abi.encode(patient, digest)). It is the grant's handle
// in logAccess and in AccessLogged events, which name no address.
func GrantKey(patient common.Address, digest common.Hash) common.Hash {
	return crypto.Keccak256Hash(word(patient), digest[:])
}

// DomainSeparator is the EIP-712 domain separator of the registry at
// registry on chain chainID.
func DomainSeparator(chainID *big.Int, registry common.Address) common.Hash {
	return crypto.Keccak256Hash(
		crypto.Keccak256([]byte(domainType)),
		crypto.Keccak256([]byte("HealthWallet")),
		crypto.Keccak256([]byte("1")),
		common.LeftPadBytes(chainID.Bytes(), 32),
		word(registry),
	)
}

// Signer signs registry actions with Key for the registry at Registry on
// chain ChainID, and returns the calldata that carries them.
type Signer struct {
	Key      *ecdsa.PrivateKey
	ChainID  *big.Int
	Registry common.Address
}

// Address is the signer's address: whom the registry acts for.
func (s Signer) Address() common.Address { return crypto.PubkeyToAddress(s.Key.PublicKey) }

// Anchor signs anchoring root (a batch of count records) before deadline.
func (s Signer) Anchor(root common.Hash, count uint32, deadline uint64) ([]byte, error) {
	r, vs, err := s.sign(anchorType, root[:], u64(uint64(count)), u64(deadline))
	if err != nil {
		return nil, fmt.Errorf("signing an anchor: %w", err)
	}
	return registryABI.PackAnchorSigned(root, count, deadline, r, vs), nil
}

// IssueGrant signs issuing patient's grant with the digest (the signer is the
// patient, or a delegate of it with SHARE), whose access-log entries
// accessKey may sign, valid until expiry, to be submitted before deadline.
func (s Signer) IssueGrant(patient common.Address, digest common.Hash, accessKey common.Address, expiry, deadline uint64) ([]byte, error) {
	r, vs, err := s.sign(issueGrantType, word(patient), digest[:], word(accessKey), u64(expiry), u64(deadline))
	if err != nil {
		return nil, fmt.Errorf("signing a grant: %w", err)
	}
	return registryABI.PackIssueGrantSigned(patient, digest, accessKey, expiry, deadline, r, vs), nil
}

// RevokeGrant signs revoking patient's grant with the digest before deadline.
func (s Signer) RevokeGrant(patient common.Address, digest common.Hash, deadline uint64) ([]byte, error) {
	r, vs, err := s.sign(revokeGrantType, word(patient), digest[:], u64(deadline))
	if err != nil {
		return nil, fmt.Errorf("signing a revocation: %w", err)
	}
	return registryABI.PackRevokeGrantSigned(patient, digest, deadline, r, vs), nil
}

// SetDelegate signs giving delegate the rights until expiry under the scope
// document whose hash is scope (never zero: the registry refuses it); nonce
// is the signer's nonceOf on chain ([Registry.NonceOf]).
func (s Signer) SetDelegate(delegate common.Address, rights uint8, expiry uint64, scope common.Hash, nonce, deadline uint64) ([]byte, error) {
	if scope == (common.Hash{}) {
		return nil, ErrNoScope
	}
	r, vs, err := s.sign(setDelegateType, word(delegate), u64(uint64(rights)), u64(expiry), scope[:], u64(nonce), u64(deadline))
	if err != nil {
		return nil, fmt.Errorf("signing a delegation: %w", err)
	}
	return registryABI.PackSetDelegateSigned(delegate, rights, expiry, scope, nonce, deadline, r, vs), nil
}

// ErrNoScope: a delegation without the hash of its scope document, which
// the registry refuses (BadScope).
var ErrNoScope = errors.New("a delegation needs the hash of the scope document the patient signed; it is zero")

// RevokeDelegate signs ending the delegation to delegate; nonce as for SetDelegate.
func (s Signer) RevokeDelegate(delegate common.Address, nonce, deadline uint64) ([]byte, error) {
	r, vs, err := s.sign(revokeDelegateType, word(delegate), u64(nonce), u64(deadline))
	if err != nil {
		return nil, fmt.Errorf("signing the end of a delegation: %w", err)
	}
	return registryABI.PackRevokeDelegateSigned(delegate, nonce, deadline, r, vs), nil
}

// LogAccess signs an access-log entry under the grant with grantKey; the key
// must be the grant's access key.
func (s Signer) LogAccess(grantKey, entry common.Hash, deadline uint64) ([]byte, error) {
	r, vs, err := s.sign(logAccessType, grantKey[:], entry[:], u64(deadline))
	if err != nil {
		return nil, fmt.Errorf("signing an access-log entry: %w", err)
	}
	return registryABI.PackLogAccess(grantKey, entry, deadline, r, vs), nil
}

// sign signs the typed data of the given type with the fields (each already
// one ABI word) and returns the compact signature.
func (s Signer) sign(typ string, fields ...[]byte) (r, vs [32]byte, err error) {
	if s.Key == nil || s.ChainID == nil || s.ChainID.Sign() <= 0 || s.Registry == (common.Address{}) {
		return r, vs, errors.New("no key, chain id or registry to sign for")
	}
	digest := typedHash(s.ChainID, s.Registry, typ, fields...)
	sig, err := crypto.Sign(digest[:], s.Key)
	if err != nil {
		return r, vs, err
	}
	// crypto.Sign gives [R ‖ S ‖ V] with a low S and V in {0, 1}.
	copy(r[:], sig[:32])
	copy(vs[:], sig[32:64])
	vs[0] |= sig[64] << 7
	return r, vs, nil
}

// typedHash is keccak256(0x1901 ‖ domainSeparator ‖ hashStruct).
func typedHash(chainID *big.Int, registry common.Address, typ string, fields ...[]byte) common.Hash {
	parts := append([][]byte{crypto.Keccak256([]byte(typ))}, fields...)
	structHash := crypto.Keccak256(parts...)
	domain := DomainSeparator(chainID, registry)
	return crypto.Keccak256Hash([]byte{0x19, 0x01}, domain[:], structHash)
}

func word(a common.Address) []byte { return common.LeftPadBytes(a[:], 32) }

func u64(v uint64) []byte { return binary.BigEndian.AppendUint64(make([]byte, 24, 32), v) }

// Action is a registry call read back from its calldata: what it does and
// for whom.
type Action struct {
	// Method is the registry function: "anchor", "anchorSigned", "issueGrant",
	// "issueGrantFor", "issueGrantSigned", "revokeGrant", "revokeGrantSigned",
	// "setDelegate", "setDelegateSigned", "revokeDelegate",
	// "revokeDelegateSigned" or "logAccess".
	Method string
	// Signer is who signed a signed action (recovered), zero for a plain one,
	// which acts for its sender.
	Signer common.Address
	// Patient is whose anchor, grant or delegation it is: named in the
	// calldata, or the signer; zero when it is the sender of a plain call.
	Patient common.Address
	// Root (anchors), Digest (grants), GrantKey and Entry (logAccess).
	Root, Digest, GrantKey, Entry common.Hash
	// Delegate is the delegate a delegation change names (setDelegate…,
	// revokeDelegate…); Rights, Expiry and Scope are what setDelegate…
	// gives it.
	Delegate common.Address
	Rights   uint8
	Expiry   uint64
	Scope    common.Hash
	// Deadline of a signed action, 0 for a plain one.
	Deadline uint64

	args []any
}

// Signed reports whether the action carries a signature (and a deadline).
func (a Action) Signed() bool {
	return a.Method == "logAccess" || strings.HasSuffix(a.Method, "Signed")
}

// ErrNotAction: calldata that is no registry call.
var ErrNotAction = errors.New("not a HealthRegistry call")

// DecodeAction reads calldata meant for the registry at registry on chain
// chainID, recovering the signer of a signed action.
func DecodeAction(data []byte, chainID *big.Int, registry common.Address) (Action, error) {
	if len(data) < 4 {
		return Action{}, fmt.Errorf("%w: %d bytes", ErrNotAction, len(data))
	}
	parsed := registryABI.GetABI()
	method, err := parsed.MethodById(data[:4])
	if err != nil {
		return Action{}, fmt.Errorf("%w: %v", ErrNotAction, err)
	}
	args, err := method.Inputs.Unpack(data[4:])
	if err != nil {
		return Action{}, fmt.Errorf("%w: %s: %v", ErrNotAction, method.Name, err)
	}
	a := Action{Method: method.Name, args: args}
	h := func(i int) common.Hash { return common.Hash(args[i].([32]byte)) }
	addr := func(i int) common.Address { return args[i].(common.Address) }
	n := func(i int) uint64 {
		switch v := args[i].(type) {
		case uint64:
			return v
		case uint32:
			return uint64(v)
		case uint8:
			return uint64(v)
		}
		return 0
	}
	var typ string
	var fields [][]byte
	switch a.Method {
	case "anchor":
		a.Root = h(0)
	case "anchorSigned":
		a.Root, a.Deadline = h(0), n(2)
		typ, fields = anchorType, [][]byte{a.Root[:], u64(n(1)), u64(a.Deadline)}
	case "issueGrant":
		a.Digest = h(0)
	case "issueGrantFor", "revokeGrant":
		a.Patient, a.Digest = addr(0), h(1)
	case "issueGrantSigned":
		a.Patient, a.Digest, a.Deadline = addr(0), h(1), n(4)
		typ, fields = issueGrantType, [][]byte{word(a.Patient), a.Digest[:], word(addr(2)), u64(n(3)), u64(a.Deadline)}
	case "revokeGrantSigned":
		a.Patient, a.Digest, a.Deadline = addr(0), h(1), n(2)
		typ, fields = revokeGrantType, [][]byte{word(a.Patient), a.Digest[:], u64(a.Deadline)}
	case "setDelegate":
		a.Delegate, a.Rights, a.Expiry, a.Scope = addr(0), uint8(n(1)), n(2), h(3)
	case "revokeDelegate":
		a.Delegate = addr(0)
	case "setDelegateSigned":
		a.Delegate, a.Rights, a.Expiry, a.Scope, a.Deadline = addr(0), uint8(n(1)), n(2), h(3), n(5)
		typ, fields = setDelegateType, [][]byte{word(a.Delegate), u64(uint64(a.Rights)), u64(a.Expiry), a.Scope[:], u64(n(4)), u64(a.Deadline)}
	case "revokeDelegateSigned":
		a.Delegate, a.Deadline = addr(0), n(2)
		typ, fields = revokeDelegateType, [][]byte{word(addr(0)), u64(n(1)), u64(a.Deadline)}
	case "logAccess":
		a.GrantKey, a.Entry, a.Deadline = h(0), h(1), n(2)
		typ, fields = logAccessType, [][]byte{a.GrantKey[:], a.Entry[:], u64(a.Deadline)}
	default:
		return Action{}, fmt.Errorf("%w: %s changes nothing", ErrNotAction, a.Method)
	}
	if typ == "" {
		return a, nil
	}
	r, vs := args[len(args)-2].([32]byte), args[len(args)-1].([32]byte)
	a.Signer, err = recoverCompact(typedHash(chainID, registry, typ, fields...), r, vs)
	if err != nil {
		return Action{}, fmt.Errorf("reading the signature of %s: %w", a.Method, err)
	}
	if a.Patient == (common.Address{}) && a.Method != "logAccess" {
		a.Patient = a.Signer
	}
	return a, nil
}

// Resign signs the signed action again with s, with a new deadline (and
// everything else as it was): for an action that expired in an outbox.
func (s Signer) Resign(a Action, deadline uint64) ([]byte, error) {
	args := a.args
	switch a.Method {
	case "anchorSigned":
		return s.Anchor(a.Root, args[1].(uint32), deadline)
	case "issueGrantSigned":
		return s.IssueGrant(a.Patient, a.Digest, args[2].(common.Address), args[3].(uint64), deadline)
	case "revokeGrantSigned":
		return s.RevokeGrant(a.Patient, a.Digest, deadline)
	case "setDelegateSigned":
		return s.SetDelegate(a.Delegate, a.Rights, a.Expiry, a.Scope, args[4].(uint64), deadline)
	case "revokeDelegateSigned":
		return s.RevokeDelegate(args[0].(common.Address), args[1].(uint64), deadline)
	case "logAccess":
		return s.LogAccess(a.GrantKey, a.Entry, deadline)
	}
	return nil, fmt.Errorf("%s is not a signed action: nothing to sign again", a.Method)
}

// recoverCompact recovers the signer of digest from an EIP-2098 signature,
// refusing a high s as the registry does.
func recoverCompact(digest common.Hash, r, vs [32]byte) (common.Address, error) {
	sig := make([]byte, 65)
	copy(sig, r[:])
	copy(sig[32:], vs[:])
	sig[64] = sig[32] >> 7
	sig[32] &= 0x7f
	if !crypto.ValidateSignatureValues(sig[64], new(big.Int).SetBytes(sig[:32]), new(big.Int).SetBytes(sig[32:64]), true) {
		return common.Address{}, errors.New("the signature is malformed")
	}
	pub, err := crypto.SigToPub(digest[:], sig)
	if err != nil {
		return common.Address{}, err
	}
	return crypto.PubkeyToAddress(*pub), nil
}
