package outbox

import (
	"context"
	"errors"
	"fmt"

	"healthwallet/chain"
)

// alreadyDone asks the registry whether the row's call already took effect
// for the patient it acts for, and if so where: the block of that effect's
// event. nil means not done (or a call the registry cannot tell about: the
// nonce alone keeps those from landing twice). See chain.FindDone, which the
// network's submitter asks too.
//
// A signed action acts for its signer whoever sends it, so the effect counts
// as done whoever submitted it; a plain call acts for the sender, the
// outbox's address.
func (o *Outbox) alreadyDone(ctx context.Context, row Row) (*Inclusion, error) {
	cctx, cancel := o.call(ctx)
	d, err := chain.FindDone(cctx, o.net.Client, o.net.Registry, o.net.ChainID, row.Data, o.from)
	cancel()
	switch {
	case err == nil && d == nil:
		return nil, nil
	case errors.Is(err, chain.ErrNoRegistry):
		return nil, fmt.Errorf("outbox: %w", err)
	case err != nil:
		return nil, &chainProblem{fmt.Errorf("asking the registry: %w", err)}
	}
	if o.opts.Submit != nil && !d.BlockTime.IsZero() {
		// On a network, the event's block time is all there is to read.
		return &Inclusion{TxHash: d.TxHash, BlockNumber: d.BlockNumber, BlockHash: d.BlockHash, BlockTime: d.BlockTime, Already: true}, nil
	}
	inc, err := o.inclusion(ctx, d.TxHash, d.BlockHash, d.BlockNumber)
	if err != nil {
		return nil, err
	}
	inc.Already = true
	return inc, nil
}
