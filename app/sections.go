package app

import (
	"fmt"
	"strings"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"healthwallet/wallet"
)

// This file: the original C-CDA document as people read it — its
// human-readable sections, titles and text, searchable.

// showSections shows the sections of the C-CDA document that recordID is,
// or was made from; back returns to where the person came from.
func (u *UI) showSections(recordID string, back func()) {
	heading := title("The original document")
	search := u.entry("Search the document")
	problem := newErrorText()
	list := container.NewVBox(wrapped("Reading the document…"))
	var sections []wallet.NarrativeSection
	fill := func() {
		q := strings.ToLower(strings.TrimSpace(search.Text))
		list.RemoveAll()
		for _, s := range sections {
			if q != "" && !strings.Contains(strings.ToLower(s.Title+"\n"+s.Text), q) {
				continue
			}
			text := widget.NewLabel(s.Text)
			text.Wrapping = fyne.TextWrapWord
			text.Selectable = true
			list.Add(section(s.Title))
			list.Add(text)
			list.Add(widget.NewSeparator())
		}
		if len(list.Objects) == 0 {
			if q == "" {
				list.Add(wrapped("The document has no readable sections."))
			} else {
				list.Add(wrapped(fmt.Sprintf("No section mentions “%s”.", strings.TrimSpace(search.Text))))
			}
		}
		list.Refresh()
	}
	u.onChanged(search, func(string) { fill() })

	u.show("sections", container.NewBorder(
		header(u.button("Back", theme.NavigateBackIcon(), back), "Original document"), nil, nil, nil,
		page(heading, search, problem.Label, list)))

	w := u.wallet
	u.background(func() {
		got, err := w.DocumentSections(recordID)
		fyne.Do(func() {
			if u.screen != "sections" || u.wallet != w {
				return
			}
			if err != nil {
				list.RemoveAll()
				problem.set(err)
				return
			}
			sections = got
			fill()
		})
	})
}
