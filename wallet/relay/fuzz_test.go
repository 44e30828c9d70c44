package relay

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/ethereum/go-ethereum/common"
	"github.com/ethereum/go-ethereum/crypto"
)

// FuzzManifestRequest feeds the manifest request parser what strangers may
// POST: it must never panic, must refuse with errBadRequest, and what it
// accepts must hold a usable recipient.
func FuzzManifestRequest(f *testing.F) {
	for _, s := range []string{
		`{"recipient":"Dr. Smith","passcode":"1234","embeddedLengthMax":10000}`,
		`{"recipient":"Example SHL Client"}`,
		`{"recipient":"x","purpose":"TREAT","extension":{"a":1}}`,
		`{"recipient":"x","embeddedLengthMax":1e3}`,
		`{"recipient":"\u0000"}`,
		`{"recipient":"x","recipient":"y"}`,
		`{"recipient":"x"}{"recipient":"y"}`,
		`[]`, `null`, `""`, `{`, ``,
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, body []byte) {
		req, err := parseManifestRequest(body)
		if err != nil {
			if !errors.Is(err, errBadRequest) {
				t.Fatalf("refusal not marked as a bad request: %v", err)
			}
			return
		}
		if req.Recipient == "" || !utf8.ValidString(req.Recipient) || utf8.RuneCountInString(req.Recipient) > maxRecipientChars {
			t.Fatalf("accepted recipient %q", req.Recipient)
		}
		if req.EmbeddedLengthMax != nil && *req.EmbeddedLengthMax < 0 {
			t.Fatal("accepted a negative embeddedLengthMax")
		}
		if req.Passcode != nil && len(*req.Passcode) > maxPasscodeBytes {
			t.Fatal("accepted an overlong passcode")
		}
	})
}

// FuzzCreateRequest feeds the create request parser: it must never panic,
// and what it accepts must respect the flags' rules and the limits.
func FuzzCreateRequest(f *testing.F) {
	now := time.Unix(1_800_000_000, 0)
	lim := Limits{}.withDefaults()
	key := newPatient(f).sharing.PublicKey().Bytes()
	jwe := sealJWE(f, "application/fhir+json", []byte(bundleText))
	good := func(mut func(*createRequestJSON)) []byte {
		r := createRequestJSON{
			Patient:     "0x00000000000000000000000000000000000000aa",
			GrantDigest: "0x" + strings.Repeat("ab", 32),
			SharingKey:  b64(key),
			Expires:     now.Add(time.Hour).Unix(),
			Files:       []File{{ContentType: "application/fhir+json", JWE: jwe}},
		}
		if mut != nil {
			mut(&r)
		}
		b, _ := json.Marshal(r)
		return b
	}
	f.Add(good(nil))
	f.Add(good(func(r *createRequestJSON) { r.Flag, r.Passcode, r.MaxFailures = "LP", "1234", 3 }))
	f.Add(good(func(r *createRequestJSON) { r.Flag = "U" }))
	f.Add(good(func(r *createRequestJSON) { r.Flag = "PU" }))
	f.Add(good(func(r *createRequestJSON) {
		r.Files = append(r.Files, File{ContentType: "a/b", JWE: "e30.." + "a.b.c"})
	}))
	f.Add(good(func(r *createRequestJSON) {
		r.GrantDigest, r.Delegate = "", "0x00000000000000000000000000000000000000bb"
	}))
	f.Add(good(func(r *createRequestJSON) { r.Delegate = "0x00000000000000000000000000000000000000bb" }))
	f.Add(good(func(r *createRequestJSON) { r.GrantDigest, r.Delegate = "", r.Patient }))
	f.Add(good(func(r *createRequestJSON) { r.EmergencyKey = b64(bytes.Repeat([]byte{7}, 32)) }))
	f.Add(good(func(r *createRequestJSON) { r.EmergencyKey = b64(bytes.Repeat([]byte{0xff}, 32)) })) // not below the curve order
	f.Add(good(func(r *createRequestJSON) { r.EmergencyKey = b64(make([]byte, 32)) }))               // zero
	f.Add([]byte(`{"files":[{}]}`))
	f.Add([]byte(`{}`))
	f.Fuzz(func(t *testing.T, body []byte) {
		req, err := parseCreateRequest(body, now, lim)
		if err != nil {
			if !errors.Is(err, errBadRequest) {
				t.Fatalf("refusal not marked as a bad request: %v", err)
			}
			return
		}
		hasP, hasU := strings.Contains(req.Flag, "P"), strings.Contains(req.Flag, "U")
		switch {
		case hasP && hasU:
			t.Fatal("accepted P with U")
		case hasP != (req.Passcode != ""):
			t.Fatal("accepted a passcode without P, or P without a passcode")
		case hasU && len(req.Files) != 1:
			t.Fatal("accepted U with other than one file")
		case len(req.Files) == 0 || len(req.Files) > lim.MaxFiles:
			t.Fatalf("accepted %d files", len(req.Files))
		case !req.Expires.After(now) || req.Expires.Sub(now) > lim.MaxTTL:
			t.Fatalf("accepted expiry %v", req.Expires)
		case req.MaxFailures < 1 || req.MaxFailures > lim.MaxMaxFailures:
			t.Fatalf("accepted maxFailures %d", req.MaxFailures)
		case len(req.SharingKey) != 32:
			t.Fatal("accepted a bad key")
		case (req.GrantDigest == [32]byte{}) == (req.Delegate == common.Address{}):
			t.Fatal("accepted a share with neither a grant nor a delegate, or with both")
		case req.Delegate == req.Patient:
			t.Fatal("accepted the patient as its own delegate")
		case req.EmergencyKey != nil && len(req.EmergencyKey) != 32:
			t.Fatalf("accepted an emergency key of %d bytes", len(req.EmergencyKey))
		}
		if req.EmergencyKey != nil {
			if _, err := crypto.ToECDSA(req.EmergencyKey); err != nil {
				t.Fatalf("accepted an emergency key that is no secp256k1 key: %v", err)
			}
		}
		for _, f := range req.Files {
			if checkCompactJWE(f.JWE) != nil || checkContentType(f.ContentType) != nil || bytes.Count([]byte(f.JWE), []byte(".")) != 4 {
				t.Fatalf("accepted file %+v", f)
			}
		}
	})
}

// FuzzAuthHeader feeds the management API's Authorization header parser and
// the signature check what strangers may send: never a panic, every refusal
// an errUnauthenticated (401), and what parses is within its bounds.
func FuzzAuthHeader(f *testing.F) {
	key := newPatient(f).key
	now := time.Unix(1_800_000_000, 0)
	good, err := signRequest(key, "https://relay.example.org", PurposeList, http.MethodGet, "/api/shares", nil, now)
	if err != nil {
		f.Fatal(err)
	}
	f.Add(good)
	f.Add(strings.Replace(good, "sig=0x", "sig=", 1))
	f.Add("HW-Sig ts=1800000000,nonce=aaaaaaaaaaaaaaaaaaaa,sig=0x" + strings.Repeat("00", 65))
	f.Add("HW-Sig ts=-1,nonce=aaaaaaaaaaaaaaaaaaaa,sig=0x" + strings.Repeat("ff", 64) + "1c")
	f.Add("HW-Sig ts=99999999999999999999,nonce=,sig=")
	f.Add("HW-Sig ,,,=,ts==1")
	f.Add("HW-Sig ts=1,ts=1")
	f.Add("")
	f.Fuzz(func(t *testing.T, h string) {
		addr, a, err := recoverSigner(h, "https://relay.example.org", PurposeList, http.MethodGet, "/api/shares", nil, now, 5*time.Minute)
		if err != nil {
			if !errors.Is(err, errUnauthenticated) {
				t.Fatalf("refusal not a 401: %v", err)
			}
			return
		}
		if len(a.nonce) < 16 || len(a.nonce) > maxNonceLen || len(a.sig) != 65 || addr == (common.Address{}) {
			t.Fatalf("accepted %+v for %s", a, addr)
		}
		if d := now.Sub(time.Unix(a.ts, 0)); d > 5*time.Minute || d < -5*time.Minute {
			t.Fatalf("accepted a timestamp %v away", d)
		}
	})
}

// FuzzOpenEntry feeds the patient's wallet what a relay returns as sealed
// access log entries: random bytes (refused: not sealed to this key) and
// entries sealed to the key over arbitrary plaintext (refused unless an
// entry of this share). Never a panic.
func FuzzOpenEntry(f *testing.F) {
	p := newPatient(f)
	id := b64(make([]byte, idSize))
	pub := p.sharing.PublicKey().Bytes()
	good, _ := json.Marshal(AccessEntry{Time: time.Unix(1_800_000_000, 0), Recipient: "Dr. Smith", Kind: KindManifest, Outcome: OutcomeServed, Share: id})
	f.Add(good, false)
	f.Add(good, true)
	f.Add([]byte(`{"share":"`+id+`","time":"not a time"}`), true)
	f.Add([]byte(`{"share":"another"}`), true)
	f.Add([]byte(`[]`), true)
	f.Add([]byte{}, false)
	f.Fuzz(func(t *testing.T, data []byte, sealIt bool) {
		sealed := data
		if sealIt {
			var err error
			if sealed, err = sealTo(pub, data); err != nil {
				t.Fatal(err)
			}
		}
		e, err := OpenEntry(p.sharing, id, sealed)
		if err != nil {
			return
		}
		if !sealIt {
			t.Fatal("bytes not sealed to the key opened")
		}
		if e.Share != id {
			t.Fatalf("an entry of share %q accepted for %q", e.Share, id)
		}
	})
}

// fuzzTransport answers every request with one fuzzed response.
type fuzzTransport struct {
	status     int
	retryAfter string
	body       []byte
}

func (f fuzzTransport) RoundTrip(r *http.Request) (*http.Response, error) {
	h := http.Header{}
	h.Set("Retry-After", f.retryAfter)
	return &http.Response{StatusCode: f.status, Header: h, Body: io.NopCloser(bytes.NewReader(f.body)), Request: r}, nil
}

// FuzzClientResponses feeds the relay client (what the patient's wallet
// runs) arbitrary answers from a relay, for each call: never a panic; an
// error answer is an *APIError; and access log entries that do not open
// with the patient's key are refused, never shown.
func FuzzClientResponses(f *testing.F) {
	p := newPatient(f)
	id := b64(make([]byte, idSize))
	sealed, err := sealEntry(p.sharing.PublicKey().Bytes(), AccessEntry{Recipient: "Dr. Smith", Share: id})
	if err != nil {
		f.Fatal(err)
	}
	f.Add(200, "", []byte(`{"entries":[{"sealed":"`+b64(sealed)+`"}]}`))
	f.Add(200, "", []byte(`{"entries":[{"sealed":"!!"}]}`))
	f.Add(200, "", []byte(`{"shares":[{"id":"x","state":"active","expires":"2030-01-01T00:00:00Z"}]}`))
	f.Add(201, "", []byte(`{"id":"`+id+`","url":"https://relay.example.org/shl/`+id+`"}`))
	f.Add(429, "5", []byte(`{"error":"too many requests"}`))
	f.Add(503, "-1", []byte(`not json`))
	f.Add(413, "99999999999999999999", []byte(`{"error":1}`))
	f.Add(204, "", []byte{})
	f.Fuzz(func(t *testing.T, status int, retryAfter string, body []byte) {
		if status < 100 || status > 999 {
			return // net/http never hands the client such a status
		}
		c, err := NewClient("https://relay.example.org", p.key, &http.Client{Transport: fuzzTransport{status: status, retryAfter: retryAfter, body: body}})
		if err != nil {
			t.Fatal(err)
		}
		ctx := context.Background()
		check := func(want int, err error) {
			if status != want && err == nil {
				t.Fatalf("an answer %d taken for the %d expected", status, want)
			}
			var ae *APIError
			if errors.As(err, &ae) && ae.RetryAfter < 0 {
				t.Fatalf("negative Retry-After: %v", ae.RetryAfter)
			}
		}
		_, err = c.List(ctx)
		check(http.StatusOK, err)
		entries, err := c.AccessLog(ctx, id, p.sharing)
		check(http.StatusOK, err)
		for _, e := range entries {
			if e.Share != id {
				t.Fatalf("an entry of another share was shown: %+v", e)
			}
		}
		check(http.StatusNoContent, c.Revoke(ctx, id))
		_, err = c.CreateShare(ctx, CreateRequest{
			Files:   []File{{ContentType: "application/fhir+json", JWE: "e30..a.b.c"}},
			Expires: time.Unix(1_900_000_000, 0), GrantDigest: [32]byte{1}, SharingKey: p.sharing.PublicKey(),
		})
		check(http.StatusCreated, err)
	})
}
