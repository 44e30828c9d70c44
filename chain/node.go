package chain

import (
	"context"
	"crypto/ecdsa"
	"time"

	"github.com/ethereum/go-ethereum/rpc"
)

// This file: a network node's chain — the embedded chain with a real block
// period, run by hw network serve (and by the app's "Try it on this
// computer"). Nothing is exposed on the network by the node itself: the
// network server serves a read-only view (ReadOnlyRPC) and submits users'
// signed actions (Submitter) with the node's own key.

// DefaultBlockPeriod is a network node's block period when none is given.
const DefaultBlockPeriod = 2 * time.Second

// NodeOptions tune a network node's chain.
type NodeOptions struct {
	// Period is the block period, in whole seconds (rounded up); 0 means
	// DefaultBlockPeriod.
	Period time.Duration
}

// Node is a running network node's chain.
type Node struct {
	// Network is the chain as an in-process client, with its registry.
	Network *Network
	// Key pays the gas of submitted actions (the chain's dev account,
	// funded at genesis); it never leaves the node's data directory.
	Key *ecdsa.PrivateKey
	// RPC is the in-process JSON-RPC client, which ReadOnlyRPC forwards to.
	RPC *rpc.Client
}

// OpenNode opens (creating on first start, deploying the registry) the
// persistent chain under datadir, sealing a block every opts.Period.
//
// It is the chain of OpenEmbedded — same genesis, database, faucet key and
// registry.json — run with a block period instead of a block per
// transaction, with no HTTP listener and no unlocked account: a wallet's own
// chain opens as a node with its registry and anchors, and back. The
// faucet key pays for submitted actions. Only one program at a time can hold
// datadir (an error wrapping [ErrChainInUse]).
func OpenNode(ctx context.Context, datadir string, opts NodeOptions) (*Node, error) {
	period := opts.Period
	if period <= 0 {
		period = DefaultBlockPeriod
	}
	seconds := uint64((period + time.Second - 1) / time.Second)
	e, err := startEmbedded(ctx, datadir, "", seconds)
	if err != nil {
		return nil, err
	}
	n := e.network()
	return &Node{Network: n, Key: e.key, RPC: n.rpc}, nil
}

// Close stops the node.
func (n *Node) Close() error {
	if n == nil {
		return nil
	}
	return n.Network.Close()
}
