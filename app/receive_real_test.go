package app

import (
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/ethereum/go-ethereum/common"

	"healthwallet/chain/chaintest"
	"healthwallet/wallet"
	"healthwallet/wallet/share"
)

// Issue 7, finding 1, in the app over the real wallet: a patient's wallet
// shares on a real chain (hw chain serve), served by the wallet itself; the
// holder of the link hosts a copy with one more record under the link's
// key; the doctor's app, on the real backend, opens both. The patient's own
// link is Verified; the copy is not, and its added record is listed apart.
func TestReceiveRehostedShareInTheApp(t *testing.T) {
	served := chaintest.StartServe(t)
	ctx, stop := context.WithCancel(context.Background())
	defer stop()
	mnemonic, err := wallet.NewMnemonic()
	if err != nil {
		t.Fatal(err)
	}
	opts := wallet.Options{KDFTime: 1, KDFMemoryKiB: 8 << 10, KDFThreads: 1, Chain: served.URL}
	patient, err := wallet.Create(t.TempDir(), mnemonic, []byte("correct horse battery"), "Ada Lovelace", opts)
	if err != nil {
		t.Fatal(err)
	}
	defer patient.Close()
	served.Fund(common.HexToAddress(patient.Address()))
	obs := filepath.Join(t.TempDir(), "obs.json")
	if err := os.WriteFile(obs, []byte(`{"resourceType":"Observation","id":"g1","status":"final","code":{"text":"Glucose"},"valueQuantity":{"value":99,"unit":"mg/dL"},"effectiveDateTime":"2024-03-01"}`), 0o600); err != nil {
		t.Fatal(err)
	}
	if _, err := patient.Import(ctx, []string{obs}, nil); err != nil {
		t.Fatal(err)
	}
	res, err := patient.ShareDirect(ctx, wallet.ShareRequest{All: true, TTL: time.Hour, Purpose: "TREAT"}, "127.0.0.1:0")
	if err != nil || res.Problem != "" {
		t.Fatalf("the patient's direct share: %+v, %v", res, err)
	}

	// The link's holder: every file as served, re-encrypted under the
	// link's key, plus a lone resource.
	link, err := share.ParseLink(res.Link)
	if err != nil {
		t.Fatal(err)
	}
	m, err := share.Fetch(ctx, link, share.FetchOptions{Recipient: "someone with the link"})
	if err != nil {
		t.Fatal(err)
	}
	files := append(m.Files, share.File{ContentType: share.ContentTypeFHIR,
		Plaintext: []byte(`{"resourceType":"Condition","id":"forged","code":{"text":"Forged diagnosis"}}`)})
	var doc share.ManifestDocument
	for _, f := range files {
		jwe, err := share.EncryptFile(f.Plaintext, link.Key[:], f.ContentType)
		if err != nil {
			t.Fatal(err)
		}
		doc.Files = append(doc.Files, share.ManifestEntry{ContentType: f.ContentType, Embedded: jwe})
	}
	copySrv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		json.NewEncoder(w).Encode(doc)
	}))
	defer copySrv.Close()
	forged := link
	forged.URL = copySrv.URL + "/m"

	h := newHarness(t, NewBackend(t.TempDir(), wallet.Options{Chain: served.URL}), desktopSize, false)
	h.tap("Receive a share (for doctors)")
	h.typeInto(h.entry("Paste a link or scan a QR code"), res.Link)
	h.tap("Open")
	h.see(verifiedLine)
	h.dontSee("Forged diagnosis")

	h.typeInto(h.entry("Paste a link or scan a QR code"), forged.String())
	h.tap("Open")
	h.dontSee(verifiedLine)
	h.see("Intact, but 1 record was added after it was shared: shown apart, do not rely on it")
	h.see("Every record covered by the patient's consent: 1 record(s) not covered")
	h.see("Covered by the patient's consent (1)")
	h.see("Not covered by the patient's consent (1)")
	h.see("Forged diagnosis")
	h.see("not among the records the patient consented to share")
}
