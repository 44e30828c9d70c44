package relay

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"
	"time"

	"github.com/ethereum/go-ethereum/common"
	bolt "go.etcd.io/bbolt"

	"healthwallet/wallet/share"
)

// This file: blobs (issue 9). A patient stores one opaque blob — a sealed
// invitation for a caregiver — for at most MaxBlobTTL; the relay serves it
// to anyone holding its URL (GET /blob/{id}, an unguessable id of 144 random
// bits) until it expires or the patient deletes it. The relay cannot read
// it: the wallet seals it to the caregiver's key before the upload. Blobs
// count in their uploader's quota as one share each.
//
//	POST   /api/blobs        {"expires": UNIX, "data": base64url} → 201 BlobInfo
//	DELETE /api/blobs/{id}   204
//	GET    /blob/{id}        200 application/octet-stream; 404 when unknown, expired or deleted

// Limits of blobs.
const (
	// MaxBlobSize bounds a blob's bytes.
	MaxBlobSize = 64 << 10
	// MaxBlobTTL bounds how long a blob is kept.
	MaxBlobTTL = 30 * 24 * time.Hour
	// blobIDSize is the random bytes of a blob id: 144 bits, 24 base64url
	// characters, so that an invitation link stays short.
	blobIDSize = 18
	// maxBlobBody bounds the upload's JSON: the base64url of MaxBlobSize
	// and a little more.
	maxBlobBody = MaxBlobSize*4/3 + 1024
)

// ErrBlobGone is a blob the relay does not have: never stored, expired, or
// deleted by the patient.
var ErrBlobGone = errors.New("relay: the relay no longer has it (it expired, or the patient withdrew it)")

// BlobInfo is what the relay answers to a blob upload.
type BlobInfo struct {
	ID      string    `json:"id"`
	URL     string    `json:"url"` // where it is fetched: the relay's public URL + /blob/{id}
	Expires time.Time `json:"expires"`
}

// blobRecord is a blob as stored.
type blobRecord struct {
	Owner   common.Address `json:"owner"`
	Created int64          `json:"created"`
	Expires int64          `json:"expires"`
	Data    []byte         `json:"data"`
}

// blobRequestJSON is the body of POST /api/blobs.
type blobRequestJSON struct {
	Expires int64  `json:"expires"` // Unix seconds
	Data    string `json:"data"`    // base64url, no padding
}

// parseBlobRequest parses and checks the body of a blob upload at now.
func parseBlobRequest(body []byte, now time.Time) (data []byte, expires time.Time, err error) {
	var raw blobRequestJSON
	if err := decodeJSONObject(body, &raw); err != nil {
		return nil, time.Time{}, err
	}
	if raw.Expires <= 0 {
		return nil, time.Time{}, badRequest("expires is required: Unix seconds")
	}
	expires = time.Unix(raw.Expires, 0)
	if !expires.After(now) {
		return nil, time.Time{}, badRequest("expires is in the past")
	}
	if expires.Sub(now) > MaxBlobTTL {
		return nil, time.Time{}, badRequest("expires is more than %v away; this relay keeps a blob at most that long", MaxBlobTTL)
	}
	if base64.RawURLEncoding.DecodedLen(len(raw.Data)) > MaxBlobSize {
		return nil, time.Time{}, badRequest("data is over %d bytes", MaxBlobSize)
	}
	data, err = base64.RawURLEncoding.DecodeString(raw.Data)
	if err != nil {
		return nil, time.Time{}, badRequest("data must be base64url without padding")
	}
	if len(data) == 0 {
		return nil, time.Time{}, badRequest("data is empty")
	}
	return data, expires, nil
}

// blobKey decodes a blob id to its key; false for anything else.
func blobKey(id string) ([]byte, bool) {
	if len(id) != base64.RawURLEncoding.EncodedLen(blobIDSize) {
		return nil, false
	}
	k, err := base64.RawURLEncoding.DecodeString(id)
	if err != nil || len(k) != blobIDSize {
		return nil, false
	}
	return k, true
}

func newBlobID() (string, error) {
	b := make([]byte, blobIDSize)
	for {
		if _, err := rand.Read(b); err != nil {
			return "", fmt.Errorf("reading randomness: %w", err)
		}
		if id := base64.RawURLEncoding.EncodeToString(b); id[0] != '-' && id[0] != '_' {
			return id, nil
		}
	}
}

func (s *Server) handlePutBlob(w http.ResponseWriter, r *http.Request) {
	if !s.allowClient(w, r) {
		return
	}
	body, ok := readBody(w, r, maxBlobBody)
	if !ok {
		return
	}
	signer, ok := s.authenticate(w, r, body, PurposeBlobUpload)
	if !ok {
		return
	}
	now := s.now()
	data, expires, err := parseBlobRequest(body, now)
	if err != nil {
		writeError(w, http.StatusBadRequest, err.Error())
		return
	}
	id, err := newBlobID()
	if err != nil {
		s.internalError(w, r, "making a blob id", err)
		return
	}
	rec := &blobRecord{Owner: signer, Created: now.Unix(), Expires: expires.Unix(), Data: data}
	var qe *QuotaError
	if err := s.store.putBlob(id, rec, s.quotas()); errors.As(err, &qe) {
		writeError(w, qe.Status, qe.Message)
		return
	} else if err != nil {
		s.internalError(w, r, "storing a blob", err)
		return
	}
	writeJSON(w, http.StatusCreated, BlobInfo{ID: id, URL: s.baseURL(r) + "/blob/" + id, Expires: expires.UTC()})
}

func (s *Server) handleGetBlob(w http.ResponseWriter, r *http.Request) {
	cors(w)
	if !s.allowClient(w, r) {
		return
	}
	id := r.PathValue("id")
	now := s.now()
	if ok, wait := s.shareLimit.Allow("blob:"+id, now); !ok {
		writeRateLimited(w, wait)
		return
	}
	rec, err := s.store.blob(id)
	if err != nil && !errors.Is(err, errNoShare) {
		s.internalError(w, r, "reading a blob", err)
		return
	}
	if err != nil || now.Unix() >= rec.Expires {
		writeError(w, http.StatusNotFound, "nothing here: it expired, or the patient withdrew it")
		return
	}
	w.Header().Set("Content-Type", "application/octet-stream")
	w.Header().Set("Cache-Control", "no-store")
	w.Write(rec.Data)
}

func (s *Server) handleDeleteBlob(w http.ResponseWriter, r *http.Request) {
	if !s.allowClient(w, r) {
		return
	}
	body, ok := readBody(w, r, s.lim.MaxManifestBody)
	if !ok {
		return
	}
	signer, ok := s.authenticate(w, r, body, PurposeBlobDelete)
	if !ok {
		return
	}
	err := s.store.deleteBlob(r.PathValue("id"), func(rec *blobRecord) error {
		if rec.Owner != signer {
			return errNotOwner
		}
		return nil
	})
	switch {
	case errors.Is(err, errNoShare):
		writeError(w, http.StatusNotFound, "no such blob")
	case errors.Is(err, errNotOwner):
		writeError(w, http.StatusForbidden, "this blob belongs to another key: sign with the key that stored it, for this relay's URL "+s.origin(r))
	case err != nil:
		s.internalError(w, r, "deleting a blob", err)
	default:
		w.WriteHeader(http.StatusNoContent)
	}
}

var errNotOwner = errors.New("not the owner")

// putBlob stores a blob within its owner's quota (one share's worth and its
// bytes).
func (s *store) putBlob(id string, rec *blobRecord, q quotas) error {
	key, ok := blobKey(id)
	if !ok {
		return errors.New("relay: internal: bad blob id")
	}
	v, err := json.Marshal(rec)
	if err != nil {
		return fmt.Errorf("relay: encoding a blob: %w", err)
	}
	if v, err = s.seal.seal(key, v); err != nil {
		return err
	}
	return s.db.Update(func(tx *bolt.Tx) error {
		b := tx.Bucket(bucketBlobs)
		if b.Get(key) != nil {
			return errors.New("relay: internal: blob id collision")
		}
		if err := q.admit(tx, s.addrKey(rec.Owner), uint64(len(rec.Data))); err != nil {
			return err
		}
		if err := addUsage(tx, s.addrKey(rec.Owner), 1, int64(len(rec.Data))); err != nil {
			return err
		}
		return b.Put(key, v)
	})
}

func (s *store) getBlob(tx *bolt.Tx, key []byte) (*blobRecord, error) {
	v := tx.Bucket(bucketBlobs).Get(key)
	if v == nil {
		return nil, errNoShare
	}
	v, err := s.seal.open(key, v)
	if err != nil {
		return nil, err
	}
	var rec blobRecord
	if err := json.Unmarshal(v, &rec); err != nil {
		return nil, fmt.Errorf("relay: a blob record is damaged: %w", err)
	}
	return &rec, nil
}

// blob reads a blob; errNoShare when there is none.
func (s *store) blob(id string) (*blobRecord, error) {
	key, ok := blobKey(id)
	if !ok {
		return nil, errNoShare
	}
	var rec *blobRecord
	err := s.db.View(func(tx *bolt.Tx) error {
		var err error
		rec, err = s.getBlob(tx, key)
		if rec != nil {
			rec.Data = bytes.Clone(rec.Data)
		}
		return err
	})
	return rec, err
}

// deleteBlob deletes a blob if allow (given its record) says so, and frees
// its room in the owner's quota.
func (s *store) deleteBlob(id string, allow func(*blobRecord) error) error {
	key, ok := blobKey(id)
	if !ok {
		return errNoShare
	}
	return s.db.Update(func(tx *bolt.Tx) error {
		rec, err := s.getBlob(tx, key)
		if err != nil {
			return err
		}
		if err := allow(rec); err != nil {
			return err
		}
		if err := addUsage(tx, s.addrKey(rec.Owner), -1, -int64(len(rec.Data))); err != nil {
			return err
		}
		return tx.Bucket(bucketBlobs).Delete(key)
	})
}

// purgeBlobs deletes the blobs expired by now; it returns how many.
func (s *store) purgeBlobs(now time.Time) (int, error) {
	var expired []string
	err := s.db.View(func(tx *bolt.Tx) error {
		return tx.Bucket(bucketBlobs).ForEach(func(k, _ []byte) error {
			rec, err := s.getBlob(tx, k)
			if err != nil || now.Unix() >= rec.Expires {
				// A damaged or unopenable blob is never served: deleted too.
				expired = append(expired, base64.RawURLEncoding.EncodeToString(k))
			}
			return nil
		})
	})
	if err != nil {
		return 0, err
	}
	n := 0
	for _, id := range expired {
		key, _ := blobKey(id)
		err := s.db.Update(func(tx *bolt.Tx) error {
			if rec, err := s.getBlob(tx, key); err == nil {
				if err := addUsage(tx, s.addrKey(rec.Owner), -1, -int64(len(rec.Data))); err != nil {
					return err
				}
			}
			return tx.Bucket(bucketBlobs).Delete(key)
		})
		if err != nil {
			return n, fmt.Errorf("relay: deleting an expired blob: %w", err)
		}
		n++
	}
	return n, nil
}

// PutBlob stores data (at most MaxBlobSize bytes, a sealed invitation) at
// the relay until expires (at most MaxBlobTTL away) and returns the URL it
// is fetched at ([FetchBlob]).
func (c *Client) PutBlob(ctx context.Context, data []byte, expires time.Time) (string, error) {
	if len(data) == 0 || len(data) > MaxBlobSize {
		return "", fmt.Errorf("relay: a blob is 1 to %d bytes; this one is %d", MaxBlobSize, len(data))
	}
	body, err := json.Marshal(blobRequestJSON{Expires: expires.Unix(), Data: base64.RawURLEncoding.EncodeToString(data)})
	if err != nil {
		return "", fmt.Errorf("relay: encoding the blob: %w", err)
	}
	var info BlobInfo
	if err := c.do(ctx, PurposeBlobUpload, http.MethodPost, "/api/blobs", body, http.StatusCreated, &info); err != nil {
		return "", err
	}
	if _, ok := c.blobID(info.URL); !ok {
		return "", fmt.Errorf("relay: the relay answered with a blob URL %q that is not its own", info.URL)
	}
	return info.URL, nil
}

// DeleteBlob deletes the blob at blobURL (as PutBlob returned it) before it
// expires.
func (c *Client) DeleteBlob(ctx context.Context, blobURL string) error {
	id, ok := c.blobID(blobURL)
	if !ok {
		return fmt.Errorf("relay: %q is not a blob URL of the relay at %s", blobURL, c.base)
	}
	return c.do(ctx, PurposeBlobDelete, http.MethodDelete, "/api/blobs/"+id, nil, http.StatusNoContent, nil)
}

// blobID is the id of a blob URL of this client's relay.
func (c *Client) blobID(blobURL string) (string, bool) {
	id, ok := strings.CutPrefix(blobURL, c.base.String()+"/blob/")
	if !ok {
		return "", false
	}
	_, ok = blobKey(id)
	return id, ok
}

// FetchBlob fetches the blob at blobURL, reading at most MaxBlobSize bytes.
// blobURL must be https, or plain http to this computer only (as for
// links: see share.CheckTransport). A blob the relay does not have (any
// more) is [ErrBlobGone]. hc nil means a client with a one-minute timeout.
func FetchBlob(ctx context.Context, hc *http.Client, blobURL string) ([]byte, error) {
	if err := share.CheckTransport(blobURL, false); err != nil {
		return nil, fmt.Errorf("relay: the blob's address: %w", err)
	}
	if hc == nil {
		hc = &http.Client{Timeout: time.Minute}
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, blobURL, nil)
	if err != nil {
		return nil, fmt.Errorf("relay: the blob's address: %w", err)
	}
	resp, err := hc.Do(req)
	if err != nil {
		return nil, fmt.Errorf("relay: could not reach the relay at %s (check the connection, or try again later): %w", req.URL.Host, err)
	}
	defer resp.Body.Close()
	switch resp.StatusCode {
	case http.StatusOK:
	case http.StatusNotFound, http.StatusGone:
		return nil, ErrBlobGone
	case http.StatusTooManyRequests, http.StatusServiceUnavailable:
		return nil, fmt.Errorf("relay: the relay at %s is busy (%s): try again in a minute", req.URL.Host, resp.Status)
	default:
		return nil, fmt.Errorf("relay: the relay at %s answered %s: try again later", req.URL.Host, resp.Status)
	}
	data, err := io.ReadAll(io.LimitReader(resp.Body, MaxBlobSize+1))
	if err != nil {
		return nil, fmt.Errorf("relay: reading the blob: %w", err)
	}
	if len(data) > MaxBlobSize {
		return nil, fmt.Errorf("relay: the relay at %s sent more than %d bytes: not a blob of this relay", req.URL.Host, MaxBlobSize)
	}
	return data, nil
}
