package chain

import (
	"context"
	"crypto/ecdsa"
	"errors"
	"fmt"
	"math/big"
	"net/http"
	"time"

	"github.com/ethereum/go-ethereum"
	"github.com/ethereum/go-ethereum/accounts/abi/bind/v2"
	"github.com/ethereum/go-ethereum/common"
	"github.com/ethereum/go-ethereum/common/hexutil"
	"github.com/ethereum/go-ethereum/core/types"
	"github.com/ethereum/go-ethereum/crypto"
	"github.com/ethereum/go-ethereum/ethclient"
	"github.com/ethereum/go-ethereum/rpc"

	"healthwallet/chain/contracts"
)

// rpcNamespace is the JSON-RPC namespace an embedded chain adds for wallets:
// healthwallet_registry returns the registry's address, so that a wallet
// pointed at hw chain serve needs nothing but the URL.
const rpcNamespace = "healthwallet"

// Dial connects to the JSON-RPC node at url and checks that it is the chain
// the wallet expects and that it holds a HealthRegistry.
//
// wantChainID, when not nil, must equal the node's eth_chainId, else the
// error wraps [ErrWrongChain]: nothing is ever signed for the wrong chain.
// registry is the HealthRegistry's address; the zero address asks the node
// (a chain run by hw chain serve answers healthwallet_registry). No code at
// the address, or code that does not answer as a registry, gives
// [ErrNoRegistry]. A node that does not answer gives [ErrChainDown].
func Dial(ctx context.Context, url string, registry common.Address, wantChainID *big.Int) (*Network, error) {
	return DialWith(ctx, url, nil, registry, wantChainID)
}

// DialWith is [Dial] over the HTTP client hc (a network node's client, which
// pins its certificate); nil means the default.
func DialWith(ctx context.Context, url string, hc *http.Client, registry common.Address, wantChainID *big.Int) (*Network, error) {
	n, err := dialNode(ctx, url, hc, wantChainID)
	if err != nil {
		return nil, err
	}
	if registry == (common.Address{}) {
		registry = n.AskRegistry(ctx)
	}
	if err := CheckRegistry(ctx, n.Client, registry, n.ChainID); err != nil {
		n.Close()
		return nil, err
	}
	n.Registry = registry
	return n, nil
}

// DialNode connects to the JSON-RPC node at url and checks its chain id like
// [Dial], without looking for a registry: for deploying one, funding
// accounts and status. The returned Network's Registry is zero.
func DialNode(ctx context.Context, url string, wantChainID *big.Int) (*Network, error) {
	return dialNode(ctx, url, nil, wantChainID)
}

func dialNode(ctx context.Context, url string, hc *http.Client, wantChainID *big.Int) (*Network, error) {
	var opts []rpc.ClientOption
	if hc != nil {
		opts = append(opts, rpc.WithHTTPClient(hc))
	}
	rc, err := rpc.DialOptions(ctx, url, opts...)
	if err != nil {
		// Only a malformed URL or a refused WebSocket/IPC connection fails
		// here; HTTP connects lazily, on the first call.
		if IsUnreachable(err) {
			return nil, &ChainDownError{URL: url, Err: err}
		}
		return nil, fmt.Errorf("connecting to the chain at %s: %w", url, err)
	}
	client := ethclient.NewClient(rc)
	id, err := client.ChainID(ctx)
	if err != nil {
		rc.Close()
		var rpcErr rpc.Error
		if errors.As(err, &rpcErr) {
			return nil, fmt.Errorf("the node at %s does not answer eth_chainId: %w", url, err)
		}
		var httpErr rpc.HTTPError
		if errors.As(err, &httpErr) && httpErr.StatusCode < 500 {
			return nil, fmt.Errorf("%s is not an Ethereum JSON-RPC endpoint (HTTP %d)", url, httpErr.StatusCode)
		}
		return nil, &ChainDownError{URL: url, Err: err}
	}
	if wantChainID != nil && id.Cmp(wantChainID) != 0 {
		rc.Close()
		return nil, &WrongChainError{URL: url, Got: id, Want: wantChainID}
	}
	return &Network{
		Client:  client,
		ChainID: id,
		Kind:    KindRPC,
		URL:     url,
		rpc:     rc,
		close:   func() error { rc.Close(); return nil },
	}, nil
}

// AskRegistry asks the node for its registry's address
// (healthwallet_registry, which an embedded chain and hw chain serve answer);
// the zero address if it does not say.
func (n *Network) AskRegistry(ctx context.Context) common.Address {
	if n.rpc == nil {
		return common.Address{}
	}
	var addr common.Address
	if err := n.rpc.CallContext(ctx, &addr, rpcNamespace+"_registry"); err != nil {
		return common.Address{}
	}
	return addr
}

// CheckRegistry checks that a HealthRegistry answers at addr: there is code,
// and a read-only call decodes as the registry's. The error wraps
// [ErrNoRegistry] when not, [ErrChainDown] when the node is away.
func CheckRegistry(ctx context.Context, client Client, addr common.Address, chainID *big.Int) error {
	if addr == (common.Address{}) {
		return &NoRegistryError{ChainID: chainID}
	}
	code, err := client.CodeAt(ctx, addr, nil)
	if err != nil {
		return nodeError("reading the registry's code", err)
	}
	if len(code) == 0 {
		return &NoRegistryError{Address: addr, ChainID: chainID, Reason: "no contract code there"}
	}
	if _, err := NewRegistry(client, addr).IsGrantActive(ctx, common.Address{}, common.Hash{}); err != nil {
		if errors.Is(err, ErrChainDown) {
			return err
		}
		return &NoRegistryError{Address: addr, ChainID: chainID, Reason: "the contract there does not answer as a HealthRegistry"}
	}
	return nil
}

// nodeError wraps an error from a call to the node, marking it ErrChainDown
// when the node could not be reached.
func nodeError(doing string, err error) error {
	if IsUnreachable(err) && !errors.Is(err, ErrChainDown) {
		return fmt.Errorf("%s: %w", doing, &ChainDownError{URL: "the node", Err: err})
	}
	return fmt.Errorf("%s: %w", doing, err)
}

// Deploy deploys a HealthRegistry from key's account on the chain chainID and
// waits until it is mined. The error wraps [ErrInsufficientFunds] when the
// account cannot pay.
func Deploy(ctx context.Context, client Client, key *ecdsa.PrivateKey, chainID *big.Int) (common.Address, *types.Receipt, error) {
	from := crypto.PubkeyToAddress(key.PublicKey)
	opts := bind.NewKeyedTransactor(key, chainID)
	opts.Context = ctx
	addr, tx, err := bind.DeployContract(opts, common.FromHex(contracts.HealthRegistryMetaData.Bin), client, nil)
	if err != nil {
		return common.Address{}, nil, sendError(ctx, client, from, "deploying the HealthRegistry", err)
	}
	receipt, err := WaitMined(ctx, client, tx.Hash())
	if err != nil {
		return common.Address{}, nil, fmt.Errorf("waiting for the registry's deployment %s: %w", tx.Hash().Hex(), err)
	}
	if receipt.Status != types.ReceiptStatusSuccessful {
		return common.Address{}, receipt, fmt.Errorf("deploying the HealthRegistry: transaction %s failed on chain (gas used %d)", tx.Hash().Hex(), receipt.GasUsed)
	}
	return addr, receipt, nil
}

// Fund sends amount wei from from's account to to, and waits until it is
// mined. The error wraps [ErrInsufficientFunds] when from cannot pay.
func Fund(ctx context.Context, client Client, from *ecdsa.PrivateKey, to common.Address, amount *big.Int) error {
	sender := crypto.PubkeyToAddress(from.PublicKey)
	chainID, err := client.ChainID(ctx)
	if err != nil {
		return nodeError("reading the chain id", err)
	}
	nonce, err := client.PendingNonceAt(ctx, sender)
	if err != nil {
		return nodeError("reading the sender's nonce", err)
	}
	tip, err := client.SuggestGasTipCap(ctx)
	if err != nil {
		return nodeError("asking for a gas tip", err)
	}
	head, err := client.HeaderByNumber(ctx, nil)
	if err != nil {
		return nodeError("reading the latest block", err)
	}
	feeCap := new(big.Int).Add(tip, new(big.Int).Mul(head.BaseFee, big.NewInt(2)))
	tx, err := types.SignNewTx(from, types.LatestSignerForChainID(chainID), &types.DynamicFeeTx{
		ChainID:   chainID,
		Nonce:     nonce,
		GasTipCap: tip,
		GasFeeCap: feeCap,
		Gas:       21_000,
		To:        &to,
		Value:     amount,
	})
	if err != nil {
		return fmt.Errorf("signing the transfer: %w", err)
	}
	if err := sendFunded(ctx, client, sender, tx); err != nil {
		return sendError(ctx, client, sender, "sending "+FormatEther(amount)+" ETH to "+to.Hex(), err)
	}
	receipt, err := WaitMined(ctx, client, tx.Hash())
	if err != nil {
		return fmt.Errorf("waiting for the transfer %s: %w", tx.Hash().Hex(), err)
	}
	if receipt.Status != types.ReceiptStatusSuccessful {
		return fmt.Errorf("the transfer %s failed on chain", tx.Hash().Hex())
	}
	return nil
}

// sendFunded sends tx. A node's transaction pool takes in a new block a
// moment after it becomes the head: a sender funded in that block is refused
// for insufficient funds by a pool still behind. When the head's balance
// does cover tx, it tries again for a little while.
func sendFunded(ctx context.Context, client Client, sender common.Address, tx *types.Transaction) error {
	for try := 0; ; try++ {
		err := client.SendTransaction(ctx, tx)
		if err == nil || !isInsufficientFunds(err) || try == 40 {
			return err
		}
		bal, balErr := client.BalanceAt(ctx, sender, nil)
		if balErr != nil || bal.Cmp(tx.Cost()) < 0 {
			return err // really short of funds
		}
		select {
		case <-ctx.Done():
			return err
		case <-time.After(50 * time.Millisecond):
		}
	}
}

// FundFromDevAccount sends amount wei to to from the chain's development
// account and waits until it is mined: on an embedded chain its own faucet
// key; on a JSON-RPC node the first account of eth_accounts, unlocked by the
// node (geth --dev, hw chain serve) and used through eth_sendTransaction. Other
// nodes give [ErrNoDevAccount].
func (n *Network) FundFromDevAccount(ctx context.Context, to common.Address, amount *big.Int) error {
	if n.devKey != nil {
		return Fund(ctx, n.Client, n.devKey, to, amount)
	}
	if n.rpc == nil {
		return fmt.Errorf("%w to fund %s from", ErrNoDevAccount, to.Hex())
	}
	return fundFromNodeAccount(ctx, n.rpc, n.Client, to, amount)
}

func fundFromNodeAccount(ctx context.Context, rc *rpc.Client, client Client, to common.Address, amount *big.Int) error {
	dev, err := nodeDevAccount(ctx, rc)
	if errors.Is(err, ErrNoDevAccount) {
		return fmt.Errorf("%w: send ETH to %s from an account that has some", err, to.Hex())
	}
	if err != nil {
		return err
	}
	var hash common.Hash
	err = rc.CallContext(ctx, &hash, "eth_sendTransaction", map[string]any{
		"from":  dev,
		"to":    to,
		"value": (*hexutil.Big)(amount),
		"gas":   hexutil.Uint64(21_000),
	})
	if err != nil {
		if isInsufficientFunds(err) {
			return sendError(ctx, client, dev, "funding "+to.Hex(), err)
		}
		if IsUnreachable(err) {
			return nodeError("funding "+to.Hex(), err)
		}
		return fmt.Errorf("%w (%s refused eth_sendTransaction: %v): send ETH to %s from an account that has some", ErrNoDevAccount, dev.Hex(), err, to.Hex())
	}
	receipt, err := WaitMined(ctx, client, hash)
	if err != nil {
		return fmt.Errorf("waiting for the transfer %s: %w", hash.Hex(), err)
	}
	if receipt.Status != types.ReceiptStatusSuccessful {
		return fmt.Errorf("the transfer %s failed on chain", hash.Hex())
	}
	return nil
}

// sendError turns a refusal to send into an error the user can act on.
func sendError(ctx context.Context, client Client, from common.Address, doing string, err error) error {
	if isInsufficientFunds(err) {
		bal, balErr := client.BalanceAt(ctx, from, nil)
		if balErr != nil {
			bal = nil
		}
		return fmt.Errorf("%s: %w", doing, &InsufficientFundsError{Account: from, Balance: bal, Err: err})
	}
	if rev, ok := contracts.AsRevert(err); ok {
		return fmt.Errorf("%s: %w", doing, rev)
	}
	return nodeError(doing, err)
}

// Receipts is what WaitMined needs of a client.
type Receipts interface {
	ethereum.TransactionReader
	ethereum.BlockNumberReader
}

// WaitMined waits until transaction hash is in a block that is the chain's
// head or below it, and returns its receipt. It polls quickly at first
// (development chains mine at once), then once a second, until ctx ends.
//
// Waiting for the head matters: a node may serve the receipt of a block it
// has inserted a moment before it makes that block the head, and a call made
// in that moment still sees the state before the transaction.
func WaitMined(ctx context.Context, client Receipts, hash common.Hash) (*types.Receipt, error) {
	delay := 10 * time.Millisecond
	var (
		lastErr error
		receipt *types.Receipt
	)
	for {
		if receipt == nil {
			r, err := client.TransactionReceipt(ctx, hash)
			switch {
			case err == nil && r != nil:
				receipt = r
			case err != nil && !errors.Is(err, ethereum.NotFound):
				lastErr = err // perhaps passing: keep asking until ctx ends
			}
		}
		if receipt != nil {
			head, err := client.BlockNumber(ctx)
			if err == nil && receipt.BlockNumber != nil && head >= receipt.BlockNumber.Uint64() {
				return receipt, nil
			}
			if err != nil {
				lastErr = err
			}
		}
		t := time.NewTimer(delay)
		select {
		case <-ctx.Done():
			t.Stop()
			if lastErr != nil && IsUnreachable(lastErr) {
				return nil, nodeError("waiting for the transaction", lastErr)
			}
			return nil, ctx.Err()
		case <-t.C:
		}
		delay = min(delay*2, time.Second)
	}
}

// DeployFromDevAccount deploys a HealthRegistry from the chain's development
// account (see [Network.FundFromDevAccount]) and waits until it is mined: a
// development chain gets its registry without any wallet's key.
func (n *Network) DeployFromDevAccount(ctx context.Context) (common.Address, *types.Receipt, error) {
	if n.devKey != nil {
		return Deploy(ctx, n.Client, n.devKey, n.ChainID)
	}
	if n.rpc == nil {
		return common.Address{}, nil, fmt.Errorf("%w to deploy the registry from", ErrNoDevAccount)
	}
	dev, err := nodeDevAccount(ctx, n.rpc)
	if err != nil {
		return common.Address{}, nil, err
	}
	var hash common.Hash
	err = n.rpc.CallContext(ctx, &hash, "eth_sendTransaction", map[string]any{
		"from":  dev,
		"input": hexutil.Bytes(common.FromHex(contracts.HealthRegistryMetaData.Bin)),
	})
	if err != nil {
		if isInsufficientFunds(err) || IsUnreachable(err) {
			return common.Address{}, nil, sendError(ctx, n.Client, dev, "deploying the HealthRegistry", err)
		}
		return common.Address{}, nil, fmt.Errorf("%w (%s refused eth_sendTransaction: %v)", ErrNoDevAccount, dev.Hex(), err)
	}
	receipt, err := WaitMined(ctx, n.Client, hash)
	if err != nil {
		return common.Address{}, nil, fmt.Errorf("waiting for the registry's deployment %s: %w", hash.Hex(), err)
	}
	if receipt.Status != types.ReceiptStatusSuccessful || receipt.ContractAddress == (common.Address{}) {
		return common.Address{}, receipt, fmt.Errorf("deploying the HealthRegistry: transaction %s failed on chain (gas used %d)", hash.Hex(), receipt.GasUsed)
	}
	return receipt.ContractAddress, receipt, nil
}

// nodeDevAccount is the node's first account (eth_accounts), which geth --dev
// and hw chain serve keep unlocked.
func nodeDevAccount(ctx context.Context, rc *rpc.Client) (common.Address, error) {
	var accounts []common.Address
	if err := rc.CallContext(ctx, &accounts, "eth_accounts"); err != nil {
		if IsUnreachable(err) {
			return common.Address{}, nodeError("listing the node's accounts", err)
		}
		return common.Address{}, fmt.Errorf("%w (eth_accounts: %v)", ErrNoDevAccount, err)
	}
	if len(accounts) == 0 {
		return common.Address{}, fmt.Errorf("%w (eth_accounts is empty)", ErrNoDevAccount)
	}
	return accounts[0], nil
}
