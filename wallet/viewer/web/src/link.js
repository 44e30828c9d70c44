// SMART Health Links as the viewer reads them: a port of
// wallet/share/link.go (ParseLink, the payload's limits, CheckTransport).
// A link is "shlink:/" and the base64url of a JSON payload {url, key, exp,
// flag, label, v}, bare or after the '#' of a viewer URL.
import { ViewerError, b64urlDecode, fromUTF8 } from './bytes.js';

/** Limits of a payload, from the spec (link.go). */
export const MAX_URL_LENGTH = 128;
export const MAX_LABEL_LENGTH = 80;
const MAX_LINK_INPUT = 8 << 10;
const KEY_TEXT_LENGTH = 43;
const SCHEME = 'shlink:/';

const linkErr = (field, reason) =>
  new ViewerError(`not a valid SMART Health Link: ${field ? field + ': ' : ''}${reason}`, field || 'link');

const runes = (s) => [...s].length;

/**
 * parseLink reads a link as pasted, scanned or taken from the page's
 * fragment: '#shlink:/…', 'https://x/view#shlink:/…' or 'shlink:/…'.
 * @returns {{url: string, key: Uint8Array, flag: string, exp?: number, label?: string, v?: number}}
 * exp is epoch seconds (fractions kept to the millisecond); v is absent for
 * version 1 links that omit it. Throws ViewerError saying what is wrong.
 */
export function parseLink(text) {
  if (typeof text !== 'string') throw linkErr('', 'no link given');
  if (text.length > MAX_LINK_INPUT) throw linkErr('', `${text.length} bytes of text, at most ${MAX_LINK_INPUT}`);
  const payload = extractPayload(text.trim());
  let raw;
  try {
    raw = JSON.parse(fromUTF8(b64urlDecode(payload)));
  } catch (e) {
    throw linkErr('', `the payload is not base64url JSON (${e.message}): the link was cut short or altered`);
  }
  if (raw === null || typeof raw !== 'object' || Array.isArray(raw)) throw linkErr('', 'the payload is not a JSON object');
  const link = { url: stringField(raw, 'url', true) };
  checkURL(link.url);
  const key = stringField(raw, 'key', true);
  if (key.length !== KEY_TEXT_LENGTH) {
    throw linkErr('key', `${key.length} characters, want exactly ${KEY_TEXT_LENGTH} (32 bytes, base64url)`);
  }
  try {
    link.key = b64urlDecode(key);
  } catch {
    throw linkErr('key', 'not 32 bytes of base64url');
  }
  if (link.key.length !== 32) throw linkErr('key', 'not 32 bytes of base64url');
  const flag = stringField(raw, 'flag', false);
  for (const f of flag) if (f < 'A' || f > 'Z') throw linkErr('flag', `"${f}" is not a capital letter`);
  link.flag = [...new Set(flag)].sort().join('');
  if (link.flag.includes('P') && link.flag.includes('U')) {
    throw linkErr('flag', 'P (passcode) and U (direct file) cannot be combined');
  }
  const label = stringField(raw, 'label', false);
  checkLabel(label);
  if (label) link.label = label;
  if (raw.exp !== undefined && raw.exp !== null) {
    const f = raw.exp;
    if (typeof f !== 'number') throw linkErr('exp', 'not a number');
    if (!(f >= 0 && f <= 253402300799)) throw linkErr('exp', `${f} is not epoch seconds between 1970 and 9999`);
    link.exp = Math.trunc(f) + Math.round((f - Math.trunc(f)) * 1000) / 1000;
  }
  if (raw.v !== undefined && raw.v !== null) {
    const f = raw.v;
    if (typeof f !== 'number') throw linkErr('v', 'not a number');
    if (f !== Math.trunc(f) || f < 1 || f > 1e6) throw linkErr('v', `${f} is not a positive integer version`);
    link.v = f;
  }
  return link;
}

function extractPayload(s) {
  let rest;
  if (s.slice(0, SCHEME.length).toLowerCase() === SCHEME) {
    rest = s.slice(SCHEME.length);
  } else {
    const hash = s.indexOf('#');
    if (hash < 0) throw linkErr('', `no "${SCHEME}" in the text: this is not a SMART Health Link`);
    const frag = s.slice(hash + 1);
    const i = frag.toLowerCase().indexOf(SCHEME);
    if (i < 0) throw linkErr('', `no "${SCHEME}" after the '#': this is not a SMART Health Link`);
    rest = frag.slice(i + SCHEME.length);
  }
  if (rest === '') throw linkErr('', `the link has no payload after "${SCHEME}"`);
  return rest;
}

function stringField(raw, name, required) {
  const v = raw[name];
  if (v === undefined || v === null) {
    if (required) throw linkErr(name, 'missing');
    return '';
  }
  if (typeof v !== 'string') throw linkErr(name, 'not a string');
  return v;
}

/** checkURL: an http(s) URL with a host, at most 128 characters, without credentials. */
export function checkURL(s) {
  if (s === '') throw linkErr('url', 'missing');
  const n = runes(s);
  if (n > MAX_URL_LENGTH) throw linkErr('url', `${n} characters, at most ${MAX_URL_LENGTH}`);
  const u = parseURL(s);
  if (!u || (u.protocol !== 'https:' && u.protocol !== 'http:') || u.host === '') {
    throw linkErr('url', `"${s}" is not an http(s) URL with a host`);
  }
  if (u.username !== '' || u.password !== '') throw linkErr('url', 'a URL with user credentials is refused');
}

/** checkLabel: at most 80 characters. */
export function checkLabel(s) {
  const n = runes(s);
  if (n > MAX_LABEL_LENGTH) throw linkErr('label', `${n} characters, at most ${MAX_LABEL_LENGTH}`);
}

/** checkParsedLink is verify.go's checkParsedLink: what "link well-formed" holds a parsed link to. */
export function checkParsedLink(link) {
  checkURL(link.url);
  checkLabel(link.label || '');
  if (link.flag.includes('P') && link.flag.includes('U')) {
    throw linkErr('flag', 'P (passcode) and U (direct file) cannot be combined');
  }
  if (link.v > 1) throw unsupportedVersion(link.v);
}

/** unsupportedVersion is Go's ErrUnsupportedVersion. */
export const unsupportedVersion = (v) =>
  new ViewerError(`this link uses a newer SMART Health Links version; update the app to open it (version ${v})`, 'v');

function parseURL(s) {
  try {
    return new URL(s);
  } catch {
    return null;
  }
}

/** hostName is the URL's host without brackets around an IPv6 address. */
const hostName = (u) => u.hostname.replace(/^\[(.*)\]$/, '$1');

/** isLoopback: this computer, by name or IP (link.go isLoopback). */
export function isLoopback(host) {
  if (host === 'localhost') return true;
  const v4 = ipv4(host);
  if (v4) return v4[0] === 127;
  return host === '::1' || /^(0{0,4}:){7}0{0,3}1$/.test(host);
}

/** isLANAddress: a private or link-local IP (RFC 1918, RFC 4193, 169.254/16, fe80::/10), never a name. */
export function isLANAddress(host) {
  const v4 = ipv4(host);
  if (v4) {
    const [a, b] = v4;
    return a === 10 || (a === 172 && b >= 16 && b < 32) || (a === 192 && b === 168) || (a === 169 && b === 254);
  }
  if (!host.includes(':')) return false;
  const first = parseInt(host.split(':')[0] || '0', 16);
  return (first & 0xfe00) === 0xfc00 || (first & 0xffc0) === 0xfe80;
}

function ipv4(host) {
  const m = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/.exec(host);
  if (!m) return null;
  const parts = m.slice(1).map(Number);
  return parts.every((p) => p < 256) ? parts : null;
}

/**
 * checkTransport is link.go's CheckTransport: https always; plain http only
 * to this computer and, when lan is true, to a LAN address written as an IP.
 * Throws ViewerError saying why otherwise.
 */
export function checkTransport(raw, lan) {
  const u = parseURL(raw);
  if (!u || u.host === '') throw new ViewerError(`"${raw}" is not a web address`, 'url');
  if (u.protocol === 'https:') return;
  if (u.protocol !== 'http:') throw new ViewerError(`"${raw}" is not a web address (https://…)`, 'url');
  const host = hostName(u);
  if (isLoopback(host) || (lan && isLANAddress(host))) return;
  throw new ViewerError(
    `plain http is refused: ${u.host} is reached over plain http, which anyone on the network on the way could read or change; ` +
      'only this computer, or a patient\'s phone on the same Wi-Fi, is opened over http: ask for a link that starts with https',
    'url',
  );
}

/** linkOnLAN: a direct share over the local network (plain http to a LAN address). */
export function linkOnLAN(link) {
  const u = parseURL(link.url);
  return !!u && u.protocol === 'http:' && isLANAddress(hostName(u));
}

/** sameOrigin compares scheme and host (case-insensitive), as manifest.go does. */
export function sameOrigin(a, b) {
  const ua = parseURL(a);
  const ub = parseURL(b);
  return !!ua && !!ub && ua.protocol === ub.protocol && ua.host.toLowerCase() === ub.host.toLowerCase();
}
