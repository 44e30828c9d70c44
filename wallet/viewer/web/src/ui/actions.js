// Print and download. Printing opens every section first (the print
// stylesheet hides the buttons and repeats the patient on each page);
// downloading hands over the records as one FHIR Bundle from memory (a blob:
// URL), never from the server and never stored.
import { el } from './dom.js';

/** printButton prints the chart with every section open, then restores what was closed. */
export function printButton() {
  return el('button', { class: 'action', text: 'Print', attrs: { type: 'button' }, on: { click: () => window.print() } });
}

let reopen = [];
window.addEventListener('beforeprint', () => {
  reopen = [...document.querySelectorAll('details.chart-section:not([open]), details.checks:not([open])')];
  for (const d of reopen) d.open = true;
});
window.addEventListener('afterprint', () => {
  for (const d of reopen) d.open = false;
  reopen = [];
});

/**
 * downloadButton offers the records as a FHIR Bundle (type collection)
 * named after the patient. The file is made when asked for (a 500-record
 * Bundle is megabytes of JSON), handed over through a blob: URL, which the
 * page forgets at once.
 */
export function downloadButton(records, patientName) {
  const safe = (patientName || 'patient').replace(/[^\p{L}\p{N}]+/gu, '-').replace(/^-+|-+$/g, '').slice(0, 60) || 'patient';
  const save = () => {
    const bundle = {
      resourceType: 'Bundle',
      type: 'collection',
      timestamp: new Date().toISOString(),
      entry: records.map((resource) => ({ resource })),
    };
    const url = URL.createObjectURL(new Blob([JSON.stringify(bundle, null, 2)], { type: 'application/fhir+json' }));
    const a = el('a', { attrs: { href: url, download: `${safe}-records.json`, hidden: true } });
    document.body.append(a);
    a.click();
    a.remove();
    setTimeout(() => URL.revokeObjectURL(url), 60000);
  };
  return el('button', { class: 'action', text: 'Download FHIR JSON', attrs: { type: 'button' }, on: { click: save } });
}
