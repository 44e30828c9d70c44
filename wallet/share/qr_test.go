package share

import (
	"bytes"
	"errors"
	"image"
	"image/color"
	"image/draw"
	"image/jpeg"
	"image/png"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/makiuchi-d/gozxing"
	gozxingqr "github.com/makiuchi-d/gozxing/qrcode"

	"healthwallet/wallet/testcorpus"
)

func TestLinkQRCodeRoundTrip(t *testing.T) {
	link := realisticLink(t).String()
	for _, ppm := range []int{1, 3, 8} {
		pngBytes, err := LinkQRCode(link, ppm)
		if err != nil {
			t.Fatal(err)
		}
		img, err := png.Decode(bytes.NewReader(pngBytes))
		if err != nil {
			t.Fatal(err)
		}
		// Whole pixels per module: the side is a multiple of ppm, and the
		// top-left finder pattern's dark edge is exactly 7 modules wide.
		side := img.Bounds().Dx()
		if side%ppm != 0 {
			t.Errorf("%d px/module: side %d", ppm, side)
		}
		quiet := 4 * ppm
		dark := 0
		for x := quiet; x < side && isDark(img.At(x, quiet)); x++ {
			dark++
		}
		if dark != 7*ppm {
			t.Errorf("%d px/module: finder edge %d px, want %d", ppm, dark, 7*ppm)
		}
		if ppm == 1 {
			continue // too small for a camera; the geometry is what matters
		}
		got, err := DecodeQRImage(bytes.NewReader(pngBytes))
		if err != nil || got != link {
			t.Fatalf("%d px/module: DecodeQRImage = %q, %v", ppm, got, err)
		}
		// Level M, as the spec recommends.
		bmp, _ := gozxing.NewBinaryBitmapFromImage(img)
		res, err := gozxingqr.NewQRCodeReader().Decode(bmp, map[gozxing.DecodeHintType]any{gozxing.DecodeHintType_PURE_BARCODE: true})
		if err != nil {
			t.Fatal(err)
		}
		if level := res.GetResultMetadata()[gozxing.ResultMetadataType_ERROR_CORRECTION_LEVEL]; level != "M" {
			t.Errorf("error correction level %v; want M", level)
		}
	}
	if _, err := LinkQRCode(link, 0); err == nil {
		t.Error("0 pixels per module accepted")
	}
}

func isDark(c color.Color) bool {
	r, g, b, _ := c.RGBA()
	return r+g+b < 3*0x8000
}

// A photo-like capture: the QR code scaled by a non-integer factor, rotated
// a quarter turn, off-centre on a grey background, saved as JPEG.
// The link is fixed: a random one made the decode's outcome vary run to run.
func TestDecodeQRImagePhoto(t *testing.T) {
	l := realisticLink(t)
	for i := range l.Key {
		l.Key[i] = byte(i * 7)
	}
	l.URL = "https://relay.healthwallet.example/shl/" + strings.Repeat("Qk", 21) + "Q"
	l.Exp = time.Date(2027, 1, 2, 3, 4, 5, 0, time.UTC)
	link := l.WithViewer("https://viewer.example/")
	pngBytes, _ := LinkQRCode(link, 4)
	src, _ := png.Decode(bytes.NewReader(pngBytes))
	n := src.Bounds().Dx()
	scale := 2.3
	canvas := image.NewRGBA(image.Rect(0, 0, int(float64(n)*scale)+200, int(float64(n)*scale)+150))
	draw.Draw(canvas, canvas.Bounds(), &image.Uniform{color.Gray{0xb0}}, image.Point{}, draw.Src)
	for y := 0; y < int(float64(n)*scale); y++ {
		for x := 0; x < int(float64(n)*scale); x++ {
			// a quarter turn: (x, y) ← (y, n-1-x)
			sx, sy := int(float64(y)/scale), n-1-int(float64(x)/scale)
			canvas.Set(x+120, y+40, src.At(sx, sy))
		}
	}
	var jb bytes.Buffer
	if err := jpeg.Encode(&jb, canvas, &jpeg.Options{Quality: 60}); err != nil {
		t.Fatal(err)
	}
	got, err := DecodeQRImage(&jb)
	if err != nil || got != link {
		t.Fatalf("DecodeQRImage(photo) = %q, %v", got, err)
	}
}

func TestDecodeQRImageRefusals(t *testing.T) {
	blank := image.NewGray(image.Rect(0, 0, 200, 200))
	var b bytes.Buffer
	png.Encode(&b, blank)
	if _, err := DecodeQRImage(&b); !errors.Is(err, ErrNoQRCode) {
		t.Errorf("blank image: %v", err)
	}
	if _, err := DecodeQRImage(strings.NewReader("not an image")); err == nil {
		t.Error("text accepted as an image")
	}
}

// The spec's own QR images decode to the link in the matching .txt, and the
// dev tools' SHL QR to its link.
func TestDecodeQRImageCorpus(t *testing.T) {
	dir := testcorpus.Dir(t, "shl-spec")
	pairs := map[string]string{
		filepath.Join(dir, "IPS_IG-bundle-01-shl.png"): filepath.Join(dir, "IPS_IG-bundle-01-shl.txt"),
		filepath.Join(dir, "CARIN_INS_CD-shl.png"):     filepath.Join(dir, "CARIN_INS_CD-bundle-01-shl.txt"),
	}
	dev := testcorpus.Dir(t, "shc-devtools")
	pairs[filepath.Join(dev, "shlink-qr.png")] = filepath.Join(dev, "shlink-link.txt")
	for img, txt := range pairs {
		t.Run(filepath.Base(img), func(t *testing.T) {
			f, err := os.Open(img)
			if err != nil {
				t.Fatal(err)
			}
			defer f.Close()
			want, err := os.ReadFile(txt)
			if err != nil {
				t.Fatal(err)
			}
			got, err := DecodeQRImage(f)
			if err != nil {
				t.Fatal(err)
			}
			if got != strings.TrimSpace(string(want)) {
				t.Fatalf("decoded %q\nwant    %q", got, want)
			}
			if _, err := ParseLink(got); err != nil {
				t.Errorf("ParseLink(decoded): %v", err)
			}
		})
	}
	// Pictures of a card QR from the dev tools (JPEG, scaled, cropped to
	// the code with no quiet zone): a numeric shc:/ text.
	for _, name := range []string{"test-example-00-g-qr-code-0-scaled-23.jpg", "test-example-00-g-qr-code-0-scaled-85.jpg"} {
		f, err := os.Open(filepath.Join(dev, name))
		if err != nil {
			t.Fatal(err)
		}
		got, err := DecodeQRImage(f)
		f.Close()
		if err != nil || !strings.HasPrefix(got, "shc:/") || strings.Trim(got[5:], "0123456789") != "" {
			t.Errorf("%s: %.40q…, %v", name, got, err)
		}
	}
}
