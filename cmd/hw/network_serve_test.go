//go:build unix

package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"io"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"healthwallet/wallet/network"
)

// TestNetworkServeProcess runs `hw network serve` as its own process: it
// prints one ready line of JSON, serves a network document that a wallet's
// Fetch accepts (checked against its chain), and exits 0 on SIGTERM.
func TestNetworkServeProcess(t *testing.T) {
	if testing.Short() {
		t.Skip("skipped under -short: runs a network node")
	}
	hw, err := exec.LookPath("hw")
	if err != nil {
		t.Fatalf("hw is not on PATH (TestMain puts it there): %v", err)
	}
	cmd := exec.Command(hw, "--json", "network", "serve", "--listen", "127.0.0.1:0", "--data", filepath.Join(t.TempDir(), "net"),
		"--name", "Riverside Clinic", "--block-period", "1s")
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	exited := make(chan error, 1)
	go func() { exited <- cmd.Wait() }()
	t.Cleanup(func() {
		if cmd.ProcessState == nil {
			cmd.Process.Kill()
			<-exited
		}
	})
	lines := make(chan string, 1)
	go func() {
		line, _ := bufio.NewReader(stdout).ReadString('\n')
		lines <- line
		io.Copy(io.Discard, stdout)
	}()
	var ready networkReady
	select {
	case line := <-lines:
		dec := json.NewDecoder(strings.NewReader(line))
		dec.DisallowUnknownFields()
		if err := dec.Decode(&ready); err != nil {
			t.Fatalf("hw network serve printed %q (%v); stderr:\n%s", line, err, stderr.String())
		}
	case err := <-exited:
		t.Fatalf("hw network serve exited: %v; stderr:\n%s", err, stderr.String())
	case <-time.After(2 * time.Minute):
		t.Fatalf("hw network serve printed nothing; stderr:\n%s", stderr.String())
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
	if m.Name != ready.Name || m.ChainID != ready.ChainID || m.Registry != ready.Registry {
		t.Fatalf("document %+v, ready %+v", m.Document, ready)
	}

	if err := cmd.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	select {
	case err := <-exited:
		if err != nil {
			t.Fatalf("after SIGTERM: %v; stderr:\n%s", err, stderr.String())
		}
	case <-time.After(30 * time.Second):
		t.Fatalf("hw network serve did not stop within 30s of SIGTERM; stderr:\n%s", stderr.String())
	}
	if strings.Contains(stderr.String(), `"level":"ERROR"`) {
		t.Fatalf("errors logged:\n%s", stderr.String())
	}
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
