package chain_test

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"math/big"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/ethereum/go-ethereum"
	"github.com/ethereum/go-ethereum/common"
	"github.com/ethereum/go-ethereum/core/types"
	"github.com/ethereum/go-ethereum/crypto"

	"healthwallet/chain"
	"healthwallet/chain/contracts"
	"healthwallet/wallet/share"
)

// serveReadOnly serves node's read-only JSON-RPC on a test HTTP server.
func serveReadOnly(t *testing.T, node *chain.Node) *httptest.Server {
	t.Helper()
	srv := httptest.NewServer(chain.ReadOnlyRPC(node.RPC, node.Network.Registry))
	t.Cleanup(srv.Close)
	return srv
}

// post sends body to url and returns the HTTP status and the body answered.
func post(t *testing.T, url, body string) (int, []byte) {
	t.Helper()
	resp, err := http.Post(url, "application/json", strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return resp.StatusCode, b
}

type rpcAnswer struct {
	ID     json.RawMessage `json:"id"`
	Result json.RawMessage `json:"result"`
	Error  *struct {
		Code    int    `json:"code"`
		Message string `json:"message"`
	} `json:"error"`
}

// TestReadOnlyRPCServesWallets: through the read-only endpoint, go-ethereum's
// client dials the network (chain id, registry check), a receiver reads
// grants and anchors, a wallet finds the registry's events from block 0,
// and a refused signed action's revert reason comes through.
func TestReadOnlyRPCServesWallets(t *testing.T) {
	ctx := testContext(t)
	node := openNode(t, t.TempDir())
	root := crypto.Keccak256Hash([]byte("anchored by the node's key"))
	payer := crypto.PubkeyToAddress(node.Key.PublicKey)
	anchor(t, ctx, node.Network, node.Key, root, 4)
	srv := serveReadOnly(t, node)

	n, err := chain.DialWith(ctx, srv.URL, srv.Client(), node.Network.Registry, big.NewInt(chain.DevChainID))
	if err != nil {
		t.Fatalf("dialing the read-only endpoint: %v", err)
	}
	defer n.Close()
	if err := chain.CheckRegistry(ctx, n.Client, n.Registry, n.ChainID); err != nil {
		t.Fatalf("CheckRegistry through the endpoint: %v", err)
	}
	a, err := chain.NewRegistry(n.Client, n.Registry).AnchorOf(ctx, payer, root)
	if err != nil || a.Count != 4 {
		t.Fatalf("AnchorOf through the endpoint: %+v %v", a, err)
	}
	reader := share.NewChainReader(n.Client, n.Registry)
	if _, err := reader.GrantOf(ctx, payer, common.Hash{1}); err != nil {
		t.Fatalf("GrantOf through the endpoint: %v", err)
	}
	ev := contracts.NewHealthRegistry().GetABI().Events["Anchored"]
	logs, err := n.Client.FilterLogs(ctx, ethereum.FilterQuery{
		FromBlock: new(big.Int), Addresses: []common.Address{n.Registry},
		Topics: [][]common.Hash{{ev.ID}, {common.BytesToHash(payer.Bytes())}},
	})
	if err != nil || len(logs) != 1 {
		t.Fatalf("the patient's Anchored events from block 0: %d %v", len(logs), err)
	}
	if _, err := n.Client.FilterLogs(ctx, ethereum.FilterQuery{BlockHash: &logs[0].BlockHash, Addresses: []common.Address{n.Registry}}); err != nil {
		t.Fatalf("logs by block hash: %v", err)
	}

	// A signed action past its deadline: eth_call says why, with the
	// registry's error decoded from the forwarded revert data.
	s := chain.Signer{Key: node.Key, ChainID: n.ChainID, Registry: n.Registry}
	data, err := s.Anchor(common.Hash{7}, 1, 1)
	if err != nil {
		t.Fatal(err)
	}
	to := n.Registry
	_, err = n.Client.CallContract(ctx, ethereum.CallMsg{To: &to, Data: data}, nil)
	if rev, ok := contracts.AsRevert(err); !ok || rev.Name != "Expired" {
		t.Fatalf("an expired action's eth_call: %v, want the registry's Expired", err)
	}
}

// TestReadOnlyRPCRefuses: what is not reading the registry is refused, each
// with a JSON-RPC error and nothing done on the node (the node's key sends
// no transaction through it); bodies too large, batches too long and GETs
// are refused too; a batch answers each of its requests on its own.
func TestReadOnlyRPCRefuses(t *testing.T) {
	ctx := testContext(t)
	node := openNode(t, t.TempDir())
	srv := serveReadOnly(t, node)
	n := node.Network
	reg := n.Registry.Hex()
	_, other := newKey(t)
	payer := crypto.PubkeyToAddress(node.Key.PublicKey)

	nonce, err := n.Client.PendingNonceAt(ctx, payer)
	if err != nil {
		t.Fatal(err)
	}
	tx := types.MustSignNewTx(node.Key, types.LatestSignerForChainID(n.ChainID), &types.DynamicFeeTx{
		ChainID: n.ChainID, Nonce: nonce, GasTipCap: big.NewInt(1e9), GasFeeCap: big.NewInt(10e9), Gas: 21_000, To: &other, Value: big.NewInt(1),
	})
	raw, err := tx.MarshalBinary()
	if err != nil {
		t.Fatal(err)
	}
	call := fmt.Sprintf(`{"to":%q,"data":"0x8da5cb5b"}`, other.Hex())
	refused := map[string]string{
		"eth_sendRawTransaction":   fmt.Sprintf(`["0x%x"]`, raw),
		"eth_sendTransaction":      fmt.Sprintf(`[{"from":%q,"to":%q,"value":"0x1"}]`, payer.Hex(), other.Hex()),
		"eth_accounts":             `[]`,
		"eth_getBalance":           fmt.Sprintf(`[%q,"latest"]`, payer.Hex()),
		"eth_getTransactionCount":  fmt.Sprintf(`[%q,"latest"]`, payer.Hex()),
		"personal_listAccounts":    `[]`,
		"personal_unlockAccount":   fmt.Sprintf(`[%q,"",0]`, payer.Hex()),
		"admin_nodeInfo":           `[]`,
		"admin_addPeer":            `["enode://x"]`,
		"debug_traceTransaction":   fmt.Sprintf(`[%q]`, tx.Hash().Hex()),
		"debug_setHead":            `["0x1"]`,
		"dev_setFeeRecipient":      fmt.Sprintf(`[%q]`, other.Hex()),
		"healthwallet_registry":    `[]`,
		"txpool_content":           `[]`,
		"eth_call to another":      fmt.Sprintf(`[%s,"latest"]`, call),
		"eth_call with overrides":  fmt.Sprintf(`[{"to":%q,"data":"0x"},"latest",{%q:{"balance":"0x1"}}]`, reg, payer.Hex()),
		"eth_call without to":      `[{"data":"0x6080"},"latest"]`,
		"eth_getLogs no address":   `[{"fromBlock":"0x0"}]`,
		"eth_getLogs another":      fmt.Sprintf(`[{"address":%q}]`, other.Hex()),
		"eth_getLogs two":          fmt.Sprintf(`[{"address":[%q,%q]}]`, reg, other.Hex()),
		"eth_getLogs wide range":   fmt.Sprintf(`[{"address":%q,"fromBlock":"0x0","toBlock":"0x200000"}]`, reg),
		"eth_getCode of another":   fmt.Sprintf(`[%q,"latest"]`, other.Hex()),
		"eth_blockNumber with arg": `["latest"]`,
	}
	for name, params := range refused {
		method, _, _ := strings.Cut(name, " ")
		status, body := post(t, srv.URL, fmt.Sprintf(`{"jsonrpc":"2.0","id":7,"method":%q,"params":%s}`, method, params))
		var ans rpcAnswer
		if err := json.Unmarshal(body, &ans); err != nil || status != http.StatusOK {
			t.Errorf("%s: status %d, body %s", name, status, body)
			continue
		}
		if ans.Error == nil || ans.Result != nil || string(ans.ID) != "7" {
			t.Errorf("%s: answered %s, want a JSON-RPC error for id 7", name, body)
			continue
		}
		if !strings.Contains(name, " ") && (ans.Error.Code != -32601 || ans.Error.Message != "method not allowed on this network's read-only endpoint") {
			t.Errorf("%s: error %d %q, want -32601 method not allowed", name, ans.Error.Code, ans.Error.Message)
		}
	}
	time.Sleep(1500 * time.Millisecond) // a block period: a transaction that got through would be in
	if got, err := n.Client.NonceAt(ctx, payer, nil); err != nil || got != nonce {
		t.Fatalf("the node's nonce is %d (%v) after the refusals, was %d: a transaction got through", got, err, nonce)
	}
	if got, err := n.Client.BalanceAt(ctx, other, nil); err != nil || got.Sign() != 0 {
		t.Fatalf("the other address holds %v (%v): a transfer got through", got, err)
	}

	// A batch mixing allowed and refused requests answers each in order.
	status, body := post(t, srv.URL, fmt.Sprintf(`[{"jsonrpc":"2.0","id":1,"method":"eth_chainId","params":[]},
		{"jsonrpc":"2.0","id":2,"method":"eth_sendRawTransaction","params":["0x%x"]},
		{"jsonrpc":"2.0","id":3,"method":"eth_getCode","params":[%q,"latest"]},
		{"jsonrpc":"2.0","id":4,"method":"eth_getBalance","params":[%q,"latest"]}]`, raw, reg, payer.Hex()))
	var batch []rpcAnswer
	if err := json.Unmarshal(body, &batch); err != nil || status != http.StatusOK || len(batch) != 4 {
		t.Fatalf("batch: status %d, body %s", status, body)
	}
	if string(batch[0].Result) != `"0x539"` || batch[1].Error == nil || len(batch[2].Result) < 10 || batch[2].Error != nil || batch[3].Error == nil {
		t.Fatalf("batch answers: %s", body)
	}

	// Limits of the endpoint itself.
	many := strings.TrimSuffix(strings.Repeat(`{"jsonrpc":"2.0","id":1,"method":"eth_chainId"},`, chain.ReadOnlyMaxBatch+1), ",")
	if _, body := post(t, srv.URL, "["+many+"]"); !bytes.Contains(body, []byte(`"code":-32600`)) {
		t.Errorf("a batch of %d: %s, want -32600", chain.ReadOnlyMaxBatch+1, body)
	}
	big := fmt.Sprintf(`{"jsonrpc":"2.0","id":1,"method":"eth_call","params":[{"to":%q,"data":"0x%s"},"latest"]}`, reg, strings.Repeat("00", chain.ReadOnlyMaxBody))
	if status, _ := post(t, srv.URL, big); status != http.StatusRequestEntityTooLarge {
		t.Errorf("a body over %d bytes: status %d, want 413", chain.ReadOnlyMaxBody, status)
	}
	if _, body := post(t, srv.URL, `{"jsonrpc":"2.0","id":1,"method":`); !bytes.Contains(body, []byte(`"code":-32700`)) {
		t.Errorf("malformed JSON: %s, want -32700", body)
	}
	resp, err := http.Get(srv.URL + `?{"jsonrpc":"2.0","id":1,"method":"eth_chainId"}`)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusMethodNotAllowed {
		t.Errorf("GET: status %d, want 405", resp.StatusCode)
	}
}
