// The viewer's entry point: reads the share link from the page's fragment,
// asks who is opening it and why (and the passcode, when it has one), opens
// the share with open.js and shows the outcome: the chart, or a panel saying
// why not. The fragment (and the key in it) never leaves the page: the page
// requests only its own origin's network document, and open.js the link's
// manifest and files, the node's read-only RPC and issuer keys. Nothing is
// stored: what the clinician types lives in this page's memory only.
//
// When the outcome is known, <main> carries data-state (verified,
// not-verified, refused, error) and data-records (how many records are
// shown); while it waits for the form, data-state is "form", while it
// opens, "opening".
import { PURPOSES } from './eip712.js';
import { openShare, parseLink } from './open.js';
import { el, clear } from './ui/dom.js';
import { openForm } from './ui/form.js';
import { problemPanel } from './ui/panel.js';
import { patientInfo } from './ui/patient.js';
import { chartView } from './ui/sections.js';
import { sharingPanel, verdictKind, verdictLine, verdictPanel, verdictText } from './ui/verdict.js';
import { downloadButton, printButton } from './ui/actions.js';

const main = document.getElementById('viewer');
const remembered = { who: '', purpose: 'TREAT' };
const brand = el('span', { class: 'brand-network', text: location.host });
const stage = el('div', { class: 'stage' });
let network = Promise.resolve(null);
let networkName = '';

function setState(state, extra = {}) {
  main.dataset.state = state;
  main.dataset.records = String(extra.records ?? 0);
  if (extra.refusal) main.dataset.refusal = extra.refusal;
  else delete main.dataset.refusal;
}

function show(...nodes) {
  clear(stage).append(...nodes.filter(Boolean));
  window.scrollTo(0, 0);
}

// loadNetwork reads the node's network document from the page's own origin:
// its name goes in the header; open.js reads the chain through its rpc.
// No document (a plain relay without a chain) is null.
async function loadNetwork() {
  try {
    const resp = await fetch('/.well-known/healthwallet-network.json', { credentials: 'omit', cache: 'no-store' });
    if (!resp.ok) return null;
    const doc = await resp.json();
    if (doc === null || typeof doc !== 'object' || Array.isArray(doc)) return null;
    if (typeof doc.name === 'string' && doc.name.trim() !== '') {
      networkName = doc.name.trim();
      brand.textContent = networkName;
    }
    return doc;
  } catch {
    return null;
  }
}

function start() {
  clear(main).append(
    el('header', { class: 'topbar' }, el('p', { class: 'brand' }, 'Health Wallet viewer — ', brand)),
    stage);
  network = loadNetwork();
  const fragment = location.hash;
  if (fragment === '' || fragment === '#') {
    setState('error', { refusal: 'bad-link' });
    show(problemPanel('error', {
      kind: 'bad-link',
      message: 'There is no shared record in this address.',
      advice: 'Open the link, or scan the QR code, that the patient gave you: its address ends in #shlink:/…',
    }));
    return;
  }
  let link;
  try {
    link = parseLink(fragment);
  } catch (e) {
    setState('error', { refusal: 'bad-link' });
    show(problemPanel('error', {
      kind: 'bad-link',
      message: e instanceof Error ? e.message : String(e),
      advice: 'The link is damaged or incomplete. Scan the patient’s QR code again, whole, or ask them to share again.',
    }));
    return;
  }
  askAndOpen(link, '');
}

function askAndOpen(link, problem) {
  show(openForm({
    link,
    remembered,
    purposes: PURPOSES,
    problem,
    onSubmit: (input) => {
      remembered.who = input.who;
      remembered.purpose = input.purpose;
      open(link, input).catch(fail);
    },
  }));
  if (problem === '') setState('form');
}

async function open(link, input) {
  const progress = el('p', { class: 'progress-text', text: 'Opening the share…' });
  show(el('section', { class: 'progress', attrs: { 'aria-live': 'polite', role: 'status' } },
    el('div', { class: 'spinner', attrs: { 'aria-hidden': 'true' } }), progress));
  setState('opening');
  const result = await openShare(link, {
    passcode: input.passcode,
    recipient: input.who,
    purpose: input.purpose,
    network: await network,
    now: new Date(),
    onProgress: (text) => {
      progress.textContent = String(text);
    },
  });
  render(link, input, result);
}

function render(link, input, result) {
  // open.js says why a share was refused in refusal, why it failed in error.
  const refusal = result?.refusal ?? (result?.error ? { kind: '', ...result.error } : null);
  switch (result?.state) {
    case 'verified':
    case 'not-verified':
      showRecords(result);
      return;
    case 'refused':
      if (refusal?.kind === 'passcode' && refusal.remainingAttempts !== 0) {
        const n = refusal.remainingAttempts;
        setState('refused', { refusal: 'passcode' });
        askAndOpen(link, n === undefined ? refusal.message || 'Wrong passcode — try again.' : `Wrong passcode — ${n} attempt${n === 1 ? '' : 's'} left`);
        return;
      }
      setState('refused', { refusal: refusal?.kind === 'passcode' ? 'locked' : refusal?.kind });
      show(problemPanel('refused', refusal?.kind === 'passcode' ? { ...refusal, kind: 'locked' } : refusal,
        refusal?.kind === 'busy' ? () => open(link, input).catch(fail) : null));
      return;
    default:
      setState('error', { refusal: refusal?.kind });
      show(problemPanel('error', refusal, () => askAndOpen(link, '')));
  }
}

function showRecords(result) {
  const now = new Date();
  // A verified share was checked on the network whose node served this
  // page; name it as the page's header does when the share does not.
  if (result.network && !result.network.name && result.network.trusted) result = { ...result, network: { ...result.network, name: networkName } };
  const records = Array.isArray(result.records) ? result.records : [];
  const uncovered = Array.isArray(result.uncovered) ? result.uncovered : [];
  const attachments = Array.isArray(result.attachments) ? result.attachments : [];
  const view = chartView(records, uncovered, attachments);
  const who = patientInfo(view.patients, result.patient, now);
  const kind = verdictKind(result);

  const search = el('input', { class: 'search', attrs: { type: 'search', placeholder: 'Search these records', 'aria-label': 'Search these records', autocomplete: 'off' } });
  let pending = 0;
  search.addEventListener('input', () => {
    cancelAnimationFrame(pending);
    pending = requestAnimationFrame(() => view.search(search.value));
  });

  show(
    el('div', { class: 'print-header', attrs: { 'aria-hidden': 'true' } }, `${who.name} — ${verdictText(result)}`),
    el('div', { class: `result ${kind}` },
      el('header', { class: `idbar ${kind}` },
        el('h1', { class: 'patient-name', text: who.name }),
        who.brief ? el('p', { class: 'patient-brief', text: who.brief }) : null,
        verdictLine(result)),
      el('aside', { class: 'side' },
        peopleWarnings(result),
        el('section', { class: 'patient', attrs: { 'aria-label': 'Patient' } }, who.facts,
          result.patient?.warning ? el('p', { class: 'warning', text: result.patient.warning }) : null),
        verdictPanel(result),
        sharingPanel(result, PURPOSES),
        el('div', { class: 'toolbar' }, printButton(), downloadButton(records, who.name)),
        view.nav),
      el('div', { class: 'records' }, search, view.node)));
  setState(result.state, { records: records.length });
}

// peopleWarnings are the warnings of a share whose records are about more
// than one person (a share is about one), loud and first, as the app and
// hw receive say them.
function peopleWarnings(result) {
  const warnings = Array.isArray(result.warnings) ? result.warnings : [];
  return warnings.map((w) => el('p', { class: 'warning people-warning', attrs: { role: 'alert' }, text: `${w.charAt(0).toUpperCase()}${w.slice(1)}.` }));
}

// fail shows what went wrong when the page itself fails: no promise is left
// uncaught, and the clinician is told what to do.
function fail(e) {
  setState('error');
  show(problemPanel('error', {
    kind: '',
    message: `The viewer failed: ${e instanceof Error ? e.message : String(e)}`,
    advice: 'Reload the page. If it fails again, open the share in the Health Wallet app or with hw receive.',
  }, () => location.reload()));
}

window.addEventListener('unhandledrejection', (ev) => {
  ev.preventDefault();
  fail(ev.reason);
});
window.addEventListener('hashchange', () => start());

try {
  start();
} catch (e) {
  fail(e);
}
