// The proof file Health Wallet adds to a share: a port of
// wallet/share/proof.go's ParseProof. It carries the signed grant and, for
// each shared record, the salt, content hash and commitment, and the path
// to an anchored root — salts and hashes, no health data. Read strictly:
// version 1, no unknown members, every hash 0x and 64 hex digits.
import { ViewerError, equal, isZero, utf8 } from './bytes.js';
import { checkScope, parseSignedScope } from './delegation.js';
import { address, hash32, parseGrant, strictMembers, uint64 } from './eip712.js';
import { commit, parseProof as parseMerkleProof, root } from './merkle.js';

const MAX_PROOF_SIZE = 32 << 20;
const MAX_PROOF_RECORDS = 100000;
const MAX_RESOURCE_REF = 256;
const MAX_NETWORK_REF = 512;
const MAX_CARD_TEXT = 1024;
const MAX_DELEGATION_SIZE = 16 << 10;

const PROOF_FIELDS = ['v', 'chainId', 'registry', 'grant', 'signature', 'records', 'card', 'network', 'delegation'];
const RECORD_FIELDS = ['index', 'resourceRef', 'salt', 'contentHash', 'commitment', 'anchorRoot', 'anchorProof'];

const bad = (m) => new ViewerError(`invalid proof file: ${m}`);

function hexBytes(s, what) {
  if (typeof s !== 'string' || !/^0x([0-9a-fA-F]{2})*$/.test(s)) throw bad(`${what} is not 0x hex`);
  const out = new Uint8Array(s.length / 2 - 1);
  for (let i = 0; i < out.length; i++) out[i] = parseInt(s.substr(2 + 2 * i, 2), 16);
  return out;
}

/**
 * parseProofFile reads a proof file's text.
 * @returns {{chainId: number, registry: Uint8Array, grant: object, signature: Uint8Array,
 *   records: {index, resourceRef, salt, contentHash, commitment, anchorRoot, anchorProof}[],
 *   card: string, network: {name, url}|null, delegation: {scope, signature}|null}}
 */
export function parseProofFile(text) {
  if (text.length > MAX_PROOF_SIZE) throw bad(`${text.length} bytes, at most ${MAX_PROOF_SIZE}`);
  let raw;
  try {
    raw = JSON.parse(text);
  } catch (e) {
    throw bad(e.message);
  }
  strictMembers(raw, PROOF_FIELDS, bad);
  if (raw.v !== 1) throw bad(`version ${raw.v ?? 0}; this app reads version 1 (update it for newer shares)`);
  if (raw.grant == null || raw.records == null || raw.signature == null) throw bad('grant, signature and records are required');
  if (!Array.isArray(raw.records)) throw bad('records is not a list');
  if (raw.records.length > MAX_PROOF_RECORDS) throw bad(`${raw.records.length} records, at most ${MAX_PROOF_RECORDS}`);
  let p;
  try {
    p = {
      chainId: raw.chainId == null ? 0 : uint64(raw.chainId, 'chainId'),
      registry: address(raw.registry ?? '0x' + '0'.repeat(40), 'registry'),
      signature: hexBytes(raw.signature, 'signature'),
      card: raw.card == null ? '' : String(raw.card),
      network: null,
      delegation: null,
    };
  } catch (e) {
    throw e.message.startsWith('invalid proof file') ? e : bad(e.message);
  }
  if (raw.network != null) {
    const n = raw.network;
    if (typeof n !== 'object' || (n.name != null && typeof n.name !== 'string') || (n.url != null && typeof n.url !== 'string')) {
      throw bad('network is not {name, url}');
    }
    p.network = { name: n.name || '', url: n.url || '' };
  }
  if (raw.delegation != null) {
    const size = utf8(JSON.stringify(raw.delegation)).length;
    if (size > MAX_DELEGATION_SIZE) throw bad(`delegation: ${size} bytes, at most ${MAX_DELEGATION_SIZE}`);
    try {
      p.delegation = parseSignedScope(raw.delegation);
    } catch (e) {
      throw bad(e.message);
    }
  }
  try {
    p.grant = parseGrant(raw.grant);
  } catch (e) {
    throw bad(e.message);
  }
  p.records = raw.records.map((rr, i) => {
    const rbad = (m) => bad(`record ${i}: ${m}`);
    strictMembers(rr, RECORD_FIELDS, rbad);
    if (RECORD_FIELDS.some((f) => f !== 'resourceRef' && rr[f] == null)) {
      throw rbad('index, salt, contentHash, commitment, anchorRoot and anchorProof are required');
    }
    if (rr.resourceRef != null && typeof rr.resourceRef !== 'string') throw rbad('resourceRef is not a string');
    try {
      return {
        index: Number.isSafeInteger(rr.index) ? rr.index : NaN,
        resourceRef: rr.resourceRef || '',
        salt: hash32(rr.salt, 'salt'),
        contentHash: hash32(rr.contentHash, 'contentHash'),
        commitment: hash32(rr.commitment, 'commitment'),
        anchorRoot: hash32(rr.anchorRoot, 'anchorRoot'),
        anchorProof: parseMerkleProof(rr.anchorProof),
      };
    } catch (e) {
      throw rbad(e.message);
    }
  });
  check(p);
  return p;
}

/** check is proof.go's ProofFile.check: what ParseProof enforces beyond the JSON shape. */
function check(p) {
  if (p.chainId === 0) throw bad('chainId is zero');
  if (isZero(p.registry)) throw bad('registry is the zero address');
  if (p.signature.length !== 65) throw bad(`the signature is ${p.signature.length} bytes, want 65`);
  if (p.records.length === 0) throw bad('no records');
  if (p.delegation) {
    try {
      checkScope(p.delegation.scope);
    } catch (e) {
      throw bad(`delegation: ${e.message}`);
    }
    if (p.delegation.signature.length !== 65) {
      throw bad(`delegation: the signature is ${p.delegation.signature.length} bytes, want 65`);
    }
  }
  if (p.card.length > MAX_CARD_TEXT) throw bad(`the identity card is longer than ${MAX_CARD_TEXT} characters`);
  const n = p.network;
  if (n && (n.name === '' || utf8(n.name).length > MAX_NETWORK_REF || utf8(n.url).length > MAX_NETWORK_REF)) {
    throw bad(`the network must have a name, and name and URL at most ${MAX_NETWORK_REF} characters`);
  }
  const seen = new Set();
  p.records.forEach((r, i) => {
    if (!(r.index >= 0 && r.index < MAX_PROOF_RECORDS)) throw bad(`record ${i}: index ${r.index} out of range`);
    if (seen.has(r.index)) throw bad(`record ${i}: Bundle entry ${r.index} is listed twice`);
    if (utf8(r.resourceRef).length > MAX_RESOURCE_REF) throw bad(`record ${i}: resourceRef longer than ${MAX_RESOURCE_REF}`);
    if (!equal(r.commitment, commit(r.salt, r.contentHash))) throw bad(`record ${i}: the commitment is not Commit(salt, contentHash)`);
    if (isZero(r.anchorRoot)) throw bad(`record ${i}: anchorRoot is zero`);
    seen.add(r.index);
  });
}

/** scopeRoot is the Merkle root over the records' commitments, in order: what the grant's scope must be. */
export const scopeRoot = (p) => root(p.records.map((r) => r.commitment)) || new Uint8Array(32);
