package share

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"math/big"
	"strings"
	"time"

	"github.com/ethereum/go-ethereum/common"
	"github.com/ethereum/go-ethereum/crypto"

	"healthwallet/chain/contracts"
	"healthwallet/chain/merkle"
	"healthwallet/wallet/record"
)

// Names of the checks in a [Report], in the order they run. Each failure
// has its own name, so a caller (or a test) can tell which one refused.
const (
	CheckLinkWellFormed   = "link well-formed"
	CheckNotExpired       = "link not expired"
	CheckManifestFetched  = "manifest fetched"
	CheckFilesDecrypted   = "files decrypted"
	CheckRecordsReadable  = "records readable"
	CheckSHC              = "SMART Health Card signature valid"
	CheckSHCTrusted       = "SMART Health Card issuer trusted"
	CheckProofPresent     = "proof file present"
	CheckNetworkTrusted   = "network trusted"
	CheckChainID          = "chain id matches"
	CheckRegistry         = "registry matches"
	CheckSignature        = "signature recovers the issuer"
	CheckGrantBinding     = "grant bound to this link"
	CheckGrantPeriod      = "grant within its validity period"
	CheckGrantActive      = "grant active on chain"
	CheckIssuerAuthorized = "issuer authorized by the patient"
	CheckRecipient        = "recipient matches"
	CheckPatientCard      = "patient identity card"
	CheckCommitments      = "record commitments match"
	CheckScope            = "records in grant scope"
	CheckAnchored         = "records anchored on chain"
	CheckCovered          = "every record covered by the patient's consent"
	// The checks of a share a delegate made (Grant.Issuer is not the
	// patient), after CheckIssuerAuthorized and CheckScope.
	CheckDelegation        = "delegation scope signed by the patient and on chain"
	CheckDelegationRecords = "records in the delegation's scope"
)

// Sources of a share, for [Report.Source].
const (
	SourceHealthWallet = "healthwallet"
	SourceOther        = "other SHL issuer (not verifiable on chain)"
)

// Check is one verification step and its outcome.
type Check struct {
	Name   string `json:"name"`
	OK     bool   `json:"ok"`
	Detail string `json:"detail,omitempty"`
}

// Report is what a receiver learned from a link: every check with its
// result, the records, and who shared them for what and until when.
type Report struct {
	// Verified is true only for a Health Wallet share whose every check
	// passed. A share from another SHL issuer is never Verified (there is
	// nothing on chain to check it against), though its records are shown
	// and any SMART Health Card in it is checked.
	Verified bool    `json:"verified"`
	Source   string  `json:"source"`
	Label    string  `json:"label,omitempty"`
	Checks   []Check `json:"checks"`
	// Records are the FHIR resources shown as the share's content. For a
	// Health Wallet share, only those the patient's consent covers (see
	// Uncovered); for another issuer's, every resource received, one per
	// Bundle entry (or the resource itself when a file holds a single
	// resource), SMART Health Cards' bundles included once their signature
	// verifies.
	Records []json.RawMessage `json:"records"`
	// Patient and Issuer are the grant's, for a Health Wallet share.
	Patient common.Address `json:"patient"`
	Issuer  common.Address `json:"issuer"`
	// Expires is the grant's expiry, or else the link's; zero if neither.
	Expires time.Time `json:"expires"`
	// Purpose is the grant's PurposeOfUse code, e.g. "TREAT".
	Purpose string `json:"purpose,omitempty"`
	// Digest is the grant's EIP-712 digest, what the receiver passes to the
	// registry's logAccess.
	Digest common.Hash `json:"digest"`
	// Uncovered are, for a Health Wallet share, the records received that
	// the patient's consent does not cover (added by whoever served the
	// files, a second copy, a SMART Health Card's): shown apart, never
	// among Records, and the share is then not Verified.
	Uncovered []UncoveredRecord `json:"uncovered"`
	// Attachments are the files received with covered records (a PDF, a
	// photo a DocumentReference keeps), each checked against the size and
	// SHA-256 the patient's commitment covers; the records in Records are
	// without their data.
	Attachments []ReceivedAttachment `json:"attachments,omitempty"`
	// Cards are the SMART Health Cards that verified.
	Cards []Card `json:"cards,omitempty"`
	// PatientName is who the patient is: the name on the patient's signed
	// identity card, else the covered Patient resource's; PatientBirthDate
	// is the covered Patient resource's birth date (YYYY-MM-DD). Empty
	// when unknown. PatientWarning says when card and records disagree.
	PatientName      string `json:"patientName,omitempty"`
	PatientBirthDate string `json:"patientBirthDate,omitempty"`
	PatientWarning   string `json:"patientWarning,omitempty"`
	// Network is the network the share says it was made on (nil when it
	// names none); the receiver's trust is the "network trusted" check.
	Network *NetworkRef `json:"-"`
	// OnBehalf is set when a delegate (a caregiver) made the share for the
	// patient: who, and the delegation's rights, records and expiry as the
	// patient signed them. The CheckDelegation check says whether that
	// holds on chain.
	OnBehalf *OnBehalf `json:"onBehalf,omitempty"`
	// AnchoredAt is when the oldest batch of the shared records was
	// anchored, as the chain says; zero unless CheckAnchored passed.
	AnchoredAt time.Time `json:"anchoredAt,omitzero"`
}

// OnBehalf is the delegation under which a delegate shared the patient's
// records, as the patient's signed scope document states it.
type OnBehalf struct {
	// Delegate is the issuer: the caregiver's address for this patient.
	Delegate common.Address `json:"delegate"`
	// DelegateName and PatientName are the names the patient wrote in the
	// scope document.
	DelegateName string    `json:"delegateName,omitempty"`
	PatientName  string    `json:"patientName,omitempty"`
	Rights       []string  `json:"rights"`
	Types        []string  `json:"types,omitempty"`
	Categories   []string  `json:"categories,omitempty"`
	Expires      time.Time `json:"expires"`
}

// UncoveredRecord is a record received with a Health Wallet share that the
// patient's consent does not cover, and why.
type UncoveredRecord struct {
	Resource json.RawMessage `json:"resource"`
	// Source is where it came from: "file 2", "file 3 (a SMART Health Card
	// from https://issuer.example)".
	Source string `json:"source"`
	Reason string `json:"reason"`
}

// UncoveredResources are the resources of Uncovered, in order: what is
// exported apart from Records.
func (r Report) UncoveredResources() []json.RawMessage {
	out := make([]json.RawMessage, len(r.Uncovered))
	for i, u := range r.Uncovered {
		out[i] = u.Resource
	}
	return out
}

// Failed returns the checks that did not pass.
func (r Report) Failed() []Check {
	var out []Check
	for _, c := range r.Checks {
		if !c.OK {
			out = append(out, c)
		}
	}
	return out
}

// Find returns the first check named name.
func (r Report) Find(name string) (Check, bool) {
	for _, c := range r.Checks {
		if c.Name == name {
			return c, true
		}
	}
	return Check{}, false
}

// GrantStatus is the registry's grantOf.
type GrantStatus struct {
	Issuer, Patient common.Address
	Expiry          uint64
	Revoked, Active bool
}

// AnchorStatus is the registry's anchorOf; all zero when never anchored.
type AnchorStatus struct {
	Patient    common.Address
	AnchoredAt uint64
	Count      uint32
}

// DelegateStatus is the registry's delegateOf. Scope is the hash of the
// patient-signed scope document the delegation commits to.
type DelegateStatus struct {
	Rights uint8
	Expiry uint64
	Scope  common.Hash // keccak hash of the scope document the patient signed
	Active bool
}

// ChainReader is what verification asks of the chain: one HealthRegistry's
// views. [NewChainReader] is the real one; tests hand in a fake. Errors are
// failures to ask (the node is down), never "not found", which is the zero
// status.
type ChainReader interface {
	ChainID(ctx context.Context) (*big.Int, error)
	// GrantOf and AnchorOf read the patient's grant and anchor: the
	// registry keys them by patient, so another's copy is not the patient's.
	GrantOf(ctx context.Context, patient common.Address, digest common.Hash) (GrantStatus, error)
	AnchorOf(ctx context.Context, patient common.Address, root common.Hash) (AnchorStatus, error)
	DelegateOf(ctx context.Context, patient, delegate common.Address) (DelegateStatus, error)
}

// VerifyInput is what [Verify] checks.
type VerifyInput struct {
	// Link is the link that was opened, and Files what it resolved to.
	Link  Link
	Files []File
	// Now is the time to judge expiries by; zero means time.Now().
	Now time.Time
	// Chain is the registry to check grants and anchors against; nil
	// fails the chain checks.
	Chain ChainReader
	// ExpectChainID and ExpectRegistry are the chain and registry this
	// receiver trusts; a share made for another is refused. ExpectChainID
	// nil means Chain's own chain id.
	ExpectChainID  *big.Int
	ExpectRegistry common.Address
	// RecipientKeyHash is the receiver's identity.Card.SharingKeyHash, for
	// shares addressed to a specific recipient; zero if it has none.
	RecipientKeyHash common.Hash
	// CardKeys resolves SMART Health Card issuers' keys; nil fails any card.
	CardKeys IssuerKeyResolver
	// CardTrust is the receiver's list of trusted card issuers: it names a
	// trusted issuer. Nil: the receiver trusts none, and says so in the
	// "SMART Health Card issuer trusted" check of each card whose signature
	// holds.
	CardTrust func(iss string) (name string, trusted bool)
	// Trust, when set, is the receiver's verdict on the network the share
	// was made on (see [ProofOf]), added as the "network trusted" check
	// after the proof's: a failed one leaves Chain nil and the share not
	// Verified.
	Trust *Check
}

type reporter struct{ r Report }

func (p *reporter) add(name string, ok bool, format string, args ...any) bool {
	p.r.Checks = append(p.r.Checks, Check{Name: name, OK: ok, Detail: fmt.Sprintf(format, args...)})
	return ok
}

// linkChecks runs the first two checks; false means stop.
func (p *reporter) linkChecks(l Link, now time.Time) bool {
	p.r.Label = l.Label
	if !l.Exp.IsZero() {
		p.r.Expires = l.Exp
	}
	if err := checkParsedLink(l); err != nil {
		p.add(CheckLinkWellFormed, false, "%v", err)
		return false
	}
	p.add(CheckLinkWellFormed, true, "")
	if l.Exp.IsZero() {
		return p.add(CheckNotExpired, true, "the link states no expiry")
	}
	if l.Expired(now) {
		return p.add(CheckNotExpired, false, "the link expired on %s", l.Exp.UTC().Format(time.RFC1123))
	}
	return p.add(CheckNotExpired, true, "until %s", l.Exp.UTC().Format(time.RFC1123))
}

func checkParsedLink(l Link) error {
	if err := checkURL(l.URL); err != nil {
		return err
	}
	if err := checkLabel(l.Label); err != nil {
		return err
	}
	if l.Has(FlagPasscode) && l.Has(FlagDirect) {
		return linkErr("flag", "P (passcode) and U (direct file) cannot be combined")
	}
	if l.V > 1 {
		return fmt.Errorf("%w (version %d)", ErrUnsupportedVersion, l.V)
	}
	return nil
}

// Verify checks what a link resolved to and reports every check; see the
// package documentation for the list. It never fails as a whole: a check
// that fails is in the report with the reason.
func Verify(ctx context.Context, in VerifyInput) Report {
	now := in.Now
	if now.IsZero() {
		now = time.Now()
	}
	p := &reporter{r: Report{Source: SourceOther}}
	if !p.linkChecks(in.Link, now) {
		return p.r
	}
	if !p.add(CheckManifestFetched, len(in.Files) > 0, "%d file(s)", len(in.Files)) {
		p.r.Checks[len(p.r.Checks)-1].Detail = "the link resolved to no files"
		return p.r
	}
	p.add(CheckFilesDecrypted, true, "%d file(s) decrypted with the link's key", len(in.Files))
	p.content(ctx, in, now)
	return p.r
}

// Open parses a link as pasted, scanned or typed, fetches it and verifies
// what it resolves to: [ParseLink], [Fetch] and [Verify] in one, with a
// failed parse or fetch reported as its check.
func Open(ctx context.Context, text string, fetch FetchOptions, in VerifyInput) Report {
	now := in.Now
	if now.IsZero() {
		now = time.Now()
	}
	p := &reporter{r: Report{Source: SourceOther}}
	link, err := ParseLink(text)
	if err != nil {
		p.add(CheckLinkWellFormed, false, "%v", err)
		return p.r
	}
	if !p.linkChecks(link, now) {
		return p.r
	}
	fetch.Now = now
	m, err := Fetch(ctx, link, fetch)
	if err != nil {
		if errors.Is(err, ErrDecrypt) || errors.Is(err, ErrBadJWE) || errors.Is(err, ErrUnsupportedJWE) {
			p.add(CheckManifestFetched, true, "")
			p.add(CheckFilesDecrypted, false, "%v", err)
		} else {
			p.add(CheckManifestFetched, false, "%v", err)
		}
		return p.r
	}
	in.Link, in.Files, in.Now = link, m.Files, now
	p.add(CheckManifestFetched, true, "%d file(s)", len(m.Files))
	p.add(CheckFilesDecrypted, true, "%d file(s) decrypted with the link's key", len(m.Files))
	p.content(ctx, in, now)
	return p.r
}

// bundleEntries returns the resources of a FHIR Bundle file, or the file
// itself when it holds a single resource.
func bundleEntries(data []byte) (entries []json.RawMessage, isBundle bool, err error) {
	var res struct {
		ResourceType string `json:"resourceType"`
		Entry        []struct {
			Resource json.RawMessage `json:"resource"`
		} `json:"entry"`
	}
	if err := json.Unmarshal(data, &res); err != nil {
		return nil, false, fmt.Errorf("not FHIR JSON: %v", err)
	}
	if res.ResourceType == "" {
		return nil, false, errors.New("not a FHIR resource (no resourceType)")
	}
	if res.ResourceType != "Bundle" {
		return []json.RawMessage{json.RawMessage(data)}, false, nil
	}
	for _, e := range res.Entry {
		entries = append(entries, e.Resource)
	}
	return entries, true, nil
}

// receivedRecord is one FHIR resource as received, and where it came from.
type receivedRecord struct {
	resource json.RawMessage
	// source says where it came from, for a reader: "file 2", "file 3 (a
	// SMART Health Card from https://issuer.example)".
	source string
	// card: from a SMART Health Card, whose issuer vouches for it, not the
	// patient's grant.
	card bool
	// files are the files it carried, checked and taken out of resource;
	// problem says, naming the attachment, why one did not check out.
	files   []ReceivedAttachment
	problem string
}

// content runs every check after decryption, then decides which records the
// patient's consent covers ([coverage]); the verdict derives from it.
func (p *reporter) content(ctx context.Context, in VerifyInput, now time.Time) {
	var (
		proofs   [][]byte
		received []receivedRecord
		problems []string
	)
	for i, f := range in.Files {
		switch f.ContentType {
		case ContentTypeProof:
			proofs = append(proofs, f.Plaintext)
		case ContentTypeFHIR:
			entries, _, err := bundleEntries(f.Plaintext)
			if err != nil {
				problems = append(problems, fmt.Sprintf("file %d: %v", i, err))
				continue
			}
			for _, e := range entries {
				rec := receivedRecord{resource: e, source: fmt.Sprintf("file %d", i)}
				if stripped, files, problem := receiveAttachments(e); problem != "" {
					rec.problem = problem
				} else {
					rec.resource, rec.files = stripped, files
				}
				received = append(received, rec)
			}
		case ContentTypeSHC:
			received = append(received, p.cards(ctx, i, f.Plaintext, in.CardKeys, in.CardTrust, now)...)
		default:
			problems = append(problems, fmt.Sprintf("file %d: content type %q is not shown", i, f.ContentType))
		}
	}
	if len(problems) > 0 {
		p.add(CheckRecordsReadable, false, "%s", strings.Join(problems, "; "))
	} else {
		p.add(CheckRecordsReadable, true, "%d record(s)", len(received))
	}

	proof, consent, scope, chainOK := p.proofChecks(ctx, in, now, proofs)
	if p.r.Source != SourceHealthWallet {
		// Another issuer's share: nothing to check its records against;
		// they are shown as sent, labelled not verifiable.
		for _, rec := range received {
			p.r.Records = append(p.r.Records, rec.resource)
		}
		return
	}
	matched, why := coverage(received, proof, consent)
	if proof != nil && proof.Grant.Issuer != proof.Grant.Patient {
		p.delegationRecords(received, proof, matched, why, scope)
	}
	if proof != nil {
		commitments := p.commitments(*proof, matched)
		if proof.ScopeRoot() != proof.Grant.Scope {
			p.add(CheckScope, false, "the records' commitments do not make the grant's scope: records were added, removed or reordered")
		} else {
			p.add(CheckScope, true, "%d record(s) in scope", len(proof.Records))
		}
		if chainOK {
			p.anchors(ctx, in.Chain, *proof, commitments)
		} else {
			p.add(CheckAnchored, false, "not checked: the share is not for the chain and registry this receiver trusts")
		}
	}
	p.covered(received, why)
	p.patientRecord()

	p.r.Verified = true
	for _, c := range p.r.Checks {
		if !c.OK {
			p.r.Verified = false
		}
	}
}

// proofChecks reads the proof file and runs the checks of the grant. It
// returns the proof (nil when there is none that can be read); when the
// proof is not the patient's consent, why ("" when it is: the signature
// recovers the grant's issuer and the proof's records make the grant's
// scope); and whether the share is for the chain and registry this receiver
// trusts, so that asking the chain means something.
func (p *reporter) proofChecks(ctx context.Context, in VerifyInput, now time.Time, proofs [][]byte) (*ProofFile, string, *DelegationScope, bool) {
	if len(proofs) == 0 {
		p.add(CheckProofPresent, false, "no Health Wallet proof: the records are shown as sent, not verifiable on chain")
		return nil, "no proof", nil, false
	}
	p.r.Source = SourceHealthWallet
	if len(proofs) > 1 {
		p.add(CheckProofPresent, false, "%d proof files; a share has one: files were added", len(proofs))
		return nil, "the share holds more than one proof file, so none of them is taken as the patient's consent", nil, false
	}
	proof, err := ParseProof(proofs[0])
	if err != nil {
		p.add(CheckProofPresent, false, "%v", err)
		return nil, "the share's proof file cannot be read", nil, false
	}
	p.add(CheckProofPresent, true, "%d record(s) covered", len(proof.Records))
	if in.Trust != nil {
		t := *in.Trust
		t.Name = CheckNetworkTrusted
		p.r.Checks = append(p.r.Checks, t)
	}
	p.r.Network = proof.Network
	g := proof.Grant
	p.r.Patient, p.r.Issuer = g.Patient, g.Issuer
	p.r.Expires = time.Unix(int64(g.Expiry), 0).UTC()
	if pu, ok := PurposeOf(g.Purpose); ok {
		p.r.Purpose = pu.Code
	}
	proofChain := new(big.Int).SetUint64(proof.ChainID)
	digest, err := g.Digest(proofChain, proof.Registry)
	if err == nil {
		p.r.Digest = digest
	}

	chainOK := p.chainIdentity(ctx, in, proof)

	consent := ""
	signer, err := RecoverGrantSigner(g, proof.Signature, proofChain, proof.Registry)
	switch {
	case err != nil:
		p.add(CheckSignature, false, "%v", err)
		consent = "the grant's signature is not valid"
	case signer != g.Issuer:
		p.add(CheckSignature, false, "signed by %s, not by the issuer %s it names", signer.Hex(), g.Issuer.Hex())
		consent = "the grant was not signed by its issuer"
	default:
		p.add(CheckSignature, true, "signed by %s", signer.Hex())
	}

	if want := GrantID(in.Link.Key); g.GrantID != want {
		p.add(CheckGrantBinding, false, "the grant was made for another link: it was copied here")
	} else {
		p.add(CheckGrantBinding, true, "")
	}

	switch nb, exp := time.Unix(int64(g.NotBefore), 0), time.Unix(int64(g.Expiry), 0); {
	case now.Before(nb):
		p.add(CheckGrantPeriod, false, "valid only from %s", nb.UTC().Format(time.RFC1123))
	case !now.Before(exp):
		p.add(CheckGrantPeriod, false, "expired on %s", exp.UTC().Format(time.RFC1123))
	default:
		p.add(CheckGrantPeriod, true, "until %s", exp.UTC().Format(time.RFC1123))
	}

	if chainOK {
		p.grantOnChain(ctx, in.Chain, digest, g)
	} else {
		p.add(CheckGrantActive, false, "not checked: the share is not for the chain and registry this receiver trusts")
		p.add(CheckIssuerAuthorized, false, "not checked: the share is not for the chain and registry this receiver trusts")
	}
	var scope *DelegationScope
	if g.Issuer != g.Patient {
		scope = p.delegation(ctx, in.Chain, chainOK, proof)
	}

	switch {
	case g.Recipient == (common.Hash{}):
		p.add(CheckRecipient, true, "for whoever holds the link")
	case in.RecipientKeyHash == (common.Hash{}):
		p.add(CheckRecipient, false, "this share is addressed to a specific recipient: open it with the wallet it was made for")
	case in.RecipientKeyHash != g.Recipient:
		p.add(CheckRecipient, false, "this share is addressed to someone else")
	default:
		p.add(CheckRecipient, true, "addressed to this receiver")
	}
	p.patientCard(proof.Card, g.Patient)
	if proof.ScopeRoot() != g.Scope && consent == "" {
		consent = "the proof's records are not those of the grant's scope"
	}
	return &proof, consent, scope, chainOK
}

// coverage is the one place that decides which received records the
// patient's consent covers. A record is covered when the consent is the
// patient's (consent is "") and its content is that of a record of the
// proof, each record of the proof covering one received record only: a
// second copy is not covered. A SMART Health Card's records never are: the
// card's issuer vouches for them, not the patient's grant. It returns, in
// proof order, the received record each proof record matched (-1 for none),
// and for each received record why it is not covered ("" when it is).
func coverage(received []receivedRecord, proof *ProofFile, consent string) (matched []int, why []string) {
	why = make([]string, len(received))
	if proof == nil {
		for i := range why {
			why[i] = consent
		}
		return nil, why
	}
	matched = make([]int, len(proof.Records))
	for i := range matched {
		matched[i] = -1
	}
	// content hash → proof records not yet matched; a hash stays a key once
	// all its records are matched, so a further copy is known as one.
	byHash := map[common.Hash][]int{}
	for i, r := range proof.Records {
		byHash[r.ContentHash] = append(byHash[r.ContentHash], i)
	}
	for i, rec := range received {
		if rec.card {
			why[i] = "from a SMART Health Card: its issuer signed it, the patient's consent does not cover it"
			continue
		}
		if rec.problem != "" {
			why[i] = rec.problem
			continue
		}
		c, err := record.Canonical(rec.resource)
		if err != nil {
			why[i] = "not readable JSON"
			continue
		}
		h := crypto.Keccak256Hash(c)
		free, inProof := byHash[h]
		switch {
		case !inProof && len(rec.files) > 0:
			why[i] = fmt.Sprintf("its attachment %q is not the file the patient committed to: the record's size or SHA-256 was changed", printable([]byte(rec.files[0].Title), 80))
			continue
		case !inProof:
			why[i] = "not among the records the patient consented to share"
			continue
		case len(free) == 0:
			why[i] = "a second copy of a record of the share"
			continue
		}
		matched[free[0]], byHash[h] = i, free[1:]
		why[i] = consent
	}
	return matched, why
}

// covered adds the check that every record received is covered by the
// patient's consent, and splits the records: Records are the covered ones,
// Uncovered the rest, shown apart.
func (p *reporter) covered(received []receivedRecord, why []string) {
	var reasons []string
	for i, rec := range received {
		if why[i] == "" {
			p.r.Records = append(p.r.Records, rec.resource)
			p.r.Attachments = append(p.r.Attachments, rec.files...)
			continue
		}
		p.r.Uncovered = append(p.r.Uncovered, UncoveredRecord{Resource: rec.resource, Source: rec.source, Reason: why[i]})
		reasons = append(reasons, fmt.Sprintf("%s (%s): %s", describeResource(rec.resource), rec.source, why[i]))
	}
	if len(p.r.Uncovered) == 0 {
		p.add(CheckCovered, true, "%d record(s), each covered once", len(p.r.Records))
		return
	}
	p.add(CheckCovered, false, "%d record(s) not covered by the patient's consent, shown apart: %s",
		len(p.r.Uncovered), joinFirst(reasons, 5))
}

// describeResource names a resource for a message: "Condition/x", or its
// type alone.
func describeResource(raw json.RawMessage) string {
	if ref := resourceRef(raw); ref != "" {
		return ref
	}
	var v struct {
		ResourceType string `json:"resourceType"`
	}
	if json.Unmarshal(raw, &v) == nil && v.ResourceType != "" {
		return "a " + printable([]byte(v.ResourceType), 40)
	}
	return "a record"
}

// chainIdentity checks the proof's chain id and registry against what the
// receiver trusts; true when chain queries are meaningful.
func (p *reporter) chainIdentity(ctx context.Context, in VerifyInput, proof ProofFile) bool {
	ok := true
	want := in.ExpectChainID
	var connected *big.Int
	if in.Chain != nil {
		id, err := in.Chain.ChainID(ctx)
		if err != nil {
			p.add(CheckChainID, false, "could not ask the chain its id: %v", err)
			ok = false
		}
		connected = id
	}
	if ok {
		switch {
		case want == nil && connected == nil:
			ok = p.add(CheckChainID, false, "this receiver has no chain to check against")
		case want == nil:
			want = connected
			fallthrough
		default:
			switch {
			case connected != nil && connected.Cmp(want) != 0:
				ok = p.add(CheckChainID, false, "connected to chain %s, but this receiver trusts chain %s", connected, want)
			case !want.IsUint64() || want.Uint64() != proof.ChainID:
				ok = p.add(CheckChainID, false, "the share is for chain %d, this receiver trusts chain %s", proof.ChainID, want)
			default:
				p.add(CheckChainID, true, "chain %d", proof.ChainID)
			}
		}
	}
	switch {
	case in.ExpectRegistry == (common.Address{}):
		ok = p.add(CheckRegistry, false, "this receiver has no registry configured")
	case proof.Registry != in.ExpectRegistry:
		ok = p.add(CheckRegistry, false, "the share names registry %s, this receiver trusts %s", proof.Registry.Hex(), in.ExpectRegistry.Hex())
	default:
		p.add(CheckRegistry, true, "%s", proof.Registry.Hex())
	}
	return ok && in.Chain != nil
}

func (p *reporter) grantOnChain(ctx context.Context, chain ChainReader, digest common.Hash, g Grant) {
	st, err := chain.GrantOf(ctx, g.Patient, digest)
	if err != nil {
		p.add(CheckGrantActive, false, "could not ask the chain: %v", err)
		p.add(CheckIssuerAuthorized, false, "not checked: the chain did not answer")
		return
	}
	switch {
	case st.Patient == (common.Address{}):
		p.add(CheckGrantActive, false, "the chain has no record of this grant: it was never issued (or not yet mined)")
	case st.Revoked:
		p.add(CheckGrantActive, false, "the patient revoked this grant")
	case !st.Active:
		p.add(CheckGrantActive, false, "the chain says the grant expired on %s", time.Unix(int64(st.Expiry), 0).UTC().Format(time.RFC1123))
	case st.Patient != g.Patient:
		p.add(CheckGrantActive, false, "the chain records the grant for %s, not for the patient %s it names", st.Patient.Hex(), g.Patient.Hex())
	default:
		p.add(CheckGrantActive, true, "active until %s", time.Unix(int64(st.Expiry), 0).UTC().Format(time.RFC1123))
	}
	switch {
	case st.Patient == (common.Address{}):
		p.add(CheckIssuerAuthorized, false, "not checked: the grant is not on chain")
	case g.Issuer == g.Patient && st.Issuer == g.Patient:
		p.add(CheckIssuerAuthorized, true, "issued by the patient")
	case st.Issuer != g.Issuer:
		p.add(CheckIssuerAuthorized, false, "the chain says %s issued the grant, not its signer %s", st.Issuer.Hex(), g.Issuer.Hex())
	default:
		d, err := chain.DelegateOf(ctx, g.Patient, g.Issuer)
		switch {
		case err != nil:
			p.add(CheckIssuerAuthorized, false, "could not ask the chain: %v", err)
		case d.Rights == 0:
			p.add(CheckIssuerAuthorized, false, "%s is not a delegate of the patient", g.Issuer.Hex())
		case d.Rights&contracts.RightShare == 0:
			p.add(CheckIssuerAuthorized, false, "%s is a delegate of the patient without the SHARE right", g.Issuer.Hex())
		case !d.Active:
			p.add(CheckIssuerAuthorized, false, "%s's delegation from the patient has ended", g.Issuer.Hex())
		default:
			p.add(CheckIssuerAuthorized, true, "issued by %s, a delegate of the patient with SHARE", g.Issuer.Hex())
		}
	}
}

// commitments checks that every record of the proof was received as
// committed ([coverage] matched it by its content), and returns their
// commitments in proof order (zero where one was not received).
func (p *reporter) commitments(proof ProofFile, matched []int) []common.Hash {
	out := make([]common.Hash, len(proof.Records))
	var bad []string
	for i, r := range proof.Records {
		if matched[i] < 0 {
			what := fmt.Sprintf("entry %d", r.Index)
			if r.ResourceRef != "" {
				what += " (" + r.ResourceRef + ")"
			}
			bad = append(bad, what+": not received as committed: it was altered or removed")
			continue
		}
		out[i] = r.Commitment
	}
	if len(bad) > 0 {
		p.add(CheckCommitments, false, "%s", joinFirst(bad, 5))
	} else {
		p.add(CheckCommitments, true, "%d record(s) match their commitments", len(proof.Records))
	}
	return out
}

func (p *reporter) anchors(ctx context.Context, chain ChainReader, proof ProofFile, commitments []common.Hash) {
	var bad []string
	roots := map[common.Hash]AnchorStatus{}
	for i, r := range proof.Records {
		if commitments[i] == (common.Hash{}) {
			bad = append(bad, fmt.Sprintf("entry %d: no verified commitment", r.Index))
			continue
		}
		if !merkle.Verify(r.AnchorRoot, commitments[i], r.AnchorProof) {
			bad = append(bad, fmt.Sprintf("entry %d: its anchor proof does not lead to root %s", r.Index, r.AnchorRoot.Hex()))
			continue
		}
		st, seen := roots[r.AnchorRoot]
		if !seen {
			var err error
			if st, err = chain.AnchorOf(ctx, proof.Grant.Patient, r.AnchorRoot); err != nil {
				p.add(CheckAnchored, false, "could not ask the chain: %v", err)
				return
			}
			roots[r.AnchorRoot] = st
		}
		switch {
		case st.Patient == (common.Address{}):
			bad = append(bad, fmt.Sprintf("entry %d: root %s was never anchored", r.Index, r.AnchorRoot.Hex()))
		case st.Patient != proof.Grant.Patient:
			bad = append(bad, fmt.Sprintf("entry %d: root %s was anchored by %s, not the patient", r.Index, r.AnchorRoot.Hex(), st.Patient.Hex()))
		case st.Count != r.AnchorProof.Count:
			bad = append(bad, fmt.Sprintf("entry %d: the anchored batch has %d records, the proof says %d", r.Index, st.Count, r.AnchorProof.Count))
		}
	}
	if len(bad) > 0 {
		p.add(CheckAnchored, false, "%s", joinFirst(bad, 5))
		return
	}
	oldest := uint64(0)
	for _, st := range roots {
		if oldest == 0 || st.AnchoredAt < oldest {
			oldest = st.AnchoredAt
		}
	}
	p.r.AnchoredAt = time.Unix(int64(oldest), 0).UTC()
	p.add(CheckAnchored, true, "%d record(s) in %d anchored batch(es), the oldest anchored %s", len(proof.Records), len(roots),
		p.r.AnchoredAt.Format(time.RFC1123))
}

func joinFirst(items []string, n int) string {
	if len(items) <= n {
		return strings.Join(items, "; ")
	}
	return strings.Join(items[:n], "; ") + fmt.Sprintf("; and %d more", len(items)-n)
}

// cards verifies a SMART Health Card file and returns its bundles' entries.
func (p *reporter) cards(ctx context.Context, fileIndex int, data []byte, keys IssuerKeyResolver, trust func(string) (string, bool), now time.Time) []receivedRecord {
	jwss, err := ParseCardFile(data)
	if err != nil {
		p.add(CheckSHC, false, "file %d: %v", fileIndex, err)
		return nil
	}
	var out []receivedRecord
	for i, jws := range jwss {
		if keys == nil {
			p.add(CheckSHC, false, "file %d card %d: this receiver cannot look up card issuers' keys", fileIndex, i)
			continue
		}
		card, err := VerifyCard(ctx, jws, keys, now)
		if err != nil {
			p.add(CheckSHC, false, "file %d card %d: %v", fileIndex, i, err)
			continue
		}
		detail := "issuer " + card.Issuer
		if len(card.Notes) > 0 {
			detail += "; " + strings.Join(card.Notes, "; ")
		}
		p.add(CheckSHC, true, "%s", detail)
		p.issuerTrusted(card.Issuer, trust)
		p.r.Cards = append(p.r.Cards, card)
		if entries, _, err := bundleEntries(card.Bundle); err == nil {
			source := fmt.Sprintf("file %d (a SMART Health Card from %s)", fileIndex, printable([]byte(card.Issuer), 100))
			for _, e := range entries {
				out = append(out, receivedRecord{resource: e, source: source, card: true})
			}
		}
	}
	return out
}

// issuerTrusted answers the second question about a card whose signature
// holds: is its issuer one the receiver trusts?
func (p *reporter) issuerTrusted(iss string, trust func(string) (string, bool)) {
	if trust == nil {
		p.add(CheckSHCTrusted, false, "issuer %s: this receiver holds no list of trusted card issuers", iss)
		return
	}
	if name, ok := trust(iss); ok {
		p.add(CheckSHCTrusted, true, "issuer %s (%s), in a directory the receiver trusts", iss, name)
		return
	}
	p.add(CheckSHCTrusted, false, "issuer %s is in no directory the receiver trusts", iss)
}
