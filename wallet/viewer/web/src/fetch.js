// Fetching what a link resolves to: a port of wallet/share/manifest.go
// (Fetch, ParseManifest). The manifest request is a POST of {recipient,
// passcode?, purpose?, embeddedLengthMax}; a U-flag link is one GET with
// ?recipient=…&purpose=…. The link's key is never in any request: only
// the files it decrypts are fetched with it.
import { ViewerError, fromUTF8, printable, readLimited, rfc1123 } from './bytes.js';
import { JWEError, MAX_FILE_SIZE, MAX_JWE_SIZE, decryptJWE } from './jwe.js';
import { checkTransport, checkURL, linkOnLAN, sameOrigin, unsupportedVersion } from './link.js';

/** Content types of the files behind a link. */
export const CT_SHC = 'application/smart-health-card';
export const CT_FHIR = 'application/fhir+json';
export const CT_PROOF = 'application/vnd.healthwallet.proof+json';
const CT_API = 'application/smart-api-access';

const MAX_MANIFEST_SIZE = MAX_JWE_SIZE;
const MAX_MANIFEST_FILES = 1000;
const MAX_ERROR_BODY = 16 << 10;
const MAX_TOTAL_PLAINTEXT = 4 * MAX_FILE_SIZE;

/**
 * FetchError is a link that could not be fetched. kind: 'expired' (the
 * link's exp is past, nothing sent), 'passcode-required', 'passcode'
 * (remainingAttempts, -1 when the server did not say), 'not-found' (404),
 * 'busy' (429, retryAfter seconds), 'unreachable', 'http', 'bad-manifest',
 * 'unsafe' (plain http where it is refused), 'version', 'too-large',
 * 'decrypt' (a file did not open with the key: the "files decrypted" check).
 */
export class FetchError extends ViewerError {
  constructor(kind, message, extra = {}) {
    super(message);
    this.kind = kind;
    Object.assign(this, extra);
  }
}

/** passcodeMessage is PasscodeError's text. */
function passcodeMessage(n) {
  if (n < 0) return 'wrong passcode';
  if (n === 0) return 'wrong passcode: no attempts left, the link is now disabled';
  if (n === 1) return 'wrong passcode: 1 attempt left';
  return `wrong passcode: ${n} attempts left`;
}

/**
 * parseManifest reads a manifest response as manifest.go's ParseManifest:
 * a JSON object with at most 1000 files, each with a contentType and an
 * embedded JWE or an http(s) location. Unknown members are ignored.
 */
export function parseManifest(text) {
  const badManifest = (m) => new FetchError('bad-manifest', `the server sent an invalid manifest: ${m}`);
  if (text.length > MAX_MANIFEST_SIZE) throw badManifest(`${text.length} bytes, at most ${MAX_MANIFEST_SIZE}`);
  let raw;
  try {
    raw = JSON.parse(text);
  } catch (e) {
    throw badManifest(e.message);
  }
  if (raw === null || typeof raw !== 'object' || Array.isArray(raw)) throw badManifest('not a JSON object');
  const files = raw.files ?? [];
  if (!Array.isArray(files)) throw badManifest('files is not an array');
  if (files.length > MAX_MANIFEST_FILES) throw badManifest(`${files.length} files, at most ${MAX_MANIFEST_FILES}`);
  const out = { list: raw.list ?? null, files: [] };
  files.forEach((f, i) => {
    if (f === null || typeof f !== 'object' || Array.isArray(f)) throw badManifest(`file ${i}: not an object`);
    for (const k of ['contentType', 'location', 'embedded']) {
      if (f[k] !== undefined && f[k] !== null && typeof f[k] !== 'string') throw badManifest(`file ${i}: ${k} is not a string`);
    }
    const e = { contentType: f.contentType || '', location: f.location || '', embedded: f.embedded || '' };
    if (e.contentType === '') throw badManifest(`file ${i} has no contentType`);
    if (e.embedded === '' && e.location === '') throw badManifest(`file ${i} has neither embedded content nor a location`);
    if (e.embedded === '') {
      let u = null;
      try {
        u = new URL(e.location);
      } catch {}
      if (!u || (u.protocol !== 'https:' && u.protocol !== 'http:') || u.host === '') {
        throw badManifest(`file ${i}: location "${printable(e.location, 100)}" is not an http(s) URL`);
      }
    }
    out.files.push(e);
  });
  return out;
}

/**
 * fetchShare resolves a parsed link to its decrypted files.
 * @param {object} link from parseLink
 * @param {{recipient: string, passcode?: string, purpose?: string, embeddedLengthMax?: number,
 *          fetch?: typeof fetch, now?: Date, subtle?: SubtleCrypto|null}} opts
 * @returns {Promise<{files: {contentType: string, plaintext: Uint8Array}[], list: any}>}
 * Throws FetchError.
 */
export async function fetchShare(link, opts) {
  const now = opts.now || new Date();
  const doFetch = opts.fetch || globalThis.fetch.bind(globalThis);
  if (link.v > 1) throw new FetchError('version', unsupportedVersion(link.v).message);
  if (link.exp !== undefined && now.getTime() >= link.exp * 1000) {
    throw new FetchError('expired', `this link has expired (on ${rfc1123(new Date(link.exp * 1000))})`);
  }
  if (link.flag.includes('P') && !opts.passcode) throw new FetchError('passcode-required', 'this link needs a passcode');
  if (!opts.recipient || !opts.recipient.trim()) {
    throw new FetchError('http', 'a recipient (who is opening the link) is required');
  }
  checkURL(link.url);
  checkLinkTransport(link);
  const ctx = { doFetch, link, subtle: opts.subtle };
  if (link.flag.includes('U')) {
    const u = new URL(link.url);
    u.searchParams.set('recipient', opts.recipient);
    if (opts.purpose) u.searchParams.set('purpose', opts.purpose);
    const body = await request(ctx, u.toString(), { method: 'GET' }, MAX_JWE_SIZE);
    const file = await decrypt(ctx, fromUTF8(body), "the link's file");
    return { files: [{ contentType: file.cty || sniffContentType(file.plaintext), plaintext: file.plaintext }], list: null };
  }
  const req = { recipient: opts.recipient };
  if (opts.passcode) req.passcode = opts.passcode;
  if (opts.embeddedLengthMax) req.embeddedLengthMax = opts.embeddedLengthMax;
  if (opts.purpose) req.purpose = opts.purpose;
  const body = await request(
    ctx,
    link.url,
    { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(req) },
    MAX_MANIFEST_SIZE,
  );
  const doc = parseManifest(fromUTF8(body));
  const files = [];
  let total = 0;
  for (const [i, e] of doc.files.entries()) {
    let jwe = e.embedded;
    if (jwe === '') {
      checkFileTransport(e.location, link, `file ${i}: `);
      jwe = fromUTF8(await request(ctx, e.location, { method: 'GET' }, MAX_JWE_SIZE, `file ${i}: `));
    }
    const f = await decrypt(ctx, jwe, `file ${i} (${e.contentType})`);
    total += f.plaintext.length;
    if (total > MAX_TOTAL_PLAINTEXT) {
      throw new FetchError('too-large', `the file is too large: the files add up to more than ${MAX_TOTAL_PLAINTEXT} bytes`);
    }
    files.push({ contentType: e.contentType, plaintext: f.plaintext });
  }
  return { files, list: doc.list };
}

async function decrypt(ctx, jwe, what) {
  try {
    return await decryptJWE(jwe, ctx.link.key, { subtle: ctx.subtle });
  } catch (e) {
    if (e instanceof JWEError && e.kind === 'too-large') throw new FetchError('too-large', `${what}: ${e.message}`);
    throw new FetchError('decrypt', `${what}: ${e.message}`);
  }
}

/** checkLinkTransport: plain http on the LAN only for a link without a passcode. */
function checkLinkTransport(link) {
  try {
    checkTransport(link.url, true);
  } catch (e) {
    throw new FetchError('unsafe', `the link cannot be opened safely: ${e.message}`);
  }
  if (link.flag.includes('P') && linkOnLAN(link)) {
    throw new FetchError(
      'unsafe',
      'the link cannot be opened safely: plain http is refused: this link asks for a passcode over plain http, so the passcode ' +
        'would travel unprotected over the Wi-Fi: ask the patient for a link that starts with https',
    );
  }
}

/** checkFileTransport: a file location (or where a redirect led) held to the link's rule. */
function checkFileTransport(raw, link, prefix = '') {
  try {
    checkTransport(raw, false);
  } catch (e) {
    if (linkOnLAN(link) && sameOrigin(raw, link.url)) return;
    throw new FetchError('unsafe', `${prefix}the link's server sent a file address that cannot be used safely: ${e.message}`);
  }
}

/** request sends one request and returns the body of a 200, or throws the FetchError of its status. */
async function request(ctx, url, init, limit, prefix = '') {
  let resp;
  try {
    resp = await ctx.doFetch(url, { ...init, credentials: 'omit', cache: 'no-store', referrerPolicy: 'no-referrer' });
  } catch (e) {
    throw new FetchError('unreachable', `${prefix}could not reach the link's server: ${e.message}`);
  }
  if (resp.redirected && resp.url) checkFileTransport(resp.url, ctx.link, prefix);
  if (resp.status === 200) {
    try {
      return await readLimited(resp, limit);
    } catch (e) {
      throw new FetchError('too-large', `${prefix}reading the server's answer: ${e.message}`);
    }
  }
  let text = '';
  try {
    text = fromUTF8(await readLimited(resp, MAX_ERROR_BODY));
  } catch {}
  switch (resp.status) {
    case 401: {
      let n = -1;
      try {
        const r = JSON.parse(text).remainingAttempts;
        if (typeof r === 'number' && r >= 0 && r < 1e9) n = Math.trunc(r);
      } catch {}
      throw new FetchError('passcode', passcodeMessage(n), { remainingAttempts: n });
    }
    case 404:
      throw new FetchError('not-found', 'this link has expired or was revoked');
    case 429: {
      const s = Number(resp.headers.get('Retry-After'));
      const wait = Number.isInteger(s) && s > 0 && s <= 7 * 24 * 3600 ? s : 0;
      const msg = wait ? `the link's server is busy: try again in ${wait}s` : "the link's server is busy: try again shortly";
      throw new FetchError('busy', msg, { retryAfter: wait });
    }
  }
  const u = new URL(url);
  u.search = '';
  let msg = `${prefix}the link's server answered ${resp.status} ${resp.statusText || ''}`.trimEnd() + ` for ${u}`;
  const detail = printable(text, 200);
  if (detail) msg += ': ' + detail;
  throw new FetchError('http', msg, { status: resp.status });
}

/** sniffContentType names a direct (U) file whose JWE carries no cty. */
function sniffContentType(pt) {
  let probe;
  try {
    probe = JSON.parse(fromUTF8(pt));
  } catch {
    return '';
  }
  if (!probe || typeof probe !== 'object') return '';
  if (probe.verifiableCredential !== undefined) return CT_SHC;
  if (typeof probe.resourceType === 'string' && probe.resourceType !== '') return CT_FHIR;
  if (typeof probe.access_token === 'string' && probe.access_token !== '') return CT_API;
  return '';
}
