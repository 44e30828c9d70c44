package wallet

import (
	"context"
	"crypto/ecdsa"
	"errors"
	"fmt"
	"math/big"
	"path/filepath"
	"strings"
	"time"

	"github.com/ethereum/go-ethereum/common"
	"github.com/ethereum/go-ethereum/core/types"

	"healthwallet/chain"
	"healthwallet/chain/outbox"
	"healthwallet/wallet/network"
	"healthwallet/wallet/vault"
)

// This file: the wallet's chain connection — which network, opened lazily,
// remembered in the sealed profile — and its status for Settings.

// ChainSettings say which chain the wallet anchors on. They are sealed in the
// vault's profile once a connection succeeded, so later runs find the same
// chain and registry without being told.
type ChainSettings struct {
	// URL is the JSON-RPC URL; empty means the embedded chain.
	URL string `json:"url,omitempty"`
	// ChainID is the chain id seen when the wallet first connected; 0 while
	// unknown. A node reporting another id is refused.
	ChainID uint64 `json:"chainId,omitempty"`
	// Registry is the HealthRegistry's address ("0x…"); empty means ask the
	// node (hw chain serve answers) or, on the embedded chain, its own.
	Registry string `json:"registry,omitempty"`
}

// ChainOpener opens the network for the settings s. dir is where the
// embedded chain lives (<wallet dir>/chain) and fund the wallet's address,
// which the embedded chain funds.
type ChainOpener func(ctx context.Context, s ChainSettings, dir string, fund common.Address) (*chain.Network, error)

// OpenChain is the default ChainOpener: the embedded chain when s.URL is
// empty, else the JSON-RPC node at s.URL.
func OpenChain(ctx context.Context, s ChainSettings, dir string, fund common.Address) (*chain.Network, error) {
	if s.URL == "" {
		return chain.OpenEmbedded(ctx, dir, fund)
	}
	var want *big.Int
	if s.ChainID != 0 {
		want = new(big.Int).SetUint64(s.ChainID)
	}
	var registry common.Address
	if s.Registry != "" {
		registry = common.HexToAddress(s.Registry)
	}
	return chain.Dial(ctx, s.URL, registry, want)
}

// chainState is the wallet's chain connection, opened on first need.
type chainState struct {
	url      string        // Options.Chain or UseChain: overrides the saved URL for this session
	override ChainSettings // UseChain's registry and chain id, for url
	open     ChainOpener   // Options.OpenChain, else OpenChain
	opts     outbox.Options
	net      *chain.Network
	// local is the node of the network on this computer when this process
	// runs it (StartLocalNetwork, or hw while the app is closed).
	local *network.Server
}

// UseChain makes the wallet talk to the chain s for the rest of the session:
// s.URL a JSON-RPC URL (empty: the saved setting, else the embedded chain),
// s.Registry and s.ChainID when known (empty: the saved ones for the same URL,
// else asked of the node). The settings are saved once a connection
// succeeds. An open connection is closed.
func (w *Wallet) UseChain(s ChainSettings) {
	w.chainMu.Lock()
	defer w.chainMu.Unlock()
	s.URL = strings.TrimSpace(s.URL)
	w.chain.url, w.chain.override = s.URL, s
	if w.chain.net != nil {
		w.chain.net.Close()
		w.chain.net = nil
	}
}

// ChainKey is the wallet's chain key (m/44'/60'/0'/0/0), for the commands
// that sign chain transactions themselves (hw chain deploy). The wallet's own
// transactions never need it: Anchor signs inside the wallet.
func (w *Wallet) ChainKey() (*ecdsa.PrivateKey, error) {
	w.mu.RLock()
	defer w.mu.RUnlock()
	if w.id == nil {
		return nil, ErrLocked
	}
	return w.id.PrivateKey()
}

// settings are the chain settings in force: the saved ones, with the
// session's URL if one was given (a different URL forgets the saved chain
// id and registry, which belong to the saved URL).
func (w *Wallet) settingsLocked() ChainSettings {
	w.mu.RLock()
	var s ChainSettings
	if w.profile.Chain != nil {
		s = *w.profile.Chain
	}
	w.mu.RUnlock()
	if w.chain.url != "" && w.chain.url != s.URL {
		s = ChainSettings{URL: w.chain.url}
	}
	if o := w.chain.override; o.URL == s.URL {
		if o.Registry != "" {
			s.Registry = o.Registry
		}
		if o.ChainID != 0 {
			s.ChainID = o.ChainID
		}
	}
	return s
}

// network returns the open chain connection, opening it if need be. Call
// with chainMu held.
func (w *Wallet) networkLocked(ctx context.Context) (*chain.Network, error) {
	if w.chain.net != nil {
		return w.chain.net, nil
	}
	addr, err := w.address()
	if err != nil {
		return nil, err
	}
	if m, ok := w.networkInForceLocked(); ok {
		// The network on this computer is started here first if nothing
		// answers at its URL (a quick look: a port taken by another
		// program may never answer).
		if w.ensureLocalNetworkLocked(ctx, m) {
			m, _ = w.Network()
		}
		n, err := openNetwork(ctx, m)
		if err != nil {
			return nil, err
		}
		w.chain.net = n
		return n, nil
	}
	s := w.settingsLocked()
	open := w.chain.open
	if open == nil {
		open = OpenChain
	}
	n, err := open(ctx, s, filepath.Join(w.dir, "chain"), addr)
	if err != nil {
		return nil, fmt.Errorf("connecting to the chain: %w", err)
	}
	got := ChainSettings{URL: s.URL, ChainID: n.ChainID.Uint64(), Registry: n.Registry.Hex()}
	if got != s || w.savedChain() == nil {
		if err := w.saveChainSettings(got); err != nil {
			n.Close()
			return nil, err
		}
	}
	w.chain.net = n
	return n, nil
}

func (w *Wallet) savedChain() *ChainSettings {
	w.mu.RLock()
	defer w.mu.RUnlock()
	return w.profile.Chain
}

func (w *Wallet) saveChainSettings(s ChainSettings) error {
	return w.updateProfile(func(p *profile) { p.Chain = &s })
}

// ChainSettings returns the saved chain settings (zero before the first
// connection: the embedded chain).
func (w *Wallet) ChainSettings() ChainSettings {
	if s := w.savedChain(); s != nil {
		return *s
	}
	return ChainSettings{}
}

// SetChainSettings replaces the saved chain settings, e.g. after deploying
// a registry on a new chain. An open connection is closed.
func (w *Wallet) SetChainSettings(s ChainSettings) error {
	if err := w.unlocked(); err != nil {
		return err
	}
	if s.Registry != "" && !common.IsHexAddress(s.Registry) {
		return fmt.Errorf("%q is not a registry address (0x and 40 hex digits)", s.Registry)
	}
	w.chainMu.Lock()
	defer w.chainMu.Unlock()
	if w.chain.net != nil {
		w.chain.net.Close()
		w.chain.net = nil
	}
	return w.saveChainSettings(s)
}

func (w *Wallet) closeChain() {
	w.chainMu.Lock()
	defer w.chainMu.Unlock()
	w.closeNetworkLocked()
	w.stopLocalNetworkLocked()
}

// closeNetworkLocked closes the open chain connection, if any. Call with
// chainMu held.
func (w *Wallet) closeNetworkLocked() {
	if w.chain.net != nil {
		w.chain.net.Close()
		w.chain.net = nil
	}
}

func (w *Wallet) address() (common.Address, error) {
	w.mu.RLock()
	defer w.mu.RUnlock()
	if w.id == nil {
		return common.Address{}, ErrLocked
	}
	return w.id.Address(), nil
}

// sign signs a transaction with the wallet's chain key.
func (w *Wallet) sign(chainID *big.Int, tx *types.Transaction) (*types.Transaction, error) {
	w.mu.RLock()
	defer w.mu.RUnlock()
	if w.id == nil {
		return nil, ErrLocked
	}
	key, err := w.id.PrivateKey()
	if err != nil {
		return nil, err
	}
	return types.SignTx(tx, types.LatestSignerForChainID(chainID), key)
}

// vaultStore is the vault as the outbox's Store.
type vaultStore struct{ v *vault.Vault }

func (s vaultStore) Update(fn func(outbox.Tx) error) error {
	return s.v.Update(func(tx *vault.Tx) error { return fn(tx) })
}

func (s vaultStore) View(fn func(outbox.Reader) error) error {
	return s.v.View(func(tx *vault.ReadTx) error { return fn(tx) })
}

var (
	_ outbox.Tx     = (*vault.Tx)(nil)
	_ outbox.Reader = (*vault.ReadTx)(nil)
)

// ChainStatus is what Settings shows about the chain.
type ChainStatus struct {
	Kind string `json:"kind"` // "embedded", "rpc", "network", …; empty when not connected
	// Network is the joined network's name, when the wallet is on one.
	Network  string `json:"network,omitempty"`
	URL      string `json:"url"`
	ChainID  uint64 `json:"chainId"`
	Registry string `json:"registry"`
	Address  string `json:"address"`
	// Balance is the address's balance in wei (decimal) and BalanceETH the
	// same in ETH, for people.
	Balance    string `json:"balance"`
	BalanceETH string `json:"balanceEth"`
	Connected  bool   `json:"connected"`
	// Block is the chain's head block, when read (on a network).
	Block uint64 `json:"block,omitempty"`
	// Problem is why the chain cannot be used now, said calmly: work waits
	// in the outbox meanwhile.
	Problem string       `json:"problem,omitempty"`
	Outbox  []OutboxItem `json:"outbox"`
}

// OutboxItem is one chain write of the wallet.
type OutboxItem struct {
	ID        uint64    `json:"id"`
	Kind      string    `json:"kind"`
	State     string    `json:"state"` // pending, included, final, failed
	TxHash    string    `json:"txHash,omitempty"`
	Block     uint64    `json:"block,omitempty"`
	Attempts  int       `json:"attempts"`
	LastError string    `json:"lastError,omitempty"`
	Created   time.Time `json:"created"`
}

// ChainStatus reports the network, the wallet's address and balance, and its
// outbox. A chain that cannot be reached is not an error: Problem says so.
func (w *Wallet) ChainStatus(ctx context.Context) (ChainStatus, error) {
	addr, err := w.address()
	if err != nil {
		return ChainStatus{}, err
	}
	st := ChainStatus{Address: addr.Hex(), Outbox: []OutboxItem{}}
	err = w.vault.View(func(tx *vault.ReadTx) error {
		rows, err := outbox.Rows(tx)
		for _, r := range rows {
			item := OutboxItem{ID: r.ID, Kind: r.Kind, State: string(r.State), Attempts: r.Attempts, LastError: r.LastError, Created: r.Created}
			if h := r.TxHash(); h != (common.Hash{}) {
				item.TxHash = h.Hex()
			}
			if r.Inclusion != nil {
				item.Block = r.Inclusion.BlockNumber
			}
			st.Outbox = append(st.Outbox, item)
		}
		return err
	})
	if err != nil {
		return st, fmt.Errorf("reading the outbox: %w", mapVaultError(err))
	}
	w.chainMu.Lock()
	defer w.chainMu.Unlock()
	s := w.settingsLocked()
	st.URL, st.ChainID, st.Registry = s.URL, s.ChainID, s.Registry
	if m, ok := w.networkInForceLocked(); ok {
		st.Network, st.URL, st.ChainID, st.Registry = m.Name, m.URL, m.ChainID, m.Registry
	}
	n, err := w.networkLocked(ctx)
	if err != nil {
		st.Problem = err.Error()
		return st, nil
	}
	st.Kind, st.URL, st.ChainID, st.Registry = n.Kind, n.URL, n.ChainID.Uint64(), n.Registry.Hex()
	cctx, cancel := context.WithTimeout(ctx, 15*time.Second)
	defer cancel()
	if m, ok := w.networkInForceLocked(); ok {
		// A network's read-only RPC answers no balances: its node says.
		st.Kind, st.Network = "network", m.Name
		acc, err := w.networkClient(m).Account(cctx)
		if err != nil {
			st.Problem = fmt.Sprintf("the %s network does not answer: %v", m.Name, err)
			w.dropNetworkLocked()
			return st, nil
		}
		bal, ok := new(big.Int).SetString(acc.Balance, 10)
		if !ok {
			bal = new(big.Int)
		}
		st.Connected = true
		st.Balance, st.BalanceETH = bal.String(), chain.FormatEther(bal)
		st.Block, _ = n.Client.BlockNumber(cctx)
		return st, nil
	}
	bal, err := n.Client.BalanceAt(cctx, addr, nil)
	if err != nil {
		st.Problem = fmt.Sprintf("the chain does not answer: %v", err)
		if chain.IsUnreachable(err) {
			w.dropNetworkLocked()
		}
		return st, nil
	}
	st.Connected = true
	st.Balance, st.BalanceETH = bal.String(), chain.FormatEther(bal)
	return st, nil
}

// dropNetworkLocked forgets a connection that stopped answering, so the next
// use opens a fresh one.
func (w *Wallet) dropNetworkLocked() {
	if w.chain.net != nil && w.chain.net.Kind == chain.KindRPC {
		w.chain.net.Close()
		w.chain.net = nil
	}
}

// anchorValidity is how long the signature of an anchor (and of an action
// signed again by the outbox) stays valid: long enough that a wallet offline
// for weeks does not strand its batches. Past it the outbox signs again.
const anchorValidity = 30 * 24 * time.Hour

// actionSigner signs the wallet's registry actions (anchors, grants,
// revocations) for the registry at registry on chain chainID: the outbox
// sends these signed forms, which anyone could submit for the patient.
func (w *Wallet) actionSigner(chainID *big.Int, registry common.Address) (chain.Signer, error) {
	key, err := w.ChainKey()
	if err != nil {
		return chain.Signer{}, err
	}
	return chain.Signer{Key: key, ChainID: chainID, Registry: registry}, nil
}

// resigner is the outbox's Options.Resign on network n: a signed action that
// passed its deadline (or was signed for another registry) is signed again,
// valid for anchorValidity. An access-log entry is the receiver's signature,
// not the wallet's: it cannot be signed again, and its row fails.
func (w *Wallet) resigner(n *chain.Network) func(chain.Action) ([]byte, error) {
	return func(a chain.Action) ([]byte, error) {
		if a.Method == "logAccess" {
			return nil, errors.New("an access-log entry carries its receiver's signature and cannot be signed again")
		}
		s, err := w.actionSigner(n.ChainID, n.Registry)
		if err != nil {
			return nil, err
		}
		if a.Signer != s.Address() {
			// Signed for a person this wallet cares for: by that
			// relationship's key (care.go), never the owner's.
			k, ok := w.relationshipKeys()[a.Signer]
			if !ok {
				return nil, fmt.Errorf("the action was signed by %s, a key this wallet no longer holds", a.Signer.Hex())
			}
			s.Key = k
		}
		return s.Resign(a, uint64(now().Add(anchorValidity).Unix()))
	}
}
