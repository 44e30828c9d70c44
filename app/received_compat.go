package app

import "healthwallet/wallet"

// Until part C's wallet.Received names the patient and the network.

const checkNetworkTrusted = "network trusted"

// patientOf is who the patient of a received share is: the name, the birth
// date (YYYY-MM-DD) and a warning when the card and the records disagree.
func patientOf(got wallet.Received) (name, birthDate, warning string) { return "", "", "" }

// madeOn is the network a received share was made on: its name and join
// URL.
func madeOn(got wallet.Received) (name, joinURL string) { return "", "" }
