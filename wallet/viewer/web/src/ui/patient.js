// The patient header: who these records are about — name, birth date with
// age, sex and identifiers (MRN…). Never the address: a clinician does not
// need it to recognise the patient, and a screen is often seen by others.
import { bestName, codings, conceptText, obj, objs, parseDate, str } from '../summary.js';
import { el } from './dom.js';
import { birthText, capitalize, recordDateText } from './format.js';

// Names of the identifier types people know (HL7 v2 table 0203).
const identifierTypes = new Map([
  ['MR', 'MRN'], ['MRN', 'MRN'], ['SS', 'SSN'], ['DL', "Driver's licence"], ['PPN', 'Passport'],
  ['NI', 'National ID'], ['NH', 'NHS number'], ['JHN', 'Health number'], ['PI', 'Patient ID'],
  ['SB', 'Social beneficiary ID'], ['MA', 'Medicaid'], ['MC', 'Medicare'], ['TAX', 'Tax ID'],
]);

const maxIdentifiers = 5;

function identifierLabel(id) {
  const type = obj(id, 'type');
  for (const c of codings(type)) if (identifierTypes.has(c.code)) return identifierTypes.get(c.code);
  const t = conceptText(type);
  if (t !== '') return t;
  const system = str(id, 'system');
  const tail = system.split(/[/:]/).filter(Boolean).pop();
  return tail ? tail : 'ID';
}

/**
 * patientInfo reads who the records are about from their Patient resources
 * (the first one; records about more than one person are the Result's
 * warnings, see people.js), or, without one, from what the share says about
 * the patient. It answers {name, brief ("Born 29 Apr 2009 (16 years) ·
 * Female"), facts (a <dl> of the identifiers, and the date of death)}.
 */
export function patientInfo(patients, sharePatient, now) {
  const facts = el('dl', { class: 'patient-facts' });
  const brief = [];
  if (patients.length === 0) {
    const born = sharePatient?.birthDate || '';
    if (born !== '') brief.push(`Born ${birthText(born, now)}`);
    return { name: sharePatient?.name || 'Patient not named in these records', brief: brief.join(' · '), facts };
  }
  const p = patients[0];
  const name = bestName(p) || sharePatient?.name || 'Unnamed patient';
  const born = str(p, 'birthDate');
  if (born !== '') brief.push(`Born ${birthText(born, now)}`);
  const gender = str(p, 'gender');
  if (gender !== '') brief.push(capitalize(gender));
  const died = str(p, 'deceasedDateTime');
  if (died !== '') fact(facts, 'Died', recordDateText(parseDate(died)) || died);
  else if (str(p, 'deceasedBoolean') === 'yes') fact(facts, 'Died', 'yes');
  for (const [label, value] of identifiers(p)) fact(facts, label, value);
  return { name, brief: brief.join(' · '), facts };
}

// identifiers lists the patient's identifiers as [label, value], those of a
// known type first (MRN before the others), each value once.
function identifiers(p) {
  const known = [...identifierTypes.keys()];
  const rank = (id) => {
    const i = codings(obj(id, 'type')).map((c) => known.indexOf(c.code)).filter((k) => k >= 0);
    return i.length > 0 ? Math.min(...i) : known.length;
  };
  const ids = objs(p, 'identifier').filter((id) => str(id, 'value') !== '')
    .map((id, i) => ({ id, i, r: rank(id) }))
    .sort((a, b) => a.r - b.r || a.i - b.i);
  const seen = new Set();
  const out = [];
  for (const { id } of ids) {
    const value = str(id, 'value');
    if (seen.has(value)) continue;
    seen.add(value);
    out.push([identifierLabel(id), value]);
  }
  return out.slice(0, maxIdentifiers);
}

function fact(dl, label, value) {
  dl.append(el('div', { class: 'fact' }, el('dt', { text: label }), el('dd', { text: value })));
}
