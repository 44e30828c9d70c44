// Byte helpers shared by the viewer's protocol modules: hex, base64url,
// UTF-8, and the ViewerError every module throws. Strict decoders: a string
// that is not exactly what its format allows is refused, never guessed at.

/** ViewerError is an error whose message a person can read. */
export class ViewerError extends Error {
  /**
   * @param {string} message what happened, in words a clinician understands
   * @param {string} [field] the part of the input at fault ("url", "key"…)
   */
  constructor(message, field) {
    super(message);
    this.name = 'ViewerError';
    if (field) this.field = field;
  }
}

const HEX = /^0x[0-9a-fA-F]*$/;

/** hexToBytes decodes "0x…" (even length); want, when given, is the byte length required. */
export function hexToBytes(s, want) {
  if (typeof s !== 'string' || !HEX.test(s) || s.length % 2 !== 0) {
    throw new ViewerError(`${printable(String(s), 40)} is not 0x-prefixed hex`);
  }
  const out = new Uint8Array((s.length - 2) / 2);
  for (let i = 0; i < out.length; i++) out[i] = parseInt(s.substr(2 + 2 * i, 2), 16);
  if (want !== undefined && out.length !== want) {
    throw new ViewerError(`${printable(s, 20)} is ${out.length} bytes, want ${want}`);
  }
  return out;
}

/** bytesToHex encodes as "0x" and lower-case hex. */
export function bytesToHex(b) {
  let s = '0x';
  for (const x of b) s += x.toString(16).padStart(2, '0');
  return s;
}

const B64URL = /^[A-Za-z0-9_-]*$/;

/** b64urlDecode decodes unpadded base64url (trailing '=' tolerated), refusing any other character. */
export function b64urlDecode(s) {
  s = s.replace(/=+$/, '');
  if (!B64URL.test(s) || s.length % 4 === 1) throw new ViewerError('not base64url');
  const std = s.replace(/-/g, '+').replace(/_/g, '/') + '==='.slice((s.length + 3) % 4);
  const bin = atob(std);
  const out = new Uint8Array(bin.length);
  for (let i = 0; i < bin.length; i++) out[i] = bin.charCodeAt(i);
  return out;
}

/** b64urlEncode encodes as unpadded base64url. */
export function b64urlEncode(b) {
  let bin = '';
  for (const x of b) bin += String.fromCharCode(x);
  return btoa(bin).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
}

const encoder = new TextEncoder();
const decoder = new TextDecoder('utf-8', { fatal: true });

/** utf8 encodes a string. */
export const utf8 = (s) => encoder.encode(s);

/** fromUTF8 decodes bytes that must be valid UTF-8. */
export function fromUTF8(b) {
  try {
    return decoder.decode(b);
  } catch {
    throw new ViewerError('not valid UTF-8 text');
  }
}

/** concat joins byte arrays. */
export function concat(...parts) {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let off = 0;
  for (const p of parts) {
    out.set(p, off);
    off += p.length;
  }
  return out;
}

/** equal compares two byte arrays. */
export function equal(a, b) {
  if (a.length !== b.length) return false;
  let d = 0;
  for (let i = 0; i < a.length; i++) d |= a[i] ^ b[i];
  return d === 0;
}

/** isZero: every byte is zero. */
export const isZero = (b) => b.every((x) => x === 0);

/** printable returns at most n characters of s, control characters dropped, for a message. */
export function printable(s, n) {
  let out = '';
  let count = 0;
  for (const ch of String(s)) {
    if (count === n) return out.trim() + '…';
    const c = ch.codePointAt(0);
    if (c >= 0x20 && c !== 0x7f && c !== 0xfffd) {
      out += ch;
      count++;
    }
  }
  return out.trim();
}

/** rfc1123 formats a Date as Go's time.RFC1123 in UTC ("Mon, 02 Jan 2006 15:04:05 UTC"). */
export function rfc1123(d) {
  return d.toUTCString().replace('GMT', 'UTC');
}

/** readLimited reads a fetch Response's body, refusing more than limit bytes. */
export async function readLimited(resp, limit) {
  if (!resp.body) return new Uint8Array(await resp.arrayBuffer());
  const reader = resp.body.getReader();
  const chunks = [];
  let n = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    n += value.length;
    if (n > limit) {
      await reader.cancel().catch(() => {});
      throw new ViewerError(`the server's answer is over ${limit} bytes`);
    }
    chunks.push(value);
  }
  return concat(...chunks);
}
