package wallet

import (
	"fmt"
	"strings"

	"healthwallet/wallet/share"
)

// This file: a received share's verdict as one sentence (issue 12: "Intact
// and anchored on 12 Mar 2024", the checks one tap away). The web viewer
// says the same sentence for the same outcome (web/src/ui/verdict.js
// verdictText); wallet/viewer's tests hold the two together.

// Sentence is the received share's verdict as one sentence for a person,
// without chain words: in the words of [Verification.Sentence] where the
// outcome is the same ("Intact and anchored on 12 Mar 2024, shared with
// the patient's consent"; "Changed since it was shared: do not rely on
// it"), else what the first failed check means for the records. The
// checks behind it are in Checks.
func (r Received) Sentence() string {
	if r.Verified {
		s := Verification{Anchored: true, Valid: true, Time: r.AnchoredAt}.Sentence()
		if r.OnBehalf != nil {
			return s + ", shared by their caregiver with the patient's consent"
		}
		return s + ", shared with the patient's consent"
	}
	failed := r.Failed()
	if r.Source != share.SourceHealthWallet && !arrivedDamaged(failed) {
		return "From another issuer — not verifiable"
	}
	if len(failed) == 0 {
		return Verification{}.Sentence()
	}
	first := failed[0]
	if strings.HasPrefix(first.Detail, "could not ask the chain") {
		return Verification{Problem: problemUnreachable}.Sentence()
	}
	switch first.Name {
	case share.CheckLinkWellFormed:
		return "Not a share link that can be opened: ask the patient to send it again"
	case share.CheckNotExpired:
		return "The link has expired: ask the patient for a new one"
	case share.CheckManifestFetched:
		return "Could not be fetched: try again, or ask the patient to share again"
	case share.CheckCovered:
		// Every check of the patient's records passed before this one.
		if len(r.Uncovered) == 1 {
			return "Intact, but 1 record was added after it was shared: shown apart, do not rely on it"
		}
		return fmt.Sprintf("Intact, but %d records were added after it was shared: shown apart, do not rely on them", len(r.Uncovered))
	case share.CheckFilesDecrypted, share.CheckRecordsReadable, share.CheckProofPresent, share.CheckSignature,
		share.CheckGrantBinding, share.CheckPatientCard, share.CheckCommitments, share.CheckScope, share.CheckDelegationRecords:
		return "Changed since it was shared: do not rely on it"
	case share.CheckNetworkTrusted, share.CheckChainID, share.CheckRegistry:
		if r.Network != nil && r.Network.Name != "" {
			return "Not checked: made on the network “" + r.Network.Name + "”, which is not trusted here; confirm the records with the patient"
		}
		return "Not checked: made on a network that is not trusted here; confirm the records with the patient"
	case share.CheckGrantActive, share.CheckGrantPeriod:
		switch {
		case strings.Contains(first.Detail, "revoked"):
			return "Withdrawn by the patient: do not rely on it"
		case strings.Contains(first.Detail, "expired"):
			return "The patient's consent has expired: ask them to share again"
		case strings.HasPrefix(first.Detail, "valid only from"):
			return "The patient's consent is not in force yet: open it again later"
		}
		return "The patient's consent is not on record: do not rely on it"
	case share.CheckIssuerAuthorized:
		return "Shared by someone the patient did not allow to: do not rely on it"
	case share.CheckDelegation:
		return "The caregiver's permission from the patient is not in force: do not rely on it"
	case share.CheckRecipient:
		return "Meant for someone else: open it with the wallet it was made for"
	case share.CheckAnchored:
		return "Not anchored by the patient's wallet: do not rely on it"
	case share.CheckSHC, share.CheckSHCTrusted:
		return "A health card in it could not be confirmed: do not rely on it"
	}
	return Verification{}.Sentence()
}

// arrivedDamaged: a check failed that means the share did not arrive as it
// was made. A link whose files do not decrypt may be anyone's, so it is
// never called "another issuer's" (an attacker flipping a byte must not
// earn that).
func arrivedDamaged(failed []share.Check) bool {
	for _, c := range failed {
		switch c.Name {
		case share.CheckManifestFetched, share.CheckFilesDecrypted, share.CheckRecordsReadable:
			return true
		}
	}
	return false
}
