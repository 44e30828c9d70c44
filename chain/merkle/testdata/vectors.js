// Independent implementation of the construction in chain/merkle's package
// documentation, written from that text alone, to produce vectors.json.
// Run: node vectors.js > vectors.json  (needs js-sha3, which solc-js installs:
// NODE_PATH=<dir>/node_modules after `npm ci` in chain/contracts).
'use strict';
const { keccak256 } = require('js-sha3');

const hex = (b) => '0x' + Buffer.from(b).toString('hex');
const k = (...parts) => Buffer.from(keccak256.arrayBuffer(Buffer.concat(parts.map((p) => Buffer.from(p)))));
const commit = (salt, content) => k([0x00], salt, content);
const inner = (l, r) => k([0x01], l, r);

function levels(leaves) {
  const out = [leaves];
  let level = leaves;
  while (level.length > 1) {
    const next = [];
    for (let i = 0; i + 1 < level.length; i += 2) next.push(inner(level[i], level[i + 1]));
    if (level.length % 2 === 1) next.push(level[level.length - 1]);
    out.push(next);
    level = next;
  }
  return out;
}

function prove(lv, index) {
  const siblings = [];
  let i = index;
  for (const level of lv.slice(0, -1)) {
    if (i % 2 === 1) siblings.push(level[i - 1]);
    else if (i + 1 < level.length) siblings.push(level[i + 1]);
    i = Math.floor(i / 2);
  }
  return siblings;
}

function u32(n) {
  const b = Buffer.alloc(4);
  b.writeUInt32BE(n);
  return b;
}

const trees = [];
for (const n of [1, 2, 3, 4, 5, 7, 8, 13]) {
  const salts = [], contents = [], leaves = [];
  for (let i = 0; i < n; i++) {
    salts.push(k(Buffer.from('salt ' + i)));
    contents.push(k(Buffer.from('content ' + i)));
    leaves.push(commit(salts[i], contents[i]));
  }
  const lv = levels(leaves);
  trees.push({
    count: n,
    salts: salts.map(hex),
    contentHashes: contents.map(hex),
    leaves: leaves.map(hex),
    root: hex(lv[lv.length - 1][0]),
    proofs: leaves.map((_, i) => {
      const siblings = prove(lv, i);
      return {
        json: { index: i, count: n, siblings: siblings.map(hex) },
        binary: hex(Buffer.concat([u32(i), u32(n), ...siblings])),
      };
    }),
  });
}
process.stdout.write(JSON.stringify({
  description: 'Health Wallet Merkle vectors: salt_i = keccak256("salt i"), contentHash_i = keccak256("content i"), leaf_i = keccak256(0x00 || salt_i || contentHash_i); inner = keccak256(0x01 || left || right); odd node promoted.',
  trees,
}, null, 2) + '\n');
