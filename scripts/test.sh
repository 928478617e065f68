#!/usr/bin/env bash
# Typecheck, lint, then every test under test/ with node's test runner. Three tiers, told apart by name:
#   *.test.ts          unit tests: the fixture archive, real registries and files, no network, no containers
#   *.system.test.ts   whole images run in runc, a real browser, whole CLI processes killed or cut off, builds
#                      pushed through stores and caches that are then damaged (slow; root for runc)
#   *.e2e.test.ts      tests that reach the Debian archive
# `npm test` (CI) runs all three. IRONCLAD_SKIP_E2E=1 runs the unit tier only. Files named as arguments run as given.
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH="$PWD/node_modules/.bin:$PATH"

echo "== typecheck" >&2
tsc --noEmit
echo "== lint" >&2
biome check --diagnostic-level=error .
echo "== tests" >&2
if [ "${IRONCLAD_SKIP_E2E:-0}" = "1" ]; then
  mapfile -t files < <(find test -name '*.test.ts' ! -name '*.e2e.test.ts' ! -name '*.system.test.ts' | sort)
else
  mapfile -t files < <(find test -name '*.test.ts' | sort)
fi
[ $# -gt 0 ] && files=("$@")

# Starting node with tsx and loading the sources costs about a second of CPU per process, more than most test files
# take, so the files run in a few groups: one process per group loads tsx and the sources once and runs its files
# one after the other, each file as a suite of its own (its before/after hooks stay with its own tests). Two groups
# run at a time. Consecutive files go to different groups, which spreads the slow directories over all of them.
groups=$(mktemp -d -t ironclad-test-groups.XXXXXX)
trap 'rm -rf "$groups"' EXIT
count=8
for i in "${!files[@]}"; do
  group="$groups/group-$((i % count)).test.mjs"
  [ -f "$group" ] || echo "import { describe } from 'node:test';" > "$group"
  printf "describe('%s', async () => { await import('%s'); });\n" "${files[i]}" "$(realpath "${files[i]}")" >> "$group"
done
node --import tsx --test --test-concurrency=2 --test-reporter=spec "$groups"/group-*.test.mjs
