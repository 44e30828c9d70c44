package wallet

import (
	"strings"
	"testing"
	"time"

	"healthwallet/wallet/share"
)

// A received share's verdict reads as one sentence with no chain words:
// the words of Verification.Sentence where the outcome is the same, and
// what the first failed check means otherwise. (The web viewer's sentence
// is held to this one in wallet/viewer's TestViewerMatchesReceive.)
func TestReceivedSentence(t *testing.T) {
	anchoredAt := time.Date(2024, 3, 12, 9, 30, 0, 0, time.UTC)
	hw := func(checks ...share.Check) Received {
		all := []share.Check{{Name: share.CheckLinkWellFormed, OK: true}, {Name: share.CheckProofPresent, OK: true}}
		return Received{Report: share.Report{Source: share.SourceHealthWallet, Checks: append(all, checks...)}}
	}
	fail := func(name, detail string) share.Check { return share.Check{Name: name, Detail: detail} }
	verified := hw(share.Check{Name: share.CheckAnchored, OK: true})
	verified.Verified, verified.AnchoredAt = true, anchoredAt
	byCaregiver := verified
	byCaregiver.OnBehalf = &share.OnBehalf{DelegateName: "Byron Lovelace"}
	added := hw(fail(share.CheckCovered, "1 record(s) not covered"))
	added.Uncovered = make([]share.UncoveredRecord, 1)
	untrusted := hw(fail(share.CheckNetworkTrusted, "made on Elsewhere (chain 7, registry 0x…)"), fail(share.CheckChainID, "chain 7"))
	untrusted.Network = &ReceivedNetwork{Name: "Elsewhere", ChainID: 7}
	other := Received{Report: share.Report{Source: share.SourceOther, Checks: []share.Check{
		{Name: share.CheckFilesDecrypted, OK: true}, fail(share.CheckProofPresent, "no Health Wallet proof")}}}
	damaged := Received{Report: share.Report{Source: share.SourceOther, Checks: []share.Check{fail(share.CheckFilesDecrypted, "bad tag")}}}

	cases := []struct {
		name string
		r    Received
		want string
	}{
		{"verified", verified, "Intact and anchored on 12 Mar 2024, shared with the patient's consent"},
		{"verified, by a caregiver", byCaregiver, "Intact and anchored on 12 Mar 2024, shared by their caregiver with the patient's consent"},
		{"altered record", hw(fail(share.CheckCommitments, "entry 2: not received as committed")), "Changed since it was shared: do not rely on it"},
		{"record added", added, "Intact, but 1 record was added after it was shared: shown apart, do not rely on it"},
		{"chain down", hw(fail(share.CheckGrantActive, "could not ask the chain: dial tcp: connection refused")),
			"Intact here, but the network can't be reached to confirm its anchor: try again when it is back"},
		{"revoked", hw(fail(share.CheckGrantActive, "the patient revoked this grant")), "Withdrawn by the patient: do not rely on it"},
		{"consent expired", hw(fail(share.CheckGrantPeriod, "expired on Tue, 12 Mar 2024 09:30:00 UTC")), "The patient's consent has expired: ask them to share again"},
		{"another network", untrusted, "Not checked: made on the network “Elsewhere”, which is not trusted here; confirm the records with the patient"},
		{"another issuer", other, "From another issuer — not verifiable"},
		{"another issuer's link, damaged", damaged, "Changed since it was shared: do not rely on it"},
		{"for someone else", hw(fail(share.CheckRecipient, "addressed to a specific recipient")), "Meant for someone else: open it with the wallet it was made for"},
		{"nothing checked", Received{Report: share.Report{Source: share.SourceHealthWallet}}, "Could not be checked: do not rely on it until it can be"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			got := c.r.Sentence()
			if got != c.want {
				t.Errorf("Sentence() = %q, want %q", got, c.want)
			}
			for _, word := range []string{"block", "chain", "0x", "batch", "RPC", "registry"} {
				if strings.Contains(strings.ToLower(got), strings.ToLower(word)) {
					t.Errorf("Sentence() = %q speaks of %q", got, word)
				}
			}
		})
	}
}
