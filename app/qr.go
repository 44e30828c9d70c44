package app

import (
	"image/color"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/theme"

	"healthwallet/wallet/qrcode"
)

// qrCanvas is a QR code in the theme's colours, about size wide (rounded
// down to whole pixels per module). The
// darker of foreground and background draws the modules, so that a dark
// theme still gives the dark-on-light code that every scanner reads.
func (u *UI) qrCanvas(text string, size float32) (fyne.CanvasObject, error) {
	th, variant := u.app.Settings().Theme(), u.app.Settings().ThemeVariant()
	dark, light := th.Color(theme.ColorNameForeground, variant), th.Color(theme.ColorNameBackground, variant)
	if luminance(dark) > luminance(light) {
		dark, light = light, dark
	}
	img, err := qrcode.Image(text, 1, dark, light)
	if err != nil {
		return nil, err
	}
	c := canvas.NewImageFromImage(img)
	c.ScaleMode = canvas.ImageScalePixels
	c.FillMode = canvas.ImageFillContain
	// A whole number of pixels per module: no module drawn wider than its
	// neighbour, which some scanners stumble on.
	n := float32(img.Bounds().Dx())
	side := max(1, float32(int(size/n))) * n
	c.SetMinSize(fyne.NewSize(side, side))
	return c, nil
}

func luminance(c color.Color) uint32 {
	r, g, b, _ := c.RGBA()
	return (299*r + 587*g + 114*b) / 1000
}
