package wallet

import (
	"context"
	"errors"
	"testing"
)

// janeBundle is pasted FHIR JSON about Jane Doe: her Patient and two
// readings.
const janeBundle = `{"resourceType":"Bundle","type":"collection","entry":[
 {"resource":{"resourceType":"Patient","id":"jane","name":[{"family":"Doe","given":["Jane"]}],"birthDate":"1990-01-02"}},
 {"resource":{"resourceType":"Observation","id":"j1","status":"final","code":{"text":"Glucose"},"subject":{"reference":"Patient/jane"},"valueQuantity":{"value":99,"unit":"mg/dL"}}},
 {"resource":{"resourceType":"Observation","id":"j2","status":"final","code":{"text":"Glucose"},"subject":{"reference":"Patient/jane"},"valueQuantity":{"value":104,"unit":"mg/dL"}}}]}`

// A pasted text takes the same "about this person" choice as files: a
// FHIR bundle about Jane pasted with Into an existing person lands in that
// person's space; without it, Jane gets a space of her own and the report
// says so; Into someone unknown is refused.
func TestImportTextInto(t *testing.T) {
	files, names, counts := syntheaPeople(t)
	w := newTestWallet(t)
	ctx := context.Background()
	p := keepSomeoneApart(t, w, 1, files[1], names[1])

	rep, err := w.ImportTextWith(ctx, janeBundle, "", ImportOptions{Into: p.ID})
	if err != nil || rep.Imported != 3 || len(rep.OtherPeople) != 1 || rep.OtherPeople[0].ID != p.ID || rep.OtherPeople[0].New {
		t.Fatalf("pasted into %s: %+v, %v", p.Name, rep, err)
	}
	if q := personByName(t, w, names[1]); q.Records != counts[1]+3 {
		t.Errorf("%s has %d records after the paste, want %d", p.Name, q.Records, counts[1]+3)
	}
	if _, err := w.FindPerson("Jane Doe"); !errors.Is(err, ErrNoSuchPerson) {
		t.Errorf("the paste made a space for Jane: %v", err)
	}
	if mine, _ := w.Records(Query{}); len(mine) != 1 {
		t.Errorf("the owner has %d records, want 1", len(mine))
	}

	if _, err := w.ImportTextWith(ctx, janeBundle, "", ImportOptions{Into: "nobody at all"}); !errors.Is(err, ErrNoSuchPerson) {
		t.Errorf("pasted into nobody: %v", err)
	}

	// Without Into, Jane's records are kept apart in her own space.
	other := `{"resourceType":"Patient","id":"jane2","name":[{"family":"Doe","given":["Jane"]}],"birthDate":"1990-01-02"}`
	rep, err = w.ImportText(ctx, other, "")
	if err != nil || len(rep.OtherPeople) != 1 || rep.OtherPeople[0].Name != "Jane Doe" {
		t.Fatalf("pasted without Into: %+v, %v", rep, err)
	}
}
