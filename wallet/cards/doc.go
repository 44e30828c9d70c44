// Package cards is what the wallet needs to believe SMART Health Cards: the
// issuers the patient trusts, their keys kept for offline use, and the
// shc:/ QR texts cards travel in.
//
// # Two questions
//
// Whether a card's signature is valid is a matter of the issuer's keys
// (share.VerifyCard with a [Resolver]); whether its issuer is one to believe
// is the patient's decision, recorded as trusted directories in the VCI
// format ([ParseDirectory]). A card is verified only when both hold.
//
// # Directories
//
// A directory is JSON, either the VCI snapshot form
//
//	{"issuerInfo":[{"issuer":{"iss":…,"name":…},"keys":[JWK…],"crls":[CRL…]}]}
//
// or the older list {"participating_issuers":[{"iss":…,"name":…}]}. It is
// added from a file or an https URL ([Fetcher]: bounded size, a timeout, no
// redirects). Entries whose iss the Cards spec does not allow (http, a
// trailing '/') are refused and named; the others are kept.
//
// # Keys offline
//
// [State] keeps each issuer's JWKS and revocation lists with the time they
// were fetched (from a directory that carries them, or from the issuer's
// .well-known URLs). A [Resolver] answers from that cache when it is fresh
// or when the network fails, so a card verifies offline once its issuer's
// keys were seen. The wallet seals State in its vault.
package cards
