package share

import (
	"bytes"
	"context"
	"crypto/sha1"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/ethereum/go-ethereum/common"
)

// keptFile is a file the wallet keeps and its DocumentReference, in the
// shape the import writes (see the brief's shared decisions).
type keptFile struct {
	data     []byte
	resource []byte
}

func newKeptFile(title, contentType string, data []byte) keptFile {
	s256 := sha256.Sum256(data)
	s1 := sha1.Sum(data)
	res := fmt.Appendf(nil, `{"resourceType":"DocumentReference","id":"doc-%s","status":"current",`+
		`"category":[{"text":"Lab report"}],"date":"2026-11-02","description":%q,`+
		`"content":[{"attachment":{"contentType":%q,"title":%q,"size":%d,"hash":%q,`+
		`"extension":[{"url":%q,"valueString":%q}]}}]}`,
		hex.EncodeToString(s256[:16]), title, contentType, title, len(data), base64.StdEncoding.EncodeToString(s1[:]),
		AttachmentSHA256Extension, hex.EncodeToString(s256[:]))
	return keptFile{data: data, resource: res}
}

func (k keptFile) open() (io.ReadCloser, error) { return io.NopCloser(bytes.NewReader(k.data)), nil }

// pdfBytes is n bytes that start like a PDF and do not compress.
func pdfBytes(n int, seed uint64) []byte {
	b := make([]byte, n)
	r := rand.New(rand.NewPCG(seed, seed))
	for i := range b {
		b[i] = byte(r.Uint32())
	}
	copy(b, "%PDF-1.7\n")
	return b
}

// attachmentFixture shares 3 observations, a 10 MB PDF and a small photo.
func attachmentFixture(t testing.TB) (*fixture, keptFile, keptFile) {
	t.Helper()
	f := &fixture{t: t, now: time.Unix(1_750_000_000, 0).UTC(), patient: mustKey(t, "patient")}
	f.chain = newFakeChain(f.now)
	pdf := newKeptFile("Blood panel 2026.pdf", "application/pdf", pdfBytes(10<<20, 1))
	photo := newKeptFile("rash.jpg", "image/jpeg", pdfBytes(3000, 2))
	res := [][]byte{testResource(0), pdf.resource, testResource(1), photo.resource, testResource(2)}
	f.records = anchorBatch(t, f.chain, f.patient.addr, res)
	f.records[1].Attachment = pdf.open
	f.records[3].Attachment = photo.open
	var err error
	if f.key, err = NewKey(); err != nil {
		t.Fatal(err)
	}
	f.share = f.build(f.patient, common.Hash{})
	f.chain.issue(f.share.Digest, f.patient.addr, f.patient.addr, f.share.Grant.Expiry)
	f.link = Link{URL: "https://relay.example/shl/abc", Key: f.key, Exp: f.now.Add(time.Hour)}
	return f, pdf, photo
}

// A share with a 10 MB PDF and a small photo: the PDF's record is alone in
// an uncompressed file, the rest within jose's limit; the receiver verifies
// it, gets both files byte-identical and the records without their data.
func TestShareCarriesKeptFiles(t *testing.T) {
	f, pdf, photo := attachmentFixture(t)
	files := f.files(f.share)
	if len(files) != 3 {
		t.Fatalf("%d files; want the records' Bundle, the PDF's alone and the proof", len(files))
	}
	if n := len(entriesOf(t, files[1].Plaintext)); n != 1 || !bytes.Contains(files[1].Plaintext, []byte("Blood panel")) {
		t.Fatalf("file 1 holds %d records; want the PDF's record alone", n)
	}
	if n := len(entriesOf(t, files[0].Plaintext)); n != 4 || len(files[0].Plaintext) > MaxInflatedFile {
		t.Fatalf("file 0 holds %d records in %d bytes; want the 4 others within %d", n, len(files[0].Plaintext), MaxInflatedFile)
	}
	for i, ef := range f.share.Files {
		if _, zip := jweHeaderOf(t, ef.JWE)["zip"]; zip && len(files[i].Plaintext) > MaxInflatedFile {
			t.Errorf("file %d compressed with %d bytes of plaintext", i, len(files[i].Plaintext))
		}
	}
	t.Logf("a 10 MiB PDF: %d bytes of record, %d bytes of JWE", len(files[1].Plaintext), len(f.share.Files[1].JWE))

	r := Verify(context.Background(), f.input(files))
	assertVerified(t, r)
	if len(r.Records) != 5 || len(r.Attachments) != 2 {
		t.Fatalf("%d records and %d attachments; want 5 and 2", len(r.Records), len(r.Attachments))
	}
	got := map[string]ReceivedAttachment{}
	for _, a := range r.Attachments {
		got[a.Title] = a
	}
	for _, k := range []keptFile{pdf, photo} {
		var want struct {
			Content []struct {
				Attachment struct{ Title string }
			}
		}
		_ = json.Unmarshal(k.resource, &want)
		a, ok := got[want.Content[0].Attachment.Title]
		if !ok || !bytes.Equal(a.Data, k.data) || a.Size != int64(len(k.data)) {
			t.Errorf("%s: not received byte-identical", want.Content[0].Attachment.Title)
		}
	}
	for _, rec := range r.Records {
		if bytes.Contains(rec, []byte(`"data"`)) {
			t.Errorf("a record shown with its data still in it: %.80s", rec)
		}
	}
}

// rewrite applies fn to the first content attachment of the PDF's record in
// the share's file 1 and returns the files.
func rewrite(t *testing.T, files []File, fn func(att map[string]any, res map[string]any)) []File {
	t.Helper()
	out := slices.Clone(files)
	var b map[string]any
	if err := json.Unmarshal(files[1].Plaintext, &b); err != nil {
		t.Fatal(err)
	}
	res := b["entry"].([]any)[0].(map[string]any)["resource"].(map[string]any)
	att := res["content"].([]any)[0].(map[string]any)["attachment"].(map[string]any)
	fn(att, res)
	pt, err := json.Marshal(b)
	if err != nil {
		t.Fatal(err)
	}
	out[1] = File{ContentType: files[1].ContentType, Plaintext: pt}
	return out
}

// What an attacker who holds the link (or a relay, were it able to) can do
// to a kept file in a share: each is caught, the share not verified, and
// the message names the attachment or its record.
func TestShareKeptFileAttacks(t *testing.T) {
	f, pdf, _ := attachmentFixture(t)
	files := f.files(f.share)
	ctx := context.Background()
	other := pdfBytes(len(pdf.data), 99)
	ref := "DocumentReference/doc-"

	cases := []struct {
		name    string
		fn      func(att, res map[string]any)
		check   string
		mention string
	}{
		{"data bytes swapped", func(att, _ map[string]any) {
			att["data"] = base64.StdEncoding.EncodeToString(other)
		}, CheckCovered, `"Blood panel 2026.pdf"`},
		{"data truncated", func(att, _ map[string]any) {
			att["data"] = base64.StdEncoding.EncodeToString(pdf.data[:len(pdf.data)/2])
		}, CheckCovered, `"Blood panel 2026.pdf"`},
		{"data removed", func(att, _ map[string]any) {
			delete(att, "data")
		}, CheckCovered, `"Blood panel 2026.pdf": its file was not received`},
		{"data swapped with size, hashes and extension to match", func(att, _ map[string]any) {
			s256, s1 := sha256.Sum256(other[:1000]), sha1.Sum(other[:1000])
			att["data"] = base64.StdEncoding.EncodeToString(other[:1000])
			att["size"] = 1000
			att["hash"] = base64.StdEncoding.EncodeToString(s1[:])
			att["extension"] = []any{map[string]any{"url": AttachmentSHA256Extension, "valueString": hex.EncodeToString(s256[:])}}
		}, CheckCommitments, ref},
		{"size changed", func(att, _ map[string]any) { att["size"] = 12 }, CheckCovered, `"Blood panel 2026.pdf"`},
		{"extension removed, data kept", func(att, _ map[string]any) { delete(att, "extension") }, CheckCommitments, ref},
		{"a second content entry with data", func(_, res map[string]any) {
			res["content"] = append(res["content"].([]any), map[string]any{"attachment": map[string]any{
				"contentType": "application/pdf", "data": base64.StdEncoding.EncodeToString(other[:100])}})
		}, CheckCommitments, ref},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			r := Verify(ctx, f.input(rewrite(t, files, c.fn)))
			got := assertFailed(t, r, c.check)
			if !strings.Contains(got.Detail, c.mention) {
				t.Errorf("%s: %q does not name %s", c.check, got.Detail, c.mention)
			}
			assertFailed(t, r, CheckCommitments)
			for _, a := range r.Attachments {
				if a.Title == "Blood panel 2026.pdf" || a.Size != 3000 {
					t.Errorf("the tampered file %q offered", a.Title)
				}
			}
		})
	}

	t.Run("data on a record that is not a DocumentReference", func(t *testing.T) {
		out := slices.Clone(files)
		var b map[string]any
		if err := json.Unmarshal(files[0].Plaintext, &b); err != nil {
			t.Fatal(err)
		}
		obs := b["entry"].([]any)[0].(map[string]any)["resource"].(map[string]any)
		obs["valueAttachment"] = map[string]any{"data": base64.StdEncoding.EncodeToString(other[:100]), "size": 100,
			"extension": []any{map[string]any{"url": AttachmentSHA256Extension, "valueString": strings.Repeat("0", 64)}}}
		pt, _ := json.Marshal(b)
		out[0] = File{ContentType: files[0].ContentType, Plaintext: pt}
		r := Verify(ctx, f.input(out))
		if c := assertFailed(t, r, CheckCommitments); !strings.Contains(c.Detail, "Observation/obs-0") {
			t.Errorf("commitments: %q does not name the record", c.Detail)
		}
	})
}

// A record whose file is not the one it states is never shared.
func TestBuildShareRefusesAChangedFile(t *testing.T) {
	f, _, photo := attachmentFixture(t)
	f.records[3].Attachment = func() (io.ReadCloser, error) {
		return io.NopCloser(bytes.NewReader(pdfBytes(len(photo.data), 7))), nil
	}
	_, err := BuildShare(ShareRequest{
		Records: f.records, Key: f.key, Patient: f.patient.addr, Signer: f.patient.key,
		PurposeCode: "TREAT", NotBefore: f.now.Add(-time.Minute), Expiry: f.now.Add(time.Hour),
		ChainID: testChainID, Registry: testRegistry,
	})
	if err == nil || !strings.Contains(err.Error(), "DocumentReference/doc-") || !strings.Contains(err.Error(), "hash") {
		t.Fatalf("err = %v; want the record named and its file's hash refused", err)
	}
}

// FuzzReceiveAttachments: a stranger's record never panics the check, and
// what passes carries data that matches its stated size and SHA-256.
func FuzzReceiveAttachments(f *testing.F) {
	k := newKeptFile("a.pdf", "application/pdf", []byte("%PDF-1.4 tiny"))
	var b bytes.Buffer
	_ = withAttachmentData(&b, k.resource, bytes.NewReader(k.data))
	f.Add(b.Bytes())
	f.Add(k.resource)
	f.Add([]byte(`{"resourceType":"DocumentReference","content":[{"attachment":{"data":"!!","size":-1,"extension":[{"url":"` + AttachmentSHA256Extension + `","valueString":"zz"}]}}]}`))
	f.Fuzz(func(t *testing.T, raw []byte) {
		_, files, _ := receiveAttachments(raw)
		for _, a := range files {
			sum := sha256.Sum256(a.Data)
			if hex.EncodeToString(sum[:]) != a.SHA256 || int64(len(a.Data)) != a.Size {
				t.Fatalf("passed a file that does not match: %+v", a)
			}
		}
	})
}

// A received file's name comes from its title, never a path: a title that
// climbs out of the directory or names a device is made a plain name.
func TestReceivedAttachmentFileName(t *testing.T) {
	sum := strings.Repeat("ab", 32)
	for title, want := range map[string]string{
		"Blood panel.pdf":       "Blood panel.pdf",
		"../../etc/passwd":      "passwd.pdf",
		`..\..\Windows\win.ini`: "win.ini",
		"..":                    "document-abababababab.pdf",
		"":                      "document-abababababab.pdf",
		".bashrc":               "bashrc.pdf",
		"scan\x00.pdf":          "scan_.pdf",
		"letter":                "letter.pdf",
		"/":                     "document-abababababab.pdf",
		"a:b|c?.pdf":            "a_b_c_.pdf",
		strings.Repeat("é", 80): strings.Repeat("é", 50) + ".pdf",
	} {
		got := ReceivedAttachment{Title: title, ContentType: "application/pdf", SHA256: sum}.FileName()
		if got != want {
			t.Errorf("title %q: %q; want %q", title, got, want)
		}
	}
}
