#!/usr/bin/env bash
# Rebuilds the committed HealthRegistry artifacts from HealthRegistry.sol:
#   1. npm ci installs the solc-js pinned in package-lock.json (in a scratch directory,
#      so the tree stays free of node_modules);
#   2. compile.js writes HealthRegistry.abi and HealthRegistry.bin;
#   3. abigen (pinned by go.mod's tool line) writes the Go bindings healthregistry.go.
#
# Usage: chain/contracts/generate.sh [OUTDIR]   (default: chain/contracts itself)
# `make contracts` runs it; TestArtifactsMatchFreshCompile runs it into a temp dir.
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
out="${1:-$here}"

for tool in node npm go; do
	if ! command -v "$tool" >/dev/null 2>&1; then
		echo "generate.sh: '$tool' is not installed; the contract build needs Node.js with npm, and Go." >&2
		exit 1
	fi
done

mkdir -p "$out"
out="$(cd "$out" && pwd)"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT

cp "$here/package.json" "$here/package-lock.json" "$work/"
(cd "$work" && npm ci --ignore-scripts --no-audit --no-fund --loglevel=error >&2)

node "$here/compile.js" --solc "$work/node_modules/solc" --out "$out"

cd "$here"
go tool abigen --v2 \
	--abi "$out/HealthRegistry.abi" --bin "$out/HealthRegistry.bin" \
	--pkg contracts --type HealthRegistry --out "$out/healthregistry.go"
chmod 0644 "$out/healthregistry.go"
