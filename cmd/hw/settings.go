package main

import (
	"fmt"

	"github.com/spf13/cobra"
)

// settingsCommand is hw settings: the patient's choices that are not about
// one share or one record.
func (c *cli) settingsCommand() *cobra.Command {
	cmd := &cobra.Command{
		Use:   "settings",
		Short: "Show your choices (hw settings record-access-on-chain on|off to change one)",
		Long: `settings shows the wallet's choices. With --json it prints
{"recordAccessOnChain":true|false}.

record-access-on-chain: when on (the default), each access the relays report
is recorded on chain as a salted commitment that names no one: a
tamper-evident log only you can read. Off, the relays' sealed logs still show
every access; what is already on chain stays there.`,
		Args: cobra.NoArgs,
		RunE: c.action(func(cmd *cobra.Command, _ []string) error {
			w, err := c.openWallet(cmd.Context())
			if err != nil {
				return err
			}
			defer w.Close()
			return c.printSettings(w.AccessOnChain())
		}),
	}
	cmd.AddCommand(&cobra.Command{
		Use:       "record-access-on-chain on|off",
		Short:     "Record each access to your shares on chain (on), or only in the relays' logs (off)",
		Args:      cobra.ExactArgs(1),
		ValidArgs: []string{"on", "off"},
		RunE: c.action(func(cmd *cobra.Command, args []string) error {
			var on bool
			switch args[0] {
			case "on":
				on = true
			case "off":
			default:
				return userErrorf("say on or off, not %q", args[0])
			}
			w, err := c.openWallet(cmd.Context())
			if err != nil {
				return err
			}
			defer w.Close()
			if err := w.SetAccessOnChain(on); err != nil {
				return err
			}
			return c.printSettings(w.AccessOnChain())
		}),
	})
	return cmd
}

func (c *cli) printSettings(accessOnChain bool) error {
	if c.jsonOut {
		return printJSON(c.stdout, map[string]bool{"recordAccessOnChain": accessOnChain})
	}
	state := "off: accesses are kept in the relays' sealed logs only"
	if accessOnChain {
		state = "on: each access is also recorded on chain, as a commitment only you can open"
	}
	_, err := fmt.Fprintf(c.stdout, "Record access on chain: %s\n", state)
	return err
}
