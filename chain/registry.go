package chain

import (
	"context"
	"fmt"

	"github.com/ethereum/go-ethereum"
	"github.com/ethereum/go-ethereum/common"

	"healthwallet/chain/contracts"
)

// Grant is the registry's grantOf(digest): all zero when no grant with the
// digest was ever issued.
type Grant struct {
	Issuer  common.Address // who sent issueGrant (the patient, or a delegate through issueGrantFor)
	Patient common.Address // whose consent it is
	Expiry  uint64         // unix seconds
	Revoked bool
	Active  bool // issued, not revoked and not expired at the block read
}

// Issued reports whether the registry holds the grant at all.
func (g Grant) Issued() bool { return g.Patient != (common.Address{}) }

// Anchor is the registry's anchorOf(root): all zero when the root was never
// anchored.
type Anchor struct {
	Patient    common.Address // who anchored it
	AnchoredAt uint64         // unix seconds of the anchoring block
	Count      uint32         // records in the batch
}

// Anchored reports whether the registry holds the root at all.
func (a Anchor) Anchored() bool { return a.Patient != (common.Address{}) }

// Delegation is the registry's delegateOf(patient, delegate): all zero when
// the patient never named the delegate.
type Delegation struct {
	Rights uint8
	Expiry uint64 // unix seconds
	Active bool   // set, not revoked and not expired at the block read
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

// GrantOf reads the grant with the EIP-712 digest.
func (r *Registry) GrantOf(ctx context.Context, digest common.Hash) (Grant, error) {
	out, err := r.call(ctx, "grantOf", registryABI.PackGrantOf(digest))
	if err != nil {
		return Grant{}, fmt.Errorf("reading grant %s: %w", digest.Hex(), err)
	}
	g, err := registryABI.UnpackGrantOf(out)
	if err != nil {
		return Grant{}, fmt.Errorf("reading grant %s: %w", digest.Hex(), r.notRegistry("grantOf", err))
	}
	return Grant{Issuer: g.Issuer, Patient: g.Patient, Expiry: g.Expiry, Revoked: g.Revoked, Active: g.Active}, nil
}

// AnchorOf reads the anchoring of the Merkle root.
func (r *Registry) AnchorOf(ctx context.Context, root common.Hash) (Anchor, error) {
	out, err := r.call(ctx, "anchorOf", registryABI.PackAnchorOf(root))
	if err != nil {
		return Anchor{}, fmt.Errorf("reading anchor %s: %w", root.Hex(), err)
	}
	a, err := registryABI.UnpackAnchorOf(out)
	if err != nil {
		return Anchor{}, fmt.Errorf("reading anchor %s: %w", root.Hex(), r.notRegistry("anchorOf", err))
	}
	return Anchor{Patient: a.Patient, AnchoredAt: a.AnchoredAt, Count: a.Count}, nil
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
	return Delegation{Rights: d.Rights, Expiry: d.Expiry, Active: d.Active}, nil
}

// IsGrantActive reads isGrantActive(digest): false for a grant never
// issued, as for one revoked or expired.
func (r *Registry) IsGrantActive(ctx context.Context, digest common.Hash) (bool, error) {
	out, err := r.call(ctx, "isGrantActive", registryABI.PackIsGrantActive(digest))
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
