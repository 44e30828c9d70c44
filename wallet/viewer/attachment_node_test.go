package viewer_test

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"healthwallet/wallet"
	"healthwallet/wallet/share"
)

// A share with a kept PDF opens the same in the web viewer as in hw
// receive: verified as sent; and when whoever holds the link swaps, cuts or
// removes the file's data (re-encrypted with the link's key), both refuse
// it with the same checks and the same reason naming the attachment.
func TestViewerKeptFiles(t *testing.T) {
	f := newFixture(t, 0)
	ctx := context.Background()
	pdf := append([]byte("%PDF-1.4\n"), bytes.Repeat([]byte("lab values 42\n"), 20_000)...)
	path := filepath.Join(t.TempDir(), "Lab report.pdf")
	if err := os.WriteFile(path, pdf, 0o600); err != nil {
		t.Fatal(err)
	}
	if rep, err := f.patient.Import(ctx, []string{path}, nil); err != nil || rep.Imported != 1 {
		t.Fatalf("import of a PDF: %+v, %v", rep, err)
	}
	anchorAll(t, f.patient)

	t.Run("as sent", func(t *testing.T) {
		res := f.share(t, wallet.ShareRequest{})
		js := openJS(t, openArgs{Link: res.Link, Network: f.doc, Origin: f.info.URL})
		got, err := f.receive(t, res.Link, wallet.ReceiveOptions{})
		if err != nil {
			t.Fatal(err)
		}
		sameAsReceive(t, js, got)
		if js.State != "verified" || len(got.Attachments) != 1 || !bytes.Equal(got.Attachments[0].Data, pdf) {
			t.Fatalf("JS %q (%s); Go %d attachments", js.State, checkList(js.Checks), len(got.Attachments))
		}
		// The page offers the same file for download, on its record.
		sum := sha256.Sum256(pdf)
		if len(js.Attachments) != 1 || js.Attachments[0].Data != len(pdf) || js.Attachments[0].Size != len(pdf) ||
			js.Attachments[0].SHA256 != hex.EncodeToString(sum[:]) || js.Attachments[0].Title != "Lab report" {
			t.Fatalf("JS offers %+v; want the PDF (%d bytes)", js.Attachments, len(pdf))
		}
		if i := js.Attachments[0].Index; i < 0 || i >= len(js.Records) || !bytes.Contains(js.Records[i], []byte(`"DocumentReference"`)) {
			t.Errorf("JS puts the file on record %d, not its DocumentReference", i)
		}
	})

	for _, c := range []struct {
		name, reason string
		edit         func(att map[string]any)
	}{
		{"data swapped", `"Lab report": its data's SHA-256 is not the one the record states`, func(att map[string]any) {
			alt := bytes.Replace(pdf, []byte("42"), []byte("24"), 1)
			att["data"] = base64.StdEncoding.EncodeToString(alt)
		}},
		{"data cut", `"Lab report": its data is 1000 bytes, the record says`, func(att map[string]any) {
			att["data"] = base64.StdEncoding.EncodeToString(pdf[:1000])
		}},
		{"data removed", `"Lab report": its file was not received`, func(att map[string]any) { delete(att, "data") }},
		{"size changed", `the record says 12`, func(att map[string]any) { att["size"] = 12 }},
	} {
		t.Run(c.name, func(t *testing.T) {
			res := f.share(t, wallet.ShareRequest{})
			l, _ := share.ParseLink(res.Link)
			proxy := newRecordingProxy(t, f.info.URL)
			edited := false
			proxy.edit = editManifest(t, func(files []map[string]any) []map[string]any {
				for _, file := range files {
					if file["contentType"] != share.ContentTypeFHIR {
						continue
					}
					pt, cty, err := share.DecryptFile(file["embedded"].(string), l.Key[:])
					if err != nil {
						t.Error(err)
						return files
					}
					var b map[string]any
					if err := json.Unmarshal(pt, &b); err != nil {
						t.Error(err)
						return files
					}
					for _, e := range b["entry"].([]any) {
						r := e.(map[string]any)["resource"].(map[string]any)
						if r["resourceType"] == "DocumentReference" {
							c.edit(r["content"].([]any)[0].(map[string]any)["attachment"].(map[string]any))
							edited = true
						}
					}
					out, _ := json.Marshal(b)
					if file["embedded"], err = share.EncryptFile(out, l.Key[:], cty); err != nil {
						t.Error(err)
					}
				}
				return files
			})
			link := viaProxy(t, res.Link, proxy.URL)
			js := openJS(t, openArgs{Link: link, Network: f.doc, Origin: f.info.URL})
			got, err := f.receive(t, link, wallet.ReceiveOptions{})
			if err != nil {
				t.Fatal(err)
			}
			if !edited {
				t.Fatal("the share's files hold no DocumentReference to alter")
			}
			sameAsReceive(t, js, got)
			ch := failed(js, share.CheckCovered)
			if js.State == "verified" || ch == nil || !strings.Contains(ch.Detail, c.reason) || failed(js, share.CheckCommitments) == nil {
				t.Fatalf("JS %q: %s", js.State, checkList(js.Checks))
			}
			if len(got.Attachments) != 0 || len(js.Attachments) != 0 {
				t.Errorf("Go offers %d attachments, JS %d, from a tampered share", len(got.Attachments), len(js.Attachments))
			}
		})
	}
}
