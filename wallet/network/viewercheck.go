package network

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"

	"healthwallet/wallet/viewer"
)

// This file: checking the web viewer a node serves. A page served by a
// relay trusts that relay: its operator could serve a page that lies. The
// bundle is reproducible, so a wallet (hw network show, the app's network
// screen) fetches the files the node serves, hashes them as
// viewer.BundleHash does, and compares with this build's — not only
// trusting the document's viewer field.

// ViewerCheck is what a wallet found about a node's viewer.
type ViewerCheck struct {
	// Served is "sha256:…" of the files the node serves; empty when they
	// could not be read.
	Served string `json:"served,omitempty"`
	// Document is what the node's document says it serves.
	Document string `json:"document,omitempty"`
	// Build is this build's viewer.
	Build string `json:"build"`
	// Same reports whether the node serves this build's viewer.
	Same bool `json:"same"`
	// Summary says it in one sentence; Problem what could not be checked.
	Summary string `json:"summary"`
	Problem string `json:"problem,omitempty"`
}

// Summaries of a ViewerCheck.
const (
	ViewerSameSummary    = "the viewer this node serves is the one in this build"
	ViewerDiffersSummary = "the viewer this node serves differs from this build's — a clinician should use the app, or check the node's version"
	ViewerUnknownSummary = "the viewer this node serves could not be checked"
)

// maxViewerFile bounds one file of the viewer read for checking.
const maxViewerFile = 4 << 20

// CheckViewer fetches the viewer's files from the relay at relayBase over
// hc and compares their hash with this build's and with doc's claim.
func CheckViewer(ctx context.Context, hc *http.Client, relayBase string, doc Document) ViewerCheck {
	c := ViewerCheck{Document: doc.Viewer, Build: ViewerHash(viewer.BundleHash())}
	base := strings.TrimSuffix(relayBase, "/") + viewer.Path
	var body [3][]byte
	for i, p := range []string{"", "/viewer.js", "/viewer.css"} {
		b, err := fetchViewerFile(ctx, hc, base+p)
		if err != nil {
			c.Summary, c.Problem = ViewerUnknownSummary, err.Error()
			return c
		}
		body[i] = b
	}
	c.Served = ViewerHash(viewer.HashFiles(body[0], body[1], body[2]))
	c.Same = c.Served == c.Build
	if c.Same {
		c.Summary = ViewerSameSummary
	} else {
		c.Summary = ViewerDiffersSummary
	}
	if c.Document != "" && c.Document != c.Served {
		c.Problem = fmt.Sprintf("the node's document names viewer %s but it serves %s", c.Document, c.Served)
	}
	return c
}

func fetchViewerFile(ctx context.Context, hc *http.Client, url string) ([]byte, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
	if err != nil {
		return nil, fmt.Errorf("reading the node's viewer at %s: %w", url, err)
	}
	resp, err := hc.Do(req)
	if err != nil {
		return nil, fmt.Errorf("reading the node's viewer at %s: %w", url, err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return nil, fmt.Errorf("the node serves no viewer at %s (HTTP %d): it may run an older version", url, resp.StatusCode)
	}
	b, err := io.ReadAll(io.LimitReader(resp.Body, maxViewerFile+1))
	if err != nil {
		return nil, fmt.Errorf("reading the node's viewer at %s: %w", url, err)
	}
	if len(b) > maxViewerFile {
		return nil, errors.New("the node's viewer at " + url + " is larger than any viewer")
	}
	return b, nil
}
