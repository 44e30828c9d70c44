package contracts_test

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"healthwallet/wallet/testcorpus"
)

// TestArtifactsMatchFreshCompile rebuilds the ABI, the bytecode and the Go
// bindings from HealthRegistry.sol with the pinned solc-js and abigen, and
// requires them to equal the committed files byte for byte: what is deployed is
// what the source says.
func TestArtifactsMatchFreshCompile(t *testing.T) {
	for _, tool := range []string{"node", "npm"} {
		testcorpus.Tool(t, tool, "HealthRegistry.sol cannot be recompiled to check the committed artifacts; run `make deps` (apt-get install nodejs npm; generate.sh runs npm ci for the pinned solc)")
	}
	// Read every input here too, so a cached pass of this test is invalidated
	// when any of them changes (go test tracks the files a test opens, not the
	// ones generate.sh opens).
	for _, input := range []string{"HealthRegistry.sol", "compile.js", "generate.sh", "package.json", "package-lock.json"} {
		if _, err := os.ReadFile(input); err != nil {
			t.Fatal(err)
		}
	}

	out := t.TempDir()
	cmd := exec.Command("bash", "generate.sh", out)
	if output, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("generate.sh: %v\n%s", err, output)
	}
	for _, name := range []string{"HealthRegistry.abi", "HealthRegistry.bin", "healthregistry.go"} {
		committed, err := os.ReadFile(name)
		if err != nil {
			t.Fatal(err)
		}
		fresh, err := os.ReadFile(filepath.Join(out, name))
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(committed, fresh) {
			t.Errorf("%s differs from a fresh compile (%s); run `make contracts` and commit the result", name, firstDifference(committed, fresh))
		}
	}
}

// firstDifference names the first line where two files part ways.
func firstDifference(committed, fresh []byte) string {
	a, b := strings.Split(string(committed), "\n"), strings.Split(string(fresh), "\n")
	for i := 0; i < len(a) && i < len(b); i++ {
		if a[i] != b[i] {
			return "line " + strconv.Itoa(i+1) + ": committed " + clip(a[i]) + ", fresh " + clip(b[i])
		}
	}
	return "committed has " + strconv.Itoa(len(a)) + " lines, fresh " + strconv.Itoa(len(b))
}

func clip(s string) string {
	if len(s) > 80 {
		return "\"" + s[:80] + "…\""
	}
	return "\"" + s + "\""
}
