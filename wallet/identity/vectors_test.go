package identity

import (
	"encoding/hex"
	"encoding/json"
	"fmt"
	"os"
	"strconv"
	"strings"
	"testing"

	"github.com/btcsuite/btcd/btcutil/hdkeychain"
	"github.com/btcsuite/btcd/chaincfg"
	"github.com/ethereum/go-ethereum/common"
	"github.com/ethereum/go-ethereum/crypto"
)

// The published BIP-39 vectors (trezor/python-mnemonic, English, passphrase
// "TREZOR"): entropy → phrase → seed → BIP-32 master key, every one of them.
func TestBIP39Vectors(t *testing.T) {
	var file struct {
		Passphrase string      `json:"passphrase"`
		English    [][4]string `json:"english"`
	}
	readJSON(t, "testdata/bip39-vectors.json", &file)
	if file.Passphrase != "TREZOR" || len(file.English) != 24 {
		t.Fatalf("testdata has passphrase %q and %d vectors; want TREZOR and 24", file.Passphrase, len(file.English))
	}
	counted := map[int]int{}
	for i, v := range file.English {
		entropyHex, phrase, seedHex, xprv := v[0], v[1], v[2], v[3]
		words := len(strings.Fields(phrase))
		counted[words]++
		t.Run(fmt.Sprintf("%02d-%dwords", i, words), func(t *testing.T) {
			entropy, _ := hex.DecodeString(entropyHex)
			got, err := mnemonicFromEntropy(entropy)
			if err != nil || got != phrase {
				t.Fatalf("entropy %s gave %q, %v; want %q", entropyHex, got, err, phrase)
			}
			norm, err := normalizeMnemonic(strings.ToUpper(phrase), 12, 15, 18, 21, 24)
			if err != nil || norm != phrase {
				t.Fatalf("normalizeMnemonic(upper-cased vector) = %q, %v", norm, err)
			}
			seed := seedFromNormalized(norm, file.Passphrase)
			if hex.EncodeToString(seed) != seedHex {
				t.Fatalf("seed\n got %x\nwant %s", seed, seedHex)
			}
			master, err := hdkeychain.NewMaster(seed, &chaincfg.MainNetParams)
			if err != nil || master.String() != xprv {
				t.Fatalf("master key %v, %v; want %s", master, err, xprv)
			}
			// The product's own API accepts exactly the 24-word ones.
			err = CheckMnemonic(phrase)
			if (words == MnemonicWords) != (err == nil) {
				t.Fatalf("CheckMnemonic(%d words) = %v", words, err)
			}
		})
	}
	if counted[24] != 8 || counted[12] == 0 || counted[18] == 0 {
		t.Errorf("vectors by word count: %v; want all 8 of 24 words and some of 12 and 18", counted)
	}
}

// BIP-32 test vectors 1 to 4 from the BIP (3 and 4 catch dropped leading zeros): the derivation FromSeed uses
// must give the published extended keys at every path.
func TestBIP32Vectors(t *testing.T) {
	var file struct {
		Vectors []struct {
			Name   string `json:"name"`
			Seed   string `json:"seed"`
			Chains []struct {
				Path string `json:"path"`
				XPub string `json:"xpub"`
				XPrv string `json:"xprv"`
			} `json:"chains"`
		} `json:"vectors"`
	}
	readJSON(t, "testdata/bip32-vectors.json", &file)
	if len(file.Vectors) != 4 {
		t.Fatalf("%d vectors in testdata; want 4", len(file.Vectors))
	}
	for _, v := range file.Vectors {
		seed, err := hex.DecodeString(v.Seed)
		if err != nil {
			t.Fatal(err)
		}
		for _, ch := range v.Chains {
			t.Run(v.Name+"/"+ch.Path, func(t *testing.T) {
				k, err := deriveExtendedKey(seed, parsePath(t, ch.Path))
				if err != nil {
					t.Fatal(err)
				}
				if got := k.String(); got != ch.XPrv {
					t.Errorf("xprv\n got %s\nwant %s", got, ch.XPrv)
				}
				pub, err := k.Neuter()
				if err != nil {
					t.Fatal(err)
				}
				if got := pub.String(); got != ch.XPub {
					t.Errorf("xpub\n got %s\nwant %s", got, ch.XPub)
				}
			})
		}
	}
}

// The widely published Ethereum vector: "abandon ×11 about" (12 words, empty
// passphrase) at m/44'/60'/0'/0/0 is 0x9858EfFD232B4033E47d90003D41EC34EcaEda94,
// the address MetaMask, Ledger, ethers.js and others show for it.
func TestBIP44EthereumVector(t *testing.T) {
	phrase := strings.Repeat("abandon ", 11) + "about"
	norm, err := normalizeMnemonic(phrase, 12)
	if err != nil {
		t.Fatal(err)
	}
	id, err := FromSeed(seedFromNormalized(norm, ""))
	if err != nil {
		t.Fatal(err)
	}
	want := common.HexToAddress("0x9858EfFD232B4033E47d90003D41EC34EcaEda94")
	if id.Address() != want {
		t.Errorf("address %s; want %s", id.Address().Hex(), want.Hex())
	}
	// Address must be the address of PrivateKey, not just any derivation.
	if got := crypto.PubkeyToAddress(mustPrivateKey(t, id).PublicKey); got != want {
		t.Errorf("PrivateKey's address %s; want %s", got.Hex(), want.Hex())
	}
	const wantKey = "1ab42cc412b618bdea3a599e3c9bae199ebf030895b039e9db1e30dafb12b727"
	if got := hex.EncodeToString(crypto.FromECDSA(mustPrivateKey(t, id))); got != wantKey {
		t.Errorf("private key %s; want %s", got, wantKey)
	}
}

func readJSON(t *testing.T, path string, v any) {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(b, v); err != nil {
		t.Fatalf("%s: %v", path, err)
	}
}

// parsePath reads "m/0'/1/2'" into BIP-32 indices.
func parsePath(t *testing.T, path string) []uint32 {
	t.Helper()
	parts := strings.Split(path, "/")
	if parts[0] != "m" {
		t.Fatalf("path %q does not start at m", path)
	}
	var out []uint32
	for _, p := range parts[1:] {
		hardened := strings.HasSuffix(p, "'")
		n, err := strconv.ParseUint(strings.TrimSuffix(p, "'"), 10, 31)
		if err != nil {
			t.Fatalf("path %q: %v", path, err)
		}
		i := uint32(n)
		if hardened {
			i += hdkeychain.HardenedKeyStart
		}
		out = append(out, i)
	}
	return out
}
