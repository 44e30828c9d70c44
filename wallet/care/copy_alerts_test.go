package care

import (
	"bytes"
	"context"
	"strings"
	"testing"

	"github.com/ethereum/go-ethereum/common"
)

// The copy names the emergency card's grant key for the caregiver to watch;
// VerifyCopy hands it on; a new key is new content (uploaded again); an
// older proof's link key is read and dropped, never written.
func TestCopyEmergencyGrantKey(t *testing.T) {
	f := newFixture(t)
	s := f.scope([]string{"view"})
	f.onChain(s)
	gk := common.HexToHash("0x" + strings.Repeat("5e", 32))
	req := CopyRequest{Records: f.records, Scope: f.sign(s), Key: f.key, ChainID: testChainID, Registry: testRegistry, Updated: f.now}
	without, err := BuildCopy(req)
	if err != nil {
		t.Fatal(err)
	}
	req.EmergencyGrantKey = gk
	with, err := BuildCopy(req)
	if err != nil {
		t.Fatal(err)
	}
	if with.Digest == without.Digest {
		t.Fatal("a copy naming the card's grant has the digest of one without it: it would not be uploaded")
	}
	if bytes.Contains(without.Proof, []byte("emergency")) || !bytes.Contains(with.Proof, []byte(`"emergencyGrantKey":"`+gk.Hex()+`"`)) {
		t.Fatalf("the proofs:\n%s\n%s", without.Proof, with.Proof)
	}
	v, err := VerifyCopy(context.Background(), f.decrypt(with.Files), f.chain)
	if err != nil || v.EmergencyGrantKey != gk {
		t.Fatalf("VerifyCopy: %x, %v", v.EmergencyGrantKey, err)
	}

	legacy := bytes.Replace(without.Proof, []byte(`"updated"`), []byte(`"emergencyKey":"0x`+strings.Repeat("ab", 32)+`","updated"`), 1)
	p, err := ParseCopyProof(legacy)
	if err != nil || p.EmergencyGrantKey != (common.Hash{}) {
		t.Fatalf("an older build's proof: %+v, %v", p, err)
	}
	out, err := p.Marshal()
	if err != nil || bytes.Contains(out, []byte("emergencyKey")) || bytes.Contains(out, []byte(strings.Repeat("ab", 32))) {
		t.Fatalf("re-encoded, the old link key stays: %s, %v", out, err)
	}
	for _, bad := range []string{`"0xabab"`, `"0x` + strings.Repeat("ab", 33) + `"`, `7`} {
		if _, err := ParseCopyProof(bytes.Replace(without.Proof, []byte(`"updated"`), []byte(`"emergencyKey":`+bad+`,"updated"`), 1)); err == nil {
			t.Errorf("an emergencyKey %s was read", bad)
		}
	}
	if _, err := ParseCopyProof(bytes.Replace(without.Proof, []byte(`"updated"`), []byte(`"emergencyGrantKey":"0x1234","updated"`), 1)); err == nil {
		t.Error("a 2-byte emergencyGrantKey was read")
	}
}
