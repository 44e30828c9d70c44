package wallet

import (
	"bytes"
	"context"
	"crypto/ecdh"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/ethereum/go-ethereum/common"

	"healthwallet/wallet/relay"
	"healthwallet/wallet/share"
)

// TestDirectShareTakesNoUploadsFromTheNetwork: the patient's own direct
// share server has no management API on the network: a validly signed
// upload, list or revoke sent to it over HTTP finds nothing (issue 7,
// finding 3). The wallet still puts its share in, in process.
func TestDirectShareTakesNoUploadsFromTheNetwork(t *testing.T) {
	e := newShareEnv(t)
	importObservations(t, e.w, "net", 1)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	res, err := e.w.ShareDirect(ctx, ShareRequest{All: true, TTL: time.Hour, Purpose: "TREAT"}, "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	l, _ := share.ParseLink(res.Link)
	base := l.URL[:strings.Index(l.URL, "/shl/")]
	key, err := e.w.ChainKey()
	if err != nil {
		t.Fatal(err)
	}
	overNetwork, err := relay.NewClient(base, key, nil)
	if err != nil {
		t.Fatal(err)
	}
	_, err = overNetwork.CreateShare(ctx, relay.CreateRequest{
		Files:   []relay.File{{ContentType: "application/fhir+json", JWE: "e30..aaaa.aaaa.aaaa"}},
		Expires: time.Now().Add(time.Hour), GrantDigest: common.HexToHash("0x01"), SharingKey: mustSharingKey(t, e.w),
	})
	if !errors.Is(err, relay.ErrNotFound) {
		t.Fatalf("an upload over the network to the direct share server: %v, want 404", err)
	}
	if _, err := overNetwork.List(ctx); !errors.Is(err, relay.ErrNotFound) {
		t.Fatalf("a list over the network: %v, want 404", err)
	}
	if err := overNetwork.Revoke(ctx, res.ID); !errors.Is(err, relay.ErrNotFound) {
		t.Fatalf("a revoke over the network: %v, want 404", err)
	}
	mustAllOK(t, share.Open(ctx, res.Link, share.FetchOptions{Recipient: "Nurse"}, e.receiverInput()), 1)
}

func mustSharingKey(t *testing.T, w *Wallet) *ecdh.PublicKey {
	t.Helper()
	k, err := w.sharingKey()
	if err != nil {
		t.Fatal(err)
	}
	return k.PublicKey()
}

// TestDirectStoreKeepsNothingInClear: what the direct share server writes
// to disk holds no name, no record id or type or text, no recipient or
// purpose, no label, and not the patient's address or sharing key
// (issue 7, finding 5).
func TestDirectStoreKeepsNothingInClear(t *testing.T) {
	e := newShareEnv(t)
	raws := importObservations(t, e.w, "clear", 2)
	ctx, cancel := context.WithCancel(context.Background())
	res, err := e.w.ShareDirect(ctx, ShareRequest{All: true, TTL: time.Hour, Purpose: "TREAT", Label: "Ada's labs"}, "127.0.0.1:0")
	if err != nil {
		cancel()
		t.Fatal(err)
	}
	recipient := "Dr. Grace Hopper, Harbour Clinic"
	mustAllOK(t, share.Open(ctx, res.Link, share.FetchOptions{Recipient: recipient, Purpose: "ETREAT"}, e.receiverInput()), 2)
	if log, err := e.w.AccessLog(ctx); err != nil || len(log) == 0 || log[0].Who != recipient {
		t.Fatalf("the direct share's access log: %+v, %v", log, err)
	}
	cancel()
	time.Sleep(300 * time.Millisecond) // the server stops and closes its store

	recs, err := e.w.Records(Query{})
	if err != nil || len(recs) != 2 {
		t.Fatalf("records: %d, %v", len(recs), err)
	}
	sk, err := e.w.sharingKey()
	if err != nil {
		t.Fatal(err)
	}
	addr := common.HexToAddress(e.w.Address())
	secrets := map[string][]byte{
		"the patient's name":          []byte("Ada Lovelace"),
		"the recipient":               []byte(recipient),
		"the recipient's first words": []byte("Grace Hopper"),
		"the purpose":                 []byte("ETREAT"),
		"the label":                   []byte("Ada's labs"),
		"a resource type":             []byte("Observation"),
		"the patient's address":       addr.Bytes(),
		"the patient's address (hex)": []byte(strings.ToLower(hex.EncodeToString(addr.Bytes()))),
		"the patient's sharing key":   sk.PublicKey().Bytes(),
		"the sharing key (base64)":    []byte(base64.StdEncoding.EncodeToString(sk.PublicKey().Bytes())[:40]),
		"the sharing key (base64url)": []byte(base64.RawURLEncoding.EncodeToString(sk.PublicKey().Bytes())[:40]),
	}
	for i, r := range recs {
		secrets["record id "+r.ID] = []byte(r.ID)
		secrets["record text "+string(rune('0'+i))] = []byte(strings.Split(raws[i], `"text":"`)[1][:20])
	}
	var stored [][]byte
	err = filepath.WalkDir(filepath.Join(e.w.Dir(), "direct"), func(path string, d os.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		b, err := os.ReadFile(path)
		stored = append(stored, b)
		return err
	})
	if err != nil || len(stored) == 0 {
		t.Fatalf("reading the direct store: %d files, %v", len(stored), err)
	}
	for what, s := range secrets {
		for _, b := range stored {
			if bytes.Contains(b, s) || bytes.Contains(bytes.ToLower(b), bytes.ToLower(s)) {
				t.Errorf("the direct share store holds %s in clear", what)
			}
		}
	}
}
