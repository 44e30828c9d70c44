#!/usr/bin/env bash
# Rebuilds the committed viewer bundle (dist/) from web/:
#   1. copies web/ (sources, build.mjs, package.json, package-lock.json) to a
#      scratch directory, so the tree stays free of node_modules;
#   2. npm ci installs the packages pinned in package-lock.json (esbuild, the
#      @noble libraries);
#   3. build.mjs bundles src/ into OUTDIR: index.html, viewer.js, viewer.css.
#
# Usage: wallet/viewer/generate.sh [OUTDIR]   (default: wallet/viewer/dist)
# `make viewer` runs it; TestBundleMatchesFreshBuild runs it into a temp dir.
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
out="${1:-$here/dist}"

for tool in node npm; do
	if ! command -v "$tool" >/dev/null 2>&1; then
		echo "generate.sh: '$tool' is not installed; the viewer build needs Node.js with npm (make deps installs them)." >&2
		exit 1
	fi
done

mkdir -p "$out"
out="$(cd "$out" && pwd)"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT

tar -C "$here/web" --exclude=node_modules -cf - . | tar -C "$work" -xf -
(cd "$work" && npm ci --ignore-scripts --no-audit --no-fund --loglevel=error >&2)
rm -f "$out/index.html" "$out/viewer.js" "$out/viewer.css"
node "$work/build.mjs" --out "$out"
