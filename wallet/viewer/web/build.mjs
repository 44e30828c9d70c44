#!/usr/bin/env node
// Builds the web viewer into one directory: index.html, viewer.js (every
// module and npm package bundled, minified) and viewer.css. Every setting that
// changes the output is fixed here, so the same sources and the same pinned
// packages always give the same bytes (TestBundleMatchesFreshBuild holds us to
// that, and the network document publishes the bundle's hash).
//
// Usage: node build.mjs [--out DIR]   (default: ../dist)
import { build } from 'esbuild';
import { copyFileSync, mkdirSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
let out = resolve(here, '..', 'dist');
const args = process.argv.slice(2);
for (let i = 0; i < args.length; i++) {
  if (args[i] === '--out' && args[i + 1] !== undefined) {
    out = resolve(args[++i]);
  } else {
    throw new Error(`unknown argument ${args[i]}; usage: node build.mjs [--out DIR]`);
  }
}
mkdirSync(out, { recursive: true });

const common = {
  bundle: true,
  minify: true,
  sourcemap: false,
  legalComments: 'eof',
  charset: 'utf8',
  logLevel: 'warning',
  absWorkingDir: here,
};

await build({
  ...common,
  entryPoints: [join(here, 'src', 'main.js')],
  outfile: join(out, 'viewer.js'),
  format: 'iife',
  target: ['es2020', 'chrome90', 'safari14.1', 'firefox90'],
  platform: 'browser',
});
await build({
  ...common,
  entryPoints: [join(here, 'src', 'viewer.css')],
  outfile: join(out, 'viewer.css'),
});
copyFileSync(join(here, 'src', 'index.html'), join(out, 'index.html'));
