// The one entry the page calls: parseLink and openShare. openShare is
// share.Open and the wallet's network choice (wallet/receive.go) in one:
// it fetches and decrypts what the link resolves to, runs every check of
// verify.js against the network that served this page, and turns the
// report into a Result the page shows. It never throws: every failure is a
// Result saying what happened and what to do.
import { hexToBytes } from './bytes.js';
import { chainReader } from './chain.js';
import { FetchError, fetchShare } from './fetch.js';
import { parseLink } from './link.js';
import { morePeopleWarning, receivedPatients } from './people.js';
import { CHECK, Reporter } from './verify.js';
import { issuerKeysVia } from './shc.js';
import { PURPOSES, checksum } from './eip712.js';

export { parseLink };

/** The path of a node's network document (wallet/network WellKnownPath). */
export const NETWORK_DOCUMENT = '/.well-known/healthwallet-network.json';

/**
 * fetchNetwork reads the network document of the node that served the
 * page (its own origin): the network the page trusts, whose rpc it reads
 * the chain through. It returns null when the node publishes none or it
 * is not one (openShare then verifies nothing on chain, and says so).
 * @param {{fetch?: typeof fetch, origin?: string}} [opts]
 */
export async function fetchNetwork(opts = {}) {
  const doFetch = opts.fetch || globalThis.fetch.bind(globalThis);
  try {
    const resp = await doFetch(new URL(NETWORK_DOCUMENT, opts.origin || globalThis.location.origin).toString(), { credentials: 'omit', cache: 'no-store' });
    if (resp.status !== 200) return null;
    const doc = JSON.parse(await resp.text());
    const ok = doc && Number.isSafeInteger(doc.chainId) && doc.chainId > 0 && typeof doc.registry === 'string' &&
      /^0x[0-9a-fA-F]{40}$/.test(doc.registry) && Array.isArray(doc.rpc) && typeof doc.rpc[0] === 'string';
    return ok ? doc : null;
  } catch {
    return null;
  }
}

/**
 * Advice for each refusal kind: what the clinician can do.
 */
const ADVICE = {
  'passcode': 'Check the passcode with the patient and try again.',
  'locked': 'Too many wrong passcodes: the link is disabled. Ask the patient to share again.',
  'revoked': 'The patient withdrew this share. Ask the patient to share again if you still need the records.',
  'expired': 'Ask the patient for a new link.',
  'not-found': 'Ask the patient for a new link.',
  'tampered': 'Do not rely on these records. Ask the patient to share again, and tell them this link was altered.',
  'busy': 'Wait a moment and try again.',
  'bad-link': 'Scan the QR code again, or ask the patient to send the link again.',
};

function refusal(kind, message, extra = {}) {
  return { kind, message, advice: ADVICE[kind], ...extra };
}

/** The checks whose failure means what was received is not what the patient shared. */
const TAMPER_CHECKS = new Set([CHECK.filesDecrypted, CHECK.recordsReadable, CHECK.proofPresent, CHECK.signature, CHECK.grantBinding,
  CHECK.commitments, CHECK.scope, CHECK.anchored, CHECK.covered, CHECK.patientCard, CHECK.delegation, CHECK.delegationRecords]);

/**
 * trustOf is the receiver's verdict on the network a proof names: the page
 * trusts the network whose node served it (its document), nothing else.
 */
function trustOf(network, proofChain, proofNetwork) {
  if (!network) {
    return { ok: false, detail: "the page's node publishes no network document, so nothing in the share could be checked on chain; the records are shown as sent" };
  }
  let registry = null;
  try {
    registry = hexToBytes(String(network.registry), 20);
  } catch {}
  const name = network.name || 'this node';
  if (registry && Number(network.chainId) === proofChain.chainId && checksum(registry) === proofChain.registry) {
    return { ok: true, detail: `the ${name} network, whose node served this page` };
  }
  const made = `${proofNetwork && proofNetwork.name ? proofNetwork.name + ' (' : ''}chain ${proofChain.chainId}, registry ${proofChain.registry}${proofNetwork && proofNetwork.name ? ')' : ''}`;
  return {
    ok: false,
    detail: `the share was made on ${made}, not on the ${name} network whose node served this page, so nothing in it could be checked; ` +
      'the records are shown as sent. Open it with a viewer of its own network, or with the Health Wallet app',
  };
}

/**
 * openShare opens a link (the object parseLink returns, or its text) and verifies it.
 * @param {object|string} link
 * @param {{passcode?: string, recipient: string, purpose?: string, fetch?: typeof fetch, now?: Date,
 *          network?: object|null, onProgress?: (text: string) => void, subtle?: SubtleCrypto|null,
 *          origin?: string}} opts  origin: where /issuer-keys is (default: the page's origin)
 * @returns {Promise<object>} the Result (see the team brief §2)
 */
export async function openShare(link, opts = {}) {
  try {
    return await open(link, opts);
  } catch (e) {
    // Nothing should reach here; if it does, it is said, not thrown.
    return { ...emptyResult(), state: 'error', error: { message: `the viewer failed: ${e && e.message}`, advice: 'Open the link with the Health Wallet app.' } };
  }
}

function emptyResult() {
  return {
    state: 'error', refusal: null, error: null, source: 'other', checks: [], records: [], uncovered: [], attachments: [], patient: null,
    issuer: null, purpose: '', expires: null, label: '', onBehalf: null, network: null, cards: [], verified: false,
    anchoredAt: null, patients: [], warnings: [],
  };
}

async function open(linkIn, opts) {
  const progress = (t) => {
    try {
      if (opts.onProgress) opts.onProgress(t);
    } catch {}
  };
  const now = opts.now || new Date();
  const doFetch = opts.fetch || globalThis.fetch.bind(globalThis);
  const purpose = (opts.purpose || 'TREAT').trim().toUpperCase();
  const p = new Reporter();
  const result = emptyResult();
  const finish = (state, extra = {}) => ({ ...result, ...fromReport(p.r), state, ...extra });

  let link = linkIn;
  if (typeof linkIn === 'string') {
    try {
      link = parseLink(linkIn);
    } catch (e) {
      p.add(CHECK.linkWellFormed, false, e.message);
      return finish('refused', { refusal: refusal('bad-link', e.message) });
    }
  }
  if (!PURPOSES.some((x) => x.code === purpose)) {
    return finish('error', { error: { message: `unknown purpose of use "${purpose}"`, advice: `Use one of ${PURPOSES.map((x) => x.code).join(', ')}.` } });
  }
  if (!p.linkChecks(link, now)) {
    const failed = p.r.checks[p.r.checks.length - 1];
    if (failed.name === CHECK.notExpired) return finish('refused', { refusal: refusal('expired', `This link expired: ${failed.detail}.`) });
    return finish('refused', { refusal: refusal('bad-link', failed.detail) });
  }
  progress('Fetching the share…');
  let fetched;
  try {
    fetched = await fetchShare(link, { recipient: opts.recipient, passcode: opts.passcode, purpose, fetch: doFetch, now, subtle: opts.subtle });
  } catch (e) {
    return fetchFailure(p, e, finish);
  }
  p.add(CHECK.manifestFetched, true, `${fetched.files.length} file(s)`);
  p.add(CHECK.filesDecrypted, true, `${fetched.files.length} file(s) decrypted with the link's key`);

  progress('Verifying…');
  // Which chain to check against: the network that served this page,
  // when the proof was made on it (wallet/receive.go pickTrusted).
  const input = { link, files: fetched.files, now, chain: null, expectChainId: null, expectRegistry: null, trust: null, cardKeys: null };
  const origin = opts.origin || globalThis.location?.origin;
  if (origin) input.cardKeys = issuerKeysVia(origin, doFetch);
  const proofChain = peekProofChain(fetched.files);
  if (proofChain) {
    input.trust = trustOf(opts.network || null, proofChain.chain, proofChain.network);
    const n = opts.network;
    if (input.trust.ok) {
      input.expectChainId = BigInt(n.chainId);
      input.expectRegistry = hexToBytes(n.registry, 20);
      // Every server that serves this page and a network document (a node,
      // a relay with a chain, a direct share) serves its read-only JSON-RPC
      // at its own /rpc: read it there, on the page's own origin, so that a
      // node reached by another name (a LAN address, a proxy) still answers
      // under the page's connect-src. Without an origin (tests in Node), the
      // document's rpc.
      const rpc = origin ? new URL('/rpc', origin).toString() : Array.isArray(n.rpc) && n.rpc[0];
      if (rpc) input.chain = chainReader(rpc, input.expectRegistry, doFetch);
    }
  }
  await p.content(input);
  return finish(stateOf(p.r), { refusal: refusalOf(p.r) });
}

/** peekProofChain reads the chain id and registry of the share's one proof file, as share.ProofOf does. */
function peekProofChain(files) {
  const proofs = files.filter((f) => f.contentType === 'application/vnd.healthwallet.proof+json');
  if (proofs.length !== 1) return null;
  try {
    const raw = JSON.parse(new TextDecoder().decode(proofs[0].plaintext));
    const registry = checksum(hexToBytes(raw.registry, 20));
    if (!Number.isSafeInteger(raw.chainId) || raw.chainId <= 0) return null;
    const network = raw.network && typeof raw.network.name === 'string' ? { name: raw.network.name, url: String(raw.network.url || '') } : null;
    return { chain: { chainId: raw.chainId, registry }, network };
  } catch {
    return null;
  }
}

function fetchFailure(p, e, finish) {
  if (!(e instanceof FetchError)) {
    p.add(CHECK.manifestFetched, false, e.message);
    return finish('error', { error: { message: e.message, advice: 'Check the link, or open it with the Health Wallet app.' } });
  }
  if (e.kind === 'decrypt') {
    p.add(CHECK.manifestFetched, true);
    p.add(CHECK.filesDecrypted, false, e.message);
    return finish('not-verified', { refusal: refusal('tampered', `A file of the share did not open with the link's key: ${e.message}.`) });
  }
  p.add(CHECK.manifestFetched, false, e.message);
  switch (e.kind) {
    case 'passcode-required':
      return finish('refused', { refusal: refusal('passcode', 'This link needs a passcode: ask the patient for it.') });
    case 'passcode':
      if (e.remainingAttempts === 0) return finish('refused', { refusal: refusal('locked', 'Wrong passcode, and no attempts are left: the link is now disabled.', { remainingAttempts: 0 }) });
      return finish('refused', { refusal: refusal('passcode', `Wrong passcode${e.remainingAttempts > 0 ? `: ${e.remainingAttempts} attempt(s) left` : ''}.`, e.remainingAttempts >= 0 ? { remainingAttempts: e.remainingAttempts } : {}) });
    case 'not-found':
      return finish('refused', { refusal: refusal('not-found', 'This share is no longer available: the patient revoked it, or it expired.') });
    case 'expired':
      return finish('refused', { refusal: refusal('expired', `This link ${e.message.replace(/^this link /, '')}.`) });
    case 'busy':
      return finish('refused', { refusal: refusal('busy', `The share's server is busy: ${e.message}.`) });
  }
  return finish('error', { error: { message: e.message, advice: errorAdvice(e.kind) } });
}

function errorAdvice(kind) {
  switch (kind) {
    case 'unreachable':
      return "Check this device's connection and try again; if it persists, the patient's relay is down: ask the patient to share directly.";
    case 'unsafe':
      return 'Ask the patient for a link that starts with https.';
    case 'version':
      return 'Open the link with an up-to-date Health Wallet app.';
  }
  return 'Ask the patient to share again, or open the link with the Health Wallet app.';
}

/**
 * stateOf: 'verified' when every check passed; 'refused' when the chain
 * says the patient revoked the grant or it expired; else 'not-verified'.
 */
function stateOf(r) {
  if (r.verified && r.source === 'healthwallet') return 'verified';
  const failed = r.checks.find((c) => !c.ok);
  if (failed && failed.name === CHECK.grantActive && /revoked|expired/.test(failed.detail)) return 'refused';
  if (failed && failed.name === CHECK.grantPeriod && /^expired/.test(failed.detail)) return 'refused';
  return 'not-verified';
}

function refusalOf(r) {
  const failed = r.checks.filter((c) => !c.ok);
  const revoked = failed.find((c) => c.name === CHECK.grantActive && /revoked/.test(c.detail));
  if (revoked) return refusal('revoked', 'The patient revoked this share.');
  const expired = failed.find((c) => (c.name === CHECK.grantActive || c.name === CHECK.grantPeriod) && /expired/.test(c.detail));
  if (expired) return refusal('expired', `This share expired: ${expired.detail}.`);
  const tampered = failed.find((c) => TAMPER_CHECKS.has(c.name));
  if (tampered && r.source === 'healthwallet') return refusal('tampered', `What was received is not what the patient shared: ${tampered.name} failed (${tampered.detail}).`);
  return null;
}

/** fromReport maps a verify.js report to the Result's fields. */
function fromReport(r) {
  const network = r.proofChain
    ? { name: r.proofNetwork ? r.proofNetwork.name : '', chainId: r.proofChain.chainId, registry: r.proofChain.registry }
    : null;
  const trusted = r.checks.find((c) => c.name === CHECK.networkTrusted);
  if (network) network.trusted = !!(trusted && trusted.ok);
  return {
    verified: r.verified && r.source === 'healthwallet',
    source: r.source === 'healthwallet' ? 'healthwallet' : 'other',
    checks: r.checks,
    records: r.records,
    uncovered: r.uncovered,
    attachments: r.attachments,
    patient: r.patient ? { address: r.patient, name: r.patientName, birthDate: r.patientBirthDate, warning: r.patientWarning } : null,
    issuer: r.issuer,
    purpose: r.purpose,
    expires: r.expires,
    label: r.label,
    onBehalf: r.onBehalf,
    network,
    cards: r.cards,
    digest: r.digest,
    anchoredAt: r.anchoredAt,
    ...people(r.records),
  };
}

/** people are the people the shown records are about, and the warning when they are more than one (wallet.Received). */
function people(records) {
  const patients = receivedPatients(records);
  const warning = morePeopleWarning(patients);
  return { patients, warnings: warning ? [warning] : [] };
}
