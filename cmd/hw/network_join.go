package main

import "github.com/spf13/cobra"

// networkSubcommands are hw network's commands besides serve: join, show
// and leave (the wallet's side of a network). Part C replaces this file.
func (c *cli) networkSubcommands() []*cobra.Command { return nil }
