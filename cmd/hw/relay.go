package main

import (
	"context"
	"crypto/ecdsa"
	"encoding/json"
	"fmt"
	"log/slog"
	"net"
	"strings"
	"time"

	"github.com/ethereum/go-ethereum/common"
	"github.com/spf13/cobra"

	"healthwallet/chain"
	"healthwallet/wallet/network"
	"healthwallet/wallet/relay"
	"healthwallet/wallet/viewer"
)

// relayCommand is hw relay: the link server of DESIGN §7, as a process.
func (c *cli) relayCommand() *cobra.Command {
	var (
		listen, dataDir, registry, publicURL, logFormat, submitterKey, name string
		failOpen, trustProxy                                                bool
		drain, locationTTL, pendingGrace, chainCache                        time.Duration
		maxUpload, maxKeyBytes, maxTotalBytes                               int64
		maxFailures, maxKeyShares, maxShareLocations                        int
		rateIP, rateShare                                                   float64
	)
	cmd := &cobra.Command{
		Use:   "relay --listen ADDR --data DIR [--chain URL [--registry ADDR] [--submitter-key FILE] [--name NAME]] [--public-url URL]",
		Short: "Run the link server that serves SMART Health Links to receivers",
		Long: `hw relay runs the relay: the server that holds the encrypted files of shared
links and serves them to receivers under the SMART Health Links protocol, with
passcodes, expiry, revocation, an access log sealed to the patient, and a
management API that only the patient's signature opens.

With --chain (and --registry, unless the node names its registry, as
hw chain serve does) the relay asks the chain whether each share's grant is
still active (answers kept --chain-cache at most): revoked on chain, or
expired, ends the share. An upload must name a grant of the patient's that
is on chain; one that is not yet is held pending, never served, for
--pending-grace, and deleted if the grant does not appear. When the chain
cannot be reached the relay answers 503 ("cannot check consent right now")
unless --chain-fail-open is given.

Every relay serves the web viewer at /view: a share's link opens it in
any browser, which decrypts and verifies the share there (the key stays in
the link's #fragment and never reaches the relay). With --chain the relay
also serves what the viewer verifies against: the chain's read-only
JSON-RPC at /rpc (registry reads only, rate-limited per client), and a
network document at /.well-known/healthwallet-network.json naming the
chain, its registry, the network --name (default: the public host) and
the viewer's hash. GET /issuer-keys?iss=URL fetches a SMART Health Card
issuer's public keys for the viewer (https, public addresses only, cached).

With --submitter-key FILE (a hex private key, mode 0600, funded on --chain)
the relay accepts emergency cards (hw emergency card) and records every
opening of one on chain (break-glass): a salted commitment to who opened it
(as they described themselves), when, purpose ETREAT, signed with the
card's access key and paid from this key. Without it, emergency uploads
are refused (501) saying so.

Each uploader key may keep --max-shares-per-key shares and
--max-bytes-per-key bytes, and the relay --max-total-bytes in all; past
them an upload is refused (429 or 413) with what to do.

Management requests are signed for this relay's --public-url (scheme, host
and port): a signature made for another relay is refused here. It defaults
to the listen address; give it when clients reach the relay by another
name (behind a proxy, or when listening on every interface).

It prints the URL it listens on and runs until SIGINT or SIGTERM, then
finishes the requests in flight (up to --drain) and exits 0. Logs (JSON, or
text with --log-format text) go to standard error; they hold no health data,
recipients, passcodes or keys.`,
		Args: cobra.NoArgs,
		RunE: c.action(func(cmd *cobra.Command, _ []string) error {
			if dataDir == "" {
				return userErrorf("hw relay needs --data DIR: the directory that holds the relay's store")
			}
			logger, err := c.serverLogger(logFormat)
			if err != nil {
				return err
			}
			ctx := cmd.Context()

			cfg := relay.Config{
				DataDir:       dataDir,
				PublicURL:     publicURL,
				ChainFailOpen: failOpen,
				ChainCacheTTL: chainCache,
				PendingGrace:  pendingGrace,
				TrustProxy:    trustProxy,
				Logger:        logger,
				Limits: relay.Limits{
					MaxCreateBody:      maxUpload,
					DefaultMaxFailures: maxFailures,
					LocationTTL:        locationTTL,
					MaxShareLocations:  maxShareLocations,
					MaxSharesPerKey:    maxKeyShares,
					MaxBytesPerKey:     maxKeyBytes,
					MaxTotalBytes:      maxTotalBytes,
					PerIP:              relay.Rate{PerSecond: rateIP, Burst: max(1, int(4*rateIP))},
					PerShare:           relay.Rate{PerSecond: rateShare, Burst: max(1, int(4*rateShare))},
				},
			}
			if publicURL != "" {
				if _, err := relay.ParsePublicURL(publicURL); err != nil {
					return userErrorf("--public-url: %v", err)
				}
			}
			chainURL := c.chainFlag
			if chainURL == "" {
				chainURL = c.getenv("HW_CHAIN")
			}
			if registry != "" && chainURL == "" {
				return userErrorf("--registry needs --chain URL: the chain the registry is on")
			}
			if submitterKey != "" && chainURL == "" {
				return userErrorf("--submitter-key needs --chain URL: the chain the relay records emergency-card openings on")
			}
			if name != "" && chainURL == "" {
				return userErrorf("--name needs --chain URL: it names the network the relay's viewer verifies against")
			}
			// docFor sets the network document once the public URL is known.
			docFor := func(string) error { return nil }
			if chainURL != "" {
				n, err := dialRegistry(ctx, chainURL, registry)
				if err != nil {
					return err
				}
				defer n.Close()
				cfg.Checker = relay.NewChainChecker(n.Client, n.Registry)
				if n.RPC() == nil {
					return userErrorf("the chain at %s gives no JSON-RPC connection to serve the viewer's /rpc from", chainURL)
				}
				cfg.RPC = chain.ReadOnlyRPC(n.RPC(), n.Registry)
				chainID, reg := n.ChainID.Uint64(), n.Registry
				docFor = func(public string) error {
					pu, err := relay.ParsePublicURL(public)
					if err != nil {
						return userErrorf("%v", err)
					}
					if name == "" {
						name = pu.Hostname()
					}
					doc, err := json.Marshal(network.RelayDocument(name, pu.String(), chainID, reg))
					if err != nil {
						return err
					}
					cfg.NetworkDocument = relay.StaticDocument(doc)
					return nil
				}
				if submitterKey != "" {
					key, err := readSubmitterKey(submitterKey)
					if err != nil {
						return err
					}
					cfg.BreakGlass = breakGlassFrom(n, key)
				}
			} else {
				logger.Warn("relay: no --chain: grants are not checked on chain; only the relay's own expiry and revocation apply")
			}

			ln, err := net.Listen("tcp", listen)
			if err != nil {
				return userErrorf("cannot listen on %s: %v; choose another --listen address", listen, err)
			}
			url := "http://" + ln.Addr().String()
			if cfg.PublicURL == "" {
				if ip := ln.Addr().(*net.TCPAddr).IP; ip.IsUnspecified() {
					ln.Close()
					return userErrorf("--listen %s takes requests on every interface: give --public-url, the URL wallets and receivers reach this relay at (signed requests are bound to it)", listen)
				}
				cfg.PublicURL = url
			}
			if err := docFor(cfg.PublicURL); err != nil {
				ln.Close()
				return err
			}
			srv, err := relay.Open(cfg)
			if err != nil {
				ln.Close()
				return userErrorf("%v", err)
			}
			if c.jsonOut {
				out, _ := json.Marshal(map[string]string{"listen": url, "public": cfg.PublicURL, "viewer": strings.TrimSuffix(cfg.PublicURL, "/") + viewer.Path})
				fmt.Fprintln(c.stdout, string(out))
			} else {
				fmt.Fprintf(c.stdout, "hw relay: listening on %s", url)
				if publicURL != "" {
					fmt.Fprintf(c.stdout, " (links use %s)", publicURL)
				}
				fmt.Fprintln(c.stdout)
			}
			logger.Info("relay listening", "addr", ln.Addr().String(), "chain_check", cfg.Checker != nil, "fail_open", failOpen)
			// Run returns nil after a clean drain on SIGINT/SIGTERM (the
			// context hwMain cancels): hw then exits 0.
			return srv.Run(ctx, ln, drain)
		}),
	}
	f := cmd.Flags()
	f.StringVar(&listen, "listen", "127.0.0.1:8787", "listen on `ADDR` (host:port; port 0 picks a free one)")
	f.StringVar(&dataDir, "data", "", "keep the relay's store in `DIR` (created if missing)")
	f.StringVar(&registry, "registry", "", "HealthRegistry contract `ADDRESS` on --chain (default: ask the node, as hw chain serve answers)")
	f.StringVar(&publicURL, "public-url", "", "build manifest and file URLs on `URL`, and accept only requests signed for it (default: http://the listen address)")
	f.StringVar(&name, "name", "", "with --chain: the network's `NAME` in the document the viewer reads (default: the public host)")
	f.StringVar(&submitterKey, "submitter-key", "", "with --chain: the hex private key (`FILE`, mode 0600) that pays for recording emergency-card openings on chain (break-glass)")
	f.BoolVar(&failOpen, "chain-fail-open", false, "serve when the chain cannot be asked (default: refuse with 503)")
	f.BoolVar(&trustProxy, "trust-proxy", false, "rate-limit by the last X-Forwarded-For address (only behind a proxy that sets it)")
	f.DurationVar(&drain, "drain", 15*time.Second, "on shutdown, wait this long for requests in flight")
	f.DurationVar(&locationTTL, "location-ttl", time.Minute, "lifetime of a manifest's file URLs (at most 1h)")
	f.Int64Var(&maxUpload, "max-upload", 48<<20, "largest share upload in `BYTES`")
	f.IntVar(&maxFailures, "max-failures", 10, "wrong passcodes a share tolerates when its creator names no limit")
	f.DurationVar(&pendingGrace, "pending-grace", 5*time.Minute, "hold an upload whose grant is not on chain yet this long, then delete it")
	f.DurationVar(&chainCache, "chain-cache", 5*time.Second, "reuse the chain's answer \"active\" this long (a revoke is seen at most this late); other answers at most 1s")
	f.IntVar(&maxKeyShares, "max-shares-per-key", 1000, "shares one uploader key may keep stored")
	f.Int64Var(&maxKeyBytes, "max-bytes-per-key", 1<<30, "`BYTES` of files one uploader key may keep stored")
	f.Int64Var(&maxTotalBytes, "max-total-bytes", 64<<30, "`BYTES` of files the relay keeps in all")
	f.IntVar(&maxShareLocations, "max-share-locations", 0, "outstanding file URLs of one share (0: 4 per file a share may hold)")
	f.Float64Var(&rateIP, "rate-ip", 10, "requests per second per client address (IPv6: per /64)")
	f.Float64Var(&rateShare, "rate-share", 5, "requests per second per share")
	f.StringVar(&logFormat, "log-format", "json", "log format on standard error: json or text")
	return cmd
}

// dialRegistry connects to the chain at url (chain.Dial: checks the node
// and that a HealthRegistry answers at registry; an empty registry asks the
// node, as hw chain serve answers) for the relay's per-request grant checks.
func dialRegistry(ctx context.Context, url, registry string) (*chain.Network, error) {
	var addr common.Address
	if registry != "" {
		if !common.IsHexAddress(registry) {
			return nil, userErrorf("--registry %q is not a 0x address", registry)
		}
		addr = common.HexToAddress(registry)
	}
	dctx, cancel := context.WithTimeout(ctx, 30*time.Second)
	defer cancel()
	n, err := chain.Dial(dctx, url, addr, nil)
	if err != nil {
		if registry == "" {
			return nil, userErrorf("the relay cannot check grants on the chain at %s: %v; give the registry with --registry ADDRESS", url, err)
		}
		return nil, userErrorf("the relay cannot check grants on the chain at %s: %v", url, err)
	}
	return n, nil
}

// breakGlassFrom records emergency-card openings on n, paying from key
// (hw relay --submitter-key): the relay's own submitter, as a network
// node's is.
func breakGlassFrom(n *chain.Network, key *ecdsa.PrivateKey) *relay.BreakGlass {
	sub := chain.NewSubmitter(n, key)
	return &relay.BreakGlass{ChainID: n.ChainID, Registry: n.Registry, Submit: func(ctx context.Context, data []byte) (common.Hash, error) {
		res, err := sub.Submit(ctx, data)
		return res.TxHash, err
	}}
}

// serverLogger is the logger of a long-running server (hw relay, hw network
// serve) on standard error, in the --log-format given: json or text.
func (c *cli) serverLogger(format string) (*slog.Logger, error) {
	switch format {
	case "json":
		return slog.New(slog.NewJSONHandler(c.stderr, nil)), nil
	case "text":
		return slog.New(slog.NewTextHandler(c.stderr, nil)), nil
	}
	return nil, userErrorf("--log-format %q: use json or text", format)
}
