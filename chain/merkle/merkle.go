// Package merkle builds the Merkle trees Health Wallet anchors on chain and the
// proofs that tie one committed item to an anchored root. It knows nothing of
// what the items are: it takes the hash of their content from the caller.
//
// The common case: commit each item with [Commit], build a tree over a batch
// with [New], anchor [Tree.Root] in one transaction and keep [Tree.Prove] of
// each leaf beside its item. Whoever is later shown an item, its salt and its
// proof recomputes the commitment and calls [Verify].
//
// # Construction
//
// Everything is keccak256 (the Ethereum variant, not NIST SHA3-256) over
// byte strings; ‖ is concatenation.
//
//	leaf  = keccak256(0x00 ‖ salt ‖ contentHash)   salt: 32 random bytes per item
//	                                                contentHash: 32 bytes, the caller's hash
//	                                                of the item's content
//	inner = keccak256(0x01 ‖ left ‖ right)
//
// The tree over leaves x[0..n-1], n ≥ 1, is built level by level: the next level
// holds inner(x[0], x[1]), inner(x[2], x[3]), …; when a level has an odd number
// of nodes its last node is promoted to the next level unchanged (not paired
// with itself, not hashed). The root is the single node of the last level; the
// root of a one-leaf tree is that leaf. A tree has at most 2³²−1 leaves, the
// registry's uint32 count, and so at most 32 levels above the leaves.
//
// A [Proof] is the leaf's index, the leaf count n, and the siblings met on the
// way up, bottom first. Sides are not stored: they follow from index and count.
// At each level with m nodes (m starting at n), position i (starting at the
// index): if i is odd the sibling is on the left; if i is even and i+1 < m it is
// on the right; otherwise (i = m−1, m odd) the node is promoted and uses no
// sibling. Then i ← ⌊i/2⌋, m ← ⌈m/2⌉, until m = 1. A proof must hold exactly as
// many siblings as that walk uses.
//
// The binary form of a proof is index (uint32, big-endian) ‖ count (uint32,
// big-endian) ‖ the siblings, 32 bytes each: 8 to 1,032 bytes, one encoding per
// proof. The JSON form is {"index":…,"count":…,"siblings":["0x…",…]} with each
// sibling 0x and 64 hex digits. testdata/vectors.json, beside this package's
// source, holds trees and proofs computed by an independent implementation of
// this text, to check another implementation against.
//
// # What a verifier must do
//
// Recompute the leaf with [Commit] from the salt and the content, never accept a
// leaf hash as given: the 0x00/0x01 prefixes keep an inner node from posing as a
// leaf only when the leaf is a commitment the verifier computed. Where the
// anchored leaf count is known (the registry's anchorOf returns it), compare it
// with [Proof.Count] too.
//
// Parsing refuses anything malformed: an index outside the count, a zero count,
// a sibling count that does not match the walk, oversize input, stray fields.
package merkle

import (
	"errors"
	"fmt"

	"github.com/ethereum/go-ethereum/crypto"
)

// Domain separation prefixes of the two kinds of hash in a tree.
const (
	leafPrefix  = 0x00
	innerPrefix = 0x01
)

// MaxLeaves is the most leaves a tree may have: the registry records the count
// of a batch as a uint32.
const MaxLeaves = 1<<32 - 1

// MaxDepth is the most siblings a proof can hold, the height of a tree of
// MaxLeaves leaves.
const MaxDepth = 32

// Commit returns the leaf commitment of one item:
// keccak256(0x00 ‖ salt ‖ contentHash). The caller computes contentHash from a
// canonical form of the item, draws salt at random for each item, and keeps it
// secret: without it, nobody can test a guessed item against the chain.
func Commit(salt, contentHash [32]byte) [32]byte {
	return hash3(leafPrefix, salt, contentHash)
}

// inner returns the parent of two nodes: keccak256(0x01 ‖ left ‖ right).
func inner(left, right [32]byte) [32]byte {
	return hash3(innerPrefix, left, right)
}

func hash3(prefix byte, a, b [32]byte) [32]byte {
	var buf [65]byte
	buf[0] = prefix
	copy(buf[1:33], a[:])
	copy(buf[33:], b[:])
	var out [32]byte
	copy(out[:], crypto.Keccak256(buf[:]))
	return out
}

// Tree is a Merkle tree over a batch of leaves, kept whole so that proving
// every leaf of a batch costs one build, not one per leaf.
type Tree struct {
	levels [][][32]byte // levels[0] are the leaves; the last level is the root alone
}

// Errors of [New].
var (
	ErrNoLeaves      = errors.New("merkle: a tree needs at least one leaf")
	ErrTooManyLeaves = errors.New("merkle: more leaves than MaxLeaves")
)

// New builds the tree over leaves, which it copies.
func New(leaves [][32]byte) (*Tree, error) {
	if len(leaves) == 0 {
		return nil, ErrNoLeaves
	}
	if uint64(len(leaves)) > MaxLeaves {
		return nil, ErrTooManyLeaves
	}
	level := append([][32]byte(nil), leaves...)
	t := &Tree{levels: [][][32]byte{level}}
	for len(level) > 1 {
		next := make([][32]byte, 0, (len(level)+1)/2)
		for i := 0; i+1 < len(level); i += 2 {
			next = append(next, inner(level[i], level[i+1]))
		}
		if len(level)%2 == 1 {
			next = append(next, level[len(level)-1]) // promoted unchanged
		}
		t.levels = append(t.levels, next)
		level = next
	}
	return t, nil
}

// Len returns the number of leaves.
func (t *Tree) Len() int { return len(t.levels[0]) }

// Root returns the tree's root.
func (t *Tree) Root() [32]byte { return t.levels[len(t.levels)-1][0] }

// Prove returns the proof that leaf i is in the tree. It panics if i is not
// the index of a leaf, as slice indexing does.
func (t *Tree) Prove(i int) Proof {
	if i < 0 || i >= t.Len() {
		panic(fmt.Sprintf("merkle: leaf index %d out of range [0, %d)", i, t.Len()))
	}
	p := Proof{Index: uint32(i), Count: uint32(t.Len())}
	for _, level := range t.levels[:len(t.levels)-1] {
		switch {
		case i%2 == 1:
			p.Siblings = append(p.Siblings, level[i-1])
		case i+1 < len(level):
			p.Siblings = append(p.Siblings, level[i+1])
		}
		i /= 2
	}
	return p
}

// Root returns the root of the tree over leaves, or the zero hash if there are
// none (the registry refuses to anchor it) or more than MaxLeaves.
func Root(leaves [][32]byte) [32]byte {
	t, err := New(leaves)
	if err != nil {
		return [32]byte{}
	}
	return t.Root()
}

// Prove returns the proof that leaves[i] is in the tree over leaves. To prove
// every leaf of a batch, build the tree once with [New] and use [Tree.Prove].
// It panics if i is not an index of leaves.
func Prove(leaves [][32]byte, i int) Proof {
	if i < 0 || i >= len(leaves) {
		panic(fmt.Sprintf("merkle: leaf index %d out of range [0, %d)", i, len(leaves)))
	}
	t, err := New(leaves)
	if err != nil {
		panic(err.Error())
	}
	return t.Prove(i)
}

// Verify reports whether proof shows leaf to be in the tree with root root: the
// proof is well formed (see [Proof.Check]) and folding leaf with its siblings,
// on the sides its index and count dictate, gives root. Pass a leaf computed
// with [Commit], never one taken from the prover.
func Verify(root, leaf [32]byte, proof Proof) bool {
	if proof.Check() != nil {
		return false
	}
	h := leaf
	i, m := uint64(proof.Index), uint64(proof.Count)
	k := 0
	for ; m > 1; i, m = i/2, (m+1)/2 {
		switch {
		case i%2 == 1:
			h = inner(proof.Siblings[k], h)
			k++
		case i+1 < m:
			h = inner(h, proof.Siblings[k])
			k++
		}
	}
	return h == root
}
