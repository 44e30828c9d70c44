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
)

// This file: the commands about records — import, records, show, search,
// export.

func (c *cli) importCommand() *cobra.Command {
	return &cobra.Command{
		Use:   "import FILE|DIR...",
		Short: "Import FHIR R4 records from files and folders",
		Long: `import reads FHIR R4 resources and Bundles (.json, .ndjson) into the wallet.
Folders are searched for .json and .ndjson files. Each file lands whole or not
at all; a file the wallet cannot read is listed as rejected and the others are
still imported (the exit code is 0 when the import ran). Records already in the
wallet are counted as duplicates; changed ones are kept as new versions.

With --json, prints {"imported","duplicates","versions","rejected","byType"}.`,
		Args: cobra.MinimumNArgs(1),
		RunE: c.action(func(cmd *cobra.Command, args []string) error {
			return c.runImport(cmd.Context(), args)
		}),
	}
}

func (c *cli) runImport(ctx context.Context, args []string) error {
	files, err := c.importFiles(args)
	if err != nil {
		return err
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
	report, err := w.Import(ctx, files, progress)
	if bar != nil {
		bar.finish()
	}
	if err != nil {
		return err
	}
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
	if len(r.Rejected) > 0 {
		fmt.Fprintf(c.stdout, "Rejected %s:\n", plural(len(r.Rejected), "file"))
		for _, f := range r.Rejected {
			fmt.Fprintf(c.stdout, "  %s: %s\n", f.File, f.Error)
		}
	}
}

// importFiles expands the command line into the files to import (see
// wallet.FilesToImport). A path that does not exist stops the import before
// it starts; a folder with nothing to import is skipped with a warning.
func (c *cli) importFiles(args []string) ([]string, error) {
	var files []string
	for _, arg := range args {
		if _, err := os.Stat(arg); err != nil {
			if errors.Is(err, fs.ErrNotExist) {
				return nil, userErrorf("%s: no such file or folder; nothing was imported", arg)
			}
			return nil, userErrorf("%s: %w; nothing was imported", arg, err)
		}
		found, err := wallet.FilesToImport(arg)
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
	cmd := &cobra.Command{
		Use:   "records",
		Short: "List records, newest first",
		Long: `records lists the wallet's records, newest first. --from and --to take a
year, a month or a day (2024, 2024-03, 2024-03-15) or an RFC 3339 time, and
include the whole period. With --json, prints one record per line.`,
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
			recs, err := w.Records(q)
			if err != nil {
				return err
			}
			return c.printRecords(recs)
		}),
	}
	f := cmd.Flags()
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
	all, err := w.Records(wallet.Query{})
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
	cmd := &cobra.Command{
		Use:   "search TEXT...",
		Short: "Find records by words in their summary or codes",
		Long: `search lists the records whose summary or codes match every word (as the start
of a word, in any case), best matches first. With --json, one record per line.`,
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
			recs, err := w.Search(strings.Join(args, " "), limit)
			if err != nil {
				return err
			}
			return c.printRecords(recs)
		}),
	}
	cmd.Flags().IntVar(&limit, "limit", 0, "at most `N` records (0: all)")
	return cmd
}

func (c *cli) exportCommand() *cobra.Command {
	var out string
	cmd := &cobra.Command{
		Use:   "export [ID...]",
		Short: "Export records as one FHIR R4 Bundle",
		Long: `export writes the chosen records (all when no ID is given) as a FHIR R4
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
			ids := make([]string, 0, len(args))
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
	return cmd
}
