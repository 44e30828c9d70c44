// A share a caregiver made on the patient's behalf: a port of the scope
// document of wallet/share/delegation.go. The patient signs the scope
// (delegate, rights, record types or categories, expiry); its hash is
// keccak256("HealthWallet delegation scope v1" ‖ JCS(scope)), what the
// delegation on chain commits to. Records are judged in scope by their
// category, read from the resource itself (record.Summarize's categoryFor).
import { ViewerError, bytesToHex, equal } from './bytes.js';
import { checkDisplayName } from './card.js';
import { address, hash32, keccak, recoverSigner, strictMembers, checksum, uint64 } from './eip712.js';
import { canonicalize } from './jcs.js';
import { categoryOf } from './summary.js';

const SCOPE_DOMAIN = 'HealthWallet delegation scope v1';
const SCOPE_FIELDS = ['v', 'patient', 'delegate', 'rights', 'types', 'categories', 'expiry', 'patientName', 'delegateName', 'issued', 'salt'];
/** Registry rights bits (DESIGN §6). */
export const RIGHT_VIEW = 1;
export const RIGHT_SHARE = 2;
export const RIGHT_MANAGE = 4;
const RIGHTS = [['view', RIGHT_VIEW], ['share', RIGHT_SHARE], ['manage', RIGHT_MANAGE]];

/** The record categories (record.AllCategories), in display order. */
export const CATEGORIES = ['Conditions', 'Medications', 'Allergies', 'Immunizations', 'Lab results', 'Vital signs',
  'Observations', 'Procedures', 'Encounters', 'Documents', 'Care plans', 'Insurance & billing', 'People & organizations', 'Other'];

const isObj = (v) => v !== null && typeof v === 'object' && !Array.isArray(v);
const str = (o, k) => (isObj(o) && typeof o[k] === 'string' ? o[k] : '');

// categoryOf is record.Summarize's category of a parsed FHIR resource: the
// one rule, in summary.js, that the page's chart uses too.
export { categoryOf };

const validType = (t) => typeof t === 'string' && t.length <= 64 && /^[A-Z][A-Za-z]*$/.test(t);

/**
 * parseSignedScope reads the proof's delegation member strictly
 * ({scope, signature}, exactly their members) — its form only; the
 * signature and terms are checked by verifyScope.
 */
export function parseSignedScope(raw) {
  const bad = (m) => new ViewerError(`delegation: ${m}`);
  strictMembers(raw, ['scope', 'signature'], bad);
  if (raw.scope == null || raw.signature == null) throw bad('scope and signature are required');
  const s = raw.scope;
  strictMembers(s, SCOPE_FIELDS, (m) => bad(`scope: ${m}`));
  const list = (v, k) => {
    if (v === undefined || v === null) return [];
    if (!Array.isArray(v) || v.some((x) => typeof x !== 'string')) throw bad(`scope: ${k} is not a list of strings`);
    return v;
  };
  const text = (v, k) => {
    if (v === undefined || v === null) return '';
    if (typeof v !== 'string') throw bad(`scope: ${k} is not a string`);
    return v;
  };
  const zero20 = '0x' + '0'.repeat(40);
  const zero32 = '0x' + '0'.repeat(64);
  const scope = {
    v: s.v == null ? 0 : uint64(s.v, 'v'),
    patient: address(s.patient ?? zero20, 'patient'),
    delegate: address(s.delegate ?? zero20, 'delegate'),
    rights: list(s.rights, 'rights'),
    types: list(s.types, 'types'),
    categories: list(s.categories, 'categories'),
    expiry: s.expiry == null ? 0 : uint64(s.expiry, 'expiry'),
    patientName: text(s.patientName, 'patientName'),
    delegateName: text(s.delegateName, 'delegateName'),
    issued: s.issued == null ? 0 : uint64(s.issued, 'issued'),
    salt: hash32(s.salt ?? zero32, 'salt'),
  };
  if (typeof raw.signature !== 'string' || !/^0x([0-9a-fA-F]{2})*$/.test(raw.signature)) throw bad('signature is not 0x hex');
  const sig = new Uint8Array(raw.signature.length / 2 - 1);
  for (let i = 0; i < sig.length; i++) sig[i] = parseInt(raw.signature.substr(2 + 2 * i, 2), 16);
  return { scope, signature: sig };
}

/** checkScope is DelegationScope.Check: the scope's form, not its signature. */
export function checkScope(s) {
  const bad = (m) => new ViewerError(`invalid delegation scope: ${m}`);
  const zero = (b) => b.every((x) => x === 0);
  if (s.v !== 1) throw bad(`version ${s.v}; this app reads version 1 (update it for newer scopes)`);
  if (zero(s.patient)) throw bad('no patient');
  if (zero(s.delegate)) throw bad('no delegate');
  if (equal(s.delegate, s.patient)) throw bad('the patient cannot be their own delegate');
  if (s.expiry <= s.issued) throw bad('the expiry is not after the issue time');
  if (s.rights.length === 0) throw bad('no rights');
  if (zero(s.salt)) {
    throw bad('no salt (without one, its hash on chain would confirm guessed names): it was not made by a current Health Wallet; ask the patient to delegate again');
  }
  for (const r of s.rights) if (!RIGHTS.some(([n]) => n === r)) throw bad(`unknown right "${r}" (known: view, share, manage)`);
  const norm = ['view', ...['share', 'manage'].filter((r) => s.rights.includes(r))];
  if (norm.join() !== s.rights.join()) throw bad(`rights [${s.rights.join(' ')}] are not in their normal form [${norm.join(' ')}]`);
  if (s.types.length > 64) throw bad(`${s.types.length} types, at most 64`);
  s.types.forEach((t, i) => {
    if (!validType(t) || s.types.slice(0, i).includes(t)) throw bad(`type "${t}" is not a FHIR resource type name, or is listed twice`);
  });
  if (s.categories.length > CATEGORIES.length) throw bad(`${s.categories.length} categories, there are ${CATEGORIES.length}`);
  s.categories.forEach((c, i) => {
    if (!CATEGORIES.includes(c) || s.categories.slice(0, i).includes(c)) throw bad(`category "${c}" is unknown or listed twice`);
  });
  for (const n of [s.patientName, s.delegateName]) {
    try {
      checkDisplayName(n);
    } catch (e) {
      throw bad(e.message);
    }
  }
}

/** scopeHash is keccak256(domain ‖ JCS(the scope's JSON as Go marshals it)). */
export function scopeHash(s) {
  const doc = {
    v: s.v, patient: bytesToHex(s.patient), delegate: bytesToHex(s.delegate), rights: s.rights,
    expiry: s.expiry, patientName: s.patientName, delegateName: s.delegateName, issued: s.issued, salt: bytesToHex(s.salt),
  };
  if (s.types.length) doc.types = s.types;
  if (s.categories.length) doc.categories = s.categories;
  return keccak(SCOPE_DOMAIN, canonicalize(doc));
}

/** verifyScope checks the form and that the patient it names signed it (SignedDelegationScope.Verify). */
export function verifyScope({ scope, signature }) {
  checkScope(scope);
  const bad = (m) => new ViewerError(`the delegation scope is not signed by its patient: ${m}`);
  if (signature.length !== 65) throw bad(`the signature is ${signature.length} bytes, not 65`);
  let signer;
  try {
    signer = recoverSigner(scopeHash(scope), signature, false);
  } catch (e) {
    throw bad(e.message);
  }
  if (!equal(signer, scope.patient)) {
    throw bad(`signed by ${checksum(signer)}, not by the patient ${checksum(scope.patient)}: it was altered or forged`);
  }
}

/** rightsMask is the scope's rights as the registry holds them. */
export const rightsMask = (s) => RIGHTS.reduce((m, [n, bit]) => (s.rights.includes(n) ? m | bit : m), 0);

/** coversResource: the resource's type or category is in the scope (both empty: every record). */
export function coversResource(s, res) {
  const typ = str(res, 'resourceType');
  if (typ === '') return false;
  if (s.types.length === 0 && s.categories.length === 0) return true;
  return s.types.includes(typ) || s.categories.includes(categoryOf(res));
}
