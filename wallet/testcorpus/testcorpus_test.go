package testcorpus

import (
	"os"
	"os/exec"
	"strings"
	"testing"
)

// TestMissingChild is run by TestMissingFailsUnderCI as a separate process:
// it asks for a corpus that does not exist and a tool that is not installed.
func TestMissingChild(t *testing.T) {
	switch os.Getenv("TESTCORPUS_CHILD") {
	case "corpus":
		Dir(t, "no-such-corpus")
	case "tool":
		Tool(t, "no-such-tool-healthwallet", "apt-get install no-such-tool")
	default:
		return // a child process of TestMissingFailsUnderCI only; nothing to do on its own
	}
	t.Error("Missing returned")
}

// TestMissingFailsUnderCI: a missing corpus or tool fails the test under
// CI=true, saying what to install, and skips with the same words by hand.
func TestMissingFailsUnderCI(t *testing.T) {
	for _, what := range []string{"corpus", "tool"} {
		for _, ci := range []string{"true", ""} {
			cmd := exec.Command(os.Args[0], "-test.run=^TestMissingChild$", "-test.v", "-test.count=1")
			cmd.Env = append(os.Environ(), "TESTCORPUS_CHILD="+what, "CI="+ci)
			out, err := cmd.CombinedOutput()
			text := string(out)
			install := map[string]string{"corpus": "../shared/testdata", "tool": "apt-get install no-such-tool"}[what]
			switch {
			case !strings.Contains(text, install):
				t.Errorf("%s missing, CI=%q: the output does not say what to install (%q):\n%s", what, ci, install, text)
			case ci == "true" && (err == nil || !strings.Contains(text, "--- FAIL: TestMissingChild")):
				t.Errorf("%s missing under CI=true: the test did not fail:\n%s", what, text)
			case ci == "" && (err != nil || !strings.Contains(text, "--- SKIP: TestMissingChild")):
				t.Errorf("%s missing by hand: the test did not skip (%v):\n%s", what, err, text)
			}
		}
	}
}
