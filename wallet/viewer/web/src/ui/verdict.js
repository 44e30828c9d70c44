// The verdict: one line that says whether the records can be trusted, the
// checks behind it one tap away, and who shared them, why and until when.
import { el } from './dom.js';
import { dateTimeText, purposeText, shortAddress } from './format.js';

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

/** verdictText is the one-line verdict of a Result. */
export function verdictText(result) {
  if (result.state === 'verified' && result.source === 'healthwallet') {
    const where = result.network?.name ? ` on ${result.network.name}` : '';
    return `Verified: intact, consented by the patient, anchored${where}`;
  }
  if (fromOtherIssuer(result)) return 'From another issuer — not verifiable';
  const failed = (result.checks || []).find((c) => !c.ok);
  return failed ? `Not verified: ${failed.name}` : 'Not verified';
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
  if (result.network) row('Network', `${result.network.name || 'unnamed'} (chain ${result.network.chainId})`);
  if (result.label) row('Label', result.label);
  for (const card of result.cards || []) {
    row('Health card', `${card.name || card.iss}: ${card.verified ? 'signature verified' : `not verified — ${card.problem || 'unknown issuer'}`}`);
  }
  return dl;
}
