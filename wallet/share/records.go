package share

import (
	"context"
	"encoding/json"

	"github.com/ethereum/go-ethereum/common"
)

// CheckRecords runs a share's record checks — [CheckCommitments] and
// [CheckAnchored] — on records that travel with their proofs outside a share
// (a caregiver's care copy, wallet/care): each proof's record must have been
// received as committed, and each commitment must be in a batch the patient
// anchored on chain. It returns the two checks and, for each resource, why it
// matched no proof ("" when it did: a second copy of a record does not match
// twice). The same code as a share's verification, so the two cannot drift.
func CheckRecords(ctx context.Context, chain ChainReader, patient common.Address, resources []json.RawMessage, proofs []RecordProof) (checks []Check, unmatched []string) {
	received := make([]receivedRecord, len(resources))
	for i, r := range resources {
		received[i] = receivedRecord{resource: r, source: "the copy"}
	}
	proof := ProofFile{Grant: Grant{Patient: patient}, Records: proofs}
	matched, why := coverage(received, &proof, "")
	var p reporter
	commitments := p.commitments(proof, matched)
	p.anchors(ctx, chain, proof, commitments)
	return p.r.Checks, why
}
