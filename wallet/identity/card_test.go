package identity

import (
	"bytes"
	"encoding/base64"
	"errors"
	"image/png"
	"math/big"
	"reflect"
	"strings"
	"testing"

	"github.com/ethereum/go-ethereum/crypto"
	"github.com/skip2/go-qrcode"
)

// A second person, for cards signed by someone else.
const strangerPhrase = "legal winner thank year wave sausage worth useful legal winner thank year wave sausage worth useful legal winner thank year wave sausage worth title"

func mustCard(t testing.TB, id *Identity, name string) Card {
	t.Helper()
	c, err := id.Card(name)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// signAnyway signs c as id would, skipping Card's checks, so a test can make a
// correctly signed card with exactly one defect.
func signAnyway(t testing.TB, id *Identity, c Card) Card {
	t.Helper()
	sig, err := crypto.Sign(c.signingDigest(), mustPrivateKey(t, id))
	if err != nil {
		t.Fatal(err)
	}
	c.Signature = sig
	return c
}

func TestCardRoundTrip(t *testing.T) {
	id := mustIdentity(t, phrase24)
	for _, name := range []string{
		"Ada Lovelace",
		"Dr. María-José Núñez (GP)",
		"王小明",
		strings.Repeat("x", MaxDisplayName),
		strings.Repeat("😀", MaxDisplayName),
	} {
		c := mustCard(t, id, name)
		if c.Address != id.Address() {
			t.Errorf("card address %s; want %s", c.Address, id.Address())
		}
		if !bytes.Equal(c.SharingKey[:], mustSharingKey(t, id).PublicKey().Bytes()) {
			t.Error("card sharing key is not the identity's")
		}
		if err := c.Verify(); err != nil {
			t.Errorf("%q: Verify = %v", name, err)
		}
		text := c.String()
		got, err := ParseCard(text)
		if err != nil {
			t.Fatalf("%q: ParseCard(String()) = %v", name, err)
		}
		if !reflect.DeepEqual(got, c) {
			t.Errorf("%q: round trip changed the card:\n got %+v\nwant %+v", name, got, c)
		}
		if got.String() != text {
			t.Errorf("%q: String is not canonical", name)
		}
		if n := len(text); name != strings.Repeat("😀", MaxDisplayName) && n >= 250 {
			t.Errorf("%q: card text is %d characters; want < 250 for a QR", name, n)
		}
	}
	// Scanners and copy-paste add white space around the text.
	c := mustCard(t, id, "  Ada Lovelace\n")
	if c.DisplayName != "Ada Lovelace" {
		t.Errorf("Card did not trim the name: %q", c.DisplayName)
	}
	if _, err := ParseCard("\r\n " + c.String() + "\n"); err != nil {
		t.Errorf("ParseCard with surrounding white space = %v", err)
	}
}

func TestCardSharingKeyHash(t *testing.T) {
	c := mustCard(t, mustIdentity(t, phrase24), "Ada")
	if c.SharingKeyHash() != crypto.Keccak256Hash(c.SharingKey[:]) {
		t.Error("SharingKeyHash is not keccak256 of the key")
	}
	other := mustCard(t, mustIdentity(t, strangerPhrase), "Ada")
	if c.SharingKeyHash() == other.SharingKeyHash() {
		t.Error("two people have the same SharingKeyHash")
	}
}

// Anything changed after signing must be caught, both on a Card value and on
// its text.
func TestAlteredCardFailsSignature(t *testing.T) {
	id := mustIdentity(t, phrase24)
	stranger := mustIdentity(t, strangerPhrase)
	orig := mustCard(t, id, "Ada Lovelace")

	altered := map[string]func(*Card){
		"name":    func(c *Card) { c.DisplayName = "Ada Lovelace MD" },
		"address": func(c *Card) { c.Address = stranger.Address() },
		"key": func(c *Card) {
			copy(c.SharingKey[:], mustSharingKey(t, stranger).PublicKey().Bytes())
		},
		"signature": func(c *Card) { c.Signature[10] ^= 1 },
	}
	for what, alter := range altered {
		t.Run(what, func(t *testing.T) {
			c := orig
			c.Signature = bytes.Clone(orig.Signature)
			alter(&c)
			if err := c.Verify(); !errors.Is(err, ErrCardSignature) {
				t.Errorf("Verify = %v; want ErrCardSignature", err)
			}
			if _, err := ParseCard(c.String()); !errors.Is(err, ErrCardSignature) {
				t.Errorf("ParseCard = %v; want ErrCardSignature", err)
			}
		})
	}
}

// A stranger cannot make a card that claims someone else's address, even one
// carrying that person's own key and name.
func TestCardSignedByStrangerIsRefused(t *testing.T) {
	victim := mustIdentity(t, phrase24)
	stranger := mustIdentity(t, strangerPhrase)
	forged := mustCard(t, victim, "Ada Lovelace")
	forged = signAnyway(t, stranger, forged)

	err := forged.Verify()
	if !errors.Is(err, ErrCardSignature) {
		t.Fatalf("Verify = %v; want ErrCardSignature", err)
	}
	if !strings.Contains(err.Error(), victim.Address().Hex()) {
		t.Errorf("error %q does not name the address the card claims", err)
	}
	if _, err := ParseCard(forged.String()); !errors.Is(err, ErrCardSignature) {
		t.Errorf("ParseCard = %v; want ErrCardSignature", err)
	}
	// The stranger's card with its own address is fine: the name proves
	// nothing, the address does.
	if err := mustCard(t, stranger, "Ada Lovelace").Verify(); err != nil {
		t.Errorf("stranger's own card: %v", err)
	}
}

// One card has one text: the other valid-looking encodings of the same
// signature (high S, V as 27/28) and of the same bytes are refused.
func TestCardHasOneEncoding(t *testing.T) {
	id := mustIdentity(t, phrase24)
	c := mustCard(t, id, "Ada L") // 122 bytes: the base64 ends with 2 spare bits

	highS := c
	highS.Signature = bytes.Clone(c.Signature)
	s := new(big.Int).SetBytes(c.Signature[32:64])
	s.Sub(crypto.S256().Params().N, s)
	s.FillBytes(highS.Signature[32:64])
	highS.Signature[64] ^= 1
	if pub, err := crypto.SigToPub(c.signingDigest(), highS.Signature); err != nil || crypto.PubkeyToAddress(*pub) != c.Address {
		t.Fatalf("test setup: the high-S twin should recover the same address (%v)", err)
	}
	if err := highS.Verify(); !errors.Is(err, ErrCardSignature) {
		t.Errorf("high-S signature: Verify = %v; want ErrCardSignature", err)
	}

	legacyV := c
	legacyV.Signature = bytes.Clone(c.Signature)
	legacyV.Signature[64] += 27
	if err := legacyV.Verify(); !errors.Is(err, ErrCardSignature) {
		t.Errorf("V=27/28: Verify = %v; want ErrCardSignature", err)
	}
	if _, err := ParseCard(legacyV.String()); err == nil {
		t.Error("ParseCard accepted the text of a card with V=27/28")
	}

	text := c.String()
	const alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"
	last := strings.IndexByte(alphabet, text[len(text)-1])
	spareBits := alphabet[last^1]
	if _, err := ParseCard(text[:len(text)-1] + string(spareBits)); !errors.Is(err, ErrBadCard) {
		t.Errorf("non-zero spare base64 bits: ParseCard = %v; want ErrBadCard", err)
	}
	split := text[:50] + "\n" + text[50:]
	if _, err := ParseCard(split); !errors.Is(err, ErrBadCard) {
		t.Errorf("newline inside the text: ParseCard = %v; want ErrBadCard", err)
	}
}

func TestParseCardRefuses(t *testing.T) {
	id := mustIdentity(t, phrase24)
	good := mustCard(t, id, "Ada Lovelace")
	raw, err := base64.RawURLEncoding.DecodeString(strings.TrimPrefix(good.String(), CardPrefix))
	if err != nil {
		t.Fatal(err)
	}
	encode := func(b []byte) string { return CardPrefix + base64.RawURLEncoding.EncodeToString(b) }
	withVersion := func(v byte) string {
		b := bytes.Clone(raw)
		b[0] = v
		return encode(b)
	}
	named := func(name string) string {
		c := good
		c.DisplayName = name
		return signAnyway(t, id, c).String()
	}
	var lowOrder Card = good
	lowOrder.SharingKey = [32]byte{} // the identity point
	lowOrder = signAnyway(t, id, lowOrder)
	lowOrderOne := good
	lowOrderOne.SharingKey = [32]byte{1} // u = 1, order 4
	lowOrderOne = signAnyway(t, id, lowOrderOne)

	tests := []struct {
		name, text, says string
	}{
		{"empty", "", "hwcard:"},
		{"other scheme", "shlink:/" + strings.TrimPrefix(good.String(), CardPrefix), "hwcard:"},
		{"upper-case prefix", "HWCARD:" + strings.TrimPrefix(good.String(), CardPrefix), "hwcard:"},
		{"oversize", CardPrefix + strings.Repeat("A", MaxCardText), "more than any card"},
		{"bad base64", good.String()[:60] + "!" + good.String()[61:], "base64"},
		{"padded base64", good.String() + "==", "base64"},
		{"prefix only", CardPrefix, "empty"},
		{"version 0", withVersion(0), "version 0 is unknown"},
		{"version 2", withVersion(2), "version 2 is unknown"},
		{"truncated", encode(raw[:100]), "cut short"},
		{"no name", encode(raw[:cardFixedLen]), "cut short"},
		{"name too long", named(strings.Repeat("x", MaxDisplayName+1)), "65 characters"},
		{"name with bell", named("Ada\aLovelace"), "control character (U+0007)"},
		{"name with newline", named("Ada\nLovelace"), "control character (U+000A)"},
		{"name with NUL", named("Ada\x00"), "control character"},
		{"name with RTL override", named("Ada\u202eecalevoL"), "control character (U+202E)"},
		{"name with line separator", named("Ada\u2028Lovelace"), "control character"},
		{"name padded", named(" Ada"), "white space"},
		{"name only spaces", named("   "), "white space"},
		{"name not UTF-8", named("Ada\xff"), "UTF-8"},
		{"zero sharing key", lowOrder.String(), "sharing key"},
		{"low-order sharing key", lowOrderOne.String(), "sharing key"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := ParseCard(tt.text)
			if !errors.Is(err, ErrBadCard) {
				t.Fatalf("ParseCard = %v; want ErrBadCard", err)
			}
			if !strings.Contains(err.Error(), tt.says) {
				t.Errorf("error %q does not say %q", err, tt.says)
			}
		})
	}
}

func TestCardRefusesBadNames(t *testing.T) {
	id := mustIdentity(t, phrase24)
	for _, name := range []string{"", "  ", strings.Repeat("é", MaxDisplayName+1), "A\tB", "A\u202eB", "A\xffB"} {
		if _, err := id.Card(name); !errors.Is(err, ErrBadCard) {
			t.Errorf("Card(%q) = %v; want ErrBadCard", name, err)
		}
		if err := CheckDisplayName(name); !errors.Is(err, ErrBadCard) {
			t.Errorf("CheckDisplayName(%q) = %v; want ErrBadCard", name, err)
		}
	}
	for _, name := range []string{"Ada", "Zoë O'Brien-Núñez", "محمد‌علی", strings.Repeat("é", MaxDisplayName)} {
		if err := CheckDisplayName(name); err != nil {
			t.Errorf("CheckDisplayName(%q) = %v", name, err)
		}
	}
}

// Every module of the QR must be a whole, uniform block of pixels holding
// exactly what go-qrcode encodes for the card's text at level M
// (TestCardQRCodeDecodes reads it back with an independent decoder).
func TestCardQRCode(t *testing.T) {
	c := mustCard(t, mustIdentity(t, phrase24), "Ada Lovelace")
	want, err := qrcode.New(c.String(), qrcode.Medium)
	if err != nil {
		t.Fatal(err)
	}
	modules := want.Bitmap()

	for _, ppm := range []int{1, 3, 7} {
		pngBytes, err := c.QRCode(ppm)
		if err != nil {
			t.Fatal(err)
		}
		img, err := png.Decode(bytes.NewReader(pngBytes))
		if err != nil {
			t.Fatalf("QRCode(%d) is not a PNG: %v", ppm, err)
		}
		n := len(modules)
		if b := img.Bounds(); b.Dx() != n*ppm || b.Dy() != n*ppm {
			t.Fatalf("QRCode(%d) is %v; want %d×%d (%d modules with quiet zone)", ppm, b, n*ppm, n*ppm, n)
		}
		for y := range n * ppm {
			for x := range n * ppm {
				r, _, _, _ := img.At(x, y).RGBA()
				if dark := r < 0x8000; dark != modules[y/ppm][x/ppm] {
					t.Fatalf("QRCode(%d): pixel (%d,%d) does not match module (%d,%d)", ppm, x, y, x/ppm, y/ppm)
				}
			}
		}
	}
	for _, ppm := range []int{0, -2, 65} {
		if _, err := c.QRCode(ppm); err == nil {
			t.Errorf("QRCode(%d) did not fail", ppm)
		}
	}
}

// FuzzParseCard: text from strangers never panics ParseCard, and whatever it
// accepts is a verified card whose canonical text is the input.
func FuzzParseCard(f *testing.F) {
	id := mustIdentity(f, phrase24)
	good := mustCard(f, id, "Ada Lovelace").String()
	f.Add(good)
	f.Add(" " + good + "\n")
	f.Add(good[:len(good)/2])
	f.Add(good[:len(CardPrefix)+1])
	f.Add(mustCard(f, id, strings.Repeat("😀", MaxDisplayName)).String())
	f.Add(CardPrefix)
	f.Add("")
	f.Add("hwcard:////")
	f.Add(CardPrefix + "AQ")
	f.Add(CardPrefix + strings.Repeat("A", 200))
	f.Add("\x00\xff garbage \u202e")
	f.Fuzz(func(t *testing.T, s string) {
		c, err := ParseCard(s)
		if err != nil {
			if !errors.Is(err, ErrBadCard) && !errors.Is(err, ErrCardSignature) {
				t.Fatalf("error %v wraps neither ErrBadCard nor ErrCardSignature", err)
			}
			return
		}
		if err := c.Verify(); err != nil {
			t.Fatalf("ParseCard accepted a card that does not verify: %v", err)
		}
		if c.String() != strings.TrimSpace(s) {
			t.Fatalf("accepted text is not canonical:\n  in %q\n out %q", s, c.String())
		}
	})
}

// A card printed or shown today must still scan in every later version, and
// this version must keep writing the same text: the format (layout, digest,
// domain string, signature encoding) is pinned by one known card. Signatures
// are deterministic (RFC 6979), so the text is too.
func TestCardFormatIsStable(t *testing.T) {
	const golden = "hwcard:AcbkpPWpdD-rm8jWSEmeY-CD0lGaTq1fzp60xFrszL8psB_3uIVmXjhSA15_4dNp_XMIY38b9hSoTe4R2NxmdVyP-3GzaX_Yxc1U7JlSUJ8HEvVFcDL_Qr6sbCdh0oCWD_L1dfIhww3-GuNhb9EfbtMVgOmiQWRhIExvdmVsYWNl"
	c, err := ParseCard(golden)
	if err != nil {
		t.Fatalf("ParseCard(golden) = %v", err)
	}
	if c.Address.Hex() != goldenAddress || c.DisplayName != "Ada Lovelace" {
		t.Errorf("golden card reads as %s %q", c.Address.Hex(), c.DisplayName)
	}
	if got := mustCard(t, mustIdentity(t, phrase24), "Ada Lovelace").String(); got != golden {
		t.Errorf("Card(\"Ada Lovelace\").String()\n got %s\nwant %s", got, golden)
	}
}

// CheckSharingKey is the one check of a peer's sharing key (cards, and the
// relay's shares): real keys pass, small-order points and wrong lengths fail.
func TestCheckSharingKey(t *testing.T) {
	id := mustIdentity(t, phrase24)
	if err := CheckSharingKey(mustSharingKey(t, id).PublicKey().Bytes()); err != nil {
		t.Errorf("the identity's own key: %v", err)
	}
	for name, k := range map[string][]byte{
		"zero":      make([]byte, 32),
		"u = 1":     append([]byte{1}, make([]byte, 31)...),
		"too short": make([]byte, 31),
		"empty":     nil,
	} {
		if err := CheckSharingKey(k); !errors.Is(err, ErrBadSharingKey) {
			t.Errorf("%s: %v, want ErrBadSharingKey", name, err)
		}
	}
}
