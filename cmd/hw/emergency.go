package main

import (
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"healthwallet/wallet"
	"healthwallet/wallet/emergency"
)

// This file: hw emergency (set, show, card, revoke): the emergency card
// (DESIGN §8), an International Patient Summary behind a long-lived link
// whose every opening is recorded on chain as break-glass.

// emergencyCommands are hw emergency (set, show, card, revoke).
func (c *cli) emergencyCommands() []*cobra.Command {
	cmd := &cobra.Command{
		Use:   "emergency",
		Short: "Your emergency card: blood type, contacts, allergies, medications, problems",
		Long: `emergency keeps your emergency profile (blood type, contacts, organ donor,
notes, which records to include) and makes the emergency card: a printable
card and page with a QR code that any phone camera opens, showing an
International Patient Summary. Every opening is recorded on chain by the
relay (break-glass, purpose ETREAT) and shows in hw access-log as EMERGENCY.`,
	}
	cmd.AddCommand(c.emergencySetCommand(), c.emergencyShowCommand(), c.emergencyCardCommand(), c.emergencyRevokeCommand())
	return []*cobra.Command{cmd}
}

func (c *cli) emergencySetCommand() *cobra.Command {
	var (
		bloodType, organDonor, notes string
		contacts, include            []string
		defaultRecords, noContacts   bool
	)
	cmd := &cobra.Command{
		Use:   "set [--blood-type T] [--contact \"Name, relation, phone\"…] [--organ-donor yes|no] [--notes TEXT] [--include ID…]",
		Short: "Save your emergency profile",
		Long: `set saves your emergency profile, sealed in the wallet. Only the flags given
change; the rest stays as saved.

--blood-type is A+, A-, B+, B-, AB+, AB-, O+, O- or unknown. --contact
"Name, relation, phone" (repeat for each, at most 5) replaces the contacts;
--no-contacts removes them. --organ-donor yes or no ("" to leave it unsaid).
--include ID… chooses the records on the card (allergies, medications,
problems, immunizations, devices; hw emergency show lists them);
--default-records goes back to the default: the active ones.

Make the card again (hw emergency card) for the change to reach it.
With --json, prints the saved profile.`,
		Args: cobra.NoArgs,
		RunE: c.action(func(cmd *cobra.Command, _ []string) error {
			ctx := cmd.Context()
			w, err := c.openWallet(ctx)
			if err != nil {
				return err
			}
			defer w.Close()
			p, err := w.EmergencyProfile()
			if err != nil {
				return err
			}
			f := cmd.Flags()
			if f.Changed("blood-type") {
				p.BloodType = bloodType
			}
			if f.Changed("contact") {
				p.Contacts = nil
				for _, s := range contacts {
					ct, err := emergency.ParseContact(s)
					if err != nil {
						return userErrorf("--contact: %v", err)
					}
					p.Contacts = append(p.Contacts, ct)
				}
			}
			if noContacts {
				p.Contacts = nil
			}
			if f.Changed("organ-donor") {
				p.OrganDonor = organDonor
			}
			if f.Changed("notes") {
				p.Notes = notes
			}
			if defaultRecords && f.Changed("include") {
				return userErrorf("choose either --include ID… or --default-records, not both")
			}
			if defaultRecords {
				p.Include = nil
			}
			if f.Changed("include") {
				p.Include = []string{}
				for _, a := range include {
					id, err := resolveID(w, a)
					if err != nil {
						return err
					}
					p.Include = append(p.Include, id)
				}
			}
			if err := w.SetEmergencyProfile(p); err != nil {
				return shareUserError(err)
			}
			saved, err := w.EmergencyProfile()
			if err != nil {
				return err
			}
			if c.jsonOut {
				return printJSON(c.stdout, saved)
			}
			c.printEmergencyProfile(c.stdout, saved)
			return nil
		}),
	}
	f := cmd.Flags()
	f.StringVar(&bloodType, "blood-type", "", "your blood type `T`: A+, A-, B+, B-, AB+, AB-, O+, O- or unknown")
	f.StringArrayVar(&contacts, "contact", nil, "an emergency contact, `\"Name, relation, phone\"` (repeat)")
	f.BoolVar(&noContacts, "no-contacts", false, "remove the emergency contacts")
	f.StringVar(&organDonor, "organ-donor", "", "organ donor: yes or no")
	f.StringVar(&notes, "notes", "", "a short note for whoever helps you (at most 500 characters)")
	f.StringSliceVar(&include, "include", nil, "the records on the card, by `ID` (repeat, or comma-separate)")
	f.BoolVar(&defaultRecords, "default-records", false, "put the active allergies, medications, problems, immunizations and devices on the card")
	return cmd
}

func (c *cli) printEmergencyProfile(out io.Writer, p wallet.EmergencyProfile) {
	bt := p.BloodType
	if bt == "" {
		bt = "unknown"
	}
	fmt.Fprintf(out, "Blood type:  %s\n", bt)
	for _, ct := range p.Contacts {
		fmt.Fprintf(out, "Contact:     %s (%s) %s\n", ct.Name, ct.Relation, ct.Phone)
	}
	if p.OrganDonor != "" {
		fmt.Fprintf(out, "Organ donor: %s\n", p.OrganDonor)
	}
	if p.Notes != "" {
		fmt.Fprintf(out, "Notes:       %s\n", oneLine(p.Notes))
	}
	if p.Include == nil {
		fmt.Fprintln(out, "Records:     the active allergies, medications, problems, immunizations and devices")
	} else {
		fmt.Fprintf(out, "Records:     %d chosen\n", len(p.Include))
	}
}

// emergencyRecord is a record the card may carry, as hw emergency show
// lists it.
type emergencyRecord struct {
	ID       string `json:"id"`
	Type     string `json:"resourceType"`
	Title    string `json:"title"`
	Status   string `json:"status,omitempty"`
	Included bool   `json:"included"`
}

func (c *cli) emergencyShowCommand() *cobra.Command {
	return &cobra.Command{
		Use:   "show",
		Short: "Show your emergency profile, card and the records it may carry",
		Long: `show prints the emergency profile, the current card (its link, expiry and
state) and the records the card may carry, marking those on it.

With --json, prints {"profile","card","records"}: card is null when there is
none; records are {"id","resourceType","title","status","included"}.`,
		Args: cobra.NoArgs,
		RunE: c.action(func(cmd *cobra.Command, _ []string) error {
			ctx := cmd.Context()
			w, err := c.openChainWallet(ctx)
			if err != nil {
				return err
			}
			defer w.Close()
			p, err := w.EmergencyProfile()
			if err != nil {
				return err
			}
			card, hasCard, err := w.CurrentEmergencyCard(ctx)
			if err != nil {
				return sharingError(err)
			}
			recs, included, err := w.EmergencyCandidates()
			if err != nil {
				return err
			}
			list := make([]emergencyRecord, 0, len(recs))
			for _, r := range recs {
				list = append(list, emergencyRecord{ID: r.ID, Type: r.ResourceType, Title: r.Title, Status: r.Status, Included: included[r.ID]})
			}
			if c.jsonOut {
				var cardOut *wallet.EmergencyCard
				if hasCard {
					cardOut = &card
				}
				return printJSON(c.stdout, map[string]any{"profile": p, "card": cardOut, "records": list})
			}
			c.printEmergencyProfile(c.stdout, p)
			if hasCard {
				fmt.Fprintf(c.stdout, "Card:        %s until %s (%s)\n", card.State, card.Expires.Local().Format(time.DateOnly), card.Link)
				if card.Problem != "" {
					fmt.Fprintf(c.stdout, "             %s\n", card.Problem)
				}
			} else {
				fmt.Fprintln(c.stdout, "Card:        none yet (hw emergency card --relay URL --pdf card.pdf)")
			}
			for _, r := range list {
				mark := " "
				if r.Included {
					mark = "x"
				}
				fmt.Fprintf(c.stdout, "[%s] %s  %-18s %s\n", mark, shortID(r.ID), r.Type, oneLine(r.Title))
			}
			return nil
		}),
	}
}

// parseCardTTL reads --ttl of a card: 1y, or what hw share accepts.
func parseCardTTL(s string) (time.Duration, error) {
	switch strings.TrimSpace(s) {
	case "":
		return wallet.DefaultEmergencyTTL, nil
	case "1y":
		return 365 * 24 * time.Hour, nil
	}
	return wallet.ParseTTL(s)
}

func (c *cli) emergencyCardCommand() *cobra.Command {
	var relayURL, pdfFile, pngFile, paper, ttl string
	cmd := &cobra.Command{
		Use:   "card [--relay URL] [--pdf FILE] [--png FILE] [--paper A4|Letter] [--ttl 1y]",
		Short: "Make (or renew) your emergency card and print it",
		Long: `card builds an International Patient Summary from your emergency profile and
the chosen records, and shares it behind a link that works for --ttl (default
1y), purpose ETREAT, with no passcode: anyone who scans the card can open it,
and every opening is recorded on chain by the relay (break-glass). Making it
again renews it and revokes the old card.

--pdf FILE writes an A4 (or --paper Letter) page with the wallet-size card
to cut out; --png FILE the wallet-size card (85.6 × 54 mm at 300 dpi).

The relay is --relay URL, else the saved one, else your network's; it must
record openings on chain (a network's relay does; hw relay needs --chain and
--submitter-key). With --json, prints {"link","expires","id","records",
"state","problem"}.`,
		Args: cobra.NoArgs,
		RunE: c.action(func(cmd *cobra.Command, _ []string) error {
			ctx := cmd.Context()
			d, err := parseCardTTL(ttl)
			if err != nil {
				return userErrorf("--ttl: %v", err)
			}
			if paper != emergency.PaperA4 && paper != emergency.PaperLetter {
				return userErrorf("--paper %q: use A4 or Letter", paper)
			}
			w, err := c.openChainWallet(ctx)
			if err != nil {
				return err
			}
			defer w.Close()
			card, err := w.MakeEmergencyCard(ctx, wallet.EmergencyCardRequest{Relay: relayURL, TTL: d})
			if err != nil {
				return shareUserError(err)
			}
			if pdfFile != "" {
				doc, err := w.EmergencyCardPDFOn(ctx, paper)
				if err != nil {
					return err
				}
				if err := writeFileAtomic(ctx, pdfFile, func(out io.Writer) error { _, err := out.Write(doc); return err }); err != nil {
					return err
				}
			}
			if pngFile != "" {
				img, err := w.EmergencyCardPNG(ctx)
				if err != nil {
					return err
				}
				if err := writeFileAtomic(ctx, pngFile, func(out io.Writer) error { _, err := out.Write(img); return err }); err != nil {
					return err
				}
			}
			if c.jsonOut {
				return printJSON(c.stdout, card)
			}
			fmt.Fprintf(c.stdout, "Emergency card made: %d records, works until %s.\n%s\n", card.Records, card.Expires.Local().Format(time.DateOnly), card.Link)
			if card.Problem != "" {
				c.warn("%s", card.Problem)
			}
			return nil
		}),
	}
	f := cmd.Flags()
	f.StringVar(&relayURL, "relay", "", "the relay's `URL` (default: the saved one, else your network's)")
	f.StringVar(&pdfFile, "pdf", "", "write the printable page (with the card to cut out) to `FILE`")
	f.StringVar(&pngFile, "png", "", "write the wallet-size card as a PNG to `FILE`")
	f.StringVar(&paper, "paper", emergency.PaperA4, "the PDF's paper: A4 or Letter")
	f.StringVar(&ttl, "ttl", "1y", "how long the card works: 1y, or a duration such as 30d")
	return cmd
}

func (c *cli) emergencyRevokeCommand() *cobra.Command {
	return &cobra.Command{
		Use:   "revoke",
		Short: "Revoke your emergency card: its QR stops opening",
		Long: `revoke ends the current emergency card at once: the relay stops serving it
and its grant is revoked on chain. Printed copies stop working. With --json,
prints {"revoked": ID}.`,
		Args: cobra.NoArgs,
		RunE: c.action(func(cmd *cobra.Command, _ []string) error {
			ctx := cmd.Context()
			w, err := c.openChainWallet(ctx)
			if err != nil {
				return err
			}
			defer w.Close()
			card, ok, err := w.CurrentEmergencyCard(ctx)
			if err != nil {
				return sharingError(err)
			}
			if !ok {
				return userErrorf("%v", wallet.ErrNoEmergencyCard)
			}
			if err := w.RevokeEmergencyCard(ctx); err != nil {
				return sharingError(err)
			}
			if c.jsonOut {
				return printJSON(c.stdout, map[string]string{"revoked": card.ID})
			}
			fmt.Fprintln(c.stdout, "Emergency card revoked: its QR no longer opens.")
			return nil
		}),
	}
}
