package identity

import (
	"bytes"
	"crypto/ecdh"
	"crypto/ecdsa"
	"encoding/hex"
	"errors"
	"io"
	"strings"
	"testing"

	"filippo.io/age"
	"github.com/ethereum/go-ethereum/common"
)

// The keys of phrase24, pinned: a wallet restored from its phrase by any later
// version must get exactly these, or the patient loses their chain identity,
// their vault's recovery copy and their backups. The sharing and recovery keys
// were cross-checked outside Go (Python hashlib/hmac HKDF-SHA256 and
// pyca/cryptography X25519); the chain address follows from the BIP-32/44
// vectors tested in vectors_test.go.
const (
	goldenAddress  = "0xc6e4A4f5A9743fAB9bC8D648499e63E083d2519A"
	goldenSharing  = "4ead5fce9eb4c45aecccbf29b01ff7b885665e3852035e7fe1d369fd7308637f"
	goldenRecovery = "31f47b5065e56695d3e0a49edfddea8a6750e1247aa5ddabb85d8b66a0809dae"
	goldenBackup   = "age1xjewdt2qh8q863ntka3kc660776u7qrzujzg9tphgn955amn3vmsgg056a"
)

func mustIdentity(t testing.TB, phrase string) *Identity {
	t.Helper()
	id, err := FromMnemonic(phrase)
	if err != nil {
		t.Fatal(err)
	}
	return id
}

// The key methods fail only after Wipe; these fail the test if they do.

func mustPrivateKey(t testing.TB, id *Identity) *ecdsa.PrivateKey {
	t.Helper()
	k, err := id.PrivateKey()
	if err != nil {
		t.Fatal(err)
	}
	return k
}

func mustSharingKey(t testing.TB, id *Identity) *ecdh.PrivateKey {
	t.Helper()
	k, err := id.SharingKey()
	if err != nil {
		t.Fatal(err)
	}
	return k
}

func mustRecoveryKey(t testing.TB, id *Identity) []byte {
	t.Helper()
	k, err := id.VaultRecoveryKey()
	if err != nil {
		t.Fatal(err)
	}
	return k
}

func mustBackupIdentity(t testing.TB, id *Identity) *age.X25519Identity {
	t.Helper()
	k, err := id.BackupIdentity()
	if err != nil {
		t.Fatal(err)
	}
	return k
}

func TestDerivedKeysArePinned(t *testing.T) {
	id := mustIdentity(t, phrase24)
	if got := id.Address().Hex(); got != goldenAddress {
		t.Errorf("address %s; want %s", got, goldenAddress)
	}
	if got := hex.EncodeToString(mustSharingKey(t, id).PublicKey().Bytes()); got != goldenSharing {
		t.Errorf("sharing key %s; want %s", got, goldenSharing)
	}
	if got := hex.EncodeToString(mustRecoveryKey(t, id)); got != goldenRecovery {
		t.Errorf("recovery key %s; want %s", got, goldenRecovery)
	}
	if got := mustBackupIdentity(t, id).Recipient().String(); got != goldenBackup {
		t.Errorf("backup recipient %s; want %s", got, goldenBackup)
	}
}

func mustDirectStoreKey(t testing.TB, id *Identity) []byte {
	t.Helper()
	k, err := id.DirectStoreKey()
	if err != nil {
		t.Fatal(err)
	}
	return k
}

// keyMaterial is every 32-byte secret an identity yields, by name.
func keyMaterial(t testing.TB, id *Identity) map[string][]byte {
	return map[string][]byte{
		"chain":    mustPrivateKey(t, id).D.FillBytes(make([]byte, 32)),
		"sharing":  mustSharingKey(t, id).Bytes(),
		"recovery": mustRecoveryKey(t, id),
		"backup":   bytes.Clone(id.backup[:]), // age offers no accessor for its scalar
		"direct":   mustDirectStoreKey(t, id),
	}
}

func TestDerivationIsDeterministicAndSeparated(t *testing.T) {
	a1 := keyMaterial(t, mustIdentity(t, phrase24))
	a2 := keyMaterial(t, mustIdentity(t, phrase24))
	other, err := NewMnemonic()
	if err != nil {
		t.Fatal(err)
	}
	b := keyMaterial(t, mustIdentity(t, other))

	for name := range a1 {
		if !bytes.Equal(a1[name], a2[name]) {
			t.Errorf("%s key differs between two derivations from the same phrase", name)
		}
		if bytes.Equal(a1[name], b[name]) {
			t.Errorf("%s key is the same for two different phrases", name)
		}
		// Each label gives its own key.
		for name2 := range a1 {
			if name < name2 && bytes.Equal(a1[name], a1[name2]) {
				t.Errorf("%s and %s keys are equal", name, name2)
			}
		}
	}
}

// The backup identity's text is what `hw` prints for `age -d -i`; it must
// decrypt what was encrypted to the identity's recipient. age.ParseIdentities
// is the parser the age command uses for -i files.
func TestBackupIdentityDecryptsWithAgeIdentityFile(t *testing.T) {
	id := mustIdentity(t, phrase24)
	text := mustBackupIdentity(t, id).String()
	if !strings.HasPrefix(text, "AGE-SECRET-KEY-1") {
		t.Fatalf("backup identity text %q does not start with AGE-SECRET-KEY-1", text)
	}

	var sealed bytes.Buffer
	w, err := age.Encrypt(&sealed, mustBackupIdentity(t, id).Recipient())
	if err != nil {
		t.Fatal(err)
	}
	io.WriteString(w, "backup archive")
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}

	keyFile := "# created: by hw backup key\n# public key: " + goldenBackup + "\n" + text + "\n"
	ids, err := age.ParseIdentities(strings.NewReader(keyFile))
	if err != nil {
		t.Fatal(err)
	}
	r, err := age.Decrypt(&sealed, ids...)
	if err != nil {
		t.Fatalf("decrypting with the printed identity: %v", err)
	}
	got, _ := io.ReadAll(r)
	if string(got) != "backup archive" {
		t.Errorf("decrypted %q", got)
	}
}

func TestVaultRecoveryKeyIsACopy(t *testing.T) {
	id := mustIdentity(t, phrase24)
	k := mustRecoveryKey(t, id)
	if len(k) != 32 {
		t.Fatalf("recovery key is %d bytes", len(k))
	}
	k[0] ^= 0xff
	if bytes.Equal(k, mustRecoveryKey(t, id)) {
		t.Error("changing the returned recovery key changed the identity's")
	}
}

func TestFromSeedRefusesBadLengths(t *testing.T) {
	for _, n := range []int{0, 15, 65} {
		if _, err := FromSeed(make([]byte, n)); err == nil {
			t.Errorf("FromSeed accepted a %d-byte seed", n)
		}
	}
}

func TestWipe(t *testing.T) {
	id := mustIdentity(t, phrase24)
	key := mustPrivateKey(t, id)
	id.Wipe()

	if key.D.Sign() != 0 {
		t.Error("Wipe left the private key handed out by PrivateKey intact")
	}
	if k, err := id.PrivateKey(); k != nil || !errors.Is(err, ErrWiped) {
		t.Errorf("PrivateKey after Wipe = %v, %v; want ErrWiped", k, err)
	}
	if k, err := id.SharingKey(); k != nil || !errors.Is(err, ErrWiped) {
		t.Errorf("SharingKey after Wipe = %v, %v; want ErrWiped", k, err)
	}
	if k, err := id.VaultRecoveryKey(); k != nil || !errors.Is(err, ErrWiped) {
		t.Errorf("VaultRecoveryKey after Wipe = %x, %v; want ErrWiped", k, err)
	}
	if k, err := id.DirectStoreKey(); k != nil || !errors.Is(err, ErrWiped) {
		t.Errorf("DirectStoreKey after Wipe = %x, %v; want ErrWiped", k, err)
	}
	if k, err := id.BackupIdentity(); k != nil || !errors.Is(err, ErrWiped) {
		t.Errorf("BackupIdentity after Wipe = %v, %v; want ErrWiped", k, err)
	}
	if id.Address() != (common.Address{}) {
		t.Error("Address survives Wipe")
	}
	if _, err := id.Card("Ada"); !errors.Is(err, ErrWiped) {
		t.Errorf("Card after Wipe = %v; want ErrWiped", err)
	}
	if id.sharing != [32]byte{} || id.recovery != [32]byte{} || id.backup != [32]byte{} {
		t.Error("Wipe left derived secrets in the Identity")
	}
}

// The sharing keys of two people kept apart by the wallet of phrase24,
// pinned: computed outside Go (Python hashlib/hmac HKDF-SHA256 from the
// BIP-39 seed, root label "healthwallet/person-sharing-key/x25519/v1", info
// the tweak; pyca/cryptography X25519 for the public key). A later version
// deriving anything else would orphan every person's shares' access logs.
func TestPersonSharingKeyVectors(t *testing.T) {
	seed, err := SeedFromMnemonic(phrase24)
	if err != nil {
		t.Fatal(err)
	}
	var t1, t2 [32]byte
	for i := range t1 {
		t1[i], t2[i] = 1, byte(i+1)
	}
	for _, c := range []struct {
		index uint32
		tweak [32]byte
		want  string
	}{
		{0, t1, "454de88821e6eca7c4ff71de1ce85be493e730a4b1bee6527eef42a6188bbe20"},
		{0, t2, "3ead5d5874045c771484a5e88ffa410f74c3f650ebc15d6483678b07876d6427"},
		// After a lost device the people's keys are retired with the owner's.
		{1, t1, "e5b3bba1909303099ef684ff0736a748e90a10c35c5af6d498c2d37930b80f1d"},
	} {
		id, err := FromSeedAt(seed, c.index)
		if err != nil {
			t.Fatal(err)
		}
		k, err := id.PersonSharingKey(c.tweak)
		if err != nil {
			t.Fatal(err)
		}
		if got := hex.EncodeToString(k.PublicKey().Bytes()); got != c.want {
			t.Errorf("index %d tweak %x: person sharing key %s; want %s", c.index, c.tweak[:2], got, c.want)
		}
		if own := mustSharingKey(t, id); k.Equal(own) {
			t.Errorf("a person's sharing key is the owner's")
		}
	}
	id := mustIdentity(t, phrase24)
	if _, err := id.PersonSharingKey([32]byte{}); !errors.Is(err, ErrBadTweak) {
		t.Errorf("zero tweak: %v, want ErrBadTweak", err)
	}
	id.Wipe()
	if _, err := id.PersonSharingKey(t1); !errors.Is(err, ErrWiped) {
		t.Errorf("after Wipe: %v, want ErrWiped", err)
	}
}
