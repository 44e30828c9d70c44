package relay

import (
	"encoding/binary"
	"fmt"
	"net/http"

	bolt "go.etcd.io/bbolt"
)

// quotas bound what one uploader key, and everyone together, may keep at the
// relay. Only shares whose files are still stored count (pending and active
// ones): an ended share's files are deleted, and its room is free again.
type quotas struct {
	sharesPerKey int
	bytesPerKey  int64
	totalBytes   int64
}

// QuotaError is an upload refused by a quota: the uploader's number of
// shares (429), its bytes (413), or the relay's whole store (413). The
// message says what to do.
type QuotaError struct {
	Status  int
	Message string
}

func (e *QuotaError) Error() string { return e.Message }

var metaTotalBytes = []byte("bytes")

// admit says whether uploader may store one more share of size bytes.
// uploader is the uploader's key in the usage bucket (store.addrKey).
func (q quotas) admit(tx *bolt.Tx, uploader []byte, size uint64) error {
	shares, bytes := usageOf(tx, uploader)
	switch {
	case shares+1 > uint64(q.sharesPerKey):
		return &QuotaError{Status: http.StatusTooManyRequests, Message: fmt.Sprintf(
			"this key already keeps %d shares at this relay, its limit: revoke shares you no longer need, or wait until some expire", shares)}
	case bytes+size > uint64(q.bytesPerKey):
		return &QuotaError{Status: http.StatusRequestEntityTooLarge, Message: fmt.Sprintf(
			"this share (%d bytes) would take this key past its %d bytes at this relay: share fewer records, or revoke shares you no longer need", size, q.bytesPerKey)}
	case totalBytes(tx)+size > uint64(q.totalBytes):
		return &QuotaError{Status: http.StatusRequestEntityTooLarge, Message: "this relay's storage is full: try again later, or use another relay"}
	}
	return nil
}

// admitGrowth says whether uploader may keep size more bytes in a share it
// already keeps (a care copy's files replaced).
func (q quotas) admitGrowth(tx *bolt.Tx, uploader []byte, size uint64) error {
	_, bytes := usageOf(tx, uploader)
	switch {
	case bytes+size > uint64(q.bytesPerKey):
		return &QuotaError{Status: http.StatusRequestEntityTooLarge, Message: fmt.Sprintf(
			"these files (%d bytes more) would take this key past its %d bytes at this relay: share fewer records, or revoke shares you no longer need", size, q.bytesPerKey)}
	case totalBytes(tx)+size > uint64(q.totalBytes):
		return &QuotaError{Status: http.StatusRequestEntityTooLarge, Message: "this relay's storage is full: try again later, or use another relay"}
	}
	return nil
}

func usageOf(tx *bolt.Tx, uploader []byte) (shares, bytes uint64) {
	v := tx.Bucket(bucketUsage).Get(uploader)
	if len(v) != 12 {
		return 0, 0
	}
	return uint64(binary.BigEndian.Uint32(v)), binary.BigEndian.Uint64(v[4:])
}

func totalBytes(tx *bolt.Tx) uint64 {
	v := tx.Bucket(bucketMeta).Get(metaTotalBytes)
	if len(v) != 8 {
		return 0
	}
	return binary.BigEndian.Uint64(v)
}

// addUsage counts shares and bytes (negative: freed) to uploader and to the
// relay's total, never below zero.
func addUsage(tx *bolt.Tx, uploader []byte, shares, bytes int64) error {
	add := func(v uint64, d int64) uint64 {
		if d < 0 && uint64(-d) > v {
			return 0
		}
		return uint64(int64(v) + d)
	}
	sh, by := usageOf(tx, uploader)
	sh, by = add(sh, shares), add(by, bytes)
	if sh == 0 && by == 0 {
		if err := tx.Bucket(bucketUsage).Delete(uploader); err != nil {
			return err
		}
	} else {
		v := binary.BigEndian.AppendUint32(nil, uint32(sh))
		if err := tx.Bucket(bucketUsage).Put(uploader, binary.BigEndian.AppendUint64(v, by)); err != nil {
			return err
		}
	}
	return tx.Bucket(bucketMeta).Put(metaTotalBytes, binary.BigEndian.AppendUint64(nil, add(totalBytes(tx), bytes)))
}

// recountUsage counts the usage of a store made before quotas.
func (s *store) recountUsage(tx *bolt.Tx) error {
	return tx.Bucket(bucketShares).ForEach(func(k, v []byte) error {
		r, err := s.decodeRecord(k, v)
		if err != nil || r.Shredded {
			return nil
		}
		return addUsage(tx, s.addrKey(r.uploader()), 1, int64(r.size()))
	})
}
