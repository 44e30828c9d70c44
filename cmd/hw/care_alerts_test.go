package main

import (
	"bytes"
	"encoding/hex"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/ethereum/go-ethereum/crypto"

	"healthwallet/chain/chaintest"
	"healthwallet/wallet"
)

// TestCareEmergencyAlertsCLI: Ada has an emergency card on a relay that
// records each opening on chain (hw relay --submitter-key, on hw chain
// serve) and has invited Byron. A paramedic with no wallet opens the card:
// Byron's next hw care sync flags EMERGENCY CARD OPENED once (the sync
// after does not), a second opening is flagged again, and hw care list
// shows the last with the count; --json has the fields.
func TestCareEmergencyAlertsCLI(t *testing.T) {
	served := chaintest.StartServe(t)
	dir := t.TempDir()
	payer, _ := crypto.GenerateKey()
	served.Fund(crypto.PubkeyToAddress(payer.PublicKey))
	keyFile := filepath.Join(dir, "submitter.key")
	if err := os.WriteFile(keyFile, []byte(hex.EncodeToString(crypto.FromECDSA(payer))), 0o600); err != nil {
		t.Fatal(err)
	}
	rp := startRelay(t, "--chain", served.URL, "--submitter-key", keyFile, "--rate-ip", "100")
	ada, byron := chainWalletEnv(dir, "ada", served.URL), chainWalletEnv(dir, "byron", served.URL)
	paramedic := []string{"HW_VAULT=" + filepath.Join(dir, "no-wallet"), "HW_CHAIN=" + served.URL}
	var byronCard struct{ Card string }
	for name, e := range map[string][]string{"Ada Lovelace": ada, "Byron Lovelace": byron} {
		hwOK(t, e, "init", "--name", name)
		served.Fund(walletAddress(t, e))
	}
	decodeJSON(t, []byte(hwOK(t, byron, "card", "--json")), &byronCard)

	records := filepath.Join(dir, "ada.json")
	if err := os.WriteFile(records, []byte(`{"resourceType":"Bundle","type":"collection","entry":[
		{"resource":{"resourceType":"AllergyIntolerance","id":"a1","clinicalStatus":{"coding":[{"code":"active"}]},"code":{"text":"Penicillin"}}},
		{"resource":{"resourceType":"MedicationRequest","id":"m1","status":"active","intent":"order","medicationCodeableConcept":{"text":"Metformin 500 MG"},"authoredOn":"2024-03-01"}}]}`), 0o600); err != nil {
		t.Fatal(err)
	}
	hwOK(t, ada, "import", records)
	hwOK(t, ada, "emergency", "set", "--blood-type", "A+")
	var card struct{ Link string }
	decodeJSON(t, []byte(hwOK(t, ada, "emergency", "card", "--relay", rp.base, "--json")), &card)
	var invite struct{ Invite string }
	decodeJSON(t, []byte(hwOK(t, ada, "delegate", "add", byronCard.Card, "--rights", "view", "--expires", "30d", "--relay", rp.base, "--json")), &invite)
	hwOK(t, byron, "care", "accept", invite.Invite, "--json")
	if out := hwOK(t, byron, "care", "sync"); strings.Contains(out, "EMERGENCY") {
		t.Fatalf("before any opening hw care sync says:\n%s", out)
	}

	// Each opening: the paramedic opens the card; Byron syncs until the
	// chain has it (the relay records it after answering), then once more.
	open := func() string {
		t.Helper()
		if r, errOut, code := hwReceive(t, paramedic, card.Link); code != 0 || !*r.Verified {
			t.Fatalf("the paramedic's hw receive of the card: exit %d\n%s", code, errOut)
		}
		deadline := time.Now().Add(time.Minute)
		for {
			out := hwOK(t, byron, "care", "sync")
			if n := strings.Count(out, "EMERGENCY CARD OPENED"); n == 1 {
				if !strings.Contains(out, "Ada Lovelace: EMERGENCY CARD OPENED") || !strings.Contains(out, "sealed to Ada Lovelace") {
					t.Fatalf("hw care sync's alert:\n%s", out)
				}
				if again := hwOK(t, byron, "care", "sync"); strings.Contains(again, "EMERGENCY") {
					t.Fatalf("the next hw care sync flags the opening again:\n%s", again)
				}
				return out
			} else if n > 1 {
				t.Fatalf("one opening flagged %d times:\n%s", n, out)
			}
			if time.Now().After(deadline) {
				t.Fatalf("no alert a minute after the card was opened:\n%s", out)
			}
			time.Sleep(time.Second)
		}
	}
	first := open()
	second := open()
	if first == second {
		t.Fatalf("two openings, the same alert:\n%s", first)
	}
	list := hwOK(t, byron, "care", "list")
	if !strings.Contains(list, "Ada Lovelace: EMERGENCY CARD OPENED") || !strings.Contains(list, "2 openings seen") {
		t.Fatalf("hw care list:\n%s", list)
	}
	var people []wallet.CaredFor
	decodeJSON(t, []byte(hwOK(t, byron, "care", "list", "--json")), &people)
	if len(people) != 1 || len(people[0].EmergencyOpenings) != 2 || people[0].EmergencyOpenings[0].TxHash == "" ||
		!strings.Contains(first, people[0].EmergencyOpenings[0].TxHash) || !strings.Contains(second, people[0].EmergencyOpenings[1].TxHash) {
		t.Fatalf("hw care list --json: %+v", people)
	}
}

// The alert lines say when and which transaction, and that who opened the
// card is sealed to the patient.
func TestPrintOpenings(t *testing.T) {
	at := time.Date(2026, 12, 5, 8, 30, 0, 0, time.UTC)
	var b bytes.Buffer
	printNewOpenings(&b, "Ada\nLovelace", []wallet.EmergencyOpening{{Time: at, TxHash: "0xabc"}})
	out := b.String()
	if !strings.Contains(out, "Ada Lovelace: EMERGENCY CARD OPENED "+at.Local().Format("2006-01-02 15:04:05 MST")+" (recorded on chain, tx 0xabc)") ||
		!strings.Contains(out, "sealed to Ada Lovelace") {
		t.Fatalf("printNewOpenings:\n%s", out)
	}
	b.Reset()
	printNewOpenings(&b, "Ada", nil)
	printOpeningsSeen(&b, []wallet.CaredFor{{Name: "Charles"}})
	if b.Len() != 0 {
		t.Fatalf("no opening, yet:\n%s", b.String())
	}
}
