package wallet

import (
	"bytes"
	"context"
	"errors"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/ethereum/go-ethereum/common"

	"healthwallet/chain"
	"healthwallet/chain/chaintest"
	"healthwallet/wallet/share"
	"healthwallet/wallet/vault"
)

// Handing a person's space over: a new wallet of their own at the path,
// with a fresh phrase, holding every record of theirs (their kept PDF
// included, with where it came from), anchored under its own address and
// able to share for a doctor; the old wallet stopped their share and holds
// nothing of theirs any more.
func TestHandOverMakesAWalletOfTheirOwn(t *testing.T) {
	files, names, counts := syntheaPeople(t)
	e := newShareEnv(t)
	ctx := context.Background()
	p := keepSomeoneApart(t, e.w, 2, files[1], names[1])
	pdfPath, _ := writeTestFile(t, t.TempDir(), "school_letter.pdf", testPDF{title: "School letter", created: "D:20240312"}.write)
	if _, err := e.w.ImportWith(ctx, []string{pdfPath}, ImportOptions{Into: p.ID}); err != nil {
		t.Fatal(err)
	}
	records := counts[1] + 1
	theirs, err := e.w.Share(ctx, ShareRequest{Person: p.ID, All: true, TTL: time.Hour, Purpose: "TREAT"})
	if err != nil {
		t.Fatal(err)
	}
	mine, err := e.w.Share(ctx, ShareRequest{All: true, TTL: time.Hour, Purpose: "TREAT"})
	if err != nil {
		t.Fatal(err)
	}

	// A doctor opens their share; this wallet records the opening on chain
	// (and keeps who opened it, and why).
	l, err := share.ParseLink(theirs.Link)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := share.Fetch(ctx, l, share.FetchOptions{Recipient: "Dr. Jones"}); err != nil {
		t.Fatal(err)
	}
	if _, err := e.w.AccessLog(ctx); err != nil {
		t.Fatal(err)
	}
	openings := func() (n int) {
		e.w.vault.View(func(tx *vault.ReadTx) error {
			return tx.ForEachState(spaceAccessChain, func(_, _ []byte) error { n++; return nil })
		})
		return n
	}
	if openings() == 0 {
		t.Fatal("the doctor's opening was not recorded")
	}

	dest := filepath.Join(t.TempDir(), "their-wallet")
	var steps []HandOverProgress
	// The new wallet's chain funds its address, as the embedded chain does.
	opts := fastKDF
	opts.OpenChain = func(ctx context.Context, s ChainSettings, dir string, fund common.Address) (*chain.Network, error) {
		if err := e.sw.sim.FundFromDevAccount(ctx, fund, chaintest.FundAmount); err != nil {
			return nil, err
		}
		return e.sw.open(ctx, s, dir, fund)
	}
	res, err := e.w.HandOver(ctx, p.Name, HandOverRequest{Path: dest, Password: []byte("their own password"), Options: opts,
		Progress: func(pr HandOverProgress) { steps = append(steps, pr) }})
	if err != nil {
		t.Fatal(err)
	}
	if res.Path != dest || res.Records != records || res.SharesRevoked != 1 || res.Name != p.Name || res.Problem != "" {
		t.Fatalf("HandOver = %+v; want %d records, 1 share stopped", res, records)
	}
	if err := CheckMnemonic(res.RecoveryPhrase); err != nil || res.Address == p.Address || res.Address == e.w.Address() {
		t.Fatalf("the new wallet's phrase (%v) or address %s is not its own", err, res.Address)
	}
	if len(steps) == 0 || steps[len(steps)-1].Total != records {
		t.Errorf("progress: %+v", steps)
	}

	// The old wallet: nothing of theirs; their share is refused, the
	// owner's still works; the log still reads.
	if _, err := e.w.FindPerson(p.ID); !errors.Is(err, ErrNoSuchPerson) {
		t.Errorf("the old wallet still knows %s: %v", p.Name, err)
	}
	if all, err := e.w.Records(Query{Person: Everyone}); err != nil || len(all) != 2 {
		t.Errorf("the old wallet holds %d records (%v), want the owner's 2", len(all), err)
	}
	if n := openings(); n != 0 {
		t.Errorf("the old wallet keeps %d records of who opened their share", n)
	}
	if _, err := share.Fetch(ctx, l, share.FetchOptions{Recipient: "Dr. Smith"}); !errors.Is(err, share.ErrNoLongerAvailable) {
		t.Errorf("their share after the handover: %v, want it refused", err)
	}
	g, err := share.NewChainReader(e.sw.sim.Client, e.sw.sim.Registry).GrantOf(ctx, common.HexToAddress(p.Address), common.HexToHash(theirs.Grant))
	if err != nil || !g.Revoked {
		t.Errorf("their grant after the handover: %+v, %v", g, err)
	}
	shares, err := e.w.Shares(ctx)
	if err != nil || len(shares) != 1 || shares[0].ID != mine.ID {
		t.Errorf("the old wallet's shares: %+v, %v; want the owner's only", shares, err)
	}
	if _, err := e.w.AccessLog(ctx); err != nil {
		t.Errorf("the old wallet's access log: %v", err)
	}

	// The new wallet: theirs, every record, the PDF's bytes, anchored under
	// its own address, and it shares for a doctor.
	nw, err := Open(dest, opts)
	if err != nil {
		t.Fatal(err)
	}
	defer nw.Close()
	if err := nw.Unlock([]byte("their own password")); err != nil {
		t.Fatal(err)
	}
	people, err := nw.People()
	if err != nil || len(people) != 1 || people[0].Name != p.Name || people[0].Records != records || people[0].BirthDate != p.BirthDate {
		t.Fatalf("the new wallet's people: %+v, %v", people, err)
	}
	docs, err := nw.Records(Query{ResourceType: "DocumentReference"})
	if err != nil {
		t.Fatal(err)
	}
	found := false
	for _, d := range docs {
		if d.Source == nil || d.Source.File != "school_letter.pdf" {
			continue
		}
		found = true
		rc, _, err := nw.OpenAttachment(d.ID)
		if err != nil {
			t.Fatal(err)
		}
		got, _ := io.ReadAll(rc)
		rc.Close()
		want, _ := os.ReadFile(pdfPath)
		if !bytes.Equal(got, want) {
			t.Errorf("the kept PDF in the new wallet differs: %d bytes, want %d", len(got), len(want))
		}
	}
	if !found {
		t.Errorf("the new wallet lacks the kept PDF with its file name: %+v", docs)
	}
	recs, err := nw.Records(Query{Limit: 2})
	if err != nil || len(recs) == 0 {
		t.Fatal(err)
	}
	for _, r := range recs {
		v, err := nw.Verify(ctx, r.ID)
		if err != nil || !v.Valid {
			t.Errorf("Verify in the new wallet: %+v, %v", v, err)
		}
	}
	again, err := nw.Share(ctx, ShareRequest{All: true, TTL: time.Hour, Purpose: "TREAT"})
	if err != nil {
		t.Fatal(err)
	}
	got := e.doctorReceives(t, again.Link)
	mustAllOK(t, got.Report, records)
	if got.Patient != common.HexToAddress(res.Address) || got.PatientName != p.Name {
		t.Errorf("the doctor sees %s (%s), want %s (%s)", got.PatientName, got.Patient.Hex(), p.Name, res.Address)
	}
}

// A handover refuses the owner, an existing path and an empty password;
// one that fails midway (here: cancelled) leaves the old wallet as it was
// and nothing at or beside the path.
func TestHandOverRefusesAndLeavesNothingHalfDone(t *testing.T) {
	files, names, counts := syntheaPeople(t)
	w := newTestWallet(t)
	ctx := context.Background()
	p := keepSomeoneApart(t, w, 1, files[1], names[1])
	parent := t.TempDir()
	req := HandOverRequest{Path: filepath.Join(parent, "theirs"), Password: []byte("pw"), Options: fastKDF}

	if _, err := w.HandOver(ctx, OwnerID, req); !errors.Is(err, ErrHandOver) || !strings.Contains(err.Error(), "yours") {
		t.Errorf("handing over the owner: %v", err)
	}
	taken := filepath.Join(parent, "taken")
	os.Mkdir(taken, 0o700)
	if _, err := w.HandOver(ctx, p.ID, HandOverRequest{Path: taken, Password: []byte("pw"), Options: fastKDF}); !errors.Is(err, ErrHandOver) || !strings.Contains(err.Error(), "already exists") {
		t.Errorf("an existing path: %v", err)
	}
	// A wallet already there (a handover that stopped before the end, say)
	// is named for what it likely is.
	earlier := filepath.Join(parent, "earlier")
	if ew, err := Create(earlier, testMnemonic, []byte("pw"), names[1], fastKDF); err != nil {
		t.Fatal(err)
	} else {
		ew.Close()
	}
	if _, err := w.HandOver(ctx, p.ID, HandOverRequest{Path: earlier, Password: []byte("pw"), Options: fastKDF}); !errors.Is(err, ErrHandOver) || !strings.Contains(err.Error(), "already holds a wallet") || !strings.Contains(err.Error(), "never shown") {
		t.Errorf("a wallet at the path: %v", err)
	}
	os.RemoveAll(earlier)

	// Inside this wallet's own folder, directly or through a symbolic link.
	os.MkdirAll(filepath.Join(w.dir, "chain"), 0o700)
	link := filepath.Join(parent, "link")
	if err := os.Symlink(w.dir, link); err != nil {
		t.Fatal(err)
	}
	for _, inside := range []string{filepath.Join(w.dir, "theirs"), filepath.Join(w.dir, "chain", "theirs"), filepath.Join(link, "theirs")} {
		if _, err := w.HandOver(ctx, p.ID, HandOverRequest{Path: inside, Password: []byte("pw"), Options: fastKDF}); !errors.Is(err, ErrHandOver) || !strings.Contains(err.Error(), "inside this wallet's own folder") {
			t.Errorf("a path inside the wallet's folder (%s): %v", inside, err)
		}
	}
	os.Remove(link)
	if _, err := w.HandOver(ctx, p.ID, HandOverRequest{Path: req.Path, Options: fastKDF}); !errors.Is(err, ErrHandOver) || !strings.Contains(err.Error(), "password") {
		t.Errorf("no password: %v", err)
	}

	cctx, cancel := context.WithCancel(ctx)
	cancel()
	if _, err := w.HandOver(cctx, p.ID, req); err == nil || !strings.Contains(err.Error(), "nothing changed in this wallet") {
		t.Fatalf("a cancelled handover: %v", err)
	}
	left, _ := os.ReadDir(parent)
	if len(left) != 1 || left[0].Name() != "taken" {
		t.Errorf("left beside the path: %v", left)
	}
	if q, err := w.FindPerson(p.ID); err != nil || q.Records != counts[1] {
		t.Errorf("after a failed handover the old wallet has %+v, %v", q, err)
	}
}
