package share

import (
	"bytes"
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/sha256"
	"crypto/x509"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	jose "github.com/go-jose/go-jose/v4"
	"io"
	"math"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"time"
)

// Limits of SMART Health Cards.
const (
	// MaxCardJWS bounds one card's compact JWS. A card in a QR code is
	// under 1,200 bytes; one in a file or a link may carry a large bundle.
	MaxCardJWS = 4 << 20
	// maxCardPayload bounds a card's payload once inflated.
	maxCardPayload = 16 << 20
	// maxIssuerDoc bounds a JWKS or CRL document.
	maxIssuerDoc = 1 << 20
	// maxCardsPerFile bounds the verifiableCredential array.
	maxCardsPerFile = 100
	// clockSkew tolerates a card issued by a clock slightly ahead of ours.
	clockSkew    = 5 * time.Minute
	maxRIDLength = 24
)

// Errors of [VerifyCard]; each wraps [ErrBadCard] except where noted.
var (
	// ErrBadCard: the card is malformed or fails verification.
	ErrBadCard = errors.New("SMART Health Card refused")
	// ErrCardSignature: the signature does not verify with the issuer's key.
	ErrCardSignature = fmt.Errorf("%w: the signature is not valid", ErrBadCard)
	// ErrCardRevoked: the issuer revoked the card (its CRL lists the rid).
	ErrCardRevoked = fmt.Errorf("%w: the issuer revoked this card", ErrBadCard)
	// ErrCardNotValidNow: the card is not yet valid or has expired.
	ErrCardNotValidNow = fmt.Errorf("%w: the card is not valid at this time", ErrBadCard)
	// ErrIssuerKeys: the issuer's keys or revocation list could not be had
	// or are invalid, so the card cannot be checked.
	ErrIssuerKeys = fmt.Errorf("%w: the issuer's keys could not be checked", ErrBadCard)
)

// IssuerKeyResolver fetches an issuer's published documents. Implementations
// return the raw bytes; VerifyCard parses and validates them.
type IssuerKeyResolver interface {
	// JWKS returns iss + "/.well-known/jwks.json".
	JWKS(ctx context.Context, iss string) ([]byte, error)
	// CRL returns iss + "/.well-known/crl/" + kid + ".json". It is asked
	// only for keys that state a crlVersion.
	CRL(ctx context.Context, iss, kid string) ([]byte, error)
}

// DirResolver serves issuers' documents from local directories: the map
// takes an issuer URL (a card's iss) to a directory holding
// .well-known/jwks.json and .well-known/crl/. For tests and for a curated
// offline trust list. An issuer not in the map is unknown.
type DirResolver map[string]string

var _ IssuerKeyResolver = DirResolver(nil)

func (d DirResolver) read(iss string, rel ...string) ([]byte, error) {
	dir, ok := d[iss]
	if !ok {
		return nil, fmt.Errorf("issuer %q is not known to this receiver", iss)
	}
	p := filepath.Join(append([]string{dir, ".well-known"}, rel...)...)
	f, err := os.Open(p)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	return readBounded(f, maxIssuerDoc)
}

// JWKS implements IssuerKeyResolver.
func (d DirResolver) JWKS(_ context.Context, iss string) ([]byte, error) {
	return d.read(iss, "jwks.json")
}

// CRL implements IssuerKeyResolver.
func (d DirResolver) CRL(_ context.Context, iss, kid string) ([]byte, error) {
	if !isB64URL(kid) {
		return nil, fmt.Errorf("kid %q is not base64url", kid)
	}
	return d.read(iss, "crl", kid+".json")
}

// HTTPSResolver fetches issuers' documents over HTTPS, as the Cards spec
// publishes them.
type HTTPSResolver struct {
	// Client is the HTTP client; nil means one with a 20 s timeout.
	Client *http.Client
}

var _ IssuerKeyResolver = HTTPSResolver{}

func (h HTTPSResolver) get(ctx context.Context, u string) ([]byte, error) {
	if !strings.HasPrefix(u, "https://") {
		return nil, fmt.Errorf("%s is not https", u)
	}
	c := h.Client
	if c == nil {
		c = &http.Client{Timeout: 20 * time.Second}
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u, nil)
	if err != nil {
		return nil, err
	}
	resp, err := c.Do(req)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return nil, fmt.Errorf("%s answered %d", u, resp.StatusCode)
	}
	return readBounded(resp.Body, maxIssuerDoc)
}

// JWKS implements IssuerKeyResolver.
func (h HTTPSResolver) JWKS(ctx context.Context, iss string) ([]byte, error) {
	return h.get(ctx, iss+"/.well-known/jwks.json")
}

// CRL implements IssuerKeyResolver.
func (h HTTPSResolver) CRL(ctx context.Context, iss, kid string) ([]byte, error) {
	if !isB64URL(kid) {
		return nil, fmt.Errorf("kid %q is not base64url", kid)
	}
	return h.get(ctx, iss+"/.well-known/crl/"+kid+".json")
}

func readBounded(r io.Reader, limit int64) ([]byte, error) {
	b, err := io.ReadAll(io.LimitReader(r, limit+1))
	if err != nil {
		return nil, err
	}
	if int64(len(b)) > limit {
		return nil, fmt.Errorf("document over %d bytes", limit)
	}
	return b, nil
}

// Card is a verified SMART Health Card.
type Card struct {
	Issuer string    // the iss URL
	KeyID  string    // the kid that signed it
	Issued time.Time // nbf
	// Expires is the card's exp, zero when it has none (most do not).
	Expires time.Time
	// Types are the vc.type values.
	Types []string
	// Bundle is vc.credentialSubject.fhirBundle as signed.
	Bundle json.RawMessage
	// Notes are findings that do not refuse the card, e.g. an expired
	// X.509 certificate beside the issuer's key.
	Notes []string
}

// ParseCardFile reads an application/smart-health-card file,
// {"verifiableCredential": [JWS, …]}, and returns its JWS strings.
func ParseCardFile(data []byte) ([]string, error) {
	var f struct {
		VerifiableCredential []string `json:"verifiableCredential"`
	}
	if err := json.Unmarshal(data, &f); err != nil {
		return nil, fmt.Errorf("%w: not a health card file: %v", ErrBadCard, err)
	}
	if len(f.VerifiableCredential) == 0 {
		return nil, fmt.Errorf("%w: the file holds no verifiableCredential", ErrBadCard)
	}
	if len(f.VerifiableCredential) > maxCardsPerFile {
		return nil, fmt.Errorf("%w: %d cards in one file, at most %d", ErrBadCard, len(f.VerifiableCredential), maxCardsPerFile)
	}
	return f.VerifiableCredential, nil
}

type cardPayload struct {
	Iss *string          `json:"iss"`
	Nbf *json.Number     `json:"nbf"`
	Exp *json.Number     `json:"exp"`
	VC  *json.RawMessage `json:"vc"`
}

type cardVC struct {
	Type              []string `json:"type"`
	RID               string   `json:"rid"`
	CredentialSubject struct {
		FHIRBundle json.RawMessage `json:"fhirBundle"`
	} `json:"credentialSubject"`
}

// ReadCard reads one SMART Health Card JWS without checking its signature:
// header alg ES256, zip DEF and a kid; the payload inflated; iss a https URL
// without a trailing '/'; vc.type holding health-card; the bundle a FHIR
// Bundle. A wallet imports a card it cannot verify as unverified: this is
// what it can read of it. Use [VerifyCard] to know whether to believe it.
// Errors wrap [ErrBadCard].
func ReadCard(jws string) (Card, error) {
	c, err := readCard(jws)
	return c.Card, err
}

// readCard is [ReadCard] keeping what verification needs.
type readJWS struct {
	Card
	jws string
	rid string
}

func readCard(jws string) (readJWS, error) {
	if len(jws) > MaxCardJWS {
		return readJWS{}, fmt.Errorf("%w: %d bytes, at most %d", ErrBadCard, len(jws), MaxCardJWS)
	}
	jws = strings.TrimSpace(jws)
	parts := strings.Split(jws, ".")
	if len(parts) != 3 {
		return readJWS{}, fmt.Errorf("%w: not a compact JWS (%d parts)", ErrBadCard, len(parts))
	}
	hb, err := base64.RawURLEncoding.DecodeString(parts[0])
	if err != nil {
		return readJWS{}, fmt.Errorf("%w: header: %v", ErrBadCard, err)
	}
	var hdr struct {
		Alg string `json:"alg"`
		Zip string `json:"zip"`
		Kid string `json:"kid"`
	}
	if err := json.Unmarshal(hb, &hdr); err != nil {
		return readJWS{}, fmt.Errorf("%w: header: %v", ErrBadCard, err)
	}
	switch {
	case hdr.Alg != "ES256":
		return readJWS{}, fmt.Errorf("%w: header alg %q, want ES256", ErrBadCard, hdr.Alg)
	case hdr.Zip != "DEF":
		return readJWS{}, fmt.Errorf("%w: header zip %q, want DEF (the payload must be compressed)", ErrBadCard, hdr.Zip)
	case hdr.Kid == "":
		return readJWS{}, fmt.Errorf("%w: header has no kid", ErrBadCard)
	}
	sig, err := base64.RawURLEncoding.DecodeString(parts[2])
	if err != nil {
		return readJWS{}, fmt.Errorf("%w: signature: %v", ErrBadCard, err)
	}
	if len(sig) != 64 {
		return readJWS{}, fmt.Errorf("%w: the signature is %d bytes, not the 64-byte R‖S form ES256 uses (DER-encoded?)", ErrCardSignature, len(sig))
	}
	zp, err := base64.RawURLEncoding.DecodeString(parts[1])
	if err != nil {
		return readJWS{}, fmt.Errorf("%w: payload: %v", ErrBadCard, err)
	}
	pb, err := inflate(zp, maxCardPayload)
	if err != nil {
		return readJWS{}, fmt.Errorf("%w: payload: %v", ErrBadCard, err)
	}
	var p cardPayload
	dec := json.NewDecoder(bytes.NewReader(pb))
	dec.UseNumber()
	if err := dec.Decode(&p); err != nil {
		return readJWS{}, fmt.Errorf("%w: payload is not JSON: %v", ErrBadCard, err)
	}
	if _, err := dec.Token(); err != io.EOF {
		return readJWS{}, fmt.Errorf("%w: payload has data after the JSON object", ErrBadCard)
	}
	if p.Iss == nil || p.Nbf == nil || p.VC == nil {
		return readJWS{}, fmt.Errorf("%w: payload lacks iss, nbf or vc", ErrBadCard)
	}
	iss := *p.Iss
	if err := CheckIssuerURL(iss); err != nil {
		return readJWS{}, err
	}
	var vc cardVC
	if err := json.Unmarshal(*p.VC, &vc); err != nil {
		return readJWS{}, fmt.Errorf("%w: vc: %v", ErrBadCard, err)
	}
	if !contains(vc.Type, "https://smarthealth.cards#health-card") {
		return readJWS{}, fmt.Errorf("%w: vc.type lacks https://smarthealth.cards#health-card", ErrBadCard)
	}
	var bundle struct {
		ResourceType string `json:"resourceType"`
	}
	if json.Unmarshal(vc.CredentialSubject.FHIRBundle, &bundle) != nil || bundle.ResourceType != "Bundle" {
		return readJWS{}, fmt.Errorf("%w: vc.credentialSubject.fhirBundle is not a FHIR Bundle", ErrBadCard)
	}
	nbf, err := epoch(*p.Nbf)
	if err != nil {
		return readJWS{}, fmt.Errorf("%w: nbf: %v", ErrBadCard, err)
	}
	card := Card{Issuer: iss, KeyID: hdr.Kid, Issued: nbf, Types: vc.Type, Bundle: vc.CredentialSubject.FHIRBundle}
	if p.Exp != nil {
		if card.Expires, err = epoch(*p.Exp); err != nil {
			return readJWS{}, fmt.Errorf("%w: exp: %v", ErrBadCard, err)
		}
	}
	return readJWS{Card: card, jws: jws, rid: vc.RID}, nil
}

// VerifyCard verifies one SMART Health Card JWS as the Cards spec requires:
// the card readable as [ReadCard] says; the issuer's JWKS (from keys)
// holding an EC P-256 ES256 signing key with that kid, equal to its RFC 7638
// thumbprint; the 64-byte signature valid; the card not revoked in the
// issuer's CRL when the key states a crlVersion; nbf (fractions allowed) not
// in the future, exp if present not past. An X.509 certificate beside the
// key is noted (its expiry, its issuer URL) but does not decide. Errors wrap
// [ErrBadCard]. VerifyCard says nothing of whether the issuer is one to
// trust: that is the receiver's list.
func VerifyCard(ctx context.Context, jws string, keys IssuerKeyResolver, now time.Time) (Card, error) {
	r, err := readCard(jws)
	if err != nil {
		return Card{}, err
	}
	card, iss, nbf := r.Card, r.Issuer, r.Issued
	hdr := struct{ Kid string }{r.KeyID}
	jws = r.jws
	vc := struct{ RID string }{r.rid}

	doc, err := keys.JWKS(ctx, iss)
	if err != nil {
		return Card{}, fmt.Errorf("%w: %s: %v", ErrIssuerKeys, iss, err)
	}
	key, err := findIssuerKey(doc, hdr.Kid, iss, now, &card)
	if err != nil {
		return Card{}, err
	}
	signed, err := jose.ParseSignedCompact(jws, []jose.SignatureAlgorithm{jose.ES256})
	if err != nil {
		return Card{}, fmt.Errorf("%w: %v", ErrBadCard, err)
	}
	if _, err := signed.Verify(key.pub); err != nil {
		return Card{}, fmt.Errorf("%w (issuer %s, kid %s)", ErrCardSignature, iss, hdr.Kid)
	}
	if key.crlVersion != nil {
		crl, err := keys.CRL(ctx, iss, hdr.Kid)
		if err != nil {
			return Card{}, fmt.Errorf("%w: the revocation list of key %s: %v", ErrIssuerKeys, hdr.Kid, err)
		}
		if err := checkRevocation(crl, hdr.Kid, *key.crlVersion, vc.RID, nbf); err != nil {
			return Card{}, err
		}
	}
	if nbf.After(now.Add(clockSkew)) {
		return Card{}, fmt.Errorf("%w: issued for %s, which is in the future", ErrCardNotValidNow, nbf.UTC().Format(time.RFC3339))
	}
	if !card.Expires.IsZero() {
		if card.Expires.Before(nbf) {
			return Card{}, fmt.Errorf("%w: it expires before it was issued", ErrCardNotValidNow)
		}
		if !now.Before(card.Expires) {
			return Card{}, fmt.Errorf("%w: it expired on %s", ErrCardNotValidNow, card.Expires.UTC().Format(time.RFC3339))
		}
	}
	return card, nil
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

// CheckIssuerURL refuses an issuer URL the Cards spec does not allow: not
// https, ending with '/', or with a query, fragment or user. Errors wrap
// [ErrBadCard].
func CheckIssuerURL(iss string) error {
	u, err := url.Parse(iss)
	switch {
	case err != nil || u.Host == "":
		return fmt.Errorf("%w: iss %q is not a URL", ErrBadCard, iss)
	case u.Scheme != "https":
		return fmt.Errorf("%w: iss %q is not https", ErrBadCard, iss)
	case strings.HasSuffix(iss, "/"):
		return fmt.Errorf("%w: iss %q ends with '/'", ErrBadCard, iss)
	case u.RawQuery != "" || u.Fragment != "" || u.User != nil:
		return fmt.Errorf("%w: iss %q has a query, fragment or user", ErrBadCard, iss)
	}
	return nil
}

// epoch reads JWT seconds, fractions allowed.
func epoch(n json.Number) (time.Time, error) {
	f, err := n.Float64()
	if err != nil || math.IsNaN(f) || f < 0 || f > 253402300799 {
		return time.Time{}, fmt.Errorf("%q is not epoch seconds", n)
	}
	sec, frac := math.Modf(f)
	return time.Unix(int64(sec), int64(math.Round(frac*1000))*int64(time.Millisecond)).UTC(), nil
}

type jwk struct {
	Kty        string       `json:"kty"`
	Kid        string       `json:"kid"`
	Use        string       `json:"use"`
	Alg        string       `json:"alg"`
	Crv        string       `json:"crv"`
	X          string       `json:"x"`
	Y          string       `json:"y"`
	D          *string      `json:"d"`
	X5c        []string     `json:"x5c"`
	CrlVersion *json.Number `json:"crlVersion"`
}

type issuerKey struct {
	pub        *ecdsa.PublicKey
	crlVersion *int64
}

// findIssuerKey parses the issuer's JWKS and returns the key with kid,
// validated as the Cards spec requires.
func findIssuerKey(doc []byte, kid, iss string, now time.Time, card *Card) (issuerKey, error) {
	var set struct {
		Keys []jwk `json:"keys"`
	}
	dec := json.NewDecoder(bytes.NewReader(doc))
	dec.UseNumber()
	if err := dec.Decode(&set); err != nil {
		return issuerKey{}, fmt.Errorf("%w: %s's JWKS is not valid JSON: %v", ErrIssuerKeys, iss, err)
	}
	var problems []string
	for _, k := range set.Keys {
		if k.Kid != kid {
			continue
		}
		key, err := validateJWK(k, iss, now, card)
		if err != nil {
			problems = append(problems, err.Error())
			continue
		}
		return key, nil
	}
	if len(problems) > 0 {
		return issuerKey{}, fmt.Errorf("%w: key %s of %s: %s", ErrIssuerKeys, kid, iss, strings.Join(problems, "; "))
	}
	return issuerKey{}, fmt.Errorf("%w: %s publishes no key with kid %s", ErrCardSignature, iss, kid)
}

func validateJWK(k jwk, iss string, now time.Time, card *Card) (issuerKey, error) {
	switch {
	case k.D != nil:
		return issuerKey{}, errors.New("the published key holds its private part (d)")
	case k.Kty != "EC" || k.Crv != "P-256":
		return issuerKey{}, fmt.Errorf("kty %q crv %q, want EC P-256", k.Kty, k.Crv)
	case k.Alg != "ES256":
		return issuerKey{}, fmt.Errorf("alg %q, want ES256", k.Alg)
	case k.Use != "sig":
		return issuerKey{}, fmt.Errorf("use %q, want sig", k.Use)
	}
	x, err1 := base64.RawURLEncoding.DecodeString(k.X)
	y, err2 := base64.RawURLEncoding.DecodeString(k.Y)
	if err1 != nil || err2 != nil || len(x) != 32 || len(y) != 32 {
		return issuerKey{}, errors.New("x and y are not 32-byte base64url coordinates")
	}
	pub, err := ecdsa.ParseUncompressedPublicKey(elliptic.P256(), append(append([]byte{4}, x...), y...))
	if err != nil {
		return issuerKey{}, fmt.Errorf("not a P-256 point: %v", err)
	}
	// RFC 7638 thumbprint: the required members, in lexical order, no space.
	tp := sha256.Sum256([]byte(`{"crv":"P-256","kty":"EC","x":"` + k.X + `","y":"` + k.Y + `"}`))
	if want := base64.RawURLEncoding.EncodeToString(tp[:]); k.Kid != want {
		return issuerKey{}, fmt.Errorf("kid is not the key's thumbprint %s", want)
	}
	if len(k.X5c) > 0 {
		if err := checkX5C(k.X5c, pub, iss, now, card); err != nil {
			return issuerKey{}, err
		}
	}
	key := issuerKey{pub: pub}
	if k.CrlVersion != nil {
		v, err := k.CrlVersion.Int64()
		if err != nil || v < 1 {
			return issuerKey{}, fmt.Errorf("crlVersion %q is not a positive integer", k.CrlVersion.String())
		}
		key.crlVersion = &v
	}
	return key, nil
}

// checkX5C compares the leaf certificate's key with the JWK (a mismatch
// refuses the key) and notes its expiry and issuer URL (which do not: this
// receiver does not hold a trust framework's anchors).
func checkX5C(chain []string, pub *ecdsa.PublicKey, iss string, now time.Time, card *Card) error {
	der, err := base64.StdEncoding.DecodeString(chain[0])
	if err != nil {
		card.Notes = append(card.Notes, "the issuer's X.509 certificate is not base64: ignored")
		return nil
	}
	cert, err := x509.ParseCertificate(der)
	if err != nil {
		card.Notes = append(card.Notes, fmt.Sprintf("the issuer's X.509 certificate does not parse (%v): ignored", err))
		return nil
	}
	cpub, ok := cert.PublicKey.(*ecdsa.PublicKey)
	if !ok || !cpub.Equal(pub) {
		return errors.New("the x5c certificate is for another key")
	}
	if now.After(cert.NotAfter) {
		card.Notes = append(card.Notes, fmt.Sprintf("the issuer's X.509 certificate expired on %s", cert.NotAfter.UTC().Format("2006-01-02")))
	}
	found := false
	for _, u := range cert.URIs {
		if u.String() == iss {
			found = true
		}
	}
	if !found {
		card.Notes = append(card.Notes, "the issuer's X.509 certificate does not name "+iss)
	}
	return nil
}

// checkRevocation validates a CRL strictly and refuses a card whose rid it
// lists (before the listed time, when one is given).
func checkRevocation(doc []byte, kid string, version int64, rid string, nbf time.Time) error {
	var crl struct {
		Kid    string       `json:"kid"`
		Method string       `json:"method"`
		Ctr    *json.Number `json:"ctr"`
		Rids   []string     `json:"rids"`
	}
	dec := json.NewDecoder(bytes.NewReader(doc))
	dec.UseNumber()
	if err := dec.Decode(&crl); err != nil {
		return fmt.Errorf("%w: the revocation list is not valid JSON: %v", ErrIssuerKeys, err)
	}
	switch {
	case crl.Kid != kid:
		return fmt.Errorf("%w: the revocation list is for key %q, not %q", ErrIssuerKeys, crl.Kid, kid)
	case crl.Method != "rid":
		return fmt.Errorf("%w: the revocation list's method %q is not \"rid\"", ErrIssuerKeys, crl.Method)
	case crl.Ctr == nil || crl.Ctr.String() != fmt.Sprint(version):
		return fmt.Errorf("%w: the revocation list's ctr does not match the key's crlVersion %d", ErrIssuerKeys, version)
	}
	type revoked struct {
		before time.Time // zero: revoked whenever issued
	}
	list := make(map[string]revoked, len(crl.Rids))
	for _, entry := range crl.Rids {
		id, ts, hasTS := strings.Cut(entry, ".")
		if id == "" || len(id) > maxRIDLength || !isB64URL(id) {
			return fmt.Errorf("%w: the revocation list holds an invalid rid %q", ErrIssuerKeys, entry)
		}
		var r revoked
		if hasTS {
			t, err := epoch(json.Number(ts))
			if err != nil || ts == "" || strings.Trim(ts, "0123456789") != "" {
				return fmt.Errorf("%w: the revocation list holds an invalid time in %q", ErrIssuerKeys, entry)
			}
			r.before = t
		}
		if _, dup := list[id]; dup {
			return fmt.Errorf("%w: the revocation list lists rid %q twice", ErrIssuerKeys, id)
		}
		list[id] = r
	}
	if r, ok := list[rid]; ok && rid != "" && (r.before.IsZero() || nbf.Before(r.before)) {
		return fmt.Errorf("%w (rid %s)", ErrCardRevoked, rid)
	}
	return nil
}

func isB64URL(s string) bool {
	for _, c := range s {
		if !(c >= 'A' && c <= 'Z' || c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '-' || c == '_') {
			return false
		}
	}
	return true
}
