// The patient's consent as signed data: a port of wallet/share/grant.go.
// A grant is EIP-712 typed data under the domain {name "HealthWallet",
// version "1", chainId, verifyingContract: the registry}; its digest is
// what the issuer signs and what the registry records. Signatures are
// recovered with @noble/curves secp256k1, hashes are @noble/hashes keccak.
import { secp256k1 } from '@noble/curves/secp256k1.js';
import { keccak_256 } from '@noble/hashes/sha3.js';
import { ViewerError, bytesToHex, concat, hexToBytes, isZero, utf8 } from './bytes.js';

export const GRANT_TYPE =
  'Grant(bytes32 grantId,address patient,address issuer,bytes32 recipient,bytes32 scope,bytes32 purpose,uint64 notBefore,uint64 expiry)';
const DOMAIN_TYPE = 'EIP712Domain(string name,string version,uint256 chainId,address verifyingContract)';
const GRANT_ID_DOMAIN = 'HealthWallet grant id v1';

/** keccak is keccak256 of the concatenated parts (strings as UTF-8). */
export const keccak = (...parts) => keccak_256(concat(...parts.map((p) => (typeof p === 'string' ? utf8(p) : p))));

/** word is a value as a 32-byte ABI word: a bigint/number, or bytes left-padded. */
export function word(v) {
  const out = new Uint8Array(32);
  if (typeof v === 'bigint' || typeof v === 'number') {
    let x = BigInt(v);
    for (let i = 31; i >= 0 && x > 0n; i--, x >>= 8n) out[i] = Number(x & 0xffn);
    return out;
  }
  out.set(v, 32 - v.length);
  return out;
}

/** checksum is an address in EIP-55 mixed case, as Go's common.Address.Hex. */
export function checksum(addr) {
  const hex = bytesToHex(addr).slice(2);
  const h = bytesToHex(keccak(hex)).slice(2);
  let out = '0x';
  for (let i = 0; i < 40; i++) out += parseInt(h[i], 16) >= 8 ? hex[i].toUpperCase() : hex[i];
  return out;
}

/** The HL7 PurposeOfUse codes a grant may carry (grant.go purposes). */
export const PURPOSES = [
  ['TREAT', 'treatment'], ['ETREAT', 'emergency treatment'], ['BTG', 'break the glass'], ['CAREMGT', 'care management'],
  ['COC', 'coordination of care'], ['CLINTRCH', 'clinical trial research'], ['HRESCH', 'healthcare research'],
  ['HPAYMT', 'healthcare payment'], ['COVERAGE', 'coverage under policy or program'], ['HOPERAT', 'healthcare operations'],
  ['PATRQT', 'patient requested'], ['FAMRQT', 'family requested'], ['PWATRNY', 'power of attorney'],
  ['SUPNWK', 'support network'], ['PUBHLTH', 'public health'], ['HLEGAL', 'legal'], ['HDIRECT', 'directory'],
].map(([code, display]) => ({ code, display }));

/** purposeOf returns the known purpose whose keccak256 is hash (bytes), or null. */
export function purposeOf(hash) {
  const hex = bytesToHex(hash);
  return PURPOSES.find((p) => bytesToHex(keccak(p.code)) === hex) || null;
}

/** grantID is keccak256("HealthWallet grant id v1" ‖ link key): what binds a grant to its link. */
export const grantID = (linkKey) => keccak(GRANT_ID_DOMAIN, linkKey);

const GRANT_FIELDS = ['grantId', 'patient', 'issuer', 'recipient', 'scope', 'purpose', 'notBefore', 'expiry'];

/** hash32 and address read "0x…" JSON strings of the exact length, as go-ethereum's types do. */
export const hash32 = (s, what) => fixedHex(s, 32, what);
export const address = (s, what) => fixedHex(s, 20, what);

function fixedHex(s, n, what) {
  if (typeof s !== 'string' || s.length !== 2 + 2 * n) throw new ViewerError(`${what}: not 0x and ${2 * n} hex digits`);
  return hexToBytes(s, n);
}

/** uint64 reads a JSON number that is a whole number of seconds JavaScript holds exactly. */
export function uint64(v, what) {
  if (!Number.isSafeInteger(v) || v < 0) throw new ViewerError(`${what}: not a whole number in range`);
  return v;
}

/**
 * parseGrant reads a grant's JSON strictly (grant.go UnmarshalJSON and
 * Check): all eight fields and no others, then complete.
 */
export function parseGrant(raw) {
  const bad = (m) => new ViewerError(`invalid grant: ${m}`);
  strictMembers(raw, GRANT_FIELDS, bad);
  for (const f of GRANT_FIELDS) {
    if (raw[f] === undefined || raw[f] === null) {
      throw bad('grantId, patient, issuer, recipient, scope, purpose, notBefore and expiry are all required');
    }
  }
  let g;
  try {
    g = {
      grantId: hash32(raw.grantId, 'grantId'), patient: address(raw.patient, 'patient'), issuer: address(raw.issuer, 'issuer'),
      recipient: hash32(raw.recipient, 'recipient'), scope: hash32(raw.scope, 'scope'), purpose: hash32(raw.purpose, 'purpose'),
      notBefore: uint64(raw.notBefore, 'notBefore'), expiry: uint64(raw.expiry, 'expiry'),
    };
  } catch (e) {
    throw bad(e.message);
  }
  if (isZero(g.grantId)) throw bad('grantId is zero');
  if (isZero(g.patient)) throw bad('patient is the zero address');
  if (isZero(g.issuer)) throw bad('issuer is the zero address');
  if (isZero(g.scope)) throw bad('scope is zero (no records)');
  if (isZero(g.purpose)) throw bad('purpose is zero');
  if (g.expiry === 0) throw bad(`expiry ${g.expiry} is not a time`);
  if (g.notBefore >= g.expiry) throw bad(`notBefore ${g.notBefore} is not before expiry ${g.expiry}`);
  return g;
}

/** strictMembers refuses a non-object and members not in fields (proof.go exactMembers). */
export function strictMembers(raw, fields, bad) {
  if (raw === null || typeof raw !== 'object' || Array.isArray(raw)) throw bad('not a JSON object');
  for (const k of Object.keys(raw)) if (!fields.includes(k)) throw bad(`unknown field "${k}"`);
}

/** domainSeparator of the registry at registry (bytes) on chain chainId. */
export function domainSeparator(chainId, registry) {
  return keccak(keccak(DOMAIN_TYPE), keccak('HealthWallet'), keccak('1'), word(BigInt(chainId)), word(registry));
}

/** grantDigest is the grant's EIP-712 hash under the registry's domain. */
export function grantDigest(g, chainId, registry) {
  if (!(BigInt(chainId) > 0n)) throw new ViewerError('invalid grant: chain id must be positive');
  if (isZero(registry)) throw new ViewerError('invalid grant: the registry is the zero address');
  const struct = keccak(
    keccak(GRANT_TYPE), g.grantId, word(g.patient), word(g.issuer), g.recipient, g.scope, g.purpose,
    word(g.notBefore), word(g.expiry),
  );
  return keccak(Uint8Array.of(0x19, 0x01), domainSeparator(chainId, registry), struct);
}

const N = secp256k1.Point.Fn.ORDER;

/**
 * recoverSigner returns the address (20 bytes) whose key made the 65-byte
 * signature [R ‖ S ‖ V] over digest. allow27 accepts V in {27, 28} as well
 * as {0, 1} (grants do; cards and scopes do not). A high-S signature is
 * refused, as go-ethereum's ValidateSignatureValues does.
 */
export function recoverSigner(digest, sig, allow27) {
  if (sig.length !== 65) throw new ViewerError(`the signature is ${sig.length} bytes, want 65`);
  let v = sig[64];
  if (allow27 && (v === 27 || v === 28)) v -= 27;
  const r = BigInt(bytesToHex(sig.subarray(0, 32)));
  const s = BigInt(bytesToHex(sig.subarray(32, 64)));
  if (v > 1 || r < 1n || r >= N || s < 1n || s > N / 2n) throw new ViewerError('the signature is malformed');
  let pub;
  try {
    pub = new secp256k1.Signature(r, s, v).recoverPublicKey(digest).toBytes(false);
  } catch (e) {
    throw new ViewerError(`recovering the signer: ${e.message}`);
  }
  return keccak(pub.subarray(1)).subarray(12);
}
