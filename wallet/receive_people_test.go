package wallet

import (
	"context"
	"encoding/json"
	"strings"
	"testing"

	"healthwallet/wallet/share"
)

// otherIssuerLink serves bundle as another SMART Health Links issuer
// would (its own key, no consent on chain) and returns its link.
func otherIssuerLink(t *testing.T, bundle string) string {
	t.Helper()
	key, err := share.NewKey()
	if err != nil {
		t.Fatal(err)
	}
	jwe, err := share.EncryptFile([]byte(bundle), key[:], share.ContentTypeFHIR)
	if err != nil {
		t.Fatal(err)
	}
	relay := newTestRelay(t, []share.EncryptedFile{{ContentType: share.ContentTypeFHIR, JWE: jwe}}, "")
	return share.Link{URL: relay.url(), Key: key}.String()
}

const twoPeopleBundle = `{"resourceType":"Bundle","type":"collection","entry":[
{"resource":{"resourceType":"Patient","id":"a1","name":[{"given":["Ada"],"family":"Lovelace"}],"birthDate":"1985-12-10"}},
{"resource":{"resourceType":"AllergyIntolerance","id":"nka","code":{"text":"No known allergies"}}},
{"resource":{"resourceType":"Patient","id":"a2","name":[{"given":["Ada"],"family":"LOVELACE"}],"birthDate":"1985-12-10"}},
{"resource":{"resourceType":"Patient","id":"b","name":[{"given":["Bob"],"family":"Brown"}],"birthDate":"2012-03-01"}},
{"resource":{"resourceType":"AllergyIntolerance","id":"pen","code":{"text":"Penicillin G"},"criticality":"high"}}
]}`

// Issue 12: a share is about one person. A bundle holding two people's
// records (a second copy of the same person's Patient does not count)
// opens with a warning naming both; a bundle about one person, and a
// verified Health Wallet share, carry none.
func TestReceiveWarnsOfMoreThanOnePerson(t *testing.T) {
	f := newReceiveFixture(t, 1)
	ctx := context.Background()

	got, err := f.doctor.Receive(ctx, otherIssuerLink(t, twoPeopleBundle), ReceiveOptions{})
	if err != nil {
		t.Fatal(err)
	}
	want := []ReceivedPatient{{"Ada Lovelace", "1985-12-10"}, {"Bob Brown", "2012-03-01"}}
	if len(got.Patients) != 2 || got.Patients[0] != want[0] || got.Patients[1] != want[1] {
		t.Errorf("patients %+v, want %+v", got.Patients, want)
	}
	if len(got.Warnings) != 1 {
		t.Fatalf("warnings %q, want one", got.Warnings)
	}
	for _, part := range []string{"2 different people", "Ada Lovelace (born 10 Dec 1985)", "Bob Brown (born 1 Mar 2012)", "Check with the patient"} {
		if !strings.Contains(got.Warnings[0], part) {
			t.Errorf("the warning %q does not say %q", got.Warnings[0], part)
		}
	}
	if len(got.Records) != 5 {
		t.Errorf("%d records shown, want all 5 (the warning hides nothing)", len(got.Records))
	}

	one := strings.Replace(twoPeopleBundle, `"Bob"],"family":"Brown"}],"birthDate":"2012-03-01"`,
		`"Ada"],"family":"Lovelace"}],"birthDate":"1985-12-10"`, 1)
	got, err = ReceiveAnonymous(ctx, otherIssuerLink(t, one), ReceiveOptions{}, nil)
	if err != nil {
		t.Fatal(err)
	}
	if len(got.Patients) != 1 || len(got.Warnings) != 0 {
		t.Errorf("one person's bundle: patients %+v, warnings %q", got.Patients, got.Warnings)
	}

	link, _, _ := f.share(t, nil)
	got, err = f.doctor.Receive(ctx, link, ReceiveOptions{})
	if err != nil || !got.Verified || len(got.Warnings) != 0 {
		t.Errorf("a verified share of one patient: verified %v, warnings %q, %v", got.Verified, got.Warnings, err)
	}
}

func TestMorePeopleWarningNamesFiveAtMost(t *testing.T) {
	var people []ReceivedPatient
	for _, n := range []string{"A A", "B B", "C C", "D D", "E E", "F F", ""} {
		people = append(people, ReceivedPatient{Name: n})
	}
	w := morePeopleWarning(people)
	if !strings.Contains(w, "7 different people: A A, B B, C C, D D, E E and 2 more.") {
		t.Errorf("warning %q", w)
	}
	if morePeopleWarning(people[:1]) != "" {
		t.Error("one person warned of")
	}
}

// FuzzReceivedPatients: whatever a share's records hold, the people are
// read without a panic, and a warning names at most maxNamedPatients.
func FuzzReceivedPatients(f *testing.F) {
	f.Add(`{"resourceType":"Patient","id":"a","name":[{"given":["Ada"],"family":"Lovelace"}],"birthDate":"1985-12-10"}`,
		`{"resourceType":"Patient","name":[{"text":"Bob\u0000 Brown"}]}`)
	f.Add(`{"resourceType":"Patient"}`, `{"resourceType":"Patient","name":"x"}`)
	f.Fuzz(func(t *testing.T, a, b string) {
		people := receivedPatients([]json.RawMessage{json.RawMessage(a), json.RawMessage(b), json.RawMessage(a)})
		if len(people) > 2 {
			t.Fatalf("%d people from two distinct records", len(people))
		}
		for _, p := range people {
			if strings.ContainsFunc(p.Name+p.BirthDate, func(r rune) bool { return r < 0x20 }) {
				t.Fatalf("a control character in %+v", p)
			}
		}
		_ = morePeopleWarning(people)
	})
}
