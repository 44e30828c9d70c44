package identity

import (
	"errors"
	"slices"
	"strings"
	"testing"
)

// A valid 24-word phrase (trezor vector, entropy 0x80…80).
const phrase24 = "letter advice cage absurd amount doctor acoustic avoid letter advice cage absurd amount doctor acoustic avoid letter advice cage absurd amount doctor acoustic bless"

func TestNewMnemonic(t *testing.T) {
	seen := map[string]bool{}
	for range 4 {
		m, err := NewMnemonic()
		if err != nil {
			t.Fatal(err)
		}
		if n := len(strings.Fields(m)); n != MnemonicWords {
			t.Fatalf("NewMnemonic gave %d words: %q", n, m)
		}
		if err := CheckMnemonic(m); err != nil {
			t.Fatalf("CheckMnemonic(NewMnemonic()) = %v", err)
		}
		if seen[m] {
			t.Fatalf("NewMnemonic repeated %q", m)
		}
		seen[m] = true
	}
}

// People type phrases with odd case and spacing; those are the same phrase.
func TestMnemonicNormalisation(t *testing.T) {
	want, err := SeedFromMnemonic(phrase24)
	if err != nil {
		t.Fatal(err)
	}
	sloppy := "  " + strings.ToUpper(phrase24[:20]) + strings.ReplaceAll(phrase24[20:], " ", " \t\n  ") + "\n"
	got, err := SeedFromMnemonic(sloppy)
	if err != nil {
		t.Fatalf("SeedFromMnemonic(sloppy) = %v", err)
	}
	if string(got) != string(want) {
		t.Error("a phrase with other case and spacing gave another seed")
	}
}

func TestCheckMnemonicErrors(t *testing.T) {
	words := strings.Fields(phrase24)
	with := func(i int, w string) string {
		c := slices.Clone(words)
		c[i] = w
		return strings.Join(c, " ")
	}
	swapped := slices.Clone(words)
	swapped[0], swapped[1] = swapped[1], swapped[0]
	twoUnknown := slices.Clone(words)
	twoUnknown[0], twoUnknown[23] = "lettre", "blessed"

	tests := []struct {
		name     string
		phrase   string
		contains []string
		unknown  []int
		checksum bool
	}{
		{"empty", "   ", []string{"empty"}, nil, false},
		{"missing word", strings.Join(words[:23], " "), []string{"23 words, not 24"}, nil, false},
		{"extra word", phrase24 + " zoo", []string{"25 words, not 24"}, nil, false},
		{"twelve words", strings.Repeat("abandon ", 11) + "about", []string{"12 words, not 24"}, nil, false},
		{"unknown word", with(6, "foo"), []string{`word 7 ("foo") is not in the word list`}, []int{7}, false},
		{"unknown word with guess", with(2, "cagey"), []string{`word 3 ("cagey") is not in the word list (did you mean "cage"?)`}, []int{3}, false},
		{"two unknown words", strings.Join(twoUnknown, " "), []string{`word 1 ("lettre")`, `(did you mean "letter"?)`, `word 24 ("blessed")`}, []int{1, 24}, false},
		{"typo to another word", with(23, "zoo"), []string{"checksum", "mistyped"}, nil, true},
		{"swapped words", strings.Join(swapped, " "), []string{"checksum"}, nil, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := CheckMnemonic(tt.phrase)
			if !errors.Is(err, ErrBadMnemonic) {
				t.Fatalf("CheckMnemonic = %v; want ErrBadMnemonic", err)
			}
			for _, c := range tt.contains {
				if !strings.Contains(err.Error(), c) {
					t.Errorf("error %q does not say %q", err, c)
				}
			}
			var me *MnemonicError
			if !errors.As(err, &me) {
				t.Fatalf("error %T is not a *MnemonicError", err)
			}
			if !slices.Equal(me.Unknown, tt.unknown) || me.Checksum != tt.checksum {
				t.Errorf("MnemonicError{Unknown: %v, Checksum: %v}; want %v, %v", me.Unknown, me.Checksum, tt.unknown, tt.checksum)
			}
			if _, err := SeedFromMnemonic(tt.phrase); !errors.Is(err, ErrBadMnemonic) {
				t.Errorf("SeedFromMnemonic accepted it: %v", err)
			}
			if _, err := FromMnemonic(tt.phrase); !errors.Is(err, ErrBadMnemonic) {
				t.Errorf("FromMnemonic accepted it: %v", err)
			}
		})
	}
}
