package vault

import (
	"bytes"
	"io"
	"testing"
)

// FuzzParseHeader feeds arbitrary header values: parseHeader must never
// panic, and whatever it accepts must be in bounds and re-encode to the same
// bytes.
func FuzzParseHeader(f *testing.F) {
	h := header{params: testParams}
	valid := h.marshal()
	f.Add(valid)
	f.Add(valid[:offParams])
	f.Add(valid[:headerSizeV1-1])
	f.Add(append(bytes.Clone(valid), 0))
	newer := bytes.Clone(valid)
	newer[offFormat+1] = 9
	f.Add(newer)
	huge := bytes.Clone(valid)
	copy(huge[offParams+4:], []byte{0xff, 0xff, 0xff, 0xff})
	f.Add(huge)
	f.Add([]byte{})
	f.Add([]byte(magic))
	f.Fuzz(func(t *testing.T, b []byte) {
		h, err := parseHeader(b)
		if err != nil {
			return
		}
		if h.params.validate() != nil {
			t.Fatalf("accepted out-of-bounds params %+v", h.params)
		}
		if !bytes.Equal(h.marshal(), b) {
			t.Fatal("an accepted header does not re-encode to itself")
		}
	})
}

var fuzzKey = bytes.Repeat([]byte{0x5a}, 32)

func sealedSeed(f *testing.F, size int) []byte {
	var buf bytes.Buffer
	if _, err := SealStream(&buf, bytes.NewReader(pseudoRandom(size, 9)), fuzzKey); err != nil {
		f.Fatal(err)
	}
	return buf.Bytes()
}

// FuzzOpenStream feeds arbitrary bytes to the stream opener: it must never
// panic nor release more plaintext than it was given ciphertext.
func FuzzOpenStream(f *testing.F) {
	for _, size := range []int{0, 1, 100, ChunkSize, ChunkSize + 1} {
		f.Add(sealedSeed(f, size))
	}
	f.Add([]byte{})
	f.Add(make([]byte, streamPrefixSize+tagSize))
	f.Fuzz(func(t *testing.T, b []byte) {
		n, err := OpenStream(io.Discard, bytes.NewReader(b), fuzzKey)
		if n > int64(len(b)) {
			t.Fatalf("released %d bytes from %d", n, len(b))
		}
		_ = err
	})
}

// FuzzStreamMalleability flips one bit anywhere in a sealed stream: opening
// it must fail.
func FuzzStreamMalleability(f *testing.F) {
	f.Add([]byte("hello"), uint(0), uint8(0))
	f.Add(make([]byte, ChunkSize+1), uint(ChunkSize+30), uint8(3))
	f.Add([]byte{}, uint(20), uint8(7))
	f.Fuzz(func(t *testing.T, plain []byte, pos uint, bit uint8) {
		var buf bytes.Buffer
		if _, err := SealStream(&buf, bytes.NewReader(plain), fuzzKey); err != nil {
			t.Fatal(err)
		}
		sealed := buf.Bytes()
		sealed[pos%uint(len(sealed))] ^= 1 << (bit % 8)
		if _, err := OpenStream(io.Discard, bytes.NewReader(sealed), fuzzKey); err == nil {
			t.Fatalf("a flipped bit at %d went unnoticed", pos%uint(len(sealed)))
		}
	})
}

// FuzzOpenSealed feeds arbitrary stored values to the record decoders.
func FuzzOpenSealed(f *testing.F) {
	dk := bytes.Repeat([]byte{3}, 32)
	id := ID{1, 2, 3}
	f.Add(seal(dk, adVersion("meta", id, 1), append(make([]byte, 8), "meta"...)))
	f.Add(seal(dk, adVersion("meta", id, 1), nil))
	f.Add([]byte{})
	f.Fuzz(func(t *testing.T, box []byte) {
		if vm, err := openMeta(dk, id, 1, box); err == nil && vm.Version != 1 {
			t.Fatal("openMeta returned another version")
		}
	})
}
