package main

import (
	"encoding/json"
	"fmt"
	"time"

	"github.com/skip2/go-qrcode"
	"github.com/spf13/cobra"

	"healthwallet/wallet/network"
)

// networkCommand is hw network: a network node, and the wallet's membership
// of networks (DESIGN §11). Subcommands: serve (here), join/show/leave
// (network_join.go).
func (c *cli) networkCommand() *cobra.Command {
	cmd := &cobra.Command{
		Use:   "network",
		Short: "Run a network for patients, doctors and caregivers, or join one",
		Args:  cobra.NoArgs,
	}
	cmd.AddCommand(c.networkServeCommand())
	cmd.AddCommand(c.networkSubcommands()...)
	return cmd
}

// networkReady is what hw network serve --json prints when it serves.
type networkReady struct {
	Name        string `json:"name"`
	URL         string `json:"url"`
	JoinURL     string `json:"joinUrl"`
	Fingerprint string `json:"fingerprint"`
	ChainID     uint64 `json:"chainId"`
	Registry    string `json:"registry"`
}

func (c *cli) networkServeCommand() *cobra.Command {
	var (
		cfg        network.ServerConfig
		logFormat  string
		noQR       bool
		enrolments = network.EnrolmentOpen
	)
	cmd := &cobra.Command{
		Use:   "serve --listen ADDR --data DIR [--public-url URL] [--name NAME]",
		Short: "Run a network node: chain, relay, read-only JSON-RPC and the submission endpoint",
		Long: `hw network serve runs a whole network in one process: a persistent chain
(a block every --block-period; the registry deployed on first start), the
relay that serves shares, a read-only JSON-RPC for receivers at /rpc, the
network's description at /.well-known/healthwallet-network.json, and the
submission endpoint that sends enrolled wallets' signed actions and pays
their gas (patients never hold ETH).

On a loopback address it serves plain http. On any other address it serves
TLS: --tls-cert and --tls-key, or else a self-signed certificate made once
in --data, whose fingerprint rides in the join URL (…#fp=…) that wallets pin.
Behind a proxy that serves https, listen on loopback and give --public-url
https://… (the URL signatures are bound to and links are built on).

Enrolment is open, or invitation-only with --invite-code: a wallet then
needs the code to join. Each wallet may send --per-wallet-per-day actions a
day, and the network --budget-per-day in all; past them the node answers 429
and sends nothing.

It prints the network's name, its join URL and a QR code of it (--json: one
line with name, url, joinUrl, fingerprint, chainId and registry once it
serves), and runs until SIGINT or SIGTERM, then stops cleanly and exits 0.
Logs go to standard error; they hold no health data, calldata or keys.`,
		Args: cobra.NoArgs,
		RunE: c.action(func(cmd *cobra.Command, _ []string) error {
			if cfg.DataDir == "" {
				return userErrorf("hw network serve needs --data DIR: the directory that holds the network's chain, relay and enrolments")
			}
			if cfg.InviteCode != "" {
				if enrolments != network.EnrolmentInvitation && cmd.Flags().Changed("enrolment") {
					return userErrorf("--invite-code is for --enrolment invitation; an open network takes no code")
				}
				enrolments = network.EnrolmentInvitation
			}
			cfg.Enrolment = enrolments
			logger, err := c.serverLogger(logFormat)
			if err != nil {
				return err
			}
			cfg.Logger = logger
			ctx := cmd.Context()
			srv, err := network.Start(ctx, cfg)
			if err != nil {
				return userErrorf("%v", err)
			}
			info := srv.Info()
			if c.jsonOut {
				out, _ := json.Marshal(networkReady{
					Name:        info.Document.Name,
					URL:         info.URL,
					JoinURL:     info.JoinURL,
					Fingerprint: info.Fingerprint,
					ChainID:     info.Document.ChainID,
					Registry:    info.Document.Registry,
				})
				fmt.Fprintln(c.stdout, string(out))
			} else {
				fmt.Fprintf(c.stdout, "hw network serve: %s\n", info.Document.Name)
				if !noQR {
					q, err := qrcode.New(info.JoinURL, qrcode.Medium)
					if err != nil {
						srv.Close()
						return fmt.Errorf("drawing the join QR code: %w", err)
					}
					fmt.Fprint(c.stdout, q.ToSmallString(false))
				}
				fmt.Fprintf(c.stdout, "Join it at: %s\n", info.JoinURL)
				if info.Document.Enrolment == network.EnrolmentInvitation {
					fmt.Fprintln(c.stdout, "Invitation-only: wallets need the invitation code to join.")
				}
			}
			<-ctx.Done()
			if err := srv.Close(); err != nil {
				return fmt.Errorf("stopping the network node: %w", err)
			}
			return nil
		}),
	}
	f := cmd.Flags()
	f.StringVar(&cfg.Listen, "listen", "127.0.0.1:8443", "listen on `ADDR` (host:port; port 0 picks a free one); beyond loopback the node serves TLS")
	f.StringVar(&cfg.DataDir, "data", "", "keep the network's chain, relay store, enrolments and certificate in `DIR` (created if missing)")
	f.StringVar(&cfg.PublicURL, "public-url", "", "the `URL` wallets and receivers reach the node at (default: the listen address)")
	f.StringVar(&cfg.Name, "name", "", "the network's `NAME`, as wallets show it (\"Riverside Clinic\")")
	f.StringVar(&cfg.TLSCert, "tls-cert", "", "serve this certificate (PEM `FILE`) instead of a self-signed one")
	f.StringVar(&cfg.TLSKey, "tls-key", "", "the --tls-cert's private key (PEM `FILE`)")
	f.StringVar(&enrolments, "enrolment", network.EnrolmentOpen, "who may join: open, or invitation (with --invite-code)")
	f.StringVar(&cfg.InviteCode, "invite-code", "", "the `CODE` wallets give to join an invitation-only network")
	f.IntVar(&cfg.PerWalletPerDay, "per-wallet-per-day", 500, "actions one wallet may send a day (`N`)")
	f.IntVar(&cfg.BudgetPerDay, "budget-per-day", 100_000, "actions the network sends a day in all (`N`)")
	f.DurationVar(&cfg.BlockPeriod, "block-period", 2*time.Second, "seal a block this often")
	f.StringVar(&logFormat, "log-format", "json", "log format on standard error: json or text")
	f.BoolVar(&noQR, "no-qr", false, "do not draw the join URL as a QR code")
	return cmd
}
