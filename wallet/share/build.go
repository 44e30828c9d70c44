package share

import (
	"bytes"
	"crypto/ecdsa"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math/big"
	"slices"
	"time"

	"github.com/ethereum/go-ethereum/common"
	"github.com/ethereum/go-ethereum/crypto"

	"healthwallet/chain/contracts"
	"healthwallet/chain/merkle"
)

// SharedRecord is one record version to share, as the wallet holds it.
type SharedRecord struct {
	// Resource is the FHIR resource's original JSON.
	Resource json.RawMessage
	// Salt is the salt of the record version's commitment.
	Salt [32]byte
	// AnchorRoot and AnchorProof place the commitment in an anchored batch.
	AnchorRoot  [32]byte
	AnchorProof merkle.Proof
	// Attachment, when set, opens the file a DocumentReference keeps: it
	// travels in the share as the data of the resource's attachment that
	// has the SHA-256 extension (see attachment.go). The commitment stays
	// over Resource, without the data.
	Attachment func() (io.ReadCloser, error)
}

// ShareRequest is what [BuildShare] needs to make a share's files.
type ShareRequest struct {
	Records []SharedRecord
	// Key is the link's key (see [NewKey]); the grant is bound to it.
	Key [32]byte
	// Patient whose records these are; Signer signs the grant and must be
	// the patient's key or a SHARE delegate's.
	Patient common.Address
	Signer  *ecdsa.PrivateKey
	// Recipient is the recipient card's SharingKeyHash, or zero for anyone
	// holding the link.
	Recipient common.Hash
	// PurposeCode is an HL7 PurposeOfUse code (see [Purposes]).
	PurposeCode string
	// NotBefore (zero: now) and Expiry bound the grant.
	NotBefore, Expiry time.Time
	// ChainID and Registry are the chain and HealthRegistry the grant is for.
	ChainID  *big.Int
	Registry common.Address
	// Card is the patient's identity card (hwcard:…) and Network the
	// network the share is made on (nil: a plain chain); both ride in the
	// proof file so the receiver can name the patient and the network.
	Card    string
	Network *NetworkRef
	// Delegation is, when Signer is a delegate's key (a caregiver sharing
	// for the patient), the scope document the patient signed for that
	// delegate; it rides in the proof file. BuildShare refuses records
	// outside it, before anything is signed.
	Delegation *SignedDelegationScope
	// Document, when set, makes the FHIR file a document Bundle (an IPS:
	// the first record its Composition) instead of a collection.
	Document *DocumentBundle
}

// DocumentBundle is what a FHIR document Bundle holds besides its
// resources: its identifier (an absolute URI, e.g. urn:uuid:…), its
// timestamp, and each entry's fullUrl, in the records' order.
type DocumentBundle struct {
	Identifier string
	Timestamp  time.Time
	FullURLs   []string
}

// BundleJSON writes resources (compact JSON) as a FHIR Bundle: a
// collection, or the document doc describes.
func BundleJSON(doc *DocumentBundle, resources [][]byte) ([]byte, error) {
	var b bytes.Buffer
	if doc == nil {
		b.WriteString(`{"resourceType":"Bundle","type":"collection","entry":[`)
	} else {
		if len(doc.FullURLs) != len(resources) {
			return nil, fmt.Errorf("share: a document of %d resources with %d fullUrls", len(resources), len(doc.FullURLs))
		}
		head, err := json.Marshal(map[string]any{
			"system": "urn:ietf:rfc:3986", "value": doc.Identifier,
		})
		if err != nil {
			return nil, err
		}
		ts, _ := json.Marshal(doc.Timestamp.UTC().Format(time.RFC3339))
		b.WriteString(`{"resourceType":"Bundle","type":"document","identifier":`)
		b.Write(head)
		b.WriteString(`,"timestamp":`)
		b.Write(ts)
		b.WriteString(`,"entry":[`)
	}
	for i, r := range resources {
		if i > 0 {
			b.WriteByte(',')
		}
		b.WriteByte('{')
		if doc != nil {
			u, _ := json.Marshal(doc.FullURLs[i])
			b.WriteString(`"fullUrl":`)
			b.Write(u)
			b.WriteByte(',')
		}
		b.WriteString(`"resource":`)
		b.Write(r)
		b.WriteByte('}')
	}
	b.WriteString(`]}`)
	return b.Bytes(), nil
}

// EncryptedFile is one file of a share, ready for the relay.
type EncryptedFile struct {
	ContentType string
	JWE         string
}

// Share is a share's grant and files. The caller uploads Files, issues
// Digest on chain until Grant.Expiry, and hands out the link.
type Share struct {
	Grant     Grant
	Digest    common.Hash
	Signature []byte
	// Bundle is the FHIR Bundle (type collection, or the document) of all
	// the records, in order; Proof the proof file. Both in plaintext, for
	// the sharer's own records.
	Bundle []byte
	Proof  []byte
	// Bundles are the FHIR files the records are sent in: Bundle itself, or
	// when it is larger than [MaxInflatedFile] the records cut into several
	// collection Bundles, in order (see [SplitBundles]). Records that carry
	// a file (SharedRecord.Attachment) carry it here; a record whose file
	// makes it larger than MaxInflatedFile is sent alone in a file of its
	// own, after these, which is not kept in plaintext (only in Files).
	Bundles [][]byte
	// Files are Bundles then Proof, each encrypted with the link's key.
	Files []EncryptedFile
}

// BuildShare assembles a share: FHIR Bundles of the records, the grant
// (scope = Merkle root of the records' commitments, grantId bound to the
// link's key), its signature, the proof file, and all the files encrypted
// under the link's key, each of which a viewer using jose at its defaults
// opens (see files.go). It checks every record's commitment against its
// anchor proof, so a share never carries a proof that would fail.
func BuildShare(req ShareRequest) (*Share, error) {
	if len(req.Records) == 0 {
		return nil, errors.New("share: nothing to share: choose at least one record")
	}
	if len(req.Records) > MaxProofRecords {
		return nil, fmt.Errorf("share: %d records, at most %d in one share", len(req.Records), MaxProofRecords)
	}
	if req.Signer == nil {
		return nil, errors.New("share: no signing key")
	}
	if req.ChainID == nil || !req.ChainID.IsUint64() || req.ChainID.Sign() <= 0 {
		return nil, errors.New("share: the chain id must be a positive 64-bit number")
	}
	purpose, err := PurposeHash(req.PurposeCode)
	if err != nil {
		return nil, fmt.Errorf("share: %w", err)
	}
	notBefore := req.NotBefore
	if notBefore.IsZero() {
		notBefore = time.Now()
	}
	if !req.Expiry.After(notBefore) {
		return nil, fmt.Errorf("share: the expiry %s is not after the start %s", req.Expiry.Format(time.RFC3339), notBefore.Format(time.RFC3339))
	}

	if err := checkDelegation(req); err != nil {
		return nil, err
	}
	if req.Document != nil && slices.ContainsFunc(req.Records, func(r SharedRecord) bool { return r.Attachment != nil }) {
		return nil, errors.New("share: a document Bundle does not carry files: share the documents apart")
	}
	records, large := orderForFiles(req.Records)
	proof := ProofFile{ChainID: req.ChainID.Uint64(), Registry: req.Registry, Card: req.Card, Network: req.Network,
		Delegation: req.Delegation}
	compacts := make([][]byte, 0, len(records))
	for i, r := range records {
		var compact bytes.Buffer
		if err := json.Compact(&compact, r.Resource); err != nil {
			return nil, fmt.Errorf("share: record %d is not JSON: %w", i, err)
		}
		ch, cm, err := RecordCommitment(compact.Bytes(), r.Salt)
		if err != nil {
			return nil, fmt.Errorf("share: record %d: %w", i, err)
		}
		if !merkle.Verify(r.AnchorRoot, cm, r.AnchorProof) {
			return nil, fmt.Errorf("share: record %d: its anchor proof does not lead from its commitment to root %x: the record or its salt changed since it was anchored", i, r.AnchorRoot)
		}
		compacts = append(compacts, compact.Bytes())
		proof.Records = append(proof.Records, RecordProof{
			Index: i, ResourceRef: resourceRef(compact.Bytes()), Salt: r.Salt, ContentHash: ch, Commitment: cm,
			AnchorRoot: r.AnchorRoot, AnchorProof: r.AnchorProof,
		})
	}
	bundle, err := BundleJSON(req.Document, compacts)
	if err != nil {
		return nil, err
	}
	small := len(records) - large
	sent, err := withSmallAttachments(records[:small], compacts[:small])
	if err != nil {
		return nil, err
	}
	bundles := [][]byte{bundle}
	if attached(records) {
		if bundles, err = smallBundles(req.Document, sent, MaxShareFiles-1-large); err != nil {
			return nil, err
		}
	} else if len(bundle) > MaxInflatedFile {
		// One file is kept for the proof.
		if bundles, err = SplitBundles(req.Document, compacts, MaxShareFiles-1); err != nil {
			return nil, err
		}
	}

	g := Grant{
		GrantID:   GrantID(req.Key),
		Patient:   req.Patient,
		Issuer:    crypto.PubkeyToAddress(req.Signer.PublicKey),
		Recipient: req.Recipient,
		Scope:     proof.ScopeRoot(),
		Purpose:   purpose,
		NotBefore: uint64(max(notBefore.Unix(), 0)),
		Expiry:    uint64(max(req.Expiry.Unix(), 0)),
	}
	digest, err := g.Digest(req.ChainID, req.Registry)
	if err != nil {
		return nil, fmt.Errorf("share: %w", err)
	}
	sig, err := SignGrant(g, req.Signer, req.ChainID, req.Registry)
	if err != nil {
		return nil, fmt.Errorf("share: %w", err)
	}
	proof.Grant, proof.Signature = g, sig
	proofJSON, err := proof.Marshal()
	if err != nil {
		return nil, fmt.Errorf("share: %w", err)
	}
	s := &Share{Grant: g, Digest: digest, Signature: sig, Bundle: bundle, Bundles: bundles, Proof: proofJSON}
	if s.Files, err = EncryptFiles(req.Key, bundles, ContentTypeProof, proofJSON); err != nil {
		return nil, err
	}
	if large > 0 {
		alone, err := encryptAlone(req.Key, records[small:], compacts[small:], small)
		if err != nil {
			return nil, err
		}
		// Before the proof file, which stays last.
		s.Files = slices.Insert(s.Files, len(s.Files)-1, alone...)
	}
	return s, nil
}

// checkDelegation refuses a delegate's share the patient's scope document
// does not allow: it must be the patient's, for the signing key, with
// SHARE, lasting as long as the share, and cover every record. (A share
// signed by another key without one is built, as forgeries are in tests;
// every receiver refuses it.)
func checkDelegation(req ShareRequest) error {
	d := req.Delegation
	if d == nil {
		return nil
	}
	signer := crypto.PubkeyToAddress(req.Signer.PublicKey)
	patient, err := d.Verify()
	switch {
	case err != nil:
		return fmt.Errorf("share: %w", err)
	case patient != req.Patient:
		return fmt.Errorf("share: the delegation is from %s, not from the patient %s", patient.Hex(), req.Patient.Hex())
	case d.Scope.Delegate != signer:
		return fmt.Errorf("share: the delegation is for %s, not for the signing key %s", d.Scope.Delegate.Hex(), signer.Hex())
	case d.Scope.RightsMask()&contracts.RightShare == 0:
		return errors.New("share: the patient did not give this delegate the right to share")
	case uint64(max(req.Expiry.Unix(), 0)) > d.Scope.Expiry:
		return fmt.Errorf("share: the share would outlive the delegation, which ends on %s: choose a shorter time", d.Scope.Expires().Format(time.RFC1123))
	}
	var outside []string
	for i, r := range req.Records {
		if !d.Scope.CoversResource(r.Resource) {
			outside = append(outside, fmt.Sprintf("record %d (%s)", i, describeResource(r.Resource)))
		}
	}
	if len(outside) > 0 {
		return fmt.Errorf("share: %w: %s", ErrOutsideScope, joinFirst(outside, 5))
	}
	return nil
}

// ErrOutsideScope: a delegate chose records the patient's scope does not
// cover; nothing was signed.
var ErrOutsideScope = errors.New("records outside what the patient lets the delegate see")

// resourceRef returns "Type/id" of a FHIR resource, or "" without an id.
func resourceRef(resource []byte) string {
	var r struct {
		ResourceType string `json:"resourceType"`
		ID           string `json:"id"`
	}
	if json.Unmarshal(resource, &r) != nil || r.ResourceType == "" || r.ID == "" {
		return ""
	}
	if ref := r.ResourceType + "/" + r.ID; len(ref) <= maxResourceRef {
		return ref
	}
	return ""
}
