package app

import (
	"context"
	"encoding/json"
	"slices"
	"strings"
	"testing"

	"healthwallet/wallet"
	"healthwallet/wallet/network"
	"healthwallet/wallet/share"
)

// twoPeopleBundle is a folder of two people's exports sent as one share:
// one says no known allergies, the other is allergic to penicillin.
const twoPeopleBundle = `{"resourceType":"Bundle","type":"collection","entry":[
{"resource":{"resourceType":"Patient","id":"a","name":[{"given":["Ada"],"family":"Lovelace"}],"gender":"female","birthDate":"1985-12-10"}},
{"resource":{"resourceType":"AllergyIntolerance","id":"nka","code":{"text":"No known allergies"}}},
{"resource":{"resourceType":"Patient","id":"b","name":[{"given":["Bob"],"family":"Brown"}],"gender":"male","birthDate":"2012-03-01"}},
{"resource":{"resourceType":"AllergyIntolerance","id":"pen","code":{"text":"Penicillin G"},"criticality":"high"}}]}`

// Issue 12: a share is about one person. A doctor opening, with the real
// wallet, a share that holds two people's records reads first — above the
// patient's name — that it is about two people, who they are, and to check
// with the patient; the records are still there to look at.
func TestReceivedTwoPeopleWarns(t *testing.T) {
	h := newHarness(t, NewBackend(t.TempDir(), wallet.Options{}), phoneSize, false)
	h.tap("Receive a share (for doctors)")
	h.typeIn(h.entry("Paste a link or scan a QR code"), otherIssuerLinkOf(t, twoPeopleBundle, ""))
	h.tap("Open")
	warning := "This share holds records about 2 different people: Ada Lovelace (born 10 Dec 1985), Bob Brown (born 1 Mar 2012). " +
		"Check with the patient which records are theirs before relying on any of them."
	h.see(warning)
	texts := h.texts()
	at, name := slices.Index(texts, warning), slices.Index(texts, h.heading())
	if at < 0 || name < 0 || at > name {
		t.Errorf("the warning is at %d, the patient's name at %d: want the warning first\n%s", at, name, strings.Join(texts, "\n"))
	}
	h.see("Penicillin G")
	h.see("No known allergies")

	// A share about one person carries no such warning.
	h.typeInto(h.entry("Paste a link or scan a QR code"), otherIssuerLinkOf(t, chartBundle, ""))
	h.tap("Open")
	h.see("Ada Lovelace")
	h.dontSee("different people")
}

// otherIssuerLinkOf serves bundle as another SMART Health Links issuer,
// under a key of its own, and returns its link, labelled label.
func otherIssuerLinkOf(t *testing.T, bundle, label string) string {
	t.Helper()
	key, err := share.NewKey()
	if err != nil {
		t.Fatal(err)
	}
	jwe, err := share.EncryptFile([]byte(bundle), key[:], share.ContentTypeFHIR)
	if err != nil {
		t.Fatal(err)
	}
	return share.Link{URL: serveManifest(t, share.ManifestDocument{Files: []share.ManifestEntry{
		{ContentType: share.ContentTypeFHIR, Embedded: jwe}}}) + "/m", Key: key, Label: label}.String()
}

// twoPeople is the fake backend whose shares also hold a second person's
// Patient and allergy, as wallet.Receive reports them.
type twoPeople struct{ *fakeBackend }

func (b twoPeople) Receive(ctx context.Context, link string, trusted []network.Membership, opts wallet.ReceiveOptions) (wallet.Received, error) {
	got, err := b.fakeBackend.Receive(ctx, link, trusted, opts)
	got.Records = append(got.Records,
		json.RawMessage(`{"resourceType":"Patient","id":"b","name":[{"given":["Bob"],"family":"Brown"}],"gender":"male","birthDate":"2012-03-01"}`),
		json.RawMessage(`{"resourceType":"AllergyIntolerance","id":"nka","code":{"text":"No known allergies"}}`))
	got.Patients = []wallet.ReceivedPatient{{Name: "Ada Lovelace", BirthDate: "1815-12-10"}, {Name: "Bob Brown", BirthDate: "2012-03-01"}}
	got.Warnings = []string{"this share holds records about 2 different people: Ada Lovelace (born 10 Dec 1815), " +
		"Bob Brown (born 1 Mar 2012). Check with the patient which records are theirs before relying on any of them"}
	return got, err
}
