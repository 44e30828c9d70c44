package share

import (
	"context"
	"encoding/json"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"testing"
	"time"

	"healthwallet/wallet/testcorpus"
)

// SMART Health Cards come from strangers, and so do their issuers' key sets
// and revocation lists: each parser refuses with an error, never a panic,
// and what it accepts is self-consistent. Seeds are the Cards spec's
// examples and the dev tools' bad keys and CRLs; interesting inputs found
// are under testdata/fuzz.

const specIssuer = "https://spec.smarthealth.cards/examples/issuer"

// addCorpusFiles seeds f with every file under dir whose name matches glob.
func addCorpusFiles(f *testing.F, dir, glob string, add func([]byte)) {
	f.Helper()
	n := 0
	err := filepath.WalkDir(dir, func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		if ok, _ := filepath.Match(glob, d.Name()); !ok {
			return nil
		}
		b, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		add(b)
		n++
		return nil
	})
	if err != nil || n == 0 {
		f.Fatalf("no %s under %s: %v", glob, dir, err)
	}
}

// FuzzVerifyCard verifies a stranger's JWS against the spec issuer's real
// keys: a card accepted is the issuer's, with a bundle.
func FuzzVerifyCard(f *testing.F) {
	dir := testcorpus.Dir(f, "shc")
	addCorpusFiles(f, dir, "example-*-d-jws.txt", func(b []byte) { f.Add(string(b)) })
	f.Add("eyJhbGciOiJFUzI1NiIsInppcCI6IkRFRiIsImtpZCI6IngifQ.AAAA.AAAA")
	f.Add("..")
	keys := DirResolver{specIssuer: filepath.Join(dir, "issuer")}
	now := time.Unix(1_750_000_000, 0)
	f.Fuzz(func(t *testing.T, jws string) {
		card, err := VerifyCard(context.Background(), jws, keys, now)
		if err != nil {
			return
		}
		if card.Issuer != specIssuer || len(card.Bundle) == 0 || card.KeyID == "" {
			t.Fatalf("accepted a card without its issuer, key or bundle: %+v", card)
		}
	})
}

// FuzzParseCardFile reads .smart-health-card files: an accepted one holds
// between one and maxCardsPerFile JWS.
func FuzzParseCardFile(f *testing.F) {
	addCorpusFiles(f, testcorpus.Dir(f, "shc"), "example-*-e-file.smart-health-card", func(b []byte) { f.Add(b) })
	f.Add([]byte(`{"verifiableCredential":[]}`))
	f.Add([]byte(`{"verifiableCredential":["a.b.c",null]}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		jwss, err := ParseCardFile(data)
		if err == nil && (len(jwss) == 0 || len(jwss) > maxCardsPerFile) {
			t.Fatalf("accepted a file of %d cards", len(jwss))
		}
	})
}

// FuzzIssuerKeys reads a stranger's JWKS: a key accepted has the kid asked
// for, which is its thumbprint, and a public point.
func FuzzIssuerKeys(f *testing.F) {
	spec := testcorpus.Dir(f, "shc")
	devtools := testcorpus.Dir(f, "shc-devtools")
	jwks, err := os.ReadFile(filepath.Join(spec, "issuer", ".well-known", "jwks.json"))
	if err != nil {
		f.Fatal(err)
	}
	const kid = "3Kfdg-XwP-7gXyywtUfUADwBumDOPKMQx-iELL11W9s"
	f.Add(jwks, kid)
	addCorpusFiles(f, devtools, "*.public.json", func(b []byte) { f.Add(b, kid) })
	addCorpusFiles(f, filepath.Join(devtools, "badjwks"), "*", func(b []byte) { f.Add(b, kid) })
	f.Add([]byte(`{"keys":[{"kty":"EC","kid":"x","crv":"P-256","x":"","y":"","crlVersion":1e400}]}`), "x")
	now := time.Unix(1_750_000_000, 0)
	f.Fuzz(func(t *testing.T, doc []byte, kid string) {
		key, err := findIssuerKey(doc, kid, specIssuer, now, &Card{})
		if err != nil {
			return
		}
		if key.pub == nil {
			t.Fatalf("accepted key %s without a public key", kid)
		}
		if _, err := key.pub.ECDH(); err != nil { // checks the point is on P-256
			t.Fatalf("accepted key %s without a point on P-256", kid)
		}
		if key.crlVersion != nil && *key.crlVersion < 0 {
			t.Fatalf("accepted a negative crlVersion %d", *key.crlVersion)
		}
	})
}

// FuzzCRL reads a stranger's revocation list: never a panic, and a list
// that names the card's rid never lets it through.
func FuzzCRL(f *testing.F) {
	spec := testcorpus.Dir(f, "shc")
	const kid = "3Kfdg-XwP-7gXyywtUfUADwBumDOPKMQx-iELL11W9s"
	crl, err := os.ReadFile(filepath.Join(spec, "issuer", ".well-known", "crl", kid+".json"))
	if err != nil {
		f.Fatal(err)
	}
	f.Add(crl, "MKDB3rWcPmHNhkj4DRQVMNCuVQvsXcXzyISY1N4bDZQ", int64(1))
	addCorpusFiles(f, filepath.Join(testcorpus.Dir(f, "shc-devtools"), "badcrl"), "*", func(b []byte) { f.Add(b, "abc", int64(1)) })
	f.Add([]byte(`{"kid":"`+kid+`","method":"rid","ctr":1,"rids":["abc.1e400"]}`), "abc", int64(1))
	nbf := time.Unix(1_700_000_000, 0)
	f.Fuzz(func(t *testing.T, doc []byte, rid string, version int64) {
		err := checkRevocation(doc, kid, version, rid, nbf)
		var listed struct{ Rids []string }
		if err == nil && json.Unmarshal(doc, &listed) == nil && slices.Contains(listed.Rids, rid) {
			t.Fatalf("a CRL listing rid %q let the card through: %s", rid, doc)
		}
	})
}
