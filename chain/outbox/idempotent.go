package outbox

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"math/big"

	"github.com/ethereum/go-ethereum"
	"github.com/ethereum/go-ethereum/common"

	"healthwallet/chain"
)

// alreadyDone asks the registry whether the row's call already took effect
// for the patient it acts for, and if so where: the log of that effect. nil
// means not done (or a call the registry cannot tell about: the nonce alone
// keeps those from landing twice).
//
// A signed action acts for its signer whoever sends it, so the effect counts
// as done whoever submitted it; a plain call acts for the sender, the
// outbox's address.
func (o *Outbox) alreadyDone(ctx context.Context, row Row) (*Inclusion, error) {
	a, err := chain.DecodeAction(row.Data, o.net.ChainID, o.net.Registry)
	if err != nil {
		return nil, nil
	}
	patient := a.Patient
	if patient == (common.Address{}) {
		patient = o.from
	}
	topic := common.BytesToHash(patient.Bytes())
	reg := chain.NewRegistry(o.net.Client, o.net.Registry)
	switch a.Method {
	case "anchor", "anchorSigned":
		an, err := view(ctx, o, func(ctx context.Context) (chain.Anchor, error) { return reg.AnchorOf(ctx, patient, a.Root) })
		if err != nil || !an.Anchored() {
			return nil, err
		}
		return o.findLog(ctx, "Anchored", [][]common.Hash{{topic}, {a.Root}})
	case "issueGrant", "issueGrantFor", "issueGrantSigned":
		g, err := view(ctx, o, func(ctx context.Context) (chain.Grant, error) { return reg.GrantOf(ctx, patient, a.Digest) })
		if err != nil || !g.Issued() {
			return nil, err
		}
		return o.findLog(ctx, "GrantIssued", [][]common.Hash{{topic}, {a.Digest}})
	case "revokeGrant", "revokeGrantSigned":
		g, err := view(ctx, o, func(ctx context.Context) (chain.Grant, error) { return reg.GrantOf(ctx, patient, a.Digest) })
		if err != nil || !g.Revoked {
			return nil, err
		}
		return o.findLog(ctx, "GrantRevoked", [][]common.Hash{{topic}, {a.Digest}})
	case "logAccess":
		done, err := view(ctx, o, func(ctx context.Context) (bool, error) { return reg.AccessLogged(ctx, a.GrantKey, a.Entry) })
		if err != nil || !done {
			return nil, err
		}
		return o.findLog(ctx, "AccessLogged", [][]common.Hash{{a.GrantKey}}, a.Entry[:]...)
	}
	return nil, nil
}

// view reads one of the registry's views within the call timeout. A registry
// that does not answer as one is an error of its own; anything else is a
// chain problem, for the rows to wait out.
func view[T any](ctx context.Context, o *Outbox, read func(context.Context) (T, error)) (T, error) {
	cctx, cancel := o.call(ctx)
	defer cancel()
	v, err := read(cctx)
	switch {
	case err == nil:
		return v, nil
	case errors.Is(err, chain.ErrNoRegistry):
		return v, fmt.Errorf("outbox: %w", err)
	default:
		return v, &chainProblem{fmt.Errorf("asking the registry: %w", err)}
	}
}

// findLog finds the registry's event with the given indexed topics (after the
// event id), and data when given (AccessLogged's entry is not indexed), and
// returns where it is.
func (o *Outbox) findLog(ctx context.Context, event string, topics [][]common.Hash, data ...byte) (*Inclusion, error) {
	ev, ok := o.reg.GetABI().Events[event]
	if !ok {
		return nil, fmt.Errorf("outbox: no event %s in the registry's ABI", event)
	}
	cctx, cancel := o.call(ctx)
	defer cancel()
	logs, err := o.net.Client.FilterLogs(cctx, ethereum.FilterQuery{
		FromBlock: new(big.Int),
		Addresses: []common.Address{o.net.Registry},
		Topics:    append([][]common.Hash{{ev.ID}}, topics...),
	})
	if err != nil {
		return nil, &chainProblem{fmt.Errorf("searching the registry's %s events: %w", event, err)}
	}
	for i := len(logs) - 1; i >= 0; i-- {
		if l := logs[i]; !l.Removed && (len(data) == 0 || bytes.Equal(l.Data, data)) {
			inc, err := o.inclusion(ctx, l.TxHash, l.BlockHash, l.BlockNumber)
			if err != nil {
				return nil, err
			}
			inc.Already = true
			return inc, nil
		}
	}
	return nil, &chainProblem{fmt.Errorf("the registry holds the effect but its %s event is not found yet", event)}
}
