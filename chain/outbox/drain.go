package outbox

import (
	"context"
	"errors"
	"fmt"
	"math/big"
	"strings"
	"sync"
	"time"

	"github.com/ethereum/go-ethereum"
	"github.com/ethereum/go-ethereum/common"
	"github.com/ethereum/go-ethereum/core/types"

	"healthwallet/chain"
	"healthwallet/chain/contracts"
)

// SignFunc signs tx for the chain with chainID with the key of the outbox's
// address.
type SignFunc func(chainID *big.Int, tx *types.Transaction) (*types.Transaction, error)

// Options tune an Outbox. The zero value is what a wallet gets.
type Options struct {
	// Confirmations is how many blocks (the including one counted) make a row
	// final; 0 means 2, enough for the dev chains the wallet runs on. Public
	// chains want more.
	Confirmations uint64
	// BumpAfter is how long a transaction may wait unincluded before it is
	// replaced with higher fees; 0 means one minute.
	BumpAfter time.Duration
	// CallTimeout bounds each request to the node; 0 means 15 seconds.
	CallTimeout time.Duration
	// OnChange, if set, is called inside the store transaction that moves a
	// row to another State, with the row as it will be saved, so the caller's
	// domain objects change in the same transaction. An error rolls the
	// change back.
	OnChange func(tx Tx, row Row) error
	// Now is the clock; nil means time.Now.
	Now func() time.Time
	// Resign, if set, signs a signed action again with a fresh deadline and
	// returns its new calldata. A row whose signed action the registry
	// refuses as Expired (it waited too long, e.g. offline) is signed again
	// and stays pending; without Resign it fails.
	Resign func(a chain.Action) ([]byte, error)
	// Submit, if set, sends signed actions through a network's submission
	// endpoint, which pays their gas, instead of as transactions of the
	// outbox's own address (DESIGN §11). Nil: the address sends its own.
	Submit Submission
	// FallbackAfterBlocks is how many blocks a submitted revoke may wait
	// unincluded before the outbox sends it another way (its own address
	// when funded) and says so; 0 means 5.
	FallbackAfterBlocks uint64
}

// Submission is a network's submission endpoint as the outbox uses it.
type Submission interface {
	// Submit hands in a signed action's calldata; the endpoint checks it
	// before any transaction and answers with the transaction that carries
	// it (the same one when submitted again).
	Submit(ctx context.Context, data []byte) (chain.SubmitResult, error)
	// Status reports on a transaction the endpoint sent.
	Status(ctx context.Context, hash common.Hash) (chain.TxStatus, error)
}

// Outbox drains rows to one network, signing as one address.
type Outbox struct {
	store Store
	net   *chain.Network
	from  common.Address
	sign  SignFunc
	opts  Options
	reg   *contracts.HealthRegistry
}

// drainMu keeps two Drains of the same process from assigning one nonce
// twice. (The store itself belongs to one process: the vault is locked.)
var drainMu sync.Mutex

// New returns an Outbox that sends the rows in store to net's registry,
// signed by sign as from.
func New(store Store, net *chain.Network, from common.Address, sign SignFunc, opts Options) *Outbox {
	if opts.Confirmations == 0 {
		opts.Confirmations = 2
	}
	if opts.BumpAfter == 0 {
		opts.BumpAfter = time.Minute
	}
	if opts.CallTimeout == 0 {
		opts.CallTimeout = 15 * time.Second
	}
	if opts.FallbackAfterBlocks == 0 {
		opts.FallbackAfterBlocks = 5
	}
	if opts.Now == nil {
		opts.Now = time.Now
	}
	return &Outbox{store: store, net: net, from: from, sign: sign, opts: opts, reg: contracts.NewHealthRegistry()}
}

// Report says what a Drain saw.
type Report struct {
	Pending, Included, Final, Failed int // rows in each state afterwards
	Broadcasts                       int // transactions sent during this drain
	// Problem is the chain problem that stopped the drain early (the chain
	// unreachable), or empty. It is also written on every open row.
	Problem string
}

// Done reports whether no row is left pending.
func (r Report) Done() bool { return r.Pending == 0 }

// Drain moves every open row as far as the chain allows now and returns. It
// returns an error only when the store fails or ctx ends; chain problems are
// written on the rows and in the report, and the next Drain retries.
func (o *Outbox) Drain(ctx context.Context) (Report, error) {
	drainMu.Lock()
	defer drainMu.Unlock()
	var rep Report
	var rows []Row
	err := o.store.View(func(r Reader) error {
		var err error
		rows, err = Rows(r)
		return err
	})
	if err != nil {
		return rep, err
	}
	var open []Row
	for _, r := range rows {
		if r.Open() {
			open = append(open, r)
		}
	}
	if len(open) > 0 {
		if err := o.drain(ctx, open, &rep); err != nil {
			return rep, err
		}
	}
	if rep.Broadcasts > 0 && rep.Problem == "" {
		// Dev chains mine as soon as a transaction arrives: look once more,
		// so that a caller sees it included without another Drain.
		if err := o.recheck(ctx, &rep); err != nil {
			return rep, err
		}
	}
	err = o.store.View(func(r Reader) error {
		rows, err := Rows(r)
		for _, row := range rows {
			switch row.State {
			case Pending:
				rep.Pending++
			case Included:
				rep.Included++
			case Final:
				rep.Final++
			case Failed:
				rep.Failed++
			}
		}
		return err
	})
	return rep, err
}

// chainProblem is an error from the node: the chain is down, slow or
// refusing; written on rows, never returned by Drain.
type chainProblem struct{ err error }

func (c *chainProblem) Error() string { return c.err.Error() }

func (o *Outbox) drain(ctx context.Context, open []Row, rep *Report) error {
	if o.net == nil || o.net.Client == nil {
		return o.noteAll(open, rep, "no chain connection: the rows wait until the wallet is online")
	}
	head, err := o.headNumber(ctx)
	if err != nil {
		if ctx.Err() != nil {
			return ctx.Err()
		}
		return o.noteAll(open, rep, "chain unreachable: "+err.Error())
	}
	for _, row := range open {
		if err := ctx.Err(); err != nil {
			return err
		}
		err := o.step(ctx, row, head, rep)
		var cp *chainProblem
		if errors.As(err, &cp) {
			if ctx.Err() != nil {
				return ctx.Err()
			}
			if nerr := o.note(row.ID, cp.Error()); nerr != nil {
				return nerr
			}
			if rep.Problem == "" {
				rep.Problem = cp.Error()
			}
			continue
		}
		if err != nil {
			return err
		}
	}
	return nil
}

// recheck records the receipts of pending rows that have one now, and
// sends nothing.
func (o *Outbox) recheck(ctx context.Context, rep *Report) error {
	var rows []Row
	err := o.store.View(func(r Reader) error {
		var err error
		rows, err = Rows(r)
		return err
	})
	if err != nil {
		return err
	}
	for _, row := range rows {
		if row.State != Pending || len(row.Sent) == 0 {
			continue
		}
		if o.submits(row) {
			handled, _, err := o.submittedLanded(ctx, row)
			var cp *chainProblem
			if errors.As(err, &cp) {
				return nil
			}
			if err != nil {
				return err
			}
			if handled || !row.HasNonce {
				continue
			}
		}
		for i := len(row.Sent) - 1; i >= 0; i-- {
			landed, err := o.receipt(ctx, row.Sent[i].Hash)
			if err != nil {
				return nil // the next Drain will look again
			}
			if landed != nil {
				err := o.landed(ctx, row, landed)
				var cp *chainProblem
				if errors.As(err, &cp) {
					return nil
				}
				if err != nil {
					return err
				}
				break
			}
		}
	}
	return nil
}

func (o *Outbox) call(ctx context.Context) (context.Context, context.CancelFunc) {
	return context.WithTimeout(ctx, o.opts.CallTimeout)
}

func (o *Outbox) headNumber(ctx context.Context) (uint64, error) {
	cctx, cancel := o.call(ctx)
	defer cancel()
	return o.net.Client.BlockNumber(cctx)
}

// noteAll writes problem on every open row.
func (o *Outbox) noteAll(open []Row, rep *Report, problem string) error {
	rep.Problem = problem
	for _, r := range open {
		if err := o.note(r.ID, problem); err != nil {
			return err
		}
	}
	return nil
}

func (o *Outbox) note(id uint64, problem string) error {
	return o.update(id, func(r *Row) error {
		r.LastError = problem
		return nil
	})
}

// update applies fn to the stored row id and saves it, calling OnChange when
// its state changes, all in one store transaction.
func (o *Outbox) update(id uint64, fn func(r *Row) error) error {
	return o.store.Update(func(tx Tx) error {
		row, ok, err := Get(tx, id)
		if err != nil {
			return err
		}
		if !ok {
			return fmt.Errorf("outbox: row %d vanished", id)
		}
		before := row.State
		if err := fn(&row); err != nil {
			return err
		}
		row.Updated = o.opts.Now().UTC()
		if row.State != before && o.opts.OnChange != nil {
			if err := o.opts.OnChange(tx, row); err != nil {
				return err
			}
		}
		return putRow(tx, row)
	})
}

// step moves one open row on.
func (o *Outbox) step(ctx context.Context, row Row, head uint64, rep *Report) error {
	if row.State == Included {
		still, err := o.stillThere(ctx, row)
		if err != nil {
			return err
		}
		if still {
			if head+1 >= row.Inclusion.BlockNumber+o.opts.Confirmations {
				return o.update(row.ID, func(r *Row) error { r.State = Final; return nil })
			}
			return nil
		}
		// The block is gone: a reorg. The row waits to be included again.
		lost := *row.Inclusion
		if err := o.update(row.ID, func(r *Row) error {
			r.State, r.Inclusion = Pending, nil
			r.LastError = fmt.Sprintf("block %d (%s) left the canonical chain; waiting to be included again", lost.BlockNumber, shortHash(lost.BlockHash))
			return nil
		}); err != nil {
			return err
		}
		row.State, row.Inclusion = Pending, nil
	}
	if row.ChainID != 0 && o.net.ChainID != nil && row.ChainID != o.net.ChainID.Uint64() || row.Registry != (common.Address{}) && row.Registry != o.net.Registry {
		// Signed for another network than this one: start again here. A
		// signed action's signature names the old registry's domain too, so
		// it is signed again (without Resign it would fail on the new one).
		data := row.Data
		if a, err := chain.DecodeAction(row.Data, o.net.ChainID, o.net.Registry); err == nil && a.Signed() && o.opts.Resign != nil {
			if data, err = o.opts.Resign(a); err != nil {
				return fmt.Errorf("outbox: signing row %d again for chain %s: %w", row.ID, o.net.ChainID, err)
			}
		}
		if err := o.update(row.ID, func(r *Row) error {
			r.LastError = fmt.Sprintf("was signed for chain %d, registry %s; signing again for chain %s, registry %s", r.ChainID, r.Registry, o.net.ChainID, o.net.Registry)
			r.HasNonce, r.Nonce, r.ChainID, r.Registry, r.Sent, r.Data = false, 0, 0, common.Address{}, nil, data
			return nil
		}); err != nil {
			return err
		}
		row.HasNonce, row.Sent, row.Data = false, nil, data
	}

	if o.submits(row) {
		if row.HasNonce && !sentVia(row, ViaNetwork) {
			// Signed as the wallet's own transaction before the wallet was
			// on this network: hand it to the network instead (should the
			// old transaction land too, the registry refuses it).
			if err := o.update(row.ID, func(r *Row) error {
				r.HasNonce, r.Nonce, r.Sent = false, 0, nil
				return nil
			}); err != nil {
				return err
			}
			row.HasNonce, row.Nonce, row.Sent = false, 0, nil
		}
		handled, pending, err := o.submittedLanded(ctx, row)
		if handled || err != nil {
			return err
		}
		if !row.HasNonce {
			return o.submit(ctx, row, head, rep, pending, false)
		}
		// The wallet sent it itself (a revoke the network did not
		// include): follow that transaction as on a plain chain.
	}

	// Did one of its transactions land?
	for i := len(row.Sent) - 1; i >= 0; i-- {
		landed, err := o.receipt(ctx, row.Sent[i].Hash)
		if err != nil {
			return err
		}
		if landed != nil {
			return o.landed(ctx, row, landed)
		}
	}
	if row.HasNonce && len(row.Sent) > 0 {
		confirmed, err := o.nonceAt(ctx)
		if err != nil {
			return err
		}
		if confirmed > row.Nonce {
			// Our nonce was used, by none of our transactions (or the
			// receipt is not indexed yet: then the next drain finds it).
			done, err := o.alreadyDone(ctx, row)
			if err != nil {
				return err
			}
			if done != nil {
				return o.markIncluded(row.ID, done)
			}
			return o.update(row.ID, func(r *Row) error {
				r.LastError = fmt.Sprintf("nonce %d was used by another transaction of this address (another device?); signing again", r.Nonce)
				r.HasNonce, r.Sent = false, nil
				return nil
			})
		}
		latest := row.Sent[len(row.Sent)-1]
		if !latest.Accepted.IsZero() && o.opts.Now().Sub(latest.Accepted) >= o.opts.BumpAfter {
			bumped, err := o.signBumped(ctx, row, latest)
			if err != nil {
				return err
			}
			return o.broadcast(ctx, bumped, rep)
		}
		return o.broadcast(ctx, row, rep)
	}

	// Never signed (or starting again): is it done already?
	done, err := o.alreadyDone(ctx, row)
	if err != nil {
		return err
	}
	if done != nil {
		return o.markIncluded(row.ID, done)
	}
	signed, err := o.signFirst(ctx, row)
	if err == nil && signed.State == Pending && len(signed.Sent) == 0 {
		// Signed again with a new deadline: sign the transaction now.
		signed, err = o.signFirst(ctx, signed)
	}
	if err != nil {
		return err
	}
	if signed.State != Pending || len(signed.Sent) == 0 {
		return nil
	}
	return o.broadcast(ctx, signed, rep)
}

func shortHash(h common.Hash) string { return h.Hex()[:10] + "…" }

func (o *Outbox) stillCanonical(ctx context.Context, inc *Inclusion) (bool, error) {
	if inc == nil {
		return false, nil
	}
	cctx, cancel := o.call(ctx)
	defer cancel()
	h, err := o.net.Client.HeaderByNumber(cctx, new(big.Int).SetUint64(inc.BlockNumber))
	if errors.Is(err, ethereum.NotFound) {
		return false, nil // the chain is shorter than it was
	}
	if err != nil {
		return false, &chainProblem{fmt.Errorf("reading block %d: %w", inc.BlockNumber, err)}
	}
	return h.Hash() == inc.BlockHash, nil
}

func (o *Outbox) receipt(ctx context.Context, hash common.Hash) (*types.Receipt, error) {
	cctx, cancel := o.call(ctx)
	defer cancel()
	r, err := o.net.Client.TransactionReceipt(cctx, hash)
	// A node still indexing its transactions ("transaction indexing is in
	// progress", as geth answers after a start) cannot say yet: as not found,
	// the row waits and its transaction is sent again, which is harmless.
	if chain.NotFoundYet(err) {
		return nil, nil
	}
	if err != nil {
		return nil, &chainProblem{fmt.Errorf("looking for transaction %s: %w", shortHash(hash), err)}
	}
	return r, nil
}

func (o *Outbox) nonceAt(ctx context.Context) (uint64, error) {
	cctx, cancel := o.call(ctx)
	defer cancel()
	n, err := o.net.Client.NonceAt(cctx, o.from, nil)
	if err != nil {
		return 0, &chainProblem{fmt.Errorf("reading the account's nonce: %w", err)}
	}
	return n, nil
}

// landed records a receipt of one of the row's transactions.
func (o *Outbox) landed(ctx context.Context, row Row, rc *types.Receipt) error {
	if rc.Status != types.ReceiptStatusSuccessful {
		return o.reverted(ctx, row, "transaction "+shortHash(rc.TxHash), rc.BlockNumber.Uint64(), "")
	}
	inc, err := o.inclusion(ctx, rc.TxHash, rc.BlockHash, rc.BlockNumber.Uint64())
	if err != nil {
		return err
	}
	inc.GasUsed = rc.GasUsed
	return o.markIncluded(row.ID, inc)
}

func (o *Outbox) inclusion(ctx context.Context, txHash, blockHash common.Hash, number uint64) (*Inclusion, error) {
	cctx, cancel := o.call(ctx)
	defer cancel()
	h, err := o.net.Client.HeaderByHash(cctx, blockHash)
	if err != nil {
		return nil, &chainProblem{fmt.Errorf("reading block %d: %w", number, err)}
	}
	return &Inclusion{TxHash: txHash, BlockNumber: number, BlockHash: blockHash, BlockTime: time.Unix(int64(h.Time), 0).UTC()}, nil
}

func (o *Outbox) markIncluded(id uint64, inc *Inclusion) error {
	return o.update(id, func(r *Row) error {
		r.State, r.Inclusion, r.LastError = Included, inc, ""
		return nil
	})
}

// reverted records that the row's transaction (what) reverted in block:
// done meanwhile (included), expired (signed again), or refused (failed,
// with known as the reason when the sender told it).
func (o *Outbox) reverted(ctx context.Context, row Row, what string, block uint64, known string) error {
	done, err := o.alreadyDone(ctx, row)
	if err != nil {
		return err
	}
	if done != nil {
		return o.markIncluded(row.ID, done)
	}
	reason, rev := o.revertReason(ctx, row)
	if _, ok, err := o.resign(row, rev); ok || err != nil {
		return err
	}
	if known != "" {
		reason = known
	}
	return o.update(row.ID, func(r *Row) error {
		r.State = Failed
		r.LastError = fmt.Sprintf("%s failed on chain in block %d: %s", what, block, reason)
		return nil
	})
}

// revertReason replays the call to learn why it reverts; rev is the
// registry's error when it is one.
func (o *Outbox) revertReason(ctx context.Context, row Row) (reason string, rev *contracts.Revert) {
	cctx, cancel := o.call(ctx)
	defer cancel()
	to := o.net.Registry
	_, err := o.net.Client.CallContract(cctx, ethereum.CallMsg{From: o.from, To: &to, Data: row.Data}, nil)
	if rev, ok := contracts.AsRevert(err); ok {
		return rev.Error(), rev
	}
	if err != nil {
		return err.Error(), nil
	}
	return "reverted (the reason is no longer reproducible)", nil
}

// resign signs the row's action again when the registry refused it as
// Expired, and saves the new calldata; the row starts over (a new nonce, as
// the old one may be spent). ok is false when rev is not Expired or there
// is no Resign: the caller fails the row.
func (o *Outbox) resign(row Row, rev *contracts.Revert) (saved Row, ok bool, err error) {
	if rev == nil || rev.Name != "Expired" || o.opts.Resign == nil {
		return row, false, nil
	}
	a, err := chain.DecodeAction(row.Data, o.net.ChainID, o.net.Registry)
	if err != nil {
		return row, false, nil
	}
	data, err := o.opts.Resign(a)
	if err != nil {
		return row, false, fmt.Errorf("outbox: signing row %d again: %w", row.ID, err)
	}
	err = o.update(row.ID, func(r *Row) error {
		r.Data = data
		r.HasNonce, r.Nonce, r.Sent, r.Inclusion = false, 0, nil, nil
		r.LastError = "the signed action passed its deadline before reaching the chain; signed again with a new one"
		saved = *r
		return nil
	})
	return saved, err == nil, err
}

// fees returns the tip and fee cap to offer now.
func (o *Outbox) fees(ctx context.Context) (tip, feeCap *big.Int, err error) {
	cctx, cancel := o.call(ctx)
	defer cancel()
	tip, feeCap, err = chain.SuggestFees(cctx, o.net.Client)
	if err != nil {
		return nil, nil, &chainProblem{err}
	}
	return tip, feeCap, nil
}

// nextNonce is the nonce for a row signed now: the larger of the chain's
// pending nonce and one past the highest any row holds.
func (o *Outbox) nextNonce(ctx context.Context) (uint64, error) {
	cctx, cancel := o.call(ctx)
	defer cancel()
	n, err := o.net.Client.PendingNonceAt(cctx, o.from)
	if err != nil {
		return 0, &chainProblem{fmt.Errorf("reading the account's nonce: %w", err)}
	}
	err = o.store.View(func(r Reader) error {
		rows, err := Rows(r)
		for _, row := range rows {
			if row.HasNonce && row.Open() && row.Nonce+1 > n {
				n = row.Nonce + 1
			}
		}
		return err
	})
	return n, err
}

// signFirst estimates, signs and saves the row's first transaction. A row
// the registry refuses is marked failed (or done, when idempotent).
func (o *Outbox) signFirst(ctx context.Context, row Row) (Row, error) {
	to := o.net.Registry
	cctx, cancel := o.call(ctx)
	gas, err := o.net.Client.EstimateGas(cctx, ethereum.CallMsg{From: o.from, To: &to, Data: row.Data})
	cancel()
	if err != nil {
		if rev, ok := contracts.AsRevert(err); ok {
			if resigned, ok, err := o.resign(row, rev); ok || err != nil {
				return resigned, err
			}
			if err := o.update(row.ID, func(r *Row) error {
				r.State, r.LastError = Failed, rev.Error()
				return nil
			}); err != nil {
				return row, err
			}
			row.State = Failed
			return row, nil
		}
		return row, &chainProblem{fmt.Errorf("estimating gas: %w", err)}
	}
	tip, feeCap, err := o.fees(ctx)
	if err != nil {
		return row, err
	}
	nonce, err := o.nextNonce(ctx)
	if err != nil {
		return row, err
	}
	sent, err := o.signTx(nonce, gas+gas/4, tip, feeCap, row.Data)
	if err != nil {
		return row, err
	}
	var saved Row
	err = o.update(row.ID, func(r *Row) error {
		r.HasNonce, r.Nonce = true, nonce
		r.ChainID, r.Registry = o.net.ChainID.Uint64(), o.net.Registry
		r.Sent = append(r.Sent, sent)
		saved = *r
		return nil
	})
	return saved, err
}

// signBumped signs and saves a replacement of latest with the same nonce
// and fees at least 12.5% higher (the node wants 10%).
func (o *Outbox) signBumped(ctx context.Context, row Row, latest Sent) (Row, error) {
	var old types.Transaction
	if err := old.UnmarshalBinary(latest.Raw); err != nil {
		return row, fmt.Errorf("outbox: row %d holds an unreadable transaction: %w", row.ID, err)
	}
	tip, feeCap, err := o.fees(ctx)
	if err != nil {
		return row, err
	}
	tip = maxBig(tip, bump(latest.TipCap))
	feeCap = maxBig(maxBig(feeCap, bump(latest.FeeCap)), tip)
	sent, err := o.signTx(row.Nonce, old.Gas(), tip, feeCap, row.Data)
	if err != nil {
		return row, err
	}
	var saved Row
	err = o.update(row.ID, func(r *Row) error {
		r.Sent = append(r.Sent, sent)
		saved = *r
		return nil
	})
	return saved, err
}

// bump is ⌈x · 9/8⌉.
func bump(x *big.Int) *big.Int {
	if x == nil {
		return new(big.Int)
	}
	n := new(big.Int).Mul(x, big.NewInt(9))
	n.Add(n, big.NewInt(7))
	return n.Div(n, big.NewInt(8))
}

func maxBig(a, b *big.Int) *big.Int {
	if a.Cmp(b) >= 0 {
		return a
	}
	return b
}

func (o *Outbox) signTx(nonce, gas uint64, tip, feeCap *big.Int, data []byte) (Sent, error) {
	to := o.net.Registry
	tx := types.NewTx(&types.DynamicFeeTx{
		ChainID:   o.net.ChainID,
		Nonce:     nonce,
		GasTipCap: tip,
		GasFeeCap: feeCap,
		Gas:       gas,
		To:        &to,
		Data:      data,
	})
	signed, err := o.sign(o.net.ChainID, tx)
	if err != nil {
		return Sent{}, fmt.Errorf("outbox: signing: %w", err)
	}
	raw, err := signed.MarshalBinary()
	if err != nil {
		return Sent{}, fmt.Errorf("outbox: encoding the signed transaction: %w", err)
	}
	return Sent{Raw: raw, Hash: signed.Hash(), TipCap: tip, FeeCap: feeCap, Signed: o.opts.Now().UTC()}, nil
}

// broadcast sends the row's latest saved transaction, byte for byte.
func (o *Outbox) broadcast(ctx context.Context, row Row, rep *Report) error {
	latest := row.Sent[len(row.Sent)-1]
	var tx types.Transaction
	if err := tx.UnmarshalBinary(latest.Raw); err != nil {
		return fmt.Errorf("outbox: row %d holds an unreadable transaction: %w", row.ID, err)
	}
	cctx, cancel := o.call(ctx)
	err := o.net.Client.SendTransaction(cctx, &tx)
	cancel()
	rep.Broadcasts++
	problem := ""
	if err != nil && !alreadyThere(err) {
		problem = "broadcasting " + shortHash(latest.Hash) + ": " + err.Error()
		if strings.Contains(err.Error(), "insufficient funds") {
			problem += fmt.Sprintf(" (fund the wallet's address %s)", o.from)
		}
		if rep.Problem == "" {
			rep.Problem = problem
		}
	}
	return o.update(row.ID, func(r *Row) error {
		r.Attempts++
		r.LastError = problem
		if last := &r.Sent[len(r.Sent)-1]; problem == "" && last.Accepted.IsZero() {
			last.Accepted = o.opts.Now().UTC()
		}
		return nil
	})
}

// alreadyThere tells the node's answers that mean "you sent this before".
func alreadyThere(err error) bool {
	s := strings.ToLower(err.Error())
	return strings.Contains(s, "already known") || strings.Contains(s, "nonce too low") ||
		strings.Contains(s, "replacement transaction underpriced") || strings.Contains(s, "already imported")
}
