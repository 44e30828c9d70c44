package main

import (
	"fmt"
	"io"
	"os"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/skip2/go-qrcode"
	"github.com/spf13/cobra"

	"healthwallet/wallet"
	"healthwallet/wallet/identity"
	"healthwallet/wallet/record"
	"healthwallet/wallet/share"
)

// This file: hw delegate (add, list, revoke, renew) and hw sync — the
// patient's side of caregiving (issue 9).

// delegateCommands are hw delegate (add, list, revoke, renew) and hw sync:
// the patient's side of caregiving.
func (c *cli) delegateCommands() []*cobra.Command {
	cmd := &cobra.Command{
		Use:   "delegate",
		Short: "Let a caregiver see (and share) your records: scoped, expiring, revocable, on chain",
		Long: `delegate gives a caregiver — a parent, a child, a spouse — access to your
records: which rights (view; share with a doctor on your behalf; manage your
shares), which records (all, or by category or FHIR type), until when. The
delegation is recorded on chain, committing to the terms you sign; the
caregiver receives an invitation (a link and a QR code) sealed to their
identity card, and a copy of the records in scope that hw sync keeps
current.`,
	}
	cmd.AddCommand(c.delegateAddCommand(), c.delegateListCommand(), c.delegateRevokeCommand(), c.delegateRenewCommand())
	return []*cobra.Command{cmd, c.syncCommand()}
}

// cardArg reads a caregiver's identity card given as its text (hwcard:…),
// a file holding the text, or an image of its QR code.
func cardArg(arg string) (string, error) {
	arg = strings.TrimSpace(arg)
	if strings.HasPrefix(arg, identity.CardPrefix) {
		return arg, nil
	}
	b, err := os.ReadFile(arg)
	if err != nil {
		return "", userErrorf("%q is neither an identity card (hwcard:…) nor a file holding one or its QR code: %v", oneLine(arg), err)
	}
	if text := strings.TrimSpace(string(b)); strings.HasPrefix(text, identity.CardPrefix) {
		return text, nil
	}
	f, err := os.Open(arg)
	if err != nil {
		return "", userErrorf("%s: %w", arg, err)
	}
	defer f.Close()
	text, err := share.DecodeQRImage(f)
	if err != nil {
		return "", userErrorf("%s holds no identity card, and no QR code could be read in it: %v", arg, err)
	}
	return strings.TrimSpace(text), nil
}

// categoryArg matches a category as people type it ("medications",
// "lab-results") to its name.
func categoryArg(s string) (string, error) {
	want := strings.ReplaceAll(strings.TrimSpace(s), "-", " ")
	for _, c := range record.AllCategories {
		if strings.EqualFold(c, want) {
			return c, nil
		}
	}
	return "", userErrorf("--category %q: not a record category; categories are: %s", s, strings.Join(record.AllCategories, ", "))
}

func (c *cli) delegateAddCommand() *cobra.Command {
	var (
		rights, types, categories []string
		expires, relayURL, qrFile string
	)
	cmd := &cobra.Command{
		Use:   "add CARD --rights view[,share][,manage] --expires 30d|1y|DATE [--type T…|--category C…]",
		Short: "Invite a caregiver: delegate rights over your records until a date",
		Long: `add delegates to the caregiver whose identity card CARD is (hwcard:…, a file
holding it, or a picture of its QR code).

--rights: view (see the records), share (also share them with a doctor on
your behalf), manage (also revoke your shares); default view.
--expires: 30d, 1m (a month), 1y, 12h, or a date YYYY-MM-DD (through that
day, UTC). Required: every delegation ends; hw delegate renew extends it.
--type and --category choose the records (FHIR types such as
MedicationRequest; categories such as medications, conditions, allergies,
lab-results); without them, every record. Records you add later that fall
in the scope reach the caregiver with hw sync.

The records in scope are anchored first if need be; the delegation goes
through the outbox to the chain, the copy and the invitation to the relay
(--relay URL, else the saved one). Prints the invitation link and, on a
terminal, its QR code for the caregiver to scan; --qr FILE.png writes it.
With --json, prints {"delegate","name","rights","expires","invite",
"records","problem"}: delegate is the caregiver's address for you alone,
which links them neither to their card nor to others they care for.`,
		Args: cobra.ExactArgs(1),
		RunE: c.action(func(cmd *cobra.Command, args []string) error {
			ctx := cmd.Context()
			if expires == "" {
				return userErrorf("choose when the delegation ends: --expires 30d, 1y or a date (YYYY-MM-DD); it can be renewed")
			}
			exp, err := wallet.ParseExpiry(expires, time.Now())
			if err != nil {
				return userErrorf("--expires: %v", err)
			}
			card, err := cardArg(args[0])
			if err != nil {
				return err
			}
			req := wallet.DelegateRequest{Card: card, Rights: rights, Types: types, Expires: exp, Relay: relayURL}
			for _, cat := range categories {
				name, err := categoryArg(cat)
				if err != nil {
					return err
				}
				req.Categories = append(req.Categories, name)
			}
			w, err := c.openChainWallet(ctx)
			if err != nil {
				return err
			}
			defer w.Close()
			res, err := w.AddDelegate(ctx, req)
			if err != nil {
				return shareUserError(err)
			}
			if qrFile != "" {
				if err := writeFileAtomic(ctx, qrFile, func(out io.Writer) error { _, err := out.Write(res.QR); return err }); err != nil {
					return err
				}
			}
			if c.jsonOut {
				if err := printJSON(c.stdout, res); err != nil {
					return err
				}
			} else {
				if isTerminal(c.stdout) {
					if q, err := qrcode.New(res.Invite, qrcode.Medium); err == nil {
						fmt.Fprint(c.stdout, q.ToSmallString(false))
					}
				}
				fmt.Fprintln(c.stdout, res.Invite)
				fmt.Fprintf(c.stdout, "%s may %s %s until %s (address %s).\n", res.Name, strings.Join(res.Rights, " and "),
					plural(res.Records, "record"), res.Expires.Local().Format("2006-01-02 15:04"), res.Delegate)
				fmt.Fprintf(c.stdout, "Give %s the invitation above; they accept it with hw care accept.\n", res.Name)
			}
			if res.Problem != "" {
				c.warn("%s", res.Problem)
			}
			return nil
		}),
	}
	f := cmd.Flags()
	f.StringSliceVar(&rights, "rights", []string{wallet.RightView}, "what the caregiver may do: `view`, share, manage (comma-separate)")
	f.StringVar(&expires, "expires", "", "when the delegation ends: 30d, 1m, 1y, 12h or a `DATE` (YYYY-MM-DD)")
	f.StringSliceVar(&types, "type", nil, "only records of FHIR type `T` (repeat, or comma-separate)")
	f.StringSliceVar(&categories, "category", nil, "only records of category `C` (medications, conditions, allergies, lab-results, …)")
	f.StringVar(&relayURL, "relay", "", "the relay's `URL` (default: the one saved with hw relay-url)")
	f.StringVar(&qrFile, "qr", "", "write the invitation's QR code as a PNG to `FILE`")
	return cmd
}

func (c *cli) delegateListCommand() *cobra.Command {
	return &cobra.Command{
		Use:   "list",
		Short: "List your caregivers with their rights, scope and state",
		Long: `list shows your delegations, newest first: the caregiver, their rights,
which records, until when, the state (pending: not on chain yet; active;
expired; revoking; revoked) and how many records their copy holds. The
state is asked of the chain; when it cannot be reached, problem says so.

With --json, prints an array of {"delegate","name","rights","types",
"categories","created","expires","state","records","synced","invite",
"problem","note"}.`,
		Args: cobra.NoArgs,
		RunE: c.action(func(cmd *cobra.Command, _ []string) error {
			ctx := cmd.Context()
			w, err := c.openChainWallet(ctx)
			if err != nil {
				return err
			}
			defer w.Close()
			list, err := w.Delegates(ctx)
			if err != nil {
				return shareUserError(err)
			}
			if c.jsonOut {
				return printJSON(c.stdout, list)
			}
			if len(list) == 0 {
				fmt.Fprintln(c.stderr, "No caregivers. Invite one with hw delegate add CARD --expires 1y.")
				return nil
			}
			tw := tabwriter.NewWriter(c.stdout, 0, 0, 2, ' ', 0)
			fmt.Fprintln(tw, "CAREGIVER\tSTATE\tRIGHTS\tRECORDS\tSCOPE\tEXPIRES\tADDRESS")
			for _, d := range list {
				fmt.Fprintf(tw, "%s\t%s\t%s\t%d\t%s\t%s\t%s\n", oneLine(d.Name), d.State, strings.Join(d.Rights, ","), d.Records,
					scopeText(d.Types, d.Categories), d.Expires.Local().Format("2006-01-02"), d.Delegate)
			}
			if err := tw.Flush(); err != nil {
				return err
			}
			for _, d := range list {
				if d.Problem != "" {
					c.warn("%s: %s", d.Name, d.Problem)
				}
			}
			return nil
		}),
	}
}

func scopeText(types, categories []string) string {
	if len(types) == 0 && len(categories) == 0 {
		return "all records"
	}
	return strings.Join(append(append([]string(nil), categories...), types...), ", ")
}

func (c *cli) delegateRevokeCommand() *cobra.Command {
	var yes bool
	cmd := &cobra.Command{
		Use:   "revoke ADDR|CARD|NAME",
		Short: "End a caregiver's delegation at once, on chain and at the relay",
		Long: `revoke ends the delegation to a caregiver, named by their address (as hw
delegate list shows it), their identity card, or their name: it is revoked
on chain (through the outbox) and the relay stops serving their copy at
once; shares they made for you stop verifying. Records they already synced
stay on their device: revoking cannot take them back. On a terminal hw asks
first; --yes does not.

With --json, prints the delegation as hw delegate list does.`,
		Args: cobra.ExactArgs(1),
		RunE: c.action(func(cmd *cobra.Command, args []string) error {
			ctx := cmd.Context()
			who := strings.TrimSpace(args[0])
			if !strings.HasPrefix(who, identity.CardPrefix) && !strings.HasPrefix(who, "0x") {
				if _, err := os.Stat(who); err == nil {
					if who, err = cardArg(who); err != nil {
						return err
					}
				}
			}
			w, err := c.openChainWallet(ctx)
			if err != nil {
				return err
			}
			defer w.Close()
			if c.tty != nil && !yes {
				if err := c.askYes(ctx, "End this delegation? The caregiver can no longer fetch or share your records; what they already synced stays on their device. [y/N] ", "not revoked"); err != nil {
					return err
				}
			}
			info, err := w.RevokeDelegate(ctx, who)
			if err != nil {
				return shareUserError(err)
			}
			if c.jsonOut {
				if err := printJSON(c.stdout, info); err != nil {
					return err
				}
			} else {
				fmt.Fprintf(c.stdout, "Revoked: %s.\n", info.Note)
			}
			if info.Problem != "" {
				c.warn("%s", info.Problem)
			}
			return nil
		}),
	}
	cmd.Flags().BoolVarP(&yes, "yes", "y", false, "do not ask for confirmation")
	return cmd
}

func (c *cli) delegateRenewCommand() *cobra.Command {
	var expires string
	cmd := &cobra.Command{
		Use:   "renew ADDR|CARD|NAME --expires 30d|1y|DATE",
		Short: "Move a caregiver's delegation to a new expiry (same rights and records)",
		Long: `renew signs the delegation's terms again with a new expiry, commits them on
chain and updates the caregiver's copy. With --json, prints the delegation
as hw delegate list does.`,
		Args: cobra.ExactArgs(1),
		RunE: c.action(func(cmd *cobra.Command, args []string) error {
			ctx := cmd.Context()
			if expires == "" {
				return userErrorf("choose the new end: --expires 30d, 1y or a date (YYYY-MM-DD)")
			}
			exp, err := wallet.ParseExpiry(expires, time.Now())
			if err != nil {
				return userErrorf("--expires: %v", err)
			}
			w, err := c.openChainWallet(ctx)
			if err != nil {
				return err
			}
			defer w.Close()
			info, err := w.RenewDelegate(ctx, args[0], exp)
			if err != nil {
				return shareUserError(err)
			}
			if c.jsonOut {
				if err := printJSON(c.stdout, info); err != nil {
					return err
				}
			} else {
				fmt.Fprintf(c.stdout, "%s's delegation now runs until %s.\n", info.Name, info.Expires.Local().Format("2006-01-02 15:04"))
			}
			if info.Problem != "" {
				c.warn("%s", info.Problem)
			}
			return nil
		}),
	}
	cmd.Flags().StringVar(&expires, "expires", "", "the new end: 30d, 1m, 1y, 12h or a `DATE` (YYYY-MM-DD)")
	return cmd
}

func (c *cli) syncCommand() *cobra.Command {
	return &cobra.Command{
		Use:   "sync",
		Short: "Anchor what waits and bring every caregiver's copy up to date",
		Long: `sync anchors the records waiting for the chain, then rebuilds the copy of
each active caregiver and uploads it when it changed: records you imported
since reach them on their next hw care sync.

With --json, prints {"anchor":{…as hw anchor…},"delegates":[{"delegate",
"name","records","added","problem"}]}. A caregiver whose copy could not be
updated has a problem, and hw exits 1.`,
		Args: cobra.NoArgs,
		RunE: c.action(func(cmd *cobra.Command, _ []string) error {
			ctx := cmd.Context()
			w, err := c.openChainWallet(ctx)
			if err != nil {
				return err
			}
			defer w.Close()
			rep, err := w.Sync(ctx)
			if err != nil {
				return shareUserError(err)
			}
			if c.jsonOut {
				if err := printJSON(c.stdout, rep); err != nil {
					return err
				}
			} else {
				if len(rep.Delegates) == 0 {
					fmt.Fprintln(c.stdout, "No active caregiver to update.")
				}
				for _, d := range rep.Delegates {
					fmt.Fprintf(c.stdout, "%s: %s (%d new).\n", d.Name, plural(d.Records, "record"), d.Added)
				}
			}
			var failed []string
			for _, d := range rep.Delegates {
				if d.Problem != "" {
					failed = append(failed, d.Name+": "+d.Problem)
				}
			}
			if len(failed) > 0 {
				return userErrorf("not every caregiver's copy is up to date: %s; hw sync again later", strings.Join(failed, "; "))
			}
			return nil
		}),
	}
}
