package relay

import (
	"context"
	"errors"
	"fmt"

	"github.com/ethereum/go-ethereum/common"

	"healthwallet/chain"
)

// GrantChecker tells whether a share's consent still stands on chain, and
// whose consent it is.
//
// GrantOf must return the grant with this EIP-712 digest as the registry
// records it (patient, issuer, whether it is active: issued, not revoked,
// not expired), or an error when it cannot tell: the chain is unreachable,
// or the grant is not on chain (yet), which must wrap [ErrGrantUnknown]. On
// an error the relay serves nothing (503) unless [Config.ChainFailOpen] is
// set, and keeps the share. Once the grant is not active, the relay ends the
// share for good and deletes its files.
//
// The relay serves a share only while whoever signed its upload is the
// grant's patient or its issuer (a delegate sharing for the patient): a
// share naming someone else's grant is ended like a revoked one.
type GrantChecker interface {
	GrantOf(ctx context.Context, digest [32]byte) (chain.Grant, error)
}

// ErrGrantUnknown means the registry has no grant with the digest: the
// wallet's outbox may not have issued it yet.
var ErrGrantUnknown = errors.New("relay: the grant is not on chain (yet)")

// ChainChecker is the GrantChecker over a HealthRegistry: it calls
// grantOf(digest) on the registry at the latest block.
type ChainChecker struct {
	reg *chain.Registry
}

var _ GrantChecker = (*ChainChecker)(nil)

// NewChainChecker checks grants in the HealthRegistry at registry through
// client.
func NewChainChecker(client chain.Client, registry common.Address) *ChainChecker {
	return &ChainChecker{reg: chain.NewRegistry(client, registry)}
}

// GrantOf implements GrantChecker.
func (c *ChainChecker) GrantOf(ctx context.Context, digest [32]byte) (chain.Grant, error) {
	g, err := c.reg.GrantOf(ctx, digest)
	if err != nil {
		return chain.Grant{}, fmt.Errorf("relay: asking the registry about a grant: %w", err)
	}
	if !g.Issued() {
		return chain.Grant{}, ErrGrantUnknown
	}
	return g, nil
}
