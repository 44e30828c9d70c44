package share

import (
	"bytes"
	"errors"
	"fmt"
	"image"
	"image/color"
	_ "image/jpeg" // photos of a QR code
	_ "image/png"  // screenshots
	"io"

	"github.com/makiuchi-d/gozxing"
	gozxingqr "github.com/makiuchi-d/gozxing/qrcode"

	"healthwallet/wallet/qrcode"
)

// maxQRImage bounds an image DecodeQRImage reads: a phone photo is a few MB.
const (
	maxQRImage       = 32 << 20
	maxQRImagePixels = 50_000_000
)

// ErrNoQRCode: the image holds no QR code that could be read.
var ErrNoQRCode = errors.New("no QR code could be read in the image: try a sharper, closer or better lit picture")

// LinkQRCode renders link as a PNG QR code (see package qrcode: level M, as
// the SHL spec recommends, quiet zone, whole pixels per module),
// pixelsPerModule pixels per module.
func LinkQRCode(link string, pixelsPerModule int) ([]byte, error) {
	png, err := qrcode.PNG(link, pixelsPerModule)
	if err != nil {
		return nil, fmt.Errorf("share: the link's QR code: %w", err)
	}
	return png, nil
}

// DecodeQRImage reads the text of the QR code in a PNG or JPEG image: a
// screenshot, or a photo taken at an angle or in poor light (the decoder
// tries harder before giving up). It does not check that the text is a
// link; pass it to [ParseLink].
func DecodeQRImage(r io.Reader) (text string, err error) {
	data, err := io.ReadAll(io.LimitReader(r, maxQRImage+1))
	if err != nil {
		return "", fmt.Errorf("share: reading the image: %w", err)
	}
	if len(data) > maxQRImage {
		return "", fmt.Errorf("share: the image is over %d MB", maxQRImage>>20)
	}
	cfg, _, err := image.DecodeConfig(bytes.NewReader(data))
	if err != nil {
		return "", fmt.Errorf("share: not a PNG or JPEG image: %w", err)
	}
	if cfg.Width*cfg.Height > maxQRImagePixels || cfg.Width <= 0 || cfg.Height <= 0 {
		return "", fmt.Errorf("share: the image is %d×%d pixels, too large to scan", cfg.Width, cfg.Height)
	}
	img, _, err := image.Decode(bytes.NewReader(data))
	if err != nil {
		return "", fmt.Errorf("share: not a PNG or JPEG image: %w", err)
	}
	defer func() {
		if p := recover(); p != nil { // a stranger's image must not crash the receiver
			text, err = "", fmt.Errorf("%w (the decoder failed: %v)", ErrNoQRCode, p)
		}
	}()
	// A clean image (a PNG we rendered, a screenshot) reads best as a pure
	// barcode: gozxing's finder-pattern search misses about one in thirty
	// of our 300-character links that it reads this way.
	if bmp, err := gozxing.NewBinaryBitmap(gozxing.NewHybridBinarizer(gozxing.NewLuminanceSourceFromImage(img))); err == nil {
		if res, err := gozxingqr.NewQRCodeReader().Decode(bmp, map[gozxing.DecodeHintType]any{gozxing.DecodeHintType_PURE_BARCODE: true}); err == nil {
			return res.GetText(), nil
		}
	}
	// Then the image as it is, with a white margin (a crop that cut off
	// the quiet zone), and enlarged (a small screenshot), each with the
	// hybrid and the global-histogram binarizers.
	var first error
	for _, candidate := range []func() image.Image{
		func() image.Image { return img },
		func() image.Image { return withMargin(img, 1) },
		func() image.Image { return withMargin(img, 3) },
		func() image.Image { return withMargin(halve(img), 1) },
	} {
		c := candidate()
		if c == nil {
			continue
		}
		for _, bin := range []func(gozxing.LuminanceSource) gozxing.Binarizer{gozxing.NewHybridBinarizer, gozxing.NewGlobalHistgramBinarizer} {
			bmp, err := gozxing.NewBinaryBitmap(bin(gozxing.NewLuminanceSourceFromImage(c)))
			if err != nil {
				continue
			}
			res, err := gozxingqr.NewQRCodeReader().Decode(bmp, map[gozxing.DecodeHintType]any{gozxing.DecodeHintType_TRY_HARDER: true})
			if err == nil {
				return res.GetText(), nil
			}
			if first == nil {
				first = err
			}
		}
	}
	return "", fmt.Errorf("%w: %v", ErrNoQRCode, first)
}

// halve returns img at half size, each pixel the mean of four: a photo's
// noise and a scaled print's uneven modules even out.
func halve(img image.Image) image.Image {
	b := img.Bounds()
	w, h := b.Dx()/2, b.Dy()/2
	if w < 21 || h < 21 {
		return nil
	}
	out := image.NewGray(image.Rect(0, 0, w, h))
	for y := 0; y < h; y++ {
		for x := 0; x < w; x++ {
			var sum uint32
			for _, d := range [4][2]int{{0, 0}, {1, 0}, {0, 1}, {1, 1}} {
				sum += uint32(color.GrayModel.Convert(img.At(b.Min.X+2*x+d[0], b.Min.Y+2*y+d[1])).(color.Gray).Y)
			}
			out.Pix[y*out.Stride+x] = uint8(sum / 4)
		}
	}
	return out
}

// withMargin returns img scaled by an integer factor (nearest neighbour) on
// a white canvas with a margin of a tenth of its side, or nil when that
// would be too large to scan.
func withMargin(img image.Image, scale int) image.Image {
	if img == nil {
		return nil
	}
	b := img.Bounds()
	w, h := b.Dx()*scale, b.Dy()*scale
	if scale > 1 && max(b.Dx(), b.Dy()) > 600 {
		return nil // large enough already
	}
	m := max(w, h)/10 + 8
	out := image.NewGray(image.Rect(0, 0, w+2*m, h+2*m))
	for i := range out.Pix {
		out.Pix[i] = 0xff
	}
	for y := 0; y < h; y++ {
		for x := 0; x < w; x++ {
			out.Set(x+m, y+m, img.At(b.Min.X+x/scale, b.Min.Y+y/scale))
		}
	}
	return out
}
