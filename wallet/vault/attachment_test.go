package vault

import (
	"bytes"
	"crypto/sha256"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"testing"

	"go.etcd.io/bbolt"
)

// pseudoRandom is size reproducible bytes that no two chunks share.
func pseudoRandom(size int, seed uint64) []byte {
	b := make([]byte, size)
	r := rand.New(rand.NewPCG(seed, 7))
	for i := range b {
		b[i] = byte(r.Uint32())
	}
	return b
}

var streamSizes = []int{0, 1, ChunkSize - 1, ChunkSize, ChunkSize + 1, 1<<20 + 3}

func TestAttachmentRoundTrip(t *testing.T) {
	v, _ := newVault(t)
	sizes := append(streamSizes, attachBatchChunks*ChunkSize+5) // crosses a transaction
	ids := map[int]AttachmentID{}
	for _, size := range sizes {
		data := pseudoRandom(size, uint64(size))
		id, n, err := v.PutAttachment(bytes.NewReader(data))
		if err != nil || n != int64(size) {
			t.Fatalf("PutAttachment(%d bytes) = %d, %v", size, n, err)
		}
		ids[size] = id
	}
	v = reopen(t, v, testPassword)
	for _, size := range sizes {
		r, err := v.OpenAttachment(ids[size])
		if err != nil {
			t.Fatal(err)
		}
		got, err := io.ReadAll(r)
		r.Close()
		if err != nil || sha256.Sum256(got) != sha256.Sum256(pseudoRandom(size, uint64(size))) {
			t.Errorf("attachment of %d bytes: read %d bytes, %v", size, len(got), err)
		}
	}
	if _, err := v.OpenAttachment(AttachmentID{1}); !errors.Is(err, ErrNotFound) {
		t.Errorf("OpenAttachment(unknown): %v, want ErrNotFound", err)
	}
	if err := v.DeleteAttachment(ids[1]); err != nil {
		t.Fatal(err)
	}
	if _, err := v.OpenAttachment(ids[1]); !errors.Is(err, ErrNotFound) {
		t.Errorf("OpenAttachment(deleted): %v, want ErrNotFound", err)
	}
}

func TestAttachmentTampering(t *testing.T) {
	data := pseudoRandom(3*ChunkSize+100, 1) // chunks 0..3
	for name, edit := range map[string]func(ab *bbolt.Bucket) error{
		"flipped chunk": func(ab *bbolt.Bucket) error {
			c := append([]byte(nil), ab.Get(chunkKey(1))...)
			c[10] ^= 1
			return ab.Put(chunkKey(1), c)
		},
		"reordered chunks": func(ab *bbolt.Bucket) error {
			c1 := append([]byte(nil), ab.Get(chunkKey(1))...)
			c2 := append([]byte(nil), ab.Get(chunkKey(2))...)
			ab.Put(chunkKey(1), c2)
			return ab.Put(chunkKey(2), c1)
		},
		"truncated (last chunk gone)": func(ab *bbolt.Bucket) error { return ab.Delete(chunkKey(3)) },
		"last chunk replaced by a middle one": func(ab *bbolt.Bucket) error {
			return ab.Put(chunkKey(3), append([]byte(nil), ab.Get(chunkKey(2))...))
		},
	} {
		t.Run(name, func(t *testing.T) {
			v, path := newVault(t)
			id, _, err := v.PutAttachment(bytes.NewReader(data))
			if err != nil {
				t.Fatal(err)
			}
			v.Close()
			rawUpdate(t, path, func(tx *bbolt.Tx) error { return edit(tx.Bucket(bucketAttachments).Bucket(id[:])) })
			v = openUnlocked(t, path)
			r, err := v.OpenAttachment(id)
			if err != nil {
				t.Fatal(err)
			}
			defer r.Close()
			got, err := io.ReadAll(r)
			if !errors.Is(err, ErrCorrupt) || !errors.Is(err, ErrStreamCorrupt) {
				t.Fatalf("read %d bytes, err %v; want ErrCorrupt and ErrStreamCorrupt", len(got), err)
			}
			if !bytes.HasPrefix(data, got) {
				t.Fatal("the reader returned bytes that are not the attachment's")
			}
		})
	}
}

type failingReader struct {
	r     io.Reader
	after int
	read  int
}

func (f *failingReader) Read(p []byte) (int, error) {
	if f.read >= f.after {
		return 0, errors.New("the disk went away")
	}
	n, err := f.r.Read(p[:min(len(p), f.after-f.read)])
	f.read += n
	return n, err
}

func attachmentBuckets(t *testing.T, path string) int {
	n := 0
	rawView(t, path, func(tx *bbolt.Tx) error {
		return tx.Bucket(bucketAttachments).ForEachBucket(func([]byte) error { n++; return nil })
	})
	return n
}

func TestAttachmentIsWholeOrNothing(t *testing.T) {
	v, path := newVault(t)
	big := pseudoRandom((attachBatchChunks+10)*ChunkSize, 2)
	_, _, err := v.PutAttachment(&failingReader{r: bytes.NewReader(big), after: len(big) - 1000})
	if err == nil {
		t.Fatal("PutAttachment succeeded on a failing reader")
	}
	v.Close()
	if n := attachmentBuckets(t, path); n != 0 {
		t.Fatalf("a failed PutAttachment left %d attachments", n)
	}
	// A crash midway leaves chunks without the info key; Open removes them.
	rawUpdate(t, path, func(tx *bbolt.Tx) error {
		ab, err := tx.Bucket(bucketAttachments).CreateBucket(bytes.Repeat([]byte{9}, 16))
		if err != nil {
			return err
		}
		return ab.Put(chunkKey(0), make([]byte, 100))
	})
	v, err = Open(path)
	if err != nil {
		t.Fatal(err)
	}
	v.Close()
	if n := attachmentBuckets(t, path); n != 0 {
		t.Fatalf("Open left %d incomplete attachments", n)
	}
}

func TestLockStopsAttachmentReaders(t *testing.T) {
	v, _ := newVault(t)
	id, _, err := v.PutAttachment(bytes.NewReader(pseudoRandom(3*ChunkSize, 3)))
	if err != nil {
		t.Fatal(err)
	}
	r, err := v.OpenAttachment(id)
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	if _, err := io.ReadFull(r, make([]byte, 100)); err != nil {
		t.Fatal(err)
	}
	v.Lock()
	if _, err := io.ReadAll(r); !errors.Is(err, ErrLocked) {
		t.Fatalf("reading after Lock: %v, want ErrLocked", err)
	}
	if _, _, err := v.PutAttachment(bytes.NewReader(nil)); !errors.Is(err, ErrLocked) {
		t.Fatalf("PutAttachment while locked: %v, want ErrLocked", err)
	}
}

func TestStreamRoundTrip(t *testing.T) {
	key := bytes.Repeat([]byte{1}, 32)
	for _, size := range streamSizes {
		data := pseudoRandom(size, uint64(size))
		var sealed, opened bytes.Buffer
		if n, err := SealStream(&sealed, bytes.NewReader(data), key); err != nil || n != int64(size) {
			t.Fatalf("SealStream(%d) = %d, %v", size, n, err)
		}
		chunks := max(1, (size+ChunkSize-1)/ChunkSize)
		if want := streamPrefixSize + size + chunks*tagSize; sealed.Len() != want {
			t.Errorf("sealed %d bytes into %d, want %d", size, sealed.Len(), want)
		}
		if n, err := OpenStream(&opened, &sealed, key); err != nil || n != int64(size) || !bytes.Equal(opened.Bytes(), data) {
			t.Errorf("OpenStream(%d) = %d, %v", size, n, err)
		}
	}
}

func TestStreamTampering(t *testing.T) {
	key := bytes.Repeat([]byte{1}, 32)
	data := pseudoRandom(3*ChunkSize+10, 4)
	var buf bytes.Buffer
	if _, err := SealStream(&buf, bytes.NewReader(data), key); err != nil {
		t.Fatal(err)
	}
	sealed := buf.Bytes()
	chunk := func(i int) []byte {
		start := streamPrefixSize + i*encChunkSize
		return sealed[start:min(start+encChunkSize, len(sealed))]
	}
	join := func(parts ...[]byte) []byte { return bytes.Join(parts, nil) }
	prefix := sealed[:streamPrefixSize]
	flipped := bytes.Clone(sealed)
	flipped[streamPrefixSize+ChunkSize+5] ^= 0x80
	for name, bad := range map[string][]byte{
		"flipped byte":            flipped,
		"truncated at a boundary": join(prefix, chunk(0), chunk(1), chunk(2)),
		"truncated mid-chunk":     sealed[:len(sealed)-3],
		"only the prefix":         prefix,
		"cut in the prefix":       prefix[:5],
		"reordered chunks":        join(prefix, chunk(1), chunk(0), chunk(2), chunk(3)),
		"chunk dropped":           join(prefix, chunk(0), chunk(2), chunk(3)),
		"chunk repeated":          join(prefix, chunk(0), chunk(0), chunk(1), chunk(2), chunk(3)),
		"garbage appended":        join(sealed, []byte("x")),
		"other prefix":            join(bytes.Repeat([]byte{0}, streamPrefixSize), sealed[streamPrefixSize:]),
	} {
		if _, err := OpenStream(io.Discard, bytes.NewReader(bad), key); !errors.Is(err, ErrStreamCorrupt) {
			t.Errorf("%s: %v, want ErrStreamCorrupt", name, err)
		}
	}
	if _, err := OpenStream(io.Discard, bytes.NewReader(sealed), bytes.Repeat([]byte{2}, 32)); !errors.Is(err, ErrStreamCorrupt) {
		t.Errorf("wrong key: %v, want ErrStreamCorrupt", err)
	}
	if _, err := SealStream(io.Discard, bytes.NewReader(nil), []byte("short")); err == nil {
		t.Error("SealStream accepted a short key")
	}
}

func ExampleSealStream() {
	key := bytes.Repeat([]byte{7}, 32) // use a random key
	var sealed, opened bytes.Buffer
	SealStream(&sealed, bytes.NewReader([]byte("a scanned discharge letter")), key)
	fmt.Println(sealed.Len(), "sealed bytes")
	OpenStream(&opened, &sealed, key)
	fmt.Println(opened.String())
	// Output:
	// 58 sealed bytes
	// a scanned discharge letter
}
