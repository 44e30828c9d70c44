package app

import (
	"context"
	"fmt"
	"io"
	"maps"
	"slices"
	"strings"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"healthwallet/wallet"
	"healthwallet/wallet/record"
)

// This file: the emergency card — the profile (blood type, contacts, organ
// donor, notes, which records), making the card, showing its QR with the
// essentials, saving it as PDF or PNG, renewing and revoking it.

// bloodTypes are the choices of blood type; the first is "not said".
var bloodTypes = []string{"Not said", "A+", "A-", "B+", "B-", "AB+", "AB-", "O+", "O-"}

// donorChoices are the organ donor choices, as the profile stores them:
// "", "yes", "no".
var donorChoices = []string{"Not said", "Yes", "No"}

// emergencyIntro says what the card is for.
const emergencyIntro = "Your emergency card tells a first responder what matters in an emergency: your blood type, " +
	"allergies, medicines, conditions and who to call. It is a QR code for your wallet, phone case or fridge; " +
	"anyone can open it, and every opening is recorded on the chain and shown to you."

// showEmergency is the emergency profile and the card's state.
func (u *UI) showEmergency() {
	u.person = nil
	w := u.wallet
	problem := newErrorText()
	prof, err := w.EmergencyProfile()
	if err != nil {
		problem.set(err)
	}
	recs, included, cerr := w.EmergencyCandidates()
	if cerr != nil && err == nil {
		problem.set(cerr)
	}

	blood := widget.NewSelect(bloodTypes, func(string) { u.idle.touch() })
	blood.SetSelected(bloodTypes[0])
	if slices.Contains(bloodTypes[1:], prof.BloodType) {
		blood.SetSelected(prof.BloodType)
	}
	donor := widget.NewSelect(donorChoices, func(string) { u.idle.touch() })
	donor.SetSelectedIndex(map[string]int{"yes": 1, "no": 2}[prof.OrganDonor])
	notes := widget.NewMultiLineEntry()
	notes.SetPlaceHolder("e.g. Type 2 diabetes; carries glucose tablets")
	notes.Wrapping = fyne.TextWrapWord
	notes.SetMinRowsVisible(2)
	notes.SetText(prof.Notes)
	u.onChanged(notes, nil)

	// Contacts: a row each, removable, and a small form to add one.
	contacts := slices.Clone(prof.Contacts)
	contactRows := container.NewVBox()
	var drawContacts func()
	drawContacts = func() {
		contactRows.Objects = nil
		if len(contacts) == 0 {
			none := widget.NewLabel("No one yet.")
			none.Importance = widget.LowImportance
			contactRows.Add(none)
		}
		for i, c := range contacts {
			l := widget.NewLabel(contactLine(c))
			l.Wrapping = fyne.TextWrapWord
			rm := u.danger("Remove", theme.DeleteIcon(), func() {
				contacts = slices.Delete(contacts, i, i+1)
				drawContacts()
			})
			contactRows.Add(container.NewBorder(nil, nil, nil, rm, l))
		}
		contactRows.Refresh()
	}
	drawContacts()
	cName, cRel, cPhone := u.entry("Name"), u.entry("Relation, e.g. daughter"), u.entry("Phone")
	addContact := u.button("Add contact", theme.ContentAddIcon(), func() {
		c := wallet.EmergencyContact{Name: strings.TrimSpace(cName.Text), Relation: strings.TrimSpace(cRel.Text), Phone: strings.TrimSpace(cPhone.Text)}
		if c.Name == "" || c.Phone == "" {
			problem.setText("A contact needs a name and a phone number.")
			return
		}
		problem.clear()
		contacts = append(contacts, c)
		for _, e := range []*widget.Entry{cName, cRel, cPhone} {
			e.SetText("")
		}
		drawContacts()
	})

	// Records: the candidates, the default (active ones) ticked.
	idOf := map[string]string{}
	var labels, ticked []string
	for _, r := range recs {
		// A check box does not wrap: keep it within a phone's width.
		l := r.Title
		if rs := []rune(l); len(rs) > 36 {
			l = string(rs[:35]) + "…"
		}
		if _, dup := idOf[l]; dup {
			l = fmt.Sprintf("%s (%s)", l, formatDate(r.Date))
		}
		idOf[l] = r.ID
		labels = append(labels, l)
		if included[r.ID] {
			ticked = append(ticked, l)
		}
	}
	which := widget.NewCheckGroup(labels, func([]string) { u.idle.touch() })
	which.SetSelected(ticked)
	var recordsPart fyne.CanvasObject = which
	if len(recs) == 0 && cerr == nil {
		recordsPart = wrapped("No allergies, medicines, conditions, immunizations or devices in your wallet yet: import them and they can go on the card.")
	}

	profile := func() wallet.EmergencyProfile {
		p := prof
		p.BloodType = ""
		if i := blood.SelectedIndex(); i > 0 {
			p.BloodType = bloodTypes[i]
		}
		p.OrganDonor = []string{"", "yes", "no"}[max(0, donor.SelectedIndex())]
		p.Notes = strings.TrimSpace(notes.Text)
		p.Contacts = contacts
		var ids []string
		for _, l := range which.Selected {
			ids = append(ids, idOf[l])
		}
		slices.Sort(ids)
		def := slices.Sorted(maps.Keys(trueKeys(included)))
		if !slices.Equal(ids, def) || p.Include != nil {
			p.Include = ids
			if p.Include == nil {
				p.Include = []string{} // nothing ticked: none, not the default
			}
		}
		return p
	}

	busy := busyText()
	cardBox := container.NewVBox(widget.NewLabel("Looking for your card…"))
	var makeBtn *widget.Button
	makeBtn = u.primary("Make my emergency card", theme.ConfirmIcon(), func() {
		problem.clear()
		p := profile()
		u.runSlow(makeBtn, busy, "Making your card and putting it on the network…", func() error {
			if err := w.SetEmergencyProfile(p); err != nil {
				return fmt.Errorf("your profile could not be saved: %w", err)
			}
			return nil
		}, func(err error) {
			if err != nil {
				problem.set(err)
				return
			}
			u.makeEmergencyCard(makeBtn, busy, problem)
		})
	})
	save := u.button("Save profile", theme.DocumentSaveIcon(), func() {
		if err := w.SetEmergencyProfile(profile()); err != nil {
			problem.set(err)
			return
		}
		problem.clear()
		u.inform("Saved", "Your emergency profile is saved. Make a new card for it to show on the QR code.", func() {})
	})

	u.show("emergency", container.NewBorder(
		header(u.button("Back", theme.NavigateBackIcon(), u.showRecords), "Emergency card"), nil, nil, nil,
		page(
			wrapped(emergencyIntro),
			cardBox,
			widget.NewSeparator(),
			section("About you"),
			widget.NewForm(
				widget.NewFormItem("Blood type", blood),
				widget.NewFormItem("Organ donor", donor),
				widget.NewFormItem("Notes", notes),
			),
			section("Who to call"),
			contactRows,
			widget.NewForm(
				widget.NewFormItem("Name", cName),
				widget.NewFormItem("Relation", cRel),
				widget.NewFormItem("Phone", cPhone),
			),
			container.NewHBox(addContact),
			section("Records on the card"),
			wrappedLow("Active allergies, medicines, conditions, immunizations and devices are ticked. Untick what you would rather not show."),
			recordsPart,
			problem.Label,
			busy,
			makeBtn,
			container.NewHBox(save),
		)))

	u.fillInBackground("emergency", cardBox, func(w Wallet) func() []fyne.CanvasObject {
		card, ok, err := w.CurrentEmergencyCard(context.Background())
		return func() []fyne.CanvasObject {
			if ok {
				makeBtn.SetText("Make a new card")
			}
			return u.cardSummary(card, ok, err)
		}
	})
}

// trueKeys is the set of keys whose value is true.
func trueKeys(m map[string]bool) map[string]bool {
	out := map[string]bool{}
	for k, v := range m {
		if v {
			out[k] = true
		}
	}
	return out
}

func wrappedLow(text string) *widget.Label {
	l := wrapped(text)
	l.Importance = widget.LowImportance
	l.SizeName = theme.SizeNameCaptionText
	return l
}

// contactLine is a contact in one line: "Grace Hopper (daughter) +44 …".
func contactLine(c wallet.EmergencyContact) string {
	s := c.Name
	if c.Relation != "" {
		s += " (" + c.Relation + ")"
	}
	return s + " · " + c.Phone
}

// cardSummary is the emergency screen's note on the current card.
func (u *UI) cardSummary(card wallet.EmergencyCard, ok bool, err error) []fyne.CanvasObject {
	if err != nil {
		msg := wrapped(sentence(err.Error()))
		msg.Importance = widget.DangerImportance
		return []fyne.CanvasObject{msg}
	}
	if !ok {
		l := wrapped("You have no emergency card yet. Fill in what a first responder should know, then make your card.")
		l.Importance = widget.WarningImportance
		return []fyne.CanvasObject{l}
	}
	st := widget.NewLabel(cardState(card))
	st.Importance = stateImportance(card.State)
	st.Wrapping = fyne.TextWrapWord
	show := u.button("Show my card", theme.VisibilityIcon(), func() { u.showEmergencyCard(card) })
	show.Importance = widget.HighImportance
	return []fyne.CanvasObject{container.NewBorder(nil, nil, nil, show, st)}
}

// cardState says a card's state and dates.
func cardState(c wallet.EmergencyCard) string {
	s := fmt.Sprintf("%s · %s · valid until %s", caregiverState(c.State), plural(c.Records, "record", "records"), c.Expires.Format(dateLayout))
	if c.Problem != "" {
		s += "\n" + sentence(c.Problem)
	}
	return s
}

// makeEmergencyCard makes (or remakes) the card from the saved profile and
// shows it.
func (u *UI) makeEmergencyCard(btn *widget.Button, busy *widget.Label, problem errorText) {
	w := u.wallet
	var card wallet.EmergencyCard
	u.runSlow(btn, busy, "Making your card and putting it on the network…", func() error {
		var err error
		card, err = w.MakeEmergencyCard(context.Background(), wallet.EmergencyCardRequest{})
		return err
	}, func(err error) {
		if err != nil {
			problem.set(sharingProblem(err))
			return
		}
		if u.wallet == w {
			u.showEmergencyCard(card)
		}
	})
}

// showEmergencyCard shows the card as it prints: the QR large, the
// essentials, how to open it; saves it as PDF or PNG; renews or revokes.
func (u *UI) showEmergencyCard(card wallet.EmergencyCard) {
	w := u.wallet
	qr, err := u.qrCanvas(card.Link, min(340, u.win.Canvas().Size().Width-48))
	var qrObj fyne.CanvasObject = qr
	if err != nil {
		msg := wrapped("The QR code cannot be drawn: " + err.Error())
		msg.Importance = widget.DangerImportance
		qrObj = msg
	}
	name := title(w.DisplayName())
	name.Alignment = fyne.TextAlignCenter

	prof, _ := w.EmergencyProfile()
	essentials := widget.NewForm()
	add := func(label, value string) {
		if value == "" {
			return
		}
		l := widget.NewLabelWithStyle(value, fyne.TextAlignLeading, fyne.TextStyle{Bold: true})
		l.Wrapping = fyne.TextWrapWord
		essentials.Append(label, l)
	}
	add("Blood type", prof.BloodType)
	add("Organ donor", map[string]string{"yes": "Yes", "no": "No"}[prof.OrganDonor])
	if recs, included, err := w.EmergencyCandidates(); err == nil {
		byCat := map[string][]string{}
		var cats []string
		for _, r := range recs {
			on := included[r.ID]
			if prof.Include != nil {
				on = slices.Contains(prof.Include, r.ID)
			}
			if !on {
				continue
			}
			if _, seen := byCat[r.Category]; !seen {
				cats = append(cats, r.Category)
			}
			byCat[r.Category] = append(byCat[r.Category], r.Title)
		}
		for _, c := range essentialOrder(cats) {
			add(c, strings.Join(counted(byCat[c]), "\n"))
		}
	}
	var calls []string
	for _, c := range prof.Contacts {
		calls = append(calls, contactLine(c))
	}
	add("Call", strings.Join(calls, "\n"))
	add("Notes", prof.Notes)

	how := wrapped("To open: scan the code with a phone camera. It opens in any SMART Health Links viewer, with no app or password. " +
		"Every opening is recorded on the chain, and you are told.")
	how.Alignment = fyne.TextAlignCenter
	how.Importance = widget.LowImportance
	state := wrapped(cardState(card))
	state.Alignment = fyne.TextAlignCenter
	state.Importance = stateImportance(card.State)

	busy := busyText()
	problem := newErrorText()
	var pdf, png, renew, revoke *widget.Button
	pdf = u.button("Save as PDF…", theme.DocumentSaveIcon(), func() {
		u.saveTo("emergency-card.pdf", pdf, busy, "Writing your card…", func(out io.Writer) (string, error) {
			data, err := w.EmergencyCardPDF(context.Background())
			if err == nil {
				_, err = out.Write(data)
			}
			return "Your card is saved as a PDF: print it at full size, and cut out the wallet card.", err
		})
	})
	png = u.button("Save as PNG…", theme.FileImageIcon(), func() {
		u.saveTo("emergency-card.png", png, busy, "Writing your card…", func(out io.Writer) (string, error) {
			data, err := w.EmergencyCardPNG(context.Background())
			if err == nil {
				_, err = out.Write(data)
			}
			return "Your card is saved as an image: use it as your phone's lock screen, or print it.", err
		})
	})
	renew = u.button("Renew", theme.ViewRefreshIcon(), func() {
		u.confirm("Make a new card?", "Renew",
			"A new card is made from your profile as it is now, valid for a year. The old card's code stops working: "+
				"replace it wherever you printed it.",
			func(ok bool) {
				u.idle.touch()
				if ok {
					u.makeEmergencyCard(renew, busy, problem)
				}
			})
	})
	revoke = u.button("Revoke", theme.DeleteIcon(), func() {
		u.confirm("Revoke your emergency card?", "Revoke",
			"The card's code stops working at once, wherever it is printed. Those who opened it before keep what they saw.",
			func(ok bool) {
				u.idle.touch()
				if !ok {
					return
				}
				u.runSlow(revoke, busy, "Revoking…", func() error {
					return w.RevokeEmergencyCard(context.Background())
				}, func(err error) {
					if err != nil {
						problem.set(sharingProblem(err))
						return
					}
					if u.wallet == w {
						u.showEmergency()
						u.inform("Revoked", "Your emergency card no longer opens. Make a new one whenever you like.", nil)
					}
				})
			})
	})
	revoke.Importance = widget.DangerImportance
	if card.State == "revoked" || card.State == "expired" {
		revoke.Disable()
	}
	u.show("emergency-card", container.NewBorder(
		header(u.button("Back", theme.NavigateBackIcon(), u.showEmergency), "Emergency card"), nil, nil, nil,
		page(
			container.NewCenter(qrObj),
			name,
			essentials,
			how,
			state,
			container.NewGridWithColumns(2, pdf, png),
			container.NewGridWithColumns(2, renew, revoke),
			problem.Label,
			busy,
		)))
}

// essentialOrder puts the categories of the card in the order a first
// responder reads them: allergies first.
func essentialOrder(cats []string) []string {
	order := []string{record.CategoryAllergies, record.CategoryMedications, record.CategoryConditions, record.CategoryImmunizations}
	slices.SortStableFunc(cats, func(a, b string) int {
		ia, ib := slices.Index(order, a), slices.Index(order, b)
		if ia < 0 {
			ia = len(order)
		}
		if ib < 0 {
			ib = len(order)
		}
		return ia - ib
	})
	return cats
}

// counted lists each title once, in order, with how many times it came:
// nine flu shots are one line, "(9×)".
func counted(titles []string) []string {
	n := map[string]int{}
	var order []string
	for _, t := range titles {
		if n[t] == 0 {
			order = append(order, t)
		}
		n[t]++
	}
	for i, t := range order {
		if n[t] > 1 {
			order[i] = fmt.Sprintf("%s (%d×)", t, n[t])
		}
	}
	return order
}
