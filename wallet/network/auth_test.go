package network

import (
	"errors"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/ethereum/go-ethereum/crypto"
)

// TestRequestSignature: a signed request recovers its wallet; the same
// signature for another node, another purpose, another body or a stale time
// does not.
func TestRequestSignature(t *testing.T) {
	key, _ := crypto.GenerateKey()
	wallet := crypto.PubkeyToAddress(key.PublicKey)
	sign := func(d []byte) ([]byte, error) { return crypto.Sign(d, key) }
	now := time.Now()
	r, _ := http.NewRequest(http.MethodPost, "https://clinic.example/submit/v1/actions", nil)
	body := []byte("0x1234")
	if err := signRequest(r, sign, "https://clinic.example", purposeSubmit, "/v1/actions", body, now); err != nil {
		t.Fatal(err)
	}
	if got, err := requestSigner(r, "https://clinic.example", purposeSubmit, "/v1/actions", body, now); err != nil || got != wallet {
		t.Fatalf("the request recovers %v, %v; want %v", got, err, wallet)
	}
	for name, check := range map[string]func() (bool, error){
		"another node": func() (bool, error) {
			got, err := requestSigner(r, "https://other.example", purposeSubmit, "/v1/actions", body, now)
			return got == wallet, err
		},
		"another purpose": func() (bool, error) {
			got, err := requestSigner(r, "https://clinic.example", purposeEnrol, "/v1/actions", body, now)
			return got == wallet, err
		},
		"another body": func() (bool, error) {
			got, err := requestSigner(r, "https://clinic.example", purposeSubmit, "/v1/actions", []byte("0x5678"), now)
			return got == wallet, err
		},
		"six minutes later": func() (bool, error) {
			got, err := requestSigner(r, "https://clinic.example", purposeSubmit, "/v1/actions", body, now.Add(6*time.Minute))
			if !errors.Is(err, ErrUnauthenticated) {
				t.Errorf("a stale request: %v; want ErrUnauthenticated", err)
			}
			return got == wallet, nil
		},
	} {
		if same, _ := check(); same {
			t.Errorf("%s: the signature still recovers the wallet", name)
		}
	}
}

func FuzzRequestSigner(f *testing.F) {
	f.Add("1733300000", "AAAAAAAAAAAAAAAAAAAAAA", "0x"+strings.Repeat("1b", 65))
	f.Add("-1", "short", "0xzz")
	f.Fuzz(func(t *testing.T, ts, nonce, sig string) {
		r, _ := http.NewRequest(http.MethodGet, "https://clinic.example/submit/v1/account", nil)
		r.Header.Set(headerTime, ts)
		r.Header.Set(headerNonce, nonce)
		r.Header.Set(headerSignature, sig)
		// Any header: an address or ErrUnauthenticated, never a panic.
		if _, err := requestSigner(r, "https://clinic.example", purposeAccount, "/v1/account", nil, time.Unix(1733300000, 0)); err != nil && !errors.Is(err, ErrUnauthenticated) {
			t.Fatalf("error %v does not wrap ErrUnauthenticated", err)
		}
	})
}
