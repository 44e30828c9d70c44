package relay

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/ethereum/go-ethereum/common"

	"healthwallet/chain"
)

// GrantChecker tells whether a share's consent stands on chain.
//
// GrantOf must return the grant with this EIP-712 digest that patient gave
// (patient, issuer, expiry, revoked, whether it is active: issued, not
// revoked, not expired), or an error when it cannot tell: the chain is
// unreachable, or the patient has no such grant on chain (yet), which must
// wrap [ErrGrantUnknown]. A grant of the digest by another patient is
// unknown for this one.
//
// DelegateOf must return what patient allows delegate (all zero when
// nothing), or an error when the chain cannot be asked.
//
// What the relay makes of the answers: only a grant the chain reports
// revoked, or expired by the chain's expiry and the relay's own clock, ends a
// share and deletes its files. An error or a grant "not active" for another
// reason (a lagging node) serves nothing (503) and keeps the share; a grant
// issued by a delegate who no longer holds SHARE serves nothing (404) and
// keeps the share.
type GrantChecker interface {
	GrantOf(ctx context.Context, patient common.Address, digest [32]byte) (chain.Grant, error)
	DelegateOf(ctx context.Context, patient, delegate common.Address) (chain.Delegation, error)
}

// ErrGrantUnknown means the registry has no grant with the digest for the
// patient: the wallet's outbox may not have issued it yet.
var ErrGrantUnknown = errors.New("relay: the grant is not on chain (yet)")

// ChainChecker is the GrantChecker over a HealthRegistry: it calls
// grantOf and delegateOf on the registry at the latest block.
type ChainChecker struct {
	reg    *chain.Registry
	client chain.Client
}

var (
	_ GrantChecker      = (*ChainChecker)(nil)
	_ DelegationChecker = (*ChainChecker)(nil)
)

// NewChainChecker checks grants in the HealthRegistry at registry through
// client.
func NewChainChecker(client chain.Client, registry common.Address) *ChainChecker {
	return &ChainChecker{reg: chain.NewRegistry(client, registry), client: client}
}

// DelegationRevoked implements DelegationChecker: when the registry's last
// event of the delegation, a DelegateRevoked, was mined.
func (c *ChainChecker) DelegationRevoked(ctx context.Context, patient, delegate common.Address) (time.Time, error) {
	at, err := chain.DelegationRevoked(ctx, c.client, c.reg.Address(), patient, delegate)
	if err != nil {
		return time.Time{}, fmt.Errorf("relay: asking the registry whether a delegation was revoked: %w", err)
	}
	return at, nil
}

// GrantOf implements GrantChecker.
func (c *ChainChecker) GrantOf(ctx context.Context, patient common.Address, digest [32]byte) (chain.Grant, error) {
	g, err := c.reg.GrantOf(ctx, patient, digest)
	if err != nil {
		return chain.Grant{}, fmt.Errorf("relay: asking the registry about a grant: %w", err)
	}
	if !g.Issued() {
		return chain.Grant{}, ErrGrantUnknown
	}
	return g, nil
}

// DelegateOf implements GrantChecker.
func (c *ChainChecker) DelegateOf(ctx context.Context, patient, delegate common.Address) (chain.Delegation, error) {
	d, err := c.reg.DelegateOf(ctx, patient, delegate)
	if err != nil {
		return chain.Delegation{}, fmt.Errorf("relay: asking the registry about a delegation: %w", err)
	}
	return d, nil
}
