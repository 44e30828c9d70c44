package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"

	"github.com/spf13/cobra"

	"healthwallet/wallet"
)

// This file: kept documents (PDFs, images, text, a C-CDA's XML) — writing
// the file back (`hw show --attachment ID --out FILE`), their lines in
// `hw show`, and `hw edit`.

// writeAttachment writes the file kept under record id to out, byte for
// byte. It refuses to replace an existing file unless force is set, and
// leaves no partial file behind on failure.
func writeAttachment(w *wallet.Wallet, id, out string, force bool) (wallet.AttachmentInfo, int64, error) {
	if out == "" {
		return wallet.AttachmentInfo{}, 0, userErrorf("say where to write the file: --out FILE")
	}
	if _, err := os.Stat(out); err == nil && !force {
		return wallet.AttachmentInfo{}, 0, userErrorf("%s already exists: choose another name, or add --force to replace it", out)
	}
	rc, info, err := w.OpenAttachment(id)
	if err != nil {
		return info, 0, err
	}
	defer rc.Close()
	tmp, err := os.CreateTemp(filepath.Dir(out), ".hw-attachment-*")
	if err != nil {
		return info, 0, fmt.Errorf("cannot write next to %s: %w", out, err)
	}
	n, err := io.Copy(tmp, rc)
	if cerr := tmp.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = os.Rename(tmp.Name(), out)
	}
	if err != nil {
		os.Remove(tmp.Name())
		return info, 0, fmt.Errorf("writing %s: %w", out, err)
	}
	return info, n, nil
}

// printAttachment prints what file a document record keeps, if any.
func (c *cli) printAttachment(w *wallet.Wallet, id string) {
	rc, info, err := w.OpenAttachment(id)
	if err != nil {
		return // not a kept document
	}
	rc.Close()
	name := info.FileName
	if name == "" {
		name = info.Title
	}
	fmt.Fprintf(c.stdout, "  %-10s %s (%s, %s); write it back with: hw show --attachment %s --out FILE\n",
		"File:", name, info.ContentType, formatBytes(info.Size), id)
}

// openRecord opens the wallet and finds the record a person means by arg
// (see resolveID). The caller closes the wallet.
func (c *cli) openRecord(ctx context.Context, arg string) (*wallet.Wallet, string, error) {
	w, err := c.openWallet(ctx)
	if err != nil {
		return nil, "", err
	}
	id, err := resolveID(w, arg)
	if err != nil {
		w.Close()
		return nil, "", err
	}
	return w, id, nil
}

func (c *cli) editCommand() *cobra.Command {
	var title, date, category string
	cmd := &cobra.Command{
		Use:   "edit ID",
		Short: "Change a kept document's title, date or category",
		Long: `edit changes the title, date or category of a document kept from a PDF, image
or text file (a new version of its record; the file stays the same). Options
not given stay as they are.`,
		Args: cobra.ExactArgs(1),
		RunE: c.action(func(cmd *cobra.Command, args []string) error {
			if title == "" && date == "" && category == "" {
				return userErrorf("nothing to change: give --title, --date or --category")
			}
			d, err := parseDate(date, false)
			if err != nil {
				return err
			}
			w, id, err := c.openRecord(cmd.Context(), args[0])
			if err != nil {
				return err
			}
			defer w.Close()
			if err := w.EditDocument(id, wallet.DocumentEdit{Title: title, Date: d, Category: category}); err != nil {
				return err
			}
			detail, err := w.Record(id)
			if err != nil {
				return err
			}
			if c.jsonOut {
				return printJSON(c.stdout, detail)
			}
			c.printDetail(detail)
			return nil
		}),
	}
	f := cmd.Flags()
	f.StringVar(&title, "title", "", "the document's new `TITLE`")
	f.StringVar(&date, "date", "", "the document's new `DATE` (2024-03-15, or 2024-03-15T10:00:00Z)")
	f.StringVar(&category, "category", "", "the document's new `CATEGORY`, in plain words (e.g. \"Lab report\")")
	return cmd
}

var errNoOut = userErrorf("--out is only for --attachment: hw show --attachment ID --out FILE")
