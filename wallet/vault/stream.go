package vault

import (
	"crypto/cipher"
	"crypto/rand"
	"encoding/binary"
	"errors"
	"fmt"
	"io"

	"golang.org/x/crypto/chacha20poly1305"
)

// Large content is sealed with the STREAM construction (Hoang, Reyhanitabar,
// Rogaway, Vizár 2015), as age does: the plaintext is cut into ChunkSize
// chunks, each sealed with XChaCha20-Poly1305 under the nonce
//
//	prefix (16 random bytes) ‖ counter (7 bytes, big-endian) ‖ last (1 byte: 1 on the final chunk)
//
// so a reordered chunk fails (wrong counter), and so does a stream cut at a
// chunk boundary (the new final chunk was not sealed as last). Every chunk
// but the last is full; the last may be empty only if it is the only one.
//
// [SealStream] and [OpenStream] use the construction on a byte stream:
// prefix ‖ chunk₀ ‖ chunk₁ ‖ …, each chunk ciphertext ChunkSize+16 bytes but
// the last. Attachments in the vault use the same chunks, one bbolt value each.

// ChunkSize is the plaintext size of a STREAM chunk.
const ChunkSize = 64 << 10

const (
	streamPrefixSize = 16
	encChunkSize     = ChunkSize + tagSize
	maxChunks        = 1 << 56
)

// ErrStreamCorrupt is returned when sealed stream bytes fail authentication,
// are cut short or are out of order.
var ErrStreamCorrupt = errors.New("the sealed data was altered, reordered or cut short")

// chunkSealer seals and opens the chunks of one stream.
type chunkSealer struct {
	aead  cipher.AEAD
	nonce [nonceSize]byte
}

func newChunkSealer(key, prefix []byte) (*chunkSealer, error) {
	aead, err := chacha20poly1305.NewX(key)
	if err != nil {
		return nil, fmt.Errorf("vault: stream key: %w", err)
	}
	if len(prefix) != streamPrefixSize {
		return nil, fmt.Errorf("vault: stream prefix is %d bytes, want %d", len(prefix), streamPrefixSize)
	}
	s := &chunkSealer{aead: aead}
	copy(s.nonce[:], prefix)
	return s, nil
}

func (s *chunkSealer) setNonce(counter uint64, last bool) {
	var c [8]byte
	binary.BigEndian.PutUint64(c[:], counter)
	copy(s.nonce[streamPrefixSize:], c[1:]) // 7 bytes; counter < maxChunks
	s.nonce[nonceSize-1] = 0
	if last {
		s.nonce[nonceSize-1] = 1
	}
}

func (s *chunkSealer) seal(dst, plain []byte, counter uint64, last bool) []byte {
	s.setNonce(counter, last)
	return s.aead.Seal(dst, s.nonce[:], plain, nil)
}

func (s *chunkSealer) open(dst, box []byte, counter uint64, last bool) ([]byte, error) {
	if counter >= maxChunks {
		return nil, fmt.Errorf("%w: too many chunks", ErrStreamCorrupt)
	}
	s.setNonce(counter, last)
	pt, err := s.aead.Open(dst, s.nonce[:], box, nil)
	if err != nil {
		return nil, fmt.Errorf("%w: chunk %d failed authentication", ErrStreamCorrupt, counter)
	}
	if last && len(pt) == 0 && counter > 0 {
		return nil, fmt.Errorf("%w: empty final chunk", ErrStreamCorrupt)
	}
	return pt, nil
}

// chunker cuts a reader into chunks of size bytes, reading one byte ahead so
// it knows which chunk is the last.
type chunker struct {
	r     io.Reader
	buf   []byte // size+1
	size  int
	n     int
	carry bool
}

func newChunker(r io.Reader, size int) *chunker {
	return &chunker{r: r, buf: make([]byte, size+1), size: size}
}

// next returns the next chunk (valid until the following call) and whether
// it is the last one.
func (c *chunker) next() ([]byte, bool, error) {
	c.n = 0
	if c.carry {
		c.buf[0] = c.buf[c.size]
		c.n, c.carry = 1, false
	}
	m, err := io.ReadFull(c.r, c.buf[c.n:])
	c.n += m
	switch err {
	case nil:
		c.carry = true
		return c.buf[:c.size], false, nil
	case io.EOF, io.ErrUnexpectedEOF:
		return c.buf[:c.n], true, nil
	}
	return nil, false, err
}

// SealStream reads src to its end and writes it to dst sealed under key (32
// bytes) in ChunkSize chunks, never holding more than one chunk. It returns
// the number of plaintext bytes sealed. The key may be reused across
// streams: each stream draws a random nonce prefix.
func SealStream(dst io.Writer, src io.Reader, key []byte) (int64, error) {
	prefix := make([]byte, streamPrefixSize)
	rand.Read(prefix)
	s, err := newChunkSealer(key, prefix)
	if err != nil {
		return 0, err
	}
	if _, err := dst.Write(prefix); err != nil {
		return 0, err
	}
	ch := newChunker(src, ChunkSize)
	out := make([]byte, 0, encChunkSize)
	var n int64
	for counter := uint64(0); ; counter++ {
		plain, last, err := ch.next()
		if err != nil {
			return n, fmt.Errorf("vault: reading: %w", err)
		}
		if counter >= maxChunks {
			return n, errors.New("vault: stream too long")
		}
		if _, err := dst.Write(s.seal(out[:0], plain, counter, last)); err != nil {
			return n, err
		}
		n += int64(len(plain))
		if last {
			return n, nil
		}
	}
}

// OpenStream reads a stream made by SealStream from src and writes the
// plaintext to dst, one authenticated chunk at a time. It returns the number
// of plaintext bytes written and an error wrapping ErrStreamCorrupt if any
// chunk fails authentication, is out of order, or the stream was cut short
// (in which case dst has received the chunks before the damage).
func OpenStream(dst io.Writer, src io.Reader, key []byte) (int64, error) {
	prefix := make([]byte, streamPrefixSize)
	if _, err := io.ReadFull(src, prefix); err != nil {
		if err == io.EOF || err == io.ErrUnexpectedEOF {
			return 0, fmt.Errorf("%w: no stream header", ErrStreamCorrupt)
		}
		return 0, err
	}
	s, err := newChunkSealer(key, prefix)
	if err != nil {
		return 0, err
	}
	ch := newChunker(src, encChunkSize)
	out := make([]byte, 0, ChunkSize)
	var n int64
	for counter := uint64(0); ; counter++ {
		box, last, err := ch.next()
		if err != nil {
			return n, fmt.Errorf("vault: reading: %w", err)
		}
		plain, err := s.open(out[:0], box, counter, last)
		if err != nil {
			return n, err
		}
		if _, err := dst.Write(plain); err != nil {
			return n, err
		}
		n += int64(len(plain))
		if last {
			return n, nil
		}
	}
}
