package relay

import (
	"context"
	"errors"
	"fmt"
	"math/big"

	"github.com/ethereum/go-ethereum"
	"github.com/ethereum/go-ethereum/common"

	"healthwallet/chain"
	"healthwallet/chain/contracts"
)

// GrantChecker tells whether a share's consent still stands on chain, and
// whose consent it is.
//
// GrantOf must return the grant with this EIP-712 digest that uploader may
// serve, as the registry records it (patient, issuer, whether it is active:
// issued, not revoked, not expired): uploader's own grant, or the grant it
// issued for a patient as a delegate. The registry keys grants by patient,
// so a grant someone else issued with the same digest is never it. On
// failure it returns an error: the chain is unreachable, or the grant is not
// on chain (yet), which must wrap [ErrGrantUnknown]. On an error the relay
// serves nothing (503) unless [Config.ChainFailOpen] is set, and keeps the
// share. Once the grant is not active, the relay ends the share for good and
// deletes its files.
type GrantChecker interface {
	GrantOf(ctx context.Context, uploader common.Address, digest [32]byte) (chain.Grant, error)
}

// ErrGrantUnknown means the registry has no grant with the digest: the
// wallet's outbox may not have issued it yet.
var ErrGrantUnknown = errors.New("relay: the grant is not on chain (yet)")

// ChainChecker is the GrantChecker over a HealthRegistry: it calls
// grantOf(uploader, digest) on the registry at the latest block, and for a
// delegate's upload finds the patient from the delegate's GrantIssued event.
type ChainChecker struct {
	client   chain.Client
	registry common.Address
	reg      *chain.Registry
}

var _ GrantChecker = (*ChainChecker)(nil)

// NewChainChecker checks grants in the HealthRegistry at registry through
// client.
func NewChainChecker(client chain.Client, registry common.Address) *ChainChecker {
	return &ChainChecker{client: client, registry: registry, reg: chain.NewRegistry(client, registry)}
}

// GrantOf implements GrantChecker.
func (c *ChainChecker) GrantOf(ctx context.Context, uploader common.Address, digest [32]byte) (chain.Grant, error) {
	g, err := c.reg.GrantOf(ctx, uploader, digest)
	if err != nil {
		return chain.Grant{}, fmt.Errorf("relay: asking the registry about a grant: %w", err)
	}
	if g.Issued() {
		return g, nil
	}
	// A delegate's upload: the grant lives under the patient it issued for.
	ev := contracts.NewHealthRegistry().GetABI().Events["GrantIssued"]
	logs, err := c.client.FilterLogs(ctx, ethereum.FilterQuery{
		FromBlock: new(big.Int), Addresses: []common.Address{c.registry},
		Topics: [][]common.Hash{{ev.ID}, nil, {digest}, {common.BytesToHash(uploader.Bytes())}},
	})
	if err != nil {
		return chain.Grant{}, fmt.Errorf("relay: looking for the grant's issue: %w", err)
	}
	for _, l := range logs {
		if l.Removed || len(l.Topics) < 2 {
			continue
		}
		g, err := c.reg.GrantOf(ctx, common.BytesToAddress(l.Topics[1].Bytes()), digest)
		if err != nil {
			return chain.Grant{}, fmt.Errorf("relay: asking the registry about a grant: %w", err)
		}
		if g.Issued() && g.Issuer == uploader {
			return g, nil
		}
	}
	return chain.Grant{}, ErrGrantUnknown
}
