package vault

import (
	"encoding/binary"
	"fmt"
)

// Params are the Argon2id parameters that turn the password into the key
// that wraps the vault key. They are stored in the header and checked against
// the bounds below whenever they are read, so a doctored file cannot make
// Unlock run for hours or allocate gigabytes.
type Params struct {
	Time      uint32 // passes over memory
	MemoryKiB uint32
	Threads   uint8
}

// DefaultParams are what a patient gets: t=3, 64 MiB, 4 lanes.
var DefaultParams = Params{Time: 3, MemoryKiB: 64 * 1024, Threads: 4}

// Bounds on [Params], enforced by [Create] and when a header is read.
const (
	MinTime      = 1
	MaxTime      = 10
	MinMemoryKiB = 8 * 1024
	MaxMemoryKiB = 1024 * 1024
	MinThreads   = 1
	MaxThreads   = 16
)

func (p Params) validate() error {
	switch {
	case p.Time < MinTime || p.Time > MaxTime:
		return fmt.Errorf("%w: time %d is outside %d..%d", ErrBadParams, p.Time, MinTime, MaxTime)
	case p.MemoryKiB < MinMemoryKiB || p.MemoryKiB > MaxMemoryKiB:
		return fmt.Errorf("%w: memory %d KiB is outside %d..%d KiB", ErrBadParams, p.MemoryKiB, MinMemoryKiB, MaxMemoryKiB)
	case p.Threads < MinThreads || p.Threads > MaxThreads:
		return fmt.Errorf("%w: threads %d is outside %d..%d", ErrBadParams, p.Threads, MinThreads, MaxThreads)
	}
	return nil
}

// formatVersion is the newest on-disk format this code writes and reads. A
// header with a larger number was written by a newer program. Format 1 is a
// vault whose names key is its vault key (never re-keyed); format 2 adds the
// names key, wrapped under the vault key, written by the first
// [Vault.ChangePassword].
const (
	formatVersion = 2
	formatNoNames = 1
)

const magic = "HWVAULT\x00"

// Header layout, all big-endian:
//
//	magic    8  "HWVAULT\0"
//	format   2
//	time     4
//	memory   4  KiB
//	threads  1
//	salt    16
//	pwWrap  72  nonce ‖ sealed vault key, under Argon2id(password)
//	rkWrap  72  nonce ‖ sealed vault key, under HKDF(recovery key)
//	nkWrap  72  nonce ‖ sealed names key, under HKDF(vault key) (format 2 only)
//
// The names key makes record ids and the names of secrets and state (HMACs):
// it is the first vault key and survives re-keying, so that ids stay stable.
const (
	offFormat    = len(magic)
	offParams    = offFormat + 2
	offSalt      = offParams + 9
	offPWWrap    = offSalt + saltSize
	offRKWrap    = offPWWrap + wrappedKeySize
	offNKWrap    = offRKWrap + wrappedKeySize
	headerSizeV1 = offNKWrap
	headerSizeV2 = offNKWrap + wrappedKeySize

	saltSize = 16
)

type header struct {
	params       Params
	salt         [saltSize]byte
	passwordWrap [wrappedKeySize]byte
	recoveryWrap [wrappedKeySize]byte
	namesWrap    [wrappedKeySize]byte // only when hasNames
	hasNames     bool
}

func (h *header) format() uint16 {
	if h.hasNames {
		return formatVersion
	}
	return formatNoNames
}

func (h *header) marshal() []byte {
	size := headerSizeV1
	if h.hasNames {
		size = headerSizeV2
	}
	b := make([]byte, size)
	copy(b, magic)
	binary.BigEndian.PutUint16(b[offFormat:], h.format())
	binary.BigEndian.PutUint32(b[offParams:], h.params.Time)
	binary.BigEndian.PutUint32(b[offParams+4:], h.params.MemoryKiB)
	b[offParams+8] = h.params.Threads
	copy(b[offSalt:], h.salt[:])
	copy(b[offPWWrap:], h.passwordWrap[:])
	copy(b[offRKWrap:], h.recoveryWrap[:])
	if h.hasNames {
		copy(b[offNKWrap:], h.namesWrap[:])
	}
	return b
}

// passwordAD binds the password-wrapped key to the format, the parameters
// and the salt it was made with.
func (h *header) passwordAD() []byte {
	return ad("password wrap", h.marshal()[:offPWWrap])
}

// recoveryAD binds the recovery-wrapped key to the format only: it survives
// password changes, which replace the salt.
func (h *header) recoveryAD() []byte {
	return ad("recovery wrap", h.marshal()[:offParams])
}

// parseHeader decodes the header value. The bytes come from a file anyone
// may have edited: every field is checked.
func parseHeader(b []byte) (header, error) {
	var h header
	if len(b) < offParams || string(b[:len(magic)]) != magic {
		return h, fmt.Errorf("%w: the header is missing its signature", ErrNotVault)
	}
	want := headerSizeV1
	switch f := binary.BigEndian.Uint16(b[offFormat:]); {
	case f > formatVersion:
		return h, fmt.Errorf("%w (format %d; this program reads up to %d)", ErrNewerFormat, f, formatVersion)
	case f == formatVersion:
		h.hasNames, want = true, headerSizeV2
	case f != formatNoNames:
		return h, fmt.Errorf("%w: header format %d is unknown", ErrCorrupt, f)
	}
	if len(b) != want {
		return h, fmt.Errorf("%w: the header is %d bytes, want %d", ErrCorrupt, len(b), want)
	}
	h.params = Params{
		Time:      binary.BigEndian.Uint32(b[offParams:]),
		MemoryKiB: binary.BigEndian.Uint32(b[offParams+4:]),
		Threads:   b[offParams+8],
	}
	if err := h.params.validate(); err != nil {
		return h, fmt.Errorf("%w: the header's %w", ErrCorrupt, err)
	}
	copy(h.salt[:], b[offSalt:])
	copy(h.passwordWrap[:], b[offPWWrap:])
	copy(h.recoveryWrap[:], b[offRKWrap:])
	if h.hasNames {
		copy(h.namesWrap[:], b[offNKWrap:])
	}
	return h, nil
}
