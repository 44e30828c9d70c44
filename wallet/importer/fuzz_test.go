package importer

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"testing"

	"healthwallet/wallet/record"
)

// FuzzRead feeds Read arbitrary bytes: it must never panic, every resource
// it delivers must be valid JSON with an R4 resourceType, and every failure
// about the content must be a *FileError.
func FuzzRead(f *testing.F) {
	patient := `{"resourceType":"Patient","id":"p1","name":[{"family":"Doe"}]}`
	for _, s := range []string{
		"", " ", "{}", "[]", "null", "<?xml version=\"1.0\"?><ClinicalDocument/>", "\ufeff" + patient,
		patient, patient + "\n" + patient + "\n", patient + "\n\n{\"resourceType\":",
		`{"resourceType":"Bundle","type":"collection","entry":[{"fullUrl":"urn:uuid:1","resource":` + patient + `}]}`,
		`{"entry":[{"resource":` + patient + `}],"resourceType":"Bundle"}`,
		`{"resourceType":"Bundle","entry":[{"request":{"method":"DELETE"}},{"resource":{"resourceType":"Bundle","entry":[]}}]}`,
		`{"resourceType":"Bundle","entry":{}}`, `{"resourceType":"Bundle","entry":[1,"x",null]}`,
		`{"resourceType":"Dragon"}`, `{"resourceType":"MedicationOrder"}`, `{"resourceType":1}`,
		`{"resourceType":"Patient","id":{"x":1}}`, `{"resourceType":"Patient"}}`, `{"resourceType":"Patient"`,
		`{"resourceType":"Patient","a":[[[[[[[[]]]]]]]]}`,
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		err := Read(context.Background(), bytes.NewReader(data), "fuzz.json", func(r record.Resource) error {
			if !json.Valid(r.Raw) {
				t.Fatalf("delivered invalid JSON %q", r.Raw)
			}
			if !IsR4Type(r.Type) {
				t.Fatalf("delivered resourceType %q", r.Type)
			}
			return nil
		})
		var fe *FileError
		if err != nil && !errors.As(err, &fe) {
			t.Fatalf("content error is not a FileError: %v", err)
		}
	})
}
