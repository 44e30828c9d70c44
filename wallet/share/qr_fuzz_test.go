package share

import (
	"bytes"
	"errors"
	"os"
	"path/filepath"
	"testing"

	"healthwallet/wallet/testcorpus"
)

// FuzzDecodeQRImage reads a stranger's picture: an error, never a panic or
// a runaway allocation, and a text only when a QR code was read. Seeds: a
// link QR as we render it, the SHL spec's QR PNGs.
func FuzzDecodeQRImage(f *testing.F) {
	png, err := LinkQRCode(specBare, 2)
	if err != nil {
		f.Fatal(err)
	}
	f.Add(png)
	for _, name := range []string{"IPS_IG-bundle-01-shl.png", "CARIN_INS_CD-shl.png"} {
		b, err := os.ReadFile(filepath.Join(testcorpus.Dir(f, "shl-spec"), name))
		if err != nil {
			f.Fatal(err)
		}
		f.Add(b)
	}
	f.Add([]byte("\x89PNG\r\n\x1a\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		text, err := DecodeQRImage(bytes.NewReader(data))
		if err == nil && text == "" {
			t.Fatal("a QR code read as no text")
		}
		if err != nil && text != "" {
			t.Fatalf("an error (%v) with a text %q", err, text)
		}
		if err != nil && errors.Is(err, ErrNoQRCode) && len(data) == 0 {
			t.Fatal("no bytes reported as a picture without a QR code")
		}
	})
}
