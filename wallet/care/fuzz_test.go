package care

import (
	"bytes"
	"strings"
	"testing"
	"time"

	"github.com/ethereum/go-ethereum/common"
)

// Outside bytes: an invitation link typed, pasted or scanned. Never a panic;
// what parses is a link Check accepts the address of and that prints back
// to a link that parses the same.
func FuzzParseInviteLink(f *testing.F) {
	f.Add(InviteLink{URL: "https://relay.example/blob/abc", Exp: time.Unix(1_800_000_000, 0)}.String())
	f.Add("hwinvite:")
	f.Add("https://viewer.example/#hwinvite:eyJ1cmwiOiJodHRwOi8vMTI3LjAuMC4xOjgwODAvYiIsImV4cCI6MX0")
	f.Fuzz(func(t *testing.T, s string) {
		l, err := ParseInviteLink(s)
		if err != nil {
			return
		}
		back, err := ParseInviteLink(l.String())
		if err != nil || back != l {
			t.Fatalf("%q parsed to %+v, which prints to %q, which parses to %+v, %v", s, l, l.String(), back, err)
		}
	})
}

// Outside bytes: an opened invitation (any sender can seal one to a card's
// public key) and a signed scope. Never a panic; what parses verifies.
func FuzzParseInvitation(f *testing.F) {
	fx := newFixture(f)
	inv := fx.invitation(fx.sign(fx.scope([]string{"share"})))
	b, err := inv.Marshal()
	if err != nil {
		f.Fatal(err)
	}
	f.Add(b)
	f.Add([]byte(`{"v":1}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		inv, err := ParseInvitation(data)
		if err != nil {
			return
		}
		if err := inv.Check(); err != nil {
			t.Fatalf("parsed an invitation that does not check: %v", err)
		}
	})
}

func FuzzParseSignedScope(f *testing.F) {
	fx := newFixture(f)
	b, err := fx.sign(fx.scope([]string{"view"}, "Medications")).Marshal()
	if err != nil {
		f.Fatal(err)
	}
	f.Add(b)
	f.Fuzz(func(t *testing.T, data []byte) {
		ss, err := ParseSignedScope(data)
		if err != nil {
			return
		}
		if _, err := ss.Verify(); err != nil {
			t.Fatalf("parsed a scope that does not verify: %v", err)
		}
	})
}

// Outside bytes: the care proof, served by the relay.
func FuzzParseCopyProof(f *testing.F) {
	fx := newFixture(f)
	b, err := BuildCopy(CopyRequest{Records: fx.records, Scope: fx.sign(fx.scope(nil)), Key: fx.key, ChainID: testChainID, Registry: testRegistry})
	if err != nil {
		f.Fatal(err)
	}
	f.Add(b.Proof)
	withKey, err := BuildCopy(CopyRequest{Records: fx.records, Scope: fx.sign(fx.scope(nil)), Key: fx.key, ChainID: testChainID, Registry: testRegistry,
		EmergencyGrantKey: common.HexToHash("0x5e5e")})
	if err != nil {
		f.Fatal(err)
	}
	f.Add(withKey.Proof)
	f.Add(bytes.Replace(b.Proof, []byte(`"updated"`), []byte(`"emergencyKey":"0x`+strings.Repeat("ab", 32)+`","updated"`), 1))
	f.Fuzz(func(t *testing.T, data []byte) {
		p, err := ParseCopyProof(data)
		if err != nil {
			return
		}
		out, err := p.Marshal()
		if err != nil {
			t.Fatalf("parsed a proof that does not marshal: %v", err)
		}
		if bytes.Contains(out, []byte(`"emergencyKey"`)) {
			t.Fatalf("a proof re-encoded with an emergency link key: %s", out)
		}
	})
}
