package share

import (
	"bytes"
	"compress/flate"
	"crypto/aes"
	"crypto/cipher"
	"encoding/base64"
	"encoding/json"
	"errors"
	"os"
	"strings"
	"testing"
)

func testKey(b byte) []byte { return bytes.Repeat([]byte{b}, 32) }

// sealJWE builds a compact JWE with any header, independently of
// EncryptFile, to test what DecryptFile accepts and refuses.
func sealJWE(t testing.TB, header string, plaintext, key []byte) string {
	t.Helper()
	block, err := aes.NewCipher(key)
	if err != nil {
		t.Fatal(err)
	}
	gcm, _ := cipher.NewGCM(block)
	iv := bytes.Repeat([]byte{7}, 12)
	h := base64.RawURLEncoding.EncodeToString([]byte(header))
	sealed := gcm.Seal(nil, iv, plaintext, []byte(h))
	b := base64.RawURLEncoding.EncodeToString
	return h + ".." + b(iv) + "." + b(sealed[:len(sealed)-16]) + "." + b(sealed[len(sealed)-16:])
}

func deflate(t testing.TB, data []byte) []byte {
	t.Helper()
	var buf bytes.Buffer
	w, _ := flate.NewWriter(&buf, flate.BestCompression)
	w.Write(data)
	w.Close()
	return buf.Bytes()
}

func TestJWERoundTrip(t *testing.T) {
	key := testKey(1)
	pt := []byte(`{"resourceType":"Bundle","type":"collection","entry":[]}`)
	jwe, err := EncryptFile(pt, key, ContentTypeFHIR)
	if err != nil {
		t.Fatal(err)
	}
	hb, _ := base64.RawURLEncoding.DecodeString(strings.Split(jwe, ".")[0])
	var h map[string]string
	if err := json.Unmarshal(hb, &h); err != nil {
		t.Fatal(err)
	}
	if h["alg"] != "dir" || h["enc"] != "A256GCM" || h["zip"] != "DEF" || h["cty"] != ContentTypeFHIR || len(h) != 4 {
		t.Errorf("header %v", h)
	}
	got, cty, err := DecryptFile(jwe, key)
	if err != nil || cty != ContentTypeFHIR || !bytes.Equal(got, pt) {
		t.Fatalf("DecryptFile = %q, %q, %v", got, cty, err)
	}
	again, _ := EncryptFile(pt, key, ContentTypeFHIR)
	if strings.Split(again, ".")[2] == strings.Split(jwe, ".")[2] {
		t.Error("two encryptions under one key share an IV")
	}
	if _, err := EncryptFile(pt, key[:16], ContentTypeFHIR); err == nil {
		t.Error("a 16-byte key was accepted")
	}
	if _, err := EncryptFile(pt, key, ""); err == nil {
		t.Error("an empty content type was accepted")
	}
}

// The spec's "Example Decryption": an uncompressed JWE made by the jose
// library, which must open with the example key.
func TestDecryptSpecExample(t *testing.T) {
	jwe, err := os.ReadFile("testdata/spec-example.jwe")
	if err != nil {
		t.Fatal(err)
	}
	key, _ := base64.RawURLEncoding.DecodeString(specKey)
	pt, cty, err := DecryptFile(string(jwe), key)
	if err != nil {
		t.Fatal(err)
	}
	if cty != ContentTypeSHC {
		t.Errorf("cty %q", cty)
	}
	jwss, err := ParseCardFile(pt)
	if err != nil || !strings.HasPrefix(jwss[0], "eyJ6aXAiOiJERUYiLCJhbGciOiJFUzI1NiIsImtpZCI6IjNLZmRnLVh3UC03Z1h5eXd0VWZVQUR3QnVtRE9QS01ReC1pRUxMMTFX") {
		t.Errorf("plaintext %.80q…, %v", pt, err)
	}
}

func TestDecryptFileRefusals(t *testing.T) {
	key := testKey(2)
	good, _ := EncryptFile([]byte(`{"a":1}`), key, ContentTypeFHIR)
	parts := strings.Split(good, ".")
	flip := func(s string) string { // change one base64url character
		b := []byte(s)
		if b[2] == 'A' {
			b[2] = 'B'
		} else {
			b[2] = 'A'
		}
		return string(b)
	}
	join := func(p ...string) string { return strings.Join(p, ".") }
	cases := map[string]struct {
		jwe  string
		want error
	}{
		"wrong key":         {good, ErrDecrypt}, // decrypted with testKey(3) below
		"tampered ct":       {join(parts[0], "", parts[2], flip(parts[3]), parts[4]), ErrDecrypt},
		"tampered tag":      {join(parts[0], "", parts[2], parts[3], flip(parts[4])), ErrDecrypt},
		"tampered iv":       {join(parts[0], "", flip(parts[2]), parts[3], parts[4]), ErrDecrypt},
		"header swapped":    {join(base64.RawURLEncoding.EncodeToString([]byte(`{"alg":"dir","enc":"A256GCM","zip":"DEF","cty":"text/plain"}`)), "", parts[2], parts[3], parts[4]), ErrDecrypt},
		"four parts":        {join(parts[0], parts[2], parts[3], parts[4]), ErrBadJWE},
		"encrypted key":     {join(parts[0], "AAAA", parts[2], parts[3], parts[4]), ErrBadJWE},
		"short iv":          {join(parts[0], "", "AAAA", parts[3], parts[4]), ErrBadJWE},
		"header not json":   {join("bm90IGpzb24", "", parts[2], parts[3], parts[4]), ErrBadJWE},
		"alg A256KW":        {sealJWE(t, `{"alg":"A256KW","enc":"A256GCM"}`, []byte("x"), key), ErrUnsupportedJWE},
		"alg none":          {sealJWE(t, `{"alg":"none","enc":"A256GCM"}`, []byte("x"), key), ErrUnsupportedJWE},
		"enc A128GCM":       {sealJWE(t, `{"alg":"dir","enc":"A128GCM"}`, []byte("x"), key), ErrUnsupportedJWE},
		"enc CBC":           {sealJWE(t, `{"alg":"dir","enc":"A256CBC-HS512"}`, []byte("x"), key), ErrUnsupportedJWE},
		"zip GZ":            {sealJWE(t, `{"alg":"dir","enc":"A256GCM","zip":"GZ"}`, []byte("x"), key), ErrUnsupportedJWE},
		"crit":              {sealJWE(t, `{"alg":"dir","enc":"A256GCM","crit":["exp"],"exp":1}`, []byte("x"), key), ErrUnsupportedJWE},
		"bad deflate":       {sealJWE(t, `{"alg":"dir","enc":"A256GCM","zip":"DEF"}`, []byte{0xff, 0xff, 0xff}, key), ErrBadJWE},
		"zip bomb (65 MiB)": {sealJWE(t, `{"alg":"dir","enc":"A256GCM","zip":"DEF"}`, deflate(t, make([]byte, MaxFileSize+1<<20)), key), ErrFileTooLarge},
	}
	for name, c := range cases {
		t.Run(name, func(t *testing.T) {
			k := key
			if name == "wrong key" {
				k = testKey(3)
			}
			_, _, err := DecryptFile(c.jwe, k)
			if !errors.Is(err, c.want) {
				t.Fatalf("DecryptFile = %v; want %v", err, c.want)
			}
		})
	}
}

func TestDecryptFileWithoutZipOrCty(t *testing.T) {
	key := testKey(4)
	jwe := sealJWE(t, `{"alg":"dir","enc":"A256GCM","kid":"whatever"}`, []byte("plain"), key)
	pt, cty, err := DecryptFile(jwe, key)
	if err != nil || string(pt) != "plain" || cty != "" {
		t.Fatalf("DecryptFile = %q, %q, %v", pt, cty, err)
	}
	jwe = sealJWE(t, `{"alg":"dir","enc":"A256GCM","zip":"DEF","cty":"application/fhir+json"}`, deflate(t, []byte("squeezed")), key)
	if pt, cty, err = DecryptFile(jwe, key); err != nil || string(pt) != "squeezed" || cty != ContentTypeFHIR {
		t.Fatalf("DecryptFile = %q, %q, %v", pt, cty, err)
	}
}
