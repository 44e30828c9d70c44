// Package qrcode draws the wallet's QR codes — share links and identity
// cards — the one way every screen and file uses: error-correction level M
// (as the SMART Health Links spec recommends; a smudge or a fold still
// scans), the standard 4-module quiet zone, and each module a whole number
// of pixels square, so the code stays crisp when shown unscaled or scaled by
// whole pixels (go-qrcode's own scaling goes through float64 and can make a
// module a pixel short).
package qrcode

import (
	"bytes"
	"errors"
	"fmt"
	"image"
	"image/color"
	"image/png"

	"github.com/skip2/go-qrcode"
)

// MaxPixelsPerModule bounds the scale of a rendered code.
const MaxPixelsPerModule = 64

// Image draws text as a QR code with pixelsPerModule pixels per module (1 to
// MaxPixelsPerModule), modules in dark on light.
func Image(text string, pixelsPerModule int, dark, light color.Color) (*image.Paletted, error) {
	if pixelsPerModule < 1 || pixelsPerModule > MaxPixelsPerModule {
		return nil, fmt.Errorf("qrcode: %d pixels per module; use 1 to %d", pixelsPerModule, MaxPixelsPerModule)
	}
	if text == "" {
		return nil, errors.New("qrcode: nothing to encode")
	}
	q, err := qrcode.New(text, qrcode.Medium)
	if err != nil {
		return nil, fmt.Errorf("qrcode: encoding %d characters: %w", len(text), err)
	}
	bitmap := q.Bitmap()
	n := len(bitmap) * pixelsPerModule
	img := image.NewPaletted(image.Rect(0, 0, n, n), color.Palette{light, dark})
	for y, row := range bitmap {
		for x, on := range row {
			if !on {
				continue
			}
			for dy := range pixelsPerModule {
				start := img.PixOffset(x*pixelsPerModule, y*pixelsPerModule+dy)
				for dx := range pixelsPerModule {
					img.Pix[start+dx] = 1
				}
			}
		}
	}
	return img, nil
}

// PNG is Image in black on white, encoded as a PNG file.
func PNG(text string, pixelsPerModule int) ([]byte, error) {
	img, err := Image(text, pixelsPerModule, color.Black, color.White)
	if err != nil {
		return nil, err
	}
	var buf bytes.Buffer
	if err := (&png.Encoder{CompressionLevel: png.BestCompression}).Encode(&buf, img); err != nil {
		return nil, fmt.Errorf("qrcode: writing the PNG: %w", err)
	}
	return buf.Bytes(), nil
}
