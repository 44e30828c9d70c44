package chain

import (
	"context"
	"crypto/ecdsa"
	"errors"
	"time"

	"github.com/ethereum/go-ethereum/rpc"
)

// This file: a network node's chain — the embedded chain with a real block
// period, run by hw network serve (and by the app's "Try it on this
// computer"). Nothing is exposed on the network by the node itself: the
// network server serves a read-only view (ReadOnlyRPC) and submits users'
// signed actions (Submitter) with the node's own key.

// NodeOptions tune a network node's chain.
type NodeOptions struct {
	// Period is the block period; 0 means 2 s.
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
func OpenNode(ctx context.Context, datadir string, opts NodeOptions) (*Node, error) {
	return nil, errors.New("chain.OpenNode: not built yet")
}

// Close stops the node.
func (n *Node) Close() error { return nil }
