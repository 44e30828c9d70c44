package main

import "github.com/spf13/cobra"

// emergencyCommands are hw emergency (set, show, card, revoke).
func (c *cli) emergencyCommands() []*cobra.Command { return nil }
