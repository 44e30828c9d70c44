package relay

import (
	"context"
	"errors"
	"fmt"

	"github.com/ethereum/go-ethereum"
	"github.com/ethereum/go-ethereum/common"

	"healthwallet/chain"
	"healthwallet/chain/contracts"
)

// GrantChecker tells whether a share's consent still stands on chain.
//
// GrantActive must return (true, nil) while the grant with this EIP-712
// digest is issued, not revoked and not expired; (false, nil) once it is
// revoked or expired — the relay then ends the share for good and shreds it;
// and an error when it cannot tell: the chain is unreachable, or the grant is
// not on chain (yet), which must wrap [ErrGrantUnknown]. On an error the relay
// serves nothing (503) unless [Config.ChainFailOpen] is set, and keeps the
// share.
type GrantChecker interface {
	GrantActive(ctx context.Context, digest [32]byte) (bool, error)
}

// ErrGrantUnknown means the registry has no grant with the digest: the
// wallet's outbox may not have issued it yet.
var ErrGrantUnknown = errors.New("relay: the grant is not on chain (yet)")

// ChainChecker is the GrantChecker over a HealthRegistry: it calls
// grantOf(digest) on the registry at the latest block.
type ChainChecker struct {
	client   chain.Client
	registry common.Address
	abi      *contracts.HealthRegistry
}

var _ GrantChecker = (*ChainChecker)(nil)

// NewChainChecker checks grants in the HealthRegistry at registry through
// client.
func NewChainChecker(client chain.Client, registry common.Address) *ChainChecker {
	return &ChainChecker{client: client, registry: registry, abi: contracts.NewHealthRegistry()}
}

// GrantActive implements GrantChecker.
func (c *ChainChecker) GrantActive(ctx context.Context, digest [32]byte) (bool, error) {
	data, err := c.abi.TryPackGrantOf(digest)
	if err != nil {
		return false, fmt.Errorf("relay: packing grantOf: %w", err)
	}
	out, err := c.client.CallContract(ctx, ethereum.CallMsg{To: &c.registry, Data: data}, nil)
	if err != nil {
		return false, fmt.Errorf("relay: asking the registry about a grant: %w", err)
	}
	if len(out) == 0 {
		return false, fmt.Errorf("relay: no HealthRegistry at %s on this chain: check --registry", c.registry)
	}
	g, err := c.abi.UnpackGrantOf(out)
	if err != nil {
		return false, fmt.Errorf("relay: the registry's answer about a grant does not decode (is %s a HealthRegistry?): %w", c.registry, err)
	}
	if g.Patient == (common.Address{}) {
		return false, ErrGrantUnknown
	}
	return g.Active, nil
}
