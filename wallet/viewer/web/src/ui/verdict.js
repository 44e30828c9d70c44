// The verdict: one line that says whether the records can be trusted, the
// checks behind it one tap away, and who shared them, why and until when.
import { el } from './dom.js';
import { dateTimeText, purposeText, shortAddress } from './format.js';
import { CHECK } from '../verify.js';

// Checks whose failure means the share did not arrive as it was made: a
// link that does not decrypt may be anyone's, so it is never called
// "another issuer's" (an attacker flipping a byte must not earn that).
const damaged = new Set(['manifest fetched', 'files decrypted', 'records readable']);

/**
 * fromOtherIssuer: the share is another SHL issuer's, received intact: not
 * verifiable, rather than failing verification.
 */
export function fromOtherIssuer(result) {
  if (result.source === 'healthwallet' || result.refusal?.kind === 'tampered') return false;
  return !(result.checks || []).some((c) => !c.ok && damaged.has(c.name));
}

const monthNames = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

// The sentences of wallet.Verification.Sentence the verdict shares.
const intactAnchored = (at) => {
  const d = at ? new Date(at) : null;
  if (!d || Number.isNaN(d.getTime()) || d.getTime() <= 0) return 'Intact and anchored';
  return `Intact and anchored on ${d.getUTCDate()} ${monthNames[d.getUTCMonth()]} ${d.getUTCFullYear()}`;
};
const unreachable = "Intact here, but the network can't be reached to confirm its anchor: try again when it is back";
const notChecked = 'Could not be checked: do not rely on it until it can be';
const changed = 'Changed since it was shared: do not rely on it';

// What the first failed check means for the records, in one sentence.
const failedSentence = {
  [CHECK.linkWellFormed]: () => 'Not a share link that can be opened: ask the patient to send it again',
  [CHECK.notExpired]: () => 'The link has expired: ask the patient for a new one',
  [CHECK.manifestFetched]: () => 'Could not be fetched: try again, or ask the patient to share again',
  [CHECK.covered]: (r) => {
    const n = (r.uncovered || []).length;
    return n === 1 ? 'Intact, but 1 record was added after it was shared: shown apart, do not rely on it'
      : `Intact, but ${n} records were added after it was shared: shown apart, do not rely on them`;
  },
  [CHECK.filesDecrypted]: () => changed,
  [CHECK.recordsReadable]: () => changed,
  [CHECK.proofPresent]: () => changed,
  [CHECK.signature]: () => changed,
  [CHECK.grantBinding]: () => changed,
  [CHECK.patientCard]: () => changed,
  [CHECK.commitments]: () => changed,
  [CHECK.scope]: () => changed,
  [CHECK.delegationRecords]: () => changed,
  [CHECK.networkTrusted]: untrustedNetwork,
  [CHECK.chainID]: untrustedNetwork,
  [CHECK.registry]: untrustedNetwork,
  [CHECK.grantActive]: consent,
  [CHECK.grantPeriod]: consent,
  [CHECK.issuerAuthorized]: () => 'Shared by someone the patient did not allow to: do not rely on it',
  [CHECK.delegation]: () => "The caregiver's permission from the patient is not in force: do not rely on it",
  [CHECK.recipient]: () => 'Meant for someone else: open it with the wallet it was made for',
  [CHECK.anchored]: () => "Not anchored by the patient's wallet: do not rely on it",
  [CHECK.shc]: () => 'A health card in it could not be confirmed: do not rely on it',
  [CHECK.shcTrusted]: () => 'A health card in it could not be confirmed: do not rely on it',
};

function untrustedNetwork(r) {
  const name = r.network?.name;
  if (name) return `Not checked: made on the network “${name}”, which is not trusted here; confirm the records with the patient`;
  return 'Not checked: made on a network that is not trusted here; confirm the records with the patient';
}

function consent(_, c) {
  if (c.detail.includes('revoked')) return 'Withdrawn by the patient: do not rely on it';
  if (c.detail.includes('expired')) return "The patient's consent has expired: ask them to share again";
  if (c.detail.startsWith('valid only from')) return "The patient's consent is not in force yet: open it again later";
  return "The patient's consent is not on record: do not rely on it";
}

/**
 * verdictText is the one-line verdict of a Result: the sentence
 * wallet.Received.Sentence says for the same outcome (in the words of
 * wallet.Verification.Sentence where they are the same), without chain
 * words; the checks behind it are in the panel.
 */
export function verdictText(result) {
  if (result.state === 'verified' && result.source === 'healthwallet') {
    const s = intactAnchored(result.anchoredAt);
    return result.onBehalf ? `${s}, shared by their caregiver with the patient's consent` : `${s}, shared with the patient's consent`;
  }
  if (fromOtherIssuer(result)) return 'From another issuer — not verifiable';
  const failed = (result.checks || []).find((c) => !c.ok);
  if (!failed) return notChecked;
  if ((failed.detail || '').startsWith('could not ask the chain')) return unreachable;
  const say = failedSentence[failed.name];
  return say ? say(result, { ...failed, detail: failed.detail || '' }) : notChecked;
}

/** verdictKind is the verdict's colour: verified (green) or not-verified (amber). */
export function verdictKind(result) {
  return result.state === 'verified' ? 'verified' : 'not-verified';
}

/** verdictLine renders the one-line verdict. */
export function verdictLine(result) {
  const kind = verdictKind(result);
  return el('p', { class: `verdict-line ${kind}`, attrs: { role: 'status' } },
    el('span', { class: 'verdict-icon', text: kind === 'verified' ? '✓' : '!', attrs: { 'aria-hidden': 'true' } }),
    el('span', { class: 'verdict-text', text: verdictText(result) }));
}

/** verdictPanel explains the verdict and lists every check in a disclosure. */
export function verdictPanel(result) {
  const checks = result.checks || [];
  const failed = checks.find((c) => !c.ok);
  const panel = el('section', { class: `verdict ${verdictKind(result)}`, attrs: { 'aria-label': 'Verification' } });
  if (fromOtherIssuer(result)) {
    panel.append(el('p', { class: 'verdict-detail', text: 'This link was not made by Health Wallet: nothing on a chain records the patient’s consent, so the records are shown as received. Confirm anything important with the patient.' }));
  } else if (result.state !== 'verified') {
    if (failed) panel.append(el('p', { class: 'verdict-detail', text: failed.detail ? `${failed.name}: ${failed.detail}` : failed.name }));
    if (result.refusal?.message) panel.append(el('p', { class: 'verdict-detail', text: result.refusal.message }));
    panel.append(el('p', { class: 'verdict-detail', text: result.refusal?.advice || 'Do not rely on these records. Ask the patient to share them again from their wallet.' }));
  }
  if (checks.length > 0) {
    panel.append(el('details', { class: 'checks' },
      el('summary', { text: `All checks (${checks.filter((c) => c.ok).length} of ${checks.length} passed)` }),
      el('ul', {}, checks.map((c) => el('li', { class: c.ok ? 'ok' : 'failed' },
        el('span', { class: 'mark', text: c.ok ? '✓' : '✗', attrs: { 'aria-label': c.ok ? 'passed' : 'failed' } }),
        el('span', { class: 'check-name', text: c.name }),
        c.detail ? el('span', { class: 'check-detail', text: c.detail }) : null)))));
  }
  return panel;
}

/** sharingPanel says who shared the records, for what purpose, until when, on which network. */
export function sharingPanel(result, purposes) {
  const dl = el('dl', { class: 'sharing' });
  const row = (label, value) => value && dl.append(el('div', { class: 'fact' }, el('dt', { text: label }), el('dd', { text: value })));
  if (result.source === 'healthwallet') {
    const ob = result.onBehalf;
    if (ob) {
      const by = ob.delegateName ? `${ob.delegateName} (${shortAddress(ob.delegate)})` : shortAddress(ob.delegate);
      row('Shared by', `${by}, on behalf of ${ob.patientName || 'the patient'}`);
      const what = [...(ob.types || []), ...(ob.categories || [])];
      row('Delegation', `may ${(ob.rights || []).join(', ') || 'nothing'}${what.length ? ` — ${what.join(', ')}` : ' — all records'}${ob.expires ? `, until ${dateTimeText(ob.expires)}` : ''}`);
    } else {
      row('Shared by', `the patient (${shortAddress(result.issuer)})`);
    }
  }
  if (result.purpose) row('Purpose', purposeText(result.purpose, purposes));
  row('Access until', result.expires ? dateTimeText(result.expires) : result.source === 'healthwallet' ? 'no expiry' : '');
  if (result.network) row('Network', result.network.name || 'unnamed'); // its chain and registry: in the checks
  if (result.label) row('Label', result.label);
  for (const card of result.cards || []) {
    row('Health card', `${card.name || card.iss}: ${card.verified ? 'signature verified' : `not verified — ${card.problem || 'unknown issuer'}`}`);
  }
  return dl;
}
