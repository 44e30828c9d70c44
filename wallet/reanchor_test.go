package wallet

import (
	"context"
	"log/slog"
	"net/http"
	"strings"
	"testing"
	"time"

	"healthwallet/wallet/network"
	"healthwallet/wallet/share"
)

// Records anchored on one chain move with the wallet: a patient who
// imported and anchored on the wallet's own chain, then joined a network
// on another chain (its own node, another registry), shares, and a doctor
// on that network verifies every record anchored — on the network's chain,
// where the share's proofs now lead.
func TestRecordsAreAnchoredAgainOnAJoinedNetwork(t *testing.T) {
	ctx := context.Background()
	patient := newTestWallet(t)
	importObservations(t, patient, "moved", 3)
	anchorUntilDone(t, patient)
	before := patient.ChainSettings()

	srv, err := network.Start(ctx, network.ServerConfig{Listen: "127.0.0.1:0", DataDir: t.TempDir(), Name: "Riverside Clinic",
		BlockPeriod: time.Second, Logger: slog.New(slog.DiscardHandler)})
	if err != nil {
		t.Fatal(err)
	}
	defer srv.Close()
	info := srv.Info()
	m, err := patient.JoinNetwork(ctx, info.JoinURL, "")
	if err != nil {
		t.Fatal(err)
	}
	if m.Registry == before.Registry {
		t.Fatalf("the network's registry %s is the wallet's own chain's: the test proves nothing", m.Registry)
	}
	res, err := patient.Share(ctx, ShareRequest{All: true, TTL: time.Hour, Purpose: "TREAT"})
	if err != nil || res.Problem != "" {
		t.Fatalf("share: %q, %v", res.Problem, err)
	}

	doctor, err := Create(t.TempDir(), doctorMnemonic, testPassword, "Dr. Lee", fastKDF)
	if err != nil {
		t.Fatal(err)
	}
	defer doctor.Close()
	if _, err := doctor.JoinNetwork(ctx, info.JoinURL, ""); err != nil {
		t.Fatal(err)
	}
	got, err := doctor.Receive(ctx, res.Link, ReceiveOptions{HTTP: &http.Client{Timeout: 10 * time.Second}})
	if err != nil {
		t.Fatal(err)
	}
	if c, ok := got.Find(share.CheckAnchored); !ok || !c.OK || !got.Verified || len(got.Records) != 3 {
		t.Fatalf("doctor on the joined network: verified %v, %d records, anchored check %+v (found %v), failed %+v",
			got.Verified, len(got.Records), c, ok, got.Failed())
	}

	// Every record is anchored on the network now, and the next Anchor
	// makes no further batch.
	recs, err := patient.Records(Query{})
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range recs {
		if v, err := patient.Verify(ctx, r.ID); err != nil || !v.Valid {
			t.Fatalf("record %s on the joined network: %+v, %v", r.ID, v, err)
		}
	}
	rep, err := patient.Anchor(ctx)
	if err != nil {
		t.Fatal(err)
	}
	for _, b := range rep.Batches {
		if b.New {
			t.Fatalf("anchoring again on the same network made a batch: %+v", rep)
		}
	}
	if strings.Contains(rep.Problem, "registry") {
		t.Fatalf("anchor: %+v", rep)
	}
}
