package vault

import (
	"crypto/rand"
	"encoding/binary"
	"encoding/hex"
	"errors"
	"fmt"
	"io"

	"go.etcd.io/bbolt"
	bolterrors "go.etcd.io/bbolt/errors"
)

// AttachmentID names an attachment (a PDF, an image, a C-CDA document):
// 16 random bytes. Records refer to attachments by putting the ID in their
// meta or body.
type AttachmentID [16]byte

// String is the lowercase hex form, 32 characters.
func (id AttachmentID) String() string { return hex.EncodeToString(id[:]) }

// ParseAttachmentID parses the String form of an AttachmentID.
func ParseAttachmentID(s string) (AttachmentID, error) {
	var id AttachmentID
	b, err := hex.DecodeString(s)
	if err != nil || len(b) != len(id) {
		return AttachmentID{}, fmt.Errorf("vault: %q is not an attachment id (32 hex characters)", s)
	}
	copy(id[:], b)
	return id, nil
}

// An attachment's bucket holds, under "k", its file key, nonce prefix, chunk
// count and size sealed under the attachment-wrap key (associated data binds
// the attachment id), and its STREAM chunks under 8-byte big-endian
// counters. "k" is written in the same transaction as the last chunk: an
// attachment without it is incomplete and invisible.
var keyAttachmentInfo = []byte("k")

const attachmentInfoSize = keySize + streamPrefixSize + 8 + 8

// attachBatchChunks is how many chunks (8 MiB) go into one transaction, so
// a large attachment never sits whole in memory, not even in bbolt's dirty
// pages.
const attachBatchChunks = 128

func adAttachment(id AttachmentID) []byte { return ad("attachment key", id[:]) }

func chunkKey(counter uint64) []byte { return binary.BigEndian.AppendUint64(nil, counter) }

// PutAttachment reads r to its end and stores it sealed, in 64 KiB chunks,
// a few megabytes per transaction. It returns the new attachment's ID and
// size. The attachment becomes visible only once complete: after an error
// or a crash nothing of it remains readable (and Open removes the chunks).
func (v *Vault) PutAttachment(r io.Reader) (AttachmentID, int64, error) {
	if err := v.withKeys(func(*keyring) error { return nil }); err != nil {
		return AttachmentID{}, 0, err
	}
	var id AttachmentID
	rand.Read(id[:])
	fileKey := randomKey()
	defer clear(fileKey)
	prefix := make([]byte, streamPrefixSize)
	rand.Read(prefix)
	s, err := newChunkSealer(fileKey, prefix)
	if err != nil {
		return AttachmentID{}, 0, err
	}
	fail := func(err error) (AttachmentID, int64, error) {
		v.dropAttachment(id)
		return AttachmentID{}, 0, fmt.Errorf("vault: storing an attachment: %w", err)
	}

	ch := newChunker(r, ChunkSize)
	var counter uint64
	var size int64
	for done := false; !done; {
		// Read and seal outside the transaction: a slow reader must not
		// hold the vault's write lock.
		first := counter
		batch := make([][]byte, 0, attachBatchChunks)
		for len(batch) < attachBatchChunks && !done {
			plain, last, err := ch.next()
			if err != nil {
				return fail(err)
			}
			if counter >= maxChunks {
				return fail(errors.New("attachment too long"))
			}
			batch = append(batch, s.seal(make([]byte, 0, len(plain)+tagSize), plain, counter, last))
			counter++
			size += int64(len(plain))
			done = last
		}
		err := v.update(func(btx *bbolt.Tx) error {
			return v.withKeys(func(k *keyring) error {
				att := btx.Bucket(bucketAttachments)
				if att == nil {
					return fmt.Errorf("%w: no attachments bucket", ErrCorrupt)
				}
				ab, err := att.CreateBucketIfNotExists(id[:])
				if err != nil {
					return err
				}
				for i, box := range batch {
					if err := ab.Put(chunkKey(first+uint64(i)), box); err != nil {
						return err
					}
				}
				if !done {
					return nil
				}
				info := make([]byte, 0, attachmentInfoSize)
				info = append(info, fileKey...)
				info = append(info, prefix...)
				info = binary.BigEndian.AppendUint64(info, counter)
				info = binary.BigEndian.AppendUint64(info, uint64(size))
				defer clear(info)
				return ab.Put(keyAttachmentInfo, seal(k.attachWrap, adAttachment(id), info))
			})
		})
		if err != nil {
			return fail(err)
		}
	}
	return id, size, nil
}

// dropAttachment deletes an attachment's bucket, complete or not.
func (v *Vault) dropAttachment(id AttachmentID) error {
	return v.update(func(btx *bbolt.Tx) error { return dropAttachmentIn(btx, id) })
}

// DeleteAttachment is [Vault.DeleteAttachment] inside this transaction.
func (t *Tx) DeleteAttachment(id AttachmentID) error {
	if t.done {
		return errTxDone
	}
	if err := dropAttachmentIn(t.btx, id); err != nil {
		return fmt.Errorf("vault: deleting: %w", err)
	}
	return nil
}

func dropAttachmentIn(btx *bbolt.Tx, id AttachmentID) error {
	att := btx.Bucket(bucketAttachments)
	if att == nil {
		return nil
	}
	err := att.DeleteBucket(id[:])
	if errors.Is(err, bolterrors.ErrBucketNotFound) {
		return fmt.Errorf("attachment %s: %w", id, ErrNotFound)
	}
	return err
}

// dropIncompleteAttachments removes what a crash in PutAttachment left.
func (v *Vault) dropIncompleteAttachments() error {
	var incomplete [][]byte
	err := v.view(func(btx *bbolt.Tx) error {
		return btx.Bucket(bucketAttachments).ForEachBucket(func(k []byte) error {
			if ab := btx.Bucket(bucketAttachments).Bucket(k); ab.Get(keyAttachmentInfo) == nil {
				incomplete = append(incomplete, append([]byte(nil), k...))
			}
			return nil
		})
	})
	if err != nil || len(incomplete) == 0 {
		return err
	}
	return v.update(func(btx *bbolt.Tx) error {
		att := btx.Bucket(bucketAttachments)
		for _, k := range incomplete {
			if err := att.DeleteBucket(k); err != nil {
				return err
			}
		}
		return nil
	})
}

// DeleteAttachment deletes an attachment: its key and chunks. Readers open
// on it fail from their next chunk.
func (v *Vault) DeleteAttachment(id AttachmentID) error {
	if err := v.withKeys(func(*keyring) error { return nil }); err != nil {
		return err
	}
	if err := v.dropAttachment(id); err != nil {
		return fmt.Errorf("vault: deleting: %w", err)
	}
	return nil
}

// OpenAttachment returns a reader of the attachment's plaintext. It reads
// and authenticates one 64 KiB chunk at a time, each in its own short read
// transaction; a chunk that fails, is missing, or is out of place makes Read
// return an error wrapping ErrCorrupt and ErrStreamCorrupt. Close the reader
// when done: it holds the attachment's key, which Lock also wipes.
func (v *Vault) OpenAttachment(id AttachmentID) (io.ReadCloser, error) {
	r := &attachmentReader{v: v, id: id}
	err := v.view(func(btx *bbolt.Tx) error {
		return v.withKeys(func(k *keyring) error {
			att := btx.Bucket(bucketAttachments)
			if att == nil {
				return fmt.Errorf("%w: no attachments bucket", ErrCorrupt)
			}
			ab := att.Bucket(id[:])
			if ab == nil || ab.Get(keyAttachmentInfo) == nil {
				return fmt.Errorf("attachment %s: %w", id, ErrNotFound)
			}
			info, err := open(k.attachWrap, adAttachment(id), ab.Get(keyAttachmentInfo))
			if err != nil || len(info) != attachmentInfoSize {
				return fmt.Errorf("%w: attachment %s key %v", ErrCorrupt, id, errAuth)
			}
			r.key, r.prefix = info[:keySize], info[keySize:keySize+streamPrefixSize]
			r.count = binary.BigEndian.Uint64(info[keySize+streamPrefixSize:])
			r.size = int64(binary.BigEndian.Uint64(info[keySize+streamPrefixSize+8:]))
			if r.count == 0 || r.count > maxChunks {
				clear(info)
				return fmt.Errorf("%w: attachment %s: bad chunk count", ErrCorrupt, id)
			}
			return nil
		})
	})
	if err != nil {
		return nil, err
	}
	v.mu.Lock()
	defer v.mu.Unlock()
	if v.keys == nil {
		r.wipe()
		return nil, ErrLocked
	}
	v.readers[r] = struct{}{}
	return r, nil
}

type attachmentReader struct {
	v      *Vault
	id     AttachmentID
	key    []byte // guarded by v.mu; nil once wiped
	prefix []byte
	count  uint64
	size   int64

	next  uint64 // next chunk to load
	total int64  // plaintext bytes loaded
	plain []byte // chunk buffer
	buf   []byte // unread part of plain
	err   error
}

// wipe zeroes the key. Call with v.mu held.
func (r *attachmentReader) wipe() {
	clear(r.key)
	r.key = nil
}

func (r *attachmentReader) Read(p []byte) (int, error) {
	for len(r.buf) == 0 {
		if r.err != nil {
			return 0, r.err
		}
		if r.next == r.count {
			r.err = io.EOF
			if r.total != r.size {
				r.err = fmt.Errorf("%w: attachment %s: %d bytes, want %d", ErrCorrupt, r.id, r.total, r.size)
			}
			continue
		}
		r.err = r.loadChunk()
	}
	n := copy(p, r.buf)
	r.buf = r.buf[n:]
	return n, nil
}

func (r *attachmentReader) loadChunk() error {
	if r.plain == nil {
		r.plain = make([]byte, 0, ChunkSize)
	}
	return r.v.view(func(btx *bbolt.Tx) error {
		att := btx.Bucket(bucketAttachments)
		var ab *bbolt.Bucket
		if att != nil {
			ab = att.Bucket(r.id[:])
		}
		if ab == nil {
			return fmt.Errorf("attachment %s was deleted: %w", r.id, ErrNotFound)
		}
		box := ab.Get(chunkKey(r.next))
		if box == nil {
			return fmt.Errorf("%w: attachment %s: %w: chunk %d missing", ErrCorrupt, r.id, ErrStreamCorrupt, r.next)
		}
		r.v.mu.RLock()
		defer r.v.mu.RUnlock()
		if r.key == nil {
			return ErrLocked
		}
		s, err := newChunkSealer(r.key, r.prefix)
		if err != nil {
			return err
		}
		plain, err := s.open(r.plain[:0], box, r.next, r.next == r.count-1)
		if err != nil {
			return fmt.Errorf("%w: attachment %s: %w", ErrCorrupt, r.id, err)
		}
		r.next++
		r.total += int64(len(plain))
		r.buf = plain
		return nil
	})
}

// Close wipes the reader's key. It never fails.
func (r *attachmentReader) Close() error {
	r.v.mu.Lock()
	defer r.v.mu.Unlock()
	delete(r.v.readers, r)
	r.wipe()
	if r.err == nil {
		r.err = errors.New("vault: read from a closed attachment")
	}
	return nil
}
