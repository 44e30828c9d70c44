package wallet

import (
	"context"
	"encoding/json"
	"strings"
	"testing"

	"healthwallet/wallet/share"
)

// Finding 1 of issue 7, at the wallet: a share served again with one more
// file under the link's key — a lone resource — is not Verified, its
// patient's records stay the share's content, the added one is apart, and
// the doctor's funded wallet logs no access on chain for it.
func TestReceiveAddedFileNotVerifiedNorLogged(t *testing.T) {
	f := newReceiveFixture(t, 3)
	ctx := context.Background()
	before := len(accessLogs(t, f.sim.Network))
	link, s, relay := f.share(t, nil)
	forged := []byte(`{"resourceType":"Condition","id":"forged","code":{"text":"Forged diagnosis"}}`)
	l, err := share.ParseLink(link)
	if err != nil {
		t.Fatal(err)
	}
	jwe, err := share.EncryptFile(forged, l.Key[:], share.ContentTypeFHIR)
	if err != nil {
		t.Fatal(err)
	}
	relay.mu.Lock()
	relay.files = append(append([]share.EncryptedFile(nil), s.Files...), share.EncryptedFile{ContentType: share.ContentTypeFHIR, JWE: jwe})
	relay.mu.Unlock()

	got, err := f.doctor.Receive(ctx, link, ReceiveOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if got.Verified || got.Logged != "" {
		t.Fatalf("verified %v, logged %q", got.Verified, got.Logged)
	}
	if len(got.Failed()) != 1 || got.Failed()[0].Name != share.CheckCovered {
		t.Errorf("failed %+v; want only %q", got.Failed(), share.CheckCovered)
	}
	if len(got.RecordsJSON()) != 3 || len(got.Uncovered) != 1 || !strings.Contains(string(got.Uncovered[0].Resource), "Forged") {
		t.Fatalf("%d records, uncovered %+v", len(got.RecordsJSON()), got.Uncovered)
	}
	for _, r := range got.RecordsJSON() {
		if strings.Contains(string(r), "Forged") {
			t.Fatalf("the forged record is among the patient's: %s", r)
		}
	}
	if n := len(accessLogs(t, f.sim.Network)); n != before {
		t.Errorf("%d access(es) logged on chain for a share that did not verify", n-before)
	}
	b, _ := json.Marshal(got)
	if !strings.Contains(string(b), `"uncovered":[{"resource":{"resourceType":"Condition"`) {
		t.Errorf("JSON without the record apart: %.400s", b)
	}
}
