package wallet

import (
	"context"
	"crypto/ecdh"
	"crypto/rand"
	"log/slog"
	"net/http/httptest"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/ethereum/go-ethereum/crypto"

	"healthwallet/wallet/relay"
	"healthwallet/wallet/share"
	"healthwallet/wallet/testcorpus"
)

// shlOfCards puts the given .smart-health-card files, encrypted, behind a
// passcode-protected SMART Health Link served by the project's relay, as an
// issuer's or another wallet's SHL would be, and returns the link.
func shlOfCards(t *testing.T, passcode string, cardFiles ...string) string {
	t.Helper()
	srv, err := relay.Open(relay.Config{DataDir: t.TempDir(), DisableRateLimits: true, Logger: slog.New(slog.DiscardHandler)})
	if err != nil {
		t.Fatal(err)
	}
	hs := httptest.NewServer(srv.Handler())
	t.Cleanup(func() { hs.Close(); srv.Close() })
	signer, err := crypto.GenerateKey()
	if err != nil {
		t.Fatal(err)
	}
	sharing, err := ecdh.X25519().GenerateKey(rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	client, err := relay.NewClient(hs.URL, signer, nil)
	if err != nil {
		t.Fatal(err)
	}
	key, err := share.NewKey()
	if err != nil {
		t.Fatal(err)
	}
	var files []relay.File
	for _, p := range cardFiles {
		b, err := os.ReadFile(p)
		if err != nil {
			t.Fatal(err)
		}
		jwe, err := share.EncryptFile(b, key[:], share.ContentTypeSHC)
		if err != nil {
			t.Fatal(err)
		}
		files = append(files, relay.File{ContentType: share.ContentTypeSHC, JWE: jwe})
	}
	var digest [32]byte
	rand.Read(digest[:])
	exp := time.Now().Add(time.Hour).Truncate(time.Second)
	info, err := client.CreateShare(context.Background(), relay.CreateRequest{
		Files: files, Flag: "P", Passcode: passcode, Expires: exp, GrantDigest: digest, SharingKey: sharing.PublicKey(),
	})
	if err != nil {
		t.Fatalf("the relay refused the share: %v", err)
	}
	return share.Link{URL: info.URL, Key: key, Exp: exp, Flags: "P", Label: "Vaccination cards"}.String()
}

// ImportText given a SMART Health Link whose files are cards, served by the
// relay behind a passcode: a wrong passcode imports nothing and says so;
// the right one imports every card, each verified (its issuer trusted) with
// as many records as its bundle has entries; the same link again gives
// duplicates only.
func TestImportTextSHLOfCards(t *testing.T) {
	dir := testcorpus.Dir(t, "shc")
	w := trustingWallet(t)
	ctx := context.Background()
	link := shlOfCards(t, "4711",
		filepath.Join(dir, "example-00-e-file.smart-health-card"),
		filepath.Join(dir, "example-01-e-file.smart-health-card"))
	want := []int{
		testcorpus.CountResources(t, filepath.Join(dir, "example-00-a-fhirBundle.json")),
		testcorpus.CountResources(t, filepath.Join(dir, "example-01-a-fhirBundle.json")),
	}

	if r, err := w.ImportText(ctx, link, "0000"); err == nil || r.Imported != 0 {
		t.Fatalf("wrong passcode: %+v, %v", r, err)
	}
	r, err := w.ImportText(ctx, link, "4711")
	if err != nil {
		t.Fatal(err)
	}
	if len(r.Cards) != 2 || len(r.Files) != 2 || len(r.Rejected) != 0 {
		t.Fatalf("cards %+v, files %+v, rejected %+v", r.Cards, r.Files, r.Rejected)
	}
	for i, c := range r.Cards {
		if !c.Verified || c.Issuer != exampleIss || c.Records != want[i] {
			t.Errorf("card %d from the link: %+v, want verified with %d records", i+1, c, want[i])
		}
		if f := r.Files[i]; f.Kind != FileCard || f.Records != want[i] {
			t.Errorf("link file %d: %+v", i+1, f)
		}
	}
	if r.Imported != want[0]+want[1] {
		t.Errorf("imported %d, want %d", r.Imported, want[0]+want[1])
	}
	again, err := w.ImportText(ctx, link, "4711")
	if err != nil || again.Imported != 0 || again.Duplicates != want[0]+want[1] {
		t.Errorf("the same link again: %+v, %v", again, err)
	}
}
