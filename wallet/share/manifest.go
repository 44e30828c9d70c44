package share

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"
)

// Content types of files behind a link.
const (
	ContentTypeSHC       = "application/smart-health-card"
	ContentTypeFHIR      = "application/fhir+json"
	ContentTypeAPIAccess = "application/smart-api-access"
	// ContentTypeProof is Health Wallet's proof file; see [ProofFile].
	ContentTypeProof = "application/vnd.healthwallet.proof+json"
)

// Limits of what Fetch reads.
const (
	// MaxManifestSize bounds the manifest response, embedded files included.
	MaxManifestSize = MaxJWESize
	// MaxManifestFiles bounds the number of files a manifest may list.
	MaxManifestFiles = 1000
	// maxErrorBody bounds what is read of an error response.
	maxErrorBody = 16 << 10
	// maxTotalPlaintext bounds the sum of every file's plaintext.
	maxTotalPlaintext = 4 * MaxFileSize
)

// Errors of [Fetch]; test with errors.Is or errors.As.
var (
	// ErrNoLongerAvailable: the server answered 404.
	ErrNoLongerAvailable = errors.New("this link has expired or was revoked")
	// ErrLinkExpired: the link's own exp is past; nothing was fetched.
	ErrLinkExpired = errors.New("this link has expired")
	// ErrPasscodeRequired: the link has flag P and no passcode was given;
	// nothing was fetched, so no attempt was spent.
	ErrPasscodeRequired = errors.New("this link needs a passcode")
	// ErrUnsupportedVersion: the link's v is newer than this package reads.
	ErrUnsupportedVersion = errors.New("this link uses a newer SMART Health Links version; update the app to open it")
	// ErrBadManifest: the server's manifest is not valid.
	ErrBadManifest = errors.New("the server sent an invalid manifest")
)

// PasscodeError is a refused passcode (HTTP 401).
type PasscodeError struct {
	// RemainingAttempts is what the server says is left before the link is
	// disabled; -1 when it did not say.
	RemainingAttempts int
}

func (e *PasscodeError) Error() string {
	switch {
	case e.RemainingAttempts < 0:
		return "wrong passcode"
	case e.RemainingAttempts == 0:
		return "wrong passcode: no attempts left, the link is now disabled"
	case e.RemainingAttempts == 1:
		return "wrong passcode: 1 attempt left"
	}
	return fmt.Sprintf("wrong passcode: %d attempts left", e.RemainingAttempts)
}

// RateLimitedError is HTTP 429: the server asks the receiver to wait.
type RateLimitedError struct {
	RetryAfter time.Duration // 0 when the server did not say
}

func (e *RateLimitedError) Error() string {
	if e.RetryAfter <= 0 {
		return "the link's server is busy: try again shortly"
	}
	return fmt.Sprintf("the link's server is busy: try again in %s", e.RetryAfter.Round(time.Second))
}

// HTTPError is any other unexpected HTTP status.
type HTTPError struct {
	URL        string // without its query, which may hold a recipient name
	StatusCode int
	Body       string // the start of the response body, for diagnosis
}

func (e *HTTPError) Error() string {
	msg := fmt.Sprintf("the link's server answered %d %s for %s", e.StatusCode, http.StatusText(e.StatusCode), e.URL)
	if e.Body != "" {
		msg += ": " + e.Body
	}
	return msg
}

// FetchOptions are what the receiver tells the link's server.
type FetchOptions struct {
	// Recipient describes who is opening the link (a person or an
	// organization), shown to the patient in their access log. Required.
	Recipient string
	// Passcode, required by links with flag P.
	Passcode string
	// Purpose is why the receiver opens the link (an HL7 PurposeOfUse
	// code), sent as Health Wallet's extension of the manifest request and
	// of the U-flag GET so the patient's access log can say why; servers
	// that do not know it ignore it, as the spec has them do. Optional.
	Purpose string
	// EmbeddedLengthMax asks the server to embed files up to this length in
	// the manifest; 0 leaves it to the server.
	EmbeddedLengthMax int
	// HTTP is the client to use; nil means one with a 60 s timeout. Fetch
	// uses a copy whose redirects are held to [CheckTransport], as the
	// link and the files' locations are.
	HTTP *http.Client
	// Now is the time to check the link's expiry against; zero means
	// time.Now().
	Now time.Time
}

// File is one decrypted file behind a link.
type File struct {
	ContentType string
	Plaintext   []byte
}

// Manifest is what a link resolved to.
type Manifest struct {
	Files []File
	// List is the manifest's optional FHIR List resource, as sent.
	List json.RawMessage
	// PollAfter is the server's Retry-After on a successful manifest: how
	// long a long-term (L) link's receiver should wait before polling again.
	PollAfter time.Duration
}

// ManifestEntry is one entry of a manifest's files array, as sent.
type ManifestEntry struct {
	ContentType string `json:"contentType"`
	Location    string `json:"location,omitempty"`
	Embedded    string `json:"embedded,omitempty"`
	LastUpdated string `json:"lastUpdated,omitempty"`
	Status      string `json:"status,omitempty"`
	FHIRVersion string `json:"fhirVersion,omitempty"`
}

// ManifestDocument is a manifest response, as sent.
type ManifestDocument struct {
	List  json.RawMessage `json:"list,omitempty"`
	Files []ManifestEntry `json:"files"`
}

// ParseManifest reads and validates a manifest response: a JSON object with
// at most [MaxManifestFiles] files, each with a contentType and an embedded
// JWE or an http(s) location. Unknown members are ignored, as the spec
// requires. Errors wrap [ErrBadManifest].
func ParseManifest(data []byte) (ManifestDocument, error) {
	if len(data) > MaxManifestSize {
		return ManifestDocument{}, fmt.Errorf("%w: %d bytes, at most %d", ErrBadManifest, len(data), MaxManifestSize)
	}
	var raw struct {
		List  json.RawMessage   `json:"list"`
		Files []json.RawMessage `json:"files"`
	}
	if err := json.Unmarshal(data, &raw); err != nil {
		return ManifestDocument{}, fmt.Errorf("%w: %v", ErrBadManifest, err)
	}
	if len(raw.Files) > MaxManifestFiles {
		return ManifestDocument{}, fmt.Errorf("%w: %d files, at most %d", ErrBadManifest, len(raw.Files), MaxManifestFiles)
	}
	doc := ManifestDocument{Files: make([]ManifestEntry, 0, len(raw.Files))}
	if !isNull(raw.List) {
		doc.List = raw.List
	}
	for i, f := range raw.Files {
		var e ManifestEntry
		if err := json.Unmarshal(f, &e); err != nil {
			return ManifestDocument{}, fmt.Errorf("%w: file %d: %v", ErrBadManifest, i, err)
		}
		if e.ContentType == "" {
			return ManifestDocument{}, fmt.Errorf("%w: file %d has no contentType", ErrBadManifest, i)
		}
		if e.Embedded == "" && e.Location == "" {
			return ManifestDocument{}, fmt.Errorf("%w: file %d has neither embedded content nor a location", ErrBadManifest, i)
		}
		if e.Embedded == "" {
			if u, err := url.Parse(e.Location); err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" {
				return ManifestDocument{}, fmt.Errorf("%w: file %d: location %q is not an http(s) URL", ErrBadManifest, i, e.Location)
			}
		}
		doc.Files = append(doc.Files, e)
	}
	return doc, nil
}

// Fetch resolves a link to its decrypted files, as the spec's receiving
// application does:
//
//   - a link whose exp is past is refused before anything is sent
//     ([ErrLinkExpired]), as is a P link without a passcode
//     ([ErrPasscodeRequired]);
//   - flag U: GET url?recipient=… returns the single encrypted file;
//   - otherwise POST url with {recipient, passcode, embeddedLengthMax}
//     returns the manifest; each file is embedded or fetched by GET from
//     its short-lived location.
//
// Plain http is refused ([ErrPlainHTTP]) except to this computer and, for a
// link without a passcode, to a direct share on the local network (see
// [CheckTransport]); so is a file location or a redirect that leads from
// there to anywhere else.
//
// A 401 is a [*PasscodeError] with the attempts left, a 404
// [ErrNoLongerAvailable], a 429 a [*RateLimitedError] with the server's
// Retry-After; other statuses an [*HTTPError]. Every response is read to a
// bound, and every file decrypted with the link's key ([DecryptFile]).
func Fetch(ctx context.Context, link Link, opts FetchOptions) (Manifest, error) {
	now := opts.Now
	if now.IsZero() {
		now = time.Now()
	}
	switch {
	case link.V > 1:
		return Manifest{}, fmt.Errorf("%w (version %d)", ErrUnsupportedVersion, link.V)
	case link.Expired(now):
		return Manifest{}, fmt.Errorf("%w (on %s)", ErrLinkExpired, link.Exp.UTC().Format(time.RFC1123))
	case link.Has(FlagPasscode) && opts.Passcode == "":
		return Manifest{}, ErrPasscodeRequired
	case strings.TrimSpace(opts.Recipient) == "":
		return Manifest{}, errors.New("share: fetching: a recipient (who is opening the link) is required")
	}
	if err := checkURL(link.URL); err != nil {
		return Manifest{}, err
	}
	if err := checkLinkTransport(link); err != nil {
		return Manifest{}, err
	}
	client := &http.Client{Timeout: 60 * time.Second}
	if opts.HTTP != nil {
		c := *opts.HTTP
		client = &c
	}
	// A redirect may not lead where the link itself could not.
	client.CheckRedirect = func(req *http.Request, via []*http.Request) error {
		if len(via) >= 10 {
			return errors.New("share: the link's server redirects too many times")
		}
		return checkFileTransport(req.URL.String(), link)
	}
	if link.Has(FlagDirect) {
		f, err := fetchDirect(ctx, client, link, opts.Recipient, opts.Purpose)
		if err != nil {
			return Manifest{}, err
		}
		return Manifest{Files: []File{f}}, nil
	}
	return fetchManifest(ctx, client, link, opts)
}

func fetchDirect(ctx context.Context, client *http.Client, link Link, recipient, purpose string) (File, error) {
	u, _ := url.Parse(link.URL) // checked by checkURL
	q := u.Query()
	q.Set("recipient", recipient)
	if purpose != "" {
		q.Set("purpose", purpose)
	}
	u.RawQuery = q.Encode()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u.String(), nil)
	if err != nil {
		return File{}, fmt.Errorf("share: %w", err)
	}
	body, _, err := do(client, req, MaxJWESize)
	if err != nil {
		return File{}, err
	}
	pt, cty, err := DecryptFile(string(body), link.Key[:])
	if err != nil {
		return File{}, fmt.Errorf("share: the link's file: %w", err)
	}
	if cty == "" {
		cty = sniffContentType(pt)
	}
	return File{ContentType: cty, Plaintext: pt}, nil
}

func fetchManifest(ctx context.Context, client *http.Client, link Link, opts FetchOptions) (Manifest, error) {
	reqBody := struct {
		Recipient         string `json:"recipient"`
		Passcode          string `json:"passcode,omitempty"`
		EmbeddedLengthMax int    `json:"embeddedLengthMax,omitempty"`
		Purpose           string `json:"purpose,omitempty"`
	}{opts.Recipient, opts.Passcode, opts.EmbeddedLengthMax, opts.Purpose}
	b, err := json.Marshal(reqBody)
	if err != nil {
		return Manifest{}, fmt.Errorf("share: %w", err)
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, link.URL, bytes.NewReader(b))
	if err != nil {
		return Manifest{}, fmt.Errorf("share: %w", err)
	}
	req.Header.Set("Content-Type", "application/json")
	body, hdr, err := do(client, req, MaxManifestSize)
	if err != nil {
		return Manifest{}, err
	}
	doc, err := ParseManifest(body)
	if err != nil {
		return Manifest{}, err
	}
	m := Manifest{List: doc.List, PollAfter: retryAfter(hdr.Get("Retry-After"), time.Now())}
	total := 0
	for i, e := range doc.Files {
		jwe := e.Embedded
		if jwe == "" {
			if err := checkFileTransport(e.Location, link); err != nil {
				return Manifest{}, fmt.Errorf("share: file %d: %w", i, err)
			}
			req, err := http.NewRequestWithContext(ctx, http.MethodGet, e.Location, nil)
			if err != nil {
				return Manifest{}, fmt.Errorf("share: file %d: %w", i, err)
			}
			fb, _, err := do(client, req, MaxJWESize)
			if err != nil {
				return Manifest{}, fmt.Errorf("share: file %d: %w", i, err)
			}
			jwe = string(fb)
		}
		pt, _, err := DecryptFile(jwe, link.Key[:])
		if err != nil {
			return Manifest{}, fmt.Errorf("share: file %d (%s): %w", i, e.ContentType, err)
		}
		if total += len(pt); total > maxTotalPlaintext {
			return Manifest{}, fmt.Errorf("share: %w: the files add up to more than %d bytes", ErrFileTooLarge, maxTotalPlaintext)
		}
		m.Files = append(m.Files, File{ContentType: e.ContentType, Plaintext: pt})
	}
	return m, nil
}

// checkLinkTransport applies [CheckTransport] to the link's URL: plain http
// on the local network only for a link without a passcode, which would
// travel in clear.
func checkLinkTransport(link Link) error {
	err := CheckTransport(link.URL, true)
	if err == nil && link.Has(FlagPasscode) && linkOnLAN(link) {
		err = fmt.Errorf("%w: this link asks for a passcode over plain http, so the passcode would travel unprotected over the Wi-Fi: "+
			"ask the patient for a link that starts with https", ErrPlainHTTP)
	}
	if err != nil {
		return fmt.Errorf("share: the link cannot be opened safely: %w", err)
	}
	return nil
}

// linkOnLAN says whether the link is a direct share over the local
// network: plain http to a LAN address.
func linkOnLAN(link Link) bool {
	u, err := url.Parse(link.URL)
	return err == nil && u.Scheme == "http" && isLANAddress(u.Hostname())
}

// checkFileTransport applies [CheckTransport] to a file's location or a
// redirect: plain http on the local network only to the direct share's own
// server.
func checkFileTransport(raw string, link Link) error {
	err := CheckTransport(raw, false)
	if err != nil && linkOnLAN(link) && sameOrigin(raw, link.URL) {
		err = nil
	}
	if err != nil {
		return fmt.Errorf("share: the link's server sent a file address that cannot be used safely: %w", err)
	}
	return nil
}

func sameOrigin(a, b string) bool {
	ua, errA := url.Parse(a)
	ub, errB := url.Parse(b)
	return errA == nil && errB == nil && ua.Scheme == ub.Scheme && strings.EqualFold(ua.Host, ub.Host)
}

// do sends req and returns the body of a 200 response read to limit bytes,
// or the typed error of any other status.
func do(client *http.Client, req *http.Request, limit int64) ([]byte, http.Header, error) {
	resp, err := client.Do(req)
	if err != nil {
		return nil, nil, fmt.Errorf("share: could not reach the link's server: %w", err)
	}
	defer resp.Body.Close()
	if resp.StatusCode == http.StatusOK {
		body, err := io.ReadAll(io.LimitReader(resp.Body, limit+1))
		if err != nil {
			return nil, nil, fmt.Errorf("share: reading the server's answer: %w", err)
		}
		if int64(len(body)) > limit {
			return nil, nil, fmt.Errorf("share: %w: the server's answer is over %d bytes", ErrFileTooLarge, limit)
		}
		return body, resp.Header, nil
	}
	errBody, _ := io.ReadAll(io.LimitReader(resp.Body, maxErrorBody))
	switch resp.StatusCode {
	case http.StatusUnauthorized:
		var b struct {
			RemainingAttempts *float64 `json:"remainingAttempts"`
		}
		pe := &PasscodeError{RemainingAttempts: -1}
		if json.Unmarshal(errBody, &b) == nil && b.RemainingAttempts != nil && *b.RemainingAttempts >= 0 && *b.RemainingAttempts < 1e9 {
			pe.RemainingAttempts = int(*b.RemainingAttempts)
		}
		return nil, nil, pe
	case http.StatusNotFound:
		return nil, nil, ErrNoLongerAvailable
	case http.StatusTooManyRequests:
		return nil, nil, &RateLimitedError{RetryAfter: retryAfter(resp.Header.Get("Retry-After"), time.Now())}
	}
	u := *req.URL
	u.RawQuery = ""
	return nil, nil, &HTTPError{URL: u.String(), StatusCode: resp.StatusCode, Body: printable(errBody, 200)}
}

// retryAfter reads a Retry-After header: delay seconds or an HTTP date.
func retryAfter(v string, now time.Time) time.Duration {
	v = strings.TrimSpace(v)
	if v == "" {
		return 0
	}
	if s, err := strconv.ParseInt(v, 10, 64); err == nil {
		if s < 0 || s > 7*24*3600 {
			return 0
		}
		return time.Duration(s) * time.Second
	}
	if t, err := http.ParseTime(v); err == nil && t.After(now) {
		return t.Sub(now)
	}
	return 0
}

// printable returns at most n runes of b, with control characters dropped,
// safe to put in an error message.
func printable(b []byte, n int) string {
	var sb strings.Builder
	for _, r := range string(b) {
		if n == 0 {
			sb.WriteString("…")
			break
		}
		if r >= ' ' && r != 0x7f && r != '\uFFFD' {
			sb.WriteRune(r)
			n--
		}
	}
	return strings.TrimSpace(sb.String())
}

// sniffContentType names a direct (U) file whose JWE carries no cty.
func sniffContentType(pt []byte) string {
	var probe struct {
		VerifiableCredential json.RawMessage `json:"verifiableCredential"`
		ResourceType         string          `json:"resourceType"`
		AccessToken          string          `json:"access_token"`
	}
	if json.Unmarshal(pt, &probe) != nil {
		return ""
	}
	switch {
	case probe.VerifiableCredential != nil:
		return ContentTypeSHC
	case probe.ResourceType != "":
		return ContentTypeFHIR
	case probe.AccessToken != "":
		return ContentTypeAPIAccess
	}
	return ""
}
