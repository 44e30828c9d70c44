//go:build unix

package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"healthwallet/wallet/network"
)

// serveProcess is a running hw network serve.
type serveProcess struct {
	cmd    *exec.Cmd
	lines  chan string // standard output, line by line
	stderr *bytes.Buffer
	exited chan error
}

// startNetworkServe runs hw with the global flags, network serve on a free
// loopback port and a fresh data directory, and the serve flags; the test's
// end kills it if it still runs.
func startNetworkServe(t *testing.T, global []string, serve ...string) *serveProcess {
	t.Helper()
	if testing.Short() {
		t.Skip("skipped under -short: runs a network node")
	}
	hw, err := exec.LookPath("hw")
	if err != nil {
		t.Fatalf("hw is not on PATH (TestMain puts it there): %v", err)
	}
	args := append(global, "network", "serve", "--listen", "127.0.0.1:0", "--data", filepath.Join(t.TempDir(), "net"), "--block-period", "1s")
	args = append(args, serve...)
	p := &serveProcess{cmd: exec.Command(hw, args...), lines: make(chan string, 100), stderr: &bytes.Buffer{}, exited: make(chan error, 1)}
	stdout, err := p.cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	p.cmd.Stderr = p.stderr
	if err := p.cmd.Start(); err != nil {
		t.Fatal(err)
	}
	go func() { p.exited <- p.cmd.Wait() }()
	t.Cleanup(func() {
		if p.cmd.ProcessState == nil {
			p.cmd.Process.Kill()
			<-p.exited
		}
	})
	go func() {
		sc := bufio.NewScanner(stdout)
		for sc.Scan() {
			p.lines <- sc.Text()
		}
		close(p.lines)
	}()
	return p
}

// line waits for the next line of standard output.
func (p *serveProcess) line(t *testing.T) string {
	t.Helper()
	select {
	case line, ok := <-p.lines:
		if !ok {
			t.Fatalf("hw network serve closed its output; stderr:\n%s", p.stderr)
		}
		return line
	case <-time.After(2 * time.Minute):
		t.Fatalf("hw network serve printed nothing; stderr:\n%s", p.stderr)
	}
	return ""
}

// stop sends SIGTERM and expects exit 0 with no error logged.
func (p *serveProcess) stop(t *testing.T) {
	t.Helper()
	if err := p.cmd.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	select {
	case err := <-p.exited:
		if err != nil {
			t.Fatalf("after SIGTERM: %v; stderr:\n%s", err, p.stderr)
		}
	case <-time.After(30 * time.Second):
		t.Fatalf("hw network serve did not stop within 30s of SIGTERM; stderr:\n%s", p.stderr)
	}
	if log := p.stderr.String(); strings.Contains(log, `"level":"ERROR"`) || strings.Contains(log, "level=ERROR") {
		t.Fatalf("errors logged:\n%s", log)
	}
}

// TestNetworkServeProcess runs `hw network serve` as its own process: it
// prints one ready line of JSON, serves a network document that a wallet's
// Fetch accepts (checked against its chain), and exits 0 on SIGTERM.
func TestNetworkServeProcess(t *testing.T) {
	p := startNetworkServe(t, []string{"--json"}, "--name", "Riverside Clinic")
	var ready networkReady
	line := p.line(t)
	dec := json.NewDecoder(strings.NewReader(line))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&ready); err != nil {
		t.Fatalf("hw network serve printed %q (%v); stderr:\n%s", line, err, p.stderr)
	}
	if ready.Name != "Riverside Clinic" || !strings.HasPrefix(ready.URL, "http://127.0.0.1:") || ready.JoinURL != ready.URL || ready.ChainID == 0 || ready.Registry == "" {
		t.Fatalf("ready line %+v", ready)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	m, err := network.Fetch(ctx, ready.JoinURL)
	if err != nil {
		t.Fatalf("joining the served network: %v", err)
	}
	if m.Name != ready.Name || m.ChainID != ready.ChainID || m.Registry != ready.Registry || ready.Viewer != ready.URL+"/view" || ready.ViewerHash != m.Viewer || m.Viewer == "" {
		t.Fatalf("document %+v, ready %+v", m.Document, ready)
	}
	p.stop(t)
}

// TestNetworkServeText: without --json, hw network serve prints the
// network's name, a QR code of the join URL (that decodes to it), the
// join URL, and the web viewer's URL with its hash.
func TestNetworkServeText(t *testing.T) {
	p := startNetworkServe(t, nil, "--log-format", "text")
	if first := p.line(t); !strings.HasPrefix(first, "hw network serve: ") {
		t.Fatalf("first line %q", first)
	}
	var qr []string
	for {
		line := p.line(t)
		if join, ok := strings.CutPrefix(line, "Join it at: "); ok {
			if !strings.HasPrefix(join, "http://127.0.0.1:") {
				t.Fatalf("join URL %q", join)
			}
			break
		}
		qr = append(qr, line)
	}
	if len(qr) < 10 || !strings.ContainsAny(strings.Join(qr, ""), "█▀▄") {
		t.Fatalf("no QR code before the join URL: %q", qr)
	}
	if line := p.line(t); !strings.HasPrefix(line, "Web viewer: http://127.0.0.1:") || !strings.Contains(line, "/view (sha256:") {
		t.Fatalf("viewer line %q", line)
	}
	p.stop(t)
}

func TestNetworkServeCommandLine(t *testing.T) {
	hw, err := exec.LookPath("hw")
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"network", "serve"}, "--data"},
		{[]string{"network", "serve", "--data", t.TempDir(), "--enrolment", "invitation"}, "invitation code"},
		{[]string{"network", "serve", "--data", t.TempDir(), "--enrolment", "open", "--invite-code", "x"}, "--invite-code is for"},
		{[]string{"network", "serve", "--data", t.TempDir(), "--enrolment", "friends"}, "enrolment"},
		{[]string{"network", "serve", "--data", t.TempDir(), "--tls-cert", "c.pem"}, "give both"},
		{[]string{"network", "serve", "--data", t.TempDir(), "--listen", "0.0.0.0:0"}, "--public-url"},
		{[]string{"network", "serve", "--data", t.TempDir(), "--listen", "256.0.0.1:1"}, "cannot listen"},
		{[]string{"network", "serve", "--data", t.TempDir(), "--log-format", "xml"}, "--log-format"},
	} {
		out, err := exec.Command(hw, tc.args...).CombinedOutput()
		var ee *exec.ExitError
		if !errors.As(err, &ee) || ee.ExitCode() != exitUser || !strings.Contains(string(out), tc.want) {
			t.Errorf("hw %s: %v\n%s\nwant exit 1 mentioning %q", strings.Join(tc.args, " "), err, out, tc.want)
		}
	}
}

// TestServerFlagsRefused: hw relay and hw network serve refuse an unknown
// --log-format alike (one helper), and hw network serve refuses
// --registry or --submitter-key without --chain, before opening anything.
func TestServerFlagsRefused(t *testing.T) {
	dir := t.TempDir()
	for _, c := range []struct {
		args []string
		want string
	}{
		{[]string{"relay", "--data", dir, "--log-format", "xml"}, `--log-format "xml": use json or text`},
		{[]string{"network", "serve", "--data", dir, "--log-format", "xml"}, `--log-format "xml": use json or text`},
		{[]string{"network", "serve", "--data", dir, "--registry", "0x0000000000000000000000000000000000000042"}, "give its JSON-RPC URL with --chain URL"},
		{[]string{"network", "serve", "--data", dir, "--submitter-key", filepath.Join(dir, "key")}, "give its JSON-RPC URL with --chain URL"},
		{[]string{"--chain", "http://127.0.0.1:1", "network", "serve", "--data", dir, "--registry", "0x42", "--submitter-key", filepath.Join(dir, "key")}, `--registry "0x42" is not an address`},
		{[]string{"--chain", "http://127.0.0.1:1", "network", "serve", "--data", dir, "--registry", "0x0000000000000000000000000000000000000042"}, "needs the key that pays patients' gas (--submitter-key FILE"},
	} {
		out, errOut, code := hwProc(t, []string{"HW_CHAIN="}, c.args...)
		if code == 0 || !strings.Contains(errOut, c.want) {
			t.Errorf("hw %s: exit %d, want a refusal saying %q:\n%s%s", strings.Join(c.args, " "), code, c.want, out, errOut)
		}
	}
}
