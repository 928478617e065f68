#!/usr/bin/env bash
# Typecheck, lint, then every test under test/ with node's test runner. Three tiers, told apart by name:
#   *.test.ts          unit tests: the fixture archive, real registries and files, no network, no containers
#   *.system.test.ts   whole images run in runc, a real browser, whole CLI processes killed or cut off, builds
#                      pushed through stores and caches that are then damaged (slow; root for runc)
#   *.e2e.test.ts      tests that reach the network: the Debian archive (and the npm registry)
# `npm test` (CI) runs all three. IRONCLAD_SKIP_E2E=1 runs the unit tier only. Files named as arguments run as given.
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH="$PWD/node_modules/.bin:$PATH"

echo "== typecheck" >&2
# Incremental: a rerun checks again only what changed since the last one (a fresh clone checks everything).
tsc --noEmit --incremental --tsBuildInfoFile node_modules/.cache/ironclad/typecheck.tsbuildinfo
echo "== lint" >&2
biome check --diagnostic-level=error .
echo "== tests" >&2
# The slow tiers first: the workers take the longest files (the catalog parts) while the rest of the queue can
# still even out the finish, instead of starting them last and waiting on one of them alone.
if [ "${IRONCLAD_SKIP_E2E:-0}" = "1" ]; then
  mapfile -t files < <(find test -name '*.system.test.ts' | sort; find test -name '*.test.ts' ! -name '*.e2e.test.ts' ! -name '*.system.test.ts' | sort)
else
  mapfile -t files < <(find test -name '*.e2e.test.ts' | sort; find test -name '*.system.test.ts' | sort; find test -name '*.test.ts' ! -name '*.e2e.test.ts' ! -name '*.system.test.ts' | sort)
fi
[ $# -gt 0 ] && files=("$@")

# Starting node with tsx and loading the sources costs about a second of CPU per process, more than most test files
# take, so two worker processes (as many as run at a time) load tsx and the sources once each and share the files:
# a worker claims the next unclaimed file (mkdir is atomic, so each file runs once) and runs it as a suite of its
# own, awaited before it claims another, so its before/after hooks stay with its own tests and a worker that drew
# slow files simply takes fewer of them.
queue=$(mktemp -d -t ironclad-test-queue.XXXXXX)
trap 'rm -rf "$queue"' EXIT
# One home for the e2e tests that build catalog images (test/support/catalog-e2e.ts, app-clients): its download
# and derived caches are content-addressed and written by rename, so both workers fill them at once and a package
# many images share is downloaded, read and compressed once per run. Set IRONCLAD_TEST_HOME to keep it.
export IRONCLAD_TEST_HOME="${IRONCLAD_TEST_HOME:-$queue/home}"
for f in "${files[@]}"; do realpath "$f"; done > "$queue/files"
workers=$((${#files[@]} < 2 ? ${#files[@]} : 2))
for ((w = 1; w <= workers; w++)); do
  cat > "$queue/worker-$w.test.mjs" <<JS
import { mkdirSync, readFileSync } from 'node:fs';
import { relative } from 'node:path';
import { describe } from 'node:test';
import { pathToFileURL } from 'node:url';

const files = readFileSync('$queue/files', 'utf8').split('\n').filter(Boolean);
for (const [i, file] of files.entries()) {
  try {
    mkdirSync('$queue/claimed-' + i);
  } catch {
    continue;
  }
  await describe(relative('$PWD', file), async () => {
    await import(pathToFileURL(file).href);
  });
}
JS
done
node --import tsx --test --test-concurrency="$workers" --test-reporter=spec "$queue"/worker-*.test.mjs
