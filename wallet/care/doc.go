// Package care holds the formats of caregiving (issue 9, DESIGN §8): what a
// patient hands a caregiver and what the caregiver checks.
//
//   - [Scope] is the delegation's terms — rights, which records, until when —
//     signed by the patient ([SignedScope]); its [Scope.Hash] is what the
//     registry's delegation commits to, so the chain binds the patient to
//     exactly these terms without revealing them.
//   - [Invitation] is sealed with HPKE to the caregiver's X25519 sharing key
//     and carried by the relay; the caregiver receives a short hwinvite: link
//     ([InviteLink]) and opens it with [FetchInvitation].
//   - The care copy is a long-lived SMART Health Link on the relay holding
//     FHIR Bundles of the records in scope (one, or several of at most
//     share.MaxInflatedFile bytes each when large, so that every file opens
//     with jose) and a care proof ([CopyProof]); the
//     patient builds it with [BuildCopy] and replaces it on each sync; the
//     caregiver fetches it with [FetchCopy] and checks it with [VerifyCopy]
//     against the chain: the scope signed by the patient and committed on
//     chain, the delegation active, every record anchored by the patient and
//     inside the scope. The proof may name the patient's emergency card
//     grant key ([CopyProof.EmergencyGrantKey]), public on chain, so the
//     caregiver can watch for break-glass openings; never the card's link
//     key, which would open it.
//
// Nothing here touches the vault or sends transactions: the wallet package
// does (wallet/delegate.go for the patient, wallet/care.go for the caregiver).
package care
