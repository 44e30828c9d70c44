package cards

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"strings"

	"healthwallet/wallet/share"
)

// MaxDirectory bounds a directory document: the VCI snapshot with every
// issuer's keys is a few megabytes.
const MaxDirectory = 16 << 20

// maxIssuers bounds the issuers of one directory.
const maxIssuers = 20000

// Issuer is one entry of a directory: who, and, when the directory carries
// them, its keys and revocation lists (raw JSON, checked when a card is).
type Issuer struct {
	Iss  string
	Name string
	// JWKS is {"keys":[…]} when the directory carries keys, else nil.
	JWKS []byte
	// CRLs are the revocation lists the directory carries, by kid.
	CRLs map[string][]byte
}

// Directory is a parsed directory: the issuers kept and the entries
// refused, each with why.
type Directory struct {
	Issuers []Issuer
	Refused []string
}

// ErrDirectory: the document is not a directory of card issuers.
var ErrDirectory = errors.New("not a directory of SMART Health Card issuers")

// ParseDirectory reads a VCI directory (issuerInfo or participating_issuers
// form). It fails when the document is not one or keeps no issuer.
func ParseDirectory(data []byte) (Directory, error) {
	if len(data) > MaxDirectory {
		return Directory{}, fmt.Errorf("%w: %d bytes, at most %d", ErrDirectory, len(data), MaxDirectory)
	}
	var doc struct {
		IssuerInfo []struct {
			Issuer struct {
				Iss  string `json:"iss"`
				Name string `json:"name"`
			} `json:"issuer"`
			Keys []json.RawMessage `json:"keys"`
			CRLs []json.RawMessage `json:"crls"`
		} `json:"issuerInfo"`
		Participating []struct {
			Iss  string `json:"iss"`
			Name string `json:"name"`
		} `json:"participating_issuers"`
	}
	dec := json.NewDecoder(bytes.NewReader(data))
	if err := dec.Decode(&doc); err != nil {
		return Directory{}, fmt.Errorf("%w: %v", ErrDirectory, err)
	}
	if n := len(doc.IssuerInfo) + len(doc.Participating); n == 0 {
		return Directory{}, fmt.Errorf("%w: it has no issuerInfo or participating_issuers entries", ErrDirectory)
	} else if n > maxIssuers {
		return Directory{}, fmt.Errorf("%w: %d issuers, at most %d", ErrDirectory, n, maxIssuers)
	}
	var d Directory
	seen := map[string]bool{}
	add := func(iss, name string, keys, crls []json.RawMessage) {
		if err := share.CheckIssuerURL(iss); err != nil {
			d.Refused = append(d.Refused, strings.TrimPrefix(err.Error(), share.ErrBadCard.Error()+": "))
			return
		}
		if seen[iss] {
			return // listed twice: the first entry stands
		}
		seen[iss] = true
		is := Issuer{Iss: iss, Name: strings.TrimSpace(name)}
		if len(keys) > 0 {
			is.JWKS, _ = json.Marshal(map[string][]json.RawMessage{"keys": keys})
		}
		for _, raw := range crls {
			var c struct {
				Kid string `json:"kid"`
			}
			if json.Unmarshal(raw, &c) != nil || c.Kid == "" {
				d.Refused = append(d.Refused, fmt.Sprintf("a revocation list of %s names no kid", iss))
				continue
			}
			if is.CRLs == nil {
				is.CRLs = map[string][]byte{}
			}
			is.CRLs[c.Kid] = raw
		}
		d.Issuers = append(d.Issuers, is)
	}
	for _, e := range doc.IssuerInfo {
		add(e.Issuer.Iss, e.Issuer.Name, e.Keys, e.CRLs)
	}
	for _, e := range doc.Participating {
		add(e.Iss, e.Name, nil, nil)
	}
	if len(d.Issuers) == 0 {
		return d, fmt.Errorf("%w: every entry was refused (%s)", ErrDirectory, strings.Join(d.Refused, "; "))
	}
	return d, nil
}
