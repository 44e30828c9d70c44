// Package identity turns a patient's 24-word recovery phrase into every key
// Health Wallet uses, and lets people exchange the public half of those keys
// as a signed identity card.
//
// # The common case
//
// A new wallet makes a phrase, shows it once, and derives its keys from it:
//
//	m, err := identity.NewMnemonic()       // 24 English BIP-39 words
//	...
//	id, err := identity.FromMnemonic(m)
//	defer id.Wipe()
//	id.Address()                           // the chain identity (signs transactions and grants)
//	card, err := id.Card("Ada Lovelace")   // what a caregiver or doctor shows as a QR
//	card.String()                          // "hwcard:…"
//
// Someone receiving a card checks it in one step:
//
//	card, err := identity.ParseCard(scanned)
//	if err != nil { … }                     // malformed, or not signed by card.Address
//	card.SharingKey                         // seal data to this person (HPKE, X25519)
//	card.SharingKeyHash()                   // a grant's recipient field
//
// # What one phrase gives
//
// The phrase is the root of everything; with it alone a new device restores the
// wallet. [SeedFromMnemonic] turns it into the 64-byte BIP-39 seed (empty
// passphrase), and [FromSeed] derives from that seed:
//
//   - the chain key: BIP-32/BIP-44 path m/44'/60'/0'/0/0 on secp256k1, the
//     path every Ethereum wallet uses for its first account, so the address is
//     the one MetaMask or a hardware wallet shows for the same phrase;
//   - the sharing key: X25519, HKDF-SHA256 of the seed with the label
//     "healthwallet/sharing-key/x25519/v1"; after a lost device the wallet
//     retires it for the next one ([FromSeedAt], [SharingKeyLabel]: the
//     label with "/1", "/2", … appended), which its new identity card carries;
//   - the vault recovery key: 32 bytes, label "healthwallet/vault-recovery/v1";
//     the vault wraps a second copy of its key with it, so the phrase resets a
//     forgotten password;
//   - the backup identity: an age X25519 identity, label
//     "healthwallet/backup/age-x25519/v1", whose String form (AGE-SECRET-KEY-1…)
//     decrypts the wallet's backups with the standard age tool;
//   - the people's sharing root: 32 bytes, label
//     "healthwallet/person-sharing-key/x25519/v1" (retired with the sharing
//     key: [PersonSharingLabel]); each person the wallet keeps apart has the
//     X25519 sharing key HKDF-SHA256(secret: that root, info: the person's
//     random 32-byte tweak) ([Identity.PersonSharingKey]), so their shares
//     and identity card are theirs, never the owner's.
//
// Each key has its own label, so learning one tells nothing about the others,
// and the derivation is fixed: the same phrase gives the same keys on every
// device and in every version. Changing a label or the path would orphan every
// existing wallet; a new scheme gets a new label ending in /v2.
//
// # Mnemonics
//
// [CheckMnemonic] accepts what people type: any case, any run of spaces, tabs
// or newlines between words. It refuses, with an error wrapping
// [ErrBadMnemonic] that names the problem, a phrase with the wrong number of
// words, a word not in the English BIP-39 list (giving its position and, when
// the first four letters identify one, the word probably meant), and a phrase
// whose checksum fails — almost always one mistyped word or two swapped ones.
// Health Wallet only makes 24-word phrases, so 12-, 15-, 18- and 21-word
// phrases, valid BIP-39 though they are, are refused: a short phrase here is far
// more likely a phrase with words missing. There is no BIP-39 passphrase.
//
// # Identity cards
//
// A [Card] binds a sharing key and a display name to a chain address with a
// secp256k1 signature by that address over a domain-separated digest, so a card
// cannot be taken for a transaction, a grant, or any other signed message. Its
// canonical text form, [Card.String], is "hwcard:" and the unpadded base64url
// of a compact versioned encoding, short enough for a comfortable QR code
// ([Card.QRCode]). [ParseCard] accepts only that form (surrounding white space
// allowed, as scanners add a newline) and only cards whose signature recovers
// their address; it refuses oversized input, unknown versions and display names
// that are empty, longer than 64 characters, padded with spaces, or contain
// control or text-direction characters. A malformed card is an error wrapping
// [ErrBadCard]; a well-formed card whose signature does not match is an error
// wrapping [ErrCardSignature].
//
// A valid card proves only that whoever holds the address's key made it. The
// display name is what that person chose to call themselves: nobody vouches for
// it. Show the address (or its short form) next to the name, and let the user
// decide whom they are dealing with.
//
// # Key material in memory
//
// An [Identity] keeps its derived keys, never the phrase or the seed, and
// [Identity.Wipe] overwrites them. That is best effort: copies Go made along
// the way (stack growth, intermediate values inside the libraries) and keys
// already handed to callers are out of its reach. An Identity is unusable after
// Wipe. Mnemonics are strings and cannot be wiped at all; keep them out of logs
// and drop them as soon as the keys are derived.
package identity
