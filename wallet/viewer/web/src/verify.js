// The receiver's checks of a share: a port of wallet/share/verify.go and
// verify_delegation.go / patient.go, check for check, in the same order and
// under the same names, so the page says Verified exactly when `hw receive`
// would. One place (coverage) decides which received records the patient's
// consent covers; the verdict derives from the checks.
import { bytesToHex, equal, fromUTF8, isZero, printable, rfc1123 } from './bytes.js';
import { parseCard, MAX_DISPLAY_NAME } from './card.js';
import { RIGHT_SHARE, coversResource, rightsMask, scopeHash, verifyScope } from './delegation.js';
import { checksum, grantDigest, grantID, keccak, purposeOf, recoverSigner } from './eip712.js';
import { CT_FHIR, CT_PROOF, CT_SHC } from './fetch.js';
import { changedFileReason, receiveAttachments } from './attachment.js';
import { canonicalize } from './jcs.js';
import { checkParsedLink } from './link.js';
import { verify as merkleVerify } from './merkle.js';
import { parseProofFile, scopeRoot } from './proof.js';
import { parseCardFile, verifyCard } from './shc.js';

/** The checks' names, exactly as verify.go's Check* constants. */
export const CHECK = {
  linkWellFormed: 'link well-formed',
  notExpired: 'link not expired',
  manifestFetched: 'manifest fetched',
  filesDecrypted: 'files decrypted',
  recordsReadable: 'records readable',
  shc: 'SMART Health Card signature valid',
  shcTrusted: 'SMART Health Card issuer trusted',
  proofPresent: 'proof file present',
  networkTrusted: 'network trusted',
  chainID: 'chain id matches',
  registry: 'registry matches',
  signature: 'signature recovers the issuer',
  grantBinding: 'grant bound to this link',
  grantPeriod: 'grant within its validity period',
  grantActive: 'grant active on chain',
  issuerAuthorized: 'issuer authorized by the patient',
  recipient: 'recipient matches',
  patientCard: 'patient identity card',
  commitments: 'record commitments match',
  scope: 'records in grant scope',
  anchored: 'records anchored on chain',
  covered: "every record covered by the patient's consent",
  delegation: 'delegation scope signed by the patient and on chain',
  delegationRecords: "records in the delegation's scope",
};

const NOT_TRUSTED = 'not checked: the share is not for the chain and registry this receiver trusts';
const time = (sec) => rfc1123(new Date(sec * 1000));
const hex = bytesToHex;

function joinFirst(items, n) {
  if (items.length <= n) return items.join('; ');
  return items.slice(0, n).join('; ') + `; and ${items.length - n} more`;
}

/** resourceRef is "Type/id" of a parsed resource, or "". */
function resourceRef(r) {
  if (!r || typeof r !== 'object' || typeof r.resourceType !== 'string' || typeof r.id !== 'string') return '';
  if (r.resourceType === '' || r.id === '') return '';
  const ref = r.resourceType + '/' + r.id;
  return ref.length <= 256 ? ref : '';
}

function describeResource(r) {
  const ref = resourceRef(r);
  if (ref) return ref;
  if (r && typeof r.resourceType === 'string' && r.resourceType !== '') return 'a ' + printable(r.resourceType, 40);
  return 'a record';
}

/**
 * bundleEntries returns the resources of a parsed FHIR file: a Bundle's
 * entries' resources, or the file itself when it holds one resource.
 */
function bundleEntries(v) {
  if (v === null || typeof v !== 'object' || Array.isArray(v)) throw new Error('not FHIR JSON: not an object');
  if (v.resourceType !== undefined && v.resourceType !== null && typeof v.resourceType !== 'string') {
    throw new Error('not FHIR JSON: resourceType is not a string');
  }
  if (!v.resourceType) throw new Error('not a FHIR resource (no resourceType)');
  if (v.resourceType !== 'Bundle') return [v];
  const entries = v.entry ?? [];
  if (!Array.isArray(entries) || entries.some((e) => e !== null && (typeof e !== 'object' || Array.isArray(e)))) {
    throw new Error('not FHIR JSON: entry is not a list of objects');
  }
  return entries.map((e) => (e ? e.resource ?? null : null));
}

/**
 * Reporter accumulates the checks of one share into a report:
 * {verified, source ('healthwallet'|'other'), label, checks, records,
 * uncovered, patient, issuer, expires (Date|null), purpose, digest, cards,
 * patientName, patientBirthDate, patientWarning, proofNetwork, proofChain,
 * onBehalf, attachments: the kept files verified, each with the index of
 * its record in records, anchoredAt: when the oldest batch of the records
 * was anchored (a Date, once "records anchored on chain" passed)}.
 */
export class Reporter {
  constructor() {
    this.r = {
      verified: false, source: 'other', label: '', checks: [], records: [], uncovered: [], patient: null, issuer: null,
      expires: null, purpose: '', digest: null, cards: [], patientName: '', patientBirthDate: '', patientWarning: '',
      proofNetwork: null, proofChain: null, onBehalf: null, attachments: [], anchoredAt: null,
    };
  }

  add(name, ok, detail = '') {
    this.r.checks.push({ name, ok, detail });
    return ok;
  }

  /** linkChecks runs "link well-formed" and "link not expired"; false means stop. */
  linkChecks(link, now) {
    this.r.label = link.label || '';
    if (link.exp !== undefined) this.r.expires = new Date(link.exp * 1000);
    try {
      checkParsedLink(link);
    } catch (e) {
      return this.add(CHECK.linkWellFormed, false, e.message);
    }
    this.add(CHECK.linkWellFormed, true);
    if (link.exp === undefined) return this.add(CHECK.notExpired, true, 'the link states no expiry');
    if (now.getTime() >= link.exp * 1000) return this.add(CHECK.notExpired, false, `the link expired on ${rfc1123(this.r.expires)}`);
    return this.add(CHECK.notExpired, true, `until ${rfc1123(this.r.expires)}`);
  }

  /**
   * content runs every check after decryption. input: {link, files, now,
   * chain (a chainReader or null), expectChainId (bigint|null),
   * expectRegistry (bytes|null), trust ({ok, detail}|null), cardKeys}.
   */
  async content(input) {
    const proofs = [];
    const received = [];
    const problems = [];
    for (const [i, f] of input.files.entries()) {
      if (f.contentType === CT_PROOF) {
        proofs.push(f.plaintext);
      } else if (f.contentType === CT_FHIR) {
        try {
          for (const e of bundleEntries(JSON.parse(fromUTF8(f.plaintext)))) {
            const { resource, files, problem } = receiveAttachments(e);
            received.push(problem ? { resource: e, source: `file ${i}`, problem } : { resource, source: `file ${i}`, files });
          }
        } catch (e) {
          problems.push(`file ${i}: ${e.message.startsWith('not ') ? e.message : 'not FHIR JSON: ' + e.message}`);
        }
      } else if (f.contentType === CT_SHC) {
        received.push(...(await this.cards(i, f.plaintext, input.cardKeys, input.now)));
      } else {
        problems.push(`file ${i}: content type ${JSON.stringify(f.contentType)} is not shown`);
      }
    }
    if (problems.length) this.add(CHECK.recordsReadable, false, problems.join('; '));
    else this.add(CHECK.recordsReadable, true, `${received.length} record(s)`);

    const { proof, consent, scope, chainOK } = await this.proofChecks(input, proofs);
    if (this.r.source !== 'healthwallet') {
      this.r.records = received.map((r) => r.resource);
      return this.r;
    }
    const { matched, why } = coverage(received, proof, consent);
    if (proof && !equal(proof.grant.issuer, proof.grant.patient)) this.delegationRecords(received, proof, matched, why, scope);
    if (proof) {
      const commitments = this.commitments(proof, matched);
      if (!equal(scopeRoot(proof), proof.grant.scope)) {
        this.add(CHECK.scope, false, "the records' commitments do not make the grant's scope: records were added, removed or reordered");
      } else {
        this.add(CHECK.scope, true, `${proof.records.length} record(s) in scope`);
      }
      if (chainOK) await this.anchors(input.chain, proof, commitments);
      else this.add(CHECK.anchored, false, NOT_TRUSTED);
    }
    this.covered(received, why);
    this.patientRecord();
    this.r.verified = this.r.checks.every((c) => c.ok);
    return this.r;
  }

  async cards(fileIndex, data, keys, now) {
    let jwss;
    try {
      jwss = parseCardFile(fromUTF8(data));
    } catch (e) {
      this.add(CHECK.shc, false, `file ${fileIndex}: ${e.message}`);
      return [];
    }
    const out = [];
    for (const [i, jws] of jwss.entries()) {
      if (!keys) {
        this.add(CHECK.shc, false, `file ${fileIndex} card ${i}: this receiver cannot look up card issuers' keys`);
        this.r.cards.push({ iss: '', verified: false, problem: "this receiver cannot look up card issuers' keys" });
        continue;
      }
      let card;
      try {
        card = await verifyCard(jws, keys, now);
      } catch (e) {
        this.add(CHECK.shc, false, `file ${fileIndex} card ${i}: ${e.message}`);
        this.r.cards.push({ iss: e.iss || '', verified: false, problem: e.message });
        continue;
      }
      this.add(CHECK.shc, true, 'issuer ' + card.iss + (card.notes.length ? '; ' + card.notes.join('; ') : ''));
      // The browser holds no list of trusted issuers: only a wallet can say
      // whether this issuer is one to believe.
      this.add(CHECK.shcTrusted, false, `issuer ${card.iss}: this browser viewer holds no list of trusted card issuers; open the share in a Health Wallet that trusts a directory of issuers`);
      this.r.cards.push({ iss: card.iss, verified: true, notes: card.notes });
      let entries = [];
      try {
        entries = bundleEntries(card.bundle);
      } catch {}
      const source = `file ${fileIndex} (a SMART Health Card from ${printable(card.iss, 100)})`;
      for (const e of entries) out.push({ resource: e, source, card: true });
    }
    return out;
  }

  async proofChecks(input, proofs) {
    const none = { proof: null, scope: null, chainOK: false };
    if (proofs.length === 0) {
      this.add(CHECK.proofPresent, false, 'no Health Wallet proof: the records are shown as sent, not verifiable on chain');
      return { ...none, consent: 'no proof' };
    }
    this.r.source = 'healthwallet';
    if (proofs.length > 1) {
      this.add(CHECK.proofPresent, false, `${proofs.length} proof files; a share has one: files were added`);
      return { ...none, consent: 'the share holds more than one proof file, so none of them is taken as the patient\'s consent' };
    }
    let proof;
    try {
      proof = parseProofFile(fromUTF8(proofs[0]));
    } catch (e) {
      this.add(CHECK.proofPresent, false, e.message);
      return { ...none, consent: "the share's proof file cannot be read" };
    }
    this.add(CHECK.proofPresent, true, `${proof.records.length} record(s) covered`);
    if (input.trust) this.add(CHECK.networkTrusted, input.trust.ok, input.trust.detail);
    this.r.proofNetwork = proof.network;
    this.r.proofChain = { chainId: proof.chainId, registry: checksum(proof.registry) };
    const g = proof.grant;
    this.r.patient = checksum(g.patient);
    this.r.issuer = checksum(g.issuer);
    this.r.expires = new Date(g.expiry * 1000);
    const pu = purposeOf(g.purpose);
    if (pu) this.r.purpose = pu.code;
    const digest = grantDigest(g, proof.chainId, proof.registry);
    this.r.digest = hex(digest);

    const chainOK = await this.chainIdentity(input, proof);

    let consent = '';
    try {
      const signer = recoverSigner(digest, proof.signature, true);
      if (!equal(signer, g.issuer)) {
        this.add(CHECK.signature, false, `signed by ${checksum(signer)}, not by the issuer ${checksum(g.issuer)} it names`);
        consent = 'the grant was not signed by its issuer';
      } else {
        this.add(CHECK.signature, true, `signed by ${checksum(signer)}`);
      }
    } catch (e) {
      this.add(CHECK.signature, false, `invalid grant: ${e.message}`);
      consent = "the grant's signature is not valid";
    }

    if (!equal(g.grantId, grantID(input.link.key))) {
      this.add(CHECK.grantBinding, false, 'the grant was made for another link: it was copied here');
    } else {
      this.add(CHECK.grantBinding, true);
    }

    const now = input.now.getTime();
    if (now < g.notBefore * 1000) this.add(CHECK.grantPeriod, false, `valid only from ${time(g.notBefore)}`);
    else if (now >= g.expiry * 1000) this.add(CHECK.grantPeriod, false, `expired on ${time(g.expiry)}`);
    else this.add(CHECK.grantPeriod, true, `until ${time(g.expiry)}`);

    if (chainOK) {
      await this.grantOnChain(input.chain, digest, g);
    } else {
      this.add(CHECK.grantActive, false, NOT_TRUSTED);
      this.add(CHECK.issuerAuthorized, false, NOT_TRUSTED);
    }
    let scope = null;
    if (!equal(g.issuer, g.patient)) scope = await this.delegation(input.chain, chainOK, proof);

    // A browser has no identity of its own: a share addressed to a
    // specific recipient opens only in the wallet it was made for.
    if (isZero(g.recipient)) this.add(CHECK.recipient, true, 'for whoever holds the link');
    else this.add(CHECK.recipient, false, 'this share is addressed to a specific recipient: open it with the wallet it was made for');
    this.patientCard(proof.card, g.patient);
    if (!equal(scopeRoot(proof), g.scope) && consent === '') consent = "the proof's records are not those of the grant's scope";
    return { proof, consent, scope, chainOK };
  }

  /** chainIdentity checks the proof's chain id and registry against what the receiver trusts. */
  async chainIdentity(input, proof) {
    let ok = true;
    let want = input.expectChainId ?? null;
    let connected = null;
    if (input.chain) {
      try {
        connected = await input.chain.chainId();
      } catch (e) {
        ok = this.add(CHECK.chainID, false, `could not ask the chain its id: ${e.message}`);
      }
    }
    if (ok) {
      if (want === null && connected === null) {
        ok = this.add(CHECK.chainID, false, 'this receiver has no chain to check against');
      } else {
        if (want === null) want = connected;
        if (connected !== null && connected !== want) {
          ok = this.add(CHECK.chainID, false, `connected to chain ${connected}, but this receiver trusts chain ${want}`);
        } else if (want !== BigInt(proof.chainId)) {
          ok = this.add(CHECK.chainID, false, `the share is for chain ${proof.chainId}, this receiver trusts chain ${want}`);
        } else {
          this.add(CHECK.chainID, true, `chain ${proof.chainId}`);
        }
      }
    }
    const reg = input.expectRegistry;
    if (!reg || isZero(reg)) {
      ok = this.add(CHECK.registry, false, 'this receiver has no registry configured');
    } else if (!equal(proof.registry, reg)) {
      ok = this.add(CHECK.registry, false, `the share names registry ${checksum(proof.registry)}, this receiver trusts ${checksum(reg)}`);
    } else {
      this.add(CHECK.registry, true, checksum(proof.registry));
    }
    return ok && !!input.chain;
  }

  async grantOnChain(chain, digest, g) {
    let st;
    try {
      st = await chain.grantOf(g.patient, digest);
    } catch (e) {
      this.add(CHECK.grantActive, false, `could not ask the chain: ${e.message}`);
      this.add(CHECK.issuerAuthorized, false, 'not checked: the chain did not answer');
      return;
    }
    const never = isZero(st.patient);
    if (never) this.add(CHECK.grantActive, false, 'the chain has no record of this grant: it was never issued (or not yet mined)');
    else if (st.revoked) this.add(CHECK.grantActive, false, 'the patient revoked this grant');
    else if (!st.active) this.add(CHECK.grantActive, false, `the chain says the grant expired on ${time(st.expiry)}`);
    else if (!equal(st.patient, g.patient)) {
      this.add(CHECK.grantActive, false, `the chain records the grant for ${checksum(st.patient)}, not for the patient ${checksum(g.patient)} it names`);
    } else this.add(CHECK.grantActive, true, `active until ${time(st.expiry)}`);

    if (never) {
      this.add(CHECK.issuerAuthorized, false, 'not checked: the grant is not on chain');
    } else if (equal(g.issuer, g.patient) && equal(st.issuer, g.patient)) {
      this.add(CHECK.issuerAuthorized, true, 'issued by the patient');
    } else if (!equal(st.issuer, g.issuer)) {
      this.add(CHECK.issuerAuthorized, false, `the chain says ${checksum(st.issuer)} issued the grant, not its signer ${checksum(g.issuer)}`);
    } else {
      const who = checksum(g.issuer);
      let d;
      try {
        d = await chain.delegateOf(g.patient, g.issuer);
      } catch (e) {
        this.add(CHECK.issuerAuthorized, false, `could not ask the chain: ${e.message}`);
        return;
      }
      if (d.rights === 0) this.add(CHECK.issuerAuthorized, false, `${who} is not a delegate of the patient`);
      else if ((d.rights & RIGHT_SHARE) === 0) this.add(CHECK.issuerAuthorized, false, `${who} is a delegate of the patient without the SHARE right`);
      else if (!d.active) this.add(CHECK.issuerAuthorized, false, `${who}'s delegation from the patient has ended`);
      else this.add(CHECK.issuerAuthorized, true, `issued by ${who}, a delegate of the patient with SHARE`);
    }
  }

  /** delegation runs "delegation scope signed by the patient and on chain" (verify_delegation.go). */
  async delegation(chain, chainOK, proof) {
    const g = proof.grant;
    const d = proof.delegation;
    if (!d) {
      this.add(CHECK.delegation, false, `a delegate (${checksum(g.issuer)}) issued this grant, but the share carries no scope document signed by the patient: nothing says which records the patient let them share`);
      return null;
    }
    const s = d.scope;
    this.r.onBehalf = {
      delegate: checksum(g.issuer), delegateName: s.delegateName, patientName: s.patientName, rights: s.rights,
      types: s.types, categories: s.categories, expires: new Date(s.expiry * 1000),
    };
    try {
      verifyScope(d);
    } catch (e) {
      this.add(CHECK.delegation, false, e.message);
      return null;
    }
    const hash = scopeHash(s);
    if (!equal(s.patient, g.patient)) {
      this.add(CHECK.delegation, false, `the scope document is ${checksum(s.patient)}'s, not the patient ${checksum(g.patient)}'s`);
      return null;
    }
    if (!equal(s.delegate, g.issuer)) {
      this.add(CHECK.delegation, false, `the scope document is for the delegate ${checksum(s.delegate)}, not for the issuer ${checksum(g.issuer)}: it was taken from another delegation`);
      return null;
    }
    const who = checksum(g.issuer);
    if ((rightsMask(s) & RIGHT_SHARE) === 0) {
      this.add(CHECK.delegation, false, `the patient did not give ${who} the right to share`);
    } else if (g.expiry > s.expiry) {
      this.add(CHECK.delegation, false, `the grant lasts until ${time(g.expiry)}, past the delegation's end on ${time(s.expiry)}`);
    } else if (!chainOK) {
      this.add(CHECK.delegation, false, 'not checked on chain: the share is not for the chain and registry this receiver trusts');
    } else {
      let st;
      try {
        st = await chain.delegateOf(g.patient, g.issuer);
      } catch (e) {
        this.add(CHECK.delegation, false, `could not ask the chain: ${e.message}`);
        return s;
      }
      if (st.rights === 0) this.add(CHECK.delegation, false, `the chain has no delegation from the patient to ${who}: the patient revoked it (or never made it)`);
      else if (!st.active) this.add(CHECK.delegation, false, `the delegation ended on ${time(st.expiry)}`);
      else if (!equal(st.scope, hash)) this.add(CHECK.delegation, false, 'the delegation on chain commits to another scope document: this one was altered or replaced');
      else if ((st.rights & RIGHT_SHARE) === 0) this.add(CHECK.delegation, false, `on chain, ${who} may not share the patient's records`);
      else {
        const label = s.delegateName ? `${s.delegateName} (${who})` : who;
        this.add(CHECK.delegation, true, `${label} shares for the patient with ${s.rights.join(', ')} until ${time(s.expiry)}`);
      }
    }
    return s;
  }

  delegationRecords(received, proof, matched, why, scope) {
    if (!scope) {
      this.add(CHECK.delegationRecords, false, 'not checked: the share has no valid scope document from the patient');
      why.forEach((w, i) => {
        if (w === '') why[i] = 'the share has no valid scope document from the patient for its delegate';
      });
      return;
    }
    const outside = [];
    matched.forEach((m, i) => {
      if (m < 0 || coversResource(scope, received[m].resource)) return;
      if (why[m] === '') why[m] = "outside the delegation's scope: the patient did not let the delegate see it";
      outside.push(`entry ${proof.records[i].index} (${describeResource(received[m].resource)})`);
    });
    if (outside.length) {
      this.add(CHECK.delegationRecords, false, `${outside.length} record(s) outside what the patient let the delegate see: ${joinFirst(outside, 5)}`);
      return;
    }
    const every = scope.types.length === 0 && scope.categories.length === 0;
    const what = every ? 'every record' : `types [${scope.types.join(' ')}], categories [${scope.categories.join(' ')}]`;
    this.add(CHECK.delegationRecords, true, `${proof.records.length} record(s), all in the scope (${what})`);
  }

  commitments(proof, matched) {
    const bad = [];
    const out = proof.records.map((r, i) => {
      if (matched[i] >= 0) return r.commitment;
      bad.push(`entry ${r.index}${r.resourceRef ? ` (${r.resourceRef})` : ''}: not received as committed: it was altered or removed`);
      return null;
    });
    if (bad.length) this.add(CHECK.commitments, false, joinFirst(bad, 5));
    else this.add(CHECK.commitments, true, `${proof.records.length} record(s) match their commitments`);
    return out;
  }

  async anchors(chain, proof, commitments) {
    const bad = [];
    const roots = new Map();
    for (const [i, r] of proof.records.entries()) {
      if (!commitments[i]) {
        bad.push(`entry ${r.index}: no verified commitment`);
        continue;
      }
      const rootHex = hex(r.anchorRoot);
      if (!merkleVerify(r.anchorRoot, commitments[i], r.anchorProof)) {
        bad.push(`entry ${r.index}: its anchor proof does not lead to root ${rootHex}`);
        continue;
      }
      let st = roots.get(rootHex);
      if (!st) {
        try {
          st = await chain.anchorOf(proof.grant.patient, r.anchorRoot);
        } catch (e) {
          this.add(CHECK.anchored, false, `could not ask the chain: ${e.message}`);
          return;
        }
        roots.set(rootHex, st);
      }
      if (isZero(st.patient)) bad.push(`entry ${r.index}: root ${rootHex} was never anchored`);
      else if (!equal(st.patient, proof.grant.patient)) bad.push(`entry ${r.index}: root ${rootHex} was anchored by ${checksum(st.patient)}, not the patient`);
      else if (st.count !== r.anchorProof.count) bad.push(`entry ${r.index}: the anchored batch has ${st.count} records, the proof says ${r.anchorProof.count}`);
    }
    if (bad.length) {
      this.add(CHECK.anchored, false, joinFirst(bad, 5));
      return;
    }
    let oldest = 0;
    for (const st of roots.values()) if (oldest === 0 || st.anchoredAt < oldest) oldest = st.anchoredAt;
    this.r.anchoredAt = new Date(oldest * 1000);
    this.add(CHECK.anchored, true, `${proof.records.length} record(s) in ${roots.size} anchored batch(es), the oldest anchored ${time(oldest)}`);
  }

  covered(received, why) {
    const reasons = [];
    received.forEach((rec, i) => {
      if (why[i] === '') {
        this.r.records.push(rec.resource);
        if (rec.files) this.r.attachments.push(...rec.files.map((f) => ({ ...f, index: this.r.records.length - 1 })));
        return;
      }
      this.r.uncovered.push({ resource: rec.resource, source: rec.source, why: why[i] });
      reasons.push(`${describeResource(rec.resource)} (${rec.source}): ${why[i]}`);
    });
    if (this.r.uncovered.length === 0) {
      this.add(CHECK.covered, true, `${this.r.records.length} record(s), each covered once`);
    } else {
      this.add(CHECK.covered, false, `${this.r.uncovered.length} record(s) not covered by the patient's consent, shown apart: ${joinFirst(reasons, 5)}`);
    }
  }

  /** patientCard checks the proof's identity card: it must verify and be the grant's patient's. */
  patientCard(text, patient) {
    if (!text) return;
    let card;
    try {
      card = parseCard(text);
    } catch (e) {
      this.add(CHECK.patientCard, false, e.message);
      return;
    }
    if (!equal(card.addressBytes, patient)) {
      this.add(CHECK.patientCard, false, `the card is ${card.address}'s, but the grant is ${checksum(patient)}'s: it was taken from someone else`);
      return;
    }
    this.r.patientName = card.displayName;
    this.add(CHECK.patientCard, true, card.displayName);
  }

  /** patientRecord takes birth date (and name, without a card) from the first covered Patient resource. */
  patientRecord() {
    for (const p of this.r.records) {
      if (!p || typeof p !== 'object' || p.resourceType !== 'Patient') continue;
      this.r.patientBirthDate = typeof p.birthDate === 'string' ? printable(p.birthDate, 40) : '';
      const names = patientNames(p);
      if (names.length === 0) return;
      if (this.r.patientName === '') this.r.patientName = printable(names[0], MAX_DISPLAY_NAME);
      else if (!sameName(this.r.patientName, names)) {
        this.r.patientWarning = `the patient's identity card says ${JSON.stringify(this.r.patientName)}, but the records' Patient is ${JSON.stringify(printable(names[0], MAX_DISPLAY_NAME))}: ask the patient which is right`;
      }
      return;
    }
  }
}

/**
 * coverage is the one place that decides which received records the
 * patient's consent covers (verify.go coverage): a record is covered when
 * the consent is the patient's (consent "") and its content is that of a
 * record of the proof, each proof record covering one received record
 * only. A SMART Health Card's records never are.
 */
function coverage(received, proof, consent) {
  const why = received.map(() => consent);
  if (!proof) return { matched: [], why };
  const matched = proof.records.map(() => -1);
  const byHash = new Map();
  proof.records.forEach((r, i) => {
    const k = hex(r.contentHash);
    if (!byHash.has(k)) byHash.set(k, []);
    byHash.get(k).push(i);
  });
  received.forEach((rec, i) => {
    if (rec.card) {
      why[i] = "from a SMART Health Card: its issuer signed it, the patient's consent does not cover it";
      return;
    }
    if (rec.problem) {
      why[i] = rec.problem;
      return;
    }
    let h;
    try {
      if (rec.resource === null || rec.resource === undefined) throw new Error('no resource');
      h = hex(keccak(canonicalize(rec.resource)));
    } catch {
      why[i] = 'not readable JSON';
      return;
    }
    const free = byHash.get(h);
    if (!free && rec.files && rec.files.length) {
      why[i] = changedFileReason(rec.files);
      return;
    }
    if (!free) {
      why[i] = 'not among the records the patient consented to share';
      return;
    }
    if (free.length === 0) {
      why[i] = 'a second copy of a record of the share';
      return;
    }
    matched[free.shift()] = i;
    why[i] = consent;
  });
  return { matched, why };
}

function patientNames(p) {
  const out = [];
  for (const n of Array.isArray(p.name) ? p.name : []) {
    if (!n || typeof n !== 'object') continue;
    const text = typeof n.text === 'string' ? n.text.trim() : '';
    if (text) out.push(text);
    const given = Array.isArray(n.given) ? n.given.filter((g) => typeof g === 'string') : [];
    const full = [...given, typeof n.family === 'string' ? n.family : ''].join(' ').trim();
    if (full) out.push(full);
  }
  return out;
}

const nameWords = (name) => new Set(name.toLowerCase().split(/[^\p{L}]+/u).filter(Boolean));

/** sameName: the same words ignoring case, punctuation and digits, or one's words all among the other's (both ≥ 2). */
function sameName(name, names) {
  const a = nameWords(name);
  for (const n of names) {
    const b = nameWords(n);
    if (a.size === 0 || b.size === 0) continue;
    let [small, large] = a.size <= b.size ? [a, b] : [b, a];
    if (small.size < 2 && large.size !== small.size) continue;
    if ([...small].every((w) => large.has(w))) return true;
  }
  return false;
}
