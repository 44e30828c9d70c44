package app

import (
	"fmt"
	"image/color"
	"math"
	"testing"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/theme"
)

// relativeLuminance is WCAG 2.x's relative luminance of an opaque colour.
func relativeLuminance(c color.Color) float64 {
	r, g, b, _ := c.RGBA()
	lin := func(v uint32) float64 {
		s := float64(v) / 0xffff
		if s <= 0.04045 {
			return s / 12.92
		}
		return math.Pow((s+0.055)/1.055, 2.4)
	}
	return 0.2126*lin(r) + 0.7152*lin(g) + 0.0722*lin(b)
}

// contrastRatio is WCAG 2.x's contrast ratio of two opaque colours.
func contrastRatio(a, b color.Color) float64 {
	la, lb := relativeLuminance(a), relativeLuminance(b)
	if la < lb {
		la, lb = lb, la
	}
	return (la + 0.05) / (lb + 0.05)
}

func TestContrastRatioKnownValues(t *testing.T) {
	black, white := color.Black, color.White
	if r := contrastRatio(black, white); math.Abs(r-21) > 0.01 {
		t.Fatalf("black on white: %.2f, want 21", r)
	}
	// #767676 on white is the lightest grey that passes AA: 4.54.
	if r := contrastRatio(color.NRGBA{0x76, 0x76, 0x76, 0xff}, white); math.Abs(r-4.54) > 0.01 {
		t.Fatalf("#767676 on white: %.2f, want 4.54", r)
	}
}

// Every text colour a person must read meets WCAG AA (4.5:1) on every
// background it is drawn on, in the light and the dark theme: secondary
// text (low-importance labels use the disabled colour), placeholders, and
// the error, warning and success text of labels.
func TestThemeContrast(t *testing.T) {
	test.NewTempApp(t) // the default theme asks the current app for its primary colour
	th := newAppTheme()
	texts := []fyne.ThemeColorName{theme.ColorNameForeground, theme.ColorNameDisabled, theme.ColorNamePlaceHolder,
		theme.ColorNameError, theme.ColorNameWarning, theme.ColorNameSuccess, theme.ColorNameHyperlink}
	backgrounds := []fyne.ThemeColorName{theme.ColorNameBackground, theme.ColorNameInputBackground,
		theme.ColorNameOverlayBackground, theme.ColorNameMenuBackground, theme.ColorNameHeaderBackground,
		theme.ColorNameButton}
	for _, v := range []fyne.ThemeVariant{theme.VariantLight, theme.VariantDark} {
		for _, fg := range texts {
			for _, bg := range backgrounds {
				t.Run(fmt.Sprintf("%s/%s on %s", variantName(v), fg, bg), func(t *testing.T) {
					if r := contrastRatio(th.Color(fg, v), th.Color(bg, v)); r < 4.5 {
						t.Errorf("contrast %.2f:1, WCAG AA needs 4.5:1", r)
					}
				})
			}
		}
		// Coloured buttons: their text on their colour.
		for _, b := range [][2]fyne.ThemeColorName{{theme.ColorNameForegroundOnError, theme.ColorNameError},
			{theme.ColorNameForegroundOnPrimary, theme.ColorNamePrimary}} {
			t.Run(fmt.Sprintf("%s/%s on %s", variantName(v), b[0], b[1]), func(t *testing.T) {
				if r := contrastRatio(th.Color(b[0], v), th.Color(b[1], v)); r < 4.5 {
					t.Errorf("contrast %.2f:1, WCAG AA needs 4.5:1", r)
				}
			})
		}
	}
	// Fyne's own default fails, or this test would not be needed.
	def := theme.DefaultTheme()
	if r := contrastRatio(def.Color(theme.ColorNameDisabled, theme.VariantLight), def.Color(theme.ColorNameBackground, theme.VariantLight)); r >= 4.5 {
		t.Logf("Fyne's default secondary text now passes (%.2f:1): the override may be dropped", r)
	}
}

func variantName(v fyne.ThemeVariant) string {
	if v == theme.VariantDark {
		return "dark"
	}
	return "light"
}
