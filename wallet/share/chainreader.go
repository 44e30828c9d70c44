package share

import (
	"context"
	"fmt"
	"math/big"

	"github.com/ethereum/go-ethereum/common"

	"healthwallet/chain"
)

// registryReader is the real ChainReader: HealthRegistry's views through
// [chain.Registry], and the client's chain id.
type registryReader struct {
	client chain.Client
	reg    *chain.Registry
}

var _ ChainReader = (*registryReader)(nil)

// NewChainReader returns the [ChainReader] over the HealthRegistry at
// registry, reached through client. Views are read at the latest block.
func NewChainReader(client chain.Client, registry common.Address) ChainReader {
	return &registryReader{client: client, reg: chain.NewRegistry(client, registry)}
}

func (c *registryReader) ChainID(ctx context.Context) (*big.Int, error) {
	id, err := c.client.ChainID(ctx)
	if err != nil {
		return nil, fmt.Errorf("share: asking the chain id: %w", err)
	}
	return id, nil
}

func (c *registryReader) GrantOf(ctx context.Context, patient common.Address, digest common.Hash) (GrantStatus, error) {
	g, err := c.reg.GrantOf(ctx, patient, digest)
	if err != nil {
		return GrantStatus{}, fmt.Errorf("share: %w", err)
	}
	if !g.Issued() {
		return GrantStatus{}, nil
	}
	return GrantStatus{Issuer: g.Issuer, Patient: g.Patient, Expiry: g.Expiry, Revoked: g.Revoked, Active: g.Active}, nil
}

func (c *registryReader) AnchorOf(ctx context.Context, patient common.Address, root common.Hash) (AnchorStatus, error) {
	a, err := c.reg.AnchorOf(ctx, patient, root)
	if err != nil {
		return AnchorStatus{}, fmt.Errorf("share: %w", err)
	}
	if !a.Anchored() {
		return AnchorStatus{}, nil
	}
	return AnchorStatus{Patient: a.Patient, AnchoredAt: a.AnchoredAt, Count: a.Count}, nil
}

func (c *registryReader) DelegateOf(ctx context.Context, patient, delegate common.Address) (DelegateStatus, error) {
	d, err := c.reg.DelegateOf(ctx, patient, delegate)
	if err != nil {
		return DelegateStatus{}, fmt.Errorf("share: %w", err)
	}
	return DelegateStatus{Rights: d.Rights, Expiry: d.Expiry, Scope: d.Scope, Active: d.Active}, nil
}
