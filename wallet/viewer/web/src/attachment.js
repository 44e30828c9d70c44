// Files kept by the patient (a PDF, a photo) travel in a share inside their
// DocumentReference, as content[i].attachment.data (base64). A port of
// wallet/share/attachment.go: the data must decode to the attachment's size
// and SHA-256 extension (and FHIR's SHA-1 hash when given); it is then taken
// out, and the record without it is matched to its commitment. The same
// messages as Go, so the page and `hw receive` say the same thing.
import { sha256 } from '@noble/hashes/sha2.js';
import { sha1 } from '@noble/hashes/legacy.js';
import { bytesToHex, printable } from './bytes.js';

export const ATTACHMENT_SHA256 = 'urn:healthwallet:fhir:attachment-sha256';
export const MAX_ATTACHMENT_SIZE = 16 << 20;

function quote(s) {
  return JSON.stringify(printable(s, 80));
}

function attachmentName(a, i) {
  return typeof a.title === 'string' && a.title !== '' ? `attachment ${quote(a.title)}` : `attachment ${i}`;
}

function sha256Extension(a) {
  if (!Array.isArray(a.extension)) return null;
  for (const e of a.extension) {
    if (e && e.url === ATTACHMENT_SHA256) return typeof e.valueString === 'string' ? e.valueString : '';
  }
  return null;
}

function wellFormed(a) {
  const str = (v) => v === undefined || v === null || typeof v === 'string';
  if (!str(a.title) || !str(a.contentType) || !str(a.data) || !str(a.hash)) return false;
  if (a.size !== undefined && a.size !== null && !Number.isSafeInteger(a.size)) return false;
  if (a.extension !== undefined && a.extension !== null && !Array.isArray(a.extension)) return false;
  return true;
}

function decodeBase64(s) {
  if (s.length % 4 !== 0 || !/^[A-Za-z0-9+/]*={0,2}$/.test(s)) throw new Error('not base64');
  const bin = atob(s);
  const out = new Uint8Array(bin.length);
  for (let i = 0; i < bin.length; i++) out[i] = bin.charCodeAt(i);
  return out;
}

function toBase64(b) {
  let s = '';
  for (let i = 0; i < b.length; i += 0x8000) s += String.fromCharCode(...b.subarray(i, i + 0x8000));
  return btoa(s);
}

function checkData(a) {
  const want = sha256Extension(a);
  if (!/^[0-9a-fA-F]{64}$/.test(want)) throw new Error('its SHA-256 extension is not 64 hex digits');
  if (a.size === undefined || a.size === null) throw new Error('its data has no size to be checked against');
  const len = typeof a.data === 'string' ? a.data.length : 0;
  if ((len / 4) * 3 > MAX_ATTACHMENT_SIZE + 3) throw new Error(`its data is over ${MAX_ATTACHMENT_SIZE} bytes`);
  let data;
  try {
    data = decodeBase64(a.data || '');
  } catch {
    throw new Error('its data is not base64');
  }
  if (data.length !== a.size) throw new Error(`its data is ${data.length} bytes, the record says ${a.size}: the file was cut or swapped`);
  if (bytesToHex(sha256(data)).slice(2) !== want.toLowerCase()) {
    throw new Error("its data's SHA-256 is not the one the record states: the file was swapped or altered");
  }
  if (typeof a.hash === 'string' && a.hash !== '' && toBase64(sha1(data)) !== a.hash) {
    throw new Error("its data's SHA-1 is not the record's hash: the file was swapped or altered");
  }
  return data;
}

/**
 * receiveAttachments checks the files a received DocumentReference carries
 * on its attachments that have the SHA-256 extension. It returns the
 * resource without them (a copy), the files, and a problem naming the
 * attachment when one does not match or is missing ('' when none).
 */
export function receiveAttachments(resource) {
  const none = { resource, files: [], problem: '' };
  if (!resource || typeof resource !== 'object' || Array.isArray(resource) || resource.resourceType !== 'DocumentReference') return none;
  if (!Array.isArray(resource.content)) return none;
  const copy = structuredClone(resource);
  const files = [];
  const ref = typeof copy.id === 'string' && copy.id !== '' ? `DocumentReference/${copy.id}` : '';
  for (const [i, c] of copy.content.entries()) {
    const a = c && typeof c === 'object' && !Array.isArray(c) ? c.attachment : null;
    if (!a || typeof a !== 'object' || Array.isArray(a)) continue;
    if (!wellFormed(a)) return { resource, files: [], problem: `attachment ${i} is malformed` };
    const sum = sha256Extension(a);
    if (sum === null) continue;
    if (!('data' in a)) {
      return { resource, files: [], problem: `${attachmentName(a, i)}: its file was not received: the share carries each kept file with its record, so it was taken out` };
    }
    let data;
    try {
      data = checkData(a);
    } catch (e) {
      return { resource, files: [], problem: `${attachmentName(a, i)}: ${e.message}` };
    }
    files.push({ record: ref, title: a.title || '', contentType: a.contentType || '', size: data.length, sha256: sum.toLowerCase(), data });
    delete a.data;
  }
  if (files.length === 0) return none;
  return { resource: copy, files, problem: '' };
}

/** The reason a record whose file checked out matches no commitment: its size or SHA-256 was changed. */
export function changedFileReason(files) {
  return `its attachment ${quote(files[0].title)} is not the file the patient committed to: the record's size or SHA-256 was changed`;
}
