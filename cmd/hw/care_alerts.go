package main

import (
	"fmt"
	"io"

	"healthwallet/wallet"
)

// openingTime is how hw shows when an emergency card was opened.
func openingTime(o wallet.EmergencyOpening) string {
	return o.Time.Local().Format("2006-01-02 15:04:05 MST")
}

// printNewOpenings flags each new opening of name's emergency card, once,
// and says what the caregiver cannot know.
func printNewOpenings(w io.Writer, name string, openings []wallet.EmergencyOpening) {
	for _, o := range openings {
		fmt.Fprintf(w, "%s: EMERGENCY CARD OPENED %s (recorded on chain, tx %s)\n", oneLine(name), openingTime(o), o.TxHash)
	}
	if len(openings) > 0 {
		fmt.Fprintf(w, "  Who opened it is sealed to %s: the chain shows only that and when. Check on them.\n", oneLine(name))
	}
}

// printOpeningsSeen says, per person, when their emergency card was last
// opened and how many openings this wallet has seen.
func printOpeningsSeen(w io.Writer, people []wallet.CaredFor) {
	for _, p := range people {
		n := len(p.EmergencyOpenings)
		if n == 0 {
			continue
		}
		last := p.EmergencyOpenings[n-1]
		fmt.Fprintf(w, "%s: EMERGENCY CARD OPENED %s (tx %s; %s seen; who opened it is sealed to them)\n",
			oneLine(p.Name), openingTime(last), last.TxHash, plural(n, "opening"))
	}
}
