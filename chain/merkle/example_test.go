package merkle_test

import (
	"encoding/json"
	"fmt"

	"github.com/ethereum/go-ethereum/crypto"

	"healthwallet/chain/merkle"
)

// A wallet commits three documents, anchors the root, and later shows one
// document with its salt and proof; the receiver recomputes the commitment and
// checks it against the anchored root.
func Example() {
	var leaves [][32]byte
	var salts [][32]byte
	for _, content := range []string{"document A", "document B", "document C"} {
		salt := [32]byte(crypto.Keccak256([]byte("a random salt for " + content))) // crypto/rand in the wallet
		salts = append(salts, salt)
		leaves = append(leaves, merkle.Commit(salt, [32]byte(crypto.Keccak256([]byte(content)))))
	}
	tree, err := merkle.New(leaves)
	if err != nil {
		panic(err)
	}
	root := tree.Root() // anchored with HealthRegistry.anchor(root, 3)
	proof := tree.Prove(1)
	shown, _ := json.Marshal(proof)

	// The receiver's side.
	var received merkle.Proof
	if err := json.Unmarshal(shown, &received); err != nil {
		panic(err)
	}
	leaf := merkle.Commit(salts[1], [32]byte(crypto.Keccak256([]byte("document B"))))
	fmt.Println("document B anchored:", merkle.Verify(root, leaf, received), "count", received.Count)

	altered := merkle.Commit(salts[1], [32]byte(crypto.Keccak256([]byte("document B, altered"))))
	fmt.Println("altered document anchored:", merkle.Verify(root, altered, received))
	// Output:
	// document B anchored: true count 3
	// altered document anchored: false
}
