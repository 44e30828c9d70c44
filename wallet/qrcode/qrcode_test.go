package qrcode

import (
	"bytes"
	"image/color"
	"image/png"
	"strings"
	"testing"

	"github.com/makiuchi-d/gozxing"
	gozxingqr "github.com/makiuchi-d/gozxing/qrcode"
)

// TestPNGDecodes renders texts of several lengths at several scales and reads
// them back with an independent decoder.
func TestPNGDecodes(t *testing.T) {
	for _, text := range []string{"hwcard:x", strings.Repeat("shlink:/eyJ1cmwiOiJodHRwczovL3JlbGF5LmV4YW1wbGUvc2hsLyJ9", 5)} {
		for _, ppm := range []int{1, 3, 8} {
			b, err := PNG(text, ppm)
			if err != nil {
				t.Fatal(err)
			}
			img, err := png.Decode(bytes.NewReader(b))
			if err != nil {
				t.Fatal(err)
			}
			if img.Bounds().Dx()%ppm != 0 {
				t.Errorf("%d px wide at %d px per module: modules are not whole pixels", img.Bounds().Dx(), ppm)
			}
			if ppm == 1 {
				continue // too small for a camera-style decoder; checked at larger scales
			}
			bmp, _ := gozxing.NewBinaryBitmapFromImage(img)
			res, err := gozxingqr.NewQRCodeReader().Decode(bmp, map[gozxing.DecodeHintType]any{gozxing.DecodeHintType_PURE_BARCODE: true})
			if err != nil || res.GetText() != text {
				t.Errorf("%d px per module: decoded %v, %v", ppm, res, err)
			}
			if ec := res.GetResultMetadata()[gozxing.ResultMetadataType_ERROR_CORRECTION_LEVEL]; ec != "M" {
				t.Errorf("error correction %v, want M", ec)
			}
		}
	}
}

func TestRefusals(t *testing.T) {
	if _, err := PNG("", 4); err == nil {
		t.Error("an empty text was encoded")
	}
	if _, err := Image("x", 0, color.Black, color.White); err == nil {
		t.Error("0 pixels per module accepted")
	}
	if _, err := PNG(strings.Repeat("x", 5000), 1); err == nil {
		t.Error("a text too long for any QR code was encoded")
	}
}
