package care

import (
	"context"
	"crypto/ecdh"
	"crypto/hpke"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"time"

	"github.com/ethereum/go-ethereum/common"
	"github.com/ethereum/go-ethereum/common/hexutil"

	"healthwallet/wallet/identity"
	"healthwallet/wallet/relay"
	"healthwallet/wallet/share"
)

// Limits of invitations.
const (
	// InvitePrefix starts every invitation link.
	InvitePrefix = "hwinvite:"
	// MaxInviteLink is the longest invitation link we hand out: short enough
	// for a QR code a phone reads at a glance, like a share's link.
	MaxInviteLink = 300
	// maxInviteInput bounds what ParseInviteLink reads.
	maxInviteInput = 4 << 10
	// MaxInvitationSize bounds a sealed invitation (the relay holds blobs of
	// at most 64 KiB).
	MaxInvitationSize = 64 << 10
	invitationVersion = 1
	// inviteInfo is the HPKE info string: a sealed invitation opens as
	// nothing else, and nothing else opens as an invitation.
	inviteInfo = "HealthWallet invitation v1"
)

// ErrBadInvitation is wrapped by every error about an invitation or its link.
var ErrBadInvitation = errors.New("not a valid caregiver invitation")

// ErrNotYourInvitation: the invitation was sealed to someone else's sharing
// key (or altered on the way): this wallet cannot open it.
var ErrNotYourInvitation = errors.New("this invitation was made for someone else: it does not open with this wallet's sharing key; ask the patient to invite the identity card of this wallet")

// ErrInvitationExpired: the link's invitation is past its expiry.
var ErrInvitationExpired = errors.New("the invitation has expired: ask the patient for a new one")

// InviteLink is what the hwinvite: link carries: where the sealed
// invitation is and until when it is there.
type InviteLink struct {
	URL string    // the relay's URL of the sealed blob
	Exp time.Time // when the relay deletes it (second precision)
}

type inviteLinkJSON struct {
	URL string `json:"url"`
	Exp int64  `json:"exp"`
}

// String is "hwinvite:" followed by the unpadded base64url of
// {"url":…,"exp":…}.
func (l InviteLink) String() string {
	b, _ := json.Marshal(inviteLinkJSON{URL: l.URL, Exp: l.Exp.Unix()})
	return InvitePrefix + base64.RawURLEncoding.EncodeToString(b)
}

// Check refuses a link ParseInviteLink would refuse, or one longer than
// [MaxInviteLink].
func (l InviteLink) Check() error {
	if err := share.CheckTransport(l.URL, false); err != nil {
		return fmt.Errorf("%w: the invitation's address: %w", ErrBadInvitation, err)
	}
	if l.Exp.Unix() <= 0 {
		return fmt.Errorf("%w: no expiry", ErrBadInvitation)
	}
	if n := len(l.String()); n > MaxInviteLink {
		return fmt.Errorf("%w: the link is %d characters, at most %d (use a relay with a shorter address)", ErrBadInvitation, n, MaxInviteLink)
	}
	return nil
}

// ParseInviteLink reads an hwinvite: link, ignoring surrounding white space
// (a scanner's newline) and anything before "hwinvite:" (a viewer's URL
// with the link after '#'). The URL must be https, or http to this
// computer. Errors wrap [ErrBadInvitation].
func ParseInviteLink(s string) (InviteLink, error) {
	if len(s) > maxInviteInput {
		return InviteLink{}, fmt.Errorf("%w: %d bytes of text, more than any invitation link", ErrBadInvitation, len(s))
	}
	s = strings.TrimSpace(s)
	i := strings.Index(s, InvitePrefix)
	if i < 0 {
		return InviteLink{}, fmt.Errorf("%w: it does not contain %q", ErrBadInvitation, InvitePrefix)
	}
	body := s[i+len(InvitePrefix):]
	b, err := base64.RawURLEncoding.DecodeString(body)
	if err != nil || base64.RawURLEncoding.EncodeToString(b) != body {
		return InviteLink{}, fmt.Errorf("%w: the text after %q is damaged (not base64url)", ErrBadInvitation, InvitePrefix)
	}
	var raw inviteLinkJSON
	if err := strictDecode(b, &raw); err != nil {
		return InviteLink{}, fmt.Errorf("%w: %v", ErrBadInvitation, err)
	}
	if raw.Exp <= 0 || raw.Exp > 1<<40 {
		return InviteLink{}, fmt.Errorf("%w: the expiry is missing or out of range", ErrBadInvitation)
	}
	l := InviteLink{URL: raw.URL, Exp: time.Unix(raw.Exp, 0).UTC()}
	if len(l.URL) > MaxInviteLink {
		return InviteLink{}, fmt.Errorf("%w: the address is too long", ErrBadInvitation)
	}
	if err := share.CheckTransport(l.URL, false); err != nil {
		return InviteLink{}, fmt.Errorf("%w: the invitation's address: %w", ErrBadInvitation, err)
	}
	return l, nil
}

// Invitation is what the patient seals to the caregiver: who the patient is,
// the signed terms, the tweak of the caregiver's relationship key, where the
// care copy is, and which chain the delegation is on.
type Invitation struct {
	// Card is the patient's identity card (hwcard:…).
	Card string
	// Scope is the delegation's terms, signed by the patient.
	Scope SignedScope
	// Tweak derives the caregiver's relationship key for this patient
	// (identity.RelationshipKey); secret: it exists only inside the sealed
	// invitation and the caregiver's vault.
	Tweak [32]byte
	// Copy is the care copy's link (shlink:/…, long-term).
	Copy string
	// Relay is the relay's base URL.
	Relay string
	// Network is the network the delegation is made on; nil on a plain chain.
	Network *share.NetworkRef
	// ChainID and Registry are the chain and HealthRegistry of the delegation.
	ChainID  uint64
	Registry common.Address
}

type invitationJSON struct {
	V        int               `json:"v"`
	Card     string            `json:"card"`
	Scope    SignedScope       `json:"scope"`
	Tweak    hexutil.Bytes     `json:"tweak"`
	Copy     string            `json:"copy"`
	Relay    string            `json:"relay"`
	Network  *share.NetworkRef `json:"network,omitempty"`
	ChainID  uint64            `json:"chainId"`
	Registry common.Address    `json:"registry"`
}

// PatientCard parses the invitation's patient card.
func (inv Invitation) PatientCard() (identity.Card, error) {
	c, err := identity.ParseCard(inv.Card)
	if err != nil {
		return identity.Card{}, fmt.Errorf("%w: the patient's identity card: %w", ErrBadInvitation, err)
	}
	return c, nil
}

// CopyLink parses the care copy's link.
func (inv Invitation) CopyLink() (share.Link, error) {
	l, err := share.ParseLink(inv.Copy)
	if err != nil {
		return share.Link{}, fmt.Errorf("%w: the care copy's link: %w", ErrBadInvitation, err)
	}
	return l, nil
}

// Check verifies what the invitation says of itself: the patient's card is
// valid and its address is the scope's patient, the scope is signed by that
// patient, the tweak is usable, the copy link parses, chain and registry are
// set. Errors wrap [ErrBadInvitation], [ErrBadScope] or [ErrScopeSignature].
func (inv Invitation) Check() error {
	card, err := inv.PatientCard()
	if err != nil {
		return err
	}
	patient, err := inv.Scope.Verify()
	if err != nil {
		return err
	}
	if card.Address != patient {
		return fmt.Errorf("%w: the scope is signed by %s, but the identity card is %s's", ErrBadInvitation, patient.Hex(), card.Address.Hex())
	}
	if card.DisplayName != inv.Scope.Scope.PatientName {
		return fmt.Errorf("%w: the scope names the patient %q, the card %q", ErrBadInvitation, inv.Scope.Scope.PatientName, card.DisplayName)
	}
	if inv.Tweak == ([32]byte{}) {
		return fmt.Errorf("%w: no relationship tweak", ErrBadInvitation)
	}
	if _, err := inv.CopyLink(); err != nil {
		return err
	}
	if err := share.CheckTransport(inv.Relay, false); err != nil {
		return fmt.Errorf("%w: the relay: %w", ErrBadInvitation, err)
	}
	if inv.ChainID == 0 || inv.Registry == (common.Address{}) {
		return fmt.Errorf("%w: no chain or registry", ErrBadInvitation)
	}
	return nil
}

// CheckFor checks that the invitation is for id: the scope's delegate is the
// address of id's relationship key for the invitation's tweak. It returns
// that key. Errors wrap [ErrBadInvitation].
func (inv Invitation) CheckFor(id *identity.Identity) (common.Address, error) {
	k, err := id.RelationshipKey(inv.Tweak)
	if err != nil {
		return common.Address{}, fmt.Errorf("%w: %w", ErrBadInvitation, err)
	}
	addr := pubAddress(k)
	if addr != inv.Scope.Scope.Delegate {
		return common.Address{}, fmt.Errorf("%w: the delegation names %s, not this wallet's key for this relationship: it was made for someone else", ErrBadInvitation, inv.Scope.Scope.Delegate.Hex())
	}
	return addr, nil
}

// Expect is what the caregiver expects of the care copy, from the
// invitation: set it on [Copy.Expect] before [VerifyCopy].
func (inv Invitation) Expect() Expectation {
	return Expectation{ChainID: inv.ChainID, Registry: inv.Registry, Patient: inv.Scope.Scope.Patient, Delegate: inv.Scope.Scope.Delegate}
}

// Marshal encodes the invitation as JSON, refusing one Check refuses.
func (inv Invitation) Marshal() ([]byte, error) {
	if err := inv.Check(); err != nil {
		return nil, err
	}
	b, err := json.Marshal(invitationJSON{V: invitationVersion, Card: inv.Card, Scope: inv.Scope, Tweak: inv.Tweak[:],
		Copy: inv.Copy, Relay: inv.Relay, Network: inv.Network, ChainID: inv.ChainID, Registry: inv.Registry})
	if err != nil {
		return nil, fmt.Errorf("%w: %v", ErrBadInvitation, err)
	}
	return b, nil
}

// ParseInvitation reads an opened invitation strictly and checks it.
func ParseInvitation(data []byte) (Invitation, error) {
	if len(data) > MaxInvitationSize {
		return Invitation{}, fmt.Errorf("%w: %d bytes, at most %d", ErrBadInvitation, len(data), MaxInvitationSize)
	}
	var raw invitationJSON
	if err := strictDecode(data, &raw); err != nil {
		return Invitation{}, fmt.Errorf("%w: %v", ErrBadInvitation, err)
	}
	if raw.V != invitationVersion {
		return Invitation{}, fmt.Errorf("%w: version %d; this app reads version %d (update it)", ErrBadInvitation, raw.V, invitationVersion)
	}
	if len(raw.Tweak) != 32 {
		return Invitation{}, fmt.Errorf("%w: the tweak is %d bytes, not 32", ErrBadInvitation, len(raw.Tweak))
	}
	if n := raw.Network; n != nil && (n.Name == "" || len(n.Name) > 512 || len(n.URL) > 512) {
		return Invitation{}, fmt.Errorf("%w: the network must have a name, and name and URL at most 512 characters", ErrBadInvitation)
	}
	inv := Invitation{Card: raw.Card, Scope: raw.Scope, Copy: raw.Copy, Relay: raw.Relay, Network: raw.Network, ChainID: raw.ChainID, Registry: raw.Registry}
	copy(inv.Tweak[:], raw.Tweak)
	if err := inv.Check(); err != nil {
		return Invitation{}, err
	}
	return inv, nil
}

func suite() (hpke.KEM, hpke.KDF, hpke.AEAD) {
	return hpke.DHKEM(ecdh.X25519()), hpke.HKDFSHA256(), hpke.ChaCha20Poly1305()
}

// Seal encodes the invitation and seals it with HPKE (DHKEM X25519,
// HKDF-SHA256, ChaCha20-Poly1305) to the caregiver's sharing key, taken
// from their identity card.
func Seal(inv Invitation, sharingKey [32]byte) ([]byte, error) {
	if err := identity.CheckSharingKey(sharingKey[:]); err != nil {
		return nil, fmt.Errorf("care: sealing the invitation: %w", err)
	}
	pt, err := inv.Marshal()
	if err != nil {
		return nil, err
	}
	kem, kdf, aead := suite()
	pub, err := kem.NewPublicKey(sharingKey[:])
	if err != nil {
		return nil, fmt.Errorf("care: sealing the invitation: %w", err)
	}
	ct, err := hpke.Seal(pub, kdf, aead, []byte(inviteInfo), pt)
	if err != nil {
		return nil, fmt.Errorf("care: sealing the invitation: %w", err)
	}
	return ct, nil
}

// Open opens a sealed invitation with the caregiver's sharing key and checks
// it. A blob sealed to another key is [ErrNotYourInvitation].
func Open(sealed []byte, sharingKey *ecdh.PrivateKey) (Invitation, error) {
	if sharingKey == nil {
		return Invitation{}, errors.New("care: no sharing key to open the invitation with")
	}
	if len(sealed) > MaxInvitationSize {
		return Invitation{}, fmt.Errorf("%w: %d bytes, at most %d", ErrBadInvitation, len(sealed), MaxInvitationSize)
	}
	priv, err := hpke.NewDHKEMPrivateKey(sharingKey)
	if err != nil {
		return Invitation{}, fmt.Errorf("care: the sharing key is not an X25519 key: %w", err)
	}
	_, kdf, aead := suite()
	pt, err := hpke.Open(priv, kdf, aead, []byte(inviteInfo), sealed)
	if err != nil {
		return Invitation{}, ErrNotYourInvitation
	}
	return ParseInvitation(pt)
}

// FetchInvitation fetches the sealed invitation an hwinvite: link points to
// and opens it with the caregiver's sharing key. hc nil means a client with
// a 60 s timeout. An expired link is refused before anything is sent; a 404
// means the relay no longer has it (expired or withdrawn by the patient).
func FetchInvitation(ctx context.Context, hc *http.Client, link string, sharingKey *ecdh.PrivateKey) (Invitation, error) {
	l, err := ParseInviteLink(link)
	if err != nil {
		return Invitation{}, err
	}
	if !time.Now().Before(l.Exp) {
		return Invitation{}, fmt.Errorf("%w (on %s)", ErrInvitationExpired, l.Exp.Format(time.RFC1123))
	}
	sealed, err := fetchBlob(ctx, hc, l.URL)
	if err != nil {
		return Invitation{}, err
	}
	return Open(sealed, sharingKey)
}

// fetchBlob fetches a sealed invitation from the relay (relay.FetchBlob:
// bounded, https or this computer only).
func fetchBlob(ctx context.Context, hc *http.Client, u string) ([]byte, error) {
	b, err := relay.FetchBlob(ctx, hc, u)
	if errors.Is(err, relay.ErrBlobGone) {
		return nil, fmt.Errorf("%w: the relay no longer has it (it expired, or the patient withdrew it): ask the patient for a new invitation", ErrBadInvitation)
	}
	if err != nil {
		return nil, fmt.Errorf("care: fetching the invitation: %w", err)
	}
	return b, nil
}
