package relay

import (
	"bytes"
	"encoding/json"
	"errors"
	"strings"
	"testing"
	"time"
	"unicode/utf8"
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
		case len(req.SharingKey) != 32 || req.GrantDigest == [32]byte{}:
			t.Fatal("accepted a bad key or digest")
		}
		for _, f := range req.Files {
			if checkCompactJWE(f.JWE) != nil || checkContentType(f.ContentType) != nil || bytes.Count([]byte(f.JWE), []byte(".")) != 4 {
				t.Fatalf("accepted file %+v", f)
			}
		}
	})
}
