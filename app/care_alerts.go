package app

import (
	"fmt"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"healthwallet/wallet"
)

// A caregiver's break-glass alerts: a care sync that saw new openings of a
// person's emergency card on chain sends a notification, as the patient's
// own openings do, and the person's page shows the last one highlighted.
// Who opened the card is sealed to the patient: the caregiver learns only
// that and when.

// careAlert is the notification of r's new emergency openings; nil when
// there are none.
func careAlert(r wallet.CareSyncReport) *fyne.Notification {
	n := len(r.NewEmergencyOpenings)
	if n == 0 {
		return nil
	}
	last := r.NewEmergencyOpenings[n-1]
	when := "at " + last.Time.Format(timeLayout)
	if n > 1 {
		when = fmt.Sprintf("%d times, last at %s", n, last.Time.Format(timeLayout))
	}
	return fyne.NewNotification(r.Name+"'s emergency card was opened",
		fmt.Sprintf("It was opened %s. It is recorded on the chain; who opened it is known only to %s. Check on them.", when, r.Name))
}

// alertCareOpenings notifies each person's new emergency openings, once:
// the wallet reports an opening as new in one sync only.
func (u *UI) alertCareOpenings(reps []wallet.CareSyncReport) {
	for _, r := range reps {
		if n := careAlert(r); n != nil {
			u.notify(n)
		}
	}
}

// emergencyLine is the highlighted line of a person's page when their
// emergency card has been opened; nil when it never was.
func emergencyLine(p wallet.CaredFor) fyne.CanvasObject {
	n := len(p.EmergencyOpenings)
	if n == 0 {
		return nil
	}
	last := p.EmergencyOpenings[n-1]
	text := fmt.Sprintf("%s's emergency card was opened on %s (recorded on the chain", p.Name, last.Time.Format(timeLayout))
	if n > 1 {
		text += fmt.Sprintf("; %d openings seen", n)
	}
	text += fmt.Sprintf("). Who opened it is known only to %s: check on them.", p.Name)
	l := wrapped(text)
	l.Importance = widget.DangerImportance
	l.TextStyle = fyne.TextStyle{Bold: true}
	return container.NewBorder(nil, nil, widget.NewIcon(theme.NewErrorThemedResource(theme.WarningIcon())), nil, l)
}
