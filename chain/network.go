// Package chain connects the wallet to an Ethereum-compatible chain that
// holds the HealthRegistry contract (package chain/contracts).
//
// A [Network] is one connection: a [Client], the chain id checked when it was
// opened, and the registry's address. Two ways to get one:
//
//   - [OpenEmbedded]: the default. An in-process development chain,
//     persistent under the wallet's data directory, that mines a block for
//     each transaction, deploys the registry on first start and funds the
//     local identity. [ServeEmbedded] runs the same chain as a JSON-RPC node
//     on loopback (hw chain serve) for other wallets and tools.
//   - [Dial]: any JSON-RPC URL (geth --dev, hw chain serve, a consortium
//     chain, a testnet). The chain id is checked before anything else, and the
//     registry must answer at its address. [DialNode] connects without a
//     registry, to [Deploy] one.
//
// [Fund] moves ETH from a key; [Network.FundFromDevAccount] and
// [Network.DeployFromDevAccount] use a development chain's own account
// (the embedded chain's faucet, or the unlocked eth_accounts[0] of geth --dev
// and hw chain serve).
//
// # Registry actions
//
// [Registry] reads the registry's views; each takes the patient, as the
// registry keys anchors and grants by patient ([GrantKey]). [Signer] signs
// actions (anchor, grant, revoke, delegation changes, access-log entries) as
// EIP-712 typed data and returns their calldata, which anyone may submit:
// the registry acts for the signer. [DecodeAction] reads calldata back,
// recovering the signer, and [Signer.Resign] signs it again with a new
// deadline. Package chain/outbox sends them.
//
// # Gas rules
//
// The embedded chain runs [DevChainConfig]: go-ethereum's developer chain cut
// back to the Osaka fork, the rules of public chains today. go-ethereum
// v1.17.8's own developer chain (geth --dev, ethclient/simulated) also runs
// the draft Bogota fork, where anchoring one root costs about 134,600 gas
// instead of 46,500. Package chaintest can start geth --dev either way.
//
// # Errors
//
// Errors a person can act on match sentinels with errors.Is, and their text
// says what to do: [ErrChainDown] (the node does not answer; see also
// [IsUnreachable]), [ErrWrongChain], [ErrNoRegistry], [ErrInsufficientFunds],
// [ErrChainInUse] (another program has the embedded chain open),
// [ErrNoDevAccount] and [ErrBadListenAddress].
//
// Package chain knows nothing of health records: it anchors 32-byte roots and
// records 32-byte grant digests. See ../shared/DESIGN.md §6.
package chain

import (
	"crypto/ecdsa"
	"math/big"
	"sync"

	"github.com/ethereum/go-ethereum"
	"github.com/ethereum/go-ethereum/common"
	"github.com/ethereum/go-ethereum/crypto"
	"github.com/ethereum/go-ethereum/rpc"
)

// Kinds of Network.
const (
	KindEmbedded  = "embedded"
	KindRPC       = "rpc"
	KindSimulated = "simulated" // ethclient/simulated, in tests (package chaintest)
)

// Client is what the wallet needs of a chain connection. Both
// *ethclient.Client and the simulated backend's client satisfy it, so the
// same code runs against the embedded chain, a remote node and tests.
type Client interface {
	ethereum.ChainIDReader
	ethereum.BlockNumberReader
	ethereum.ChainReader
	ethereum.ChainStateReader
	ethereum.ContractCaller
	ethereum.GasEstimator
	ethereum.GasPricer
	ethereum.GasPricer1559
	ethereum.LogFilterer
	ethereum.PendingStateReader
	ethereum.TransactionReader
	ethereum.TransactionSender
}

// Network is an open connection to a chain with a HealthRegistry.
type Network struct {
	Client   Client
	ChainID  *big.Int       // checked against the node when the Network was opened
	Registry common.Address // the HealthRegistry contract
	// Kind is "embedded" or "rpc"; URL is the JSON-RPC URL for "rpc", or the
	// data directory for "embedded".
	Kind string
	URL  string
	// Faucet is the embedded chain's development account, which funds
	// others (FundFromDevAccount); zero for other kinds.
	Faucet common.Address

	rpc    *rpc.Client       // the raw connection, for eth_accounts and healthwallet_*; nil when in-process without one
	devKey *ecdsa.PrivateKey // the embedded chain's faucet key
	close  func() error

	closeOnce sync.Once
	closeErr  error
}

// NewNetwork wraps a client opened elsewhere (a test backend, say) as a
// Network of the given kind. devKey, if not nil, is an account that
// FundFromDevAccount pays from; close, if not nil, runs on Close.
func NewNetwork(client Client, chainID *big.Int, registry common.Address, kind, url string, devKey *ecdsa.PrivateKey, close func() error) *Network {
	n := &Network{Client: client, ChainID: chainID, Registry: registry, Kind: kind, URL: url, devKey: devKey, close: close}
	if devKey != nil {
		n.Faucet = crypto.PubkeyToAddress(devKey.PublicKey)
	}
	return n
}

// Close releases the connection (and stops an embedded chain). Calling it
// again does nothing.
func (n *Network) Close() error {
	if n == nil || n.close == nil {
		return nil
	}
	n.closeOnce.Do(func() { n.closeErr = n.close() })
	return n.closeErr
}

// RPC is the raw JSON-RPC connection of a Network opened by Dial (or of an
// embedded chain), for forwarding calls (ReadOnlyRPC); nil when the Network
// was made in-process without one (NewNetwork).
func (n *Network) RPC() *rpc.Client { return n.rpc }
