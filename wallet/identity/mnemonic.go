package identity

import (
	"crypto/rand"
	"errors"
	"fmt"
	"strings"

	"github.com/tyler-smith/go-bip39"
	"github.com/tyler-smith/go-bip39/wordlists"
)

// BIP-39 comes from github.com/tyler-smith/go-bip39: it is small, has no
// dependencies beyond x/crypto, and passes the published vectors (see
// TestBIP39Vectors). Two things it does not do, so this file does them: it only
// says "invalid" where a person needs to know which word is wrong, and its word
// list is package-global state (bip39.SetWordList), so the list a word is
// checked against here is always wordlists.English itself.

// MnemonicWords is the number of words in every recovery phrase Health Wallet
// makes and accepts: 24 words carry 256 bits of entropy and an 8-bit checksum.
const MnemonicWords = 24

// ErrBadMnemonic is wrapped by every error about a recovery phrase that cannot
// be used: wrong number of words, unknown words or a failed checksum.
var ErrBadMnemonic = errors.New("invalid recovery phrase")

// MnemonicError says what is wrong with a recovery phrase. It wraps
// [ErrBadMnemonic]; use errors.As to reach the detail, for instance to
// highlight the words a person should check.
type MnemonicError struct {
	// Words is how many words the phrase has.
	Words int
	// Unknown lists the 1-based positions of words that are not in the
	// English BIP-39 word list, in order.
	Unknown []int
	// Checksum is true when every word is known but the phrase's checksum
	// does not match: a word was mistyped as another valid word, or two
	// words were swapped.
	Checksum bool

	msg string
}

func (e *MnemonicError) Error() string { return ErrBadMnemonic.Error() + ": " + e.msg }

func (e *MnemonicError) Unwrap() error { return ErrBadMnemonic }

var englishIndex = func() map[string]int {
	m := make(map[string]int, len(wordlists.English))
	for i, w := range wordlists.English {
		m[w] = i
	}
	return m
}()

// NewMnemonic returns a new recovery phrase: 24 words from the English BIP-39
// list encoding 256 bits from crypto/rand.
func NewMnemonic() (string, error) {
	entropy := make([]byte, 32)
	defer clear(entropy)
	if _, err := rand.Read(entropy); err != nil {
		return "", fmt.Errorf("reading randomness for a recovery phrase: %w", err)
	}
	return mnemonicFromEntropy(entropy)
}

func mnemonicFromEntropy(entropy []byte) (string, error) {
	if err := checkBIP39English(); err != nil {
		return "", err
	}
	return bip39.NewMnemonic(entropy)
}

// checkBIP39English guards against another package having called
// bip39.SetWordList: our phrases are English, on every device.
func checkBIP39English() error {
	l := bip39.GetWordList()
	if len(l) != len(wordlists.English) || l[0] != wordlists.English[0] || l[len(l)-1] != wordlists.English[len(l)-1] {
		return errors.New("identity: go-bip39's word list was changed from English (bip39.SetWordList)")
	}
	return nil
}

// CheckMnemonic reports whether m is a usable Health Wallet recovery phrase:
// 24 words from the English BIP-39 list with a correct checksum. Case and the
// spacing between words do not matter. The error wraps [ErrBadMnemonic] and is
// a [*MnemonicError] whose text a person can act on.
func CheckMnemonic(m string) error {
	_, err := normalizeMnemonic(m, MnemonicWords)
	return err
}

// SeedFromMnemonic checks m like [CheckMnemonic] and returns its 64-byte
// BIP-39 seed, with the empty passphrase.
func SeedFromMnemonic(m string) ([]byte, error) {
	norm, err := normalizeMnemonic(m, MnemonicWords)
	if err != nil {
		return nil, err
	}
	return seedFromNormalized(norm, ""), nil
}

// seedFromNormalized is the BIP-39 seed function: PBKDF2-HMAC-SHA512, 2048
// rounds, salt "mnemonic"+passphrase. The phrase must already be normalised.
func seedFromNormalized(norm, passphrase string) []byte {
	return bip39.NewSeed(norm, passphrase)
}

// normalizeMnemonic returns m as lower-case words separated by single spaces
// — the form BIP-39 hashes — after checking it has one of the word counts in
// allowed, only known words, and a matching checksum.
func normalizeMnemonic(m string, allowed ...int) (string, error) {
	words := strings.Fields(strings.ToLower(m))
	n := len(words)
	countOK := false
	for _, a := range allowed {
		countOK = countOK || n == a
	}
	switch {
	case n == 0:
		return "", &MnemonicError{msg: "it is empty: enter the 24 words, in order"}
	case !countOK && len(allowed) == 1:
		return "", &MnemonicError{Words: n, msg: fmt.Sprintf("it has %d words, not %d: check for a missing or an extra word", n, allowed[0])}
	case !countOK:
		return "", &MnemonicError{Words: n, msg: fmt.Sprintf("it has %d words; a phrase has %s", n, joinCounts(allowed))}
	}

	var unknown []int
	var problems []string
	for i, w := range words {
		if _, ok := englishIndex[w]; ok {
			continue
		}
		unknown = append(unknown, i+1)
		p := fmt.Sprintf("word %d (%q) is not in the word list", i+1, w)
		if guess := guessWord(w); guess != "" {
			p += fmt.Sprintf(" (did you mean %q?)", guess)
		}
		problems = append(problems, p)
	}
	if len(unknown) > 0 {
		return "", &MnemonicError{Words: n, Unknown: unknown, msg: strings.Join(problems, "; ")}
	}

	if err := checkBIP39English(); err != nil {
		return "", err
	}
	norm := strings.Join(words, " ")
	entropy, err := bip39.EntropyFromMnemonic(norm)
	if err != nil {
		// Word count and words are already checked, so this is the checksum.
		return "", &MnemonicError{Words: n, Checksum: true,
			msg: "the checksum does not match: a word is probably mistyped as another valid word, or two words are swapped"}
	}
	clear(entropy)
	return norm, nil
}

// guessWord returns the list word that w probably stands for. Every English
// BIP-39 word is identified by its first four letters (the list was built so),
// which lets a person type just those, and catches a typo after them.
func guessWord(w string) string {
	if len(w) < 4 {
		return ""
	}
	found := ""
	for _, cand := range wordlists.English {
		if strings.HasPrefix(cand, w[:4]) {
			if found != "" {
				return ""
			}
			found = cand
		}
	}
	return found
}

func joinCounts(counts []int) string {
	s := make([]string, len(counts))
	for i, c := range counts {
		s[i] = fmt.Sprint(c)
	}
	if len(s) == 1 {
		return s[0] + " words"
	}
	return strings.Join(s[:len(s)-1], ", ") + " or " + s[len(s)-1] + " words"
}
