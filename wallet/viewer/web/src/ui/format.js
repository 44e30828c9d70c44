// How the page writes dates, ages, purposes and addresses: one place, so the
// header, the verdict and the chart agree.
import { dayOf, parseDate } from '../summary.js';

const monthNames = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

/** dateTimeText writes a Date (an instant) in the viewer's own time zone: "5 Dec 2026, 14:05". */
export function dateTimeText(d) {
  if (!(d instanceof Date) || Number.isNaN(d.getTime())) return '';
  const hh = String(d.getHours()).padStart(2, '0');
  const mm = String(d.getMinutes()).padStart(2, '0');
  return `${d.getDate()} ${monthNames[d.getMonth()]} ${d.getFullYear()}, ${hh}:${mm}`;
}

/** recordDateText writes a summary's date as the record wrote it: "9 Mar 2020" (or "Mar 2020", "2020"). */
export function recordDateText(date) {
  if (date === null) return '';
  if (date.precision === 4) return String(date.y);
  if (date.precision === 7) return `${monthNames[date.m - 1]} ${date.y}`;
  return dayOf(date);
}

/**
 * birthText writes a FHIR birth date with the age it gives at now:
 * "29 Apr 2009 (16 years)"; babies' ages are in months. An unreadable date
 * is shown as written.
 */
export function birthText(birthDate, now) {
  const p = parseDate(birthDate);
  if (p === null) return birthDate;
  const shown = recordDateText(p);
  let months = (now.getFullYear() - p.y) * 12 + (now.getMonth() + 1 - p.m);
  if (p.precision > 7 && now.getDate() < p.d) months--;
  if (months < 0) return shown;
  const age = months < 24 ? `${months} month${months === 1 ? '' : 's'}` : `${Math.floor(months / 12)} years`;
  return `${shown} (${age})`;
}

/** The purposes the form offers first, in the words a clinician uses. */
export const mainPurposes = [
  { code: 'TREAT', label: 'Treatment' },
  { code: 'ETREAT', label: 'Emergency treatment' },
  { code: 'CAREMGT', label: 'Care coordination' },
  { code: 'PATRQT', label: "Patient's request" },
];

/** purposeText names a PurposeOfUse code: "Treatment (TREAT)". */
export function purposeText(code, all) {
  const main = mainPurposes.find((p) => p.code === code);
  if (main) return `${main.label} (${code})`;
  const other = all.find((p) => p.code === code);
  return other ? `${capitalize(other.display)} (${code})` : code;
}

export function capitalize(s) {
  return s === '' ? s : s[0].toUpperCase() + s.slice(1);
}

/** shortAddress abbreviates a 0x… address for reading: 0x1234…abcd. */
export function shortAddress(a) {
  return typeof a === 'string' && a.length > 14 ? `${a.slice(0, 6)}…${a.slice(-4)}` : String(a ?? '');
}
