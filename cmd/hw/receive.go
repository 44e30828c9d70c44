package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"healthwallet/chain"
	"healthwallet/wallet"
	"healthwallet/wallet/importer"
	"healthwallet/wallet/record"
	"healthwallet/wallet/share"
)

// This file: hw receive — a doctor opening a patient's link.

// receiveCommands are the commands of a link's receiver: hw receive.
func (c *cli) receiveCommands() []*cobra.Command {
	return []*cobra.Command{c.receiveCommand()}
}

func (c *cli) receiveCommand() *cobra.Command {
	var (
		qrImage, passcode, purpose, as, out, saveDir string
	)
	cmd := &cobra.Command{
		Use:   "receive [LINK]",
		Short: "Open a SMART Health Link, verify it and show its records",
		Long: `receive opens a SMART Health Link — shlink:/…, a viewer URL with #shlink:/…,
or the QR code in an image (--qr-image) — fetches and decrypts its files, and
verifies everything it can: the link, the files, any SMART Health Card's
signature against its issuer's keys, and for a Health Wallet share the
patient's signed consent, its state on chain and every record's anchor.
It prints VERIFIED or NOT VERIFIED, then the verdict as the one sentence the
app and the web viewer show ("Intact and anchored on 12 Mar 2024, shared
with the patient's consent"), then who shared, and every check.

With a wallet (--vault / $HW_VAULT), the share is checked against the
wallet's chain and, when the wallet's address holds funds, the access is
logged on chain with its purpose. Without one, it is checked against the
chain given by --chain / $HW_CHAIN ($HW_REGISTRY, $HW_CHAIN_ID), or not on
chain at all.

A share from any other SHL issuer opens too, labelled "not verifiable on
chain". --out writes what was received as one FHIR R4 Bundle (not
encrypted), replaced whole or not at all.

Exit code 0 when the link opened, verified or not (the checks say which
failed); 1 when it could not be opened (expired, revoked, wrong passcode,
unreachable).

A Health Wallet share shows as its records only those the patient's
consent covers; any other record received with it (added by whoever served
the link, a second copy, a SMART Health Card's) is listed apart as not
covered by the patient's consent, and the share is not verified. --out
writes those apart too, to FILE with ".not-covered" before its extension.

With --json, prints {"verified","source","label","expires","purpose",
"checks":[{"name","ok","detail"}],"records":[…],"uncovered":[{"resource",
"source","reason"}],"logged","problem","patientName","patientBirthDate",
"patientWarning","network":{"name","url","chainId","registry","trusted"},
"attachments":[{"record","title","contentType","size","sha256"}],
"patients":[{"name","birthDate"}],"warnings":[…],"anchoredAt":"RFC 3339"
(when the oldest batch of the records was anchored, once checked),…}.

A share is about one person: when its records hold the Patient of more
than one, hw receive says so on stderr (in "warnings" with --json) and
names them; check with the patient which records are theirs.

Files kept by the patient (a PDF, a photo) travel with their records; each
is checked against the size and SHA-256 the patient committed to. They are
listed as documents; --save-attachments DIR writes them there, each named
after its title (made a plain file name; a name taken gets " (2)").

A share made on a network this wallet has not joined or trusted still opens:
its records are shown, not verified, with the failing check "network
trusted" naming the network; hw network trust URL trusts it.`,
		Args: cobra.MaximumNArgs(1),
		RunE: c.action(func(cmd *cobra.Command, args []string) error {
			ctx := cmd.Context()
			link, err := c.receivedLink(args, qrImage)
			if err != nil {
				return err
			}
			client := receiveHTTPClient()
			opts := wallet.ReceiveOptions{Passcode: passcode, Purpose: purpose, Recipient: strings.TrimSpace(as),
				HTTP: client, CardKeys: share.HTTPSResolver{Client: client}, Now: receiveNow()}
			got, err := c.receive(ctx, link, opts)
			var oe *wallet.OpenError
			switch {
			case errors.As(err, &oe), errors.Is(err, share.ErrUnknownPurpose):
				return &userError{msg: err.Error(), err: err}
			case err != nil:
				return err
			}
			if out != "" {
				if err := writeReceived(ctx, out, got); err != nil {
					return err
				}
			}
			saved, err := saveAttachments(ctx, saveDir, got.Attachments)
			if err != nil {
				return err
			}
			if c.jsonOut {
				// "records" and "uncovered" are always arrays, [] when empty.
				if got.Records == nil {
					got.Records = []json.RawMessage{}
				}
				if got.Uncovered == nil {
					got.Uncovered = []share.UncoveredRecord{}
				}
				return printJSON(c.stdout, got)
			}
			// A share about more than one person is said first, and
			// apart from the records (on stderr), so it is not missed.
			for _, warning := range got.Warnings {
				fmt.Fprintf(c.stderr, "hw: warning: %s\n", oneLine(warning))
			}
			c.printReceived(got, out)
			c.printAttachments(got.Attachments, saved)
			return nil
		}),
	}
	f := cmd.Flags()
	f.StringVar(&qrImage, "qr-image", "", "read the link from the QR code in `FILE` (PNG, JPEG or GIF: a photo or screenshot)")
	f.StringVar(&passcode, "passcode", "", "the link's passcode `P`, for links that need one")
	f.StringVar(&purpose, "purpose", wallet.DefaultPurpose, "why you open it, an HL7 PurposeOfUse `CODE` (TREAT, ETREAT, CAREMGT, PATRQT, …)")
	f.StringVar(&as, "as", "", "who you are, shown to the patient (`TEXT`, e.g. \"Dr. Lee, City Clinic\"; default the wallet's name)")
	f.StringVar(&saveDir, "save-attachments", "", "save the files received with the records (PDFs, images) into `DIR`, named after their titles")
	f.StringVarP(&out, "out", "o", "", "write the received records to `FILE` as one FHIR Bundle (records not covered by the patient's consent apart, to FILE.not-covered)")
	return cmd
}

// writeReceived writes the records shown as the share's content to out, as
// one FHIR Bundle, and any records not covered by the patient's consent
// apart, to uncoveredPath(out): never mixed. A file of uncovered records
// left from an earlier run is removed, so what lies beside out is this
// share's.
func writeReceived(ctx context.Context, out string, got wallet.Received) error {
	err := writeFileAtomic(ctx, out, func(f io.Writer) error {
		_, err := importer.WriteBundle(f, slices.Values(got.RecordsJSON()))
		return err
	})
	if err != nil {
		return err
	}
	apart := uncoveredPath(out)
	if len(got.Uncovered) == 0 {
		if err := os.Remove(apart); err != nil && !errors.Is(err, os.ErrNotExist) {
			return fmt.Errorf("removing the records not covered of an earlier share, %s: %w", apart, err)
		}
		return nil
	}
	return writeFileAtomic(ctx, apart, func(f io.Writer) error {
		_, err := importer.WriteBundle(f, slices.Values(got.UncoveredResources()))
		return err
	})
}

// uncoveredPath is where --out FILE puts the records not covered by the
// patient's consent: FILE with ".not-covered" before its extension.
func uncoveredPath(out string) string {
	ext := filepath.Ext(out)
	return strings.TrimSuffix(out, ext) + ".not-covered" + ext
}

// receivedLink is the link from the argument or the QR image.
func (c *cli) receivedLink(args []string, qrImage string) (string, error) {
	switch {
	case len(args) == 1 && qrImage != "":
		return "", userErrorf("give a link or --qr-image, not both")
	case len(args) == 1:
		return args[0], nil
	case qrImage == "":
		return "", userErrorf("give the link to open (shlink:/… or a viewer URL), or --qr-image FILE with a picture of its QR code")
	}
	f, err := os.Open(qrImage)
	if err != nil {
		return "", userErrorf("cannot read the QR image: %w", err)
	}
	defer f.Close()
	text, err := share.DecodeQRImage(f)
	if err != nil {
		return "", userErrorf("%s: %w", qrImage, err)
	}
	return text, nil
}

// receive opens the link with the wallet when there is one (checked against
// its chain and the networks it trusts), else anonymously against the chain
// the command line names, if any.
func (c *cli) receive(ctx context.Context, link string, opts wallet.ReceiveOptions) (wallet.Received, error) {
	dir, err := c.vaultDir()
	if err == nil && wallet.Exists(dir) {
		w, err := c.openChainWallet(ctx)
		if err != nil {
			return wallet.Received{}, err
		}
		defer w.Close()
		return w.Receive(ctx, link, opts)
	}
	if opts.Recipient == "" {
		opts.Recipient = "a doctor using hw receive (no wallet)"
	}
	s, err := c.chainSettings()
	if err != nil {
		return wallet.Received{}, err
	}
	if s.URL == "" {
		// No wallet and no chain: no network is trusted, so a Health
		// Wallet share opens unverified, naming the network it was made on.
		return wallet.ReceiveWithNetworks(ctx, link, opts, nil)
	}
	var n *chain.Network
	var problem string
	if s.URL != "" {
		n, err = chain.Dial(ctx, s.URL, registryOf(s), chainIDOf(s))
		if err != nil {
			problem = "not verified on chain: " + err.Error()
			n = nil
		} else {
			defer n.Close()
		}
	}
	got, err := wallet.ReceiveAnonymous(ctx, link, opts, n)
	if problem != "" && got.Problem == "" && got.Source == share.SourceHealthWallet {
		got.Problem = problem
	}
	return got, err
}

// printReceived prints the verification panel and the records' summaries.
func (c *cli) printReceived(r wallet.Received, out string) {
	w := c.stdout
	switch {
	case r.Verified:
		fmt.Fprintln(w, "VERIFIED: every check passed.")
	case r.Source == share.SourceOther:
		fmt.Fprintln(w, "NOT VERIFIABLE ON CHAIN: this link is from another SMART Health Links issuer.")
	default:
		fmt.Fprintf(w, "NOT VERIFIED: %s failed.\n", plural(len(r.Failed()), "check"))
	}
	// The verdict in the words the app and the web viewer use.
	fmt.Fprintf(w, "%s.\n", r.Sentence())
	if r.Label != "" {
		fmt.Fprintf(w, "Label:    %s\n", oneLine(r.Label))
	}
	if r.Source == share.SourceHealthWallet {
		switch {
		case r.PatientName != "" && r.PatientBirthDate != "":
			fmt.Fprintf(w, "Shared by %s (born %s)\n", oneLine(r.PatientName), oneLine(r.PatientBirthDate))
		case r.PatientName != "":
			fmt.Fprintf(w, "Shared by %s\n", oneLine(r.PatientName))
		default:
			fmt.Fprintf(w, "Patient:  %s\n", r.Patient.Hex())
		}
		switch ob := r.OnBehalf; {
		case ob != nil:
			who := ob.Delegate.Hex()
			if ob.DelegateName != "" {
				who = oneLine(ob.DelegateName) + " (" + who + ")"
			}
			scope := "every record"
			if len(ob.Types)+len(ob.Categories) > 0 {
				scope = strings.Join(append(append([]string{}, ob.Categories...), ob.Types...), ", ")
			}
			fmt.Fprintf(w, "Issued by: %s, caregiver, on the patient's behalf\n", who)
			fmt.Fprintf(w, "Delegation: %s; %s; until %s\n", strings.Join(ob.Rights, ", "), scope, ob.Expires.Local().Format("2006-01-02 15:04"))
		case r.Issuer != r.Patient:
			fmt.Fprintf(w, "Issued by: %s, for the patient\n", r.Issuer.Hex())
		}
		if r.PatientWarning != "" {
			fmt.Fprintf(w, "Warning:  %s\n", oneLine(r.PatientWarning))
		}
		if n := r.Network; n != nil {
			trust := "not trusted by you"
			if n.Trusted {
				trust = "trusted"
			}
			fmt.Fprintf(w, "Network:  %s, %s\n", oneLine(n.String()), trust)
		}
	}
	if r.Purpose != "" {
		fmt.Fprintf(w, "Purpose:  %s\n", r.Purpose)
	}
	if !r.Expires.IsZero() {
		fmt.Fprintf(w, "Expires:  %s\n", r.Expires.Local().Format(time.RFC1123))
	}
	fmt.Fprintln(w, "\nChecks:")
	for _, ch := range r.Checks {
		mark := "✓"
		if !ch.OK {
			mark = "✗"
		}
		if ch.Detail != "" {
			fmt.Fprintf(w, "  %s %s: %s\n", mark, ch.Name, oneLine(ch.Detail))
		} else {
			fmt.Fprintf(w, "  %s %s\n", mark, ch.Name)
		}
	}
	for _, card := range r.Cards {
		fmt.Fprintf(w, "  SMART Health Card from %s\n", card.Issuer)
	}
	if r.Logged != "" {
		fmt.Fprintf(w, "\nAccess logged on chain: %s\n", r.Logged)
	}
	if r.Problem != "" {
		fmt.Fprintf(w, "\nNote: %s\n", r.Problem)
	}
	if r.Source == share.SourceHealthWallet {
		fmt.Fprintf(w, "\n%s covered by the patient's consent:\n", plural(len(r.Records), "record"))
	} else {
		fmt.Fprintf(w, "\n%s:\n", plural(len(r.Records), "record"))
	}
	for _, raw := range r.Records {
		printRecordSummary(w, raw)
	}
	if len(r.Uncovered) > 0 {
		fmt.Fprintf(w, "\n%s NOT COVERED BY THE PATIENT'S CONSENT (added by whoever served the link, or a copy; do not rely on them):\n",
			plural(len(r.Uncovered), "record"))
		for _, u := range r.Uncovered {
			printRecordSummary(w, u.Resource)
			fmt.Fprintf(w, "      ! %s: %s\n", oneLine(u.Source), oneLine(u.Reason))
		}
	}
	if out != "" {
		fmt.Fprintf(w, "\nWrote %s to %s (not encrypted: keep it private).\n", plural(len(r.Records), "record"), out)
		if len(r.Uncovered) > 0 {
			fmt.Fprintf(w, "Wrote the %s not covered by the patient's consent apart, to %s.\n", plural(len(r.Uncovered), "record"), uncoveredPath(out))
		}
	}
}

// printRecordSummary prints one received record's summary lines.
func printRecordSummary(w io.Writer, raw json.RawMessage) {
	sum := record.Summarize(record.Resource{Type: resourceType(raw), Raw: raw})
	line := "  " + sum.Category + "  " + oneLine(sum.Title)
	if !sum.Date.IsZero() {
		line += "  (" + sum.Date.Format("2006-01-02") + ")"
	}
	fmt.Fprintln(w, line)
	for _, d := range sum.Details {
		fmt.Fprintf(w, "      %s\n", oneLine(d))
	}
}

func resourceType(raw json.RawMessage) string {
	var v struct {
		ResourceType string `json:"resourceType"`
	}
	_ = json.Unmarshal(raw, &v) // Summarize copes with what is not a resource
	return v.ResourceType
}

// Hooks for this package's tests only (hw_test.go's hw-test command sets
// them in the test binary): nil in the shipped binary, where nothing —
// neither the environment nor a flag — moves the receiver's clock or
// changes how it reaches a link's server.
var (
	// testReceiveNow, when set, is the receiver's clock.
	testReceiveNow func() time.Time
	// testReceiveTransport, when set, carries the receiver's requests.
	testReceiveTransport http.RoundTripper
)

// receiveHTTPClient is the client that fetches links and issuers' keys.
func receiveHTTPClient() *http.Client {
	return &http.Client{Timeout: 60 * time.Second, Transport: testReceiveTransport}
}

// receiveNow is the time to judge links by; zero means now.
func receiveNow() time.Time {
	if testReceiveNow != nil {
		return testReceiveNow()
	}
	return time.Time{}
}

// saveAttachments writes the received files into dir (none when dir is
// empty), each under its safe name, a taken name getting " (2)", " (3)"…,
// and returns the paths written, in order.
func saveAttachments(ctx context.Context, dir string, files []share.ReceivedAttachment) ([]string, error) {
	if dir == "" || len(files) == 0 {
		return nil, nil
	}
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return nil, userErrorf("--save-attachments: %w", err)
	}
	taken := map[string]bool{}
	out := make([]string, 0, len(files))
	for _, a := range files {
		name := a.FileName()
		ext := filepath.Ext(name)
		for n := 2; taken[name] || fileExists(filepath.Join(dir, name)); n++ {
			name = fmt.Sprintf("%s (%d)%s", strings.TrimSuffix(a.FileName(), ext), n, ext)
		}
		taken[name] = true
		path := filepath.Join(dir, name)
		err := writeFileAtomic(ctx, path, func(f io.Writer) error {
			_, err := f.Write(a.Data)
			return err
		})
		if err != nil {
			return out, err
		}
		out = append(out, path)
	}
	return out, nil
}

func fileExists(path string) bool {
	_, err := os.Lstat(path)
	return err == nil
}

// printAttachments lists the files received with the records, and where
// they were saved.
func (c *cli) printAttachments(files []share.ReceivedAttachment, saved []string) {
	if len(files) == 0 {
		return
	}
	w := c.stdout
	fmt.Fprintf(w, "\n%s (each matches the size and SHA-256 its record states):\n", plural(len(files), "document"))
	for i, a := range files {
		fmt.Fprintf(w, "  %s  %s, %s\n", oneLine(a.Title), oneLine(a.ContentType), a.SizeText())
		if i < len(saved) {
			fmt.Fprintf(w, "      saved to %s\n", saved[i])
		}
	}
	if len(saved) == 0 {
		fmt.Fprintln(w, "Save them with --save-attachments DIR.")
	}
}
