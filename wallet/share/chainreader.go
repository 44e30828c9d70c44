package share

import (
	"context"
	"fmt"
	"math/big"

	"github.com/ethereum/go-ethereum/accounts/abi/bind/v2"
	"github.com/ethereum/go-ethereum/common"

	"healthwallet/chain"
	"healthwallet/chain/contracts"
)

// registryReader is the real ChainReader: HealthRegistry's views through
// the abigen bindings.
type registryReader struct {
	client chain.Client
	reg    *contracts.HealthRegistry
	inst   *bind.BoundContract
}

var _ ChainReader = (*registryReader)(nil)

// NewChainReader returns the [ChainReader] over the HealthRegistry at
// registry, reached through client. Views are read at the latest block.
func NewChainReader(client chain.Client, registry common.Address) ChainReader {
	reg := contracts.NewHealthRegistry()
	return &registryReader{client: client, reg: reg, inst: reg.Instance(client, registry)}
}

func (c *registryReader) opts(ctx context.Context) *bind.CallOpts {
	return &bind.CallOpts{Context: ctx}
}

func (c *registryReader) ChainID(ctx context.Context) (*big.Int, error) {
	id, err := c.client.ChainID(ctx)
	if err != nil {
		return nil, fmt.Errorf("share: asking the chain id: %w", err)
	}
	return id, nil
}

func (c *registryReader) GrantOf(ctx context.Context, digest common.Hash) (GrantStatus, error) {
	out, err := bind.Call(c.inst, c.opts(ctx), c.reg.PackGrantOf(digest), c.reg.UnpackGrantOf)
	if err != nil {
		return GrantStatus{}, fmt.Errorf("share: reading grant %s: %w", digest.Hex(), err)
	}
	return GrantStatus{Issuer: out.Issuer, Patient: out.Patient, Expiry: out.Expiry, Revoked: out.Revoked, Active: out.Active}, nil
}

func (c *registryReader) AnchorOf(ctx context.Context, root common.Hash) (AnchorStatus, error) {
	out, err := bind.Call(c.inst, c.opts(ctx), c.reg.PackAnchorOf(root), c.reg.UnpackAnchorOf)
	if err != nil {
		return AnchorStatus{}, fmt.Errorf("share: reading anchor %s: %w", root.Hex(), err)
	}
	return AnchorStatus{Patient: out.Patient, AnchoredAt: out.AnchoredAt, Count: out.Count}, nil
}

func (c *registryReader) DelegateOf(ctx context.Context, patient, delegate common.Address) (DelegateStatus, error) {
	out, err := bind.Call(c.inst, c.opts(ctx), c.reg.PackDelegateOf(patient, delegate), c.reg.UnpackDelegateOf)
	if err != nil {
		return DelegateStatus{}, fmt.Errorf("share: reading delegation %s → %s: %w", patient.Hex(), delegate.Hex(), err)
	}
	return DelegateStatus{Rights: out.Rights, Expiry: out.Expiry, Active: out.Active}, nil
}
