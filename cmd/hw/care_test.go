package main

import (
	"bufio"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/ethereum/go-ethereum/common"

	"healthwallet/chain/chaintest"
	"healthwallet/wallet/share"
)

// TestCareEndToEnd is issue 9's acceptance for caregivers, tried as a new
// user would, every party its own process: hw chain serve, hw relay checking
// it, and three wallets — Ada the patient, Byron her caregiver, Dr. Lee.
// Ada invites Byron for her medications only; Byron accepts and sees exactly
// those; Ada adds one and syncs, Byron's sync brings it; Byron shares on
// Ada's behalf and Dr. Lee's hw receive is Verified naming both; Byron
// cannot share anything else; Ada revokes: Byron's sync and shares fail
// saying so, and his earlier share no longer verifies.
func TestCareEndToEnd(t *testing.T) {
	if testing.Short() {
		t.Skip("starts hw chain serve and hw relay")
	}
	served := chaintest.StartServe(t)
	rp := startRelay(t, "--chain", served.URL)
	dir := t.TempDir()
	ada, byron, doctor := chainWalletEnv(dir, "ada", served.URL), chainWalletEnv(dir, "byron", served.URL), chainWalletEnv(dir, "doctor", served.URL)
	run := func(env []string, want int, args ...string) (string, string) {
		t.Helper()
		out, errOut, code := hwProc(t, env, args...)
		if code != want {
			t.Fatalf("hw %s: exit %d, want %d\n%s%s", strings.Join(args, " "), code, want, out, errOut)
		}
		return out, errOut
	}
	type card struct{ Card, Address, Name string }
	cards := map[string]card{}
	for name, e := range map[string][]string{"Ada Lovelace": ada, "Byron Lovelace": byron, "Dr. Lee": doctor} {
		run(e, 0, "init", "--name", name)
		out, _ := run(e, 0, "card", "--json")
		var c card
		if err := json.Unmarshal([]byte(out), &c); err != nil {
			t.Fatal(err)
		}
		served.Fund(common.HexToAddress(c.Address))
		cards[name] = c
	}
	records := filepath.Join(dir, "ada.json")
	write := func(path, entries string) {
		t.Helper()
		if err := os.WriteFile(path, []byte(`{"resourceType":"Bundle","type":"collection","entry":[`+entries+`]}`), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	med := func(id, text string) string {
		return `{"resource":{"resourceType":"MedicationRequest","id":"` + id + `","status":"active","intent":"order","medicationCodeableConcept":{"text":"` + text + `"},"authoredOn":"2024-03-01"}}`
	}
	write(records, med("m1", "Metformin 500 MG")+","+med("m2", "Lisinopril 10 MG")+
		`,{"resource":{"resourceType":"Observation","id":"g1","status":"final","code":{"text":"Glucose"},"valueQuantity":{"value":99,"unit":"mg/dL"},"effectiveDateTime":"2024-03-01"}}`)
	run(ada, 0, "import", records)

	// Ada invites Byron: medications only, view and share, a month.
	out, _ := run(ada, 0, "delegate", "add", cards["Byron Lovelace"].Card, "--rights", "view,share", "--expires", "30d",
		"--category", "Medications", "--relay", rp.base, "--json")
	var invite struct {
		Delegate, Invite string
		Rights           []string
	}
	if err := json.Unmarshal([]byte(out), &invite); err != nil || !strings.HasPrefix(invite.Invite, "hwinvite:") {
		t.Fatalf("hw delegate add --json: %s (%v)", out, err)
	}

	// Byron accepts: exactly Ada's two medications.
	out, _ = run(byron, 0, "care", "accept", invite.Invite, "--json")
	var accepted struct {
		Patient, Name string
		Records       int
	}
	if err := json.Unmarshal([]byte(out), &accepted); err != nil || accepted.Name != "Ada Lovelace" || accepted.Records != 2 ||
		!strings.EqualFold(accepted.Patient, cards["Ada Lovelace"].Address) {
		t.Fatalf("hw care accept --json: %s (%v)", out, err)
	}
	careRecords := func() []map[string]any {
		t.Helper()
		out, _ := run(byron, 0, "care", "records", "Ada", "--json")
		var recs []map[string]any
		sc := bufio.NewScanner(strings.NewReader(out))
		for sc.Scan() {
			var r map[string]any
			if err := json.Unmarshal(sc.Bytes(), &r); err != nil {
				t.Fatalf("hw care records --json line %q: %v", sc.Text(), err)
			}
			recs = append(recs, r)
		}
		return recs
	}
	for _, r := range careRecords() {
		if r["resourceType"] != "MedicationRequest" {
			t.Fatalf("Byron sees a record outside the scope: %v", r)
		}
	}
	var people []struct{ ID, Name, State string }
	out, _ = run(byron, 0, "care", "list", "--json")
	if err := json.Unmarshal([]byte(out), &people); err != nil || len(people) != 1 || people[0].State != "active" {
		t.Fatalf("hw care list --json: %s (%v)", out, err)
	}
	// Every form hw people lists names Ada.
	var listed []struct {
		ID, Address, Name, State string
		Owner, CaredFor          bool
	}
	out, _ = run(byron, 0, "people", "--json")
	if err := json.Unmarshal([]byte(out), &listed); err != nil || len(listed) != 2 || !listed[0].Owner ||
		!listed[1].CaredFor || listed[1].ID != people[0].ID || listed[1].State != "active" {
		t.Fatalf("hw people --json: %s (%v)", out, err)
	}
	listed = listed[1:]
	for _, who := range []string{listed[0].ID, listed[0].Address, listed[0].Name, "ada"} {
		run(byron, 0, "care", "records", who)
	}
	run(byron, 1, "care", "records", "Charles")

	// Ada adds a medication and syncs; Byron's sync brings it.
	more := filepath.Join(dir, "more.json")
	write(more, med("m3", "Atorvastatin 20 MG"))
	run(ada, 0, "import", more)
	// As hw says when a record waits for its block: sync again later.
	for i := 0; ; i++ {
		out, errOut, code := hwProc(t, ada, "sync", "--json")
		if code == 0 {
			break
		}
		if i == 20 || !strings.Contains(errOut, "wait for their anchor") {
			t.Fatalf("hw sync: exit %d\n%s%s", code, out, errOut)
		}
		time.Sleep(500 * time.Millisecond)
	}
	out, _ = run(byron, 0, "care", "sync", "--json")
	var synced []struct {
		Records, Added int
		Problem        string
	}
	if err := json.Unmarshal([]byte(out), &synced); err != nil || len(synced) != 1 || synced[0].Records != 3 || synced[0].Added != 1 {
		t.Fatalf("hw care sync --json: %s (%v)", out, err)
	}
	if n := len(careRecords()); n != 3 {
		t.Fatalf("after sync Byron has %d records", n)
	}

	// Byron shares for Ada; Dr. Lee verifies, naming both.
	out, _ = run(byron, 0, "care", "share", people[0].ID, "--all", "--ttl", "1h", "--purpose", "TREAT", "--json")
	var shared struct {
		ID, Link string
		Records  int
	}
	if err := json.Unmarshal([]byte(out), &shared); err != nil || shared.Records != 3 {
		t.Fatalf("hw care share --json: %s (%v)", out, err)
	}
	out, _ = run(doctor, 0, "receive", shared.Link, "--json")
	var got struct {
		Verified    bool
		Patient     string
		Issuer      string
		PatientName string
		OnBehalf    *struct {
			Delegate, DelegateName string
			Rights                 []string
		}
		Records []json.RawMessage
	}
	if err := json.Unmarshal([]byte(out), &got); err != nil || !got.Verified || len(got.Records) != 3 {
		t.Fatalf("hw receive --json: %s (%v)", out, err)
	}
	if got.PatientName != "Ada Lovelace" || !strings.EqualFold(got.Patient, cards["Ada Lovelace"].Address) || got.OnBehalf == nil ||
		got.OnBehalf.DelegateName != "Byron Lovelace" || !strings.EqualFold(got.Issuer, invite.Delegate) || strings.EqualFold(got.Issuer, cards["Byron Lovelace"].Address) {
		t.Fatalf("the doctor's report does not name Ada and Byron as it should: %s", out)
	}
	human, _ := run(doctor, 0, "receive", shared.Link)
	if !strings.Contains(human, "Byron Lovelace") || !strings.Contains(human, "caregiver") ||
		!strings.Contains(human, "\nIntact and anchored on "+time.Now().UTC().Format("2 Jan 2006")+", shared by their caregiver with the patient's consent.\n") {
		t.Fatalf("hw receive does not name the caregiver:\n%s", human)
	}
	// With no choice, Byron shares Ada's patient summary (her current
	// medications), saying whose it is, and it verifies.
	out, errOut := run(byron, 0, "care", "share", "Ada", "--ttl", "1h", "--purpose", "TREAT", "--json")
	var summary struct {
		Link    string
		Records int
	}
	if err := json.Unmarshal([]byte(out), &summary); err != nil || summary.Records != 3 {
		t.Fatalf("hw care share with no choice: %s%s (%v)", out, errOut, err)
	}
	if !strings.Contains(errOut, "Sharing Ada Lovelace's patient summary: 3 records (3 current medications") || !strings.Contains(errOut, "--all") {
		t.Fatalf("hw care share with no choice says: %s", errOut)
	}
	if out, _ = run(doctor, 0, "receive", summary.Link, "--json"); !strings.Contains(out, `"verified":true`) {
		t.Fatalf("the summary shared for Ada: %s", out)
	}

	// Nothing but medications can be shared.
	_, errOut = run(byron, 1, "care", "share", "Ada", "--type", "Observation", "--ttl", "1h", "--purpose", "TREAT")
	if !strings.Contains(errOut, "Observation records are not in what Ada Lovelace lets you see (Medications)") {
		t.Fatalf("sharing observations says: %s", errOut)
	}

	// Ada's access log shows Byron's share, and the doctor's opening of it
	// (the relay's entry, sealed to Ada).
	out, _ = run(ada, 0, "access-log", "--json")
	var log []struct{ Share, Source, Delegate, Action, Who string }
	if err := json.Unmarshal([]byte(out), &log); err != nil {
		t.Fatalf("hw access-log --json: %s (%v)", out, err)
	}
	var sharedSeen, openedSeen bool
	for _, e := range log {
		sharedSeen = sharedSeen || (e.Action == "shared" && strings.EqualFold(e.Delegate, invite.Delegate))
		openedSeen = openedSeen || (e.Share == shared.ID && e.Source == "relay" && e.Delegate == "" && e.Who != "")
	}
	if !sharedSeen || !openedSeen {
		t.Errorf("Ada's access log: Byron's share %v, the doctor's opening of it %v: %s", sharedSeen, openedSeen, out)
	}

	// Ada revokes: Byron's sync and shares fail saying so; his share no
	// longer verifies; his records stay.
	run(ada, 0, "delegate", "revoke", invite.Delegate, "--yes", "--json")
	_, errOut = run(byron, 1, "care", "sync", "Ada")
	if !strings.Contains(errOut, "revoked") || !strings.Contains(errOut, "Ada Lovelace") {
		t.Fatalf("hw care sync after revocation says: %s", errOut)
	}
	_, errOut = run(byron, 1, "care", "share", "Ada", "--all", "--ttl", "1h", "--purpose", "TREAT")
	if !strings.Contains(errOut, "revoked") {
		t.Fatalf("hw care share after revocation says: %s", errOut)
	}
	out, _, _ = hwProc(t, doctor, "receive", shared.Link, "--json")
	if strings.Contains(out, `"verified":true`) {
		t.Fatalf("the caregiver's share still verifies after revocation: %s", out)
	}
	if n := len(careRecords()); n != 3 {
		t.Fatalf("after revocation Byron has %d records, want the 3 synced", n)
	}
}

// hw care accept takes the invitation as pasted, as a file holding it, or
// as a picture of its QR code; anything else is refused saying what it is.
func TestInviteArg(t *testing.T) {
	dir := t.TempDir()
	link := "hwinvite:eyJ1cmwiOiJodHRwOi8vMTI3LjAuMC4xOjgwODAvYmxvYi94IiwiZXhwIjoxODAwMDAwMDAwfQ"
	text := filepath.Join(dir, "invite.txt")
	os.WriteFile(text, []byte(link+"\n"), 0o600)
	qr, err := share.LinkQRCode(link, 8)
	if err != nil {
		t.Fatal(err)
	}
	png := filepath.Join(dir, "invite.png")
	os.WriteFile(png, qr, 0o600)
	other := filepath.Join(dir, "notes.txt")
	os.WriteFile(other, []byte("a shopping list"), 0o600)
	for _, arg := range []string{link, "  " + link + "\n", text, png} {
		if got, err := inviteArg(arg); err != nil || strings.TrimSpace(got) != link {
			t.Errorf("inviteArg(%q) = %q, %v", arg, got, err)
		}
	}
	for _, arg := range []string{other, filepath.Join(dir, "missing.png")} {
		var ue *userError
		if _, err := inviteArg(arg); !errors.As(err, &ue) {
			t.Errorf("inviteArg(%q): %v, want a user error", arg, err)
		}
	}
}
