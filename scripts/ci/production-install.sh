#!/usr/bin/env bash
# The CLI as a user installs it: the package's own files and its lockfile, `npm ci --omit=dev`
# (no tsx, no esbuild, no TypeScript), then the bin validates and plans the examples.
set -euo pipefail
cd "$(dirname "$0")/../.."
dir=$(mktemp -d /tmp/azbr-prod-install.XXXXXX)
trap 'rm -rf "$dir"' EXIT
cp -r package.json package-lock.json bin dist examples "$dir"/
cd "$dir"
npm ci --omit=dev --ignore-scripts --no-audit --no-fund --loglevel=error > npm.log 2>&1 || { cat npm.log >&2; exit 1; }
for dev in tsx esbuild typescript vitest; do
  if [ -e "node_modules/$dev" ]; then echo "production-install: $dev is installed without dev dependencies" >&2; exit 1; fi
done
node bin/azure-batch-run.js validate examples/render.yaml --var run=ci
node bin/azure-batch-run.js plan examples/render.yaml --var run=ci > /dev/null
# The local Batch service comes in its own chunk, with @azure/storage-blob among its imports.
node bin/azure-batch-run.js run examples/render.yaml --var run=ci --local --executor process --poll-interval 0.2 > run.log 2>&1 || { cat run.log >&2; exit 1; }
echo "production-install: the bin runs from dist/ with production dependencies only"
