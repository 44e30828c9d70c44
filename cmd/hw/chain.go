package main

import "github.com/spf13/cobra"

// chainCommands are the commands that run or set up a chain: hw chain ….
func (c *cli) chainCommands() []*cobra.Command { return nil }
