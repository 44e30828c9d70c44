package chain

import (
	"context"
	"crypto/ecdsa"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"math/big"
	"net"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync/atomic"

	"github.com/ethereum/go-ethereum/accounts"
	"github.com/ethereum/go-ethereum/accounts/keystore"
	"github.com/ethereum/go-ethereum/common"
	"github.com/ethereum/go-ethereum/core"
	"github.com/ethereum/go-ethereum/core/rawdb"
	"github.com/ethereum/go-ethereum/core/types"
	"github.com/ethereum/go-ethereum/crypto"
	"github.com/ethereum/go-ethereum/eth"
	"github.com/ethereum/go-ethereum/eth/catalyst"
	"github.com/ethereum/go-ethereum/eth/ethconfig"
	"github.com/ethereum/go-ethereum/eth/filters"
	"github.com/ethereum/go-ethereum/ethclient"
	"github.com/ethereum/go-ethereum/event"
	"github.com/ethereum/go-ethereum/log"
	"github.com/ethereum/go-ethereum/node"
	"github.com/ethereum/go-ethereum/p2p"
	"github.com/ethereum/go-ethereum/params"
	"github.com/ethereum/go-ethereum/rpc"
)

// DevChainID is the chain id of the embedded chain (and of geth --dev and
// ethclient/simulated).
const DevChainID = 1337

// Files in an embedded chain's data directory, beside geth's own "geth/"
// (chain database, lock) and "keystore/" (the faucet, for hw chain serve).
const (
	faucetKeyFile = "faucet.key"    // the development account's key, hex, 0600
	genesisFile   = "genesis.json"  // the genesis, written once, read on every start
	registryFile  = "registry.json" // the deployed registry, see embeddedState
)

// Amounts the embedded chain hands out.
var (
	// FundAmount is what OpenEmbedded sends to each fund address whose
	// balance is below FundThreshold.
	FundAmount    = new(big.Int).Mul(big.NewInt(10), big.NewInt(params.Ether))
	FundThreshold = new(big.Int).Mul(big.NewInt(1), big.NewInt(params.Ether))
	// faucetBalance is the development account's balance at genesis.
	faucetBalance = new(big.Int).Mul(big.NewInt(1_000_000_000), big.NewInt(params.Ether))
)

// devGasLimit is the embedded chain's block gas limit, that of public chains.
const devGasLimit = 60_000_000

// DevChainConfig is the embedded chain's configuration: go-ethereum's
// developer chain (every fork from genesis, chain id 1337) cut back to the
// Osaka fork.
//
// go-ethereum v1.17.8's developer configuration, which geth --dev and
// ethclient/simulated use, also switches on the draft Bogota fork (EIP-8037
// "state gas"), under which a new storage slot costs about 98,000 more gas
// than on any public chain today. The wallet's fees and the gas targets of
// DESIGN §6 are about public chains, so the embedded chain runs their rules.
// (Package chaintest can start geth --dev on this configuration too.)
func DevChainConfig() *params.ChainConfig {
	cfg := *params.AllDevChainProtocolChanges
	cfg.ChainID = big.NewInt(DevChainID)
	cfg.AmsterdamTime, cfg.BogotaTime = nil, nil
	return &cfg
}

// DevGenesis is the embedded chain's genesis: DevChainConfig, the system
// contracts the forks call into, and faucet funded.
func DevGenesis(faucet common.Address) *core.Genesis {
	g := core.DeveloperGenesisBlock(devGasLimit, nil)
	g.Config = DevChainConfig()
	g.Alloc[faucet] = types.Account{Balance: new(big.Int).Set(faucetBalance)}
	return g
}

// embeddedState is registry.json: what the chain remembers beside its
// database.
type embeddedState struct {
	ChainID  uint64         `json:"chainId"`
	Registry common.Address `json:"registry"`
	DeployTx common.Hash    `json:"deployTx"`
	Block    uint64         `json:"block"`
}

// OpenEmbedded opens the embedded development chain kept under datadir,
// creating it on first use, and returns a Network over it (Kind
// "embedded", URL datadir). The caller closes it, which stops the chain.
//
// The chain is assembled as geth --dev --datadir does it: a node without
// networking, an Ethereum service and a simulated beacon that seals a block
// as soon as a transaction arrives. On first start it generates a faucet key
// of its own (datadir/faucet.key, 0600), writes its genesis (chain id 1337,
// the rules of DevChainConfig) and deploys the HealthRegistry, whose address
// it remembers in datadir/registry.json. Each fund address whose balance is
// below 1 ETH receives 10 ETH from the faucet. Every block's state is written
// through to disk, so a process killed at any point reopens at its last block.
//
// Only one program at a time can hold datadir: a second gets an error
// wrapping [ErrChainInUse].
func OpenEmbedded(ctx context.Context, datadir string, fund ...common.Address) (*Network, error) {
	e, err := startEmbedded(ctx, datadir, "", 0)
	if err != nil {
		return nil, err
	}
	n := e.network()
	if err := e.fund(ctx, n, fund); err != nil {
		n.Close()
		return nil, err
	}
	return n, nil
}

// ServeInfo says where a served embedded chain answers.
type ServeInfo struct {
	URL      string         `json:"url"` // http://127.0.0.1:8545
	WS       string         `json:"ws"`  // ws://127.0.0.1:8545
	ChainID  *big.Int       `json:"chainId"`
	Registry common.Address `json:"registry"`
	// Faucet is the development account, unlocked on the node: eth_accounts
	// lists it and eth_sendTransaction spends from it, as on geth --dev.
	Faucet  common.Address `json:"faucet"`
	DataDir string         `json:"datadir"`
	Block   uint64         `json:"block"`
}

// ServeEmbedded runs the embedded chain under datadir as a node answering
// JSON-RPC over HTTP and WebSocket on listen (host:port, loopback only; port
// 0 picks a free one) until ctx ends, then stops it cleanly. ready, if not
// nil, is called once the node answers, with where it does.
//
// The node serves the eth, net, web3 and txpool namespaces, plus
// healthwallet_registry (the registry's address, so a wallet given only the
// URL finds it). Its faucet account is unlocked, as geth --dev's developer
// account is, so `hw chain fund` and other tools can draw on it; that is why
// it listens on loopback only.
func ServeEmbedded(ctx context.Context, datadir, listen string, ready func(ServeInfo)) error {
	if err := checkLoopback(listen); err != nil {
		return err
	}
	e, err := startEmbedded(ctx, datadir, listen, 0)
	if err != nil {
		return err
	}
	n := e.network()
	defer n.Close()
	if ready != nil {
		block, err := n.Client.BlockNumber(ctx)
		if err != nil {
			return fmt.Errorf("reading the served chain: %w", err)
		}
		ready(ServeInfo{
			URL:      e.stack.HTTPEndpoint(),
			WS:       e.stack.WSEndpoint(),
			ChainID:  big.NewInt(DevChainID),
			Registry: e.registry,
			Faucet:   crypto.PubkeyToAddress(e.key.PublicKey),
			DataDir:  e.datadir,
			Block:    block,
		})
	}
	<-ctx.Done()
	return n.Close()
}

// checkLoopback refuses a listen address that is not host:port on a
// loopback address: the served node has an unlocked account.
func checkLoopback(listen string) error {
	host, port, err := net.SplitHostPort(listen)
	if err != nil {
		return fmt.Errorf("%w %q: want host:port, e.g. 127.0.0.1:8545", ErrBadListenAddress, listen)
	}
	if p, err := strconv.Atoi(port); err != nil || p < 0 || p > 65535 {
		return fmt.Errorf("%w %q: bad port %q", ErrBadListenAddress, listen, port)
	}
	if host == "localhost" {
		return nil
	}
	ip := net.ParseIP(host)
	if ip == nil || !ip.IsLoopback() {
		return fmt.Errorf("%w %q: the embedded chain serves on loopback only (127.0.0.1 or [::1]), as its development account is unlocked", ErrBadListenAddress, listen)
	}
	return nil
}

// embedded is a running embedded chain.
type embedded struct {
	datadir  string
	stack    *node.Node
	eth      *eth.Ethereum
	key      *ecdsa.PrivateKey
	registry common.Address // set before the network is handed out

	// served is the registry's address as healthwallet_registry reports it;
	// atomic, as the node may answer while the registry is being deployed.
	served atomic.Value // common.Address
}

func (e *embedded) network() *Network {
	rc := e.stack.Attach()
	n := NewNetwork(ethclient.NewClient(rc), big.NewInt(DevChainID), e.registry, KindEmbedded, e.datadir, e.key, func() error {
		rc.Close()
		if err := e.stack.Close(); err != nil {
			return fmt.Errorf("stopping the embedded chain: %w", err)
		}
		return nil
	})
	n.rpc = rc
	return n
}

// startEmbedded opens (or creates) the chain under datadir and starts it,
// with HTTP and WebSocket on listen when not empty; on first start it
// deploys the registry. periodSeconds 0 seals a block for each transaction
// (the wallet's own chain); more seals one every periodSeconds (a network
// node). The data directory is the same either way.
func startEmbedded(ctx context.Context, datadir, listen string, periodSeconds uint64) (e *embedded, err error) {
	if datadir == "" {
		return nil, errors.New("the embedded chain needs a data directory")
	}
	abs, err := filepath.Abs(datadir)
	if err != nil {
		return nil, fmt.Errorf("embedded chain directory %s: %w", datadir, err)
	}
	if err := os.MkdirAll(abs, 0o700); err != nil {
		return nil, fmt.Errorf("creating the embedded chain's directory: %w", err)
	}
	e = &embedded{datadir: abs}

	nodeConf := node.DefaultConfig
	nodeConf.Name = "geth" // the layout of geth --datadir, so geth's own tools can read it
	nodeConf.DataDir = abs
	nodeConf.P2P = p2p.Config{NoDiscovery: true, MaxPeers: 0}
	nodeConf.UseLightweightKDF = true
	nodeConf.Logger = log.NewLogger(log.DiscardHandler())
	if listen != "" {
		host, portText, _ := net.SplitHostPort(listen) // checked by checkLoopback
		port, _ := strconv.Atoi(portText)
		modules := []string{"eth", "net", "web3", "txpool", rpcNamespace}
		nodeConf.HTTPHost, nodeConf.HTTPPort, nodeConf.HTTPModules = host, port, modules
		nodeConf.HTTPVirtualHosts = []string{"localhost"}
		nodeConf.WSHost, nodeConf.WSPort, nodeConf.WSModules = host, port, modules
	}
	// node.New takes the directory's lock before anything else is read or
	// written, so two programs never share the files below.
	stack, err := node.New(&nodeConf)
	if err != nil {
		if errors.Is(err, node.ErrDatadirUsed) {
			return nil, fmt.Errorf("%w (%s): close the other wallet or hw chain serve using it, or connect to that one with --chain URL", ErrChainInUse, abs)
		}
		return nil, fmt.Errorf("opening the embedded chain in %s: %w", abs, err)
	}
	e.stack = stack
	defer func() {
		if err != nil {
			stack.Close()
		}
	}()

	if e.key, err = loadOrCreateKey(filepath.Join(abs, faucetKeyFile)); err != nil {
		return nil, err
	}
	faucet := crypto.PubkeyToAddress(e.key.PublicKey)
	genesis, err := loadOrCreateGenesis(filepath.Join(abs, genesisFile), faucet)
	if err != nil {
		return nil, err
	}

	ethConf := ethconfig.Defaults
	ethConf.Genesis = genesis
	ethConf.NetworkId = DevChainID
	ethConf.SyncMode = ethconfig.FullSync
	// Hash-based state in archive mode writes every block's state to disk
	// as it is sealed: a wallet killed mid-write loses no block. (The path
	// scheme would keep recent state in memory until a clean shutdown.)
	ethConf.StateScheme = rawdb.HashScheme
	ethConf.NoPruning = true
	// A wallet's chain is small: modest caches.
	ethConf.DatabaseCache, ethConf.DatabaseHandles = 32, 256
	ethConf.TrieCleanCache, ethConf.TrieDirtyCache, ethConf.SnapshotCache = 16, 16, 16
	ethConf.Miner.PendingFeeRecipient = faucet
	ethConf.Miner.GasPrice = big.NewInt(1) // as geth --dev: the smallest tip is enough
	ethConf.TxPool.NoLocals = false

	backend, err := eth.New(stack, &ethConf)
	if err != nil {
		return nil, fmt.Errorf("starting the embedded chain in %s: %w", abs, err)
	}
	e.eth = backend
	filterSystem := filters.NewFilterSystem(backend.APIBackend, filters.Config{
		LogCacheSize:  ethConf.FilterLogCacheSize,
		LogQueryLimit: ethConf.LogQueryLimit,
		RangeLimit:    ethConf.RangeLimit,
	})
	stack.RegisterAPIs([]rpc.API{{Namespace: "eth", Service: filters.NewFilterAPI(filterSystem)}})

	beacon, err := catalyst.NewSimulatedBeacon(periodSeconds, faucet, backend)
	if err != nil {
		return nil, fmt.Errorf("starting the embedded chain's block sealer: %w", err)
	}
	if periodSeconds == 0 {
		// With period 0 the beacon's API loop seals a block for each new
		// transaction, exactly as geth --dev --dev.period 0.
		catalyst.RegisterSimulatedBeaconAPIs(stack, beacon)
	}
	// With a period, the beacon itself seals a block every period.
	stack.RegisterLifecycle(beacon)
	stack.RegisterLifecycle(&headSyncer{eth: backend})

	state, err := readState(filepath.Join(abs, registryFile))
	if err != nil {
		return nil, err
	}
	e.registry = state.Registry
	e.served.Store(state.Registry)
	stack.RegisterAPIs([]rpc.API{{Namespace: rpcNamespace, Service: &registryService{e: e}}})

	if listen != "" {
		if err := unlockFaucet(stack, e.key); err != nil {
			return nil, err
		}
	}
	if err := stack.Start(); err != nil {
		var opErr *net.OpError
		if errors.As(err, &opErr) {
			return nil, fmt.Errorf("serving the embedded chain on %s: %w", listen, err)
		}
		return nil, fmt.Errorf("starting the embedded chain in %s: %w", abs, err)
	}
	if err := e.ensureRegistry(ctx, state); err != nil {
		return nil, err
	}
	return e, nil
}

// ensureRegistry deploys the registry on first start (or after the chain
// database was removed), and otherwise checks it is there.
func (e *embedded) ensureRegistry(ctx context.Context, state embeddedState) error {
	rc := e.stack.Attach()
	defer rc.Close()
	client := ethclient.NewClient(rc)
	if state.Registry != (common.Address{}) {
		code, err := client.CodeAt(ctx, state.Registry, nil)
		if err != nil {
			return fmt.Errorf("reading the embedded chain's registry: %w", err)
		}
		if len(code) > 0 {
			return nil
		}
		// The chain database is new but registry.json is old: deploy again.
		// The faucet's first transaction makes it, so the address is the same.
	}
	addr, receipt, err := Deploy(ctx, client, e.key, big.NewInt(DevChainID))
	if err != nil {
		return fmt.Errorf("deploying the registry on the embedded chain: %w", err)
	}
	e.registry = addr
	e.served.Store(addr)
	return writeJSONFile(filepath.Join(e.datadir, registryFile), embeddedState{
		ChainID:  DevChainID,
		Registry: addr,
		DeployTx: receipt.TxHash,
		Block:    receipt.BlockNumber.Uint64(),
	})
}

// fund gives each address whose balance is low FundAmount from the faucet.
func (e *embedded) fund(ctx context.Context, n *Network, addrs []common.Address) error {
	for _, a := range addrs {
		bal, err := n.Client.BalanceAt(ctx, a, nil)
		if err != nil {
			return fmt.Errorf("reading the balance of %s: %w", a.Hex(), err)
		}
		if bal.Cmp(FundThreshold) >= 0 {
			continue
		}
		if err := Fund(ctx, n.Client, e.key, a, FundAmount); err != nil {
			return fmt.Errorf("funding %s on the embedded chain: %w", a.Hex(), err)
		}
	}
	return nil
}

// headSyncer flushes the chain database's write-ahead log to disk each time
// a block becomes the head. geth writes asynchronously and relies on
// recovering from a peer after a crash; the embedded chain has no peer, so
// without this a killed wallet would reopen blocks behind.
type headSyncer struct {
	eth  *eth.Ethereum
	sub  event.Subscription
	done chan struct{}
}

func (h *headSyncer) Start() error {
	heads := make(chan core.ChainHeadEvent, 16)
	h.sub = h.eth.BlockChain().SubscribeChainHeadEvent(heads)
	h.done = make(chan struct{})
	go func() {
		defer close(h.done)
		for {
			select {
			case <-heads:
				if err := h.eth.ChainDb().SyncKeyValue(); err != nil {
					log.Error("Syncing the embedded chain's database", "err", err)
				}
			case <-h.sub.Err():
				return
			}
		}
	}()
	return nil
}

func (h *headSyncer) Stop() error {
	h.sub.Unsubscribe()
	<-h.done
	return nil
}

// registryService is the healthwallet_* JSON-RPC namespace.
type registryService struct{ e *embedded }

// Registry is healthwallet_registry: the HealthRegistry's address.
func (s *registryService) Registry() common.Address {
	addr, _ := s.e.served.Load().(common.Address)
	return addr
}

// unlockFaucet puts the faucet key into the node's keystore, unlocked, so
// that eth_accounts and eth_sendTransaction work as on geth --dev.
func unlockFaucet(stack *node.Node, key *ecdsa.PrivateKey) error {
	ks := keystore.NewKeyStore(stack.KeyStoreDir(), keystore.LightScryptN, keystore.LightScryptP)
	stack.AccountManager().AddBackend(ks)
	acct := accounts.Account{Address: crypto.PubkeyToAddress(key.PublicKey)}
	if !ks.HasAddress(acct.Address) {
		var err error
		if acct, err = ks.ImportECDSA(key, ""); err != nil {
			return fmt.Errorf("putting the faucet account in the node's keystore: %w", err)
		}
	}
	if err := ks.Unlock(acct, ""); err != nil {
		return fmt.Errorf("unlocking the faucet account: %w", err)
	}
	return nil
}

// loadOrCreateKey reads the faucet key, or makes one and writes it (0600).
func loadOrCreateKey(path string) (*ecdsa.PrivateKey, error) {
	b, err := os.ReadFile(path)
	if err == nil {
		key, err := crypto.HexToECDSA(strings.TrimSpace(string(b)))
		if err != nil {
			return nil, fmt.Errorf("the embedded chain's faucet key %s is damaged: %w", path, err)
		}
		return key, nil
	}
	if !errors.Is(err, fs.ErrNotExist) {
		return nil, fmt.Errorf("reading the embedded chain's faucet key: %w", err)
	}
	key, err := crypto.GenerateKey()
	if err != nil {
		return nil, fmt.Errorf("making the embedded chain's faucet key: %w", err)
	}
	if err := writeFileAtomic(path, []byte(hex.EncodeToString(crypto.FromECDSA(key))+"\n")); err != nil {
		return nil, err
	}
	return key, nil
}

// loadOrCreateGenesis reads the chain's genesis, or writes DevGenesis. The
// genesis is kept rather than rebuilt on each start so that a newer
// go-ethereum, whose developer genesis may differ, still opens the chain.
func loadOrCreateGenesis(path string, faucet common.Address) (*core.Genesis, error) {
	b, err := os.ReadFile(path)
	if err == nil {
		g := new(core.Genesis)
		if err := json.Unmarshal(b, g); err != nil {
			return nil, fmt.Errorf("the embedded chain's genesis %s is damaged: %w", path, err)
		}
		if g.Config == nil || g.Config.ChainID == nil || g.Config.ChainID.Cmp(big.NewInt(DevChainID)) != 0 {
			return nil, fmt.Errorf("the embedded chain's genesis %s is not chain %d", path, DevChainID)
		}
		return g, nil
	}
	if !errors.Is(err, fs.ErrNotExist) {
		return nil, fmt.Errorf("reading the embedded chain's genesis: %w", err)
	}
	g := DevGenesis(faucet)
	if err := writeJSONFile(path, g); err != nil {
		return nil, err
	}
	return g, nil
}

func readState(path string) (embeddedState, error) {
	var s embeddedState
	b, err := os.ReadFile(path)
	if errors.Is(err, fs.ErrNotExist) {
		return s, nil
	}
	if err != nil {
		return s, fmt.Errorf("reading the embedded chain's registry file: %w", err)
	}
	if err := json.Unmarshal(b, &s); err != nil {
		return s, fmt.Errorf("the embedded chain's registry file %s is damaged (%v): remove it and the registry is deployed again", path, err)
	}
	return s, nil
}

func writeJSONFile(path string, v any) error {
	b, err := json.MarshalIndent(v, "", "  ")
	if err != nil {
		return fmt.Errorf("encoding %s: %w", filepath.Base(path), err)
	}
	return writeFileAtomic(path, append(b, '\n'))
}

// writeFileAtomic writes data to path (0600) through a synced temporary file
// renamed over it, so path holds the old content or the new, never a part.
func writeFileAtomic(path string, data []byte) (err error) {
	f, err := os.CreateTemp(filepath.Dir(path), "."+filepath.Base(path)+".tmp-*")
	if err != nil {
		return fmt.Errorf("writing %s: %w", path, err)
	}
	defer func() {
		if err != nil {
			f.Close()
			os.Remove(f.Name())
		}
	}()
	if err := f.Chmod(0o600); err != nil {
		return fmt.Errorf("writing %s: %w", path, err)
	}
	if _, err := f.Write(data); err != nil {
		return fmt.Errorf("writing %s: %w", path, err)
	}
	if err := f.Sync(); err != nil {
		return fmt.Errorf("writing %s: %w", path, err)
	}
	if err := f.Close(); err != nil {
		return fmt.Errorf("writing %s: %w", path, err)
	}
	if err := os.Rename(f.Name(), path); err != nil {
		return fmt.Errorf("writing %s: %w", path, err)
	}
	return nil
}
