//go:build unix

package main

import (
	"bufio"
	"bytes"
	"context"
	"crypto/ecdh"
	"crypto/rand"
	"encoding/base64"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/ethereum/go-ethereum/accounts/abi/bind/v2"
	"github.com/ethereum/go-ethereum/common"
	"github.com/ethereum/go-ethereum/crypto"
	"github.com/ethereum/go-ethereum/ethclient"

	"healthwallet/chain/chaintest"
	"healthwallet/chain/contracts"
	"healthwallet/wallet/relay"
)

// TestRelayProcess runs `hw relay` as its own process on a free loopback
// port, uses it over HTTP with the relay client and as a receiver would, and
// stops it with SIGTERM while a request is still arriving: the request
// finishes, and hw exits 0.
func TestRelayProcess(t *testing.T) {
	rp := startRelay(t, "--drain", "10s")
	base, cmd, exited := rp.base, rp.cmd, rp.exited
	stderr := rp.stderr

	// The patient uploads a share with the signed client.
	key, _ := crypto.GenerateKey()
	sharing, _ := ecdh.X25519().GenerateKey(rand.Reader)
	client, err := relay.NewClient(base, key, nil)
	if err != nil {
		t.Fatal(err)
	}
	jwe := "eyJhbGciOiJkaXIiLCJlbmMiOiJBMjU2R0NNIn0.." + relayB64("123456789012") + "." + relayB64("ciphertext, opaque to the relay") + "." + relayB64("0123456789abcdef")
	ctx := context.Background()
	info, err := client.CreateShare(ctx, relay.CreateRequest{
		Files:       []relay.File{{ContentType: "application/fhir+json", JWE: jwe}},
		Expires:     time.Now().Add(time.Hour),
		GrantDigest: [32]byte{7},
		SharingKey:  sharing.PublicKey(),
	})
	if err != nil {
		t.Fatalf("CreateShare: %v", err)
	}
	if !strings.HasPrefix(info.URL, base+"/shl/") {
		t.Fatalf("manifest URL %q", info.URL)
	}

	// A receiver fetches the manifest.
	resp, err := http.Post(info.URL, "application/json", strings.NewReader(`{"recipient":"Dr. Process, Loopback Clinic","embeddedLengthMax":100000}`))
	if err != nil {
		t.Fatal(err)
	}
	var m struct {
		Files []struct{ ContentType, Embedded string }
	}
	json.NewDecoder(resp.Body).Decode(&m)
	resp.Body.Close()
	if resp.StatusCode != 200 || len(m.Files) != 1 || m.Files[0].Embedded != jwe {
		t.Fatalf("manifest: %d %+v", resp.StatusCode, m)
	}
	log, err := client.AccessLog(ctx, info.ID, sharing)
	if err != nil || len(log) != 1 || log[0].Recipient != "Dr. Process, Loopback Clinic" {
		t.Fatalf("access log %+v, %v", log, err)
	}

	// A manifest request whose body is still arriving when SIGTERM comes.
	pr, pw := io.Pipe()
	slow := make(chan int, 1)
	go func() {
		resp, err := http.Post(info.URL, "application/json", pr)
		if err != nil {
			t.Errorf("the request in flight failed: %v", err)
			slow <- 0
			return
		}
		resp.Body.Close()
		slow <- resp.StatusCode
	}()
	io.WriteString(pw, `{"recipient":"Dr. Slow`)
	time.Sleep(300 * time.Millisecond) // the server is reading the body now
	if err := cmd.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	time.Sleep(300 * time.Millisecond)
	select {
	case err := <-exited:
		t.Fatalf("hw relay exited (%v) before the request in flight finished", err)
	default:
	}
	io.WriteString(pw, `"}`)
	pw.Close()
	if got := <-slow; got != http.StatusOK {
		t.Fatalf("the request in flight got %d, want 200", got)
	}
	select {
	case err := <-exited:
		if err != nil {
			t.Fatalf("hw relay exited with %v after SIGTERM, want 0; stderr:\n%s", err, stderr.String())
		}
	case <-time.After(15 * time.Second):
		t.Fatal("hw relay did not exit after SIGTERM")
	}
	// No new connections after it stopped, and its logs hold no recipient.
	if _, err := http.Get(base + "/healthz"); err == nil {
		t.Fatal("the relay still answers after exiting")
	}
	logs := stderr.String()
	if !strings.Contains(logs, `"msg":"relay stopped"`) || !strings.Contains(logs, `"route":"POST /shl/{id}"`) {
		t.Fatalf("logs:\n%s", logs)
	}
	for _, secret := range []string{"Dr. Process", "Dr. Slow", info.ID, "ciphertext"} {
		if strings.Contains(logs, secret) {
			t.Errorf("the relay's logs hold %q", secret)
		}
	}
}

// relayProcess is a running hw relay.
type relayProcess struct {
	base   string // http://127.0.0.1:port, as it printed
	cmd    *exec.Cmd
	stderr *bytes.Buffer
	exited chan error
}

// startRelay runs hw relay on a free loopback port with a fresh data
// directory and extra args, and waits for the URL it prints. The test's end
// kills it if it still runs.
func startRelay(t testing.TB, args ...string) *relayProcess {
	t.Helper()
	hw, err := exec.LookPath("hw")
	if err != nil {
		t.Fatalf("hw is not on PATH (TestMain puts it there): %v", err)
	}
	args = append([]string{"relay", "--listen", "127.0.0.1:0", "--data", filepath.Join(t.TempDir(), "relay")}, args...)
	cmd := exec.Command(hw, args...)
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	rp := &relayProcess{cmd: cmd, stderr: &bytes.Buffer{}, exited: make(chan error, 1)}
	cmd.Stderr = rp.stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	go func() { rp.exited <- cmd.Wait() }()
	t.Cleanup(func() {
		if cmd.ProcessState == nil {
			cmd.Process.Kill()
			<-rp.exited
		}
	})
	lines := make(chan string, 1)
	go func() {
		line, _ := bufio.NewReader(stdout).ReadString('\n')
		lines <- line
		io.Copy(io.Discard, stdout)
	}()
	select {
	case line := <-lines:
		_, rp.base, _ = strings.Cut(strings.TrimSpace(line), "listening on ")
		if !strings.HasPrefix(rp.base, "http://127.0.0.1:") {
			t.Fatalf("hw relay printed %q; want its listening URL; stderr:\n%s", line, rp.stderr)
		}
	case <-time.After(30 * time.Second):
		t.Fatalf("hw relay printed nothing; stderr:\n%s", rp.stderr)
	}
	return rp
}

func TestRelayCommandLine(t *testing.T) {
	hw, err := exec.LookPath("hw")
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"relay"}, "--data"},
		{[]string{"relay", "--data", t.TempDir(), "--registry", "0x0000000000000000000000000000000000000001"}, "--chain"},
		{[]string{"relay", "--data", t.TempDir(), "--chain", "http://127.0.0.1:1"}, "cannot check grants"},
		{[]string{"relay", "--data", t.TempDir(), "--public-url", "ftp://x"}, "public URL"},
		{[]string{"relay", "--data", t.TempDir(), "--listen", "256.0.0.1:1"}, "cannot listen"},
		{[]string{"relay", "--data", t.TempDir(), "--listen", "0.0.0.0:0"}, "--public-url"},
		{[]string{"relay", "--data", t.TempDir(), "--name", "Riverside"}, "--name needs --chain"},
	} {
		out, err := exec.Command(hw, tc.args...).CombinedOutput()
		var ee *exec.ExitError
		if !errors.As(err, &ee) || ee.ExitCode() != exitUser || !strings.Contains(string(out), tc.want) {
			t.Errorf("hw %s: %v\n%s\nwant exit 1 mentioning %q", strings.Join(tc.args, " "), err, out, tc.want)
		}
	}
}

func relayB64(s string) string { return base64.RawURLEncoding.EncodeToString([]byte(s)) }

// TestRelayProcessWithGeth runs hw relay against a real geth --dev with the
// HealthRegistry deployed: a share is served while its grant is active on
// chain, and answers 404 (shredded) once the patient revokes the grant
// there. (Chain down → 503 is tested in package relay, on a closed chain.)
func TestRelayProcessWithGeth(t *testing.T) {
	url, fund := chaintest.StartGeth(t)
	ctx := context.Background()
	key, _ := crypto.GenerateKey()
	fund(crypto.PubkeyToAddress(key.PublicKey))
	ec, err := ethclient.DialContext(ctx, url)
	if err != nil {
		t.Fatal(err)
	}
	defer ec.Close()
	chainID, err := ec.ChainID(ctx)
	if err != nil {
		t.Fatal(err)
	}
	opts := bind.NewKeyedTransactor(key, chainID)
	regAddr, tx, err := bind.DeployContract(opts, common.FromHex(contracts.HealthRegistryMetaData.Bin), ec, nil)
	if err != nil {
		t.Fatalf("deploying the registry on geth: %v", err)
	}
	if _, err := bind.WaitDeployed(ctx, ec, tx.Hash()); err != nil {
		t.Fatal(err)
	}
	reg := contracts.NewHealthRegistry()
	inst := reg.Instance(ec, regAddr)
	send := func(data []byte) {
		t.Helper()
		tx, err := bind.Transact(inst, bind.NewKeyedTransactor(key, chainID), data)
		if err != nil {
			t.Fatalf("transaction: %v", err)
		}
		if r, err := bind.WaitMined(ctx, ec, tx.Hash()); err != nil || r.Status != 1 {
			t.Fatalf("transaction not mined: %v", err)
		}
	}
	var digest [32]byte
	rand.Read(digest[:])
	send(reg.PackIssueGrant(digest, common.Address{}, uint64(time.Now().Add(time.Hour).Unix())))

	rp := startRelay(t, "--chain", url, "--registry", regAddr.Hex(), "--chain-cache", "1s")
	sharing, _ := ecdh.X25519().GenerateKey(rand.Reader)
	client, err := relay.NewClient(rp.base, key, nil)
	if err != nil {
		t.Fatal(err)
	}
	jwe := "eyJhbGciOiJkaXIiLCJlbmMiOiJBMjU2R0NNIn0.." + relayB64("123456789012") + "." + relayB64("opaque") + "." + relayB64("0123456789abcdef")
	info, err := client.CreateShare(ctx, relay.CreateRequest{
		Files:       []relay.File{{ContentType: "application/fhir+json", JWE: jwe}},
		Expires:     time.Now().Add(time.Hour),
		GrantDigest: digest,
		SharingKey:  sharing.PublicKey(),
	})
	if err != nil {
		t.Fatal(err)
	}
	manifest := func() int {
		t.Helper()
		resp, err := http.Post(info.URL, "application/json", strings.NewReader(`{"recipient":"Dr. Geth","embeddedLengthMax":100000}`))
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		return resp.StatusCode
	}
	if got := manifest(); got != http.StatusOK {
		t.Fatalf("grant active on chain: %d, want 200", got)
	}
	// A stranger's upload naming the patient's grant is held pending, and
	// never served.
	strangerKey, _ := crypto.GenerateKey()
	stranger, err := relay.NewClient(rp.base, strangerKey, nil)
	if err != nil {
		t.Fatal(err)
	}
	theirs, err := stranger.CreateShare(ctx, relay.CreateRequest{
		Files: []relay.File{{ContentType: "application/fhir+json", JWE: jwe}}, Expires: time.Now().Add(time.Hour),
		GrantDigest: digest, SharingKey: sharing.PublicKey(),
	})
	if err != nil || theirs.State != relay.StatePending {
		t.Fatalf("a stranger's upload: %+v, %v; want it pending", theirs, err)
	}
	send(reg.PackRevokeGrant(crypto.PubkeyToAddress(key.PublicKey), digest))
	// The relay keeps the answer "active" --chain-cache (1s here) at most.
	deadline := time.Now().Add(3 * time.Second)
	for manifest() != http.StatusNotFound {
		if time.Now().After(deadline) {
			t.Fatal("grant revoked on chain, still served after the cache period")
		}
		time.Sleep(100 * time.Millisecond)
	}
	shares, err := client.List(ctx)
	if err != nil || len(shares) != 1 || shares[0].State != relay.StateGrantEnded || !shares[0].Shredded {
		t.Fatalf("after the chain revoked: %+v, %v", shares, err)
	}
	if shares, err := stranger.List(ctx); err != nil || len(shares) != 1 || shares[0].State != relay.StatePending {
		t.Fatalf("after the chain revoked: %+v, %v", shares, err)
	}
}
