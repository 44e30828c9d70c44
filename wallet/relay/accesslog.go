package relay

import (
	"crypto/ecdh"
	"crypto/hpke"
	"encoding/json"
	"errors"
	"fmt"
	"time"
)

// logInfo is the HPKE info of a sealed access log entry: the protocol label.
const logInfo = "healthwallet/relay-log/v1"

// Outcomes of an access, as recorded in the log.
const (
	// OutcomeServed: the manifest or file was handed out.
	OutcomeServed = "served"
	// OutcomeWrongPasscode: a wrong passcode was counted against the limit.
	OutcomeWrongPasscode = "wrong-passcode"
	// OutcomePasscodeMissing: a P-flag share was asked for without a passcode
	// (not counted against the limit).
	OutcomePasscodeMissing = "passcode-missing"
	// OutcomeRefused: the share was no longer active (expired, revoked or
	// locked), or the chain said its grant had ended.
	OutcomeRefused = "refused"
)

// Kinds of access.
const (
	KindManifest = "manifest" // POST to the manifest URL
	KindFile     = "file"     // GET of a location URL
	KindDirect   = "direct"   // GET of a U-flag share's manifest URL
)

// AccessEntry is one access to a share, as the patient reads it.
type AccessEntry struct {
	Time time.Time `json:"time"`
	// Recipient is how the receiver described itself ("Dr. Smith, City
	// Clinic"): its own claim, not an identity the relay checked.
	Recipient string `json:"recipient"`
	// Purpose is the receiver's stated purpose (an HL7 PurposeOfUse code or a
	// short text); empty when it gave none.
	Purpose string `json:"purpose,omitempty"`
	Kind    string `json:"kind"`    // KindManifest, KindFile or KindDirect
	Outcome string `json:"outcome"` // OutcomeServed, …
	// ContentType names the file served, for KindFile and KindDirect.
	ContentType string `json:"contentType,omitempty"`
	// Share is the share id the entry was sealed for; AccessLog checks it, so
	// a relay cannot move entries between shares unnoticed.
	Share string `json:"share"`
	// Emergency marks the opening of an emergency share (break-glass): the
	// relay recorded it on chain as the salted commitment Entry of the
	// statement (Recipient, Purpose, Time) with Salt (hex), in the
	// transaction TxHash; ChainPending says why not yet, when it could not.
	Emergency    bool   `json:"emergency,omitempty"`
	Salt         string `json:"salt,omitempty"`
	Entry        string `json:"entry,omitempty"`
	TxHash       string `json:"txHash,omitempty"`
	ChainPending string `json:"chainPending,omitempty"`
}

func logSuite() (hpke.KDF, hpke.AEAD) { return hpke.HKDFSHA256(), hpke.ChaCha20Poly1305() }

// sealTo seals plaintext to the X25519 public key raw with the log's HPKE
// suite.
func sealTo(raw, plaintext []byte) ([]byte, error) {
	pub, err := hpke.DHKEM(ecdh.X25519()).NewPublicKey(raw)
	if err != nil {
		return nil, fmt.Errorf("not an X25519 public key: %w", err)
	}
	kdf, aead := logSuite()
	ct, err := hpke.Seal(pub, kdf, aead, []byte(logInfo), plaintext)
	if err != nil {
		return nil, fmt.Errorf("not a usable X25519 public key: %w", err)
	}
	return ct, nil
}

// sealEntry seals e to the share's sharing key.
func sealEntry(sharingKey []byte, e AccessEntry) ([]byte, error) {
	pt, err := json.Marshal(e)
	if err != nil {
		return nil, fmt.Errorf("encoding an access log entry: %w", err)
	}
	return sealTo(sharingKey, pt)
}

// ErrNotYourLog means a sealed access log entry did not open with the key
// given: the entry was sealed to another key (wrong sharing key, or the share
// was created with another one), or it was altered.
var ErrNotYourLog = errors.New("relay: an access log entry does not open with this sharing key; use the sharing key the share was created with")

// OpenEntry opens one sealed access log entry with the patient's X25519
// sharing private key, and checks that it was sealed for share id.
func OpenEntry(key *ecdh.PrivateKey, id string, sealed []byte) (AccessEntry, error) {
	if key == nil {
		return AccessEntry{}, errors.New("relay: no sharing key to open the access log with")
	}
	priv, err := hpke.NewDHKEMPrivateKey(key)
	if err != nil {
		return AccessEntry{}, fmt.Errorf("relay: the sharing key is not an X25519 key: %w", err)
	}
	kdf, aead := logSuite()
	pt, err := hpke.Open(priv, kdf, aead, []byte(logInfo), sealed)
	if err != nil {
		return AccessEntry{}, ErrNotYourLog
	}
	var e AccessEntry
	if err := json.Unmarshal(pt, &e); err != nil {
		return AccessEntry{}, fmt.Errorf("relay: an access log entry opened but is not an entry: %w", err)
	}
	if e.Share != id {
		return AccessEntry{}, fmt.Errorf("relay: an access log entry belongs to another share: the relay mixed up logs")
	}
	return e, nil
}
