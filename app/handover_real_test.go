package app

import (
	"context"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"healthwallet/wallet"
	"healthwallet/wallet/identity"
	"healthwallet/wallet/testcorpus"
)

// TestRealWalletHandsOver drives the UI over the real wallet: Bibi's
// wallet keeps Cris's records apart; on the People screen she hands Cris
// over. The confirmation says how many records move; the new wallet's
// phrase is shown and is the phrase of the wallet written where she chose,
// which opens with the new password and holds every record of Cris's; the
// People screen no longer lists Cris.
func TestRealWalletHandsOver(t *testing.T) {
	corpus := testcorpus.Dir(t, "synthea")
	bibi := filepath.Join(corpus, "Bibi254_Schowalter414_475d72ca-91c7-7211-97e3-f000af33fc04.json")
	cris := filepath.Join(corpus, "Cris921_Rath779_d4519c92-d241-b2b2-7360-291d60be699e.json")
	crisCount := testcorpus.CountResources(t, cris)

	kdf := wallet.Options{KDFTime: 1, KDFMemoryKiB: 8 * 1024, KDFThreads: 1}
	b := NewBackend(filepath.Join(t.TempDir(), "wallet"), kdf)
	h := newHarness(t, b, phoneSize, true)
	t.Cleanup(func() { closeUI(h) })
	h.createInUI("Bibi Schowalter")
	h.tap("Skip for now")
	h.screen("records")
	if _, err := h.ui.wallet.Import(context.Background(), []string{bibi, cris}, nil); err != nil {
		t.Fatal(err)
	}

	h.menu("People")
	h.wait()
	h.tap("Hand over…")
	h.screen("handover")
	where := h.entry("Folder for the new wallet")
	if !strings.HasSuffix(where.Text, "-wallet") || filepath.Dir(where.Text) != filepath.Dir(h.ui.wallet.(*wallet.Wallet).Dir()) {
		t.Errorf("the suggested folder %q is not beside this wallet's", where.Text)
	}
	dest := filepath.Join(t.TempDir(), "cris-wallet")
	where.SetText(dest)
	h.typeIn(h.entry("At least 8 characters"), "short")
	h.typeIn(h.entry("Type it again"), "short")
	h.tap("Hand over…")
	h.see("The password is too short")
	h.entry("At least 8 characters").SetText("")
	h.entry("Type it again").SetText("")
	h.typeIn(h.entry("At least 8 characters"), "Cris's own password")
	h.typeIn(h.entry("Type it again"), "Cris's own password")
	h.tap("Hand over…")
	h.see(plural(crisCount, "record", "records") + " will move to a new wallet of their own")
	h.see("They have no active shares")
	h.tapLast("Hand over")
	h.wait()
	h.screen("handover-phrase")
	h.see(plural(crisCount, "record", "records") + " are in Cris921's new wallet")

	// The words shown, in order: each follows its number (a label's text
	// is listed twice, as the label and as its text).
	var words []string
	var texts []string
	for _, s := range h.texts() {
		if len(texts) == 0 || texts[len(texts)-1] != s {
			texts = append(texts, s)
		}
	}
	number := regexp.MustCompile(`^\s*\d+\.$`)
	for i, s := range texts {
		if number.MatchString(s) && i+1 < len(texts) {
			words = append(words, texts[i+1])
		}
	}
	id, err := identity.FromMnemonic(strings.Join(words, " "))
	if err != nil {
		t.Fatalf("the phrase shown (%d words) is not a recovery phrase: %v", len(words), err)
	}
	defer id.Wipe()

	nw, err := wallet.Open(dest)
	if err != nil {
		t.Fatal(err)
	}
	defer nw.Close()
	if err := nw.Unlock([]byte("Cris's own password")); err != nil {
		t.Fatal(err)
	}
	if nw.Address() != id.Address().Hex() {
		t.Errorf("the new wallet's address %s is not the shown phrase's %s", nw.Address(), id.Address().Hex())
	}
	people, err := nw.People()
	if err != nil || len(people) != 1 || people[0].Records != crisCount || !strings.HasPrefix(people[0].Name, "Cris") {
		t.Fatalf("the new wallet holds %+v (%v); want Cris's %d records", people, err, crisCount)
	}

	h.tap("I have written them down")
	h.wait()
	h.screen("people")
	h.see("Bibi Schowalter (you)")
	h.dontSee("Cris")
}
