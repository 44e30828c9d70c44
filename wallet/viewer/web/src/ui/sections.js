// The chart: the records in sections (chart.js decides which and in what
// order), each record a card with its title, date, key values and the raw
// FHIR one tap away; a search box that filters them as one types; and the
// records the patient's consent does not cover, kept apart under a warning.
import { makeChart } from '../chart.js';
import { str, summarize } from '../summary.js';
import { el } from './dom.js';
import { keptFiles } from './files.js';
import { recordDateText } from './format.js';

const flagNames = new Map([
  ['H', 'High'], ['L', 'Low'], ['HH', 'Critically high'], ['LL', 'Critically low'], ['A', 'Abnormal'],
]);

const criticalityNames = new Map([
  ['high', 'High criticality'], ['unable-to-assess', 'Criticality unknown'], ['low', 'Low criticality'],
]);

// Sections a clinician rarely needs in thirty seconds start closed.
const closedSections = new Set(['billing', 'people', 'other']);

/**
 * recordCard renders one record: resource is the FHIR object, summary its
 * summarize() answer, flag its chart flag ('' for none), extra more detail
 * lines (for records outside the consent: where from, why), files the kept
 * files of the record that were verified (ui/files.js).
 */
export function recordCard(resource, summary, flag = '', extra = [], files = []) {
  const head = el('div', { class: 'item-head' },
    el('h3', { class: 'item-title', text: summary.title }));
  if (flag !== '') {
    head.append(el('span', { class: `badge flag flag-${flag}`, text: flag, attrs: { title: flagNames.get(flag), 'aria-label': flagNames.get(flag) } }));
  }
  const crit = str(resource, 'criticality');
  const critBadge = str(resource, 'resourceType') === 'AllergyIntolerance' && criticalityNames.has(crit);
  if (critBadge) head.append(el('span', { class: `badge crit crit-${crit}`, text: criticalityNames.get(crit) }));
  const date = recordDateText(summary.date);
  if (date !== '') head.append(el('span', { class: 'item-date', text: date }));

  const values = summary.details.filter((d) => d.startsWith('Value: ') || d.startsWith('Dosage: '));
  // The badge says the criticality already, the date line the date ("Given: 9 Dec 2019").
  const rest = summary.details.filter((d) => !values.includes(d) && !(critBadge && d.startsWith('Criticality: ')) &&
    !(date !== '' && d.endsWith(`: ${date}`) && d.indexOf(': ') === d.length - date.length - 2));
  const card = el('article', { class: flag !== '' ? `item flagged flag-${flag}` : 'item' }, head,
    values.length > 0 ? el('p', { class: 'item-value' }, values.map((v, i) => [i > 0 ? el('br') : null, v])) : null,
    rest.length + extra.length > 0 ? el('ul', { class: 'item-details' }, [...extra, ...rest].map((d) => el('li', { text: d }))) : null,
    keptFiles(resource, files),
    fhirDisclosure(resource));
  return card;
}

// entry is one record of a section: the text search looks in, and how to
// draw its card (done when its section is first open).
function entry(resource, summary, flag = '', extra = [], files = []) {
  const text = [summary.title, ...summary.details, ...extra, recordDateText(summary.date)].join('\n').toLowerCase();
  return { text, card: null, make: () => recordCard(resource, summary, flag, extra, files) };
}

// fhirDisclosure shows the raw JSON on demand, built only when opened (a
// 500-record chart stays quick to draw).
function fhirDisclosure(resource) {
  const pre = el('pre', { class: 'fhir-json' });
  const d = el('details', { class: 'fhir' }, el('summary', { text: 'Show FHIR' }), pre);
  d.addEventListener('toggle', () => {
    if (d.open && pre.textContent === '') pre.textContent = JSON.stringify(resource, null, 2);
  });
  return d;
}

/**
 * chartView renders the records as a chart and returns {node, patients}:
 * the sections' DOM and the Patient resources for the header. uncovered are
 * the records outside the patient's consent ({resource, source, why});
 * attachments the verified kept files ({index: of their record, title,
 * contentType, size, sha256, data}).
 */
export function chartView(records, uncovered, attachments = []) {
  const chart = makeChart(records);
  const filesOf = new Map();
  for (const f of attachments) filesOf.set(f.index, [...(filesOf.get(f.index) || []), f]);
  drawn = [];
  const container = el('div', { class: 'chart' });
  const nav = el('nav', { class: 'section-nav', attrs: { 'aria-label': 'Sections' } });
  const sections = [];

  for (const s of chart.sections) {
    const entries = s.items.map((it) => entry(records[it.index], it.summary, it.flag, [], filesOf.get(it.index) || []));
    sections.push(section(s.id, s.title, entries, !closedSections.has(s.id)));
  }
  // Last, so that what the patient consented to is read first.
  if (uncovered.length > 0) {
    const entries = uncovered.map((u) => entry(u.resource, summarize(u.resource), '',
      [`From: ${u.source || 'unknown'}`, `Why it is apart: ${u.why || 'not covered by the consent'}`]));
    const sec = section('uncovered', 'Not covered by the patient’s consent', entries, true,
      el('p', { class: 'warning', text: 'These records came with the share, but the patient’s signed consent does not cover them: someone else may have added or changed them. Do not rely on them.' }));
    sec.node.classList.add('uncovered');
    sections.push(sec);
  }
  for (const s of sections) {
    nav.append(el('button', { class: 'chip', text: `${s.title} ${s.entries.length}`, attrs: { type: 'button' },
      on: { click: () => { s.node.open = true; s.node.scrollIntoView({ block: 'start' }); } } }));
    container.append(s.node);
  }
  const none = el('p', { class: 'no-match', text: 'No records match your search.', attrs: { hidden: true } });
  container.append(none);
  if (sections.length === 0) container.append(el('p', { class: 'no-match', text: 'There are no records to show.' }));

  const search = (text) => {
    query.q = text.trim().toLowerCase();
    let shown = 0;
    for (const s of sections) {
      const n = s.entries.filter((e) => matches(e)).length;
      s.node.hidden = n === 0;
      s.count.textContent = query.q === '' ? String(s.entries.length) : `${n} of ${s.entries.length}`;
      if (query.q !== '' && n > 0) s.node.open = true;
      s.filter();
      shown += n;
    }
    none.hidden = shown > 0 || sections.length === 0;
  };
  const query = { q: '' };
  const matches = (e) => query.q === '' || e.text.includes(query.q);
  for (const s of sections) s.matches = matches;
  return { nav, node: container, search, patients: chart.patients.map((i) => records[i]) };
}

// drawn are the sections on the page, so that printing can draw them all.
let drawn = [];

/**
 * section makes a chart section. Its cards are drawn when it is first open
 * (closed sections — billing, people — are often half of a share: a
 * 500-record chart draws in a fraction of the time).
 */
function section(id, title, entries, open, ...intro) {
  const count = el('span', { class: 'count', text: String(entries.length) });
  const node = el('details', { class: `chart-section sec-${id}`, attrs: { 'data-section': id } },
    el('summary', {}, el('h2', { text: title }), count), ...intro);
  const s = {
    id, title, entries, count, node,
    matches: () => true,
    draw() {
      for (const e of entries) {
        if (e.card === null) {
          e.card = e.make();
          node.append(e.card);
        }
      }
      s.filter();
    },
    filter() {
      for (const e of entries) if (e.card !== null) e.card.hidden = !s.matches(e);
    },
  };
  node.addEventListener('toggle', () => {
    if (node.open) s.draw();
  });
  if (open) {
    s.draw();
    node.open = true;
  }
  drawn.push(s);
  return s;
}

// Printing shows every section: draw and open them before the page is laid
// out for paper (a toggle event would come too late).
window.addEventListener('beforeprint', () => {
  for (const s of drawn) s.draw();
});
