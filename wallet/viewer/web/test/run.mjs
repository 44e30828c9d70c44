#!/usr/bin/env node
// The viewer's protocol modules, run by Node for the Go tests
// (wallet/viewer/verify_node_test.go): each command reads its arguments,
// runs the same modules the page bundles, and prints JSON on stdout.
//
//   node test/run.mjs open ARGS.json       openShare; ARGS {link, recipient, passcode?, purpose?,
//                                          network?, fetchNetwork?, origin?, now?, noSubtle?}; prints the Result
//                                          with its one-line verdict as "sentence"
//                                          (fetchNetwork: read the network document from origin)
//   node test/run.mjs jcs FILE…            the JCS text of each JSON file
//   node test/run.mjs hashes FILE…         keccak256(JCS(resource)) of each resource of each FHIR file
//   node test/run.mjs merkle VECTORS.json  checks chain/merkle's vectors; prints the failures
//   node test/run.mjs links TEXTS.json      parseLink of each text
//   node test/run.mjs cards ARGS.json      verifyCard of JWS files against a JWKS {jwks, crlDir, now, jws}
//   node test/run.mjs transport ARGS.json  checkTransport of [[url, lan], …]
//   node test/run.mjs categories FILE…     the record category of each resource (delegation scopes)
//   node test/run.mjs selectors            the registry views' selectors
//   node test/run.mjs decrypt KEYHEX FILE [noble]  decrypts a JWE (noble: without crypto.subtle)
//   node test/run.mjs grant ARGS.json      grantDigest and signer of {grant, chainId, registry, signature}
import { readFileSync } from 'node:fs';
import { bytesToHex, hexToBytes } from '../src/bytes.js';
import { SIGNATURES, selector } from '../src/chain.js';
import { grantDigest, keccak, parseGrant, recoverSigner } from '../src/eip712.js';
import { canonicalize } from '../src/jcs.js';
import { decryptJWE } from '../src/jwe.js';
import { commit, parseProof, root, verify } from '../src/merkle.js';
import { fetchNetwork, openShare, parseLink } from '../src/open.js';
import { verifyCard } from '../src/shc.js';
import { checkTransport } from '../src/link.js';
import { categoryOf } from '../src/delegation.js';
import { verdictText } from '../src/ui/verdict.js';

const [cmd, ...args] = process.argv.slice(2);
const read = (f) => readFileSync(f, 'utf8');
// A kept file's bytes are printed as their length: the Go tests compare files by size and SHA-256.
const out = (v) => process.stdout.write(JSON.stringify(v, (k, x) => (typeof x === 'bigint' ? x.toString() : x instanceof Uint8Array ? x.length : x)) + '\n');

switch (cmd) {
  case 'open': {
    const a = JSON.parse(read(args[0]));
    const progress = [];
    const network = a.fetchNetwork ? await fetchNetwork({ origin: a.origin }) : a.network || null;
    const started = performance.now();
    const res = await openShare(a.link, {
      recipient: a.recipient, passcode: a.passcode, purpose: a.purpose, network,
      origin: a.origin, now: a.now ? new Date(a.now) : undefined, subtle: a.noSubtle ? null : undefined,
      onProgress: (t) => progress.push(t),
    });
    out({ ...res, sentence: verdictText(res), progress, elapsedMs: Math.round(performance.now() - started) });
    break;
  }
  case 'jcs':
    out(args.map((f) => canonicalize(JSON.parse(read(f)))));
    break;
  case 'hashes':
    out(args.map((f) => {
      const v = JSON.parse(read(f));
      const resources = v.resourceType === 'Bundle' ? (v.entry || []).map((e) => e.resource) : [v];
      return resources.map((r) => bytesToHex(keccak(canonicalize(r))));
    }));
    break;
  case 'merkle': {
    const failures = [];
    let proofs = 0;
    for (const t of JSON.parse(read(args[0])).trees) {
      const leaves = t.salts.map((s, i) => commit(hexToBytes(s), hexToBytes(t.contentHashes[i])));
      leaves.forEach((l, i) => bytesToHex(l) !== t.leaves[i] && failures.push(`count ${t.count}: leaf ${i}`));
      if (bytesToHex(root(leaves)) !== t.root) failures.push(`count ${t.count}: root`);
      t.proofs.forEach((p, i) => {
        proofs++;
        const proof = parseProof(p.json);
        if (!verify(hexToBytes(t.root), leaves[proof.index], proof)) failures.push(`count ${t.count}: proof ${i}`);
        const other = leaves[(proof.index + 1) % leaves.length];
        if (leaves.length > 1 && verify(hexToBytes(t.root), other, proof)) failures.push(`count ${t.count}: proof ${i} verifies another leaf`);
      });
    }
    out({ proofs, failures });
    break;
  }
  case 'links':
    out(JSON.parse(read(args[0])).map((text) => {
      try {
        const l = parseLink(text);
        return { ok: true, url: l.url, flag: l.flag, label: l.label || '', exp: l.exp ?? 0, v: l.v ?? 0, key: bytesToHex(l.key) };
      } catch (e) {
        return { ok: false, error: e.message };
      }
    }));
    break;
  case 'cards': {
    // ARGS {jwks: FILE, crlDir: DIR, now, jws: [FILE…]}
    const a = JSON.parse(read(args[0]));
    const keys = { jwks: async () => read(a.jwks), crl: async (iss, kid) => read(`${a.crlDir}/${kid}.json`) };
    const res = [];
    for (const f of a.jws) {
      try {
        const c = await verifyCard(read(f), keys, new Date(a.now));
        res.push({ ok: true, iss: c.iss, notes: c.notes, entries: c.bundle.entry.length });
      } catch (e) {
        res.push({ ok: false, error: e.message });
      }
    }
    out(res);
    break;
  }
  case 'transport':
    // ARGS [[url, lan], …]
    out(JSON.parse(read(args[0])).map(([u, lan]) => {
      try {
        checkTransport(u, lan);
        return '';
      } catch (e) {
        return e.message;
      }
    }));
    break;
  case 'categories':
    out(args.map((f) => {
      const v = JSON.parse(read(f));
      const resources = v.resourceType === 'Bundle' ? (v.entry || []).map((e) => e.resource) : [v];
      return resources.map((r) => categoryOf(r));
    }));
    break;
  case 'selectors':
    out(Object.fromEntries(Object.entries(SIGNATURES).map(([k, s]) => [k, bytesToHex(selector(s))])));
    break;
  case 'decrypt': {
    try {
      const r = await decryptJWE(read(args[1]), hexToBytes(args[0]), { subtle: args[2] === 'noble' ? null : undefined });
      out({ plaintext: Buffer.from(r.plaintext).toString('base64'), cty: r.cty });
    } catch (e) {
      out({ error: e.message, kind: e.kind });
    }
    break;
  }
  case 'grant': {
    const a = JSON.parse(read(args[0]));
    const g = parseGrant(a.grant);
    const d = grantDigest(g, a.chainId, hexToBytes(a.registry));
    out({ digest: bytesToHex(d), signer: bytesToHex(recoverSigner(d, hexToBytes(a.signature), true)) });
    break;
  }
  default:
    process.stderr.write(`unknown command ${cmd}\n`);
    process.exit(2);
}
