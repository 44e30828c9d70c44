package chain

import (
	"context"
	"errors"
	"fmt"
	"math/big"
	"net"
	"net/url"
	"strings"
	"syscall"

	"github.com/ethereum/go-ethereum/common"
	"github.com/ethereum/go-ethereum/params"
	"github.com/ethereum/go-ethereum/rpc"
)

// Errors a caller can act on. Each is matched with errors.Is; the error
// returned carries the detail (which URL, which chain, which address) and
// says what to do.
var (
	// ErrChainDown: the node did not answer (not running, wrong port, no
	// network). Work that needs the chain can wait and retry.
	ErrChainDown = errors.New("cannot reach the chain")
	// ErrWrongChain: the node is a different chain than the wallet expects.
	ErrWrongChain = errors.New("wrong chain")
	// ErrNoRegistry: there is no HealthRegistry at the expected address.
	ErrNoRegistry = errors.New("no HealthRegistry on this chain")
	// ErrInsufficientFunds: the sending account cannot pay for a transaction.
	ErrInsufficientFunds = errors.New("not enough funds")
	// ErrChainInUse: another program holds the embedded chain's directory.
	ErrChainInUse = errors.New("the embedded chain is in use by another program")
	// ErrNoDevAccount: the node has no unlocked development account to fund
	// others from (it is not geth --dev or hw chain serve).
	ErrNoDevAccount = errors.New("this chain has no unlocked development account")
	// ErrBadListenAddress: ServeEmbedded was given an address it will not
	// serve on (not host:port, or not loopback).
	ErrBadListenAddress = errors.New("bad listen address")
)

// ChainDownError says which node could not be reached, and why.
type ChainDownError struct {
	URL string
	Err error
}

func (e *ChainDownError) Error() string {
	return fmt.Sprintf("cannot reach the chain at %s: is the node running? (%v)", e.URL, e.Err)
}
func (e *ChainDownError) Unwrap() error        { return e.Err }
func (e *ChainDownError) Is(target error) bool { return target == ErrChainDown }

// WrongChainError: the node at URL reports chain Got, the wallet expects Want.
type WrongChainError struct {
	URL       string
	Got, Want *big.Int
}

func (e *WrongChainError) Error() string {
	return fmt.Sprintf("this node is chain %s, the wallet expects chain %s: check the chain URL (%s)", e.Got, e.Want, e.URL)
}
func (e *WrongChainError) Is(target error) bool { return target == ErrWrongChain }

// NoRegistryError: no HealthRegistry code at Address on chain ChainID.
type NoRegistryError struct {
	Address common.Address // zero when no address was known at all
	ChainID *big.Int
	Reason  string // e.g. "no contract code", "the contract there does not answer as a HealthRegistry"
}

func (e *NoRegistryError) Error() string {
	if e.Address == (common.Address{}) {
		return fmt.Sprintf("no HealthRegistry address is known for chain %s: deploy one with hw chain deploy, or give its address", e.ChainID)
	}
	return fmt.Sprintf("no HealthRegistry at %s on chain %s (%s): deploy one with hw chain deploy", e.Address.Hex(), e.ChainID, e.Reason)
}
func (e *NoRegistryError) Is(target error) bool { return target == ErrNoRegistry }

// InsufficientFundsError: Account cannot pay for a transaction.
type InsufficientFundsError struct {
	Account common.Address
	Balance *big.Int // nil when unknown
	Err     error
}

func (e *InsufficientFundsError) Error() string {
	have := ""
	if e.Balance != nil {
		have = " has " + FormatEther(e.Balance) + " ETH,"
	}
	return fmt.Sprintf("the account %s%s not enough to pay for this transaction: send it some ETH (on a development chain: hw chain fund %s)",
		e.Account.Hex(), have, e.Account.Hex())
}
func (e *InsufficientFundsError) Unwrap() error        { return e.Err }
func (e *InsufficientFundsError) Is(target error) bool { return target == ErrInsufficientFunds }

// IsUnreachable reports whether err means the node could not be reached at
// all (as opposed to the node answering with an error): connection refused,
// DNS failure, timeout, a closed connection. Callers queue work and retry
// later on such errors.
func IsUnreachable(err error) bool {
	if err == nil {
		return false
	}
	if errors.Is(err, ErrChainDown) {
		return true
	}
	var rpcErr rpc.Error
	if errors.As(err, &rpcErr) {
		return false // the node answered
	}
	var httpErr rpc.HTTPError
	if errors.As(err, &httpErr) {
		// Something answered at the URL; 5xx and gateway errors mean the
		// node behind it is away.
		return httpErr.StatusCode >= 500
	}
	var netErr net.Error
	var urlErr *url.Error
	switch {
	case errors.As(err, &netErr), errors.As(err, &urlErr),
		errors.Is(err, syscall.ECONNREFUSED), errors.Is(err, syscall.ECONNRESET),
		errors.Is(err, context.DeadlineExceeded), errors.Is(err, rpc.ErrClientQuit):
		return true
	}
	return false
}

// isInsufficientFunds recognises the node's "insufficient funds" refusal,
// which reaches us over JSON-RPC as text only.
func isInsufficientFunds(err error) bool {
	return err != nil && strings.Contains(err.Error(), "insufficient funds")
}

// FormatEther renders wei as ETH with up to 6 decimals, e.g. "10", "0.000021".
func FormatEther(wei *big.Int) string {
	if wei == nil {
		return "0"
	}
	r := new(big.Rat).SetFrac(wei, big.NewInt(params.Ether))
	s := r.FloatString(6)
	if strings.Contains(s, ".") {
		s = strings.TrimRight(strings.TrimRight(s, "0"), ".")
	}
	if s == "0" && wei.Sign() > 0 {
		return "0.000000…"
	}
	return s
}

// ParseEther reads an amount of ETH ("10", "0.5") as wei.
func ParseEther(s string) (*big.Int, error) {
	r, ok := new(big.Rat).SetString(strings.TrimSpace(s))
	if !ok || r.Sign() < 0 {
		return nil, fmt.Errorf("%q is not an amount of ETH (e.g. 10 or 0.5)", s)
	}
	r.Mul(r, new(big.Rat).SetInt64(params.Ether))
	if !r.IsInt() {
		return nil, fmt.Errorf("%q has more decimals than wei allow", s)
	}
	return new(big.Int).Set(r.Num()), nil
}
