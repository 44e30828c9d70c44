// The Merkle trees Health Wallet anchors: a port of chain/merkle.
//   leaf  = keccak256(0x00 ‖ salt ‖ contentHash)
//   inner = keccak256(0x01 ‖ left ‖ right)
// An odd node at the end of a level is promoted unchanged. A proof is
// {index, count, siblings}: sides follow from index and count.
import { keccak_256 } from '@noble/hashes/sha3.js';
import { ViewerError, concat, equal, hexToBytes } from './bytes.js';

const MAX_DEPTH = 32;

const hash3 = (prefix, a, b) => keccak_256(concat(Uint8Array.of(prefix), a, b));

/** commit is a record's leaf: keccak256(0x00 ‖ salt ‖ contentHash). */
export const commit = (salt, contentHash) => hash3(0x00, salt, contentHash);

const inner = (l, r) => hash3(0x01, l, r);

/** root is the root over leaves (byte arrays), or null when there are none. */
export function root(leaves) {
  if (leaves.length === 0) return null;
  let level = leaves;
  while (level.length > 1) {
    const next = [];
    for (let i = 0; i + 1 < level.length; i += 2) next.push(inner(level[i], level[i + 1]));
    if (level.length % 2 === 1) next.push(level[level.length - 1]);
    level = next;
  }
  return level[0];
}

/** pathLen is the number of siblings the proof of leaf index in a tree of count leaves holds. */
export function pathLen(index, count) {
  let n = 0;
  for (let i = index, m = count; m > 1; i = Math.floor(i / 2), m = Math.ceil(m / 2)) {
    if (i % 2 === 1 || i + 1 < m) n++;
  }
  return n;
}

const isU32 = (x) => Number.isInteger(x) && x >= 0 && x <= 0xffffffff;

/**
 * parseProof reads a proof's JSON form strictly, as proof.go's
 * UnmarshalJSON: index, count and siblings required, no other member,
 * each sibling 0x and 64 hex digits, as many siblings as the walk uses.
 * @returns {{index: number, count: number, siblings: Uint8Array[]}}
 */
export function parseProof(raw) {
  const bad = (m) => new ViewerError(`malformed Merkle proof: ${m}`);
  if (raw === null || typeof raw !== 'object' || Array.isArray(raw)) throw bad('not an object');
  for (const k of Object.keys(raw)) if (!['index', 'count', 'siblings'].includes(k)) throw bad(`unknown field "${k}"`);
  if (!isU32(raw.index) || !isU32(raw.count) || !Array.isArray(raw.siblings)) {
    throw bad('index, count and siblings are all required');
  }
  if (raw.siblings.length > MAX_DEPTH) throw bad(`${raw.siblings.length} siblings, at most ${MAX_DEPTH}`);
  const siblings = raw.siblings.map((s, i) => {
    if (typeof s !== 'string' || s.length !== 66) throw bad(`sibling ${i} is not 0x and 64 hex digits`);
    return hexToBytes(s, 32);
  });
  const p = { index: raw.index, count: raw.count, siblings };
  checkProof(p);
  return p;
}

/** checkProof: a non-zero count, an index below it, and exactly the siblings the walk uses. */
export function checkProof(p) {
  const bad = (m) => new ViewerError(`malformed Merkle proof: ${m}`);
  if (p.count === 0) throw bad('leaf count is zero');
  if (p.index >= p.count) throw bad(`leaf index ${p.index} is not below the count ${p.count}`);
  const want = pathLen(p.index, p.count);
  if (p.siblings.length !== want) throw bad(`${p.siblings.length} siblings, leaf ${p.index} of ${p.count} needs ${want}`);
}

/** verify reports whether proof shows leaf (a commitment the caller computed) to be under rootHash. */
export function verify(rootHash, leaf, proof) {
  try {
    checkProof(proof);
  } catch {
    return false;
  }
  let h = leaf;
  let k = 0;
  for (let i = proof.index, m = proof.count; m > 1; i = Math.floor(i / 2), m = Math.ceil(m / 2)) {
    if (i % 2 === 1) h = inner(proof.siblings[k++], h);
    else if (i + 1 < m) h = inner(h, proof.siblings[k++]);
  }
  return equal(h, rootHash);
}
