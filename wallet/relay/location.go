package relay

import (
	"crypto/aes"
	"crypto/cipher"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"time"
)

// Location URLs: a manifest's files handed out by reference, each URL
// single-use and short-lived (Limits.LocationTTL), held in memory only.
//
// The relay keeps no receiver's words in clear, even in memory: a location
// is found by a hash of its token, and the recipient and purpose it will log
// are sealed under a key derived from the token, which only the URL's holder
// has.

// location is an outstanding location URL: one file of one share, for one
// receiver, until expires.
type location struct {
	share   string
	file    int
	sealed  []byte // AES-GCM of locationWho under the token's key
	expires time.Time
}

// locationWho is what a location keeps of its receiver, sealed.
type locationWho struct {
	Recipient string `json:"r"`
	Purpose   string `json:"p,omitempty"`
}

var (
	errTooManyLocations      = errors.New("the relay is holding too many location URLs; try again in a minute")
	errTooManyShareLocations = errors.New("too many file URLs of this link are outstanding: use the ones you have, or wait for them to expire")
)

// locationID is the map key of a token; locationKey the key its receiver is
// sealed under. Both are one-way: the map holds neither the token nor
// anything that opens the seal.
func locationID(tok string) string {
	h := sha256.Sum256([]byte("healthwallet-relay/location-id\x00" + tok))
	return hex.EncodeToString(h[:])
}

func locationAEAD(tok string) (cipher.AEAD, error) {
	k := sha256.Sum256([]byte("healthwallet-relay/location-key\x00" + tok))
	block, err := aes.NewCipher(k[:])
	if err != nil {
		return nil, err
	}
	return cipher.NewGCM(block)
}

// newLocations makes a location token for each of the files of share id,
// within Limits.MaxLocations in all and Limits.MaxShareLocations for the
// share. It returns the tokens by file index, or an error naming the limit.
func (s *Server) newLocations(id string, files []int, req manifestRequest) (map[int]string, error) {
	if len(files) == 0 {
		return nil, nil
	}
	who, err := json.Marshal(locationWho{Recipient: req.Recipient, Purpose: req.Purpose})
	if err != nil {
		return nil, err
	}
	now := s.now()
	toks := make(map[int]string, len(files))
	locs := make(map[string]*location, len(files))
	for _, i := range files {
		var b [32]byte
		if _, err := rand.Read(b[:]); err != nil {
			return nil, fmt.Errorf("reading randomness: %w", err)
		}
		tok := base64.RawURLEncoding.EncodeToString(b[:])
		aead, err := locationAEAD(tok)
		if err != nil {
			return nil, err
		}
		// The key is the token's alone, used once: a zero nonce is safe.
		sealed := aead.Seal(nil, make([]byte, aead.NonceSize()), who, nil)
		toks[i] = tok
		locs[locationID(tok)] = &location{share: id, file: i, sealed: sealed, expires: now.Add(s.lim.LocationTTL)}
	}

	s.tokensMu.Lock()
	defer s.tokensMu.Unlock()
	if len(s.tokens)+len(locs) > s.lim.MaxLocations || s.shareTokens[id]+len(locs) > s.lim.MaxShareLocations {
		for lid, l := range s.tokens {
			if !now.Before(l.expires) {
				s.forgetLocationLocked(lid, l)
			}
		}
	}
	if s.shareTokens[id]+len(locs) > s.lim.MaxShareLocations {
		return nil, errTooManyShareLocations
	}
	if len(s.tokens)+len(locs) > s.lim.MaxLocations {
		return nil, errTooManyLocations
	}
	for lid, l := range locs {
		s.tokens[lid] = l
	}
	s.shareTokens[id] += len(locs)
	return toks, nil
}

// locationRefused answers a manifest request whose location URLs could not
// be made.
func (s *Server) locationRefused(w http.ResponseWriter, r *http.Request, err error) {
	switch {
	case errors.Is(err, errTooManyShareLocations):
		w.Header().Set("Retry-After", strconv.Itoa(RetryAfterSeconds(s.lim.LocationTTL)))
		writeError(w, http.StatusTooManyRequests, err.Error())
	case errors.Is(err, errTooManyLocations):
		w.Header().Set("Retry-After", "60")
		writeError(w, http.StatusServiceUnavailable, err.Error())
	default:
		s.internalError(w, r, "making a location URL", err)
	}
}

// location finds the unexpired location of token tok and opens what it
// keeps of its receiver.
func (s *Server) location(tok string, now time.Time) (location, manifestRequest, bool) {
	s.tokensMu.Lock()
	l := s.tokens[locationID(tok)]
	s.tokensMu.Unlock()
	if l == nil || !now.Before(l.expires) {
		return location{}, manifestRequest{}, false
	}
	aead, err := locationAEAD(tok)
	if err != nil {
		return location{}, manifestRequest{}, false
	}
	pt, err := aead.Open(nil, make([]byte, aead.NonceSize()), l.sealed, nil)
	var who locationWho
	if err != nil || json.Unmarshal(pt, &who) != nil {
		return location{}, manifestRequest{}, false
	}
	return *l, manifestRequest{Recipient: who.Recipient, Purpose: who.Purpose}, true
}

// useLocation consumes token tok: true for the one caller that did.
func (s *Server) useLocation(tok string) bool {
	lid := locationID(tok)
	s.tokensMu.Lock()
	defer s.tokensMu.Unlock()
	l := s.tokens[lid]
	if l == nil {
		return false
	}
	s.forgetLocationLocked(lid, l)
	return true
}

// dropLocations forgets the location URLs of a share that ended.
func (s *Server) dropLocations(id string) {
	s.tokensMu.Lock()
	defer s.tokensMu.Unlock()
	for lid, l := range s.tokens {
		if l.share == id {
			s.forgetLocationLocked(lid, l)
		}
	}
}

func (s *Server) forgetLocationLocked(lid string, l *location) {
	delete(s.tokens, lid)
	if s.shareTokens[l.share]--; s.shareTokens[l.share] <= 0 {
		delete(s.shareTokens, l.share)
	}
}
