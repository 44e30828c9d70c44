// The card QR, decoded by an independent reader (gozxing), as a receiving
// device would: it must give back exactly the card's text, at level M.

package identity

import (
	"bytes"
	"image/png"
	"testing"

	"github.com/makiuchi-d/gozxing"
	gozxingqr "github.com/makiuchi-d/gozxing/qrcode"
)

func TestCardQRCodeDecodes(t *testing.T) {
	id := mustIdentity(t, phrase24)
	for _, name := range []string{"Ada Lovelace", "王小明", string(bytes.Repeat([]byte("x"), MaxDisplayName))} {
		c := mustCard(t, id, name)
		for _, ppm := range []int{2, 5} {
			pngBytes, err := c.QRCode(ppm)
			if err != nil {
				t.Fatal(err)
			}
			img, err := png.Decode(bytes.NewReader(pngBytes))
			if err != nil {
				t.Fatal(err)
			}
			bmp, err := gozxing.NewBinaryBitmapFromImage(img)
			if err != nil {
				t.Fatal(err)
			}
			res, err := gozxingqr.NewQRCodeReader().Decode(bmp, nil)
			if err != nil {
				t.Fatalf("%q at %d px/module: gozxing cannot read the QR: %v", name, ppm, err)
			}
			if res.GetText() != c.String() {
				t.Fatalf("QR text %q; want %q", res.GetText(), c.String())
			}
			if level := res.GetResultMetadata()[gozxing.ResultMetadataType_ERROR_CORRECTION_LEVEL]; level != "M" {
				t.Errorf("error correction level %v; want M", level)
			}
			if _, err := ParseCard(res.GetText()); err != nil {
				t.Errorf("ParseCard(scanned) = %v", err)
			}
		}
	}
}
