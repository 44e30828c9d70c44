package identity

import (
	"crypto/ecdh"
	"encoding/base64"
	"encoding/binary"
	"errors"
	"fmt"
	"math/big"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/ethereum/go-ethereum/common"
	"github.com/ethereum/go-ethereum/crypto"

	"healthwallet/wallet/qrcode"
)

// Errors about identity cards. Both are wrapped with the detail; test with
// errors.Is.
var (
	// ErrBadCard: the text or the card is malformed — not a card, damaged,
	// from a newer version, or with a display name we refuse.
	ErrBadCard = errors.New("not a valid identity card")
	// ErrCardSignature: the card is well formed but its signature was not
	// made by its address over its contents — it was altered, or forged.
	ErrCardSignature = errors.New("identity card signature does not match")
)

const (
	// CardPrefix starts the text form of every identity card.
	CardPrefix = "hwcard:"
	// MaxDisplayName is the longest display name a card carries, in
	// characters (Unicode code points).
	MaxDisplayName = 64
	// MaxCardText is the longest text ParseCard reads. The longest valid
	// card (64 four-byte characters) is about 500 bytes.
	MaxCardText = 1024

	cardVersion1 = 1
	// Binary form, version 1: version(1) ‖ address(20) ‖ sharing key(32) ‖
	// signature(64, EIP-2098 compact) ‖ display name (UTF-8, the rest). The
	// name goes last so it needs no length; the digest below has one.
	// EIP-2098 folds V into the top bit of S, which a low-S signature never
	// uses: one byte fewer, so a card with a 64-letter ASCII name stays under
	// 250 characters.
	cardFixedLen  = 1 + common.AddressLength + 32 + compactSigLen
	compactSigLen = 64
)

// cardDomain starts every card's signing digest. No transaction (RLP, or a
// type byte below 0x80), EIP-191/712 message (0x19) or other message we sign
// starts with these bytes, so a card signature cannot be replayed as one.
const cardDomain = "HealthWallet identity card v1"

// Card is a person's public identity: their chain address, the X25519 key to
// seal data to them, the name they go by, and their signature binding the
// three. Get one from [Identity.Card] or [ParseCard]; a Card built by hand is
// trusted only after [Card.Verify].
type Card struct {
	Address     common.Address
	SharingKey  [32]byte // X25519 public key
	DisplayName string
	Signature   []byte // 65 bytes [R ‖ S ‖ V], V in {0, 1}, by Address over the signing digest
}

// Card returns the identity card for id under displayName, signed by the chain
// key. Surrounding white space is trimmed from displayName; the rest must
// satisfy the rules in the package documentation.
func (id *Identity) Card(displayName string) (Card, error) {
	if id.wiped {
		return Card{}, ErrWiped
	}
	var sharing [32]byte
	copy(sharing[:], id.sharingKey().PublicKey().Bytes())
	return CardFor(id.chainKey, sharing, displayName)
}

// signingDigest is keccak256(domain ‖ address ‖ sharing key ‖ len(name) as
// uint32 big-endian ‖ name). Address and key have fixed lengths; the name's
// length makes the encoding unambiguous should fields ever follow it.
func (c Card) signingDigest() []byte {
	var n [4]byte
	binary.BigEndian.PutUint32(n[:], uint32(len(c.DisplayName)))
	return crypto.Keccak256([]byte(cardDomain), c.Address[:], c.SharingKey[:], n[:], []byte(c.DisplayName))
}

// SharingKeyHash is keccak256 of the X25519 public key: what a grant names as
// its recipient, so the chain never sees the key itself.
func (c Card) SharingKeyHash() common.Hash {
	return crypto.Keccak256Hash(c.SharingKey[:])
}

// Verify checks that the card is well formed and that its signature was made
// by its Address over its contents. The error wraps [ErrBadCard] or
// [ErrCardSignature].
func (c Card) Verify() error {
	if err := CheckDisplayName(c.DisplayName); err != nil {
		return err
	}
	if err := CheckSharingKey(c.SharingKey[:]); err != nil {
		return fmt.Errorf("%w: %w", ErrBadCard, err)
	}
	if len(c.Signature) != crypto.SignatureLength {
		return fmt.Errorf("%w: the signature is %d bytes, not %d", ErrCardSignature, len(c.Signature), crypto.SignatureLength)
	}
	r := new(big.Int).SetBytes(c.Signature[:32])
	s := new(big.Int).SetBytes(c.Signature[32:64])
	// Low S and V in {0, 1} only, as crypto.Sign makes them: otherwise one
	// card would have several valid encodings.
	if !crypto.ValidateSignatureValues(c.Signature[64], r, s, true) {
		return fmt.Errorf("%w: the signature is malformed", ErrCardSignature)
	}
	pub, err := crypto.SigToPub(c.signingDigest(), c.Signature)
	if err != nil {
		return fmt.Errorf("%w: %v", ErrCardSignature, err)
	}
	if signer := crypto.PubkeyToAddress(*pub); signer != c.Address {
		return fmt.Errorf("%w: the card is for %s but was not signed by it: it was altered or forged", ErrCardSignature, c.Address.Hex())
	}
	return nil
}

// String returns the card's canonical text: "hwcard:" followed by the
// unpadded base64url of its binary form. A card with a typical name is under
// 200 characters, one with a 64-letter ASCII name 249. The text of a card that
// does not Verify is refused by [ParseCard].
func (c Card) String() string {
	b := make([]byte, cardFixedLen, cardFixedLen+len(c.DisplayName))
	b[0] = cardVersion1
	off := 1
	off += copy(b[off:], c.Address[:])
	off += copy(b[off:], c.SharingKey[:])
	// A signature that is not [R ‖ S ‖ V] with V in {0, 1} is written as
	// zeros, which ParseCard refuses.
	if sig := c.Signature; len(sig) == crypto.SignatureLength && sig[64] <= 1 {
		copy(b[off:], sig[:64])
		b[off+32] |= sig[64] << 7
	}
	b = append(b, c.DisplayName...)
	return CardPrefix + base64.RawURLEncoding.EncodeToString(b)
}

// ParseCard reads a card from its text form ([Card.String]), ignoring
// surrounding white space, and verifies it. The error wraps [ErrBadCard] for
// text that is not a well-formed card of a version we know, and
// [ErrCardSignature] for a card whose signature does not match.
func ParseCard(s string) (Card, error) {
	if len(s) > MaxCardText {
		return Card{}, fmt.Errorf("%w: the text is %d bytes, more than any card (%d)", ErrBadCard, len(s), MaxCardText)
	}
	s = strings.TrimSpace(s)
	body, ok := strings.CutPrefix(s, CardPrefix)
	if !ok {
		return Card{}, fmt.Errorf("%w: it does not start with %q", ErrBadCard, CardPrefix)
	}
	b, err := base64.RawURLEncoding.DecodeString(body)
	// The decoder skips newlines and tolerates stray trailing bits; the
	// re-encoding check refuses both, so one card has exactly one text.
	if err != nil || base64.RawURLEncoding.EncodeToString(b) != body {
		return Card{}, fmt.Errorf("%w: the text after %q is damaged (not base64url)", ErrBadCard, CardPrefix)
	}
	if len(b) == 0 {
		return Card{}, fmt.Errorf("%w: it is empty", ErrBadCard)
	}
	if b[0] != cardVersion1 {
		return Card{}, fmt.Errorf("%w: card version %d is unknown: it may come from a newer Health Wallet; update this one", ErrBadCard, b[0])
	}
	if len(b) <= cardFixedLen {
		return Card{}, fmt.Errorf("%w: it is cut short (%d bytes)", ErrBadCard, len(b))
	}
	var c Card
	off := 1
	off += copy(c.Address[:], b[off:])
	off += copy(c.SharingKey[:], b[off:])
	c.Signature = make([]byte, crypto.SignatureLength)
	copy(c.Signature, b[off:off+compactSigLen])
	c.Signature[64] = c.Signature[32] >> 7
	c.Signature[32] &= 0x7f
	c.DisplayName = string(b[cardFixedLen:])
	if err := c.Verify(); err != nil {
		return Card{}, err
	}
	return c, nil
}

// CheckDisplayName reports whether name may go on a card: valid UTF-8, 1 to
// [MaxDisplayName] characters, no leading or trailing white space, no control,
// line-separator or text-direction characters — a name a person can read, that
// cannot disguise itself on screen. The error wraps [ErrBadCard] and says what
// is wrong, for showing next to the name field. ([Identity.Card] trims the
// name first; do the same before checking what a person typed.)
func CheckDisplayName(name string) error {
	if !utf8.ValidString(name) {
		return fmt.Errorf("%w: the display name is not valid UTF-8", ErrBadCard)
	}
	if name == "" {
		return fmt.Errorf("%w: the display name is empty", ErrBadCard)
	}
	if n := utf8.RuneCountInString(name); n > MaxDisplayName {
		return fmt.Errorf("%w: the display name has %d characters; at most %d are allowed", ErrBadCard, n, MaxDisplayName)
	}
	if strings.TrimSpace(name) != name {
		return fmt.Errorf("%w: the display name starts or ends with white space", ErrBadCard)
	}
	for i, r := range []rune(name) {
		if unicode.IsControl(r) || unicode.In(r, unicode.Zl, unicode.Zp) || isBidiControl(r) {
			return fmt.Errorf("%w: the display name has a control character (U+%04X) at character %d", ErrBadCard, r, i+1)
		}
	}
	return nil
}

// isBidiControl reports the characters that reorder text on screen, which
// could make "Dr. Evil" display as someone else.
func isBidiControl(r rune) bool {
	return r == 0x061C || r == 0x200E || r == 0x200F ||
		(r >= 0x202A && r <= 0x202E) || (r >= 0x2066 && r <= 0x2069)
}

// lowOrderProbe is a fixed, public X25519 key used only to test a peer's
// public key: for any of the small-order points, X25519 gives all zeros, which
// crypto/ecdh reports as an error.
var lowOrderProbe = func() *ecdh.PrivateKey {
	k, err := ecdh.X25519().NewPrivateKey(crypto.Keccak256([]byte("healthwallet/identity/low-order-probe")))
	if err != nil {
		panic(err)
	}
	return k
}()

// ErrBadSharingKey is returned by [CheckSharingKey].
var ErrBadSharingKey = errors.New("the sharing key is not a usable X25519 key")

// CheckSharingKey refuses an X25519 public key (32 bytes) that is malformed or
// one of the small-order points, which make every shared secret with them
// zero: data sealed to such a key would be readable by anyone, and nothing
// sealed to it could be opened by its owner. The error wraps
// [ErrBadSharingKey]. Every check of a peer's sharing key (identity cards,
// the relay's shares) goes through this one function.
func CheckSharingKey(k []byte) error {
	pub, err := ecdh.X25519().NewPublicKey(k)
	if err == nil {
		_, err = lowOrderProbe.ECDH(pub)
	}
	if err != nil {
		return ErrBadSharingKey
	}
	return nil
}

// QRCode renders the card's text as a PNG QR code (see package qrcode: level
// M, quiet zone, whole pixels per module), pixelsPerModule pixels per module.
func (c Card) QRCode(pixelsPerModule int) ([]byte, error) {
	png, err := qrcode.PNG(c.String(), pixelsPerModule)
	if err != nil {
		return nil, fmt.Errorf("identity: the card's QR code: %w", err)
	}
	return png, nil
}
