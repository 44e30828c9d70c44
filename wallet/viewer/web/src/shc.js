// SMART Health Cards inside a share: a port of wallet/share/shc.go
// (ParseCardFile, VerifyCard). ES256 over a compact JWS whose payload is
// raw-DEFLATE compressed, checked with @noble/curves p256 against the
// issuer's key, whose kid must be its RFC 7638 thumbprint. The issuer's
// JWKS (and revocation list, for keys that have one) come through the node
// that served the page (GET /issuer-keys?iss=…), never from the page
// directly. An X.509 certificate beside a key is read as shc.go reads it:
// a certificate for another key refuses the key; its expiry is noted (the
// viewer holds no trust framework's anchors, so it decides nothing).
import { p256 } from '@noble/curves/nist.js';
import { sha256 } from '@noble/hashes/sha2.js';
import { ViewerError, b64urlDecode, b64urlEncode, concat, fromUTF8, printable, utf8 } from './bytes.js';
import { inflateRaw } from './jwe.js';

const MAX_CARD_JWS = 4 << 20;
const MAX_CARD_PAYLOAD = 16 << 20;
const MAX_CARDS_PER_FILE = 100;
const MAX_ISSUER_DOC = 1 << 20;
const CLOCK_SKEW_MS = 5 * 60 * 1000;

const refused = (m) => new ViewerError(`SMART Health Card refused: ${m}`);
const keysErr = (m) => refused(`the issuer's keys could not be checked: ${m}`);
const sigErr = (m) => refused(`the signature is not valid${m ? ': ' + m : ''}`);

/** parseCardFile reads {"verifiableCredential": [JWS, …]} and returns the JWS strings. */
export function parseCardFile(text) {
  let f;
  try {
    f = JSON.parse(text);
  } catch (e) {
    throw refused(`not a health card file: ${e.message}`);
  }
  const vcs = f && f.verifiableCredential;
  if (vcs !== undefined && vcs !== null && (!Array.isArray(vcs) || vcs.some((v) => typeof v !== 'string'))) {
    throw refused('not a health card file: verifiableCredential is not a list of strings');
  }
  if (!vcs || vcs.length === 0) throw refused('the file holds no verifiableCredential');
  if (vcs.length > MAX_CARDS_PER_FILE) throw refused(`${vcs.length} cards in one file, at most ${MAX_CARDS_PER_FILE}`);
  return vcs;
}

/**
 * issuerKeysVia returns the resolver the page uses: the node's
 * /issuer-keys endpoint on base (the page's origin). A 404 means the node
 * offers no such lookup.
 */
export function issuerKeysVia(base, doFetch) {
  async function get(params, what) {
    const u = new URL('/issuer-keys', base);
    for (const [k, v] of Object.entries(params)) u.searchParams.set(k, v);
    let resp;
    try {
      resp = await doFetch(u.toString(), { credentials: 'omit' });
    } catch (e) {
      throw new ViewerError(`the node could not be asked for ${what}: ${e.message}`);
    }
    const text = await resp.text();
    if (resp.status === 404) throw new ViewerError(`the issuer's keys are unavailable: this node does not look up ${what}`);
    if (resp.status !== 200) throw new ViewerError(`the node could not fetch ${what} (${resp.status}): ${printable(text, 200)}`);
    if (text.length > MAX_ISSUER_DOC) throw new ViewerError(`document over ${MAX_ISSUER_DOC} bytes`);
    return text;
  }
  return {
    jwks: (iss) => get({ iss }, "the issuer's keys"),
    // The revocation list of one key: /issuer-keys?iss=…&crl=<kid>. A node
    // that does not know the crl parameter answers with the JWKS: said so.
    crl: async (iss, kid) => {
      const text = await get({ iss, crl: kid }, "the issuer's revocation list");
      let doc = null;
      try {
        doc = JSON.parse(text);
      } catch {}
      if (doc && Array.isArray(doc.keys) && doc.rids === undefined) {
        throw new ViewerError("this node does not look up issuers' revocation lists, so the card cannot be checked");
      }
      return text;
    },
  };
}

const isB64URL = (s) => /^[A-Za-z0-9_-]*$/.test(s);

/** epochMs reads JWT seconds (fractions allowed, to the millisecond) as milliseconds. */
function epochMs(n, what) {
  if (typeof n !== 'number' || !(n >= 0 && n <= 253402300799)) throw refused(`${what}: "${n}" is not epoch seconds`);
  const sec = Math.trunc(n);
  return sec * 1000 + Math.round((n - sec) * 1000);
}

function checkIssuerURL(iss) {
  let u = null;
  try {
    u = new URL(iss);
  } catch {}
  if (!u || u.host === '') throw refused(`iss "${iss}" is not a URL`);
  if (u.protocol !== 'https:') throw refused(`iss "${iss}" is not https`);
  if (iss.endsWith('/')) throw refused(`iss "${iss}" ends with '/'`);
  if (u.search || u.hash || u.username || u.password) throw refused(`iss "${iss}" has a query, fragment or user`);
}

/**
 * verifyCard verifies one card's JWS as shc.go's VerifyCard does.
 * @returns {Promise<{iss: string, kid: string, issued: Date, expires: Date|null, types: string[], bundle: object, notes: string[]}>}
 */
export async function verifyCard(jws, keys, now) {
  if (jws.length > MAX_CARD_JWS) throw refused(`${jws.length} bytes, at most ${MAX_CARD_JWS}`);
  const parts = jws.trim().split('.');
  if (parts.length !== 3) throw refused(`not a compact JWS (${parts.length} parts)`);
  let hdr;
  try {
    hdr = JSON.parse(fromUTF8(b64urlDecode(parts[0])));
  } catch (e) {
    throw refused(`header: ${e.message}`);
  }
  hdr = hdr || {};
  if (hdr.alg !== 'ES256') throw refused(`header alg "${hdr.alg ?? ''}", want ES256`);
  if (hdr.zip !== 'DEF') throw refused(`header zip "${hdr.zip ?? ''}", want DEF (the payload must be compressed)`);
  if (typeof hdr.kid !== 'string' || hdr.kid === '') throw refused('header has no kid');
  let sig, zp;
  try {
    sig = b64urlDecode(parts[2]);
  } catch (e) {
    throw refused(`signature: ${e.message}`);
  }
  if (sig.length !== 64) throw sigErr(`the signature is ${sig.length} bytes, not the 64-byte R‖S form ES256 uses (DER-encoded?)`);
  try {
    zp = b64urlDecode(parts[1]);
  } catch (e) {
    throw refused(`payload: ${e.message}`);
  }
  let p;
  try {
    p = JSON.parse(fromUTF8(await inflateRaw(zp, MAX_CARD_PAYLOAD)));
  } catch (e) {
    throw refused(`payload: ${e.message}`);
  }
  if (!p || typeof p !== 'object' || p.iss == null || p.nbf == null || p.vc == null) throw refused('payload lacks iss, nbf or vc');
  const iss = String(p.iss);
  checkIssuerURL(iss);
  const vc = p.vc;
  const types = Array.isArray(vc.type) ? vc.type : [];
  if (!types.includes('https://smarthealth.cards#health-card')) throw refused('vc.type lacks https://smarthealth.cards#health-card');
  const bundle = vc.credentialSubject && vc.credentialSubject.fhirBundle;
  if (!bundle || bundle.resourceType !== 'Bundle') throw refused('vc.credentialSubject.fhirBundle is not a FHIR Bundle');
  const nbf = epochMs(p.nbf, 'nbf');
  const card = { iss, kid: hdr.kid, issued: new Date(nbf), expires: null, types, bundle, notes: [] };
  if (p.exp != null) card.expires = new Date(epochMs(p.exp, 'exp'));

  let doc;
  try {
    doc = JSON.parse(await keys.jwks(iss));
  } catch (e) {
    throw keysErr(`${iss}: ${e.message}`);
  }
  const key = findIssuerKey(doc, hdr.kid, iss, card, now);
  const signed = utf8(parts[0] + '.' + parts[1]);
  let ok = false;
  try {
    ok = p256.verify(sig, signed, key.pub, { prehash: true, lowS: false, format: 'compact' });
  } catch {}
  if (!ok) throw sigErr(`(issuer ${iss}, kid ${hdr.kid})`);
  if (key.crlVersion !== null) {
    let crl;
    try {
      crl = JSON.parse(await keys.crl(iss, hdr.kid));
    } catch (e) {
      throw keysErr(`the revocation list of key ${hdr.kid}: ${e.message}`);
    }
    checkRevocation(crl, hdr.kid, key.crlVersion, typeof vc.rid === 'string' ? vc.rid : '', nbf);
  }
  if (nbf > now.getTime() + CLOCK_SKEW_MS) {
    throw refused(`the card is not valid at this time: issued for ${new Date(nbf).toISOString()}, which is in the future`);
  }
  if (card.expires) {
    if (card.expires.getTime() < nbf) throw refused('the card is not valid at this time: it expires before it was issued');
    if (now.getTime() >= card.expires.getTime()) {
      throw refused(`the card is not valid at this time: it expired on ${card.expires.toISOString()}`);
    }
  }
  return card;
}

function findIssuerKey(doc, kid, iss, card, now) {
  const keysList = doc && Array.isArray(doc.keys) ? doc.keys : [];
  const problems = [];
  for (const k of keysList) {
    if (!k || k.kid !== kid) continue;
    try {
      return validateJWK(k, card, now);
    } catch (e) {
      problems.push(e.message);
    }
  }
  if (problems.length) throw keysErr(`key ${kid} of ${iss}: ${problems.join('; ')}`);
  throw sigErr(`${iss} publishes no key with kid ${kid}`);
}

function validateJWK(k, card, now) {
  if (k.d !== undefined && k.d !== null) throw new Error('the published key holds its private part (d)');
  if (k.kty !== 'EC' || k.crv !== 'P-256') throw new Error(`kty "${k.kty ?? ''}" crv "${k.crv ?? ''}", want EC P-256`);
  if (k.alg !== 'ES256') throw new Error(`alg "${k.alg ?? ''}", want ES256`);
  if (k.use !== 'sig') throw new Error(`use "${k.use ?? ''}", want sig`);
  let x, y;
  try {
    x = b64urlDecode(k.x);
    y = b64urlDecode(k.y);
  } catch {}
  if (!x || !y || x.length !== 32 || y.length !== 32) throw new Error('x and y are not 32-byte base64url coordinates');
  const pub = concat(Uint8Array.of(4), x, y);
  try {
    p256.Point.fromBytes(pub).assertValidity();
  } catch (e) {
    throw new Error(`not a P-256 point: ${e.message}`);
  }
  const tp = b64urlEncode(sha256(utf8(`{"crv":"P-256","kty":"EC","x":"${k.x}","y":"${k.y}"}`)));
  if (k.kid !== tp) throw new Error(`kid is not the key's thumbprint ${tp}`);
  if (Array.isArray(k.x5c) && k.x5c.length > 0) checkX5C(k.x5c[0], pub, card, now);
  let crlVersion = null;
  if (k.crlVersion !== undefined && k.crlVersion !== null) {
    if (!Number.isInteger(k.crlVersion) || k.crlVersion < 1) throw new Error(`crlVersion "${k.crlVersion}" is not a positive integer`);
    crlVersion = k.crlVersion;
  }
  return { pub, crlVersion };
}

/**
 * checkX5C compares the leaf certificate's key with the JWK (a mismatch
 * refuses the key) and notes an expired certificate. A certificate that
 * cannot be read is noted and ignored, as shc.go does.
 */
function checkX5C(b64, pub, card, now) {
  let der;
  try {
    der = Uint8Array.from(atob(String(b64)), (c) => c.charCodeAt(0));
  } catch {
    card.notes.push("the issuer's X.509 certificate is not base64: ignored");
    return;
  }
  let cert;
  try {
    cert = readCertificate(der);
  } catch (e) {
    card.notes.push(`the issuer's X.509 certificate does not parse (${e.message}): ignored`);
    return;
  }
  if (cert.key.length !== pub.length || cert.key.some((b, i) => b !== pub[i])) throw new Error('the x5c certificate is for another key');
  if (cert.notAfter && now.getTime() > cert.notAfter.getTime()) {
    card.notes.push(`the issuer's X.509 certificate expired on ${cert.notAfter.toISOString().slice(0, 10)}`);
  }
}

/** der reads one DER element at off: {tag, start (of contents), end}. */
function der(b, off) {
  if (off + 2 > b.length) throw new Error('truncated');
  const tag = b[off];
  let len = b[off + 1];
  let start = off + 2;
  if (len & 0x80) {
    const n = len & 0x7f;
    if (n < 1 || n > 3 || start + n > b.length) throw new Error('bad length');
    len = 0;
    for (let i = 0; i < n; i++) len = len * 256 + b[start + i];
    start += n;
  }
  if (start + len > b.length) throw new Error('truncated');
  return { tag, start, end: start + len };
}

/** children lists the elements inside a constructed element. */
function children(b, el) {
  const out = [];
  for (let off = el.start; off < el.end; ) {
    const c = der(b, off);
    out.push(c);
    off = c.end;
  }
  return out;
}

/** readCertificate returns the subject's uncompressed EC point and notAfter of an X.509 certificate. */
function readCertificate(b) {
  const cert = der(b, 0);
  if (cert.tag !== 0x30) throw new Error('not a certificate');
  const tbs = children(b, cert)[0];
  if (!tbs || tbs.tag !== 0x30) throw new Error('no tbsCertificate');
  let f = children(b, tbs);
  if (f[0] && f[0].tag === 0xa0) f = f.slice(1); // version
  const [, , , validity, , spki] = f; // serial, signature, issuer, validity, subject, subjectPublicKeyInfo
  if (!spki || spki.tag !== 0x30 || validity.tag !== 0x30) throw new Error('no subject key');
  const bits = children(b, spki)[1];
  if (!bits || bits.tag !== 0x03 || b[bits.start] !== 0) throw new Error('no subject key');
  const times = children(b, validity);
  return { key: b.slice(bits.start + 1, bits.end), notAfter: times[1] ? derTime(b, times[1]) : null };
}

function derTime(b, el) {
  const s = String.fromCharCode(...b.subarray(el.start, el.end));
  const m = el.tag === 0x17 ? /^(\d\d)(\d\d)(\d\d)(\d\d)(\d\d)(\d\d)Z$/.exec(s) : /^(\d{4})(\d\d)(\d\d)(\d\d)(\d\d)(\d\d)Z$/.exec(s);
  if (!m) return null;
  let y = Number(m[1]);
  if (el.tag === 0x17) y += y < 50 ? 2000 : 1900;
  return new Date(Date.UTC(y, Number(m[2]) - 1, Number(m[3]), Number(m[4]), Number(m[5]), Number(m[6])));
}

function checkRevocation(crl, kid, version, rid, nbf) {
  if (!crl || crl.kid !== kid) throw keysErr(`the revocation list is for key "${crl && crl.kid}", not "${kid}"`);
  if (crl.method !== 'rid') throw keysErr(`the revocation list's method "${crl.method}" is not "rid"`);
  if (crl.ctr !== version) throw keysErr(`the revocation list's ctr does not match the key's crlVersion ${version}`);
  const list = new Map();
  for (const entry of Array.isArray(crl.rids) ? crl.rids : []) {
    const [id, ts] = String(entry).split(/\.(.*)/s);
    if (!id || id.length > 24 || !isB64URL(id)) throw keysErr(`the revocation list holds an invalid rid "${entry}"`);
    let before = null;
    if (ts !== undefined) {
      if (ts === '' || !/^[0-9]+$/.test(ts) || Number(ts) > 253402300799) {
        throw keysErr(`the revocation list holds an invalid time in "${entry}"`);
      }
      before = Number(ts) * 1000;
    }
    if (list.has(id)) throw keysErr(`the revocation list lists rid "${id}" twice`);
    list.set(id, before);
  }
  if (rid !== '' && list.has(rid)) {
    const before = list.get(rid);
    if (before === null || nbf < before) throw refused(`the issuer revoked this card (rid ${rid})`);
  }
}
