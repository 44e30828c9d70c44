package wallet

import (
	"fmt"
	"strings"
	"time"

	"healthwallet/wallet/relay"

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

// checkLinkFits refuses, before anything is signed or uploaded, a share
// whose viewer link would be too long for its QR: the link as it will be,
// with a share id of the relay's length at base.
func checkLinkFits(req ShareRequest, base string) error {
	flag := ""
	if req.Passcode != "" {
		flag = string(share.FlagPasscode)
	}
	base = strings.TrimSuffix(base, "/")
	probe := share.Link{
		URL: base + "/shl/" + strings.Repeat("A", relay.ManifestURLLength(base)-len(base)-len("/shl/")),
		Key: [32]byte{1}, Exp: now().Add(req.TTL).Truncate(time.Second), Flags: flag, Label: req.Label, V: 1,
	}
	_, err := viewerLink(probe, base)
	return err
}
