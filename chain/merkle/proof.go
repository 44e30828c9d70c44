package merkle

import (
	"bytes"
	"encoding/binary"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
)

// Proof shows that one leaf is in a tree. See the package documentation for
// how a verifier walks it; [Verify] does.
type Proof struct {
	// Index is the leaf's position among the tree's leaves, from 0.
	Index uint32
	// Count is the number of leaves in the tree.
	Count uint32
	// Siblings are the hashes met on the way up, bottom first: one per level
	// where the node on the path is not promoted.
	Siblings [][32]byte
}

// ErrMalformedProof is wrapped by every error of Check and of the parsers.
var ErrMalformedProof = errors.New("malformed Merkle proof")

// Size limits of the encodings.
const (
	binaryHeaderSize = 8
	maxBinarySize    = binaryHeaderSize + 32*MaxDepth
	// maxJSONSize leaves ample room for whitespace around the longest proof
	// (about 2.3 KB) while refusing megabytes.
	maxJSONSize = 8 << 10
)

// pathLen is the number of siblings the proof of leaf index in a tree of count
// leaves holds.
func pathLen(index, count uint32) int {
	n := 0
	for i, m := uint64(index), uint64(count); m > 1; i, m = i/2, (m+1)/2 {
		if i%2 == 1 || i+1 < m {
			n++
		}
	}
	return n
}

// Check reports whether the proof is well formed: a non-zero count, an index
// below it, and exactly as many siblings as the walk from that index uses.
// Errors wrap [ErrMalformedProof].
func (p Proof) Check() error {
	switch {
	case p.Count == 0:
		return fmt.Errorf("%w: leaf count is zero", ErrMalformedProof)
	case p.Index >= p.Count:
		return fmt.Errorf("%w: leaf index %d is not below the count %d", ErrMalformedProof, p.Index, p.Count)
	}
	if want := pathLen(p.Index, p.Count); len(p.Siblings) != want {
		return fmt.Errorf("%w: %d siblings, leaf %d of %d needs %d", ErrMalformedProof, len(p.Siblings), p.Index, p.Count, want)
	}
	return nil
}

// MarshalBinary encodes the proof as index ‖ count ‖ siblings (big-endian
// uint32s, then 32 bytes per sibling). It refuses a proof that fails Check.
func (p Proof) MarshalBinary() ([]byte, error) {
	if err := p.Check(); err != nil {
		return nil, err
	}
	out := make([]byte, binaryHeaderSize, binaryHeaderSize+32*len(p.Siblings))
	binary.BigEndian.PutUint32(out[0:4], p.Index)
	binary.BigEndian.PutUint32(out[4:8], p.Count)
	for _, s := range p.Siblings {
		out = append(out, s[:]...)
	}
	return out, nil
}

// UnmarshalBinary decodes the binary form. The length must be exactly what
// index and count call for.
func (p *Proof) UnmarshalBinary(data []byte) error {
	if len(data) < binaryHeaderSize || len(data) > maxBinarySize {
		return fmt.Errorf("%w: %d bytes, want %d to %d", ErrMalformedProof, len(data), binaryHeaderSize, maxBinarySize)
	}
	if (len(data)-binaryHeaderSize)%32 != 0 {
		return fmt.Errorf("%w: %d bytes of siblings is not a whole number of hashes", ErrMalformedProof, len(data)-binaryHeaderSize)
	}
	q := Proof{
		Index: binary.BigEndian.Uint32(data[0:4]),
		Count: binary.BigEndian.Uint32(data[4:8]),
	}
	for rest := data[binaryHeaderSize:]; len(rest) > 0; rest = rest[32:] {
		q.Siblings = append(q.Siblings, [32]byte(rest[:32]))
	}
	if err := q.Check(); err != nil {
		return err
	}
	*p = q
	return nil
}

// proofJSON is the JSON form. Pointers tell a missing field from a zero.
type proofJSON struct {
	Index    *uint32  `json:"index"`
	Count    *uint32  `json:"count"`
	Siblings []string `json:"siblings"`
}

// MarshalJSON encodes the proof as {"index":…,"count":…,"siblings":["0x…",…]}.
// It refuses a proof that fails Check.
func (p Proof) MarshalJSON() ([]byte, error) {
	if err := p.Check(); err != nil {
		return nil, err
	}
	siblings := make([]string, len(p.Siblings))
	for i, s := range p.Siblings {
		siblings[i] = "0x" + hex.EncodeToString(s[:])
	}
	return json.Marshal(proofJSON{Index: &p.Index, Count: &p.Count, Siblings: siblings})
}

// UnmarshalJSON decodes the JSON form. All three fields are required, no others
// are allowed, and each sibling is 0x and exactly 64 hex digits.
func (p *Proof) UnmarshalJSON(data []byte) error {
	if len(data) > maxJSONSize {
		return fmt.Errorf("%w: %d bytes of JSON, at most %d", ErrMalformedProof, len(data), maxJSONSize)
	}
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	var raw proofJSON
	if err := dec.Decode(&raw); err != nil {
		return fmt.Errorf("%w: %v", ErrMalformedProof, err)
	}
	if _, err := dec.Token(); err != io.EOF {
		return fmt.Errorf("%w: data after the proof object", ErrMalformedProof)
	}
	if raw.Index == nil || raw.Count == nil || raw.Siblings == nil {
		return fmt.Errorf("%w: index, count and siblings are all required", ErrMalformedProof)
	}
	if len(raw.Siblings) > MaxDepth {
		return fmt.Errorf("%w: %d siblings, at most %d", ErrMalformedProof, len(raw.Siblings), MaxDepth)
	}
	q := Proof{Index: *raw.Index, Count: *raw.Count}
	if len(raw.Siblings) > 0 { // none stays nil, as Prove and UnmarshalBinary leave it
		q.Siblings = make([][32]byte, len(raw.Siblings))
	}
	for i, s := range raw.Siblings {
		if len(s) != 66 || s[0] != '0' || s[1] != 'x' {
			return fmt.Errorf("%w: sibling %d is not 0x and 64 hex digits", ErrMalformedProof, i)
		}
		if _, err := hex.Decode(q.Siblings[i][:], []byte(s[2:])); err != nil {
			return fmt.Errorf("%w: sibling %d: %v", ErrMalformedProof, i, err)
		}
	}
	if err := q.Check(); err != nil {
		return err
	}
	*p = q
	return nil
}
