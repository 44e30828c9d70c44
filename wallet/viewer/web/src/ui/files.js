// Kept files (a PDF, a photo) on their record's card. A file whose size and
// SHA-256 were checked against what the patient committed to (attachment.js,
// verify.js) gets a Download button, and an image a preview; both are made
// from the bytes in memory through a blob: URL, never fetched again, never
// stored. A file that was not verified (altered, cut, missing, or on a
// record outside the consent) is named as not verified, with no download.
import { ATTACHMENT_SHA256 } from '../attachment.js';
import { el } from './dom.js';

// Images the page previews: types an <img> shows and that run no script.
const previewTypes = new Set(['image/png', 'image/jpeg', 'image/gif', 'image/webp']);

// File name extensions by content type, for a title that has none.
const extensions = new Map([
  ['application/pdf', '.pdf'], ['image/png', '.png'], ['image/jpeg', '.jpg'], ['image/gif', '.gif'], ['image/webp', '.webp'],
  ['image/heic', '.heic'], ['image/tiff', '.tiff'], ['text/plain', '.txt'], ['application/xml', '.xml'], ['text/xml', '.xml'],
]);

/** sizeText writes a byte count for people: "812 bytes", "34 KB", "10.5 MB". */
export function sizeText(n) {
  if (n < 1000) return `${n} byte${n === 1 ? '' : 's'}`;
  if (n < 1_000_000) return `${Math.round(n / 1000)} KB`;
  return `${(n / 1_000_000).toFixed(1)} MB`;
}

/** fileName names a downloaded file after its title, with an extension from its type. */
export function fileName(title, contentType) {
  let name = String(title || 'document').replace(/[\\/:*?"<>|\u0000-\u001f]+/g, '-').replace(/^[.\s-]+|[.\s-]+$/g, '').slice(0, 100) || 'document';
  const ext = extensions.get(String(contentType || '').toLowerCase().split(';')[0].trim());
  if (ext && !name.toLowerCase().endsWith(ext) && !(ext === '.jpg' && name.toLowerCase().endsWith('.jpeg'))) name += ext;
  return name;
}

function kindText(contentType) {
  const t = String(contentType || '').toLowerCase();
  if (t === 'application/pdf') return 'PDF';
  if (t.startsWith('image/')) return 'Image';
  if (t.startsWith('text/')) return 'Text';
  return 'File';
}

/**
 * keptFiles renders the files of one record's card: files are the verified
 * ones ({title, contentType, size, sha256, data}); every other attachment of
 * the record that claims a kept file (the SHA-256 extension) is listed as
 * not verified. Returns null when the record keeps no file.
 */
export function keptFiles(resource, files) {
  const rows = files.map((f) => verifiedFile(f));
  for (const a of claimedAttachments(resource)) {
    const sum = a.sha256.toLowerCase();
    if (files.some((f) => f.sha256 === sum)) continue;
    rows.push(el('div', { class: 'kept-file not-verified', attrs: { 'data-verified': 'false' } },
      el('p', { class: 'kept-file-name', text: a.title || 'Attached file' }),
      el('p', { class: 'kept-file-status', text: 'Not verified: this file could not be checked against what the patient committed to, so it is not offered for download.' })));
  }
  return rows.length > 0 ? el('div', { class: 'kept-files' }, rows) : null;
}

// claimedAttachments are a DocumentReference's attachments that say they
// carry a kept file (with its SHA-256).
function claimedAttachments(resource) {
  const out = [];
  if (!resource || resource.resourceType !== 'DocumentReference' || !Array.isArray(resource.content)) return out;
  for (const c of resource.content) {
    const a = c && typeof c === 'object' ? c.attachment : null;
    if (!a || typeof a !== 'object' || !Array.isArray(a.extension)) continue;
    const ext = a.extension.find((e) => e && e.url === ATTACHMENT_SHA256 && typeof e.valueString === 'string');
    if (ext) out.push({ title: typeof a.title === 'string' ? a.title : '', sha256: ext.valueString });
  }
  return out;
}

function verifiedFile(f) {
  const name = fileName(f.title, f.contentType);
  const download = () => {
    // octet-stream: the browser saves the bytes, it never renders them here.
    const url = URL.createObjectURL(new Blob([f.data], { type: 'application/octet-stream' }));
    const a = el('a', { attrs: { href: url, download: name, hidden: true } });
    document.body.append(a);
    a.click();
    a.remove();
    setTimeout(() => URL.revokeObjectURL(url), 60000);
  };
  const row = el('div', { class: 'kept-file', attrs: { 'data-verified': 'true' } },
    el('p', { class: 'kept-file-name', text: f.title || name }),
    el('p', { class: 'kept-file-status', text: `${kindText(f.contentType)}, ${sizeText(f.size)} — size and SHA-256 checked` }),
    el('button', { class: 'action download-file', text: 'Download', attrs: { type: 'button', 'aria-label': `Download ${name}` }, on: { click: download } }));
  const type = String(f.contentType || '').toLowerCase();
  if (previewTypes.has(type)) {
    const url = URL.createObjectURL(new Blob([f.data], { type }));
    row.append(el('img', { class: 'kept-file-preview', attrs: { src: url, alt: `Preview of ${f.title || name}` } }));
  }
  return row;
}
