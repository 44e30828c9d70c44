// The patient's identity card in a share's proof: a port of
// wallet/identity/card.go (ParseCard, Verify, CheckDisplayName,
// CheckSharingKey). "hwcard:" and the base64url of version(1) ‖ address(20)
// ‖ sharing key(32) ‖ signature(64, EIP-2098 compact) ‖ display name; the
// signature is the address's over keccak256("HealthWallet identity card v1"
// ‖ address ‖ sharing key ‖ len(name) as uint32 ‖ name).
import { x25519 } from '@noble/curves/ed25519.js';
import { ViewerError, b64urlDecode, b64urlEncode, equal, fromUTF8, utf8 } from './bytes.js';
import { checksum, keccak, recoverSigner } from './eip712.js';

const PREFIX = 'hwcard:';
const MAX_CARD_TEXT = 1024;
export const MAX_DISPLAY_NAME = 64;
const FIXED = 1 + 20 + 32 + 64;
const DOMAIN = 'HealthWallet identity card v1';

const badCard = (m) => new ViewerError(`not a valid identity card: ${m}`);
const badSig = (m) => new ViewerError(`identity card signature does not match: ${m}`);

/** checkDisplayName: 1 to 64 characters, no surrounding space, no control, line-separator or bidi characters. */
export function checkDisplayName(name) {
  if (name === '') throw badCard('the display name is empty');
  const chars = [...name];
  if (chars.length > MAX_DISPLAY_NAME) {
    throw badCard(`the display name has ${chars.length} characters; at most ${MAX_DISPLAY_NAME} are allowed`);
  }
  if (name.trim() !== name) throw badCard('the display name starts or ends with white space');
  chars.forEach((ch, i) => {
    const r = ch.codePointAt(0);
    const control = r < 0x20 || (r >= 0x7f && r <= 0x9f) || r === 0x2028 || r === 0x2029;
    const bidi = r === 0x061c || r === 0x200e || r === 0x200f || (r >= 0x202a && r <= 0x202e) || (r >= 0x2066 && r <= 0x2069);
    if (control || bidi || (r >= 0xd800 && r <= 0xdfff)) {
      throw badCard(`the display name has a control character (U+${r.toString(16).toUpperCase().padStart(4, '0')}) at character ${i + 1}`);
    }
  });
}

// The fixed probe key of card.go: X25519 with any small-order point gives
// all zeros, which x25519 refuses.
const PROBE = keccak('healthwallet/identity/low-order-probe');

/** checkSharingKey refuses a malformed or small-order X25519 public key. */
export function checkSharingKey(k) {
  try {
    x25519.getSharedSecret(PROBE, k);
  } catch {
    throw new ViewerError('the sharing key is not a usable X25519 key');
  }
}

/** parseCard reads and verifies a card's text; returns {address (checksummed), displayName}. */
export function parseCard(s) {
  if (s.length > MAX_CARD_TEXT) throw badCard(`the text is ${s.length} bytes, more than any card (${MAX_CARD_TEXT})`);
  s = s.trim();
  if (!s.startsWith(PREFIX)) throw badCard(`it does not start with "${PREFIX}"`);
  const body = s.slice(PREFIX.length);
  let b;
  try {
    b = b64urlDecode(body);
  } catch {}
  if (!b || b64urlEncode(b) !== body) throw badCard(`the text after "${PREFIX}" is damaged (not base64url)`);
  if (b.length === 0) throw badCard('it is empty');
  if (b[0] !== 1) throw badCard(`card version ${b[0]} is unknown: it may come from a newer Health Wallet; update this one`);
  if (b.length <= FIXED) throw badCard(`it is cut short (${b.length} bytes)`);
  const addr = b.slice(1, 21);
  const sharingKey = b.slice(21, 53);
  const sig = new Uint8Array(65);
  sig.set(b.subarray(53, 117));
  sig[64] = sig[32] >> 7;
  sig[32] &= 0x7f;
  const nameBytes = b.subarray(FIXED);
  let name;
  try {
    name = fromUTF8(nameBytes);
  } catch {
    throw badCard('the display name is not valid UTF-8');
  }
  checkDisplayName(name);
  try {
    checkSharingKey(sharingKey);
  } catch (e) {
    throw badCard(e.message);
  }
  const n = new Uint8Array(4);
  new DataView(n.buffer).setUint32(0, nameBytes.length);
  const digest = keccak(DOMAIN, addr, sharingKey, n, utf8(name));
  let signer;
  try {
    signer = recoverSigner(digest, sig, false);
  } catch (e) {
    throw badSig(e.message);
  }
  if (!equal(signer, addr)) {
    throw badSig(`the card is for ${checksum(addr)} but was not signed by it: it was altered or forged`);
  }
  return { address: checksum(addr), addressBytes: addr, displayName: name };
}
