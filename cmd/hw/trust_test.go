package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"healthwallet/wallet"
	"healthwallet/wallet/testcorpus"
)

// vciDirectoryFile writes a VCI directory listing the Cards spec's example
// issuer with its published keys and revocation list, so that hw verifies
// its cards with no network.
func vciDirectoryFile(t *testing.T) string {
	issuer := testcorpus.Dir(t, "shc/issuer")
	var set struct {
		Keys []json.RawMessage `json:"keys"`
	}
	jwks, err := os.ReadFile(filepath.Join(issuer, ".well-known", "jwks.json"))
	if err != nil || json.Unmarshal(jwks, &set) != nil {
		t.Fatalf("the example issuer's keys: %v", err)
	}
	var crls []json.RawMessage
	for _, p := range testcorpus.Files(t, filepath.Join(issuer, ".well-known", "crl"), ".json") {
		b, err := os.ReadFile(p)
		if err != nil {
			t.Fatal(err)
		}
		crls = append(crls, b)
	}
	b, _ := json.Marshal(map[string]any{"issuerInfo": []any{map[string]any{
		"issuer": map[string]string{"iss": "https://spec.smarthealth.cards/examples/issuer", "name": "Example issuer"},
		"keys":   set.Keys, "crls": crls,
	}}})
	p := filepath.Join(t.TempDir(), "issuers.json")
	if err := os.WriteFile(p, b, 0o600); err != nil {
		t.Fatal(err)
	}
	return p
}

// hw trust add/list/remove and hw import's cards: the spec's example 00
// (a file) and 01 (its QR text pasted as an argument) verify once their
// issuer is trusted, 03 is reported revoked, and hw show gives each record's
// provenance; after hw trust remove, a card is imported unverified.
func TestTrustAndImportCards(t *testing.T) {
	shc := testcorpus.Dir(t, "shc")
	h := newHWRunner(t, filepath.Join(t.TempDir(), "w"))
	h.run("init", "--yes", "--name", "Cards")
	dirFile := vciDirectoryFile(t)

	var added wallet.TrustedDirectory
	if err := json.Unmarshal(h.run("trust", "add", dirFile, "--json"), &added); err != nil || added.Issuers != 1 || added.Source != dirFile {
		t.Fatalf("trust add: %+v, %v", added, err)
	}
	var list struct {
		Directories []wallet.TrustedDirectory `json:"directories"`
		Issuers     []wallet.TrustedIssuer    `json:"issuers"`
	}
	if err := json.Unmarshal(h.run("trust", "list", "--json"), &list); err != nil || len(list.Directories) != 1 ||
		len(list.Issuers) != 1 || list.Issuers[0].Name != "Example issuer" {
		t.Fatalf("trust list: %+v, %v", list, err)
	}

	qr, err := os.ReadFile(filepath.Join(shc, "example-01-f-qr-code-numeric-value-0.txt"))
	if err != nil {
		t.Fatal(err)
	}
	var report wallet.ImportReport
	out := h.run("import", "--json", filepath.Join(shc, "example-00-e-file.smart-health-card"),
		filepath.Join(shc, "example-03-d-jws.txt"), strings.TrimSpace(string(qr)))
	if err := json.Unmarshal(out, &report); err != nil {
		t.Fatal(err)
	}
	if len(report.Cards) != 3 || len(report.Files) != 3 {
		t.Fatalf("cards %+v files %+v", report.Cards, report.Files)
	}
	for i, n := range []string{"00", "03", "01"} {
		c := report.Cards[i]
		want := testcorpus.CountResources(t, filepath.Join(shc, "example-"+n+"-a-fhirBundle.json"))
		if c.Records != want || c.Name != "Example issuer" || !c.Trusted {
			t.Errorf("card %s: %+v, want %d records", n, c, want)
		}
		if (n == "03") != (c.Revoked && !c.Verified) || (n != "03") != c.Verified {
			t.Errorf("card %s: verified %v revoked %v", n, c.Verified, c.Revoked)
		}
	}

	// hw show: the provenance lines.
	recs := h.records("--everyone") // the cards are about someone else: kept apart
	var sawRevoked, sawVerified bool
	for _, r := range recs {
		text := string(h.run("show", r.ID))
		sawRevoked = sawRevoked || strings.Contains(text, "REVOKED by its issuer")
		sawVerified = sawVerified || strings.Contains(text, "Source:    verified on")
		if !strings.Contains(text, "SMART Health Card from ") || !strings.Contains(text, "issued by Example issuer (https://spec.smarthealth.cards/examples/issuer)") {
			t.Fatalf("hw show %s:\n%s", r.ID, text)
		}
	}
	if !sawRevoked || !sawVerified {
		t.Errorf("hw show never said verified (%v) or revoked (%v)", sawVerified, sawRevoked)
	}

	// Human output: one line per file and per card.
	h.run("trust", "remove", "https://spec.smarthealth.cards/examples/issuer")
	text := string(h.run("import", filepath.Join(shc, "example-02-e-file.smart-health-card")))
	if !strings.Contains(text, "example-02-e-file.smart-health-card: SMART Health Card, 55 records") ||
		!strings.Contains(text, "NOT verified") || !strings.Contains(text, "not in a directory of issuers you trust") ||
		!strings.Contains(text, "hw trust add URL|FILE") {
		t.Errorf("hw import after trust remove:\n%s", text)
	}
	// hw show of its records says why in the wallet's words and adds hw's
	// command.
	hinted := false
	for _, r := range h.records() {
		text := string(h.run("show", r.ID))
		if strings.Contains(text, "example-02-e-file.smart-health-card") {
			hinted = strings.Contains(text, "not in a directory of issuers you trust (add the issuer's directory to your trusted issuers) (hw trust add URL|FILE adds a directory of issuers)")
			if !hinted {
				t.Fatalf("hw show of a card record imported untrusted:\n%s", text)
			}
			break
		}
	}
	if !hinted {
		t.Error("hw show found no record of example 02")
	}
}
