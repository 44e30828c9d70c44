package relay

import (
	"crypto/rand"
	"crypto/subtle"
	"fmt"

	"golang.org/x/crypto/argon2"
)

// Argon2id parameters for passcode hashes: OWASP's minimum (19 MiB, t=2,
// p=1). A passcode is short, so no hash makes it strong against whoever holds
// the store; the hash keeps it out of plain sight, and the lifetime failure
// limit is what protects it online. Higher costs would let a burst of wrong
// attempts on many shares exhaust the relay's memory.
const (
	passcodeTime    = 2
	passcodeMemKiB  = 19 * 1024
	passcodeThreads = 1
	passcodeKeyLen  = 32
	passcodeSaltLen = 16
	// Bounds on stored parameters, so a damaged record cannot make the relay
	// spend unbounded memory.
	maxPasscodeMemKiB = 256 * 1024
	maxPasscodeTime   = 10
)

func hashPasscode(passcode string) (*passcodeHash, error) {
	salt := make([]byte, passcodeSaltLen)
	if _, err := rand.Read(salt); err != nil {
		return nil, fmt.Errorf("relay: reading randomness: %w", err)
	}
	return &passcodeHash{
		Salt:    salt,
		Hash:    argon2.IDKey([]byte(passcode), salt, passcodeTime, passcodeMemKiB, passcodeThreads, passcodeKeyLen),
		Time:    passcodeTime,
		MemKiB:  passcodeMemKiB,
		Threads: passcodeThreads,
	}, nil
}

// matches says whether passcode is the one hashed, in constant time. A hash
// with out-of-bounds parameters never matches.
func (h *passcodeHash) matches(passcode string) bool {
	if h == nil || h.Time == 0 || h.Time > maxPasscodeTime || h.MemKiB == 0 || h.MemKiB > maxPasscodeMemKiB ||
		h.Threads == 0 || len(h.Hash) != passcodeKeyLen || len(h.Salt) != passcodeSaltLen {
		return false
	}
	got := argon2.IDKey([]byte(passcode), h.Salt, h.Time, h.MemKiB, h.Threads, passcodeKeyLen)
	return subtle.ConstantTimeCompare(got, h.Hash) == 1
}
