package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/ethereum/go-ethereum"
	"github.com/ethereum/go-ethereum/common"
	"github.com/ethereum/go-ethereum/ethclient"

	"healthwallet/chain"
	"healthwallet/chain/chaintest"
	"healthwallet/chain/contracts"
	"healthwallet/wallet/qrcode"
	"healthwallet/wallet/viewer"
)

// networkNode is a hw network serve process.
type networkNode struct {
	cmd    *exec.Cmd
	stderr *bytes.Buffer
	exited chan error
	ready  networkReady
}

// startNetworkNode runs hw network serve on listen with its data in dir
// (and extra arguments) and waits for the line it prints once it serves.
func startNetworkNode(t *testing.T, listen, dir string, extra ...string) *networkNode {
	t.Helper()
	hw, err := exec.LookPath("hw")
	if err != nil {
		t.Fatalf("hw is not on PATH (TestMain puts it there): %v", err)
	}
	args := append([]string{"network", "serve", "--listen", listen, "--data", dir, "--name", "Riverside Clinic",
		"--block-period", "1s", "--json", "--no-qr"}, extra...)
	cmd := exec.Command(hw, args...)
	cmd.Env = os.Environ()
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	n := &networkNode{cmd: cmd, stderr: &bytes.Buffer{}, exited: make(chan error, 1)}
	cmd.Stderr = n.stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	go func() { n.exited <- cmd.Wait() }()
	t.Cleanup(n.kill)
	lines := make(chan string, 1)
	go func() {
		line, _ := bufio.NewReader(stdout).ReadString('\n')
		lines <- line
		io.Copy(io.Discard, stdout)
	}()
	select {
	case line := <-lines:
		if err := json.Unmarshal([]byte(line), &n.ready); err != nil || n.ready.URL == "" {
			t.Fatalf("hw network serve printed %q (%v); stderr:\n%s", line, err, n.stderr)
		}
	case <-time.After(60 * time.Second):
		t.Fatalf("hw network serve printed nothing; stderr:\n%s", n.stderr)
	}
	return n
}

// kill SIGKILLs the node (no clean shutdown) and waits for it.
func (n *networkNode) kill() {
	if n.cmd.ProcessState == nil {
		n.cmd.Process.Kill()
		<-n.exited
	}
}

// registryEvents counts the registry's events of the patient, by name,
// through the network's read-only RPC (eth_getLogs).
func registryEvents(t *testing.T, rpcURL string, registry, patient common.Address) map[string]int {
	t.Helper()
	ec, err := ethclient.Dial(rpcURL)
	if err != nil {
		t.Fatal(err)
	}
	defer ec.Close()
	abi := contracts.NewHealthRegistry().GetABI()
	logs, err := ec.FilterLogs(context.Background(), ethereum.FilterQuery{
		Addresses: []common.Address{registry},
		Topics:    [][]common.Hash{nil, {common.BytesToHash(patient.Bytes())}},
	})
	if err != nil {
		t.Fatal(err)
	}
	counts := map[string]int{}
	for _, l := range logs {
		if ev, err := abi.EventByID(l.Topics[0]); err == nil {
			counts[ev.Name]++
		}
	}
	return counts
}

// networkReceived is what the tests read of hw receive --json.
type networkReceived struct {
	Verified         bool
	PatientName      string
	PatientBirthDate string
	Records          []json.RawMessage
	Checks           []struct {
		Name, Detail string
		OK           bool
	}
	Network *struct {
		Name, Registry string
		ChainID        uint64
		Trusted        bool
	}
}

func (r networkReceived) check(name string) (ok, found bool, detail string) {
	for _, c := range r.Checks {
		if c.Name == name {
			return c.OK, true, c.Detail
		}
	}
	return false, false, ""
}

// The acceptance test of issue 8, every party its own process: one hw
// network serve; a patient and a doctor each join it. The patient, never
// funded (balance 0), imports, anchors and shares with no --relay or
// --chain; the doctor's hw receive is verified and names the patient; the
// access is in the patient's access log; a doctor who never joined sees
// every record, not verified, with the failing "network trusted" check
// naming the network. Then the network goes down (SIGKILL): the patient
// imports and shares directly all the same, a hw anchor is SIGKILLed while
// it waits, and once the node is back every signed action lands exactly
// once. Nothing private is on the node's chain.
func TestNetworkEndToEnd(t *testing.T) {
	dir := t.TempDir()
	nodeDir := filepath.Join(dir, "node")
	node := startNetworkNode(t, "127.0.0.1:0", nodeDir)
	joinURL := node.ready.JoinURL

	patient, doctor, stranger := networkWalletEnv(dir, "patient"), networkWalletEnv(dir, "doctor"), networkWalletEnv(dir, "stranger")
	mustHW := hwMust(t)
	var created struct {
		Address, Mnemonic string
		Network           struct{ Name string }
	}
	if err := json.Unmarshal([]byte(mustHW(patient, "init", "--name", "Ada Lovelace", "--network", joinURL, "--json")), &created); err != nil || created.Network.Name != "Riverside Clinic" {
		t.Fatalf("hw init --network: %+v, %v", created, err)
	}
	patientAddr := common.HexToAddress(created.Address)
	mustHW(doctor, "init", "--name", "Dr. Lee, City Clinic")
	// The doctor scans the network's QR code (a photo of it, here its PNG).
	png, err := qrcode.PNG(joinURL, 6)
	if err != nil {
		t.Fatal(err)
	}
	joinQR := filepath.Join(dir, "join.png")
	if err := os.WriteFile(joinQR, png, 0o600); err != nil {
		t.Fatal(err)
	}
	if out := mustHW(doctor, "network", "join", joinQR, "--json"); !strings.Contains(out, `"name":"Riverside Clinic"`) {
		t.Fatalf("hw network join --json: %s", out)
	}
	mustHW(stranger, "init", "--name", "Dr. Stranger")
	if out := mustHW(patient, "network", "show"); !strings.Contains(out, "Connected to Riverside Clinic network — records anchored, shares work") ||
		!strings.Contains(out, "Viewer:    the viewer this node serves is the one in this build") {
		t.Fatalf("hw network show:\n%s", out)
	}
	var shown struct {
		Viewer struct {
			Served, Build, Document string
			Same                    bool
		}
	}
	if err := json.Unmarshal([]byte(mustHW(patient, "network", "show", "--json")), &shown); err != nil || !shown.Viewer.Same ||
		shown.Viewer.Served != "sha256:"+viewer.BundleHash() || shown.Viewer.Document != shown.Viewer.Served {
		t.Fatalf("hw network show --json viewer: %+v, %v", shown.Viewer, err)
	}

	// The patient holds no ETH and never will.
	var status struct {
		Balance, Network, Kind string
		Block                  uint64
	}
	if err := json.Unmarshal([]byte(mustHW(patient, "chain", "status", "--json")), &status); err != nil || status.Balance != "0" || status.Network != "Riverside Clinic" || status.Block == 0 {
		t.Fatalf("hw chain status --json: %+v, %v", status, err)
	}

	records := filepath.Join(dir, "ada.json")
	os.WriteFile(records, []byte(`{"resourceType":"Bundle","type":"collection","entry":[
		{"resource":{"resourceType":"Patient","id":"ada","name":[{"given":["Ada"],"family":"Lovelace"}],"birthDate":"1815-12-10"}},
		{"resource":{"resourceType":"Observation","id":"g1","status":"final","code":{"text":"Glucose"},"valueQuantity":{"value":99,"unit":"mg/dL"},"effectiveDateTime":"2024-03-01"}},
		{"resource":{"resourceType":"Observation","id":"g2","status":"final","code":{"text":"Glucose"},"valueQuantity":{"value":104,"unit":"mg/dL"},"effectiveDateTime":"2024-04-01"}}]}`), 0o600)
	mustHW(patient, "import", records)
	start := time.Now()
	mustHW(patient, "anchor", "--json")
	anchored := time.Since(start)
	var res struct{ ID, Link, Problem string }
	start = time.Now()
	if err := json.Unmarshal([]byte(mustHW(patient, "share", "--all", "--ttl", "1h", "--purpose", "TREAT", "--json")), &res); err != nil || res.Link == "" || res.Problem != "" {
		t.Fatalf("hw share --json: %+v, %v", res, err)
	}
	t.Logf("through the network (1 s blocks): hw anchor %v, hw share %v (the grant in a block), link %d characters",
		anchored.Round(time.Millisecond), time.Since(start).Round(time.Millisecond), len(res.Link))

	var got networkReceived
	if err := json.Unmarshal([]byte(mustHW(doctor, "receive", res.Link, "--json")), &got); err != nil {
		t.Fatal(err)
	}
	if !got.Verified || got.PatientName != "Ada Lovelace" || got.PatientBirthDate != "1815-12-10" || len(got.Records) != 3 ||
		got.Network == nil || got.Network.Name != "Riverside Clinic" || !got.Network.Trusted {
		t.Fatalf("the doctor's hw receive: %+v", got)
	}
	if out := mustHW(doctor, "receive", res.Link); !strings.Contains(out, "Shared by Ada Lovelace (born 1815-12-10)") {
		t.Fatalf("hw receive does not name the patient:\n%s", out)
	}
	if out := mustHW(patient, "access-log", "--json"); !strings.Contains(out, "Dr. Lee, City Clinic") {
		t.Fatalf("the doctor's access is not in the patient's access log: %s", out)
	}

	// A doctor who never joined: every record, not verified, the network
	// named; and so for a receiver with no wallet at all.
	for _, who := range [][]string{stranger, {"HW_VAULT=" + filepath.Join(dir, "nobody"), "HW_CHAIN="}} {
		got = networkReceived{}
		out, errOut, code := hwProc(t, who, "receive", res.Link, "--json")
		if err := json.Unmarshal([]byte(out), &got); err != nil || code != 0 {
			t.Fatalf("hw receive by a stranger: exit %d, %v\n%s%s", code, err, out, errOut)
		}
		ok, found, detail := got.check("network trusted")
		if got.Verified || ok || !found || len(got.Records) != 3 || !strings.Contains(detail, "Riverside Clinic") ||
			!strings.Contains(detail, node.ready.Registry) || got.PatientName != "Ada Lovelace" {
			t.Fatalf("a stranger's hw receive: verified %v, check %v/%v %q, %d records, %q", got.Verified, ok, found, detail, len(got.Records), got.PatientName)
		}
	}

	// Trusting the network (not joining it) makes the stranger's receive
	// verify against it; untrusting it undoes that.
	if out := mustHW(stranger, "network", "trust", joinURL); !strings.Contains(out, "Trusting the Riverside Clinic network") {
		t.Fatalf("hw network trust: %s", out)
	}
	got = networkReceived{}
	if err := json.Unmarshal([]byte(mustHW(stranger, "receive", res.Link, "--json")), &got); err != nil || !got.Verified || !got.Network.Trusted {
		t.Fatalf("receive after trusting the network: %+v, %v", got, err)
	}
	mustHW(stranger, "network", "trust", "--remove", joinURL)
	if out := mustHW(stranger, "receive", res.Link, "--json"); strings.Contains(out, `"verified":true`) {
		t.Fatalf("still verified after untrusting the network: %s", out)
	}

	// The network goes down.
	rpcURL := node.ready.URL + "/rpc"
	registry := common.HexToAddress(node.ready.Registry)
	before := registryEvents(t, rpcURL, registry, patientAddr)
	if before["Anchored"] != 1 || before["GrantIssued"] != 1 {
		t.Fatalf("events before the outage: %v", before)
	}
	node.kill()
	more := filepath.Join(dir, "more.json")
	os.WriteFile(more, []byte(`{"resourceType":"Observation","id":"g3","status":"final","code":{"text":"Glucose"},"valueQuantity":{"value":101,"unit":"mg/dL"},"effectiveDateTime":"2024-05-01"}`), 0o600)
	mustHW(patient, "import", more)
	// (What was anchored before the outage can be shared; the new record
	// waits for the network.)
	direct := startHWProcess(t, patient, "share", "--type", "Observation", "--to", "2024-04-30", "--ttl", "1h", "--purpose", "TREAT",
		"--direct", "127.0.0.1:0", "--json")
	if line := direct.firstLine(t); !strings.Contains(line, `/view#shlink:/`) {
		t.Fatalf("hw share --direct while the network is down: %q\n%s", line, direct.stderr)
	}
	direct.signal(t, syscall.SIGINT)
	anchor := startHWProcess(t, patient, "anchor", "--timeout", "1m")
	time.Sleep(2 * time.Second) // it signs and queues, then waits for the network
	anchor.signal(t, syscall.SIGKILL)
	var show struct {
		Connected bool
		Summary   string
		Waiting   int
	}
	if err := json.Unmarshal([]byte(mustHW(patient, "network", "show", "--json")), &show); err != nil || show.Connected || show.Waiting < 2 ||
		!strings.Contains(show.Summary, "Riverside Clinic network is not answering — your records are safe here") {
		t.Fatalf("hw network show while the network is down: %+v, %v", show, err)
	}

	// Back on the same address: every queued action lands, once.
	node = startNetworkNode(t, strings.TrimPrefix(node.ready.URL, "http://"), nodeDir)
	mustHW(patient, "anchor", "--json")
	deadline := time.Now().Add(time.Minute)
	var after map[string]int
	for {
		after = registryEvents(t, rpcURL, registry, patientAddr)
		if after["Anchored"] >= 2 && after["GrantIssued"] >= 2 || time.Now().After(deadline) {
			break
		}
		mustHW(patient, "anchor", "--json")
		time.Sleep(time.Second)
	}
	mustHW(patient, "anchor", "--json") // a further drain sends nothing again
	time.Sleep(2 * time.Second)
	if after = registryEvents(t, rpcURL, registry, patientAddr); after["Anchored"] != 2 || after["GrantIssued"] != 2 {
		t.Fatalf("events after the outage: %v, want 2 anchors and 2 grants, each once", after)
	}

	// The patient's device is lost: from the recovery phrase on a new one,
	// every standing share (the relay's and the direct one) is revoked.
	newDevice := networkWalletEnv(dir, "new-device")
	mustHW(append(newDevice, "HW_MNEMONIC="+created.Mnemonic), "restore", "--name", "Ada Lovelace")
	mustHW(newDevice, "network", "join", joinURL)
	var revoked struct {
		Grants            int
		SharingKeyRetired bool
	}
	if err := json.Unmarshal([]byte(mustHW(newDevice, "revoke", "--all", "--yes", "--json")), &revoked); err != nil || revoked.Grants != 2 || !revoked.SharingKeyRetired {
		t.Fatalf("hw revoke --all: %+v, %v", revoked, err)
	}
	deadline = time.Now().Add(time.Minute)
	for after = registryEvents(t, rpcURL, registry, patientAddr); after["GrantRevoked"] < 2 && time.Now().Before(deadline); {
		hwProc(t, newDevice, "anchor", "--json") // drains the outbox
		time.Sleep(time.Second)
		after = registryEvents(t, rpcURL, registry, patientAddr)
	}
	if after["GrantRevoked"] != 2 {
		t.Fatalf("events after revoking everything: %v", after)
	}
	if out, _, _ := hwProc(t, doctor, "receive", res.Link, "--json"); strings.Contains(out, `"verified":true`) {
		t.Fatalf("the doctor still verifies a share revoked from the new device: %s", out)
	}

	// The doctor leaves: no longer on the network, still trusting it.
	mustHW(doctor, "network", "leave")
	var left struct {
		Kind    string
		Trusted []struct{ Name string }
	}
	if err := json.Unmarshal([]byte(mustHW(doctor, "network", "show", "--json")), &left); err != nil || left.Kind != "none" ||
		len(left.Trusted) != 1 || left.Trusted[0].Name != "Riverside Clinic" {
		t.Fatalf("hw network show after leaving: %+v, %v", left, err)
	}

	// Nothing private on the node's chain.
	node.kill()
	n, err := chain.OpenNode(context.Background(), filepath.Join(nodeDir, "chain"), chain.NodeOptions{})
	if err != nil {
		t.Fatal(err)
	}
	defer n.Close()
	kinds := chaintest.ScanForPrivateData(t, n.Network.Client, [][]byte{
		[]byte("Lovelace"), []byte("1815-12-10"), []byte("Glucose"), []byte("Dr. Lee"), []byte("TREAT"),
	})
	if len(kinds) == 0 {
		t.Fatal("the scan read no registry call on the node's chain")
	}
}

// hwProcess is a long-running hw command.
type hwProcess struct {
	cmd    *exec.Cmd
	stdout *bufio.Reader
	stderr *bytes.Buffer
	exited chan error
}

func startHWProcess(t *testing.T, env []string, args ...string) *hwProcess {
	t.Helper()
	hw, err := exec.LookPath("hw")
	if err != nil {
		t.Fatalf("hw is not on PATH (TestMain puts it there): %v", err)
	}
	cmd := exec.Command(hw, args...)
	cmd.Env = append(os.Environ(), env...)
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	p := &hwProcess{cmd: cmd, stdout: bufio.NewReader(out), stderr: &bytes.Buffer{}, exited: make(chan error, 1)}
	cmd.Stderr = p.stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	go func() { p.exited <- cmd.Wait() }()
	t.Cleanup(func() {
		if cmd.ProcessState == nil {
			cmd.Process.Kill()
			<-p.exited
		}
	})
	return p
}

// firstLine is the first line the process prints (within a minute).
func (p *hwProcess) firstLine(t *testing.T) string {
	t.Helper()
	lines := make(chan string, 1)
	go func() { l, _ := p.stdout.ReadString('\n'); lines <- l }()
	select {
	case l := <-lines:
		return l
	case <-time.After(time.Minute):
		t.Fatalf("hw printed nothing; stderr:\n%s", p.stderr)
		return ""
	}
}

// signal sends sig and waits for the process to end.
func (p *hwProcess) signal(t *testing.T, sig os.Signal) {
	t.Helper()
	p.cmd.Process.Signal(sig)
	select {
	case <-p.exited:
	case <-time.After(30 * time.Second):
		t.Fatalf("hw did not stop on %v; stderr:\n%s", sig, p.stderr)
	}
}

// hw init --network with a network that does not answer: the wallet is
// made, its phrase printed all the same (never lost), and the error says
// how to join later.
func TestInitNetworkUnreachable(t *testing.T) {
	vault := filepath.Join(t.TempDir(), "w")
	out, errOut, code := hwProc(t, []string{"HW_VAULT=" + vault, "HW_KDF=fast", "HW_PASSWORD=correct horse battery", "HW_CHAIN="},
		"init", "--name", "Ada Lovelace", "--network", "http://127.0.0.1:1", "--json")
	var created struct{ Mnemonic string }
	if code != 1 || json.Unmarshal([]byte(out), &created) != nil || len(strings.Fields(created.Mnemonic)) != 24 ||
		!strings.Contains(errOut, "the wallet is created, but joining the network failed (hw network join http://127.0.0.1:1 tries again)") {
		t.Fatalf("exit %d\n%s%s", code, out, errOut)
	}
	if _, err := os.Stat(filepath.Join(vault, "vault.hwv")); err != nil {
		t.Fatal(err)
	}
}

// An invitation-only network: joining without the operator's code is
// refused in words, with it the wallet joins.
func TestNetworkJoinByInvitation(t *testing.T) {
	dir := t.TempDir()
	node := startNetworkNode(t, "127.0.0.1:0", filepath.Join(dir, "node"), "--invite-code", "river-42")
	env := []string{"HW_VAULT=" + filepath.Join(dir, "w"), "HW_KDF=fast", "HW_PASSWORD=correct horse battery", "HW_CHAIN="}
	if out, errOut, code := hwProc(t, env, "init", "--name", "Ada Lovelace"); code != 0 {
		t.Fatalf("hw init: %d\n%s%s", code, out, errOut)
	}
	out, errOut, code := hwProc(t, env, "network", "join", node.ready.JoinURL)
	if code != 1 || !strings.Contains(errOut, "invitation-only") || !strings.Contains(errOut, "ask the network's operator") {
		t.Fatalf("join without the code: exit %d\n%s%s", code, out, errOut)
	}
	if out, errOut, code := hwProc(t, env, "network", "join", node.ready.JoinURL, "--invite", "river-42", "--json"); code != 0 || !strings.Contains(out, `"enrolment":"invitation"`) {
		t.Fatalf("join with the code: exit %d\n%s%s", code, out, errOut)
	}
}

// networkWalletEnv is the environment of a test wallet in dir/name that
// knows no chain but the networks it joins.
func networkWalletEnv(dir, name string) []string {
	return []string{"HW_VAULT=" + filepath.Join(dir, name), "HW_KDF=fast", "HW_PASSWORD=correct horse battery",
		"HW_CHAIN=", "HW_REGISTRY=", "HW_CHAIN_ID="}
}

// chainWalletEnv is the environment of a test wallet in dir/name on the
// chain at chainURL (hw chain serve), not on a network.
func chainWalletEnv(dir, name, chainURL string) []string {
	return []string{"HW_VAULT=" + filepath.Join(dir, name), "HW_KDF=fast", "HW_PASSWORD=correct horse battery", "HW_CHAIN=" + chainURL}
}
