package record

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"

	"github.com/gowebpki/jcs"
)

// ErrNotJSON is returned by [Canonical] and [ContentHash] for bytes that
// are not one valid JSON value.
var ErrNotJSON = errors.New("not valid JSON")

// Canonical returns the RFC 8785 (JCS) canonical form of one JSON value:
// members sorted, no insignificant whitespace, numbers and strings in their
// one canonical spelling. Two resources are the same content exactly when
// their canonical forms are equal; the record commitment (DESIGN §5) hashes
// this form.
func Canonical(raw []byte) (out []byte, err error) {
	if !json.Valid(raw) {
		return nil, ErrNotJSON
	}
	defer func() {
		if r := recover(); r != nil { // the input is a stranger's: never crash on it
			out, err = nil, fmt.Errorf("%w: canonicalization failed: %v", ErrNotJSON, r)
		}
	}()
	out, err = jcs.Transform(raw)
	if err != nil {
		return nil, fmt.Errorf("%w: %v", ErrNotJSON, err)
	}
	return out, nil
}

// ContentHash is the SHA-256 of the canonical form of raw: equal hashes mean
// the same content however the JSON was spaced or its members ordered. The
// importer uses it to recognise a version it already holds.
func ContentHash(raw []byte) ([32]byte, error) {
	c, err := Canonical(raw)
	if err != nil {
		return [32]byte{}, err
	}
	return sha256.Sum256(c), nil
}

// Key is the logical identity of a resource, which versions share:
// "Type/id" when the resource has an id; else "Type|fullUrl" when its Bundle
// entry had a fullUrl; else "Type#" and the hex content hash, so that a
// resource with neither is its own record and re-importing it is a no-op.
func Key(res Resource) string {
	switch {
	case res.ID != "":
		return res.Type + "/" + res.ID
	case res.FullURL != "":
		return res.Type + "|" + res.FullURL
	}
	h, err := ContentHash(res.Raw)
	if err != nil {
		h = sha256.Sum256(res.Raw) // unreadable JSON still gets a stable key
	}
	return res.Type + "#" + hex.EncodeToString(h[:])
}
