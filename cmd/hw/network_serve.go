package main

import (
	"crypto/ecdsa"
	"encoding/json"
	"fmt"
	"os"
	"strings"
	"time"

	"github.com/ethereum/go-ethereum/common"
	"github.com/ethereum/go-ethereum/crypto"

	"github.com/skip2/go-qrcode"
	"github.com/spf13/cobra"

	"healthwallet/wallet/network"
	"healthwallet/wallet/viewer"
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
	// Submitter is the account that pays the gas of patients' actions.
	Submitter string `json:"submitter"`
	// Viewer is the web viewer's URL on the node; ViewerHash the bundle's
	// hash its document publishes.
	Viewer     string `json:"viewer"`
	ViewerHash string `json:"viewerHash"`
}

func (c *cli) networkServeCommand() *cobra.Command {
	var (
		cfg        network.ServerConfig
		logFormat  string
		registry   string
		keyFile    string
		noQR       bool
		enrolments = network.EnrolmentOpen
	)
	cmd := &cobra.Command{
		Use:   "serve --listen ADDR --data DIR [--public-url URL] [--name NAME] [--chain URL --registry ADDR --submitter-key FILE]",
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
https://… (the URL signatures are bound to and links are built on), and
--trust-proxy if the proxy adds X-Forwarded-For, so that rate limits go by
each client's address rather than the proxy's.

Enrolment is open, or invitation-only with --invite-code: a wallet then
needs the code to join. Each wallet may send --per-wallet-per-day actions a
day, and the network --budget-per-day in all; past them the node answers 429
and sends nothing. One client address may besides enrol 10 wallets at once,
then one a minute, and make 120 requests to the submission endpoint at once,
then two a second (429 with Retry-After past that, before anything is read).

With --chain URL the node runs no chain of its own: it uses that JSON-RPC
chain (a public EVM chain, a testnet, a consortium chain), where a registry
must already be deployed (hw --chain URL chain deploy) at --registry ADDR,
and pays patients' gas from the key in --submitter-key FILE (a hex private
key, readable by its owner alone: chmod 600; fund its address with ETH).
Wallets and receivers still read the chain through this node's /rpc; they
never talk to the upstream node. Give --confirmations 12 or more on a
public chain, and --block-period its block time (default then 12s). Only
the --chain flag chooses this, not $HW_CHAIN.

It prints the network's name, its join URL and a QR code of it (--json: one
line with name, url, joinUrl, fingerprint, chainId, registry and submitter
once it serves), and runs until SIGINT or SIGTERM, then stops cleanly and exits 0.
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
			if err := c.upstreamChain(cmd, &cfg, registry, keyFile); err != nil {
				return err
			}
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
					Submitter:   info.Submitter.Hex(),
					Viewer:      info.Document.Relay + viewer.Path,
					ViewerHash:  info.Document.Viewer,
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
				fmt.Fprintf(c.stdout, "Web viewer: %s (%s)\n", info.Document.Relay+viewer.Path, info.Document.Viewer)
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
	f.DurationVar(&cfg.BlockPeriod, "block-period", 2*time.Second, "seal a block this often (with --chain: the chain's block time, default 12s)")
	f.StringVar(&registry, "registry", "", "with --chain: the HealthRegistry's `ADDR` on that chain")
	f.StringVar(&keyFile, "submitter-key", "", "with --chain: the hex private key (`FILE`, mode 0600) that pays patients' gas")
	f.Uint64Var(&cfg.Confirmations, "confirmations", 2, "blocks, the including one counted, that make an action final (`N`; 12 or more on a public chain)")
	f.StringVar(&logFormat, "log-format", "json", "log format on standard error: json or text")
	f.BoolVar(&noQR, "no-qr", false, "do not draw the join URL as a QR code")
	f.BoolVar(&cfg.TrustProxy, "trust-proxy", false, "rate-limit by the last X-Forwarded-For address (only behind a proxy that sets it)")
	return cmd
}

// upstreamChain fills in cfg for a node on an existing chain (--chain URL,
// --registry, --submitter-key), or checks that none of those is given
// without --chain.
func (c *cli) upstreamChain(cmd *cobra.Command, cfg *network.ServerConfig, registry, keyFile string) error {
	cfg.ChainURL = strings.TrimSpace(c.chainFlag)
	if cfg.ChainURL == "" {
		if registry != "" || keyFile != "" {
			return userErrorf("--registry and --submitter-key are for a network on an existing chain: give its JSON-RPC URL with --chain URL")
		}
		return nil
	}
	if !cmd.Flags().Changed("block-period") {
		cfg.BlockPeriod = 0 // the chain's own: the default for a chain the node does not run
	}
	switch {
	case registry == "":
		return userErrorf("hw network serve --chain needs the registry's address on that chain (--registry ADDR); deploy one with hw --chain %s chain deploy", cfg.ChainURL)
	case !common.IsHexAddress(registry):
		return userErrorf("--registry %q is not an address (0x and 40 hex digits)", registry)
	case keyFile == "":
		return userErrorf("hw network serve --chain needs the key that pays patients' gas (--submitter-key FILE: a hex private key, mode 0600)")
	}
	cfg.Registry = common.HexToAddress(registry)
	key, err := readSubmitterKey(keyFile)
	if err != nil {
		return err
	}
	cfg.SubmitterKey = key
	return nil
}

// readSubmitterKey reads a hex private key from path, refusing a file that
// others than its owner may read: the key spends the network's ETH. Its
// content is never put in an error.
func readSubmitterKey(path string) (*ecdsa.PrivateKey, error) {
	fi, err := os.Stat(path)
	if err != nil {
		return nil, userErrorf("reading the submitter key: %v", err)
	}
	if perm := fi.Mode().Perm(); perm&0o077 != 0 {
		return nil, userErrorf("the submitter key %s may be read by others (mode %04o): it spends the network's ETH, so make it readable by its owner alone (chmod 600 %s)", path, perm, path)
	}
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, userErrorf("reading the submitter key: %v", err)
	}
	key, err := crypto.HexToECDSA(strings.TrimPrefix(strings.TrimSpace(string(b)), "0x"))
	if err != nil {
		return nil, userErrorf("the submitter key %s does not hold a private key: write it as 64 hex digits", path)
	}
	return key, nil
}
