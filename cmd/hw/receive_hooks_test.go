package main

import (
	"bytes"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"strings"
	"sync/atomic"
	"testing"
	"time"
)

// This file: the test binary's hw-test command, hw with the receiver's
// clock and transport set through this package's test hooks
// (testReceiveNow, testReceiveTransport) — code, not the environment, so
// that nothing a test needs can change what the shipped hw trusts.
//
//	hw-test [--now=RFC3339] [--resolve=host[:port]=127.0.0.1:port,…] ARGS…
//
// --now is the receiver's clock (the dev tools' example links expired on
// 2024-01-01); --resolve sends every request for a listed host (or
// host:port) over plain HTTP to the given local address, keeping path,
// query and Host header (tests have no internet: the interop scripts serve
// the SHL spec's and the dev tools' links, and the card issuer's keys, from
// a local server).

// hwTestMain runs hw-test: its hooks from the leading arguments, then hw.
func hwTestMain() int {
	args := os.Args[1:]
	for len(args) > 0 && strings.HasPrefix(args[0], "--") {
		name, value, _ := strings.Cut(args[0], "=")
		switch name {
		case "--now":
			t, err := time.Parse(time.RFC3339, value)
			if err != nil {
				fmt.Fprintf(os.Stderr, "hw-test: --now=%q: %v\n", value, err)
				return exitInternal
			}
			testReceiveNow = func() time.Time { return t }
		case "--resolve":
			r, err := parseTestResolver(value)
			if err != nil {
				fmt.Fprintf(os.Stderr, "hw-test: %v\n", err)
				return exitInternal
			}
			testReceiveTransport = r
		default:
			goto run
		}
		args = args[1:]
	}
run:
	os.Args = append(os.Args[:1], args...)
	return hwMain()
}

// testResolver is the transport of hw-test --resolve.
type testResolver struct{ to map[string]string }

func parseTestResolver(spec string) (testResolver, error) {
	r := testResolver{to: map[string]string{}}
	for _, kv := range strings.Split(spec, ",") {
		host, to, ok := strings.Cut(strings.TrimSpace(kv), "=")
		if !ok || host == "" || to == "" {
			return r, fmt.Errorf("--resolve=%q: want host=127.0.0.1:port,…", spec)
		}
		r.to[strings.ToLower(host)] = to
	}
	return r, nil
}

func (r testResolver) RoundTrip(req *http.Request) (*http.Response, error) {
	to, ok := r.to[strings.ToLower(req.URL.Host)]
	if !ok {
		to, ok = r.to[strings.ToLower(req.URL.Hostname())]
	}
	if !ok {
		return http.DefaultTransport.RoundTrip(req)
	}
	req = req.Clone(req.Context())
	req.Host = req.URL.Host
	req.URL.Scheme, req.URL.Host = "http", to
	return http.DefaultTransport.RoundTrip(req)
}

// runHW runs prog (hw or hw-test, on the PATH TestMain makes) as its own
// process with env added, and returns what it printed and its exit code.
func runHW(t *testing.T, prog string, env []string, args ...string) (stdout, stderr string, code int) {
	t.Helper()
	path, err := exec.LookPath(prog)
	if err != nil {
		t.Fatalf("%s is not on PATH (TestMain puts it there): %v", prog, err)
	}
	cmd := exec.Command(path, args...)
	cmd.Env = append(os.Environ(), env...)
	var out, errOut bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errOut
	err = cmd.Run()
	var ee *exec.ExitError
	switch {
	case errors.As(err, &ee):
		code = ee.ExitCode()
	case err != nil:
		t.Fatalf("%s %s: %v", prog, strings.Join(args, " "), err)
	}
	return out.String(), errOut.String(), code
}

// The shipped hw honours no test variable: with the old HW_TEST_NOW and
// HW_TEST_RESOLVE set, it judges the dev tools' expired link by the real
// clock, and reaches the spec's https host over https (here: not at all),
// never the local server those variables name.
func TestShippedHWIgnoresTestVariables(t *testing.T) {
	var served atomic.Bool
	srv := httptest.NewServer(http.HandlerFunc(func(http.ResponseWriter, *http.Request) { served.Store(true) }))
	t.Cleanup(srv.Close)
	env := []string{"HW_VAULT=" + t.TempDir(), "HW_TEST_NOW=2023-12-31T00:00:00Z",
		"HW_TEST_RESOLVE=relay.invalid=" + strings.TrimPrefix(srv.URL, "http://")}
	expired := "shlink:/eyJ1cmwiOiJodHRwczovL3JlbGF5LmludmFsaWQvbSIsImtleSI6InY3U2pFZjJvQzRuYmJrcmhKSjFWQXNucDRRYUFtcnp3SVZRdHhHTTdBSWMiLCJleHAiOjE3MDQwOTYwMDB9"
	_, errOut, code := runHW(t, "hw", env, "receive", expired)
	if code != exitUser || !strings.Contains(errOut, "this link has expired") {
		t.Errorf("an expired link with HW_TEST_NOW set: exit %d, %q; want it refused as expired", code, errOut)
	}
	live := "shlink:/eyJ1cmwiOiJodHRwczovL3JlbGF5LmludmFsaWQvbSIsImtleSI6InY3U2pFZjJvQzRuYmJrcmhKSjFWQXNucDRRYUFtcnp3SVZRdHhHTTdBSWMifQ"
	_, errOut, code = runHW(t, "hw", env, "receive", live)
	if code != exitUser || served.Load() || strings.Contains(errOut, "HW_TEST") {
		t.Errorf("a link to relay.invalid with HW_TEST_RESOLVE set: exit %d, served locally %v, %q", code, served.Load(), errOut)
	}
}
