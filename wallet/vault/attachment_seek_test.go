package vault

import (
	"bytes"
	"io"
	"testing"
)

func TestAttachmentSeek(t *testing.T) {
	v, _ := newVault(t)
	const size = 3*ChunkSize + 100
	data := pseudoRandom(size, 3)
	id, _, err := v.PutAttachment(bytes.NewReader(data))
	if err != nil {
		t.Fatal(err)
	}
	r, err := v.OpenAttachment(id)
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	s, ok := r.(io.ReadSeeker)
	if !ok {
		t.Fatal("an attachment reader is not an io.ReadSeeker")
	}
	for _, c := range []struct {
		offset int64
		whence int
		want   int64
	}{
		{size - 10, io.SeekStart, int64(size - 10)},
		{0, io.SeekStart, 0},
		{ChunkSize - 3, io.SeekStart, ChunkSize - 3}, // a read across a chunk boundary
		{-150, io.SeekEnd, int64(size - 150)},
		{2*ChunkSize + 7, io.SeekStart, 2*ChunkSize + 7},
		{-5, io.SeekCurrent, 2*ChunkSize + 7 + 40 - 5},
	} {
		pos, err := s.Seek(c.offset, c.whence)
		if err != nil || pos != c.want {
			t.Fatalf("Seek(%d, %d) = %d, %v; want %d", c.offset, c.whence, pos, err, c.want)
		}
		buf := make([]byte, 40)
		n, err := io.ReadFull(s, buf)
		end := min(int(pos)+40, size)
		if !bytes.Equal(buf[:n], data[pos:end]) || (err != nil && end-int(pos) == 40) {
			t.Errorf("after Seek(%d, %d): read %d bytes (%v) that differ from the file's at %d", c.offset, c.whence, n, err, pos)
		}
	}
	if _, err := s.Seek(int64(size)+5, io.SeekStart); err != nil {
		t.Fatal(err)
	}
	if n, err := s.Read(make([]byte, 8)); n != 0 || err != io.EOF {
		t.Errorf("Read past the end = %d, %v; want 0, io.EOF", n, err)
	}
	if _, err := s.Seek(-1, io.SeekStart); err == nil {
		t.Error("Seek before the start: no error")
	}
	// After reading to the end, a seek back reads again.
	if _, err := s.Seek(0, io.SeekStart); err != nil {
		t.Fatal(err)
	}
	all, err := io.ReadAll(s)
	if err != nil || !bytes.Equal(all, data) {
		t.Errorf("ReadAll after a seek to 0: %d bytes, %v", len(all), err)
	}
}
