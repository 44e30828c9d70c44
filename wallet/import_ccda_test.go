package wallet

import (
	"bytes"
	"context"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/antchfx/xmlquery"

	"healthwallet/wallet/record"
	"healthwallet/wallet/testcorpus"
)

// ken316 is the Synthea C-CDA document the wallet tests use.
const ken316 = "synthea/Ken316_Beier427_75489eb8-6b2e-ced8-bee8-ce8565816432.xml"

// TestImportCCDA imports a C-CDA document with files that are not C-CDA in
// one go: the document lands as its DocumentReference (the XML kept byte
// for byte) and its records, each pointing back at it; the others are
// refused with their reason; importing it again adds nothing.
func TestImportCCDA(t *testing.T) {
	dir := testcorpus.Dir(t, "ccda")
	doc := filepath.Join(dir, ken316)
	c32 := filepath.Join(dir, "blue-button/sense/c32_sample.xml")
	ncpdp := filepath.Join(dir, "blue-button/sense/newrx.xml")
	broken := filepath.Join(dir, "blue-button/sense/broken.xml")
	w := newTestWallet(t)

	report, err := w.Import(context.Background(), []string{c32, doc, ncpdp, broken}, nil)
	if err != nil {
		t.Fatal(err)
	}
	wantKinds := []string{FileRejected, FileCCDA, FileRejected, FileRejected}
	wantProblem := []string{"C32", "", "NCPDP", "broken XML"}
	for i, f := range report.Files {
		if f.Kind != wantKinds[i] || !strings.Contains(f.Problem, wantProblem[i]) {
			t.Errorf("file %s became %s (%q), want %s saying %q", filepath.Base(f.File), f.Kind, f.Problem, wantKinds[i], wantProblem[i])
		}
	}
	if len(report.Documents) != 1 {
		t.Fatalf("documents %+v, want Ken316's", report.Documents)
	}
	d := report.Documents[0]
	if d.File != filepath.Base(doc) || d.Kind != "Continuity of Care Document" || d.NotConverted == nil {
		t.Errorf("document report %+v", d)
	}
	records, _ := w.Records(Query{Person: Everyone})
	if d.Records != len(records) || report.Imported != len(records) || d.ByType["DocumentReference"] != 1 || d.ByType["Patient"] != 1 {
		t.Errorf("the report counts %d records (%v), the wallet holds %d", d.Records, d.ByType, len(records))
	}

	// The original is kept whole, and every converted record names it.
	var docRec record.Record
	for _, r := range records {
		if r.ResourceType == "DocumentReference" {
			docRec = r
		}
	}
	if docRec.Source == nil || docRec.Source.Kind != record.SourceCCDA || docRec.Source.Attachment == "" {
		t.Fatalf("the DocumentReference's provenance is %+v", docRec.Source)
	}
	for _, r := range records {
		if r.ID == docRec.ID {
			continue
		}
		if r.Source == nil || r.Source.Kind != record.SourceCCDA || r.Source.Document != docRec.ID || r.Source.File != filepath.Base(doc) {
			t.Errorf("%s %s: provenance %+v, want the C-CDA document %s", r.ResourceType, r.ResourceID, r.Source, docRec.ID)
		}
	}
	rc, info, err := w.OpenAttachment(docRec.ID)
	if err != nil {
		t.Fatal(err)
	}
	kept, _ := io.ReadAll(rc)
	rc.Close()
	original, _ := os.ReadFile(doc)
	if !bytes.Equal(kept, original) || info.ContentType != "application/xml" {
		t.Errorf("kept %d bytes (%s), the file has %d: not the same", len(kept), info.ContentType, len(original))
	}

	again, err := w.Import(context.Background(), []string{doc}, nil)
	if err != nil {
		t.Fatal(err)
	}
	if again.Imported != 0 || again.Versions != 0 || again.Duplicates != len(records) {
		t.Errorf("importing it again: %d new, %d versions, %d duplicates; want %d duplicates", again.Imported, again.Versions, again.Duplicates, len(records))
	}
	if after, _ := w.Records(Query{Person: Everyone}); len(after) != len(records) {
		t.Errorf("%d records after importing the same document again, want %d", len(after), len(records))
	}
}

// TestImportCCDANewerDocument imports a later edition of a document about
// the same patient: what changed becomes a new version, the rest are
// duplicates, and the new edition is kept beside the old.
func TestImportCCDANewerDocument(t *testing.T) {
	original, err := os.ReadFile(filepath.Join(testcorpus.Dir(t, "ccda"), ken316))
	if err != nil {
		t.Fatal(err)
	}
	newer := bytes.Replace(original, []byte("<given>Ken316</given>"), []byte("<given>Kenneth</given>"), 1)
	if bytes.Equal(newer, original) {
		t.Fatal("Ken316's document no longer names him <given>Ken316</given>: adjust the test")
	}
	dir := t.TempDir()
	first, second := filepath.Join(dir, "ken-2020.xml"), filepath.Join(dir, "ken-2021.xml")
	os.WriteFile(first, original, 0o600)
	os.WriteFile(second, newer, 0o600)
	w := newTestWallet(t)
	r1, err := w.Import(context.Background(), []string{first}, nil)
	if err != nil || len(r1.Documents) != 1 {
		t.Fatalf("first import: %v %+v", err, r1.Files)
	}
	r2, err := w.Import(context.Background(), []string{second}, nil)
	if err != nil || len(r2.Documents) != 1 {
		t.Fatalf("second import: %v %+v", err, r2.Files)
	}
	// New: the second document's DocumentReference. Version: the Patient.
	// Duplicates: every other resource.
	if r2.Imported != 1 || r2.Versions != 1 || r2.ByType["Patient"] != 1 || r2.Duplicates != r1.Imported-2 {
		t.Errorf("newer document: %d new, %d versions (%v), %d duplicates; want 1 new, the Patient a version, %d duplicates",
			r2.Imported, r2.Versions, r2.ByType, r2.Duplicates, r1.Imported-2)
	}
}

// TestDocumentSectionsKen316 reads the narrative of Ken316's document back
// from the vault, from its DocumentReference and from a record made from
// it: the sections the XML has, in its order, with their text.
func TestDocumentSectionsKen316(t *testing.T) {
	path := filepath.Join(testcorpus.Dir(t, "ccda"), ken316)
	w := newTestWallet(t)
	if _, err := w.Import(context.Background(), []string{path}, nil); err != nil {
		t.Fatal(err)
	}
	// The XML's own section titles and the allergy section's text, read
	// with another parser.
	file, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer file.Close()
	xml, err := xmlquery.Parse(file)
	if err != nil {
		t.Fatal(err)
	}
	var titles []string
	for _, title := range xmlquery.Find(xml, "//section/title") {
		titles = append(titles, strings.Join(strings.Fields(title.InnerText()), " "))
	}
	allergyText := strings.Join(strings.Fields(xmlquery.FindOne(xml, "//section[code/@code='48765-2']/text").InnerText()), " ")

	docs, _ := w.Records(Query{ResourceType: "DocumentReference"})
	patients, _ := w.Records(Query{ResourceType: "Patient"})
	if len(docs) != 1 || len(patients) != 1 {
		t.Fatalf("%d DocumentReferences and %d Patients, want one of each", len(docs), len(patients))
	}
	for _, id := range []string{docs[0].ID, patients[0].ID} {
		sections, err := w.DocumentSections(id)
		if err != nil {
			t.Fatal(err)
		}
		var got []string
		for _, s := range sections {
			got = append(got, s.Title)
		}
		if strings.Join(got, "|") != strings.Join(titles, "|") {
			t.Errorf("sections %q, the XML has %q", got, titles)
		}
		if len(sections) > 0 && (sections[0].Title != "Allergies" || sections[0].Text != allergyText) {
			t.Errorf("first section %q: %q, want Allergies: %q", sections[0].Title, sections[0].Text, allergyText)
		}
	}
}

// BenchmarkImportCCDA imports the largest Synthea C-CDA document into a new
// wallet: conversion, the kept XML and every record, in records per second.
func BenchmarkImportCCDA(b *testing.B) {
	dir := testcorpus.Dir(b, "ccda")
	var largest string
	var size int64
	for _, path := range testcorpus.Files(b, filepath.Join(dir, "synthea"), ".xml") {
		if st, err := os.Stat(path); err == nil && st.Size() > size {
			largest, size = path, st.Size()
		}
	}
	records := 0
	b.SetBytes(size)
	for b.Loop() {
		b.StopTimer()
		w, err := Create(b.TempDir(), testMnemonic, testPassword, "Ada Lovelace", fastKDF)
		if err != nil {
			b.Fatal(err)
		}
		b.StartTimer()
		report, err := w.Import(context.Background(), []string{largest}, nil)
		if err != nil || len(report.Documents) != 1 {
			b.Fatalf("%v %+v", err, report.Files)
		}
		records += report.Imported
		b.StopTimer()
		w.Close()
		b.StartTimer()
	}
	b.ReportMetric(float64(records)/b.Elapsed().Seconds(), "records/s")
}
