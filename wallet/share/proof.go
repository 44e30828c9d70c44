package share

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"slices"

	"github.com/ethereum/go-ethereum/common"
	"github.com/ethereum/go-ethereum/common/hexutil"
	"github.com/ethereum/go-ethereum/crypto"

	"healthwallet/chain/merkle"
	"healthwallet/wallet/identity"
	"healthwallet/wallet/record"
)

// Limits of a proof file.
const (
	// MaxProofSize bounds a proof file: about 1.5 KB a record at most, so
	// room for tens of thousands of records.
	MaxProofSize = 32 << 20
	// MaxProofRecords bounds the records one proof file covers.
	MaxProofRecords = 100_000
	// maxResourceRef bounds a record's resourceRef ("Type/id").
	maxResourceRef = 256
	proofVersion   = 1
)

// ErrBadProof is wrapped by every error of [ParseProof] and [ProofFile.Marshal].
var ErrBadProof = errors.New("invalid proof file")

// ProofFile is the file Health Wallet adds to a share, content type
// [ContentTypeProof], encrypted like the others: the signed grant, and for
// each shared record what a receiver needs to recompute its commitment and
// find it in an anchored batch. It carries no health data: salts and hashes.
type ProofFile struct {
	// ChainID and Registry name the chain and HealthRegistry the grant was
	// signed for and issued on.
	ChainID  uint64
	Registry common.Address
	Grant    Grant
	// Signature is the issuer's EIP-712 signature of Grant, 65 bytes.
	Signature []byte
	// Records are in the order of the leaves of the grant's scope tree:
	// Grant.Scope is the Merkle root of their commitments.
	Records []RecordProof
	// Card is the patient's identity card (hwcard:…), signed by the
	// patient's address, so the receiver can name the patient; empty in
	// shares made before networks. It rides in the encrypted proof, not in
	// the link, which stays short enough for a QR.
	Card string
	// Network names the network the share was made on, for a receiver that
	// does not trust it yet; nil when made on a plain chain. The chain id and
	// registry that matter are the signed ones above.
	Network *NetworkRef
	// Delegation is, when a delegate issued the grant (Grant.Issuer is not
	// Grant.Patient), the scope document the patient signed for that
	// delegate; the receiver checks every record against it. Nil when the
	// patient issued the grant.
	Delegation *SignedDelegationScope
}

// NetworkRef is how a share names the network it was made on: what a
// receiver needs to say which network it is and to trust it.
type NetworkRef struct {
	Name string `json:"name"`
	// URL is the network's join URL (with #fp= when its certificate is
	// pinned).
	URL string `json:"url"`
}

// maxNetworkRef bounds a NetworkRef's fields.
const maxNetworkRef = 512

// RecordProof ties one shared record to the grant's scope and to an
// anchored batch.
type RecordProof struct {
	// Index is the record's position among the entries of the share's FHIR
	// Bundles, taken in file order (one Bundle, or several when the records
	// are large: see files.go). Informational: a receiver matches records
	// by content.
	Index int
	// ResourceRef is "Type/id" when the resource has an id; informational,
	// checked against the entry when present.
	ResourceRef string
	// Salt is the commitment's secret salt; ContentHash is
	// keccak256(JCS(resource)); Commitment is merkle.Commit(Salt, ContentHash).
	Salt, ContentHash, Commitment common.Hash
	// AnchorRoot is the root of the anchored batch holding Commitment, and
	// AnchorProof the path to it.
	AnchorRoot  common.Hash
	AnchorProof merkle.Proof
}

type proofFileJSON struct {
	V         int               `json:"v"`
	ChainID   uint64            `json:"chainId"`
	Registry  common.Address    `json:"registry"`
	Grant     json.RawMessage   `json:"grant"`
	Signature hexutil.Bytes     `json:"signature"`
	Records   []json.RawMessage `json:"records"`
	Card      string            `json:"card,omitempty"`
	Network   *NetworkRef       `json:"network,omitempty"`
	// Delegation is parsed by ParseSignedDelegationScope.
	Delegation json.RawMessage `json:"delegation,omitempty"`
}

type recordProofJSON struct {
	Index       *int            `json:"index"`
	ResourceRef string          `json:"resourceRef,omitempty"`
	Salt        *common.Hash    `json:"salt"`
	ContentHash *common.Hash    `json:"contentHash"`
	Commitment  *common.Hash    `json:"commitment"`
	AnchorRoot  *common.Hash    `json:"anchorRoot"`
	AnchorProof json.RawMessage `json:"anchorProof"`
}

// RecordCommitment returns the content hash, keccak256(JCS(resource)), and
// the commitment merkle.Commit(salt, contentHash) of one record version
// (DESIGN §5). It fails only when resource is not one JSON value.
func RecordCommitment(resource []byte, salt [32]byte) (contentHash, commitment common.Hash, err error) {
	c, err := record.Canonical(resource)
	if err != nil {
		return common.Hash{}, common.Hash{}, err
	}
	contentHash, commitment = CanonicalCommitment(c, salt)
	return contentHash, commitment, nil
}

// CanonicalCommitment is [RecordCommitment] of a resource already in its
// canonical form (record.Canonical): the one place the commitment is
// computed, for the wallet's anchoring as for a receiver's check.
func CanonicalCommitment(canonical []byte, salt [32]byte) (contentHash, commitment common.Hash) {
	contentHash = crypto.Keccak256Hash(canonical)
	return contentHash, merkle.Commit(salt, contentHash)
}

// ScopeRoot is the Merkle root over the records' commitments, in order: what
// Grant.Scope must be. It is zero when there are no records.
func (p ProofFile) ScopeRoot() common.Hash {
	leaves := make([][32]byte, len(p.Records))
	for i, r := range p.Records {
		leaves[i] = r.Commitment
	}
	return merkle.Root(leaves)
}

// check is what ParseProof enforces beyond the JSON shape.
func (p ProofFile) check() error {
	switch {
	case p.ChainID == 0:
		return fmt.Errorf("%w: chainId is zero", ErrBadProof)
	case p.Registry == (common.Address{}):
		return fmt.Errorf("%w: registry is the zero address", ErrBadProof)
	case len(p.Signature) != 65:
		return fmt.Errorf("%w: the signature is %d bytes, want 65", ErrBadProof, len(p.Signature))
	case len(p.Records) == 0:
		return fmt.Errorf("%w: no records", ErrBadProof)
	case len(p.Records) > MaxProofRecords:
		return fmt.Errorf("%w: %d records, at most %d", ErrBadProof, len(p.Records), MaxProofRecords)
	}
	if err := p.Grant.Check(); err != nil {
		return fmt.Errorf("%w: %w", ErrBadProof, err)
	}
	if d := p.Delegation; d != nil {
		if err := d.Scope.Check(); err != nil {
			return fmt.Errorf("%w: delegation: %w", ErrBadProof, err)
		}
		if len(d.Signature) != 65 {
			return fmt.Errorf("%w: delegation: the signature is %d bytes, want 65", ErrBadProof, len(d.Signature))
		}
	}
	if len(p.Card) > identity.MaxCardText {
		return fmt.Errorf("%w: the identity card is longer than %d characters", ErrBadProof, identity.MaxCardText)
	}
	if n := p.Network; n != nil && (n.Name == "" || len(n.Name) > maxNetworkRef || len(n.URL) > maxNetworkRef) {
		return fmt.Errorf("%w: the network must have a name, and name and URL at most %d characters", ErrBadProof, maxNetworkRef)
	}
	seen := make(map[int]bool, len(p.Records))
	for i, r := range p.Records {
		switch {
		case r.Index < 0 || r.Index >= MaxProofRecords:
			return fmt.Errorf("%w: record %d: index %d out of range", ErrBadProof, i, r.Index)
		case seen[r.Index]:
			return fmt.Errorf("%w: record %d: Bundle entry %d is listed twice", ErrBadProof, i, r.Index)
		case len(r.ResourceRef) > maxResourceRef:
			return fmt.Errorf("%w: record %d: resourceRef longer than %d", ErrBadProof, i, maxResourceRef)
		case r.Commitment != merkle.Commit(r.Salt, r.ContentHash):
			return fmt.Errorf("%w: record %d: the commitment is not Commit(salt, contentHash)", ErrBadProof, i)
		case r.AnchorRoot == (common.Hash{}):
			return fmt.Errorf("%w: record %d: anchorRoot is zero", ErrBadProof, i)
		}
		if err := r.AnchorProof.Check(); err != nil {
			return fmt.Errorf("%w: record %d: %w", ErrBadProof, i, err)
		}
		seen[r.Index] = true
	}
	return nil
}

// Marshal encodes the proof file as JSON, refusing one ParseProof would.
func (p ProofFile) Marshal() ([]byte, error) {
	if err := p.check(); err != nil {
		return nil, err
	}
	g, err := json.Marshal(p.Grant)
	if err != nil {
		return nil, fmt.Errorf("%w: %v", ErrBadProof, err)
	}
	out := proofFileJSON{V: proofVersion, ChainID: p.ChainID, Registry: p.Registry, Grant: g, Signature: p.Signature,
		Card: p.Card, Network: p.Network}
	if p.Delegation != nil {
		if out.Delegation, err = json.Marshal(p.Delegation); err != nil {
			return nil, fmt.Errorf("%w: %v", ErrBadProof, err)
		}
	}
	for _, r := range p.Records {
		ap, err := json.Marshal(r.AnchorProof)
		if err != nil {
			return nil, fmt.Errorf("%w: %v", ErrBadProof, err)
		}
		idx, salt, ch, cm, root := r.Index, r.Salt, r.ContentHash, r.Commitment, r.AnchorRoot
		rb, err := json.Marshal(recordProofJSON{Index: &idx, ResourceRef: r.ResourceRef, Salt: &salt,
			ContentHash: &ch, Commitment: &cm, AnchorRoot: &root, AnchorProof: ap})
		if err != nil {
			return nil, fmt.Errorf("%w: %v", ErrBadProof, err)
		}
		out.Records = append(out.Records, rb)
	}
	b, err := json.Marshal(out)
	if err != nil {
		return nil, fmt.Errorf("%w: %v", ErrBadProof, err)
	}
	return b, nil
}

// strictDecode decodes one JSON object into v, refusing unknown fields
// (matched exactly: encoding/json alone matches names without regard to
// case), a member given twice, and anything after the object.
func strictDecode(data []byte, v any, fields ...string) error {
	if err := exactMembers(data, fields); err != nil {
		return err
	}
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		return err
	}
	if _, err := dec.Token(); err != io.EOF {
		return errors.New("data after the JSON value")
	}
	return nil
}

// exactMembers checks that data is an object whose member names are among
// fields, each at most once.
func exactMembers(data []byte, fields []string) error {
	dec := json.NewDecoder(bytes.NewReader(data))
	if tok, err := dec.Token(); err != nil || tok != json.Delim('{') {
		return errors.New("not a JSON object")
	}
	seen := make(map[string]bool, len(fields))
	for dec.More() {
		tok, err := dec.Token()
		if err != nil {
			return err
		}
		name, _ := tok.(string)
		if !slices.Contains(fields, name) {
			return fmt.Errorf("unknown field %q", name)
		}
		if seen[name] {
			return fmt.Errorf("field %q given twice", name)
		}
		seen[name] = true
		var skip json.RawMessage
		if err := dec.Decode(&skip); err != nil {
			return err
		}
	}
	return nil
}

// ParseProof reads a proof file strictly: at most [MaxProofSize] bytes,
// version 1, no unknown fields, every hash 0x and 64 hex digits, a complete
// grant, a 65-byte signature, one to [MaxProofRecords] records each naming a
// distinct Bundle entry, with a well-formed anchor proof and a commitment
// equal to Commit(salt, contentHash). It checks nothing against the records
// or the chain; [Verify] does. Errors wrap [ErrBadProof].
func ParseProof(data []byte) (ProofFile, error) {
	if len(data) > MaxProofSize {
		return ProofFile{}, fmt.Errorf("%w: %d bytes, at most %d", ErrBadProof, len(data), MaxProofSize)
	}
	var raw proofFileJSON
	if err := strictDecode(data, &raw, "v", "chainId", "registry", "grant", "signature", "records", "card", "network", "delegation"); err != nil {
		return ProofFile{}, fmt.Errorf("%w: %v", ErrBadProof, err)
	}
	if raw.V != proofVersion {
		return ProofFile{}, fmt.Errorf("%w: version %d; this app reads version %d (update it for newer shares)", ErrBadProof, raw.V, proofVersion)
	}
	if raw.Grant == nil || raw.Records == nil || raw.Signature == nil {
		return ProofFile{}, fmt.Errorf("%w: grant, signature and records are required", ErrBadProof)
	}
	if len(raw.Records) > MaxProofRecords {
		return ProofFile{}, fmt.Errorf("%w: %d records, at most %d", ErrBadProof, len(raw.Records), MaxProofRecords)
	}
	p := ProofFile{ChainID: raw.ChainID, Registry: raw.Registry, Signature: raw.Signature, Card: raw.Card, Network: raw.Network}
	if raw.Delegation != nil {
		// Its form only: the signature is the receiver's check to report.
		var d SignedDelegationScope
		if len(raw.Delegation) > MaxDelegationScopeSize {
			return ProofFile{}, fmt.Errorf("%w: delegation: %d bytes, at most %d", ErrBadProof, len(raw.Delegation), MaxDelegationScopeSize)
		}
		if err := decodeSignedScope(raw.Delegation, &d); err != nil {
			return ProofFile{}, fmt.Errorf("%w: delegation: %v", ErrBadProof, err)
		}
		p.Delegation = &d
	}
	if err := json.Unmarshal(raw.Grant, &p.Grant); err != nil {
		return ProofFile{}, fmt.Errorf("%w: grant: %w", ErrBadProof, err)
	}
	p.Records = make([]RecordProof, len(raw.Records))
	for i, rr := range raw.Records {
		var r recordProofJSON
		if err := strictDecode(rr, &r, "index", "resourceRef", "salt", "contentHash", "commitment", "anchorRoot", "anchorProof"); err != nil {
			return ProofFile{}, fmt.Errorf("%w: record %d: %v", ErrBadProof, i, err)
		}
		if r.Index == nil || r.Salt == nil || r.ContentHash == nil || r.Commitment == nil || r.AnchorRoot == nil || r.AnchorProof == nil {
			return ProofFile{}, fmt.Errorf("%w: record %d: index, salt, contentHash, commitment, anchorRoot and anchorProof are required", ErrBadProof, i)
		}
		var ap merkle.Proof
		if err := json.Unmarshal(r.AnchorProof, &ap); err != nil {
			return ProofFile{}, fmt.Errorf("%w: record %d: %w", ErrBadProof, i, err)
		}
		p.Records[i] = RecordProof{Index: *r.Index, ResourceRef: r.ResourceRef, Salt: *r.Salt, ContentHash: *r.ContentHash,
			Commitment: *r.Commitment, AnchorRoot: *r.AnchorRoot, AnchorProof: ap}
	}
	if err := p.check(); err != nil {
		return ProofFile{}, err
	}
	return p, nil
}
