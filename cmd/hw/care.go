package main

import (
	"errors"
	"fmt"
	"io"
	"os"
	"strings"
	"text/tabwriter"

	"github.com/spf13/cobra"

	"healthwallet/wallet"
	"healthwallet/wallet/care"
	"healthwallet/wallet/share"
)

// This file: hw care — the caregiver's side of issue 9: accept an
// invitation, list and sync the people cared for, read their records, share
// them with a doctor on their behalf and revoke those shares.

// careCommands are hw care (accept, list, sync, records, share, shares,
// revoke): the caregiver's side.
func (c *cli) careCommands() []*cobra.Command {
	cmd := &cobra.Command{
		Use:   "care",
		Short: "Care for someone: accept their invitation, follow and share their records",
		Long: `care is the caregiver's side of a delegation. A patient invites you with
hw delegate add YOUR-CARD; you accept their invitation (hw care accept), and
your wallet keeps a verified copy of the records they chose, in a space of
their own, brought up to date by hw care sync. With the SHARE right you can
share them with a doctor on their behalf (hw care share); the doctor's check
names you and them. PERSON is the id, address or name hw care list shows.

When the patient revokes the delegation (or it expires), sync and share stop
with a message saying so and when; the records already synced stay on this
device.`,
	}
	cmd.AddCommand(c.careAcceptCommand(), c.careListCommand(), c.careSyncCommand(), c.careRecordsCommand(),
		c.careShowCommand(), c.careShareCommand(), c.careSharesCommand(), c.careRevokeCommand())
	return []*cobra.Command{cmd, c.peopleCommand()}
}

// peopleCommand is hw people: everyone this wallet holds records of — you,
// the people imports kept apart, the people you care for — by the
// identifiers PERSON takes.
func (c *cli) peopleCommand() *cobra.Command {
	cmd := &cobra.Command{
		Use:   "people",
		Short: "List the people whose records this wallet holds",
		Long: `people lists everyone whose records this wallet holds: you first, then the
people whose records an import kept apart (hw import), then the people you
care for (hw care), by the identifiers every PERSON argument takes: their id,
their address, their birth date, or their name when it is unambiguous. With
--json, prints an array of {"id","name","birthDate","address","records",
"owner","caredFor","state"} (state: for the people you care for).

hw people handover PERSON --out DIR moves someone kept apart into a new
wallet of their own; hw people drop PERSON deletes their records.`,
		Args: cobra.NoArgs,
		RunE: c.action(func(cmd *cobra.Command, _ []string) error {
			w, err := c.openWallet(cmd.Context())
			if err != nil {
				return err
			}
			defer w.Close()
			people, err := w.People()
			if err != nil {
				return err
			}
			cared, err := w.CaredFor(cmd.Context())
			if err != nil {
				return careError(err)
			}
			state := map[string]string{}
			for _, p := range cared {
				state[p.ID] = p.State
			}
			type person struct {
				wallet.Person
				State string `json:"state,omitempty"`
			}
			out := make([]person, 0, len(people))
			for _, p := range people {
				out = append(out, person{Person: p, State: state[p.ID]})
			}
			if c.jsonOut {
				return printJSON(c.stdout, out)
			}
			tw := tabwriter.NewWriter(c.stdout, 0, 0, 2, ' ', 0)
			fmt.Fprintln(tw, "ID\tNAME\tBORN\tRECORDS\tADDRESS\tWHO")
			for _, p := range out {
				who := "kept apart by an import"
				switch {
				case p.Owner:
					who = "you"
				case p.CaredFor:
					who = "cared for (" + p.State + ")"
				}
				fmt.Fprintf(tw, "%s\t%s\t%s\t%d\t%s\t%s\n", p.ID, oneLine(p.Name), p.BirthDate, p.Records, p.Address, who)
			}
			if err := tw.Flush(); err != nil {
				return err
			}
			if len(out) == 1 {
				fmt.Fprintln(c.stderr, "Only your own records: accept a caregiver's invitation with hw care accept.")
			}
			return nil
		}),
	}
	cmd.AddCommand(c.peopleHandoverCommand(), c.peopleDropCommand())
	return cmd
}

// careError makes the wallet's caring errors a person can act on exit 1
// with their own words.
func careError(err error) error {
	if err == nil {
		return nil
	}
	for _, s := range []error{wallet.ErrDelegationEnded, wallet.ErrNoPerson, wallet.ErrNoRight, share.ErrOutsideScope,
		care.ErrBadInvitation, care.ErrNotYourInvitation, care.ErrInvitationExpired, care.ErrCopyRefused,
		care.ErrBadScope, care.ErrScopeSignature} {
		if errors.Is(err, s) {
			return &userError{msg: err.Error(), err: err}
		}
	}
	return shareUserError(err)
}

// inviteArg is the invitation from the argument: the link itself, a file
// holding it, or a picture of its QR code.
func inviteArg(arg string) (string, error) {
	arg = strings.TrimSpace(arg)
	if strings.Contains(arg, care.InvitePrefix) {
		return arg, nil
	}
	f, err := os.Open(arg)
	if err != nil {
		return "", userErrorf("%q is neither an invitation link (hwinvite:…) nor a file that can be read: %v", arg, err)
	}
	defer f.Close()
	head, err := io.ReadAll(io.LimitReader(f, 8<<10))
	if err != nil {
		return "", userErrorf("reading %s: %v", arg, err)
	}
	if strings.Contains(string(head), care.InvitePrefix) {
		return strings.TrimSpace(string(head)), nil
	}
	if _, err := f.Seek(0, io.SeekStart); err != nil {
		return "", userErrorf("reading %s: %v", arg, err)
	}
	text, err := share.DecodeQRImage(f)
	if err != nil {
		return "", userErrorf("%s holds no invitation link, and no QR code could be read from it: %v", arg, err)
	}
	return text, nil
}

func (c *cli) careAcceptCommand() *cobra.Command {
	return &cobra.Command{
		Use:   "accept INVITE",
		Short: "Accept a patient's invitation and fetch their records",
		Long: `accept opens the invitation (INVITE: the hwinvite:… link, a file holding it,
or a picture of its QR code) with this wallet's sharing key, checks the
delegation on the patient's chain and every record of their copy (signed
scope, committed on chain, anchored by the patient), and keeps the records
in a space for that person. With --json, prints {"patient","name","records",
"id","rights","expires"}.`,
		Args: cobra.ExactArgs(1),
		RunE: c.action(func(cmd *cobra.Command, args []string) error {
			ctx := cmd.Context()
			invite, err := inviteArg(args[0])
			if err != nil {
				return err
			}
			w, err := c.openChainWallet(ctx)
			if err != nil {
				return err
			}
			defer w.Close()
			p, err := w.AcceptInvitation(ctx, invite)
			if err != nil {
				return careError(err)
			}
			if c.jsonOut {
				return printJSON(c.stdout, map[string]any{"patient": p.Patient, "name": p.Name, "records": p.Records,
					"id": p.ID, "rights": p.Rights, "expires": p.Expires})
			}
			fmt.Fprintf(c.stdout, "You now care for %s (%s): %s, rights %s, until %s.\n", p.Name, p.ID, plural(p.Records, "record"),
				strings.Join(p.Rights, ", "), p.Expires.Local().Format("2006-01-02 15:04"))
			if p.Problem != "" {
				c.warn("%s", p.Problem)
			}
			return nil
		}),
	}
}

func (c *cli) careListCommand() *cobra.Command {
	return &cobra.Command{
		Use:   "list",
		Short: "List the people you care for",
		Long: `list shows the people you care for: id, name, state (active, expired,
revoked), rights, records and until when. With --json, prints an array of
{"id","patient","name","birthDate","delegate","rights","types","categories",
"expires","records","synced","state","problem","emergencyOpenings"}: each
opening of the person's emergency card seen on chain, {"time","txHash",
"block","seen"}, is flagged EMERGENCY CARD OPENED (when, not who: that is
sealed to the patient).`,
		Args: cobra.NoArgs,
		RunE: c.action(func(cmd *cobra.Command, _ []string) error {
			w, err := c.openWallet(cmd.Context())
			if err != nil {
				return err
			}
			defer w.Close()
			people, err := w.CaredFor(cmd.Context())
			if err != nil {
				return careError(err)
			}
			if c.jsonOut {
				return printJSON(c.stdout, people)
			}
			if len(people) == 0 {
				fmt.Fprintln(c.stderr, "You care for no one yet: accept an invitation with hw care accept.")
				return nil
			}
			tw := tabwriter.NewWriter(c.stdout, 0, 0, 2, ' ', 0)
			fmt.Fprintln(tw, "ID\tNAME\tSTATE\tRIGHTS\tRECORDS\tUNTIL")
			for _, p := range people {
				fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%d\t%s\n", p.ID, oneLine(p.Name), p.State, strings.Join(p.Rights, ","), p.Records, p.Expires.Local().Format("2006-01-02"))
			}
			if err := tw.Flush(); err != nil {
				return err
			}
			printOpeningsSeen(c.stdout, people)
			return nil
		}),
	}
}

func (c *cli) careSyncCommand() *cobra.Command {
	return &cobra.Command{
		Use:   "sync [PERSON]",
		Short: "Fetch the newest records of the people you care for",
		Long: `sync fetches and verifies the newest copy of PERSON's records (everyone's
without PERSON) and replaces what this wallet holds for them. When a
delegation has ended, hw says so and when, and exits 1; the records already
here stay. Each opening of their emergency card the chain recorded since the
last sync is flagged EMERGENCY CARD OPENED with its time (who opened it is
sealed to the patient: a caregiver learns only that and when). With --json,
prints an array of {"patient","name","records","added","problem",
"newEmergencyOpenings":[{"time","txHash","block","seen"}],"emergencyProblem"}.`,
		Args: cobra.MaximumNArgs(1),
		RunE: c.action(func(cmd *cobra.Command, args []string) error {
			ctx := cmd.Context()
			w, err := c.openChainWallet(ctx)
			if err != nil {
				return err
			}
			defer w.Close()
			person := ""
			if len(args) == 1 {
				person = args[0]
			}
			reports, syncErr := w.CareSync(ctx, person)
			if len(reports) == 0 && syncErr != nil {
				return careError(syncErr)
			}
			if c.jsonOut {
				if err := printJSON(c.stdout, reports); err != nil {
					return err
				}
			} else {
				for _, r := range reports {
					if r.Problem == "" {
						fmt.Fprintf(c.stdout, "%s: %s (%d new).\n", r.Name, plural(r.Records, "record"), r.Added)
					}
					printNewOpenings(c.stdout, r.Name, r.NewEmergencyOpenings)
					if r.EmergencyProblem != "" {
						c.warn("%s", r.EmergencyProblem)
					}
				}
			}
			return careError(syncErr)
		}),
	}
}

func (c *cli) careRecordsCommand() *cobra.Command {
	var q struct{ category, typ, text string }
	cmd := &cobra.Command{
		Use:   "records PERSON",
		Short: "List the records of someone you care for",
		Long: `records lists PERSON's records as this wallet last synced them, as hw records
does yours: with --json one object per line.`,
		Args: cobra.ExactArgs(1),
		RunE: c.action(func(cmd *cobra.Command, args []string) error {
			w, err := c.openWallet(cmd.Context())
			if err != nil {
				return err
			}
			defer w.Close()
			recs, err := w.CareRecords(args[0], wallet.Query{Category: q.category, ResourceType: q.typ, Text: q.text})
			if err != nil {
				return careError(err)
			}
			return c.printRecords(recs)
		}),
	}
	cmd.Flags().StringVar(&q.category, "category", "", "only records of `CATEGORY`")
	cmd.Flags().StringVar(&q.typ, "type", "", "only records of FHIR type `T`")
	cmd.Flags().StringVar(&q.text, "search", "", "only records matching `TEXT`")
	return cmd
}

func (c *cli) careShowCommand() *cobra.Command {
	return &cobra.Command{
		Use:   "show PERSON ID",
		Short: "Show one record of someone you care for",
		Args:  cobra.ExactArgs(2),
		RunE: c.action(func(cmd *cobra.Command, args []string) error {
			w, err := c.openWallet(cmd.Context())
			if err != nil {
				return err
			}
			defer w.Close()
			id, err := careRecordID(w, args[0], args[1])
			if err != nil {
				return err
			}
			d, err := w.CareRecord(args[0], id)
			if err != nil {
				return careError(err)
			}
			if c.jsonOut {
				return printJSON(c.stdout, d)
			}
			_, err = c.stdout.Write(append(d.JSON, '\n'))
			return err
		}),
	}
}

// careRecordID finds the record of person arg means: its id, a unique start
// of it, or Type/id.
func careRecordID(w *wallet.Wallet, person, arg string) (string, error) {
	all, err := w.CareRecords(person, wallet.Query{})
	if err != nil {
		return "", careError(err)
	}
	var matches []string
	for _, r := range all {
		if r.ID == arg {
			return arg, nil
		}
		if strings.HasPrefix(r.ID, strings.ToLower(arg)) || (r.ResourceID != "" && arg == r.ResourceType+"/"+r.ResourceID) {
			matches = append(matches, r.ID)
		}
	}
	switch len(matches) {
	case 0:
		return "", userErrorf("%w: %s (list them with hw care records %s)", wallet.ErrNotFound, arg, person)
	case 1:
		return matches[0], nil
	}
	return "", userErrorf("%s matches %d records: give more of the id", arg, len(matches))
}

func (c *cli) careShareCommand() *cobra.Command {
	var sf shareFlags
	cmd := &cobra.Command{
		Use:   "share PERSON [ID…] [--type T…] [--from DATE --to DATE] [--all] --ttl D --purpose CODE",
		Short: "Share the records of someone you care for with a doctor, on their behalf",
		Long: `share makes a share of PERSON's records, as hw share does yours, on their
behalf: it needs the SHARE right, the records must be in the scope they gave
you, and the link cannot outlive the delegation. The grant is issued on chain
by your address for this person, and the share carries the scope they signed,
so the doctor's check names you and them and checks every record against it.
With no choice, it shares their patient summary (of the records synced here),
as hw share does yours; --all shares every record. The relay is --relay URL,
else the patient's. Flags and output as hw share.`,
		Args: cobra.MinimumNArgs(1),
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
			for _, a := range args[1:] {
				id, err := careRecordID(w, args[0], a)
				if err != nil {
					return err
				}
				req.IDs = append(req.IDs, id)
			}
			if err := c.careDefaultToSummary(w, args[0], &req); err != nil {
				return err
			}
			res, err := w.CareShare(ctx, args[0], req)
			if err != nil {
				return careError(err)
			}
			return c.printShareResult(ctx, res, sf.qrFile)
		}),
	}
	sf.register(cmd.Flags(), "share every record of the person (default: their patient summary)", "the relay's `URL` (default: the patient's)")
	return cmd
}

func (c *cli) careSharesCommand() *cobra.Command {
	return &cobra.Command{
		Use:   "shares PERSON",
		Short: "List the shares you made on someone's behalf",
		Long: `shares lists the shares you made for PERSON, newest first, with their state
on chain. With --json, prints an array as hw shares does.`,
		Args: cobra.ExactArgs(1),
		RunE: c.action(func(cmd *cobra.Command, args []string) error {
			ctx := cmd.Context()
			w, err := c.openChainWallet(ctx)
			if err != nil {
				return err
			}
			defer w.Close()
			shares, err := w.CareShares(ctx, args[0])
			if err != nil {
				return careError(err)
			}
			if c.jsonOut {
				return printJSON(c.stdout, shares)
			}
			if len(shares) == 0 {
				fmt.Fprintln(c.stderr, "No shares.")
				return nil
			}
			tw := tabwriter.NewWriter(c.stdout, 0, 0, 2, ' ', 0)
			fmt.Fprintln(tw, "ID\tSTATE\tPURPOSE\tRECORDS\tEXPIRES\tLABEL")
			for _, s := range shares {
				fmt.Fprintf(tw, "%s\t%s\t%s\t%d\t%s\t%s\n", shortID(s.ID), s.State, s.Purpose, s.Records, s.Expires.Local().Format("2006-01-02 15:04"), s.Label)
			}
			return tw.Flush()
		}),
	}
}

func (c *cli) careRevokeCommand() *cobra.Command {
	return &cobra.Command{
		Use:   "revoke PERSON SHARE",
		Short: "Revoke a share made on someone's behalf",
		Long: `revoke ends SHARE: one you made for PERSON (its id, as hw care shares lists
it), or, with the MANAGE right, any of their grants (its digest, 0x…). The
relay stops serving it and the grant is revoked on chain.`,
		Args: cobra.ExactArgs(2),
		RunE: c.action(func(cmd *cobra.Command, args []string) error {
			ctx := cmd.Context()
			w, err := c.openChainWallet(ctx)
			if err != nil {
				return err
			}
			defer w.Close()
			if err := w.CareRevoke(ctx, args[0], args[1]); err != nil {
				return careError(err)
			}
			if c.jsonOut {
				return printJSON(c.stdout, map[string]any{"revoked": true, "id": args[1]})
			}
			fmt.Fprintln(c.stdout, "Revoked: the link no longer opens.")
			return nil
		}),
	}
}
