package share

import (
	"bytes"
	"context"
	"encoding/json"
	"math/big"
	"strings"
	"testing"
	"time"

	"github.com/ethereum/go-ethereum/common"
	"github.com/ethereum/go-ethereum/crypto"

	"healthwallet/chain/contracts"
)

func TestVerifyGoodShare(t *testing.T) {
	f := newFixture(t)
	r := Verify(context.Background(), f.input(f.files(f.share)))
	assertVerified(t, r)
	if r.Source != SourceHealthWallet || r.Patient != f.patient.addr || r.Issuer != f.patient.addr || r.Purpose != "TREAT" ||
		r.Expires.Unix() != int64(f.share.Grant.Expiry) || r.Digest != f.share.Digest || r.Label != "test share" {
		t.Errorf("report %+v", r)
	}
	if len(r.Records) != len(f.records) {
		t.Fatalf("%d records; want %d", len(r.Records), len(f.records))
	}
	for i, rec := range r.Records {
		var a, b any
		json.Unmarshal(rec, &a)
		json.Unmarshal(f.records[i].Resource, &b)
		if ab, _ := json.Marshal(a); !bytes.Equal(ab, mustJSON(b)) {
			t.Errorf("record %d differs from what was shared", i)
		}
	}
	// Every check of the package documentation ran, each once.
	want := []string{CheckLinkWellFormed, CheckNotExpired, CheckManifestFetched, CheckFilesDecrypted, CheckRecordsReadable,
		CheckProofPresent, CheckChainID, CheckRegistry, CheckSignature, CheckGrantBinding, CheckGrantPeriod, CheckGrantActive,
		CheckIssuerAuthorized, CheckRecipient, CheckCommitments, CheckScope, CheckAnchored, CheckCovered}
	var got []string
	for _, c := range r.Checks {
		got = append(got, c.Name)
	}
	if strings.Join(got, "|") != strings.Join(want, "|") {
		t.Errorf("checks %q\nwant   %q", got, want)
	}
}

func mustJSON(v any) []byte {
	b, _ := json.Marshal(v)
	return b
}

// replaceProof re-encodes a modified proof file in place of the share's.
func replaceProof(t *testing.T, files []File, edit func(*ProofFile)) []File {
	t.Helper()
	out := append([]File(nil), files...)
	for i, fl := range out {
		if fl.ContentType != ContentTypeProof {
			continue
		}
		p, err := ParseProof(fl.Plaintext)
		if err != nil {
			t.Fatal(err)
		}
		edit(&p)
		b, err := p.Marshal()
		if err != nil {
			t.Fatal(err)
		}
		out[i].Plaintext = b
	}
	return out
}

func replaceBundle(files []File, edit func([]json.RawMessage) []json.RawMessage) []File {
	out := append([]File(nil), files...)
	for i, fl := range out {
		if fl.ContentType != ContentTypeFHIR {
			continue
		}
		entries, _, _ := bundleEntries(fl.Plaintext)
		entries = edit(entries)
		var wrapped []map[string]json.RawMessage
		for _, e := range entries {
			wrapped = append(wrapped, map[string]json.RawMessage{"resource": e})
		}
		out[i].Plaintext = mustJSON(map[string]any{"resourceType": "Bundle", "type": "collection", "entry": wrapped})
	}
	return out
}

// Each way a share can be wrong is refused by its own, named check.
func TestVerifyRefusals(t *testing.T) {
	ctx := context.Background()
	stranger := mustKey(t, "stranger")

	t.Run("tampered record", func(t *testing.T) {
		f := newFixture(t)
		files := replaceBundle(f.files(f.share), func(e []json.RawMessage) []json.RawMessage {
			e[2] = json.RawMessage(strings.Replace(string(e[2]), `"final"`, `"amended"`, 1))
			return e
		})
		c := assertFailed(t, Verify(ctx, f.input(files)), CheckCommitments)
		if !strings.Contains(c.Detail, "entry 2") || !strings.Contains(c.Detail, "altered") {
			t.Errorf("detail %q", c.Detail)
		}
	})
	t.Run("unproven record added", func(t *testing.T) {
		f := newFixture(t)
		files := replaceBundle(f.files(f.share), func(e []json.RawMessage) []json.RawMessage {
			return append(e, json.RawMessage(`{"resourceType":"Condition","id":"x"}`))
		})
		r := Verify(ctx, f.input(files))
		assertFailed(t, r, CheckCovered)
		if len(r.Records) != len(f.records) || len(r.Uncovered) != 1 {
			t.Errorf("%d records, %d uncovered; want %d and 1", len(r.Records), len(r.Uncovered), len(f.records))
		}
	})
	t.Run("tampered proof salt", func(t *testing.T) {
		f := newFixture(t)
		files := replaceProof(t, f.files(f.share), func(p *ProofFile) {
			r := &p.Records[1]
			r.Salt[0] ^= 1
			_, r.Commitment, _ = RecordCommitment(f.records[1].Resource, r.Salt)
		})
		r := Verify(ctx, f.input(files))
		assertFailed(t, r, CheckScope)
		assertFailed(t, r, CheckAnchored)
	})
	t.Run("tampered proof bytes", func(t *testing.T) {
		f := newFixture(t)
		files := f.files(f.share)
		for i := range files {
			if files[i].ContentType == ContentTypeProof {
				files[i].Plaintext = bytes.Replace(files[i].Plaintext, []byte(`"v":1`), []byte(`"v":1,"extra":true`), 1)
			}
		}
		assertFailed(t, Verify(ctx, f.input(files)), CheckProofPresent)
	})
	t.Run("record outside the scope", func(t *testing.T) {
		f := newFixture(t)
		// An anchored record of the patient's, not in the grant: its own
		// commitment and anchor check out, but not the scope.
		extra := anchorBatch(t, f.chain, f.patient.addr, [][]byte{[]byte(`{"resourceType":"Condition","id":"secret"}`)})[0]
		files := replaceBundle(f.files(f.share), func(e []json.RawMessage) []json.RawMessage { return append(e, extra.Resource) })
		files = replaceProof(t, files, func(p *ProofFile) {
			ch, cm, _ := RecordCommitment(extra.Resource, extra.Salt)
			p.Records = append(p.Records, RecordProof{Index: len(p.Records), Salt: extra.Salt, ContentHash: ch, Commitment: cm,
				AnchorRoot: extra.AnchorRoot, AnchorProof: extra.AnchorProof})
		})
		r := Verify(ctx, f.input(files))
		assertFailed(t, r, CheckScope)
		if c, _ := r.Find(CheckCommitments); !c.OK {
			t.Errorf("commitments failed too: %s", c.Detail)
		}
	})
	t.Run("another chain id", func(t *testing.T) {
		f := newFixture(t)
		in := f.input(f.files(f.share))
		f.chain.id, in.ExpectChainID = big.NewInt(1), big.NewInt(1)
		r := Verify(ctx, in)
		assertFailed(t, r, CheckChainID)
		if c, _ := r.Find(CheckRegistry); !c.OK {
			t.Errorf("registry failed too: %s", c.Detail)
		}
	})
	t.Run("connected to another chain", func(t *testing.T) {
		f := newFixture(t)
		f.chain.id = big.NewInt(5)
		assertFailed(t, Verify(ctx, f.input(f.files(f.share))), CheckChainID)
	})
	t.Run("another registry", func(t *testing.T) {
		f := newFixture(t)
		in := f.input(f.files(f.share))
		in.ExpectRegistry = common.HexToAddress("0x1234")
		assertFailed(t, Verify(ctx, in), CheckRegistry)
	})
	t.Run("grant replayed from another link", func(t *testing.T) {
		f := newFixture(t)
		in := f.input(f.files(f.share))
		in.Link.Key[0] ^= 1 // the same files served under another link
		r := Verify(ctx, in)
		assertFailed(t, r, CheckGrantBinding)
		if len(r.Failed()) != 1 {
			t.Errorf("other failures: %+v", r.Failed())
		}
	})
	t.Run("signed by a stranger", func(t *testing.T) {
		f := newFixture(t)
		files := replaceProof(t, f.files(f.share), func(p *ProofFile) { p.Signature = mustSign(t, f.share.Digest, stranger) })
		c := assertFailed(t, Verify(ctx, f.input(files)), CheckSignature)
		if !strings.Contains(c.Detail, stranger.addr.Hex()) {
			t.Errorf("detail %q", c.Detail)
		}
	})
	t.Run("stranger's own grant for the patient", func(t *testing.T) {
		f := newFixture(t)
		s := f.build(stranger, common.Hash{}) // issuer: stranger; the chain never recorded it
		r := Verify(ctx, f.input(f.files(s)))
		assertFailed(t, r, CheckGrantActive)
		assertFailed(t, r, CheckIssuerAuthorized)
	})
	t.Run("delegate without SHARE", func(t *testing.T) {
		f := newFixture(t)
		caregiver := mustKey(t, "caregiver")
		s := f.build(caregiver, common.Hash{})
		f.chain.delegates[[2]common.Address{f.patient.addr, caregiver.addr}] = DelegateStatus{Rights: contracts.RightView, Expiry: s.Grant.Expiry + 100}
		f.chain.issue(s.Digest, f.patient.addr, caregiver.addr, s.Grant.Expiry)
		c := assertFailed(t, Verify(ctx, f.input(f.files(s))), CheckIssuerAuthorized)
		if !strings.Contains(c.Detail, "without the SHARE right") {
			t.Errorf("detail %q", c.Detail)
		}
	})
	t.Run("delegate with SHARE", func(t *testing.T) {
		f := newFixture(t)
		caregiver := mustKey(t, "caregiver")
		d := f.delegate(caregiver, []string{DelegateRightView, DelegateRightShare}, nil, nil)
		r := Verify(ctx, f.input(f.delegateShare(caregiver, &d, false)))
		assertVerified(t, r)
		if r.Issuer != caregiver.addr || r.Patient != f.patient.addr {
			t.Errorf("issuer %s patient %s", r.Issuer.Hex(), r.Patient.Hex())
		}
	})
	t.Run("revoked", func(t *testing.T) {
		f := newFixture(t)
		g := f.chain.grants[f.share.Digest]
		g.Revoked = true
		f.chain.grants[f.share.Digest] = g
		c := assertFailed(t, Verify(ctx, f.input(f.files(f.share))), CheckGrantActive)
		if !strings.Contains(c.Detail, "revoked") {
			t.Errorf("detail %q", c.Detail)
		}
	})
	t.Run("never issued", func(t *testing.T) {
		f := newFixture(t)
		delete(f.chain.grants, f.share.Digest)
		assertFailed(t, Verify(ctx, f.input(f.files(f.share))), CheckGrantActive)
	})
	t.Run("expired", func(t *testing.T) {
		f := newFixture(t)
		in := f.input(f.files(f.share))
		in.Now = f.now.Add(2 * time.Hour)
		f.chain.now = in.Now
		assertFailed(t, Verify(ctx, in), CheckNotExpired) // the link's own exp stops it first
		in.Link.Exp = time.Time{}                         // a link that states no expiry
		r := Verify(ctx, in)
		assertFailed(t, r, CheckGrantPeriod)
		assertFailed(t, r, CheckGrantActive)
	})
	t.Run("not yet valid", func(t *testing.T) {
		f := newFixture(t)
		in := f.input(f.files(f.share))
		in.Now = f.now.Add(-time.Hour)
		assertFailed(t, Verify(ctx, in), CheckGrantPeriod)
	})
	t.Run("addressed to someone else", func(t *testing.T) {
		f := newFixture(t)
		doctor := crypto.Keccak256Hash([]byte("doctor's sharing key"))
		s := f.build(f.patient, doctor)
		f.chain.issue(s.Digest, f.patient.addr, f.patient.addr, s.Grant.Expiry)
		in := f.input(f.files(s))
		assertFailed(t, Verify(ctx, in), CheckRecipient)
		in.RecipientKeyHash = crypto.Keccak256Hash([]byte("someone else"))
		assertFailed(t, Verify(ctx, in), CheckRecipient)
		in.RecipientKeyHash = doctor
		assertVerified(t, Verify(ctx, in))
	})
	t.Run("root never anchored", func(t *testing.T) {
		f := newFixture(t)
		delete(f.chain.anchors, f.records[0].AnchorRoot)
		assertFailed(t, Verify(ctx, f.input(f.files(f.share))), CheckAnchored)
	})
	t.Run("root anchored by someone else", func(t *testing.T) {
		f := newFixture(t)
		a := f.chain.anchors[f.records[0].AnchorRoot]
		a.Patient = stranger.addr
		f.chain.anchors[f.records[0].AnchorRoot] = a
		assertFailed(t, Verify(ctx, f.input(f.files(f.share))), CheckAnchored)
	})
	t.Run("chain down", func(t *testing.T) {
		f := newFixture(t)
		f.chain.down = errDown
		r := Verify(ctx, f.input(f.files(f.share)))
		c := assertFailed(t, r, CheckChainID)
		if !strings.Contains(c.Detail, "connection refused") {
			t.Errorf("detail %q", c.Detail)
		}
	})
	t.Run("no chain configured", func(t *testing.T) {
		f := newFixture(t)
		in := f.input(f.files(f.share))
		in.Chain = nil
		r := Verify(ctx, in)
		assertFailed(t, r, CheckGrantActive)
		assertFailed(t, r, CheckAnchored)
	})
	t.Run("no files", func(t *testing.T) {
		f := newFixture(t)
		assertFailed(t, Verify(ctx, f.input(nil)), CheckManifestFetched)
	})
}

// A plain SHL from anyone else: records shown, labelled, never verified.
func TestVerifyOtherIssuer(t *testing.T) {
	f := newFixture(t)
	var files []File
	for _, fl := range f.files(f.share) {
		if fl.ContentType == ContentTypeFHIR {
			files = append(files, fl)
		}
	}
	files = append(files, File{ContentType: ContentTypeFHIR, Plaintext: []byte(`{"resourceType":"Patient","id":"p1"}`)})
	r := Verify(context.Background(), f.input(files))
	if r.Verified || r.Source != SourceOther || len(r.Records) != len(f.records)+1 {
		t.Fatalf("report %+v", r)
	}
	c := assertFailed(t, r, CheckProofPresent)
	if !strings.Contains(c.Detail, "not verifiable on chain") {
		t.Errorf("detail %q", c.Detail)
	}
	if _, ok := r.Find(CheckGrantActive); ok {
		t.Error("chain checks ran for a share without a proof")
	}
}

func TestBuildShareRefusals(t *testing.T) {
	f := newFixture(t)
	base := ShareRequest{Records: f.records, Key: f.key, Patient: f.patient.addr, Signer: f.patient.key, PurposeCode: "TREAT",
		NotBefore: f.now, Expiry: f.now.Add(time.Hour), ChainID: testChainID, Registry: testRegistry}
	for name, mutate := range map[string]func(*ShareRequest){
		"no records":      func(r *ShareRequest) { r.Records = nil },
		"unknown purpose": func(r *ShareRequest) { r.PurposeCode = "SELL" },
		"backwards":       func(r *ShareRequest) { r.Expiry = r.NotBefore },
		"no signer":       func(r *ShareRequest) { r.Signer = nil },
		"no chain":        func(r *ShareRequest) { r.ChainID = nil },
		"record changed since anchoring": func(r *ShareRequest) {
			r.Records = append([]SharedRecord(nil), r.Records...)
			r.Records[0].Resource = testResource(99)
		},
		"not json": func(r *ShareRequest) {
			r.Records = append([]SharedRecord(nil), r.Records...)
			r.Records[0].Resource = []byte("{")
		},
	} {
		req := base
		mutate(&req)
		if _, err := BuildShare(req); err == nil {
			t.Errorf("%s: accepted", name)
		}
	}
}
