package share_test

import (
	"bytes"
	"compress/flate"
	"crypto/aes"
	"crypto/cipher"
	"crypto/ecdsa"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"math/big"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/ethereum/go-ethereum/common"
	"github.com/ethereum/go-ethereum/crypto"

	"healthwallet/chain/merkle"
	"healthwallet/wallet/care"
	"healthwallet/wallet/emergency"
	"healthwallet/wallet/share"
	"healthwallet/wallet/testcorpus"
)

// joseFile is one file handed to jose_decrypt.mjs, with what it must
// decrypt to (wantPlain) or, for a negative case, that jose must refuse it.
type joseFile struct {
	name      string
	jwe       string
	key       [32]byte
	wantPlain []byte
	refuse    string // a substring of jose's error; "" when it must open
}

type joseResult struct {
	Name   string  `json:"name"`
	OK     bool    `json:"ok"`
	SHA256 string  `json:"sha256"`
	Zip    *string `json:"zip"`
	Error  string  `json:"error"`
}

// Every file a share produces opens in other SMART Health Links viewers:
// the jose library (the viewer's pinned 6.x) at its default settings — whose
// limit on a compressed file's decompressed size is 250 000 bytes — decrypts
// each file of a small share, of a 500-record Synthea share (several FHIR
// files and a proof too large to compress), of a share holding one record
// larger than the limit, of a care copy of those 500 records and of an
// emergency card (an IPS document), to exactly the plaintext Go decrypts.
// The negative cases prove the test can fail: the same 500 records as one
// compressed file, as shares were made before, are refused by jose; so is
// a file of 250 001 bytes, while one of exactly 250 000 opens (jose refuses
// a length greater than its limit).
func TestJoseOpensEveryFile(t *testing.T) {
	var files []joseFile
	add := func(name string, key [32]byte, enc []share.EncryptedFile) {
		t.Helper()
		for i, ef := range enc {
			pt, _, err := share.DecryptFile(ef.JWE, key[:])
			if err != nil {
				t.Fatalf("%s file %d: %v", name, i, err)
			}
			files = append(files, joseFile{name: fmt.Sprintf("%s, file %d (%s, %d bytes)", name, i, ef.ContentType, len(pt)),
				jwe: ef.JWE, key: key, wantPlain: pt})
		}
	}
	patient := newKey(t)

	small := testShare(t, patient, anchor(t, smallRecords()), nil)
	add("a share of 5 records", small.key, small.Files)

	synthea := share.SyntheaResources(t, 500)
	large := testShare(t, patient, anchor(t, synthea), nil)
	if len(large.Files) < 3 {
		t.Fatalf("the 500-record share has %d files; want its records split", len(large.Files))
	}
	add("a share of 500 Synthea records", large.key, large.Files)

	huge := fmt.Appendf(nil, `{"resourceType":"DocumentReference","id":"scan","status":"current","content":[{"attachment":{"contentType":"application/pdf","data":%q}}]}`,
		strings.Repeat("JVBERi0xLjQK", 300_000/12))
	withHuge := testShare(t, patient, anchor(t, append(smallRecords(), huge)), nil)
	add("a share with a 300 kB record", withHuge.key, withHuge.Files)

	copyKey, copyFiles := careCopy(t, patient, anchor(t, synthea))
	add("a care copy of 500 records", copyKey, copyFiles)

	doc, entries := emergencyCard(t)
	card := testShare(t, patient, anchor(t, entries), doc)
	add("an emergency card", card.key, card.Files)

	// Negative cases.
	var one [32]byte
	copy(one[:], large.key[:])
	files = append(files,
		joseFile{name: "the 500 records as one compressed file (as before)", jwe: sealDEF(t, large.Bundle, one), key: one, refuse: "exceeded"},
		joseFile{name: "250 001 bytes compressed", jwe: sealDEF(t, bytes.Repeat([]byte("x"), share.JoseMaxInflated+1), one), key: one, refuse: "exceeded"},
		joseFile{name: "250 000 bytes compressed", jwe: sealDEF(t, bytes.Repeat([]byte("x"), share.JoseMaxInflated), one), key: one,
			wantPlain: bytes.Repeat([]byte("x"), share.JoseMaxInflated)},
	)

	results := runJose(t, files)
	opened, refused := 0, 0
	for i, f := range files {
		r := results[i]
		switch {
		case r.Name != f.name:
			t.Fatalf("result %d is for %q, want %q", i, r.Name, f.name)
		case f.refuse != "":
			if r.OK || !strings.Contains(r.Error, f.refuse) {
				t.Errorf("%s: jose opened it or refused it otherwise (%+v); want refused: %q", f.name, r, f.refuse)
			} else {
				refused++
			}
		case !r.OK:
			t.Errorf("%s: jose refused it: %s", f.name, r.Error)
		default:
			sum := sha256.Sum256(f.wantPlain)
			if r.SHA256 != hex.EncodeToString(sum[:]) {
				t.Errorf("%s: jose's plaintext differs from Go's", f.name)
			}
			opened++
		}
	}
	t.Logf("jose opened %d of %d files; refused %d negative cases as expected", opened, len(files)-refused, refused)
}

// runJose installs the pinned jose (npm ci of the viewer's package.json and
// package-lock.json in a scratch directory, as wallet/viewer/generate.sh
// does) and runs testdata/jose_decrypt.mjs on files.
func runJose(t *testing.T, files []joseFile) []joseResult {
	t.Helper()
	node := testcorpus.Tool(t, "node", "the jose interop test runs jose under Node.js; run `make deps` (apt-get install nodejs npm)")
	npm := testcorpus.Tool(t, "npm", "the jose interop test installs the pinned jose with npm; run `make deps` (apt-get install nodejs npm)")
	work := t.TempDir()
	for _, name := range []string{"package.json", "package-lock.json"} {
		copyFile(t, filepath.Join("..", "viewer", "web", name), filepath.Join(work, name))
	}
	copyFile(t, filepath.Join("testdata", "jose_decrypt.mjs"), filepath.Join(work, "jose_decrypt.mjs"))
	cmd := exec.Command(npm, "ci", "--ignore-scripts", "--no-audit", "--no-fund", "--prefer-offline", "--loglevel=error")
	cmd.Dir = work
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("npm ci (installing the pinned jose): %v\n%s", err, out)
	}
	var pkg struct{ Version string }
	raw, err := os.ReadFile(filepath.Join(work, "node_modules", "jose", "package.json"))
	if err != nil || json.Unmarshal(raw, &pkg) != nil || !strings.HasPrefix(pkg.Version, "6.") {
		t.Fatalf("jose as installed: version %q (%v); want a pinned 6.x", pkg.Version, err)
	}

	cases := filepath.Join(work, "cases")
	if err := os.Mkdir(cases, 0o755); err != nil {
		t.Fatal(err)
	}
	type jsCase struct {
		Name string `json:"name"`
		File string `json:"file"`
		Key  string `json:"key"`
	}
	list := make([]jsCase, len(files))
	for i, f := range files {
		name := fmt.Sprintf("%03d.jwe", i)
		if err := os.WriteFile(filepath.Join(cases, name), []byte(f.jwe), 0o600); err != nil {
			t.Fatal(err)
		}
		list[i] = jsCase{Name: f.name, File: name, Key: base64.RawURLEncoding.EncodeToString(f.key[:])}
	}
	b, _ := json.Marshal(list)
	if err := os.WriteFile(filepath.Join(cases, "cases.json"), b, 0o600); err != nil {
		t.Fatal(err)
	}
	cmd = exec.Command(node, "jose_decrypt.mjs", cases)
	cmd.Dir = work
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("node jose_decrypt.mjs: %v\n%s", err, stderr.String())
	}
	var results []joseResult
	if err := json.Unmarshal(out, &results); err != nil || len(results) != len(files) {
		t.Fatalf("jose_decrypt.mjs printed %d results for %d files (%v): %.300s", len(results), len(files), err, out)
	}
	return results
}

func copyFile(t *testing.T, from, to string) {
	t.Helper()
	b, err := os.ReadFile(from)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(to, b, 0o644); err != nil {
		t.Fatal(err)
	}
}

// sealDEF encrypts plaintext compressed (zip "DEF") whatever its size, as
// EncryptFile did before files were kept within jose's limit.
func sealDEF(t *testing.T, plaintext []byte, key [32]byte) string {
	t.Helper()
	var z bytes.Buffer
	w, _ := flate.NewWriter(&z, flate.BestCompression)
	w.Write(plaintext)
	w.Close()
	block, err := aes.NewCipher(key[:])
	if err != nil {
		t.Fatal(err)
	}
	gcm, _ := cipher.NewGCM(block)
	iv := make([]byte, 12)
	rand.Read(iv)
	b64 := base64.RawURLEncoding.EncodeToString
	h := b64([]byte(`{"alg":"dir","enc":"A256GCM","zip":"DEF","cty":"application/fhir+json"}`))
	sealed := gcm.Seal(nil, iv, z.Bytes(), []byte(h))
	jwe := h + ".." + b64(iv) + "." + b64(sealed[:len(sealed)-16]) + "." + b64(sealed[len(sealed)-16:])
	if pt, _, err := share.DecryptFile(jwe, key[:]); err != nil || !bytes.Equal(pt, plaintext) {
		t.Fatalf("the hand-made JWE does not open in Go: %v", err)
	}
	return jwe
}

func newKey(t *testing.T) *ecdsa.PrivateKey {
	t.Helper()
	k, err := crypto.GenerateKey()
	if err != nil {
		t.Fatal(err)
	}
	return k
}

func smallRecords() [][]byte {
	var out [][]byte
	for i := range 5 {
		out = append(out, fmt.Appendf(nil, `{"resourceType":"Observation","id":"obs-%d","status":"final","code":{"text":"Heart rate"},"valueQuantity":{"value":%d,"unit":"/min"}}`, i, 60+i))
	}
	return out
}

// anchor gives resources fresh salts and anchor proofs in one batch (what
// BuildShare checks; nothing here asks a chain).
func anchor(t *testing.T, resources [][]byte) []share.SharedRecord {
	t.Helper()
	leaves := make([][32]byte, len(resources))
	recs := make([]share.SharedRecord, len(resources))
	for i, r := range resources {
		salt, err := share.NewKey()
		if err != nil {
			t.Fatal(err)
		}
		_, cm, err := share.RecordCommitment(r, salt)
		if err != nil {
			t.Fatal(err)
		}
		leaves[i], recs[i] = cm, share.SharedRecord{Resource: r, Salt: salt}
	}
	tree, err := merkle.New(leaves)
	if err != nil {
		t.Fatal(err)
	}
	for i := range recs {
		recs[i].AnchorRoot, recs[i].AnchorProof = tree.Root(), tree.Prove(i)
	}
	return recs
}

var (
	joseChainID  = big.NewInt(1337)
	joseRegistry = common.HexToAddress("0x5FbDB2315678afecb367f032d93F642f64180aa3")
)

type builtShare struct {
	*share.Share
	key [32]byte
}

func testShare(t *testing.T, patient *ecdsa.PrivateKey, recs []share.SharedRecord, doc *share.DocumentBundle) builtShare {
	t.Helper()
	key, err := share.NewKey()
	if err != nil {
		t.Fatal(err)
	}
	s, err := share.BuildShare(share.ShareRequest{Records: recs, Key: key, Patient: crypto.PubkeyToAddress(patient.PublicKey),
		Signer: patient, PurposeCode: "TREAT", Expiry: time.Now().Add(time.Hour), ChainID: joseChainID, Registry: joseRegistry,
		Document: doc})
	if err != nil {
		t.Fatal(err)
	}
	return builtShare{s, key}
}

// careCopy builds a care copy of recs for a caregiver, as the patient's
// wallet uploads it, and returns its link key and files.
func careCopy(t *testing.T, patient *ecdsa.PrivateKey, recs []share.SharedRecord) ([32]byte, []share.EncryptedFile) {
	t.Helper()
	salt, err := care.NewScopeSalt()
	if err != nil {
		t.Fatal(err)
	}
	now := time.Now()
	scope := care.Scope{V: 1, Patient: crypto.PubkeyToAddress(patient.PublicKey), Delegate: crypto.PubkeyToAddress(newKey(t).PublicKey),
		Rights: []string{care.RightView}, Expiry: uint64(now.Add(30 * 24 * time.Hour).Unix()), Issued: uint64(now.Unix()),
		PatientName: "Ada Lovelace", DelegateName: "Byron Lovelace", Salt: salt}
	signed, err := care.SignScope(scope, patient)
	if err != nil {
		t.Fatal(err)
	}
	key, err := share.NewKey()
	if err != nil {
		t.Fatal(err)
	}
	b, err := care.BuildCopy(care.CopyRequest{Records: recs, Scope: signed, Key: key, ChainID: joseChainID.Uint64(), Registry: joseRegistry})
	if err != nil {
		t.Fatal(err)
	}
	if len(b.Bundles) < 2 {
		t.Fatalf("a care copy of %d records is %d Bundle(s); want it split", len(recs), len(b.Bundles))
	}
	return key, b.Files
}

// emergencyCard builds the IPS of a real Synthea patient as an emergency
// card does, and returns its document head and entries.
func emergencyCard(t *testing.T) (*share.DocumentBundle, [][]byte) {
	t.Helper()
	var in emergency.Input
	for _, r := range share.SyntheaResources(t, 94) { // Bibi254_Schowalter414, the first patient
		var h struct{ ResourceType string }
		json.Unmarshal(r, &h)
		if h.ResourceType == "Patient" && in.Patient == nil {
			in.Patient = r
		} else if _, ok := emergency.SectionOf(h.ResourceType); ok && emergency.Active(r) {
			in.Records = append(in.Records, r)
		}
	}
	in.Now = time.Now()
	in.Profile = emergency.Profile{BloodType: "AB-", Contacts: []emergency.Contact{{Name: "Ana Diaz", Relation: "mother", Phone: "+1 555 0100"}}}
	doc, err := emergency.Build(in)
	if err != nil {
		t.Fatal(err)
	}
	entries := make([][]byte, len(doc.Entries))
	for i, e := range doc.Entries {
		entries[i] = e.Resource
	}
	return doc.ShareDocument(), entries
}
