package vault

import (
	"errors"
	"fmt"
	"io"
)

// Seek sets where the next Read of an attachment starts (io.Seeker), so a
// reader such as a PDF renderer can jump to a file's end without reading
// what lies before. It loads and authenticates only the chunk holding the
// new offset. A seek past the end makes the next Read return io.EOF.
func (r *attachmentReader) Seek(offset int64, whence int) (int64, error) {
	var abs int64
	switch whence {
	case io.SeekStart:
		abs = offset
	case io.SeekCurrent:
		abs = r.total - int64(len(r.buf)) + offset
	case io.SeekEnd:
		abs = r.size + offset
	default:
		return 0, fmt.Errorf("vault: seek: whence %d is not one of io.SeekStart, io.SeekCurrent, io.SeekEnd", whence)
	}
	if abs < 0 {
		return 0, errors.New("vault: seek before the start of an attachment")
	}
	r.v.mu.RLock()
	closed := r.key == nil
	r.v.mu.RUnlock()
	if closed {
		return 0, errors.New("vault: seek in a closed attachment")
	}
	if r.err != nil && !errors.Is(r.err, io.EOF) {
		return 0, r.err // a damaged attachment stays damaged
	}
	r.err = nil
	r.buf = nil
	if abs >= r.size {
		r.next, r.total = r.count, r.size
		return abs, nil
	}
	chunk := abs / ChunkSize
	r.next, r.total = uint64(chunk), chunk*ChunkSize
	if err := r.loadChunk(); err != nil {
		r.err = err
		return 0, err
	}
	skip := abs - chunk*ChunkSize
	if skip > int64(len(r.buf)) {
		r.err = fmt.Errorf("%w: attachment %s: chunk %d is short", ErrCorrupt, r.id, chunk)
		return 0, r.err
	}
	r.buf = r.buf[skip:]
	return abs, nil
}
