package vault

import (
	"bytes"
	"io"
	"os"
	"path/filepath"
	"testing"

	"filippo.io/age"
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

// fuzzBackupIdentity is a fixed identity, so that the archives in the seed
// corpus stay decryptable from run to run. It protects nothing.
const fuzzBackupIdentity = "AGE-SECRET-KEY-1JQJVHCGZZF53WCSAWYG96NK06SWRV3UG3JY402NN0A0SLV7EMW4QVHDV2D"

// FuzzRestoreBackup feeds RestoreBackup bytes from a stranger: with sealed
// false, an age archive as found in a file; with sealed true, the tar inside
// it (the fuzzer cannot forge age's authentication, so the tar and the vault
// file in it are reached this way). RestoreBackup must never panic, must
// leave the path holding a vault that opens or nothing, and must leave no
// temporary file behind.
func FuzzRestoreBackup(f *testing.F) {
	identity, err := age.ParseX25519Identity(fuzzBackupIdentity)
	if err != nil {
		f.Fatal(err)
	}
	// Seeds: a real backup, as an archive and as its tar, cut short, and a
	// tar holding something else.
	v, _ := newVault(f)
	put(f, v, map[string]string{"Patient/1": "Ada"})
	var archive bytes.Buffer
	if err := v.Backup(&archive, nil, identity.Recipient()); err != nil {
		f.Fatal(err)
	}
	ar, err := age.Decrypt(bytes.NewReader(archive.Bytes()), identity)
	if err != nil {
		f.Fatal(err)
	}
	plain, err := io.ReadAll(ar)
	if err != nil {
		f.Fatal(err)
	}
	f.Add(false, archive.Bytes())
	f.Add(false, archive.Bytes()[:archive.Len()/2])
	f.Add(true, plain)
	f.Add(true, plain[:len(plain)/3])
	f.Add(true, plain[:512])
	f.Add(true, []byte{})
	f.Fuzz(func(t *testing.T, sealed bool, b []byte) {
		in := b
		if sealed {
			var buf bytes.Buffer
			w, err := age.Encrypt(&buf, identity.Recipient())
			if err != nil {
				t.Fatal(err)
			}
			w.Write(b)
			if err := w.Close(); err != nil {
				t.Fatal(err)
			}
			in = buf.Bytes()
		}
		dir := t.TempDir()
		path := filepath.Join(dir, "vault.hwv")
		err := RestoreBackup(bytes.NewReader(in), path, identity)
		if left, _ := filepath.Glob(filepath.Join(dir, ".*")); len(left) > 0 {
			t.Fatalf("RestoreBackup (%v) left %v", err, left)
		}
		if err != nil {
			if _, serr := os.Lstat(path); serr == nil {
				t.Fatalf("RestoreBackup failed (%v) but left a file at the path", err)
			}
			return
		}
		v, err := Open(path)
		if err != nil {
			t.Fatalf("RestoreBackup succeeded, but the vault does not open: %v", err)
		}
		v.Close()
	})
}
