package wallet

import (
	"errors"
	"strings"
	"testing"
	"time"
)

// A verification reads as one sentence with no chain words, and a record
// that changed says not to rely on it.
func TestVerificationSentence(t *testing.T) {
	anchoredAt := time.Date(2024, 3, 12, 9, 30, 0, 0, time.UTC)
	cases := []struct {
		name string
		v    Verification
		want string
	}{
		{"intact", Verification{Anchored: true, Valid: true, Block: 812, Time: anchoredAt}, "Intact and anchored on 12 Mar 2024"},
		{"waiting", Verification{Problem: ProblemWaiting}, "Intact; waiting to be anchored"},
		{"waiting, not queued", Verification{Problem: ProblemWaiting + " (but it is not queued for anchoring)"}, "Intact; waiting to be anchored"},
		{"chain down", Verification{Block: 812, Problem: problemUnreachable + ": " + errors.New("dial tcp 127.0.0.1:8545: connection refused").Error()},
			"Intact here, but the network can't be reached to confirm its anchor: try again when it is back"},
		{"altered", Verification{Anchored: true, Block: 812, Time: anchoredAt,
			Problem: "the record no longer matches what was anchored: its commitment is not in batch 0xabc"},
			"Changed since it was anchored: do not rely on it"},
		{"unreadable", Verification{Problem: "its anchoring data failed the vault's integrity check"},
			"Could not be checked: do not rely on it until it can be"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			got := c.v.Sentence()
			if got != c.want {
				t.Errorf("Sentence() = %q, want %q", got, c.want)
			}
			for _, word := range []string{"block", "chain", "0x", "batch", "RPC"} {
				if strings.Contains(strings.ToLower(got), strings.ToLower(word)) {
					t.Errorf("Sentence() = %q speaks of %q", got, word)
				}
			}
		})
	}
}
