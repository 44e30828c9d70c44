package main

import (
	"context"
	"crypto/ecdsa"
	"errors"
	"fmt"
	"math/big"
	"net"
	"path/filepath"
	"strings"
	"syscall"

	"github.com/ethereum/go-ethereum/common"
	"github.com/ethereum/go-ethereum/core/types"
	"github.com/spf13/cobra"

	"healthwallet/chain"
	"healthwallet/wallet"
)

// This file: hw chain — run the embedded chain as a node, deploy the
// registry, show where the wallet anchors, fund development accounts.

// chainSettings reads --chain / $HW_CHAIN, $HW_REGISTRY and $HW_CHAIN_ID
// into the wallet's chain settings: the JSON-RPC URL (empty for the embedded
// chain), the registry's address (empty: ask the node, which hw chain serve
// answers) and the chain id the wallet expects (0: any). Blanks are left
// blank: a wallet fills them from its saved settings (see
// wallet.ChainSettings).
func (c *cli) chainSettings() (wallet.ChainSettings, error) {
	var s wallet.ChainSettings
	s.URL = strings.TrimSpace(c.chainFlag)
	if s.URL == "" {
		s.URL = strings.TrimSpace(c.getenv("HW_CHAIN"))
	}
	if v := strings.TrimSpace(c.getenv("HW_REGISTRY")); v != "" {
		if !common.IsHexAddress(v) {
			return s, userErrorf("HW_REGISTRY=%q is not an address (0x and 40 hex digits)", v)
		}
		s.Registry = common.HexToAddress(v).Hex()
	}
	if v := strings.TrimSpace(c.getenv("HW_CHAIN_ID")); v != "" {
		id, ok := new(big.Int).SetString(v, 10)
		if !ok || id.Sign() <= 0 || !id.IsUint64() {
			return s, userErrorf("HW_CHAIN_ID=%q is not a chain id (a positive number, e.g. 1337)", v)
		}
		s.ChainID = id.Uint64()
	}
	return s, nil
}

// registryOf is the registry's address in s; zero when none is given.
func registryOf(s wallet.ChainSettings) common.Address {
	if s.Registry == "" {
		return common.Address{}
	}
	return common.HexToAddress(s.Registry)
}

// chainIDOf is the chain id s expects; nil for any.
func chainIDOf(s wallet.ChainSettings) *big.Int {
	if s.ChainID == 0 {
		return nil
	}
	return new(big.Int).SetUint64(s.ChainID)
}

// saveChainSettings records in the wallet the chain and registry hw chain
// deploy made, so later commands use them. It reports whether it saved
// anything: nothing when no wallet was opened (--dev-account).
func saveChainSettings(w *wallet.Wallet, s wallet.ChainSettings) (bool, error) {
	if w == nil {
		return false, nil
	}
	if err := w.SetChainSettings(s); err != nil {
		return false, err
	}
	return true, nil
}

// embeddedChainDir is where the embedded chain lives: <wallet dir>/chain.
func (c *cli) embeddedChainDir() (string, error) {
	dir, err := c.vaultDir()
	if err != nil {
		return "", err
	}
	return filepath.Join(dir, "chain"), nil
}

// openNode opens the chain hw chain deploy, fund and status talk to: the
// embedded chain unless --chain / $HW_CHAIN name a JSON-RPC URL, whose chain
// id is checked against $HW_CHAIN_ID. No registry is required of it. (The
// wallet's own connection, registry included, is wallet.OpenChain.)
func (c *cli) openNode(ctx context.Context) (*chain.Network, wallet.ChainSettings, error) {
	s, err := c.chainSettings()
	if err != nil {
		return nil, s, err
	}
	if s.URL == "" {
		dir, err := c.embeddedChainDir()
		if err != nil {
			return nil, s, err
		}
		n, err := chain.OpenEmbedded(ctx, dir)
		return n, s, chainUserError(err)
	}
	n, err := chain.DialNode(ctx, s.URL, chainIDOf(s))
	return n, s, chainUserError(err)
}

// chainUserError marks the chain's errors a person can act on (their text
// says what to do) as user errors: exit code 1, one line.
func chainUserError(err error) error {
	if err == nil {
		return nil
	}
	for _, s := range []error{
		chain.ErrChainDown, chain.ErrWrongChain, chain.ErrNoRegistry, chain.ErrInsufficientFunds,
		chain.ErrChainInUse, chain.ErrNoDevAccount,
	} {
		if errors.Is(err, s) {
			return &userError{msg: err.Error(), err: err}
		}
	}
	return err
}

func (c *cli) chainCommands() []*cobra.Command {
	cmd := &cobra.Command{
		Use:   "chain",
		Short: "Run, set up and inspect the chain that anchors your records",
		Long: `The wallet anchors record commitments and grants on a chain with a
HealthRegistry contract. By default that is the embedded chain: a private
development chain kept in the wallet's directory (<wallet>/chain), which
mines a block for each transaction. --chain URL (or $HW_CHAIN) uses any
Ethereum JSON-RPC node instead; $HW_REGISTRY gives its registry's address
(a node run by hw chain serve tells it by itself) and $HW_CHAIN_ID the chain
id the wallet insists on.`,
	}
	cmd.AddCommand(c.chainServeCommand(), c.chainDeployCommand(), c.chainStatusCommand(), c.chainFundCommand())
	return []*cobra.Command{cmd}
}

func (c *cli) chainServeCommand() *cobra.Command {
	var listen, datadir string
	cmd := &cobra.Command{
		Use:   "serve",
		Short: "Run the embedded chain as a node other wallets and tools can use",
		Long: `hw chain serve runs the embedded chain (default: the wallet's, in
<wallet>/chain) as a node answering JSON-RPC over HTTP and WebSocket on
--listen, until interrupted. Another wallet connects with --chain URL,
geth attach URL works, and so does any Ethereum tool. The chain's development
account is unlocked on the node (as on geth --dev), so it listens on loopback
only. While it runs, the wallet reaches its chain through it:
hw --chain URL ….`,
		Args: cobra.NoArgs,
		RunE: c.action(func(cmd *cobra.Command, args []string) error {
			ctx := cmd.Context()
			if s, err := c.chainSettings(); err != nil {
				return err
			} else if s.URL != "" {
				return userErrorf("hw chain serve runs the embedded chain; it does not take --chain or HW_CHAIN (%s)", s.URL)
			}
			if datadir == "" {
				dir, err := c.embeddedChainDir()
				if err != nil {
					return err
				}
				datadir = dir
			}
			err := chain.ServeEmbedded(ctx, datadir, listen, func(info chain.ServeInfo) {
				if c.jsonOut {
					printJSON(c.stdout, info)
					return
				}
				fmt.Fprintf(c.stdout, "Serving the embedded chain %s on %s (WebSocket %s)\n", info.ChainID, info.URL, info.WS)
				fmt.Fprintf(c.stdout, "  chain id:     %s\n", info.ChainID)
				fmt.Fprintf(c.stdout, "  registry:     %s\n", info.Registry.Hex())
				fmt.Fprintf(c.stdout, "  dev account:  %s (unlocked; hw --chain %s chain fund ADDRESS)\n", info.Faucet.Hex(), info.URL)
				fmt.Fprintf(c.stdout, "  block:        %d\n", info.Block)
				fmt.Fprintf(c.stdout, "  data:         %s\n", info.DataDir)
				fmt.Fprintf(c.stdout, "Connect a wallet with hw --chain %s …, or geth attach %s. Ctrl-C stops.\n", info.URL, info.URL)
			})
			var opErr *net.OpError
			switch {
			case err == nil, errors.Is(err, context.Canceled) && ctx.Err() != nil:
				fmt.Fprintln(c.stderr, "Stopped the chain.")
				return nil
			case errors.Is(err, chain.ErrBadListenAddress):
				return userErrorf("%v", err)
			case errors.Is(err, syscall.EADDRINUSE):
				return userErrorf("cannot listen on %s: the address is in use; choose another with --listen", listen)
			case errors.As(err, &opErr):
				return userErrorf("cannot listen on %s: %v", listen, opErr.Err)
			}
			return chainUserError(err)
		}),
	}
	cmd.Flags().StringVar(&listen, "listen", "127.0.0.1:8545", "serve JSON-RPC (HTTP and WebSocket) on `HOST:PORT`, loopback only; port 0 picks a free one")
	cmd.Flags().StringVar(&datadir, "datadir", "", "the chain's data `DIR` (default <wallet>/chain)")
	return cmd
}

// deployResult is what hw chain deploy --json prints.
type deployResult struct {
	Registry common.Address `json:"registry"`
	ChainID  *big.Int       `json:"chainId"`
	Tx       common.Hash    `json:"tx"`
	Block    uint64         `json:"block"`
	GasUsed  uint64         `json:"gasUsed"`
	From     string         `json:"from"` // "wallet" or "dev-account"
	Saved    bool           `json:"saved"`
}

func (c *cli) chainDeployCommand() *cobra.Command {
	var devAccount bool
	cmd := &cobra.Command{
		Use:   "deploy",
		Short: "Deploy a HealthRegistry on the chain given by --chain",
		Long: `hw chain deploy deploys a HealthRegistry on the JSON-RPC chain given by
--chain URL (or $HW_CHAIN), paid by the wallet's account (which must hold
some ETH: on a development chain, hw chain fund first), or with --dev-account
by the node's unlocked development account (geth --dev, hw chain serve). It
prints the registry's address. The embedded chain deploys its own.`,
		Args: cobra.NoArgs,
		RunE: c.action(func(cmd *cobra.Command, args []string) error {
			ctx := cmd.Context()
			s, err := c.chainSettings()
			if err != nil {
				return err
			}
			if s.URL == "" {
				return userErrorf("the embedded chain deploys its own registry (see hw chain status); hw chain deploy is for a chain given with --chain URL")
			}
			var (
				key *ecdsa.PrivateKey
				w   *wallet.Wallet
			)
			if !devAccount {
				if w, err = c.openWallet(ctx); err != nil {
					return err
				}
				defer w.Close()
				if key, err = w.ChainKey(); err != nil {
					return err
				}
			}
			n, s, err := c.openNode(ctx)
			if err != nil {
				return err
			}
			defer n.Close()
			res := deployResult{ChainID: n.ChainID, From: "wallet"}
			if devAccount {
				res.From = "dev-account"
				res.Registry, err = deployWith(ctx, n, nil, &res)
			} else {
				res.Registry, err = deployWith(ctx, n, key, &res)
			}
			if err != nil {
				return chainUserError(err)
			}
			s.Registry, s.ChainID = res.Registry.Hex(), n.ChainID.Uint64()
			if res.Saved, err = saveChainSettings(w, s); err != nil {
				return fmt.Errorf("saving the registry's address: %w", err)
			}
			if c.jsonOut {
				return printJSON(c.stdout, res)
			}
			fmt.Fprintf(c.stdout, "Deployed a HealthRegistry at %s on chain %s (transaction %s, block %d, %d gas).\n",
				res.Registry.Hex(), res.ChainID, res.Tx.Hex(), res.Block, res.GasUsed)
			if !res.Saved {
				fmt.Fprintf(c.stdout, "Use it with: HW_CHAIN=%s HW_REGISTRY=%s\n", s.URL, res.Registry.Hex())
			}
			return nil
		}),
	}
	cmd.Flags().BoolVar(&devAccount, "dev-account", false, "pay with the node's unlocked development account instead of the wallet's")
	return cmd
}

// deployWith deploys from key, or from the node's development account when
// key is nil, and fills in res.
func deployWith(ctx context.Context, n *chain.Network, key *ecdsa.PrivateKey, res *deployResult) (common.Address, error) {
	var (
		addr    common.Address
		receipt *types.Receipt
		err     error
	)
	if key == nil {
		addr, receipt, err = n.DeployFromDevAccount(ctx)
	} else {
		addr, receipt, err = chain.Deploy(ctx, n.Client, key, n.ChainID)
	}
	if receipt != nil {
		res.Tx, res.Block, res.GasUsed = receipt.TxHash, receipt.BlockNumber.Uint64(), receipt.GasUsed
	}
	return addr, err
}

// chainStatus is what hw chain status --json prints.
type chainStatus struct {
	Kind     string          `json:"kind"` // "embedded" or "rpc"
	URL      string          `json:"url"`  // the JSON-RPC URL, or the embedded chain's directory
	ChainID  *big.Int        `json:"chainId"`
	Registry *common.Address `json:"registry"` // null when none is known
	// RegistryOK says a HealthRegistry answers at Registry; Problem says why
	// not.
	RegistryOK bool   `json:"registryOk"`
	Problem    string `json:"problem,omitempty"`
	Block      uint64 `json:"block"`
	// Address and Balance (wei, decimal) are the wallet's, when its password
	// was given ($HW_PASSWORD or --password-file); status never prompts.
	Address string `json:"address,omitempty"`
	Balance string `json:"balance,omitempty"`
	// Network is the name of the wallet's network, when it joined one.
	Network string `json:"network,omitempty"`
}

func (c *cli) chainStatusCommand() *cobra.Command {
	var registryFlag string
	cmd := &cobra.Command{
		Use:   "status",
		Short: "Show the chain the wallet uses: kind, URL, chain id, registry, block, balance",
		Args:  cobra.NoArgs,
		RunE: c.action(func(cmd *cobra.Command, args []string) error {
			ctx := cmd.Context()
			if st, ok, err := c.networkChainStatus(ctx); ok || err != nil {
				if err != nil {
					return err
				}
				return c.printChainStatus(st)
			}
			n, s, err := c.openNode(ctx)
			if err != nil {
				return err
			}
			defer n.Close()
			if registryFlag != "" {
				if !common.IsHexAddress(registryFlag) {
					return userErrorf("--registry %q is not an address (0x and 40 hex digits)", registryFlag)
				}
				s.Registry = common.HexToAddress(registryFlag).Hex()
			}
			st := chainStatus{Kind: n.Kind, URL: n.URL, ChainID: n.ChainID}
			registry := n.Registry // the embedded chain's own
			if n.Kind != chain.KindEmbedded {
				registry = registryOf(s)
				if registry == (common.Address{}) {
					registry = n.AskRegistry(ctx)
				}
			}
			if registry != (common.Address{}) {
				st.Registry = &registry
			}
			if err := chain.CheckRegistry(ctx, n.Client, registry, n.ChainID); err != nil {
				if !errors.Is(err, chain.ErrNoRegistry) {
					return chainUserError(err)
				}
				st.Problem = err.Error()
			} else {
				st.RegistryOK = true
			}
			if st.Block, err = n.Client.BlockNumber(ctx); err != nil {
				return chainUserError(fmt.Errorf("reading the block number: %w", err))
			}
			if addr, ok := c.walletAddressIfGiven(ctx); ok {
				st.Address = addr.Hex()
				bal, err := n.Client.BalanceAt(ctx, addr, nil)
				if err != nil {
					return chainUserError(fmt.Errorf("reading the wallet's balance: %w", err))
				}
				st.Balance = bal.String()
			}
			return c.printChainStatus(st)
		}),
	}
	cmd.Flags().StringVar(&registryFlag, "registry", "", "the HealthRegistry's `ADDRESS` on a --chain node (default $HW_REGISTRY, else ask the node)")
	return cmd
}

// networkChainStatus is hw chain status for a wallet on a network (no
// --chain given, the password given without a prompt): the network's chain,
// and the wallet's balance as the network's node reports it (its read-only
// RPC answers no balances). ok is false when that does not apply.
func (c *cli) networkChainStatus(ctx context.Context) (chainStatus, bool, error) {
	s, err := c.chainSettings()
	if err != nil || s.URL != "" || (c.getenv("HW_PASSWORD") == "" && c.passwordFile == "") {
		return chainStatus{}, false, err
	}
	dir, err := c.vaultDir()
	if err != nil || !wallet.Exists(dir) {
		return chainStatus{}, false, nil
	}
	w, err := c.openWallet(ctx)
	if err != nil {
		return chainStatus{}, false, err
	}
	defer w.Close()
	m, ok := w.Network()
	if !ok {
		return chainStatus{}, false, nil
	}
	cs, err := w.ChainStatus(ctx)
	if err != nil {
		return chainStatus{}, true, err
	}
	registry := m.RegistryAddress()
	return chainStatus{
		Kind: "network", URL: m.URL, ChainID: new(big.Int).SetUint64(m.ChainID), Registry: &registry,
		RegistryOK: cs.Connected, Problem: cs.Problem, Address: cs.Address, Balance: cs.Balance, Network: m.Name, Block: cs.Block,
	}, true, nil
}

func (c *cli) printChainStatus(st chainStatus) error {
	if c.jsonOut {
		return printJSON(c.stdout, st)
	}
	if st.Network != "" {
		fmt.Fprintf(c.stdout, "Network:   %s\n", st.Network)
	}
	fmt.Fprintf(c.stdout, "Chain:     %s, %s\n", st.Kind, st.URL)
	fmt.Fprintf(c.stdout, "Chain id:  %s\n", st.ChainID)
	switch {
	case st.RegistryOK:
		fmt.Fprintf(c.stdout, "Registry:  %s\n", st.Registry.Hex())
	default:
		fmt.Fprintf(c.stdout, "Registry:  none: %s\n", st.Problem)
	}
	fmt.Fprintf(c.stdout, "Block:     %d\n", st.Block)
	if st.Address != "" {
		bal, ok := new(big.Int).SetString(st.Balance, 10)
		if !ok {
			bal = new(big.Int)
		}
		fmt.Fprintf(c.stdout, "Wallet:    %s, %s ETH\n", st.Address, chain.FormatEther(bal))
	}
	return nil
}

// walletAddressIfGiven unlocks the wallet when its password was given without
// a prompt, and returns its address.
func (c *cli) walletAddressIfGiven(ctx context.Context) (common.Address, bool) {
	if c.getenv("HW_PASSWORD") == "" && c.passwordFile == "" {
		return common.Address{}, false
	}
	dir, err := c.vaultDir()
	if err != nil || !wallet.Exists(dir) {
		return common.Address{}, false
	}
	w, err := c.openWallet(ctx)
	if err != nil {
		c.warn("the wallet's balance is left out: %v", err)
		return common.Address{}, false
	}
	defer w.Close()
	addr := w.Address()
	if !common.IsHexAddress(addr) {
		return common.Address{}, false
	}
	return common.HexToAddress(addr), true
}

// fundResult is what hw chain fund --json prints.
type fundResult struct {
	Address string `json:"address"`
	Amount  string `json:"amount"`  // wei, decimal
	Balance string `json:"balance"` // wei, decimal, after the transfer
}

func (c *cli) chainFundCommand() *cobra.Command {
	var amountText string
	cmd := &cobra.Command{
		Use:   "fund [ADDRESS]",
		Short: "Send ETH from a development chain's unlocked account (default: to the wallet)",
		Long: `hw chain fund sends ETH to ADDRESS (default: the wallet's own address) from
the development account of the chain: the embedded chain's, or that of a
node given by --chain that keeps one unlocked (geth --dev, hw chain serve).
Real chains have no such account: there, send ETH from an account you own.`,
		Args: cobra.MaximumNArgs(1),
		RunE: c.action(func(cmd *cobra.Command, args []string) error {
			ctx := cmd.Context()
			amount, err := chain.ParseEther(amountText)
			if err != nil {
				return userErrorf("--amount: %v", err)
			}
			var to common.Address
			if len(args) == 1 {
				if !common.IsHexAddress(args[0]) {
					return userErrorf("%q is not an address (0x and 40 hex digits)", args[0])
				}
				to = common.HexToAddress(args[0])
			} else {
				w, err := c.openWallet(ctx)
				if err != nil {
					return err
				}
				to = common.HexToAddress(w.Address())
				w.Close()
			}
			n, _, err := c.openNode(ctx)
			if err != nil {
				return err
			}
			defer n.Close()
			if err := n.FundFromDevAccount(ctx, to, amount); err != nil {
				return chainUserError(err)
			}
			bal, err := n.Client.BalanceAt(ctx, to, nil)
			if err != nil {
				return chainUserError(fmt.Errorf("reading the balance of %s: %w", to.Hex(), err))
			}
			if c.jsonOut {
				return printJSON(c.stdout, fundResult{Address: to.Hex(), Amount: amount.String(), Balance: bal.String()})
			}
			fmt.Fprintf(c.stdout, "Sent %s ETH to %s; it now holds %s ETH.\n", chain.FormatEther(amount), to.Hex(), chain.FormatEther(bal))
			return nil
		}),
	}
	cmd.Flags().StringVar(&amountText, "amount", "10", "how much `ETH` to send")
	return cmd
}
