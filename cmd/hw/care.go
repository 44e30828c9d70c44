package main

import "github.com/spf13/cobra"

// careCommands are hw care (accept, list, sync, records, share, revoke): the
// caregiver's side.
func (c *cli) careCommands() []*cobra.Command { return nil }
