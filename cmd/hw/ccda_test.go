package main

import (
	"encoding/json"
	"path/filepath"
	"strings"
	"testing"

	"healthwallet/wallet"
	"healthwallet/wallet/testcorpus"
)

// TestImportCCDACorpus imports every XML file of the C-CDA corpus in one
// `hw import --json`: each C-CDA document is reported under "documents" with
// its kind, records and what was not converted; every other file (C32,
// NCPDP, broken, empty) is rejected with its reason and the rest goes on.
// Importing the same files again adds nothing.
func TestImportCCDACorpus(t *testing.T) {
	if testing.Short() {
		t.Skip("imports the whole C-CDA corpus: skipped with -short")
	}
	files := testcorpus.Files(t, testcorpus.Dir(t, "ccda"), ".xml")
	h := newHWRunner(t, filepath.Join(t.TempDir(), "wallet"))
	h.run("init", "--yes", "--name", "Corpus")

	report := importJSON(t, h.run(append([]string{"import", "--json"}, files...)...))
	if len(report.Files) != len(files) {
		t.Fatalf("%d files reported, %d given", len(report.Files), len(files))
	}
	ccda, rejected := 0, 0
	for _, f := range report.Files {
		switch f.Kind {
		case wallet.FileCCDA:
			ccda++
			if f.Records == 0 {
				t.Errorf("%s: a C-CDA document imported no records", f.File)
			}
		case wallet.FileRejected:
			rejected++
			if !strings.Contains(f.Problem, "C-CDA") {
				t.Errorf("%s rejected with %q: the reason must say it is not a (readable) C-CDA document", f.File, f.Problem)
			}
		default:
			t.Errorf("%s became %q", f.File, f.Kind)
		}
	}
	// 10 Synthea documents, 6 Blue Button C-CDA, CCD.example.xml and the
	// CCD of parser-ccd; 3 C32, 2 NCPDP, broken, 2 empty, telecom.xml and a
	// section snippet without a header are refused.
	if ccda != 18 || rejected != 10 || len(report.Rejected) != 10 {
		t.Errorf("%d C-CDA documents and %d rejected (%d in rejected), want 18 and 10", ccda, rejected, len(report.Rejected))
	}
	if len(report.Documents) != ccda {
		t.Fatalf("%d documents reported, want %d", len(report.Documents), ccda)
	}
	records := 0
	for _, d := range report.Documents {
		records += d.Records
		if d.Kind == "" || d.ByType["DocumentReference"] != 1 || d.NotConverted == nil {
			t.Errorf("document %s: kind %q, byType %v, notConverted %v", d.File, d.Kind, d.ByType, d.NotConverted)
		}
	}
	if records != report.Imported+report.Versions {
		t.Errorf("documents account for %d records, the import made %d", records, report.Imported+report.Versions)
	}
	if listed := h.records("--everyone"); len(listed) != report.Imported { // the documents are about many people
		t.Errorf("hw records lists %d records, the import made %d new", len(listed), report.Imported)
	}

	// Again: nothing new. Some corpus documents are editions of one
	// another (e.g. CCD_1.xml and CCD_1_withNF.xml give the same entry ids
	// different content), so each re-import of the pair makes versions;
	// every other resource is a duplicate.
	again := importJSON(t, h.run(append([]string{"import", "--json"}, files...)...))
	total := report.Imported + report.Duplicates + report.Versions
	if again.Imported != 0 || again.Duplicates+again.Versions != total || len(again.Documents) != ccda {
		t.Errorf("the same files again: %d new, %d versions, %d duplicates, %d documents; want 0 new and %d in all",
			again.Imported, again.Versions, again.Duplicates, len(again.Documents), total)
	}
	if listed := h.records("--everyone"); len(listed) != report.Imported { // the documents are about many people
		t.Errorf("hw records lists %d records after the second import, want %d", len(listed), report.Imported)
	}
}

// importJSON decodes hw import --json, with the lists it must always have.
func importJSON(t *testing.T, out []byte) wallet.ImportReport {
	t.Helper()
	var keys map[string]json.RawMessage
	if err := json.Unmarshal(out, &keys); err != nil {
		t.Fatalf("hw import --json: %v\n%s", err, out)
	}
	for _, k := range []string{"files", "documents", "cards", "rejected"} {
		if v, ok := keys[k]; !ok || string(v) == "null" {
			t.Fatalf("hw import --json has no %q list: %s", k, out)
		}
	}
	var r wallet.ImportReport
	if err := json.Unmarshal(out, &r); err != nil {
		t.Fatal(err)
	}
	return r
}
