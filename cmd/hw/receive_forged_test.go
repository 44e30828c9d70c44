//go:build unix

package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"

	"healthwallet/chain/chaintest"
	"healthwallet/wallet/share"
)

// Issue 7, finding 1, with every party a real process: hw chain serve, a hw
// relay checking it, the patient's hw share, and a doctor's hw receive. The
// attacker holds the link: it fetches the manifest as any receiver would,
// hosts its own copy on a loopback server with one more file encrypted under
// the link's key, and hands out a link to that copy. hw receive must not say
// Verified, and must list the added record apart from the patient's.
func TestReceiveRehostedManifest(t *testing.T) {
	served := chaintest.StartServe(t)
	rp := startRelay(t, "--chain", served.URL)
	dir := t.TempDir()
	patient := []string{"HW_VAULT=" + filepath.Join(dir, "patient"), "HW_KDF=fast", "HW_PASSWORD=" + matrixPassword, "HW_CHAIN=" + served.URL}
	hwOK(t, patient, "init", "--name", "Ada Lovelace")
	served.Fund(walletAddress(t, patient))
	obs := filepath.Join(dir, "obs.json")
	if err := os.WriteFile(obs, []byte(`{"resourceType":"Bundle","type":"collection","entry":[
		{"resource":{"resourceType":"Observation","id":"g1","status":"final","code":{"text":"Glucose"},"valueQuantity":{"value":99,"unit":"mg/dL"},"effectiveDateTime":"2024-03-01"}},
		{"resource":{"resourceType":"Observation","id":"g2","status":"final","code":{"text":"Glucose"},"valueQuantity":{"value":104,"unit":"mg/dL"},"effectiveDateTime":"2024-04-01"}}]}`), 0o600); err != nil {
		t.Fatal(err)
	}
	hwOK(t, patient, "import", obs)
	hwOK(t, patient, "relay-url", rp.base)
	var res shareJSON
	decodeJSON(t, []byte(hwOK(t, patient, "share", "--all", "--ttl", "1h", "--purpose", "TREAT", "--label", "Glucose", "--json")), &res)
	doctor := []string{"HW_VAULT=" + filepath.Join(dir, "no-wallet"), "HW_CHAIN=" + served.URL, "HW_REGISTRY=" + served.Registry.Hex()}

	a := newAttacker(t, res.Link)
	forged := []byte(`{"resourceType":"Condition","id":"forged","clinicalStatus":{"coding":[{"code":"active"}]},"code":{"text":"Forged diagnosis"}}`)
	var genuineBundle []byte
	for _, f := range a.files {
		if f.ContentType == share.ContentTypeFHIR {
			genuineBundle = f.plaintext
		}
	}
	if genuineBundle == nil {
		t.Fatalf("the patient's share has no FHIR file: %+v", a.files)
	}

	// The attacker's copy as served, nothing added: Verified, so what the
	// cases below change is the file they add, not the server.
	if r, errOut, code := hwReceive(t, doctor, a.link(t, nil)); code != 0 || !*r.Verified || len(r.Records) != 2 || len(r.Uncovered) != 0 {
		t.Fatalf("the re-hosted copy with nothing added: exit %d, failed %+v\n%s", code, failedChecks(r), errOut)
	}

	for _, c := range []struct {
		name     string
		added    []addedFile
		failed   []string // exactly the checks that fail
		covered  int      // records shown as the patient's
		apart    []string // in the records shown apart
		notApart string   // not in them
	}{{
		name:    "a lone resource, embedded",
		added:   []addedFile{{share.ContentTypeFHIR, forged, false}},
		failed:  []string{share.CheckCovered},
		covered: 2, apart: []string{"Forged diagnosis"},
	}, {
		name: "a second Bundle, by location, with a copy of a genuine record",
		added: []addedFile{{share.ContentTypeFHIR, []byte(`{"resourceType":"Bundle","type":"collection","entry":[{"resource":` + string(forged) + `},` +
			`{"resource":{"resourceType":"Observation","id":"g1","status":"final","code":{"text":"Glucose"},"valueQuantity":{"value":99,"unit":"mg/dL"},"effectiveDateTime":"2024-03-01"}}]}`), true}},
		failed:  []string{share.CheckCovered},
		covered: 2, apart: []string{"Forged diagnosis", `"value":99`},
	}, {
		name:    "the patient's Bundle again",
		added:   []addedFile{{share.ContentTypeFHIR, genuineBundle, false}},
		failed:  []string{share.CheckCovered},
		covered: 2, apart: []string{`"value":99`, `"value":104`},
	}, {
		name:    "a second proof file, with a lone resource",
		added:   []addedFile{{share.ContentTypeProof, a.plaintext(t, share.ContentTypeProof), true}, {share.ContentTypeFHIR, forged, false}},
		failed:  []string{share.CheckProofPresent, share.CheckCovered},
		covered: 0,
		apart:   []string{"Forged diagnosis", `"value":104`},
	}, {
		name:    "a file of an unknown type",
		added:   []addedFile{{"application/x-forged", forged, false}},
		failed:  []string{share.CheckRecordsReadable},
		covered: 2, notApart: "Forged diagnosis",
	}} {
		t.Run(c.name, func(t *testing.T) {
			link := a.link(t, c.added)
			r, errOut, code := hwReceive(t, doctor, link)
			if code != 0 {
				t.Fatalf("hw receive: exit %d\n%s", code, errOut)
			}
			assertRefusedBy(t, r, c.failed...)
			if len(r.Records) != c.covered {
				t.Errorf("%d records shown as covered, want %d", len(r.Records), c.covered)
			}
			for _, rec := range r.Records {
				if strings.Contains(string(rec), "Forged") {
					t.Errorf("the forged record is among the covered ones: %s", rec)
				}
			}
			var apart []string
			for _, u := range r.Uncovered {
				apart = append(apart, string(u.Resource))
			}
			all := strings.Join(apart, "\n")
			for _, want := range c.apart {
				if !strings.Contains(all, want) {
					t.Errorf("records shown apart lack %s:\n%s", want, all)
				}
			}
			if c.notApart != "" && strings.Contains(all, c.notApart) {
				t.Errorf("records shown apart hold %s", c.notApart)
			}
		})
	}

	// The text a doctor reads, and what --out writes: the forged record
	// under its own heading, and in its own file.
	link := a.link(t, []addedFile{{share.ContentTypeFHIR, forged, false}})
	out := filepath.Join(dir, "received.json")
	text := hwOK(t, doctor, "receive", "--out", out, link)
	covered, apart, ok := strings.Cut(text, "1 record NOT COVERED BY THE PATIENT'S CONSENT")
	if !strings.HasPrefix(text, "NOT VERIFIED: 1 check failed.\nIntact, but 1 record was added after it was shared: shown apart, do not rely on it.\n") || !ok ||
		!strings.Contains(covered, "2 records covered by the patient's consent:") || strings.Contains(covered, "Forged diagnosis") ||
		!strings.Contains(apart, "Forged diagnosis") || !strings.Contains(apart, "not among the records the patient consented to share") {
		t.Fatalf("hw receive printed:\n%s", text)
	}
	written, err := os.ReadFile(out)
	if err != nil || strings.Contains(string(written), "Forged") || !strings.Contains(string(written), `"value":104`) {
		t.Fatalf("--out %s: %v\n%s", out, err, written)
	}
	written, err = os.ReadFile(uncoveredPath(out))
	if err != nil || !strings.Contains(string(written), "Forged") || strings.Contains(string(written), `"value":104`) {
		t.Fatalf("--out's records not covered, %s: %v\n%s", uncoveredPath(out), err, written)
	}
}

// attacker holds a link, and serves copies of its manifest with files added.
type attacker struct {
	key   [32]byte
	exp   share.Link
	files []attackerFile // the manifest's files as the relay served them

	mu     sync.Mutex
	shares map[string][]attackerFile // path → files
	srv    *httptest.Server
}

type attackerFile struct {
	ContentType string
	jwe         string
	plaintext   []byte
	byLocation  bool
}

// addedFile is a file the attacker adds, encrypted under the link's key.
type addedFile struct {
	contentType string
	plaintext   []byte
	byLocation  bool
}

// newAttacker fetches the link's manifest from the relay, as a receiver
// would, and keeps its encrypted files as they are.
func newAttacker(t *testing.T, text string) *attacker {
	t.Helper()
	l := mustParseLink(t, text)
	a := &attacker{key: l.Key, exp: l, shares: map[string][]attackerFile{}}
	resp, err := http.Post(l.URL, "application/json", strings.NewReader(`{"recipient":"someone with the link","embeddedLengthMax":10000000}`))
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	doc, err := share.ParseManifest(body)
	if resp.StatusCode != http.StatusOK || err != nil {
		t.Fatalf("the relay's manifest: %d %v\n%s", resp.StatusCode, err, body)
	}
	for _, e := range doc.Files {
		jwe := e.Embedded
		if jwe == "" {
			r, err := http.Get(e.Location)
			if err != nil {
				t.Fatal(err)
			}
			b, _ := io.ReadAll(r.Body)
			r.Body.Close()
			jwe = string(b)
		}
		pt, _, err := share.DecryptFile(jwe, l.Key[:])
		if err != nil {
			t.Fatal(err)
		}
		a.files = append(a.files, attackerFile{ContentType: e.ContentType, jwe: jwe, plaintext: pt})
	}
	a.srv = httptest.NewServer(http.HandlerFunc(a.serve))
	t.Cleanup(a.srv.Close)
	return a
}

// plaintext is the first of the share's files of content type ct.
func (a *attacker) plaintext(t *testing.T, ct string) []byte {
	t.Helper()
	for _, f := range a.files {
		if f.ContentType == ct {
			return f.plaintext
		}
	}
	t.Fatalf("the share has no %s file", ct)
	return nil
}

// link hosts the share's files and added ones, and returns a link to them
// under the same key.
func (a *attacker) link(t *testing.T, added []addedFile) string {
	t.Helper()
	files := append([]attackerFile(nil), a.files...)
	for _, x := range added {
		jwe, err := share.EncryptFile(x.plaintext, a.key[:], x.contentType)
		if err != nil {
			t.Fatal(err)
		}
		files = append(files, attackerFile{ContentType: x.contentType, jwe: jwe, byLocation: x.byLocation})
	}
	a.mu.Lock()
	path := fmt.Sprintf("/m/%d", len(a.shares))
	a.shares[path] = files
	a.mu.Unlock()
	l := a.exp
	l.URL, l.Flags = a.srv.URL+path, ""
	return l.String()
}

func (a *attacker) serve(w http.ResponseWriter, r *http.Request) {
	a.mu.Lock()
	defer a.mu.Unlock()
	if path, i, ok := strings.Cut(r.URL.Path, "/file/"); ok && r.Method == http.MethodGet {
		n, err := strconv.Atoi(i)
		if files, found := a.shares[path]; found && err == nil && n >= 0 && n < len(files) {
			io.WriteString(w, files[n].jwe)
			return
		}
	}
	files, ok := a.shares[r.URL.Path]
	if !ok || r.Method != http.MethodPost {
		http.NotFound(w, r)
		return
	}
	var doc share.ManifestDocument
	for i, f := range files {
		e := share.ManifestEntry{ContentType: f.ContentType}
		if f.byLocation {
			e.Location = fmt.Sprintf("%s%s/file/%d", a.srv.URL, r.URL.Path, i)
		} else {
			e.Embedded = f.jwe
		}
		doc.Files = append(doc.Files, e)
	}
	var buf bytes.Buffer
	json.NewEncoder(&buf).Encode(doc)
	w.Header().Set("Content-Type", "application/json")
	w.Write(buf.Bytes())
}
