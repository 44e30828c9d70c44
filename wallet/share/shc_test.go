package share

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"healthwallet/wallet/testcorpus"
)

// The dev tools' key files: each wrong key is refused for what is wrong
// with it, the valid one accepted.
func TestIssuerKeyValidation(t *testing.T) {
	dir := testcorpus.Dir(t, "shc-devtools")
	for file, want := range map[string]string{
		"valid_key.json":       "",
		"wrong_alg_key.json":   "alg",
		"wrong_curve_key.json": "crv",
		"wrong_kid_key.json":   "thumbprint",
		"wrong_kty_key.json":   "kty",
		"wrong_use_key.json":   "use",
		"private_key.json":     "private",
	} {
		b, err := os.ReadFile(filepath.Join(dir, file))
		if err != nil {
			t.Fatal(err)
		}
		var set struct{ Keys []jwk }
		dec := json.NewDecoder(bytes.NewReader(b))
		dec.UseNumber()
		if err := dec.Decode(&set); err != nil || len(set.Keys) == 0 {
			t.Fatalf("%s: %v", file, err)
		}
		_, err = validateJWK(set.Keys[0], "https://issuer.example", time.Now(), &Card{})
		switch {
		case want == "" && err != nil:
			t.Errorf("%s: refused: %v", file, err)
		case want != "" && (err == nil || !strings.Contains(err.Error(), want)):
			t.Errorf("%s: %v; want an error about %s", file, err, want)
		}
	}
}

func TestHTTPSResolver(t *testing.T) {
	issuer := testcorpus.Dir(t, "shc/issuer")
	srv := httptest.NewTLSServer(http.StripPrefix("/issuer", http.FileServer(http.Dir(issuer))))
	t.Cleanup(srv.Close)
	r := HTTPSResolver{Client: srv.Client()}
	ctx := context.Background()
	doc, err := r.JWKS(ctx, srv.URL+"/issuer")
	if err != nil || !bytes.Contains(doc, []byte("3Kfdg-XwP-7gXyywtUfUADwBumDOPKMQx-iELL11W9s")) {
		t.Fatalf("JWKS = %.60q, %v", doc, err)
	}
	if crl, err := r.CRL(ctx, srv.URL+"/issuer", "3Kfdg-XwP-7gXyywtUfUADwBumDOPKMQx-iELL11W9s"); err != nil || !bytes.Contains(crl, []byte(`"rids"`)) {
		t.Errorf("CRL = %.60q, %v", crl, err)
	}
	if _, err := r.CRL(ctx, srv.URL+"/issuer", "../../etc"); err == nil {
		t.Error("a kid with a path was fetched")
	}
	if _, err := r.JWKS(ctx, srv.URL+"/nobody"); err == nil {
		t.Error("a 404 gave keys")
	}
	if _, err := r.JWKS(ctx, strings.Replace(srv.URL, "https", "http", 1)); err == nil {
		t.Error("keys fetched over http")
	}
}

func TestCardTimeChecks(t *testing.T) {
	dir := testcorpus.Dir(t, "shc")
	keys := DirResolver{"https://spec.smarthealth.cards/examples/issuer": filepath.Join(dir, "issuer")}
	jws, _ := os.ReadFile(filepath.Join(dir, "example-00-d-jws.txt"))
	// Issued 2023-06-22 (nbf 1687450764.656): not valid a day before.
	if _, err := VerifyCard(context.Background(), string(jws), keys, time.Unix(1687450764-86400, 0)); !errors.Is(err, ErrCardNotValidNow) {
		t.Errorf("before nbf: %v", err)
	}
	card, err := VerifyCard(context.Background(), string(jws), keys, time.Unix(1687450764+60, 0))
	if err != nil || card.Issued.UnixMilli() != 1687450764656 {
		t.Errorf("nbf with a fraction: %v, %v", card.Issued, err)
	}
	// An issuer nobody configured.
	if _, err := VerifyCard(context.Background(), string(jws), DirResolver{}, time.Now()); !errors.Is(err, ErrIssuerKeys) {
		t.Errorf("unknown issuer: %v", err)
	}
	for name, text := range map[string]string{"two parts": "a.b", "not base64": "!.!.!", "empty": ""} {
		if _, err := VerifyCard(context.Background(), text, keys, time.Now()); !errors.Is(err, ErrBadCard) {
			t.Errorf("%s: %v", name, err)
		}
	}
	for name, text := range map[string]string{"not json": "x", "no cards": `{"verifiableCredential":[]}`, "wrong type": `{"verifiableCredential":"x"}`} {
		if _, err := ParseCardFile([]byte(text)); !errors.Is(err, ErrBadCard) {
			t.Errorf("ParseCardFile %s: %v", name, err)
		}
	}
}
