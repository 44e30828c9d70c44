package app

import (
	"errors"
	"testing"

	"healthwallet/wallet"
)

// The real adapter over an empty directory: no wallet, and Open's error is
// a real nil-free error, never a typed nil inside the interface.
func TestNewBackendEmptyDir(t *testing.T) {
	b := NewBackend(t.TempDir(), wallet.Options{})
	if b.Exists() {
		t.Fatal("an empty directory holds a wallet")
	}
	w, err := b.Open()
	if !errors.Is(err, wallet.ErrNoWallet) || w != nil {
		t.Fatalf("Open = %v, %v; want nil, ErrNoWallet", w, err)
	}
}

func TestOpenFailureShowsProblem(t *testing.T) {
	b := newFakeBackend(true)
	b.wallet = nil
	h := newHarness(t, &openFails{b}, desktopSize, false)
	h.screen("problem")
	h.see("in use by another program: close it there")
}

type openFails struct{ *fakeBackend }

func (openFails) Open() (Wallet, error) { return nil, wallet.ErrInUse }

// renamingWallet is the fake with the real wallet's SetDisplayName.
type renamingWallet struct{ *fakeWallet }

func (w renamingWallet) SetDisplayName(name string) error {
	w.name = name
	return nil
}

func TestSettingsRenames(t *testing.T) {
	b := newFakeBackend(true)
	h := newHarness(t, &renaming{b}, desktopSize, false)
	h.unlock()
	h.menu("Settings")
	h.typeInto(h.entry("Your name"), "Ada King")
	h.tap("Save")
	if b.wallet.name != "Ada King" {
		t.Fatalf("name %q", b.wallet.name)
	}
	h.screen("settings")
	h.tap("Back")
	h.see("Ada King")
}

type renaming struct{ *fakeBackend }

func (r renaming) Open() (Wallet, error) { return renamingWallet{r.wallet}, nil }
