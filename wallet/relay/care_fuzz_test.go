package relay

import (
	"encoding/json"
	"errors"
	"strings"
	"testing"
	"time"
)

// FuzzBlobRequest feeds the blob upload parser: never a panic, every
// refusal a bad request, and what it accepts is within the blob limits.
func FuzzBlobRequest(f *testing.F) {
	now := time.Unix(1_800_000_000, 0)
	for _, s := range []string{
		`{"expires":1800003600,"data":"c2VhbGVk"}`,
		`{"expires":1800003600,"data":"c2VhbGVk=="}`,
		`{"expires":1700000000,"data":"c2VhbGVk"}`,
		`{"expires":1900000000,"data":"c2VhbGVk"}`,
		`{"expires":1800003600,"data":""}`,
		`{"expires":1800003600,"data":"` + strings.Repeat("A", maxBlobBody) + `"}`,
		`{"data":"c2VhbGVk"}`, `[]`, `{`, ``,
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, body []byte) {
		data, expires, err := parseBlobRequest(body, now)
		if err != nil {
			if !errors.Is(err, errBadRequest) {
				t.Fatalf("refusal not marked as a bad request: %v", err)
			}
			return
		}
		if len(data) == 0 || len(data) > MaxBlobSize {
			t.Fatalf("accepted %d bytes", len(data))
		}
		if !expires.After(now) || expires.Sub(now) > MaxBlobTTL {
			t.Fatalf("accepted expiry %v", expires)
		}
	})
}

// FuzzReplaceRequest feeds the care copy's replace parser: never a panic,
// every refusal a bad request, and what it accepts are files within the
// limits and the share's flag.
func FuzzReplaceRequest(f *testing.F) {
	lim := Limits{MaxFiles: 4}.withDefaults()
	jwe := sealJWE(f, "application/fhir+json", []byte(bundleText))
	good, _ := json.Marshal(replaceRequestJSON{Files: []File{{ContentType: "application/fhir+json", JWE: jwe}}})
	two, _ := json.Marshal(replaceRequestJSON{Files: []File{{ContentType: "a/b", JWE: jwe}, {ContentType: "a/c", JWE: jwe}}})
	for _, s := range [][]byte{good, two, []byte(`{"files":[]}`), []byte(`{"files":[{"contentType":"x","jwe":"a.b.c.d.e"}]}`), []byte(`{}`), []byte(`null`)} {
		f.Add(s, "L")
		f.Add(s, "U")
	}
	f.Fuzz(func(t *testing.T, body []byte, flag string) {
		files, err := parseReplaceRequest(body, flag, lim)
		if err != nil {
			if !errors.Is(err, errBadRequest) {
				t.Fatalf("refusal not marked as a bad request: %v", err)
			}
			return
		}
		if len(files) == 0 || len(files) > lim.MaxFiles || strings.Contains(flag, FlagDirect) && len(files) != 1 {
			t.Fatalf("accepted %d files for flag %q", len(files), flag)
		}
		for _, f := range files {
			if checkCompactJWE(f.JWE) != nil || checkContentType(f.ContentType) != nil || int64(len(f.JWE)) > lim.MaxFileSize {
				t.Fatalf("accepted file %+v", f)
			}
		}
	})
}
