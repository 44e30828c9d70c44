package share

import (
	"bytes"
	"compress/flate"
	"crypto/aes"
	"crypto/cipher"
	"crypto/rand"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strings"
)

// Size limits of encrypted files.
const (
	// MaxFileSize is the largest plaintext DecryptFile returns: a guard
	// against a small compressed file that inflates to gigabytes.
	MaxFileSize = 64 << 20
	// MaxJWESize is the longest compact JWE DecryptFile reads: a 64 MiB
	// plaintext that does not compress, in base64url, with room to spare.
	MaxJWESize   = 96 << 20
	maxJWEHeader = 4 << 10
	gcmIVSize    = 12
	gcmTagSize   = 16
)

// Errors of [EncryptFile] and [DecryptFile]; test with errors.Is.
var (
	// ErrBadJWE: the text is not a compact JWE.
	ErrBadJWE = errors.New("not a valid encrypted file (JWE)")
	// ErrUnsupportedJWE: a JWE this package does not read (only alg "dir",
	// enc "A256GCM", zip absent or "DEF", no crit).
	ErrUnsupportedJWE = errors.New("unsupported JWE")
	// ErrDecrypt: the file does not open with the key: the link's key is not
	// the one it was encrypted with, or the file was altered.
	ErrDecrypt = errors.New("the file could not be decrypted: the link's key does not match or the file was altered")
	// ErrFileTooLarge: the file is larger than MaxFileSize once inflated.
	ErrFileTooLarge = errors.New("the file is too large")
)

type jweHeader struct {
	Alg  string          `json:"alg"`
	Enc  string          `json:"enc"`
	Zip  string          `json:"zip,omitempty"`
	Cty  string          `json:"cty,omitempty"`
	Crit json.RawMessage `json:"crit,omitempty"`
}

// EncryptFile encrypts plaintext for a SMART Health Link as a compact JWE:
// alg "dir", enc "A256GCM", cty set to contentType, and the plaintext
// raw-DEFLATE compressed (zip "DEF") when it is at most [MaxInflatedFile]
// bytes; a larger one is sent uncompressed (no zip), since SHL viewers that
// use jose at its defaults refuse a file that inflates beyond 250 000 bytes
// (see files.go). key is the link's 32-byte key. Every call draws a fresh
// random IV, as files under one key must never share one.
func EncryptFile(plaintext []byte, key []byte, contentType string) (string, error) {
	if len(key) != 32 {
		return "", fmt.Errorf("share: encrypting: the key is %d bytes, want 32", len(key))
	}
	if contentType == "" {
		return "", errors.New("share: encrypting: the content type is required")
	}
	if len(plaintext) > MaxFileSize {
		return "", fmt.Errorf("share: encrypting: %w: %d bytes, at most %d", ErrFileTooLarge, len(plaintext), MaxFileSize)
	}
	compress := len(plaintext) <= MaxInflatedFile
	h := jweHeader{Alg: "dir", Enc: "A256GCM", Cty: contentType}
	if compress {
		h.Zip = "DEF"
	}
	hdr, err := json.Marshal(h)
	if err != nil {
		return "", fmt.Errorf("share: encrypting: %w", err)
	}
	body := plaintext
	if compress {
		var z bytes.Buffer
		w, _ := flate.NewWriter(&z, flate.BestCompression) // the level is valid
		if _, err := w.Write(plaintext); err != nil {
			return "", fmt.Errorf("share: compressing: %w", err)
		}
		if err := w.Close(); err != nil {
			return "", fmt.Errorf("share: compressing: %w", err)
		}
		body = z.Bytes()
	}
	aead, err := newGCM(key)
	if err != nil {
		return "", err
	}
	iv := make([]byte, gcmIVSize)
	if _, err := rand.Read(iv); err != nil {
		return "", fmt.Errorf("share: drawing an IV: %w", err)
	}
	protected := base64.RawURLEncoding.EncodeToString(hdr)
	sealed := aead.Seal(nil, iv, body, []byte(protected))
	ct, tag := sealed[:len(sealed)-gcmTagSize], sealed[len(sealed)-gcmTagSize:]
	b64 := base64.RawURLEncoding.EncodeToString
	return protected + ".." + b64(iv) + "." + b64(ct) + "." + b64(tag), nil
}

func newGCM(key []byte) (cipher.AEAD, error) {
	block, err := aes.NewCipher(key)
	if err != nil {
		return nil, fmt.Errorf("share: %w", err)
	}
	aead, err := cipher.NewGCM(block)
	if err != nil {
		return nil, fmt.Errorf("share: %w", err)
	}
	return aead, nil
}

// DecryptFile opens a compact JWE made by [EncryptFile] or any SMART Health
// Links sharer: alg "dir", enc "A256GCM", compressed (zip "DEF") or not. It
// returns the plaintext and the cty header ("" when absent). It refuses any
// other algorithm, a crit header, and a plaintext that inflates beyond
// [MaxFileSize]. Surrounding white space is ignored.
func DecryptFile(jwe string, key []byte) (plaintext []byte, contentType string, err error) {
	if len(key) != 32 {
		return nil, "", fmt.Errorf("share: decrypting: the key is %d bytes, want 32", len(key))
	}
	if len(jwe) > MaxJWESize {
		return nil, "", fmt.Errorf("%w: %w: %d bytes, at most %d", ErrBadJWE, ErrFileTooLarge, len(jwe), MaxJWESize)
	}
	jwe = strings.TrimSpace(jwe)
	parts := strings.Split(jwe, ".")
	if len(parts) != 5 {
		return nil, "", fmt.Errorf("%w: %d parts separated by '.', want 5", ErrBadJWE, len(parts))
	}
	if len(parts[0]) > maxJWEHeader {
		return nil, "", fmt.Errorf("%w: the header is %d bytes, at most %d", ErrBadJWE, len(parts[0]), maxJWEHeader)
	}
	hb, err := base64.RawURLEncoding.DecodeString(parts[0])
	if err != nil {
		return nil, "", fmt.Errorf("%w: header: %v", ErrBadJWE, err)
	}
	var h jweHeader
	if err := json.Unmarshal(hb, &h); err != nil {
		return nil, "", fmt.Errorf("%w: header: %v", ErrBadJWE, err)
	}
	switch {
	case h.Alg != "dir":
		return nil, "", fmt.Errorf("%w: alg %q, want \"dir\"", ErrUnsupportedJWE, h.Alg)
	case h.Enc != "A256GCM":
		return nil, "", fmt.Errorf("%w: enc %q, want \"A256GCM\"", ErrUnsupportedJWE, h.Enc)
	case h.Zip != "" && h.Zip != "DEF":
		return nil, "", fmt.Errorf("%w: zip %q, want \"DEF\" or none", ErrUnsupportedJWE, h.Zip)
	case h.Crit != nil:
		return nil, "", fmt.Errorf("%w: crit header %s is not understood", ErrUnsupportedJWE, h.Crit)
	case parts[1] != "":
		return nil, "", fmt.Errorf("%w: alg \"dir\" has no encrypted key, but one is present", ErrBadJWE)
	}
	iv, err1 := base64.RawURLEncoding.DecodeString(parts[2])
	ct, err2 := base64.RawURLEncoding.DecodeString(parts[3])
	tag, err3 := base64.RawURLEncoding.DecodeString(parts[4])
	if err := errors.Join(err1, err2, err3); err != nil {
		return nil, "", fmt.Errorf("%w: %v", ErrBadJWE, err)
	}
	if len(iv) != gcmIVSize || len(tag) != gcmTagSize {
		return nil, "", fmt.Errorf("%w: IV of %d bytes and tag of %d, want %d and %d", ErrBadJWE, len(iv), len(tag), gcmIVSize, gcmTagSize)
	}
	aead, err := newGCM(key)
	if err != nil {
		return nil, "", err
	}
	pt, err := aead.Open(nil, iv, append(ct, tag...), []byte(parts[0]))
	if err != nil {
		return nil, "", ErrDecrypt
	}
	if h.Zip == "DEF" {
		if pt, err = inflate(pt, MaxFileSize); err != nil {
			if errors.Is(err, ErrFileTooLarge) {
				return nil, "", err
			}
			return nil, "", fmt.Errorf("%w: %w", ErrBadJWE, err)
		}
	} else if len(pt) > MaxFileSize {
		return nil, "", fmt.Errorf("%w: %d bytes, at most %d", ErrFileTooLarge, len(pt), MaxFileSize)
	}
	return pt, h.Cty, nil
}

// inflate decompresses raw DEFLATE data, refusing output beyond limit bytes.
func inflate(data []byte, limit int64) ([]byte, error) {
	r := flate.NewReader(bytes.NewReader(data))
	defer r.Close()
	out, err := io.ReadAll(io.LimitReader(r, limit+1))
	if err != nil {
		return nil, fmt.Errorf("the compressed content is damaged: %v", err)
	}
	if int64(len(out)) > limit {
		return nil, fmt.Errorf("%w: more than %d bytes once decompressed", ErrFileTooLarge, limit)
	}
	return out, nil
}
