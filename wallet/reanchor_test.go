package wallet

import (
	"context"
	"encoding/json"
	"log/slog"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/ethereum/go-ethereum/common"

	"healthwallet/chain/outbox"
	"healthwallet/wallet/network"
	"healthwallet/wallet/share"
	"healthwallet/wallet/vault"
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

// A batch from before batches knew their chain, whose row does not say
// either (a network sent it), is anchored again once on the chain in force
// — safe, it costs one batch — and after that the wallet's anchors stay
// where they are: the next Anchor makes no batch, every record verifies.
func TestBatchesOfAnUnknownChainAreAnchoredAgainOnce(t *testing.T) {
	ctx := context.Background()
	w := newTestWallet(t)
	importObservations(t, w, "legacy", 2)
	anchorUntilDone(t, w)
	err := w.vault.Update(func(tx *vault.Tx) error {
		var old []batch
		if err := tx.ForEachState(spaceBatch, func(_, v []byte) error {
			var b batch
			if err := json.Unmarshal(v, &b); err != nil {
				return err
			}
			old = append(old, b)
			return nil
		}); err != nil {
			return err
		}
		for _, b := range old {
			b.ChainID, b.Registry = 0, common.Address{}
			if err := putBatch(tx, b); err != nil {
				return err
			}
		}
		rows, err := outbox.Rows(tx)
		if err != nil {
			return err
		}
		for _, r := range rows {
			r.ChainID, r.Registry = 0, common.Address{}
			if err := saveRow(tx, r); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}

	newBatches := func() int {
		rep, err := w.Anchor(ctx)
		if err != nil {
			t.Fatal(err)
		}
		n := 0
		for _, b := range rep.Batches {
			if b.New {
				n++
			}
		}
		return n
	}
	if n := newBatches(); n != 1 {
		t.Fatalf("the batch of an unknown chain was anchored again in %d batches, want 1", n)
	}
	anchorUntilDone(t, w)
	if n := newBatches(); n != 0 {
		t.Fatalf("anchoring on the same chain made %d more batches", n)
	}
	recs, err := w.Records(Query{})
	if err != nil || len(recs) != 2 {
		t.Fatalf("%d records, %v", len(recs), err)
	}
	for _, r := range recs {
		if v, err := w.Verify(ctx, r.ID); err != nil || !v.Valid {
			t.Fatalf("record %s: %+v, %v", r.ID, v, err)
		}
	}
}
