package main

import (
	"context"
	"fmt"
	"os"
	"strings"

	"github.com/spf13/cobra"

	"healthwallet/wallet"
	"healthwallet/wallet/network"
	"healthwallet/wallet/share"
)

// This file: hw network join, show, leave and trust — the wallet's side of
// a network (hw network serve, the node, is in network_serve.go).

// networkSubcommands are the wallet's network commands, under hw network.
func (c *cli) networkSubcommands() []*cobra.Command {
	return []*cobra.Command{c.networkJoinCommand(), c.networkShowCommand(), c.networkLeaveCommand(), c.networkTrustCommand()}
}

func (c *cli) networkJoinCommand() *cobra.Command {
	var invite string
	cmd := &cobra.Command{
		Use:   "join URL|QR-IMAGE",
		Short: "Join a network: its node anchors your records and sends your shares, and pays for it",
		Long: `join reads the network's description at URL (a join URL, with #fp=… when
the node's certificate is pinned, or a photo or screenshot of its QR code),
checks it against the network's chain, enrols this wallet (--invite CODE for
an invitation-only network), and makes it the wallet's network: anchors,
grants and revokes are signed here and sent by the network, which pays their
gas; shares go through its relay; shares from it verify.

With --json, prints the network: {"name","url","fingerprint","chainId",
"registry","rpc","relay","submit","enrolment","joined",…}.`,
		Args: cobra.ExactArgs(1),
		RunE: c.action(func(cmd *cobra.Command, args []string) error {
			ctx := cmd.Context()
			joinURL, err := joinURLArg(args[0])
			if err != nil {
				return err
			}
			w, err := c.openWallet(ctx)
			if err != nil {
				return err
			}
			defer w.Close()
			m, err := w.JoinNetwork(ctx, joinURL, invite)
			if err != nil {
				return &userError{msg: err.Error(), err: err}
			}
			return c.printMembership(m, "Joined")
		}),
	}
	cmd.Flags().StringVar(&invite, "invite", "", "the operator's invitation `CODE`, for an invitation-only network")
	return cmd
}

// joinURLArg is a join URL as given, or the text of the QR code in the
// image file arg.
func joinURLArg(arg string) (string, error) {
	arg = strings.TrimSpace(arg)
	if strings.Contains(arg, "://") {
		return arg, nil
	}
	f, err := os.Open(arg)
	if err != nil {
		return "", userErrorf("%q is neither a join URL (https://…) nor a QR image that can be read: %v", arg, err)
	}
	defer f.Close()
	text, err := share.DecodeQRImage(f)
	if err != nil {
		return "", userErrorf("%s: %w", arg, err)
	}
	return strings.TrimSpace(text), nil
}

// printMembership prints a network as join, trust and show do.
func (c *cli) printMembership(m network.Membership, verb string) error {
	if c.jsonOut {
		return printJSON(c.stdout, m)
	}
	fmt.Fprintf(c.stdout, "%s the %s network (%s)\n", verb, m.Name, m.JoinURL())
	fmt.Fprintf(c.stdout, "Chain:     %d, registry %s\n", m.ChainID, m.Registry)
	fmt.Fprintf(c.stdout, "Relay:     %s\n", m.Relay)
	return nil
}

// networkShow is what hw network show --json prints.
type networkShow struct {
	wallet.NetworkStatus
	Trusted []network.Membership `json:"trusted"`
}

func (c *cli) networkShowCommand() *cobra.Command {
	return &cobra.Command{
		Use:   "show",
		Short: "Show the wallet's network in plain words, and the networks it trusts",
		Long: `show says whether the wallet's network answers, what waits to be sent, and
which networks this wallet verifies received shares against.

With --json, prints {"kind","name","connected","summary","problem",
"network":{…},"account":{"enrolled","balance","usedToday","perDay"},
"waiting","viewer":{"served","document","build","same","summary","problem"},
"trusted":[…]}. viewer says whether the web viewer the network's relay
serves (its files fetched and hashed) is the one in this build of hw.`,
		Args: cobra.NoArgs,
		RunE: c.action(func(cmd *cobra.Command, _ []string) error {
			ctx := cmd.Context()
			w, err := c.openChainWallet(ctx)
			if err != nil {
				return err
			}
			defer w.Close()
			st, err := w.NetworkStatus(ctx)
			if err != nil {
				return err
			}
			out := networkShow{NetworkStatus: st, Trusted: w.TrustedNetworks()}
			if out.Trusted == nil {
				out.Trusted = []network.Membership{}
			}
			if c.jsonOut {
				return printJSON(c.stdout, out)
			}
			fmt.Fprintln(c.stdout, st.Summary)
			if st.Problem != "" {
				fmt.Fprintf(c.stdout, "%s\n", st.Problem)
			}
			if m := st.Membership; m != nil {
				fmt.Fprintf(c.stdout, "\nNetwork:   %s (%s)\nChain:     %d, registry %s\nRelay:     %s\n", m.Name, m.JoinURL(), m.ChainID, m.Registry, m.Relay)
			}
			if v := st.Viewer; v != nil {
				fmt.Fprintf(c.stdout, "Viewer:    %s\n", v.Summary)
				if v.Served != "" {
					fmt.Fprintf(c.stdout, "           served %s, this build %s\n", v.Served, v.Build)
				}
				if v.Problem != "" {
					fmt.Fprintf(c.stdout, "           %s\n", v.Problem)
				}
			}
			for _, t := range out.Trusted {
				fmt.Fprintf(c.stdout, "Trusted:   %s (%s)\n", t.Name, t.JoinURL())
			}
			return nil
		}),
	}
}

func (c *cli) networkLeaveCommand() *cobra.Command {
	return &cobra.Command{
		Use:   "leave",
		Short: "Leave the wallet's network (it stays trusted for received shares)",
		Long: `leave forgets the wallet's network: records are no longer anchored or
shared through it. Shares already made stay as they are, signed actions
waiting for it stay in the wallet, and shares from it still verify until
hw network trust --remove URL.`,
		Args: cobra.NoArgs,
		RunE: c.action(func(cmd *cobra.Command, _ []string) error {
			w, err := c.openWallet(cmd.Context())
			if err != nil {
				return err
			}
			defer w.Close()
			m, ok := w.Network()
			if err := w.LeaveNetwork(); err != nil {
				return &userError{msg: err.Error(), err: err}
			}
			if c.jsonOut {
				return printJSON(c.stdout, struct {
					Left string `json:"left"`
				}{m.URL})
			}
			if ok {
				fmt.Fprintf(c.stdout, "Left the %s network; shares from it still verify (hw network trust --remove %s stops that)\n", m.Name, m.URL)
			}
			return nil
		}),
	}
}

func (c *cli) networkTrustCommand() *cobra.Command {
	var untrust bool
	cmd := &cobra.Command{
		Use:   "trust URL|QR-IMAGE",
		Short: "Verify received shares against a network without joining it",
		Long: `trust reads the network at URL (checking its description against its
chain) and verifies shares made on it from now on. Trusting a network means
believing its chain about patients' consent and records: trust only networks
you know the operator of. --remove stops trusting it.`,
		Args: cobra.ExactArgs(1),
		RunE: c.action(func(cmd *cobra.Command, args []string) error {
			ctx := cmd.Context()
			joinURL, err := joinURLArg(args[0])
			if err != nil {
				return err
			}
			w, err := c.openWallet(ctx)
			if err != nil {
				return err
			}
			defer w.Close()
			if untrust {
				if err := w.UntrustNetwork(joinURL); err != nil {
					return &userError{msg: err.Error(), err: err}
				}
				if !c.jsonOut {
					fmt.Fprintf(c.stdout, "No longer trusting the network at %s\n", joinURL)
				}
				return nil
			}
			m, err := w.TrustNetwork(ctx, joinURL)
			if err != nil {
				return &userError{msg: err.Error(), err: err}
			}
			return c.printMembership(m, "Trusting")
		}),
	}
	cmd.Flags().BoolVar(&untrust, "remove", false, "stop trusting the network")
	return cmd
}

// joinAfterInit joins the network at joinURL with a wallet just created
// (hw init --network).
func (c *cli) joinAfterInit(ctx context.Context, w *wallet.Wallet, joinURL, invite string) (network.Membership, error) {
	u, err := joinURLArg(joinURL)
	if err != nil {
		return network.Membership{}, err
	}
	m, err := w.JoinNetwork(ctx, u, invite)
	if err != nil {
		return m, userErrorf("the wallet is created, but joining the network failed (hw network join %s tries again): %w", joinURL, err)
	}
	return m, nil
}
