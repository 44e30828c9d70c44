// Compact JWE decryption for SMART Health Links: a port of
// wallet/share/jwe.go's DecryptFile. alg "dir", enc "A256GCM", zip "DEF"
// or none, no crit. AES-256-GCM runs in WebCrypto (crypto.subtle) where the
// page has it; over plain http on a LAN, where browsers withhold
// crypto.subtle, it runs in the audited @noble/ciphers. The authenticated
// data is the protected header's ASCII, as the spec (and jwe.go) has it.
import { gcm } from '@noble/ciphers/aes.js';
import { ViewerError, b64urlDecode, concat, fromUTF8, utf8 } from './bytes.js';

/** Limits, as jwe.go's. */
export const MAX_FILE_SIZE = 64 << 20;
export const MAX_JWE_SIZE = 96 << 20;
const MAX_JWE_HEADER = 4 << 10;

/** JWEError says why a file did not open; kind is 'bad', 'unsupported', 'decrypt' or 'too-large'. */
export class JWEError extends ViewerError {
  constructor(kind, message) {
    super(message);
    this.kind = kind;
  }
}

const bad = (m) => new JWEError('bad', `not a valid encrypted file (JWE): ${m}`);
const unsupported = (m) => new JWEError('unsupported', `unsupported JWE: ${m}`);
const tooLarge = (m) => new JWEError('too-large', `the file is too large: ${m}`);
const DECRYPT_MESSAGE = "the file could not be decrypted: the link's key does not match or the file was altered";

/**
 * decryptJWE opens a compact JWE with the link's 32-byte key.
 * @param {string} jwe
 * @param {Uint8Array} key
 * @param {{subtle?: SubtleCrypto|null}} [opts] subtle: null forces the @noble path
 * @returns {Promise<{plaintext: Uint8Array, cty: string}>}
 */
export async function decryptJWE(jwe, key, opts = {}) {
  if (key.length !== 32) throw new JWEError('bad', `the key is ${key.length} bytes, want 32`);
  if (jwe.length > MAX_JWE_SIZE) throw bad(`the file is too large: ${jwe.length} bytes, at most ${MAX_JWE_SIZE}`);
  const parts = jwe.trim().split('.');
  if (parts.length !== 5) throw bad(`${parts.length} parts separated by '.', want 5`);
  if (parts[0].length > MAX_JWE_HEADER) throw bad(`the header is ${parts[0].length} bytes, at most ${MAX_JWE_HEADER}`);
  let h;
  try {
    h = JSON.parse(fromUTF8(b64urlDecode(parts[0])));
  } catch (e) {
    throw bad(`header: ${e.message}`);
  }
  if (h === null || typeof h !== 'object' || Array.isArray(h)) throw bad('header: not a JSON object');
  const zip = h.zip ?? '';
  if (h.alg !== 'dir') throw unsupported(`alg ${JSON.stringify(h.alg ?? '')}, want "dir"`);
  if (h.enc !== 'A256GCM') throw unsupported(`enc ${JSON.stringify(h.enc ?? '')}, want "A256GCM"`);
  if (zip !== '' && zip !== 'DEF') throw unsupported(`zip ${JSON.stringify(zip)}, want "DEF" or none`);
  if (h.crit !== undefined) throw unsupported(`crit header ${JSON.stringify(h.crit)} is not understood`);
  if (parts[1] !== '') throw bad('alg "dir" has no encrypted key, but one is present');
  let iv, ct, tag;
  try {
    [iv, ct, tag] = [b64urlDecode(parts[2]), b64urlDecode(parts[3]), b64urlDecode(parts[4])];
  } catch (e) {
    throw bad(e.message);
  }
  if (iv.length !== 12 || tag.length !== 16) {
    throw bad(`IV of ${iv.length} bytes and tag of ${tag.length}, want 12 and 16`);
  }
  const aad = utf8(parts[0]);
  const subtle = opts.subtle === undefined ? globalThis.crypto?.subtle : opts.subtle;
  let pt;
  try {
    pt = subtle ? await subtleOpen(subtle, key, iv, concat(ct, tag), aad) : gcm(key, iv, aad).decrypt(concat(ct, tag));
  } catch {
    throw new JWEError('decrypt', DECRYPT_MESSAGE);
  }
  if (zip === 'DEF') {
    pt = await inflateRaw(pt, MAX_FILE_SIZE);
  } else if (pt.length > MAX_FILE_SIZE) {
    throw tooLarge(`${pt.length} bytes, at most ${MAX_FILE_SIZE}`);
  }
  return { plaintext: pt, cty: typeof h.cty === 'string' ? h.cty : '' };
}

async function subtleOpen(subtle, key, iv, sealed, aad) {
  const k = await subtle.importKey('raw', key, 'AES-GCM', false, ['decrypt']);
  return new Uint8Array(await subtle.decrypt({ name: 'AES-GCM', iv, additionalData: aad, tagLength: 128 }, k, sealed));
}

/**
 * inflateRaw decompresses raw DEFLATE with the browser's DecompressionStream,
 * refusing output beyond limit bytes (a small file must not inflate to
 * gigabytes). Throws JWEError 'too-large' or 'bad'.
 */
export async function inflateRaw(data, limit) {
  if (typeof DecompressionStream !== 'function') {
    throw new JWEError('unsupported', 'this browser cannot decompress files (no DecompressionStream): open the link in a current browser');
  }
  const reader = new Blob([data]).stream().pipeThrough(new DecompressionStream('deflate-raw')).getReader();
  const chunks = [];
  let n = 0;
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      n += value.length;
      if (n > limit) {
        await reader.cancel().catch(() => {});
        throw tooLarge(`more than ${limit} bytes once decompressed`);
      }
      chunks.push(value);
    }
  } catch (e) {
    if (e instanceof JWEError) throw e;
    throw bad(`the compressed content is damaged: ${e.message}`);
  }
  return concat(...chunks);
}
