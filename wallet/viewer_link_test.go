package wallet

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/ethereum/go-ethereum/common"
	"github.com/ethereum/go-ethereum/ethclient"

	"healthwallet/wallet/network"
	"healthwallet/wallet/relay"
	"healthwallet/wallet/share"
	"healthwallet/wallet/viewer"
)

// getViewerPage GETs url (a viewer URL: its fragment stays here, as a
// browser keeps it) and checks it is the viewer's page with its CSP.
func getViewerPage(t *testing.T, viewerURL string) {
	t.Helper()
	page, _, _ := strings.Cut(viewerURL, "#")
	resp, err := http.Get(page)
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK || resp.Header.Get("Content-Security-Policy") != viewer.ContentSecurityPolicy || !bytes.Contains(body, []byte("viewer.js")) {
		t.Fatalf("GET %s: %d, CSP %q, %.100s", page, resp.StatusCode, resp.Header.Get("Content-Security-Policy"), body)
	}
}

// TestShareLinksOpenTheViewer: on a real network node, a share's link and
// QR are the node's viewer URL (<relay>/view#shlink:/…, ≤ 300 characters,
// the same as ShareResult.Viewer), whose page the node serves; a doctor's
// wallet opens and verifies both that form and the bare shlink:/. A direct
// share's link is the patient's device's own viewer, which serves the page,
// a network document naming the wallet's network "through the patient's
// device", and a read-only /rpc through which a receiver verifies the
// share completely; that /rpc sends no transaction.
func TestShareLinksOpenTheViewer(t *testing.T) {
	ctx := context.Background()
	node, err := network.Start(ctx, network.ServerConfig{Listen: "127.0.0.1:0", DataDir: t.TempDir(), Name: "Riverside Clinic",
		BlockPeriod: time.Second, Logger: slog.New(slog.DiscardHandler)})
	if err != nil {
		t.Fatal(err)
	}
	defer node.Close()
	info := node.Info()
	if info.Document.Viewer != network.ViewerHash(viewer.BundleHash()) {
		t.Fatalf("the node's document names viewer %q", info.Document.Viewer)
	}
	patient, doctor := newTestWallet(t), newTestWallet(t)
	for _, w := range []*Wallet{patient, doctor} {
		if _, err := w.JoinNetwork(ctx, info.JoinURL, ""); err != nil {
			t.Fatal(err)
		}
	}
	importObservations(t, patient, "view", 2)
	anchorUntilDone(t, patient)

	res, err := patient.Share(ctx, ShareRequest{All: true, TTL: time.Hour, Purpose: "TREAT", Label: "For Dr. Smith"})
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(res.Link, info.URL+"/view#shlink:/") || res.Viewer != res.Link || len(res.Link) > share.MaxLinkLength {
		t.Fatalf("link %q (%d characters), viewer %q", res.Link, len(res.Link), res.Viewer)
	}
	if text, err := share.DecodeQRImage(bytes.NewReader(res.QR)); err != nil || text != res.Link {
		t.Fatalf("the QR holds %q, %v", text, err)
	}
	getViewerPage(t, res.Viewer)
	l, err := share.ParseLink(res.Link)
	if err != nil {
		t.Fatal(err)
	}
	for _, form := range []string{res.Link, l.String()} {
		got, err := doctor.Receive(ctx, form, ReceiveOptions{Recipient: "Dr. Smith"})
		if err != nil || !got.Verified || len(got.Records) != 2 {
			t.Fatalf("the doctor opens %.40s…: verified %v, %d records, %v, failed %+v", form, got.Verified, len(got.Records), err, got.Failed())
		}
	}
	var shares []ShareInfo
	if shares, err = patient.Shares(ctx); err != nil || len(shares) != 1 || shares[0].Link != res.Link {
		t.Fatalf("the share list keeps the viewer link: %+v, %v", shares, err)
	}

	// The direct share: the patient's device serves the viewer and what it
	// verifies against.
	dctx, stop := context.WithCancel(ctx)
	defer stop()
	direct, err := patient.ShareDirect(dctx, ShareRequest{All: true, TTL: time.Hour, Purpose: "TREAT"}, "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	dl, err := share.ParseLink(direct.Link)
	if err != nil {
		t.Fatal(err)
	}
	base := dl.URL[:strings.Index(dl.URL, "/shl/")]
	if !strings.HasPrefix(base, "http://127.0.0.1:") || direct.Viewer != base+"/view#"+dl.String() || direct.Link != direct.Viewer {
		t.Fatalf("direct link %q, viewer %q", direct.Link, direct.Viewer)
	}
	getViewerPage(t, direct.Viewer)
	resp, err := http.Get(base + network.WellKnownPath)
	if err != nil {
		t.Fatal(err)
	}
	raw, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	doc, err := network.ParseDocument(raw)
	if err != nil {
		t.Fatalf("the direct share's document %s: %v", raw, err)
	}
	if doc.Name != "Riverside Clinic, through the patient's device" || doc.ChainID != info.Document.ChainID || doc.Registry != info.Document.Registry ||
		len(doc.RPC) != 1 || doc.RPC[0] != base+"/rpc" || doc.Relay != base || doc.Joinable() || doc.Viewer != info.Document.Viewer {
		t.Fatalf("the direct share's document %+v", doc)
	}
	ec, err := ethclient.DialContext(ctx, doc.RPC[0])
	if err != nil {
		t.Fatal(err)
	}
	defer ec.Close()
	registry := common.HexToAddress(doc.Registry)
	in := share.VerifyInput{Chain: share.NewChainReader(ec, registry), ExpectRegistry: registry}
	mustAllOK(t, share.Open(ctx, direct.Link, share.FetchOptions{Recipient: "Nurse"}, in), 2)
	resp, err = http.Post(doc.RPC[0], "application/json", strings.NewReader(`{"jsonrpc":"2.0","id":1,"method":"eth_sendRawTransaction","params":["0x00"]}`))
	if err != nil {
		t.Fatal(err)
	}
	raw, _ = io.ReadAll(resp.Body)
	resp.Body.Close()
	var answer struct {
		Error *struct{ Message string } `json:"error"`
	}
	if err := json.Unmarshal(raw, &answer); err != nil || answer.Error == nil || !strings.Contains(answer.Error.Message, "not allowed") {
		t.Fatalf("the direct share's /rpc took a transaction: %s", raw)
	}
}

// TestShareLinkTooLongForQR: a relay with a long URL and a label make a
// viewer link over 300 characters: the share is refused before anything
// is signed or uploaded, saying to shorten the label; without the label
// it fits.
func TestShareLinkTooLongForQR(t *testing.T) {
	e := newShareEnv(t)
	ctx := context.Background()
	importObservations(t, e.w, "long", 1)
	// The relay's URL as a proxy in front of it would give it: long, and
	// still within the SHL spec's 128-character manifest URLs.
	long := "https://relay.riverside-clinic.example"
	if _, err := relay.ParsePublicURL(long); err != nil {
		t.Fatal(err)
	}
	req := ShareRequest{All: true, TTL: time.Hour, Purpose: "TREAT", Relay: long, Label: "Glucose and lipids for Dr. Smith at City Clinic"}
	_, err := e.w.Share(ctx, req)
	if err == nil || !strings.Contains(err.Error(), "keep its QR code small: shorten the label") {
		t.Fatalf("a share with a %d-character relay URL and a long label: %v", len(long), err)
	}
	if shares, _ := e.w.Shares(ctx); len(shares) != 0 {
		t.Fatalf("a refused share left %d shares", len(shares))
	}
	req.Label = ""
	if err := checkLinkFits(req, long); err != nil {
		t.Fatalf("without the label: %v", err)
	}
	// So an emergency card on that relay drops its label (MakeEmergencyCard).
	if checkLinkFits(ShareRequest{TTL: DefaultEmergencyTTL, Label: EmergencyLabel}, long) == nil ||
		checkLinkFits(ShareRequest{TTL: DefaultEmergencyTTL}, long) != nil {
		t.Fatal("the emergency label fits a long relay URL's link: the fallback is not exercised")
	}
	// The check matches the link as made: the longest label that passes
	// it gives a link of at most 300 characters.
	res, err := e.w.Share(ctx, ShareRequest{All: true, TTL: time.Hour, Purpose: "TREAT", Label: "For Dr. Smith"})
	if err != nil {
		t.Fatal(err)
	}
	l, _ := share.ParseLink(res.Link)
	label := ""
	for n := 1; n <= share.MaxLabelLength; n++ {
		if checkLinkFits(ShareRequest{TTL: time.Hour, Label: strings.Repeat("x", n)}, e.http.URL) != nil {
			break
		}
		label = strings.Repeat("x", n)
	}
	l.Label = label
	if got, err := viewerLink(l, e.http.URL); err != nil || len(got) > share.MaxLinkLength || len(got) < share.MaxLinkLength-3 {
		t.Fatalf("the longest label that fits (%d) makes a link of %d characters: %v", len(label), len(got), err)
	}
}

// TestDirectShareOnTheDevicesOwnChain: a wallet on no network (its own
// embedded chain) still serves its direct share's viewer a document, which
// says honestly that the chain is the patient's own device's, and a /rpc
// over the embedded chain through which the share verifies.
func TestDirectShareOnTheDevicesOwnChain(t *testing.T) {
	ctx, stop := context.WithCancel(context.Background())
	defer stop()
	w := newTestWallet(t)
	importObservations(t, w, "own", 1)
	anchorUntilDone(t, w)
	res, err := w.ShareDirect(ctx, ShareRequest{All: true, TTL: time.Hour, Purpose: "TREAT"}, "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	base := res.Viewer[:strings.Index(res.Viewer, "/view#")]
	resp, err := http.Get(base + network.WellKnownPath)
	if err != nil {
		t.Fatal(err)
	}
	raw, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	doc, err := network.ParseDocument(raw)
	if err != nil || doc.Name != "the patient's own device (no shared network)" || doc.RPC[0] != base+"/rpc" {
		t.Fatalf("document %s: %+v, %v", raw, doc, err)
	}
	ec, err := ethclient.DialContext(ctx, doc.RPC[0])
	if err != nil {
		t.Fatal(err)
	}
	defer ec.Close()
	registry := common.HexToAddress(doc.Registry)
	mustAllOK(t, share.Open(ctx, res.Link, share.FetchOptions{Recipient: "Nurse"}, share.VerifyInput{Chain: share.NewChainReader(ec, registry), ExpectRegistry: registry}), 1)
}
