package main

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/rogpeppe/go-internal/testscript"

	"healthwallet/wallet/record"
	"healthwallet/wallet/testcorpus"
)

// TestReceiveScripts runs the hw receive scripts (testdata/receive) against
// a local server that plays every host their links name — the SHL spec's
// worked example, the SMART Health Cards dev tools' SHL examples and the
// spec's card issuer — reached through hw-test --resolve=$RESOLVE (see
// receive_hooks_test.go), since tests have no internet. The corpus files are
// served as they are.
func TestReceiveScripts(t *testing.T) {
	spec := testcorpus.Dir(t, "shl-spec")
	devtools := testcorpus.Dir(t, "shc-devtools/shl-examples")
	issuer := testcorpus.Dir(t, "shc/issuer")
	testscript.Run(t, testscript.Params{
		Dir:                 "testdata/receive",
		RequireExplicitExec: true,
		ContinueOnError:     true,
		Setup: func(env *testscript.Env) error {
			hosts, err := newInteropHosts(spec, devtools, issuer)
			if err != nil {
				return err
			}
			srv := httptest.NewServer(hosts)
			env.Defer(srv.Close)
			addr := strings.TrimPrefix(srv.URL, "http://")
			env.Setenv("RESOLVE", fmt.Sprintf("raw.githubusercontent.com=%s,localhost:8090=%s,spec.smarthealth.cards=%s", addr, addr, addr))
			env.Setenv("SPEC", spec)
			env.Setenv("SPEC_LINK", hosts.specLink)
			env.Setenv("DEVTOOLS_P_LINK", hosts.pLink)
			env.Setenv("DEVTOOLS_U_LINK", hosts.uLink)
			env.Setenv("DEVTOOLS_ATTEMPTS", fmt.Sprint(hosts.attempts))
			return nil
		},
		Cmds: map[string]func(*testscript.TestScript, bool, []string){
			"hwexit":         cmdHWExit,
			"json-import":    cmdJSONImport,
			"same-resources": cmdSameResources,
			"json-received":  cmdJSONReceived,
		},
	})
}

// interopHosts serves, by Host header: raw.githubusercontent.com (the spec's
// example, a U link), localhost:8090 (the dev tools' P manifest with
// passcode and attempts, its files, and their U link) and
// spec.smarthealth.cards (the issuer's keys).
type interopHosts struct {
	specLink, pLink, uLink string
	attempts               int

	mu       sync.Mutex
	github   map[string][]byte // path → JWE
	local    map[string][]byte // path → JWE (files and the U link)
	manifest string            // path of the P link
	passcode string
	files    []string // manifest locations
	issuer   http.Handler
}

func newInteropHosts(spec, devtools, issuerDir string) (*interopHosts, error) {
	h := &interopHosts{github: map[string][]byte{}, local: map[string][]byte{},
		issuer: http.StripPrefix("/examples/issuer", http.FileServer(http.Dir(issuerDir)))}
	link, err := os.ReadFile(filepath.Join(spec, "IPS_IG-bundle-01-shl.txt"))
	if err != nil {
		return nil, err
	}
	h.specLink = strings.TrimSpace(string(link))
	enc, err := os.ReadFile(filepath.Join(spec, "IPS_IG-bundle-01-enc.txt"))
	if err != nil {
		return nil, err
	}
	h.github["/seanno/shc-demo-data/main/ips/IPS_IG-bundle-01-enc.txt"] = enc

	examples, err := filepath.Glob(filepath.Join(devtools, "*.json"))
	if err != nil || len(examples) == 0 {
		return nil, fmt.Errorf("no dev tools SHL examples in %s: %v", devtools, err)
	}
	for _, path := range examples {
		b, err := os.ReadFile(path)
		if err != nil {
			return nil, err
		}
		var ex struct {
			Link      string   `json:"link"`
			Passcode  string   `json:"passcode"`
			Attempts  int      `json:"attempts"`
			FilePaths []string `json:"filePaths"`
			JWEFiles  []string `json:"jweFiles"`
			Payload   struct{ URL, Flag string }
		}
		if err := json.Unmarshal(b, &ex); err != nil {
			return nil, fmt.Errorf("%s: %v", path, err)
		}
		u, err := url.Parse(ex.Payload.URL)
		if err != nil {
			return nil, err
		}
		if strings.Contains(ex.Payload.Flag, "U") {
			h.uLink, h.local[u.Path] = ex.Link, []byte(ex.JWEFiles[0])
			continue
		}
		h.pLink, h.manifest, h.passcode, h.attempts = ex.Link, u.Path, ex.Passcode, ex.Attempts
		for i, fp := range ex.FilePaths {
			h.local["/shl/"+fp] = []byte(ex.JWEFiles[i])
			h.files = append(h.files, "http://localhost:8090/shl/"+fp)
		}
	}
	return h, nil
}

func (h *interopHosts) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	h.mu.Lock()
	defer h.mu.Unlock()
	switch r.Host {
	case "spec.smarthealth.cards":
		h.issuer.ServeHTTP(w, r)
	case "raw.githubusercontent.com":
		jwe, ok := h.github[r.URL.Path]
		if !ok || r.Method != http.MethodGet || r.URL.Query().Get("recipient") == "" {
			http.NotFound(w, r)
			return
		}
		w.Write(jwe)
	case "localhost:8090":
		if jwe, ok := h.local[r.URL.Path]; ok && r.Method == http.MethodGet {
			w.Write(jwe)
			return
		}
		if r.URL.Path != h.manifest || r.Method != http.MethodPost || h.attempts <= 0 {
			http.NotFound(w, r)
			return
		}
		var body struct{ Recipient, Passcode string }
		if err := json.NewDecoder(r.Body).Decode(&body); err != nil || body.Recipient == "" {
			http.Error(w, "bad request", http.StatusBadRequest)
			return
		}
		if body.Passcode != h.passcode {
			h.attempts--
			w.WriteHeader(http.StatusUnauthorized)
			fmt.Fprintf(w, `{"remainingAttempts":%d}`, h.attempts)
			return
		}
		var files []map[string]string
		for _, loc := range h.files {
			files = append(files, map[string]string{"contentType": "application/smart-health-card", "location": loc})
		}
		w.Header().Set("Content-Type", "application/json")
		json.NewEncoder(w).Encode(map[string]any{"files": files})
	default:
		http.NotFound(w, r)
	}
}

// received is hw receive --json, as a program reads it.
type received struct {
	Verified *bool  `json:"verified"`
	Source   string `json:"source"`
	Label    string `json:"label"`
	Checks   []struct {
		Name   string `json:"name"`
		OK     *bool  `json:"ok"`
		Detail string `json:"detail"`
	} `json:"checks"`
	Records []json.RawMessage `json:"records"`
	// Uncovered are the records not covered by the patient's consent.
	Uncovered []struct {
		Resource       json.RawMessage `json:"resource"`
		Source, Reason string
	} `json:"uncovered"`
	Cards   []json.RawMessage `json:"cards"`
	Problem string            `json:"problem"`
}

// json-received FILE [verified=BOOL] [records=N] [uncovered=N] [cards=N] [source=TEXT]
// [ok=CHECK]... [failed=CHECK]... decodes hw receive --json and checks it.
func cmdJSONReceived(ts *testscript.TestScript, neg bool, args []string) {
	if neg || len(args) < 1 {
		ts.Fatalf("usage: json-received FILE [key=value]...")
	}
	var r received
	ts.Check(json.Unmarshal([]byte(ts.ReadFile(args[0])), &r))
	if r.Verified == nil || r.Checks == nil || r.Records == nil || r.Uncovered == nil {
		ts.Fatalf("verified, checks, records and uncovered are required: %+v", r)
	}
	for _, kv := range args[1:] {
		k, v, _ := strings.Cut(kv, "=")
		var got string
		switch k {
		case "verified":
			got = fmt.Sprint(*r.Verified)
		case "records":
			got = fmt.Sprint(len(r.Records))
		case "uncovered":
			got = fmt.Sprint(len(r.Uncovered))
		case "cards":
			got = fmt.Sprint(len(r.Cards))
		case "source":
			got = r.Source
		case "ok", "failed":
			got = "absent"
			for _, c := range r.Checks {
				if c.Name == v && c.OK != nil && *c.OK == (k == "ok") {
					got = v
				}
			}
		default:
			ts.Fatalf("json-received: unknown key %q", k)
		}
		if got != v {
			ts.Fatalf("json-received: %s = %q, want %q\nchecks: %+v", k, got, v, r.Checks)
		}
	}
}

// same-resources RECEIVED BUNDLE says that hw receive --json's records and
// a FHIR Bundle's entries are the same resources (as canonical JSON), each
// as often.
func cmdSameResources(ts *testscript.TestScript, neg bool, args []string) {
	if len(args) != 2 {
		ts.Fatalf("usage: same-resources RECEIVED BUNDLE")
	}
	var r received
	ts.Check(json.Unmarshal([]byte(ts.ReadFile(args[0])), &r))
	var b struct {
		Entry []struct {
			Resource json.RawMessage `json:"resource"`
		} `json:"entry"`
	}
	ts.Check(json.Unmarshal([]byte(ts.ReadFile(args[1])), &b))
	canon := func(raw json.RawMessage) string {
		c, err := record.Canonical(raw)
		ts.Check(err)
		return string(c)
	}
	var a, e []string
	for _, raw := range r.Records {
		a = append(a, canon(raw))
	}
	for _, x := range b.Entry {
		e = append(e, canon(x.Resource))
	}
	slices.Sort(a)
	slices.Sort(e)
	if same := len(a) > 0 && slices.Equal(a, e); same == neg {
		ts.Fatalf("%s has %d resources, %s %d: same=%v", args[0], len(a), args[1], len(e), same)
	}
}
