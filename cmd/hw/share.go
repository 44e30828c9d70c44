package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/skip2/go-qrcode"
	"github.com/spf13/cobra"
	"github.com/spf13/pflag"

	"healthwallet/wallet"
)

// This file: hw share, hw shares, hw revoke, hw access-log and hw relay-url —
// the patient's side of sharing (DESIGN §7).

// shareCommands are the patient's sharing commands.
func (c *cli) shareCommands() []*cobra.Command {
	return []*cobra.Command{c.shareCommand(), c.sharesCommand(), c.revokeCommand(), c.accessLogCommand(), c.relayURLCommand()}
}

// sharingSentinels are the wallet's sharing errors whose text says what to do.
var sharingSentinels = []error{
	wallet.ErrNoRelay, wallet.ErrRelayUnreachable, wallet.ErrNotAnchored, wallet.ErrNoShare, wallet.ErrRevokePending, wallet.ErrIncomplete,
}

// sharingError marks the wallet's sharing errors a person can act on as
// such (exit code 1), and keeps the rest as they are.
func sharingError(err error) error {
	if err == nil {
		return nil
	}
	for _, s := range sharingSentinels {
		if errors.Is(err, s) {
			return &userError{msg: err.Error(), err: err}
		}
	}
	return err
}

// parseShareDate reads --from/--to: a day (2006-01-02) or an RFC 3339 time.
// A day given to --to includes the whole day.
func parseShareDate(flag, s string, end bool) (time.Time, error) {
	if s == "" {
		return time.Time{}, nil
	}
	if t, err := time.Parse(time.RFC3339, s); err == nil {
		return t, nil
	}
	t, err := time.ParseInLocation(time.DateOnly, s, time.Local)
	if err != nil {
		return time.Time{}, userErrorf("--%s %q: give a day (2024-03-31) or a time (2024-03-31T14:00:00Z)", flag, s)
	}
	if end {
		t = t.AddDate(0, 0, 1).Add(-time.Nanosecond)
	}
	return t, nil
}

// shareFlags are the flags that choose records and say how to share them:
// hw share and hw care share take the same ones.
type shareFlags struct {
	types                                                                []string
	from, to, ttl, purpose, passcode, recipient, label, qrFile, relayURL string
	all                                                                  bool
}

// register adds the flags to f; allHelp and relayHelp are the words of
// --all and --relay, which differ between the two commands.
func (s *shareFlags) register(f *pflag.FlagSet, allHelp, relayHelp string) {
	f.StringSliceVar(&s.types, "type", nil, "share records of FHIR type `T` (repeat, or comma-separate)")
	f.StringVar(&s.from, "from", "", "share records dated on or after `DATE`")
	f.StringVar(&s.to, "to", "", "share records dated on or before `DATE`")
	f.BoolVar(&s.all, "all", false, allHelp)
	f.StringVar(&s.ttl, "ttl", "", "how long the link works: 15m, 1h, 1d, 1w or a duration `D`")
	f.StringVar(&s.purpose, "purpose", "", "HL7 PurposeOfUse `CODE`: TREAT, ETREAT, CAREMGT, PATRQT, …")
	f.StringVar(&s.passcode, "passcode", "", "the receiver must type `P` to open the link")
	f.StringVar(&s.recipient, "recipient", "", "address the share to this identity `CARD` (hwcard:…, or @FILE)")
	f.StringVar(&s.label, "label", "", "a short `LABEL` shown to the receiver (at most 80 characters)")
	f.StringVar(&s.qrFile, "qr", "", "write the QR code as a PNG to `FILE`")
	f.StringVar(&s.relayURL, "relay", "", relayHelp)
}

// request checks the flags and makes the wallet's share request from them;
// the caller adds the record ids it resolves.
func (s *shareFlags) request() (wallet.ShareRequest, error) {
	if s.ttl == "" {
		return wallet.ShareRequest{}, userErrorf("choose how long the link works: --ttl 15m, 1h, 1d, 1w or a duration such as 90m")
	}
	d, err := wallet.ParseTTL(s.ttl)
	if err != nil {
		return wallet.ShareRequest{}, userErrorf("--ttl: %v", err)
	}
	if s.purpose == "" {
		return wallet.ShareRequest{}, userErrorf("say why you share: --purpose TREAT (treatment), ETREAT (emergency), CAREMGT (care management), PATRQT (your own request), …")
	}
	req := wallet.ShareRequest{
		ResourceTypes: s.types, All: s.all, TTL: d, Purpose: s.purpose, Passcode: s.passcode,
		Recipient: s.recipient, Label: s.label, Relay: s.relayURL,
	}
	if req.From, err = parseShareDate("from", s.from, false); err != nil {
		return wallet.ShareRequest{}, err
	}
	if req.To, err = parseShareDate("to", s.to, true); err != nil {
		return wallet.ShareRequest{}, err
	}
	if strings.HasPrefix(s.recipient, "@") {
		b, err := os.ReadFile(s.recipient[1:])
		if err != nil {
			return wallet.ShareRequest{}, userErrorf("--recipient: %w", err)
		}
		req.Recipient = string(b)
	}
	return req, nil
}

// printShareResult writes the QR file when asked and prints the share made.
func (c *cli) printShareResult(ctx context.Context, res wallet.ShareResult, qrFile string) error {
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
		c.printShare(res)
	}
	if res.Problem != "" {
		c.warn("%s", res.Problem)
	}
	return nil
}

func (c *cli) shareCommand() *cobra.Command {
	var (
		sf     shareFlags
		direct string
		who    personFlags
	)
	cmd := &cobra.Command{
		Use:   "share [ID…] [--type T…] [--from DATE --to DATE] [--all] --ttl D --purpose CODE",
		Short: "Share your patient summary, or chosen records, as a link and QR code that a doctor can open and verify",
		Long: `share makes a SMART Health Link to the chosen records: it encrypts them with
their proofs under a fresh key, uploads them to the relay, and issues a grant
on the chain that the receiver checks.

With no choice, it shares your patient summary: allergies, active problems,
current medications, immunizations, and results and vital signs (the latest
of each test, and every one from the last 12 months). It says what the
summary holds before sharing. Or choose records by id (as hw records lists
them; a unique prefix will do), --type, a --from/--to date range, or --all
(every record, insurance and billing included). Billing records (Claim,
ExplanationOfBenefit, Coverage…) are shared only when chosen by id, by
--type or with --all. Each record must be anchored; hw share anchors those
that are not yet, waiting a little for their block.

A share is about one person: your records, or with --person P those of
someone kept apart in this wallet (hw people), granted under their own
address. Ids of two people's records are refused.

--ttl is how long the link works: 15m, 1h, 1d, 1w, or a duration such as 90m.
--purpose is an HL7 PurposeOfUse code: TREAT, ETREAT, CAREMGT, PATRQT, …
--passcode makes the receiver type it. --recipient hwcard:… addresses the
share to the holder of that identity card.

The relay is --relay URL, else the one saved with hw relay-url. With --direct
ADDR (e.g. 0.0.0.0:8080) the wallet serves the link itself on the local
network instead, until interrupted (Ctrl-C).

Prints the link and, on a terminal, its QR code; --qr FILE.png writes the QR
as an image. The link is the relay's web viewer with the SMART Health Link
after the '#' (<relay>/view#shlink:/…): a phone camera opens it in a
browser, which decrypts and verifies the share there, and hw receive, the
app and other SHL viewers read it too. With --json, prints {"id","link",
"viewer","expires","grant","records","problem"}: viewer is that same viewer
URL; problem is set when the grant is not on chain yet (the link works once
it is).`,
		RunE: c.action(func(cmd *cobra.Command, args []string) error {
			ctx := cmd.Context()
			req, err := sf.request()
			if err != nil {
				return err
			}
			w, err := c.openChainWallet(ctx)
			if err != nil {
				return err
			}
			defer w.Close()
			if req.Person, err = who.resolve(w); err != nil {
				return err
			}
			if who.caredFor != "" {
				return userErrorf("share the records of someone you care for with hw care share %s", who.caredFor)
			}
			for _, a := range args {
				id, err := resolveID(w, a)
				if err != nil {
					return err
				}
				req.IDs = append(req.IDs, id)
			}
			if err := c.defaultToSummary(w, &req); err != nil {
				return err
			}
			var res wallet.ShareResult
			if direct != "" {
				res, err = w.ShareDirect(ctx, req, direct)
			} else {
				res, err = w.Share(ctx, req)
			}
			if err != nil {
				return shareUserError(err)
			}
			if err := c.printShareResult(ctx, res, sf.qrFile); err != nil {
				return err
			}
			if direct != "" {
				fmt.Fprintln(c.stderr, "Serving the link on the local network; press Ctrl-C to stop.")
				<-ctx.Done()
			}
			return nil
		}),
	}
	f := cmd.Flags()
	sf.register(f, "share every record, insurance and billing included (default: your patient summary)", "the relay's `URL` (default: the one saved with hw relay-url)")
	f.StringVar(&direct, "direct", "", "serve the link from this machine on the local network at `ADDR` until interrupted")
	who.add(cmd, false)
	return cmd
}

// defaultToSummary makes a request that chooses nothing a share of the
// patient summary, and says on stderr what the summary holds.
func (c *cli) defaultToSummary(w *wallet.Wallet, req *wallet.ShareRequest) error {
	if choosesRecords(*req) {
		return nil
	}
	sum, err := w.PatientSummary(req.Person)
	if err != nil {
		return err
	}
	whose := "your"
	if req.Person != "" && req.Person != wallet.OwnerID {
		if p, err := w.FindPerson(req.Person); err == nil {
			whose = p.Name + "'s"
		}
	}
	c.shareSummary(req, whose, sum)
	return nil
}

// careDefaultToSummary is defaultToSummary for hw care share: a request
// that chooses nothing shares the summary of person's records synced here.
func (c *cli) careDefaultToSummary(w *wallet.Wallet, person string, req *wallet.ShareRequest) error {
	if choosesRecords(*req) {
		return nil
	}
	sum, name, err := w.CarePatientSummary(person)
	if err != nil {
		return careError(err)
	}
	c.shareSummary(req, name+"'s", sum)
	return nil
}

// choosesRecords: the request names what to share (every record, ids,
// types or dates), so it is not the summary by default.
func choosesRecords(req wallet.ShareRequest) bool {
	return req.All || len(req.IDs) > 0 || len(req.ResourceTypes) > 0 || !req.From.IsZero() || !req.To.IsZero()
}

// shareSummary makes req a share of the patient summary sum, and says on
// stderr whose it is and what it holds.
func (c *cli) shareSummary(req *wallet.ShareRequest, whose string, sum wallet.PatientSummary) {
	req.Summary = true
	fmt.Fprintf(c.stderr, "Sharing %s patient summary: %s (%s). Use --all for every record, or --type, --from/--to or ids to choose.\n",
		whose, plural(len(sum.Records()), "record"), sum.Describe())
}

// shareUserError turns the wallet's request errors (bad purpose, no
// records…) into one-line user errors: everything Share refuses before it
// talks to anyone is the person's to fix.
func shareUserError(err error) error {
	if e := sharingError(err); e != err {
		return e
	}
	var ue *userError
	if errors.As(err, &ue) || errors.Is(err, context.Canceled) {
		return err
	}
	for _, s := range userSentinels {
		if errors.Is(err, s) {
			return err
		}
	}
	return &userError{msg: err.Error(), err: err}
}

func (c *cli) printShare(res wallet.ShareResult) {
	if isTerminal(c.stdout) {
		if q, err := qrcode.New(res.Link, qrcode.Medium); err == nil {
			fmt.Fprint(c.stdout, q.ToSmallString(false))
		}
	}
	fmt.Fprintln(c.stdout, res.Link)
	fmt.Fprintf(c.stdout, "Share %s: %s, until %s.\n", res.ID, plural(res.Records, "record"), res.Expires.Local().Format("2006-01-02 15:04"))
}

func (c *cli) sharesCommand() *cobra.Command {
	return &cobra.Command{
		Use:   "shares",
		Short: "List your shares with their live state",
		Long: `shares lists your shares, newest first: state (active, pending, expired,
revoked, locked, failed, stopped), how often the relay served them, and until
when. A direct share (hw share --direct, or the app's share from this device)
is "stopped" once its server ended: its link no longer opens, though its
grant stands on chain until it expires or is revoked; its openings stay in
hw access-log. The state is asked of the relay and the chain; when one cannot
be reached, the share's problem says so and the state is what the wallet last
knew.

With --json, prints an array of {"id","label","purpose","created","expires",
"state","opened","records","relay","link","revoking","direct","serving","grant",
"problem"}; "serving" is set on a direct share this very program serves.`,
		Args: cobra.NoArgs,
		RunE: c.action(func(cmd *cobra.Command, _ []string) error {
			ctx := cmd.Context()
			w, err := c.openChainWallet(ctx)
			if err != nil {
				return err
			}
			defer w.Close()
			shares, err := w.Shares(ctx)
			if err != nil {
				return sharingError(err)
			}
			if c.jsonOut {
				return printJSON(c.stdout, shares)
			}
			if len(shares) == 0 {
				fmt.Fprintln(c.stderr, "No shares.")
				return nil
			}
			tw := tabwriter.NewWriter(c.stdout, 0, 0, 2, ' ', 0)
			fmt.Fprintln(tw, "ID\tSTATE\tPURPOSE\tRECORDS\tOPENED\tEXPIRES\tLABEL")
			for _, s := range shares {
				state := s.State
				if s.Revoking {
					state += " (confirming)"
				}
				fmt.Fprintf(tw, "%s\t%s\t%s\t%d\t%d\t%s\t%s\n", shortID(s.ID), state, s.Purpose, s.Records, s.Opened, s.Expires.Local().Format("2006-01-02 15:04"), s.Label)
			}
			if err := tw.Flush(); err != nil {
				return err
			}
			for _, s := range shares {
				if s.Problem != "" {
					c.warn("share %s: %s", shortID(s.ID), s.Problem)
				}
			}
			return nil
		}),
	}
}

func (c *cli) revokeCommand() *cobra.Command {
	var yes, all bool
	cmd := &cobra.Command{
		Use:   "revoke ID | --all",
		Short: "End a share at once, at the relay and on the chain",
		Long: `revoke ends a share: the relay stops serving it (404 from now on) and its
grant is revoked on the chain, so a receiver that kept the files sees it
revoked. ID is as hw shares lists it (a unique prefix will do). On a
terminal hw asks first; --yes does not.

If the relay cannot be reached, the chain's revocation makes it refuse the
link, and the relay is told on the next hw shares. hw revoke fails (exit 1)
only when neither could confirm yet; the revocation is saved and retried.

--all is for a lost or stolen device, run from the recovery phrase on a new
one (hw restore): it revokes on chain every share and caregiver delegation
the patient ever made that still stands (found in the chain's history), the
shares of each person kept apart (hw people) under their own address, and
retires the old sharing key: the wallet gets a new identity card, so give
it again to caregivers and doctors; links and logs sealed to the old key no
longer open here. With --json, prints {"grants","delegations",
"sharingKeyRetired"}.`,
		Args: func(cmd *cobra.Command, args []string) error {
			if all {
				return cobra.NoArgs(cmd, args)
			}
			return cobra.ExactArgs(1)(cmd, args)
		},
		RunE: c.action(func(cmd *cobra.Command, args []string) error {
			ctx := cmd.Context()
			w, err := c.openChainWallet(ctx)
			if err != nil {
				return err
			}
			defer w.Close()
			question := "Revoke share " + strings.Join(args, "") + "? Whoever holds the link can no longer open it. [y/N] "
			if all {
				question = "Revoke every share and delegation you ever made, and retire your sharing key? [y/N] "
			}
			if c.tty != nil && !yes {
				if err := c.askYes(ctx, question, "not revoked"); err != nil {
					return err
				}
			}
			if all {
				rep, err := w.RevokeEverything(ctx)
				if err != nil {
					return sharingError(err)
				}
				if c.jsonOut {
					return printJSON(c.stdout, rep)
				}
				fmt.Fprintf(c.stdout, "Revoking %s and %s on chain; your sharing key is retired (show your new card: hw card).\n",
					plural(rep.Grants, "share"), plural(rep.Delegations, "delegation"))
				return nil
			}
			if err := w.Revoke(ctx, args[0]); err != nil {
				return sharingError(err)
			}
			if c.jsonOut {
				return printJSON(c.stdout, map[string]any{"revoked": true, "id": args[0]})
			}
			fmt.Fprintln(c.stdout, "Revoked: the link no longer opens.")
			return nil
		}),
	}
	cmd.Flags().BoolVarP(&yes, "yes", "y", false, "do not ask for confirmation")
	cmd.Flags().BoolVar(&all, "all", false, "revoke every share and delegation ever made and retire the sharing key (a lost device)")
	return cmd
}

func (c *cli) accessLogCommand() *cobra.Command {
	var fetches bool
	cmd := &cobra.Command{
		Use:   "access-log",
		Short: "Who opened your shares, when, what and why",
		Long: `access-log merges the relays' logs of your shares (sealed to your key) with
the accesses recorded on the chain: who (as the receiver described itself),
when, what, why (the purpose), newest first, one row per visit — a receiver's
fetches of one share (its manifest, its files) within minutes of each other,
as the app lists them. --fetches lists every fetch on its own row instead.
A name marked * is the receiver's own description of itself.

The chain holds each access only as a salted commitment that names no one:
this wallet records there the accesses its relays report (ON CHAIN: yes once
the entry is found), and keeps what opens them sealed in the vault. An entry
found on chain that this wallet did not make reads "a holder of the link".

With --json, prints an array of {"time","share","who","what","purpose",
"source","block","txHash","outcome","recorded","emergency"}, a visit each
(every fetch with --fetches); source is relay, direct or chain. An opening
of your emergency card (break-glass) reads EMERGENCY, and in JSON
"emergency": true with the txHash of the relay's record of it on chain. A
caregiver's action (accepted the invitation, synced their copy, shared your
records, revoked a share) names them, with "delegate" (their address for
you) and "action" in JSON, and for a share "share" its grant id. When a
relay or the chain cannot be reached, the rest is printed and hw exits 1
saying what is missing.`,
		Args: cobra.NoArgs,
		RunE: c.action(func(cmd *cobra.Command, _ []string) error {
			ctx := cmd.Context()
			w, err := c.openChainWallet(ctx)
			if err != nil {
				return err
			}
			defer w.Close()
			entries, logErr := w.AccessLog(ctx)
			if logErr != nil && !errors.Is(logErr, wallet.ErrIncomplete) {
				return sharingError(logErr)
			}
			if !fetches {
				entries = wallet.Visits(entries)
			}
			if c.jsonOut {
				if entries == nil {
					entries = []wallet.AccessEntry{}
				}
				if err := printJSON(c.stdout, entries); err != nil {
					return err
				}
			} else if len(entries) == 0 {
				fmt.Fprintln(c.stderr, "No accesses.")
			} else if err := printAccessLog(c.stdout, entries); err != nil {
				return err
			}
			return sharingError(logErr)
		}),
	}
	cmd.Flags().BoolVar(&fetches, "fetches", false, "list every fetch on its own row, not one row per visit")
	return cmd
}

// printAccessLog prints the access log as a table, a row an entry, with a
// note under it when a name is the receiver's own description of itself.
func printAccessLog(out io.Writer, entries []wallet.AccessEntry) error {
	tw := tabwriter.NewWriter(out, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "TIME\tWHO\tWHAT\tWHY\tSOURCE\tOUTCOME\tON CHAIN\tSHARE")
	selfDeclared := false
	for _, e := range entries {
		onChain := "-"
		if e.Recorded {
			onChain = "yes"
		}
		what := e.What
		if n := e.OpenedRecords(); n > 0 {
			what = plural(n, "record")
		}
		if e.Emergency {
			what = "EMERGENCY: " + what
		}
		who := oneLine(e.Who)
		if e.SelfDeclared() && who != "" {
			who += " *"
			selfDeclared = true
		}
		if e.Action != "" {
			who += " (caregiver: " + e.Action + ")"
		}
		share := shortID(e.Share)
		if e.ShareLabel != "" {
			share += " “" + oneLine(e.ShareLabel) + "”"
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n", e.Time.Local().Format("2006-01-02 15:04:05"), who, what, e.Purpose, e.Source, e.Outcome, onChain, share)
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	if selfDeclared {
		fmt.Fprintln(out, "* as they describe themselves")
	}
	return nil
}

func (c *cli) relayURLCommand() *cobra.Command {
	var clear bool
	cmd := &cobra.Command{
		Use:   "relay-url [URL]",
		Short: "Show or save the relay your shares go through",
		Long: `relay-url saves URL (https://…, or http on loopback for tests) as the relay
hw share uploads to, sealed in the wallet. Without URL it prints the saved
one; --clear forgets it.`,
		Args: cobra.MaximumNArgs(1),
		RunE: c.action(func(cmd *cobra.Command, args []string) error {
			w, err := c.openWallet(cmd.Context())
			if err != nil {
				return err
			}
			defer w.Close()
			switch {
			case clear:
				if err := w.SetRelayURL(""); err != nil {
					return err
				}
			case len(args) == 1:
				if err := w.SetRelayURL(args[0]); err != nil {
					return userErrorf("%v", err)
				}
			}
			u, err := w.RelayURL()
			if err != nil {
				return err
			}
			if c.jsonOut {
				return printJSON(c.stdout, map[string]string{"relay": u})
			}
			if u == "" {
				fmt.Fprintln(c.stdout, "No relay saved: hw relay-url URL saves one.")
				return nil
			}
			fmt.Fprintln(c.stdout, u)
			return nil
		}),
	}
	cmd.Flags().BoolVar(&clear, "clear", false, "forget the saved relay")
	return cmd
}
