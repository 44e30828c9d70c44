package cards

import (
	"context"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"healthwallet/wallet/testcorpus"
)

// Attackers serving a directory: a huge body, a redirect (to a server that
// would answer), plain http — each refused with the reason.
func TestHTTPSFetcherRefuses(t *testing.T) {
	good := []byte(`{"participating_issuers":[{"iss":"https://issuer.example","name":"Good"}]}`)
	srv := httptest.NewTLSServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Path {
		case "/huge":
			w.Write([]byte(`{"participating_issuers":[`))
			chunk := []byte(strings.Repeat(" ", 1<<20))
			for i := 0; i < MaxDirectory>>20+2; i++ {
				if _, err := w.Write(chunk); err != nil {
					return
				}
			}
		case "/redirect":
			http.Redirect(w, r, "/good", http.StatusFound)
		case "/good":
			w.Write(good)
		default:
			http.NotFound(w, r)
		}
	}))
	defer srv.Close()
	f := HTTPSFetcher{Client: srv.Client()}
	ctx := context.Background()
	if b, err := f.Fetch(ctx, srv.URL+"/good", MaxDirectory); err != nil || string(b) != string(good) {
		t.Fatalf("good: %q, %v", b, err)
	}
	for path, want := range map[string]string{
		"/huge":     "more than",
		"/redirect": "redirects are not followed",
	} {
		if _, err := f.Fetch(ctx, srv.URL+path, MaxDirectory); err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("%s: %v; want %q", path, err, want)
		}
	}
	if _, err := f.Fetch(ctx, strings.Replace(srv.URL, "https:", "http:", 1)+"/good", MaxDirectory); err == nil || !strings.Contains(err.Error(), "only https") {
		t.Errorf("http: %v", err)
	}
}

// Directory entries whose iss the Cards spec does not allow are refused
// and named; a directory of nothing else is refused whole.
func TestParseDirectoryRefusesBadIssuers(t *testing.T) {
	d, err := ParseDirectory([]byte(`{"participating_issuers":[
		{"iss":"https://good.example/cards","name":"Good"},
		{"iss":"https://slash.example/","name":"Slash"},
		{"iss":"http://plain.example","name":"Plain"}]}`))
	if err != nil || len(d.Issuers) != 1 || d.Issuers[0].Name != "Good" || len(d.Refused) != 2 ||
		!strings.Contains(d.Refused[0], "ends with '/'") || !strings.Contains(d.Refused[1], "is not https") {
		t.Fatalf("%+v, %v", d, err)
	}
	if _, err := ParseDirectory([]byte(`{"participating_issuers":[{"iss":"http://plain.example"}]}`)); err == nil {
		t.Error("a directory of refused entries was accepted")
	}
	for _, bad := range []string{``, `[]`, `{}`, `{"issuerInfo":[]}`, `{"keys":[]}`} {
		if _, err := ParseDirectory([]byte(bad)); err == nil {
			t.Errorf("%q accepted as a directory", bad)
		}
	}
}

// The dev tools' list of participating issuers reads as a directory.
func TestParseDirectoryDevTools(t *testing.T) {
	b, err := os.ReadFile(filepath.Join(testcorpus.Dir(t, "shc-devtools"), "test-issuers.json"))
	if err != nil {
		t.Fatal(err)
	}
	d, err := ParseDirectory(b)
	if err != nil || len(d.Issuers) != 1 || d.Issuers[0].Iss != "https://spec.smarthealth.cards/examples/issuer" {
		t.Fatalf("%+v, %v", d, err)
	}
}

// The spec's example 02 in three QR texts assembles, in any order, into the
// JWS of its .txt form; a missing part is named.
func TestAssembleExample02(t *testing.T) {
	dir := testcorpus.Dir(t, "shc")
	jws, err := os.ReadFile(filepath.Join(dir, "example-02-d-jws.txt"))
	if err != nil {
		t.Fatal(err)
	}
	var chunks []Chunk
	for _, i := range []string{"2", "0", "1"} {
		b, err := os.ReadFile(filepath.Join(dir, "example-02-f-qr-code-numeric-value-"+i+".txt"))
		if err != nil {
			t.Fatal(err)
		}
		c, err := ParseQRText(string(b))
		if err != nil {
			t.Fatal(err)
		}
		chunks = append(chunks, c)
	}
	var a Assembler
	for i, c := range chunks {
		got, done, err := a.Add(c)
		if err != nil {
			t.Fatal(err)
		}
		if done != (i == 2) {
			t.Fatalf("after %d parts done=%v (missing %v)", i+1, done, a.Missing())
		}
		if i == 1 && strings.Join(a.Missing(), ",") != "part 2 of 3" {
			t.Errorf("missing %v", a.Missing())
		}
		if done && got != strings.TrimSpace(string(jws)) {
			t.Error("assembled JWS differs from the example's")
		}
	}
}

// Cached keys answer when the issuer cannot be reached, however old.
func TestResolverOffline(t *testing.T) {
	st := &State{Keys: map[string]*IssuerDocs{"https://i.example": {JWKS: []byte(`{"keys":[]}`), Fetched: time.Unix(0, 0)}}}
	r := &Resolver{State: st, Now: time.Now()}
	if b, err := r.JWKS(context.Background(), "https://i.example"); err != nil || string(b) != `{"keys":[]}` {
		t.Fatalf("%q, %v", b, err)
	}
	if _, err := r.JWKS(context.Background(), "https://other.example"); err == nil || !strings.Contains(err.Error(), "none are kept") {
		t.Errorf("unknown issuer offline: %v", err)
	}
	if _, err := r.JWKS(context.Background(), "https://i.example/"); err == nil {
		t.Error("an iss with a trailing slash was looked up")
	}
}

func FuzzParseDirectory(f *testing.F) {
	f.Add([]byte(`{"participating_issuers":[{"iss":"https://a.example","name":"A"}]}`))
	f.Add([]byte(`{"issuerInfo":[{"issuer":{"iss":"https://a.example","name":"A"},"keys":[{"kty":"EC"}],"crls":[{"kid":"k","method":"rid","ctr":1,"rids":[]}]}]}`))
	if b, err := os.ReadFile("../../../shared/testdata/shc-devtools/test-issuers.json"); err == nil {
		f.Add(b)
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		d, err := ParseDirectory(data)
		if err != nil {
			return
		}
		if len(d.Issuers) == 0 {
			t.Fatal("a directory with no issuer was accepted")
		}
		var st State
		st.Put("file", d, time.Unix(1, 0))
		for _, is := range d.Issuers {
			if _, ok := st.Trusted(is.Iss); !ok {
				t.Fatalf("%s listed but not trusted", is.Iss)
			}
		}
	})
}

func FuzzQRChunks(f *testing.F) {
	for _, p := range []string{"example-00-f-qr-code-numeric-value-0.txt", "example-02-f-qr-code-numeric-value-1.txt"} {
		if b, err := os.ReadFile("../../../shared/testdata/shc/" + p); err == nil {
			f.Add(string(b), "shc:/1/2/5676")
		}
	}
	f.Add("shc:/1/2/56", "shc:/2/2/57")
	f.Fuzz(func(t *testing.T, a, b string) {
		var as Assembler
		for _, text := range []string{a, b} {
			c, err := ParseQRText(text)
			if err != nil {
				continue
			}
			if c.Total < 1 || c.Index < 1 || c.Index > c.Total {
				t.Fatalf("chunk %d of %d accepted", c.Index, c.Total)
			}
			jws, done, err := as.Add(c)
			if done && c.Total == 1 && jws != c.Part {
				t.Fatal("a single QR text changed on assembly")
			}
			_ = err
		}
		_ = as.Missing()
	})
}
