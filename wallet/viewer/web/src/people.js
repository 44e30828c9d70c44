// A share is about one person (issue 12): the people the shown records are
// about, one per distinct Patient resource, and the warning when there is
// more than one — a port of wallet/receive_people.go, so the page says what
// `hw receive` and the app say, word for word.
import { summarize } from './summary.js';

// maxNamed is how many people the warning names; the rest are counted.
const maxNamed = 5;

const months = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

// Go's unicode.IsSpace, as strings.Fields splits on it.
const spaces = /[\t\n\v\f\r \u0085\u00a0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]+/u;

const fields = (s) => s.split(spaces).filter(Boolean);

/**
 * printableText is s without control characters and with its spaces
 * collapsed, at most max UTF-8 bytes (then "…"): receive_people.go's
 * printableText. The names in a share are the sender's words.
 */
export function printableText(s, max) {
  let out = '';
  for (const ch of String(s)) {
    const c = ch.codePointAt(0);
    out += c < 0x20 || c === 0x7f || (c >= 0x80 && c < 0xa0) ? ' ' : ch;
  }
  out = fields(out).join(' ');
  const bytes = new TextEncoder().encode(out);
  if (bytes.length <= max) return out;
  let cut = max;
  while (cut > 0 && (bytes[cut] & 0xc0) === 0x80) cut--;
  return new TextDecoder().decode(bytes.slice(0, cut)) + '…';
}

/** dayText is a YYYY-MM-DD date as "10 Dec 1985", or null when it is not a valid one (Go's time.Parse). */
function dayText(s) {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(s);
  if (!m) return null;
  const [y, mo, d] = [Number(m[1]), Number(m[2]), Number(m[3])];
  const t = new Date(Date.UTC(y, mo - 1, d));
  if (mo < 1 || mo > 12 || d < 1 || t.getUTCMonth() !== mo - 1 || t.getUTCDate() !== d) return null;
  return `${d} ${months[mo - 1]} ${m[1]}`;
}

/** personText names a person as the warning does: "Ada Lovelace (born 10 Dec 1985)". */
export function personText(p) {
  let name = p.name || 'a patient without a name';
  const born = dayText(p.birthDate);
  if (born) name += ` (born ${born})`;
  else if (p.birthDate) name += ` (born ${p.birthDate})`;
  return name;
}

const stringOrAbsent = (v) => v === undefined || v === null || typeof v === 'string';

/**
 * receivedPatients lists the distinct people the records' Patient
 * resources describe, in the records' order, as [{name, birthDate}]. Two
 * Patient resources are the same person when they give the same name
 * (ignoring case and spacing) and birth date, or the same id when they
 * give neither.
 */
export function receivedPatients(records) {
  const out = [];
  const seen = new Set();
  for (const r of records || []) {
    if (!r || typeof r !== 'object' || Array.isArray(r)) continue;
    // Go reads resourceType, id and birthDate as strings: any other type is not a Patient it reads.
    if (!stringOrAbsent(r.resourceType) || !stringOrAbsent(r.id) || !stringOrAbsent(r.birthDate) || r.resourceType !== 'Patient') continue;
    const p = { name: '', birthDate: printableText(r.birthDate || '', 40) };
    const title = summarize(r, 'Patient').title;
    if (title !== '' && title !== 'Patient') p.name = printableText(title, 200);
    let key = fields(p.name.toLowerCase()).join(' ') + '|' + p.birthDate;
    if (p.name === '' && p.birthDate === '') key = 'id|' + (r.id || '');
    if (seen.has(key)) continue;
    seen.add(key);
    out.push(p);
  }
  return out;
}

/** morePeopleWarning is the warning of records about more than one person; '' when they are about one at most. */
export function morePeopleWarning(people) {
  if (people.length < 2) return '';
  const names = people.slice(0, maxNamed).map(personText);
  let list = names.join(', ');
  if (people.length > names.length) list += ` and ${people.length - names.length} more`;
  return `this share holds records about ${people.length} different people: ${list}. Check with the patient which records ` +
    'are theirs before relying on any of them';
}
