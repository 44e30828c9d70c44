package wallet

import (
	"fmt"
	"strings"

	"healthwallet/wallet/share"
	"healthwallet/wallet/viewer"
)

// This file: the links a share hands out (DESIGN §7, §12). A share's link
// and QR are the viewer form, <relay>/view#shlink:/…: a phone camera opens
// it in a browser, on the relay's own web viewer, which decrypts and
// verifies the share there; the key stays in the fragment, which browsers
// never send. Every SHL receiver (hw receive, the app, other viewers) reads
// the link after the '#'.

// viewerLink is l behind the viewer of the relay that serves its manifest:
// the manifest URL's base (everything before "/shl/"), else base. It is
// refused when longer than share.MaxLinkLength, so that its QR stays small.
func viewerLink(l share.Link, base string) (string, error) {
	if i := strings.LastIndex(l.URL, "/shl/"); i > 0 {
		base = l.URL[:i]
	}
	text := l.WithViewer(strings.TrimSuffix(base, "/") + viewer.Path)
	if n := len(text); n > share.MaxLinkLength {
		return "", fmt.Errorf("the link is %d characters, at most %d keep its QR code small: shorten the label (or use a relay with a shorter URL)", n, share.MaxLinkLength)
	}
	return text, nil
}
