package chain

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math/big"
	"net/http"
	"time"

	"github.com/ethereum/go-ethereum/common"
	"github.com/ethereum/go-ethereum/common/hexutil"
	"github.com/ethereum/go-ethereum/eth/filters"
	"github.com/ethereum/go-ethereum/rpc"
)

// This file: the read-only JSON-RPC a network serves to wallets and
// receivers. It reads the registry and nothing else: no transaction, no
// account, no node administration passes, and no request reaches the node
// before it is checked.

// Limits of the read-only endpoint.
const (
	// ReadOnlyMaxBody is the largest request body accepted.
	ReadOnlyMaxBody = 64 << 10
	// ReadOnlyMaxBatch is the most requests one batch may hold.
	ReadOnlyMaxBatch = 20
	// ReadOnlyMaxLogRange is the widest block range of an eth_getLogs that
	// names no indexed value. One that names an event and an indexed value
	// (a patient, a grant key: what wallets ask) may span the whole chain,
	// which the node's log index answers without reading every block.
	ReadOnlyMaxLogRange = 100_000
	// readOnlyTimeout bounds each forwarded call.
	readOnlyTimeout = 15 * time.Second
)

// JSON-RPC error codes the endpoint answers with.
const (
	rpcParseError     = -32700
	rpcInvalidRequest = -32600
	rpcMethodRefused  = -32601
	rpcInvalidParams  = -32602
	rpcInternalError  = -32603
)

// errMethodRefused is the message of every method the endpoint does not serve.
const errMethodRefused = "method not allowed on this network's read-only endpoint"

// ReadOnlyRPC is the JSON-RPC a network serves to receivers and wallets:
// eth_chainId, eth_blockNumber, eth_getCode (of the registry), eth_call (to
// the registry, without state overrides) and eth_getLogs (the registry's
// logs, over a bounded range), forwarded to backend; anything else is
// refused with a JSON-RPC error before it reaches the node. It takes POST
// requests of at most ReadOnlyMaxBody bytes, single or batches of at most
// ReadOnlyMaxBatch.
func ReadOnlyRPC(backend *rpc.Client, registry common.Address) http.Handler {
	return &readOnlyRPC{backend: backend, registry: registry}
}

type readOnlyRPC struct {
	backend  *rpc.Client
	registry common.Address
}

// rpcRequest is one JSON-RPC request as received.
type rpcRequest struct {
	Version string            `json:"jsonrpc"`
	ID      json.RawMessage   `json:"id"`
	Method  string            `json:"method"`
	Params  []json.RawMessage `json:"params"`
}

// rpcResponse is one JSON-RPC answer.
type rpcResponse struct {
	Version string          `json:"jsonrpc"`
	ID      json.RawMessage `json:"id"`
	Result  json.RawMessage `json:"result,omitempty"`
	Error   *rpcError       `json:"error,omitempty"`
}

type rpcError struct {
	Code    int    `json:"code"`
	Message string `json:"message"`
	Data    any    `json:"data,omitempty"`
}

func (h *readOnlyRPC) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodPost {
		w.Header().Set("Allow", http.MethodPost)
		http.Error(w, "this network's read-only JSON-RPC takes POST requests", http.StatusMethodNotAllowed)
		return
	}
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, ReadOnlyMaxBody))
	if err != nil {
		var tooBig *http.MaxBytesError
		if errors.As(err, &tooBig) {
			http.Error(w, fmt.Sprintf("request larger than %d bytes", ReadOnlyMaxBody), http.StatusRequestEntityTooLarge)
			return
		}
		http.Error(w, "reading the request: "+err.Error(), http.StatusBadRequest)
		return
	}
	reqs, batch, perr := parseRPCRequests(body)
	var out any
	switch {
	case perr != nil:
		out = rpcResponse{Version: "2.0", ID: json.RawMessage("null"), Error: perr}
	case batch:
		answers := make([]rpcResponse, len(reqs))
		for i, req := range reqs {
			answers[i] = h.answer(r.Context(), req)
		}
		out = answers
	default:
		out = h.answer(r.Context(), reqs[0])
	}
	w.Header().Set("Content-Type", "application/json")
	if err := json.NewEncoder(w).Encode(out); err != nil {
		return // the client went away
	}
}

// parseRPCRequests reads a single request or a batch.
func parseRPCRequests(body []byte) (reqs []rpcRequest, batch bool, _ *rpcError) {
	body = bytes.TrimSpace(body)
	if len(body) > 0 && body[0] == '[' {
		if err := json.Unmarshal(body, &reqs); err != nil {
			return nil, true, &rpcError{Code: rpcParseError, Message: "the request is not valid JSON-RPC: " + err.Error()}
		}
		if len(reqs) == 0 || len(reqs) > ReadOnlyMaxBatch {
			return nil, true, &rpcError{Code: rpcInvalidRequest, Message: fmt.Sprintf("a batch holds 1 to %d requests, this one %d", ReadOnlyMaxBatch, len(reqs))}
		}
		return reqs, true, nil
	}
	var req rpcRequest
	if err := json.Unmarshal(body, &req); err != nil {
		return nil, false, &rpcError{Code: rpcParseError, Message: "the request is not valid JSON-RPC: " + err.Error()}
	}
	return []rpcRequest{req}, false, nil
}

// answer checks one request and forwards it when allowed.
func (h *readOnlyRPC) answer(ctx context.Context, req rpcRequest) rpcResponse {
	resp := rpcResponse{Version: "2.0", ID: req.ID}
	if len(resp.ID) == 0 {
		resp.ID = json.RawMessage("null")
	}
	if rerr := checkReadOnly(req, h.registry, func() (uint64, error) { return h.head(ctx) }); rerr != nil {
		resp.Error = rerr
		return resp
	}
	args := make([]any, len(req.Params))
	for i, p := range req.Params {
		args[i] = p
	}
	cctx, cancel := context.WithTimeout(ctx, readOnlyTimeout)
	defer cancel()
	var result json.RawMessage
	if err := h.backend.CallContext(cctx, &result, req.Method, args...); err != nil {
		resp.Error = forwardedError(err)
		return resp
	}
	if len(result) == 0 {
		result = json.RawMessage("null")
	}
	resp.Result = result
	return resp
}

func (h *readOnlyRPC) head(ctx context.Context) (uint64, error) {
	var head hexutil.Uint64
	if err := h.backend.CallContext(ctx, &head, "eth_blockNumber"); err != nil {
		return 0, err
	}
	return uint64(head), nil
}

// forwardedError passes on the node's error: its code, message and data
// (an eth_call's revert data, which tells the registry's error).
func forwardedError(err error) *rpcError {
	out := &rpcError{Code: rpcInternalError, Message: err.Error()}
	var coded rpc.Error
	if errors.As(err, &coded) {
		out.Code = coded.ErrorCode()
	}
	var withData rpc.DataError
	if errors.As(err, &withData) {
		out.Data = withData.ErrorData()
	}
	return out
}

// checkReadOnly says whether req may reach the node: nil when it may, the
// error to answer with when not. head reads the chain's head block, for an
// eth_getLogs range given by tags.
func checkReadOnly(req rpcRequest, registry common.Address, head func() (uint64, error)) *rpcError {
	invalid := func(format string, a ...any) *rpcError {
		return &rpcError{Code: rpcInvalidParams, Message: req.Method + ": " + fmt.Sprintf(format, a...)}
	}
	switch req.Method {
	case "eth_chainId", "eth_blockNumber":
		if len(req.Params) != 0 {
			return invalid("takes no parameters")
		}
	case "eth_getCode":
		if len(req.Params) < 1 || len(req.Params) > 2 {
			return invalid("takes an address and a block")
		}
		var addr common.Address
		if err := json.Unmarshal(req.Params[0], &addr); err != nil || addr != registry {
			return invalid("only the registry's code (%s) is served here", registry.Hex())
		}
	case "eth_call":
		if len(req.Params) < 1 || len(req.Params) > 2 {
			return invalid("takes a call and a block, without state overrides")
		}
		var call struct {
			To *common.Address `json:"to"`
		}
		if err := json.Unmarshal(req.Params[0], &call); err != nil || call.To == nil || *call.To != registry {
			return invalid("only calls to the registry (%s) are served here", registry.Hex())
		}
	case "eth_getLogs":
		if len(req.Params) != 1 {
			return invalid("takes one filter")
		}
		return checkLogFilter(req.Params[0], registry, head, invalid)
	default:
		return &rpcError{Code: rpcMethodRefused, Message: errMethodRefused}
	}
	return nil
}

// checkLogFilter allows a filter of the registry's logs alone, by block
// hash or over a range of at most ReadOnlyMaxLogRange blocks unless it names
// an event and an indexed value.
func checkLogFilter(raw json.RawMessage, registry common.Address, head func() (uint64, error), invalid func(string, ...any) *rpcError) *rpcError {
	var f filters.FilterCriteria
	if err := json.Unmarshal(raw, &f); err != nil {
		return invalid("the filter is not valid: %v", err)
	}
	if len(f.Addresses) != 1 || f.Addresses[0] != registry {
		return invalid("only the registry's logs (%s) are served here: name it as the filter's address", registry.Hex())
	}
	if f.BlockHash != nil {
		return nil
	}
	narrow := len(f.Topics) >= 2 && len(f.Topics[0]) > 0 && len(f.Topics[1]) > 0
	if narrow {
		return nil
	}
	var latest uint64
	var latestErr error
	haveHead := false
	number := func(n *rpc.BlockNumber) (uint64, error) {
		switch {
		case n != nil && *n >= 0:
			return uint64(*n), nil
		case n != nil && *n == rpc.EarliestBlockNumber:
			return 0, nil
		}
		if !haveHead {
			latest, latestErr = head()
			haveHead = true
		}
		return latest, latestErr
	}
	from, err := number(blockNumberOf(f.FromBlock))
	if err != nil {
		return &rpcError{Code: rpcInternalError, Message: "reading the chain's head: " + err.Error()}
	}
	to, err := number(blockNumberOf(f.ToBlock))
	if err != nil {
		return &rpcError{Code: rpcInternalError, Message: "reading the chain's head: " + err.Error()}
	}
	if to > from && to-from > ReadOnlyMaxLogRange {
		return invalid("a range of %d blocks is too wide: at most %d, or name an event and an indexed value", to-from, ReadOnlyMaxLogRange)
	}
	return nil
}

// blockNumberOf reads FilterCriteria's block (nil, a number, or a negative
// tag) back as an rpc.BlockNumber.
func blockNumberOf(b *big.Int) *rpc.BlockNumber {
	if b == nil {
		return nil
	}
	n := rpc.BlockNumber(b.Int64())
	return &n
}
