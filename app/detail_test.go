package app

import (
	"path/filepath"

	"fyne.io/fyne/v2"
	"slices"
	"strings"
	"testing"
	"time"

	"healthwallet/wallet"
	"healthwallet/wallet/record"
	"healthwallet/wallet/testcorpus"
)

// A record opens on what it says, whose it is, whether it can be relied
// on and where it came from — in that order — and its original data only
// when asked for.
func TestDetailOpensOnItsSummary(t *testing.T) {
	h, w := unlocked(t)
	w.withDocuments()
	h.ui.showDetail(ccdaCond)
	h.screen("detail")

	h.seeBefore("Essential hypertension", "Yours")
	h.seeBefore("Yours", "Clinical status: active")
	h.seeBefore("Clinical status: active", "Anchored on 2 Apr 2024")
	h.seeBefore("Anchored on 2 Apr 2024", "Where this came from")
	h.seeBefore("Where this came from", "Continuity of Care Document, section Problems")
	h.see("ccd.xml")
	h.see("Imported on")
	h.see("One version, imported on 2 Apr 2024 09:30")

	// The original data is behind the toggle, and goes back behind it.
	h.dontSee(`"resourceType": "Condition"`)
	h.dontSee("Copy JSON")
	h.tap(showOriginalLabel)
	h.see(`"resourceType": "Condition"`)
	h.button("Copy JSON")
	h.tap(hideOriginalLabel)
	h.dontSee(`"resourceType": "Condition"`)
	h.button(showOriginalLabel)
}

// withPeople is a fake wallet that holds someone else's records apart.
type withPeople struct {
	*fakeWallet
	people []wallet.Person
}

func (w withPeople) People() ([]wallet.Person, error) { return w.people, nil }

// A record about someone else says whose it is by their name.
func TestDetailSaysWhoseItIs(t *testing.T) {
	h, w := unlocked(t)
	w.records = append(w.records, record.Record{ID: "e1c0ffee21", ResourceType: "Immunization", Version: 1,
		Person: "p-bibi", Imported: time.Date(2024, 4, 2, 9, 30, 0, 0, time.UTC),
		Summary: record.Summary{Title: "Measles vaccine", Category: "Immunizations", Date: day(2019, 6, 1)}})
	h.ui.wallet = withPeople{w, []wallet.Person{
		{ID: wallet.OwnerID, Name: testName, Owner: true},
		{ID: "p-bibi", Name: "Bibi Schowalter", BirthDate: "2017-03-02"},
	}}
	h.ui.showDetail("e1c0ffee21")
	h.seeBefore("Measles vaccine", "Bibi Schowalter")
	h.dontSee("Yours")

	h.ui.showDetail("b2c0ffee02") // the owner's
	h.see("Yours")
	h.dontSee("Bibi Schowalter")
}

// The same with a real wallet: a record imported from a Synthea file opens
// on its summary and where it came from, checks as one sentence, and shows
// its FHIR JSON only after the toggle.
func TestDetailRealWallet(t *testing.T) {
	patient := filepath.Join(testcorpus.Dir(t, "synthea"), "Bibi254_Schowalter414_475d72ca-91c7-7211-97e3-f000af33fc04.json")
	h := realHarness(t, desktopSize)
	h.createInUI(testName)
	h.tap("Skip for now")
	h.importAndAnchor(patient, testcorpus.CountResources(t, patient))

	recs, err := h.ui.wallet.Records(wallet.Query{ResourceType: "Observation"})
	i := slices.IndexFunc(recs, func(r record.Record) bool {
		return slices.ContainsFunc(r.Details, func(d string) bool { return strings.HasPrefix(d, "Value: ") })
	})
	if err != nil || i < 0 {
		t.Fatalf("no observation with a value among the imported records (%v)", err)
	}
	h.ui.showDetail(recs[i].ID)
	h.screen("detail")
	h.seeBefore(recs[i].Title, "Yours")
	h.seeBefore("Yours", "Value: ")
	h.seeBefore("Value: ", "Anchored on ")
	h.seeBefore("Anchored on ", "Where this came from")
	h.see("A health record file")
	h.dontSee("FHIR")
	h.see(filepath.Base(patient))
	h.dontSee(`"resourceType": "Observation"`)

	h.tap("Check it now")
	h.wait()
	h.see("Intact and anchored on " + time.Now().UTC().Format("2 Jan 2006") + ".")
	if bad := plainWordsProblems(h.ui.win.Canvas()); len(bad) > 0 {
		t.Errorf("the checked record speaks of the chain: %q", bad)
	}

	h.tap(showOriginalLabel)
	h.see(`"resourceType": "Observation"`)
}

// realHarness is the UI over a real wallet backend in a temporary
// directory, with a key derivation fast enough for tests; background work
// and the embedded chain end before the directory goes.
func realHarness(t *testing.T, size fyne.Size) *harness {
	t.Helper()
	b := NewBackend(t.TempDir(), wallet.Options{KDFTime: 1, KDFMemoryKiB: 8 * 1024, KDFThreads: 1})
	h := newHarness(t, b, size, true)
	t.Cleanup(func() { closeUI(h) })
	return h
}
