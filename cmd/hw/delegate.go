package main

import "github.com/spf13/cobra"

// delegateCommands are hw delegate (add, list, revoke, renew) and hw sync:
// the patient's side of caregiving.
func (c *cli) delegateCommands() []*cobra.Command { return nil }
