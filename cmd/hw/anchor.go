package main

import (
	"context"
	"fmt"
	"io"
	"time"

	"github.com/ethereum/go-ethereum/common"
	"github.com/spf13/cobra"

	"healthwallet/wallet"
)

// This file: hw anchor and hw verify — committing records to the chain and
// checking them against it.

// anchorCommands are the commands that anchor records and verify them: hw anchor, hw verify.
func (c *cli) anchorCommands() []*cobra.Command {
	return []*cobra.Command{c.anchorCommand(), c.verifyCommand()}
}

// openChainWallet opens the wallet and points it at the chain the command
// line names (--chain / $HW_CHAIN, $HW_REGISTRY, $HW_CHAIN_ID); without them
// the wallet uses its saved chain, else the embedded one.
func (c *cli) openChainWallet(ctx context.Context) (*wallet.Wallet, error) {
	s, err := c.chainSettings()
	if err != nil {
		return nil, err
	}
	w, err := c.openWallet(ctx)
	if err != nil {
		return nil, err
	}
	if s.URL != "" {
		w.UseChain(s)
	}
	return w, nil
}

func (c *cli) anchorCommand() *cobra.Command {
	var timeout time.Duration
	cmd := &cobra.Command{
		Use:   "anchor",
		Short: "Commit new records to the chain and wait for their block",
		Long: `anchor puts every record version not yet on the chain into Merkle batches
(one root per transaction, at most 1,024 records each), sends them, and waits
up to --timeout for their block. Only salted hashes go on the chain, never
health data.

Nothing is lost when the chain cannot be reached: the batches are saved in the
wallet and the next hw anchor sends them (exactly once). hw anchor then exits
with code 1 and says why they wait.

With --json, prints {"batches":[{"root","count","state","txHash","block","time",
"problem","new"}],"queued":N,"problem":"…"}.`,
		Args: cobra.NoArgs,
		RunE: c.action(func(cmd *cobra.Command, _ []string) error {
			if timeout < 0 {
				return userErrorf("--timeout must not be negative")
			}
			ctx := cmd.Context()
			w, err := c.openChainWallet(ctx)
			if err != nil {
				return err
			}
			defer w.Close()
			rep, err := anchorAndWait(ctx, w, timeout)
			if err != nil {
				return err
			}
			if c.jsonOut {
				err = printJSON(c.stdout, rep)
			} else {
				c.printAnchorReport(rep)
			}
			if err != nil {
				return err
			}
			if rep.Waiting() {
				why := rep.Problem
				if why == "" {
					why = fmt.Sprintf("no block within %s", timeout)
				}
				return userErrorf("not all records are anchored yet (%s); they are saved and the next hw anchor sends them", why)
			}
			return nil
		}),
	}
	cmd.Flags().DurationVar(&timeout, "timeout", time.Minute, "wait at most `D` for the batches' block")
	return cmd
}

// anchorAndWait anchors, then follows the batches until none waits, the
// chain reports a problem, or the timeout. The report lists every batch seen,
// in its latest state.
func anchorAndWait(ctx context.Context, w *wallet.Wallet, timeout time.Duration) (wallet.AnchorReport, error) {
	deadline := time.Now().Add(timeout)
	seen := map[string]wallet.AnchorBatch{}
	var order []string
	var rep wallet.AnchorReport
	for {
		var err error
		rep, err = w.Anchor(ctx)
		if err != nil {
			return rep, err
		}
		for _, b := range rep.Batches {
			prev, ok := seen[b.Root]
			if !ok {
				order = append(order, b.Root)
			}
			b.New = b.New || prev.New
			seen[b.Root] = b
		}
		if !rep.Waiting() || rep.Problem != "" || time.Now().After(deadline) {
			break
		}
		select {
		case <-ctx.Done():
			return rep, ctx.Err()
		case <-time.After(500 * time.Millisecond):
		}
	}
	rep.Batches = rep.Batches[:0]
	for _, root := range order {
		rep.Batches = append(rep.Batches, seen[root])
	}
	return rep, nil
}

func (c *cli) printAnchorReport(rep wallet.AnchorReport) {
	out := c.stdout
	if len(rep.Batches) == 0 && rep.Queued == 0 {
		fmt.Fprintln(out, "Every record is anchored already.")
		return
	}
	records := 0
	for _, b := range rep.Batches {
		records += b.Count
	}
	fmt.Fprintf(out, "%s of %s:\n", plural(len(rep.Batches), "batch"), plural(records, "record"))
	for _, b := range rep.Batches {
		switch b.State {
		case "included", "final":
			fmt.Fprintf(out, "  %s  %4d  anchored in block %d at %s (tx %s)\n", b.Root, b.Count, b.Block, b.Time.Local().Format("2006-01-02 15:04:05"), b.TxHash)
		case "failed":
			fmt.Fprintf(out, "  %s  %4d  FAILED: %s\n", b.Root, b.Count, b.Problem)
		default:
			state := "waiting for its block"
			if b.TxHash == "" {
				state = "queued"
			}
			if b.Problem != "" {
				state += ": " + b.Problem
			}
			fmt.Fprintf(out, "  %s  %4d  %s\n", b.Root, b.Count, state)
		}
	}
	if rep.Queued > 0 {
		fmt.Fprintf(out, "%s more wait for a batch.\n", plural(rep.Queued, "record"))
	}
}

func (c *cli) verifyCommand() *cobra.Command {
	return &cobra.Command{
		Use:   "verify ID",
		Short: "Check a record against the chain",
		Long: `verify recomputes the record's commitment from what the wallet holds, checks
its Merkle proof up to its batch's root, and asks the chain who anchored that
root and when. ID is as for hw show.

Prints the verdict as one sentence ("Intact and anchored on 12 Mar 2024"),
then the checks behind it: where and when its batch was anchored, and what
went wrong if anything did.

With --json, prints {"anchored":bool,"root":"0x…","block":N,"time":"RFC 3339",
"valid":bool,"problem":"…","sentence":"…"}. The exit code is 0 whenever the check ran, valid
or not; 1 when there is no such record.`,
		Args: cobra.ExactArgs(1),
		RunE: c.action(func(cmd *cobra.Command, args []string) error {
			ctx := cmd.Context()
			w, err := c.openChainWallet(ctx)
			if err != nil {
				return err
			}
			defer w.Close()
			id, err := resolveID(w, args[0])
			if err != nil {
				return err
			}
			v, err := w.Verify(ctx, id)
			if err != nil {
				return err
			}
			if c.jsonOut {
				return printJSON(c.stdout, v)
			}
			printVerification(c.stdout, v)
			return nil
		}),
	}
}

// printVerification prints a verification as hw verify does: the sentence a
// person reads first, then the checks behind it.
func printVerification(out io.Writer, v wallet.Verification) {
	fmt.Fprintf(out, "%s.\n", v.Sentence())
	switch {
	case v.Anchored:
		fmt.Fprintf(out, "  Anchored by this wallet in block %d at %s (batch %s).\n", v.Block, v.Time.Local().Format("2006-01-02 15:04:05"), v.Root.Hex())
	case v.Root != (common.Hash{}):
		fmt.Fprintf(out, "  In batch %s, not confirmed on chain.\n", v.Root.Hex())
	}
	if v.Valid {
		fmt.Fprintln(out, "  The record recomputes to its commitment, and its proof leads to the anchored root.")
	}
	if v.Problem != "" {
		fmt.Fprintf(out, "  Problem: %s.\n", v.Problem)
	}
}
