// RFC 8785 JSON Canonicalization Scheme (JCS), the form a record's
// commitment hashes (DESIGN §5; wallet/record/canonical.go uses
// gowebpki/jcs). Members sorted by their UTF-16 code units, no white space,
// strings escaped as ECMAScript's JSON.stringify escapes them, numbers in
// ECMAScript's shortest round-trip form — which is what RFC 8785 specifies,
// so JavaScript's own serializers are the reference here.
import { ViewerError } from './bytes.js';

/** canonicalize returns the JCS text of a parsed JSON value. Throws ViewerError for a value JSON cannot hold. */
export function canonicalize(v) {
  if (v === null || typeof v === 'boolean' || typeof v === 'string') return JSON.stringify(v);
  if (typeof v === 'number') {
    if (!Number.isFinite(v)) throw new ViewerError('not readable JSON: a number out of range');
    return JSON.stringify(v);
  }
  if (Array.isArray(v)) return '[' + v.map(canonicalize).join(',') + ']';
  if (typeof v === 'object') {
    const keys = Object.keys(v).sort();
    return '{' + keys.map((k) => JSON.stringify(k) + ':' + canonicalize(v[k])).join(',') + '}';
  }
  throw new ViewerError('not readable JSON');
}
