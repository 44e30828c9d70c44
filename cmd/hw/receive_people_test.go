package main

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"testing"

	"healthwallet/wallet/share"
)

// Issue 12: a share is about one person. hw receive of a bundle holding
// two people's records says so on stderr, naming both, and in "warnings"
// (with "patients") under --json; the records are still shown.
func TestReceiveWarnsOfTwoPeople(t *testing.T) {
	key, jwe := encryptedFHIR(t, twoPeopleBundle)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		_ = json.NewEncoder(w).Encode(share.ManifestDocument{Files: []share.ManifestEntry{{ContentType: share.ContentTypeFHIR, Embedded: jwe}}})
	}))
	t.Cleanup(srv.Close)
	link := share.Link{URL: srv.URL + "/m", Key: key}.String()
	env := []string{"HW_VAULT=" + filepath.Join(t.TempDir(), "no-wallet")}

	out, errOut, code := runHW(t, "hw", env, "receive", "--json", link)
	if code != 0 {
		t.Fatalf("hw receive --json: exit %d\n%s", code, errOut)
	}
	var r struct {
		Records  []json.RawMessage
		Patients []struct{ Name, BirthDate string }
		Warnings []string
	}
	if err := json.Unmarshal([]byte(out), &r); err != nil {
		t.Fatalf("hw receive --json printed %s (%v)", out, err)
	}
	if len(r.Records) != 4 || len(r.Patients) != 2 || r.Patients[1].Name != "Bob Brown" || r.Patients[1].BirthDate != "2012-03-01" ||
		len(r.Warnings) != 1 || !strings.Contains(r.Warnings[0], "2 different people") {
		t.Errorf("hw receive --json: %d records, patients %+v, warnings %q", len(r.Records), r.Patients, r.Warnings)
	}

	out, errOut, code = runHW(t, "hw", env, "receive", link)
	if code != 0 {
		t.Fatalf("hw receive: exit %d\n%s", code, errOut)
	}
	want := "hw: warning: this share holds records about 2 different people: Ada Lovelace (born 10 Dec 1985), Bob Brown (born 1 Mar 2012). Check with the patient"
	if !strings.Contains(errOut, want) {
		t.Errorf("hw receive's stderr lacks the warning %q:\n%s", want, errOut)
	}
	if !strings.Contains(out, "\nFrom another issuer — not verifiable.\n") || !strings.Contains(out, "Penicillin G") || strings.Contains(out, "different people") {
		t.Errorf("hw receive printed (the records, the warning on stderr only):\n%s", out)
	}
}

// twoPeopleBundle holds two people's records, as a folder of exports
// shared as one would: a share is about one person, so receivers warn.
const twoPeopleBundle = `{"resourceType":"Bundle","type":"collection","entry":[
{"resource":{"resourceType":"Patient","id":"a","name":[{"given":["Ada"],"family":"Lovelace"}],"birthDate":"1985-12-10","gender":"female"}},
{"resource":{"resourceType":"AllergyIntolerance","id":"nka","code":{"text":"No known allergies"}}},
{"resource":{"resourceType":"Patient","id":"b","name":[{"given":["Bob"],"family":"Brown"}],"birthDate":"2012-03-01","gender":"male"}},
{"resource":{"resourceType":"AllergyIntolerance","id":"pen","code":{"text":"Penicillin G"},"criticality":"high"}}]}`

// encryptedFHIR encrypts a FHIR file under a new link key, as another SHL
// issuer would serve it.
func encryptedFHIR(t *testing.T, fhir string) (key [32]byte, jwe string) {
	t.Helper()
	key, err := share.NewKey()
	if err != nil {
		t.Fatal(err)
	}
	if jwe, err = share.EncryptFile([]byte(fhir), key[:], share.ContentTypeFHIR); err != nil {
		t.Fatal(err)
	}
	return key, jwe
}
