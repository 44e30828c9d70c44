// Package assets holds the app's bundled resources, embedded so that the
// binary needs no files beside it.
package assets

import (
	_ "embed"

	"fyne.io/fyne/v2"
)

//go:embed icon.png
var iconPNG []byte

// Icon is the app icon, 512×512 PNG drawn from icon.svg. FyneApp.toml
// points at the same file for packaging.
var Icon = fyne.NewStaticResource("icon.png", iconPNG)
