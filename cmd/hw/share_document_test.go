package main

import (
	"bytes"
	"encoding/json"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"

	"github.com/ethereum/go-ethereum/common"

	"healthwallet/chain/chaintest"
)

// A 10 MB PDF kept in the patient's wallet is shared through a real hw
// relay process and received by a doctor's hw receive: VERIFIED, listed as
// a document with its size, and saved byte-identical under its name.
func TestShareKeptPDFEndToEnd(t *testing.T) {
	served := chaintest.StartServe(t)
	rp := startRelay(t, "--chain", served.URL)
	dir := t.TempDir()
	patient := chainWalletEnv(dir, "patient", served.URL)
	mustHW := hwMust(t)
	mustHW(patient, "init", "--name", "Ada Lovelace")
	var card struct{ Address string }
	if err := json.Unmarshal([]byte(mustHW(patient, "card", "--json")), &card); err != nil {
		t.Fatal(err)
	}
	served.Fund(common.HexToAddress(card.Address))

	pdf := make([]byte, 10<<20)
	r := rand.New(rand.NewPCG(11, 11))
	for i := range pdf {
		pdf[i] = byte(r.Uint32())
	}
	copy(pdf, "%PDF-1.7\n")
	copy(pdf[len(pdf)-6:], "%%EOF\n")
	pdfPath := filepath.Join(dir, "Blood panel 2026.pdf")
	if err := os.WriteFile(pdfPath, pdf, 0o600); err != nil {
		t.Fatal(err)
	}
	mustHW(patient, "import", pdfPath)
	mustHW(patient, "relay-url", rp.base)
	var res struct {
		Link    string
		Records int
	}
	out := peakRSS(t, patient, "share", "--all", "--ttl", "1h", "--purpose", "TREAT", "--json")
	if err := json.Unmarshal([]byte(out), &res); err != nil || res.Records != 1 {
		t.Fatalf("hw share --json: %s (%v)", out, err)
	}

	doctor := []string{"HW_VAULT=" + filepath.Join(dir, "doctor"), "HW_CHAIN=" + served.URL, "HW_REGISTRY=" + served.Registry.Hex()}
	saveDir := filepath.Join(dir, "received")
	out = peakRSS(t, doctor, "receive", res.Link, "--save-attachments", saveDir)
	if !strings.HasPrefix(out, "VERIFIED") || !strings.Contains(out, "1 document") || !strings.Contains(out, "10.5 MB") {
		t.Fatalf("hw receive:\n%s", out)
	}
	entries, err := os.ReadDir(saveDir)
	if err != nil || len(entries) != 1 {
		t.Fatalf("saved %v, %v; want one file", entries, err)
	}
	got, err := os.ReadFile(filepath.Join(saveDir, entries[0].Name()))
	if err != nil || !bytes.Equal(got, pdf) {
		t.Fatalf("the saved file %s is not the PDF shared (%d bytes, %v)", entries[0].Name(), len(got), err)
	}
	if !strings.HasSuffix(entries[0].Name(), ".pdf") {
		t.Errorf("saved as %q; want a .pdf name from its title", entries[0].Name())
	}

	var rep struct {
		Verified    bool
		Attachments []struct {
			Title, ContentType, SHA256 string
			Size                       int64
		}
		Records []json.RawMessage
	}
	out = mustHW(doctor, "receive", res.Link, "--json")
	if err := json.Unmarshal([]byte(out), &rep); err != nil || !rep.Verified || len(rep.Attachments) != 1 || rep.Attachments[0].Size != int64(len(pdf)) {
		t.Fatalf("hw receive --json: %.2000s (%v)", out, err)
	}
	if len(rep.Records) != 1 || bytes.Contains(rep.Records[0], []byte(`"data"`)) || len(out) > 100_000 {
		t.Errorf("the report's records carry the file's data (%d bytes of JSON)", len(out))
	}
}

// peakRSS runs hw and logs its peak resident memory: the figure reported
// for sharing and receiving a 10 MB PDF (logged, not asserted).
func peakRSS(t *testing.T, env []string, args ...string) string {
	t.Helper()
	path, err := exec.LookPath("hw")
	if err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(path, args...)
	cmd.Env = append(os.Environ(), env...)
	var out, errOut bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errOut
	if err := cmd.Run(); err != nil {
		t.Fatalf("hw %s: %v\n%s%s", args[0], err, out.String(), errOut.String())
	}
	if ru, ok := cmd.ProcessState.SysUsage().(*syscall.Rusage); ok {
		t.Logf("hw %s: peak RSS %d MiB", args[0], ru.Maxrss>>10)
	}
	return out.String()
}
