package chain

import (
	"context"
	"fmt"
	"math/big"
	"time"

	"github.com/ethereum/go-ethereum"
	"github.com/ethereum/go-ethereum/common"
	"github.com/ethereum/go-ethereum/core/types"

	"healthwallet/chain/contracts"
)

// Grant is the registry's grantOf(patient, digest): zero but for Patient
// when the patient never issued a grant with the digest.
type Grant struct {
	Issuer    common.Address // who issued it: the patient, or a delegate with SHARE
	Patient   common.Address // whose consent it is (what was asked about)
	AccessKey common.Address // may sign its access-log entries; zero: none may
	Expiry    uint64         // unix seconds
	Revoked   bool
	Active    bool // issued, not revoked and not expired at the block read
}

// Issued reports whether the registry holds the grant at all.
func (g Grant) Issued() bool { return g.Expiry != 0 }

// Anchor is the registry's anchorOf(patient, root): zero but for Patient
// when the patient never anchored the root.
type Anchor struct {
	Patient    common.Address // whose anchor (what was asked about)
	AnchoredAt uint64         // unix seconds of the anchoring block
	Count      uint32         // records in the batch
}

// Anchored reports whether the registry holds the root for the patient.
func (a Anchor) Anchored() bool { return a.AnchoredAt != 0 }

// Delegation is the registry's delegateOf(patient, delegate): all zero when
// the patient never named the delegate.
type Delegation struct {
	Rights uint8
	Expiry uint64      // unix seconds
	Scope  common.Hash // keccak hash of the scope document the patient signed
	Active bool        // set, not revoked and not expired at the block read
}

// Registry reads one HealthRegistry's views at the latest block. It holds no
// state of its own: make one per connection, or per call, as is convenient.
//
// Errors are failures to ask, never "not found" (that is the zero value):
// one the node could not be reached for wraps [ErrChainDown]; an address
// where nothing answers as a HealthRegistry wraps [ErrNoRegistry].
type Registry struct {
	caller ethereum.ContractCaller
	addr   common.Address
}

// registryABI packs and unpacks the registry's calls; it is read-only, so
// one serves every Registry.
var registryABI = contracts.NewHealthRegistry()

// NewRegistry reads the HealthRegistry at addr through client (any [Client]
// will do; only eth_call is used).
func NewRegistry(client ethereum.ContractCaller, addr common.Address) *Registry {
	return &Registry{caller: client, addr: addr}
}

// Address is the registry's address.
func (r *Registry) Address() common.Address { return r.addr }

// GrantOf reads patient's grant with the EIP-712 digest.
func (r *Registry) GrantOf(ctx context.Context, patient common.Address, digest common.Hash) (Grant, error) {
	out, err := r.call(ctx, "grantOf", registryABI.PackGrantOf(patient, digest))
	if err != nil {
		return Grant{}, fmt.Errorf("reading grant %s: %w", digest.Hex(), err)
	}
	g, err := registryABI.UnpackGrantOf(out)
	if err != nil {
		return Grant{}, fmt.Errorf("reading grant %s: %w", digest.Hex(), r.notRegistry("grantOf", err))
	}
	if g.Expiry == 0 {
		return Grant{Patient: patient}, nil
	}
	return Grant{Issuer: g.Issuer, Patient: patient, AccessKey: g.AccessKey, Expiry: g.Expiry, Revoked: g.Revoked, Active: g.Active}, nil
}

// AnchorOf reads patient's anchoring of the Merkle root.
func (r *Registry) AnchorOf(ctx context.Context, patient common.Address, root common.Hash) (Anchor, error) {
	out, err := r.call(ctx, "anchorOf", registryABI.PackAnchorOf(patient, root))
	if err != nil {
		return Anchor{}, fmt.Errorf("reading anchor %s: %w", root.Hex(), err)
	}
	a, err := registryABI.UnpackAnchorOf(out)
	if err != nil {
		return Anchor{}, fmt.Errorf("reading anchor %s: %w", root.Hex(), r.notRegistry("anchorOf", err))
	}
	return Anchor{Patient: patient, AnchoredAt: a.AnchoredAt, Count: a.Count}, nil
}

// NonceOf reads the nonce patient's next signed delegation change carries.
func (r *Registry) NonceOf(ctx context.Context, patient common.Address) (uint64, error) {
	out, err := r.call(ctx, "nonceOf", registryABI.PackNonceOf(patient))
	if err != nil {
		return 0, fmt.Errorf("reading the delegation nonce: %w", err)
	}
	n, err := registryABI.UnpackNonceOf(out)
	if err != nil {
		return 0, fmt.Errorf("reading the delegation nonce: %w", r.notRegistry("nonceOf", err))
	}
	return n, nil
}

// AccessLogged reads whether entry is on chain under the grant with grantKey.
func (r *Registry) AccessLogged(ctx context.Context, grantKey, entry common.Hash) (bool, error) {
	out, err := r.call(ctx, "accessLogged", registryABI.PackAccessLogged(grantKey, entry))
	if err != nil {
		return false, fmt.Errorf("asking whether an access is logged: %w", err)
	}
	ok, err := registryABI.UnpackAccessLogged(out)
	if err != nil {
		return false, fmt.Errorf("asking whether an access is logged: %w", r.notRegistry("accessLogged", err))
	}
	return ok, nil
}

// DelegateOf reads what patient allows delegate.
func (r *Registry) DelegateOf(ctx context.Context, patient, delegate common.Address) (Delegation, error) {
	out, err := r.call(ctx, "delegateOf", registryABI.PackDelegateOf(patient, delegate))
	if err != nil {
		return Delegation{}, fmt.Errorf("reading delegation %s → %s: %w", patient.Hex(), delegate.Hex(), err)
	}
	d, err := registryABI.UnpackDelegateOf(out)
	if err != nil {
		return Delegation{}, fmt.Errorf("reading delegation %s → %s: %w", patient.Hex(), delegate.Hex(), r.notRegistry("delegateOf", err))
	}
	return Delegation{Rights: d.Rights, Expiry: d.Expiry, Scope: d.Scope, Active: d.Active}, nil
}

// IsGrantActive reads isGrantActive(patient, digest): false for a grant
// never issued, as for one revoked or expired.
func (r *Registry) IsGrantActive(ctx context.Context, patient common.Address, digest common.Hash) (bool, error) {
	out, err := r.call(ctx, "isGrantActive", registryABI.PackIsGrantActive(patient, digest))
	if err != nil {
		return false, fmt.Errorf("asking whether grant %s is active: %w", digest.Hex(), err)
	}
	active, err := registryABI.UnpackIsGrantActive(out)
	if err != nil {
		return false, fmt.Errorf("asking whether grant %s is active: %w", digest.Hex(), r.notRegistry("isGrantActive", err))
	}
	return active, nil
}

// call makes the eth_call at the latest block. An empty answer is no
// contract at all (or one without the method): not a registry.
func (r *Registry) call(ctx context.Context, method string, data []byte) ([]byte, error) {
	to := r.addr
	out, err := r.caller.CallContract(ctx, ethereum.CallMsg{To: &to, Data: data}, nil)
	if err != nil {
		return nil, nodeError("calling the registry's "+method, err)
	}
	if len(out) == 0 {
		return nil, r.notRegistry(method, fmt.Errorf("%s returned nothing: no contract there, or not this one", method))
	}
	return out, nil
}

func (r *Registry) notRegistry(method string, err error) error {
	return &registryAnswerError{addr: r.addr, method: method, err: err}
}

// registryAnswerError: the contract at addr does not answer as a
// HealthRegistry. It wraps ErrNoRegistry, and the cause.
type registryAnswerError struct {
	addr   common.Address
	method string
	err    error
}

func (e *registryAnswerError) Error() string {
	return fmt.Sprintf("no HealthRegistry answers %s at %s (%v): check the registry address", e.method, e.addr.Hex(), e.err)
}
func (e *registryAnswerError) Unwrap() error        { return e.err }
func (e *registryAnswerError) Is(target error) bool { return target == ErrNoRegistry }

// EventReader is what [DelegationRevoked] reads: the registry's events and
// the headers of their blocks.
type EventReader interface {
	ethereum.LogFilterer
	HeaderByNumber(ctx context.Context, number *big.Int) (*types.Header, error)
}

// DelegationRevoked reports when patient's delegation to delegate was ended
// by the patient: the time of the block of the registry's last DelegateSet
// or DelegateRevoked event for the pair, when that is a DelegateRevoked;
// zero when it is a DelegateSet or there is none. Together with
// delegateOf's "none" it tells a revoked delegation from one a node does
// not know (yet): the revoke deletes the delegation's storage, so only its
// event remains. Errors are failures to ask (wrapping [ErrChainDown]).
func DelegationRevoked(ctx context.Context, client EventReader, registry, patient, delegate common.Address) (time.Time, error) {
	events := registryABI.GetABI().Events
	set, revoked := events["DelegateSet"].ID, events["DelegateRevoked"].ID
	logs, err := client.FilterLogs(ctx, ethereum.FilterQuery{
		FromBlock: new(big.Int),
		Addresses: []common.Address{registry},
		Topics:    [][]common.Hash{{set, revoked}, {common.BytesToHash(patient.Bytes())}, {common.BytesToHash(delegate.Bytes())}},
	})
	if err != nil {
		return time.Time{}, nodeError("searching the registry's delegation events", err)
	}
	for i := len(logs) - 1; i >= 0; i-- {
		l := logs[i]
		if l.Removed || len(l.Topics) == 0 {
			continue
		}
		if l.Topics[0] != revoked {
			return time.Time{}, nil
		}
		at := l.BlockTimestamp
		if at == 0 { // a node that does not give logs their block's time
			h, err := client.HeaderByNumber(ctx, new(big.Int).SetUint64(l.BlockNumber))
			if err != nil {
				return time.Time{}, nodeError("reading the block of a delegation's revoke", err)
			}
			at = h.Time
		}
		return time.Unix(int64(at), 0).UTC(), nil
	}
	return time.Time{}, nil
}
