package cards

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"sort"
	"time"

	"healthwallet/wallet/share"
)

// KeysFresh is how long fetched keys and revocation lists are used without
// asking the issuer again. When the issuer cannot be reached, older ones
// are used all the same (offline verification); revocation lists are asked
// for again sooner, as a revocation should be seen quickly.
const (
	KeysFresh = 24 * time.Hour
	CRLFresh  = time.Hour
)

// maxIssuerDoc bounds a JWKS or CRL fetched from an issuer.
const maxIssuerDoc = 1 << 20

// State is the trust store: the directories the patient trusts and the
// keys seen, kept between runs (the wallet seals it in its vault).
type State struct {
	Directories []DirectoryState `json:"directories"`
	// Keys are issuers' documents, by iss.
	Keys map[string]*IssuerDocs `json:"keys,omitempty"`
}

// DirectoryState is one trusted directory.
type DirectoryState struct {
	Source    string        `json:"source"` // https URL or file path
	Added     time.Time     `json:"added"`
	Refreshed time.Time     `json:"refreshed,omitzero"`
	Problem   string        `json:"problem,omitempty"`
	Refused   []string      `json:"refused,omitempty"`
	Issuers   []IssuerEntry `json:"issuers"`
}

// IssuerEntry is an issuer a directory lists.
type IssuerEntry struct {
	Iss  string `json:"iss"`
	Name string `json:"name"`
}

// IssuerDocs are an issuer's JWKS and CRLs with when each was had.
type IssuerDocs struct {
	JWKS    []byte          `json:"jwks,omitempty"`
	Fetched time.Time       `json:"fetched,omitzero"`
	CRLs    map[string]*Doc `json:"crls,omitempty"` // by kid
}

// Doc is one document and when it was had.
type Doc struct {
	Body    []byte    `json:"body"`
	Fetched time.Time `json:"fetched"`
}

// ParseState reads a State saved with [State.Marshal]; empty data is an
// empty State.
func ParseState(data []byte) (*State, error) {
	s := &State{}
	if len(data) == 0 {
		return s, nil
	}
	if err := json.Unmarshal(data, s); err != nil {
		return nil, fmt.Errorf("reading the trusted card issuers: %w", err)
	}
	return s, nil
}

// Marshal is the State as saved.
func (s *State) Marshal() ([]byte, error) { return json.Marshal(s) }

// Trusted says whether iss is listed by a trusted directory, and its name
// there.
func (s *State) Trusted(iss string) (name string, ok bool) {
	for _, d := range s.Directories {
		for _, e := range d.Issuers {
			if e.Iss == iss {
				return e.Name, true
			}
		}
	}
	return "", false
}

// Put adds or replaces the directory from source, keeping the keys it
// carries, at time now.
func (s *State) Put(source string, d Directory, now time.Time) DirectoryState {
	ds := DirectoryState{Source: source, Added: now, Refreshed: now, Refused: d.Refused}
	for _, is := range d.Issuers {
		ds.Issuers = append(ds.Issuers, IssuerEntry{Iss: is.Iss, Name: is.Name})
		if is.JWKS != nil {
			docs := s.docs(is.Iss)
			docs.JWKS, docs.Fetched = is.JWKS, now
		}
		for kid, crl := range is.CRLs {
			docs := s.docs(is.Iss)
			if docs.CRLs == nil {
				docs.CRLs = map[string]*Doc{}
			}
			docs.CRLs[kid] = &Doc{Body: crl, Fetched: now}
		}
	}
	for i := range s.Directories {
		if s.Directories[i].Source == source {
			ds.Added = s.Directories[i].Added
			s.Directories[i] = ds
			return ds
		}
	}
	s.Directories = append(s.Directories, ds)
	return ds
}

// Remove stops trusting a directory (by source) or an issuer (by iss, from
// every directory listing it). It reports whether anything was removed.
func (s *State) Remove(issOrSource string) bool {
	removed := false
	kept := s.Directories[:0]
	for _, d := range s.Directories {
		if d.Source == issOrSource {
			removed = true
			continue
		}
		issuers := d.Issuers[:0]
		for _, e := range d.Issuers {
			if e.Iss == issOrSource {
				removed = true
				continue
			}
			issuers = append(issuers, e)
		}
		d.Issuers = issuers
		kept = append(kept, d)
	}
	s.Directories = kept
	return removed
}

// IssuerList is every trusted issuer once, sorted by iss, with the source of
// the first directory listing it.
func (s *State) IssuerList() []ListedIssuer {
	seen := map[string]bool{}
	var out []ListedIssuer
	for _, d := range s.Directories {
		for _, e := range d.Issuers {
			if seen[e.Iss] {
				continue
			}
			seen[e.Iss] = true
			li := ListedIssuer{IssuerEntry: e, Directory: d.Source}
			if docs := s.Keys[e.Iss]; docs != nil {
				li.KeysFetched = docs.Fetched
			}
			out = append(out, li)
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Iss < out[j].Iss })
	return out
}

// ListedIssuer is a trusted issuer as listed.
type ListedIssuer struct {
	IssuerEntry
	Directory   string
	KeysFetched time.Time
}

func (s *State) docs(iss string) *IssuerDocs {
	if s.Keys == nil {
		s.Keys = map[string]*IssuerDocs{}
	}
	d := s.Keys[iss]
	if d == nil {
		d = &IssuerDocs{}
		s.Keys[iss] = d
	}
	return d
}

// Resolver answers share.VerifyCard's questions from the State's cache,
// asking the issuer (Fetch) when the cache is stale or empty and keeping
// what it gets. When the issuer cannot be reached, a stale cache is used.
// Changed reports whether the State needs saving.
type Resolver struct {
	State   *State
	Fetch   Fetcher // nil: only the cache
	Now     time.Time
	Changed bool
}

var _ share.IssuerKeyResolver = (*Resolver)(nil)

// JWKS implements share.IssuerKeyResolver.
func (r *Resolver) JWKS(ctx context.Context, iss string) ([]byte, error) {
	if err := share.CheckIssuerURL(iss); err != nil {
		return nil, err
	}
	docs := r.State.Keys[iss]
	if docs != nil && docs.JWKS != nil && r.Now.Sub(docs.Fetched) < KeysFresh {
		return docs.JWKS, nil
	}
	body, err := r.fetch(ctx, iss+"/.well-known/jwks.json")
	if err != nil {
		if docs != nil && docs.JWKS != nil {
			return docs.JWKS, nil // offline: the keys seen last
		}
		return nil, fmt.Errorf("the issuer's keys could not be fetched and none are kept: %w", err)
	}
	docs = r.State.docs(iss)
	docs.JWKS, docs.Fetched = body, r.Now
	r.Changed = true
	return body, nil
}

// CRL implements share.IssuerKeyResolver.
func (r *Resolver) CRL(ctx context.Context, iss, kid string) ([]byte, error) {
	if err := share.CheckIssuerURL(iss); err != nil {
		return nil, err
	}
	if !isB64URL(kid) {
		return nil, fmt.Errorf("kid %q is not base64url", kid)
	}
	var kept *Doc
	if docs := r.State.Keys[iss]; docs != nil {
		kept = docs.CRLs[kid]
	}
	if kept != nil && r.Now.Sub(kept.Fetched) < CRLFresh {
		return kept.Body, nil
	}
	body, err := r.fetch(ctx, iss+"/.well-known/crl/"+kid+".json")
	if err != nil {
		if kept != nil {
			return kept.Body, nil
		}
		return nil, fmt.Errorf("the issuer's revocation list could not be fetched and none is kept: %w", err)
	}
	docs := r.State.docs(iss)
	if docs.CRLs == nil {
		docs.CRLs = map[string]*Doc{}
	}
	docs.CRLs[kid] = &Doc{Body: body, Fetched: r.Now}
	r.Changed = true
	return body, nil
}

func (r *Resolver) fetch(ctx context.Context, u string) ([]byte, error) {
	if r.Fetch == nil {
		return nil, errors.New("not fetching: offline")
	}
	return r.Fetch.Fetch(ctx, u, maxIssuerDoc)
}

func isB64URL(s string) bool {
	for _, c := range s {
		if !(c >= 'A' && c <= 'Z' || c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '-' || c == '_') {
			return false
		}
	}
	return s != ""
}
