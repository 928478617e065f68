#!/usr/bin/env bash
# Typecheck, lint, then every test under test/ with node's test runner.
# Tests that reach the Debian archive are named *.e2e.test.ts; IRONCLAD_SKIP_E2E=1 leaves them out locally.
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH="$PWD/node_modules/.bin:$PATH"

echo "== typecheck" >&2
tsc --noEmit
echo "== lint" >&2
biome check --diagnostic-level=error .
echo "== tests" >&2
if [ "${IRONCLAD_SKIP_E2E:-0}" = "1" ]; then
  mapfile -t files < <(find test -name '*.test.ts' ! -name '*.e2e.test.ts' | sort)
else
  mapfile -t files < <(find test -name '*.test.ts' | sort)
fi
[ $# -gt 0 ] && files=("$@")
node --import tsx --test --test-concurrency=2 --test-reporter=spec "${files[@]}"
