package app

import (
	"fmt"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"healthwallet/wallet"
	"healthwallet/wallet/testcorpus"
)

// TestRealWallet drives the UI over the real wallet package (a real vault
// file, real keys, the real importer): create with the phrase read off the
// screen, import a Synthea patient, find a record, lock, then unlock with a
// wrong and the right password.
func TestRealWallet(t *testing.T) {
	patient := filepath.Join(testcorpus.Dir(t, "synthea"), "Bibi254_Schowalter414_475d72ca-91c7-7211-97e3-f000af33fc04.json")
	want := testcorpus.CountResources(t, patient)

	dir := t.TempDir()
	b := NewBackend(dir, wallet.Options{KDFTime: 1, KDFMemoryKiB: 8 * 1024, KDFThreads: 1})
	h := newHarness(t, b, phoneSize, true)
	// Anchoring after the import starts the embedded chain under dir: let
	// the background work end and the chain stop before dir is removed.
	t.Cleanup(func() { closeUI(h) })
	h.createInUI(testName)
	h.tap("Skip for now")
	h.screen("records")
	if !wallet.Exists(dir) {
		t.Fatal("no wallet on disk after onboarding")
	}

	h.importAndAnchor(patient, want)
	h.see("COVID-19")
	h.dontSee("Offline")

	// Settings: recording accesses on chain is the patient's choice, on by
	// default, kept by the wallet.
	h.ui.showSettings()
	h.screen("settings")
	rw := h.ui.wallet.(accessChoice)
	if !rw.AccessOnChain() {
		t.Fatal("recording accesses on chain is off by default")
	}
	h.setCheck(accessOnNetworkLabel, false)
	if rw.AccessOnChain() {
		t.Fatal("unticking the box did not turn recording off")
	}
	h.setCheck(accessOnNetworkLabel, true)
	if !rw.AccessOnChain() {
		t.Fatal("ticking the box did not turn recording on")
	}
	h.ui.showRecords()

	h.ui.lock()
	h.screen("unlock")
	h.typeIn(h.entry("Password"), "not my password")
	h.tap("Unlock")
	h.wait()
	h.see("Wrong password: try again")
	h.typeIn(h.entry("Password"), testPassword)
	h.tap("Unlock")
	h.wait()
	h.screen("records")
	if strings.Contains(strings.Join(h.texts(), "\n"), "No records yet") {
		t.Fatal("records gone after lock and unlock")
	}
}

// createInUI goes through onboarding from the welcome screen, as a person
// does: name and password, the 24 words read off the screen and some typed
// back. It ends on the network choice.
func (h *harness) createInUI(name string) {
	h.t.Helper()
	h.screen("welcome")
	h.tap("Create a new wallet")
	h.typeIn(h.entry("e.g. Ada Lovelace"), name)
	h.typeIn(h.entry("At least 8 characters"), testPassword)
	h.typeIn(h.entry("Type it again"), testPassword)
	h.tap("Continue")
	h.wait()
	h.screen("mnemonic")

	// Read the 24 words off the screen, as the person writes them down.
	number := regexp.MustCompile(`^\s*(\d+)\.$`)
	words := map[int]string{}
	labels := h.labels()
	for i := 0; i+1 < len(labels); i++ {
		if m := number.FindStringSubmatch(labels[i]); m != nil {
			var n int
			fmt.Sscan(m[1], &n)
			words[n] = labels[i+1]
		}
	}
	if len(words) != 24 {
		h.t.Fatalf("read %d words off the mnemonic screen, want 24", len(words))
	}
	h.tap("I have written them down")
	h.screen("confirm")
	for i, p := range h.ui.confirmPositions() {
		h.typeIn(h.entries()[i], words[p])
	}
	h.tap("Create wallet")
	h.wait()
	h.screen("network-choice")
}

// importAndAnchor imports a file from the records screen and waits until
// the background anchoring has every record in a block.
func (h *harness) importAndAnchor(path string, want int) {
	h.t.Helper()
	h.tap("Import")
	h.screen("import")
	h.files.open = path
	h.tap("Add file…")
	h.tap("Import")
	h.wait()
	h.screen("import-result")
	h.see("Import finished")
	h.see(fmt.Sprintf("%d new records", want))

	h.tap("Show records")
	h.wait()
	h.screen("records")
	// The import is anchored in the background, and followed up until its
	// batch is in a block.
	for range anchorMaxFollows {
		if !slices.Contains(h.texts(), "Waiting to anchor") {
			break
		}
		time.Sleep(500 * time.Millisecond) // the chain seals a block
		h.clock.Advance(anchorFollowUp)
		h.wait()
	}
	h.see("Anchored")
	h.dontSee("Waiting to anchor")
	h.dontSee("Verification failed")
}
