// jose_decrypt.mjs: opens SMART Health Links files as another SHL viewer
// would, with the jose library at its default settings (so with its limit
// on a compressed file's decompressed size, 250 000 bytes), and reports
// each plaintext's SHA-256 — for wallet/share/jose_interop_test.go.
//
// Usage: node jose_decrypt.mjs DIR
//   DIR/cases.json is [{"name": "...", "file": "x.jwe", "key": "<base64url 32 bytes>"}];
//   prints a JSON array of {"name", "ok": true, "sha256", "zip"} or
//   {"name", "ok": false, "error"}, one per case, in order.
// Run it from a directory where `jose` resolves (npm ci of the viewer's
// package.json and package-lock.json, the project's one pin of jose).
import { readFile } from 'node:fs/promises';
import { createHash } from 'node:crypto';
import { join } from 'node:path';
import { compactDecrypt, base64url } from 'jose';

const dir = process.argv[2];
if (!dir) {
  console.error('usage: node jose_decrypt.mjs DIR');
  process.exit(2);
}
const cases = JSON.parse(await readFile(join(dir, 'cases.json'), 'utf8'));
const out = [];
for (const c of cases) {
  try {
    const jwe = (await readFile(join(dir, c.file), 'utf8')).trim();
    // Default options: no maxDecompressedLength, as other viewers call it.
    const { plaintext, protectedHeader } = await compactDecrypt(jwe, base64url.decode(c.key));
    out.push({
      name: c.name,
      ok: true,
      sha256: createHash('sha256').update(plaintext).digest('hex'),
      zip: protectedHeader.zip ?? null,
    });
  } catch (e) {
    out.push({ name: c.name, ok: false, error: `${e.code ?? e.name}: ${e.message}` });
  }
}
console.log(JSON.stringify(out));
