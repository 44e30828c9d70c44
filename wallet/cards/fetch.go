package cards

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"time"
)

// Fetcher gets a document from an https URL, at most limit bytes.
type Fetcher interface {
	Fetch(ctx context.Context, url string, limit int64) ([]byte, error)
}

// HTTPSFetcher fetches over HTTPS: never http, no redirects (an issuer's
// keys are at its own URL, not wherever it points), a timeout, and a bound
// on the body.
type HTTPSFetcher struct {
	// Client is the HTTP client; nil means one with a 20 s timeout. Its
	// redirect policy is replaced: redirects are refused.
	Client *http.Client
}

var _ Fetcher = HTTPSFetcher{}

// Fetch implements Fetcher.
func (h HTTPSFetcher) Fetch(ctx context.Context, u string, limit int64) ([]byte, error) {
	pu, err := url.Parse(u)
	if err != nil || pu.Scheme != "https" || pu.Host == "" {
		return nil, fmt.Errorf("%s is not an https URL: only https is fetched", u)
	}
	c := http.Client{Timeout: 20 * time.Second}
	if h.Client != nil {
		c = *h.Client
	}
	c.CheckRedirect = func(*http.Request, []*http.Request) error {
		return errors.New("redirects are not followed")
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u, nil)
	if err != nil {
		return nil, err
	}
	req.Header.Set("Accept", "application/json")
	resp, err := c.Do(req)
	if err != nil {
		return nil, fmt.Errorf("fetching %s: %w", u, err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return nil, fmt.Errorf("%s answered %s (redirects are not followed)", u, resp.Status)
	}
	if resp.ContentLength > limit {
		return nil, fmt.Errorf("%s is %d bytes, more than the %d allowed", u, resp.ContentLength, limit)
	}
	b, err := io.ReadAll(io.LimitReader(resp.Body, limit+1))
	if err != nil {
		return nil, fmt.Errorf("reading %s: %w", u, err)
	}
	if int64(len(b)) > limit {
		return nil, fmt.Errorf("%s is more than the %d bytes allowed", u, limit)
	}
	return b, nil
}
