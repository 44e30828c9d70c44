package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"slices"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"healthwallet/wallet"
	"healthwallet/wallet/record"
)

// This file: the commands about records — import, records, show, search,
// export.

func (c *cli) importCommand() *cobra.Command {
	var passcode, into string
	cmd := &cobra.Command{
		Use:   "import FILE|DIR|TEXT...",
		Short: "Import records: FHIR files, health cards, C-CDA documents, PDFs, images and text",
		Long: `import reads FHIR R4 resources and Bundles (.json, .ndjson) into the wallet.
Folders are searched for .json and .ndjson files. Each file lands whole or not
at all; a file the wallet cannot read is listed as rejected and the others are
still imported (the exit code is 0 when the import ran). Records already in the
wallet are counted as duplicates; changed ones are kept as new versions.

SMART Health Cards are imported from .smart-health-card files, shc:/ QR texts
(the parts of a multi-part code may be separate files), JWS texts and QR images;
an argument may also be a pasted shc:/ text, a card's JWS or a SMART Health Link
(shlink:/…, with --passcode if it has one), whose cards and FHIR files are
imported. A card is verified only when its signature holds and its issuer is
trusted (see hw trust); others are imported unverified, with the reason.

With --json, prints {"imported","duplicates","versions","rejected","byType",
"files":[{"file","kind","records","duplicates","problem"}],
"cards":[{"file","issuer","name","signatureValid","trusted","verified","revoked","problem","records"}],
"documents":[{"file","kind","records","byType","notConverted"}],
"otherPeople":[{"id","name","birthDate","records","new"}]}.

One wallet, one person: records about someone other than you (another
Patient's name, birth date and identifiers) are kept apart in that person's
own space (see hw people; hw records --person P lists them). --into PERSON
says the files are about that person whatever their Patient says (a maiden
name, a typo): "me" for you, or anyone hw people lists; it applies to pasted
texts too. An argument may be pasted text instead of a path: an shc:/ QR
text, a card's JWS, a SMART Health Link or FHIR JSON; - reads such a text
from standard input.`,
		Args: cobra.MinimumNArgs(1),
		RunE: c.action(func(cmd *cobra.Command, args []string) error {
			return c.runImport(cmd.Context(), args, passcode, into)
		}),
	}
	cmd.Flags().StringVar(&passcode, "passcode", "", "the passcode of a SMART Health Link given as an argument")
	cmd.Flags().StringVar(&into, "into", "", "the files are about `PERSON` (me, or an id, name or birth date from hw people)")
	return cmd
}

// pastedText says whether a command-line argument is a card or a link
// rather than a path: a pasted shc:/ text, a JWS or a SMART Health Link.
func pastedText(arg string) bool {
	if _, err := os.Stat(arg); err == nil {
		return false
	}
	a := strings.TrimSpace(arg)
	return strings.HasPrefix(strings.ToLower(a), "shc:/") || strings.Contains(a, "shlink:/") ||
		(strings.HasPrefix(a, "eyJ") && strings.Count(a, ".") == 2) || strings.HasPrefix(a, "{")
}

// maxPastedText bounds what hw import - reads from standard input.
const maxPastedText = 64 << 20

func (c *cli) runImport(ctx context.Context, args []string, passcode, into string) error {
	var paths, texts []string
	for _, a := range args {
		switch {
		case a == "-":
			b, err := io.ReadAll(io.LimitReader(c.stdin, maxPastedText+1))
			if err != nil {
				return userErrorf("reading standard input: %w", err)
			}
			if len(b) > maxPastedText {
				return userErrorf("standard input holds more than %d MB: save it to a file and import the file", maxPastedText>>20)
			}
			texts = append(texts, string(b))
		case pastedText(a):
			texts = append(texts, a)
		default:
			paths = append(paths, a)
		}
	}
	var files []string
	if len(paths) > 0 || len(texts) == 0 {
		var err error
		if files, err = c.importFiles(paths); err != nil {
			return err
		}
	}
	w, err := c.openWallet(ctx)
	if err != nil {
		return err
	}
	defer w.Close()
	var progress func(wallet.ImportProgress)
	var bar *progressBar
	if c.stderrTTY && !c.jsonOut {
		bar = newProgressBar(c.stderr)
		progress = bar.update
	}
	report, err := w.ImportWith(ctx, files, wallet.ImportOptions{Into: into, Progress: progress})
	if bar != nil {
		bar.finish()
	}
	if errors.Is(err, wallet.ErrNoSuchPerson) || errors.Is(err, wallet.ErrAmbiguousPerson) {
		return userErrorf("%w", err)
	}
	if err != nil {
		return err
	}
	for _, text := range texts {
		more, err := w.ImportTextWith(ctx, text, passcode, wallet.ImportOptions{Into: into})
		if err != nil {
			return userErrorf("%w", err)
		}
		report = mergeReports(report, more)
	}
	files = append(files, texts...)
	if report.Rejected == nil {
		report.Rejected = []wallet.RejectedFile{}
	}
	if report.ByType == nil {
		report.ByType = map[string]int{}
	}
	if c.jsonOut {
		err = printJSON(c.stdout, report)
	} else {
		c.printImportReport(report, len(files))
	}
	if n := len(report.Rejected); n > 0 {
		fmt.Fprintf(c.stderr, "hw: %d of %s rejected (see the report); everything else was imported\n", n, plural(len(files), "file"))
	}
	return err
}

func (c *cli) printImportReport(r wallet.ImportReport, files int) {
	fmt.Fprintf(c.stdout, "Imported %s from %s (%d already in the wallet, %s).\n",
		plural(r.Imported, "new record"), plural(files, "file"), r.Duplicates, plural(r.Versions, "new version"))
	types := make([]string, 0, len(r.ByType))
	for t := range r.ByType {
		types = append(types, t)
	}
	slices.SortFunc(types, func(a, b string) int {
		if d := r.ByType[b] - r.ByType[a]; d != 0 {
			return d
		}
		return strings.Compare(a, b)
	})
	for _, t := range types {
		fmt.Fprintf(c.stdout, "  %6d  %s\n", r.ByType[t], t)
	}
	if len(r.Files) > 0 {
		fmt.Fprintln(c.stdout, "Files:")
	}
	for _, f := range r.Files {
		if f.Kind == wallet.FileRejected {
			fmt.Fprintf(c.stdout, "  %s: rejected: %s\n", f.File, f.Problem)
			continue
		}
		fmt.Fprintf(c.stdout, "  %s: %s, %s, %d already held\n", f.File, fileKindName(f.Kind), plural(f.Records, "record"), f.Duplicates)
	}
	for _, card := range r.Cards {
		fmt.Fprintf(c.stdout, "  Card from %s: %s, %s\n", card.File, cardVerdict(card), plural(card.Records, "record"))
	}
	for _, d := range r.Documents {
		fmt.Fprintf(c.stdout, "  Document %s: %s, %s", d.File, d.Kind, plural(d.Records, "record"))
		if n := len(d.NotConverted); n > 0 {
			fmt.Fprintf(c.stdout, ", %s not converted", plural(n, "part"))
		}
		fmt.Fprintln(c.stdout)
		for _, nc := range d.NotConverted {
			fmt.Fprintf(c.stdout, "    not converted: %s: %s\n", nc.Section, nc.Reason)
		}
	}
	for _, p := range r.OtherPeople {
		born := ""
		if p.BirthDate != "" {
			born = " (born " + p.BirthDate + ")"
		}
		fmt.Fprintf(c.stdout, "%s about %s%s, not you: kept apart in their own space (hw people; hw records --person %s).\n",
			pluralVerb(p.Records, "record is", "records are"), oneLine(p.Name), born, p.ID)
	}
}

// pluralVerb is "1 record is" or "N records are".
func pluralVerb(n int, one, many string) string {
	if n == 1 {
		return "1 " + one
	}
	return fmt.Sprintf("%d %s", n, many)
}

func fileKindName(kind string) string {
	switch kind {
	case wallet.FileFHIR:
		return "FHIR"
	case wallet.FileCard:
		return "SMART Health Card"
	case wallet.FileCCDA:
		return "C-CDA document"
	case wallet.FileDocument:
		return "document"
	}
	return kind
}

// cardVerdict says in a few words what was found of a card.
func cardVerdict(card wallet.CardReport) string {
	issuer := card.Issuer
	if card.Name != "" {
		issuer = card.Name + " (" + card.Issuer + ")"
	}
	switch {
	case card.Verified:
		return "verified, issued by " + issuer
	case card.Revoked:
		return "REVOKED by its issuer " + issuer + ", not verified"
	}
	return "NOT verified, issuer " + issuer + ": " + card.Problem + trustHint(card.Trusted)
}

// trustHint is hw's own command for what the wallet's problem text says in
// words: how to trust the issuer of a card that is not trusted.
func trustHint(trusted bool) string {
	if trusted {
		return ""
	}
	return " (hw trust add URL|FILE adds a directory of issuers)"
}

// mergeReports adds what ImportText found to a file import's report.
func mergeReports(a, b wallet.ImportReport) wallet.ImportReport {
	a.Imported += b.Imported
	a.Duplicates += b.Duplicates
	a.Versions += b.Versions
	a.Rejected = append(a.Rejected, b.Rejected...)
	if a.ByType == nil {
		a.ByType = map[string]int{}
	}
	for t, n := range b.ByType {
		a.ByType[t] += n
	}
	a.Files = append(a.Files, b.Files...)
	a.Cards = append(a.Cards, b.Cards...)
	a.Documents = append(a.Documents, b.Documents...)
	a.OtherPeople = append(a.OtherPeople, b.OtherPeople...)
	return a
}

// importFiles expands the command line into the files to import (see
// wallet.FilesToImport). A path that does not exist stops the import before
// it starts; a folder with nothing to import is skipped with a warning, and
// each file of a folder that is not imported is named, with why.
func (c *cli) importFiles(args []string) ([]string, error) {
	var files []string
	for _, arg := range args {
		if _, err := os.Stat(arg); err != nil {
			if errors.Is(err, fs.ErrNotExist) {
				return nil, userErrorf("%s: no such file or folder; nothing was imported", arg)
			}
			return nil, userErrorf("%s: %w; nothing was imported", arg, err)
		}
		found, skipped, err := wallet.ScanImportFolder(arg)
		for _, s := range skipped {
			fmt.Fprintf(c.stderr, "hw: not importing %s: %s\n", s.Path, s.Why)
		}
		if err != nil {
			fmt.Fprintf(c.stderr, "hw: skipping %v\n", err)
			continue
		}
		files = append(files, found...)
	}
	if len(files) == 0 {
		return nil, userErrorf("nothing to import: give FHIR R4 files (.json, .ndjson) or folders holding them")
	}
	return files, nil
}

func (c *cli) recordsCommand() *cobra.Command {
	var q wallet.Query
	var from, to string
	var who personFlags
	cmd := &cobra.Command{
		Use:   "records",
		Short: "List records, newest first",
		Long: `records lists the wallet's records, newest first. --from and --to take a
year, a month or a day (2024, 2024-03, 2024-03-15) or an RFC 3339 time, and
include the whole period. With --json, prints one record per line. They are
your records unless --person P (anyone hw people lists) or --everyone.`,
		Args: cobra.NoArgs,
		RunE: c.action(func(cmd *cobra.Command, _ []string) error {
			var err error
			if q.From, err = parseDate(from, false); err != nil {
				return err
			}
			if q.To, err = parseDate(to, true); err != nil {
				return err
			}
			if q.Limit < 0 {
				return userErrorf("--limit must not be negative")
			}
			w, err := c.openWallet(cmd.Context())
			if err != nil {
				return err
			}
			defer w.Close()
			var recs []record.Record
			if q.Person, err = who.resolve(w); err != nil {
				return err
			}
			if cared := who.caredFor; cared != "" {
				recs, err = w.CareRecords(cared, q)
				err = careError(err)
			} else {
				recs, err = w.Records(q)
			}
			if err != nil {
				return err
			}
			return c.printRecords(recs)
		}),
	}
	f := cmd.Flags()
	who.add(cmd, true)
	f.StringVar(&q.Category, "category", "", "only records of this category (e.g. Conditions, Medications, \"Lab results\")")
	f.StringVar(&q.ResourceType, "type", "", "only records of this FHIR resource type (e.g. Condition)")
	f.StringVar(&from, "from", "", "only records dated in or after `DATE`")
	f.StringVar(&to, "to", "", "only records dated in or before `DATE`")
	f.IntVar(&q.Limit, "limit", 0, "at most `N` records (0: all)")
	return cmd
}

// parseDate reads a --from or --to date. For --to (end), a year, month or
// day means its last instant, so that the period is included.
func parseDate(s string, end bool) (time.Time, error) {
	if s == "" {
		return time.Time{}, nil
	}
	if t, err := time.Parse(time.RFC3339, s); err == nil {
		return t, nil
	}
	for _, l := range []struct {
		layout string
		next   func(time.Time) time.Time
	}{
		{"2006-01-02", func(t time.Time) time.Time { return t.AddDate(0, 0, 1) }},
		{"2006-01", func(t time.Time) time.Time { return t.AddDate(0, 1, 0) }},
		{"2006", func(t time.Time) time.Time { return t.AddDate(1, 0, 0) }},
	} {
		if t, err := time.Parse(l.layout, s); err == nil {
			if end {
				return l.next(t).Add(-time.Nanosecond), nil
			}
			return t, nil
		}
	}
	return time.Time{}, userErrorf("%q is not a date: use 2024, 2024-03, 2024-03-15 or 2024-03-15T10:00:00Z", s)
}

func (c *cli) showCommand() *cobra.Command {
	var raw, attachment, force bool
	var out string
	cmd := &cobra.Command{
		Use:   "show ID",
		Short: "Show one record",
		Long: `show prints a record's summary and versions; --raw prints its original JSON,
exactly as it was imported. ID is the record's id, any unique start of it, or
the resource's Type/id (e.g. Patient/example). For a kept document (a PDF,
image, text or C-CDA file), --attachment --out FILE writes the file back,
byte for byte.`,
		Args: cobra.ExactArgs(1),
		RunE: c.action(func(cmd *cobra.Command, args []string) error {
			w, id, err := c.openRecord(cmd.Context(), args[0])
			if err != nil {
				return err
			}
			defer w.Close()
			if attachment {
				info, n, err := writeAttachment(w, id, out, force)
				if err != nil {
					return err
				}
				if c.jsonOut {
					return printJSON(c.stdout, map[string]any{"file": out, "bytes": n, "attachment": info})
				}
				fmt.Fprintf(c.stdout, "Wrote %s (%s, %s)\n", out, info.ContentType, formatBytes(n))
				return nil
			}
			if out != "" {
				return errNoOut
			}
			d, err := w.Record(id)
			if err != nil {
				return err
			}
			switch {
			case raw:
				c.stdout.Write(d.JSON)
				if !strings.HasSuffix(string(d.JSON), "\n") {
					fmt.Fprintln(c.stdout)
				}
				return nil
			case c.jsonOut:
				return printJSON(c.stdout, d)
			}
			c.printDetail(d)
			c.printAttachment(w, id)
			return nil
		}),
	}
	cmd.Flags().BoolVar(&raw, "raw", false, "print the original JSON")
	cmd.Flags().BoolVar(&attachment, "attachment", false, "write the record's kept file to --out")
	cmd.Flags().StringVar(&out, "out", "", "with --attachment: the `FILE` to write")
	cmd.Flags().BoolVar(&force, "force", false, "with --attachment: replace --out if it exists")
	return cmd
}

func (c *cli) printDetail(d wallet.Detail) {
	out := c.stdout
	fmt.Fprintln(out, oneLine(d.Title))
	field := func(name, value string) {
		if value != "" {
			fmt.Fprintf(out, "  %-10s %s\n", name+":", value)
		}
	}
	typ := d.ResourceType
	if d.ResourceID != "" {
		typ += " (" + d.ResourceType + "/" + d.ResourceID + ")"
	}
	field("Type", typ)
	field("Category", d.Category)
	if !d.Date.IsZero() {
		field("Date", d.Date.Format("2006-01-02 15:04 MST"))
	}
	field("Status", d.Status)
	field("Id", d.ID)
	for _, s := range d.Details {
		field("Detail", s)
	}
	for _, code := range d.Codes {
		field("Code", strings.TrimSpace(strings.Join([]string{code.System, code.Code, code.Display}, " ")))
	}
	for _, v := range d.Versions {
		field("Version", fmt.Sprintf("%d, imported %s", v.Version, v.Imported.Local().Format("2006-01-02 15:04")))
	}
	for _, line := range provenanceLines(d.Source) {
		field("Source", line)
	}
}

// provenanceLines say where a record came from and, for a card, what was
// found when it was checked.
func provenanceLines(s *record.Source) []string {
	if s == nil {
		return nil
	}
	var lines []string
	switch s.Kind {
	case record.SourceCard:
		issuer := s.Issuer
		if s.IssuerName != "" {
			issuer = s.IssuerName + " (" + s.Issuer + ")"
		}
		lines = append(lines, "SMART Health Card from "+s.File+", issued by "+issuer)
		verdict := "NOT verified"
		switch {
		case s.Revoked:
			verdict = "REVOKED by its issuer, not verified"
		case s.SignatureValid && s.Trusted:
			verdict = "verified"
		}
		verdict += fmt.Sprintf(" on %s (signature valid: %s, issuer trusted: %s)", s.CheckedAt.Local().Format("2006-01-02 15:04"), yesNo(s.SignatureValid), yesNo(s.Trusted))
		lines = append(lines, verdict)
		if s.Problem != "" {
			lines = append(lines, "Problem: "+s.Problem+trustHint(s.Trusted))
		}
	case record.SourceCCDA:
		line := "C-CDA document " + s.File
		if s.Section != "" {
			line += ", section " + s.Section
		}
		lines = append(lines, line)
	default:
		if s.File != "" {
			lines = append(lines, fileKindName(s.Kind)+" file "+s.File)
		}
	}
	return lines
}

func yesNo(b bool) string {
	if b {
		return "yes"
	}
	return "no"
}

// resolveID finds the record a person means by arg: its id, a unique start
// of its id, or Type/id of its resource.
func resolveID(w *wallet.Wallet, arg string) (string, error) {
	_, err := w.Record(arg)
	if err == nil {
		return arg, nil
	}
	if !errors.Is(err, wallet.ErrNotFound) {
		return "", err
	}
	all, err := w.Records(wallet.Query{Person: wallet.Everyone})
	if err != nil {
		return "", err
	}
	prefix := strings.ToLower(arg)
	var matches []string
	for _, r := range all {
		if strings.HasPrefix(r.ID, prefix) || (r.ResourceID != "" && arg == r.ResourceType+"/"+r.ResourceID) {
			matches = append(matches, r.ID)
		}
	}
	switch len(matches) {
	case 0:
		return "", userErrorf("%w: %s (list the ids with hw records)", wallet.ErrNotFound, arg)
	case 1:
		return matches[0], nil
	}
	return "", userErrorf("%s matches %d records: give more of the id (see hw records)", arg, len(matches))
}

func (c *cli) searchCommand() *cobra.Command {
	var limit int
	var who personFlags
	cmd := &cobra.Command{
		Use:   "search TEXT...",
		Short: "Find records by words in their summary or codes",
		Long: `search lists the records whose summary or codes match every word (as the start
of a word, in any case), best matches first, among your records unless
--person P or --everyone. With --json, one record per line.`,
		Args: cobra.MinimumNArgs(1),
		RunE: c.action(func(cmd *cobra.Command, args []string) error {
			if limit < 0 {
				return userErrorf("--limit must not be negative")
			}
			w, err := c.openWallet(cmd.Context())
			if err != nil {
				return err
			}
			defer w.Close()
			person, err := who.resolve(w)
			if err != nil {
				return err
			}
			if who.caredFor != "" {
				return userErrorf("search the records of someone you care for with hw care records %s", who.caredFor)
			}
			recs, err := w.SearchQuery(wallet.Query{Person: person, Text: strings.Join(args, " "), Limit: limit})
			if err != nil {
				return err
			}
			return c.printRecords(recs)
		}),
	}
	cmd.Flags().IntVar(&limit, "limit", 0, "at most `N` records (0: all)")
	who.add(cmd, true)
	return cmd
}

func (c *cli) exportCommand() *cobra.Command {
	var out string
	var who personFlags
	cmd := &cobra.Command{
		Use:   "export [ID...]",
		Short: "Export records as one FHIR R4 Bundle",
		Long: `export writes the chosen records (all yours when no ID is given; all of
--person P's, or with --everyone everyone's) as a FHIR R4
Bundle of type collection, each resource's JSON exactly as imported: to
standard output, or with --out to a file that is replaced whole or not at all.
The export is not encrypted: it is your records in clear.`,
		RunE: c.action(func(cmd *cobra.Command, args []string) error {
			ctx := cmd.Context()
			w, err := c.openWallet(ctx)
			if err != nil {
				return err
			}
			defer w.Close()
			person, err := who.resolve(w)
			if err != nil {
				return err
			}
			if who.caredFor != "" {
				return userErrorf("the records of someone you care for stay in their wallet: share them with hw care share %s", who.caredFor)
			}
			if len(args) > 0 && (who.person != "" || who.everyone) {
				return userErrorf("give record ids, or --person/--everyone, not both")
			}
			ids := make([]string, 0, len(args))
			if len(args) == 0 && person != wallet.OwnerID {
				recs, err := w.Records(wallet.Query{Person: person})
				if err != nil {
					return err
				}
				for _, r := range recs {
					ids = append(ids, r.ID)
				}
				if len(ids) == 0 {
					return userErrorf("no records to export")
				}
			}
			for _, a := range args {
				id, err := resolveID(w, a)
				if err != nil {
					return err
				}
				ids = append(ids, id)
			}
			if out == "" {
				_, err := w.Export(c.stdout, ids)
				return err
			}
			var n int
			err = writeFileAtomic(ctx, out, func(f io.Writer) error {
				n, err = w.Export(f, ids)
				return err
			})
			if err != nil {
				return err
			}
			if c.jsonOut {
				return printJSON(c.stdout, map[string]any{"exported": n, "out": out})
			}
			fmt.Fprintf(c.stdout, "Exported %s to %s (not encrypted: keep it private).\n", plural(n, "record"), out)
			return nil
		}),
	}
	cmd.Flags().StringVarP(&out, "out", "o", "", "write the Bundle to `FILE` instead of standard output")
	who.add(cmd, true)
	return cmd
}
