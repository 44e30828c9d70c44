package viewer_test

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"healthwallet/chain/contracts"
	"healthwallet/wallet"
	"healthwallet/wallet/network"
	"healthwallet/wallet/record"
	"healthwallet/wallet/share"
	"healthwallet/wallet/testcorpus"
)

// This file: the viewer's protocol and verification (web/src/open.js and
// the modules it uses), run by Node on the same shares `hw receive` opens,
// against a real network node (chain, relay, read-only /rpc, network
// document) on loopback. The Go side is wallet.ReceiveWithNetworks; the JS
// must reach the same verdict with the same checks, in the same order,
// passing and failing alike, and show the same records.

const install = "the viewer's JS is run by Node; run `make deps` (apt-get install nodejs npm)"

var scratch struct {
	once sync.Once
	dir  string
	err  error
}

func TestMain(m *testing.M) {
	code := m.Run()
	if scratch.dir != "" {
		os.RemoveAll(scratch.dir)
	}
	os.Exit(code)
}

// nodeDir is a scratch copy of web/ with the pinned packages installed
// (npm ci), once per test binary, as generate.sh makes it.
func nodeDir(t *testing.T) string {
	t.Helper()
	testcorpus.Tool(t, "node", install)
	testcorpus.Tool(t, "npm", install)
	// Read the sources here, so a cached pass is invalidated when one changes.
	for _, sub := range []string{"web/src", "web/test"} {
		filepath.WalkDir(sub, func(path string, d os.DirEntry, err error) error {
			if err == nil && !d.IsDir() {
				os.ReadFile(path)
			}
			return nil
		})
	}
	scratch.once.Do(func() {
		dir, err := os.MkdirTemp("", "hw-viewer-node-")
		if err != nil {
			scratch.err = err
			return
		}
		scratch.dir = dir
		cmd := exec.Command("bash", "-c", `tar -C web --exclude=node_modules -cf - . | tar -C "$1" -xf - && cd "$1" && npm ci --ignore-scripts --no-audit --no-fund --loglevel=error`, "-", dir)
		if out, err := cmd.CombinedOutput(); err != nil {
			scratch.err = fmt.Errorf("npm ci: %v\n%s", err, out)
		}
	})
	if scratch.err != nil {
		t.Fatal(scratch.err)
	}
	return scratch.dir
}

// runNode runs test/run.mjs with args and decodes its JSON output into v.
func runNode(t *testing.T, v any, args ...string) {
	t.Helper()
	dir := nodeDir(t)
	cmd := exec.Command("node", append([]string{filepath.Join(dir, "test", "run.mjs")}, args...)...)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("node run.mjs %s: %v\n%s", args[0], err, stderr.String())
	}
	if err := json.Unmarshal(out, v); err != nil {
		t.Fatalf("node run.mjs %s printed %.300s: %v", args[0], out, err)
	}
}

// jsResult is the Result openShare returns, as run.mjs prints it.
type jsResult struct {
	State   string `json:"state"`
	Refusal *struct {
		Kind              string `json:"kind"`
		Message           string `json:"message"`
		Advice            string `json:"advice"`
		RemainingAttempts *int   `json:"remainingAttempts"`
	} `json:"refusal"`
	Error *struct {
		Message string `json:"message"`
		Advice  string `json:"advice"`
	} `json:"error"`
	Source    string            `json:"source"`
	Checks    []share.Check     `json:"checks"`
	Records   []json.RawMessage `json:"records"`
	Uncovered []struct {
		Resource json.RawMessage `json:"resource"`
		Source   string          `json:"source"`
		Why      string          `json:"why"`
	} `json:"uncovered"`
	Patient *struct {
		Address   string `json:"address"`
		Name      string `json:"name"`
		BirthDate string `json:"birthDate"`
	} `json:"patient"`
	Network *struct {
		Name    string `json:"name"`
		ChainID uint64 `json:"chainId"`
		Trusted bool   `json:"trusted"`
	} `json:"network"`
	Cards []struct {
		Iss      string `json:"iss"`
		Verified bool   `json:"verified"`
	} `json:"cards"`
	// Attachments are the kept files verified; run.mjs prints a file's
	// bytes as their count.
	Attachments []struct {
		Title  string `json:"title"`
		Size   int    `json:"size"`
		SHA256 string `json:"sha256"`
		Data   int    `json:"data"`
		Index  int    `json:"index"`
	} `json:"attachments"`
	OnBehalf json.RawMessage `json:"onBehalf"`
	// Patients and Warnings are the people the records are about and the
	// warning when they are more than one (wallet.Received's).
	Patients []wallet.ReceivedPatient `json:"patients"`
	Warnings []string                 `json:"warnings"`
	// Sentence is the page's one-line verdict (ui/verdict.js verdictText).
	Sentence  string   `json:"sentence"`
	Progress  []string `json:"progress"`
	ElapsedMS int      `json:"elapsedMs"`
}

// openArgs are run.mjs open's arguments.
type openArgs struct {
	Link      string         `json:"link"`
	Recipient string         `json:"recipient"`
	Passcode  string         `json:"passcode,omitempty"`
	Purpose   string         `json:"purpose,omitempty"`
	Network   map[string]any `json:"network,omitempty"`
	Origin    string         `json:"origin,omitempty"`
	Now       string         `json:"now,omitempty"`
	NoSubtle  bool           `json:"noSubtle,omitempty"`
	// FetchNetwork: the JS reads the network document from Origin, as the page does.
	FetchNetwork bool `json:"fetchNetwork,omitempty"`
}

func openJS(t *testing.T, a openArgs) jsResult {
	t.Helper()
	if a.Recipient == "" {
		a.Recipient = "Dr. Lee, City Clinic"
	}
	b, _ := json.Marshal(a)
	path := filepath.Join(t.TempDir(), "args.json")
	if err := os.WriteFile(path, b, 0o600); err != nil {
		t.Fatal(err)
	}
	var r jsResult
	runNode(t, &r, "open", path)
	return r
}

// sameAsReceive holds the JS Result to what `hw receive` (the wallet's
// ReceiveWithNetworks) reported: the verdict and its sentence, every
// check's name and outcome in order, the records shown and those set
// apart, the people they are about and the warnings.
func sameAsReceive(t *testing.T, js jsResult, got wallet.Received) {
	t.Helper()
	if (js.State == "verified") != got.Verified {
		t.Errorf("JS state %q, Go verified %v", js.State, got.Verified)
	}
	if js.Sentence != got.Sentence() {
		t.Errorf("the page's verdict says %q, the wallet's %q", js.Sentence, got.Sentence())
	}
	for _, word := range []string{"chain", "registry", "rpc", "block", "0x"} {
		if strings.Contains(strings.ToLower(js.Sentence), word) {
			t.Errorf("the page's verdict %q speaks of %q", js.Sentence, word)
		}
	}
	if !slices.Equal(js.Patients, got.Patients) || !slices.Equal(js.Warnings, got.Warnings) {
		t.Errorf("JS: people %+v, warnings %q; Go: people %+v, warnings %q", js.Patients, js.Warnings, got.Patients, got.Warnings)
	}
	wantSource := "other"
	if got.Source == share.SourceHealthWallet {
		wantSource = "healthwallet"
	}
	if js.Source != wantSource {
		t.Errorf("JS source %q, Go %q", js.Source, got.Source)
	}
	if len(js.Checks) != len(got.Checks) {
		t.Errorf("JS ran %d checks, Go %d:\nJS %s\nGo %s", len(js.Checks), len(got.Checks), checkList(js.Checks), checkList(got.Checks))
	} else {
		for i, c := range got.Checks {
			if js.Checks[i].Name != c.Name || js.Checks[i].OK != c.OK {
				t.Errorf("check %d: JS %q ok=%v (%s), Go %q ok=%v (%s)", i, js.Checks[i].Name, js.Checks[i].OK, js.Checks[i].Detail, c.Name, c.OK, c.Detail)
			}
		}
	}
	if len(js.Records) != len(got.Records) || len(js.Uncovered) != len(got.Uncovered) {
		t.Fatalf("JS shows %d records (%d apart), Go %d (%d apart)", len(js.Records), len(js.Uncovered), len(got.Records), len(got.Uncovered))
	}
	for i := range got.Records {
		if canon(t, js.Records[i]) != canon(t, got.Records[i]) {
			t.Errorf("record %d differs:\nJS %s\nGo %s", i, js.Records[i], got.Records[i])
		}
	}
	for i, u := range got.Uncovered {
		if canon(t, js.Uncovered[i].Resource) != canon(t, u.Resource) || js.Uncovered[i].Why != u.Reason {
			t.Errorf("uncovered %d: JS %s (%s), Go %s (%s)", i, js.Uncovered[i].Resource, js.Uncovered[i].Why, u.Resource, u.Reason)
		}
	}
	if got.Source == share.SourceHealthWallet && got.PatientName != "" && (js.Patient == nil || js.Patient.Name != got.PatientName) {
		t.Errorf("JS patient %+v, Go %q", js.Patient, got.PatientName)
	}
}

func checkList(cs []share.Check) string {
	var s []string
	for _, c := range cs {
		s = append(s, fmt.Sprintf("%s=%v", c.Name, c.OK))
	}
	return strings.Join(s, ", ")
}

func canon(t *testing.T, raw json.RawMessage) string {
	t.Helper()
	if len(raw) == 0 || string(raw) == "null" {
		return "null"
	}
	c, err := record.Canonical(raw)
	if err != nil {
		t.Fatalf("%s: %v", raw, err)
	}
	return string(c)
}

// fixture is a network node on loopback and a patient who joined it with
// records anchored.
type fixture struct {
	info    network.Info
	member  network.Membership
	doc     map[string]any
	patient *wallet.Wallet
}

var patientRecords = []string{
	`{"resourceType":"Patient","id":"ada","name":[{"given":["Ada"],"family":"Lovelace"}],"birthDate":"1815-12-10","gender":"female"}`,
	`{"resourceType":"Condition","id":"c1","clinicalStatus":{"coding":[{"code":"active"}]},"code":{"text":"Asthma"}}`,
	`{"resourceType":"AllergyIntolerance","id":"a1","criticality":"high","code":{"text":"Penicillin"}}`,
	`{"resourceType":"Observation","id":"o1","status":"final","category":[{"coding":[{"code":"laboratory"}]}],"code":{"text":"Glucose"},"valueQuantity":{"value":5.4,"unit":"mmol/L"},"effectiveDateTime":"2024-03-01"}`,
	`{"resourceType":"Observation","id":"o2","status":"final","code":{"text":"Résumé – \"quoted\" \u00e9 😀"},"valueString":"x<y&z","effectiveDateTime":"2024-03-02"}`,
}

func newFixture(t *testing.T, extra int) *fixture {
	t.Helper()
	if testing.Short() {
		t.Skip("skipped under -short: runs a network node and Node.js")
	}
	nodeDir(t)
	ctx := context.Background()
	srv, err := network.Start(ctx, network.ServerConfig{Listen: "127.0.0.1:0", DataDir: t.TempDir(), Name: "Riverside Clinic",
		BlockPeriod: time.Second, Logger: slog.New(slog.DiscardHandler)})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { srv.Close() })
	f := &fixture{info: srv.Info()}
	mnemonic := strings.Repeat("abandon ", 23) + "art"
	f.patient, err = wallet.Create(t.TempDir(), mnemonic, []byte("correct horse battery"), "Ada Lovelace",
		wallet.Options{KDFTime: 1, KDFMemoryKiB: 8 * 1024, KDFThreads: 1})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { f.patient.Close() })
	if _, err := f.patient.JoinNetwork(ctx, f.info.JoinURL, ""); err != nil {
		t.Fatal(err)
	}
	var files []string
	for i, raw := range patientRecords {
		p := filepath.Join(t.TempDir(), fmt.Sprintf("r%d.json", i))
		if err := os.WriteFile(p, []byte(raw), 0o600); err != nil {
			t.Fatal(err)
		}
		files = append(files, p)
	}
	if extra > 0 {
		var entries []string
		for i := range extra {
			entries = append(entries, fmt.Sprintf(`{"resource":{"resourceType":"Observation","id":"bulk-%d","status":"final","category":[{"coding":[{"code":"vital-signs"}]}],"code":{"coding":[{"system":"http://loinc.org","code":"8867-4"}],"text":"Heart rate"},"valueQuantity":{"value":%d,"unit":"/min"},"effectiveDateTime":"2024-01-01T00:%02d:00Z"}}`, i, 60+i%40, i%60))
		}
		p := filepath.Join(t.TempDir(), "bulk.json")
		if err := os.WriteFile(p, []byte(`{"resourceType":"Bundle","type":"collection","entry":[`+strings.Join(entries, ",")+`]}`), 0o600); err != nil {
			t.Fatal(err)
		}
		files = append(files, p)
	}
	if rep, err := f.patient.Import(ctx, files, nil); err != nil || rep.Imported != len(patientRecords)+extra {
		t.Fatalf("import: %+v, %v", rep, err)
	}
	anchorAll(t, f.patient)
	if f.member, err = network.Fetch(ctx, f.info.URL); err != nil {
		t.Fatal(err)
	}
	resp, err := http.Get(f.info.URL + network.WellKnownPath)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	if err := json.NewDecoder(resp.Body).Decode(&f.doc); err != nil {
		t.Fatal(err)
	}
	return f
}

func (f *fixture) share(t *testing.T, req wallet.ShareRequest) wallet.ShareResult {
	t.Helper()
	if req.TTL == 0 {
		req.All, req.TTL, req.Purpose = true, time.Hour, "TREAT"
	}
	res, err := f.patient.Share(context.Background(), req)
	if err != nil || res.Problem != "" {
		t.Fatalf("share: %+v, %v", res, err)
	}
	return res
}

// receive is `hw receive` for a doctor who trusts the fixture's network.
func (f *fixture) receive(t *testing.T, link string, opts wallet.ReceiveOptions) (wallet.Received, error) {
	t.Helper()
	if opts.Recipient == "" {
		opts.Recipient = "Dr. Lee, City Clinic"
	}
	return wallet.ReceiveWithNetworks(context.Background(), link, opts, []network.Membership{f.member})
}

// viaProxy rewrites a link to go through proxy (same key and flags).
func viaProxy(t *testing.T, link, proxy string) string {
	t.Helper()
	l, err := share.ParseLink(link)
	if err != nil {
		t.Fatal(err)
	}
	u, _ := url.Parse(l.URL)
	p, _ := url.Parse(proxy)
	u.Host = p.Host
	l.URL = u.String()
	return l.String()
}

// recordingProxy forwards everything to target, noting each request's
// method, URL, headers and body.
type recordingProxy struct {
	*httptest.Server
	mu   sync.Mutex
	seen []string
	// edit, when set, rewrites a manifest response's body.
	edit func(body []byte) []byte
}

func newRecordingProxy(t *testing.T, target string) *recordingProxy {
	u, _ := url.Parse(target)
	p := &recordingProxy{}
	rp := httputil.NewSingleHostReverseProxy(u)
	rp.ModifyResponse = func(resp *http.Response) error {
		if p.edit == nil || resp.Request.Method != http.MethodPost || resp.StatusCode != 200 {
			return nil
		}
		b, err := io.ReadAll(resp.Body)
		if err != nil {
			return err
		}
		b = p.edit(b)
		resp.Body = io.NopCloser(bytes.NewReader(b))
		resp.ContentLength = int64(len(b))
		resp.Header.Del("Content-Length")
		return nil
	}
	p.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		r.Body = io.NopCloser(bytes.NewReader(body))
		p.mu.Lock()
		p.seen = append(p.seen, fmt.Sprintf("%s %s %v %s", r.Method, r.URL, r.Header, body))
		p.mu.Unlock()
		rp.ServeHTTP(w, r)
	}))
	t.Cleanup(p.Close)
	return p
}

// editManifest decodes a manifest, lets fn change its files (each fetched
// and embedded first), and encodes it again.
func editManifest(t *testing.T, fn func(files []map[string]any) []map[string]any) func([]byte) []byte {
	return func(b []byte) []byte {
		var m struct {
			Files []map[string]any `json:"files"`
		}
		if err := json.Unmarshal(b, &m); err != nil {
			t.Errorf("manifest: %v", err)
			return b
		}
		for _, f := range m.Files {
			if loc, ok := f["location"].(string); ok && f["embedded"] == nil {
				resp, err := http.Get(loc)
				if err != nil {
					t.Errorf("fetching %s: %v", loc, err)
					return b
				}
				jwe, _ := io.ReadAll(resp.Body)
				resp.Body.Close()
				delete(f, "location")
				f["embedded"] = string(jwe)
			}
		}
		m.Files = fn(m.Files)
		out, _ := json.Marshal(m)
		return out
	}
}

// TestViewerMatchesReceive opens shares in Node with the viewer's modules
// and with `hw receive`, over a real network node, and requires the same
// verdict, checks and records.
func TestViewerMatchesReceive(t *testing.T) {
	f := newFixture(t, 0)
	ctx := context.Background()

	t.Run("good share, key never sent", func(t *testing.T) {
		res := f.share(t, wallet.ShareRequest{})
		// The node behind a proxy that notes every request: the link, the
		// network document's rpc and the issuer keys all go through it.
		proxy := newRecordingProxy(t, f.info.URL)
		link := viaProxy(t, res.Link, proxy.URL)
		doc := map[string]any{}
		for k, v := range f.doc {
			doc[k] = v
		}
		doc["rpc"] = []string{proxy.URL + "/rpc"}
		js := openJS(t, openArgs{Link: "https://viewer.example/view#" + link, Network: doc, Origin: proxy.URL})
		got, err := f.receive(t, res.Link, wallet.ReceiveOptions{})
		if err != nil {
			t.Fatal(err)
		}
		sameAsReceive(t, js, got)
		if want := "Intact and anchored on " + got.AnchoredAt.Format("2 Jan 2006") + ", shared with the patient's consent"; got.AnchoredAt.IsZero() || js.Sentence != want {
			t.Errorf("the verdict of a good share: %q, want %q", js.Sentence, want)
		}
		if len(js.Patients) != 1 || js.Patients[0] != (wallet.ReceivedPatient{Name: "Ada Lovelace", BirthDate: "1815-12-10"}) || len(js.Warnings) != 0 {
			t.Errorf("one patient, no warning: %+v, %q", js.Patients, js.Warnings)
		}
		if js.State != "verified" || len(js.Records) != len(patientRecords) || js.Patient == nil || js.Patient.Name != "Ada Lovelace" ||
			js.Patient.BirthDate != "1815-12-10" || js.Network == nil || !js.Network.Trusted {
			t.Fatalf("JS: state %q, %d records, patient %+v, network %+v, failed %s", js.State, len(js.Records), js.Patient, js.Network, checkList(js.Checks))
		}
		t.Logf("openShare: %d records fetched, decrypted and verified in %d ms", len(js.Records), js.ElapsedMS)
		if c := js.Checks[len(js.Checks)-5]; c.Name != share.CheckPatientCard || !c.OK || c.Detail != "Ada Lovelace" {
			t.Errorf("the patient's identity card: %+v (%s)", c, checkList(js.Checks))
		}
		l, _ := share.ParseLink(link)
		keyText := []string{hex.EncodeToString(l.Key[:]), base64.RawURLEncoding.EncodeToString(l.Key[:]),
			base64.RawStdEncoding.EncodeToString(l.Key[:]), strings.TrimPrefix(l.String(), "shlink:/")}
		proxy.mu.Lock()
		defer proxy.mu.Unlock()
		if len(proxy.seen) < 3 {
			t.Fatalf("only %d requests went through the node: %v", len(proxy.seen), proxy.seen)
		}
		for _, req := range proxy.seen {
			for _, k := range keyText {
				if strings.Contains(req, k) {
					t.Fatalf("a request carries the link's key: %.300s", req)
				}
			}
		}
	})

	t.Run("noble AES-GCM without crypto.subtle, network document from the node", func(t *testing.T) {
		res := f.share(t, wallet.ShareRequest{})
		js := openJS(t, openArgs{Link: res.Link, FetchNetwork: true, Origin: f.info.URL, NoSubtle: true})
		got, err := f.receive(t, res.Link, wallet.ReceiveOptions{})
		if err != nil {
			t.Fatal(err)
		}
		sameAsReceive(t, js, got)
		if js.State != "verified" {
			t.Fatalf("state %q: %s", js.State, checkList(js.Checks))
		}
	})

	t.Run("passcode wrong then right", func(t *testing.T) {
		res := f.share(t, wallet.ShareRequest{All: true, TTL: time.Hour, Purpose: "TREAT", Passcode: "4711"})
		none := openJS(t, openArgs{Link: res.Link, Network: f.doc, Origin: f.info.URL})
		if none.State != "refused" || none.Refusal == nil || none.Refusal.Kind != "passcode" || none.Refusal.RemainingAttempts != nil {
			t.Fatalf("without a passcode: %+v", none)
		}
		wrong := openJS(t, openArgs{Link: res.Link, Network: f.doc, Origin: f.info.URL, Passcode: "0000"})
		if wrong.State != "refused" || wrong.Refusal == nil || wrong.Refusal.Kind != "passcode" || wrong.Refusal.RemainingAttempts == nil {
			t.Fatalf("wrong passcode: %+v", wrong)
		}
		_, err := f.receive(t, res.Link, wallet.ReceiveOptions{Passcode: "0000"})
		var pe *share.PasscodeError
		if !errors.As(err, &pe) || pe.RemainingAttempts != *wrong.Refusal.RemainingAttempts-1 {
			t.Fatalf("Go after JS's %d attempts left: %v", *wrong.Refusal.RemainingAttempts, err)
		}
		right := openJS(t, openArgs{Link: res.Link, Network: f.doc, Origin: f.info.URL, Passcode: "4711"})
		got, err := f.receive(t, res.Link, wallet.ReceiveOptions{Passcode: "4711"})
		if err != nil {
			t.Fatal(err)
		}
		sameAsReceive(t, right, got)
		if right.State != "verified" {
			t.Fatalf("right passcode: %q %s", right.State, checkList(right.Checks))
		}
	})

	t.Run("expired link", func(t *testing.T) {
		res := f.share(t, wallet.ShareRequest{})
		later := time.Now().Add(2 * time.Hour)
		js := openJS(t, openArgs{Link: res.Link, Network: f.doc, Origin: f.info.URL, Now: later.UTC().Format(time.RFC3339)})
		got, err := f.receive(t, res.Link, wallet.ReceiveOptions{Now: later})
		if err == nil {
			t.Fatal("Go opened an expired link")
		}
		sameAsReceive(t, js, got)
		if js.State != "refused" || js.Refusal == nil || js.Refusal.Kind != "expired" {
			t.Fatalf("expired: %+v", js)
		}
	})

	t.Run("added file", func(t *testing.T) {
		res := f.share(t, wallet.ShareRequest{})
		l, _ := share.ParseLink(res.Link)
		forged, err := share.EncryptFile([]byte(`{"resourceType":"Condition","id":"forged","code":{"text":"Forged diagnosis"}}`), l.Key[:], share.ContentTypeFHIR)
		if err != nil {
			t.Fatal(err)
		}
		proxy := newRecordingProxy(t, f.info.URL)
		proxy.edit = editManifest(t, func(files []map[string]any) []map[string]any {
			return append(files, map[string]any{"contentType": share.ContentTypeFHIR, "embedded": forged})
		})
		link := viaProxy(t, res.Link, proxy.URL)
		js := openJS(t, openArgs{Link: link, Network: f.doc, Origin: f.info.URL})
		got, err := f.receive(t, link, wallet.ReceiveOptions{})
		if err != nil {
			t.Fatal(err)
		}
		sameAsReceive(t, js, got)
		if js.State != "not-verified" || len(js.Uncovered) != 1 || js.Refusal == nil || js.Refusal.Kind != "tampered" ||
			!strings.Contains(string(js.Uncovered[0].Resource), "Forged") {
			t.Fatalf("added file: %q, uncovered %+v, refusal %+v", js.State, js.Uncovered, js.Refusal)
		}
	})

	t.Run("altered ciphertext", func(t *testing.T) {
		res := f.share(t, wallet.ShareRequest{})
		proxy := newRecordingProxy(t, f.info.URL)
		proxy.edit = editManifest(t, func(files []map[string]any) []map[string]any {
			jwe := files[0]["embedded"].(string)
			parts := strings.Split(jwe, ".")
			c := []byte(parts[3])
			c[5] ^= 'A' ^ 'B'
			if c[5] == parts[3][5] {
				c[5] = 'C'
			}
			parts[3] = string(c)
			files[0]["embedded"] = strings.Join(parts, ".")
			return files
		})
		link := viaProxy(t, res.Link, proxy.URL)
		js := openJS(t, openArgs{Link: link, Network: f.doc, Origin: f.info.URL})
		got, err := f.receive(t, link, wallet.ReceiveOptions{})
		if err != nil {
			t.Fatal(err)
		}
		sameAsReceive(t, js, got)
		last := js.Checks[len(js.Checks)-1]
		if js.State != "not-verified" || last.Name != share.CheckFilesDecrypted || last.OK {
			t.Fatalf("altered ciphertext: %q, %s", js.State, checkList(js.Checks))
		}
	})

	t.Run("forged record re-encrypted with the key", func(t *testing.T) {
		res := f.share(t, wallet.ShareRequest{})
		l, _ := share.ParseLink(res.Link)
		proxy := newRecordingProxy(t, f.info.URL)
		proxy.edit = editManifest(t, func(files []map[string]any) []map[string]any {
			for _, file := range files {
				if file["contentType"] != share.ContentTypeFHIR {
					continue
				}
				pt, cty, err := share.DecryptFile(file["embedded"].(string), l.Key[:])
				if err != nil {
					t.Error(err)
					return files
				}
				altered := bytes.Replace(pt, []byte("Penicillin"), []byte("Peanuts"), 1)
				if bytes.Equal(altered, pt) {
					t.Error("nothing to alter")
				}
				jwe, err := share.EncryptFile(altered, l.Key[:], cty)
				if err != nil {
					t.Error(err)
				}
				file["embedded"] = jwe
			}
			return files
		})
		link := viaProxy(t, res.Link, proxy.URL)
		js := openJS(t, openArgs{Link: link, Network: f.doc, Origin: f.info.URL})
		got, err := f.receive(t, link, wallet.ReceiveOptions{})
		if err != nil {
			t.Fatal(err)
		}
		sameAsReceive(t, js, got)
		if js.State != "not-verified" || js.Refusal == nil || js.Refusal.Kind != "tampered" || failed(js, share.CheckCommitments) == nil {
			t.Fatalf("forged record: %q, %s", js.State, checkList(js.Checks))
		}
		for _, r := range js.Records {
			if strings.Contains(string(r), "Peanuts") {
				t.Fatalf("the forged record is among the patient's: %s", r)
			}
		}
	})

	t.Run("the share copied under another link", func(t *testing.T) {
		// Whoever holds a link re-serves its files (the grant, the proof,
		// the records) under a link of their own, with their own key.
		res := f.share(t, wallet.ShareRequest{})
		l, _ := share.ParseLink(res.Link)
		other, err := share.NewKey()
		if err != nil {
			t.Fatal(err)
		}
		proxy := newRecordingProxy(t, f.info.URL)
		proxy.edit = editManifest(t, func(files []map[string]any) []map[string]any {
			for _, file := range files {
				pt, cty, err := share.DecryptFile(file["embedded"].(string), l.Key[:])
				if err != nil {
					t.Error(err)
					return files
				}
				if file["embedded"], err = share.EncryptFile(pt, other[:], cty); err != nil {
					t.Error(err)
				}
			}
			return files
		})
		copied := l
		copied.Key = other
		link := viaProxy(t, copied.String(), proxy.URL)
		js := openJS(t, openArgs{Link: link, Network: f.doc, Origin: f.info.URL})
		got, err := f.receive(t, link, wallet.ReceiveOptions{})
		if err != nil {
			t.Fatal(err)
		}
		sameAsReceive(t, js, got)
		if js.State != "not-verified" || failed(js, share.CheckGrantBinding) == nil || js.Refusal == nil || js.Refusal.Kind != "tampered" {
			t.Fatalf("copied share: %q, %+v, %s", js.State, js.Refusal, checkList(js.Checks))
		}
	})

	t.Run("altered proof file", func(t *testing.T) {
		eve, err := wallet.Create(t.TempDir(), strings.Repeat("zoo ", 23)+"vote", []byte("correct horse battery"), "Eve Mallory",
			wallet.Options{KDFTime: 1, KDFMemoryKiB: 8 * 1024, KDFThreads: 1})
		if err != nil {
			t.Fatal(err)
		}
		defer eve.Close()
		eveCard, err := eve.Card()
		if err != nil {
			t.Fatal(err)
		}
		for _, c := range []struct {
			name, check string
			edit        func(p map[string]any)
		}{
			{"unknown member", share.CheckProofPresent, func(p map[string]any) { p["extra"] = true }},
			{"another person's card", share.CheckPatientCard, func(p map[string]any) { p["card"] = eveCard }},
			{"signature altered", share.CheckSignature, func(p map[string]any) {
				sig := []byte(p["signature"].(string))
				sig[10] = map[bool]byte{true: '1', false: '0'}[sig[10] == '0']
				p["signature"] = string(sig)
			}},
			{"expiry extended", share.CheckSignature, func(p map[string]any) {
				g := p["grant"].(map[string]any)
				g["expiry"] = g["expiry"].(float64) + 3600
			}},
		} {
			t.Run(c.name, func(t *testing.T) {
				res := f.share(t, wallet.ShareRequest{})
				link := editedProof(t, f, res.Link, c.edit)
				js := openJS(t, openArgs{Link: link, Network: f.doc, Origin: f.info.URL})
				got, err := f.receive(t, link, wallet.ReceiveOptions{})
				if err != nil {
					t.Fatal(err)
				}
				sameAsReceive(t, js, got)
				if js.State == "verified" || failed(js, c.check) == nil || js.Refusal == nil || js.Refusal.Kind != "tampered" {
					t.Fatalf("%q, %+v, %s", js.State, js.Refusal, checkList(js.Checks))
				}
			})
		}
	})

	t.Run("another network's page", func(t *testing.T) {
		res := f.share(t, wallet.ShareRequest{})
		doc := map[string]any{}
		for k, v := range f.doc {
			doc[k] = v
		}
		doc["name"], doc["registry"] = "Elsewhere", "0x00000000000000000000000000000000000000e1"
		js := openJS(t, openArgs{Link: res.Link, Network: doc, Origin: f.info.URL})
		got, err := wallet.ReceiveWithNetworks(ctx, res.Link, wallet.ReceiveOptions{Recipient: "Dr. Lee"}, nil)
		if err != nil {
			t.Fatal(err)
		}
		sameAsReceive(t, js, got)
		c := failed(js, share.CheckNetworkTrusted)
		if js.State != "not-verified" || c == nil || !strings.Contains(c.Detail, "Elsewhere") || js.Network == nil || js.Network.Trusted {
			t.Fatalf("another network: %q, %s, network %+v", js.State, checkList(js.Checks), js.Network)
		}
	})

	t.Run("a caregiver's share on the patient's behalf", func(t *testing.T) {
		byron, err := wallet.Create(t.TempDir(), "legal winner thank year wave sausage worth useful legal winner thank year wave sausage worth useful legal winner thank year wave sausage worth title", []byte("correct horse battery"), "Byron Lovelace",
			wallet.Options{KDFTime: 1, KDFMemoryKiB: 8 * 1024, KDFThreads: 1})
		if err != nil {
			t.Fatal(err)
		}
		defer byron.Close()
		card, err := byron.Card()
		if err != nil {
			t.Fatal(err)
		}
		inv, err := f.patient.AddDelegate(ctx, wallet.DelegateRequest{Card: card, Rights: []string{wallet.RightShare},
			Categories: []string{"Allergies", "Conditions", "People & organizations"}, Expires: time.Now().Add(24 * time.Hour)})
		if err != nil {
			t.Fatal(err)
		}
		p, err := byron.AcceptInvitation(ctx, inv.Invite)
		if err != nil || p.Problem != "" {
			t.Fatalf("accept: %+v, %v", p, err)
		}
		shared, err := byron.CareShare(ctx, p.ID, wallet.ShareRequest{All: true, TTL: time.Hour, Purpose: "TREAT"})
		if err != nil || shared.Problem != "" {
			t.Fatalf("care share: %+v, %v", shared, err)
		}
		js := openJS(t, openArgs{Link: shared.Link, Network: f.doc, Origin: f.info.URL})
		got, err := f.receive(t, shared.Link, wallet.ReceiveOptions{})
		if err != nil {
			t.Fatal(err)
		}
		sameAsReceive(t, js, got)
		if js.State != "verified" || len(js.Records) != 3 || !strings.Contains(string(mustJSON(js.OnBehalf)), "Byron Lovelace") {
			t.Fatalf("on behalf: %q, %d records, %s, %s", js.State, len(js.Records), mustJSON(js.OnBehalf), checkList(js.Checks))
		}

		// The scope document altered to let the caregiver see everything:
		// the patient's signature no longer holds.
		altered := editedProof(t, f, shared.Link, func(p map[string]any) {
			delete(p["delegation"].(map[string]any)["scope"].(map[string]any), "categories")
		})
		js = openJS(t, openArgs{Link: altered, Network: f.doc, Origin: f.info.URL})
		if got, err = f.receive(t, altered, wallet.ReceiveOptions{}); err != nil {
			t.Fatal(err)
		}
		sameAsReceive(t, js, got)
		if js.State != "not-verified" || failed(js, share.CheckDelegation) == nil || failed(js, share.CheckDelegationRecords) == nil {
			t.Fatalf("altered scope: %q, %s", js.State, checkList(js.Checks))
		}
	})

	// Last: revoking the grant makes the relay refuse the link, and a
	// relay that serves it anyway is caught by the chain.
	t.Run("revoked", func(t *testing.T) {
		res := f.share(t, wallet.ShareRequest{})
		// A relay that keeps serving what it once served (its files
		// embedded), after the patient revoked the grant on chain.
		proxy := newRecordingProxy(t, f.info.URL)
		var kept []byte
		proxy.edit = editManifest(t, func(files []map[string]any) []map[string]any { return files })
		record := proxy.edit
		proxy.edit = func(b []byte) []byte { kept = record(b); return kept }
		if js := openJS(t, openArgs{Link: viaProxy(t, res.Link, proxy.URL), Network: f.doc, Origin: f.info.URL}); js.State != "verified" {
			t.Fatalf("before revoking: %q", js.State)
		}
		if err := f.patient.Revoke(ctx, res.ID); err != nil {
			t.Fatal(err)
		}
		replay := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { w.Write(kept) }))
		defer replay.Close()
		stale := viaProxy(t, res.Link, replay.URL)
		js := openJS(t, openArgs{Link: stale, Network: f.doc, Origin: f.info.URL})
		got, err := f.receive(t, stale, wallet.ReceiveOptions{})
		if err != nil {
			t.Fatal(err)
		}
		sameAsReceive(t, js, got)
		if c := failed(js, share.CheckGrantActive); js.State != "refused" || js.Refusal == nil || js.Refusal.Kind != "revoked" || c == nil {
			t.Fatalf("a revoked share served again: %q, %+v, %s", js.State, js.Refusal, checkList(js.Checks))
		}
		js = openJS(t, openArgs{Link: res.Link, Network: f.doc, Origin: f.info.URL})
		got, err = f.receive(t, res.Link, wallet.ReceiveOptions{})
		if err == nil && got.Verified {
			t.Fatal("Go verified a revoked share")
		}
		sameAsReceive(t, js, got)
		if js.State != "refused" || js.Refusal == nil || (js.Refusal.Kind != "not-found" && js.Refusal.Kind != "revoked") || js.Refusal.Advice == "" {
			t.Fatalf("revoked: %+v", js)
		}
	})
}

func failed(r jsResult, name string) *share.Check {
	for i, c := range r.Checks {
		if c.Name == name && !c.OK {
			return &r.Checks[i]
		}
	}
	return nil
}

// TestJCSVectors: src/jcs.js gives the RFC 8785 test vectors byte for
// byte, and the same canonical form (so the same record content hash) as
// Go's record.Canonical on every resource of the Synthea corpus.
func TestJCSVectors(t *testing.T) {
	inputs := testcorpus.Files(t, filepath.Join("testdata", "jcs", "input"), ".json")
	if len(inputs) < 10 {
		t.Fatalf("%d JCS vectors", len(inputs))
	}
	var got []string
	runNode(t, &got, append([]string{"jcs"}, inputs...)...)
	for i, in := range inputs {
		want, err := os.ReadFile(filepath.Join("testdata", "jcs", "output", filepath.Base(in)))
		if err != nil {
			t.Fatal(err)
		}
		if got[i] != string(want) {
			t.Errorf("%s: JS %s, want %s", filepath.Base(in), got[i], want)
		}
	}

	bundles := testcorpus.Files(t, testcorpus.Dir(t, "synthea"), ".json")
	var js [][]string
	runNode(t, &js, append([]string{"hashes"}, bundles...)...)
	resources := 0
	for f, path := range bundles {
		b, err := os.ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		var bundle struct {
			Entry []struct {
				Resource json.RawMessage `json:"resource"`
			} `json:"entry"`
		}
		if err := json.Unmarshal(b, &bundle); err != nil {
			t.Fatal(err)
		}
		if len(js[f]) != len(bundle.Entry) {
			t.Fatalf("%s: JS hashed %d resources, the bundle has %d", path, len(js[f]), len(bundle.Entry))
		}
		for i, e := range bundle.Entry {
			ch, _, err := share.RecordCommitment(e.Resource, [32]byte{})
			if err != nil {
				t.Fatal(err)
			}
			if js[f][i] != ch.Hex() {
				c, _ := record.Canonical(e.Resource)
				t.Fatalf("%s entry %d: JS content hash %s, Go %s (canonical %.200s)", filepath.Base(path), i, js[f][i], ch.Hex(), c)
			}
			resources++
		}
	}
	if resources < 500 {
		t.Fatalf("only %d Synthea resources compared", resources)
	}
	t.Logf("%d Synthea resources: the same content hash in JS and Go", resources)
}

// TestJSMerkleAndSelectors: src/merkle.js verifies chain/merkle's
// independent vectors (and refuses each proof for another leaf), and
// src/chain.js's selectors are the registry ABI's.
func TestJSMerkleAndSelectors(t *testing.T) {
	var m struct {
		Proofs   int      `json:"proofs"`
		Failures []string `json:"failures"`
	}
	runNode(t, &m, "merkle", filepath.Join("..", "..", "chain", "merkle", "testdata", "vectors.json"))
	if m.Proofs < 20 || len(m.Failures) > 0 {
		t.Fatalf("%d proofs, failures %v", m.Proofs, m.Failures)
	}
	var sel map[string]string
	runNode(t, &sel, "selectors")
	abi := contracts.NewHealthRegistry().GetABI()
	for _, name := range []string{"grantOf", "anchorOf", "delegateOf"} {
		if want := "0x" + hex.EncodeToString(abi.Methods[name].ID); sel[name] != want {
			t.Errorf("%s: JS selector %s, ABI %s", name, sel[name], want)
		}
	}
}

// TestJSDecrypt: src/jwe.js opens share.EncryptFile's JWEs with WebCrypto
// and with @noble/ciphers alike, and refuses an altered one and a wrong key
// on both paths.
func TestJSDecrypt(t *testing.T) {
	key := bytes.Repeat([]byte{7}, 32)
	plain := []byte(strings.Repeat(`{"resourceType":"Observation","code":{"text":"é 😀"}}`, 200))
	jwe, err := share.EncryptFile(plain, key, share.ContentTypeFHIR)
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	good := filepath.Join(dir, "good.jwe")
	os.WriteFile(good, []byte(jwe), 0o600)
	parts := strings.Split(jwe, ".")
	tag := []byte(parts[4])
	tag[0] = map[bool]byte{true: 'B', false: 'A'}[tag[0] == 'A']
	parts[4] = string(tag)
	altered := filepath.Join(dir, "altered.jwe")
	os.WriteFile(altered, []byte(strings.Join(parts, ".")), 0o600)
	for _, path := range []string{"subtle", "noble"} {
		var r struct {
			Plaintext []byte `json:"plaintext"`
			Cty       string `json:"cty"`
			Error     string `json:"error"`
			Kind      string `json:"kind"`
		}
		runNode(t, &r, "decrypt", "0x"+hex.EncodeToString(key), good, path)
		if r.Error != "" || !bytes.Equal(r.Plaintext, plain) || r.Cty != share.ContentTypeFHIR {
			t.Errorf("%s: %d bytes, cty %q, error %q", path, len(r.Plaintext), r.Cty, r.Error)
		}
		r.Error, r.Kind = "", ""
		runNode(t, &r, "decrypt", "0x"+hex.EncodeToString(key), altered, path)
		if r.Kind != "decrypt" {
			t.Errorf("%s: the altered file gave %q (%s)", path, r.Kind, r.Error)
		}
		r.Error, r.Kind = "", ""
		runNode(t, &r, "decrypt", "0x"+hex.EncodeToString(bytes.Repeat([]byte{8}, 32)), good, path)
		if r.Kind != "decrypt" {
			t.Errorf("%s: the wrong key gave %q (%s)", path, r.Kind, r.Error)
		}
	}
}

// shlServer is another SHL issuer's server on loopback: U-flag files,
// passcode-protected manifests with file locations, and the node's
// /issuer-keys lookup over local issuer directories.
type shlServer struct {
	*httptest.Server
	mu        sync.Mutex
	direct    map[string][]byte
	files     map[string][]byte
	manifests map[string]*shlManifest
	issuers   share.DirResolver
}

type shlManifest struct {
	passcode string
	attempts int
	files    []share.ManifestEntry
}

func newSHLServer(t *testing.T, issuers share.DirResolver) *shlServer {
	s := &shlServer{direct: map[string][]byte{}, files: map[string][]byte{}, manifests: map[string]*shlManifest{}, issuers: issuers}
	s.Server = httptest.NewServer(http.HandlerFunc(s.serve))
	t.Cleanup(s.Close)
	return s
}

func (s *shlServer) serve(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if r.URL.Path == "/issuer-keys" {
		iss, kid := r.URL.Query().Get("iss"), r.URL.Query().Get("crl")
		var doc []byte
		var err error
		if kid != "" {
			doc, err = s.issuers.CRL(r.Context(), iss, kid)
		} else {
			doc, err = s.issuers.JWKS(r.Context(), iss)
		}
		if err != nil {
			http.Error(w, err.Error(), http.StatusBadGateway)
			return
		}
		w.Write(doc)
		return
	}
	if b, ok := s.direct[r.URL.Path]; ok && r.Method == http.MethodGet {
		w.Write(b)
		return
	}
	if b, ok := s.files[r.URL.Path]; ok && r.Method == http.MethodGet {
		w.Write(b)
		return
	}
	m, ok := s.manifests[r.URL.Path]
	if !ok || r.Method != http.MethodPost {
		http.NotFound(w, r)
		return
	}
	var req struct{ Passcode string }
	json.NewDecoder(r.Body).Decode(&req)
	if m.attempts <= 0 {
		http.NotFound(w, r)
		return
	}
	if req.Passcode != m.passcode {
		m.attempts--
		w.WriteHeader(http.StatusUnauthorized)
		json.NewEncoder(w).Encode(map[string]int{"remainingAttempts": m.attempts})
		return
	}
	json.NewEncoder(w).Encode(share.ManifestDocument{Files: m.files})
}

// relink returns the link with its URL moved to srv (same key, flags,
// label and expiry).
func relink(t *testing.T, text, srv string) (share.Link, string) {
	t.Helper()
	l, err := share.ParseLink(text)
	if err != nil {
		t.Fatal(err)
	}
	u, _ := url.Parse(l.URL)
	l.URL = srv + u.Path
	return l, l.String()
}

// TestViewerOtherIssuers: shares from other SHL issuers open, shown as
// sent and marked not verifiable, as hw receive shows them: the SHL spec's
// worked example (an IPS bundle behind a U link) and the dev tools'
// examples (SMART Health Cards behind a passcode manifest and a U link,
// checked against the issuer's keys fetched through the node).
func TestViewerOtherIssuers(t *testing.T) {
	ctx := context.Background()
	nodeDir(t)
	t.Run("SHL spec example", func(t *testing.T) {
		dir := testcorpus.Dir(t, "shl-spec")
		text, _ := os.ReadFile(filepath.Join(dir, "IPS_IG-bundle-01-shl.txt"))
		enc, err := os.ReadFile(filepath.Join(dir, "IPS_IG-bundle-01-enc.txt"))
		if err != nil {
			t.Fatal(err)
		}
		srv := newSHLServer(t, nil)
		l, link := relink(t, string(text), srv.URL)
		u, _ := url.Parse(l.URL)
		srv.direct[u.Path] = enc
		js := openJS(t, openArgs{Link: "https://viewer.example/view#" + link, Origin: srv.URL})
		got, err := wallet.ReceiveWithNetworks(ctx, link, wallet.ReceiveOptions{Recipient: "Dr. Lee"}, nil)
		if err != nil {
			t.Fatal(err)
		}
		sameAsReceive(t, js, got)
		if js.State != "not-verified" || js.Source != "other" || len(js.Records) < 10 || js.Refusal != nil {
			t.Fatalf("spec example: %q %q, %d records, refusal %+v, %s", js.State, js.Source, len(js.Records), js.Refusal, checkList(js.Checks))
		}
	})

	// A bundle of two people's records (a folder of exports shared as one):
	// the page warns, naming both, in the wallet's words.
	t.Run("two people", func(t *testing.T) {
		bundle := `{"resourceType":"Bundle","type":"collection","entry":[
{"resource":{"resourceType":"Patient","id":"a","name":[{"given":["Ada"],"family":"Lovelace"}],"birthDate":"1985-12-10"}},
{"resource":{"resourceType":"AllergyIntolerance","id":"nka","code":{"text":"No known allergies"}}},
{"resource":{"resourceType":"Patient","id":"a2","name":[{"text":"ada  LOVELACE"}],"birthDate":"1985-12-10"}},
{"resource":{"resourceType":"Patient","id":"b","name":[{"given":["Bob"],"family":"Brown"}],"birthDate":"2012-02-30"}},
{"resource":{"resourceType":"AllergyIntolerance","id":"pen","code":{"text":"Penicillin G"},"criticality":"high"}}]}`
		key, err := share.NewKey()
		if err != nil {
			t.Fatal(err)
		}
		jwe, err := share.EncryptFile([]byte(bundle), key[:], share.ContentTypeFHIR)
		if err != nil {
			t.Fatal(err)
		}
		srv := newSHLServer(t, nil)
		srv.manifests["/m"] = &shlManifest{attempts: 2, files: []share.ManifestEntry{{ContentType: share.ContentTypeFHIR, Embedded: jwe}}}
		link := share.Link{URL: srv.URL + "/m", Key: key}.String()
		js := openJS(t, openArgs{Link: link, Origin: srv.URL})
		got, err := wallet.ReceiveWithNetworks(ctx, link, wallet.ReceiveOptions{Recipient: "Dr. Lee"}, nil)
		if err != nil {
			t.Fatal(err)
		}
		sameAsReceive(t, js, got)
		want := "this share holds records about 2 different people: Ada Lovelace (born 10 Dec 1985), Bob Brown (born 2012-02-30). " +
			"Check with the patient which records are theirs before relying on any of them"
		if len(js.Warnings) != 1 || js.Warnings[0] != want || len(js.Records) != 5 {
			t.Fatalf("two people: warnings %q, %d records", js.Warnings, len(js.Records))
		}
	})

	dir := testcorpus.Dir(t, "shc-devtools/shl-examples")
	issuers := share.DirResolver{"https://spec.smarthealth.cards/examples/issuer": testcorpus.Dir(t, "shc/issuer")}
	now := time.Date(2023, 12, 31, 0, 0, 0, 0, time.UTC) // the examples expire on 2024-01-01
	for _, path := range testcorpus.Files(t, dir, ".json") {
		t.Run(filepath.Base(path), func(t *testing.T) {
			var ex struct {
				Link      string   `json:"link"`
				Passcode  string   `json:"passcode"`
				Attempts  int      `json:"attempts"`
				FilePaths []string `json:"filePaths"`
				JWEFiles  []string `json:"jweFiles"`
			}
			b, _ := os.ReadFile(path)
			if err := json.Unmarshal(b, &ex); err != nil {
				t.Fatal(err)
			}
			srv := newSHLServer(t, issuers)
			l, link := relink(t, ex.Link, srv.URL)
			u, _ := url.Parse(l.URL)
			passcode := ""
			if l.Has(share.FlagDirect) {
				srv.direct[u.Path] = []byte(ex.JWEFiles[0])
			} else {
				passcode = ex.Passcode
				m := &shlManifest{passcode: ex.Passcode, attempts: ex.Attempts}
				for i, fp := range ex.FilePaths {
					srv.files["/shl/"+fp] = []byte(ex.JWEFiles[i])
					m.files = append(m.files, share.ManifestEntry{ContentType: share.ContentTypeSHC, Location: srv.URL + "/shl/" + fp})
				}
				srv.manifests[u.Path] = m
				wrong := openJS(t, openArgs{Link: link, Origin: srv.URL, Passcode: "0000", Now: now.Format(time.RFC3339)})
				if wrong.State != "refused" || wrong.Refusal == nil || wrong.Refusal.RemainingAttempts == nil || *wrong.Refusal.RemainingAttempts != ex.Attempts-1 {
					t.Fatalf("wrong passcode: %+v", wrong.Refusal)
				}
			}
			js := openJS(t, openArgs{Link: link, Origin: srv.URL, Passcode: passcode, Now: now.Format(time.RFC3339)})
			got, err := wallet.ReceiveWithNetworks(ctx, link, wallet.ReceiveOptions{Recipient: "Dr. Lee", Passcode: passcode, Now: now, CardKeys: issuers}, nil)
			if err != nil {
				t.Fatal(err)
			}
			sameAsReceive(t, js, got)
			verified := 0
			for _, c := range js.Cards {
				if c.Verified {
					verified++
				}
			}
			if js.State != "not-verified" || js.Source != "other" || verified == 0 || verified != len(got.Cards) {
				t.Fatalf("%q %q, %d cards verified (Go %d), %s", js.State, js.Source, verified, len(got.Cards), checkList(js.Checks))
			}
		})
	}
}

func mustJSON(v any) []byte {
	b, _ := json.Marshal(v)
	return b
}

// TestJSParseLink: src/link.js accepts and refuses what share.ParseLink
// does, and reads the same payload, on well-formed links, viewer URLs and
// broken ones (each refusal with a message).
func TestJSParseLink(t *testing.T) {
	payload := func(s string) string { return "shlink:/" + base64.RawURLEncoding.EncodeToString([]byte(s)) }
	key := base64.RawURLEncoding.EncodeToString(bytes.Repeat([]byte{9}, 32))
	texts := []string{
		payload(`{"url":"https://relay.example/s/1","key":"` + key + `","flag":"P","label":"For Dr. Lee","exp":1900000000}`),
		"https://relay.example/view#" + payload(`{"url":"https://relay.example/s/1","key":"`+key+`"}`),
		"  #" + payload(`{"url":"http://127.0.0.1:8080/s/1","key":"`+key+`","flag":"LPL","v":1}`) + "\n",
		"SHLINK:/" + strings.TrimPrefix(payload(`{"url":"https://r.example/x","key":"`+key+`","exp":1900000000.25}`), "shlink:/"),
		payload(`{"url":"https://relay.example/s/1","key":"` + key + `","unknown":1,"v":2}`),
		payload(`{"url":"https://relay.example/s/1","key":"` + key[:42] + `"}`),
		payload(`{"url":"ftp://relay.example/s/1","key":"` + key + `"}`),
		payload(`{"url":"https://user:pw@relay.example/s/1","key":"` + key + `"}`),
		payload(`{"url":"https://relay.example/` + strings.Repeat("a", 120) + `","key":"` + key + `"}`),
		payload(`{"url":"https://relay.example/s/1","key":"` + key + `","flag":"PU"}`),
		payload(`{"url":"https://relay.example/s/1","key":"` + key + `","flag":"p"}`),
		payload(`{"url":"https://relay.example/s/1","key":"` + key + `","label":"` + strings.Repeat("é", 81) + `"}`),
		payload(`{"url":"https://relay.example/s/1","key":"` + key + `","exp":"soon"}`),
		payload(`{"url":"https://relay.example/s/1","key":"` + key + `","exp":-1}`),
		payload(`{"url":"https://relay.example/s/1","key":"` + key + `","v":1.5}`),
		payload(`{"url":"https://relay.example/s/1"}`),
		payload(`[1,2]`),
		"shlink:/",
		"shlink:/!!!",
		"https://relay.example/view",
		"https://relay.example/view#nothing",
		"hello",
	}
	path := filepath.Join(t.TempDir(), "links.json")
	b, _ := json.Marshal(texts)
	os.WriteFile(path, b, 0o600)
	var got []struct {
		OK    bool    `json:"ok"`
		Error string  `json:"error"`
		URL   string  `json:"url"`
		Flag  string  `json:"flag"`
		Label string  `json:"label"`
		Exp   float64 `json:"exp"`
		V     int     `json:"v"`
		Key   string  `json:"key"`
	}
	runNode(t, &got, "links", path)
	for i, text := range texts {
		l, err := share.ParseLink(text)
		js := got[i]
		if js.OK != (err == nil) {
			t.Errorf("%.80q: JS ok=%v (%s), Go %v", text, js.OK, js.Error, err)
			continue
		}
		if err != nil {
			if !strings.Contains(js.Error, "not a valid SMART Health Link") {
				t.Errorf("%.80q: JS message %q", text, js.Error)
			}
			continue
		}
		exp := 0.0
		if !l.Exp.IsZero() {
			exp = float64(l.Exp.UnixMilli()) / 1000
		}
		if js.URL != l.URL || js.Flag != l.Flags || js.Label != l.Label || js.Exp != exp || js.V != l.V || js.Key != "0x"+hex.EncodeToString(l.Key[:]) {
			t.Errorf("%.80q: JS %+v, Go %+v", text, js, l)
		}
	}
}

// TestViewerBadServers: a link's server that answers badly (not a
// manifest, a file address over plain http elsewhere, busy, failing, not
// answering) gives a Result saying so, never a crash, with the checks hw
// receive reports.
func TestViewerBadServers(t *testing.T) {
	nodeDir(t)
	key := bytes.Repeat([]byte{5}, 32)
	for _, c := range []struct {
		name, state, kind string
		handler           http.HandlerFunc
	}{
		{"not a manifest", "error", "", func(w http.ResponseWriter, r *http.Request) { w.Write([]byte("<html>hello</html>")) }},
		{"file over plain http elsewhere", "error", "", func(w http.ResponseWriter, r *http.Request) {
			w.Write([]byte(`{"files":[{"contentType":"application/fhir+json","location":"http://files.example/x"}]}`))
		}},
		{"busy", "refused", "busy", func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Retry-After", "30")
			w.WriteHeader(http.StatusTooManyRequests)
		}},
		{"server error", "error", "", func(w http.ResponseWriter, r *http.Request) { http.Error(w, "boom", http.StatusInternalServerError) }},
		{"locked", "refused", "locked", func(w http.ResponseWriter, r *http.Request) {
			w.WriteHeader(http.StatusUnauthorized)
			w.Write([]byte(`{"remainingAttempts":0}`))
		}},
		{"not found", "refused", "not-found", http.NotFound},
		{"not a JWE", "not-verified", "tampered", func(w http.ResponseWriter, r *http.Request) {
			w.Write([]byte(`{"files":[{"contentType":"application/fhir+json","embedded":"a.b.c"}]}`))
		}},
	} {
		t.Run(c.name, func(t *testing.T) {
			srv := httptest.NewServer(c.handler)
			defer srv.Close()
			l := share.Link{URL: srv.URL + "/m", Key: [32]byte(key), Label: "bad"}
			if c.kind == "locked" {
				l.Flags = "P"
			}
			js := openJS(t, openArgs{Link: l.String(), Passcode: map[bool]string{true: "1", false: ""}[c.kind == "locked"]})
			got, _ := wallet.ReceiveWithNetworks(context.Background(), l.String(),
				wallet.ReceiveOptions{Recipient: "Dr. Lee", Passcode: map[bool]string{true: "1", false: ""}[c.kind == "locked"]}, nil)
			sameAsReceive(t, js, got)
			msg := ""
			switch {
			case js.Refusal != nil:
				msg = js.Refusal.Message + js.Refusal.Advice
			case js.Error != nil:
				msg = js.Error.Message + js.Error.Advice
			}
			if js.State != c.state || (c.kind != "" && (js.Refusal == nil || js.Refusal.Kind != c.kind)) || msg == "" {
				t.Fatalf("%q, refusal %+v, error %+v", js.State, js.Refusal, js.Error)
			}
		})
	}
	t.Run("nobody answers", func(t *testing.T) {
		srv := httptest.NewServer(http.NotFoundHandler())
		srv.Close()
		l := share.Link{URL: srv.URL + "/m", Key: [32]byte(key)}
		js := openJS(t, openArgs{Link: l.String()})
		if js.State != "error" || js.Error == nil || !strings.Contains(js.Error.Message, "could not reach") {
			t.Fatalf("%q, %+v", js.State, js.Error)
		}
	})
}

// fixedKeys is an issuer key resolver over one JWKS document and a CRL
// directory.
type fixedKeys struct {
	jwks   []byte
	crlDir string
}

func (k fixedKeys) JWKS(context.Context, string) ([]byte, error) { return k.jwks, nil }
func (k fixedKeys) CRL(_ context.Context, _, kid string) ([]byte, error) {
	return os.ReadFile(filepath.Join(k.crlDir, kid+".json"))
}

// TestJSCards: src/shc.js accepts and refuses the spec's SMART Health
// Cards as shc.go does — a valid card, one whose X.509 certificate expired
// (noted), the revoked one (its CRL), and with the issuer's certificate
// swapped for another key's (refused) — and reads the same bundles.
func TestJSCards(t *testing.T) {
	dir := testcorpus.Dir(t, "shc")
	jwks, err := os.ReadFile(filepath.Join(dir, "issuer", ".well-known", "jwks.json"))
	if err != nil {
		t.Fatal(err)
	}
	var set, other map[string][]map[string]any
	json.Unmarshal(jwks, &set)
	b, err := os.ReadFile(filepath.Join(testcorpus.Dir(t, "shc-devtools"), "cert_mismatch.public.json"))
	if err != nil {
		t.Fatal(err)
	}
	json.Unmarshal(b, &other)
	for _, k := range set["keys"] {
		if k["x5c"] != nil {
			k["x5c"] = other["keys"][0]["x5c"]
		}
	}
	swapped, _ := json.Marshal(set)
	tmp := t.TempDir()
	swappedPath := filepath.Join(tmp, "swapped.json")
	os.WriteFile(swappedPath, swapped, 0o600)
	jws := testcorpus.Files(t, dir, "-d-jws.txt")
	now := time.Date(2023, 12, 31, 0, 0, 0, 0, time.UTC)
	crlDir := filepath.Join(dir, "issuer", ".well-known", "crl")
	for name, doc := range map[string]string{"spec keys": filepath.Join(dir, "issuer", ".well-known", "jwks.json"), "certificate swapped": swappedPath} {
		t.Run(name, func(t *testing.T) {
			args, _ := json.Marshal(map[string]any{"jwks": doc, "crlDir": crlDir, "now": now.Format(time.RFC3339), "jws": jws})
			path := filepath.Join(t.TempDir(), "args.json")
			os.WriteFile(path, args, 0o600)
			var got []struct {
				OK      bool     `json:"ok"`
				Error   string   `json:"error"`
				Notes   []string `json:"notes"`
				Entries int      `json:"entries"`
			}
			runNode(t, &got, "cards", path)
			docBytes, _ := os.ReadFile(doc)
			oks := 0
			for i, f := range jws {
				text, _ := os.ReadFile(f)
				card, err := share.VerifyCard(context.Background(), string(text), fixedKeys{docBytes, crlDir}, now)
				if got[i].OK != (err == nil) {
					t.Errorf("%s: JS ok=%v (%s), Go %v", filepath.Base(f), got[i].OK, got[i].Error, err)
					continue
				}
				if err != nil {
					continue
				}
				oks++
				var bundle struct{ Entry []json.RawMessage }
				json.Unmarshal(card.Bundle, &bundle)
				if got[i].Entries != len(bundle.Entry) || len(got[i].Notes) != len(card.Notes) {
					t.Errorf("%s: JS %d entries, notes %v; Go %d, %v", filepath.Base(f), got[i].Entries, got[i].Notes, len(bundle.Entry), card.Notes)
				}
			}
			if oks == 0 || oks == len(jws) {
				t.Errorf("%d of %d cards verified: the cases do not tell valid from refused", oks, len(jws))
			}
		})
	}
}

// TestViewer500Records: a 500-record share opens verified in the JS as in
// hw receive, and the time openShare takes (fetch, decrypt, every check,
// chain reads included) is logged.
func TestViewer500Records(t *testing.T) {
	f := newFixture(t, 500)
	res := f.share(t, wallet.ShareRequest{})
	js := openJS(t, openArgs{Link: res.Link, FetchNetwork: true, Origin: f.info.URL})
	got, err := f.receive(t, res.Link, wallet.ReceiveOptions{})
	if err != nil {
		t.Fatal(err)
	}
	sameAsReceive(t, js, got)
	if js.State != "verified" || len(js.Records) != 505 {
		t.Fatalf("%q, %d records, %s", js.State, len(js.Records), checkList(js.Checks))
	}
	t.Logf("openShare: %d records fetched, decrypted and verified in %d ms (Node %s)", len(js.Records), js.ElapsedMS, runtimeNode(t))
}

func runtimeNode(t *testing.T) string {
	out, _ := exec.Command("node", "--version").Output()
	return strings.TrimSpace(string(out))
}

// TestJSTransport: link.js's checkTransport allows plain http exactly
// where share.CheckTransport does (this computer; the LAN, written as an
// IP, when allowed) and https everywhere.
func TestJSTransport(t *testing.T) {
	urls := []string{
		"https://relay.example/s", "http://relay.example/s", "http://localhost:8080/s", "http://127.0.0.1/s", "http://127.9.9.9/s",
		"http://[::1]:80/s", "http://10.0.0.7/s", "http://172.16.0.1/s", "http://172.32.0.1/s", "http://192.168.1.20:8443/s",
		"http://169.254.1.1/s", "http://[fe80::1]/s", "http://[fd00::5]/s", "http://[2001:db8::1]/s", "http://127.0.0.1.example/s",
		"http://192.168.1.20.nip.io/s", "ftp://relay.example/s", "not a url", "http:///s", "HTTPS://relay.example/s",
	}
	var args [][]any
	for _, u := range urls {
		args = append(args, []any{u, false}, []any{u, true})
	}
	path := filepath.Join(t.TempDir(), "args.json")
	b, _ := json.Marshal(args)
	os.WriteFile(path, b, 0o600)
	var got []string
	runNode(t, &got, "transport", path)
	for i, a := range args {
		err := share.CheckTransport(a[0].(string), a[1].(bool))
		if (got[i] == "") != (err == nil) {
			t.Errorf("%q lan=%v: JS %q, Go %v", a[0], a[1], got[i], err)
		}
	}
}

// editedProof serves the share of link through a proxy that changes its
// proof file with edit (re-encrypted with the link's key), and returns the
// proxy's link.
func editedProof(t *testing.T, f *fixture, link string, edit func(p map[string]any)) string {
	t.Helper()
	l, _ := share.ParseLink(link)
	proxy := newRecordingProxy(t, f.info.URL)
	proxy.edit = editManifest(t, func(files []map[string]any) []map[string]any {
		for _, file := range files {
			if file["contentType"] != share.ContentTypeProof {
				continue
			}
			pt, cty, err := share.DecryptFile(file["embedded"].(string), l.Key[:])
			if err != nil {
				t.Error(err)
				return files
			}
			var p map[string]any
			if err := json.Unmarshal(pt, &p); err != nil {
				t.Error(err)
				return files
			}
			edit(p)
			pt, _ = json.Marshal(p)
			if file["embedded"], err = share.EncryptFile(pt, l.Key[:], cty); err != nil {
				t.Error(err)
			}
		}
		return files
	})
	return viaProxy(t, link, proxy.URL)
}

// TestJSCategories: delegation.js's categoryOf, which decides whether a
// caregiver's scope covers a record, gives record.Summarize's category for
// every resource of the FHIR corpora.
func TestJSCategories(t *testing.T) {
	var files []string
	for _, sub := range []string{"synthea", "fhir-r4-examples"} {
		files = append(files, testcorpus.Files(t, testcorpus.Dir(t, sub), ".json")...)
	}
	var js [][]string
	runNode(t, &js, append([]string{"categories"}, files...)...)
	n := 0
	seen := map[string]bool{}
	for i, path := range files {
		b, _ := os.ReadFile(path)
		var head struct {
			ResourceType string `json:"resourceType"`
			Entry        []struct {
				Resource json.RawMessage `json:"resource"`
			} `json:"entry"`
		}
		json.Unmarshal(b, &head)
		raws := []json.RawMessage{b}
		if head.ResourceType == "Bundle" {
			raws = raws[:0]
			for _, e := range head.Entry {
				raws = append(raws, e.Resource)
			}
		}
		for j, raw := range raws {
			var r struct {
				ResourceType string `json:"resourceType"`
			}
			json.Unmarshal(raw, &r)
			want := record.Summarize(record.Resource{Type: r.ResourceType, Raw: raw}).Category
			if js[i][j] != want {
				t.Errorf("%s resource %d (%s): JS %q, Go %q", filepath.Base(path), j, r.ResourceType, js[i][j], want)
			}
			seen[want] = true
			n++
		}
	}
	if n < 1000 || len(seen) < 8 {
		t.Fatalf("%d resources in %d categories compared", n, len(seen))
	}
	t.Logf("%d resources in %d categories: the same in JS and Go", n, len(seen))
}

// anchorAll anchors the wallet's records and waits (up to a minute) until
// none waits.
func anchorAll(t *testing.T, w *wallet.Wallet) {
	t.Helper()
	deadline := time.Now().Add(time.Minute)
	for {
		rep, err := w.Anchor(context.Background())
		if err != nil {
			t.Fatal(err)
		}
		if !rep.Waiting() {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("anchoring still waits after a minute: %+v", rep)
		}
		time.Sleep(200 * time.Millisecond)
	}
}
