package main

import "github.com/spf13/cobra"

// anchorCommands are the commands that anchor records and verify them: hw anchor, hw verify.
func (c *cli) anchorCommands() []*cobra.Command { return nil }
