// What a person reads about one FHIR resource in a list: a port of
// wallet/record/summary.go and fhir.go, so that a record reads the same in the
// viewer as in the app. summarize(resource) → {title, category, date, day,
// details, status, codes}. TestSummaryParity (wallet/viewer/
// summary_parity_test.go) runs this file and the Go code on every resource of
// the test corpora and requires the same answers: change one, change the other.
//
// Records are attacker-controlled: every accessor accepts any shape and
// answers the empty value when the shape is not what FHIR says, lookups go
// through Maps (a unit named "constructor" is just a unit), and nothing here
// throws on odd input.

// The categories a record falls in, in the order a list shows them.
export const Category = Object.freeze({
  conditions: 'Conditions',
  medications: 'Medications',
  allergies: 'Allergies',
  immunizations: 'Immunizations',
  labResults: 'Lab results',
  vitalSigns: 'Vital signs',
  observations: 'Observations',
  procedures: 'Procedures',
  encounters: 'Encounters',
  documents: 'Documents',
  carePlans: 'Care plans',
  insurance: 'Insurance & billing',
  people: 'People & organizations',
  other: 'Other',
});

// ---- loose FHIR accessors (fhir.go) ----

function isObject(v) {
  return v !== null && typeof v === 'object' && !Array.isArray(v);
}

// get reads an own property only: records never reach Object.prototype.
function get(v, key) {
  if (!isObject(v) || !Object.prototype.hasOwnProperty.call(v, key)) return undefined;
  return v[key];
}

export function obj(v, key) {
  const o = get(v, key);
  return isObject(o) ? o : null;
}

function arr(v, key) {
  const a = get(v, key);
  return Array.isArray(a) ? a : [];
}

// objs returns the objects of an array field; a single object counts as an
// array of one.
export function objs(v, key) {
  const x = get(v, key);
  if (Array.isArray(x)) return x.filter(isObject);
  if (isObject(x)) return [x];
  return [];
}

function first(v, key) {
  const os = objs(v, key);
  return os.length > 0 ? os[0] : null;
}

// Go's unicode.IsSpace, which String.prototype.trim does not quite match.
const spaceChars = '\\t\\n\\v\\f\\r \\u0085\\u00a0\\u1680\\u2000-\\u200a\\u2028\\u2029\\u202f\\u205f\\u3000';
const edgeSpace = new RegExp(`^[${spaceChars}]+|[${spaceChars}]+$`, 'g');
const innerSpace = new RegExp(`[${spaceChars}]+`);

function trimSpace(s) {
  return s.replace(edgeSpace, '');
}

function fields(s) {
  return s.split(innerSpace).filter((f) => f !== '');
}

export function str(v, key) {
  return scalar(get(v, key));
}

// scalar renders a JSON scalar as text; objects and arrays give "".
function scalar(v) {
  switch (typeof v) {
    case 'string':
      return trimSpace(v);
    case 'number':
      return Number.isFinite(v) ? String(v) : '';
    case 'boolean':
      return v ? 'yes' : 'no';
  }
  return '';
}

// codings returns the codings of a CodeableConcept.
export function codings(cc) {
  const out = [];
  for (const c of objs(cc, 'coding')) {
    const code = { system: str(c, 'system'), code: str(c, 'code'), display: str(c, 'display') };
    if (code.system !== '' || code.code !== '' || code.display !== '') out.push(code);
  }
  return out;
}

// conceptText: a CodeableConcept's text, else the first display, else the first code.
export function conceptText(cc) {
  if (cc === null) return '';
  const t = str(cc, 'text');
  if (t !== '') return t;
  const cs = codings(cc);
  for (const c of cs) if (c.display !== '') return c.display;
  for (const c of cs) if (c.code !== '') return c.code;
  return '';
}

function conceptsText(v, key) {
  const parts = [];
  for (const cc of objs(v, key)) {
    const t = conceptText(cc);
    if (t !== '') appendUnique(parts, t);
  }
  return parts.join(', ');
}

function codeText(code) {
  return code.replaceAll('-', ' ');
}

export function statusText(cc) {
  for (const c of codings(cc)) if (c.code !== '') return c.code;
  return conceptText(cc).toLowerCase();
}

function referenceDisplay(ref) {
  return str(ref, 'display');
}

// ucumDisplay spells common UCUM unit codes the way people write them.
const ucumDisplay = new Map([
  ['Cel', '°C'], ['[degF]', '°F'], ['mm[Hg]', 'mmHg'], ['[lb_av]', 'lb'], ['[in_i]', 'in'],
  ['/min', '/min'], ['{beats}/min', 'beats/min'], ['{breaths}/min', 'breaths/min'],
  ['kg/m2', 'kg/m²'], ['[oz_av]', 'oz'], ['[ft_i]', 'ft'],
]);

// quantity renders a Quantity (or Money, Age, Duration…): "7.2 mmol/L".
function quantity(q) {
  if (q === null) return '';
  const v = str(q, 'value');
  if (v === '') return '';
  const cmp = str(q, 'comparator');
  let unit = str(q, 'unit');
  if (unit === '') unit = str(q, 'code');
  if (ucumDisplay.has(unit)) unit = ucumDisplay.get(unit);
  if (unit === '') unit = str(q, 'currency');
  if (unit === '' || unit.startsWith('{')) return cmp + v;
  if (unit === '%') return cmp + v + '%';
  return cmp + v + ' ' + unit;
}

function money(m) {
  let v = str(m, 'value');
  if (v === '') return '';
  // Amounts come out of floating point sums (112.41600000000001): show cents.
  const f = goParseFloat(v);
  if (f !== null && Number.isFinite(f)) v = fixed2(f);
  const c = str(m, 'currency');
  return c !== '' ? v + ' ' + c : v;
}

// goParseFloat accepts what Go's strconv.ParseFloat accepts of the texts a
// record holds: decimal numbers, optionally signed, with an exponent.
function goParseFloat(s) {
  if (!/^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/.test(s)) return null;
  return Number(s);
}

// fixed2 is Go's strconv.FormatFloat(f, 'f', 2, 64): toFixed, except for
// large numbers (toFixed switches to exponents) and exact halves (Go rounds
// them to even, toFixed up).
function fixed2(f) {
  if (Math.abs(f) >= 1e21) return BigInt(Math.round(f)).toString() + '.00';
  let s = f.toFixed(2);
  const x = f * 100;
  if (Number.isInteger(x * 2) && !Number.isInteger(x) && Math.abs(x) < 2 ** 52) {
    // An exact binary half-cent: round half to even.
    let n = Math.floor(Math.abs(x));
    if (n % 2 === 1) n += 1;
    const cents = n.toString().padStart(3, '0');
    s = (f < 0 ? '-' : '') + cents.slice(0, -2) + '.' + cents.slice(-2);
  }
  return s;
}

function rangeText(r) {
  const lo = quantity(obj(r, 'low'));
  const hi = quantity(obj(r, 'high'));
  if (lo !== '' && hi !== '') {
    // "3.1 mmol/L–6.2 mmol/L" reads worse than "3.1–6.2 mmol/L".
    const [ll, lu] = cut(lo, ' ');
    const [hl, hu] = cut(hi, ' ');
    if (lu === hu) return lu === '' ? ll + '–' + hl : ll + '–' + hl + ' ' + lu;
    return lo + '–' + hi;
  }
  if (lo !== '') return '≥ ' + lo;
  if (hi !== '') return '≤ ' + hi;
  return '';
}

function cut(s, sep) {
  const i = s.indexOf(sep);
  return i < 0 ? [s, ''] : [s.slice(0, i), s.slice(i + sep.length)];
}

function humanName(n) {
  if (n === null) return '';
  const t = str(n, 'text');
  if (t !== '') return t;
  const parts = [];
  for (const p of arr(n, 'prefix')) pushNonEmpty(parts, scalar(p));
  for (const g of arr(n, 'given')) pushNonEmpty(parts, scalar(g));
  pushNonEmpty(parts, str(n, 'family'));
  for (const p of arr(n, 'suffix')) pushNonEmpty(parts, scalar(p));
  return parts.join(' ');
}

function pushNonEmpty(list, s) {
  if (s !== '') list.push(s);
}

// bestName picks the official name, else the usual one, else the first.
export function bestName(res) {
  const names = objs(res, 'name');
  for (const use of ['official', 'usual', '']) {
    for (const n of names) {
      if (use !== '' && str(n, 'use') !== use) continue;
      const s = humanName(n);
      if (s !== '') return s;
    }
  }
  return str(res, 'name'); // Organization, Location: name is a string
}

function addressText(a) {
  if (a === null) return '';
  const t = str(a, 'text');
  if (t !== '') return t;
  const parts = [];
  for (const l of arr(a, 'line')) pushNonEmpty(parts, scalar(l));
  for (const k of ['city', 'state', 'postalCode', 'country']) pushNonEmpty(parts, str(a, k));
  return parts.join(', ');
}

const entities = new Map([
  ['&amp;', '&'], ['&lt;', '<'], ['&gt;', '>'], ['&quot;', '"'], ['&#39;', "'"], ['&nbsp;', ' '], ['&apos;', "'"],
]);

// stripTags turns narrative XHTML into plain text, whitespace collapsed.
function stripTags(s) {
  let b = '';
  let inTag = false;
  for (const r of s) {
    if (r === '<') {
      inTag = true;
      b += ' ';
    } else if (r === '>') {
      inTag = false;
    } else if (!inTag) {
      b += r;
    }
  }
  b = b.replace(/&amp;|&lt;|&gt;|&quot;|&#39;|&nbsp;|&apos;/g, (e) => entities.get(e));
  return fields(b).join(' ');
}

const encoder = new TextEncoder();

function utf8Length(s) {
  return encoder.encode(s).length;
}

// truncate cuts s to about n UTF-8 bytes, at a space when one is near, as
// the Go code does (its lengths are in bytes).
function truncate(s, n) {
  if (utf8Length(s) <= n) return s;
  let cutAt = 0; // in UTF-16 units
  let bytePos = 0;
  let unitPos = 0;
  for (const r of s) {
    if (bytePos > n) break;
    cutAt = unitPos;
    bytePos += utf8Length(r);
    unitPos += r.length;
  }
  s = s.slice(0, cutAt);
  const sp = s.lastIndexOf(' ');
  // A space is one byte, so its byte offset is the UTF-8 length before it.
  if (sp >= 0 && utf8Length(s.slice(0, sp)) > Math.floor(n / 2)) s = s.slice(0, sp);
  return s + '…';
}

function appendUnique(list, s) {
  if (!list.includes(s)) list.push(s);
  return list;
}

// ---- dates ----

const monthNames = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

// The forms Go's ParseDate accepts: YYYY, YYYY-MM, YYYY-MM-DD, and a
// dateTime with minutes, optional seconds (and fraction) and optional zone.
const dateForm =
  /^(\d{4})(?:-(\d{2})(?:-(\d{2})(?:T(\d{2}):(\d{2})(?::(\d{2})(?:[.,](\d+))?)?(Z|[+-]\d{2}:\d{2})?)?)?)?$/;

function daysIn(year, month) {
  return new Date(Date.UTC(year, month, 0)).getUTCDate();
}

// parseDate parses a FHIR date, dateTime or instant like Go's ParseDate:
// → {ms (the instant), y, m, d (as written, in the record's own zone),
// precision (4, 7 or more: the length of a date's text)} or null.
export function parseDate(s) {
  if (typeof s !== 'string') return null;
  s = trimSpace(s);
  if (s.length < 4) return null;
  const m = dateForm.exec(s);
  if (m === null) return null;
  const [, ys, mos, ds, hs, mis, ss, frac, zone] = m;
  // Go's layouts: a zone needs minutes; a fraction needs seconds; a
  // zoneless time may have seconds; partial dates have no time.
  if (frac !== undefined && ss === undefined) return null;
  const y = Number(ys);
  const mo = mos === undefined ? 1 : Number(mos);
  const d = ds === undefined ? 1 : Number(ds);
  const h = hs === undefined ? 0 : Number(hs);
  const mi = mis === undefined ? 0 : Number(mis);
  const sec = ss === undefined ? 0 : Number(ss);
  if (y < 1 || mo < 1 || mo > 12 || d < 1 || d > daysIn(y, mo) || h > 23 || mi > 59 || sec > 59) return null;
  let offset = 0; // minutes east of UTC
  if (zone !== undefined && zone !== 'Z') {
    const oh = Number(zone.slice(1, 3));
    const om = Number(zone.slice(4, 6));
    if (oh > 23 || om > 59) return null;
    offset = (zone[0] === '-' ? -1 : 1) * (oh * 60 + om);
  }
  const fracMs = frac === undefined ? 0 : Math.floor(Number('0.' + frac) * 1000);
  const base = Date.UTC(y, mo - 1, d, h, mi, sec, fracMs);
  // Date.UTC maps years 0–99 to 1900–1999; set the year explicitly.
  const dt = new Date(base);
  dt.setUTCFullYear(y);
  const ms = dt.getTime() - offset * 60000;
  return { ms, y, m: mo, d, precision: s.length };
}

// dayOf renders a parsed date as "2 Jan 2006" in its own zone.
export function dayOf(p) {
  return `${p.d} ${monthNames[p.m - 1]} ${p.y}`;
}

// isoDayOf renders a parsed date as YYYY-MM-DD in its own zone.
export function isoDayOf(p) {
  return `${String(p.y).padStart(4, '0')}-${String(p.m).padStart(2, '0')}-${String(p.d).padStart(2, '0')}`;
}

// dateOf returns the first parseable date among the given fields; "a.b"
// reads field b of object a.
function dateOf(res, ...fieldNames) {
  for (const f of fieldNames) {
    const dot = f.indexOf('.');
    const s = dot >= 0 ? str(obj(res, f.slice(0, dot)), f.slice(dot + 1)) : str(res, f);
    if (s === '') continue;
    const p = parseDate(s);
    if (p !== null) return p;
  }
  return null;
}

// dayText renders a FHIR date for reading, keeping its precision.
function dayText(s) {
  const p = parseDate(s);
  if (p === null) return s;
  switch (trimSpace(s).length) {
    case 4:
      return String(p.y);
    case 7:
      return `${monthNames[p.m - 1]} ${p.y}`;
  }
  return dayOf(p);
}

function periodText(p) {
  const start = str(p, 'start');
  const end = str(p, 'end');
  if (start !== '' && end !== '' && dayText(start) === dayText(end)) return dayText(start);
  if (start !== '' && end !== '') return dayText(start) + ' – ' + dayText(end);
  if (start !== '') return 'from ' + dayText(start);
  if (end !== '') return 'until ' + dayText(end);
  return '';
}

// ---- summaries (summary.go) ----

const categoryByType = new Map(Object.entries({
  Condition: Category.conditions,
  FamilyMemberHistory: Category.conditions,
  ClinicalImpression: Category.conditions,
  Medication: Category.medications,
  MedicationStatement: Category.medications,
  MedicationRequest: Category.medications,
  MedicationAdministration: Category.medications,
  MedicationDispense: Category.medications,
  MedicationKnowledge: Category.medications,
  AllergyIntolerance: Category.allergies,
  Immunization: Category.immunizations,
  ImmunizationRecommendation: Category.immunizations,
  ImmunizationEvaluation: Category.immunizations,
  DiagnosticReport: Category.labResults,
  Specimen: Category.labResults,
  MolecularSequence: Category.labResults,
  Procedure: Category.procedures,
  ImagingStudy: Category.procedures,
  Encounter: Category.encounters,
  Appointment: Category.encounters,
  EpisodeOfCare: Category.encounters,
  DocumentReference: Category.documents,
  DocumentManifest: Category.documents,
  Composition: Category.documents,
  Binary: Category.documents,
  Media: Category.documents,
  QuestionnaireResponse: Category.documents,
  Questionnaire: Category.documents,
  Consent: Category.documents,
  CarePlan: Category.carePlans,
  CareTeam: Category.carePlans,
  Goal: Category.carePlans,
  ServiceRequest: Category.carePlans,
  NutritionOrder: Category.carePlans,
  RiskAssessment: Category.carePlans,
  Claim: Category.insurance,
  ClaimResponse: Category.insurance,
  ExplanationOfBenefit: Category.insurance,
  Coverage: Category.insurance,
  CoverageEligibilityRequest: Category.insurance,
  CoverageEligibilityResponse: Category.insurance,
  Account: Category.insurance,
  Invoice: Category.insurance,
  PaymentNotice: Category.insurance,
  PaymentReconciliation: Category.insurance,
  InsurancePlan: Category.insurance,
  Patient: Category.people,
  Practitioner: Category.people,
  PractitionerRole: Category.people,
  RelatedPerson: Category.people,
  Person: Category.people,
  Organization: Category.people,
  Location: Category.people,
  HealthcareService: Category.people,
}));

const genericDateFields = [
  'effectiveDateTime', 'effectivePeriod.start', 'effectiveInstant', 'occurrenceDateTime',
  'occurrencePeriod.start', 'performedDateTime', 'performedPeriod.start', 'onsetDateTime',
  'onsetPeriod.start', 'authoredOn', 'authored', 'recordedDate', 'recorded', 'period.start',
  'start', 'issued', 'date', 'created', 'dateTime', 'sent', 'asserted',
];

class Builder {
  constructor(typ, res) {
    this.typ = typ;
    this.res = res;
    this.s = { title: '', category: '', date: null, details: [], status: '', codes: [] };
  }

  add(label, value) {
    value = trimSpace(value);
    if (value === '') return;
    this.s.details.push(label === '' ? value : label + ': ' + value);
  }

  title(...candidates) {
    if (this.s.title !== '') return;
    for (let c of candidates) {
      c = trimSpace(c);
      if (c !== '') {
        this.s.title = c;
        return;
      }
    }
  }

  date(...fieldNames) {
    if (this.s.date === null) this.s.date = dateOf(this.res, ...fieldNames);
  }

  codes(cc) {
    for (const c of codings(cc)) {
      if (!this.s.codes.some((x) => x.system === c.system && x.code === c.code && x.display === c.display)) {
        this.s.codes.push(c);
      }
    }
  }
}

const maxDetails = 12;

// summarize reads a FHIR resource (a parsed JSON object) and returns what a
// person should see in a list: {title, category, date, details, status,
// codes}, where date is null or {ms, y, m, d, precision} (see parseDate). It
// never throws.
export function summarize(res, fallbackType = '') {
  try {
    return summarizeObject(res, fallbackType);
  } catch {
    return { title: fallbackTitle(fallbackType), category: categoryFor(fallbackType, null), date: null, details: [], status: '', codes: [] };
  }
}

function summarizeObject(o, fallbackType) {
  let typ = fallbackType;
  const t = str(o, 'resourceType');
  if (t !== '') typ = t;
  if (!isObject(o)) {
    const b = new Builder(typ, null);
    b.s.title = typ === '' ? 'Unreadable record' : fallbackTitle(typ);
    b.s.category = categoryFor(typ, null);
    return b.s;
  }
  const b = new Builder(typ, o);
  const f = summarizers.get(typ);
  if (f !== undefined) f(b);
  generic(b);
  b.s.category = categoryFor(typ, o);
  if (b.s.status === '') b.s.status = str(o, 'status');
  if (b.s.details.length > maxDetails) b.s.details = b.s.details.slice(0, maxDetails);
  b.s.details = b.s.details.map((d) => truncate(d, 300));
  b.s.title = truncate(b.s.title, 200);
  return b.s;
}

function generic(b) {
  const o = b.res;
  if (b.s.codes.length === 0) b.codes(obj(o, 'code'));
  b.title(conceptText(obj(o, 'code')), str(o, 'title'), str(o, 'name'), bestName(o));
  if (b.s.title === '') {
    for (const k of ['type', 'category', 'vaccineCode', 'medicationCodeableConcept', 'serviceType', 'description']) {
      let t = conceptText(obj(o, k));
      if (t !== '') {
        b.title(t);
        break;
      }
      t = conceptsText(o, k);
      if (t !== '') {
        b.title(t);
        break;
      }
    }
  }
  if (b.s.title === '') {
    const d = stripTags(str(obj(o, 'text'), 'div'));
    if (d !== '') b.title(truncate(d, 120));
    else b.title(str(o, 'description'));
  }
  b.title(fallbackTitle(b.typ));
  b.date(...genericDateFields);
  if (b.s.details.length === 0) {
    const d = stripTags(str(obj(o, 'text'), 'div'));
    if (d !== '' && d !== b.s.title) b.add('', truncate(d, 300));
  }
}

// fallbackTitle makes "AllergyIntolerance" read "Allergy intolerance".
export function fallbackTitle(typ) {
  if (typ === '') return 'Record';
  let s = typ.replace(/([a-z])([A-Z])/g, '$1 $2');
  if (s.length > 1) s = s.slice(0, 1) + s.slice(1).toLowerCase();
  return s;
}

const labReportCodes = new Set(['LAB', 'HM', 'CH', 'MB', 'SP', 'SR', 'CP', 'HLA', 'IMM', 'BLB', 'VR', 'MYC', 'PAT', 'TX', 'CUS', 'SURG', 'LABORATORY']);

function categoryFor(typ, o) {
  switch (typ) {
    case 'Observation':
      for (const cc of objs(o, 'category')) {
        for (const c of codings(cc)) {
          switch (c.code.toLowerCase()) {
            case 'vital-signs':
              return Category.vitalSigns;
            case 'laboratory':
              return Category.labResults;
          }
        }
      }
      for (const c of codings(obj(o, 'code'))) if (vitalLOINC.has(c.code)) return Category.vitalSigns;
      return Category.observations;
    case 'DiagnosticReport':
      for (const cc of objs(o, 'category')) {
        for (const c of codings(cc)) {
          if (labReportCodes.has(c.code.toUpperCase())) return Category.labResults;
          if (c.code !== '') return Category.documents; // imaging, cardiology… reports
        }
      }
      return Category.labResults;
  }
  return categoryByType.get(typ) ?? Category.other;
}

const vitalLOINC = new Set([
  '85353-1', '9279-1', '8867-4', '2708-6', '59408-5', '8310-5', '8302-2', '9843-4', '29463-7', '39156-5',
  '85354-9', '8480-6', '8462-4', '8478-0',
]);

function sumPatient(b) {
  const o = b.res;
  b.title(bestName(o));
  const bd = str(o, 'birthDate');
  if (bd !== '') b.add('Born', dayText(bd));
  b.add('Gender', str(o, 'gender'));
  const dd = str(o, 'deceasedDateTime');
  if (dd !== '') b.add('Died', dayText(dd));
  const a = first(o, 'address');
  if (a !== null) b.add('Address', addressText(a));
}

function sumPerson(b) {
  const o = b.res;
  b.title(bestName(o));
  for (const q of objs(o, 'qualification')) b.add('Qualification', conceptText(obj(q, 'code')));
  b.add('Gender', str(o, 'gender'));
  b.add('Relationship', conceptsText(o, 'relationship'));
  const a = first(o, 'address');
  if (a !== null) b.add('Address', addressText(a));
  b.add('Contact', telecom(o));
}

function sumPractitionerRole(b) {
  const o = b.res;
  b.title(referenceDisplay(obj(o, 'practitioner')), conceptsText(o, 'code'));
  b.add('Role', conceptsText(o, 'code'));
  b.add('Specialty', conceptsText(o, 'specialty'));
  b.add('Organization', referenceDisplay(obj(o, 'organization')));
  b.codes(first(o, 'code'));
}

function sumOrganization(b) {
  const o = b.res;
  b.title(str(o, 'name'));
  b.add('Type', conceptsText(o, 'type'));
  const a = first(o, 'address');
  if (a !== null) b.add('Address', addressText(a));
  else if (obj(o, 'address') !== null) b.add('Address', addressText(obj(o, 'address')));
  b.add('Contact', telecom(o));
}

function telecom(o) {
  for (const t of objs(o, 'telecom')) {
    const v = str(t, 'value');
    if (v !== '') return v;
  }
  return '';
}

// value renders an Observation's (or component's) value[x].
function value(o) {
  let q = quantity(obj(o, 'valueQuantity'));
  if (q !== '') return q;
  const t = conceptText(obj(o, 'valueCodeableConcept'));
  if (t !== '') return t;
  for (const k of ['valueString', 'valueInteger', 'valueBoolean', 'valueTime']) {
    const s = str(o, k);
    if (s !== '') return s;
  }
  const dt = str(o, 'valueDateTime');
  if (dt !== '') return dayText(dt);
  const r = rangeText(obj(o, 'valueRange'));
  if (r !== '') return r;
  const ratio = obj(o, 'valueRatio');
  if (ratio !== null) {
    const n = quantity(obj(ratio, 'numerator'));
    const d = quantity(obj(ratio, 'denominator'));
    if (n !== '' && d !== '') return n + ' / ' + d;
  }
  q = periodText(obj(o, 'valuePeriod'));
  if (q !== '') return q;
  if (obj(o, 'valueSampledData') !== null) return 'sampled data';
  return '';
}

function hasCode(cc, code) {
  return codings(cc).some((c) => c.code === code);
}

function sumObservation(b) {
  const o = b.res;
  b.title(conceptText(obj(o, 'code')));
  b.codes(obj(o, 'code'));
  b.date('effectiveDateTime', 'effectivePeriod.start', 'effectiveInstant', 'issued');
  let v = value(o);
  let comps = objs(o, 'component');
  // Blood pressure: systolic and diastolic read as one value, "120/80 mmHg".
  let sys = -1;
  let dia = -1;
  comps.forEach((c, i) => {
    if (hasCode(obj(c, 'code'), '8480-6')) sys = i;
    else if (hasCode(obj(c, 'code'), '8462-4')) dia = i;
  });
  if (v === '' && sys >= 0 && dia >= 0) {
    const sq = obj(comps[sys], 'valueQuantity');
    const dq = obj(comps[dia], 'valueQuantity');
    const s = str(sq, 'value');
    const d = str(dq, 'value');
    if (s !== '' && d !== '') {
      v = s + '/' + d;
      let unit = str(sq, 'unit');
      if (unit === '') unit = str(sq, 'code');
      if (unit === 'mm[Hg]') unit = 'mmHg';
      if (unit !== '') v += ' ' + unit;
      comps = comps.filter((_, i) => i !== sys && i !== dia);
    }
  }
  if (v === '') {
    const dar = obj(o, 'dataAbsentReason');
    if (dar !== null) b.add('Value', 'not available (' + conceptText(dar) + ')');
  }
  b.add('Value', v);
  for (const c of comps) {
    const name = conceptText(obj(c, 'code'));
    const cv = value(c);
    if (name === '' || cv === '') continue;
    b.add(name, cv);
  }
  const interp = conceptsText(o, 'interpretation');
  if (interp !== '') b.add('Interpretation', interp);
  const rrs = objs(o, 'referenceRange');
  if (rrs.length > 0) {
    const t = rangeText(rrs[0]);
    b.add('Reference range', t !== '' ? t : str(rrs[0], 'text'));
  }
  b.add('Body site', conceptText(obj(o, 'bodySite')));
  b.add('Method', conceptText(obj(o, 'method')));
  for (const n of objs(o, 'note')) b.add('Note', str(n, 'text'));
}

function sumCondition(b) {
  const o = b.res;
  b.title(conceptText(obj(o, 'code')));
  b.codes(obj(o, 'code'));
  b.date('onsetDateTime', 'onsetPeriod.start', 'recordedDate', 'assertedDate');
  b.s.status = statusText(obj(o, 'clinicalStatus'));
  b.add('Status', b.s.status);
  const v = statusText(obj(o, 'verificationStatus'));
  if (v !== '' && v !== 'confirmed') b.add('Verification', v);
  b.add('Severity', conceptText(obj(o, 'severity')));
  const on = str(o, 'onsetDateTime');
  const onP = periodText(obj(o, 'onsetPeriod'));
  if (on !== '') b.add('Onset', dayText(on));
  else if (onP !== '') b.add('Onset', onP);
  else if (obj(o, 'onsetAge') !== null) b.add('Onset', 'age ' + quantity(obj(o, 'onsetAge')));
  else b.add('Onset', str(o, 'onsetString'));
  const ab = str(o, 'abatementDateTime');
  if (ab !== '') b.add('Resolved', dayText(ab));
  else b.add('Resolved', str(o, 'abatementString'));
  b.add('Body site', conceptsText(o, 'bodySite'));
  b.add('Category', conceptsText(o, 'category'));
  for (const n of objs(o, 'note')) b.add('Note', str(n, 'text'));
}

// medication finds the name and coding of the medication a resource is about.
function medication(o) {
  const cc = obj(o, 'medicationCodeableConcept');
  if (cc !== null) {
    const t = conceptText(cc);
    if (t !== '') return [t, cc];
  }
  const ref = obj(o, 'medicationReference');
  const r = str(ref, 'reference');
  if (r.startsWith('#')) {
    for (const c of objs(o, 'contained')) {
      if (str(c, 'id') === r.slice(1)) {
        const code = obj(c, 'code');
        if (conceptText(code) !== '') return [conceptText(code), code];
      }
    }
  }
  const d = referenceDisplay(ref);
  if (d !== '') return [d, null];
  return ['', null];
}

function sumMedicationUse(b) {
  const o = b.res;
  const [name, cc] = medication(o);
  b.title(name, 'Medication');
  b.codes(cc);
  switch (b.typ) {
    case 'MedicationRequest':
      b.date('authoredOn');
      break;
    case 'MedicationStatement':
      b.date('effectiveDateTime', 'effectivePeriod.start', 'dateAsserted');
      break;
    case 'MedicationAdministration':
      b.date('effectiveDateTime', 'effectivePeriod.start');
      break;
    case 'MedicationDispense':
      b.date('whenHandedOver', 'whenPrepared');
      break;
  }
  let dosages = objs(o, 'dosageInstruction');
  if (dosages.length === 0) dosages = objs(o, 'dosage');
  for (const d of dosages) b.add('Dosage', dosageText(d));
  const q = quantity(obj(o, 'quantity'));
  if (q !== '') b.add('Quantity', q);
  const ds = quantity(obj(o, 'daysSupply'));
  if (ds !== '') b.add('Supply', ds);
  let reasons = conceptsText(o, 'reasonCode');
  if (reasons === '') {
    const parts = [];
    for (const r of objs(o, 'reasonReference')) {
      const d = referenceDisplay(r);
      if (d !== '') appendUnique(parts, d);
    }
    reasons = parts.join(', ');
  }
  b.add('Reason', reasons);
  const req = obj(o, 'requester');
  if (req !== null) b.add('Prescriber', referenceDisplay(req));
  b.add('Intent', str(o, 'intent'));
  for (const n of objs(o, 'note')) b.add('Note', str(n, 'text'));
}

// dosageText renders a Dosage: its text, else dose, timing and route.
function dosageText(d) {
  const t = str(d, 'text');
  if (t !== '') return t;
  const parts = [];
  const dose = obj(d, 'dose');
  if (dose !== null) parts.push(quantity(dose)); // MedicationAdministration.dosage
  const drs = objs(d, 'doseAndRate');
  if (drs.length > 0) {
    const q = quantity(obj(drs[0], 'doseQuantity'));
    const r = rangeText(obj(drs[0], 'doseRange'));
    if (q !== '') parts.push(q);
    else if (r !== '') parts.push(r);
  }
  const tt = timingText(obj(d, 'timing'));
  if (tt !== '') parts.push(tt);
  const an = conceptText(obj(d, 'asNeededCodeableConcept'));
  if (str(d, 'asNeededBoolean') === 'yes') parts.push('as needed');
  else if (an !== '') parts.push('as needed for ' + an);
  let r = conceptText(obj(d, 'route'));
  if (r !== '') {
    r = r.toLowerCase();
    if (!r.includes('route')) r += ' route';
    parts.push(r);
  }
  return parts.filter((p) => p !== '').join(', ');
}

const periodUnits = new Map([
  ['s', ['second', 'seconds']], ['min', ['minute', 'minutes']], ['h', ['hour', 'hours']],
  ['d', ['day', 'days']], ['wk', ['week', 'weeks']], ['mo', ['month', 'months']], ['a', ['year', 'years']],
]);

function timingText(t) {
  if (t === null) return '';
  const c = conceptText(obj(t, 'code'));
  if (c !== '') return c;
  const r = obj(t, 'repeat');
  let freq = str(r, 'frequency');
  const period = str(r, 'period');
  const unit = str(r, 'periodUnit');
  if (period === '' || unit === '') return '';
  if (freq === '') freq = '1';
  const names = periodUnits.get(unit) ?? [unit, unit];
  let times = freq + ' times';
  if (freq === '1') times = 'once';
  else if (freq === '2') times = 'twice';
  if (period === '1') return times + ' a ' + names[0];
  return times + ' every ' + period + ' ' + names[1];
}

function sumMedication(b) {
  const o = b.res;
  b.title(conceptText(obj(o, 'code')));
  b.codes(obj(o, 'code'));
  b.add('Form', conceptText(obj(o, 'form')));
  b.add('Form', conceptText(obj(o, 'doseForm')));
  const ings = [];
  for (const ing of objs(o, 'ingredient')) {
    let name = conceptText(obj(ing, 'itemCodeableConcept'));
    if (name === '') name = referenceDisplay(obj(ing, 'itemReference'));
    if (name !== '') ings.push(name);
  }
  b.add('Ingredients', ings.join(', '));
  b.add('Manufacturer', referenceDisplay(obj(o, 'manufacturer')));
}

function sumAllergy(b) {
  const o = b.res;
  b.title(conceptText(obj(o, 'code')), 'Allergy');
  b.codes(obj(o, 'code'));
  b.date('onsetDateTime', 'onsetPeriod.start', 'recordedDate', 'lastOccurrence');
  b.s.status = statusText(obj(o, 'clinicalStatus'));
  b.add('Criticality', codeText(str(o, 'criticality')));
  b.add('Type', str(o, 'type'));
  const cats = [];
  for (const c of arr(o, 'category')) pushNonEmpty(cats, scalar(c));
  b.add('Category', cats.join(', '));
  for (const r of objs(o, 'reaction')) {
    let m = conceptsText(r, 'manifestation');
    if (m === '') m = str(r, 'description');
    const sev = str(r, 'severity');
    if (sev !== '' && m !== '') m += ' (' + sev + ')';
    b.add('Reaction', m);
  }
  b.add('Status', b.s.status);
  const v = statusText(obj(o, 'verificationStatus'));
  if (v !== '' && v !== 'confirmed') b.add('Verification', v);
  const on = str(o, 'onsetDateTime');
  if (on !== '') b.add('Onset', dayText(on));
}

function sumImmunization(b) {
  const o = b.res;
  b.title(conceptText(obj(o, 'vaccineCode')), 'Vaccination');
  b.codes(obj(o, 'vaccineCode'));
  b.date('occurrenceDateTime', 'recorded');
  const d = str(o, 'occurrenceDateTime');
  if (d !== '') b.add('Given', dayText(d));
  else b.add('Given', str(o, 'occurrenceString'));
  const q = quantity(obj(o, 'doseQuantity'));
  if (q !== '') b.add('Dose', q);
  for (const p of objs(o, 'protocolApplied')) {
    const n = str(p, 'doseNumberPositiveInt');
    if (n !== '') b.add('Dose number', n);
  }
  b.add('Lot', str(o, 'lotNumber'));
  b.add('Site', conceptText(obj(o, 'site')));
  b.add('Route', conceptText(obj(o, 'route')));
  b.add('Manufacturer', referenceDisplay(obj(o, 'manufacturer')));
  b.add('Location', referenceDisplay(obj(o, 'location')));
  if (str(o, 'status') === 'not-done') b.add('Not given', conceptText(obj(o, 'statusReason')));
}

function sumProcedure(b) {
  const o = b.res;
  b.title(conceptText(obj(o, 'code')), 'Procedure');
  b.codes(obj(o, 'code'));
  b.date('performedDateTime', 'performedPeriod.start');
  const p = periodText(obj(o, 'performedPeriod'));
  const pd = str(o, 'performedDateTime');
  if (p !== '') b.add('Performed', p);
  else if (pd !== '') b.add('Performed', dayText(pd));
  let reasons = conceptsText(o, 'reasonCode');
  if (reasons === '') {
    const parts = [];
    for (const r of objs(o, 'reasonReference')) appendUnique(parts, referenceDisplay(r));
    reasons = trimSpace(parts.join(', '));
  }
  b.add('Reason', reasons);
  b.add('Body site', conceptsText(o, 'bodySite'));
  b.add('Outcome', conceptText(obj(o, 'outcome')));
  for (const pf of objs(o, 'performer')) b.add('Performer', referenceDisplay(obj(pf, 'actor')));
}

const encounterClass = new Map(Object.entries({
  AMB: 'ambulatory', EMER: 'emergency', IMP: 'inpatient', ACUTE: 'inpatient acute',
  NONAC: 'inpatient non-acute', OBSENC: 'observation', PRENC: 'pre-admission',
  SS: 'short stay', VR: 'virtual', HH: 'home health', FLD: 'field',
}));

function sumEncounter(b) {
  const o = b.res;
  const types = objs(o, 'type');
  const t = conceptsText(o, 'type');
  const cls = obj(o, 'class');
  let classText = str(cls, 'display');
  if (classText === '') classText = encounterClass.get(str(cls, 'code')) ?? str(cls, 'code');
  b.title(t, conceptText(obj(o, 'serviceType')), titleCase(classText) + ' encounter', 'Encounter');
  for (const tt of types) b.codes(tt);
  b.date('period.start');
  b.add('Class', classText);
  b.add('When', periodText(obj(o, 'period')));
  b.add('Reason', conceptsText(o, 'reasonCode'));
  b.add('Provider', referenceDisplay(obj(o, 'serviceProvider')));
  for (const p of objs(o, 'participant')) b.add('With', referenceDisplay(obj(p, 'individual')));
  for (const l of objs(o, 'location')) b.add('Location', referenceDisplay(obj(l, 'location')));
}

function titleCase(s) {
  if (s === '') return '';
  const r = [...s];
  r[0] = r[0].toUpperCase();
  return r.join('');
}

function sumDiagnosticReport(b) {
  const o = b.res;
  b.title(conceptText(obj(o, 'code')), 'Report');
  b.codes(obj(o, 'code'));
  b.date('effectiveDateTime', 'effectivePeriod.start', 'issued');
  const results = [];
  for (const r of objs(o, 'result')) pushNonEmpty(results, referenceDisplay(r));
  if (results.length > 0) b.add('Results', `${results.length}: ${results.join('; ')}`);
  b.add('Conclusion', str(o, 'conclusion'));
  b.add('Conclusion', conceptsText(o, 'conclusionCode'));
  for (const p of objs(o, 'performer')) b.add('Performer', referenceDisplay(p));
  for (const f of objs(o, 'presentedForm')) b.add('Attachment', attachmentText(f));
}

function attachmentText(a) {
  const parts = [];
  pushNonEmpty(parts, str(a, 'title'));
  const ct = str(a, 'contentType');
  if (ct !== '') parts.push('(' + ct + ')');
  return parts.join(' ');
}

function sumDocumentReference(b) {
  const o = b.res;
  b.title(str(o, 'description'), conceptText(obj(o, 'type')), conceptsText(o, 'category'), 'Document');
  b.codes(obj(o, 'type'));
  b.date('date', 'created', 'indexed');
  if (b.s.date === null) b.s.date = dateOf(obj(o, 'context'), 'period.start');
  b.add('Type', conceptText(obj(o, 'type')));
  const authors = [];
  for (const a of objs(o, 'author')) pushNonEmpty(authors, referenceDisplay(a));
  b.add('Author', authors.join(', '));
  for (const c of objs(o, 'content')) b.add('Attachment', attachmentText(obj(c, 'attachment')));
  b.s.status = str(o, 'docStatus');
  if (b.s.status === '') b.s.status = str(o, 'status');
}

function sumComposition(b) {
  const o = b.res;
  b.title(str(o, 'title'), conceptText(obj(o, 'type')), 'Document');
  b.codes(obj(o, 'type'));
  b.date('date');
  b.add('Type', conceptText(obj(o, 'type')));
  const authors = [];
  for (const a of objs(o, 'author')) pushNonEmpty(authors, referenceDisplay(a));
  b.add('Author', authors.join(', '));
  const sections = [];
  for (const s of objs(o, 'section')) pushNonEmpty(sections, str(s, 'title'));
  b.add('Sections', sections.join(', '));
}

function sumCarePlan(b) {
  const o = b.res;
  b.title(str(o, 'title'), conceptsText(o, 'category'), str(o, 'description'), 'Care plan');
  for (const c of objs(o, 'category')) b.codes(c);
  b.date('period.start', 'created');
  b.add('Period', periodText(obj(o, 'period')));
  b.add('Description', str(o, 'description'));
  const acts = [];
  for (const a of objs(o, 'activity')) {
    const d = obj(a, 'detail');
    let t = conceptText(obj(d, 'code'));
    if (t === '') t = str(d, 'description');
    if (t !== '') appendUnique(acts, t);
  }
  b.add('Activities', acts.join('; '));
  const addr = [];
  for (const a of objs(o, 'addresses')) pushNonEmpty(addr, referenceDisplay(a));
  b.add('Addresses', addr.join(', '));
}

function sumCareTeam(b) {
  const o = b.res;
  b.title(str(o, 'name'), conceptsText(o, 'category'), 'Care team');
  for (const c of objs(o, 'category')) b.codes(c);
  b.date('period.start');
  b.add('Period', periodText(obj(o, 'period')));
  for (const p of objs(o, 'participant')) {
    let who = referenceDisplay(obj(p, 'member'));
    const role = conceptsText(p, 'role');
    if (role !== '' && who !== '') who += ' (' + role + ')';
    b.add('Member', who);
  }
  const reasons = [];
  for (const r of objs(o, 'reasonCode')) appendUnique(reasons, conceptText(r));
  b.add('Reason', reasons.join(', '));
  b.add('Organization', referenceDisplay(first(o, 'managingOrganization')));
}

function sumGoal(b) {
  const o = b.res;
  b.title(conceptText(obj(o, 'description')), 'Goal');
  b.codes(obj(o, 'description'));
  b.date('startDate', 'statusDate');
  b.s.status = str(o, 'lifecycleStatus');
  b.add('Status', b.s.status);
  b.add('Achievement', conceptText(obj(o, 'achievementStatus')));
  for (const t of objs(o, 'target')) {
    const measure = conceptText(obj(t, 'measure'));
    let det = quantity(obj(t, 'detailQuantity'));
    if (det === '') det = rangeText(obj(t, 'detailRange'));
    if (det === '') det = conceptText(obj(t, 'detailCodeableConcept'));
    if (det === '') det = str(t, 'detailString');
    let txt = measure + ': ' + det;
    if (txt.endsWith(': ')) txt = txt.slice(0, -2);
    txt = trimSpace(txt);
    if (txt.startsWith(': ')) txt = txt.slice(2);
    const due = str(t, 'dueDate');
    if (due !== '') txt = trimSpace(txt + ' by ' + dayText(due));
    b.add('Target', txt);
  }
}

const claimLabels = new Map([
  ['Claim', 'Claim'], ['ExplanationOfBenefit', 'Explanation of benefit'], ['ClaimResponse', 'Claim response'],
]);

function sumClaim(b) {
  const o = b.res;
  const kind = conceptText(obj(o, 'type'));
  const label = claimLabels.get(b.typ) ?? '';
  if (kind !== '') b.title(label + ' – ' + kind);
  b.title(label);
  b.codes(obj(o, 'type'));
  b.date('billablePeriod.start', 'created');
  const total = money(obj(o, 'total'));
  if (total !== '') b.add('Total', total); // Claim.total is Money
  for (const t of objs(o, 'total')) {
    // EOB, ClaimResponse: total is an array
    const cat = conceptText(obj(t, 'category'));
    const amt = money(obj(t, 'amount'));
    if (amt === '') continue;
    if (cat !== '') b.add('Total ' + cat.toLowerCase(), amt);
    else b.add('Total', amt);
  }
  const paid = money(obj(obj(o, 'payment'), 'amount'));
  if (paid !== '') b.add('Paid', paid);
  b.add('Provider', referenceDisplay(obj(o, 'provider')));
  b.add('Insurer', referenceDisplay(obj(o, 'insurer')));
  for (const ins of objs(o, 'insurance')) b.add('Coverage', referenceDisplay(obj(ins, 'coverage')));
  const items = [];
  for (const it of objs(o, 'item')) {
    const t = conceptText(obj(it, 'productOrService'));
    if (t !== '') appendUnique(items, t);
  }
  if (items.length > 0) b.add('Items', items.join('; '));
  b.add('Outcome', str(o, 'outcome'));
  b.add('Period', periodText(obj(o, 'billablePeriod')));
}

function sumCoverage(b) {
  const o = b.res;
  const payors = [];
  for (const p of objs(o, 'payor')) pushNonEmpty(payors, referenceDisplay(p));
  b.title(conceptText(obj(o, 'type')), payors.join(', '), 'Insurance coverage');
  b.codes(obj(o, 'type'));
  b.date('period.start');
  b.add('Payor', payors.join(', '));
  b.add('Period', periodText(obj(o, 'period')));
  b.add('Subscriber ID', str(o, 'subscriberId'));
  b.add('Relationship', conceptText(obj(o, 'relationship')));
  for (const c of objs(o, 'class')) {
    const name = conceptText(obj(c, 'type'));
    let v = str(c, 'value');
    const n = str(c, 'name');
    if (n !== '') v += ' (' + n + ')';
    if (name !== '') b.add(titleCase(name), v);
  }
}

function sumDevice(b) {
  const o = b.res;
  const names = [];
  for (const n of objs(o, 'deviceName')) pushNonEmpty(names, str(n, 'name'));
  let udi = '';
  for (const u of objs(o, 'udiCarrier')) {
    const s = str(u, 'deviceIdentifier');
    if (s !== '') {
      udi = s;
      break;
    }
  }
  b.title(names.join(', '), conceptText(obj(o, 'type')), str(o, 'modelNumber'), 'Device');
  b.codes(obj(o, 'type'));
  b.add('Type', conceptText(obj(o, 'type')));
  b.add('Manufacturer', str(o, 'manufacturer'));
  b.add('Model', str(o, 'modelNumber'));
  b.add('UDI', udi);
  const exp = str(o, 'expirationDate');
  if (exp !== '') b.add('Expires', dayText(exp));
}

function sumQuestionnaireResponse(b) {
  const o = b.res;
  let q = str(o, 'questionnaire');
  const i = Math.max(q.lastIndexOf('/'), q.lastIndexOf('#'));
  if (i >= 0 && i < q.length - 1) q = q.slice(i + 1);
  b.title(q !== '' ? 'Questionnaire response: ' + q : 'Questionnaire response');
  b.date('authored');
  const walk = (items, depth) => {
    if (depth > 5) return;
    for (const it of items) {
      const answers = [];
      for (const a of objs(it, 'answer')) {
        const v = answerText(a);
        if (v !== '') answers.push(v);
        walk(objs(a, 'item'), depth + 1);
      }
      let t = str(it, 'text');
      if (t !== '' && answers.length > 0) {
        if (t.endsWith(':')) t = t.slice(0, -1);
        b.add(t, answers.join(', '));
      }
      walk(objs(it, 'item'), depth + 1);
    }
  };
  walk(objs(o, 'item'), 0);
}

function answerText(a) {
  for (const k of Object.keys(a)) {
    if (!k.startsWith('value')) continue;
    switch (k) {
      case 'valueCoding': {
        const c = obj(a, k);
        const d = str(c, 'display');
        return d !== '' ? d : str(c, 'code');
      }
      case 'valueQuantity':
        return quantity(obj(a, k));
      case 'valueDate':
      case 'valueDateTime':
        return dayText(str(a, k));
      case 'valueReference':
        return referenceDisplay(obj(a, k));
      case 'valueAttachment':
        return attachmentText(obj(a, k));
    }
    return str(a, k);
  }
  return '';
}

function sumAppointment(b) {
  const o = b.res;
  b.title(str(o, 'description'), conceptsText(o, 'serviceType'), conceptText(obj(o, 'appointmentType')), 'Appointment');
  b.date('start', 'created');
  const s = str(o, 'start');
  if (s !== '') {
    const p = parseDate(s);
    if (p !== null) b.add('When', `${dayOf(p)} ${timeOf(s)}`);
  }
  b.add('Reason', conceptsText(o, 'reasonCode'));
  for (const p of objs(o, 'participant')) b.add('With', referenceDisplay(obj(p, 'actor')));
}

// timeOf is the "15:04" of a dateTime as written ("00:00" for a date).
function timeOf(s) {
  const m = dateForm.exec(trimSpace(s));
  return m !== null && m[4] !== undefined ? `${m[4]}:${m[5]}` : '00:00';
}

function sumBundle(b) {
  const o = b.res;
  const t = str(o, 'type');
  if (t !== '') b.title('Bundle (' + codeText(t) + ')');
  b.date('timestamp', 'meta.lastUpdated');
  b.add('Entries', String(arr(o, 'entry').length));
}

const summarizers = new Map(Object.entries({
  Patient: sumPatient,
  Practitioner: sumPerson,
  RelatedPerson: sumPerson,
  Person: sumPerson,
  PractitionerRole: sumPractitionerRole,
  Organization: sumOrganization,
  Location: sumOrganization,
  Observation: sumObservation,
  Condition: sumCondition,
  MedicationStatement: sumMedicationUse,
  MedicationRequest: sumMedicationUse,
  MedicationAdministration: sumMedicationUse,
  MedicationDispense: sumMedicationUse,
  Medication: sumMedication,
  MedicationKnowledge: sumMedication,
  AllergyIntolerance: sumAllergy,
  Immunization: sumImmunization,
  Procedure: sumProcedure,
  Encounter: sumEncounter,
  DiagnosticReport: sumDiagnosticReport,
  DocumentReference: sumDocumentReference,
  Composition: sumComposition,
  CarePlan: sumCarePlan,
  CareTeam: sumCareTeam,
  Goal: sumGoal,
  Claim: sumClaim,
  ExplanationOfBenefit: sumClaim,
  ClaimResponse: sumClaim,
  Coverage: sumCoverage,
  Device: sumDevice,
  QuestionnaireResponse: sumQuestionnaireResponse,
  Appointment: sumAppointment,
  Bundle: sumBundle,
}));

// categoryOf is a resource's category, as summarize gives it (Go's
// categoryFor), without the rest of the summary.
export function categoryOf(res) {
  return categoryFor(str(res, 'resourceType'), isObject(res) ? res : null);
}
