package outbox

import (
	"context"
	"fmt"
	"math/big"

	"github.com/ethereum/go-ethereum"
	"github.com/ethereum/go-ethereum/common"
)

// alreadyDone asks the registry whether the row's call already took effect,
// done by this address, and if so where: the log of that effect. nil means
// not done (or a call the registry cannot tell about: the nonce alone keeps
// those from landing twice).
func (o *Outbox) alreadyDone(ctx context.Context, row Row) (*Inclusion, error) {
	if len(row.Data) < 4 {
		return nil, nil
	}
	parsed := o.reg.GetABI()
	method, err := parsed.MethodById(row.Data[:4])
	if err != nil {
		return nil, nil
	}
	args, err := method.Inputs.Unpack(row.Data[4:])
	if err != nil {
		return nil, nil
	}
	from := common.BytesToHash(o.from.Bytes())
	switch method.Name {
	case "anchor":
		root := common.Hash(args[0].([32]byte))
		got, err := o.view(ctx, o.reg.PackAnchorOf(root))
		if err != nil {
			return nil, err
		}
		a, err := o.reg.UnpackAnchorOf(got)
		if err != nil {
			return nil, fmt.Errorf("outbox: reading anchorOf: %w", err)
		}
		if a.Patient != o.from {
			return nil, nil // not anchored, or by someone else: the call will say
		}
		return o.findLog(ctx, "Anchored", [][]common.Hash{{from}, {root}})
	case "issueGrant", "issueGrantFor":
		digest := common.Hash(args[len(args)-2].([32]byte))
		got, err := o.view(ctx, o.reg.PackGrantOf(digest))
		if err != nil {
			return nil, err
		}
		g, err := o.reg.UnpackGrantOf(got)
		if err != nil {
			return nil, fmt.Errorf("outbox: reading grantOf: %w", err)
		}
		if g.Patient == (common.Address{}) || g.Issuer != o.from {
			return nil, nil
		}
		return o.findLog(ctx, "GrantIssued", [][]common.Hash{{common.BytesToHash(g.Patient.Bytes())}, {digest}, {from}})
	case "revokeGrant":
		digest := common.Hash(args[0].([32]byte))
		got, err := o.view(ctx, o.reg.PackGrantOf(digest))
		if err != nil {
			return nil, err
		}
		g, err := o.reg.UnpackGrantOf(got)
		if err != nil {
			return nil, fmt.Errorf("outbox: reading grantOf: %w", err)
		}
		if !g.Revoked {
			return nil, nil
		}
		return o.findLog(ctx, "GrantRevoked", [][]common.Hash{{common.BytesToHash(g.Patient.Bytes())}, {digest}})
	}
	return nil, nil
}

func (o *Outbox) view(ctx context.Context, data []byte) ([]byte, error) {
	cctx, cancel := o.call(ctx)
	defer cancel()
	to := o.net.Registry
	out, err := o.net.Client.CallContract(cctx, ethereum.CallMsg{From: o.from, To: &to, Data: data}, nil)
	if err != nil {
		return nil, &chainProblem{fmt.Errorf("asking the registry: %w", err)}
	}
	return out, nil
}

// findLog finds the registry's event with the given indexed topics (after the
// event id) and returns where it is.
func (o *Outbox) findLog(ctx context.Context, event string, topics [][]common.Hash) (*Inclusion, error) {
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
		if l := logs[i]; !l.Removed {
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
