package app

import (
	"context"
	"encoding/json"
	"strings"
	"testing"

	"healthwallet/wallet"
	"healthwallet/wallet/network"
	"healthwallet/wallet/share"
)

// forgedReceived is what wallet.Receive returns for a re-hosted manifest
// with one file added (issue 7, finding 1): the patient's records pass
// every check, the added record is not covered by the consent, and the
// share is not Verified.
func forgedReceived() wallet.Received {
	got := testReceived()
	got.Verified = false
	got.Checks = append(got.Checks, share.Check{Name: share.CheckCovered, Detail: "1 record(s) not covered by the patient's consent, shown apart: Condition/forged (file 2): not among the records the patient consented to share"})
	got.Uncovered = []share.UncoveredRecord{{
		Resource: json.RawMessage(`{"resourceType":"Condition","id":"forged","code":{"text":"Forged diagnosis"}}`),
		Source:   "file 2", Reason: "not among the records the patient consented to share",
	}}
	return got
}

// forging is the fake backend whose links all resolve to forgedReceived.
type forging struct{ *fakeBackend }

func (forging) Receive(context.Context, string, []network.Membership, wallet.ReceiveOptions) (wallet.Received, error) {
	return forgedReceived(), nil
}

// A share with a record added by whoever served the link: never Verified,
// the patient's records listed as covered, the added one apart with why,
// each list with its own export.
func TestReceiveShowsUncoveredApart(t *testing.T) {
	b := newFakeBackend(false)
	h := newHarness(t, forging{b}, desktopSize, false)
	h.tap("Receive a share (for doctors)")
	h.typeInto(h.entry("Paste a link or scan a QR code"), testLink)
	h.tap("Open")
	h.dontSee(verifiedLine)
	h.see("Intact, but 1 record was added after it was shared: shown apart, do not rely on it")
	h.see("Every record covered by the patient's consent: 1 record(s) not covered")
	h.see("Covered by the patient's consent (8)")
	h.see("Hemoglobin A1c")
	h.see("Not covered by the patient's consent (1)")
	h.see("Forged diagnosis")
	h.see("File 2: not among the records the patient consented to share")

	h.tap("Export as FHIR Bundle…")
	covered := h.files.saved["received-records.json"]
	if covered == nil || strings.Contains(covered.String(), "forged") || !strings.Contains(covered.String(), "4548-4") {
		t.Fatalf("the export of the covered records: %v", covered)
	}
	h.tap("OK")
	h.tap("Export these apart…")
	apart := h.files.saved["received-not-covered.json"]
	if apart == nil || !strings.Contains(apart.String(), "forged") || strings.Contains(apart.String(), "4548-4") {
		t.Fatalf("the export of the records not covered: %v", apart)
	}
}
