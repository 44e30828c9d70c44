package app

import (
	"image/color"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/theme"
)

// This file: the app's theme. Fyne's default, with the colours of text a
// person must read darkened (light) or lightened (dark) until they meet
// WCAG AA contrast (4.5:1) on every background they are drawn on:
// secondary text (low-importance labels are drawn in the "disabled" colour),
// placeholders, links, and the error, warning, success and primary
// colours of labels and buttons. theme_test.go computes the ratios.

// appTheme is Fyne's default theme with readable secondary colours.
type appTheme struct{ fyne.Theme }

func newAppTheme() fyne.Theme { return appTheme{theme.DefaultTheme()} }

// readable are the colours appTheme replaces, per variant.
var readable = map[fyne.ThemeVariant]map[fyne.ThemeColorName]color.Color{
	theme.VariantLight: {
		theme.ColorNameDisabled:    color.NRGBA{R: 0x6b, G: 0x6b, B: 0x6b, A: 0xff},
		theme.ColorNamePlaceHolder: color.NRGBA{R: 0x6b, G: 0x6b, B: 0x6b, A: 0xff},
		theme.ColorNameError:       color.NRGBA{R: 0xc6, G: 0x28, B: 0x28, A: 0xff},
		theme.ColorNameWarning:     color.NRGBA{R: 0x9a, G: 0x50, B: 0x00, A: 0xff},
		theme.ColorNameSuccess:     color.NRGBA{R: 0x1b, G: 0x6e, B: 0x20, A: 0xff},
		theme.ColorNameHyperlink:   color.NRGBA{R: 0x1a, G: 0x56, B: 0xdb, A: 0xff},
		theme.ColorNamePrimary:     color.NRGBA{R: 0x1a, G: 0x56, B: 0xdb, A: 0xff},
	},
	theme.VariantDark: {
		theme.ColorNameDisabled:    color.NRGBA{R: 0x9e, G: 0x9e, B: 0x9e, A: 0xff},
		theme.ColorNamePlaceHolder: color.NRGBA{R: 0xb2, G: 0xb2, B: 0xb2, A: 0xff},
		theme.ColorNameError:       color.NRGBA{R: 0xff, G: 0x6e, B: 0x63, A: 0xff},
		theme.ColorNameHyperlink:   color.NRGBA{R: 0x8a, G: 0xb4, B: 0xf8, A: 0xff},
		theme.ColorNamePrimary:     color.NRGBA{R: 0x1a, G: 0x56, B: 0xdb, A: 0xff},
	},
}

func (t appTheme) Color(n fyne.ThemeColorName, v fyne.ThemeVariant) color.Color {
	if c, ok := readable[v][n]; ok {
		return c
	}
	return t.Theme.Color(n, v)
}
