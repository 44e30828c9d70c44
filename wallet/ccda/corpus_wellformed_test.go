package ccda

import (
	"bytes"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"regexp"
	"testing"

	"healthwallet/wallet/testcorpus"
)

var fhirID = regexp.MustCompile(`^[A-Za-z0-9\-.]{1,64}$`)

// Every XML file of ../shared/testdata/ccda either converts or fails with
// ErrNotCCDA / ErrMalformed (never a panic); every resource made is a JSON
// object whose resourceType and id match the record, with a valid FHIR id,
// pointing at the document's Patient; and converting again gives the same
// resources byte for byte (stable ids: a re-import is a duplicate).
func TestCorpusResourcesWellFormed(t *testing.T) {
	dir := testcorpus.Dir(t, "ccda")
	files := testcorpus.Files(t, dir, ".xml")
	if len(files) == 0 {
		t.Fatalf("no XML files under %s", dir)
	}
	converted := 0
	for _, path := range files {
		name, _ := filepath.Rel(dir, path)
		t.Run(name, func(t *testing.T) {
			d, err := convertXMLFile(path)
			if err != nil {
				if !errors.Is(err, ErrNotCCDA) && !errors.Is(err, ErrMalformed) {
					t.Fatalf("error wraps neither ErrNotCCDA nor ErrMalformed: %v", err)
				}
				return
			}
			converted++
			if len(d.Resources) == 0 || d.Resources[0].Type != "Patient" {
				t.Fatal("the first resource is not the Patient")
			}
			patient := "Patient/" + d.Resources[0].ID
			for _, r := range d.Resources {
				var m map[string]any
				if err := json.Unmarshal(r.Raw, &m); err != nil {
					t.Fatalf("%s/%s: not a JSON object: %v", r.Type, r.ID, err)
				}
				if m["resourceType"] != r.Type || m["id"] != r.ID {
					t.Errorf("record %s/%s holds resourceType %v id %v", r.Type, r.ID, m["resourceType"], m["id"])
				}
				if !fhirID.MatchString(r.ID) {
					t.Errorf("%s id %q is not a FHIR id", r.Type, r.ID)
				}
				if r.Type == "Patient" {
					continue
				}
				ref := jsonField(m, "subject.reference")
				if ref == nil {
					ref = jsonField(m, "patient.reference")
				}
				if ref != nil && ref != patient {
					t.Errorf("%s/%s refers to %v, not the document's %s", r.Type, r.ID, ref, patient)
				}
				if ref == nil && (r.Type == "AllergyIntolerance" || r.Type == "Condition" || r.Type == "Immunization" ||
					r.Type == "MedicationStatement" || r.Type == "MedicationRequest") {
					t.Errorf("%s/%s names no patient", r.Type, r.ID)
				}
			}
			again, err := convertXMLFile(path)
			if err != nil {
				t.Fatal(err)
			}
			if len(again.Resources) != len(d.Resources) {
				t.Fatalf("second conversion made %d resources, first %d", len(again.Resources), len(d.Resources))
			}
			for i := range d.Resources {
				if again.Resources[i].ID != d.Resources[i].ID || !bytes.Equal(again.Resources[i].Raw, d.Resources[i].Raw) {
					t.Errorf("%s/%s differs on a second conversion", d.Resources[i].Type, d.Resources[i].ID)
				}
			}
		})
	}
	if converted == 0 {
		t.Error("no document of the corpus converted")
	}
}

// convertXMLFile converts the document at path.
func convertXMLFile(path string) (*Document, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	return Convert(f)
}
