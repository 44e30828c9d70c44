// Package chaintest gives tests real chains to run against: a real geth --dev
// process ([StartGeth]), the embedded chain served by a real hw process
// ([StartServe]), and an in-process simulated chain ([Simulated]) for the
// unit tests of other packages.
//
// Each has the HealthRegistry's chain id (1337) and a development account
// that funds whoever the test needs. Processes are stopped when the test
// ends. The two that start processes skip under -short, and build their
// binary once per test run: geth from the go-ethereum version pinned in
// go.mod (the same code as `go tool geth`), cached across runs under the
// system's temporary directory; hw from this module's current source.
//
// # Gas on geth --dev
//
// go-ethereum v1.17.8's geth --dev starts its chain with every fork enabled,
// the draft Bogota fork included, whose EIP-8037 charges "state gas" for new
// state: a new storage slot costs about 98,000 more gas than on public chains
// (Osaka rules). Transactions with explicit gas limits set for public chains
// may run out of gas there; gas estimates and bind's defaults just pay more.
// [OsakaGas] starts geth --dev on the embedded chain's configuration
// ([chain.DevChainConfig]) instead, for measurements that must match public
// chains.
package chaintest

import (
	"bufio"
	"bytes"
	"context"
	"crypto/ecdsa"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"math/big"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"runtime/debug"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/ethereum/go-ethereum/common"
	"github.com/ethereum/go-ethereum/core/types"
	"github.com/ethereum/go-ethereum/crypto"
	"github.com/ethereum/go-ethereum/eth/ethconfig"
	"github.com/ethereum/go-ethereum/ethclient/simulated"
	"github.com/ethereum/go-ethereum/node"
	"github.com/ethereum/go-ethereum/params"

	"healthwallet/chain"
	"healthwallet/chain/contracts"
)

// FundAmount is what the fund functions of this package send: 100 ETH.
var FundAmount = new(big.Int).Mul(big.NewInt(100), big.NewInt(params.Ether))

// gethDevAddress is the account geth --dev creates in an empty keystore: the
// well-known developer key of cmd/utils (0xb71c71a6…).
var gethDevAddress = common.HexToAddress("0x71562b71999873DB5b286dF957af199Ec94617F7")

// GethOption changes how StartGeth runs geth.
type GethOption func(*gethConfig)

type gethConfig struct {
	osaka bool
}

// OsakaGas starts geth --dev on the embedded chain's genesis
// ([chain.DevGenesis], Osaka rules, developer account funded) instead of
// geth's own developer genesis, so that gas matches public chains. geth --dev
// uses a chain already in its data directory, so the genesis is written
// first with geth init.
func OsakaGas() GethOption { return func(c *gethConfig) { c.osaka = true } }

// StartGeth runs a real geth --dev process (--dev.period 0: a block per
// transaction) with HTTP JSON-RPC on a free loopback port and a data
// directory of the test's, waits until it answers, and stops it when the
// test ends. It returns the JSON-RPC URL and a function that sends 100 ETH
// to an address from geth's unlocked developer account.
//
// geth's HTTP API has the eth, net, web3, txpool and dev namespaces. Its
// output goes to geth.log in the data directory, printed when it fails to
// start. Under -short the test is skipped.
func StartGeth(t testing.TB, opts ...GethOption) (url string, fundKey func(common.Address)) {
	t.Helper()
	if testing.Short() {
		t.Skip("skipped under -short: starts a real geth --dev process")
	}
	var cfg gethConfig
	for _, o := range opts {
		o(&cfg)
	}
	bin := gethBinary(t)
	datadir := t.TempDir()
	if cfg.osaka {
		genesis := filepath.Join(datadir, "genesis.json")
		b, err := json.Marshal(chain.DevGenesis(gethDevAddress))
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(genesis, b, 0o600); err != nil {
			t.Fatal(err)
		}
		out, err := exec.Command(bin, "init", "--datadir", datadir, genesis).CombinedOutput()
		if err != nil {
			t.Fatalf("geth init with the Osaka genesis: %v\n%s", err, out)
		}
	}
	var lastErr error
	for try := 0; try < 3; try++ { // a free port may be taken before geth binds it
		port := freePort(t)
		url = fmt.Sprintf("http://127.0.0.1:%d", port)
		args := []string{
			"--dev", "--dev.period", "0",
			"--datadir", datadir,
			"--http", "--http.addr", "127.0.0.1", "--http.port", strconv.Itoa(port),
			"--http.api", "eth,net,web3,txpool,dev",
			"--ipcdisable", "--nodiscover", "--maxpeers", "0", "--port", "0",
			"--authrpc.port", "0",
			"--verbosity", "3",
		}
		if lastErr = startProcess(t, "geth", bin, args, filepath.Join(datadir, "geth.log"), url); lastErr == nil {
			return url, funder(t, url)
		}
	}
	t.Fatalf("starting geth --dev: %v", lastErr)
	return "", nil
}

// Served is an embedded chain served by a separate hw process.
type Served struct {
	URL      string         // http://127.0.0.1:port
	WS       string         // ws://127.0.0.1:port
	DataDir  string         // the chain's data directory, held by the hw process
	ChainID  *big.Int       // 1337
	Registry common.Address // deployed when the chain started
	Faucet   common.Address // the unlocked development account
	// Fund sends 100 ETH to an address from the development account.
	Fund func(common.Address)
	// Stop ends the process as a person would (SIGTERM) and returns how it
	// exited: nil for a clean exit 0. The test's end stops it otherwise.
	Stop func() error
	// Kill ends the process with SIGKILL, as a crash would.
	Kill func()
}

// StartServe runs `hw chain serve --listen 127.0.0.1:0 --datadir DIR` as a
// separate process on a fresh data directory, waits until it answers, and
// stops it (SIGTERM, as a person would) when the test ends. hw is built from
// this module's source once per test binary. Under -short the test is
// skipped.
func StartServe(t testing.TB) *Served {
	t.Helper()
	if testing.Short() {
		t.Skip("skipped under -short: starts a real hw chain serve process")
	}
	bin := hwBinary(t)
	datadir := filepath.Join(t.TempDir(), "chain")
	cmd := exec.Command(bin, "--json", "chain", "serve", "--listen", "127.0.0.1:0", "--datadir", datadir)
	cmd.Env = append(os.Environ(), "HW_VAULT="+t.TempDir())
	logPath := filepath.Join(t.TempDir(), "hw-serve.log")
	logFile, err := os.Create(logPath)
	if err != nil {
		t.Fatal(err)
	}
	defer logFile.Close()
	cmd.Stderr = logFile
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatalf("starting hw chain serve: %v", err)
	}
	done := make(chan error, 1)
	go func() { done <- cmd.Wait() }()
	var (
		stopOnce sync.Once
		exitErr  error
	)
	stopServe := func() error {
		stopOnce.Do(func() { exitErr = stop(t, "hw chain serve", cmd, done) })
		return exitErr
	}
	t.Cleanup(func() { stopServe() })

	// The first line of standard output is the ServeInfo, in JSON.
	lines := make(chan string, 1)
	go func() {
		sc := bufio.NewScanner(stdout)
		if sc.Scan() {
			lines <- sc.Text()
		}
		close(lines)
		for sc.Scan() { // drain
		}
	}()
	var info chain.ServeInfo
	select {
	case line, ok := <-lines:
		if !ok {
			t.Fatalf("hw chain serve printed nothing; its log:\n%s", tail(logPath))
		}
		if err := json.Unmarshal([]byte(line), &info); err != nil {
			t.Fatalf("hw chain serve printed %q: %v", line, err)
		}
	case err := <-done:
		done <- err
		t.Fatalf("hw chain serve exited (%v); its log:\n%s", err, tail(logPath))
	case <-time.After(60 * time.Second):
		t.Fatalf("hw chain serve did not start in 60s; its log:\n%s", tail(logPath))
	}
	return &Served{
		URL:      info.URL,
		WS:       info.WS,
		DataDir:  info.DataDir,
		ChainID:  info.ChainID,
		Registry: info.Registry,
		Faucet:   info.Faucet,
		Fund:     funder(t, info.URL),
		Stop:     stopServe,
		Kill: func() {
			stopOnce.Do(func() {
				cmd.Process.Kill()
				exitErr = <-done
			})
		},
	}
}

// Sim is an in-process simulated chain (ethclient/simulated) with the
// registry deployed. It mines a block as soon as a transaction is sent, like
// the embedded chain; Backend gives tests the rest (AdjustTime to move the
// clock, Fork for reorgs).
type Sim struct {
	*chain.Network
	Backend *simulated.Backend
	// DevKey is the funded account that deployed the registry; the
	// Network's FundFromDevAccount pays from it.
	DevKey *ecdsa.PrivateKey
}

// Simulated starts a simulated chain with the embedded chain's rules
// ([chain.DevChainConfig], chain id 1337), the HealthRegistry deployed and
// each fund address holding 100 ETH. It is closed when the test ends.
func Simulated(t testing.TB, fund ...common.Address) *Sim {
	t.Helper()
	devKey, err := crypto.GenerateKey()
	if err != nil {
		t.Fatal(err)
	}
	alloc := types.GenesisAlloc{
		crypto.PubkeyToAddress(devKey.PublicKey): {Balance: new(big.Int).Mul(big.NewInt(1_000_000), big.NewInt(params.Ether))},
	}
	for _, a := range fund {
		alloc[a] = types.Account{Balance: new(big.Int).Set(FundAmount)}
	}
	backend := simulated.NewBackend(alloc, func(_ *node.Config, ec *ethconfig.Config) {
		ec.Genesis.Config = chain.DevChainConfig()
	})
	client := autoCommit{Client: backend.Client(), backend: backend}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	chainID := big.NewInt(chain.DevChainID)
	registry, _, err := chain.Deploy(ctx, client, devKey, chainID)
	if err != nil {
		backend.Close()
		t.Fatalf("deploying the registry on the simulated chain: %v", err)
	}
	n := chain.NewNetwork(client, chainID, registry, chain.KindSimulated, "", devKey, backend.Close)
	t.Cleanup(func() { n.Close() })
	return &Sim{Network: n, Backend: backend, DevKey: devKey}
}

// autoCommit seals a block after each transaction sent.
type autoCommit struct {
	simulated.Client
	backend *simulated.Backend
}

func (c autoCommit) SendTransaction(ctx context.Context, tx *types.Transaction) error {
	if err := c.Client.SendTransaction(ctx, tx); err != nil {
		return err
	}
	c.backend.Commit()
	return nil
}

var _ chain.Client = autoCommit{}

// funder returns a function that sends FundAmount to an address from the
// node's unlocked development account.
func funder(t testing.TB, url string) func(common.Address) {
	return func(to common.Address) {
		t.Helper()
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		n, err := chain.DialNode(ctx, url, nil)
		if err != nil {
			t.Fatalf("funding %s: %v", to, err)
		}
		defer n.Close()
		if err := n.FundFromDevAccount(ctx, to, FundAmount); err != nil {
			t.Fatalf("funding %s: %v", to, err)
		}
	}
}

// startProcess starts bin with args, its output to logPath, and waits until
// url answers eth_chainId. It stops the process when the test ends.
func startProcess(t testing.TB, name, bin string, args []string, logPath, url string) error {
	t.Helper()
	logFile, err := os.Create(logPath)
	if err != nil {
		return err
	}
	defer logFile.Close()
	cmd := exec.Command(bin, args...)
	cmd.Stdout, cmd.Stderr = logFile, logFile
	if err := cmd.Start(); err != nil {
		return fmt.Errorf("starting %s: %w", name, err)
	}
	done := make(chan error, 1)
	go func() { done <- cmd.Wait() }()

	deadline := time.Now().Add(60 * time.Second)
	for {
		ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
		n, err := chain.DialNode(ctx, url, nil)
		cancel()
		if err == nil {
			n.Close()
			t.Cleanup(func() { stop(t, name, cmd, done) })
			return nil
		}
		select {
		case werr := <-done:
			return fmt.Errorf("%s exited (%v) before answering; its log:\n%s", name, werr, tail(logPath))
		case <-time.After(100 * time.Millisecond):
		}
		if time.Now().After(deadline) {
			cmd.Process.Kill()
			<-done
			return fmt.Errorf("%s did not answer at %s in 60s; its log:\n%s", name, url, tail(logPath))
		}
	}
}

// stop asks a process to end (SIGTERM), kills it after 10 seconds, and
// returns how it exited.
func stop(t testing.TB, name string, cmd *exec.Cmd, done chan error) error {
	if err := cmd.Process.Signal(syscall.SIGTERM); err != nil && !errors.Is(err, os.ErrProcessDone) {
		t.Logf("stopping %s: %v", name, err)
	}
	select {
	case err := <-done:
		return err
	case <-time.After(10 * time.Second):
		t.Logf("%s did not stop in 10s after SIGTERM: killing it", name)
		cmd.Process.Kill()
		<-done
		return fmt.Errorf("%s did not stop in 10s after SIGTERM", name)
	}
}

func freePort(t testing.TB) int {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatalf("finding a free port: %v", err)
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port
}

// tail returns the last lines of a log file, for failure messages.
func tail(path string) string {
	b, err := os.ReadFile(path)
	if err != nil {
		return "(" + err.Error() + ")"
	}
	lines := strings.Split(strings.TrimRight(string(b), "\n"), "\n")
	if len(lines) > 40 {
		lines = lines[len(lines)-40:]
	}
	return strings.Join(lines, "\n")
}

var (
	gethOnce sync.Once
	gethPath string
	gethErr  error

	hwOnce sync.Once
	hwPath string
	hwErr  error
)

// gethBinary builds geth at go.mod's go-ethereum version, once per test run
// and cached across runs under os.TempDir keyed by that version.
func gethBinary(t testing.TB) string {
	t.Helper()
	gethOnce.Do(func() {
		version, err := gethVersion()
		if err != nil {
			gethErr = err
			return
		}
		gethPath = filepath.Join(cacheDir(), "geth-"+version)
		if _, err := os.Stat(gethPath); err == nil {
			return
		}
		t.Logf("building geth %s (once; cached as %s)…", version, gethPath)
		gethErr = goBuild(gethPath, "github.com/ethereum/go-ethereum/cmd/geth")
	})
	if gethErr != nil {
		t.Fatalf("geth for the test: %v", gethErr)
	}
	return gethPath
}

// hwBinary builds hw from this module's source, once per test binary.
func hwBinary(t testing.TB) string {
	t.Helper()
	hwOnce.Do(func() {
		// One binary per checkout: the cache directory is shared by every
		// checkout on the machine (git worktrees), whose sources differ.
		wd, err := os.Getwd()
		if err != nil {
			hwErr = err
			return
		}
		hwPath = filepath.Join(cacheDir(), "hw-"+hex.EncodeToString(crypto.Keccak256([]byte(moduleRoot(wd))))[:16])
		hwErr = goBuild(hwPath, "healthwallet/cmd/hw")
	})
	if hwErr != nil {
		t.Fatalf("hw for the test: %v", hwErr)
	}
	return hwPath
}

// moduleRoot is the directory of the go.mod above dir (dir itself if none).
func moduleRoot(dir string) string {
	for d := dir; ; d = filepath.Dir(d) {
		if _, err := os.Stat(filepath.Join(d, "go.mod")); err == nil {
			return d
		}
		if filepath.Dir(d) == d {
			return dir
		}
	}
}

func cacheDir() string { return filepath.Join(os.TempDir(), "healthwallet-chaintest") }

// gethVersion is the go-ethereum version this module requires: from the
// test binary's build information, else from go list.
func gethVersion() (string, error) {
	if bi, ok := debug.ReadBuildInfo(); ok {
		for _, d := range bi.Deps {
			if d.Path == "github.com/ethereum/go-ethereum" {
				if d.Replace != nil {
					break // a replaced module: ask go list for what it is
				}
				return d.Version, nil
			}
		}
	}
	out, err := exec.Command("go", "list", "-m", "-f", "{{.Version}}", "github.com/ethereum/go-ethereum").Output()
	if err != nil {
		return "", fmt.Errorf("finding the go-ethereum version with go list: %w", err)
	}
	v := strings.TrimSpace(string(out))
	if v == "" {
		return "", errors.New("go list gave no go-ethereum version")
	}
	return v, nil
}

// goBuild builds pkg into path: into a temporary file renamed into place, so
// that test binaries building at once never run a half-written file.
func goBuild(path, pkg string) error {
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		return err
	}
	tmp := fmt.Sprintf("%s.tmp-%d", path, os.Getpid())
	cmd := exec.Command("go", "build", "-o", tmp, pkg)
	if out, err := cmd.CombinedOutput(); err != nil {
		os.Remove(tmp)
		return fmt.Errorf("go build %s: %v\n%s", pkg, err, out)
	}
	return os.Rename(tmp, path)
}

// ScanForPrivateData reads every block's transactions and their logs on
// client's chain and fails the test for each needle found in calldata, log
// data or topics, as raw bytes or in hex (a needle is matched as given; add
// the hex form of binary secrets too). It returns how many transactions of
// each HealthRegistry function it read, so that a caller can check that its
// scan saw every kind it meant to.
func ScanForPrivateData(t testing.TB, client chain.Client, needles [][]byte) map[string]int {
	t.Helper()
	ctx := context.Background()
	head, err := client.BlockNumber(ctx)
	if err != nil {
		t.Fatal(err)
	}
	kinds := map[string]int{}
	parsed := contracts.NewHealthRegistry().GetABI()
	for n := uint64(0); n <= head; n++ {
		blk, err := client.BlockByNumber(ctx, new(big.Int).SetUint64(n))
		if err != nil {
			t.Fatal(err)
		}
		for _, tx := range blk.Transactions() {
			if len(tx.Data()) >= 4 {
				if m, err := parsed.MethodById(tx.Data()[:4]); err == nil {
					kinds[m.Name]++
				}
			}
			rc, err := client.TransactionReceipt(ctx, tx.Hash())
			if err != nil {
				t.Fatal(err)
			}
			hay := [][]byte{tx.Data()}
			for _, l := range rc.Logs {
				hay = append(hay, l.Data)
				for _, topic := range l.Topics {
					hay = append(hay, topic[:])
				}
			}
			for _, h := range hay {
				hexed := []byte(hex.EncodeToString(h))
				for _, needle := range needles {
					if bytes.Contains(h, needle) || bytes.Contains(hexed, needle) {
						t.Errorf("block %d tx %s carries private data %q", n, tx.Hash(), needle)
					}
				}
			}
		}
	}
	return kinds
}

// AdjustTime moves sim's clock by d for the next block. The simulated
// beacon refuses while its transaction pool still holds transactions, and
// the pool drops those of a block just committed only a moment later: so
// it tries again, briefly, before failing the test.
func AdjustTime(t testing.TB, sim *simulated.Backend, d time.Duration) {
	t.Helper()
	var err error
	for range 100 {
		if err = sim.AdjustTime(d); err == nil {
			return
		}
		time.Sleep(20 * time.Millisecond)
	}
	t.Fatalf("moving the simulated chain's clock by %v: %v", d, err)
}
