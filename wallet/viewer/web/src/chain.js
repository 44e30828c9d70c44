// Reading the registry through the node's read-only JSON-RPC: a port of
// wallet/share/chainreader.go over chain/registry.go. Only eth_chainId and
// eth_call to four fixed views, ABI-encoded by hand (each argument and
// result a 32-byte word). The node that served the page serves the RPC
// (its network document's rpc), so the page asks no one else.
import { ViewerError, bytesToHex, hexToBytes, isZero } from './bytes.js';
import { keccak, word } from './eip712.js';

/** The views verify.go reads, by signature; a selector is keccak256(signature)[:4]. */
export const SIGNATURES = {
  grantOf: 'grantOf(address,bytes32)',
  anchorOf: 'anchorOf(address,bytes32)',
  delegateOf: 'delegateOf(address,address)',
};
export const selector = (sig) => keccak(sig).subarray(0, 4);

const MAX_RPC_ANSWER = 1 << 20;

/**
 * chainReader returns the ChainReader verify.js asks: chainId(),
 * grantOf(patient, digest), anchorOf(patient, root), delegateOf(patient,
 * delegate), all async, all bytes in and plain values out. Errors are
 * failures to ask (the node is down or refused), never "not found", which
 * is the zero status.
 * @param {string} rpcURL the network's read-only JSON-RPC
 * @param {Uint8Array} registry
 * @param {typeof fetch} doFetch
 */
export function chainReader(rpcURL, registry, doFetch) {
  let id = 0;
  async function rpc(method, params) {
    let resp;
    try {
      resp = await doFetch(rpcURL, {
        method: 'POST',
        headers: { 'Content-Type': 'application/json' },
        body: JSON.stringify({ jsonrpc: '2.0', id: ++id, method, params }),
        credentials: 'omit',
        cache: 'no-store',
      });
    } catch (e) {
      throw new ViewerError(`could not reach the network's node (${rpcURL}): ${e.message}`);
    }
    if (resp.status !== 200) throw new ViewerError(`the network's node answered ${resp.status} to ${method}`);
    const text = await resp.text();
    if (text.length > MAX_RPC_ANSWER) throw new ViewerError(`the network's node answered ${method} with over ${MAX_RPC_ANSWER} bytes`);
    let body;
    try {
      body = JSON.parse(text);
    } catch {
      throw new ViewerError(`the network's node answered ${method} with something that is not JSON-RPC`);
    }
    if (body && body.error) throw new ViewerError(`the network's node refused ${method}: ${String(body.error.message || body.error.code)}`);
    if (!body || typeof body.result !== 'string') throw new ViewerError(`the network's node answered ${method} without a result`);
    return body.result;
  }
  async function call(name, ...args) {
    const data = bytesToHex(new Uint8Array([...selector(SIGNATURES[name]), ...args.flatMap((a) => [...word(a)])]));
    const out = hexToBytes(await rpc('eth_call', [{ to: bytesToHex(registry), data }, 'latest']));
    if (out.length === 0) throw new ViewerError(`${name} returned nothing: no registry there, or not this one`);
    return out;
  }
  const words = (out, n, name) => {
    if (out.length < 32 * n) throw new ViewerError(`${name} returned ${out.length} bytes, want ${32 * n}`);
    return Array.from({ length: n }, (_, i) => out.subarray(32 * i, 32 * i + 32));
  };
  const num = (w) => Number(BigInt(bytesToHex(w)));
  const addr = (w) => w.slice(12);
  const bool = (w) => w[31] === 1;
  return {
    async chainId() {
      return BigInt(await rpc('eth_chainId', []));
    },
    async grantOf(patient, digest) {
      const [issuer, , expiry, revoked, active] = words(await call('grantOf', patient, digest), 5, 'grantOf');
      const zero = new Uint8Array(20);
      if (isZero(expiry)) return { issuer: zero, patient: zero, expiry: 0, revoked: false, active: false };
      return { issuer: addr(issuer), patient, expiry: num(expiry), revoked: bool(revoked), active: bool(active) };
    },
    async anchorOf(patient, root) {
      const [at, count] = words(await call('anchorOf', patient, root), 2, 'anchorOf');
      if (isZero(at)) return { patient: new Uint8Array(20), anchoredAt: 0, count: 0 };
      return { patient, anchoredAt: num(at), count: num(count) };
    },
    async delegateOf(patient, delegate) {
      const [rights, expiry, scope, active] = words(await call('delegateOf', patient, delegate), 4, 'delegateOf');
      return { rights: num(rights), expiry: num(expiry), scope: scope.slice(), active: bool(active) };
    },
  };
}
