package care

import (
	"bytes"
	"context"
	"crypto/ecdsa"
	"encoding/json"
	"errors"
	"fmt"
	"math/big"
	"net/http"
	"time"

	"github.com/ethereum/go-ethereum/common"
	"github.com/ethereum/go-ethereum/common/hexutil"
	"github.com/ethereum/go-ethereum/crypto"

	"healthwallet/chain/merkle"
	"healthwallet/wallet/share"
)

// ContentTypeCareProof is the content type of a care copy's proof file.
const ContentTypeCareProof = "application/vnd.healthwallet.care-proof+json"

// PurposeCare is the PurposeOfUse a caregiver's fetches state: care
// management.
const PurposeCare = "CAREMGT"

const copyProofVersion = 1

// ErrBadCopyProof is wrapped by every error of [ParseCopyProof].
var ErrBadCopyProof = errors.New("invalid care proof")

// Names of the checks [VerifyCopy] runs, in order. Each refusal names its
// check, so the caregiver (and a test) can tell which one refused.
const (
	CheckCopyFiles        = "copy holds its record bundles and one care proof"
	CheckCopyProof        = "care proof readable"
	CheckCopyChain        = "chain and registry of the invitation"
	CheckScopeSigned      = "scope signed by the patient"
	CheckDelegationActive = "delegation active on chain"
	CheckScopeOnChain     = "scope committed on chain"
	CheckCommitments      = share.CheckCommitments
	CheckAnchored         = share.CheckAnchored
	CheckRecordsCommitted = "every record of the copy committed"
	CheckInScope          = "records in the delegation's scope"
)

// ErrCopyRefused is wrapped by every refusal of [VerifyCopy]: a
// [*CopyError] names the check.
var ErrCopyRefused = errors.New("the care copy did not verify")

// CopyError is a refusal of [VerifyCopy]: which check, and why.
type CopyError struct {
	Check  string
	Detail string
}

func (e *CopyError) Error() string {
	return fmt.Sprintf("%s: %s: %s", ErrCopyRefused, e.Check, e.Detail)
}

func (e *CopyError) Unwrap() error { return ErrCopyRefused }

func refuse(check, format string, args ...any) error {
	return &CopyError{Check: check, Detail: fmt.Sprintf(format, args...)}
}

// CopyProof is the care copy's proof file: the chain and registry of the
// delegation, the signed scope, for each record of the Bundle (in order) its
// commitment's salt and anchor proof, and optionally the chain grant key of
// the patient's emergency card (chain.GrantKey(patient, digest)), so a
// caregiver can watch the chain for break-glass openings. The grant key is
// public on chain (every AccessLogged event names it) and opens nothing: the
// copy never carries the card's link key, which would let a caregiver open
// the card. It carries no health data.
type CopyProof struct {
	ChainID  uint64
	Registry common.Address
	Scope    SignedScope
	Records  []share.RecordProof
	// EmergencyGrantKey is the emergency card's chain grant key; zero when
	// the patient has no card.
	EmergencyGrantKey common.Hash
	Updated           time.Time
}

type copyProofJSON struct {
	V                 int               `json:"v"`
	ChainID           uint64            `json:"chainId"`
	Registry          common.Address    `json:"registry"`
	Scope             SignedScope       `json:"scope"`
	Records           []recordProofJSON `json:"records"`
	EmergencyGrantKey common.Hash       `json:"emergencyGrantKey,omitzero"`
	// LegacyEmergencyKey is what builds before the grant key wrote: the
	// card's link key. It is read (32 bytes, else the proof is refused) and
	// dropped, never written.
	LegacyEmergencyKey hexutil.Bytes `json:"emergencyKey,omitempty"`
	Updated            int64         `json:"updated"`
}

type recordProofJSON struct {
	Index       int          `json:"index"`
	ResourceRef string       `json:"resourceRef,omitempty"`
	Salt        common.Hash  `json:"salt"`
	ContentHash common.Hash  `json:"contentHash"`
	Commitment  common.Hash  `json:"commitment"`
	AnchorRoot  common.Hash  `json:"anchorRoot"`
	AnchorProof merkle.Proof `json:"anchorProof"`
}

// check is what Marshal and ParseCopyProof enforce beyond the JSON shape.
func (p CopyProof) check() error {
	switch {
	case p.ChainID == 0:
		return fmt.Errorf("%w: chainId is zero", ErrBadCopyProof)
	case p.Registry == (common.Address{}):
		return fmt.Errorf("%w: registry is the zero address", ErrBadCopyProof)
	case len(p.Records) > share.MaxProofRecords:
		return fmt.Errorf("%w: %d records, at most %d", ErrBadCopyProof, len(p.Records), share.MaxProofRecords)
	}
	for i, r := range p.Records {
		switch {
		case r.Index != i:
			return fmt.Errorf("%w: record %d says it is Bundle entry %d: records are listed in Bundle order", ErrBadCopyProof, i, r.Index)
		case r.Commitment != merkle.Commit(r.Salt, r.ContentHash):
			return fmt.Errorf("%w: record %d: the commitment is not Commit(salt, contentHash)", ErrBadCopyProof, i)
		case r.AnchorRoot == (common.Hash{}):
			return fmt.Errorf("%w: record %d: anchorRoot is zero", ErrBadCopyProof, i)
		}
		if err := r.AnchorProof.Check(); err != nil {
			return fmt.Errorf("%w: record %d: %w", ErrBadCopyProof, i, err)
		}
	}
	return nil
}

// Marshal encodes the care proof as JSON, refusing one ParseCopyProof would.
func (p CopyProof) Marshal() ([]byte, error) {
	if err := p.check(); err != nil {
		return nil, err
	}
	out := copyProofJSON{V: copyProofVersion, ChainID: p.ChainID, Registry: p.Registry, Scope: p.Scope,
		EmergencyGrantKey: p.EmergencyGrantKey, Updated: p.Updated.Unix(), Records: make([]recordProofJSON, len(p.Records))}
	for i, r := range p.Records {
		out.Records[i] = recordProofJSON{Index: r.Index, ResourceRef: r.ResourceRef, Salt: r.Salt, ContentHash: r.ContentHash,
			Commitment: r.Commitment, AnchorRoot: r.AnchorRoot, AnchorProof: r.AnchorProof}
	}
	b, err := json.Marshal(out)
	if err != nil {
		return nil, fmt.Errorf("%w: %v", ErrBadCopyProof, err)
	}
	return b, nil
}

// ParseCopyProof reads a care proof strictly: at most share.MaxProofSize
// bytes, version 1, no unknown fields, records in Bundle order with
// well-formed anchor proofs and commitments equal to Commit(salt,
// contentHash). The scope's signature is checked by [VerifyCopy], not here.
// Errors wrap [ErrBadCopyProof].
func ParseCopyProof(data []byte) (CopyProof, error) {
	if len(data) > share.MaxProofSize {
		return CopyProof{}, fmt.Errorf("%w: %d bytes, at most %d", ErrBadCopyProof, len(data), share.MaxProofSize)
	}
	var raw copyProofJSON
	if err := strictDecode(data, &raw); err != nil {
		return CopyProof{}, fmt.Errorf("%w: %v", ErrBadCopyProof, err)
	}
	if raw.V != copyProofVersion {
		return CopyProof{}, fmt.Errorf("%w: version %d; this app reads version %d (update it)", ErrBadCopyProof, raw.V, copyProofVersion)
	}
	if raw.LegacyEmergencyKey != nil && len(raw.LegacyEmergencyKey) != 32 {
		return CopyProof{}, fmt.Errorf("%w: the (old) emergency key is %d bytes, not 32", ErrBadCopyProof, len(raw.LegacyEmergencyKey))
	}
	if raw.Updated < 0 || raw.Updated > 1<<40 {
		return CopyProof{}, fmt.Errorf("%w: the update time is out of range", ErrBadCopyProof)
	}
	p := CopyProof{ChainID: raw.ChainID, Registry: raw.Registry, Scope: raw.Scope, EmergencyGrantKey: raw.EmergencyGrantKey,
		Updated: time.Unix(raw.Updated, 0).UTC(), Records: make([]share.RecordProof, len(raw.Records))}
	for i, r := range raw.Records {
		p.Records[i] = share.RecordProof{Index: r.Index, ResourceRef: r.ResourceRef, Salt: r.Salt, ContentHash: r.ContentHash,
			Commitment: r.Commitment, AnchorRoot: r.AnchorRoot, AnchorProof: r.AnchorProof}
	}
	if err := p.check(); err != nil {
		return CopyProof{}, err
	}
	return p, nil
}

// CopyRequest is what [BuildCopy] needs: the records in scope with their
// salts and anchor proofs, the signed scope, the copy link's key, the
// delegation's chain and registry.
type CopyRequest struct {
	Records  []share.SharedRecord
	Scope    SignedScope
	Key      [32]byte
	ChainID  uint64
	Registry common.Address
	// EmergencyGrantKey is the emergency card's chain grant key (optional):
	// never its link key.
	EmergencyGrantKey common.Hash
	Updated           time.Time
}

// BuiltCopy is a care copy's files: in plaintext (Bundle, Proof) and
// encrypted with the link's key (Files: Bundles, then Proof), ready for the
// relay. Bundle holds all the records; Bundles is Bundle itself, or when it
// is larger than share.MaxInflatedFile the records cut into several Bundles
// (share.SplitBundles), so that every file opens in viewers using jose.
type BuiltCopy struct {
	Bundle  []byte
	Bundles [][]byte
	Proof   []byte
	Files   []share.EncryptedFile
	// Digest identifies the copy's content (the records' commitments, the
	// scope, the emergency grant key): when it is unchanged, the copy need not be
	// uploaded again.
	Digest common.Hash
}

// BuildCopy assembles a care copy: FHIR collection Bundles of the records
// (one, or several when large) and the care proof, all encrypted (JWE, as a
// share's files) with the copy link's key. It refuses a scope that does not verify, a record outside
// the scope, and a record whose anchor proof does not lead from its
// commitment to its root — so a copy never carries what [VerifyCopy] would
// refuse. An empty copy (no record in scope yet) is allowed.
func BuildCopy(req CopyRequest) (*BuiltCopy, error) {
	if _, err := req.Scope.Verify(); err != nil {
		return nil, fmt.Errorf("care: building the copy: %w", err)
	}
	if req.Updated.IsZero() {
		req.Updated = time.Now()
	}
	proof := CopyProof{ChainID: req.ChainID, Registry: req.Registry, Scope: req.Scope, EmergencyGrantKey: req.EmergencyGrantKey, Updated: req.Updated}
	compacts := make([][]byte, 0, len(req.Records))
	for i, r := range req.Records {
		var compact bytes.Buffer
		if err := json.Compact(&compact, r.Resource); err != nil {
			return nil, fmt.Errorf("care: record %d is not JSON: %w", i, err)
		}
		if !req.Scope.Scope.CoversResource(compact.Bytes()) {
			return nil, fmt.Errorf("care: record %d (%s) is outside the delegation's scope", i, describe(compact.Bytes()))
		}
		ch, cm, err := share.RecordCommitment(compact.Bytes(), r.Salt)
		if err != nil {
			return nil, fmt.Errorf("care: record %d: %w", i, err)
		}
		if !merkle.Verify(r.AnchorRoot, cm, r.AnchorProof) {
			return nil, fmt.Errorf("care: record %d: its anchor proof does not lead from its commitment to root %x: the record or its salt changed since it was anchored", i, r.AnchorRoot)
		}
		compacts = append(compacts, compact.Bytes())
		proof.Records = append(proof.Records, share.RecordProof{Index: i, ResourceRef: ref(compact.Bytes()), Salt: r.Salt,
			ContentHash: ch, Commitment: cm, AnchorRoot: r.AnchorRoot, AnchorProof: r.AnchorProof})
	}
	bundle, err := share.BundleJSON(nil, compacts)
	if err != nil {
		return nil, fmt.Errorf("care: %w", err)
	}
	bundles := [][]byte{bundle}
	if len(bundle) > share.MaxInflatedFile {
		// One file is kept for the care proof.
		if bundles, err = share.SplitBundles(nil, compacts, share.MaxShareFiles-1); err != nil {
			return nil, fmt.Errorf("care: %w", err)
		}
	}
	proofJSON, err := proof.Marshal()
	if err != nil {
		return nil, fmt.Errorf("care: %w", err)
	}
	out := &BuiltCopy{Bundle: bundle, Bundles: bundles, Proof: proofJSON, Digest: contentDigest(proof)}
	if out.Files, err = share.EncryptFiles(req.Key, bundles, ContentTypeCareProof, proofJSON); err != nil {
		return nil, fmt.Errorf("care: %w", err)
	}
	return out, nil
}

// contentDigest hashes what a copy says, without its update time.
func contentDigest(p CopyProof) common.Hash {
	h, _ := p.Scope.Scope.Hash()
	parts := [][]byte{[]byte("HealthWallet care copy content v1"), h[:], p.Scope.Signature}
	if p.EmergencyGrantKey != (common.Hash{}) {
		parts = append(parts, []byte("emergency grant"), p.EmergencyGrantKey[:])
	}
	for _, r := range p.Records {
		parts = append(parts, r.Commitment[:], r.AnchorRoot[:])
	}
	return crypto.Keccak256Hash(parts...)
}

// ref is "Type/id" of a resource, or "".
func ref(raw []byte) string {
	var r struct {
		ResourceType string `json:"resourceType"`
		ID           string `json:"id"`
	}
	if json.Unmarshal(raw, &r) != nil || r.ResourceType == "" || r.ID == "" || len(r.ResourceType)+len(r.ID) > 255 {
		return ""
	}
	return r.ResourceType + "/" + r.ID
}

// describe names a resource for a message.
func describe(raw []byte) string {
	if r := ref(raw); r != "" {
		return r
	}
	var v struct {
		ResourceType string `json:"resourceType"`
	}
	if json.Unmarshal(raw, &v) == nil && v.ResourceType != "" {
		return "a " + printable(v.ResourceType)
	}
	return "a record"
}

// Expectation is what the caregiver knows independently of a care copy —
// from the invitation ([Invitation.Expect]): the copy must be for this
// chain, registry, patient and delegate.
type Expectation struct {
	ChainID  uint64
	Registry common.Address
	Patient  common.Address
	Delegate common.Address
}

// Copy is a care copy as fetched: its link and decrypted files. Set Expect
// (from the invitation) before [VerifyCopy]; a Copy without it is refused.
type Copy struct {
	Link   share.Link
	Files  []share.File
	Expect Expectation
}

// FetchCopy fetches the care copy behind link (shlink:/…), stating who is
// fetching (shown in the patient's access log) and the purpose CAREMGT. Once
// the delegation has ended the relay answers 404: the error then wraps
// share.ErrNoLongerAvailable. hc nil means a client with a 60 s timeout.
func FetchCopy(ctx context.Context, hc *http.Client, link string, who string) (Copy, error) {
	l, err := share.ParseLink(link)
	if err != nil {
		return Copy{}, fmt.Errorf("care: the care copy's link: %w", err)
	}
	m, err := share.Fetch(ctx, l, share.FetchOptions{Recipient: who, Purpose: PurposeCare, HTTP: hc})
	if err != nil {
		return Copy{}, fmt.Errorf("care: fetching the care copy: %w", err)
	}
	return Copy{Link: l, Files: m.Files}, nil
}

// VerifiedRecord is one record of a verified copy with its proof.
type VerifiedRecord struct {
	Resource json.RawMessage
	Proof    share.RecordProof
}

// VerifiedCopy is a care copy that passed every check.
type VerifiedCopy struct {
	Scope      Scope
	Signed     SignedScope
	Patient    common.Address
	Delegation share.DelegateStatus
	Records    []VerifiedRecord
	// EmergencyGrantKey is the patient's emergency card grant key (zero
	// when none): the caregiver watches its AccessLogged events.
	EmergencyGrantKey common.Hash
	Updated           time.Time
	ChainID           uint64
	Registry          common.Address
	// Checks are the checks run, each passed.
	Checks []share.Check
}

// Expires is the delegation's expiry on chain.
func (v VerifiedCopy) Expires() time.Time { return time.Unix(int64(v.Delegation.Expiry), 0).UTC() }

// VerifyCopy checks a fetched care copy against the chain: it holds exactly
// one FHIR Bundle and one care proof; the proof is for the expected chain and
// registry; the scope is signed by the expected patient and names the
// expected delegate; the delegation is active on chain with the scope's
// rights and its scope hash; every record's commitment is recomputed and in
// a batch the patient anchored; every record is inside the scope. Any other
// copy is refused with a [*CopyError] naming the check.
func VerifyCopy(ctx context.Context, c Copy, chain share.ChainReader) (VerifiedCopy, error) {
	var v VerifiedCopy
	pass := func(name, format string, args ...any) {
		v.Checks = append(v.Checks, share.Check{Name: name, OK: true, Detail: fmt.Sprintf(format, args...)})
	}
	e := c.Expect
	if e.ChainID == 0 || e.Registry == (common.Address{}) || e.Patient == (common.Address{}) || e.Delegate == (common.Address{}) {
		return v, refuse(CheckCopyChain, "nothing to check the copy against: set Copy.Expect from the invitation")
	}
	if chain == nil {
		return v, refuse(CheckCopyChain, "no chain to check the copy against")
	}

	var bundles, proofs [][]byte
	for i, f := range c.Files {
		switch f.ContentType {
		case share.ContentTypeFHIR:
			bundles = append(bundles, f.Plaintext)
		case ContentTypeCareProof:
			proofs = append(proofs, f.Plaintext)
		default:
			return v, refuse(CheckCopyFiles, "file %d has content type %q, which a care copy does not hold: files were added", i, printable(f.ContentType))
		}
	}
	if len(bundles) == 0 || len(proofs) != 1 {
		return v, refuse(CheckCopyFiles, "%d record bundle(s) and %d care proof(s), want at least one and exactly one: files were added or removed", len(bundles), len(proofs))
	}

	// A large copy's records come in several Bundles (BuildCopy): their
	// entries, in file order, are the proof's records. Only the one Bundle
	// of an empty copy is empty, so a file added by the relay is refused
	// here or as a record the proof does not hold.
	var (
		entries  []json.RawMessage
		badFiles error
	)
	for i, b := range bundles {
		e, err := bundleEntries(b)
		if err != nil {
			badFiles = errors.Join(badFiles, fmt.Errorf("record bundle %d: %v", i+1, err))
			continue
		}
		if len(e) == 0 && len(bundles) > 1 {
			return v, refuse(CheckCopyFiles, "record bundle %d of %d is empty: files were added", i+1, len(bundles))
		}
		entries = append(entries, e...)
	}
	pass(CheckCopyFiles, "%d record bundle(s)", len(bundles))

	proof, err := ParseCopyProof(proofs[0])
	if err != nil {
		return v, refuse(CheckCopyProof, "%v", err)
	}
	if badFiles != nil {
		return v, refuse(CheckCopyProof, "%v", badFiles)
	}
	pass(CheckCopyProof, "%d record(s)", len(proof.Records))

	id, err := chain.ChainID(ctx)
	switch {
	case err != nil:
		return v, refuse(CheckCopyChain, "could not ask the chain its id (is the chain reachable?): %v", err)
	case id.Cmp(new(big.Int).SetUint64(e.ChainID)) != 0:
		return v, refuse(CheckCopyChain, "connected to chain %s, the delegation is on chain %d", id, e.ChainID)
	case proof.ChainID != e.ChainID || proof.Registry != e.Registry:
		return v, refuse(CheckCopyChain, "the copy is for chain %d registry %s, the invitation for chain %d registry %s", proof.ChainID, proof.Registry.Hex(), e.ChainID, e.Registry.Hex())
	}
	pass(CheckCopyChain, "chain %d, registry %s", e.ChainID, e.Registry.Hex())

	patient, err := proof.Scope.Verify()
	switch {
	case err != nil:
		return v, refuse(CheckScopeSigned, "%v", err)
	case patient != e.Patient:
		return v, refuse(CheckScopeSigned, "the scope is %s's, the invitation %s's", patient.Hex(), e.Patient.Hex())
	case proof.Scope.Scope.Delegate != e.Delegate:
		return v, refuse(CheckScopeSigned, "the scope is for delegate %s, not this wallet's %s", proof.Scope.Scope.Delegate.Hex(), e.Delegate.Hex())
	}
	scope := proof.Scope.Scope
	pass(CheckScopeSigned, "signed by %s", patient.Hex())

	d, err := chain.DelegateOf(ctx, patient, scope.Delegate)
	if err != nil {
		return v, refuse(CheckDelegationActive, "could not ask the chain (is it reachable?): %v", err)
	}
	switch {
	case d.Rights == 0 && d.Expiry == 0:
		return v, refuse(CheckDelegationActive, "the chain has no delegation from %s to %s: it was revoked, or is not on chain yet", patient.Hex(), scope.Delegate.Hex())
	case !d.Active:
		return v, refuse(CheckDelegationActive, "the delegation ended (revoked, or expired on %s)", time.Unix(int64(d.Expiry), 0).UTC().Format(time.RFC1123))
	case d.Rights != scope.RightsMask():
		return v, refuse(CheckDelegationActive, "the chain gives rights %d, the scope %d", d.Rights, scope.RightsMask())
	case d.Expiry != scope.Expiry:
		return v, refuse(CheckDelegationActive, "the chain's expiry %d is not the scope's %d", d.Expiry, scope.Expiry)
	}
	pass(CheckDelegationActive, "until %s", time.Unix(int64(d.Expiry), 0).UTC().Format(time.RFC1123))

	h, err := scope.Hash()
	if err != nil {
		return v, refuse(CheckScopeOnChain, "%v", err)
	}
	if d.Scope != h {
		return v, refuse(CheckScopeOnChain, "the chain commits the delegation to scope %s, the copy's scope is %s: it was altered, or is an older one", d.Scope.Hex(), h.Hex())
	}
	pass(CheckScopeOnChain, "%s", h.Hex())

	if len(entries) != len(proof.Records) {
		return v, refuse(CheckRecordsCommitted, "the record bundles hold %d record(s), the proof %d: records were added or removed", len(entries), len(proof.Records))
	}
	checks, unmatched := share.CheckRecords(ctx, chain, patient, entries, proof.Records)
	for _, ch := range checks {
		if !ch.OK {
			return v, refuse(ch.Name, "%s", ch.Detail)
		}
	}
	v.Checks = append(v.Checks, checks...)
	for i, why := range unmatched {
		if why != "" {
			return v, refuse(CheckRecordsCommitted, "%s: %s", describe(entries[i]), why)
		}
	}
	pass(CheckRecordsCommitted, "%d record(s)", len(entries))

	for i, raw := range entries {
		if !scope.CoversResource(raw) {
			return v, refuse(CheckInScope, "%s is outside the delegation's scope", describe(entries[i]))
		}
	}
	pass(CheckInScope, "%d record(s)", len(entries))

	v.Scope, v.Signed, v.Patient, v.Delegation = scope, proof.Scope, patient, d
	v.EmergencyGrantKey, v.Updated, v.ChainID, v.Registry = proof.EmergencyGrantKey, proof.Updated, proof.ChainID, proof.Registry
	// Each record goes with its proof by content, as CheckRecords matched
	// them: a relay that reordered the files changed only the records' order.
	byHash := map[common.Hash][]int{}
	for i, r := range proof.Records {
		byHash[r.ContentHash] = append(byHash[r.ContentHash], i)
	}
	for _, raw := range entries {
		ch, _, err := share.RecordCommitment(raw, [32]byte{})
		free := byHash[ch]
		if err != nil || len(free) == 0 {
			return v, refuse(CheckRecordsCommitted, "%s is not among the proof's records", describe(raw))
		}
		v.Records = append(v.Records, VerifiedRecord{Resource: raw, Proof: proof.Records[free[0]]})
		byHash[ch] = free[1:]
	}
	return v, nil
}

// bundleEntries returns the resources of a FHIR collection Bundle.
func bundleEntries(data []byte) ([]json.RawMessage, error) {
	var b struct {
		ResourceType string `json:"resourceType"`
		Entry        []struct {
			Resource json.RawMessage `json:"resource"`
		} `json:"entry"`
	}
	if err := json.Unmarshal(data, &b); err != nil {
		return nil, fmt.Errorf("not FHIR JSON: %v", err)
	}
	if b.ResourceType != "Bundle" {
		return nil, fmt.Errorf("not a FHIR Bundle (resourceType %q)", printable(b.ResourceType))
	}
	out := make([]json.RawMessage, len(b.Entry))
	for i, e := range b.Entry {
		if len(e.Resource) == 0 {
			return nil, fmt.Errorf("entry %d has no resource", i)
		}
		out[i] = e.Resource
	}
	return out, nil
}

// pubAddress is the address of k.
func pubAddress(k *ecdsa.PrivateKey) common.Address { return crypto.PubkeyToAddress(k.PublicKey) }
