#!/usr/bin/env node
// Compiles HealthRegistry.sol with the solc-js pinned in package.json and writes
// HealthRegistry.abi and HealthRegistry.bin. Every setting that changes the output is
// fixed here, and the metadata hash is left out of the bytecode, so the same source
// always gives the same bytes (TestArtifactsMatchFreshCompile holds us to that).
//
// Usage: node compile.js [--solc DIR] [--out DIR]
//   --solc  the installed solc package to use (default: resolved from here)
//   --out   where to write the artifacts (default: this directory)
'use strict';

const fs = require('fs');
const path = require('path');

const SOURCE = 'HealthRegistry.sol';
const CONTRACT = 'HealthRegistry';

// Output-affecting settings. Changing any of them changes the committed bytecode.
const SETTINGS = {
  // cancun: runs on every chain from March 2024 on (geth --dev, testnets, current
  // consortium clients) and still gives PUSH0 and MCOPY.
  evmVersion: 'cancun',
  optimizer: { enabled: true, runs: 10000 },
  viaIR: true,
  // No IPFS/Swarm hash of the metadata: comments and paths cannot move the bytecode.
  // The CBOR trailer then holds only the compiler version.
  metadata: { bytecodeHash: 'none' },
  outputSelection: { [SOURCE]: { [CONTRACT]: ['abi', 'evm.bytecode.object'] } },
};

function parseArgs(argv) {
  const opts = { solc: null, out: __dirname };
  for (let i = 0; i < argv.length; i++) {
    const flag = argv[i];
    const value = argv[i + 1];
    if ((flag === '--solc' || flag === '--out') && value !== undefined) {
      opts[flag.slice(2)] = path.resolve(value);
      i++;
    } else {
      throw new Error(`unknown argument ${flag}; usage: node compile.js [--solc DIR] [--out DIR]`);
    }
  }
  return opts;
}

function main() {
  const opts = parseArgs(process.argv.slice(2));
  const solc = require(opts.solc || 'solc');

  const pinned = require(path.join(__dirname, 'package.json')).dependencies.solc;
  const version = solc.version();
  if (!version.startsWith(pinned + '+')) {
    throw new Error(`solc ${version} is not the pinned ${pinned}; run npm ci`);
  }

  const input = {
    language: 'Solidity',
    sources: { [SOURCE]: { content: fs.readFileSync(path.join(__dirname, SOURCE), 'utf8') } },
    settings: SETTINGS,
  };
  const output = JSON.parse(solc.compile(JSON.stringify(input)));

  // Warnings fail the build too: the contract is small enough to keep them at zero.
  const problems = (output.errors || []).filter((e) => e.severity !== 'info');
  if (problems.length > 0) {
    for (const e of problems) console.error(e.formattedMessage || e.message);
    throw new Error(`solc reported ${problems.length} problem(s)`);
  }

  const contract = output.contracts[SOURCE][CONTRACT];
  fs.mkdirSync(opts.out, { recursive: true });
  fs.writeFileSync(path.join(opts.out, CONTRACT + '.abi'), JSON.stringify(contract.abi, null, 2) + '\n');
  fs.writeFileSync(path.join(opts.out, CONTRACT + '.bin'), contract.evm.bytecode.object + '\n');
  console.error(`compiled ${CONTRACT} with solc ${version} into ${opts.out}`);
}

try {
  main();
} catch (err) {
  console.error(`compile.js: ${err.message}`);
  process.exit(1);
}
