package merkle

import (
	"bytes"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"math/rand/v2"
	"os"
	"reflect"
	"slices"
	"testing"

	"github.com/ethereum/go-ethereum/crypto"
)

func randomLeaves(rng *rand.Rand, n int) [][32]byte {
	leaves := make([][32]byte, n)
	for i := range leaves {
		var salt, content [32]byte
		fillRandom(rng, salt[:])
		fillRandom(rng, content[:])
		leaves[i] = Commit(salt, content)
	}
	return leaves
}

func fillRandom(rng *rand.Rand, b []byte) {
	for i := range b {
		b[i] = byte(rng.Uint32())
	}
}

// sizes are the tree sizes the property tests walk: all of 1..300, or a
// spread of them under -short.
func sizes() []int {
	var out []int
	for n := 1; n <= 300; n++ {
		if !testing.Short() || n <= 20 || n%37 == 0 || n == 255 || n == 256 || n == 257 {
			out = append(out, n)
		}
	}
	return out
}

func TestCommitIsKeccakOfPrefixedPreimage(t *testing.T) {
	var salt, content [32]byte
	salt[0], content[31] = 0xaa, 0xbb
	want := crypto.Keccak256(append(append([]byte{0x00}, salt[:]...), content[:]...))
	if got := Commit(salt, content); !bytes.Equal(got[:], want) {
		t.Fatalf("Commit = %x, want keccak256(0x00‖salt‖contentHash) = %x", got, want)
	}
	wantInner := crypto.Keccak256(append(append([]byte{0x01}, salt[:]...), content[:]...))
	if got := inner(salt, content); !bytes.Equal(got[:], wantInner) {
		t.Fatalf("inner = %x, want keccak256(0x01‖left‖right) = %x", got, wantInner)
	}
}

func TestSingleLeafRootIsTheLeaf(t *testing.T) {
	leaf := Commit([32]byte{1}, [32]byte{2})
	if Root([][32]byte{leaf}) != leaf {
		t.Fatal("root of a one-leaf tree is not the leaf")
	}
	p := Prove([][32]byte{leaf}, 0)
	if p.Index != 0 || p.Count != 1 || len(p.Siblings) != 0 {
		t.Fatalf("proof of the only leaf = %+v, want index 0, count 1, no siblings", p)
	}
	if !Verify(leaf, leaf, p) {
		t.Fatal("the only leaf does not verify")
	}
}

func TestEmptyBatch(t *testing.T) {
	if Root(nil) != ([32]byte{}) {
		t.Fatal("Root(nil) is not the zero hash")
	}
	if _, err := New(nil); !errors.Is(err, ErrNoLeaves) {
		t.Fatalf("New(nil) error = %v, want ErrNoLeaves", err)
	}
}

// TestOddNodeIsPromoted pins the shape on a small tree, written out by hand.
func TestOddNodeIsPromoted(t *testing.T) {
	l := randomLeaves(rand.New(rand.NewPCG(1, 2)), 5)
	// Level 1: i(l0,l1) i(l2,l3) l4; level 2: i(i01,i23) l4; root: i(i0123, l4).
	want := inner(inner(inner(l[0], l[1]), inner(l[2], l[3])), l[4])
	if got := Root(l); got != want {
		t.Fatalf("root of 5 = %x, want %x", got, want)
	}
	// Leaf 4 is promoted twice and meets one sibling, on its left.
	p := Prove(l, 4)
	if len(p.Siblings) != 1 || p.Siblings[0] != inner(inner(l[0], l[1]), inner(l[2], l[3])) {
		t.Fatalf("proof of leaf 4 = %x", p.Siblings)
	}
}

// TestEveryLeafProves: for trees of 1..300 leaves, each leaf's proof verifies,
// through New/Tree.Prove and through the one-shot Prove alike, and survives
// both encodings.
func TestEveryLeafProves(t *testing.T) {
	rng := rand.New(rand.NewPCG(42, 1))
	for _, n := range sizes() {
		leaves := randomLeaves(rng, n)
		tree, err := New(leaves)
		if err != nil {
			t.Fatal(err)
		}
		root := tree.Root()
		if root != Root(leaves) {
			t.Fatalf("n=%d: Tree.Root and Root disagree", n)
		}
		for i, leaf := range leaves {
			p := tree.Prove(i)
			if !Verify(root, leaf, p) {
				t.Fatalf("n=%d: leaf %d does not verify", n, i)
			}
			if len(p.Siblings) > MaxDepth {
				t.Fatalf("n=%d: proof of %d siblings", n, len(p.Siblings))
			}
			if i == 0 || i == n-1 || i == n/2 {
				if q := Prove(leaves, i); !reflect.DeepEqual(p, q) {
					t.Fatalf("n=%d leaf %d: Prove and Tree.Prove disagree", n, i)
				}
				roundTrip(t, p)
			}
		}
	}
}

func roundTrip(t *testing.T, p Proof) {
	t.Helper()
	bin, err := p.MarshalBinary()
	if err != nil {
		t.Fatal(err)
	}
	var fromBin Proof
	if err := fromBin.UnmarshalBinary(bin); err != nil {
		t.Fatalf("binary round trip: %v", err)
	}
	js, err := json.Marshal(p)
	if err != nil {
		t.Fatal(err)
	}
	var fromJSON Proof
	if err := json.Unmarshal(js, &fromJSON); err != nil {
		t.Fatalf("JSON round trip of %s: %v", js, err)
	}
	if !reflect.DeepEqual(fromBin, p) || !reflect.DeepEqual(fromJSON, p) {
		t.Fatalf("round trip changed the proof:\n  %+v\nbinary %+v\n  json %+v", p, fromBin, fromJSON)
	}
}

// TestAlteredProofsFail: any change to a valid proof — a flipped bit in any
// sibling, another index or count, a dropped or added step, swapped siblings,
// another leaf or root — and it no longer verifies.
func TestAlteredProofsFail(t *testing.T) {
	rng := rand.New(rand.NewPCG(7, 7))
	for _, n := range sizes() {
		leaves := randomLeaves(rng, n)
		tree, err := New(leaves)
		if err != nil {
			t.Fatal(err)
		}
		root := tree.Root()
		for _, i := range slices.Compact([]int{0, n / 3, n / 2, n - 1, rng.IntN(n)}) {
			p := tree.Prove(i)
			leaf := leaves[i]
			fail := func(what string, q Proof) {
				t.Helper()
				if Verify(root, leaf, q) {
					t.Fatalf("n=%d leaf %d: %s still verifies", n, i, what)
				}
			}
			for k := range p.Siblings {
				q := clone(p)
				bit := rng.IntN(256)
				q.Siblings[k][bit/8] ^= 1 << (bit % 8)
				fail(fmt.Sprintf("bit %d of sibling %d flipped", bit, k), q)

				q = clone(p)
				q.Siblings = slices.Delete(q.Siblings, k, k+1)
				fail(fmt.Sprintf("sibling %d dropped", k), q)

				if k+1 < len(p.Siblings) && p.Siblings[k] != p.Siblings[k+1] {
					q = clone(p)
					q.Siblings[k], q.Siblings[k+1] = q.Siblings[k+1], q.Siblings[k]
					fail(fmt.Sprintf("siblings %d and %d swapped", k, k+1), q)
				}
			}
			for k := 0; k <= len(p.Siblings); k++ {
				q := clone(p)
				var extra [32]byte
				fillRandom(rng, extra[:])
				q.Siblings = slices.Insert(q.Siblings, k, extra)
				fail(fmt.Sprintf("step added at %d", k), q)
			}
			for _, j := range []int{i - 1, i + 1, i ^ 1, rng.IntN(n)} {
				if j < 0 || j >= n || j == i || leaves[j] == leaf {
					continue
				}
				q := clone(p)
				q.Index = uint32(j)
				fail(fmt.Sprintf("index %d claimed", j), q)
			}
			for _, c := range []int{n - 1, n + 1, 2 * n, n + rng.IntN(1000) + 1} {
				if c < 1 || c == n {
					continue
				}
				q := clone(p)
				q.Count = uint32(c)
				if Verify(root, leaf, q) && !sameShape(i, n, c) {
					t.Fatalf("n=%d leaf %d: count %d claimed still verifies", n, i, c)
				}
			}
			if n > 1 {
				other := leaves[(i+1)%n]
				if other != leaf && Verify(root, other, p) {
					t.Fatalf("n=%d: leaf %d's proof verifies leaf %d", n, i, (i+1)%n)
				}
			}
			if Verify(inner(root, root), leaf, p) {
				t.Fatalf("n=%d leaf %d: verifies against another root", n, i)
			}
		}
	}
}

// sameShape says whether leaf i's walk is the same in trees of n and c leaves:
// then a changed count is not a forgery, the proof is simply true of both.
func sameShape(i, n, c int) bool {
	walk := func(count int) []int {
		var sides []int
		for j, m := i, count; m > 1; j, m = j/2, (m+1)/2 {
			switch {
			case j%2 == 1:
				sides = append(sides, -1)
			case j+1 < m:
				sides = append(sides, 1)
			default:
				sides = append(sides, 0)
			}
		}
		return slices.DeleteFunc(sides, func(s int) bool { return s == 0 })
	}
	return slices.Equal(walk(n), walk(c))
}

func clone(p Proof) Proof {
	p.Siblings = slices.Clone(p.Siblings)
	return p
}

// TestInnerNodeIsNotALeaf: an inner node cannot pass for a leaf.
//
// The attack that breaks Merkle trees without domain separation: present an
// inner node's children as an item (salt = left child, contentHash = right
// child) with the proof of the inner node's position, as if its level were the
// leaves. Were leaves and inner nodes hashed alike, Commit would give the inner
// node and the proof would verify (the control below shows the node itself
// does). It fails, because Commit hashes under 0x00 what the tree hashed under
// 0x01. And with the tree's true count, no index takes an inner node to the root.
func TestInnerNodeIsNotALeaf(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 9))
	for _, n := range sizes() {
		if n < 2 {
			continue
		}
		leaves := randomLeaves(rng, n)
		tree, err := New(leaves)
		if err != nil {
			t.Fatal(err)
		}
		root := tree.Root()
		for lvl := 1; lvl < len(tree.levels)-1; lvl++ {
			level, below := tree.levels[lvl], tree.levels[lvl-1]
			for j, node := range level {
				if 2*j+1 >= len(below) {
					continue // promoted: this node is the one below it, not an inner hash of its own
				}
				// The proof of node as if its level were the leaves.
				sub := &Tree{levels: tree.levels[lvl:]}
				p := sub.Prove(j)
				if !Verify(root, node, p) {
					t.Fatalf("n=%d: control failed: node (%d,%d) does not verify as a leaf of its own level", n, lvl, j)
				}
				forged := Commit(below[2*j], below[2*j+1])
				if Verify(root, forged, p) {
					t.Fatalf("n=%d: children of node (%d,%d) pass as an item", n, lvl, j)
				}
				// With the true count, every index whose walk has the right
				// length refuses the inner node.
				for i := 0; i < n; i++ {
					if pathLen(uint32(i), uint32(n)) != len(p.Siblings) {
						continue // refused by shape alone
					}
					q := Proof{Index: uint32(i), Count: uint32(n), Siblings: p.Siblings}
					if Verify(root, node, q) {
						t.Fatalf("n=%d: node (%d,%d) passes as leaf %d", n, lvl, j, i)
					}
				}
			}
		}
	}
}

// TestVectors checks the construction against vectors.json, computed by an
// independent JavaScript implementation of the package documentation
// (testdata/vectors.js), for other verifiers to check theirs against too.
func TestVectors(t *testing.T) {
	data, err := os.ReadFile("testdata/vectors.json")
	if err != nil {
		t.Fatal(err)
	}
	var file struct {
		Trees []struct {
			Count         int      `json:"count"`
			Salts         []string `json:"salts"`
			ContentHashes []string `json:"contentHashes"`
			Leaves        []string `json:"leaves"`
			Root          string   `json:"root"`
			Proofs        []struct {
				JSON   json.RawMessage `json:"json"`
				Binary string          `json:"binary"`
			} `json:"proofs"`
		} `json:"trees"`
	}
	if err := json.Unmarshal(data, &file); err != nil {
		t.Fatal(err)
	}
	if len(file.Trees) == 0 {
		t.Fatal("no vectors")
	}
	for _, v := range file.Trees {
		t.Run(fmt.Sprintf("%d leaves", v.Count), func(t *testing.T) {
			leaves := make([][32]byte, v.Count)
			for i := range leaves {
				leaves[i] = Commit(mustHash(t, v.Salts[i]), mustHash(t, v.ContentHashes[i]))
				if leaves[i] != mustHash(t, v.Leaves[i]) {
					t.Fatalf("leaf %d = %x, want %s", i, leaves[i], v.Leaves[i])
				}
			}
			root := mustHash(t, v.Root)
			if got := Root(leaves); got != root {
				t.Fatalf("root = %x, want %s", got, v.Root)
			}
			for i, want := range v.Proofs {
				p := Prove(leaves, i)
				gotJSON, err := json.Marshal(p)
				if err != nil {
					t.Fatal(err)
				}
				if !jsonEqual(t, gotJSON, want.JSON) {
					t.Fatalf("proof %d JSON = %s, want %s", i, gotJSON, want.JSON)
				}
				gotBin, err := p.MarshalBinary()
				if err != nil {
					t.Fatal(err)
				}
				if "0x"+hex.EncodeToString(gotBin) != want.Binary {
					t.Fatalf("proof %d binary = %x, want %s", i, gotBin, want.Binary)
				}
				var parsed Proof
				if err := json.Unmarshal(want.JSON, &parsed); err != nil {
					t.Fatal(err)
				}
				if !Verify(root, leaves[i], parsed) {
					t.Fatalf("vector proof %d does not verify", i)
				}
			}
		})
	}
}

func mustHash(t *testing.T, s string) [32]byte {
	t.Helper()
	b, err := hex.DecodeString(s[2:])
	if err != nil || len(b) != 32 {
		t.Fatalf("bad hash %q", s)
	}
	return [32]byte(b)
}

func jsonEqual(t *testing.T, a, b []byte) bool {
	t.Helper()
	var x, y any
	if json.Unmarshal(a, &x) != nil || json.Unmarshal(b, &y) != nil {
		t.Fatalf("invalid JSON %s / %s", a, b)
	}
	return reflect.DeepEqual(x, y)
}

func TestParseRefusesMalformed(t *testing.T) {
	leaves := randomLeaves(rand.New(rand.NewPCG(9, 9)), 5)
	good := Prove(leaves, 1) // 3 siblings
	bin, err := good.MarshalBinary()
	if err != nil {
		t.Fatal(err)
	}
	sib := "0x" + hex.EncodeToString(good.Siblings[0][:])

	binaries := map[string][]byte{
		"empty":               nil,
		"header only, 5 leaf": bin[:8],
		"short header":        bin[:7],
		"truncated sibling":   bin[:len(bin)-1],
		"one sibling too few": bin[:len(bin)-32],
		"one sibling extra":   append(slices.Clone(bin), make([]byte, 32)...),
		"zero count":          {0, 0, 0, 0, 0, 0, 0, 0},
		"index = count":       append([]byte{0, 0, 0, 5, 0, 0, 0, 5}, bin[8:]...),
		"oversize":            make([]byte, maxBinarySize+32),
	}
	for name, data := range binaries {
		var p Proof
		if err := p.UnmarshalBinary(data); !errors.Is(err, ErrMalformedProof) {
			t.Errorf("binary %s: error %v, want ErrMalformedProof", name, err)
		}
	}

	jsons := map[string]string{
		"not an object":      `[1,2]`,
		"missing index":      `{"count":5,"siblings":[]}`,
		"missing count":      `{"index":0,"siblings":[]}`,
		"missing siblings":   `{"index":4,"count":5}`,
		"null siblings":      `{"index":4,"count":5,"siblings":null}`,
		"unknown field":      `{"index":4,"count":5,"siblings":["` + sib + `"],"side":"left"}`,
		"negative index":     `{"index":-1,"count":5,"siblings":[]}`,
		"fractional index":   `{"index":1.5,"count":5,"siblings":[]}`,
		"index too large":    `{"index":4294967296,"count":5,"siblings":[]}`,
		"no 0x":              `{"index":4,"count":5,"siblings":["` + sib[2:] + `"]}`,
		"short sibling":      `{"index":4,"count":5,"siblings":["` + sib[:65] + `"]}`,
		"long sibling":       `{"index":4,"count":5,"siblings":["` + sib + `0"]}`,
		"not hex":            `{"index":4,"count":5,"siblings":["0x` + string(bytes.Repeat([]byte("zz"), 32)) + `"]}`,
		"wrong step count":   `{"index":4,"count":5,"siblings":["` + sib + `","` + sib + `"]}`,
		"trailing data":      `{"index":4,"count":5,"siblings":["` + sib + `"]} {}`,
		"too many siblings":  `{"index":0,"count":5,"siblings":[` + repeatJSON(`"`+sib+`"`, MaxDepth+1) + `]}`,
		"oversize":           `{"index":4,"count":5,"siblings":["` + sib + `"]}` + string(bytes.Repeat([]byte(" "), maxJSONSize)),
		"zero count":         `{"index":0,"count":0,"siblings":[]}`,
		"index beyond count": `{"index":9,"count":5,"siblings":[]}`,
	}
	for name, data := range jsons {
		var p Proof
		if err := p.UnmarshalJSON([]byte(data)); !errors.Is(err, ErrMalformedProof) {
			t.Errorf("JSON %s: error %v, want ErrMalformedProof", name, err)
		}
	}

	// Encoders refuse what the parsers would.
	bad := clone(good)
	bad.Siblings = bad.Siblings[1:]
	if _, err := bad.MarshalBinary(); !errors.Is(err, ErrMalformedProof) {
		t.Errorf("MarshalBinary of a bad proof: %v", err)
	}
	if _, err := json.Marshal(bad); !errors.Is(err, ErrMalformedProof) {
		t.Errorf("MarshalJSON of a bad proof: %v", err)
	}
}

func repeatJSON(item string, n int) string {
	out := item
	for range n - 1 {
		out += "," + item
	}
	return out
}

// TestLargestTree checks the walk at the uint32 edge without building the
// tree: no overflow, at most MaxDepth siblings.
func TestLargestTree(t *testing.T) {
	// The last of 2³²−1 leaves is promoted once, then has a left sibling at each of 31 levels.
	if got := pathLen(MaxLeaves-1, MaxLeaves); got != 31 {
		t.Fatalf("last of MaxLeaves leaves: %d siblings, want 31", got)
	}
	// The last of 2³¹+1 leaves is promoted at every level but the top one.
	if got := pathLen(1<<31, 1<<31+1); got != 1 {
		t.Fatalf("last of 2^31+1 leaves: %d siblings, want 1", got)
	}
	if got := pathLen(0, MaxLeaves); got != MaxDepth {
		t.Fatalf("first of MaxLeaves leaves: %d siblings, want %d", got, MaxDepth)
	}
	p := Proof{Index: 0, Count: MaxLeaves, Siblings: make([][32]byte, MaxDepth)}
	bin, err := p.MarshalBinary()
	if err != nil || len(bin) != maxBinarySize {
		t.Fatalf("deepest proof: %d bytes, %v", len(bin), err)
	}
}

func FuzzProofBinary(f *testing.F) {
	rng := rand.New(rand.NewPCG(11, 11))
	for _, n := range []int{1, 2, 3, 5, 8, 33} {
		leaves := randomLeaves(rng, n)
		for _, i := range []int{0, n - 1} {
			b, _ := Prove(leaves, i).MarshalBinary()
			f.Add(b)
		}
	}
	f.Add([]byte{})
	f.Add([]byte{0xff, 0xff, 0xff, 0xfe, 0xff, 0xff, 0xff, 0xff})
	f.Fuzz(func(t *testing.T, data []byte) {
		var p Proof
		if err := p.UnmarshalBinary(data); err != nil {
			if !errors.Is(err, ErrMalformedProof) {
				t.Fatalf("error does not wrap ErrMalformedProof: %v", err)
			}
			return
		}
		// Accepted input is canonical: it re-encodes to the same bytes.
		again, err := p.MarshalBinary()
		if err != nil {
			t.Fatalf("parsed proof does not re-encode: %v", err)
		}
		if !bytes.Equal(again, data) {
			t.Fatalf("re-encoding changed the bytes:\n%x\n%x", data, again)
		}
		_ = Verify([32]byte{}, [32]byte{}, p)
	})
}

func FuzzProofJSON(f *testing.F) {
	rng := rand.New(rand.NewPCG(12, 12))
	for _, n := range []int{1, 2, 3, 5, 8} {
		leaves := randomLeaves(rng, n)
		b, _ := json.Marshal(Prove(leaves, n-1))
		f.Add(b)
	}
	f.Add([]byte(`{"index":0,"count":1,"siblings":[]}`))
	f.Add([]byte(`{"index":1,"count":2,"siblings":["0x00"]}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		var p Proof
		if err := p.UnmarshalJSON(data); err != nil {
			if !errors.Is(err, ErrMalformedProof) {
				t.Fatalf("error does not wrap ErrMalformedProof: %v", err)
			}
			return
		}
		out, err := json.Marshal(p)
		if err != nil {
			t.Fatalf("parsed proof does not re-encode: %v", err)
		}
		var q Proof
		if err := json.Unmarshal(out, &q); err != nil || !reflect.DeepEqual(p, q) {
			t.Fatalf("JSON round trip: %v\n%+v\n%+v", err, p, q)
		}
	})
}
