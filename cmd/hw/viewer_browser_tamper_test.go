//go:build unix

package main

// This file: an attacker's relay for the viewer's acceptance — a reverse
// proxy in front of the real relay that serves the page, the node's
// documents and RPC untouched, and alters what the share's manifest and
// files hold. It plays someone who runs the relay and holds the link (so
// knows the key): the page must not say Verified for what the patient did
// not consent to.

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"testing"

	"healthwallet/wallet/share"
)

// tamperMode is what the proxy does to the share.
type tamperMode string

const (
	// tamperRecord decrypts the first FHIR file, changes one record (a
	// condition's name) and encrypts it again with the link's key.
	tamperRecord tamperMode = "altered-record"
	// tamperExtraFile adds a file to the manifest, encrypted with the
	// link's key, holding a record the patient never shared.
	tamperExtraFile tamperMode = "extra-file"
	// tamperBytes flips a byte of the first FHIR file's ciphertext.
	tamperBytes tamperMode = "flipped-byte"
	// tamperFileData decrypts the FHIR files, flips a byte of a kept
	// file's data (a DocumentReference's attachment) and encrypts it again.
	tamperFileData tamperMode = "altered-file-data"
	// replayRevoked serves nothing altered, but keeps the first manifest
	// it passes on (its files embedded) and serves it again once the relay
	// refuses the link: a relay that ignores the patient's revocation.
	replayRevoked tamperMode = "ignores-revocation"
)

// tamperProxy is the attacker's relay.
type tamperProxy struct {
	base  string // http://127.0.0.1:port
	relay string
	key   []byte
	mode  tamperMode

	mu       sync.Mutex
	fhirPath map[string]bool // proxied file locations that hold FHIR
	saved    []byte          // replayRevoked: the manifest kept
	manifest string          // the path of the link's manifest URL
}

// startTamperProxy starts the proxy in front of relay for the share of
// link; the test's end stops it.
func startTamperProxy(t *testing.T, relay, link string, mode tamperMode) *tamperProxy {
	t.Helper()
	l, err := share.ParseLink(link)
	if err != nil {
		t.Fatal(err)
	}
	target, err := url.Parse(relay)
	if err != nil {
		t.Fatal(err)
	}
	mu, err := url.Parse(l.URL)
	if err != nil {
		t.Fatal(err)
	}
	p := &tamperProxy{relay: relay, key: l.Key[:], mode: mode, fhirPath: map[string]bool{}, manifest: mu.Path}
	rp := &httputil.ReverseProxy{
		Rewrite: func(r *httputil.ProxyRequest) {
			r.SetURL(target)
			// Plain bodies, so the proxy can read and change them.
			r.Out.Header.Del("Accept-Encoding")
		},
		ModifyResponse: p.modify,
	}
	srv := httptest.NewServer(rp)
	t.Cleanup(srv.Close)
	p.base = srv.URL
	return p
}

// rewriteLink points the link's manifest URL at the proxy: what an
// attacker's relay hands out (the link's payload is not signed).
func (p *tamperProxy) rewriteLink(t *testing.T, link string) string {
	t.Helper()
	payload := strings.TrimPrefix(link[strings.Index(link, "shlink:/"):], "shlink:/")
	raw, err := base64.RawURLEncoding.DecodeString(payload)
	if err != nil {
		t.Fatalf("the link's payload: %v", err)
	}
	var fields map[string]any
	if err := json.Unmarshal(raw, &fields); err != nil {
		t.Fatalf("the link's payload: %v", err)
	}
	u, _ := fields["url"].(string)
	if !strings.HasPrefix(u, p.relay) {
		t.Fatalf("the link's url %q is not on the relay %s", u, p.relay)
	}
	fields["url"] = p.base + strings.TrimPrefix(u, p.relay)
	out, err := json.Marshal(fields)
	if err != nil {
		t.Fatal(err)
	}
	return "shlink:/" + base64.RawURLEncoding.EncodeToString(out)
}

// modify changes the relay's answers: a manifest's file locations point at
// the proxy (and the manifest is tampered with), a FHIR file's JWE is.
func (p *tamperProxy) modify(resp *http.Response) error {
	req := resp.Request
	if p.mode == replayRevoked && req.Method == http.MethodPost && req.URL.Path == p.manifest {
		return p.replay(resp)
	}
	if resp.StatusCode != http.StatusOK {
		return nil
	}
	body, err := io.ReadAll(resp.Body)
	resp.Body.Close()
	if err != nil {
		return err
	}
	// Every URL of the relay in what it answers (the network document's
	// rpc, the manifest's file locations) now names the proxy.
	body = bytes.ReplaceAll(body, []byte(p.relay), []byte(p.base))
	switch {
	case req.Method == http.MethodPost && bytes.Contains(body, []byte(`"files"`)):
		body, err = p.rewriteManifest(body)
	case req.Method == http.MethodGet && p.isFHIRFile(req.URL.Path):
		body, err = p.file(body)
	}
	if err != nil {
		return fmt.Errorf("tamper proxy: %w", err)
	}
	resp.Body = io.NopCloser(bytes.NewReader(body))
	resp.ContentLength = int64(len(body))
	resp.Header.Set("Content-Length", strconv.Itoa(len(body)))
	return nil
}

// replay passes the first manifest on with its files embedded (fetched
// from the relay here), keeps it, and answers every later manifest request
// with it, whatever the relay says.
func (p *tamperProxy) replay(resp *http.Response) error {
	p.mu.Lock()
	saved := p.saved
	p.mu.Unlock()
	if saved == nil {
		if resp.StatusCode != http.StatusOK {
			return nil
		}
		body, err := io.ReadAll(resp.Body)
		resp.Body.Close()
		if err != nil {
			return err
		}
		if saved, err = p.embedFiles(body); err != nil {
			return fmt.Errorf("tamper proxy: %w", err)
		}
		p.mu.Lock()
		p.saved = saved
		p.mu.Unlock()
	} else {
		resp.Body.Close()
	}
	resp.StatusCode, resp.Status = http.StatusOK, "200 OK"
	resp.Header = http.Header{"Content-Type": {"application/json"}}
	resp.Body = io.NopCloser(bytes.NewReader(saved))
	resp.ContentLength = int64(len(saved))
	resp.Header.Set("Content-Length", strconv.Itoa(len(saved)))
	return nil
}

// embedFiles fetches every file a manifest lists by location and puts it
// in the manifest instead.
func (p *tamperProxy) embedFiles(body []byte) ([]byte, error) {
	var doc map[string]json.RawMessage
	if err := json.Unmarshal(body, &doc); err != nil {
		return nil, fmt.Errorf("the manifest: %w", err)
	}
	var files []map[string]any
	if err := json.Unmarshal(doc["files"], &files); err != nil {
		return nil, fmt.Errorf("the manifest's files: %w", err)
	}
	for _, f := range files {
		loc, ok := f["location"].(string)
		if !ok {
			continue
		}
		resp, err := http.Get(loc)
		if err != nil {
			return nil, err
		}
		jwe, err := io.ReadAll(resp.Body)
		resp.Body.Close()
		if err != nil || resp.StatusCode != http.StatusOK {
			return nil, fmt.Errorf("fetching %s: %d %v", loc, resp.StatusCode, err)
		}
		delete(f, "location")
		f["embedded"] = string(jwe)
	}
	b, err := json.Marshal(files)
	if err != nil {
		return nil, err
	}
	doc["files"] = b
	return json.Marshal(doc)
}

func (p *tamperProxy) isFHIRFile(path string) bool {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.fhirPath[path]
}

// rewriteManifest rewrites a manifest: it notes which locations hold FHIR,
// tampers with embedded FHIR files, and for tamperExtraFile adds a file.
func (p *tamperProxy) rewriteManifest(body []byte) ([]byte, error) {
	var doc map[string]json.RawMessage
	if err := json.Unmarshal(body, &doc); err != nil {
		return body, nil // not a manifest
	}
	var files []map[string]any
	if err := json.Unmarshal(doc["files"], &files); err != nil {
		return nil, fmt.Errorf("the manifest's files: %w", err)
	}
	for _, f := range files {
		fhir := f["contentType"] == share.ContentTypeFHIR
		if loc, ok := f["location"].(string); ok && strings.HasPrefix(loc, p.base) {
			if fhir {
				u, err := url.Parse(loc)
				if err != nil {
					return nil, err
				}
				p.mu.Lock()
				p.fhirPath[u.Path] = true
				p.mu.Unlock()
			}
		}
		if emb, ok := f["embedded"].(string); ok && fhir {
			out, err := p.file([]byte(emb))
			if err != nil {
				return nil, err
			}
			f["embedded"] = string(out)
		}
	}
	if p.mode == tamperExtraFile {
		forged := `{"resourceType":"Bundle","type":"collection","entry":[{"resource":` + forgedCondition + `}]}`
		jwe, err := share.EncryptFile([]byte(forged), p.key, share.ContentTypeFHIR)
		if err != nil {
			return nil, err
		}
		files = append(files, map[string]any{"contentType": share.ContentTypeFHIR, "embedded": jwe})
	}
	b, err := json.Marshal(files)
	if err != nil {
		return nil, err
	}
	doc["files"] = b
	return json.Marshal(doc)
}

// forgedCondition is a diagnosis the patient never had.
const forgedCondition = `{"resourceType":"Condition","id":"forged-1","clinicalStatus":{"coding":[{"system":"http://terminology.hl7.org/CodeSystem/condition-clinical","code":"active"}]},"code":{"text":"Forged diagnosis"},"onsetDateTime":"2024-01-01"}`

// file tampers with a FHIR file's JWE as the mode says.
func (p *tamperProxy) file(jwe []byte) ([]byte, error) {
	switch p.mode {
	case tamperBytes:
		parts := strings.Split(string(jwe), ".")
		if len(parts) != 5 || len(parts[3]) < 10 {
			return nil, fmt.Errorf("not a compact JWE")
		}
		c := []byte(parts[3])
		i := len(c) / 2
		if c[i] == 'A' {
			c[i] = 'B'
		} else {
			c[i] = 'A'
		}
		parts[3] = string(c)
		return []byte(strings.Join(parts, ".")), nil
	case tamperRecord, tamperFileData:
		pt, cty, err := share.DecryptFile(string(jwe), p.key)
		if err != nil {
			return nil, fmt.Errorf("decrypting with the link's key: %w", err)
		}
		alter := alterRecord
		if p.mode == tamperFileData {
			alter = alterFileData
		}
		altered, err := alter(pt)
		if err != nil {
			return nil, err
		}
		if cty == "" {
			cty = share.ContentTypeFHIR
		}
		out, err := share.EncryptFile(altered, p.key, cty)
		return []byte(out), err
	}
	return jwe, nil
}

// alterRecord renames the first Condition of a FHIR Bundle (or, without
// one, marks the first resource) — a change the patient did not sign.
func alterRecord(bundle []byte) ([]byte, error) {
	var doc map[string]any
	if err := json.Unmarshal(bundle, &doc); err != nil {
		return nil, fmt.Errorf("the FHIR file: %w", err)
	}
	entries, _ := doc["entry"].([]any)
	if len(entries) == 0 {
		return nil, fmt.Errorf("the FHIR file has no entries")
	}
	var target map[string]any
	for _, e := range entries {
		res, _ := e.(map[string]any)["resource"].(map[string]any)
		if res != nil && res["resourceType"] == "Condition" {
			target = res
			break
		}
	}
	if target == nil {
		target, _ = entries[0].(map[string]any)["resource"].(map[string]any)
		if target == nil {
			return nil, fmt.Errorf("the FHIR file's first entry has no resource")
		}
		target["language"] = "x-forged"
	} else {
		target["code"] = map[string]any{"text": "Forged diagnosis"}
	}
	return json.Marshal(doc)
}

// alterFileData flips one byte of the first kept file a FHIR Bundle
// carries, if any (a DocumentReference's attachment data): the record and its
// stated size and SHA-256 stay as the patient signed them.
func alterFileData(bundle []byte) ([]byte, error) {
	var doc map[string]any
	if err := json.Unmarshal(bundle, &doc); err != nil {
		return nil, fmt.Errorf("the FHIR file: %w", err)
	}
	entries, _ := doc["entry"].([]any)
	for _, e := range entries {
		res, _ := e.(map[string]any)["resource"].(map[string]any)
		if res == nil || res["resourceType"] != "DocumentReference" {
			continue
		}
		content, _ := res["content"].([]any)
		for _, c := range content {
			att, _ := c.(map[string]any)["attachment"].(map[string]any)
			data, _ := att["data"].(string)
			if data == "" {
				continue
			}
			raw, err := base64.StdEncoding.DecodeString(data)
			if err != nil || len(raw) == 0 {
				return nil, fmt.Errorf("the kept file's data is not base64: %v", err)
			}
			raw[len(raw)/2] ^= 0x01
			att["data"] = base64.StdEncoding.EncodeToString(raw)
			return json.Marshal(doc)
		}
	}
	return bundle, nil // this file keeps none: passed on as it is
}
