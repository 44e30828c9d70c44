package share

import (
	"bytes"
	"crypto/rand"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"net"
	"net/url"
	"sort"
	"strings"
	"time"
	"unicode/utf8"
)

// Limits of a SMART Health Link payload, from the spec, and of the links we make.
const (
	// MaxURLLength is the longest manifest url a payload may carry.
	MaxURLLength = 128
	// MaxLabelLength is the longest label, in characters.
	MaxLabelLength = 80
	// MaxLinkLength is the longest link [Link.Check] lets us hand out: a
	// longer one makes a denser QR code that cheap scanners misread.
	MaxLinkLength = 300
	// maxLinkInput bounds what ParseLink reads: a valid link is well under
	// 1 KB even with a long viewer prefix and unknown fields.
	maxLinkInput = 8 << 10
	// keyTextLength is the base64url length of a 32-byte key, unpadded.
	keyTextLength = 43
)

// Link flags (the payload's "flag" string, letters in alphabetical order).
const (
	// FlagLongTerm: the link is meant for long-term use; its content may change.
	FlagLongTerm = 'L'
	// FlagPasscode: the manifest request needs a passcode.
	FlagPasscode = 'P'
	// FlagDirect: the url is the single encrypted file itself, fetched by GET.
	FlagDirect = 'U'
)

const linkScheme = "shlink:/"

// ErrBadLink is wrapped by every error of [ParseLink] and [Link.Check].
var ErrBadLink = errors.New("not a valid SMART Health Link")

// LinkError says which part of a link is wrong. It wraps [ErrBadLink].
type LinkError struct {
	Field  string // "url", "key", "exp", "flag", "label", "v", or "" for the link as a whole
	Reason string
}

func (e *LinkError) Error() string {
	if e.Field == "" {
		return ErrBadLink.Error() + ": " + e.Reason
	}
	return ErrBadLink.Error() + ": " + e.Field + ": " + e.Reason
}

func (e *LinkError) Unwrap() error { return ErrBadLink }

func linkErr(field, format string, args ...any) error {
	return &LinkError{Field: field, Reason: fmt.Sprintf(format, args...)}
}

// Link is a SMART Health Link payload: where the manifest is, the key its
// files are encrypted with, and hints for the receiver.
type Link struct {
	// URL is the manifest URL, or with flag U the encrypted file itself.
	URL string
	// Key is the AES-256-GCM key of every file behind the link.
	Key [32]byte
	// Exp is when the link stops working; the zero Time means no expiry
	// was stated.
	Exp time.Time
	// Flags are the payload's flag letters, in alphabetical order. Letters
	// this package does not know are kept (the spec says to ignore them).
	Flags string
	// Label is a short description for the person opening the link.
	Label string
	// V is the protocol version; 0 means the field was absent (version 1).
	V int
}

// NewKey returns a fresh random link key.
func NewKey() ([32]byte, error) {
	var k [32]byte
	if _, err := rand.Read(k[:]); err != nil {
		return k, fmt.Errorf("share: drawing a link key: %w", err)
	}
	return k, nil
}

// Has reports whether the link carries flag f (FlagLongTerm, FlagPasscode
// or FlagDirect).
func (l Link) Has(f rune) bool { return strings.ContainsRune(l.Flags, f) }

// Expired reports whether the link states an expiry at or before now.
func (l Link) Expired(now time.Time) bool {
	return !l.Exp.IsZero() && !now.Before(l.Exp)
}

// payloadJSON is the wire form for encoding; field order follows the spec's
// examples.
type payloadJSON struct {
	URL   string `json:"url"`
	Flag  string `json:"flag,omitempty"`
	Key   string `json:"key"`
	Label string `json:"label,omitempty"`
	Exp   int64  `json:"exp,omitempty"`
	V     int    `json:"v,omitempty"`
}

// String returns the bare link, "shlink:/" and the unpadded base64url of the
// minified payload JSON. It does not validate; see [Link.Check].
func (l Link) String() string {
	p := payloadJSON{
		URL:   l.URL,
		Flag:  l.Flags,
		Key:   base64.RawURLEncoding.EncodeToString(l.Key[:]),
		Label: l.Label,
		V:     l.V,
	}
	if !l.Exp.IsZero() {
		p.Exp = l.Exp.Unix()
	}
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false) // "&" in a URL stays one byte, not six
	_ = enc.Encode(p)        // a struct of strings and ints cannot fail
	return linkScheme + base64.RawURLEncoding.EncodeToString(bytes.TrimSuffix(buf.Bytes(), []byte("\n")))
}

// WithViewer returns the link behind a viewer URL, "https://viewer.example/#shlink:/…",
// so that a phone camera opens it in a browser. A '#' is added to prefix
// unless it already ends with one; the fragment never reaches the viewer's
// server.
func (l Link) WithViewer(prefix string) string {
	if !strings.HasSuffix(prefix, "#") {
		prefix += "#"
	}
	return prefix + l.String()
}

// Check validates a link we are about to hand out: everything [ParseLink]
// enforces, plus only the flags this package knows, a https (or loopback
// http) URL, and a bare link of at most [MaxLinkLength] characters so its QR
// code stays small. A label is the usual reason a link grows too long.
func (l Link) Check() error {
	if err := checkURL(l.URL); err != nil {
		return err
	}
	if err := checkLabel(l.Label); err != nil {
		return err
	}
	if l.V < 0 || l.V > 1 {
		return linkErr("v", "version %d; this package makes version 1 links", l.V)
	}
	if l.Key == ([32]byte{}) {
		return linkErr("key", "the key is all zeros; draw one with NewKey")
	}
	for _, f := range l.Flags {
		if f != FlagLongTerm && f != FlagPasscode && f != FlagDirect {
			return linkErr("flag", "unknown flag %q; use L, P and U", f)
		}
	}
	if norm := normalizeFlags(l.Flags); norm != l.Flags {
		return linkErr("flag", "flags %q must be unique and in alphabetical order (%q)", l.Flags, norm)
	}
	if l.Has(FlagPasscode) && l.Has(FlagDirect) {
		return linkErr("flag", "P (passcode) and U (direct file) cannot be combined")
	}
	if !l.Exp.IsZero() && l.Exp.Unix() <= 0 {
		return linkErr("exp", "expiry %v is before 1970", l.Exp)
	}
	if err := CheckTransport(l.URL, false); err != nil {
		return &LinkError{Field: "url", Reason: err.Error()}
	}
	if n := len(l.String()); n > MaxLinkLength {
		return linkErr("", "the link is %d characters, at most %d keep its QR code small: shorten the label or the URL", n, MaxLinkLength)
	}
	return nil
}

// ErrPlainHTTP is wrapped by every refusal of [CheckTransport].
var ErrPlainHTTP = errors.New("plain http is refused")

// CheckTransport says whether a share's URL — a link's, a manifest file's
// location, a relay's — may be used. https always may. Plain http may only
// where no one else is on the way: this computer (localhost, 127.0.0.0/8,
// ::1) and, when lan is true, an address of the local network written as
// an IP (a patient's phone sharing directly over the same Wi-Fi: the files
// are encrypted end to end, and such a link carries no passcode, which
// would travel in clear). Elsewhere, anyone between the two ends could
// read who asks for the share and why, and block or replay it. Errors wrap
// [ErrPlainHTTP] and say so in words a receiver understands.
func CheckTransport(raw string, lan bool) error {
	u, err := url.Parse(raw)
	if err != nil || u.Host == "" {
		return fmt.Errorf("%q is not a web address", raw)
	}
	switch {
	case u.Scheme == "https":
		return nil
	case u.Scheme != "http":
		return fmt.Errorf("%q is not a web address (https://…)", raw)
	case isLoopback(u.Hostname()):
		return nil
	case lan && isLANAddress(u.Hostname()):
		return nil
	}
	return fmt.Errorf("%w: %s is reached over plain http, which anyone on the network on the way could read or change; "+
		"only this computer, or a patient's phone on the same Wi-Fi, is opened over http: ask for a link that starts with https",
		ErrPlainHTTP, u.Host)
}

// isLoopback: this computer, by name or IP (not a name that merely starts
// with "127.").
func isLoopback(host string) bool {
	if host == "localhost" {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

// isLANAddress: a private or link-local IP (RFC 1918, RFC 4193, 169.254/16,
// fe80::/10), as a direct share's link names its phone. Names are not: DNS
// may point them anywhere.
func isLANAddress(host string) bool {
	ip := net.ParseIP(host)
	return ip != nil && (ip.IsPrivate() || ip.IsLinkLocalUnicast())
}

// ParseLink reads a SMART Health Link: bare ("shlink:/eyJ…"), or behind a
// viewer URL ("https://viewer.example/#shlink:/eyJ…", the payload anywhere
// after the first '#'). Surrounding white space is ignored, as a
// keyboard-wedge scanner may add a newline.
//
// It enforces the spec's limits: a url of at most 128 characters (http or
// https, with a host), a key of exactly 43 base64url characters (32 bytes), a
// label of at most 80 characters, exp a number, flags capital letters without
// P and U together, v a positive integer. Unknown fields and unknown flag
// letters are ignored, as the spec requires; a version above 1 parses (so its
// label can be shown) and is refused by [Fetch]. Errors wrap [ErrBadLink].
func ParseLink(s string) (Link, error) {
	if len(s) > maxLinkInput {
		return Link{}, linkErr("", "%d bytes of text, at most %d", len(s), maxLinkInput)
	}
	s = strings.TrimSpace(s)
	payload, err := extractPayload(s)
	if err != nil {
		return Link{}, err
	}
	raw, err := decodeB64URL(payload)
	if err != nil {
		return Link{}, linkErr("", "the payload is not base64url: %v", err)
	}
	return parsePayload(raw)
}

func extractPayload(s string) (string, error) {
	var rest string
	switch {
	case hasPrefixFold(s, linkScheme):
		rest = s[len(linkScheme):]
	default:
		hash := strings.IndexByte(s, '#')
		if hash < 0 {
			return "", linkErr("", "no %q in the text: this is not a SMART Health Link", linkScheme)
		}
		frag := s[hash+1:]
		i := strings.Index(strings.ToLower(frag), linkScheme)
		if i < 0 {
			return "", linkErr("", "no %q after the '#': this is not a SMART Health Link", linkScheme)
		}
		rest = frag[i+len(linkScheme):]
	}
	if rest == "" {
		return "", linkErr("", "the link has no payload after %q", linkScheme)
	}
	return rest, nil
}

func hasPrefixFold(s, prefix string) bool {
	return len(s) >= len(prefix) && strings.EqualFold(s[:len(prefix)], prefix)
}

// decodeB64URL decodes unpadded or padded base64url.
func decodeB64URL(s string) ([]byte, error) {
	return base64.RawURLEncoding.DecodeString(strings.TrimRight(s, "="))
}

// rawPayload types every field as raw JSON so a wrong type is reported by
// name rather than as a generic unmarshal error.
type rawPayload struct {
	URL   json.RawMessage `json:"url"`
	Key   json.RawMessage `json:"key"`
	Exp   json.RawMessage `json:"exp"`
	Flag  json.RawMessage `json:"flag"`
	Label json.RawMessage `json:"label"`
	V     json.RawMessage `json:"v"`
}

func parsePayload(raw []byte) (Link, error) {
	var p rawPayload
	if err := json.Unmarshal(raw, &p); err != nil {
		return Link{}, linkErr("", "the payload is not a JSON object: %v", err)
	}
	var l Link
	var err error
	if l.URL, err = stringField("url", p.URL, true); err != nil {
		return Link{}, err
	}
	if err := checkURL(l.URL); err != nil {
		return Link{}, err
	}
	key, err := stringField("key", p.Key, true)
	if err != nil {
		return Link{}, err
	}
	if len(key) != keyTextLength {
		return Link{}, linkErr("key", "%d characters, want exactly %d (32 bytes, base64url)", len(key), keyTextLength)
	}
	kb, err := base64.RawURLEncoding.DecodeString(key)
	if err != nil || len(kb) != 32 {
		return Link{}, linkErr("key", "not 32 bytes of base64url")
	}
	copy(l.Key[:], kb)
	if l.Flags, err = stringField("flag", p.Flag, false); err != nil {
		return Link{}, err
	}
	for _, f := range l.Flags {
		if f < 'A' || f > 'Z' {
			return Link{}, linkErr("flag", "%q is not a capital letter", f)
		}
	}
	l.Flags = normalizeFlags(l.Flags)
	if l.Has(FlagPasscode) && l.Has(FlagDirect) {
		return Link{}, linkErr("flag", "P (passcode) and U (direct file) cannot be combined")
	}
	if l.Label, err = stringField("label", p.Label, false); err != nil {
		return Link{}, err
	}
	if err := checkLabel(l.Label); err != nil {
		return Link{}, err
	}
	if l.Exp, err = expField(p.Exp); err != nil {
		return Link{}, err
	}
	if l.V, err = versionField(p.V); err != nil {
		return Link{}, err
	}
	return l, nil
}

func isNull(raw json.RawMessage) bool {
	return len(raw) == 0 || string(raw) == "null"
}

func stringField(name string, raw json.RawMessage, required bool) (string, error) {
	if isNull(raw) {
		if required {
			return "", linkErr(name, "missing")
		}
		return "", nil
	}
	var s string
	if err := json.Unmarshal(raw, &s); err != nil {
		return "", linkErr(name, "not a string")
	}
	return s, nil
}

func checkURL(s string) error {
	if s == "" {
		return linkErr("url", "missing")
	}
	if n := utf8.RuneCountInString(s); n > MaxURLLength {
		return linkErr("url", "%d characters, at most %d", n, MaxURLLength)
	}
	u, err := url.Parse(s)
	if err != nil {
		return linkErr("url", "not a URL: %v", err)
	}
	if (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" {
		return linkErr("url", "%q is not an http(s) URL with a host", s)
	}
	if u.User != nil {
		return linkErr("url", "a URL with user credentials is refused")
	}
	return nil
}

func checkLabel(s string) error {
	if !utf8.ValidString(s) {
		return linkErr("label", "not valid UTF-8")
	}
	if n := utf8.RuneCountInString(s); n > MaxLabelLength {
		return linkErr("label", "%d characters, at most %d", n, MaxLabelLength)
	}
	return nil
}

// expField reads epoch seconds, integer or not (examples in the wild carry
// fractions); fractions are kept to the millisecond.
func expField(raw json.RawMessage) (time.Time, error) {
	if isNull(raw) {
		return time.Time{}, nil
	}
	var f float64
	if err := json.Unmarshal(raw, &f); err != nil {
		return time.Time{}, linkErr("exp", "not a number")
	}
	// Beyond year 9999 or before 1970 is no real expiry.
	if math.IsNaN(f) || f < 0 || f > 253402300799 {
		return time.Time{}, linkErr("exp", "%v is not epoch seconds between 1970 and 9999", f)
	}
	sec, frac := math.Modf(f)
	return time.Unix(int64(sec), int64(math.Round(frac*1000))*int64(time.Millisecond)).UTC(), nil
}

func versionField(raw json.RawMessage) (int, error) {
	if isNull(raw) {
		return 0, nil
	}
	var f float64
	if err := json.Unmarshal(raw, &f); err != nil {
		return 0, linkErr("v", "not a number")
	}
	if f != math.Trunc(f) || f < 1 || f > 1e6 {
		return 0, linkErr("v", "%v is not a positive integer version", f)
	}
	return int(f), nil
}

// normalizeFlags returns the distinct letters of s in alphabetical order.
func normalizeFlags(s string) string {
	seen := map[rune]bool{}
	var out []rune
	for _, r := range s {
		if !seen[r] {
			seen[r] = true
			out = append(out, r)
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i] < out[j] })
	return string(out)
}
