package outbox

import (
	"context"
	"errors"
	"fmt"

	"healthwallet/chain"
	"healthwallet/chain/contracts"
)

// This file: rows sent through a network's submission endpoint
// (Options.Submit). Everything here reads the chain only as a network's
// read-only JSON-RPC allows — eth_blockNumber, eth_call, eth_getLogs — and
// asks the endpoint about its transactions.

// submits reports whether the row goes through the network's submission
// endpoint: there is one, and the row is a signed action of this network.
func (o *Outbox) submits(row Row) bool {
	if o.opts.Submit == nil {
		return false
	}
	a, err := chain.DecodeAction(row.Data, o.net.ChainID, o.net.Registry)
	return err == nil && a.Signed()
}

// sentVia reports whether one of the row's transactions went that way.
func sentVia(row Row, via string) bool {
	for _, s := range row.Sent {
		if s.Via == via {
			return true
		}
	}
	return false
}

// isRevoke reports whether the row ends a grant or a delegation: what must
// not depend on one submitter's goodwill.
func isRevoke(row Row, net *chain.Network) bool {
	a, err := chain.DecodeAction(row.Data, net.ChainID, net.Registry)
	return err == nil && (a.Method == "revokeGrantSigned" || a.Method == "revokeDelegateSigned")
}

// submittedLanded asks the endpoint about the row's transactions that it
// sent, newest first, and records the first one included or failed.
// handled is true when the row moved on; pending when the endpoint still
// has one of them waiting for a block.
func (o *Outbox) submittedLanded(ctx context.Context, row Row) (handled, pending bool, err error) {
	for i := len(row.Sent) - 1; i >= 0; i-- {
		sent := row.Sent[i]
		if sent.Via != ViaNetwork {
			continue
		}
		cctx, cancel := o.call(ctx)
		st, err := o.opts.Submit.Status(cctx, sent.Hash)
		cancel()
		if err != nil {
			return false, false, &chainProblem{fmt.Errorf("asking the network about transaction %s: %w", shortHash(sent.Hash), err)}
		}
		switch st.State {
		case chain.TxIncluded:
			return true, false, o.markIncluded(row.ID, &Inclusion{TxHash: st.Hash, BlockNumber: st.BlockNumber, BlockHash: st.BlockHash, BlockTime: st.BlockTime, GasUsed: st.GasUsed})
		case chain.TxFailed:
			return true, false, o.reverted(ctx, row, "transaction "+shortHash(st.Hash)+", sent by the network,", st.BlockNumber, st.Reason)
		case chain.TxPending:
			pending = true
		}
	}
	return false, pending, nil
}

// stillThere reports whether an included row's effect is still where it
// was recorded. On a network, that is the endpoint's word on its own
// transaction, or the registry's event for an effect found there already;
// otherwise the block at that height.
func (o *Outbox) stillThere(ctx context.Context, row Row) (bool, error) {
	inc := row.Inclusion
	if o.opts.Submit == nil || inc == nil {
		return o.stillCanonical(ctx, inc)
	}
	for _, sent := range row.Sent {
		if sent.Via == ViaNetwork && sent.Hash == inc.TxHash {
			cctx, cancel := o.call(ctx)
			st, err := o.opts.Submit.Status(cctx, sent.Hash)
			cancel()
			if err != nil {
				return false, &chainProblem{fmt.Errorf("asking the network about transaction %s: %w", shortHash(sent.Hash), err)}
			}
			return st.State == chain.TxIncluded && st.BlockHash == inc.BlockHash, nil
		}
	}
	if inc.Already {
		done, err := o.alreadyDone(ctx, row)
		if err != nil {
			return false, err
		}
		return done != nil && done.BlockHash == inc.BlockHash, nil
	}
	return o.stillCanonical(ctx, inc)
}

// submit hands the row's signed action to the network, unless it is done
// already or the network has its transaction pending; a revoke that waited
// FallbackAfterBlocks is sent by the wallet itself when it can pay, and
// handed in again otherwise (the endpoint answers with the same
// transaction while it is pending). resigned is true when the action was
// just signed again, so it is not signed again in a loop.
func (o *Outbox) submit(ctx context.Context, row Row, head uint64, rep *Report, pending, resigned bool) error {
	var first *Sent
	for i := range row.Sent {
		if row.Sent[i].Via == ViaNetwork {
			first = &row.Sent[i]
			break
		}
	}
	if first == nil {
		done, err := o.alreadyDone(ctx, row)
		if err != nil {
			return err
		}
		if done != nil {
			return o.markIncluded(row.ID, done)
		}
	}
	waiting := ""
	if first != nil && isRevoke(row, o.net) && head >= first.SubmittedAt+o.opts.FallbackAfterBlocks {
		note := fmt.Sprintf("the network did not include the revoke within %d blocks", o.opts.FallbackAfterBlocks)
		sentOwn, err := o.fallBack(ctx, row, note, rep)
		if sentOwn || err != nil {
			return err
		}
		waiting = note + "; still waiting: no other route (this wallet's address has no funds to send it itself)"
	} else if pending {
		return nil // the network has it; wait for its block
	}

	cctx, cancel := o.call(ctx)
	res, err := o.opts.Submit.Submit(cctx, row.Data)
	cancel()
	if err != nil {
		return o.submitRefused(ctx, row, head, rep, err, resigned, waiting)
	}
	if res.Already {
		done, err := o.alreadyDone(ctx, row)
		if err != nil {
			return err
		}
		if done != nil {
			return o.markIncluded(row.ID, done)
		}
		return &chainProblem{errors.New("the network says the action is on chain, but the registry does not show it yet")}
	}
	rep.Broadcasts++
	return o.update(row.ID, func(r *Row) error {
		r.Attempts++
		r.LastError, r.Fallback = waiting, waiting
		for _, s := range r.Sent {
			if s.Via == ViaNetwork && s.Hash == res.TxHash {
				return nil
			}
		}
		now := o.opts.Now().UTC()
		r.Sent = append(r.Sent, Sent{Hash: res.TxHash, Via: ViaNetwork, SubmittedAt: head, Signed: now, Accepted: now})
		return nil
	})
}

// submitRefused handles the endpoint's refusal: an action done already is
// included, one expired is signed again, one refused for good fails, and
// anything else (the network away) waits for the next Drain.
func (o *Outbox) submitRefused(ctx context.Context, row Row, head uint64, rep *Report, err error, resigned bool, waiting string) error {
	switch {
	case errors.Is(err, chain.ErrAlreadyDone):
		done, derr := o.alreadyDone(ctx, row)
		if derr != nil {
			return derr
		}
		if done != nil {
			return o.markIncluded(row.ID, done)
		}
		return &chainProblem{fmt.Errorf("the network says the action is on chain, but the registry does not show it yet: %w", err)}
	case errors.Is(err, chain.ErrRefused):
		var rev *contracts.Revert
		if !errors.As(err, &rev) {
			_, rev = o.revertReason(ctx, row) // the reason may not have survived the wire
		}
		if !resigned {
			saved, ok, rerr := o.resign(row, rev)
			if rerr != nil {
				return rerr
			}
			if ok {
				return o.submit(ctx, saved, head, rep, false, true)
			}
		}
		return o.fail(row.ID, "the network refused it: "+err.Error())
	case errors.Is(err, chain.ErrBadSignature), errors.Is(err, chain.ErrNotSubmittable):
		return o.fail(row.ID, "the network refused it: "+err.Error())
	}
	problem := "submitting through the network: " + err.Error()
	if waiting != "" {
		problem = waiting + "; " + problem
	}
	return &chainProblem{errors.New(problem)}
}

func (o *Outbox) fail(id uint64, reason string) error {
	return o.update(id, func(r *Row) error {
		r.State, r.LastError = Failed, reason
		return nil
	})
}

// fallBack sends the row as the wallet's own transaction when its address
// holds funds, and says so on the row. sentOwn is false when it cannot.
func (o *Outbox) fallBack(ctx context.Context, row Row, note string, rep *Report) (sentOwn bool, err error) {
	cctx, cancel := o.call(ctx)
	balance, err := o.net.Client.BalanceAt(cctx, o.from, nil)
	cancel()
	if err != nil || balance.Sign() == 0 {
		return false, nil // no funds, or a network that does not say: no other route
	}
	signed, err := o.signFirst(ctx, row)
	if err != nil {
		return true, err
	}
	if signed.State != Pending || !signed.HasNonce {
		return true, nil // refused (failed) or signed again: the next Drain goes on
	}
	said := note + "; sent it from this wallet's own address"
	if err := o.update(row.ID, func(r *Row) error {
		r.Fallback = said
		return nil
	}); err != nil {
		return true, err
	}
	signed.Fallback = said
	if err := o.broadcast(ctx, signed, rep); err != nil {
		return true, err
	}
	return true, o.update(row.ID, func(r *Row) error {
		if r.LastError == "" {
			r.LastError = said
		}
		return nil
	})
}
