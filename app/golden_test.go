package app

import (
	"errors"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"

	"healthwallet/wallet"
	"healthwallet/wallet/network"
	"healthwallet/wallet/record"
)

// TestGoldens renders every screen at desktop and phone size and compares
// it with the image in testdata/. A changed screen fails here; its new
// image lands in testdata/failed/ to be looked at and copied into place.
func TestGoldens(t *testing.T) {
	sizes := []struct {
		name string
		size fyne.Size
	}{{"desktop", desktopSize}, {"phone", phoneSize}}

	screens := []struct {
		name string
		// exists says whether the backend starts with a wallet.
		exists bool
		reach  func(h *harness)
	}{
		{"welcome", false, func(h *harness) {}},
		{"create", false, func(h *harness) {
			h.tap("Create a new wallet")
			h.typeIn(h.entry("e.g. Ada Lovelace"), testName)
			h.typeIn(h.entry("At least 8 characters"), "Ada's 2nd pass")
			h.ui.win.Canvas().Unfocus()
		}},
		{"mnemonic", false, func(h *harness) {
			h.tap("Create a new wallet")
			h.typeIn(h.entry("e.g. Ada Lovelace"), testName)
			h.typeIn(h.entry("At least 8 characters"), testPassword)
			h.typeIn(h.entry("Type it again"), testPassword)
			h.tap("Continue")
		}},
		{"confirm", false, func(h *harness) {
			h.tap("Create a new wallet")
			h.typeIn(h.entry("e.g. Ada Lovelace"), testName)
			h.typeIn(h.entry("At least 8 characters"), testPassword)
			h.typeIn(h.entry("Type it again"), testPassword)
			h.tap("Continue")
			h.tap("I have written them down")
			es := h.entries()
			h.typeIn(es[0], strings.Fields(testPhrase)[h.ui.confirmPositions()[0]-1])
			h.typeIn(es[1], "wrong")
			h.tap("Create wallet")
			h.ui.win.Canvas().Unfocus()
		}},
		{"unlock", true, func(h *harness) {
			h.typeIn(h.entry("Password"), "not my password")
			h.pressEnter()
			h.ui.win.Canvas().Unfocus()
		}},
		{"records", true, func(h *harness) {
			h.unlock()
		}},
		{"records_damaged", true, func(h *harness) {
			h.backend.wallet.damaged = []wallet.Damage{{ID: "0badc0de01", Problem: "authentication failed"}, {ID: "0badc0de02", Problem: "missing data key"}}
			h.unlock()
		}},
		{"records_empty", true, func(h *harness) {
			h.backend.wallet.records = nil
			h.unlock()
		}},
		{"detail", true, func(h *harness) {
			h.unlock()
			h.list().Select(slices.Index(h.ui.recordsShown(), "Hemoglobin A1c"))
		}},
		{"detail_original", true, func(h *harness) {
			h.unlock()
			h.list().Select(slices.Index(h.ui.recordsShown(), "Hemoglobin A1c"))
			h.tap(showOriginalLabel)
			h.scrollTo(hideOriginalLabel)
		}},
		{"import", true, func(h *harness) {
			h.unlock()
			h.tap("Import")
			h.files.open = "/home/ada/Downloads/labs-2024.json"
			h.tap("Add file…")
		}},
		{"import_result", true, func(h *harness) {
			h.backend.wallet.report = testReport()
			h.unlock()
			h.ui.showImportResult(testReport(), nil)
		}},
		// Issue 11: cards, C-CDA documents, kept documents, trust.
		{"import_result_mixed", true, func(h *harness) {
			h.unlock()
			h.ui.showImportResult(testImportMixed(), nil)
		}},
		{"card_provenance", true, func(h *harness) {
			h.backend.wallet.withDocuments()
			h.unlock()
			h.ui.showDetail(cardRevok)
			h.scrollToText("Where this came from")
		}},
		{"document_preview", true, func(h *harness) {
			h.backend.wallet.withDocuments()
			h.unlock()
			h.ui.showDetail(docPDF)
		}},
		// Issue 12: a document without a preview says so once, with
		// Save a copy under it.
		{"document_no_preview", true, func(h *harness) {
			h.backend.wallet.withDocuments()
			h.backend.wallet.docs.json["e7c0ffee17"] = docJSON("e7c0ffee17", "text/plain", "Notes", 120)
			h.backend.wallet.records = append(h.backend.wallet.records, docRecord("e7c0ffee17", "DocumentReference", "Letter",
				"Notes from the GP", day(2024, 1, 1), &record.Source{Kind: record.SourceDocument, File: "notes.txt", Attachment: "a4"}))
			h.unlock()
			h.ui.showDetail("e7c0ffee17")
		}},
		{"trust", true, func(h *harness) {
			h.backend.wallet.withDocuments()
			h.unlock()
			h.menu("Settings")
			h.tap(trustedIssuersLabel + "…")
		}},
		{"ccda_sections", true, func(h *harness) {
			h.backend.wallet.withDocuments()
			h.unlock()
			h.ui.showDetail(ccdaCond)
			h.tap(openOriginalLabel)
		}},
		{"settings", true, func(h *harness) {
			h.unlock()
			h.menu("Settings")
		}},
		{"network_choice", true, func(h *harness) {
			h.backend.wallet.net.none()
			h.unlock()
			h.ui.firstStart(false)
		}},
		{"settings_network", true, func(h *harness) {
			h.unlock()
			h.menu("Settings")
		}},
		{"settings_network_down", true, func(h *harness) {
			h.backend.wallet.net.down()
			h.backend.wallet.chain.offline()
			h.unlock()
			h.menu("Settings")
		}},
		{"settings_advanced", true, func(h *harness) {
			h.unlock()
			h.menu("Settings")
			h.tap(advancedLabel)
		}},
		{"settings_lost_device", true, func(h *harness) {
			h.unlock()
			h.menu("Settings")
			h.scrollToBottom()
		}},
		{"records_offline", true, func(h *harness) {
			h.backend.wallet.chain.offline()
			h.unlock()
		}},
		{"share", true, func(h *harness) {
			h.unlock()
			h.tap("Share")
			h.choose("Emergency")
			h.typeIn(h.entry("Optional passcode"), "4711")
			h.ui.win.Canvas().Unfocus()
		}},
		{"share_network_down", true, func(h *harness) {
			h.backend.wallet.net.down()
			h.backend.wallet.chain.shareErr = &netDown{errors.New("dial tcp: connection refused")}
			h.unlock()
			h.tap("Share")
			h.tap("Create share")
			h.tapLast("Share")
			h.scrollToBottom()
		}},
		{"share_choose", true, func(h *harness) {
			h.unlock()
			h.tap("Share")
			h.pick(chooseLabel)
			h.tick("Laboratory (2)")
			h.tick("Vital signs (1)")
			h.typeIn(h.entry("First day, YYYY-MM-DD"), "2024-01-01")
			h.typeIn(h.entry("Last day, YYYY-MM-DD"), "2024-03-31")
			h.ui.win.Canvas().Unfocus()
		}},
		{"share_result", true, func(h *harness) {
			h.unlock()
			h.tap("Share")
			h.tap("Create share")
			h.tapLast("Share")
		}},
		{"share_locked", true, func(h *harness) {
			h.unlock()
			h.tap("Share")
			h.check("Share directly from this device (local network)")
			h.tap("Create share")
			h.tapLast("Share")
			h.clock.Advance(5 * time.Minute)
		}},
		{"shares", true, func(h *harness) {
			h.unlock()
			h.menu("Shares")
		}},
		{"access_log", true, func(h *harness) {
			h.unlock()
			h.menu("Access log")
		}},
		{"receive", false, func(h *harness) {
			h.ui.sessionTrust = []network.Membership{testMembership()}
			h.tap("Receive a share (for doctors)")
			h.typeIn(h.entry("Paste a link or scan a QR code"), testLink)
			h.pressEnter()
			h.ui.win.Canvas().Unfocus()
		}},
		{"receive_refused", false, func(h *harness) {
			h.ui.sessionTrust = []network.Membership{testMembership()}
			h.tap("Receive a share (for doctors)")
			h.typeIn(h.entry("Paste a link or scan a QR code"), testLinkRevoked)
			h.pressEnter()
			h.ui.win.Canvas().Unfocus()
		}},
		{"receive_untrusted", false, func(h *harness) {
			h.tap("Receive a share (for doctors)")
			h.typeIn(h.entry("Paste a link or scan a QR code"), testLink)
			h.pressEnter()
			h.ui.win.Canvas().Unfocus()
		}},
		// Issue 10: the in-app receiver reads like a chart.
		{"receive_other", false, func(h *harness) {
			h.tap("Receive a share (for doctors)")
			h.typeIn(h.entry("Paste a link or scan a QR code"), testLinkOther)
			h.pressEnter()
			h.ui.win.Canvas().Unfocus()
		}},
		{"receive_on_behalf", false, func(h *harness) {
			h.ui.backend = onBehalf{h.backend}
			h.ui.sessionTrust = []network.Membership{testMembership()}
			h.tap("Receive a share (for doctors)")
			h.typeIn(h.entry("Paste a link or scan a QR code"), testLink)
			h.pressEnter()
			h.ui.win.Canvas().Unfocus()
		}},
		{"receive_chart", false, func(h *harness) {
			h.ui.sessionTrust = []network.Membership{testMembership()}
			h.tap("Receive a share (for doctors)")
			h.typeIn(h.entry("Paste a link or scan a QR code"), testLink)
			h.pressEnter()
			h.ui.win.Canvas().Unfocus()
			h.scrollToBottom()
		}},
		{"receive_record", false, func(h *harness) {
			h.ui.sessionTrust = []network.Membership{testMembership()}
			h.tap("Receive a share (for doctors)")
			h.typeIn(h.entry("Paste a link or scan a QR code"), testLink)
			h.pressEnter()
			h.tapRow("Hemoglobin A1c")
		}},
		// Issue 12: a share about more than one person says so first.
		{"receive_two_people", false, func(h *harness) {
			h.ui.backend = twoPeople{h.backend}
			h.ui.sessionTrust = []network.Membership{testMembership()}
			h.tap("Receive a share (for doctors)")
			h.typeIn(h.entry("Paste a link or scan a QR code"), testLink)
			h.pressEnter()
			h.ui.win.Canvas().Unfocus()
		}},
		// Issue 9: caregivers, people I care for, the emergency card, alerts.
		{"caregivers", true, func(h *harness) {
			h.backend.wallet.care.delegates = testDelegates()
			h.unlock()
			h.menu("Caregivers")
		}},
		{"caregiver_add", true, func(h *harness) {
			h.unlock()
			h.menu("Caregivers")
			h.tap("Add a caregiver")
			h.typeIn(h.entry(caregiverCardPlaceholder), testCaregiverCard)
			h.tick(mayShare)
			h.pick(someRecords)
			h.tick("Medications (1)")
			h.tick("Allergies (1)")
			h.ui.win.Canvas().Unfocus()
		}},
		{"caregiver_invite", true, func(h *harness) {
			h.unlock()
			h.menu("Caregivers")
			h.tap("Add a caregiver")
			h.typeIn(h.entry(caregiverCardPlaceholder), testCaregiverCard)
			h.tick(mayShare)
			h.tap("Invite")
			h.tapLast("Invite")
		}},
		{"people", true, func(h *harness) {
			h.backend.wallet.caresForGrace()
			h.unlock()
			h.menu("People")
		}},
		// Issue 12: one wallet, one person.
		{"people_kept", true, func(h *harness) {
			h.backend.wallet.keepsJane()
			h.backend.wallet.caresForGrace()
			h.unlock()
			h.menu("People")
		}},
		// Handing Jane over as a wallet of her own: the confirmation, then
		// her new wallet's phrase.
		{"handover_confirm", true, func(h *harness) {
			h.backend.wallet.keepsJane()
			h.unlock()
			h.menu("People")
			h.tap("Hand over…")
			h.typeIn(h.entry("At least 8 characters"), "Jane's own pass")
			h.typeIn(h.entry("Type it again"), "Jane's own pass")
			h.ui.win.Canvas().Unfocus()
			h.tap("Hand over…")
		}},
		{"handover_phrase", true, func(h *harness) {
			h.backend.wallet.keepsJane()
			h.unlock()
			h.menu("People")
			h.tap("Hand over…")
			h.typeIn(h.entry("At least 8 characters"), "Jane's own pass")
			h.typeIn(h.entry("Type it again"), "Jane's own pass")
			h.tap("Hand over…")
			h.tapLast("Hand over")
		}},
		{"records_kept", true, func(h *harness) {
			h.backend.wallet.keepsJane()
			h.unlock()
			h.choose("Jane Doe")
		}},
		{"import_others", true, func(h *harness) {
			jane := h.backend.wallet.keepsJane()
			h.backend.wallet.report = wallet.ImportReport{Imported: 10, OtherPeople: []wallet.OtherPerson{jane}}
			h.unlock()
			h.importFile("/home/ada/Downloads/synthea/jane.json")
		}},
		{"import_others_drop", true, func(h *harness) {
			jane := h.backend.wallet.keepsJane()
			h.backend.wallet.report = wallet.ImportReport{Imported: 10, OtherPeople: []wallet.OtherPerson{jane}}
			h.unlock()
			h.importFile("/home/ada/Downloads/synthea/jane.json")
			h.tap("Drop…")
		}},
		{"accept", true, func(h *harness) {
			h.unlock()
			h.menu("People")
			h.tap("Accept an invitation")
			h.typeIn(h.entry("Paste the invitation (hwinvite:…)"), "hwinvite:v1.forged")
			h.tap("Accept")
			h.ui.win.Canvas().Unfocus()
		}},
		{"records_person", true, func(h *harness) {
			h.backend.wallet.caresForGrace()
			h.unlock()
			h.choose("Grace Hopper")
		}},
		{"records_person_ended", true, func(h *harness) {
			h.backend.wallet.caresForGrace()
			h.backend.wallet.care.people[0].State = "revoked"
			h.unlock()
			h.choose("Grace Hopper")
			h.tap("Sync now")
		}},
		{"share_on_behalf", true, func(h *harness) {
			h.backend.wallet.caresForGrace()
			h.unlock()
			h.choose("Grace Hopper")
			h.tap("Share")
		}},
		{"emergency", true, func(h *harness) {
			h.backend.wallet.care.profile = testProfile()
			h.unlock()
			h.menu("Emergency card")
		}},
		{"emergency_records", true, func(h *harness) {
			h.backend.wallet.care.profile = testProfile()
			h.unlock()
			h.menu("Emergency card")
			h.scrollToBottom()
		}},
		{"emergency_card", true, func(h *harness) {
			h.backend.wallet.care.profile = testProfile()
			h.unlock()
			h.menu("Emergency card")
			h.tap("Make my emergency card")
		}},
		{"access_log_alerts", true, func(h *harness) {
			h.backend.wallet.chain.access = append(h.backend.wallet.chain.access, testAlertEntries()...)
			h.unlock()
			h.menu("Access log")
		}},
		// Issue 12: one row per visit; a folder's files not imported, with why.
		{"access_log_visits", true, func(h *harness) {
			h.backend.wallet.chain.shares, h.backend.wallet.chain.access = visitLog()
			h.unlock()
			h.menu("Access log")
		}},
		{"import_folder", true, func(h *harness) {
			h.unlock()
			h.tap("Import")
			h.files.folder = "testdata/import-folder"
			h.tap("Add folder…")
		}},
	}

	for _, sc := range screens {
		for _, sz := range sizes {
			name := fmt.Sprintf("%s_%s.png", sc.name, sz.name)
			t.Run(name, func(t *testing.T) {
				h := newHarness(t, newFakeBackend(sc.exists), sz.size, false)
				sc.reach(h)
				img := h.capture()
				if got := img.Bounds().Size(); got.X != int(sz.size.Width) || got.Y != int(sz.size.Height) {
					t.Errorf("the screen needs %v, more than the window's %v", got, sz.size)
				}
				test.AssertImageMatches(t, name, img)
			})
		}
	}
}
