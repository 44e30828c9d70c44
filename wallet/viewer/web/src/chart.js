// The clinician's view of a set of records: a port of wallet/record/chart.go
// (the app lays out the same sections in the same order). makeChart(resources)
// → {patients: [index…], sections: [{id, title, items: [{index, summary,
// flag}]}]}. TestSummaryParity holds this file equal to the Go code.
import { Category, codings, obj, objs, str, statusText, summarize } from './summary.js';

// The chart sections, in the order a chart shows them.
export const chartSections = [
  ['allergies', 'Allergies and intolerances'],
  ['problems', 'Problems'],
  ['medications', 'Medications'],
  ['immunizations', 'Immunizations'],
  ['results', 'Results'],
  ['vitals', 'Vital signs'],
  ['procedures', 'Procedures'],
  ['encounters', 'Encounters'],
  ['documents', 'Documents'],
  ['pastProblems', 'Past problems'],
  ['pastMedications', 'Past medications'],
  ['careplans', 'Care plans'],
  ['observations', 'Other observations'],
  ['billing', 'Insurance & billing'],
  ['people', 'People & organizations'],
  ['other', 'Other'],
];

const sectionByCategory = new Map([
  [Category.allergies, 'allergies'],
  [Category.medications, 'medications'],
  [Category.immunizations, 'immunizations'],
  [Category.labResults, 'results'],
  [Category.vitalSigns, 'vitals'],
  [Category.observations, 'observations'],
  [Category.procedures, 'procedures'],
  [Category.encounters, 'encounters'],
  [Category.documents, 'documents'],
  [Category.carePlans, 'careplans'],
  [Category.insurance, 'billing'],
  [Category.people, 'people'],
  [Category.other, 'other'],
]);

// Condition statuses (clinical or verification) of a problem that is no
// longer current, or never was.
const pastProblem = new Set(['inactive', 'remission', 'resolved', 'refuted', 'entered-in-error']);

// Statuses of a medication record no longer being taken.
const pastMedication = new Set(['completed', 'stopped', 'cancelled', 'entered-in-error', 'not-taken', 'not-done', 'declined', 'inactive']);

const allergyCriticality = new Map([['high', 0], ['unable-to-assess', 1], ['low', 2]]);

// makeChart summarizes resources (parsed FHIR objects) and lays them out:
// Patient resources in the header, every other resource in exactly one
// section, empty sections omitted. Allergies by criticality, then active
// first, then newest; everything else newest first (undated last); ties keep
// input order.
export function makeChart(resources) {
  const chart = { patients: [], sections: [] };
  const items = new Map();
  const allergyRank = new Map();
  resources.forEach((o, i) => {
    const summary = summarize(o);
    const typ = str(o, 'resourceType');
    if (typ === 'Patient') {
      chart.patients.push(i);
      return;
    }
    const item = { index: i, summary, flag: typ === 'Observation' ? observationFlag(o) : '' };
    const id = chartSectionOf(typ, o, summary);
    if (id === 'allergies') {
      allergyRank.set(i, [allergyCriticality.get(str(o, 'criticality')) ?? 3, summary.status !== '' && summary.status !== 'active' ? 1 : 0]);
    }
    if (!items.has(id)) items.set(id, []);
    items.get(id).push(item);
  });
  for (const [id, title] of chartSections) {
    const list = items.get(id);
    if (list === undefined) continue;
    // Array.prototype.sort is stable.
    list.sort((a, b) => {
      if (id === 'allergies') {
        const ra = allergyRank.get(a.index);
        const rb = allergyRank.get(b.index);
        if (ra[0] !== rb[0]) return ra[0] - rb[0];
        if (ra[1] !== rb[1]) return ra[1] - rb[1];
      }
      return newestFirst(a, b);
    });
    chart.sections.push({ id, title, items: list });
  }
  return chart;
}

function newestFirst(a, b) {
  const da = a.summary.date;
  const db = b.summary.date;
  if (da === null && db === null) return 0;
  if (da === null) return 1;
  if (db === null) return -1;
  return db.ms - da.ms;
}

function chartSectionOf(typ, o, summary) {
  if (typ === 'Condition') {
    let status = summary.status;
    if (status === '' && (str(o, 'abatementDateTime') !== '' || str(o, 'abatementString') !== '' ||
        obj(o, 'abatementPeriod') !== null || obj(o, 'abatementAge') !== null)) {
      status = 'resolved';
    }
    if (pastProblem.has(status) || pastProblem.has(statusText(obj(o, 'verificationStatus')))) return 'pastProblems';
    return 'problems';
  }
  if (typ === 'FamilyMemberHistory' || typ === 'ClinicalImpression') return 'observations';
  if (summary.category === Category.medications) {
    return pastMedication.has(summary.status) ? 'pastMedications' : 'medications';
  }
  return sectionByCategory.get(summary.category) ?? 'other';
}

// HL7 v3 ObservationInterpretation codes and their flags, most severe
// first; "N" (normal) gives no flag.
const interpretationFlags = [
  ['HH', 'HH'], ['LL', 'LL'], ['AA', 'A'], ['HU', 'H'], ['LU', 'L'],
  ['H', 'H'], ['L', 'L'], ['A', 'A'], ['N', ''],
];

// observationFlag: the interpretation code's flag when there is a known
// one, else valueQuantity against the first reference range, else "".
export function observationFlag(o) {
  const codes = [];
  for (const cc of objs(o, 'interpretation')) for (const c of codings(cc)) codes.push(c.code.toUpperCase());
  for (const [code, flag] of interpretationFlags) if (codes.includes(code)) return flag;
  const v = obj(o, 'valueQuantity');
  const rrs = objs(o, 'referenceRange');
  if (v === null || rrs.length === 0) return '';
  const x = number(str(v, 'value'));
  if (x === null) return '';
  const cmp = str(v, 'comparator');
  const lo = obj(rrs[0], 'low');
  if (lo !== null && sameUnit(v, lo)) {
    const l = number(str(lo, 'value'));
    if (l !== null && x < l && (cmp === '' || cmp === '<' || cmp === '<=')) return 'L';
  }
  const hi = obj(rrs[0], 'high');
  if (hi !== null && sameUnit(v, hi)) {
    const h = number(str(hi, 'value'));
    if (h !== null && x > h && (cmp === '' || cmp === '>' || cmp === '>=')) return 'H';
  }
  return '';
}

function sameUnit(a, b) {
  let ua = str(a, 'code');
  let ub = str(b, 'code');
  if (ua === '' || ub === '') {
    ua = str(a, 'unit');
    ub = str(b, 'unit');
  }
  return ua === '' || ub === '' || ua === ub;
}

const fhirDecimal = /^-?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?$/;

function number(s) {
  if (!fhirDecimal.test(s)) return null;
  const f = Number(s);
  return Number.isFinite(f) ? f : null;
}
