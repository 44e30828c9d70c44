// The panels that stand in for the records when a share cannot be shown:
// a refusal (the share is revoked, expired, locked…) or an error (a bad
// link, a server that cannot be reached). Each says what happened and what
// to do.
import { el } from './dom.js';

// Headings per refusal kind; the message and advice come from the Result.
const refusalTitles = new Map([
  ['passcode', 'Wrong passcode'],
  ['locked', 'This link is locked'],
  ['revoked', 'The patient withdrew this share'],
  ['expired', 'This link has expired'],
  ['not-found', 'This share is no longer available'],
  ['tampered', 'This share has been tampered with'],
  ['busy', 'The server is busy'],
  ['bad-link', 'This link is not valid'],
]);

const defaultAdvice = 'Ask the patient to share their records again: a new QR code from their wallet.';

/**
 * problemPanel renders a refusal or an error. refusal is the Result's
 * {kind, message, advice} (or null); retry, when given, is offered as a
 * button (a busy server, a network hiccup).
 */
export function problemPanel(state, refusal, retry) {
  const kind = refusal?.kind || '';
  const title = refusalTitles.get(kind) || (state === 'refused' ? 'The share cannot be opened' : 'Something went wrong');
  const panel = el('section', { class: `problem ${state}`, attrs: { role: 'alert', 'data-kind': kind } },
    el('h1', { text: title }),
    el('p', { class: 'problem-message', text: refusal?.message || 'The records could not be opened.' }),
    el('p', { class: 'problem-advice', text: refusal?.advice || defaultAdvice }));
  if (retry) panel.append(el('button', { class: 'primary', text: 'Try again', attrs: { type: 'button' }, on: { click: retry } }));
  return panel;
}
